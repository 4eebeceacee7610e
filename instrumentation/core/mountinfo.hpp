// SPDX-License-Identifier: GPL-2.0-or-later
// /proc/self/mountinfo (proc(5)): which mount holds a path, and what it is mounted from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace metrics::instrumentation {

struct MountEntry {
  uint32_t major = 0;  // 0 for filesystems without one block device (btrfs, overlay, tmpfs)
  uint32_t minor = 0;
  std::string root;         // the path inside the filesystem that is mounted
  std::string mount_point;  // unescaped
  std::string fs_type;
  std::string source;         // unescaped, e.g. /dev/mapper/luks-… or "overlay"
  std::string super_options;  // e.g. lowerdir=/a:/b,upperdir=/c
};

// Lines that do not have the documented shape are skipped (never guessed at).
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// The mount that holds `path`: the longest mount point that is a prefix of it, and of
// several mounts on that point the last one (mounted on top). nullptr when none does.
const MountEntry* mount_for_path(const std::vector<MountEntry>& mounts, std::string_view path);

// Values of an option in a comma-separated list; overlayfs may repeat "lowerdir+=".
std::vector<std::string> option_values(std::string_view options, std::string_view key);

}  // namespace metrics::instrumentation
