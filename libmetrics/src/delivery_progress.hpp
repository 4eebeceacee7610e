// SPDX-License-Identifier: LGPL-2.1-or-later
// Which of the process's numbered calls the recorder has answered, so that a _sync call
// can wait until every call queued before it (and itself) is answered. Answers may come
// out of order (up to Transport::kMaxInFlight are in flight); the watermark is the highest
// number up to which all are answered. Thread-safe: the delivery thread reports answers,
// callers' threads wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

namespace emtr {

class DeliveryProgress {
 public:
  using Clock = std::chrono::steady_clock;

  // Call number `seq` (from CallQueue::push) was answered or given up for good.
  void answered(std::uint64_t seq);

  // Waits until every call numbered up to `seq` is answered. The wait ends early only
  // when no call at all was answered for `stall_timeout` (counted from the later of the
  // start of the wait and the last answer): a long queue that keeps draining is waited
  // for to its end. Returns how many calls up to `seq` were still unanswered (0: all).
  std::uint64_t wait_through(std::uint64_t seq, std::chrono::milliseconds stall_timeout);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t through_ = 0;        // every call numbered <= through_ is answered
  std::set<std::uint64_t> ahead_;    // answered, numbered > through_ + 1
  Clock::time_point last_answer_{};  // when the latest answer came
};

}  // namespace emtr
