// SPDX-License-Identifier: GPL-2.0-or-later
// Hands the heap a burst of calls grew back to the system once the burst is over. glibc
// keeps freed memory for reuse: without this, a flood of calls (or one large listing)
// leaves the daemon at its peak until it exits.
#pragma once

#include <glib.h>

#include <cstddef>

namespace metrics::bus {

class HeapTrim {
 public:
  // `threshold` units of work arm it; it trims after `quiet_seconds` without more.
  HeapTrim(size_t threshold, unsigned quiet_seconds);
  ~HeapTrim();
  HeapTrim(const HeapTrim&) = delete;
  HeapTrim& operator=(const HeapTrim&) = delete;

  // Called after work that may have grown the heap (a batch of calls, a listing).
  void note(size_t units);

 private:
  static gboolean on_quiet(gpointer self);

  size_t threshold_;
  unsigned quiet_seconds_;
  size_t since_trim_ = 0;
  bool worked_since_armed_ = false;
  guint source_ = 0;
};

}  // namespace metrics::bus
