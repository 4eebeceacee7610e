// SPDX-License-Identifier: GPL-2.0-or-later
#include "store_files.hpp"

#include <fcntl.h>
#include <glib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "store_fault.hpp"
#include "unique_fd.hpp"

namespace metrics {

namespace fs = std::filesystem;

namespace {

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

bool can(const fs::path& p, int mode) {
  return ::faccessat(AT_FDCWD, p.c_str(), mode, AT_EACCESS) == 0;
}

std::string uid_text() {
  return "uid " + std::to_string(::geteuid());
}

Error failure(const std::string& message) {
  return {ErrorCode::kStorageFailure, message};
}

}  // namespace

Result<void> copy_file_synced(const fs::path& from, const fs::path& to) {
  const UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return failure("cannot read " + from.string() + ": " + g_strerror(errno));
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out) return failure("cannot create " + to.string() + ": " + g_strerror(errno));
  char buf[65536];
  int error = 0;
  for (;;) {
    const ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.get(), buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        error = errno;
        break;
      }
      done += w;
    }
    if (error) break;
  }
  if (!error && ::fsync(out.get()) != 0) error = errno;
  // Closed before a failed copy is removed (close errors of a synced file say nothing).
  out.reset();
  if (error) {
    std::error_code ec;
    fs::remove(to, ec);  // our own partial copy; the original is untouched
    return failure("cannot copy " + from.string() + " to " + to.string() + ": " +
                   g_strerror(error));
  }
  return Ok();
}

void sync_directory(const fs::path& dir) {
  const UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) (void)::fsync(fd.get());
}

Result<std::vector<std::string>> prepare_store_files(const StoreFiles& files) {
  std::vector<std::string> repairs;
  if (!can(files.dir, W_OK | X_OK))
    return failure("the state directory " + files.dir.string() + " is not writable by " +
                   uid_text() + ", which the recorder runs as (" + describe_owner(files.dir) +
                   "); make it owned by that user (e.g. chown -R " + std::to_string(::geteuid()) +
                   " " + files.dir.string() + ")");
  if (present(files.db()) && !can(files.db(), R_OK | W_OK))
    return failure(files.db().string() + " is not readable and writable by " + uid_text() +
                   ", which the recorder runs as (" + describe_owner(files.db()) +
                   "); make it owned by that user (e.g. chown " + std::to_string(::geteuid()) +
                   " " + files.db().string() + ")");
  if (present(files.shm()) && !can(files.shm(), R_OK | W_OK)) {
    // The -shm is an index SQLite rebuilds from the WAL; it holds no data of its own.
    const std::string owner = describe_owner(files.shm());
    std::error_code ec;
    fs::remove(files.shm(), ec);
    if (ec)
      return failure(files.shm().string() + " is not writable by " + uid_text() + " (" + owner +
                     ") and cannot be removed: " + ec.message() + "; remove it");
    repairs.push_back("removed the stale " + files.shm().string() + " (" + owner +
                      ", not writable by " + uid_text() + "); SQLite rebuilds it");
  }
  if (present(files.wal()) && !can(files.wal(), R_OK | W_OK)) {
    // It may hold committed events: replaced by a writable copy, never removed.
    const std::string owner = describe_owner(files.wal());
    if (!can(files.wal(), R_OK))
      return failure(files.wal().string() + " is not readable by " + uid_text() +
                     ", which the recorder runs as (" + owner +
                     "); it may hold recorded events: make it owned by that user (e.g. chown " +
                     std::to_string(::geteuid()) + " " + files.wal().string() + ")");
    const fs::path copy = files.dir / ("metrics.db-wal.copy-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove(copy, ec);  // a left-over of ours from an interrupted attempt
    if (auto r = copy_file_synced(files.wal(), copy); !r) return r.error();
    fs::rename(copy, files.wal(), ec);
    if (ec) {
      fs::remove(copy, ec);
      return failure("cannot replace " + files.wal().string() + " (" + owner + ") with a copy " +
                     uid_text() + " can write: " + ec.message());
    }
    sync_directory(files.dir);
    repairs.push_back("replaced " + files.wal().string() + " (" + owner + ", not writable by " +
                      uid_text() + ") with a copy of its own; nothing of it was lost");
  }
  return repairs;
}

fs::path set_aside_name(const StoreFiles& files, int64_t now_s) {
  const std::string base = files.dir / (kSetAsidePrefix + std::to_string(now_s));
  for (int n = 0;; ++n) {
    fs::path candidate = n == 0 ? fs::path(base) : fs::path(base + "-" + std::to_string(n));
    if (!present(candidate) && !present(candidate.string() + "-wal")) return candidate;
  }
}

Result<void> set_aside_store(const StoreFiles& files, const fs::path& aside) {
  const fs::path aside_wal = aside.string() + "-wal";
  std::error_code ec;
  const bool has_wal = present(files.wal());
  if (has_wal) {
    fs::rename(files.wal(), aside_wal, ec);
    if (ec)
      return failure("cannot move " + files.wal().string() + " aside to " + aside_wal.string() +
                     ": " + ec.message());
  }
  if (present(files.db())) {
    fs::rename(files.db(), aside, ec);
    if (ec) {
      const std::string why = ec.message();
      if (has_wal) fs::rename(aside_wal, files.wal(), ec);
      return failure("cannot move " + files.db().string() + " aside to " + aside.string() + ": " +
                     why);
    }
  }
  // Index of the old WAL only; a new database must not find it.
  fs::remove(files.shm(), ec);
  sync_directory(files.dir);
  return Ok();
}

}  // namespace metrics
