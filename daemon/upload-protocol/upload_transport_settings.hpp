// SPDX-License-Identifier: GPL-2.0-or-later
// How the uploader reaches the server: proxy, trusted certificates, timeout, and which
// program makes the requests. Plain values: the upload session (core) hands them to
// whichever transport the daemon gives it.
#pragma once

#include <string>

namespace metrics::upload {

struct TransportSettings {
  // "" = direct, never the environment's or desktop's proxy settings: a system daemon
  // must not pick up a proxy nobody configured for it. Else http://, https://,
  // socks4://, socks4a://, socks5:// or socks5h:// (SOCKS 5 always resolves host names
  // at the proxy, so socks5:// and socks5h:// behave alike, as Tor needs).
  std::string proxy_url;
  // "" = the system trust store; else a PEM file of the CA certificates to trust.
  std::string trust_file;
  // Longest wait for progress while connecting, sending or waiting for the answer.
  unsigned timeout_seconds = 60;
  // The upload helper; "" = eos-metrics-upload-helper next to the running executable
  // (both live in libexecdir when installed, in build/daemon in a build tree). The
  // recorder's side only: never sent to the helper.
  std::string helper_path;
};

}  // namespace metrics::upload
