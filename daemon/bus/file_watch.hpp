// SPDX-License-Identifier: GPL-2.0-or-later
// Calls back when a file changes (edited, replaced, created, deleted or its mode changed),
// or when anything in a directory does, or when one entry of a directory comes or goes,
// through GIO's file monitor on the main loop: no polling, no wake-ups while nothing
// changes.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "glib_handles.hpp"

namespace metrics::bus {

class FileWatch {
 public:
  // Entry: `file` appearing, disappearing or being renamed, seen from its parent
  // directory. GIO notices a file or directory that does not exist yet only by looking
  // again every 4 s; its parent's monitor reports the creation at once.
  enum class Target { File, Directory, Entry };
  FileWatch(const std::filesystem::path& file, std::function<void()> changed,
            Target target = Target::File);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;
  bool active() const { return monitor_ != nullptr; }

 private:
  static void on_changed(GFileMonitor*, GFile* file, GFile* other, GFileMonitorEvent event,
                         gpointer self);
  bool is_entry(GFile* file) const;
  std::function<void()> changed_;
  std::string entry_name_;  // Target::Entry: the only name reported
  GObjectPtr<GFileMonitor> monitor_;
  gulong handler_ = 0;
};

}  // namespace metrics::bus
