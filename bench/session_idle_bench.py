#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Idle wake-ups of eos-metrics-session-collector: context switches of all its threads
over an interval in which nothing changes (bench/idle_wakeups.sh), after it has started,
recorded its Toolbx event, and followed a few IDE starts and stops.

Everything runs in a temporary directory, with the integration tests' stand-ins: a private
system-like bus with the stand-in recorder, a private session bus with the stand-in
systemd user manager (an IDE and another application running), a podman stand-in.
Needs Debian's /usr/bin/python3 (gi, dbus, dbusmock). Prints one line.

Usage: bench/session_idle_bench.py [--build-dir DIR] [--seconds N]
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument('--build-dir', default=os.path.join(REPO, 'build'))
parser.add_argument('--seconds', type=int, default=60)
parser.add_argument('--warm-up', type=int, default=20, help='IDE starts and stops first')
args = parser.parse_args()
# The test support finds the binaries through METRICS_BUILD_DIR when it is imported.
os.environ['METRICS_BUILD_DIR'] = os.path.abspath(args.build_dir)
sys.path[:0] = [os.path.join(REPO, 'tests', 'instrumentation'),
                os.path.join(REPO, 'tests', 'integration')]

from harness import Harness  # noqa: E402
from instrumentation_env import Mocks  # noqa: E402
from session_env import SessionBus, SessionCollector, UserManager  # noqa: E402


def main():
    env = Harness()
    try:
        env.start_bus()
        mocks = Mocks(env)
        mocks.start_recorder()
        session_bus = SessionBus(env)
        manager = UserManager(env, session_bus)
        manager.add_unit('app-gnome-org.gnome.Builder-4711.scope', 'active')
        manager.add_unit('app-gnome-org.mozilla.firefox-4712.scope', 'active')
        collector = SessionCollector(env, session_bus)
        collector.set_podman('several-images.json')
        collector.start()
        collector.wait_log('toolbx-images: recorded')
        collector.wait_log('timer started for org.gnome.Builder')
        for i in range(args.warm_up):
            name = f'app-gnome-code-{5000 + i}.scope'
            manager.add_unit(name, 'active')
            collector.wait_log('timer started for code', count=i + 1)
            manager.remove_unit(name)
            collector.wait_log('timer stopped for code', count=i + 1)
        time.sleep(2)  # the last replies and signals
        out = subprocess.run([os.path.join(HERE, 'idle_wakeups.sh'), str(collector.proc.pid),
                              str(args.seconds)], check=True, capture_output=True, text=True)
        threads = len(os.listdir(f'/proc/{collector.proc.pid}/task'))
        print(f'eos-metrics-session-collector: {out.stdout.strip()} wake-ups in {args.seconds} s '
              f'idle ({threads} threads; after {args.warm_up} IDE starts and stops, with an '
              f'IDE running)')
        collector.stop()
        session_bus.close()
        mocks.close()
    finally:
        env.close()


if __name__ == '__main__':
    main()
