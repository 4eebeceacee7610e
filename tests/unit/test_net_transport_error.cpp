// SPDX-License-Identifier: GPL-2.0-or-later
// How transport errors map onto the upload rules: a wrong mapping would retry what
// cannot succeed, or give up on what would.
#include <gtest/gtest.h>
#include <libsoup/soup.h>

#include "glib_handles.hpp"
#include "transport_error.hpp"
#include "upload_policy.hpp"

namespace metrics::net {
namespace {

using upload::NetworkError;

NetworkError of(GQuark domain, int code) {
  GErrorPtr error(g_error_new_literal(domain, code, "test"));
  return network_error_of(error.get());
}

TEST(TransportError, Mapping) {
  EXPECT_EQ(network_error_of(nullptr), NetworkError::None);
  EXPECT_EQ(of(G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND), NetworkError::DnsFailure);
  EXPECT_EQ(of(G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE), NetworkError::DnsFailure);
  EXPECT_EQ(of(G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE), NetworkError::TlsFailure);
  EXPECT_EQ(of(G_TLS_ERROR, G_TLS_ERROR_NOT_TLS), NetworkError::TlsFailure);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_TIMED_OUT), NetworkError::Timeout);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED), NetworkError::ConnectionRefused);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED), NetworkError::ConnectionReset);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT), NetworkError::ConnectionReset);
  // The server answered, in something that is not HTTP: its fault, not the connection's.
  EXPECT_EQ(of(SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_PARSING), NetworkError::MalformedResponse);
  EXPECT_EQ(of(SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_ENCODING), NetworkError::MalformedResponse);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE), NetworkError::Other);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_PROXY_FAILED), NetworkError::Other);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED), NetworkError::Configuration);
  EXPECT_EQ(of(G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED), NetworkError::Configuration);
  EXPECT_EQ(of(G_FILE_ERROR, G_FILE_ERROR_NOENT), NetworkError::Other);
}

TEST(TransportError, WhatTheRulesMakeOfThem) {
  // Transient failures are retried; only configuration problems stop retrying.
  for (NetworkError e :
       {NetworkError::Timeout, NetworkError::ConnectionRefused, NetworkError::ConnectionReset,
        NetworkError::DnsFailure, NetworkError::TlsFailure, NetworkError::Other,
        NetworkError::MalformedResponse})
    EXPECT_EQ(upload::classify_network_error(e), upload::Outcome::Retry);
  upload::AttemptResult garbage;
  garbage.network_error = NetworkError::MalformedResponse;
  EXPECT_EQ(upload::classify(garbage, 0).error->code, ErrorCode::kUploadServerError);
  EXPECT_EQ(upload::classify_network_error(NetworkError::Configuration), upload::Outcome::Fatal);
}

}  // namespace
}  // namespace metrics::net
