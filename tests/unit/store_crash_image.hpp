// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper: a store directory as a crash leaves it (metrics.db and a -wal holding the
// committed rows that no checkpoint folded into the database yet).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store.hpp"

namespace metrics::testing {

inline const Uuid kCrashEvent = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4").value();

// Records `rows` singular events (relative_ns = 1..rows) in a store in `scratch` and copies
// its files into `dir` while it is still open.
inline void make_crash_image(const std::filesystem::path& scratch, const std::filesystem::path& dir,
                             int rows) {
  auto opened = Store::open(scratch);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened.value();
  const std::vector<uint8_t> payload(40, 0x5a);
  ASSERT_TRUE(store.begin().ok());
  for (int i = 1; i <= rows; ++i)
    ASSERT_TRUE(store.add_singular(7, kCrashEvent, "os", i, payload, 100).ok());
  ASSERT_TRUE(store.commit().ok());
  for (const char* name : {"metrics.db", "metrics.db-wal"})
    std::filesystem::copy_file(scratch / name, dir / name);
  ASSERT_GT(std::filesystem::file_size(dir / "metrics.db-wal"), 0u);
}

inline void overwrite(const std::filesystem::path& file, uint64_t offset,
                      const std::string& bytes) {
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::filesystem::path> set_aside_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind("metrics.db.corrupt-", 0) == 0) out.push_back(e.path());
  return out;
}

}  // namespace metrics::testing
