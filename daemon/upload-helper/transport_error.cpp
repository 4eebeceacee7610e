// SPDX-License-Identifier: GPL-2.0-or-later
#include "transport_error.hpp"

#include <gio/gio.h>
#include <libsoup/soup.h>

namespace metrics::net {

using upload::NetworkError;

NetworkError network_error_of(const GError* error) {
  if (error == nullptr) return NetworkError::None;
  if (error->domain == G_RESOLVER_ERROR) return NetworkError::DnsFailure;
  if (error->domain == G_TLS_ERROR) return NetworkError::TlsFailure;
  if (error->domain == SOUP_SESSION_ERROR) {
    // Parsing/encoding: the server answered, but not in HTTP we can read.
    return NetworkError::MalformedResponse;
  }
  if (error->domain != G_IO_ERROR) return NetworkError::Other;
  switch (error->code) {
    case G_IO_ERROR_TIMED_OUT:
      return NetworkError::Timeout;
    case G_IO_ERROR_CONNECTION_REFUSED:
      return NetworkError::ConnectionRefused;
    case G_IO_ERROR_CONNECTION_CLOSED:
    case G_IO_ERROR_PARTIAL_INPUT:
    case G_IO_ERROR_CLOSED:
    case G_IO_ERROR_NOT_CONNECTED:
      return NetworkError::ConnectionReset;
    case G_IO_ERROR_NOT_SUPPORTED:
    case G_IO_ERROR_PROXY_NEED_AUTH:
    case G_IO_ERROR_PROXY_AUTH_FAILED:
      return NetworkError::Configuration;
    default:
      return NetworkError::Other;
  }
}

}  // namespace metrics::net
