// SPDX-License-Identifier: GPL-2.0-or-later
// What became of one request, as the upload helper reports it and the recorder's upload
// rules (upload_policy.hpp) classify it.
#pragma once

#include <cstdint>
#include <string>

namespace metrics::upload {

enum class NetworkError {
  None,     // an HTTP response arrived (see http_status)
  Timeout,  // connect or response timeout
  ConnectionRefused,
  ConnectionReset,  // also a connection closed before a complete response
  DnsFailure,       // the host name did not resolve
  TlsFailure,       // handshake failed, untrusted or mismatched certificate
  Other,            // any other transport failure (network unreachable, proxy down…)
  Configuration,    // unusable URL, proxy or trust file: retrying cannot help
  // The upload helper died, stalled or answered nonsense with a request in flight (the
  // request may have reached the server). Never sent by the helper itself.
  HelperFailure,
  // The server answered, but not in HTTP that can be read (a broken status line or
  // headers): the server's fault, like a 5xx.
  MalformedResponse,
};
const char* network_error_name(NetworkError error);

struct AttemptResult {
  NetworkError network_error = NetworkError::None;
  int http_status = 0;      // meaningful when network_error == None
  std::string retry_after;  // the Retry-After header's value, "" when absent
  std::string detail;       // transport error text or response excerpt, for messages
  // Bytes of the (compressed) body the helper wrote to the connection: 0 when it never
  // connected (refused, DNS, TLS handshake); what the ledger calls "sent".
  uint64_t bytes_sent = 0;
};

}  // namespace metrics::upload
