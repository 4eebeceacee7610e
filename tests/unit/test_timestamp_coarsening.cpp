// SPDX-License-Identifier: GPL-2.0-or-later
#include "timestamp_coarsening.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "settings.hpp"

namespace metrics {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kHour = 3600 * kS;
// 2024-03-14T12:00:00Z
constexpr int64_t kNow = 1'710'417'600 * kS;

int64_t floor_to(int64_t v, int64_t g) {
  int64_t q = v / g;
  if (v % g != 0 && v < 0) --q;
  return q * g;
}

TEST(TimestampCoarseningTest, ServerFormula) {
  EXPECT_EQ(server_event_time_ns(1000, 300, 200), 900);
  EXPECT_EQ(server_event_time_ns(std::numeric_limits<int64_t>::max(), -5, 10),
            std::numeric_limits<int64_t>::max());
}

TEST(TimestampCoarseningTest, HandPickedCases) {
  // Time-line origin at kNow - 1000 s; event at origin + 100 s, request now.
  const int64_t abs = kNow + 17 * 60 * kS;  // 12:17
  const int64_t rel = 1000 * kS;
  const int64_t event = rel - 600 * kS;  // 10 minutes before the request: 12:07
  const int64_t sent = coarsen_relative_ns(abs, rel, event, kHour);
  EXPECT_EQ(server_event_time_ns(abs, rel, sent), kNow);  // 12:00
  // No coarsening (G = 1) keeps the exact time.
  EXPECT_EQ(coarsen_relative_ns(abs, rel, event, 1), event);
  EXPECT_EQ(coarsen_relative_ns(abs, rel, event, 0), event);
  // An event "after" the request (clock weirdness) is clamped to the request's hour.
  const int64_t future = coarsen_relative_ns(abs, rel, rel + 5 * kHour, kHour);
  EXPECT_EQ(server_event_time_ns(abs, rel, future), kNow);
  // Before the epoch and negative relative timestamps still floor downwards.
  EXPECT_EQ(server_event_time_ns(-1, 0, coarsen_relative_ns(-1, 0, 0, kHour)), -kHour);
}

TEST(TimestampCoarseningTest, RandomInputsAgainstServerFormula) {
  std::mt19937_64 rng(20240314);
  const int64_t granularities[] = {1, 7, kS, 60 * kS, 900 * kS, kHour, 86400 * kS};
  for (int i = 0; i < 200000; ++i) {
    const int64_t g = granularities[rng() % std::size(granularities)];
    // Request stamped within 20 years of 2024; relative time-line up to 10 years long;
    // events from 30 days before to 1 day after the request.
    const int64_t abs = kNow + static_cast<int64_t>(rng() % (20 * 365 * 86400ULL)) * kS -
                        10 * 365 * 86400 * kS + static_cast<int64_t>(rng() % kS);
    const auto rel = static_cast<int64_t>(rng() % (10 * 365 * 86400ULL * kS));
    const int64_t event =
        rel - static_cast<int64_t>(rng() % (30 * 86400ULL * kS)) + (i % 10 == 0 ? 86400 * kS : 0);
    const int64_t sent = coarsen_relative_ns(abs, rel, event, g);
    const int64_t exact = server_event_time_ns(abs, rel, event);
    const int64_t computed = server_event_time_ns(abs, rel, sent);
    SCOPED_TRACE(testing::Message()
                 << "abs=" << abs << " rel=" << rel << " event=" << event << " g=" << g);
    // Floor property: a multiple of G, equal to the floor of min(exact, abs).
    ASSERT_EQ(floor_to(computed, g), computed);
    ASSERT_EQ(computed, floor_to(std::min(exact, abs), g));
    // Never in the future, never more than G before the event (when not in the future).
    ASSERT_LE(computed, abs);
    if (exact <= abs) {
      ASSERT_GT(computed, exact - g);
    }
    // Idempotent.
    ASSERT_EQ(coarsen_relative_ns(abs, rel, sent, g), sent);
  }
}

TEST(TimestampCoarseningTest, ReStampingLaterGivesTheSameServerTime) {
  // Same event, two attempts a few minutes apart (same time-line): same computed time.
  const int64_t origin = kNow - 5 * 86400 * kS + 123456789;
  const int64_t event = 4 * 86400 * kS + 777 * kS;
  const int64_t rel1 = 5 * 86400 * kS - 42 * kS;
  const int64_t rel2 = rel1 + 9 * 60 * kS;
  const int64_t t1 = server_event_time_ns(origin + rel1, rel1,
                                          coarsen_relative_ns(origin + rel1, rel1, event, kHour));
  const int64_t t2 = server_event_time_ns(origin + rel2, rel2,
                                          coarsen_relative_ns(origin + rel2, rel2, event, kHour));
  EXPECT_EQ(t1, t2);
}

TEST(TimestampCoarseningTest, EventsThreeHundredSecondsAfterTwoBootsAreIndistinguishable) {
  std::mt19937_64 rng(300);
  for (int i = 0; i < 1000; ++i) {
    // Two machines (or boots) whose boots fall anywhere in one hour such that both
    // events (300 s after boot) stay in that hour.
    const int64_t hour = kNow + static_cast<int64_t>(rng() % 10000) * kHour;
    const int64_t boot1 = hour + static_cast<int64_t>(rng() % (3300 * kS));
    const int64_t boot2 = hour + static_cast<int64_t>(rng() % (3300 * kS));
    // Each time-line's relative 0 is its boot; the request is sent a while later.
    const int64_t up1 = static_cast<int64_t>(rng() % (5 * kHour)) + 301 * kS;
    const int64_t up2 = static_cast<int64_t>(rng() % (5 * kHour)) + 301 * kS;
    const int64_t sent1 = coarsen_relative_ns(boot1 + up1, up1, 300 * kS, kHour);
    const int64_t sent2 = coarsen_relative_ns(boot2 + up2, up2, 300 * kS, kHour);
    const int64_t t1 = server_event_time_ns(boot1 + up1, up1, sent1);
    const int64_t t2 = server_event_time_ns(boot2 + up2, up2, sent2);
    ASSERT_EQ(t1, t2);
    ASSERT_EQ(t1, hour);
    // Without coarsening they differ by the boot difference (the test can fail).
    if (boot1 != boot2) {
      ASSERT_NE(server_event_time_ns(boot1 + up1, up1, 300 * kS),
                server_event_time_ns(boot2 + up2, up2, 300 * kS));
    }
  }
}

// ---- TimestampGranularitySeconds in recorder.conf ---------------------------------------

class GranularitySettingTest : public ::testing::Test {
 protected:
  GranularitySettingTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("metrics-test-granularity-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~GranularitySettingTest() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& text) {
    auto p = dir_ / "recorder.conf";
    std::ofstream(p) << text;
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(GranularitySettingTest, DefaultValidAndInvalid) {
  EXPECT_EQ(config::RecorderSettings{}.timestamp_granularity_seconds, 3600u);
  EXPECT_EQ(kDefaultTimestampGranularitySeconds, 3600);
  auto missing = config::read_recorder_settings(dir_ / "none.conf");
  EXPECT_EQ(missing.timestamp_granularity_seconds, 3600u);

  for (const char* good : {"0", "1", "60", "86400"}) {
    auto s = config::read_recorder_settings(
        write(std::string("[Recorder]\nTimestampGranularitySeconds=") + good + "\n"));
    EXPECT_TRUE(s.warnings.empty()) << good;
    EXPECT_EQ(s.timestamp_granularity_seconds, std::stoul(good));
  }
  for (const char* bad : {"86401", "-1", "hour", "1.5"}) {
    auto s = config::read_recorder_settings(
        write(std::string("[Recorder]\nTimestampGranularitySeconds=") + bad + "\n"));
    ASSERT_EQ(s.warnings.size(), 1u) << bad;
    EXPECT_NE(s.warnings[0].find("TimestampGranularitySeconds"), std::string::npos);
    EXPECT_EQ(s.timestamp_granularity_seconds, 3600u);
  }
}

}  // namespace
}  // namespace metrics
