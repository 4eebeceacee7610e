// SPDX-License-Identifier: GPL-2.0-or-later
// Salvage of a corrupt store: every row a plain SELECT can read is kept, the damaged
// files are set aside (database and WAL), and a failed set-aside changes nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>

#include "store.hpp"
#include "store_crash_image.hpp"
#include "store_files.hpp"
#include "store_salvage.hpp"
#include "temp_dir.hpp"

namespace metrics {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Ids of singular rows a point SELECT reads from (a copy of) `db`.
std::set<int64_t> readable_ids(const fs::path& db, int64_t max_id) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  SqlitePtr conn(raw);
  std::set<int64_t> ids;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(raw, "SELECT relative_ns FROM singular WHERE id = ?1", -1, &st, nullptr) !=
      SQLITE_OK)
    return ids;
  SqliteStmtPtr stmt(st);
  for (int64_t id = 1; id <= max_id; ++id) {
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) ids.insert(sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
  }
  return ids;
}

TEST(StoreSalvage, GarbledPagesKeepEveryRowAPlainSelectReads) {
  TempDir dir;
  constexpr int kRows = 3000;
  {
    auto store = Store::open(dir.path());
    ASSERT_TRUE(store.ok());
    const std::vector<uint8_t> payload(12, 0x42);
    ASSERT_TRUE((*store)->begin().ok());
    for (int i = 1; i <= kRows; ++i)
      ASSERT_TRUE((*store)->add_singular(3, testing::kCrashEvent, "os", i, payload, 50).ok());
    ASSERT_TRUE((*store)->set_meta("next_timer_id", "77").ok());
    ASSERT_TRUE((*store)->commit().ok());
  }  // closed: the rows are in metrics.db
  const fs::path db = dir.path() / "metrics.db";
  const auto pages = fs::file_size(db) / 4096;
  ASSERT_GT(pages, 20u);
  std::mt19937 rng(11);
  for (uint64_t page : {pages / 5, pages / 3, pages / 2, pages - 2}) {
    std::string junk(4096, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    testing::overwrite(db, (page - 1) * 4096, junk);
  }
  TempDir copy;
  fs::copy_file(db, copy.path() / "metrics.db");
  const std::set<int64_t> readable = readable_ids(copy.path() / "metrics.db", kRows);
  ASSERT_LT(readable.size(), static_cast<size_t>(kRows));

  auto store = Store::open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->state(), StoreState::Recovered);
  const std::string note = (*store)->recovery_note();
  EXPECT_NE(note.find("rows saved"), std::string::npos) << note;
  EXPECT_NE(note.find("singular: "), std::string::npos) << note;
  auto rows = (*store)->singulars();
  ASSERT_TRUE(rows.ok());
  std::set<int64_t> kept;
  for (const auto& r : *rows) kept.insert(r.relative_ns);
  for (int64_t id : readable) EXPECT_TRUE(kept.contains(id)) << id;
  EXPECT_EQ(kept.size(), rows->size());  // each once
  EXPECT_EQ((*store)->singular_count(), static_cast<int64_t>(rows->size()));
  EXPECT_EQ((*store)->total_bytes(), 50 * static_cast<int64_t>(rows->size()));
  auto timer = (*store)->get_meta("next_timer_id");
  ASSERT_TRUE(timer.ok());
  EXPECT_EQ(timer->value_or(""), "77");
  EXPECT_EQ(testing::set_aside_files(dir.path()).empty(), false);
}

TEST(StoreSalvage, CopiesRowsThatLiveOnlyInTheWalAndChangesNothing) {
  TempDir scratch, dir;
  testing::make_crash_image(scratch.path(), dir.path(), 120);
  const std::string db_before = read_all(dir.path() / "metrics.db");
  const std::string wal_before = read_all(dir.path() / "metrics.db-wal");
  auto report = salvage_store(dir.path() / "metrics.db", dir.path() / "new.db");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->lost(), 0);
  EXPECT_FALSE(report->unknown_loss());
  EXPECT_NE(report->describe().find("singular: 120 saved, 0 lost"), std::string::npos)
      << report->describe();
  EXPECT_EQ(read_all(dir.path() / "metrics.db"), db_before);
  EXPECT_EQ(read_all(dir.path() / "metrics.db-wal"), wal_before);
}

TEST(StoreSalvage, AnUnreadableSchemaSavesNothingAndSaysSo) {
  TempDir dir;
  std::ofstream(dir.path() / "metrics.db", std::ios::binary) << std::string(8192, 'G');
  auto report = salvage_store(dir.path() / "metrics.db", dir.path() / "new.db");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->saved(), 0);
  EXPECT_TRUE(report->unknown_loss());
}

TEST(StoreSalvage, ASetAsideThatCannotBeMadeMovesNothing) {
  TempDir scratch, dir;
  testing::make_crash_image(scratch.path(), dir.path(), 10);
  const StoreFiles files{dir.path()};
  auto r = set_aside_store(files, dir.path() / "no-such-dir" / "metrics.db.corrupt-1");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(fs::exists(files.db()));
  EXPECT_TRUE(fs::exists(files.wal()));
}

TEST(StoreSalvage, SetAsideKeepsTheWalBesideTheDatabase) {
  TempDir scratch, dir;
  testing::make_crash_image(scratch.path(), dir.path(), 10);
  const StoreFiles files{dir.path()};
  const fs::path aside = set_aside_name(files, 1234);
  EXPECT_EQ(aside.filename(), "metrics.db.corrupt-1234");
  ASSERT_TRUE(set_aside_store(files, aside).ok());
  EXPECT_FALSE(fs::exists(files.db()));
  EXPECT_FALSE(fs::exists(files.wal()));
  EXPECT_TRUE(fs::exists(aside));
  EXPECT_TRUE(fs::exists(aside.string() + "-wal"));
  EXPECT_EQ(set_aside_name(files, 1234).filename(), "metrics.db.corrupt-1234-1");
}

}  // namespace
}  // namespace metrics

namespace metrics {
namespace {

TEST(StoreSalvage, ASalvageInterruptedAfterTheSetAsideIsFinished) {
  TempDir scratch, dir;
  testing::make_crash_image(scratch.path(), dir.path(), 30);
  ASSERT_TRUE(salvage_store(dir.path() / "metrics.db", dir.path() / "metrics.db.salvage").ok());
  ASSERT_TRUE(set_aside_store(StoreFiles{dir.path()}, dir.path() / "metrics.db.corrupt-1").ok());
  // The crash came here: no metrics.db, the salvaged rows beside the set-aside copies.
  auto store = Store::open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto rows = (*store)->singulars();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 30u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "metrics.db.salvage"));
}

}  // namespace
}  // namespace metrics
