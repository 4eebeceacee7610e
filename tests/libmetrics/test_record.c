/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The six kinds of record call and the timers, checked on the wire: each test records
 * through the public C API and reads back what the dbusmock stand-in of the recorder
 * received (run under run_on_private_bus.py --mock). */
#include <eosmetrics/eosmetrics.h>
#include <stdarg.h>
#include <unistd.h>

#include "mock_recorder.h"

#define TIMEOUT_MS 10000

typedef struct {
  gchar* event_id;
  gint64 before;
} Fixture;

static void fixture_set_up(Fixture* f, gconstpointer data) {
  (void)data;
  mock_clear();
  f->event_id = g_uuid_string_random();
  f->before = boottime_now();
}

static void fixture_tear_down(Fixture* f, gconstpointer data) {
  (void)data;
  g_free(f->event_id);
}

static EmtrEventRecorder* recorder(void) {
  return emtr_event_recorder_get_default();
}

static guint count_calls(const char* method) {
  g_autoptr(GVariant) calls = mock_calls(MOCK_MAIN_PATH, method);
  return (guint)g_variant_n_children(calls);
}

/* Exactly one call of `method`, and none of the other record methods. */
static GVariant* the_only_call(const char* method, gboolean wait) {
  g_autoptr(GVariant) calls = wait ? mock_wait_calls(MOCK_MAIN_PATH, method, 1, TIMEOUT_MS)
                                   : mock_calls(MOCK_MAIN_PATH, method);
  g_assert_cmpuint(g_variant_n_children(calls), ==, 1);
  static const char* const all[] = {"RecordSingularEvent", "RecordAggregateEvent",
                                    "RecordEventSequence", "StartAggregateTimer"};
  for (gsize i = 0; i < G_N_ELEMENTS(all); i++) {
    if (!g_str_equal(all[i], method)) g_assert_cmpuint(count_calls(all[i]), ==, 0);
  }
  return g_variant_get_child_value(calls, 0);
}

static void assert_uid(GVariant* call, guint32 expected) {
  g_autoptr(GVariant) uid = mock_call_arg(call, 0);
  g_assert_cmpuint(g_variant_get_uint32(uid), ==, expected);
}

static void assert_event_id(GVariant* call, const char* expected) {
  g_autoptr(GVariant) id = mock_call_arg(call, 1);
  g_autofree gchar* text = uuid_of_bytes(id);
  g_autofree gchar* lower = g_ascii_strdown(expected, -1);
  g_assert_cmpstr(text, ==, lower);
}

static void assert_time(gint64 t, gint64 before, gint64 after) {
  g_assert_cmpint(t, >=, before);
  g_assert_cmpint(t, <=, after);
}

/* has_payload flag and the variant slot: the payload, or the <false> placeholder. */
static void assert_payload(GVariant* has_v, GVariant* slot, GVariant* expected) {
  g_assert_cmpint(g_variant_get_boolean(has_v), ==, expected != NULL);
  if (expected != NULL) {
    g_assert_true(g_variant_equal(slot, expected));
  } else {
    g_assert_true(g_variant_is_of_type(slot, G_VARIANT_TYPE_BOOLEAN));
    g_assert_false(g_variant_get_boolean(slot));
  }
}

static GVariant* sample_payload(void) {
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&b, "{sv}", "app", g_variant_new_string("org.gnome.Builder.desktop"));
  g_variant_builder_add(&b, "{sv}", "count", g_variant_new_uint32(7));
  return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* ------------------------------------------------------------------ singular */

static void check_singular(Fixture* f, gboolean sync, gboolean with_payload) {
  g_autoptr(GVariant) payload = with_payload ? sample_payload() : NULL;
  if (sync)
    emtr_event_recorder_record_event_sync(recorder(), f->event_id, payload);
  else
    emtr_event_recorder_record_event(recorder(), f->event_id, payload);
  gint64 after = boottime_now();
  /* A _sync call returns only once the recorder has answered: no waiting needed. */
  g_autoptr(GVariant) call = the_only_call("RecordSingularEvent", !sync);
  assert_uid(call, getuid());
  assert_event_id(call, f->event_id);
  g_autoptr(GVariant) ts = mock_call_arg(call, 2);
  assert_time(g_variant_get_int64(ts), f->before, after);
  g_autoptr(GVariant) has = mock_call_arg(call, 3);
  g_autoptr(GVariant) slot = mock_call_arg(call, 4);
  assert_payload(has, slot, payload);
}

static void test_singular_async(Fixture* f, gconstpointer d) {
  (void)d;
  check_singular(f, FALSE, FALSE);
}
static void test_singular_async_payload(Fixture* f, gconstpointer d) {
  (void)d;
  check_singular(f, FALSE, TRUE);
}
static void test_singular_sync(Fixture* f, gconstpointer d) {
  (void)d;
  check_singular(f, TRUE, FALSE);
}
static void test_singular_sync_payload(Fixture* f, gconstpointer d) {
  (void)d;
  check_singular(f, TRUE, TRUE);
}

/* ------------------------------------------------------------------ aggregate */

static void check_aggregate(Fixture* f, gboolean sync, gboolean with_payload, gint64 count) {
  g_autoptr(GVariant) payload = with_payload ? sample_payload() : NULL;
  if (sync)
    emtr_event_recorder_record_events_sync(recorder(), f->event_id, count, payload);
  else
    emtr_event_recorder_record_events(recorder(), f->event_id, count, payload);
  gint64 after = boottime_now();
  g_autoptr(GVariant) call = the_only_call("RecordAggregateEvent", !sync);
  assert_uid(call, getuid());
  assert_event_id(call, f->event_id);
  g_autoptr(GVariant) n = mock_call_arg(call, 2);
  g_assert_cmpint(g_variant_get_int64(n), ==, count);
  g_autoptr(GVariant) ts = mock_call_arg(call, 3);
  assert_time(g_variant_get_int64(ts), f->before, after);
  g_autoptr(GVariant) has = mock_call_arg(call, 4);
  g_autoptr(GVariant) slot = mock_call_arg(call, 5);
  assert_payload(has, slot, payload);
}

static void test_aggregate_async(Fixture* f, gconstpointer d) {
  (void)d;
  check_aggregate(f, FALSE, FALSE, 23);
}
static void test_aggregate_async_payload(Fixture* f, gconstpointer d) {
  (void)d;
  check_aggregate(f, FALSE, TRUE, -4);
}
static void test_aggregate_sync(Fixture* f, gconstpointer d) {
  (void)d;
  check_aggregate(f, TRUE, FALSE, 1);
}
static void test_aggregate_sync_payload(Fixture* f, gconstpointer d) {
  (void)d;
  check_aggregate(f, TRUE, TRUE, 1000000);
}

/* ------------------------------------------------------------------ sequences */

static void check_sequence(Fixture* f, gboolean sync, gboolean with_key) {
  /* Three distinct but equal key instances: keys are compared by value. */
  GVariant* key_start = with_key ? g_variant_new("(su)", "window", 42) : NULL;
  GVariant* key_progress = with_key ? g_variant_new("(su)", "window", 42) : NULL;
  GVariant* key_stop = with_key ? g_variant_new("(su)", "window", 42) : NULL;
  g_autoptr(GVariant) progress_payload = g_variant_ref_sink(g_variant_new_string("half"));
  g_autoptr(GVariant) stop_payload = sample_payload();

  emtr_event_recorder_record_start(recorder(), f->event_id, key_start, NULL);
  emtr_event_recorder_record_progress(recorder(), f->event_id, key_progress, progress_payload);
  /* Nothing is sent before the stop. */
  g_usleep(50000);
  g_assert_cmpuint(count_calls("RecordEventSequence"), ==, 0);
  if (sync)
    emtr_event_recorder_record_stop_sync(recorder(), f->event_id, key_stop, stop_payload);
  else
    emtr_event_recorder_record_stop(recorder(), f->event_id, key_stop, stop_payload);
  gint64 after = boottime_now();

  g_autoptr(GVariant) call = the_only_call("RecordEventSequence", !sync);
  assert_uid(call, getuid());
  assert_event_id(call, f->event_id);
  g_autoptr(GVariant) events = mock_call_arg(call, 2);
  g_assert_cmpuint(g_variant_n_children(events), ==, 3);
  GVariant* expected[] = {NULL, progress_payload, stop_payload};
  gint64 previous = f->before;
  for (gsize i = 0; i < 3; i++) {
    g_autoptr(GVariant) step = g_variant_get_child_value(events, i);
    g_autoptr(GVariant) ts = g_variant_get_child_value(step, 0);
    g_autoptr(GVariant) has = g_variant_get_child_value(step, 1);
    g_autoptr(GVariant) boxed = g_variant_get_child_value(step, 2);
    g_autoptr(GVariant) slot = g_variant_get_variant(boxed);
    assert_time(g_variant_get_int64(ts), previous, after);
    previous = g_variant_get_int64(ts);
    assert_payload(has, slot, expected[i]);
  }
}

static void test_sequence_async(Fixture* f, gconstpointer d) {
  (void)d;
  check_sequence(f, FALSE, TRUE);
}
static void test_sequence_sync(Fixture* f, gconstpointer d) {
  (void)d;
  check_sequence(f, TRUE, FALSE);
}

/* The original library's warnings, word for word: callers' tests expect them. */
static void expect_warning(const char* format, ...) G_GNUC_PRINTF(1, 2);
static void expect_warning(const char* format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree gchar* text = g_strdup_vprintf(format, args);
  va_end(args);
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_WARNING, text);
}

static void test_sequence_unknown(Fixture* f, gconstpointer d) {
  (void)d;
  expect_warning(
      "Ignoring request to stop event of type %s with NULL key because there is no "
      "corresponding unstopped start event.",
      f->event_id);
  emtr_event_recorder_record_stop(recorder(), f->event_id, NULL, NULL);
  g_test_assert_expected_messages();
  expect_warning(
      "Ignoring request to stop event of type %s with key uint32 5 because there is no "
      "corresponding unstopped start event.",
      f->event_id);
  emtr_event_recorder_record_stop(recorder(), f->event_id, g_variant_new_uint32(5), NULL);
  g_test_assert_expected_messages();
  expect_warning(
      "Ignoring request to record progress for event of type %s with NULL key because there "
      "is no corresponding unstopped start event.",
      f->event_id);
  emtr_event_recorder_record_progress(recorder(), f->event_id, NULL, NULL);
  g_test_assert_expected_messages();
  expect_warning(
      "Ignoring request to record progress for event of type %s with key 'k' because there "
      "is no corresponding unstopped start event.",
      f->event_id);
  emtr_event_recorder_record_progress(recorder(), f->event_id, g_variant_new_string("k"), NULL);
  g_test_assert_expected_messages();
  emtr_event_recorder_record_start(recorder(), f->event_id, g_variant_new_uint32(1), NULL);
  expect_warning(
      "Ignoring request to start event of type %s with key uint32 1 because there is already "
      "an unstopped start event with this type and key.",
      f->event_id);
  emtr_event_recorder_record_start(recorder(), f->event_id, g_variant_new_uint32(1), NULL);
  g_test_assert_expected_messages();
  emtr_event_recorder_record_start(recorder(), f->event_id, NULL, NULL);
  expect_warning(
      "Ignoring request to start event of type %s with NULL key because there is already an "
      "unstopped start event with this type and key.",
      f->event_id);
  emtr_event_recorder_record_start(recorder(), f->event_id, NULL, NULL);
  g_test_assert_expected_messages();
  emtr_event_recorder_record_stop_sync(recorder(), f->event_id, NULL, NULL);
  /* A different key is a different sequence. */
  emtr_event_recorder_record_start(recorder(), f->event_id, g_variant_new_uint32(2), NULL);
  emtr_event_recorder_record_stop_sync(recorder(), f->event_id, g_variant_new_uint32(2), NULL);
  emtr_event_recorder_record_stop_sync(recorder(), f->event_id, g_variant_new_uint32(1), NULL);
  g_assert_cmpuint(count_calls("RecordEventSequence"), ==, 3); /* NULL key, 2 and 1 */
}

/* ------------------------------------------------------------------ refusals */

static void record_sentinel(void) {
  /* In-order delivery: once a _sync call returns, everything before it was answered. */
  g_autofree gchar* sentinel = g_uuid_string_random();
  emtr_event_recorder_record_event_sync(recorder(), sentinel, NULL);
}

/* The original library's critical, word for word. */
#define MAYBE_CRITICAL "Maybe type found in auxiliary payload. These are not compatible with DBus!"

static void test_maybe_payload(Fixture* f, gconstpointer d) {
  (void)d;
  /* Floating payloads: refused ones must still be consumed (no leak under ASan). */
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL, MAYBE_CRITICAL);
  emtr_event_recorder_record_event(recorder(), f->event_id,
                                   g_variant_new_maybe(G_VARIANT_TYPE_STRING, NULL));
  g_test_assert_expected_messages();

  /* Nested deep inside a container. */
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL, MAYBE_CRITICAL);
  emtr_event_recorder_record_events(recorder(), f->event_id, 3,
                                    g_variant_new_parsed("({'a': [@ms 'x']},)"));
  g_test_assert_expected_messages();

  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL, MAYBE_CRITICAL);
  emtr_event_recorder_record_start(recorder(), f->event_id, NULL,
                                   g_variant_new_maybe(G_VARIANT_TYPE_UINT32, NULL));
  g_test_assert_expected_messages();

  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL, MAYBE_CRITICAL);
  EmtrAggregateTimer* timer = emtr_event_recorder_start_aggregate_timer(
      recorder(), f->event_id, g_variant_new_maybe(G_VARIANT_TYPE_UINT32, NULL));
  g_test_assert_expected_messages();
  g_assert_null(timer);

  record_sentinel();
  g_assert_cmpuint(count_calls("RecordSingularEvent"), ==, 1); /* the sentinel only */
  g_assert_cmpuint(count_calls("RecordAggregateEvent"), ==, 0);
  g_assert_cmpuint(count_calls("StartAggregateTimer"), ==, 0);
  /* The refused start opened no sequence. */
  expect_warning(
      "Ignoring request to stop event of type %s with NULL key because there is no "
      "corresponding unstopped start event.",
      f->event_id);
  emtr_event_recorder_record_stop(recorder(), f->event_id, NULL, NULL);
  g_test_assert_expected_messages();
}

static void test_invalid_uuid(Fixture* f, gconstpointer d) {
  (void)d;
  (void)f;
  static const char* const bad[] = {"", "not-a-uuid", "fb59199e-5384-472e-af1e-00b7a419d5c",
                                    "fb59199e5384-472e-af1e-00b7a419d5c2x",
                                    "fb59199e-5384-472e-af1e-00b7a419d5cg"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    expect_warning(
        "Attempt to parse UUID \"%s\" failed. Make sure you created this UUID with uuidgen -r. "
        "You may need to sudo apt-get install uuid-runtime first.",
        bad[i]);
    emtr_event_recorder_record_event(recorder(), bad[i], g_variant_new_string("dropped"));
    g_test_assert_expected_messages();
  }
  record_sentinel();
  g_assert_cmpuint(count_calls("RecordSingularEvent"), ==, 1);
}

static void test_uppercase_uuid(Fixture* f, gconstpointer d) {
  (void)d;
  g_autofree gchar* upper = g_ascii_strup(f->event_id, -1);
  emtr_event_recorder_record_event_sync(recorder(), upper, NULL);
  g_autoptr(GVariant) call = the_only_call("RecordSingularEvent", FALSE);
  assert_event_id(call, f->event_id);
}

static void check_disabled(const char* value, gboolean expect_sent) {
  g_setenv("EOS_DISABLE_METRICS", value, TRUE);
  EmtrEventRecorder* r = emtr_event_recorder_new();
  g_unsetenv("EOS_DISABLE_METRICS");
  g_autofree gchar* id = g_uuid_string_random();
  mock_clear();
  emtr_event_recorder_record_event_sync(r, id, g_variant_new_string("x"));
  emtr_event_recorder_record_events_sync(r, id, 2, NULL);
  emtr_event_recorder_record_start(r, id, NULL, NULL);
  emtr_event_recorder_record_stop_sync(r, id, NULL, NULL);
  EmtrAggregateTimer* timer = emtr_event_recorder_start_aggregate_timer(r, id, NULL);
  g_assert_nonnull(timer); /* a timer that does nothing when disabled */
  emtr_aggregate_timer_stop(timer);
  g_object_unref(timer);
  record_sentinel();
  guint expected = expect_sent ? 1 : 0;
  g_assert_cmpuint(count_calls("RecordSingularEvent"), ==, expected + 1);
  g_assert_cmpuint(count_calls("RecordAggregateEvent"), ==, expected);
  g_assert_cmpuint(count_calls("RecordEventSequence"), ==, expected);
  g_object_unref(r);
}

static void test_disabled_empty(Fixture* f, gconstpointer d) {
  (void)f;
  (void)d;
  check_disabled("", FALSE);
}
static void test_disabled_one(Fixture* f, gconstpointer d) {
  (void)f;
  (void)d;
  check_disabled("1", FALSE);
}
static void test_disabled_zero(Fixture* f, gconstpointer d) {
  (void)f;
  (void)d;
  check_disabled("0", TRUE);
}

/* ------------------------------------------------------------------ timers */

static gchar* started_timer_path(guint32 expected_uid, const char* event_id, GVariant* payload) {
  g_autoptr(GVariant) call = the_only_call("StartAggregateTimer", TRUE);
  assert_uid(call, expected_uid);
  assert_event_id(call, event_id);
  g_autoptr(GVariant) has = mock_call_arg(call, 2);
  g_autoptr(GVariant) slot = mock_call_arg(call, 3);
  assert_payload(has, slot, payload);
  /* The stand-in numbers its timers: the latest one is this one. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      mock_bus(), "com.endlessm.Metrics", MOCK_MAIN_PATH, "org.freedesktop.DBus.Mock",
      "GetTimerCount", NULL, G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  guint32 count = 0;
  g_variant_get(reply, "(u)", &count);
  return g_strdup_printf("/com/endlessm/Metrics/AggregateTimer%u", count);
}

static void assert_stopped_once(const char* path) {
  g_autoptr(GVariant) stops = mock_wait_calls(path, "StopTimer", 1, TIMEOUT_MS);
  g_assert_cmpuint(g_variant_n_children(stops), ==, 1);
}

static void check_timer(Fixture* f, gboolean with_payload, gboolean with_uid, gboolean by_unref) {
  g_autoptr(GVariant) payload = with_payload ? sample_payload() : NULL;
  EmtrAggregateTimer* timer =
      with_uid
          ? emtr_event_recorder_start_aggregate_timer_with_uid(recorder(), 5, f->event_id, payload)
          : emtr_event_recorder_start_aggregate_timer(recorder(), f->event_id, payload);
  g_assert_true(EMTR_IS_AGGREGATE_TIMER(timer));
  g_autofree gchar* path = started_timer_path(with_uid ? 5 : getuid(), f->event_id, payload);
  g_autoptr(GVariant) none = mock_calls(path, "StopTimer");
  g_assert_cmpuint(g_variant_n_children(none), ==, 0);
  if (!by_unref) emtr_aggregate_timer_stop(timer);
  g_object_unref(timer);
  assert_stopped_once(path);
}

static void test_timer(Fixture* f, gconstpointer d) {
  (void)d;
  check_timer(f, FALSE, FALSE, FALSE);
}
static void test_timer_payload(Fixture* f, gconstpointer d) {
  (void)d;
  check_timer(f, TRUE, FALSE, FALSE);
}
static void test_timer_uid(Fixture* f, gconstpointer d) {
  (void)d;
  check_timer(f, TRUE, TRUE, FALSE);
}
static void test_timer_dispose(Fixture* f, gconstpointer d) {
  (void)d;
  check_timer(f, FALSE, FALSE, TRUE);
}

static void test_timer_stopped_before_reply(Fixture* f, gconstpointer d) {
  (void)d;
  mock_set_timer_start_delay(0.5);
  EmtrAggregateTimer* timer =
      emtr_event_recorder_start_aggregate_timer(recorder(), f->event_id, NULL);
  /* Dropped while the recorder is still answering the start. */
  g_object_unref(timer);
  g_autofree gchar* path = started_timer_path(getuid(), f->event_id, NULL);
  mock_set_timer_start_delay(0);
  assert_stopped_once(path);
}

static void test_timer_stop_twice(Fixture* f, gconstpointer d) {
  (void)d;
  EmtrAggregateTimer* timer =
      emtr_event_recorder_start_aggregate_timer(recorder(), f->event_id, NULL);
  g_autofree gchar* path = started_timer_path(getuid(), f->event_id, NULL);
  emtr_aggregate_timer_stop(timer);
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL, "*stopped*");
  emtr_aggregate_timer_stop(timer);
  g_test_assert_expected_messages();
  g_object_unref(timer);
  assert_stopped_once(path);
}

/* Not in the public headers: the original library exported it anyway (declared here as a
   program that linked it would have). */
EmtrAggregateTimer* emtr_aggregate_timer_new(gpointer dbus_proxy, GVariant* event_id,
                                             GVariant* aggregate_key, gboolean has_payload,
                                             GVariant* auxiliary_payload);

static void test_timer_internal_constructor(Fixture* f, gconstpointer d) {
  (void)d;
  guint8 bytes[16];
  gsize n = 0;
  for (const char* c = f->event_id; *c != '\0'; c++) {
    if (*c == '-') continue;
    g_assert_cmpuint(n, <, 2 * G_N_ELEMENTS(bytes));
    const int digit = g_ascii_xdigit_value(*c);
    g_assert_cmpint(digit, >=, 0);
    if (n % 2 == 0)
      bytes[n / 2] = (guint8)(digit << 4);
    else
      bytes[n / 2] |= (guint8)digit;
    n++;
  }
  g_assert_cmpuint(n, ==, 2 * G_N_ELEMENTS(bytes));
  GVariant* id = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, 16, 1);
  EmtrAggregateTimer* timer = emtr_aggregate_timer_new(NULL, id, g_variant_new_string("key"), TRUE,
                                                       g_variant_new_uint32(3));
  g_assert_nonnull(timer);
  g_autoptr(GVariant) payload = g_variant_ref_sink(g_variant_new_uint32(3));
  g_autofree gchar* path = started_timer_path(getuid(), f->event_id, payload);
  emtr_aggregate_timer_stop(timer);
  g_object_unref(timer);
  assert_stopped_once(path);
}

/* ------------------------------------------------------------------ misc API */

static void test_event_id_to_name(void) {
  const gchar* name = NULL;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true(emtr_event_id_to_name(EMTR_EVENT_SHELL_APP_ADDED, &name));
  g_assert_cmpstr(name, ==, "Shell app added");
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_WARNING,
                        "Unknown ID Given: fb59199e-5384-472e-af1e-00b7a419d5c2. The translation "
                        "function emtr_event_id_to_name may need to be updated.");
  g_assert_false(emtr_event_id_to_name("fb59199e-5384-472e-af1e-00b7a419d5c2", &name));
  g_test_assert_expected_messages();
  g_assert_cmpstr(name, ==, "(unknown event)");
  g_test_expect_message("EosMetrics", G_LOG_LEVEL_CRITICAL,
                        "Invalid event ID given: nope! This was not a valid UUID, and was "
                        "probably generated in error.");
  g_assert_false(emtr_event_id_to_name("nope", &name));
  g_test_assert_expected_messages();
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void test_current_time(void) {
  gint64 before = boottime_now();
  gint64 t = 0;
  g_assert_true(emtr_util_get_current_time(CLOCK_BOOTTIME, &t));
  assert_time(t, before, boottime_now());
  g_assert_cmpint(EMTR_MAJOR_VERSION, ==, 0);
  g_assert_true(EMTR_TYPE_EVENT_RECORDER != G_TYPE_INVALID);
  g_assert_true(emtr_event_recorder_get_default() == emtr_event_recorder_get_default());
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char** argv) {
  g_test_init(&argc, &argv, NULL);
  ADD("/record/singular/async", test_singular_async);
  ADD("/record/singular/async-payload", test_singular_async_payload);
  ADD("/record/singular/sync", test_singular_sync);
  ADD("/record/singular/sync-payload", test_singular_sync_payload);
  ADD("/record/aggregate/async", test_aggregate_async);
  ADD("/record/aggregate/async-payload", test_aggregate_async_payload);
  ADD("/record/aggregate/sync", test_aggregate_sync);
  ADD("/record/aggregate/sync-payload", test_aggregate_sync_payload);
  ADD("/record/sequence/async-key", test_sequence_async);
  ADD("/record/sequence/sync-no-key", test_sequence_sync);
  ADD("/record/sequence/unknown-and-duplicate", test_sequence_unknown);
  ADD("/record/refused/maybe-payload", test_maybe_payload);
  ADD("/record/refused/invalid-uuid", test_invalid_uuid);
  ADD("/record/uppercase-uuid", test_uppercase_uuid);
  ADD("/record/disabled/empty", test_disabled_empty);
  ADD("/record/disabled/one", test_disabled_one);
  ADD("/record/disabled/zero-does-not-disable", test_disabled_zero);
  ADD("/timer/no-payload", test_timer);
  ADD("/timer/payload", test_timer_payload);
  ADD("/timer/with-uid", test_timer_uid);
  ADD("/timer/stopped-by-dispose", test_timer_dispose);
  ADD("/timer/stopped-before-reply", test_timer_stopped_before_reply);
  ADD("/timer/stop-twice", test_timer_stop_twice);
  ADD("/timer/internal-constructor", test_timer_internal_constructor);
  g_test_add_func("/api/event-id-to-name", test_event_id_to_name);
  g_test_add_func("/api/current-time-and-version", test_current_time);
  return g_test_run();
}
