// SPDX-License-Identifier: GPL-2.0-or-later
#include "recorder.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "limit_math.hpp"
#include "temp_dir.hpp"

namespace metrics {
namespace {

// The tests run on one thread: nothing reads the environment while TZ changes.
void set_time_zone(const char* tz) {
  setenv("TZ", tz, 1);  // NOLINT(concurrency-mt-unsafe)
  tzset();
}

namespace fs = std::filesystem;
using testing::FakeClock;
using testing::seconds;
using testing::utc_ns;

using testing::TempDir;

constexpr uint32_t kServiceUid = 999;
const char* const kOs = "Endless 6.0";

const Uuid kEventA = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4").value();
const Uuid kEventB = Uuid::parse("bf7e8aed-2932-455c-a28e-d407cfd5aaba").value();

std::span<const uint8_t> id_of(const Uuid& u) {
  return u.bytes;
}

const Caller kRoot{":1.1", 0};
const Caller kUser{":1.2", 1000};
const Caller kOtherUser{":1.3", 1001};
const Caller kService{":1.4", kServiceUid};
const Caller kRootElsewhere{":1.9", 0};

// The stored form of a payload: the serialised `v` boxing it.
std::vector<uint8_t> serialized(GVariant* value) {
  GVariantPtr boxed = adopt_variant(g_variant_new_variant(value));
  GVariantPtr normal(g_variant_get_normal_form(boxed.get()));
  const auto* data = static_cast<const uint8_t*>(g_variant_get_data(normal.get()));
  return {data, data + g_variant_get_size(normal.get())};
}

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_time_zone("UTC");
    clock_ = FakeClock(seconds(1000), seconds(900), utc_ns(2024, 3, 15, 12, 0, 0));
    open_store();
  }

  void open_store() {
    auto s = Store::open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  RecorderOptions options() const {
    RecorderOptions o;
    o.service_uid = kServiceUid;
    o.os_version = kOs;
    o.boot_id = "boot-1";
    return o;
  }

  std::unique_ptr<Recorder> make(RecorderOptions o) {
    auto r = std::make_unique<Recorder>(clock_, *store_, std::move(o));
    auto started = r->start();
    EXPECT_TRUE(started.ok()) << started.error().code << ": " << started.error().message;
    return r;
  }
  std::unique_ptr<Recorder> make() { return make(options()); }

  std::vector<StoredSingular> singulars() {
    auto rows = store_->singulars();
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<StoredSingular>{};
  }
  std::vector<StoredCount> counts() {
    auto rows = store_->counts();
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<StoredCount>{};
  }
  std::vector<StoredAggregate> aggregates() {
    auto rows = store_->aggregates();
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<StoredAggregate>{};
  }
  std::optional<int64_t> count_of(const std::string& period, const Uuid& event) {
    std::optional<int64_t> found;
    for (const auto& c : counts()) {
      if (c.period == period && c.event_id == event) {
        EXPECT_FALSE(found.has_value()) << "two count rows for " << period;
        found = c.count;
      }
    }
    return found;
  }
  std::optional<uint32_t> aggregate_of(const std::string& period, const Uuid& event) {
    std::optional<uint32_t> found;
    for (const auto& a : aggregates()) {
      if (a.period == period && a.event_id == event) {
        EXPECT_FALSE(found.has_value()) << "two aggregate rows for " << period;
        found = a.count;
      }
    }
    return found;
  }
  uint64_t refusals(const Recorder& r, ErrorCode code) {
    auto it = r.refusals().find(code);
    return it == r.refusals().end() ? 0 : it->second;
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
};

// ---- record_singular ---------------------------------------------------------

TEST_F(RecorderTest, SingularIsStoredWithBootOffsetAdded) {
  // A previous boot anchored 5000 s of wall time ago at its boottime 10 s, offset 0.
  ASSERT_TRUE(store_->set_meta("boot_id", "boot-0").ok());
  ASSERT_TRUE(store_->set_meta("boot_offset_ns", "0").ok());
  ASSERT_TRUE(store_->set_meta("anchor_boot_ns", std::to_string(seconds(10))).ok());
  ASSERT_TRUE(
      store_->set_meta("anchor_wall_ns", std::to_string(clock_.realtime - seconds(5000))).ok());
  auto rec = make();
  const int64_t offset = seconds(10 + 5000 - 1000);
  EXPECT_EQ(rec->boot_anchor().offset_ns, offset);
  EXPECT_EQ(rec->boot_anchor().boot_id, "boot-1");

  GVariantPtr payload = adopt_variant(g_variant_new_int32(5));
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(400), payload.get()).ok());
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventB), seconds(401), nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_FALSE(store_->in_transaction());

  auto rows = singulars();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].uid, 1000u);
  EXPECT_EQ(rows[0].event_id, kEventA);
  EXPECT_EQ(rows[0].os_version, kOs);
  EXPECT_EQ(rows[0].relative_ns, seconds(400) + offset);
  EXPECT_EQ(rows[0].payload, serialized(payload.get()));
  EXPECT_EQ(rows[1].event_id, kEventB);
  EXPECT_EQ(rows[1].relative_ns, seconds(401) + offset);
  EXPECT_TRUE(rows[1].payload.empty());
  EXPECT_GT(store_->total_bytes(), 0);
  EXPECT_EQ(store_->bytes_of_uid(1000), store_->total_bytes());
}

TEST_F(RecorderTest, SingularTimestampIsClampedToBootAndNow) {
  auto rec = make();
  const int64_t offset = rec->boot_anchor().offset_ns;
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), -seconds(5), nullptr).ok());
  ASSERT_TRUE(
      rec->record_singular(kUser, 1000, id_of(kEventA), clock_.boottime + seconds(3600), nullptr)
          .ok());
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), INT64_MAX, nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), INT64_MIN, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].relative_ns, offset);
  EXPECT_EQ(rows[1].relative_ns, offset + clock_.boottime);
  EXPECT_EQ(rows[2].relative_ns, offset + clock_.boottime);
  EXPECT_EQ(rows[3].relative_ns, offset);
}

TEST_F(RecorderTest, EventIdMustBeSixteenBytes) {
  auto rec = make();
  const std::vector<uint8_t> short_id(15, 0xab);
  const std::vector<uint8_t> long_id(17, 0xab);
  auto r = rec->record_singular(kUser, 1000, short_id, seconds(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidEventId);
  EXPECT_FALSE(r.error().message.empty());
  auto r2 = rec->record_singular(kRoot, 0, long_id, seconds(1), nullptr);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kInvalidEventId);
  auto r3 = rec->record_aggregate(kUser, 1000, short_id, 1, seconds(1), nullptr);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kInvalidEventId);
  auto r4 = rec->record_sequence(kUser, 1000, short_id, {{seconds(1), nullptr}});
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.error().code, ErrorCode::kInvalidEventId);
  auto r5 = rec->start_timer(kUser, 1000, short_id, nullptr);
  ASSERT_FALSE(r5.ok());
  EXPECT_EQ(r5.error().code, ErrorCode::kInvalidEventId);
  EXPECT_EQ(rec->timer_count(), 0u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kInvalidEventId), 5u);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(singulars().empty());
  EXPECT_TRUE(counts().empty());
  EXPECT_EQ(store_->total_bytes(), 0);
}

TEST_F(RecorderTest, RecordingOffSucceedsAndKeepsNothing) {
  auto rec = make();
  rec->set_recording(false);
  EXPECT_FALSE(rec->recording());
  GVariantPtr payload = adopt_variant(g_variant_new_string("hello"));
  EXPECT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), payload.get()).ok());
  EXPECT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 3, seconds(1), nullptr).ok());
  EXPECT_TRUE(rec->record_sequence(kUser, 1000, id_of(kEventA),
                                   {{seconds(1), nullptr}, {seconds(2), payload.get()}})
                  .ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(singulars().empty());
  EXPECT_TRUE(counts().empty());
  EXPECT_TRUE(aggregates().empty());
  EXPECT_EQ(store_->total_bytes(), 0);

  rec->set_recording(true);
  EXPECT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), payload.get()).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 1u);
}

TEST_F(RecorderTest, NonPrivilegedCallerCannotClaimAnotherUid) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kUser, 4242, id_of(kEventA), seconds(2), nullptr).ok());
  ASSERT_TRUE(rec->record_aggregate(kUser, 0, id_of(kEventB), 1, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].uid, 1000u);
  EXPECT_EQ(rows[1].uid, 1000u);
  for (const auto& c : counts()) EXPECT_EQ(c.uid, 1000u) << c.period;
  EXPECT_EQ(store_->bytes_of_uid(0), 0);
  EXPECT_EQ(store_->bytes_of_uid(4242), 0);
}

TEST_F(RecorderTest, RootAndServiceUserMayRecordForAnotherUid) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kRoot, 4242, id_of(kEventA), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kService, 5151, id_of(kEventA), seconds(2), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(3), nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].uid, 4242u);
  EXPECT_EQ(rows[1].uid, 5151u);
  EXPECT_EQ(rows[2].uid, 0u);
}

TEST_F(RecorderTest, PayloadTooLargeIsRefused) {
  auto o = options();
  o.settings.max_payload_bytes = 64;
  auto rec = make(o);
  GVariantPtr small = adopt_variant(g_variant_new_string("fits"));
  GVariantPtr big = adopt_variant(g_variant_new_string(std::string(200, 'x').c_str()));
  auto r = rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), big.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPayloadTooLarge);
  auto r2 = rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, seconds(1), big.get());
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(refusals(*rec, ErrorCode::kPayloadTooLarge), 2u);
  EXPECT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), small.get()).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].payload, serialized(small.get()));
  EXPECT_TRUE(counts().empty());
}

TEST_F(RecorderTest, MaybeTypedPayloadIsInvalid) {
  auto rec = make();
  GVariantPtr maybe = adopt_variant(g_variant_new_maybe(G_VARIANT_TYPE_INT32, nullptr));
  GVariantPtr nested = adopt_variant(g_variant_new_parsed("[(1, just 'x')]"));
  for (GVariant* p : {maybe.get(), nested.get()}) {
    auto r = rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), p);
    ASSERT_FALSE(r.ok()) << g_variant_get_type_string(p);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidPayload);
  }
  auto r = rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, seconds(1), maybe.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidPayload);
  auto t = rec->start_timer(kUser, 1000, id_of(kEventA), maybe.get());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidPayload);
  EXPECT_EQ(rec->timer_count(), 0u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kInvalidPayload), 4u);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(singulars().empty());
  EXPECT_TRUE(counts().empty());
}

TEST_F(RecorderTest, QueueFullAtMaxBytes) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok());
  const int64_t one = store_->total_bytes();
  ASSERT_GT(one, 0);
  rec->set_max_bytes(static_cast<uint64_t>(3 * one));
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(2), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(3), nullptr).ok());
  EXPECT_EQ(store_->total_bytes(), 3 * one);  // exactly at the bound is allowed
  for (int i = 0; i < 3; ++i) {
    auto r = rec->record_singular(kRoot, 0, id_of(kEventA), seconds(4), nullptr);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kQueueFull);
    EXPECT_FALSE(r.error().message.empty());
  }
  auto agg = rec->record_aggregate(kRoot, 0, id_of(kEventB), 1, clock_.boottime, nullptr);
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(agg.error().code, ErrorCode::kQueueFull);
  EXPECT_EQ(refusals(*rec, ErrorCode::kQueueFull), 4u);
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 3u);  // the oldest are kept
  EXPECT_EQ(rows[2].relative_ns, rec->boot_anchor().offset_ns + seconds(3));
  EXPECT_LE(store_->total_bytes(), 3 * one);
}

TEST_F(RecorderTest, UserQuotaExceededWhileRootStillRecords) {
  auto o = options();
  o.settings.max_queue_share_percent = 50;
  auto rec = make(o);
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok());
  const int64_t one = store_->bytes_of_uid(1000);
  ASSERT_GT(one, 0);
  rec->set_max_bytes(static_cast<uint64_t>(20 * one));  // share = 10 events
  for (int i = 1; i < 10; ++i)
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok()) << i;
  auto r = rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUserQuotaExceeded);
  EXPECT_EQ(refusals(*rec, ErrorCode::kUserQuotaExceeded), 1u);
  EXPECT_EQ(store_->bytes_of_uid(1000), 10 * one);
  // Another user has its own share; root is not limited by a share.
  EXPECT_TRUE(rec->record_singular(kOtherUser, 1001, id_of(kEventA), seconds(1), nullptr).ok());
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok()) << i;
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 16u);
}

TEST_F(RecorderTest, RateLimitedWhenNonPrivilegedUidExceedsBurst) {
  auto o = options();
  o.settings.rate_limit_burst = 3;
  o.settings.rate_limit_per_second = 1;
  auto rec = make(o);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok()) << i;
  auto r = rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
  auto agg = rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, clock_.boottime, nullptr);
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(agg.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(refusals(*rec, ErrorCode::kRateLimited), 2u);
  // Other uids are independent; root and the service user are not rate limited.
  EXPECT_TRUE(rec->record_singular(kOtherUser, 1001, id_of(kEventA), seconds(1), nullptr).ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok());
    EXPECT_TRUE(
        rec->record_singular(kService, kServiceUid, id_of(kEventA), seconds(1), nullptr).ok());
  }
  // One second later one token is back.
  clock_.advance(seconds(1));
  EXPECT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok());
  auto again = rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kRateLimited);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 3u + 1u + 20u + 1u);
}

// ---- record_aggregate ----------------------------------------------------------

TEST_F(RecorderTest, AggregateAddsToDayAndMonthlyCounts) {
  auto rec = make();
  GVariantPtr payload = adopt_variant(g_variant_new_string("app"));
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 3, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 1000, id_of(kEventA), -1, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 1000, id_of(kEventA), 10, clock_.boottime, payload.get()).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(store_->singular_count(), 0);
  auto rows = counts();
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& c : rows) {
    EXPECT_EQ(c.uid, 1000u);
    if (c.period == "2024-03-15") {
      EXPECT_EQ(c.event_id, kEventA);
    } else {
      EXPECT_EQ(c.period, "2024-03");
      EXPECT_EQ(c.event_id, kEventA.monthly());
    }
    if (c.payload.empty())
      EXPECT_EQ(c.count, 2) << c.period;
    else {
      EXPECT_EQ(c.payload, serialized(payload.get()));
      EXPECT_EQ(c.count, 10) << c.period;
    }
  }
  EXPECT_TRUE(aggregates().empty());
}

TEST_F(RecorderTest, AggregateStampedBeforeMidnightLandsInYesterdayAndIsRolledOver) {
  clock_ = FakeClock(seconds(int64_t{20} * 3600), seconds(int64_t{20} * 3600),
                     utc_ns(2024, 3, 15, 10, 0, 0));
  auto rec = make();
  // Recorded by the client 11 hours ago: 2024-03-14 23:00 local (UTC).
  const int64_t stamped = clock_.boottime - seconds(int64_t{11} * 3600);
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 4, stamped, nullptr).ok());
  // And one from today.
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, clock_.boottime - seconds(60), nullptr)
          .ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(aggregate_of("2024-03-14", kEventA), std::optional<uint32_t>(4));
  EXPECT_EQ(count_of("2024-03-14", kEventA), std::nullopt);
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(1));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(5));
  for (const auto& a : aggregates()) EXPECT_EQ(a.os_version, kOs);
}

TEST_F(RecorderTest, AggregateStampedInPreviousMonthRollsOverDayAndMonth) {
  clock_ = FakeClock(seconds(int64_t{20} * 3600), seconds(int64_t{20} * 3600),
                     utc_ns(2024, 3, 1, 5, 0, 0));
  auto rec = make();
  const int64_t stamped = clock_.boottime - seconds(int64_t{6} * 3600);  // 2024-02-29 23:00
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 7, stamped, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(aggregate_of("2024-02-29", kEventA), std::optional<uint32_t>(7));
  EXPECT_EQ(aggregate_of("2024-02", kEventA.monthly()), std::optional<uint32_t>(7));
  EXPECT_TRUE(counts().empty());
}

TEST_F(RecorderTest, AggregateDayFollowsTheTimeZone) {
  // 2024-03-15 02:00 UTC is still 2024-03-14 in UTC-5.
  set_time_zone("EST5");
  clock_ = FakeClock(seconds(3600), seconds(3600), utc_ns(2024, 3, 15, 2, 0, 0));
  auto rec = make();
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-14", kEventA), std::optional<int64_t>(1));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(1));
  // Local midnight is 05:00 UTC.
  EXPECT_EQ(rec->next_midnight_ns(), utc_ns(2024, 3, 15, 5, 0, 0));
  set_time_zone("UTC");
}

// ---- record_sequence -------------------------------------------------------------

TEST_F(RecorderTest, SequenceStoresEveryElementInOrder) {
  auto rec = make();
  const int64_t offset = rec->boot_anchor().offset_ns;
  GVariantPtr p1 = adopt_variant(g_variant_new_uint32(1));
  GVariantPtr p3 = adopt_variant(g_variant_new_string("three"));
  ASSERT_TRUE(rec->record_sequence(
                     kUser, 1000, id_of(kEventB),
                     {{seconds(10), p1.get()}, {seconds(11), nullptr}, {seconds(12), p3.get()}})
                  .ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].relative_ns, offset + seconds(10));
  EXPECT_EQ(rows[0].payload, serialized(p1.get()));
  EXPECT_EQ(rows[1].relative_ns, offset + seconds(11));
  EXPECT_TRUE(rows[1].payload.empty());
  EXPECT_EQ(rows[2].relative_ns, offset + seconds(12));
  EXPECT_EQ(rows[2].payload, serialized(p3.get()));
  for (const auto& r : rows) {
    EXPECT_EQ(r.event_id, kEventB);
    EXPECT_EQ(r.uid, 1000u);
  }
}

TEST_F(RecorderTest, SequenceTooLongStoresNothing) {
  auto o = options();
  o.settings.max_sequence_length = 2;
  auto rec = make(o);
  auto r =
      rec->record_sequence(kUser, 1000, id_of(kEventA),
                           {{seconds(1), nullptr}, {seconds(2), nullptr}, {seconds(3), nullptr}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kSequenceTooLong);
  EXPECT_EQ(refusals(*rec, ErrorCode::kSequenceTooLong), 1u);
  ASSERT_TRUE(rec->record_sequence(kUser, 1000, id_of(kEventA),
                                   {{seconds(1), nullptr}, {seconds(2), nullptr}})
                  .ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 2u);
}

TEST_F(RecorderTest, SequenceWithOneBadElementStoresNothing) {
  auto o = options();
  o.settings.max_payload_bytes = 64;
  auto rec = make(o);
  GVariantPtr ok = adopt_variant(g_variant_new_int32(1));
  GVariantPtr maybe = adopt_variant(g_variant_new_maybe(G_VARIANT_TYPE_INT32, nullptr));
  GVariantPtr big = adopt_variant(g_variant_new_string(std::string(500, 'y').c_str()));
  auto r = rec->record_sequence(
      kUser, 1000, id_of(kEventA),
      {{seconds(1), ok.get()}, {seconds(2), maybe.get()}, {seconds(3), ok.get()}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidPayload);
  auto r2 = rec->record_sequence(
      kUser, 1000, id_of(kEventA),
      {{seconds(1), ok.get()}, {seconds(2), ok.get()}, {seconds(3), big.get()}});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kPayloadTooLarge);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(singulars().empty());
  EXPECT_EQ(store_->total_bytes(), 0);
}

TEST_F(RecorderTest, SequenceThatDoesNotFitStoresNothing) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok());
  const int64_t one = store_->total_bytes();
  rec->set_max_bytes(static_cast<uint64_t>(3 * one));
  auto r =
      rec->record_sequence(kRoot, 0, id_of(kEventA),
                           {{seconds(1), nullptr}, {seconds(2), nullptr}, {seconds(3), nullptr}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueFull);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 1u);
  EXPECT_EQ(store_->total_bytes(), one);
}

TEST_F(RecorderTest, SequenceRateLimitCountsEveryElement) {
  auto o = options();
  o.settings.rate_limit_burst = 5;
  o.settings.rate_limit_per_second = 0.001;
  auto rec = make(o);
  std::vector<SequenceElement> six(6, SequenceElement{seconds(1), nullptr});
  auto r = rec->record_sequence(kUser, 1000, id_of(kEventA), six);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
  std::vector<SequenceElement> five(5, SequenceElement{seconds(1), nullptr});
  EXPECT_TRUE(rec->record_sequence(kUser, 1000, id_of(kEventA), five).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 5u);
}

// ---- timers ----------------------------------------------------------------------

TEST_F(RecorderTest, TimerAddsWholeSecondsToDayAndMonth) {
  auto rec = make();
  GVariantPtr payload = adopt_variant(g_variant_new_string("org.gnome.Software"));
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), payload.get());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_TRUE(rec->has_timer(*id));
  EXPECT_EQ(rec->timer_ids(), std::vector<uint64_t>{*id});
  clock_.advance(seconds(90) + 700'000'000);
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  EXPECT_FALSE(rec->has_timer(*id));
  EXPECT_EQ(rec->timer_count(), 0u);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(90));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(90));
  for (const auto& c : counts()) {
    EXPECT_EQ(c.uid, 1000u);
    EXPECT_EQ(c.payload, serialized(payload.get()));
  }
  // Stopping again: unknown timer.
  auto again = rec->stop_timer(kUser, *id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnknownTimer);
}

TEST_F(RecorderTest, TimerUsesMonotonicTimeNotWallOrBoottime) {
  auto rec = make();
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  // Suspended for an hour: boottime and wall clock move, monotonic does not.
  clock_.boottime += seconds(3600);
  clock_.realtime += seconds(3600);
  clock_.monotonic += seconds(5);
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(5));
}

TEST_F(RecorderTest, TimerShorterThanASecondStoresACountOfZero) {
  // As the original: the timer's day and month get a row of 0, which is uploaded.
  auto rec = make();
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(300'000'000);
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(0));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(0));
  // The next day the zero is queued like any count.
  clock_.advance(seconds(86400));
  ASSERT_TRUE(rec->roll_over_if_due().ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(aggregate_of("2024-03-15", kEventA), std::optional<uint32_t>(0));
}

TEST_F(RecorderTest, ZeroSecondTimersOfOneDayAddUpToOneRow) {
  auto rec = make();
  for (int i = 0; i < 3; ++i) {
    auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
    ASSERT_TRUE(id.ok());
    clock_.advance(400'000'000);
    ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  }
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(0));
  EXPECT_EQ(counts().size(), 2u);  // one daily, one monthly row
}

TEST_F(RecorderTest, ShortTimerClosedWithItsConnectionStoresACountOfZero) {
  auto rec = make();
  ASSERT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  clock_.advance(300'000'000);
  ASSERT_TRUE(rec->connection_closed(kUser.connection).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(0));
}

TEST_F(RecorderTest, OnlyOwnerConnectionOrRootMayStopATimer) {
  auto rec = make();
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(seconds(10));
  // Another user, and the same uid on another connection, are refused.
  const Caller same_uid_other_connection{":1.77", 1000};
  for (const Caller& c : {kOtherUser, same_uid_other_connection}) {
    auto r = rec->stop_timer(c, *id);
    ASSERT_FALSE(r.ok()) << c.connection;
    EXPECT_EQ(r.error().code, ErrorCode::kAccessDenied);
    EXPECT_TRUE(rec->has_timer(*id));
  }
  EXPECT_EQ(refusals(*rec, ErrorCode::kAccessDenied), 2u);
  ASSERT_TRUE(rec->stop_timer(kRootElsewhere, *id).ok());
  EXPECT_FALSE(rec->has_timer(*id));
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(10));
  EXPECT_EQ(rec->timer_count(), 0u);
}

TEST_F(RecorderTest, ConnectionClosedStopsOnlyThatConnectionsTimers) {
  auto rec = make();
  auto a1 = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  auto a2 = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  auto b1 = rec->start_timer(kOtherUser, 1001, id_of(kEventB), nullptr);
  ASSERT_TRUE(a1.ok() && a2.ok() && b1.ok());
  clock_.advance(seconds(30));
  ASSERT_TRUE(rec->connection_closed(kUser.connection).ok());
  EXPECT_FALSE(rec->has_timer(*a1));
  EXPECT_FALSE(rec->has_timer(*a2));
  EXPECT_TRUE(rec->has_timer(*b1));
  EXPECT_EQ(rec->timer_count(), 1u);
  ASSERT_TRUE(rec->connection_closed(":1.404").ok());  // unknown connection: no-op
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(60));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(60));
  EXPECT_EQ(count_of("2024-03-15", kEventB), std::nullopt);

  clock_.advance(seconds(5));
  ASSERT_TRUE(rec->stop_timer(kOtherUser, *b1).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEventB), std::optional<int64_t>(35));
}

TEST_F(RecorderTest, ConnectionClosedFreesItsPerConnectionSlots) {
  auto o = options();
  o.settings.max_timers_per_connection = 1;
  auto rec = make(o);
  ASSERT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  ASSERT_FALSE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  ASSERT_TRUE(rec->connection_closed(kUser.connection).ok());
  EXPECT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
}

TEST_F(RecorderTest, StopAllTimersCountsEveryTimer) {
  auto rec = make();
  ASSERT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  ASSERT_TRUE(rec->start_timer(kOtherUser, 1001, id_of(kEventA), nullptr).ok());
  clock_.advance(seconds(7));
  ASSERT_TRUE(rec->stop_all_timers().ok());
  EXPECT_EQ(rec->timer_count(), 0u);
  ASSERT_TRUE(rec->flush().ok());
  auto rows = store_->counts(1000u);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& c : *rows) EXPECT_EQ(c.count, 7);
  auto rows2 = store_->counts(1001u);
  ASSERT_TRUE(rows2.ok());
  ASSERT_EQ(rows2->size(), 2u);
  for (const auto& c : *rows2) EXPECT_EQ(c.count, 7);
}

TEST_F(RecorderTest, TooManyTimersPerConnectionAndTotal) {
  auto o = options();
  o.settings.max_timers_per_connection = 2;
  o.settings.max_timers_total = 3;
  o.settings.unprivileged_timers_percent = 100;  // this test is about the total
  auto rec = make(o);
  ASSERT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  ASSERT_TRUE(rec->start_timer(kUser, 1000, id_of(kEventA), nullptr).ok());
  auto r = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooManyTimers);
  ASSERT_TRUE(rec->start_timer(kOtherUser, 1001, id_of(kEventA), nullptr).ok());
  EXPECT_EQ(rec->timer_count(), 3u);
  const Caller third{":1.50", 1002};
  auto r2 = rec->start_timer(third, 1002, id_of(kEventA), nullptr);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kTooManyTimers);
  EXPECT_EQ(rec->timer_count(), 3u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kTooManyTimers), 2u);
  // Root is limited too: the total bounds memory.
  auto r3 = rec->start_timer(kRootElsewhere, 0, id_of(kEventA), nullptr);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kTooManyTimers);
  // Stopping one frees a slot.
  ASSERT_TRUE(rec->stop_timer(kRoot, rec->timer_ids().front()).ok());
  EXPECT_TRUE(rec->start_timer(third, 1002, id_of(kEventA), nullptr).ok());
}

TEST_F(RecorderTest, TimerIdsAreNeverReusedAcrossRestarts) {
  std::vector<uint64_t> first_ids;
  {
    auto rec = make();
    for (int i = 0; i < 3; ++i) {
      auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
      ASSERT_TRUE(id.ok());
      first_ids.push_back(*id);
    }
    ASSERT_TRUE(rec->stop_timer(kUser, first_ids.back()).ok());
    ASSERT_TRUE(rec->flush().ok());
  }
  EXPECT_LT(first_ids[0], first_ids[1]);
  EXPECT_LT(first_ids[1], first_ids[2]);
  const uint64_t highest = first_ids.back();
  {
    // A new recorder on the same store.
    auto rec = make();
    auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
    ASSERT_TRUE(id.ok());
    EXPECT_GT(*id, highest);
    first_ids.push_back(*id);
    ASSERT_TRUE(rec->flush().ok());
  }
  // The store closed and reopened, as after a daemon restart.
  store_.reset();
  open_store();
  auto rec = make();
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  EXPECT_GT(*id, first_ids.back());
}

TEST_F(RecorderTest, StartTimerWhileRecordingOffIsMetricsDisabled) {
  auto rec = make();
  rec->set_recording(false);
  auto r = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMetricsDisabled);
  EXPECT_EQ(rec->timer_count(), 0u);
}

TEST_F(RecorderTest, RollOverAtMidnightSplitsRunningTimerBetweenDaysAndMonths) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 1, 31, 23, 59, 0));
  auto rec = make();
  EXPECT_EQ(rec->next_midnight_ns(), utc_ns(2024, 2, 1));
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(seconds(60));  // exactly midnight
  ASSERT_TRUE(rec->roll_over_if_due().ok());
  EXPECT_EQ(rec->next_midnight_ns(), utc_ns(2024, 2, 2));
  EXPECT_TRUE(rec->has_timer(*id));
  clock_.advance(seconds(30));
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  ASSERT_TRUE(rec->flush().ok());
  // The minute before midnight belongs to the old day and the old month, now queued.
  EXPECT_EQ(aggregate_of("2024-01-31", kEventA), std::optional<uint32_t>(60));
  EXPECT_EQ(aggregate_of("2024-01", kEventA.monthly()), std::optional<uint32_t>(60));
  // The rest to the new day and month, still counting.
  EXPECT_EQ(count_of("2024-02-01", kEventA), std::optional<int64_t>(30));
  EXPECT_EQ(count_of("2024-02", kEventA.monthly()), std::optional<int64_t>(30));
  EXPECT_EQ(count_of("2024-01-31", kEventA), std::nullopt);
}

TEST_F(RecorderTest, LateRollOverStillCountsOnlyTimeBeforeMidnightForTheOldDay) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 1, 31, 23, 59, 0));
  auto rec = make();
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  // The midnight wake-up comes 10 s late (a busy main loop, a stop call before the timer).
  clock_.advance(seconds(70));
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(aggregate_of("2024-01-31", kEventA), std::optional<uint32_t>(60));
  EXPECT_EQ(aggregate_of("2024-01", kEventA.monthly()), std::optional<uint32_t>(60));
  EXPECT_EQ(count_of("2024-02-01", kEventA), std::optional<int64_t>(10));
  EXPECT_EQ(count_of("2024-02", kEventA.monthly()), std::optional<int64_t>(10));
}

TEST_F(RecorderTest, TimerStartedAfterAnUnnoticedMidnightCountsForTheNewDay) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 3, 14, 23, 0, 0));
  auto rec = make();
  // No call and no midnight wake-up between 23:00 and 01:00.
  clock_.advance(seconds(int64_t{2} * 3600));
  auto id = rec->start_timer(kUser, 1000, id_of(kEventA), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(seconds(10));
  ASSERT_TRUE(rec->stop_timer(kUser, *id).ok());
  ASSERT_TRUE(rec->flush().ok());
  // The timer ran only on 2024-03-15.
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(10));
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(10));
  EXPECT_EQ(aggregate_of("2024-03-14", kEventA), std::nullopt);
}

TEST_F(RecorderTest, RollOverIfDueBeforeMidnightDoesNothing) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 3, 14, 23, 0, 0));
  auto rec = make();
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 2, clock_.boottime, nullptr).ok());
  auto id = rec->start_timer(kUser, 1000, id_of(kEventB), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(seconds(3599));  // 23:59:59
  ASSERT_TRUE(rec->roll_over_if_due().ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(aggregates().empty());
  EXPECT_EQ(count_of("2024-03-14", kEventA), std::optional<int64_t>(2));
  EXPECT_EQ(count_of("2024-03-14", kEventB), std::nullopt);  // the timer still runs
  EXPECT_EQ(rec->next_midnight_ns(), utc_ns(2024, 3, 15));
}

TEST_F(RecorderTest, StartAfterRestartAcrossMidnightRollsTheOldDayOver) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 3, 14, 22, 0, 0));
  {
    auto rec = make();
    ASSERT_TRUE(
        rec->record_aggregate(kUser, 1000, id_of(kEventA), 6, clock_.boottime, nullptr).ok());
    ASSERT_TRUE(rec->flush().ok());
  }
  store_.reset();
  open_store();
  // Down over midnight; the same boot continues next morning.
  clock_.advance(seconds(int64_t{10} * 3600));
  auto rec = make();
  EXPECT_FALSE(store_->in_transaction());  // start() committed its work
  EXPECT_EQ(aggregate_of("2024-03-14", kEventA), std::optional<uint32_t>(6));
  EXPECT_EQ(count_of("2024-03-14", kEventA), std::nullopt);
  EXPECT_EQ(count_of("2024-03", kEventA.monthly()), std::optional<int64_t>(6));
  EXPECT_EQ(rec->next_midnight_ns(), utc_ns(2024, 3, 16));
}

TEST_F(RecorderTest, PurgeDropsTimersAndData) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_aggregate(kUser, 1000, id_of(kEventA), 1, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventB), seconds(2), nullptr).ok());
  auto id = rec->start_timer(kUser, 1000, id_of(kEventB), nullptr);
  ASSERT_TRUE(id.ok());
  clock_.advance(seconds(100));
  ASSERT_TRUE(rec->purge().ok());
  EXPECT_EQ(rec->timer_count(), 0u);
  EXPECT_FALSE(rec->has_timer(*id));
  ASSERT_TRUE(rec->stop_all_timers().ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_TRUE(singulars().empty());
  EXPECT_TRUE(counts().empty());
  EXPECT_TRUE(aggregates().empty());
  EXPECT_EQ(store_->total_bytes(), 0);
  EXPECT_EQ(store_->bytes_of_uid(1000), 0);
  // The stopped-by-purge timer cannot be stopped later.
  auto r = rec->stop_timer(kUser, *id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnknownTimer);
  // A new timer gets a fresh id.
  auto id2 = rec->start_timer(kUser, 1000, id_of(kEventB), nullptr);
  ASSERT_TRUE(id2.ok());
  EXPECT_GT(*id2, *id);
}

// ---- the queue bound holds for every way data enters the queue -------------------

TEST_F(RecorderTest, TimersDoNotGrowTheQueueBeyondMaxBytes) {
  auto rec = make();
  ASSERT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  const int64_t max = store_->total_bytes();
  rec->set_max_bytes(static_cast<uint64_t>(max));  // the queue is exactly full
  auto id = rec->start_timer(kUser, 1000, id_of(kEventB), nullptr);
  if (id.ok()) {
    clock_.advance(seconds(10));
    (void)rec->stop_timer(kUser, *id);
  } else {
    EXPECT_EQ(id.error().code, ErrorCode::kQueueFull);
  }
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_LE(store_->total_bytes(), max);
  EXPECT_LE(store_->bytes_of_uid(1000), max * 50 / 100);
}

TEST_F(RecorderTest, RollOverDoesNotGrowTheQueueBeyondMaxBytes) {
  clock_ = FakeClock(seconds(5000), seconds(4000), utc_ns(2024, 3, 14, 23, 0, 0));
  auto rec = make();
  ASSERT_TRUE(rec->record_aggregate(kRoot, 0, id_of(kEventA), 3, clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  const int64_t max = store_->total_bytes();
  rec->set_max_bytes(static_cast<uint64_t>(max));  // accepted, and exactly at the bound
  clock_.advance(seconds(3600));
  ASSERT_TRUE(rec->roll_over_if_due().ok());
  ASSERT_TRUE(rec->flush().ok());
  ASSERT_EQ(aggregate_of("2024-03-14", kEventA), std::optional<uint32_t>(3));
  EXPECT_LE(store_->total_bytes(), max);
}

// ---- boot anchor through the recorder ----------------------------------------------

TEST_F(RecorderTest, SameBootKeepsTheAnchorAcrossRecorders) {
  BootAnchor first;
  {
    auto rec = make();
    first = rec->boot_anchor();
    EXPECT_EQ(first.offset_ns, 0);
  }
  clock_.advance(seconds(600));
  auto rec = make();
  EXPECT_EQ(rec->boot_anchor().boot_id, first.boot_id);
  EXPECT_EQ(rec->boot_anchor().offset_ns, first.offset_ns);
  EXPECT_EQ(rec->boot_anchor().boot_ns, first.boot_ns);
  EXPECT_EQ(rec->boot_anchor().wall_ns, first.wall_ns);
}

TEST_F(RecorderTest, NewBootContinuesTheTimeLine) {
  int64_t old_line = 0;
  {
    auto rec = make();
    clock_.advance(seconds(100));
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), clock_.boottime, nullptr).ok());
    ASSERT_TRUE(rec->flush().ok());
    old_line = singulars().back().relative_ns;
  }
  // Reboot: boottime restarts, an hour of wall time has passed.
  clock_ = FakeClock(seconds(20), seconds(15), clock_.realtime + seconds(3600));
  auto o = options();
  o.boot_id = "boot-2";
  auto rec = make(o);
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].relative_ns - old_line, seconds(3600));
}

TEST_F(RecorderTest, NewBootWithWallClockSetBackKeepsTheTimeLineMonotonic) {
  int64_t old_line = 0;
  {
    auto rec = make();  // anchored at boottime 1000 s, offset 0
    clock_.advance(seconds(3600));
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), clock_.boottime, nullptr).ok());
    ASSERT_TRUE(rec->flush().ok());
    old_line = singulars().back().relative_ns;
  }
  // Reboot; the wall clock now reads a day earlier than at the previous anchor.
  clock_ = FakeClock(seconds(20), seconds(15), clock_.realtime - seconds(86400));
  auto o = options();
  o.boot_id = "boot-2";
  auto rec = make(o);
  ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), clock_.boottime, nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 2u);
  // An event recorded after the reboot must not be placed before one recorded before it.
  EXPECT_GT(rows[1].relative_ns, old_line);
}

TEST_F(RecorderTest, FlushMakesRecordsDurable) {
  {
    auto rec = make();
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventA), seconds(1), nullptr).ok());
    ASSERT_TRUE(
        rec->record_aggregate(kUser, 1000, id_of(kEventA), 2, clock_.boottime, nullptr).ok());
    ASSERT_TRUE(rec->flush().ok());
    ASSERT_TRUE(rec->record_singular(kUser, 1000, id_of(kEventB), seconds(2), nullptr).ok());
    // Not flushed: lost with the process.
  }
  store_.reset();
  open_store();
  auto rows = singulars();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_id, kEventA);
  EXPECT_EQ(count_of("2024-03-15", kEventA), std::optional<int64_t>(2));
}

// ---- the metric registry -----------------------------------------------------------

// The fixture registry (tests/fixtures/registry/valid): "free memory" is singular with a
// `u` payload, "search provider used" an aggregate of `s`, "terminal running" a timer.
const Uuid kFreeMemory = Uuid::parse("804c992a-4c53-4024-9f00-e48c4c387e03").value();
const Uuid kSearchProvider = Uuid::parse("6e1add98-8b00-45d9-9a77-7d2c8d63c963").value();
const Uuid kTerminal = Uuid::parse("e12eeca7-7b56-4cdc-9c83-8359c1ac052c").value();

class RecorderRegistryTest : public RecorderTest {
 protected:
  std::unique_ptr<Recorder> make_with(registry::Mode mode, const char* fixture = "valid") {
    auto rec = make();
    rec->registry_gate().install(
        registry::Registry::load(fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / fixture), mode);
    rec->registry_gate().on_notice = [this](const registry::GateNotice& n) {
      notices_.push_back(n);
    };
    return rec;
  }
  size_t stored_rows() { return singulars().size() + counts().size() + aggregates().size(); }

  GVariantPtr u32_ = adopt_variant(g_variant_new_uint32(512));
  GVariantPtr str_ = adopt_variant(g_variant_new_string("org.gnome.Calculator"));
  std::vector<registry::GateNotice> notices_;
};

TEST_F(RecorderRegistryTest, EnforceStoresWhatTheRegistryAllows) {
  auto rec = make_with(registry::Mode::Enforce);
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kFreeMemory), seconds(1), u32_.get()).ok());
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 0, id_of(kSearchProvider), 2, clock_.boottime, str_.get()).ok());
  ASSERT_TRUE(rec->record_sequence(kUser, 0, id_of(kFreeMemory),
                                   {{seconds(1), u32_.get()}, {seconds(2), u32_.get()}})
                  .ok());
  auto timer = rec->start_timer(kUser, 0, id_of(kTerminal), nullptr);
  ASSERT_TRUE(timer.ok()) << timer.error().message;
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 3u);
  EXPECT_EQ(count_of("2024-03-15", kSearchProvider), std::optional<int64_t>(2));
  EXPECT_TRUE(rec->refusals().empty());
  EXPECT_TRUE(notices_.empty());
}

TEST_F(RecorderRegistryTest, EnforceRefusesAndNeverStores) {
  auto rec = make_with(registry::Mode::Enforce);
  const Uuid unknown = kEventA;
  struct Refused {
    Result<void> result;
    ErrorCode code;
  };
  const Refused cases[] = {
      {rec->record_singular(kUser, 0, id_of(unknown), seconds(1), nullptr),
       ErrorCode::kUnknownEvent},
      {rec->record_aggregate(kUser, 0, id_of(unknown), 1, seconds(1), nullptr),
       ErrorCode::kUnknownEvent},
      {rec->record_singular(kUser, 0, id_of(kFreeMemory), seconds(1), str_.get()),
       ErrorCode::kWrongPayloadType},
      {rec->record_aggregate(kUser, 0, id_of(kSearchProvider), 1, seconds(1), nullptr),
       ErrorCode::kWrongPayloadType},
      {rec->record_singular(kUser, 0, id_of(kTerminal), seconds(1), nullptr),
       ErrorCode::kWrongEventKind},
      {rec->record_aggregate(kUser, 0, id_of(kSearchProvider.monthly()), 1, seconds(1), str_.get()),
       ErrorCode::kWrongEventKind},
  };
  for (const Refused& c : cases) {
    ASSERT_FALSE(c.result.ok()) << c.code;
    EXPECT_EQ(c.result.error().code, c.code);
  }
  auto timer = rec->start_timer(kUser, 0, id_of(unknown), nullptr);
  ASSERT_FALSE(timer.ok());
  EXPECT_EQ(timer.error().code, ErrorCode::kUnknownEvent);
  EXPECT_EQ(rec->timer_count(), 0u);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(stored_rows(), 0u);
  EXPECT_EQ(store_->total_bytes(), 0);
  EXPECT_EQ(refusals(*rec, ErrorCode::kUnknownEvent), 3u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kWrongPayloadType), 2u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kWrongEventKind), 2u);
  ASSERT_EQ(notices_.size(), 7u);
  EXPECT_FALSE(notices_[0].stored);
  // The journal keeps the event's UUID, never the caller's uid.
  EXPECT_TRUE(notices_[0].message.starts_with("refused an event of an unprivileged caller: event " +
                                              unknown.to_string()))
      << notices_[0].message;
  for (const auto& n : notices_) EXPECT_EQ(n.message.find("1000"), std::string::npos) << n.message;
}

TEST_F(RecorderRegistryTest, JournalLinesNameTheCallersRoleNeverItsUid) {
  auto rec = make_with(registry::Mode::Permissive);
  const Uuid unknown = Uuid::parse("0b9d5e8c-9c3a-4d0e-8f47-1f6f4cf0a111").value();
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(unknown), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kService, 4242, id_of(unknown), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kRoot, 4242, id_of(unknown), seconds(1), nullptr).ok());
  ASSERT_EQ(notices_.size(), 3u);
  EXPECT_NE(notices_[0].message.find("of an unprivileged caller"), std::string::npos);
  EXPECT_NE(notices_[1].message.find("of the service user"), std::string::npos);
  EXPECT_NE(notices_[2].message.find("of root"), std::string::npos);
  for (const auto& n : notices_) {
    EXPECT_NE(n.message.find(unknown.to_string()), std::string::npos) << n.message;
    for (const char* uid : {"1000", "999", "4242"})
      EXPECT_EQ(n.message.find(uid), std::string::npos) << n.message;
  }
}

TEST_F(RecorderRegistryTest, ASequenceWithOneBadElementIsRefusedWhole) {
  auto rec = make_with(registry::Mode::Enforce);
  auto r = rec->record_sequence(kUser, 0, id_of(kFreeMemory),
                                {{seconds(1), u32_.get()}, {seconds(2), str_.get()}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kWrongPayloadType);
  EXPECT_TRUE(r.error().message.starts_with("element 2 of the sequence: "));
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(stored_rows(), 0u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kWrongPayloadType), 1u);
}

TEST_F(RecorderRegistryTest, PermissiveStoresCountsAndWarns) {
  auto rec = make_with(registry::Mode::Permissive);
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr).ok());
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kFreeMemory), seconds(1), str_.get()).ok());
  ASSERT_TRUE(
      rec->record_sequence(kUser, 0, id_of(kEventA), {{seconds(1), nullptr}, {seconds(2), nullptr}})
          .ok());
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 0, id_of(kFreeMemory), 3, clock_.boottime, u32_.get()).ok());
  ASSERT_TRUE(rec->start_timer(kUser, 0, id_of(kEventB), nullptr).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 4u);
  EXPECT_EQ(count_of("2024-03-15", kFreeMemory), std::optional<int64_t>(3));
  EXPECT_TRUE(rec->refusals().empty());
  EXPECT_EQ(rec->registry_gate().stored_anyway_counts(),
            (std::map<ErrorCode, uint64_t>{{ErrorCode::kUnknownEvent, 4},
                                           {ErrorCode::kWrongPayloadType, 1},
                                           {ErrorCode::kWrongEventKind, 1}}));
  ASSERT_EQ(notices_.size(), 6u);
  for (const auto& n : notices_) EXPECT_TRUE(n.stored) << n.message;
}

// tests/fixtures/registry/allowed: "editor running" is a timer of `s` that allows three
// desktop IDs, "container images" a singular `a(ssu)` whose first member allows three.
const Uuid kEditor = Uuid::parse("c3a4f3d2-7a51-4d0c-9b1e-5f0e2d9a6b10").value();
const Uuid kImages = Uuid::parse("8d1f6e2a-3b4c-4e5f-a6b7-c8d9e0f1a2b3").value();

TEST_F(RecorderRegistryTest, EnforceRefusesAValueOutsideItsListForEveryCall) {
  auto rec = make_with(registry::Mode::Enforce, "allowed");
  const GVariantPtr listed = adopt_variant(g_variant_new_string("code"));
  const GVariantPtr other = adopt_variant(g_variant_new_string("org.example.Other"));
  GVariantPtr images(g_variant_parse(G_VARIANT_TYPE("a(ssu)"), "[('fedora', '41', 1)]", nullptr,
                                     nullptr, nullptr));
  GVariantPtr bad_images(g_variant_parse(G_VARIANT_TYPE("a(ssu)"),
                                         "[('fedora', '41', 1), ('my own text', '1', 1)]", nullptr,
                                         nullptr, nullptr));
  const Result<void> refused[] = {
      rec->record_aggregate(kUser, 0, id_of(kEditor), 5, clock_.boottime, other.get()),
      rec->record_singular(kUser, 0, id_of(kImages), seconds(1), bad_images.get()),
      rec->record_sequence(kUser, 0, id_of(kImages),
                           {{seconds(1), images.get()}, {seconds(2), bad_images.get()}}),
  };
  for (const auto& r : refused) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kWrongPayloadValue);
    EXPECT_EQ(r.error().message.find("my own text"), std::string::npos) << r.error().message;
  }
  auto timer = rec->start_timer(kUser, 0, id_of(kEditor), other.get());
  ASSERT_FALSE(timer.ok());
  EXPECT_EQ(timer.error().code, ErrorCode::kWrongPayloadValue);
  EXPECT_EQ(rec->timer_count(), 0u);
  // Root is held to the list like everyone else.
  auto by_root = rec->record_aggregate(kRoot, 0, id_of(kEditor), 5, clock_.boottime, other.get());
  ASSERT_FALSE(by_root.ok());
  EXPECT_EQ(by_root.error().code, ErrorCode::kWrongPayloadValue);
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(stored_rows(), 0u);
  EXPECT_EQ(refusals(*rec, ErrorCode::kWrongPayloadValue), 5u);
  ASSERT_EQ(notices_.size(), 5u);
  for (const auto& n : notices_) {
    EXPECT_FALSE(n.stored);
    EXPECT_EQ(n.message.find("org.example.Other"), std::string::npos) << n.message;
  }

  // What the lists allow is stored.
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 0, id_of(kEditor), 5, clock_.boottime, listed.get()).ok());
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kImages), seconds(1), images.get()).ok());
  ASSERT_TRUE(rec->start_timer(kUser, 0, id_of(kEditor), listed.get()).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(singulars().size(), 1u);
  EXPECT_EQ(count_of("2024-03-15", kEditor), std::optional<int64_t>(5));
  EXPECT_EQ(refusals(*rec, ErrorCode::kWrongPayloadValue), 5u);
}

TEST_F(RecorderRegistryTest, PermissiveStoresAValueOutsideItsListAndCountsIt) {
  auto rec = make_with(registry::Mode::Permissive, "allowed");
  const GVariantPtr other = adopt_variant(g_variant_new_string("org.example.Other"));
  ASSERT_TRUE(
      rec->record_aggregate(kUser, 0, id_of(kEditor), 4, clock_.boottime, other.get()).ok());
  ASSERT_TRUE(rec->start_timer(kUser, 0, id_of(kEditor), other.get()).ok());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(count_of("2024-03-15", kEditor), std::optional<int64_t>(4));
  EXPECT_EQ(rec->timer_count(), 1u);
  EXPECT_TRUE(rec->refusals().empty());
  EXPECT_EQ(rec->registry_gate().stored_anyway_counts(),
            (std::map<ErrorCode, uint64_t>{{ErrorCode::kWrongPayloadValue, 2}}));
  ASSERT_EQ(notices_.size(), 2u);
  EXPECT_TRUE(notices_[0].stored);
  EXPECT_NE(notices_[0].message.find("(WrongPayloadValue)"), std::string::npos)
      << notices_[0].message;
}

TEST_F(RecorderRegistryTest, PermissiveDoesNotCountWhatAnotherLimitRefused) {
  RecorderOptions o = options();
  o.max_bytes = 10;  // nothing fits
  auto rec = make(o);
  rec->registry_gate().install(registry::Registry(), registry::Mode::Permissive);
  auto r = rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueFull);
  EXPECT_TRUE(rec->registry_gate().stored_anyway_counts().empty());
}

TEST_F(RecorderRegistryTest, WhileRecordingIsOffTheRegistryIsNotConsulted) {
  auto rec = make_with(registry::Mode::Enforce);
  rec->set_recording(false);
  // As in the original: the call succeeds and nothing is kept.
  EXPECT_TRUE(rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr).ok());
  EXPECT_TRUE(rec->refusals().empty());
  ASSERT_TRUE(rec->flush().ok());
  EXPECT_EQ(stored_rows(), 0u);
}

// ---- no local user can starve the others ------------------------------------------------

class FairShareTest : public RecorderTest {
 protected:
  // A queue of `events` one-event units, with the default share (25 %) and pool (75 %).
  std::unique_ptr<Recorder> make_sized(int events) {
    auto o = options();
    o.settings.rate_limit_burst = 100000;
    auto rec = make(o);
    EXPECT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventB), seconds(1), nullptr).ok());
    one_ = store_->bytes_of_uid(0);
    EXPECT_TRUE(rec->flush().ok());
    rec->set_max_bytes(static_cast<uint64_t>(events) * static_cast<uint64_t>(one_));
    return rec;
  }
  // Records as `who` until refused; returns how many were stored and the refusal.
  std::pair<int, std::optional<ErrorCode>> flood(Recorder& rec, const Caller& who,
                                                 int at_most = 1000) {
    for (int i = 0; i < at_most; ++i) {
      auto r = rec.record_singular(who, 0, id_of(kEventA), seconds(1), nullptr);
      if (!r) return {i, r.error().code};
    }
    return {at_most, std::nullopt};
  }
  int64_t one_ = 0;
};

TEST_F(FairShareTest, TwoFloodingUidsLeaveRoomForAThirdAndForRootAndTheService) {
  auto rec = make_sized(100);  // share 25 events, unprivileged pool 75 (root holds 1)
  EXPECT_EQ(flood(*rec, kUser),
            std::make_pair(25, std::optional<ErrorCode>(ErrorCode::kUserQuotaExceeded)));
  const Caller user_again{":1.20", 1000};  // another connection: the same uid's share
  EXPECT_EQ(flood(*rec, user_again),
            std::make_pair(0, std::optional<ErrorCode>(ErrorCode::kUserQuotaExceeded)));
  EXPECT_EQ(flood(*rec, kOtherUser),
            std::make_pair(25, std::optional<ErrorCode>(ErrorCode::kUserQuotaExceeded)));
  // The guarantee: two uids at their share, a third uid's events are stored...
  const Caller third{":1.30", 1002};
  EXPECT_TRUE(rec->record_singular(third, 0, id_of(kEventA), seconds(1), nullptr).ok());
  // ... and root and the service user record on.
  EXPECT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok());
  EXPECT_TRUE(rec->record_singular(kService, 1000, id_of(kEventA), seconds(1), nullptr).ok());
  // The pool: once a third uid fills its share too, unprivileged callers have used 75 of
  // 100 (the service's event for uid 1000 counts under uid 1000) and a fourth is refused,
  // while root still has the rest.
  auto third_flood = flood(*rec, third);
  EXPECT_EQ(third_flood.second, ErrorCode::kQueueFull);
  EXPECT_EQ(rec->unprivileged_bytes(), 75 * one_);
  const Caller fourth{":1.40", 1003};
  EXPECT_EQ(flood(*rec, fourth),
            std::make_pair(0, std::optional<ErrorCode>(ErrorCode::kQueueFull)));
  EXPECT_EQ(flood(*rec, kRoot).first, 100 - 75 - 2);
  EXPECT_EQ(store_->total_bytes(), 100 * one_);
}

TEST_F(FairShareTest, OneUidCannotFillThePoolEvenWithAWholeShare) {
  auto o = options();
  o.settings.max_queue_share_percent = 100;
  o.settings.unprivileged_queue_percent = 60;
  o.settings.rate_limit_burst = 100000;
  auto rec = make(o);
  ASSERT_TRUE(rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr).ok());
  const int64_t one = store_->bytes_of_uid(1000);
  rec->set_max_bytes(static_cast<uint64_t>(10 * one));
  EXPECT_EQ(flood(*rec, kUser), std::make_pair(5, std::optional<ErrorCode>(ErrorCode::kQueueFull)));
  EXPECT_EQ(flood(*rec, kRoot), std::make_pair(4, std::optional<ErrorCode>(ErrorCode::kQueueFull)));
}

TEST_F(FairShareTest, LimitArithmeticNeverOverflows) {
  EXPECT_EQ(percent_of(UINT64_MAX, 100), UINT64_MAX);
  EXPECT_EQ(percent_of(UINT64_MAX, 25), UINT64_MAX / 4);
  EXPECT_EQ(percent_of(1'000'000'000'000'000'000ULL, 25), 250'000'000'000'000'000ULL);
  EXPECT_EQ(percent_of(199, 50), 99u);
  EXPECT_EQ(percent_of(3, 75), 2u);
  EXPECT_TRUE(fits_within(INT64_MAX, INT64_MAX, UINT64_MAX));
  EXPECT_FALSE(fits_within(1, INT64_MAX, static_cast<uint64_t>(INT64_MAX)));
  EXPECT_TRUE(fits_within(0, 10, 10));
  EXPECT_FALSE(fits_within(1, 10, 10));

  // cache-size.conf maximum=1e18 or 2^64-1: an unprivileged uid's first event is stored.
  for (uint64_t max : std::vector<uint64_t>{1'000'000'000'000'000'000ULL,
                                            static_cast<uint64_t>(INT64_MAX) + 1, UINT64_MAX}) {
    auto o = options();
    o.max_bytes = max;
    auto rec = make(o);
    EXPECT_TRUE(rec->record_singular(kUser, 0, id_of(kEventA), seconds(1), nullptr).ok()) << max;
    EXPECT_TRUE(rec->record_aggregate(kUser, 0, id_of(kEventA), 1, clock_.boottime, nullptr).ok())
        << max;
    auto timer = rec->start_timer(kUser, 0, id_of(kEventA), nullptr);
    ASSERT_TRUE(timer.ok()) << max;
    clock_.advance(seconds(2));
    EXPECT_TRUE(rec->stop_timer(kUser, *timer).ok()) << max;
    EXPECT_TRUE(rec->record_singular(kRoot, 0, id_of(kEventA), seconds(1), nullptr).ok()) << max;
    ASSERT_TRUE(rec->purge().ok());
  }
}

TEST_F(FairShareTest, TimersArePerUidAcrossConnectionsAndPooled) {
  auto o = options();
  o.settings.max_timers_per_connection = 2;
  o.settings.max_timers_per_uid = 3;
  o.settings.max_timers_total = 12;  // unprivileged pool: 9
  auto rec = make(o);
  auto start = [&](const Caller& c) { return rec->start_timer(c, 0, id_of(kEventA), nullptr); };
  // One uid, many connections: three timers in all, not two per connection.
  int started = 0;
  std::optional<ErrorCode> refusal;
  for (int c = 0; c < 10; ++c) {
    const Caller conn{":1.10" + std::to_string(c), 1000};
    for (int i = 0; i < 2; ++i) {
      auto t = start(conn);
      if (t)
        ++started;
      else
        refusal = t.error().code;
    }
  }
  EXPECT_EQ(started, 3);
  EXPECT_EQ(refusal, ErrorCode::kTooManyTimers);
  for (int c = 0; c < 10; ++c) (void)start(Caller{":1.20" + std::to_string(c), 1001});
  EXPECT_EQ(rec->unprivileged_timer_count(), 6u);
  // Two uids flooding: a third uid, root and the service user still get timers.
  EXPECT_TRUE(start(Caller{":1.30", 1002}).ok());
  EXPECT_TRUE(start(kRoot).ok());
  EXPECT_TRUE(start(kService).ok());
  // The pool: a third uid at its limit fills it; a fourth uid is refused, root is not.
  EXPECT_TRUE(start(Caller{":1.31", 1002}).ok());
  EXPECT_TRUE(start(Caller{":1.32", 1002}).ok());
  auto fourth = start(Caller{":1.40", 1003});
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.error().code, ErrorCode::kTooManyTimers);
  EXPECT_TRUE(start(kRootElsewhere).ok());
  EXPECT_EQ(rec->timer_count(), 12u);
}

TEST_F(FairShareTest, PerCallerBookkeepingIsFreedWhenCallersLeave) {
  auto o = options();
  o.settings.rate_limit_burst = 5;
  o.settings.rate_limit_per_second = 10;
  auto rec = make(o);
  std::vector<Caller> callers;
  for (uint32_t uid = 2000; uid < 2100; ++uid)
    callers.push_back(Caller{":1." + std::to_string(uid), uid});
  for (const Caller& c : callers) {
    for (int i = 0; i < 8; ++i)  // past the burst: refused and counted
      (void)rec->record_singular(c, 0, id_of(kEventA), seconds(1), nullptr);
    ASSERT_TRUE(rec->start_timer(c, 0, id_of(kEventA), nullptr).ok());
    (void)rec->admit_listing(c, 1000);
  }
  EXPECT_EQ(rec->timer_connection_count(), 100u);
  EXPECT_EQ(rec->timer_uid_count(), 100u);
  EXPECT_GT(rec->rate_limiter_size(), 0u);
  clock_.advance(seconds(10));  // every bucket has refilled
  for (const Caller& c : callers) ASSERT_TRUE(rec->connection_closed(c.connection).ok());
  EXPECT_EQ(rec->timer_count(), 0u);
  EXPECT_EQ(rec->timer_connection_count(), 0u);
  EXPECT_EQ(rec->timer_uid_count(), 0u);
  EXPECT_EQ(rec->unprivileged_timer_count(), 0u);
  EXPECT_EQ(rec->rate_limiter_size(), 0u);
  // Refusal counters per uid are bounded.
  for (uint32_t uid = 5000; uid < 6000; ++uid)
    (void)rec->record_singular(Caller{":1.x", uid}, 0, id_of(kEventA).first(3), 0, nullptr);
  EXPECT_EQ(rec->refusal_uid_count(), Recorder::kMaxRefusalUids);
}

TEST_F(FairShareTest, UnprivilegedCallersSeeTheirOwnRefusalsOnly) {
  auto rec = make();
  const auto bad_id = id_of(kEventA).first(3);
  (void)rec->record_singular(kUser, 0, bad_id, 0, nullptr);
  (void)rec->record_singular(kUser, 0, bad_id, 0, nullptr);
  (void)rec->record_singular(kRoot, 0, bad_id, 0, nullptr);
  EXPECT_EQ(rec->refusals_of(1000),
            (std::map<ErrorCode, uint64_t>{{ErrorCode::kInvalidEventId, 2}}));
  EXPECT_TRUE(rec->refusals_of(1001).empty());
  EXPECT_EQ(refusals(*rec, ErrorCode::kInvalidEventId), 3u);
}

TEST_F(FairShareTest, ListingsOfAnUnprivilegedCallerAreRateLimited) {
  auto rec = make();
  const auto burst = static_cast<uint64_t>(Recorder::kListingBurstRows);
  auto first = rec->admit_listing(kUser, 100000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, burst - Recorder::kListingCallCost);  // capped by the bucket
  rec->listing_done(kUser, *first, 0);                    // nothing listed: the rows come back
  auto second = rec->admit_listing(kUser, 100000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, burst - 2 * Recorder::kListingCallCost);
  rec->listing_done(kUser, *second, *second);
  auto third = rec->admit_listing(kUser, 0);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(rec->refusals_of(1000).at(ErrorCode::kRateLimited), 1u);
  // Another uid, root and the service user are not affected.
  EXPECT_TRUE(rec->admit_listing(kOtherUser, 10).ok());
  EXPECT_EQ(rec->admit_listing(kRoot, 100000).value(), 100000u);
  EXPECT_EQ(rec->admit_listing(kService, 100000).value(), 100000u);
  // A second later 50 empty listings' worth of tokens are back.
  clock_.advance(seconds(1));
  auto later = rec->admit_listing(kUser, 0);
  EXPECT_TRUE(later.ok());
}

TEST_F(FairShareTest, ARefusedListingIsHeldUntilTheBucketAdmitsACall) {
  auto rec = make();
  EXPECT_EQ(rec->listing_hold_ns(kUser), 0);  // nothing owed: nothing to wait for
  auto all = rec->admit_listing(kUser, 100000);
  ASSERT_TRUE(all.ok());
  rec->listing_done(kUser, *all, *all);  // the whole bucket listed
  ASSERT_FALSE(rec->admit_listing(kUser, 0).ok());
  // One call's cost at kListingRowsPerSecond: 20 ms.
  const auto call_ns = static_cast<int64_t>(static_cast<double>(Recorder::kListingCallCost) /
                                            Recorder::kListingRowsPerSecond * 1e9);
  EXPECT_EQ(rec->listing_hold_ns(kUser), call_ns);
  clock_.advance(call_ns);
  EXPECT_EQ(rec->listing_hold_ns(kUser), 0);
  EXPECT_TRUE(rec->admit_listing(kUser, 0).ok());
  // Root and the service user are never held.
  EXPECT_EQ(rec->listing_hold_ns(kRoot), 0);
  EXPECT_EQ(rec->listing_hold_ns(kService), 0);
}

}  // namespace
}  // namespace metrics
