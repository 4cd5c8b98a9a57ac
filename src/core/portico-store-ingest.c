/* portico-store-ingest.c: replacing one account's data for one data type.
 *
 * A connector's field map is compiled once into
 *   INSERT INTO temp.stage_TYPE (...) SELECT ?2, <expr>, ... FROM json_each (?1, '$.items')
 * so SQLite maps each page body without a json-glib tree (DESIGN.md "Ingest").
 * Pages land in per-connection staging tables as they arrive; the commit
 * moves them into the real tables in one transaction (deleting the account's
 * previous rows for that data type first). Until then the real tables are not
 * touched, so an aborted or failed sync leaves the previous data as it was,
 * and the writer stays free for other writes while pages are fetched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "portico-connector.h"
#include "portico-store-private.h"

typedef struct
{
  const char *target;
  const char *column;
} TargetColumn;

typedef struct
{
  const char *data_type;
  const char *table;
  const TargetColumn *targets; /* NULL-terminated */
  const char *required[2];     /* one of these must be mapped */
  const char *commit_sql;
} DataTypeInfo;

/* Normalises ISO 8601 (any offset) or epoch seconds/milliseconds to UTC
 * "YYYY-MM-DDTHH:MM:SSZ". */
#define NORM_TIME(c) \
  "(CASE WHEN " c " IS NULL OR " c " = '' THEN NULL " \
  "WHEN typeof (" c ") IN ('integer', 'real') OR (" c " GLOB '[0-9]*' AND " c " NOT GLOB '*[^0-9.]*') THEN " \
  "strftime ('%Y-%m-%dT%H:%M:%SZ', CASE WHEN CAST (" c " AS REAL) > 100000000000 " \
  "THEN CAST (" c " AS REAL) / 1000 ELSE CAST (" c " AS REAL) END, 'unixepoch') " \
  "ELSE coalesce (strftime ('%Y-%m-%dT%H:%M:%SZ', " c "), " c ") END)"

/* Parameters of every commit: ?1 account id, ?2 staging handle, ?3 the
 * account's app id. */
static const TargetColumn users_targets[] = {
  { "id", "ext_id" }, { "email", "email" }, { "name", "name" }, { "status", "status" },
  { "role", "role" }, { "last_activity", "last_activity" }, { "license", "license" }, { NULL, NULL },
};
static const char users_commit[] =
  "DELETE FROM app_users WHERE source_account_id = ?1 AND app_id = ?3;\n"
  "INSERT INTO people (email, name) "
  "  SELECT trim (email), max (nullif (trim (name), '')) FROM stage_users "
  "  WHERE handle = ?2 AND email IS NOT NULL AND trim (email) <> '' "
  "  GROUP BY trim (email) COLLATE NOCASE "
  "  ON CONFLICT (email) DO UPDATE SET name = coalesce (people.name, excluded.name);\n"
  "INSERT INTO app_users (app_id, person_id, external_user_id, status, role, last_activity, "
  "    license_sku, source_account_id, source_kind) "
  "  SELECT ?3, (SELECT p.id FROM people p WHERE p.email = trim (s.email)), "
  "    CAST (s.ext_id AS TEXT), s.status, s.role, " NORM_TIME ("s.last_activity") ", "
  "    s.license, ?1, 'account' "
  "  FROM stage_users s WHERE s.handle = ?2;\n";

static const TargetColumn licenses_targets[] = {
  { "sku", "sku" }, { "name", "name" }, { "total", "total" }, { "assigned", "assigned" }, { NULL, NULL },
};
static const char licenses_commit[] =
  "DELETE FROM licenses WHERE source_account_id = ?1 AND app_id = ?3;\n"
  "INSERT INTO licenses (app_id, sku, name, total, assigned, source_account_id) "
  "  SELECT ?3, CAST (sku AS TEXT), name, CAST (total AS INTEGER), CAST (assigned AS INTEGER), ?1 "
  "  FROM stage_licenses WHERE handle = ?2 AND sku IS NOT NULL;\n";

static const TargetColumn usage_targets[] = {
  { "user_id", "user_id" }, { "email", "email" }, { "last_activity", "last_activity" }, { NULL, NULL },
};
static const char usage_commit[] =
  "UPDATE app_users SET last_activity = u.la FROM "
  "  (SELECT CAST (user_id AS TEXT) AS uid, max (" NORM_TIME ("last_activity") ") AS la "
  "   FROM stage_usage WHERE handle = ?2 AND user_id IS NOT NULL GROUP BY 1) AS u "
  "  WHERE app_users.source_account_id = ?1 AND app_users.app_id = ?3 "
  "  AND app_users.external_user_id = u.uid;\n"
  "UPDATE app_users SET last_activity = u.la FROM "
  "  (SELECT p.id AS pid, max (" NORM_TIME ("s.last_activity") ") AS la "
  "   FROM stage_usage s JOIN people p ON p.email = trim (s.email) "
  "   WHERE s.handle = ?2 AND s.user_id IS NULL GROUP BY p.id) AS u "
  "  WHERE app_users.source_account_id = ?1 AND app_users.app_id = ?3 "
  "  AND app_users.person_id = u.pid;\n";

static const TargetColumn custom_fields_targets[] = {
  { "user_id", "user_id" }, { "email", "email" }, { NULL, NULL },
};
static const char custom_fields_commit[] =
  "DELETE FROM custom_user_fields WHERE source_account_id = ?1;\n"
  "INSERT INTO custom_user_fields (app_id, person_id, external_user_id, label, value, source_account_id) "
  "  SELECT ?3, coalesce ((SELECT p.id FROM people p WHERE p.email = trim (s.email)), "
  "      (SELECT au.person_id FROM app_users au WHERE au.source_account_id = ?1 "
  "       AND au.external_user_id = CAST (s.user_id AS TEXT) LIMIT 1)), "
  "    CAST (s.user_id AS TEXT), s.label, CAST (s.value AS TEXT), ?1 "
  "  FROM stage_custom_fields s WHERE s.handle = ?2 AND s.value IS NOT NULL;\n";

static const TargetColumn transactions_targets[] = {
  { "id", "ext_id" }, { "amount", "amount" }, { "currency", "currency" }, { "vendor", "vendor" },
  { "date", "date" }, { "user_email", "user_email" }, { "description", "description" }, { NULL, NULL },
};
static const char transactions_commit[] =
  "DELETE FROM transactions WHERE source_account_id = ?1;\n"
  "INSERT INTO transactions (external_id, amount, currency, vendor, app_id, date, person_id, "
  "    description, source_account_id) "
  "  SELECT CAST (s.ext_id AS TEXT), CAST (s.amount AS REAL), s.currency, s.vendor, "
  "    (SELECT a.id FROM apps a WHERE a.name = trim (s.vendor)), s.date, "
  "    (SELECT p.id FROM people p WHERE p.email = trim (s.user_email)), s.description, ?1 "
  "  FROM stage_transactions s WHERE s.handle = ?2;\n";

static const TargetColumn groups_targets[] = {
  { "id", "ext_id" }, { "name", "name" }, { "members", "members" }, { NULL, NULL },
};
static const char groups_commit[] =
  "DELETE FROM groups WHERE source_account_id = ?1;\n"
  "INSERT INTO groups (app_id, external_id, name, members, source_account_id) "
  "  SELECT ?3, CAST (ext_id AS TEXT), name, CAST (members AS INTEGER), ?1 "
  "  FROM stage_groups WHERE handle = ?2;\n";

static const TargetColumn discovered_apps_targets[] = {
  { "name", "name" }, { "id", "ext_id" }, { "users", "users" }, { "spend", "spend" }, { NULL, NULL },
};
/* Apps stay discovered by the account even when it stops reporting them;
 * only the numbers it reported are replaced. */
static const char discovered_apps_commit[] =
  "UPDATE app_sources SET user_count = NULL, spend = NULL "
  "  WHERE source_account_id = ?1 AND app_id <> ?3;\n"
  "INSERT INTO apps (name, category) "
  "  SELECT trim (name), 'other' FROM stage_discovered_apps "
  "  WHERE handle = ?2 AND name IS NOT NULL AND trim (name) <> '' "
  "  GROUP BY trim (name) COLLATE NOCASE ON CONFLICT (name) DO NOTHING;\n"
  "INSERT INTO app_sources (app_id, kind, source_account_id, user_count, spend) "
  "  SELECT a.id, (SELECT CASE WHEN x.category = 'identity_provider' THEN 'idp' ELSE 'account' END "
  "                FROM apps x WHERE x.id = ?3), "
  "    ?1, max (CAST (s.users AS INTEGER)), sum (CAST (s.spend AS REAL)) "
  "  FROM stage_discovered_apps s JOIN apps a ON a.name = trim (s.name) "
  "  WHERE s.handle = ?2 AND a.id <> ?3 GROUP BY a.id "
  "  ON CONFLICT (app_id, kind, source_account_id) DO UPDATE "
  "  SET user_count = excluded.user_count, spend = excluded.spend;\n";

static const DataTypeInfo data_types[] = {
  { "users", "stage_users", users_targets, { "id", NULL }, users_commit },
  { "licenses", "stage_licenses", licenses_targets, { "sku", NULL }, licenses_commit },
  { "usage", "stage_usage", usage_targets, { "user_id", "email" }, usage_commit },
  { "custom_fields", "stage_custom_fields", custom_fields_targets, { "user_id", NULL }, custom_fields_commit },
  { "transactions", "stage_transactions", transactions_targets, { "id", NULL }, transactions_commit },
  { "groups", "stage_groups", groups_targets, { "id", NULL }, groups_commit },
  { "discovered_apps", "stage_discovered_apps", discovered_apps_targets, { "name", NULL }, discovered_apps_commit },
};

static const DataTypeInfo *
lookup_data_type (const char *data_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (data_types); i++)
    if (g_strcmp0 (data_types[i].data_type, data_type) == 0)
      return &data_types[i];
  return NULL;
}

/* ---- Mapping -------------------------------------------------------------- */

struct _PorticoStoreMapping
{
  const DataTypeInfo *info;
  char *sql;
};

static void
mapping_clear (gpointer p)
{
  PorticoStoreMapping *mapping = p;
  g_free (mapping->sql);
}

PorticoStoreMapping *
portico_store_mapping_ref (PorticoStoreMapping *mapping)
{
  return g_atomic_rc_box_acquire (mapping);
}

void
portico_store_mapping_unref (PorticoStoreMapping *mapping)
{
  g_atomic_rc_box_release_full (mapping, mapping_clear);
}

const char *
portico_store_mapping_get_data_type (PorticoStoreMapping *mapping)
{
  return mapping->info->data_type;
}

const char *
portico_store_mapping_get_sql (PorticoStoreMapping *mapping)
{
  return mapping->sql;
}

/* "data.users" -> $."data"."users"; "" -> $. */
static char *
items_path_to_json_path (const char  *items_path,
                         GError     **error)
{
  g_autoptr(GString) path = g_string_new ("$");
  g_auto(GStrv) segments = NULL;

  if (items_path == NULL || items_path[0] == '\0')
    return g_string_free (g_steal_pointer (&path), FALSE);

  segments = g_strsplit (items_path, ".", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      const char *seg = segments[i];

      if (seg[0] == '\0' || strchr (seg, '"') != NULL || strchr (seg, '\'') != NULL)
        {
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                       _("The items path “%s” is not valid. Use keys separated by dots."),
                       items_path);
          return NULL;
        }
      if (g_ascii_isdigit (seg[0]) && strspn (seg, "0123456789") == strlen (seg))
        g_string_append_printf (path, "[%s]", seg);
      else
        g_string_append_printf (path, ".\"%s\"", seg);
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

static const char *
target_column (const DataTypeInfo *info,
               const char         *target)
{
  for (guint i = 0; info->targets[i].target != NULL; i++)
    if (g_strcmp0 (info->targets[i].target, target) == 0)
      return info->targets[i].column;
  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

PorticoStoreMapping *
portico_store_mapping_new_from_sql (const char *data_type,
                                    const char *items_path,
                                    GHashTable *target_sql,
                                    GError    **error)
{
  const DataTypeInfo *info = lookup_data_type (data_type);
  g_autofree char *json_path = NULL;
  g_autofree char *quoted_path = NULL;
  g_autoptr(GString) sql = NULL;
  PorticoStoreMapping *mapping;

  if (info == NULL)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The data type “%s” is unknown. Use one of users, licenses, usage, custom_fields, transactions, groups, discovered_apps."),
                   data_type);
      return NULL;
    }

  if ((info->required[0] == NULL || !g_hash_table_contains (target_sql, info->required[0])) &&
      (info->required[1] == NULL || !g_hash_table_contains (target_sql, info->required[1])))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The map of “%s” has no “%s”. Add it to the connector definition."),
                   data_type, info->required[0]);
      return NULL;
    }

  json_path = items_path_to_json_path (items_path, error);
  if (json_path == NULL)
    return NULL;
  {
    char *q = sqlite3_mprintf ("%Q", json_path);
    quoted_path = g_strdup (q);
    sqlite3_free (q);
  }

  sql = g_string_new (NULL);

  if (g_strcmp0 (info->data_type, "custom_fields") == 0)
    {
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;
      const char *uid = g_hash_table_lookup (target_sql, "user_id");
      const char *email = g_hash_table_lookup (target_sql, "email");

      g_hash_table_iter_init (&iter, target_sql);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_str_has_prefix (key, "fields."))
          g_ptr_array_add (labels, key);
      g_ptr_array_sort (labels, compare_strings);

      g_string_append_printf (sql, "INSERT INTO temp.%s (handle, user_id, email, label, value) ", info->table);
      if (labels->len == 0)
        g_string_append (sql, "SELECT ?2, NULL, NULL, NULL, NULL WHERE ?1 IS NULL AND 0");
      for (guint i = 0; i < labels->len; i++)
        {
          const char *label = (const char *) labels->pdata[i] + strlen ("fields.");
          char *quoted_label = sqlite3_mprintf ("%Q", label);

          if (i > 0)
            g_string_append (sql, " UNION ALL ");
          g_string_append_printf (sql, "SELECT ?2, %s, %s, %s, %s FROM json_each (?1, %s)",
                                  uid != NULL ? uid : "NULL",
                                  email != NULL ? email : "NULL",
                                  quoted_label,
                                  (const char *) g_hash_table_lookup (target_sql, labels->pdata[i]),
                                  quoted_path);
          sqlite3_free (quoted_label);
        }
    }
  else
    {
      g_autoptr(GString) columns = g_string_new ("handle");
      g_autoptr(GString) values = g_string_new ("?2");

      for (guint i = 0; info->targets[i].target != NULL; i++)
        {
          const char *expr = g_hash_table_lookup (target_sql, info->targets[i].target);

          if (expr == NULL)
            continue;
          g_string_append_printf (columns, ", %s", info->targets[i].column);
          g_string_append_printf (values, ", %s", expr);
        }
      g_string_append_printf (sql, "INSERT INTO temp.%s (%s) SELECT %s FROM json_each (?1, %s)",
                              info->table, columns->str, values->str, quoted_path);
    }

  mapping = g_atomic_rc_box_new0 (PorticoStoreMapping);
  mapping->info = info;
  mapping->sql = g_string_free (g_steal_pointer (&sql), FALSE);
  return mapping;
}

PorticoStoreMapping *
portico_store_mapping_new (const char *data_type,
                           const char *items_path,
                           JsonObject *map,
                           GError    **error)
{
  const DataTypeInfo *info = lookup_data_type (data_type);
  g_autoptr(GHashTable) target_sql = NULL;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (map != NULL, NULL);

  if (info == NULL)
    return portico_store_mapping_new_from_sql (data_type, items_path, NULL, error);

  target_sql = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (map);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *target = l->data;
      JsonNode *expr = json_object_get_member (map, target);

      if (g_strcmp0 (info->data_type, "custom_fields") == 0 && g_strcmp0 (target, "fields") == 0)
        {
          JsonObject *fields;
          g_autoptr(GList) labels = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (expr))
            {
              g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                           _("The “fields” of custom_fields must be an object of label to expression. Fix the connector definition."));
              return NULL;
            }
          fields = json_node_get_object (expr);
          labels = json_object_get_members (fields);
          for (GList *m = labels; m != NULL; m = m->next)
            {
              char *sql = portico_expr_to_sql (json_object_get_member (fields, m->data), "value", error);

              if (sql == NULL)
                return NULL;
              g_hash_table_insert (target_sql, g_strconcat ("fields.", m->data, NULL), sql);
            }
          continue;
        }

      /* Targets the store does not keep are ignored, not refused: the
       * catalog validates definitions. */
      if (target_column (info, target) == NULL)
        continue;

      {
        char *sql = portico_expr_to_sql (expr, "value", error);

        if (sql == NULL)
          return NULL;
        g_hash_table_insert (target_sql, g_strdup (target), sql);
      }
    }

  return portico_store_mapping_new_from_sql (data_type, items_path, target_sql, error);
}

/* ---- Replace ---------------------------------------------------------------- */

struct _PorticoStoreReplace
{
  PorticoStore *store;
  PorticoStoreMapping *mapping;
  gint64 account_id;
  guint64 handle;
  gboolean finished;
};

static gint next_handle = 1;

PorticoStoreReplace *
portico_store_replace_begin (PorticoStore        *self,
                             gint64               account_id,
                             PorticoStoreMapping *mapping)
{
  PorticoStoreReplace *replace;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  g_return_val_if_fail (mapping != NULL, NULL);

  replace = g_atomic_rc_box_new0 (PorticoStoreReplace);
  replace->store = g_object_ref (self);
  replace->mapping = portico_store_mapping_ref (mapping);
  replace->account_id = account_id;
  replace->handle = (guint64) (guint) g_atomic_int_add (&next_handle, 1);
  return replace;
}

PorticoStoreReplace *
portico_store_replace_ref (PorticoStoreReplace *replace)
{
  return g_atomic_rc_box_acquire (replace);
}

void
portico_store_ingest_clear_stage (sqlite3 *db,
                                  guint64  handle)
{
  for (guint i = 0; i < G_N_ELEMENTS (data_types); i++)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM temp.%s WHERE handle = ?", data_types[i].table);

      portico_db_exec (db, NULL, sql, "i", (gint64) handle);
    }
}

typedef struct
{
  guint64 handle;
} ClearData;

static gboolean
clear_func (PorticoStore *self,
            sqlite3      *db,
            gpointer      data,
            gint64       *out_value,
            gpointer     *out_pointer,
            GError      **error)
{
  ClearData *d = data;

  portico_store_ingest_clear_stage (db, d->handle);
  return TRUE;
}

static void
queue_clear (PorticoStore *store,
             guint64       handle)
{
  ClearData *d = g_new0 (ClearData, 1);

  d->handle = handle;
  portico_store_run_write_async (store, clear_func, d, g_free, NULL,
                                 g_task_new (store, NULL, NULL, NULL));
}

static void
replace_clear (gpointer p)
{
  PorticoStoreReplace *replace = p;

  if (!replace->finished)
    queue_clear (replace->store, replace->handle);
  g_clear_object (&replace->store);
  g_clear_pointer (&replace->mapping, portico_store_mapping_unref);
}

void
portico_store_replace_unref (PorticoStoreReplace *replace)
{
  g_atomic_rc_box_release_full (replace, replace_clear);
}

void
portico_store_replace_abort (PorticoStoreReplace *replace)
{
  g_return_if_fail (replace != NULL);

  if (replace->finished)
    return;
  replace->finished = TRUE;
  queue_clear (replace->store, replace->handle);
}

typedef struct
{
  PorticoStoreReplace *replace;
  GBytes *body;
} PageData;

static void
page_data_free (gpointer p)
{
  PageData *d = p;

  g_clear_pointer (&d->replace, portico_store_replace_unref);
  g_clear_pointer (&d->body, g_bytes_unref);
  g_free (d);
}

static gboolean
add_page_func (PorticoStore *self,
               sqlite3      *db,
               gpointer      data,
               gint64       *out_value,
               gpointer     *out_pointer,
               GError      **error)
{
  PageData *d = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize size = 0;
  const char *body = g_bytes_get_data (d->body, &size);
  int rc;

  stmt = portico_db_prepare (db, d->replace->mapping->sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, body != NULL ? body : "", (int) size, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) d->replace->handle);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      const char *msg = sqlite3_errmsg (db);

      if ((rc & 0xff) == SQLITE_ERROR && msg != NULL && strstr (msg, "JSON") != NULL)
        {
          g_debug ("Page not mapped: %s", msg);
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                       _("The provider sent a page that is not valid JSON. Sync again later; if it persists, the provider’s API changed."));
          return FALSE;
        }
      return portico_store_set_error (db, rc, NULL, error);
    }

  *out_value = sqlite3_changes (db);
  return TRUE;
}

static gboolean
check_not_finished (PorticoStoreReplace *replace,
                    GError             **error)
{
  if (replace->finished)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("This data replacement already ended. Start a new sync."));
      return FALSE;
    }
  return TRUE;
}

static PageData *
page_data_new (PorticoStoreReplace *replace,
               GBytes              *body)
{
  PageData *d = g_new0 (PageData, 1);

  d->replace = portico_store_replace_ref (replace);
  d->body = g_bytes_ref (body);
  return d;
}

gboolean
portico_store_replace_add_page_sync (PorticoStoreReplace *replace,
                                     GBytes              *body,
                                     GError             **error)
{
  g_return_val_if_fail (replace != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  if (!check_not_finished (replace, error))
    return FALSE;
  return portico_store_run_write_sync (replace->store, add_page_func,
                                       page_data_new (replace, body), page_data_free,
                                       NULL, NULL, error);
}

void
portico_store_replace_add_page_async (PorticoStoreReplace *replace,
                                      GBytes              *body,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (replace != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (replace->store, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_replace_add_page_async);
  if (!check_not_finished (replace, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  portico_store_run_write_async (replace->store, add_page_func,
                                 page_data_new (replace, body), page_data_free, NULL, task);
}

gboolean
portico_store_replace_add_page_finish (PorticoStoreReplace *replace,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, replace->store), FALSE);

  g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
commit_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  PorticoStoreReplace *replace = data;
  const DataTypeInfo *info = replace->mapping->info;
  g_autofree char *count_sql = NULL;
  gint64 app_id = 0, items = 0;
  const char *tail = info->commit_sql;

  if (!portico_db_query_int (db, &app_id, error,
                             "SELECT app_id FROM accounts WHERE id = ? AND status <> 'disconnected'",
                             "i", replace->account_id))
    return FALSE;
  if (app_id == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("The account %" G_GINT64_FORMAT " was disconnected meanwhile, so its data was not saved."),
                   replace->account_id);
      return FALSE;
    }

  count_sql = g_strdup_printf ("SELECT count(*) FROM temp.%s WHERE handle = ?", info->table);
  if (!portico_db_query_int (db, &items, error, count_sql, "i", (gint64) replace->handle))
    return FALSE;

  while (tail != NULL && *tail != '\0')
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      const char *next = NULL;
      int rc = sqlite3_prepare_v2 (db, tail, -1, &stmt, &next);
      int n_params;

      if (rc != SQLITE_OK)
        return portico_store_set_error (db, rc, NULL, error);
      tail = next;
      if (stmt == NULL)
        continue;

      n_params = sqlite3_bind_parameter_count (stmt);
      if (n_params >= 1)
        sqlite3_bind_int64 (stmt, 1, replace->account_id);
      if (n_params >= 2)
        sqlite3_bind_int64 (stmt, 2, (gint64) replace->handle);
      if (n_params >= 3)
        sqlite3_bind_int64 (stmt, 3, app_id);

      if (!portico_db_step_done (stmt, error))
        return FALSE;
    }

  *out_value = items;
  return TRUE;
}

static gboolean
commit_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  PorticoStoreReplace *replace = data;
  gboolean ok;

  ok = portico_store_in_transaction (self, db, commit_tx, data, out_value, out_pointer, error);
  /* Whatever happened, the staged rows are done with. */
  portico_store_ingest_clear_stage (db, replace->handle);
  return ok;
}

gint64
portico_store_replace_commit_sync (PorticoStoreReplace *replace,
                                   GError             **error)
{
  gint64 items = 0;

  g_return_val_if_fail (replace != NULL, -1);

  if (!check_not_finished (replace, error))
    return -1;
  replace->finished = TRUE;
  if (!portico_store_run_write_sync (replace->store, commit_func,
                                     portico_store_replace_ref (replace),
                                     (GDestroyNotify) portico_store_replace_unref,
                                     &items, NULL, error))
    return -1;
  return items;
}

void
portico_store_replace_commit_async (PorticoStoreReplace *replace,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (replace != NULL);

  task = g_task_new (replace->store, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_replace_commit_async);
  if (!check_not_finished (replace, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  replace->finished = TRUE;
  portico_store_run_write_async (replace->store, commit_func,
                                 portico_store_replace_ref (replace),
                                 (GDestroyNotify) portico_store_replace_unref, NULL, task);
}

gint64
portico_store_replace_commit_finish (PorticoStoreReplace *replace,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 items;

  g_return_val_if_fail (g_task_is_valid (result, replace->store), -1);

  items = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  return items;
}
