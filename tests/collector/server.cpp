// SPDX-License-Identifier: GPL-2.0-or-later
#include "server.hpp"

#include <cstdio>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "upload.hpp"
#include "wire_json.hpp"

namespace collector {
namespace {

constexpr std::string_view kControlPrefix = "/control/";
// What the `malformed` fault writes instead of a response: an invalid status code.
constexpr std::string_view kMalformedResponse = "HTTP/1.1 2OO\r\n\r\n";
// What the `garbage` fault writes: not HTTP at all.
constexpr std::string_view kGarbageResponse = "this is not an HTTP response \x01\x02\r\n\r\n";

GQuark connection_quark() {
  return g_quark_from_static_string("metrics-test-collector-connection");
}

void respond(SoupServerMessage* msg, unsigned status, const std::string& content_type,
             std::string_view body) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, content_type.c_str(), SOUP_MEMORY_COPY, body.data(),
                                   body.size());
}

void respond_text(SoupServerMessage* msg, unsigned status, std::string_view text) {
  respond(msg, status, "text/plain; charset=utf-8", text);
}

void respond_json(SoupServerMessage* msg, unsigned status, const nlohmann::json& value) {
  respond(msg, status, "application/json", value.dump() + "\n");
}

metrics::GBytesPtr request_body(SoupServerMessage* msg) {
  return metrics::GBytesPtr(soup_message_body_flatten(soup_server_message_get_request_body(msg)));
}

std::span<const uint8_t> bytes_span(const metrics::GBytesPtr& bytes) {
  gsize size = 0;
  auto* data = static_cast<const uint8_t*>(g_bytes_get_data(bytes.get(), &size));
  return {data, data ? size : 0};
}

std::string iso8601_utc(int64_t us) {
  metrics::GDateTimePtr seconds(g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC));
  if (!seconds) return "";
  metrics::GDateTimePtr exact(g_date_time_add(seconds.get(), us % G_USEC_PER_SEC));
  metrics::GCharPtr text(g_date_time_format(exact.get(), "%Y-%m-%dT%H:%M:%S.%fZ"));
  return text ? text.get() : "";
}

void print_line(FILE* stream, const std::string& line) {
  std::fputs(line.c_str(), stream);
  std::fputc('\n', stream);
  std::fflush(stream);
}

std::string dump(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Takes the connection away from libsoup, optionally writes `raw`, and closes it.
void close_connection(SoupServerMessage* msg, std::string_view raw) {
  GIOStreamPtr stream(soup_server_message_steal_connection(msg));
  if (!stream) return;
  if (!raw.empty()) {
    metrics::GErrorOut error;
    gsize written = 0;
    if (!g_output_stream_write_all(g_io_stream_get_output_stream(stream.get()), raw.data(),
                                   raw.size(), &written, nullptr, error.out())) {
      print_line(stderr, "collector: cannot write raw response: " + error.message());
    }
  }
  metrics::GErrorOut error;
  if (!g_io_stream_close(stream.get(), nullptr, error.out())) {
    print_line(stderr, "collector: closing a stolen connection: " + error.message());
  }
}

}  // namespace

metrics::Result<std::unique_ptr<Server>> Server::start(const Options& options, Database& db) {
  auto self = std::make_unique<Server>(db, options.path_prefix);
  self->server_.reset(static_cast<SoupServer*>(
      soup_server_new("server-header", "metrics-test-collector ", nullptr)));
  if (!self->server_)
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure, "cannot create the server"};

  if (!options.plain_http) {
    metrics::GErrorOut error;
    GTlsCertificatePtr certificate(g_tls_certificate_new_from_files(
        options.cert_file.c_str(), options.key_file.c_str(), error.out()));
    if (!certificate) {
      return metrics::Error{metrics::ErrorCode::kTestCollectorFailure,
                            "cannot load certificate " + options.cert_file + " / key " +
                                options.key_file + ": " + error.message()};
    }
    soup_server_set_tls_certificate(self->server_.get(), certificate.get());
  }

  soup_server_add_handler(self->server_.get(), nullptr, &Server::on_request, self.get(), nullptr);
  g_signal_connect(self->server_.get(), "request-started", G_CALLBACK(&Server::on_request_started),
                   self.get());

  GInetAddressPtr loopback(g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
  GSocketAddressPtr address(g_inet_socket_address_new(loopback.get(), options.port));
  auto listen_options =
      static_cast<SoupServerListenOptions>(options.plain_http ? 0 : SOUP_SERVER_LISTEN_HTTPS);
  metrics::GErrorOut error;
  if (!soup_server_listen(self->server_.get(), address.get(), listen_options, error.out())) {
    return metrics::Error{
        metrics::ErrorCode::kTestCollectorFailure,
        "cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": " + error.message()};
  }

  GSListPtr listeners(soup_server_get_listeners(self->server_.get()));
  for (GSList* l = listeners.get(); l != nullptr; l = l->next) {
    GSocketAddressPtr local(g_socket_get_local_address(G_SOCKET(l->data), nullptr));
    if (local && G_IS_INET_SOCKET_ADDRESS(local.get())) {
      self->port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local.get()));
    }
  }
  if (self->port_ == 0)
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure,
                          "cannot find the listening port"};
  return self;
}

Server::~Server() {
  if (server_) soup_server_disconnect(server_.get());
}

void Server::on_request_started(SoupServer*, SoupServerMessage* msg, gpointer self) {
  static_cast<Server*>(self)->count_connection(msg);
}

// Connections are counted when libsoup starts a request on them ("request-started"; libsoup 3
// has no public per-connection signal). Each connection's GSocket is marked with the
// current generation, so a connection is counted once however many requests it carries,
// and again after /control/reset if it is still open.
void Server::count_connection(SoupServerMessage* msg) {
  GSocket* socket = soup_server_message_get_socket(msg);
  if (socket == nullptr) {
    ++connections_;
    return;
  }
  auto seen = reinterpret_cast<uintptr_t>(g_object_get_qdata(G_OBJECT(socket), connection_quark()));
  if (seen != generation_) {
    ++connections_;
    // GLib's qdata holds a pointer: the number is kept in one, as GSIZE_TO_POINTER does.
    g_object_set_qdata(
        G_OBJECT(socket), connection_quark(),
        reinterpret_cast<gpointer>(generation_));  // NOLINT(performance-no-int-to-ptr)
  }
}

void Server::on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*,
                        gpointer self_ptr) {
  auto* self = static_cast<Server*>(self_ptr);
  std::string method = soup_server_message_get_method(msg);
  std::string request_path = path ? path : "/";
  if (request_path.starts_with(kControlPrefix)) {
    self->handle_control(msg, request_path, method);
    return;
  }
  if (method != "PUT") {
    // The stock proxy answers GET and POST anywhere with 200 and drops them (for very old
    // clients); here they are refused, so that a client that sends anything but a PUT is
    // noticed.
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "PUT");
    respond_text(msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                 "only PUT " + self->path_prefix_ + "/3/SHA512\n");
    print_line(stderr, "REJECTED 405 " + method + " " + request_path);
    return;
  }
  self->handle_upload(msg, request_path.c_str());
}

void Server::handle_upload(SoupServerMessage* msg, const char* path) {
  Upload upload;
  upload.received_at_us = g_get_real_time();
  upload.path = path;
  // A standing rule stands for a front server, which answers before any routing.
  for (const PathStatus& rule : rules_.path_status) {
    if (!upload.path.starts_with(rule.prefix)) continue;
    ++ruled_;
    respond_text(msg, rule.status, "not routed here\n");
    print_line(stderr, "RULE status " + std::to_string(rule.status) + " PUT " + upload.path);
    return;
  }
  auto route = match_route(upload.path, path_prefix_);
  if (!route) {
    // As the stock proxy: a PUT anywhere but its two routes is 405. (Its Allow header
    // names GET and POST, which it answers anywhere; this collector refuses those.)
    ++rejected_;
    const std::string routes = path_prefix_ + "/2/SHA512 and " + path_prefix_ + "/3/SHA512";
    respond_text(msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                 "no upload route here: only PUT " + routes +
                     " (SHA512: the body's SHA-512 in 128 lowercase hex digits)\n");
    print_line(stderr, "REJECTED 405 PUT " + upload.path + ": not " + routes);
    return;
  }
  upload.route = std::move(*route);
  if (!faults_.empty()) {
    Fault fault = faults_.front();
    faults_.pop_front();
    ++faults_applied_;
    apply_fault(msg, fault, std::move(upload));
    return;
  }
  if (rules_.max_body_bytes > 0) {
    metrics::GBytesPtr body = request_body(msg);
    const size_t size = bytes_span(body).size();
    if (size > rules_.max_body_bytes) {
      ++ruled_;
      respond_text(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request body too large\n");
      print_line(stderr, "RULE 413 PUT " + upload.path + ": " + std::to_string(size) + " bytes");
      return;
    }
  }
  answer_upload(msg, upload);
}

void Server::answer_upload(SoupServerMessage* msg, const Upload& upload) {
  metrics::GBytesPtr compressed = request_body(msg);
  const char* encoding = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
                                                      "X-Endless-Content-Encoding");
  Verdict verdict = check_upload(upload.route, encoding, bytes_span(compressed));
  if (!verdict.accepted) {
    ++rejected_;
    respond_text(msg, verdict.rejection.status, verdict.rejection.reason + "\n");
    print_line(stderr, "REJECTED " + std::to_string(verdict.rejection.status) + " PUT " +
                           upload.path + ": " + verdict.rejection.reason);
    return;
  }
  const Accepted& accepted = *verdict.accepted;
  nlohmann::ordered_json request = metrics::wire::request_json(accepted.request);

  StoredRequest row;
  row.received_at_us = upload.received_at_us;
  row.received_at = iso8601_utc(upload.received_at_us);
  row.path = upload.path;
  row.sha512 = accepted.sha512;
  row.compressed_size = static_cast<int64_t>(accepted.compressed_size);
  row.uncompressed_size = static_cast<int64_t>(accepted.body.size());
  row.body = accepted.body;
  row.singular_count = static_cast<int64_t>(accepted.request.singulars.size());
  row.aggregate_count = static_cast<int64_t>(accepted.request.aggregates.size());
  row.request_json = dump(request);
  if (auto stored = db_.insert(row); !stored) {
    ++rejected_;
    respond_text(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, stored.error().message + "\n");
    print_line(stderr, "REJECTED 500 PUT " + upload.path + ": " + stored.error().message);
    return;
  }
  ++accepted_;

  nlohmann::ordered_json line;
  line["received_at"] = row.received_at;
  line["received_at_us"] = row.received_at_us;
  line["path"] = row.path;
  line["sha512"] = row.sha512;
  line["compressed_size"] = row.compressed_size;
  line["uncompressed_size"] = row.uncompressed_size;
  line["singular_count"] = row.singular_count;
  line["aggregate_count"] = row.aggregate_count;
  line["request"] = std::move(request);
  print_line(stdout, dump(line));
  respond_text(msg, SOUP_STATUS_OK, "OK");
}

void Server::apply_fault(SoupServerMessage* msg, const Fault& fault, Upload upload) {
  std::string what = std::string("FAULT ") + fault_name(fault.kind) + " PUT " + upload.path;
  switch (fault.kind) {
    case Fault::Kind::kStatus: {
      if (fault.retry_after_s) {
        soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After",
                                     std::to_string(*fault.retry_after_s).c_str());
      }
      respond_text(msg, fault.status, "injected fault\n");
      print_line(stderr, what + ": status " + std::to_string(fault.status));
      return;
    }
    case Fault::Kind::kDelay: {
      uint64_t id = next_delayed_id_++;
      auto [it, inserted] = delayed_.try_emplace(id);
      Delayed& delayed = it->second;
      delayed.owner = this;
      delayed.id = id;
      delayed.upload = std::move(upload);
      delayed.message = share_object(msg);
      delayed.timer.reset(g_timeout_source_new(static_cast<guint>(fault.delay_ms)));
      g_source_set_callback(delayed.timer.get(), &Server::on_delay_expired, &delayed, nullptr);
      g_source_attach(delayed.timer.get(), nullptr);
      soup_server_message_pause(msg);
      print_line(stderr, what + ": " + std::to_string(fault.delay_ms) + " ms");
      return;
    }
    case Fault::Kind::kHang:
      soup_server_message_pause(msg);
      hung_.push_back(share_object(msg));
      print_line(stderr, what + ": never answered");
      return;
    case Fault::Kind::kClose:
      print_line(stderr, what + ": connection closed without a response");
      close_connection(msg, {});
      return;
    case Fault::Kind::kMalformed:
      print_line(stderr, what + ": malformed status line");
      close_connection(msg, kMalformedResponse);
      return;
    case Fault::Kind::kGarbage:
      print_line(stderr, what + ": not HTTP");
      close_connection(msg, kGarbageResponse);
      return;
  }
}

gboolean Server::on_delay_expired(gpointer delayed_ptr) {
  auto* delayed = static_cast<Delayed*>(delayed_ptr);
  Server* self = delayed->owner;
  // The request is processed now, as if it had just arrived (stored even when the client
  // gave up waiting meanwhile: it was received in full).
  self->answer_upload(delayed->message.get(), delayed->upload);
  soup_server_message_unpause(delayed->message.get());
  // Destroys the entry, its message reference and this (dispatching) source.
  self->delayed_.erase(delayed->id);
  return G_SOURCE_REMOVE;
}

void Server::handle_control(SoupServerMessage* msg, const std::string& path,
                            const std::string& method) {
  if (path == "/control/faults") {
    if (method != "POST") {
      respond_json(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, {{"error", "use POST"}});
      return;
    }
    metrics::GBytesPtr body = request_body(msg);
    auto bytes = bytes_span(body);
    nlohmann::json document = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (document.is_discarded()) {
      respond_json(msg, SOUP_STATUS_BAD_REQUEST, {{"error", "body is not JSON"}});
      return;
    }
    auto queue = parse_fault_queue(document);
    if (!queue) {
      respond_json(msg, SOUP_STATUS_BAD_REQUEST, {{"error", queue.error().message}});
      return;
    }
    bool append = document.value("append", false);
    if (!append) faults_.clear();
    faults_.insert(faults_.end(), queue->begin(), queue->end());
    respond_json(msg, SOUP_STATUS_OK, {{"queued", faults_.size()}});
    return;
  }
  if (path == "/control/rules") {
    if (method != "POST") {
      respond_json(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, {{"error", "use POST"}});
      return;
    }
    metrics::GBytesPtr body = request_body(msg);
    auto bytes = bytes_span(body);
    nlohmann::json document = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
    auto rules = document.is_discarded()
                     ? metrics::Result<Rules>(metrics::Error{
                           metrics::ErrorCode::kTestCollectorFailure, "body is not JSON"})
                     : parse_rules(document);
    if (!rules) {
      respond_json(msg, SOUP_STATUS_BAD_REQUEST, {{"error", rules.error().message}});
      return;
    }
    rules_ = std::move(rules.value());
    respond_json(msg, SOUP_STATUS_OK,
                 {{"rules", rules_.path_status.size() + (rules_.max_body_bytes > 0 ? 1 : 0)}});
    return;
  }
  if (path == "/control/stats") {
    if (method != "GET") {
      respond_json(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, {{"error", "use GET"}});
      return;
    }
    respond_json(msg, SOUP_STATUS_OK,
                 {{"accepted", accepted_},
                  {"rejected", rejected_},
                  {"connections", connections_},
                  {"faults_applied", faults_applied_},
                  {"ruled", ruled_},
                  {"faults_pending", faults_.size()},
                  {"delayed", delayed_.size()},
                  {"hung", hung_.size()}});
    return;
  }
  if (path == "/control/reset") {
    if (method != "POST") {
      respond_json(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, {{"error", "use POST"}});
      return;
    }
    faults_.clear();
    rules_ = Rules{};
    accepted_ = rejected_ = faults_applied_ = connections_ = ruled_ = 0;
    // Connections still open are counted again when they start their next request.
    ++generation_;
    respond_json(msg, SOUP_STATUS_OK, {{"reset", true}});
    return;
  }
  respond_json(msg, SOUP_STATUS_NOT_FOUND, {{"error", "unknown control endpoint"}});
}

}  // namespace collector
