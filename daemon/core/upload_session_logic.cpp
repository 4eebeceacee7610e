// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_session_logic.hpp"

#include <algorithm>

namespace metrics::upload {

std::string describe_answer(const AttemptResult& attempt) {
  if (attempt.network_error != NetworkError::None) return attempt.detail;
  std::string text = "HTTP " + std::to_string(attempt.http_status);
  if (!attempt.detail.empty()) text += ": " + attempt.detail;
  return text;
}

AnswerPlan plan_answer(const AttemptResult& attempt, const Classification& verdict,
                       size_t request_events, size_t compressed_size, bool forced,
                       unsigned failed_attempts, const Rng& rng) {
  AnswerPlan plan;
  plan.outcome = verdict.outcome;
  plan.error = verdict.error;
  plan.ledger_outcome = outcome_name(verdict.outcome);
  plan.drop_transport = attempt.network_error == NetworkError::HelperFailure;
  // What left the machine: the helper counts it when the request failed on the way (0
  // when it never connected); a helper that failed may have sent it all.
  const bool transport_failed = attempt.network_error != NetworkError::None &&
                                attempt.network_error != NetworkError::HelperFailure;
  plan.bytes_sent = transport_failed
                        ? static_cast<size_t>(std::min<uint64_t>(attempt.bytes_sent, SIZE_MAX))
                        : compressed_size;
  switch (verdict.outcome) {
    case Outcome::Success:
      plan.action = AnswerPlan::Action::Delete;
      return plan;
    case Outcome::SetAside:
      // 413: the request is too large for this server, not wrong; smaller ones may pass.
      if (attempt.http_status == 413 && request_events > 1) {
        plan.action = AnswerPlan::Action::Split;
        plan.ledger_outcome = "Split";
      } else {
        plan.action = AnswerPlan::Action::SetAside;
      }
      return plan;
    case Outcome::Retry: {
      const unsigned failed = failed_attempts + 1;
      if (forced && failed < kForcedAttempts) {
        const int64_t delay = kForcedBackoff.next_delay(failed - 1, rng, verdict.retry_after_ns);
        if (delay <= kForcedMaxWaitNs) {
          plan.action = AnswerPlan::Action::Resend;
          plan.delay_ns = delay;
          return plan;
        }
      }
      plan.action = AnswerPlan::Action::End;
      plan.retry_after_ns = verdict.retry_after_ns;
      return plan;
    }
    case Outcome::Fatal:
    case Outcome::Pause:
      // Pause: the destination is wrong; every event, this batch's too, stays queued.
      plan.action = AnswerPlan::Action::End;
      return plan;
  }
  return plan;
}

Outcome outcome_of_unsent(const Error& error) {
  return error.code == ErrorCode::kUploadConfigurationInvalid ? Outcome::Fatal : Outcome::Retry;
}

QueueDone queue_done(const std::optional<Error>& first_rejection, size_t acknowledged_rows) {
  if (!first_rejection && acknowledged_rows > 0) {
    return {Outcome::Retry,
            Error{ErrorCode::kStorageFailure,
                  "the server has " + std::to_string(acknowledged_rows) +
                      " events that cannot be removed from the queue yet (is the disk "
                      "full?); they are not sent again, and removing them is retried at the "
                      "next upload"}};
  }
  return {Outcome::Success, first_rejection};
}

}  // namespace metrics::upload
