// SPDX-License-Identifier: GPL-2.0-or-later
// The frames the recorder and its upload helper exchange (upload_helper_protocol.cpp):
// any byte stream, cut anywhere, is framed or refused; every frame is parsed or refused by
// each reader; what parses is written again to the same value.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "fatal_criticals.hpp"
#include "upload_helper_protocol.hpp"

using namespace metrics;
using namespace metrics::upload_helper;

namespace {

// The value part of a frame written by *_frame() equals the frame's payload.
void same_value(const std::vector<uint8_t>& written, const Frame& frame) {
  constexpr size_t kHeader = 8;
  gsize n = 0;
  const void* p = g_bytes_get_data(frame.payload.get(), &n);
  if (written.size() != kHeader + n) std::abort();
  if (n != 0 && std::memcmp(written.data() + kHeader, p, n) != 0) std::abort();
  if (static_cast<char>(written[4]) != static_cast<char>(frame.kind)) std::abort();
}

void check(const Frame& frame) {
  if (auto settings = parse_settings(frame)) same_value(settings_frame(*settings), frame);
  if (auto put = parse_put(frame)) {
    gsize n = 0;
    const auto* body = static_cast<const uint8_t*>(g_bytes_get_data(put->body.get(), &n));
    same_value(put_frame(put->url, std::span<const uint8_t>(body, n)), frame);
  }
  if (auto answer = parse_answer(frame)) same_value(answer_frame(*answer), frame);
  (void)parse_setup_failed(frame);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte says where the stream is cut: pipes deliver frames in any pieces.
  const size_t cut = data[0] % size;
  const std::span<const uint8_t> stream(data + 1, size - 1);
  FrameReader reader;
  bool failed = false;
  auto drain = [&] {
    while (!failed) {
      auto next = reader.next();
      if (!next) {
        failed = true;  // the recorder ends the helper at the first bad frame
        return;
      }
      if (!*next) return;
      check(**next);
    }
  };
  reader.feed(stream.first(std::min(cut, stream.size())));
  drain();
  if (!failed) {
    reader.feed(stream.subspan(std::min(cut, stream.size())));
    drain();
  }
  (void)reader.partial();
  return 0;
}
