// SPDX-License-Identifier: GPL-2.0-or-later
// What a change of the permissions file means, as one table: from the consent state
// before and after the change, and when it happens, to the ordered actions the recorder
// carries out. Pure, so the whole table is tested; the bus layer reads the file and
// performs the actions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "settings.hpp"

namespace metrics {

// Invalid: the file cannot be read or parsed, so the user's decision is unknown.
enum class ConsentState { Undecided, Granted, Declined, Invalid };

ConsentState consent_state_of(config::Consent consent);
// "undecided", "granted", "declined", "invalid" (Control1's ConsentState, the journal).
const char* consent_state_name(ConsentState state);
std::optional<ConsentState> consent_state_from_name(std::string_view name);

enum class ConsentMoment {
  AtStart,    // the first reading: the state before it is not known
  AtRunTime,  // an edit, a deletion or a write of the file while running
};

struct ConsentContext {
  ConsentMoment moment = ConsentMoment::AtRunTime;
  bool upload_running = false;
  // Invalid to Invalid: the file's problem differs from the one already logged.
  bool problem_changed = false;
};

// In the order they are performed: uploading is settled first, so that a withdrawn grant
// ends a running upload before anything is deleted.
enum class ConsentAction {
  AllowUploads,         // granted: uploads to the file's destination
  DenyUploads,          // undecided or declined: no upload session, no connection
  DenyUploadsUnusable,  // invalid: as DenyUploads, paused with the file's problem
  CancelUpload,         // the running upload ends; nothing more is sent or acknowledged
  StartRecording,
  StopRecording,
  DeleteCollected,          // entering declined: everything collected is deleted
  FinishInterruptedDelete,  // declined at start: what a crashed deletion left, if anything
  LogConsentChanged,        // journal: "consent is now ..."
  LogFileUnusable,          // journal: the file's problem; nothing recorded or uploaded
  CheckDestination,         // journal: uploads paused if the server URL is unusable
  EmitEnabledChanged,       // the Enabled property changed (granted on one side only)
  NotifyConsentChanged,     // Control1: consent, server URL or environment may differ
};

const char* consent_action_name(ConsentAction action);

// At start `from` is ignored: there is no earlier state to compare with.
std::vector<ConsentAction> consent_transition(ConsentState from, ConsentState to,
                                              const ConsentContext& context);

// The store opened after start (it was unavailable until now): what consent asks of it.
std::vector<ConsentAction> consent_on_store_opened(ConsentState state);

}  // namespace metrics
