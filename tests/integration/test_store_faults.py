# SPDX-License-Identifier: GPL-2.0-or-later
"""The store never destroys or loses acknowledged events on a fault.

A store that cannot be opened for a reason other than corruption (permissions, a lock, a
full disk, read-only WAL/SHM files) is left untouched: the recorder keeps running and
answering, refuses events with StorageFailure, says why in Control1.StoreState/StoreProblem,
and opens the store by itself once the cause is gone. A corrupt store is salvaged row by
row; a start that finds less than it should says so in the journal.

The tests run as root, which ignores file modes: where "the service user cannot read or
write" matters, the recorder runs as another uid through setpriv.
"""

import collections
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import unittest

from harness import (BUILD_DIR, CONTROL_IFACE, DAEMON, ERROR_PREFIX, OBJECT_PATH, GLib, Gio,
                     OTHER_UID, OpenWatch, RecorderTestCase, SERVER_IFACE, boottime_ns,
                     decode_payload)

METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
EVENT = bytes.fromhex('5f1e2d3c4b5a69788796a5b4c3d2e1f0')
SERVICE_GID = 60  # the group of OTHER_UID ('games')


class StoreFaultTestCase(RecorderTestCase):
    START_DAEMON = False

    # ------------------------------------------------------------ helpers
    def service_daemon(self):
        """A wrapper that runs the recorder as OTHER_UID, owner of the state directory."""
        wrapper = os.path.join(self.env.root, 'as-service-user')
        with open(wrapper, 'w') as f:
            f.write('#!/bin/sh\nexec setpriv --reuid=%d --regid=%d --clear-groups %s "$@"\n'
                    % (OTHER_UID, SERVICE_GID, DAEMON))
        os.chmod(wrapper, 0o755)
        os.chown(self.env.state_dir, OTHER_UID, SERVICE_GID)
        return wrapper

    def record(self, prefix, n):
        """Records n singular events with payloads '<prefix>-<i>', stamped now; all must be
        acknowledged."""
        now = boottime_ns()
        calls = [('RecordSingularEvent', 'uayxbv',
                  [0, EVENT, now, True, GLib.Variant('s', f'{prefix}-{i}')],
                  '/com/endlessm/Metrics', SERVER_IFACE) for i in range(n)]
        results = self.client.call_async_many(calls)
        errors = [e for _r, e in results if e]
        self.assertEqual(errors, [], 'events were refused while recording them')
        return {f'{prefix}-{i}' for i in range(n)}

    def stored_payloads(self):
        """Counter of the payload strings of the queued events (read with the daemon stopped)."""
        conn = sqlite3.connect(f'file:{self.env.db_path}?mode=ro', uri=True)
        try:
            rows = conn.execute('SELECT payload FROM singular WHERE event_id = ?',
                                (EVENT,)).fetchall()
        finally:
            conn.close()
        out = collections.Counter()
        for (blob,) in rows:
            v = decode_payload(blob)
            if v is not None and v.get_type_string() == 's':
                out[v.unpack()] += 1
        return out

    def assertEachStoredOnce(self, expected):
        stored = self.stored_payloads()
        missing = sorted(expected - set(stored))
        doubled = sorted(k for k, n in stored.items() if n > 1)
        self.assertEqual(missing, [], f'{len(missing)} acknowledged events lost')
        self.assertEqual(doubled, [], 'events stored more than once')

    def store_state(self):
        """(StoreState, StoreProblem); (None, None) from a recorder without them."""
        props = self.client.call('GetAll', 's', [CONTROL_IFACE],
                                 iface='org.freedesktop.DBus.Properties')[0]
        return props.get('StoreState'), props.get('StoreProblem')

    def assertUnavailable(self, *words):
        """The recorder runs, answers, refuses events with StorageFailure naming the problem."""
        self.assertTrue(self.env.daemon_alive(), 'recorder exited:\n' + self.env.daemon_log())
        e = self.assertDBusError(ERROR_PREFIX + 'StorageFailure', self.client.record_singular,
                                 EVENT, GLib.Variant('s', 'refused'))
        for w in words:
            self.assertIn(w, e.message)
        state, problem = self.store_state()
        self.assertEqual(state, 'unavailable', problem)
        for w in words:
            self.assertIn(w, problem)
        return problem

    def wait_available(self):
        self.wait_until(lambda: self.store_state()[0] != 'unavailable',
                        message='the store to open again')
        self.assertTrue(self.env.daemon_alive())

    def watch_store_changes(self):
        """The StoreState values announced by PropertiesChanged, as they arrive."""
        seen = []

        def on_signal(_conn, _sender, _path, _iface, _name, params):
            iface, changed, _invalidated = params.unpack()
            if iface == CONTROL_IFACE and 'StoreState' in changed:
                seen.append(changed['StoreState'])

        conn = self.client.conn
        sub = conn.signal_subscribe(None, 'org.freedesktop.DBus.Properties', 'PropertiesChanged',
                                    OBJECT_PATH, None, Gio.DBusSignalFlags.NONE, on_signal)
        self.addCleanup(conn.signal_unsubscribe, sub)
        return seen

    def pump(self):
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass

    def stop(self):
        self.assertEqual(self.env.stop_daemon(), 0, self.env.daemon_log())

    def file_bytes(self, *names):
        out = {}
        for n in names:
            p = os.path.join(self.env.state_dir, n)
            if os.path.exists(p):
                with open(p, 'rb') as f:
                    out[n] = f.read()
        return out

    def aside_files(self):
        return sorted(n for n in os.listdir(self.env.state_dir) if 'corrupt' in n)

    def metricsctl_status(self):
        p = subprocess.run([METRICSCTL, 'status'], capture_output=True, text=True, timeout=30)
        return p.stdout

    # ------------------------------------------------------------ 1a: unreadable database
    def test_unreadable_database_is_left_alone_and_opened_once_readable(self):
        daemon = self.service_daemon()
        self.env.start_daemon(daemon=daemon)
        before = self.record('pre', 200)
        self.stop()
        # A new boot after a time-line that ended far ahead: the late opening must anchor
        # this boot's time-line after it (the recorder's start runs when the store opens).
        far = boottime_ns() + 10**15
        conn = sqlite3.connect(self.env.db_path)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('line_at_stop', ?)",
                     (str(far),))
        conn.commit()
        conn.close()
        for n in os.listdir(self.env.state_dir):
            os.chown(os.path.join(self.env.state_dir, n), OTHER_UID, SERVICE_GID)
        with open(self.env.boot_id_file, 'w') as f:
            f.write('0f4e4f1e-5b2a-4bb6-9f6e-3d2c1b0a9f8e\n')
        os.chmod(self.env.db_path, 0o000)
        self.env.start_daemon(daemon=daemon)
        problem = self.assertUnavailable('chown')
        self.assertIn(f'uid {OTHER_UID}', problem)
        self.assertIn('Store: unavailable', self.metricsctl_status())
        self.assertEqual(self.aside_files(), [])
        announced = self.watch_store_changes()
        os.chmod(self.env.db_path, 0o600)
        self.wait_available()
        self.assertEqual(self.store_state(), ('ok', ''))
        self.wait_until(lambda: self.pump() or announced == ['ok'],
                        message='PropertiesChanged announcing StoreState ok')
        # The totals are those on disk.
        self.assertEqual(self.client.get_property('QueuedEvents', iface=CONTROL_IFACE), 200)
        after = self.record('post', 10)
        self.stop()
        self.assertEachStoredOnce(before | after)
        times = {}
        for _uid, _e, _os, relative_ns, payload, _size in self.env.singulars(EVENT):
            times[decode_payload(payload).unpack()] = relative_ns
        self.assertGreater(min(times[k] for k in after), far,
                           'events after the late opening are not on the persistent time-line')
        self.assertIn('available again', self.env.daemon_log())

    # ------------------------------------------------------------ 1b: a lock held elsewhere
    def test_locked_database_is_left_alone_and_opened_once_released(self):
        self.env.start_daemon()
        before = self.record('pre', 200)
        self.stop()
        untouched = self.file_bytes('metrics.db')
        holder = sqlite3.connect(self.env.db_path, isolation_level=None, timeout=0)
        # Exclusive locking mode: not even a reader gets in while the transaction lasts.
        holder.execute('PRAGMA locking_mode=EXCLUSIVE')
        holder.execute('BEGIN EXCLUSIVE')
        holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'by the test')")
        opens = OpenWatch(self.env.state_dir)
        self.addCleanup(opens.close)
        try:
            self.env.start_daemon()
            # The first attempt, before the recorder owns its name: this many opens.
            first = opens.count('metrics.db')
            self.assertGreater(first, 0, 'the recorder did not try to open its store')
            self.assertUnavailable('lock')
            self.assertEqual(self.aside_files(), [])
            # Retries are not logged one by one: one line for the problem, after two more
            # attempts like the first (the test's own read below is not counted yet).
            self.wait_until(lambda: opens.count('metrics.db') >= 3 * first,
                            message='two more attempts to open the store')
            self.assertEqual(self.env.daemon_log().count('store is unavailable'), 1,
                             self.env.daemon_log())
            self.assertEqual(self.file_bytes('metrics.db'), untouched)
        finally:
            holder.rollback()
            holder.close()
        self.wait_available()
        after = self.record('post', 10)
        self.stop()
        self.assertEachStoredOnce(before | after)

    # ------------------------------------------------------------ 1c: a full file system
    def test_full_file_system_is_left_alone_and_opened_once_space_is_free(self):
        mount = os.path.join(self.env.root, 'small')
        os.mkdir(mount)
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest('cannot mount a tmpfs here: ' + r.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', '-l', mount])
        state = os.path.join(mount, 'state')
        os.mkdir(state)
        self.env.state_dir = state
        self.env.start_daemon()
        before = self.record('pre', 300)
        # A crash: the WAL holds the committed events, then the index goes and the disk fills.
        self.env.stop_daemon(signal.SIGKILL)
        os.remove(os.path.join(state, 'metrics.db-shm'))
        filler = os.path.join(mount, 'filler')
        # Unbuffered: a write that does not fit raises here, never later in close().
        with open(filler, 'wb', buffering=0) as f:
            try:
                while True:
                    f.write(b'\0' * 65536)
                    f.flush()
            except OSError:
                pass
        self.env.start_daemon()
        self.assertUnavailable('full')
        self.assertEqual(self.aside_files(), [])
        os.remove(filler)
        self.wait_available()
        after = self.record('post', 10)
        self.stop()
        self.assertEachStoredOnce(before | after)

    # ------------------------------------------------------------ 3: root-owned WAL and SHM
    def test_wal_and_shm_left_by_root_are_worked_around(self):
        daemon = self.service_daemon()
        self.env.start_daemon(daemon=daemon)
        before = self.record('pre', 200)
        self.env.stop_daemon(signal.SIGKILL)
        wal = self.env.db_path + '-wal'
        shm = self.env.db_path + '-shm'
        self.assertTrue(os.path.getsize(wal) > 0)
        for p in (wal, shm):
            os.chown(p, 0, 0)
            os.chmod(p, 0o644)
        self.env.start_daemon(daemon=daemon)
        self.wait_available()
        after = self.record('post', 10)
        self.stop()
        self.assertEachStoredOnce(before | after)
        self.assertIn('metrics.db-wal', self.env.daemon_log())

    # ------------------------------------------------------------ 2: partial corruption
    def test_garbled_pages_keep_every_readable_row(self):
        self.env.start_daemon()
        before = self.record('pre', 3000)
        self.stop()
        size = os.path.getsize(self.env.db_path)
        pages = size // 4096
        rng = random.Random(7)
        damaged = rng.sample(range(3, pages + 1), 4)
        with open(self.env.db_path, 'r+b') as f:
            for page in damaged:
                f.seek((page - 1) * 4096)
                f.write(rng.randbytes(4096))
        # What a plain SELECT by id can still read, on a copy.
        copy = os.path.join(self.env.root, 'copy.db')
        shutil.copy(self.env.db_path, copy)
        readable = set()
        conn = sqlite3.connect(copy)
        for i in range(1, 3001):
            try:
                row = conn.execute('SELECT payload FROM singular WHERE id = ?', (i,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row:
                v = decode_payload(row[0])
                if v is not None and v.get_type_string() == 's' and v.unpack() in before:
                    readable.add(v.unpack())
        conn.close()
        self.assertLess(len(readable), 3000, f'pages {damaged} did not damage any event')

        self.env.start_daemon()
        state, problem = self.store_state()
        self.stop()
        stored = self.stored_payloads()
        self.assertEqual(len(readable - set(stored)), 0,
                         f'{len(readable - set(stored))} of {len(readable)} readable events lost')
        self.assertEqual([k for k, n in stored.items() if n > 1], [])
        self.assertEqual(state, 'recovered', problem)
        self.assertIn('saved', problem)
        log = self.env.daemon_log()
        self.assertIn('rows saved', log)
        self.assertIn('singular:', log)
        self.assertTrue(any(n.startswith('metrics.db.corrupt-') and not n.endswith('-wal')
                            for n in self.aside_files()), self.aside_files())

    # ------------------------------------------------------------ no silent loss
    def crash_with_events_in_wal(self, n=100):
        self.env.start_daemon()
        before = self.record('pre', n)
        self.env.stop_daemon(signal.SIGKILL)
        wal = self.env.db_path + '-wal'
        self.assertGreater(os.path.getsize(wal), 0)
        return before, wal

    def test_empty_database_beside_a_wal_is_reported(self):
        before, wal = self.crash_with_events_in_wal()
        wal_size = os.path.getsize(wal)
        os.truncate(self.env.db_path, 0)
        self.env.start_daemon()
        self.assertTrue(self.env.daemon_alive())
        log = self.env.daemon_log()
        self.assertIn('was empty or missing beside a WAL of %d bytes' % wal_size, log)
        self.assertIn('-wal', log)
        self.assertTrue(any(n.endswith('-wal') for n in self.aside_files()), self.aside_files())
        self.stop()

    def test_garbled_wal_header_is_reported(self):
        before, wal = self.crash_with_events_in_wal()
        wal_size = os.path.getsize(wal)
        with open(wal, 'r+b') as f:
            f.write(b'\xff' * 32)
        self.env.start_daemon()
        log = self.env.daemon_log()
        self.assertIn('WAL of %d bytes (garbled header' % wal_size, log)
        self.assertEqual(self.store_state()[0], 'recovered')
        self.assertTrue(any(n.endswith('-wal') for n in self.aside_files()), self.aside_files())
        self.stop()

    def test_wal_garbled_mid_file_is_reported(self):
        before, wal = self.crash_with_events_in_wal(300)
        wal_size = os.path.getsize(wal)
        with open(wal, 'r+b') as f:
            f.seek(wal_size // 2)
            f.write(random.Random(3).randbytes(8192))
        self.env.start_daemon()
        log = self.env.daemon_log()
        self.assertIn('WAL of %d bytes' % wal_size, log)
        self.assertIn('damaged', log)
        self.stop()


if __name__ == '__main__':
    unittest.main()
