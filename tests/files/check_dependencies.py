#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""README.md's Fedora `dnf install` line lists what scripts/dependencies.txt says.

check_dependencies.py SOURCE_DIR

scripts/dependencies.txt is the one list of what building, testing and the demo need: a
Debian package a line (scripts/install-deps.sh installs that column) with its Fedora
name(s), "-" where Fedora needs nothing of its own. The README's dnf line must name every
Fedora package of the table and nothing else, and install-deps.sh must read the table
rather than keep a list of its own."""

import os
import re
import shlex
import sys


def table(path):
    """[(debian, [fedora...])] of the table's lines."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            if line.startswith('#') or not line.strip():
                continue
            words = line.split()
            if len(words) < 2:
                sys.exit(f'{path}:{number}: a Debian and a Fedora column are needed: {line!r}')
            rows.append((words[0], [] if words[1] == '-' else words[1].split(',')))
    return rows


def dnf_packages(readme):
    """The packages of the README's ```sh block line(s) `dnf install ...`."""
    for block in re.findall(r'^```sh\n(.*?)^```', readme, re.S | re.M):
        words = shlex.split(block.replace('\\\n', ' '), comments=True)
        if words[:2] == ['dnf', 'install']:
            return [w for w in words[2:] if not w.startswith('-')]
    return None


def main(root):
    rows = table(os.path.join(root, 'scripts', 'dependencies.txt'))
    wanted = [f for _, fedora in rows for f in fedora]
    with open(os.path.join(root, 'README.md'), encoding='utf-8') as f:
        listed = dnf_packages(f.read())
    problems = []
    if listed is None:
        problems.append('README.md has no ```sh block with a `dnf install` line')
        listed = []
    for name in sorted(set(wanted) - set(listed)):
        debian = [d for d, fedora in rows if name in fedora]
        problems.append(f'README.md\'s dnf line lacks {name} (for {", ".join(debian)})')
    for name in sorted(set(listed) - set(wanted)):
        problems.append(f'README.md\'s dnf line names {name}, which scripts/dependencies.txt '
                        'does not')
    with open(os.path.join(root, 'scripts', 'install-deps.sh'), encoding='utf-8') as f:
        if 'dependencies.txt' not in f.read():
            problems.append('scripts/install-deps.sh does not read scripts/dependencies.txt')
    if problems:
        print('\n'.join(problems))
        return 1
    print(f'README.md and scripts/install-deps.sh name the same {len(rows)} dependencies '
          f'({len(set(wanted))} Fedora packages)')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(__file__), '..', '..')))
