// SPDX-License-Identifier: GPL-2.0-or-later
// metrics-registry-doc: writes the user page "What is collected" from a registry
// directory. Refuses to write anything while the registry has problems, so a page that
// silently leaves out a broken entry cannot be committed.
#include <cstring>
#include <iostream>
#include <string>

#include "glib_handles.hpp"
#include "registry.hpp"
#include "registry_doc.hpp"

namespace {

constexpr const char* kUsage =
    "usage: metrics-registry-doc [--output FILE] REGISTRY_DIR\n"
    "Writes the Markdown page of every metric in REGISTRY_DIR/*.json to FILE (default:\n"
    "standard output). Exit status: 0 written, 1 the registry has problems (listed),\n"
    "2 usage error, 3 FILE cannot be written.\n";

}  // namespace

int main(int argc, char** argv) {
  std::string output;
  std::string directory;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << kUsage;
      return 0;
    }
    if (std::strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
      output = argv[++i];
    } else if (argv[i][0] != '-' && directory.empty()) {
      directory = argv[i];
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (directory.empty()) {
    std::cerr << kUsage;
    return 2;
  }

  const auto registry = metrics::registry::Registry::load(directory);
  if (!registry.problems().empty()) {
    for (const auto& problem : registry.problems()) std::cerr << problem.to_string() << '\n';
    std::cerr << "metrics-registry-doc: fix the registry first; nothing was written\n";
    return 1;
  }
  const std::string page = metrics::registry::render_user_page(registry);
  if (output.empty()) {
    std::cout << page;
    return 0;
  }
  metrics::GErrorOut err;
  if (!g_file_set_contents(output.c_str(), page.data(), static_cast<gssize>(page.size()),
                           err.out())) {
    std::cerr << "metrics-registry-doc: " << err.message() << '\n';
    return 3;
  }
  return 0;
}
