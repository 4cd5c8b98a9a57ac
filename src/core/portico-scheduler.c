/* portico-scheduler.c: when accounts sync by themselves, and what is wrong
 * with them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-scheduler"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-json.h"
#include "portico-scheduler.h"

/* ---- Pure functions --------------------------------------------------- */

gint64
portico_scheduler_compute_due (gint64 last,
                               gint64 now,
                               guint  interval_hours,
                               gint64 jitter_seconds,
                               gint64 startup_spread_seconds)
{
  gint64 interval = (gint64) CLAMP (interval_hours, 1, 168) * 3600;
  gint64 due;

  jitter_seconds = CLAMP (jitter_seconds, 0, interval / 10);
  if (last <= 0)
    return now + MIN (jitter_seconds, startup_spread_seconds);

  due = last + interval + jitter_seconds;
  if (due < now)
    return now + MIN (jitter_seconds, startup_spread_seconds);

  return due;
}

/* ---- The scheduler ---------------------------------------------------- */

#define STARTUP_SPREAD_SECONDS 60

struct _PorticoScheduler
{
  GObject        parent_instance;

  PorticoEngine *engine;
  GCancellable  *cancellable;
  guint          interval_hours;
  guint          timeout_id;
  guint          n_started;
  guint          n_checks;
  guint          startup_spread;
  gboolean       checking;
  /* FALSE: no scheduled sync on a metered connection. */
  gboolean       sync_on_metered;
  gboolean       was_waiting;

  /* account id -> gint64 jitter seconds, drawn once per account */
  GHashTable    *jitter;
  /* account id -> gint64 Unix time of the last sync this scheduler started */
  GHashTable    *attempts;
};

G_DEFINE_FINAL_TYPE (PorticoScheduler, portico_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INTERVAL_HOURS,
  PROP_SYNC_ON_METERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Scheduled syncs wait while this is TRUE. */
static gboolean
portico_scheduler_waiting_for_network (PorticoScheduler *self)
{
  return portico_engine_get_offline (self->engine) ||
         (!self->sync_on_metered && portico_engine_get_metered (self->engine));
}

/* The network came back (or the connection is no longer metered): the
 * syncs that fell due meanwhile run now. */
static void
network_changed_cb (PorticoEngine    *engine,
                    GParamSpec       *pspec,
                    PorticoScheduler *self)
{
  gboolean waiting = portico_scheduler_waiting_for_network (self);

  if (self->was_waiting && !waiting && self->timeout_id != 0)
    portico_scheduler_check_now (self);
  self->was_waiting = waiting;
}

PorticoScheduler *
portico_scheduler_new (PorticoEngine *engine)
{
  PorticoScheduler *self;

  g_return_val_if_fail (PORTICO_IS_ENGINE (engine), NULL);

  self = g_object_new (PORTICO_TYPE_SCHEDULER, NULL);
  self->engine = g_object_ref (engine);
  /* The engine may be offline already (the app sets its monitor first). */
  self->was_waiting = portico_scheduler_waiting_for_network (self);
  g_signal_connect_object (engine, "notify::offline", G_CALLBACK (network_changed_cb), self, 0);
  g_signal_connect_object (engine, "notify::metered", G_CALLBACK (network_changed_cb), self, 0);

  return self;
}

void
portico_scheduler_set_network_monitor (PorticoScheduler *self,
                                       GNetworkMonitor  *monitor)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  self->was_waiting = portico_scheduler_waiting_for_network (self);
  portico_engine_set_network_monitor (self->engine,
                                      monitor != NULL ? monitor : g_network_monitor_get_default ());
}

gboolean
portico_scheduler_get_sync_on_metered (PorticoScheduler *self)
{
  g_return_val_if_fail (PORTICO_IS_SCHEDULER (self), TRUE);

  return self->sync_on_metered;
}

void
portico_scheduler_set_sync_on_metered (PorticoScheduler *self,
                                       gboolean          sync_on_metered)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  sync_on_metered = !!sync_on_metered;
  if (self->sync_on_metered == sync_on_metered)
    return;

  self->sync_on_metered = sync_on_metered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ON_METERED]);
  network_changed_cb (self->engine, NULL, self);
}

guint
portico_scheduler_get_interval_hours (PorticoScheduler *self)
{
  g_return_val_if_fail (PORTICO_IS_SCHEDULER (self), 24);

  return self->interval_hours;
}

void
portico_scheduler_set_interval_hours (PorticoScheduler *self,
                                      guint             hours)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  hours = CLAMP (hours, 1, 168);
  if (self->interval_hours == hours)
    return;

  self->interval_hours = hours;
  /* Jitter is a share of the interval: draw it again. */
  g_hash_table_remove_all (self->jitter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_HOURS]);
}

void
portico_scheduler_set_startup_spread (PorticoScheduler *self,
                                      guint             seconds)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  self->startup_spread = seconds;
}

guint
portico_scheduler_get_n_started (PorticoScheduler *self)
{
  g_return_val_if_fail (PORTICO_IS_SCHEDULER (self), 0);

  return self->n_started;
}

guint
portico_scheduler_get_n_checks (PorticoScheduler *self)
{
  g_return_val_if_fail (PORTICO_IS_SCHEDULER (self), 0);

  return self->n_checks;
}

static gint64
portico_scheduler_get_jitter (PorticoScheduler *self,
                              gint64            account_id)
{
  gint64 *value = g_hash_table_lookup (self->jitter, &account_id);
  gint64 *key;

  if (value != NULL)
    return *value;

  key = g_memdup2 (&account_id, sizeof account_id);
  value = g_new (gint64, 1);
  *value = g_random_int_range (0, MAX (1, (gint32) (self->interval_hours * 360)));
  g_hash_table_insert (self->jitter, key, value);

  return *value;
}

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = portico_engine_sync_finish (PORTICO_ENGINE (source), result, &error);
  /* Already syncing (Sync now got there first) or the app is closing. The
   * outcome itself is recorded by the engine and shown on the tile. */
  if (error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Scheduled sync: %s", error->message);
}

static void
list_accounts_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PorticoStore *store = task_data;
  GError *error = NULL;
  JsonNode *node = portico_store_list_accounts (store, &error);

  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

/* Starts the syncs of the listed accounts: the due ones after a check, or
 * every one for "Sync All" (the task's source tag says which). */
static void
list_accounts_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PorticoScheduler *self = PORTICO_SCHEDULER (source);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gboolean all = g_task_get_source_tag (G_TASK (result)) == portico_scheduler_sync_all;
  JsonArray *accounts;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n_started = 0;

  if (!all)
    {
      self->checking = FALSE;
      self->n_checks++;
    }
  self->n_started = 0;
  node = g_task_propagate_pointer (G_TASK (result), &error);
  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot list accounts to sync: %s", error->message);
      return;
    }

  /* Offline, or metered when the admin chose so: scheduled syncs wait for
   * the network (Sync All is a person's choice and goes ahead). */
  if (!all && portico_scheduler_waiting_for_network (self))
    return;

  accounts = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; accounts != NULL && i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      gint64 id = json_object_get_int_member_with_default (account, "id", 0);
      gint64 last = portico_store_time_to_unix (portico_json_get_string (account, "last_sync_at"));
      gint64 *attempt = g_hash_table_lookup (self->attempts, &id);

      if (id == 0 || portico_engine_is_syncing (self->engine, id))
        continue;
      /* Paused after repeated failures: only a person starts it now. */
      if (!all && portico_json_get_bool (account, "paused", FALSE))
        continue;
      if (attempt != NULL)
        last = MAX (last, *attempt);

      if (!all && portico_scheduler_compute_due (last, now, self->interval_hours,
                                                 portico_scheduler_get_jitter (self, id),
                                                 self->startup_spread) > now)
        continue;

      /* A sync started by hand counts as this interval's sync too. */
      g_hash_table_insert (self->attempts, g_memdup2 (&id, sizeof id), g_memdup2 (&now, sizeof now));
      portico_engine_sync_async (self->engine, id, self->cancellable, sync_cb, NULL);
      n_started++;
    }

  self->n_started = n_started;
}

static void
list_accounts_then_sync (PorticoScheduler *self,
                         gpointer          source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, list_accounts_cb, NULL);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_object_ref (portico_engine_get_store (self->engine)), g_object_unref);
  g_task_run_in_thread (task, list_accounts_thread);
}

void
portico_scheduler_check_now (PorticoScheduler *self)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  if (self->checking)
    return;

  self->checking = TRUE;
  list_accounts_then_sync (self, portico_scheduler_check_now);
}

void
portico_scheduler_sync_all (PorticoScheduler *self)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  list_accounts_then_sync (self, portico_scheduler_sync_all);
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  portico_scheduler_check_now (PORTICO_SCHEDULER (user_data));

  return G_SOURCE_CONTINUE;
}

void
portico_scheduler_start (PorticoScheduler *self,
                         guint             check_seconds)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_id = g_timeout_add_seconds (check_seconds > 0 ? check_seconds : 60,
                                            check_timeout_cb, self);
  /* Accounts overdue at startup are due within the startup spread. */
  portico_scheduler_check_now (self);
}

void
portico_scheduler_stop (PorticoScheduler *self)
{
  g_return_if_fail (PORTICO_IS_SCHEDULER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
}

static void
portico_scheduler_dispose (GObject *object)
{
  PorticoScheduler *self = (PorticoScheduler *)object;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (portico_scheduler_parent_class)->dispose (object);
}

static void
portico_scheduler_finalize (GObject *object)
{
  PorticoScheduler *self = (PorticoScheduler *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->jitter, g_hash_table_unref);
  g_clear_pointer (&self->attempts, g_hash_table_unref);

  G_OBJECT_CLASS (portico_scheduler_parent_class)->finalize (object);
}

static void
portico_scheduler_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PorticoScheduler *self = PORTICO_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL_HOURS:
      g_value_set_uint (value, self->interval_hours);
      break;

    case PROP_SYNC_ON_METERED:
      g_value_set_boolean (value, self->sync_on_metered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_scheduler_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PorticoScheduler *self = PORTICO_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL_HOURS:
      portico_scheduler_set_interval_hours (self, g_value_get_uint (value));
      break;

    case PROP_SYNC_ON_METERED:
      portico_scheduler_set_sync_on_metered (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_scheduler_class_init (PorticoSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = portico_scheduler_dispose;
  object_class->finalize = portico_scheduler_finalize;
  object_class->get_property = portico_scheduler_get_property;
  object_class->set_property = portico_scheduler_set_property;

  properties[PROP_INTERVAL_HOURS] =
    g_param_spec_uint ("interval-hours", NULL, NULL,
                       1, 168, 24,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SYNC_ON_METERED] =
    g_param_spec_boolean ("sync-on-metered", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
portico_scheduler_init (PorticoScheduler *self)
{
  self->interval_hours = 24;
  self->startup_spread = STARTUP_SPREAD_SECONDS;
  self->sync_on_metered = TRUE;
  self->cancellable = g_cancellable_new ();
  self->jitter = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->attempts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}
