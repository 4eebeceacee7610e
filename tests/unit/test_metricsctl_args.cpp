// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"

namespace metrics::cli {
namespace {

Arguments parse_ok(const std::vector<std::string>& argv) {
  Result<Arguments> r = parse_arguments(argv);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Arguments{};
}

std::string usage_message(const std::vector<std::string>& argv) {
  Result<Arguments> parsed = parse_arguments(argv);
  if (!parsed) return parsed.error().message;
  Result<const Command*> command = resolve_command(*parsed);
  return command ? std::string("(no error)") : command.error().message;
}

TEST(MetricsctlArgs, CommandArgumentsAndOptionsAnywhere) {
  const Arguments a = parse_ok({"--json", "upload", "-q", "x"});
  EXPECT_EQ(a.command, "upload");
  EXPECT_EQ(a.args, std::vector<std::string>{"x"});
  EXPECT_EQ(a.options, kOptionJson | kOptionQuiet);
  EXPECT_FALSE(a.help);
  EXPECT_FALSE(a.version);
}

TEST(MetricsctlArgs, NoArgumentsMeansNoCommand) {
  const Arguments a = parse_ok({});
  EXPECT_EQ(a.command, "");
  EXPECT_TRUE(a.args.empty());
  EXPECT_EQ(a.options, 0u);
}

TEST(MetricsctlArgs, GlobalOptions) {
  EXPECT_TRUE(parse_ok({"-h"}).help);
  EXPECT_TRUE(parse_ok({"status", "--help"}).help);
  EXPECT_TRUE(parse_ok({"--version"}).version);
  const Arguments a = parse_ok({"--no-pager", "status"});
  EXPECT_EQ(a.command, "status");
  EXPECT_EQ(a.options, 0u);
  EXPECT_TRUE(a.no_pager);
  EXPECT_FALSE(parse_ok({"status"}).no_pager);
}

TEST(MetricsctlArgs, JsonModes) {
  EXPECT_EQ(parse_ok({"--json"}).json_mode, JsonMode::kShort);
  EXPECT_EQ(parse_ok({"--json=short"}).json_mode, JsonMode::kShort);
  const Arguments pretty = parse_ok({"status", "--json=pretty"});
  EXPECT_EQ(pretty.json_mode, JsonMode::kPretty);
  EXPECT_EQ(pretty.options, kOptionJson);
  // An optional value is only ever taken after '=': "pretty" here is an argument.
  const Arguments apart = parse_ok({"--json", "pretty"});
  EXPECT_EQ(apart.json_mode, JsonMode::kShort);
  EXPECT_EQ(apart.command, "pretty");
  EXPECT_EQ(parse_arguments({"--json=long"}).error().message,
            "option '--json' takes pretty or short, not 'long'");
}

TEST(MetricsctlArgs, LinesTakeANumber) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"log", "-n", "5"},
                                             {"log", "-n5"},
                                             {"log", "--lines=5"},
                                             {"log", "--lines", "5"},
                                             {"-qn5", "log"}}) {
    const Arguments a = parse_ok(argv);
    EXPECT_EQ(a.lines, 5u) << argv.back();
    EXPECT_TRUE(a.options & kOptionLines) << argv.back();
    EXPECT_EQ(a.command, "log") << argv.back();
  }
  EXPECT_EQ(parse_arguments({"log", "-n", "five"}).error().message,
            "option '-n' takes a number of entries (1 or more), not 'five'");
  EXPECT_EQ(parse_arguments({"log", "--lines=0"}).error().message,
            "option '--lines' takes a number of entries (1 or more), not '0'");
  EXPECT_EQ(parse_arguments({"log", "-n"}).error().message, "option '-n' needs a value (N)");
  EXPECT_EQ(usage_message({"status", "-n", "3"}), "'status' does not take --lines");
}

TEST(MetricsctlArgs, BundledShortOptions) {
  const Arguments a = parse_ok({"-qh"});
  EXPECT_TRUE(a.help);
  EXPECT_EQ(a.options, kOptionQuiet);
}

TEST(MetricsctlArgs, DoubleDashEndsOptions) {
  const Arguments a = parse_ok({"status", "--", "--json", "-"});
  EXPECT_EQ(a.options, 0u);
  EXPECT_EQ(a.args, (std::vector<std::string>{"--json", "-"}));
}

TEST(MetricsctlArgs, UnknownOptionsAreUsageErrors) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"--frobnicate"}, {"-x"}, {"status", "-qx"}, {"--quiet=yes"}}) {
    Result<Arguments> r = parse_arguments(argv);
    ASSERT_FALSE(r.ok()) << argv.back();
    EXPECT_EQ(r.error().code, ErrorCode::kUsage);
  }
  EXPECT_EQ(parse_arguments({"-qx"}).error().message, "unknown option '-x'");
  EXPECT_EQ(parse_arguments({"--quiet=yes"}).error().message, "option '--quiet' takes no value");
}

TEST(MetricsctlArgs, ResolveCommand) {
  Result<const Command*> status = resolve_command(parse_ok({}));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)->name, "status");  // the default, as with hostnamectl
  Result<const Command*> upload = resolve_command(parse_ok({"upload", "--json", "--quiet"}));
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ((*upload)->name, "upload");
}

TEST(MetricsctlArgs, ResolveRejectsWhatTheCommandDoesNotTake) {
  EXPECT_EQ(usage_message({"frobnicate"}), "unknown command 'frobnicate'");
  EXPECT_EQ(usage_message({"status", "--quiet"}), "'status' does not take --quiet");
  EXPECT_EQ(usage_message({"status", "a", "b"}), "'status' does not take the argument 'a'");
}

TEST(MetricsctlArgs, EveryCommandHasAHandlerAndAUniqueName) {
  for (const Command& c : command_table()) {
    EXPECT_NE(c.run, nullptr) << c.name;
    EXPECT_EQ(find_command(c.name), &c) << c.name;
    EXPECT_LE(c.min_args, c.max_args) << c.name;
  }
  EXPECT_EQ(find_command("nope"), nullptr);
}

TEST(MetricsctlArgs, HelpListsCommandsOptionsAndExitCodes) {
  const std::string help = usage_text();
  for (const Command& c : command_table())
    EXPECT_NE(help.find("  " + std::string(c.name)), std::string::npos) << c.name;
  for (const OptionSpec& o : option_table())
    EXPECT_NE(help.find("--" + std::string(o.long_name)), std::string::npos) << o.long_name;
  for (int code = 0; code <= 6; ++code)
    EXPECT_NE(help.find("\n  " + std::to_string(code) + "  "), std::string::npos) << code;
}

TEST(MetricsctlArgs, RunReportsUsageErrorsWithExitCode2) {
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, false};
  EXPECT_EQ(run_metricsctl({"frobnicate"}, context), ExitCode::kUsage);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "metricsctl: unknown command 'frobnicate'\nSee 'metricsctl --help'.\n");
}

TEST(MetricsctlArgs, HelpCommand) {
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, false};
  EXPECT_EQ(run_metricsctl({"help"}, context), ExitCode::kSuccess);
  EXPECT_EQ(out.str(), usage_text());
  out.str("");
  EXPECT_EQ(run_metricsctl({"help", "log"}, context), ExitCode::kSuccess);
  EXPECT_EQ(out.str(), command_help_text(*find_command("log")));
  EXPECT_EQ(out.str().rfind("metricsctl log [show ID]\n", 0), 0u) << out.str();
  // Its own options, not the others'.
  EXPECT_NE(out.str().find("--lines=N"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("--raw"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("--quiet"), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "");
  out.str("");
  EXPECT_EQ(run_metricsctl({"help", "frobnicate"}, context), ExitCode::kUsage);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "metricsctl: help: unknown command 'frobnicate'\nSee 'metricsctl --help'.\n");
  EXPECT_EQ(usage_message({"help", "a", "b"}), "'help' does not take the argument 'b'");
}

TEST(MetricsctlArgs, EveryCommandHasHelp) {
  for (const Command& c : command_table()) {
    const std::string text = command_help_text(c);
    EXPECT_EQ(text.rfind("metricsctl " + std::string(c.name), 0), 0u) << text;
    for (const OptionSpec& o : option_table()) {
      const bool listed = text.find("--" + std::string(o.long_name)) != std::string::npos;
      EXPECT_EQ(listed, o.bit == 0 || (c.options & o.bit) != 0) << c.name << " " << o.long_name;
    }
  }
}

TEST(MetricsctlArgs, RunHelpAndVersionWithoutTheBus) {
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, false};
  EXPECT_EQ(run_metricsctl({"--help", "frobnicate"}, context), ExitCode::kSuccess);
  EXPECT_EQ(out.str(), usage_text());
  out.str("");
  EXPECT_EQ(run_metricsctl({"--version"}, context), ExitCode::kSuccess);
  EXPECT_EQ(out.str().rfind("metricsctl ", 0), 0u);
  EXPECT_EQ(err.str(), "");
}

}  // namespace
}  // namespace metrics::cli
