// RAII owners for the libsoup/GIO objects the test collector uses (no manual unref paths).
#pragma once

#include <gio/gio.h>
#include <glib-object.h>
#include <libsoup/soup.h>

#include <memory>

#include "glib_handles.hpp"

namespace collector {

struct GSListFree {
  void operator()(GSList* l) const { g_slist_free(l); }
};
// A list whose elements are borrowed (transfer container).
using GSListPtr = std::unique_ptr<GSList, GSListFree>;

using SoupServerPtr = metrics::GObjectPtr<SoupServer>;
using SoupServerMessagePtr = metrics::GObjectPtr<SoupServerMessage>;
using GIOStreamPtr = metrics::GObjectPtr<GIOStream>;
using GTlsCertificatePtr = metrics::GObjectPtr<GTlsCertificate>;
using GSocketAddressPtr = metrics::GObjectPtr<GSocketAddress>;
using GInetAddressPtr = metrics::GObjectPtr<GInetAddress>;
using GConverterPtr = metrics::GObjectPtr<GConverter>;

// Takes a new reference to `object` (nullptr stays nullptr).
template <typename T>
metrics::GObjectPtr<T> share_object(T* object) {
  return metrics::GObjectPtr<T>(object ? static_cast<T*>(g_object_ref(object)) : nullptr);
}

// A signal handler connection that is disconnected when this goes away. Holds a
// reference to the instance so that the disconnection is always valid.
class SignalConnection {
 public:
  SignalConnection() = default;
  SignalConnection(gpointer instance, const char* signal, GCallback callback, gpointer data)
      : instance_(g_object_ref(instance)),
        id_(g_signal_connect(instance, signal, callback, data)) {}
  SignalConnection(SignalConnection&&) = default;
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
  metrics::GObjectPtr<void> instance_;
  gulong id_ = 0;
};

}  // namespace collector
