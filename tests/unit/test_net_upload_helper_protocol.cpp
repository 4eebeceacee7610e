// SPDX-License-Identifier: GPL-2.0-or-later
// The frames between the recorder and its upload helper: what one side writes the other
// reads back, in whatever pieces the pipe delivers it, and nonsense is refused by name.
#include <gtest/gtest.h>

#include <vector>

#include "upload_helper_protocol.hpp"

namespace metrics::upload_helper {
namespace {

Frame only_frame(const std::vector<uint8_t>& bytes) {
  FrameReader reader;
  reader.feed(bytes);
  auto frame = reader.next();
  EXPECT_TRUE(frame) << frame.error().message;
  EXPECT_TRUE(frame->has_value());
  Frame out = std::move(**frame);
  auto after = reader.next();
  EXPECT_TRUE(after && !after->has_value());
  EXPECT_FALSE(reader.partial());
  return out;
}

TEST(UploadHelperProtocol, SettingsRoundTrip) {
  upload::TransportSettings s;
  s.proxy_url = "socks5h://127.0.0.1:9050";
  s.trust_file = "/etc/metrics/ca.pem";
  s.timeout_seconds = 42;
  s.helper_path = "/not/sent";
  auto parsed = parse_settings(only_frame(settings_frame(s)));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->proxy_url, s.proxy_url);
  EXPECT_EQ(parsed->trust_file, s.trust_file);
  EXPECT_EQ(parsed->timeout_seconds, 42U);
  EXPECT_EQ(parsed->helper_path, "") << "the helper's path stays with the recorder";
}

TEST(UploadHelperProtocol, PutRoundTripKeepsTheBodyExactly) {
  std::vector<uint8_t> body(300000);
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i * 7 + i / 251);
  const std::string url = "https://metrics.example.org/3/" + std::string(128, 'a');
  auto put = parse_put(only_frame(put_frame(url, body)));
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(put->url, url);
  gsize size = 0;
  const auto* data = static_cast<const uint8_t*>(g_bytes_get_data(put->body.get(), &size));
  ASSERT_EQ(size, body.size());
  EXPECT_TRUE(std::equal(body.begin(), body.end(), data));
}

TEST(UploadHelperProtocol, EmptyBodyAndEmptyStrings) {
  auto put = parse_put(only_frame(put_frame("", {})));
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(g_bytes_get_size(put->body.get()), 0U);
}

TEST(UploadHelperProtocol, AnswerRoundTrip) {
  upload::AttemptResult a;
  a.network_error = upload::NetworkError::None;
  a.http_status = 503;
  a.retry_after = "120";
  a.detail = "Service Unavailable";
  auto parsed = parse_answer(only_frame(answer_frame(a)));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->network_error, upload::NetworkError::None);
  EXPECT_EQ(parsed->http_status, 503);
  EXPECT_EQ(parsed->retry_after, "120");
  EXPECT_EQ(parsed->detail, "Service Unavailable");

  a.network_error = upload::NetworkError::TlsFailure;
  a.http_status = 0;
  parsed = parse_answer(only_frame(answer_frame(a)));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->network_error, upload::NetworkError::TlsFailure);
}

TEST(UploadHelperProtocol, TheHelperCannotClaimToHaveFailedItself) {
  // HelperFailure is the recorder's verdict about the helper, never the helper's answer.
  upload::AttemptResult a;
  a.network_error = upload::NetworkError::HelperFailure;
  auto parsed = parse_answer(only_frame(answer_frame(a)));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kUploadHelperFailed);
}

TEST(UploadHelperProtocol, SetupFailurePassesOnlyKnownCodes) {
  Error e = parse_setup_failed(only_frame(
      setup_failed_frame({ErrorCode::kUploadConfigurationInvalid, "cannot use TrustFile x"})));
  EXPECT_EQ(e.code, ErrorCode::kUploadConfigurationInvalid);
  EXPECT_EQ(e.message, "cannot use TrustFile x");
  // Becomes a D-Bus error name: anything else is reported as the helper's failure.
  e = parse_setup_failed(only_frame(setup_failed_frame({ErrorCode::kStorageFailure, "text"})));
  EXPECT_EQ(e.code, ErrorCode::kUploadHelperFailed);
  EXPECT_NE(e.message.find("StorageFailure"), std::string::npos);
  // A helper may send any name at all: a frame built by hand.
  GVariantPtr bogus(g_variant_ref_sink(g_variant_new("(ss)", "Bogus.Name!", "text")));
  e = parse_setup_failed(
      Frame{FrameKind::SetupFailed, GBytesPtr(g_variant_get_data_as_bytes(bogus.get()))});
  EXPECT_EQ(e.code, ErrorCode::kUploadHelperFailed);
  EXPECT_NE(e.message.find("Bogus.Name!"), std::string::npos);
}

TEST(UploadHelperProtocol, AnswersCarryBytesSentAndMalformedResponses) {
  upload::AttemptResult a;
  a.network_error = upload::NetworkError::MalformedResponse;
  a.bytes_sent = 12345;
  auto parsed = parse_answer(only_frame(answer_frame(a)));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->network_error, upload::NetworkError::MalformedResponse);
  EXPECT_EQ(parsed->bytes_sent, 12345u);
  // HelperFailure is the recorder's verdict, never the helper's.
  a.network_error = upload::NetworkError::HelperFailure;
  EXPECT_FALSE(parse_answer(only_frame(answer_frame(a))));
}

TEST(UploadHelperProtocol, FramesArriveInAnyPieces) {
  std::vector<uint8_t> stream;
  for (int i = 0; i < 3; ++i) {
    upload::AttemptResult a;
    a.http_status = 200 + i;
    auto f = answer_frame(a);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  FrameReader reader;
  std::vector<int> statuses;
  for (uint8_t byte : stream) {  // one byte at a time
    reader.feed(std::span<const uint8_t>(&byte, 1));
    auto frame = reader.next();
    ASSERT_TRUE(frame) << frame.error().message;
    if (frame->has_value()) statuses.push_back(parse_answer(**frame)->http_status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 201, 202}));
  EXPECT_FALSE(reader.partial());
}

TEST(UploadHelperProtocol, AStreamCutInsideAFrameIsPartial) {
  auto f = answer_frame({});
  f.pop_back();
  FrameReader reader;
  reader.feed(f);
  auto frame = reader.next();
  ASSERT_TRUE(frame);
  EXPECT_FALSE(frame->has_value());
  EXPECT_TRUE(reader.partial());
}

TEST(UploadHelperProtocol, RefusesOversizedAndUnknownFrames) {
  FrameReader big;
  const std::vector<uint8_t> huge = {0xff, 0xff, 0xff, 0x7f, 'A', 0, 0, 0};
  big.feed(huge);
  auto frame = big.next();
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ErrorCode::kUploadHelperFailed);

  FrameReader unknown;
  const std::vector<uint8_t> odd = {4, 0, 0, 0, 'Z', 0, 0, 0};
  unknown.feed(odd);
  frame = unknown.next();
  ASSERT_FALSE(frame);
  EXPECT_NE(frame.error().message.find("kind"), std::string::npos);
}

TEST(UploadHelperProtocol, RefusesAFrameOfTheWrongKindOrShape) {
  auto settings = only_frame(settings_frame({}));
  EXPECT_FALSE(parse_put(settings));
  EXPECT_FALSE(parse_answer(settings));
  // An answer frame whose value is not (uusst): a put's payload relabelled.
  auto put = put_frame("u", std::vector<uint8_t>{1, 2, 3});
  put[4] = static_cast<uint8_t>('A');
  auto relabelled = parse_answer(only_frame(put));
  EXPECT_FALSE(relabelled);
}

TEST(UploadHelperProtocol, VersionMismatchSaysWhatToDo) {
  auto f = settings_frame({});
  f[8] = static_cast<uint8_t>(kProtocolVersion + 1);  // the u at the value's start
  auto parsed = parse_settings(only_frame(f));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("restart the recorder"), std::string::npos)
      << parsed.error().message;
}

}  // namespace
}  // namespace metrics::upload_helper
