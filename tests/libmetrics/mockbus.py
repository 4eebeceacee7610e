# SPDX-License-Identifier: GPL-2.0-or-later
"""A private bus configured like the system bus, with the dbusmock stand-in of the
recorder (metrics_mock.py) on demand. Used by the libmetrics tests (Python, gjs, and as
the runner of the C tests). Run with Debian's /usr/bin/python3 (dbusmock, gi)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, 'metrics_mock.py')
BUS_NAME = 'com.endlessm.Metrics'
MAIN_PATH = '/com/endlessm/Metrics'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

# The bus configuration the recorder's integration tests use (one copy for both).
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
from harness import BUS_CONFIG  # noqa: E402
from private_bus import PrivateDbusDaemon  # noqa: E402


class PrivateBus:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='emtr-test-')
        os.chmod(self.root, 0o755)
        self.bus = PrivateDbusDaemon(self.root, BUS_CONFIG,
                                     os.path.join(self.root, 'dbus-daemon.log'), open_to_all=True)
        self.bus_proc = self.bus.proc
        self.address = self.bus.address
        self.mock_proc = None
        self.mock_log = None
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def environment(self):
        return {'DBUS_SYSTEM_BUS_ADDRESS': self.address,
                'DBUS_SESSION_BUS_ADDRESS': self.address,
                'EMTR_TEST_BUS_PID': str(self.bus_proc.pid),
                'EMTR_TEST_MOCK_TEMPLATE': TEMPLATE}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ the stand-in recorder
    def start_mock(self, timer_start_delay=0.0):
        assert self.mock_proc is None
        env = dict(os.environ)
        env['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        self.mock_log = open(os.path.join(self.root, 'mock.log'), 'a')
        argv = ['/usr/bin/python3', '-m', 'dbusmock', '--system', '--template', TEMPLATE]
        if timer_start_delay:
            argv += ['--parameters', '{"timer_start_delay": %f}' % timer_start_delay]
        self.mock_proc = subprocess.Popen(argv, env=env, stdout=self.mock_log,
                                          stderr=subprocess.STDOUT)
        self._wait_owner(True)

    def stop_mock(self):
        if self.mock_proc is None:
            return
        self.mock_proc.terminate()
        self.mock_proc.wait(10)
        self.mock_proc = None
        self.mock_log.close()
        self._wait_owner(False)

    def _wait_owner(self, owned, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (has,) = self.conn.call_sync(
                'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                'NameHasOwner', GLib.Variant('(s)', (BUS_NAME,)), None, 0, -1, None).unpack()
            if has == owned:
                return
            time.sleep(0.01)
        raise RuntimeError(f'{BUS_NAME} owned={owned} not reached')

    def calls(self, method, path=MAIN_PATH):
        """[args list] of every logged call of `method` on `path`, oldest first."""
        (calls,) = self.conn.call_sync(
            BUS_NAME, path, MOCK_IFACE, 'GetMethodCalls', GLib.Variant('(s)', (method,)),
            GLib.VariantType.new('(a(tav))'), 0, -1, None).unpack()
        return [list(args) for _t, args in calls]

    def raw_calls(self, method, path=MAIN_PATH):
        """The GLib.Variant a(tav) of the call log (keeps payload types)."""
        r = self.conn.call_sync(
            BUS_NAME, path, MOCK_IFACE, 'GetMethodCalls', GLib.Variant('(s)', (method,)),
            GLib.VariantType.new('(a(tav))'), 0, -1, None)
        return r.get_child_value(0)

    def clear(self):
        self.conn.call_sync(BUS_NAME, MAIN_PATH, MOCK_IFACE, 'ClearCalls', None, None, 0, -1,
                            None)

    def wait_calls(self, method, n, path=MAIN_PATH, timeout=10, settle=0.1):
        """Waits until `method` was called at least n times, then a little longer so that
        surplus calls would show; returns the calls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.calls(method, path)
            if len(got) >= n:
                time.sleep(settle)
                return self.calls(method, path)
            time.sleep(0.02)
        return self.calls(method, path)

    # ------------------------------------------------------------ the bus itself
    def pause_bus(self):
        self.bus_proc.send_signal(signal.SIGSTOP)

    def resume_bus(self):
        self.bus_proc.send_signal(signal.SIGCONT)

    def close(self):
        try:
            self.stop_mock()
        except Exception:
            if self.mock_proc:
                self.mock_proc.kill()
        try:
            self.conn.close_sync(None)
        except GLib.Error:
            pass
        self.bus.stop()
        if os.environ.get('EMTR_TEST_KEEP'):
            print(f'kept {self.root}')
        else:
            shutil.rmtree(self.root, ignore_errors=True)
