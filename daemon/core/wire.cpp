// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

namespace metrics::wire {

namespace {

constexpr const char* kSingularType = "(aysxmv)";
constexpr const char* kAggregateType = "(ayssumv)";

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidRequest, std::move(message)};
}

GVariantPtr uuid_to_variant(const Uuid& id) {
  return adopt_variant(
      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, id.bytes.data(), id.bytes.size(), 1));
}

GVariantPtr string_to_variant(const std::string& s) {
  return adopt_variant(g_variant_new_string(s.c_str()));
}

// `mv`: the payload boxed in a variant, or `nothing`.
GVariantPtr payload_to_variant(const GVariantPtr& payload) {
  GVariantPtr boxed;
  if (payload) boxed = adopt_variant(g_variant_new_variant(payload.get()));
  return adopt_variant(g_variant_new_maybe(G_VARIANT_TYPE_VARIANT, boxed.get()));
}

// Children are held by GVariantPtr; g_variant_new_tuple/array take their own references,
// so every temporary is released by its owner whatever happens.
GVariantPtr make_tuple(std::initializer_list<const GVariantPtr*> children) {
  std::vector<GVariant*> raw;
  raw.reserve(children.size());
  for (const GVariantPtr* child : children) raw.push_back(child->get());
  return adopt_variant(g_variant_new_tuple(raw.data(), raw.size()));
}

GVariantPtr make_array(const char* element_type, const std::vector<GVariantPtr>& children) {
  std::vector<GVariant*> raw;
  raw.reserve(children.size());
  for (const GVariantPtr& child : children) raw.push_back(child.get());
  // The explicit element type is needed so that empty arrays are typed.
  return adopt_variant(g_variant_new_array(G_VARIANT_TYPE(element_type), raw.data(), raw.size()));
}

GVariantPtr singular_to_variant(const SingularEvent& event) {
  GVariantPtr id = uuid_to_variant(event.event_id);
  GVariantPtr os = string_to_variant(event.os_version);
  GVariantPtr rel = adopt_variant(g_variant_new_int64(event.relative_ns));
  GVariantPtr payload = payload_to_variant(event.payload);
  return make_tuple({&id, &os, &rel, &payload});
}

GVariantPtr aggregate_to_variant(const AggregateEvent& event) {
  GVariantPtr id = uuid_to_variant(event.event_id);
  GVariantPtr os = string_to_variant(event.os_version);
  GVariantPtr period = string_to_variant(event.period);
  GVariantPtr count = adopt_variant(g_variant_new_uint32(event.count));
  GVariantPtr payload = payload_to_variant(event.payload);
  return make_tuple({&id, &os, &period, &count, &payload});
}

GVariantPtr child(GVariant* container, size_t index) {
  return GVariantPtr(g_variant_get_child_value(container, index));
}

std::string child_string(GVariant* container, size_t index) {
  GVariantPtr v = child(container, index);
  return g_variant_get_string(v.get(), nullptr);
}

Result<Uuid> child_uuid(GVariant* event, const char* kind, size_t index) {
  GVariantPtr v = child(event, 0);
  gsize n = 0;
  const auto* data = static_cast<const uint8_t*>(g_variant_get_fixed_array(v.get(), &n, 1));
  auto id = Uuid::from_bytes(std::span<const uint8_t>(data, n));
  if (!id) {
    return invalid(std::string(kind) + " event " + std::to_string(index) + " has a " +
                   std::to_string(n) + "-byte event id; event ids must be 16-byte UUIDs");
  }
  return *id;
}

// Unboxes `mv`: null for `nothing`, else the value inside the variant.
GVariantPtr child_payload(GVariant* event, size_t index) {
  GVariantPtr maybe = child(event, index);
  GVariantPtr boxed(g_variant_get_maybe(maybe.get()));
  if (!boxed) return nullptr;
  return GVariantPtr(g_variant_get_variant(boxed.get()));
}

}  // namespace

GVariantPtr to_variant(const Request& request) {
  GVariantPtr rel = adopt_variant(g_variant_new_int64(request.relative_ns));
  GVariantPtr abs = adopt_variant(g_variant_new_int64(request.absolute_ns));
  GVariantPtr image = string_to_variant(request.image_id);

  std::vector<GVariantPtr> labels;
  labels.reserve(request.site_labels.size());
  for (const auto& [key, value] : request.site_labels) {
    GVariantPtr k = string_to_variant(key);
    GVariantPtr v = string_to_variant(value);
    labels.push_back(adopt_variant(g_variant_new_dict_entry(k.get(), v.get())));
  }
  GVariantPtr label_dict = make_array("{ss}", labels);

  GVariantPtr flags = adopt_variant(g_variant_new_byte(request.boot_flags));

  std::vector<GVariantPtr> singulars;
  singulars.reserve(request.singulars.size());
  for (const SingularEvent& e : request.singulars) singulars.push_back(singular_to_variant(e));
  GVariantPtr singular_array = make_array(kSingularType, singulars);

  std::vector<GVariantPtr> aggregates;
  aggregates.reserve(request.aggregates.size());
  for (const AggregateEvent& e : request.aggregates) aggregates.push_back(aggregate_to_variant(e));
  GVariantPtr aggregate_array = make_array(kAggregateType, aggregates);

  return make_tuple({&rel, &abs, &image, &label_dict, &flags, &singular_array, &aggregate_array});
}

GBytesPtr encode_with_gvariant(const Request& request) {
  GVariantPtr v = to_variant(request);
  // The wire is little-endian whatever the host is.
  if constexpr (G_BYTE_ORDER == G_BIG_ENDIAN) v = GVariantPtr(g_variant_byteswap(v.get()));
  return GBytesPtr(g_variant_get_data_as_bytes(v.get()));
}

Result<Request> decode(std::span<const uint8_t> body) {
  if (body.empty()) return invalid("request body is empty");
  GBytesPtr bytes(g_bytes_new(body.data(), body.size()));
  GVariantPtr v =
      adopt_variant(g_variant_new_from_bytes(G_VARIANT_TYPE(kRequestType), bytes.get(), FALSE));
  // Checked before anything is read: GLib would otherwise silently substitute default
  // values for malformed parts.
  if (!g_variant_is_normal_form(v.get())) {
    return invalid("request body (" + std::to_string(body.size()) +
                   " bytes) is not a normal-form little-endian serialisation of " +
                   std::string(kRequestType) + "; it is truncated, corrupt or of another type");
  }
  if constexpr (G_BYTE_ORDER == G_BIG_ENDIAN) v = GVariantPtr(g_variant_byteswap(v.get()));
  return from_variant(v.get());
}

Result<Request> from_variant(GVariant* request) {
  if (!request) return invalid("no request value");
  if (!g_variant_is_of_type(request, G_VARIANT_TYPE(kRequestType))) {
    return invalid(std::string("request has type ") + g_variant_get_type_string(request) +
                   ", expected " + kRequestType);
  }

  Request out;
  {
    GVariantPtr v = child(request, 0);
    out.relative_ns = g_variant_get_int64(v.get());
  }
  {
    GVariantPtr v = child(request, 1);
    out.absolute_ns = g_variant_get_int64(v.get());
  }
  out.image_id = child_string(request, 2);

  GVariantPtr labels = child(request, 3);
  const size_t n_labels = g_variant_n_children(labels.get());
  out.site_labels.reserve(n_labels);
  for (size_t i = 0; i < n_labels; ++i) {
    GVariantPtr entry = child(labels.get(), i);
    out.site_labels.emplace_back(child_string(entry.get(), 0), child_string(entry.get(), 1));
  }

  {
    GVariantPtr v = child(request, 4);
    out.boot_flags = g_variant_get_byte(v.get());
  }

  GVariantPtr singulars = child(request, 5);
  const size_t n_singulars = g_variant_n_children(singulars.get());
  out.singulars.reserve(n_singulars);
  for (size_t i = 0; i < n_singulars; ++i) {
    GVariantPtr event = child(singulars.get(), i);
    auto id = child_uuid(event.get(), "singular", i);
    if (!id) return id.error();
    SingularEvent e;
    e.event_id = *id;
    e.os_version = child_string(event.get(), 1);
    GVariantPtr rel = child(event.get(), 2);
    e.relative_ns = g_variant_get_int64(rel.get());
    e.payload = child_payload(event.get(), 3);
    out.singulars.push_back(std::move(e));
  }

  GVariantPtr aggregates = child(request, 6);
  const size_t n_aggregates = g_variant_n_children(aggregates.get());
  out.aggregates.reserve(n_aggregates);
  for (size_t i = 0; i < n_aggregates; ++i) {
    GVariantPtr event = child(aggregates.get(), i);
    auto id = child_uuid(event.get(), "aggregate", i);
    if (!id) return id.error();
    AggregateEvent e;
    e.event_id = *id;
    e.os_version = child_string(event.get(), 1);
    e.period = child_string(event.get(), 2);
    GVariantPtr count = child(event.get(), 3);
    e.count = g_variant_get_uint32(count.get());
    e.payload = child_payload(event.get(), 4);
    out.aggregates.push_back(std::move(e));
  }
  return out;
}

std::string sha512_hex(std::span<const uint8_t> data) {
  GChecksumPtr sum(g_checksum_new(G_CHECKSUM_SHA512));
  // GChecksum takes a gssize; feed large inputs in pieces rather than truncate the length.
  constexpr size_t kChunk = size_t{1} << 30;
  for (size_t off = 0; off < data.size(); off += kChunk) {
    const size_t len = std::min(kChunk, data.size() - off);
    g_checksum_update(sum.get(), data.data() + off, static_cast<gssize>(len));
  }
  return g_checksum_get_string(sum.get());
}

size_t serialized_size(const SingularEvent& event) {
  GVariantPtr v = singular_to_variant(event);
  return g_variant_get_size(v.get());
}

}  // namespace metrics::wire
