// SPDX-License-Identifier: GPL-2.0-or-later
#include "meminfo.hpp"

#include <limits>
#include <string>

#include "text_util.hpp"

namespace metrics::instrumentation {

uint32_t round_to_units(uint64_t bytes, uint64_t unit) {
  if (unit == 0) return 0;
  const uint64_t whole = bytes / unit;
  const uint64_t rest = bytes % unit;
  const uint64_t rounded = whole + (rest >= unit - unit / 2 ? 1 : 0);
  return rounded > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                        : static_cast<uint32_t>(rounded);
}

std::optional<uint32_t> ram_mib_from_meminfo(std::string_view meminfo) {
  size_t start = 0;
  while (start < meminfo.size()) {
    size_t end = meminfo.find('\n', start);
    if (end == std::string_view::npos) end = meminfo.size();
    std::string_view line = meminfo.substr(start, end - start);
    start = end + 1;
    constexpr std::string_view kKey = "MemTotal:";
    if (line.substr(0, kKey.size()) != kKey) continue;
    std::string_view rest = trim(line.substr(kKey.size()));
    // The kernel always writes "kB" (meaning KiB).
    constexpr std::string_view kUnit = "kB";
    if (rest.size() <= kUnit.size() || rest.substr(rest.size() - kUnit.size()) != kUnit)
      return std::nullopt;
    auto kib = parse_unsigned(rest.substr(0, rest.size() - kUnit.size()));
    if (!kib || *kib == 0 || *kib > std::numeric_limits<uint64_t>::max() / 1024)
      return std::nullopt;
    return round_to_units(*kib * 1024, uint64_t{1} << 20);
  }
  return std::nullopt;
}

}  // namespace metrics::instrumentation
