// SPDX-License-Identifier: GPL-2.0-or-later
#include "consent_transition.hpp"

namespace metrics {

ConsentState consent_state_of(config::Consent consent) {
  switch (consent) {
    case config::Consent::Undecided:
      return ConsentState::Undecided;
    case config::Consent::Granted:
      return ConsentState::Granted;
    case config::Consent::Declined:
      return ConsentState::Declined;
  }
  return ConsentState::Invalid;
}

const char* consent_state_name(ConsentState state) {
  switch (state) {
    case ConsentState::Undecided:
      return "undecided";
    case ConsentState::Granted:
      return "granted";
    case ConsentState::Declined:
      return "declined";
    case ConsentState::Invalid:
      return "invalid";
  }
  return "invalid";
}

std::optional<ConsentState> consent_state_from_name(std::string_view name) {
  for (ConsentState state : {ConsentState::Undecided, ConsentState::Granted, ConsentState::Declined,
                             ConsentState::Invalid})
    if (name == consent_state_name(state)) return state;
  return std::nullopt;
}

const char* consent_action_name(ConsentAction action) {
  switch (action) {
    case ConsentAction::AllowUploads:
      return "AllowUploads";
    case ConsentAction::DenyUploads:
      return "DenyUploads";
    case ConsentAction::DenyUploadsUnusable:
      return "DenyUploadsUnusable";
    case ConsentAction::CancelUpload:
      return "CancelUpload";
    case ConsentAction::StartRecording:
      return "StartRecording";
    case ConsentAction::StopRecording:
      return "StopRecording";
    case ConsentAction::DeleteCollected:
      return "DeleteCollected";
    case ConsentAction::FinishInterruptedDelete:
      return "FinishInterruptedDelete";
    case ConsentAction::LogConsentChanged:
      return "LogConsentChanged";
    case ConsentAction::LogFileUnusable:
      return "LogFileUnusable";
    case ConsentAction::CheckDestination:
      return "CheckDestination";
    case ConsentAction::EmitEnabledChanged:
      return "EmitEnabledChanged";
    case ConsentAction::NotifyConsentChanged:
      return "NotifyConsentChanged";
  }
  return "?";
}

std::vector<ConsentAction> consent_transition(ConsentState from, ConsentState to,
                                              const ConsentContext& context) {
  using A = ConsentAction;
  const bool at_start = context.moment == ConsentMoment::AtStart;
  const bool entering = at_start || from != to;
  std::vector<A> actions;

  switch (to) {
    case ConsentState::Granted:
      actions.push_back(A::AllowUploads);
      break;
    case ConsentState::Undecided:
    case ConsentState::Declined:
      actions.push_back(A::DenyUploads);
      break;
    case ConsentState::Invalid:
      // Fail closed: the decision is unknown, so nothing may be sent.
      actions.push_back(A::DenyUploadsUnusable);
      break;
  }
  if (context.upload_running && to != ConsentState::Granted) actions.push_back(A::CancelUpload);

  // Recording needs a decision that allows it; an unusable file stops it but deletes
  // nothing: the earlier decision may have been a grant.
  const bool records = to == ConsentState::Undecided || to == ConsentState::Granted;
  actions.push_back(records ? A::StartRecording : A::StopRecording);
  if (to == ConsentState::Declined) {
    if (at_start)
      actions.push_back(A::FinishInterruptedDelete);
    else if (from != ConsentState::Declined)
      actions.push_back(A::DeleteCollected);
  }

  if (to == ConsentState::Invalid) {
    if (entering || context.problem_changed) actions.push_back(A::LogFileUnusable);
  } else {
    if (entering) actions.push_back(A::LogConsentChanged);
    actions.push_back(A::CheckDestination);
  }

  if (!at_start) {
    // Enabled is true only while granted; at start nobody has read it yet.
    if ((from == ConsentState::Granted) != (to == ConsentState::Granted))
      actions.push_back(A::EmitEnabledChanged);
    actions.push_back(A::NotifyConsentChanged);
  }
  return actions;
}

std::vector<ConsentAction> consent_on_store_opened(ConsentState state) {
  // A deletion that declining asked for while the store could not be opened.
  if (state == ConsentState::Declined) return {ConsentAction::FinishInterruptedDelete};
  return {};
}

}  // namespace metrics
