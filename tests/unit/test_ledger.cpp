// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "store.hpp"

namespace metrics {
namespace {

namespace fs = std::filesystem;

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("metrics-test-ledger-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    auto s = Store::open(dir_);
    EXPECT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  ~LedgerTest() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  static LedgerAttempt attempt(int i, const std::vector<uint8_t>& body) {
    LedgerAttempt a;
    a.time_ns = 1'700'000'000'000'000'000 + i;
    a.url = "https://example.org/3/" + std::to_string(i);
    a.sha512 = "sha-" + std::to_string(i);
    a.compressed_size = 100 + i;
    a.uncompressed_size = 1000 + i;
    a.singular_events = 10 + i;
    a.aggregate_events = 2;
    a.outcome = "Success";
    a.http_status = 200;
    a.message = "OK";
    a.body = body;
    return a;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

std::vector<uint8_t> body_of(int i) {
  std::string s = "BODY-" + std::to_string(i) + std::string(100, 'x');
  return {s.begin(), s.end()};
}

TEST_F(LedgerTest, RecordsAndReadsBackNewestFirst) {
  Ledger ledger(*store_);
  for (int i = 0; i < 3; ++i) {
    auto body = body_of(i);
    ASSERT_TRUE(ledger.record_attempt(attempt(i, body)).ok());
  }
  auto recent = ledger.recent(10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 3u);
  const LedgerEntry& e = (*recent)[0];
  EXPECT_EQ(e.url, "https://example.org/3/2");
  EXPECT_EQ(e.sha512, "sha-2");
  EXPECT_EQ(e.time_ns, 1'700'000'000'000'000'002);
  EXPECT_EQ(e.compressed_size, 102u);
  EXPECT_EQ(e.uncompressed_size, 1002u);
  EXPECT_EQ(e.singular_events, 12u);
  EXPECT_EQ(e.aggregate_events, 2u);
  EXPECT_EQ(e.outcome, "Success");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.message, "OK");
  EXPECT_TRUE(e.body_kept);
  EXPECT_EQ((*recent)[2].sha512, "sha-0");
  auto two = ledger.recent(2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);

  auto b = ledger.body(e.id);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(**b, body_of(2));
  auto none = ledger.body(12345);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(LedgerTest, KeepsOnlyTheLastNBodies) {
  Ledger ledger(*store_, 20);
  for (int i = 0; i < 30; ++i) {
    auto body = body_of(i);
    ASSERT_TRUE(ledger.record_attempt(attempt(i, body)).ok());
  }
  auto recent = ledger.recent(100);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 30u);  // entries stay, bodies go
  int kept = 0;
  for (const LedgerEntry& e : *recent) {
    auto b = ledger.body(e.id);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->has_value(), e.body_kept);
    const int i = std::stoi(e.sha512.substr(4));
    EXPECT_EQ(e.body_kept, i >= 10) << i;
    if (b->has_value()) {
      ++kept;
      EXPECT_EQ(**b, body_of(i));
    }
  }
  EXPECT_EQ(kept, 20);
}

TEST_F(LedgerTest, RetriesOfOneBodyShareOneKeptCopy) {
  Ledger ledger(*store_, 3);
  auto same = body_of(7);
  for (int retry = 0; retry < 5; ++retry) {
    LedgerAttempt a = attempt(7, same);
    a.outcome = retry < 4 ? "Retry" : "Success";
    a.http_status = retry < 4 ? 503 : 200;
    ASSERT_TRUE(ledger.record_attempt(a).ok());
  }
  auto b1 = body_of(1), b2 = body_of(2);
  ASSERT_TRUE(ledger.record_attempt(attempt(1, b1)).ok());
  ASSERT_TRUE(ledger.record_attempt(attempt(2, b2)).ok());
  auto recent = ledger.recent(100);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 7u);
  // Five attempts of one body did not push out the others: all three bodies are kept,
  // and every attempt of body 7 shows it.
  for (const LedgerEntry& e : *recent) {
    EXPECT_TRUE(e.body_kept) << e.id;
    auto b = ledger.body(e.id);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(b->has_value());
    EXPECT_EQ(**b, body_of(std::stoi(e.sha512.substr(4))));
  }
  EXPECT_EQ((*recent)[2].outcome, "Success");
  EXPECT_EQ((*recent)[3].http_status, 503);
}

TEST_F(LedgerTest, EntriesAreBoundedAndEmptyBodiesNotKept) {
  Ledger ledger(*store_, 2, 5);
  for (int i = 0; i < 12; ++i) {
    LedgerAttempt a = attempt(i, {});
    a.outcome = "Retry";
    a.http_status = 0;
    a.message = "timeout";
    ASSERT_TRUE(ledger.record_attempt(a).ok());
  }
  auto recent = ledger.recent(100);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 5u);
  EXPECT_EQ(recent->front().sha512, "sha-11");
  EXPECT_EQ(recent->back().sha512, "sha-7");
  for (const LedgerEntry& e : *recent) EXPECT_FALSE(e.body_kept);
}

TEST_F(LedgerTest, PurgeAllClearsTheLedgerAndItsBytes) {
  const std::string marker = "LEDGER-MARKER-5d1f0c-never-after-purge";
  std::vector<uint8_t> body(marker.begin(), marker.end());
  Ledger ledger(*store_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger.record_attempt(attempt(i, body)).ok());
  ASSERT_TRUE(store_->set_aside_batch({}, {}, "HTTP 400", body).ok());
  auto on_disk = [&] {
    bool found = false;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      found = found || data.find(marker) != std::string::npos;
    }
    return found;
  };
  ASSERT_TRUE(on_disk());
  ASSERT_TRUE(store_->purge_all().ok());
  auto recent = ledger.recent(100);
  ASSERT_TRUE(recent.ok());
  EXPECT_TRUE(recent->empty());
  EXPECT_EQ(store_->set_aside_count().value(), 0);
  EXPECT_FALSE(on_disk());
  // Still usable afterwards.
  auto b = body_of(1);
  ASSERT_TRUE(ledger.record_attempt(attempt(1, b)).ok());
  EXPECT_EQ(ledger.recent(10)->size(), 1u);
}

TEST_F(LedgerTest, RecordInsideAnOpenTransactionJoinsIt) {
  Ledger ledger(*store_);
  ASSERT_TRUE(store_->begin().ok());
  auto b = body_of(1);
  ASSERT_TRUE(ledger.record_attempt(attempt(1, b)).ok());
  EXPECT_TRUE(store_->in_transaction());
  store_->rollback();
  EXPECT_TRUE(ledger.recent(10)->empty());
}

TEST_F(LedgerTest, SurvivesReopen) {
  {
    Ledger ledger(*store_);
    auto b = body_of(3);
    ASSERT_TRUE(ledger.record_attempt(attempt(3, b)).ok());
  }
  store_.reset();
  auto s = Store::open(dir_);
  ASSERT_TRUE(s.ok());
  store_ = std::move(s).value();
  Ledger ledger(*store_);
  auto recent = ledger.recent(10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 1u);
  auto b = ledger.body(recent->front().id);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(**b, body_of(3));
}

TEST_F(LedgerTest, AnAttemptThatCannotBeWrittenIsKeptAndWrittenLater) {
  Ledger ledger(*store_);
  auto b1 = body_of(1);
  auto b2 = body_of(2);
  {
    // Another connection holds the write lock: the ledger cannot be written (as on a full
    // disk).
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "metrics.db").c_str(), &raw), SQLITE_OK);
    SqlitePtr other(raw);
    ASSERT_EQ(sqlite3_exec(raw, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    auto r = ledger.record_attempt(attempt(1, b1));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("kept in memory"), std::string::npos) << r.error().message;
    EXPECT_EQ(ledger.pending(), 1u);
    EXPECT_FALSE(ledger.flush_pending().ok());
    sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  // The next attempt writes the waiting one first: both are in the ledger, in order.
  ASSERT_TRUE(ledger.record_attempt(attempt(2, b2)).ok());
  EXPECT_EQ(ledger.pending(), 0u);
  auto recent = ledger.recent(10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ(recent->back().sha512, attempt(1, b1).sha512);
  EXPECT_NE(recent->back().message.find("written late"), std::string::npos);
  EXPECT_FALSE(recent->back().body_kept);
  EXPECT_TRUE(recent->front().body_kept);
}

}  // namespace
}  // namespace metrics
