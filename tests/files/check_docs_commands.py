#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command the administrator's guides show is exercised by a test or the demo.

Reads the ```sh blocks of docs/admin-guide.md and docs/own-server.md: each
`metricsctl SUBCOMMAND` must appear in an integration test's command line or in
scripts/demo.sh, each `eos-*` command in an integration test, and the local collector and
its certificate helper in the demo or in a section an integration test replays. A
replayed section (REPLAYED) is run command by command against the real recorder by its
test, which reads it with the functions below; this check makes sure it still has
commands to run. Sample outputs (SAMPLES_TEST below) are each replayed and compared with
the real output. Fails with the commands nobody runs and the samples nobody checks."""

import glob
import os
import re
import shlex
import sys

GUIDES = ('docs/admin-guide.md', 'docs/own-server.md')
# (guide, heading of a section) -> the integration test that runs its commands.
REPLAYED = {
    ('docs/own-server.md', 'Quick path: the local test collector'):
        'tests/integration/test_own_server_guide.py',
}
COLLECTOR_TOOLS = ('metrics-test-collector', 'make-test-cert.sh')
# Installed names (the eos-metrics-test-collector package) of the same programs.
INSTALLED_AS = {'metrics-test-collector-cert': 'make-test-cert.sh'}

# Sample outputs: a plain ``` block whose first line is "$ COMMAND", right after a line
# "<!-- sample: NAME -->". SAMPLES_TEST sets up the state scenario_NAME describes, runs
# the block's commands and compares what they print, line by line, allowing only these
# placeholders (docs/metricsctl.md, "Samples", says what each stands for).
SAMPLES_TEST = 'tests/integration/test_docs_samples.py'
PLACEHOLDERS = {
    '<date>': r'\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+',
    '<relative>': r'now|(in )?\d+ [a-z]+( \d+ [a-z]+)?( ago)?',
    '<day>': r'\d{4}-\d\d-\d\d',
    '<month>': r'\d{4}-\d\d',
    '<size>': r'\d+(\.\d)? [kMGTPE]?B',
    '<sha512>': r'[0-9a-f]{128}',
    '<number>': r'\d+',
}
_SAMPLE = re.compile(r'^(?:<!-- sample: ([\w-]+) -->\n)?```\n(\$ .*?)^```', re.S | re.M)

_HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*$')
_BLOCK = re.compile(r'^```(\w*)\n(.*?)^```', re.S | re.M)


def section(markdown, heading):
    """The text under `heading` (any level) up to the next heading of the same or a
    higher level; None when there is no such heading."""
    lines = markdown.splitlines(keepends=True)
    fenced = False
    start = level = None
    for i, line in enumerate(lines):
        if line.startswith('```'):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if not m:
            continue
        if start is None:
            if m.group(2) == heading:
                start, level = i + 1, len(m.group(1))
        elif len(m.group(1)) <= level:
            return ''.join(lines[start:i])
    return None if start is None else ''.join(lines[start:])


def code_blocks(markdown):
    """(language, text) of each fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(markdown)]


def shell_commands(block):
    """The commands of a ```sh block: lines joined at a trailing backslash, each split as
    the shell would (quotes, # comments); empty lines left out. Raises ValueError on a
    line the shell could not parse either."""
    out, pending = [], ''
    for line in block.splitlines():
        if line.endswith('\\'):
            pending += line[:-1] + ' '
            continue
        words = shlex.split(pending + line, comments=True)
        pending = ''
        if words:
            out.append(words)
    return out


def samples(markdown):
    """(NAME or None, [(command line, [expected output lines])]) of each sample block."""
    out = []
    for m in _SAMPLE.finditer(markdown):
        runs = []
        for line in m.group(2).splitlines():
            if line.startswith('$ '):
                runs.append((line[2:], []))
            else:
                runs[-1][1].append(line)
        out.append((m.group(1), runs))
    return out


def sample_pattern(expected):
    """A regular expression for one expected line: literal, but for the placeholders, and
    the spaces right after one, which stretch to the width of what it stands for (a
    column)."""
    pieces = re.split('(' + '|'.join(map(re.escape, PLACEHOLDERS)) + ')', expected)
    out = []
    for i, piece in enumerate(pieces):
        if piece in PLACEHOLDERS:
            out.append(f'(?:{PLACEHOLDERS[piece]})')
            continue
        rest = piece.lstrip(' ') if i > 0 else piece
        out.append((' +' if len(rest) < len(piece) else '') + re.escape(rest))
    return ''.join(out)


def unchecked_samples(root):
    """Samples of docs/*.md without a scenario in SAMPLES_TEST."""
    with open(os.path.join(root, SAMPLES_TEST), encoding='utf-8') as f:
        test = f.read()
    problems = []
    for doc in sorted(glob.glob(os.path.join(root, 'docs', '*.md'))):
        with open(doc, encoding='utf-8') as f:
            for name, runs in samples(f.read()):
                where = f'{os.path.relpath(doc, root)}: the sample of "$ {runs[0][0]}"'
                if name is None:
                    problems.append(f'{where} has no "<!-- sample: NAME -->" line before it')
                elif f'def scenario_{name.replace("-", "_")}(' not in test:
                    problems.append(f'{where}: {SAMPLES_TEST} has no scenario_{name}')
    return problems


def program(words):
    return os.path.basename(words[0]) if words else ''


def guide_commands(markdown):
    """(tool, subcommand) of every line of the guide's ```sh blocks that runs one of ours.
    Lines are read one by one, so a multi-line shell snippet cannot hide a command."""
    found = set()
    for language, block in code_blocks(markdown):
        if language != 'sh':
            continue
        for line in block.splitlines():
            words = line.split('#')[0].split()
            if not words:
                continue
            tool = os.path.basename(words[0])
            tool = INSTALLED_AS.get(tool, tool)
            if tool == 'metricsctl' or tool.startswith('eos-') or tool in COLLECTOR_TOOLS:
                found.add((tool, words[1] if len(words) > 1 and tool != 'make-test-cert.sh'
                           and not words[1].startswith('-') else ''))
    return found


def replayed_tools(root):
    """The tools run by the replayed sections, and the problems with those sections."""
    tools, problems = set(), []
    for (guide, heading), test in REPLAYED.items():
        with open(os.path.join(root, guide), encoding='utf-8') as f:
            text = section(f.read(), heading)
        if text is None:
            problems.append(f'{guide} has no section "{heading}", which {test} replays')
            continue
        commands = [c for lang, b in code_blocks(text) if lang == 'sh' for c in shell_commands(b)]
        if not commands:
            problems.append(f'{guide}, "{heading}": no commands left for {test} to run')
        if not os.path.isfile(os.path.join(root, test)):
            problems.append(f'{test}, which replays {guide}, "{heading}", is missing')
        tools.update(INSTALLED_AS.get(program(c), program(c)) for c in commands)
    return tools, problems


def main(root):
    tests = ''.join(open(p).read()
                    for p in glob.glob(os.path.join(root, 'tests', 'integration', '*.py')))
    demo = open(os.path.join(root, 'scripts', 'demo.sh')).read()
    replayed, problems = replayed_tools(root)
    problems += unchecked_samples(root)

    missing = []
    count = 0
    for guide in GUIDES:
        with open(os.path.join(root, guide), encoding='utf-8') as f:
            commands = guide_commands(f.read())
        count += len(commands)
        for tool, sub in sorted(commands):
            if tool == 'metricsctl':
                # A test runs it as ('queue', ...) or ctl('queue'); the demo as "metricsctl queue".
                used = f"'{sub}'" in tests or re.search(rf'metricsctl {re.escape(sub)}\b', demo)
            elif tool in COLLECTOR_TOOLS:
                used = tool in replayed or tool in demo
            else:
                used = tool in tests and (not sub or sub in tests)
            if not used:
                missing.append(f'{guide}: {tool} {sub}'.strip())

    if missing:
        problems.append('commands no test or demo runs: ' + ', '.join(missing))
    if problems:
        print('\n'.join(problems))
        return 1
    print(f'{count} commands of {", ".join(GUIDES)} are exercised')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else
                  os.path.join(os.path.dirname(__file__), '..', '..')))
