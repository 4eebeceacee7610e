// SPDX-License-Identifier: GPL-2.0-or-later
// Parsing numbers and trimming text read from configuration files, /proc and /sys:
// strict (digits only, finite values), locale-independent, never wrapping around.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace metrics::text {

// Without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);
// Decimal digits only (after trimming): strtoull-style parsers would wrap "-5" around.
std::optional<uint64_t> parse_unsigned(std::string_view text);
// A finite decimal in the C locale ("3000.0000", "1e3"; a French "3000,0000" is refused).
std::optional<double> parse_double(std::string_view text);

}  // namespace metrics::text
