// SPDX-License-Identifier: GPL-2.0-or-later
#include "errors.hpp"

namespace metrics::bus {

std::string error_name(ErrorCode code) {
  return std::string(error_dbus_name(code));
}

MessagePtr new_error_reply(sd_bus_message* call, const Error& error) {
  sd_bus_message* reply = nullptr;
  const std::string name = error_name(error.code);
  if (sd_bus_message_new_method_errorf(call, &reply, name.c_str(), "%s", error.message.c_str()) < 0)
    return nullptr;
  return MessagePtr(reply);
}

int reply_error(sd_bus_message* call, const Error& error) {
  const std::string name = error_name(error.code);
  return sd_bus_reply_method_errorf(call, name.c_str(), "%s", error.message.c_str());
}

}  // namespace metrics::bus
