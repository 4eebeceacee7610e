/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Records through libmetrics, for the end-to-end test against the real recorder:
 *   emtr-test-record basic EVENT_ID PAYLOAD_TEXT COUNT
 *     one singular event with the string payload, a two-step sequence (payloads u 1 and
 *     u 2) and an aggregate of COUNT without payload;
 *   emtr-test-record burst EVENT_ID N
 *     N singular events without payload in a tight loop (no main loop iteration), then
 *     one _sync call of another event;
 * then exits right after a _sync call, which returns once everything before it has been
 * answered. */
#include <eosmetrics/eosmetrics.h>
#include <string.h>

int main(int argc, char** argv) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  if (argc == 5 && strcmp(argv[1], "basic") == 0) {
    const char* id = argv[2];
    emtr_event_recorder_record_event(recorder, id, g_variant_new_string(argv[3]));
    emtr_event_recorder_record_start(recorder, id, NULL, g_variant_new_uint32(1));
    emtr_event_recorder_record_stop(recorder, id, NULL, g_variant_new_uint32(2));
    emtr_event_recorder_record_events_sync(recorder, id, g_ascii_strtoll(argv[4], NULL, 10), NULL);
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "burst") == 0) {
    const char* id = argv[2];
    gint64 n = g_ascii_strtoll(argv[3], NULL, 10);
    for (gint64 i = 0; i < n; i++) emtr_event_recorder_record_event(recorder, id, NULL);
    emtr_event_recorder_record_event_sync(recorder, "00000000-0000-4000-8000-000000000000", NULL);
    return 0;
  }
  g_printerr("usage: %s basic EVENT_ID PAYLOAD COUNT | burst EVENT_ID N\n", argv[0]);
  return 2;
}
