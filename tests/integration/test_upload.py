# SPDX-License-Identifier: GPL-2.0-or-later
"""Uploads to the local collector: bodies, the fault matrix, exactly-once delivery."""

import array
import fcntl
import os
import random
import shutil
import signal
import sqlite3
import stat
import string
import subprocess
import tempfile
import termios
import threading
import time
import unittest

from gi.repository import GLib

from harness import (BUS_NAME, DAEMON, OBJECT_PATH, OS_VERSION, SERVER_IFACE, DBusCallError,
                     boottime_ns, random_event_id)
from uploads import Collector, UploadTestCase
from test_collector import MAKE_CERT, read_vector  # noqa: E402 (path set by uploads)

ERR = 'com.endlessm.Metrics.Error.'


class VectorUploadTest(UploadTestCase):
    """The daemon's bodies for the vector contents equal the reference client's."""

    def setUp(self):
        super().setUp()
        with open(self.env.os_release, 'w') as f:
            f.write('NAME="Debian GNU/Linux"\nID=debian\nVERSION="12 (bookworm)"\n')

    def test_singulars_vector(self):
        body, _gz, text = read_vector('v3-singulars')
        request = GLib.Variant.parse(GLib.VariantType('(xxsa{ss}ya(aysxmv)a(ayssumv))'), text)
        # Exact stamping, as the reference client: the event timestamps go out verbatim.
        self.start(TimestampGranularitySeconds=0)
        singulars = request.get_child_value(5)
        for i in range(singulars.n_children()):
            e = singulars.get_child_value(i)
            payload = e.get_child_value(3).get_maybe()
            self.client.call('RecordSingularEvent', 'uayxbv',
                             (0, bytes(e.get_child_value(0).unpack()), e.get_child_value(2).unpack(),
                              payload is not None,
                              payload.get_variant() if payload is not None else GLib.Variant('b', False)))
        self.assertEqual(self.upload(), (5, 1))
        rows = self.collector.rows()
        self.assertEqual(len(rows), 1)
        sent = bytes(rows[0]['body'])
        # Fields 1 and 2 (the request's own timestamps, 16 bytes) differ; nothing else.
        self.assertEqual(len(sent), len(body))
        self.assertEqual(sent[16:], body[16:])
        line = self.collector.next_line()
        self.assertEqual(line['singular_count'], 5)
        self.assertEqual([e['relative_timestamp'] for e in line['request']['singulars']],
                         [5000000000, 6000000000, 7000000000, 8000000000, 9000000000])

    def test_aggregates_vector(self):
        body, _gz, text = read_vector('v3-aggregates')
        request = GLib.Variant.parse(GLib.VariantType('(xxsa{ss}ya(aysxmv)a(ayssumv))'), text)
        # Past days' and months' counts as the roll-over queues them, written while the
        # daemon is down (the test cannot move the calendar of a running daemon).
        self.start()
        self.env.stop_daemon()
        conn = sqlite3.connect(self.env.db_path)
        aggregates = request.get_child_value(6)
        for i in range(aggregates.n_children()):
            e = aggregates.get_child_value(i)
            payload = e.get_child_value(4).get_maybe()
            blob = b'' if payload is None else payload.get_data_as_bytes().get_data()
            conn.execute('INSERT INTO aggregate (uid, event_id, os_version, period, count, payload, '
                         'size) VALUES (0, ?, ?, ?, ?, ?, 64)',
                         (bytes(e.get_child_value(0).unpack()), e.get_child_value(1).get_string(),
                          e.get_child_value(2).get_string(), e.get_child_value(3).get_uint32(), blob))
        conn.commit()
        conn.close()
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})
        self.assertEqual(self.upload(), (4, 1))
        sent = bytes(self.collector.rows()[0]['body'])
        self.assertEqual(len(sent), len(body))
        self.assertEqual(sent[16:], body[16:])

    def test_coarsened_by_default(self):
        self.start()
        self.record_marked(3)
        self.upload()
        request = self.collector.next_line()['request']
        # Re-based on the wall clock: field 1 = field 2, events at whole hours, none later
        # than the request.
        self.assertEqual(request['relative_timestamp'], request['absolute_timestamp'])
        hour = 3600 * 10**9
        for e in request['singulars']:
            self.assertEqual(e['relative_timestamp'] % hour, 0)
            self.assertLessEqual(e['relative_timestamp'], request['absolute_timestamp'])
            self.assertGreater(e['relative_timestamp'], request['absolute_timestamp'] - 2 * hour)
            self.assertEqual(e['os_version'], '12 (bookworm)')


class FaultMatrixTest(UploadTestCase):
    """Each fault once: the forced upload retries and everything arrives exactly once."""

    TRANSIENT = [
        ({'status': 500}, 500),
        ({'status': 503, 'retry_after': 1}, 503),
        ({'status': 429}, 429),
        ({'status': 408}, 408),
        ({'close': True}, 0),
        ({'malformed': True}, 0),
        ({'hang': True}, 0),  # answered by the client's timeout
    ]

    def test_transient_faults_are_retried(self):
        self.start(UploadRequestTimeoutSeconds=2)
        markers = set()
        for n, (fault, status) in enumerate(self.TRANSIENT):
            with self.subTest(fault=fault):
                markers |= self.record_marked(20, start=100 * n)
                self.collector.set_faults([fault])
                self.assertEqual(self.upload(), (20, 1))
                ledger = self.ledger()[-2:]
                self.assertEqual([r[0] for r in ledger], ['Retry', 'Success'])
                self.assertEqual(ledger[0][1], status)
                # The same batch, stamped anew for the second attempt.
                self.assertEqual(ledger[0][3], ledger[1][3])
                self.assertNotEqual(ledger[0][5], ledger[1][5])
                self.assertEqual(self.queued(), 0)
        self.assert_exactly_once(markers)
        # 503's Retry-After: 1 was honoured.
        log = self.env.query('SELECT outcome, http_status, time_ns FROM ledger ORDER BY id')
        i = [r[1] for r in log].index(503)
        self.assertGreaterEqual(log[i + 1][2] - log[i][2], 10**9)

    def test_persistent_failures_give_named_errors_and_keep_the_queue(self):
        self.start(UploadRequestTimeoutSeconds=2)
        markers = self.record_marked(30)
        cases = [
            ([{'status': 500}] * 3, 'UploadServerError'),
            ([{'status': 429}] * 3, 'UploadServerError'),
            ([{'close': True}] * 3, 'UploadConnectionFailed'),
            ([{'hang': True}] * 3, 'UploadTimeout'),
        ]
        for faults, name in cases:
            with self.subTest(error=name):
                self.collector.set_faults(faults)
                # The recorder's own error, before the bus gives up on the call after 60 s
                # (that would be org.freedesktop.DBus.Error.NoReply).
                err = self.upload_error(timeout_ms=60000)
                self.assertEqual(err.name, ERR + name, err.message)
                self.assertEqual(self.queued(), 30)
                self.assertEqual(self.control('LastUploadResult'), ERR + name)
                self.assertEqual(self.control('UploadState'), 'retrying')
        self.collector.set_faults([])
        self.assertEqual(self.upload(), (30, 1))
        self.assert_exactly_once(markers)

    def test_long_retry_after_ends_a_forced_upload_and_delays_the_schedule(self):
        self.start()
        self.record_marked(5)
        self.collector.set_faults([{'status': 503, 'retry_after': 600}])
        before = time.time()
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadServerError')
        self.assertGreaterEqual(self.control('NextUploadTime'), int(before) + 600 - 2)

    def test_rejected_batch_is_set_aside_and_does_not_block(self):
        self.start(UploadMaxRequestBytes=16384)
        # (401, 403, 404, 405, 410, 421 pause instead, and 413 splits: test_upload_faults.)
        for n, status in enumerate((400, 422)):
            with self.subTest(status=status):
                self.record_marked(400, start=1000 * n)
                self.collector.set_faults([{'status': status}])
                err = self.upload_error()
                self.assertEqual(err.name, ERR + 'UploadRejected', err.message)
                self.assertIn(str(status), err.message)
                self.assertEqual(self.queued(), 0)
        set_aside = self.env.query('SELECT reason, singular_events FROM set_aside')
        self.assertEqual(len(set_aside), 2)
        self.assertEqual([r[0] for r in self.ledger()].count('SetAside'), 2)
        # Every event arrived once, except the two refused batches.
        got = self.received_markers()
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(len(got) + sum(r[1] for r in set_aside), 800)

    def test_tls_failure(self):
        other_ca = os.path.join(self.env.root, 'other-ca')
        import subprocess
        subprocess.run([MAKE_CERT, other_ca], check=True, capture_output=True)
        self.start(TrustFile=os.path.join(other_ca, 'ca.pem'))
        self.record_marked(3)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadTlsFailure', err.message)
        self.assertEqual(self.collector.stats()['accepted'], 0)
        self.assertEqual(self.queued(), 3)

    def test_system_trust_store_does_not_trust_the_test_ca(self):
        self.recorder_conf.pop('TrustFile')
        self.start()
        self.record_marked(1)
        self.assertEqual(self.upload_error().name, ERR + 'UploadTlsFailure')

    def test_dns_failure(self):
        # The name must never reach the machine's resolver: the recorder (and the upload
        # helper it starts) run in a network namespace of their own, with a resolver file
        # naming a server that is not there and an nsswitch.conf without other sources.
        probe = subprocess.run(['unshare', '-n', '-m', 'true'], capture_output=True, text=True)
        if probe.returncode != 0:
            self.skipTest('cannot make a network namespace here: ' + probe.stderr.strip())
        netns = os.path.join(self.env.root, 'netns')
        os.mkdir(netns)
        with open(os.path.join(netns, 'resolv.conf'), 'w') as f:
            f.write('nameserver 127.0.0.1\noptions timeout:1 attempts:1\n')
        with open(os.path.join(netns, 'nsswitch.conf'), 'w') as f:
            f.write('hosts: files dns\n')
        wrapper = os.path.join(netns, 'eos-metrics-event-recorder')
        with open(wrapper, 'w') as f:
            f.write('#!/bin/sh\n'
                    f'exec unshare -n -m sh -c \'mount --bind {netns}/resolv.conf /etc/resolv.conf'
                    f' && mount --bind {netns}/nsswitch.conf /etc/nsswitch.conf'
                    f' && exec "$0" "$@"\' {DAEMON} "$@"\n')
        os.chmod(wrapper, 0o755)
        self.grant(url='https://metrics-collector.invalid/')
        self.start(daemon=wrapper)
        self.record_marked(2)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadDnsFailure', err.message)
        self.assertEqual(self.queued(), 2)

    def test_connection_refused(self):
        import socket
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        self.grant(url=f'https://127.0.0.1:{port}/')
        self.start()
        self.record_marked(2)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadConnectionFailed', err.message)

    def test_unreadable_trust_file_is_a_configuration_error(self):
        self.start(TrustFile='/nonexistent/ca.pem')
        self.record_marked(1)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadConfigurationInvalid', err.message)
        self.assertIn('/nonexistent/ca.pem', err.message)
        self.assertEqual(self.collector.stats()['connections'], 1)  # our own stats call


class TransportTest(UploadTestCase):
    """Proxies, and what may be spoken without TLS."""

    def check_proxy(self, proxy, host):
        self.addCleanup(proxy.close)
        self.grant(url=f'https://{host}:{self.collector.port}/')
        self.start(ProxyUrl=f'{proxy.url_scheme}://127.0.0.1:{proxy.port}')
        markers = self.record_marked(9)
        self.assertEqual(self.upload(), (9, 1))
        self.assert_exactly_once(markers)
        return proxy.requests

    def test_http_connect_proxy(self):
        from proxies import HttpConnectProxy
        requests = self.check_proxy(HttpConnectProxy(), '127.0.0.1')
        self.assertEqual(requests, [('127.0.0.1', self.collector.port)])

    def test_socks5_proxy_resolves_the_name(self):
        from proxies import Socks5Proxy
        # The name reaches the proxy unresolved (as Tor needs: no DNS query leaves here).
        requests = self.check_proxy(Socks5Proxy(), 'localhost')
        self.assertEqual(requests, [('localhost', self.collector.port)])

    def test_proxy_down_is_a_network_failure(self):
        import socket
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        self.start(ProxyUrl=f'http://127.0.0.1:{port}')
        self.record_marked(1)
        err = self.upload_error()
        self.assertIn(err.name, (ERR + 'UploadConnectionFailed', ERR + 'UploadNetworkFailure'),
                      err.message)
        self.assertEqual(self.queued(), 1)

    def test_plain_http_only_to_loopback(self):
        self.grant(url='http://metrics.example.org/')
        self.start()
        self.record_marked(1)
        self.assertEqual(self.control('UploadState'), 'paused')
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'InvalidServerUrl')
        self.assertIn('http://', err.message)
        self.assertEqual(self.control('ServerUrl'), '')

    def test_plain_http_to_loopback(self):
        plain = Collector(self, plain_http=True)
        self.grant(url=f'http://127.0.0.1:{plain.port}/')
        self.start()
        self.record_marked(2)
        self.assertEqual(self.upload(), (2, 1))
        self.assertEqual(len(plain.rows()), 1)


class DeliveryTest(UploadTestCase):

    def test_crash_between_acknowledgement_and_delete_resends_one_batch_at_most(self):
        self.start(UploadRequestTimeoutSeconds=20, UploadMaxRequestBytes=16384)
        markers = self.record_marked(600)
        # The first request is answered 2xx only after 3 s; the daemon dies meanwhile, so
        # the server stores a batch the daemon never saw acknowledged.
        self.collector.set_faults([{'delay_ms': 3000}])
        caller = threading.Thread(target=lambda: self._swallow(self.upload), daemon=True)
        caller.start()
        self.wait_for(lambda: self.collector.stats()['delayed'] == 1, what='the delayed request')
        self.env.kill_daemon()
        self.wait_for(lambda: self.collector.stats()['accepted'] == 1, what='the late store')
        caller.join(30)
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})
        self.upload()
        got = self.received_markers()
        self.assertEqual(set(got), markers)
        duplicates = len(got) - len(set(got))
        first_batch = self.collector.rows()[0]['singular_count']
        self.assertLessEqual(duplicates, first_batch)
        self.assertGreater(duplicates, 0)

    @staticmethod
    def _swallow(f):
        try:
            f()
        except DBusCallError:
            pass

    def test_backlog_of_100000_events(self):
        cap = 262144  # the default UploadMaxRequestBytes
        self.start()
        self.env.stop_daemon()
        event_id = random_event_id()
        conn = sqlite3.connect(self.env.db_path)
        rows = []
        for i in range(100000):
            blob = GLib.Variant('v', GLib.Variant('s', f'm{i}')).get_data_as_bytes().get_data()
            rows.append((event_id, OS_VERSION, i * 10**6, blob))
        conn.executemany('INSERT INTO singular (uid, event_id, os_version, relative_ns, payload, '
                         'size) VALUES (1000, ?, ?, ?, ?, 80)', rows)
        conn.commit()
        conn.close()
        self.env.start_daemon(env={'GIO_USE_NETWORK_MONITOR': 'networkmanager'})
        events, requests = self.upload()
        self.assertEqual(events, 100000)
        stored = self.collector.rows()
        self.assertEqual(len(stored), requests)
        self.assertGreater(requests, 5)
        for row in stored:
            self.assertLessEqual(row['uncompressed_size'], cap)
            self.assertLessEqual(row['compressed_size'], 1 << 20)
        self.assert_exactly_once({f"'m{i}'" for i in range(100000)})
        self.assertEqual(self.queued(), 0)
        self.assertEqual(self.control('QueuedEvents'), 0)

    def test_events_recorded_during_an_upload_wait_for_the_next(self):
        self.start(UploadMaxRequestBytes=16384)
        first = self.record_marked(300)
        self.collector.set_faults([{'delay_ms': 1500}])
        result = {}
        caller = threading.Thread(target=lambda: result.update(r=self.upload()), daemon=True)
        caller.start()
        self.wait_for(lambda: self.collector.stats()['delayed'] == 1, what='the delayed request')
        later = self.record_marked(50, start=5000)
        caller.join(60)
        self.assertEqual(result['r'][0], 300)
        self.assertEqual(self.queued(), 50)
        self.assertEqual(self.upload()[0], 50)
        self.assert_exactly_once(first | later)

    def test_concurrent_callers_share_an_upload(self):
        self.start()
        self.record_marked(10)
        self.collector.set_faults([{'delay_ms': 1000}])
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.env.connect().call_raw(
            'Upload', None, iface='com.endlessm.Metrics.Control1', timeout_ms=60000)))
            for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(sorted(results), [(10, 1)] * 3)
        self.assertEqual(self.collector.stats()['accepted'], 1)

    def test_upload_events_compat_method(self):
        self.start()
        markers = self.record_marked(7)
        self.assertEqual(self.client.call('UploadEvents'), ())
        self.assert_exactly_once(markers)
        self.collector.set_faults([{'status': 500}] * 3)
        self.record_marked(1, start=100)
        with self.assertRaises(DBusCallError) as cm:
            self.client.call('UploadEvents', timeout_ms=60000)
        self.assertEqual(cm.exception.name, ERR + 'UploadServerError')
        self.assertIn('500', cm.exception.message)

    def test_ledger_keeps_what_was_sent(self):
        self.start()
        self.record_marked(4)
        self.upload()
        rows = self.env.query('SELECT l.sha512, b.body, l.url FROM ledger l '
                              'JOIN ledger_body b ON b.ledger_id = l.id')
        self.assertEqual(len(rows), 1)
        sha, body, url = rows[0]
        stored = self.collector.rows()[0]
        self.assertEqual(bytes(body), bytes(stored['body']))
        self.assertEqual(sha, stored['sha512'])
        self.assertEqual(url, f'https://127.0.0.1:{self.collector.port}/3/{sha}')

    def test_nothing_queued_sends_nothing(self):
        self.start()
        self.assertEqual(self.upload(), (0, 0))
        self.assertEqual(self.collector.stats()['accepted'], 0)
        self.assertEqual(self.control('LastUploadResult'), 'success')


def stdin_pipe_full(pid):
    """Whether process pid's standard input is a pipe holding as much as it can."""
    try:
        fd = os.open(f'/proc/{pid}/fd/0', os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        capacity = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
        queued = array.array('i', [0])
        fcntl.ioctl(fd, termios.FIONREAD, queued)
        return queued[0] >= capacity
    finally:
        os.close(fd)


class UploadHelperTest(UploadTestCase):
    """The requests are made by eos-metrics-upload-helper, one process per session, started
    from the recorder's own directory: a missing, dying or babbling helper costs an
    attempt, never an event, and no helper outlives its session."""

    HELPER = 'eos-metrics-upload-helper'

    def daemon_copy(self, helper_script=None, real_helper=False):
        """The recorder alone in a directory, beside a shell-script helper or the real one."""
        d = tempfile.mkdtemp(prefix='metrics-helper-')
        self.addCleanup(shutil.rmtree, d, True)
        daemon = os.path.join(d, os.path.basename(DAEMON))
        shutil.copy2(DAEMON, daemon)
        if helper_script is not None:
            self.put_helper(d, helper_script)
        elif real_helper:
            shutil.copy2(os.path.join(os.path.dirname(DAEMON), self.HELPER), d)
        return daemon

    def put_helper(self, directory, script):
        path = os.path.join(directory, self.HELPER)
        with open(path + '.tmp', 'w') as f:
            f.write('#!/bin/sh\n' + script)
        os.chmod(path + '.tmp', 0o755)
        os.replace(path + '.tmp', path)

    def daemon_children(self):
        pid = str(self.env.daemon_proc.pid)
        children = []
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    with open(f'/proc/{entry}/stat') as f:
                        fields = f.read().rpartition(')')[2].split()
                except OSError:
                    continue
                if fields[1] == pid:
                    children.append(int(entry))
        return children

    def test_no_helper_outlives_its_session(self):
        self.start()
        markers = self.record_marked(3)
        self.assertEqual(self.upload(), (3, 1))
        self.assert_exactly_once(markers)
        self.wait_for(lambda: not self.daemon_children(),
                      what='the upload helper to exit after the session')
        # The next session starts a new one.
        markers = self.record_marked(2, start=3)
        self.assertEqual(self.upload(), (2, 1))
        self.wait_for(lambda: not self.daemon_children(), what='the second upload helper to exit')

    def test_missing_helper(self):
        daemon = self.daemon_copy()
        self.start(daemon=daemon)
        self.record_marked(2)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadHelperFailed', err.message)
        self.assertIn(os.path.join(os.path.dirname(daemon), self.HELPER), err.message)
        self.assertEqual(self.queued(), 2)
        self.assertEqual(self.ledger(), [], 'nothing was sent, so no attempt is recorded')
        self.assertEqual(self.collector.rows(), [])

    def test_helper_dying_mid_request(self):
        daemon = self.daemon_copy('head -c 64 >/dev/null\nexit 3\n')
        self.start(daemon=daemon)
        markers = self.record_marked(4)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadHelperFailed', err.message)
        self.assertIn('exit status 3', err.message)
        self.assertEqual(self.queued(), 4)
        outcomes = [row[0] for row in self.ledger()]
        self.assertTrue(outcomes and all(o == 'Retry' for o in outcomes), outcomes)
        # A working helper in its place: everything arrives, once.
        shutil.copy2(os.path.join(os.path.dirname(DAEMON), self.HELPER),
                     os.path.join(os.path.dirname(daemon), self.HELPER))
        self.assertEqual(self.upload(), (4, 1))
        self.assert_exactly_once(markers)
        self.assertEqual(self.queued(), 0)

    def test_helper_answering_nonsense(self):
        # A frame length far beyond the limit, then silence: the recorder stops it.
        daemon = self.daemon_copy('head -c 64 >/dev/null\nprintf "garbage-garbage-garbage"\n'
                                  'exec sleep 600\n')
        self.start(daemon=daemon)
        self.record_marked(1)
        err = self.upload_error()
        self.assertEqual(err.name, ERR + 'UploadHelperFailed', err.message)
        self.assertIn('unreadable', err.message)
        self.assertEqual(self.queued(), 1)
        self.wait_for(lambda: not self.daemon_children(), what='the stopped helper to be gone')
        self.assertIsNone(self.env.daemon_proc.poll(), 'the recorder survives')


    def test_stalled_helper_does_not_block_the_recorder(self):
        # A helper that never reads its input: a request larger than the pipe's buffer
        # (64 KiB) must wait on the main loop, not block it.
        daemon = self.daemon_copy('exec sleep 600\n')
        self.start(daemon=daemon)
        rng = random.Random(7)
        now = boottime_ns()
        event_id = random_event_id()
        calls = [('RecordSingularEvent', 'uayxbv',
                  (0, event_id, now, True,
                   GLib.Variant('s', ''.join(rng.choices(string.ascii_letters, k=3000)))),
                  OBJECT_PATH, SERVER_IFACE) for _ in range(48)]
        self.assertEqual([e for _r, e in self.client.call_async_many(calls) if e], [])
        outcome = {}

        def upload():
            try:
                outcome['result'] = self.upload()
            except DBusCallError as e:
                outcome['error'] = e

        thread = threading.Thread(target=upload)
        thread.start()
        self.wait_for(lambda: self.daemon_children(), what='the helper to start')
        # The request fills the pipe: the rest of it waits on the recorder's main loop.
        self.wait_for(lambda: any(stdin_pipe_full(pid) for pid in self.daemon_children()),
                      what="the request to fill the helper's input pipe")
        ping = subprocess.run(
            ['gdbus', 'call', '--address', self.env.bus_address, '--dest', BUS_NAME,
             '--object-path', OBJECT_PATH, '--method', 'org.freedesktop.DBus.Peer.Ping',
             '--timeout', '10'], capture_output=True, text=True, timeout=30)
        self.assertEqual(ping.returncode, 0, 'the recorder must answer during the upload: ' +
                         ping.stderr)
        # Each retry of the forced session starts a new (stalling) helper: stop them all.
        def upload_returned():
            for pid in self.daemon_children():
                os.kill(pid, signal.SIGKILL)
            return not thread.is_alive()
        self.wait_for(upload_returned, what='Upload to return once its helpers are stopped')
        thread.join()
        self.assertIn('error', outcome, outcome)
        self.assertEqual(outcome['error'].name, ERR + 'UploadHelperFailed', outcome['error'].message)
        self.assertEqual(self.queued(), 48)

if __name__ == '__main__':
    unittest.main()
