// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot_id.hpp"

#include <glib.h>

namespace metrics::instrumentation {

std::string read_boot_id(const SourceTree& tree) {
  auto value = tree.read_value("/proc/sys/kernel/random/boot_id");
  if (!value || !g_uuid_string_is_valid(value->c_str())) return "";
  return *value;
}

}  // namespace metrics::instrumentation
