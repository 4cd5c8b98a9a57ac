/* portico-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-engine"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "portico-credentials.h"
#include "portico-engine.h"
#include "portico-errors.h"
#include "portico-format.h"
#include "portico-json.h"
#include "portico-limits.h"
#include "portico-notifier.h"

struct _PorticoEngine
{
  GObject parent_instance;

  PorticoStore *store;
  PorticoCatalog *catalog;
  PorticoRuntime *runtime;
  /* The keyring as this engine's database and profile see it. */
  PorticoCredentials *credentials;

  /* account id -> GINT_TO_POINTER (1) while it syncs */
  GHashTable *syncing;
  /* "connector/data_type/items" -> PorticoStoreMapping, compiled once */
  GHashTable *mappings;

  gboolean demo;

  /* The network as the scheduler sees it (NULL: always online); the
   * engine tells a sync that failed because the network is down apart. */
  GNetworkMonitor *network_monitor;
  gboolean offline;
  gboolean metered;

  /* Revocations at the provider still running after a disconnect, and the
   * tasks waiting for them to end (portico_engine_wait_revocations_async). */
  guint pending_revocations;
  GPtrArray *revocation_waiters;
};

G_DEFINE_FINAL_TYPE (PorticoEngine, portico_engine, G_TYPE_OBJECT)

enum {
  ACCOUNTS_CHANGED,
  SYNC_STARTED,
  SYNC_PROGRESS,
  SYNC_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_OFFLINE,
  PROP_METERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
portico_engine_dispose (GObject *object)
{
  PorticoEngine *self = PORTICO_ENGINE (object);

  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);

  G_OBJECT_CLASS (portico_engine_parent_class)->dispose (object);
}

static void
portico_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PorticoEngine *self = PORTICO_ENGINE (object);

  switch (prop_id)
    {
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;

    case PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_engine_finalize (GObject *object)
{
  PorticoEngine *self = PORTICO_ENGINE (object);

  if (self->runtime != NULL)
    g_signal_handlers_disconnect_by_data (self->runtime, self);
  g_clear_object (&self->store);
  g_clear_object (&self->catalog);
  g_clear_object (&self->runtime);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->syncing, g_hash_table_unref);
  g_clear_pointer (&self->mappings, g_hash_table_unref);
  g_clear_pointer (&self->revocation_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (portico_engine_parent_class)->finalize (object);
}

static void
portico_engine_class_init (PorticoEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = portico_engine_dispose;
  object_class->finalize = portico_engine_finalize;
  object_class->get_property = portico_engine_get_property;

  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_METERED] =
    g_param_spec_boolean ("metered", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNTS_CHANGED] =
    g_signal_new ("accounts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SYNC_STARTED] =
    g_signal_new ("sync-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SYNC_PROGRESS] =
    g_signal_new ("sync-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_INT64);
  signals[SYNC_FINISHED] =
    g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
portico_engine_init (PorticoEngine *self)
{
  self->syncing = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->mappings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) portico_store_mapping_unref);
}

/* A provider rotated an account's refresh token during a sync: the old one
 * no longer works, so the keyring item is replaced (in one write of all the
 * account's secrets) before the sync goes on. Values of a test carry no
 * account: a connect stores them afterwards. */
static void
secret_rotated_cb (PorticoRuntime   *runtime,
                   PorticoConnector *connector,
                   GHashTable       *values,
                   gpointer          user_data)
{
  PorticoEngine *self = user_data;
  const char *account_text = g_hash_table_lookup (values, PORTICO_VALUE_ACCOUNT);
  gint64 account_id = account_text != NULL ? g_ascii_strtoll (account_text, NULL, 10) : 0;
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  if (account_id <= 0 || !portico_engine_split_values (connector, values, &secrets, NULL, &error))
    return;
  account = portico_store_get_account (self->store, account_id, NULL);
  name = account != NULL ? json_object_get_string_member_with_default (json_node_get_object (account), "name", "")
                         : portico_connector_get_name (connector);
  if (!portico_credentials_store_sync (self->credentials, account_id,
                                       portico_connector_get_id (connector), name,
                                       secrets, NULL, &error))
    g_message ("Cannot store the rotated refresh token of account %" G_GINT64_FORMAT ": %s",
               account_id, error->message);
}

PorticoEngine *
portico_engine_new (PorticoStore   *store,
                    PorticoCatalog *catalog,
                    PorticoRuntime *runtime)
{
  PorticoEngine *self;

  g_return_val_if_fail (PORTICO_IS_STORE (store), NULL);
  g_return_val_if_fail (PORTICO_IS_CATALOG (catalog), NULL);
  g_return_val_if_fail (PORTICO_IS_RUNTIME (runtime), NULL);

  self = g_object_new (PORTICO_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->catalog = g_object_ref (catalog);
  self->runtime = g_object_ref (runtime);
  self->credentials = portico_credentials_new (portico_store_get_keyring_scope (store), FALSE);
  g_signal_connect (runtime, "secret-rotated", G_CALLBACK (secret_rotated_cb), self);
  /* Every process that syncs (the app, portico-cli, the timer) pauses
   * after the same number of failures. */
  portico_store_set_pause_after (store, portico_settings_get_uint ("pause-after-failures",
                                                                   PORTICO_STORE_DEFAULT_PAUSE_AFTER));

  return self;
}

static void
network_changed_cb (GObject    *monitor,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  PorticoEngine *self = user_data;
  gboolean offline = FALSE, metered = FALSE;

  if (self->network_monitor != NULL)
    {
      offline = !g_network_monitor_get_network_available (self->network_monitor);
      metered = g_network_monitor_get_network_metered (self->network_monitor);
    }

  if (self->offline != offline)
    {
      self->offline = offline;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
    }
  if (self->metered != metered)
    {
      self->metered = metered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METERED]);
    }
}

void
portico_engine_set_network_monitor (PorticoEngine   *self,
                                    GNetworkMonitor *monitor)
{
  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  if (self->network_monitor == monitor)
    return;
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_set_object (&self->network_monitor, monitor);
  if (monitor != NULL)
    {
      g_signal_connect (monitor, "notify::network-available", G_CALLBACK (network_changed_cb), self);
      g_signal_connect (monitor, "notify::network-metered", G_CALLBACK (network_changed_cb), self);
    }
  network_changed_cb (NULL, NULL, self);
}

GNetworkMonitor *
portico_engine_get_network_monitor (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);

  return self->network_monitor;
}

gboolean
portico_engine_get_offline (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), FALSE);

  return self->offline;
}

gboolean
portico_engine_get_metered (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), FALSE);

  return self->metered;
}

void
portico_engine_set_demo (PorticoEngine *self,
                         gboolean       demo)
{
  guint timeout_ms;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  demo = !!demo;
  if (self->demo == demo)
    return;

  /* A keyring of its own for the demo profile, with the same scope and
   * timeout: the items of the two profiles never mix. */
  self->demo = demo;
  timeout_ms = portico_credentials_get_timeout (self->credentials);
  g_object_unref (self->credentials);
  self->credentials = portico_credentials_new (portico_store_get_keyring_scope (self->store), demo);
  portico_credentials_set_timeout (self->credentials, timeout_ms);
}

PorticoCredentials *
portico_engine_get_credentials (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);

  return self->credentials;
}

/* Demo mode gives each connected account what a real estate has around it:
 * workflows that depend on it and an offboarding configuration, so that a
 * disconnect preview shows its whole cascade. */
static void
seed_demo_account (PorticoEngine    *self,
                   gint64            account_id,
                   PorticoConnector *connector,
                   const char       *account_name)
{
  const char *category = portico_connector_get_category (connector);
  const char *app = portico_connector_get_name (connector);
  g_auto(GStrv) actions = portico_connector_get_action_ids (connector);
  g_auto(GStrv) action_labels = portico_connector_get_action_labels (connector);
  g_autoptr(JsonObject) settings = json_object_new ();
  g_autofree char *name = NULL;
  g_autofree char *trigger = NULL;
  gint64 workflow;

  if (g_strcmp0 (category, "human_resources") == 0 || g_strcmp0 (category, "identity_provider") == 0)
    {
      /* Translators: a demo workflow; %s is an app such as "BambooHR". */
      name = g_strdup_printf (_("Offboard leavers reported by %s"), app);
      /* The account is the workflow's trigger account, shown by its current
       * name; a name copied here would go stale on rename. */
      trigger = g_strdup_printf (_("A person leaves in %s"), app);
      workflow = portico_store_add_workflow_sync (self->store, name, account_id, trigger, NULL);
    }
  else
    {
      name = g_strdup_printf (_("Review inactive %s seats monthly"), app);
      workflow = portico_store_add_workflow_sync (self->store, name, 0, _("First day of the month"), NULL);
    }

  if (workflow > 0 && actions != NULL && actions[0] != NULL)
    portico_store_add_workflow_action_sync (self->store, workflow, account_id, actions[0],
                                            action_labels != NULL && action_labels[0] != NULL
                                            ? action_labels[0] : actions[0], NULL);

  json_object_set_boolean_member (settings, "remove_on_offboarding", TRUE);
  json_object_set_int_member (settings, "days_after_leaving", 7);
  portico_store_set_offboarding_config_sync (self->store, account_id, settings, NULL);
}

PorticoStore *
portico_engine_get_store (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  return self->store;
}

PorticoCatalog *
portico_engine_get_catalog (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  return self->catalog;
}

PorticoRuntime *
portico_engine_get_runtime (PorticoEngine *self)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  return self->runtime;
}

static GHashTable *
string_table_new (void)
{
  /* These tables hold field values, secrets among them: scrubbed on free. */
  return portico_secret_table_new ();
}

gboolean
portico_engine_split_values (PorticoConnector *connector,
                             GHashTable       *values,
                             GHashTable      **secrets,
                             JsonObject      **fields,
                             GError          **error)
{
  g_autoptr(GHashTable) out_secrets = string_table_new ();
  g_autoptr(JsonObject) out_fields = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);
  g_return_val_if_fail (values != NULL, FALSE);

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const PorticoConnectorField *field = portico_connector_get_field (connector, key);
      gboolean refresh_token = g_str_equal (key, PORTICO_REFRESH_TOKEN_FIELD) &&
                               portico_connector_signs_in (connector);
      /* What the provider told at sign-in (a cloud id) is kept like a field. */
      gboolean told = portico_connector_is_sign_in_value (connector, key);

      /* Context such as "@account" is not a field and is not kept. */
      if (*(const char *) key == '@')
        continue;

      if (field == NULL && !refresh_token && !told)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                       _("%s has no field “%s”. Run “portico-cli connectors --json” to see its fields."),
                       portico_connector_get_name (connector), (const char *) key);
          return FALSE;
        }

      if (value == NULL || *(const char *) value == '\0')
        continue;

      if (refresh_token || (field != NULL && portico_connector_field_is_secret (field)))
        g_hash_table_insert (out_secrets, g_strdup (key), g_strdup (value));
      else
        json_object_set_string_member (out_fields, key, value);
    }

  if (secrets != NULL)
    *secrets = g_steal_pointer (&out_secrets);
  if (fields != NULL)
    *fields = g_steal_pointer (&out_fields);

  return TRUE;
}

PorticoConnectionTest *
portico_engine_new_test (PorticoEngine    *self,
                         PorticoConnector *connector,
                         GHashTable       *values,
                         const char       *permission)
{
  PorticoConnectionTest *test;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  /* The test keeps its values and permission: a connect after it stores
   * exactly what was tested. */
  test = portico_connection_test_new (self->runtime, connector, values, permission, NULL);
  return test;
}

/* ---- Helpers over the store's JSON reads ---------------------------------- */

static JsonObject *
find_account_by_identity (JsonNode   *accounts,
                          const char *connector_id,
                          const char *external_id,
                          gint64      except_id)
{
  JsonArray *array;

  if (accounts == NULL || !JSON_NODE_HOLDS_ARRAY (accounts) || external_id == NULL)
    return NULL;

  array = json_node_get_array (accounts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (json_object_get_int_member_with_default (account, "id", 0) == except_id)
        continue;
      if (g_strcmp0 (json_object_get_string_member_with_default (account, "connector", NULL), connector_id) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (account, "external_id", NULL), external_id) == 0)
        return account;
    }

  return NULL;
}

/* Refuses what the admin cannot connect, with the reason and the fix. */
static gboolean
check_outcome (PorticoConnectionTest *test,
               gboolean               accept_partial,
               GError               **error)
{
  PorticoConnector *connector = portico_connection_test_get_connector (test);
  PorticoConnectionOutcome outcome = portico_connection_test_get_outcome (test);

  if (outcome == PORTICO_CONNECTION_OUTCOME_NONE)
    {
      g_set_error_literal (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                           _("Test the connection before connecting."));
      return FALSE;
    }

  if (outcome == PORTICO_CONNECTION_OUTCOME_C)
    {
      const GError *cause = portico_connection_test_get_connection_error (test);
      const char * const *types = portico_connection_test_get_data_types (test);

      for (guint i = 0; cause == NULL && types != NULL && types[i] != NULL; i++)
        if (portico_connector_data_type_is_essential (connector, types[i]))
          cause = portico_connection_test_get_data_type_error (test, types[i]);

      if (cause != NULL)
        g_set_error_literal (error, cause->domain, cause->code, cause->message);
      else
        g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                     _("The connection to %s failed. Check the details and test again."),
                     portico_connector_get_name (connector));
      return FALSE;
    }

  if (outcome == PORTICO_CONNECTION_OUTCOME_B && !accept_partial)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_PLAN,
                   _("Some data types of %s cannot be read with these credentials. Fix the details, or connect anyway to sync only the working ones."),
                   portico_connector_get_name (connector));
      return FALSE;
    }

  return TRUE;
}

/* ---- Connect --------------------------------------------------------------- */

typedef struct
{
  PorticoConnectionTest *test;
  GHashTable *secrets;
  JsonObject *fields;
  char *name;
  gint64 account_id;
  gint64 replace_account_id; /* reconnect: the account that the new one replaces */
  gint64 reconnected_id;     /* reconnect: the account kept with new credentials */
  GError *keyring_error;
  GStrv origins;             /* where these credentials go */
  char *fingerprint;         /* of the secrets, shown instead of them */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->test);
  g_clear_pointer (&data->secrets, g_hash_table_unref);
  g_clear_pointer (&data->fields, json_object_unref);
  g_free (data->name);
  g_clear_error (&data->keyring_error);
  g_clear_pointer (&data->origins, g_strfreev);
  g_free (data->fingerprint);
  g_free (data);
}

static void
connect_forget_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!portico_store_forget_account_finish (PORTICO_STORE (source), result, &error))
    g_warning ("Could not remove the half-connected account %" G_GINT64_FORMAT ": %s",
               data->account_id, error->message);

  g_task_return_error (task, g_steal_pointer (&data->keyring_error));
}

static void
connect_secrets_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!portico_credentials_store_finish (result, &error))
    {
      /* The row exists but its secrets do not: remove it again. */
      data->keyring_error = error;
      portico_store_forget_account_async (self->store, data->account_id, NULL,
                                          connect_forget_cb, g_steal_pointer (&task));
      return;
    }

  if (self->demo)
    seed_demo_account (self, data->account_id,
                       portico_connection_test_get_connector (data->test), data->name);

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_int (task, data->account_id);
}

static void
store_secrets (GTask  *task,
               gint64  account_id)
{
  PorticoEngine *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  PorticoConnector *connector = portico_connection_test_get_connector (data->test);

  data->account_id = account_id;
  portico_credentials_store_async (self->credentials, account_id, portico_connector_get_id (connector),
                                   data->name, data->secrets,
                                   g_task_get_cancellable (task),
                                   connect_secrets_cb, task);
}

static void
connect_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gint64 account_id;

  account_id = portico_store_create_account_finish (PORTICO_STORE (source), result, &error);
  if (account_id <= 0)
    {
      g_task_return_error (task, error);
      return;
    }

  store_secrets (g_steal_pointer (&task), account_id);
}

static void
create_account (GTask *task)
{
  PorticoEngine *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  PorticoConnectionTest *test = data->test;
  PorticoConnector *connector = portico_connection_test_get_connector (test);
  const char * const *types = portico_connection_test_get_data_types (test);
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (PorticoStoreDataTypeSpec));
  PorticoStoreNewAccount account = { 0, };
  const char *permission;

  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    {
      PorticoStoreDataTypeSpec spec = { 0, };
      const GError *type_error = portico_connection_test_get_data_type_error (test, types[i]);

      spec.data_type = types[i];
      spec.enabled = portico_connection_test_get_data_type_ok (test, types[i]);
      spec.disabled_reason = spec.enabled ? NULL : (type_error ? type_error->message : NULL);
      g_array_append_val (specs, spec);
    }

  permission = portico_connection_test_get_permission (test);

  account.connector_id = portico_connector_get_id (connector);
  account.connector_name = portico_connector_get_name (connector);
  account.category = portico_connector_get_category (connector);
  account.name = data->name;
  account.external_id = portico_connection_test_get_external_id (test);
  account.external_name = portico_connection_test_get_display_name (test);
  account.permission = permission != NULL ? permission : "read";
  account.fields = data->fields;
  account.origins = (const char * const *) data->origins;
  account.fingerprint = data->fingerprint;
  account.data_types = (const PorticoStoreDataTypeSpec *) (gpointer) specs->data;
  account.n_data_types = specs->len;

  portico_store_create_account_async (self->store, &account, g_task_get_cancellable (task),
                                      connect_created_cb, task);
}

static ConnectData *
connect_data_new (PorticoEngine         *self,
                  PorticoConnectionTest *test,
                  GHashTable            *values,
                  const char            *name,
                  GError               **error)
{
  PorticoConnector *connector = portico_connection_test_get_connector (test);
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *clean_name = NULL;
  ConnectData *data;

  if (values == NULL)
    values = portico_connection_test_get_values (test);
  if (!portico_engine_split_values (connector, values, &secrets, &fields, error))
    return NULL;

  if (name != NULL)
    clean_name = g_strstrip (g_strdup (name));
  if (clean_name == NULL || *clean_name == '\0')
    {
      const char *display = portico_connection_test_get_display_name (test);

      g_free (clean_name);
      clean_name = g_strdup (display != NULL && *display != '\0'
                             ? display : portico_connector_get_name (connector));
    }

  data = g_new0 (ConnectData, 1);
  data->test = g_object_ref (test);
  data->secrets = g_steal_pointer (&secrets);
  data->fields = g_steal_pointer (&fields);
  data->name = g_steal_pointer (&clean_name);
  /* The test just sent these credentials there: connecting (or
   * reconnecting) is the admin's confirmation of these origins. */
  data->origins = portico_runtime_dup_credential_origins (self->runtime, connector, values, NULL);
  data->fingerprint = portico_credentials_fingerprint (self->credentials,
                                                       portico_connector_get_id (connector),
                                                       data->secrets,
                                                       PORTICO_REFRESH_TOKEN_FIELD);

  return data;
}

void
portico_engine_connect_async (PorticoEngine         *self,
                              PorticoConnectionTest *test,
                              GHashTable            *values,
                              const char            *name,
                              gboolean               accept_partial,
                              GCancellable          *cancellable,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  PorticoConnector *connector;
  JsonObject *existing;
  ConnectData *data;
  GError *error = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (PORTICO_IS_CONNECTION_TEST (test));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_connect_async);
  connector = portico_connection_test_get_connector (test);

  if (!check_outcome (test, accept_partial, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  accounts = portico_store_list_accounts (self->store, &error);
  if (accounts == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  existing = find_account_by_identity (accounts, portico_connector_get_id (connector),
                                       portico_connection_test_get_external_id (test), 0);
  if (existing != NULL)
    {
      g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT,
                               _("This %s account is already connected as “%s” (account %" PRId64 "). Reconnect that account instead."),
                               portico_connector_get_name (connector),
                               json_object_get_string_member_with_default (existing, "name", ""),
                               json_object_get_int_member_with_default (existing, "id", 0));
      return;
    }

  if (!portico_connector_get_multi_account (connector))
    {
      JsonArray *array = json_node_get_array (accounts);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *account = json_array_get_object_element (array, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (account, "connector", NULL),
                         portico_connector_get_id (connector)) == 0)
            {
              g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT,
                                       _("%s supports one account, and “%s” is connected. Reconnect it to use other credentials."),
                                       portico_connector_get_name (connector),
                                       json_object_get_string_member_with_default (account, "name", ""));
              return;
            }
        }
    }

  data = connect_data_new (self, test, values, name, &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  create_account (g_steal_pointer (&task));
}

gint64
portico_engine_connect_finish (PorticoEngine *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  gint64 account_id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_connect_async, 0);

  /* g_task_propagate_int() gives -1 on error; the API promises 0. */
  account_id = g_task_propagate_int (G_TASK (result), error);
  return account_id > 0 ? account_id : 0;
}

/* ---- Reconnect ------------------------------------------------------------- */

static void
reconnect_secrets_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!portico_credentials_store_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_int (task, data->reconnected_id);
}

static void
reconnect_updated_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  PorticoConnector *connector = portico_connection_test_get_connector (data->test);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!portico_store_update_account_finish (PORTICO_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The secrets replace the old ones in the same keyring item. The
   * cancellable is read first: argument evaluation order is unspecified,
   * and the steal may run before it. */
  cancellable = g_task_get_cancellable (task);
  portico_credentials_store_async (self->credentials, data->reconnected_id, portico_connector_get_id (connector),
                                   data->name, data->secrets, cancellable,
                                   reconnect_secrets_cb, g_steal_pointer (&task));
}

static void reconnect_disconnected_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data);

void
portico_engine_reconnect_async (PorticoEngine         *self,
                                gint64                 account_id,
                                PorticoConnectionTest *test,
                                GHashTable            *values,
                                gboolean               accept_partial,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) account_node = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  PorticoConnector *connector;
  JsonObject *account;
  JsonObject *other;
  const char *old_external;
  const char *new_external;
  ConnectData *data;
  GError *error = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (PORTICO_IS_CONNECTION_TEST (test));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_reconnect_async);
  connector = portico_connection_test_get_connector (test);

  account_node = portico_store_get_account (self->store, account_id, &error);
  if (account_node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  account = json_node_get_object (account_node);

  if (g_strcmp0 (json_object_get_string_member_with_default (account, "status", NULL), "disconnected") == 0)
    {
      g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                               _("Account %" PRId64 " is disconnected. Connect %s again instead."),
                               account_id, portico_connector_get_name (connector));
      return;
    }

  if (g_strcmp0 (json_object_get_string_member_with_default (account, "connector", NULL),
                 portico_connector_get_id (connector)) != 0)
    {
      g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                               _("Account %" PRId64 " does not belong to %s."),
                               account_id, portico_connector_get_name (connector));
      return;
    }

  if (!check_outcome (test, accept_partial, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = connect_data_new (self, test, values,
                           json_object_get_string_member_with_default (account, "name", NULL),
                           &error);
  if (data == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  old_external = json_object_get_string_member_with_default (account, "external_id", NULL);
  new_external = portico_connection_test_get_external_id (test);

  if (g_strcmp0 (old_external, new_external) == 0)
    {
      const char *permission = portico_connection_test_get_permission (test);

      data->reconnected_id = account_id;
      portico_store_update_account_async (self->store, account_id, permission, data->fields,
                                          (const char * const *) data->origins,
                                          data->fingerprint,
                                          cancellable, reconnect_updated_cb,
                                          g_steal_pointer (&task));
      return;
    }

  /* Another identity: it must not be connected already. */
  accounts = portico_store_list_accounts (self->store, &error);
  if (accounts == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  other = find_account_by_identity (accounts, portico_connector_get_id (connector),
                                    new_external, account_id);
  if (other != NULL)
    {
      g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT,
                               _("These credentials belong to “%s” (account %" PRId64 "), which is already connected."),
                               json_object_get_string_member_with_default (other, "name", ""),
                               json_object_get_int_member_with_default (other, "id", 0));
      return;
    }

  /* A new name for a new identity: the provider's, not the old account's. */
  g_clear_pointer (&data->name, g_free);
  data->name = g_strdup (portico_connection_test_get_display_name (test) != NULL
                         ? portico_connection_test_get_display_name (test)
                         : portico_connector_get_name (connector));

  if (portico_connector_get_multi_account (connector))
    {
      create_account (g_steal_pointer (&task));
      return;
    }

  data->replace_account_id = account_id;
  portico_engine_disconnect_async (self, account_id, cancellable,
                                   reconnect_disconnected_cb, g_steal_pointer (&task));
}

static void
reconnect_disconnected_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  GError *error = NULL;

  summary = portico_engine_disconnect_finish (PORTICO_ENGINE (source), result, &error);
  if (summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  create_account (g_steal_pointer (&task));
}

gint64
portico_engine_reconnect_finish (PorticoEngine *self,
                                 GAsyncResult  *result,
                                 gint64        *replaced_account_id,
                                 GError       **error)
{
  ConnectData *data;
  gint64 account_id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_reconnect_async, 0);

  data = g_task_get_task_data (G_TASK (result));
  if (replaced_account_id != NULL)
    *replaced_account_id = data != NULL ? data->replace_account_id : 0;

  account_id = g_task_propagate_int (G_TASK (result), error);
  return account_id > 0 ? account_id : 0;
}

/* ---- Values of an account --------------------------------------------------- */

typedef struct
{
  gint64 account_id;
  GHashTable *values;
} ValuesData;

static void
values_data_free (ValuesData *data)
{
  g_clear_pointer (&data->values, g_hash_table_unref);
  g_free (data);
}

static void
values_lookup_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ValuesData *data = g_task_get_task_data (task);
  g_autoptr(GHashTable) secrets = NULL;
  GHashTableIter iter;
  gpointer key, value;
  GError *error = NULL;

  secrets = portico_credentials_lookup_finish (result, &error);
  if (secrets == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_hash_table_iter_init (&iter, secrets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (data->values, g_strdup (key), g_strdup (value));

  g_task_return_pointer (task, g_hash_table_ref (data->values),
                         (GDestroyNotify) g_hash_table_unref);
}

void
portico_engine_load_values_async (PorticoEngine      *self,
                                  gint64              account_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) account = NULL;
  JsonObject *fields;
  ValuesData *data;
  GError *error = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_load_values_async);

  account = portico_store_get_account (self->store, account_id, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (ValuesData, 1);
  data->account_id = account_id;
  data->values = string_table_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) values_data_free);

  fields = json_object_get_object_member (json_node_get_object (account), "fields");
  if (fields != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, fields);
      while (json_object_iter_next (&iter, &name, &node))
        if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
          g_hash_table_insert (data->values, g_strdup (name), g_strdup (json_node_get_string (node)));
    }

  portico_credentials_lookup_async (self->credentials, account_id, cancellable, values_lookup_cb,
                                    g_steal_pointer (&task));
}

GHashTable *
portico_engine_load_values_finish (PorticoEngine *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_load_values_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Sync ------------------------------------------------------------------- */

typedef struct
{
  char *data_type;
  char *status;
  gint64 items;
  char *error_code;
  char *error_message;
  gint64 started_at;
  gint64 ended_at;
} TypeResult;

/* One data type read by the current fetch. Data types with `request_from`
 * share the pages of their source's fetch: one request per page serves
 * every lane, and each lane replaces its own rows. */
typedef struct
{
  guint index;                 /* in SyncData.data_types */
  PorticoStoreReplace *replace;
  GError *error;               /* this lane's first error */
} SyncLane;

typedef struct
{
  gint64 account_id;
  gint64 run_id;
  PorticoConnector *connector;
  GHashTable *values;
  GStrv data_types;            /* enabled ones, in order */
  guint current;
  GArray *results;             /* TypeResult, one slot per data type (data_type NULL: not done) */
  GPtrArray *lanes;            /* SyncLane: the data types of the current fetch */
  guint committing;            /* the lane being committed */
  gint64 started_at;           /* of the current fetch */
  PorticoPageGate *gate;       /* of the current fetch: counts the page writes not done */
  gboolean fetch_done;
  gint64 fetched_items;
  GError *account_error;       /* keyring or account problem: every type fails */
  PorticoSyncLock *lock;       /* held from start to the recorded run */
  char *account_name;
} SyncData;

typedef struct
{
  GTask *task;
  SyncLane *lane;
} SyncPageWrite;

/* Pages fetched ahead of the store's writer, per data type reading them. */
#define SYNC_PAGES_AHEAD 3

static void
sync_lane_free (SyncLane *lane)
{
  if (lane->replace != NULL)
    portico_store_replace_abort (lane->replace);
  g_clear_pointer (&lane->replace, portico_store_replace_unref);
  g_clear_error (&lane->error);
  g_free (lane);
}

static void
sync_lane_fail (SyncLane     *lane,
                const GError *error)
{
  if (lane->error == NULL)
    lane->error = g_error_copy (error);
}

static void
type_result_clear (TypeResult *r)
{
  g_free (r->data_type);
  g_free (r->status);
  g_free (r->error_code);
  g_free (r->error_message);
}

static void
sync_data_free (SyncData *data)
{
  g_clear_object (&data->connector);
  g_clear_pointer (&data->values, g_hash_table_unref);
  g_clear_pointer (&data->data_types, g_strfreev);
  g_clear_pointer (&data->results, g_array_unref);
  g_clear_pointer (&data->lanes, g_ptr_array_unref);
  g_clear_pointer (&data->gate, portico_page_gate_unref);
  g_clear_error (&data->account_error);
  g_clear_pointer (&data->lock, portico_sync_lock_release);
  g_free (data->account_name);
  g_free (data);
}

static void sync_next_type (GTask *task);

static void
sync_release (PorticoEngine *self,
              SyncData      *data)
{
  g_hash_table_remove (self->syncing, &data->account_id);
  g_clear_pointer (&data->lock, portico_sync_lock_release);
}

static void
add_result (SyncData     *data,
            guint         index,
            gint64        items,
            const GError *error,
            gint64        started_at)
{
  TypeResult *r = &g_array_index (data->results, TypeResult, index);

  g_assert (r->data_type == NULL);
  r->data_type = g_strdup (data->data_types[index]);
  r->status = g_strdup (error == NULL ? "ok" : "failed");
  r->items = error == NULL ? items : 0;
  r->error_code = error != NULL ? g_strdup (portico_error_code_name (error)) : NULL;
  r->error_message = error != NULL ? g_strdup (error->message) : NULL;
  r->started_at = started_at;
  r->ended_at = g_get_real_time ();
}

static const char *
overall_status (SyncData *data)
{
  guint ok = 0;

  for (guint i = 0; i < data->results->len; i++)
    if (g_strcmp0 (g_array_index (data->results, TypeResult, i).status, "ok") == 0)
      ok++;

  if (data->results->len > 0 && ok == data->results->len)
    return "ok";
  if (ok == 0)
    return "failed";
  return "partial";
}

static JsonNode *
sync_document (SyncData   *data,
               const char *status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_int_value (builder, data->account_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "data_types");
  json_builder_begin_array (builder);
  for (guint i = 0; i < data->results->len; i++)
    {
      TypeResult *r = &g_array_index (data->results, TypeResult, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, r->data_type);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, r->status);
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, r->items);
      json_builder_set_member_name (builder, "error");
      if (r->error_message != NULL)
        json_builder_add_string_value (builder, r->error_message);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "error_code");
      if (r->error_code != NULL)
        json_builder_add_string_value (builder, r->error_code);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
sync_finished_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  const char *status = overall_status (data);
  GError *error = NULL;

  sync_release (self, data);

  if (!portico_store_finish_sync_run_finish (PORTICO_STORE (source), result, &error))
    {
      g_signal_emit (self, signals[SYNC_FINISHED], 0, data->account_id, "failed");
      g_task_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[SYNC_FINISHED], 0, data->account_id, status);
  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_pointer (task, sync_document (data, status), (GDestroyNotify) json_node_unref);
}

static void sync_record_run (GTask *task);

static void
sync_linked_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* Linking only improves Recommended to connect; a failure is not the
   * sync's failure. */
  if (!portico_store_link_app_connectors_finish (PORTICO_STORE (source), result, &error))
    g_debug ("Could not link discovered apps to connectors: %s", error->message);

  sync_record_run (task);
}

/* Apps that an identity provider or expense tool discovered are matched to
 * the catalog by name, so "Recommended to connect" can offer Connect. */
static void
sync_finish_run (GTask *task)
{
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GHashTable) names = NULL;
  gboolean discovered = FALSE;
  guint n;

  for (guint i = 0; i < data->results->len; i++)
    {
      TypeResult *r = &g_array_index (data->results, TypeResult, i);

      if (g_str_equal (r->data_type, "discovered_apps") && g_str_equal (r->status, "ok"))
        discovered = TRUE;
    }

  if (!discovered)
    {
      sync_record_run (task);
      return;
    }

  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->catalog));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (self->catalog), i);

      g_hash_table_insert (names, g_utf8_strdown (portico_connector_get_name (connector), -1),
                           g_strdup (portico_connector_get_id (connector)));
    }

  portico_store_link_app_connectors_async (self->store, names, NULL, sync_linked_cb, task);
}

static void
sync_record_run (GTask *task)
{
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (PorticoStoreDataTypeResult));

  for (guint i = 0; i < data->results->len; i++)
    {
      TypeResult *r = &g_array_index (data->results, TypeResult, i);
      PorticoStoreDataTypeResult out = { 0, };

      /* The provider could not be reached while the machine is offline:
       * the network is down, not the account (it does not count toward
       * auto-pause, nor does Needs attention list it). */
      if (self->offline && g_strcmp0 (r->error_code, "network") == 0)
        {
          g_free (r->error_code);
          g_free (r->error_message);
          r->error_code = g_strdup ("offline");
          r->error_message = g_strdup (_("This computer is offline. Portico syncs again when the network is back."));
        }

      out.data_type = r->data_type;
      out.status = r->status;
      out.items = r->items;
      out.error_code = r->error_code;
      out.error_message = r->error_message;
      out.started_at = r->started_at;
      out.ended_at = r->ended_at;
      g_array_append_val (results, out);
    }

  /* Recording the run must happen even when the sync was cancelled, so it
   * does not take the task's cancellable. */
  portico_store_finish_sync_run_async (self->store, data->run_id, overall_status (data),
                                       (const PorticoStoreDataTypeResult *) (gpointer) results->data,
                                       results->len, NULL, sync_finished_cb, task);
}

static void sync_commit_next (GTask *task);

static void
sync_commit_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  SyncLane *lane = g_ptr_array_index (data->lanes, data->committing);
  g_autoptr(GError) error = NULL;
  gint64 items;

  items = portico_store_replace_commit_finish (lane->replace, result, &error);
  g_clear_pointer (&lane->replace, portico_store_replace_unref);
  add_result (data, lane->index, items, items < 0 ? error : NULL, data->started_at);

  data->committing++;
  sync_commit_next (task);
}

/* The lanes commit one after the other, in the order of the data types:
 * a data type's commit may read what an earlier one stored (custom fields
 * find people by the users' emails). */
static void
sync_commit_next (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);

  while (data->committing < data->lanes->len)
    {
      SyncLane *lane = g_ptr_array_index (data->lanes, data->committing);

      if (lane->error == NULL)
        {
          portico_store_replace_commit_async (lane->replace, NULL, sync_commit_cb, task);
          return;
        }

      /* The previous rows stay exactly as they were. */
      portico_store_replace_abort (lane->replace);
      g_clear_pointer (&lane->replace, portico_store_replace_unref);
      add_result (data, lane->index, 0, lane->error, data->started_at);
      data->committing++;
    }

  g_ptr_array_set_size (data->lanes, 0);
  sync_next_type (task);
}

/* Called once the fetch ended and every queued page was written. */
static void
sync_type_settle (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);

  /* A sync cancelled after the last page arrived must not commit either. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         _("The sync was cancelled; the previous data is kept."));

      for (guint i = 0; i < data->lanes->len; i++)
        sync_lane_fail (g_ptr_array_index (data->lanes, i), cancelled);
    }

  data->committing = 0;
  sync_commit_next (task);
}

static void
sync_page_written_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  SyncPageWrite *write = user_data;
  GTask *task = write->task;
  SyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!portico_store_replace_add_page_finish (write->lane->replace, result, &error))
    {
      if (write->lane->error == NULL)
        write->lane->error = error;
      else
        g_error_free (error);
    }
  g_free (write);

  portico_page_gate_release (data->gate);
  if (data->fetch_done && portico_page_gate_get_pending (data->gate) == 0)
    sync_type_settle (task);
  else
    g_object_unref (task);
}

static gboolean
sync_page_cb (const char *data_type_id,
              guint       page_index,
              GBytes     *body,
              JsonArray  *items,
              gpointer    user_data,
              GError    **error)
{
  GTask *task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  const GError *failed = NULL;
  gboolean wanted = FALSE;

  for (guint i = 0; i < data->lanes->len; i++)
    {
      SyncLane *lane = g_ptr_array_index (data->lanes, i);

      if (lane->error == NULL)
        wanted = TRUE;
      else if (failed == NULL)
        failed = lane->error;
    }
  /* Every data type of this fetch failed: no further page is needed. */
  if (!wanted)
    {
      g_set_error_literal (error, failed->domain, failed->code, failed->message);
      return FALSE;
    }

  data->fetched_items += items != NULL ? json_array_get_length (items) : 0;
  /* The writer maps this page while the runtime fetches the next one; each
   * data type reading it maps the same bytes. */
  for (guint i = 0; i < data->lanes->len; i++)
    {
      SyncLane *lane = g_ptr_array_index (data->lanes, i);
      SyncPageWrite *write;

      if (lane->error != NULL)
        continue;
      write = g_new0 (SyncPageWrite, 1);
      write->task = g_object_ref (task);
      write->lane = lane;
      portico_page_gate_take (data->gate);
      portico_store_replace_add_page_async (lane->replace, body, NULL, sync_page_written_cb, write);
    }
  g_signal_emit (self, signals[SYNC_PROGRESS], 0, data->account_id, data_type_id,
                 data->fetched_items);

  return TRUE;
}

static void
sync_fetch_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (source), result, &error) < 0)
    for (guint i = 0; i < data->lanes->len; i++)
      sync_lane_fail (g_ptr_array_index (data->lanes, i), error);

  data->fetch_done = TRUE;
  if (portico_page_gate_get_pending (data->gate) == 0)
    sync_type_settle (task);
  else
    g_object_unref (task);
}

static PorticoStoreMapping *
get_mapping (PorticoEngine     *self,
             PorticoConnector  *connector,
             const char        *data_type,
             GHashTable        *values,
             GError           **error)
{
  JsonObject *map = portico_connector_get_data_type_map (connector, data_type);
  g_autofree char *items = NULL;
  g_autofree char *key = NULL;
  PorticoStoreMapping *mapping;

  /* The runtime expands {field} templates in the items path the same way
   * for the request as for the mapping. */
  items = portico_runtime_dup_items_path (connector, values, data_type, error);
  if (items == NULL)
    return NULL;

  key = g_strdup_printf ("%s\x1f%s\x1f%s", portico_connector_get_origin (connector), data_type, items);
  mapping = g_hash_table_lookup (self->mappings, key);
  if (mapping != NULL)
    return portico_store_mapping_ref (mapping);

  mapping = portico_store_mapping_new (data_type, items, map, error);
  if (mapping == NULL)
    return NULL;

  g_hash_table_insert (self->mappings, g_steal_pointer (&key), portico_store_mapping_ref (mapping));
  return mapping;
}

static gboolean
sync_type_done (SyncData *data,
                guint     index)
{
  return g_array_index (data->results, TypeResult, index).data_type != NULL;
}

static void
sync_next_type (GTask *task)
{
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  const char *source;
  const char *first = NULL;

  /* Data types already read with an earlier one's pages are done. */
  while (data->data_types[data->current] != NULL && sync_type_done (data, data->current))
    data->current++;

  if (data->data_types[data->current] == NULL)
    {
      sync_finish_run (task);
      return;
    }

  data->started_at = g_get_real_time ();

  if (data->account_error != NULL ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      const GError *reason = data->account_error;
      g_autoptr(GError) cancelled = NULL;

      if (reason == NULL)
        reason = cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The sync was cancelled; the previous data is kept."));
      add_result (data, data->current, 0, reason, data->started_at);
      data->current++;
      sync_next_type (task);
      return;
    }

  /* This data type and every later one served by the same request
   * (request_from) read one fetch: each page is requested once. */
  source = portico_connector_get_data_type_source (data->connector, data->data_types[data->current]);
  for (guint i = data->current; data->data_types[i] != NULL; i++)
    {
      const char *data_type = data->data_types[i];
      g_autoptr(PorticoStoreMapping) mapping = NULL;
      GError *error = NULL;
      SyncLane *lane;

      if (sync_type_done (data, i))
        continue;
      if (i != data->current &&
          (source == NULL ||
           g_strcmp0 (portico_connector_get_data_type_source (data->connector, data_type), source) != 0))
        continue;

      mapping = get_mapping (self, data->connector, data_type, data->values, &error);
      if (mapping == NULL)
        {
          add_result (data, i, 0, error, data->started_at);
          g_error_free (error);
          continue;
        }

      lane = g_new0 (SyncLane, 1);
      lane->index = i;
      lane->replace = portico_store_replace_begin (self->store, data->account_id, mapping);
      g_ptr_array_add (data->lanes, lane);
      if (first == NULL)
        first = data_type;
    }

  if (data->lanes->len == 0)
    {
      sync_next_type (task);
      return;
    }

  data->fetch_done = FALSE;
  data->fetched_items = 0;

  /* The writer maps a page while the next one is fetched; no more than
   * SYNC_PAGES_AHEAD of them wait for it (memory stays flat however many
   * users there are: issue 13). Each data type reading a page takes it. */
  g_clear_pointer (&data->gate, portico_page_gate_unref);
  data->gate = portico_page_gate_new (SYNC_PAGES_AHEAD * data->lanes->len);
  portico_runtime_fetch_data_type_gated_async (self->runtime, data->connector, data->values,
                                               first, data->gate, sync_page_cb, task, NULL,
                                               g_task_get_cancellable (task),
                                               sync_fetch_cb, task);
}

static void
sync_run_begun_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->run_id = portico_store_begin_sync_run_finish (PORTICO_STORE (source), result, &error);
  if (data->run_id <= 0)
    {
      sync_release (self, data);
      g_signal_emit (self, signals[SYNC_FINISHED], 0, data->account_id, "failed");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  sync_next_type (task);
}

static void
adopted_origins_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!portico_store_adopt_account_origins_finish (PORTICO_STORE (source), result, &error))
    g_debug ("Cannot record the origins of an account: %s", error->message);
}

/* "https://okta.example:443" → "okta.example"; other ports stay. */
static char *
origin_display (const char *origin)
{
  g_autoptr(GUri) uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  int port;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (origin);
  port = g_uri_get_port (uri);
  if ((port == 443 && g_str_equal (g_uri_get_scheme (uri), "https")) ||
      (port == 80 && g_str_equal (g_uri_get_scheme (uri), "http")) || port < 0)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
}

/* The credentials go only where the account was connected: a connector
 * file (or api_base_url) changed since then must not carry them to a new
 * host until an admin reconnects, which confirms the new origins. */
static gboolean
check_origins (PorticoEngine *self,
               SyncData      *data,
               GError       **error)
{
  g_auto(GStrv) now = NULL;
  g_auto(GStrv) known = NULL;
  g_autoptr(GError) local_error = NULL;

  now = portico_runtime_dup_credential_origins (self->runtime, data->connector, data->values, &local_error);
  if (now == NULL)
    {
      /* The runtime reports the same problem for every data type. */
      g_debug ("Cannot tell where account %" G_GINT64_FORMAT " sends its credentials: %s",
               data->account_id, local_error->message);
      return TRUE;
    }

  known = portico_store_dup_account_origins (self->store, data->account_id, &local_error);
  if (known == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Connected before Portico remembered origins: these are they. */
      portico_store_adopt_account_origins_async (self->store, data->account_id,
                                                 (const char * const *) now, NULL,
                                                 adopted_origins_cb, NULL);
      return TRUE;
    }

  for (guint i = 0; now[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) known, now[i]))
      {
        g_autofree char *host = origin_display (now[i]);

        g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_ORIGIN_CHANGED,
                     _("The connector of “%s” would now send its credentials to %s, where this account was never connected; if that is intended, reconnect the account (Reconnect in its menu) to confirm."),
                     data->account_name, host);
        return FALSE;
      }

  return TRUE;
}

static void
sync_values_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->values = portico_engine_load_values_finish (self, result, &error);
  if (data->values == NULL)
    {
      /* Record the problem on every data type: the tile and Needs attention
       * then say what is wrong and how to fix it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          error->domain == PORTICO_CREDENTIALS_ERROR)
        portico_store_set_keyring_state_sync (self->store, data->account_id,
                                              error->code == PORTICO_CREDENTIALS_ERROR_NOT_FOUND
                                              ? "missing" : portico_error_code_name (error),
                                              NULL);
      data->account_error = error;
    }
  else
    {
      g_autoptr(JsonNode) account = portico_store_get_account (self->store, data->account_id, NULL);

      /* The runtime's context: whose refresh token may rotate, and the
       * permission level whose scopes a signed assertion asks for. */
      g_hash_table_replace (data->values, g_strdup (PORTICO_VALUE_ACCOUNT),
                            g_strdup_printf ("%" G_GINT64_FORMAT, data->account_id));
      if (account != NULL)
        g_hash_table_replace (data->values, g_strdup (PORTICO_VALUE_PERMISSION),
                              g_strdup (json_object_get_string_member_with_default (json_node_get_object (account),
                                                                                    "permission", "read")));
      if (!check_origins (self, data, &error))
        {
          /* Nothing is sent: the secrets are dropped here. */
          g_clear_pointer (&data->values, g_hash_table_unref);
          data->account_error = error;
        }
    }

  g_signal_emit (self, signals[SYNC_STARTED], 0, data->account_id);
  portico_store_begin_sync_run_async (self->store, data->account_id, NULL,
                                      sync_run_begun_cb, task);
}

void
portico_engine_sync_async (PorticoEngine      *self,
                           gint64              account_id,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(PorticoSyncLock) lock = NULL;
  JsonObject *object;
  JsonArray *types;
  PorticoConnector *connector;
  SyncData *data;
  GError *error = NULL;
  gint64 *key;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_sync_async);

  if (g_hash_table_contains (self->syncing, &account_id))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("This account is already syncing. Wait for that sync to finish."));
      return;
    }

  account = portico_store_get_account (self->store, account_id, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  object = json_node_get_object (account);

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "status", NULL), "disconnected") == 0)
    {
      g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                               _("Account %" PRId64 " is disconnected and cannot sync."),
                               account_id);
      return;
    }

  connector = portico_catalog_lookup (self->catalog,
                                      json_object_get_string_member_with_default (object, "connector", ""));
  if (connector == NULL)
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("The connector “%s” of this account is missing or broken. Restore its definition file, then sync again."),
                               json_object_get_string_member_with_default (object, "connector", ""));
      return;
    }

  /* Another process (portico-cli, the timer, a second window) may be
   * syncing this account on the same database. */
  lock = portico_store_lock_account (self->store, account_id, &error);
  if (lock == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  builder = g_strv_builder_new ();
  types = json_object_get_array_member (object, "data_types");
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *id = json_object_get_string_member_with_default (type, "id", NULL);

      if (id != NULL && json_object_get_boolean_member_with_default (type, "enabled", FALSE) &&
          portico_connector_has_data_type (connector, id))
        g_strv_builder_add (builder, id);
    }

  data = g_new0 (SyncData, 1);
  data->account_id = account_id;
  data->connector = g_object_ref (connector);
  data->data_types = g_strv_builder_end (builder);
  data->results = g_array_new (FALSE, TRUE, sizeof (TypeResult));
  g_array_set_size (data->results, g_strv_length (data->data_types));
  data->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_lane_free);
  data->lock = g_steal_pointer (&lock);
  data->account_name = g_strdup (json_object_get_string_member_with_default (object, "name", ""));
  g_array_set_clear_func (data->results, (GDestroyNotify) type_result_clear);
  g_task_set_task_data (task, data, (GDestroyNotify) sync_data_free);

  key = g_new (gint64, 1);
  *key = account_id;
  g_hash_table_add (self->syncing, key);

  portico_engine_load_values_async (self, account_id, cancellable, sync_values_cb,
                                    g_steal_pointer (&task));
}

JsonNode *
portico_engine_sync_finish (PorticoEngine *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_sync_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
portico_engine_is_syncing (PorticoEngine *self,
                           gint64         account_id)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), FALSE);

  return g_hash_table_contains (self->syncing, &account_id);
}

/* ---- Disconnect ------------------------------------------------------------- */

typedef struct
{
  gint64 account_id;
  PorticoDisconnectSummary *summary;
} DisconnectData;

static void
disconnect_data_free (DisconnectData *data)
{
  g_clear_pointer (&data->summary, portico_disconnect_summary_free);
  g_free (data);
}

static void
clear_pending_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  gint64 account_id = *(gint64 *) task_data;
  GError *error = NULL;

  if (!portico_store_clear_keyring_pending_sync (self->store, account_id, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
disconnect_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  DisconnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->summary = portico_store_disconnect_finish (PORTICO_STORE (source), result, &error);
  if (data->summary == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The keyring item stays with the restore snapshot: see
   * portico_engine_forget_credentials_async (). */
  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_pointer (task, g_steal_pointer (&data->summary),
                         (GDestroyNotify) portico_disconnect_summary_free);
}

typedef struct
{
  PorticoEngine *engine;
  gint64 account_id;
} Revocation;

static void
revoke_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Revocation *revocation = user_data;
  PorticoEngine *self = revocation->engine;
  g_autoptr(GError) error = NULL;

  /* Best effort: the account is gone here either way. The message names
   * the account, never the token. */
  if (!portico_runtime_revoke_finish (PORTICO_RUNTIME (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    g_message ("The sign-in of account %" G_GINT64_FORMAT " was not revoked at the provider: %s",
               revocation->account_id, error->message);

  if (--self->pending_revocations == 0 && self->revocation_waiters != NULL)
    {
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->revocation_waiters);

      for (guint i = 0; i < waiters->len; i++)
        g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
    }
  g_object_unref (self);
  g_free (revocation);
}

void
portico_engine_wait_revocations_async (PorticoEngine      *self,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, portico_engine_wait_revocations_async);
  if (self->pending_revocations == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->revocation_waiters == NULL)
    self->revocation_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->revocation_waiters, g_steal_pointer (&task));
}

void
portico_engine_wait_revocations_finish (PorticoEngine *self,
                                        GAsyncResult  *result)
{
  g_return_if_fail (g_task_is_valid (result, self));
  g_task_propagate_boolean (G_TASK (result), NULL);
}

void
portico_engine_disconnect_async (PorticoEngine      *self,
                                 gint64              account_id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  DisconnectData *data;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_disconnect_async);

  if (g_hash_table_contains (self->syncing, &account_id))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("This account is syncing. Wait for the sync to finish, then disconnect it."));
      return;
    }

  data = g_new0 (DisconnectData, 1);
  data->account_id = account_id;
  g_task_set_task_data (task, data, (GDestroyNotify) disconnect_data_free);

  portico_store_disconnect_async (self->store, account_id, cancellable,
                                  disconnect_done_cb, g_steal_pointer (&task));
}

PorticoDisconnectSummary *
portico_engine_disconnect_finish (PorticoEngine *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_disconnect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
retry_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  PorticoCredentials *credentials = task_data;
  g_autoptr(JsonNode) pending = NULL;
  GError *error = NULL;
  JsonArray *ids;

  pending = portico_store_list_keyring_pending (self->store, &error);
  if (pending == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ids = json_node_get_array (pending);
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      gint64 id = json_array_get_int_element (ids, i);

      if (!portico_credentials_delete_sync (credentials, id, cancellable, &error) ||
          !portico_store_clear_keyring_pending_sync (self->store, id, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

void
portico_engine_retry_keyring_deletes_async (PorticoEngine      *self,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_retry_keyring_deletes_async);
  g_task_set_task_data (task, g_object_ref (self->credentials), g_object_unref);
  g_task_run_in_thread (task, retry_thread);
}

gboolean
portico_engine_retry_keyring_deletes_finish (PorticoEngine *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Restore, forget credentials -------------------------------------------- */

static void
restore_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  gint64 rows;

  rows = portico_store_restore_account_finish (PORTICO_STORE (source), result, &error);
  if (rows < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_int (task, rows);
}

void
portico_engine_restore_account_async (PorticoEngine      *self,
                                      gint64              account_id,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  PorticoConnector *connector;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_restore_account_async);

  /* A connector with one account only: another one connected meanwhile
   * (with another identity; the same identity the store refuses). */
  account = portico_store_get_account (self->store, account_id, NULL);
  connector = account != NULL
              ? portico_catalog_lookup (self->catalog,
                                        json_object_get_string_member_with_default (json_node_get_object (account),
                                                                                    "connector", ""))
              : NULL;
  accounts = connector != NULL && !portico_connector_get_multi_account (connector)
             ? portico_store_list_accounts (self->store, NULL) : NULL;
  for (guint i = 0; accounts != NULL && i < json_array_get_length (json_node_get_array (accounts)); i++)
    {
      JsonObject *other = json_array_get_object_element (json_node_get_array (accounts), i);

      if (json_object_get_int_member_with_default (other, "id", 0) != account_id &&
          g_strcmp0 (json_object_get_string_member_with_default (other, "connector", NULL),
                     portico_connector_get_id (connector)) == 0)
        {
          g_task_return_new_error (task, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT,
                                   _("%s supports one account, and “%s” is connected now. Disconnect it first to restore this one."),
                                   portico_connector_get_name (connector),
                                   json_object_get_string_member_with_default (other, "name", ""));
          return;
        }
    }

  portico_store_restore_account_async (self->store, account_id, cancellable,
                                       restore_done_cb, g_steal_pointer (&task));
}

gint64
portico_engine_restore_account_finish (PorticoEngine *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 rows;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_restore_account_async, -1);

  rows = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  return rows;
}

JsonNode *
portico_engine_list_restorable (PorticoEngine *self,
                                GError       **error)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);

  return portico_store_list_restorable (self->store, error);
}

static void
forget_pending_cleared_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The item is gone; a mark left behind only makes a later retry find
   * nothing to delete. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("Keyring deletion stays marked pending: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
forget_keyring_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  gint64 account_id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) clear = NULL;

  if (!portico_credentials_delete_finish (result, &error))
    {
      /* The database is done; the keyring item is retried later
       * (portico_engine_retry_keyring_deletes_async ()). */
      g_debug ("Keyring item of account %" G_GINT64_FORMAT " not deleted yet: %s",
               account_id, error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }

  clear = g_task_new (self, NULL, forget_pending_cleared_cb, g_steal_pointer (&task));
  g_task_set_task_data (clear, g_memdup2 (&account_id, sizeof (gint64)), g_free);
  g_task_run_in_thread (clear, clear_pending_thread);
}

static void
forget_delete_item (PorticoEngine *self,
                    GTask         *task)
{
  gint64 account_id = *(gint64 *) g_task_get_task_data (task);

  portico_credentials_delete_async (self->credentials, account_id, NULL, forget_keyring_cb, task);
}

static void
forget_values_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  PorticoEngine *self = PORTICO_ENGINE (source);
  gint64 account_id = *(gint64 *) g_task_get_task_data (task);
  PorticoConnector *connector = g_object_get_data (G_OBJECT (task), "connector");
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GError) error = NULL;

  values = portico_engine_load_values_finish (self, result, &error);
  if (values == NULL)
    g_debug ("The sign-in of account %" G_GINT64_FORMAT " cannot be revoked: %s",
             account_id, error->message);
  else
    {
      /* Not tied to the account any more: a token rotated on the way is
       * not stored again. */
      Revocation *revocation = g_new0 (Revocation, 1);

      g_hash_table_remove (values, PORTICO_VALUE_ACCOUNT);
      revocation->engine = g_object_ref (self);
      revocation->account_id = account_id;
      self->pending_revocations++;
      portico_runtime_revoke_async (self->runtime, connector, values, PORTICO_LIMIT_REVOKE_SECONDS, NULL,
                                    revoke_done_cb, revocation);
    }

  /* The revocation runs on its own: the keyring item is not kept for it. */
  forget_delete_item (self, task);
}

static void
forget_store_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  GError *error = NULL;

  if (!portico_store_forget_credentials_sync (self->store, *(gint64 *) task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
forget_store_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = PORTICO_ENGINE (source);
  gint64 account_id = *(gint64 *) g_task_get_task_data (task);
  g_autoptr(JsonNode) account = NULL;
  PorticoConnector *connector = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);

  /* A signed-in account's tokens are read from the keyring first so that
   * the provider can be asked to revoke them. */
  account = portico_store_get_account (self->store, account_id, NULL);
  if (account != NULL)
    connector = portico_catalog_lookup (self->catalog,
                                        json_object_get_string_member_with_default (json_node_get_object (account),
                                                                                    "connector", ""));
  if (connector != NULL && portico_connector_signs_in (connector))
    {
      g_object_set_data_full (G_OBJECT (task), "connector", g_object_ref (connector), g_object_unref);
      portico_engine_load_values_async (self, account_id, NULL, forget_values_cb, g_steal_pointer (&task));
      return;
    }

  forget_delete_item (self, g_steal_pointer (&task));
}

void
portico_engine_forget_credentials_async (PorticoEngine      *self,
                                         gint64              account_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) store_task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_forget_credentials_async);
  g_task_set_task_data (task, g_memdup2 (&account_id, sizeof account_id), g_free);

  store_task = g_task_new (self, cancellable, forget_store_cb, g_steal_pointer (&task));
  g_task_set_task_data (store_task, g_memdup2 (&account_id, sizeof account_id), g_free);
  g_task_run_in_thread (store_task, forget_store_thread);
}

gboolean
portico_engine_forget_credentials_finish (PorticoEngine *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_forget_credentials_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Rename, preview ---------------------------------------------------------- */

/* An edit of one account's settings (rename, resume, drift threshold): the
 * store's finish function is the task data; a success tells the views. */
typedef gboolean (*AccountEditFinish) (PorticoStore *store,
                                       GAsyncResult *result,
                                       GError      **error);

static void
account_edit_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  const AccountEditFinish *finish = g_task_get_task_data (task);
  GError *error = NULL;

  if (!(*finish) (PORTICO_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_boolean (task, TRUE);
}

void
portico_engine_rename_async (PorticoEngine      *self,
                             gint64              account_id,
                             const char         *name,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_rename_async);
  {
    static const AccountEditFinish finish = portico_store_rename_account_finish;

    g_task_set_task_data (task, (gpointer) &finish, NULL);
  }
  portico_store_rename_account_async (self->store, account_id, name, cancellable,
                                      account_edit_done_cb, g_steal_pointer (&task));
}

gboolean
portico_engine_rename_finish (PorticoEngine *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_rename_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}


void
portico_engine_resume_async (PorticoEngine      *self,
                             gint64              account_id,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_resume_async);
  {
    static const AccountEditFinish finish = portico_store_resume_account_finish;

    g_task_set_task_data (task, (gpointer) &finish, NULL);
  }
  portico_store_resume_account_async (self->store, account_id, cancellable,
                                      account_edit_done_cb, g_steal_pointer (&task));
}

gboolean
portico_engine_resume_finish (PorticoEngine *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}


void
portico_engine_set_drift_threshold_async (PorticoEngine      *self,
                                          gint64              account_id,
                                          guint               percent,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_set_drift_threshold_async);
  {
    static const AccountEditFinish finish = portico_store_set_drift_threshold_finish;

    g_task_set_task_data (task, (gpointer) &finish, NULL);
  }
  portico_store_set_drift_threshold_async (self->store, account_id, percent, cancellable,
                                           account_edit_done_cb, g_steal_pointer (&task));
}

gboolean
portico_engine_set_drift_threshold_finish (PorticoEngine *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_set_drift_threshold_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
resolve_held_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  gint64 items;

  items = portico_store_resolve_held_finish (PORTICO_STORE (source), result, &error);
  if (items < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  g_signal_emit (self, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_int (task, items);
}

void
portico_engine_resolve_held_async (PorticoEngine      *self,
                                   gint64              account_id,
                                   gboolean            apply,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_resolve_held_async);
  portico_store_resolve_held_async (self->store, account_id, apply, cancellable,
                                    resolve_held_done_cb, g_steal_pointer (&task));
}

gint64
portico_engine_resolve_held_finish (PorticoEngine *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_resolve_held_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
preview_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  gint64 account_id = *(gint64 *) task_data;
  PorticoDisconnectSummary *summary;
  GError *error = NULL;

  summary = portico_store_preview_disconnect (self->store, account_id, &error);
  if (summary == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) portico_disconnect_summary_free);
}

void
portico_engine_preview_disconnect_async (PorticoEngine      *self,
                                         gint64              account_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_preview_disconnect_async);
  g_task_set_task_data (task, g_memdup2 (&account_id, sizeof account_id), g_free);
  g_task_run_in_thread (task, preview_thread);
}

PorticoDisconnectSummary *
portico_engine_preview_disconnect_finish (PorticoEngine *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_preview_disconnect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonObject *
portico_engine_find_existing_account (PorticoEngine         *self,
                                      PorticoConnectionTest *test,
                                      gint64                 except_id)
{
  g_autoptr(JsonNode) accounts = NULL;
  JsonObject *found;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (test), NULL);

  accounts = portico_store_list_accounts (self->store, NULL);
  found = find_account_by_identity (accounts,
                                    portico_connector_get_id (portico_connection_test_get_connector (test)),
                                    portico_connection_test_get_external_id (test), except_id);

  return found != NULL ? json_object_ref (found) : NULL;
}

/* ---- Needs attention ----------------------------------------------------------- */

typedef struct
{
  guint interval_hours;
  gint64 now;
} AttentionData;

static void
attention_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  AttentionData *data = task_data;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) runs = NULL;
  g_autoptr(GHashTable) runs_by_account = NULL;
  JsonArray *rows = json_array_new ();
  JsonNode *root;
  JsonArray *array;
  GError *error = NULL;

  accounts = portico_store_list_accounts (self->store, &error);
  if (accounts == NULL)
    {
      json_array_unref (rows);
      g_task_return_error (task, error);
      return;
    }

  /* One read for every account's runs (newest first), grouped here. */
  runs_by_account = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) json_array_unref);
  runs = portico_store_list_sync_runs (self->store, 0, NULL);
  array = runs != NULL && JSON_NODE_HOLDS_ARRAY (runs) ? json_node_get_array (runs) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *run = json_array_get_object_element (array, i);
      gint64 account = portico_json_get_int (run, "account", 0);
      JsonArray *list = g_hash_table_lookup (runs_by_account, &account);

      if (list == NULL)
        {
          list = json_array_new ();
          g_hash_table_insert (runs_by_account, g_memdup2 (&account, sizeof account), list);
        }
      if (json_array_get_length (list) < 3)
        json_array_add_object_element (list, json_object_ref (run));
    }

  array = json_node_get_array (accounts);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);
      gint64 id = portico_json_get_int (account, "id", 0);
      g_autoptr(PorticoAccountStatus) status = NULL;

      status = portico_account_status_new (account, g_hash_table_lookup (runs_by_account, &id),
                                           data->now, data->interval_hours);
      portico_account_status_add_attention_json (status, account, rows);
    }

  root = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (root, rows);
  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

void
portico_engine_list_attention_async (PorticoEngine      *self,
                                     guint               interval_hours,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  AttentionData *data;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_list_attention_async);
  data = g_new0 (AttentionData, 1);
  data->interval_hours = interval_hours > 0 ? interval_hours : 24;
  data->now = g_get_real_time () / G_USEC_PER_SEC;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, attention_thread);
}

JsonNode *
portico_engine_list_attention_finish (PorticoEngine *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_list_attention_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Recommended to connect ------------------------------------------------- */

typedef struct
{
  GHashTable *by_id;    /* connector id -> connector name */
  GHashTable *by_name;  /* casefolded app name -> connector id */
} RecommendData;

static void
recommend_data_free (RecommendData *data)
{
  g_clear_pointer (&data->by_id, g_hash_table_unref);
  g_clear_pointer (&data->by_name, g_hash_table_unref);
  g_free (data);
}

static gint64
app_users (JsonObject *app)
{
  return MAX (portico_json_get_int (app, "user_count", 0),
              portico_json_get_int (app, "reported_user_count", 0));
}

static int
compare_recommended (gconstpointer a,
                     gconstpointer b)
{
  JsonObject *oa = json_node_get_object (*(JsonNode * const *) a);
  JsonObject *ob = json_node_get_object (*(JsonNode * const *) b);
  gint64 ua = portico_json_get_int (oa, "users", 0);
  gint64 ub = portico_json_get_int (ob, "users", 0);
  double sa = portico_json_get_double (oa, "spend", 0);
  double sb = portico_json_get_double (ob, "spend", 0);

  if (ua != ub)
    return ua > ub ? -1 : 1;
  if (sa != sb)
    return sa > sb ? -1 : 1;
  return g_utf8_collate (portico_json_get_string (oa, "app") ?: "",
                         portico_json_get_string (ob, "app") ?: "");
}

/* Why it is recommended, in one sentence: who reported how many people or
 * how much spend. */
static char *
recommendation_reason (gint64      users,
                       double      spend,
                       const char *currency,
                       const char *discovered)
{
  g_autofree char *money = NULL;

  if (spend > 0)
    money = portico_format_amount (currency, spend);

  if (users > 0 && money != NULL)
    /* Translators: "42 people use it and USD 1,250.00 was spent on it, according to Okta (Acme)." */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%'" PRId64 " person uses it and %s was spent on it, according to %s.",
                                         "%'" PRId64 " people use it and %s was spent on it, according to %s.",
                                         users), users, money, discovered);
  if (users > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%'" PRId64 " person uses it, according to %s.",
                                         "%'" PRId64 " people use it, according to %s.",
                                         users), users, discovered);
  if (money != NULL)
    return g_strdup_printf (_("%s was spent on it, according to %s."), money, discovered);

  return g_strdup_printf (_("%s reports that it is in use."), discovered);
}

static void
recommend_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  RecommendData *data = task_data;
  g_autoptr(JsonNode) apps = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  JsonArray *out = json_array_new ();
  JsonNode *root;
  JsonArray *array;
  GError *error = NULL;

  apps = portico_store_list_apps (self->store, &error);
  if (apps == NULL)
    {
      json_array_unref (out);
      g_task_return_error (task, error);
      return;
    }

  array = JSON_NODE_HOLDS_ARRAY (apps) ? json_node_get_array (apps) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *app = json_array_get_object_element (array, i);
      const char *connector_id = portico_json_get_string (app, "connector");
      JsonArray *sources;
      g_autoptr(GPtrArray) discovered = g_ptr_array_new ();
      g_autoptr(JsonBuilder) builder = NULL;
      g_autofree char *names = NULL;
      g_autofree char *reason = NULL;
      const char *currency = portico_json_get_string (app, "currency");

      if (portico_json_get_bool (app, "connected", FALSE))
        continue;
      /* Discovered apps are recorded by name: match them to the catalog. */
      if (connector_id == NULL || !g_hash_table_contains (data->by_id, connector_id))
        {
          g_autofree char *folded = g_utf8_casefold (portico_json_get_string (app, "name") ?: "", -1);

          connector_id = g_hash_table_lookup (data->by_name, folded);
        }
      if (connector_id == NULL)
        continue;

      sources = json_object_has_member (app, "source_details")
                ? json_object_get_array_member (app, "source_details") : NULL;
      for (guint j = 0; sources != NULL && j < json_array_get_length (sources); j++)
        {
          JsonObject *source = json_array_get_object_element (sources, j);

          /* Only what an integration reported: a manual entry is no discovery. */
          if (portico_json_get_int (source, "account", 0) == 0)
            continue;
          g_ptr_array_add (discovered, (gpointer) (portico_json_get_string (source, "name") ?: ""));
        }
      if (discovered->len == 0)
        continue;

      g_ptr_array_add (discovered, NULL);
      names = g_strjoinv (", ", (char **) discovered->pdata);
      reason = recommendation_reason (app_users (app), portico_json_get_double (app, "spend", 0),
                                      currency, names);

      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "connector");
      json_builder_add_string_value (builder, connector_id);
      json_builder_set_member_name (builder, "app");
      json_builder_add_string_value (builder, portico_json_get_string (app, "name"));
      json_builder_set_member_name (builder, "users");
      json_builder_add_int_value (builder, app_users (app));
      json_builder_set_member_name (builder, "spend");
      json_builder_add_double_value (builder, portico_json_get_double (app, "spend", 0));
      json_builder_set_member_name (builder, "currency");
      if (currency != NULL)
        json_builder_add_string_value (builder, currency);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "discovered_by");
      json_builder_begin_array (builder);
      for (guint j = 0; j + 1 < discovered->len; j++)
        json_builder_add_string_value (builder, g_ptr_array_index (discovered, j));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, reason);
      json_builder_end_object (builder);
      g_ptr_array_add (rows, json_builder_get_root (builder));
    }

  g_ptr_array_sort (rows, compare_recommended);
  for (guint i = 0; i < rows->len; i++)
    json_array_add_element (out, json_node_ref (g_ptr_array_index (rows, i)));

  root = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (root, out);
  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

void
portico_engine_list_recommended_async (PorticoEngine      *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  RecommendData *data;
  GListModel *catalog;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_list_recommended_async);

  /* Indexed here, on the thread that owns the catalog. */
  data = g_new0 (RecommendData, 1);
  data->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  data->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  catalog = G_LIST_MODEL (self->catalog);
  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (catalog, i);
      const char *id = portico_connector_get_id (connector);

      g_hash_table_insert (data->by_id, g_strdup (id), g_strdup (portico_connector_get_name (connector)));
      g_hash_table_insert (data->by_name, g_utf8_casefold (portico_connector_get_name (connector), -1),
                           g_strdup (id));
    }
  g_task_set_task_data (task, data, (GDestroyNotify) recommend_data_free);
  g_task_run_in_thread (task, recommend_thread);
}

JsonNode *
portico_engine_list_recommended_finish (PorticoEngine *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_list_recommended_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Workflows ----------------------------------------------------------------- */

typedef struct
{
  gint64 workflow_id;
  gint64 account_id;  /* 0: delete */
} WorkflowEdit;

static void
workflow_edit_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PorticoEngine *self = source_object;
  WorkflowEdit *edit = task_data;
  GError *error = NULL;
  gboolean ok;

  ok = edit->account_id > 0
       ? portico_store_repoint_workflow_sync (self->store, edit->workflow_id, edit->account_id, &error)
       : portico_store_delete_workflow_sync (self->store, edit->workflow_id, &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
workflow_edit_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Views that list workflows reload on this signal, like every other
   * change they show. */
  g_signal_emit (source, signals[ACCOUNTS_CHANGED], 0);
  g_task_return_boolean (task, TRUE);
}

static void
workflow_edit_async (PorticoEngine      *self,
                     gint64              workflow_id,
                     gint64              account_id,
                     gpointer            source_tag,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = g_task_new (self, cancellable, workflow_edit_done_cb, task);
  WorkflowEdit *edit = g_new0 (WorkflowEdit, 1);

  g_task_set_source_tag (task, source_tag);
  edit->workflow_id = workflow_id;
  edit->account_id = account_id;
  g_task_set_task_data (inner, edit, g_free);
  g_task_run_in_thread (inner, workflow_edit_thread);
}

void
portico_engine_repoint_workflow_async (PorticoEngine      *self,
                                       gint64              workflow_id,
                                       gint64              account_id,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (account_id > 0);

  workflow_edit_async (self, workflow_id, account_id, portico_engine_repoint_workflow_async,
                       cancellable, callback, user_data);
}

gboolean
portico_engine_repoint_workflow_finish (PorticoEngine *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_repoint_workflow_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
portico_engine_delete_workflow_async (PorticoEngine      *self,
                                      gint64              workflow_id,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_ENGINE (self));

  workflow_edit_async (self, workflow_id, 0, portico_engine_delete_workflow_async,
                       cancellable, callback, user_data);
}

gboolean
portico_engine_delete_workflow_finish (PorticoEngine *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_delete_workflow_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
