// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for GLib and GIO objects, shared by every program of the project: no
// manual unref paths.
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include <memory>
#include <string>

namespace metrics {

struct GVariantUnref {
  void operator()(GVariant* v) const { g_variant_unref(v); }
};
struct GBytesUnref {
  void operator()(GBytes* b) const { g_bytes_unref(b); }
};
struct GErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
struct GKeyFileFree {
  void operator()(GKeyFile* k) const { g_key_file_free(k); }
};
struct GObjectUnref {
  void operator()(gpointer o) const { g_object_unref(o); }
};
struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};
struct GStrvFree {
  void operator()(gchar** p) const { g_strfreev(p); }
};
struct GDateTimeUnref {
  void operator()(GDateTime* d) const { g_date_time_unref(d); }
};
struct GTimeZoneUnref {
  void operator()(GTimeZone* t) const { g_time_zone_unref(t); }
};
struct GVariantBuilderUnref {
  void operator()(GVariantBuilder* b) const { g_variant_builder_unref(b); }
};
struct GMainLoopUnref {
  void operator()(GMainLoop* l) const { g_main_loop_unref(l); }
};
struct GSourceUnref {
  void operator()(GSource* s) const {
    g_source_destroy(s);
    g_source_unref(s);
  }
};
struct GChecksumFree {
  void operator()(GChecksum* c) const { g_checksum_free(c); }
};

using GVariantPtr = std::unique_ptr<GVariant, GVariantUnref>;
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;
using GKeyFilePtr = std::unique_ptr<GKeyFile, GKeyFileFree>;
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;
using GStrvPtr = std::unique_ptr<gchar*, GStrvFree>;
using GDateTimePtr = std::unique_ptr<GDateTime, GDateTimeUnref>;
using GTimeZonePtr = std::unique_ptr<GTimeZone, GTimeZoneUnref>;
using GMainLoopPtr = std::unique_ptr<GMainLoop, GMainLoopUnref>;
using GSourcePtr = std::unique_ptr<GSource, GSourceUnref>;
using GChecksumPtr = std::unique_ptr<GChecksum, GChecksumFree>;
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

// GIO objects more than one program holds.
using GCancellablePtr = GObjectPtr<GCancellable>;
using GInputStreamPtr = GObjectPtr<GInputStream>;
using GIOStreamPtr = GObjectPtr<GIOStream>;
using GConverterPtr = GObjectPtr<GConverter>;
using GTlsDatabasePtr = GObjectPtr<GTlsDatabase>;
using GTlsCertificatePtr = GObjectPtr<GTlsCertificate>;
using GProxyResolverPtr = GObjectPtr<GProxyResolver>;
using GSocketAddressPtr = GObjectPtr<GSocketAddress>;
using GInetAddressPtr = GObjectPtr<GInetAddress>;

struct GSListFree {
  void operator()(GSList* l) const { g_slist_free(l); }
};
// A list whose elements are borrowed (transfer container).
using GSListPtr = std::unique_ptr<GSList, GSListFree>;

// Takes ownership of a possibly floating reference (sinks it).
inline GVariantPtr adopt_variant(GVariant* v) {
  return GVariantPtr(v ? g_variant_ref_sink(v) : nullptr);
}
inline GVariantPtr share_variant(GVariant* v) {
  return GVariantPtr(v ? g_variant_ref(v) : nullptr);
}

// Takes a new reference to `object` (nullptr stays nullptr).
template <typename T>
GObjectPtr<T> share_object(T* object) {
  return GObjectPtr<T>(object ? static_cast<T*>(g_object_ref(object)) : nullptr);
}

// A signal handler connection that is disconnected when this goes away. Holds a
// reference to the instance so that the disconnection is always valid.
class SignalConnection {
 public:
  SignalConnection() = default;
  SignalConnection(gpointer instance, const char* signal, GCallback callback, gpointer data)
      : instance_(g_object_ref(instance)),
        id_(g_signal_connect(instance, signal, callback, data)) {}
  SignalConnection(SignalConnection&& other) noexcept
      : instance_(std::move(other.instance_)), id_(other.id_) {
    other.id_ = 0;
  }
  SignalConnection& operator=(SignalConnection&& other) noexcept {
    disconnect();
    instance_ = std::move(other.instance_);
    id_ = other.id_;
    other.id_ = 0;
    return *this;
  }
  SignalConnection(const SignalConnection&) = delete;
  SignalConnection& operator=(const SignalConnection&) = delete;
  ~SignalConnection() { disconnect(); }

 private:
  void disconnect() {
    if (instance_ && id_ != 0) g_signal_handler_disconnect(instance_.get(), id_);
    id_ = 0;
  }
  GObjectPtr<void> instance_;
  gulong id_ = 0;
};

// Collects a GError out-parameter: `GErrorOut err; f(..., err.out()); if (err) ...`
class GErrorOut {
 public:
  GError** out() { return &raw_; }
  explicit operator bool() const { return raw_ != nullptr; }
  std::string message() const { return raw_ ? raw_->message : ""; }
  const GError* get() const { return raw_; }
  ~GErrorOut() {
    if (raw_) g_error_free(raw_);
  }
  GErrorOut() = default;
  GErrorOut(const GErrorOut&) = delete;
  GErrorOut& operator=(const GErrorOut&) = delete;

 private:
  GError* raw_ = nullptr;
};

}  // namespace metrics
