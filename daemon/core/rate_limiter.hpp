// SPDX-License-Identifier: GPL-2.0-or-later
// Per-uid token buckets: one local user must not flood the recorder for everyone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace metrics {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  // Takes `cost` tokens from uid's bucket at monotonic time now_ns; false if not enough.
  bool try_take(uint32_t uid, double cost, int64_t now_ns);
  // Takes as many whole tokens as uid's bucket holds, at most `wanted`; returns them.
  uint64_t take_up_to(uint32_t uid, uint64_t wanted, int64_t now_ns);
  // How long until uid's bucket holds `cost` tokens (0: it does now). Takes nothing.
  int64_t wait_ns(uint32_t uid, double cost, int64_t now_ns);
  // Returns tokens taken but not used (never above the burst).
  void give_back(uint32_t uid, double tokens);
  void set_limits(double per_second, double burst) {
    per_second_ = per_second;
    burst_ = burst;
  }
  // Forgets every bucket that has filled up again: a full bucket is what a uid never
  // seen gets, so nothing is lost. Called when a caller leaves, and as the map grows.
  void prune(int64_t now_ns);
  // Buckets kept (for tests: the map shrinks back once callers left and refilled).
  size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    int64_t last_ns;
  };
  Bucket& refilled(uint32_t uid, int64_t now_ns);
  double per_second_;
  double burst_;
  std::unordered_map<uint32_t, Bucket> buckets_;
  // The map is pruned when it reaches this size (then twice what the pruning left).
  size_t prune_at_ = 64;
};

}  // namespace metrics
