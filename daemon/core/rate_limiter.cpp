// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace metrics {

RateLimiter::Bucket& RateLimiter::refilled(uint32_t uid, int64_t now_ns) {
  if (buckets_.size() >= prune_at_) {
    prune(now_ns);
    // Amortised: pruning again only after the map doubled keeps each call O(1).
    prune_at_ = std::max<size_t>(64, 2 * buckets_.size());
  }
  auto [it, inserted] = buckets_.try_emplace(uid, Bucket{burst_, now_ns});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ns - b.last_ns)) / 1e9;
    b.tokens = std::min(burst_, b.tokens + elapsed_s * per_second_);
    b.last_ns = std::max(b.last_ns, now_ns);
  }
  return b;
}

bool RateLimiter::try_take(uint32_t uid, double cost, int64_t now_ns) {
  if (cost <= 0) return true;  // nothing to take: no bucket needed either
  Bucket& b = refilled(uid, now_ns);
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

uint64_t RateLimiter::take_up_to(uint32_t uid, uint64_t wanted, int64_t now_ns) {
  Bucket& b = refilled(uid, now_ns);
  const double whole = std::floor(std::max(0.0, b.tokens));
  const uint64_t taken =
      whole < static_cast<double>(wanted) ? static_cast<uint64_t>(whole) : wanted;
  b.tokens -= static_cast<double>(taken);
  return taken;
}

int64_t RateLimiter::wait_ns(uint32_t uid, double cost, int64_t now_ns) {
  const Bucket& b = refilled(uid, now_ns);
  if (b.tokens >= cost || per_second_ <= 0) return 0;
  return static_cast<int64_t>(std::ceil((cost - b.tokens) / per_second_ * 1e9));
}

void RateLimiter::give_back(uint32_t uid, double tokens) {
  auto it = buckets_.find(uid);
  if (it == buckets_.end() || tokens <= 0) return;
  it->second.tokens = std::min(burst_, it->second.tokens + tokens);
}

void RateLimiter::prune(int64_t now_ns) {
  std::erase_if(buckets_, [&](const auto& e) {
    const Bucket& b = e.second;
    const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ns - b.last_ns)) / 1e9;
    return b.tokens + elapsed_s * per_second_ >= burst_;
  });
}

}  // namespace metrics
