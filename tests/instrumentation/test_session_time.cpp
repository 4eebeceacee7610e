// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/session_time.hpp"

#include <gtest/gtest.h>

using namespace metrics::instrumentation;
using Kind = SessionAction::Kind;

TEST(SessionTime, HumanUsersOnly) {
  EXPECT_FALSE(is_human_uid(0));
  EXPECT_FALSE(is_human_uid(42)) << "gdm";
  EXPECT_FALSE(is_human_uid(999));
  EXPECT_TRUE(is_human_uid(1000));
  EXPECT_TRUE(is_human_uid(60000));
  EXPECT_FALSE(is_human_uid(61184)) << "systemd dynamic user";
  EXPECT_FALSE(is_human_uid(65534)) << "nobody";
}

TEST(SessionTime, UserNewStartsOnceAndUserRemovedStops) {
  SessionTracker tracker;
  EXPECT_EQ(tracker.user_new(1000), (std::vector<SessionAction>{{Kind::Start, 1000}}));
  EXPECT_TRUE(tracker.user_new(1000).empty()) << "a second UserNew must not double-count";
  EXPECT_EQ(tracker.user_new(1001), (std::vector<SessionAction>{{Kind::Start, 1001}}));
  EXPECT_EQ(tracker.user_removed(1000), (std::vector<SessionAction>{{Kind::Stop, 1000}}));
  EXPECT_TRUE(tracker.user_removed(1000).empty());
  EXPECT_EQ(tracker.timed_users(), (std::set<uint32_t>{1001}));
}

TEST(SessionTime, NoTimerForSystemUsers) {
  SessionTracker tracker;
  EXPECT_TRUE(tracker.user_new(0).empty());
  EXPECT_TRUE(tracker.user_new(42).empty());
  EXPECT_TRUE(tracker.user_new(65534).empty());
  EXPECT_TRUE(tracker.user_removed(42).empty());
  EXPECT_TRUE(tracker.timed_users().empty());
}

TEST(SessionTime, ReconcileWithListUsers) {
  SessionTracker tracker;
  EXPECT_EQ(tracker.reconcile({42, 1002, 1000}),
            (std::vector<SessionAction>{{Kind::Start, 1000}, {Kind::Start, 1002}}));
  // logind restarted; 1000 logged out meanwhile, 1005 logged in.
  EXPECT_EQ(tracker.reconcile({1002, 1005}),
            (std::vector<SessionAction>{{Kind::Stop, 1000}, {Kind::Start, 1005}}));
  EXPECT_TRUE(tracker.reconcile({1005, 1002}).empty());
}

TEST(SessionTime, StopAllAtShutdown) {
  SessionTracker tracker;
  (void)tracker.reconcile({1000, 1001});
  EXPECT_EQ(tracker.stop_all(),
            (std::vector<SessionAction>{{Kind::Stop, 1000}, {Kind::Stop, 1001}}));
  EXPECT_TRUE(tracker.stop_all().empty());
}
