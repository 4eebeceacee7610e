// SPDX-License-Identifier: GPL-2.0-or-later
// com.endlessm.Metrics.Control1 on /com/endlessm/Metrics: what metricsctl and a settings
// panel show (consent, queue, upload state and results) and "upload now" with progress.
// Ours, additive: the Endless interfaces stay exactly as they were.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "held_refusals.hpp"
#include "ledger.hpp"
#include "polkit.hpp"
#include "recorder.hpp"
#include "recorder_service.hpp"
#include "sdbus_handles.hpp"
#include "upload_scheduler.hpp"

namespace metrics::bus {

inline constexpr const char* kControlInterface = "com.endlessm.Metrics.Control1";

class ControlService {
 public:
  ControlService(sd_bus* bus, RecorderService& recorder_service, Recorder& recorder,
                 net::UploadScheduler& uploads, Ledger& ledger);
  ControlService(const ControlService&) = delete;
  ControlService& operator=(const ControlService&) = delete;

  Result<void> start();
  // PropertiesChanged for the properties that announce their changes.
  void emit_upload_status_changed();
  void emit_consent_changed();
  void emit_store_changed();
  void emit_progress(const net::SessionProgress& progress);

 private:
  static int method_upload(sd_bus_message* m, void* userdata, sd_bus_error* e);
  // Setters (control_setters.cpp): polkit first, then the permissions file.
  static int method_set_server_url(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_set_environment(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_set_uploading_enabled(sd_bus_message* m, void* userdata, sd_bus_error* e);
  // What is queued and what was sent (control_listings.cpp).
  static int method_get_queued_events(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_get_upload_log(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_get_upload_body(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int property_refused(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                              void* userdata, sd_bus_error*);
  // Set-aside batches (control_set_aside.cpp): list, body (root), re-queue (polkit).
  static int method_get_set_aside_batches(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_get_set_aside_body(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_requeue_set_aside(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int property_set_aside_events(sd_bus*, const char*, const char*, const char*,
                                       sd_bus_message* reply, void* userdata, sd_bus_error*);
  using PermissionsEdit = std::function<Result<config::Permissions>()>;
  // Checks `action` with polkit for the caller of `m`, then runs `edit` and applies it.
  int authorized_edit(sd_bus_message* m, const char* action, PermissionsEdit edit);
  // Who reads a property: the caller of the Get/GetAll being answered.
  Result<Caller> caller_of_property(sd_bus* bus);
  static int get_property(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error*);

  sd_bus* bus_;
  RecorderService& service_;
  Recorder& recorder_;
  net::UploadScheduler& uploads_;
  Ledger& ledger_;
  Polkit polkit_;
  // Rate-limited listings are refused late (held_refusals.hpp).
  HeldRefusals held_refusals_;
  SlotPtr slot_;
};

}  // namespace metrics::bus
