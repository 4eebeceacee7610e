// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot_id.hpp"

#include "kernel_boot_id.hpp"

namespace metrics::instrumentation {

std::string read_boot_id(const SourceTree& tree) {
  auto value = tree.read_value(kBootIdFile);
  if (!value) return "";
  return parse_boot_id(*value).value_or("");
}

}  // namespace metrics::instrumentation
