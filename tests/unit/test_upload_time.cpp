// SPDX-License-Identifier: GPL-2.0-or-later
// The time the server computes for an uploaded event, through the whole client path
// (Recorder stores on its time-line, the planner reads, stamp() coarsens), when the wall
// clock jumps and the machine suspends between recording and upload: never in the future,
// never earlier than the real recording instant by more than the granularity.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <memory>

#include "fake_clock.hpp"
#include "recorder.hpp"
#include "temp_dir.hpp"
#include "timestamp_coarsening.hpp"
#include "upload_batch.hpp"

namespace metrics {
namespace {

using testing::FakeClock;
using testing::seconds;
using testing::TempDir;
using testing::utc_ns;

constexpr int64_t kHour = seconds(3600);
const Uuid kEvent = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4").value();
const Caller kUser{":1.2", 1000};

class UploadTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One thread: nothing reads the environment while TZ changes.
    setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe)
    tzset();
    clock_ = FakeClock(seconds(500), seconds(400), utc_ns(2026, 11, 29, 10, 17, 3));
    auto s = Store::open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    RecorderOptions o;
    o.os_version = "40";
    o.boot_id = "boot-1";
    recorder_ = std::make_unique<Recorder>(clock_, *store_, o);
    ASSERT_TRUE(recorder_->start().ok());
  }

  // Records one event stamped by the client at "now" and returns the real instant.
  int64_t record_now() {
    EXPECT_TRUE(
        recorder_->record_singular(kUser, 1000, kEvent.bytes, clock_.boottime, nullptr).ok());
    EXPECT_TRUE(recorder_->flush().ok());
    return clock_.realtime;
  }

  // Stamps the queue as an upload now would; returns each event's server-side time and
  // the request's absolute time.
  std::pair<std::vector<int64_t>, int64_t> upload_now(int64_t granularity_ns) {
    auto batch = next_batch(*store_, BatchContext{}, 1 << 20, 0, 0);
    EXPECT_TRUE(batch.ok() && batch->has_value());
    UploadBatch& b = **batch;
    stamp(b, recorder_->timeline_now(), clock_.realtime, granularity_ns);
    std::vector<int64_t> times;
    for (const auto& e : b.request.singulars)
      times.push_back(
          server_event_time_ns(b.request.absolute_ns, b.request.relative_ns, e.relative_ns));
    return {times, b.request.absolute_ns};
  }

  // `real_recorded` is the instant of recording on the wall clock as it reads at upload
  // time (after a correction, the corrected frame).
  void expect_within(int64_t server_time, int64_t real_recorded, int64_t request_time,
                     int64_t granularity_ns) {
    EXPECT_LE(server_time, request_time) << "an event from the future";
    EXPECT_LE(server_time, real_recorded);
    EXPECT_GT(server_time, real_recorded - std::max<int64_t>(granularity_ns, 1));
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Recorder> recorder_;
};

TEST_F(UploadTimeTest, NoJump) {
  const int64_t recorded = record_now();
  clock_.advance(seconds(1800));
  auto [times, request] = upload_now(kHour);
  expect_within(times[0], recorded, request, kHour);
  auto [exact, request2] = upload_now(0);
  EXPECT_EQ(exact[0], recorded);
}

TEST_F(UploadTimeTest, WallClockCorrectedBackwards) {
  const int64_t recorded = record_now();
  clock_.advance(seconds(600));
  clock_.realtime -= 2 * kHour;  // the clock was two hours fast; NTP fixed it
  clock_.advance(seconds(600));
  auto [times, request] = upload_now(kHour);
  expect_within(times[0], recorded - 2 * kHour, request, kHour);
  auto [exact, request2] = upload_now(0);
  EXPECT_EQ(exact[0], recorded - 2 * kHour);
}

TEST_F(UploadTimeTest, WallClockCorrectedForwards) {
  const int64_t recorded = record_now();
  clock_.advance(seconds(60));
  clock_.realtime += 3 * kHour + seconds(17);
  clock_.advance(seconds(60));
  auto [times, request] = upload_now(kHour);
  expect_within(times[0], recorded + 3 * kHour + seconds(17), request, kHour);
}

TEST_F(UploadTimeTest, JumpRightAfterRecordingNeverGivesAFutureTime) {
  const int64_t recorded = record_now();
  // The wall clock goes back by more than the time since recording: the event's time in
  // the new frame is still before the request.
  clock_.realtime -= 5 * kHour;
  auto [times, request] = upload_now(kHour);
  expect_within(times[0], recorded - 5 * kHour, request, kHour);
  auto [exact, request2] = upload_now(0);
  EXPECT_LE(exact[0], request2);
}

TEST_F(UploadTimeTest, Suspend) {
  const int64_t recorded = record_now();
  clock_.advance(seconds(100));
  // Eight hours asleep: CLOCK_BOOTTIME and the wall clock move, CLOCK_MONOTONIC does not.
  clock_.boottime += 8 * kHour;
  clock_.realtime += 8 * kHour;
  const int64_t recorded_after = record_now();
  clock_.advance(seconds(100));
  auto [times, request] = upload_now(kHour);
  ASSERT_EQ(times.size(), 2u);
  expect_within(times[0], recorded, request, kHour);
  expect_within(times[1], recorded_after, request, kHour);
  auto [exact, request2] = upload_now(0);
  EXPECT_EQ(exact[0], recorded);
  EXPECT_EQ(exact[1], recorded_after);
}

TEST_F(UploadTimeTest, EveryGranularityAndOffset) {
  const int64_t recorded = record_now();
  for (int64_t g : {seconds(1), seconds(60), seconds(900), kHour, seconds(86400)}) {
    for (int64_t later : {int64_t{0}, seconds(1), seconds(3599), seconds(86400 * 3)}) {
      FakeClock saved = clock_;
      clock_.advance(later);
      auto [times, request] = upload_now(g);
      expect_within(times[0], recorded, request, g);
      EXPECT_EQ(times[0] % g, 0);
      clock_ = saved;
    }
  }
}

}  // namespace
}  // namespace metrics
