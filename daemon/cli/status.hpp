// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's Control1 properties as read by one Properties.GetAll call.
#pragma once

#include <glib.h>

#include <cstdint>
#include <optional>
#include <string>

namespace metrics::cli {

// A property is empty when the recorder did not send it (or sent another type): an older or
// newer recorder still gets a useful status instead of an error.
struct Status {
  std::optional<std::string> consent_state;
  std::optional<std::string> server_url;
  std::optional<std::string> environment;
  std::optional<std::uint64_t> queued_events;
  std::optional<std::uint64_t> queued_bytes;      // of the events and the running counts
  std::optional<std::uint64_t> running_counts;    // daily and monthly counts, not queued yet
  std::optional<std::uint64_t> set_aside_events;  // refused by the server, not queued
  std::optional<std::string> upload_state;
  std::optional<std::int64_t> last_upload_time;  // seconds since the epoch, 0 = never
  std::optional<std::string> last_upload_result;
  std::optional<std::string> last_upload_message;
  std::optional<std::int64_t> next_upload_time;  // seconds since the epoch, 0 = none
  std::optional<std::string> store_state;        // "ok", "unavailable", "recovered"
  std::optional<std::string> store_problem;
};

// `properties` is the a{sv} of GetAll("com.endlessm.Metrics.Control1").
Status status_from_properties(GVariant* properties);

}  // namespace metrics::cli
