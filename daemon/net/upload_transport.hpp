// SPDX-License-Identifier: GPL-2.0-or-later
// The recorder's side of an upload session's HTTPS requests: a helper process
// (eos-metrics-upload-helper) makes them; this starts it, hands it one request at a time
// and reads its answers, asynchronously on the main loop.
//
// Why a separate process: libsoup, GnuTLS and the libraries they pull in would stay
// mapped in the long-running daemon after its first upload (~5 MB resident) although
// uploads take seconds a day; and the code parsing what the network sends runs in a
// short-lived process that holds no handle on the queue. The helper lives as long as
// this object: one upload session.
#pragma once

#include <gio/gio.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "glib_handles.hpp"
#include "result.hpp"
#include "transport_settings.hpp"
#include "upload_helper_protocol.hpp"
#include "upload_io.hpp"
#include "upload_policy.hpp"

namespace metrics::net {

using GSubprocessPtr = GObjectPtr<GSubprocess>;
using GCancellablePtr = GObjectPtr<GCancellable>;

// eos-metrics-upload-helper next to the running executable ("" if that is unknown).
std::string default_upload_helper_path();

class UploadTransport final : public upload::Transport {
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  explicit UploadTransport(Passkey) {}
  // Starts the helper (the settings go with the first request). Errors:
  // "UploadHelperFailed" (it cannot be started). The process must ignore SIGPIPE: a
  // helper that died makes the next write fail with EPIPE instead.
  static Result<std::unique_ptr<UploadTransport>> create(const TransportSettings& settings);
  // Ends the helper: closes its input (it exits), or kills it when a request is in
  // flight; no callback runs afterwards.
  ~UploadTransport() override;
  UploadTransport(const UploadTransport&) = delete;
  UploadTransport& operator=(const UploadTransport&) = delete;

  // What happened to the request, or an error when it was certainly not sent: the
  // helper refused the settings ("UploadConfigurationInvalid": unreadable trust file…)
  // or could not work ("UploadHelperFailed"). A helper that dies, stalls or answers
  // nonsense while a request is in flight gives an attempt result (HelperFailure): the
  // request may have reached the server.
  using Done = upload::Transport::Done;
  // PUT `gzip_body` to `url`; `done` runs on the main loop. One request at a time.
  void put(const std::string& url, const std::vector<uint8_t>& gzip_body, Done done) override;
  bool busy() const { return static_cast<bool>(done_); }

 private:
  struct Read;
  struct Write;
  struct Wait;
  static void on_written(GObject* source, GAsyncResult* result, gpointer op);
  static void on_read(GObject* source, GAsyncResult* result, gpointer op);
  static void on_exited(GObject* source, GAsyncResult* result, gpointer op);
  static gboolean on_deadline(gpointer self);
  void write_frame(std::vector<uint8_t> frame);
  void read_more();
  void handle_input();
  void output_ended();
  void stop_helper(const std::string& why);
  void report(Result<upload::AttemptResult> result);

  TransportSettings settings_;
  GSubprocessPtr helper_;
  GCancellablePtr cancellable_{g_cancellable_new()};
  bool settings_sent_ = false;
  bool deadline_passed_ = false;
  bool output_ended_ = false;
  std::string stop_reason_;  // why the helper was stopped or its output failed
  upload_helper::FrameReader reader_;
  Done done_;
  // The pending GIO operations (owned by their callbacks); told when this object goes.
  Read* read_ = nullptr;
  Write* write_ = nullptr;
  Wait* wait_ = nullptr;
  GSourcePtr deadline_;
};

}  // namespace metrics::net
