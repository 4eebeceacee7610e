// SPDX-License-Identifier: GPL-2.0-or-later
// When to upload and what to do after an attempt: no network code here, only the rules
// (recorder-behaviour.md, Upload). The network layer reports an AttemptResult, asks
// classify() what it means and Backoff/next_slot() when to try again.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"
#include "settings.hpp"
#include "upload_attempt.hpp"

namespace metrics::upload {

inline constexpr int64_t kNsPerSecond = 1'000'000'000;

// ---- Classifying one attempt --------------------------------------------------------

enum class Outcome {
  Success,   // 2xx: delete the batch's events from the queue
  Retry,     // transient: keep the batch, try again after a backoff delay
  SetAside,  // the server refuses this batch for good (other 4xx): set it aside
  Fatal,     // cannot succeed until the configuration changes: stop, report, do not retry
  // The destination is wrong, not the batch (401, 403, 404, 405, 410, 421): keep every
  // event and stop uploading until the server URL changes or a forced upload succeeds.
  Pause,
};
// "Success", "Retry", "SetAside", "Fatal", "Pause"
const char* outcome_name(Outcome outcome);

struct Classification {
  Outcome outcome = Outcome::Retry;
  // Delay the server asked for (Retry-After), when it sent a usable one with a Retry.
  std::optional<int64_t> retry_after_ns;
  // Success: none. Otherwise the named error UploadEvents reports, codes:
  // UploadTimeout, UploadConnectionFailed, UploadDnsFailure, UploadTlsFailure,
  // UploadNetworkFailure, UploadConfigurationInvalid, UploadServerError (5xx, 408, 429,
  // 1xx, 3xx, malformed status or response), UploadDestinationWrong (401, 403, 404, 405,
  // 410, 421), UploadRejected (other 4xx).
  std::optional<Error> error;
};

// True for the answers that say the URL or the credentials are wrong, not the batch:
// 401, 403, 404, 405, 410, 421.
bool is_destination_wrong(int status);
// 2xx Success; 408, 429, 5xx Retry; 401, 403, 404, 405, 410, 421 Pause; other 4xx
// SetAside; 1xx, 3xx and anything outside 100..599 (a broken answer) Retry.
Outcome classify_http_status(int status);
// Timeout, refused, reset, DNS, TLS, MalformedResponse, Other: Retry. Configuration: Fatal. None:
// Success is not implied; classify the status instead (None here gives Retry).
Outcome classify_network_error(NetworkError error);
// The whole rule set, with Retry-After parsed against the wall clock `now_wall_ns`.
Classification classify(const AttemptResult& attempt, int64_t now_wall_ns);

// Retry-After: delay-seconds ("120") or an HTTP-date (IMF-fixdate, RFC 850 or asctime
// form, as RFC 9110 asks recipients to accept). Returns the delay from `now_wall_ns` in
// ns, clamped to [0, kMaxRetryAfterNs]; nullopt when the value is unusable.
inline constexpr int64_t kMaxRetryAfterNs = 24 * 3600 * kNsPerSecond;
std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_wall_ns);

// ---- Randomness (injected so tests are deterministic) ------------------------------

// Uniform in [0, 1).
using Rng = std::function<double()>;
// A reproducible Rng (std::mt19937_64 seeded with `seed`).
Rng seeded_rng(uint64_t seed);

// ---- Backoff between attempts of one batch -----------------------------------------

// Exponential backoff with full jitter: the delay before retry number `attempt`
// (0 = after the first failure) is uniform in [0, min(cap, base * 2^attempt)).
// A Retry-After larger than that wins (it is already clamped by parse_retry_after).
struct Backoff {
  int64_t base_ns = 30 * kNsPerSecond;
  int64_t cap_ns = 6 * 3600 * kNsPerSecond;

  // The upper end of the jitter window for `attempt`: min(cap, base * 2^attempt).
  int64_t window_ns(unsigned attempt) const;
  int64_t next_delay(unsigned attempt, const Rng& rng,
                     std::optional<int64_t> retry_after_ns = std::nullopt) const;
};

// ---- The upload schedule -------------------------------------------------------------

inline constexpr int64_t kProductionIntervalNs = 30 * 60 * kNsPerSecond;
inline constexpr int64_t kDevTestIntervalNs = 15 * 60 * kNsPerSecond;
// Default jitter: each slot moves by up to ±25 % of the interval.
inline constexpr double kDefaultJitterFraction = 0.25;

// 30 min for production (and anything unknown), 15 min for dev and test.
int64_t default_interval_ns(const std::string& environment);
// UploadIntervalSeconds when set (non-zero), else default_interval_ns(environment).
int64_t upload_interval_ns(const config::RecorderSettings& settings,
                           const std::string& environment);

// The first slot after the daemon starts (or uploading is granted): a uniformly random
// phase in [now, now + interval), so machines started together (a class room at 9:00)
// do not upload together.
int64_t first_slot(int64_t now_ns, int64_t interval_ns, const Rng& rng);
// The slot after `last_slot_ns`: last + interval * (1 + jitter * (2u - 1)), u = rng(),
// jitter_fraction clamped to [0, 0.9], so the mean interval stays `interval` and the
// machines keep spreading. Pass as `last_slot_ns` the time the last session actually
// ran (not the slot it was due at): after a long offline or suspended spell the missed
// slots then fire once, when the network returns, not once per missed slot.
int64_t next_slot(int64_t last_slot_ns, int64_t interval_ns, double jitter_fraction,
                  const Rng& rng);
// True when the slot has come (now >= next_slot).
bool is_due(int64_t now_ns, int64_t next_slot_ns);
// How long to sleep until the slot (0 when due): one timer per slot, no wake-ups between.
int64_t delay_until(int64_t now_ns, int64_t next_slot_ns);

}  // namespace metrics::upload
