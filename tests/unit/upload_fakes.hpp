// SPDX-License-Identifier: GPL-2.0-or-later
// Fakes of upload_io.hpp's interfaces for unit tests: a network whose state is two
// fields, a wake-up timer that only remembers when it is armed, a transport whose
// requests wait until the test answers them, and session steps that run when the test
// turns the (fake) main loop, moving the fake clock to each step's time. No real I/O, no
// sleeping.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_clock.hpp"
#include "upload_io.hpp"

namespace metrics::testing {

class FakeNetwork final : public upload::NetworkMonitor {
 public:
  bool available() const override { return up; }
  bool metered() const override { return metered_connection; }
  bool up = true;
  bool metered_connection = false;
};

class FakeWakeTimer final : public upload::WakeTimer {
 public:
  Result<void> arm_at(int64_t boottime_ns) override {
    armed_at = boottime_ns;
    return {};
  }
  void disarm() override { armed_at.reset(); }
  std::optional<int64_t> armed_at;
};

// The server side of the fake transports: every request put, in order; the ones not
// answered yet wait in `pending`.
struct FakeServer {
  struct Request {
    std::string url;
    std::vector<uint8_t> gzip_body;
    upload::Transport::Done done;
    std::shared_ptr<bool> transport_alive;
  };
  std::deque<Request> pending;
  std::vector<std::string> urls;  // of every request put
  unsigned transports_opened = 0;
  unsigned transports_closed = 0;
  std::optional<Error> refuse_open;  // open_transport fails with it

  // Answers the oldest waiting request; false when its transport is gone (the request
  // was cancelled: nobody hears the answer) or nothing waits.
  bool answer(Result<upload::AttemptResult> result) {
    if (pending.empty()) return false;
    Request request = std::move(pending.front());
    pending.pop_front();
    if (!*request.transport_alive) return false;
    request.done(std::move(result));
    return true;
  }
  bool answer_status(int status, const std::string& retry_after = "") {
    upload::AttemptResult a;
    a.http_status = status;
    a.retry_after = retry_after;
    return answer(a);
  }
  bool answer_network_error(upload::NetworkError error) {
    upload::AttemptResult a;
    a.network_error = error;
    a.detail = "fake network failure";
    return answer(a);
  }
};

class FakeTransport final : public upload::Transport {
 public:
  explicit FakeTransport(FakeServer& server) : server_(server) { ++server_.transports_opened; }
  ~FakeTransport() override {
    *alive_ = false;
    ++server_.transports_closed;
  }
  void put(const std::string& url, const std::vector<uint8_t>& gzip_body, Done done) override {
    server_.urls.push_back(url);
    server_.pending.push_back({url, gzip_body, std::move(done), alive_});
  }

 private:
  FakeServer& server_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The fake main loop of the sessions' steps.
class FakeSessionIo final : public upload::SessionIo {
 public:
  explicit FakeSessionIo(FakeClock& clock) : clock_(clock) {}

  Result<std::unique_ptr<upload::Transport>> open_transport(
      const upload::TransportSettings& settings) override {
    last_settings = settings;
    if (server.refuse_open) return *server.refuse_open;
    return std::unique_ptr<upload::Transport>(std::make_unique<FakeTransport>(server));
  }
  std::unique_ptr<upload::StepTimer> new_step_timer() override {
    return std::make_unique<Steps>(*this);
  }

  // Runs the pending steps, earliest first, moving the clock forward to each one's time,
  // until none is left (a request waits for its answer, or the session ended). Returns
  // the steps run.
  unsigned run() {
    unsigned ran = 0;
    for (; ran < 100000; ++ran) {
      Steps* next = nullptr;
      for (Steps* s : live_)
        if (s->step && (!next || s->due < next->due)) next = s;
      if (!next) break;
      if (next->due > clock_.boottime) clock_.advance(next->due - clock_.boottime);
      std::function<void()> step = std::move(next->step);
      next->step = nullptr;
      step();  // may destroy `next`
    }
    return ran;
  }
  // The delays sessions asked for, in order (0 = next turn).
  std::vector<int64_t> delays;

  FakeServer server;
  upload::TransportSettings last_settings;

 private:
  struct Steps final : public upload::StepTimer {
    explicit Steps(FakeSessionIo& io) : io_(io) { io_.live_.push_back(this); }
    ~Steps() override { std::erase(io_.live_, this); }
    void schedule(int64_t delay_ns, std::function<void()> fn) override {
      io_.delays.push_back(delay_ns);
      due = io_.clock_.boottime + delay_ns;
      step = std::move(fn);
    }
    FakeSessionIo& io_;
    int64_t due = 0;
    std::function<void()> step;
  };

  FakeClock& clock_;
  std::vector<Steps*> live_;
};

}  // namespace metrics::testing
