// SPDX-License-Identifier: LGPL-2.1-or-later
// The client-side kill switch of the original library: EOS_DISABLE_METRICS.
#pragma once

namespace emtr {

// True when EOS_DISABLE_METRICS is set to "" or "1": the recorder then sends nothing.
bool disabled_by_environment();

}  // namespace emtr
