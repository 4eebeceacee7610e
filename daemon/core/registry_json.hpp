// SPDX-License-Identifier: GPL-2.0-or-later
// Strict JSON reading for registry files: nlohmann/json keeps the last of two equal keys
// silently, which would let a reviewer read one payload type while another one applies.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace metrics::registry {

// One step from the root of a document: a member of an object or an element of an array.
struct JsonStep {
  std::string key;              // the member's key, for an object
  std::optional<size_t> index;  // the element's position counted from 0, for an array

  friend bool operator==(const JsonStep&, const JsonStep&) = default;
};
using JsonPath = std::vector<JsonStep>;

// Its implicit move moves a nlohmann::json and a std::vector, both noexcept; clang-tidy 14
// follows nlohmann/json's own code behind them into a throw.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct ParsedJson {
  nlohmann::json value;
  // Each key that appears twice in one object, as the path to it from the root.
  std::vector<JsonPath> duplicate_keys;
};

// What a document may hold. nlohmann/json builds the whole tree in memory, so a hostile
// or broken file is refused while it is read, before it can take much of either.
struct JsonLimits {
  size_t max_depth = 64;       // arrays and objects inside each other
  size_t max_members = 10000;  // elements of one array, members of one object
};

// Never throws for any input. Errors: "InvalidJson" for a syntax error (with the line and
// column), "InvalidJsonValue" for a value the library cannot hold (a number beyond
// double's range), "TooDeep" and "TooManyMembers" when a limit is passed. `error_at`, when
// given, is set to the place the parser had reached: the member whose value failed, or the
// container with too many members.
Result<ParsedJson> parse_json(std::string_view text, const JsonLimits& limits = {},
                              JsonPath* error_at = nullptr);

}  // namespace metrics::registry
