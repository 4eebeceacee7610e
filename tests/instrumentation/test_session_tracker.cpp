// SPDX-License-Identifier: GPL-2.0-or-later
// The tracker: a listed application runs while any of its units runs (counted once),
// unlisted applications are never kept, and stopping everything stops each once.
#include <gtest/gtest.h>

#include "app_usage_tracker.hpp"

namespace metrics::instrumentation::session {
namespace {

using Actions = std::vector<AppAction>;

AppAction start(const char* app) {
  return {AppAction::Kind::Start, app};
}
AppAction stop(const char* app) {
  return {AppAction::Kind::Stop, app};
}

class Tracker : public ::testing::Test {
 protected:
  AppUsageTracker tracker_{{"org.gnome.Builder", "code", "jetbrains-idea-ce"}};
};

TEST_F(Tracker, OnlyListedApplicationsAreSeen) {
  EXPECT_EQ(tracker_.listed_application("app-gnome-org.gnome.Builder-1.scope"),
            "org.gnome.Builder");
  EXPECT_EQ(tracker_.listed_application("app-gnome-jetbrains\\x2didea\\x2dce-2.scope"),
            "jetbrains-idea-ce");
  EXPECT_EQ(tracker_.listed_application("app-gnome-org.mozilla.firefox-3.scope"), std::nullopt);
  EXPECT_EQ(tracker_.listed_application("app-gnome-org.gnome.builder-3.scope"), std::nullopt);
  // An unlisted application fed in anyway is not kept.
  EXPECT_EQ(tracker_.unit_state("/u/1", "org.mozilla.firefox", "active"), Actions{});
  EXPECT_FALSE(tracker_.tracks("/u/1"));
}

TEST_F(Tracker, SeveralUnitsOfOneApplicationCountOnce) {
  EXPECT_EQ(tracker_.unit_state("/u/1", "code", "active"), Actions{start("code")});
  EXPECT_EQ(tracker_.unit_state("/u/2", "code", "active"), Actions{});
  EXPECT_EQ(tracker_.unit_state("/u/1", "code", "active"), Actions{});  // a repeated state
  EXPECT_EQ(tracker_.running_applications(), std::vector<std::string>{"code"});
  EXPECT_EQ(tracker_.unit_removed("/u/1"), Actions{});
  EXPECT_EQ(tracker_.unit_removed("/u/2"), Actions{stop("code")});
  EXPECT_EQ(tracker_.unit_removed("/u/2"), Actions{});
  EXPECT_TRUE(tracker_.running_applications().empty());
}

TEST_F(Tracker, ActiveStatesThatRunAndThatDoNot) {
  for (const char* running : {"active", "reloading", "activating", "deactivating", "refreshing"})
    EXPECT_TRUE(unit_state_is_running(running)) << running;
  for (const char* stopped : {"inactive", "failed", "maintenance", "", "Active"})
    EXPECT_FALSE(unit_state_is_running(stopped)) << stopped;
  // A unit that fails (and stays loaded) stops its application; active again starts it.
  EXPECT_EQ(tracker_.unit_state("/u/1", "org.gnome.Builder", "inactive"), Actions{});
  EXPECT_EQ(tracker_.unit_state("/u/1", "org.gnome.Builder", "active"),
            Actions{start("org.gnome.Builder")});
  EXPECT_EQ(tracker_.unit_state("/u/1", "org.gnome.Builder", "failed"),
            Actions{stop("org.gnome.Builder")});
  EXPECT_EQ(tracker_.unit_state("/u/1", "org.gnome.Builder", "activating"),
            Actions{start("org.gnome.Builder")});
}

TEST_F(Tracker, StopAllStopsEachRunningApplicationOnce) {
  (void)tracker_.unit_state("/u/1", "code", "active");
  (void)tracker_.unit_state("/u/2", "code", "active");
  (void)tracker_.unit_state("/u/3", "org.gnome.Builder", "active");
  EXPECT_EQ(tracker_.stop_all(), (Actions{stop("code"), stop("org.gnome.Builder")}));
  EXPECT_EQ(tracker_.stop_all(), Actions{});
  EXPECT_FALSE(tracker_.tracks("/u/1"));
  EXPECT_EQ(tracker_.unit_state("/u/1", "code", "active"), Actions{start("code")});
}

}  // namespace
}  // namespace metrics::instrumentation::session
