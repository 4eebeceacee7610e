// SPDX-License-Identifier: GPL-2.0-or-later
// One upload session: the queue as it stands when the session starts, oldest first, as
// protocol-3 requests of at most the configured size, each stamped right before it is
// sent, every attempt written to the ledger. Events leave the queue only after a 2xx;
// rows the server acknowledged but that could not be deleted are remembered
// (Store::mark_acknowledged) and never sent again. A 413 splits the batch in halves
// (down to one event); a batch the server refuses for good is set aside and the session
// goes on; an answer that says the destination is wrong (401, 403, 404, 405, 410, 421)
// ends the session at once with Outcome::Pause and every event still queued.
//
// A background session stops at the first transient failure (the scheduler backs off);
// a forced one (UploadEvents) retries a few times at short intervals, then gives up
// with a named error, so a caller never waits through minutes of backoff.
//
// What each answer means is decided in upload_session_logic.hpp; this carries it out on
// the store and the ledger. The transport and the main loop come through
// upload::SessionIo (upload_io.hpp): no I/O of its own.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ledger.hpp"
#include "recorder.hpp"
#include "result.hpp"
#include "upload_batch.hpp"
#include "upload_io.hpp"
#include "upload_policy.hpp"
#include "upload_session_logic.hpp"

namespace metrics {

struct SessionConfig {
  std::string server_base;  // resolved (config::resolve_server_url)
  BatchContext context;
  size_t max_request_bytes = config::kDefaultUploadMaxRequestBytes;
  int64_t granularity_ns = config::kDefaultTimestampGranularitySeconds * upload::kNsPerSecond;
  int gzip_level = 9;
  upload::TransportSettings transport;
  bool forced = false;
};

struct SessionProgress {
  uint64_t sent_events = 0;   // acknowledged by the server
  uint64_t total_events = 0;  // queued when the session began
  uint32_t requests = 0;      // acknowledged requests
  uint64_t set_aside_events = 0;
};

struct SessionResult {
  upload::Outcome outcome = upload::Outcome::Success;  // Success, Retry, Fatal or Pause
  std::optional<Error> error;                          // set unless everything went
  std::optional<int64_t> retry_after_ns;               // the server's Retry-After, with a Retry
  SessionProgress progress;
};

class UploadSession {
 public:
  using ProgressFn = std::function<void(const SessionProgress&)>;
  using DoneFn = std::function<void(SessionResult)>;

  UploadSession(Recorder& recorder, Ledger& ledger, upload::SessionIo& io, SessionConfig config,
                upload::Rng rng, ProgressFn progress, DoneFn done);
  ~UploadSession();
  UploadSession(const UploadSession&) = delete;
  UploadSession& operator=(const UploadSession&) = delete;

  // Told about problems that do not stop the upload (the ledger could not be written).
  std::function<void(const std::string&)> on_warning;

  // Starts on the next main-loop turn: `done` is never called from inside start().
  void start();
  bool forced() const { return config_.forced; }

 private:
  void step();
  void send_current();
  // The encoded body, kept for the ledger until the answer is in (copyable, for the
  // transport's std::function).
  using SharedBytes = std::shared_ptr<GBytes>;
  void on_answer(upload::AttemptResult attempt, SharedBytes shared_body, std::string url,
                 std::string sha512, size_t compressed_size);
  // False when the session ended (the batch could not be set aside).
  bool set_aside_current(const std::string& reason, std::span<const uint8_t> body);
  void acknowledged_current();
  void record(const std::string& url, const std::string& sha512, size_t bytes_sent,
              std::span<const uint8_t> body, const std::string& outcome, int http_status,
              const std::string& message);
  void warn(const std::string& message);
  void schedule_step(int64_t delay_ns);
  // Ends the session on the next step: `done` always runs from the session's own
  // main-loop source, never from inside the transport's callbacks, and is the last thing the
  // session does (the callee may destroy it).
  void finish(SessionResult result);

  Recorder& recorder_;
  Ledger& ledger_;
  upload::SessionIo& io_;
  SessionConfig config_;
  upload::Rng rng_;
  ProgressFn progress_fn_;
  DoneFn done_fn_;
  std::unique_ptr<upload::Transport> http_;
  std::optional<BatchPlanner> planner_;
  std::optional<UploadBatch> current_;
  // Second halves of batches split after a 413, sent (last first) before the planner's next.
  std::vector<UploadBatch> halves_;
  unsigned attempt_ = 0;  // failed attempts of current_
  SessionProgress progress_;
  std::optional<Error> first_rejection_;
  std::unique_ptr<upload::StepTimer> steps_;
  std::optional<SessionResult> result_;
};

}  // namespace metrics
