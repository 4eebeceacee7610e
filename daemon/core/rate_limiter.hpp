// Per-uid token buckets: one local user must not flood the recorder for everyone.
#pragma once

#include <cstdint>
#include <unordered_map>

namespace metrics {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  // Takes `cost` tokens from uid's bucket at monotonic time now_ns; false if not enough.
  bool try_take(uint32_t uid, double cost, int64_t now_ns);
  void set_limits(double per_second, double burst) {
    per_second_ = per_second;
    burst_ = burst;
  }

 private:
  struct Bucket {
    double tokens;
    int64_t last_ns;
  };
  double per_second_;
  double burst_;
  std::unordered_map<uint32_t, Bucket> buckets_;
};

}  // namespace metrics
