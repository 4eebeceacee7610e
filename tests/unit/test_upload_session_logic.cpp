// SPDX-License-Identifier: GPL-2.0-or-later
// What each transport result means for the batch in flight (upload_session_logic.hpp).
#include "upload_session_logic.hpp"

#include <gtest/gtest.h>

namespace metrics::upload {
namespace {

constexpr int64_t kS = kNsPerSecond;
constexpr int64_t kNow = 1'700'000'000 * kS;

Rng fixed(double u) {
  return [u] { return u; };
}

AnswerPlan plan_for(const AttemptResult& a, size_t events = 10, bool forced = false,
                    unsigned failed = 0) {
  return plan_answer(a, classify(a, kNow), events, 4321, forced, failed, fixed(0.5));
}

AttemptResult http(int status, const std::string& retry_after = "") {
  AttemptResult a;
  a.http_status = status;
  a.retry_after = retry_after;
  return a;
}

AttemptResult failed(NetworkError error, uint64_t bytes_sent = 0) {
  AttemptResult a;
  a.network_error = error;
  a.bytes_sent = bytes_sent;
  a.detail = "detail";
  return a;
}

TEST(UploadSessionLogicTest, OnlyAnAcknowledgementDeletesTheBatch) {
  for (int status : {200, 201, 204, 299}) {
    const AnswerPlan p = plan_for(http(status));
    EXPECT_EQ(p.action, AnswerPlan::Action::Delete) << status;
    EXPECT_EQ(p.ledger_outcome, "Success");
    EXPECT_FALSE(p.error.has_value());
    EXPECT_EQ(p.bytes_sent, 4321U);
  }
  // Nothing else deletes: every other answer keeps the events (queued or set aside).
  for (int status : {100, 301, 400, 401, 404, 408, 413, 429, 500, 503, 600}) {
    EXPECT_NE(plan_for(http(status)).action, AnswerPlan::Action::Delete) << status;
    EXPECT_NE(plan_for(http(status), 1, true).action, AnswerPlan::Action::Delete) << status;
  }
  for (NetworkError e :
       {NetworkError::Timeout, NetworkError::ConnectionReset, NetworkError::HelperFailure,
        NetworkError::MalformedResponse, NetworkError::Configuration}) {
    EXPECT_NE(plan_for(failed(e)).action, AnswerPlan::Action::Delete);
  }
}

TEST(UploadSessionLogicTest, A413SplitsUntilOneEventIsLeft) {
  AnswerPlan p = plan_for(http(413), 2);
  EXPECT_EQ(p.action, AnswerPlan::Action::Split);
  EXPECT_EQ(p.ledger_outcome, "Split");
  p = plan_for(http(413), 1);
  EXPECT_EQ(p.action, AnswerPlan::Action::SetAside);
  EXPECT_EQ(p.ledger_outcome, "SetAside");
}

TEST(UploadSessionLogicTest, ARefusedBatchIsSetAsideWithANamedError) {
  const AnswerPlan p = plan_for(http(400));
  EXPECT_EQ(p.action, AnswerPlan::Action::SetAside);
  ASSERT_TRUE(p.error.has_value());
  EXPECT_EQ(p.error->code, ErrorCode::kUploadRejected);
}

TEST(UploadSessionLogicTest, AWrongDestinationEndsTheSessionWithPause) {
  for (int status : {401, 403, 404, 405, 410, 421}) {
    const AnswerPlan p = plan_for(http(status), 10, true);
    EXPECT_EQ(p.action, AnswerPlan::Action::End) << status;
    EXPECT_EQ(p.outcome, Outcome::Pause) << status;
    EXPECT_EQ(p.error->code, ErrorCode::kUploadDestinationWrong);
  }
}

TEST(UploadSessionLogicTest, ABackgroundSessionStopsAtTheFirstTransientFailure) {
  const AnswerPlan p = plan_for(http(503, "120"));
  EXPECT_EQ(p.action, AnswerPlan::Action::End);
  EXPECT_EQ(p.outcome, Outcome::Retry);
  ASSERT_TRUE(p.retry_after_ns.has_value());
  EXPECT_EQ(*p.retry_after_ns, 120 * kS);
  EXPECT_EQ(p.error->code, ErrorCode::kUploadServerError);
}

TEST(UploadSessionLogicTest, AForcedSessionRetriesShortlyThenGivesUp) {
  AnswerPlan p = plan_for(http(503), 10, true, 0);
  EXPECT_EQ(p.action, AnswerPlan::Action::Resend);
  EXPECT_EQ(p.delay_ns, kS / 2);  // half of the 1 s window
  p = plan_for(http(503), 10, true, 1);
  EXPECT_EQ(p.action, AnswerPlan::Action::Resend);
  EXPECT_EQ(p.delay_ns, kS);  // half of 2 s
  p = plan_for(http(503), 10, true, kForcedAttempts - 1);
  EXPECT_EQ(p.action, AnswerPlan::Action::End);
  EXPECT_EQ(p.outcome, Outcome::Retry);
  // A Retry-After the caller should not wait through ends it at once.
  p = plan_for(http(429, "60"), 10, true, 0);
  EXPECT_EQ(p.action, AnswerPlan::Action::End);
  EXPECT_EQ(*p.retry_after_ns, 60 * kS);
  // A short one is waited for.
  p = plan_for(http(429, "5"), 10, true, 0);
  EXPECT_EQ(p.action, AnswerPlan::Action::Resend);
  EXPECT_EQ(p.delay_ns, 5 * kS);
}

TEST(UploadSessionLogicTest, TransportFailuresCountWhatLeftTheMachine) {
  AnswerPlan p = plan_for(failed(NetworkError::ConnectionReset, 17));
  EXPECT_EQ(p.bytes_sent, 17U);
  EXPECT_FALSE(p.drop_transport);
  EXPECT_EQ(p.outcome, Outcome::Retry);
  // A failed helper may have sent everything; the next attempt needs a new one.
  p = plan_for(failed(NetworkError::HelperFailure, 17));
  EXPECT_EQ(p.bytes_sent, 4321U);
  EXPECT_TRUE(p.drop_transport);
  // A configuration that cannot work: no retry.
  p = plan_for(failed(NetworkError::Configuration), 10, true);
  EXPECT_EQ(p.action, AnswerPlan::Action::End);
  EXPECT_EQ(p.outcome, Outcome::Fatal);
}

TEST(UploadSessionLogicTest, ARequestNeverSentIsFatalOnlyForABadConfiguration) {
  EXPECT_EQ(outcome_of_unsent(Error{ErrorCode::kUploadConfigurationInvalid, "x"}), Outcome::Fatal);
  EXPECT_EQ(outcome_of_unsent(Error{ErrorCode::kUploadHelperFailed, "x"}), Outcome::Retry);
}

TEST(UploadSessionLogicTest, DescribesAnswers) {
  AttemptResult a = http(503);
  a.detail = "busy";
  EXPECT_EQ(describe_answer(a), "HTTP 503: busy");
  EXPECT_EQ(describe_answer(http(200)), "HTTP 200");
  EXPECT_EQ(describe_answer(failed(NetworkError::Timeout)), "detail");
}

TEST(UploadSessionLogicTest, TheEndOfTheQueueReportsRefusalsAndUndeletedRows) {
  QueueDone d = queue_done(std::nullopt, 0);
  EXPECT_EQ(d.outcome, Outcome::Success);
  EXPECT_FALSE(d.error.has_value());
  d = queue_done(Error{ErrorCode::kUploadRejected, "refused"}, 0);
  EXPECT_EQ(d.outcome, Outcome::Success);
  EXPECT_EQ(d.error->code, ErrorCode::kUploadRejected);
  d = queue_done(std::nullopt, 3);
  EXPECT_EQ(d.outcome, Outcome::Retry);
  EXPECT_EQ(d.error->code, ErrorCode::kStorageFailure);
  EXPECT_NE(d.error->message.find("3 events"), std::string::npos);
}

}  // namespace
}  // namespace metrics::upload
