// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_view.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>

#include "registry_gvariant.hpp"

namespace metrics::cli {

namespace {

using registry::Entry;
using registry::Field;

constexpr size_t kLabelWidth = 15;  // "Example count: ", the longest label, right-aligned
constexpr size_t kLineWidth = 79;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return g_ascii_tolower(x) == g_ascii_tolower(y); });
}

// `text` as lines of at most `width` columns (longer words stay whole); its own line breaks
// are kept.
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::istringstream paragraphs(text);
  std::string paragraph;
  while (std::getline(paragraphs, paragraph)) {
    std::istringstream words(paragraph);
    std::string word;
    std::string line;
    while (words >> word) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    lines.push_back(line);
  }
  if (lines.empty()) lines.emplace_back();
  return lines;
}

// "  Description: first line\n                continued\n"; `wrapped` false keeps the value
// on one line (a path is easier to copy whole).
void labelled(std::ostringstream& out, std::string_view label, const std::string& value,
              bool wrapped = true) {
  std::string head(label);
  head += ": ";
  if (head.size() < kLabelWidth) head.insert(0, kLabelWidth - head.size(), ' ');
  const std::string indent(head.size(), ' ');
  if (value.empty()) {
    out << head.substr(0, head.size() - 1) << '\n';
    return;
  }
  const auto lines = wrapped ? wrap(value, kLineWidth - head.size()) : wrap(value, SIZE_MAX);
  for (size_t i = 0; i < lines.size(); ++i) out << (i == 0 ? head : indent) << lines[i] << '\n';
}

void field_lines(std::ostringstream& out, const std::vector<Field>& fields, size_t depth) {
  const std::string indent(kLabelWidth + 2 * depth, ' ');
  for (const Field& field : fields) {
    const std::string head = indent + field.name + " (" + registry::readable_type(field.type) + ")";
    out << head << '\n';
    for (const std::string& line : wrap(field.description, kLineWidth - indent.size() - 4))
      out << indent << "    " << line << '\n';
    if (!field.allowed_values.empty()) {
      std::string list = "allowed values only: ";
      for (size_t i = 0; i < field.allowed_values.size(); ++i)
        list += (i == 0 ? "" : ", ") + field.allowed_values[i];
      for (const std::string& line : wrap(list, kLineWidth - indent.size() - 4))
        out << indent << "    " << line << '\n';
    }
    field_lines(out, field.fields, depth + 1);
  }
}

std::string payload_description(const Entry& entry) {
  if (!entry.payload_type) return "none";
  const std::string& type = *entry.payload_type;
  // A tuple's member types are listed with its fields.
  if (type.starts_with("("))
    return type + ", " + std::to_string(entry.fields.size()) +
           (entry.fields.size() == 1 ? " field" : " fields");
  return type + " (" + registry::readable_type(type) + ")";
}

std::string example_text(const Entry& entry) {
  // The canonical text form, as the user page shows it.
  auto value = registry::parse_value(*entry.payload_type, *entry.example);
  return value ? registry::print_value(value->get()) : *entry.example;
}

nlohmann::ordered_json fields_json(const std::vector<Field>& fields) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Field& field : fields) {
    nlohmann::ordered_json f;
    f["name"] = field.name;
    f["type"] = field.type;
    f["description"] = field.description;
    f["fields"] = fields_json(field.fields);
    // null: any value
    f["allowed_values"] = field.allowed_values.empty()
                              ? nlohmann::ordered_json(nullptr)
                              : nlohmann::ordered_json(field.allowed_values);
    out.push_back(std::move(f));
  }
  return out;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s + "  ";
}

}  // namespace

std::filesystem::path registry_directory(const std::string& option_value) {
  return option_value.empty() ? registry::default_directory() : std::filesystem::path(option_value);
}

const Entry* find_registry_entry(const registry::Registry& registry,
                                 std::string_view name_or_uuid) {
  if (auto id = Uuid::parse(name_or_uuid)) {
    if (auto match = registry.find(*id)) return match->entry;
  }
  for (const Entry& entry : registry.entries())
    if (equal_ignoring_case(entry.name, name_or_uuid)) return &entry;
  return nullptr;
}

std::string render_registry_list(const std::vector<Entry>& entries) {
  size_t name_width = 4;
  size_t payload_width = 7;
  for (const Entry& e : entries) {
    name_width = std::max(name_width, e.name.size());
    payload_width = std::max(payload_width, e.payload_type.value_or("-").size());
  }
  std::ostringstream out;
  out << pad("NAME", name_width) << pad("KIND", 9) << pad("PAYLOAD", payload_width) << "UUID\n";
  for (const Entry& e : entries) {
    out << pad(e.name, name_width) << pad(std::string(registry::kind_name(e.kind)), 9)
        << pad(e.payload_type.value_or("-"), payload_width) << e.uuid.to_string() << '\n';
  }
  return out.str();
}

std::string render_registry_entry(const Entry& entry) {
  std::ostringstream out;
  labelled(out, "Name", entry.name);
  labelled(out, "UUID", entry.uuid.to_string());
  if (auto twin = entry.monthly_uuid()) labelled(out, "Monthly UUID", twin->to_string());
  labelled(out, "Kind", std::string(registry::kind_name(entry.kind)));
  labelled(out, "Payload", payload_description(entry));
  if (!entry.fields.empty()) {
    labelled(out, "Fields", "");
    field_lines(out, entry.fields, 0);
  }
  labelled(out, "Description", entry.description);
  labelled(out, "Purpose", entry.purpose);
  labelled(out, "Approval", entry.approval);
  if (entry.example) labelled(out, "Example", example_text(entry));
  if (entry.example_count) {
    labelled(out, "Example count",
             std::to_string(*entry.example_count) +
                 (entry.kind == registry::Kind::Timer ? " seconds in one day" : " in one day"));
  }
  labelled(out, "Source",
           entry.source.string() + ", entry " + std::to_string(entry.position) + " (" +
               entry.owner + ")",
           false);
  return out.str();
}

nlohmann::ordered_json registry_entry_json(const Entry& entry) {
  nlohmann::ordered_json out;
  out["uuid"] = entry.uuid.to_string();
  out["name"] = entry.name;
  out["kind"] = registry::kind_name(entry.kind);
  auto twin = entry.monthly_uuid();
  out["monthly_uuid"] = twin ? nlohmann::ordered_json(twin->to_string()) : nullptr;
  out["payload_type"] = entry.payload_type ? nlohmann::ordered_json(*entry.payload_type) : nullptr;
  out["fields"] = fields_json(entry.fields);
  out["description"] = entry.description;
  out["purpose"] = entry.purpose;
  out["approval"] = entry.approval;
  out["example"] = entry.example ? nlohmann::ordered_json(example_text(entry)) : nullptr;
  out["example_count"] =
      entry.example_count ? nlohmann::ordered_json(*entry.example_count) : nullptr;
  out["source"] = entry.source.string();
  out["owner"] = entry.owner;
  return out;
}

nlohmann::ordered_json registry_problem_json(const registry::Problem& problem) {
  nlohmann::ordered_json out;
  out["file"] = problem.file.string();
  out["entry"] = problem.entry ? nlohmann::ordered_json(*problem.entry) : nullptr;
  out["uuid"] = problem.uuid.empty() ? nullptr : nlohmann::ordered_json(problem.uuid);
  out["field"] = problem.field.empty() ? nullptr : nlohmann::ordered_json(problem.field);
  out["message"] = problem.message;
  out["text"] = problem.to_string();
  return out;
}

}  // namespace metrics::cli
