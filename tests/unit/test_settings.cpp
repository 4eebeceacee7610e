// SPDX-License-Identifier: GPL-2.0-or-later
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

// The built-in default's form: the environment in the host name.
constexpr const char* kDefaultUrl = "https://${environment}.metrics.example.org/";

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
  EXPECT_EQ(r.error().code, metrics::ErrorCode::kPermissionsMissing);
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

TEST_F(SettingsTest, ReadPermissionsMissingKeysTakeDefaultsButNoDestination) {
  // The compiled-in server belongs only in a file the recorder writes itself: an existing
  // file without server_url names no destination, and uploading cannot go anywhere.
  for (const char* text : {"", "# only a comment\n", "[global]\n", "[global]\nenabled=true\n"}) {
    SCOPED_TRACE(text);
    auto file = write("p.conf", text);
    auto r = read_permissions(file, kDefaultUrl);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->enabled);
    EXPECT_FALSE(r->uploading_enabled);
    EXPECT_EQ(r->environment, "production");
    EXPECT_EQ(r->server_url, "");
    EXPECT_NE(r->destination_problem.find(file.string()), std::string::npos);
    EXPECT_NE(r->destination_problem.find("server_url"), std::string::npos);
    auto url = resolve_server_url(*r);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().code, metrics::ErrorCode::kInvalidServerUrl);
    EXPECT_EQ(url.error().message, r->destination_problem);
  }
}

TEST_F(SettingsTest, ReadPermissionsMisspelledServerUrlIsNoDestinationAndWarned) {
  auto file = write("p.conf",
                    "[global]\nenabled=true\nuploading_enabled=true\nenvironment=test\n"
                    "SERVER_URL=https://own.example.org/\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server_url, "");
  EXPECT_NE(r->destination_problem.find("SERVER_URL"), std::string::npos) << r->destination_problem;
  EXPECT_NE(r->destination_problem.find("has no [global] server_url"), std::string::npos);
  EXPECT_FALSE(resolve_server_url(*r).ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find(file.string()), std::string::npos) << r->warnings[0];
  EXPECT_NE(r->warnings[0].find("unknown key [global] SERVER_URL"), std::string::npos)
      << r->warnings[0];
  EXPECT_NE(r->warnings[0].find("did you mean server_url"), std::string::npos) << r->warnings[0];
}

TEST_F(SettingsTest, ReadPermissionsMissingEnvironmentOnlyMattersToAPlaceholder) {
  auto needs = write("p.conf",
                     "[global]\nuploading_enabled=true\nEnvironment=dev\n"
                     "server_url=https://own.example.org/${environment}/\n");
  auto r = read_permissions(needs, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->destination_problem.find("has no [global] environment"), std::string::npos)
      << r->destination_problem;
  EXPECT_NE(r->destination_problem.find("Environment="), std::string::npos)
      << r->destination_problem;
  EXPECT_FALSE(resolve_server_url(*r).ok());

  auto fixed = read_permissions(
      write("p.conf", "[global]\nuploading_enabled=true\nserver_url=https://own.example.org/\n"),
      kDefaultUrl);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->destination_problem, "");
  EXPECT_EQ(resolve_server_url(*fixed).value(), "https://own.example.org/");
}

TEST_F(SettingsTest, ReadPermissionsUnknownGroupsAndKeysAreWarned) {
  auto file = write("p.conf",
                    "[global]\nenabled=true\nuploading_enabled=false\nenvironment=test\n"
                    "server_url=https://own.example.org/\ncolour=blue\n[extra]\nx=1\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->destination_problem, "");
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_NE(r->warnings[0].find("unknown key [global] colour"), std::string::npos);
  EXPECT_NE(r->warnings[1].find("unknown group [extra]"), std::string::npos);
  for (const auto& w : r->warnings) EXPECT_NE(w.find(file.string()), std::string::npos) << w;
}

TEST_F(SettingsTest, ReadPermissionsGarbageIsInvalid) {
  auto file = write("p.conf", "this is not a key file\n\x01\x02 at all\n");
  auto r = read_permissions(file, kDefaultUrl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, metrics::ErrorCode::kConfigurationInvalid);
  EXPECT_NE(r.error().message.find(file.string()), std::string::npos);
}

TEST_F(SettingsTest, ReadPermissionsNonBooleanIsInvalid) {
  for (const char* key : {"enabled", "uploading_enabled"}) {
    SCOPED_TRACE(key);
    auto file = write("p.conf", std::string("[global]\n") + key + "=maybe\n");
    auto r = read_permissions(file, kDefaultUrl);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, metrics::ErrorCode::kConfigurationInvalid);
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
  EXPECT_EQ(r.error().code, metrics::ErrorCode::kConfigurationInvalid);
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
  EXPECT_EQ(text.rfind('#', 0), 0u) << text;  // comment header first
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
  EXPECT_EQ(bad.error().code, metrics::ErrorCode::kInvalidEnvironment);
  EXPECT_NE(bad.error().message.find("staging"), std::string::npos);
  EXPECT_EQ(slurp(file), before);
}

TEST_F(SettingsTest, SetServerUrlRefusesWhatCouldNotBeUsed) {
  auto file = write("p.conf", "# keep\n[global]\nenabled=true\nenvironment=dev\n");
  auto r = set_server_url(file, "https://${environment}.collector.example.org", kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(resolve_server_url(*r).value(), "https://dev.collector.example.org");
  const std::string before = slurp(file);
  for (const char* bad : {"http://collector.example.org/", "ftp://x/", "", "https://u@h/"}) {
    auto refused = set_server_url(file, bad, kDefaultUrl);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code, metrics::ErrorCode::kInvalidServerUrl) << bad;
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
    EXPECT_EQ(r.error().code, metrics::ErrorCode::kConfigurationInvalid);
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
      {"https://production.metrics.endlessm.com/", true},
      {"https://metrics.example.org/production/", true},  // a reverse proxy's path prefix
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
      // The host must be a DNS name, an IPv4 dotted quad or a bracketed IPv6 address.
      {"https://metrics.example.org./", true},
      {"https://xn--bcher-kva.example/", true},
      {"https://10.1.2.3:8443/", true},
      {"https://[2001:db8::1]/", true},
      {"http://127>0.0.1/", false},
      {"https://127>0.0.1/", false},
      {"https://exa_mple.com/", false},
      {"https://-example.com/", false},
      {"https://example-.com/", false},
      {"https://a..b/", false},
      {"https://127.0.0.256/", false},
      {"https://1.2.3/", false},
      {"https://b\xc3\xbc"
       "cher.example/",
       true},  // GUri gives the ASCII (xn--) form
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    Permissions p;
    p.server_url = c.url;
    auto r = resolve_server_url(p);
    EXPECT_EQ(r.ok(), c.ok) << (r.ok() ? r.value() : r.error().message);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, metrics::ErrorCode::kInvalidServerUrl);
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
  p.server_url = "https://${environment}.metrics.endlessm.com/";
  auto prod = resolve_server_url(p);
  ASSERT_TRUE(prod.ok()) << prod.error().message;
  EXPECT_EQ(prod.value(), "https://production.metrics.endlessm.com/");

  // A path prefix, for a server behind a reverse proxy that strips it.
  p.server_url = "https://metrics.example.org/${environment}/";
  auto prefixed = resolve_server_url(p);
  ASSERT_TRUE(prefixed.ok()) << prefixed.error().message;
  EXPECT_EQ(prefixed.value(), "https://metrics.example.org/production/");
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
  EXPECT_TRUE(big.warning.empty());
}

TEST_F(SettingsTest, CacheSizeMissingKeyIsDefaultWithoutWarning) {
  CacheSize c = read_cache_size(write("cache-size.conf", "[persistent_cache_size]\n"));
  EXPECT_EQ(c.maximum, 10000000u);
  EXPECT_TRUE(c.warning.empty());
}

// One value of maximum: the bytes it ends up as, and whether a warning says it was refused.
class CacheSizeExtremes : public SettingsTest {
 protected:
  void expect(const std::string& value, uint64_t maximum, bool refused) {
    SCOPED_TRACE("maximum=" + value);
    auto file = write("cache-size.conf", "[persistent_cache_size]\nmaximum=" + value + "\n");
    CacheSize c = read_cache_size(file);
    EXPECT_EQ(c.maximum, maximum);
    if (!refused) {
      EXPECT_TRUE(c.warning.empty()) << c.warning;
      return;
    }
    // Names the file, the key, the value and the range, and says the default is used.
    EXPECT_NE(c.warning.find(file.string()), std::string::npos) << c.warning;
    EXPECT_NE(c.warning.find("maximum='" + value + "'"), std::string::npos) << c.warning;
    EXPECT_NE(c.warning.find("4096..1099511627776"), std::string::npos) << c.warning;
    EXPECT_NE(c.warning.find("default maximum of 10000000"), std::string::npos) << c.warning;
  }
};

TEST_F(CacheSizeExtremes, Zero) {
  expect("0", 10000000u, true);
}
TEST_F(CacheSizeExtremes, One) {
  expect("1", 10000000u, true);
}
TEST_F(CacheSizeExtremes, BelowTheMinimum) {
  expect("4095", 10000000u, true);
}
TEST_F(CacheSizeExtremes, TheMinimum) {
  expect("4096", 4096u, false);
}
TEST_F(CacheSizeExtremes, TheMaximum) {
  expect("1099511627776", kMaxCacheBytes, false);
}
TEST_F(CacheSizeExtremes, AboveTheMaximum) {
  expect("1099511627777", 10000000u, true);
}
TEST_F(CacheSizeExtremes, TwoToThe63) {
  expect("9223372036854775808", 10000000u, true);
}
TEST_F(CacheSizeExtremes, TwoToThe64MinusOne) {
  expect("18446744073709551615", 10000000u, true);
}
TEST_F(CacheSizeExtremes, TwoToThe64) {
  expect("18446744073709551616", 10000000u, true);
}
TEST_F(CacheSizeExtremes, OneE18) {
  expect("1e18", 10000000u, true);
}
TEST_F(CacheSizeExtremes, TenToThe18) {
  expect("1000000000000000000", 10000000u, true);
}
TEST_F(CacheSizeExtremes, Negative) {
  expect("-5", 10000000u, true);
}
TEST_F(CacheSizeExtremes, Text) {
  expect("lots", 10000000u, true);
}
TEST_F(CacheSizeExtremes, Unit) {
  expect("12MB", 10000000u, true);
}
TEST_F(CacheSizeExtremes, Fraction) {
  expect("1.5", 10000000u, true);
}

TEST_F(SettingsTest, CacheSizeUnparsableFileWarns) {
  auto file = write("cache-size.conf", "maximum=5\n");
  CacheSize c = read_cache_size(file);
  EXPECT_EQ(c.maximum, 10000000u);
  EXPECT_NE(c.warning.find(file.string()), std::string::npos) << c.warning;
}

TEST_F(SettingsTest, SiteLabelsInFileOrder) {
  auto file = write("location.conf",
                    "[Label]\nfacility=Library\n# comment\ncity=Lisbon\nstate=Lisboa\n"
                    "aardvark=last\n[Other]\nignored=1\n");
  auto read = read_site_labels(file);
  const auto& labels = read.labels;
  using Pair = std::pair<std::string, std::string>;
  ASSERT_EQ(labels.size(), 4u);
  EXPECT_EQ(labels[0], Pair("facility", "Library"));
  EXPECT_EQ(labels[1], Pair("city", "Lisbon"));
  EXPECT_EQ(labels[2], Pair("state", "Lisboa"));
  EXPECT_EQ(labels[3], Pair("aardvark", "last"));
  EXPECT_TRUE(read.warnings.empty());
}

TEST_F(SettingsTest, SiteLabelsAbsent) {
  EXPECT_TRUE(read_site_labels(dir_ / "location.conf").labels.empty());
  EXPECT_TRUE(read_site_labels(dir_ / "location.conf").warnings.empty());
  EXPECT_TRUE(read_site_labels(write("location.conf", "[Other]\ncity=x\n")).labels.empty());
  EXPECT_TRUE(read_site_labels(write("location.conf", "")).labels.empty());
}

TEST_F(SettingsTest, SiteLabelsWithInvalidUtf8AreDroppedWithAWarningNamingTheKey) {
  auto file = write("location.conf",
                    "[Label]\ncity=Lisbon\nstate=Lis\xff\xfe"
                    "boa\n");
  auto read = read_site_labels(file);
  ASSERT_EQ(read.labels.size(), 1u);
  EXPECT_EQ(read.labels[0].first, "city");
  ASSERT_EQ(read.warnings.size(), 1u);
  EXPECT_NE(read.warnings[0].find(file.string()), std::string::npos) << read.warnings[0];
  EXPECT_NE(read.warnings[0].find("[Label] state"), std::string::npos) << read.warnings[0];
  EXPECT_NE(read.warnings[0].find("UTF-8"), std::string::npos) << read.warnings[0];
}

TEST_F(SettingsTest, SiteLabelsLargerThanTheCapAreRefusedAtLoad) {
  // Exactly at the cap: sent. One byte more: refused as a whole, with the sizes.
  const std::string at_cap(kMaxSiteLabelBytes - 4, 'x');  // "city" + value
  auto fits = read_site_labels(write("location.conf", "[Label]\ncity=" + at_cap + "\n"));
  EXPECT_EQ(fits.labels.size(), 1u);
  EXPECT_TRUE(fits.warnings.empty());

  auto file = write("location.conf", "[Label]\nfacility=Library\ncity=" + at_cap + "\n");
  auto read = read_site_labels(file);
  EXPECT_TRUE(read.labels.empty());
  ASSERT_EQ(read.warnings.size(), 1u);
  EXPECT_NE(read.warnings[0].find(file.string()), std::string::npos) << read.warnings[0];
  EXPECT_NE(read.warnings[0].find("4096"), std::string::npos) << read.warnings[0];
  EXPECT_NE(read.warnings[0].find(std::to_string(kMaxSiteLabelBytes + 15)), std::string::npos)
      << read.warnings[0];
}

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
      write("recorder.conf", "[Recorder]\nUploadIntervalSeconds=3600\n[Other]\nColour=x\n"));
  expect_defaults(other);
  EXPECT_EQ(other.upload_problem, "");
  ASSERT_EQ(other.warnings.size(), 1u);  // ignored, but said
  EXPECT_NE(other.warnings[0].find("unknown group [Other]"), std::string::npos);
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

TEST_F(SettingsTest, SyncIntervalDefaultsToASecondAndTakesZeroToTenSeconds) {
  EXPECT_EQ(read_recorder_settings(dir_ / "recorder.conf").sync_interval_milliseconds, 1000u);
  for (const char* value : {"0", "250", "10000"}) {
    SCOPED_TRACE(value);
    RecorderSettings s = read_recorder_settings(write(
        "recorder.conf", std::string("[Recorder]\nSyncIntervalMilliseconds=") + value + "\n"));
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_EQ(s.sync_interval_milliseconds, std::stoul(value));
  }
  RecorderSettings bad = read_recorder_settings(
      write("recorder.conf", "[Recorder]\nSyncIntervalMilliseconds=10001\n"));
  EXPECT_EQ(bad.sync_interval_milliseconds, 1000u);
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_NE(bad.warnings[0].find("0..10000"), std::string::npos) << bad.warnings[0];
}

TEST_F(SettingsTest, RecorderSettingsBadValuesFallBackWithWarning) {
  struct Case {
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"MaxQueueSharePercent", "0"},
      {"MaxQueueSharePercent", "101"},
      {"MaxQueueSharePercent", "-1"},
      {"MaxQueueSharePercent", "half"},
      {"RateLimitPerSecond", "0"},
      {"RateLimitPerSecond", "-3"},
      {"RateLimitPerSecond", "fast"},
      {"RateLimitPerSecond", "nan"},
      {"RateLimitPerSecond", "inf"},
      {"RateLimitBurst", "0"},
      {"MaxPayloadBytes", "255"},
      {"MaxPayloadBytes", "16777217"},
      {"MaxTimersPerConnection", "0"},
      {"MaxTimersTotal", "0"},
      {"MaxTimersTotal", "4294967296"},
      {"MaxSequenceLength", "0"},
      {"MaxSequenceLength", "1e3"},
      {"RateLimitPerSecond", "1e7"},
      {"RateLimitPerSecond", "1e308"},
      {"RateLimitBurst", "18446744073709551615"},
      {"MaxTimersTotal", "1e18"},
      {"MaxPayloadBytes", "-1"},
      {"UploadIntervalSeconds", "9223372036854775808"},
      {"UploadMaxRequestBytes", "18446744073709551616"},
      {"UploadRequestTimeoutSeconds", "0"},
      {"TimestampGranularitySeconds", "86401"},
      {"SyncIntervalMilliseconds", "10001"},
      {"SyncIntervalMilliseconds", "-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.key) + "=" + c.value);
    auto file = write("recorder.conf", std::string("[Recorder]\n") + c.key + "=" + c.value +
                                           (std::string(c.key) == "MaxTimersPerConnection"
                                                ? "\n"
                                                : "\nMaxTimersPerConnection=9\n"));
    RecorderSettings s = read_recorder_settings(file);
    EXPECT_EQ(s.upload_problem, "");  // recording limits warn and keep their default
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

// ---- recorder.conf: where bytes go fails closed ---------------------------------------

void expect_upload_blocked(const RecorderSettings& s, const fs::path& file, const char* key) {
  EXPECT_EQ(s.proxy_url, "");
  ASSERT_NE(s.upload_problem, "");
  EXPECT_NE(s.upload_problem.find(file.string()), std::string::npos) << s.upload_problem;
  if (key) {
    EXPECT_NE(s.upload_problem.find(key), std::string::npos) << s.upload_problem;
  }
  EXPECT_NE(s.upload_problem.find("uploads are blocked"), std::string::npos) << s.upload_problem;
  // Also in the journal's list.
  bool logged = false;
  for (const auto& w : s.warnings) logged = logged || s.upload_problem.find(w) != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(SettingsTest, RecorderSettingsUnparsableFileBlocksUploads) {
  for (const char* text :
       {"not a key file at all\n",
        "[Recorder]\nProxyUrl=socks5h://127.0.0.1:9050\nthis line has no equals\n",
        "ProxyUrl=socks5h://127.0.0.1:9050\n"}) {
    SCOPED_TRACE(text);
    auto file = write("recorder.conf", text);
    RecorderSettings s = read_recorder_settings(file);
    expect_defaults(s);
    expect_upload_blocked(s, file, nullptr);
    EXPECT_NE(s.upload_problem.find("cannot be read or parsed"), std::string::npos);
  }
}

TEST_F(SettingsTest, RecorderSettingsUnreadableFileBlocksUploads) {
  // A directory where the file should be: unreadable even to root (mode bits are not).
  const fs::path file = dir_ / "recorder.conf";
  fs::create_directory(file);
  RecorderSettings s = read_recorder_settings(file);
  expect_defaults(s);
  expect_upload_blocked(s, file, nullptr);
}

TEST_F(SettingsTest, RecorderSettingsMissingFileDoesNotBlock) {
  RecorderSettings s = read_recorder_settings(dir_ / "recorder.conf");
  EXPECT_EQ(s.upload_problem, "");
}

TEST_F(SettingsTest, ProxyUrlTyposBlockUploads) {
  for (const char* value : {"sock5h://127.0.0.1:9", "socks5h:/127.0.0.1:9", "127.0.0.1:9",
                            "ftp://127.0.0.1:9", "socks5h://127>0.0.1:9", "socks5h://",
                            "http://:3128", "socks5h//127.0.0.1:9050", "socks5h://exa_mple:1080"}) {
    SCOPED_TRACE(value);
    auto file = write("recorder.conf", std::string("[Recorder]\nProxyUrl=") + value + "\n");
    RecorderSettings s = read_recorder_settings(file);
    expect_upload_blocked(s, file, "ProxyUrl");
    EXPECT_NE(s.upload_problem.find(value), std::string::npos) << s.upload_problem;
  }
}

TEST_F(SettingsTest, ProxyUrlValidValues) {
  for (const char* value : {"socks5h://127.0.0.1:9050", "socks5://[::1]:1080",
                            "http://proxy.example.org:3128", "HTTPS://proxy.example.org",
                            "socks4a://localhost:1080", "socks5h://user:pw@127.0.0.1:9050"}) {
    SCOPED_TRACE(value);
    RecorderSettings s = read_recorder_settings(
        write("recorder.conf", std::string("[Recorder]\nProxyUrl= ") + value + " \n"));
    EXPECT_EQ(s.upload_problem, "");
    EXPECT_EQ(s.proxy_url, value);
    EXPECT_TRUE(s.warnings.empty());
  }
  // Empty: explicitly no proxy.
  RecorderSettings none = read_recorder_settings(write("recorder.conf", "[Recorder]\nProxyUrl=\n"));
  EXPECT_EQ(none.upload_problem, "");
  EXPECT_EQ(none.proxy_url, "");
}

TEST_F(SettingsTest, TrustFileRelativePathBlocksUploads) {
  auto file = write("recorder.conf", "[Recorder]\nTrustFile=ca.pem\n");
  RecorderSettings s = read_recorder_settings(file);
  expect_upload_blocked(s, file, "TrustFile");
  EXPECT_EQ(s.trust_file, "");
  RecorderSettings ok =
      read_recorder_settings(write("recorder.conf", "[Recorder]\nTrustFile=/etc/ca.pem\n"));
  EXPECT_EQ(ok.upload_problem, "");
  EXPECT_EQ(ok.trust_file, "/etc/ca.pem");
}

TEST_F(SettingsTest, MisspelledDestinationKeysBlockUploads) {
  for (const char* text :
       {"[Recorder]\nProxyURL=socks5h://127.0.0.1:9050\n",
        "[Recorder]\nproxy_url=socks5h://127.0.0.1:9050\n", "[Recorder]\nProxy=socks5h://x:1\n",
        "[recorder]\nProxyUrl=socks5h://127.0.0.1:9050\n", "[Upload]\nTrustFile=/ca.pem\n",
        "[Recorder]\ntrustfile=/ca.pem\n"}) {
    SCOPED_TRACE(text);
    auto file = write("recorder.conf", text);
    RecorderSettings s = read_recorder_settings(file);
    expect_upload_blocked(s, file, "looks like [Recorder]");
  }
}

TEST_F(SettingsTest, UnknownRecorderKeysAreWarnedNotBlocking) {
  auto file = write("recorder.conf", "[Recorder]\nMaxTimerPerConnection=3\n");
  RecorderSettings s = read_recorder_settings(file);
  EXPECT_EQ(s.upload_problem, "");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find(file.string()), std::string::npos);
  EXPECT_NE(s.warnings[0].find("unknown key [Recorder] MaxTimerPerConnection"), std::string::npos)
      << s.warnings[0];
}

}  // namespace
