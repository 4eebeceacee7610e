// SPDX-License-Identifier: GPL-2.0-or-later
#include "recorder_service.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "errors.hpp"
#include "log.hpp"
#include "original_messages.hpp"
#include "variant_reader.hpp"

namespace metrics::bus {

namespace {

constexpr const char* kActionSetEnabled = "com.endlessm.Metrics.SetEnabled";
constexpr const char* kActionResetTrackingId = "com.endlessm.Metrics.ResetTrackingId";

RecorderService* self_of(void* userdata) {
  return static_cast<RecorderService*>(userdata);
}

// Reads the (ay event_id) argument; its length is checked by the recorder.
Result<std::span<const uint8_t>> read_event_id(sd_bus_message* m) {
  const void* data = nullptr;
  size_t size = 0;
  if (sd_bus_message_read_array(m, 'y', &data, &size) < 0)
    return Error{ErrorCode::kInvalidEventId,
                 original::invalid_event_id("(cannot read the event id, ay)")};
  return std::span<const uint8_t>(static_cast<const uint8_t*>(data), size);
}

// Reads (b has_payload, v payload): the payload only counts when has_payload is true.
Result<GVariantPtr> read_optional_payload(sd_bus_message* m) {
  int has_payload = 0;
  if (sd_bus_message_read_basic(m, 'b', &has_payload) < 0)
    return Error{ErrorCode::kInvalidPayload, "cannot read has_payload (b)"};
  if (!has_payload) {
    if (sd_bus_message_skip(m, "v") < 0)
      return Error{ErrorCode::kInvalidPayload, "cannot read payload (v)"};
    return GVariantPtr();
  }
  return read_boxed_variant(m);
}

std::optional<uint64_t> timer_id_of_path(const char* path) {
  const size_t prefix = std::strlen(kTimerPathPrefix);
  if (!path || std::strncmp(path, kTimerPathPrefix, prefix) != 0) return std::nullopt;
  const char* digits = path + prefix;
  if (*digits == '\0' || *digits == '0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long id = std::strtoull(digits, &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return id;
}

std::string timer_path(uint64_t id) {
  return kTimerPathPrefix + std::to_string(id);
}

// polkit's refusal of one of the original's methods, in the original's words first.
Error as_original_refusal(Error error, std::string_view original_text) {
  if (error.code == ErrorCode::kAuthFailed)
    error.message = original::not_authorized(original_text, error.message);
  return error;
}

}  // namespace

Result<RecorderService::RecordHead> RecorderService::read_record_head(sd_bus_message* m) {
  auto who = caller(m);
  if (!who) return who.error();
  RecordHead head{*who};
  if (sd_bus_message_read_basic(m, 'u', &head.user_id) < 0)
    return Error{ErrorCode::kInvalidArguments, "cannot read user_id (u)"};
  auto event_id = read_event_id(m);
  if (!event_id) return event_id.error();
  head.event_id = *event_id;
  return head;
}

RecorderService::RecorderService(sd_bus* bus, Recorder& recorder, net::UploadScheduler& uploads,
                                 Paths paths, std::string default_server_url)
    : bus_(bus),
      recorder_(recorder),
      uploads_(uploads),
      paths_(std::move(paths)),
      default_server_url_(std::move(default_server_url)),
      callers_(bus, [this](const std::string& connection) { connection_left(connection); }),
      polkit_(bus),
      gdbus_compat_(bus, kObjectPath, kTimerPathPrefix) {}

RecorderService::~RecorderService() = default;

Result<void> RecorderService::start() {
  static const sd_bus_vtable server_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Enabled", "b", &RecorderService::property_enabled, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      // Never changes, but not declared const: that would add an annotation to the
      // introspection that the original interface does not have.
      SD_BUS_PROPERTY("TrackingId", "s", &RecorderService::property_tracking_id, 0,
                      SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_METHOD_WITH_NAMES("SetEnabled", "b", SD_BUS_PARAM(enabled), "", ,
                               &RecorderService::method_set_enabled, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES(
          "RecordSingularEvent", "uayxbv",
          SD_BUS_PARAM(user_id) SD_BUS_PARAM(event_id) SD_BUS_PARAM(relative_timestamp)
              SD_BUS_PARAM(has_payload) SD_BUS_PARAM(payload),
          "", , &RecorderService::method_record_singular, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES(
          "RecordAggregateEvent", "uayxxbv",
          SD_BUS_PARAM(user_id) SD_BUS_PARAM(event_id) SD_BUS_PARAM(count)
              SD_BUS_PARAM(relative_timestamp) SD_BUS_PARAM(has_payload) SD_BUS_PARAM(payload),
          "", , &RecorderService::method_record_aggregate, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("RecordEventSequence", "uaya(xbv)",
                               SD_BUS_PARAM(user_id) SD_BUS_PARAM(event_id) SD_BUS_PARAM(events),
                               "", , &RecorderService::method_record_sequence,
                               SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD("UploadEvents", "", "", &RecorderService::method_upload_events,
                    SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD("ResetTrackingId", "", "", &RecorderService::method_reset_tracking_id,
                    SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD_WITH_NAMES("StartAggregateTimer", "uaybv",
                               SD_BUS_PARAM(user_id) SD_BUS_PARAM(event_id)
                                   SD_BUS_PARAM(has_payload) SD_BUS_PARAM(payload),
                               "o", SD_BUS_PARAM(timer_object_path),
                               &RecorderService::method_start_timer, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_VTABLE_END,
  };
  if (auto started = callers_.start(); !started) return started;
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_add_object_vtable(bus_, &slot, kObjectPath, kServerInterface, server_vtable, this);
  if (r < 0)
    return Error{ErrorCode::kBusFailure,
                 std::string("cannot export the recorder: ") + g_strerror(-r)};
  slots_.emplace_back(slot);
  gdbus_compat_.add_interface(kServerInterface, server_vtable);
  if (auto compat = gdbus_compat_.start(); !compat) return compat;

  permissions_watch_ =
      std::make_unique<FileWatch>(paths_.permissions_file, [this] { reload_permissions(); });
  if (!permissions_watch_->active())
    log(LOG_WARNING, "cannot watch " + paths_.permissions_file.string() +
                         "; edits take effect at the next restart");
  auto read = config::read_permissions(paths_.permissions_file, default_server_url_);
  if (!read && read.error().code == ErrorCode::kPermissionsMissing)
    read = config::write_default_permissions(paths_.permissions_file, default_server_url_);
  apply_permissions(reading_of(std::move(read)), ConsentMoment::AtStart);
  return Ok();
}

bool RecorderService::enabled_property() const {
  return consent_.state == ConsentState::Granted;
}

std::string RecorderService::server_url() const {
  if (consent_.state == ConsentState::Invalid) return "";
  auto url = config::resolve_server_url(consent_.permissions);
  return url ? *url : "";
}

std::string RecorderService::environment() const {
  return consent_.state == ConsentState::Invalid ? "" : consent_.permissions.environment;
}

Result<void> RecorderService::check_upload_allowed() const {
  switch (consent_.state) {
    case ConsentState::Invalid:
      return Error{ErrorCode::kMetricsDisabled,
                   original::metrics_disabled("Metrics are off until the permissions file is "
                                              "fixed: " +
                                              consent_.problem)};
    case ConsentState::Declined:
      return Error{ErrorCode::kMetricsDisabled,
                   original::metrics_disabled(
                       "The user declined metrics ('metricsctl consent grant' turns them on).")};
    case ConsentState::Undecided:
      return Error{ErrorCode::kUploadingDisabled,
                   original::uploading_disabled(paths_.permissions_file.string(),
                                                "the user has not agreed to send metrics; "
                                                "'metricsctl consent grant' records that they do")};
    case ConsentState::Granted:
      break;
  }
  return Ok();
}

void RecorderService::permissions_written(config::Permissions written) {
  apply_permissions(reading_of(std::move(written)), ConsentMoment::AtRunTime);
}

void RecorderService::reload_permissions() {
  auto read = config::read_permissions(paths_.permissions_file, default_server_url_);
  if (!read && read.error().code == ErrorCode::kPermissionsMissing) {
    // Deleted at run time: the first-run defaults again (never uploading).
    read = config::write_default_permissions(paths_.permissions_file, default_server_url_);
  }
  apply_permissions(reading_of(std::move(read)), ConsentMoment::AtRunTime);
}

void RecorderService::store_opened() {
  for (ConsentAction action : consent_on_store_opened(consent_.state)) perform(action);
}

RecorderService::ConsentReading RecorderService::reading_of(Result<config::Permissions> read) {
  ConsentReading reading;
  if (read) {
    reading.state = consent_state_of(config::consent_of(read.value()));
    reading.permissions = std::move(read.value());
  } else {
    reading.problem = read.error().message;
  }
  return reading;
}

void RecorderService::apply_permissions(ConsentReading next, ConsentMoment moment) {
  const ConsentState from = consent_.state;
  ConsentContext context;
  context.moment = moment;
  context.upload_running = uploads_.status().state == UploadState::kUploading;
  context.problem_changed = next.problem != consent_.problem;
  consent_ = std::move(next);

  if (consent_.state != ConsentState::Invalid &&
      consent_.permissions.warnings != logged_warnings_) {
    // Unknown keys are ignored, but said once per version of the file, never silently.
    for (const std::string& warning : consent_.permissions.warnings)
      log(LOG_WARNING, warning, kMsgConfigInvalid);
    logged_warnings_ = consent_.permissions.warnings;
  }
  for (ConsentAction action : consent_transition(from, consent_.state, context)) perform(action);
  // What the change did (a deletion above all) survives a power loss at once.
  if (from != consent_.state)
    if (auto synced = recorder_.store().sync_to_disk(); !synced)
      log(LOG_ERR, "after the consent change: " + synced.error().message);
}

void RecorderService::perform(ConsentAction action) {
  switch (action) {
    case ConsentAction::AllowUploads:
      uploads_.set_permission(true, config::resolve_server_url(consent_.permissions),
                              consent_.permissions.environment);
      break;
    case ConsentAction::DenyUploads:
      uploads_.set_permission(false, Error{ErrorCode::kUploadingDisabled, "not granted"},
                              environment());
      break;
    case ConsentAction::DenyUploadsUnusable:
      // The status shows the file's problem as the reason uploads are paused.
      uploads_.set_permission(false, Error{ErrorCode::kConfigurationInvalid, consent_.problem}, "");
      break;
    case ConsentAction::CancelUpload:
      // Done by the denial just before it: withdrawing the grant ends the scheduler's
      // running session at once and fails its waiters (UploadScheduler::set_permission).
      break;
    case ConsentAction::StartRecording:
      recorder_.set_recording(true);
      break;
    case ConsentAction::StopRecording:
      recorder_.set_recording(false);
      break;
    case ConsentAction::DeleteCollected:
      delete_collected();
      break;
    case ConsentAction::FinishInterruptedDelete:
      if (recorder_.store().total_bytes() > 0) delete_collected();
      break;
    case ConsentAction::LogConsentChanged:
      log(LOG_NOTICE, std::string("consent is now ") + consent_state_name(consent_.state),
          kMsgConsentChanged);
      break;
    case ConsentAction::LogFileUnusable:
      log(LOG_ERR,
          "permissions file unusable, not recording or uploading until it is fixed: " +
              consent_.problem,
          kMsgConfigInvalid);
      break;
    case ConsentAction::CheckDestination:
      if (auto url = config::resolve_server_url(consent_.permissions); !url)
        log(LOG_WARNING, "uploads paused: " + url.error().message, kMsgConfigInvalid);
      break;
    case ConsentAction::EmitEnabledChanged:
      sd_bus_emit_properties_changed(bus_, kObjectPath, kServerInterface, "Enabled", nullptr);
      break;
    case ConsentAction::NotifyConsentChanged:
      if (on_consent_changed) on_consent_changed();
      break;
  }
}

void RecorderService::delete_collected() {
  if (auto r = recorder_.purge(); !r)
    log(LOG_ERR, "could not delete the collected metrics: " + r.error().message);
  else
    log(LOG_NOTICE, "metrics declined: all collected data deleted", kMsgPurged);
}

int RecorderService::defer_reply(sd_bus_message* call, MessagePtr reply) {
  if (!reply) return -ENOMEM;
  deferred_.push_back({ref_message(call), std::move(reply)});
  return 1;
}

int RecorderService::defer(sd_bus_message* call, const Result<void>& result) {
  if (!result) {
    if (recorder_.take_queue_full_notice())
      log(LOG_WARNING,
          "the metrics queue is full; new events are refused until it drains: " +
              result.error().message,
          kMsgQueueFull);
    // Refusals are answered at once: nothing of them waits for the commit.
    return reply_error(call, result.error());
  }
  if (!sd_bus_message_get_expect_reply(call)) return 1;
  sd_bus_message* reply = nullptr;
  if (sd_bus_message_new_method_return(call, &reply) < 0) return -ENOMEM;
  return defer_reply(call, MessagePtr(reply));
}

void RecorderService::connection_left(const std::string& connection) {
  const bool had_timers = recorder_.has_timers_of(connection);
  if (auto r = recorder_.connection_closed(connection); !r)
    log(LOG_ERR, "cannot save the timers of " + connection + ": " + r.error().message);
  // Not at the end of the batch: a message the bus delivered after the departure (and so
  // after this signal) is answered only once the timers' time is on disk. Clients that
  // had no timer leave without costing a commit.
  if (had_timers) commit_and_answer();
}

void RecorderService::after_batch() {
  heap_trim_.note(1);
  if (timer_slots_.size() != recorder_.timer_count()) unexport_stopped_timers();
  commit_and_answer();
}

void RecorderService::commit_and_answer() {
  if (deferred_.empty() && !recorder_.store().in_transaction()) return;
  auto committed = recorder_.flush();
  if (!committed) {
    if (on_storage_failure)
      on_storage_failure("cannot commit recorded events", committed.error());
    else
      log(LOG_ERR, "cannot commit recorded events: " + committed.error().message);
  }
  for (auto& d : deferred_) {
    if (committed) {
      sd_bus_send(bus_, d.reply.get(), nullptr);
    } else {
      MessagePtr error = new_error_reply(d.call.get(), committed.error());
      if (error) sd_bus_send(bus_, error.get(), nullptr);
    }
  }
  deferred_.clear();
}

int RecorderService::method_record_singular(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  auto head = self->read_record_head(m);
  if (!head) return reply_error(m, head.error());
  int64_t relative = 0;
  if (sd_bus_message_read_basic(m, 'x', &relative) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read relative_timestamp (x)"});
  auto payload = read_optional_payload(m);
  if (!payload) return reply_error(m, payload.error());
  return self->defer(m, self->recorder_.record_singular(head->caller, head->user_id, head->event_id,
                                                        relative, payload->get()));
}

int RecorderService::method_record_aggregate(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  auto head = self->read_record_head(m);
  if (!head) return reply_error(m, head.error());
  int64_t count = 0, relative = 0;
  if (sd_bus_message_read(m, "xx", &count, &relative) < 0)
    return reply_error(
        m, {ErrorCode::kInvalidArguments, "cannot read count and relative_timestamp (xx)"});
  auto payload = read_optional_payload(m);
  if (!payload) return reply_error(m, payload.error());
  return self->defer(
      m, self->recorder_.record_aggregate(head->caller, head->user_id, head->event_id, count,
                                          relative, payload->get()));
}

int RecorderService::method_record_sequence(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  auto head = self->read_record_head(m);
  if (!head) return reply_error(m, head.error());
  if (sd_bus_message_enter_container(m, 'a', "(xbv)") < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read events (a(xbv))"});
  std::vector<GVariantPtr> payloads;
  std::vector<SequenceElement> events;
  for (;;) {
    const int r = sd_bus_message_enter_container(m, 'r', "xbv");
    if (r < 0) return reply_error(m, {ErrorCode::kInvalidArguments, "malformed sequence element"});
    if (r == 0) break;
    int64_t relative = 0;
    if (sd_bus_message_read_basic(m, 'x', &relative) < 0)
      return reply_error(m,
                         {ErrorCode::kInvalidArguments, "cannot read an element's timestamp (x)"});
    auto payload = read_optional_payload(m);
    if (!payload) return reply_error(m, payload.error());
    if (sd_bus_message_exit_container(m) < 0)
      return reply_error(m, {ErrorCode::kInvalidArguments, "malformed sequence element"});
    events.push_back({relative, payload->get()});
    payloads.push_back(std::move(payload.value()));
  }
  return self->defer(
      m, self->recorder_.record_sequence(head->caller, head->user_id, head->event_id, events));
}

int RecorderService::method_upload_events(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  if (auto allowed = self->check_upload_allowed(); !allowed) return reply_error(m, allowed.error());
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  self->uploads_.upload_now([call](const Result<net::SessionProgress>& done) {
    if (!done)
      reply_error(call.get(), done.error());
    else
      sd_bus_reply_method_return(call.get(), "");
  });
  return 1;
}

int RecorderService::method_reset_tracking_id(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  self->polkit_.check(m, kActionResetTrackingId, [call](const Result<void>& allowed) {
    // Protocol 3 has no tracking id: an authorised reset has nothing to do.
    if (!allowed)
      reply_error(call.get(),
                  as_original_refusal(allowed.error(), original::kResetTrackingIdNotAuthorized));
    else
      sd_bus_reply_method_return(call.get(), "");
  });
  return 1;
}

int RecorderService::method_set_enabled(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  int enabled = 0;
  if (sd_bus_message_read_basic(m, 'b', &enabled) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read enabled (b)"});
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  self->polkit_.check(m, kActionSetEnabled, [self, enabled, call](const Result<void>& allowed) {
    if (!allowed) {
      reply_error(call.get(),
                  as_original_refusal(allowed.error(), original::kSetEnabledNotAuthorized));
      return;
    }
    auto written =
        config::set_consent(self->paths_.permissions_file, enabled != 0, self->default_server_url_);
    if (!written) {
      reply_error(call.get(), written.error());
      return;
    }
    self->permissions_written(written.value());
    sd_bus_reply_method_return(call.get(), "");
  });
  return 1;
}

int RecorderService::method_start_timer(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  auto head = self->read_record_head(m);
  if (!head) return reply_error(m, head.error());
  auto payload = read_optional_payload(m);
  if (!payload) return reply_error(m, payload.error());
  auto id =
      self->recorder_.start_timer(head->caller, head->user_id, head->event_id, payload->get());
  if (!id) return reply_error(m, id.error());
  if (auto exported = self->export_timer(*id); !exported) return reply_error(m, exported.error());
  sd_bus_message* reply = nullptr;
  if (sd_bus_message_new_method_return(m, &reply) < 0) return -ENOMEM;
  MessagePtr owned(reply);
  const std::string path = timer_path(*id);
  if (sd_bus_message_append(reply, "o", path.c_str()) < 0) return -ENOMEM;
  return self->defer_reply(m, std::move(owned));
}

int RecorderService::method_stop_timer(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = self_of(userdata);
  auto who = self->caller(m);
  if (!who) return reply_error(m, who.error());
  // A timer that is gone (stopped earlier in this batch, its object not yet removed)
  // answers as a removed object does, and as the original's did: UnknownMethod.
  auto id = timer_id_of_path(sd_bus_message_get_path(m));
  if (!id) return reply_error(m, {ErrorCode::kUnknownMethod, "no such timer"});
  auto result = self->recorder_.stop_timer(*who, *id);
  if (!result && result.error().code == ErrorCode::kUnknownTimer)
    return reply_error(m, {ErrorCode::kUnknownMethod, result.error().message});
  return self->defer(m, result);
}

int RecorderService::property_enabled(sd_bus*, const char*, const char*, const char*,
                                      sd_bus_message* reply, void* userdata, sd_bus_error*) {
  return sd_bus_message_append(reply, "b", self_of(userdata)->enabled_property() ? 1 : 0);
}

int RecorderService::property_tracking_id(sd_bus*, const char*, const char*, const char*,
                                          sd_bus_message* reply, void*, sd_bus_error*) {
  // Protocol 3 has no machine identifier.
  return sd_bus_message_append(reply, "s", "");
}

Result<void> RecorderService::export_timer(uint64_t id) {
  static const sd_bus_vtable timer_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_METHOD("StopTimer", "", "", &RecorderService::method_stop_timer,
                    SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_VTABLE_END,
  };
  sd_bus_slot* slot = nullptr;
  const int r = sd_bus_add_object_vtable(bus_, &slot, timer_path(id).c_str(), kTimerInterface,
                                         timer_vtable, this);
  if (r < 0) {
    (void)recorder_.stop_timer(Caller{"", 0}, id);
    return Error{ErrorCode::kBusFailure, std::string("cannot export the timer: ") + g_strerror(-r)};
  }
  timer_slots_.emplace(id, SlotPtr(slot));
  return Ok();
}

void RecorderService::unexport_stopped_timers() {
  // Done between batches, never from inside the timer object's own method call.
  std::erase_if(timer_slots_, [this](const auto& e) { return !recorder_.has_timer(e.first); });
}

}  // namespace metrics::bus
