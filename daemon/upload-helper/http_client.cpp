// SPDX-License-Identifier: GPL-2.0-or-later
#include "http_client.hpp"

#include <array>
#include <string_view>

#include "transport_error.hpp"

namespace metrics::net {

namespace {

// The start of the server's answer kept for messages and the ledger.
constexpr size_t kAnswerExcerptBytes = 512;

// GIO names SOCKS 5 "socks5" and always lets the proxy resolve host names.
std::string gio_proxy_url(const std::string& url) {
  constexpr std::string_view kSocks5h = "socks5h://";
  if (url.starts_with(kSocks5h)) return "socks5://" + url.substr(kSocks5h.size());
  return url;
}

std::string printable_excerpt(const uint8_t* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

// One PUT in flight. Owned by the pending GIO callback (released to it in put(),
// re-adopted in each callback), so a cancelled request cleans up after the client is gone.
struct HttpClient::Request {
  HttpClient* owner = nullptr;  // null once the owner is gone
  Done done;
  SoupMessagePtr message;
  GCancellablePtr cancellable{g_cancellable_new()};
  GInputStreamPtr answer;
  std::array<uint8_t, kAnswerExcerptBytes> excerpt{};
  upload::AttemptResult result;  // result.bytes_sent counts as the body goes out
  bool misdirected = false;      // a 421 arrived: stopped before libsoup re-sends it

  ~Request() {
    // The session may keep the message a while: it must not count into freed memory.
    if (message) {
      g_signal_handlers_disconnect_by_data(message.get(), &result.bytes_sent);
      g_signal_handlers_disconnect_by_data(message.get(), this);
    }
  }
};

namespace {

// "wrote-body-data": a piece of the request body reached the connection. An attempt that
// never connected (refused, DNS, TLS handshake) ends with 0 sent.
void count_written(SoupMessage*, guint chunk_size, gpointer bytes_sent) {
  *static_cast<uint64_t*>(bytes_sent) += chunk_size;
}

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::create(const upload::TransportSettings& settings) {
  auto client = std::make_unique<HttpClient>(Passkey{});
  client->session_.reset(soup_session_new());
  SoupSession* session = client->session_.get();
  soup_session_set_timeout(session, settings.timeout_seconds);
  soup_session_set_idle_timeout(session, settings.timeout_seconds);
  // No User-Agent: one header less to tell machines apart by.
  soup_session_set_user_agent(session, nullptr);
  if (settings.proxy_url.empty()) {
    soup_session_set_proxy_resolver(session, nullptr);
  } else {
    GProxyResolverPtr resolver(
        g_simple_proxy_resolver_new(gio_proxy_url(settings.proxy_url).c_str(), nullptr));
    soup_session_set_proxy_resolver(session, resolver.get());
  }
  GTlsDatabasePtr database;
  if (!settings.trust_file.empty()) {
    GErrorOut error;
    database.reset(g_tls_file_database_new(settings.trust_file.c_str(), error.out()));
    if (!database) {
      return Error{ErrorCode::kUploadConfigurationInvalid,
                   "cannot use TrustFile " + settings.trust_file + ": " + error.message()};
    }
    soup_session_set_tls_database(session, database.get());
  }
  // glib-networking loads the process's default TLS database while it sets up each
  // connection, before libsoup hands it the session's: without this the system CA
  // bundle (~140 certificates, ~7 MB of heap, 40-60 ms) is parsed even when TrustFile
  // replaces it. The helper makes no other TLS connections. Null restores the system's.
  g_tls_backend_set_default_database(g_tls_backend_get_default(), database.get());
  return client;
}

HttpClient::~HttpClient() {
  if (in_flight_ != nullptr) {
    in_flight_->owner = nullptr;
    g_cancellable_cancel(in_flight_->cancellable.get());
  }
}

void HttpClient::put(const std::string& url, GBytes* gzip_body, Done done) {
  auto request = std::make_unique<Request>();
  request->owner = this;
  request->done = std::move(done);
  request->message.reset(soup_message_new(SOUP_METHOD_PUT, url.c_str()));
  if (!request->message) {
    upload::AttemptResult invalid;
    invalid.network_error = upload::NetworkError::Configuration;
    invalid.detail = "not a usable URL: " + url;
    request->done(std::move(invalid));
    return;
  }
  SoupMessage* message = request->message.get();
  // A redirect is never followed: libsoup would turn the PUT into a GET to wherever the
  // answer points, whose 2xx would then count as delivered.
  soup_message_add_flags(message, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect(message, "got-headers", G_CALLBACK(&HttpClient::on_got_headers), request.get());
  soup_message_headers_replace(soup_message_get_request_headers(message),
                               "X-Endless-Content-Encoding", "gzip");
  soup_message_set_request_body_from_bytes(message, "application/octet-stream", gzip_body);
  // The counter lives in the request, which outlives the message's last signal.
  g_signal_connect(message, "wrote-body-data", G_CALLBACK(&count_written),
                   &request->result.bytes_sent);

  in_flight_ = request.get();
  GCancellable* cancellable = request->cancellable.get();
  soup_session_send_async(session_.get(), message, G_PRIORITY_DEFAULT, cancellable,
                          &HttpClient::on_sent, request.release());
}

// libsoup answers a 421 by sending the request once more on a new connection (meant for
// HTTP/2 connection reuse). The server said the destination is wrong: that is the
// answer, not a reason to send the events again.
void HttpClient::on_got_headers(SoupMessage* message, gpointer request) {
  if (soup_message_get_status(message) != SOUP_STATUS_MISDIRECTED_REQUEST) return;
  auto* r = static_cast<Request*>(request);
  r->misdirected = true;
  g_cancellable_cancel(r->cancellable.get());
}

void HttpClient::on_sent(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Request> request(static_cast<Request*>(data));
  GErrorOut error;
  request->answer.reset(soup_session_send_finish(SOUP_SESSION(source), result, error.out()));
  if (request->owner == nullptr) return;  // cancelled with its client
  if (!request->answer && request->misdirected) {
    request->result.http_status = SOUP_STATUS_MISDIRECTED_REQUEST;
    request->result.detail = "Misdirected Request";
    finish(request.get(), std::move(request->result));
    return;
  }
  if (!request->answer) {
    request->result.network_error = network_error_of(error.get());
    request->result.detail = error.message();
    finish(request.get(), std::move(request->result));
    return;
  }
  SoupMessage* message = request->message.get();
  request->result.http_status = static_cast<int>(soup_message_get_status(message));
  const char* retry_after =
      soup_message_headers_get_one(soup_message_get_response_headers(message), "Retry-After");
  if (retry_after != nullptr) request->result.retry_after = retry_after;
  // Read (a bounded start of) the answer: reading it to the end lets libsoup reuse the
  // connection for the next request of the session.
  GInputStream* answer = request->answer.get();
  Request* raw = request.release();
  g_input_stream_read_all_async(answer, raw->excerpt.data(), raw->excerpt.size(),
                                G_PRIORITY_DEFAULT, raw->cancellable.get(), &HttpClient::on_read,
                                raw);
}

void HttpClient::on_read(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Request> request(static_cast<Request*>(data));
  gsize read = 0;
  GErrorOut error;
  const bool ok =
      g_input_stream_read_all_finish(G_INPUT_STREAM(source), result, &read, error.out());
  if (request->owner == nullptr) return;
  // The status line arrived: an answer cut short afterwards does not change it.
  request->result.detail = ok ? printable_excerpt(request->excerpt.data(), read) : "";
  finish(request.get(), std::move(request->result));
}

void HttpClient::finish(Request* request, upload::AttemptResult result) {
  HttpClient* owner = request->owner;
  owner->in_flight_ = nullptr;
  // The callback may start the next request or drop the client.
  Done done = std::move(request->done);
  done(std::move(result));
}

}  // namespace metrics::net
