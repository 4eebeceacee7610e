// SPDX-License-Identifier: GPL-2.0-or-later
// Control1's listings: what waits in the queue (a caller sees its own events; root and
// the service user see all) and the upload ledger (root and the service user only: an
// entry's counts and times follow every user's activity, and a body holds every user's
// events). Listing costs the main loop, so an unprivileged caller's listings are
// rate-limited (Recorder::admit_listing; a refusal is answered only once the caller could
// list again, HeldRefusals) and every listing is capped in rows and bytes.
#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "control_service.hpp"
#include "errors.hpp"
#include "upload_log_codec.hpp"
#include "variant_writer.hpp"

namespace metrics::bus {

namespace {

// A listing never grows past this, whatever the caller asks for.
constexpr int64_t kMaxListed = 100000;
// Nor past this many bytes of text (the bus refuses much larger messages anyway).
constexpr size_t kMaxListedBytes = size_t{8} * 1024 * 1024;

// The stored payload (the serialised `v` boxing it; empty = none) in GVariant text form.
std::string payload_text(const std::vector<uint8_t>& stored) {
  if (stored.empty()) return "";
  GBytesPtr bytes(g_bytes_new(stored.data(), stored.size()));
  GVariantPtr boxed =
      adopt_variant(g_variant_new_from_bytes(G_VARIANT_TYPE_VARIANT, bytes.get(), FALSE));
  GVariantPtr value(g_variant_get_variant(boxed.get()));
  GCharPtr text(g_variant_print(value.get(), TRUE));
  return text.get();
}

struct Listed {
  std::string kind;
  std::string event_id;
  uint32_t uid = 0;
  int64_t time = 0;
  std::string period;
  int64_t count = 0;
  std::string payload;

  size_t text_bytes() const {
    return kind.size() + event_id.size() + period.size() + payload.size();
  }
};

}  // namespace

int ControlService::method_get_queued_events(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  uint32_t max_events = 0;
  if (sd_bus_message_read_basic(m, 'u', &max_events) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read max_events (u)"});
  auto who = self->service_.caller_of(m);
  if (!who) return reply_error(m, who.error());
  const std::optional<uint32_t> uid =
      self->recorder_.privileged(who->uid) ? std::nullopt : std::optional<uint32_t>(who->uid);
  auto admitted = self->recorder_.admit_listing(
      *who, static_cast<uint64_t>(std::min<int64_t>(max_events, kMaxListed)));
  if (!admitted)
    return self->held_refusals_.refuse(m, who->uid, admitted.error(),
                                       self->recorder_.listing_hold_ns(*who));
  const auto limit = static_cast<int64_t>(*admitted);

  Store& store = self->recorder_.store();
  std::vector<Listed> listed;
  size_t listed_bytes = 0;
  // Rows past the byte cap are left out (the caller sees fewer than it asked for).
  auto keep = [&](Listed e) {
    if (listed_bytes >= kMaxListedBytes) return false;
    listed_bytes += e.text_bytes();
    listed.push_back(std::move(e));
    return true;
  };
  // A singular event's wall time: its place on the time-line, seen from now.
  const int64_t origin = self->recorder_.clock().realtime_ns() - self->recorder_.timeline_now();
  auto singulars = store.singulars(uid, limit);
  if (!singulars) return reply_error(m, singulars.error());
  for (const auto& e : *singulars) {
    if (!keep({"singular", e.event_id.to_string(), e.uid, (e.relative_ns + origin) / 1'000'000'000,
               "", 0, payload_text(e.payload)}))
      break;
  }
  singulars->clear();
  if (listed_bytes < kMaxListedBytes) {
    auto aggregates = store.aggregates(uid, limit - static_cast<int64_t>(listed.size()));
    if (!aggregates) return reply_error(m, aggregates.error());
    for (const auto& e : *aggregates) {
      if (!keep({"aggregate", e.event_id.to_string(), e.uid, 0, e.period, e.count,
                 payload_text(e.payload)}))
        break;
    }
  }
  if (listed_bytes < kMaxListedBytes) {
    auto counts = store.counts(uid, limit - static_cast<int64_t>(listed.size()));
    if (!counts) return reply_error(m, counts.error());
    for (const auto& e : *counts) {
      if (!keep({"count", e.event_id.to_string(), e.uid, 0, e.period, e.count,
                 payload_text(e.payload)}))
        break;
    }
  }
  self->recorder_.listing_done(*who, *admitted, listed.size());
  self->service_.note_heap_use(listed.size() / 100);

  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_return(m, &raw) < 0) return -ENOMEM;
  MessagePtr reply(raw);
  int r = sd_bus_message_open_container(raw, 'a', "(ssuxsxs)");
  for (const Listed& e : listed) {
    if (r < 0) break;
    r = sd_bus_message_append(raw, "(ssuxsxs)", e.kind.c_str(), e.event_id.c_str(), e.uid, e.time,
                              e.period.c_str(), e.count, e.payload.c_str());
  }
  if (r >= 0) r = sd_bus_message_close_container(raw);
  if (r < 0) return reply_error(m, {ErrorCode::kBusFailure, "cannot build the reply"});
  return sd_bus_send(nullptr, raw, nullptr);
}

int ControlService::method_get_upload_log(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  uint32_t max_entries = 0;
  if (sd_bus_message_read_basic(m, 'u', &max_entries) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read max_entries (u)"});
  auto who = self->service_.caller_of(m);
  if (!who) return reply_error(m, who.error());
  // Each entry's time and event counts follow what every user of the machine recorded:
  // an unprivileged user could watch another's activity through them.
  if (!self->recorder_.privileged(who->uid)) {
    return reply_error(m, {ErrorCode::kAccessDenied,
                           "the upload log follows every user's activity: only root and the "
                           "metrics service user may read it"});
  }
  auto entries = self->ledger_.recent(std::min<uint32_t>(max_entries, kMaxListed));
  if (!entries) return reply_error(m, entries.error());
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_return(m, &raw) < 0) return -ENOMEM;
  MessagePtr reply(raw);
  const GVariantPtr log = encode_upload_log(*entries);
  if (auto written = append_variant_value(raw, log.get()); !written)
    return reply_error(m, written.error());
  return sd_bus_send(nullptr, raw, nullptr);
}

int ControlService::method_get_upload_body(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  int64_t id = 0;
  if (sd_bus_message_read_basic(m, 'x', &id) < 0)
    return reply_error(m, {ErrorCode::kInvalidArguments, "cannot read id (x)"});
  auto who = self->service_.caller_of(m);
  if (!who) return reply_error(m, who.error());
  if (!self->recorder_.privileged(who->uid)) {
    return reply_error(m, {ErrorCode::kAccessDenied,
                           "an upload's bytes hold every user's events: only root may read them"});
  }
  auto body = self->ledger_.body(id);
  if (!body) return reply_error(m, body.error());
  if (!body->has_value()) {
    return reply_error(
        m, {ErrorCode::kNoSuchUpload, "the ledger keeps no body for entry " + std::to_string(id) +
                                          " (only the last uploads' bodies are kept)"});
  }
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_return(m, &raw) < 0) return -ENOMEM;
  MessagePtr reply(raw);
  const std::vector<uint8_t>& bytes = **body;
  if (sd_bus_message_append_array(raw, 'y', bytes.data(), bytes.size()) < 0)
    return reply_error(m, {ErrorCode::kBusFailure, "cannot build the reply"});
  return sd_bus_send(nullptr, raw, nullptr);
}

int ControlService::property_refused(sd_bus* bus, const char*, const char*, const char*,
                                     sd_bus_message* reply, void* userdata, sd_bus_error*) {
  auto* self = static_cast<ControlService*>(userdata);
  // Root and the service user see every refusal; anyone else only its own uid's.
  auto who = self->caller_of_property(bus);
  if (!who) return who.error().code == ErrorCode::kAccessDenied ? -EACCES : -EIO;
  const std::map<ErrorCode, uint64_t> refusals = self->recorder_.privileged(who->uid)
                                                     ? self->recorder_.refusals()
                                                     : self->recorder_.refusals_of(who->uid);
  // In the order of the codes' names, as the recorder has always listed them.
  std::vector<std::pair<std::string_view, ErrorCode>> by_name;
  by_name.reserve(refusals.size());
  for (const auto& [code, count] : refusals) by_name.emplace_back(error_code_name(code), code);
  std::sort(by_name.begin(), by_name.end());
  int r = sd_bus_message_open_container(reply, 'a', "{st}");
  for (const auto& [name, code] : by_name) {
    if (r < 0) break;
    r = sd_bus_message_append(reply, "{st}", error_name(code).c_str(), refusals.at(code));
  }
  if (r < 0) return r;
  return sd_bus_message_close_container(reply);
}

}  // namespace metrics::bus
