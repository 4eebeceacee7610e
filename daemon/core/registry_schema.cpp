// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_schema.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "glib_handles.hpp"
#include "registry_allowed_values.hpp"
#include "registry_gvariant.hpp"
#include "registry_json.hpp"

namespace metrics::registry {

namespace {

using nlohmann::json;

constexpr std::string_view kFileKeys[] = {"format", "owner", "metrics"};
constexpr std::string_view kEntryKeys[] = {"uuid",    "name",         "kind",    "payload_type",
                                           "fields",  "description",  "purpose", "approval",
                                           "example", "example_count"};
constexpr std::string_view kFieldKeys[] = {"name", "description", "fields", "allowed_values"};

std::string known_keys(std::span<const std::string_view> keys) {
  std::string out;
  for (std::string_view key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

bool is_known(std::span<const std::string_view> keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string got(const json& value) {
  return std::string("got ") +
         (value.is_null() ? "null" : "a JSON " + std::string(value.type_name()));
}

// "fields[2].name" for the steps fields → 1 → name: positions are counted from 1, like entries.
std::string field_path(std::span<const JsonStep> steps) {
  std::string out;
  for (const JsonStep& step : steps) {
    if (step.index)
      out += "[" + std::to_string(*step.index + 1) + "]";
    else
      out += (out.empty() ? "" : ".") + step.key;
  }
  return out;
}

// "2 members of '(sq)'", "2 members of the tuples in 'a(sq)'"
std::string members_text(const std::string& type, size_t count) {
  return std::to_string(count) + " members of " +
         (type.starts_with("a") ? "the tuples in '" : "'") + type + "'";
}

using Fail = std::function<void(const std::string& field, const std::string& message)>;

void check_keys(const json& object, std::span<const std::string_view> known,
                const std::string& prefix, const Fail& fail) {
  for (const auto& [key, value] : object.items())
    if (!is_known(known, key))
      fail(prefix + key, "is not a field of this format (known: " + known_keys(known) + ")");
}

// A string that is not blank. Names and field descriptions end up in table cells and
// one-line CLI output, so they may not contain line breaks or other control characters;
// longer texts may contain line breaks only.
std::optional<std::string> check_text(const json& value, const std::string& field, bool one_line,
                                      const Fail& fail) {
  if (!value.is_string()) {
    fail(field, "expected a string, " + got(value));
    return std::nullopt;
  }
  std::string text = value.get<std::string>();
  if (std::all_of(text.begin(), text.end(), [](char c) { return g_ascii_isspace(c); })) {
    fail(field, "is empty");
    return std::nullopt;
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 || byte == 0x7f) && (one_line || c != '\n')) {
      fail(field, one_line ? "must be one line without control characters"
                           : "may contain line breaks but no other control characters");
      return std::nullopt;
    }
  }
  return text;
}

// A required string member (see check_text).
std::optional<std::string> read_text(const json& object, const std::string& key,
                                     const std::string& field, bool one_line, const Fail& fail) {
  auto it = object.find(key);
  if (it == object.end()) {
    fail(field, "is missing");
    return std::nullopt;
  }
  return check_text(*it, field, one_line, fail);
}

// The values a string field may hold, at `at` ("fields[1].allowed_values"). Each is one
// line (they are listed on the user page and by metricsctl) and listed once.
std::optional<std::vector<std::string>> read_allowed_values(const json& list, const Field& field,
                                                            const std::string& at,
                                                            const Fail& fail) {
  if (field.type != "s") {
    fail(at, "only a string field (type 's') may list allowed values; this one is '" + field.type +
                 "' (" + readable_type(field.type) + ")");
    return std::nullopt;
  }
  if (!list.is_array()) {
    fail(at, "expected an array of strings, " + got(list));
    return std::nullopt;
  }
  if (list.empty()) {
    fail(at, "is empty: no value could ever be sent (leave the key out to allow any value)");
    return std::nullopt;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item_at = at + "[" + std::to_string(i + 1) + "]";
    auto text = check_text(list[i], item_at, true, fail);
    if (!text) {
      ok = false;
      continue;
    }
    for (size_t earlier = 0; earlier < i; ++earlier)
      if (list[earlier] == list[i]) {
        fail(item_at, "'" + *text + "' is already listed as " + at + "[" +
                          std::to_string(earlier + 1) + "]");
        ok = false;
        break;
      }
    values.push_back(std::move(*text));
  }
  if (!ok) return std::nullopt;
  return values;
}

// The descriptions of the members `types` of a tuple, at `prefix` ("fields" or
// "fields[2].fields"). A member that is itself a tuple, or an array of tuples, is
// described member by member in its own "fields".
std::optional<std::vector<Field>> read_fields(const json* list,
                                              const std::vector<std::string>& types,
                                              const std::string& of_what, const std::string& prefix,
                                              const Fail& fail) {
  if (list == nullptr) {
    fail(prefix, "is missing: describe the " + of_what);
    return std::nullopt;
  }
  if (!list->is_array()) {
    fail(prefix, "expected an array, " + got(*list));
    return std::nullopt;
  }
  if (list->size() != types.size()) {
    fail(prefix, "has " + std::to_string(list->size()) + " descriptions for the " + of_what);
    return std::nullopt;
  }
  std::vector<Field> fields;
  bool ok = true;
  for (size_t i = 0; i < types.size(); ++i) {
    const json& item = (*list)[i];
    const std::string at = prefix + "[" + std::to_string(i + 1) + "]";
    if (!item.is_object()) {
      fail(at, "expected an object with name and description, " + got(item));
      ok = false;
      continue;
    }
    Field field;
    field.type = types[i];
    bool item_ok = true;
    const Fail item_fail = [&](const std::string& f, const std::string& m) {
      item_ok = false;
      fail(f, m);
    };
    check_keys(item, kFieldKeys, at + ".", item_fail);
    auto name = read_text(item, "name", at + ".name", true, item_fail);
    auto description = read_text(item, "description", at + ".description", true, item_fail);
    if (auto allowed = item.find("allowed_values"); allowed != item.end())
      if (auto values = read_allowed_values(*allowed, field, at + ".allowed_values", item_fail))
        field.allowed_values = std::move(*values);
    auto nested = item.find("fields");
    if (auto members = described_members(field.type)) {
      auto sub = read_fields(nested == item.end() ? nullptr : &*nested, *members,
                             members_text(field.type, members->size()), at + ".fields", item_fail);
      if (sub) field.fields = std::move(*sub);
    } else if (nested != item.end()) {
      item_fail(at + ".fields", "'" + field.type +
                                    "' has no members to describe (only tuples, and arrays of "
                                    "tuples, do)");
    }
    if (name)
      for (size_t earlier = 0; earlier < i; ++earlier)
        if (const json& other = (*list)[earlier];
            other.is_object() && other.value("name", json()) == *name)
          item_fail(at + ".name", "'" + *name + "' already names " + prefix + "[" +
                                      std::to_string(earlier + 1) + "]");
    if (!item_ok || !name || !description) {
      ok = false;
      continue;
    }
    field.name = std::move(*name);
    field.description = std::move(*description);
    fields.push_back(std::move(field));
  }
  if (!ok) return std::nullopt;
  return fields;
}

class EntryReader {
 public:
  EntryReader(const std::filesystem::path& file, std::string owner, size_t position)
      : file_(file), owner_(std::move(owner)), position_(position) {}
  EntryReader(const EntryReader&) = delete;  // fail_ points back at this object
  EntryReader& operator=(const EntryReader&) = delete;

  // Every problem of the entry is collected (not only the first), so an author can fix
  // them in one go; the entry is only returned when there is none.
  std::optional<Entry> read(const json& object, const std::vector<std::string>& duplicate_keys) {
    if (!object.is_object()) {
      fail("", "expected a JSON object, " + got(object));
      return std::nullopt;
    }
    for (const std::string& key : duplicate_keys)
      fail(key, "appears more than once (JSON would keep only the last; remove the others)");
    check_keys(object, kEntryKeys, "", fail_);

    Entry entry;
    entry.source = file_;
    entry.position = position_;
    entry.owner = owner_;
    read_identity(object, entry);
    read_payload(object, entry);
    const std::pair<const char*, std::string Entry::*> texts[] = {
        {"description", &Entry::description},
        {"purpose", &Entry::purpose},
        {"approval", &Entry::approval}};
    for (const auto& [key, target] : texts)
      if (auto text = read_text(object, key, key, false, fail_)) entry.*target = std::move(*text);
    read_example(object, entry);
    read_example_count(object, entry);

    if (!failures_.empty()) return std::nullopt;
    return entry;
  }

  std::vector<Problem> problems() const {
    std::vector<Problem> out;
    for (const auto& [field, message] : failures_)
      out.push_back(Problem{file_, position_, uuid_, field, message});
    return out;
  }

 private:
  // What payload_type said, for the checks of the keys that depend on it.
  enum class Payload { Unusable, None, Typed };

  void fail(const std::string& field, const std::string& message) {
    failures_.emplace_back(field, message);
  }

  void read_identity(const json& object, Entry& entry) {
    if (auto text = read_text(object, "uuid", "uuid", true, fail_)) {
      if (auto uuid = Uuid::parse(*text)) {
        entry.uuid = *uuid;
        uuid_ = uuid->to_string();
      } else {
        fail("uuid", "'" + *text + "' is not a UUID (8-4-4-4-12 hexadecimal digits)");
      }
    }
    if (auto name = read_text(object, "name", "name", true, fail_)) entry.name = std::move(*name);
    if (auto text = read_text(object, "kind", "kind", true, fail_)) {
      kind_ = parse_kind(*text);
      if (kind_)
        entry.kind = *kind_;
      else
        fail("kind", "'" + *text + "' is not a kind (use singular, aggregate or timer)");
    }
  }

  // payload_type, and the fields that describe it.
  void read_payload(const json& object, Entry& entry) {
    auto type_it = object.find("payload_type");
    if (type_it == object.end()) {
      fail("payload_type", "is missing (use null for a metric without payload)");
    } else if (type_it->is_null()) {
      payload_ = Payload::None;
    } else if (!type_it->is_string()) {
      fail("payload_type", "expected a GVariant type string or null, " + got(*type_it));
    } else if (std::string problem = payload_type_problem(type_it->get<std::string>());
               !problem.empty()) {
      fail("payload_type", problem);
    } else {
      entry.payload_type = type_it->get<std::string>();
      payload_ = Payload::Typed;
    }

    auto fields_it = object.find("fields");
    const json* fields_json = fields_it == object.end() ? nullptr : &*fields_it;
    if (payload_ == Payload::None && fields_json) {
      fail("fields", "must be left out: the metric has no payload");
    } else if (payload_ == Payload::Typed) {
      const std::string& type = *entry.payload_type;
      auto members = described_members(type);
      std::string of_what = members ? members_text(type, members->size())
                                    : "payload of type '" + type + "', which is one value (give 1)";
      auto fields = read_fields(fields_json, members.value_or(std::vector<std::string>{type}),
                                of_what, "fields", fail_);
      if (fields) entry.fields = std::move(*fields);
    }
  }

  void read_example(const json& object, Entry& entry) {
    auto it = object.find("example");
    if (it == object.end()) {
      fail("example", payload_ == Payload::None
                          ? "is missing (use null: the metric has no payload)"
                          : "is missing: give a typical payload in GVariant text form");
    } else if (payload_ == Payload::None) {
      if (!it->is_null()) fail("example", "must be null: the metric has no payload");
    } else if (!it->is_string()) {
      fail("example", "expected a payload in GVariant text form (a string), " + got(*it));
    } else if (payload_ == Payload::Typed) {
      std::string text = it->get<std::string>();
      auto value = parse_value(*entry.payload_type, text);
      if (!value)
        fail("example", value.error().message);
      else if (auto disallowed = find_disallowed_value(entry, value->get()))
        fail("example", "'" + text + "': field '" + disallowed->field +
                            "' holds a value that its allowed_values do not list");
      else
        entry.example = std::move(text);
    }
  }

  void read_example_count(const json& object, Entry& entry) {
    if (!kind_) return;  // which rule applies is unknown
    auto it = object.find("example_count");
    if (*kind_ == Kind::Singular) {
      if (it != object.end())
        fail("example_count", "must be left out: only aggregate and timer metrics send counts");
      return;
    }
    constexpr auto kMax = std::numeric_limits<uint32_t>::max();
    if (it == object.end())
      fail("example_count", std::string("is missing: give a typical daily ") +
                                (*kind_ == Kind::Timer ? "number of seconds" : "count"));
    else if (!it->is_number_unsigned() || it->get<uint64_t>() > kMax)
      fail("example_count", "expected a whole number from 0 to " + std::to_string(kMax) + ", " +
                                (it->is_number() ? "got " + it->dump() : got(*it)));
    else
      entry.example_count = static_cast<uint32_t>(it->get<uint64_t>());
  }

  const std::filesystem::path& file_;
  std::string owner_;
  size_t position_;
  std::string uuid_;
  std::optional<Kind> kind_;
  Payload payload_ = Payload::Unusable;
  std::vector<std::pair<std::string, std::string>> failures_;
  const Fail fail_ = [this](const std::string& field, const std::string& message) {
    fail(field, message);
  };
};

// " (entry 3, field 'example_count')", " (field 'note')" or "": where in the file the
// reader stopped. After a syntax error the last key read need not be where the mistake
// is (a missing comma after it), so only the entry is named (the line and column are).
std::string location(const JsonPath& at, bool with_field) {
  std::string entry;
  std::span<const JsonStep> rest = at;
  if (at.size() >= 2 && at[0].key == "metrics" && !at[0].index && at[1].index) {
    entry = "entry " + std::to_string(*at[1].index + 1);
    rest = rest.subspan(2);
  }
  const std::string field = with_field ? field_path(rest) : "";
  if (entry.empty() && field.empty()) return "";
  return " (" + entry + (entry.empty() || field.empty() ? "" : ", ") +
         (field.empty() ? "" : "field '" + field + "'") + ")";
}

FileContents parse_text(std::string_view text, const std::filesystem::path& file) {
  FileContents out;
  out.file = file;
  auto file_problem = [&out](const std::string& field, const std::string& message) {
    out.problems.push_back(Problem{out.file, std::nullopt, "", field, message});
    out.file_skipped = true;
  };

  if (text.size() > kMaxFileBytes) {
    file_problem("", "is " + std::to_string(text.size()) + " bytes; a registry file may be at " +
                         "most " + std::to_string(kMaxFileBytes) + " bytes (split it)");
    return out;
  }
  JsonPath error_at;
  auto parsed = parse_json(text, JsonLimits{kMaxNestingDepth, kMaxEntries}, &error_at);
  if (!parsed) {
    const Error& error = parsed.error();
    if (error.code == ErrorCode::kTooManyMembers && error_at.size() == 1 &&
        error_at[0].key == "metrics")
      file_problem("metrics", "has more than " + std::to_string(kMaxEntries) +
                                  " entries; a registry file may hold at most " +
                                  std::to_string(kMaxEntries) + " metrics (split it)");
    else if (error.code == ErrorCode::kInvalidJson)
      file_problem("", "is not valid JSON: " + error.message + location(error_at, false));
    else if (error.code == ErrorCode::kInvalidJsonValue)
      file_problem("", "is not valid JSON: " + error.message + location(error_at, true));
    else
      file_problem("", "is refused: " + error.message + location(error_at, true));
    return out;
  }
  const json& root = parsed->value;
  if (!root.is_object()) {
    file_problem("", "expected a JSON object with format, owner and metrics, " + got(root));
    return out;
  }

  // Duplicate keys inside an entry belong to that entry; any others to the file.
  std::map<size_t, std::vector<std::string>> entry_duplicates;
  for (const JsonPath& path : parsed->duplicate_keys) {
    if (path.size() >= 3 && path[0].key == "metrics" && path[1].index)
      entry_duplicates[*path[1].index].push_back(field_path(std::span(path).subspan(2)));
    else
      file_problem(field_path(path),
                   "appears more than once (JSON would keep only the last; remove the others)");
  }
  const Fail fail_file = [&](const std::string& f, const std::string& m) { file_problem(f, m); };
  check_keys(root, kFileKeys, "", fail_file);

  auto format = root.find("format");
  if (format == root.end())
    file_problem("format",
                 "is missing (this version reads format " + std::to_string(kFormatVersion) + ")");
  else if (!format->is_number())
    file_problem("format",
                 "expected the number " + std::to_string(kFormatVersion) + ", " + got(*format));
  else if (!format->is_number_integer() || format->get<int64_t>() != kFormatVersion)
    file_problem("format", format->dump() + " is not a format this version reads (it reads " +
                               "format " + std::to_string(kFormatVersion) + ")");
  auto owner = read_text(root, "owner", "owner", true, fail_file);
  auto metrics = root.find("metrics");
  if (metrics == root.end())
    file_problem("metrics", "is missing (an array of metric entries)");
  else if (!metrics->is_array())
    file_problem("metrics", "expected an array of metric entries, " + got(*metrics));
  if (out.file_skipped) return out;
  out.owner = *owner;

  size_t left_out = 0;
  for (size_t i = 0; i < metrics->size(); ++i) {
    EntryReader reader(out.file, out.owner, i + 1);
    auto entry = reader.read((*metrics)[i], entry_duplicates[i]);
    for (Problem& problem : reader.problems()) {
      if (out.problems.size() < kMaxProblemsPerFile)
        out.problems.push_back(std::move(problem));
      else
        ++left_out;
    }
    if (entry) out.entries.push_back(std::move(*entry));
  }
  if (left_out > 0)
    out.problems.push_back(Problem{
        out.file, std::nullopt, "", "",
        std::to_string(left_out) + " more " + (left_out == 1 ? "problem is" : "problems are") +
            " not listed (the first " + std::to_string(kMaxProblemsPerFile) + " are)"});
  return out;
}

FileContents skipped_file(const std::filesystem::path& file, const std::string& message) {
  FileContents out;
  out.file = file;
  out.file_skipped = true;
  out.problems.push_back(Problem{file, std::nullopt, "", "", message});
  return out;
}

}  // namespace

FileContents parse_registry_text(std::string_view text, const std::filesystem::path& file) {
  try {
    return parse_text(text, file);
  } catch (const std::exception& e) {
    // A reader that cannot cope with one file must not take the others (or the recorder)
    // down with it: whatever was thrown is this file's problem.
    return skipped_file(file, std::string("cannot be read: ") + e.what());
  }
}

FileContents read_registry_file(const std::filesystem::path& file) {
  // Read at most one byte more than a file may have: a path given by a user may be a
  // device or a pipe that never ends.
  GErrorOut err;
  GObjectPtr<GFile> handle(g_file_new_for_path(file.c_str()));
  GObjectPtr<GFileInputStream> stream(g_file_read(handle.get(), nullptr, err.out()));
  if (!stream) return skipped_file(file, "cannot be read (" + err.message() + ")");
  std::string contents(kMaxFileBytes + 1, '\0');
  gsize length = 0;
  if (!g_input_stream_read_all(G_INPUT_STREAM(stream.get()), contents.data(), contents.size(),
                               &length, nullptr, err.out()))
    return skipped_file(file, "cannot be read (" + err.message() + ")");
  if (length > kMaxFileBytes)
    return skipped_file(file, "is larger than " + std::to_string(kMaxFileBytes) +
                                  " bytes, the most a registry file may be (split it)");
  contents.resize(length);
  return parse_registry_text(contents, file);
}

}  // namespace metrics::registry
