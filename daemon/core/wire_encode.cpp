// SPDX-License-Identifier: GPL-2.0-or-later
// wire::encode(): the request body serialised directly, by GVariant's serialisation rules
// for this one type, instead of building a GVariant tree and asking GLib to serialise it
// (about 20 times faster: an upload encodes each request on the daemon's main loop).
// Byte-for-byte equal to GLib's normal form; test_wire.cpp checks that against
// encode_with_gvariant() on random requests and against the reference vectors.
#include <algorithm>
#include <cstring>

#include "wire.hpp"

namespace metrics::wire {

namespace {

// The serialised bytes being built. Offsets are relative to the start of the body, and
// every container here starts at an offset that is a multiple of its alignment, so
// aligning relative to the body start is the same as aligning within the container.
class Writer {
 public:
  explicit Writer(size_t reserve) { out_.reserve(reserve); }
  size_t size() const { return out_.size(); }
  void align(size_t alignment) {
    while (out_.size() % alignment != 0) out_.push_back(0);
  }
  void bytes(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + n);
  }
  void byte(uint8_t b) { out_.push_back(b); }
  void int64(int64_t v) {
    align(8);
    bytes(&v, sizeof v);  // little-endian hosts only: encode() checks
  }
  void uint32(uint32_t v) {
    align(4);
    bytes(&v, sizeof v);
  }
  void string(const std::string& s) {
    bytes(s.c_str(), std::strlen(s.c_str()));  // as GLib takes it: up to the first NUL
    byte(0);
  }
  // `mv` holding a variable-size `v`: nothing is empty; just(v) is v's bytes, then 0.
  // A tuple pads before each member by its alignment (8 here), even an empty one.
  void maybe_variant(GVariant* value) {
    align(8);
    if (value == nullptr) return;
    GVariantPtr normal;
    if (!g_variant_is_normal_form(value)) {
      normal.reset(g_variant_get_normal_form(value));
      value = normal.get();
    }
    const size_t size = g_variant_get_size(value);
    if (size > 0) bytes(g_variant_get_data(value), size);
    byte(0);  // the `v`'s separator before its type string
    const char* type = g_variant_get_type_string(value);
    bytes(type, std::strlen(type));
    byte(0);  // the maybe's "just" marker for a variable-size child
  }
  // Framing offsets of a container that started at `start`: each value is an end
  // offset relative to `start`, written with the smallest width that can address the
  // whole container (body plus the offsets themselves).
  void framing(size_t start, const std::vector<size_t>& ends, bool reversed) {
    if (ends.empty()) return;
    const size_t body = out_.size() - start;
    size_t width = 1;
    while (width < 8) {
      const size_t total = body + ends.size() * width;
      if (total <= (width == 1 ? 0xffu : width == 2 ? 0xffffu : 0xffffffffu)) break;
      width *= 2;
    }
    auto put = [&](size_t offset) {
      const uint64_t v = offset - start;
      bytes(&v, width);  // the low bytes, little-endian
    };
    if (reversed) {
      std::for_each(ends.rbegin(), ends.rend(), put);
    } else {
      for (size_t end : ends) put(end);
    }
  }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

// (ay s x mv): ay and s are variable and not last, so their ends are framed.
void singular(Writer& w, const SingularEvent& e) {
  w.align(8);
  const size_t start = w.size();
  std::vector<size_t> ends;
  w.bytes(e.event_id.bytes.data(), e.event_id.bytes.size());
  ends.push_back(w.size());
  w.string(e.os_version);
  ends.push_back(w.size());
  w.int64(e.relative_ns);
  w.maybe_variant(e.payload.get());
  w.framing(start, ends, true);
}

// (ay s s u mv)
void aggregate(Writer& w, const AggregateEvent& e) {
  w.align(8);
  const size_t start = w.size();
  std::vector<size_t> ends;
  w.bytes(e.event_id.bytes.data(), e.event_id.bytes.size());
  ends.push_back(w.size());
  w.string(e.os_version);
  ends.push_back(w.size());
  w.string(e.period);
  ends.push_back(w.size());
  w.uint32(e.count);
  w.maybe_variant(e.payload.get());
  w.framing(start, ends, true);
}

// An array of variable-size elements: the elements, then each one's end offset in order.
template <typename T, typename F>
void array(Writer& w, const std::vector<T>& elements, size_t alignment, F element) {
  w.align(alignment);
  const size_t start = w.size();
  std::vector<size_t> ends;
  ends.reserve(elements.size());
  for (const T& e : elements) {
    element(w, e);
    ends.push_back(w.size());
  }
  w.framing(start, ends, false);
}

}  // namespace

GBytesPtr encode(const Request& request) {
  if constexpr (G_BYTE_ORDER == G_BIG_ENDIAN) return encode_with_gvariant(request);
  Writer w(64 + request.singulars.size() * 96 + request.aggregates.size() * 96);
  std::vector<size_t> ends;  // the top tuple's framed members: s, a{ss}, a(aysxmv)
  w.int64(request.relative_ns);
  w.int64(request.absolute_ns);
  w.string(request.image_id);
  ends.push_back(w.size());
  array(w, request.site_labels, 1, [](Writer& out, const std::pair<std::string, std::string>& kv) {
    const size_t start = out.size();
    out.string(kv.first);
    const size_t key_end = out.size();
    out.string(kv.second);
    out.framing(start, {key_end}, true);
  });
  ends.push_back(w.size());
  w.byte(request.boot_flags);
  array(w, request.singulars, 8, singular);
  ends.push_back(w.size());
  array(w, request.aggregates, 8, aggregate);
  w.framing(0, ends, true);
  // The GBytes takes the buffer over (no copy of up to 1 MiB): the free function re-adopts it.
  auto body = std::make_unique<std::vector<uint8_t>>(w.take());
  const void* data = body->data();
  const size_t size = body->size();
  return GBytesPtr(g_bytes_new_with_free_func(
      data, size,
      [](gpointer owned) {
        std::unique_ptr<std::vector<uint8_t>>(static_cast<std::vector<uint8_t>*>(owned));
      },
      body.release()));
}

}  // namespace metrics::wire
