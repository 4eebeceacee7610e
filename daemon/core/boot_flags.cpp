// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot_flags.hpp"

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace metrics {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// dracut's getargbool: a bare flag is true, and so is any value but 0, no and off.
bool truthy(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return value != "0" && value != "no" && value != "off";
}

}  // namespace

uint8_t boot_flags_from_cmdline(std::string_view cmdline) {
  std::optional<bool> live_image;
  bool live_root = false;
  size_t i = 0;
  while (i < cmdline.size()) {
    while (i < cmdline.size() && is_space(cmdline[i])) ++i;
    size_t end = i;
    bool quoted = false;
    while (end < cmdline.size() && (quoted || !is_space(cmdline[end]))) {
      if (cmdline[end] == '"') quoted = !quoted;
      ++end;
    }
    const std::string_view word = cmdline.substr(i, end - i);
    i = end;
    if (word == "rd.live.image")
      live_image = true;
    else if (word.starts_with("rd.live.image="))
      live_image = truthy(word.substr(std::string_view("rd.live.image=").size()));
    else if (word.starts_with("root=live:") || word.starts_with("root=\"live:"))
      live_root = true;
  }
  return (live_image.value_or(false) || live_root) ? kBootFlagLiveBoot : 0;
}

uint8_t read_boot_flags(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return 0;
  // The kernel caps its command line at a few KiB; read no more than that.
  std::string text(8192, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return boot_flags_from_cmdline(text);
}

}  // namespace metrics
