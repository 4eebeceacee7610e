// SPDX-License-Identifier: GPL-2.0-or-later
#include "instrumentation_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.hpp"

using namespace metrics::instrumentation;
using metrics::testing::TempDir;

namespace {

class ConfigTest : public ::testing::Test {
 protected:
  InstrumentationConfig read(const std::string& text) {
    std::ofstream(dir_.path() / "instrumentation.conf") << text;
    return read_instrumentation_config(dir_.path() / "instrumentation.conf");
  }
  static bool contains(const std::vector<std::string>& warnings, const std::string& part) {
    for (const auto& w : warnings)
      if (w.find(part) != std::string::npos) return true;
    return false;
  }
  TempDir dir_;
};

}  // namespace

TEST_F(ConfigTest, MissingFileEnablesEverythingSilently) {
  auto config = read_instrumentation_config(dir_.path() / "absent.conf");
  for (const auto& entry : kCatalog) EXPECT_TRUE(config.is_enabled(entry.id));
  EXPECT_TRUE(config.warnings.empty());
}

TEST_F(ConfigTest, AdministratorSwitchesCollectorsOff) {
  auto config = read(
      "# site policy\n[Collectors]\nhardware-model=false\nsystem-locale=false\n"
      "primary-storage=true\n");
  EXPECT_FALSE(config.is_enabled(CollectorId::HardwareModel));
  EXPECT_FALSE(config.is_enabled(CollectorId::SystemLocale));
  EXPECT_TRUE(config.is_enabled(CollectorId::PrimaryStorage));
  EXPECT_TRUE(config.is_enabled(CollectorId::HardwareInfo));
  EXPECT_TRUE(config.is_enabled(CollectorId::StartupFinished));
  EXPECT_TRUE(config.is_enabled(CollectorId::SessionTime));
  EXPECT_TRUE(config.warnings.empty());
}

TEST_F(ConfigTest, NonBooleanSwitchesOffAndSaysHowToFix) {
  auto config = read("[Collectors]\nhardware-info=flase\n");
  EXPECT_FALSE(config.is_enabled(CollectorId::HardwareInfo));
  EXPECT_TRUE(config.is_enabled(CollectorId::SystemLocale));
  EXPECT_TRUE(
      contains(config.warnings, "hardware-info='flase' is not a boolean (use true or false)"));
}

TEST_F(ConfigTest, UnknownKeysAndGroupsAreIgnoredWithWarnings) {
  auto config = read("[Collectors]\nhardware_model=false\n[Collector]\nsystem-locale=false\n");
  EXPECT_TRUE(config.is_enabled(CollectorId::HardwareModel)) << "a typo does not match";
  EXPECT_TRUE(config.is_enabled(CollectorId::SystemLocale));
  EXPECT_TRUE(
      contains(config.warnings, "hardware_model is not a collector (known: startup-finished"));
  EXPECT_TRUE(contains(config.warnings, "group [Collector] is not used"));
}

TEST_F(ConfigTest, UnparsableFileSwitchesEverythingOff) {
  auto config = read("hardware-model=false\n");  // a key outside any group
  for (const auto& entry : kCatalog) EXPECT_FALSE(config.is_enabled(entry.id));
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_NE(config.warnings[0].find("every collector is off until it is fixed"), std::string::npos);
}

TEST_F(ConfigTest, UnreadableFileSwitchesEverythingOff) {
  // A directory where the file should be: exists, cannot be read.
  std::filesystem::create_directories(dir_.path() / "dir.conf");
  auto config = read_instrumentation_config(dir_.path() / "dir.conf");
  for (const auto& entry : kCatalog) EXPECT_FALSE(config.is_enabled(entry.id));
  EXPECT_EQ(config.warnings.size(), 1u);
}
