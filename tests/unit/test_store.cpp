// SPDX-License-Identifier: GPL-2.0-or-later
#include "store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace metrics {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::vector<uint8_t> bytes_of(const std::string& s) {
  return {s.begin(), s.end()};
}

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::vector<uint8_t>& haystack, const std::vector<uint8_t>& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

Uuid uuid(const char* text) {
  return Uuid::parse(text).value();
}

const Uuid kEventA = uuid("49d0451a-f706-4f50-81d2-70cc0ec923a4");
const Uuid kEventB = uuid("bf7e8aed-2932-455c-a28e-d407cfd5aaba");
const std::vector<uint8_t> kPayload = {0x01, 0x02, 0x03, 0x04};
const std::vector<uint8_t> kNoPayload;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open() {
    auto s = Store::open(dir_.path());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    if (!s.ok()) return nullptr;
    return std::move(s).value();
  }
  fs::path db_path() const { return dir_.path() / "metrics.db"; }

  TempDir dir_;
};

TEST_F(StoreTest, OpenCreatesDatabaseWithoutRecoveryNote) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(fs::exists(db_path()));
  EXPECT_EQ(store->recovery_note(), "");
  EXPECT_EQ(store->total_bytes(), 0);
  EXPECT_EQ(store->singular_count(), 0);
  auto check = store->integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
}

TEST_F(StoreTest, OpenCreatesMissingDirectory) {
  const fs::path nested = dir_.path() / "a" / "b";
  auto s = Store::open(nested);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(fs::exists(nested / "metrics.db"));
}

TEST_F(StoreTest, SingularsSurviveCommitAndReopen) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin().ok());
    EXPECT_TRUE(store->in_transaction());
    ASSERT_TRUE(store->add_singular(1000, kEventA, "os 1", 123, kPayload, 50).ok());
    ASSERT_TRUE(store->add_singular(0, kEventB, "os 1", 456, kNoPayload, 30).ok());
    ASSERT_TRUE(store->commit().ok());
    EXPECT_FALSE(store->in_transaction());
    EXPECT_EQ(store->total_bytes(), 80);
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].uid, 1000u);
  EXPECT_EQ((*rows)[0].event_id, kEventA);
  EXPECT_EQ((*rows)[0].os_version, "os 1");
  EXPECT_EQ((*rows)[0].relative_ns, 123);
  EXPECT_EQ((*rows)[0].payload, kPayload);
  EXPECT_EQ((*rows)[1].uid, 0u);
  EXPECT_EQ((*rows)[1].event_id, kEventB);
  EXPECT_EQ((*rows)[1].relative_ns, 456);
  EXPECT_TRUE((*rows)[1].payload.empty());
  EXPECT_LT((*rows)[0].id, (*rows)[1].id);
  // Totals are recomputed from the file.
  EXPECT_EQ(store->total_bytes(), 80);
  EXPECT_EQ(store->bytes_of_uid(1000), 50);
  EXPECT_EQ(store->bytes_of_uid(0), 30);
  EXPECT_EQ(store->singular_count(), 2);
  // Filter by uid.
  auto mine = store->singulars(1000u);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].relative_ns, 123);
}

TEST_F(StoreTest, UncommittedRowsAreLostOnClose) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin().ok());
    ASSERT_TRUE(store->add_singular(1, kEventA, "os", 1, kPayload, 10).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ(store->total_bytes(), 0);
}

TEST_F(StoreTest, RollbackDiscardsRowsAndRestoresTotals) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1000, kEventA, "os", 1, kPayload, 40).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, 3, 25).ok());
  ASSERT_TRUE(store->commit().ok());
  ASSERT_EQ(store->total_bytes(), 65);

  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1000, kEventB, "os", 2, kPayload, 100).ok());
  ASSERT_TRUE(store->add_singular(7, kEventB, "os", 3, kPayload, 200).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, 5, 25).ok());
  ASSERT_TRUE(store->add_count(7, kEventB, "2024-03", kPayload, 5, 33).ok());
  EXPECT_EQ(store->total_bytes(), 65 + 100 + 200 + 33);
  EXPECT_EQ(store->singular_count(), 3);
  store->rollback();
  EXPECT_FALSE(store->in_transaction());

  EXPECT_EQ(store->total_bytes(), 65);
  EXPECT_EQ(store->bytes_of_uid(1000), 65);
  EXPECT_EQ(store->bytes_of_uid(7), 0);
  EXPECT_EQ(store->singular_count(), 1);
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].event_id, kEventA);
  auto counts = store->counts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].count, 3);
}

TEST_F(StoreTest, RollbackAfterRollOverRestoresTotals) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, 3, 25).ok());
  ASSERT_TRUE(store->commit().ok());
  const int64_t total_before = store->total_bytes();
  const int64_t uid_before = store->bytes_of_uid(1000);
  ASSERT_EQ(total_before, 25);

  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1000, kEventB, "os", 2, kPayload, 100).ok());
  auto moved = store->roll_over("2024-03-15", "2024-03", "Endless 6.0");
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(*moved, 1);
  store->rollback();

  // The transaction never happened: the count is back, no aggregate, totals as before.
  auto counts = store->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->size(), 1u);
  auto aggregates = store->aggregates();
  ASSERT_TRUE(aggregates.ok());
  EXPECT_TRUE(aggregates->empty());
  EXPECT_EQ(store->total_bytes(), total_before);
  EXPECT_EQ(store->bytes_of_uid(1000), uid_before);
  EXPECT_EQ(store->singular_count(), 0);
}

TEST_F(StoreTest, BeginIsNoOpInsideTransactionAndCommitWithoutTransactionIsOk) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->commit().ok());
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1, kEventA, "os", 1, kPayload, 10).ok());
  ASSERT_TRUE(store->commit().ok());
  store->rollback();  // nothing open: must not undo the committed row
  EXPECT_EQ(store->total_bytes(), 10);
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
}

TEST_F(StoreTest, AddCountUpsertsAndChargesSizeOncePerKey) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-15", kPayload, 5, 40).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-15", kPayload, 7, 40).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-15", kPayload, -20, 40).ok());
  EXPECT_EQ(store->total_bytes(), 40);
  EXPECT_EQ(store->bytes_of_uid(1000), 40);
  // Each differing key component makes a new row.
  ASSERT_TRUE(store->add_count(1001, kEventA, "2024-03-15", kPayload, 1, 40).ok());    // uid
  ASSERT_TRUE(store->add_count(1000, kEventB, "2024-03-15", kPayload, 1, 40).ok());    // event
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-16", kPayload, 1, 40).ok());    // period
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-15", kNoPayload, 1, 36).ok());  // payload
  ASSERT_TRUE(store->commit().ok());
  EXPECT_EQ(store->total_bytes(), 40 * 4 + 36);
  EXPECT_EQ(store->bytes_of_uid(1000), 40 * 3 + 36);
  EXPECT_EQ(store->bytes_of_uid(1001), 40);
  EXPECT_EQ(store->singular_count(), 0);

  auto counts = store->counts(1000u);
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 4u);
  int found = 0;
  for (const auto& c : *counts) {
    if (c.event_id == kEventA && c.period == "2024-03-15" && c.payload == kPayload) {
      EXPECT_EQ(c.count, 5 + 7 - 20);
      ++found;
    } else {
      EXPECT_EQ(c.count, 1);
    }
  }
  EXPECT_EQ(found, 1);
  auto all = store->counts();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

TEST_F(StoreTest, AddCountHandlesLargeSums) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_count(1, kEventA, "2024-03-15", kPayload, int64_t{1} << 40, 10).ok());
  ASSERT_TRUE(store->add_count(1, kEventA, "2024-03-15", kPayload, int64_t{1} << 40, 10).ok());
  ASSERT_TRUE(store->commit().ok());
  auto counts = store->counts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].count, int64_t{1} << 41);
}

TEST_F(StoreTest, RollOverMovesOnlyEndedPeriodsAndClamps) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->begin().ok());
  // Ended day, negative sum.
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, 4, 30).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, -9, 30).ok());
  // Ended day, sum above 2^32-1.
  ASSERT_TRUE(store->add_count(1000, kEventB, "2024-02-29", kNoPayload, 4294967295, 30).ok());
  ASSERT_TRUE(store->add_count(1000, kEventB, "2024-02-29", kNoPayload, 10, 30).ok());
  // Ended month, in range.
  ASSERT_TRUE(store->add_count(7, kEventA.monthly(), "2024-02", kPayload, 42, 20).ok());
  // Current day and month: stay.
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-15", kPayload, 1, 30).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA.monthly(), "2024-03", kPayload, 2, 20).ok());
  ASSERT_TRUE(store->commit().ok());

  ASSERT_TRUE(store->begin().ok());
  auto moved = store->roll_over("2024-03-15", "2024-03", "Endless 6.0");
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, 3);
  ASSERT_TRUE(store->commit().ok());

  auto counts = store->counts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 2u);
  for (const auto& c : *counts) EXPECT_TRUE(c.period == "2024-03-15" || c.period == "2024-03");

  auto aggregates = store->aggregates();
  ASSERT_TRUE(aggregates.ok());
  ASSERT_EQ(aggregates->size(), 3u);
  bool saw_negative = false, saw_big = false, saw_month = false;
  for (const auto& a : *aggregates) {
    EXPECT_EQ(a.os_version, "Endless 6.0");
    if (a.period == "2024-03-14") {
      saw_negative = true;
      EXPECT_EQ(a.event_id, kEventA);
      EXPECT_EQ(a.uid, 1000u);
      EXPECT_EQ(a.count, 0u);
      EXPECT_EQ(a.payload, kPayload);
    } else if (a.period == "2024-02-29") {
      saw_big = true;
      EXPECT_EQ(a.event_id, kEventB);
      EXPECT_EQ(a.count, 4294967295u);
      EXPECT_TRUE(a.payload.empty());
    } else if (a.period == "2024-02") {
      saw_month = true;
      EXPECT_EQ(a.event_id, kEventA.monthly());
      EXPECT_EQ(a.uid, 7u);
      EXPECT_EQ(a.count, 42u);
    } else {
      ADD_FAILURE() << "unexpected aggregate period " << a.period;
    }
  }
  EXPECT_TRUE(saw_negative && saw_big && saw_month);

  // Nothing left to move: a second roll-over is a no-op.
  ASSERT_TRUE(store->begin().ok());
  auto again = store->roll_over("2024-03-15", "2024-03", "Endless 6.0");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  ASSERT_TRUE(store->commit().ok());
  auto aggregates2 = store->aggregates();
  ASSERT_TRUE(aggregates2.ok());
  EXPECT_EQ(aggregates2->size(), 3u);
}

TEST_F(StoreTest, RollOverKeepsTotalsConsistentWithReopen) {
  int64_t total = 0, uid1000 = 0, uid7 = 0;
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin().ok());
    ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", kPayload, 4, 30).ok());
    ASSERT_TRUE(store->add_count(7, kEventA, "2024-02", kPayload, 4, 20).ok());
    ASSERT_TRUE(store->add_singular(7, kEventB, "os", 5, kPayload, 44).ok());
    ASSERT_TRUE(store->roll_over("2024-03-15", "2024-03", "Endless 6.0").ok());
    ASSERT_TRUE(store->commit().ok());
    total = store->total_bytes();
    uid1000 = store->bytes_of_uid(1000);
    uid7 = store->bytes_of_uid(7);
    EXPECT_GE(total, 30 + 20 + 44);
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->total_bytes(), total);
  EXPECT_EQ(store->bytes_of_uid(1000), uid1000);
  EXPECT_EQ(store->bytes_of_uid(7), uid7);
  EXPECT_EQ(store->singular_count(), 1);
}

TEST_F(StoreTest, MetaGetSetAndPersist) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto missing = store->get_meta("boot_id");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing->has_value());
    ASSERT_TRUE(store->set_meta("boot_id", "first").ok());
    ASSERT_TRUE(store->set_meta("boot_id", "second").ok());
    ASSERT_TRUE(store->set_meta("other", "").ok());
    auto got = store->get_meta("boot_id");
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, "second");
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto got = store->get_meta("boot_id");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, "second");
  auto empty = store->get_meta("other");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ(**empty, "");
}

TEST_F(StoreTest, BytesOfUidTracksEachUid) {
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->bytes_of_uid(42), 0);
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(42, kEventA, "os", 1, kPayload, 11).ok());
  ASSERT_TRUE(store->add_singular(42, kEventA, "os", 2, kPayload, 13).ok());
  ASSERT_TRUE(store->add_singular(43, kEventA, "os", 3, kPayload, 17).ok());
  ASSERT_TRUE(store->add_count(43, kEventA, "2024-03-15", kPayload, 1, 19).ok());
  ASSERT_TRUE(store->commit().ok());
  EXPECT_EQ(store->bytes_of_uid(42), 24);
  EXPECT_EQ(store->bytes_of_uid(43), 36);
  EXPECT_EQ(store->bytes_of_uid(44), 0);
  EXPECT_EQ(store->total_bytes(), 60);
}

TEST_F(StoreTest, PurgeAllRemovesRowsAndEveryByteOfThePayload) {
  const std::string marker_text = "MARKER-9c41e7b2-never-in-any-file-after-purge";
  const std::vector<uint8_t> marker = bytes_of(marker_text);
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->set_meta("keep", "me").ok());
  // Enough rows to span several pages, some committed, some rolled over, some pending.
  ASSERT_TRUE(store->begin().ok());
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(store->add_singular(1000, kEventA, "os", i, marker, 100).ok());
  ASSERT_TRUE(store->add_count(1000, kEventA, "2024-03-14", marker, 3, 80).ok());
  ASSERT_TRUE(store->add_count(1000, kEventB, "2024-03-15", marker, 3, 80).ok());
  ASSERT_TRUE(store->commit().ok());
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->roll_over("2024-03-15", "2024-03", "os").ok());
  ASSERT_TRUE(store->commit().ok());
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1001, kEventB, "os", 9, marker, 100).ok());

  // The marker is on disk before the purge (otherwise the check below proves nothing).
  bool present = false;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    present = present || contains(read_file(entry.path()), marker);
  ASSERT_TRUE(present);

  ASSERT_TRUE(store->purge_all().ok());
  EXPECT_FALSE(store->in_transaction());
  EXPECT_EQ(store->total_bytes(), 0);
  EXPECT_EQ(store->bytes_of_uid(1000), 0);
  EXPECT_EQ(store->bytes_of_uid(1001), 0);
  EXPECT_EQ(store->singular_count(), 0);
  auto s = store->singulars();
  auto c = store->counts();
  auto a = store->aggregates();
  ASSERT_TRUE(s.ok() && c.ok() && a.ok());
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(c->empty());
  EXPECT_TRUE(a->empty());

  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_FALSE(contains(read_file(entry.path()), marker))
        << "payload bytes left in " << entry.path();
  }
  // Meta (boot anchor, timer ids) is not user data and survives.
  auto keep = store->get_meta("keep");
  ASSERT_TRUE(keep.ok());
  ASSERT_TRUE(keep->has_value());
  EXPECT_EQ(**keep, "me");

  // The store keeps working after a purge.
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(1, kEventA, "os", 1, kPayload, 10).ok());
  ASSERT_TRUE(store->commit().ok());
  EXPECT_EQ(store->total_bytes(), 10);

  // And after close, nothing of the marker reappears either.
  store.reset();
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    EXPECT_FALSE(contains(read_file(entry.path()), marker)) << entry.path();
}

TEST_F(StoreTest, CorruptDatabaseIsMovedAsideAndAFreshStoreWorks) {
  const std::string garbage_text(8192, 'G');
  {
    std::ofstream out(db_path(), std::ios::binary);
    out << "this is not an sqlite database " << garbage_text;
  }
  auto opened = Store::open(dir_.path());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto store = std::move(opened).value();
  EXPECT_FALSE(store->recovery_note().empty());
  EXPECT_NE(store->recovery_note().find("metrics.db.corrupt-"), std::string::npos)
      << store->recovery_note();

  std::vector<fs::path> aside;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    if (entry.path().filename().string().rfind("metrics.db.corrupt-", 0) == 0)
      aside.push_back(entry.path());
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_TRUE(contains(read_file(aside[0]), bytes_of("this is not an sqlite database")));
  EXPECT_FALSE(contains(read_file(db_path()), bytes_of("this is not an sqlite database")));

  auto check = store->integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(5, kEventA, "os", 77, kPayload, 10).ok());
  ASSERT_TRUE(store->commit().ok());
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].relative_ns, 77);

  // Reopening the fresh store is clean: no new note, nothing else moved aside.
  store.reset();
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recovery_note(), "");
  auto rows2 = again->singulars();
  ASSERT_TRUE(rows2.ok());
  EXPECT_EQ(rows2->size(), 1u);
  int aside_count = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    aside_count += entry.path().filename().string().rfind("metrics.db.corrupt-", 0) == 0;
  EXPECT_EQ(aside_count, 1);
}

TEST_F(StoreTest, CorruptedExistingDatabaseIsRecovered) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->begin().ok());
    ASSERT_TRUE(store->add_singular(5, kEventA, "os", 77, kPayload, 10).ok());
    ASSERT_TRUE(store->commit().ok());
  }
  {
    // Overwrite the header and first pages with garbage.
    std::fstream f(db_path(), std::ios::binary | std::ios::in | std::ios::out);
    ASSERT_TRUE(f.good());
    const std::string junk(4096, '\xA5');
    f.seekp(0);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->recovery_note().empty());
  EXPECT_EQ(store->total_bytes(), 0);
  auto rows = store->singulars();
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  ASSERT_TRUE(store->begin().ok());
  ASSERT_TRUE(store->add_singular(6, kEventB, "os", 1, kPayload, 10).ok());
  ASSERT_TRUE(store->commit().ok());
}

TEST_F(StoreTest, PurgeAllRemovesSetAsideCorruptFiles) {
  {
    std::ofstream out(db_path(), std::ios::binary);
    out << "garbage garbage garbage MARKER-corrupt-copy " << std::string(4096, 'x');
  }
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->recovery_note().empty());
  // A second, older set-aside copy (as from an earlier recovery).
  {
    std::ofstream out(dir_.path() / "metrics.db.corrupt-12345", std::ios::binary);
    out << "older MARKER-corrupt-copy";
  }
  // An unrelated file in the directory is not ours to delete.
  {
    std::ofstream out(dir_.path() / "unrelated.txt");
    out << "keep";
  }
  ASSERT_TRUE(store->purge_all().ok());
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_NE(name.rfind("metrics.db.corrupt-", 0), 0u) << name;
    EXPECT_FALSE(contains(read_file(entry.path()), bytes_of("MARKER-corrupt-copy"))) << name;
  }
  EXPECT_TRUE(fs::exists(dir_.path() / "unrelated.txt"));
  EXPECT_TRUE(fs::exists(db_path()));
}

}  // namespace
}  // namespace metrics
