// SPDX-License-Identifier: GPL-2.0-or-later
// The whole consent table, written out: every (from, to) pair at start and at run time,
// with and without an upload running. Changing any transition makes a row fail.
#include "consent_transition.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace metrics {
namespace {

using A = ConsentAction;
using S = ConsentState;

constexpr S kStates[] = {S::Undecided, S::Granted, S::Declined, S::Invalid};

std::string describe(const std::vector<A>& actions) {
  std::string out = "[";
  for (A a : actions) out += std::string(out.size() > 1 ? ", " : "") + consent_action_name(a);
  return out + "]";
}

std::vector<A> run_time(S from, S to, bool upload_running, bool problem_changed = false) {
  return consent_transition(from, to, {ConsentMoment::AtRunTime, upload_running, problem_changed});
}

std::vector<A> at_start(S from, S to, bool upload_running, bool problem_changed = false) {
  return consent_transition(from, to, {ConsentMoment::AtStart, upload_running, problem_changed});
}

bool contains(const std::vector<A>& actions, A action) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

struct Row {
  S from;
  S to;
  bool upload_running;
  std::vector<A> expected;
};

// At run time: an edit, a deletion or a write of the file (SetEnabled, Control1).
const std::vector<Row> kRunTime = {
    // from undecided
    {S::Undecided,
     S::Undecided,
     false,
     {A::DenyUploads, A::StartRecording, A::CheckDestination, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Undecided,
     true,
     {A::DenyUploads, A::CancelUpload, A::StartRecording, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Undecided,
     S::Granted,
     false,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Granted,
     true,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Declined,
     false,
     {A::DenyUploads, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Declined,
     true,
     {A::DenyUploads, A::CancelUpload, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Invalid,
     false,
     {A::DenyUploadsUnusable, A::StopRecording, A::LogFileUnusable, A::NotifyConsentChanged}},
    {S::Undecided,
     S::Invalid,
     true,
     {A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording, A::LogFileUnusable,
      A::NotifyConsentChanged}},
    // from granted
    {S::Granted,
     S::Undecided,
     false,
     {A::DenyUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Granted,
     S::Undecided,
     true,
     {A::DenyUploads, A::CancelUpload, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Granted,
     S::Granted,
     false,
     {A::AllowUploads, A::StartRecording, A::CheckDestination, A::NotifyConsentChanged}},
    {S::Granted,
     S::Granted,
     true,
     {A::AllowUploads, A::StartRecording, A::CheckDestination, A::NotifyConsentChanged}},
    {S::Granted,
     S::Declined,
     false,
     {A::DenyUploads, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Granted,
     S::Declined,
     true,
     {A::DenyUploads, A::CancelUpload, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Granted,
     S::Invalid,
     false,
     {A::DenyUploadsUnusable, A::StopRecording, A::LogFileUnusable, A::EmitEnabledChanged,
      A::NotifyConsentChanged}},
    {S::Granted,
     S::Invalid,
     true,
     {A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording, A::LogFileUnusable,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    // from declined
    {S::Declined,
     S::Undecided,
     false,
     {A::DenyUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Declined,
     S::Undecided,
     true,
     {A::DenyUploads, A::CancelUpload, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Declined,
     S::Granted,
     false,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Declined,
     S::Granted,
     true,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Declined,
     S::Declined,
     false,
     {A::DenyUploads, A::StopRecording, A::CheckDestination, A::NotifyConsentChanged}},
    {S::Declined,
     S::Declined,
     true,
     {A::DenyUploads, A::CancelUpload, A::StopRecording, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Declined,
     S::Invalid,
     false,
     {A::DenyUploadsUnusable, A::StopRecording, A::LogFileUnusable, A::NotifyConsentChanged}},
    {S::Declined,
     S::Invalid,
     true,
     {A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording, A::LogFileUnusable,
      A::NotifyConsentChanged}},
    // from invalid (the file is readable again)
    {S::Invalid,
     S::Undecided,
     false,
     {A::DenyUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Invalid,
     S::Undecided,
     true,
     {A::DenyUploads, A::CancelUpload, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::NotifyConsentChanged}},
    {S::Invalid,
     S::Granted,
     false,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Invalid,
     S::Granted,
     true,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination,
      A::EmitEnabledChanged, A::NotifyConsentChanged}},
    {S::Invalid,
     S::Declined,
     false,
     {A::DenyUploads, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::NotifyConsentChanged}},
    {S::Invalid,
     S::Declined,
     true,
     {A::DenyUploads, A::CancelUpload, A::StopRecording, A::DeleteCollected, A::LogConsentChanged,
      A::CheckDestination, A::NotifyConsentChanged}},
    // Same problem as already logged: nothing is said again.
    {S::Invalid,
     S::Invalid,
     false,
     {A::DenyUploadsUnusable, A::StopRecording, A::NotifyConsentChanged}},
    {S::Invalid,
     S::Invalid,
     true,
     {A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording, A::NotifyConsentChanged}},
};

// At start the state before is unknown: one row per new state, the same for every `from`.
const std::vector<Row> kAtStart = {
    {S::Invalid,
     S::Undecided,
     false,
     {A::DenyUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination}},
    {S::Invalid,
     S::Undecided,
     true,
     {A::DenyUploads, A::CancelUpload, A::StartRecording, A::LogConsentChanged,
      A::CheckDestination}},
    {S::Invalid,
     S::Granted,
     false,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination}},
    {S::Invalid,
     S::Granted,
     true,
     {A::AllowUploads, A::StartRecording, A::LogConsentChanged, A::CheckDestination}},
    // Finishes a deletion that a crash interrupted (if anything is left).
    {S::Invalid,
     S::Declined,
     false,
     {A::DenyUploads, A::StopRecording, A::FinishInterruptedDelete, A::LogConsentChanged,
      A::CheckDestination}},
    {S::Invalid,
     S::Declined,
     true,
     {A::DenyUploads, A::CancelUpload, A::StopRecording, A::FinishInterruptedDelete,
      A::LogConsentChanged, A::CheckDestination}},
    {S::Invalid, S::Invalid, false, {A::DenyUploadsUnusable, A::StopRecording, A::LogFileUnusable}},
    {S::Invalid,
     S::Invalid,
     true,
     {A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording, A::LogFileUnusable}},
};

TEST(ConsentTransition, RunTimeTableIsComplete) {
  EXPECT_EQ(kRunTime.size(), 4u * 4u * 2u);
  for (S from : kStates)
    for (S to : kStates)
      for (bool running : {false, true})
        EXPECT_EQ(1, std::count_if(kRunTime.begin(), kRunTime.end(),
                                   [&](const Row& r) {
                                     return r.from == from && r.to == to &&
                                            r.upload_running == running;
                                   }))
            << consent_state_name(from) << " -> " << consent_state_name(to) << " running "
            << running;
}

TEST(ConsentTransition, RunTime) {
  for (const Row& row : kRunTime) {
    const auto actual = run_time(row.from, row.to, row.upload_running);
    EXPECT_EQ(actual, row.expected)
        << consent_state_name(row.from) << " -> " << consent_state_name(row.to)
        << (row.upload_running ? ", upload running" : ", no upload") << ": got " << describe(actual)
        << ", want " << describe(row.expected);
  }
}

TEST(ConsentTransition, AtStartIgnoresTheStateBefore) {
  EXPECT_EQ(kAtStart.size(), 4u * 2u);
  for (const Row& row : kAtStart) {
    for (S from : kStates) {
      const auto actual = at_start(from, row.to, row.upload_running);
      EXPECT_EQ(actual, row.expected)
          << "at start, " << consent_state_name(from) << " -> " << consent_state_name(row.to)
          << (row.upload_running ? ", upload running" : ", no upload") << ": got "
          << describe(actual) << ", want " << describe(row.expected);
    }
  }
}

TEST(ConsentTransition, ANewProblemOfAnUnusableFileIsLogged) {
  EXPECT_EQ(run_time(S::Invalid, S::Invalid, false, true),
            (std::vector<A>{A::DenyUploadsUnusable, A::StopRecording, A::LogFileUnusable,
                            A::NotifyConsentChanged}));
  EXPECT_EQ(run_time(S::Invalid, S::Invalid, true, true),
            (std::vector<A>{A::DenyUploadsUnusable, A::CancelUpload, A::StopRecording,
                            A::LogFileUnusable, A::NotifyConsentChanged}));
}

TEST(ConsentTransition, AChangedProblemMattersOnlyBetweenTwoUnusableReadings) {
  for (const Row& row : kRunTime) {
    if (row.from == S::Invalid && row.to == S::Invalid) continue;
    EXPECT_EQ(run_time(row.from, row.to, row.upload_running, true), row.expected)
        << consent_state_name(row.from) << " -> " << consent_state_name(row.to);
  }
  for (const Row& row : kAtStart)
    EXPECT_EQ(at_start(S::Granted, row.to, row.upload_running, true), row.expected)
        << "at start -> " << consent_state_name(row.to);
}

// The documented promises, checked over every input the table has.
std::vector<std::vector<A>> every_outcome_for(S to) {
  std::vector<std::vector<A>> out;
  for (S from : kStates)
    for (auto moment : {ConsentMoment::AtStart, ConsentMoment::AtRunTime})
      for (bool running : {false, true})
        for (bool changed : {false, true})
          out.push_back(consent_transition(from, to, {moment, running, changed}));
  return out;
}

TEST(ConsentTransition, NothingIsUploadedWithoutAGrant) {
  for (S to : {S::Undecided, S::Declined, S::Invalid})
    for (const auto& actions : every_outcome_for(to))
      EXPECT_FALSE(contains(actions, A::AllowUploads)) << consent_state_name(to);
}

TEST(ConsentTransition, AnUnusableFileFailsClosedAndDeletesNothing) {
  for (const auto& actions : every_outcome_for(S::Invalid)) {
    EXPECT_TRUE(contains(actions, A::DenyUploadsUnusable)) << describe(actions);
    EXPECT_TRUE(contains(actions, A::StopRecording)) << describe(actions);
    EXPECT_FALSE(contains(actions, A::DeleteCollected)) << describe(actions);
    EXPECT_FALSE(contains(actions, A::FinishInterruptedDelete)) << describe(actions);
  }
}

TEST(ConsentTransition, UploadingEndsBeforeAnythingIsDeleted) {
  for (const auto& actions : every_outcome_for(S::Declined)) {
    EXPECT_TRUE(contains(actions, A::StopRecording)) << describe(actions);
    const auto deletion = std::find_if(actions.begin(), actions.end(), [](A a) {
      return a == A::DeleteCollected || a == A::FinishInterruptedDelete;
    });
    if (deletion == actions.end()) continue;
    const auto deny = std::find(actions.begin(), actions.end(), A::DenyUploads);
    const auto cancel = std::find(actions.begin(), actions.end(), A::CancelUpload);
    EXPECT_LT(deny, deletion) << describe(actions);
    if (cancel != actions.end()) {
      EXPECT_LT(cancel, deletion) << describe(actions);
    }
  }
}

TEST(ConsentTransition, StoreOpenedLate) {
  EXPECT_EQ(consent_on_store_opened(S::Declined), (std::vector<A>{A::FinishInterruptedDelete}));
  EXPECT_TRUE(consent_on_store_opened(S::Undecided).empty());
  EXPECT_TRUE(consent_on_store_opened(S::Granted).empty());
  // The decision is unknown: nothing is deleted.
  EXPECT_TRUE(consent_on_store_opened(S::Invalid).empty());
}

TEST(ConsentTransition, StatesAndNames) {
  EXPECT_EQ(consent_state_of(config::Consent::Undecided), S::Undecided);
  EXPECT_EQ(consent_state_of(config::Consent::Granted), S::Granted);
  EXPECT_EQ(consent_state_of(config::Consent::Declined), S::Declined);
  EXPECT_STREQ(consent_state_name(S::Undecided), "undecided");
  EXPECT_STREQ(consent_state_name(S::Granted), "granted");
  EXPECT_STREQ(consent_state_name(S::Declined), "declined");
  EXPECT_STREQ(consent_state_name(S::Invalid), "invalid");
}

}  // namespace
}  // namespace metrics
