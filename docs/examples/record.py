#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Recording metrics from Python through the EosMetrics-0 typelib."""

import time

import gi

gi.require_version('EosMetrics', '0')
from gi.repository import EosMetrics, GLib  # noqa: E402

APP_OPENED = 'a8ed2b0e-7b4e-4b1c-9f1a-7e2d1c3b4a59'
FILES_IMPORTED = '0f6c5b39-1e47-4a0b-9c1d-55b2d8c7e6f1'
DOCUMENT_OPEN = '5d3a1f0b-8c2e-4f7d-a6b9-3e4c2d1f0a8b'
TIME_IN_EDITOR = 'c41b7e2d-9a0f-4e3c-8b5d-2f6a1c9e7d04'

recorder = EosMetrics.EventRecorder.get_default()

recorder.record_event(APP_OPENED, GLib.Variant('(ss)', ('org.example.Editor', '1.2')))
recorder.record_events(FILES_IMPORTED, 12, None)

key = GLib.Variant('u', 1)
recorder.record_start(DOCUMENT_OPEN, key, GLib.Variant('s', 'odt'))
recorder.record_progress(DOCUMENT_OPEN, key, None)
recorder.record_stop(DOCUMENT_OPEN, key, None)

timer = recorder.start_aggregate_timer(TIME_IN_EDITOR, None)
time.sleep(1)
del timer  # dropping the last reference stops it, like timer.stop()

# Before exiting: waits (bounded) until everything above has been answered.
recorder.record_event_sync(APP_OPENED, None)
