// Lets a _sync call wait, with a deadline, for the delivery thread to answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace emtr {

class Waiter {
 public:
  void notify() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
  }
  // True when notified before the timeout.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return done_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
};

}  // namespace emtr
