// SPDX-License-Identifier: GPL-2.0-or-later
// Registry files (registry_json + registry_schema), as the recorder, `metricsctl registry`
// and tools/registry-doc read them: any bytes are either read or reported, never thrown
// or crashed on, and what is read is what the recorder then enforces.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fatal_criticals.hpp"
#include "registry.hpp"
#include "registry_doc.hpp"
#include "registry_gvariant.hpp"
#include "registry_schema.hpp"
#include "registry_view.hpp"

using namespace metrics::registry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FileContents contents = parse_registry_text(text, "fuzz.json");
  // A skipped file has no entries, and every problem can be shown.
  if (contents.file_skipped && !contents.entries.empty()) std::abort();
  for (const Problem& problem : contents.problems) {
    (void)problem.to_string();
    (void)metrics::cli::registry_problem_json(problem).dump();
  }
  std::vector<FileContents> files;
  files.push_back(std::move(contents));
  const Registry registry = Registry::from_files(std::move(files));
  for (const Entry& entry : registry.entries()) {
    (void)metrics::cli::render_registry_entry(entry);
    (void)metrics::cli::registry_entry_json(entry).dump();
    // The entry's own example is a payload the recorder accepts for it.
    metrics::GVariantPtr example;
    if (entry.payload_type) {
      auto parsed = parse_value(*entry.payload_type, entry.example.value_or(""));
      if (!parsed) std::abort();
      example = std::move(*parsed);
      (void)print_value(example.get());
    }
    if (!registry.check_recording(entry.uuid, entry.kind, example.get())) std::abort();
  }
  (void)metrics::cli::render_registry_list(registry.entries());
  if (registry.problems().empty()) (void)render_user_page(registry);
  return 0;
}
