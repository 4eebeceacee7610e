// SPDX-License-Identifier: GPL-2.0-or-later
#include "name_watch.hpp"

namespace metrics::instrumentation {

NameWatch::NameWatch(GDBusConnection* connection, const char* name, Callback appeared,
                     Callback vanished)
    : appeared_(std::move(appeared)), vanished_(std::move(vanished)) {
  id_ = g_bus_watch_name_on_connection(connection, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                       &NameWatch::on_appeared, &NameWatch::on_vanished, this,
                                       nullptr);
}

NameWatch::~NameWatch() {
  g_bus_unwatch_name(id_);
}

void NameWatch::on_appeared(GDBusConnection*, const gchar*, const gchar*, gpointer self) {
  auto* watch = static_cast<NameWatch*>(self);
  if (watch->appeared_) watch->appeared_();
}

void NameWatch::on_vanished(GDBusConnection*, const gchar*, gpointer self) {
  auto* watch = static_cast<NameWatch*>(self);
  if (watch->vanished_) watch->vanished_();
}

}  // namespace metrics::instrumentation
