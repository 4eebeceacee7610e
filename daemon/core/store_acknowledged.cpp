// SPDX-License-Identifier: GPL-2.0-or-later
// Rows the server acknowledged whose delete failed, and aggregate rows grouped across
// uids for upload.
#include <glib.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <sstream>
#include <system_error>

#include "glib_handles.hpp"
#include "store.hpp"

namespace metrics {

namespace {

constexpr const char* kAcknowledgedFile = "upload-acknowledged";
constexpr const char* kHeader = "# metrics recorder: rows the server acknowledged, to delete\n";

std::string json_ids(const std::unordered_set<int64_t>& ids) {
  std::string out = "[";
  bool first = true;
  for (int64_t id : ids) {
    if (!first) out += ',';
    out += std::to_string(id);
    first = false;
  }
  return out + ']';
}

// "[[id,count],[id,count],...]" from json_group_array(json_array(id, count)).
bool parse_pairs(const std::string& text, std::vector<int64_t>& ids,
                 std::vector<uint32_t>& counts) {
  std::vector<int64_t> numbers;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    if ((*p >= '0' && *p <= '9') || *p == '-') {
      int64_t v = 0;
      auto [next, ec] = std::from_chars(p, end, v);
      if (ec != std::errc()) return false;
      numbers.push_back(v);
      p = next;
    } else {
      ++p;
    }
  }
  if (numbers.size() % 2 != 0) return false;
  std::vector<std::pair<int64_t, uint32_t>> pairs;
  for (size_t i = 0; i < numbers.size(); i += 2) {
    pairs.emplace_back(numbers[i],
                       static_cast<uint32_t>(std::clamp<int64_t>(numbers[i + 1], 0, UINT32_MAX)));
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [id, count] : pairs) {
    ids.push_back(id);
    counts.push_back(count);
  }
  return true;
}

}  // namespace

Result<void> Store::write_acknowledged_file() {
  const std::filesystem::path path = dir_ / kAcknowledgedFile;
  std::error_code ec;
  if (acked_singular_.empty() && acked_aggregate_.empty()) {
    std::filesystem::remove(path, ec);
    return Ok();
  }
  // Each row with what identifies it beyond its id (ids of deleted rows can be reused).
  std::string text = kHeader;
  struct Table {
    const std::unordered_set<int64_t>& ids;
    const char* sql;
    char kind;
  };
  const Table tables[] = {
      {acked_singular_,
       "SELECT id, hex(event_id), relative_ns FROM singular "
       "WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
       's'},
      {acked_aggregate_,
       "SELECT id, hex(event_id), count FROM aggregate "
       "WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
       'a'},
  };
  for (const Table& table : tables) {
    if (table.ids.empty()) continue;
    auto st = prepare(table.sql);
    if (!st) return st.error();
    const std::string ids = json_ids(table.ids);
    st->bind(1, std::string_view(ids));
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      text += table.kind;
      text += ' ' + std::to_string(st->column_int(0)) + ' ' + st->column_text(1) + ' ' +
              std::to_string(st->column_int(2)) + '\n';
    }
    if (rc != SQLITE_DONE) return sql_error("cannot read acknowledged rows");
  }
  // g_file_set_contents writes a temporary file, syncs it and renames it over the old one.
  GErrorOut error;
  if (!g_file_set_contents(path.c_str(), text.data(), static_cast<gssize>(text.size()),
                           error.out())) {
    return Error{ErrorCode::kStorageFailure,
                 "cannot write " + path.string() + ": " + error.message()};
  }
  return Ok();
}

void Store::forget_acknowledged() {
  acked_singular_.clear();
  acked_aggregate_.clear();
  acked_loaded_ = true;
  std::error_code ec;
  std::filesystem::remove(dir_ / kAcknowledgedFile, ec);
}

Result<void> Store::mark_acknowledged(const std::vector<int64_t>& singular_ids,
                                      const std::vector<int64_t>& aggregate_ids) {
  acked_singular_.insert(singular_ids.begin(), singular_ids.end());
  acked_aggregate_.insert(aggregate_ids.begin(), aggregate_ids.end());
  return write_acknowledged_file();
}

Result<int64_t> Store::settle_acknowledged() {
  if (!acked_loaded_) {
    acked_loaded_ = true;
    const std::filesystem::path path = dir_ / kAcknowledgedFile;
    GCharPtr contents;
    gsize length = 0;
    GErrorOut error;
    char* raw = nullptr;
    if (g_file_get_contents(path.c_str(), &raw, &length, error.out())) {
      contents.reset(raw);
      std::istringstream lines(std::string(contents.get(), length));
      std::string line;
      while (std::getline(lines, line)) {
        std::istringstream fields(line);
        char kind = 0;
        int64_t id = 0;
        std::string event_hex;
        int64_t check = 0;
        if (!(fields >> kind >> id >> event_hex >> check) || (kind != 's' && kind != 'a'))
          continue;  // the header, or a line cut short
        // Only a row that is still the one acknowledged.
        auto st = prepare(kind == 's' ? "SELECT 1 FROM singular WHERE id = ?1 AND "
                                        "hex(event_id) = ?2 AND relative_ns = ?3"
                                      : "SELECT 1 FROM aggregate WHERE id = ?1 AND "
                                        "hex(event_id) = ?2 AND count = ?3");
        if (!st) return st.error();
        st->bind(1, id).bind(2, std::string_view(event_hex)).bind(3, check);
        if (st->step() == SQLITE_ROW) (kind == 's' ? acked_singular_ : acked_aggregate_).insert(id);
      }
    }
  }
  if (acknowledged_count() == 0) return int64_t{0};
  const std::vector<int64_t> singulars(acked_singular_.begin(), acked_singular_.end());
  const std::vector<int64_t> aggregates(acked_aggregate_.begin(), acked_aggregate_.end());
  if (auto r = delete_uploaded(singulars, aggregates); !r) return r.error();
  forget_acknowledged();
  return int64_t{0};
}

Result<std::vector<AggregateGroup>> Store::oldest_aggregate_groups(int64_t after_first_id,
                                                                   int64_t max_id, size_t limit) {
  // Grouped by what the server sees of an event, never by uid.
  auto st = prepare(
      "SELECT MIN(id), event_id, os_version, period, payload, "
      "json_group_array(json_array(id, count)) FROM "
      "(SELECT id, event_id, os_version, period, payload, count FROM aggregate "
      " WHERE id <= ?2 ORDER BY id) "
      "GROUP BY event_id, os_version, period, payload HAVING MIN(id) > ?1 "
      "ORDER BY MIN(id) LIMIT ?3");
  if (!st) return st.error();
  st->bind(1, after_first_id)
      .bind(2, max_id)
      .bind(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<AggregateGroup> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    AggregateGroup g;
    g.first_id = st->column_int(0);
    auto blob = st->column_blob(1);
    g.event_id = Uuid::from_bytes(blob).value_or(Uuid{});
    g.os_version = st->column_text(2);
    g.period = st->column_text(3);
    auto payload = st->column_blob(4);
    g.payload.assign(payload.begin(), payload.end());
    if (!parse_pairs(st->column_text(5), g.ids, g.counts))
      return Error{ErrorCode::kStorageFailure, "cannot read grouped aggregate events"};
    out.push_back(std::move(g));
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read aggregate events for upload");
  return out;
}

}  // namespace metrics
