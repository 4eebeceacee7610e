# SPDX-License-Identifier: GPL-2.0-or-later
"""gjs smoke test: smoke.js records through the typelib; the stand-in recorder got it."""

import os
import shutil
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gi_env  # noqa: E402
import mockbus  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


@unittest.skipIf(shutil.which('gjs') is None, 'gjs is not installed (Debian package gjs)')
class GjsSmokeTest(unittest.TestCase):
    def test_smoke(self):
        with mockbus.PrivateBus() as bus:
            bus.start_mock()
            event_id = str(uuid.uuid4())
            env = gi_env.child_environment()
            env.update(bus.environment())
            p = subprocess.run(['gjs', os.path.join(HERE, 'smoke.js'), event_id],
                               capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn('recorded 51640a4e-79aa-47ac-b7e2-d3106a06e129', p.stdout)
            singular = bus.calls('RecordSingularEvent')
            self.assertEqual(len(singular), 3)
            self.assertEqual([c[3] for c in singular], [False, True, True])
            self.assertEqual(singular[1][4], {'units_of_smoke_ground': 3, 'grinding_time': 60})
            self.assertEqual(singular[2][4], 'last')
            aggregate = bus.calls('RecordAggregateEvent')
            self.assertEqual([c[2] for c in aggregate], [23])
            (sequence,) = bus.calls('RecordEventSequence')
            self.assertEqual(len(sequence[2]), 3)
            (start,) = bus.calls('StartAggregateTimer')
            self.assertEqual(start[3], 'timed')
            stops = bus.wait_calls('StopTimer', 1, path=f'{mockbus.MAIN_PATH}/AggregateTimer1')
            self.assertEqual(len(stops), 1)


if __name__ == '__main__':
    unittest.main()
