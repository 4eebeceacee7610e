// SPDX-License-Identifier: GPL-2.0-or-later
// A fresh directory under the system temp dir, removed with everything in it at scope exit.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace metrics::testing {

class TempDir {
 public:
  // Under `root` when given (e.g. a tmpfs, where a store's fsyncs cost nothing), else
  // under the system temp dir.
  explicit TempDir(const std::string& prefix = "metrics-test", std::filesystem::path root = {}) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    if (root.empty()) root = std::filesystem::temp_directory_path();
    path_ = root / (prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++) +
                    "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace metrics::testing
