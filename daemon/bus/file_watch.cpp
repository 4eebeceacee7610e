#include "file_watch.hpp"

namespace metrics::bus {

FileWatch::FileWatch(const std::filesystem::path& file, std::function<void()> changed,
                     Target target)
    : changed_(std::move(changed)) {
  GObjectPtr<GFile> gfile(g_file_new_for_path(file.c_str()));
  // WATCH_MOVES: editors and g_file_set_contents replace the file by renaming.
  monitor_.reset(
      target == Target::Directory
          ? g_file_monitor_directory(gfile.get(), G_FILE_MONITOR_WATCH_MOVES, nullptr, nullptr)
          : g_file_monitor_file(gfile.get(), G_FILE_MONITOR_WATCH_MOVES, nullptr, nullptr));
  if (!monitor_) return;
  g_file_monitor_set_rate_limit(monitor_.get(), 100);
  handler_ = g_signal_connect(monitor_.get(), "changed", G_CALLBACK(&FileWatch::on_changed), this);
}

FileWatch::~FileWatch() {
  if (monitor_ && handler_) g_signal_handler_disconnect(monitor_.get(), handler_);
  if (monitor_) g_file_monitor_cancel(monitor_.get());
}

void FileWatch::on_changed(GFileMonitor*, GFile*, GFile*, GFileMonitorEvent event, gpointer self) {
  // The attribute-only events say nothing about the content.
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT || event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;
  static_cast<FileWatch*>(self)->changed_();
}

}  // namespace metrics::bus
