// SPDX-License-Identifier: GPL-2.0-or-later
// The store's durability tiers: with SyncMode::Deferred a commit stays in the write-ahead
// log (the kernel's cache) until sync_to_disk() checkpoints it into the database file;
// the store says when there is something to sync, once per unsynced stretch.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sqlite_handles.hpp"
#include "store.hpp"
#include "temp_dir.hpp"

namespace metrics {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const Uuid kEvent = Uuid::parse("c0a5d2a5-5c0a-4b8e-9a1d-3a6b2c1d9e7f").value();

// Rows of `singular` in the database file alone, as a power loss would leave it if the
// write-ahead log had not reached the disk: a copy without the log, opened read-only.
int64_t rows_in_database_file(const fs::path& dir, const fs::path& scratch) {
  const fs::path copy = scratch / "alone.db";
  fs::remove(copy);
  fs::copy_file(dir / "metrics.db", copy);
  sqlite3* raw = nullptr;
  const std::string uri = "file:" + copy.string() + "?immutable=1";
  const int rc =
      sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) return -1;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT COUNT(*) FROM singular", -1, &st, nullptr) != SQLITE_OK)
    return -1;
  SqliteStmtPtr stmt(st);
  if (sqlite3_step(st) != SQLITE_ROW) return -1;
  return sqlite3_column_int64(st, 0);
}

class StoreSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened.value());
    store_->on_unsynced = [this] { ++unsynced_calls_; };
  }
  void record(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(store_->begin().ok());
      ASSERT_TRUE(store_->add_singular(1000, kEvent, "os 1", i, {}, 40).ok());
      ASSERT_TRUE(store_->commit().ok());
    }
  }
  TempDir dir_;
  TempDir scratch_;
  std::unique_ptr<Store> store_;
  int unsynced_calls_ = 0;
};

TEST_F(StoreSyncTest, EveryCommitIsTheDefaultAndNeverAsksForASync) {
  EXPECT_EQ(store_->sync_mode(), Store::SyncMode::EveryCommit);
  record(3);
  EXPECT_FALSE(store_->unsynced());
  EXPECT_EQ(unsynced_calls_, 0);
  ASSERT_TRUE(store_->sync_to_disk().ok());
  EXPECT_EQ(store_->syncs(), 0u);  // nothing to do
}

TEST_F(StoreSyncTest, DeferredAsksOnceAndTheSyncReachesTheDatabaseFile) {
  ASSERT_TRUE(store_->set_sync_mode(Store::SyncMode::Deferred).ok());
  ASSERT_TRUE(store_->sync_to_disk().ok());  // what the opening wrote
  const int64_t before = rows_in_database_file(dir_.path(), scratch_.path());
  unsynced_calls_ = 0;

  record(5);
  EXPECT_TRUE(store_->unsynced());
  EXPECT_EQ(unsynced_calls_, 1) << "one request per unsynced stretch, not one per commit";
  // Committed (the queue has them) but only in the write-ahead log so far.
  EXPECT_EQ(store_->singulars()->size(), 5u);
  EXPECT_EQ(rows_in_database_file(dir_.path(), scratch_.path()), before);

  const uint64_t syncs = store_->syncs();
  ASSERT_TRUE(store_->sync_to_disk().ok());
  EXPECT_FALSE(store_->unsynced());
  EXPECT_EQ(store_->syncs(), syncs + 1);
  EXPECT_EQ(rows_in_database_file(dir_.path(), scratch_.path()), 5);

  // Idle: nothing to sync, no request, no sync.
  ASSERT_TRUE(store_->sync_to_disk().ok());
  EXPECT_EQ(store_->syncs(), syncs + 1);
  EXPECT_EQ(unsynced_calls_, 1);

  // The next commit starts a new stretch.
  record(1);
  EXPECT_EQ(unsynced_calls_, 2);
}

TEST_F(StoreSyncTest, NoSyncInsideATransaction) {
  ASSERT_TRUE(store_->set_sync_mode(Store::SyncMode::Deferred).ok());
  record(1);
  ASSERT_TRUE(store_->begin().ok());
  ASSERT_TRUE(store_->add_singular(1000, kEvent, "os 1", 7, {}, 40).ok());
  EXPECT_FALSE(store_->sync_to_disk().ok());
  EXPECT_TRUE(store_->unsynced());
  ASSERT_TRUE(store_->commit().ok());
  ASSERT_TRUE(store_->sync_to_disk().ok());
  EXPECT_EQ(rows_in_database_file(dir_.path(), scratch_.path()), 2);
}

TEST_F(StoreSyncTest, LeavingDeferredSyncsFirst) {
  ASSERT_TRUE(store_->set_sync_mode(Store::SyncMode::Deferred).ok());
  record(4);
  ASSERT_TRUE(store_->unsynced());
  ASSERT_TRUE(store_->set_sync_mode(Store::SyncMode::EveryCommit).ok());
  EXPECT_FALSE(store_->unsynced());
  EXPECT_EQ(rows_in_database_file(dir_.path(), scratch_.path()), 4);
}

TEST_F(StoreSyncTest, TheModeHoldsAcrossAReopening) {
  ASSERT_TRUE(store_->set_sync_mode(Store::SyncMode::Deferred).ok());
  store_->make_unavailable("test");
  ASSERT_TRUE(store_->reopen().ok());
  unsynced_calls_ = 0;
  (void)store_->sync_to_disk();
  unsynced_calls_ = 0;
  record(1);
  EXPECT_EQ(unsynced_calls_, 1);
  EXPECT_TRUE(store_->unsynced());
}

}  // namespace
}  // namespace metrics
