// SPDX-License-Identifier: GPL-2.0-or-later
// Control1's set-aside batches: what the server refused for good, listed for anyone (no
// event content), their bodies for root and the service user only (a body holds every
// user's events), and put back in the queue on an administrator's request (polkit).
#include <memory>

#include "control_service.hpp"
#include "errors.hpp"

namespace metrics::bus {

namespace {

constexpr const char* kActionRequeueSetAside = "com.endlessm.Metrics.RequeueSetAside";

}  // namespace

int ControlService::method_get_set_aside_batches(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  auto batches = self->recorder_.store().set_aside_batches();
  if (!batches) return reply_error(m, batches.error());
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_return(m, &raw) < 0) return -ENOMEM;
  MessagePtr reply(raw);
  int r = sd_bus_message_open_container(raw, 'a', "(xxsttxb)");
  for (const SetAsideBatch& b : *batches) {
    if (r < 0) break;
    r = sd_bus_message_append(raw, "(xxsttxb)", b.id, b.time_ns / 1'000'000'000, b.reason.c_str(),
                              static_cast<uint64_t>(b.singular_events),
                              static_cast<uint64_t>(b.aggregate_events), b.body_bytes,
                              b.requeueable ? 1 : 0);
  }
  if (r >= 0) r = sd_bus_message_close_container(raw);
  if (r < 0) return reply_error(m, {ErrorCode::kBusFailure, "cannot build the reply"});
  return sd_bus_send(nullptr, raw, nullptr);
}

int ControlService::method_get_set_aside_body(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  int64_t id = 0;
  if (sd_bus_message_read_basic(m, 'x', &id) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read id (x)"});
  auto who = self->service_.caller_of(m);
  if (!who) return reply_error(m, who.error());
  if (!self->recorder_.privileged(who->uid)) {
    return reply_error(m, {ErrorCode::kAccessDenied,
                           "a batch's bytes hold every user's events: only root may read them"});
  }
  auto body = self->recorder_.store().set_aside_body(id);
  if (!body) return reply_error(m, body.error());
  if (!body->has_value()) {
    return reply_error(
        m, {ErrorCode::kNoSuchSetAside, "there is no set-aside batch " + std::to_string(id) +
                                            " ('metricsctl set-aside list' shows them)"});
  }
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_return(m, &raw) < 0) return -ENOMEM;
  MessagePtr reply(raw);
  const std::vector<uint8_t>& bytes = **body;
  if (sd_bus_message_append_array(raw, 'y', bytes.data(), bytes.size()) < 0)
    return reply_error(m, {ErrorCode::kBusFailure, "cannot build the reply"});
  return sd_bus_send(nullptr, raw, nullptr);
}

int ControlService::method_requeue_set_aside(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  int64_t id = 0;
  if (sd_bus_message_read_basic(m, 'x', &id) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read id (x)"});
  if (id < 0)
    return reply_error(
        m, {ErrorCode::kInvalidArguments, "a set-aside batch id (or 0: all) is expected"});
  std::shared_ptr<sd_bus_message> call(sd_bus_message_ref(m), sd_bus_message_unref);
  self->polkit_.check(m, kActionRequeueSetAside, [self, call, id](const Result<void>& allowed) {
    if (!allowed) {
      reply_error(call.get(), allowed.error());
      return;
    }
    auto moved = self->recorder_.store().requeue_set_aside(id);
    if (!moved) {
      reply_error(call.get(), moved.error());
      return;
    }
    sd_bus_reply_method_return(call.get(), "t", static_cast<uint64_t>(*moved));
  });
  return 1;
}

int ControlService::property_set_aside_events(sd_bus*, const char*, const char*, const char*,
                                              sd_bus_message* reply, void* userdata,
                                              sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  auto events = self->recorder_.store().set_aside_event_count();
  return sd_bus_message_append(reply, "t", static_cast<uint64_t>(events ? *events : 0));
}

}  // namespace metrics::bus
