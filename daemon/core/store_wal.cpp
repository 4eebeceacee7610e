// SPDX-License-Identifier: GPL-2.0-or-later
#include "store_wal.hpp"

#include <fcntl.h>
#include <glib.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "unique_fd.hpp"

namespace metrics {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kMagicLittleEndian = 0x377f0682;
constexpr uint32_t kMagicBigEndian = 0x377f0683;
constexpr uint32_t kWalVersion = 3007000;
constexpr size_t kWalHeaderSize = 32;
constexpr size_t kFrameHeaderSize = 24;
constexpr uint32_t kAssumedPageSize = 4096;  // the store's, for estimates

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// The WAL's running checksum over 8-byte pairs of words, in the byte order the magic names.
void checksum(const uint8_t* data, size_t n, bool big_endian, uint32_t& s0, uint32_t& s1) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint32_t x0, x1;
    if (big_endian) {
      x0 = read_be32(data + i);
      x1 = read_be32(data + i + 4);
    } else {
      std::memcpy(&x0, data + i, 4);
      std::memcpy(&x1, data + i + 4, 4);
      if constexpr (std::endian::native == std::endian::big) {
        x0 = __builtin_bswap32(x0);
        x1 = __builtin_bswap32(x1);
      }
    }
    s0 += x0 + s1;
    s1 += x1 + s0;
  }
}

bool valid_page_size(uint32_t n) {
  return n >= 512 && n <= 65536 && (n & (n - 1)) == 0;
}

bool read_at(int fd, uint8_t* buf, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// Walks the frames; calls on_frame(page_number, offset of the page data) for each valid
// frame up to and including the last valid commit frame.
template <typename OnCommittedFrame>
WalInspection walk(int fd, uint64_t size, OnCommittedFrame&& on_frame) {
  WalInspection w;
  w.exists = true;
  w.size = size;
  std::array<uint8_t, kWalHeaderSize> header{};
  if (size < kWalHeaderSize || !read_at(fd, header.data(), header.size(), 0)) {
    w.frames = 0;
    return w;
  }
  const uint32_t magic = read_be32(header.data());
  const bool big_endian = magic == kMagicBigEndian;
  const uint32_t page_size = read_be32(header.data() + 8);
  uint32_t s0 = 0, s1 = 0;
  const bool magic_ok = magic == kMagicLittleEndian || magic == kMagicBigEndian;
  if (magic_ok) checksum(header.data(), 24, big_endian, s0, s1);
  w.header_valid = magic_ok && read_be32(header.data() + 4) == kWalVersion &&
                   valid_page_size(page_size) && s0 == read_be32(header.data() + 24) &&
                   s1 == read_be32(header.data() + 28);
  const uint32_t assumed = w.header_valid ? page_size : kAssumedPageSize;
  const uint64_t frame_size = kFrameHeaderSize + assumed;
  w.frames = (size - kWalHeaderSize) / frame_size;
  if (!w.header_valid) return w;
  w.page_size = page_size;
  const uint32_t salt1 = read_be32(header.data() + 16);
  const uint32_t salt2 = read_be32(header.data() + 20);

  std::vector<uint8_t> frame(frame_size);
  std::vector<std::pair<uint32_t, uint64_t>> pending;  // frames of an open transaction
  bool broken = false;
  for (uint64_t i = 0; i < w.frames; ++i) {
    const uint64_t offset = kWalHeaderSize + i * frame_size;
    if (!read_at(fd, frame.data(), frame.size(), offset)) break;
    const bool same_generation =
        read_be32(frame.data() + 8) == salt1 && read_be32(frame.data() + 12) == salt2;
    if (broken) {
      if (same_generation) ++w.damaged_frames;
      continue;
    }
    uint32_t f0 = s0, f1 = s1;
    checksum(frame.data(), 8, big_endian, f0, f1);
    checksum(frame.data() + kFrameHeaderSize, assumed, big_endian, f0, f1);
    const uint32_t page = read_be32(frame.data());
    if (!same_generation || page == 0 || f0 != read_be32(frame.data() + 16) ||
        f1 != read_be32(frame.data() + 20)) {
      broken = true;
      if (same_generation) ++w.damaged_frames;
      continue;
    }
    s0 = f0;
    s1 = f1;
    pending.emplace_back(page, offset + kFrameHeaderSize);
    const uint32_t commit_pages = read_be32(frame.data() + 4);
    if (commit_pages != 0) {
      for (const auto& [p, at] : pending) on_frame(p, at);
      w.valid_frames = i + 1;
      w.last_commit_pages = commit_pages;
      pending.clear();
    }
  }
  w.uncommitted_frames = pending.size();
  return w;
}

}  // namespace

std::string WalInspection::describe() const {
  std::string text = "WAL of " + std::to_string(size) + " bytes (";
  if (!header_valid)
    return text + "garbled header: about " + std::to_string(frames) +
           " frames, none of which apply)";
  return text + std::to_string(frames) + " frames: " + std::to_string(valid_frames) + " apply, " +
         std::to_string(damaged_frames) + " damaged, " + std::to_string(uncommitted_frames) +
         " of a transaction that never committed)";
}

WalInspection inspect_wal(const fs::path& wal) {
  UniqueFd fd(::open(wal.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return {};
  const off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0) {
    WalInspection w;
    w.exists = true;
    return w;
  }
  return walk(fd.get(), static_cast<uint64_t>(size), [](uint32_t, uint64_t) {});
}

Result<uint64_t> rebuild_database_from_wal(const fs::path& wal, const fs::path& out) {
  UniqueFd in(::open(wal.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0)
    return Error{ErrorCode::kStorageFailure,
                 "cannot read " + wal.string() + ": " + g_strerror(errno)};
  const off_t size = ::lseek(in.get(), 0, SEEK_END);
  std::map<uint32_t, uint64_t> newest;  // page -> offset of its newest committed image
  const WalInspection w = walk(in.get(), size > 0 ? static_cast<uint64_t>(size) : 0,
                               [&](uint32_t page, uint64_t at) { newest[page] = at; });
  if (!w.header_valid || w.valid_frames == 0)
    return Error{ErrorCode::kStorageFailure, wal.string() + " holds no committed frame"};
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return Error{ErrorCode::kStorageFailure,
                 "cannot create " + out.string() + ": " + g_strerror(errno)};
  std::vector<uint8_t> page(w.page_size);
  uint64_t written = 0;
  for (const auto& [number, at] : newest) {
    if (number > w.last_commit_pages) continue;  // truncated away by the last commit
    if (!read_at(in.get(), page.data(), page.size(), at) ||
        ::pwrite(fd.get(), page.data(), page.size(),
                 static_cast<off_t>(uint64_t{number - 1} * w.page_size)) !=
            static_cast<ssize_t>(page.size()))
      return Error{ErrorCode::kStorageFailure,
                   "cannot rebuild " + out.string() + ": " + g_strerror(errno)};
    ++written;
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(w.last_commit_pages * w.page_size)) != 0 ||
      ::fsync(fd.get()) != 0)
    return Error{ErrorCode::kStorageFailure,
                 "cannot write " + out.string() + ": " + g_strerror(errno)};
  return written;
}

}  // namespace metrics
