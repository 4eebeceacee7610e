// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's metric registry at run time: loads it at start, reloads it when a file in
// its directory changes (no restart), and writes the journal lines an administrator or a
// developer needs: a summary of each load, every problem with file, entry and field, and
// the (rate-limited) events refused or stored against it.
#pragma once

#include <filesystem>
#include <memory>

#include "file_watch.hpp"
#include "glib_handles.hpp"
#include "registry_gate.hpp"

namespace metrics::bus {

class RegistryWatch {
 public:
  // Wait this long after the last change before reloading: an editor's save or a package
  // update is several file events, and a half-written file should not be reported.
  static constexpr unsigned kSettleMs = 200;

  RegistryWatch(registry::Gate& gate, const std::filesystem::path& directory, registry::Mode mode);
  ~RegistryWatch();
  RegistryWatch(const RegistryWatch&) = delete;
  RegistryWatch& operator=(const RegistryWatch&) = delete;

  // Reloads now (also what the settled file watch calls).
  void reload();

 private:
  void changed();
  void watch_directory();
  static gboolean on_settled(gpointer self);

  registry::Gate& gate_;
  std::filesystem::path directory_;
  std::unique_ptr<FileWatch> watch_;        // the directory's files
  std::unique_ptr<FileWatch> entry_watch_;  // the directory itself, from its parent
  GSourcePtr settle_;
};

}  // namespace metrics::bus
