#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every server URL the documentation shows is one a stock Azafea server serves.

check_server_url_examples.py SOURCE_DIR

The stock front end (azafea-metrics-proxy) routes PUT /2/<sha512> and PUT /3/<sha512> at
the root of its site only. So a server URL example must be the root of a site: the
environment, if any, in the host name (https://${environment}.metrics.example.org/), no
path. A request URL (the base followed by /2/ or /3/ and the hash) counts as its base.
A URL with a path is allowed only where its passage says, in so many words, that it is
a "reverse-proxy path prefix" (for a server behind a reverse proxy that strips it): in
a code block on the same line, as a comment (# reverse-proxy path prefix); in prose in
the same paragraph, list item or table row ("path-prefix" with a hyphen counts too).

Read as a reader sees it: docs/*.md without their HTML comments (a comment is no label),
in passages: each line of a code block, each table row, each paragraph or list item;
every man page in the tree rendered by groff, one passage per filled paragraph and per
line of a no-fill block. A server URL example is a URL with ${environment} in it, or any
URL in a passage that speaks of the server URL (server_url, set-server-url,
SetServerUrl, "server URL", "Uploads go to", the build option
METRICS_DEFAULT_SERVER_URL); URLs without a host (a bare "https://") are not examples.
Fails with each offending passage.
"""

import glob
import os
import re
import subprocess
import sys

LABEL = 'reverse-proxy path prefix'
LABELLED = re.compile(r'reverse-proxy path[- ]prefix', re.IGNORECASE)
SERVER_URL_CONTEXT = re.compile(
    r'server[_ -]url|serverurl|uploads go to|metrics_default_server_url', re.IGNORECASE)
URL = re.compile(r'https?://(?:\$\{environment\}|[^\s`\'"<>()\[\]{},;|\\])*')
HTML_COMMENT = re.compile(r'<!--.*?-->', re.DOTALL)
# The base of a request URL: .../3/<sha512> or .../2/<anything standing for it>.
REQUEST_TAIL = re.compile(r'/[23]/[^/]*$')


def split_url(url):
    """(host, path) of `url`, or None when it names no host."""
    url = url.rstrip('.:*')
    rest = url.split('://', 1)[1]
    authority, slash, path = rest.partition('/')
    if not authority:
        return None
    return authority, slash + path


def problem(url):
    """Why `url` is not a server URL a stock server serves, or None."""
    parts = split_url(url)
    if parts is None:
        return None
    _authority, path = parts
    path = REQUEST_TAIL.sub('', path)
    if path.strip('/'):
        return f'has the path {path!r}: the stock server serves only the root of its site'
    return None


def markdown_passages(path):
    """[(line number, passage text)]: each code block line, each table row, each
    paragraph or list item (its lines joined)."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    # A comment is invisible to a reader: keep its lines (for the numbers), drop its text.
    text = HTML_COMMENT.sub(lambda m: '\n' * m.group(0).count('\n'), text)
    passages, current, start, fenced = [], [], 0, False

    def flush():
        if current:
            passages.append((start, ' '.join(current)))
            current.clear()

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith('```'):
            flush()
            fenced = not fenced
            continue
        if fenced or stripped.startswith('|') or stripped.startswith('#'):
            flush()
            passages.append((number, line))
            continue
        if not stripped or re.match(r'([*+-]|\d+\.)\s', stripped):
            flush()
        if stripped:
            if not current:
                start = number
            current.append(stripped)
    flush()
    return passages


def man_page_passages(path):
    """[(line number of the rendering, passage)]: groff with lines too long to be broken,
    so a filled paragraph is one line."""
    out = subprocess.run(['groff', '-man', '-Tascii', '-rLL=10000n', '-P-c', '-P-b', '-P-u',
                          '-P-o', path], capture_output=True, text=True, check=True)
    # Whatever overstriking is left: drop it.
    return [(number, re.sub(r'.\x08', '', line))
            for number, line in enumerate(out.stdout.splitlines(), 1)]


def man_pages(root):
    pages = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ('.git', 'build') and
                       not d.startswith('build-') and not d.startswith('.')]
        for name in filenames:
            if re.search(r'\.[1-8]$', name):
                full = os.path.join(dirpath, name)
                with open(full, encoding='utf-8', errors='replace') as f:
                    requests = [l for l in f.read().splitlines()
                                if l.strip() and not l.startswith('.\\"')]
                if len(requests) == 1 and requests[0].startswith('.so '):
                    continue  # an alias of another page
                pages.append(full)
    return sorted(pages)


def check(source, passages, root):
    found, bad = 0, []
    for number, passage in passages:
        about_the_server_url = SERVER_URL_CONTEXT.search(passage) is not None
        for url in URL.findall(passage):
            if not about_the_server_url and '${environment}' not in url:
                continue
            why = problem(url)
            if split_url(url) is not None:
                found += 1
            if why and not LABELLED.search(passage):
                bad.append(f'{os.path.relpath(source, root)}:{number}: {url} {why}; use '
                           f'https://HOST/ (the environment in the host name), or say '
                           f'"{LABEL}" beside it')
    return found, bad


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..',
                                                              '..')
    docs = sorted(glob.glob(os.path.join(root, 'docs', '*.md')))
    pages = man_pages(root)
    if not docs or not pages:
        sys.exit(f'no documentation found under {root}')
    total, problems = 0, []
    for doc in docs:
        found, bad = check(doc, markdown_passages(doc), root)
        total, problems = total + found, problems + bad
    for page in pages:
        found, bad = check(page, man_page_passages(page), root)
        total, problems = total + found, problems + bad
    if problems:
        print('server URL examples the stock server does not serve:\n  ' + '\n  '.join(problems))
        sys.exit(1)
    print(f'{total} server URL examples in {len(docs)} documents and {len(pages)} man pages '
          'are served by a stock server or labelled as a reverse-proxy path prefix')


if __name__ == '__main__':
    main()
