// SPDX-License-Identifier: GPL-2.0-or-later
#include "store_keeper.hpp"

#include <algorithm>

#include "log.hpp"

namespace metrics::bus {

namespace {

// Storage-failure lines: a burst of 5, then one a minute.
constexpr double kFailureLinesPerSecond = 1.0 / 60;
constexpr double kFailureLineBurst = 5;

}  // namespace

StoreKeeper::StoreKeeper(Store& store)
    : store_(store), failure_lines_(kFailureLinesPerSecond, kFailureLineBurst) {}

StoreKeeper::~StoreKeeper() {
  if (retry_source_ != 0) g_source_remove(retry_source_);
}

void StoreKeeper::start() {
  last_state_ = store_.state();
  last_problem_ = store_.problem();
  opened_or_not(true);
}

void StoreKeeper::log_notes() {
  for (const auto& note : store_.open_notes()) log(LOG_WARNING, note, kMsgStoreRecovered);
}

void StoreKeeper::opened_or_not(bool first) {
  log_notes();
  if (store_.available() && on_opened) {
    if (auto r = on_opened(); !r) store_.make_unavailable(r.error().message);
  }
  if (store_.available()) {
    if (!first || !logged_problem_.empty())
      log(LOG_NOTICE, "the metrics store is available again: recording resumes");
    logged_problem_.clear();
    retry_delay_ms_ = kFirstRetryDelayMs;
  } else {
    if (store_.problem() != logged_problem_) {
      log(LOG_ERR,
          "the metrics store is unavailable, events are refused (StorageFailure) and opening "
          "is retried: " +
              store_.problem(),
          kMsgStoreUnavailable);
      logged_problem_ = store_.problem();
    }
    schedule_retry();
  }
  if (store_.state() != last_state_ || store_.problem() != last_problem_) {
    last_state_ = store_.state();
    last_problem_ = store_.problem();
    if (!first && on_state_changed) on_state_changed();
  }
}

void StoreKeeper::schedule_retry() {
  if (retry_source_ != 0) return;
  retry_source_ = g_timeout_add(retry_delay_ms_, &StoreKeeper::on_retry, this);
  retry_delay_ms_ = std::min(retry_delay_ms_ * 2, kMaxRetryDelayMs);
}

gboolean StoreKeeper::on_retry(gpointer p) {
  auto* self = static_cast<StoreKeeper*>(p);
  self->retry_source_ = 0;
  (void)self->store_.reopen();
  self->opened_or_not(false);
  return G_SOURCE_REMOVE;
}

void StoreKeeper::storage_failed(const std::string& what, const Error& error) {
  const int64_t now = static_cast<int64_t>(g_get_monotonic_time()) * 1000;
  if (!failure_lines_.try_take(0, 1, now)) {
    ++suppressed_failures_;
    return;
  }
  std::string line = what + ": " + error.message;
  if (suppressed_failures_ > 0)
    line += " (" + std::to_string(suppressed_failures_) +
            (suppressed_failures_ == 1 ? " more such failure" : " more such failures") +
            " not logged)";
  suppressed_failures_ = 0;
  log(LOG_ERR, line);
}

}  // namespace metrics::bus
