/* portico-connection-test.c: the Test of the connect dialog and `portico-cli test`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connection-test"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-connection-test.h"

typedef struct
{
  gboolean done;
  gint64 items;
  GError *error;
  JsonObject *exchange; /* the last answer, see PorticoRuntime::exchange */
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_error (&probe->error);
  g_clear_pointer (&probe->exchange, json_object_unref);
  g_free (probe);
}

struct _PorticoConnectionTest
{
  GObject parent_instance;

  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;
  char *permission;
  GStrv data_types;
  GHashTable *probes; /* data type id → Probe */

  char *external_id;
  char *display_name;
  GError *connection_error;
  PorticoConnectionOutcome outcome;

  JsonObject *identity_exchange; /* nullable */
  JsonObject *token_exchange;    /* nullable */
  gulong exchange_id;

  gboolean started;
  guint pending;
  GTask *task; /* while running */
};

G_DEFINE_FINAL_TYPE (PorticoConnectionTest, portico_connection_test, G_TYPE_OBJECT)

enum {
  IDENTITY_CHECKED,
  DATA_TYPE_STARTED,
  DATA_TYPE_SUCCEEDED,
  DATA_TYPE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
portico_connection_outcome_to_string (PorticoConnectionOutcome outcome)
{
  switch (outcome)
    {
    case PORTICO_CONNECTION_OUTCOME_A:
      return "A";
    case PORTICO_CONNECTION_OUTCOME_B:
      return "B";
    case PORTICO_CONNECTION_OUTCOME_C:
      return "C";
    case PORTICO_CONNECTION_OUTCOME_NONE:
    default:
      return NULL;
    }
}

static void
portico_connection_test_finalize (GObject *object)
{
  PorticoConnectionTest *self = PORTICO_CONNECTION_TEST (object);

  g_assert (self->task == NULL);
  g_clear_signal_handler (&self->exchange_id, self->runtime);
  g_clear_pointer (&self->identity_exchange, json_object_unref);
  g_clear_pointer (&self->token_exchange, json_object_unref);
  g_clear_object (&self->runtime);
  g_clear_object (&self->connector);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->permission, g_free);
  g_clear_pointer (&self->data_types, g_strfreev);
  g_clear_pointer (&self->probes, g_hash_table_unref);
  g_clear_pointer (&self->external_id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_error (&self->connection_error);

  G_OBJECT_CLASS (portico_connection_test_parent_class)->finalize (object);
}

static void
portico_connection_test_class_init (PorticoConnectionTestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_connection_test_finalize;

  signals[IDENTITY_CHECKED] =
    g_signal_new ("identity-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[DATA_TYPE_STARTED] =
    g_signal_new ("data-type-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[DATA_TYPE_SUCCEEDED] =
    g_signal_new ("data-type-succeeded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT);
  signals[DATA_TYPE_FAILED] =
    g_signal_new ("data-type-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
portico_connection_test_init (PorticoConnectionTest *self)
{
  self->probes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) probe_free);
}

PorticoConnectionTest *
portico_connection_test_new (PorticoRuntime     *runtime,
                             PorticoConnector   *connector,
                             GHashTable         *field_values,
                             const char         *permission,
                             const char * const *data_types)
{
  PorticoConnectionTest *self;

  g_return_val_if_fail (PORTICO_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  self = g_object_new (PORTICO_TYPE_CONNECTION_TEST, NULL);
  self->runtime = g_object_ref (runtime);
  self->connector = g_object_ref (connector);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (field_values != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, field_values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->values, g_strdup (key), g_strdup (value));
    }
  self->permission = g_strdup (permission ? permission : "read");
  /* The scopes a signed assertion (JWT bearer) asks for follow the level. */
  g_hash_table_replace (self->values, g_strdup (PORTICO_VALUE_PERMISSION), g_strdup (self->permission));

  if (data_types != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) all = portico_connector_get_data_types (connector);

      /* Keep the connector's order; ignore ids it does not have. */
      for (guint i = 0; all != NULL && all[i] != NULL; i++)
        if (g_strv_contains (data_types, all[i]))
          g_strv_builder_add (builder, all[i]);
      self->data_types = g_strv_builder_end (builder);
    }
  else
    {
      self->data_types = portico_connector_get_data_types (connector);
      if (self->data_types == NULL)
        self->data_types = g_new0 (char *, 1);
    }

  for (guint i = 0; self->data_types[i] != NULL; i++)
    {
      Probe *probe = g_new0 (Probe, 1);
      probe->items = -1;
      g_hash_table_insert (self->probes, g_strdup (self->data_types[i]), probe);
    }

  return self;
}

/* Checks the values of the fields asked at the permission level. */
static gboolean
check_fields (PorticoConnectionTest *self,
              GError               **error)
{
  g_autoptr(GPtrArray) fields = portico_connector_get_fields_for_permission (self->connector, self->permission);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *value = g_hash_table_lookup (self->values, field->id);

      if (value == NULL || *value == '\0')
        {
          if (!field->required || (field->default_value != NULL && *field->default_value != '\0'))
            continue;
          if (!portico_connector_validate_value (self->connector, field->id, "", error))
            return FALSE;
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                       _("Enter the %s."), field->label);
          return FALSE;
        }
      if (!portico_connector_validate_value (self->connector, field->id, value, error))
        return FALSE;
    }
  return TRUE;
}

static PorticoConnectionOutcome
compute_outcome (PorticoConnectionTest *self)
{
  gboolean some_failed = FALSE;

  if (self->connection_error != NULL)
    return PORTICO_CONNECTION_OUTCOME_C;

  for (guint i = 0; self->data_types[i] != NULL; i++)
    {
      Probe *probe = g_hash_table_lookup (self->probes, self->data_types[i]);

      if (probe->error == NULL)
        continue;
      if (portico_connector_data_type_is_essential (self->connector, self->data_types[i]))
        return PORTICO_CONNECTION_OUTCOME_C;
      some_failed = TRUE;
    }

  return some_failed ? PORTICO_CONNECTION_OUTCOME_B : PORTICO_CONNECTION_OUTCOME_A;
}

/* Keeps what each request of this test was answered (the runtime already
 * redacted it), for the report. */
static void
exchange_cb (PorticoRuntime *runtime,
             GHashTable     *values,
             JsonObject     *exchange,
             gpointer        user_data)
{
  PorticoConnectionTest *self = user_data;
  const char *request = json_object_get_string_member_with_default (exchange, "request", "");
  JsonObject **slot = NULL;

  if (values != self->values)
    return;

  if (g_str_equal (request, "identity"))
    slot = &self->identity_exchange;
  else if (g_str_equal (request, "token"))
    slot = &self->token_exchange;
  else
    {
      Probe *probe = g_hash_table_lookup (self->probes,
                                          json_object_get_string_member_with_default (exchange, "data_type", ""));

      if (probe != NULL)
        slot = &probe->exchange;
    }

  if (slot == NULL)
    return;
  g_clear_pointer (slot, json_object_unref);
  *slot = json_object_ref (exchange);
}

static void
maybe_complete (PorticoConnectionTest *self)
{
  g_autoptr(GTask) task = NULL;

  g_assert (self->pending > 0);
  if (--self->pending > 0)
    return;

  g_clear_signal_handler (&self->exchange_id, self->runtime);

  task = g_steal_pointer (&self->task);
  if (g_task_return_error_if_cancelled (task))
    return;

  self->outcome = compute_outcome (self);
  g_debug ("Test of %s: outcome %s", portico_connector_get_id (self->connector),
           portico_connection_outcome_to_string (self->outcome));
  g_task_return_int (task, self->outcome);
}

static void
identity_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PorticoConnectionTest) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!portico_runtime_fetch_identity_finish (PORTICO_RUNTIME (object), result,
                                              &self->external_id, &self->display_name, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->connection_error = g_error_copy (error);
          g_signal_emit (self, signals[IDENTITY_CHECKED], 0, error);
        }
    }
  else
    g_signal_emit (self, signals[IDENTITY_CHECKED], 0, NULL);

  maybe_complete (self);
}

typedef struct
{
  PorticoConnectionTest *self;
  char *data_type_id;
} ProbeData;

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ProbeData *data = user_data;
  g_autoptr(PorticoConnectionTest) self = data->self;
  g_autofree char *data_type_id = data->data_type_id;
  Probe *probe = g_hash_table_lookup (self->probes, data_type_id);
  g_autoptr(GError) error = NULL;
  gint64 items;

  g_free (data);

  items = portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (object), result, &error);
  probe->done = TRUE;
  if (items < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          probe->error = g_error_copy (error);
          g_signal_emit (self, signals[DATA_TYPE_FAILED], 0, data_type_id, error);
        }
    }
  else
    {
      probe->items = items;
      g_signal_emit (self, signals[DATA_TYPE_SUCCEEDED], 0, data_type_id, (guint) MIN (items, G_MAXUINT));
    }

  maybe_complete (self);
}

void
portico_connection_test_run_async (PorticoConnectionTest *self,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PORTICO_IS_CONNECTION_TEST (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_connection_test_run_async);

  if (self->started)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A connection test runs only once");
      return;
    }
  self->started = TRUE;

  if (!check_fields (self, &error))
    {
      self->connection_error = g_error_copy (error);
      g_signal_emit (self, signals[IDENTITY_CHECKED], 0, error);
      self->outcome = PORTICO_CONNECTION_OUTCOME_C;
      g_task_return_int (task, self->outcome);
      return;
    }

  self->task = g_object_ref (task);
  self->exchange_id = g_signal_connect (self->runtime, "exchange", G_CALLBACK (exchange_cb), self);
  /* One for the identity, one per data type, one for this function so that
   * nothing completes before every request was started. */
  self->pending = 2 + g_strv_length (self->data_types);

  portico_runtime_fetch_identity_async (self->runtime, self->connector, self->values,
                                        cancellable, identity_cb, g_object_ref (self));

  for (guint i = 0; self->data_types[i] != NULL; i++)
    {
      ProbeData *data = g_new0 (ProbeData, 1);

      data->self = g_object_ref (self);
      data->data_type_id = g_strdup (self->data_types[i]);
      g_signal_emit (self, signals[DATA_TYPE_STARTED], 0, self->data_types[i]);
      portico_runtime_fetch_data_type_async (self->runtime, self->connector, self->values,
                                             self->data_types[i], 1, NULL, NULL, NULL,
                                             cancellable, probe_cb, data);
    }

  maybe_complete (self);
}

PorticoConnectionOutcome
portico_connection_test_run_finish (PorticoConnectionTest *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  gssize value;

  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), PORTICO_CONNECTION_OUTCOME_NONE);
  g_return_val_if_fail (g_task_is_valid (result, self), PORTICO_CONNECTION_OUTCOME_NONE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_connection_test_run_async,
                        PORTICO_CONNECTION_OUTCOME_NONE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return PORTICO_CONNECTION_OUTCOME_NONE;
  return (PorticoConnectionOutcome) value;
}

PorticoConnector *
portico_connection_test_get_connector (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->connector;
}

const char *
portico_connection_test_get_permission (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->permission;
}

GHashTable *
portico_connection_test_get_values (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->values;
}

PorticoConnectionOutcome
portico_connection_test_get_outcome (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), PORTICO_CONNECTION_OUTCOME_NONE);
  return self->outcome;
}

const char *
portico_connection_test_get_external_id (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->external_id;
}

const char *
portico_connection_test_get_display_name (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->display_name;
}

const GError *
portico_connection_test_get_connection_error (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return self->connection_error;
}

const char * const *
portico_connection_test_get_data_types (PorticoConnectionTest *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);
  return (const char * const *) self->data_types;
}

gboolean
portico_connection_test_get_data_type_ok (PorticoConnectionTest *self,
                                          const char            *data_type_id)
{
  Probe *probe;

  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), FALSE);

  probe = g_hash_table_lookup (self->probes, data_type_id);
  return probe != NULL && probe->done && probe->error == NULL && probe->items >= 0;
}

const GError *
portico_connection_test_get_data_type_error (PorticoConnectionTest *self,
                                             const char            *data_type_id)
{
  Probe *probe;

  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);

  probe = g_hash_table_lookup (self->probes, data_type_id);
  return probe ? probe->error : NULL;
}

gint64
portico_connection_test_get_data_type_items (PorticoConnectionTest *self,
                                             const char            *data_type_id)
{
  Probe *probe;

  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), -1);

  probe = g_hash_table_lookup (self->probes, data_type_id);
  return probe ? probe->items : -1;
}

JsonObject *
portico_connection_test_get_exchange (PorticoConnectionTest *self,
                                      const char            *data_type_id)
{
  Probe *probe;

  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (self), NULL);

  if (data_type_id == NULL)
    return self->identity_exchange;
  if (g_str_equal (data_type_id, "@token"))
    return self->token_exchange;
  probe = g_hash_table_lookup (self->probes, data_type_id);
  return probe ? probe->exchange : NULL;
}
