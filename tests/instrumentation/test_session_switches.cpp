// SPDX-License-Identifier: GPL-2.0-or-later
// The session collector's switches (the administrator's file and the user's), the lists
// it takes from the shipped registry, and its options.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "registry.hpp"
#include "session_config.hpp"
#include "session_options.hpp"
#include "session_registry.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::instrumentation::session {
namespace {

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

class SessionSwitches : public ::testing::Test {
 protected:
  fs::path system() const { return dir_.path() / "system.conf"; }
  fs::path user() const { return dir_.path() / "user.conf"; }
  metrics::testing::TempDir dir_;
};

TEST_F(SessionSwitches, NoFilesRunEverything) {
  const SessionConfig config = read_session_config(system(), user());
  EXPECT_TRUE(config.is_enabled(SessionCollector::IdeUsage));
  EXPECT_TRUE(config.is_enabled(SessionCollector::ToolbxImages));
  EXPECT_TRUE(config.warnings.empty());
}

TEST_F(SessionSwitches, EitherFileSwitchesOffAndTheUserCannotSwitchBackOn) {
  write(system(), "[Collectors]\nide-usage=false\n");
  write(user(), "[Collectors]\nide-usage=true\ntoolbx-images=false\n");
  const SessionConfig config = read_session_config(system(), user());
  EXPECT_FALSE(config.is_enabled(SessionCollector::IdeUsage));
  EXPECT_FALSE(config.is_enabled(SessionCollector::ToolbxImages));
}

TEST_F(SessionSwitches, ProblemsCollectLess) {
  write(system(), "[Collectors]\nide-usage=flase\nvim-usage=true\n[Other]\n");
  SessionConfig config = read_session_config(system(), "");
  EXPECT_FALSE(config.is_enabled(SessionCollector::IdeUsage));
  EXPECT_TRUE(config.is_enabled(SessionCollector::ToolbxImages));
  ASSERT_EQ(config.warnings.size(), 3u);
  EXPECT_NE(config.warnings[1].find("ide-usage='flase' is not a boolean"), std::string::npos);
  EXPECT_NE(config.warnings[2].find("vim-usage is not a collector (known: ide-usage, "
                                    "toolbx-images)"),
            std::string::npos)
      << config.warnings[2];
  // A user file that is not a key file switches everything off.
  write(user(), "this is not a key file\n");
  config = read_session_config("", user());
  EXPECT_FALSE(config.is_enabled(SessionCollector::IdeUsage));
  EXPECT_FALSE(config.is_enabled(SessionCollector::ToolbxImages));
  EXPECT_NE(config.warnings.back().find("every collector is off"), std::string::npos);
}

TEST(SessionRegistry, ListsComeFromTheShippedRegistry) {
  const auto registry = registry::Registry::load(fs::path(METRICS_SOURCE_DIR) / "registry");
  auto ides = registered_values(registry, SessionCollector::IdeUsage);
  ASSERT_TRUE(ides) << ides.error().message;
  for (const char* ide : {"org.gnome.Builder",
                          "com.visualstudio.code",
                          "code",
                          "codium",
                          "com.vscodium.codium",
                          "com.jetbrains.IntelliJ-IDEA-Community",
                          "jetbrains-idea-ce",
                          "org.eclipse.Java",
                          "org.qt-project.qtcreator",
                          "org.kde.kdevelop",
                          "org.kde.kate",
                          "org.gnome.TextEditor",
                          "emacs",
                          "org.gnu.emacs",
                          "gvim",
                          "neovide",
                          "dev.zed.Zed",
                          "sublime_text",
                          "com.sublimetext.three",
                          "dev.lapce.lapce"})
    EXPECT_EQ(ides->count(ide), 1u) << ide;
  for (const char* not_an_ide : {"org.mozilla.firefox", "org.gnome.Terminal", "other", ""})
    EXPECT_EQ(ides->count(not_an_ide), 0u) << not_an_ide;
  auto distributions = registered_values(registry, SessionCollector::ToolbxImages);
  ASSERT_TRUE(distributions) << distributions.error().message;
  EXPECT_EQ(*distributions, (ValueSet{"arch", "centos", "debian", "fedora", "opensuse", "other",
                                      "rhel", "ubuntu"}));
}

TEST(SessionRegistry, AMissingOrDifferentEntryIsNotRegistered) {
  const auto empty = registry::Registry::load("/nonexistent/registry");
  auto missing = registered_values(empty, SessionCollector::IdeUsage);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotRegistered);
  EXPECT_NE(missing.error().message.find("ide-usage (49d0451a-f706-4f50-81d2-70cc0ec923a4) is "
                                         "not in the metric registry"),
            std::string::npos)
      << missing.error().message;
  // The entry without a list: the collector would not know what it may send.
  metrics::testing::TempDir dir;
  write(dir.path() / "r.json", R"({"format": 1, "owner": "t", "metrics": [{
      "uuid": "49d0451a-f706-4f50-81d2-70cc0ec923a4", "name": "app usage", "kind": "timer",
      "payload_type": "s", "fields": [{"name": "application", "description": "any app"}],
      "description": "d", "purpose": "p", "approval": "a", "example": "'x'",
      "example_count": 1}]})");
  const auto unlisted = registry::Registry::load(dir.path());
  ASSERT_TRUE(unlisted.problems().empty()) << unlisted.problems()[0].to_string();
  auto no_list = registered_values(unlisted, SessionCollector::IdeUsage);
  ASSERT_FALSE(no_list);
  EXPECT_NE(no_list.error().message.find("lists no allowed values for its field 'application'"),
            std::string::npos);
}

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> out;
  out.reserve(args.size() + 1);
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

TEST(SessionOptionsTest, DefaultsAndPrecedence) {
  std::vector<std::string> args{"collector"};
  auto argv = argv_of(args);
  int argc = 1;
  char** p = argv.data();
  auto options =
      parse_session_options(argc, p, {nullptr, "/home/a/.local/state", "/home/a/.config"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->state_dir, "/home/a/.local/state/eos-metrics-session-collector");
  EXPECT_EQ(options->user_config, "/home/a/.config/metrics/session-collector.conf");
  EXPECT_EQ(options->system_config, METRICS_SESSION_CONFIG_FILE);
  EXPECT_EQ(options->podman, "podman");
  EXPECT_EQ(options->podman_timeout, std::chrono::seconds(60));
  EXPECT_EQ(options->registry_dir, registry::default_directory());

  // systemd's StateDirectory= wins over XDG; --state-dir over both.
  argc = 1;
  p = argv.data();
  options = parse_session_options(argc, p, {"/run/s1:/run/s2", "/x", "/y"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->state_dir, "/run/s1");
  std::vector<std::string> more{"collector", "--state-dir",      "/t", "--podman",
                                "/bin/fake", "--podman-timeout", "2"};
  auto more_argv = argv_of(more);
  argc = static_cast<int>(more.size());
  p = more_argv.data();
  options = parse_session_options(argc, p, {"/run/s1", "/x", "/y"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->state_dir, "/t");
  EXPECT_EQ(options->podman, "/bin/fake");
  EXPECT_EQ(options->podman_timeout, std::chrono::seconds(2));
}

TEST(SessionOptionsTest, BadOptions) {
  for (std::vector<std::string> args : {std::vector<std::string>{"c", "--podman-timeout", "0"},
                                        std::vector<std::string>{"c", "--no-such-option"},
                                        std::vector<std::string>{"c", "extra"}}) {
    auto argv = argv_of(args);
    int argc = static_cast<int>(args.size());
    char** p = argv.data();
    auto options = parse_session_options(argc, p, {});
    ASSERT_FALSE(options) << args[1];
    EXPECT_EQ(options.error().code, ErrorCode::kInvalidArguments);
  }
}

}  // namespace
}  // namespace metrics::instrumentation::session
