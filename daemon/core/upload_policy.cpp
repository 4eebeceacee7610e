// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_policy.hpp"

#include <glib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>

#include "glib_handles.hpp"

namespace metrics::upload {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && g_ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && g_ascii_isspace(s.back())) s.remove_suffix(1);
  return s;
}

int month_number(std::string_view name) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (name == kMonths[i]) return i + 1;
  return 0;
}

// Seconds since the epoch of an HTTP-date, or nullopt.
std::optional<int64_t> parse_http_date(const std::string& text) {
  char weekday[16] = {};
  char month[4] = {};
  char zone[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int consumed = 0;
  bool parsed = false;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(text.c_str(), "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", weekday,
                  &day, month, &year, &hour, &minute, &second, zone, &consumed) == 8 &&
      static_cast<size_t>(consumed) == text.size()) {
    parsed = true;
  }
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  if (!parsed &&
      std::sscanf(text.c_str(), "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d %3[A-Z]%n", weekday,
                  &day, month, &year, &hour, &minute, &second, zone, &consumed) == 8 &&
      static_cast<size_t>(consumed) == text.size()) {
    year += year < 70 ? 2000 : 1900;
    parsed = true;
  }
  // asctime: Sun Nov  6 08:49:37 1994
  if (!parsed &&
      std::sscanf(text.c_str(), "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", weekday, month, &day,
                  &hour, &minute, &second, &year, &consumed) == 7 &&
      static_cast<size_t>(consumed) == text.size()) {
    std::snprintf(zone, sizeof zone, "GMT");
    parsed = true;
  }
  if (!parsed || std::string_view(zone) != "GMT") return std::nullopt;
  const int mon = month_number(month);
  if (mon == 0) return std::nullopt;
  GDateTimePtr dt(g_date_time_new_utc(year, mon, day, hour, minute, second));
  if (!dt) return std::nullopt;  // out of range (31 Feb, 25:00, …)
  return g_date_time_to_unix(dt.get());
}

Error upload_error(ErrorCode code, std::string message, const std::string& detail) {
  if (!detail.empty()) message += " (" + detail + ")";
  return Error{code, std::move(message)};
}

}  // namespace

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Success:
      return "Success";
    case Outcome::Retry:
      return "Retry";
    case Outcome::SetAside:
      return "SetAside";
    case Outcome::Fatal:
      return "Fatal";
    case Outcome::Pause:
      return "Pause";
  }
  return "Fatal";
}

bool is_destination_wrong(int status) {
  switch (status) {
    case 401:  // Unauthorized
    case 403:  // Forbidden
    case 404:  // Not Found: a proxy that does not route this path
    case 405:  // Method Not Allowed: Azafea's proxy for a path it does not route
    case 410:  // Gone
    case 421:  // Misdirected Request
      return true;
    default:
      return false;
  }
}

Outcome classify_http_status(int status) {
  if (status >= 200 && status <= 299) return Outcome::Success;
  if (status == 408 || status == 429) return Outcome::Retry;
  // Every batch would get the same answer: setting them aside one by one would empty the
  // queue into the void.
  if (is_destination_wrong(status)) return Outcome::Pause;
  if (status >= 400 && status <= 499) return Outcome::SetAside;
  // 5xx, 1xx (no final answer), 3xx (we do not follow redirects: a PUT body must not be
  // re-sent to wherever a proxy points) and anything malformed: try again later.
  return Outcome::Retry;
}

Outcome classify_network_error(NetworkError error) {
  return error == NetworkError::Configuration ? Outcome::Fatal : Outcome::Retry;
}

Classification classify(const AttemptResult& attempt, int64_t now_wall_ns) {
  Classification c;
  if (attempt.network_error != NetworkError::None) {
    c.outcome = classify_network_error(attempt.network_error);
    switch (attempt.network_error) {
      case NetworkError::Timeout:
        c.error = upload_error(ErrorCode::kUploadTimeout,
                               "the metrics server did not answer in time", attempt.detail);
        break;
      case NetworkError::ConnectionRefused:
      case NetworkError::ConnectionReset:
        c.error = upload_error(ErrorCode::kUploadConnectionFailed,
                               std::string("cannot talk to the metrics server: ") +
                                   network_error_name(attempt.network_error),
                               attempt.detail);
        break;
      case NetworkError::DnsFailure:
        c.error = upload_error(ErrorCode::kUploadDnsFailure,
                               "the metrics server's name does not resolve", attempt.detail);
        break;
      case NetworkError::TlsFailure:
        c.error = upload_error(ErrorCode::kUploadTlsFailure,
                               "TLS with the metrics server failed (certificate not trusted, "
                               "wrong host or handshake error; see TrustFile in recorder.conf)",
                               attempt.detail);
        break;
      case NetworkError::Configuration:
        c.error = upload_error(ErrorCode::kUploadConfigurationInvalid,
                               "the upload configuration is unusable (server URL, ProxyUrl or "
                               "TrustFile); uploading waits until it is fixed",
                               attempt.detail);
        break;
      case NetworkError::HelperFailure:
        c.error =
            upload_error(ErrorCode::kUploadHelperFailed,
                         "the upload helper (eos-metrics-upload-helper) failed", attempt.detail);
        break;
      case NetworkError::MalformedResponse:
        c.error = upload_error(ErrorCode::kUploadServerError,
                               "the metrics server's answer is not valid HTTP; will retry",
                               attempt.detail);
        break;
      case NetworkError::Other:
      case NetworkError::None:
        c.error = upload_error(ErrorCode::kUploadNetworkFailure,
                               "the metrics server is unreachable", attempt.detail);
        break;
    }
    return c;
  }

  const int status = attempt.http_status;
  c.outcome = classify_http_status(status);
  const std::string status_text = "HTTP " + std::to_string(status);
  switch (c.outcome) {
    case Outcome::Success:
      return c;
    case Outcome::SetAside:
      c.error = upload_error(
          ErrorCode::kUploadRejected,
          "the metrics server refused a batch with " + status_text +
              "; it was set aside with its events, which are kept but no longer uploaded "
              "('metricsctl set-aside list' shows them, 'metricsctl set-aside requeue' puts "
              "them back in the queue)",
          attempt.detail);
      return c;
    case Outcome::Pause:
      c.error = upload_error(
          ErrorCode::kUploadDestinationWrong,
          "the metrics server answered " + status_text +
              ": the server URL or its credentials are wrong, not the events; every event "
              "stays queued and uploading pauses until the server URL is fixed (check it "
              "with 'metricsctl status', set it with 'metricsctl set-server-url')",
          attempt.detail);
      return c;
    case Outcome::Retry:
    case Outcome::Fatal:
      c.error = upload_error(ErrorCode::kUploadServerError,
                             "the metrics server answered " + status_text + "; will retry",
                             attempt.detail);
      break;
  }
  if (!attempt.retry_after.empty())
    c.retry_after_ns = parse_retry_after(attempt.retry_after, now_wall_ns);
  return c;
}

std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_wall_ns) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char ch) { return g_ascii_isdigit(ch); })) {
    uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range) return kMaxRetryAfterNs;
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    if (seconds >= static_cast<uint64_t>(kMaxRetryAfterNs / kNsPerSecond)) return kMaxRetryAfterNs;
    return static_cast<int64_t>(seconds) * kNsPerSecond;
  }
  std::optional<int64_t> at = parse_http_date(std::string(value));
  if (!at) return std::nullopt;
  // Compare in seconds so that far dates cannot overflow the ns arithmetic.
  const int64_t now_s = now_wall_ns / kNsPerSecond;
  if (*at <= now_s) return int64_t{0};
  if (*at - now_s >= kMaxRetryAfterNs / kNsPerSecond) return kMaxRetryAfterNs;
  return std::max<int64_t>(0, *at * kNsPerSecond - now_wall_ns);
}

Rng seeded_rng(uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

namespace {

// rng() forced into [0, 1): a misbehaving generator cannot push a delay past its window.
double unit(const Rng& rng) {
  const double u = rng ? rng() : 0.0;
  if (!(u >= 0.0)) return 0.0;  // also NaN
  return u < 1.0 ? u : std::nextafter(1.0, 0.0);
}

}  // namespace

int64_t Backoff::window_ns(unsigned attempt) const {
  const int64_t cap = std::max<int64_t>(cap_ns, 0);
  int64_t window = std::clamp<int64_t>(base_ns, 0, cap);
  for (unsigned i = 0; i < attempt && window < cap; ++i)
    window = window > cap / 2 ? cap : window * 2;
  return window;
}

int64_t Backoff::next_delay(unsigned attempt, const Rng& rng,
                            std::optional<int64_t> retry_after_ns) const {
  const int64_t window = window_ns(attempt);
  auto delay = static_cast<int64_t>(unit(rng) * static_cast<double>(window));
  delay = std::clamp<int64_t>(delay, 0, window > 0 ? window - 1 : 0);
  if (retry_after_ns && *retry_after_ns > delay) delay = *retry_after_ns;
  return delay;
}

int64_t default_interval_ns(const std::string& environment) {
  return environment == "dev" || environment == "test" ? kDevTestIntervalNs : kProductionIntervalNs;
}

int64_t upload_interval_ns(const config::RecorderSettings& settings,
                           const std::string& environment) {
  if (settings.upload_interval_seconds > 0)
    return static_cast<int64_t>(settings.upload_interval_seconds) * kNsPerSecond;
  return default_interval_ns(environment);
}

int64_t first_slot(int64_t now_ns, int64_t interval_ns, const Rng& rng) {
  return now_ns +
         static_cast<int64_t>(unit(rng) * static_cast<double>(std::max<int64_t>(interval_ns, 0)));
}

int64_t next_slot(int64_t last_slot_ns, int64_t interval_ns, double jitter_fraction,
                  const Rng& rng) {
  if (!(jitter_fraction >= 0.0)) jitter_fraction = 0.0;
  jitter_fraction = std::min(jitter_fraction, 0.9);
  const double factor = 1.0 + jitter_fraction * (2.0 * unit(rng) - 1.0);
  const auto step =
      static_cast<int64_t>(static_cast<double>(std::max<int64_t>(interval_ns, 1)) * factor);
  return last_slot_ns + std::max<int64_t>(step, 1);
}

bool is_due(int64_t now_ns, int64_t next_slot_ns) {
  return now_ns >= next_slot_ns;
}

int64_t delay_until(int64_t now_ns, int64_t next_slot_ns) {
  return is_due(now_ns, next_slot_ns) ? 0 : next_slot_ns - now_ns;
}

}  // namespace metrics::upload
