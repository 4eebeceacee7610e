# SPDX-License-Identifier: GPL-2.0-or-later
"""The C checks again, from Python through gi.repository.EosMetrics with the typelib of
the build tree (GI_TYPELIB_PATH), against the stand-in recorder on a private bus."""

import json
import os
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gi_env  # noqa: E402
import mockbus  # noqa: E402

from gi.repository import GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUS = None


def setUpModule():
    global BUS
    BUS = mockbus.PrivateBus()
    BUS.start_mock()


def tearDownModule():
    BUS.close()


def sample_payload():
    return GLib.Variant('a{sv}', {'app': GLib.Variant('s', 'org.gnome.Builder.desktop'),
                                  'count': GLib.Variant('u', 7)})


class GITest(unittest.TestCase):
    def setUp(self):
        BUS.clear()
        self.event_id = str(uuid.uuid4())

    def run_scenario(self, scenario):
        env = gi_env.child_environment()
        env.update(BUS.environment())
        p = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'gi_checks.py'), scenario,
                            self.event_id], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout), p.stderr

    def calls(self, method, path=mockbus.MAIN_PATH):
        return BUS.raw_calls(method, path)

    def assert_common(self, call, uid, before, after, ts_index):
        args = call.get_child_value(1)
        arg = lambda i: args.get_child_value(i).get_variant()  # noqa: E731
        self.assertEqual(arg(0).get_uint32(), uid)
        self.assertEqual(bytes(arg(1).get_data_as_bytes().get_data()),
                         uuid.UUID(self.event_id).bytes)
        if ts_index is not None:
            self.assertGreaterEqual(arg(ts_index).get_int64(), before)
            self.assertLessEqual(arg(ts_index).get_int64(), after)
        return arg

    def assert_payload(self, has, slot, expected):
        self.assertEqual(has.get_boolean(), expected is not None)
        if expected is None:
            self.assertEqual(slot.get_type_string(), 'b')
            self.assertFalse(slot.get_boolean())
        else:
            self.assertTrue(slot.equal(expected), f'{slot} != {expected}')

    def only(self, method, n):
        for other in ('RecordSingularEvent', 'RecordAggregateEvent', 'RecordEventSequence',
                      'StartAggregateTimer'):
            if other != method:
                self.assertEqual(len(BUS.calls(other)), 0, other)
        calls = self.calls(method)
        self.assertEqual(calls.n_children(), n)
        return [calls.get_child_value(i) for i in range(n)]

    def test_singular(self):
        out, _ = self.run_scenario('singular')
        calls = self.only('RecordSingularEvent', 3)
        previous = out['before']
        for call, expected in zip(calls, (None, sample_payload(), GLib.Variant('s', 'sync'))):
            arg = self.assert_common(call, os.getuid(), previous, out['after'], 2)
            previous = arg(2).get_int64()
            self.assert_payload(arg(3), arg(4), expected)

    def test_aggregate(self):
        out, _ = self.run_scenario('aggregate')
        calls = self.only('RecordAggregateEvent', 2)
        for call, count, expected in zip(calls, (23, -4), (None, sample_payload())):
            arg = self.assert_common(call, os.getuid(), out['before'], out['after'], 3)
            self.assertEqual(arg(2).get_int64(), count)
            self.assert_payload(arg(4), arg(5), expected)

    def test_sequence(self):
        out, _ = self.run_scenario('sequence')
        (call,) = self.only('RecordEventSequence', 1)
        arg = self.assert_common(call, os.getuid(), out['before'], out['after'], None)
        steps = arg(2)
        self.assertEqual(steps.n_children(), 3)
        previous = out['before']
        for i, expected in enumerate((None, GLib.Variant('s', 'half'), sample_payload())):
            ts, has, boxed = (steps.get_child_value(i).get_child_value(j) for j in range(3))
            self.assertGreaterEqual(ts.get_int64(), previous)
            self.assertLessEqual(ts.get_int64(), out['after'])
            previous = ts.get_int64()
            self.assert_payload(has, boxed.get_variant(), expected)

    def test_timers(self):
        out, _ = self.run_scenario('timers')
        starts = self.calls('StartAggregateTimer')
        self.assertEqual(starts.n_children(), 2)
        first = starts.get_child_value(0).get_child_value(1)
        second = starts.get_child_value(1).get_child_value(1)
        self.assertEqual(first.get_child_value(0).get_variant().get_uint32(), os.getuid())
        self.assertFalse(first.get_child_value(2).get_variant().get_boolean())
        self.assertEqual(second.get_child_value(0).get_variant().get_uint32(), 5)
        self.assertTrue(second.get_child_value(3).get_variant().equal(sample_payload()))
        # Both stopped exactly once: one by stop(), one by dropping it.
        count = BUS.conn.call_sync('com.endlessm.Metrics', mockbus.MAIN_PATH,
                                   mockbus.MOCK_IFACE, 'GetTimerCount', None, None, 0, -1,
                                   None).unpack()[0]
        for n in (count - 1, count):
            stops = BUS.wait_calls('StopTimer', 1, path=f'{mockbus.MAIN_PATH}/AggregateTimer{n}')
            self.assertEqual(len(stops), 1)

    def test_maybe_payload_refused(self):
        out, _ = self.run_scenario('maybe')
        self.assertEqual(len(out['messages']), 1, out['messages'])
        domain, level, message = out['messages'][0]
        self.assertEqual(domain, 'EosMetrics')
        # The original library's words (callers' tests match them).
        self.assertEqual(message, 'Maybe type found in auxiliary payload. These are not '
                                  'compatible with DBus!')
        (call,) = self.only('RecordSingularEvent', 1)  # only the one without payload
        self.assertFalse(call.get_child_value(1).get_child_value(3).get_variant().get_boolean())

    def test_disabled(self):
        self.run_scenario('disabled')
        (call,) = self.only('RecordSingularEvent', 1)
        slot = call.get_child_value(1).get_child_value(4).get_variant()
        self.assertEqual(slot.get_string(), 'enabled')

    def test_names_and_constants(self):
        out, _ = self.run_scenario('names')
        self.assertEqual(out['name'], [True, 'Shell app added'])
        self.assertEqual(out['constants'], ['5fae6179-e108-4962-83be-c909259c0584', 0])


if __name__ == '__main__':
    unittest.main()
