// SPDX-License-Identifier: GPL-2.0-or-later
// The states Control1 shows as strings (UploadState, ConsentState, StoreState): each has one
// spelling, read back to the same state, and those spellings are the ones on D-Bus.
#include <gtest/gtest.h>

#include "consent_transition.hpp"
#include "store.hpp"
#include "upload_state.hpp"

namespace metrics {
namespace {

TEST(StateNames, UploadStates) {
  const std::pair<UploadState, std::string_view> wire[] = {
      {UploadState::kDisabled, "disabled"},   {UploadState::kOffline, "offline"},
      {UploadState::kMetered, "metered"},     {UploadState::kIdle, "idle"},
      {UploadState::kUploading, "uploading"}, {UploadState::kRetrying, "retrying"},
      {UploadState::kPaused, "paused"},
  };
  for (const auto& [state, name] : wire) {
    EXPECT_EQ(upload_state_name(state), name);
    EXPECT_EQ(upload_state_from_name(name), state) << name;
  }
  EXPECT_EQ(upload_state_from_name("Idle"), std::nullopt);
  EXPECT_EQ(upload_state_from_name(""), std::nullopt);
  EXPECT_EQ(kUploadSucceeded, "success");
}

TEST(StateNames, ConsentStates) {
  const std::pair<ConsentState, std::string_view> wire[] = {
      {ConsentState::Undecided, "undecided"},
      {ConsentState::Granted, "granted"},
      {ConsentState::Declined, "declined"},
      {ConsentState::Invalid, "invalid"},
  };
  for (const auto& [state, name] : wire) {
    EXPECT_EQ(consent_state_name(state), name);
    EXPECT_EQ(consent_state_from_name(name), state) << name;
  }
  EXPECT_EQ(consent_state_from_name("grant"), std::nullopt);
}

TEST(StateNames, StoreStates) {
  const std::pair<StoreState, std::string_view> wire[] = {
      {StoreState::Ok, "ok"},
      {StoreState::Unavailable, "unavailable"},
      {StoreState::Recovered, "recovered"},
  };
  for (const auto& [state, name] : wire) {
    EXPECT_EQ(store_state_name(state), name);
    EXPECT_EQ(store_state_from_name(name), state) << name;
  }
  EXPECT_EQ(store_state_from_name("OK"), std::nullopt);
}

}  // namespace
}  // namespace metrics
