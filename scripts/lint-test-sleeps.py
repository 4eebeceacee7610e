#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests wait for events, not for time.

    lint-test-sleeps.py [DIRECTORY...]     (default: tests/integration of this checkout)
    lint-test-sleeps.py --self-test         (the check judges samples as it should)

Fails (exit 1, one line per finding) on, in every *.py file of the directories:

* a sleep (time.sleep, sleep imported from time, GLib.usleep), also inside programs kept in
  strings, without a reason on its line: `# sleep-ok: <why>`. Waiting for something is
  harness.wait_until (an event, a file, a state); a sleep is for time that is itself the
  matter: a timer measuring it, a client keeping its own pace;
* a timing assertion: an assert statement or assert*/fail call that relates only readings
  of the test's own clock (time.time(), time.monotonic(), ..., and names computed from
  them by arithmetic) and constants, such as `assertLess(time.monotonic() - t0, 60)` or
  `assertLess(time.time(), midnight - 1, 'test setup too slow')`, or whose message says
  "within N s" or "too slow". Comparing what the recorder reports with bounds taken from
  the clock (a timer's count between two readings) is not one: it holds on any machine;
* a wait helper called with a short timeout (timeout=N with N < 60): a timeout only turns
  a hang into a failure, it never proves anything.
"""

import ast
import os
import re
import sys

CLOCKS = {'time', 'time_ns', 'monotonic', 'monotonic_ns', 'perf_counter', 'perf_counter_ns',
          'clock_gettime', 'clock_gettime_ns', 'boottime_ns', 'process_time'}
# Calls that keep a clock reading a clock reading.
ARITHMETIC = {'int', 'float', 'round', 'abs', 'min', 'max', 'floor', 'ceil', 'trunc'}
WAITS = {'wait_until', 'wait_for', 'wait_for_log'}
MIN_WAIT_TIMEOUT_S = 60
SLEEP_TEXT = re.compile(r'\b(?:time\.sleep|usleep|(?<![\w.])sleep)\s*\(')
SLEEP_OK = re.compile(r'#\s*sleep-ok:\s*\S')
TIMING_MESSAGE = re.compile(r'\bwithin \d+(?:\.\d+)?\s*s\b|\btoo slow\b', re.IGNORECASE)
COMPARING_ASSERTS = {'assertLess', 'assertLessEqual', 'assertGreater', 'assertGreaterEqual',
                     'assertEqual', 'assertNotEqual', 'assertAlmostEqual', 'assertNotAlmostEqual'}


def call_name(func):
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


class Module:
    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.tree = ast.parse(text, path)
        self.findings = []
        self.clock_names = self.find_clock_names()

    def report(self, line, what):
        self.findings.append(f'{self.path}:{line}: {what}')

    # ------------------------------------------------------------ clock readings
    def kind(self, node, names):
        """'clock' (a clock reading, or arithmetic on one), 'constant', or 'other'."""
        if isinstance(node, ast.Constant):
            return 'constant' if isinstance(node.value, (int, float)) else 'other'
        if isinstance(node, ast.Name):
            return names.get(node.id, 'other')
        if isinstance(node, ast.Call):
            name = call_name(node.func)
            if name in CLOCKS and not node.args[1:]:
                return 'clock'
            if name in ARITHMETIC:
                return self.combine([self.kind(a, names) for a in node.args])
            return 'other'
        if isinstance(node, ast.BinOp):
            return self.combine([self.kind(node.left, names), self.kind(node.right, names)])
        if isinstance(node, ast.UnaryOp):
            return self.kind(node.operand, names)
        return 'other'

    @staticmethod
    def combine(kinds):
        if 'other' in kinds and 'clock' not in kinds:
            return 'other'
        if 'clock' in kinds:
            # A reading plus a loop variable or a setting is still a moment or a duration.
            return 'clock'
        return 'constant'

    def find_clock_names(self):
        """Names assigned clock readings (or arithmetic on them) or plain numbers."""
        names = {}
        changed = True
        while changed:
            changed = False
            for node in ast.walk(self.tree):
                if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                    continue
                target = node.targets[0]
                if not isinstance(target, ast.Name):
                    continue
                k = self.kind(node.value, names)
                if k != 'other' and names.get(target.id) != k:
                    # A name given both kinds somewhere counts as a clock reading.
                    if names.get(target.id) != 'clock':
                        names[target.id] = k
                        changed = True
        return names

    # ------------------------------------------------------------ checks
    def check_sleeps(self):
        for number, line in enumerate(self.text.splitlines(), 1):
            # A sleep in a comment is not one; a program kept in a string is checked too.
            if SLEEP_TEXT.search(line.split('#', 1)[0]) and not SLEEP_OK.search(line):
                self.report(number, 'a sleep without "# sleep-ok: <why>": wait for the event '
                                    '(harness.wait_until) instead')
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module == 'time':
                if any(alias.name == 'sleep' for alias in node.names):
                    self.report(node.lineno, 'sleep imported from time: call time.sleep, so '
                                             'that this check sees it')

    def operands(self, node):
        """The values an assertion relates, or None when it is not an assertion."""
        if isinstance(node, ast.Assert):
            return self.expression_operands(node.test)
        if not isinstance(node, ast.Call):
            return None
        name = call_name(node.func)
        if name is None or not (name.startswith('assert') or name == 'fail'):
            return None
        if name == 'fail':
            return []
        args = [a for a in node.args if not self.is_text(a)]
        if name in COMPARING_ASSERTS:
            return args[:2]
        if name in ('assertTrue', 'assertFalse'):
            return self.expression_operands(args[0]) if args else []
        return args

    def expression_operands(self, expr):
        if isinstance(expr, ast.Compare):
            return [expr.left, *expr.comparators]
        if isinstance(expr, ast.BoolOp):
            return [o for v in expr.values for o in self.expression_operands(v)]
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            return self.expression_operands(expr.operand)
        return [expr]

    @staticmethod
    def is_text(node):
        return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and
                                                    isinstance(node.value, str))

    def message_texts(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield sub.value

    def check_assertions(self):
        for node in ast.walk(self.tree):
            operands = self.operands(node)
            if operands is None:
                continue
            kinds = [self.kind(o, self.clock_names) for o in operands]
            if 'clock' in kinds and 'other' not in kinds:
                self.report(node.lineno, 'a timing assertion (it relates only the test\'s own '
                                         'clock readings): assert the order of events instead')
                continue
            if any(TIMING_MESSAGE.search(t) for t in self.message_texts(node)):
                self.report(node.lineno, 'an assertion about how soon ("within N s", "too '
                                         'slow"): assert the order of events instead')

    def check_wait_timeouts(self):
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or call_name(node.func) not in WAITS:
                continue
            for kw in node.keywords:
                if (kw.arg == 'timeout' and isinstance(kw.value, ast.Constant) and
                        isinstance(kw.value.value, (int, float)) and
                        kw.value.value < MIN_WAIT_TIMEOUT_S):
                    self.report(node.lineno, f'a wait with timeout={kw.value.value}: leave '
                                             'the harness\'s safety limit; a timeout proves '
                                             'nothing')


def check_text(path, text):
    try:
        module = Module(path, text)
    except SyntaxError as e:
        return [f'{path}:{e.lineno}: cannot parse: {e.msg}']
    module.check_sleeps()
    module.check_assertions()
    module.check_wait_timeouts()
    return module.findings


def check_file(path):
    with open(path, encoding='utf-8') as f:
        return check_text(path, f.read())


# --self-test: the lines each sample must be found guilty on (none: it passes).
SAMPLES = [
    ('import time\ntime.sleep(0.5)\n', [2]),
    ("import time\ntime.sleep(0.5)  # sleep-ok: a client's own pace\n", []),
    ('import time\ntime.sleep(0.5)  # sleep-ok:\n', [2]),
    ('from time import sleep\nsleep(1)\n', [1, 2]),
    ('PROGRAM = """\nimport time\ntime.sleep(60)\n"""\n', [3]),
    ("# time.sleep(1) would be wrong here\nx = 'exec sleep 600'\n", []),
    ('import time\nt0 = time.monotonic()\nself.assertLess(time.monotonic() - t0, 60)\n', [3]),
    ('import time\nt0 = time.monotonic()\nelapsed = time.monotonic() - t0\n'
     'self.assertIsNotNone(elapsed)\nassert elapsed < 1\n', [4, 5]),
    ('import time\nmidnight = int(time.time()) + 3\n'
     "self.assertLess(time.time(), midnight - 1, 'setup')\n", [3]),
    ("self.fail('not honoured within 1 s')\nself.assertTrue(x, 'test setup too slow')\n",
     [1, 2]),
    ('import time\nt0 = time.monotonic()\nv = self.count()\n'
     'self.assertTrue(math.floor(time.monotonic() - t0) <= v)\n'
     "self.assertLessEqual(self.control('NextUploadTime'), time.time() + 31)\n", []),
    ('import time\nmidnight = int(time.time()) + 3\ntz, old, new = zone(midnight)\n'
     'self.assertNotEqual(old, new)\n', []),
    ('self.wait_until(done, timeout=2)\nself.wait_for(done, timeout=RECOVERY)\n'
     'self.wait_until(done, timeout=120)\n', [1]),
]


def self_test():
    wrong = 0
    for number, (text, expected) in enumerate(SAMPLES, 1):
        found = sorted({int(f.split(':')[1]) for f in check_text(f'sample{number}', text)})
        if found != expected:
            wrong += 1
            print(f'sample {number}: findings on lines {found}, expected {expected}:\n{text}')
    print(f'self-test: {len(SAMPLES) - wrong} of {len(SAMPLES)} samples judged right')
    return 1 if wrong else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    here = os.path.dirname(os.path.abspath(__file__))
    directories = argv[1:] or [os.path.join(here, '..', 'tests', 'integration')]
    findings = []
    files = 0
    for directory in directories:
        if not os.path.isdir(directory):
            print(f'{directory}: not a directory', file=sys.stderr)
            return 2
        for name in sorted(os.listdir(directory)):
            if name.endswith('.py'):
                files += 1
                findings += check_file(os.path.join(directory, name))
    for finding in findings:
        print(finding)
    if findings:
        print(f'{len(findings)} finding(s) in {files} files: tests wait for events, not for '
              'time (scripts/lint-test-sleeps.py says what passes)', file=sys.stderr)
        return 1
    print(f'{files} files: no sleep without a reason, no timing assertion')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
