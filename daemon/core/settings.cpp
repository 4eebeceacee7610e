// SPDX-License-Identifier: GPL-2.0-or-later
#include "settings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "glib_handles.hpp"
#include "text_parse.hpp"

namespace metrics::config {

namespace {

// glib_handles.hpp has no GUri owner; GUri is a boxed type, not a GObject.
struct GUriUnref {
  void operator()(GUri* u) const { g_uri_unref(u); }
};
using GUriPtr = std::unique_ptr<GUri, GUriUnref>;

constexpr const char* kGlobal = "global";
constexpr const char* kCacheGroup = "persistent_cache_size";
constexpr const char* kLabelGroup = "Label";
constexpr const char* kRecorderGroup = "Recorder";
// RateLimitPerSecond's ceiling: far above what the bus delivers, and its products with
// elapsed seconds stay finite.
constexpr double kMaxRatePerSecond = 1e6;

constexpr const char* kPermissionsHeader =
    " Endless OS metrics: consent and upload destination.\n"
    " enabled: record metrics at all (false also deletes what was collected).\n"
    " uploading_enabled: send recorded metrics to server_url (off unless set to true).\n"
    " environment: dev, test or production; replaces ${environment} in server_url.\n"
    " server_url: upload base URL; https://, or http:// only to a loopback host.";

using text::parse_double;
using text::parse_unsigned;
using text::trim;

enum class LoadStatus { Loaded, Missing, Failed };

struct LoadedKeyFile {
  LoadStatus status;
  GKeyFilePtr key_file;
  std::string problem;  // set when Failed
};

LoadedKeyFile load_key_file(const std::filesystem::path& file, GKeyFileFlags flags) {
  GKeyFilePtr key_file(g_key_file_new());
  GErrorOut err;
  if (g_key_file_load_from_file(key_file.get(), file.c_str(), flags, err.out()))
    return {LoadStatus::Loaded, std::move(key_file), {}};
  if (g_error_matches(err.get(), G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return {LoadStatus::Missing, nullptr, {}};
  return {LoadStatus::Failed, nullptr, err.message()};
}

std::string raw_value(GKeyFile* key_file, const char* group, const char* key) {
  GCharPtr value(g_key_file_get_value(key_file, group, key, nullptr));
  return value ? value.get() : "";
}

Error invalid_permissions(const std::filesystem::path& file, const std::string& problem) {
  return Error{ErrorCode::kConfigurationInvalid,
               "permissions file " + file.string() + " " + problem +
                   "; metrics are neither recorded nor uploaded until it is fixed"};
}

// " (it has SERVER_URL=, ...)" when a [global] key differs from `wanted` only in case.
std::string case_hint(GKeyFile* key_file, const char* wanted) {
  gsize n_keys = 0;
  GStrvPtr keys(g_key_file_get_keys(key_file, kGlobal, &n_keys, nullptr));
  for (gsize k = 0; k < n_keys; ++k)
    if (g_ascii_strcasecmp(keys.get()[k], wanted) == 0 && std::strcmp(keys.get()[k], wanted) != 0)
      return std::string(" (it has ") + keys.get()[k] + "=, but keys are case-sensitive)";
  return "";
}

// Unknown groups and [global] keys go to `warnings`: ignored, but never silently.
void unknown_permission_keys(GKeyFile* key_file, const std::filesystem::path& file,
                             std::vector<std::string>& warnings) {
  static constexpr const char* kKnown[] = {"enabled", "uploading_enabled", "environment",
                                           "server_url"};
  gsize n_groups = 0;
  GStrvPtr groups(g_key_file_get_groups(key_file, &n_groups));
  for (gsize g = 0; g < n_groups; ++g) {
    const char* group = groups.get()[g];
    if (std::strcmp(group, kGlobal) != 0) {
      warnings.push_back("permissions file " + file.string() + ": unknown group [" + group +
                         "] ignored (every setting belongs in [global])");
      continue;
    }
    gsize n_keys = 0;
    GStrvPtr keys(g_key_file_get_keys(key_file, group, &n_keys, nullptr));
    for (gsize k = 0; k < n_keys; ++k) {
      const char* key = keys.get()[k];
      const char* near = nullptr;
      bool known = false;
      for (const char* candidate : kKnown) {
        known = known || std::strcmp(key, candidate) == 0;
        if (g_ascii_strcasecmp(key, candidate) == 0) near = candidate;
      }
      if (known) continue;
      std::string line = "permissions file " + file.string() + ": unknown key [global] " + key +
                         " ignored (known: enabled, uploading_enabled, environment, server_url)";
      if (near) line += std::string("; keys are case-sensitive, did you mean ") + near + "?";
      warnings.push_back(std::move(line));
    }
  }
}

// Same rules for reading and for validating before a write, so set_consent
// never rewrites a file that read_permissions would refuse.
Result<Permissions> parse_permissions(GKeyFile* key_file, const std::filesystem::path& file) {
  Permissions p;

  const std::pair<const char*, bool*> booleans[] = {{"enabled", &p.enabled},
                                                    {"uploading_enabled", &p.uploading_enabled}};
  for (const auto& [key, target] : booleans) {
    if (!g_key_file_has_key(key_file, kGlobal, key, nullptr)) continue;
    GErrorOut err;
    gboolean value = g_key_file_get_boolean(key_file, kGlobal, key, err.out());
    if (err)
      return invalid_permissions(file, std::string("has [global] ") + key + "='" +
                                           raw_value(key_file, kGlobal, key) +
                                           "', which is not a boolean (use true or false)");
    *target = value != FALSE;
  }

  if (g_key_file_has_key(key_file, kGlobal, "environment", nullptr)) {
    GErrorOut err;
    GCharPtr value(g_key_file_get_string(key_file, kGlobal, "environment", err.out()));
    std::string env = value ? std::string(trim(value.get())) : std::string();
    if (err || (env != "dev" && env != "test" && env != "production"))
      return invalid_permissions(file, "has [global] environment='" +
                                           raw_value(key_file, kGlobal, "environment") +
                                           "', which is not one of dev, test, production");
    p.environment = env;
  }

  if (g_key_file_has_key(key_file, kGlobal, "server_url", nullptr)) {
    GErrorOut err;
    GCharPtr value(g_key_file_get_string(key_file, kGlobal, "server_url", err.out()));
    if (err)
      return invalid_permissions(file,
                                 "has an unreadable [global] server_url (" + err.message() + ")");
    p.server_url = std::string(trim(value.get()));
  }

  unknown_permission_keys(key_file, file, p.warnings);
  if (!g_key_file_has_key(key_file, kGlobal, "server_url", nullptr)) {
    p.server_url.clear();
    p.destination_problem = "permissions file " + file.string() + " has no [global] server_url" +
                            case_hint(key_file, "server_url") +
                            "; set server_url=https://HOST[:PORT][/PATH] (the upload "
                            "destination); uploading is paused until then";
  } else if (!g_key_file_has_key(key_file, kGlobal, "environment", nullptr) &&
             p.server_url.find("${environment}") != std::string::npos) {
    p.destination_problem = "permissions file " + file.string() +
                            " has no [global] environment, which server_url '" + p.server_url +
                            "' needs" + case_hint(key_file, "environment") +
                            "; set environment=dev, test or production; uploading is paused "
                            "until then";
  }
  return p;
}

Result<Permissions> load_permissions(const LoadedKeyFile& loaded,
                                     const std::filesystem::path& file) {
  if (loaded.status == LoadStatus::Failed)
    return invalid_permissions(file, "cannot be read or parsed (" + loaded.problem + ")");
  return parse_permissions(loaded.key_file.get(), file);
}

GKeyFilePtr default_key_file(const std::string& default_server_url) {
  GKeyFilePtr key_file(g_key_file_new());
  g_key_file_set_comment(key_file.get(), nullptr, nullptr, kPermissionsHeader, nullptr);
  g_key_file_set_boolean(key_file.get(), kGlobal, "enabled", TRUE);
  g_key_file_set_boolean(key_file.get(), kGlobal, "uploading_enabled", FALSE);
  g_key_file_set_string(key_file.get(), kGlobal, "environment", "production");
  g_key_file_set_string(key_file.get(), kGlobal, "server_url", default_server_url.c_str());
  return key_file;
}

// Atomic replace, so a crash or a concurrent reader never sees half a file.
Result<void> write_key_file(const std::filesystem::path& file, GKeyFile* key_file) {
  const std::filesystem::path parent = file.parent_path();
  if (!parent.empty() && g_mkdir_with_parents(parent.c_str(), 0755) != 0) {
    int saved = errno;
    return Error{ErrorCode::kPermissionsWriteFailed,
                 "cannot create directory " + parent.string() + ": " + g_strerror(saved)};
  }
  gsize length = 0;
  GCharPtr data(g_key_file_to_data(key_file, &length, nullptr));
  GErrorOut err;
  if (!g_file_set_contents_full(file.c_str(), data.get(), static_cast<gssize>(length),
                                G_FILE_SET_CONTENTS_CONSISTENT, 0644, err.out()))
    return Error{ErrorCode::kPermissionsWriteFailed,
                 "cannot write permissions file " + file.string() + ": " + err.message()};
  return Ok();
}

bool is_loopback_host(const char* host) {
  if (g_ascii_strcasecmp(host, "localhost") == 0) return true;
  GObjectPtr<GInetAddress> address(g_inet_address_new_from_string(host));
  return address && g_inet_address_get_is_loopback(address.get());
}

bool is_dns_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  for (char c : label)
    if (!g_ascii_isalnum(c) && c != '-') return false;
  return true;
}

// "" when `host` (as GUri gives it: an IPv6 address without its brackets) is an IP
// address or a DNS name; else what is wrong, for a message. GUri alone lets through
// hosts such as "127>0.0.1", which no resolver should be handed.
std::string host_problem(const char* host) {
  if (host == nullptr || *host == '\0') return "has no host";
  if (g_hostname_is_ip_address(host)) return "";
  std::string_view name = host;
  if (name.back() == '.') name.remove_suffix(1);  // a fully qualified "example.org."
  bool valid = !name.empty() && name.size() <= 253;
  std::string_view last;
  for (std::string_view rest = name; valid && !rest.empty();) {
    const size_t dot = rest.find('.');
    last = rest.substr(0, dot);
    valid = is_dns_label(last);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    if (dot != std::string_view::npos && rest.empty()) valid = false;  // "a..b", "a.."
  }
  // An all-digit last label is an IPv4 address gone wrong (such as 127.0.0.256), not a name.
  if (valid && std::all_of(last.begin(), last.end(), [](char c) { return g_ascii_isdigit(c); }))
    valid = false;
  if (valid) return "";
  return std::string("has the host '") + host +
         "', which is neither a DNS name (letters, digits and hyphens between dots), an IPv4 "
         "address nor a bracketed IPv6 address";
}

// "" when `url` is usable as ProxyUrl (empty = no proxy), else what is wrong with it.
std::string proxy_url_problem(const std::string& url) {
  if (url.empty()) return "";
  GErrorOut err;
  GUriPtr uri(g_uri_parse(url.c_str(), G_URI_FLAGS_NONE, err.out()));
  if (!uri) return "cannot be parsed as SCHEME://HOST:PORT (" + err.message() + ")";
  const char* scheme = g_uri_get_scheme(uri.get());
  bool known = false;
  for (const char* s : {"http", "https", "socks4", "socks4a", "socks5", "socks5h"})
    known = known || g_ascii_strcasecmp(scheme, s) == 0;
  if (!known)
    return std::string("uses the scheme '") + scheme +
           ":' (accepted: http, https, socks4, socks4a, socks5, socks5h)";
  return host_problem(g_uri_get_host(uri.get()));
}

}  // namespace

Consent consent_of(const Permissions& permissions) {
  if (!permissions.enabled) return Consent::Declined;
  return permissions.uploading_enabled ? Consent::Granted : Consent::Undecided;
}

const char* consent_name(Consent consent) {
  switch (consent) {
    case Consent::Undecided:
      return "undecided";
    case Consent::Granted:
      return "granted";
    case Consent::Declined:
      return "declined";
  }
  return "undecided";
}

Result<Permissions> read_permissions(const std::filesystem::path& file,
                                     const std::string& /*default_server_url*/) {
  LoadedKeyFile loaded = load_key_file(file, G_KEY_FILE_NONE);
  if (loaded.status == LoadStatus::Missing)
    return Error{ErrorCode::kPermissionsMissing,
                 "permissions file " + file.string() + " does not exist"};
  return load_permissions(loaded, file);
}

Result<Permissions> write_default_permissions(const std::filesystem::path& file,
                                              const std::string& default_server_url) {
  // An administrator may have created the file since we saw it missing.
  LoadedKeyFile loaded = load_key_file(file, G_KEY_FILE_NONE);
  if (loaded.status != LoadStatus::Missing) return load_permissions(loaded, file);

  GKeyFilePtr key_file = default_key_file(default_server_url);
  if (Result<void> written = write_key_file(file, key_file.get()); !written) return written.error();
  Permissions p;
  p.server_url = default_server_url;
  return p;
}

namespace {

// Re-reads the file right before writing (an edit the daemon has not seen yet must
// survive, and so must the administrator's comments and unknown keys), applies `edit`,
// checks the result with `check`, and writes atomically.
Result<Permissions> update_permissions(
    const std::filesystem::path& file, const std::string& default_server_url,
    const std::function<void(GKeyFile*)>& edit,
    const std::function<Result<void>(const Permissions&)>& check = nullptr) {
  LoadedKeyFile loaded = load_key_file(
      file, static_cast<GKeyFileFlags>(G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS));
  GKeyFilePtr key_file;
  if (loaded.status == LoadStatus::Missing) {
    key_file = default_key_file(default_server_url);
  } else {
    Result<Permissions> current = load_permissions(loaded, file);
    if (!current) return current.error();
    key_file = std::move(loaded.key_file);
  }
  edit(key_file.get());
  Result<Permissions> next = parse_permissions(key_file.get(), file);
  if (!next) return next.error();
  if (check) {
    if (Result<void> ok = check(*next); !ok) return ok.error();
  }
  if (Result<void> written = write_key_file(file, key_file.get()); !written) return written.error();
  return next;
}

}  // namespace

Result<Permissions> set_consent(const std::filesystem::path& file, bool enabled,
                                const std::string& default_server_url) {
  return update_permissions(file, default_server_url, [enabled](GKeyFile* k) {
    g_key_file_set_boolean(k, kGlobal, "enabled", enabled);
    g_key_file_set_boolean(k, kGlobal, "uploading_enabled", enabled);
  });
}

Result<Permissions> set_uploading_enabled(const std::filesystem::path& file, bool uploading,
                                          const std::string& default_server_url) {
  return update_permissions(file, default_server_url, [uploading](GKeyFile* k) {
    g_key_file_set_boolean(k, kGlobal, "uploading_enabled", uploading);
  });
}

Result<Permissions> set_environment(const std::filesystem::path& file,
                                    const std::string& environment,
                                    const std::string& default_server_url) {
  if (environment != "dev" && environment != "test" && environment != "production") {
    return Error{ErrorCode::kInvalidEnvironment,
                 "'" + environment + "' is not an environment; use dev, test or production"};
  }
  return update_permissions(file, default_server_url, [&environment](GKeyFile* k) {
    g_key_file_set_string(k, kGlobal, "environment", environment.c_str());
  });
}

Result<Permissions> set_server_url(const std::filesystem::path& file, const std::string& url,
                                   const std::string& default_server_url) {
  return update_permissions(
      file, default_server_url,
      [&url](GKeyFile* k) { g_key_file_set_string(k, kGlobal, "server_url", url.c_str()); },
      [&url, &file](const Permissions& next) -> Result<void> {
        // Refused before anything is written: the file keeps a working URL (and nothing
        // pauses: the message says what is wrong with the new one only).
        // With server_url set, the one gap left is an environment its ${environment} needs.
        if (!next.destination_problem.empty())
          return Error{ErrorCode::kInvalidServerUrl,
                       "server_url '" + url +
                           "' needs [global] environment, "
                           "which " +
                           file.string() +
                           " does not set; set it first "
                           "(metricsctl set-environment dev|test|production)"};
        if (auto resolved = resolve_server_url(next); !resolved) return resolved.error();
        return Ok();
      });
}

Result<std::string> resolve_server_url(const Permissions& permissions) {
  if (!permissions.destination_problem.empty())
    return Error{ErrorCode::kInvalidServerUrl, permissions.destination_problem};
  static constexpr std::string_view kPlaceholder = "${environment}";
  std::string url = permissions.server_url;
  for (size_t at = url.find(kPlaceholder); at != std::string::npos;
       at = url.find(kPlaceholder, at + permissions.environment.size()))
    url.replace(at, kPlaceholder.size(), permissions.environment);

  auto refuse = [&url](const std::string& problem) {
    return Error{ErrorCode::kInvalidServerUrl,
                 "server_url '" + url + "' " + problem +
                     "; accepted are https://HOST[:PORT][/PATH], and http:// only to a "
                     "loopback host (localhost, 127.0.0.0/8, [::1])"};
  };

  if (url.empty()) return refuse("is empty");
  GErrorOut err;
  GUriPtr uri(g_uri_parse(url.c_str(), G_URI_FLAGS_NONE, err.out()));
  if (!uri) return refuse("cannot be parsed (" + err.message() + ")");

  const char* scheme = g_uri_get_scheme(uri.get());
  const char* host = g_uri_get_host(uri.get());
  const bool https = g_ascii_strcasecmp(scheme, "https") == 0;
  const bool http = g_ascii_strcasecmp(scheme, "http") == 0;
  if (!https && !http) return refuse(std::string("uses the scheme '") + scheme + ":'");
  if (std::string problem = host_problem(host); !problem.empty()) return refuse(problem);
  if (g_uri_get_userinfo(uri.get()) != nullptr)
    return refuse("contains user information (credentials do not belong in the URL)");
  // upload_url appends a path, which a query or fragment would end up inside.
  if (g_uri_get_query(uri.get()) != nullptr || g_uri_get_fragment(uri.get()) != nullptr)
    return refuse("contains a query or fragment");
  if (http && !is_loopback_host(host))
    return refuse(std::string("uses http:// to the non-loopback host '") + host + "'");
  return url;
}

std::string upload_url(const std::string& base, const std::string& sha512_hex) {
  std::string_view prefix = base;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  return std::string(prefix) + "/3/" + sha512_hex;
}

CacheSize read_cache_size(const std::filesystem::path& file) {
  CacheSize out;
  const std::string fallback =
      "; using the default maximum of " + std::to_string(out.maximum) + " bytes";
  LoadedKeyFile loaded = load_key_file(file, G_KEY_FILE_NONE);
  if (loaded.status == LoadStatus::Missing) return out;
  if (loaded.status == LoadStatus::Failed) {
    out.warning = file.string() + " cannot be read or parsed (" + loaded.problem + ")" + fallback;
    return out;
  }
  GCharPtr raw(g_key_file_get_value(loaded.key_file.get(), kCacheGroup, "maximum", nullptr));
  if (!raw) return out;
  std::optional<uint64_t> value = parse_unsigned(raw.get());
  if (!value || *value < kMinCacheBytes || *value > kMaxCacheBytes) {
    out.warning = file.string() + ": [" + kCacheGroup + "] maximum='" + raw.get() +
                  "' is not a whole number of bytes in " + std::to_string(kMinCacheBytes) + ".." +
                  std::to_string(kMaxCacheBytes) + " (4 KiB..1 TiB)" + fallback;
    return out;
  }
  out.maximum = *value;
  return out;
}

SiteLabels read_site_labels(const std::filesystem::path& file) {
  SiteLabels out;
  LoadedKeyFile loaded = load_key_file(file, G_KEY_FILE_NONE);
  if (loaded.status == LoadStatus::Missing) return out;
  if (loaded.status == LoadStatus::Failed) {
    out.warnings.push_back(file.string() + " cannot be read or parsed (" + loaded.problem +
                           "); requests carry no site labels until it is fixed");
    return out;
  }
  gsize count = 0;
  GStrvPtr keys(g_key_file_get_keys(loaded.key_file.get(), kLabelGroup, &count, nullptr));
  if (!keys) return out;
  size_t total = 0;
  for (gsize i = 0; i < count; ++i) {
    const char* key = keys.get()[i];
    GErrorOut err;
    GCharPtr value(g_key_file_get_string(loaded.key_file.get(), kLabelGroup, key, err.out()));
    if (!value) {
      out.warnings.push_back(file.string() + ": [" + kLabelGroup + "] " + key +
                             " is not valid UTF-8 text (" + err.message() +
                             "); that label is not sent");
      continue;
    }
    total += std::strlen(key) + std::strlen(value.get());
    out.labels.emplace_back(key, value.get());
  }
  if (total > kMaxSiteLabelBytes) {
    out.warnings.push_back(file.string() + ": the [" + kLabelGroup + "] labels take " +
                           std::to_string(total) + " bytes (keys and values), more than the " +
                           std::to_string(kMaxSiteLabelBytes) +
                           " every request can carry; no label is sent until they are shortened");
    out.labels.clear();
  }
  return out;
}

std::string read_os_release_field(const std::filesystem::path& file, const std::string& key) {
  gchar* raw = nullptr;
  gsize length = 0;
  if (!g_file_get_contents(file.c_str(), &raw, &length, nullptr)) return "";
  GCharPtr contents(raw);

  std::string found;
  std::string_view text(contents.get(), length);
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.substr(0, eq) != key) continue;
    // Shell syntax: last assignment wins; quotes and escapes as sh reads them.
    std::string value(line.substr(eq + 1));
    GCharPtr unquoted(g_shell_unquote(value.c_str(), nullptr));
    found = unquoted ? unquoted.get() : value;
  }
  return found;
}

std::string read_os_version(const std::filesystem::path& file) {
  return read_os_release_field(file, "VERSION");
}

namespace {

// Every key of [Recorder]; anything else is reported (a typo must not pass unnoticed).
constexpr const char* kRecorderKeys[] = {
    "MaxQueueSharePercent",
    "RateLimitPerSecond",
    "RateLimitBurst",
    "MaxPayloadBytes",
    "MaxTimersPerConnection",
    "MaxTimersTotal",
    "MaxTimersPerUid",
    "UnprivilegedQueuePercent",
    "UnprivilegedTimersPercent",
    "MaxSequenceLength",
    "SyncIntervalMilliseconds",
    "TimestampGranularitySeconds",
    "UploadIntervalSeconds",
    "UploadMaxRequestBytes",
    "UploadRequestTimeoutSeconds",
    "AllowMeteredUploads",
    "ProxyUrl",
    "TrustFile",
    "RegistryMode",
    "RegistryDirectory",
};
// The keys that decide where bytes go: one of them misspelled (ProxyURL=, proxy_url=) or
// in another group would otherwise mean a direct connection the administrator ruled out.
constexpr const char* kDestinationKeys[] = {"ProxyUrl", "TrustFile"};

// Lower case without '_', '-' and blanks: "proxy_url", "Proxy-URL" and "ProxyUrl" meet.
std::string loose_key(std::string_view key) {
  std::string out;
  for (char c : key)
    if (c != '_' && c != '-' && c != ' ') out.push_back(g_ascii_tolower(c));
  return out;
}

// The destination key `key` (in `group`) may have been meant as, or nullptr.
const char* meant_destination_key(const char* group, const char* key) {
  const std::string loose = loose_key(key);
  for (const char* candidate : kDestinationKeys) {
    if (std::strcmp(group, kRecorderGroup) == 0 && std::strcmp(key, candidate) == 0) continue;
    const std::string wanted = loose_key(candidate);
    if (loose == wanted || (loose.size() >= 5 && wanted.starts_with(loose))) return candidate;
  }
  return nullptr;
}

void check_recorder_keys(GKeyFile* key_file, const std::filesystem::path& file,
                         RecorderSettings& out, std::vector<std::string>& problems) {
  gsize n_groups = 0;
  GStrvPtr groups(g_key_file_get_groups(key_file, &n_groups));
  for (gsize g = 0; g < n_groups; ++g) {
    const char* group = groups.get()[g];
    const bool ours = std::strcmp(group, kRecorderGroup) == 0;
    if (!ours)
      out.warnings.push_back(file.string() + ": unknown group [" + group +
                             "] ignored (every setting belongs in [Recorder])");
    gsize n_keys = 0;
    GStrvPtr keys(g_key_file_get_keys(key_file, group, &n_keys, nullptr));
    for (gsize k = 0; k < n_keys; ++k) {
      const char* key = keys.get()[k];
      if (const char* meant = meant_destination_key(group, key)) {
        problems.push_back(file.string() + ": [" + group + "] " + key + " looks like [" +
                           kRecorderGroup + "] " + meant +
                           " (keys are case-sensitive and belong in [Recorder]); uploads are "
                           "blocked so that they cannot bypass what it was meant to say");
        continue;
      }
      if (!ours) continue;
      bool known = false;
      for (const char* candidate : kRecorderKeys) known = known || std::strcmp(key, candidate) == 0;
      if (!known)
        out.warnings.push_back(file.string() + ": unknown key [" + kRecorderGroup + "] " + key +
                               " ignored");
    }
  }
}

}  // namespace

RecorderSettings read_recorder_settings(const std::filesystem::path& file) {
  RecorderSettings out;
  LoadedKeyFile loaded = load_key_file(file, G_KEY_FILE_NONE);
  if (loaded.status == LoadStatus::Missing) return out;
  if (loaded.status == LoadStatus::Failed) {
    out.upload_problem = file.string() + " cannot be read or parsed (" + loaded.problem +
                         "): uploads are blocked until it is fixed (its ProxyUrl and TrustFile "
                         "are unknown), every other setting has its default";
    out.warnings.push_back(out.upload_problem);
    return out;
  }
  GKeyFile* key_file = loaded.key_file.get();
  std::vector<std::string> problems;  // upload problems
  check_recorder_keys(key_file, file, out, problems);

  struct UnsignedKey {
    const char* name;
    uint32_t RecorderSettings::*field;
    uint64_t min;
    uint64_t max;
  };
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  const UnsignedKey unsigned_keys[] = {
      {"MaxQueueSharePercent", &RecorderSettings::max_queue_share_percent, 1, 100},
      {"RateLimitBurst", &RecorderSettings::rate_limit_burst, 1, kMax},
      {"MaxPayloadBytes", &RecorderSettings::max_payload_bytes, 256, 16777216},
      {"MaxTimersPerConnection", &RecorderSettings::max_timers_per_connection, 1, kMax},
      {"MaxTimersTotal", &RecorderSettings::max_timers_total, 1, kMax},
      {"UnprivilegedQueuePercent", &RecorderSettings::unprivileged_queue_percent, 1, 100},
      {"MaxTimersPerUid", &RecorderSettings::max_timers_per_uid, 1, kMax},
      {"UnprivilegedTimersPercent", &RecorderSettings::unprivileged_timers_percent, 1, 100},
      {"MaxSequenceLength", &RecorderSettings::max_sequence_length, 1, kMax},
      {"SyncIntervalMilliseconds", &RecorderSettings::sync_interval_milliseconds, 0, 10000},
      {"TimestampGranularitySeconds", &RecorderSettings::timestamp_granularity_seconds, 0, 86400},
      {"UploadIntervalSeconds", &RecorderSettings::upload_interval_seconds, 0, 604800},
      {"UploadMaxRequestBytes", &RecorderSettings::upload_max_request_bytes, 16384, 1032192},
      {"UploadRequestTimeoutSeconds", &RecorderSettings::upload_request_timeout_seconds, 1, 600},
  };
  for (const UnsignedKey& k : unsigned_keys) {
    GCharPtr raw(g_key_file_get_value(key_file, kRecorderGroup, k.name, nullptr));
    if (!raw) continue;
    std::optional<uint64_t> value = parse_unsigned(raw.get());
    if (value && *value >= k.min && *value <= k.max) {
      out.*k.field = static_cast<uint32_t>(*value);
      continue;
    }
    out.warnings.push_back(file.string() + ": [" + kRecorderGroup + "] " + k.name + "='" +
                           raw.get() + "' is not a whole number in " + std::to_string(k.min) +
                           ".." + std::to_string(k.max) + "; using the default " +
                           std::to_string(out.*k.field));
  }

  GCharPtr rate(g_key_file_get_value(key_file, kRecorderGroup, "RateLimitPerSecond", nullptr));
  if (rate) {
    std::optional<double> value = parse_double(rate.get());
    if (value && *value > 0 && *value <= kMaxRatePerSecond) {
      out.rate_limit_per_second = *value;
    } else {
      char shown[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_dtostr(shown, sizeof shown, out.rate_limit_per_second);
      out.warnings.push_back(file.string() + ": [" + kRecorderGroup + "] RateLimitPerSecond='" +
                             rate.get() +
                             "' is not a number greater than 0 and at most 1000000; "
                             "using the default " +
                             shown);
    }
  }

  auto warn = [&](const char* key, const char* raw, const std::string& problem) {
    out.warnings.push_back(file.string() + ": [" + kRecorderGroup + "] " + key + "='" + raw + "' " +
                           problem);
  };

  GCharPtr metered(g_key_file_get_value(key_file, kRecorderGroup, "AllowMeteredUploads", nullptr));
  if (metered) {
    GErrorOut err;
    gboolean value =
        g_key_file_get_boolean(key_file, kRecorderGroup, "AllowMeteredUploads", err.out());
    if (err)
      warn("AllowMeteredUploads", metered.get(),
           std::string("is not a boolean (true or false); using the default ") +
               (out.allow_metered_uploads ? "true" : "false"));
    else
      out.allow_metered_uploads = value != FALSE;
  }

  // Where bytes go: a value that cannot be used blocks uploads, never falls back.
  auto refuse = [&](const char* key, const std::string& raw, const std::string& problem) {
    problems.push_back(file.string() + ": [" + kRecorderGroup + "] " + key + "='" + raw + "' " +
                       problem + "; uploads are blocked until it is fixed");
  };
  if (g_key_file_has_key(key_file, kRecorderGroup, "ProxyUrl", nullptr)) {
    GErrorOut err;
    GCharPtr proxy(g_key_file_get_string(key_file, kRecorderGroup, "ProxyUrl", err.out()));
    const std::string raw = raw_value(key_file, kRecorderGroup, "ProxyUrl");
    std::string value = proxy ? std::string(trim(proxy.get())) : std::string();
    if (!proxy)
      refuse("ProxyUrl", raw, "cannot be read (" + err.message() + ")");
    else if (std::string problem = proxy_url_problem(value); !problem.empty())
      refuse("ProxyUrl", raw, problem);
    else
      out.proxy_url = value;
  }
  if (g_key_file_has_key(key_file, kRecorderGroup, "TrustFile", nullptr)) {
    GErrorOut err;
    GCharPtr trust(g_key_file_get_string(key_file, kRecorderGroup, "TrustFile", err.out()));
    const std::string raw = raw_value(key_file, kRecorderGroup, "TrustFile");
    std::string value = trust ? std::string(trim(trust.get())) : std::string();
    if (!trust)
      refuse("TrustFile", raw, "cannot be read (" + err.message() + ")");
    else if (!value.empty() && !g_path_is_absolute(value.c_str()))
      refuse("TrustFile", raw, "is not an absolute path");
    else
      out.trust_file = value;
  }
  for (const std::string& problem : problems) {
    out.warnings.push_back(problem);
    out.upload_problem += (out.upload_problem.empty() ? "" : "; also ") + problem;
  }

  GCharPtr mode(g_key_file_get_string(key_file, kRecorderGroup, "RegistryMode", nullptr));
  if (mode) {
    std::string value(trim(mode.get()));
    if (value == "enforce" || value == "permissive")
      out.registry_mode = value;
    else  // an unreadable choice is not a reason to record unapproved metrics
      warn("RegistryMode", mode.get(),
           "is not enforce or permissive; using the default " + out.registry_mode);
  }

  GCharPtr registry(g_key_file_get_string(key_file, kRecorderGroup, "RegistryDirectory", nullptr));
  if (registry) {
    std::string value(trim(registry.get()));
    if (value.empty() || g_path_is_absolute(value.c_str()))
      out.registry_directory = value;
    else
      warn("RegistryDirectory", registry.get(),
           "is not an absolute path; using the installed registry");
  }
  return out;
}

}  // namespace metrics::config
