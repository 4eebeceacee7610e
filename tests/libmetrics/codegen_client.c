/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Uses the code gdbus-codegen makes of the installed interface XML the way the Endless
   recorder and library use theirs: the event id is a GVariant ("ay" with the original's
   ForceGVariant hint), the timer is its own interface. Built, not run. */
#include "emer-event-recorder-server.h"

static gboolean on_record_singular(EmerEventRecorderServer* server,
                                   GDBusMethodInvocation* invocation, guint32 user_id,
                                   GVariant* event_id, gint64 relative_timestamp,
                                   gboolean has_payload, GVariant* payload, gpointer data) {
  (void)user_id, (void)event_id, (void)relative_timestamp, (void)has_payload, (void)payload,
      (void)data;
  emer_event_recorder_server_complete_record_singular_event(server, invocation);
  return TRUE;
}

static void call_all(EmerEventRecorderServer* proxy, GVariant* event_id) {
  GVariant* none = g_variant_new_variant(g_variant_new_boolean(FALSE));
  emer_event_recorder_server_call_record_singular_event(proxy, 0, event_id, 0, FALSE, none, NULL,
                                                        NULL, NULL);
  emer_event_recorder_server_call_record_aggregate_event(proxy, 0, event_id, 1, 0, FALSE, none,
                                                         NULL, NULL, NULL);
  emer_event_recorder_server_call_record_event_sequence(
      proxy, 0, event_id, g_variant_new_array(G_VARIANT_TYPE("(xbv)"), NULL, 0), NULL, NULL, NULL);
  emer_event_recorder_server_call_start_aggregate_timer(proxy, 0, event_id, FALSE, none, NULL, NULL,
                                                        NULL);
  emer_event_recorder_server_call_upload_events(proxy, NULL, NULL, NULL);
  emer_event_recorder_server_call_reset_tracking_id(proxy, NULL, NULL, NULL);
  emer_event_recorder_server_call_set_enabled(proxy, TRUE, NULL, NULL, NULL);
  (void)emer_event_recorder_server_get_enabled(proxy);
  (void)emer_event_recorder_server_get_tracking_id(proxy);
}

int main(int argc, char** argv) {
  (void)argv;
  if (argc > 1) {
    EmerEventRecorderServer* server = emer_event_recorder_server_skeleton_new();
    g_signal_connect(server, "handle-record-singular-event", G_CALLBACK(on_record_singular), NULL);
    EmerAggregateTimer* timer = emer_aggregate_timer_skeleton_new();
    call_all(server, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "0123456789abcdef", 16, 1));
    g_object_unref(timer);
    g_object_unref(server);
  }
  return 0;
}
