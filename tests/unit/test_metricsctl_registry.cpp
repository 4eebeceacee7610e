// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl registry: --registry-dir on the command line, finding an entry by name or
// UUID, the text and JSON forms of the list, of one entry and of problems, and `registry
// check` end to end without a bus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "registry_view.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::cli {
namespace {

const fs::path kValid = fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / "valid";

struct CliRun {
  ExitCode code;
  std::string out;
  std::string err;
};

CliRun run(const std::vector<std::string>& argv) {
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, false};
  const ExitCode code = run_metricsctl(argv, context);
  return {code, out.str(), err.str()};
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

std::string entry_text(const char* uuid, const char* name, const char* payload_type) {
  return std::string(R"({"uuid": ")") + uuid + R"(", "name": ")" + name +
         R"(", "kind": "singular", "payload_type": ")" + payload_type +
         R"(", "fields": [{"name": "v", "description": "the value"}],)"
         R"( "description": "d", "purpose": "p", "approval": "a", "example": "'x'"})";
}

std::string file_text(const std::vector<std::string>& entries) {
  std::string text = R"({"format": 1, "owner": "Test", "metrics": [)";
  for (size_t i = 0; i < entries.size(); ++i) text += (i ? ", " : "") + entries[i];
  return text + "]}\n";
}

// ---- command line -------------------------------------------------------------------

TEST(MetricsctlRegistryArgs, RegistryDirTakesAValueEitherWay) {
  auto a = parse_arguments({"registry", "--registry-dir", "/a b", "list"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->registry_dir, "/a b");
  EXPECT_EQ(a->args, std::vector<std::string>{"list"});
  EXPECT_EQ(a->options, kOptionRegistryDir);
  auto b = parse_arguments({"queue", "--registry-dir=/x", "--json"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->registry_dir, "/x");
  EXPECT_EQ(b->options, kOptionRegistryDir | kOptionJson);
  // Only after "--" is it an argument.
  auto c = parse_arguments({"registry", "check", "--", "--registry-dir"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->args, (std::vector<std::string>{"check", "--registry-dir"}));
}

TEST(MetricsctlRegistryArgs, RegistryDirErrors) {
  auto missing = parse_arguments({"registry", "list", "--registry-dir"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "option '--registry-dir' needs a value (DIR)");
  auto empty = parse_arguments({"registry", "list", "--registry-dir="});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "option '--registry-dir' needs a non-empty value");
  // Commands that read no registry do not take it.
  EXPECT_EQ(run({"status", "--registry-dir", "/x"}).code, ExitCode::kUsage);
  EXPECT_EQ(run({"registry"}).code, ExitCode::kUsage);
  EXPECT_EQ(run({"registry", "list", "--raw"}).code, ExitCode::kUsage);
}

TEST(MetricsctlRegistryArgs, SubcommandUsageErrors) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"registry", "frob"},
                                             {"registry", "list", "x"},
                                             {"registry", "show"},
                                             {"registry", "show", "a", "b"},
                                             {"registry", "check"}}) {
    const CliRun r = run(argv);
    EXPECT_EQ(r.code, ExitCode::kUsage) << argv.back();
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(r.err.starts_with("metricsctl: registry: ")) << r.err;
  }
}

// ---- finding and showing ------------------------------------------------------------

TEST(MetricsctlRegistryView, FindsByUuidTwinOrName) {
  const auto registry = registry::Registry::load(kValid);
  const auto* by_uuid = find_registry_entry(registry, "6E1ADD98-8B00-45D9-9A77-7D2C8D63C963");
  ASSERT_NE(by_uuid, nullptr);
  EXPECT_EQ(by_uuid->name, "search provider used");
  EXPECT_EQ(find_registry_entry(registry, "334610e1-6177-5a6d-88c3-7ea395df3b97"), by_uuid);
  EXPECT_EQ(find_registry_entry(registry, "Search Provider USED"), by_uuid);
  EXPECT_EQ(find_registry_entry(registry, "search provider"), nullptr);
  EXPECT_EQ(find_registry_entry(registry, "5b77078c-1f85-42ae-a94f-3a927caac089"), nullptr);
}

TEST(MetricsctlRegistryView, ListIsAnAlignedTable) {
  const auto registry = registry::Registry::load(kValid);
  EXPECT_EQ(render_registry_list(registry.entries()),
            "NAME                  KIND       PAYLOAD   UUID\n"
            "settings panels used  singular   (sa(su))  46e59106-55a2-44f2-bffe-bd7d0209830d\n"
            "search provider used  aggregate  s         6e1add98-8b00-45d9-9a77-7d2c8d63c963\n"
            "terminal running      timer      -         e12eeca7-7b56-4cdc-9c83-8359c1ac052c\n"
            "shutdown requested    singular   -         a9253017-c271-41b5-922e-d75eff14fe40\n"
            "free memory           singular   u         804c992a-4c53-4024-9f00-e48c4c387e03\n");
}

TEST(MetricsctlRegistryView, EntryShowsEveryFact) {
  const auto registry = registry::Registry::load(kValid);
  EXPECT_EQ(render_registry_entry(*find_registry_entry(registry, "settings panels used")),
            "         Name: settings panels used\n"
            "         UUID: 46e59106-55a2-44f2-bffe-bd7d0209830d\n"
            "         Kind: singular\n"
            "      Payload: (sa(su)), 2 fields\n"
            "       Fields:\n"
            "               app (string)\n"
            "                   application ID\n"
            "               panels (array of (string, uint32))\n"
            "                   the panels opened\n"
            "                 panel (string)\n"
            "                     panel name\n"
            "                 seconds (uint32)\n"
            "                     time the panel was open, in seconds\n"
            "  Description: Which panels of an application were used, and for how long.\n"
            "      Purpose: Tells which panels matter.\n"
            "     Approval: Test fixture\n"
            "      Example: ('org.gnome.Settings', [('wifi', 12), ('power', 3)])\n"
            "       Source: " +
                (kValid / "apps.json").string() + ", entry 1 (Test applications)\n");
  const std::string timer =
      render_registry_entry(*find_registry_entry(registry, "terminal running"));
  EXPECT_NE(timer.find(" Monthly UUID: 3d056110-3aeb-5fbe-a27b-256d06b50a0e\n"), timer.npos);
  EXPECT_NE(timer.find("      Payload: none\n"), timer.npos);
  EXPECT_NE(timer.find("Example count: 3600 seconds in one day\n"), timer.npos);
  EXPECT_EQ(timer.find("Example:"), timer.npos);
}

TEST(MetricsctlRegistryView, LongTextIsWrapped) {
  registry::Entry entry;
  entry.name = "n";
  entry.description = std::string(60, 'a') + " " + std::string(20, 'b') + "\nsecond paragraph";
  const std::string text = render_registry_entry(entry);
  EXPECT_NE(text.find("  Description: " + std::string(60, 'a') + "\n               " +
                      std::string(20, 'b') + "\n               second paragraph\n"),
            text.npos)
      << text;
}

TEST(MetricsctlRegistryView, Json) {
  const auto registry = registry::Registry::load(kValid);
  const auto timer = registry_entry_json(*find_registry_entry(registry, "terminal running"));
  EXPECT_EQ(timer.dump(),
            R"({"uuid":"e12eeca7-7b56-4cdc-9c83-8359c1ac052c","name":"terminal running",)"
            R"("kind":"timer","monthly_uuid":"3d056110-3aeb-5fbe-a27b-256d06b50a0e",)"
            R"("payload_type":null,"fields":[],"description":"How long a terminal is open.",)"
            R"("purpose":"Tells how much the terminal is used.","approval":"Test fixture",)"
            R"("example":null,"example_count":3600,"source":")" +
                (kValid / "apps.json").string() + R"(","owner":"Test applications"})");
  const auto panels = registry_entry_json(*find_registry_entry(registry, "settings panels used"));
  EXPECT_EQ(panels["fields"][1]["fields"][1].dump(),
            R"({"name":"seconds","type":"u","description":"time the panel was open, in seconds",)"
            R"("fields":[],"allowed_values":null})");
  const registry::Problem problem{"/r/x.json", 2, "46e59106-55a2-44f2-bffe-bd7d0209830d",
                                  "payload_type", "bad"};
  EXPECT_EQ(registry_problem_json(problem).dump(),
            R"({"file":"/r/x.json","entry":2,"uuid":"46e59106-55a2-44f2-bffe-bd7d0209830d",)"
            R"("field":"payload_type","message":"bad","text":"/r/x.json: entry 2 )"
            R"((46e59106-55a2-44f2-bffe-bd7d0209830d): field 'payload_type': bad"})");
}

// ---- the commands, offline ----------------------------------------------------------

TEST(MetricsctlRegistryCommand, ListAndShow) {
  const CliRun list = run({"registry", "list", "--registry-dir", kValid.string()});
  EXPECT_EQ(list.code, ExitCode::kSuccess);
  EXPECT_NE(list.out.find("free memory"), list.out.npos);
  EXPECT_NE(list.out.find("\n5 metrics in " + kValid.string() + ".\n"), list.out.npos);
  EXPECT_EQ(list.err, "");
  const CliRun show =
      run({"registry", "show", "free memory", "--json", "--registry-dir", kValid.string()});
  EXPECT_EQ(show.code, ExitCode::kSuccess);
  EXPECT_TRUE(show.out.starts_with(R"({"uuid":"804c992a-4c53-4024-9f00-e48c4c387e03")"));
  const CliRun missing = run({"registry", "show", "nothing", "--registry-dir", kValid.string()});
  EXPECT_EQ(missing.code, ExitCode::kFailure);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "metricsctl: no metric in " + kValid.string() +
                             " is named 'nothing' or has that UUID; 'metricsctl registry "
                             "list' shows them\n");
  const CliRun no_dir = run({"registry", "list", "--registry-dir", "/nonexistent/registry.d"});
  EXPECT_EQ(no_dir.code, ExitCode::kFailure);
}

TEST(MetricsctlRegistryCommand, CheckReportsEveryProblemWithFileEntryAndField) {
  testing::TempDir dir;
  const fs::path good = dir.path() / "good.json";
  const fs::path bad = dir.path() / "bad.json";
  write_file(good, file_text({entry_text("3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d", "a", "s")}));
  write_file(bad, file_text({entry_text("4c1f7b63-2d2f-4d8b-8f5f-1a3e6b7c8d9e", "b", "(ss"),
                             // The UUID of the good file's entry.
                             entry_text("3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d", "c", "s"),
                             entry_text("804c992a-4c53-4024-9f00-e48c4c387e03", "d", "s")}));
  const CliRun r =
      run({"registry", "check", good.string(), bad.string(), "--registry-dir", kValid.string()});
  EXPECT_EQ(r.code, ExitCode::kFailure);
  EXPECT_EQ(r.err, "");
  const std::string b = bad.string();
  EXPECT_EQ(r.out, b +
                       ": entry 1 (4c1f7b63-2d2f-4d8b-8f5f-1a3e6b7c8d9e): field 'payload_type': "
                       "'(ss' is not a GVariant type\n" +
                       b +
                       ": entry 2 (3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d): field 'uuid': "
                       "3b0f6a52-1c1e-4c7a-9e4e-0f2d5a6b7c8d is already registered by " +
                       good.string() + " entry 1 (a); this entry is skipped\n" + b +
                       ": entry 3 (804c992a-4c53-4024-9f00-e48c4c387e03): field 'uuid': "
                       "804c992a-4c53-4024-9f00-e48c4c387e03 is already registered by " +
                       (kValid / "system.json").string() +
                       " entry 2 (free memory); this entry is skipped\n" + good.string() +
                       ": 1 metric, no problems\n" + b + ": 0 metrics, 3 problems\n" +
                       "UUIDs checked against the registry in " + kValid.string() + ".\n");
}

TEST(MetricsctlRegistryCommand, CheckPassesAGoodFileAndReplacesTheInstalledOneOfItsName) {
  testing::TempDir dir;
  // A new version of the installed system.json: its own UUIDs are no clash.
  fs::copy_file(kValid / "system.json", dir.path() / "system.json");
  const CliRun r = run({"registry", "check", (dir.path() / "system.json").string(),
                        "--registry-dir", kValid.string()});
  EXPECT_EQ(r.code, ExitCode::kSuccess) << r.out;
  EXPECT_NE(r.out.find("system.json: 2 metrics, no problems\n"), r.out.npos);
  // A directory is checked file by file.
  const CliRun whole =
      run({"registry", "check", kValid.string(), "--json", "--registry-dir", kValid.string()});
  EXPECT_EQ(whole.code, ExitCode::kSuccess) << whole.out;
  auto json = nlohmann::json::parse(whole.out);
  EXPECT_EQ(json["files"].size(), 2u);
  EXPECT_EQ(json["files"][0]["metrics"], 3);
  EXPECT_TRUE(json["problems"].empty());
}

TEST(MetricsctlRegistryCommand, CheckAMissingOrBrokenFile) {
  testing::TempDir dir;
  const fs::path broken = dir.path() / "broken.json";
  write_file(broken, "{\"format\": 1,\n  \"metrics\": [}\n");
  const CliRun r = run({"registry", "check", broken.string(), (dir.path() / "none.json").string(),
                        "--registry-dir", (dir.path() / "installed").string()});
  EXPECT_EQ(r.code, ExitCode::kFailure);
  EXPECT_TRUE(r.out.starts_with(broken.string() + ": is not valid JSON: parse error at line 2"))
      << r.out;
  EXPECT_NE(r.out.find((dir.path() / "none.json").string() + ": "), r.out.npos);
  // No installed registry to compare with: nothing says there was one.
  EXPECT_EQ(r.out.find("UUIDs checked"), r.out.npos);
}

TEST(MetricsctlRegistryCommand, ShowListsAllowedValues) {
  const std::string allowed =
      (fs::path(METRICS_TEST_FIXTURES_DIR) / "registry" / "allowed").string();
  const CliRun text = run({"registry", "show", "container images", "--registry-dir", allowed});
  EXPECT_EQ(text.code, ExitCode::kSuccess) << text.err;
  EXPECT_NE(text.out.find("               distribution (string)\n"
                          "                   the image's distribution\n"
                          "                   allowed values only: fedora, ubuntu, other\n"
                          "               release (string)\n"
                          "                   the image's release\n"
                          "               containers (uint32)\n"),
            text.out.npos)
      << text.out;
  const CliRun json =
      run({"registry", "show", "editor running", "--json", "--registry-dir", allowed});
  EXPECT_EQ(json.code, ExitCode::kSuccess) << json.err;
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["fields"][0]["allowed_values"],
            nlohmann::json::array({"org.gnome.Builder", "code", "org.gnu.emacs"}));
}

}  // namespace
}  // namespace metrics::cli
