// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's logic, free of D-Bus and network: validation, per-uid limits,
// storage of singular events and counts, aggregate timers, period roll-over and the
// consent-driven purge. The bus layer turns D-Bus calls into these calls and commits
// (flush) once per main-loop turn before replying.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "boot_anchor.hpp"
#include "clock.hpp"
#include "glib_handles.hpp"
#include "rate_limiter.hpp"
#include "registry_gate.hpp"
#include "result.hpp"
#include "settings.hpp"
#include "store.hpp"
#include "uuid.hpp"

namespace metrics {

struct Caller {
  std::string connection;  // unique bus name
  uint32_t uid = 0;        // from the bus credentials, never from the arguments
};

struct SequenceElement {
  int64_t relative_ns = 0;
  GVariant* payload = nullptr;  // borrowed; null = no payload
};

struct RecorderOptions {
  uint32_t service_uid = 0;       // may record on behalf of others, like root
  uint64_t max_bytes = 10000000;  // cache-size.conf maximum
  config::RecorderSettings settings;
  std::string os_version;
  std::string boot_id;
};

class Recorder {
 public:
  Recorder(const Clock& clock, Store& store, RecorderOptions options);

  // Anchors this boot's time-line and rolls over periods that ended while we were down.
  Result<void> start();

  // Recording off (declined, or a permissions file we cannot read): Record* calls
  // succeed and keep nothing; timers cannot start.
  void set_recording(bool enabled) { recording_ = enabled; }
  bool recording() const { return recording_; }
  void set_max_bytes(uint64_t max_bytes) { options_.max_bytes = max_bytes; }
  void set_settings(const config::RecorderSettings& settings);

  Result<void> record_singular(const Caller& caller, uint32_t claimed_uid,
                               std::span<const uint8_t> event_id, int64_t relative_ns,
                               GVariant* payload);
  Result<void> record_aggregate(const Caller& caller, uint32_t claimed_uid,
                                std::span<const uint8_t> event_id, int64_t count,
                                int64_t relative_ns, GVariant* payload);
  Result<void> record_sequence(const Caller& caller, uint32_t claimed_uid,
                               std::span<const uint8_t> event_id,
                               const std::vector<SequenceElement>& events);

  Result<uint64_t> start_timer(const Caller& caller, uint32_t claimed_uid,
                               std::span<const uint8_t> event_id, GVariant* payload);
  // Only the connection that started the timer, or root, may stop it.
  Result<void> stop_timer(const Caller& caller, uint64_t timer_id);
  bool has_timer(uint64_t timer_id) const { return timers_.contains(timer_id); }
  std::vector<uint64_t> timer_ids() const;
  size_t timer_count() const { return timers_.size(); }
  bool has_timers_of(const std::string& connection) const {
    return timers_per_connection_.contains(connection);
  }
  // The owner left the bus: its timers stop and their time is counted.
  Result<void> connection_closed(const std::string& connection);
  // Every running timer stops and its time is counted.
  Result<void> stop_all_timers();
  // Clean shutdown: stops the timers, records where the time-line ended, commits.
  Result<void> shutdown();

  // Called at local midnight (and lazily by any call after it): time of running
  // timers is counted for the day and month that ended, then ended periods move to
  // the upload queue.
  Result<void> roll_over_if_due();
  int64_t next_midnight_ns() const { return next_midnight_ns_; }

  // Declined: everything collected is deleted, running timers dropped unsaved.
  Result<void> purge();

  // Commits everything recorded since the last flush (group commit).
  Result<void> flush();

  // Which metrics may be stored (registry_gate.hpp); checked after the event id and
  // before the payload's size and the queue's limits.
  registry::Gate& registry_gate() { return registry_gate_; }
  const registry::Gate& registry_gate() const { return registry_gate_; }

  // Refused events by error code: of everyone, and of one unprivileged caller's uid (kept
  // for the kMaxRefusalUids uids refused most recently).
  const std::map<ErrorCode, uint64_t>& refusals() const { return refusals_; }
  std::map<ErrorCode, uint64_t> refusals_of(uint32_t uid) const;
  static constexpr size_t kMaxRefusalUids = 256;
  size_t refusal_uid_count() const { return refusals_by_uid_.size(); }

  // Listings (Control1.GetQueuedEvents) cost an unprivileged caller tokens of its own
  // bucket: kListingCallCost per call plus one per row. Returns how many rows it may
  // list now (at most `wanted`); RateLimited when it cannot list at all. Root and the
  // service user get `wanted`.
  static constexpr double kListingRowsPerSecond = 5000;
  static constexpr double kListingBurstRows = 20000;
  static constexpr uint64_t kListingCallCost = 100;
  Result<uint64_t> admit_listing(const Caller& caller, uint64_t wanted);
  // How long a refused listing's reply is held back: until the caller's bucket would admit
  // a call again, at most kMaxListingHoldNs. A caller looping on refused calls then waits
  // instead of spinning the bus, which slowed every other caller's events.
  static constexpr int64_t kMaxListingHoldNs = 1'000'000'000;
  int64_t listing_hold_ns(const Caller& caller);
  // Gives back the rows admitted but not listed.
  void listing_done(const Caller& caller, uint64_t admitted, uint64_t listed);

  // What the journal may say about who called: never a uid (a refusal line outlives a
  // user's opt-out), only "root", "the service user" or "an unprivileged caller".
  const char* role_of(const Caller& caller) const;

  // Per-caller bookkeeping, for tests that check it shrinks back when callers leave.
  size_t timer_connection_count() const { return timers_per_connection_.size(); }
  size_t timer_uid_count() const { return timers_per_uid_.size(); }
  size_t unprivileged_timer_count() const { return unprivileged_timers_; }
  size_t rate_limiter_size() const { return rate_limiter_.size() + listing_limiter_.size(); }
  // Bytes queued under unprivileged uids (all of them together).
  int64_t unprivileged_bytes() const;
  // True once at the start of each "queue full" episode (for one journal line each).
  bool take_queue_full_notice() {
    const bool notice = queue_full_ && !queue_full_noticed_;
    if (notice) queue_full_noticed_ = true;
    return notice;
  }
  const BootAnchor& boot_anchor() const { return anchor_; }
  // Root and the service user may record for others and see everyone's queue.
  bool privileged(uint32_t uid) const { return uid == 0 || uid == options_.service_uid; }
  // Now on the persistent time-line events' relative timestamps are stored on.
  int64_t timeline_now() const { return clock_.boottime_ns() + anchor_.offset_ns; }
  const Clock& clock() const { return clock_; }
  Store& store() { return store_; }

 private:
  struct Timer {
    std::string owner;
    uint32_t owner_uid;  // the caller's own uid: its limits apply
    uint32_t uid;        // whose time it is
    Uuid event_id;
    std::vector<uint8_t> payload;
    int64_t start_mono_ns;
  };

  uint32_t effective_uid(const Caller& caller, uint32_t claimed_uid) const;
  // What every record call carries, checked: id, uid to store under, serialised payload.
  struct Incoming {
    Uuid event_id;
    uint32_t uid;
    std::vector<uint8_t> payload;
    bool recording;  // false: recording is off, nothing more was checked
    // What the registry does not allow, to be noted once stored (permissive mode).
    std::optional<Error> registry_problem;
  };
  Result<Incoming> accept(const Caller& caller, uint32_t claimed_uid,
                          std::span<const uint8_t> event_id, registry::Kind recorded_as,
                          GVariant* payload);
  // The registry's verdict: a refusal (counted), or the problem permissive mode stores
  // the event with (nullopt: none).
  Result<std::optional<Error>> check_registry(const Caller& caller, const Uuid& id,
                                              registry::Kind recorded_as, GVariant* payload);
  void note_stored_anyway(const Caller& caller, const std::optional<Error>& problem);
  Result<Uuid> check_event_id(const Caller& caller, std::span<const uint8_t> event_id);
  Result<std::vector<uint8_t>> serialize_payload(const Caller& caller, GVariant* payload);
  Result<void> admit(const Caller& caller, uint32_t uid, double events, int64_t bytes);
  Result<void> add_counts(uint32_t uid, const Uuid& event_id, std::span<const uint8_t> payload,
                          int64_t delta, const LocalPeriods& periods);
  // The timer stops now: its whole seconds are counted, 0 included (a count row of 0
  // for a timer that ran less than a second, as the original stores and uploads).
  Result<void> count_timer(Timer& timer, int64_t now_mono);
  // Counts the timer's whole seconds up to monotonic `up_to_mono` into `periods`; a
  // period the timer did not run in at all gets no row.
  Result<void> count_timer(Timer& timer, int64_t now_mono, int64_t up_to_mono,
                           const LocalPeriods& periods, bool stopping);
  Result<void> roll_over_now();
  int64_t previous_line_end();
  Error refuse(const Caller& caller, Error error);
  // Forgets a timer and what it counted against its connection, uid and the pools.
  std::map<uint64_t, Timer>::iterator erase_timer(std::map<uint64_t, Timer>::iterator it);
  int64_t to_timeline(int64_t client_relative_ns) const;

  const Clock& clock_;
  Store& store_;
  RecorderOptions options_;
  RateLimiter rate_limiter_;
  RateLimiter listing_limiter_;
  registry::Gate registry_gate_;
  BootAnchor anchor_;
  bool recording_ = true;
  uint64_t next_timer_id_ = 1;
  std::map<uint64_t, Timer> timers_;
  std::unordered_map<std::string, uint32_t> timers_per_connection_;
  // Unprivileged owners only: their timers per uid and in all.
  std::unordered_map<uint32_t, uint32_t> timers_per_uid_;
  size_t unprivileged_timers_ = 0;
  int64_t next_midnight_ns_ = 0;
  std::map<ErrorCode, uint64_t> refusals_;
  struct UidRefusals {
    std::map<ErrorCode, uint64_t> counts;
    uint64_t last = 0;  // refusal_serial_ at its latest refusal
  };
  std::unordered_map<uint32_t, UidRefusals> refusals_by_uid_;
  uint64_t refusal_serial_ = 0;
  bool queue_full_ = false;
  bool queue_full_noticed_ = false;
};

}  // namespace metrics
