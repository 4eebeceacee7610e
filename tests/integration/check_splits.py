#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fails when the ctest parts of a split integration module (tests/integration/CMakeLists.txt,
METRICS_INTEGRATION_SPLITS) leave out one of its test classes or name one twice: a class
left out would never run.

Usage: check_splits.py MODULE CLASS,CLASS [CLASS,...]...
"""
import ast
import sys


def test_classes(module):
    with open(module + '.py', encoding='utf-8') as f:
        tree = ast.parse(f.read())
    return {node.name for node in tree.body
            if isinstance(node, ast.ClassDef)
            and any(isinstance(item, ast.FunctionDef) and item.name.startswith('test')
                    for item in node.body)}


def main():
    module, parts = sys.argv[1], sys.argv[2:]
    named = [c for part in parts for c in part.split(',')]
    have = test_classes(module)
    problems = []
    for c in sorted(have - set(named)):
        problems.append(f'{module}.{c} is in no part: add it to METRICS_INTEGRATION_SPLITS')
    for c in sorted(set(named) - have):
        problems.append(f'{module}.{c} is named in a part but has no tests')
    for c in sorted({c for c in named if named.count(c) > 1}):
        problems.append(f'{module}.{c} is in more than one part')
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f'{module}: {len(have)} test classes in {len(parts)} parts')
    return 0


if __name__ == '__main__':
    sys.exit(main())
