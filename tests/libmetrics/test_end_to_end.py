# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end: events recorded through libmetrics reach the real recorder's queue with
the right uid and payload (the daemon and bus as tests/integration/harness.py runs them).
Also: 20 000 record_event calls in a tight loop from one process, on a bus allowing 128
pending replies per connection, all reach the recorder; and a process that keeps using
the library across a recorder restart."""

import os
import subprocess
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
sys.path.insert(0, HERE)
import gi_env  # noqa: E402
from harness import NOBODY, RecorderTestCase, decode_payload, today  # noqa: E402

RECORD_CLIENT = os.environ.get('EMTR_TEST_RECORD_CLIENT')


class EndToEndTest(RecorderTestCase):
    def run_client(self, args, uid=None):
        argv = [RECORD_CLIENT] + args
        if uid is not None:
            argv = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups'] + argv
        # A C program: under ASan it keeps leak checking on.
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_events_reach_the_queue_with_uid_and_payload(self):
        self.assertTrue(RECORD_CLIENT, 'EMTR_TEST_RECORD_CLIENT not set')
        event_id = uuid.uuid4()
        self.run_client(['basic', str(event_id), 'org.gnome.Builder.desktop', '7'], uid=NOBODY)
        rows = self.env.singulars(event_id.bytes)
        # The singular event, then the two steps of the sequence.
        self.assertEqual([r[0] for r in rows], [NOBODY] * 3)
        payloads = [decode_payload(r[4]) for r in rows]
        self.assertEqual(payloads[0].get_type_string(), 's')
        self.assertEqual(payloads[0].get_string(), 'org.gnome.Builder.desktop')
        self.assertEqual([p.get_uint32() for p in payloads[1:]], [1, 2])
        self.assertEqual(self.env.count_value(event_id.bytes, today(), uid=NOBODY), 7)

    def test_refusals_are_counted_in_words(self):
        # An event the enforced registry does not know: the recorder refuses each call, and
        # the library says how many it refused so far, "1 failure", then "2 failures".
        self.assertTrue(RECORD_CLIENT, 'EMTR_TEST_RECORD_CLIENT not set')
        self.env.restart_daemon(registry_mode='enforce')
        p = self.run_client(['basic', str(uuid.uuid4()), 'org.gnome.Builder.desktop', '7'])
        self.assertIn('(1 failure so far)', p.stderr)
        self.assertIn('(2 failures so far)', p.stderr)
        self.assertNotIn('(1 failures', p.stderr)

    def start_load(self):
        """Another process flooding the recorder meanwhile (the load of a busy desktop)."""
        load = subprocess.Popen([RECORD_CLIENT, 'burst', str(uuid.uuid4()), '40000'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(load.wait, 120)
        self.addCleanup(load.kill)
        return load

    def count_of(self, event_id):
        rows = self.env.query('SELECT COUNT(*) FROM singular WHERE event_id = ?',
                              (event_id.bytes,))
        return rows[0][0]

    def test_burst_of_20000_all_reach_the_recorder(self):
        """C: 20 000 record_event calls, then one _sync call, under load: all stored."""
        self.assertTrue(RECORD_CLIENT, 'EMTR_TEST_RECORD_CLIENT not set')
        event_id = uuid.uuid4()
        self.start_load()
        # As root: exempt from the per-uid rate limit, so only the bus could lose events.
        self.run_client(['burst', str(event_id), '20000'])
        self.assertEqual(self.count_of(event_id), 20000)

    def test_python_burst_then_one_sync_call_all_stored(self):
        """Python: 20 000 record_event calls, then one record_event_sync, under load."""
        self.assertTrue(RECORD_CLIENT, 'EMTR_TEST_RECORD_CLIENT not set')
        event_id = uuid.uuid4()
        script = f'''
import gi
gi.require_version('EosMetrics', '0')
from gi.repository import EosMetrics
r = EosMetrics.EventRecorder.get_default()
for _ in range(20000):
    r.record_event({str(event_id)!r}, None)
r.record_event_sync({str(event_id)!r}, None)
'''
        self.start_load()
        p = subprocess.run(['/usr/bin/python3', '-c', script], capture_output=True, text=True,
                           env=gi_env.child_environment(), timeout=240)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn('not delivered', p.stderr)
        self.assertEqual(self.count_of(event_id), 20001)

    def test_process_survives_recorder_restart(self):
        event_id = str(uuid.uuid4())
        script = f'''
import gi, os, sys, time
gi.require_version('EosMetrics', '0')
from gi.repository import EosMetrics, GLib
r = EosMetrics.EventRecorder.get_default()
r.record_event_sync({event_id!r}, GLib.Variant('s', 'before'))
print('ready', flush=True)
sys.stdin.readline()  # the recorder is restarted meanwhile
r.record_event({event_id!r}, GLib.Variant('s', 'during'))
sys.stdin.readline()
r.record_event_sync({event_id!r}, GLib.Variant('s', 'after'))
print('done', flush=True)
'''
        env = gi_env.child_environment()
        p = subprocess.Popen(['/usr/bin/python3', '-c', script], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
        self.addCleanup(p.kill)
        self.assertEqual(p.stdout.readline().strip(), 'ready')
        self.env.stop_daemon()
        p.stdin.write('\n')
        p.stdin.flush()
        self.env.start_daemon()
        p.stdin.write('\n')
        p.stdin.flush()
        self.assertEqual(p.stdout.readline().strip(), 'done')
        p.wait(30)
        rows = self.env.singulars(uuid.UUID(event_id).bytes)
        self.assertEqual([decode_payload(r[4]).get_string() for r in rows],
                         ['before', 'during', 'after'])


if __name__ == '__main__':
    unittest.main()
