#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The documentation points only at what the repository has.

For README.md and every Markdown file under docs/:
* each relative link ([text](path), [text](path#anchor), [id]: path) names a file of the
  repository, and its #anchor a heading of that file (GitHub's anchors);
* each file name ending in .md in inline code (`protocol.md`, `docs/recorder.md`) exists,
  next to the document, under docs/ or at the top of the repository;
* no document mentions shared/, the design notes kept outside the repository.
Fails with every problem, one per line (file:line: what)."""

import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..', '..'))

FENCE = re.compile(r'^\s*(```|~~~)')
INLINE_LINK = re.compile(r'!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
REFERENCE_LINK = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$', re.M)
# A code span may wrap, but not over a blank line.
CODE_SPAN = re.compile(r'`((?:[^`\n]|\n(?!\s*\n))+)`')
MD_NAME = re.compile(r'^[\w./-]+\.md$')
HEADING = re.compile(r'^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$')
HTML_ANCHOR = re.compile(r'<a\s+(?:name|id)="([^"]+)"')
OUTSIDE = re.compile(r'\bshared/')
SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')


def documents():
    paths = [os.path.join(ROOT, 'README.md')]
    paths += glob.glob(os.path.join(ROOT, 'docs', '**', '*.md'), recursive=True)
    return sorted(p for p in paths if os.path.isfile(p))


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def prose(text):
    """The text with fenced code blocks blanked out (line numbers stay), so that links
    and code spans wrapped over two lines are found whole."""
    kept = dict(prose_lines(text))
    return '\n'.join(kept.get(n, '') for n in range(1, len(text.splitlines()) + 1))


def slug(heading):
    """The anchor GitHub gives a heading: its text without markup, lower case, without
    punctuation other than - and _, spaces turned into hyphens."""
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # links: their text
    text = text.replace('`', '').replace('*', '')
    text = text.strip().lower()
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


_anchors = {}


def anchors(path):
    if path not in _anchors:
        with open(path, encoding='utf-8') as f:
            text = f.read()
        found, seen = set(), {}
        for _number, line in prose_lines(text):
            m = HEADING.match(line)
            if m:
                base = slug(m.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f'{base}-{count}')
            found.update(HTML_ANCHOR.findall(line))
        _anchors[path] = found
    return _anchors[path]


def inside_repository(path):
    return os.path.commonpath([ROOT, os.path.abspath(path)]) == ROOT


def check_link(doc, target):
    """A problem with one link target, or None."""
    if SCHEME.match(target) or target.startswith('//'):
        return None  # a web address or another scheme: not a file of ours
    path_part, _, anchor = target.partition('#')
    if path_part:
        if path_part.startswith('/'):
            return f'link {target}: an absolute path, not a file of the repository'
        resolved = os.path.normpath(os.path.join(os.path.dirname(doc), path_part))
        if not inside_repository(resolved):
            return f'link {target}: points outside the repository'
        if not os.path.exists(resolved):
            return f'link {target}: {os.path.relpath(resolved, ROOT)} does not exist'
    else:
        resolved = doc
    if anchor and resolved.endswith('.md') and os.path.isfile(resolved):
        if anchor not in anchors(resolved):
            return (f'link {target}: {os.path.relpath(resolved, ROOT)} has no heading '
                    f'with the anchor #{anchor}')
    return None


def check_md_name(doc, name):
    if '*' in name or name.startswith('/'):
        return None
    candidates = [os.path.join(os.path.dirname(doc), name), os.path.join(ROOT, name),
                  os.path.join(ROOT, 'docs', name)]
    if any(os.path.isfile(os.path.normpath(c)) and inside_repository(c) for c in candidates):
        return None
    return f'names {name}, which the repository does not have'


def problems():
    out = []
    for doc in documents():
        rel = os.path.relpath(doc, ROOT)
        with open(doc, encoding='utf-8') as f:
            text = f.read()
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                out.append(f'{rel}:{number}: mentions shared/, which is not part of the '
                           'repository: put what the reader needs in docs/ or the registry')
        body = prose(text)

        def line_of(offset):
            return body.count('\n', 0, offset) + 1

        for m in list(INLINE_LINK.finditer(body)) + list(REFERENCE_LINK.finditer(body)):
            problem = check_link(doc, m.group(1))
            if problem:
                out.append(f'{rel}:{line_of(m.start())}: {problem}')
        for m in CODE_SPAN.finditer(body):
            name = ' '.join(m.group(1).split())
            if MD_NAME.match(name):
                problem = check_md_name(doc, name)
                if problem:
                    out.append(f'{rel}:{line_of(m.start())}: {problem}')
    return out


if __name__ == '__main__':
    found = problems()
    if found:
        print('\n'.join(found))
        sys.exit(1)
    print(f'{len(documents())} documents: every link and file name resolves in the repository')
