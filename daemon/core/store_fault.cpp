// SPDX-License-Identifier: GPL-2.0-or-later
#include "store_fault.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>

namespace metrics {

bool is_corruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

std::string describe_owner(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "missing";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "owned by uid " + std::to_string(st.st_uid) + ", mode " + mode;
}

std::string describe_storage_fault(int rc, const std::string& message,
                                   const std::filesystem::path& db) {
  const std::string dir = db.parent_path().string();
  const std::string uid = std::to_string(::geteuid());
  std::string what = message + " (" + db.string() + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return what +
             ": another process holds a lock on the store; end its transaction (or stop it, "
             "e.g. a sqlite3 shell) and the recorder opens the store again by itself";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return what + ": the recorder runs as uid " + uid + "; " + dir +
             " and the files metrics.db* in it must be readable and writable by that user (" +
             "metrics.db " + describe_owner(db) + "; e.g. chown -R " + uid + " " + dir + ")";
    case SQLITE_FULL:
      return what + ": the file system holding " + dir + " is full; free some space there";
    case SQLITE_IOERR: {
      struct statvfs vfs {};
      if (::statvfs(dir.c_str(), &vfs) == 0 && vfs.f_bavail == 0)
        return what + ": the file system holding " + dir + " is full; free some space there";
      return what + ": an I/O error; check the disk and the file system (e.g. dmesg)";
    }
    default:
      return what;
  }
}

}  // namespace metrics
