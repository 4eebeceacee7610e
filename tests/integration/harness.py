# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration test harness for eos-metrics-event-recorder.

Every test gets its own world in a temporary directory:

* a private dbus-daemon configured like a system bus (EXTERNAL auth, a policy
  that lets any user connect, own, send and receive);
* (on demand) dbusmock's polkitd template on that bus;
* the recorder daemon with its own config dir, permissions file, state dir,
  os-release and boot-id files.

The recorder reads this checkout's registry/ with RegistryMode=permissive unless a test
asks for the registry to be enforced (start_daemon(registry_mode='enforce',
registry_directory=...)): most tests record random UUIDs, which no registry holds.

Nothing here touches /etc, /var or the host's buses: DBUS_SYSTEM_BUS_ADDRESS
points at the private bus for the test process and every child.

Run with Debian's /usr/bin/python3 (needs gi, dbus and dbusmock).
The daemon is found through $METRICS_BUILD_DIR (default: ../../build).
"""

import configparser
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

from private_bus import PrivateDbusDaemon  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, '..', '..'))
# The registry files this repository installs.
REGISTRY_DIR = os.path.join(SOURCE_DIR, 'registry')
BUILD_DIR = os.environ.get('METRICS_BUILD_DIR', os.path.join(SOURCE_DIR, 'build'))
DAEMON = os.path.join(BUILD_DIR, 'daemon', 'eos-metrics-event-recorder')
CONTRACT_XML = os.path.join(SOURCE_DIR, 'dbus', 'com.endlessm.Metrics.xml')
PYTHON = '/usr/bin/python3'

BUS_NAME = 'com.endlessm.Metrics'
OBJECT_PATH = '/com/endlessm/Metrics'
SERVER_IFACE = 'com.endlessm.Metrics.EventRecorderServer'
TIMER_IFACE = 'com.endlessm.Metrics.AggregateTimer'
CONTROL_IFACE = 'com.endlessm.Metrics.Control1'
TIMER_PATH_PREFIX = '/com/endlessm/Metrics/AggregateTimer'
ERROR_PREFIX = 'com.endlessm.Metrics.Error.'
POLKIT_SET_ENABLED = 'com.endlessm.Metrics.SetEnabled'
POLKIT_RESET_TRACKING_ID = 'com.endlessm.Metrics.ResetTrackingId'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

NOBODY = 65534
OTHER_UID = 5  # 'games': an existing account (the bus refuses uids without one)
OS_VERSION = '6.0.0-itest'

CALL_TIMEOUT_MS = 20000
# How long a wait may last before it fails. Only a hang ends there: every wait ends on an
# event or a state (see wait_until), so no test's outcome depends on this figure.
SAFETY_TIMEOUT_S = 120

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <limit name="max_replies_per_connection">128</limit>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow send_type="signal"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""

DEFAULT_PERMISSIONS = """# Test permissions file
[global]
enabled=true
uploading_enabled=false
environment=test
server_url=https://127.0.0.1:9/
"""


def random_event_id():
    return uuid.uuid4().bytes


def monthly_id(daily):
    """The monthly UUID of a daily aggregate event id (bytes -> bytes)."""
    return uuid.uuid5(uuid.UUID(bytes=bytes(daily)), 'monthly').bytes


def boottime_ns():
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)


def zone_with_midnight_at(midnight):
    """A fixed-offset zone (POSIX TZ) whose local midnight is at Unix time `midnight`:
    (TZ value, the local day that ends there, the local day that begins)."""
    off = (-midnight) % 86400            # local = utc + off
    if off > 43200:
        off -= 86400
    posix = -off                         # POSIX TZ offsets are west-positive
    h, rem = divmod(abs(posix), 3600)
    m, s = divmod(rem, 60)
    tz = f'ITZ{"-" if posix < 0 else "+"}{h:02d}:{m:02d}:{s:02d}'
    old_day = time.strftime('%Y-%m-%d', time.gmtime(midnight - 1 + off))
    new_day = time.strftime('%Y-%m-%d', time.gmtime(midnight + off))
    return tz, old_day, new_day


# A test that needs something done before a local midnight picks a zone whose midnight is
# this many seconds ahead, and a farther one when its machine was too slow for the first.
MIDNIGHT_LEADS_S = (3, 6, 15, 40)


def today():
    return time.strftime('%Y-%m-%d')


def this_month():
    return time.strftime('%Y-%m')


def decode_payload(blob):
    """Stored payload (serialized GVariant of type 'v', or empty) -> GLib.Variant or None."""
    if blob is None or len(blob) == 0:
        return None
    v = GLib.Variant.new_from_bytes(GLib.VariantType.new('v'), GLib.Bytes.new(bytes(blob)), False)
    return v.get_variant()


def payload_key(blob):
    """A comparable form of a stored payload: (type string, unpacked value) or None."""
    v = decode_payload(blob)
    if v is None:
        return None
    return (v.get_type_string(), v.unpack())


def wait_until(predicate, what, timeout=SAFETY_TIMEOUT_S, details=None, poll_ms=20):
    """Returns the first true value of predicate(), checked again after anything happens on
    the default GLib main context (a D-Bus signal or reply is dispatched there) and at least
    every poll_ms for states only a look shows (a file, a row, a property read with Get).
    Fails after `timeout` seconds, naming `what` (and details(), when given): a safety net
    that turns a hang into a failure, never the proof of anything."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = ('\n' + details()) if details else ''
            raise AssertionError(f'gave up after {timeout:g} s waiting for {what}{extra}')
        # Wakes on the next event of the context, or after poll_ms when none comes.
        tick = GLib.timeout_source_new(poll_ms)
        tick.set_callback(lambda *_: GLib.SOURCE_REMOVE)
        tick.attach(ctx)
        ctx.iteration(True)
        tick.destroy()


class PropertiesWatch:
    """The PropertiesChanged signals of one interface of the recorder's object, in the
    order they arrive on `client`'s connection: [(changed dict, invalidated list)]."""

    def __init__(self, client, iface):
        self.iface = iface
        self.seen = []
        self._conn = client.conn
        self._sub = self._conn.signal_subscribe(
            BUS_NAME, 'org.freedesktop.DBus.Properties', 'PropertiesChanged', OBJECT_PATH,
            iface, Gio.DBusSignalFlags.NONE, self._on_signal)

    def _on_signal(self, _conn, _sender, _path, _iface, _name, params):
        iface, changed, invalidated = params.unpack()
        if iface == self.iface:
            self.seen.append((changed, invalidated))

    def pump(self):
        """Dispatches what has arrived."""
        ctx = GLib.MainContext.default()
        while ctx.iteration(False):
            pass
        return self.seen

    def wait_for(self, name, value, what=None):
        """Waits for a signal announcing `name` == value; returns its index in seen."""
        def announced():
            for i, (changed, _inv) in enumerate(self.pump()):
                if changed.get(name) == value:
                    return i + 1
            return 0
        return wait_until(announced, what or f'PropertiesChanged {name}={value!r}',
                          details=lambda: f'announced: {self.seen}') - 1

    def close(self):
        if self._sub is not None:
            self._conn.signal_unsubscribe(self._sub)
            self._sub = None


class OpenWatch:
    """Counts how often each file of a directory is opened (inotify IN_OPEN), by anyone:
    the recorder's attempts to open its store show as opens of metrics.db."""

    IN_OPEN = 0x20
    IN_NONBLOCK = os.O_NONBLOCK
    IN_CLOEXEC = os.O_CLOEXEC

    def __init__(self, directory):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(self.IN_NONBLOCK | self.IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), 'inotify_init1')
        if libc.inotify_add_watch(self.fd, os.fsencode(directory), self.IN_OPEN) < 0:
            os.close(self.fd)
            raise OSError(ctypes.get_errno(), f'inotify_add_watch {directory}')
        self.opens = {}

    def count(self, name):
        """Opens of `name` seen since the watch began."""
        import struct
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            at = 0
            while at < len(data):
                _wd, mask, _cookie, length = struct.unpack_from('iIII', data, at)
                entry = data[at + 16:at + 16 + length].rstrip(b'\0').decode(errors='replace')
                if mask & self.IN_OPEN:
                    self.opens[entry] = self.opens.get(entry, 0) + 1
                at += 16 + length
        return self.opens.get(name, 0)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class DBusCallError(Exception):
    def __init__(self, name, message):
        super().__init__(f'{name}: {message}')
        self.name = name
        self.message = message


def _as_error(e):
    name = Gio.DBusError.get_remote_error(e) if Gio.DBusError.is_remote_error(e) else None
    if name is None:
        name = f'(local) {e.domain}:{e.code}'
    msg = e.message
    try:
        Gio.DBusError.strip_remote_error(e)
        msg = e.message
    except Exception:  # pragma: no cover
        pass
    return DBusCallError(name, msg)


def variant_args(signature, args):
    """Build the GLib.Variant tuple of a call: signature 'uayxbv' and a python list."""
    if args is None:
        return None
    return GLib.Variant(f'({signature})', tuple(args))


class Client:
    """One private connection to the test bus (a separate bus client)."""

    def __init__(self, address):
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                 Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        self.conn = Gio.DBusConnection.new_for_address_sync(address, flags, None, None)
        self.conn.set_exit_on_close(False)

    @property
    def unique_name(self):
        return self.conn.get_unique_name()

    def close(self):
        if not self.conn.is_closed():
            try:
                self.conn.flush_sync(None)
            except GLib.Error:
                pass
            self.conn.close_sync(None)

    def call_raw(self, method, params=None, path=OBJECT_PATH, iface=SERVER_IFACE, dest=BUS_NAME,
                 reply_type=None, timeout_ms=CALL_TIMEOUT_MS, flags=Gio.DBusCallFlags.NONE):
        """params: a GLib.Variant tuple or None. Returns the unpacked reply tuple."""
        try:
            r = self.conn.call_sync(dest, path, iface, method, params,
                                    GLib.VariantType.new(reply_type) if reply_type else None,
                                    flags, timeout_ms, None)
        except GLib.Error as e:
            raise _as_error(e) from None
        return r.unpack() if r is not None else ()

    def call(self, method, signature='', args=(), **kw):
        return self.call_raw(method, variant_args(signature, args) if signature else None, **kw)

    def call_async_many(self, calls, timeout_ms=CALL_TIMEOUT_MS, window=64):
        """Send many calls with up to `window` in flight. calls: list of (method, signature,
        args, path, iface). Returns a list of (result tuple or None, error name or None)."""
        results = [None] * len(calls)
        ctx = GLib.MainContext.default()
        state = {'next': 0, 'inflight': 0, 'done': 0}

        def finish(conn, res, index):
            try:
                r = conn.call_finish(res)
                results[index] = (r.unpack() if r is not None else (), None)
            except GLib.Error as e:
                results[index] = (None, _as_error(e).name)
            state['inflight'] -= 1
            state['done'] += 1

        while state['done'] < len(calls):
            while state['next'] < len(calls) and state['inflight'] < window:
                i = state['next']
                method, sig, args, path, iface = calls[i]
                self.conn.call(BUS_NAME, path, iface, method, variant_args(sig, args) if sig else None,
                               None, Gio.DBusCallFlags.NONE, timeout_ms, None, finish, i)
                state['next'] += 1
                state['inflight'] += 1
            ctx.iteration(True)
        return results

    # Convenience wrappers for the recorder methods.
    def record_singular(self, event_id, payload=None, ts=None, user_id=0):
        ts = boottime_ns() if ts is None else ts
        has = payload is not None
        return self.call('RecordSingularEvent', 'uayxbv',
                         [user_id, bytes(event_id), ts, has,
                          payload if has else GLib.Variant('b', False)])

    def record_aggregate(self, event_id, count, payload=None, ts=None, user_id=0):
        ts = boottime_ns() if ts is None else ts
        has = payload is not None
        return self.call('RecordAggregateEvent', 'uayxxbv',
                         [user_id, bytes(event_id), count, ts, has,
                          payload if has else GLib.Variant('b', False)])

    def record_sequence(self, event_id, events, user_id=0):
        """events: list of (ts, payload-or-None)."""
        elems = [(ts, p is not None, p if p is not None else GLib.Variant('b', False))
                 for ts, p in events]
        return self.call('RecordEventSequence', 'uaya(xbv)', [user_id, bytes(event_id), elems])

    def start_timer(self, event_id, payload=None, user_id=0):
        has = payload is not None
        (path,) = self.call('StartAggregateTimer', 'uaybv',
                            [user_id, bytes(event_id), has,
                             payload if has else GLib.Variant('b', False)])
        return path

    def stop_timer(self, path):
        return self.call('StopTimer', path=path, iface=TIMER_IFACE)

    def get_property(self, name, iface=SERVER_IFACE):
        (v,) = self.call('Get', 'ss', [iface, name], iface='org.freedesktop.DBus.Properties')
        return v

    def introspect(self, path=OBJECT_PATH):
        (xml,) = self.call('Introspect', iface='org.freedesktop.DBus.Introspectable', path=path)
        return xml

    def name_has_owner(self, name=BUS_NAME):
        (r,) = self.call('NameHasOwner', 's', [name], dest='org.freedesktop.DBus',
                         path='/org/freedesktop/DBus', iface='org.freedesktop.DBus')
        return r

    def get_name_owner(self, name=BUS_NAME):
        (r,) = self.call('GetNameOwner', 's', [name], dest='org.freedesktop.DBus',
                         path='/org/freedesktop/DBus', iface='org.freedesktop.DBus')
        return r


class Harness:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='metrics-itest-')
        os.chmod(self.root, 0o755)
        self.bus_dir = self._mkdir('bus')
        self.config_dir = self._mkdir('config')
        self.state_dir = self._mkdir('state')
        self.log_dir = self._mkdir('logs')
        self.client_dir = self._mkdir('client')
        self.permissions_file = os.path.join(self.config_dir, 'eos-metrics-permissions.conf')
        self.os_release = os.path.join(self.root, 'os-release')
        with open(self.os_release, 'w') as f:
            f.write(f'NAME="Itest OS"\nID=itest\nVERSION="{OS_VERSION}"\nVERSION_ID=6\n')
        self.boot_id_file = os.path.join(self.root, 'boot_id')
        with open(self.boot_id_file, 'w') as f:
            f.write(str(uuid.uuid4()) + '\n')
        # Never the host's: an installed system's command line unless a test writes another.
        self.kernel_cmdline = os.path.join(self.root, 'cmdline')
        with open(self.kernel_cmdline, 'w') as f:
            f.write('BOOT_IMAGE=/vmlinuz root=UUID=00000000-0000-0000-0000-000000000000 ro quiet\n')
        for script in ('client.py',):
            shutil.copy(os.path.join(HERE, script), os.path.join(self.client_dir, script))
            os.chmod(os.path.join(self.client_dir, script), 0o755)
        self.bus_proc = None
        self.bus_address = None
        self.polkit_proc = None
        self.polkit_obj = None
        self.daemon_proc = None
        self.daemon_log_path = None
        self.daemon_runs = 0
        self.extra_procs = []
        self.clients = []
        self._client = None
        self._saved_env = {k: os.environ.get(k) for k in ('DBUS_SYSTEM_BUS_ADDRESS',
                                                           'DBUS_SESSION_BUS_ADDRESS')}
        self.logs_on_close = ''
        # What recorder.conf says: the test's own settings plus the registry keys below.
        self.recorder_settings = {}
        self.registry_mode = 'permissive'
        # This checkout's registry, not whatever may be installed on the machine.
        self.registry_directory = REGISTRY_DIR

    def _mkdir(self, name):
        p = os.path.join(self.root, name)
        os.mkdir(p)
        os.chmod(p, 0o755)
        return p

    # ---------------------------------------------------------------- bus
    def start_bus(self):
        # Unprivileged clients connect too.
        self.bus = PrivateDbusDaemon(self.bus_dir, BUS_CONFIG,
                                     os.path.join(self.log_dir, 'dbus-daemon.log'),
                                     open_to_all=True)
        self.bus_proc = self.bus.proc
        self.bus_address = self.bus.address
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        # Nothing of ours may end up on a session bus either.
        os.environ['DBUS_SESSION_BUS_ADDRESS'] = self.bus_address
        self._client = self.connect()

    @property
    def client(self):
        return self._client

    def connect(self):
        c = Client(self.bus_address)
        self.clients.append(c)
        return c

    # ---------------------------------------------------------------- polkit
    def start_polkit(self):
        if self.polkit_proc:
            return
        import dbusmock
        log = open(os.path.join(self.log_dir, 'polkitd.log'), 'w')
        self.polkit_proc, self.polkit_obj = dbusmock.DBusTestCase.spawn_server_template(
            'polkitd', {}, stdout=log)
        log.close()

    def set_allowed(self, actions):
        self.start_polkit()
        import dbus
        self.polkit_obj.SetAllowed(dbus.Array(list(actions), signature='s'),
                                   dbus_interface=MOCK_IFACE)

    # ---------------------------------------------------------------- config
    def write_permissions(self, text=DEFAULT_PERMISSIONS, atomic=True):
        if atomic:
            tmp = self.permissions_file + '.tmp'
            with open(tmp, 'w') as f:
                f.write(text)
            os.rename(tmp, self.permissions_file)
        else:
            with open(self.permissions_file, 'w') as f:
                f.write(text)

    def read_permissions_bytes(self):
        with open(self.permissions_file, 'rb') as f:
            return f.read()

    def read_permissions_text(self):
        with open(self.permissions_file) as f:
            return f.read()

    def read_permissions(self):
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        cp.read_string(self.read_permissions_text())
        return cp

    def write_cache_size(self, maximum):
        with open(os.path.join(self.config_dir, 'cache-size.conf'), 'w') as f:
            f.write(f'[persistent_cache_size]\nmaximum={maximum}\n')

    def write_recorder_conf(self, **settings):
        """Writes recorder.conf with `settings`, plus RegistryMode (and RegistryDirectory)
        as the harness is set up, unless `settings` names them itself."""
        self.recorder_settings = dict(settings)
        self._write_recorder_conf()

    def _write_recorder_conf(self):
        settings = {'RegistryMode': self.registry_mode}
        if self.registry_directory is not None:
            settings['RegistryDirectory'] = self.registry_directory
        settings.update(self.recorder_settings)
        with open(os.path.join(self.config_dir, 'recorder.conf'), 'w') as f:
            f.write('[Recorder]\n')
            for k, v in settings.items():
                f.write(f'{k}={v}\n')

    # ---------------------------------------------------------------- daemon
    def start_daemon(self, env=None, wait=True, extra_args=(), registry_mode=None,
                     registry_directory=None, daemon=DAEMON):
        """registry_mode 'enforce' or 'permissive' and registry_directory (a directory of
        registry files) change recorder.conf for this and later starts. `daemon`: another
        copy of the binary (it runs the upload helper found beside it)."""
        assert self.daemon_proc is None or self.daemon_proc.poll() is not None, \
            'daemon already running'
        if registry_mode is not None:
            self.registry_mode = registry_mode
        if registry_directory is not None:
            self.registry_directory = registry_directory
        self._write_recorder_conf()
        self.daemon_runs += 1
        self.daemon_log_path = os.path.join(self.log_dir, f'daemon-{self.daemon_runs}.log')
        e = dict(os.environ)
        e['DBUS_SYSTEM_BUS_ADDRESS'] = self.bus_address
        e['G_DEBUG'] = e.get('G_DEBUG', '')
        if env:
            e.update(env)
        log = open(self.daemon_log_path, 'w')
        self.daemon_proc = subprocess.Popen(
            [daemon, '--config-dir', self.config_dir, '-c', self.permissions_file,
             '-p', self.state_dir, '--os-release', self.os_release,
             '--boot-id-file', self.boot_id_file, '--kernel-cmdline', self.kernel_cmdline,
             *extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=e, stdin=subprocess.DEVNULL)
        log.close()
        if wait:
            self.wait_for_daemon()
        return self.daemon_proc

    def wait_for_daemon(self):
        def owned():
            if self.daemon_proc.poll() is not None:
                raise AssertionError(f'daemon exited with {self.daemon_proc.returncode} at '
                                     'start:\n' + self.daemon_log())
            return self.client.name_has_owner()
        wait_until(owned, f'the daemon to own {BUS_NAME}', details=self.daemon_log, poll_ms=10)
        self.daemon_unique_name = self.client.get_name_owner()
        return self.daemon_unique_name

    def daemon_alive(self):
        return self.daemon_proc is not None and self.daemon_proc.poll() is None

    def wait_name_gone(self):
        wait_until(lambda: not self.client.name_has_owner(), f'{BUS_NAME} to be released',
                   poll_ms=10)

    def stop_daemon(self, sig=signal.SIGTERM, timeout=SAFETY_TIMEOUT_S):
        """Signal the daemon and wait for it. Returns the exit code."""
        p = self.daemon_proc
        if p is None or p.poll() is not None:
            return p.returncode if p else None
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise AssertionError(f'daemon did not exit after signal {sig} (gave up after '
                                 f'{timeout} s)')
        # The bus notices the disconnect asynchronously; wait until the name is free.
        self.wait_name_gone()
        return p.returncode

    def kill_daemon(self):
        return self.stop_daemon(signal.SIGKILL)

    def restart_daemon(self, sig=signal.SIGTERM, **kw):
        rc = self.stop_daemon(sig)
        self.start_daemon(**kw)
        return rc

    def daemon_log(self, all_runs=False):
        if all_runs:
            out = []
            for i in range(1, self.daemon_runs + 1):
                out.append(f'--- daemon run {i} ---\n' + self.read_log(f'daemon-{i}.log'))
            return '\n'.join(out)
        if not self.daemon_log_path or not os.path.exists(self.daemon_log_path):
            return ''
        with open(self.daemon_log_path, errors='replace') as f:
            return f.read()

    def read_log(self, name):
        p = os.path.join(self.log_dir, name)
        if not os.path.exists(p):
            return ''
        with open(p, errors='replace') as f:
            return f.read()

    # ---------------------------------------------------------------- consent
    CONSENT_PROPERTIES = ('ConsentState', 'ServerUrl', 'Environment')

    def consent_properties(self):
        """What the recorder says it read from the permissions file (Control1)."""
        return {name: self.client.get_property(name, iface=CONTROL_IFACE)
                for name in self.CONSENT_PROPERTIES}

    def write_permissions_seen(self, text, **expected):
        """Writes the permissions file and waits until the recorder reports it has read it:
        until its Control1 properties (ConsentState, ServerUrl, Environment) are
        `expected`. At least one of them must differ before the write, or reading the
        file would not show."""
        before = self.consent_properties()
        unknown = set(expected) - set(self.CONSENT_PROPERTIES)
        assert not unknown, f'not a consent property: {unknown}'
        assert any(before[k] != v for k, v in expected.items()), \
            f'this edit would not show: {expected} is already the state ({before})'
        self.write_permissions(text)
        wait_until(lambda: all(v == self.consent_properties()[k] for k, v in expected.items()),
                   f'the recorder to read the edited permissions file ({expected})',
                   details=lambda: f'{self.consent_properties()}\n' + self.daemon_log()[-3000:])

    # ---------------------------------------------------------------- store
    @property
    def db_path(self):
        return os.path.join(self.state_dir, 'metrics.db')

    def db(self):
        """A read-only connection to the store (works while the daemon runs)."""
        conn = sqlite3.connect(f'file:{self.db_path}?mode=ro', uri=True, timeout=10)
        conn.execute('PRAGMA busy_timeout=10000')
        return conn

    def query(self, sql, params=()):
        conn = self.db()
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def singulars(self, event_id=None):
        """[(uid, event_id bytes, os_version, relative_ns, payload blob, size)] in id order."""
        if event_id is None:
            return self.query('SELECT uid, event_id, os_version, relative_ns, payload, size '
                              'FROM singular ORDER BY id')
        return self.query('SELECT uid, event_id, os_version, relative_ns, payload, size '
                          'FROM singular WHERE event_id = ? ORDER BY id', (bytes(event_id),))

    def counts(self, event_id=None):
        """[(period, event_id, payload, uid, count, size)]"""
        if event_id is None:
            return self.query('SELECT period, event_id, payload, uid, count, size FROM counts')
        return self.query('SELECT period, event_id, payload, uid, count, size FROM counts '
                          'WHERE event_id = ?', (bytes(event_id),))

    def count_value(self, event_id, period, payload_blob_key=None, uid=None):
        """Sum of counts rows of (event_id, period) (optionally matching payload key and uid)."""
        total = 0
        found = False
        for p, _e, payload, u, c, _s in self.counts(event_id):
            if p != period:
                continue
            if payload_blob_key is not None and payload_key(payload) != payload_blob_key:
                continue
            if uid is not None and u != uid:
                continue
            total += c
            found = True
        return total if found else None

    def aggregates(self, event_id=None):
        """[dict(row)] of the aggregate table."""
        conn = self.db()
        conn.row_factory = sqlite3.Row
        try:
            if event_id is None:
                rows = conn.execute('SELECT * FROM aggregate ORDER BY id').fetchall()
            else:
                rows = conn.execute('SELECT * FROM aggregate WHERE event_id = ? ORDER BY id',
                                    (bytes(event_id),)).fetchall()
            return [dict(r) for r in rows]
        finally:
            conn.close()

    def meta(self, key):
        rows = self.query('SELECT value FROM meta WHERE key = ?', (key,))
        return rows[0][0] if rows else None

    def table_rows(self):
        conn = self.db()
        try:
            return {t: conn.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0]
                    for t in ('singular', 'counts', 'aggregate')}
        finally:
            conn.close()

    def total_size(self, uid=None):
        conn = self.db()
        try:
            total = 0
            for t in ('singular', 'counts', 'aggregate'):
                if uid is None:
                    total += conn.execute(f'SELECT COALESCE(SUM(size),0) FROM {t}').fetchone()[0]
                else:
                    total += conn.execute(f'SELECT COALESCE(SUM(size),0) FROM {t} WHERE uid=?',
                                          (uid,)).fetchone()[0]
            return total
        finally:
            conn.close()

    def integrity_check(self):
        conn = self.db()
        try:
            return [r[0] for r in conn.execute('PRAGMA integrity_check').fetchall()]
        finally:
            conn.close()

    # ---------------------------------------------------------------- unprivileged client
    def run_client(self, commands, uid=NOBODY, timeout=120):
        """Run client.py with a list of command dicts, as `uid` (None: as ourselves).
        Returns the list of per-command results."""
        argv = [PYTHON, os.path.join(self.client_dir, 'client.py'), self.bus_address,
                json.dumps(commands)]
        if uid is not None:
            argv = ['setpriv', f'--reuid={uid}', f'--regid={uid}', '--clear-groups'] + argv
        env = {'PATH': '/usr/bin:/bin', 'DBUS_SYSTEM_BUS_ADDRESS': self.bus_address,
               'DBUS_SESSION_BUS_ADDRESS': self.bus_address, 'HOME': self.client_dir,
               'LANG': 'C.UTF-8'}
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                           cwd=self.client_dir)
        if p.returncode != 0:
            raise AssertionError(f'client failed ({p.returncode}): {p.stderr}\n{p.stdout}')
        return json.loads(p.stdout)

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.extra_procs.append(p)
        return p

    # ---------------------------------------------------------------- cleanup
    def close(self):
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        for p in self.extra_procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.daemon_proc and self.daemon_proc.poll() is None:
            self.daemon_proc.kill()
            self.daemon_proc.wait()
        self.logs_on_close = self.daemon_log(all_runs=True)
        if self.polkit_proc and self.polkit_proc.poll() is None:
            self.polkit_proc.terminate()
            try:
                self.polkit_proc.wait(5)
            except subprocess.TimeoutExpired:
                self.polkit_proc.kill()
                self.polkit_proc.wait()
        if self.bus_proc:
            self.bus.stop()
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if os.environ.get('METRICS_ITEST_KEEP'):
            sys.stderr.write(f'\nkept test directory {self.root}\n')
        else:
            shutil.rmtree(self.root, ignore_errors=True)


class RecorderTestCase(unittest.TestCase):
    """Base class: a fresh bus and daemon per test.

    Subclasses may set START_DAEMON = False and call self.env.start_daemon() themselves
    after writing configuration."""

    START_DAEMON = True
    WRITE_PERMISSIONS = True

    def setUp(self):
        if not os.path.exists(DAEMON):
            self.fail(f'daemon not built: {DAEMON} (set METRICS_BUILD_DIR)')
        self.env = Harness()
        self.addCleanup(self.env.close)
        # Runs before close(): a clean stop lets a sanitizer build check for leaks.
        self.addCleanup(self.check_sanitizer_reports)
        self.env.start_bus()
        if self.WRITE_PERMISSIONS:
            self.env.write_permissions()
        if self.START_DAEMON:
            self.env.start_daemon()

    @property
    def client(self):
        return self.env.client

    SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:')

    def check_sanitizer_reports(self):
        """Stops the daemon cleanly and fails the test on any sanitizer report in its logs
        (a sanitizer build reports leaks only at a clean exit)."""
        if self.env.daemon_alive():
            try:
                self.env.stop_daemon()
            except AssertionError:
                pass
        logs = self.env.daemon_log(all_runs=True)
        found = [m for m in self.SANITIZER_MARKERS if m in logs]
        if found:
            self.fail(f'sanitizer report in the daemon log ({", ".join(found)}):\n{logs[-6000:]}')

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result else 0
        env_holder = {}
        r = super().run(result)
        res = result if result is not None else r
        if res is not None and len(res.failures) + len(res.errors) > before:
            logs = getattr(getattr(self, 'env', None), 'logs_on_close', '')
            if logs:
                tail = '\n'.join(logs.splitlines()[-60:])
                sys.stderr.write(f'\n===== daemon log of {self.id()} (tail) =====\n{tail}\n')
        del env_holder
        return r

    # ---------------------------------------------------------------- assertions
    def assertDBusError(self, expected, fn, *args, **kw):
        """Calls fn and asserts it fails with D-Bus error `expected` (a name or a set)."""
        try:
            fn(*args, **kw)
        except DBusCallError as e:
            names = {expected} if isinstance(expected, str) else set(expected)
            self.assertIn(e.name, names, f'wrong error: {e.name}: {e.message}')
            return e
        self.fail(f'call succeeded; expected {expected}')

    def assertDaemonAlive(self):
        self.assertTrue(self.env.daemon_alive(),
                        'daemon died:\n' + self.env.daemon_log()[-3000:])
        # And it answers.
        self.client.introspect()
        self.client.record_singular(random_event_id())

    def wait_until(self, predicate, message='condition', timeout=SAFETY_TIMEOUT_S, poll_ms=20):
        """wait_until() (module level), failing the test with the daemon's log."""
        return wait_until(predicate, message, timeout=timeout, poll_ms=poll_ms,
                          details=lambda: self.env.daemon_log()[-3000:])
