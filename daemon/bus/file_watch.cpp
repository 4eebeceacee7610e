// SPDX-License-Identifier: GPL-2.0-or-later
#include "file_watch.hpp"

namespace metrics::bus {

FileWatch::FileWatch(const std::filesystem::path& file, std::function<void()> changed,
                     Target target)
    : changed_(std::move(changed)) {
  std::filesystem::path watched = file;
  if (target == Target::Entry) {
    entry_name_ = file.filename().string();
    watched = file.parent_path();
  }
  GObjectPtr<GFile> gfile(g_file_new_for_path(watched.c_str()));
  // WATCH_MOVES: editors and g_file_set_contents replace the file by renaming.
  monitor_.reset(
      target == Target::File
          ? g_file_monitor_file(gfile.get(), G_FILE_MONITOR_WATCH_MOVES, nullptr, nullptr)
          : g_file_monitor_directory(gfile.get(), G_FILE_MONITOR_WATCH_MOVES, nullptr, nullptr));
  if (!monitor_) return;
  g_file_monitor_set_rate_limit(monitor_.get(), 100);
  handler_ = g_signal_connect(monitor_.get(), "changed", G_CALLBACK(&FileWatch::on_changed), this);
}

FileWatch::~FileWatch() {
  if (monitor_ && handler_) g_signal_handler_disconnect(monitor_.get(), handler_);
  if (monitor_) g_file_monitor_cancel(monitor_.get());
}

bool FileWatch::is_entry(GFile* file) const {
  if (file == nullptr) return false;
  GCharPtr name(g_file_get_basename(file));
  return name && entry_name_ == name.get();
}

void FileWatch::on_changed(GFileMonitor*, GFile* file, GFile* other, GFileMonitorEvent event,
                           gpointer self) {
  auto* watch = static_cast<FileWatch*>(self);
  if (!watch->entry_name_.empty() && !watch->is_entry(file) && !watch->is_entry(other)) return;
  // ATTRIBUTE_CHANGED counts: a chmod can make an unreadable file readable (or the
  // reverse) without touching its content.
  if (event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED) return;
  watch->changed_();
}

}  // namespace metrics::bus
