// Calls back when a file changes (edited, replaced, created or deleted), or when anything
// in a directory does, through GIO's file monitor on the main loop: no polling, no
// wake-ups while nothing changes.
#pragma once

#include <filesystem>
#include <functional>

#include "glib_handles.hpp"

namespace metrics::bus {

class FileWatch {
 public:
  enum class Target { File, Directory };
  FileWatch(const std::filesystem::path& file, std::function<void()> changed,
            Target target = Target::File);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;
  bool active() const { return monitor_ != nullptr; }

 private:
  static void on_changed(GFileMonitor*, GFile*, GFile*, GFileMonitorEvent event, gpointer self);
  std::function<void()> changed_;
  GObjectPtr<GFileMonitor> monitor_;
  gulong handler_ = 0;
};

}  // namespace metrics::bus
