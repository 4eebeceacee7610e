// SPDX-License-Identifier: GPL-2.0-or-later
// Enforce and permissive: the recorder.conf keys, and what happens to an event the
// registry does not allow in each mode.
#include "registry_mode.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "registry.hpp"
#include "settings.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

TEST(RegistryMode, Names) {
  EXPECT_EQ(parse_mode("enforce"), Mode::Enforce);
  EXPECT_EQ(parse_mode("permissive"), Mode::Permissive);
  for (const char* bad : {"", "Enforce", "strict", "off", " enforce"})
    EXPECT_EQ(parse_mode(bad), std::nullopt) << bad;
  for (Mode mode : {Mode::Enforce, Mode::Permissive}) EXPECT_EQ(parse_mode(mode_name(mode)), mode);
}

TEST(RegistryMode, AllowedEventsAreStoredInBothModes) {
  for (Mode mode : {Mode::Enforce, Mode::Permissive}) {
    Verdict verdict = decide(mode, Ok());
    EXPECT_TRUE(verdict.store);
    EXPECT_FALSE(verdict.problem);
  }
}

TEST(RegistryMode, EnforceRefusesPermissiveStoresWithTheProblem) {
  const Error unknown{ErrorCode::kUnknownEvent, "event ... is not in the metric registry"};
  Verdict enforce = decide(Mode::Enforce, unknown);
  EXPECT_FALSE(enforce.store);
  ASSERT_TRUE(enforce.problem);
  EXPECT_EQ(enforce.problem->code, ErrorCode::kUnknownEvent);
  EXPECT_EQ(enforce.problem->message, unknown.message);

  Verdict permissive = decide(Mode::Permissive, unknown);
  EXPECT_TRUE(permissive.store);
  ASSERT_TRUE(permissive.problem);  // to be logged and counted
  EXPECT_EQ(permissive.problem->code, ErrorCode::kUnknownEvent);
}

// The whole path the recorder takes: registry check, then the mode's decision.
TEST(RegistryMode, WithTheRegistry) {
  const Registry registry =
      Registry::load(fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / "valid");
  const Uuid known = *Uuid::parse("804c992a-4c53-4024-9f00-e48c4c387e03");  // payload 'u'
  const Uuid unknown = *Uuid::parse("5b77078c-1f85-42ae-a94f-3a927caac089");
  GVariantPtr right = adopt_variant(g_variant_new_uint32(7));
  GVariantPtr wrong = adopt_variant(g_variant_new_string("7"));

  EXPECT_TRUE(decide(Mode::Enforce, registry.check(known, right.get())).store);
  Verdict wrong_type = decide(Mode::Enforce, registry.check(known, wrong.get()));
  EXPECT_FALSE(wrong_type.store);
  EXPECT_EQ(wrong_type.problem->code, ErrorCode::kWrongPayloadType);
  Verdict not_registered = decide(Mode::Enforce, registry.check(unknown, nullptr));
  EXPECT_FALSE(not_registered.store);
  EXPECT_EQ(not_registered.problem->code, ErrorCode::kUnknownEvent);

  EXPECT_TRUE(decide(Mode::Permissive, registry.check(known, wrong.get())).store);
  EXPECT_TRUE(decide(Mode::Permissive, registry.check(unknown, nullptr)).store);
}

// ---- recorder.conf [Recorder] RegistryMode and RegistryDirectory ------------------------

class RegistrySettings : public ::testing::Test {
 protected:
  config::RecorderSettings read(const std::string& text) {
    file_ = dir_.path() / "recorder.conf";
    std::ofstream(file_) << text;
    return config::read_recorder_settings(file_);
  }
  testing::TempDir dir_;
  fs::path file_;
};

TEST_F(RegistrySettings, DefaultsEnforceTheInstalledRegistry) {
  config::RecorderSettings defaults = config::read_recorder_settings(dir_.path() / "none.conf");
  EXPECT_EQ(defaults.registry_mode, "enforce");
  EXPECT_EQ(defaults.registry_directory, "");
  EXPECT_TRUE(defaults.warnings.empty());
  EXPECT_EQ(parse_mode(defaults.registry_mode), Mode::Enforce);

  config::RecorderSettings other = read("[Recorder]\nMaxTimersTotal=10\n");
  EXPECT_EQ(other.registry_mode, "enforce");
  EXPECT_EQ(other.registry_directory, "");
}

TEST_F(RegistrySettings, ReadsBothKeys) {
  config::RecorderSettings s =
      read("[Recorder]\nRegistryMode= permissive \nRegistryDirectory=/srv/metrics/registry.d\n");
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0];
  EXPECT_EQ(s.registry_mode, "permissive");
  EXPECT_EQ(parse_mode(s.registry_mode), Mode::Permissive);
  EXPECT_EQ(s.registry_directory, "/srv/metrics/registry.d");

  EXPECT_EQ(read("[Recorder]\nRegistryMode=enforce\nRegistryDirectory=\n").registry_mode,
            "enforce");
}

TEST_F(RegistrySettings, UnusableValuesKeepTheDefaultsWithAWarning) {
  config::RecorderSettings s = read("[Recorder]\nRegistryMode=lax\nRegistryDirectory=registry.d\n");
  EXPECT_EQ(s.registry_mode, "enforce");
  EXPECT_EQ(s.registry_directory, "");
  EXPECT_EQ(s.warnings,
            (std::vector<std::string>{
                file_.string() +
                    ": [Recorder] RegistryMode='lax' is not enforce or permissive; using the "
                    "default enforce",
                file_.string() + ": [Recorder] RegistryDirectory='registry.d' is not an absolute "
                                 "path; using the installed registry"}));
}

}  // namespace
}  // namespace metrics::registry
