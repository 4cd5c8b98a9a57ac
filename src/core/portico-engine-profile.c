/* portico-engine-profile.c: the test report and the profile, without secrets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-engine-profile"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "portico-engine-custom.h"
#include "portico-engine-profile.h"
#include "portico-json.h"

/* The settings a profile carries: the admin's choices, not window sizes. */
static const char * const profile_settings[] = {
  "sync-interval-hours",
  "pause-after-failures",
  "notifications",
  "default-permission",
  NULL,
};

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  if (source == NULL)
    return NULL;
  return g_settings_schema_source_lookup (source, BASE_APP_ID, TRUE);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- Test report ---------------------------------------------------------- */

char *
portico_redact_identity (const char *text)
{
  const char *at;
  GString *out;

  if (text == NULL)
    return NULL;

  at = strrchr (text, '@');
  if (at != NULL)
    return g_strconcat ("…", at, NULL);

  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isupper (c))
        g_string_append_c (out, 'X');
      else if (g_unichar_isalpha (c))
        g_string_append_c (out, 'x');
      else if (g_unichar_isdigit (c))
        g_string_append_c (out, '9');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  GPtrArray *secrets; /* transfer none: the test's values */
  GRegex *email;
} Cleaner;

static void
cleaner_clear (Cleaner *cleaner)
{
  g_clear_pointer (&cleaner->secrets, g_ptr_array_unref);
  g_clear_pointer (&cleaner->email, g_regex_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cleaner, cleaner_clear)

static void
cleaner_init (Cleaner               *cleaner,
              PorticoConnectionTest *test)
{
  PorticoConnector *connector = portico_connection_test_get_connector (test);
  GHashTable *values = portico_connection_test_get_values (test);
  GHashTableIter iter;
  gpointer key, value;

  cleaner->secrets = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const PorticoConnectorField *field = portico_connector_get_field (connector, key);

      /* Context values ("@permission") are no secrets; a value the
       * connector does not declare (a refresh token) is treated as one. */
      if (((const char *) key)[0] == '@' || value == NULL || strlen (value) < 4)
        continue;
      if (field == NULL || portico_connector_field_is_secret (field))
        g_ptr_array_add (cleaner->secrets, value);
    }
  cleaner->email = g_regex_new ("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+",
                                G_REGEX_OPTIMIZE, 0, NULL);
}

static char *
cleaner_clean (Cleaner    *cleaner,
               const char *text)
{
  g_autoptr(GString) out = NULL;

  if (text == NULL)
    return NULL;

  out = g_string_new (text);
  for (guint i = 0; i < cleaner->secrets->len; i++)
    g_string_replace (out, g_ptr_array_index (cleaner->secrets, i), "[hidden]", 0);
  return g_regex_replace_literal (cleaner->email, out->str, -1, 0, "[email]", 0, NULL);
}

static void
set_clean_string (JsonObject *object,
                  const char *member,
                  Cleaner    *cleaner,
                  const char *text)
{
  g_autofree char *clean = cleaner_clean (cleaner, text);

  if (clean != NULL)
    json_object_set_string_member (object, member, clean);
  else
    json_object_set_null_member (object, member);
}

/* The runtime already redacted the exchange; cleaned again all the same. */
static JsonNode *
exchange_to_json (JsonObject *exchange,
                  Cleaner    *cleaner)
{
  JsonObject *object;

  if (exchange == NULL)
    return json_node_new (JSON_NODE_NULL);

  object = json_object_new ();
  set_clean_string (object, "method", cleaner, portico_json_get_string (exchange, "method"));
  set_clean_string (object, "url", cleaner, portico_json_get_string (exchange, "url"));
  json_object_set_int_member (object, "http_status", portico_json_get_int (exchange, "http_status", 0));
  set_clean_string (object, "provider_code", cleaner, portico_json_get_string (exchange, "provider_code"));
  return json_node_init_object (json_node_alloc (), object);
}

JsonNode *
portico_engine_build_test_report (PorticoEngine         *self,
                                  PorticoConnectionTest *test,
                                  GError               **error)
{
  PorticoConnector *connector;
  PorticoConnectionOutcome outcome;
  const GError *connection_error;
  const char * const *types;
  g_auto(Cleaner) cleaner = { 0, };
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(GBytes) definition = NULL;
  g_autofree char *created_at = now_iso8601 ();
  JsonObject *object, *identity;
  JsonArray *array;
  GPtrArray *fields;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTION_TEST (test), NULL);

  outcome = portico_connection_test_get_outcome (test);
  if (outcome == PORTICO_CONNECTION_OUTCOME_NONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("The test has not finished. Wait for its outcome, then save the report."));
      return NULL;
    }

  connector = portico_connection_test_get_connector (test);
  connection_error = portico_connection_test_get_connection_error (test);
  types = portico_connection_test_get_data_types (test);
  cleaner_init (&cleaner, test);

  json_object_set_string_member (root, "format", PORTICO_TEST_REPORT_FORMAT);
  json_object_set_int_member (root, "version", 1);
  json_object_set_string_member (root, "app_version", PACKAGE_VERSION);
  json_object_set_string_member (root, "created_at", created_at);

  object = json_object_new ();
  json_object_set_string_member (object, "id", portico_connector_get_id (connector));
  json_object_set_string_member (object, "name", portico_connector_get_name (connector));
  json_object_set_boolean_member (object, "custom", portico_connector_is_custom (connector));
  /* Connectors carry no version number: the digest of the definition
   * tells which one ran. */
  definition = portico_engine_export_connector (self, portico_connector_get_id (connector), NULL);
  if (definition != NULL)
    {
      g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, definition);
      json_object_set_string_member (object, "definition_sha256", digest);
    }
  else
    json_object_set_null_member (object, "definition_sha256");
  json_object_set_object_member (root, "connector", object);

  json_object_set_string_member (root, "permission", portico_connection_test_get_permission (test));
  json_object_set_string_member (root, "outcome", portico_connection_outcome_to_string (outcome));

  object = json_object_new ();
  json_object_set_boolean_member (object, "ok", connection_error == NULL);
  set_clean_string (object, "message", &cleaner, connection_error ? connection_error->message : NULL);
  json_object_set_string_member (object, "error_code",
                                 connection_error ? portico_error_code_name (connection_error) : NULL);
  identity = json_object_new ();
  {
    g_autofree char *external_id = portico_redact_identity (portico_connection_test_get_external_id (test));
    g_autofree char *display_name = portico_redact_identity (portico_connection_test_get_display_name (test));

    set_clean_string (identity, "external_id", &cleaner, external_id);
    set_clean_string (identity, "display_name", &cleaner, display_name);
  }
  json_object_set_object_member (object, "identity", identity);
  json_object_set_member (object, "request", exchange_to_json (portico_connection_test_get_exchange (test, NULL), &cleaner));
  json_object_set_object_member (root, "connection", object);
  json_object_set_member (root, "token_request",
                          exchange_to_json (portico_connection_test_get_exchange (test, "@token"), &cleaner));

  /* Which fields were filled in, never what they held. */
  array = json_array_new ();
  fields = portico_connector_get_fields (connector);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *value = g_hash_table_lookup (portico_connection_test_get_values (test), field->id);

      if (value == NULL || *value == '\0')
        continue;
      object = json_object_new ();
      json_object_set_string_member (object, "id", field->id);
      json_object_set_boolean_member (object, "secret", portico_connector_field_is_secret (field));
      json_array_add_object_element (array, object);
    }
  json_object_set_array_member (root, "fields_entered", array);

  array = json_array_new ();
  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    {
      const GError *type_error = portico_connection_test_get_data_type_error (test, types[i]);
      gboolean ok = portico_connection_test_get_data_type_ok (test, types[i]);

      object = json_object_new ();
      json_object_set_string_member (object, "id", types[i]);
      json_object_set_boolean_member (object, "essential",
                                      portico_connector_data_type_is_essential (connector, types[i]));
      json_object_set_boolean_member (object, "ok", ok);
      if (ok)
        json_object_set_int_member (object, "items_on_first_page",
                                    portico_connection_test_get_data_type_items (test, types[i]));
      else
        json_object_set_null_member (object, "items_on_first_page");
      json_object_set_string_member (object, "error_code",
                                     type_error ? portico_error_code_name (type_error) : NULL);
      set_clean_string (object, "message", &cleaner,
                        ok ? NULL : type_error ? type_error->message : _("Not tested."));
      json_object_set_member (object, "request",
                              exchange_to_json (portico_connection_test_get_exchange (test, types[i]), &cleaner));
      json_array_add_object_element (array, object);
    }
  json_object_set_array_member (root, "data_types", array);

  return json_node_init_object (json_node_alloc (), root);
}

/* ---- Profile export --------------------------------------------------------- */

/* The document around @accounts (portico_store_list_accounts ()). */
static JsonNode *
build_profile (PorticoEngine *self,
               JsonNode      *accounts,
               GError       **error)
{
  PorticoCatalog *catalog = portico_engine_get_catalog (self);
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(JsonObject) root = json_object_new ();
  g_autofree char *created_at = now_iso8601 ();
  JsonArray *out_accounts, *connectors;
  JsonArray *list;
  guint n;

  json_object_set_string_member (root, "format", PORTICO_PROFILE_FORMAT);
  json_object_set_int_member (root, "version", PORTICO_PROFILE_VERSION);
  json_object_set_string_member (root, "app_version", PACKAGE_VERSION);
  json_object_set_string_member (root, "created_at", created_at);

  if (schema != NULL)
    {
      g_autoptr(GSettings) settings = g_settings_new_full (schema, NULL, NULL);
      JsonObject *object = json_object_new ();

      for (guint i = 0; profile_settings[i] != NULL; i++)
        {
          g_autoptr(GVariant) value = NULL;

          if (!g_settings_schema_has_key (schema, profile_settings[i]))
            continue;
          value = g_settings_get_value (settings, profile_settings[i]);
          json_object_set_member (object, profile_settings[i], json_gvariant_serialize (value));
        }
      json_object_set_object_member (root, "settings", object);
    }

  connectors = json_array_new ();
  n = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *text = NULL;
      JsonObject *object;
      gsize size;
      const char *data;

      if (!portico_connector_is_custom (connector))
        continue;
      bytes = portico_engine_export_connector (self, portico_connector_get_id (connector), error);
      if (bytes == NULL)
        return NULL;
      data = g_bytes_get_data (bytes, &size);
      text = g_strndup (data, size);
      object = json_object_new ();
      json_object_set_string_member (object, "id", portico_connector_get_id (connector));
      json_object_set_string_member (object, "definition", text);
      json_array_add_object_element (connectors, object);
    }
  json_object_set_array_member (root, "custom_connectors", connectors);

  out_accounts = json_array_new ();
  list = json_node_get_array (accounts);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *account = json_array_get_object_element (list, i);
      const char *connector_id = portico_json_get_string (account, "connector");
      PorticoConnector *connector = portico_catalog_lookup (catalog, connector_id);
      JsonObject *stored_fields = json_object_has_member (account, "fields") &&
                                  JSON_NODE_HOLDS_OBJECT (json_object_get_member (account, "fields"))
                                  ? json_object_get_object_member (account, "fields") : NULL;
      JsonArray *types = json_object_has_member (account, "data_types") &&
                         JSON_NODE_HOLDS_ARRAY (json_object_get_member (account, "data_types"))
                         ? json_object_get_array_member (account, "data_types") : NULL;
      JsonObject *object = json_object_new ();
      JsonObject *fields = json_object_new ();
      JsonArray *out_types = json_array_new ();

      json_object_set_string_member (object, "connector", connector_id);
      json_object_set_string_member (object, "name", portico_json_get_string (account, "name"));
      json_object_set_string_member (object, "external_id", portico_json_get_string (account, "external_id"));
      json_object_set_string_member (object, "external_name", portico_json_get_string (account, "external_name"));
      json_object_set_string_member (object, "permission", portico_json_get_string (account, "permission"));

      /* The store never holds a secret; only declared non-secret fields go
       * out all the same, so that no future column can leak one. */
      if (stored_fields != NULL)
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *node;

          json_object_iter_init (&iter, stored_fields);
          while (json_object_iter_next (&iter, &name, &node))
            {
              const PorticoConnectorField *field = connector ? portico_connector_get_field (connector, name) : NULL;

              if (field == NULL || portico_connector_field_is_secret (field) ||
                  json_node_get_value_type (node) != G_TYPE_STRING)
                continue;
              json_object_set_string_member (fields, name, json_node_get_string (node));
            }
        }
      json_object_set_object_member (object, "fields", fields);

      for (guint j = 0; types != NULL && j < json_array_get_length (types); j++)
        {
          JsonObject *type = json_array_get_object_element (types, j);
          JsonObject *out_type = json_object_new ();

          json_object_set_string_member (out_type, "id", portico_json_get_string (type, "id"));
          json_object_set_boolean_member (out_type, "enabled", portico_json_get_bool (type, "enabled", TRUE));
          json_object_set_string_member (out_type, "disabled_reason", portico_json_get_string (type, "disabled_reason"));
          json_array_add_object_element (out_types, out_type);
        }
      json_object_set_array_member (object, "data_types", out_types);

      if (portico_json_get_bool (account, "paused", FALSE))
        {
          JsonObject *paused = json_object_new ();

          json_object_set_string_member (paused, "cause", portico_json_get_string (account, "paused_cause"));
          json_object_set_string_member (paused, "message", portico_json_get_string (account, "paused_message"));
          json_object_set_object_member (object, "paused", paused);
        }
      else
        json_object_set_null_member (object, "paused");

      /* The account's own drift threshold, or null for the default. */
      if (portico_json_get_int (account, "drift_threshold", 0) > 0)
        json_object_set_int_member (object, "drift_threshold", portico_json_get_int (account, "drift_threshold", 0));
      else
        json_object_set_null_member (object, "drift_threshold");

      json_array_add_object_element (out_accounts, object);
    }
  json_object_set_array_member (root, "accounts", out_accounts);

  return json_node_init_object (json_node_alloc (), g_steal_pointer (&root));
}

JsonNode *
portico_engine_export_profile (PorticoEngine *self,
                               GError       **error)
{
  g_autoptr(JsonNode) accounts = NULL;

  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);

  accounts = portico_store_list_accounts (portico_engine_get_store (self), error);
  if (accounts == NULL)
    return NULL;
  return build_profile (self, accounts, error);
}

static void
list_accounts_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  JsonNode *accounts = portico_store_list_accounts (task_data, &error);

  if (accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, accounts, (GDestroyNotify) json_node_unref);
}

static void
list_accounts_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) accounts = g_task_propagate_pointer (G_TASK (result), &error);
  JsonNode *profile;

  /* The catalog and the settings are the main thread's: read here. */
  if (accounts == NULL || (profile = build_profile (self, accounts, &error)) == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) json_node_unref);
}

void
portico_engine_export_profile_async (PorticoEngine      *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;

  g_return_if_fail (PORTICO_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_export_profile_async);
  read = g_task_new (self, cancellable, list_accounts_cb, g_steal_pointer (&task));
  g_task_set_task_data (read, g_object_ref (portico_engine_get_store (self)), g_object_unref);
  g_task_run_in_thread (read, list_accounts_thread);
}

JsonNode *
portico_engine_export_profile_finish (PorticoEngine *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_export_profile_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Profile import ------------------------------------------------------- */

typedef struct
{
  char *id;
  GBytes *previous; /* nullable: the file it replaced */
} SavedConnector;

static void
saved_connector_free (SavedConnector *saved)
{
  g_free (saved->id);
  g_clear_pointer (&saved->previous, g_bytes_unref);
  g_free (saved);
}

typedef struct
{
  GPtrArray *saved;     /* SavedConnector, in the order saved */
  GPtrArray *setting_keys;   /* static strings */
  GPtrArray *setting_values; /* GVariant, one per key */
  GPtrArray *names;     /* account names, in the file's order */
  GPtrArray *connector_ids;
} ImportOp;

static void
import_op_free (ImportOp *op)
{
  g_clear_pointer (&op->saved, g_ptr_array_unref);
  g_clear_pointer (&op->setting_keys, g_ptr_array_unref);
  g_clear_pointer (&op->setting_values, g_ptr_array_unref);
  g_clear_pointer (&op->names, g_ptr_array_unref);
  g_clear_pointer (&op->connector_ids, g_ptr_array_unref);
  g_free (op);
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static gboolean
profile_error (GError    **error,
               const char *source_name,
               const char *reason)
{
  /* Translators: "“old.json” is not a profile Portico can import: <reason>. Choose …" */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("“%s” is not a profile Portico can import: %s Choose a file made by Export Profile; nothing was imported."),
               source_name, reason);
  return FALSE;
}

/* Puts the connectors an import saved back as they were. */
static void
rollback_connectors (PorticoEngine *engine,
                     GPtrArray     *saved)
{
  for (guint i = saved->len; i > 0; i--)
    {
      SavedConnector *entry = g_ptr_array_index (saved, i - 1);
      g_autoptr(GError) error = NULL;

      if (entry->previous != NULL)
        {
          gsize size;
          const char *data = g_bytes_get_data (entry->previous, &size);
          g_autoptr(PorticoConnector) restored =
            portico_engine_save_custom_connector (engine, data, size, entry->id, &error);

          if (restored == NULL)
            g_warning ("Could not restore the connector %s: %s", entry->id, error->message);
        }
      else if (!portico_engine_delete_custom_connector (engine, entry->id, &error))
        g_warning ("Could not remove the connector %s: %s", entry->id, error->message);
    }
  g_ptr_array_set_size (saved, 0);
}

static const char *
member_string_or_null (JsonObject *object,
                       const char *member,
                       gboolean   *ok)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

static JsonArray *
member_array_or_empty (JsonObject *object,
                       const char *member,
                       gboolean   *ok)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_array (node);
}

/* Checks the settings and keeps them to apply after the accounts. */
static gboolean
check_settings (JsonObject *root,
                const char *source_name,
                ImportOp   *op,
                GError    **error)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  JsonNode *node = json_object_get_member (root, "settings");
  JsonObject *settings;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return profile_error (error, source_name, _("its “settings” are not an object."));
  settings = json_node_get_object (node);
  schema = lookup_schema ();

  for (guint i = 0; profile_settings[i] != NULL; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = NULL;
      g_autoptr(GVariant) value = NULL;
      g_autofree char *reason = NULL;
      JsonNode *member = json_object_get_member (settings, profile_settings[i]);

      if (member == NULL)
        continue;
      if (schema == NULL || !g_settings_schema_has_key (schema, profile_settings[i]))
        continue;
      key = g_settings_schema_get_key (schema, profile_settings[i]);
      value = json_gvariant_deserialize (member, g_variant_type_peek_string (g_settings_schema_key_get_value_type (key)), NULL);
      if (value == NULL || !g_settings_schema_key_range_check (key, value))
        {
          reason = g_strdup_printf (_("the setting “%s” has a value this version does not accept."),
                                    profile_settings[i]);
          return profile_error (error, source_name, reason);
        }
      g_ptr_array_add (op->setting_keys, (gpointer) profile_settings[i]);
      g_ptr_array_add (op->setting_values, g_variant_ref_sink (g_steal_pointer (&value)));
    }
  return TRUE;
}

/* Checks every custom connector of the profile; @defs gets the parsed ones
 * by id. */
static gboolean
check_connectors (PorticoEngine *self,
                  JsonObject    *root,
                  const char    *source_name,
                  GHashTable    *defs,
                  GHashTable    *texts,
                  GError       **error)
{
  gboolean ok = TRUE;
  JsonArray *list = member_array_or_empty (root, "custom_connectors", &ok);

  if (!ok)
    return profile_error (error, source_name, _("its “custom_connectors” are not a list."));

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      g_autoptr(PorticoConnector) connector = NULL;
      g_autofree char *name = NULL;
      g_autofree char *id = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *definition;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (definition = member_string_or_null (json_node_get_object (node), "definition", &ok)) == NULL || !ok)
        return profile_error (error, source_name, _("a custom connector has no “definition” text."));

      name = g_strdup_printf ("%s (custom connector %u)", source_name, i + 1);
      connector = portico_engine_check_custom_connector (self, definition, -1, name, &local_error);
      if (connector == NULL)
        {
          g_autofree char *reason = g_strdup_printf (_("its custom connector %u was refused (%s)."),
                                                     i + 1, local_error->message);

          return profile_error (error, source_name, reason);
        }
      id = g_strdup (portico_connector_get_id (connector));
      g_hash_table_replace (texts, g_strdup (id), g_strdup (definition));
      g_hash_table_replace (defs, g_steal_pointer (&id), g_steal_pointer (&connector));
    }
  return TRUE;
}

typedef struct
{
  GArray *specs;       /* PorticoStoreImportAccount */
  GPtrArray *objects;  /* JsonObject fields */
  GPtrArray *type_arrays; /* GArray of PorticoStoreDataTypeSpec */
} AccountSpecs;

static void
account_specs_clear (AccountSpecs *specs)
{
  g_clear_pointer (&specs->specs, g_array_unref);
  g_clear_pointer (&specs->objects, g_ptr_array_unref);
  g_clear_pointer (&specs->type_arrays, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AccountSpecs, account_specs_clear)

static gboolean
check_accounts (PorticoEngine *self,
                JsonObject    *root,
                const char    *source_name,
                GHashTable    *defs,
                AccountSpecs  *specs,
                ImportOp      *op,
                GError       **error)
{
  PorticoCatalog *catalog = portico_engine_get_catalog (self);
  gboolean ok = TRUE;
  JsonArray *list = member_array_or_empty (root, "accounts", &ok);

  if (!ok)
    return profile_error (error, source_name, _("its “accounts” are not a list."));

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      PorticoStoreImportAccount spec = { { 0, }, };
      g_autofree char *reason = NULL;
      g_autoptr(GError) local_error = NULL;
      g_auto(GStrv) permissions = NULL;
      PorticoConnector *connector;
      JsonObject *account, *fields;
      JsonNode *fields_node, *paused_node, *drift_node;
      JsonArray *types;
      GArray *type_specs;
      const char *connector_id, *name, *permission;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return profile_error (error, source_name, _("an account is not an object."));
      account = json_node_get_object (node);

      connector_id = member_string_or_null (account, "connector", &ok);
      name = member_string_or_null (account, "name", &ok);
      permission = member_string_or_null (account, "permission", &ok);
      if (!ok || connector_id == NULL || name == NULL || is_blank (name))
        {
          reason = g_strdup_printf (_("account %u has no connector or no name."), i + 1);
          return profile_error (error, source_name, reason);
        }
      connector = g_hash_table_lookup (defs, connector_id);
      if (connector == NULL)
        connector = portico_catalog_lookup (catalog, connector_id);
      if (connector == NULL)
        {
          reason = g_strdup_printf (_("the account “%s” uses the connector “%s”, which neither Portico nor the profile has."),
                                    name, connector_id);
          return profile_error (error, source_name, reason);
        }
      if (permission == NULL)
        permission = "read";
      permissions = portico_connector_get_permissions (connector);
      if (!g_str_equal (permission, "read") &&
          (permissions == NULL || !g_strv_contains ((const char * const *) permissions, permission)))
        {
          reason = g_strdup_printf (_("the account “%s” asks for the permission level “%s”, which %s does not offer."),
                                    name, permission, portico_connector_get_name (connector));
          return profile_error (error, source_name, reason);
        }

      fields_node = json_object_get_member (account, "fields");
      fields = json_object_new ();
      g_ptr_array_add (specs->objects, fields);
      if (fields_node != NULL && !JSON_NODE_HOLDS_NULL (fields_node))
        {
          JsonObjectIter iter;
          const char *field_id;
          JsonNode *value;

          if (!JSON_NODE_HOLDS_OBJECT (fields_node))
            {
              reason = g_strdup_printf (_("the fields of the account “%s” are not an object."), name);
              return profile_error (error, source_name, reason);
            }
          json_object_iter_init (&iter, json_node_get_object (fields_node));
          while (json_object_iter_next (&iter, &field_id, &value))
            {
              const PorticoConnectorField *field = portico_connector_get_field (connector, field_id);

              if (field == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
                  json_node_get_value_type (value) != G_TYPE_STRING)
                {
                  reason = g_strdup_printf (_("the account “%s” has a value for “%s”, which is no field of %s."),
                                            name, field_id, portico_connector_get_name (connector));
                  return profile_error (error, source_name, reason);
                }
              if (portico_connector_field_is_secret (field))
                {
                  /* A profile never carries a secret; one that does was
                   * not made by Portico and is not stored. */
                  reason = g_strdup_printf (_("it holds a value for the secret field “%s” of the account “%s”, and secrets belong only in the keyring."),
                                            field->label, name);
                  return profile_error (error, source_name, reason);
                }
              if (*json_node_get_string (value) != '\0' &&
                  !portico_connector_validate_value (connector, field_id, json_node_get_string (value), &local_error))
                {
                  reason = g_strdup_printf (_("the account “%s” has a value Portico refuses: %s"),
                                            name, local_error->message);
                  return profile_error (error, source_name, reason);
                }
              json_object_set_string_member (fields, field_id, json_node_get_string (value));
            }
        }

      types = member_array_or_empty (account, "data_types", &ok);
      type_specs = g_array_new (FALSE, TRUE, sizeof (PorticoStoreDataTypeSpec));
      g_ptr_array_add (specs->type_arrays, type_specs);
      for (guint j = 0; types != NULL && j < json_array_get_length (types); j++)
        {
          JsonNode *type_node = json_array_get_element (types, j);
          PorticoStoreDataTypeSpec type_spec = { 0, };
          JsonObject *type;

          if (!JSON_NODE_HOLDS_OBJECT (type_node))
            {
              ok = FALSE;
              break;
            }
          type = json_node_get_object (type_node);
          type_spec.data_type = member_string_or_null (type, "id", &ok);
          type_spec.enabled = portico_json_get_bool (type, "enabled", TRUE);
          type_spec.disabled_reason = member_string_or_null (type, "disabled_reason", &ok);
          /* A data type the connector no longer has is left out. */
          if (type_spec.data_type != NULL && portico_connector_has_data_type (connector, type_spec.data_type))
            g_array_append_val (type_specs, type_spec);
        }
      if (types == NULL)
        {
          g_auto(GStrv) all = portico_connector_get_data_types (connector);

          for (guint j = 0; all != NULL && all[j] != NULL; j++)
            {
              PorticoStoreDataTypeSpec type_spec = { g_intern_string (all[j]), TRUE, NULL };
              g_array_append_val (type_specs, type_spec);
            }
        }

      paused_node = json_object_get_member (account, "paused");
      if (paused_node != NULL && JSON_NODE_HOLDS_OBJECT (paused_node))
        {
          spec.paused_cause = member_string_or_null (json_node_get_object (paused_node), "cause", &ok);
          spec.paused_message = member_string_or_null (json_node_get_object (paused_node), "message", &ok);
        }
      else if (paused_node != NULL && !JSON_NODE_HOLDS_NULL (paused_node))
        ok = FALSE;

      drift_node = json_object_get_member (account, "drift_threshold");
      if (drift_node != NULL && JSON_NODE_HOLDS_VALUE (drift_node) &&
          json_node_get_value_type (drift_node) == G_TYPE_INT64)
        {
          gint64 percent = json_node_get_int (drift_node);

          if (percent < 1 || percent > 100)
            {
              reason = g_strdup_printf (_("the account “%s” has a drift threshold of %d %%; give a percentage from 1 to 100."),
                                        name, (int) CLAMP (percent, G_MININT, G_MAXINT));
              return profile_error (error, source_name, reason);
            }
          spec.drift_threshold = (guint) percent;
        }
      else if (drift_node != NULL && !JSON_NODE_HOLDS_NULL (drift_node))
        ok = FALSE;

      spec.account.connector_id = connector_id;
      spec.account.connector_name = portico_connector_get_name (connector);
      spec.account.category = portico_connector_get_category (connector);
      spec.account.name = name;
      spec.account.external_id = member_string_or_null (account, "external_id", &ok);
      spec.account.external_name = member_string_or_null (account, "external_name", &ok);
      spec.account.permission = permission;
      spec.account.fields = fields;
      spec.account.data_types = (const PorticoStoreDataTypeSpec *) (gpointer) type_specs->data;
      spec.account.n_data_types = type_specs->len;
      if (!ok)
        {
          reason = g_strdup_printf (_("the account “%s” has a value of the wrong kind."), name);
          return profile_error (error, source_name, reason);
        }
      g_array_append_val (specs->specs, spec);
      g_ptr_array_add (op->names, g_strdup (name));
      g_ptr_array_add (op->connector_ids, g_strdup (connector_id));
    }
  return TRUE;
}

/* Saves the profile's connectors, remembering what each replaced. */
static gboolean
save_connectors (PorticoEngine *self,
                 GHashTable    *texts,
                 const char    *source_name,
                 ImportOp      *op,
                 GError       **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, texts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PorticoConnector *existing = portico_catalog_lookup (portico_engine_get_catalog (self), key);
      g_autoptr(PorticoConnector) saved = NULL;
      g_autoptr(GBytes) previous = NULL;
      SavedConnector *entry;

      if (existing != NULL)
        {
          previous = portico_engine_export_connector (self, key, error);
          if (previous == NULL)
            return FALSE;
          if (g_bytes_get_size (previous) == strlen (value) &&
              memcmp (g_bytes_get_data (previous, NULL), value, strlen (value)) == 0)
            continue;
        }
      saved = portico_engine_save_custom_connector (self, value, -1, source_name, error);
      if (saved == NULL)
        return FALSE;
      entry = g_new0 (SavedConnector, 1);
      entry->id = g_strdup (key);
      entry->previous = g_steal_pointer (&previous);
      g_ptr_array_add (op->saved, entry);
    }
  return TRUE;
}

static void
import_accounts_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PorticoEngine *self = g_task_get_source_object (task);
  ImportOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(JsonObject) summary = NULL;
  JsonArray *array;

  ids = portico_store_import_accounts_finish (PORTICO_STORE (object), result, &error);
  if (ids == NULL)
    {
      rollback_connectors (self, op->saved);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  summary = json_object_new ();
  array = json_array_new ();
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *entry = json_object_new ();
      gint64 id = g_array_index (ids, gint64, i);

      if (id > 0)
        json_object_set_int_member (entry, "id", id);
      else
        json_object_set_null_member (entry, "id");
      json_object_set_string_member (entry, "name", g_ptr_array_index (op->names, i));
      json_object_set_string_member (entry, "connector", g_ptr_array_index (op->connector_ids, i));
      json_array_add_object_element (array, entry);
    }
  json_object_set_array_member (summary, "accounts", array);

  array = json_array_new ();
  for (guint i = 0; i < op->saved->len; i++)
    json_array_add_string_element (array, ((SavedConnector *) g_ptr_array_index (op->saved, i))->id);
  json_object_set_array_member (summary, "connectors", array);

  array = json_array_new ();
  schema = lookup_schema ();
  if (schema != NULL && op->setting_keys->len > 0)
    {
      g_autoptr(GSettings) settings = g_settings_new_full (schema, NULL, NULL);

      for (guint i = 0; i < op->setting_keys->len; i++)
        {
          const char *key = g_ptr_array_index (op->setting_keys, i);

          g_settings_set_value (settings, key, g_ptr_array_index (op->setting_values, i));
          json_array_add_string_element (array, key);
        }
      g_settings_sync ();
    }
  json_object_set_array_member (summary, "settings", array);

  g_signal_emit_by_name (self, "accounts-changed");
  g_task_return_pointer (task, json_node_init_object (json_node_alloc (), summary),
                         (GDestroyNotify) json_node_unref);
}

void
portico_engine_import_profile_async (PorticoEngine      *self,
                                     const char         *data,
                                     gssize              length,
                                     const char         *source_name,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) defs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr(GHashTable) texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(AccountSpecs) specs = { 0, };
  g_autoptr(GError) error = NULL;
  JsonNode *root_node;
  JsonObject *root;
  ImportOp *op;

  g_return_if_fail (PORTICO_IS_ENGINE (self));
  g_return_if_fail (data != NULL);

  if (source_name == NULL)
    source_name = _("The profile");

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_engine_import_profile_async);
  op = g_new0 (ImportOp, 1);
  op->saved = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_connector_free);
  op->setting_keys = g_ptr_array_new ();
  op->setting_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  op->names = g_ptr_array_new_with_free_func (g_free);
  op->connector_ids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, op, (GDestroyNotify) import_op_free);

  if (!json_parser_load_from_data (parser, data, length, &error))
    {
      g_autofree char *reason = g_strdup_printf (_("it is not JSON (%s)."), error->message);

      g_clear_error (&error);
      profile_error (&error, source_name, reason);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node) ||
      g_strcmp0 (portico_json_get_string (json_node_get_object (root_node), "format"), PORTICO_PROFILE_FORMAT) != 0)
    {
      profile_error (&error, source_name, _("it has no “format”: “portico-profile”."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  root = json_node_get_object (root_node);
  if (portico_json_get_int (root, "version", 0) < 1 ||
      portico_json_get_int (root, "version", 0) > PORTICO_PROFILE_VERSION)
    {
      profile_error (&error, source_name, _("a newer Portico made it; update Portico first."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  specs.specs = g_array_new (FALSE, TRUE, sizeof (PorticoStoreImportAccount));
  specs.objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  specs.type_arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  /* Everything is checked before anything is changed. */
  if (!check_settings (root, source_name, op, &error) ||
      !check_connectors (self, root, source_name, defs, texts, &error) ||
      !check_accounts (self, root, source_name, defs, &specs, op, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!save_connectors (self, texts, source_name, op, &error))
    {
      rollback_connectors (self, op->saved);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The store copies the accounts before this returns. */
  portico_store_import_accounts_async (portico_engine_get_store (self),
                                       (const PorticoStoreImportAccount *) (gpointer) specs.specs->data,
                                       specs.specs->len, cancellable,
                                       import_accounts_cb, g_steal_pointer (&task));
}

JsonNode *
portico_engine_import_profile_finish (PorticoEngine *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_engine_import_profile_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
