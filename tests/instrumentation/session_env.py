# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration test support for eos-metrics-session-collector.

Each test gets tests/integration/harness.py's world (a private dbus-daemon configured like
a system bus, for the recorder or its stand-in) and adds:

* a second private dbus-daemon configured like a session bus, with a dbusmock stand-in for
  the systemd user manager on it (systemd_user_mock.py);
* the collector under test, reading this checkout's registry/, with its own state
  directory, both switch files, a boot id of its own and a podman stand-in that prints a
  fixture of tests/fixtures/instrumentation/podman (times relative to now) and logs how it
  was called.

Nothing touches /etc, /var, the host's buses or a real podman. Run with /usr/bin/python3.
"""

import os
import signal
import subprocess
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))

from harness import BUILD_DIR, REGISTRY_DIR, GLib  # noqa: E402
from private_bus import PrivateDbusDaemon  # noqa: E402
from instrumentation_env import (FIXTURES, MOCK_IFACE, SANITIZER_MARKERS, Mocks,  # noqa: E402
                                 InstrumentationTestCase)

import dbus  # noqa: E402
import dbusmock  # noqa: E402

COLLECTOR = os.path.join(BUILD_DIR, 'instrumentation', 'eos-metrics-session-collector')
USER_MANAGER_MOCK = os.path.join(HERE, 'systemd_user_mock.py')
PODMAN_FIXTURES = os.path.join(FIXTURES, 'podman')

IDE_USAGE = '49d0451a-f706-4f50-81d2-70cc0ec923a4'
IDE_USAGE_MONTHLY = '22cdaa7c-e125-5f65-a535-c8345e5434f2'
TOOLBX = '1d6482fd-00c8-4223-8be8-dfacacd92ae7'

SESSION_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# A podman stand-in: answers only the call the collector is to make, logs each call, and
# prints its fixture with @NOW-N@ replaced by the Unix time N seconds ago.
PODMAN_SCRIPT = """#!/usr/bin/python3
import os, re, sys, time
with open({log!r}, 'a') as log:
    log.write(' '.join(sys.argv[1:]) + '\\n')
if sys.argv[1:] != ['ps', '--all', '--filter', 'label=com.github.containers.toolbox=true',
                    '--format', 'json']:
    sys.exit(64)
mode = {mode!r}
if mode == 'hang':
    time.sleep(3600)
if mode == 'fail':
    sys.stderr.write('Error: cannot set up namespace\\n')
    sys.exit(125)
with open({fixture!r}) as f:
    text = f.read()
now = int(time.time())
sys.stdout.write(re.sub(r'@NOW-([0-9]+)@', lambda m: str(now - int(m.group(1))), text))
"""


class SessionBus:
    """A private dbus-daemon configured like a session bus."""

    def __init__(self, env):
        directory = os.path.join(env.root, 'session-bus')
        os.mkdir(directory)
        self.bus = PrivateDbusDaemon(directory, SESSION_BUS_CONFIG,
                                     os.path.join(env.log_dir, 'session-bus.log'), socket_name='bus')
        self.proc = self.bus.proc
        self.address = self.bus.address
        env.extra_procs.append(self.proc)

    def close(self):
        self.bus.stop()


class UserManager:
    """The systemd user manager stand-in on the session bus."""

    def __init__(self, env, session_bus):
        saved = os.environ.get('DBUS_SESSION_BUS_ADDRESS')
        os.environ['DBUS_SESSION_BUS_ADDRESS'] = session_bus.address
        try:
            with open(os.path.join(env.log_dir, 'user-manager.log'), 'w') as log:
                self.proc, self.obj = dbusmock.DBusTestCase.spawn_server_template(
                    USER_MANAGER_MOCK, {}, stdout=log, system_bus=False)
        finally:
            os.environ['DBUS_SESSION_BUS_ADDRESS'] = saved
        env.extra_procs.append(self.proc)

    def add_unit(self, name, state='active'):
        return str(self.obj.AddUnit(name, state, dbus_interface=MOCK_IFACE))

    def set_state(self, name, state):
        self.obj.SetUnitState(name, state, dbus_interface=MOCK_IFACE)

    def remove_unit(self, name):
        self.obj.RemoveUnit(name, dbus_interface=MOCK_IFACE)

    def subscribers(self):
        return int(self.obj.Subscribers(dbus_interface=MOCK_IFACE))

    def calls(self, method):
        return self.obj.GetMethodCalls(method, dbus_interface=MOCK_IFACE)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


class SessionCollector:
    """The collector under test, with its own state, switches, boot id and podman."""

    def __init__(self, env, session_bus):
        self.env = env
        self.session_bus = session_bus
        self.dir = os.path.join(env.root, 'session-collector')
        os.mkdir(self.dir)
        self.root = os.path.join(self.dir, 'root')
        self.state_dir = os.path.join(self.dir, 'state')
        self.config_file = os.path.join(self.dir, 'session-collector.conf')
        self.user_config_file = os.path.join(self.dir, 'user', 'session-collector.conf')
        self.podman = os.path.join(self.dir, 'podman')
        self.podman_log = os.path.join(self.dir, 'podman.log')
        self.registry_dir = REGISTRY_DIR
        self.podman_timeout = 20
        self.boot_id = None
        self.set_boot_id(str(uuid.uuid4()))
        self.set_podman('none.json')
        self.proc = None
        self.runs = 0

    # ---------------------------------------------------------------- sources
    def set_boot_id(self, boot_id):
        self.boot_id = boot_id
        path = os.path.join(self.root, 'proc', 'sys', 'kernel', 'random')
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, 'boot_id'), 'w') as f:
            f.write(boot_id + '\n')

    def set_podman(self, fixture, mode='print'):
        """mode: 'print' the fixture, 'hang', or 'fail' with status 125."""
        with open(self.podman, 'w') as f:
            f.write(PODMAN_SCRIPT.format(log=self.podman_log, mode=mode,
                                         fixture=os.path.join(PODMAN_FIXTURES, fixture)))
        os.chmod(self.podman, 0o755)

    def podman_calls(self):
        if not os.path.exists(self.podman_log):
            return []
        with open(self.podman_log) as f:
            return f.read().splitlines()

    def write_config(self, text, user=False):
        path = self.user_config_file if user else self.config_file
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)

    @property
    def schedule_file(self):
        return os.path.join(self.state_dir, 'schedule')

    def schedule_text(self):
        with open(self.schedule_file) as f:
            return f.read()

    def write_schedule(self, text):
        os.makedirs(self.state_dir, exist_ok=True)
        with open(self.schedule_file, 'w') as f:
            f.write(text)

    # ---------------------------------------------------------------- process
    def log_path(self, run=None):
        return os.path.join(self.env.log_dir, f'session-collector-{run or self.runs}.log')

    def start(self, wait_ready=True, extra_args=(), env=None, session_bus=True):
        assert self.proc is None or self.proc.poll() is not None, 'already running'
        self.runs += 1
        e = dict(os.environ)
        e['DBUS_SYSTEM_BUS_ADDRESS'] = self.env.bus_address
        e['DBUS_SESSION_BUS_ADDRESS'] = (self.session_bus.address if session_bus else
                                         'unix:path=/nonexistent/session-bus')
        for name in ('JOURNAL_STREAM', 'STATE_DIRECTORY', 'NOTIFY_SOCKET'):
            e.pop(name, None)
        if env:
            e.update(env)
        args = [COLLECTOR, '--registry-dir', self.registry_dir, '--state-dir', self.state_dir,
                '--config-file', self.config_file, '--user-config-file', self.user_config_file,
                '--source-root', self.root, '--podman', self.podman,
                '--podman-timeout', str(self.podman_timeout), *extra_args]
        with open(self.log_path(), 'w') as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=e,
                                         stdin=subprocess.DEVNULL)
        if wait_ready:
            self.wait_log('] ready')
        return self.proc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f'the collector did not exit within {timeout}s:\n' + self.log())
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
        return '\n'.join(f'--- session collector run {i} ---\n' + self.log(i)
                         for i in range(1, self.runs + 1))

    def wait_log(self, text, timeout=20, run=None, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log(run)
            if log.count(text) >= count:
                return log
            if run is None and self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f'the collector exited ({self.proc.returncode}) before '
                                     f'logging {text!r}:\n{log}')
            time.sleep(0.02)
        raise AssertionError(f'the collector did not log {text!r} within {timeout}s:\n' +
                             self.log(run))


def recorder_calls_of(mocks, event_id):
    """(method, payload text) of every call the stand-in recorder got for `event_id`."""
    out = []
    for method in ('RecordSingularEvent', 'RecordAggregateEvent', 'RecordEventSequence',
                   'StartAggregateTimer'):
        for args in mocks.recorder_calls(method):
            if str(uuid.UUID(bytes=bytes(args[1].unpack()))) != event_id:
                continue
            payload = args[-1] if method != 'RecordEventSequence' else None
            has = args[-2].get_boolean() if method != 'RecordEventSequence' else False
            out.append((method, payload.print_(False) if has else None))
    return out


class SessionTestCase(InstrumentationTestCase):
    """A private system bus (the stand-in recorder unless a test starts another), a
    private session bus with the user-manager stand-in, and the collector's fixtures."""

    START_USER_MANAGER = True
    START_RECORDER = True

    def setUp(self):
        super().setUp()
        self.session_bus = SessionBus(self.env)
        self.addCleanup(self.session_bus.close)
        self.collector = SessionCollector(self.env, self.session_bus)
        self.addCleanup(self.collector.kill)
        self.addCleanup(self.check_collector_logs)
        self.manager = UserManager(self.env, self.session_bus) if self.START_USER_MANAGER else None
        if self.START_RECORDER:
            self.mocks.start_recorder()

    def check_collector_logs(self):
        if self.collector.alive():
            self.collector.stop()
        logs = self.collector.all_logs()
        found = [m for m in SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the collector log ({", ".join(found)}):\n'
                      f'{logs[-6000:]}')
        self.assertNotIn('CRITICAL', logs)

    def calls_for(self, event_id):
        return recorder_calls_of(self.mocks, event_id)

    def all_recorder_calls(self):
        return self.mocks.recorder.GetCalls(dbus_interface=MOCK_IFACE)

    def timers_of(self, event_id=IDE_USAGE):
        """[(payload text, timer path, stopped)] of the stand-in recorder's timers, in order."""
        out = []
        for n, args in enumerate(self.mocks.recorder_calls('StartAggregateTimer'), start=1):
            if str(uuid.UUID(bytes=bytes(args[1].unpack()))) != event_id:
                continue
            path = f'/com/endlessm/Metrics/AggregateTimer{n}'
            stopped = len(self.mocks.recorder_calls('StopTimer', path)) > 0
            payload = args[3].print_(False) if args[2].get_boolean() else None
            out.append((payload, path, stopped))
        return out

    def wait_for(self, predicate, timeout=20, what='condition'):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f'timed out after {timeout}s waiting for {what}\n' +
                          self.collector.all_logs())
            time.sleep(0.05)

