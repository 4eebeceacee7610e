# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python and gjs examples of docs/examples run against the stand-in recorder and
record what they say they record."""

import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, '..', '..', 'docs', 'examples')
sys.path.insert(0, HERE)
import gi_env  # noqa: E402
import mockbus  # noqa: E402


class ExamplesTest(unittest.TestCase):
    def run_example(self, argv):
        with mockbus.PrivateBus() as bus:
            bus.start_mock()
            env = gi_env.child_environment()
            env.update(bus.environment())
            p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(len(bus.calls('RecordSingularEvent')), 2)
            self.assertEqual([c[2] for c in bus.calls('RecordAggregateEvent')], [12])
            (sequence,) = bus.calls('RecordEventSequence')
            self.assertEqual(len(sequence[2]), 3)
            self.assertEqual(len(bus.calls('StartAggregateTimer')), 1)
            stops = bus.wait_calls('StopTimer', 1, path=f'{mockbus.MAIN_PATH}/AggregateTimer1')
            self.assertEqual(len(stops), 1)

    def test_python_example(self):
        self.run_example(['/usr/bin/python3', os.path.join(EXAMPLES, 'record.py')])

    @unittest.skipIf(shutil.which('gjs') is None, 'gjs is not installed (Debian package gjs)')
    def test_gjs_example(self):
        self.run_example(['gjs', os.path.join(EXAMPLES, 'record.js')])


if __name__ == '__main__':
    unittest.main()
