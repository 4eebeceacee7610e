// SPDX-License-Identifier: LGPL-2.1-or-later
#include "delivery_progress.hpp"

#include <algorithm>

namespace emtr {

void DeliveryProgress::answered(std::uint64_t seq) {
  {
    std::lock_guard lock(mutex_);
    if (seq <= through_) return;
    if (seq == through_ + 1) {
      through_ = seq;
      // Answers that came early now join the contiguous run.
      while (!ahead_.empty() && *ahead_.begin() == through_ + 1) {
        through_ = *ahead_.begin();
        ahead_.erase(ahead_.begin());
      }
    } else {
      ahead_.insert(seq);
    }
    last_answer_ = Clock::now();
  }
  changed_.notify_all();
}

std::uint64_t DeliveryProgress::wait_through(std::uint64_t seq,
                                             std::chrono::milliseconds stall_timeout) {
  const Clock::time_point start = Clock::now();
  std::unique_lock lock(mutex_);
  while (through_ < seq) {
    const Clock::time_point deadline = std::max(start, last_answer_) + stall_timeout;
    if (Clock::now() >= deadline) break;
    changed_.wait_until(lock, deadline);
  }
  if (through_ >= seq) return 0;
  // Calls numbered through_+1 .. seq, less those answered early.
  const auto early = static_cast<std::uint64_t>(
      std::count_if(ahead_.begin(), ahead_.end(), [seq](std::uint64_t s) { return s <= seq; }));
  return seq - through_ - early;
}

}  // namespace emtr
