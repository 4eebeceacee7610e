// SPDX-License-Identifier: LGPL-2.1-or-later
// emtr_event_id_to_name: names of the six event ids the original library registered.
#include <eosmetrics/eosmetrics.h>

#include <array>

#include "event_id.hpp"

namespace {

struct KnownEvent {
  const char* id;
  const char* name;
};

constexpr std::array<KnownEvent, 6> kKnownEvents{{
    {EMTR_EVENT_USER_IS_LOGGED_IN, "User is logged in"},
    {EMTR_EVENT_NETWORK_STATUS_CHANGED, "Network status changed"},
    {EMTR_EVENT_SHELL_APP_IS_OPEN, "Shell app is open"},
    {EMTR_EVENT_SOCIAL_BAR_IS_VISIBLE, "Social bar is visible"},
    {EMTR_EVENT_SHELL_APP_ADDED, "Shell app added"},
    {EMTR_EVENT_SHELL_APP_REMOVED, "Shell app removed"},
}};

}  // namespace

extern "C" gboolean emtr_event_id_to_name(const gchar* event_id, const gchar** event_name) {
  g_return_val_if_fail(event_id != nullptr, FALSE);
  g_return_val_if_fail(event_name != nullptr, FALSE);
  if (!emtr::parse_event_id(event_id)) {
    // The original's words (callers' tests expect them).
    g_critical(
        "Invalid event ID given: %s! This was not a valid UUID, and was probably generated in "
        "error.",
        event_id);
    *event_name = "(invalid event)";
    return FALSE;
  }
  for (const auto& known : kKnownEvents) {
    if (g_ascii_strcasecmp(known.id, event_id) == 0) {
      *event_name = known.name;
      return TRUE;
    }
  }
  g_warning("Unknown ID Given: %s. The translation function %s may need to be updated.", event_id,
            "emtr_event_id_to_name");
  *event_name = "(unknown event)";
  return FALSE;
}
