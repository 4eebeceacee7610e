// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's gate to the registry: no registry lets everything through; enforce
// refuses, permissive stores and counts; the journal lines are rate-limited and say how
// many were left out; reloading replaces what the gate knows.
#include "registry_gate.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

const fs::path kValid = fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / "valid";
const Uuid kFreeMemory = Uuid::parse("804c992a-4c53-4024-9f00-e48c4c387e03").value();  // u
const Uuid kUnknown = Uuid::parse("5b77078c-1f85-42ae-a94f-3a927caac089").value();
constexpr int64_t kSecond = 1'000'000'000;

GVariantPtr u32(uint32_t v) {
  return adopt_variant(g_variant_new_uint32(v));
}

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_.on_notice = [this](const GateNotice& n) { notices_.push_back(n); };
  }
  Gate gate_;
  std::vector<GateNotice> notices_;
};

TEST_F(GateTest, WithoutARegistryEverythingPasses) {
  EXPECT_FALSE(gate_.installed());
  EXPECT_EQ(gate_.registry(), nullptr);
  const Verdict v = gate_.decide(kUnknown, Kind::Singular, nullptr);
  EXPECT_TRUE(v.store);
  EXPECT_FALSE(v.problem);
  EXPECT_FALSE(gate_.reload());
}

TEST_F(GateTest, EnforceRefusesWhatTheRegistryDoesNotAllow) {
  gate_.install(Registry::load(kValid), Mode::Enforce);
  ASSERT_TRUE(gate_.installed());
  EXPECT_EQ(gate_.mode(), Mode::Enforce);
  auto good = u32(512);
  EXPECT_TRUE(gate_.decide(kFreeMemory, Kind::Singular, good.get()).store);
  const Verdict unknown = gate_.decide(kUnknown, Kind::Singular, nullptr);
  EXPECT_FALSE(unknown.store);
  ASSERT_TRUE(unknown.problem);
  EXPECT_EQ(unknown.problem->code, ErrorCode::kUnknownEvent);
  const Verdict wrong = gate_.decide(kFreeMemory, Kind::Singular, nullptr);
  EXPECT_FALSE(wrong.store);
  EXPECT_EQ(wrong.problem->code, ErrorCode::kWrongPayloadType);
  const Verdict kind = gate_.decide(kFreeMemory, Kind::Aggregate, good.get());
  EXPECT_FALSE(kind.store);
  EXPECT_EQ(kind.problem->code, ErrorCode::kWrongEventKind);
}

TEST_F(GateTest, PermissiveStoresAndCountsWhatItWouldRefuse) {
  gate_.install(Registry::load(kValid), Mode::Permissive);
  const Verdict v = gate_.decide(kUnknown, Kind::Singular, nullptr);
  EXPECT_TRUE(v.store);
  ASSERT_TRUE(v.problem);
  EXPECT_EQ(v.problem->code, ErrorCode::kUnknownEvent);
  gate_.stored_anyway(*v.problem, "an unprivileged caller", 0);
  gate_.stored_anyway(*v.problem, "an unprivileged caller", 0);
  gate_.stored_anyway(Error{ErrorCode::kWrongPayloadType, "x"}, "an unprivileged caller", 0);
  EXPECT_EQ(gate_.stored_anyway_counts(),
            (std::map<ErrorCode, uint64_t>{{ErrorCode::kUnknownEvent, 2},
                                           {ErrorCode::kWrongPayloadType, 1}}));
  ASSERT_EQ(notices_.size(), 3u);
  EXPECT_TRUE(notices_[0].stored);
  EXPECT_EQ(notices_[0].message,
            "RegistryMode=permissive: stored an event of an unprivileged caller that enforce mode "
            "would refuse "
            "(UnknownEvent): " +
                v.problem->message);
}

TEST_F(GateTest, JournalLinesAreRateLimitedAndSayWhatWasLeftOut) {
  gate_.install(Registry(), Mode::Enforce);
  const Error problem{ErrorCode::kUnknownEvent, "event X is not in the metric registry"};
  for (int i = 0; i < 25; ++i) gate_.refused(problem, "root", 0);
  // A burst, then nothing until the budget refills.
  ASSERT_EQ(notices_.size(), static_cast<size_t>(Gate::kNoticeBurst));
  EXPECT_FALSE(notices_[0].stored);
  EXPECT_EQ(notices_[0].message, "refused an event of root: event X is not in the metric registry");
  const auto interval = static_cast<int64_t>(Gate::kNoticeIntervalSeconds * kSecond);
  gate_.refused(problem, "root", interval - kSecond);
  EXPECT_EQ(notices_.size(), 10u);
  gate_.refused(problem, "root", interval + kSecond);
  ASSERT_EQ(notices_.size(), 11u);
  EXPECT_EQ(notices_.back().message,
            "refused an event of root: event X is not in the metric registry (16 earlier "
            "messages like this left out)");
  // The count starts again after it was reported.
  gate_.refused(problem, "root", 3 * interval);
  ASSERT_EQ(notices_.size(), 12u);
  EXPECT_EQ(notices_.back().message,
            "refused an event of root: event X is not in the metric registry");
}

TEST_F(GateTest, SuppressedStoresAreStillCounted) {
  gate_.install(Registry(), Mode::Permissive);
  for (int i = 0; i < 100; ++i)
    gate_.stored_anyway(Error{ErrorCode::kUnknownEvent, "x"}, "root", 0);
  EXPECT_EQ(gate_.stored_anyway_counts().at(ErrorCode::kUnknownEvent), 100u);
  EXPECT_EQ(notices_.size(), 10u);
}

TEST_F(GateTest, ReloadReplacesWhatTheGateKnows) {
  testing::TempDir dir;
  fs::copy_file(kValid / "system.json", dir.path() / "system.json");
  gate_.install(Registry::load(dir.path()), Mode::Enforce);
  auto good = u32(1);
  EXPECT_TRUE(gate_.decide(kFreeMemory, Kind::Singular, good.get()).store);
  fs::remove(dir.path() / "system.json");
  auto report = gate_.reload();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->removed.size(), 2u);
  EXPECT_FALSE(gate_.decide(kFreeMemory, Kind::Singular, good.get()).store);
  EXPECT_EQ(gate_.mode(), Mode::Enforce);
}

}  // namespace
}  // namespace metrics::registry
