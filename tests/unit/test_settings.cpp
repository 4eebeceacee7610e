#include "settings.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "glib_handles.hpp"

namespace fs = std::filesystem;
using metrics::GCharPtr;
using metrics::GErrorOut;
using namespace metrics::config;

namespace {

constexpr const char* kDefaultUrl = "https://metrics.example.org/${environment}/";

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GErrorOut err;
    GCharPtr dir(g_dir_make_tmp("test-settings-XXXXXX", err.out()));
    ASSERT_TRUE(dir) << err.message();
    dir_ = dir.get();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path file = dir_ / name;
    std::ofstream out(file, std::ios::binary);
    out << text;
    return file;
  }
  static std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

// ---- Permissions -----------------------------------------------------------

TEST(ConsentTest, ConsentOfAndNames) {
  Permissions p;
  EXPECT_EQ(consent_of(p), Consent::Undecided);
  p.uploading_enabled = true;
  EXPECT_EQ(consent_of(p), Consent::Granted);
  p.enabled = false;
  EXPECT_EQ(consent_of(p), Consent::Declined);
  p.uploading_enabled = false;
  EXPECT_EQ(consent_of(p), Consent::Declined);
  EXPECT_STREQ(consent_name(Consent::Undecided), "undecided");
  EXPECT_STREQ(consent_name(Consent::Granted), "granted");
  EXPECT_STREQ(consent_name(Consent::Declined), "declined");
}

TEST_F(SettingsTest, ReadPermissionsMissingFile) {
  auto r = read_permissions(dir_ / "nope.conf", kDefaultUrl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PermissionsMissing");
  EXPECT_NE(r.error().message.find("nope.conf"), std::string::npos);
}

TEST_F(SettingsTest, ReadPermissionsFullFile) {
  auto file = write("p.conf",
                    "[global]\nenabled=true\nuploading_enabled=true\nenvironment=dev\n"
                    "server_url=http://localhost:8080/\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->enabled);
  EXPECT_TRUE(r->uploading_enabled);
  EXPECT_EQ(r->environment, "dev");
  EXPECT_EQ(r->server_url, "http://localhost:8080/");
  EXPECT_EQ(consent_of(*r), Consent::Granted);
}

TEST_F(SettingsTest, ReadPermissionsMissingUploadingEnabledIsFalse) {
  auto file = write("p.conf", "[global]\nenabled=true\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->enabled);
  EXPECT_FALSE(r->uploading_enabled);
  EXPECT_EQ(consent_of(*r), Consent::Undecided);
}

TEST_F(SettingsTest, ReadPermissionsMissingKeysTakeDefaults) {
  for (const char* text : {"", "# only a comment\n", "[global]\n", "[other]\nx=1\n"}) {
    SCOPED_TRACE(text);
    auto r = read_permissions(write("p.conf", text), kDefaultUrl);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->enabled);
    EXPECT_FALSE(r->uploading_enabled);
    EXPECT_EQ(r->environment, "production");
    EXPECT_EQ(r->server_url, kDefaultUrl);
  }
}

TEST_F(SettingsTest, ReadPermissionsGarbageIsInvalid) {
  auto file = write("p.conf", "this is not a key file\n\x01\x02 at all\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ConfigurationInvalid");
  EXPECT_NE(r.error().message.find(file.string()), std::string::npos);
}

TEST_F(SettingsTest, ReadPermissionsNonBooleanIsInvalid) {
  for (const char* key : {"enabled", "uploading_enabled"}) {
    SCOPED_TRACE(key);
    auto file = write("p.conf", std::string("[global]\n") + key + "=maybe\n");
    auto r = read_permissions(file, kDefaultUrl);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "ConfigurationInvalid");
    EXPECT_NE(r.error().message.find(file.string()), std::string::npos);
    EXPECT_NE(r.error().message.find(std::string(key) + "='maybe'"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("boolean"), std::string::npos);
  }
}

TEST_F(SettingsTest, ReadPermissionsBadEnvironmentIsInvalid) {
  auto file = write("p.conf", "[global]\nenvironment=staging\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ConfigurationInvalid");
  EXPECT_NE(r.error().message.find("environment"), std::string::npos);
  EXPECT_NE(r.error().message.find("staging"), std::string::npos);
  EXPECT_NE(r.error().message.find(file.string()), std::string::npos);

  for (const char* env : {"dev", "test", "production"}) {
    auto ok = read_permissions(write("p.conf", std::string("[global]\nenvironment=") + env + "\n"),
                               kDefaultUrl);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->environment, env);
  }
}

TEST_F(SettingsTest, WriteDefaultPermissionsCreatesParentAndDefaults) {
  auto file = dir_ / "etc" / "metrics" / "eos-metrics-permissions.conf";
  auto r = write_default_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->enabled);
  EXPECT_FALSE(r->uploading_enabled);
  EXPECT_EQ(r->environment, "production");
  EXPECT_EQ(r->server_url, kDefaultUrl);

  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);

  std::string text = slurp(file);
  EXPECT_EQ(text.rfind("#", 0), 0u) << text;  // comment header first
  EXPECT_NE(text.find("[global]"), std::string::npos);
  EXPECT_NE(text.find("uploading_enabled=false"), std::string::npos);

  auto back = read_permissions(file, "https://other.example/");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->uploading_enabled);
  EXPECT_EQ(back->server_url, kDefaultUrl);
  EXPECT_EQ(consent_of(*back), Consent::Undecided);
}

TEST_F(SettingsTest, WriteDefaultPermissionsNeverOverwritesExistingFile) {
  const std::string admin = "[global]\nenabled=false\n";
  auto file = write("p.conf", admin);
  auto r = write_default_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->enabled);
  EXPECT_EQ(slurp(file), admin);
}

TEST_F(SettingsTest, SetConsentKeepsCommentsAndUnknownKeys) {
  auto file = write("p.conf",
                    "# set by the school's administrator\n[global]\nenabled=true\n"
                    "uploading_enabled=false\nenvironment=test\nfavourite_colour=blue\n"
                    "\n[Extra]\n# group comment\nanswer=42\n");
  auto r = set_consent(file, true, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(consent_of(*r), Consent::Granted);
  EXPECT_EQ(r->environment, "test");

  std::string text = slurp(file);
  EXPECT_NE(text.find("# set by the school's administrator"), std::string::npos) << text;
  EXPECT_NE(text.find("favourite_colour=blue"), std::string::npos) << text;
  EXPECT_NE(text.find("[Extra]"), std::string::npos) << text;
  EXPECT_NE(text.find("# group comment"), std::string::npos) << text;
  EXPECT_NE(text.find("answer=42"), std::string::npos) << text;

  auto back = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->enabled);
  EXPECT_TRUE(back->uploading_enabled);
  EXPECT_EQ(back->environment, "test");
}

TEST_F(SettingsTest, SetUploadingEnabledTouchesOnlyThatKey) {
  auto file = write("p.conf", "# admin\n[global]\nenabled=true\nuploading_enabled=false\n");
  auto r = set_uploading_enabled(file, true, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(consent_of(*r), Consent::Granted);
  r = set_uploading_enabled(file, false, kDefaultUrl);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(consent_of(*r), Consent::Undecided);
  EXPECT_NE(slurp(file).find("# admin"), std::string::npos);
}

TEST_F(SettingsTest, SetEnvironmentValidates) {
  auto file = write("p.conf", "[global]\nenabled=true\nenvironment=test\n");
  auto r = set_environment(file, "dev", kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->environment, "dev");
  const std::string before = slurp(file);
  auto bad = set_environment(file, "staging", kDefaultUrl);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidEnvironment");
  EXPECT_NE(bad.error().message.find("staging"), std::string::npos);
  EXPECT_EQ(slurp(file), before);
}

TEST_F(SettingsTest, SetServerUrlRefusesWhatCouldNotBeUsed) {
  auto file = write("p.conf", "# keep\n[global]\nenabled=true\nenvironment=dev\n");
  auto r = set_server_url(file, "https://collector.example.org/${environment}", kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(resolve_server_url(*r).value(), "https://collector.example.org/dev");
  const std::string before = slurp(file);
  for (const char* bad : {"http://collector.example.org/", "ftp://x/", "", "https://u@h/"}) {
    auto refused = set_server_url(file, bad, kDefaultUrl);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code, "InvalidServerUrl") << bad;
    EXPECT_EQ(slurp(file), before) << bad;
  }
  EXPECT_TRUE(set_server_url(file, "http://127.0.0.1:8443/", kDefaultUrl).ok());
}

TEST_F(SettingsTest, SetConsentDeclineSetsBothSwitches) {
  auto file = write("p.conf", "[global]\nenabled=true\nuploading_enabled=true\n");
  auto r = set_consent(file, false, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->enabled);
  EXPECT_FALSE(r->uploading_enabled);
  auto back = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(consent_of(*back), Consent::Declined);
  EXPECT_FALSE(back->uploading_enabled);
}

TEST_F(SettingsTest, SetConsentRereadsTheFileBeforeWriting) {
  auto file = write("p.conf", "[global]\nenabled=true\nuploading_enabled=false\n");
  auto seen = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(seen.ok());
  // An administrator edits the file after the daemon last read it.
  write("p.conf",
        "[global]\nenabled=true\nuploading_enabled=false\nenvironment=dev\n"
        "server_url=https://school.example/metrics/\n");
  auto r = set_consent(file, true, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->environment, "dev");
  EXPECT_EQ(r->server_url, "https://school.example/metrics/");
  std::string text = slurp(file);
  EXPECT_NE(text.find("server_url=https://school.example/metrics/"), std::string::npos) << text;
  EXPECT_NE(text.find("environment=dev"), std::string::npos) << text;
}

TEST_F(SettingsTest, SetConsentOnMissingFileCreatesIt) {
  auto file = dir_ / "new" / "p.conf";
  auto r = set_consent(file, true, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(consent_of(*r), Consent::Granted);
  EXPECT_EQ(r->environment, "production");
  EXPECT_EQ(r->server_url, kDefaultUrl);
  auto back = read_permissions(file, "https://ignored.example/");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->enabled);
  EXPECT_TRUE(back->uploading_enabled);
  EXPECT_EQ(back->server_url, kDefaultUrl);

  auto declined = set_consent(dir_ / "other.conf", false, kDefaultUrl);
  ASSERT_TRUE(declined.ok()) << declined.error().message;
  EXPECT_EQ(consent_of(*declined), Consent::Declined);
}

TEST_F(SettingsTest, SetConsentLeavesUnparsableFileUntouched) {
  for (const char* text :
       {"garbage without any structure\n", "[global]\nenabled=perhaps\nuploading_enabled=false\n",
        "[global]\nenvironment=qa\n"}) {
    SCOPED_TRACE(text);
    auto file = write("p.conf", text);
    auto r = set_consent(file, true, kDefaultUrl);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "ConfigurationInvalid");
    EXPECT_EQ(slurp(file), text);
  }
}

// ---- Server URL --------------------------------------------------------------

TEST(ServerUrlTest, ValidationTable) {
  struct Case {
    const char* url;
    bool ok;
  };
  const Case cases[] = {
      {"https://metrics.endlessm.com/production/", true},
      {"https://h", true},
      {"https://h:8443/p", true},
      {"HTTPS://h/", true},
      {"http://127.0.0.1:8080", true},
      {"http://127.3.4.5/", true},
      {"http://localhost", true},
      {"http://LOCALHOST:9000/x", true},
      {"http://[::1]/", true},
      {"http://[::1]:8080", true},
      {"http://example.com", false},
      {"http://128.0.0.1/", false},
      {"http://localhost.example.com/", false},
      {"http://[::2]/", false},
      {"ftp://example.com/", false},
      {"file:///tmp/x", false},
      {"", false},
      {"https://", false},
      {"not a url", false},
      {"example.com/path", false},
      {"https://user:pw@example.com/", false},
      {"https://user@example.com/", false},
      {"https://example.com/?q=1", false},
      {"https://example.com/#f", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    Permissions p;
    p.server_url = c.url;
    auto r = resolve_server_url(p);
    EXPECT_EQ(r.ok(), c.ok) << (r.ok() ? r.value() : r.error().message);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, "InvalidServerUrl");
      EXPECT_NE(r.error().message.find("https://"), std::string::npos);  // says what is accepted
    }
  }
}

TEST(ServerUrlTest, SubstitutesEveryEnvironment) {
  Permissions p;
  p.environment = "test";
  p.server_url = "https://${environment}.example.com/${environment}/";
  auto r = resolve_server_url(p);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "https://test.example.com/test/");

  p.environment = "production";
  p.server_url = "https://metrics.endlessm.com/${environment}/";
  auto prod = resolve_server_url(p);
  ASSERT_TRUE(prod.ok()) << prod.error().message;
  EXPECT_EQ(prod.value(), "https://metrics.endlessm.com/production/");
}

TEST(ServerUrlTest, ErrorSaysWhatIsWrong) {
  Permissions p;
  p.server_url = "http://example.com/";
  auto r = resolve_server_url(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("example.com"), std::string::npos);
  EXPECT_NE(r.error().message.find("loopback"), std::string::npos);

  p.server_url = "ftp://example.com/";
  auto ftp = resolve_server_url(p);
  ASSERT_FALSE(ftp.ok());
  EXPECT_NE(ftp.error().message.find("ftp"), std::string::npos);

  p.server_url = "";
  auto empty = resolve_server_url(p);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
}

TEST(UploadUrlTest, Table) {
  const std::string sha = "abc123";
  EXPECT_EQ(upload_url("https://h/", sha), "https://h/3/abc123");
  EXPECT_EQ(upload_url("https://h", sha), "https://h/3/abc123");
  EXPECT_EQ(upload_url("https://h/p", sha), "https://h/p/3/abc123");
  EXPECT_EQ(upload_url("https://h/p/", sha), "https://h/p/3/abc123");
  EXPECT_EQ(upload_url("https://h/p//", sha), "https://h/p/3/abc123");
  EXPECT_EQ(upload_url("http://127.0.0.1:8080///", sha), "http://127.0.0.1:8080/3/abc123");
  EXPECT_EQ(upload_url("https://h/a/b/", sha), "https://h/a/b/3/abc123");
}

// ---- cache-size.conf -----------------------------------------------------------

TEST_F(SettingsTest, CacheSizeMissingFileIsDefaultWithoutWarning) {
  CacheSize c = read_cache_size(dir_ / "cache-size.conf");
  EXPECT_EQ(c.maximum, 10000000u);
  EXPECT_TRUE(c.warning.empty());
}

TEST_F(SettingsTest, CacheSizeValidValue) {
  CacheSize c =
      read_cache_size(write("cache-size.conf", "[persistent_cache_size]\nmaximum=12345\n"));
  EXPECT_EQ(c.maximum, 12345u);
  EXPECT_TRUE(c.warning.empty());

  CacheSize big =
      read_cache_size(write("cache-size.conf", "[persistent_cache_size]\nmaximum=8589934592\n"));
  EXPECT_EQ(big.maximum, 8589934592u);
}

TEST_F(SettingsTest, CacheSizeMissingKeyIsDefaultWithoutWarning) {
  CacheSize c = read_cache_size(write("cache-size.conf", "[persistent_cache_size]\n"));
  EXPECT_EQ(c.maximum, 10000000u);
  EXPECT_TRUE(c.warning.empty());
}

TEST_F(SettingsTest, CacheSizeBadValuesWarn) {
  for (const char* text :
       {"[persistent_cache_size]\nmaximum=0\n", "[persistent_cache_size]\nmaximum=-5\n",
        "[persistent_cache_size]\nmaximum=lots\n", "[persistent_cache_size]\nmaximum=12MB\n",
        "[persistent_cache_size]\nmaximum=1.5\n",
        "[persistent_cache_size]\nmaximum=99999999999999999999999\n",
        "garbage that is no key file\n"}) {
    SCOPED_TRACE(text);
    auto file = write("cache-size.conf", text);
    CacheSize c = read_cache_size(file);
    EXPECT_EQ(c.maximum, 10000000u);
    EXPECT_NE(c.warning.find(file.string()), std::string::npos) << c.warning;
  }
}

// ---- location.conf ---------------------------------------------------------------

TEST_F(SettingsTest, SiteLabelsInFileOrder) {
  auto file = write("location.conf",
                    "[Label]\nfacility=Library\n# comment\ncity=Lisbon\nstate=Lisboa\n"
                    "aardvark=last\n[Other]\nignored=1\n");
  auto labels = read_site_labels(file);
  using Pair = std::pair<std::string, std::string>;
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels[0], Pair("facility", "Library"));
  EXPECT_EQ(labels[1], Pair("city", "Lisbon"));
  EXPECT_EQ(labels[2], Pair("state", "Lisboa"));
  EXPECT_EQ(labels[3], Pair("aardvark", "last"));
}

TEST_F(SettingsTest, SiteLabelsAbsent) {
  EXPECT_TRUE(read_site_labels(dir_ / "location.conf").empty());
  EXPECT_TRUE(read_site_labels(write("location.conf", "[Other]\ncity=x\n")).empty());
  EXPECT_TRUE(read_site_labels(write("location.conf", "")).empty());
}

// ---- os-release ----------------------------------------------------------------------

TEST_F(SettingsTest, OsReleaseQuoting) {
  auto file = write("os-release",
                    "NAME=\"Endless OS\"\n"
                    "# VERSION=commented out\n"
                    "VERSION=\"40 (Workstation Edition)\"\n"
                    "ID=endless\n"
                    "PRETTY_NAME='Endless OS 6.0'\n"
                    "VARIANT=\"say \\\"hi\\\" \\\\ \\$HOME\"\n");
  EXPECT_EQ(read_os_version(file), "40 (Workstation Edition)");
  EXPECT_EQ(read_os_release_field(file, "NAME"), "Endless OS");
  EXPECT_EQ(read_os_release_field(file, "ID"), "endless");
  EXPECT_EQ(read_os_release_field(file, "PRETTY_NAME"), "Endless OS 6.0");
  EXPECT_EQ(read_os_release_field(file, "VARIANT"), "say \"hi\" \\ $HOME");
  EXPECT_EQ(read_os_release_field(file, "VERSION_ID"), "");
  EXPECT_EQ(read_os_release_field(file, "NAM"), "");
}

TEST_F(SettingsTest, OsReleaseSingleQuotesAndLastAssignmentWins) {
  auto file = write("os-release", "VERSION='5.0'\nVERSION='6.0 \"beta\"'\n");
  EXPECT_EQ(read_os_version(file), "6.0 \"beta\"");
}

TEST_F(SettingsTest, OsReleaseMissing) {
  EXPECT_EQ(read_os_version(dir_ / "os-release"), "");
  EXPECT_EQ(read_os_version(write("os-release", "NAME=Endless\n")), "");
}

// ---- recorder.conf ---------------------------------------------------------------------

void expect_defaults(const RecorderSettings& s) {
  EXPECT_EQ(s.max_queue_share_percent, 25u);
  EXPECT_EQ(s.unprivileged_queue_percent, 75u);
  EXPECT_EQ(s.max_timers_per_uid, 256u);
  EXPECT_EQ(s.unprivileged_timers_percent, 75u);
  EXPECT_DOUBLE_EQ(s.rate_limit_per_second, 500);
  EXPECT_EQ(s.rate_limit_burst, 5000u);
  EXPECT_EQ(s.max_payload_bytes, 65536u);
  EXPECT_EQ(s.max_timers_per_connection, 64u);
  EXPECT_EQ(s.max_timers_total, 4096u);
  EXPECT_EQ(s.max_sequence_length, 1024u);
}

TEST_F(SettingsTest, RecorderSettingsDefaults) {
  RecorderSettings missing = read_recorder_settings(dir_ / "recorder.conf");
  expect_defaults(missing);
  EXPECT_TRUE(missing.warnings.empty());

  RecorderSettings other = read_recorder_settings(
      write("recorder.conf", "[Recorder]\nUploadIntervalSeconds=3600\n[Upload]\nProxy=x\n"));
  expect_defaults(other);
  EXPECT_TRUE(other.warnings.empty());
}

TEST_F(SettingsTest, RecorderSettingsUnprivilegedPools) {
  RecorderSettings s =
      read_recorder_settings(write("recorder.conf",
                                   "[Recorder]\nUnprivilegedQueuePercent=60\nMaxTimersPerUid=9\n"
                                   "UnprivilegedTimersPercent=100\n"));
  EXPECT_TRUE(s.warnings.empty());
  EXPECT_EQ(s.unprivileged_queue_percent, 60u);
  EXPECT_EQ(s.max_timers_per_uid, 9u);
  EXPECT_EQ(s.unprivileged_timers_percent, 100u);

  RecorderSettings bad =
      read_recorder_settings(write("recorder.conf",
                                   "[Recorder]\nUnprivilegedQueuePercent=0\nMaxTimersPerUid=0\n"
                                   "UnprivilegedTimersPercent=101\n"));
  EXPECT_EQ(bad.warnings.size(), 3u);
  expect_defaults(bad);
}

TEST_F(SettingsTest, RecorderSettingsValidValues) {
  RecorderSettings s = read_recorder_settings(
      write("recorder.conf",
            "[Recorder]\nMaxQueueSharePercent=100\nRateLimitPerSecond=2.5\nRateLimitBurst=1\n"
            "MaxPayloadBytes=256\nMaxTimersPerConnection=3\nMaxTimersTotal=10\n"
            "MaxSequenceLength=7\n"));
  EXPECT_TRUE(s.warnings.empty());
  EXPECT_EQ(s.max_queue_share_percent, 100u);
  EXPECT_DOUBLE_EQ(s.rate_limit_per_second, 2.5);
  EXPECT_EQ(s.rate_limit_burst, 1u);
  EXPECT_EQ(s.max_payload_bytes, 256u);
  EXPECT_EQ(s.max_timers_per_connection, 3u);
  EXPECT_EQ(s.max_timers_total, 10u);
  EXPECT_EQ(s.max_sequence_length, 7u);

  RecorderSettings top = read_recorder_settings(
      write("recorder.conf", "[Recorder]\nMaxQueueSharePercent=1\nMaxPayloadBytes=16777216\n"));
  EXPECT_TRUE(top.warnings.empty());
  EXPECT_EQ(top.max_queue_share_percent, 1u);
  EXPECT_EQ(top.max_payload_bytes, 16777216u);
}

TEST_F(SettingsTest, RecorderSettingsBadValuesFallBackWithWarning) {
  struct Case {
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"MaxQueueSharePercent", "0"},    {"MaxQueueSharePercent", "101"},
      {"MaxQueueSharePercent", "-1"},   {"MaxQueueSharePercent", "half"},
      {"RateLimitPerSecond", "0"},      {"RateLimitPerSecond", "-3"},
      {"RateLimitPerSecond", "fast"},   {"RateLimitPerSecond", "nan"},
      {"RateLimitPerSecond", "inf"},    {"RateLimitBurst", "0"},
      {"MaxPayloadBytes", "255"},       {"MaxPayloadBytes", "16777217"},
      {"MaxTimersPerConnection", "0"},  {"MaxTimersTotal", "0"},
      {"MaxTimersTotal", "4294967296"}, {"MaxSequenceLength", "0"},
      {"MaxSequenceLength", "1e3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.key) + "=" + c.value);
    auto file =
        write("recorder.conf",
              std::string("[Recorder]\n") + c.key + "=" + c.value + "\nMaxTimersPerConnection" +
                  (std::string(c.key) == "MaxTimersPerConnection" ? "Unused=1\n" : "=9\n"));
    RecorderSettings s = read_recorder_settings(file);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find(file.string()), std::string::npos) << s.warnings[0];
    EXPECT_NE(s.warnings[0].find(c.key), std::string::npos) << s.warnings[0];
    // The bad key has its default, a good key next to it still counts.
    if (std::string(c.key) != "MaxTimersPerConnection") {
      EXPECT_EQ(s.max_timers_per_connection, 9u);
      RecorderSettings expected;
      expected.max_timers_per_connection = 9;
      EXPECT_EQ(s.max_queue_share_percent, expected.max_queue_share_percent);
      EXPECT_DOUBLE_EQ(s.rate_limit_per_second, expected.rate_limit_per_second);
      EXPECT_EQ(s.rate_limit_burst, expected.rate_limit_burst);
      EXPECT_EQ(s.max_payload_bytes, expected.max_payload_bytes);
      EXPECT_EQ(s.max_timers_total, expected.max_timers_total);
      EXPECT_EQ(s.max_sequence_length, expected.max_sequence_length);
    } else {
      expect_defaults(s);
    }
  }
}

TEST_F(SettingsTest, RecorderSettingsUnparsableFileWarns) {
  auto file = write("recorder.conf", "not a key file at all\n");
  RecorderSettings s = read_recorder_settings(file);
  expect_defaults(s);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find(file.string()), std::string::npos);
}

}  // namespace
