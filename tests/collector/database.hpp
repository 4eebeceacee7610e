// SPDX-License-Identifier: GPL-2.0-or-later
// The collector's SQLite database: one row per accepted request.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "result.hpp"
#include "sqlite_handles.hpp"

namespace collector {

struct StoredRequest {
  int64_t received_at_us = 0;  // wall clock, microseconds since the epoch
  std::string received_at;     // the same instant, ISO 8601 UTC
  std::string path;
  std::string sha512;
  int64_t compressed_size = 0;
  int64_t uncompressed_size = 0;
  std::span<const uint8_t> body;  // uncompressed
  int64_t singular_count = 0;
  int64_t aggregate_count = 0;
  std::string request_json;
};

class Database {
 public:
  Database() = default;
  static metrics::Result<std::unique_ptr<Database>> open(const std::string& path);
  metrics::Result<void> insert(const StoredRequest& row);

 private:
  metrics::SqlitePtr db_;
  metrics::Statement insert_;
};

}  // namespace collector
