// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_batch.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "glib_handles.hpp"
#include "timestamp_coarsening.hpp"

namespace metrics {

namespace {

// ---- Serialised sizes, by GVariant's framing rules (gvariant-serialiser.c) ----------

size_t align(size_t offset, size_t alignment) {
  return (offset + alignment - 1) & ~(alignment - 1);
}

// A container's body plus its framing offsets, whose width depends on the total size.
size_t framed(size_t body, size_t n_offsets) {
  if (body + n_offsets <= G_MAXUINT8) return body + n_offsets;
  if (body + 2 * n_offsets <= G_MAXUINT16) return body + 2 * n_offsets;
  if (body + 4 * n_offsets <= G_MAXUINT32) return body + 4 * n_offsets;
  return body + 8 * n_offsets;
}

// `s`: as wire.cpp passes it (c_str()), so up to the first NUL, plus the terminator.
size_t string_size(const std::string& s) {
  return std::strlen(s.c_str()) + 1;
}

// `mv` holding a `v` of `variant_size` bytes (0 = nothing).
size_t maybe_variant_size(size_t variant_size) {
  return variant_size == 0 ? 0 : variant_size + 1;
}

// The serialised `v` boxing `payload` (0 when null).
size_t boxed_size(GVariant* payload) {
  if (!payload) return 0;
  return g_variant_get_size(payload) + 1 +
         g_variant_type_get_string_length(g_variant_get_type(payload));
}

// (aysxmv): 16-byte ay, s, x at 8-alignment, mv at 8-alignment; 2 framing offsets.
size_t singular_element_size(const std::string& os_version, size_t variant_size) {
  size_t p = 16 + string_size(os_version);
  p = align(p, 8) + 8;
  p = align(p, 8) + maybe_variant_size(variant_size);
  return framed(p, 2);
}

// (ayssumv): ay, s, s, u at 4-alignment, mv at 8-alignment; 3 framing offsets.
size_t aggregate_element_size(const std::string& os_version, const std::string& period,
                              size_t variant_size) {
  size_t p = 16 + string_size(os_version) + string_size(period);
  p = align(p, 4) + 4;
  p = align(p, 8) + maybe_variant_size(variant_size);
  return framed(p, 3);
}

size_t labels_size(const std::vector<std::pair<std::string, std::string>>& labels) {
  size_t body = 0;
  for (const auto& [key, value] : labels) body += framed(string_size(key) + string_size(value), 1);
  return framed(body, labels.size());
}

// Running size of a request as 8-aligned variable-size events are appended.
class RequestSize {
 public:
  RequestSize(const std::string& image_id,
              const std::vector<std::pair<std::string, std::string>>& labels)
      : prefix_(16 + string_size(image_id) + labels_size(labels) + 1) {}

  size_t total() const { return total_with(singulars_, aggregates_); }
  size_t with_singular(size_t element) const {
    return total_with(singulars_.plus(element), aggregates_);
  }
  size_t with_aggregate(size_t element) const {
    return total_with(singulars_, aggregates_.plus(element));
  }
  void add_singular(size_t element) { singulars_ = singulars_.plus(element); }
  void add_aggregate(size_t element) { aggregates_ = aggregates_.plus(element); }

 private:
  struct Array {
    size_t end = 0;  // end of the last element
    size_t count = 0;
    Array plus(size_t element) const {
      return {(count == 0 ? 0 : align(end, 8)) + element, count + 1};
    }
    size_t size() const { return framed(end, count); }
  };

  size_t total_with(const Array& s, const Array& a) const {
    size_t p = align(prefix_, 8) + s.size();
    p = align(p, 8) + a.size();
    return framed(p, 3);  // s, a{ss} and a(aysxmv) are variable and not last
  }

  size_t prefix_;  // x, x, s, a{ss}, y
  Array singulars_;
  Array aggregates_;
};

// ---- Rebuilding events from stored rows ---------------------------------------------

// A string as GVariant accepts it: up to the first NUL, valid UTF-8.
std::string wire_string(const std::string& s) {
  std::string t(s.c_str());
  if (g_utf8_validate(t.data(), static_cast<gssize>(t.size()), nullptr)) return t;
  GCharPtr valid(g_utf8_make_valid(t.data(), static_cast<gssize>(t.size())));
  return valid.get();
}

struct Payload {
  GVariantPtr value;        // unboxed; null = no payload
  size_t variant_size = 0;  // the serialised `v` boxing it; 0 = none
};

// Stored payloads are serialised `v` values (empty = none). Read as untrusted data and
// put in normal form, so what is sent is exactly what the size was computed for.
Payload rebuild_payload(const std::vector<uint8_t>& stored) {
  if (stored.empty()) return {};
  GBytesPtr bytes(g_bytes_new(stored.data(), stored.size()));
  GVariantPtr boxed =
      adopt_variant(g_variant_new_from_bytes(G_VARIANT_TYPE_VARIANT, bytes.get(), FALSE));
  if (!g_variant_is_normal_form(boxed.get()))
    boxed = GVariantPtr(g_variant_get_normal_form(boxed.get()));
  Payload p;
  p.variant_size = g_variant_get_size(boxed.get());
  p.value = GVariantPtr(g_variant_get_variant(boxed.get()));
  return p;
}

}  // namespace

size_t request_serialized_size(const wire::Request& request) {
  RequestSize size(request.image_id, request.site_labels);
  for (const wire::SingularEvent& e : request.singulars)
    size.add_singular(singular_element_size(e.os_version, boxed_size(e.payload.get())));
  for (const wire::AggregateEvent& e : request.aggregates)
    size.add_aggregate(aggregate_element_size(e.os_version, e.period, boxed_size(e.payload.get())));
  return size.total();
}

Result<std::optional<UploadBatch>> next_batch(Store& store, const BatchContext& ctx,
                                              size_t max_uncompressed_bytes,
                                              int64_t after_singular_id, int64_t after_aggregate_id,
                                              QueueLimit limit) {
  UploadBatch batch;
  wire::Request& request = batch.request;
  request.image_id = wire_string(ctx.image_id);
  request.site_labels.reserve(ctx.site_labels.size());
  for (const auto& [key, value] : ctx.site_labels)
    request.site_labels.emplace_back(wire_string(key), wire_string(value));
  request.boot_flags = ctx.boot_flags;
  RequestSize size(request.image_id, request.site_labels);

  // Returns true when the batch is complete (the next event does not fit).
  auto fits = [&](size_t total_with_event) {
    if (total_with_event <= max_uncompressed_bytes) return true;
    if (batch.event_count() == 0) {
      batch.oversized = true;  // alone and still too big: a batch of its own
      return true;
    }
    return false;
  };
  bool full = false;

  for (int64_t after = after_singular_id; !full;) {
    auto rows = store.oldest_singulars(after, kReadChunk);
    if (!rows) return rows.error();
    bool past_limit = false;
    for (StoredSingular& row : *rows) {
      if (row.id > limit.max_singular_id) {
        past_limit = true;
        break;
      }
      if (store.is_acknowledged_singular(row.id)) {
        after = row.id;  // the server has it already
        continue;
      }
      wire::SingularEvent e;
      e.event_id = row.event_id;
      e.os_version = wire_string(row.os_version);
      e.relative_ns = row.relative_ns;
      Payload payload = rebuild_payload(row.payload);
      e.payload = std::move(payload.value);
      const size_t element = singular_element_size(e.os_version, payload.variant_size);
      if (!fits(size.with_singular(element))) {
        full = true;
        break;
      }
      size.add_singular(element);
      request.singulars.push_back(std::move(e));
      batch.singular_ids.push_back(row.id);
      batch.stored_relative_ns.push_back(row.relative_ns);
      after = row.id;
      if (batch.oversized) {
        full = true;
        break;
      }
    }
    if (past_limit || rows->size() < kReadChunk) break;
  }

  for (int64_t after = after_aggregate_id; !full;) {
    auto groups = store.oldest_aggregate_groups(after, limit.max_aggregate_id, kReadChunk);
    if (!groups) return groups.error();
    for (AggregateGroup& group : *groups) {
      after = group.first_id;
      std::vector<int64_t> ids;
      uint64_t count = 0;
      for (size_t i = 0; i < group.ids.size(); ++i) {
        if (store.is_acknowledged_aggregate(group.ids[i])) continue;
        ids.push_back(group.ids[i]);
        count += group.counts[i];
      }
      if (ids.empty()) continue;
      wire::AggregateEvent e;
      e.event_id = group.event_id;
      e.os_version = wire_string(group.os_version);
      e.period = wire_string(group.period);
      e.count = static_cast<uint32_t>(std::min<uint64_t>(count, UINT32_MAX));
      Payload payload = rebuild_payload(group.payload);
      e.payload = std::move(payload.value);
      const size_t element = aggregate_element_size(e.os_version, e.period, payload.variant_size);
      if (!fits(size.with_aggregate(element))) {
        full = true;
        break;
      }
      size.add_aggregate(element);
      request.aggregates.push_back(std::move(e));
      batch.aggregate_ids.insert(batch.aggregate_ids.end(), ids.begin(), ids.end());
      batch.aggregate_rows.push_back(ids.size());
      batch.last_aggregate_group = group.first_id;
      if (batch.oversized) {
        full = true;
        break;
      }
    }
    if (groups->size() < kReadChunk) break;
  }

  if (batch.event_count() == 0) return std::optional<UploadBatch>();
  batch.uncompressed_size = size.total();
  return std::optional<UploadBatch>(std::move(batch));
}

Result<std::optional<UploadBatch>> BatchPlanner::next() {
  auto batch = next_batch(store_, ctx_, max_bytes_, after_singular_, after_aggregate_, limit_);
  if (batch && batch->has_value()) {
    const UploadBatch& b = **batch;
    if (!b.singular_ids.empty()) after_singular_ = b.singular_ids.back();
    if (!b.aggregate_ids.empty()) after_aggregate_ = b.last_aggregate_group;
  }
  return batch;
}

Result<std::vector<UploadBatch>> plan_batches(Store& store, const BatchContext& ctx,
                                              size_t max_uncompressed_bytes) {
  BatchPlanner planner(store, ctx, max_uncompressed_bytes);
  std::vector<UploadBatch> out;
  for (;;) {
    auto batch = planner.next();
    if (!batch) return batch.error();
    if (!batch->has_value()) return out;
    out.push_back(std::move(**batch));
  }
}

std::pair<UploadBatch, UploadBatch> split_batch(UploadBatch batch) {
  UploadBatch first;
  UploadBatch second;
  for (UploadBatch* half : {&first, &second}) {
    half->request.image_id = batch.request.image_id;
    half->request.site_labels = batch.request.site_labels;
    half->request.boot_flags = batch.request.boot_flags;
  }
  const size_t singulars = batch.request.singulars.size();
  const size_t events = batch.request_event_count();
  const size_t half = events / 2;
  for (size_t i = 0; i < singulars; ++i) {
    UploadBatch& to = i < half ? first : second;
    to.request.singulars.push_back(std::move(batch.request.singulars[i]));
    to.singular_ids.push_back(batch.singular_ids[i]);
    to.stored_relative_ns.push_back(batch.stored_relative_ns[i]);
  }
  size_t row = 0;
  for (size_t i = 0; i < batch.request.aggregates.size(); ++i) {
    UploadBatch& to = singulars + i < half ? first : second;
    to.request.aggregates.push_back(std::move(batch.request.aggregates[i]));
    const size_t rows = batch.aggregate_rows[i];
    to.aggregate_ids.insert(to.aggregate_ids.end(), batch.aggregate_ids.begin() + row,
                            batch.aggregate_ids.begin() + row + rows);
    to.aggregate_rows.push_back(rows);
    row += rows;
  }
  for (UploadBatch* h : {&first, &second}) {
    h->uncompressed_size = request_serialized_size(h->request);
    h->last_aggregate_group = batch.last_aggregate_group;
  }
  return {std::move(first), std::move(second)};
}

void stamp(UploadBatch& batch, int64_t timeline_now_ns, int64_t wall_now_ns,
           int64_t granularity_ns) {
  const size_t n = std::min(batch.request.singulars.size(), batch.stored_relative_ns.size());
  if (granularity_ns <= 0) {
    batch.request.relative_ns = timeline_now_ns;
    batch.request.absolute_ns = wall_now_ns;
    for (size_t i = 0; i < n; ++i)
      batch.request.singulars[i].relative_ns =
          std::min(batch.stored_relative_ns[i], timeline_now_ns);
    return;
  }
  batch.request.relative_ns = wall_now_ns;
  batch.request.absolute_ns = wall_now_ns;
  for (size_t i = 0; i < n; ++i) {
    // Coarsened on the recorder's time-line, then shifted by its origin (wall - timeline)
    // into the re-based request, whose origin is 0.
    const int64_t on_timeline = coarsen_relative_ns(wall_now_ns, timeline_now_ns,
                                                    batch.stored_relative_ns[i], granularity_ns);
    batch.request.singulars[i].relative_ns = static_cast<int64_t>(
        std::clamp<__int128>(__int128{on_timeline} + wall_now_ns - timeline_now_ns,
                             std::numeric_limits<int64_t>::min(), wall_now_ns));
  }
}

}  // namespace metrics
