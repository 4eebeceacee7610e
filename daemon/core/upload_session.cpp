// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_session.hpp"

#include <algorithm>
#include <cstdint>

#include "gzip.hpp"
#include "settings.hpp"
#include "wire.hpp"

namespace metrics {

using upload::Outcome;

namespace {

std::span<const uint8_t> span_of(GBytes* bytes) {
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &size));
  return {data, size};
}

}  // namespace

UploadSession::UploadSession(Recorder& recorder, Ledger& ledger, upload::SessionIo& io,
                             SessionConfig config, upload::Rng rng, ProgressFn progress,
                             DoneFn done)
    : recorder_(recorder),
      ledger_(ledger),
      io_(io),
      config_(std::move(config)),
      rng_(std::move(rng)),
      progress_fn_(std::move(progress)),
      done_fn_(std::move(done)) {}

UploadSession::~UploadSession() = default;

void UploadSession::start() {
  schedule_step(0);
}

void UploadSession::schedule_step(int64_t delay_ns) {
  if (!steps_) steps_ = io_.new_step_timer();
  steps_->schedule(delay_ns, [this] { step(); });
}

void UploadSession::finish(SessionResult result) {
  result.progress = progress_;
  result_ = std::move(result);
  schedule_step(0);
}

void UploadSession::step() {
  if (result_) {
    http_.reset();  // closes the session's connections
    DoneFn done = std::move(done_fn_);
    SessionResult result = std::move(*result_);
    done(std::move(result));  // may destroy this session: nothing after it
    return;
  }
  Store& store = recorder_.store();
  if (!planner_) {
    // What an earlier session could not finish: deletes of acknowledged rows, ledger
    // entries that could not be written.
    if (auto settled = store.settle_acknowledged(); !settled) {
      warn("the server has " + std::to_string(store.acknowledged_count()) +
           " events that still cannot be removed from the queue (they are not sent again): " +
           settled.error().message);
    }
    if (auto flushed = ledger_.flush_pending(); !flushed) {
      warn("cannot write the upload ledger (" + std::to_string(ledger_.pending()) +
           " attempts wait in memory): " + flushed.error().message);
    }
    auto limit = store.queue_limit();
    auto aggregates = store.aggregate_count();
    if (!limit || !aggregates) {
      const Error& e = !limit ? limit.error() : aggregates.error();
      finish({Outcome::Fatal,
              Error{ErrorCode::kStorageFailure, "cannot read the queue: " + e.message},
              std::nullopt,
              {}});
      return;
    }
    const int64_t queued =
        store.singular_count() + *aggregates - static_cast<int64_t>(store.acknowledged_count());
    progress_.total_events = static_cast<uint64_t>(std::max<int64_t>(queued, 0));
    planner_.emplace(store, config_.context, config_.max_request_bytes, *limit);
  }
  if (!current_ && !halves_.empty()) {
    current_ = std::move(halves_.back());
    halves_.pop_back();
    attempt_ = 0;
  }
  if (!current_) {
    auto next = planner_->next();
    if (!next) {
      finish({Outcome::Fatal,
              Error{ErrorCode::kStorageFailure, "cannot read the queue: " + next.error().message},
              std::nullopt,
              {}});
      return;
    }
    if (!next->has_value()) {
      // Done; a batch refused on the way still makes the session's answer an error.
      upload::QueueDone done = upload::queue_done(first_rejection_, store.acknowledged_count());
      finish({done.outcome, std::move(done.error), std::nullopt, {}});
      return;
    }
    current_ = std::move(**next);
    attempt_ = 0;
    if (current_->oversized) {
      stamp(*current_, recorder_.timeline_now(), recorder_.clock().realtime_ns(),
            config_.granularity_ns);
      GBytesPtr encoded = wire::encode(current_->request);
      const std::span<const uint8_t> body = span_of(encoded.get());
      const std::string reason = "one event of " + std::to_string(body.size()) +
                                 " bytes is larger than UploadMaxRequestBytes (" +
                                 std::to_string(config_.max_request_bytes) + ")";
      const std::string sha512 = wire::sha512_hex(body);
      record(config::upload_url(config_.server_base, sha512), sha512, 0, body,
             upload::outcome_name(Outcome::SetAside), 0, reason + "; not sent");
      if (set_aside_current(reason, body)) schedule_step(0);
      return;
    }
    // Reading the batch and encoding it are each a few ms; bus calls get their turn
    // in between.
    schedule_step(0);
    return;
  }
  send_current();
}

void UploadSession::send_current() {
  if (!http_) {
    auto transport = io_.open_transport(config_.transport);
    if (!transport) {
      // Not the server's doing nor the configuration's: the next session tries again.
      finish({Outcome::Retry, transport.error(), std::nullopt, {}});
      return;
    }
    http_ = std::move(*transport);
  }
  stamp(*current_, recorder_.timeline_now(), recorder_.clock().realtime_ns(),
        config_.granularity_ns);
  // One copy of the (up to 1 MiB) body for hashing, compressing and the ledger.
  SharedBytes body(wire::encode(current_->request).release(), g_bytes_unref);
  std::string sha512 = wire::sha512_hex(span_of(body.get()));
  std::string url = config::upload_url(config_.server_base, sha512);
  auto compressed = gzip_compress(span_of(body.get()), config_.gzip_level);
  if (!compressed) {
    finish({Outcome::Fatal, compressed.error(), std::nullopt, {}});
    return;
  }
  const size_t compressed_size = compressed->size();
  http_->put(
      url, *compressed,
      [this, body, url, sha512, compressed_size](Result<upload::AttemptResult> attempt) mutable {
        if (!attempt) {
          // Nothing was sent (the helper refused the settings or could not run):
          // no attempt for the ledger. A configuration that cannot work is fatal.
          finish({upload::outcome_of_unsent(attempt.error()), attempt.error(), std::nullopt, {}});
          return;
        }
        on_answer(std::move(*attempt), std::move(body), std::move(url), std::move(sha512),
                  compressed_size);
      });
}

// By value on purpose: dropping the transport (plan.drop_transport) destroys the callback
// whose captures these were moved from, so references into it would dangle.
// NOLINTBEGIN(performance-unnecessary-value-param)
void UploadSession::on_answer(upload::AttemptResult attempt, SharedBytes shared_body,
                              std::string url, std::string sha512, size_t compressed_size) {
  // NOLINTEND(performance-unnecessary-value-param)
  using Action = upload::AnswerPlan::Action;
  const std::span<const uint8_t> body = span_of(shared_body.get());
  const upload::Classification verdict = upload::classify(attempt, recorder_.clock().realtime_ns());
  const upload::AnswerPlan plan =
      upload::plan_answer(attempt, verdict, current_->request_event_count(), compressed_size,
                          config_.forced, attempt_, rng_);
  if (plan.drop_transport) http_.reset();
  const std::string answer = upload::describe_answer(attempt);
  if (plan.action == Action::Split) {
    record(url, sha512, plan.bytes_sent, body, plan.ledger_outcome, attempt.http_status,
           answer + "; the server finds the request too large: its " +
               std::to_string(current_->request_event_count()) + " events go again in two halves");
    auto [first, second] = split_batch(std::move(*current_));
    current_ = std::move(first);
    halves_.push_back(std::move(second));
    attempt_ = 0;
    schedule_step(0);
    return;
  }
  record(url, sha512, plan.bytes_sent, body, plan.ledger_outcome, attempt.http_status,
         plan.error ? plan.error->message : answer);

  switch (plan.action) {
    case Action::Delete: {
      // Only now, with the server's acknowledgement, do the events leave the queue.
      Store& store = recorder_.store();
      if (auto r = store.delete_uploaded(current_->singular_ids, current_->aggregate_ids); !r) {
        // The server has the batch but it is still queued: remember it so that it is never
        // sent again, retry the delete at the next session, and stop (storage misbehaves).
        const size_t events = current_->event_count();
        acknowledged_current();
        finish(
            {Outcome::Retry,
             Error{ErrorCode::kStorageFailure,
                   "the server accepted " + std::to_string(events) +
                       " events, but they cannot be removed from the queue (" + r.error().message +
                       "); they are not sent again, and removing them is retried at the "
                       "next upload"},
             std::nullopt,
             {}});
        return;
      }
      progress_.sent_events += current_->event_count();
      ++progress_.requests;
      current_.reset();
      if (progress_fn_) progress_fn_(progress_);
      schedule_step(0);
      return;
    }
    case Action::SetAside: {
      std::string reason = answer;
      if (attempt.http_status == 413)
        reason += "; the server refuses even this single event as too large";
      if (!set_aside_current(reason, body)) return;
      if (!first_rejection_) first_rejection_ = plan.error;
      schedule_step(0);
      return;
    }
    case Action::Resend:
      ++attempt_;
      schedule_step(plan.delay_ns);
      return;
    case Action::Split:  // handled above
    case Action::End:
      finish({plan.outcome, plan.error, plan.retry_after_ns, {}});
      return;
  }
}

void UploadSession::acknowledged_current() {
  Store& store = recorder_.store();
  if (auto r = store.mark_acknowledged(current_->singular_ids, current_->aggregate_ids); !r) {
    warn("the server has " + std::to_string(store.acknowledged_count()) +
         " events that cannot be removed from the queue; they are remembered in memory only "
         "(a restart now would send them once more): " +
         r.error().message);
  }
  progress_.sent_events += current_->event_count();
  ++progress_.requests;
  current_.reset();
  if (progress_fn_) progress_fn_(progress_);
}

bool UploadSession::set_aside_current(const std::string& reason, std::span<const uint8_t> body) {
  auto r = recorder_.store().set_aside_batch(current_->singular_ids, current_->aggregate_ids,
                                             reason, body);
  if (!r) {
    finish(
        {Outcome::Fatal,
         Error{ErrorCode::kStorageFailure,
               "cannot set the refused batch aside (its events stay queued): " + r.error().message},
         std::nullopt,
         {}});
    return false;
  }
  if (*r > 0) {
    warn("dropped the " + std::to_string(*r) +
         " oldest set-aside batches with their events: at most " +
         std::to_string(Store::kMaxSetAsideBatches) + " are kept");
  }
  warn("set aside " + std::to_string(current_->event_count()) + " events (" + reason +
       "); 'metricsctl set-aside list' shows them, 'metricsctl set-aside requeue' puts them "
       "back in the queue");
  progress_.set_aside_events += current_->event_count();
  current_.reset();
  return true;
}

void UploadSession::warn(const std::string& message) {
  if (on_warning) on_warning(message);
}

void UploadSession::record(const std::string& url, const std::string& sha512, size_t bytes_sent,
                           std::span<const uint8_t> body, const std::string& outcome,
                           int http_status, const std::string& message) {
  LedgerAttempt a;
  a.time_ns = recorder_.clock().realtime_ns();
  a.url = url;
  a.sha512 = sha512;
  a.compressed_size = bytes_sent;
  a.uncompressed_size = body.size();
  a.singular_events = current_->request.singulars.size();
  a.aggregate_events = current_->request.aggregates.size();
  a.outcome = outcome;
  a.http_status = http_status;
  a.message = message;
  a.body = body;
  // The ledger is for people; failing to write it must not stop the upload (the attempt
  // waits in memory and is written later).
  if (auto r = ledger_.record_attempt(a); !r)
    warn("cannot write the upload ledger: " + r.error().message);
}

}  // namespace metrics
