// SPDX-License-Identifier: GPL-2.0-or-later
// The durable queue: singular events, daily/monthly counts and aggregate events
// ready for upload, in one SQLite database (WAL, synchronous=FULL, secure_delete).
// Only the recorder's main thread touches it. Writes are grouped: the caller opens a
// transaction, adds everything handled in one main-loop turn, and commits once
// before acknowledging any of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "result.hpp"
#include "sqlite_handles.hpp"
#include "uuid.hpp"

namespace metrics {

struct StoredSingular {
  int64_t id = 0;
  uint32_t uid = 0;
  Uuid event_id;
  std::string os_version;
  int64_t relative_ns = 0;       // already on the persistent time-line
  std::vector<uint8_t> payload;  // serialised `v`; empty = no payload
};

struct StoredAggregate {
  int64_t id = 0;
  uint32_t uid = 0;
  Uuid event_id;
  std::string os_version;
  std::string period;
  uint32_t count = 0;
  std::vector<uint8_t> payload;
};

// Row ids up to which (inclusive) an upload session takes the queue, so that events
// recorded meanwhile cannot keep it going forever.
struct QueueLimit {
  int64_t max_singular_id = std::numeric_limits<int64_t>::max();
  int64_t max_aggregate_id = std::numeric_limits<int64_t>::max();
};

// Queued aggregate rows that leave in one protocol-3 event: the same event id, os
// version, period and payload, whatever uid recorded them (the server must not learn how
// many accounts use the machine). `count` is their sum, clamped to [0, 2^32-1].
struct AggregateGroup {
  int64_t first_id = 0;          // the lowest row id: groups are read in its order
  std::vector<int64_t> ids;      // every row of the group (ascending)
  std::vector<uint32_t> counts;  // parallel to ids
  Uuid event_id;
  std::string os_version;
  std::string period;
  std::vector<uint8_t> payload;
};

// A batch the server refused for good, as `metricsctl set-aside list` shows it.
struct SetAsideBatch {
  int64_t id = 0;
  int64_t time_ns = 0;  // wall clock when it was set aside
  std::string reason;
  int64_t singular_events = 0;  // rows, as they were queued
  int64_t aggregate_events = 0;
  int64_t body_bytes = 0;  // the protocol-3 body that was refused
  // Its rows are kept and can go back to the queue (batches set aside before the rows
  // were kept have only their body).
  bool requeueable = false;
};

struct StoredCount {
  uint32_t uid = 0;
  Uuid event_id;
  std::string period;
  int64_t count = 0;
  std::vector<uint8_t> payload;
};

// What the store is like: usable, or not (every operation fails with StorageFailure
// naming the problem until reopen() succeeds), or usable after a start that found damage
// or loss (problem() says what, once per start).
enum class StoreState { Ok, Unavailable, Recovered };
const char* store_state_name(StoreState state);  // "ok", "unavailable", "recovered"
std::optional<StoreState> store_state_from_name(std::string_view name);

class Store {
 public:
  // Opens (creating) the database in `dir`; an error when it cannot be used now.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir);
  // A store for `dir` that is open when it can be, else unavailable (see problem()), for
  // reopen() to try again later. Faults that are not corruption (permissions, a lock, an
  // I/O error, a full disk) leave the files untouched. A corrupt database (SQLITE_CORRUPT,
  // SQLITE_NOTADB, a failing quick_check) is salvaged: every readable row is copied into a
  // new database and the damaged files are kept as metrics.db.corrupt-<time> (and -wal).
  static std::unique_ptr<Store> open_or_unavailable(const std::filesystem::path& dir);
  // Tries to open an unavailable store (a no-op when it is open).
  Result<void> reopen();
  // Closes the database: a later step found it unusable (e.g. the recorder's start).
  void make_unavailable(const std::string& problem);
  bool available() const { return db_ != nullptr; }
  StoreState state() const;
  // Why the store is unavailable, or what its last opening found and did ("" when fine).
  const std::string& problem() const { return problem_; }
  // What the last successful opening found and did, one journal line each (salvage
  // counts, WAL frames that did not apply, repaired files); empty when nothing.
  const std::vector<std::string>& open_notes() const { return open_notes_; }
  // The notes as one text (kept for callers that want one line).
  const std::string& recovery_note() const { return recovery_note_; }

  Result<void> begin();  // no-op when a transaction is already open
  Result<void> commit();
  void rollback();
  bool in_transaction() const { return in_transaction_; }

  // ---- Durability (store_sync.cpp; docs/recorder.md "Durability") -------------------
  // EveryCommit (SyncIntervalMilliseconds=0): every commit is on disk before it returns
  // (synchronous=FULL). Deferred: a commit is in the kernel when it returns, so it
  // survives any crash of the recorder, and on disk once sync_to_disk() ran
  // (synchronous=NORMAL); the owner calls that within the interval after on_unsynced.
  enum class SyncMode { EveryCommit, Deferred };
  // Applies now when open, and at every later opening.
  Result<void> set_sync_mode(SyncMode mode);
  SyncMode sync_mode() const { return sync_mode_; }
  // Deferred: every commit so far reaches the disk (a checkpoint: SQLite syncs the WAL,
  // copies it into the database and syncs that). A no-op when nothing is unsynced; an
  // error leaves it unsynced, to be tried again.
  Result<void> sync_to_disk();
  // Deferred: something was committed since the last sync.
  bool unsynced() const { return unsynced_; }
  // Syncs done by sync_to_disk() since the store was created (the tests count them).
  uint64_t syncs() const { return syncs_; }
  // Deferred: the first commit after a sync (or the opening) happened; called from
  // SQLite's commit hook, so it must not use the store.
  std::function<void()> on_unsynced;

  Result<void> add_singular(uint32_t uid, const Uuid& event_id, const std::string& os_version,
                            int64_t relative_ns, std::span<const uint8_t> payload, int64_t size);
  // Adds delta to the count of (period, event, payload, uid); `size` is charged when
  // the row is new.
  Result<void> add_count(uint32_t uid, const Uuid& event_id, const std::string& period,
                         std::span<const uint8_t> payload, int64_t delta, int64_t size);
  // Moves counts of days before `today` and months before `month` into the aggregate
  // queue (clamped to [0, 2^32-1]) in the open transaction. Returns rows moved.
  Result<int64_t> roll_over(const std::string& today, const std::string& month,
                            const std::string& os_version);
  // Deletes every event, count and aggregate (and every set-aside batch and upload-ledger
  // entry with its kept body) and really removes the bytes: secure
  // delete, VACUUM, WAL truncated, set-aside corrupt copies removed.
  Result<void> purge_all();

  Result<std::optional<std::string>> get_meta(const std::string& key);
  Result<void> set_meta(const std::string& key, const std::string& value);

  // Queued rows (of one uid), oldest first; at most `limit` (-1: all).
  Result<std::vector<StoredSingular>> singulars(std::optional<uint32_t> uid = std::nullopt,
                                                int64_t limit = -1);
  Result<std::vector<StoredAggregate>> aggregates(std::optional<uint32_t> uid = std::nullopt,
                                                  int64_t limit = -1);
  Result<std::vector<StoredCount>> counts(std::optional<uint32_t> uid = std::nullopt,
                                          int64_t limit = -1);

  // Queued singular and aggregate events of one uid (the index on uid answers it).
  Result<int64_t> queued_events_of(uint32_t uid);
  // Rows of the running daily and monthly counts (of one uid): not queued yet, each becomes
  // an aggregate event when its day or month ends.
  Result<int64_t> running_counts(std::optional<uint32_t> uid = std::nullopt);

  int64_t total_bytes() const { return total_bytes_; }
  int64_t bytes_of_uid(uint32_t uid) const;
  int64_t singular_count() const { return singular_count_; }
  // Latest relative timestamp queued (0 when none).
  Result<int64_t> max_relative_ns();

  Result<std::string> integrity_check();

  // ---- Upload support -------------------------------------------------------------
  // Reading for an upload leaves the rows queued: they leave the queue only after the
  // server acknowledged them (delete_uploaded) or rejected them for good (set_aside_batch).

  // Up to `limit` queued singular events with id > after_id, oldest (lowest id) first.
  Result<std::vector<StoredSingular>> oldest_singulars(int64_t after_id, size_t limit);
  // Up to `limit` queued aggregate events with id > after_id, oldest (lowest id) first.
  Result<std::vector<StoredAggregate>> oldest_aggregates(int64_t after_id, size_t limit);

  // Removes exactly these rows (ids no longer queued are ignored: a purge may have come
  // first) in one transaction, updates total_bytes/bytes_of_uid/singular_count, and
  // checkpoints the WAL so the uploaded payloads are gone from disk (secure_delete).
  // Inside a transaction the caller opened, it becomes part of it (a savepoint).
  Result<void> delete_uploaded(const std::vector<int64_t>& singular_ids,
                               const std::vector<int64_t>& aggregate_ids);

  // Aggregate events queued for upload (singular_count() counts the singular ones).
  Result<int64_t> aggregate_count();
  // The newest queued row ids: an upload session takes the queue up to these.
  Result<QueueLimit> queue_limit();

 private:
  friend class Ledger;  // the upload ledger keeps its tables in this database
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  explicit Store(Passkey) {}

 private:
  // The steps of reopen() (store_open.cpp).
  Result<void> try_open();
  Result<void> open_connection();
  Result<void> check_and_prepare();
  Result<void> salvage(const std::string& why);
  void close_database();
  Error unavailable_error() const;

  Result<void> init_schema();
  Result<void> load_totals();
  Result<void> exec(const char* sql);
  Result<Statement> prepare(const char* sql);
  Error sql_error(const char* what) const;
  void charge(uint32_t uid, int64_t size);
  // Runs `body` in one transaction: its own (BEGIN IMMEDIATE … COMMIT) when none is
  // open, else a savepoint inside the caller's. On failure everything `body` did is
  // undone and the totals are reloaded from disk.
  Result<void> atomically(const std::function<Result<void>()>& body);
  // Deletes queued rows by id, uncharging their sizes (inside atomically()).
  Result<void> remove_queued(const std::vector<int64_t>& singular_ids,
                             const std::vector<int64_t>& aggregate_ids);

  std::filesystem::path dir_;
  SqlitePtr db_;
  bool in_transaction_ = false;
  SyncMode sync_mode_ = SyncMode::EveryCommit;
  bool unsynced_ = false;
  uint64_t syncs_ = 0;
  static int on_commit_hook(void* self);
  const char* synchronous_pragma() const;
  std::string recovery_note_;
  std::string problem_;
  bool recovered_ = false;
  // Set when a step failed because the database is corrupt (not for other faults).
  bool corrupt_ = false;
  std::vector<std::string> open_notes_;
  int64_t total_bytes_ = 0;
  int64_t singular_count_ = 0;
  std::map<uint32_t, int64_t> uid_bytes_;

  Statement insert_singular_;
  Statement update_count_;
  Statement insert_count_;

  // ---- Set-aside batches (store_set_aside.cpp) --------------------------------------
 public:
  // A batch the server refused for good (a non-retryable 4xx, or one event too large
  // to send): in one transaction its rows move from the queue to the set-aside tables
  // (so they never block later uploads, and can be put back), and `body` is kept in
  // set_aside(id, reason, time, body, singular_events, aggregate_events) for a person to
  // inspect. `time_ns` 0 = now (wall clock). At most kMaxSetAsideBatches are kept; the
  // oldest go first. Returns how many old batches were dropped to make room. Set-aside
  // rows do not count against the queue bound.
  static constexpr int64_t kMaxSetAsideBatches = 50;
  Result<int64_t> set_aside_batch(const std::vector<int64_t>& singular_ids,
                                  const std::vector<int64_t>& aggregate_ids,
                                  const std::string& reason, std::span<const uint8_t> body,
                                  int64_t time_ns = 0);
  Result<int64_t> set_aside_count();
  // Events (rows) in every set-aside batch.
  Result<int64_t> set_aside_event_count();
  // Every set-aside batch, oldest first.
  Result<std::vector<SetAsideBatch>> set_aside_batches();
  // The refused body of batch `id`; nullopt when there is no such batch.
  Result<std::optional<std::vector<uint8_t>>> set_aside_body(int64_t id);
  // Puts the rows of batch `id` (0: of every batch that kept its rows) back in the queue,
  // after what is queued, and forgets the batch. Returns the events re-queued. Errors:
  // NoSuchSetAside (no batch `id`), SetAsideNotRequeueable (only its body was kept).
  Result<int64_t> requeue_set_aside(int64_t id);

  // ---- Acknowledged rows whose delete failed (store_acknowledged.cpp) --------------
  // The server has these rows (it answered 2xx) but deleting them failed (a full disk):
  // they must never be sent again. Remembered here and, when it can be written, in the
  // file `upload-acknowledged` next to the database (atomically replaced), so a restart
  // does not send them either; the delete is retried by settle_acknowledged().
  //
  // Adds the rows; an error says only that the file could not be written (they are
  // remembered in memory all the same).
  Result<void> mark_acknowledged(const std::vector<int64_t>& singular_ids,
                                 const std::vector<int64_t>& aggregate_ids);
  // Loads the file once (rows no longer queued, or replaced by others under the same id,
  // are dropped), then retries the delete of every remembered row; on success they and
  // the file are forgotten. Returns the rows still waiting for their delete.
  Result<int64_t> settle_acknowledged();
  bool is_acknowledged_singular(int64_t id) const { return acked_singular_.contains(id); }
  bool is_acknowledged_aggregate(int64_t id) const { return acked_aggregate_.contains(id); }
  size_t acknowledged_count() const { return acked_singular_.size() + acked_aggregate_.size(); }

  // Groups of queued aggregate rows with first_id > after_first_id, counting only rows
  // with id <= max_id, in order of first_id; at most `limit` groups.
  Result<std::vector<AggregateGroup>> oldest_aggregate_groups(int64_t after_first_id,
                                                              int64_t max_id, size_t limit);

 private:
  Result<void> ensure_set_aside_tables();
  Result<void> write_acknowledged_file();
  void forget_acknowledged();
  bool set_aside_tables_ready_ = false;
  bool acked_loaded_ = false;
  std::unordered_set<int64_t> acked_singular_;
  std::unordered_set<int64_t> acked_aggregate_;
};

}  // namespace metrics
