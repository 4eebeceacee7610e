// SPDX-License-Identifier: GPL-2.0-or-later
// What the recorder and its upload helper (eos-metrics-upload-helper) say to each other
// over the helper's stdin and stdout. A frame is a 4-byte little-endian length (of what
// follows it), a 1-byte kind, 3 bytes of padding and a GVariant in normal form of the
// kind's type:
//
//   recorder → helper   'S' settings (ussu): protocol version, proxy, trust file, timeout
//                       'P' put (say): URL, gzip body
//   helper → recorder   'A' answer (uusst): NetworkError, HTTP status, Retry-After, detail,
//                       bytes of the body written to the connection
//                       'F' setup failed (ss): error code, message; the helper then exits
//
// The settings come first and once; then one put at a time, each answered by exactly
// one 'A'. End of input tells the helper to exit. The version guards against a recorder
// that was upgraded on disk but still runs the old code talking to the new helper.
#pragma once

#include <glib.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "glib_handles.hpp"
#include "result.hpp"
#include "upload_attempt.hpp"
#include "upload_transport_settings.hpp"

namespace metrics::upload_helper {

// 2: answers carry the bytes sent, and MalformedResponse.
constexpr uint32_t kProtocolVersion = 2;
// A put carries at most UploadMaxRequestBytes (≤ 1 MiB) compressed; answers are small.
constexpr size_t kMaxFrameBytes = 4 * 1024 * 1024;

enum class FrameKind : char {
  Settings = 'S',
  Put = 'P',
  Answer = 'A',
  SetupFailed = 'F',
};

struct Frame {
  FrameKind kind = FrameKind::Settings;
  GBytesPtr payload;
};

// Cuts a byte stream into frames, whatever pieces it arrives in.
class FrameReader {
 public:
  void feed(std::span<const uint8_t> bytes);
  // The next complete frame, or nullopt until more bytes arrive. Errors
  // ("UploadHelperFailed"): a length beyond kMaxFrameBytes, an unknown kind.
  Result<std::optional<Frame>> next();
  // Bytes of an incomplete frame are waiting (the writer stopped in the middle of one).
  bool partial() const { return buffer_.size() > start_; }

 private:
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;  // first unread byte of buffer_
};

struct PutRequest {
  std::string url;
  GBytesPtr body;
};

std::vector<uint8_t> settings_frame(const upload::TransportSettings& settings);
std::vector<uint8_t> put_frame(const std::string& url, std::span<const uint8_t> gzip_body);
std::vector<uint8_t> answer_frame(const upload::AttemptResult& attempt);
std::vector<uint8_t> setup_failed_frame(const Error& error);

// Each checks the frame's kind, type and values; errors are "UploadHelperFailed" with
// what was wrong (and a version mismatch says which versions met).
Result<upload::TransportSettings> parse_settings(const Frame& frame);
Result<PutRequest> parse_put(const Frame& frame);
Result<upload::AttemptResult> parse_answer(const Frame& frame);
// The helper's error, or an "UploadHelperFailed" one saying what was wrong with the frame.
Error parse_setup_failed(const Frame& frame);

}  // namespace metrics::upload_helper
