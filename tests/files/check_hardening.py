# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemons work inside the sandboxes their units describe.

systemd is not PID 1 here, so unit_sandbox.py rebuilds each unit's [Service] sandbox
with setpriv, bubblewrap, a hidepid procfs and seccomp filters, and runs the real
binaries in it:

* the recorder as a stand-in for its service user, on a system-like bus that includes
  the real bus policy, with the real polkitd reading the real polkit actions (and the
  polkit rules example): it owns its name, says READY=1, records for any user, asks
  polkit for consent changes and uploads over HTTPS to the test collector, then stops
  cleanly; nobody else may own its name or reach interfaces the policy leaves closed;
* lscpu, which the instrumentation daemon runs, inside the instrumentation unit's
  sandbox (no network at all, AF_UNIX only).

Runs as root (it switches users); exits 77 (skipped) otherwise. Needs Debian's bwrap,
setpriv, systemd-analyze, python3-seccomp and polkitd (scripts/install-deps.sh).
"""

import configparser
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests', 'integration'))
sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests', 'collector'))

from harness import Client, DBusCallError, GLib  # noqa: E402
from system_bus import Polkitd, SystemBus, find_polkitd, substitute_user  # noqa: E402
import seccomp_exec  # noqa: E402
import unit_sandbox  # noqa: E402

BUILD_DIR = os.environ.get('METRICS_BUILD_DIR', os.path.join(SOURCE_DIR, 'build'))
RECORDER = os.path.join(BUILD_DIR, 'daemon', 'eos-metrics-event-recorder')
# Started by the recorder for each upload session, from its own directory.
UPLOAD_HELPER = os.path.join(BUILD_DIR, 'daemon', 'eos-metrics-upload-helper')
INSTRUMENTATION = os.path.join(BUILD_DIR, 'instrumentation', 'eos-metrics-instrumentation')
# The built daemon finds libeosmetrics through its RUNPATH, in the build tree (which may
# lie under /tmp, hidden by PrivateTmp like any test file the daemon needs).
LIBMETRICS_BUILD_DIR = os.path.join(BUILD_DIR, 'libmetrics')
RECORDER_UNIT = os.path.join(BUILD_DIR, 'systemd', 'eos-metrics-event-recorder.service')
INSTRUMENTATION_UNIT = os.path.join(BUILD_DIR, 'systemd', 'eos-metrics-instrumentation.service')
BUS_POLICY = os.path.join(BUILD_DIR, 'dbus', 'com.endlessm.Metrics.conf')
POLKIT_ACTIONS = os.path.join(BUILD_DIR, 'dbus', 'com.endlessm.Metrics.policy')
POLKIT_RULES_EXAMPLE = os.path.join(SOURCE_DIR, 'dbus', 'com.endlessm.Metrics.rules.example')
SHIPPED_PERMISSIONS = os.path.join(BUILD_DIR, 'packaging', 'eos-metrics-permissions.conf')
# The shipped registry, enforced as on an installed system.
REGISTRY = os.path.join(SOURCE_DIR, 'registry')
# "primary storage" in the registry: singular, (ss).
REGISTERED_EVENT = bytes.fromhex('af253a9788ce4daa84c61157dcf802c5')
# "computer hardware info", which only the instrumentation records.
HARDWARE_INFO = bytes.fromhex('81f303aa448d443d97f98d8a9169321c')
CLIENT_SCRIPT = os.path.join(SOURCE_DIR, 'tests', 'integration', 'client.py')

BUS_NAME = 'com.endlessm.Metrics'
CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
DBUS = dict(dest='org.freedesktop.DBus', path='/org/freedesktop/DBus',
            iface='org.freedesktop.DBus')
NOBODY = 65534
NM_NAME = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_METERED_YES, NM_METERED_NO = 1, 2
MOCK_IFACE = 'org.freedesktop.DBus.Mock'
# Existing accounts that can stand in for the service user (the bus and polkitd only
# accept users with an account).
STAND_INS = ('daemon', 'bin', 'sys', 'man', 'lp', 'mail', 'news')
SKIP = 77


def stand_in_account():
    for name in STAND_INS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise unittest.SkipTest(f'none of the accounts {STAND_INS} exists to stand in for the '
                            'service user')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def global_group(path):
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(path)
    return dict(cp['global'])


def exec_start(settings, binary, path_map):
    """ExecStart= of the unit with the built binary and the test's stand-in paths."""
    argv = shlex.split(settings['ExecStart'][-1])
    assert os.path.basename(argv[0]) == os.path.basename(binary), argv
    out = [binary]
    for arg in argv[1:]:
        arg = arg.replace('%C', '/var/cache').replace('%S', '/var/lib')
        for production, stand_in in path_map.items():
            arg = arg.replace(production, stand_in)
        out.append(arg)
    return out


class NotifySocket:
    """The NOTIFY_SOCKET systemd gives a service: collects its sd_notify messages."""

    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        os.chmod(directory, 0o755)
        self.path = os.path.join(directory, 'notify')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.messages = []

    def wait_for(self, line, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line in m.split('\n') for m in self.messages):
                return True
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.messages.append(self.sock.recv(4096).decode('utf-8', 'replace'))
            except socket.timeout:
                break
        return any(line in m.split('\n') for m in self.messages)

    def close(self):
        self.sock.close()


class _ClassCleanups:
    """What tests/collector's Collector needs of a TestCase, for a class-wide fixture."""

    def __init__(self, cls):
        self.cls = cls

    def addCleanup(self, fn, *args):
        self.cls.addClassCleanup(fn, *args)

    def assertTrue(self, value, msg=None):
        assert value, msg

    def assertGreater(self, a, b, msg=None):
        assert a > b, msg


def require_root_and_tools():
    if os.geteuid() != 0:
        raise unittest.SkipTest('needs root: it runs the daemons as another user')
    missing = unit_sandbox.tools_missing()
    if not find_polkitd():
        missing.append('polkitd')
    if missing:
        raise AssertionError('missing: ' + ', '.join(missing) +
                             ' (scripts/install-deps.sh installs them)')


class RecorderInItsSandbox(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        require_root_and_tools()
        if not os.access(RECORDER, os.X_OK):
            raise AssertionError(f'{RECORDER} is not built')
        from test_collector import Collector
        cls.account = stand_in_account()
        cls.root = tempfile.mkdtemp(prefix='metrics-hardening-')
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        os.chmod(cls.root, 0o755)
        configured_user = unit_sandbox.service_settings(RECORDER_UNIT)['User'][-1]

        cls.bus = SystemBus(os.path.join(cls.root, 'bus'),
                            substitute_user(read(BUS_POLICY), configured_user, cls.account.pw_name))
        cls.addClassCleanup(cls.bus.stop)
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = cls.bus.address
        cls.client = Client(cls.bus.address)
        cls.addClassCleanup(cls.client.close)

        actions = cls._mkdir('polkit-actions', 0o755)
        with open(os.path.join(actions, 'com.endlessm.Metrics.policy'), 'w') as f:
            f.write(substitute_user(read(POLKIT_ACTIONS), configured_user, cls.account.pw_name))
        rules = cls._mkdir('polkit-rules', 0o755)
        shutil.copy(POLKIT_RULES_EXAMPLE, os.path.join(rules, '50-eos-metrics.rules'))
        cls.polkitd = Polkitd(cls.bus, actions, rules, os.path.join(cls.root, 'polkitd.log'))
        cls.addClassCleanup(cls.polkitd.stop)
        cls.polkitd.wait_ready(cls.has_owner)
        cls._start_network_manager()

        fixture = _ClassCleanups(cls)
        cls.collector = Collector(fixture)
        ca_file = os.path.join(cls.collector.tmp, 'certs', 'ca.pem')
        os.chmod(cls.collector.tmp, 0o755)

        settings = unit_sandbox.service_settings(RECORDER_UNIT)
        cls.config_dir = cls._mkdir('config', 0o755, owner=cls.account)
        cls.state_dir = cls._mkdir('state', int(settings['CacheDirectoryMode'][-1], 8),
                                   owner=cls.account)
        cls.permissions = os.path.join(cls.config_dir, 'eos-metrics-permissions.conf')
        with open(os.path.join(cls.config_dir, 'recorder.conf'), 'w') as f:
            f.write(f'[Recorder]\nTrustFile={ca_file}\nUploadIntervalSeconds=86400\n'
                    f'UploadRequestTimeoutSeconds=5\nRegistryDirectory={REGISTRY}\n')
        os_release = os.path.join(cls.root, 'os-release')
        with open(os_release, 'w') as f:
            f.write('NAME="Sandbox OS"\nID=sandbox\nVERSION_ID=1\n')
        boot_id = os.path.join(cls.root, 'boot_id')
        with open(boot_id, 'w') as f:
            f.write('0f0e0d0c-0b0a-4908-8706-050403020100\n')
        cls.notify = NotifySocket(os.path.join(cls.root, 'notify'))
        cls.addClassCleanup(cls.notify.close)

        (rw_path,) = settings['ReadWritePaths']
        writable = {rw_path: cls.config_dir, '/var/cache/metrics/v3': cls.state_dir}
        asan = os.environ.get('ASAN_OPTIONS')
        env = {'DBUS_SYSTEM_BUS_ADDRESS': cls.bus.address,
               'GIO_USE_NETWORK_MONITOR': 'networkmanager',
               'NOTIFY_SOCKET': cls.notify.path}
        if asan:
            # LeakSanitizer stops the process with ptrace(2), which the system call filter
            # refuses, as it would under systemd; the other sanitizer tests check leaks.
            env['ASAN_OPTIONS'] = asan + ':detect_leaks=0'
        cls.sandbox = unit_sandbox.Sandbox(
            RECORDER_UNIT, cls.account.pw_name, writable,
            readable=[RECORDER, UPLOAD_HELPER, REGISTRY, os_release, boot_id, ca_file, cls.bus.directory,
                      os.path.dirname(cls.notify.path)],
            extra_env=env)
        argv = exec_start(settings, RECORDER, writable) + [
            '--config-dir', cls.config_dir, '--os-release', os_release, '--boot-id-file', boot_id]
        cls.log_path = os.path.join(cls.root, 'recorder.log')
        with open(cls.log_path, 'w') as log:
            cls.daemon = cls.sandbox.popen(argv, os.path.join(cls.root, 'seccomp.json'),
                                           stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL)
        cls.addClassCleanup(cls._kill_daemon)
        cls.ready = cls.notify.wait_for('READY=1', timeout=30)
        cls._wait_for_name()
        # The first run wrote the defaults; now the package's file, owned by root as an
        # administrator's hand edit may leave it: the recorder replaces it all the same.
        cls.first_run_permissions = global_group(cls.permissions)
        # Its server URL points at the local collector: nothing may ever leave the machine,
        # whenever the schedule wakes up after a test grants consent.
        shipped = read(SHIPPED_PERMISSIONS)
        cls.local_url = f'https://127.0.0.1:{cls.collector.port}/'
        with open(cls.permissions, 'w') as f:
            f.write(re.sub(r'(?m)^server_url=.*$', lambda _: f'server_url={cls.local_url}',
                           shipped))
        os.chown(cls.permissions, 0, 0)
        cls.client_dir = cls._mkdir('client', 0o755)
        shutil.copy(CLIENT_SCRIPT, cls.client_dir)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, 'daemon', None) is None:
            return
        if cls.daemon.poll() is not None:
            raise AssertionError(f'the recorder exited ({cls.daemon.returncode}) during the '
                                 f'tests:\n{cls.daemon_log()[-4000:]}')
        pid = unit_sandbox.main_process(cls.daemon)
        if pid is None:
            raise AssertionError('the recorder is gone:\n' + cls.daemon_log())
        os.kill(pid, signal.SIGTERM)
        rc = cls.daemon.wait(30)
        log = cls.daemon_log()
        if rc != 0 or 'runtime error:' in log or 'ERROR: AddressSanitizer' in log:
            raise AssertionError(f'the recorder did not stop cleanly (exit {rc}):\n{log[-4000:]}')

    # ------------------------------------------------------------------ fixture helpers
    @classmethod
    def _mkdir(cls, name, mode, owner=None):
        path = os.path.join(cls.root, name)
        os.makedirs(path, exist_ok=True)
        if owner:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(path, mode)
        return path

    @classmethod
    def has_owner(cls, name):
        (r,) = cls.client.call('NameHasOwner', 's', [name], **DBUS)
        return r

    @classmethod
    def _start_network_manager(cls):
        import dbus
        import dbusmock
        log = open(os.path.join(cls.root, 'networkmanager.log'), 'w')
        proc, _obj = dbusmock.DBusTestCase.spawn_server_template(
            'networkmanager', {'State': dbus.UInt32(70)}, stdout=log)
        log.close()

        def stop():
            proc.terminate()
            proc.wait(10)
        cls.addClassCleanup(stop)
        connection = dbus.bus.BusConnection(cls.bus.address)
        cls.addClassCleanup(connection.close)
        cls.nm = connection.get_object(NM_NAME, NM_PATH)
        cls.nm.AddProperty(NM_NAME, 'Metered', dbus.UInt32(NM_METERED_NO),
                           dbus_interface=MOCK_IFACE)

    def set_metered(self, value):
        import dbus
        self.nm.UpdateProperties(NM_NAME, {'Metered': dbus.UInt32(value)},
                                 dbus_interface=MOCK_IFACE)

    @classmethod
    def _wait_for_name(cls, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cls.daemon.poll() is not None:
                raise AssertionError(f'the recorder exited ({cls.daemon.returncode}) in its '
                                     f'sandbox:\n{cls.daemon_log()}')
            if cls.has_owner(BUS_NAME):
                return
            time.sleep(0.05)
        raise AssertionError('the recorder did not own its name:\n' + cls.daemon_log())

    @classmethod
    def _kill_daemon(cls):
        if cls.daemon.poll() is None:
            cls.daemon.kill()
            cls.daemon.wait()

    @classmethod
    def daemon_log(cls):
        return read(cls.log_path)

    def as_nobody(self, *commands):
        argv = ['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
                '/usr/bin/python3', os.path.join(self.client_dir, 'client.py'), self.bus.address,
                json.dumps(list(commands))]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=self.client_dir,
                           env={'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8'})
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def call_error(self, fn, *args, **kw):
        try:
            fn(*args, **kw)
        except DBusCallError as e:
            return e
        self.fail('the call succeeded')

    def control(self, method, sig='', args=(), **kw):
        return self.client.call(method, sig, args, iface=CONTROL_IFACE, **kw)

    # ------------------------------------------------------------------ tests
    def test_owns_its_name_as_the_service_user_and_reports_ready(self):
        self.assertTrue(self.ready, f'no READY=1 on NOTIFY_SOCKET: {self.notify.messages}')
        (uid,) = self.client.call('GetConnectionUnixUser', 's', [BUS_NAME], **DBUS)
        self.assertEqual(uid, self.account.pw_uid)

    def test_process_has_the_units_credentials_and_filters(self):
        pid = unit_sandbox.main_process(self.daemon)
        status = {}
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                key, _, value = line.partition(':')
                status[key] = value.split()
        uid = str(self.account.pw_uid)
        self.assertEqual(status['Uid'], [uid] * 4)
        for caps in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'):
            self.assertEqual(int(status[caps][0], 16), 0, caps)
        self.assertEqual(status['NoNewPrivs'], ['1'])
        self.assertEqual(status['Seccomp'], ['2'])
        expected_filters = len(seccomp_exec.filters(self.sandbox.seccomp_spec()))
        self.assertEqual(int(status['Seccomp_filters'][0]), expected_filters)
        self.assertEqual(status['Umask'], [self.sandbox.settings['UMask'][-1]])
        with open(f'/proc/{pid}/mountinfo') as f:
            mounts = {line.split()[4]: line.split()[5].split(',') for line in f}
        self.assertIn('ro', mounts['/'])
        self.assertIn('rw', mounts[self.state_dir])
        self.assertIn('rw', mounts[self.config_dir])
        # PrivateTmp: the host's /tmp is not what it sees (only the test's binds are there).
        with tempfile.NamedTemporaryFile(prefix='metrics-hardening-sentinel-') as sentinel:
            self.assertTrue(os.path.exists(sentinel.name))
            self.assertFalse(os.path.exists(f'/proc/{pid}/root{sentinel.name}'))

    def test_network_monitor_sees_a_metered_connection(self):
        # GIO's NetworkManager monitor needs its NETLINK_ROUTE socket as well: without
        # AF_NETLINK it falls back to "always online, never metered".
        self.client.call('SetEnabled', 'b', [True])
        state = lambda: self.client.get_property('UploadState', iface=CONTROL_IFACE)  # noqa: E731
        try:
            self.set_metered(NM_METERED_YES)
            self.wait_until(lambda: state() == 'metered', 'UploadState metered')
        finally:
            self.set_metered(NM_METERED_NO)
        self.wait_until(lambda: state() != 'metered', 'UploadState no longer metered')

    def wait_until(self, predicate, what, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        self.fail(f'timed out waiting for {what}:\n{self.daemon_log()[-3000:]}')

    def test_instrumentation_in_its_sandbox_records_through_the_recorder(self):
        self.assertTrue(os.access(INSTRUMENTATION, os.X_OK), f'{INSTRUMENTATION} is not built')
        settings = unit_sandbox.service_settings(INSTRUMENTATION_UNIT)
        state = self._mkdir('instrumentation-state', int(settings['StateDirectoryMode'][-1], 8),
                            owner=self.account)
        notify = NotifySocket(os.path.join(self.root, 'notify-instrumentation'))
        self.addCleanup(notify.close)
        env = {'DBUS_SYSTEM_BUS_ADDRESS': self.bus.address, 'NOTIFY_SOCKET': notify.path}
        if os.environ.get('ASAN_OPTIONS'):
            env['ASAN_OPTIONS'] = os.environ['ASAN_OPTIONS'] + ':detect_leaks=0'
        (name,) = settings['StateDirectory']
        sandbox = unit_sandbox.Sandbox(
            INSTRUMENTATION_UNIT, self.account.pw_name, {f'/var/lib/{name}': state},
            readable=[INSTRUMENTATION, LIBMETRICS_BUILD_DIR, self.bus.directory,
                      os.path.dirname(notify.path)],
            extra_env=env)
        log_path = os.path.join(self.root, 'instrumentation.log')
        with open(log_path, 'w') as log:
            proc = sandbox.popen(exec_start(settings, INSTRUMENTATION, {}),
                                 os.path.join(self.root, 'seccomp-instrumentation.json'),
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def stop():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        self.assertTrue(notify.wait_for('READY=1', timeout=30),
                        f'no READY=1: {notify.messages}\n{read(log_path)}')
        # Its first run gathers the daily metrics at once (lscpu, /proc, /sys) and records
        # them with the recorder, across both sandboxes and the bus policy.
        self.wait_until(lambda: self.stored(HARDWARE_INFO),
                        'hardware info from the instrumentation', timeout=60)
        os.kill(unit_sandbox.main_process(proc), signal.SIGTERM)
        self.assertEqual(proc.wait(30), 0, read(log_path))
        self.assertTrue(os.listdir(state), 'the schedule was not saved in its state directory')

    def stored(self, event_id):
        db = sqlite3.connect(f'file:{self.state_dir}/metrics.db?mode=ro', uri=True, timeout=10)
        try:
            return db.execute('SELECT COUNT(*) FROM singular WHERE event_id = ?',
                              (event_id,)).fetchone()[0]
        finally:
            db.close()

    def test_first_run_defaults_are_the_shipped_permissions_file(self):
        self.assertEqual(self.first_run_permissions, global_group(SHIPPED_PERMISSIONS))

    def test_nobody_else_may_own_the_name(self):
        (nobody,) = self.as_nobody({'op': 'call', 'method': 'RequestName', 'sig': 'su',
                                    'args': [BUS_NAME, 0], **DBUS})
        self.assertEqual(nobody.get('error'), 'org.freedesktop.DBus.Error.AccessDenied', nobody)
        root = self.call_error(self.client.call, 'RequestName', 'su', [BUS_NAME, 0], **DBUS)
        self.assertEqual(root.name, 'org.freedesktop.DBus.Error.AccessDenied')

    def test_interfaces_outside_the_policy_stay_closed(self):
        (r,) = self.as_nobody({'op': 'call', 'method': 'Anything',
                               'iface': 'com.endlessm.Metrics.Private'})
        self.assertEqual(r.get('error'), 'org.freedesktop.DBus.Error.AccessDenied', r)

    def test_any_user_records_and_the_store_keeps_their_uid(self):
        event = REGISTERED_EVENT
        (r, props) = self.as_nobody(
            {'op': 'call', 'method': 'RecordSingularEvent', 'sig': 'uayxbv',
             'args': [0, list(event), time.clock_gettime_ns(time.CLOCK_BOOTTIME), True,
                      {'$v': ['(ss)', ['ssd', 'from nobody']]}]},
            {'op': 'call', 'method': 'Get', 'sig': 'ss', 'iface': 'org.freedesktop.DBus.Properties',
             'args': [CONTROL_IFACE, 'ConsentState']})
        self.assertTrue(r['ok'], r)
        self.assertTrue(props['ok'], props)
        db = sqlite3.connect(f'file:{self.state_dir}/metrics.db?mode=ro', uri=True, timeout=10)
        try:
            uids = [u for (u,) in db.execute('SELECT uid FROM singular WHERE event_id = ?',
                                             (event,))]
        finally:
            db.close()
        self.assertEqual(uids, [NOBODY])

    def test_consent_changes_go_through_polkit_and_replace_the_file(self):
        before = read(self.permissions)
        (denied,) = self.as_nobody({'op': 'call', 'method': 'SetServerUrl', 'sig': 's',
                                    'args': ['https://${environment}.elsewhere.example/'],
                                    'iface': CONTROL_IFACE})
        self.assertEqual(denied.get('error'), 'org.freedesktop.DBus.Error.AuthFailed', denied)
        # polkitd answered (the action names the service user as its owner) and said no.
        self.assertIn('not authorized', denied.get('message', ''))
        self.assertEqual(read(self.permissions), before)

        self.client.call('SetEnabled', 'b', [True])
        permissions = global_group(self.permissions)
        self.assertEqual((permissions['enabled'], permissions['uploading_enabled']),
                         ('true', 'true'))
        self.assertEqual(os.stat(self.permissions).st_mode & 0o777, 0o644)

    def test_uploads_over_https_to_the_collector(self):
        self.control('SetServerUrl', 's', [self.local_url])
        self.client.call('SetEnabled', 'b', [True])
        for i in range(3):
            self.client.call('RecordSingularEvent', 'uayxbv',
                             [0, REGISTERED_EVENT, time.clock_gettime_ns(time.CLOCK_BOOTTIME),
                              True, GLib.Variant('(ss)', ('ssd', f'sandboxed {i}'))])
        events, requests = self.control('Upload', timeout_ms=120000)
        self.assertGreaterEqual(events, 3)
        self.assertGreaterEqual(requests, 1)
        received = [json.loads(r['request_json']) for r in self.collector.rows()]
        payloads = ' '.join(e['payload'] for r in received for e in r['singulars'])
        for i in range(3):
            self.assertIn(f"'sandboxed {i}'", payloads)


class InstrumentationSandbox(unittest.TestCase):
    """What eos-metrics-instrumentation runs and reads works in its unit's sandbox."""

    @classmethod
    def setUpClass(cls):
        require_root_and_tools()
        cls.account = stand_in_account()
        cls.root = tempfile.mkdtemp(prefix='metrics-hardening-inst-')
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        os.chmod(cls.root, 0o755)
        cls.state = os.path.join(cls.root, 'state')
        os.mkdir(cls.state)
        os.chown(cls.state, cls.account.pw_uid, cls.account.pw_gid)

    def run_in_sandbox(self, argv, env=None):
        sandbox = unit_sandbox.Sandbox(
            INSTRUMENTATION_UNIT, self.account.pw_name,
            {'/var/lib/eos-metrics-instrumentation': self.state}, extra_env=env)
        spec = os.path.join(self.root, 'seccomp.json')
        p = sandbox.popen(argv, spec, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL)
        out, err = p.communicate(timeout=60)
        return p.returncode, out.decode(), err.decode()

    def test_lscpu_json(self):
        rc, out, err = self.run_in_sandbox(['/usr/bin/lscpu', '--json'], {'LC_NUMERIC': 'C'})
        self.assertEqual(rc, 0, err)
        fields = {entry['field'] for entry in json.loads(out)['lscpu']}
        self.assertIn('Architecture:', fields)

    def test_no_network_but_the_file_system_bus_socket_path(self):
        script = ('import socket\n'
                  'for fam in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK):\n'
                  '    try:\n'
                  '        socket.socket(fam, socket.SOCK_DGRAM)\n'
                  '        print("opened", fam)\n'
                  '    except OSError as e:\n'
                  '        print("refused", fam, e.errno)\n'
                  'socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n'
                  'print("unix ok")\n')
        rc, out, err = self.run_in_sandbox(['/usr/bin/python3', '-c', script])
        self.assertEqual(rc, 0, err)
        self.assertNotIn('opened', out)
        self.assertIn('unix ok', out)


if __name__ == '__main__':
    if os.geteuid() != 0:
        print('skipped: needs root (it runs the daemons as other users)')
        sys.exit(SKIP)
    unittest.main(verbosity=2)
