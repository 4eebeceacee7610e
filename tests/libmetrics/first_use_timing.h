/* Runs first_use (path in $EMTR_TEST_FIRST_USE) several times; asserts that the median
 * get_default() and first record_event() each took under 1 ms — under 10 ms in an
 * ASan+UBSan build (EMTR_SANITIZE=1), where creating the delivery thread alone costs
 * about 1 ms (the sanitizer maps a shadow and fake stack per thread). */
#pragma once

#include <glib.h>

void assert_first_use_is_fast(const char* what);
