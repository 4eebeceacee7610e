// SPDX-License-Identifier: GPL-2.0-or-later
// Keeps the store usable from the main loop: while it is unavailable, opening is retried
// with backoff (1 s, doubling up to kMaxRetryDelayMs); what opening found goes to the
// journal once per change of problem, not per retry; storage failures of recorded events
// are logged at a bounded rate. The store's logic itself lives in daemon/core.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <string>

#include "rate_limiter.hpp"
#include "result.hpp"
#include "store.hpp"

namespace metrics::bus {

class StoreKeeper {
 public:
  static constexpr unsigned kFirstRetryDelayMs = 1000;
  static constexpr unsigned kMaxRetryDelayMs = 5 * 60 * 1000;

  explicit StoreKeeper(Store& store);
  ~StoreKeeper();
  StoreKeeper(const StoreKeeper&) = delete;
  StoreKeeper& operator=(const StoreKeeper&) = delete;

  // Runs after every opening of the store (the first included) before it counts as
  // available: the recorder's start. An error makes the store unavailable again.
  std::function<Result<void>()> on_opened;
  // StoreState or StoreProblem changed (for PropertiesChanged).
  std::function<void()> on_state_changed;

  // Logs what the first opening found, runs on_opened, and starts retrying when the
  // store is unavailable.
  void start();
  // A storage failure while recording or committing: a rate-limited journal line.
  void storage_failed(const std::string& what, const Error& error);

 private:
  static gboolean on_retry(gpointer self);
  void opened_or_not(bool first);
  void schedule_retry();
  void log_notes();

  Store& store_;
  guint retry_source_ = 0;
  unsigned retry_delay_ms_ = kFirstRetryDelayMs;
  std::string logged_problem_;  // the unavailable problem last written to the journal
  StoreState last_state_ = StoreState::Ok;
  std::string last_problem_;
  RateLimiter failure_lines_;
  uint64_t suppressed_failures_ = 0;
};

}  // namespace metrics::bus
