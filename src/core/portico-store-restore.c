/* portico-store-restore.c: undo after a disconnect.
 *
 * The disconnect cascade (portico-store-read.c) first copies everything it
 * is about to delete or overwrite into the restore tables (migration 11),
 * in its own transaction, so a crash leaves either the connected account or
 * the disconnected one with its snapshot. A restore puts the rows back with
 * their ids and timestamps; the account's keyring item is kept as long as
 * the snapshot lives. When the snapshot expires, or the admin forgets the
 * credentials, the snapshot goes and the keyring deletion becomes pending
 * (the engine deletes the item and clears the mark).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "portico-store-private.h"

/* Tables whose rows the cascade deletes, with the column naming the account
 * and their copy's name (restore_<table>). */
static const struct
{
  const char *table;
  const char *account_column;
} deleted_tables[] = {
  { "app_users", "source_account_id" },
  { "licenses", "source_account_id" },
  { "custom_user_field_sets", "source_account_id" },
  { "transactions", "source_account_id" },
  { "groups", "source_account_id" },
};

/* The restore tables that hold one account's snapshot, by their account
 * column. */
static const struct
{
  const char *table;
  const char *account_column;
} snapshot_tables[] = {
  { "restore_app_users", "source_account_id" },
  { "restore_held_users", "account_id" },
  { "restore_licenses", "source_account_id" },
  { "restore_custom_user_field_sets", "source_account_id" },
  { "restore_transactions", "source_account_id" },
  { "restore_groups", "source_account_id" },
  { "restore_offboarding_configs", "account_id" },
  { "restore_app_sources", "account_id" },
  { "restore_workflows", "account_id" },
  { "restore_workflow_actions", "account_id" },
  { "restore_snapshots", "account_id" },
};

static gboolean
exec_printf (sqlite3    *db,
             GError    **error,
             gint64      account_id,
             const char *format,
             ...) G_GNUC_PRINTF (4, 5);

static gboolean
exec_printf (sqlite3    *db,
             GError    **error,
             gint64      account_id,
             const char *format,
             ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return portico_db_exec (db, error, sql, "i", account_id);
}

static gboolean
exec_changes (sqlite3    *db,
              gint64     *out_changes,
              GError    **error,
              const char *sql,
              ...)
{
  va_list args;
  gboolean ok;

  va_start (args, sql);
  ok = portico_db_execv (db, out_changes, error, sql, "i", args);
  va_end (args);

  return ok;
}

gboolean
portico_store_snapshot_for_disconnect (sqlite3 *db,
                                       gint64   account_id,
                                       GError **error)
{
  /* A snapshot left by an earlier disconnect of this account cannot exist
   * (a restore or a forget removes it), but never mix two. */
  if (!portico_store_drop_snapshot (db, account_id, error))
    return FALSE;

  if (!portico_db_exec (db, error,
                        "INSERT INTO restore_snapshots (account_id, disconnected_at, expires_at, "
                        "  account_status, account_disconnected_at, account_keyring_delete_pending) "
                        "SELECT id, " PORTICO_SQL_NOW ", "
                        "  strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '+" G_STRINGIFY (PORTICO_STORE_RESTORE_DAYS) " days'), "
                        "  status, disconnected_at, keyring_delete_pending "
                        "FROM accounts WHERE id = ?",
                        "i", account_id))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (deleted_tables); i++)
    if (!exec_printf (db, error, account_id,
                      "INSERT INTO restore_%s SELECT * FROM %s WHERE %s = ?",
                      deleted_tables[i].table, deleted_tables[i].table, deleted_tables[i].account_column))
      return FALSE;

  return portico_db_exec (db, error,
                          "INSERT INTO restore_held_users SELECT rowid, * FROM held_users WHERE account_id = ?",
                          "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO restore_offboarding_configs SELECT * FROM offboarding_configs WHERE account_id = ?",
                          "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO restore_app_sources "
                          "SELECT id, source_account_id, user_count, assigned_count, spend "
                          "FROM app_sources WHERE source_account_id = ?",
                          "i", account_id) &&
         /* Only what the cascade changes: valid workflows and actions that
          * do not fail yet. */
         portico_db_exec (db, error,
                          "INSERT INTO restore_workflows "
                          "SELECT id, trigger_account_id, valid, invalid_reason "
                          "FROM workflows WHERE trigger_account_id = ? AND valid",
                          "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO restore_workflow_actions "
                          "SELECT id, account_id, failing, failing_reason "
                          "FROM workflow_actions WHERE account_id = ? AND NOT failing",
                          "i", account_id);
}

gboolean
portico_store_drop_snapshot (sqlite3 *db,
                             gint64   account_id,
                             GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (snapshot_tables); i++)
    if (!exec_printf (db, error, account_id, "DELETE FROM %s WHERE %s = ?",
                      snapshot_tables[i].table, snapshot_tables[i].account_column))
      return FALSE;
  return TRUE;
}

/* ---- Restore ------------------------------------------------------------ */

static char *
account_name (sqlite3 *db,
              gint64   account_id)
{
  g_autoptr(sqlite3_stmt) stmt = portico_db_prepare (db, "SELECT name FROM accounts WHERE id = ?", NULL);

  if (stmt == NULL)
    return g_strdup ("?");
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return g_strdup (portico_db_column_text (stmt, 0));
  return g_strdup ("?");
}

/* NOT_FOUND when the account has no snapshot, INVALID (with the date) when
 * it expired; *out_expires_at gets its end. */
static gboolean
check_snapshot (sqlite3  *db,
                gint64    account_id,
                gboolean  allow_expired,
                char    **out_expires_at,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  gboolean expired;
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT expires_at, expires_at <= " PORTICO_SQL_NOW " "
                             "FROM restore_snapshots WHERE account_id = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return portico_store_set_error (db, rc, NULL, error);

  name = account_name (db, account_id);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("There is nothing to restore for account %" PRId64 " (“%s”): only a disconnected account whose credentials were not forgotten can be restored. Connect it again instead."),
                   account_id, name);
      return FALSE;
    }

  expired = sqlite3_column_int (stmt, 1) != 0;
  if (expired && !allow_expired)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("“%s” could be restored until %s only. Connect it again instead."),
                   name, portico_db_column_text (stmt, 0));
      return FALSE;
    }

  if (out_expires_at != NULL)
    *out_expires_at = g_strdup (portico_db_column_text (stmt, 0));
  return TRUE;
}

/* Rows whose id was taken meanwhile (SQLite gives the highest id again once
 * the rows holding it were deleted) come back with a new id: the copy's id
 * becomes NULL, which the INTEGER PRIMARY KEY fills in. */
static gboolean
restore_deleted_rows (sqlite3 *db,
                      gint64   account_id,
                      gint64  *out_rows,
                      GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (deleted_tables); i++)
    {
      const char *table = deleted_tables[i].table;
      const char *column = deleted_tables[i].account_column;
      gint64 changes = 0;
      g_autofree char *sql = NULL;

      if (!exec_printf (db, error, account_id,
                        "UPDATE restore_%s SET id = NULL WHERE %s = ? AND id IN (SELECT id FROM %s)",
                        table, column, table))
        return FALSE;
      sql = g_strdup_printf ("INSERT INTO %s SELECT * FROM restore_%s WHERE %s = ? ORDER BY id IS NULL, id",
                             table, table, column);
      if (!exec_changes (db, &changes, error, sql, account_id))
        return FALSE;
      *out_rows += changes;
    }

  return portico_db_exec (db, error,
                          "UPDATE restore_held_users SET held_rowid = NULL "
                          "WHERE account_id = ? AND held_rowid IN (SELECT rowid FROM held_users)",
                          "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO held_users (rowid, account_id, ext_id, email, name, status, role, last_activity, license) "
                          "SELECT held_rowid, account_id, ext_id, email, name, status, role, last_activity, license "
                          "FROM restore_held_users WHERE account_id = ? ORDER BY held_rowid IS NULL, held_rowid",
                          "i", account_id);
}

static gboolean
restore_tx (PorticoStore *self,
            sqlite3      *db,
            gpointer      data,
            gint64       *out_value,
            gpointer     *out_pointer,
            GError      **error)
{
  gint64 account_id = *(gint64 *) data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  gint64 rows = 0;
  gint64 workflows = 0;
  int rc;

  if (!check_snapshot (db, account_id, FALSE, NULL, error))
    return FALSE;

  /* The same identity connected again meanwhile (a reconnect that replaced
   * this account, or a new connect): two accounts would supply the same
   * facts. */
  stmt = portico_db_prepare (db,
                             "SELECT o.name FROM accounts a JOIN accounts o "
                             "  ON o.connector_id = a.connector_id AND o.external_id = a.external_id "
                             "WHERE a.id = ?1 AND o.id <> a.id AND o.status <> 'disconnected' "
                             "ORDER BY o.id LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  name = account_name (db, account_id);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("“%s” cannot be restored: the account “%s” is connected to the same identity now. Disconnect “%s” first, or keep it and forget the credentials of “%s”."),
                   name, portico_db_column_text (stmt, 0), portico_db_column_text (stmt, 0), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return portico_store_set_error (db, rc, NULL, error);

  if (!restore_deleted_rows (db, account_id, &rows, error) ||
      !portico_db_exec (db, error,
                        "INSERT OR REPLACE INTO offboarding_configs "
                        "SELECT * FROM restore_offboarding_configs WHERE account_id = ?",
                        "i", account_id) ||
      !portico_db_exec (db, error,
                        "UPDATE app_sources SET user_count = s.user_count, assigned_count = s.assigned_count, "
                        "  spend = s.spend "
                        "FROM restore_app_sources s WHERE s.account_id = ?1 AND app_sources.id = s.id "
                        "  AND app_sources.source_account_id = ?1",
                        "i", account_id) ||
      /* Workflows that still wait for this account; one repointed to
       * another account or deleted meanwhile stays as the admin left it. */
      !exec_changes (db, &workflows, error,
                             "UPDATE workflows SET valid = s.valid, invalid_reason = s.invalid_reason "
                             "FROM restore_workflows s WHERE s.account_id = ?1 AND workflows.id = s.id "
                             "  AND workflows.trigger_account_id = ?1 AND NOT workflows.valid",
                             account_id) ||
      !portico_db_exec (db, error,
                        "UPDATE workflow_actions SET failing = s.failing, failing_reason = s.failing_reason "
                        "FROM restore_workflow_actions s WHERE s.account_id = ?1 AND workflow_actions.id = s.id "
                        "  AND workflow_actions.account_id = ?1 AND workflow_actions.failing",
                        "i", account_id) ||
      !portico_db_exec (db, error,
                        "UPDATE accounts SET status = s.account_status, "
                        "  disconnected_at = s.account_disconnected_at, "
                        "  keyring_delete_pending = s.account_keyring_delete_pending "
                        "FROM restore_snapshots s WHERE s.account_id = ?1 AND accounts.id = ?1",
                        "i", account_id) ||
      !portico_store_drop_snapshot (db, account_id, error) ||
      !portico_db_exec (db, error,
                        "INSERT INTO audit_events (account_id, kind, details) "
                        "VALUES (?, 'restored', json_object ('rows', ?, 'workflows_valid_again', ?))",
                        "iii", account_id, rows, workflows))
    return FALSE;

  *out_value = rows;
  return TRUE;
}

static gboolean
restore_func (PorticoStore *self,
              sqlite3      *db,
              gpointer      data,
              gint64       *out_value,
              gpointer     *out_pointer,
              GError      **error)
{
  return portico_store_in_transaction (self, db, restore_tx, data, out_value, out_pointer, error);
}

gint64
portico_store_restore_account_sync (PorticoStore *self,
                                    gint64        account_id,
                                    GError      **error)
{
  gint64 rows = 0;

  g_return_val_if_fail (PORTICO_IS_STORE (self), -1);

  if (!portico_store_run_write_sync (self, restore_func, g_memdup2 (&account_id, sizeof account_id),
                                     g_free, &rows, NULL, error))
    return -1;
  return rows;
}

void
portico_store_restore_account_async (PorticoStore       *self,
                                     gint64              account_id,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (PORTICO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_restore_account_async);
  portico_store_run_write_async (self, restore_func, g_memdup2 (&account_id, sizeof account_id),
                                 g_free, NULL, task);
}

gint64
portico_store_restore_account_finish (PorticoStore *self,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 rows;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_store_restore_account_async, -1);

  rows = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  return rows;
}

/* ---- Forget, expire ------------------------------------------------------- */

/* Ends the snapshot; the keyring item becomes a pending deletion. */
static gboolean
forget_snapshot (sqlite3    *db,
                 gint64      account_id,
                 const char *reason,
                 GError    **error)
{
  return portico_store_drop_snapshot (db, account_id, error) &&
         portico_db_exec (db, error,
                          "UPDATE accounts SET keyring_delete_pending = 1 WHERE id = ?",
                          "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO audit_events (account_id, kind, details) "
                          "VALUES (?, 'credentials_forgotten', json_object ('reason', ?))",
                          "is", account_id, reason);
}

static gboolean
forget_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  gint64 account_id = *(gint64 *) data;

  /* An expired snapshot is forgotten as asked, not refused. */
  return check_snapshot (db, account_id, TRUE, NULL, error) &&
         forget_snapshot (db, account_id, "admin", error);
}

static gboolean
forget_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  return portico_store_in_transaction (self, db, forget_tx, data, out_value, out_pointer, error);
}

gboolean
portico_store_forget_credentials_sync (PorticoStore *self,
                                       gint64        account_id,
                                       GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, forget_func, g_memdup2 (&account_id, sizeof account_id),
                                       g_free, NULL, NULL, error);
}

static gboolean
expire_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = portico_db_prepare (db,
                             "SELECT account_id FROM restore_snapshots "
                             "WHERE expires_at <= " PORTICO_SQL_NOW " ORDER BY account_id",
                             error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    return portico_store_set_error (db, rc, NULL, error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < ids->len; i++)
    if (!forget_snapshot (db, g_array_index (ids, gint64, i), "expired", error))
      return FALSE;

  *out_value = ids->len;
  return TRUE;
}

gint64
portico_store_expire_snapshots_in (PorticoStore *self,
                                   sqlite3      *db,
                                   GError      **error)
{
  gint64 expired = 0;

  /* Most opens find nothing to end: no write lock for them. */
  if (!portico_db_query_int (db, &expired, error,
                             "SELECT count (*) FROM restore_snapshots WHERE expires_at <= " PORTICO_SQL_NOW,
                             NULL))
    return -1;
  if (expired == 0)
    return 0;

  if (!portico_store_in_transaction (self, db, expire_tx, NULL, &expired, NULL, error))
    return -1;
  return expired;
}

static gboolean
expire_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  *out_value = portico_store_expire_snapshots_in (self, db, error);
  return *out_value >= 0;
}

gint64
portico_store_expire_snapshots_sync (PorticoStore *self,
                                     GError      **error)
{
  gint64 expired = 0;

  g_return_val_if_fail (PORTICO_IS_STORE (self), -1);

  if (!portico_store_run_write_sync (self, expire_func, NULL, NULL, &expired, NULL, error))
    return -1;
  return expired;
}

/* ---- Reads ------------------------------------------------------------------ */

JsonNode *
portico_store_list_restorable (PorticoStore *self,
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
                             "SELECT s.account_id, a.name, a.connector_id, p.name, s.disconnected_at, s.expires_at "
                             "FROM restore_snapshots s JOIN accounts a ON a.id = s.account_id "
                             "JOIN apps p ON p.id = a.app_id "
                             "WHERE s.expires_at > " PORTICO_SQL_NOW " "
                             "ORDER BY s.disconnected_at DESC, s.account_id DESC",
                             error);
  if (stmt != NULL)
    {
      json_builder_begin_array (builder);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "account");
          json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, portico_db_column_text (stmt, 1));
          json_builder_set_member_name (builder, "connector");
          json_builder_add_string_value (builder, portico_db_column_text (stmt, 2));
          json_builder_set_member_name (builder, "app");
          json_builder_add_string_value (builder, portico_db_column_text (stmt, 3));
          json_builder_set_member_name (builder, "disconnected_at");
          json_builder_add_string_value (builder, portico_db_column_text (stmt, 4));
          json_builder_set_member_name (builder, "expires_at");
          json_builder_add_string_value (builder, portico_db_column_text (stmt, 5));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      if (rc == SQLITE_DONE)
        node = json_builder_get_root (builder);
      else
        portico_store_set_error (db, rc, NULL, error);
    }
  portico_store_unlock_reader (self);

  return node;
}
