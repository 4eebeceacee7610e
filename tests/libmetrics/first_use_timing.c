#include "first_use_timing.h"

#include <stdio.h>
#include <stdlib.h>

static int compare_int64(const void* a, const void* b) {
  gint64 x = *(const gint64*)a, y = *(const gint64*)b;
  return (x > y) - (x < y);
}

void assert_first_use_is_fast(const char* what) {
  enum { RUNS = 7 };
  const char* program = g_getenv("EMTR_TEST_FIRST_USE");
  g_assert_nonnull(program);
  gint64 get[RUNS], record[RUNS];
  for (int i = 0; i < RUNS; i++) {
    g_autofree gchar* out = NULL;
    g_autoptr(GError) error = NULL;
    gint status = 0;
    const gchar* argv[] = {program, NULL};
    g_spawn_sync(NULL, (gchar**)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status,
                 &error);
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpint(sscanf(out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &get[i], &record[i]), ==,
                    2);
  }
  qsort(get, RUNS, sizeof get[0], compare_int64);
  qsort(record, RUNS, sizeof record[0], compare_int64);
  g_test_message("%s: get_default() median %" G_GINT64_FORMAT " µs (max %" G_GINT64_FORMAT
                 "), first record_event() median %" G_GINT64_FORMAT " µs",
                 what, get[RUNS / 2], get[RUNS - 1], record[RUNS / 2]);
  const gint64 bound_us = g_strcmp0(g_getenv("EMTR_SANITIZE"), "1") == 0 ? 10000 : 1000;
  g_assert_cmpint(get[RUNS / 2], <, bound_us);
  g_assert_cmpint(record[RUNS / 2], <, bound_us);
}
