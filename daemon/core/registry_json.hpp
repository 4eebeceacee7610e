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

struct ParsedJson {
  nlohmann::json value;
  // Each key that appears twice in one object, as the path to it from the root.
  std::vector<JsonPath> duplicate_keys;
};

// Error "InvalidJson" with the parser's line, column and reason.
Result<ParsedJson> parse_json(std::string_view text);

}  // namespace metrics::registry
