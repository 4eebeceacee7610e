// SPDX-License-Identifier: GPL-2.0-or-later
#include "uuid.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace metrics {
namespace {

TEST(Uuid, ParseFormatRoundTrip) {
  for (const char* text :
       {"49d0451a-f706-4f50-81d2-70cc0ec923a4", "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff", "bf7e8aed-2932-455c-a28e-d407cfd5aaba"}) {
    auto u = Uuid::parse(text);
    ASSERT_TRUE(u.has_value()) << text;
    EXPECT_EQ(u->to_string(), text);
  }
}

TEST(Uuid, ParseGivesRfc4122ByteOrder) {
  auto u = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4");
  ASSERT_TRUE(u.has_value());
  const std::array<uint8_t, 16> expected = {0x49, 0xd0, 0x45, 0x1a, 0xf7, 0x06, 0x4f, 0x50,
                                            0x81, 0xd2, 0x70, 0xcc, 0x0e, 0xc9, 0x23, 0xa4};
  EXPECT_EQ(u->bytes, expected);
}

TEST(Uuid, ParseAcceptsUpperCaseAndFormatsLower) {
  auto u = Uuid::parse("49D0451A-F706-4F50-81D2-70CC0EC923A4");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->to_string(), "49d0451a-f706-4f50-81d2-70cc0ec923a4");
  EXPECT_EQ(u, Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4"));
}

TEST(Uuid, ParseRejectsBadStrings) {
  for (const char* bad : {
           "",
           "49d0451a-f706-4f50-81d2-70cc0ec923a",    // one digit short
           "49d0451a-f706-4f50-81d2-70cc0ec923a4a",  // one digit long
           "49d0451af7064f5081d270cc0ec923a4",       // no dashes
           "49d0451a-f7064-f50-81d2-70cc0ec923a4",   // dash misplaced
           "49d0451a_f706_4f50_81d2_70cc0ec923a4",   // wrong separator
           "49d0451g-f706-4f50-81d2-70cc0ec923a4",   // non-hex digit
           "49d0451a-f706-4f50-81d2-70cc0ec923a ",   // trailing space in place of a digit
           " 49d0451a-f706-4f50-81d2-70cc0ec923a4",  // leading space
           "{49d0451a-f706-4f50-81d2-70cc0ec923a4}",
       }) {
    EXPECT_FALSE(Uuid::parse(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(Uuid, FromBytesRequiresSixteen) {
  const std::array<uint8_t, 17> raw = {0x49, 0xd0, 0x45, 0x1a, 0xf7, 0x06, 0x4f, 0x50, 0x81,
                                       0xd2, 0x70, 0xcc, 0x0e, 0xc9, 0x23, 0xa4, 0x00};
  auto u = Uuid::from_bytes(std::span<const uint8_t>(raw.data(), 16));
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->to_string(), "49d0451a-f706-4f50-81d2-70cc0ec923a4");
  EXPECT_FALSE(Uuid::from_bytes(std::span<const uint8_t>(raw.data(), 15)).has_value());
  EXPECT_FALSE(Uuid::from_bytes(std::span<const uint8_t>(raw.data(), 17)).has_value());
  EXPECT_FALSE(Uuid::from_bytes({}).has_value());
}

// Monthly ids of the daily aggregates, as the reference client sends them
// (see tests/fixtures/vectors/v3-aggregates.txt).
TEST(Uuid, MonthlyAppUsage) {
  auto daily = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4");
  ASSERT_TRUE(daily.has_value());
  EXPECT_EQ(daily->monthly().to_string(), "22cdaa7c-e125-5f65-a535-c8345e5434f2");
}

TEST(Uuid, MonthlySessionTime) {
  auto daily = Uuid::parse("5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f");
  ASSERT_TRUE(daily.has_value());
  EXPECT_EQ(daily->monthly().to_string(), "2ee16e97-2993-5dcc-b9d2-841152520ad6");
}

TEST(Uuid, MonthlyIsVersion5Rfc4122) {
  auto m = Uuid::parse("5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f")->monthly();
  EXPECT_EQ(m.bytes[6] >> 4, 5);
  EXPECT_EQ(m.bytes[8] & 0xc0, 0x80);
  EXPECT_NE(m, *Uuid::parse("5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f"));
}

}  // namespace
}  // namespace metrics
