# SPDX-License-Identifier: GPL-2.0-or-later
"""Aggregate timers: counting, ownership, shutdown, path uniqueness, limits, midnight."""

import math
import signal
import time
import unittest

from harness import (ERROR_PREFIX, MIDNIGHT_LEADS_S, TIMER_IFACE, TIMER_PATH_PREFIX, GLib,
                     RecorderTestCase, DBusCallError, monthly_id, payload_key, random_event_id,
                     this_month, today, zone_with_midnight_at)

GONE_ERRORS = {'org.freedesktop.DBus.Error.UnknownObject',
               'org.freedesktop.DBus.Error.UnknownMethod'}


class TimerTest(RecorderTestCase):

    def expected_range(self, t_start_send, t_start_reply, t_stop_send, t_stop_reply):
        lo = math.floor(t_stop_send - t_start_reply)
        hi = math.floor(t_stop_reply - t_start_send)
        return lo, hi

    def assertCount(self, value, lo, hi, what):
        self.assertIsNotNone(value, f'{what}: no count stored')
        self.assertTrue(lo <= value <= hi, f'{what}: {value} not in [{lo}, {hi}]')

    def test_start_stop_adds_whole_seconds(self):
        eid = random_event_id()
        payload = GLib.Variant('s', 'org.example.Timer')
        t0 = time.monotonic()
        path = self.client.start_timer(eid, payload)
        t1 = time.monotonic()
        self.assertTrue(path.startswith(TIMER_PATH_PREFIX), path)
        time.sleep(2.3)  # sleep-ok: the timer under test measures this interval
        t2 = time.monotonic()
        self.client.stop_timer(path)
        t3 = time.monotonic()
        lo, hi = self.expected_range(t0, t1, t2, t3)
        key = ('s', 'org.example.Timer')
        self.assertCount(self.env.count_value(eid, today(), key), lo, hi, 'daily count')
        self.assertCount(self.env.count_value(monthly_id(eid), this_month(), key), lo, hi,
                         'monthly count')
        # The timer object is gone and cannot be stopped twice.
        err = self.assertDBusError(GONE_ERRORS, self.client.stop_timer, path)
        self.assertNotIn('UnmappedGError', err.name)
        # Its time is not counted twice.
        self.assertCount(self.env.count_value(eid, today(), key), lo, hi, 'daily count')

    def test_timers_add_up(self):
        eid = random_event_id()
        t0 = time.monotonic()
        a = self.client.start_timer(eid)
        b = self.client.start_timer(eid)
        t1 = time.monotonic()
        time.sleep(1.2)  # sleep-ok: the timers under test measure this interval
        t2 = time.monotonic()
        self.client.stop_timer(a)
        self.client.stop_timer(b)
        t3 = time.monotonic()
        lo, hi = self.expected_range(t0, t1, t2, t3)
        self.assertNotEqual(a, b)
        self.assertCount(self.env.count_value(eid, today()), 2 * lo, 2 * hi, 'daily count')

    def test_other_connection_cannot_stop(self):
        eid = random_event_id()
        path = self.client.start_timer(eid)
        res = self.env.run_client([{'op': 'call', 'method': 'StopTimer', 'path': path,
                                    'iface': TIMER_IFACE}])
        self.assertFalse(res[0]['ok'], 'an unprivileged stranger stopped the timer')
        self.assertEqual(res[0]['error'], 'org.freedesktop.DBus.Error.AccessDenied', res[0])
        # Still running: the owner can stop it, once.
        self.client.stop_timer(path)
        self.assertDBusError(GONE_ERRORS, self.client.stop_timer, path)

    def test_stranger_cannot_stop_unprivileged_timer(self):
        # A timer started by uid 65534 on its own connection: another connection of the same
        # uid may not stop it either (the owner is the connection, not the uid).
        eid = random_event_id()
        owner = self.env.spawn(
            ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/python3',
             '-c', HOLD_TIMER, self.env.bus_address, eid.hex()],
            stdout=__import__('subprocess').PIPE, text=True)
        path = owner.stdout.readline().strip()
        self.assertTrue(path.startswith(TIMER_PATH_PREFIX), path)
        res = self.env.run_client([{'op': 'call', 'method': 'StopTimer', 'path': path,
                                    'iface': TIMER_IFACE}])
        self.assertEqual(res[0].get('error'), 'org.freedesktop.DBus.Error.AccessDenied', res[0])
        owner.kill()
        owner.wait()
        owner.stdout.close()

    def test_unprivileged_timer_counts_for_caller_uid(self):
        # uid 65534 claims user_id 0; the time is counted for 65534, and it is counted when
        # the owner process dies (its connection closes).
        import subprocess
        eid = random_event_id()
        owner = self.env.spawn(
            ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/python3',
             '-c', HOLD_TIMER, self.env.bus_address, eid.hex()],
            stdout=subprocess.PIPE, text=True)
        path = owner.stdout.readline().strip()
        t1 = time.monotonic()
        self.assertTrue(path.startswith(TIMER_PATH_PREFIX), path)
        time.sleep(1.3)  # sleep-ok: the timer under test measures this interval
        owner.kill()
        owner.wait()
        owner.stdout.close()
        rows = self.wait_until(lambda: self.env.counts(eid),
                               message='count of the dead owner\'s timer')
        self.assertEqual([(r[0], r[3]) for r in rows], [(today(), 65534)])
        self.assertGreaterEqual(rows[0][4], 1)
        self.assertLessEqual(rows[0][4], math.ceil(time.monotonic() - t1) + 1)

    def test_owner_disconnect_stops_and_counts(self):
        eid = random_event_id()
        c = self.env.connect()
        t0 = time.monotonic()
        path = c.start_timer(eid, GLib.Variant('u', 9))
        t1 = time.monotonic()
        time.sleep(2.2)  # sleep-ok: the timer under test measures this interval
        t2 = time.monotonic()
        c.close()
        value = self.wait_until(lambda: self.env.count_value(eid, today(), ('u', 9)),
                                message='count of the disconnected owner\'s timer')
        t3 = time.monotonic()
        lo, hi = self.expected_range(t0, t1, t2, t3)
        self.assertCount(value, lo, hi, 'daily count')
        self.assertCount(self.env.count_value(monthly_id(eid), this_month(), ('u', 9)), lo, hi,
                         'monthly count')
        self.assertDBusError(GONE_ERRORS, self.client.stop_timer, path)

    def test_clean_shutdown_counts_running_timers(self):
        eid = random_event_id()
        t0 = time.monotonic()
        self.client.start_timer(eid)
        t1 = time.monotonic()
        time.sleep(2.2)  # sleep-ok: the timer under test measures this interval
        t2 = time.monotonic()
        rc = self.env.stop_daemon(signal.SIGTERM)
        t3 = time.monotonic()
        self.assertEqual(rc, 0, 'daemon did not exit 0 on SIGTERM')
        lo, hi = self.expected_range(t0, t1, t2, t3)
        self.assertCount(self.env.count_value(eid, today()), lo, hi, 'daily count')
        self.assertCount(self.env.count_value(monthly_id(eid), this_month()), lo, hi,
                         'monthly count')

    def test_paths_never_reused_across_restarts(self):
        seen = []
        for restart in (signal.SIGTERM, signal.SIGKILL, signal.SIGTERM, None):
            paths = [self.client.start_timer(random_event_id()) for _ in range(3)]
            self.client.stop_timer(paths[0])
            seen.extend(paths)
            if restart is not None:
                self.env.stop_daemon(restart)
                self.env.start_daemon()
                for p in paths:
                    self.assertDBusError(GONE_ERRORS, self.client.stop_timer, p)
        self.assertEqual(len(seen), len(set(seen)), f'timer path reused: {seen}')
        for p in seen:
            self.assertTrue(p.startswith(TIMER_PATH_PREFIX), p)

    def test_paths_never_reused_after_purge_or_lost_store(self):
        seen = [self.client.start_timer(random_event_id()) for _ in range(3)]
        # Opt-out deletes all collected data, then opt-in again: still fresh paths.
        self.env.set_allowed(['com.endlessm.Metrics.SetEnabled'])
        self.client.call('SetEnabled', 'b', [False])
        self.client.call('SetEnabled', 'b', [True])
        seen += [self.client.start_timer(random_event_id()) for _ in range(3)]
        self.assertEqual(len(seen), len(set(seen)), f'timer path reused after purge: {seen}')
        # The store is lost (corrupt and set aside) while the daemon is down.
        self.assertEqual(self.env.stop_daemon(), 0)
        with open(self.env.db_path, 'r+b') as f:
            f.write(b'garbage, not a database' * 300)
        self.env.start_daemon()
        seen += [self.client.start_timer(random_event_id()) for _ in range(3)]
        self.assertEqual(len(seen), len(set(seen)),
                         f'timer path reused after the store was set aside: {seen}')

    def test_too_many_timers_per_connection(self):
        self.env.stop_daemon()
        self.env.write_recorder_conf(MaxTimersPerConnection=3)
        self.env.start_daemon()
        paths = [self.client.start_timer(random_event_id()) for _ in range(3)]
        self.assertDBusError(ERROR_PREFIX + 'TooManyTimers', self.client.start_timer,
                             random_event_id())
        # Another connection has its own allowance.
        other = self.env.connect()
        other.start_timer(random_event_id())
        # Stopping one frees a slot.
        self.client.stop_timer(paths[0])
        self.client.start_timer(random_event_id())
        self.assertDBusError(ERROR_PREFIX + 'TooManyTimers', self.client.start_timer,
                             random_event_id())

    def test_timer_across_midnight(self):
        self.env.stop_daemon()
        payload = GLib.Variant('s', 'midnight')
        key = ('s', 'midnight')
        for lead in MIDNIGHT_LEADS_S[1:]:
            # A fixed-offset zone whose midnight is a few seconds away.
            midnight = int(time.time()) + lead
            tz, old_day, new_day = zone_with_midnight_at(midnight)
            old_month, new_month = old_day[:7], new_day[:7]
            self.assertNotEqual(old_day, new_day)

            self.env.start_daemon(env={'TZ': tz})
            eid = random_event_id()
            agg = random_event_id()
            self.client.record_aggregate(agg, 5, payload)
            w0 = time.time()
            t0 = time.monotonic()
            path = self.client.start_timer(eid, payload)
            t1 = time.monotonic()
            w1 = time.time()
            if w1 < midnight - 2:  # two whole seconds before midnight: the case under test
                break
            # Too slow for this midnight: a later one.
            self.assertEqual(self.env.stop_daemon(), 0)
        else:
            self.fail(f'the timer never started before a midnight {MIDNIGHT_LEADS_S[-1]} s away')
        self.assertEqual(self.env.count_value(agg, old_day, key), 5,
                         f'aggregate not counted on the local day {old_day} (TZ={tz})')

        # After midnight, without any call: the daemon rolls the old day over by itself.
        def rolled():
            return [a for a in self.env.aggregates(agg) if a['period'] == old_day]
        rows = self.wait_until(rolled, message='roll-over of the old day')
        # The timer runs on into the new day: whole seconds of it.
        time.sleep(max(0.0, midnight + 2.5 - time.time()))  # sleep-ok: measured by the timer
        self.assertEqual([(r['count'], payload_key(r['payload'])) for r in rows], [(5, key)])
        self.assertIsNone(self.env.count_value(agg, old_day, key),
                          'old day still in counts after roll-over')
        timer_old = [a for a in self.env.aggregates(eid) if a['period'] == old_day]
        self.assertEqual(len(timer_old), 1, f'timer seconds before midnight not rolled over: '
                                            f'{self.env.aggregates(eid)} {self.env.counts(eid)}')

        t2 = time.monotonic()
        self.client.stop_timer(path)
        t3 = time.monotonic()
        lo, hi = self.expected_range(t0, t1, t2, t3)
        before_lo = math.floor(midnight - w1)
        before_hi = math.ceil(midnight + 1.5 - w0)
        old_count = timer_old[0]['count']
        self.assertTrue(before_lo <= old_count <= before_hi,
                        f'old day got {old_count}s, expected [{before_lo}, {before_hi}]')
        self.assertEqual(payload_key(timer_old[0]['payload']), key)
        new_count = self.env.count_value(eid, new_day, key)
        self.assertIsNotNone(new_count, 'no seconds on the new day')
        self.assertTrue(lo <= old_count + new_count <= hi,
                        f'old {old_count} + new {new_count} not in [{lo}, {hi}]')
        self.assertGreaterEqual(new_count, 1)

        mid = monthly_id(eid)
        monthly = {}
        for a in self.env.aggregates(mid):
            monthly[a['period']] = monthly.get(a['period'], 0) + a['count']
        for r in self.env.counts(mid):
            monthly[r[0]] = monthly.get(r[0], 0) + r[4]
        if old_month == new_month:
            self.assertEqual(monthly, {old_month: old_count + new_count},
                             'monthly count lost time across midnight')
        else:
            self.assertEqual(monthly, {old_month: old_count, new_month: new_count})
        agg_monthly = self.env.count_value(monthly_id(agg), old_month, key)
        if old_month == new_month:
            self.assertEqual(agg_monthly, 5)


HOLD_TIMER = r'''
import signal, sys
from gi.repository import Gio, GLib
conn = Gio.DBusConnection.new_for_address_sync(sys.argv[1],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)
r = conn.call_sync('com.endlessm.Metrics', '/com/endlessm/Metrics',
    'com.endlessm.Metrics.EventRecorderServer', 'StartAggregateTimer',
    GLib.Variant('(uaybv)', (0, bytes.fromhex(sys.argv[2]), False, GLib.Variant('b', False))),
    None, Gio.DBusCallFlags.NONE, 10000, None)
print(r.unpack()[0], flush=True)
signal.pause()  # holds the connection (and the timer) until the test kills it
'''


if __name__ == '__main__':
    unittest.main()
