#include "rate_limiter.hpp"

#include <algorithm>

namespace metrics {

bool RateLimiter::try_take(uint32_t uid, double cost, int64_t now_ns) {
  auto [it, inserted] = buckets_.try_emplace(uid, Bucket{burst_, now_ns});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ns - b.last_ns)) / 1e9;
    b.tokens = std::min(burst_, b.tokens + elapsed_s * per_second_);
    b.last_ns = now_ns;
  }
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  // Full buckets carry no information; dropping them keeps the map small.
  if (buckets_.size() > 4096)
    std::erase_if(buckets_, [&](auto& e) { return e.second.tokens >= burst_; });
  return true;
}

}  // namespace metrics
