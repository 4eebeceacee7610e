/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recording metrics from C with libmetrics.
 *
 *   cc record.c -o record $(pkg-config --cflags --libs eosmetrics-0)
 *
 * Event ids are UUIDs you create once per metric (uuidgen -r) and register with the
 * metrics registry; never put personal data in a payload. */
#include <eosmetrics/eosmetrics.h>

#define APP_OPENED "a8ed2b0e-7b4e-4b1c-9f1a-7e2d1c3b4a59"
#define FILES_IMPORTED "0f6c5b39-1e47-4a0b-9c1d-55b2d8c7e6f1"
#define DOCUMENT_OPEN "5d3a1f0b-8c2e-4f7d-a6b9-3e4c2d1f0a8b"
#define TIME_IN_EDITOR "c41b7e2d-9a0f-4e3c-8b5d-2f6a1c9e7d04"

int main(void) {
  /* Never blocks, not even the first time: the bus is connected in the background. */
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();

  /* A singular event: "this happened now", with a payload (floating: consumed). */
  emtr_event_recorder_record_event(recorder, APP_OPENED,
                                   g_variant_new("(ss)", "org.example.Editor", "1.2"));

  /* An aggregate: only the daily and monthly sums are kept. */
  emtr_event_recorder_record_events(recorder, FILES_IMPORTED, 12, NULL);

  /* A sequence, sent as a whole at the stop; keys tell overlapping sequences apart. */
  GVariant* key = g_variant_ref_sink(g_variant_new_uint32(1));
  emtr_event_recorder_record_start(recorder, DOCUMENT_OPEN, key, g_variant_new_string("odt"));
  emtr_event_recorder_record_progress(recorder, DOCUMENT_OPEN, key, NULL);
  emtr_event_recorder_record_stop(recorder, DOCUMENT_OPEN, key, NULL);
  g_variant_unref(key);

  /* A timer: its whole seconds are added to the day's count when it stops (here: when
   * the last reference goes). */
  g_autoptr(EmtrAggregateTimer) timer =
      emtr_event_recorder_start_aggregate_timer(recorder, TIME_IN_EDITOR, NULL);
  g_usleep(G_USEC_PER_SEC);
  g_clear_object(&timer);

  /* Before exiting: a _sync call returns once the recorder has answered it and every
   * event recorded before it (or after a bounded wait of a few seconds). */
  emtr_event_recorder_record_event_sync(recorder, APP_OPENED, NULL);
  return 0;
}
