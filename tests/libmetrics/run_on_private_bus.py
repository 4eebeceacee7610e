#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command with a private bus configured like the system bus.

    run_on_private_bus.py [--mock] COMMAND ARGS...

Starts a dbus-daemon (system-bus type and limits: max_replies_per_connection=128, any
user may connect), exports DBUS_SYSTEM_BUS_ADDRESS (and the session address, so nothing
reaches the host's buses), EMTR_TEST_BUS_PID (to pause the bus) and
EMTR_TEST_MOCK_TEMPLATE (the dbusmock stand-in of the recorder, for tests that start
and stop it themselves). With --mock the stand-in is started before the command. Exits
with the command's status; everything is torn down afterwards.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockbus  # noqa: E402


def main(argv):
    start_mock = False
    if argv and argv[0] == '--mock':
        start_mock = True
        argv = argv[1:]
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    with mockbus.PrivateBus() as bus:
        if start_mock:
            bus.start_mock()
        env = dict(os.environ)
        env.update(bus.environment())
        return subprocess.call(argv, env=env)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
