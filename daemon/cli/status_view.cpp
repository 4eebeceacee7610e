// SPDX-License-Identifier: GPL-2.0-or-later
#include "status_view.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "consent_transition.hpp"
#include "format.hpp"
#include "store.hpp"
#include "upload_state.hpp"

namespace metrics::cli {

namespace {

constexpr std::string_view kUnknown = "unknown";

std::string with_reason(std::string_view state, std::string_view reason) {
  return std::string(state) + " (" + std::string(reason) + ")";
}

std::string time_line(const std::optional<std::int64_t>& t, std::string_view zero, std::int64_t now,
                      GTimeZone* tz) {
  if (!t) return std::string(kUnknown);
  if (*t == 0) return std::string(zero);
  return format_timestamp(*t, tz) + " (" + format_relative(*t, now) + ")";
}

std::string queue_line(const Status& s) {
  if (!s.queued_events) return std::string(kUnknown);
  std::string text = format_count(*s.queued_events, "event", "events");
  // The counts of the running day and month are queued when it ends; `queue` lists them.
  if (s.running_counts)
    text += ", " + format_count(*s.running_counts, "running count", "running counts");
  if (s.queued_bytes) text += " (" + format_bytes(*s.queued_bytes) + ")";
  if (s.set_aside_events && *s.set_aside_events > 0) {
    text += "; " + format_count(*s.set_aside_events, "event", "events") +
            " set aside, not uploaded (metricsctl set-aside list)";
  }
  return text;
}

std::string result_line(const std::optional<std::string>& result) {
  if (!result) return std::string(kUnknown);
  if (result->empty()) return "none";
  if (*result == kUploadSucceeded) return std::string(kUploadSucceeded);
  return "failed (" + *result + ")";
}

template <typename T>
nlohmann::ordered_json raw(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json raw_time(const std::optional<std::int64_t>& t) {
  return t && *t != 0 ? nlohmann::ordered_json(*t) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string describe_consent(std::string_view state) {
  const auto known = consent_state_from_name(state);
  if (!known) return std::string(state);  // a newer recorder's
  switch (*known) {
    case ConsentState::Undecided:
      return with_reason(state, "recording locally, never uploading");
    case ConsentState::Granted:
      return with_reason(state, "recording and uploading");
    case ConsentState::Declined:
      return with_reason(state, "recording nothing, nothing kept");
    case ConsentState::Invalid:
      return with_reason(state, "permissions file unusable: recording and uploading nothing");
  }
  return std::string(state);
}

std::string describe_upload_state(std::string_view state) {
  const auto known = upload_state_from_name(state);
  if (!known) return std::string(state);
  switch (*known) {
    case UploadState::kDisabled:
      return with_reason(state, "consent not granted");
    case UploadState::kOffline:
      return with_reason(state, "waiting for a network connection");
    case UploadState::kMetered:
      return with_reason(state, "waiting for an unmetered connection");
    case UploadState::kIdle:
      return with_reason(state, "waiting for the next slot");
    case UploadState::kUploading:
      return with_reason(state, "sending now");
    case UploadState::kRetrying:
      return with_reason(state, "backing off after a failure");
    case UploadState::kPaused:
      return with_reason(state, "configuration unusable, see the last message");
  }
  return std::string(state);
}

std::string describe_store_state(std::string_view state, std::string_view problem) {
  const auto known = store_state_from_name(state);
  // A newer recorder's state: shown with its problem, if any.
  if (!known) return problem.empty() ? std::string(state) : with_reason(state, problem);
  switch (*known) {
    case StoreState::Ok:
      return std::string(state);
    case StoreState::Unavailable:
      return with_reason(state, "events are refused until it opens: " + std::string(problem));
    case StoreState::Recovered:
      return with_reason(state, "at its opening: " + std::string(problem));
  }
  return std::string(state);
}

std::string render_status_text(const Status& s, std::int64_t now, GTimeZone* tz) {
  std::vector<std::pair<std::string_view, std::string>> lines;
  lines.emplace_back("Consent",
                     s.consent_state ? describe_consent(*s.consent_state) : std::string(kUnknown));
  lines.emplace_back("Server URL", !s.server_url           ? std::string(kUnknown)
                                   : s.server_url->empty() ? "none (not configured or invalid)"
                                                           : *s.server_url);
  lines.emplace_back("Environment", s.environment ? *s.environment : std::string(kUnknown));
  lines.emplace_back("Queue", queue_line(s));
  // Only from a recorder that has the property: an older one would show "unknown" here.
  if (s.store_state)
    lines.emplace_back("Store", describe_store_state(*s.store_state, s.store_problem.value_or("")));
  lines.emplace_back("Upload state", s.upload_state ? describe_upload_state(*s.upload_state)
                                                    : std::string(kUnknown));
  lines.emplace_back("Last upload", time_line(s.last_upload_time, "never", now, tz));
  lines.emplace_back("Last result", result_line(s.last_upload_result));
  // The message continues the result line, without a label of its own.
  if (s.last_upload_message && !s.last_upload_message->empty())
    lines.emplace_back("", *s.last_upload_message);
  lines.emplace_back("Next upload", time_line(s.next_upload_time, "none", now, tz));

  std::size_t width = 0;
  for (const auto& [label, value] : lines) width = std::max(width, label.size());
  std::string out;
  for (const auto& [label, value] : lines) {
    out += std::string(width - label.size(), ' ');
    out += label;
    out += label.empty() ? "  " : ": ";
    // Multi-line values (messages) stay under the value column.
    for (const char c : value) {
      out += c;
      if (c == '\n') out += std::string(width + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

nlohmann::ordered_json status_to_json(const Status& s) {
  nlohmann::ordered_json j;
  j["consent_state"] = raw(s.consent_state);
  j["server_url"] = raw(s.server_url);
  j["environment"] = raw(s.environment);
  j["queued_events"] = raw(s.queued_events);
  j["queued_bytes"] = raw(s.queued_bytes);
  j["upload_state"] = raw(s.upload_state);
  j["last_upload_time"] = raw_time(s.last_upload_time);
  j["last_upload_result"] = raw(s.last_upload_result);
  j["last_upload_message"] = raw(s.last_upload_message);
  j["next_upload_time"] = raw_time(s.next_upload_time);
  j["store_state"] = raw(s.store_state);
  j["store_problem"] = raw(s.store_problem);
  j["set_aside_events"] = raw(s.set_aside_events);
  j["running_counts"] = raw(s.running_counts);
  return j;
}

}  // namespace metrics::cli
