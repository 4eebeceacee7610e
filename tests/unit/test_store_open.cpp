// SPDX-License-Identifier: GPL-2.0-or-later
// Opening the store on faults: what is not corruption leaves the files untouched and the
// store unavailable until reopen(); what SQLite would silently drop is reported.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "store.hpp"
#include "store_crash_image.hpp"
#include "store_fault.hpp"
#include "store_wal.hpp"
#include "temp_dir.hpp"

namespace metrics {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int64_t queued(Store& store) {
  auto rows = store.singulars();
  return rows ? static_cast<int64_t>(rows->size()) : -1;
}

TEST(StoreFault, OnlyCorruptionIsCorruption) {
  EXPECT_TRUE(is_corruption(SQLITE_CORRUPT));
  EXPECT_TRUE(is_corruption(SQLITE_NOTADB));
  EXPECT_TRUE(is_corruption(SQLITE_CORRUPT_INDEX));
  for (int rc : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY,
                 SQLITE_IOERR, SQLITE_IOERR_SHMSIZE, SQLITE_FULL, SQLITE_AUTH, SQLITE_NOMEM})
    EXPECT_FALSE(is_corruption(rc)) << rc;
}

TEST(StoreFault, MessagesSayWhatToFix) {
  TempDir dir;
  const fs::path db = dir.path() / "metrics.db";
  EXPECT_NE(describe_storage_fault(SQLITE_BUSY, "database is locked", db).find("lock"),
            std::string::npos);
  EXPECT_NE(describe_storage_fault(SQLITE_READONLY, "readonly", db).find("chown"),
            std::string::npos);
  EXPECT_NE(describe_storage_fault(SQLITE_FULL, "disk full", db).find("free some space"),
            std::string::npos);
}

class StoreOpenTest : public ::testing::Test {
 protected:
  fs::path db() const { return dir_.path() / "metrics.db"; }
  fs::path wal() const { return dir_.path() / "metrics.db-wal"; }
  TempDir scratch_;
  TempDir dir_;
};

TEST_F(StoreOpenTest, ALockHeldElsewhereLeavesTheFilesAloneUntilReleased) {
  {
    auto store = Store::open(dir_.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->begin().ok());
    ASSERT_TRUE((*store)->add_singular(1, testing::kCrashEvent, "os", 5, {}, 10).ok());
    ASSERT_TRUE((*store)->commit().ok());
  }
  const std::string before = read_all(db());
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
  SqlitePtr holder(raw);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('held', 'x');", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);

  auto store = Store::open_or_unavailable(dir_.path());
  EXPECT_EQ(store->state(), StoreState::Unavailable);
  EXPECT_NE(store->problem().find("lock"), std::string::npos) << store->problem();
  auto refused = store->begin();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kStorageFailure);
  EXPECT_NE(refused.error().message.find("lock"), std::string::npos);
  EXPECT_FALSE(store->add_singular(1, testing::kCrashEvent, "os", 6, {}, 10).ok());
  EXPECT_TRUE(testing::set_aside_files(dir_.path()).empty());
  EXPECT_EQ(read_all(db()), before);
  EXPECT_FALSE(store->reopen().ok());

  ASSERT_EQ(sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  holder.reset();
  ASSERT_TRUE(store->reopen().ok()) << store->problem();
  EXPECT_EQ(store->state(), StoreState::Ok);
  EXPECT_EQ(store->problem(), "");
  EXPECT_EQ(store->total_bytes(), 10);  // the totals are loaded at the late opening
  EXPECT_EQ(queued(*store), 1);
}

TEST_F(StoreOpenTest, SoundCrashImageOpensWithoutNote) {
  testing::make_crash_image(scratch_.path(), dir_.path(), 50);
  const WalInspection w = inspect_wal(wal());
  EXPECT_TRUE(w.header_valid);
  EXPECT_GT(w.valid_frames, 0u);
  EXPECT_EQ(w.damaged_frames, 0u);
  EXPECT_FALSE(w.loses_something());
  auto store = Store::open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->state(), StoreState::Ok);
  EXPECT_EQ((*store)->recovery_note(), "");
  EXPECT_EQ(queued(**store), 50);
}

TEST_F(StoreOpenTest, AnEmptyDatabaseBesideAWalIsRebuiltFromIt) {
  testing::make_crash_image(scratch_.path(), dir_.path(), 50);
  fs::resize_file(db(), 0);
  auto store = Store::open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string note = (*store)->recovery_note();
  EXPECT_NE(note.find("was empty or missing beside a WAL of"), std::string::npos) << note;
  EXPECT_EQ((*store)->state(), StoreState::Recovered);
  EXPECT_EQ(queued(**store), 50);
  bool wal_kept = false;
  for (const auto& p : testing::set_aside_files(dir_.path()))
    wal_kept = wal_kept || p.string().ends_with("-wal");
  EXPECT_TRUE(wal_kept);
}

TEST_F(StoreOpenTest, AGarbledWalHeaderIsReportedAndTheWalKept) {
  testing::make_crash_image(scratch_.path(), dir_.path(), 50);
  const auto size = fs::file_size(wal());
  const std::string original = read_all(wal());
  testing::overwrite(wal(), 0, std::string(32, '\xff'));
  EXPECT_TRUE(inspect_wal(wal()).loses_something());
  auto store = Store::open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string note = (*store)->recovery_note();
  EXPECT_NE(note.find("WAL of " + std::to_string(size) + " bytes (garbled header"),
            std::string::npos)
      << note;
  EXPECT_EQ((*store)->state(), StoreState::Recovered);
  auto kept = testing::set_aside_files(dir_.path());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(read_all(kept[0]).substr(32), original.substr(32));
}

TEST_F(StoreOpenTest, AWalGarbledMidFileIsReported) {
  testing::make_crash_image(scratch_.path(), dir_.path(), 400);
  const auto size = fs::file_size(wal());
  testing::overwrite(wal(), size / 3, std::string(4096, '\x11'));
  const WalInspection w = inspect_wal(wal());
  EXPECT_GT(w.damaged_frames, 1u);
  auto store = Store::open(dir_.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::string note = (*store)->recovery_note();
  EXPECT_NE(note.find("damaged"), std::string::npos) << note;
  EXPECT_NE(note.find(std::to_string(size) + " bytes"), std::string::npos) << note;
}

TEST_F(StoreOpenTest, AnUncommittedTailIsNotALoss) {
  testing::make_crash_image(scratch_.path(), dir_.path(), 50);
  // A frame of the current generation cut short at the end: a crash while writing.
  const auto size = fs::file_size(wal());
  const std::string bytes = read_all(wal());
  const uint32_t page_size = inspect_wal(wal()).page_size;
  std::ofstream(wal(), std::ios::binary | std::ios::app)
      .write(bytes.data() + 32, static_cast<std::streamsize>(page_size) + 24);
  testing::overwrite(wal(), size + 24 + 100, std::string(8, '\x01'));
  EXPECT_FALSE(inspect_wal(wal()).loses_something());
}

}  // namespace
}  // namespace metrics
