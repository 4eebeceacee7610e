// SPDX-License-Identifier: GPL-2.0-or-later
#include "bus_source.hpp"

#include <poll.h>
#include <time.h>

#include <cstdint>

namespace metrics::bus {

struct BusSource::Source {
  GSource base;
  BusSource* owner;
};

namespace {
GSourceFuncs kFuncs = {};

uint64_t now_monotonic_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// At most this many messages per dispatch, so one busy client cannot starve the
// loop; the batch also bounds how many replies wait for one commit.
constexpr int kMaxMessagesPerBatch = 256;
constexpr int kMaxGatherRounds = 4;
constexpr int kGatherWaitMs = 1;
}  // namespace

BusSource::BusSource(sd_bus* bus, GMainContext* context, std::function<void()> after_batch)
    : bus_(bus), after_batch_(std::move(after_batch)) {
  kFuncs.prepare = &BusSource::prepare;
  kFuncs.check = &BusSource::check;
  kFuncs.dispatch = &BusSource::dispatch;
  GSource* raw = g_source_new(&kFuncs, sizeof(Source));
  reinterpret_cast<Source*>(raw)->owner = this;
  source_.reset(raw);
  pollfd_.fd = sd_bus_get_fd(bus_);
  update_poll();
  g_source_add_poll(raw, &pollfd_);
  g_source_set_name(raw, "sd-bus");
  g_source_attach(raw, context);
}

BusSource::~BusSource() = default;

void BusSource::update_poll() {
  const int events = sd_bus_get_events(bus_);
  gushort flags = 0;
  if (events > 0) {
    if (events & POLLIN) flags |= G_IO_IN;
    if (events & POLLOUT) flags |= G_IO_OUT;
  }
  pollfd_.events = flags | G_IO_HUP | G_IO_ERR;
}

gboolean BusSource::prepare(GSource* source, gint* timeout) {
  auto* self = reinterpret_cast<Source*>(source)->owner;
  self->update_poll();
  *timeout = -1;
  uint64_t until = 0;
  if (sd_bus_get_timeout(self->bus_, &until) > 0 && until != UINT64_MAX) {
    const uint64_t now = now_monotonic_us();
    if (until <= now) return TRUE;
    *timeout = static_cast<gint>(std::min<uint64_t>((until - now + 999) / 1000, G_MAXINT));
  }
  // sd-bus may hold already-read messages in its queue: dispatch without polling.
  return FALSE;
}

gboolean BusSource::check(GSource* source) {
  auto* self = reinterpret_cast<Source*>(source)->owner;
  if (self->pollfd_.revents != 0) return TRUE;
  uint64_t until = 0;
  if (sd_bus_get_timeout(self->bus_, &until) > 0 && until != UINT64_MAX)
    return until <= now_monotonic_us();
  return FALSE;
}

bool BusSource::process_batch(int& processed) {
  for (int i = 0; i < kMaxMessagesPerBatch; ++i) {
    const int r = sd_bus_process(bus_, nullptr);
    if (r < 0) {
      disconnected_ = true;
      return false;
    }
    if (r == 0) return false;
    ++processed;
  }
  return true;  // more may be waiting
}

bool BusSource::gather_batch() {
  int processed = 0;
  bool more = process_batch(processed);
  // Group commit under load: when several calls came in at once, more are on their way;
  // waiting a moment for them lets one fsync acknowledge them all. A lone call (one
  // client, one call in flight) is committed at once. The wait is bounded (a few ms).
  for (int round = 0; round < kMaxGatherRounds && !more && !disconnected_ && processed >= 2;
       ++round) {
    pollfd p{pollfd_.fd, POLLIN, 0};
    if (poll(&p, 1, kGatherWaitMs) <= 0) break;
    int more_processed = 0;
    more = process_batch(more_processed);
    if (more_processed == 0) break;
    processed += more_processed;
  }
  return more;
}

gboolean BusSource::dispatch(GSource* source, GSourceFunc, gpointer) {
  auto* self = reinterpret_cast<Source*>(source)->owner;
  const bool more = self->gather_batch();
  if (self->after_batch_) self->after_batch_();
  if (self->disconnected_) {
    if (self->on_disconnect_) self->on_disconnect_();
    return G_SOURCE_REMOVE;
  }
  // Replies queued by after_batch are written when the socket is writable.
  if (more)
    g_source_set_ready_time(source, 0);
  else
    g_source_set_ready_time(source, -1);
  return G_SOURCE_CONTINUE;
}

}  // namespace metrics::bus
