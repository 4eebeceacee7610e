// SPDX-License-Identifier: GPL-2.0-or-later
// The upload log as Control1.GetUploadLog carries it, a(xxssttttsisb): written by the
// recorder and read by metricsctl through this one definition. Times travel in whole
// seconds since the epoch.
#pragma once

#include <glib.h>

#include <vector>

#include "glib_handles.hpp"
#include "ledger.hpp"
#include "result.hpp"

namespace metrics {

inline constexpr const char* kUploadLogType = "a(xxssttttsisb)";

GVariantPtr encode_upload_log(const std::vector<LedgerEntry>& entries);
// Fails when `log` is not of kUploadLogType.
Result<std::vector<LedgerEntry>> decode_upload_log(GVariant* log);

}  // namespace metrics
