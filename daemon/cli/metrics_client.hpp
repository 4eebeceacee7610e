// SPDX-License-Identifier: GPL-2.0-or-later
// The D-Bus client side of com.endlessm.Metrics on the system bus (GDBus).
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <functional>
#include <string>

#include "errors.hpp"
#include "glib_handles.hpp"
#include "result.hpp"

namespace metrics::cli {

inline constexpr const char* kBusName = "com.endlessm.Metrics";
inline constexpr const char* kObjectPath = "/com/endlessm/Metrics";
inline constexpr const char* kControlInterface = "com.endlessm.Metrics.Control1";

// The recorder bounds an upload's duration itself; this only guards against a hung peer.
inline constexpr int kUploadTimeoutMs = 10 * 60 * 1000;
// Other calls; a polkit prompt may keep a setter waiting for a person.
inline constexpr int kCallTimeoutMs = 5 * 60 * 1000;
inline constexpr const char* kServerInterface = "com.endlessm.Metrics.EventRecorderServer";

struct UploadProgress {
  std::uint64_t sent_events = 0;
  std::uint64_t total_events = 0;
  std::uint32_t requests = 0;
};

struct UploadSummary {
  std::uint64_t events = 0;
  std::uint32_t requests = 0;
};

// Every error has its D-Bus name (remote, or a standard one standing for a local failure such
// as no bus or a timeout) in `dbus_name`, the recorder's code for it (or kForeign) in `code`,
// and in `message` the text a person reads.
Error error_from_gerror(const GError* error);

class MetricsClient {
 public:
  // Honours DBUS_SYSTEM_BUS_ADDRESS, as every GDBus client does.
  static Result<MetricsClient> connect_system_bus();

  // One method call on the recorder's object, waiting up to `timeout_ms`. `parameters`
  // may be floating (it is sunk). Interactive authorisation is allowed, so a polkit agent
  // can ask for a password where the policy wants one.
  Result<GVariantPtr> call(const char* interface, const char* method, GVariant* parameters,
                           const char* reply_type, int timeout_ms = kCallTimeoutMs) const;

  // One string property of Control1 (Properties.Get).
  Result<std::string> get_control_string(const char* property) const;

  // The files the recorder reads (Control1.PermissionsFile and SettingsFile); a property it
  // does not have is left empty.
  RecorderFiles files() const;

  // Properties.GetAll(interface) on the recorder: an a{sv}.
  Result<GVariantPtr> get_all_properties(const char* interface) const;

  // Control1.Upload(), reporting Control1.UploadProgress signals while it runs. Iterates the
  // default main context until the reply arrives.
  Result<UploadSummary> upload(const std::function<void(const UploadProgress&)>& on_progress,
                               int timeout_ms = kUploadTimeoutMs) const;

 private:
  explicit MetricsClient(GObjectPtr<GDBusConnection> connection)
      : connection_(std::move(connection)) {}
  GObjectPtr<GDBusConnection> connection_;
};

}  // namespace metrics::cli
