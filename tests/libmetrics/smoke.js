// SPDX-License-Identifier: GPL-2.0-or-later
// gjs smoke test: records every kind of event through the EosMetrics-0 typelib.
// Run by test_gjs.py, which checks what the stand-in recorder received.
const {EosMetrics, GLib} = imports.gi;

const eventId = ARGV[0];
const recorder = EosMetrics.EventRecorder.get_default();

recorder.record_event(eventId, null);
recorder.record_event(eventId, new GLib.Variant('a{sv}', {
    units_of_smoke_ground: new GLib.Variant('u', 3),
    grinding_time: new GLib.Variant('u', 60),
}));
recorder.record_events(eventId, 23, null);
recorder.record_start(eventId, new GLib.Variant('s', 'key'), null);
recorder.record_progress(eventId, new GLib.Variant('s', 'key'), new GLib.Variant('s', 'half'));
recorder.record_stop(eventId, new GLib.Variant('s', 'key'), null);
const timer = recorder.start_aggregate_timer(eventId, new GLib.Variant('s', 'timed'));
timer.stop();
recorder.record_event_sync(eventId, new GLib.Variant('s', 'last'));
print(`recorded ${EosMetrics.EVENT_SHELL_APP_ADDED}`);
