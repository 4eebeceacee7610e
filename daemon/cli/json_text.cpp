// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_text.hpp"

namespace metrics::cli {

std::string json_text(const nlohmann::ordered_json& value, JsonMode mode) {
  const int indent = mode == JsonMode::kPretty ? 2 : -1;
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace metrics::cli
