# SPDX-License-Identifier: GPL-2.0-or-later
"""Recording singular, aggregate and sequence events into the store."""

import time
import unittest

from harness import (ERROR_PREFIX, MIDNIGHT_LEADS_S, NOBODY, OS_VERSION, GLib, RecorderTestCase,
                     boottime_ns, monthly_id, payload_key, random_event_id, this_month, today,
                     wait_until, zone_with_midnight_at)

INVALID_EVENT_ID = ERROR_PREFIX + 'InvalidEventId'


class RecordTest(RecorderTestCase):

    def offset(self):
        v = self.env.meta('boot_offset_ns')
        self.assertIsNotNone(v, 'meta boot_offset_ns missing')
        return int(v)

    def test_singular_with_payload(self):
        payloads = [
            GLib.Variant('s', 'hello world'),
            GLib.Variant('i', -42),
            GLib.Variant('(us)', (7, 'seven')),
            GLib.Variant('a{sv}', {'app': GLib.Variant('s', 'org.gnome.Software'),
                                   'n': GLib.Variant('u', 3)}),
            GLib.Variant('as', ['a', 'b', 'c']),
            GLib.Variant('ay', b'\x00\x01\x02'),
        ]
        sent = []
        for p in payloads:
            eid = random_event_id()
            ts = boottime_ns() - 1_000_000_000
            self.client.record_singular(eid, p, ts=ts)
            sent.append((eid, ts, p))
        rows = self.env.singulars()
        self.assertEqual(len(rows), len(sent))
        offset = self.offset()
        for (eid, ts, p), (uid, stored_id, os_version, rel, blob, size) in zip(sent, rows):
            self.assertEqual(stored_id, eid)
            self.assertEqual(uid, 0)
            self.assertEqual(os_version, OS_VERSION)
            self.assertEqual(rel - offset, ts, 'relative timestamp changed on the way')
            self.assertEqual(payload_key(blob), (p.get_type_string(), p.unpack()))
            self.assertGreater(size, 0)

    def test_singular_without_payload(self):
        eid = random_event_id()
        ts = boottime_ns()
        # The library sends the placeholder <false> when there is no payload.
        self.client.record_singular(eid, None, ts=ts)
        # has_payload false with some other value: the value is ignored.
        self.client.call('RecordSingularEvent', 'uayxbv',
                         [0, eid, ts, False, GLib.Variant('s', 'must be ignored')])
        rows = self.env.singulars(eid)
        self.assertEqual(len(rows), 2)
        for row in rows:
            self.assertEqual(bytes(row[4]), b'', 'payload stored although has_payload was false')
            self.assertEqual(row[3] - self.offset(), ts)

    def test_bad_event_id_singular(self):
        for bad in (b'', bytes(15), bytes(17), bytes(1)):
            with self.subTest(length=len(bad)):
                self.assertDBusError(INVALID_EVENT_ID, self.client.record_singular, bad,
                                     GLib.Variant('s', 'x'))
                self.assertDBusError(INVALID_EVENT_ID, self.client.record_singular, bad, None)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})

    def test_noncharacter_string_refused_with_reason(self):
        # A documented limit, not a choice: libsystemd's D-Bus reader refuses strings with
        # Unicode noncharacters although D-Bus and GLib allow them (docs/recorder.md).
        # The refusal must be named, say why, and leave the recorder serving.
        for text in ('a\ufdd0b', 'x\uffff', '\U0001fffe'):
            with self.subTest(text=ascii(text)):
                e = self.assertDBusError(ERROR_PREFIX + 'InvalidPayload',
                                         self.client.record_singular, random_event_id(),
                                         GLib.Variant('s', text))
                self.assertIn('noncharacter', e.message)
        eid = random_event_id()
        self.client.record_singular(eid, GLib.Variant('s', 'a\ufdcfb\ufffd'))
        self.assertEqual(len(self.env.singulars(eid)), 1)
        self.assertDaemonAlive()

    def test_bad_event_id_other_methods(self):
        for bad in (b'', bytes(15)):
            with self.subTest(length=len(bad)):
                self.assertDBusError(INVALID_EVENT_ID, self.client.record_aggregate, bad, 3)
                self.assertDBusError(INVALID_EVENT_ID, self.client.record_sequence, bad,
                                     [(boottime_ns(), GLib.Variant('s', 'x'))])
                self.assertDBusError(INVALID_EVENT_ID, self.client.start_timer, bad)
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})
        self.assertDaemonAlive()

    def test_aggregate_counts_sum_daily_and_monthly(self):
        eid = random_event_id()
        payload = GLib.Variant('s', 'org.example.App')
        other = GLib.Variant('s', 'org.example.Other')
        for c in (5, -2, 10):
            self.client.record_aggregate(eid, c, payload)
        for c in (3, -5):
            self.client.record_aggregate(eid, c, other)
        self.client.record_aggregate(eid, 4, None)
        self.client.record_aggregate(eid, 1, None)
        day, month = today(), this_month()
        key = ('s', 'org.example.App')
        self.assertEqual(self.env.count_value(eid, day, key), 13)
        self.assertEqual(self.env.count_value(eid, day, ('s', 'org.example.Other')), -2)
        mid = monthly_id(eid)
        self.assertEqual(self.env.count_value(mid, month, key), 13)
        self.assertEqual(self.env.count_value(mid, month, ('s', 'org.example.Other')), -2)
        # Without payload: its own row with an empty payload.
        no_payload = [r for r in self.env.counts(eid) if bytes(r[2]) == b'']
        self.assertEqual([(r[0], r[4]) for r in no_payload], [(day, 5)])
        no_payload_m = [r for r in self.env.counts(mid) if bytes(r[2]) == b'']
        self.assertEqual([(r[0], r[4]) for r in no_payload_m], [(month, 5)])
        # Exactly the expected rows: three daily and three monthly.
        self.assertEqual(sorted(r[0] for r in self.env.counts(eid)), [day] * 3)
        self.assertEqual(sorted(r[0] for r in self.env.counts(mid)), [month] * 3)
        for r in self.env.counts():
            self.assertEqual(r[3], 0)
        # Nothing became a singular event.
        self.assertEqual(self.env.singulars(), [])

    def test_aggregate_counts_survive_restart(self):
        eid = random_event_id()
        self.client.record_aggregate(eid, 7)
        self.env.restart_daemon()
        self.client.record_aggregate(eid, 2)
        self.assertEqual(self.env.count_value(eid, today()), 9)
        self.assertEqual(self.env.count_value(monthly_id(eid), this_month()), 9)

    def test_counts_roll_over_at_start_after_midnight_while_down(self):
        self.env.stop_daemon()
        for lead in MIDNIGHT_LEADS_S:
            midnight = int(time.time()) + lead
            tz, old_day, _new_day = zone_with_midnight_at(midnight)
            self.env.start_daemon(env={'TZ': tz})
            eid = random_event_id()
            self.client.record_aggregate(eid, 4, GLib.Variant('s', 'down'))
            recorded = self.env.count_value(eid, old_day)
            self.assertEqual(self.env.stop_daemon(), 0)
            if time.time() < midnight:  # down before midnight: the case under test
                break
            # Too slow for this midnight (the count may be on the new day): a later one.
        else:
            self.fail('the recorder never stopped before a midnight '
                      f'{MIDNIGHT_LEADS_S[-1]} s away')
        self.assertEqual(recorded, 4)
        wait_until(lambda: time.time() >= midnight, f'the local midnight of {tz}')
        self.env.start_daemon(env={'TZ': tz})
        rows = [a for a in self.env.aggregates(eid)]
        self.assertEqual([(a['period'], a['count'], a['os_version']) for a in rows],
                         [(old_day, 4, OS_VERSION)], 'old day not rolled over at start')
        self.assertIsNone(self.env.count_value(eid, old_day))

    def test_aggregate_counted_on_the_day_it_happened(self):
        # An aggregate event stamped before local midnight but delivered after it belongs to
        # the old day (and is rolled over at once, since that day is over).
        self.env.stop_daemon()
        for lead in MIDNIGHT_LEADS_S:
            midnight = int(time.time()) + lead
            tz, old_day, new_day = zone_with_midnight_at(midnight)
            self.env.start_daemon(env={'TZ': tz})
            eid = random_event_id()
            ts_before = boottime_ns()
            # The recorder's midnight, once it has rolled this count over.
            probe = random_event_id()
            self.client.record_aggregate(probe, 1)
            if time.time() < midnight - 1:  # stamped a whole second before midnight
                break
            self.assertEqual(self.env.stop_daemon(), 0)
        else:
            self.fail('the recorder never started a second before a midnight '
                      f'{MIDNIGHT_LEADS_S[-1]} s away')
        self.assertEqual(self.env.count_value(probe, old_day), 1)
        self.wait_until(lambda: [(a['period'], a['count']) for a in self.env.aggregates(probe)]
                        == [(old_day, 1)], f'the recorder to roll {old_day} over')
        self.client.record_aggregate(eid, 6, ts=ts_before)
        self.client.record_aggregate(eid, 1)
        old = [(a['period'], a['count']) for a in self.env.aggregates(eid)]
        self.assertEqual(old, [(old_day, 6)], 'late-delivered count not on its own day')
        self.assertEqual(self.env.count_value(eid, new_day), 1)
        self.assertIsNone(self.env.count_value(eid, old_day))

    def test_sequence_becomes_singulars_in_order(self):
        eid = random_event_id()
        base = boottime_ns() - 10_000_000_000
        events = [
            (base, GLib.Variant('s', 'start')),
            (base + 1_000_000_000, GLib.Variant('u', 5)),
            (base + 2_000_000_000, None),
            (base + 3_500_000_000, GLib.Variant('(ss)', ('a', 'b'))),
            (base + 4_000_000_000, GLib.Variant('s', 'stop')),
        ]
        self.client.record_sequence(eid, events)
        rows = self.env.singulars()
        self.assertEqual(len(rows), len(events))
        offset = self.offset()
        for (ts, p), (uid, stored_id, _osv, rel, blob, _size) in zip(events, rows):
            self.assertEqual(stored_id, eid)
            self.assertEqual(uid, 0)
            self.assertEqual(rel - offset, ts)
            if p is None:
                self.assertEqual(bytes(blob), b'')
            else:
                self.assertEqual(payload_key(blob), (p.get_type_string(), p.unpack()))

    def test_unprivileged_user_id_taken_from_credentials(self):
        eid = random_event_id()
        agg = random_event_id()
        ts = boottime_ns()
        res = self.env.run_client([
            {'op': 'whoami'},
            {'op': 'call', 'method': 'RecordSingularEvent', 'sig': 'uayxbv',
             'args': [0, list(eid), ts, True, {'$v': ['s', 'claims root']}]},
            {'op': 'call', 'method': 'RecordSingularEvent', 'sig': 'uayxbv',
             'args': [1000, list(eid), ts, True, {'$v': ['s', 'claims 1000']}]},
            {'op': 'call', 'method': 'RecordAggregateEvent', 'sig': 'uayxxbv',
             'args': [0, list(agg), 4, ts, False, {'$v': ['b', False]}]},
            {'op': 'call', 'method': 'RecordEventSequence', 'sig': 'uaya(xbv)',
             'args': [0, list(eid), [[ts, True, {'$v': ['s', 'seq']}]]]},
        ])
        self.assertEqual(res[0]['uid'], NOBODY)
        for r in res[1:]:
            self.assertTrue(r['ok'], r)
        rows = self.env.singulars(eid)
        self.assertEqual(len(rows), 3)
        self.assertEqual({r[0] for r in rows}, {NOBODY}, 'claimed user_id trusted')
        counts = self.env.counts(agg)
        self.assertEqual([(r[3], r[4]) for r in counts], [(NOBODY, 4)])
        self.assertEqual([(r[3], r[4]) for r in self.env.counts(monthly_id(agg))], [(NOBODY, 4)])

    def test_root_may_record_for_another_uid(self):
        eid = random_event_id()
        self.client.record_singular(eid, GLib.Variant('s', 'session'), user_id=1000)
        self.client.record_aggregate(eid, 2, user_id=1001)
        self.assertEqual([r[0] for r in self.env.singulars(eid)], [1000])
        self.assertEqual([r[3] for r in self.env.counts(eid)], [1001])


if __name__ == '__main__':
    unittest.main()
