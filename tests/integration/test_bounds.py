# SPDX-License-Identifier: GPL-2.0-or-later
"""Bounds: the queue size limit, per-uid quota and rate limits."""

import time
import unittest

from harness import (ERROR_PREFIX, NOBODY, OTHER_UID, OBJECT_PATH, SERVER_IFACE, GLib, RecorderTestCase,
                     boottime_ns, random_event_id)

QUEUE_FULL = ERROR_PREFIX + 'QueueFull'
MAXIMUM = 20000


def flood_cmd(n, payload='y' * 40, uid_claim=0):
    return {'op': 'flood', 'n': n, 'stop_on_error': True, 'method': 'RecordSingularEvent',
            'sig': 'uayxbv',
            'args': [uid_claim, list(random_event_id()), boottime_ns(), True,
                     {'$v': ['s', payload]}]}


class BoundsTest(RecorderTestCase):
    START_DAEMON = False

    def serving(self):
        """The daemon answers calls that do not need queue space."""
        self.assertTrue(self.env.daemon_alive(), self.env.daemon_log()[-2000:])
        self.client.introspect()
        self.assertEqual(self.client.get_property('TrackingId'), '')

    def fill_as_root(self, eid, limit=5000):
        payload = GLib.Variant('s', 'x' * 50)
        for i in range(limit):
            try:
                self.client.record_singular(eid, payload)
            except Exception as e:  # noqa: BLE001
                self.assertEqual(getattr(e, 'name', None), QUEUE_FULL, str(e))
                return i
        self.fail(f'{limit} events of ~100 bytes accepted with maximum={MAXIMUM}')

    def test_queue_full(self):
        self.env.write_cache_size(MAXIMUM)
        self.env.start_daemon()
        eid = random_event_id()
        accepted = self.fill_as_root(eid)
        self.assertGreater(accepted, 50, 'queue refused far below its bound')
        rows = self.env.table_rows()
        self.assertEqual(rows['singular'], accepted)
        total = self.env.total_size()
        self.assertLessEqual(total, MAXIMUM)
        # Further calls are refused, the queue does not grow, the oldest data is kept.
        first_rows = self.env.singulars(eid)[:5]
        for _ in range(20):
            self.assertDBusError(QUEUE_FULL, self.client.record_singular, eid,
                                 GLib.Variant('s', 'x' * 50))
        self.assertDBusError(QUEUE_FULL, self.client.record_sequence, eid,
                             [(1, GLib.Variant('s', 'a')), (2, GLib.Variant('s', 'b'))])
        self.assertDBusError(QUEUE_FULL, self.client.record_aggregate, random_event_id(), 3)
        self.assertEqual(self.env.table_rows(), rows)
        self.assertEqual(self.env.singulars(eid)[:5], first_rows)
        self.assertLessEqual(self.env.total_size(), MAXIMUM)
        self.serving()
        # One journal line per episode, not one per refused call.
        full_lines = [l for l in self.env.daemon_log().splitlines() if 'full' in l.lower()]
        self.assertEqual(len(full_lines), 1, full_lines)
        # The bound holds across a restart (the queue size is known at start).
        self.env.restart_daemon()
        self.assertDBusError(QUEUE_FULL, self.client.record_singular, eid,
                             GLib.Variant('s', 'x' * 50))
        self.assertEqual(self.env.table_rows(), rows)
        self.serving()
        self.assertEqual(self.env.integrity_check(), ['ok'])

    def test_queue_full_under_concurrent_load(self):
        # Many calls in flight in one main-loop turn must not overshoot the bound together.
        self.env.write_cache_size(MAXIMUM)
        self.env.start_daemon()
        eid = random_event_id()
        calls = [('RecordSingularEvent', 'uayxbv',
                  [0, eid, i, True, GLib.Variant('s', 'z' * 60)], OBJECT_PATH, SERVER_IFACE)
                 for i in range(1000)]
        results = self.client.call_async_many(calls, window=100)
        ok = sum(1 for r, e in results if e is None)
        errors = {e for r, e in results if e is not None}
        self.assertEqual(errors, {QUEUE_FULL})
        self.assertEqual(self.env.table_rows()['singular'], ok)
        self.assertLessEqual(self.env.total_size(), MAXIMUM)
        self.serving()

    def test_running_timer_cannot_overflow_queue(self):
        # Timer seconds land in counts rows when it stops; they too count against the bound.
        self.env.write_cache_size(MAXIMUM)
        self.env.start_daemon()
        timers = [(random_event_id(), self.client.start_timer(random_event_id()))
                  for _ in range(5)]
        self.fill_as_root(random_event_id())
        time.sleep(1.1)  # sleep-ok: the timers under test measure this interval
        for _eid, path in timers:
            try:
                self.client.stop_timer(path)
            except Exception as e:  # noqa: BLE001
                self.assertTrue(getattr(e, 'name', '').startswith(ERROR_PREFIX), str(e))
        self.assertLessEqual(self.env.total_size(), MAXIMUM,
                             'stopped timers pushed the queue past its bound')
        self.serving()

    def test_unprivileged_flood_cannot_take_whole_queue(self):
        self.env.write_cache_size(MAXIMUM)
        self.env.start_daemon()
        res = self.env.run_client([flood_cmd(3000)])[0]
        self.assertIn(res['first_error'], {ERROR_PREFIX + 'UserQuotaExceeded',
                                           ERROR_PREFIX + 'RateLimited'}, res)
        used = self.env.total_size(uid=NOBODY)
        self.assertGreater(res['ok_count'], 0)
        self.assertLess(used, MAXIMUM, 'one uid took the whole queue')
        # Root (and so the session instrumentation) can still record.
        eid = random_event_id()
        for _ in range(10):
            self.client.record_singular(eid, GLib.Variant('s', 'root still records'))
        self.assertEqual(len(self.env.singulars(eid)), 10)
        # Another unprivileged user has its own share.
        other = self.env.run_client([flood_cmd(5)], uid=OTHER_UID)[0]
        self.assertEqual(other['ok_count'], 5, other)
        self.serving()

    def test_rate_limited(self):
        self.env.write_recorder_conf(RateLimitPerSecond=2, RateLimitBurst=5)
        self.env.start_daemon()
        res = self.env.run_client([flood_cmd(200)])[0]
        self.assertEqual(res['first_error'], ERROR_PREFIX + 'RateLimited', res)
        self.assertLessEqual(res['ok_count'], 10, res)
        self.assertEqual(self.env.table_rows()['singular'], res['ok_count'])
        # The limit is per uid: root and another uid are not affected.
        eid = random_event_id()
        for _ in range(50):
            self.client.record_singular(eid)
        other = self.env.run_client([flood_cmd(3)], uid=OTHER_UID)[0]
        self.assertEqual(other['ok_count'], 3, other)
        self.serving()


if __name__ == '__main__':
    unittest.main()
