// SPDX-License-Identifier: GPL-2.0-or-later
// The metric registry: every metric this system may record, read from the JSON files
// the packages install (one per owner) in a registry directory. The recorder asks it
// whether an event may be stored (see registry_mode.hpp for enforce/permissive), the CLI
// asks it for names, and the user page docs/what-is-collected.md is generated from it.
//
// A broken file or entry is reported and skipped; every valid entry still counts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "glib_handles.hpp"
#include "registry_entry.hpp"
#include "registry_schema.hpp"
#include "result.hpp"
#include "uuid.hpp"

namespace metrics::registry {

// Where the packages install registry files (${datadir}/metrics/registry.d).
std::filesystem::path default_directory();

// The registry files of `directory` (*.json, not hidden), sorted by name. Why the
// directory or an entry of it cannot be used is added to `problems`.
std::vector<std::filesystem::path> list_registry_files(const std::filesystem::path& directory,
                                                       std::vector<Problem>& problems);

struct Match {
  const Entry* entry;  // valid until the registry is reloaded or destroyed
  bool monthly;        // the id is the entry's monthly twin, not the entry's own UUID
};

struct ReloadReport {
  std::vector<Uuid> added;        // entries that are new
  std::vector<Uuid> removed;      // entries that are gone
  std::vector<Uuid> changed;      // same UUID, different definition (type, name, texts, ...)
  std::vector<Problem> problems;  // every problem of the registry as it is now

  bool changes() const { return !added.empty() || !removed.empty() || !changed.empty(); }
  // One line for the journal: "registry reloaded: 1 added, 0 removed, 1 changed, 2 problems".
  std::string summary() const;
};

class Registry {
 public:
  Registry() = default;  // knows no metric

  // Reads every *.json file in `directory`, in file-name order; other names (README,
  // editor backups, hidden files) are ignored. Never fails: a missing directory, an
  // unreadable or malformed file, a malformed entry and a duplicate UUID each become a
  // problem, and the rest loads.
  static Registry load(const std::filesystem::path& directory);
  // Assembles parsed files in the given order: of two entries with one UUID (or with
  // one's UUID equal to the other's monthly twin), the earlier one is kept.
  static Registry from_files(std::vector<FileContents> files);

  // Reads the directory again; the registry is replaced as a whole.
  ReloadReport reload();

  const std::filesystem::path& directory() const { return directory_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<Problem>& problems() const { return problems_; }

  // The entry `id` belongs to: its own UUID, or the monthly twin of an aggregate or timer.
  std::optional<Match> find(const Uuid& id) const;
  // The metric's name, with " (monthly)" for a monthly twin; nullopt when unknown.
  std::optional<std::string> name_of(const Uuid& id) const;

  // Whether an event with this id and payload (null: none) is what the registry allows.
  // Errors: "UnknownEvent" (the id is neither an entry's UUID nor a monthly twin),
  // "WrongPayloadType" (a payload of another type than the entry's, a payload where the
  // entry has none, or none where it has one), and "WrongPayloadValue" (a field with a
  // list of allowed values holds another value).
  Result<void> check(const Uuid& id, GVariant* payload) const;

  // check(), for an event a client records as `recorded_as`: a singular metric must be
  // recorded as single events (or a sequence of them), an aggregate or timer metric must
  // be counted (aggregate events or a timer; both become daily and monthly counts). A
  // monthly twin is never recorded directly: the recorder derives it from the entry's
  // own UUID. Errors: "UnknownEvent", "WrongEventKind", "WrongPayloadType",
  // "WrongPayloadValue".
  Result<void> check_recording(const Uuid& id, Kind recorded_as, GVariant* payload) const;

 private:
  std::filesystem::path directory_;
  std::vector<Entry> entries_;
  std::vector<Problem> problems_;
  std::map<Uuid, std::pair<size_t, bool>> index_;  // id → (entry, is monthly twin)
};

}  // namespace metrics::registry
