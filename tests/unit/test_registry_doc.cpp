// SPDX-License-Identifier: GPL-2.0-or-later
// The shipped registry (registry/*.json) against the catalog, and the user page
// docs/what-is-collected.md against the registry it is generated from.
#include "registry_doc.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "registry.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

// tests/fixtures → the source tree.
const fs::path kSource = fs::path(METRICS_TEST_FIXTURES_DIR).parent_path().parent_path();
const fs::path kFixtures = fs::path(METRICS_TEST_FIXTURES_DIR) / "registry";

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- The shipped registry -------------------------------------------------------------

TEST(ShippedRegistry, LoadsWithoutProblems) {
  Registry registry = Registry::load(kSource / "registry");
  for (const Problem& p : registry.problems()) ADD_FAILURE() << p.to_string();
  EXPECT_EQ(registry.entries().size(), 8u);
}

// The approved metrics (the Endless instrumentation's, kept as they were, and the ones the
// Fedora proposal asked for): same UUIDs, kinds and payload types, so the existing server
// stores the faithful ones in its existing tables.
TEST(ShippedRegistry, MatchesTheCatalog) {
  struct Row {
    const char* file;
    const char* uuid;
    const char* name;
    Kind kind;
    std::optional<std::string> type;
  };
  const Row catalog[] = {
      {"endless.json", "bf7e8aed-2932-455c-a28e-d407cfd5aaba", "startup finished", Kind::Singular,
       "(tttttt)"},
      {"endless.json", "5dc0b53c-93f9-4df0-ad6f-bd25e9fe638f", "daily session time", Kind::Timer,
       std::nullopt},
      {"endless.json", "81f303aa-448d-443d-97f9-8d8a9169321c", "computer hardware info",
       Kind::Singular, "(uuuua(sqds))"},
      {"fedora.json", "af253a97-88ce-4daa-84c6-1157dcf802c5", "primary storage", Kind::Singular,
       "(ss)"},
      {"fedora.json", "459fd042-e1c8-4523-9d3e-cab8095a1ca2", "hardware model", Kind::Singular,
       "(sss)"},
      {"fedora.json", "61d6b53a-559d-4ed3-8241-0a337d14bce0", "system locale", Kind::Singular, "s"},
      // The user session's: the Endless daily application usage, limited to IDEs, and the
      // UUID the catalog reserved for Toolbx.
      {"fedora.json", "49d0451a-f706-4f50-81d2-70cc0ec923a4", "IDE usage", Kind::Timer, "s"},
      {"fedora.json", "1d6482fd-00c8-4223-8be8-dfacacd92ae7", "Toolbx containers", Kind::Singular,
       "a(ssu)"},
  };
  Registry registry = Registry::load(kSource / "registry");
  ASSERT_EQ(registry.entries().size(), std::size(catalog));
  for (size_t i = 0; i < std::size(catalog); ++i) {
    const Row& row = catalog[i];
    const Entry& entry = registry.entries()[i];
    SCOPED_TRACE(row.name);
    EXPECT_EQ(entry.source.filename(), row.file);
    EXPECT_EQ(entry.uuid.to_string(), row.uuid);
    EXPECT_EQ(entry.name, row.name);
    EXPECT_EQ(entry.kind, row.kind);
    EXPECT_EQ(entry.payload_type, row.type);
  }
  // The session timer's monthly twin, as the catalog gives it.
  EXPECT_EQ(registry.name_of(*Uuid::parse("2ee16e97-2993-5dcc-b9d2-841152520ad6")),
            "daily session time (monthly)");
  // The Endless app-usage twin, which Azafea's monthly app-usage table expects.
  EXPECT_EQ(registry.name_of(*Uuid::parse("22cdaa7c-e125-5f65-a535-c8345e5434f2")),
            "IDE usage (monthly)");
  // Reserved by the catalog and not used: the IDE metric reuses the Endless app-usage UUID
  // (which the stock server stores), and the spare stays spare.
  for (const char* reserved :
       {"11e26242-0572-461b-afc1-c9fe5dc33a88", "3182526a-9e9c-4414-a19e-913005109f76"})
    EXPECT_FALSE(registry.find(*Uuid::parse(reserved))) << reserved;
}

// ---- The user page ------------------------------------------------------------------------

TEST(UserPage, CommittedPageMatchesTheRegistry) {
  Registry registry = Registry::load(kSource / "registry");
  ASSERT_TRUE(registry.problems().empty()) << registry.problems()[0].to_string();
  const fs::path page_file = kSource / "docs" / "what-is-collected.md";
  const std::string expected = render_user_page(registry);
  const std::string committed = slurp(page_file);
  if (committed == expected) return;

  const auto want = lines(expected);
  const auto have = lines(committed);
  size_t line = 0;
  while (line < want.size() && line < have.size() && want[line] == have[line]) ++line;
  ADD_FAILURE() << page_file.string() << " does not match registry/*.json (first difference at "
                << "line " << line + 1
                << ":\n  committed: " << (line < have.size() ? have[line] : "<end of file>")
                << "\n  generated: " << (line < want.size() ? want[line] : "<end of file>")
                << ").\nRegenerate it with\n"
                << "  cmake --build BUILD_DIR --target update-what-is-collected\n"
                << "(or: BUILD_DIR/tools/registry-doc/metrics-registry-doc --output "
                << "docs/what-is-collected.md registry) and commit the result.";
}

TEST(UserPage, ShowsEveryFieldTypePurposeApprovalAndExample) {
  Registry registry = Registry::load(kFixtures / "valid");
  const std::string page = render_user_page(registry);
  for (const char* part : {
           "## Test applications\n\nFrom `apps.json` in the registry.\n",
           "### settings panels used\n",
           "| UUID | `46e59106-55a2-44f2-bffe-bd7d0209830d` |\n",
           "| kind | singular |\n",
           "| payload | `(sa(su))`, 2 fields (below) |\n",
           "Which panels of an application were used, and for how long.\n",
           "**Why it is collected:** Tells which panels matter.\n",
           "**Approval:** Test fixture\n",
           "| `app` | `s` (string) | application ID |\n",
           "| `panels` | `a(su)` (array of (string, uint32)) | the panels opened |\n",
           "| `panels[].panel` | `s` (string) | panel name |\n",
           "| `panels[].seconds` | `u` (uint32) | time the panel was open, in seconds |\n",
           "Example payload:\n\n```\n('org.gnome.Settings', [('wifi', 12), ('power', 3)])\n```\n",
           // An aggregate: its monthly twin and a daily count.
           "| monthly UUID | `334610e1-6177-5a6d-88c3-7ea395df3b97` |\n",
           "| payload | `s` (string) |\n",
           "Example: a count of 3 for one day.\n",
           // A timer without payload.
           "| monthly UUID | `3d056110-3aeb-5fbe-a27b-256d06b50a0e` |\n",
           "| payload | none |\n",
           "Example: 3600 seconds in one day (1 h).\n",
           "## Test system\n\nFrom `system.json` in the registry.\n",
       }) {
    EXPECT_TRUE(contains(page, part)) << "missing:\n" << part;
  }
  // The page does not depend on where the registry was read from.
  EXPECT_FALSE(contains(page, kFixtures.string()));
  testing::TempDir elsewhere;
  for (const char* name : {"apps.json", "system.json"})
    fs::copy_file(kFixtures / "valid" / name, elsewhere.path() / name);
  EXPECT_EQ(render_user_page(Registry::load(elsewhere.path())), page);
}

TEST(UserPage, TableCellsCannotBeBrokenByTheirText) {
  FileContents file = parse_registry_text(R"({"format": 1, "owner": "o", "metrics": [{
      "uuid": "0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13", "name": "pipes", "kind": "singular",
      "payload_type": "s", "fields": [{"name": "a|b", "description": "left | right"}],
      "description": "d", "purpose": "p", "approval": "a", "example": "'x|y'"}]})",
                                          "o.json");
  ASSERT_TRUE(file.problems.empty()) << file.problems[0].to_string();
  const std::string page = render_user_page(Registry::from_files({file}));
  EXPECT_TRUE(contains(page, "| `a\\|b` | `s` (string) | left \\| right |\n")) << page;
  EXPECT_TRUE(contains(page, "```\n'x|y'\n```\n")) << page;  // a code block needs no escaping
}

TEST(UserPage, MinutesAndEmptyRegistry) {
  FileContents file = parse_registry_text(R"({"format": 1, "owner": "o", "metrics": [{
      "uuid": "0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13", "name": "t", "kind": "timer",
      "payload_type": null, "description": "d", "purpose": "p", "approval": "a",
      "example": null, "example_count": 19800}]})",
                                          "o.json");
  EXPECT_TRUE(contains(render_user_page(Registry::from_files({file})),
                       "Example: 19800 seconds in one day (5 h 30 min).\n"));
  EXPECT_TRUE(contains(render_user_page(Registry()), "\nNo metric is registered.\n"));
}

}  // namespace
}  // namespace metrics::registry
