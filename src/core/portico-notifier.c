/* portico-notifier.c: which sync failures and account problems to tell the
 * admin about, once each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-notifier"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-json.h"
#include "portico-notifier.h"

/* The app and portico-cli write the state file; the lock keeps one
 * process's read-modify-write whole within this process, and the file is
 * replaced atomically, so the worst a race between the two can do is tell
 * a problem twice. */
G_LOCK_DEFINE_STATIC (state_lock);

void
portico_notice_free (PorticoNotice *notice)
{
  if (notice == NULL)
    return;

  g_free (notice->problem);
  g_free (notice->title);
  g_free (notice->body);
  g_free (notice);
}

char *
portico_notice_get_id (const PorticoNotice *notice)
{
  g_return_val_if_fail (notice != NULL, NULL);

  return g_strdup_printf ("account-%" G_GINT64_FORMAT "-%s", notice->account_id, notice->problem);
}

char *
portico_notifier_default_state_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "portico", "notified.ini", NULL);
}

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  if (source == NULL)
    return NULL;

  return g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
}

gboolean
portico_notifier_enabled (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "notifications"))
    return TRUE;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, "notifications");
}

guint
portico_settings_get_uint (const char *key,
                           guint       fallback)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = NULL;

  g_return_val_if_fail (key != NULL, fallback);

  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return fallback;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_uint (settings, key);
}

gboolean
portico_settings_get_boolean (const char *key,
                              gboolean    fallback)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = NULL;

  g_return_val_if_fail (key != NULL, fallback);

  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return fallback;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, key);
}

guint
portico_notifier_interval_hours (void)
{
  return portico_settings_get_uint ("sync-interval-hours", 24);
}

static gboolean
wanted (GArray *account_ids,
        gint64  id)
{
  if (account_ids == NULL)
    return TRUE;

  for (guint i = 0; i < account_ids->len; i++)
    if (g_array_index (account_ids, gint64, i) == id)
      return TRUE;

  return FALSE;
}

GPtrArray *
portico_notifier_collect_sync (PorticoStore *store,
                               GArray       *account_ids,
                               guint         interval_hours,
                               const char   *state_path,
                               GError      **error)
{
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func ((GDestroyNotify) portico_notice_free);
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(GKeyFile) state = g_key_file_new ();
  g_autofree char *dir = NULL;
  const char *group;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JsonArray *array;
  gboolean changed = FALSE;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (state_path != NULL, NULL);

  accounts = portico_store_list_accounts (store, error);
  if (accounts == NULL)
    return NULL;

  /* One group per database: the demo and a test database keep their own. */
  group = portico_store_get_path (store);

  G_LOCK (state_lock);

  /* A missing or damaged state file only means problems are told again. */
  g_key_file_load_from_file (state, state_path, G_KEY_FILE_NONE, NULL);

  array = JSON_NODE_HOLDS_ARRAY (accounts) ? json_node_get_array (accounts) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);
      gint64 id = portico_json_get_int (account, "id", 0);
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_auto(GStrv) told = NULL;
      g_autoptr(GStrvBuilder) now_told = g_strv_builder_new ();
      g_auto(GStrv) current = NULL;
      g_autoptr(JsonNode) runs = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      gboolean any = FALSE;

      if (id <= 0 || !wanted (account_ids, id))
        continue;

      told = g_key_file_get_string_list (state, group, key, NULL, NULL);
      runs = portico_store_list_sync_runs (store, id, NULL);
      problems = portico_account_find_problems (account,
                                                runs != NULL && JSON_NODE_HOLDS_ARRAY (runs) ? json_node_get_array (runs) : NULL,
                                                now, interval_hours);

      for (guint j = 0; j < problems->len; j++)
        {
          PorticoAccountProblem *problem = g_ptr_array_index (problems, j);
          const char *kind = portico_problem_code (problem->kind);
          PorticoNotice *notice;

          /* Connected anyway without some data types: the admin chose it. */
          if (problem->kind == PORTICO_PROBLEM_DISABLED_TYPES)
            continue;
          /* One notification per problem code, the most urgent's words. */
          if (!g_hash_table_add (seen, (gpointer) kind))
            continue;

          g_strv_builder_add (now_told, kind);
          any = TRUE;
          if (told != NULL && g_strv_contains ((const char * const *) told, kind))
            continue;

          notice = g_new0 (PorticoNotice, 1);
          notice->account_id = id;
          notice->problem = g_strdup (kind);
          /* Translators: a notification's title: an account's name, then
           * what is wrong with it ("Acme Okta: Last sync failed"). */
          notice->title = g_strdup_printf (_("%s: %s"), portico_json_get_string (account, "name"), problem->title);
          notice->body = g_strdup (problem->detail);
          g_ptr_array_add (notices, notice);
        }

      current = g_strv_builder_end (now_told);
      if (!any && told != NULL)
        {
          g_key_file_remove_key (state, group, key, NULL);
          changed = TRUE;
        }
      else if (any && (told == NULL || !g_strv_equal ((const char * const *) told, (const char * const *) current)))
        {
          g_key_file_set_string_list (state, group, key, (const char * const *) current,
                                      g_strv_length (current));
          changed = TRUE;
        }
    }

  if (changed)
    {
      g_autoptr(GError) local_error = NULL;

      dir = g_path_get_dirname (state_path);
      g_mkdir_with_parents (dir, 0700);
      if (!g_key_file_save_to_file (state, state_path, &local_error))
        g_debug ("Cannot record the notifications told: %s", local_error->message);
    }

  G_UNLOCK (state_lock);

  return g_steal_pointer (&notices);
}

typedef struct
{
  PorticoStore *store;
  gint64        account_id;
  guint         interval_hours;
} CollectData;

static void
collect_data_free (CollectData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CollectData *data = task_data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *state_path = portico_notifier_default_state_path ();
  GError *error = NULL;
  GPtrArray *notices;

  g_array_append_val (ids, data->account_id);
  notices = portico_notifier_collect_sync (data->store, ids, data->interval_hours, state_path, &error);
  if (notices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, notices, (GDestroyNotify) g_ptr_array_unref);
}

void
portico_notifier_collect_async (PorticoStore        *store,
                                gint64               account_id,
                                guint                interval_hours,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CollectData *data;

  g_return_if_fail (store != NULL);

  data = g_new0 (CollectData, 1);
  data->store = g_object_ref (store);
  data->account_id = account_id;
  data->interval_hours = interval_hours;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_notifier_collect_async);
  g_task_set_task_data (task, data, (GDestroyNotify) collect_data_free);
  g_task_run_in_thread (task, collect_thread);
}

GPtrArray *
portico_notifier_collect_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
portico_notifier_send_freedesktop (GDBusConnection     *bus,
                                   const char          *app_id,
                                   const PorticoNotice *notice,
                                   GError             **error)
{
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder hints;

  g_return_val_if_fail (app_id != NULL, FALSE);
  g_return_val_if_fail (notice != NULL, FALSE);

  if (bus == NULL)
    {
      session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
      if (session == NULL)
        return FALSE;
      bus = session;
    }

  g_variant_builder_init (&hints, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (app_id));
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (1));
  g_variant_builder_add (&hints, "{sv}", "category", g_variant_new_string ("transfer.error"));

  /* No actions: this process ends right after, so nothing would answer one. */
  reply = g_dbus_connection_call_sync (bus,
                                       "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "Notify",
                                       g_variant_new ("(susssasa{sv}i)",
                                                      _("Portico"), (guint32) 0, app_id,
                                                      notice->title, notice->body,
                                                      NULL, &hints, (gint32) -1),
                                       G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);

  return reply != NULL;
}
