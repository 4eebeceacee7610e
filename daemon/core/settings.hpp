// SPDX-License-Identifier: GPL-2.0-or-later
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
  // Why the file names no usable destination although it parsed: server_url is missing,
  // or environment is missing while server_url contains ${environment}. "" otherwise.
  // resolve_server_url() refuses while it is set: the compiled-in default belongs only in
  // a file the recorder writes itself (write_default_permissions), never in a gap.
  std::string destination_problem;
  // Unknown groups and keys (a misspelled SERVER_URL=), each naming the file and the key.
  std::vector<std::string> warnings;
};

enum class Consent { Undecided, Granted, Declined };

Consent consent_of(const Permissions& permissions);
const char* consent_name(Consent consent);

// Errors: "PermissionsMissing" when the file does not exist; "ConfigurationInvalid"
// when it cannot be read or parsed (the privacy-safe reading is then "no").
// `default_server_url` is not used to fill in a missing server_url (see
// destination_problem); it is kept for the writers below, which create missing files.
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

// Sets uploading_enabled only (eos-enable-metrics-uploading), as set_consent does.
Result<Permissions> set_uploading_enabled(const std::filesystem::path& file, bool uploading,
                                          const std::string& default_server_url);

// Sets environment to dev, test or production ("InvalidEnvironment" otherwise).
Result<Permissions> set_environment(const std::filesystem::path& file,
                                    const std::string& environment,
                                    const std::string& default_server_url);

// Sets server_url; a URL resolve_server_url() refuses is not written ("InvalidServerUrl").
Result<Permissions> set_server_url(const std::filesystem::path& file, const std::string& url,
                                   const std::string& default_server_url);

// Substitutes ${environment} and validates: https with a host, or http to a
// loopback host only; no userinfo, query or fragment; the host a DNS name, an IPv4
// dotted quad or a bracketed IPv6 address. Error: "InvalidServerUrl" (also while
// destination_problem is set).
Result<std::string> resolve_server_url(const Permissions& permissions);

// <base>/3/<sha512_hex>, with trailing slashes of `base` collapsed.
std::string upload_url(const std::string& base, const std::string& sha512_hex);

// ---- cache-size.conf ------------------------------------------------------

// [persistent_cache_size] maximum, in bytes: kMinCacheBytes..kMaxCacheBytes. Below 4 KiB
// the queue cannot hold a useful number of events (0 is not "store nothing": declining
// consent is); above 1 TiB the bound means nothing, and every sum and share computed
// from it stays far from overflowing 64 bits.
inline constexpr uint64_t kMinCacheBytes = 4096;
inline constexpr uint64_t kMaxCacheBytes = uint64_t{1} << 40;

struct CacheSize {
  uint64_t maximum = 10000000;
  std::string warning;  // empty unless the file was present but unusable
};

CacheSize read_cache_size(const std::filesystem::path& file);

// ---- location.conf ----------------------------------------------------------

// Every request carries the labels: together (keys and values) they may take at most
// this many bytes, which leaves an empty request far below UploadMaxRequestBytes' minimum
// (16384), so the labels can never make every request too large.
inline constexpr size_t kMaxSiteLabelBytes = 4096;

struct SiteLabels {
  // Keys of the [Label] group in file order; empty when the file or group is absent,
  // unreadable, or its labels exceed kMaxSiteLabelBytes (then none is sent).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::string> warnings;  // each names the file, and the key when one is at fault
};

SiteLabels read_site_labels(const std::filesystem::path& file);

// ---- os-release -------------------------------------------------------------

// The shell-unquoted value of KEY= (last assignment wins); "" when absent.
std::string read_os_release_field(const std::filesystem::path& file, const std::string& key);
std::string read_os_version(const std::filesystem::path& file);

// ---- recorder.conf (ours, group [Recorder]) --------------------------------

// Defaults that other parts start from too (an upload session's configuration).
inline constexpr uint32_t kDefaultUploadMaxRequestBytes = 262144;
inline constexpr uint32_t kDefaultTimestampGranularitySeconds = 3600;
inline constexpr uint32_t kDefaultSyncIntervalMilliseconds = 1000;

struct RecorderSettings {
  // MaxQueueSharePercent, 1..100: of cache-size.conf's maximum, what one unprivileged uid
  // may fill. 25 with a pool of 75: two uids at their share still leave room for a third.
  uint32_t max_queue_share_percent = 25;
  // UnprivilegedQueuePercent, 1..100: of the maximum, what all unprivileged uids together
  // may fill; the rest stays for root, the service user and the instrumentation.
  uint32_t unprivileged_queue_percent = 75;
  double rate_limit_per_second = 500;
  uint32_t rate_limit_burst = 5000;
  uint32_t max_payload_bytes = 65536;
  uint32_t max_timers_per_connection = 64;
  // MaxTimersPerUid, 1..2^32-1: running timers of one unprivileged uid, all its
  // connections together.
  uint32_t max_timers_per_uid = 256;
  uint32_t max_timers_total = 4096;
  // UnprivilegedTimersPercent, 1..100: of MaxTimersTotal, what all unprivileged uids
  // together may run.
  uint32_t unprivileged_timers_percent = 75;
  uint32_t max_sequence_length = 1024;
  // SyncIntervalMilliseconds, 0..10000: how long an acknowledged event may stay in the
  // kernel's cache before it is synced to disk (it survives a crash of the recorder
  // either way; a power loss only once synced). 0 syncs every commit before replying.
  uint32_t sync_interval_milliseconds = kDefaultSyncIntervalMilliseconds;

  // ---- Upload (same group; see upload_policy.hpp and timestamp_coarsening.hpp) ----
  // TimestampGranularitySeconds, 0..86400: event times are floored to this before
  // upload. One hour defeats linking two events by their exact offset from boot (the
  // "300 s after boot" attack) and still allows daily and hour-of-day analysis. 0 sends
  // exact times stamped as the reference client does (see stamp()): for compatibility
  // tests only, it exposes a per-machine constant.
  uint32_t timestamp_granularity_seconds = kDefaultTimestampGranularitySeconds;
  // UploadIntervalSeconds, 0..604800: 0 = by environment (30 min production, 15 min
  // dev and test).
  uint32_t upload_interval_seconds = 0;
  // UploadMaxRequestBytes, 16384..1032192: cap of one request's uncompressed body. The
  // maximum leaves room for gzip's overhead on incompressible data under the reference
  // server's 1 MiB limit. The default bounds the daemon's memory during an upload (one
  // batch in memory: 512 KiB took 1.7 MB more at the peak, for 3 % fewer bytes on the
  // wire; docs/benchmarks.md).
  uint32_t upload_max_request_bytes = kDefaultUploadMaxRequestBytes;
  // UploadRequestTimeoutSeconds, 1..600: how long one request may go without progress
  // (connecting, sending, waiting for the answer) before it counts as timed out.
  uint32_t upload_request_timeout_seconds = 60;
  // AllowMeteredUploads (boolean): upload on a metered connection too.
  bool allow_metered_uploads = false;
  // ProxyUrl: "" = none (direct); else http://, https://, socks4://, socks4a://,
  // socks5:// or socks5h:// with a host (e.g. socks5h://127.0.0.1:9050 for Tor). An
  // unusable value sets upload_problem: never a direct connection instead.
  std::string proxy_url;
  // TrustFile: "" = system trust store; else an absolute path to a PEM CA bundle for a
  // self-hosted server. A relative path sets upload_problem.
  std::string trust_file;

  // ---- Registry (same group; see registry.hpp and registry_mode.hpp) ----
  // RegistryMode: "enforce" refuses events the metric registry does not allow (unknown
  // UUID, other payload type); "permissive" stores them with a warning, for development.
  std::string registry_mode = "enforce";
  // RegistryDirectory: "" = the installed registry (registry::default_directory()); else an
  // absolute directory of registry files, for tests and development.
  std::string registry_directory;

  // Why no upload may start: the file cannot be read or parsed, ProxyUrl or TrustFile is
  // unusable, or a key that looks like one of them is misspelled or in another group.
  // "" when uploading may go ahead. Names the file, the key and the problem.
  std::string upload_problem;
  // One per unusable value, unknown group or key (and the upload problem), for the journal.
  std::vector<std::string> warnings;
};

// Never fails: an unusable recording setting keeps its default (with a warning); an
// unusable upload setting sets upload_problem.
RecorderSettings read_recorder_settings(const std::filesystem::path& file);

}  // namespace metrics::config
