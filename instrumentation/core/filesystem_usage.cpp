// SPDX-License-Identifier: GPL-2.0-or-later
#include "filesystem_usage.hpp"

#include <glib.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>

namespace metrics::instrumentation {

Result<FilesystemBytes> filesystem_usage(const std::filesystem::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    const int saved = errno;
    return Error{ErrorCode::kFilesystemUnreadable,
                 "statvfs(" + path.string() + ") failed: " + g_strerror(saved)};
  }
  const uint64_t unit = st.f_frsize ? st.f_frsize : st.f_bsize;
  FilesystemBytes bytes;
  bytes.total = uint64_t{st.f_blocks} * unit;
  bytes.used = (uint64_t{st.f_blocks} - std::min<uint64_t>(st.f_bfree, st.f_blocks)) * unit;
  bytes.free = uint64_t{st.f_bavail} * unit;
  return bytes;
}

}  // namespace metrics::instrumentation
