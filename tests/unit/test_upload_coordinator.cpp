// SPDX-License-Identifier: GPL-2.0-or-later
// The upload scheduler and its sessions (UploadCoordinator, UploadSession) against a real
// queue in a temporary directory, with a fake clock, network, wake-up timer and
// transport (upload_fakes.hpp): no network, no helper process, no main loop, no sleeping.
#include "upload_coordinator.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "ledger.hpp"
#include "recorder.hpp"
#include "store.hpp"
#include "temp_dir.hpp"
#include "upload_fakes.hpp"
#include "uuid.hpp"

namespace metrics {
namespace {

using testing::FakeClock;
using testing::FakeNetwork;
using testing::FakeSessionIo;
using testing::FakeWakeTimer;
using testing::seconds;
using testing::TempDir;

constexpr int64_t kInterval = 30 * 60 * testing::kNsPerSecond;  // production
constexpr const char* kBase = "https://metrics.example.org/";

Uuid uuid_n(uint32_t n) {
  Uuid u = Uuid::parse("49d0451a-f706-4f50-81d2-70cc0ec923a4").value();
  u.bytes[15] = static_cast<uint8_t>(n);
  u.bytes[14] = static_cast<uint8_t>(n >> 8);
  return u;
}

std::filesystem::path scratch_root() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return {};
}

// The replies of one forced upload (UploadEvents).
struct Replies {
  std::vector<Result<SessionProgress>> got;
  UploadCoordinator::Reply reply() {
    return [this](Result<SessionProgress> r) { got.push_back(std::move(r)); };
  }
};

class UploadCoordinatorTest : public ::testing::Test {
 protected:
  UploadCoordinatorTest() : clock_(seconds(5000), seconds(4000), seconds(1'700'000'000)) { open(); }
  ~UploadCoordinatorTest() override { close(); }

  // The daemon starting (again) on the queue in dir_.
  void open() {
    auto s = Store::open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    RecorderOptions o;
    o.os_version = "6.0";
    o.boot_id = "boot-1";
    o.settings = settings_;
    recorder_ = std::make_unique<Recorder>(clock_, *store_, o);
    ASSERT_TRUE(recorder_->start().ok());
    ledger_ = std::make_unique<Ledger>(*store_);
    io_ = std::make_unique<FakeSessionIo>(clock_);
    // u = 0.5: first slot half an interval away, no jitter, half of each backoff window.
    uploads_ = std::make_unique<UploadCoordinator>(
        *recorder_, *ledger_, settings_, BatchContext{}, [] { return 0.5; }, network_, timer_,
        *io_);
    uploads_->on_log = [this](int, const std::string& m) { log_.push_back(m); };
  }
  // The daemon ending (or dying: nothing is flushed or answered first).
  void close() {
    uploads_.reset();
    io_.reset();
    ledger_.reset();
    recorder_.reset();
    store_.reset();
  }

  void queue(uint32_t n) {
    ASSERT_TRUE(store_->begin().ok());
    for (uint32_t i = 0; i < n; ++i) {
      const std::vector<uint8_t> payload;
      ASSERT_TRUE(
          store_->add_singular(1000, uuid_n(next_event_++), "6.0", seconds(10), payload, 60).ok());
    }
    ASSERT_TRUE(store_->commit().ok());
  }
  int64_t queued() const { return store_->singular_count(); }

  void grant(const std::string& base = kBase, const std::string& environment = "production") {
    uploads_->set_permission(true, base, environment);
  }
  // The wake-up timer fires at the time it was armed for.
  void fire_timer() {
    ASSERT_TRUE(timer_.armed_at.has_value()) << "the timer is not armed";
    if (*timer_.armed_at > clock_.boottime) clock_.advance(*timer_.armed_at - clock_.boottime);
    timer_.armed_at.reset();
    uploads_->wake();
  }
  testing::FakeServer& server() { return io_->server; }
  UploadState state() const { return uploads_->status().state; }

  // On a tmpfs when there is one: these tests are about decisions, not about fsync.
  TempDir dir_{"metrics-test-upload-coordinator", scratch_root()};
  FakeClock clock_;
  config::RecorderSettings settings_;
  FakeNetwork network_;
  FakeWakeTimer timer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<FakeSessionIo> io_;
  std::unique_ptr<UploadCoordinator> uploads_;
  std::vector<std::string> log_;
  uint32_t next_event_ = 1;
};

TEST_F(UploadCoordinatorTest, NothingIsPlannedOrSentUntilUploadingIsGranted) {
  queue(3);
  uploads_->wake();
  EXPECT_FALSE(timer_.armed_at.has_value());
  Replies r;
  uploads_->upload_now(r.reply());
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kUploadingDisabled);
  EXPECT_EQ(io_->run(), 0U);
  EXPECT_TRUE(server().urls.empty());
  EXPECT_EQ(state(), UploadState::kDisabled);
}

TEST_F(UploadCoordinatorTest, UploadsAtEachSlotAndDeletesWhatTheServerAcknowledged) {
  queue(3);
  const int64_t start = clock_.boottime;
  grant();
  EXPECT_EQ(state(), UploadState::kIdle);
  ASSERT_TRUE(timer_.armed_at.has_value());
  EXPECT_EQ(*timer_.armed_at, start + kInterval / 2);
  EXPECT_EQ(uploads_->status().next_time_wall_ns, clock_.realtime + kInterval / 2);

  fire_timer();
  EXPECT_EQ(state(), UploadState::kUploading);
  EXPECT_FALSE(timer_.armed_at.has_value());
  io_->run();
  ASSERT_EQ(server().pending.size(), 1U);
  EXPECT_EQ(server().urls[0].rfind(std::string(kBase), 0), 0U) << server().urls[0];
  EXPECT_EQ(queued(), 3);  // sent, not yet acknowledged: still queued
  ASSERT_TRUE(server().answer_status(200));
  io_->run();

  EXPECT_EQ(queued(), 0);
  ASSERT_TRUE(uploads_->status().last_result);
  EXPECT_TRUE(uploads_->status().last_result->ok());
  EXPECT_EQ(uploads_->status().last_message, "uploaded 3 events in 1 request");
  EXPECT_EQ(state(), UploadState::kIdle);
  ASSERT_TRUE(timer_.armed_at.has_value());
  EXPECT_EQ(*timer_.armed_at, clock_.boottime + kInterval);
  EXPECT_EQ(server().transports_closed, server().transports_opened);  // helper ended
  auto ledger = ledger_->recent(10);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 1U);
  EXPECT_EQ((*ledger)[0].outcome, "Success");
  EXPECT_EQ((*ledger)[0].http_status, 200);
}

TEST_F(UploadCoordinatorTest, BacksOffAfterATransientFailureAndHonoursRetryAfter) {
  queue(2);
  grant();
  fire_timer();
  io_->run();
  ASSERT_TRUE(server().answer_status(503, "600"));
  io_->run();
  EXPECT_EQ(state(), UploadState::kRetrying);
  ASSERT_TRUE(uploads_->status().last_result && !uploads_->status().last_result->ok());
  EXPECT_EQ(uploads_->status().last_result->error().code, ErrorCode::kUploadServerError);
  EXPECT_EQ(queued(), 2);
  ASSERT_TRUE(timer_.armed_at.has_value());
  EXPECT_EQ(*timer_.armed_at, clock_.boottime + seconds(600));  // longer than 15 s of backoff

  // Without Retry-After: half of the doubled window (60 s).
  fire_timer();
  io_->run();
  ASSERT_TRUE(server().answer_status(500));
  io_->run();
  EXPECT_EQ(*timer_.armed_at, clock_.boottime + seconds(30));
  EXPECT_EQ(server().urls.size(), 2U);  // a background session does not retry by itself

  fire_timer();
  io_->run();
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(state(), UploadState::kIdle);
  EXPECT_EQ(*timer_.armed_at, clock_.boottime + kInterval);
}

TEST_F(UploadCoordinatorTest, OfflineSendsNothingAndTheMissedSlotFiresWhenTheNetworkReturns) {
  queue(1);
  network_.up = false;
  grant();
  EXPECT_EQ(state(), UploadState::kOffline);
  EXPECT_FALSE(timer_.armed_at.has_value());
  Replies r;
  uploads_->upload_now(r.reply());
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kNetworkUnavailable);

  clock_.advance(kInterval * 4);
  uploads_->wake();
  io_->run();
  EXPECT_TRUE(server().urls.empty());

  network_.up = true;
  uploads_->wake();  // the monitor says the network changed
  EXPECT_EQ(state(), UploadState::kUploading);
  io_->run();
  EXPECT_EQ(server().urls.size(), 1U);
}

TEST_F(UploadCoordinatorTest, AMeteredConnectionWaitsUnlessAllowed) {
  queue(1);
  network_.metered_connection = true;
  grant();
  EXPECT_EQ(state(), UploadState::kMetered);
  Replies r;
  uploads_->upload_now(r.reply());
  EXPECT_EQ(r.got.at(0).error().code, ErrorCode::kNetworkMetered);
  EXPECT_TRUE(server().urls.empty());

  // AllowMeteredUploads, read again from recorder.conf before a forced upload.
  uploads_->set_settings_source([this] {
    config::RecorderSettings s = settings_;
    s.allow_metered_uploads = true;
    return s;
  });
  Replies forced;
  uploads_->upload_now(forced.reply());
  io_->run();
  EXPECT_EQ(server().urls.size(), 1U);
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  ASSERT_EQ(forced.got.size(), 1U);
  ASSERT_TRUE(forced.got[0].ok());
  EXPECT_EQ(forced.got[0]->sent_events, 1U);
}

TEST_F(UploadCoordinatorTest, AForcedUploadJoinsTheRunningForcedSession) {
  queue(4);
  grant();
  Replies first, second;
  uploads_->upload_now(first.reply());
  io_->run();
  uploads_->upload_now(second.reply());  // while the request is in flight
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  EXPECT_EQ(server().urls.size(), 1U);  // one session for both callers
  ASSERT_EQ(first.got.size(), 1U);
  ASSERT_EQ(second.got.size(), 1U);
  ASSERT_TRUE(second.got[0].ok());
  EXPECT_EQ(second.got[0]->sent_events, 4U);
  EXPECT_EQ(second.got[0]->total_events, 4U);
  EXPECT_EQ(queued(), 0);
}

TEST_F(UploadCoordinatorTest, AForcedUploadDuringABackgroundSessionGetsAForcedOneAfterIt) {
  queue(2);
  grant();
  fire_timer();
  io_->run();
  Replies forced;
  uploads_->upload_now(forced.reply());
  queue(1);  // recorded while the background session runs
  ASSERT_TRUE(server().answer_status(503));
  io_->run();
  EXPECT_TRUE(forced.got.empty());  // the background failure is not its answer
  // The forced session started right after, with the whole queue.
  ASSERT_EQ(server().urls.size(), 2U);
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  ASSERT_EQ(forced.got.size(), 1U);
  ASSERT_TRUE(forced.got[0].ok());
  EXPECT_EQ(forced.got[0]->sent_events, 3U);
  EXPECT_EQ(queued(), 0);
}

TEST_F(UploadCoordinatorTest, AForcedSessionRetriesAFewTimesThenNamesTheError) {
  queue(1);
  grant();
  Replies r;
  uploads_->upload_now(r.reply());
  for (unsigned i = 0; i < upload::kForcedAttempts; ++i) {
    io_->run();
    ASSERT_TRUE(server().answer_network_error(upload::NetworkError::Timeout)) << i;
  }
  io_->run();
  EXPECT_EQ(server().urls.size(), upload::kForcedAttempts);
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kUploadTimeout);
  EXPECT_EQ(queued(), 1);
}

TEST_F(UploadCoordinatorTest, DecliningCancelsTheRunningSessionAndKeepsEveryEvent) {
  queue(3);
  grant();
  Replies r;
  uploads_->upload_now(r.reply());
  io_->run();
  ASSERT_EQ(server().pending.size(), 1U);

  uploads_->set_permission(false, Error{ErrorCode::kUploadingDisabled, "not granted"},
                           "production");
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kUploadingDisabled);
  EXPECT_EQ(state(), UploadState::kDisabled);
  EXPECT_FALSE(timer_.armed_at.has_value());
  EXPECT_EQ(uploads_->status().next_time_wall_ns, 0);
  // The answer arriving now reaches nobody: nothing is deleted, nothing more is sent or
  // written to the ledger.
  EXPECT_FALSE(server().answer_status(200));
  EXPECT_EQ(io_->run(), 0U);
  EXPECT_EQ(queued(), 3);
  EXPECT_EQ(server().urls.size(), 1U);
  EXPECT_EQ(ledger_->recent(10)->size(), 0U);
  EXPECT_EQ(server().transports_closed, server().transports_opened);
}

TEST_F(UploadCoordinatorTest, AWrongDestinationPausesUploadingUntilTheUrlChanges) {
  queue(2);
  grant();
  fire_timer();
  io_->run();
  ASSERT_TRUE(server().answer_status(404));
  io_->run();
  EXPECT_EQ(state(), UploadState::kPaused);
  ASSERT_TRUE(uploads_->status().last_result && !uploads_->status().last_result->ok());
  EXPECT_EQ(uploads_->status().last_result->error().code, ErrorCode::kUploadDestinationWrong);
  EXPECT_EQ(queued(), 2);  // fail closed: nothing set aside, nothing deleted
  EXPECT_EQ(store_->set_aside_count().value(), 0);
  EXPECT_FALSE(timer_.armed_at.has_value());
  EXPECT_EQ(uploads_->status().next_time_wall_ns, 0);

  // Hours pass, the network changes: still nothing is sent.
  clock_.advance(kInterval * 10);
  uploads_->wake();
  EXPECT_EQ(io_->run(), 0U);
  EXPECT_EQ(server().urls.size(), 1U);
  // The same URL granted again: still paused.
  grant();
  EXPECT_EQ(state(), UploadState::kPaused);
  EXPECT_FALSE(timer_.armed_at.has_value());

  grant("https://fixed.example.org/");
  EXPECT_EQ(state(), UploadState::kIdle);
  ASSERT_TRUE(timer_.armed_at.has_value());
  EXPECT_NE(uploads_->status().last_message.find("uploading resumed"), std::string::npos);
  fire_timer();
  io_->run();
  ASSERT_EQ(server().urls.size(), 2U);
  EXPECT_EQ(server().urls[1].rfind("https://fixed.example.org/", 0), 0U);
}

TEST_F(UploadCoordinatorTest, AForcedUploadThatGoesThroughEndsAPause) {
  queue(1);
  grant();
  fire_timer();
  io_->run();
  ASSERT_TRUE(server().answer_status(401));
  io_->run();
  ASSERT_EQ(state(), UploadState::kPaused);
  Replies r;
  uploads_->upload_now(r.reply());
  io_->run();
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  ASSERT_TRUE(r.got.at(0).ok());
  EXPECT_EQ(state(), UploadState::kIdle);
  EXPECT_TRUE(timer_.armed_at.has_value());
}

TEST_F(UploadCoordinatorTest, AnUnusableDestinationSettingSendsNothing) {
  queue(2);
  grant();
  uploads_->set_settings_source([this] {
    config::RecorderSettings s = settings_;
    s.upload_problem = "ProxyUrl in recorder.conf is not a proxy URL";
    return s;
  });
  Replies r;
  uploads_->upload_now(r.reply());
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kUploadConfigurationInvalid);
  EXPECT_EQ(state(), UploadState::kPaused);
  EXPECT_EQ(uploads_->status().last_message, "ProxyUrl in recorder.conf is not a proxy URL");
  // The slots go on (each reads recorder.conf again), but none sends anything.
  for (int i = 0; i < 3; ++i) {
    fire_timer();
    io_->run();
  }
  EXPECT_EQ(server().transports_opened, 0U);
  EXPECT_EQ(queued(), 2);

  // An unusable server URL: nothing either.
  uploads_->set_permission(true, Error{ErrorCode::kInvalidServerUrl, "server_url is not https"},
                           "production");
  EXPECT_EQ(state(), UploadState::kPaused);
  EXPECT_FALSE(timer_.armed_at.has_value());
  Replies bad_url;
  uploads_->upload_now(bad_url.reply());
  EXPECT_EQ(bad_url.got.at(0).error().code, ErrorCode::kInvalidServerUrl);
  EXPECT_EQ(server().transports_opened, 0U);
}

TEST_F(UploadCoordinatorTest, A413SplitsTheBatchInHalves) {
  settings_.upload_max_request_bytes = 150;  // two events a request
  close();
  open();
  queue(2);
  grant();
  Replies r;
  uploads_->upload_now(r.reply());
  io_->run();
  ASSERT_TRUE(server().answer_status(413));
  io_->run();
  ASSERT_TRUE(server().answer_status(200));  // the first half
  io_->run();
  ASSERT_TRUE(server().answer_status(200));  // the second
  io_->run();
  EXPECT_EQ(server().urls.size(), 3U);
  ASSERT_TRUE(r.got.at(0).ok());
  EXPECT_EQ(r.got[0]->sent_events, 2U);
  EXPECT_EQ(r.got[0]->requests, 2U);
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(store_->set_aside_count().value(), 0);
  auto ledger = ledger_->recent(10);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 3U);
  EXPECT_EQ(ledger->back().outcome, "Split");
}

TEST_F(UploadCoordinatorTest, ARefusedBatchIsSetAsideAndTheSessionGoesOn) {
  // Requests of two events each (the events of this queue are small).
  settings_.upload_max_request_bytes = 150;
  close();
  open();
  queue(6);
  grant();
  Replies r;
  uploads_->upload_now(r.reply());
  io_->run();
  ASSERT_TRUE(server().answer_status(400));  // the first batch, refused for good
  io_->run();
  unsigned batches = 1;
  while (server().answer_status(200)) {
    ++batches;
    io_->run();
  }
  EXPECT_EQ(batches, 3U);
  EXPECT_EQ(queued(), 0);
  EXPECT_EQ(store_->set_aside_count().value(), 1);
  EXPECT_EQ(store_->set_aside_event_count().value(), 2);
  auto ledger = ledger_->recent(10);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 3U);
  EXPECT_EQ(ledger->back().outcome, "SetAside");  // the oldest entry
  EXPECT_EQ(ledger->back().http_status, 400);
  // The session's answer is the refusal, though the rest went.
  ASSERT_EQ(r.got.size(), 1U);
  EXPECT_EQ(r.got[0].error().code, ErrorCode::kUploadRejected);
  EXPECT_EQ(uploads_->status().state, UploadState::kIdle);
}

TEST_F(UploadCoordinatorTest, ACrashBetweenTheServersAnswerAndTheDeleteSendsTheEventsAgain) {
  queue(5);
  grant();
  Replies r;
  uploads_->upload_now(r.reply());
  io_->run();
  ASSERT_EQ(server().pending.size(), 1U);
  const std::vector<uint8_t> first_body = server().pending.front().gzip_body;
  // The server has stored the batch and answered, but the daemon dies before it handles
  // the answer (and so before the delete).
  close();
  open();
  EXPECT_EQ(queued(), 5);  // nothing lost

  grant();
  Replies again;
  uploads_->upload_now(again.reply());
  io_->run();
  ASSERT_EQ(server().pending.size(), 1U);
  EXPECT_EQ(server().pending.front().gzip_body, first_body);  // the very same request
  ASSERT_TRUE(server().answer_status(200));
  io_->run();
  ASSERT_EQ(again.got.size(), 1U);
  ASSERT_TRUE(again.got[0].ok());
  EXPECT_EQ(again.got[0]->sent_events, 5U);  // the same events, sent again
  EXPECT_EQ(server().urls.size(), 1U);
  EXPECT_EQ(queued(), 0);
}

TEST_F(UploadCoordinatorTest, AHelperThatCannotStartIsRetriedLater) {
  queue(1);
  grant();
  server().refuse_open = Error{ErrorCode::kUploadHelperFailed, "cannot start the upload helper"};
  fire_timer();
  io_->run();
  EXPECT_TRUE(server().urls.empty());
  EXPECT_EQ(state(), UploadState::kRetrying);
  ASSERT_TRUE(uploads_->status().last_result && !uploads_->status().last_result->ok());
  EXPECT_EQ(uploads_->status().last_result->error().code, ErrorCode::kUploadHelperFailed);
  EXPECT_EQ(*timer_.armed_at, clock_.boottime + seconds(15));
  EXPECT_EQ(queued(), 1);
}

}  // namespace
}  // namespace metrics
