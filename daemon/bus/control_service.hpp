// com.endlessm.Metrics.Control1 on /com/endlessm/Metrics: what metricsctl and a settings
// panel show (consent, queue, upload state and results) and "upload now" with progress.
// Ours, additive: the Endless interfaces stay exactly as they were.
#pragma once

#include <string>
#include <vector>

#include "recorder.hpp"
#include "recorder_service.hpp"
#include "sdbus_handles.hpp"
#include "upload_scheduler.hpp"

namespace metrics::bus {

inline constexpr const char* kControlInterface = "com.endlessm.Metrics.Control1";

class ControlService {
 public:
  ControlService(sd_bus* bus, RecorderService& recorder_service, Recorder& recorder,
                 net::UploadScheduler& uploads);
  ControlService(const ControlService&) = delete;
  ControlService& operator=(const ControlService&) = delete;

  Result<void> start();
  // PropertiesChanged for the properties that announce their changes.
  void emit_upload_status_changed();
  void emit_consent_changed();
  void emit_progress(const net::SessionProgress& progress);

 private:
  static int method_upload(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int get_property(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error*);

  sd_bus* bus_;
  RecorderService& service_;
  Recorder& recorder_;
  net::UploadScheduler& uploads_;
  SlotPtr slot_;
};

}  // namespace metrics::bus
