// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's use of the metric registry: whether an event may be stored (enforce or
// permissive, see registry_mode.hpp), how many events were stored although the registry
// does not allow them, and the journal lines about both, rate-limited so that a client
// recording unregistered events in a loop cannot flood the journal.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "glib_handles.hpp"
#include "rate_limiter.hpp"
#include "registry.hpp"
#include "registry_mode.hpp"
#include "result.hpp"
#include "uuid.hpp"

namespace metrics::registry {

struct GateNotice {
  bool stored;  // true: permissive mode stored the event anyway; false: it was refused
  std::string message;
};

class Gate {
 public:
  // At most kNoticeBurst lines at once, then one every kNoticeIntervalSeconds.
  static constexpr double kNoticeBurst = 10;
  static constexpr double kNoticeIntervalSeconds = 6;

  Gate();

  // Until a registry is installed every event passes: the daemon installs one before it
  // serves; unit tests of other concerns need none.
  void install(Registry registry, Mode mode);
  bool installed() const { return registry_.has_value(); }
  const Registry* registry() const { return registry_ ? &*registry_ : nullptr; }
  Mode mode() const { return mode_; }
  // Reads the registry's directory again (see Registry::reload); nothing without a registry.
  std::optional<ReloadReport> reload();

  // What the registry says about an event recorded as `recorded_as` (null payload: none).
  // Enforce: a problem is a refusal (store == false). Permissive: store, and call
  // stored_anyway() once it is stored.
  Verdict decide(const Uuid& id, Kind recorded_as, GVariant* payload) const;

  // For the journal and the counters; `who` says what kind of caller it was ("root",
  // "an unprivileged caller": never a uid, which would outlive the user's opt-out in the
  // journal), `now_ns` is monotonic time.
  void refused(const Error& problem, std::string_view who, int64_t now_ns);
  void stored_anyway(const Error& problem, std::string_view who, int64_t now_ns);

  // Events stored although the registry does not allow them, by error code.
  const std::map<ErrorCode, uint64_t>& stored_anyway_counts() const { return stored_anyway_; }

  // Receives each journal line (set by the daemon).
  std::function<void(const GateNotice&)> on_notice;

 private:
  // Whether the journal budget allows a line now; counts the ones it does not.
  bool take_notice(int64_t now_ns);
  void notice(bool stored, std::string line);

  std::optional<Registry> registry_;
  Mode mode_ = Mode::Enforce;
  std::map<ErrorCode, uint64_t> stored_anyway_;
  RateLimiter notice_limiter_;
  uint64_t suppressed_ = 0;
};

}  // namespace metrics::registry
