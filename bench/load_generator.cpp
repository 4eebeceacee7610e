// SPDX-License-Identifier: GPL-2.0-or-later
// metrics-bench-load: drives RecordSingularEvent at a service with a bounded number of
// calls in flight, then reports throughput and the service's CPU, RSS and write cost per
// event. Single-threaded: one poll() over every connection keeps the figures about the
// service, not about client-side scheduling.
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "recorder_interface.hpp"

namespace {

enum class Payload { kNone, kSmall, k1k };

struct Options {
  uint64_t events = 10000;
  uint64_t in_flight = 64;
  uint64_t connections = 4;
  Payload payload = Payload::kNone;
  std::string payload_name = "none";
  std::optional<long> pid;
  std::string dest = bench::kDefaultName;
};

void Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--events N] [--in-flight K] [--connections C]\n"
               "          [--payload none|small|1k] [--pid PID] [--dest NAME]\n",
               argv0);
}

bool ParseU64(const std::string& s, uint64_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
  if (errno != 0) return false;
  out = v;
  return true;
}

// Returns 0 on success, 1 for --help, 2 for bad usage.
int ParseOptions(int argc, char** argv, Options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    std::string value;
    if (key == "--help" || key == "-h") return 1;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "missing value for %s\n", key.c_str());
      return 2;
    }
    bool ok = true;
    if (key == "--events") {
      ok = ParseU64(value, opt.events) && opt.events > 0;
    } else if (key == "--in-flight") {
      ok = ParseU64(value, opt.in_flight) && opt.in_flight > 0;
    } else if (key == "--connections") {
      ok = ParseU64(value, opt.connections) && opt.connections > 0 && opt.connections <= 1024;
    } else if (key == "--payload") {
      opt.payload_name = value;
      if (value == "none") {
        opt.payload = Payload::kNone;
      } else if (value == "small") {
        opt.payload = Payload::kSmall;
      } else if (value == "1k") {
        opt.payload = Payload::k1k;
      } else {
        ok = false;
      }
    } else if (key == "--pid") {
      uint64_t p = 0;
      ok = ParseU64(value, p) && p > 0;
      if (ok) opt.pid = static_cast<long>(p);
    } else if (key == "--dest") {
      opt.dest = value;
      ok = !value.empty();
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "bad value for %s: %s\n", key.c_str(), value.c_str());
      return 2;
    }
  }
  return 0;
}

// --- /proc sampling of the service under test -------------------------------------------

struct ProcSample {
  std::optional<uint64_t> cpu_us;       // utime + stime
  std::optional<uint64_t> write_bytes;  // /proc/PID/io (needs same uid or ptrace access)
  std::optional<uint64_t> wchar;
  std::optional<uint64_t> rss_kib;
};

std::optional<uint64_t> ReadCpuUs(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return std::nullopt;
  // comm (field 2) may contain spaces and ')', so start after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  std::string tok;
  uint64_t utime = 0, stime = 0;
  // Tokens after ')' start at field 3; utime/stime are fields 14 and 15.
  for (int field = 3; field <= 15 && (rest >> tok); ++field) {
    if (field == 14 && !ParseU64(tok, utime)) return std::nullopt;
    if (field == 15) {
      if (!ParseU64(tok, stime)) return std::nullopt;
      long hz = sysconf(_SC_CLK_TCK);
      if (hz <= 0) return std::nullopt;
      return (utime + stime) * 1000000ULL / static_cast<uint64_t>(hz);
    }
  }
  return std::nullopt;
}

// Reads "Key:   value ..." style files (/proc/PID/status, /proc/PID/io).
std::optional<uint64_t> ReadKeyed(const std::string& path, const std::string& key) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ':') {
      std::istringstream v(line.substr(key.size() + 1));
      uint64_t n = 0;
      if (v >> n) return n;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

ProcSample Sample(long pid) {
  std::string base = "/proc/" + std::to_string(pid);
  ProcSample s;
  s.cpu_us = ReadCpuUs(pid);
  s.write_bytes = ReadKeyed(base + "/io", "write_bytes");
  s.wchar = ReadKeyed(base + "/io", "wchar");
  s.rss_kib = ReadKeyed(base + "/status", "VmRSS");
  return s;
}

std::optional<double> PerEvent(const std::optional<uint64_t>& before,
                               const std::optional<uint64_t>& after, uint64_t events) {
  if (!before || !after || events == 0) return std::nullopt;
  return static_cast<double>(*after - std::min(*before, *after)) / static_cast<double>(events);
}

std::string JsonNumber(const std::optional<double>& v) {
  if (!v) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// --- load generation --------------------------------------------------------------------

struct Generator;

// One per in-flight call; the slot keeps the reply callback owned until it is reused.
struct PendingCall {
  Generator* gen = nullptr;
  size_t index = 0;
  size_t conn = 0;
  bench::SlotPtr slot;
};

struct Generator {
  Options opt;
  std::vector<bench::BusPtr> buses;
  std::vector<uint64_t> outstanding_per_conn;
  std::vector<PendingCall> calls;  // sized once to in_flight: addresses stay stable
  std::vector<size_t> free_calls;
  std::string big_payload = std::string(1024, 'x');
  std::array<uint8_t, 16> event_id{0x9a, 0xf1, 0x7a, 0x5a, 0x2b, 0x6d, 0x4c, 0x3e,
                                   0x81, 0x0f, 0xd1, 0x27, 0x44, 0xb3, 0x06, 0xc8};
  uint32_t uid = static_cast<uint32_t>(getuid());
  uint64_t sent = 0;
  uint64_t replies = 0;
  uint64_t errors = 0;
  uint64_t next_conn = 0;
  std::map<std::string, uint64_t> error_names;
  int fatal = 0;  // negative errno if sending failed locally

  static int OnReply(sd_bus_message* m, void* userdata, sd_bus_error* /*ret_error*/) {
    auto* call = static_cast<PendingCall*>(userdata);
    Generator* g = call->gen;
    if (sd_bus_message_is_method_error(m, nullptr)) {
      ++g->errors;
      const sd_bus_error* e = sd_bus_message_get_error(m);
      ++g->error_names[e && e->name ? e->name : "(unnamed)"];
    } else {
      ++g->replies;
    }
    --g->outstanding_per_conn[call->conn];
    g->free_calls.push_back(call->index);
    return 0;
  }

  uint64_t Completed() const { return replies + errors; }

  // Least-loaded connection, round-robin among ties, so K < C still rotates connections.
  size_t PickConnection() {
    size_t best = next_conn % buses.size();
    for (size_t k = 0; k < buses.size(); ++k) {
      size_t c = (next_conn + k) % buses.size();
      if (outstanding_per_conn[c] < outstanding_per_conn[best]) best = c;
    }
    next_conn = best + 1;
    return best;
  }

  int AppendPayload(sd_bus_message* m) {
    switch (opt.payload) {
      case Payload::kNone:
        return sd_bus_message_append(m, "bv", 0, "b", 0);
      case Payload::kSmall:
        return sd_bus_message_append(m, "bv", 1, "s", "org.gnome.Builder.desktop");
      case Payload::k1k:
        return sd_bus_message_append(m, "bv", 1, "s", big_payload.c_str());
    }
    return -EINVAL;
  }

  int SendOne() {
    size_t idx = free_calls.back();
    PendingCall& call = calls[idx];
    call.conn = PickConnection();
    sd_bus* bus = buses[call.conn].get();

    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus, &raw, opt.dest.c_str(), bench::kObjectPath,
                                           bench::kInterface, bench::kMethod);
    if (r < 0) return r;
    bench::MessagePtr msg(raw);

    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    int64_t rel = static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;

    if ((r = sd_bus_message_append(msg.get(), "u", uid)) < 0) return r;
    if ((r = sd_bus_message_append_array(msg.get(), 'y', event_id.data(), event_id.size())) < 0)
      return r;
    if ((r = sd_bus_message_append(msg.get(), "x", rel)) < 0) return r;
    if ((r = AppendPayload(msg.get())) < 0) return r;

    sd_bus_slot* slot = nullptr;
    // usec 0 = sd-bus default (25 s) reply timeout.
    r = sd_bus_call_async(bus, &slot, msg.get(), OnReply, &call, 0);
    if (r < 0) return r;
    call.slot.reset(slot);  // drops the slot of the call that last used this entry
    free_calls.pop_back();
    ++outstanding_per_conn[call.conn];
    ++sent;
    return 0;
  }

  int Refill() {
    while (!free_calls.empty() && sent < opt.events) {
      int r = SendOne();
      if (r < 0) return r;
    }
    return 0;
  }

  int Run() {
    int r = Refill();
    if (r < 0) return r;
    std::vector<pollfd> fds(buses.size());
    while (Completed() < opt.events) {
      // Drain whatever each connection can do without blocking, topping up as replies land.
      bool progressed = false;
      for (auto& b : buses) {
        for (int n = 0; n < 64; ++n) {
          r = sd_bus_process(b.get(), nullptr);
          if (r < 0) return r;
          if (r == 0) break;
          progressed = true;
          if ((r = Refill()) < 0) return r;
        }
      }
      if (progressed) continue;

      uint64_t deadline = std::numeric_limits<uint64_t>::max();
      for (size_t i = 0; i < buses.size(); ++i) {
        sd_bus* b = buses[i].get();
        fds[i].fd = sd_bus_get_fd(b);
        if (fds[i].fd < 0) return fds[i].fd;
        r = sd_bus_get_events(b);
        if (r < 0) return r;
        fds[i].events = static_cast<short>(r);
        fds[i].revents = 0;
        uint64_t t = 0;
        if (sd_bus_get_timeout(b, &t) >= 0) deadline = std::min(deadline, t);
      }
      int timeout_ms = -1;
      if (deadline != std::numeric_limits<uint64_t>::max()) {
        // sd_bus_get_timeout is absolute CLOCK_MONOTONIC in µs.
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t now_us = static_cast<uint64_t>(now.tv_sec) * 1000000ULL + now.tv_nsec / 1000;
        timeout_ms = deadline <= now_us ? 0 : static_cast<int>((deadline - now_us + 999) / 1000);
      }
      if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) return -errno;
    }
    return 0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (int pr = ParseOptions(argc, argv, opt); pr != 0) {
    Usage(argv[0]);
    return pr == 1 ? 0 : 2;
  }

  Generator g;
  g.opt = opt;
  // Generator declares buses before calls, so the reply slots are released first.
  for (uint64_t i = 0; i < opt.connections; ++i) {
    sd_bus* raw = nullptr;
    int r = sd_bus_open_system(&raw);
    if (r < 0) {
      std::fprintf(stderr, "load: connect to system bus: %s\n",
                   std::generic_category().message(-r).c_str());
      return 2;
    }
    g.buses.emplace_back(raw);
    // Blocks until Hello completes, so connection setup stays out of the timed section.
    const char* unique = nullptr;
    if ((r = sd_bus_get_unique_name(raw, &unique)) < 0) {
      std::fprintf(stderr, "load: bus handshake: %s\n",
                   std::generic_category().message(-r).c_str());
      return 2;
    }
  }
  g.outstanding_per_conn.assign(opt.connections, 0);

  // Fail fast with a clear message if the service is not there.
  {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* raw = nullptr;
    int r = sd_bus_call_method(g.buses[0].get(), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &err, &raw, "s",
                               opt.dest.c_str());
    bench::MessagePtr reply(raw);
    int has = 0;
    if (r >= 0) r = sd_bus_message_read(reply.get(), "b", &has);
    if (r < 0 || !has) {
      std::fprintf(stderr, "load: %s is not on the bus%s%s\n", opt.dest.c_str(),
                   err.message ? ": " : "", err.message ? err.message : "");
      sd_bus_error_free(&err);
      return 2;
    }
    sd_bus_error_free(&err);
  }

  g.calls.resize(opt.in_flight);
  for (size_t i = 0; i < g.calls.size(); ++i) {
    g.calls[i].gen = &g;
    g.calls[i].index = i;
    g.free_calls.push_back(g.calls.size() - 1 - i);
  }

  ProcSample before;
  if (opt.pid) {
    before = Sample(*opt.pid);
    if (!before.cpu_us) {
      std::fprintf(stderr, "load: cannot read /proc/%ld/stat\n", *opt.pid);
      return 2;
    }
  }

  auto t0 = std::chrono::steady_clock::now();
  int r = g.Run();
  auto t1 = std::chrono::steady_clock::now();
  if (r < 0) {
    std::fprintf(stderr, "load: aborted after %llu sent, %llu completed: %s\n",
                 static_cast<unsigned long long>(g.sent),
                 static_cast<unsigned long long>(g.Completed()),
                 std::generic_category().message(-r).c_str());
    return 1;
  }

  ProcSample after;
  if (opt.pid) after = Sample(*opt.pid);

  double seconds = std::chrono::duration<double>(t1 - t0).count();
  double eps = seconds > 0 ? static_cast<double>(opt.events) / seconds : 0;
  auto cpu = PerEvent(before.cpu_us, after.cpu_us, opt.events);
  auto wb = PerEvent(before.write_bytes, after.write_bytes, opt.events);
  auto wc = PerEvent(before.wchar, after.wchar, opt.events);
  std::optional<double> rss;
  if (after.rss_kib) rss = static_cast<double>(*after.rss_kib);

  auto human = [](const std::optional<double>& v, const char* unit) {
    if (!v) return std::string("n/a");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f %s/event", *v, unit);
    return std::string(buf);
  };

  std::printf("events:                %llu\n", static_cast<unsigned long long>(opt.events));
  std::printf("in flight:             %llu\n", static_cast<unsigned long long>(opt.in_flight));
  std::printf("connections:           %llu\n", static_cast<unsigned long long>(opt.connections));
  std::printf("payload:               %s\n", opt.payload_name.c_str());
  std::printf("wall time:             %.3f s\n", seconds);
  std::printf("throughput:            %.0f events/s\n", eps);
  std::printf("replies:               %llu\n", static_cast<unsigned long long>(g.replies));
  std::printf("errors:                %llu\n", static_cast<unsigned long long>(g.errors));
  for (const auto& [name, count] : g.error_names)
    std::printf("  %-40s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
  std::printf("service CPU:           %s\n", human(cpu, "µs").c_str());
  if (after.rss_kib)
    std::printf("service RSS after:     %llu KiB\n",
                static_cast<unsigned long long>(*after.rss_kib));
  else
    std::printf("service RSS after:     n/a\n");
  std::printf("service write_bytes:   %s\n", human(wb, "B").c_str());
  std::printf("service wchar:         %s\n", human(wc, "B").c_str());

  std::string names = "{";
  for (const auto& [name, count] : g.error_names) {
    if (names.size() > 1) names += ",";
    names += JsonString(name) + ":" + std::to_string(count);
  }
  names += "}";
  std::printf(
      "{\"events\":%llu,\"in_flight\":%llu,\"connections\":%llu,\"payload\":%s,"
      "\"seconds\":%.6f,\"events_per_s\":%.1f,\"replies\":%llu,\"errors\":%llu,"
      "\"error_names\":%s,\"cpu_us_per_event\":%s,\"rss_kib\":%s,"
      "\"write_bytes_per_event\":%s,\"wchar_per_event\":%s}\n",
      static_cast<unsigned long long>(opt.events), static_cast<unsigned long long>(opt.in_flight),
      static_cast<unsigned long long>(opt.connections), JsonString(opt.payload_name).c_str(),
      seconds, eps, static_cast<unsigned long long>(g.replies),
      static_cast<unsigned long long>(g.errors), names.c_str(), JsonNumber(cpu).c_str(),
      rss ? std::to_string(*after.rss_kib).c_str() : "null", JsonNumber(wb).c_str(),
      JsonNumber(wc).c_str());
  return 0;
}
