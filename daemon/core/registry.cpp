// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry.hpp"

#include <algorithm>
#include <system_error>
#include <tuple>

#include "registry_allowed_values.hpp"

// registry/CMakeLists.txt sets the installed location; this fallback only keeps a build
// without that directory (a partial checkout) compiling.
#ifndef METRICS_REGISTRY_DIR
#define METRICS_REGISTRY_DIR "/usr/share/metrics/registry.d"
#endif

namespace metrics::registry {

namespace fs = std::filesystem;

std::vector<fs::path> list_registry_files(const fs::path& directory,
                                          std::vector<Problem>& problems) {
  auto problem = [&](const fs::path& file, const std::string& message) {
    problems.push_back(Problem{file, std::nullopt, "", "", message});
  };
  std::error_code ec;
  const fs::file_status status = fs::status(directory, ec);
  if (!fs::exists(status)) {
    problem(directory, ec && ec != std::errc::no_such_file_or_directory
                           ? "cannot be read (" + ec.message() + "): no metric is registered"
                           : "does not exist: no metric is registered");
    return {};
  }
  if (!fs::is_directory(status)) {
    problem(directory, "is not a directory: no metric is registered");
    return {};
  }
  std::vector<fs::path> files;
  fs::directory_iterator it(directory, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    // Hidden files are editors' and package managers' temporaries.
    if (name.starts_with(".") || !name.ends_with(".json")) continue;
    std::error_code type_ec;
    if (!fs::is_regular_file(path, type_ec))  // follows symbolic links
      problem(path, "is not a regular file (or a link to one) and is skipped");
    else
      files.push_back(path);
  }
  if (ec) problem(directory, "cannot be read (" + ec.message() + "): no metric is registered");
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

std::string describe(const Entry& entry) {
  return entry.source.string() + " entry " + std::to_string(entry.position) + " (" + entry.name +
         ")";
}

// What a reader of the registry sees: where an entry is written down does not count.
bool same_definition(const Entry& a, const Entry& b) {
  auto key = [](const Entry& e) {
    return std::tie(e.uuid, e.name, e.kind, e.payload_type, e.fields, e.description, e.purpose,
                    e.approval, e.example, e.example_count);
  };
  return key(a) == key(b);
}

}  // namespace

fs::path default_directory() {
  return METRICS_REGISTRY_DIR;
}

std::string ReloadReport::summary() const {
  auto count = [](size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return "registry reloaded: " + std::to_string(added.size()) + " added, " +
         std::to_string(removed.size()) + " removed, " + std::to_string(changed.size()) +
         " changed, " + count(problems.size(), "problem", "problems");
}

Registry Registry::load(const fs::path& directory) {
  std::vector<Problem> listing_problems;
  std::vector<FileContents> files;
  for (const fs::path& file : list_registry_files(directory, listing_problems))
    files.push_back(read_registry_file(file));
  Registry registry = from_files(std::move(files));
  registry.directory_ = directory;
  registry.problems_.insert(registry.problems_.begin(), listing_problems.begin(),
                            listing_problems.end());
  return registry;
}

Registry Registry::from_files(std::vector<FileContents> files) {
  Registry registry;
  for (FileContents& file : files) {
    registry.problems_.insert(registry.problems_.end(), file.problems.begin(), file.problems.end());
    for (Entry& entry : file.entries) {
      // The earlier definition stays: which of two clashing ones is right is unknown,
      // and keeping the first makes the outcome independent of anything but file names.
      auto clash_with = [&registry](const Uuid& id) -> std::string {
        auto earlier = registry.find(id);
        if (!earlier) return "";
        return id.to_string() + " is already " +
               (earlier->monthly ? "the monthly twin of " : "registered by ") +
               describe(*earlier->entry);
      };
      std::string clash = clash_with(entry.uuid);
      if (auto twin = entry.monthly_uuid(); clash.empty() && twin)
        if (clash = clash_with(*twin); !clash.empty()) clash.insert(0, "its monthly twin ");
      if (!clash.empty()) {
        registry.problems_.push_back(Problem{entry.source, entry.position, entry.uuid.to_string(),
                                             "uuid", clash + "; this entry is skipped"});
        continue;
      }
      const size_t at = registry.entries_.size();
      registry.index_[entry.uuid] = {at, false};
      if (auto twin = entry.monthly_uuid()) registry.index_[*twin] = {at, true};
      registry.entries_.push_back(std::move(entry));
    }
  }
  return registry;
}

ReloadReport Registry::reload() {
  Registry next = load(directory_);
  ReloadReport report;
  for (const Entry& entry : next.entries_) {
    auto before = find(entry.uuid);
    if (!before || before->monthly)
      report.added.push_back(entry.uuid);
    else if (!same_definition(*before->entry, entry))
      report.changed.push_back(entry.uuid);
  }
  for (const Entry& entry : entries_) {
    auto after = next.find(entry.uuid);
    if (!after || after->monthly) report.removed.push_back(entry.uuid);
  }
  report.problems = next.problems_;
  *this = std::move(next);
  return report;
}

std::optional<Match> Registry::find(const Uuid& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return Match{&entries_[it->second.first], it->second.second};
}

std::optional<std::string> Registry::name_of(const Uuid& id) const {
  auto match = find(id);
  if (!match) return std::nullopt;
  return match->entry->name + (match->monthly ? " (monthly)" : "");
}

Result<void> Registry::check(const Uuid& id, GVariant* payload) const {
  auto match = find(id);
  if (!match) {
    std::string where = directory_.empty() ? "" : " (" + directory_.string() + ")";
    return Error{ErrorCode::kUnknownEvent, "event " + id.to_string() +
                                               " is not in the metric registry" + where +
                                               "; only registered metrics are recorded"};
  }
  const Entry& entry = *match->entry;
  const char* type = payload ? g_variant_get_type_string(payload) : nullptr;
  // A GVariant type has exactly one type string, so equal strings mean equal types.
  if (entry.payload_type ? type && *entry.payload_type == type : !type) {
    auto disallowed = find_disallowed_value(entry, payload);
    if (!disallowed) return Ok();
    // The value itself stays out of the message, which also goes to the journal: it is
    // what the list exists to keep from being recorded.
    const size_t n = disallowed->allowed_count;
    return Error{ErrorCode::kWrongPayloadValue,
                 "event " + id.to_string() + " (" + *name_of(id) + "): field '" +
                     disallowed->field + "' holds a value that is not one of its " +
                     std::to_string(n) + (n == 1 ? " allowed value" : " allowed values") +
                     " (metricsctl registry show " + entry.uuid.to_string() + " lists them)"};
  }
  // Only a refusal pays for its message: this runs for every recorded event.
  const std::string what = "event " + id.to_string() + " (" + *name_of(id) + ")";
  if (!entry.payload_type)
    return Error{ErrorCode::kWrongPayloadType,
                 what + " has no payload, but one of type '" + type + "' was given"};
  if (!type)
    return Error{ErrorCode::kWrongPayloadType,
                 what + " needs a payload of type '" + *entry.payload_type + "', none was given"};
  return Error{ErrorCode::kWrongPayloadType,
               what + " needs a payload of type '" + *entry.payload_type + "', not '" + type + "'"};
}

Result<void> Registry::check_recording(const Uuid& id, Kind recorded_as, GVariant* payload) const {
  auto match = find(id);
  if (match && match->monthly) {
    return Error{ErrorCode::kWrongEventKind,
                 "event " + id.to_string() + " is the monthly twin of " +
                     match->entry->uuid.to_string() + " (" + match->entry->name +
                     "); the recorder derives monthly counts itself, record " +
                     match->entry->uuid.to_string() + " instead"};
  }
  if (match && (recorded_as != Kind::Singular) != (match->entry->kind != Kind::Singular)) {
    const Entry& entry = *match->entry;
    const bool counted = recorded_as != Kind::Singular;
    const std::string what = "event " + id.to_string() + " (" + entry.name + ")";
    if (counted)
      return Error{ErrorCode::kWrongEventKind,
                   what +
                       " is a singular metric: record each occurrence as an "
                       "event, it cannot be counted as an aggregate or timer"};
    return Error{ErrorCode::kWrongEventKind,
                 what + " is " + (entry.kind == Kind::Timer ? "a timer" : "an aggregate") +
                     " metric (counted per day and month): it cannot be "
                     "recorded as a single event"};
  }
  return check(id, payload);
}

}  // namespace metrics::registry
