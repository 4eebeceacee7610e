// SPDX-License-Identifier: GPL-2.0-or-later
// The machine's consent, as the recorder shows it (Control1.ConsentState on the system
// bus), so that the collectors stop their sources while metrics are declined: the recorder
// would drop what they record anyway, and a stopped source costs nothing.
//
// Read once at start (which may start the recorder by D-Bus activation, as the first
// event would), again whenever the recorder comes back to the bus, and followed through
// PropertiesChanged. While it is unknown (no recorder), the collectors run: the recorder
// decides when it is there.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>

#include "glib_handles.hpp"
#include "name_watch.hpp"
#include "signal_subscription.hpp"

namespace metrics::instrumentation::session {

// "declined", and "invalid" (the permissions file is unusable: the recorder records
// nothing) stop the collectors; "granted", "undecided" and unknown do not.
bool consent_allows_collecting(const std::string& consent_state);

class ConsentWatch {
 public:
  using Changed = std::function<void(bool allowed)>;

  ConsentWatch(GDBusConnection* system_bus, Changed changed);
  ~ConsentWatch();
  ConsentWatch(const ConsentWatch&) = delete;
  ConsentWatch& operator=(const ConsentWatch&) = delete;

  // `changed` is called with the first answer (or with true when there is none) and
  // afterwards only when the answer changes.
  void start();
  bool allowed() const { return allowed_; }

 private:
  void read();
  void apply(const std::string& consent_state);

  GDBusConnection* bus_;
  Changed changed_;
  bool known_ = false;
  bool allowed_ = true;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  std::unique_ptr<SignalSubscription> properties_;
  std::unique_ptr<NameWatch> recorder_;
};

}  // namespace metrics::instrumentation::session
