# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a program inside the sandbox a systemd unit file describes, without systemd.

systemd is not PID 1 on the build machines, so the hardening tests rebuild what the
[Service] section asks for from Debian tools and run the real daemon in it:

* the user, no capabilities, no new privileges: setpriv;
* the file system view (read-only system, writable state, private /tmp and /dev, no
  homes), PrivateUsers, PrivateIPC, PrivateNetwork, ProtectHostname: bubblewrap;
* ProtectProc=invisible: a procfs mounted with hidepid=invisible in a private mount
  namespace before bubblewrap starts;
* SystemCallFilter, SystemCallArchitectures, RestrictAddressFamilies,
  MemoryDenyWriteExecute, RestrictNamespaces, LockPersonality, RestrictSUIDSGID,
  RestrictRealtime: seccomp filters built with libseccomp (seccomp_exec.py) from the
  same system call groups systemd uses (`systemd-analyze syscall-filter`), with the
  error numbers systemd returns.

EMULATED and NOT_EMULATED classify every directive the units may use; a directive in a
unit that is in neither makes the sandbox refuse to start, so a new line in a unit
cannot go untested silently (docs/hardening.md has the same table for people).

Must be started as root (it drops to the unit's stand-in user itself).
"""

import ctypes
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SECCOMP_EXEC = os.path.join(HERE, 'seccomp_exec.py')
PYTHON = '/usr/bin/python3'

# Directive -> how the sandbox applies it.
EMULATED = {
    'User': 'setpriv --reuid (a stand-in account)',
    'Group': 'setpriv --regid --clear-groups',
    'NoNewPrivileges': 'setpriv --no-new-privs',
    'CapabilityBoundingSet': 'setpriv --bounding-set=-all --inh-caps=-all; bwrap --cap-drop ALL',
    'AmbientCapabilities': 'setpriv --ambient-caps=-all',
    'PrivateUsers': 'bwrap --unshare-user (only the service uid is mapped)',
    'ProtectSystem': 'bwrap --ro-bind / / (strict: everything read-only)',
    'PrivateMounts': 'bwrap: a mount namespace of its own',
    'ReadWritePaths': 'the stand-in directories are the only writable binds',
    'CacheDirectory': 'stand-in directory, owned by the user, writable bind',
    'CacheDirectoryMode': 'stand-in directory created with this mode',
    'StateDirectory': 'stand-in directory, owned by the user, writable bind',
    'StateDirectoryMode': 'stand-in directory created with this mode',
    'ProtectHome': 'empty tmpfs over /home, /root and /run/user',
    'PrivateTmp': 'empty tmpfs over /tmp and /var/tmp',
    'PrivateDevices': 'bwrap --dev /dev (null, zero, full, random, urandom, tty only)',
    'PrivateIPC': 'bwrap --unshare-ipc',
    'PrivateNetwork': 'bwrap --unshare-net (only loopback, down)',
    'ProtectHostname': 'bwrap --unshare-uts',
    'ProtectClock': 'seccomp: @clock is not allowed; no /dev/rtc',
    'ProtectKernelTunables': '/proc/sys and /sys read-only (part of the read-only system)',
    'ProtectKernelModules': 'seccomp: @module is not allowed',
    'ProtectKernelLogs': 'no /dev/kmsg; seccomp: syslog(2) is not allowed',
    'ProtectControlGroups': '/sys/fs/cgroup read-only (part of the read-only system)',
    'ProtectProc': 'procfs with hidepid=invisible',
    'RestrictNamespaces': 'seccomp: unshare, setns, clone with CLONE_NEW* -> EPERM; clone3 -> ENOSYS',
    'RestrictRealtime': 'seccomp: sched_setscheduler to FIFO/RR/DEADLINE -> EPERM',
    'RestrictSUIDSGID': 'seccomp: chmod/fchmod/fchmodat/open/openat/creat with S_ISUID/S_ISGID -> EPERM',
    'LockPersonality': 'seccomp: personality() other than PER_LINUX or a query -> EPERM',
    'MemoryDenyWriteExecute': 'seccomp: W+X mmap, mprotect/pkey_mprotect to X, shmat SHM_EXEC -> EPERM',
    'RestrictAddressFamilies': 'seccomp: socket() of another family -> EAFNOSUPPORT',
    'SystemCallArchitectures': 'seccomp: native architecture only',
    'SystemCallFilter': 'seccomp allow-list from systemd-analyze syscall-filter groups',
    'SystemCallErrorNumber': 'seccomp: the default action returns this errno',
    'UMask': 'umask before exec',
    'Type': 'checked by the test: BusName owned (dbus) or READY=1 (notify)',
    'BusName': 'checked by the test',
    'NotifyAccess': 'the test listens on NOTIFY_SOCKET',
    'ExecStart': 'the built binary, with the test directories as arguments',
}
NOT_EMULATED = {
    'DevicePolicy': 'cgroup device filter (needs systemd); the private /dev shows no devices',
    'IPAddressDeny': 'cgroup BPF (needs systemd); PrivateNetwork covers it for instrumentation',
    'RemoveIPC': 'cleanup when the unit stops (needs systemd)',
    'KeyringMode': 'session keyring setup (needs systemd)',
    'Restart': 'service manager behaviour',
}

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18


def parse_unit(path):
    """{section: [(key, value), ...]} in file order (keys repeat)."""
    sections = {}
    current = None
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('[') and line.endswith(']'):
                current = sections.setdefault(line[1:-1], [])
                continue
            key, _, value = line.partition('=')
            current.append((key.strip(), value.strip()))
    return sections


def service_settings(path):
    """[Service] as {key: [values in order]}."""
    out = {}
    for key, value in parse_unit(path).get('Service', []):
        out.setdefault(key, []).append(value)
    return out


def unclassified_directives(settings):
    return sorted(k for k in settings if k not in EMULATED and k not in NOT_EMULATED)


def yes(settings, key):
    values = settings.get(key)
    return bool(values) and values[-1].lower() in ('yes', 'true', '1', 'on', 'strict', 'full',
                                                   'invisible')


# ---------------------------------------------------------------- system call groups
def syscall_groups():
    """{'@group': [members]} as systemd-analyze prints them (members may be groups)."""
    out = subprocess.run(['systemd-analyze', 'syscall-filter'], capture_output=True, text=True,
                         check=True).stdout
    groups = {}
    current = None
    for raw in out.splitlines():
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        if not raw.startswith(' ') and line.startswith('@'):
            current = groups.setdefault(line, [])
        elif current is not None:
            current.append(line)
    return groups


def expand(item, groups, seen=None):
    if not item.startswith('@'):
        return {item}
    seen = seen if seen is not None else set()
    if item in seen:
        return set()
    seen.add(item)
    if item not in groups:
        raise ValueError(f'unknown system call group {item}')
    names = set()
    for member in groups[item]:
        names |= expand(member, groups, seen)
    return names


def allowed_syscalls(filter_lines, groups):
    """The allow-list systemd builds from SystemCallFilter= lines: an allow-list line
    starts the list (with @default, as systemd adds it), later '~' lines remove."""
    allowed = None
    for line in filter_lines:
        deny = line.startswith('~')
        items = [i.split(':')[0] for i in line.lstrip('~').split()]
        names = set()
        for i in items:
            names |= expand(i, groups)
        if allowed is None:
            if deny:
                raise ValueError('a deny-list SystemCallFilter is not what the units use')
            allowed = expand('@default', groups)
        if deny:
            allowed -= names
        else:
            allowed |= names
    return allowed


# ---------------------------------------------------------------- sandbox
class Sandbox:
    """The sandbox of one unit. `writable` maps a production path of the unit
    (ReadWritePaths=, CacheDirectory=...) to the test directory standing in for it;
    `readable` lists test files the program needs (its binary, its test inputs)."""

    def __init__(self, unit_path, user, writable, readable=(), extra_env=None):
        self.unit_path = unit_path
        self.settings = service_settings(unit_path)
        missing = unclassified_directives(self.settings)
        if missing:
            raise ValueError(f'{unit_path}: directives the sandbox does not know: {missing}; '
                             'classify them in tests/files/unit_sandbox.py and docs/hardening.md')
        self.account = pwd.getpwnam(user)
        self.writable = dict(writable)
        self.readable = list(readable)
        self.extra_env = dict(extra_env or {})

    def seccomp_spec(self):
        s = self.settings
        spec = {'umask': int(s.get('UMask', ['0022'])[-1], 8)}
        if 'SystemCallFilter' in s:
            spec['allow'] = sorted(allowed_syscalls(s['SystemCallFilter'], syscall_groups()))
            spec['default_errno'] = s.get('SystemCallErrorNumber', ['EPERM'])[-1]
        if 'RestrictAddressFamilies' in s:
            families = ' '.join(s['RestrictAddressFamilies']).split()
            spec['address_families'] = [getattr(socket, f) for f in families]
        spec['mdwe'] = yes(s, 'MemoryDenyWriteExecute')
        spec['restrict_namespaces'] = yes(s, 'RestrictNamespaces')
        spec['lock_personality'] = yes(s, 'LockPersonality')
        spec['restrict_suid_sgid'] = yes(s, 'RestrictSUIDSGID')
        spec['restrict_realtime'] = yes(s, 'RestrictRealtime')
        spec['native_only'] = s.get('SystemCallArchitectures', [''])[-1] == 'native'
        return spec

    def prepare_writable(self, directory, mode=0o750):
        os.makedirs(directory, exist_ok=True)
        os.chown(directory, self.account.pw_uid, self.account.pw_gid)
        os.chmod(directory, mode)

    def bwrap_args(self):
        s = self.settings
        args = ['bwrap']
        if s.get('ProtectSystem', [''])[-1] != 'strict':
            raise ValueError('the sandbox emulates ProtectSystem=strict only')
        args += ['--ro-bind', '/', '/']
        if yes(s, 'PrivateDevices'):
            args += ['--dev', '/dev']
        if yes(s, 'PrivateTmp'):
            args += ['--tmpfs', '/tmp', '--tmpfs', '/var/tmp']
        if yes(s, 'ProtectHome'):
            for home in ('/home', '/root', '/run/user'):
                if os.path.isdir(home):
                    args += ['--tmpfs', home]
        # What the tmpfs mounts above hid and the program needs, then its writable state.
        for path in self.readable:
            args += ['--ro-bind', path, path]
        for path in self.writable.values():
            args += ['--bind', path, path]
        if yes(s, 'PrivateUsers'):
            args += ['--unshare-user']
        if yes(s, 'PrivateIPC'):
            args += ['--unshare-ipc']
        if yes(s, 'PrivateNetwork'):
            args += ['--unshare-net']
        if yes(s, 'ProtectHostname'):
            args += ['--unshare-uts']
        args += ['--cap-drop', 'ALL', '--die-with-parent', '--new-session', '--chdir', '/']
        return args

    def setpriv_args(self):
        a = self.account
        args = ['setpriv', f'--reuid={a.pw_uid}', f'--regid={a.pw_gid}', '--clear-groups',
                '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all']
        if yes(self.settings, 'NoNewPrivileges'):
            args.append('--no-new-privs')
        return args

    def command(self, argv, spec_file):
        """The command line (run by `enter`, as root, in a private mount namespace)."""
        with open(spec_file, 'w', encoding='utf-8') as f:
            json.dump(self.seccomp_spec(), f)
        os.chmod(spec_file, 0o644)
        self.readable += [spec_file, SECCOMP_EXEC]
        return (self.setpriv_args() + self.bwrap_args() +
                ['--', PYTHON, SECCOMP_EXEC, spec_file, '--'] + list(argv))

    def environment(self):
        """A service's environment, as systemd gives it: nothing inherited from the test,
        $STATE_DIRECTORY and $CACHE_DIRECTORY naming the stand-ins."""
        env = {'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin', 'LANG': 'C.UTF-8'}
        for key, root, variable in (('StateDirectory', '/var/lib', 'STATE_DIRECTORY'),
                                    ('CacheDirectory', '/var/cache', 'CACHE_DIRECTORY')):
            names = ' '.join(self.settings.get(key, [])).split()
            if names:
                env[variable] = ':'.join(self.writable.get(f'{root}/{n}', f'{root}/{n}')
                                         for n in names)
        for key in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(self.extra_env)
        return env

    def popen(self, argv, spec_file, **kw):
        cmd = [PYTHON, os.path.abspath(__file__), 'enter',
               '1' if yes(self.settings, 'ProtectProc') else '0', '--'] + \
            self.command(argv, spec_file)
        return subprocess.Popen(cmd, env=self.environment(), **kw)


def main_process(proc):
    """The pid of the sandboxed program: bubblewrap (proc, after the exec chain) forks it.
    Signals for the service go to it, as systemd sends them to the main process."""
    try:
        with open(f'/proc/{proc.pid}/task/{proc.pid}/children') as f:
            children = f.read().split()
    except FileNotFoundError:
        return None
    return int(children[0]) if children else None


def enter(hide_processes, argv):
    """As root: a private mount namespace (with procfs hidepid=invisible when asked),
    then exec argv there."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), 'unshare(CLONE_NEWNS)')
    if libc.mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(ctypes.get_errno(), 'making / private')
    if hide_processes:
        if libc.mount(b'proc', b'/proc', b'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      b'hidepid=invisible') != 0:
            raise OSError(ctypes.get_errno(), 'mounting /proc with hidepid=invisible')
    os.execvp(argv[0], argv)


def tools_missing():
    """The Debian tools the sandbox needs that are not installed (scripts/install-deps.sh)."""
    missing = [t for t in ('bwrap', 'setpriv', 'systemd-analyze') if not shutil.which(t)]
    try:
        subprocess.run([PYTHON, '-c', 'import seccomp'], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        missing.append('python3-seccomp')
    return missing


if __name__ == '__main__':
    if len(sys.argv) > 3 and sys.argv[1] == 'enter' and sys.argv[3] == '--':
        enter(sys.argv[2] == '1', sys.argv[4:])
    sys.exit('usage: unit_sandbox.py enter 0|1 -- COMMAND...')
