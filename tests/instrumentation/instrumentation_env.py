# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration test support for eos-metrics-instrumentation.

Each test gets tests/integration/harness.py's world (a private dbus-daemon configured
like a system bus, in a temporary directory) and adds:

* the daemon under test, with a source root merged from the fixture trees in
  tests/fixtures/instrumentation (storage, DMI, locale, meminfo) plus a boot id of its
  own, an lscpu stand-in that prints a fixture, its own state directory and config file;
* dbusmock stand-ins for what it talks to: logind and systemd (dbusmock's templates),
  hostname1 and locale1 (plain mock objects with their properties), and either the
  stand-in recorder of tests/libmetrics (every call logged) or the real recorder.

Nothing touches /etc, /var or the host's buses. Run with Debian's /usr/bin/python3.
"""

import configparser
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from harness import BUILD_DIR, Harness, GLib  # noqa: E402

import dbus  # noqa: E402
import dbusmock  # noqa: E402

FIXTURES = os.path.join(HERE, '..', 'fixtures', 'instrumentation')
DAEMON = os.path.join(BUILD_DIR, 'instrumentation', 'eos-metrics-instrumentation')
MOCK_RECORDER = os.path.join(HERE, '..', 'libmetrics', 'metrics_mock.py')
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

RECORDER_NAME = 'com.endlessm.Metrics'
RECORDER_PATH = '/com/endlessm/Metrics'
LOGIN_MANAGER = 'org.freedesktop.login1.Manager'
SYSTEMD_MANAGER = 'org.freedesktop.systemd1.Manager'
HOSTNAME = 'org.freedesktop.hostname1'
LOCALE = 'org.freedesktop.locale1'

# The approved metrics (registry/*.json).
STARTUP_FINISHED = 'bf7e8aed-2932-455c-a28e-d407cfd5aaba'
SESSION_TIME = '5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f'
HARDWARE_INFO = '81f303aa-448d-443d-97f9-8d8a9169321c'
PRIMARY_STORAGE = 'af253a97-88ce-4daa-84c6-1157dcf802c5'
HARDWARE_MODEL = '459fd042-e1c8-4523-9d3e-cab8095a1ca2'
SYSTEM_LOCALE = '61d6b53a-559d-4ed3-8241-0a337d14bce0'
DAILY = (HARDWARE_INFO, PRIMARY_STORAGE, HARDWARE_MODEL, SYSTEM_LOCALE)

SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:')

# A boot with an initrd, µs: what the Manager's properties say, and the signal's six
# numbers computed from them the way systemd does.
BOOT_STAMPS = {
    'FirmwareTimestampMonotonic': 7_500_000,
    'LoaderTimestampMonotonic': 2_500_000,
    'InitRDTimestampMonotonic': 1_200_000,
    'UserspaceTimestampMonotonic': 4_700_000,
    'FinishTimestampMonotonic': 15_900_000,
}
BOOT_TIMES = (5_000_000, 2_500_000, 1_200_000, 3_500_000, 11_200_000, 23_400_000)


def boottime_ns():
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)


GIB = 1 << 30


def lscpu_fields(fixture):
    """Model name, CPU(s), CPU max MHz and Flags of a flat lscpu --json fixture."""
    with open(os.path.join(FIXTURES, 'lscpu', fixture)) as f:
        entries = json.load(f)['lscpu']
    fields = {e['field']: e['data'] for e in entries}
    return (fields['Model name:'], int(fields['CPU(s):']), float(fields['CPU max MHz:']),
            fields['Flags:'])


def root_fs_gib(path):
    """Total, used and free GiB of the filesystem holding `path`, rounded half up as the
    daemon rounds them."""
    st = os.statvfs(path)
    return tuple((n * st.f_frsize + GIB // 2) // GIB
                 for n in (st.f_blocks, st.f_blocks - st.f_bfree, st.f_bavail))


class Instrumentation:
    """The daemon under test, with its own source root, state, config and lscpu."""

    def __init__(self, env, storage='nvme-btrfs-luks', dmi='lenovo-laptop', locale='de',
                 meminfo='laptop-16g', lscpu='good-x86-laptop.json'):
        self.env = env
        self.dir = os.path.join(env.root, 'instrumentation')
        os.mkdir(self.dir)
        self.root = os.path.join(self.dir, 'root')
        for tree in (f'storage/{storage}', f'dmi/{dmi}', f'locale/{locale}',
                     f'meminfo/{meminfo}'):
            shutil.copytree(os.path.join(FIXTURES, tree), self.root, symlinks=True,
                            dirs_exist_ok=True)
        self.boot_id = None
        self.set_boot_id(str(uuid.uuid4()))
        self.state_dir = os.path.join(self.dir, 'state')
        self.config_file = os.path.join(self.dir, 'instrumentation.conf')
        self.lscpu_fixture = os.path.join(FIXTURES, 'lscpu', lscpu)
        self.lscpu = os.path.join(self.dir, 'lscpu')
        with open(self.lscpu, 'w') as f:
            # Prints the fixture only when called as the catalog says.
            f.write('#!/bin/sh\n'
                    '[ "$1" = --json ] && [ "$LC_NUMERIC" = C ] || exit 64\n'
                    f'exec cat "{self.lscpu_fixture}"\n')
        os.chmod(self.lscpu, 0o755)
        self.proc = None
        self.runs = 0

    # ---------------------------------------------------------------- sources
    def set_boot_id(self, boot_id):
        """A reboot, as the daemon sees it."""
        self.boot_id = boot_id
        path = os.path.join(self.root, 'proc', 'sys', 'kernel', 'random')
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, 'boot_id'), 'w') as f:
            f.write(boot_id + '\n')

    def write_config(self, text):
        with open(self.config_file, 'w') as f:
            f.write(text)

    @property
    def schedule_file(self):
        return os.path.join(self.state_dir, 'schedule')

    def schedule(self):
        cp = configparser.ConfigParser(interpolation=None)
        cp.optionxform = str
        cp.read(self.schedule_file)
        return cp

    def write_schedule(self, text):
        os.makedirs(self.state_dir, exist_ok=True)
        with open(self.schedule_file, 'w') as f:
            f.write(text)

    # ---------------------------------------------------------------- process
    def log_path(self, run=None):
        return os.path.join(self.env.log_dir, f'instrumentation-{run or self.runs}.log')

    def start(self, wait_ready=True, extra_args=(), env=None):
        assert self.proc is None or self.proc.poll() is not None, 'already running'
        self.runs += 1
        e = dict(os.environ)
        e['DBUS_SYSTEM_BUS_ADDRESS'] = self.env.bus_address
        e.pop('JOURNAL_STREAM', None)
        e.pop('STATE_DIRECTORY', None)
        if env:
            e.update(env)
        args = [DAEMON, '--source-root', self.root, '--state-dir', self.state_dir,
                '--config-file', self.config_file, '--lscpu', self.lscpu, *extra_args]
        with open(self.log_path(), 'w') as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=e,
                                         stdin=subprocess.DEVNULL)
        if wait_ready:
            self.wait_log('] ready')
        return self.proc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals the daemon and waits; returns its exit status."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f'the daemon did not exit within {timeout}s:\n' + self.log())
        return self.proc.returncode

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def log(self, run=None):
        path = self.log_path(run)
        if not os.path.exists(path):
            return ''
        with open(path, errors='replace') as f:
            return f.read()

    def all_logs(self):
        return '\n'.join(f'--- instrumentation run {i} ---\n' + self.log(i)
                         for i in range(1, self.runs + 1))

    def wait_log(self, text, timeout=20, run=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log(run)
            if text in log:
                return log
            if run is None and self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f'the daemon exited ({self.proc.returncode}) before '
                                     f'logging {text!r}:\n{log}')
            time.sleep(0.02)
        raise AssertionError(f'the daemon did not log {text!r} within {timeout}s:\n' +
                             self.log(run))


class Mocks:
    """dbusmock stand-ins on the test bus; each is started on demand."""

    def __init__(self, env):
        self.env = env
        self.bus = dbus.bus.BusConnection(env.bus_address)
        self.recorder = None
        self.logind = None
        self.systemd = None
        self.hostname1 = None
        self.locale1 = None

    def close(self):
        self.bus.close()

    def _log(self, name):
        return open(os.path.join(self.env.log_dir, f'{name}.log'), 'w')

    def _template(self, template, name):
        with self._log(name) as log:
            proc, obj = dbusmock.DBusTestCase.spawn_server_template(template, {}, stdout=log)
        self.env.extra_procs.append(proc)
        return proc, obj

    def _plain(self, bus_name, path, interface, properties):
        with self._log(bus_name) as log:
            proc = dbusmock.DBusTestCase.spawn_server(bus_name, path, interface,
                                                      system_bus=True, stdout=log)
        self.env.extra_procs.append(proc)
        obj = self.bus.get_object(bus_name, path)
        obj.AddProperties(interface, dbus.Dictionary(properties, signature='sv'),
                          dbus_interface=MOCK_IFACE)
        return proc, obj

    # ---------------------------------------------------------------- recorder stand-in
    def start_recorder(self):
        self.recorder = self._template(MOCK_RECORDER, 'mock-recorder')[1]

    def recorder_calls(self, method, path=RECORDER_PATH):
        """The logged calls of `method`, each a list of its arguments as GLib.Variants."""
        reply = self.env.client.conn.call_sync(
            RECORDER_NAME, path, MOCK_IFACE, 'GetMethodCalls', GLib.Variant('(s)', (method,)),
            GLib.VariantType.new('(a(tav))'), 0, -1, None)
        calls = reply.get_child_value(0)
        out = []
        for i in range(calls.n_children()):
            args = calls.get_child_value(i).get_child_value(1)
            out.append([args.get_child_value(j).get_variant() for j in range(args.n_children())])
        return out

    def singulars(self):
        """[(event id, uid, payload GLib.Variant or None)] of RecordSingularEvent calls."""
        out = []
        for args in self.recorder_calls('RecordSingularEvent'):
            event = str(uuid.UUID(bytes=bytes(args[1].unpack())))
            payload = args[4] if args[3].get_boolean() else None
            out.append((event, args[0].get_uint32(), payload))
        return out

    def singulars_of(self, event_id):
        return [payload for event, _uid, payload in self.singulars() if event == event_id]

    def timers(self):
        """[(uid, event id, timer path, stopped)] of StartAggregateTimer calls, in order
        (the stand-in numbers its timers 1, 2, … in the order it was asked)."""
        out = []
        for n, args in enumerate(self.recorder_calls('StartAggregateTimer'), start=1):
            path = f'{RECORDER_PATH}/AggregateTimer{n}'
            stopped = len(self.recorder_calls('StopTimer', path)) > 0
            out.append((args[0].get_uint32(), str(uuid.UUID(bytes=bytes(args[1].unpack()))),
                        path, stopped))
        return out

    # ---------------------------------------------------------------- logind
    def start_logind(self, users=()):
        """users: [(uid, name)] logind lists from the start."""
        self.logind = self._template('logind', 'logind')[1]
        for uid, name in users:
            self.logind.AddUser(dbus.UInt32(uid), name, True, dbus_interface=MOCK_IFACE)

    def user_new(self, uid, name):
        path = self.logind.AddUser(dbus.UInt32(uid), name, True, dbus_interface=MOCK_IFACE)
        self.logind.EmitSignal(LOGIN_MANAGER, 'UserNew', 'uo',
                               [dbus.UInt32(uid), dbus.ObjectPath(path)],
                               dbus_interface=MOCK_IFACE)

    def user_removed(self, uid):
        path = f'/org/freedesktop/login1/user/{uid}'
        self.logind.RemoveObject(path, dbus_interface=MOCK_IFACE)
        self.logind.EmitSignal(LOGIN_MANAGER, 'UserRemoved', 'uo',
                               [dbus.UInt32(uid), dbus.ObjectPath(path)],
                               dbus_interface=MOCK_IFACE)

    # ---------------------------------------------------------------- systemd
    def start_systemd(self, stamps=None, virtualization=''):
        """stamps: the Manager's *TimestampMonotonic properties (FinishTimestampMonotonic
        0 while booting)."""
        self.systemd = self._template('systemd', 'systemd')[1]
        self.systemd.AddMethod(SYSTEMD_MANAGER, 'Subscribe', '', '', '',
                               dbus_interface=MOCK_IFACE)
        properties = {name: dbus.UInt64(0) for name in BOOT_STAMPS}
        for name, value in (stamps or {}).items():
            properties[name] = dbus.UInt64(value)
        properties['Virtualization'] = dbus.String(virtualization)
        self.systemd.AddProperties(SYSTEMD_MANAGER, dbus.Dictionary(properties, signature='sv'),
                                   dbus_interface=MOCK_IFACE)

    def systemd_calls(self, method):
        return self.systemd.GetMethodCalls(method, dbus_interface=MOCK_IFACE)

    def startup_finished(self, times=BOOT_TIMES):
        self.systemd.EmitSignal(SYSTEMD_MANAGER, 'StartupFinished', 'tttttt',
                                [dbus.UInt64(t) for t in times], dbus_interface=MOCK_IFACE)

    # ---------------------------------------------------------------- hostname1, locale1
    def start_hostname1(self, vendor, model, chassis):
        self.hostname1 = self._plain(HOSTNAME, '/org/freedesktop/hostname1', HOSTNAME, {
            'Hostname': dbus.String('itest'),
            'HardwareVendor': dbus.String(vendor),
            'HardwareModel': dbus.String(model),
            'Chassis': dbus.String(chassis),
        })[1]

    def start_locale1(self, assignments):
        self.locale1 = self._plain(LOCALE, '/org/freedesktop/locale1', LOCALE, {
            'Locale': dbus.Array(assignments, signature='s'),
            'VConsoleKeymap': dbus.String('de'),
        })[1]


class InstrumentationTestCase(unittest.TestCase):
    """A private bus and the daemon's fixtures; mocks and the daemon start in the test.
    Subclasses may set FIXTURES_KW to pick other fixture trees."""

    FIXTURES_KW = {}

    def setUp(self):
        if not os.path.exists(DAEMON):
            self.fail(f'daemon not built: {DAEMON} (set METRICS_BUILD_DIR)')
        self.env = Harness()
        self.addCleanup(self.env.close)
        self.env.start_bus()
        self.daemon = Instrumentation(self.env, **self.FIXTURES_KW)
        self.addCleanup(self.daemon.kill)
        self.mocks = Mocks(self.env)
        self.addCleanup(self.mocks.close)
        # Runs first: a clean stop, then the log check (a sanitizer reports at exit).
        self.addCleanup(self.check_daemon_logs)

    def check_daemon_logs(self):
        if self.daemon.alive():
            self.daemon.stop()
        logs = self.daemon.all_logs()
        found = [m for m in SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the daemon log ({", ".join(found)}):\n{logs[-6000:]}')
        self.assertNotIn('CRITICAL', logs)

    def wait_until(self, predicate, timeout=20, what='condition'):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f'timed out after {timeout}s waiting for {what}\n' +
                          self.daemon.all_logs())
            time.sleep(0.05)

    def settle(self, seconds=0.5):
        """Time for surplus calls to show, after the wanted ones arrived."""
        time.sleep(seconds)
