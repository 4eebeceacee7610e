// SPDX-License-Identifier: GPL-2.0-or-later
#include "control_service.hpp"

#include <glib.h>

#include <algorithm>
#include <memory>
#include <string_view>

#include "errors.hpp"

namespace metrics::bus {

namespace {

ControlService* self_of(void* userdata) {
  return static_cast<ControlService*>(userdata);
}

int64_t seconds_of(int64_t wall_ns) {
  return wall_ns <= 0 ? 0 : wall_ns / 1'000'000'000;
}

// The D-Bus error name LastUploadResult shows for a failed session.
std::string result_name(const std::optional<Result<void>>& result) {
  if (!result) return "";
  if (result->ok()) return std::string(kUploadSucceeded);
  return error_name(result->error().code);
}

}  // namespace

ControlService::ControlService(sd_bus* bus, RecorderService& recorder_service, Recorder& recorder,
                               net::UploadScheduler& uploads, Ledger& ledger)
    : bus_(bus),
      service_(recorder_service),
      recorder_(recorder),
      uploads_(uploads),
      ledger_(ledger),
      polkit_(bus),
      held_refusals_(recorder.clock()) {}

Result<void> ControlService::start() {
  static const sd_bus_vtable control_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("ConsentState", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("ServerUrl", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("Environment", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      // Changes with every recorded event: read on demand, never announced.
      SD_BUS_PROPERTY("QueuedEvents", "t", &ControlService::get_property, 0, 0),
      SD_BUS_PROPERTY("QueuedBytes", "t", &ControlService::get_property, 0, 0),
      SD_BUS_PROPERTY("RunningCounts", "t", &ControlService::get_property, 0, 0),
      SD_BUS_PROPERTY("UploadState", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("LastUploadTime", "x", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("LastUploadResult", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("LastUploadMessage", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("NextUploadTime", "x", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("RefusedEvents", "a{st}", &ControlService::property_refused, 0, 0),
      SD_BUS_PROPERTY("StoreState", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("StoreProblem", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("SetAsideEvents", "t", &ControlService::property_set_aside_events, 0, 0),
      // Where a person fixes what the advice of an error names (-c and --config-dir).
      SD_BUS_PROPERTY("PermissionsFile", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("SettingsFile", "s", &ControlService::get_property, 0,
                      SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_METHOD_WITH_NAMES("Upload", "", , "tu", SD_BUS_PARAM(events) SD_BUS_PARAM(requests),
                               &ControlService::method_upload, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("SetServerUrl", "s", SD_BUS_PARAM(server_url), "", ,
                               &ControlService::method_set_server_url, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("SetEnvironment", "s", SD_BUS_PARAM(environment), "", ,
                               &ControlService::method_set_environment, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("SetUploadingEnabled", "b", SD_BUS_PARAM(uploading_enabled), "", ,
                               &ControlService::method_set_uploading_enabled,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("GetQueuedEvents", "u", SD_BUS_PARAM(max_events), "a(ssuxsxs)",
                               SD_BUS_PARAM(events), &ControlService::method_get_queued_events,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("GetUploadLog", "u", SD_BUS_PARAM(max_entries), "a(xxssttttsisb)",
                               SD_BUS_PARAM(entries), &ControlService::method_get_upload_log,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("GetUploadBody", "x", SD_BUS_PARAM(id), "ay", SD_BUS_PARAM(body),
                               &ControlService::method_get_upload_body, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("GetSetAsideBatches", "", , "a(xxsttxb)", SD_BUS_PARAM(batches),
                               &ControlService::method_get_set_aside_batches,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("GetSetAsideBody", "x", SD_BUS_PARAM(id), "ay", SD_BUS_PARAM(body),
                               &ControlService::method_get_set_aside_body,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("RequeueSetAside", "x", SD_BUS_PARAM(id), "t", SD_BUS_PARAM(events),
                               &ControlService::method_requeue_set_aside,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_SIGNAL_WITH_NAMES(
          "UploadProgress", "ttu",
          SD_BUS_PARAM(sent_events) SD_BUS_PARAM(total_events) SD_BUS_PARAM(requests), 0),
      SD_BUS_VTABLE_END,
  };
  sd_bus_slot* slot = nullptr;
  const int r =
      sd_bus_add_object_vtable(bus_, &slot, kObjectPath, kControlInterface, control_vtable, this);
  if (r < 0)
    return Error{ErrorCode::kBusFailure, std::string("cannot export Control1: ") + g_strerror(-r)};
  slot_.reset(slot);
  service_.describe_interface(kControlInterface, control_vtable);
  return Ok();
}

int ControlService::get_property(sd_bus* bus, const char*, const char*, const char* property,
                                 sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  const std::string_view name = property;
  const net::UploadStatus& status = self->uploads_.status();
  Store& store = self->recorder_.store();
  if (name == "ConsentState")
    return sd_bus_message_append(reply, "s", self->service_.consent_state().c_str());
  if (name == "ServerUrl")
    return sd_bus_message_append(reply, "s", self->service_.server_url().c_str());
  if (name == "Environment")
    return sd_bus_message_append(reply, "s", self->service_.environment().c_str());
  if (name == "PermissionsFile")
    return sd_bus_message_append(reply, "s", self->service_.paths().permissions_file.c_str());
  if (name == "SettingsFile")
    return sd_bus_message_append(reply, "s",
                                 self->service_.paths().recorder_settings_file().c_str());
  if (name == "QueuedEvents" || name == "QueuedBytes" || name == "RunningCounts") {
    // One user must not watch another work: an unprivileged caller sees its own uid's
    // figures, root and the service user the whole queue's. Neither property is announced
    // (PropertiesChanged would carry the totals to every listener).
    auto who = self->caller_of_property(bus);
    if (!who) return who.error().code == ErrorCode::kAccessDenied ? -EACCES : -EIO;
    const bool all = self->recorder_.privileged(who->uid);
    // A store that cannot be read counts 0: failing here would fail GetAll, and with it
    // `metricsctl status`, just when StoreState and StoreProblem must be seen.
    if (name == "RunningCounts") {
      auto rows = all ? store.running_counts() : store.running_counts(who->uid);
      return sd_bus_message_append(reply, "t", static_cast<uint64_t>(rows ? *rows : 0));
    }
    if (name == "QueuedBytes") {
      const int64_t bytes = all ? store.total_bytes() : store.bytes_of_uid(who->uid);
      return sd_bus_message_append(reply, "t", static_cast<uint64_t>(std::max<int64_t>(0, bytes)));
    }
    int64_t events = 0;
    if (all) {
      auto aggregates = store.aggregate_count();
      events = store.singular_count() + (aggregates ? *aggregates : 0);
    } else {
      auto own = store.queued_events_of(who->uid);
      events = own ? *own : 0;
    }
    return sd_bus_message_append(reply, "t", static_cast<uint64_t>(events));
  }
  if (name == "StoreState")
    return sd_bus_message_append(reply, "s", store_state_name(store.state()));
  if (name == "StoreProblem") return sd_bus_message_append(reply, "s", store.problem().c_str());
  if (name == "UploadState")
    return sd_bus_message_append(reply, "s", std::string(upload_state_name(status.state)).c_str());
  if (name == "LastUploadTime")
    return sd_bus_message_append(reply, "x", seconds_of(status.last_time_wall_ns));
  if (name == "LastUploadResult")
    return sd_bus_message_append(reply, "s", result_name(status.last_result).c_str());
  if (name == "LastUploadMessage")
    return sd_bus_message_append(reply, "s", status.last_message.c_str());
  if (name == "NextUploadTime") {
    const bool planned =
        status.state == UploadState::kIdle || status.state == UploadState::kRetrying;
    return sd_bus_message_append(reply, "x", planned ? seconds_of(status.next_time_wall_ns) : 0);
  }
  return -ENOENT;
}

Result<Caller> ControlService::caller_of_property(sd_bus* bus) {
  sd_bus_message* current = sd_bus_get_current_message(bus);
  if (!current) return Error{ErrorCode::kAccessDenied, "no call to read the caller from"};
  return service_.caller_of(current);
}

int ControlService::method_upload(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  if (auto allowed = self->service_.check_upload_allowed(); !allowed)
    return reply_error(m, allowed.error());
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  self->uploads_.upload_now([call](Result<net::SessionProgress> done) {
    if (!done) {
      reply_error(call.get(), done.error());
      return;
    }
    sd_bus_reply_method_return(call.get(), "tu", done->sent_events, done->requests);
  });
  return 1;
}

void ControlService::emit_upload_status_changed() {
  if (!slot_) return;
  sd_bus_emit_properties_changed(bus_, kObjectPath, kControlInterface, "UploadState",
                                 "LastUploadTime", "LastUploadResult", "LastUploadMessage",
                                 "NextUploadTime", nullptr);
}

void ControlService::emit_consent_changed() {
  if (!slot_) return;
  sd_bus_emit_properties_changed(bus_, kObjectPath, kControlInterface, "ConsentState", "ServerUrl",
                                 "Environment", nullptr);
}

void ControlService::emit_store_changed() {
  if (!slot_) return;
  sd_bus_emit_properties_changed(bus_, kObjectPath, kControlInterface, "StoreState", "StoreProblem",
                                 nullptr);
}

void ControlService::emit_progress(const net::SessionProgress& progress) {
  if (!slot_) return;
  sd_bus_emit_signal(bus_, kObjectPath, kControlInterface, "UploadProgress", "ttu",
                     progress.sent_events, progress.total_events, progress.requests);
}

}  // namespace metrics::bus
