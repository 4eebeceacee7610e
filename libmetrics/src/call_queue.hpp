// SPDX-License-Identifier: LGPL-2.1-or-later
// The bounded, ordered queue of calls not yet sent. Not thread-safe: the transport
// guards it with its mutex.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "outgoing_call.hpp"

namespace emtr {

class CallQueue {
 public:
  explicit CallQueue(std::size_t capacity) : capacity_(capacity) {}

  // Appends `call` and numbers it (numbers start at 1 and grow by one per accepted call);
  // nullopt (and the call is dropped) when the queue is full, so that the events already
  // waiting are kept.
  std::optional<std::uint64_t> push(OutgoingCall&& call);
  // Puts back a call that was sent but must be sent again, before every later call. Not
  // bounded: it had been admitted already.
  void requeue(OutgoingCall&& call);
  std::optional<OutgoingCall> pop();

  bool empty() const { return calls_.empty(); }
  bool full() const { return calls_.size() >= capacity_; }
  std::size_t size() const { return calls_.size(); }

 private:
  std::deque<OutgoingCall> calls_;
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace emtr
