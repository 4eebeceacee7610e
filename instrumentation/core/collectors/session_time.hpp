// SPDX-License-Identifier: GPL-2.0-or-later
// Daily session time (5dc0b53c-…, timer, no payload): one timer per human user while
// logind lists them. Pure bookkeeping: the daemon feeds it login1's ListUsers result
// and UserNew/UserRemoved signals and turns the returned actions into libmetrics
// aggregate-timer starts and stops.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

namespace metrics::instrumentation {

// Human users: 1000 ≤ uid ≤ 60000 (login.defs' UID_MIN..UID_MAX). Above are nobody
// (65534), systemd's dynamic service users (61184–65519) and container ranges.
inline constexpr uint32_t kFirstHumanUid = 1000;
inline constexpr uint32_t kLastHumanUid = 60000;
bool is_human_uid(uint32_t uid);

struct SessionAction {
  enum class Kind { Start, Stop };
  Kind kind;
  uint32_t uid;
  bool operator==(const SessionAction&) const = default;
};

class SessionTracker {
 public:
  // UserNew: a Start unless the user is a system user or already timed.
  std::vector<SessionAction> user_new(uint32_t uid);
  // UserRemoved: a Stop if the user was timed.
  std::vector<SessionAction> user_removed(uint32_t uid);
  // ListUsers at start (or after logind restarted): Stops for users no longer listed,
  // then Starts for new ones, each in uid order.
  std::vector<SessionAction> reconcile(const std::vector<uint32_t>& listed_uids);
  // Daemon shutdown: a Stop for every running timer, so no time is lost.
  std::vector<SessionAction> stop_all();

  const std::set<uint32_t>& timed_users() const { return timed_; }

 private:
  std::set<uint32_t> timed_;
};

}  // namespace metrics::instrumentation
