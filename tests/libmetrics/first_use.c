/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The first use of the library in a fresh process: prints how long get_default() and one
 * record_event() took, in µs ("GET RECORD"). test_delivery and test_slow_bus run it to check
 * that neither waited on the bus (first_use_check.h). */
#include <eosmetrics/eosmetrics.h>
#include <stdio.h>

int main(void) {
  gint64 start = g_get_monotonic_time();
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  gint64 got = g_get_monotonic_time();
  emtr_event_recorder_record_event(recorder, "fb59199e-5384-472e-af1e-00b7a419d5c2", NULL);
  gint64 recorded = g_get_monotonic_time();
  printf("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", got - start, recorded - got);
  return 0;
}
