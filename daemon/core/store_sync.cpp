// SPDX-License-Identifier: GPL-2.0-or-later
// The store's two durability tiers. With SyncMode::Deferred a commit costs no fsync: it
// is in the kernel when it returns (any crash of the recorder keeps it) and reaches the
// disk at the next sync_to_disk(), which the daemon runs at most SyncIntervalMilliseconds
// after the first unsynced commit, and before an upload, a consent change and a stop.
#include <sqlite3.h>

#include "store.hpp"
#include "store_fault.hpp"

namespace metrics {

const char* Store::synchronous_pragma() const {
  // In WAL mode NORMAL syncs only at checkpoints; FULL syncs the WAL at every commit.
  return sync_mode_ == SyncMode::Deferred ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL";
}

int Store::on_commit_hook(void* self) {
  auto* store = static_cast<Store*>(self);
  if (store->sync_mode_ == SyncMode::Deferred && !store->unsynced_) {
    store->unsynced_ = true;
    if (store->on_unsynced) store->on_unsynced();
  }
  return 0;  // 0: the commit goes ahead
}

Result<void> Store::set_sync_mode(SyncMode mode) {
  if (mode == sync_mode_) return Ok();
  // Leaving Deferred: what is unsynced goes to disk first, as every commit would now.
  if (mode == SyncMode::EveryCommit && db_)
    if (auto r = sync_to_disk(); !r) return r;
  sync_mode_ = mode;
  if (mode == SyncMode::EveryCommit) unsynced_ = false;
  if (!db_) return Ok();
  return exec(synchronous_pragma());
}

Result<void> Store::sync_to_disk() {
  if (!unsynced_) return Ok();
  if (!db_) return unavailable_error();
  if (in_transaction_)
    return Error{ErrorCode::kStorageFailure,
                 "cannot sync the queue to disk inside a transaction; tried again later"};
  // A passive checkpoint: under synchronous=NORMAL SQLite syncs the WAL before copying it
  // into the database and syncs the database after. It copies every frame unless another
  // connection reads an older snapshot; then not all of it is known to be synced.
  int wal_frames = -1;
  int copied_frames = -1;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied_frames);
  if (rc != SQLITE_OK)
    return Error{ErrorCode::kStorageFailure,
                 describe_storage_fault(sqlite3_extended_errcode(db_.get()),
                                        std::string("cannot sync the queue to disk (acknowledged "
                                                    "events survive a crash of the recorder, "
                                                    "not yet a power loss): ") +
                                            sqlite3_errmsg(db_.get()),
                                        dir_ / "metrics.db")};
  if (copied_frames < wal_frames)
    return Error{ErrorCode::kStorageFailure,
                 "cannot sync the queue to disk: another reader holds " +
                     std::to_string(wal_frames - copied_frames) +
                     " frames of the write-ahead log; tried again later"};
  unsynced_ = false;
  ++syncs_;
  return Ok();
}

}  // namespace metrics
