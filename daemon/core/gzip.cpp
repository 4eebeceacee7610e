// SPDX-License-Identifier: GPL-2.0-or-later
#include "gzip.hpp"

#include <gio/gio.h>

#include <array>
#include <string>

#include "glib_handles.hpp"

namespace metrics {

namespace {

using GConverterPtr = GObjectPtr<GConverter>;

// Feeds all of `data` through `converter` (input at end), appending to `out`. Stops at
// the end of a gzip member; returns how much input that member used.
struct ConvertStep {
  size_t consumed = 0;
  bool finished = false;
};

Result<ConvertStep> convert_member(GConverter* converter, std::span<const uint8_t> data,
                                   std::vector<uint8_t>& out, size_t limit) {
  std::array<uint8_t, size_t{64} * 1024> buffer{};
  ConvertStep step;
  while (true) {
    gsize read = 0;
    gsize written = 0;
    GErrorOut error;
    GConverterResult result = g_converter_convert(
        converter, data.data() + step.consumed, data.size() - step.consumed, buffer.data(),
        buffer.size(), G_CONVERTER_INPUT_AT_END, &read, &written, error.out());
    if (result == G_CONVERTER_ERROR)
      return Error{ErrorCode::kBadGzip, "not valid gzip data: " + error.message()};
    step.consumed += read;
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(written));
    if (out.size() > limit)
      return Error{ErrorCode::kTooLarge,
                   "more than " + std::to_string(limit) + " bytes uncompressed"};
    if (result == G_CONVERTER_FINISHED) {
      step.finished = true;
      return step;
    }
    if (read == 0 && written == 0) return Error{ErrorCode::kBadGzip, "gzip data ends early"};
  }
}

}  // namespace

Result<std::vector<uint8_t>> gzip_compress(std::span<const uint8_t> data, int level) {
  GConverterPtr compressor(
      G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, level)));
  std::vector<uint8_t> out;
  out.reserve(data.size() / 8 + 64);
  auto step = convert_member(compressor.get(), data, out, SIZE_MAX);
  if (!step)
    return Error{ErrorCode::kCompressionFailed, "cannot gzip the upload: " + step.error().message};
  return out;
}

Result<std::vector<uint8_t>> gunzip(std::span<const uint8_t> data, size_t limit) {
  GConverterPtr decompressor(G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP)));
  std::vector<uint8_t> out;
  size_t pos = 0;
  while (true) {
    auto step = convert_member(decompressor.get(), data.subspan(pos), out, limit);
    if (!step) return step.error();
    pos += step->consumed;
    if (pos == data.size()) return out;
    // Another gzip member follows (gzip readers concatenate members).
    g_converter_reset(decompressor.get());
  }
}

}  // namespace metrics
