// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol-3 request bodies (daemon/core/wire*.cpp), as the test collector and the
// upload-batch tests decode them: any bytes are decoded or refused, and what decodes is
// encoded again, by both encoders, to exactly the same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "fatal_criticals.hpp"
#include "wire.hpp"

using namespace metrics;

namespace {

bool same_bytes(GBytes* bytes, const uint8_t* data, size_t size) {
  gsize n = 0;
  const void* p = g_bytes_get_data(bytes, &n);
  return n == size && (size == 0 || std::memcmp(p, data, size) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto request = wire::decode(std::span<const uint8_t>(data, size));
  if (!request) return 0;
  GBytesPtr direct = wire::encode(*request);
  GBytesPtr through_glib = wire::encode_with_gvariant(*request);
  if (!same_bytes(direct.get(), data, size)) std::abort();
  if (!same_bytes(through_glib.get(), data, size)) std::abort();
  for (const wire::SingularEvent& event : request->singulars) (void)wire::serialized_size(event);
  (void)wire::sha512_hex(std::span<const uint8_t>(data, size));
  return 0;
}
