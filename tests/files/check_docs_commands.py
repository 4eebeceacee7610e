#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command the administrator's guide shows is exercised by a test or the demo.

Reads the ```sh blocks of docs/admin-guide.md; each `metricsctl SUBCOMMAND` must appear
in an integration test's command line or in scripts/demo.sh, and each `eos-*` command in
an integration test. Fails with the commands nobody runs."""

import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
guide = open(os.path.join(root, 'docs', 'admin-guide.md')).read()
tests = ''.join(open(p).read() for p in glob.glob(os.path.join(root, 'tests', 'integration', '*.py')))
demo = open(os.path.join(root, 'scripts', 'demo.sh')).read()

commands = set()
for block in re.findall(r'```sh\n(.*?)```', guide, re.S):
    for line in block.splitlines():
        words = line.split('#')[0].split()
        if words and words[0] == 'metricsctl':
            commands.add(('metricsctl', words[1] if len(words) > 1 else ''))
        elif words and words[0].startswith('eos-'):
            commands.add((words[0], words[1] if len(words) > 1 else ''))

missing = []
for tool, sub in sorted(commands):
    if tool == 'metricsctl':
        # A test runs it as ('queue', ...) or ctl('queue'); the demo as "metricsctl queue".
        used = f"'{sub}'" in tests or re.search(rf'metricsctl {re.escape(sub)}\b', demo)
    else:
        used = tool in tests and (not sub or sub in tests)
    if not used:
        missing.append(f'{tool} {sub}'.strip())

if missing:
    print('docs/admin-guide.md shows commands no test or demo runs: ' + ', '.join(missing))
    sys.exit(1)
print(f'{len(commands)} commands of the admin guide are exercised')
