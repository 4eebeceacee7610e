// SPDX-License-Identifier: GPL-2.0-or-later
#include "boot_anchor.hpp"

#include <algorithm>

namespace metrics {

BootAnchor next_boot_anchor(const std::optional<BootAnchor>& previous, const std::string& boot_id,
                            int64_t boot_now_ns, int64_t wall_now_ns, int64_t previous_line_end) {
  if (previous && previous->boot_id == boot_id) return *previous;
  BootAnchor anchor{boot_id, 0, boot_now_ns, wall_now_ns};
  if (!previous) {
    // No anchor (first start, or it was lost): still never behind what is queued.
    anchor.offset_ns = std::max<int64_t>(0, previous_line_end + 1 - boot_now_ns);
    return anchor;
  }
  // Where the previous boot's time-line stood at its anchor, plus wall time since.
  const int64_t previous_line_at_anchor = previous->offset_ns + previous->boot_ns;
  const int64_t elapsed_wall = std::max<int64_t>(0, wall_now_ns - previous->wall_ns);
  const int64_t line_now = previous_line_at_anchor + elapsed_wall;
  // The new boot has run boot_now_ns already: the new line must stay ahead of the old one.
  anchor.offset_ns =
      std::max({line_now, previous_line_at_anchor, previous_line_end + 1}) - boot_now_ns;
  return anchor;
}

}  // namespace metrics
