# SPDX-License-Identifier: GPL-2.0-or-later
"""metricsctl and eos-upload-metrics against a dbusmock stand-in of com.endlessm.Metrics.

The stand-in lives on a private system bus started by dbusmock; DBUS_SYSTEM_BUS_ADDRESS
points every child at it, so nothing here reaches the host's bus, /etc or /var. The real
recorder is not involved: these tests pin the client side of the Control1 contract (what
is shown, which exit code each error gives).

Run with Debian's /usr/bin/python3 (needs dbus and dbusmock). metricsctl is found through
$METRICS_BUILD_DIR (default: ../../build); eos-upload-metrics is run from the source tree.
"""

import json
import os
import pty
import shutil
import subprocess
import tempfile
import time
import unittest

import dbus
import dbusmock

from harness import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, '..', '..'))
BUILD_DIR = os.environ.get('METRICS_BUILD_DIR', os.path.join(SOURCE_DIR, 'build'))
METRICSCTL = os.path.join(BUILD_DIR, 'daemon', 'cli', 'metricsctl')
EOS_UPLOAD_METRICS = os.path.join(SOURCE_DIR, 'tools', 'eos-upload-metrics')

BUS_NAME = 'com.endlessm.Metrics'
OBJECT_PATH = '/com/endlessm/Metrics'
CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
SERVER_IFACE = 'com.endlessm.Metrics.EventRecorderServer'
ERROR_PREFIX = 'com.endlessm.Metrics.Error.'
HOST_SYSTEM_BUS_SOCKETS = ('/run/dbus/system_bus_socket', '/var/run/dbus/system_bus_socket')

STATUS_KEYS = ['consent_state', 'server_url', 'environment', 'queued_events', 'queued_bytes',
               'upload_state', 'last_upload_time', 'last_upload_result', 'last_upload_message',
               'next_upload_time', 'store_state', 'store_problem', 'set_aside_events',
               'running_counts']

# Error name -> exit code, as documented in docs/metricsctl.md.
UPLOAD_ERRORS = {
    ERROR_PREFIX + 'UploadFailed': 1,
    ERROR_PREFIX + 'UploadRejected': 1,
    ERROR_PREFIX + 'NotImplemented': 1,
    'org.freedesktop.DBus.Error.Failed': 1,
    'org.freedesktop.DBus.Error.AccessDenied': 4,
    'org.freedesktop.DBus.Error.AuthFailed': 4,
    ERROR_PREFIX + 'NotAuthorized': 4,
    ERROR_PREFIX + 'MetricsDisabled': 5,
    ERROR_PREFIX + 'UploadingDisabled': 5,
    ERROR_PREFIX + 'NetworkUnavailable': 6,
    ERROR_PREFIX + 'NetworkMetered': 6,
}


def emit_progress(sent, total, requests):
    """Mock code (run inside Upload) emitting one UploadProgress signal."""
    return (f"self.EmitSignal('{CONTROL_IFACE}', 'UploadProgress', 'ttu', "
            f"[dbus.UInt64({sent}), dbus.UInt64({total}), dbus.UInt32({requests})])\n")


def utc_timestamp(t):
    return time.strftime('%a %Y-%m-%d %H:%M:%S UTC', time.gmtime(t))


class CliTestCase(dbusmock.DBusTestCase):
    """A private system bus per class; helpers to run the commands on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_system_bus()
        cls.system_bus = cls.get_dbus(system_bus=True)
        if not os.access(METRICSCTL, os.X_OK):
            raise unittest.SkipTest(f'{METRICSCTL} not built (set METRICS_BUILD_DIR)')

    @classmethod
    def tearDownClass(cls):
        # dbusmock 0.28 forgets to remove its data directory (and then reuses the name for the
        # next class's bus): remove it and let the next class make a new one.
        datadir = getattr(dbusmock.DBusTestCase, '_DBusTestCase__datadir', None)
        super().tearDownClass()
        if datadir:
            shutil.rmtree(datadir, ignore_errors=True)
            dbusmock.DBusTestCase._DBusTestCase__datadir = None

    def child_env(self, **overrides):
        env = dict(os.environ, TZ='UTC', LC_ALL='C.UTF-8')
        env.update(overrides)
        address = env.get('DBUS_SYSTEM_BUS_ADDRESS', '')
        # Never let a command fall back to (or be pointed at) the host's system bus.
        self.assertTrue(address, 'no private system bus')
        self.assertFalse(any(s in address for s in HOST_SYSTEM_BUS_SOCKETS), address)
        return env

    def run_cmd(self, argv, env=None, timeout=60, **kw):
        return subprocess.run(argv, env=env or self.child_env(), capture_output=True, text=True,
                              timeout=timeout, **kw)

    def metricsctl(self, *args, **kw):
        return self.run_cmd([METRICSCTL, *args], **kw)

    def assertExit(self, proc, code):
        self.assertEqual(proc.returncode, code,
                         f'exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}')


class MockRecorderTestCase(CliTestCase):
    """A fresh dbusmock com.endlessm.Metrics for every test."""

    def setUp(self):
        self.mock_log = tempfile.TemporaryFile()
        self.mock_proc = self.spawn_server(BUS_NAME, OBJECT_PATH, CONTROL_IFACE, system_bus=True,
                                           stdout=self.mock_log)
        self.mock = dbus.Interface(self.system_bus.get_object(BUS_NAME, OBJECT_PATH),
                                   dbusmock.MOCK_IFACE)

    def tearDown(self):
        self.mock_proc.terminate()
        self.mock_proc.wait(timeout=10)
        self.mock_log.close()
        # The name must be gone before the next test spawns its own stand-in.
        wait_until(lambda: not self.system_bus.name_has_owner(BUS_NAME),
                   f'the stand-in to release {BUS_NAME}')

    def set_properties(self, **overrides):
        now = int(time.time())
        props = {
            'ConsentState': dbus.String('granted'),
            'ServerUrl': dbus.String('https://test.metrics.example.org/'),
            'Environment': dbus.String('test'),
            'QueuedEvents': dbus.UInt64(42),
            'QueuedBytes': dbus.UInt64(12345),
            'UploadState': dbus.String('idle'),
            'LastUploadTime': dbus.Int64(now - 3 * 3600 - 30),
            'LastUploadResult': dbus.String('success'),
            'LastUploadMessage': dbus.String(''),
            'NextUploadTime': dbus.Int64(now + 12 * 60 + 30),
        }
        props.update(overrides)
        self.mock.AddProperties(CONTROL_IFACE, props)
        return props

    def set_upload(self, code, interface=CONTROL_IFACE, method='Upload', out_sig='tu'):
        self.mock.AddMethod(interface, method, '', out_sig, code)


class StatusTest(MockRecorderTestCase):

    def fields(self, text):
        """'Label: value' lines -> {label: value}; unlabelled lines go to '' (continuations)."""
        out = {}
        for line in text.splitlines():
            label, sep, value = line.partition(': ')
            if sep and label.strip():
                out[label.strip()] = value
            else:
                out.setdefault('', []).append(line.strip())
        return out

    def test_text(self):
        props = self.set_properties()
        p = self.metricsctl('status')
        self.assertExit(p, 0)
        self.assertEqual(p.stderr, '')
        f = self.fields(p.stdout)
        self.assertEqual(f['Consent'], 'granted (recording and uploading)')
        self.assertEqual(f['Server URL'], 'https://test.metrics.example.org/')
        self.assertEqual(f['Environment'], 'test')
        self.assertEqual(f['Queue'], '42 events (12.3 kB)')
        self.assertEqual(f['Upload state'], 'idle (waiting for the next slot)')
        self.assertEqual(f['Last upload'],
                         f'{utc_timestamp(int(props["LastUploadTime"]))} (3 h ago)')
        self.assertEqual(f['Last result'], 'success')
        self.assertEqual(f['Next upload'],
                         f'{utc_timestamp(int(props["NextUploadTime"]))} (in 12 min)')
        # Aligned: every label ends in the same column.
        columns = {line.index(': ') for line in p.stdout.splitlines()}
        self.assertEqual(len(columns), 1, p.stdout)

    def test_text_nothing_yet(self):
        self.set_properties(ConsentState=dbus.String('undecided'), ServerUrl=dbus.String(''),
                            QueuedEvents=dbus.UInt64(1), QueuedBytes=dbus.UInt64(999),
                            UploadState=dbus.String('disabled'),
                            LastUploadTime=dbus.Int64(0), LastUploadResult=dbus.String(''),
                            NextUploadTime=dbus.Int64(0))
        p = self.metricsctl('status')
        self.assertExit(p, 0)
        f = self.fields(p.stdout)
        self.assertEqual(f['Consent'], 'undecided (recording locally, never uploading)')
        self.assertEqual(f['Server URL'], 'none (not configured or invalid)')
        self.assertEqual(f['Queue'], '1 event (999 B)')
        self.assertEqual(f['Upload state'], 'disabled (consent not granted)')
        self.assertEqual(f['Last upload'], 'never')
        self.assertEqual(f['Last result'], 'none')
        self.assertEqual(f['Next upload'], 'none')

    def test_text_failure_shows_message(self):
        self.set_properties(UploadState=dbus.String('retrying'),
                            LastUploadResult=dbus.String(ERROR_PREFIX + 'NetworkUnavailable'),
                            LastUploadMessage=dbus.String('No network connection.'))
        p = self.metricsctl('status')
        self.assertExit(p, 0)
        f = self.fields(p.stdout)
        self.assertEqual(f['Upload state'], 'retrying (backing off after a failure)')
        self.assertEqual(f['Last result'], f'failed ({ERROR_PREFIX}NetworkUnavailable)')
        self.assertEqual(f[''], ['No network connection.'])
        # The message sits right under the result's value.
        lines = p.stdout.splitlines()
        i = next(n for n, line in enumerate(lines) if 'Last result' in line)
        self.assertEqual(lines[i + 1].index('No network'), lines[i].index('failed'))

    def test_json(self):
        props = self.set_properties(LastUploadTime=dbus.Int64(0))
        p = self.metricsctl('status', '--json')
        self.assertExit(p, 0)
        self.assertEqual(len(p.stdout.strip().splitlines()), 1, 'one line of JSON')
        j = json.loads(p.stdout)
        self.assertEqual(list(j), STATUS_KEYS)
        self.assertEqual(j, {
            'consent_state': 'granted',
            'server_url': 'https://test.metrics.example.org/',
            'environment': 'test',
            'queued_events': 42,
            'queued_bytes': 12345,
            'upload_state': 'idle',
            'last_upload_time': None,
            'last_upload_result': 'success',
            'last_upload_message': '',
            'next_upload_time': int(props['NextUploadTime']),
            'store_state': None,
            'store_problem': None,
            'set_aside_events': None,  # the mock has no SetAsideEvents
            'running_counts': None,  # nor RunningCounts
        })

    def test_json_pretty_and_short(self):
        self.set_properties()
        plain = self.metricsctl('status', '--json')
        short = self.metricsctl('status', '--json=short')
        pretty = self.metricsctl('--json=pretty', 'status')
        for p in (plain, short, pretty):
            self.assertExit(p, 0)
        self.assertEqual(short.stdout, plain.stdout)
        self.assertEqual(len(plain.stdout.splitlines()), 1)
        lines = pretty.stdout.splitlines()
        self.assertEqual((lines[0], lines[-1]), ('{', '}'))
        self.assertEqual(lines[1], '  "consent_state": "granted",')
        self.assertEqual(json.loads(pretty.stdout), json.loads(plain.stdout))

    def test_events_and_running_counts_apart(self):
        self.set_properties(QueuedEvents=dbus.UInt64(0), QueuedBytes=dbus.UInt64(282),
                            RunningCounts=dbus.UInt64(4))
        p = self.metricsctl('status')
        self.assertExit(p, 0)
        self.assertEqual(self.fields(p.stdout)['Queue'], '0 events, 4 running counts (282 B)')
        self.assertEqual(json.loads(self.metricsctl('status', '--json').stdout)['running_counts'],
                         4)
        self.mock.UpdateProperties(CONTROL_IFACE, {'QueuedEvents': dbus.UInt64(1),
                                                   'RunningCounts': dbus.UInt64(1)})
        self.assertEqual(self.fields(self.metricsctl('status').stdout)['Queue'],
                         '1 event, 1 running count (282 B)')

    def test_default_command_is_status(self):
        self.set_properties()
        self.assertEqual(self.metricsctl().stdout.splitlines()[0],
                         self.metricsctl('status').stdout.splitlines()[0])

    def test_missing_properties_are_unknown(self):
        # An older or newer recorder: show what there is, do not fail.
        self.mock.AddProperties(CONTROL_IFACE, {'ConsentState': dbus.String('declined'),
                                                'QueuedEvents': dbus.String('not a number')})
        p = self.metricsctl('status')
        self.assertExit(p, 0)
        f = self.fields(p.stdout)
        self.assertEqual(f['Consent'], 'declined (recording nothing, nothing kept)')
        self.assertEqual(f['Queue'], 'unknown')
        self.assertEqual(f['Next upload'], 'unknown')
        j = json.loads(self.metricsctl('status', '--json').stdout)
        self.assertEqual(j['consent_state'], 'declined')
        self.assertIsNone(j['queued_events'])
        self.assertIsNone(j['next_upload_time'])


class UploadTest(MockRecorderTestCase):

    def test_success_with_progress(self):
        self.set_upload(emit_progress(2, 5, 1) + emit_progress(5, 5, 2) +
                        'ret = (dbus.UInt64(5), dbus.UInt32(2))')
        p = self.metricsctl('upload')
        self.assertExit(p, 0)
        self.assertEqual(p.stdout, 'Uploaded 5 events in 2 requests.\n')
        # Not a terminal: whole lines, the first progress signal always shown.
        self.assertIn('Uploading: 2 of 5 events (40%), 1 request\n', p.stderr)
        self.assertNotIn('\r', p.stderr)

    def test_progress_lines_are_rate_limited(self):
        burst = ''.join(emit_progress(i, 40, i) for i in range(1, 41))
        self.set_upload(burst + 'ret = (dbus.UInt64(40), dbus.UInt32(40))')
        p = self.metricsctl('upload')
        self.assertExit(p, 0)
        lines = [line for line in p.stderr.splitlines() if line.startswith('Uploading: ')]
        self.assertGreaterEqual(len(lines), 1, p.stderr)
        self.assertLessEqual(len(lines), 2, p.stderr)
        self.assertEqual(p.stdout, 'Uploaded 40 events in 40 requests.\n')

    def test_progress_on_a_terminal_is_one_updating_line(self):
        self.set_upload(emit_progress(1, 3, 1) + emit_progress(3, 3, 2) +
                        'ret = (dbus.UInt64(3), dbus.UInt32(2))')
        master, slave = pty.openpty()
        try:
            p = subprocess.run([METRICSCTL, 'upload'], env=self.child_env(), stdout=subprocess.PIPE,
                               stderr=slave, text=True, timeout=60)
            os.close(slave)
            slave = None
            tty = b''
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the other side is closed and drained
                    break
                if not chunk:
                    break
                tty += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertExit(p, 0)
        self.assertEqual(p.stdout, 'Uploaded 3 events in 2 requests.\n')
        self.assertIn(b'\r\x1b[KUploading: 1 of 3 events (33%), 1 request', tty)
        self.assertTrue(tty.endswith(b'\r\x1b[K'), tty)  # the line is cleared at the end
        self.assertNotIn(b'\n', tty)

    def test_nothing_to_upload(self):
        self.set_upload('ret = (dbus.UInt64(0), dbus.UInt32(0))')
        p = self.metricsctl('upload')
        self.assertExit(p, 0)
        self.assertEqual(p.stdout, 'Nothing to upload.\n')

    def test_json(self):
        self.set_upload(emit_progress(7, 7, 1) + 'ret = (dbus.UInt64(7), dbus.UInt32(1))')
        p = self.metricsctl('upload', '--json')
        self.assertExit(p, 0)
        self.assertEqual(json.loads(p.stdout), {'events': 7, 'requests': 1})

    def test_quiet(self):
        self.set_upload(emit_progress(7, 7, 1) + 'ret = (dbus.UInt64(7), dbus.UInt32(1))')
        p = self.metricsctl('upload', '-q')
        self.assertExit(p, 0)
        self.assertEqual((p.stdout, p.stderr), ('', ''))

    def test_errors_map_to_exit_codes(self):
        for name, code in UPLOAD_ERRORS.items():
            with self.subTest(name=name):
                message = f'the recorder says no ({name.rsplit(".", 1)[-1]})'
                self.set_upload(f'raise dbus.exceptions.DBusException({message!r}, name={name!r})')
                p = self.metricsctl('upload')
                self.assertExit(p, code)
                self.assertEqual(p.stdout, '')
                self.assertEqual(p.stderr.splitlines()[0],
                                 f'metricsctl: upload failed: {message} ({name})')

    def test_consent_errors_say_how_to_grant_consent(self):
        for name in (ERROR_PREFIX + 'UploadingDisabled', ERROR_PREFIX + 'MetricsDisabled'):
            with self.subTest(name=name):
                self.set_upload(f'raise dbus.exceptions.DBusException("no", name={name!r})')
                p = self.metricsctl('upload')
                self.assertExit(p, 5)
                self.assertIn('uploading_enabled=true', p.stderr)
                self.assertIn('eos-metrics-permissions.conf', p.stderr)

    def test_metered_error_names_the_setting(self):
        self.set_upload(f'raise dbus.exceptions.DBusException("metered", '
                        f'name="{ERROR_PREFIX}NetworkMetered")')
        p = self.metricsctl('upload')
        self.assertExit(p, 6)
        self.assertIn('AllowMeteredUploads=true', p.stderr)

    def test_recorder_without_control_interface(self):
        # No Upload method: an older recorder. A failure (1) that says so.
        p = self.metricsctl('upload')
        self.assertExit(p, 1)
        self.assertIn('org.freedesktop.DBus.Error.UnknownMethod', p.stderr)
        self.assertIn('older than metricsctl', p.stderr)

    def test_recorder_vanishing_mid_upload(self):
        # The recorder exits without replying: the bus answers NoReply -> not reachable (3).
        self.set_upload(emit_progress(1, 2, 1) + 'import os; os._exit(0)')
        p = self.metricsctl('upload')
        self.assertExit(p, 3)
        self.assertIn('metricsctl: upload failed:', p.stderr)
        self.assertIn('did not answer', p.stderr)


def ledger_entries(ids):
    """Mock code building GetUploadLog's reply: one Success entry per id, newest first."""
    rows = ', '.join(
        f"(dbus.Int64({i}), dbus.Int64(1715680992), 'https://metrics.example.org/test/3/{i:0128x}', "
        f"'{i:0128x}', dbus.UInt64(100), dbus.UInt64(200), dbus.UInt64(1), dbus.UInt64(0), "
        f"'Success', dbus.Int32(200), 'accepted', True)" for i in ids)
    return f'ret = dbus.Array([{rows}], signature="(xxssttttsisb)")[:args[0]]'


class LogTest(MockRecorderTestCase):

    def setUp(self):
        super().setUp()
        self.mock.AddMethod(CONTROL_IFACE, 'GetUploadLog', 'u', 'a(xxssttttsisb)',
                            ledger_entries(range(8, 0, -1)))
        self.mock.AddMethod(CONTROL_IFACE, 'GetUploadBody', 'x', 'ay', 'ret = dbus.ByteArray(b"")')

    def test_lines(self):
        for argv in (['log', '-n', '5'], ['log', '-n5'], ['log', '--lines=5']):
            with self.subTest(argv=argv):
                p = self.metricsctl(*argv)
                self.assertExit(p, 0)
                ids = [line.split()[0] for line in p.stdout.splitlines() if line[:1].isdigit()]
                self.assertEqual(ids, ['8', '7', '6', '5', '4'])
                self.assertIn('1 event, 100 B sent', p.stdout)
        j = json.loads(self.metricsctl('log', '-n', '2', '--json').stdout)
        self.assertEqual([e['id'] for e in j['uploads']], [8, 7])
        self.assertEqual(self.mock.GetMethodCalls('GetUploadLog')[-1][1], [2])
        self.assertEqual(len(self.metricsctl('log').stdout.splitlines()), 8 * 3)
        p = self.metricsctl('log', 'show', '3', '-n', '2')
        self.assertExit(p, 2)
        self.assertIn("-n/--lines goes with the list ('log -n N')", p.stderr)

    def test_show_of_an_entry_that_never_existed(self):
        self.mock.ClearCalls()
        p = self.metricsctl('log', 'show', '99')
        self.assertExit(p, 1)
        self.assertEqual(p.stderr, "metricsctl: log show: there is no upload 99 in the upload log "
                                   "('metricsctl log' lists them).\n")
        # Not asked for a body it does not have.
        self.assertEqual(self.mock.GetMethodCalls('GetUploadBody'), [])


class EmptyLogTest(MockRecorderTestCase):

    def test_show_when_nothing_was_sent(self):
        self.mock.AddMethod(CONTROL_IFACE, 'GetUploadLog', 'u', 'a(xxssttttsisb)',
                            ledger_entries([]))
        p = self.metricsctl('log', 'show', '1')
        self.assertExit(p, 1)
        self.assertIn('there is no upload 1: the upload log is empty', p.stderr)


class QueueTest(MockRecorderTestCase):

    def test_wide_values_keep_their_columns(self):
        self.mock.AddMethod(CONTROL_IFACE, 'GetQueuedEvents', 'u', 'a(ssuxsxs)', (
            'ret = dbus.Array(['
            '("count", "5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f", dbus.UInt32(4294967294), '
            ' dbus.Int64(0), "2024-05-14", dbus.Int64(12345678), ""),'
            '("singular", "61d6b53a-559d-4ed3-8241-0a337d14bce0", dbus.UInt32(0), '
            ' dbus.Int64(1715680992), "", dbus.Int64(0), "\'de_DE\'")], signature="(ssuxsxs)")'))
        p = self.metricsctl('queue', '--registry-dir', os.path.join(SOURCE_DIR, 'registry'))
        self.assertExit(p, 0)
        header, count, singular = p.stdout.splitlines()
        self.assertEqual(count.split(), ['count', 'daily', 'session', 'time', '4294967294',
                                         '2024-05-14', '12345678', '-'])
        # Each value starts where its column's heading does, two spaces at least after the
        # value before it.
        for row, column, value in ((count, 'UID', '4294967294'), (count, 'COUNT', '12345678'),
                                   (count, 'PAYLOAD', '-'), (singular, 'PAYLOAD', "'de_DE'"),
                                   (singular, 'EVENT', 'system locale')):
            at = header.index(column)
            self.assertEqual((row[at - 2:at], row[at:at + len(value)]), ('  ', value), p.stdout)


class AdviceTest(MockRecorderTestCase):

    def test_consent_advice_names_the_file_the_recorder_reads(self):
        self.set_properties(PermissionsFile=dbus.String('/srv/metrics/permissions.conf'),
                            SettingsFile=dbus.String('/srv/metrics/recorder.conf'))
        for name in (ERROR_PREFIX + 'UploadingDisabled', ERROR_PREFIX + 'MetricsDisabled'):
            with self.subTest(name=name):
                self.set_upload(f'raise dbus.exceptions.DBusException("no", name={name!r})')
                p = self.metricsctl('upload')
                self.assertExit(p, 5)
                self.assertIn("run 'metricsctl consent grant'", p.stderr)
                self.assertIn('/srv/metrics/permissions.conf', p.stderr)
                self.assertNotIn('/etc/', p.stderr)

    def test_configuration_advice_names_the_file_and_key(self):
        self.set_properties(SettingsFile=dbus.String('/srv/metrics/recorder.conf'))
        message = ("/srv/metrics/recorder.conf: [Recorder] TrustFile='ca.pem' is not an absolute "
                   "path; uploads are blocked until it is fixed")
        self.set_upload(f'raise dbus.exceptions.DBusException({message!r}, '
                        f'name="{ERROR_PREFIX}UploadConfigurationInvalid")')
        p = self.metricsctl('upload')
        self.assertExit(p, 1)
        self.assertIn('Fix (or remove) TrustFile in the [Recorder] group of '
                      '/srv/metrics/recorder.conf', p.stderr)


def read_pty(master):
    out = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other side is closed and drained
            return out
        if not chunk:
            return out
        out += chunk


class PagerTest(MockRecorderTestCase):
    """The pager runs only when stdout is a terminal, as systemd's tools decide."""

    def setUp(self):
        super().setUp()
        self.set_properties()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.pager = os.path.join(self.tmp.name, 'pager')
        with open(self.pager, 'w') as f:
            f.write('#!/bin/sh\necho "PAGER LESS=$LESS LESSCHARSET=$LESSCHARSET"\nexec cat\n')
        os.chmod(self.pager, 0o755)

    def on_terminal(self, *args, **env):
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([METRICSCTL, *args], env=self.child_env(**env), stdout=slave,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            os.close(slave)
            slave = None
            out = read_pty(master)
            p.wait(timeout=60)
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        return p.returncode, out.decode().replace('\r\n', '\n')

    def test_pages_on_a_terminal(self):
        code, out = self.on_terminal('status', PAGER=self.pager, LC_ALL='C.UTF-8')
        self.assertEqual(code, 0)
        self.assertTrue(out.startswith('PAGER LESS=FRSXMK LESSCHARSET=utf-8\n'), out)
        self.assertIn('Consent: granted', out)
        code, out = self.on_terminal('status', PAGER=self.pager, SYSTEMD_PAGER='',
                                     SYSTEMD_LESS='FRX')
        self.assertEqual((code, out.count('PAGER')), (0, 0), out)  # "" turns paging off
        code, out = self.on_terminal('status', SYSTEMD_PAGER=self.pager, PAGER='cat',
                                     SYSTEMD_LESS='FRX', LC_ALL='C')
        self.assertTrue(out.startswith('PAGER LESS=FRX LESSCHARSET=\n'), out)

    def test_no_pager(self):
        code, out = self.on_terminal('--no-pager', 'status', PAGER=self.pager)
        self.assertEqual(code, 0)
        self.assertNotIn('PAGER', out)
        self.assertIn('Consent: granted', out)
        code, out = self.on_terminal('status', PAGER='cat')
        self.assertNotIn('PAGER', out)

    def test_never_into_a_pipe(self):
        p = self.metricsctl('status', env=self.child_env(PAGER=self.pager))
        self.assertExit(p, 0)
        self.assertNotIn('PAGER', p.stdout)


class CompletionTest(MockRecorderTestCase):
    """The bash completion function, driven as bash drives it (COMP_WORDS, COMP_CWORD)."""

    SCRIPT = os.path.join(SOURCE_DIR, 'daemon', 'cli', 'data', 'metricsctl.bash-completion')
    BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'

    def complete(self, *words):
        if not os.path.exists(self.BASH_COMPLETION):
            self.fail(f'{self.BASH_COMPLETION} missing: install bash-completion '
                      '(scripts/install-deps.sh)')
        line = ' '.join(words)
        script = (f'source {self.BASH_COMPLETION}; source {self.SCRIPT}\n'
                  'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$LINE"; '
                  'COMP_POINT=${#COMP_LINE}; _metricsctl; printf "%s\\n" "${COMPREPLY[@]}"')
        env = self.child_env(LINE=line, PATH=os.path.dirname(METRICSCTL) + ':' +
                             os.environ.get('PATH', '/usr/bin:/bin'))
        p = subprocess.run(['bash', '-c', script, 'bash', *words], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return sorted(w for w in p.stdout.splitlines() if w)

    def test_commands(self):
        self.assertIn('set-aside', self.complete('metricsctl', ''))
        self.assertEqual(self.complete('metricsctl', 'he'), ['help'])
        self.assertEqual(self.complete('metricsctl', 'help', 'reg'), ['registry'])

    def test_only_the_options_of_the_command(self):
        self.assertEqual(self.complete('metricsctl', 'status', '--'),
                         ['--help', '--json', '--no-pager', '--version'])
        self.assertEqual(self.complete('metricsctl', 'upload', '--q'), ['--quiet'])
        self.assertEqual(self.complete('metricsctl', 'log', '--'),
                         ['--help', '--json', '--lines', '--no-pager', '--raw', '--registry-dir',
                          '--version'])
        self.assertEqual(self.complete('metricsctl', 'set-server-url', '--r'), [])
        self.assertEqual(self.complete('metricsctl', 'status', '--json=p'), ['pretty'])

    def test_ledger_ids_after_log_show(self):
        self.mock.AddMethod(CONTROL_IFACE, 'GetUploadLog', 'u', 'a(xxssttttsisb)',
                            ledger_entries([12, 11, 3]))
        self.assertEqual(self.complete('metricsctl', 'log', 'show', ''), ['11', '12', '3'])
        self.assertEqual(self.complete('metricsctl', 'log', 'show', '1'), ['11', '12'])
        self.assertEqual(self.complete('metricsctl', 'log', 's'), ['show'])

    def test_metric_names_after_registry_show(self):
        registry = os.path.join(SOURCE_DIR, 'registry')
        self.assertEqual(self.complete('metricsctl', 'registry', 'show', '--registry-dir',
                                       registry, 'sys'), ['system\\ locale'])
        # Inside a quote the name goes as it is; readline closes the quote.
        self.assertEqual(self.complete('metricsctl', 'registry', f'--registry-dir={registry}',
                                       'show', "'daily s"), ['daily session time'])
        names = self.complete('metricsctl', 'registry', 'show', '--registry-dir', registry, '')
        self.assertIn('startup\\ finished', names)
        self.assertEqual([n for n in names if ' ' in n.replace('\\ ', '')], [], names)


class EosUploadMetricsTest(MockRecorderTestCase):

    def upload(self, *args):
        return self.run_cmd([EOS_UPLOAD_METRICS, *args])

    def test_success(self):
        self.set_upload('', interface=SERVER_IFACE, method='UploadEvents', out_sig='')
        p = self.upload()
        self.assertExit(p, 0)
        self.assertEqual(p.stdout, 'Successfully uploaded all events to servers.\n')
        self.assertEqual(p.stderr, '')

    def test_failure(self):
        name = ERROR_PREFIX + 'UploadingDisabled'
        self.set_upload(f'raise dbus.exceptions.DBusException("Consent needed.", name={name!r})',
                        interface=SERVER_IFACE, method='UploadEvents', out_sig='')
        p = self.upload()
        self.assertExit(p, 1)
        self.assertEqual(p.stdout, '')
        self.assertEqual(p.stderr, f'eos-upload-metrics: upload failed: {name}: Consent needed.\n')

    def test_usage(self):
        self.assertExit(self.upload('--bogus'), 2)
        p = self.upload('--help')
        self.assertExit(p, 0)
        self.assertIn('Usage: eos-upload-metrics', p.stdout)


class NotRunningTest(CliTestCase):
    """A bus without the recorder, and no bus at all."""

    def test_status_and_upload_exit_3(self):
        for command in ('status', 'upload'):
            with self.subTest(command=command):
                p = self.metricsctl(command)
                self.assertExit(p, 3)
                self.assertIn('org.freedesktop.DBus.Error.ServiceUnknown', p.stderr)
                self.assertIn('The metrics recorder (com.endlessm.Metrics) is not running on the '
                              'system bus.', p.stderr)

    def test_no_system_bus_exit_3(self):
        with tempfile.TemporaryDirectory() as d:
            env = self.child_env(DBUS_SYSTEM_BUS_ADDRESS=f'unix:path={d}/no-bus-here')
            for command in ('status', 'upload'):
                with self.subTest(command=command):
                    p = self.metricsctl(command, env=env)
                    self.assertExit(p, 3)
                    self.assertIn('cannot connect to the system bus', p.stderr)

    def test_eos_upload_metrics_fails(self):
        p = self.run_cmd([EOS_UPLOAD_METRICS])
        self.assertExit(p, 1)
        self.assertIn('ServiceUnknown', p.stderr)


class UsageTest(CliTestCase):
    """Bad command lines: exit 2, nothing sent. Help and version: exit 0."""

    def test_usage_errors(self):
        cases = [
            (['frobnicate'], "unknown command 'frobnicate'"),
            (['--frobnicate'], "unknown option '--frobnicate'"),
            (['-x', 'status'], "unknown option '-x'"),
            (['status', '--quiet'], "'status' does not take --quiet"),
            (['status', 'extra'], "'status' does not take the argument 'extra'"),
            (['upload', '--json=long'], "option '--json' takes pretty or short, not 'long'"),
            (['upload', '--quiet=yes'], "option '--quiet' takes no value"),
            (['status', '-n', '3'], "'status' does not take --lines"),
            (['log', '-n', 'x'], "option '-n' takes a number of entries (1 or more), not 'x'"),
            (['help', 'frobnicate'], "help: unknown command 'frobnicate'"),
        ]
        for argv, message in cases:
            with self.subTest(argv=argv):
                p = self.metricsctl(*argv)
                self.assertExit(p, 2)
                self.assertEqual(p.stdout, '')
                self.assertIn(message, p.stderr)
                self.assertIn("See 'metricsctl --help'.", p.stderr)

    def test_help_lists_commands_and_exit_codes(self):
        for flag in ('-h', '--help'):
            with self.subTest(flag=flag):
                p = self.metricsctl(flag)
                self.assertExit(p, 0)
                for word in ('status', 'upload', '--json', '--quiet', '--no-pager'):
                    self.assertIn(word, p.stdout)
                for code in range(7):
                    self.assertRegex(p.stdout, rf'\n  {code}  \w')

    def test_help_command(self):
        p = self.metricsctl('help')
        self.assertExit(p, 0)
        self.assertEqual(p.stdout, self.metricsctl('--help').stdout)
        p = self.metricsctl('help', 'upload')
        self.assertExit(p, 0)
        self.assertEqual(p.stdout.splitlines()[0], 'metricsctl upload')
        self.assertIn('--quiet', p.stdout)
        self.assertIn('--json[=pretty|short]', p.stdout)
        self.assertNotIn('--raw', p.stdout)  # log's and set-aside's, not upload's

    def test_version_and_no_pager(self):
        p = self.metricsctl('--version')
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r'^metricsctl \d+\.\d+\.\d+\n$')
        # --no-pager is accepted (and changes nothing): here the recorder is absent -> 3, not 2.
        self.assertExit(self.metricsctl('--no-pager', 'status'), 3)


if __name__ == '__main__':
    unittest.main()
