// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol-3 request bodies: (xxsa{ss}ya(aysxmv)a(ayssumv)), little-endian, normal form.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "glib_handles.hpp"
#include "result.hpp"
#include "uuid.hpp"

namespace metrics::wire {

struct SingularEvent {
  Uuid event_id;
  std::string os_version;
  int64_t relative_ns = 0;
  GVariantPtr payload;  // null: no payload (`nothing` on the wire)
};

struct AggregateEvent {
  Uuid event_id;
  std::string os_version;
  std::string period;  // YYYY-MM-DD (daily) or YYYY-MM (monthly)
  uint32_t count = 0;
  GVariantPtr payload;  // null: no payload
};

struct Request {
  int64_t relative_ns = 0;  // request relative timestamp (boot time-line)
  int64_t absolute_ns = 0;  // wall clock, ns since the epoch, same instant
  std::string image_id = "unknown";
  std::vector<std::pair<std::string, std::string>> site_labels;  // a{ss}, in this order
  uint8_t boot_flags = 0;                                        // bit 0 dual boot, bit 1 live boot
  std::vector<SingularEvent> singulars;
  std::vector<AggregateEvent> aggregates;
};

inline constexpr const char* kRequestType = "(xxsa{ss}ya(aysxmv)a(ayssumv))";

// The request as a GVariant (normal form).
GVariantPtr to_variant(const Request& request);
// The serialised, uncompressed body (what the SHA-512 in the URL covers), written
// directly (wire_encode.cpp).
GBytesPtr encode(const Request& request);
// The same bytes through GLib's own serialiser (to_variant): slower; what encode() is
// checked against.
GBytesPtr encode_with_gvariant(const Request& request);
// Parses an untrusted body; refuses anything of another type or not in normal form,
// and event ids that are not 16 bytes.
Result<Request> decode(std::span<const uint8_t> body);
Result<Request> from_variant(GVariant* request);

// Lower-case hex SHA-512 of `data`.
std::string sha512_hex(std::span<const uint8_t> data);

// Size in bytes one singular event adds to a serialised request (the element itself,
// without the array's framing offset).
size_t serialized_size(const SingularEvent& event);

}  // namespace metrics::wire
