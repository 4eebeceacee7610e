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
               'next_upload_time', 'store_state', 'store_problem', 'set_aside_events']

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
        for _ in range(100):
            if not self.system_bus.name_has_owner(BUS_NAME):
                break
            time.sleep(0.05)

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
        })

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
            (['upload', '--json=pretty'], "option '--json' takes no value"),
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

    def test_version_and_no_pager(self):
        p = self.metricsctl('--version')
        self.assertExit(p, 0)
        self.assertRegex(p.stdout, r'^metricsctl \d+\.\d+\.\d+\n$')
        # --no-pager is accepted (and changes nothing): here the recorder is absent -> 3, not 2.
        self.assertExit(self.metricsctl('--no-pager', 'status'), 3)


if __name__ == '__main__':
    unittest.main()
