/* SPDX-License-Identifier: GPL-2.0-or-later */
/* C side of the libmetrics tests: the dbusmock stand-in of the recorder on the private
 * bus that run_on_private_bus.py provides, and its call log. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MOCK_MAIN_PATH "/com/endlessm/Metrics"

/* The test's own connection to the private bus (not the library's). */
GDBusConnection* mock_bus(void);
/* Starts/stops the stand-in (python3 -m dbusmock) and waits for the name to (dis)appear. */
void mock_start(void);
void mock_stop(void);
/* Holds back the StartAggregateTimer reply of the running stand-in. */
void mock_set_timer_start_delay(double seconds);
/* Makes each RecordSingularEvent of the running stand-in take at least `seconds`. */
void mock_set_record_delay(double seconds);
/* Freezes (SIGSTOP) and thaws (SIGCONT) the running stand-in: a recorder that hangs. */
void mock_freeze(void);
void mock_thaw(void);
void mock_clear(void);
/* The logged calls of `method` on `path`: a(tav), oldest first. */
GVariant* mock_calls(const char* path, const char* method);
/* Waits until `method` was called at least n times (or timeout_ms passed), then a little
 * longer so that surplus calls show; returns the log. */
GVariant* mock_wait_calls(const char* path, const char* method, guint n, guint timeout_ms);
/* Argument `i` of logged call `call` (an element of the a(tav)). */
GVariant* mock_call_arg(GVariant* call, gsize i);

gint64 boottime_now(void);
/* Canonical lowercase UUID string of 16 bytes in an "ay". */
gchar* uuid_of_bytes(GVariant* ay);

G_END_DECLS
