// SPDX-License-Identifier: GPL-2.0-or-later
// Size, use and free space of the filesystem holding a path (statvfs).
#pragma once

#include <cstdint>
#include <filesystem>

#include "result.hpp"

namespace metrics::instrumentation {

struct FilesystemBytes {
  uint64_t total = 0;  // f_blocks × f_frsize
  uint64_t used = 0;   // (f_blocks − f_bfree) × f_frsize
  uint64_t free = 0;   // f_bavail × f_frsize: what an unprivileged user can still write
};

// Error "FilesystemUnreadable" with the path and errno text.
Result<FilesystemBytes> filesystem_usage(const std::filesystem::path& path);

}  // namespace metrics::instrumentation
