// SPDX-License-Identifier: GPL-2.0-or-later
#include "heap_trim.hpp"

#include <malloc.h>

namespace metrics::bus {

HeapTrim::HeapTrim(size_t threshold, unsigned quiet_seconds)
    : threshold_(threshold), quiet_seconds_(quiet_seconds) {}

HeapTrim::~HeapTrim() {
  if (source_ != 0) g_source_remove(source_);
}

void HeapTrim::note(size_t units) {
  since_trim_ += units;
  worked_since_armed_ = true;
  if (source_ == 0 && since_trim_ >= threshold_) {
    worked_since_armed_ = false;
    source_ = g_timeout_add_seconds(quiet_seconds_, &HeapTrim::on_quiet, this);
  }
}

gboolean HeapTrim::on_quiet(gpointer data) {
  auto* self = static_cast<HeapTrim*>(data);
  // Still busy: trimming now would only make the next calls grow the heap again.
  if (self->worked_since_armed_) {
    self->worked_since_armed_ = false;
    return G_SOURCE_CONTINUE;
  }
  self->source_ = 0;
  self->since_trim_ = 0;
  malloc_trim(0);
  return G_SOURCE_REMOVE;
}

}  // namespace metrics::bus
