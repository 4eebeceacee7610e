// SPDX-License-Identifier: GPL-2.0-or-later
// The registry as the recorder and the CLI see it: loading a directory (valid files,
// broken files next to valid ones, duplicates), lookups with monthly twins, the
// payload check, and reloading.
#include "registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace metrics::registry {
namespace {

const fs::path kFixtures = fs::path(METRICS_TEST_FIXTURES_DIR) / "registry";

Uuid id(const char* text) {
  auto parsed = Uuid::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(Uuid{});
}

std::vector<std::string> messages(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const Problem& p : problems) out.push_back(p.to_string());
  return out;
}

std::vector<std::string> uuids(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) out.push_back(e.uuid.to_string());
  return out;
}

GVariantPtr value(const char* type, const char* text) {
  GVariantPtr v(g_variant_parse(G_VARIANT_TYPE(type), text, nullptr, nullptr, nullptr));
  EXPECT_TRUE(v) << text;
  return v;
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- Loading ------------------------------------------------------------------------

TEST(RegistryLoad, ReadsEveryJsonFileInNameOrder) {
  const fs::path dir = kFixtures / "valid";
  Registry registry = Registry::load(dir);
  EXPECT_TRUE(registry.problems().empty()) << messages(registry.problems())[0];
  EXPECT_EQ(registry.directory(), dir);
  // apps.json before system.json; README is not a registry file.
  EXPECT_EQ(uuids(registry.entries()),
            (std::vector<std::string>{
                "46e59106-55a2-44f2-bffe-bd7d0209830d", "6e1add98-8b00-45d9-9a77-7d2c8d63c963",
                "e12eeca7-7b56-4cdc-9c83-8359c1ac052c", "a9253017-c271-41b5-922e-d75eff14fe40",
                "804c992a-4c53-4024-9f00-e48c4c387e03"}));

  const Entry& panels = registry.entries()[0];
  EXPECT_EQ(panels.name, "settings panels used");
  EXPECT_EQ(panels.kind, Kind::Singular);
  EXPECT_EQ(panels.payload_type, "(sa(su))");
  EXPECT_EQ(panels.source, dir / "apps.json");
  EXPECT_EQ(panels.position, 1u);
  EXPECT_EQ(panels.owner, "Test applications");
  EXPECT_EQ(panels.example, "('org.gnome.Settings', [('wifi', 12), ('power', 3)])");
  EXPECT_EQ(panels.example_count, std::nullopt);
  ASSERT_EQ(panels.fields.size(), 2u);
  EXPECT_EQ(panels.fields[0], (Field{"app", "s", "application ID", {}}));
  EXPECT_EQ(panels.fields[1].name, "panels");
  EXPECT_EQ(panels.fields[1].type, "a(su)");
  EXPECT_EQ(panels.fields[1].fields,
            (std::vector<Field>{{"panel", "s", "panel name", {}},
                                {"seconds", "u", "time the panel was open, in seconds", {}}}));

  const Entry& timer = registry.entries()[2];
  EXPECT_EQ(timer.kind, Kind::Timer);
  EXPECT_EQ(timer.payload_type, std::nullopt);
  EXPECT_EQ(timer.example, std::nullopt);
  EXPECT_EQ(timer.example_count, 3600u);
  EXPECT_TRUE(timer.fields.empty());

  const Entry& memory = registry.entries()[4];
  EXPECT_EQ(memory.source, dir / "system.json");
  EXPECT_EQ(memory.position, 2u);
  EXPECT_EQ(memory.owner, "Test system");
}

// Each kind of broken file and entry is reported precisely, and skipped; the valid file
// and the valid entry of the broken file still load.
TEST(RegistryLoad, BrokenFilesAndEntriesAreReportedAndSkipped) {
  const fs::path dir = kFixtures / "broken";
  const std::string valid = (dir / "10-valid.json").string();
  const std::string bad_json = (dir / "20-bad-json.json").string();
  const std::string entries = (dir / "30-entries.json").string();
  const std::string array = (dir / "40-array.json").string();
  Registry registry = Registry::load(dir);

  EXPECT_EQ(
      messages(registry.problems()),
      (std::vector<std::string>{
          bad_json + ": is not valid JSON: parse error at line 4, column 11: syntax error while "
                     "parsing object - unexpected string literal; expected '}'",
          entries + ": entry 2 (c1a55e5e-0002-4000-8000-000000000002): field 'purpose': is missing",
          entries + ": entry 3: field 'uuid': 'not-a-uuid' is not a UUID (8-4-4-4-12 hexadecimal "
                    "digits)",
          entries + ": entry 4 (81f303aa-448d-443d-97f9-8d8a9169321c): field 'payload_type': "
                    "'(uuuua(sqds)' is not a GVariant type",
          entries + ": entry 5 (c1a55e5e-0005-4000-8000-000000000005): field 'payload_type': 'ms' "
                    "contains a maybe type ('m'), which D-Bus cannot carry",
          entries + ": entry 6 (c1a55e5e-0006-4000-8000-000000000006): field 'example': '(1, 2)' "
                    "does not parse as '(ss)': can not parse as value of type 's' (at '1')",
          entries + ": entry 7 (c1a55e5e-0007-4000-8000-000000000007): field 'kind': 'counter' is "
                    "not a kind (use singular, aggregate or timer)",
          entries +
              ": entry 8 (5b77078c-1f85-42ae-a94f-3a927caac089): field 'uuid': "
              "5b77078c-1f85-42ae-a94f-3a927caac089 is already registered by " +
              valid + " entry 1 (network type); this entry is skipped",
          entries +
              ": entry 9 (665a7abd-f753-512a-a9da-5ea0f278a128): field 'uuid': "
              "665a7abd-f753-512a-a9da-5ea0f278a128 is already the monthly twin of " +
              valid + " entry 2 (updates installed); this entry is skipped",
          array + ": expected a JSON object with format, owner and metrics, got a JSON array",
      }));

  // The structured form names the same file, entry and field.
  const Problem& type_problem = registry.problems()[3];
  EXPECT_EQ(type_problem.file, dir / "30-entries.json");
  EXPECT_EQ(type_problem.entry, 4u);
  EXPECT_EQ(type_problem.uuid, "81f303aa-448d-443d-97f9-8d8a9169321c");
  EXPECT_EQ(type_problem.field, "payload_type");
  EXPECT_EQ(registry.problems()[0].entry, std::nullopt);

  EXPECT_EQ(uuids(registry.entries()),
            (std::vector<std::string>{"5b77078c-1f85-42ae-a94f-3a927caac089",
                                      "90264947-c90f-4c31-9f23-a95c3d23b9b0",
                                      "ad220144-ef81-486f-80f1-75f8ddac0a9a"}));
  // The earlier definition of the duplicated UUID is the one that counts.
  auto network = registry.find(id("5b77078c-1f85-42ae-a94f-3a927caac089"));
  ASSERT_TRUE(network);
  EXPECT_EQ(network->entry->name, "network type");
  EXPECT_EQ(network->entry->payload_type, "s");
  // Broken entries are unknown, so the recorder refuses them in enforce mode.
  EXPECT_FALSE(registry.find(id("81f303aa-448d-443d-97f9-8d8a9169321c")));
  EXPECT_FALSE(registry.find(id("c1a55e5e-0007-4000-8000-000000000007")));
}

TEST(RegistryLoad, MissingDirectoryKnowsNothing) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path() / "registry.d";
  Registry registry = Registry::load(dir);
  EXPECT_TRUE(registry.entries().empty());
  EXPECT_EQ(messages(registry.problems()),
            (std::vector<std::string>{dir.string() + ": does not exist: no metric is registered"}));
  auto r = registry.check(id("5b77078c-1f85-42ae-a94f-3a927caac089"), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnknownEvent);
}

TEST(RegistryLoad, FileInsteadOfDirectory) {
  testing::TempDir tmp;
  const fs::path file = tmp.path() / "registry.d";
  write_file(file, "{}");
  Registry registry = Registry::load(file);
  EXPECT_TRUE(registry.entries().empty());
  EXPECT_EQ(
      messages(registry.problems()),
      (std::vector<std::string>{file.string() + ": is not a directory: no metric is registered"}));
}

TEST(RegistryLoad, EmptyDirectoryHasNoProblems) {
  testing::TempDir tmp;
  Registry registry = Registry::load(tmp.path());
  EXPECT_TRUE(registry.entries().empty());
  EXPECT_TRUE(registry.problems().empty());
}

TEST(RegistryLoad, LinksAreFollowedAndDanglingOnesReported) {
  testing::TempDir tmp;
  fs::create_symlink(kFixtures / "valid" / "system.json", tmp.path() / "a-linked.json");
  fs::create_symlink(tmp.path() / "gone.json", tmp.path() / "b-dangling.json");
  fs::create_directory(tmp.path() / "c-directory.json");
  Registry registry = Registry::load(tmp.path());
  EXPECT_EQ(uuids(registry.entries()),
            (std::vector<std::string>{"a9253017-c271-41b5-922e-d75eff14fe40",
                                      "804c992a-4c53-4024-9f00-e48c4c387e03"}));
  EXPECT_EQ(
      messages(registry.problems()),
      (std::vector<std::string>{(tmp.path() / "b-dangling.json").string() +
                                    ": is not a regular file (or a link to one) and is skipped",
                                (tmp.path() / "c-directory.json").string() +
                                    ": is not a regular file (or a link to one) and is skipped"}));
}

TEST(RegistryLoad, DuplicatesInsideOneFile) {
  // Same UUID twice, and an aggregate whose monthly twin is an earlier singular's UUID.
  auto entry = [](const std::string& uuid, const std::string& name, const std::string& kind) {
    return R"({"uuid": ")" + uuid + R"(", "name": ")" + name + R"(", "kind": ")" + kind +
           R"(", "payload_type": null, "description": "d", "purpose": "p", "approval": "a",
           "example": null)" +
           (kind == "singular" ? "" : R"(, "example_count": 1)") + "}";
  };
  const std::string text =
      R"({"format": 1, "owner": "o", "metrics": [)" +
      entry("06d044b8-d270-5ab8-bd22-d3f27c84fa53", "first", "singular") + "," +
      entry("06d044b8-d270-5ab8-bd22-d3f27c84fa53", "again", "singular") + "," +
      entry("3b9b6f2e-1c1a-4f7e-9a51-0d6c2a7e4b10", "counted", "aggregate") + "]}";
  Registry registry = Registry::from_files({parse_registry_text(text, "one.json")});
  EXPECT_EQ(uuids(registry.entries()),
            (std::vector<std::string>{"06d044b8-d270-5ab8-bd22-d3f27c84fa53"}));
  EXPECT_EQ(messages(registry.problems()),
            (std::vector<std::string>{
                "one.json: entry 2 (06d044b8-d270-5ab8-bd22-d3f27c84fa53): field 'uuid': "
                "06d044b8-d270-5ab8-bd22-d3f27c84fa53 is already registered by one.json entry 1 "
                "(first); this entry is skipped",
                "one.json: entry 3 (3b9b6f2e-1c1a-4f7e-9a51-0d6c2a7e4b10): field 'uuid': its "
                "monthly twin 06d044b8-d270-5ab8-bd22-d3f27c84fa53 is already registered by "
                "one.json entry 1 (first); this entry is skipped"}));
  EXPECT_TRUE(registry.directory().empty());
}

TEST(RegistryLoad, DefaultDirectoryIsTheInstalledRegistry) {
  const fs::path dir = default_directory();
  EXPECT_TRUE(dir.is_absolute()) << dir;
  EXPECT_TRUE(dir.string().ends_with("/metrics/registry.d")) << dir;
}

// ---- Lookups ------------------------------------------------------------------------

class RegistryLookup : public ::testing::Test {
 protected:
  Registry registry_ = Registry::load(kFixtures / "valid");
};

TEST_F(RegistryLookup, FindsEntriesAndMonthlyTwinsOfCountedMetrics) {
  const Uuid aggregate = id("6e1add98-8b00-45d9-9a77-7d2c8d63c963");
  const Uuid timer = id("e12eeca7-7b56-4cdc-9c83-8359c1ac052c");
  const Uuid singular = id("46e59106-55a2-44f2-bffe-bd7d0209830d");

  auto own = registry_.find(aggregate);
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->monthly);
  EXPECT_EQ(own->entry->name, "search provider used");

  // UUID v5 of the daily UUID with the name "monthly" (docs/protocol.md).
  auto twin = registry_.find(id("334610e1-6177-5a6d-88c3-7ea395df3b97"));
  ASSERT_TRUE(twin);
  EXPECT_TRUE(twin->monthly);
  EXPECT_EQ(twin->entry, own->entry);
  EXPECT_EQ(own->entry->monthly_uuid(), id("334610e1-6177-5a6d-88c3-7ea395df3b97"));

  auto timer_twin = registry_.find(id("3d056110-3aeb-5fbe-a27b-256d06b50a0e"));
  ASSERT_TRUE(timer_twin);
  EXPECT_TRUE(timer_twin->monthly);
  EXPECT_EQ(timer_twin->entry->uuid, timer);

  // A singular metric has no monthly twin.
  EXPECT_FALSE(registry_.find(singular.monthly()));
  EXPECT_EQ(registry_.find(singular)->entry->monthly_uuid(), std::nullopt);
  EXPECT_FALSE(registry_.find(id("5b77078c-1f85-42ae-a94f-3a927caac089")));
}

TEST_F(RegistryLookup, NamesForTheCli) {
  EXPECT_EQ(registry_.name_of(id("6e1add98-8b00-45d9-9a77-7d2c8d63c963")), "search provider used");
  EXPECT_EQ(registry_.name_of(id("334610e1-6177-5a6d-88c3-7ea395df3b97")),
            "search provider used (monthly)");
  EXPECT_EQ(registry_.name_of(id("3d056110-3aeb-5fbe-a27b-256d06b50a0e")),
            "terminal running (monthly)");
  EXPECT_EQ(registry_.name_of(id("a9253017-c271-41b5-922e-d75eff14fe40")), "shutdown requested");
  EXPECT_EQ(registry_.name_of(id("5b77078c-1f85-42ae-a94f-3a927caac089")), std::nullopt);
}

TEST_F(RegistryLookup, CheckAllowsWhatTheEntrySays) {
  auto panels = value("(sa(su))", "('org.gnome.Settings', [('wifi', 12)])");
  auto provider = value("s", "'org.gnome.Calculator'");
  auto free = value("u", "512");
  EXPECT_TRUE(registry_.check(id("46e59106-55a2-44f2-bffe-bd7d0209830d"), panels.get()));
  EXPECT_TRUE(registry_.check(id("6e1add98-8b00-45d9-9a77-7d2c8d63c963"), provider.get()));
  // The monthly twin takes the payload of its daily entry.
  EXPECT_TRUE(registry_.check(id("334610e1-6177-5a6d-88c3-7ea395df3b97"), provider.get()));
  EXPECT_TRUE(registry_.check(id("e12eeca7-7b56-4cdc-9c83-8359c1ac052c"), nullptr));
  EXPECT_TRUE(registry_.check(id("3d056110-3aeb-5fbe-a27b-256d06b50a0e"), nullptr));
  EXPECT_TRUE(registry_.check(id("a9253017-c271-41b5-922e-d75eff14fe40"), nullptr));
  EXPECT_TRUE(registry_.check(id("804c992a-4c53-4024-9f00-e48c4c387e03"), free.get()));
}

TEST_F(RegistryLookup, CheckRefusesUnknownEvents) {
  auto r = registry_.check(id("5b77078c-1f85-42ae-a94f-3a927caac089"), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnknownEvent);
  EXPECT_EQ(r.error().message,
            "event 5b77078c-1f85-42ae-a94f-3a927caac089 is not in the metric "
            "registry (" +
                (kFixtures / "valid").string() + "); only registered metrics are recorded");
  // A singular metric's would-be twin is not known.
  auto twin = registry_.check(id("46e59106-55a2-44f2-bffe-bd7d0209830d").monthly(), nullptr);
  ASSERT_FALSE(twin);
  EXPECT_EQ(twin.error().code, ErrorCode::kUnknownEvent);
  // An empty registry knows nothing, and does not name a directory.
  auto empty = Registry().check(id("5b77078c-1f85-42ae-a94f-3a927caac089"), nullptr);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message,
            "event 5b77078c-1f85-42ae-a94f-3a927caac089 is not in the metric registry; only "
            "registered metrics are recorded");
}

TEST_F(RegistryLookup, CheckRefusesWrongPayloadTypes) {
  struct Case {
    const char* uuid;
    GVariantPtr payload;
    const char* message;
  };
  Case cases[] = {
      {"804c992a-4c53-4024-9f00-e48c4c387e03", value("i", "512"),
       "event 804c992a-4c53-4024-9f00-e48c4c387e03 (free memory) needs a payload of type 'u', "
       "not 'i'"},
      {"804c992a-4c53-4024-9f00-e48c4c387e03", nullptr,
       "event 804c992a-4c53-4024-9f00-e48c4c387e03 (free memory) needs a payload of type 'u', "
       "none was given"},
      {"a9253017-c271-41b5-922e-d75eff14fe40", value("b", "true"),
       "event a9253017-c271-41b5-922e-d75eff14fe40 (shutdown requested) has no payload, but one "
       "of type 'b' was given"},
      {"46e59106-55a2-44f2-bffe-bd7d0209830d", value("(sa(sq))", "('x', [('y', 1)])"),
       "event 46e59106-55a2-44f2-bffe-bd7d0209830d (settings panels used) needs a payload of "
       "type '(sa(su))', not '(sa(sq))'"},
      {"334610e1-6177-5a6d-88c3-7ea395df3b97", nullptr,
       "event 334610e1-6177-5a6d-88c3-7ea395df3b97 (search provider used (monthly)) needs a "
       "payload of type 's', none was given"},
      {"3d056110-3aeb-5fbe-a27b-256d06b50a0e", value("s", "'x'"),
       "event 3d056110-3aeb-5fbe-a27b-256d06b50a0e (terminal running (monthly)) has no payload, "
       "but one of type 's' was given"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    auto r = registry_.check(id(c.uuid), c.payload.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kWrongPayloadType);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST_F(RegistryLookup, CheckRecordingAllowsEachKindItsOwnCalls) {
  auto provider = value("s", "'org.gnome.Calculator'");
  auto free = value("u", "512");
  // Singular metrics as single events; counted ones as aggregates or timers, either way.
  EXPECT_TRUE(registry_.check_recording(id("804c992a-4c53-4024-9f00-e48c4c387e03"), Kind::Singular,
                                        free.get()));
  for (Kind counted : {Kind::Aggregate, Kind::Timer}) {
    EXPECT_TRUE(registry_.check_recording(id("6e1add98-8b00-45d9-9a77-7d2c8d63c963"), counted,
                                          provider.get()));
    EXPECT_TRUE(
        registry_.check_recording(id("e12eeca7-7b56-4cdc-9c83-8359c1ac052c"), counted, nullptr));
  }
}

TEST_F(RegistryLookup, CheckRecordingRefusesTheWrongKind) {
  struct Case {
    const char* uuid;
    Kind recorded_as;
    const char* payload_type;
    const char* payload;
    const char* message;
  };
  const Case cases[] = {
      {"804c992a-4c53-4024-9f00-e48c4c387e03", Kind::Aggregate, "u", "512",
       "event 804c992a-4c53-4024-9f00-e48c4c387e03 (free memory) is a singular metric: record "
       "each occurrence as an event, it cannot be counted as an aggregate or timer"},
      {"a9253017-c271-41b5-922e-d75eff14fe40", Kind::Timer, nullptr, nullptr,
       "event a9253017-c271-41b5-922e-d75eff14fe40 (shutdown requested) is a singular metric: "
       "record each occurrence as an event, it cannot be counted as an aggregate or timer"},
      {"e12eeca7-7b56-4cdc-9c83-8359c1ac052c", Kind::Singular, nullptr, nullptr,
       "event e12eeca7-7b56-4cdc-9c83-8359c1ac052c (terminal running) is a timer metric "
       "(counted per day and month): it cannot be recorded as a single event"},
      {"6e1add98-8b00-45d9-9a77-7d2c8d63c963", Kind::Singular, "s", "'x'",
       "event 6e1add98-8b00-45d9-9a77-7d2c8d63c963 (search provider used) is an aggregate "
       "metric (counted per day and month): it cannot be recorded as a single event"},
      // The monthly twin is derived by the recorder, never recorded: whatever the call.
      {"334610e1-6177-5a6d-88c3-7ea395df3b97", Kind::Aggregate, "s", "'x'",
       "event 334610e1-6177-5a6d-88c3-7ea395df3b97 is the monthly twin of "
       "6e1add98-8b00-45d9-9a77-7d2c8d63c963 (search provider used); the recorder derives "
       "monthly counts itself, record 6e1add98-8b00-45d9-9a77-7d2c8d63c963 instead"},
      {"3d056110-3aeb-5fbe-a27b-256d06b50a0e", Kind::Timer, nullptr, nullptr,
       "event 3d056110-3aeb-5fbe-a27b-256d06b50a0e is the monthly twin of "
       "e12eeca7-7b56-4cdc-9c83-8359c1ac052c (terminal running); the recorder derives monthly "
       "counts itself, record e12eeca7-7b56-4cdc-9c83-8359c1ac052c instead"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    GVariantPtr payload = c.payload_type ? value(c.payload_type, c.payload) : nullptr;
    auto r = registry_.check_recording(id(c.uuid), c.recorded_as, payload.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kWrongEventKind);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST_F(RegistryLookup, CheckRecordingStillChecksIdAndPayload) {
  auto unknown = registry_.check_recording(id("5b77078c-1f85-42ae-a94f-3a927caac089"),
                                           Kind::Singular, nullptr);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnknownEvent);
  auto wrong = value("i", "1");
  auto payload = registry_.check_recording(id("6e1add98-8b00-45d9-9a77-7d2c8d63c963"),
                                           Kind::Aggregate, wrong.get());
  ASSERT_FALSE(payload);
  EXPECT_EQ(payload.error().code, ErrorCode::kWrongPayloadType);
}

// ---- Reloading ----------------------------------------------------------------------

TEST(RegistryReload, ReportsWhatChangedAndReplacesTheRegistry) {
  testing::TempDir tmp;
  const fs::path& dir = tmp.path();
  fs::copy_file(kFixtures / "valid" / "apps.json", dir / "apps.json");
  fs::copy_file(kFixtures / "valid" / "system.json", dir / "system.json");
  Registry registry = Registry::load(dir);
  ASSERT_EQ(registry.entries().size(), 5u);

  ReloadReport same = registry.reload();
  EXPECT_FALSE(same.changes());
  EXPECT_TRUE(same.problems.empty());
  EXPECT_EQ(same.summary(), "registry reloaded: 0 added, 0 removed, 0 changed, 0 problems");

  // system.json becomes system2.json, where free memory has another type and the UUID of
  // shutdown requested is replaced by a new one; a broken file appears next to them.
  const std::string apps = slurp(dir / "apps.json");
  std::string system = slurp(dir / "system.json");
  fs::remove(dir / "system.json");
  auto replace = [&system](const std::string& from, const std::string& to) {
    system.replace(system.find(from), from.size(), to);
  };
  replace(R"("payload_type": "u")", R"("payload_type": "t")");
  replace("a9253017-c271-41b5-922e-d75eff14fe40", "5b77078c-1f85-42ae-a94f-3a927caac089");
  write_file(dir / "system2.json", system);
  write_file(dir / "zz-broken.json", "{");

  ReloadReport report = registry.reload();
  EXPECT_TRUE(report.changes());
  EXPECT_EQ(report.added, (std::vector<Uuid>{id("5b77078c-1f85-42ae-a94f-3a927caac089")}));
  EXPECT_EQ(report.removed, (std::vector<Uuid>{id("a9253017-c271-41b5-922e-d75eff14fe40")}));
  EXPECT_EQ(report.changed, (std::vector<Uuid>{id("804c992a-4c53-4024-9f00-e48c4c387e03")}));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].file, dir / "zz-broken.json");
  EXPECT_EQ(report.summary(), "registry reloaded: 1 added, 1 removed, 1 changed, 1 problem");
  EXPECT_EQ(registry.problems(), report.problems);

  // The registry now answers with the new definitions.
  auto wide = value("t", "512");
  EXPECT_TRUE(registry.check(id("804c992a-4c53-4024-9f00-e48c4c387e03"), wide.get()));
  EXPECT_FALSE(registry.find(id("a9253017-c271-41b5-922e-d75eff14fe40")));
  EXPECT_EQ(registry.name_of(id("5b77078c-1f85-42ae-a94f-3a927caac089")), "shutdown requested");
  EXPECT_EQ(registry.directory(), dir);
  EXPECT_EQ(apps, slurp(dir / "apps.json"));  // untouched file, unchanged entries
}

TEST(RegistryReload, MovingAnEntryToAnotherFileIsNoChange) {
  testing::TempDir tmp;
  fs::copy_file(kFixtures / "valid" / "system.json", tmp.path() / "a.json");
  Registry registry = Registry::load(tmp.path());
  fs::rename(tmp.path() / "a.json", tmp.path() / "b.json");
  ReloadReport report = registry.reload();
  EXPECT_FALSE(report.changes());
  EXPECT_EQ(registry.entries()[0].source, tmp.path() / "b.json");
}

TEST(RegistryReload, DirectoryRemovedForgetsEverything) {
  testing::TempDir tmp;
  const fs::path dir = tmp.path() / "registry.d";
  fs::create_directory(dir);
  fs::copy_file(kFixtures / "valid" / "system.json", dir / "system.json");
  Registry registry = Registry::load(dir);
  ASSERT_EQ(registry.entries().size(), 2u);
  fs::remove_all(dir);
  ReloadReport report = registry.reload();
  EXPECT_EQ(report.removed.size(), 2u);
  EXPECT_EQ(report.problems.size(), 1u);
  EXPECT_TRUE(registry.entries().empty());
}

}  // namespace
}  // namespace metrics::registry
