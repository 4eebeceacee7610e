// SPDX-License-Identifier: GPL-2.0-or-later
#include "mountinfo.hpp"

#include <glib.h>

#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string unescape(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && g_ascii_isdigit(field[i + 1]) &&
        g_ascii_isdigit(field[i + 2]) && g_ascii_isdigit(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(field[i]);
  }
  return out;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool parse_device(std::string_view text, uint32_t& major, uint32_t& minor) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto ma = parse_unsigned(text.substr(0, colon));
  auto mi = parse_unsigned(text.substr(colon + 1));
  if (!ma || !mi || *ma > UINT32_MAX || *mi > UINT32_MAX) return false;
  major = static_cast<uint32_t>(*ma);
  minor = static_cast<uint32_t>(*mi);
  return true;
}

// "/a" holds "/a/b" and "/a" but not "/ab".
bool holds(std::string_view mount_point, std::string_view path) {
  if (mount_point == "/") return !path.empty() && path.front() == '/';
  if (path.substr(0, mount_point.size()) != mount_point) return false;
  return path.size() == mount_point.size() || path[mount_point.size()] == '/';
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> mounts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto fields = split_fields(text.substr(start, end - start));
    start = end + 1;
    // id parent maj:min root mount-point options [optional...] - type source super-options
    size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") ++separator;
    if (fields.size() < 7 || separator + 3 > fields.size()) continue;
    MountEntry entry;
    if (!parse_device(fields[2], entry.major, entry.minor)) continue;
    entry.root = unescape(fields[3]);
    entry.mount_point = unescape(fields[4]);
    entry.fs_type = unescape(fields[separator + 1]);
    entry.source = unescape(fields[separator + 2]);
    if (separator + 3 < fields.size()) entry.super_options = unescape(fields[separator + 3]);
    if (entry.mount_point.empty() || entry.mount_point.front() != '/') continue;
    mounts.push_back(std::move(entry));
  }
  return mounts;
}

const MountEntry* mount_for_path(const std::vector<MountEntry>& mounts, std::string_view path) {
  const MountEntry* best = nullptr;
  for (const auto& mount : mounts) {
    if (!holds(mount.mount_point, path)) continue;
    if (!best || mount.mount_point.size() >= best->mount_point.size()) best = &mount;
  }
  return best;
}

std::vector<std::string> option_values(std::string_view options, std::string_view key) {
  std::vector<std::string> values;
  size_t start = 0;
  while (start <= options.size()) {
    size_t comma = options.find(',', start);
    if (comma == std::string_view::npos) comma = options.size();
    std::string_view option = options.substr(start, comma - start);
    if (option.size() > key.size() && option.substr(0, key.size()) == key &&
        option[key.size()] == '=')
      values.emplace_back(option.substr(key.size() + 1));
    start = comma + 1;
  }
  return values;
}

}  // namespace metrics::instrumentation
