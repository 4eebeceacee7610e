// SPDX-License-Identifier: GPL-2.0-or-later
// The permissions file (consent, environment, server URL): any bytes are read or refused,
// never crashed on, and a server URL it gives can be handed to the upload helper.
#include <cstdint>

#include "fatal_criticals.hpp"
#include "memfd_file.hpp"
#include "settings.hpp"
#include "upload_helper_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static metrics::fuzz::MemoryFile file;
  const auto& path = file.hold(data, size);
  auto permissions = metrics::config::read_permissions(path, "https://example.com/${environment}/");
  if (!permissions) return 0;
  // A URL the recorder accepts goes into the put frame for the upload helper (a GVariant
  // string: valid UTF-8 or a critical).
  auto base = metrics::config::resolve_server_url(*permissions);
  if (base)
    (void)metrics::upload_helper::put_frame(
        metrics::config::upload_url(*base, std::string(128, 'a')), {});
  return 0;
}
