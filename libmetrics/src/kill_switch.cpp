// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kill_switch.hpp"

#include <glib.h>

namespace emtr {

bool disabled_by_environment() {
  const char* value = g_getenv("EOS_DISABLE_METRICS");
  return value != nullptr && (value[0] == '\0' || g_str_equal(value, "1"));
}

}  // namespace emtr
