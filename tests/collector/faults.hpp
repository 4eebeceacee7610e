// SPDX-License-Identifier: GPL-2.0-or-later
// Fault injection: a queue of faults, each consumed by one upcoming upload (PUT).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"

namespace collector {

struct Fault {
  enum class Kind { kStatus, kDelay, kHang, kClose, kMalformed, kGarbage };
  Kind kind = Kind::kStatus;
  unsigned status = 0;                   // kStatus
  std::optional<int64_t> retry_after_s;  // kStatus: Retry-After header, seconds
  int64_t delay_ms = 0;                  // kDelay
};

const char* fault_name(Fault::Kind kind);

// Parses `{"queue": [ {"status": 503, "retry_after": 2}, {"delay_ms": 3000}, {"hang": true},
// {"close": true}, {"malformed": true}, {"garbage": true}, ... ], "append": false}`.
metrics::Result<std::deque<Fault>> parse_fault_queue(const nlohmann::json& document);

// Standing rules, applied to every upload until changed (after the fault queue):
// a status for the paths under a prefix (a server that does not route them), and 413 for
// bodies larger than a size (a proxy's body limit).
struct PathStatus {
  std::string prefix;
  unsigned status = 0;
};
struct Rules {
  std::vector<PathStatus> path_status;
  uint64_t max_body_bytes = 0;  // compressed; 0 = no limit
};

// Parses `{"path_status": [{"prefix": "/wrong/", "status": 405}], "max_body_bytes": 4096}`
// (each key optional; what is left out is off).
metrics::Result<Rules> parse_rules(const nlohmann::json& document);

}  // namespace collector
