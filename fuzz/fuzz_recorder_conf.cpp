// SPDX-License-Identifier: GPL-2.0-or-later
// recorder.conf (our own settings, group [Recorder]): any bytes are read or refused, never
// crashed on, and the transport settings it gives can be handed to the upload helper.
#include <cstdint>

#include "fatal_criticals.hpp"
#include "memfd_file.hpp"
#include "settings.hpp"
#include "upload_helper_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static metrics::fuzz::MemoryFile file;
  const auto& path = file.hold(data, size);
  const metrics::config::RecorderSettings settings = metrics::config::read_recorder_settings(path);
  // What it gives the upload helper travels as GVariant strings (valid UTF-8 or a critical).
  metrics::upload::TransportSettings transport;
  transport.proxy_url = settings.proxy_url;
  transport.trust_file = settings.trust_file;
  transport.timeout_seconds = settings.upload_request_timeout_seconds;
  (void)metrics::upload_helper::settings_frame(transport);
  return 0;
}
