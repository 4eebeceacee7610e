#!/usr/bin/gjs
// SPDX-License-Identifier: LGPL-2.1-or-later
// Recording metrics from gjs through the EosMetrics-0 typelib.
//   gjs record.js
const {EosMetrics, GLib} = imports.gi;

const APP_OPENED = 'a8ed2b0e-7b4e-4b1c-9f1a-7e2d1c3b4a59';
const FILES_IMPORTED = '0f6c5b39-1e47-4a0b-9c1d-55b2d8c7e6f1';
const DOCUMENT_OPEN = '5d3a1f0b-8c2e-4f7d-a6b9-3e4c2d1f0a8b';
const TIME_IN_EDITOR = 'c41b7e2d-9a0f-4e3c-8b5d-2f6a1c9e7d04';

const recorder = EosMetrics.EventRecorder.get_default();

recorder.record_event(APP_OPENED, new GLib.Variant('(ss)', ['org.example.Editor', '1.2']));
recorder.record_events(FILES_IMPORTED, 12, null);

const key = new GLib.Variant('u', 1);
recorder.record_start(DOCUMENT_OPEN, key, new GLib.Variant('s', 'odt'));
recorder.record_progress(DOCUMENT_OPEN, key, null);
recorder.record_stop(DOCUMENT_OPEN, key, null);

const timer = recorder.start_aggregate_timer(TIME_IN_EDITOR, null);
GLib.usleep(GLib.USEC_PER_SEC);
timer.stop();

// Before exiting: waits (bounded) until everything above has been answered.
recorder.record_event_sync(APP_OPENED, null);
