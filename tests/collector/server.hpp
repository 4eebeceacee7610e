// SPDX-License-Identifier: GPL-2.0-or-later
// The collector's HTTP(S) server: uploads, fault injection and the control endpoints.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "database.hpp"
#include "faults.hpp"
#include "result.hpp"
#include "soup_handles.hpp"
#include "upload.hpp"

namespace collector {

using metrics::GInetAddressPtr;
using metrics::GIOStreamPtr;
using metrics::GSListPtr;
using metrics::GSocketAddressPtr;
using metrics::GTlsCertificatePtr;
using metrics::share_object;
using metrics::SoupServerMessagePtr;
using metrics::SoupServerPtr;

struct Options {
  unsigned port = 0;  // 0: any free port
  std::string cert_file;
  std::string key_file;
  std::string db_path;
  bool plain_http = false;
  // Where the upload routes live: "" = the root of the site, as the stock proxy serves
  // them; "/a/b" = under that path, as behind a reverse proxy that strips it.
  std::string path_prefix;
};

class Server {
 public:
  // Listens on 127.0.0.1. `db` must outlive the server.
  static metrics::Result<std::unique_ptr<Server>> start(const Options& options, Database& db);
  Server(Database& db, std::string path_prefix) : db_(db), path_prefix_(std::move(path_prefix)) {}
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned port() const { return port_; }

 private:
  // What is known about an upload when it arrives.
  struct Upload {
    int64_t received_at_us = 0;
    std::string path;
    Route route;
  };
  // An upload answered after a delay (fault `delay_ms`).
  struct Delayed {
    Server* owner = nullptr;
    uint64_t id = 0;
    Upload upload;
    SoupServerMessagePtr message;
    metrics::GSourcePtr timer;
  };

  static void on_request(SoupServer* server, SoupServerMessage* msg, const char* path,
                         GHashTable* query, gpointer self);
  static void on_request_started(SoupServer* server, SoupServerMessage* msg, gpointer self);
  static gboolean on_delay_expired(gpointer delayed);

  void handle_upload(SoupServerMessage* msg, const char* path);
  void handle_control(SoupServerMessage* msg, const std::string& path, const std::string& method);
  // Validates and stores the upload and sets the response.
  void answer_upload(SoupServerMessage* msg, const Upload& upload);
  void apply_fault(SoupServerMessage* msg, const Fault& fault, Upload upload);
  void count_connection(SoupServerMessage* msg);

  Database& db_;
  const std::string path_prefix_;
  unsigned port_ = 0;
  std::deque<Fault> faults_;
  Rules rules_;
  uint64_t ruled_ = 0;  // uploads answered by a rule
  uint64_t accepted_ = 0;
  uint64_t rejected_ = 0;
  uint64_t faults_applied_ = 0;
  uint64_t connections_ = 0;
  // Bumped by /control/reset, so that connections still open are counted again.
  uintptr_t generation_ = 1;
  uint64_t next_delayed_id_ = 1;
  std::map<uint64_t, Delayed> delayed_;
  std::vector<SoupServerMessagePtr> hung_;  // paused forever (fault `hang`)
  // Declared last, so destroyed first: no callback can reach a destroyed member.
  SoupServerPtr server_;
};

}  // namespace collector
