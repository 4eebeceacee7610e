// SPDX-License-Identifier: GPL-2.0-or-later
// The upload schedule's decisions (upload_schedule.hpp), with plain numbers for the
// clock and a fixed random draw.
#include "upload_schedule.hpp"

#include <gtest/gtest.h>

namespace metrics::upload {
namespace {

constexpr int64_t kS = kNsPerSecond;
constexpr int64_t kInterval = 30 * 60 * kS;
constexpr int64_t kStart = 1000 * kS;

Rng fixed(double u) {
  return [u] { return u; };
}

Conditions online() {
  Conditions c;
  c.granted = true;
  c.has_server_base = true;
  c.network_available = true;
  return c;
}

class ScheduleTest : public ::testing::Test {
 protected:
  ScheduleTest() : schedule_(fixed(0.5)) {
    schedule_.set_interval(kInterval);
    schedule_.granted(kStart);
  }
  Schedule schedule_;
};

TEST(SessionBlockerTest, NamesWhatStopsAnUploadInOrder) {
  Conditions c;
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kUploadingDisabled);
  c.permissions_problem = "permissions file unreadable";
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kConfigurationInvalid);
  EXPECT_EQ(session_blocker(c)->message, "permissions file unreadable");

  c = online();
  EXPECT_FALSE(session_blocker(c).has_value());
  c.network_metered = true;
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kNetworkMetered);
  c.allow_metered = true;
  EXPECT_FALSE(session_blocker(c).has_value());
  c.network_available = false;
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kNetworkUnavailable);
  c.upload_problem = "ProxyUrl is not a URL";
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kUploadConfigurationInvalid);
  c.has_server_base = false;
  c.url_problem = "server_url is not https";
  EXPECT_EQ(session_blocker(c)->code, ErrorCode::kInvalidServerUrl);
  EXPECT_EQ(session_blocker(c)->message, "server_url is not https");
  EXPECT_TRUE(is_configuration_blocker(*session_blocker(c)));
  EXPECT_FALSE(is_configuration_blocker(Error{ErrorCode::kNetworkMetered, ""}));
}

TEST_F(ScheduleTest, FirstSlotIsARandomPhaseOfTheInterval) {
  ASSERT_TRUE(schedule_.next_slot().has_value());
  EXPECT_EQ(*schedule_.next_slot(), kStart + kInterval / 2);
  EXPECT_TRUE(schedule_.take_slot_change());
  EXPECT_FALSE(schedule_.take_slot_change());

  const Plan plan = schedule_.plan(kStart, std::nullopt, false);
  EXPECT_EQ(plan.action, Plan::Action::Sleep);
  EXPECT_EQ(plan.wake_at, kStart + kInterval / 2);
  EXPECT_EQ(plan.state, UploadState::kIdle);
}

TEST_F(ScheduleTest, ASlotThatCameStartsABackgroundSessionAndTheNextIsAnIntervalLater) {
  const int64_t at = kStart + kInterval / 2;
  EXPECT_FALSE(schedule_.due(at - 1));
  EXPECT_TRUE(schedule_.due(at));
  EXPECT_EQ(schedule_.plan(at, std::nullopt, false).action, Plan::Action::StartBackground);

  // The session took 7 s: the next slot counts from its end (u = 0.5: no jitter).
  const SessionEnd end = schedule_.session_finished(at + 7 * kS, Outcome::Success, std::nullopt,
                                                    "https://example.org/", "production");
  EXPECT_FALSE(end.pause_started);
  EXPECT_EQ(*schedule_.next_slot(), at + 7 * kS + kInterval);
  EXPECT_EQ(schedule_.failures(), 0U);
}

TEST_F(ScheduleTest, JitterMovesTheSlotByAQuarterOfTheInterval) {
  Schedule early(fixed(0.0));
  early.set_interval(kInterval);
  early.granted(kStart);
  EXPECT_EQ(*early.next_slot(), kStart);
  early.session_finished(kStart, Outcome::Success, std::nullopt, "b", "e");
  EXPECT_EQ(*early.next_slot(), kStart + kInterval * 3 / 4);
}

TEST_F(ScheduleTest, TransientFailuresBackOffExponentiallyAndRetryAfterWins) {
  const int64_t at = kStart + kInterval / 2;
  // First failure: half of the 30 s window.
  schedule_.session_finished(at, Outcome::Retry, std::nullopt, "b", "e");
  EXPECT_EQ(*schedule_.next_slot(), at + 15 * kS);
  EXPECT_EQ(schedule_.failures(), 1U);
  EXPECT_EQ(schedule_.plan(at, std::nullopt, false).state, UploadState::kRetrying);
  // Second: the window doubled.
  schedule_.session_finished(at, Outcome::Retry, std::nullopt, "b", "e");
  EXPECT_EQ(*schedule_.next_slot(), at + 30 * kS);
  // The server's Retry-After (10 min) is longer than the backoff (60 s): it wins.
  schedule_.session_finished(at, Outcome::Retry, 600 * kS, "b", "e");
  EXPECT_EQ(*schedule_.next_slot(), at + 600 * kS);
  // A shorter Retry-After than the backoff does not shorten it.
  schedule_.session_finished(at, Outcome::Retry, 1 * kS, "b", "e");
  EXPECT_EQ(*schedule_.next_slot(), at + 120 * kS);
  EXPECT_EQ(schedule_.failures(), 4U);
  // A success ends the backoff.
  schedule_.session_finished(at, Outcome::Success, std::nullopt, "b", "e");
  EXPECT_EQ(schedule_.failures(), 0U);
  EXPECT_EQ(*schedule_.next_slot(), at + kInterval);
  EXPECT_EQ(schedule_.plan(at, std::nullopt, false).state, UploadState::kIdle);
}

TEST_F(ScheduleTest, FatalWaitsAWholeIntervalButCountsAsAFailure) {
  schedule_.session_finished(kStart, Outcome::Fatal, std::nullopt, "b", "e");
  EXPECT_EQ(*schedule_.next_slot(), kStart + kInterval);
  EXPECT_EQ(schedule_.failures(), 1U);
}

TEST_F(ScheduleTest, OfflineAndMeteredStopTheTimerAndKeepTheSlot) {
  const int64_t slot = *schedule_.next_slot();
  Plan plan = schedule_.plan(slot, Error{ErrorCode::kNetworkUnavailable, "down"}, false);
  EXPECT_EQ(plan.action, Plan::Action::Stop);
  EXPECT_EQ(plan.state, UploadState::kOffline);
  EXPECT_FALSE(plan.configuration_blocked);
  plan = schedule_.plan(slot, Error{ErrorCode::kNetworkMetered, "metered"}, true);
  EXPECT_EQ(plan.action, Plan::Action::Stop);
  EXPECT_EQ(plan.state, UploadState::kMetered);
  // The missed slot fires once the network is back, not a slot later.
  EXPECT_EQ(*schedule_.next_slot(), slot);
  EXPECT_EQ(schedule_.plan(slot + 3600 * kS, std::nullopt, false).action,
            Plan::Action::StartBackground);
}

TEST_F(ScheduleTest, AForcedUploadStartsAtOnceWhenNothingBlocksIt) {
  const Plan plan = schedule_.plan(kStart, std::nullopt, true);
  EXPECT_EQ(plan.action, Plan::Action::StartForced);
  EXPECT_EQ(plan.state, UploadState::kUploading);
}

TEST_F(ScheduleTest, AnUnusableServerUrlPausesAndAnswersForcedUploads) {
  const Plan plan = schedule_.plan(kStart, Error{ErrorCode::kInvalidServerUrl, "bad"}, true);
  EXPECT_EQ(plan.action, Plan::Action::Stop);
  EXPECT_EQ(plan.state, UploadState::kPaused);
  EXPECT_TRUE(plan.configuration_blocked);
}

TEST_F(ScheduleTest, AnUnusableRecorderConfKeepsTheSlotsGoingSoAFixIsSeen) {
  const int64_t slot = *schedule_.next_slot();
  Plan plan =
      schedule_.plan(kStart, Error{ErrorCode::kUploadConfigurationInvalid, "bad proxy"}, false);
  EXPECT_EQ(plan.action, Plan::Action::Sleep);
  EXPECT_EQ(plan.wake_at, slot);
  EXPECT_EQ(plan.state, UploadState::kPaused);
  EXPECT_TRUE(plan.configuration_blocked);
  // At the slot, still unusable: the next slot is planned, nothing starts.
  plan = schedule_.plan(slot, Error{ErrorCode::kUploadConfigurationInvalid, "bad proxy"}, false);
  EXPECT_EQ(plan.action, Plan::Action::Sleep);
  EXPECT_EQ(plan.wake_at, slot + kInterval);
}

TEST_F(ScheduleTest, AWrongDestinationPausesUntilItChanges) {
  const SessionEnd end = schedule_.session_finished(kStart, Outcome::Pause, std::nullopt,
                                                    "https://wrong.example/", "production");
  EXPECT_TRUE(end.pause_started);
  EXPECT_TRUE(schedule_.paused());
  // Fail closed: no slot, however long we wait.
  Plan plan = schedule_.plan(kStart + 100 * kInterval, std::nullopt, false);
  EXPECT_EQ(plan.action, Plan::Action::Stop);
  EXPECT_EQ(plan.state, UploadState::kPaused);
  EXPECT_FALSE(schedule_.next_slot().has_value());
  // Refused again (a forced upload): the pause is not new.
  EXPECT_FALSE(schedule_
                   .session_finished(kStart, Outcome::Pause, std::nullopt, "https://wrong.example/",
                                     "production")
                   .pause_started);
  // The same destination again changes nothing; another one ends the pause.
  EXPECT_FALSE(schedule_.destination_changed("https://wrong.example/", "production"));
  EXPECT_TRUE(schedule_.paused());
  EXPECT_TRUE(schedule_.destination_changed("https://wrong.example/", "test"));
  EXPECT_FALSE(schedule_.paused());
  plan = schedule_.plan(kStart, std::nullopt, false);
  EXPECT_EQ(plan.action, Plan::Action::Sleep);
}

TEST_F(ScheduleTest, AForcedUploadRunsWhilePausedAndItsSuccessEndsThePause) {
  schedule_.session_finished(kStart, Outcome::Pause, std::nullopt, "b", "e");
  EXPECT_EQ(schedule_.plan(kStart, std::nullopt, true).action, Plan::Action::StartForced);
  const SessionEnd end =
      schedule_.session_finished(kStart, Outcome::Success, std::nullopt, "b", "e");
  EXPECT_TRUE(end.pause_lifted);
  EXPECT_FALSE(schedule_.paused());
  EXPECT_EQ(*schedule_.next_slot(), kStart + kInterval);
}

TEST_F(ScheduleTest, RevokingForgetsTheSlotAndTheFailures) {
  schedule_.session_finished(kStart, Outcome::Retry, std::nullopt, "b", "e");
  schedule_.take_slot_change();
  schedule_.revoked();
  EXPECT_FALSE(schedule_.next_slot().has_value());
  EXPECT_EQ(schedule_.failures(), 0U);
  EXPECT_TRUE(schedule_.take_slot_change());
  // Granted again: a new random phase.
  schedule_.granted(kStart + kS);
  EXPECT_EQ(*schedule_.next_slot(), kStart + kS + kInterval / 2);
}

}  // namespace
}  // namespace metrics::upload
