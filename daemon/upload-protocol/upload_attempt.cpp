// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload_attempt.hpp"

namespace metrics::upload {

const char* network_error_name(NetworkError error) {
  switch (error) {
    case NetworkError::None:
      return "none";
    case NetworkError::Timeout:
      return "timeout";
    case NetworkError::ConnectionRefused:
      return "connection refused";
    case NetworkError::ConnectionReset:
      return "connection reset";
    case NetworkError::DnsFailure:
      return "DNS failure";
    case NetworkError::TlsFailure:
      return "TLS failure";
    case NetworkError::Other:
      return "network failure";
    case NetworkError::Configuration:
      return "configuration";
    case NetworkError::HelperFailure:
      return "upload helper failure";
    case NetworkError::MalformedResponse:
      return "malformed response";
  }
  return "network failure";
}

}  // namespace metrics::upload
