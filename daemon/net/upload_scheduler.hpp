// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's upload scheduler: UploadCoordinator (daemon/core: when to upload, what a
// session does) wired to the machine: GIO's network monitor, a CLOCK_BOOTTIME timer, and
// the upload-helper process with main-loop sources for each session.
#pragma once

#include "network_state.hpp"
#include "upload_coordinator.hpp"
#include "upload_session_io.hpp"
#include "upload_wake_timer.hpp"

namespace metrics::net {

using metrics::SessionProgress;
using metrics::UploadStatus;

// The adapters, built before the coordinator that uses them (a base of UploadScheduler).
struct UploadSchedulerIo {
  explicit UploadSchedulerIo(const std::function<void()>& changed)
      : network(changed), timer(changed) {}
  NetworkState network;
  UploadWakeTimer timer;
  HelperSessionIo session_io;
};

class UploadScheduler : private UploadSchedulerIo, public UploadCoordinator {
 public:
  UploadScheduler(Recorder& recorder, Ledger& ledger, const config::RecorderSettings& settings,
                  BatchContext context, upload::Rng rng)
      : UploadSchedulerIo([this] { wake(); }),
        UploadCoordinator(recorder, ledger, settings, std::move(context), std::move(rng),
                          UploadSchedulerIo::network, UploadSchedulerIo::timer,
                          UploadSchedulerIo::session_io) {}
};

}  // namespace metrics::net
