# SPDX-License-Identifier: GPL-2.0-or-later
"""seccomp_exec.py SPEC.json -- COMMAND...: load the seccomp filters a unit's
[Service] section asks for (unit_sandbox.py writes SPEC), set the umask, exec COMMAND.

Each restriction is its own filter, as systemd installs them; the kernel applies the
strictest answer of all. The allow-list filter goes last: it does not allow seccomp(2)
itself, so no filter could be loaded after it.
"""

import errno
import json
import os
import sys

import seccomp

PROT_WRITE, PROT_EXEC = 0x2, 0x4
SHM_EXEC = 0o100000
S_ISUID, S_ISGID = 0o4000, 0o2000
O_CREAT = 0o100
SCHED_FIFO, SCHED_RR, SCHED_DEADLINE = 1, 2, 6
PERSONALITY_QUERY = 0xFFFFFFFF
PER_LINUX = 0
CLONE_NEW_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000, 0x00000080)
AF_LIMIT = 64  # above every address family the kernel knows (AF_MAX is 46)


def known(name):
    """System calls the native architecture has (the groups list others, like ugetrlimit)."""
    return seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) >= 0


def masked(arg, bits):
    return seccomp.Arg(arg, seccomp.MASKED_EQ, bits, bits)


def deny_filter(rules):
    """A filter allowing everything but `rules`: [(action, syscall, [args])]."""
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for action, name, args in rules:
        if known(name):
            f.add_rule(action, name, *args)
    return f


def filters(spec):
    eperm = seccomp.ERRNO(errno.EPERM)
    out = []
    if spec.get('address_families') is not None:
        nope = seccomp.ERRNO(errno.EAFNOSUPPORT)
        allowed = set(spec['address_families'])
        rules = [(nope, 'socket', [seccomp.Arg(0, seccomp.EQ, fam)])
                 for fam in range(AF_LIMIT) if fam not in allowed]
        rules.append((nope, 'socket', [seccomp.Arg(0, seccomp.GE, AF_LIMIT)]))
        out.append(deny_filter(rules))
    if spec.get('mdwe'):
        out.append(deny_filter([
            (eperm, 'mmap', [masked(2, PROT_WRITE | PROT_EXEC)]),
            (eperm, 'mprotect', [masked(2, PROT_EXEC)]),
            (eperm, 'pkey_mprotect', [masked(2, PROT_EXEC)]),
            (eperm, 'shmat', [masked(2, SHM_EXEC)]),
        ]))
    if spec.get('restrict_namespaces'):
        rules = [(eperm, 'unshare', []), (eperm, 'setns', []),
                 # clone3's flags sit in memory a filter cannot read: make libc use clone.
                 (seccomp.ERRNO(errno.ENOSYS), 'clone3', [])]
        rules += [(eperm, 'clone', [masked(0, flag)]) for flag in CLONE_NEW_FLAGS]
        out.append(deny_filter(rules))
    if spec.get('restrict_suid_sgid'):
        rules = []
        for bit in (S_ISUID, S_ISGID):
            rules += [(eperm, 'chmod', [masked(1, bit)]), (eperm, 'fchmod', [masked(1, bit)]),
                      (eperm, 'fchmodat', [masked(2, bit)]), (eperm, 'creat', [masked(1, bit)]),
                      (eperm, 'open', [masked(1, O_CREAT), masked(2, bit)]),
                      (eperm, 'openat', [masked(2, O_CREAT), masked(3, bit)])]
        out.append(deny_filter(rules))
    if spec.get('restrict_realtime'):
        out.append(deny_filter([(eperm, 'sched_setscheduler', [seccomp.Arg(1, seccomp.EQ, p)])
                                for p in (SCHED_FIFO, SCHED_RR, SCHED_DEADLINE)]))
    if spec.get('allow') is not None:
        default = seccomp.ERRNO(getattr(errno, spec.get('default_errno', 'EPERM')))
        f = seccomp.SyscallFilter(defaction=default)
        for name in spec['allow']:
            if not known(name):
                continue
            if name == 'personality' and spec.get('lock_personality'):
                # LockPersonality: the personality may be read, not changed.
                for value in (PER_LINUX, PERSONALITY_QUERY):
                    f.add_rule(seccomp.ALLOW, name, seccomp.Arg(0, seccomp.EQ, value))
                continue
            f.add_rule(seccomp.ALLOW, name)
        out.append(f)
    elif spec.get('lock_personality'):
        out.append(deny_filter([(eperm, 'personality', [seccomp.Arg(0, seccomp.GT, PER_LINUX)])]))
    return out


def main():
    if len(sys.argv) < 4 or sys.argv[2] != '--':
        sys.exit('usage: seccomp_exec.py SPEC.json -- COMMAND...')
    with open(sys.argv[1], encoding='utf-8') as f:
        spec = json.load(f)
    command = sys.argv[3:]
    os.umask(spec.get('umask', 0o022))
    for f in filters(spec):
        # Only the native architecture is in a filter: any other ABI gets the bad-arch
        # action (SystemCallArchitectures=native).
        f.load()
    os.execv(command[0], command)


if __name__ == '__main__':
    main()
