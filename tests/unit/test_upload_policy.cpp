// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_policy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "settings.hpp"

namespace metrics::upload {
namespace {

constexpr int64_t kS = kNsPerSecond;
// Sun, 06 Nov 1994 08:49:37 GMT
constexpr int64_t kDate = 784111777;

Rng constant(double u) {
  return [u] { return u; };
}

TEST(UploadPolicyTest, HttpStatusClassificationTable) {
  struct Case {
    int status;
    Outcome outcome;
  };
  const Case cases[] = {
      {200, Outcome::Success},  {201, Outcome::Success},  {204, Outcome::Success},
      {299, Outcome::Success},  {408, Outcome::Retry},    {429, Outcome::Retry},
      {500, Outcome::Retry},    {502, Outcome::Retry},    {503, Outcome::Retry},
      {599, Outcome::Retry},    {400, Outcome::SetAside}, {401, Outcome::Pause},
      {403, Outcome::Pause},    {404, Outcome::Pause},    {405, Outcome::Pause},
      {410, Outcome::Pause},    {421, Outcome::Pause},    {402, Outcome::SetAside},
      {409, Outcome::SetAside}, {413, Outcome::SetAside}, {422, Outcome::SetAside},
      {499, Outcome::SetAside}, {100, Outcome::Retry},    {101, Outcome::Retry},
      {301, Outcome::Retry},    {307, Outcome::Retry},    {0, Outcome::Retry},
      {99, Outcome::Retry},     {600, Outcome::Retry},    {-1, Outcome::Retry},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify_http_status(c.status), c.outcome) << c.status;
    AttemptResult a;
    a.http_status = c.status;
    Classification k = classify(a, 0);
    EXPECT_EQ(k.outcome, c.outcome) << c.status;
    EXPECT_EQ(k.error.has_value(), c.outcome != Outcome::Success) << c.status;
    if (k.error) {
      EXPECT_NE(k.error->message.find(std::to_string(c.status)), std::string::npos);
      EXPECT_EQ(k.error->code, c.outcome == Outcome::SetAside ? ErrorCode::kUploadRejected
                               : c.outcome == Outcome::Pause  ? ErrorCode::kUploadDestinationWrong
                                                              : ErrorCode::kUploadServerError);
    }
  }
}

TEST(UploadPolicyTest, AWrongDestinationPausesAndSaysWhatToCheck) {
  // Every batch would get the same answer: none is set aside, uploading stops.
  for (int status : {401, 403, 404, 405, 410, 421}) {
    EXPECT_TRUE(is_destination_wrong(status)) << status;
    AttemptResult a;
    a.http_status = status;
    a.retry_after = "10";
    Classification k = classify(a, 0);
    EXPECT_EQ(k.outcome, Outcome::Pause);
    ASSERT_TRUE(k.error);
    EXPECT_EQ(k.error->code, ErrorCode::kUploadDestinationWrong);
    EXPECT_NE(k.error->message.find("metricsctl set-server-url"), std::string::npos);
    EXPECT_NE(k.error->message.find("stays queued"), std::string::npos);
    EXPECT_FALSE(k.retry_after_ns);
  }
  for (int status : {400, 402, 413, 422, 451}) EXPECT_FALSE(is_destination_wrong(status));
  // A refused batch's message says where its events went and how to get them back.
  AttemptResult refused;
  refused.http_status = 400;
  EXPECT_NE(classify(refused, 0).error->message.find("metricsctl set-aside"), std::string::npos);
}

TEST(UploadPolicyTest, NetworkErrorClassificationTable) {
  struct Case {
    NetworkError error;
    Outcome outcome;
    ErrorCode code;
  };
  const Case cases[] = {
      {NetworkError::Timeout, Outcome::Retry, ErrorCode::kUploadTimeout},
      {NetworkError::ConnectionRefused, Outcome::Retry, ErrorCode::kUploadConnectionFailed},
      {NetworkError::ConnectionReset, Outcome::Retry, ErrorCode::kUploadConnectionFailed},
      {NetworkError::DnsFailure, Outcome::Retry, ErrorCode::kUploadDnsFailure},
      {NetworkError::TlsFailure, Outcome::Retry, ErrorCode::kUploadTlsFailure},
      {NetworkError::Other, Outcome::Retry, ErrorCode::kUploadNetworkFailure},
      {NetworkError::Configuration, Outcome::Fatal, ErrorCode::kUploadConfigurationInvalid},
      // An answer that is not HTTP is the server's fault, as docs/recorder.md says.
      {NetworkError::MalformedResponse, Outcome::Retry, ErrorCode::kUploadServerError},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify_network_error(c.error), c.outcome) << network_error_name(c.error);
    AttemptResult a;
    a.network_error = c.error;
    a.http_status = 200;  // ignored: there was no answer
    a.detail = "detail-text";
    a.retry_after = "10";  // ignored without an answer
    Classification k = classify(a, 0);
    EXPECT_EQ(k.outcome, c.outcome);
    ASSERT_TRUE(k.error.has_value());
    EXPECT_EQ(k.error->code, c.code);
    EXPECT_NE(k.error->message.find("detail-text"), std::string::npos);
    EXPECT_FALSE(k.retry_after_ns.has_value());
  }
}

TEST(UploadPolicyTest, OutcomeNames) {
  EXPECT_STREQ(outcome_name(Outcome::Success), "Success");
  EXPECT_STREQ(outcome_name(Outcome::Retry), "Retry");
  EXPECT_STREQ(outcome_name(Outcome::SetAside), "SetAside");
  EXPECT_STREQ(outcome_name(Outcome::Fatal), "Fatal");
  EXPECT_STREQ(outcome_name(Outcome::Pause), "Pause");
}

TEST(UploadPolicyTest, RetryAfterSecondsAndDates) {
  const int64_t now = kDate * kS;
  EXPECT_EQ(parse_retry_after("120", now), 120 * kS);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0);
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), kMaxRetryAfterNs);
  EXPECT_EQ(parse_retry_after("86400", now), kMaxRetryAfterNs);
  EXPECT_EQ(parse_retry_after("86399", now), 86399 * kS);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now), 120 * kS);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:51:37 GMT", now), 120 * kS);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:51:37 1994", now), 120 * kS);
  // Sub-second "now": the delay is measured from the real now.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now + kS / 2), 120 * kS - kS / 2);
  // In the past: retry now. Far future: clamped.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0);
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 2100 23:59:59 GMT", now), kMaxRetryAfterNs);
  for (const char* bad :
       {"", "soon", "-5", "1.5", "Sun, 06 Nov 1994 08:51:37 CET", "Sun, 31 Feb 1994 08:51:37 GMT",
        "Sun, 06 Foo 1994 08:51:37 GMT", "Sun, 06 Nov 1994 08:51:37 GMT trailing"})
    EXPECT_FALSE(parse_retry_after(bad, now).has_value()) << bad;
}

TEST(UploadPolicyTest, RetryAfterIsReportedForRetriesOnly) {
  AttemptResult a;
  a.http_status = 503;
  a.retry_after = "90";
  Classification k = classify(a, 0);
  EXPECT_EQ(k.outcome, Outcome::Retry);
  ASSERT_TRUE(k.retry_after_ns.has_value());
  EXPECT_EQ(*k.retry_after_ns, 90 * kS);
  a.http_status = 429;
  EXPECT_EQ(classify(a, 0).retry_after_ns, 90 * kS);
  a.http_status = 200;
  EXPECT_FALSE(classify(a, 0).retry_after_ns.has_value());
  a.http_status = 503;
  a.retry_after = "garbage";
  EXPECT_FALSE(classify(a, 0).retry_after_ns.has_value());
}

TEST(UploadPolicyTest, BackoffWindowsGrowAndAreCapped) {
  Backoff b;
  EXPECT_EQ(b.base_ns, 30 * kS);
  EXPECT_EQ(b.cap_ns, 6 * 3600 * kS);
  EXPECT_EQ(b.window_ns(0), 30 * kS);
  EXPECT_EQ(b.window_ns(1), 60 * kS);
  EXPECT_EQ(b.window_ns(5), 960 * kS);
  EXPECT_EQ(b.window_ns(10), 6 * 3600 * kS);
  EXPECT_EQ(b.window_ns(1000), 6 * 3600 * kS);
  EXPECT_EQ(b.window_ns(~0u), 6 * 3600 * kS);
}

TEST(UploadPolicyTest, BackoffFullJitterWithFixedRng) {
  Backoff b;
  EXPECT_EQ(b.next_delay(0, constant(0.0)), 0);
  EXPECT_EQ(b.next_delay(0, constant(0.5)), 15 * kS);
  EXPECT_EQ(b.next_delay(3, constant(0.25)), 60 * kS);
  EXPECT_LT(b.next_delay(0, constant(0.9999999999)), 30 * kS);
  // A broken generator cannot escape the window.
  EXPECT_LT(b.next_delay(0, constant(1.0)), 30 * kS);
  EXPECT_LT(b.next_delay(2, constant(7.0)), 120 * kS);
  EXPECT_EQ(b.next_delay(2, constant(-3.0)), 0);
  EXPECT_EQ(b.next_delay(20, constant(0.5)), 3 * 3600 * kS);
  // Retry-After wins when larger, not when smaller.
  EXPECT_EQ(b.next_delay(0, constant(0.5), 600 * kS), 600 * kS);
  EXPECT_EQ(b.next_delay(20, constant(0.5), 600 * kS), 3 * 3600 * kS);
}

TEST(UploadPolicyTest, BackoffDelaysSpreadOverTheWholeWindow) {
  Backoff b;
  Rng rng = seeded_rng(42);
  for (unsigned attempt = 0; attempt < 16; ++attempt) {
    const int64_t window = b.window_ns(attempt);
    int64_t lo = window, hi = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t d = b.next_delay(attempt, rng);
      ASSERT_GE(d, 0);
      ASSERT_LT(d, window);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter: both ends of the window are reached.
    EXPECT_LT(lo, window / 50) << attempt;
    EXPECT_GT(hi, window - window / 50) << attempt;
  }
}

TEST(UploadPolicyTest, SeededRngIsReproducibleAndInRange) {
  Rng a = seeded_rng(7), b = seeded_rng(7), c = seeded_rng(8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
    differs = differs || x != c();
  }
  EXPECT_TRUE(differs);
}

TEST(UploadPolicyTest, IntervalsByEnvironmentAndSetting) {
  EXPECT_EQ(default_interval_ns("production"), 30 * 60 * kS);
  EXPECT_EQ(default_interval_ns("dev"), 15 * 60 * kS);
  EXPECT_EQ(default_interval_ns("test"), 15 * 60 * kS);
  EXPECT_EQ(default_interval_ns("other"), 30 * 60 * kS);
  config::RecorderSettings s;
  EXPECT_EQ(upload_interval_ns(s, "dev"), 15 * 60 * kS);
  s.upload_interval_seconds = 3600;
  EXPECT_EQ(upload_interval_ns(s, "dev"), 3600 * kS);
  EXPECT_EQ(upload_interval_ns(s, "production"), 3600 * kS);
}

TEST(UploadPolicyTest, SlotsJitterWithinTheirRange) {
  const int64_t interval = 30 * 60 * kS;
  EXPECT_EQ(next_slot(1000, interval, 0.25, constant(0.5)), 1000 + interval);
  EXPECT_EQ(next_slot(1000, interval, 0.25, constant(0.0)), 1000 + interval * 3 / 4);
  EXPECT_EQ(next_slot(1000, interval, 0.0, constant(0.0)), 1000 + interval);
  EXPECT_EQ(first_slot(1000, interval, constant(0.0)), 1000);
  EXPECT_EQ(first_slot(1000, interval, constant(0.5)), 1000 + interval / 2);

  Rng rng = seeded_rng(1);
  double sum = 0;
  int64_t lo = INT64_MAX, hi = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const int64_t step = next_slot(0, interval, 0.25, rng);
    ASSERT_GE(step, interval * 3 / 4);
    ASSERT_LE(step, interval * 5 / 4);
    lo = std::min(lo, step);
    hi = std::max(hi, step);
    sum += static_cast<double>(step);
    const int64_t first = first_slot(0, interval, rng);
    ASSERT_GE(first, 0);
    ASSERT_LT(first, interval);
  }
  // Machines spread: the steps cover the jitter range; the mean stays the interval.
  EXPECT_LT(lo, interval * 3 / 4 + interval / 100);
  EXPECT_GT(hi, interval * 5 / 4 - interval / 100);
  EXPECT_NEAR(sum / n, static_cast<double>(interval), interval * 0.01);
  // Out-of-range jitter fractions are clamped.
  EXPECT_GT(next_slot(0, interval, 5.0, constant(0.0)), 0);
  EXPECT_EQ(next_slot(0, interval, -1.0, constant(0.0)), interval);
}

TEST(UploadPolicyTest, MissedSlotsFireOnceWhenBackOnline) {
  const int64_t interval = 30 * 60 * kS;
  Rng rng = seeded_rng(99);
  int64_t slot = first_slot(0, interval, rng);
  int fires = 0;
  std::vector<int64_t> fired_at;
  // One simulated minute per tick for 10 hours; offline from 1 h to 6 h.
  for (int64_t now = 0; now <= 10 * 3600 * kS; now += 60 * kS) {
    const bool online = now < 3600 * kS || now >= 6 * 3600 * kS;
    if (online && is_due(now, slot)) {
      ++fires;
      fired_at.push_back(now);
      slot = next_slot(now, interval, kDefaultJitterFraction, rng);
    }
  }
  // The return at 6 h fires exactly once, not once per missed slot.
  int at_return = 0;
  for (int64_t t : fired_at)
    if (t >= 6 * 3600 * kS && t < 6 * 3600 * kS + 20 * 60 * kS) ++at_return;
  EXPECT_EQ(at_return, 1);
  for (size_t i = 1; i < fired_at.size(); ++i)
    EXPECT_GE(fired_at[i] - fired_at[i - 1], interval * 3 / 4 - 60 * kS);
  // About two per hour while online (1 h + 4 h online).
  EXPECT_GE(fires, 8);
  EXPECT_LE(fires, 14);
  EXPECT_EQ(delay_until(10, 25), 15);
  EXPECT_EQ(delay_until(30, 25), 0);
  EXPECT_TRUE(is_due(25, 25));
  EXPECT_FALSE(is_due(24, 25));
}

// ---- recorder.conf upload keys ---------------------------------------------------------

class UploadSettingsTest : public ::testing::Test {
 protected:
  UploadSettingsTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("metrics-test-upload-settings-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~UploadSettingsTest() override { std::filesystem::remove_all(dir_); }
  config::RecorderSettings read(const std::string& body) {
    auto p = dir_ / "recorder.conf";
    std::ofstream(p) << "[Recorder]\n" << body;
    return config::read_recorder_settings(p);
  }
  std::filesystem::path dir_;
};

TEST_F(UploadSettingsTest, Defaults) {
  config::RecorderSettings s = config::read_recorder_settings(dir_ / "missing.conf");
  EXPECT_EQ(s.upload_interval_seconds, 0u);
  EXPECT_EQ(s.upload_max_request_bytes, 256u * 1024);
  EXPECT_FALSE(s.allow_metered_uploads);
  EXPECT_EQ(s.proxy_url, "");
  EXPECT_EQ(s.trust_file, "");
  EXPECT_TRUE(s.warnings.empty());
}

TEST_F(UploadSettingsTest, ValidValues) {
  config::RecorderSettings s = read(
      "UploadIntervalSeconds=600\nUploadMaxRequestBytes=65536\nAllowMeteredUploads=true\n"
      "ProxyUrl=socks5h://127.0.0.1:9050\nTrustFile=/etc/metrics/ca.pem\n");
  EXPECT_TRUE(s.warnings.empty()) << s.warnings[0];
  EXPECT_EQ(s.upload_interval_seconds, 600u);
  EXPECT_EQ(s.upload_max_request_bytes, 65536u);
  EXPECT_TRUE(s.allow_metered_uploads);
  EXPECT_EQ(s.proxy_url, "socks5h://127.0.0.1:9050");
  EXPECT_EQ(s.trust_file, "/etc/metrics/ca.pem");
  for (const char* proxy : {"http://proxy:3128", "https://p.example", "socks4://h:1080",
                            "socks4a://h", "socks5://u:p@h:1080"}) {
    auto p = read(std::string("ProxyUrl=") + proxy + "\n");
    EXPECT_TRUE(p.warnings.empty()) << proxy;
    EXPECT_EQ(p.proxy_url, proxy);
  }
  EXPECT_TRUE(read("UploadIntervalSeconds=0\nProxyUrl=\nTrustFile=\n").warnings.empty());
}

TEST_F(UploadSettingsTest, BadValuesWarnAndKeepDefaults) {
  struct Case {
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"UploadIntervalSeconds", "-1"},
      {"UploadIntervalSeconds", "604801"},
      {"UploadIntervalSeconds", "often"},
      {"UploadMaxRequestBytes", "100"},
      {"UploadMaxRequestBytes", "2000000"},
      {"AllowMeteredUploads", "maybe"},
      {"ProxyUrl", "ftp://h"},
      {"ProxyUrl", "not a url"},
      {"ProxyUrl", "socks5://"},
      {"TrustFile", "relative/ca.pem"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.key) + "=" + c.value);
    config::RecorderSettings s =
        read(std::string(c.key) + "=" + c.value + "\n" +
             (std::string(c.key) == "UploadIntervalSeconds" ? "MaxSequenceLength=77\n"
                                                            : "UploadIntervalSeconds=77\n"));
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find(c.key), std::string::npos) << s.warnings[0];
    EXPECT_NE(s.warnings[0].find(c.value), std::string::npos) << s.warnings[0];
    config::RecorderSettings d;
    if (std::string(c.key) != "UploadIntervalSeconds") {
      EXPECT_EQ(s.upload_interval_seconds, 77u);
    } else {
      EXPECT_EQ(s.upload_interval_seconds, d.upload_interval_seconds);
    }
    EXPECT_EQ(s.upload_max_request_bytes, d.upload_max_request_bytes);
    EXPECT_EQ(s.allow_metered_uploads, d.allow_metered_uploads);
    EXPECT_EQ(s.proxy_url, d.proxy_url);
    EXPECT_EQ(s.trust_file, d.trust_file);
  }
}

}  // namespace
}  // namespace metrics::upload
