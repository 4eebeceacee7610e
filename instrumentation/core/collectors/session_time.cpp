// SPDX-License-Identifier: GPL-2.0-or-later
#include "collectors/session_time.hpp"

namespace metrics::instrumentation {

bool is_human_uid(uint32_t uid) {
  return uid >= kFirstHumanUid && uid <= kLastHumanUid;
}

std::vector<SessionAction> SessionTracker::user_new(uint32_t uid) {
  if (!is_human_uid(uid) || !timed_.insert(uid).second) return {};
  return {{SessionAction::Kind::Start, uid}};
}

std::vector<SessionAction> SessionTracker::user_removed(uint32_t uid) {
  if (timed_.erase(uid) == 0) return {};
  return {{SessionAction::Kind::Stop, uid}};
}

std::vector<SessionAction> SessionTracker::reconcile(const std::vector<uint32_t>& listed_uids) {
  const std::set<uint32_t> listed(listed_uids.begin(), listed_uids.end());
  std::vector<SessionAction> actions;
  for (auto it = timed_.begin(); it != timed_.end();) {
    if (listed.count(*it)) {
      ++it;
      continue;
    }
    actions.push_back({SessionAction::Kind::Stop, *it});
    it = timed_.erase(it);
  }
  for (uint32_t uid : listed)
    for (auto& action : user_new(uid)) actions.push_back(action);
  return actions;
}

std::vector<SessionAction> SessionTracker::stop_all() {
  std::vector<SessionAction> actions;
  for (uint32_t uid : timed_) actions.push_back({SessionAction::Kind::Stop, uid});
  timed_.clear();
  return actions;
}

}  // namespace metrics::instrumentation
