// SPDX-License-Identifier: GPL-2.0-or-later
// Hostile registry files: numbers beyond double's range, deep nesting, huge entry counts
// and oversize files are each refused with a message naming the file (and the entry, when
// the reader had reached one), never thrown at the caller, and never take the other files
// of the directory down with them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "registry.hpp"
#include "registry_schema.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

constexpr const char* kEntry =
    R"({"uuid": "0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13", "name": "n", "kind": "aggregate",
        "payload_type": null, "description": "d", "purpose": "p", "approval": "a",
        "example": null, "example_count": 3})";

std::vector<std::string> problems_of(std::string_view text) {
  FileContents contents = parse_registry_text(text, "t.json");
  std::vector<std::string> out;
  for (const Problem& p : contents.problems) out.push_back(p.to_string());
  EXPECT_TRUE(contents.file_skipped);
  EXPECT_TRUE(contents.entries.empty());
  return out;
}

using Strings = std::vector<std::string>;

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

TEST(RegistryLimits, NumbersBeyondDoubleRangeAreRefusedNotThrown) {
  EXPECT_EQ(problems_of(R"({"format":1,"owner":"x","metrics":[],"note":1e400})"),
            Strings{"t.json: is not valid JSON: number overflow parsing '1e400' (field 'note')"});
  EXPECT_EQ(problems_of(R"({"format":1,"owner":"x","metrics":[{"example_count":-1e400}]})"),
            Strings{"t.json: is not valid JSON: number overflow parsing '-1e400' (entry 1, "
                    "field 'example_count')"});
  const std::string second = std::string(R"({"format":1,"owner":"x","metrics":[)") + kEntry +
                             R"(,{"fields":[{"x":[1e999]}]}]})";
  EXPECT_EQ(problems_of(second),
            Strings{"t.json: is not valid JSON: number overflow parsing '1e999' (entry 2, "
                    "field 'fields[1].x[1]')"});
}

TEST(RegistryLimits, DeepNestingIsRefused) {
  // A million levels: a recursive reader (or destructor) would overflow the stack.
  const std::string deep =
      R"({"format":1,"owner":"x","metrics":[],"note":)" + std::string(1000000, '[');
  // The root object and 63 arrays are read; the 65th level is refused where it starts.
  std::string where = "note";
  for (int i = 0; i < 63; ++i) where += "[1]";
  EXPECT_EQ(problems_of(deep), Strings{"t.json: is refused: arrays and objects are nested more "
                                       "than 64 deep (field '" +
                                       where + "')"});
  // 64 levels are read (and the unknown key reported as usual).
  const std::string at_limit = R"({"format":1,"owner":"x","metrics":[],"note":)" +
                               std::string(63, '[') + std::string(63, ']') + "}";
  EXPECT_EQ(problems_of(at_limit),
            Strings{"t.json: field 'note': is not a field of this format (known: format, owner, "
                    "metrics)"});
}

TEST(RegistryLimits, HugeEntryCountsAreRefused) {
  std::string huge = R"({"format":1,"owner":"x","metrics":[)";
  for (int i = 0; i < 100000; ++i) huge += i ? ",{}" : "{}";
  huge += "]}";
  ASSERT_LE(huge.size(), kMaxFileBytes);
  EXPECT_EQ(problems_of(huge), Strings{"t.json: field 'metrics': has more than 10000 entries; a "
                                       "registry file may hold at most 10000 metrics (split it)"});

  // Exactly the limit is read: each entry then has its own problems.
  std::string at_limit = R"({"format":1,"owner":"x","metrics":[)";
  for (size_t i = 0; i < kMaxEntries; ++i) at_limit += i ? ",null" : "null";
  at_limit += "]}";
  FileContents contents = parse_registry_text(at_limit, "t.json");
  EXPECT_FALSE(contents.file_skipped);
  // The first 100 problems are listed, the others counted.
  ASSERT_EQ(contents.problems.size(), kMaxProblemsPerFile + 1);
  EXPECT_EQ(contents.problems[99].to_string(),
            "t.json: entry 100: expected a JSON object, got null");
  EXPECT_EQ(contents.problems.back().to_string(),
            "t.json: 9900 more problems are not listed (the first 100 are)");

  // Any other array or object is bounded the same way.
  std::string wide = R"({"format":1,"owner":"x","metrics":[],"note":[)";
  for (int i = 0; i < 20000; ++i) wide += i ? ",0" : "0";
  wide += "]}";
  EXPECT_EQ(problems_of(wide),
            Strings{"t.json: is refused: has more than 10000 elements (field 'note')"});
}

TEST(RegistryLimits, OversizeFilesAreRefused) {
  std::string big = R"({"format":1,"owner":"x","metrics":[],"note":")";
  big += std::string(kMaxFileBytes, 'a') + "\"}";
  EXPECT_EQ(problems_of(big),
            Strings{"t.json: is " + std::to_string(big.size()) +
                    " bytes; a registry file may be at most 1048576 bytes (split it)"});

  testing::TempDir tmp;
  write_file(tmp.path() / "big.json", big);
  FileContents read = read_registry_file(tmp.path() / "big.json");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_TRUE(read.file_skipped);
  EXPECT_EQ(read.problems[0].to_string(),
            (tmp.path() / "big.json").string() +
                ": is larger than 1048576 bytes, the most a registry file may be (split it)");
}

TEST(RegistryLimits, AFileThatNeverEndsIsRefused) {
  // metricsctl registry check FILE reads what a user names, a device included.
  FileContents read = read_registry_file("/dev/zero");
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].to_string(),
            "/dev/zero: is larger than 1048576 bytes, the most a registry file may be (split it)");
}

TEST(RegistryLimits, ProblemsAreUtf8WhereGLibCutsACharacter) {
  // Found by fuzz_registry: GLib's parse error gives a byte range inside "\u0450"; quoted
  // as is, the message was not UTF-8, and metricsctl's JSON output threw on it.
  const std::string text = R"json({"format": 1, "owner": "x", "metrics": [{
      "uuid": "0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13", "name": "n", "kind": "singular",
      "payload_type": "(su)",
      "fields": [{"name": "a", "description": "a"}, {"name": "b", "description": "b"}],
      "description": "d", "purpose": "p", "approval": "a",
      "example": "(\u0450rg', 1)"}]})json";
  FileContents contents = parse_registry_text(text, "t.json");
  ASSERT_EQ(contents.problems.size(), 1u);
  const std::string message = contents.problems[0].to_string();
  EXPECT_TRUE(g_utf8_validate(message.data(), static_cast<gssize>(message.size()), nullptr))
      << message;
  EXPECT_NE(message.find("(at '\u0450"), std::string::npos) << message;
}

TEST(RegistryLimits, AHostileFileLeavesTheOthersInEffect) {
  testing::TempDir tmp;
  write_file(tmp.path() / "10-good.json",
             std::string(R"({"format":1,"owner":"good","metrics":[)") + kEntry + "]}");
  write_file(tmp.path() / "20-overflow.json",
             R"({"format":1,"owner":"x","metrics":[],"note":1e400})");
  write_file(tmp.path() / "30-deep.json", std::string(100000, '{'));
  const Registry registry = Registry::load(tmp.path());
  ASSERT_EQ(registry.entries().size(), 1u);
  EXPECT_EQ(registry.entries()[0].owner, "good");
  ASSERT_EQ(registry.problems().size(), 2u);
  EXPECT_EQ(registry.problems()[0].file, tmp.path() / "20-overflow.json");
  EXPECT_EQ(registry.problems()[1].file, tmp.path() / "30-deep.json");
}

}  // namespace
}  // namespace metrics::registry
