// SPDX-License-Identifier: GPL-2.0-or-later
#include "held_refusals.hpp"

#include "errors.hpp"

namespace metrics::bus {

int HeldRefusals::refuse(sd_bus_message* call, uint32_t uid, Error error, int64_t delay_ns) {
  size_t& of_uid = held_per_uid_[uid];
  if (delay_ns <= 0 || of_uid >= kMaxPerUid || held_.size() >= kMaxHeld) {
    if (of_uid == 0) held_per_uid_.erase(uid);
    return reply_error(call, error);
  }
  ++of_uid;
  held_.emplace(clock_.monotonic_ns() + delay_ns, Held{ref_message(call), uid, std::move(error)});
  arm();
  // Answered later: sd-bus sends no reply for a handler that returns a positive value.
  return 1;
}

void HeldRefusals::arm() {
  if (held_.empty()) {
    timer_.reset();
    return;
  }
  const int64_t due = held_.begin()->first;
  if (timer_ && timer_due_ns_ == due) return;
  const int64_t wait_ns = std::max<int64_t>(0, due - clock_.monotonic_ns());
  // Rounded up: a timer that fires early would find nothing due and fire again.
  const auto wait_ms = static_cast<guint>((wait_ns + 999'999) / 1'000'000);
  timer_.reset(g_timeout_source_new(wait_ms));
  g_source_set_callback(timer_.get(), &HeldRefusals::on_due, this, nullptr);
  g_source_attach(timer_.get(), nullptr);
  timer_due_ns_ = due;
}

gboolean HeldRefusals::on_due(gpointer data) {
  auto* self = static_cast<HeldRefusals*>(data);
  self->answer_due();
  // answer_due() armed a new source (or none); this one is done either way.
  return G_SOURCE_REMOVE;
}

void HeldRefusals::answer_due() {
  const int64_t now = clock_.monotonic_ns();
  while (!held_.empty() && held_.begin()->first <= now) {
    auto node = held_.extract(held_.begin());
    Held& h = node.mapped();
    // The caller may have gone: its reply then goes nowhere, which is fine.
    reply_error(h.call.get(), h.error);
    if (auto it = held_per_uid_.find(h.uid); it != held_per_uid_.end() && --it->second == 0)
      held_per_uid_.erase(it);
  }
  // The source that fired is finishing: arm() must build a new one, not keep it.
  GSource* firing = timer_.release();
  if (firing != nullptr) g_source_unref(firing);
  arm();
}

}  // namespace metrics::bus
