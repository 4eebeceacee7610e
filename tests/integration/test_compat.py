# SPDX-License-Identifier: GPL-2.0-or-later
"""What a caller written against the original recorder can tell: short timers, a
disconnect's timers against later calls, error names and messages."""

import os
import re
import signal
import time
import unittest
import uuid

from harness import (CONTROL_IFACE, ERROR_PREFIX, OBJECT_PATH, POLKIT_RESET_TRACKING_ID,
                     POLKIT_SET_ENABLED, SERVER_IFACE, TIMER_IFACE, GLib, Gio, DBusCallError,
                     RecorderTestCase, monthly_id, random_event_id, this_month, today)
from uploads import UploadTestCase

UNKNOWN_METHOD = 'org.freedesktop.DBus.Error.UnknownMethod'
AUTH_FAILED = 'org.freedesktop.DBus.Error.AuthFailed'
METRICS_DISABLED = ('Could not upload events because the metrics system is disabled.')
UPLOADING_DISABLED = ('Could not upload events because uploading is disabled. You may enable '
                      'uploading by setting uploading_enabled to true in ')
INVALID_EVENT_ID = ('Event ID must be a UUID represented as an array of 16 bytes. '
                    'Dropping event.')
DECLINED = """[global]
enabled=false
uploading_enabled=false
environment=test
server_url=https://127.0.0.1:9/
"""


def text(err):
    """The message the recorder sent, without the GDBus.Error:NAME: prefix GIO adds."""
    return re.sub(r'^GDBus\.Error:\S+: ', '', err.message)


def queued_counts(client, event_id):
    """The "count" rows GetQueuedEvents lists for event_id: [(period, count)]."""
    (rows,) = client.call('GetQueuedEvents', 'u', [1000], iface=CONTROL_IFACE)
    eid = str(uuid.UUID(bytes=bytes(event_id)))
    return sorted((r[4], r[5]) for r in rows if r[0] == 'count' and r[1] == eid)


class ShortTimerTest(RecorderTestCase):

    def test_timer_under_a_second_stores_a_count_of_zero(self):
        # The original stores (and uploads) 0 for a timer that ran less than a second.
        eid = random_event_id()
        path = self.client.start_timer(eid)
        self.client.stop_timer(path)
        self.assertEqual(self.env.count_value(eid, today()), 0)
        self.assertEqual(self.env.count_value(monthly_id(eid), this_month()), 0)
        self.assertIn((today(), 0), queued_counts(self.client, eid))

    def test_stopping_a_gone_timer_is_unknown_method(self):
        # As the original's removed object: UnknownMethod, not sd-bus's UnknownObject.
        path = self.client.start_timer(random_event_id())
        self.client.stop_timer(path)
        err = self.assertDBusError(UNKNOWN_METHOD, self.client.stop_timer, path)
        self.assertIn(path, err.message)
        # Also a timer that never existed, and two stops in one go (the second reaches the
        # timer object before it is removed).
        self.assertDBusError(UNKNOWN_METHOD, self.client.stop_timer,
                             '/com/endlessm/Metrics/AggregateTimer999999')
        path = self.client.start_timer(random_event_id())
        results = self.client.call_async_many([('StopTimer', '', (), path, TIMER_IFACE)] * 2)
        self.assertEqual([e for _r, e in results], [None, UNKNOWN_METHOD])


class DisconnectOrderTest(RecorderTestCase):

    def test_timers_of_a_departed_client_are_committed_before_later_calls_are_answered(self):
        eid = random_event_id()
        owner = self.env.connect()
        departed = owner.unique_name
        owner.start_timer(eid, GLib.Variant('u', 7))
        # A whole second: this test is about when, not about short timers.
        time.sleep(1.1)  # sleep-ok: the timer under test measures this interval
        # Held still, the recorder finds everything below waiting at once when it goes on:
        # the owner's departure, then a query, then more work for the same turn.
        pid = self.env.daemon_proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            owner.close()
            self.wait_until(lambda: not self.client.name_has_owner(departed),
                            message='the bus to see the owner leave')
            found = {}
            conn = self.client.conn

            def answered(c, res, _data):
                # Read the store the moment the answer arrives: only committed rows show.
                found['db'] = self.env.count_value(eid, today(), ('u', 7))
                try:
                    (rows,) = c.call_finish(res).unpack()
                    found['listed'] = [r for r in rows if r[0] == 'count']
                except GLib.Error as e:
                    found['error'] = e.message

            conn.call('com.endlessm.Metrics', OBJECT_PATH, CONTROL_IFACE, 'GetQueuedEvents',
                      GLib.Variant('(u)', (1000,)), None, Gio.DBusCallFlags.NONE, 20000, None,
                      answered, None)
            for i in range(200):
                conn.call('com.endlessm.Metrics', OBJECT_PATH, SERVER_IFACE,
                          'RecordSingularEvent',
                          GLib.Variant('(uayxbv)', (0, bytes(random_event_id()), 1, False,
                                                    GLib.Variant('b', False))),
                          None, Gio.DBusCallFlags.NONE, 20000, None, None, None)
            conn.flush_sync(None)
        finally:
            os.kill(pid, signal.SIGCONT)
        self.wait_until(lambda: found, 'the answer to GetQueuedEvents')
        self.assertNotIn('error', found)
        self.assertIsNotNone(found.get('db'),
                             'the query was answered before the departed owner\'s timer was '
                             'committed')
        self.assertGreaterEqual(found['db'], 1)
        self.assertTrue(any(r[4] == today() for r in found['listed']), found['listed'])


class MessagesTest(RecorderTestCase):
    """Each message starts with the original's text; ours follows."""

    def test_uploading_disabled(self):
        err = self.assertDBusError(ERROR_PREFIX + 'UploadingDisabled', self.client.call,
                                   'UploadEvents')
        self.assertTrue(text(err).startswith(UPLOADING_DISABLED + self.env.permissions_file),
                        text(err))

    def test_metrics_disabled(self):
        self.env.write_permissions(DECLINED)
        self.wait_until(lambda: self.client.get_property('ConsentState', iface=CONTROL_IFACE)
                        == 'declined', message='consent declined')
        for call in (lambda: self.client.call('UploadEvents'),
                     lambda: self.client.start_timer(random_event_id())):
            err = self.assertDBusError(ERROR_PREFIX + 'MetricsDisabled', call)
            self.assertTrue(text(err).startswith(METRICS_DISABLED), text(err))
            self.assertGreater(len(text(err)), len(METRICS_DISABLED), 'our explanation')

    def test_invalid_event_id(self):
        err = self.assertDBusError(ERROR_PREFIX + 'InvalidEventId', self.client.start_timer,
                                   b'\x01\x02\x03')
        self.assertTrue(text(err).startswith(INVALID_EVENT_ID), text(err))

    def test_auth_failed(self):
        self.env.set_allowed([])
        for method, sig, args, original in (
                ('SetEnabled', 'b', [True], 'Disabling metrics is only allowed from system '
                                            'settings'),
                ('ResetTrackingId', '', [], 'Only privileged users can reset the tracking ID')):
            with self.subTest(method=method):
                err = self.assertDBusError(AUTH_FAILED, self.client.call, method, sig, args)
                self.assertTrue(text(err).startswith(original), text(err))
        # Allowed, they still succeed.
        self.env.set_allowed([POLKIT_SET_ENABLED, POLKIT_RESET_TRACKING_ID])
        self.client.call('ResetTrackingId')


class ShortTimerUploadTest(UploadTestCase):

    def test_zero_count_of_a_short_timer_is_uploaded(self):
        # Local days far apart: UTC-12 in the first run, UTC+14 in the second, so the second
        # run starts on a later day and queues the first run's day at once.
        self.start_in_zone('UTC+12')
        eid = random_event_id()
        day = today_in('UTC+12')
        path = self.client.start_timer(eid)
        self.client.stop_timer(path)
        self.env.stop_daemon()
        self.start_in_zone('UTC-14')
        _events, requests = self.upload()
        sent = [a for line in self.collector_lines(requests)
                for a in line['request']['aggregates']
                if a['event_id'] == str(uuid.UUID(bytes=bytes(eid)))]
        self.assertIn((day, 0), [(a['period'], a['count']) for a in sent], sent)

    def start_in_zone(self, tz):
        self.env.write_recorder_conf(**self.recorder_conf)
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager', 'TZ': tz})

    def collector_lines(self, requests):
        """What the collector logged of the `requests` requests the upload said it sent."""
        return [self.collector.next_line() for _ in range(requests)]


def today_in(tz):
    old = os.environ.get('TZ')
    os.environ['TZ'] = tz
    time.tzset()
    try:
        return time.strftime('%Y-%m-%d')
    finally:
        if old is None:
            del os.environ['TZ']
        else:
            os.environ['TZ'] = old
        time.tzset()


if __name__ == '__main__':
    unittest.main()
