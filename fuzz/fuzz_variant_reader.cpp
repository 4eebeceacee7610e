// SPDX-License-Identifier: GPL-2.0-or-later
// The D-Bus argument reader (daemon/bus/variant_reader.cpp): the fuzzed bytes are a
// serialised GVariant `v`; the value inside is written into an sd-bus message as a client
// would send it, and read back with read_boxed_variant(), which must give the same value
// (or refuse one nested deeper than the reader allows). Values D-Bus cannot carry (maybe
// types, empty tuples, file descriptors, strings sd-bus refuses) are skipped.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fatal_criticals.hpp"
#include "sdbus_handles.hpp"
#include "variant_reader.hpp"
#include "variant_writer.hpp"

using namespace metrics;

namespace {

// A bus that never connects: sd-bus creates messages only for a started bus, and a
// socket pair is enough for that.
sd_bus* test_bus() {
  static bus::BusPtr connection = [] {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0) std::abort();
    sd_bus* raw = nullptr;
    if (sd_bus_new(&raw) < 0 || sd_bus_set_fd(raw, fds[0], fds[0]) < 0 || sd_bus_start(raw) < 0)
      std::abort();
    return bus::BusPtr(raw);
  }();
  return connection.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  GBytesPtr bytes(g_bytes_new(data, size));
  GVariantPtr boxed =
      adopt_variant(g_variant_new_from_bytes(G_VARIANT_TYPE_VARIANT, bytes.get(), FALSE));
  GVariantPtr normal(g_variant_get_normal_form(boxed.get()));
  GVariantPtr inner(g_variant_get_variant(normal.get()));

  // D-Bus marshals a signature with a one-byte length: a longer type (GLib has no such
  // limit) cannot reach the recorder.
  if (std::strlen(g_variant_get_type_string(inner.get())) > 255) return 0;

  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_call(test_bus(), &raw, "com.endlessm.Metrics",
                                     "/com/endlessm/Metrics",
                                     "com.endlessm.Metrics.EventRecorderServer", "Fuzz") < 0)
    std::abort();
  bus::MessagePtr m(raw);
  if (sd_bus_message_open_container(m.get(), 'v', g_variant_get_type_string(inner.get())) < 0)
    return 0;
  // What D-Bus cannot carry (maybe types, file descriptors) cannot reach the recorder.
  if (!bus::append_variant_value(m.get(), inner.get()) ||
      sd_bus_message_close_container(m.get()) < 0)
    return 0;
  if (sd_bus_message_seal(m.get(), 1, 0) < 0 || sd_bus_message_rewind(m.get(), true) < 0) return 0;

  auto read = bus::read_boxed_variant(m.get());
  if (!read) {
    // Refusals allowed: nesting beyond the reader's bound, and values sd-bus itself
    // cannot read back from a message it built (its own skip fails on them too).
    const bool unreadable =
        sd_bus_message_rewind(m.get(), true) >= 0 && sd_bus_message_skip(m.get(), "v") < 0;
    if (read.error().message != "malformed payload: nested too deeply" && !unreadable) {
      std::fprintf(stderr, "refused %s: %s\n", g_variant_get_type_string(inner.get()),
                   read.error().message.c_str());
      std::abort();
    }
    return 0;
  }
  // Equal values, compared as text too: GLib's normal form of a value it defaulted from
  // too few bytes may keep a zero-length serialisation (([], []) of type (a(sq)a(s))),
  // which g_variant_equal() then finds unequal to the same value built normally.
  if (!g_variant_equal(read->get(), inner.get())) {
    GCharPtr got(g_variant_print(read->get(), TRUE));
    GCharPtr sent(g_variant_print(inner.get(), TRUE));
    if (std::strcmp(got.get(), sent.get()) != 0) std::abort();
  }
  return 0;
}
