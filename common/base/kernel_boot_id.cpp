// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel_boot_id.hpp"

#include <glib.h>

#include <fstream>

namespace metrics {

std::optional<std::string> parse_boot_id(std::string_view contents) {
  std::string line(contents.substr(0, contents.find('\n')));
  while (!line.empty() && g_ascii_isspace(line.back())) line.pop_back();
  if (!g_uuid_string_is_valid(line.c_str())) return std::nullopt;
  return line;
}

std::optional<std::string> read_boot_id(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  // The file is one line; reading a little more than that is enough.
  char buffer[128] = {};
  in.read(buffer, sizeof buffer);
  return parse_boot_id(std::string_view(buffer, static_cast<size_t>(in.gcount())));
}

}  // namespace metrics
