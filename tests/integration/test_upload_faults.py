# SPDX-License-Identifier: GPL-2.0-or-later
"""Uploads never lose, never duplicate, never silently drop: a wrong destination pauses
with every event kept, a 413 splits the batch, refused batches are set aside where
metricsctl shows them and puts them back, a full disk never makes the recorder send an
acknowledged batch twice, and counts leave summed over the machine's users."""

import errno
import json
import os
import sqlite3
import subprocess
import unittest

from gi.repository import GLib

from harness import BUILD_DIR, OS_VERSION, DBusCallError, random_event_id, today
from uploads import CONTROL_IFACE, UploadTestCase

ERR = 'com.endlessm.Metrics.Error.'
METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
REQUEUE_ACTION = 'com.endlessm.Metrics.RequeueSetAside'


class FaultTestCase(UploadTestCase):

    def metricsctl(self, *args):
        return subprocess.run([METRICSCTL, *args], capture_output=True, text=True, timeout=300,
                              env=dict(os.environ, LC_ALL='C.UTF-8'))

    def set_aside_rows(self):
        return self.env.query('SELECT id, reason, singular_events, aggregate_events '
                              'FROM set_aside ORDER BY id')

    def outcomes(self):
        return [row[0] for row in self.ledger()]


class DestinationWrongTest(FaultTestCase):
    """401, 403, 404, 405, 410, 421: the URL is wrong, not the batch."""

    def test_wrong_url_pauses_uploading_and_keeps_every_event(self):
        # A path prefix the stock server does not serve: it answers 405, as the collector.
        wrong = f'https://127.0.0.1:{self.collector.port}/wrong/${{environment}}/'
        self.grant(url=wrong)
        self.start(UploadMaxRequestBytes=16384)
        markers = self.record_marked(600)
        for status in (405, 404, 401):
            with self.subTest(status=status):
                # 404 and 401 as a front server would answer for that path.
                self.collector.set_rules(
                    path_status=[('/wrong/', status)] if status != 405 else [])
                err = self.upload_error()
                self.assertEqual(err.name, ERR + 'UploadDestinationWrong', err.message)
                self.assertIn(f'HTTP {status}', err.message)
                self.assertIn('metricsctl set-server-url', err.message)
                # Nothing lost, nothing set aside: the session ended at the first answer.
                self.assertEqual(self.queued(), 600)
                self.assertEqual(self.set_aside_rows(), [])
                self.assertEqual(self.outcomes()[-1], 'Pause')
                self.assertEqual(self.control('LastUploadResult'), ERR + 'UploadDestinationWrong')
        self.assertEqual(self.outcomes(), ['Pause'] * 3)
        self.assertEqual(self.collector.rows(), [])

        r = self.metricsctl('upload')
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn('UploadDestinationWrong', r.stderr)
        self.assertIn('Every event stays queued', r.stderr)
        self.assertNotIn('retries on its own schedule', r.stderr)

        # The URL fixed: every event arrives, once.
        self.grant()
        self.wait_for(lambda: self.control('ServerUrl') == self.server_url, what='the new URL')
        events, requests = self.upload()
        self.assertEqual(events, 600)
        self.assertGreater(requests, 1)
        self.assert_exactly_once(markers)
        self.assertEqual(self.queued(), 0)

    def test_each_destination_status_pauses(self):
        self.start()
        markers = self.record_marked(5)
        for status in (401, 403, 404, 405, 410, 421):
            with self.subTest(status=status):
                self.collector.set_faults([{'status': status}])
                self.assertEqual(self.upload_error().name, ERR + 'UploadDestinationWrong')
                self.assertEqual(self.queued(), 5)
        self.assertEqual(self.set_aside_rows(), [])
        self.assertEqual(self.upload(), (5, 1))
        self.assert_exactly_once(markers)


class TooLargeTest(FaultTestCase):

    def test_413_sends_the_halves(self):
        self.start()
        markers = self.record_marked(200)
        self.collector.set_faults([{'status': 413}])
        events, requests = self.upload()
        self.assertEqual((events, requests), (200, 2))
        self.assertEqual(self.outcomes(), ['Split', 'Success', 'Success'])
        self.assertEqual([r['singular_count'] for r in self.collector.rows()], [100, 100])
        self.assert_exactly_once(markers)
        self.assertEqual(self.set_aside_rows(), [])

    def test_413_down_to_one_event_then_set_aside(self):
        self.start()
        self.record_marked(4)
        self.collector.set_rules(max_body_bytes=1)  # nothing passes
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadRejected', err.message)
        # 4 → 2 + 2 → four single events, each refused.
        self.assertEqual(self.outcomes().count('Split'), 3)
        self.assertEqual(self.outcomes().count('SetAside'), 4)
        rows = self.set_aside_rows()
        self.assertEqual([r[2] for r in rows], [1, 1, 1, 1])
        for r in rows:
            self.assertIn('413', r[1])
            self.assertIn('single event', r[1])
        self.assertEqual(self.queued(), 0)


class SetAsideTest(FaultTestCase):

    def test_set_aside_batches_are_listed_shown_requeued_and_delivered(self):
        self.start()
        markers = self.record_marked(50)
        self.collector.set_faults([{'status': 400}])
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadRejected', err.message)
        self.assertIn('metricsctl set-aside', err.message)
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.control('SetAsideEvents'), 50)
        self.assertEqual(self.control('QueuedEvents'), 0)

        status = json.loads(self.metricsctl('status', '--json').stdout)
        self.assertEqual(status['set_aside_events'], 50)
        self.assertIn('50 events set aside', self.metricsctl('status').stdout)
        queue = self.metricsctl('queue')
        self.assertEqual(queue.stdout, 'Nothing is waiting to be sent.\n'
                         '50 events set aside, not uploaded (metricsctl set-aside list)\n')
        self.assertEqual(json.loads(self.metricsctl('queue', '--json').stdout)['set_aside_events'],
                         50)

        listed = self.metricsctl('set-aside', 'list', '--json')
        self.assertEqual(listed.returncode, 0, listed.stderr)
        batches = json.loads(listed.stdout)['set_aside']
        self.assertEqual(len(batches), 1)
        batch = batches[0]
        self.assertEqual((batch['singular_events'], batch['aggregate_events']), (50, 0))
        self.assertIn('HTTP 400', batch['reason'])
        self.assertTrue(batch['requeueable'])
        text = self.metricsctl('set-aside', 'list')
        self.assertIn('50 events', text.stdout)
        self.assertIn('HTTP 400', text.stdout)

        shown = self.metricsctl('set-aside', 'show', str(batch['id']), '--json')
        self.assertEqual(shown.returncode, 0, shown.stderr)
        request = json.loads(shown.stdout)['request']
        self.assertEqual({e['payload'] for e in request['singulars']}, markers)
        raw = subprocess.run([METRICSCTL, 'set-aside', 'show', str(batch['id']), '--raw'],
                             capture_output=True, timeout=60)
        self.assertEqual(raw.returncode, 0)
        self.assertEqual(bytes(self.env.query('SELECT body FROM set_aside')[0][0]), raw.stdout)

        # Re-queueing changes what is sent: an administrator's decision.
        self.env.set_allowed([])
        denied = self.metricsctl('set-aside', 'requeue', str(batch['id']))
        self.assertEqual(denied.returncode, 4, denied.stderr)
        self.assertEqual(self.queued(), 0)
        self.env.set_allowed([REQUEUE_ACTION])
        missing = self.metricsctl('set-aside', 'requeue', str(batch['id'] + 1))
        self.assertEqual(missing.returncode, 1)
        self.assertIn('NoSuchSetAside', missing.stderr)
        requeued = self.metricsctl('set-aside', 'requeue', str(batch['id']))
        self.assertEqual(requeued.returncode, 0, requeued.stderr)
        self.assertIn('50 events back in the queue', requeued.stdout)
        self.assertEqual(self.queued(), 50)
        self.assertEqual(self.control('SetAsideEvents'), 0)

        self.assertEqual(self.upload(), (50, 1))
        self.assert_exactly_once(markers)
        self.assertEqual(self.metricsctl('set-aside', 'list').stdout, 'No batch is set aside.\n')

    def test_requeue_all(self):
        self.start(UploadMaxRequestBytes=16384)
        markers = self.record_marked(400)
        self.collector.set_faults([{'status': 422}, {'status': 400}])
        self.upload_error()
        self.assertEqual(len(self.set_aside_rows()), 2)
        self.env.set_allowed([REQUEUE_ACTION])
        r = self.metricsctl('set-aside', 'requeue', '--all', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        moved = json.loads(r.stdout)['requeued_events']
        self.assertEqual(self.set_aside_rows(), [])
        self.assertEqual(self.queued(), moved)
        self.upload()
        self.assert_exactly_once(markers)


class BrokenAnswersTest(FaultTestCase):

    def test_a_response_that_is_not_http_is_a_server_error(self):
        self.start()
        markers = self.record_marked(3)
        for fault in ({'garbage': True}, {'malformed': True}):
            with self.subTest(fault=fault):
                self.collector.set_faults([fault] * 3)
                err = self.upload_error()
                self.assertEqual(err.name, ERR + 'UploadServerError', err.message)
                self.assertEqual(self.queued(), 3)
        self.collector.set_faults([])
        self.assertEqual(self.upload(), (3, 1))
        self.assert_exactly_once(markers)

    def test_nothing_counts_as_sent_when_nothing_connected(self):
        import socket
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        self.grant(url=f'https://127.0.0.1:{port}/')
        self.start()
        self.record_marked(20)
        self.assertEqual(self.upload_error().name, ERR + 'UploadConnectionFailed')
        sizes = self.env.query('SELECT outcome, compressed_size, uncompressed_size FROM ledger')
        self.assertTrue(sizes)
        for outcome, sent, uncompressed in sizes:
            self.assertEqual((outcome, sent), ('Retry', 0))
            self.assertGreater(uncompressed, 0)
        # A request that reached the server counts its bytes.
        self.grant()
        self.wait_for(lambda: self.control('ServerUrl') == self.server_url, what='the new URL')
        self.upload()
        sent = self.env.query("SELECT compressed_size FROM ledger WHERE outcome = 'Success'")
        self.assertEqual(sent, [(self.collector.rows()[0]['compressed_size'],)])


class SummedCountsTest(FaultTestCase):
    """Privacy: the server does not learn how many accounts the machine has."""

    def test_four_users_counts_leave_as_one_row_with_their_sum(self):
        self.start()
        self.env.stop_daemon()
        event_id = random_event_id()
        blob = GLib.Variant('v', GLib.Variant('s', 'same')).get_data_as_bytes().get_data()
        day = '2024-03-14'
        conn = sqlite3.connect(self.env.db_path)
        # As the roll-over queues them: one row per uid.
        for uid, count in ((1000, 1), (1001, 2), (1002, 3), (1003, 4)):
            conn.execute('INSERT INTO aggregate (uid, event_id, os_version, period, count, '
                         'payload, size) VALUES (?, ?, ?, ?, ?, ?, 64)',
                         (uid, event_id, OS_VERSION, day, count, blob))
        conn.commit()
        conn.close()
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})

        # Locally each uid keeps its own count.
        q = self.metricsctl('queue', '--json')
        self.assertEqual(q.returncode, 0, q.stderr)
        local = sorted((e['uid'], e['count']) for e in json.loads(q.stdout)['events']
                       if e['kind'] == 'aggregate')
        self.assertEqual(local, [(1000, 1), (1001, 2), (1002, 3), (1003, 4)])

        self.assertEqual(self.upload(), (4, 1))
        request = json.loads(self.collector.rows()[0]['request_json'])
        self.assertEqual(len(request['aggregates']), 1)
        self.assertEqual(request['aggregates'][0]['count'], 10)
        self.assertEqual(request['aggregates'][0]['period'], day)
        self.assertEqual(self.queued(), 0)


@unittest.skipUnless(os.geteuid() == 0, 'mounts a tmpfs (needs root)')
class DiskFullTest(FaultTestCase):
    """A full disk: the server's 2xx arrives, the delete fails (SQLITE_FULL)."""

    def mount_small_state_dir(self):
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=24m,mode=0755', 'tmpfs',
                        self.env.state_dir], check=True)
        self.addCleanup(self.unmount)

    def unmount(self):
        self.remove_filler()
        if self.env.daemon_alive():
            self.env.kill_daemon()
        subprocess.run(['umount', '-l', self.env.state_dir], check=False)

    @property
    def filler(self):
        return os.path.join(self.env.state_dir, 'filler')

    def fill(self):
        """Writes a filler file until not one byte more fits."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (1 << 20, 65536, 4096, 512, 1):
                chunk = b'\0' * size
                while True:
                    try:
                        if os.write(fd, chunk) < size:
                            break
                    except OSError as e:
                        self.assertEqual(e.errno, errno.ENOSPC)
                        break
        finally:
            os.close(fd)

    def remove_filler(self):
        try:
            os.remove(self.filler)
        except FileNotFoundError:
            pass

    def test_an_acknowledged_batch_is_never_sent_again(self):
        self.mount_small_state_dir()
        self.start(UploadMaxRequestBytes=16384)
        markers = self.record_marked(700)
        self.fill()
        errors = []
        for _ in range(12):  # 12 slots with the disk full
            try:
                self.upload()
            except DBusCallError as e:
                errors.append(e)
            got = self.received_markers()
            self.assertEqual(len(got), len(set(got)), 'an event arrived twice')
        self.assertGreater(len(self.collector.rows()), 1)
        self.assertTrue(errors, 'the disk never filled up')
        # Each slot says why the queue does not shrink.
        self.assertEqual(len(errors), 12, [(e.name, e.message) for e in errors])
        self.assertTrue(any(e.name == ERR + 'StorageFailure' for e in errors),
                        [(e.name, e.message) for e in errors])
        self.assertIn('not sent again', [e.message for e in errors
                                         if e.name == ERR + 'StorageFailure'][0])
        self.assertGreater(self.queued(), 0, 'the acknowledged rows wait for their delete')

        self.remove_filler()
        self.upload()
        self.assert_exactly_once(markers)
        self.assertEqual(self.queued(), 0)
        # Every request that was sent is in the ledger (those that could not be written at
        # the time were kept and written late).
        accepted = self.env.query("SELECT COUNT(*) FROM ledger WHERE outcome = 'Success'")[0][0]
        self.assertEqual(accepted, len(self.collector.rows()))


if __name__ == '__main__':
    unittest.main()
