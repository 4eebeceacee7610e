// SPDX-License-Identifier: LGPL-2.1-or-later
#include "call_queue.hpp"

#include <algorithm>

namespace emtr {

std::optional<std::uint64_t> CallQueue::push(OutgoingCall&& call) {
  if (full()) return std::nullopt;
  call.seq = next_seq_++;
  calls_.push_back(std::move(call));
  return calls_.back().seq;
}

void CallQueue::requeue(OutgoingCall&& call) {
  // Failed calls come back roughly in send order; each goes before the first later one.
  auto at = std::lower_bound(
      calls_.begin(), calls_.end(), call.seq,
      [](const OutgoingCall& queued, std::uint64_t seq) { return queued.seq < seq; });
  calls_.insert(at, std::move(call));
}

std::optional<OutgoingCall> CallQueue::pop() {
  if (calls_.empty()) return std::nullopt;
  OutgoingCall call = std::move(calls_.front());
  calls_.pop_front();
  return call;
}

}  // namespace emtr
