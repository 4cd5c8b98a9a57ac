/* portico-store-read.c: reads for the views and the CLI, and the disconnect
 * cascade (SPEC 5) with its preview.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "portico-store-private.h"

/* ---- JSON helpers ----------------------------------------------------------- */

static void
add_column (JsonBuilder  *builder,
            const char   *member,
            sqlite3_stmt *stmt,
            int           column)
{
  json_builder_set_member_name (builder, member);
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_NULL:
      json_builder_add_null_value (builder);
      break;
    case SQLITE_INTEGER:
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_FLOAT:
      json_builder_add_double_value (builder, sqlite3_column_double (stmt, column));
      break;
    default:
      json_builder_add_string_value (builder, portico_db_column_text (stmt, column));
      break;
    }
}

static void
add_bool_column (JsonBuilder  *builder,
                 const char   *member,
                 sqlite3_stmt *stmt,
                 int           column)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, sqlite3_column_int (stmt, column) != 0);
}

static void
add_json_column (JsonBuilder  *builder,
                 const char   *member,
                 sqlite3_stmt *stmt,
                 int           column)
{
  g_autoptr(JsonNode) node = NULL;
  const char *text = portico_db_column_text (stmt, column);

  json_builder_set_member_name (builder, member);
  if (text != NULL)
    node = json_from_string (text, NULL);
  if (node != NULL)
    json_builder_add_value (builder, g_steal_pointer (&node));
  else
    json_builder_add_null_value (builder);
}

static gboolean
step_rows (sqlite3_stmt *stmt,
           int          *rc)
{
  *rc = sqlite3_step (stmt);
  return *rc == SQLITE_ROW;
}

static JsonNode *
finish_rows (JsonBuilder  *builder,
             sqlite3      *db,
             int           rc,
             GError      **error)
{
  if (rc != SQLITE_DONE)
    {
      portico_store_set_error (db, rc, NULL, error);
      return NULL;
    }
  return json_builder_get_root (builder);
}

/* ---- Accounts ---------------------------------------------------------------- */

static gboolean
build_data_types (sqlite3      *db,
                  gint64        account_id,
                  JsonBuilder  *builder,
                  GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT data_type, enabled, disabled_reason, "
                             "  CASE WHEN NOT enabled THEN 'disabled' ELSE coalesce (last_status, 'never') END, "
                             "  last_items, coalesce (last_error, CASE WHEN NOT enabled THEN disabled_reason END), "
                             "  last_error_code, last_success_at "
                             "FROM account_data_types WHERE account_id = ? ORDER BY rowid",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);

  json_builder_set_member_name (builder, "data_types");
  json_builder_begin_array (builder);
  while (step_rows (stmt, &rc))
    {
      json_builder_begin_object (builder);
      add_column (builder, "id", stmt, 0);
      add_bool_column (builder, "enabled", stmt, 1);
      add_column (builder, "disabled_reason", stmt, 2);
      add_column (builder, "status", stmt, 3);
      add_column (builder, "items", stmt, 4);
      add_column (builder, "error", stmt, 5);
      add_column (builder, "error_code", stmt, 6);
      add_column (builder, "last_success_at", stmt, 7);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (rc != SQLITE_DONE)
    return portico_store_set_error (db, rc, NULL, error);
  return TRUE;
}

/* Every read runs on the read-only connection, locked for its duration. */
typedef JsonNode *(*ReadFunc) (sqlite3  *db,
                               GError  **error);

static JsonNode *
run_read (PorticoStore *self,
          ReadFunc      func,
          GError      **error)
{
  JsonNode *node = func (portico_store_lock_reader (self), error);

  portico_store_unlock_reader (self);
  return node;
}

static JsonNode *
query_accounts (sqlite3     *db,
                gint64       account_id,
                GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT id, name, connector_id, external_id, external_name, permission, "
                             "  status, last_sync_at, created_at, keyring_state, fields, "
                             "  keyring_delete_pending, app_id, credential_fingerprint, "
                             "  paused_cause IS NOT NULL, paused_cause, paused_message, "
                             "  held_missing, held_total, drift_threshold "
                             "FROM accounts WHERE (?1 = 0 AND status <> 'disconnected') OR id = ?1 "
                             "ORDER BY id",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);

  json_builder_begin_array (builder);
  while (step_rows (stmt, &rc))
    {
      json_builder_begin_object (builder);
      add_column (builder, "id", stmt, 0);
      add_column (builder, "name", stmt, 1);
      add_column (builder, "connector", stmt, 2);
      add_column (builder, "external_id", stmt, 3);
      add_column (builder, "external_name", stmt, 4);
      add_column (builder, "permission", stmt, 5);
      add_column (builder, "status", stmt, 6);
      add_column (builder, "last_sync_at", stmt, 7);
      add_column (builder, "created_at", stmt, 8);
      add_column (builder, "keyring_state", stmt, 9);
      add_json_column (builder, "fields", stmt, 10);
      add_bool_column (builder, "keyring_delete_pending", stmt, 11);
      add_column (builder, "app_id", stmt, 12);
      add_column (builder, "fingerprint", stmt, 13);
      add_bool_column (builder, "paused", stmt, 14);
      add_column (builder, "paused_cause", stmt, 15);
      add_column (builder, "paused_message", stmt, 16);
      add_column (builder, "held_missing", stmt, 17);
      add_column (builder, "held_total", stmt, 18);
      add_column (builder, "drift_threshold", stmt, 19);
      if (!build_data_types (db, sqlite3_column_int64 (stmt, 0), builder, error))
        return NULL;
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return finish_rows (builder, db, rc, error);
}

JsonNode *
portico_store_list_accounts (PorticoStore *self,
                             GError      **error)
{
  JsonNode *node;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  node = query_accounts (portico_store_lock_reader (self), 0, error);
  portico_store_unlock_reader (self);
  return node;
}

JsonNode *
portico_store_get_account (PorticoStore *self,
                           gint64        account_id,
                           GError      **error)
{
  g_autoptr(JsonNode) list = NULL;
  JsonArray *array;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  if (account_id <= 0)
    goto not_found;

  list = query_accounts (portico_store_lock_reader (self), account_id, error);
  portico_store_unlock_reader (self);
  if (list == NULL)
    return NULL;

  array = json_node_get_array (list);
  if (json_array_get_length (array) == 1)
    return json_node_copy (json_array_get_element (array, 0));

not_found:
  g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
               _("There is no account %" PRId64 ". Run “portico-cli accounts” to see the account ids."),
               account_id);
  return NULL;
}

JsonNode *
portico_store_list_keyring_pending (PorticoStore *self,
                                    GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  JsonNode *node = NULL;
  int rc;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  db = portico_store_lock_reader (self);
  stmt = portico_db_prepare (db, "SELECT id FROM accounts WHERE keyring_delete_pending ORDER BY id", error);
  if (stmt != NULL)
    {
      json_builder_begin_array (builder);
      while (step_rows (stmt, &rc))
        json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      json_builder_end_array (builder);
      node = finish_rows (builder, db, rc, error);
    }
  portico_store_unlock_reader (self);
  return node;
}

/* ---- Apps, users, licenses ----------------------------------------------------- */

static char *
source_label (const char *kind,
              const char *account_name,
              const char *account_app,
              gboolean    disconnected)
{
  if (g_strcmp0 (kind, "manual") == 0)
    return g_strdup (_("Manual import"));
  if (g_strcmp0 (kind, "browser_extension") == 0)
    return g_strdup (_("Browser extension"));
  if (account_name == NULL)
    return g_strdup (_("Unknown account"));
  if (disconnected)
    /* Translators: an app's source: "Okta (Acme, disconnected)" */
    return g_strdup_printf (_("%s (%s, disconnected)"), account_app, account_name);
  /* Translators: an app's source: "Okta (Acme)" */
  return g_strdup_printf (_("%s (%s)"), account_app, account_name);
}

static JsonNode *
query_apps (sqlite3  *db,
            GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) sources = NULL;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT a.id, a.name, a.category, a.connector_id, "
                             "  (SELECT count (DISTINCT person_id) FROM app_users WHERE app_id = a.id), "
                             "  (SELECT max (coalesce (assigned_count, user_count)) FROM app_sources WHERE app_id = a.id), "
                             "  (SELECT sum (spend) FROM app_sources WHERE app_id = a.id), "
                             "  EXISTS (SELECT 1 FROM accounts WHERE app_id = a.id AND status <> 'disconnected'), "
                             "  (SELECT currency FROM transactions WHERE app_id = a.id AND currency IS NOT NULL "
                             "   GROUP BY currency ORDER BY count (*) DESC LIMIT 1) "
                             "FROM apps a ORDER BY a.name",
                             error);
  if (stmt == NULL)
    return NULL;
  sources = portico_db_prepare (db,
                                "SELECT s.kind, s.source_account_id, acc.name, ca.name, "
                                "  acc.status = 'disconnected', coalesce (s.assigned_count, s.user_count), s.discovered_at "
                                "FROM app_sources s LEFT JOIN accounts acc ON acc.id = s.source_account_id "
                                "LEFT JOIN apps ca ON ca.id = acc.app_id "
                                "WHERE s.app_id = ? ORDER BY s.id",
                                error);
  if (sources == NULL)
    return NULL;

  json_builder_begin_array (builder);
  while (step_rows (stmt, &rc))
    {
      g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
      int src_rc;

      json_builder_begin_object (builder);
      add_column (builder, "id", stmt, 0);
      add_column (builder, "name", stmt, 1);
      add_column (builder, "category", stmt, 2);
      add_column (builder, "connector", stmt, 3);
      add_column (builder, "user_count", stmt, 4);
      add_column (builder, "reported_user_count", stmt, 5);
      add_column (builder, "spend", stmt, 6);
      add_bool_column (builder, "connected", stmt, 7);
      add_column (builder, "currency", stmt, 8);

      sqlite3_reset (sources);
      sqlite3_bind_int64 (sources, 1, sqlite3_column_int64 (stmt, 0));
      json_builder_set_member_name (builder, "source_details");
      json_builder_begin_array (builder);
      while (step_rows (sources, &src_rc))
        {
          char *label = source_label (portico_db_column_text (sources, 0),
                                      portico_db_column_text (sources, 2),
                                      portico_db_column_text (sources, 3),
                                      sqlite3_column_int (sources, 4) != 0);
          json_builder_begin_object (builder);
          add_column (builder, "kind", sources, 0);
          add_column (builder, "account", sources, 1);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, label);
          add_column (builder, "user_count", sources, 5);
          add_column (builder, "discovered_at", sources, 6);
          json_builder_end_object (builder);
          g_ptr_array_add (labels, label);
        }
      json_builder_end_array (builder);
      if (src_rc != SQLITE_DONE)
        {
          portico_store_set_error (db, src_rc, NULL, error);
          return NULL;
        }

      json_builder_set_member_name (builder, "sources");
      json_builder_begin_array (builder);
      for (guint i = 0; i < labels->len; i++)
        json_builder_add_string_value (builder, labels->pdata[i]);
      json_builder_end_array (builder);

      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return finish_rows (builder, db, rc, error);
}

JsonNode *
portico_store_list_apps (PorticoStore *self,
                         GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  return run_read (self, query_apps, error);
}

static JsonNode *
query_users (sqlite3  *db,
             GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) apps = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  gint64 current = 0;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT DISTINCT p.id, p.email, p.name, a.name, au.source_kind, acc.name, ca.name, "
                             "  acc.status = 'disconnected' "
                             "FROM people p JOIN app_users au ON au.person_id = p.id "
                             "JOIN apps a ON a.id = au.app_id "
                             "LEFT JOIN accounts acc ON acc.id = au.source_account_id "
                             "LEFT JOIN apps ca ON ca.id = acc.app_id "
                             "ORDER BY p.email COLLATE NOCASE, p.id, a.name, au.source_kind, acc.name",
                             error);
  if (stmt == NULL)
    return NULL;

  json_builder_begin_array (builder);
  while (TRUE)
    {
      gboolean row = step_rows (stmt, &rc);
      gint64 id = row ? sqlite3_column_int64 (stmt, 0) : 0;

      if (current != 0 && id != current)
        {
          json_builder_set_member_name (builder, "apps");
          json_builder_begin_array (builder);
          for (guint i = 0; i < apps->len; i++)
            json_builder_add_string_value (builder, apps->pdata[i]);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "sources");
          json_builder_begin_array (builder);
          for (guint i = 0; i < sources->len; i += 2)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "app");
              json_builder_add_string_value (builder, sources->pdata[i]);
              json_builder_set_member_name (builder, "source");
              json_builder_add_string_value (builder, sources->pdata[i + 1]);
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          current = 0;
        }
      if (!row)
        break;

      if (current == 0)
        {
          current = id;
          g_clear_pointer (&apps, g_ptr_array_unref);
          g_clear_pointer (&sources, g_ptr_array_unref);
          apps = g_ptr_array_new_with_free_func (g_free);
          sources = g_ptr_array_new_with_free_func (g_free);
          json_builder_begin_object (builder);
          add_column (builder, "email", stmt, 1);
          add_column (builder, "name", stmt, 2);
        }

      {
        const char *app = portico_db_column_text (stmt, 3);

        if (apps->len == 0 || g_strcmp0 (apps->pdata[apps->len - 1], app) != 0)
          g_ptr_array_add (apps, g_strdup (app));
        g_ptr_array_add (sources, g_strdup (app));
        g_ptr_array_add (sources, source_label (portico_db_column_text (stmt, 4),
                                                portico_db_column_text (stmt, 5),
                                                portico_db_column_text (stmt, 6),
                                                sqlite3_column_int (stmt, 7) != 0));
      }
    }
  json_builder_end_array (builder);

  return finish_rows (builder, db, rc, error);
}

JsonNode *
portico_store_list_users (PorticoStore *self,
                          GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  return run_read (self, query_users, error);
}

static JsonNode *
query_licenses (sqlite3  *db,
                GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Only apps with a connected account are listed: when the last account of
   * an app is disconnected its row leaves the Licenses view (SPEC 5). */
  stmt = portico_db_prepare (db,
                             "SELECT a.name, l.sku, l.name, l.total, "
                             "  coalesce (l.assigned, (SELECT count (*) FROM app_users au "
                             "    WHERE au.app_id = l.app_id AND au.license_sku = l.sku)), "
                             "  (SELECT count (*) FROM app_users au WHERE au.app_id = l.app_id "
                             "    AND au.license_sku = l.sku AND (au.last_activity IS NULL "
                             "    OR au.last_activity < strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '-90 days'))), "
                             "  l.app_id, l.source_account_id "
                             "FROM licenses l JOIN apps a ON a.id = l.app_id "
                             "WHERE EXISTS (SELECT 1 FROM accounts acc WHERE acc.app_id = l.app_id "
                             "  AND acc.status <> 'disconnected') "
                             "ORDER BY a.name, l.sku",
                             error);
  if (stmt == NULL)
    return NULL;

  json_builder_begin_array (builder);
  while (step_rows (stmt, &rc))
    {
      json_builder_begin_object (builder);
      add_column (builder, "app", stmt, 0);
      add_column (builder, "sku", stmt, 1);
      add_column (builder, "name", stmt, 2);
      add_column (builder, "total", stmt, 3);
      add_column (builder, "assigned", stmt, 4);
      add_column (builder, "inactive", stmt, 5);
      add_column (builder, "app_id", stmt, 6);
      add_column (builder, "account", stmt, 7);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return finish_rows (builder, db, rc, error);
}

JsonNode *
portico_store_list_licenses (PorticoStore *self,
                             GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  return run_read (self, query_licenses, error);
}

/* ---- Workflows, audit, sync runs --------------------------------------------------- */

static JsonNode *
query_workflows (sqlite3  *db,
                 GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) actions = NULL;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT w.id, w.name, w.valid, w.invalid_reason, w.trigger_account_id, "
                             "  w.trigger_description, acc.name, app.name "
                             "FROM workflows w LEFT JOIN accounts acc ON acc.id = w.trigger_account_id "
                             "LEFT JOIN apps app ON app.id = acc.app_id "
                             "ORDER BY w.name, w.id",
                             error);
  if (stmt == NULL)
    return NULL;
  actions = portico_db_prepare (db,
                                "SELECT wa.id, wa.account_id, wa.action_id, wa.label, wa.failing, wa.failing_reason, "
                                "  acc.name, app.name "
                                "FROM workflow_actions wa LEFT JOIN accounts acc ON acc.id = wa.account_id "
                                "LEFT JOIN apps app ON app.id = acc.app_id "
                                "WHERE wa.workflow_id = ? ORDER BY wa.id",
                                error);
  if (actions == NULL)
    return NULL;

  json_builder_begin_array (builder);
  while (step_rows (stmt, &rc))
    {
      int action_rc;

      json_builder_begin_object (builder);
      add_column (builder, "id", stmt, 0);
      add_column (builder, "name", stmt, 1);
      add_bool_column (builder, "valid", stmt, 2);
      add_column (builder, "invalid_reason", stmt, 3);
      add_column (builder, "trigger_account", stmt, 4);
      add_column (builder, "trigger", stmt, 5);
      /* Names as they are now, not as they were when the workflow was made. */
      add_column (builder, "trigger_account_name", stmt, 6);
      add_column (builder, "trigger_app", stmt, 7);

      sqlite3_reset (actions);
      sqlite3_bind_int64 (actions, 1, sqlite3_column_int64 (stmt, 0));
      json_builder_set_member_name (builder, "actions");
      json_builder_begin_array (builder);
      while (step_rows (actions, &action_rc))
        {
          json_builder_begin_object (builder);
          add_column (builder, "id", actions, 0);
          add_column (builder, "account", actions, 1);
          add_column (builder, "action", actions, 2);
          add_column (builder, "label", actions, 3);
          add_bool_column (builder, "failing", actions, 4);
          add_column (builder, "failing_reason", actions, 5);
          add_column (builder, "account_name", actions, 6);
          add_column (builder, "app", actions, 7);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      if (action_rc != SQLITE_DONE)
        {
          portico_store_set_error (db, action_rc, NULL, error);
          return NULL;
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return finish_rows (builder, db, rc, error);
}

JsonNode *
portico_store_list_workflows (PorticoStore *self,
                              GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  return run_read (self, query_workflows, error);
}

JsonNode *
portico_store_list_audit_events (PorticoStore *self,
                                 guint         limit,
                                 GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonNode *node = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  db = portico_store_lock_reader (self);
  stmt = portico_db_prepare (db,
                             "SELECT e.id, e.time, e.account_id, acc.name, e.kind, e.details, app.name "
                             "FROM audit_events e LEFT JOIN accounts acc ON acc.id = e.account_id "
                             "LEFT JOIN apps app ON app.id = acc.app_id "
                             "ORDER BY e.id DESC LIMIT ?",
                             error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
      json_builder_begin_array (builder);
      while (step_rows (stmt, &rc))
        {
          json_builder_begin_object (builder);
          add_column (builder, "id", stmt, 0);
          add_column (builder, "time", stmt, 1);
          add_column (builder, "account", stmt, 2);
          add_column (builder, "account_name", stmt, 3);
          add_column (builder, "kind", stmt, 4);
          add_json_column (builder, "details", stmt, 5);
          add_column (builder, "app", stmt, 6);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      node = finish_rows (builder, db, rc, error);
    }
  portico_store_unlock_reader (self);
  return node;
}

JsonNode *
portico_store_list_sync_runs (PorticoStore *self,
                              gint64        account_id,
                              GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) types = NULL;
  JsonNode *node = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  db = portico_store_lock_reader (self);
  stmt = portico_db_prepare (db,
                             "SELECT id, account_id, started_at, ended_at, status FROM sync_runs "
                             "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id DESC",
                             error);
  if (stmt != NULL)
    types = portico_db_prepare (db,
                                "SELECT data_type, status, items, error_code, error_message, started_at, ended_at "
                                "FROM sync_run_data_types WHERE run_id = ? ORDER BY rowid",
                                error);
  if (types != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, account_id);
      json_builder_begin_array (builder);
      while (step_rows (stmt, &rc))
        {
          int types_rc;

          json_builder_begin_object (builder);
          add_column (builder, "id", stmt, 0);
          add_column (builder, "account", stmt, 1);
          add_column (builder, "started_at", stmt, 2);
          add_column (builder, "ended_at", stmt, 3);
          add_column (builder, "status", stmt, 4);
          sqlite3_reset (types);
          sqlite3_bind_int64 (types, 1, sqlite3_column_int64 (stmt, 0));
          json_builder_set_member_name (builder, "data_types");
          json_builder_begin_array (builder);
          while (step_rows (types, &types_rc))
            {
              json_builder_begin_object (builder);
              add_column (builder, "id", types, 0);
              add_column (builder, "status", types, 1);
              add_column (builder, "items", types, 2);
              add_column (builder, "error_code", types, 3);
              add_column (builder, "error", types, 4);
              add_column (builder, "started_at", types, 5);
              add_column (builder, "ended_at", types, 6);
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      node = finish_rows (builder, db, rc, error);
    }
  portico_store_unlock_reader (self);
  return node;
}

/* ---- Disconnect --------------------------------------------------------------- */

void
portico_disconnect_summary_free (PorticoDisconnectSummary *summary)
{
  if (summary == NULL)
    return;
  g_strfreev (summary->workflows_invalidated);
  g_free (summary);
}

JsonNode *
portico_disconnect_summary_to_json (const PorticoDisconnectSummary *summary)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "app_users");
  json_builder_add_int_value (builder, summary->app_users);
  json_builder_set_member_name (builder, "licenses");
  json_builder_add_int_value (builder, summary->licenses);
  json_builder_set_member_name (builder, "custom_fields");
  json_builder_add_int_value (builder, summary->custom_fields);
  json_builder_set_member_name (builder, "transactions");
  json_builder_add_int_value (builder, summary->transactions);
  json_builder_set_member_name (builder, "workflows_invalidated");
  json_builder_begin_array (builder);
  for (guint i = 0; summary->workflows_invalidated != NULL && summary->workflows_invalidated[i] != NULL; i++)
    json_builder_add_string_value (builder, summary->workflows_invalidated[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "workflow_actions_failing");
  json_builder_add_int_value (builder, summary->workflow_actions_failing);
  json_builder_set_member_name (builder, "offboarding_configs");
  json_builder_add_int_value (builder, summary->offboarding_configs);
  json_builder_set_member_name (builder, "other_apps_affected");
  json_builder_add_int_value (builder, summary->other_apps_affected);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* The parts of the summary that are not counts of deleted rows, plus those
 * counts when @count_all is set (the preview). */
static PorticoDisconnectSummary *
compute_summary (sqlite3    *db,
                 gint64      account_id,
                 gboolean    count_all,
                 char      **out_account_name,
                 GError    **error)
{
  g_autoptr(PorticoDisconnectSummary) summary = g_new0 (PorticoDisconnectSummary, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  gint64 connected = 0;
  int rc;

  if (!portico_db_query_int (db, &connected, error,
                             "SELECT count (*) FROM accounts WHERE id = ? AND status <> 'disconnected'",
                             "i", account_id))
    return NULL;
  if (connected == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("There is no connected account %" PRId64 ". Run “portico-cli accounts” to see the account ids."),
                   account_id);
      return NULL;
    }

  if (out_account_name != NULL)
    {
      g_autoptr(sqlite3_stmt) name_stmt = portico_db_prepare (db, "SELECT name FROM accounts WHERE id = ?", error);

      if (name_stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (name_stmt, 1, account_id);
      if (sqlite3_step (name_stmt) == SQLITE_ROW)
        *out_account_name = g_strdup (portico_db_column_text (name_stmt, 0));
    }

  if (count_all &&
      (!portico_db_query_int (db, &summary->app_users, error,
                              "SELECT count (*) FROM app_users WHERE source_account_id = ?", "i", account_id) ||
       !portico_db_query_int (db, &summary->licenses, error,
                              "SELECT count (*) FROM licenses WHERE source_account_id = ?", "i", account_id) ||
       !portico_db_query_int (db, &summary->custom_fields, error,
                              PORTICO_STORE_SQL_CUSTOM_FIELDS_OF_ACCOUNT, "i", account_id) ||
       !portico_db_query_int (db, &summary->transactions, error,
                              "SELECT count (*) FROM transactions WHERE source_account_id = ?", "i", account_id) ||
       !portico_db_query_int (db, &summary->workflow_actions_failing, error,
                              "SELECT count (*) FROM workflow_actions WHERE account_id = ? AND NOT failing",
                              "i", account_id) ||
       !portico_db_query_int (db, &summary->offboarding_configs, error,
                              "SELECT count (*) FROM offboarding_configs WHERE account_id = ?", "i", account_id)))
    return NULL;

  /* Other apps that lose users, licenses, custom fields or reported numbers
   * supplied by this account (an identity provider reports many). One probe
   * per app into the (source_account_id, app_id) indexes instead of reading
   * every row the account supplied. */
  if (!portico_db_query_int (db, &summary->other_apps_affected, error,
                             "SELECT count (*) FROM apps a "
                             "WHERE a.id <> (SELECT app_id FROM accounts WHERE id = ?1) AND ("
                             "  EXISTS (SELECT 1 FROM app_users WHERE source_account_id = ?1 AND app_id = a.id)"
                             "  OR EXISTS (SELECT 1 FROM licenses WHERE source_account_id = ?1 AND app_id = a.id)"
                             "  OR EXISTS (SELECT 1 FROM custom_user_field_sets WHERE source_account_id = ?1 AND app_id = a.id)"
                             "  OR EXISTS (SELECT 1 FROM app_sources WHERE source_account_id = ?1 AND app_id = a.id"
                             "    AND (user_count IS NOT NULL OR assigned_count IS NOT NULL OR spend IS NOT NULL)))",
                             "i", account_id))
    return NULL;

  stmt = portico_db_prepare (db,
                             "SELECT name FROM workflows WHERE trigger_account_id = ? AND valid ORDER BY name, id",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, portico_db_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      portico_store_set_error (db, rc, NULL, error);
      return NULL;
    }
  summary->workflows_invalidated = g_strv_builder_end (names);

  return g_steal_pointer (&summary);
}

PorticoDisconnectSummary *
portico_store_preview_disconnect (PorticoStore *self,
                                  gint64        account_id,
                                  GError      **error)
{
  PorticoDisconnectSummary *summary = NULL;
  sqlite3 *db;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  db = portico_store_lock_reader (self);
  /* One read transaction, so every count comes from the same snapshot. */
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
    {
      summary = compute_summary (db, account_id, TRUE, NULL, error);
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  else
    portico_store_set_error (db, sqlite3_errcode (db), NULL, error);
  portico_store_unlock_reader (self);

  return summary;
}

static gboolean
exec_count (sqlite3     *db,
            gint64      *out_changes,
            GError     **error,
            const char  *sql,
            const char  *types,
            ...)
{
  va_list args;
  gboolean ok;

  va_start (args, types);
  ok = portico_db_execv (db, out_changes, error, sql, types, args);
  va_end (args);

  return ok;
}

static gboolean
disconnect_tx (PorticoStore *self,
               sqlite3      *db,
               gpointer      data,
               gint64       *out_value,
               gpointer     *out_pointer,
               GError      **error)
{
  gint64 account_id = *(gint64 *) data;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autofree char *account_name = NULL;
  g_autofree char *invalid_reason = NULL;
  g_autofree char *failing_reason = NULL;
  g_autofree char *details_json = NULL;
  g_autoptr(JsonNode) details = NULL;
  gint64 workflows = 0;

  summary = compute_summary (db, account_id, FALSE, &account_name, error);
  if (summary == NULL)
    return FALSE;

  invalid_reason = g_strdup_printf (_("Its trigger account “%s” was disconnected. Edit the workflow to use another account, or delete it."),
                                    account_name);
  failing_reason = g_strdup_printf (_("The account “%s” was disconnected. Edit the workflow to use another account."),
                                    account_name);

  if (!portico_store_snapshot_for_disconnect (db, account_id, error) ||
      !exec_count (db, &summary->app_users, error,
                   "DELETE FROM app_users WHERE source_account_id = ?", "i", account_id) ||
      !exec_count (db, NULL, error,
                   "DELETE FROM held_users WHERE account_id = ?", "i", account_id) ||
      !exec_count (db, &summary->licenses, error,
                   "DELETE FROM licenses WHERE source_account_id = ?", "i", account_id) ||
      /* One row holds a user's custom fields: the count is of fields. */
      !portico_db_query_int (db, &summary->custom_fields, error,
                             PORTICO_STORE_SQL_CUSTOM_FIELDS_OF_ACCOUNT, "i", account_id) ||
      !exec_count (db, NULL, error,
                   "DELETE FROM custom_user_field_sets WHERE source_account_id = ?", "i", account_id) ||
      !exec_count (db, &summary->transactions, error,
                   "DELETE FROM transactions WHERE source_account_id = ?", "i", account_id) ||
      !exec_count (db, NULL, error,
                   "DELETE FROM groups WHERE source_account_id = ?", "i", account_id) ||
      /* Apps it discovered stay, still naming it; only its numbers go. */
      !exec_count (db, NULL, error,
                   "UPDATE app_sources SET user_count = NULL, assigned_count = NULL, spend = NULL "
                   "WHERE source_account_id = ?",
                   "i", account_id) ||
      !exec_count (db, &workflows, error,
                   "UPDATE workflows SET valid = 0, invalid_reason = ? WHERE trigger_account_id = ? AND valid",
                   "si", invalid_reason, account_id) ||
      !exec_count (db, &summary->workflow_actions_failing, error,
                   "UPDATE workflow_actions SET failing = 1, failing_reason = ? WHERE account_id = ? AND NOT failing",
                   "si", failing_reason, account_id) ||
      !exec_count (db, &summary->offboarding_configs, error,
                   "DELETE FROM offboarding_configs WHERE account_id = ?", "i", account_id) ||
      /* The keyring item stays with the restore snapshot; it is deleted
       * when the snapshot ends (portico-store-restore.c). */
      !exec_count (db, NULL, error,
                   "UPDATE accounts SET status = 'disconnected', disconnected_at = "
                   "  (SELECT disconnected_at FROM restore_snapshots WHERE account_id = ?1) "
                   "WHERE id = ?1",
                   "i", account_id))
    return FALSE;

  g_assert ((gint64) g_strv_length (summary->workflows_invalidated) == workflows);

  details = portico_disconnect_summary_to_json (summary);
  details_json = json_to_string (details, FALSE);
  if (!portico_db_exec (db, error,
                        "INSERT INTO audit_events (account_id, kind, details) VALUES (?, 'disconnected', ?)",
                        "is", account_id, details_json))
    return FALSE;

  *out_pointer = g_steal_pointer (&summary);
  return TRUE;
}

static gboolean
disconnect_func (PorticoStore *self,
                 sqlite3      *db,
                 gpointer      data,
                 gint64       *out_value,
                 gpointer     *out_pointer,
                 GError      **error)
{
  gboolean ok = portico_store_in_transaction (self, db, disconnect_tx, data,
                                              out_value, out_pointer, error);

  if (!ok && *out_pointer != NULL)
    g_clear_pointer (out_pointer, portico_disconnect_summary_free);
  return ok;
}

PorticoDisconnectSummary *
portico_store_disconnect_sync (PorticoStore *self,
                               gint64        account_id,
                               GError      **error)
{
  gpointer summary = NULL;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  if (!portico_store_run_write_sync (self, disconnect_func, g_memdup2 (&account_id, sizeof account_id),
                                     g_free, NULL, &summary, error))
    return NULL;
  return summary;
}

void
portico_store_disconnect_async (PorticoStore       *self,
                                gint64              account_id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (PORTICO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_disconnect_async);
  portico_store_run_write_async (self, disconnect_func, g_memdup2 (&account_id, sizeof account_id),
                                 g_free, (GDestroyNotify) portico_disconnect_summary_free, task);
}

PorticoDisconnectSummary *
portico_store_disconnect_finish (PorticoStore *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
