/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery when things are not ready, and under load (run under run_on_private_bus.py
 * WITHOUT --mock: the test starts and stops the stand-in recorder itself).
 *
 * - get_default() and record calls return at once while the recorder's name has no owner;
 *   the events are delivered once it has one;
 * - the recorder restarting: calls made meanwhile reach the new instance;
 * - a burst of 2 000 calls in a tight loop, on a bus that allows 128 pending replies per
 *   connection, all arrive (the 20 000-call burst runs against the real recorder in
 *   test_end_to_end.py: the Python stand-in takes about 1 ms per call);
 * - one _sync call after a queue that takes longer to drain than the sync call's stall
 *   timeout (5 s) returns only once every earlier call was answered;
 * - a recorder that stops answering: the _sync call gives up after 5 s without progress
 *   and warns how many calls were not delivered; they arrive once it answers again. */
#include <eosmetrics/eosmetrics.h>

#include "first_use_check.h"
#include "mock_recorder.h"

#define BURST 2000

static gint64 elapsed_us(gint64 since) {
  return g_get_monotonic_time() - since;
}

static void assert_ids_in_order(GVariant* calls, gchar** ids, guint n) {
  g_assert_cmpuint(g_variant_n_children(calls), ==, n);
  for (guint i = 0; i < n; i++) {
    g_autoptr(GVariant) call = g_variant_get_child_value(calls, i);
    g_autoptr(GVariant) id = mock_call_arg(call, 1);
    g_autofree gchar* text = uuid_of_bytes(id);
    g_assert_cmpstr(text, ==, ids[i]);
  }
}

static void test_first_use_does_not_block(void) {
  assert_first_use_does_not_block("name without owner");
}

static void test_no_owner(void) {
  /* The very first use of the library in this process, with nobody owning the name.
   * Each call returns without waiting for the bus. */
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  gint64 start = 0;

  gchar* ids[10];
  for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
    ids[i] = g_uuid_string_random();
    start = g_get_monotonic_time();
    emtr_event_recorder_record_event(recorder, ids[i], NULL);
    g_assert_cmpint(elapsed_us(start), <, EMTR_TEST_NOT_BLOCKED_US);
  }
  g_usleep(300000); /* they reach no recorder for a while */
  mock_start();
  g_autoptr(GVariant) calls =
      mock_wait_calls(MOCK_MAIN_PATH, "RecordSingularEvent", G_N_ELEMENTS(ids), 10000);
  assert_ids_in_order(calls, ids, G_N_ELEMENTS(ids));
  for (guint i = 0; i < G_N_ELEMENTS(ids); i++) g_free(ids[i]);
}

static void test_recorder_restart(void) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  g_autofree gchar* before = g_uuid_string_random();
  mock_clear();
  emtr_event_recorder_record_event_sync(recorder, before, NULL);
  mock_stop();

  gchar* ids[5];
  for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
    ids[i] = g_uuid_string_random();
    emtr_event_recorder_record_event(recorder, ids[i], g_variant_new_uint32(i));
  }
  mock_start();
  g_autoptr(GVariant) calls =
      mock_wait_calls(MOCK_MAIN_PATH, "RecordSingularEvent", G_N_ELEMENTS(ids), 10000);
  assert_ids_in_order(calls, ids, G_N_ELEMENTS(ids));
  for (guint i = 0; i < G_N_ELEMENTS(ids); i++) g_free(ids[i]);
}

static void test_burst(void) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  mock_clear();
  g_autofree gchar* id = g_uuid_string_random();
  gint64 start = g_get_monotonic_time();
  /* No main loop iteration at all: the library must not need one. */
  for (guint i = 0; i < BURST; i++) emtr_event_recorder_record_event(recorder, id, NULL);
  g_test_message("%d record_event calls took %" G_GINT64_FORMAT " µs", BURST, elapsed_us(start));
  /* The library warns on every refused call (fatal in tests): none may be refused. */
  g_autoptr(GVariant) calls = mock_wait_calls(MOCK_MAIN_PATH, "RecordSingularEvent", BURST, 90000);
  g_test_message("delivered after %" G_GINT64_FORMAT " µs", elapsed_us(start));
  g_assert_cmpuint(g_variant_n_children(calls), ==, BURST);
}

/* Each call takes the stand-in at least 2 ms: 3 000 of them take at least 6 s, longer
 * than the 5 s a _sync call waits without progress, however fast the machine. */
#define SLOW_BURST 3000
#define SLOW_DELAY_S 0.002

static void test_sync_flushes_a_long_queue(void) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  mock_clear();
  mock_set_record_delay(SLOW_DELAY_S);
  g_autofree gchar* id = g_uuid_string_random();
  g_autofree gchar* last = g_uuid_string_random();
  gint64 start = g_get_monotonic_time();
  for (guint i = 0; i < SLOW_BURST; i++) emtr_event_recorder_record_event(recorder, id, NULL);
  emtr_event_recorder_record_event_sync(recorder, last, NULL);
  g_test_message("the _sync call returned after %" G_GINT64_FORMAT " µs", elapsed_us(start));
  /* Read at once, no waiting: everything must be there when _sync returns. */
  g_autoptr(GVariant) calls = mock_calls(MOCK_MAIN_PATH, "RecordSingularEvent");
  g_assert_cmpuint(g_variant_n_children(calls), ==, SLOW_BURST + 1);
  g_autoptr(GVariant) final_call = g_variant_get_child_value(calls, SLOW_BURST);
  g_autoptr(GVariant) final_id = mock_call_arg(final_call, 1);
  g_autofree gchar* final_text = uuid_of_bytes(final_id);
  g_assert_cmpstr(final_text, ==, last);
  mock_set_record_delay(0);
}

static void test_sync_gives_up_without_progress(void) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  mock_clear();
  mock_freeze(); /* a recorder that hangs: it answers nothing */
  g_autofree gchar* id = g_uuid_string_random();
  for (guint i = 0; i < 3; i++) emtr_event_recorder_record_event(recorder, id, NULL);
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_WARNING,
                        "*answered none of this process's calls for 5000 ms: 4 calls (this one "
                        "included) are not delivered yet*");
  emtr_event_recorder_record_event_sync(recorder, id, NULL);
  g_test_assert_expected_messages();
  /* The calls stayed queued: once the recorder answers again, they all arrive. */
  mock_thaw();
  emtr_event_recorder_record_event_sync(recorder, id, NULL);
  g_autoptr(GVariant) calls = mock_calls(MOCK_MAIN_PATH, "RecordSingularEvent");
  g_assert_cmpuint(g_variant_n_children(calls), ==, 5);
}

int main(int argc, char** argv) {
  g_test_init(&argc, &argv, NULL);
  /* Order matters: the first tests run while nobody owns the name. */
  g_test_add_func("/delivery/no-owner-yet", test_no_owner);
  g_test_add_func("/delivery/first-use-does-not-block", test_first_use_does_not_block);
  g_test_add_func("/delivery/recorder-restart", test_recorder_restart);
  g_test_add_func("/delivery/burst", test_burst);
  g_test_add_func("/delivery/sync-flushes-a-long-queue", test_sync_flushes_a_long_queue);
  g_test_add_func("/delivery/sync-gives-up-without-progress", test_sync_gives_up_without_progress);
  int status = g_test_run();
  mock_stop();
  return status;
}
