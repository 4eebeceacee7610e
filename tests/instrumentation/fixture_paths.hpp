// SPDX-License-Identifier: GPL-2.0-or-later
// Where the instrumentation fixtures live, and a helper to read one whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace metrics::instrumentation::testing {

inline std::filesystem::path fixture(const std::string& relative) {
  return std::filesystem::path(INSTRUMENTATION_FIXTURES_DIR) / relative;
}

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(fixture(relative), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace metrics::instrumentation::testing
