/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event recorder: what applications call to record metrics events. */
#pragma once

#if !(defined(_EMTR_INSIDE_EOSMETRICS_H) || defined(COMPILING_EOS_METRICS))
#error "Only <eosmetrics/eosmetrics.h> can be included directly."
#endif

#include "emtr-aggregate-timer.h"
#include "emtr-types.h"

#include <gio/gio.h>
#include <glib-object.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define EMTR_TYPE_EVENT_RECORDER emtr_event_recorder_get_type()

#define EMTR_EVENT_RECORDER(obj) \
  (G_TYPE_CHECK_INSTANCE_CAST((obj), EMTR_TYPE_EVENT_RECORDER, EmtrEventRecorder))
#define EMTR_EVENT_RECORDER_CLASS(klass) \
  (G_TYPE_CHECK_CLASS_CAST((klass), EMTR_TYPE_EVENT_RECORDER, EmtrEventRecorderClass))
#define EMTR_IS_EVENT_RECORDER(obj) (G_TYPE_CHECK_INSTANCE_TYPE((obj), EMTR_TYPE_EVENT_RECORDER))
#define EMTR_IS_EVENT_RECORDER_CLASS(klass) \
  (G_TYPE_CHECK_CLASS_TYPE((klass), EMTR_TYPE_EVENT_RECORDER))
#define EMTR_EVENT_RECORDER_GET_CLASS(obj) \
  (G_TYPE_INSTANCE_GET_CLASS((obj), EMTR_TYPE_EVENT_RECORDER, EmtrEventRecorderClass))

/**
 * EmtrEventRecorder:
 *
 * Sends metrics events to the event recorder daemon (`com.endlessm.Metrics` on the system
 * bus), which validates, stores and — only with the user's consent — uploads them.
 *
 * Every method returns at once: the event is timestamped when the method is called and
 * handed to a background thread that delivers it. Events recorded before the bus
 * connection is ready, while the recorder is not running or while it restarts are held
 * (up to a bound, oldest kept) and delivered later. The `_sync` variants additionally
 * wait until the recorder has answered this and every earlier event of the process; call
 * one before exiting to make sure nothing is left behind. They wait as long as the
 * recorder keeps answering: they give up only when it answered none of the process's
 * events for 5 seconds, and then warn how many events were not delivered.
 *
 * All methods may be called from any thread. Setting the environment variable
 * `EOS_DISABLE_METRICS` to an empty string or `1` before creating a recorder makes it
 * send nothing.
 *
 * This instance structure contains no public members.
 */
typedef struct _EmtrEventRecorder EmtrEventRecorder;

/**
 * EmtrEventRecorderClass:
 *
 * This class structure contains no public members.
 */
typedef struct _EmtrEventRecorderClass EmtrEventRecorderClass;

struct _EmtrEventRecorder {
  /*< private >*/
  GObject parent;
};

struct _EmtrEventRecorderClass {
  /*< private >*/
  GObjectClass parent_class;
};

EMTR_AVAILABLE_IN_0_0
GType emtr_event_recorder_get_type(void) G_GNUC_CONST;

/**
 * emtr_event_recorder_new:
 *
 * Creates a new event recorder. Applications normally use
 * emtr_event_recorder_get_default(); this is meant for tests. Never blocks: the bus
 * connection is made in the background.
 *
 * Returns: (transfer full): a new #EmtrEventRecorder; free it with g_object_unref().
 */
EMTR_AVAILABLE_IN_0_0
EmtrEventRecorder* emtr_event_recorder_new(void);

/**
 * emtr_event_recorder_get_default:
 *
 * Gets the event recorder to use for all metrics of this process. Never blocks, not even
 * on the first call: the bus connection is made in the background.
 *
 * Returns: (transfer none): the default #EmtrEventRecorder, owned by the library.
 */
EMTR_AVAILABLE_IN_0_0
EmtrEventRecorder* emtr_event_recorder_get_default(void);

/**
 * emtr_event_recorder_record_event:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`)
 * @auxiliary_payload: (nullable): data to associate with this occurrence of the event
 *
 * Records that an event of type @event_id happened now. Never put personally
 * identifiable information in @auxiliary_payload. A payload containing a maybe type
 * cannot travel over D-Bus and is refused (a critical is logged and nothing is sent); an
 * @event_id that is not a UUID is dropped with a warning. Delivery is best-effort and
 * gives no feedback.
 */
EMTR_AVAILABLE_IN_0_0
void emtr_event_recorder_record_event(EmtrEventRecorder* self, const gchar* event_id,
                                      GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_event_sync:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @auxiliary_payload: (nullable): data to associate with this occurrence of the event
 *
 * Like emtr_event_recorder_record_event(), and waits until the recorder has answered this
 * and every earlier event of the process. The wait ends early, with a warning saying how
 * many events were not delivered yet, only when the recorder answered none of them for
 * 5 seconds; a long queue that keeps draining is waited for to its end.
 *
 * Since: 0.4
 */
EMTR_AVAILABLE_IN_0_4
void emtr_event_recorder_record_event_sync(EmtrEventRecorder* self, const gchar* event_id,
                                           GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_events:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @num_events: how many times the event happened since it was last recorded (may be
 *   negative to correct an earlier count)
 * @auxiliary_payload: (nullable): data to associate with these occurrences
 *
 * Records that @num_events events of type @event_id happened. The recorder adds them to
 * the daily and monthly counts of (@event_id, @auxiliary_payload) instead of keeping each
 * occurrence: use this when the exact time does not matter.
 */
EMTR_AVAILABLE_IN_0_0
void emtr_event_recorder_record_events(EmtrEventRecorder* self, const gchar* event_id,
                                       gint64 num_events, GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_events_sync:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @num_events: how many times the event happened
 * @auxiliary_payload: (nullable): data to associate with these occurrences
 *
 * Like emtr_event_recorder_record_events(), and waits until the recorder has answered this
 * and every earlier event of the process (see emtr_event_recorder_record_event_sync() for
 * when it gives up).
 *
 * Since: 0.4
 */
EMTR_AVAILABLE_IN_0_4
void emtr_event_recorder_record_events_sync(EmtrEventRecorder* self, const gchar* event_id,
                                            gint64 num_events, GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_start:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @key: (nullable): tells apart sequences of the same event that overlap (compared by
 *   value); %NULL when they cannot overlap
 * @auxiliary_payload: (nullable): data to associate with the start
 *
 * Starts a sequence of event @event_id now. The sequence is kept in this process and sent
 * as a whole when emtr_event_recorder_record_stop() is called with the same @event_id
 * and @key; a start for a sequence that is already open is ignored with a warning.
 */
EMTR_AVAILABLE_IN_0_0
void emtr_event_recorder_record_start(EmtrEventRecorder* self, const gchar* event_id, GVariant* key,
                                      GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_progress:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @key: (nullable): the key given to emtr_event_recorder_record_start()
 * @auxiliary_payload: (nullable): data to associate with this step
 *
 * Adds a step, timestamped now, to an open sequence; ignored with a warning when no
 * sequence of @event_id and @key is open.
 */
EMTR_AVAILABLE_IN_0_0
void emtr_event_recorder_record_progress(EmtrEventRecorder* self, const gchar* event_id,
                                         GVariant* key, GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_stop:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @key: (nullable): the key given to emtr_event_recorder_record_start()
 * @auxiliary_payload: (nullable): data to associate with the stop
 *
 * Closes an open sequence with a last step timestamped now and sends the whole sequence;
 * ignored with a warning when no sequence of @event_id and @key is open.
 */
EMTR_AVAILABLE_IN_0_0
void emtr_event_recorder_record_stop(EmtrEventRecorder* self, const gchar* event_id, GVariant* key,
                                     GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_record_stop_sync:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @key: (nullable): the key given to emtr_event_recorder_record_start()
 * @auxiliary_payload: (nullable): data to associate with the stop
 *
 * Like emtr_event_recorder_record_stop(), and waits until the recorder has answered the
 * sequence and every earlier event of the process (see
 * emtr_event_recorder_record_event_sync() for when it gives up).
 *
 * Since: 0.4
 */
EMTR_AVAILABLE_IN_0_4
void emtr_event_recorder_record_stop_sync(EmtrEventRecorder* self, const gchar* event_id,
                                          GVariant* key, GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_start_aggregate_timer:
 * @self: the event recorder
 * @event_id: the event's UUID in canonical form
 * @auxiliary_payload: (nullable): data to associate with the timed event
 *
 * Starts a timer whose running time, in whole seconds, the recorder adds to the daily
 * and monthly counts of (@event_id, @auxiliary_payload), on behalf of the calling user.
 *
 * Returns: (transfer full) (nullable): the running timer, or %NULL when @event_id is not
 *   a UUID or the payload is refused. When metrics are disabled, a timer that does
 *   nothing.
 *
 * Since: 0.5
 */
EMTR_AVAILABLE_IN_0_5
EmtrAggregateTimer* emtr_event_recorder_start_aggregate_timer(EmtrEventRecorder* self,
                                                              const gchar* event_id,
                                                              GVariant* auxiliary_payload);

/**
 * emtr_event_recorder_start_aggregate_timer_with_uid:
 * @self: the event recorder
 * @uid: the user the time is counted for (the recorder accepts other users than the
 *   caller's only from privileged callers)
 * @event_id: the event's UUID in canonical form
 * @auxiliary_payload: (nullable): data to associate with the timed event
 *
 * Like emtr_event_recorder_start_aggregate_timer(), for user @uid.
 *
 * Returns: (transfer full) (nullable): the running timer, or %NULL when @event_id is not
 *   a UUID or the payload is refused.
 *
 * Since: 0.5
 */
EMTR_AVAILABLE_IN_0_5
EmtrAggregateTimer* emtr_event_recorder_start_aggregate_timer_with_uid(EmtrEventRecorder* self,
                                                                       uid_t uid,
                                                                       const gchar* event_id,
                                                                       GVariant* auxiliary_payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EmtrEventRecorder, g_object_unref)

G_END_DECLS
