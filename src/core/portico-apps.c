/* portico-apps.c: the Apps view's rows in the catalog's words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-apps"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-apps.h"
#include "portico-format.h"
#include "portico-json.h"

GHashTable *
portico_apps_index_new (PorticoCatalog *catalog)
{
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_object_unref);
  GListModel *model;

  g_return_val_if_fail (PORTICO_IS_CATALOG (catalog), index);

  model = G_LIST_MODEL (catalog);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (model, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "connector", portico_connector_get_id (connector));
      json_object_set_string_member (entry, "category", portico_connector_get_category (connector));
      g_hash_table_insert (index, g_strdup (portico_connector_get_id (connector)), json_object_ref (entry));
      g_hash_table_insert (index, g_utf8_casefold (portico_connector_get_name (connector), -1), entry);
    }

  return index;
}

void
portico_apps_describe (JsonNode   *apps,
                       GHashTable *index)
{
  JsonArray *array;

  g_return_if_fail (apps != NULL);

  if (!JSON_NODE_HOLDS_ARRAY (apps))
    return;

  array = json_node_get_array (apps);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *app = json_array_get_object_element (array, i);
      const char *connector = portico_json_get_string (app, "connector");
      const char *category = portico_json_get_string (app, "category");
      const char *currency = portico_json_get_string (app, "currency");
      double spend = portico_json_get_double (app, "spend", 0);
      JsonObject *entry = NULL;

      if (app == NULL)
        continue;

      if (index != NULL)
        {
          if (connector != NULL)
            entry = g_hash_table_lookup (index, connector);
          if (entry == NULL)
            {
              g_autofree char *folded = g_utf8_casefold (portico_json_get_string (app, "name") ?: "", -1);

              entry = g_hash_table_lookup (index, folded);
            }
        }
      if (entry != NULL)
        {
          if (connector == NULL)
            json_object_set_string_member (app, "connector", portico_json_get_string (entry, "connector"));
          /* A discovered app is "other" until the catalog says better. */
          if (category == NULL || g_str_equal (category, "other"))
            {
              json_object_set_string_member (app, "category", portico_json_get_string (entry, "category"));
              category = portico_json_get_string (app, "category");
            }
        }

      json_object_set_string_member (app, "category_label",
                                     portico_category_label (category != NULL ? category : "other"));
      json_object_set_int_member (app, "users",
                                  MAX (portico_json_get_int (app, "user_count", 0),
                                       portico_json_get_int (app, "reported_user_count", 0)));
      if (spend > 0)
        {
          g_autofree char *text = portico_format_amount (currency, spend);

          json_object_set_string_member (app, "spend_text", text);
        }
      else
        json_object_set_null_member (app, "spend_text");
    }
}
