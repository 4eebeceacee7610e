// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_limiter.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace metrics {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(RateLimiter, AllowsBurstThenRefuses) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/5);
  const int64_t now = 100 * kSecond;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.try_take(1000, 1, now)) << "event " << i;
  EXPECT_FALSE(limiter.try_take(1000, 1, now));
  EXPECT_FALSE(limiter.try_take(1000, 1, now));
}

TEST(RateLimiter, CostLargerThanRemainingTokensIsRefusedWithoutTakingAny) {
  RateLimiter limiter(0, 10);
  EXPECT_TRUE(limiter.try_take(7, 8, 0));
  EXPECT_FALSE(limiter.try_take(7, 3, 0));  // 2 left
  EXPECT_TRUE(limiter.try_take(7, 2, 0));   // the refusal took nothing
  EXPECT_FALSE(limiter.try_take(7, 1, 0));
}

TEST(RateLimiter, RefillsOverTime) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/4);
  int64_t now = 10 * kSecond;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(limiter.try_take(1000, 1, now));
  ASSERT_FALSE(limiter.try_take(1000, 1, now));

  now += kSecond / 2;  // one token back
  EXPECT_TRUE(limiter.try_take(1000, 1, now));
  EXPECT_FALSE(limiter.try_take(1000, 1, now));

  now += kSecond;  // two tokens back
  EXPECT_TRUE(limiter.try_take(1000, 1, now));
  EXPECT_TRUE(limiter.try_take(1000, 1, now));
  EXPECT_FALSE(limiter.try_take(1000, 1, now));
}

TEST(RateLimiter, RefillIsCappedAtBurst) {
  RateLimiter limiter(/*per_second=*/100, /*burst=*/3);
  int64_t now = 0;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.try_take(1, 1, now));
  now += 3600 * kSecond;  // an hour idle would be 360000 tokens without the cap
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_take(1, 1, now)) << i;
  EXPECT_FALSE(limiter.try_take(1, 1, now));
}

TEST(RateLimiter, TimeGoingBackwardsDoesNotRefill) {
  RateLimiter limiter(1, 2);
  ASSERT_TRUE(limiter.try_take(1, 2, 50 * kSecond));
  EXPECT_FALSE(limiter.try_take(1, 1, 10 * kSecond));
}

TEST(RateLimiter, UidsHaveIndependentBuckets) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/3);
  const int64_t now = kSecond;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.try_take(1000, 1, now));
  EXPECT_FALSE(limiter.try_take(1000, 1, now));
  // Another uid still has its full burst.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_take(1001, 1, now)) << i;
  EXPECT_FALSE(limiter.try_take(1001, 1, now));
  // And the first uid is still empty.
  EXPECT_FALSE(limiter.try_take(1000, 1, now));
}

TEST(RateLimiter, SetLimitsAppliesToLaterRefills) {
  RateLimiter limiter(1, 2);
  ASSERT_TRUE(limiter.try_take(5, 2, 0));
  limiter.set_limits(10, 20);
  // One second at the new rate gives 10 tokens.
  EXPECT_TRUE(limiter.try_take(5, 10, kSecond));
  EXPECT_FALSE(limiter.try_take(5, 1, kSecond));
}

TEST(RateLimiter, ManyUidsStayIndependent) {
  RateLimiter limiter(0, 1);
  for (uint32_t uid = 0; uid < 5000; ++uid) ASSERT_TRUE(limiter.try_take(uid, 1, 0)) << uid;
  for (uint32_t uid = 0; uid < 5000; ++uid) EXPECT_FALSE(limiter.try_take(uid, 1, 0)) << uid;
}

TEST(RateLimiter, TakeUpToGrantsWhatTheBucketHolds) {
  RateLimiter limiter(/*per_second=*/10, /*burst=*/100);
  EXPECT_EQ(limiter.take_up_to(3, 30, 0), 30u);
  EXPECT_EQ(limiter.take_up_to(3, 1000, 0), 70u);  // the rest, not more
  EXPECT_EQ(limiter.take_up_to(3, 5, 0), 0u);
  limiter.give_back(3, 20);  // unused: back in the bucket
  EXPECT_EQ(limiter.take_up_to(3, 1000, 0), 20u);
  EXPECT_EQ(limiter.take_up_to(3, 1000, kSecond), 10u);  // one second's refill
  limiter.give_back(3, 1e9);                             // capped at the burst
  EXPECT_EQ(limiter.take_up_to(3, 1000, kSecond), 100u);
}

TEST(RateLimiter, WaitIsTheTimeUntilTheBucketHoldsTheCost) {
  RateLimiter limiter(/*per_second=*/100, /*burst=*/200);
  EXPECT_EQ(limiter.wait_ns(1, 50, 0), 0);  // a full bucket: no wait
  ASSERT_EQ(limiter.take_up_to(1, 200, 0), 200u);
  EXPECT_EQ(limiter.wait_ns(1, 50, 0), kSecond / 2);  // 50 tokens at 100 a second
  EXPECT_EQ(limiter.wait_ns(1, 50, kSecond / 4), kSecond / 4);
  EXPECT_EQ(limiter.wait_ns(1, 50, kSecond / 2), 0);
  // Waiting takes nothing: the tokens are still there to take.
  EXPECT_TRUE(limiter.try_take(1, 50, kSecond / 2));
}

TEST(RateLimiter, PruneForgetsOnlyRefilledBuckets) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/2);
  ASSERT_TRUE(limiter.try_take(1, 2, 0));
  ASSERT_TRUE(limiter.try_take(2, 1, 0));
  EXPECT_EQ(limiter.size(), 2u);
  limiter.prune(kSecond);  // uid 2 is full again, uid 1 is not
  EXPECT_EQ(limiter.size(), 1u);
  EXPECT_FALSE(limiter.try_take(1, 2, kSecond));  // its debt survived the pruning
  limiter.prune(10 * kSecond);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, MapStaysSmallUnderManyUids) {
  // Each uid takes one token and comes back only after its bucket refilled: the map never
  // holds much more than the uids still owing tokens.
  RateLimiter limiter(/*per_second=*/1000, /*burst=*/1);
  for (uint32_t uid = 0; uid < 100000; ++uid)
    ASSERT_TRUE(limiter.try_take(uid, 1, static_cast<int64_t>(uid) * kSecond / 100));
  EXPECT_LE(limiter.size(), 128u);
}

}  // namespace
}  // namespace metrics
