// SPDX-License-Identifier: GPL-2.0-or-later
// The JSON every command prints with --json: one line (--json, --json=short) or indented
// (--json=pretty), always followed by a newline.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli_args.hpp"

namespace metrics::cli {

// Bytes that are not UTF-8 (a file name, a payload string) become U+FFFD: JSON cannot carry
// them, and a plain dump() would throw.
std::string json_text(const nlohmann::ordered_json& value, JsonMode mode);

}  // namespace metrics::cli
