// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_batch.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "glib_handles.hpp"
#include "store.hpp"
#include "timestamp_coarsening.hpp"
#include "wire.hpp"

namespace metrics {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kHour = 3600 * kS;

Uuid uuid_n(uint32_t n) {
  Uuid u = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4").value();
  u.bytes[12] = static_cast<uint8_t>(n >> 24);
  u.bytes[13] = static_cast<uint8_t>(n >> 16);
  u.bytes[14] = static_cast<uint8_t>(n >> 8);
  u.bytes[15] = static_cast<uint8_t>(n);
  return u;
}

// As the recorder stores payloads: the boxed `v`, normal form, serialised.
std::vector<uint8_t> serialize(GVariant* payload) {
  if (!payload) return {};
  GVariantPtr boxed = adopt_variant(g_variant_new_variant(payload));
  GVariantPtr normal(g_variant_get_normal_form(boxed.get()));
  const auto* data = static_cast<const uint8_t*>(g_variant_get_data(normal.get()));
  return {data, data + g_variant_get_size(normal.get())};
}

std::vector<uint8_t> serialize(const GVariantPtr& payload) {
  return serialize(payload.get());
}

GVariantPtr payload_for(uint32_t i) {
  switch (i % 5) {
    case 0:
      return nullptr;
    case 1:
      return adopt_variant(g_variant_new_uint32(i));
    case 2:
      return adopt_variant(g_variant_new_string(std::string(i % 97, 'p').c_str()));
    case 3:
      return adopt_variant(g_variant_new("(sxas)", "name", static_cast<gint64>(i), nullptr));
    default:
      return adopt_variant(g_variant_new("(dd)", 0.5 * i, -1.0));
  }
}

bool same_payload(GVariant* a, GVariant* b) {
  if (!a || !b) return a == b;
  return g_variant_equal(a, b);
}

class UploadBatchTest : public ::testing::Test {
 protected:
  UploadBatchTest() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("metrics-test-upload-batch-" + std::to_string(getpid()) +
                                        "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    auto s = Store::open(dir_);
    EXPECT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  ~UploadBatchTest() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Queues `n` singular events numbered from `first`, committed.
  void add_singulars(uint32_t first, uint32_t n, uint32_t uid = 1000) {
    ASSERT_TRUE(store_->begin().ok());
    for (uint32_t i = first; i < first + n; ++i) {
      auto payload = serialize(payload_for(i));
      ASSERT_TRUE(store_
                      ->add_singular(uid + i % 3, uuid_n(i), "40 (Workstation)",
                                     int64_t{i} * kS + 17, payload,
                                     static_cast<int64_t>(50 + payload.size()))
                      .ok());
    }
    ASSERT_TRUE(store_->commit().ok());
  }
  // Queues `n` aggregate events via counts and a roll-over.
  void add_aggregates(uint32_t n) {
    ASSERT_TRUE(store_->begin().ok());
    for (uint32_t i = 0; i < n; ++i) {
      auto payload = serialize(payload_for(i));
      ASSERT_TRUE(store_->add_count(7, uuid_n(900000 + i), "2024-03-14", payload, i + 1, 60).ok());
    }
    ASSERT_TRUE(store_->roll_over("2024-03-15", "2024-03", "40 (Workstation)").ok());
    ASSERT_TRUE(store_->commit().ok());
  }

  BatchContext context() const {
    BatchContext ctx;
    ctx.image_id = "eos-eos6.0-amd64-amd64.240101-000000.base";
    ctx.site_labels = {{"facility", "School"}, {"city", "Lagos"}};
    ctx.boot_flags = 2;
    return ctx;
  }

  std::vector<uint8_t> encoded(const UploadBatch& b) {
    GBytesPtr bytes = wire::encode(b.request);
    gsize n = 0;
    const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes.get(), &n));
    return {data, data + n};
  }

  bool marker_on_disk(const std::string& marker) {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (data.find(marker) != std::string::npos) return true;
    }
    return false;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

// ---- Store additions ----------------------------------------------------------------------

TEST_F(UploadBatchTest, OldestEventsArePagedByIdWithoutRemovingThem) {
  add_singulars(0, 10);
  add_aggregates(4);
  auto first = store_->oldest_singulars(0, 4);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 4u);
  auto rest = store_->oldest_singulars(first->back().id, 100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 6u);
  EXPECT_GT(rest->front().id, first->back().id);
  EXPECT_EQ(rest->back().event_id, uuid_n(9));
  EXPECT_EQ(rest->back().relative_ns, 9 * kS + 17);
  EXPECT_EQ(rest->back().payload, serialize(payload_for(9)));
  EXPECT_TRUE(store_->oldest_singulars(rest->back().id, 100)->empty());
  auto aggs = store_->oldest_aggregates(0, 3);
  ASSERT_TRUE(aggs.ok());
  ASSERT_EQ(aggs->size(), 3u);
  EXPECT_EQ(store_->oldest_aggregates(aggs->back().id, 10)->size(), 1u);
  // Nothing was removed.
  EXPECT_EQ(store_->singulars()->size(), 10u);
  EXPECT_EQ(store_->singular_count(), 10);
}

TEST_F(UploadBatchTest, DeleteUploadedRemovesExactlyThoseRowsAndUpdatesTotals) {
  add_singulars(0, 20);
  add_aggregates(5);
  auto all = store_->singulars();
  auto aggs = store_->aggregates();
  ASSERT_TRUE(all.ok() && aggs.ok());
  std::vector<int64_t> gone_s, gone_a;
  for (size_t i = 0; i < all->size(); i += 3) gone_s.push_back((*all)[i].id);
  gone_a.push_back((*aggs)[1].id);
  gone_a.push_back((*aggs)[4].id);
  gone_s.push_back(999999);  // no longer queued: ignored

  ASSERT_TRUE(store_->delete_uploaded(gone_s, gone_a).ok());
  EXPECT_FALSE(store_->in_transaction());
  auto left = store_->singulars();
  auto left_a = store_->aggregates();
  ASSERT_TRUE(left.ok() && left_a.ok());
  EXPECT_EQ(left->size(), 20u - 7u);
  EXPECT_EQ(left_a->size(), 3u);
  for (const auto& row : *left) EXPECT_EQ(std::count(gone_s.begin(), gone_s.end(), row.id), 0);
  for (const auto& row : *left_a) EXPECT_EQ(std::count(gone_a.begin(), gone_a.end(), row.id), 0);

  // In-memory totals equal what a fresh open computes from disk.
  const int64_t total = store_->total_bytes();
  const int64_t count = store_->singular_count();
  const int64_t uid7 = store_->bytes_of_uid(7);
  const int64_t uid1000 = store_->bytes_of_uid(1000);
  EXPECT_EQ(count, 13);
  store_.reset();
  store_ = std::move(Store::open(dir_)).value();
  EXPECT_EQ(store_->total_bytes(), total);
  EXPECT_EQ(store_->singular_count(), count);
  EXPECT_EQ(store_->bytes_of_uid(7), uid7);
  EXPECT_EQ(store_->bytes_of_uid(1000), uid1000);
  EXPECT_EQ(uid7, 3 * 60);
}

TEST_F(UploadBatchTest, DeleteUploadedRemovesThePayloadBytesFromDisk) {
  const std::string marker = "UPLOADED-MARKER-0a7d3e-gone-after-delete";
  GVariantPtr payload = adopt_variant(g_variant_new_string(marker.c_str()));
  auto bytes = serialize(payload);
  ASSERT_TRUE(store_->begin().ok());
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(store_->add_singular(1, uuid_n(i), "os", i, bytes, 100).ok());
  ASSERT_TRUE(store_->commit().ok());
  add_singulars(100, 5);  // stays queued
  ASSERT_TRUE(marker_on_disk(marker));
  auto batch = next_batch(*store_, context(), 512 * 1024, 0, 0);
  ASSERT_TRUE(batch.ok() && batch->has_value());
  std::vector<int64_t> ids((*batch)->singular_ids.begin(), (*batch)->singular_ids.begin() + 50);
  ASSERT_TRUE(store_->delete_uploaded(ids, {}).ok());
  EXPECT_EQ(store_->singular_count(), 5);
  EXPECT_FALSE(marker_on_disk(marker));
}

TEST_F(UploadBatchTest, DeleteUploadedInsideATransactionIsPartOfIt) {
  add_singulars(0, 4);
  auto all = store_->singulars();
  ASSERT_TRUE(store_->begin().ok());
  ASSERT_TRUE(store_->delete_uploaded({(*all)[0].id}, {}).ok());
  EXPECT_TRUE(store_->in_transaction());
  EXPECT_EQ(store_->singular_count(), 3);
  store_->rollback();
  EXPECT_EQ(store_->singular_count(), 4);
  EXPECT_EQ(store_->singulars()->size(), 4u);
}

TEST_F(UploadBatchTest, SetAsideMovesTheBatchOutAndDoesNotBlockTheRest) {
  add_singulars(0, 300);
  add_aggregates(3);
  const size_t cap = 4096;
  BatchPlanner planner(*store_, context(), cap);
  auto first = planner.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  UploadBatch rejected = std::move(**first);
  ASSERT_GT(rejected.event_count(), 0u);
  ASSERT_LT(rejected.event_count(), 300u);
  stamp(rejected, 10 * kS, 1'710'000'000 * kS, kHour);
  const auto body = encoded(rejected);
  const int64_t before_bytes = store_->total_bytes();
  ASSERT_TRUE(
      store_->set_aside_batch(rejected.singular_ids, rejected.aggregate_ids, "HTTP 400", body, 123)
          .ok());
  EXPECT_EQ(store_->set_aside_count().value(), 1);
  EXPECT_EQ(store_->singular_count(), static_cast<int64_t>(300 - rejected.singular_ids.size()));
  EXPECT_LT(store_->total_bytes(), before_bytes);

  // A fresh planning session starts with what follows the set-aside batch.
  auto rest = plan_batches(*store_, context(), cap);
  ASSERT_TRUE(rest.ok());
  ASSERT_FALSE(rest->empty());
  EXPECT_EQ(rest->front().singular_ids.front(), rejected.singular_ids.back() + 1);
  size_t events = 0;
  for (const auto& b : *rest) events += b.event_count();
  EXPECT_EQ(events, 303u - rejected.event_count());
}

TEST_F(UploadBatchTest, SetAsideIsBounded) {
  for (int i = 0; i < Store::kMaxSetAsideBatches + 7; ++i) {
    std::vector<uint8_t> body(10, static_cast<uint8_t>(i));
    ASSERT_TRUE(store_->set_aside_batch({}, {}, "HTTP 422", body).ok());
  }
  EXPECT_EQ(store_->set_aside_count().value(), Store::kMaxSetAsideBatches);
}

TEST_F(UploadBatchTest, SetAsideFailureLeavesTheQueueUntouched) {
  add_singulars(0, 5);
  auto all = store_->singulars();
  ASSERT_TRUE(store_->begin().ok());
  ASSERT_TRUE(
      store_->set_aside_batch({(*all)[0].id, (*all)[1].id}, {}, "HTTP 400", std::vector<uint8_t>{1})
          .ok());
  store_->rollback();  // the set-aside joined the open transaction: undone with it
  EXPECT_EQ(store_->singular_count(), 5);
  EXPECT_EQ(store_->set_aside_count().value(), 0);
}

// ---- Sizes --------------------------------------------------------------------------------

TEST(RequestSizeTest, PredictedSizeEqualsEncodedSizeForRandomRequests) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 400; ++round) {
    wire::Request r;
    r.image_id = std::string(rng() % 80, 'i');
    for (unsigned i = rng() % 4; i > 0; --i)
      r.site_labels.emplace_back(std::string(rng() % 30, 'k'), std::string(rng() % 300, 'v'));
    // Sizes that cross the 1-, 2- and 4-byte framing-offset boundaries.
    const unsigned n = round % 4 == 0 ? rng() % 3 : rng() % (round % 7 == 0 ? 3000 : 60);
    for (unsigned i = 0; i < n; ++i) {
      wire::SingularEvent e;
      e.event_id = uuid_n(i);
      e.os_version = std::string(rng() % 20, 'o');
      e.relative_ns = static_cast<int64_t>(rng());
      e.payload = rng() % 7 == 0
                      ? adopt_variant(g_variant_new_string(std::string(rng() % 70000, 'x').c_str()))
                      : payload_for(static_cast<uint32_t>(rng()));
      r.singulars.push_back(std::move(e));
    }
    for (unsigned i = rng() % 40; i > 0; --i) {
      wire::AggregateEvent e;
      e.event_id = uuid_n(i);
      e.os_version = std::string(rng() % 20, 'o');
      e.period = i % 2 ? "2024-03-14" : "2024-03";
      e.count = rng();
      e.payload = payload_for(static_cast<uint32_t>(rng()));
      r.aggregates.push_back(std::move(e));
    }
    GBytesPtr body = wire::encode(r);
    ASSERT_EQ(request_serialized_size(r), g_bytes_get_size(body.get()))
        << "round " << round << " singulars " << r.singulars.size();
  }
}

// ---- Planning -----------------------------------------------------------------------------

TEST_F(UploadBatchTest, EmptyQueuePlansNothing) {
  auto none = next_batch(*store_, context(), 1024 * 1024, 0, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto all = plan_batches(*store_, context(), 1024 * 1024);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(UploadBatchTest, BatchesRespectTheCapAndCoverEveryEventOnceInOrder) {
  add_singulars(0, 2000);
  add_aggregates(30);
  auto queued = store_->singulars();
  auto queued_a = store_->aggregates();
  ASSERT_TRUE(queued.ok() && queued_a.ok());
  for (size_t cap : {size_t{2000}, size_t{8192}, size_t{65536}, size_t{1} << 20}) {
    SCOPED_TRACE(cap);
    auto batches = plan_batches(*store_, context(), cap);
    ASSERT_TRUE(batches.ok());
    std::vector<int64_t> seen_s, seen_a;
    for (const UploadBatch& b : *batches) {
      EXPECT_FALSE(b.oversized);
      EXPECT_LE(b.uncompressed_size, cap);
      EXPECT_EQ(encoded(b).size(), b.uncompressed_size);
      EXPECT_EQ(b.request.singulars.size(), b.singular_ids.size());
      EXPECT_EQ(b.request.aggregates.size(), b.aggregate_ids.size());
      EXPECT_EQ(b.stored_relative_ns.size(), b.singular_ids.size());
      EXPECT_EQ(b.request.image_id, context().image_id);
      EXPECT_EQ(b.request.site_labels, context().site_labels);
      EXPECT_EQ(b.request.boot_flags, 2);
      seen_s.insert(seen_s.end(), b.singular_ids.begin(), b.singular_ids.end());
      seen_a.insert(seen_a.end(), b.aggregate_ids.begin(), b.aggregate_ids.end());
      // Aggregates come after every singular.
      if (!b.aggregate_ids.empty()) {
        EXPECT_EQ(seen_s.size(), queued->size());
      }
    }
    // Each batch is full: the next event would not have fit (cap far above one event).
    for (size_t i = 0; i + 1 < batches->size(); ++i) {
      UploadBatch& b = (*batches)[i];
      const UploadBatch& next = (*batches)[i + 1];
      wire::Request bigger;
      bigger.image_id = b.request.image_id;
      bigger.site_labels = b.request.site_labels;
      for (auto& e : b.request.singulars)
        bigger.singulars.push_back(
            {e.event_id, e.os_version, e.relative_ns, share_variant(e.payload.get())});
      for (auto& e : b.request.aggregates)
        bigger.aggregates.push_back(
            {e.event_id, e.os_version, e.period, e.count, share_variant(e.payload.get())});
      if (!next.request.singulars.empty()) {
        const auto& e = next.request.singulars.front();
        bigger.singulars.push_back(
            {e.event_id, e.os_version, e.relative_ns, share_variant(e.payload.get())});
      } else {
        const auto& e = next.request.aggregates.front();
        bigger.aggregates.push_back(
            {e.event_id, e.os_version, e.period, e.count, share_variant(e.payload.get())});
      }
      EXPECT_GT(request_serialized_size(bigger), cap);
    }
    ASSERT_EQ(seen_s.size(), queued->size());
    for (size_t i = 0; i < seen_s.size(); ++i) ASSERT_EQ(seen_s[i], (*queued)[i].id);
    ASSERT_EQ(seen_a.size(), queued_a->size());
    for (size_t i = 0; i < seen_a.size(); ++i) ASSERT_EQ(seen_a[i], (*queued_a)[i].id);
    if (cap < 65536) {
      EXPECT_GT(batches->size(), 3u);
    }
  }
}

TEST_F(UploadBatchTest, OversizedEventGoesAloneAndIsFlagged) {
  add_singulars(0, 3);
  GVariantPtr big = adopt_variant(g_variant_new_string(std::string(20000, 'B').c_str()));
  auto bytes = serialize(big);
  ASSERT_TRUE(store_->begin().ok());
  ASSERT_TRUE(store_->add_singular(1, uuid_n(77), "os", 5, bytes, 20050).ok());
  ASSERT_TRUE(store_->commit().ok());
  add_singulars(10, 3);
  auto batches = plan_batches(*store_, context(), 4096);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 3u);
  EXPECT_FALSE((*batches)[0].oversized);
  EXPECT_EQ((*batches)[0].event_count(), 3u);
  EXPECT_TRUE((*batches)[1].oversized);
  EXPECT_EQ((*batches)[1].event_count(), 1u);
  EXPECT_GT((*batches)[1].uncompressed_size, 4096u);
  EXPECT_EQ(encoded((*batches)[1]).size(), (*batches)[1].uncompressed_size);
  EXPECT_FALSE((*batches)[2].oversized);
  EXPECT_EQ((*batches)[2].event_count(), 3u);
}

TEST_F(UploadBatchTest, HundredThousandEventsPlanIntoCappedRequestsThatAddUp) {
  constexpr uint32_t kEvents = 100000;
  add_singulars(0, kEvents);
  add_aggregates(50);
  const size_t cap = 512 * 1024;
  BatchPlanner planner(*store_, context(), cap);
  size_t requests = 0, singulars = 0, aggregates = 0;
  uint32_t expected = 0;
  for (;;) {
    auto next = planner.next();
    ASSERT_TRUE(next.ok()) << next.error().message;
    if (!next->has_value()) break;
    UploadBatch& b = **next;
    ++requests;
    stamp(b, 200000 * kS, 1'710'000'000 * kS, kHour);
    const auto body = encoded(b);
    ASSERT_LE(body.size(), cap);
    ASSERT_EQ(body.size(), b.uncompressed_size);
    auto decoded = wire::decode(body);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    for (const auto& e : decoded->singulars) {
      ASSERT_EQ(e.event_id, uuid_n(expected));
      GVariantPtr want = payload_for(expected);
      ASSERT_TRUE(same_payload(e.payload.get(), want.get())) << expected;
      ++expected;
    }
    singulars += decoded->singulars.size();
    aggregates += decoded->aggregates.size();
  }
  EXPECT_EQ(singulars, kEvents);
  EXPECT_EQ(aggregates, 50u);
  EXPECT_GE(requests, 5u);
  // The queue is untouched by planning.
  EXPECT_EQ(store_->singular_count(), kEvents);
}

TEST_F(UploadBatchTest, StampedBodyDecodesAndReStampingIsIdempotent) {
  add_singulars(0, 40);
  add_aggregates(3);
  auto planned = next_batch(*store_, context(), 1 << 20, 0, 0);
  ASSERT_TRUE(planned.ok() && planned->has_value());
  UploadBatch b = std::move(**planned);
  const size_t size_before = b.uncompressed_size;
  const auto stored = b.stored_relative_ns;
  for (size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(stored[i], int64_t(i) * kS + 17);

  // Time-line origin at wall 2024-03-14T11:59:50Z; request 100 s into it.
  const int64_t origin = 1'710'417'590 * kS;
  const int64_t rel1 = 100 * kS;
  stamp(b, rel1, origin + rel1, kHour);
  auto first_body = encoded(b);
  auto d1 = wire::decode(first_body);
  ASSERT_TRUE(d1.ok()) << d1.error().message;
  // Re-based on the wall clock: nothing machine-specific in field 2 - field 1.
  EXPECT_EQ(d1->relative_ns, origin + rel1);
  EXPECT_EQ(d1->absolute_ns, origin + rel1);
  EXPECT_EQ(d1->image_id, context().image_id);
  EXPECT_EQ(d1->site_labels, context().site_labels);
  EXPECT_EQ(d1->boot_flags, 2);
  ASSERT_EQ(d1->singulars.size(), 40u);
  ASSERT_EQ(d1->aggregates.size(), 3u);
  EXPECT_EQ(d1->aggregates[0].period, "2024-03-14");
  EXPECT_EQ(d1->aggregates[2].count, 3u);
  for (size_t i = 0; i < 40; ++i) {
    const int64_t t =
        server_event_time_ns(d1->absolute_ns, d1->relative_ns, d1->singulars[i].relative_ns);
    const int64_t exact = origin + stored[i];
    // Floored to the hour, never after the request.
    EXPECT_EQ(t % kHour, 0);
    EXPECT_LE(t, origin + rel1);
    EXPECT_EQ(t, std::min(exact, origin + rel1) / kHour * kHour);
  }
  // Events before 12:00 and after: two distinct hour marks in this batch.
  EXPECT_NE(server_event_time_ns(d1->absolute_ns, d1->relative_ns, d1->singulars[0].relative_ns),
            server_event_time_ns(d1->absolute_ns, d1->relative_ns, d1->singulars[39].relative_ns));

  // A later attempt: new fields 1 and 2, same content, same size, same event times.
  const int64_t rel2 = rel1 + 420 * kS;
  stamp(b, rel2, origin + rel2, kHour);
  EXPECT_EQ(b.stored_relative_ns, stored);
  EXPECT_EQ(b.uncompressed_size, size_before);
  auto d2 = wire::decode(encoded(b));
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->relative_ns, origin + rel2);
  EXPECT_EQ(d2->absolute_ns, origin + rel2);
  for (size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(d2->singulars[i].event_id, d1->singulars[i].event_id);
    EXPECT_EQ(server_event_time_ns(d2->absolute_ns, d2->relative_ns, d2->singulars[i].relative_ns),
              server_event_time_ns(d1->absolute_ns, d1->relative_ns, d1->singulars[i].relative_ns));
  }
  // Same stamp twice: byte-identical body.
  stamp(b, rel1, origin + rel1, kHour);
  stamp(b, rel1, origin + rel1, kHour);
  EXPECT_EQ(encoded(b), first_body);
}

TEST_F(UploadBatchTest, TwoMachinesWithDifferentTimeLinesSendTheSameStamps) {
  add_singulars(0, 5);
  auto planned_a = next_batch(*store_, context(), 1 << 20, 0, 0);
  auto planned_b = next_batch(*store_, context(), 1 << 20, 0, 0);
  ASSERT_TRUE(planned_a.ok() && planned_a->has_value());
  ASSERT_TRUE(planned_b.ok() && planned_b->has_value());
  UploadBatch& a = **planned_a;
  UploadBatch& b = **planned_b;
  // Same wall clock, time-lines started at different instants (installed on different
  // days): the requests must not tell the machines apart.
  const int64_t wall = 1'710'417'590 * kS;
  const int64_t tl_a = 7 * 86400 * kS;
  const int64_t tl_b = 90 * 86400 * kS;
  for (size_t i = 0; i < 5; ++i) {
    a.stored_relative_ns[i] = tl_a - static_cast<int64_t>(i) * 600 * kS;
    b.stored_relative_ns[i] = tl_b - static_cast<int64_t>(i) * 600 * kS;
  }
  stamp(a, tl_a, wall, kHour);
  stamp(b, tl_b, wall, kHour);
  EXPECT_EQ(encoded(a), encoded(b));
  EXPECT_EQ(a.request.relative_ns, a.request.absolute_ns);
}

TEST_F(UploadBatchTest, ExactModeStampsLikeTheReferenceClient) {
  add_singulars(0, 3);
  auto planned = next_batch(*store_, context(), 1 << 20, 0, 0);
  ASSERT_TRUE(planned.ok() && planned->has_value());
  UploadBatch& b = **planned;
  const std::vector<int64_t> stored = b.stored_relative_ns;
  const int64_t timeline_now = stored.back() + 5 * kS;
  stamp(b, timeline_now, 1'710'000'000 * kS, 0);
  EXPECT_EQ(b.request.relative_ns, timeline_now);
  EXPECT_EQ(b.request.absolute_ns, 1'710'000'000 * kS);
  for (size_t i = 0; i < stored.size(); ++i)
    EXPECT_EQ(b.request.singulars[i].relative_ns, stored[i]);
  // An event stored after "now" (a broken clock) is still not sent from the future.
  b.stored_relative_ns[0] = timeline_now + kHour;
  stamp(b, timeline_now, 1'710'000'000 * kS, 0);
  EXPECT_EQ(b.request.singulars[0].relative_ns, timeline_now);
}

TEST_F(UploadBatchTest, QueueLimitStopsAtTheSnapshot) {
  add_singulars(0, 30);
  add_aggregates(4);
  auto first = next_batch(*store_, context(), 1 << 20, 0, 0);
  ASSERT_TRUE(first.ok() && first->has_value());
  const int64_t s10 = (**first).singular_ids[9];
  const int64_t a2 = (**first).aggregate_ids[1];
  BatchPlanner planner(*store_, context(), 1 << 20, QueueLimit{s10, a2});
  auto only = planner.next();
  ASSERT_TRUE(only.ok() && only->has_value());
  EXPECT_EQ((**only).singular_ids.size(), 10u);
  EXPECT_EQ((**only).aggregate_ids.size(), 2u);
  EXPECT_EQ((**only).singular_ids.back(), s10);
  auto none = planner.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(UploadBatchTest, PayloadsSurviveTheRoundTrip) {
  add_singulars(0, 25);
  auto planned = next_batch(*store_, context(), 1 << 20, 0, 0);
  ASSERT_TRUE(planned.ok() && planned->has_value());
  stamp(**planned, 0, 0, 1);
  auto d = wire::decode(encoded(**planned));
  ASSERT_TRUE(d.ok());
  for (uint32_t i = 0; i < 25; ++i) {
    GVariantPtr want = payload_for(i);
    EXPECT_TRUE(same_payload(d->singulars[i].payload.get(), want.get())) << i;
    EXPECT_EQ(d->singulars[i].os_version, "40 (Workstation)");
  }
}

TEST_F(UploadBatchTest, GeneratorContinuesAfterGivenIds) {
  add_singulars(0, 10);
  add_aggregates(2);
  auto all = store_->singulars();
  auto rest = next_batch(*store_, context(), 1 << 20, (*all)[6].id, 0);
  ASSERT_TRUE(rest.ok() && rest->has_value());
  EXPECT_EQ((*rest)->singular_ids.size(), 3u);
  EXPECT_EQ((*rest)->aggregate_ids.size(), 2u);
  auto aggs = store_->aggregates();
  auto last = next_batch(*store_, context(), 1 << 20, (*all)[9].id, (*aggs)[0].id);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_TRUE((*last)->singular_ids.empty());
  EXPECT_EQ((*last)->aggregate_ids, std::vector<int64_t>{(*aggs)[1].id});
  auto none = next_batch(*store_, context(), 1 << 20, (*all)[9].id, (*aggs)[1].id);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(UploadBatchTest, InvalidStoredStringsStillEncode) {
  ASSERT_TRUE(store_->begin().ok());
  const std::string bad_os = std::string("40 \xff\xfe (bad)");
  ASSERT_TRUE(store_->add_singular(1, uuid_n(1), bad_os, 5, {}, 50).ok());
  ASSERT_TRUE(store_->commit().ok());
  BatchContext ctx = context();
  ctx.image_id = "img\xc3";
  auto planned = next_batch(*store_, ctx, 1 << 20, 0, 0);
  ASSERT_TRUE(planned.ok() && planned->has_value());
  auto body = encoded(**planned);
  EXPECT_EQ(body.size(), (*planned)->uncompressed_size);
  auto d = wire::decode(body);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(g_utf8_validate(d->singulars[0].os_version.c_str(), -1, nullptr));
}

}  // namespace
}  // namespace metrics

// ---- Privacy: counts summed over uids -------------------------------------------------------

namespace metrics {
namespace {

// Another connection holding the write lock: the store's writes fail (SQLITE_BUSY after its
// busy timeout), as they do on a full disk, while reads go on.
class WriteLock {
 public:
  explicit WriteLock(const fs::path& db) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    db_.reset(raw);
    EXPECT_EQ(sqlite3_exec(raw, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  SqlitePtr db_;
};

TEST_F(UploadBatchTest, CountsOfSeveralUidsLeaveAsOneEventWithTheirSum) {
  const auto payload = serialize(payload_for(1));
  ASSERT_TRUE(store_->begin().ok());
  for (uint32_t uid : {1000u, 1001u, 1002u, 1003u})
    ASSERT_TRUE(store_->add_count(uid, uuid_n(5), "2024-03-14", payload, uid - 999, 60).ok());
  // Another payload and another day stay events of their own.
  ASSERT_TRUE(
      store_->add_count(1000, uuid_n(5), "2024-03-14", serialize(payload_for(2)), 7, 60).ok());
  ASSERT_TRUE(store_->add_count(1001, uuid_n(5), "2024-03-13", payload, 9, 60).ok());
  // The sum is clamped like a single count.
  for (uint32_t uid : {1000u, 1001u})
    ASSERT_TRUE(store_->add_count(uid, uuid_n(6), "2024-02", {}, 4'000'000'000, 60).ok());
  ASSERT_TRUE(store_->roll_over("2024-03-15", "2024-03", "40 (Workstation)").ok());
  ASSERT_TRUE(store_->commit().ok());

  auto batches = plan_batches(*store_, context(), 262144);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  const UploadBatch& b = batches->front();
  ASSERT_EQ(b.request.aggregates.size(), 4u);
  EXPECT_EQ(b.aggregate_ids.size(), 8u);  // every row, so a 2xx deletes exactly them
  std::map<std::pair<std::string, uint32_t>, int> seen;
  int shared = 0;
  int clamped = 0;
  for (const auto& e : b.request.aggregates) {
    if (e.event_id == uuid_n(5) && e.period == "2024-03-14" &&
        same_payload(e.payload.get(), payload_for(1).get())) {
      EXPECT_EQ(e.count, 1u + 2u + 3u + 4u);
      ++shared;
    }
    if (e.event_id == uuid_n(6)) {
      EXPECT_EQ(e.count, UINT32_MAX);
      ++clamped;
    }
    ++seen[{e.period, e.count}];
  }
  EXPECT_EQ(shared, 1);
  EXPECT_EQ(clamped, 1);
  EXPECT_EQ(seen.size(), 4u);
  // The wire size was computed for what is sent.
  EXPECT_EQ(b.uncompressed_size, encoded(b).size());

  // Locally, each uid keeps its own rows (quotas, metricsctl queue).
  auto rows = store_->aggregates();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 8u);
  std::map<uint32_t, uint32_t> of_uid;
  for (const auto& r : *rows)
    if (r.event_id == uuid_n(5) && r.period == "2024-03-14" && r.payload == payload)
      of_uid[r.uid] = r.count;
  EXPECT_EQ(of_uid, (std::map<uint32_t, uint32_t>{{1000, 1}, {1001, 2}, {1002, 3}, {1003, 4}}));

  ASSERT_TRUE(store_->delete_uploaded(b.singular_ids, b.aggregate_ids).ok());
  EXPECT_EQ(store_->aggregate_count().value(), 0);
  EXPECT_EQ(store_->total_bytes(), 0);
}

TEST_F(UploadBatchTest, GroupsAreNeverCutAcrossBatches) {
  // Many distinct events of four uids each: every batch holds whole groups.
  ASSERT_TRUE(store_->begin().ok());
  for (uint32_t i = 0; i < 300; ++i)
    for (uint32_t uid = 0; uid < 4; ++uid)
      ASSERT_TRUE(
          store_->add_count(1000 + uid, uuid_n(i), "2024-03-14", serialize(payload_for(i)), 1, 60)
              .ok());
  ASSERT_TRUE(store_->roll_over("2024-03-15", "2024-03", "40 (Workstation)").ok());
  ASSERT_TRUE(store_->commit().ok());
  auto batches = plan_batches(*store_, context(), 2048);
  ASSERT_TRUE(batches.ok());
  ASSERT_GT(batches->size(), 3u);
  size_t events = 0;
  std::set<int64_t> rows;
  for (const auto& b : *batches) {
    for (const auto& e : b.request.aggregates) EXPECT_EQ(e.count, 4u);
    EXPECT_EQ(b.aggregate_ids.size(), 4 * b.request.aggregates.size());
    EXPECT_LE(b.uncompressed_size, 2048u);
    events += b.request.aggregates.size();
    rows.insert(b.aggregate_ids.begin(), b.aggregate_ids.end());
  }
  EXPECT_EQ(events, 300u);
  EXPECT_EQ(rows.size(), 1200u);
}

// ---- Acknowledged, not deleted ---------------------------------------------------------------

TEST_F(UploadBatchTest, AcknowledgedRowsAreNotPlannedAgainUntilTheirDeleteSucceeds) {
  add_singulars(0, 40);
  add_aggregates(3);
  auto all = plan_batches(*store_, context(), 262144);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  BatchPlanner planner(*store_, context(), 1024);
  auto first = planner.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  const UploadBatch sent = std::move(**first);
  {
    WriteLock lock(dir_ / "metrics.db");
    // The server has the batch; the delete fails.
    EXPECT_FALSE(store_->delete_uploaded(sent.singular_ids, sent.aggregate_ids).ok());
    (void)store_->mark_acknowledged(sent.singular_ids, sent.aggregate_ids);
    EXPECT_FALSE(store_->settle_acknowledged().ok());  // still cannot delete
    EXPECT_EQ(store_->acknowledged_count(), sent.event_count());
    // Later sessions never plan them again.
    auto rest = plan_batches(*store_, context(), 262144);
    ASSERT_TRUE(rest.ok());
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ(rest->front().event_count(), 43u - sent.event_count());
    for (int64_t id : sent.singular_ids)
      EXPECT_EQ(
          std::count(rest->front().singular_ids.begin(), rest->front().singular_ids.end(), id), 0);
  }
  // Space again: the next session's settle deletes them and lifts the exclusion.
  ASSERT_TRUE(store_->settle_acknowledged().ok());
  EXPECT_EQ(store_->acknowledged_count(), 0u);
  EXPECT_EQ(store_->singular_count(), static_cast<int64_t>(40 - sent.singular_ids.size()));
  EXPECT_FALSE(fs::exists(dir_ / "upload-acknowledged"));
}

TEST_F(UploadBatchTest, AcknowledgedRowsSurviveARestart) {
  add_singulars(0, 30);
  BatchPlanner planner(*store_, context(), 1024);
  auto first = planner.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  const UploadBatch sent = std::move(**first);
  ASSERT_TRUE(store_->mark_acknowledged(sent.singular_ids, sent.aggregate_ids).ok());
  EXPECT_TRUE(fs::exists(dir_ / "upload-acknowledged"));
  store_.reset();
  store_ = std::move(Store::open(dir_).value());
  {
    WriteLock lock(dir_ / "metrics.db");
    EXPECT_FALSE(store_->settle_acknowledged().ok());  // loaded, but cannot delete yet
    EXPECT_EQ(store_->acknowledged_count(), sent.singular_ids.size());
    auto rest = plan_batches(*store_, context(), 262144);
    ASSERT_TRUE(rest.ok());
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ(rest->front().singular_ids.front(), sent.singular_ids.back() + 1);
  }
  ASSERT_TRUE(store_->settle_acknowledged().ok());
  EXPECT_EQ(store_->singular_count(), static_cast<int64_t>(30 - sent.singular_ids.size()));
}

TEST_F(UploadBatchTest, AStaleAcknowledgedFileDeletesNothingElse) {
  add_singulars(0, 5);
  auto rows = store_->singulars();
  ASSERT_TRUE(store_->mark_acknowledged({(*rows)[3].id, (*rows)[4].id}, {}).ok());
  // The rows went by other means; new events take their ids.
  ASSERT_TRUE(store_->delete_uploaded({(*rows)[3].id, (*rows)[4].id}, {}).ok());
  store_.reset();
  store_ = std::move(Store::open(dir_).value());
  add_singulars(100, 2);
  ASSERT_EQ(store_->singulars()->back().id, (*rows)[4].id);
  ASSERT_TRUE(store_->settle_acknowledged().ok());
  EXPECT_EQ(store_->singular_count(), 5);
}

// ---- 413: halves ------------------------------------------------------------------------------

TEST_F(UploadBatchTest, SplitHalvesHoldEveryEventOnceWithTheirOwnSizes) {
  add_singulars(0, 7);
  ASSERT_TRUE(store_->begin().ok());
  for (uint32_t uid : {1u, 2u})
    for (uint32_t i = 0; i < 3; ++i)
      ASSERT_TRUE(store_->add_count(uid, uuid_n(70 + i), "2024-03-14", {}, 2, 60).ok());
  ASSERT_TRUE(store_->roll_over("2024-03-15", "2024-03", "40 (Workstation)").ok());
  ASSERT_TRUE(store_->commit().ok());
  auto all = plan_batches(*store_, context(), 262144);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  UploadBatch whole = std::move(all->front());
  ASSERT_EQ(whole.request_event_count(), 10u);
  const std::vector<int64_t> singular_ids = whole.singular_ids;
  std::vector<UploadBatch> pending;
  pending.push_back(std::move(whole));
  std::vector<UploadBatch> singles;
  while (!pending.empty()) {  // down to one event each, as repeated 413s would
    UploadBatch b = std::move(pending.back());
    pending.pop_back();
    EXPECT_EQ(b.uncompressed_size, encoded(b).size());
    if (b.request_event_count() == 1) {
      singles.push_back(std::move(b));
      continue;
    }
    auto [first, second] = split_batch(std::move(b));
    EXPECT_GT(first.request_event_count(), 0u);
    EXPECT_GT(second.request_event_count(), 0u);
    pending.push_back(std::move(second));
    pending.push_back(std::move(first));
  }
  ASSERT_EQ(singles.size(), 10u);
  std::vector<int64_t> singulars_seen;
  size_t aggregate_rows = 0;
  for (const auto& b : singles) {
    singulars_seen.insert(singulars_seen.end(), b.singular_ids.begin(), b.singular_ids.end());
    aggregate_rows += b.aggregate_ids.size();
    for (const auto& e : b.request.aggregates) EXPECT_EQ(e.count, 4u);
    EXPECT_EQ(b.stored_relative_ns.size(), b.request.singulars.size());
  }
  EXPECT_EQ(singulars_seen, singular_ids);  // in order, once each
  EXPECT_EQ(aggregate_rows, 6u);            // groups stay whole
}

// ---- Set aside, then back --------------------------------------------------------------------

TEST_F(UploadBatchTest, SetAsideBatchesAreListedShownAndRequeued) {
  add_singulars(0, 12);
  ASSERT_TRUE(store_->begin().ok());
  for (uint32_t uid : {1u, 2u})
    ASSERT_TRUE(store_->add_count(uid, uuid_n(80), "2024-03-14", {}, 3, 60).ok());
  ASSERT_TRUE(store_->roll_over("2024-03-15", "2024-03", "40 (Workstation)").ok());
  ASSERT_TRUE(store_->commit().ok());
  const auto before_singulars = store_->singulars().value();
  const auto before_aggregates = store_->aggregates().value();
  const int64_t bytes = store_->total_bytes();
  const int64_t bytes_1000 = store_->bytes_of_uid(1000);
  auto all = plan_batches(*store_, context(), 262144);
  ASSERT_TRUE(all.ok());
  UploadBatch b = std::move(all->front());
  stamp(b, 10 * kS, 1'710'000'000 * kS, kHour);
  const auto body = encoded(b);
  auto dropped =
      store_->set_aside_batch(b.singular_ids, b.aggregate_ids, "HTTP 400: bad", body, 5 * kS);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 0);
  EXPECT_EQ(store_->singular_count(), 0);
  EXPECT_EQ(store_->total_bytes(), 0);
  EXPECT_EQ(store_->set_aside_event_count().value(), 14);

  auto listed = store_->set_aside_batches();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const SetAsideBatch& s = listed->front();
  EXPECT_EQ(s.reason, "HTTP 400: bad");
  EXPECT_EQ(s.time_ns, 5 * kS);
  EXPECT_EQ(s.singular_events, 12);
  EXPECT_EQ(s.aggregate_events, 2);
  EXPECT_EQ(s.body_bytes, static_cast<int64_t>(body.size()));
  EXPECT_TRUE(s.requeueable);
  EXPECT_EQ(store_->set_aside_body(s.id).value().value(), body);
  EXPECT_FALSE(store_->set_aside_body(s.id + 1).value().has_value());

  EXPECT_EQ(store_->requeue_set_aside(s.id + 1).error().code, ErrorCode::kNoSuchSetAside);
  auto moved = store_->requeue_set_aside(s.id);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, 14);
  EXPECT_EQ(store_->set_aside_count().value(), 0);
  EXPECT_EQ(store_->total_bytes(), bytes);
  EXPECT_EQ(store_->bytes_of_uid(1000), bytes_1000);
  // The same events, each with its uid, in their order.
  const auto after_singulars = store_->singulars().value();
  ASSERT_EQ(after_singulars.size(), before_singulars.size());
  for (size_t i = 0; i < after_singulars.size(); ++i) {
    EXPECT_EQ(after_singulars[i].uid, before_singulars[i].uid);
    EXPECT_EQ(after_singulars[i].event_id, before_singulars[i].event_id);
    EXPECT_EQ(after_singulars[i].relative_ns, before_singulars[i].relative_ns);
    EXPECT_EQ(after_singulars[i].payload, before_singulars[i].payload);
  }
  const auto after_aggregates = store_->aggregates().value();
  ASSERT_EQ(after_aggregates.size(), before_aggregates.size());
  for (size_t i = 0; i < after_aggregates.size(); ++i) {
    EXPECT_EQ(after_aggregates[i].uid, before_aggregates[i].uid);
    EXPECT_EQ(after_aggregates[i].count, before_aggregates[i].count);
  }
  // They are uploaded again.
  auto again = plan_batches(*store_, context(), 262144);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().event_count(), 14u);
}

TEST_F(UploadBatchTest, RequeueAllAndPurgeTakeEverySetAsideRow) {
  add_singulars(0, 6);
  auto rows = store_->singulars().value();
  ASSERT_TRUE(
      store_->set_aside_batch({rows[0].id, rows[1].id}, {}, "HTTP 422", std::vector<uint8_t>{1})
          .ok());
  ASSERT_TRUE(store_->set_aside_batch({rows[2].id}, {}, "HTTP 422", std::vector<uint8_t>{2}).ok());
  // A batch set aside by an older version: its body only.
  ASSERT_TRUE(store_->set_aside_batch({}, {}, "HTTP 400", std::vector<uint8_t>{3}).ok());
  auto listed = store_->set_aside_batches().value();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_FALSE(listed[2].requeueable);
  EXPECT_EQ(store_->requeue_set_aside(listed[2].id).error().code,
            ErrorCode::kSetAsideNotRequeueable);
  EXPECT_EQ(store_->requeue_set_aside(0).value(), 3);
  EXPECT_EQ(store_->singular_count(), 6);
  EXPECT_EQ(store_->set_aside_count().value(), 1);  // the body-only one stays

  ASSERT_TRUE(store_->set_aside_batch({rows[5].id}, {}, "HTTP 422", std::vector<uint8_t>{4}).ok());
  ASSERT_TRUE(store_->purge_all().ok());
  EXPECT_EQ(store_->set_aside_count().value(), 0);
  EXPECT_EQ(store_->requeue_set_aside(0).value(), 0);
  EXPECT_EQ(store_->singular_count(), 0);
}

TEST_F(UploadBatchTest, DroppingOldSetAsideBatchesSaysHowMany) {
  add_singulars(0, 3);
  auto rows = store_->singulars().value();
  for (int i = 0; i < Store::kMaxSetAsideBatches; ++i)
    ASSERT_EQ(store_->set_aside_batch({}, {}, "HTTP 422", std::vector<uint8_t>{1}).value(), 0);
  EXPECT_EQ(store_->set_aside_batch({rows[0].id}, {}, "HTTP 422", std::vector<uint8_t>{1}).value(),
            1);
  EXPECT_EQ(store_->set_aside_count().value(), Store::kMaxSetAsideBatches);
}

}  // namespace
}  // namespace metrics
