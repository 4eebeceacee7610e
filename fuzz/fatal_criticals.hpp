// SPDX-License-Identifier: GPL-2.0-or-later
// A GLib critical (g_return_if_fail: a precondition broken, e.g. a string that is not
// UTF-8 handed to g_variant_new) is a bug the harness must report as a crash, not a line
// on stderr. Included by every harness.
#pragma once

#include <glib.h>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_log_set_always_fatal(static_cast<GLogLevelFlags>(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL));
  return 0;
}
