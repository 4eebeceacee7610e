// SPDX-License-Identifier: GPL-2.0-or-later
// Syncs the store to disk at most SyncIntervalMilliseconds after its first unsynced
// commit (Store::SyncMode::Deferred): a one-shot main-loop timeout armed by the store's
// commit hook, so an idle recorder never wakes for it. A sync that fails is tried again
// one interval later.
#pragma once

#include <functional>
#include <string>

#include "glib_handles.hpp"
#include "result.hpp"
#include "store.hpp"

namespace metrics::bus {

class SyncTimer {
 public:
  // Sets the store's sync mode from `interval_ms` (0: every commit) and hooks into it.
  // `on_failure` gets a sync's error (for the journal).
  SyncTimer(Store& store, unsigned interval_ms,
            std::function<void(const std::string& what, const Error&)> on_failure);
  ~SyncTimer();
  SyncTimer(const SyncTimer&) = delete;
  SyncTimer& operator=(const SyncTimer&) = delete;

  // Syncs what is unsynced now (before an upload, a consent change, a stop); `why` is for
  // the journal line when it fails.
  void sync_now(const std::string& why);

 private:
  static gboolean on_due(gpointer self);
  void arm();

  Store& store_;
  unsigned interval_ms_;
  std::function<void(const std::string&, const Error&)> on_failure_;
  GSourcePtr timer_;
};

}  // namespace metrics::bus
