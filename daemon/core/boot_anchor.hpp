// SPDX-License-Identifier: GPL-2.0-or-later
// One relative time-line across reboots. Clients stamp events with CLOCK_BOOTTIME,
// which restarts at every boot; the server computes event time as
// request_absolute - request_relative + event_relative, so every stored relative
// timestamp gets this boot's offset added and the request is stamped with
// boottime + offset too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace metrics {

struct BootAnchor {
  std::string boot_id;
  int64_t offset_ns = 0;  // added to this boot's CLOCK_BOOTTIME
  int64_t boot_ns = 0;    // CLOCK_BOOTTIME when anchored
  int64_t wall_ns = 0;    // wall clock at the same instant
};

// The anchor for the running boot. Same boot as `previous`: keep it. New boot:
// continue the previous time-line by the wall-clock time elapsed since the previous
// anchor, never going backwards (a wall clock set back between boots would otherwise
// make new events look older than old ones).
// `previous_line_end` is the latest point the previous boots' time-line is known to have
// reached (last stored event, clean stop); the new boot starts after it.
BootAnchor next_boot_anchor(const std::optional<BootAnchor>& previous, const std::string& boot_id,
                            int64_t boot_now_ns, int64_t wall_now_ns,
                            int64_t previous_line_end = 0);

}  // namespace metrics
