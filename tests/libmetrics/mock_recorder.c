/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mock_recorder.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

static GDBusConnection* bus_connection;
static GSubprocess* mock_process;

GDBusConnection* mock_bus(void) {
  if (bus_connection == NULL) {
    g_autoptr(GError) error = NULL;
    const char* address = g_getenv("DBUS_SYSTEM_BUS_ADDRESS");
    g_assert_nonnull(address);
    bus_connection =
        g_dbus_connection_new_for_address_sync(address,
                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                               NULL, NULL, &error);
    g_assert_no_error(error);
  }
  return bus_connection;
}

static gboolean name_has_owner(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      mock_bus(), "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "NameHasOwner", g_variant_new("(s)", "com.endlessm.Metrics"), G_VARIANT_TYPE("(b)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  gboolean owned = FALSE;
  g_variant_get(reply, "(b)", &owned);
  return owned;
}

static void wait_owner(gboolean owned) {
  gint64 deadline = g_get_monotonic_time() + G_GINT64_CONSTANT(15) * G_USEC_PER_SEC;
  while (name_has_owner() != owned) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_usleep(10000);
  }
}

void mock_start(void) {
  g_assert_null(mock_process);
  const char* template_path = g_getenv("EMTR_TEST_MOCK_TEMPLATE");
  g_assert_nonnull(template_path);
  g_autoptr(GError) error = NULL;
  mock_process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "/usr/bin/python3",
                                  "-m", "dbusmock", "--system", "--template", template_path, NULL);
  g_assert_no_error(error);
  wait_owner(TRUE);
}

void mock_stop(void) {
  g_assert_nonnull(mock_process);
  g_subprocess_send_signal(mock_process, SIGTERM);
  g_autoptr(GError) error = NULL;
  g_subprocess_wait(mock_process, NULL, &error);
  g_assert_no_error(error);
  g_clear_object(&mock_process);
  wait_owner(FALSE);
}

static void call_mock_setter(const char* method, double seconds) {
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      mock_bus(), "com.endlessm.Metrics", MOCK_MAIN_PATH, "org.freedesktop.DBus.Mock", method,
      g_variant_new("(d)", seconds), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  (void)reply; /* kept only to be freed: the answer is empty */
}

void mock_set_timer_start_delay(double seconds) {
  call_mock_setter("SetTimerStartDelay", seconds);
}

void mock_set_record_delay(double seconds) {
  call_mock_setter("SetRecordDelay", seconds);
}

/* g_subprocess_send_signal() sends the signal later, from GLib's worker thread: a mock
 * that must be stopped before the next call is made gets the signal here, at once. */
static pid_t mock_pid(void) {
  g_assert_nonnull(mock_process);
  const char* id = g_subprocess_get_identifier(mock_process);
  g_assert_nonnull(id);
  return (pid_t)g_ascii_strtoll(id, NULL, 10);
}

/* The state letter of /proc/PID/stat ('T' once stopped), '?' when unreadable. */
static char process_state(pid_t pid) {
  g_autofree gchar* path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree gchar* stat = NULL;
  if (!g_file_get_contents(path, &stat, NULL, NULL)) return '?';
  /* The command name may hold spaces and ')': the state follows the last ')'. */
  const char* close = strrchr(stat, ')');
  if (close == NULL || close[1] != ' ') return '?';
  return close[2];
}

void mock_freeze(void) {
  const pid_t pid = mock_pid();
  g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
  gint64 deadline = g_get_monotonic_time() + G_GINT64_CONSTANT(15) * G_USEC_PER_SEC;
  while (process_state(pid) != 'T') {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_usleep(1000);
  }
}

void mock_thaw(void) {
  g_assert_cmpint(kill(mock_pid(), SIGCONT), ==, 0);
}

void mock_clear(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      mock_bus(), "com.endlessm.Metrics", MOCK_MAIN_PATH, "org.freedesktop.DBus.Mock", "ClearCalls",
      NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  (void)reply; /* kept only to be freed: the answer is empty */
}

GVariant* mock_calls(const char* path, const char* method) {
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      mock_bus(), "com.endlessm.Metrics", path, "org.freedesktop.DBus.Mock", "GetMethodCalls",
      g_variant_new("(s)", method), G_VARIANT_TYPE("(a(tav))"), G_DBUS_CALL_FLAGS_NONE, 30000, NULL,
      &error);
  g_assert_no_error(error);
  return g_variant_get_child_value(reply, 0);
}

GVariant* mock_wait_calls(const char* path, const char* method, guint n, guint timeout_ms) {
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  for (;;) {
    g_autoptr(GVariant) calls = mock_calls(path, method);
    if (g_variant_n_children(calls) >= n || g_get_monotonic_time() > deadline) break;
    g_usleep(20000);
  }
  g_usleep(100000);
  return mock_calls(path, method);
}

GVariant* mock_call_arg(GVariant* call, gsize i) {
  g_autoptr(GVariant) args = g_variant_get_child_value(call, 1);
  g_autoptr(GVariant) boxed = g_variant_get_child_value(args, i);
  return g_variant_get_variant(boxed);
}

gint64 boottime_now(void) {
  struct timespec ts;
  g_assert_cmpint(clock_gettime(CLOCK_BOOTTIME, &ts), ==, 0);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

gchar* uuid_of_bytes(GVariant* ay) {
  gsize n = 0;
  const guint8* b = g_variant_get_fixed_array(ay, &n, 1);
  g_assert_cmpuint(n, ==, 16);
  return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}
