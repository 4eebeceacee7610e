// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_doc.hpp"

#include <sstream>
#include <string_view>

#include "registry_gvariant.hpp"

namespace metrics::registry {

namespace {

constexpr std::string_view kHeader =
    R"(<!-- Generated from registry/*.json by tools/registry-doc; do not edit by hand.
     Regenerate: cmake --build BUILD_DIR --target update-what-is-collected -->

# What is collected

This page lists every metric this system may record, with each field it contains, why it
is collected, who approved it, and an example of what it looks like. It is generated
from the metric registry, the files the packages install in
`/usr/share/metrics/registry.d/`. The recorder enforces that registry (unless an
administrator sets `RegistryMode=permissive` in `/etc/metrics/recorder.conf`): an event
that is not listed here, whose payload has another type than the one given here, or
whose field holds a value outside the field's list of allowed values, is refused before
it is stored.

Nothing is uploaded until uploading is turned on: on a fresh install events are only
kept on this machine. Declining deletes everything collected so far.

## What every upload carries besides the metrics

* With each event: the OS version (`VERSION=` of `/etc/os-release`, such as
  `40 (Workstation Edition)`) and its time, rounded down to the hour by default
  (`TimestampGranularitySeconds`); counts carry only their day or month.
* With each upload: an image identifier (`unknown` unless the distribution sets one),
  whether the system runs from live media (seen on the kernel command line,
  `rd.live.image`, as Fedora's live images boot), a dual-boot flag that is always off
  (whether another system is installed is not looked for), and the site labels an
  administrator may set in `/etc/metrics/location.conf` (none by default).
* Never: a machine ID, host name, serial number, user name or user ID. Events are
  independent rows; nothing links two of them except being sent together. The server
  sees the network address an upload comes from, like any web server, unless uploads go
  through a proxy such as Tor (`ProxyUrl`, see the administrator's guide).

To see exactly what this machine has waiting and what it sent: `metricsctl queue`,
`metricsctl log` and `metricsctl log show ID`.

## Kinds of metric

| kind | what is sent |
|---|---|
| singular | one event each time it is recorded, with its time and payload |
| aggregate | a count per day, sent after the day is over, and a count per month under a second ("monthly") UUID |
| timer | the whole seconds it ran per day, and per month under the monthly UUID |
)";

// Table cells end at '|' and at a line break.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string code(std::string_view text) {
  return "`" + cell(text) + "`";
}

void field_rows(std::ostringstream& out, const std::vector<Field>& fields,
                const std::string& prefix) {
  for (const Field& field : fields) {
    const std::string name = prefix + field.name;
    out << "| " << code(name) << " | " << code(field.type) << " ("
        << cell(readable_type(field.type)) << ") | " << cell(field.description) << " |\n";
    // Members of an array's elements read as name[].member, of a tuple as name.member.
    field_rows(out, field.fields, name + (field.type.starts_with("a") ? "[]." : "."));
  }
}

// "Allowed values of `application` ..." for every field with a list, in field order.
void allowed_value_lists(std::ostringstream& out, const std::vector<Field>& fields,
                         const std::string& prefix) {
  for (const Field& field : fields) {
    const std::string name = prefix + field.name;
    if (!field.allowed_values.empty()) {
      const size_t n = field.allowed_values.size();
      out << "\n`" << name << "` may only be " << (n == 1 ? "this value" : "one of these ")
          << (n == 1 ? "" : std::to_string(n) + " values") << " (the recorder refuses any other):";
      for (size_t i = 0; i < n; ++i) out << (i == 0 ? " " : ", ") << code(field.allowed_values[i]);
      out << ".\n";
    }
    allowed_value_lists(out, field.fields, name + (field.type.starts_with("a") ? "[]." : "."));
  }
}

std::string example_count_text(const Entry& entry) {
  const uint32_t count = *entry.example_count;
  if (entry.kind == Kind::Aggregate) return "a count of " + std::to_string(count) + " for one day";
  std::string text = std::to_string(count) + " seconds in one day";
  const uint32_t hours = count / 3600;
  const uint32_t minutes = count % 3600 / 60;
  if (hours > 0 || minutes > 0)
    text += " (" + (hours > 0 ? std::to_string(hours) + " h" : std::string()) +
            (hours > 0 && minutes > 0 ? " " : "") +
            (minutes > 0 ? std::to_string(minutes) + " min" : std::string()) + ")";
  return text;
}

std::string payload_text(const Entry& entry) {
  if (!entry.payload_type) return "none";
  const std::string& type = *entry.payload_type;
  // A tuple's member types are in the field table; repeating them here would only be noise.
  if (type.starts_with("("))
    return code(type) + ", " + std::to_string(entry.fields.size()) +
           (entry.fields.size() == 1 ? " field" : " fields") + " (below)";
  return code(type) + " (" + cell(readable_type(type)) + ")";
}

void render_entry(std::ostringstream& out, const Entry& entry) {
  out << "\n### " << entry.name << "\n\n";
  out << "| | |\n|---|---|\n";
  out << "| UUID | " << code(entry.uuid.to_string()) << " |\n";
  if (auto twin = entry.monthly_uuid())
    out << "| monthly UUID | " << code(twin->to_string()) << " |\n";
  out << "| kind | " << kind_name(entry.kind) << " |\n";
  out << "| payload | " << payload_text(entry) << " |\n";
  out << "\n" << entry.description << "\n";
  out << "\n**Why it is collected:** " << entry.purpose << "\n";
  out << "\n**Approval:** " << entry.approval << "\n";
  if (!entry.fields.empty()) {
    out << "\n| field | type | meaning |\n|---|---|---|\n";
    field_rows(out, entry.fields, "");
    allowed_value_lists(out, entry.fields, "");
  }
  if (entry.example) {
    // Printed from the parsed value, so the page shows the canonical text form.
    auto value = parse_value(*entry.payload_type, *entry.example);
    out << "\nExample payload:\n\n```\n"
        << (value ? print_value(value->get()) : *entry.example) << "\n```\n";
  }
  if (entry.example_count) out << "\nExample: " << example_count_text(entry) << ".\n";
}

}  // namespace

std::string render_user_page(const Registry& registry) {
  std::ostringstream out;
  out << kHeader;
  if (registry.entries().empty()) out << "\nNo metric is registered.\n";
  std::filesystem::path current;
  for (const Entry& entry : registry.entries()) {
    if (entry.source != current) {
      current = entry.source;
      out << "\n## " << entry.owner << "\n\nFrom `" << current.filename().string()
          << "` in the registry.\n";
    }
    render_entry(out, entry);
  }
  return out.str();
}

}  // namespace metrics::registry
