// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_transport.hpp"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <string.h>

#include <algorithm>
#include <filesystem>

namespace metrics::net {

namespace {

constexpr const char* kHelperName = "eos-metrics-upload-helper";
constexpr ErrorCode kHelperFailed = ErrorCode::kUploadHelperFailed;

// libsoup's own timeout covers every stall of a healthy helper; this catches one that
// stopped working altogether (a slow upload that keeps moving must not hit it).
guint deadline_seconds(const TransportSettings& settings) {
  return 4 * std::max(settings.timeout_seconds, 1U) + 30;
}

std::string exit_description(GSubprocess* helper) {
  if (g_subprocess_get_if_signaled(helper)) {
    const int sig = g_subprocess_get_term_sig(helper);
    return std::string("killed by signal ") + std::to_string(sig) + " (" + g_strsignal(sig) + ")";
  }
  if (g_subprocess_get_if_exited(helper)) {
    return "exit status " + std::to_string(g_subprocess_get_exit_status(helper));
  }
  return "unknown end";
}

}  // namespace

std::string default_upload_helper_path() {
  GErrorOut error;
  GCharPtr self(g_file_read_link("/proc/self/exe", error.out()));
  if (!self) return "";
  std::string path = self.get();
  // The running executable was replaced on disk (an upgrade): its directory still holds
  // the helper.
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return (std::filesystem::path(path).parent_path() / kHelperName).string();
}

struct UploadTransport::Read {
  UploadTransport* owner = nullptr;
  std::array<uint8_t, 16384> buffer{};
};

struct UploadTransport::Write {
  UploadTransport* owner = nullptr;
  std::vector<uint8_t> bytes;
};

struct UploadTransport::Wait {
  UploadTransport* owner = nullptr;
};

Result<std::unique_ptr<UploadTransport>> UploadTransport::create(
    const TransportSettings& settings) {
  auto transport = std::make_unique<UploadTransport>(Passkey{});
  transport->settings_ = settings;
  const std::string path =
      settings.helper_path.empty() ? default_upload_helper_path() : settings.helper_path;
  if (path.empty()) {
    return Error{kHelperFailed, "cannot find the upload helper: /proc/self/exe is unreadable"};
  }
  // Only the two pipes and stderr: the helper inherits no other descriptor (GLib closes
  // them), so neither the queue's database nor the bus connection.
  const char* argv[] = {path.c_str(), nullptr};
  GErrorOut error;
  transport->helper_.reset(g_subprocess_newv(
      argv,
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE),
      error.out()));
  if (!transport->helper_) {
    return Error{kHelperFailed, "cannot start the upload helper " + path + ": " + error.message()};
  }
  // GLib leaves the pipes blocking: a request larger than the pipe buffer would then
  // block the main loop until a stalled helper reads it. Non-blocking, the writes wait
  // on the main loop instead.
  GSubprocess* helper = transport->helper_.get();
  for (int fd :
       {g_unix_output_stream_get_fd(G_UNIX_OUTPUT_STREAM(g_subprocess_get_stdin_pipe(helper))),
        g_unix_input_stream_get_fd(G_UNIX_INPUT_STREAM(g_subprocess_get_stdout_pipe(helper)))}) {
    GErrorOut nonblocking;
    if (!g_unix_set_fd_nonblocking(fd, TRUE, nonblocking.out())) {
      return Error{kHelperFailed,
                   "cannot set up the upload helper's pipes: " + nonblocking.message()};
    }
  }
  transport->read_more();
  return transport;
}

UploadTransport::~UploadTransport() {
  if (read_ != nullptr) read_->owner = nullptr;
  if (write_ != nullptr) write_->owner = nullptr;
  if (wait_ != nullptr) wait_->owner = nullptr;
  g_cancellable_cancel(cancellable_.get());
  if (!helper_) return;
  // Idle, the helper exits when its input ends; mid-request it is stopped at once. GLib
  // reaps it either way (its child watch keeps the GSubprocess, and so the pipe, alive
  // until then: the pipe must be closed here, not left to the last reference).
  if (busy()) g_subprocess_force_exit(helper_.get());
  (void)g_output_stream_close(g_subprocess_get_stdin_pipe(helper_.get()), nullptr, nullptr);
}

void UploadTransport::put(const std::string& url, const std::vector<uint8_t>& gzip_body,
                          Done done) {
  done_ = std::move(done);
  deadline_passed_ = false;
  if (output_ended_) {
    // It died after its last answer (the session then starts a new one).
    upload::AttemptResult gone;
    gone.network_error = upload::NetworkError::HelperFailure;
    gone.detail = "the upload helper had already ended" +
                  (stop_reason_.empty() ? std::string() : " (" + stop_reason_ + ")");
    report(std::move(gone));
    return;
  }
  std::vector<uint8_t> frame;
  if (!settings_sent_) {
    frame = upload_helper::settings_frame(settings_);
    settings_sent_ = true;
  }
  const std::vector<uint8_t> request = upload_helper::put_frame(url, gzip_body);
  frame.insert(frame.end(), request.begin(), request.end());
  deadline_.reset(g_timeout_source_new_seconds(deadline_seconds(settings_)));
  g_source_set_callback(deadline_.get(), &UploadTransport::on_deadline, this, nullptr);
  g_source_attach(deadline_.get(), nullptr);
  write_frame(std::move(frame));
}

void UploadTransport::write_frame(std::vector<uint8_t> frame) {
  auto op = std::make_unique<Write>();
  op->owner = this;
  op->bytes = std::move(frame);
  write_ = op.get();
  GOutputStream* input = g_subprocess_get_stdin_pipe(helper_.get());
  const void* data = op->bytes.data();
  const size_t size = op->bytes.size();
  g_output_stream_write_all_async(input, data, size, G_PRIORITY_DEFAULT, cancellable_.get(),
                                  &UploadTransport::on_written, op.release());
}

void UploadTransport::on_written(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Write> op(static_cast<Write*>(data));
  GErrorOut error;
  const bool ok =
      g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, nullptr, error.out());
  if (op->owner == nullptr) return;
  UploadTransport* self = op->owner;
  self->write_ = nullptr;
  // The helper is gone or not reading: its output ends and says so.
  if (!ok) self->stop_helper("cannot give the upload helper the request: " + error.message());
}

void UploadTransport::read_more() {
  auto op = std::make_unique<Read>();
  op->owner = this;
  read_ = op.get();
  GInputStream* output = g_subprocess_get_stdout_pipe(helper_.get());
  void* buffer = op->buffer.data();
  const size_t size = op->buffer.size();
  g_input_stream_read_async(output, buffer, size, G_PRIORITY_DEFAULT, cancellable_.get(),
                            &UploadTransport::on_read, op.release());
}

void UploadTransport::on_read(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Read> op(static_cast<Read*>(data));
  GErrorOut error;
  const gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, error.out());
  if (op->owner == nullptr) return;
  UploadTransport* self = op->owner;
  self->read_ = nullptr;
  if (n <= 0) {
    if (n < 0 && self->stop_reason_.empty()) {
      self->stop_reason_ = "cannot read the upload helper's answer: " + error.message();
    }
    self->output_ended();
    return;
  }
  self->reader_.feed(std::span<const uint8_t>(op->buffer.data(), static_cast<size_t>(n)));
  // Read on before handling: the handler may end with this object destroyed.
  self->read_more();
  self->handle_input();
}

// One answer per request: a frame beyond it is left for the next read, which finds
// either nothing asked (the helper spoke unasked) or the next request's answer.
void UploadTransport::handle_input() {
  auto frame = reader_.next();
  if (!frame) {
    stop_helper("the upload helper's answer is unreadable: " + frame.error().message);
    return;
  }
  if (!frame->has_value()) return;
  const upload_helper::Frame& f = **frame;
  if (!busy()) {
    stop_helper("the upload helper spoke without being asked");
    return;
  }
  if (f.kind == upload_helper::FrameKind::SetupFailed) {
    report(upload_helper::parse_setup_failed(f));  // the helper exits after it
    return;
  }
  auto answer = upload_helper::parse_answer(f);
  if (!answer) {
    stop_helper("the upload helper's answer is unreadable: " + answer.error().message);
    return;
  }
  report(std::move(*answer));  // the caller may have destroyed this object
}

void UploadTransport::stop_helper(const std::string& why) {
  if (stop_reason_.empty()) stop_reason_ = why;
  // Its output then ends, and the request in flight is answered from its end.
  g_subprocess_force_exit(helper_.get());
}

void UploadTransport::output_ended() {
  output_ended_ = true;
  if (wait_ != nullptr) return;
  // Say how it ended (exit status, signal) once it has.
  auto op = std::make_unique<Wait>();
  op->owner = this;
  wait_ = op.get();
  g_subprocess_wait_async(helper_.get(), cancellable_.get(), &UploadTransport::on_exited,
                          op.release());
}

void UploadTransport::on_exited(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Wait> op(static_cast<Wait*>(data));
  GErrorOut error;
  const bool ok = g_subprocess_wait_finish(G_SUBPROCESS(source), result, error.out());
  if (op->owner == nullptr) return;
  UploadTransport* self = op->owner;
  self->wait_ = nullptr;
  if (!self->busy()) {
    // Ended between requests: the next put says how.
    if (self->stop_reason_.empty()) {
      self->stop_reason_ =
          ok ? "it ended with " + exit_description(self->helper_.get()) : error.message();
    }
    return;
  }
  upload::AttemptResult attempt;
  attempt.network_error = upload::NetworkError::HelperFailure;
  if (self->deadline_passed_) {
    attempt.detail = "the upload helper gave no answer within " +
                     std::to_string(deadline_seconds(self->settings_)) + " s and was stopped";
  } else if (!self->stop_reason_.empty()) {
    attempt.detail = self->stop_reason_;
  } else {
    attempt.detail = "the upload helper ended without answering (" +
                     (ok ? exit_description(self->helper_.get()) : error.message()) +
                     "; its messages are in the journal)";
  }
  self->report(std::move(attempt));
}

gboolean UploadTransport::on_deadline(gpointer data) {
  auto* self = static_cast<UploadTransport*>(data);
  self->deadline_passed_ = true;
  self->stop_helper("no answer from the upload helper in time");
  return G_SOURCE_REMOVE;
}

void UploadTransport::report(Result<upload::AttemptResult> result) {
  deadline_.reset();
  Done done = std::move(done_);
  done_ = nullptr;
  done(std::move(result));  // may destroy this object: nothing after it
}

}  // namespace metrics::net
