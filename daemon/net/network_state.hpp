// SPDX-License-Identifier: GPL-2.0-or-later
// Whether the machine is online and whether the connection is metered, as GIO's network
// monitor sees it (NetworkManager when it runs, the kernel's routes otherwise).
#pragma once

#include <gio/gio.h>

#include <functional>

#include "glib_handles.hpp"
#include "upload_io.hpp"

namespace metrics::net {

using GNetworkMonitorPtr = GObjectPtr<GNetworkMonitor>;

class NetworkState final : public upload::NetworkMonitor {
 public:
  using Changed = std::function<void()>;
  // `changed` runs on the main loop whenever availability or metering may have changed.
  explicit NetworkState(Changed changed);
  NetworkState(const NetworkState&) = delete;
  NetworkState& operator=(const NetworkState&) = delete;

  bool available() const override;
  bool metered() const override;

 private:
  static void on_changed(GObject*, GParamSpec*, gpointer self);

  Changed changed_;
  GNetworkMonitorPtr monitor_;
  SignalConnection available_changed_;
  SignalConnection metered_changed_;
};

}  // namespace metrics::net
