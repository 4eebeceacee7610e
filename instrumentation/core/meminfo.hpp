// SPDX-License-Identifier: GPL-2.0-or-later
// RAM size from /proc/meminfo's MemTotal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace metrics::instrumentation {

// MemTotal in MiB, rounded to the nearest; nullopt without a well-formed "MemTotal: N kB".
std::optional<uint32_t> ram_mib_from_meminfo(std::string_view meminfo);

// `bytes / unit` rounded to the nearest whole unit, saturating at UINT32_MAX.
uint32_t round_to_units(uint64_t bytes, uint64_t unit);

}  // namespace metrics::instrumentation
