/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A program written against the Endless OS metrics library documentation, unchanged:
 * it must compile and link with `pkg-config --cflags --libs eosmetrics-0` alone. */
#include <eosmetrics/eosmetrics.h>

#define MEANINGLESS_EVENT "fb59199e-5384-472e-af1e-00b7a419d5c2"
#define MEANINGLESS_AGGREGATED_EVENT "01ddd9ad-255a-413d-8c8c-9495d810a90f"
#define MEANINGLESS_EVENT_WITH_AUX_DATA "9f26029e-8085-42a7-903e-10fcd1815e03"

#if EMTR_MAJOR_VERSION != 0
#error "unexpected API level"
#endif

EMTR_AVAILABLE_IN_0_0 static int uses_the_availability_macros;

int main(void) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  g_return_val_if_fail(EMTR_IS_EVENT_RECORDER(recorder), 1);

  emtr_event_recorder_record_event(recorder, MEANINGLESS_EVENT, NULL);
  emtr_event_recorder_record_events(recorder, MEANINGLESS_AGGREGATED_EVENT, 23, NULL);

  GVariantBuilder builder;
  g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&builder, "{sv}", "units_of_smoke_ground", g_variant_new_uint32(3));
  g_variant_builder_add(&builder, "{sv}", "grinding_time", g_variant_new_uint32(60));
  emtr_event_recorder_record_event(recorder, MEANINGLESS_EVENT_WITH_AUX_DATA,
                                   g_variant_builder_end(&builder));

  GVariant* key = g_variant_new_string("window-1");
  g_variant_ref_sink(key);
  emtr_event_recorder_record_start(recorder, EMTR_EVENT_SHELL_APP_IS_OPEN, key,
                                   g_variant_new_string("org.gnome.Calculator"));
  emtr_event_recorder_record_progress(recorder, EMTR_EVENT_SHELL_APP_IS_OPEN, key, NULL);
  emtr_event_recorder_record_stop(recorder, EMTR_EVENT_SHELL_APP_IS_OPEN, key, NULL);
  g_variant_unref(key);

  EmtrAggregateTimer* timer =
      emtr_event_recorder_start_aggregate_timer(recorder, MEANINGLESS_AGGREGATED_EVENT, NULL);
  if (timer != NULL) {
    emtr_aggregate_timer_stop(timer);
    g_object_unref(timer);
  }
  g_autoptr(EmtrAggregateTimer) timer2 = emtr_event_recorder_start_aggregate_timer_with_uid(
      recorder, getuid(), MEANINGLESS_AGGREGATED_EVENT, g_variant_new_string("x"));

  const gchar* name = NULL;
  emtr_event_id_to_name(EMTR_EVENT_NETWORK_STATUS_CHANGED, &name);
  gint64 now = 0;
  emtr_util_get_current_time(CLOCK_BOOTTIME, &now);

  emtr_event_recorder_record_event_sync(recorder, MEANINGLESS_EVENT, NULL);
  emtr_event_recorder_record_events_sync(recorder, MEANINGLESS_AGGREGATED_EVENT, 1, NULL);
  emtr_event_recorder_record_start(recorder, EMTR_EVENT_SOCIAL_BAR_IS_VISIBLE, NULL, NULL);
  emtr_event_recorder_record_stop_sync(recorder, EMTR_EVENT_SOCIAL_BAR_IS_VISIBLE, NULL, NULL);
  (void)uses_the_availability_macros;
  return name != NULL && now > 0 ? 0 : 1;
}
