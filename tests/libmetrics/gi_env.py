# SPDX-License-Identifier: GPL-2.0-or-later
"""What a Python or gjs process needs to load the library from the build tree, also when
it was built with ASan+UBSan (EMTR_SANITIZE=1): the sanitizer runtimes must be loaded
first (LD_PRELOAD), and leak checking is off because the interpreters themselves keep
memory until exit by design (the C tests keep it on for the library)."""

import os
import subprocess

SANITIZED = os.environ.get('EMTR_SANITIZE') == '1'


def _runtime(name):
    path = subprocess.run(['cc', f'-print-file-name={name}'], capture_output=True,
                          text=True, check=True).stdout.strip()
    return path if os.path.isabs(path) else None


def child_environment(base=None):
    env = dict(os.environ if base is None else base)
    if SANITIZED:
        libs = [p for p in (_runtime('libasan.so'), _runtime('libubsan.so')) if p]
        env['LD_PRELOAD'] = ' '.join(libs + [env.get('LD_PRELOAD', '')]).strip()
        env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') +
                               ':detect_leaks=0:verify_asan_link_order=0').lstrip(':')
    return env
