#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every man page renders, and each of its headings reads as its command or option.

check_man_pages.py BUILD_DIR SOURCE_DIR

For each page (daemon/cli/data/*.1, tools/man/*.1): `man -l` renders it with no groff
warning; it has the sections NAME, SYNOPSIS, DESCRIPTION, EXIT STATUS, EXAMPLES and SEE
ALSO; every page of ours that SEE ALSO names exists. The heading of each tagged paragraph
(the line after .TP) is rendered on its own to get the text a reader sees, and that text
must head a paragraph of the rendered page, with balanced brackets. metricsctl(1) must
have, for each command of `metricsctl --help`, headings naming the command with every word
of its synopsis, and only options `metricsctl --help` knows; a tool's page only options
(and words) its script handles.
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

REQUIRED_SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']
BODY = 'BODYMARK'
INDENT = ' ' * 7


def render(path):
    env = dict(os.environ, MANWIDTH='100', LC_ALL='C.UTF-8', MAN_KEEP_FORMATTING='')
    p = subprocess.run(['man', '--warnings', '-l', '-P', 'cat', path], capture_output=True,
                       text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def sections(text):
    out, name = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.endswith(')'):
            name = line.strip()
            out[name] = []
        elif name:
            out[name].append(line)
    return out


def source_tags(source):
    """[(section, roff line)] of each .TP heading in the page's source."""
    tags, section, lines = [], None, source.splitlines()
    for i, line in enumerate(lines):
        if line.startswith('.SH'):
            section = line[3:].strip().strip('"')
        elif line.strip() == '.TP' and i + 1 < len(lines):
            tags.append((section, lines[i + 1]))
    return tags


def rendered_tags(tags):
    """The text a reader sees of each heading: all rendered in one page, each before a body
    marker (on the heading's line when it is short, else on the next)."""
    page = '.TH T 1\n.nh\n.SH S\n' + ''.join(f'.TP\n{tag}\n{BODY}\n' for _, tag in tags)
    with tempfile.NamedTemporaryFile('w', suffix='.1') as f:
        f.write(page)
        f.flush()
        code, text, err = render(f.name)
    if code != 0 or err:
        sys.exit(f'cannot render the headings: {err}')
    out, pending = [], None
    for line in text.splitlines():
        if line.startswith(INDENT + ' ' * 7 + BODY) and pending is not None:
            out.append(pending)
            pending = None
        elif line.startswith(INDENT) and not line.startswith(INDENT + ' '):
            head = line[len(INDENT):]
            if head.endswith(BODY):
                out.append(head[:-len(BODY)].rstrip())
            else:
                pending = head.rstrip()
    if len(out) != len(tags):
        sys.exit(f'rendered {len(out)} headings of {len(tags)}:\n{text}')
    return out


def balanced(text):
    depth = {'[': 0, '(': 0}
    close = {']': '[', ')': '('}
    for c in text:
        if c in depth:
            depth[c] += 1
        elif c in close:
            depth[close[c]] -= 1
            if depth[close[c]] < 0:
                return False
    return not any(depth.values())


def words(text):
    return {w for w in re.split(r'[\s\[\]|,]+', text) if w}


def option_words(tag):
    """--json[=pretty|short] -> {--json}; "-n N, --lines=N" -> {-n, --lines}."""
    return {re.split(r'[=\[]', w)[0] for w in words(tag) if w.startswith('-')}


def help_commands(metricsctl):
    """{name: synopsis words} and the set of option words of `metricsctl --help`."""
    text = subprocess.run([metricsctl, '--help'], capture_output=True, text=True,
                          check=True).stdout
    commands, options, part = {}, set(), None
    for line in text.splitlines():
        if line.endswith(':') and not line.startswith(' '):
            part = line[:-1]
            continue
        if not line.startswith('  ') or line.startswith(' ' * 20):
            continue
        left = re.split(r'\s{2,}', line.strip())[0]
        if part == 'Commands':
            name, *rest = left.split(' ', 1)
            commands[name] = words(rest[0]) if rest else set()
        elif part == 'Options':
            options |= option_words(left)
    return commands, options


def main():
    build_dir, source_dir = sys.argv[1:3]
    pages = sorted(glob.glob(os.path.join(source_dir, 'daemon', 'cli', 'data', '*.1')) +
                   glob.glob(os.path.join(source_dir, 'tools', 'man', '*.1')))
    ours = {os.path.basename(p)[:-2] for p in pages}
    metricsctl = os.path.join(build_dir, 'daemon', 'cli', 'metricsctl')
    commands, known_options = help_commands(metricsctl)
    problems = []
    for page in pages:
        name = os.path.basename(page)[:-2]
        code, text, err = render(page)
        if code != 0 or err:
            problems.append(f'{name}(1): man -l fails or warns: {err.strip()}')
            continue
        found = sections(text)
        for section in REQUIRED_SECTIONS:
            if section not in found:
                problems.append(f'{name}(1): no {section} section')
        for ref in re.findall(r'([\w.-]+)\(1\)', '\n'.join(found.get('SEE ALSO', []))):
            if (ref.startswith('eos-') or ref == 'metricsctl') and ref not in ours:
                problems.append(f'{name}(1): SEE ALSO names {ref}(1), which is not written')
        source = open(page).read()
        tags = source_tags(source)
        headings = rendered_tags(tags)
        lines = text.splitlines()
        for (section, roff), heading in zip(tags, headings):
            where = f'{name}(1), {section}: heading {heading!r} ({roff!r})'
            if not any(line == INDENT + heading or line.startswith(INDENT + heading + ' ')
                       for line in lines):
                problems.append(f'{where} does not head a paragraph of the page')
            if not balanced(heading):
                problems.append(f'{where} has unbalanced brackets')
            if section == 'OPTIONS':
                if name == 'metricsctl':
                    unknown = option_words(heading) - known_options
                else:
                    tool = os.path.join(source_dir, 'tools', name)
                    script = open(tool if os.path.exists(tool) else tool + '.in').read()
                    unknown = {w for w in option_words(heading) or words(heading)
                               if w not in script}
                if unknown:
                    problems.append(f'{where}: {", ".join(sorted(unknown))} unknown to {name}')
        if name == 'metricsctl':
            command_headings = [h for (s, _), h in zip(tags, headings) if s == 'COMMANDS']
            for command, synopsis in commands.items():
                named = [h for h in command_headings if h.split(' ')[0] == command]
                have = set().union(*(words(h) for h in named)) if named else set()
                if not named:
                    problems.append(f'metricsctl(1): no heading for the command {command}')
                elif synopsis - have:
                    problems.append(f'metricsctl(1): the headings of {command} '
                                    f'({" / ".join(named)}) lack {", ".join(sorted(synopsis - have))}')
    if problems:
        print('man pages:', *problems, sep='\n  ', file=sys.stderr)
        sys.exit(1)
    print(f'{len(pages)} man pages render with every heading whole: {", ".join(sorted(ours))}')


if __name__ == '__main__':
    main()
