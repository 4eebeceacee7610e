// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel_boot_id.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.hpp"

namespace metrics {
namespace {

constexpr const char* kId = "5f0f4c2e-8e0e-4c0b-9a51-1b2b3c4d5e6f";

TEST(KernelBootId, TheFirstLineIsTheIdWhenItIsAUuid) {
  EXPECT_EQ(parse_boot_id(std::string(kId) + "\n"), kId);
  EXPECT_EQ(parse_boot_id(std::string(kId) + " \nsecond line"), kId);
  EXPECT_EQ(parse_boot_id(kId), kId);
}

TEST(KernelBootId, AnythingElseIsUnknown) {
  EXPECT_EQ(parse_boot_id(""), std::nullopt);
  EXPECT_EQ(parse_boot_id("unknown\n"), std::nullopt);
  EXPECT_EQ(parse_boot_id(std::string("\n") + kId), std::nullopt);
  EXPECT_EQ(parse_boot_id(std::string(kId).substr(1)), std::nullopt);
}

TEST(KernelBootId, TheFileIsReadAndAMissingOneIsUnknown) {
  testing::TempDir dir;
  const auto file = dir.path() / "boot_id";
  std::ofstream(file) << kId << '\n';
  EXPECT_EQ(read_boot_id(file), kId);
  EXPECT_EQ(read_boot_id(dir.path() / "nowhere"), std::nullopt);
}

}  // namespace
}  // namespace metrics
