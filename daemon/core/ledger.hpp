// SPDX-License-Identifier: GPL-2.0-or-later
// The upload ledger: every attempt is recorded locally (time, URL, SHA-512, sizes,
// event counts, result), and the exact uncompressed bodies of the most recent uploads
// are kept so a person can see exactly what was sent (recorder-behaviour.md, Ledger).
// Tables ledger and ledger_body live in the Store's database; Store::purge_all() clears
// them with everything else.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "result.hpp"
#include "store.hpp"

namespace metrics {

struct LedgerAttempt {
  int64_t time_ns = 0;  // wall clock of the attempt, ns since the epoch
  std::string url;
  std::string sha512;  // lower-case hex of the uncompressed body
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t singular_events = 0;
  uint64_t aggregate_events = 0;
  // upload::outcome_name() (Success, Retry, SetAside, Fatal, Pause), or "Split" (a 413:
  // the batch goes again in two halves)
  std::string outcome;
  int http_status = 0;  // 0: no HTTP answer (network error)
  std::string message;  // the error's message, or the server's answer
  // The exact uncompressed body sent; empty = nothing to keep (e.g. not sent at all).
  std::span<const uint8_t> body;
};

struct LedgerEntry {
  int64_t id = 0;
  int64_t time_ns = 0;
  std::string url;
  std::string sha512;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t singular_events = 0;
  uint64_t aggregate_events = 0;
  std::string outcome;
  int http_status = 0;
  std::string message;
  bool body_kept = false;  // body(id) returns the bytes
};

class Ledger {
 public:
  static constexpr size_t kDefaultKeptBodies = 20;
  static constexpr size_t kDefaultKeptEntries = 2000;

  // Keeps the bodies of the last `kept_bodies` distinct uploads (attempts sending the
  // same bytes, i.e. retries of one batch, share one kept body) and the last
  // `kept_entries` attempt records; older ones are deleted (secure_delete).
  explicit Ledger(Store& store, size_t kept_bodies = kDefaultKeptBodies,
                  size_t kept_entries = kDefaultKeptEntries);

  // One attempt, in one transaction with the trimming of old bodies and entries.
  //
  // Every request that was sent is in the ledger: when it cannot be written (a full
  // disk), the attempt is kept in memory without its body and written, marked as late,
  // before the next one (or by flush_pending()); the error then says so. At most
  // kMaxPending are kept; beyond that the oldest is dropped and the error names it.
  static constexpr size_t kMaxPending = 1000;
  Result<void> record_attempt(const LedgerAttempt& attempt);
  // Writes the attempts kept in memory; returns how many are still waiting.
  Result<size_t> flush_pending();
  size_t pending() const { return pending_.size(); }
  // The newest `n` entries, newest first.
  Result<std::vector<LedgerEntry>> recent(size_t n);
  // The exact uncompressed body sent by attempt `id` (any kept attempt with the same
  // SHA-512 sent the same bytes); nullopt when not kept or no such entry.
  Result<std::optional<std::vector<uint8_t>>> body(int64_t id);

 private:
  Result<void> write(const LedgerAttempt& attempt);

  Store& store_;
  size_t kept_bodies_;
  size_t kept_entries_;
  std::deque<LedgerAttempt> pending_;  // bodies empty
};

}  // namespace metrics
