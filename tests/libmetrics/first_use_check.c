/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "first_use_check.h"

#include <stdio.h>

void assert_first_use_does_not_block(const char* what) {
  enum { RUNS = 3 };
  const char* program = g_getenv("EMTR_TEST_FIRST_USE");
  g_assert_nonnull(program);
  for (int i = 0; i < RUNS; i++) {
    g_autofree gchar* out = NULL;
    g_autoptr(GError) error = NULL;
    gint status = 0;
    const gchar* argv[] = {program, NULL};
    g_spawn_sync(NULL, (gchar**)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                 &error);
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    gint64 get = 0, record = 0;
    g_assert_cmpint(sscanf(out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &get, &record), ==, 2);
    g_test_message("%s: get_default() %" G_GINT64_FORMAT
                   " µs, first record_event() %" G_GINT64_FORMAT " µs",
                   what, get, record);
    g_assert_cmpint(get, <, EMTR_TEST_NOT_BLOCKED_US);
    g_assert_cmpint(record, <, EMTR_TEST_NOT_BLOCKED_US);
  }
}
