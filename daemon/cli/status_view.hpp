// SPDX-License-Identifier: GPL-2.0-or-later
// How `metricsctl status` shows a Status: an aligned text block or one JSON object.
#pragma once

#include <glib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "status.hpp"

namespace metrics::cli {

// "undecided (recording locally, never uploading)"; unknown values are shown as they are.
std::string describe_consent(std::string_view consent_state);
// "idle (waiting for the next slot)"; unknown values are shown as they are.
std::string describe_upload_state(std::string_view upload_state);

// "unavailable (nothing is recorded until it opens: <problem>)"; unknown values as they are.
std::string describe_store_state(std::string_view store_state, std::string_view problem);

// The text block, one "Label: value" line each, labels right-aligned. Times are shown in
// `tz` and relative to `now` (seconds since the epoch).
std::string render_status_text(const Status& status, std::int64_t now, GTimeZone* tz);

// Stable snake_case keys, raw values; times in seconds since the epoch, 0 and missing as null.
nlohmann::ordered_json status_to_json(const Status& status);

}  // namespace metrics::cli
