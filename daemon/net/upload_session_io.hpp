// SPDX-License-Identifier: GPL-2.0-or-later
// What an upload session opens in the daemon: the upload-helper process as its transport
// and main-loop sources for its steps.
#pragma once

#include <memory>

#include "upload_io.hpp"

namespace metrics::net {

class HelperSessionIo final : public upload::SessionIo {
 public:
  Result<std::unique_ptr<upload::Transport>> open_transport(
      const upload::TransportSettings& settings) override;
  std::unique_ptr<upload::StepTimer> new_step_timer() override;
};

}  // namespace metrics::net
