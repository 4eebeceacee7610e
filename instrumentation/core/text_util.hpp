// SPDX-License-Identifier: GPL-2.0-or-later
// Small string helpers shared by the collectors: every value read from a file or a
// program goes through these before it can reach a payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "text_parse.hpp"

namespace metrics::instrumentation {

using text::trim;

// A string GVariant accepts as "s": valid UTF-8 without NUL or control characters,
// trimmed, at most `max_bytes` long (cut on a character boundary). nullopt when
// nothing printable is left, so the caller uses its fallback rather than a mangled value.
std::optional<std::string> printable_text(std::string_view raw, size_t max_bytes = 256);

// Decimal digits only (after trimming); no sign, no wrap-around.
using text::parse_unsigned;
// A finite, non-negative decimal in the C locale ("3000.0000", "1e3").
std::optional<double> parse_non_negative_double(std::string_view text);

bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace metrics::instrumentation
