// SPDX-License-Identifier: LGPL-2.1-or-later
// EmtrAggregateTimer: the application's handle on a timer running in the recorder.
#include <memory>

#include "aggregate_timer_private.hpp"

struct _EmtrAggregateTimer {
  GObject parent_instance;
  // C++ members live in GObject-allocated memory: constructed in init, destroyed in
  // finalize.
  struct Members {
    std::shared_ptr<emtr::TimerState> state;
    bool stopped = false;
  } members;
};

G_DEFINE_FINAL_TYPE(EmtrAggregateTimer, emtr_aggregate_timer, G_TYPE_OBJECT)

namespace {

void stop_once(EmtrAggregateTimer* self) {
  self->members.stopped = true;
  if (self->members.state) self->members.state->stop();
}

void emtr_aggregate_timer_dispose(GObject* object) {
  auto* self = EMTR_AGGREGATE_TIMER(object);
  // The last reference went away without a stop: the timer ends here.
  if (!self->members.stopped) stop_once(self);
  G_OBJECT_CLASS(emtr_aggregate_timer_parent_class)->dispose(object);
}

void emtr_aggregate_timer_finalize(GObject* object) {
  std::destroy_at(&EMTR_AGGREGATE_TIMER(object)->members);
  G_OBJECT_CLASS(emtr_aggregate_timer_parent_class)->finalize(object);
}

}  // namespace

static void emtr_aggregate_timer_class_init(EmtrAggregateTimerClass* klass) {
  GObjectClass* object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = emtr_aggregate_timer_dispose;
  object_class->finalize = emtr_aggregate_timer_finalize;
}

static void emtr_aggregate_timer_init(EmtrAggregateTimer* self) {
  std::construct_at(&self->members);
}

EmtrAggregateTimer* emtr::new_aggregate_timer(std::shared_ptr<TimerState> state) {
  auto* timer = EMTR_AGGREGATE_TIMER(g_object_new(EMTR_TYPE_AGGREGATE_TIMER, nullptr));
  timer->members.state = std::move(state);
  return timer;
}

extern "C" void emtr_aggregate_timer_stop(EmtrAggregateTimer* self) {
  g_return_if_fail(EMTR_IS_AGGREGATE_TIMER(self));
  g_return_if_fail(!self->members.stopped);
  stop_once(self);
}
