// SPDX-License-Identifier: GPL-2.0-or-later
// metrics-bench-noop-service: exports com.endlessm.Metrics.EventRecorderServer with a
// RecordSingularEvent that replies immediately. Load against it measures the bus's own
// ceiling, so recorder figures can be read relative to it.
#include <signal.h>
#include <string.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "recorder_interface.hpp"

namespace {

int OnRecordSingularEvent(sd_bus_message* m, void* /*userdata*/, sd_bus_error* /*ret_error*/) {
  // The vtable already rejects calls whose signature differs, so nothing to parse.
  return sd_bus_reply_method_return(m, "");
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD(bench::kMethod, bench::kSignature, "", OnRecordSingularEvent, 0),
    SD_BUS_VTABLE_END,
};

void Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--name NAME]\n  default NAME: %s\n", argv0, bench::kDefaultName);
}

bool Check(int r, const char* what) {
  if (r < 0) {
    std::fprintf(stderr, "noop-service: %s: %s\n", what,
                 std::generic_category().message(-r).c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = bench::kDefaultName;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--name" && i + 1 < argc) {
      name = argv[++i];
    } else if (arg.rfind("--name=", 0) == 0) {
      name = arg.substr(7);
    } else {
      Usage(argv[0]);
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }

  sd_event* raw_event = nullptr;
  if (!Check(sd_event_new(&raw_event), "sd_event_new")) return 1;
  bench::EventPtr event(raw_event);

  // sd_bus_open_system honours $DBUS_SYSTEM_BUS_ADDRESS, so the private bench bus works.
  sd_bus* raw_bus = nullptr;
  if (!Check(sd_bus_open_system(&raw_bus), "connect to system bus")) return 1;
  bench::BusPtr bus(raw_bus);

  sd_bus_slot* raw_slot = nullptr;
  if (!Check(sd_bus_add_object_vtable(bus.get(), &raw_slot, bench::kObjectPath, bench::kInterface,
                                      kVtable, nullptr),
             "add object vtable"))
    return 1;
  bench::SlotPtr vtable_slot(raw_slot);

  if (!Check(sd_bus_attach_event(bus.get(), event.get(), SD_EVENT_PRIORITY_NORMAL),
             "attach bus to event loop"))
    return 1;

  // Export before owning the name so a client that sees the name can call at once.
  if (!Check(sd_bus_request_name(bus.get(), name.c_str(), 0), "request name")) return 1;

  // Signals are blocked only now, so a SIGTERM during start-up still kills the process.
  // sd-event's signal sources need the signals blocked first (libsystemd 252 has no
  // SD_EVENT_SIGNAL_PROCMASK).
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (int e = pthread_sigmask(SIG_BLOCK, &mask, nullptr); e != 0) {
    std::fprintf(stderr, "noop-service: pthread_sigmask: %s\n",
                 std::generic_category().message(e).c_str());
    return 1;
  }

  // A NULL handler makes sd-event exit the loop on the signal: clean shutdown for free.
  sd_event_source* raw_src = nullptr;
  if (!Check(sd_event_add_signal(event.get(), &raw_src, SIGTERM, nullptr, nullptr), "add SIGTERM"))
    return 1;
  bench::EventSourcePtr sigterm_src(raw_src);
  raw_src = nullptr;
  if (!Check(sd_event_add_signal(event.get(), &raw_src, SIGINT, nullptr, nullptr), "add SIGINT"))
    return 1;
  bench::EventSourcePtr sigint_src(raw_src);

  int r = sd_event_loop(event.get());
  if (!Check(r, "event loop")) return 1;

  sd_bus_detach_event(bus.get());
  return 0;
}
