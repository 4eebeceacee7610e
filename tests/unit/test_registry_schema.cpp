// SPDX-License-Identifier: GPL-2.0-or-later
// The registry file format, rule by rule: each malformed file or entry gets a message
// that names the file, the entry and the field, and a broken entry does not take its
// valid neighbours down with it.
#include "registry_schema.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry_gvariant.hpp"

namespace metrics::registry {
namespace {

using nlohmann::ordered_json;

constexpr const char* kUuid = "0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13";

ordered_json valid_entry() {
  return ordered_json{
      {"uuid", kUuid},
      {"name", "drive kinds"},
      {"kind", "singular"},
      {"payload_type", "(sa(sq))"},
      {"fields",
       {{{"name", "host"}, {"description", "host name kind"}},
        {{"name", "drives"},
         {"description", "the drives"},
         {"fields",
          {{{"name", "kind"}, {"description", "ssd or hdd"}},
           {{"name", "count"}, {"description", "how many"}}}}}}},
      {"description", "Drives.\nOne line per kind."},
      {"purpose", "Testing."},
      {"approval", "Test"},
      {"example", "('a', [('ssd', 1)])"},
  };
}

ordered_json file_with(std::vector<ordered_json> entries) {
  ordered_json metrics = ordered_json::array();
  for (auto& e : entries) metrics.push_back(std::move(e));
  return ordered_json{{"format", 1}, {"owner", "Tests"}, {"metrics", metrics}};
}

std::vector<std::string> problems_of(const std::string& text) {
  FileContents contents = parse_registry_text(text, "t.json");
  std::vector<std::string> out;
  for (const Problem& p : contents.problems) out.push_back(p.to_string());
  return out;
}

std::vector<std::string> problems_of(const ordered_json& file) {
  return problems_of(file.dump());
}

// The problems of one entry, changed by `edit` from a valid one, behind a valid neighbour.
std::vector<std::string> entry_problems(const std::function<void(ordered_json&)>& edit) {
  ordered_json entry = valid_entry();
  edit(entry);
  ordered_json neighbour = valid_entry();
  neighbour["uuid"] = "b7b305aa-24cb-5e96-942a-5ee4f5a1b5c6";
  FileContents contents = parse_registry_text(file_with({neighbour, entry}).dump(), "t.json");
  EXPECT_FALSE(contents.file_skipped);
  EXPECT_FALSE(contents.entries.empty()) << "the valid neighbour must still load";
  std::vector<std::string> out;
  for (const Problem& p : contents.problems) out.push_back(p.to_string());
  return out;
}

std::string at(const std::string& field, const std::string& message) {
  return std::string("t.json: entry 2 (") + kUuid + "): field '" + field + "': " + message;
}

using Strings = std::vector<std::string>;

TEST(RegistrySchema, ValidEntryReadsEveryField) {
  FileContents contents = parse_registry_text(file_with({valid_entry()}).dump(), "dir/t.json");
  ASSERT_TRUE(contents.problems.empty()) << contents.problems[0].to_string();
  EXPECT_EQ(contents.owner, "Tests");
  ASSERT_EQ(contents.entries.size(), 1u);
  const Entry& e = contents.entries[0];
  EXPECT_EQ(e.uuid.to_string(), kUuid);
  EXPECT_EQ(e.name, "drive kinds");
  EXPECT_EQ(e.kind, Kind::Singular);
  EXPECT_EQ(e.payload_type, "(sa(sq))");
  EXPECT_EQ(e.description, "Drives.\nOne line per kind.");
  EXPECT_EQ(e.purpose, "Testing.");
  EXPECT_EQ(e.approval, "Test");
  EXPECT_EQ(e.example, "('a', [('ssd', 1)])");
  EXPECT_EQ(e.source, "dir/t.json");
  EXPECT_EQ(e.position, 1u);
  EXPECT_EQ(e.owner, "Tests");
  EXPECT_EQ(e.fields, (std::vector<Field>{
                          {"host", "s", "host name kind", {}},
                          {"drives",
                           "a(sq)",
                           "the drives",
                           {{"kind", "s", "ssd or hdd", {}}, {"count", "q", "how many", {}}}}}));
}

TEST(RegistrySchema, UppercaseUuidIsReadAndShownInCanonicalForm) {
  auto contents = parse_registry_text(file_with({[] {
                                        auto e = valid_entry();
                                        e["uuid"] = "0E7F3C55-2D9A-4B8E-B1C4-6A2F8E9D0C13";
                                        return e;
                                      }()})
                                          .dump(),
                                      "t.json");
  ASSERT_EQ(contents.entries.size(), 1u);
  EXPECT_EQ(contents.entries[0].uuid.to_string(), kUuid);
}

// ---- The file ---------------------------------------------------------------------------

TEST(RegistrySchema, FileLevelProblemsSkipTheWholeFile) {
  struct Case {
    std::string text;
    Strings problems;
  };
  const Case cases[] = {
      {"",
       {"t.json: is not valid JSON: parse error at line 1, column 1: syntax error while "
        "parsing value - unexpected end of input; expected '[', '{', or a literal"}},
      {"{\"format\": 1, \"owner\": \"o\", \"metrics\": [\xff]}",
       {"t.json: is not valid JSON: parse error at line 1, column 41: syntax error while "
        "parsing value - invalid literal; last read: '\"metrics\": [\uFFFD' (entry 1)"}},
      {R"("metrics")",
       {"t.json: expected a JSON object with format, owner and metrics, got a "
        "JSON string"}},
      {R"({"owner": "o", "metrics": []})",
       {"t.json: field 'format': is missing (this version reads format 1)"}},
      {R"({"format": 2, "owner": "o", "metrics": []})",
       {"t.json: field 'format': 2 is not a format this version reads (it reads format 1)"}},
      {R"({"format": "1", "owner": "o", "metrics": []})",
       {"t.json: field 'format': expected the number 1, got a JSON string"}},
      {R"({"format": 1, "metrics": []})", {"t.json: field 'owner': is missing"}},
      {R"({"format": 1, "owner": " ", "metrics": []})", {"t.json: field 'owner': is empty"}},
      {R"({"format": 1, "owner": "o"})",
       {"t.json: field 'metrics': is missing (an array of metric entries)"}},
      {R"({"format": 1, "owner": "o", "metrics": {}})",
       {"t.json: field 'metrics': expected an array of metric entries, got a JSON object"}},
      {R"({"format": 1, "owner": "o", "metrics": [], "comment": "x"})",
       {"t.json: field 'comment': is not a field of this format (known: format, owner, "
        "metrics)"}},
      {R"({"format": 1, "owner": "o", "owner": "p", "metrics": []})",
       {"t.json: field 'owner': appears more than once (JSON would keep only the last; remove "
        "the others)"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    FileContents contents = parse_registry_text(c.text, "t.json");
    EXPECT_EQ(problems_of(c.text), c.problems);
    EXPECT_TRUE(contents.file_skipped);
    EXPECT_TRUE(contents.entries.empty());
  }
}

TEST(RegistrySchema, EmptyMetricsListIsValid) {
  FileContents contents = parse_registry_text(R"({"format": 1, "owner": "o", "metrics": []})", "t");
  EXPECT_TRUE(contents.problems.empty());
  EXPECT_FALSE(contents.file_skipped);
  EXPECT_EQ(contents.owner, "o");
}

TEST(RegistrySchema, UnreadableFile) {
  FileContents contents = read_registry_file("/nonexistent/registry.d/x.json");
  ASSERT_EQ(contents.problems.size(), 1u);
  EXPECT_TRUE(contents.file_skipped);
  const std::string message = contents.problems[0].to_string();
  EXPECT_TRUE(message.starts_with("/nonexistent/registry.d/x.json: cannot be read (")) << message;
}

// ---- Entries ------------------------------------------------------------------------------

TEST(RegistrySchema, EntryThatIsNotAnObject) {
  ordered_json file = file_with({valid_entry()});
  file["metrics"].push_back("just a string");
  EXPECT_EQ(problems_of(file),
            (Strings{"t.json: entry 2: expected a JSON object, got a JSON string"}));
}

TEST(RegistrySchema, MissingFields) {
  for (const char* key : {"name", "kind", "description", "purpose", "approval"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(entry_problems([&](ordered_json& e) { e.erase(key); }),
              (Strings{at(key, "is missing")}));
  }
  EXPECT_EQ(entry_problems([](ordered_json& e) { e.erase("uuid"); }),
            (Strings{"t.json: entry 2: field 'uuid': is missing"}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e.erase("payload_type"); }),
            (Strings{at("payload_type", "is missing (use null for a metric without payload)")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e.erase("example"); }),
            (Strings{at("example", "is missing: give a typical payload in GVariant text form")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e.erase("fields"); }),
            (Strings{at("fields", "is missing: describe the 2 members of '(sa(sq))'")}));
}

TEST(RegistrySchema, EveryProblemOfAnEntryIsReported) {
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e.erase("purpose");
              e["kind"] = "daily";
              e["name"] = 7;
            }),
            (Strings{at("name", "expected a string, got a JSON number"),
                     at("kind", "'daily' is not a kind (use singular, aggregate or timer)"),
                     at("purpose", "is missing")}));
}

TEST(RegistrySchema, UnknownAndDuplicateKeys) {
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["paylod_type"] = "s"; }),
            (Strings{at("paylod_type",
                        "is not a field of this format (known: uuid, name, kind, payload_type, "
                        "fields, description, purpose, approval, example, example_count)")}));

  // ordered_json cannot hold a duplicate key, so the text is written by hand.
  const std::string entry = valid_entry().dump();
  std::string twice = entry;
  twice.insert(1, R"("payload_type": "s", )");
  std::string nested = entry;
  nested.replace(nested.find(R"({"name":"kind")"), 1, R"({"name":"sort",)");
  const std::string text =
      R"({"format": 1, "owner": "o", "metrics": [)" + entry + "," + twice + "," + nested + "]}";
  EXPECT_EQ(
      problems_of(text),
      (Strings{"t.json: entry 2 (0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13): field 'payload_type': "
               "appears more than once (JSON would keep only the last; remove the others)",
               "t.json: entry 3 (0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13): field "
               "'fields[2].fields[1].name': appears more than once (JSON would keep only the "
               "last; remove the others)"}));
}

TEST(RegistrySchema, Uuid) {
  for (const char* bad :
       {"0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c1", "{0e7f3c55-2d9a-4b8e-b1c4-6a2f8e9d0c13}",
        "0e7f3c552d9a4b8eb1c46a2f8e9d0c13"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(entry_problems([&](ordered_json& e) { e["uuid"] = bad; }),
              (Strings{std::string("t.json: entry 2: field 'uuid': '") + bad +
                       "' is not a UUID (8-4-4-4-12 hexadecimal digits)"}));
  }
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["uuid"] = 12; }),
            (Strings{"t.json: entry 2: field 'uuid': expected a string, got a JSON number"}));
}

TEST(RegistrySchema, Kind) {
  for (const char* kind : {"Singular", "counter", "aggregate-timer"}) {
    EXPECT_EQ(entry_problems([&](ordered_json& e) { e["kind"] = kind; }),
              (Strings{at("kind", std::string("'") + kind +
                                      "' is not a kind (use singular, aggregate or timer)")}));
  }
}

TEST(RegistrySchema, TextsAreNotBlankAndNamesAreOneLine) {
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["purpose"] = "  \n"; }),
            (Strings{at("purpose", "is empty")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["name"] = "two\nlines"; }),
            (Strings{at("name", "must be one line without control characters")}));
  EXPECT_EQ(
      entry_problems([](ordered_json& e) { e["description"] = "tab\there"; }),
      (Strings{at("description", "may contain line breaks but no other control characters")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["approval"] = nullptr; }),
            (Strings{at("approval", "expected a string, got null")}));
}

TEST(RegistrySchema, PayloadTypes) {
  struct Case {
    ordered_json type;
    std::string message;
  };
  const Case cases[] = {
      {"(uuuua(sqds)", "'(uuuua(sqds)' is not a GVariant type"},
      {"", "'' is not a GVariant type (use null for a metric without payload)"},
      {"ms", "'ms' contains a maybe type ('m'), which D-Bus cannot carry"},
      {"(sa(smq))", "'(sa(smq))' contains a maybe type ('m'), which D-Bus cannot carry"},
      {"(sh)", "'(sh)' contains a file descriptor ('h'), which the recorder refuses"},
      {"a*",
       "'a*' is not a definite type (it contains '*', '?' or 'r'); a payload has one exact "
       "type"},
      {"(s?)",
       "'(s?)' is not a definite type (it contains '*', '?' or 'r'); a payload has one "
       "exact type"},
      {5, "expected a GVariant type string or null, got a JSON number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type.dump());
    EXPECT_EQ(entry_problems([&](ordered_json& e) { e["payload_type"] = c.type; }),
              (Strings{at("payload_type", c.message)}));
  }
}

TEST(RegistrySchema, FieldsMatchThePayloadType) {
  auto set_type = [](ordered_json& e, const char* type, const char* example) {
    e["payload_type"] = type;
    e["example"] = example;
  };
  // Too few for a tuple.
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"].erase(1); }),
            (Strings{at("fields", "has 1 descriptions for the 2 members of '(sa(sq))'")}));
  // One value is described by exactly one field.
  EXPECT_EQ(entry_problems([&](ordered_json& e) { set_type(e, "s", "'x'"); }),
            (Strings{at("fields",
                        "has 2 descriptions for the payload of type 's', which is one value "
                        "(give 1)")}));
  // An array of tuples is described member by member.
  EXPECT_EQ(entry_problems([&](ordered_json& e) {
              set_type(e, "a(su)", "[('x', 1)]");
              e["fields"] = e["fields"][1]["fields"];
            }),
            Strings{});
  // A member that is a tuple (or an array of them) needs its own fields ...
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][1].erase("fields"); }),
            (Strings{at("fields[2].fields",
                        "is missing: describe the 2 members of the tuples in 'a(sq)'")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][1]["fields"].erase(0); }),
            (Strings{at("fields[2].fields",
                        "has 1 descriptions for the 2 members of the tuples in 'a(sq)'")}));
  // ... and one that is not may not have them.
  EXPECT_EQ(
      entry_problems([](ordered_json& e) { e["fields"][0]["fields"] = ordered_json::array(); }),
      (Strings{at("fields[1].fields",
                  "'s' has no members to describe (only tuples, and arrays of tuples, do)")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["fields"][1]["fields"][1].erase("description");
              e["fields"][0]["unit"] = "none";
              e["fields"][0]["name"] = "";
            }),
            (Strings{at("fields[1].unit",
                        "is not a field of this format (known: name, "
                        "description, fields, allowed_values)"),
                     at("fields[1].name", "is empty"),
                     at("fields[2].fields[2].description", "is missing")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][1]["fields"][1]["name"] = "kind"; }),
            (Strings{at("fields[2].fields[2].name", "'kind' already names fields[2].fields[1]")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][0] = "host"; }),
            (Strings{at("fields[1]",
                        "expected an object with name and description, got a JSON "
                        "string")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"] = "host"; }),
            (Strings{at("fields", "expected an array, got a JSON string")}));
  // Without a payload there is nothing to describe.
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["payload_type"] = nullptr;
              e["example"] = nullptr;
            }),
            (Strings{at("fields", "must be left out: the metric has no payload")}));
}

TEST(RegistrySchema, AllowedValues) {
  // On a string field, at the top or inside an array of tuples, listed in file order.
  {
    ordered_json entry = valid_entry();
    entry["fields"][0]["allowed_values"] = {"b", "a"};
    entry["fields"][1]["fields"][0]["allowed_values"] = {"ssd", "hdd"};
    entry["example"] = "('a', [('ssd', 1), ('hdd', 2)])";
    FileContents contents = parse_registry_text(file_with({entry}).dump(), "t.json");
    ASSERT_EQ(contents.problems.size(), 0u) << contents.problems[0].to_string();
    ASSERT_EQ(contents.entries.size(), 1u);
    const Entry& read = contents.entries[0];
    EXPECT_EQ(read.fields[0].allowed_values, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(read.fields[1].fields[0].allowed_values, (std::vector<std::string>{"ssd", "hdd"}));
    EXPECT_TRUE(read.fields[1].fields[1].allowed_values.empty());
  }
  // A payload that is one string.
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["payload_type"] = "s";
              e["fields"] = {{{"name", "app"}, {"description", "d"}, {"allowed_values", {"x"}}}};
              e["example"] = "'x'";
            }),
            Strings{});
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["fields"][1]["fields"][1]["allowed_values"] = {"1"};
              e["fields"][1]["allowed_values"] = {"x"};
            }),
            (Strings{at("fields[2].allowed_values",
                        "only a string field (type 's') may list allowed values; this one is "
                        "'a(sq)' (array of (string, uint16))"),
                     at("fields[2].fields[2].allowed_values",
                        "only a string field (type 's') may list allowed values; this one is 'q' "
                        "(uint16)")}));
  EXPECT_EQ(
      entry_problems([](ordered_json& e) { e["fields"][0]["allowed_values"] = "a"; }),
      (Strings{at("fields[1].allowed_values", "expected an array of strings, got a JSON string")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][0]["allowed_values"] = nullptr; }),
            (Strings{at("fields[1].allowed_values", "expected an array of strings, got null")}));
  EXPECT_EQ(entry_problems(
                [](ordered_json& e) { e["fields"][0]["allowed_values"] = ordered_json::array(); }),
            (Strings{at(
                "fields[1].allowed_values",
                "is empty: no value could ever be sent (leave the key out to allow any value)")}));
  EXPECT_EQ(
      entry_problems([](ordered_json& e) {
        e["fields"][0]["allowed_values"] = {"a", 3, "", "two\nlines", "a", "b", "b"};
      }),
      (Strings{
          at("fields[1].allowed_values[2]", "expected a string, got a JSON number"),
          at("fields[1].allowed_values[3]", "is empty"),
          at("fields[1].allowed_values[4]", "must be one line without control characters"),
          at("fields[1].allowed_values[5]", "'a' is already listed as fields[1].allowed_values[1]"),
          at("fields[1].allowed_values[7]",
             "'b' is already listed as fields[1].allowed_values[6]")}));
  // The example must be something that may be sent.
  EXPECT_EQ(entry_problems(
                [](ordered_json& e) { e["fields"][1]["fields"][0]["allowed_values"] = {"hdd"}; }),
            (Strings{at("example",
                        "'('a', [('ssd', 1)])': field 'drives[1].kind' holds a value that its "
                        "allowed_values do not list")}));
  // A misspelt key is an unknown key, not silently "any value".
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["fields"][0]["allowed_value"] = {"a"}; }),
            (Strings{at("fields[1].allowed_value",
                        "is not a field of this format (known: name, description, fields, "
                        "allowed_values)")}));
}

TEST(RegistrySchema, Examples) {
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["example"] = "('a', [('ssd', -1)])"; }),
            (Strings{at("example",
                        "'('a', [('ssd', -1)])' does not parse as '(sa(sq))': number out of range "
                        "for type 'q' (at '-1')")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["example"] = "('a', [('ssd', 1)]"; }),
            (Strings{at("example",
                        "'('a', [('ssd', 1)]' does not parse as '(sa(sq))': expected ',' or ')' "
                        "to follow tuple element (at the end)")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["example"] = nullptr; }),
            (Strings{at("example",
                        "expected a payload in GVariant text form (a string), got "
                        "null")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["payload_type"] = nullptr;
              e.erase("fields");
            }),
            (Strings{at("example", "must be null: the metric has no payload")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) {
              e["payload_type"] = nullptr;
              e.erase("fields");
              e.erase("example");
            }),
            (Strings{at("example", "is missing (use null: the metric has no payload)")}));
}

TEST(RegistrySchema, ExampleCounts) {
  auto counted = [](const char* kind) {
    return [kind](ordered_json& e) {
      e["kind"] = kind;
      e["example_count"] = 12;
    };
  };
  EXPECT_EQ(entry_problems(counted("aggregate")), Strings{});
  EXPECT_EQ(entry_problems(counted("timer")), Strings{});
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["example_count"] = 12; }),
            (Strings{at("example_count",
                        "must be left out: only aggregate and timer metrics send counts")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["kind"] = "timer"; }),
            (Strings{at("example_count", "is missing: give a typical daily number of seconds")}));
  EXPECT_EQ(entry_problems([](ordered_json& e) { e["kind"] = "aggregate"; }),
            (Strings{at("example_count", "is missing: give a typical daily count")}));
  for (ordered_json bad :
       {ordered_json(-1), ordered_json(1.5), ordered_json(4294967296), ordered_json("12")}) {
    SCOPED_TRACE(bad.dump());
    const std::string shown = bad.is_number() ? "got " + bad.dump() : "got a JSON string";
    EXPECT_EQ(
        entry_problems([&](ordered_json& e) {
          e["kind"] = "aggregate";
          e["example_count"] = bad;
        }),
        (Strings{at("example_count", "expected a whole number from 0 to 4294967295, " + shown)}));
  }
  auto contents = parse_registry_text(file_with({[] {
                                        auto e = valid_entry();
                                        e["kind"] = "timer";
                                        e["example_count"] = 4294967295u;
                                        return e;
                                      }()})
                                          .dump(),
                                      "t.json");
  ASSERT_EQ(contents.entries.size(), 1u);
  EXPECT_EQ(contents.entries[0].example_count, 4294967295u);
}

// ---- Helpers ------------------------------------------------------------------------------

TEST(RegistrySchema, ProblemText) {
  EXPECT_EQ((Problem{"f.json", std::nullopt, "", "", "m"}).to_string(), "f.json: m");
  EXPECT_EQ((Problem{"f.json", std::nullopt, "", "owner", "m"}).to_string(),
            "f.json: field 'owner': m");
  EXPECT_EQ((Problem{"f.json", 3, "", "", "m"}).to_string(), "f.json: entry 3: m");
  EXPECT_EQ((Problem{"f.json", 3, kUuid, "kind", "m"}).to_string(),
            std::string("f.json: entry 3 (") + kUuid + "): field 'kind': m");
}

TEST(RegistrySchema, ReadableTypes) {
  EXPECT_EQ(readable_type("t"), "uint64");
  EXPECT_EQ(readable_type("(uuuua(sqds))"),
            "(uint32, uint32, uint32, uint32, array of (string, uint16, double, string))");
  EXPECT_EQ(readable_type("a{sv}"), "dictionary of string to variant (any type)");
  EXPECT_EQ(readable_type("aas"), "array of array of string");
  EXPECT_EQ(readable_type("(bynixogd)"),
            "(boolean, byte, int16, int32, int64, object path, type signature, double)");
  EXPECT_EQ(described_members("s"), std::nullopt);
  EXPECT_EQ(described_members("a{ss}"), std::nullopt);
  EXPECT_EQ(described_members("aa(st)"), (std::vector<std::string>{"s", "t"}));
  EXPECT_EQ(described_members("(a(sq)s)"), (std::vector<std::string>{"a(sq)", "s"}));
}

}  // namespace
}  // namespace metrics::registry
