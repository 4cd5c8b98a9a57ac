/* fuzz-mapper.c: a provider's page body through the response mapper.
 *
 * Input: one byte choosing a (shipped connector, data type), then the page
 * body. The body goes the way a sync takes it: parsed with json-glib (as
 * the runtime does for items and cursors), the connector's items and
 * pagination expressions read from it, then the store maps it with the
 * compiled page statement (SQLite's JSON functions) into a real database
 * file and commits the replace. Nothing of that may crash, trip a critical
 * or leave a replace half-done: a page that cannot be mapped must fail with
 * an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "portico-catalog.h"
#include "portico-json.h"
#include "portico-limits.h"
#include "portico-runtime.h"
#include "portico-store.h"
#include "portico-store-private.h"
#include "fuzz-common.h"

typedef struct
{
  PorticoConnector *connector;
  char *data_type;
  JsonNode *items;       /* the items expression, templates expanded */
  JsonObject *pagination;
  PorticoStoreMapping *mapping;
  gint64 account_id;
} Target;

static PorticoStore *store;
static GPtrArray *targets;
static GHashTable *values;
static char *store_dir;

/* The database lives as long as the process; its folder goes at exit. */
static void
remove_store (void)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (store_dir, "/portico.db", suffixes[i], NULL);
      g_unlink (path);
    }
  g_rmdir (store_dir);
}

static char *
connectors_dir (void)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");

  return g_strdup (dir != NULL ? dir : SOURCE_CONNECTORS_DIR);
}

static void
add_connector (PorticoConnector *connector)
{
  g_auto(GStrv) data_types = portico_connector_get_data_types (connector);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) specs = g_array_new (FALSE, TRUE, sizeof (PorticoStoreDataTypeSpec));
  PorticoStoreNewAccount account = { 0 };
  gint64 account_id;

  for (guint i = 0; data_types[i] != NULL; i++)
    {
      PorticoStoreDataTypeSpec spec = { data_types[i], TRUE, NULL };
      g_array_append_val (specs, spec);
    }

  account.connector_id = portico_connector_get_id (connector);
  account.connector_name = portico_connector_get_name (connector);
  account.category = portico_connector_get_category (connector);
  account.name = "Fuzz";
  account.external_id = "fuzz";
  account.permission = "read";
  account.data_types = (const PorticoStoreDataTypeSpec *) (gpointer) specs->data;
  account.n_data_types = specs->len;
  account_id = portico_store_create_account_sync (store, &account, &error);
  if (account_id == 0)
    g_error ("account for %s: %s", account.connector_id, error->message);

  for (guint i = 0; data_types[i] != NULL; i++)
    {
      g_autofree char *items = portico_runtime_dup_items_path (connector, values, data_types[i], NULL);
      JsonObject *map = portico_connector_get_data_type_map (connector, data_types[i]);
      PorticoStoreMapping *mapping;
      Target *target;

      if (items == NULL || map == NULL)
        continue;
      mapping = portico_store_mapping_new (data_types[i], items, map, NULL);
      if (mapping == NULL)
        continue;

      target = g_new0 (Target, 1);
      target->connector = g_object_ref (connector);
      target->data_type = g_strdup (data_types[i]);
      target->items = json_node_init_string (json_node_alloc (), items);
      target->pagination = portico_connector_get_data_type_pagination (connector, data_types[i]);
      target->mapping = mapping;
      target->account_id = account_id;
      g_ptr_array_add (targets, target);
    }
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
setup (void)
{
  g_autoptr(PorticoCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *path = NULL;

  portico_fuzz_init ();
  if (store != NULL)
    return;

  /* Placeholder values for the {field} templates of items paths. */
  values = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (values, (gpointer) "policy_id", (gpointer) "P1");

  /* A real store file; in memory when the system offers it, and without
   * syncs: durability is not what is fuzzed here, and an fsync per input
   * would cut the executions per second tenfold. */
  tmp = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ?
        g_mkdtemp (g_strdup ("/dev/shm/portico-fuzz-mapper-XXXXXX")) :
        g_dir_make_tmp ("portico-fuzz-mapper-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_nonnull (tmp);
  path = g_build_filename (tmp, "portico.db", NULL);
  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  store_dir = g_strdup (tmp);
  atexit (remove_store);
  if (!portico_store_exec_on_writer (store, "PRAGMA synchronous = OFF", &error))
    g_error ("%s", error->message);

  targets = g_ptr_array_new ();
  catalog = portico_catalog_new ();
  dir = connectors_dir ();
  portico_catalog_load_dir (catalog, dir, FALSE);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (d)) != NULL)
      if (g_str_has_suffix (name, ".json"))
        g_ptr_array_add (ids, g_strndup (name, strlen (name) - 5));
    /* A fixed order, so that the first byte of an input always picks the
     * same target. */
    g_ptr_array_sort (ids, compare_ids);
    for (guint i = 0; i < ids->len; i++)
      {
        PorticoConnector *connector = portico_catalog_lookup (catalog, ids->pdata[i]);
        if (connector != NULL)
          add_connector (connector);
      }
  }
  g_assert_cmpuint (targets->len, >, 0);
}

static void
read_pagination (Target   *target,
                 JsonNode *root)
{
  static const char * const members[] = {
    "cursor_path", "has_more_path", "next_path", "done_path", "total_pages_path", "total_path",
  };

  if (target->pagination == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *expr = json_object_get_member (target->pagination, members[i]);

      if (expr != NULL)
        g_free (portico_expr_eval_string (expr, root, values));
    }
}

/* An input starting with "#CONNECTOR/DATA_TYPE\n" names its target (the
 * seeds and kept crashing inputs do, so that they keep hitting the same
 * target when connectors are added); otherwise its first byte picks one. */
static Target *
pick_target (const uint8_t **data,
             size_t         *size)
{
  const uint8_t *newline;

  if (*size > 1 && (*data)[0] == '#' &&
      (newline = memchr (*data, '\n', MIN (*size, 128))) != NULL)
    {
      g_autofree char *name = g_strndup ((const char *) *data + 1, newline - *data - 1);
      Target *found = NULL;

      for (guint i = 0; i < targets->len && found == NULL; i++)
        {
          Target *t = g_ptr_array_index (targets, i);
          g_autofree char *t_name = g_strconcat (portico_connector_get_id (t->connector), "/",
                                                 t->data_type, NULL);
          if (g_strcmp0 (name, t_name) == 0)
            found = t;
        }
      *size -= newline + 1 - *data;
      *data = newline + 1;
      return found != NULL ? found : g_ptr_array_index (targets, g_str_hash (name) % targets->len);
    }

  {
    Target *t = g_ptr_array_index (targets, (*data)[0] % targets->len);
    (*data)++;
    (*size)--;
    return t;
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(PorticoStoreReplace) replace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *repaired = NULL;
  Target *target;
  JsonNode *root;
  gint64 written;

  setup ();
  if (size < 1)
    return 0;
  target = pick_target (&data, &size);
  /* As the runtime reads a page: the nesting pre-scan first (a deeper
   * body fails the data type before anything is parsed or stored), then
   * invalid UTF-8 repaired, then json-glib. */
  if (size > PORTICO_LIMIT_BODY_BYTES ||
      !portico_json_prescan ((const char *) data, size, PORTICO_LIMIT_JSON_DEPTH, NULL))
    return 0;
  if (!g_utf8_validate_len ((const char *) data, size, NULL))
    {
      repaired = g_utf8_make_valid ((const char *) data, (gssize) size);
      data = (const uint8_t *) repaired;
      size = strlen (repaired);
    }

  parser = json_parser_new_immutable ();
  if (size > 0 && json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL) &&
      (root = json_parser_get_root (parser)) != NULL)
    {
      JsonArray *items = portico_expr_get_items (target->items, root);

      if (items != NULL)
        for (guint i = 0; i < json_array_get_length (items); i++)
          (void) json_array_get_element (items, i);
      read_pagination (target, root);
    }

  body = g_bytes_new (data, size);
  replace = portico_store_replace_begin (store, target->account_id, target->mapping);
  if (!portico_store_replace_add_page_sync (replace, body, &error))
    {
      g_assert_nonnull (error);
      portico_store_replace_abort (replace);
      return 0;
    }
  written = portico_store_replace_commit_sync (replace, &error);
  g_assert_true ((written >= 0) == (error == NULL));
  return 0;
}
