/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one header applications include: <eosmetrics/eosmetrics.h>.
 *
 * The API is that of the Endless OS metrics client library, so existing programs build
 * unchanged; the other headers only make sense through this one and refuse direct inclusion.
 */
#ifndef EOSMETRICS_H
#define EOSMETRICS_H

#include <glib.h>

G_BEGIN_DECLS

#define _EMTR_INSIDE_EOSMETRICS_H

#include "emtr-aggregate-timer.h"
#include "emtr-event-recorder.h"
#include "emtr-event-types.h"
#include "emtr-types.h"
#include "emtr-util.h"

#undef _EMTR_INSIDE_EOSMETRICS_H

G_END_DECLS

#endif /* EOSMETRICS_H */
