# SPDX-License-Identifier: GPL-2.0-or-later
"""`cmake --install` stages exactly the files packaging/fedora.spec packages.

check_install_layout.py BUILD_DIR SPEC PROJECT_VERSION

The spec's %files lists are the one list of installed files: they are expanded with
rpmspec and the macros of this build's layout (BUILD_DIR/packaging/install-layout.macros),
and compared with a staged install. Every staged file must be claimed by exactly one
package; every listed path must match something staged. Paths rpmbuild supplies itself
(%doc or %license with a path relative to the sources) and %ghost files are not staged
by CMake and are not compared. The spec's Version must be the project's. Every installed
command (a file in a bin directory) comes with its manual page in man1.
"""

import fnmatch
import os
import re
import shlex
import subprocess
import sys
import tempfile

SECTION = re.compile(r'^%(package|description|prep|build|install|check|clean|files|changelog|'
                     r'pre|post|preun|postun|pretrans|posttrans|triggerin|triggerun|'
                     r'triggerpostun|filetriggerin|filetriggerun|transfiletriggerin|'
                     r'transfiletriggerun|verifyscript)\b')
# %files directives and whether they take a parenthesised argument.
DIRECTIVES = re.compile(r'%(config|attr|verify|lang|caps)\([^)]*\)|%(dir|doc|license|ghost|'
                        r'config|docdir|readme|missingok|artifact)\b')


def expand_spec(spec, macros):
    out = subprocess.run(['rpmspec', '-P', '--load', macros, spec], capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.exit(f'rpmspec cannot parse {spec}:\n{out.stderr}')
    return out.stdout


def version_of(parsed):
    for line in parsed.splitlines():
        if line.startswith('Version:'):
            return line.split(':', 1)[1].strip()
    return None


def name_of(parsed):
    for line in parsed.splitlines():
        if line.startswith('Name:'):
            return line.split(':', 1)[1].strip()
    return None


def files_entries(parsed, name):
    """[(package, kind, path)] with kind 'file', 'dir' or 'skip'."""
    entries = []
    package = None
    for raw in parsed.splitlines():
        line = raw.strip()
        m = SECTION.match(line)
        if m:
            package = None
            if m.group(1) == 'files':
                args = shlex.split(line)[1:]
                if '-n' in args:
                    package = args[args.index('-n') + 1]
                else:
                    package = f'{name}-{args[0]}' if args else name
            continue
        if package is None or not line or line.startswith('#'):
            continue
        kinds = {m.group(2) or m.group(1) for m in DIRECTIVES.finditer(line)}
        path = DIRECTIVES.sub('', line).strip()
        if not path.startswith('/'):
            if kinds & {'doc', 'license'}:
                entries.append((package, 'skip', path))  # copied from the sources by rpmbuild
                continue
            raise SystemExit(f'%files {package}: not an absolute path: {raw!r}')
        if 'ghost' in kinds:
            kind = 'skip'
        elif 'dir' in kinds:
            kind = 'dir'
        else:
            kind = 'file'
        entries.append((package, kind, path))
    return entries


def staged(build_dir, stage):
    subprocess.run(['cmake', '--install', build_dir], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, DESTDIR=stage))
    files, dirs = set(), set()
    for root, dirnames, filenames in os.walk(stage):
        rel = '/' + os.path.relpath(root, stage) if root != stage else '/'
        for d in dirnames:
            full = os.path.join(rel, d)
            (files if os.path.islink(os.path.join(root, d)) else dirs).add(full)
        for f in filenames:
            files.add(os.path.join(rel, f))
    return files, dirs


def main():
    build_dir, spec, project_version = sys.argv[1:4]
    macros = os.path.join(build_dir, 'packaging', 'install-layout.macros')
    parsed = expand_spec(spec, macros)
    problems = []
    if version_of(parsed) != project_version:
        problems.append(f'the spec says Version: {version_of(parsed)}, the project is '
                        f'{project_version} (CMakeLists.txt project())')
    entries = files_entries(parsed, name_of(parsed))
    with tempfile.TemporaryDirectory(prefix='pkg-layout-') as stage:
        files, dirs = staged(build_dir, stage)
    claimed = {}
    for package, kind, pattern in entries:
        if kind == 'skip':
            continue
        if kind == 'dir':
            if not any(fnmatch.fnmatchcase(d, pattern) for d in dirs):
                problems.append(f'%files {package}: %dir {pattern} is not installed')
            continue
        matched = False
        for f in files:
            if fnmatch.fnmatchcase(f, pattern) or f.startswith(pattern.rstrip('/') + '/'):
                claimed.setdefault(f, []).append(package)
                matched = True
        for d in dirs:  # a listed directory takes everything under it
            if fnmatch.fnmatchcase(d, pattern):
                matched = True
                for f in files:
                    if f.startswith(d + '/'):
                        claimed.setdefault(f, []).append(package)
        if not matched:
            problems.append(f'%files {package}: {pattern} matches nothing `cmake --install` '
                            'stages')
    # Every command has a manual page (rpmlint: no-manual-page-for-binary).
    for f in sorted(files):
        if os.path.basename(os.path.dirname(f)) == 'bin':
            page = os.path.join(os.path.dirname(os.path.dirname(f)), 'share', 'man', 'man1',
                                os.path.basename(f) + '.1')
            if page not in files:
                problems.append(f'{f} is installed without a manual page ({page})')
    for f in sorted(files):
        owners = sorted(set(claimed.get(f, [])))
        if not owners:
            problems.append(f'installed but in no %files list: {f}')
        elif len(owners) > 1:
            problems.append(f'in more than one package ({", ".join(owners)}): {f}')
    if problems:
        print(f'install layout differs from {spec}:', file=sys.stderr)
        for p in problems:
            print('  ' + p, file=sys.stderr)
        sys.exit(1)
    print(f'install layout matches {os.path.basename(spec)}: {len(files)} files in '
          f'{len({p for p, k, _ in entries})} packages')


if __name__ == '__main__':
    main()
