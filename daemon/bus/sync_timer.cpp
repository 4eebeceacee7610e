// SPDX-License-Identifier: GPL-2.0-or-later
#include "sync_timer.hpp"

namespace metrics::bus {

SyncTimer::SyncTimer(Store& store, unsigned interval_ms,
                     std::function<void(const std::string&, const Error&)> on_failure)
    : store_(store), interval_ms_(interval_ms), on_failure_(std::move(on_failure)) {
  const auto mode = interval_ms_ == 0 ? Store::SyncMode::EveryCommit : Store::SyncMode::Deferred;
  if (auto r = store_.set_sync_mode(mode); !r && on_failure_)
    on_failure_("cannot set how the queue is synced to disk", r.error());
  store_.on_unsynced = [this] { arm(); };
}

SyncTimer::~SyncTimer() {
  store_.on_unsynced = nullptr;
}

void SyncTimer::arm() {
  if (timer_ || interval_ms_ == 0) return;
  timer_.reset(g_timeout_source_new(interval_ms_));
  g_source_set_callback(timer_.get(), &SyncTimer::on_due, this, nullptr);
  g_source_attach(timer_.get(), nullptr);
}

void SyncTimer::sync_now(const std::string& why) {
  timer_.reset();
  if (auto r = store_.sync_to_disk(); !r) {
    if (on_failure_) on_failure_("sync failed " + why, r.error());
    // Still unsynced: the commit hook will not fire for it again.
    if (store_.unsynced()) arm();
  }
}

gboolean SyncTimer::on_due(gpointer data) {
  auto* self = static_cast<SyncTimer*>(data);
  // sync_now() drops this source (GLib holds it until we return) and may arm a new one.
  self->sync_now("at the sync interval");
  return G_SOURCE_REMOVE;
}

}  // namespace metrics::bus
