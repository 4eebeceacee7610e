/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event ids the original library registered, kept for programs that still use them. */
#pragma once

#if !(defined(_EMTR_INSIDE_EOSMETRICS_H) || defined(COMPILING_EOS_METRICS))
#error "Only <eosmetrics/eosmetrics.h> can be included directly."
#endif

#include "emtr-types.h"

G_BEGIN_DECLS

/**
 * emtr_event_id_to_name:
 * @event_id: an event id in canonical UUID form
 * @event_name: (out) (transfer none): where to store the human-readable name, or a short
 *   explanation when there is none
 *
 * Looks up the name of one of the six EMTR_EVENT_* ids below. Logs a critical when
 * @event_id is not a UUID and a warning when it is not one of the six.
 *
 * Returns: %TRUE when @event_id is one of the six ids.
 *
 * Deprecated: 0.4: the list is not maintained; metric definitions live in the registry
 *   of approved metrics.
 */
EMTR_AVAILABLE_IN_0_0
gboolean emtr_event_id_to_name(const gchar* event_id, const gchar** event_name);

#ifndef EMTR_DISABLE_DEPRECATED
/**
 * EMTR_EVENT_USER_IS_LOGGED_IN:
 *
 * Started when a user logs in and stopped when that user logs out.
 *
 * Deprecated: 0.2: the instrumentation daemon defines the current login metric.
 */
#define EMTR_EVENT_USER_IS_LOGGED_IN "ab839fd2-a927-456c-8c18-f1136722666b"
#endif

/**
 * EMTR_EVENT_NETWORK_STATUS_CHANGED:
 *
 * The network state changed; payload `(uu)`: the previous and the new NetworkManager
 * state.
 */
#define EMTR_EVENT_NETWORK_STATUS_CHANGED "5fae6179-e108-4962-83be-c909259c0584"

/**
 * EMTR_EVENT_SHELL_APP_IS_OPEN:
 *
 * A sequence from an application's opening (payload: its name) to its closing.
 */
#define EMTR_EVENT_SHELL_APP_IS_OPEN "b5e11a3d-13f8-4219-84fd-c9ba0bf3d1f0"

/**
 * EMTR_EVENT_SOCIAL_BAR_IS_VISIBLE:
 *
 * A sequence from the social bar being shown to its being hidden.
 */
#define EMTR_EVENT_SOCIAL_BAR_IS_VISIBLE "9c33a734-7ed8-4348-9e39-3c27f4dc2e62"

/**
 * EMTR_EVENT_SHELL_APP_ADDED:
 *
 * An application was added to the desktop's application grid (installed).
 */
#define EMTR_EVENT_SHELL_APP_ADDED "51640a4e-79aa-47ac-b7e2-d3106a06e129"

/**
 * EMTR_EVENT_SHELL_APP_REMOVED:
 *
 * An application was removed from the desktop's application grid (uninstalled).
 */
#define EMTR_EVENT_SHELL_APP_REMOVED "683b40a7-cac0-4f9a-994c-4b274693a0a0"

G_END_DECLS
