// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's command line and environment, and its small bus-free parts: property
// reads from a GetAll reply and the plain log line format.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon_options.hpp"
#include "journal.hpp"
#include "property_values.hpp"

using namespace metrics;
using namespace metrics::instrumentation;

namespace {

// argv as GOption wants it: mutable strings, argv[0] first.
struct Argv {
  explicit Argv(std::vector<std::string> args) : storage(std::move(args)) {
    storage.insert(storage.begin(), "eos-metrics-instrumentation");
    for (auto& s : storage) pointers.push_back(s.data());
    pointers.push_back(nullptr);
    argc = static_cast<int>(storage.size());
    argv = pointers.data();
  }
  std::vector<std::string> storage;
  std::vector<char*> pointers;
  int argc = 0;
  char** argv = nullptr;
};

Result<DaemonOptions> parse(std::vector<std::string> args, const char* state_directory = nullptr) {
  Argv a(std::move(args));
  return parse_daemon_options(a.argc, a.argv, state_directory);
}

}  // namespace

TEST(DaemonOptions, DefaultsAreTheInstalledPaths) {
  auto options = parse({});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->paths.source_root, "/");
  EXPECT_EQ(options->paths.config_file, METRICS_INSTRUMENTATION_CONFIG_FILE);
  EXPECT_EQ(options->paths.state_dir, METRICS_INSTRUMENTATION_STATE_DIR);
  EXPECT_EQ(options->paths.lscpu, "lscpu");
  EXPECT_EQ(options->paths.schedule_file(),
            std::filesystem::path(METRICS_INSTRUMENTATION_STATE_DIR) / "schedule");
}

TEST(DaemonOptions, EverySourceCanBeReplaced) {
  auto options = parse({"--source-root", "/fixture", "--config-file", "/tmp/i.conf", "--state-dir",
                        "/tmp/state", "--lscpu", "/tmp/fake-lscpu"});
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->paths.source_root, "/fixture");
  EXPECT_EQ(options->paths.config_file, "/tmp/i.conf");
  EXPECT_EQ(options->paths.state_dir, "/tmp/state");
  EXPECT_EQ(options->paths.lscpu, "/tmp/fake-lscpu");
}

TEST(DaemonOptions, StateDirectoryFromSystemdUnlessGivenExplicitly) {
  auto from_systemd = parse({}, "/var/lib/eos-metrics-instrumentation");
  ASSERT_TRUE(from_systemd.ok());
  EXPECT_EQ(from_systemd->paths.state_dir, "/var/lib/eos-metrics-instrumentation");
  // systemd lists several directories with colons when the unit names several.
  auto first_of_two = parse({}, "/var/lib/a:/var/lib/b");
  ASSERT_TRUE(first_of_two.ok());
  EXPECT_EQ(first_of_two->paths.state_dir, "/var/lib/a");
  auto explicit_wins = parse({"--state-dir", "/tmp/x"}, "/var/lib/a");
  ASSERT_TRUE(explicit_wins.ok());
  EXPECT_EQ(explicit_wins->paths.state_dir, "/tmp/x");
  auto empty = parse({}, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->paths.state_dir, METRICS_INSTRUMENTATION_STATE_DIR);
}

TEST(DaemonOptions, UnknownOptionsAndArgumentsAreErrors) {
  auto unknown = parse({"--no-such-option"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArguments);
  EXPECT_NE(unknown.error().message.find("--no-such-option"), std::string::npos);
  auto stray = parse({"stray"});
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.error().message.find("'stray'"), std::string::npos);
}

TEST(PropertyValues, OnlyTheRightTypeIsRead) {
  PropertyMap properties;
  properties["Finish"] = adopt_variant(g_variant_new_uint64(42));
  properties["Wrong"] = adopt_variant(g_variant_new_uint32(42));
  properties["Name"] = adopt_variant(g_variant_new_string("laptop"));
  const char* locale[] = {"LANG=de_DE.UTF-8", "LC_TIME=C", nullptr};
  properties["Locale"] = adopt_variant(g_variant_new_strv(locale, -1));
  EXPECT_EQ(uint64_property(properties, "Finish"), 42u);
  EXPECT_EQ(uint64_property(properties, "Wrong"), std::nullopt);
  EXPECT_EQ(uint64_property(properties, "Missing"), std::nullopt);
  EXPECT_EQ(string_property(properties, "Name"), "laptop");
  EXPECT_EQ(string_property(properties, "Finish"), std::nullopt);
  EXPECT_EQ(strv_property(properties, "Locale"),
            (std::vector<std::string>{"LANG=de_DE.UTF-8", "LC_TIME=C"}));
  EXPECT_EQ(strv_property(properties, "Name"), std::nullopt);
}

TEST(Journal, OutsideSystemdOneLinePerMessageOnStderr) {
  testing::internal::CaptureStderr();
  journal::warning("no usable MemTotal", {"hardware-info", journal::kFallbackUsed});
  journal::info("ready");
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out,
            "eos-metrics-instrumentation[warning] hardware-info: no usable MemTotal\n"
            "eos-metrics-instrumentation[info] ready\n");
}
