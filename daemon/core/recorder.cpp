// SPDX-License-Identifier: GPL-2.0-or-later
#include "recorder.hpp"

#include <algorithm>
#include <limits>

#include "limit_math.hpp"
#include "original_messages.hpp"

namespace metrics {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// What one stored item costs against the queue bound: the bytes it adds to an
// upload body, plus a fixed allowance for framing.
int64_t singular_size(const std::string& os_version, size_t payload_bytes) {
  return 16 + static_cast<int64_t>(os_version.size()) + 1 + 8 +
         static_cast<int64_t>(payload_bytes) + 16;
}
// A count becomes an aggregate event carrying the OS version: charged up front, so the
// roll-over never grows the queue past its bound.
int64_t count_size(const std::string& os_version, const std::string& period, size_t payload_bytes) {
  return 16 + static_cast<int64_t>(os_version.size() + period.size()) + 2 + 4 +
         static_cast<int64_t>(payload_bytes) + 16;
}

bool type_allowed(const GVariantType* type) {
  // D-Bus cannot carry maybe types and metrics have no use for file descriptors.
  const gchar* s = g_variant_type_peek_string(type);
  const gsize n = g_variant_type_get_string_length(type);
  for (gsize i = 0; i < n; ++i)
    if (s[i] == 'm' || s[i] == 'h') return false;
  return true;
}

}  // namespace

Recorder::Recorder(const Clock& clock, Store& store, RecorderOptions options)
    : clock_(clock),
      store_(store),
      options_(std::move(options)),
      rate_limiter_(options_.settings.rate_limit_per_second, options_.settings.rate_limit_burst),
      listing_limiter_(kListingRowsPerSecond, kListingBurstRows) {}

void Recorder::set_settings(const config::RecorderSettings& settings) {
  options_.settings = settings;
  rate_limiter_.set_limits(settings.rate_limit_per_second, settings.rate_limit_burst);
}

Result<void> Recorder::start() {
  std::optional<BootAnchor> previous;
  auto id = store_.get_meta("boot_id");
  auto offset = store_.get_meta("boot_offset_ns");
  auto boot = store_.get_meta("anchor_boot_ns");
  auto wall = store_.get_meta("anchor_wall_ns");
  if (id && offset && boot && wall && id->has_value() && offset->has_value() && boot->has_value() &&
      wall->has_value()) {
    try {
      previous = BootAnchor{**id, std::stoll(**offset), std::stoll(**boot), std::stoll(**wall)};
    } catch (const std::exception&) {
      previous.reset();  // unreadable anchor: start a fresh time-line
    }
  }
  anchor_ = next_boot_anchor(previous, options_.boot_id, clock_.boottime_ns(), clock_.realtime_ns(),
                             previous_line_end());
  if (!previous || previous->boot_id != anchor_.boot_id ||
      previous->offset_ns != anchor_.offset_ns) {
    if (auto r = store_.begin(); !r) return r;
    for (auto [key, value] : {std::pair<const char*, std::string>{"boot_id", anchor_.boot_id},
                              {"boot_offset_ns", std::to_string(anchor_.offset_ns)},
                              {"anchor_boot_ns", std::to_string(anchor_.boot_ns)},
                              {"anchor_wall_ns", std::to_string(anchor_.wall_ns)}}) {
      if (auto r = store_.set_meta(key, value); !r) return r;
    }
  }
  // Without a stored counter (first start, or the store was set aside) start from the
  // wall clock in milliseconds: a path handed out before the loss is never handed out again.
  next_timer_id_ = std::max<uint64_t>(1, static_cast<uint64_t>(clock_.realtime_ns() / 1'000'000));
  auto next_id = store_.get_meta("next_timer_id");
  if (next_id && next_id->has_value()) {
    try {
      next_timer_id_ = std::max<uint64_t>(1, std::stoull(**next_id));
    } catch (const std::exception&) {
      // unreadable: keep the clock-based start
    }
  }
  if (auto r = roll_over_now(); !r) return r;
  return flush();
}

int64_t Recorder::previous_line_end() {
  int64_t end = 0;
  if (auto stop = store_.get_meta("line_at_stop"); stop && stop->has_value()) {
    try {
      end = std::stoll(**stop);
    } catch (const std::exception&) {
      end = 0;  // unreadable: the queue's own timestamps still bound it below
    }
  }
  if (auto queued = store_.max_relative_ns(); queued) end = std::max(end, *queued);
  return end;
}

Result<void> Recorder::shutdown() {
  auto timers = stop_all_timers();
  // Where this boot's time-line ended, so a clock set back before the next boot cannot
  // put new events before these.
  auto line = store_.begin();
  if (line)
    line =
        store_.set_meta("line_at_stop", std::to_string(clock_.boottime_ns() + anchor_.offset_ns));
  auto flushed = flush();
  if (!timers) return timers;
  if (!line) return line;
  return flushed;
}

Error Recorder::refuse(const Caller& caller, Error error) {
  ++refusals_[error.code];
  if (!privileged(caller.uid)) {
    auto it = refusals_by_uid_.find(caller.uid);
    if (it == refusals_by_uid_.end()) {
      if (refusals_by_uid_.size() >= kMaxRefusalUids) {
        // Bounded: the uid refused least recently is forgotten.
        auto oldest = std::min_element(
            refusals_by_uid_.begin(), refusals_by_uid_.end(),
            [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
        refusals_by_uid_.erase(oldest);
      }
      it = refusals_by_uid_.emplace(caller.uid, UidRefusals{}).first;
    }
    ++it->second.counts[error.code];
    it->second.last = ++refusal_serial_;
  }
  return error;
}

std::map<ErrorCode, uint64_t> Recorder::refusals_of(uint32_t uid) const {
  auto it = refusals_by_uid_.find(uid);
  return it == refusals_by_uid_.end() ? std::map<ErrorCode, uint64_t>{} : it->second.counts;
}

const char* Recorder::role_of(const Caller& caller) const {
  if (caller.uid == 0) return "root";
  if (caller.uid == options_.service_uid) return "the service user";
  return "an unprivileged caller";
}

int64_t Recorder::unprivileged_bytes() const {
  int64_t privileged_bytes = store_.bytes_of_uid(0);
  if (options_.service_uid != 0) privileged_bytes += store_.bytes_of_uid(options_.service_uid);
  return std::max<int64_t>(0, store_.total_bytes() - privileged_bytes);
}

Result<uint64_t> Recorder::admit_listing(const Caller& caller, uint64_t wanted) {
  if (privileged(caller.uid)) return wanted;
  const uint64_t granted = listing_limiter_.take_up_to(
      caller.uid, wanted > UINT64_MAX - kListingCallCost ? UINT64_MAX : wanted + kListingCallCost,
      clock_.monotonic_ns());
  if (granted < kListingCallCost) {
    listing_limiter_.give_back(caller.uid, static_cast<double>(granted));
    return refuse(caller, {ErrorCode::kRateLimited,
                           "this user lists the queue faster than the allowed rate; retry later"});
  }
  return granted - kListingCallCost;
}

int64_t Recorder::listing_hold_ns(const Caller& caller) {
  if (privileged(caller.uid)) return 0;
  const int64_t wait = listing_limiter_.wait_ns(caller.uid, static_cast<double>(kListingCallCost),
                                                clock_.monotonic_ns());
  return std::min(wait, kMaxListingHoldNs);
}

void Recorder::listing_done(const Caller& caller, uint64_t admitted, uint64_t listed) {
  if (privileged(caller.uid) || listed >= admitted) return;
  listing_limiter_.give_back(caller.uid, static_cast<double>(admitted - listed));
}

int64_t Recorder::to_timeline(int64_t client_relative_ns) const {
  // A client cannot have stamped an event in the future or before boot.
  const int64_t clamped = std::clamp<int64_t>(client_relative_ns, 0, clock_.boottime_ns());
  return clamped + anchor_.offset_ns;
}

uint32_t Recorder::effective_uid(const Caller& caller, uint32_t claimed_uid) const {
  return privileged(caller.uid) ? claimed_uid : caller.uid;
}

Result<Uuid> Recorder::check_event_id(const Caller& caller, std::span<const uint8_t> event_id) {
  auto id = Uuid::from_bytes(event_id);
  if (!id)
    return refuse(caller,
                  {ErrorCode::kInvalidEventId,
                   original::invalid_event_id("(an event id is exactly 16 bytes, a UUID; got " +
                                              std::to_string(event_id.size()) + ")")});
  return *id;
}

Result<std::vector<uint8_t>> Recorder::serialize_payload(const Caller& caller, GVariant* payload) {
  if (!payload) return std::vector<uint8_t>{};
  if (!type_allowed(g_variant_get_type(payload)))
    return refuse(caller, {ErrorCode::kInvalidPayload,
                           "payload types may not contain maybe types or file descriptors"});
  GVariantPtr boxed = adopt_variant(g_variant_new_variant(payload));
  GVariantPtr normal(g_variant_get_normal_form(boxed.get()));  // transfer full, not floating
  const gsize size = g_variant_get_size(normal.get());
  if (size > options_.settings.max_payload_bytes)
    return refuse(caller, {ErrorCode::kPayloadTooLarge,
                           "payload is " + std::to_string(size) + " bytes; the limit is " +
                               std::to_string(options_.settings.max_payload_bytes)});
  const auto* data = static_cast<const uint8_t*>(g_variant_get_data(normal.get()));
  return std::vector<uint8_t>(data, data + size);
}

Result<std::optional<Error>> Recorder::check_registry(const Caller& caller, const Uuid& id,
                                                      registry::Kind recorded_as,
                                                      GVariant* payload) {
  registry::Verdict verdict = registry_gate_.decide(id, recorded_as, payload);
  if (verdict.store) return std::move(verdict.problem);
  registry_gate_.refused(*verdict.problem, role_of(caller), clock_.monotonic_ns());
  return refuse(caller, std::move(*verdict.problem));
}

void Recorder::note_stored_anyway(const Caller& caller, const std::optional<Error>& problem) {
  if (problem) registry_gate_.stored_anyway(*problem, role_of(caller), clock_.monotonic_ns());
}

// Share and rate limits apply to unprivileged callers; root and the service user
// (recording session time for others) are bound only by the queue's maximum.
Result<Recorder::Incoming> Recorder::accept(const Caller& caller, uint32_t claimed_uid,
                                            std::span<const uint8_t> event_id,
                                            registry::Kind recorded_as, GVariant* payload) {
  auto id = check_event_id(caller, event_id);
  if (!id) return id.error();
  // While recording is off the call succeeds and nothing about it is looked at further.
  if (!recording_) return Incoming{*id, 0, {}, false, std::nullopt};
  auto problem = check_registry(caller, *id, recorded_as, payload);
  if (!problem) return problem.error();
  if (auto r = roll_over_if_due(); !r) return r.error();
  auto bytes = serialize_payload(caller, payload);
  if (!bytes) return bytes.error();
  return Incoming{*id, effective_uid(caller, claimed_uid), std::move(bytes.value()), true,
                  std::move(problem.value())};
}

Result<void> Recorder::admit(const Caller& caller, uint32_t uid, double events, int64_t bytes) {
  // Limits are compared in unsigned 64-bit arithmetic: any maximum up to 2^64-1 works.
  const uint64_t max = options_.max_bytes;
  if (!fits_within(store_.total_bytes(), bytes, max)) {
    queue_full_ = true;
    return refuse(
        caller, {ErrorCode::kQueueFull, "the metrics queue is full (" + std::to_string(max) +
                                            " bytes, cache-size.conf); the event was not stored"});
  }
  // Room again: the next time it fills up is a new episode.
  queue_full_ = queue_full_noticed_ = false;
  if (!privileged(caller.uid)) {
    const uint64_t share = percent_of(max, options_.settings.max_queue_share_percent);
    if (!fits_within(store_.bytes_of_uid(uid), bytes, share))
      return refuse(caller, {ErrorCode::kUserQuotaExceeded, "this user already uses its share (" +
                                                                std::to_string(share) +
                                                                " bytes) of the metrics queue"});
    // What all unprivileged uids may fill together: the rest is kept for root, the
    // service user and the instrumentation.
    const uint64_t pool = percent_of(max, options_.settings.unprivileged_queue_percent);
    if (!fits_within(unprivileged_bytes(), bytes, pool))
      return refuse(caller, {ErrorCode::kQueueFull,
                             "the part of the metrics queue open to unprivileged "
                             "users is full (" +
                                 std::to_string(pool) + " bytes); the event was not stored"});
    if (!rate_limiter_.try_take(uid, events, clock_.monotonic_ns()))
      return refuse(caller, {ErrorCode::kRateLimited,
                             "this user records events faster than the allowed rate; retry later"});
  }
  return Ok();
}

Result<void> Recorder::record_singular(const Caller& caller, uint32_t claimed_uid,
                                       std::span<const uint8_t> event_id, int64_t relative_ns,
                                       GVariant* payload) {
  auto in = accept(caller, claimed_uid, event_id, registry::Kind::Singular, payload);
  if (!in) return in.error();
  if (!in->recording) return Ok();
  const int64_t size = singular_size(options_.os_version, in->payload.size());
  if (auto r = admit(caller, in->uid, 1, size); !r) return r;
  if (auto r = store_.begin(); !r) return r;
  if (auto r = store_.add_singular(in->uid, in->event_id, options_.os_version,
                                   to_timeline(relative_ns), in->payload, size);
      !r)
    return r;
  note_stored_anyway(caller, in->registry_problem);
  return Ok();
}

Result<void> Recorder::record_sequence(const Caller& caller, uint32_t claimed_uid,
                                       std::span<const uint8_t> event_id,
                                       const std::vector<SequenceElement>& events) {
  auto id = check_event_id(caller, event_id);
  if (!id) return id.error();
  if (events.size() > options_.settings.max_sequence_length)
    return refuse(caller, {ErrorCode::kSequenceTooLong,
                           "a sequence may hold at most " +
                               std::to_string(options_.settings.max_sequence_length) +
                               " events, got " + std::to_string(events.size())});
  if (!recording_) return Ok();
  if (auto r = roll_over_if_due(); !r) return r;
  const uint32_t uid = effective_uid(caller, claimed_uid);
  // Validate the whole sequence first: it is stored entirely or not at all.
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<std::optional<Error>> problems;
  payloads.reserve(events.size());
  int64_t total = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    // Each element is an event of its own: its payload is checked like a singular one's.
    const registry::Verdict verdict =
        registry_gate_.decide(*id, registry::Kind::Singular, e.payload);
    if (!verdict.store) {
      Error problem = *verdict.problem;
      problem.message = "element " + std::to_string(i + 1) +
                        " of the sequence: " + problem.message +
                        "; nothing of the sequence was stored";
      registry_gate_.refused(problem, role_of(caller), clock_.monotonic_ns());
      return refuse(caller, std::move(problem));
    }
    problems.push_back(verdict.problem);
    auto bytes = serialize_payload(caller, e.payload);
    if (!bytes) return bytes.error();
    total += singular_size(options_.os_version, bytes->size());
    payloads.push_back(std::move(bytes.value()));
  }
  if (auto r = admit(caller, uid, static_cast<double>(std::max<size_t>(1, events.size())), total);
      !r)
    return r;
  if (auto r = store_.begin(); !r) return r;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t size = singular_size(options_.os_version, payloads[i].size());
    if (auto r = store_.add_singular(uid, *id, options_.os_version,
                                     to_timeline(events[i].relative_ns), payloads[i], size);
        !r)
      return r;
  }
  for (const auto& problem : problems) note_stored_anyway(caller, problem);
  return Ok();
}

Result<void> Recorder::add_counts(uint32_t uid, const Uuid& event_id,
                                  std::span<const uint8_t> payload, int64_t delta,
                                  const LocalPeriods& periods) {
  if (auto r = store_.begin(); !r) return r;
  if (auto r = store_.add_count(uid, event_id, periods.day, payload, delta,
                                count_size(options_.os_version, periods.day, payload.size()));
      !r)
    return r;
  return store_.add_count(uid, event_id.monthly(), periods.month, payload, delta,
                          count_size(options_.os_version, periods.month, payload.size()));
}

Result<void> Recorder::record_aggregate(const Caller& caller, uint32_t claimed_uid,
                                        std::span<const uint8_t> event_id, int64_t count,
                                        int64_t relative_ns, GVariant* payload) {
  auto in = accept(caller, claimed_uid, event_id, registry::Kind::Aggregate, payload);
  if (!in) return in.error();
  if (!in->recording) return Ok();
  if (auto r = admit(caller, in->uid, 1,
                     2 * count_size(options_.os_version, "YYYY-MM-DD", in->payload.size()));
      !r)
    return r;
  // The count belongs to the local date on which the client recorded it.
  const int64_t now_boot = clock_.boottime_ns();
  const int64_t age = now_boot - std::clamp<int64_t>(relative_ns, 0, now_boot);
  const LocalPeriods periods = local_periods(clock_.realtime_ns() - age);
  if (auto r = add_counts(in->uid, in->event_id, in->payload, count, periods); !r) return r;
  note_stored_anyway(caller, in->registry_problem);
  if (periods.day != local_periods(clock_.realtime_ns()).day) return roll_over_now();
  return Ok();
}

Result<uint64_t> Recorder::start_timer(const Caller& caller, uint32_t claimed_uid,
                                       std::span<const uint8_t> event_id, GVariant* payload) {
  auto in = accept(caller, claimed_uid, event_id, registry::Kind::Timer, payload);
  if (!in) return in.error();
  if (!in->recording)
    return Error{ErrorCode::kMetricsDisabled,
                 original::metrics_disabled("Timers cannot start while metrics are declined "
                                            "or the permissions file is unusable.")};
  const auto& limits = options_.settings;
  if (timers_.size() >= limits.max_timers_total)
    return refuse(caller, {ErrorCode::kTooManyTimers, "the recorder already runs " +
                                                          std::to_string(timers_.size()) +
                                                          " timers, its limit"});
  auto per_connection = timers_per_connection_.find(caller.connection);
  if (per_connection != timers_per_connection_.end() &&
      per_connection->second >= limits.max_timers_per_connection)
    return refuse(caller,
                  {ErrorCode::kTooManyTimers,
                   "this connection already runs " + std::to_string(per_connection->second) +
                       " timers (limit " + std::to_string(limits.max_timers_per_connection) +
                       "); stop some first"});
  const bool unprivileged = !privileged(caller.uid);
  if (unprivileged) {
    // Per uid across all its connections, and for all unprivileged uids together: opening
    // more connections gets no more timers, and root, the service user and the
    // instrumentation keep the rest of MaxTimersTotal.
    auto per_uid = timers_per_uid_.find(caller.uid);
    if (per_uid != timers_per_uid_.end() && per_uid->second >= limits.max_timers_per_uid)
      return refuse(
          caller, {ErrorCode::kTooManyTimers,
                   "this user already runs " + std::to_string(per_uid->second) + " timers (limit " +
                       std::to_string(limits.max_timers_per_uid) + "); stop some first"});
    const uint64_t pool = percent_of(limits.max_timers_total, limits.unprivileged_timers_percent);
    if (unprivileged_timers_ >= pool)
      return refuse(caller, {ErrorCode::kTooManyTimers, "unprivileged users already run " +
                                                            std::to_string(unprivileged_timers_) +
                                                            " timers, their part of the limit"});
  }
  // Timer ids are never reused, also across restarts: the next id is persisted.
  const uint64_t timer_id = next_timer_id_++;
  if (auto r = store_.begin(); !r) return r.error();
  if (auto r = store_.set_meta("next_timer_id", std::to_string(next_timer_id_)); !r)
    return r.error();
  ++timers_per_connection_[caller.connection];
  if (unprivileged) {
    ++timers_per_uid_[caller.uid];
    ++unprivileged_timers_;
  }
  note_stored_anyway(caller, in->registry_problem);
  timers_.emplace(timer_id, Timer{caller.connection, caller.uid, in->uid, in->event_id,
                                  std::move(in->payload), clock_.monotonic_ns()});
  return timer_id;
}

std::map<uint64_t, Recorder::Timer>::iterator Recorder::erase_timer(
    std::map<uint64_t, Timer>::iterator it) {
  const Timer& timer = it->second;
  if (auto c = timers_per_connection_.find(timer.owner);
      c != timers_per_connection_.end() && --c->second == 0)
    timers_per_connection_.erase(c);
  if (!privileged(timer.owner_uid)) {
    if (auto u = timers_per_uid_.find(timer.owner_uid);
        u != timers_per_uid_.end() && --u->second == 0)
      timers_per_uid_.erase(u);
    if (unprivileged_timers_ > 0) --unprivileged_timers_;
  }
  return timers_.erase(it);
}

Result<void> Recorder::count_timer(Timer& timer, int64_t now_mono, int64_t up_to_mono,
                                   const LocalPeriods& periods, bool stopping) {
  const int64_t elapsed = std::max<int64_t>(0, up_to_mono - timer.start_mono_ns);
  const int64_t seconds = elapsed / kNsPerSecond;
  // The fraction of a second is carried into the next period rather than lost.
  timer.start_mono_ns = std::min(now_mono, up_to_mono - elapsed % kNsPerSecond);
  if (!recording_ || (elapsed == 0 && !stopping)) return Ok();
  // Timer time obeys the queue bound like any event; what does not fit is refused.
  const Caller owner{timer.owner, timer.owner_uid};
  if (auto r = admit(owner, timer.uid, 0,
                     2 * count_size(options_.os_version, periods.day, timer.payload.size()));
      !r)
    return r;
  return add_counts(timer.uid, timer.event_id, timer.payload, seconds, periods);
}

Result<void> Recorder::count_timer(Timer& timer, int64_t now_mono) {
  return count_timer(timer, now_mono, now_mono, local_periods(clock_.realtime_ns()), true);
}

Result<void> Recorder::stop_timer(const Caller& caller, uint64_t timer_id) {
  auto it = timers_.find(timer_id);
  if (it == timers_.end())
    return Error{ErrorCode::kUnknownTimer, "timer " + std::to_string(timer_id) + " does not exist"};
  if (it->second.owner != caller.connection && caller.uid != 0)
    return refuse(caller, {ErrorCode::kAccessDenied,
                           "only the connection that started this timer may stop it"});
  if (auto r = roll_over_if_due(); !r) return r;
  auto result = count_timer(it->second, clock_.monotonic_ns());
  erase_timer(it);
  return result;
}

std::vector<uint64_t> Recorder::timer_ids() const {
  std::vector<uint64_t> ids;
  ids.reserve(timers_.size());
  for (const auto& [id, timer] : timers_) ids.push_back(id);
  return ids;
}

Result<void> Recorder::connection_closed(const std::string& connection) {
  // The caller's rate-limit buckets go once they filled up again (a full bucket is what
  // a new caller gets, so a reconnecting caller gains nothing).
  rate_limiter_.prune(clock_.monotonic_ns());
  listing_limiter_.prune(clock_.monotonic_ns());
  if (!timers_per_connection_.contains(connection)) return Ok();
  // Counting its timers' time takes nothing from its bucket (no events, cost 0).
  if (auto r = roll_over_if_due(); !r) return r;
  Result<void> result;
  const int64_t now = clock_.monotonic_ns();
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second.owner == connection) {
      if (auto r = count_timer(it->second, now); !r) result = r;
      it = erase_timer(it);
    } else {
      ++it;
    }
  }
  return result;
}

Result<void> Recorder::stop_all_timers() {
  if (auto r = roll_over_if_due(); !r) return r;
  Result<void> result;
  const int64_t now = clock_.monotonic_ns();
  for (auto& [id, timer] : timers_)
    if (auto r = count_timer(timer, now); !r) result = r;
  timers_.clear();
  timers_per_connection_.clear();
  timers_per_uid_.clear();
  unprivileged_timers_ = 0;
  return result;
}

Result<void> Recorder::roll_over_if_due() {
  const int64_t now_wall = clock_.realtime_ns();
  if (now_wall < next_midnight_ns_) return Ok();
  // Running timers: the time before midnight belongs to the day (and month) that ended;
  // a late wake-up (or a suspend across midnight) must not add the time after it.
  if (recording_ && next_midnight_ns_ != 0) {
    const LocalPeriods ended = local_periods(next_midnight_ns_ - 1);
    const int64_t now = clock_.monotonic_ns();
    const int64_t late = now_wall - next_midnight_ns_;
    for (auto& [id, timer] : timers_) {
      const int64_t midnight_mono = std::max(timer.start_mono_ns, now - late);
      if (auto r = count_timer(timer, now, midnight_mono, ended, false); !r) return r;
    }
  }
  return roll_over_now();
}

Result<void> Recorder::roll_over_now() {
  const int64_t now = clock_.realtime_ns();
  next_midnight_ns_ = next_local_midnight_ns(now);
  const LocalPeriods current = local_periods(now);
  if (auto r = store_.begin(); !r) return r;
  auto moved = store_.roll_over(current.day, current.month, options_.os_version);
  if (!moved) return moved.error();
  return Ok();
}

Result<void> Recorder::purge() {
  timers_.clear();
  timers_per_connection_.clear();
  timers_per_uid_.clear();
  unprivileged_timers_ = 0;
  return store_.purge_all();
}

Result<void> Recorder::flush() {
  return store_.commit();
}

}  // namespace metrics
