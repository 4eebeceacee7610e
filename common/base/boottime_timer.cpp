// SPDX-License-Identifier: GPL-2.0-or-later
#include "boottime_timer.hpp"

#include <glib-unix.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace metrics {

BoottimeTimer::BoottimeTimer(Fired fired) : fired_(std::move(fired)) {
  fd_.reset(timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd_) return;  // arm_at() reports it
  source_.reset(g_unix_fd_source_new(fd_.get(), G_IO_IN));
  g_source_set_callback(source_.get(), G_SOURCE_FUNC(&BoottimeTimer::on_ready), this, nullptr);
  g_source_attach(source_.get(), nullptr);
}

BoottimeTimer::~BoottimeTimer() = default;

Result<void> BoottimeTimer::arm_at(int64_t boottime_ns) {
  if (!fd_) return Error{ErrorCode::kTimerFailed, "cannot create a CLOCK_BOOTTIME timer"};
  // 0 would disarm: an instant already past is "as soon as possible".
  const int64_t at = std::max<int64_t>(boottime_ns, 1);
  itimerspec spec{};
  spec.it_value.tv_sec = at / 1'000'000'000;
  spec.it_value.tv_nsec = at % 1'000'000'000;
  if (timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0)
    return Error{ErrorCode::kTimerFailed,
                 std::string("cannot arm the CLOCK_BOOTTIME timer: ") + g_strerror(errno)};
  armed_ = true;
  return {};
}

void BoottimeTimer::disarm() {
  if (!fd_) return;
  itimerspec spec{};
  timerfd_settime(fd_.get(), 0, &spec, nullptr);
  armed_ = false;
}

gboolean BoottimeTimer::on_ready(gint fd, GIOCondition, gpointer self) {
  uint64_t expirations = 0;
  // Drains the fd; EAGAIN after a disarm that raced with the expiry is fine.
  if (read(fd, &expirations, sizeof expirations) != sizeof expirations) return G_SOURCE_CONTINUE;
  auto* timer = static_cast<BoottimeTimer*>(self);
  timer->armed_ = false;
  timer->fired_();
  return G_SOURCE_CONTINUE;
}

}  // namespace metrics
