// SPDX-License-Identifier: GPL-2.0-or-later
// One protocol-3 PUT at a time over libsoup, asynchronous on the helper's main loop.
// The helper lives for one upload session, so no connection outlives the session and
// nothing touches the network while no session runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "result.hpp"
#include "soup_handles.hpp"
#include "upload_attempt.hpp"
#include "upload_transport_settings.hpp"

namespace metrics::net {

class HttpClient {
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  explicit HttpClient(Passkey) {}
  // Errors: "UploadConfigurationInvalid" (trust file unreadable, proxy URL unusable).
  static Result<std::unique_ptr<HttpClient>> create(const upload::TransportSettings& settings);
  // Cancels the request in flight; its callback is then never called.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Done = std::function<void(upload::AttemptResult)>;
  // PUT `gzip_body` to `url` with the protocol's headers; `done` runs on the main loop
  // with what happened (the status, Retry-After and the start of the answer, or the
  // transport error). One request at a time.
  void put(const std::string& url, GBytes* gzip_body, Done done);
  bool busy() const { return in_flight_ != nullptr; }

 private:
  struct Request;
  static void on_got_headers(SoupMessage* message, gpointer request);
  static void on_sent(GObject* source, GAsyncResult* result, gpointer request);
  static void on_read(GObject* source, GAsyncResult* result, gpointer request);
  static void finish(Request* request, upload::AttemptResult result);

  SoupSessionPtr session_;
  Request* in_flight_ = nullptr;  // owned by the pending callback, see put()
};

}  // namespace metrics::net
