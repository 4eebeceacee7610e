// SPDX-License-Identifier: GPL-2.0-or-later
// metrics-test-collector: a local stand-in for the Azafea metrics server that checks
// each upload as its front end does, decodes and stores it, with fault injection; for
// tests and for anyone who wants to see what a machine sends (metrics-test-collector.1).
//
//   metrics-test-collector --db PATH [--port N] [--path-prefix P]
//                          (--cert FILE --key FILE | --plain-http)
//
// Prints `LISTENING <port>` first, then one JSON line per accepted upload on stdout;
// rejections and injected faults go to stderr, one line each.

#include <glib-unix.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "database.hpp"
#include "server.hpp"
#include "upload.hpp"

namespace {

constexpr const char* kUsage =
    "usage: metrics-test-collector --db PATH [--port N] [--path-prefix P]\n"
    "                              (--cert FILE --key FILE | --plain-http)\n"
    "\n"
    "  --db PATH         SQLite database for accepted uploads (created if missing)\n"
    "  --port N          port on 127.0.0.1 (default 0: any free port)\n"
    "  --cert FILE       server certificate, PEM (HTTPS)\n"
    "  --key FILE        private key of the certificate, PEM\n"
    "  --plain-http      serve plain HTTP instead of HTTPS\n"
    "  --path-prefix P   serve the upload routes under P (as behind a reverse proxy that\n"
    "                    strips P) instead of at the root, as the stock server does\n"
    "\n"
    "Uploads: PUT <prefix>/2/<sha512> and PUT <prefix>/3/<sha512>; any other PUT is 405.\n"
    "Control: POST /control/faults, POST /control/rules, GET /control/stats, POST "
    "/control/reset.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "metrics-test-collector: %s\n%s", message.c_str(), kUsage);
  return 2;
}

bool parse_port(std::string_view text, unsigned& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return false;
  port = value;
  return true;
}

gboolean quit_loop(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_CONTINUE;
}

metrics::GSourcePtr watch_signal(int signum, GMainLoop* loop) {
  metrics::GSourcePtr source(g_unix_signal_source_new(signum));
  g_source_set_callback(source.get(), &quit_loop, loop, nullptr);
  g_source_attach(source.get(), nullptr);
  return source;
}

}  // namespace

int main(int argc, char** argv) {
  collector::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--plain-http") {
      options.plain_http = true;
    } else if (arg == "--port") {
      std::string text;
      if (!value(text) || !parse_port(text, options.port)) return usage_error("bad --port");
    } else if (arg == "--cert") {
      if (!value(options.cert_file)) return usage_error("--cert needs a file");
    } else if (arg == "--key") {
      if (!value(options.key_file)) return usage_error("--key needs a file");
    } else if (arg == "--db") {
      if (!value(options.db_path)) return usage_error("--db needs a path");
    } else if (arg == "--path-prefix") {
      std::string text;
      if (!value(text)) return usage_error("--path-prefix needs a path");
      auto prefix = collector::normal_path_prefix(text);
      if (!prefix) {
        return usage_error("--path-prefix '" + text +
                           "' is not a path such as /metrics (it starts with /, and has no "
                           "empty, . or .. segment)");
      }
      options.path_prefix = *prefix;
    } else {
      return usage_error("unknown argument " + std::string(arg));
    }
  }
  if (options.db_path.empty()) return usage_error("--db is required");
  if (!options.plain_http && (options.cert_file.empty() || options.key_file.empty())) {
    return usage_error("--cert and --key are required unless --plain-http");
  }

  // A client that goes away must not kill us while we write to it.
  std::signal(SIGPIPE, SIG_IGN);

  auto db = collector::Database::open(options.db_path);
  if (!db) {
    std::fprintf(stderr, "metrics-test-collector: %s\n", db.error().message.c_str());
    return 1;
  }
  metrics::GMainLoopPtr loop(g_main_loop_new(nullptr, FALSE));
  metrics::GSourcePtr on_term = watch_signal(SIGTERM, loop.get());
  metrics::GSourcePtr on_int = watch_signal(SIGINT, loop.get());

  auto server = collector::Server::start(options, *db.value());
  if (!server) {
    std::fprintf(stderr, "metrics-test-collector: %s\n", server.error().message.c_str());
    return 1;
  }
  std::printf("LISTENING %u\n", server.value()->port());
  std::fflush(stdout);

  g_main_loop_run(loop.get());
  return 0;
}
