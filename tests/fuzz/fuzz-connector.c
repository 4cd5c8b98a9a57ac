/* fuzz-connector.c: the connector loader and validator.
 *
 * A custom connector is a file an admin imports (SPEC 7): it is read with
 * portico_connector_new_from_data(), validated, and from then on its parts
 * go to the runtime and the store without further checks. So the harness
 * loads the input as a custom connector and, when the validator accepts it,
 * uses it the way connect and sync do: field checks, items paths, the
 * store's compiled page statement (which must be valid SQL) and the
 * identity expressions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "portico-connector.h"
#include "portico-runtime.h"
#include "portico-store.h"
#include "portico-store-private.h"
#include "fuzz-common.h"

static sqlite3 *db;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  portico_fuzz_init ();
  if (db != NULL)
    return;

  portico_store_sql_functions_init ();
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  if (!portico_store_schema_create_staging (db, &error))
    g_error ("staging tables: %s", error->message);
}

static void
use_data_type (PorticoConnector *connector,
               GHashTable       *values,
               const char       *data_type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;
  g_autoptr(PorticoStoreMapping) mapping = NULL;
  JsonObject *map;
  sqlite3_stmt *stmt = NULL;

  (void) portico_connector_get_data_type_request (connector, data_type);
  (void) portico_connector_get_data_type_pagination (connector, data_type);
  (void) portico_connector_data_type_is_essential (connector, data_type);
  (void) portico_connector_get_data_type_requirement (connector, data_type);

  items = portico_runtime_dup_items_path (connector, values, data_type, &error);
  map = portico_connector_get_data_type_map (connector, data_type);
  if (items == NULL || map == NULL)
    return;

  mapping = portico_store_mapping_new (data_type, items, map, &error);
  if (mapping == NULL)
    return;

  /* What the validator accepted must compile: a connector whose map the
   * store turns into broken (or injected) SQL would fail every sync. */
  if (sqlite3_prepare_v2 (db, portico_store_mapping_get_sql (mapping), -1, &stmt, NULL) != SQLITE_OK)
    g_error ("the page statement of %s does not compile (%s): %s", data_type,
             sqlite3_errmsg (db), portico_store_mapping_get_sql (mapping));
  sqlite3_finalize (stmt);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_auto(GStrv) data_types = NULL;
  g_auto(GStrv) permissions = NULL;
  g_auto(GStrv) action_ids = NULL;
  g_auto(GStrv) labels = NULL;
  JsonObject *identity;
  GPtrArray *fields;

  setup ();
  if (size == 0)
    return 0;

  connector = portico_connector_new_from_data ((const char *) data, (gssize) size,
                                               "fuzz.json", TRUE, &error);
  if (connector == NULL)
    {
      /* Every refusal says why, naming the file. */
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }
  g_assert_no_error (error);

  g_assert_nonnull (portico_connector_get_id (connector));
  g_assert_nonnull (portico_connector_get_name (connector));
  (void) portico_category_rank (portico_connector_get_category (connector));

  values = g_hash_table_new (g_str_hash, g_str_equal);
  fields = portico_connector_get_fields (connector);
  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *value = field->default_value != NULL ? field->default_value : "acme";
      g_autoptr(GError) value_error = NULL;

      if (field->type == PORTICO_FIELD_CHOICE && field->choice_ids != NULL && field->choice_ids[0] != NULL)
        value = field->choice_ids[0];
      (void) portico_connector_validate_value (connector, field->id, value, &value_error);
      (void) portico_connector_validate_value (connector, field->id, "", NULL);
      if (g_strcmp0 (field->id, "api_base_url") != 0)
        g_hash_table_insert (values, field->id, (gpointer) value);
    }

  permissions = portico_connector_get_permissions (connector);
  for (guint i = 0; permissions[i] != NULL; i++)
    g_ptr_array_unref (portico_connector_get_fields_for_permission (connector, permissions[i]));

  data_types = portico_connector_get_data_types (connector);
  for (guint i = 0; data_types[i] != NULL; i++)
    use_data_type (connector, values, data_types[i]);

  action_ids = portico_connector_get_action_ids (connector);
  for (guint i = 0; action_ids[i] != NULL; i++)
    g_assert_nonnull (portico_connector_get_action (connector, action_ids[i]));
  labels = portico_connector_get_custom_field_labels (connector);

  /* The identity is read with the field values only (no request) or from
   * the identity response; an empty item stands in for the latter. */
  identity = portico_connector_get_identity (connector);
  if (identity != NULL)
    {
      g_autoptr(JsonObject) empty_object = json_object_new ();
      g_autoptr(JsonNode) empty = json_node_init_object (json_node_alloc (), empty_object);
      static const char * const members[] = { "id", "name" };

      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          JsonNode *expr = json_object_get_member (identity, members[i]);

          if (expr != NULL)
            {
              g_free (portico_expr_eval_string (expr, empty, values));
            }
        }
    }

  return 0;
}
