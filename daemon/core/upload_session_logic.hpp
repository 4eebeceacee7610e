// SPDX-License-Identifier: GPL-2.0-or-later
// An upload session's decisions, without I/O: what each transport result means for the
// batch in flight and for the session. Events leave the queue only on a 2xx (the
// server's acknowledgement), never before: a crash before the delete commits sends them
// again, it never loses them. A 413 splits the batch in halves (down to one event); a
// batch the server refuses for good is set aside and the session goes on; a wrong
// destination ends the session at once with every event still queued (fail closed).
// A background session stops at the first transient failure (the schedule backs off);
// a forced one retries a few times at short intervals, then gives up with a named error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "result.hpp"
#include "upload_policy.hpp"

namespace metrics::upload {

// Forced sessions: attempts per batch, and the longest wait between two of them (a
// longer Retry-After ends the session instead).
inline constexpr unsigned kForcedAttempts = 3;
inline constexpr int64_t kForcedMaxWaitNs = 10 * kNsPerSecond;
// Between the attempts of a forced session: short, jittered, capped.
inline constexpr Backoff kForcedBackoff{kNsPerSecond, 4 * kNsPerSecond};

// What the session does with the batch in flight after the transport's answer.
struct AnswerPlan {
  enum class Action {
    Delete,    // acknowledged: delete its rows (remember them if that fails), go on
    Split,     // 413 with several events: send it again as two halves
    SetAside,  // refused for good: set it aside, go on
    Resend,    // transient, forced session: the same batch again after `delay_ns`
    End,       // end the session with `outcome`; the batch stays queued
  };
  Action action = Action::End;
  Outcome outcome = Outcome::Retry;  // for End, and what the ledger records otherwise
  int64_t delay_ns = 0;              // with Resend
  std::optional<Error> error;        // the named error (the verdict's)
  std::optional<int64_t> retry_after_ns;
  // The ledger's outcome column: outcome_name(outcome), or "Split".
  std::string ledger_outcome;
  // The bytes that left the machine, for the ledger.
  size_t bytes_sent = 0;
  // The helper failed: the next attempt starts a new one.
  bool drop_transport = false;
};

// `attempt` answered the request of `request_events` events, `compressed_size` bytes;
// `failed_attempts` earlier attempts of this batch failed (transiently).
AnswerPlan plan_answer(const AttemptResult& attempt, const Classification& verdict,
                       size_t request_events, size_t compressed_size, bool forced,
                       unsigned failed_attempts, const Rng& rng);

// The transport refused the request before sending it: a configuration that cannot work
// is Fatal, anything else (the helper could not start or run) Retry.
Outcome outcome_of_unsent(const Error& error);

// "HTTP 503: excerpt", or the transport's own text.
std::string describe_answer(const AttemptResult& attempt);

// How a session that went through the whole queue ends: a batch refused on the way makes
// its answer that error; rows the server has but that could not be removed make it a
// Retry (nothing is lost, but the queue cannot shrink).
struct QueueDone {
  Outcome outcome = Outcome::Success;
  std::optional<Error> error;
};
QueueDone queue_done(const std::optional<Error>& first_rejection, size_t acknowledged_rows);

}  // namespace metrics::upload
