// Reading and writing the configuration files an administrator knows
// (permissions, cache size, site labels, os-release) and our own recorder.conf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "result.hpp"

namespace metrics::config {

// ---- Permissions file (key file, group [global]) -------------------------

struct Permissions {
  bool enabled = true;
  bool uploading_enabled = false;
  std::string environment = "production";
  std::string server_url;
};

enum class Consent { Undecided, Granted, Declined };

Consent consent_of(const Permissions& permissions);
const char* consent_name(Consent consent);

// Errors: "PermissionsMissing" when the file does not exist; "ConfigurationInvalid"
// when it cannot be read or parsed (the privacy-safe reading is then "no").
Result<Permissions> read_permissions(const std::filesystem::path& file,
                                     const std::string& default_server_url);

// Writes first-run defaults atomically (creating the parent directory). If the
// file appeared in the meantime it is read instead, never overwritten.
// Errors: "ConfigurationInvalid" (existing file unparsable), "PermissionsWriteFailed".
Result<Permissions> write_default_permissions(const std::filesystem::path& file,
                                              const std::string& default_server_url);

// Sets enabled and uploading_enabled to `enabled`, re-reading the file just
// before writing and keeping comments, unknown keys and groups. An unparsable
// file is left untouched ("ConfigurationInvalid"); a missing one is created.
Result<Permissions> set_consent(const std::filesystem::path& file, bool enabled,
                                const std::string& default_server_url);

// Substitutes ${environment} and validates: https with a host, or http to a
// loopback host only; no userinfo, query or fragment. Error: "InvalidServerUrl".
Result<std::string> resolve_server_url(const Permissions& permissions);

// <base>/3/<sha512_hex>, with trailing slashes of `base` collapsed.
std::string upload_url(const std::string& base, const std::string& sha512_hex);

// ---- cache-size.conf ------------------------------------------------------

struct CacheSize {
  uint64_t maximum = 10000000;
  std::string warning;  // empty unless the file was present but unusable
};

CacheSize read_cache_size(const std::filesystem::path& file);

// ---- location.conf ----------------------------------------------------------

// Keys of the [Label] group in file order; empty when the file or group is absent.
std::vector<std::pair<std::string, std::string>> read_site_labels(
    const std::filesystem::path& file);

// ---- os-release -------------------------------------------------------------

// The shell-unquoted value of KEY= (last assignment wins); "" when absent.
std::string read_os_release_field(const std::filesystem::path& file, const std::string& key);
std::string read_os_version(const std::filesystem::path& file);

// ---- recorder.conf (ours, group [Recorder]) --------------------------------

struct RecorderSettings {
  uint32_t max_queue_share_percent = 50;
  double rate_limit_per_second = 500;
  uint32_t rate_limit_burst = 5000;
  uint32_t max_payload_bytes = 65536;
  uint32_t max_timers_per_connection = 64;
  uint32_t max_timers_total = 4096;
  uint32_t max_sequence_length = 1024;
  std::vector<std::string> warnings;  // one per unusable value (or unreadable file)
};

RecorderSettings read_recorder_settings(const std::filesystem::path& file);

}  // namespace metrics::config
