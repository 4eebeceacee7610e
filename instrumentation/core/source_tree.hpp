// SPDX-License-Identifier: GPL-2.0-or-later
// Read-only access to the machine's /proc, /sys, /etc and /dev through one root
// directory, so every collector runs unchanged on a fixture tree. Paths are given as
// the machine sees them ("/sys/class/block/sda"); symbolic links are resolved inside
// the root (an absolute target is re-rooted), never on the host.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace metrics::instrumentation {

class SourceTree {
 public:
  // `root` is "/" on a real system and a fixture directory in tests.
  explicit SourceTree(std::filesystem::path root = "/");

  const std::filesystem::path& root() const { return root_; }

  // The whole content of a regular file (sysfs and procfs attributes are regular
  // files), at most `max_bytes`. nullopt when missing, not a regular file, unreadable.
  std::optional<std::string> read_file(std::string_view path, size_t max_bytes = 1 << 20) const;
  // read_file() without surrounding white space and trailing NULs (device-tree strings).
  std::optional<std::string> read_value(std::string_view path) const;

  // The path with every symbolic link resolved inside the root, as the machine would
  // see it ("/sys/devices/..."); nullopt when a component is missing or links loop.
  std::optional<std::string> resolve(std::string_view path) const;
  // The target of one symbolic link as written; nullopt if `path` is not a link.
  std::optional<std::string> read_link(std::string_view path) const;
  // Entry names of a directory, sorted; empty when missing or unreadable.
  std::vector<std::string> list_directory(std::string_view path) const;
  bool is_directory(std::string_view path) const;

  // Tests observe every path a collector touches (to prove serial numbers are never read).
  using AccessObserver = std::function<void(const std::string& path)>;
  void set_access_observer(AccessObserver observer) { observer_ = std::move(observer); }

 private:
  std::filesystem::path host_path(std::string_view path) const;
  void note(std::string_view path) const;

  std::filesystem::path root_;
  AccessObserver observer_;
};

// "/a/b/../c" → "/a/c": lexical, for paths inside the tree.
std::string normalize_absolute(std::string_view path);

}  // namespace metrics::instrumentation
