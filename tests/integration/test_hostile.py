# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile callers: huge, deep, mistyped and random arguments, timer floods, long sequences.
After each test the daemon must be alive, answer a normal call and keep a sound store."""

import os
import random
import unittest

from harness import (ERROR_PREFIX, OBJECT_PATH, SERVER_IFACE, TIMER_IFACE, TIMER_PATH_PREFIX,
                     GLib, RecorderTestCase, DBusCallError, boottime_ns, payload_key,
                     random_event_id)

INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
LOCAL_CLOSED = '(local) g-io-error-quark:18'


def nested_variant(depth, leaf=None):
    v = leaf if leaf is not None else GLib.Variant('s', 'leaf')
    for _ in range(depth):
        v = GLib.Variant('v', v)
    return v


def nested_array(depth):
    t = 'a' * depth + 'i'
    val = [1, 2]
    for _ in range(depth - 1):
        val = [val, []]
    return GLib.Variant(t, val)


class RandomValues:
    """Seeded generator of D-Bus types and values (no fds, no maybe types)."""
    BASIC = 'ybnqiuxtdsog'

    def __init__(self, seed):
        self.r = random.Random(seed)

    def type(self, depth=0):
        r = self.r
        choice = r.random()
        if depth >= 3 or choice < 0.55:
            return r.choice(self.BASIC)
        if choice < 0.7:
            return 'a' + self.type(depth + 1)
        if choice < 0.8:
            return 'a{' + r.choice('syuixo') + self.type(depth + 1) + '}'
        if choice < 0.9:
            return '(' + ''.join(self.type(depth + 1) for _ in range(r.randint(1, 4))) + ')'
        return 'v'

    def string(self):
        r = self.r
        n = r.choice([0, 1, 5, 30, 300, 5000])
        return ''.join(r.choice('abcXYZ09 -_/é€\U0001F600\t') for _ in range(n))

    def value(self, t):
        """(python value for GLib.Variant of type t, remaining type string)."""
        r = self.r
        c = t[0]
        if c == 'y':
            return r.randint(0, 255), t[1:]
        if c == 'b':
            return r.random() < 0.5, t[1:]
        if c == 'n':
            return r.randint(-2**15, 2**15 - 1), t[1:]
        if c == 'q':
            return r.randint(0, 2**16 - 1), t[1:]
        if c == 'i':
            return r.randint(-2**31, 2**31 - 1), t[1:]
        if c == 'u':
            return r.choice([0, 1, 1000, 65534, 2**32 - 1, r.randint(0, 2**32 - 1)]), t[1:]
        if c == 'x':
            return r.choice([0, -1, 2**63 - 1, -2**63, r.randint(-2**63, 2**63 - 1)]), t[1:]
        if c == 't':
            return r.choice([0, 2**64 - 1, r.randint(0, 2**64 - 1)]), t[1:]
        if c == 'd':
            return r.choice([0.0, -1.5, 1e308, float('inf'), float('nan'), r.random()]), t[1:]
        if c == 's':
            return self.string(), t[1:]
        if c == 'o':
            return r.choice(['/', '/a/b', '/com/endlessm/Metrics', '/x_1/y2']), t[1:]
        if c == 'g':
            return r.choice(['', 's', 'a{sv}', '(ii)', 'aay']), t[1:]
        if c == 'v':
            inner = self.type(2)
            v, _ = self.value(inner)
            return GLib.Variant(inner, v), t[1:]
        if c == 'a':
            if t[1] == '{':
                key_t = t[2]
                val_len = self._end_of(t[3:])
                val_t = t[3:3 + val_len]
                d = {}
                for _ in range(r.randint(0, 4)):
                    kv, _ = self.value(key_t)
                    vv, _ = self.value(val_t)
                    d[kv] = vv
                return d, t[3 + val_len + 1:]
            elem_end = self._end_of(t[1:])
            elem_t = t[1:1 + elem_end]
            n = r.choice([0, 1, 3, 20])
            if elem_t == 'y' and r.random() < 0.5:
                return bytes(r.randint(0, 255) for _ in range(r.choice([0, 15, 16, 17, 64]))), \
                    t[1 + elem_end:]
            return [self.value(elem_t)[0] for _ in range(n)], t[1 + elem_end:]
        if c == '(':
            items = []
            rest = t[1:]
            while rest[0] != ')':
                v, rest = self.value(rest)
                items.append(v)
            return tuple(items), rest[1:]
        raise ValueError(t)

    def _end_of(self, t):
        """Length of the first complete type in t."""
        c = t[0]
        if c == 'a':
            if t[1] == '{':
                n = 2
                n += self._end_of(t[n:])
                n += self._end_of(t[n:])
                return n + 1
            return 1 + self._end_of(t[1:])
        if c == '(':
            n = 1
            while t[n] != ')':
                n += self._end_of(t[n:])
            return n + 1
        return 1


METHOD_SIGNATURES = {
    'RecordSingularEvent': 'uayxbv',
    'RecordAggregateEvent': 'uayxxbv',
    'RecordEventSequence': 'uaya(xbv)',
    'StartAggregateTimer': 'uaybv',
    'UploadEvents': '',
    'SetEnabled': 'b',
}


class HostileTest(RecorderTestCase):

    def tearDown(self):
        # After anything hostile: alive, a normal call works and lands, the store is sound.
        if self.env.daemon_alive():
            c = self.env.connect()
            eid = random_event_id()
            c.record_singular(eid, GLib.Variant('s', 'after'))
            self.assertEqual(len(self.env.singulars(eid)), 1, 'normal call not stored afterwards')
        self.assertTrue(self.env.daemon_alive(), 'daemon died:\n' + self.env.daemon_log()[-3000:])
        self.assertEqual(self.env.integrity_check(), ['ok'])

    def assertNamedError(self, e):
        self.assertNotIn('UnmappedGError', e.name, e)
        self.assertNotEqual(e.name, 'org.freedesktop.DBus.Error.NoReply', e)
        self.assertNotEqual(e.name, 'org.freedesktop.DBus.Error.Timeout', e)

    def test_huge_payload(self):
        eid = random_event_id()
        big = GLib.Variant('s', 'h' * (1024 * 1024))
        too_large = ERROR_PREFIX + 'PayloadTooLarge'
        self.assertDBusError(too_large, self.client.record_singular, eid, big)
        self.assertDBusError(too_large, self.client.record_aggregate, eid, 1, big)
        self.assertDBusError(too_large, self.client.record_sequence, eid,
                             [(1, GLib.Variant('s', 'ok')), (2, big)])
        self.assertDBusError(too_large, self.client.start_timer, eid, big)
        self.assertDBusError(too_large, self.client.record_singular, eid,
                             GLib.Variant('ay', bytes(2 * 1024 * 1024)))
        self.assertEqual(self.env.table_rows(), {'singular': 0, 'counts': 0, 'aggregate': 0})

    def test_deep_variant_nesting(self):
        eid = random_event_id()
        for depth in (10, 32, 60):
            with self.subTest(depth=depth):
                try:
                    self.client.record_singular(eid, nested_variant(depth))
                except DBusCallError as e:
                    self.assertTrue(e.name.startswith(ERROR_PREFIX), e)
        # Whatever was accepted is stored faithfully.
        for row in self.env.singulars(eid):
            self.assertIsNotNone(payload_key(row[4]))
        # Deeper than D-Bus allows: the bus may drop that sender; the daemon must not care.
        for depth in (64, 100):
            c = self.env.connect()
            try:
                c.record_singular(eid, nested_variant(depth))
            except DBusCallError as e:
                self.assertNamedError(e)
        self.assertTrue(self.env.daemon_alive())

    def test_deep_array_nesting(self):
        eid = random_event_id()
        for depth in (5, 20, 30):
            with self.subTest(depth=depth):
                c = self.env.connect()
                try:
                    c.record_singular(eid, nested_array(depth))
                except DBusCallError as e:
                    self.assertNamedError(e)
        # Arrays of variants of arrays...
        v = GLib.Variant('s', 'x')
        for i in range(20):
            v = GLib.Variant('av', [v, v]) if i % 2 else GLib.Variant('v', v)
        c = self.env.connect()
        try:
            c.record_singular(eid, v)
        except DBusCallError as e:
            self.assertNamedError(e)
        self.assertTrue(self.env.daemon_alive())

    def test_wrong_argument_types(self):
        eid = random_event_id()
        cases = [
            ('RecordSingularEvent', GLib.Variant('(s)', ('x',))),
            ('RecordSingularEvent', None),
            ('RecordSingularEvent', GLib.Variant('(uayxb)', (0, eid, 1, False))),
            ('RecordSingularEvent', GLib.Variant('(uayxbvs)', (0, eid, 1, False,
                                                               GLib.Variant('b', False), 'x'))),
            ('RecordSingularEvent', GLib.Variant('(iayxbv)', (0, eid, 1, False,
                                                              GLib.Variant('b', False)))),
            ('RecordSingularEvent', GLib.Variant('(usxbv)', (0, 'event', 1, False,
                                                             GLib.Variant('b', False)))),
            ('RecordAggregateEvent', GLib.Variant('(uayxbv)', (0, eid, 1, False,
                                                               GLib.Variant('b', False)))),
            ('RecordEventSequence', GLib.Variant('(uaya(xv))', (0, eid, [(1, GLib.Variant('s', 'x'))]))),
            ('RecordEventSequence', GLib.Variant('(uayav)', (0, eid, [GLib.Variant('s', 'x')]))),
            ('StartAggregateTimer', GLib.Variant('(uayb)', (0, eid, False))),
            ('SetEnabled', GLib.Variant('(s)', ('false',))),
            ('SetEnabled', GLib.Variant('(u)', (0,))),
            ('UploadEvents', GLib.Variant('(b)', (True,))),
            ('ResetTrackingId', GLib.Variant('(s)', ('x',))),
        ]
        for method, params in cases:
            with self.subTest(method=method, sig=params.get_type_string() if params else '()'):
                self.assertDBusError(INVALID_ARGS, self.client.call_raw, method, params)
        timer = self.client.start_timer(eid)
        self.assertDBusError(INVALID_ARGS, self.client.call_raw, 'StopTimer',
                             GLib.Variant('(b)', (True,)), path=timer, iface=TIMER_IFACE)
        self.client.stop_timer(timer)
        self.assertEqual(self.env.singulars(), [])

    def test_unknown_objects_and_methods(self):
        for path in (TIMER_PATH_PREFIX + '0', TIMER_PATH_PREFIX + '99999999999999999999999',
                     TIMER_PATH_PREFIX + '1', '/com/endlessm/Metrics/Nope'):
            with self.subTest(path=path):
                try:
                    self.client.call('StopTimer', path=path, iface=TIMER_IFACE)
                    self.fail('StopTimer on a nonexistent timer succeeded')
                except DBusCallError as e:
                    self.assertNamedError(e)
                    self.assertTrue(e.name.startswith('org.freedesktop.DBus.Error.Unknown'), e)
        self.assertDBusError('org.freedesktop.DBus.Error.UnknownMethod', self.client.call,
                             'DropAllTables')

    def test_fuzz(self):
        gen = RandomValues(20240601)
        r = gen.r
        c = self.env.connect()
        methods = list(METHOD_SIGNATURES) + ['StopTimer', 'NoSuchMethod']
        outcomes = {}
        for i in range(600):
            method = r.choice(methods)
            if method == 'SetEnabled':
                # Never actually switch consent off: polkit is not running, but keep it safe.
                method = 'RecordSingularEvent'
            sig = METHOD_SIGNATURES.get(method, '')
            if r.random() < 0.4 or method in ('StopTimer', 'NoSuchMethod'):
                sig = ''.join(gen.type() for _ in range(r.randint(0, 6)))
            values = []
            rest = sig
            while rest:
                v, rest = gen.value(rest)
                values.append(v)
            if sig == METHOD_SIGNATURES.get(method) and sig.startswith('uay') and r.random() < 0.6:
                values[1] = bytes(r.randint(0, 255) for _ in range(16))
            params = GLib.Variant(f'({sig})', tuple(values)) if sig else None
            path = OBJECT_PATH
            iface = SERVER_IFACE
            if method == 'StopTimer':
                path = TIMER_PATH_PREFIX + str(r.randint(0, 50))
                iface = TIMER_IFACE
            if c.conn.is_closed():
                c = self.env.connect()
            try:
                c.call_raw(method, params, path=path, iface=iface, timeout_ms=10000)
                outcomes['ok'] = outcomes.get('ok', 0) + 1
            except DBusCallError as e:
                if e.name.startswith('(local)'):
                    # The bus may drop a client for what it considers invalid; reconnect.
                    outcomes[e.name] = outcomes.get(e.name, 0) + 1
                    continue
                self.assertNamedError(e)
                outcomes[e.name] = outcomes.get(e.name, 0) + 1
            if i % 50 == 0:
                self.assertTrue(self.env.daemon_alive(),
                                f'daemon died at fuzz call {i}: {method}{sig}\n'
                                + self.env.daemon_log()[-3000:])
        self.assertTrue(self.env.daemon_alive())
        self.assertGreater(outcomes.get("ok", 0), 0, outcomes)
        # Whatever was stored is a well-formed payload in normal form.
        for row in self.env.singulars():
            if len(row[4]):
                v = GLib.Variant.new_from_bytes(GLib.VariantType.new('v'),
                                                GLib.Bytes.new(bytes(row[4])), False)
                self.assertTrue(v.is_normal_form())
        if os.environ.get("METRICS_ITEST_VERBOSE"):
            print(outcomes)

    def test_timer_flood_one_connection(self):
        c = self.env.connect()
        eid = random_event_id()
        calls = [('StartAggregateTimer', 'uaybv', [0, eid, False, GLib.Variant('b', False)],
                  OBJECT_PATH, SERVER_IFACE)] * 10000
        results = c.call_async_many(calls, window=100)
        ok = [res[0] for res, err in results if err is None]
        errors = {}
        for _res, err in results:
            if err is not None:
                errors[err] = errors.get(err, 0) + 1
        self.assertEqual(set(errors), {ERROR_PREFIX + 'TooManyTimers'}, errors)
        self.assertLessEqual(len(ok), 64, 'more timers than MaxTimersPerConnection (default 64)')
        self.assertGreater(len(ok), 0)
        self.assertEqual(len(set(ok)), len(ok))
        # Another connection still gets a timer.
        other = self.env.connect()
        other.stop_timer(other.start_timer(eid))
        c.close()

    def test_sequence_too_long(self):
        eid = random_event_id()
        too_long = [(i, GLib.Variant('u', i)) for i in range(1025)]
        self.assertDBusError(ERROR_PREFIX + 'SequenceTooLong', self.client.record_sequence, eid,
                             too_long)
        self.assertEqual(self.env.singulars(), [])
        self.client.record_sequence(eid, too_long[:1024])
        self.assertEqual(len(self.env.singulars(eid)), 1024)

    def test_sequence_too_long_configured(self):
        self.env.stop_daemon()
        self.env.write_recorder_conf(MaxSequenceLength=10)
        self.env.start_daemon()
        eid = random_event_id()
        self.assertDBusError(ERROR_PREFIX + 'SequenceTooLong', self.client.record_sequence, eid,
                             [(i, None) for i in range(11)])
        self.assertEqual(self.env.singulars(), [])
        self.client.record_sequence(eid, [(i, None) for i in range(10)])
        self.assertEqual(len(self.env.singulars(eid)), 10)

    def test_invalid_payload_types_in_sequence_store_nothing(self):
        # A sequence is validated as a whole: one bad element, nothing stored.
        eid = random_event_id()
        big = GLib.Variant('s', 'q' * (1024 * 1024))
        self.assertDBusError(ERROR_PREFIX + 'PayloadTooLarge', self.client.record_sequence, eid,
                             [(1, GLib.Variant('s', 'a')), (2, GLib.Variant('s', 'b')), (3, big)])
        self.assertEqual(self.env.singulars(), [])

    def test_extreme_numbers(self):
        eid = random_event_id()
        for ts in (-2**63, -1, 0, 2**63 - 1):
            self.client.record_singular(eid, None, ts=ts)
        for count in (2**63 - 1, -2**63, 0):
            try:
                self.client.record_aggregate(eid, count)
            except DBusCallError as e:
                self.assertTrue(e.name.startswith(ERROR_PREFIX), e)
        # Timestamps from the future or before boot are clamped onto the time-line.
        offset = int(self.env.meta('boot_offset_ns'))
        now = boottime_ns()
        for row in self.env.singulars(eid):
            self.assertTrue(offset <= row[3] <= offset + now, row[3])


if __name__ == '__main__':
    unittest.main()
