/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared declarations every other header needs. */
#pragma once

#if !(defined(_EMTR_INSIDE_EOSMETRICS_H) || defined(COMPILING_EOS_METRICS))
#error "Only <eosmetrics/eosmetrics.h> can be included directly."
#endif

#include "emtr-apiversion.h"

#include <glib-object.h>
