// SPDX-License-Identifier: GPL-2.0-or-later
// Server side of the upload protocol as the stock Azafea front end (azafea-metrics-proxy)
// serves it: routing, the request checks in the proxy's order, and, beyond the proxy,
// the protocol-3 decode and the JSON form of an accepted request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"
#include "wire.hpp"

namespace collector {

// Request-body limit of the stock proxy (its web framework's default): 1 MiB of the
// bytes on the wire; a larger body is answered 413.
inline constexpr size_t kMaxCompressedBytes = size_t{1024} * 1024;
// Guard against gzip bombs (the collector's own; the proxy has none); far above
// anything a valid client sends.
inline constexpr size_t kMaxUncompressedBytes = size_t{64} * 1024 * 1024;

// What the route of an upload names.
struct Route {
  int version = 3;     // 2 or 3
  std::string sha512;  // 128 lowercase hex digits
};

// The stock proxy's routes: `PUT /2/<sha512>` and `PUT /3/<sha512>` at the root of its
// site, the hash exactly 128 lowercase hex digits. `prefix` ("" or "/a/b", no trailing
// slash) stands for a reverse proxy in front that strips it. Nothing when `path` is no
// route: the proxy answers 405 then.
std::optional<Route> match_route(std::string_view path, std::string_view prefix);

// `prefix` as match_route() wants it ("/", "" -> "", "/a/b/" -> "/a/b"), or nothing when
// it does not start with "/" or has an empty segment, a "." or ".." segment.
std::optional<std::string> normal_path_prefix(std::string_view prefix);

// A request that passed every check.
struct Accepted {
  std::string sha512;
  size_t compressed_size = 0;
  std::vector<uint8_t> body;  // uncompressed
  metrics::wire::Request request;
};

// A request that did not: the HTTP status to answer and why. `proxy_accepts` when the
// stock proxy would have answered 2xx (the collector's own protocol-3 checks refused it).
struct Rejection {
  unsigned status = 400;
  std::string reason;
  bool proxy_accepts = false;
};

struct Verdict {
  std::optional<Accepted> accepted;
  Rejection rejection;
};

// Checks an upload as the stock proxy does, in its order: body size (413 above 1 MiB);
// X-Endless-Content-Encoding: absent = the body as sent, "gzip" = gunzipped (a body that
// is not gzip makes the proxy fail with 500), anything else 400; an empty body 400; the
// SHA-512 of the (uncompressed) body against the URL's 400. Then the collector's own,
// where the proxy would answer 200 and leave the request to azafea: a body over
// kMaxUncompressedBytes 413; protocol 2 400 (not decoded here); the protocol-3 decode,
// which needs normal form and the exact type, 400.
Verdict check_upload(const Route& route, const char* encoding_header,
                     std::span<const uint8_t> compressed);

}  // namespace collector
