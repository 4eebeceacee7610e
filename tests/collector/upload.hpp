// SPDX-License-Identifier: GPL-2.0-or-later
// Server side of the protocol-3 upload contract (shared/spec/wire-protocol.md): path
// matching, gunzip, validation, and the JSON form of an accepted request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"
#include "wire.hpp"

namespace collector {

// Request-body limit of the reference front end: 1 MiB of compressed bytes.
inline constexpr size_t kMaxCompressedBytes = 1024 * 1024;
// Guard against gzip bombs; far above anything a valid client sends.
inline constexpr size_t kMaxUncompressedBytes = 64 * 1024 * 1024;

// The SHA-512 of `<anything>/3/<sha512>`, or nothing when `path` is not an upload path.
std::optional<std::string> upload_sha512(std::string_view path);

// A request that passed every check.
struct Accepted {
  std::string sha512;
  size_t compressed_size = 0;
  std::vector<uint8_t> body;  // uncompressed
  metrics::wire::Request request;
};

// A request that did not: the HTTP status to answer and why.
struct Rejection {
  unsigned status = 400;
  std::string reason;
};

struct Verdict {
  std::optional<Accepted> accepted;
  Rejection rejection;
};

// Checks an upload exactly as the contract says, in this order: encoding header (400),
// body size (413), empty body (400), gzip (400), SHA-512 of the uncompressed body (400),
// protocol-3 decode, which needs normal form and the exact type (400).
Verdict check_upload(std::string_view url_sha512, const char* encoding_header,
                     std::span<const uint8_t> compressed);

// The decoded request: timestamps, image id, labels, boot flags, events (payloads as
// g_variant_print(…, TRUE) text, null when absent).
nlohmann::ordered_json request_to_json(const metrics::wire::Request& request);

}  // namespace collector
