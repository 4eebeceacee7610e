// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload.hpp"

#include <array>

#include "glib_handles.hpp"
#include "gzip.hpp"

namespace collector {
namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<Route> match_route(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  // "/V/" then the hash: nothing before, nothing after (no trailing slash either).
  if (rest.size() != 3 + 128 || rest[0] != '/' || rest[2] != '/') return std::nullopt;
  if (rest[1] != '2' && rest[1] != '3') return std::nullopt;
  std::string_view sha = rest.substr(3);
  if (!is_lower_hex(sha)) return std::nullopt;
  return Route{rest[1] - '0', std::string(sha)};
}

std::optional<std::string> normal_path_prefix(std::string_view prefix) {
  if (!prefix.starts_with('/')) return std::nullopt;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  for (std::string_view rest = prefix; !rest.empty();) {
    rest.remove_prefix(1);  // the '/'
    const size_t end = rest.find('/');
    const std::string_view segment = rest.substr(0, end);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return std::string(prefix);
}

Verdict check_upload(const Route& route, const char* encoding_header,
                     std::span<const uint8_t> compressed) {
  Verdict verdict;
  // The proxy reads the whole body first: its size limit comes before everything else.
  if (compressed.size() > kMaxCompressedBytes) {
    verdict.rejection = {413, "body of " + std::to_string(compressed.size()) +
                                  " bytes is over the limit of " +
                                  std::to_string(kMaxCompressedBytes)};
    return verdict;
  }
  // No header: the proxy takes the body as it is (hashes and queues it uncompressed).
  const bool gzipped = encoding_header != nullptr;
  if (gzipped && std::string_view(encoding_header) != "gzip") {
    verdict.rejection = {400,
                         "unknown X-Endless-Content-Encoding: " + std::string(encoding_header)};
    return verdict;
  }
  std::vector<uint8_t> body;
  if (!gzipped) {
    body.assign(compressed.begin(), compressed.end());
  } else if (!compressed.empty()) {  // nothing at all decompresses to nothing, as there
    auto gunzipped = metrics::gunzip(compressed, kMaxUncompressedBytes);
    if (!gunzipped) {
      if (gunzipped.error().code == metrics::ErrorCode::kTooLarge) {
        verdict.rejection = {413, gunzipped.error().message};
      } else {
        // The proxy does not catch its decompressor's error: it fails with 500.
        verdict.rejection = {500, "body is not valid gzip (" + gunzipped.error().message +
                                      "); the stock proxy fails with 500 here"};
      }
      return verdict;
    }
    body = std::move(gunzipped.value());
  }
  if (body.empty()) {
    verdict.rejection = {400, "empty body"};
    return verdict;
  }
  std::string actual = metrics::wire::sha512_hex(body);
  if (actual != route.sha512) {
    verdict.rejection = {
        400, "SHA-512 mismatch: the URL says " + route.sha512 + ", the body has " + actual};
    return verdict;
  }
  // The proxy would answer 200 from here on: what follows is the collector's own check
  // of what azafea will make of the request.
  if (route.version != 3) {
    verdict.rejection = {400,
                         "protocol " + std::to_string(route.version) +
                             " is not decoded by this collector (the stock proxy would accept it "
                             "and leave it to azafea)",
                         true};
    return verdict;
  }
  auto request = metrics::wire::decode(body);
  if (!request) {
    verdict.rejection = {400,
                         "cannot decode body: " + request.error().message +
                             " (the stock proxy would accept it and leave it to azafea)",
                         true};
    return verdict;
  }
  verdict.accepted =
      Accepted{route.sha512, compressed.size(), std::move(body), std::move(request.value())};
  return verdict;
}

}  // namespace collector
