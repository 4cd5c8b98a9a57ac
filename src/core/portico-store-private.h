/* portico-store-private.h: what the portico-store-*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>

#include <sqlite3.h>

#include "portico-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define PORTICO_STORE_APPLICATION_ID 0x506f7274 /* "Port" */
#define PORTICO_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

/* Normalises ISO 8601 (any offset) or epoch seconds/milliseconds to UTC
 * "YYYY-MM-DDTHH:MM:SSZ"; other text stays as it is. The SQL function
 * portico_norm_time(x) gives the same result, fast for ISO 8601 and integer
 * seconds (and this expression for the rest). */
#define PORTICO_SQL_NORM_TIME(c) \
  "(CASE WHEN " c " IS NULL OR " c " = '' THEN NULL " \
  "WHEN typeof (" c ") IN ('integer', 'real') OR (" c " GLOB '[0-9]*' AND " c " NOT GLOB '*[^0-9.]*') THEN " \
  "strftime ('%Y-%m-%dT%H:%M:%SZ', CASE WHEN CAST (" c " AS REAL) > 100000000000 " \
  "THEN CAST (" c " AS REAL) / 1000 ELSE CAST (" c " AS REAL) END, 'unixepoch') " \
  "ELSE coalesce (strftime ('%Y-%m-%dT%H:%M:%SZ', " c "), " c ") END)"

/* Makes Portico's SQL functions (portico_norm_time) part of every SQLite
 * connection the process opens from now on, so that compiled page
 * statements also run on plain connections. Idempotent. */
void portico_store_sql_functions_init (void);

/* Runs on the writer thread with the write connection. Sets *out_value or
 * *out_pointer (freed with *out_pointer_free if nobody takes it). */
typedef gboolean (*PorticoStoreWriteFunc) (PorticoStore   *self,
                                           sqlite3        *db,
                                           gpointer        data,
                                           gint64         *out_value,
                                           gpointer       *out_pointer,
                                           GError        **error);

/* Blocks until the writer ran @func. @data is freed with @data_free. */
gboolean portico_store_run_write_sync (PorticoStore          *self,
                                       PorticoStoreWriteFunc  func,
                                       gpointer               data,
                                       GDestroyNotify         data_free,
                                       gint64                *out_value,
                                       gpointer              *out_pointer,
                                       GError               **error);
/* Queues @func; @task gets an int (value) or the pointer as its result. */
void portico_store_run_write_async (PorticoStore          *self,
                                    PorticoStoreWriteFunc  func,
                                    gpointer               data,
                                    GDestroyNotify         data_free,
                                    GDestroyNotify         pointer_free,
                                    GTask                 *task);

/* Runs @func inside BEGIN IMMEDIATE ... COMMIT, rolling back on failure. */
gboolean portico_store_in_transaction (PorticoStore          *self,
                                       sqlite3               *db,
                                       PorticoStoreWriteFunc  func,
                                       gpointer               data,
                                       gint64                *out_value,
                                       gpointer              *out_pointer,
                                       GError               **error);

/* The file of the sync lock of @account_id (portico-store-lock.c). */
char *portico_store_lock_path (const char *db_path,
                               gint64      account_id);

/* For tests: how long one write waits for another process's transaction
 * (SQLite's busy timeout) and how long a transaction keeps retrying in all
 * before it fails with PORTICO_STORE_ERROR_BUSY. */
void portico_store_set_busy_limits (PorticoStore *self,
                                    guint         attempt_ms,
                                    guint         total_ms);

/* The read-only connection, locked for the caller. */
sqlite3 *portico_store_lock_reader (PorticoStore *self);
void portico_store_unlock_reader (PorticoStore *self);

/* Maps an SQLite result to a PORTICO_STORE_ERROR with a sentence that names
 * the fix; the raw message only goes to g_debug(). Always returns FALSE. */
gboolean portico_store_set_error (sqlite3    *db,
                                  int         rc,
                                  const char *path,
                                  GError    **error);

/* Small helpers. @types: 's' text (NULL = null), 'i' gint64, 'I' gint64 where
 * 0 = null, 'd' double, 'b' gboolean. */
sqlite3_stmt *portico_db_prepare (sqlite3     *db,
                                  const char  *sql,
                                  GError     **error);
void portico_db_bindv (sqlite3_stmt *stmt,
                       const char   *types,
                       va_list       args);
/* Runs one statement; *@out_changes (nullable) gets the rows it changed. */
gboolean portico_db_execv (sqlite3    *db,
                           gint64     *out_changes,
                           GError    **error,
                           const char *sql,
                           const char *types,
                           va_list     args);
gboolean portico_db_exec (sqlite3    *db,
                          GError    **error,
                          const char *sql,
                          const char *types,
                          ...);
/* The first column of the first row as an integer (0 when no row). */
gboolean portico_db_query_int (sqlite3    *db,
                               gint64     *out,
                               GError    **error,
                               const char *sql,
                               const char *types,
                               ...);
/* Steps @stmt to its end, mapping errors. */
gboolean portico_db_step_done (sqlite3_stmt *stmt,
                               GError      **error);
const char *portico_db_column_text (sqlite3_stmt *stmt,
                                    int           column);

/* Schema (portico-store-schema.c). */
gboolean portico_store_schema_migrate (sqlite3 *db,
                                       int      from_version,
                                       int      to_version,
                                       GError **error);
gboolean portico_store_schema_create_staging (sqlite3 *db,
                                              GError **error);

/* Ingest (portico-store-ingest.c): drops what is staged for a handle. */
/* How many custom fields account ?1 supplied (one row per user holds
 * field_count of them, schema 13): the disconnect preview, the cascade and
 * a sync's stored count. */
#define PORTICO_STORE_SQL_CUSTOM_FIELDS_OF_ACCOUNT \
  "SELECT coalesce (sum (field_count), 0) FROM custom_user_field_sets WHERE source_account_id = ?1"

/* Pages whose items were found by scanning (not by json_each) since the
 * process started: for tests. */
guint portico_store_ingest_get_scanned_pages (void);

void portico_store_ingest_clear_stage (sqlite3 *db,
                                       guint64  handle);

/* Restore snapshots (portico-store-restore.c), inside the caller's
 * transaction: copies what a disconnect of @account_id deletes or changes;
 * drops an account's snapshot. */
gboolean portico_store_snapshot_for_disconnect (sqlite3 *db,
                                                gint64   account_id,
                                                GError **error);
gboolean portico_store_drop_snapshot (sqlite3 *db,
                                      gint64   account_id,
                                      GError **error);
/* Ends expired snapshots in a transaction of its own on @db; returns how
 * many, -1 on error. */
gint64 portico_store_expire_snapshots_in (PorticoStore *self,
                                          sqlite3      *db,
                                          GError      **error);

/* Test hook: runs @sql on the writer connection (e.g. PRAGMA max_page_count
 * to simulate a full disk). */
gboolean portico_store_exec_on_writer (PorticoStore *self,
                                       const char   *sql,
                                       GError      **error);

G_END_DECLS
