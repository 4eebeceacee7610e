// SPDX-License-Identifier: GPL-2.0-or-later
// Turning the queue into protocol-3 requests, oldest first, each at most a configured
// number of serialised (uncompressed) bytes. No network here: the caller stamps,
// encodes, compresses and sends, then deletes (Store::delete_uploaded) or sets aside
// (Store::set_aside_batch) the batch's rows.
//
// Order: all queued singular events by id (arrival order), then the queued aggregate
// events in order of their first row id; batches are consecutive slices of that sequence.
//
// Aggregate rows are per uid in the queue (quotas and `metricsctl queue` account for each
// user), but the rows of one event id, os version, period and payload leave as ONE
// protocol-3 aggregate event with their summed count (clamped to 2^32-1): the server must
// not learn how many accounts use the machine. A group is never split across batches, so
// deleting a batch's rows after a 2xx removes exactly what was counted.
//
// Rows the server acknowledged but that could not be deleted (Store::is_acknowledged_*)
// are never planned again.
//
// Memory: BatchPlanner / next_batch() hold one batch (≤ the cap serialised, plus about
// 150 bytes of GVariant bookkeeping per event: ≈ 3-4 MiB for a 512 KiB cap of small
// events) and one read chunk of rows (kReadChunk rows) at a time, whatever the queue's
// length. plan_batches() keeps every batch, i.e. the whole queue in memory at once
// (≈ 250 bytes per small event: ≈ 25 MiB for 100 000 events); prefer the planner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "result.hpp"
#include "store.hpp"
#include "wire.hpp"

namespace metrics {

struct BatchContext {
  std::string image_id = "unknown";
  std::vector<std::pair<std::string, std::string>> site_labels;  // location.conf [Label]
  uint8_t boot_flags = 0;  // bit 0 dual boot, bit 1 live boot (boot_flags.hpp)
};

struct UploadBatch {
  // Fields 3-7 are final. Fields 1 and 2 and the events' relative timestamps are set by
  // stamp() before each attempt; until then they hold 0 and the stored values.
  wire::Request request;
  std::vector<int64_t> singular_ids;  // Store row ids, parallel to request.singulars
  // Store row ids of every aggregate row summed into request.aggregates: the rows of
  // request.aggregates[i] are the next aggregate_rows[i] ids.
  std::vector<int64_t> aggregate_ids;
  std::vector<size_t> aggregate_rows;  // parallel to request.aggregates
  int64_t last_aggregate_group = 0;    // first row id of the last group taken (paging)
  // The events' relative timestamps as stored (uncoarsened), parallel to
  // request.singulars: stamp() always coarsens from these, so re-stamping is idempotent.
  std::vector<int64_t> stored_relative_ns;
  // Size of wire::encode(request) in bytes (independent of the stamped values).
  size_t uncompressed_size = 0;
  // A single event whose request alone exceeds the cap: the caller should set it aside
  // (Store::set_aside_batch) instead of sending it.
  bool oversized = false;

  // Queue rows the batch stands for (what leaves the queue after a 2xx).
  size_t event_count() const { return singular_ids.size() + aggregate_ids.size(); }
  // Events in the request (aggregate rows of several uids count once).
  size_t request_event_count() const {
    return request.singulars.size() + request.aggregates.size();
  }
};

// The events of `batch` (at least two) in two batches: the first half of its sequence
// (singulars, then aggregates) and the rest, each sized anew; neither is stamped.
std::pair<UploadBatch, UploadBatch> split_batch(UploadBatch batch);

// Rows read from the store per query while planning.
inline constexpr size_t kReadChunk = 512;

// The next batch of the queue after the given row ids (0, 0 = from the start) and up to
// `limit`: as many of the oldest events as fit in max_uncompressed_bytes serialised; an
// event that does not fit even alone becomes a batch of its own with `oversized` set.
// nullopt when no event is queued in that range.
Result<std::optional<UploadBatch>> next_batch(Store& store, const BatchContext& ctx,
                                              size_t max_uncompressed_bytes,
                                              int64_t after_singular_id, int64_t after_aggregate_id,
                                              QueueLimit limit = {});

// Generator over the queue: each next() returns the batch after the previous one
// (whether or not the previous one was deleted, set aside or kept for a retry).
class BatchPlanner {
 public:
  BatchPlanner(Store& store, BatchContext ctx, size_t max_uncompressed_bytes, QueueLimit limit = {})
      : store_(store), ctx_(std::move(ctx)), max_bytes_(max_uncompressed_bytes), limit_(limit) {}
  Result<std::optional<UploadBatch>> next();

 private:
  Store& store_;
  BatchContext ctx_;
  size_t max_bytes_;
  QueueLimit limit_;
  int64_t after_singular_ = 0;
  int64_t after_aggregate_ = 0;
};

// The whole queue as batches (see the memory note above).
Result<std::vector<UploadBatch>> plan_batches(Store& store, const BatchContext& ctx,
                                              size_t max_uncompressed_bytes);

// Stamps one attempt taken at `timeline_now_ns` (the recorder's time-line, see
// Recorder::timeline_now) and `wall_now_ns` (ns since the epoch): fields 1 and 2 and each
// singular event's relative timestamp, always computed from stored_relative_ns so that
// re-stamping is idempotent. The server computes each event's time as
// field 2 - field 1 + event relative, and that is, in both modes, never after the request.
//
// granularity_ns > 0 (the default, coarsened): the event times the server computes are
// their wall-clock times floored to the granularity (coarsen_relative_ns), and the request
// is re-based on the wall clock: field 1 = field 2 = wall_now and each event's relative
// timestamp is its floored wall time. Field 2 - field 1 (the wall time of the recorder's
// time-line origin, stable for a machine across requests and reboots) would otherwise
// link all requests of one machine; re-based, it is 0 for everyone.
//
// granularity_ns == 0 (exact, the reference client's stamping, for compatibility tests):
// field 1 = timeline_now, field 2 = wall_now, events as stored (clamped to field 1).
void stamp(UploadBatch& batch, int64_t timeline_now_ns, int64_t wall_now_ns,
           int64_t granularity_ns);

// Serialised size of a request with these contents, computed from the GVariant framing
// rules without building it (exposed for tests).
size_t request_serialized_size(const wire::Request& request);

}  // namespace metrics
