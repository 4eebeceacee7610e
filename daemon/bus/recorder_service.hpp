// SPDX-License-Identifier: GPL-2.0-or-later
// com.endlessm.Metrics on the bus: the EventRecorderServer interface on
// /com/endlessm/Metrics and one AggregateTimer object per running timer. It owns the
// consent state read from the permissions file and performs what a change of it means
// (decided by consent_transition in daemon/core).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "callers.hpp"
#include "consent_transition.hpp"
#include "file_watch.hpp"
#include "gdbus_compat.hpp"
#include "heap_trim.hpp"
#include "paths.hpp"
#include "polkit.hpp"
#include "recorder.hpp"
#include "sdbus_handles.hpp"
#include "settings.hpp"
#include "upload_scheduler.hpp"

namespace metrics::bus {

inline constexpr const char* kBusName = "com.endlessm.Metrics";
inline constexpr const char* kObjectPath = "/com/endlessm/Metrics";
inline constexpr const char* kServerInterface = "com.endlessm.Metrics.EventRecorderServer";
inline constexpr const char* kTimerInterface = "com.endlessm.Metrics.AggregateTimer";
inline constexpr const char* kTimerPathPrefix = "/com/endlessm/Metrics/AggregateTimer";

class RecorderService {
 public:
  RecorderService(sd_bus* bus, Recorder& recorder, net::UploadScheduler& uploads, Paths paths,
                  std::string default_server_url);
  ~RecorderService();

  // Exports the objects and reads the permissions file (writing first-run defaults).
  Result<void> start();
  // Commits what this main-loop turn recorded, then sends the replies waiting for it.
  void after_batch();
  // Re-reads the permissions file and applies it (also called by the file watch).
  void reload_permissions();
  // The store opened late (it was unavailable at start): a deletion that declining asked
  // for meanwhile happens now.
  void store_opened();

  bool enabled_property() const;

  // For the Control1 interface: "undecided", "granted", "declined" or "invalid".
  std::string consent_state() const { return consent_state_name(consent_.state); }
  // The resolved upload URL base ("" when unusable) and the environment.
  std::string server_url() const;
  std::string environment() const;
  // Whether consent allows an upload now: MetricsDisabled / UploadingDisabled otherwise.
  Result<void> check_upload_allowed() const;
  // Runs after the consent state, server URL or environment changed.
  std::function<void()> on_consent_changed;
  // A commit of recorded events failed (for a rate-limited journal line); unset: logged.
  std::function<void(const std::string& what, const Error& error)> on_storage_failure;

  // For Control1's setters: who calls, where the file is, and applying what they wrote.
  Result<Caller> caller_of(sd_bus_message* m) { return callers_.caller_of(m); }
  const Paths& paths() const { return paths_; }
  const std::string& default_server_url() const { return default_server_url_; }
  void permissions_written(config::Permissions written);
  // Work that may have grown the heap, in batches of calls (a listing: rows / 100); the
  // heap is trimmed once a burst of it is over.
  void note_heap_use(size_t units) { heap_trim_.note(units); }
  // Another interface on the main object (Control1): its properties answer Get and Set
  // errors as the original's GDBus did.
  void describe_interface(const std::string& interface, const sd_bus_vtable* vtable) {
    gdbus_compat_.add_interface(interface, vtable);
  }

 private:
  // The permissions file as last read. Invalid until the first reading.
  struct ConsentReading {
    ConsentState state = ConsentState::Invalid;
    config::Permissions permissions;  // what the file says, unless Invalid
    std::string problem;              // why the file is unusable, for the journal and status
  };

  static int method_record_singular(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_record_aggregate(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_record_sequence(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_upload_events(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_reset_tracking_id(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_set_enabled(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_start_timer(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int method_stop_timer(sd_bus_message* m, void* userdata, sd_bus_error* e);
  static int property_enabled(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                              void* userdata, sd_bus_error*);
  static int property_tracking_id(sd_bus*, const char*, const char*, const char*,
                                  sd_bus_message* reply, void* userdata, sd_bus_error*);
  // Each running timer is its own object; its slot goes when the timer stops.
  Result<void> export_timer(uint64_t id);
  void unexport_stopped_timers();

  // Queues the success reply (or the error) of `call` until the batch commits.
  int defer(sd_bus_message* call, const Result<void>& result);
  // Commits what is pending and sends the replies that waited for it.
  void commit_and_answer();
  // A caller left the bus: its timers' time is counted and committed at once, before any
  // message the bus delivered after its departure is answered.
  void connection_left(const std::string& connection);
  int defer_reply(sd_bus_message* call, MessagePtr reply);
  // What the file says now: unusable, or its permissions.
  static ConsentReading reading_of(Result<config::Permissions> read);
  void apply_permissions(ConsentReading next, ConsentMoment moment);
  void perform(ConsentAction action);
  void delete_collected();
  Result<Caller> caller(sd_bus_message* m) { return callers_.caller_of(m); }
  // The arguments every record call starts with: who calls, (u user_id, ay event_id).
  struct RecordHead {
    Caller caller;
    uint32_t user_id = 0;
    std::span<const uint8_t> event_id;
  };
  Result<RecordHead> read_record_head(sd_bus_message* m);

  sd_bus* bus_;
  Recorder& recorder_;
  net::UploadScheduler& uploads_;
  Paths paths_;
  std::string default_server_url_;
  CallerRegistry callers_;
  Polkit polkit_;
  GDBusCompat gdbus_compat_;
  ConsentReading consent_;
  std::vector<std::string> logged_warnings_;  // the permissions file's, as last logged
  std::unique_ptr<FileWatch> permissions_watch_;
  std::vector<SlotPtr> slots_;
  std::map<uint64_t, SlotPtr> timer_slots_;
  struct Deferred {
    MessagePtr call;
    MessagePtr reply;
  };
  std::vector<Deferred> deferred_;
  // 64 batches (or listed hundreds of rows), then 2 s without any: malloc_trim.
  HeapTrim heap_trim_{64, 2};
};

}  // namespace metrics::bus
