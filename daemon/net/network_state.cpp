// SPDX-License-Identifier: GPL-2.0-or-later
#include "network_state.hpp"

namespace metrics::net {

NetworkState::NetworkState(Changed changed)
    : changed_(std::move(changed)), monitor_(share_object(g_network_monitor_get_default())) {
  available_changed_ = SignalConnection(monitor_.get(), "notify::network-available",
                                        G_CALLBACK(&NetworkState::on_changed), this);
  metered_changed_ = SignalConnection(monitor_.get(), "notify::network-metered",
                                      G_CALLBACK(&NetworkState::on_changed), this);
}

bool NetworkState::available() const {
  return g_network_monitor_get_network_available(monitor_.get()) != FALSE;
}

bool NetworkState::metered() const {
  return g_network_monitor_get_network_metered(monitor_.get()) != FALSE;
}

void NetworkState::on_changed(GObject*, GParamSpec*, gpointer self) {
  auto* state = static_cast<NetworkState*>(self);
  if (state->changed_) state->changed_();
}

}  // namespace metrics::net
