// SPDX-License-Identifier: GPL-2.0-or-later
// Control1's setters: each is polkit-guarded, writes the permissions file (keeping the
// administrator's comments and other keys) and applies it at once.
#include <memory>
#include <string_view>

#include "control_service.hpp"
#include "errors.hpp"

namespace metrics::bus {

namespace {

constexpr const char* kActionSetServerUrl = "com.endlessm.Metrics.SetServerUrl";
constexpr const char* kActionSetEnvironment = "com.endlessm.Metrics.SetEnvironment";
constexpr const char* kActionSetEnabled = "com.endlessm.Metrics.SetEnabled";

}  // namespace

int ControlService::authorized_edit(sd_bus_message* m, const char* action, PermissionsEdit edit) {
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  polkit_.check(m, action, [this, call, edit = std::move(edit)](const Result<void>& allowed) {
    if (!allowed) {
      reply_error(call.get(), allowed.error());
      return;
    }
    auto written = edit();
    if (!written) {
      reply_error(call.get(), written.error());
      return;
    }
    service_.permissions_written(std::move(written.value()));
    sd_bus_reply_method_return(call.get(), "");
  });
  return 1;
}

int ControlService::method_set_server_url(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  const char* url = nullptr;
  if (sd_bus_message_read_basic(m, 's', &url) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read server_url (s)"});
  // An unusable URL is refused before anyone is asked to authenticate for it.
  config::Permissions probe;
  probe.environment =
      self->service_.environment().empty() ? "production" : self->service_.environment();
  probe.server_url = url;
  if (auto resolved = config::resolve_server_url(probe); !resolved)
    return reply_error(m, resolved.error());
  return self->authorized_edit(m, kActionSetServerUrl, [self, value = std::string(url)] {
    return config::set_server_url(self->service_.paths().permissions_file, value,
                                  self->service_.default_server_url());
  });
}

int ControlService::method_set_environment(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  const char* environment = nullptr;
  if (sd_bus_message_read_basic(m, 's', &environment) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read environment (s)"});
  const std::string_view value = environment;
  if (value != "dev" && value != "test" && value != "production") {
    return reply_error(
        m, {ErrorCode::kInvalidEnvironment, "'" + std::string(value) +
                                                "' is not an environment; use dev, test "
                                                "or production"});
  }
  return self->authorized_edit(m, kActionSetEnvironment, [self, value = std::string(environment)] {
    return config::set_environment(self->service_.paths().permissions_file, value,
                                   self->service_.default_server_url());
  });
}

int ControlService::method_set_uploading_enabled(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  int uploading = 0;
  if (sd_bus_message_read_basic(m, 'b', &uploading) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read uploading_enabled (b)"});
  return self->authorized_edit(m, kActionSetEnabled, [self, uploading] {
    return config::set_uploading_enabled(self->service_.paths().permissions_file, uploading != 0,
                                         self->service_.default_server_url());
  });
}

}  // namespace metrics::bus
