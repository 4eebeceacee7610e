# SPDX-License-Identifier: GPL-2.0-or-later
"""Durable before acknowledged: kill -9 the recorder at random moments under load; every
acknowledged event must be in the store and the store must stay sound."""

import os
import random
import shutil
import signal
import sqlite3
import time
import unittest

from harness import (HERE, PYTHON, GLib, RecorderTestCase, payload_key)

CLIENTS = 3
ROUNDS = int(os.environ.get('METRICS_DURABILITY_ROUNDS', '50'))
AGG_ID = bytes.fromhex('3c0e2a5a0f9e4a1b9f1a4c2f8d7e6b50')


class ReplyCounter:
    """Lines the durability clients have logged so far (one per reply), read as they grow."""

    def __init__(self, paths):
        self.paths = paths
        self.offsets = {p: 0 for p in paths}
        self.lines = 0

    def count(self):
        for p in self.paths:
            try:
                with open(p, 'rb') as f:
                    f.seek(self.offsets[p])
                    data = f.read()
            except FileNotFoundError:
                continue
            # Only whole lines: a line being written is counted once it ends.
            end = data.rfind(b'\n') + 1
            self.lines += data.count(b'\n', 0, end)
            self.offsets[p] += end
        return self.lines


class DurabilityTest(RecorderTestCase):

    def test_kill9_loses_no_acknowledged_event(self):
        seed = int(os.environ.get('METRICS_DURABILITY_SEED', str(int(time.time()))))
        rng = random.Random(seed)
        stop_file = os.path.join(self.env.root, 'stop-clients')
        logs = []
        procs = []
        for cid in range(CLIENTS):
            log = os.path.join(self.env.log_dir, f'client-{cid}.log')
            logs.append(log)
            procs.append(self.env.spawn(
                [PYTHON, os.path.join(HERE, 'durability_client.py'), self.env.bus_address,
                 str(cid), log, stop_file, str(seed + cid)]))

        replies = ReplyCounter(logs)

        def answered(n):
            """Waits until the clients have logged n more replies of the running recorder."""
            target = replies.count() + n
            self.wait_until(lambda: replies.count() >= target or
                            any(p.poll() is not None for p in procs),
                            f'{n} more replies from the recorder')
            for p in procs:
                self.assertIsNone(p.poll(), f'client exited early with {p.returncode}')

        started = time.monotonic()
        for _ in range(ROUNDS):
            # A random moment of its work: after a random number of answered calls.
            answered(rng.randint(1, 900))
            self.env.stop_daemon(signal.SIGKILL)
            self.env.start_daemon()
        # The last run: let it work a little, then stop the clients and the daemon cleanly.
        answered(300)
        with open(stop_file, 'w'):
            pass
        for p in procs:
            p.wait(30)
            self.assertEqual(p.returncode, 0, 'durability client failed')
        elapsed = time.monotonic() - started
        self.assertEqual(self.env.stop_daemon(), 0)

        acked = set()
        agg_acked = {}
        errors = []
        for log in logs:
            with open(log) as f:
                for line in f:
                    parts = line.split()
                    if not parts:
                        continue
                    if parts[0] == 'S':
                        acked.add(parts[1])
                    elif parts[0] == 'Q':
                        acked.update(parts[1:])
                    elif parts[0] == 'A':
                        agg_acked[parts[1]] = agg_acked.get(parts[1], 0) + 1
                    elif parts[0] == 'E':
                        errors.append(line.strip())
        self.assertEqual(errors, [], f'the recorder refused events under load (seed {seed})')
        self.assertGreater(len(acked), 200, f'too little load to mean anything: {len(acked)}')

        self.assertEqual(self.env.integrity_check(), ['ok'])
        corrupt = [n for n in os.listdir(self.env.state_dir) if 'corrupt' in n]
        self.assertEqual(corrupt, [], 'the store was set aside as corrupt after a kill -9')

        stored = set()
        for row in self.env.singulars():
            k = payload_key(row[4])
            if k and k[0] == 's':
                stored.add(k[1])
        missing = acked - stored
        self.assertEqual(len(missing), 0,
                         f'{len(missing)} of {len(acked)} acknowledged events lost after '
                         f'{ROUNDS} kill -9 rounds (seed {seed}), e.g. {sorted(missing)[:10]}')

        # Acknowledged aggregate increments are all counted (unacknowledged ones may be too).
        counted = {}
        for period, _e, payload, _u, count, _s in self.env.counts(AGG_ID):
            k = payload_key(payload)
            counted[k[1]] = counted.get(k[1], 0) + count
        for a in self.env.aggregates(AGG_ID):
            k = payload_key(a['payload'])
            counted[k[1]] = counted.get(k[1], 0) + a['count']
        for payload, n in agg_acked.items():
            self.assertGreaterEqual(counted.get(payload, 0), n,
                                    f'acknowledged aggregate counts lost for {payload}')
        # The store opens cleanly once more.
        self.env.start_daemon()
        self.client.record_singular(AGG_ID, GLib.Variant('s', 'final'))
        sys_msg = (f'durability: {ROUNDS} rounds, {len(acked)} acknowledged events, '
                   f'{elapsed:.1f}s, seed {seed}\n')
        os.write(2, sys_msg.encode())


    def test_corrupt_store_is_set_aside(self):
        eid = bytes(range(16))
        self.client.record_singular(eid, GLib.Variant('s', 'before'))
        self.assertEqual(self.env.stop_daemon(), 0)
        with open(self.env.db_path, 'r+b') as f:
            f.seek(0)
            f.write(b'this is not a sqlite database' * 200)
        self.env.start_daemon()
        self.client.record_singular(eid, GLib.Variant('s', 'after'))
        self.assertEqual([payload_key(r[4]) for r in self.env.singulars(eid)], [('s', 'after')])
        self.assertEqual(self.env.integrity_check(), ['ok'])
        aside = [n for n in os.listdir(self.env.state_dir) if n != 'metrics.db' and
                 not n.startswith('metrics.db-')]
        self.assertTrue(aside, 'the unreadable store was not kept aside')


class SyncTierTest(RecorderTestCase):
    """The default durability tier (SyncIntervalMilliseconds=1000): an acknowledged event
    is synced into the database file itself, not only the write-ahead log in the kernel's
    cache, within the interval; a clean stop syncs whatever is left."""
    START_DAEMON = False
    EVENT = bytes.fromhex('5b7f0a9c1e2d4f3a8b6c9d0e1f2a3b4c')

    def rows_in_database_file(self):
        """Events in the database file alone: what a power loss would leave if the
        write-ahead log had not reached the disk. -1 while a copy is torn by a sync."""
        copy = os.path.join(self.env.root, 'database-file-alone.db')
        shutil.copyfile(self.env.db_path, copy)
        try:
            conn = sqlite3.connect(f'file:{copy}?immutable=1', uri=True)
            try:
                return conn.execute('SELECT COUNT(*) FROM singular').fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return -1
        finally:
            os.unlink(copy)

    def record(self, n):
        for i in range(n):
            self.client.record_singular(self.EVENT, GLib.Variant('u', i))
        self.assertEqual(len(self.env.singulars(self.EVENT)), n)

    def test_acknowledged_events_reach_the_database_file_within_the_interval(self):
        self.env.start_daemon()
        self.record(20)
        # Far fewer frames than SQLite's own checkpoint waits for (1000): only the
        # recorder's sync timer puts them there.
        self.wait_until(lambda: self.rows_in_database_file() == 20,
                        'the sync after the last acknowledged event')

    def test_a_clean_stop_syncs_what_is_left(self):
        self.env.write_recorder_conf(SyncIntervalMilliseconds=10000)
        self.env.start_daemon()
        self.record(5)
        self.assertEqual(self.rows_in_database_file(), 0, 'synced before the interval')
        self.assertEqual(self.env.stop_daemon(), 0)
        self.assertEqual(self.rows_in_database_file(), 5)


if __name__ == '__main__':
    unittest.main()
