// SPDX-License-Identifier: LGPL-2.1-or-later
// EmtrEventRecorder: the public recording API. Validates and timestamps in the caller's
// thread, then hands the call to the transport (never waits, except in the _sync
// variants, which wait a bounded time).
#include <eosmetrics/eosmetrics.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "aggregate_timer_private.hpp"
#include "clock.hpp"
#include "event_id.hpp"
#include "glib_handles.hpp"
#include "kill_switch.hpp"
#include "payload.hpp"
#include "sequences.hpp"
#include "timer_state.hpp"
#include "transport.hpp"

struct EmtrEventRecorderPrivate {
  bool enabled = false;
  emtr::SequenceTable sequences;
};

G_DEFINE_TYPE_WITH_PRIVATE(EmtrEventRecorder, emtr_event_recorder, G_TYPE_OBJECT)

namespace {

enum class Delivery { kAsync, kSync };

EmtrEventRecorderPrivate* members_of(EmtrEventRecorder* self) {
  return static_cast<EmtrEventRecorderPrivate*>(emtr_event_recorder_get_instance_private(self));
}

void emtr_event_recorder_finalize(GObject* object) {
  std::destroy_at(members_of(EMTR_EVENT_RECORDER(object)));
  G_OBJECT_CLASS(emtr_event_recorder_parent_class)->finalize(object);
}

// What every record call checks before anything is kept or sent.
struct Checked {
  emtr::EventId id;
  emtr::Payload payload;
};

std::optional<Checked> check(EmtrEventRecorder* self, const char* event_id, GVariant* payload) {
  // In the original's order, which decides the message a caller sees: a maybe payload is
  // refused even while metrics are disabled; a bad id is reported only when enabled.
  emtr::Payload prepared = emtr::prepare_payload(payload);
  if (prepared.refused) return std::nullopt;
  if (!members_of(self)->enabled) return std::nullopt;
  auto id = emtr::parse_event_id_or_warn(event_id);
  if (!id) return std::nullopt;
  return Checked{*id, std::move(prepared)};
}

std::optional<gint64> now_or_critical() {
  auto now = emtr::boottime_ns();
  if (!now) g_critical("Getting relative timestamp failed.");
  return now;
}

void deliver(emtr::OutgoingCall call, Delivery delivery) {
  auto& transport = emtr::Transport::get();
  if (delivery == Delivery::kSync) {
    transport.submit_and_wait(std::move(call));
  } else {
    transport.submit(std::move(call));
  }
}

void deliver(const char* method, GVariant* parameters, Delivery delivery) {
  emtr::OutgoingCall call;
  call.method = method;
  call.parameters = metrics::adopt_variant(parameters);
  deliver(std::move(call), delivery);
}

void deliver_event(emtr::EventArgs args, Delivery delivery) {
  emtr::OutgoingCall call;
  call.method = args.aggregate ? "RecordAggregateEvent" : "RecordSingularEvent";
  call.event = std::move(args);
  deliver(std::move(call), delivery);
}

void record_singular(EmtrEventRecorder* self, const gchar* event_id, GVariant* payload_arg,
                     Delivery delivery) {
  // The time of the event is the time of the call: read it first.
  const auto now = now_or_critical();
  // Like GLib's own APIs, a floating payload is consumed on every path.
  const auto payload = metrics::adopt_variant(payload_arg);
  g_return_if_fail(EMTR_IS_EVENT_RECORDER(self));
  g_return_if_fail(event_id != nullptr);
  if (!now) return;
  auto checked = check(self, event_id, payload.get());
  if (!checked) return;
  deliver_event(
      emtr::EventArgs{false, getuid(), checked->id, 0, *now, std::move(checked->payload.value)},
      delivery);
}

void record_aggregate(EmtrEventRecorder* self, const gchar* event_id, gint64 num_events,
                      GVariant* payload_arg, Delivery delivery) {
  const auto now = now_or_critical();
  const auto payload = metrics::adopt_variant(payload_arg);
  g_return_if_fail(EMTR_IS_EVENT_RECORDER(self));
  g_return_if_fail(event_id != nullptr);
  if (!now) return;
  auto checked = check(self, event_id, payload.get());
  if (!checked) return;
  deliver_event(emtr::EventArgs{true, getuid(), checked->id, num_events, *now,
                                std::move(checked->payload.value)},
                delivery);
}

metrics::GVariantPtr normal_key(GVariant* key) {
  return metrics::GVariantPtr(key != nullptr ? g_variant_get_normal_form(key) : nullptr);
}

metrics::GCharPtr describe_key(GVariant* key) {
  return metrics::GCharPtr(key != nullptr ? g_variant_print(key, TRUE) : g_strdup("(none)"));
}

enum class Step { kStart, kProgress, kStop };

// A start of an open sequence, or a progress or stop of none, in the original's words
// (callers' tests expect them): the id as given, the key printed with its type.
void warn_ignored(Step step, const char* event_id, GVariant* key) {
  const metrics::GCharPtr printed = describe_key(key);
  switch (step) {
    case Step::kStart:
      if (key)
        g_warning(
            "Ignoring request to start event of type %s with key %s because there is already "
            "an unstopped start event with this type and key.",
            event_id, printed.get());
      else
        g_warning(
            "Ignoring request to start event of type %s with NULL key because there is "
            "already an unstopped start event with this type and key.",
            event_id);
      return;
    case Step::kProgress:
      if (key)
        g_warning(
            "Ignoring request to record progress for event of type %s with key %s because "
            "there is no corresponding unstopped start event.",
            event_id, printed.get());
      else
        g_warning(
            "Ignoring request to record progress for event of type %s with NULL key because "
            "there is no corresponding unstopped start event.",
            event_id);
      return;
    case Step::kStop:
      if (key)
        g_warning(
            "Ignoring request to stop event of type %s with key %s because there is no "
            "corresponding unstopped start event.",
            event_id, printed.get());
      else
        g_warning(
            "Ignoring request to stop event of type %s with NULL key because there is no "
            "corresponding unstopped start event.",
            event_id);
      return;
  }
}

void record_step(EmtrEventRecorder* self, Step step, const gchar* event_id, GVariant* key_arg,
                 GVariant* payload_arg, Delivery delivery) {
  const auto key = metrics::adopt_variant(key_arg);
  const auto payload = metrics::adopt_variant(payload_arg);
  g_return_if_fail(EMTR_IS_EVENT_RECORDER(self));
  g_return_if_fail(event_id != nullptr);
  auto checked = check(self, event_id, payload.get());
  if (!checked) return;
  const auto normal = normal_key(key.get());
  auto& table = members_of(self)->sequences;
  using Outcome = emtr::SequenceTable::Outcome;
  Outcome outcome = Outcome::kOk;
  std::vector<emtr::SequenceStep> steps;
  switch (step) {
    case Step::kStart:
      outcome = table.start(checked->id, normal.get(), std::move(checked->payload));
      break;
    case Step::kProgress:
      outcome = table.progress(checked->id, normal.get(), std::move(checked->payload));
      break;
    case Step::kStop:
      outcome = table.stop(checked->id, normal.get(), std::move(checked->payload), steps);
      break;
  }
  switch (outcome) {
    case Outcome::kOk:
      break;
    case Outcome::kNoClock:
      g_critical("Getting relative timestamp failed.");
      return;
    case Outcome::kAlreadyOpen:
    case Outcome::kNotOpen:
      warn_ignored(step, event_id, normal.get());
      return;
  }
  if (step != Step::kStop) return;
  deliver("RecordEventSequence",
          g_variant_new("(u@ay@a(xbv))", getuid(), emtr::event_id_variant(checked->id),
                        emtr::sequence_variant(steps)),
          delivery);
}

EmtrAggregateTimer* start_timer(EmtrEventRecorder* self, uid_t uid, const gchar* event_id,
                                GVariant* payload_arg) {
  const auto payload = metrics::adopt_variant(payload_arg);
  g_return_val_if_fail(EMTR_IS_EVENT_RECORDER(self), nullptr);
  g_return_val_if_fail(event_id != nullptr, nullptr);
  if (!members_of(self)->enabled) return emtr::new_aggregate_timer(nullptr);
  auto checked = check(self, event_id, payload.get());
  if (!checked) return nullptr;
  return emtr::new_aggregate_timer(emtr::TimerState::start(
      g_variant_new("(u@aybv)", static_cast<guint32>(uid), emtr::event_id_variant(checked->id),
                    checked->payload.present(), checked->payload.slot())));
}

}  // namespace

static void emtr_event_recorder_class_init(EmtrEventRecorderClass* klass) {
  G_OBJECT_CLASS(klass)->finalize = emtr_event_recorder_finalize;
}

static void emtr_event_recorder_init(EmtrEventRecorder* self) {
  auto* members = std::construct_at(members_of(self));
  members->enabled = !emtr::disabled_by_environment();
  // Start connecting now (in the background) so that the first event finds the bus ready.
  if (members->enabled) emtr::Transport::get();
}

extern "C" {

EmtrEventRecorder* emtr_event_recorder_new(void) {
  return EMTR_EVENT_RECORDER(g_object_new(EMTR_TYPE_EVENT_RECORDER, nullptr));
}

EmtrEventRecorder* emtr_event_recorder_get_default(void) {
  // Owned by the library for the life of the process.
  static EmtrEventRecorder* const instance = emtr_event_recorder_new();
  return instance;
}

void emtr_event_recorder_record_event(EmtrEventRecorder* self, const gchar* event_id,
                                      GVariant* auxiliary_payload) {
  record_singular(self, event_id, auxiliary_payload, Delivery::kAsync);
}

void emtr_event_recorder_record_event_sync(EmtrEventRecorder* self, const gchar* event_id,
                                           GVariant* auxiliary_payload) {
  record_singular(self, event_id, auxiliary_payload, Delivery::kSync);
}

void emtr_event_recorder_record_events(EmtrEventRecorder* self, const gchar* event_id,
                                       gint64 num_events, GVariant* auxiliary_payload) {
  record_aggregate(self, event_id, num_events, auxiliary_payload, Delivery::kAsync);
}

void emtr_event_recorder_record_events_sync(EmtrEventRecorder* self, const gchar* event_id,
                                            gint64 num_events, GVariant* auxiliary_payload) {
  record_aggregate(self, event_id, num_events, auxiliary_payload, Delivery::kSync);
}

void emtr_event_recorder_record_start(EmtrEventRecorder* self, const gchar* event_id, GVariant* key,
                                      GVariant* auxiliary_payload) {
  record_step(self, Step::kStart, event_id, key, auxiliary_payload, Delivery::kAsync);
}

void emtr_event_recorder_record_progress(EmtrEventRecorder* self, const gchar* event_id,
                                         GVariant* key, GVariant* auxiliary_payload) {
  record_step(self, Step::kProgress, event_id, key, auxiliary_payload, Delivery::kAsync);
}

void emtr_event_recorder_record_stop(EmtrEventRecorder* self, const gchar* event_id, GVariant* key,
                                     GVariant* auxiliary_payload) {
  record_step(self, Step::kStop, event_id, key, auxiliary_payload, Delivery::kAsync);
}

void emtr_event_recorder_record_stop_sync(EmtrEventRecorder* self, const gchar* event_id,
                                          GVariant* key, GVariant* auxiliary_payload) {
  record_step(self, Step::kStop, event_id, key, auxiliary_payload, Delivery::kSync);
}

EmtrAggregateTimer* emtr_event_recorder_start_aggregate_timer(EmtrEventRecorder* self,
                                                              const gchar* event_id,
                                                              GVariant* auxiliary_payload) {
  return start_timer(self, getuid(), event_id, auxiliary_payload);
}

EmtrAggregateTimer* emtr_event_recorder_start_aggregate_timer_with_uid(
    EmtrEventRecorder* self, uid_t uid, const gchar* event_id, GVariant* auxiliary_payload) {
  return start_timer(self, uid, event_id, auxiliary_payload);
}

EmtrAggregateTimer* emtr_aggregate_timer_new(gpointer dbus_proxy, GVariant* event_id,
                                             GVariant* aggregate_key, gboolean has_payload,
                                             GVariant* auxiliary_payload) {
  // Floating arguments are consumed, as the original's D-Bus call consumed them.
  const auto id = metrics::adopt_variant(event_id);
  const auto key = metrics::adopt_variant(aggregate_key);
  const auto payload = metrics::adopt_variant(auxiliary_payload);
  (void)dbus_proxy;  // the library's own connection carries the call
  g_return_val_if_fail(id != nullptr, nullptr);
  g_return_val_if_fail(g_variant_is_of_type(id.get(), G_VARIANT_TYPE_BYTESTRING), nullptr);
  gsize size = 0;
  const auto* bytes = static_cast<const guint8*>(g_variant_get_fixed_array(id.get(), &size, 1));
  g_return_val_if_fail(size == emtr::EventId().size(), nullptr);
  const metrics::GCharPtr text(g_strdup_printf(
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1],
      bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
      bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]));
  return start_timer(emtr_event_recorder_get_default(), getuid(), text.get(),
                     has_payload ? payload.get() : nullptr);
}

}  // extern "C"
