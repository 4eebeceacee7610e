// SPDX-License-Identifier: GPL-2.0-or-later
// gzip for upload bodies (the server reads X-Endless-Content-Encoding: gzip), through
// GIO's zlib converters so no other compression library is needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "result.hpp"

namespace metrics {

// One gzip member holding `data`. `level` 1..9 (zlib's levels; -1 = zlib's default).
// The header carries no file name and no time stamp, so equal input gives equal output.
Result<std::vector<uint8_t>> gzip_compress(std::span<const uint8_t> data, int level = 9);

// The concatenated content of every gzip member in `data`. Errors: "BadGzip" (not gzip,
// or cut short), "TooLarge" (more than `limit` bytes uncompressed).
Result<std::vector<uint8_t>> gunzip(std::span<const uint8_t> data, size_t limit);

}  // namespace metrics
