#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs in a child process (so that the sanitizer runtimes can be preloaded): records
through gi.repository.EosMetrics as the named scenario says and prints what it did as
JSON. test_gi.py checks the calls the stand-in recorder received."""

import json
import sys
import time

import gi

gi.require_version('EosMetrics', '0')
gi.require_version('GLib', '2.0')
from gi.repository import EosMetrics, GLib  # noqa: E402


def now():
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)


def payload():
    return GLib.Variant('a{sv}', {'app': GLib.Variant('s', 'org.gnome.Builder.desktop'),
                                  'count': GLib.Variant('u', 7)})


def main(scenario, event_id):
    r = EosMetrics.EventRecorder.get_default()
    out = {'before': now()}
    if scenario == 'singular':
        r.record_event(event_id, None)
        r.record_event(event_id, payload())
        r.record_event_sync(event_id, GLib.Variant('s', 'sync'))
    elif scenario == 'aggregate':
        r.record_events(event_id, 23, None)
        r.record_events_sync(event_id, -4, payload())
    elif scenario == 'sequence':
        r.record_start(event_id, GLib.Variant('(su)', ('window', 42)), None)
        r.record_progress(event_id, GLib.Variant('(su)', ('window', 42)), GLib.Variant('s', 'half'))
        r.record_stop_sync(event_id, GLib.Variant('(su)', ('window', 42)), payload())
    elif scenario == 'timers':
        t1 = r.start_aggregate_timer(event_id, None)
        t2 = r.start_aggregate_timer_with_uid(5, event_id, payload())
        t1.stop()
        del t2  # dropping the last reference stops it
        r.record_event_sync(event_id, None)
    elif scenario == 'maybe':
        messages = []

        def handler(domain, level, message, *_):
            messages.append((domain, int(level), message))
        GLib.log_set_handler('EosMetrics', GLib.LogLevelFlags.LEVEL_CRITICAL, handler, None)
        r.record_event(event_id, GLib.Variant('ms', None))
        r.record_event_sync(event_id, None)
        out['messages'] = messages
    elif scenario == 'disabled':
        import os
        os.environ['EOS_DISABLE_METRICS'] = '1'
        disabled = EosMetrics.EventRecorder.new()
        disabled.record_event_sync(event_id, None)
        del os.environ['EOS_DISABLE_METRICS']
        r.record_event_sync(event_id, GLib.Variant('s', 'enabled'))
    elif scenario == 'names':
        ok, name = EosMetrics.event_id_to_name(EosMetrics.EVENT_SHELL_APP_ADDED)
        out['name'] = [ok, name]
        out['constants'] = [EosMetrics.EVENT_NETWORK_STATUS_CHANGED,
                            EosMetrics.MAJOR_VERSION]
    out['after'] = now()
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
