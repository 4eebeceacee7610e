// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_session_io.hpp"

#include "upload_step_timer.hpp"
#include "upload_transport.hpp"

namespace metrics::net {

Result<std::unique_ptr<upload::Transport>> HelperSessionIo::open_transport(
    const upload::TransportSettings& settings) {
  auto transport = UploadTransport::create(settings);
  if (!transport) return transport.error();
  return std::unique_ptr<upload::Transport>(std::move(*transport));
}

std::unique_ptr<upload::StepTimer> HelperSessionIo::new_step_timer() {
  return std::make_unique<MainLoopStepTimer>();
}

}  // namespace metrics::net
