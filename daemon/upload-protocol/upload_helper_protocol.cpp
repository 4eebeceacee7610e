// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_helper_protocol.hpp"

#include <cstring>

namespace metrics::upload_helper {

namespace {

// Length (4, little-endian; of what follows it), kind (1), padding (3): the value starts
// 8-aligned, as GVariant serialises only into aligned memory.
constexpr size_t kHeaderBytes = 8;
constexpr size_t kLengthBytes = 4;
constexpr ErrorCode kCode = ErrorCode::kUploadHelperFailed;

std::vector<uint8_t> frame_of(FrameKind kind, GVariant* floating) {
  GVariantPtr value(g_variant_ref_sink(floating));
  const gsize size = g_variant_get_size(value.get());
  const auto length = static_cast<uint32_t>(kHeaderBytes - kLengthBytes + size);
  std::vector<uint8_t> out(kHeaderBytes + size);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(length >> (8 * i));
  out[4] = static_cast<uint8_t>(kind);  // out[5..7]: zero padding
  g_variant_store(value.get(), out.data() + kHeaderBytes);
  return out;
}

bool known_kind(uint8_t byte) {
  switch (static_cast<FrameKind>(byte)) {
    case FrameKind::Settings:
    case FrameKind::Put:
    case FrameKind::Answer:
    case FrameKind::SetupFailed:
      return true;
  }
  return false;
}

const char* kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::Settings:
      return "settings";
    case FrameKind::Put:
      return "put";
    case FrameKind::Answer:
      return "answer";
    case FrameKind::SetupFailed:
      return "setup-failed";
  }
  return "unknown";
}

// The frame's value as `type`, if it is of that kind and a well-formed value of it.
Result<GVariantPtr> value_of(const Frame& frame, FrameKind kind, const char* type) {
  if (frame.kind != kind) {
    return Error{kCode, std::string("expected a ") + kind_name(kind) + " frame, got a " +
                            kind_name(frame.kind) + " frame"};
  }
  GVariantPtr value(g_variant_ref_sink(
      g_variant_new_from_bytes(G_VARIANT_TYPE(type), frame.payload.get(), FALSE)));
  if (!g_variant_is_normal_form(value.get())) {
    return Error{kCode, std::string("malformed ") + kind_name(kind) + " frame"};
  }
  return value;
}

}  // namespace

void FrameReader::feed(std::span<const uint8_t> bytes) {
  // Drop what was consumed before growing, so the buffer stays about one frame long.
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > 65536 && start_ * 2 > buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<Frame>> FrameReader::next() {
  const size_t available = buffer_.size() - start_;
  if (available < kHeaderBytes) return std::optional<Frame>{};
  const uint8_t* head = buffer_.data() + start_;
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= static_cast<uint32_t>(head[i]) << (8 * i);
  if (length < kHeaderBytes - kLengthBytes || length > kMaxFrameBytes) {
    return Error{kCode, "frame of " + std::to_string(length) + " bytes (at most " +
                            std::to_string(kMaxFrameBytes) + ")"};
  }
  if (!known_kind(head[4])) {
    return Error{kCode, "unknown frame kind " + std::to_string(head[4])};
  }
  if (available < kLengthBytes + length) return std::optional<Frame>{};
  Frame frame;
  frame.kind = static_cast<FrameKind>(head[4]);
  // A copy in its own (aligned) allocation.
  frame.payload.reset(g_bytes_new(head + kHeaderBytes, length - (kHeaderBytes - kLengthBytes)));
  start_ += kLengthBytes + length;
  return std::optional<Frame>{std::move(frame)};
}

std::vector<uint8_t> settings_frame(const upload::TransportSettings& settings) {
  return frame_of(FrameKind::Settings,
                  g_variant_new("(ussu)", kProtocolVersion, settings.proxy_url.c_str(),
                                settings.trust_file.c_str(), settings.timeout_seconds));
}

std::vector<uint8_t> put_frame(const std::string& url, std::span<const uint8_t> gzip_body) {
  GVariant* body =
      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, gzip_body.data(), gzip_body.size(), 1);
  return frame_of(FrameKind::Put, g_variant_new("(s@ay)", url.c_str(), body));
}

std::vector<uint8_t> answer_frame(const upload::AttemptResult& attempt) {
  return frame_of(
      FrameKind::Answer,
      g_variant_new("(uusst)", static_cast<uint32_t>(attempt.network_error),
                    static_cast<uint32_t>(attempt.http_status), attempt.retry_after.c_str(),
                    attempt.detail.c_str(), static_cast<guint64>(attempt.bytes_sent)));
}

std::vector<uint8_t> setup_failed_frame(const Error& error) {
  return frame_of(FrameKind::SetupFailed,
                  g_variant_new("(ss)", std::string(error_code_name(error.code)).c_str(),
                                error.message.c_str()));
}

Result<upload::TransportSettings> parse_settings(const Frame& frame) {
  auto value = value_of(frame, FrameKind::Settings, "(ussu)");
  if (!value) return value.error();
  guint32 version = 0;
  const char* proxy = nullptr;
  const char* trust = nullptr;
  guint32 timeout = 0;
  g_variant_get(value->get(), "(u&s&su)", &version, &proxy, &trust, &timeout);
  if (version != kProtocolVersion) {
    return Error{kCode, "the recorder speaks upload-helper protocol " + std::to_string(version) +
                            ", this helper " + std::to_string(kProtocolVersion) +
                            " (restart the recorder after an upgrade)"};
  }
  upload::TransportSettings settings;
  settings.proxy_url = proxy;
  settings.trust_file = trust;
  settings.timeout_seconds = timeout;
  return settings;
}

Result<PutRequest> parse_put(const Frame& frame) {
  auto value = value_of(frame, FrameKind::Put, "(say)");
  if (!value) return value.error();
  PutRequest put;
  GVariantPtr url(g_variant_get_child_value(value->get(), 0));
  GVariantPtr body(g_variant_get_child_value(value->get(), 1));
  put.url = g_variant_get_string(url.get(), nullptr);
  put.body.reset(g_variant_get_data_as_bytes(body.get()));
  return put;
}

Result<upload::AttemptResult> parse_answer(const Frame& frame) {
  auto value = value_of(frame, FrameKind::Answer, "(uusst)");
  if (!value) return value.error();
  guint32 network_error = 0;
  guint32 status = 0;
  const char* retry_after = nullptr;
  const char* detail = nullptr;
  guint64 bytes_sent = 0;
  g_variant_get(value->get(), "(uu&s&st)", &network_error, &status, &retry_after, &detail,
                &bytes_sent);
  // HelperFailure is the recorder's own verdict on a helper: never the helper's to give.
  const bool known = network_error <= static_cast<guint32>(upload::NetworkError::Configuration) ||
                     network_error == static_cast<guint32>(upload::NetworkError::MalformedResponse);
  if (!known || status > 999) {
    return Error{kCode, "answer out of range (network error " + std::to_string(network_error) +
                            ", HTTP status " + std::to_string(status) + ")"};
  }
  upload::AttemptResult attempt;
  attempt.network_error = static_cast<upload::NetworkError>(network_error);
  attempt.http_status = static_cast<int>(status);
  attempt.retry_after = retry_after;
  attempt.detail = detail;
  attempt.bytes_sent = bytes_sent;
  return attempt;
}

Error parse_setup_failed(const Frame& frame) {
  auto value = value_of(frame, FrameKind::SetupFailed, "(ss)");
  if (!value) return value.error();
  const char* code = nullptr;
  const char* message = nullptr;
  g_variant_get(value->get(), "(&s&s)", &code, &message);
  // The code becomes a D-Bus error name: only the two the helper may give pass through.
  const std::optional<ErrorCode> known = error_code_from_name(code);
  if (known != ErrorCode::kUploadConfigurationInvalid && known != kCode) {
    return Error{kCode, "the helper failed with " + std::string(code) + ": " + message};
  }
  return Error{*known, message};
}

}  // namespace metrics::upload_helper
