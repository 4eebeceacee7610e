// SPDX-License-Identifier: GPL-2.0-or-later
#include "lscpu_json.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "text_util.hpp"

namespace metrics::instrumentation {

namespace {

using nlohmann::json;

constexpr size_t kMaxDepth = 8;  // lscpu nests three levels; more is not lscpu

struct Field {
  std::string name;
  std::string data;
};

// Depth-first, document order. Entries without string "field" and "data" are skipped
// (their children still count: a section header may carry no data).
void collect_fields(const json& entries, size_t depth, std::vector<Field>& out, size_t& skipped) {
  if (depth > kMaxDepth || !entries.is_array()) return;
  for (const auto& entry : entries) {
    if (!entry.is_object()) {
      ++skipped;
      continue;
    }
    auto field = entry.find("field");
    auto data = entry.find("data");
    auto children = entry.find("children");
    if (field != entry.end() && field->is_string() && data != entry.end() && data->is_string())
      out.push_back({field->get<std::string>(), data->get<std::string>()});
    else if (children == entry.end())
      ++skipped;
    if (children != entry.end()) collect_fields(*children, depth + 1, out, skipped);
  }
}

struct GroupFields {
  std::optional<std::string> model;
  std::optional<std::string> max_mhz;
  std::optional<std::string> mhz;
  std::optional<std::string> flags;
  // Topology, to count the CPUs of one group when there are several.
  std::optional<std::string> threads_per_core;
  std::optional<std::string> cores;    // per socket, or per cluster on ARM
  std::optional<std::string> sockets;  // or clusters on ARM
};

void set_once(std::optional<std::string>& slot, const std::string& value) {
  if (!slot) slot = value;
}

std::optional<uint16_t> to_count(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto value = parse_unsigned(*text);
  if (!value || *value > std::numeric_limits<uint16_t>::max()) return std::nullopt;
  return static_cast<uint16_t>(*value);
}

std::optional<double> to_mhz(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return parse_non_negative_double(*text);
}

// threads × cores × sockets of one group, when lscpu gives all three.
std::optional<uint16_t> group_count(const GroupFields& group) {
  auto threads = to_count(group.threads_per_core);
  auto cores = to_count(group.cores);
  auto sockets = to_count(group.sockets);
  if (!threads || !cores || !sockets) return std::nullopt;
  const uint64_t product = uint64_t{*threads} * *cores * *sockets;
  if (product == 0 || product > std::numeric_limits<uint16_t>::max()) return std::nullopt;
  return static_cast<uint16_t>(product);
}

}  // namespace

Reading<std::vector<CpuGroup>> parse_lscpu_json(std::string_view json_text) {
  Reading<std::vector<CpuGroup>> reading;
  const CpuGroup fallback;  // ('', 0, 0.0, '')

  json document = json::parse(json_text.begin(), json_text.end(), nullptr,
                              /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() || !document.contains("lscpu") ||
      !document["lscpu"].is_array()) {
    reading.value = {fallback};
    reading.warnings.emplace_back(
        R"(hardware info: lscpu output is not {"lscpu": [...]} JSON; CPU fields are unknown)");
    return reading;
  }

  std::vector<Field> fields;
  size_t skipped = 0;
  collect_fields(document["lscpu"], 0, fields, skipped);

  std::optional<std::string> total_cpus;
  GroupFields preamble;  // fields seen before the first "Model name:"
  std::vector<GroupFields> groups;
  for (const auto& [name, data] : fields) {
    if (name == "CPU(s):") {
      set_once(total_cpus, data);
      continue;
    }
    if (name == "Model name:") {
      groups.push_back(groups.empty() ? preamble : GroupFields{});
      groups.back().model = data;
      continue;
    }
    GroupFields& group = groups.empty() ? preamble : groups.back();
    if (name == "CPU max MHz:")
      set_once(group.max_mhz, data);
    else if (name == "CPU MHz:")
      set_once(group.mhz, data);
    else if (name == "Flags:")
      set_once(group.flags, data);
    else if (name == "Thread(s) per core:")
      set_once(group.threads_per_core, data);
    else if (name == "Core(s) per socket:" || name == "Core(s) per cluster:")
      set_once(group.cores, data);
    else if (name == "Socket(s):" || name == "Cluster(s):") {
      // ARM lscpu prints "Socket(s): -" next to a real "Cluster(s):".
      if (parse_unsigned(data)) set_once(group.sockets, data);
    }
  }
  if (groups.empty()) groups.push_back(preamble);

  auto note = [&](const std::string& what) {
    reading.warnings.push_back("hardware info: lscpu " + what);
  };
  for (const auto& group : groups) {
    CpuGroup cpu;
    if (group.model) cpu.model = printable_text(*group.model).value_or("");
    if (cpu.model.empty()) note("gave no usable \"Model name:\"; model is ''");

    // One group: lscpu's own total. Several: each group's topology, never a share of
    // the total made up by us.
    auto count = groups.size() == 1 ? to_count(total_cpus) : group_count(group);
    cpu.count = count.value_or(0);
    if (!count) note("gave no usable CPU count; count is 0");

    auto mhz = to_mhz(group.max_mhz);
    if (!mhz) mhz = to_mhz(group.mhz);  // VMs often have no max (catalog)
    cpu.max_mhz = mhz.value_or(0.0);
    if (!mhz) note(R"(gave no usable "CPU max MHz:" or "CPU MHz:"; MHz is 0.0)");

    if (group.flags) cpu.flags = printable_text(*group.flags, 8192).value_or("");
    if (cpu.flags.empty()) note("gave no usable \"Flags:\"; flags are ''");
    reading.value.push_back(std::move(cpu));
  }
  if (skipped > 0)
    note("output had " + std::to_string(skipped) + " entries without string field and data");
  return reading;
}

}  // namespace metrics::instrumentation
