// SPDX-License-Identifier: GPL-2.0-or-later
// eos-metrics-upload-helper: makes the recorder's HTTPS requests for one upload session.
//
// The recorder starts it when a session begins and ends it when the session ends: the
// TLS and HTTP stack (libsoup, GnuTLS and their libraries) is never loaded into the
// long-running daemon, and what the network sends is parsed in a process that has no
// handle on the queue. Frames on stdin and stdout (upload_helper_protocol.hpp); nothing
// else is read or written there. Problems go to stderr, which is the recorder's
// (the journal under systemd). Not meant to be run by hand.
#include <glib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "http_client.hpp"
#include "upload_helper_protocol.hpp"

namespace {

using namespace metrics;
using upload_helper::Frame;
using upload_helper::FrameReader;

constexpr int kStdin = 0;
constexpr int kStdout = 1;

void complain(const std::string& message) {
  std::fprintf(stderr, "eos-metrics-upload-helper: %s\n", message.c_str());
}

bool write_all(const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(kStdout, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      complain(std::string("cannot answer the recorder: ") + g_strerror(errno));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// The next frame from the recorder; nullopt at the end of its input (time to exit) or
// on a broken stream (said on stderr; `broken` tells which).
std::optional<Frame> read_frame(FrameReader& reader, bool& broken) {
  std::array<uint8_t, 65536> chunk{};
  while (true) {
    auto frame = reader.next();
    if (!frame) {
      complain(frame.error().message);
      broken = true;
      return std::nullopt;
    }
    if (frame->has_value()) return std::move(**frame);
    const ssize_t n = read(kStdin, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      complain(std::string("cannot read from the recorder: ") + g_strerror(errno));
      broken = true;
      return std::nullopt;
    }
    if (n == 0) {
      broken = reader.partial();
      if (broken) complain("the recorder's input ended inside a frame");
      return std::nullopt;
    }
    reader.feed(std::span<const uint8_t>(chunk.data(), static_cast<size_t>(n)));
  }
}

// One request, waited for on the main loop (libsoup's callbacks run there).
upload::AttemptResult send(net::HttpClient& client, const upload_helper::PutRequest& put) {
  std::optional<upload::AttemptResult> answer;
  client.put(put.url, put.body.get(),
             [&answer](upload::AttemptResult result) { answer = std::move(result); });
  while (!answer) g_main_context_iteration(nullptr, TRUE);
  return std::move(*answer);
}

}  // namespace

int main(int argc, char** argv) {
  (void)argv;
  if (argc != 1 || isatty(kStdin) || isatty(kStdout)) {
    complain("started by the event recorder for each upload; not to be run by hand");
    return 2;
  }
  // Ends with the recorder even if it dies without closing the pipe.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A recorder gone away shows as a failed write, not as a signal.
  signal(SIGPIPE, SIG_IGN);

  FrameReader reader;
  bool broken = false;
  auto first = read_frame(reader, broken);
  if (!first) return broken ? 1 : 0;
  auto settings = upload_helper::parse_settings(*first);
  if (!settings) {
    complain(settings.error().message);
    (void)write_all(upload_helper::setup_failed_frame(settings.error()));
    return 1;
  }
  auto client = net::HttpClient::create(*settings);
  if (!client) {
    return write_all(upload_helper::setup_failed_frame(client.error())) ? 0 : 1;
  }
  while (auto frame = read_frame(reader, broken)) {
    auto put = upload_helper::parse_put(*frame);
    if (!put) {
      complain(put.error().message);
      return 1;
    }
    if (!write_all(upload_helper::answer_frame(send(**client, *put)))) return 1;
  }
  return broken ? 1 : 0;
}
