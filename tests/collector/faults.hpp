// Fault injection: a queue of faults, each consumed by one upcoming upload (PUT).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "result.hpp"

namespace collector {

struct Fault {
  enum class Kind { kStatus, kDelay, kHang, kClose, kMalformed };
  Kind kind = Kind::kStatus;
  unsigned status = 0;                   // kStatus
  std::optional<int64_t> retry_after_s;  // kStatus: Retry-After header, seconds
  int64_t delay_ms = 0;                  // kDelay
};

const char* fault_name(Fault::Kind kind);

// Parses `{"queue": [ {"status": 503, "retry_after": 2}, {"delay_ms": 3000}, {"hang": true},
// {"close": true}, {"malformed": true}, ... ], "append": false}`.
metrics::Result<std::deque<Fault>> parse_fault_queue(const nlohmann::json& document);

}  // namespace collector
