// One protocol-3 PUT at a time over libsoup, asynchronous on the main loop. A client is
// made for one upload session and dropped after it, so no connection outlives the
// session and nothing touches the network while no session runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "result.hpp"
#include "soup_handles.hpp"
#include "upload_policy.hpp"

namespace metrics::net {

struct TransportSettings {
  // "" = direct, never the environment's or desktop's proxy settings: a system daemon
  // must not pick up a proxy nobody configured for it. Else http://, https://,
  // socks4://, socks4a://, socks5:// or socks5h:// (SOCKS 5 always resolves host names
  // at the proxy, so socks5:// and socks5h:// behave alike, as Tor needs).
  std::string proxy_url;
  // "" = the system trust store; else a PEM file of the CA certificates to trust.
  std::string trust_file;
  // Longest wait for progress while connecting, sending or waiting for the answer.
  unsigned timeout_seconds = 60;
};

class HttpClient {
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  explicit HttpClient(Passkey) {}
  // Errors: "UploadConfigurationInvalid" (trust file unreadable, proxy URL unusable).
  static Result<std::unique_ptr<HttpClient>> create(const TransportSettings& settings);
  // Cancels the request in flight; its callback is then never called.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Done = std::function<void(upload::AttemptResult)>;
  // PUT `gzip_body` to `url` with the protocol's headers; `done` runs on the main loop
  // with what happened (the status, Retry-After and the start of the answer, or the
  // transport error). One request at a time.
  void put(const std::string& url, const std::vector<uint8_t>& gzip_body, Done done);
  bool busy() const { return in_flight_ != nullptr; }

 private:
  struct Request;
  static void on_sent(GObject* source, GAsyncResult* result, gpointer request);
  static void on_read(GObject* source, GAsyncResult* result, gpointer request);
  static void finish(Request* request, upload::AttemptResult result);

  SoupSessionPtr session_;
  Request* in_flight_ = nullptr;  // owned by the pending callback, see put()
};

}  // namespace metrics::net
