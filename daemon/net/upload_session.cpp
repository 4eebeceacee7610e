#include "upload_session.hpp"

#include <algorithm>

#include "gzip.hpp"
#include "settings.hpp"
#include "wire.hpp"

namespace metrics::net {

using upload::Outcome;

namespace {

// Between the attempts of a forced session: short, jittered, capped.
constexpr upload::Backoff kForcedBackoff{upload::kNsPerSecond, 4 * upload::kNsPerSecond};

std::span<const uint8_t> span_of(GBytes* bytes) {
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes, &size));
  return {data, size};
}

std::string describe_answer(const upload::AttemptResult& attempt) {
  if (attempt.network_error != upload::NetworkError::None) return attempt.detail;
  std::string text = "HTTP " + std::to_string(attempt.http_status);
  if (!attempt.detail.empty()) text += ": " + attempt.detail;
  return text;
}

}  // namespace

UploadSession::UploadSession(Recorder& recorder, Ledger& ledger, SessionConfig config,
                             upload::Rng rng, ProgressFn progress, DoneFn done)
    : recorder_(recorder),
      ledger_(ledger),
      config_(std::move(config)),
      rng_(std::move(rng)),
      progress_fn_(std::move(progress)),
      done_fn_(std::move(done)) {}

UploadSession::~UploadSession() = default;

void UploadSession::start() {
  schedule_step(0);
}

void UploadSession::schedule_step(int64_t delay_ns) {
  const auto ms = static_cast<guint>(std::clamp<int64_t>(delay_ns / 1'000'000, 0, G_MAXUINT));
  step_source_.reset(ms == 0 ? g_idle_source_new() : g_timeout_source_new(ms));
  g_source_set_callback(step_source_.get(), &UploadSession::on_step, this, nullptr);
  g_source_attach(step_source_.get(), nullptr);
}

gboolean UploadSession::on_step(gpointer self) {
  static_cast<UploadSession*>(self)->step();
  return G_SOURCE_REMOVE;
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
    auto limit = store.queue_limit();
    auto aggregates = store.aggregate_count();
    if (!limit || !aggregates) {
      const Error& e = !limit ? limit.error() : aggregates.error();
      finish({Outcome::Fatal,
              Error{"StorageFailure", "cannot read the queue: " + e.message},
              std::nullopt,
              {}});
      return;
    }
    progress_.total_events = static_cast<uint64_t>(store.singular_count() + *aggregates);
    planner_.emplace(store, config_.context, config_.max_request_bytes, *limit);
  }
  if (!current_) {
    auto next = planner_->next();
    if (!next) {
      finish({Outcome::Fatal,
              Error{"StorageFailure", "cannot read the queue: " + next.error().message},
              std::nullopt,
              {}});
      return;
    }
    if (!next->has_value()) {
      // Done; a batch refused on the way still makes the session's answer an error.
      finish({Outcome::Success, first_rejection_, std::nullopt, {}});
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
      record(config::upload_url(config_.server_base, sha512), sha512, 0, body, Outcome::SetAside, 0,
             reason + "; not sent");
      set_aside_current(reason, body);
      schedule_step(0);
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
    auto transport = UploadTransport::create(config_.transport);
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
          const bool fatal = attempt.error().code == "UploadConfigurationInvalid";
          finish({fatal ? Outcome::Fatal : Outcome::Retry, attempt.error(), std::nullopt, {}});
          return;
        }
        on_answer(std::move(*attempt), std::move(body), std::move(url), std::move(sha512),
                  compressed_size);
      });
}

void UploadSession::on_answer(upload::AttemptResult attempt, SharedBytes shared_body,
                              std::string url, std::string sha512, size_t compressed_size) {
  const std::span<const uint8_t> body = span_of(shared_body.get());
  const upload::Classification verdict = upload::classify(attempt, recorder_.clock().realtime_ns());
  // A helper that failed is not asked again: the next attempt starts a new one.
  if (attempt.network_error == upload::NetworkError::HelperFailure) http_.reset();
  const std::string answer = describe_answer(attempt);
  record(url, sha512, compressed_size, body, verdict.outcome, attempt.http_status,
         verdict.error ? verdict.error->message : answer);

  switch (verdict.outcome) {
    case Outcome::Success: {
      Store& store = recorder_.store();
      if (auto r = store.delete_uploaded(current_->singular_ids, current_->aggregate_ids); !r) {
        // The server has the batch but it is still queued: the next session sends it once
        // more (the at-most-one duplicate the protocol tolerates after a crash).
        finish({Outcome::Fatal,
                Error{"StorageFailure", "uploaded, but cannot remove the events from the queue: " +
                                            r.error().message},
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
    case Outcome::SetAside:
      set_aside_current(answer, body);
      if (!first_rejection_) first_rejection_ = verdict.error;
      schedule_step(0);
      return;
    case Outcome::Retry: {
      ++attempt_;
      if (config_.forced && attempt_ < kForcedAttempts) {
        const int64_t delay = kForcedBackoff.next_delay(attempt_ - 1, rng_, verdict.retry_after_ns);
        if (delay <= kForcedMaxWaitNs) {
          schedule_step(delay);
          return;
        }
      }
      finish({Outcome::Retry, verdict.error, verdict.retry_after_ns, {}});
      return;
    }
    case Outcome::Fatal:
    case Outcome::Pause:
      finish({verdict.outcome, verdict.error, std::nullopt, {}});
      return;
  }
}

void UploadSession::set_aside_current(const std::string& reason, std::span<const uint8_t> body) {
  if (auto r = recorder_.store().set_aside_batch(current_->singular_ids, current_->aggregate_ids,
                                                 reason, body);
      !r) {
    finish({Outcome::Fatal,
            Error{"StorageFailure", "cannot set the refused batch aside: " + r.error().message},
            std::nullopt,
            {}});
    return;
  }
  progress_.set_aside_events += current_->event_count();
  current_.reset();
}

void UploadSession::record(const std::string& url, const std::string& sha512,
                           size_t compressed_size, std::span<const uint8_t> body, Outcome outcome,
                           int http_status, const std::string& message) {
  LedgerAttempt a;
  a.time_ns = recorder_.clock().realtime_ns();
  a.url = url;
  a.sha512 = sha512;
  a.compressed_size = compressed_size;
  a.uncompressed_size = body.size();
  a.singular_events = current_->singular_ids.size();
  a.aggregate_events = current_->aggregate_ids.size();
  a.outcome = upload::outcome_name(outcome);
  a.http_status = http_status;
  a.message = message;
  a.body = body;
  // The ledger is for people; failing to write it must not stop the upload.
  if (auto r = ledger_.record_attempt(a); !r && on_warning)
    on_warning("cannot write the upload ledger: " + r.error().message);
}

}  // namespace metrics::net
