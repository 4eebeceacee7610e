/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs first_use (path in $EMTR_TEST_FIRST_USE) several times and asserts that neither
 * get_default() nor the first record_event() waited on the bus: a call that does waits
 * for the D-Bus reply timeout (25 s) when nobody answers, so anything well below it
 * shows that the library did not block. How fast the calls are is a benchmark's
 * question (bench/libmetrics_bench.cpp), not a test's: the figures are only reported. */
#pragma once

#include <glib.h>

/* Far below the 25 s a blocking call would take, far above any scheduling delay. */
#define EMTR_TEST_NOT_BLOCKED_US (G_GINT64_CONSTANT(5) * G_USEC_PER_SEC)

void assert_first_use_does_not_block(const char* what);
