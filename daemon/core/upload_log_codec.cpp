// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_log_codec.hpp"

#include <cstdint>
#include <string>

namespace metrics {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr const char* kEntryType = "(xxssttttsisb)";

}  // namespace

GVariantPtr encode_upload_log(const std::vector<LedgerEntry>& entries) {
  GVariantBuilder builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE(kUploadLogType));
  for (const LedgerEntry& e : entries) {
    g_variant_builder_add(
        &builder, kEntryType, static_cast<gint64>(e.id),
        static_cast<gint64>(e.time_ns / kNsPerSecond), e.url.c_str(), e.sha512.c_str(),
        static_cast<guint64>(e.compressed_size), static_cast<guint64>(e.uncompressed_size),
        static_cast<guint64>(e.singular_events), static_cast<guint64>(e.aggregate_events),
        e.outcome.c_str(), static_cast<gint32>(e.http_status), e.message.c_str(),
        static_cast<gboolean>(e.body_kept));
  }
  return adopt_variant(g_variant_builder_end(&builder));
}

Result<std::vector<LedgerEntry>> decode_upload_log(GVariant* log) {
  if (!g_variant_is_of_type(log, G_VARIANT_TYPE(kUploadLogType)))
    return Error{ErrorCode::kInvalidArguments, std::string("an upload log is of type ") +
                                                   kUploadLogType + ", not " +
                                                   g_variant_get_type_string(log)};
  std::vector<LedgerEntry> entries;
  entries.reserve(g_variant_n_children(log));
  GVariantIter iter;
  g_variant_iter_init(&iter, log);
  gint64 id = 0;
  gint64 seconds = 0;
  const char* url = nullptr;
  const char* sha512 = nullptr;
  guint64 compressed = 0;
  guint64 uncompressed = 0;
  guint64 singulars = 0;
  guint64 aggregates = 0;
  const char* outcome = nullptr;
  gint32 status = 0;
  const char* message = nullptr;
  gboolean kept = FALSE;
  while (g_variant_iter_next(&iter, "(xx&s&stttt&si&sb)", &id, &seconds, &url, &sha512, &compressed,
                             &uncompressed, &singulars, &aggregates, &outcome, &status, &message,
                             &kept)) {
    LedgerEntry e;
    e.id = id;
    // A time beyond what nanoseconds hold (year 2262) is shown as the last one they do.
    if (__builtin_mul_overflow(seconds, kNsPerSecond, &e.time_ns))
      e.time_ns = seconds < 0 ? INT64_MIN : INT64_MAX;
    e.url = url;
    e.sha512 = sha512;
    e.compressed_size = compressed;
    e.uncompressed_size = uncompressed;
    e.singular_events = singulars;
    e.aggregate_events = aggregates;
    e.outcome = outcome;
    e.http_status = status;
    e.message = message;
    e.body_kept = kept != FALSE;
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace metrics
