/* SPDX-License-Identifier: GPL-2.0-or-later */
/* get_default() and record calls return at once even when the bus itself does not answer
 * (the dbus-daemon is stopped with SIGSTOP), and the events are delivered once it does.
 * Run under run_on_private_bus.py without --mock. */
#include <eosmetrics/eosmetrics.h>
#include <signal.h>

#include "first_use_check.h"
#include "mock_recorder.h"

static void test_slow_bus(void) {
  pid_t bus = (pid_t)g_ascii_strtoll(g_getenv("EMTR_TEST_BUS_PID"), NULL, 10);
  g_assert_cmpint(bus, >, 0);
  g_assert_cmpint(kill(bus, SIGSTOP), ==, 0);

  assert_first_use_does_not_block("stopped bus");
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  g_autofree gchar* id = g_uuid_string_random();
  for (int i = 0; i < 10; i++) {
    gint64 start = g_get_monotonic_time();
    emtr_event_recorder_record_event(recorder, id, g_variant_new_int32(i));
    g_assert_cmpint(g_get_monotonic_time() - start, <, EMTR_TEST_NOT_BLOCKED_US);
  }
  g_usleep(500000);
  g_assert_cmpint(kill(bus, SIGCONT), ==, 0);

  mock_start();
  g_autoptr(GVariant) calls = mock_wait_calls(MOCK_MAIN_PATH, "RecordSingularEvent", 10, 15000);
  g_assert_cmpuint(g_variant_n_children(calls), ==, 10);
  for (gsize i = 0; i < 10; i++) {
    g_autoptr(GVariant) call = g_variant_get_child_value(calls, i);
    g_autoptr(GVariant) payload = mock_call_arg(call, 4);
    g_assert_cmpint(g_variant_get_int32(payload), ==, (gint32)i);
  }
  mock_stop();
}

int main(int argc, char** argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/delivery/slow-bus", test_slow_bus);
  return g_test_run();
}
