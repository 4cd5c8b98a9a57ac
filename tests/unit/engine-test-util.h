/* engine-test-util.h: shared helpers of test-connectors.c and test-engine.c.
 *
 * Both run the real engine against the in-process sandbox: the sandbox
 * serves on this thread's main context, so every wait iterates it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>
#include <sqlite3.h>

#include "portico-credentials.h"
#include "portico-engine.h"
#include "portico-sandbox-server.h"
#include "sign-in-test-util.h"

static inline gboolean
keyring_available (void)
{
  return g_strcmp0 (g_getenv ("PORTICO_TEST_KEYRING"), "1") == 0;
}

static inline void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

/* Removes the keyring items of @engine's accounts @first to @last, so that
 * nothing is left in the shared test keyring for the next test process. */
static inline void
clear_keyring_ids (PorticoEngine *engine,
                   gint64         first,
                   gint64         last)
{
  if (!keyring_available () || g_test_subprocess ())
    return;
  for (gint64 id = first; id <= last; id++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      GAsyncResult *slot = NULL;

      /* Asynchronously: the _sync variants push their own main context. */
      portico_credentials_delete_async (portico_engine_get_credentials (engine), id, NULL, store_result_cb, &slot);
      result = wait_result (&slot);
      if (!portico_credentials_delete_finish (result, &error))
        g_test_message ("keyring delete %" G_GINT64_FORMAT ": %s", id, error->message);
    }
}

static inline PorticoConnectionTest *
run_connection_test (PorticoEngine    *engine,
                     PorticoConnector *connector,
                     GHashTable       *values)
{
  g_autoptr(PorticoConnectionTest) test = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A refused sign-in leaves no refresh token: the test then fails with
   * outcome C, as it would for the admin. */
  if (!sandbox_sign_in (portico_engine_get_runtime (engine), connector, values, &error))
    g_test_message ("sign-in refused: %s", error->message);
  g_clear_error (&error);
  test = portico_engine_new_test (engine, connector, values, "read");
  portico_connection_test_run_async (test, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  portico_connection_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&test);
}

static inline gint64
engine_connect (PorticoEngine         *engine,
                PorticoConnectionTest *test,
                GHashTable            *values,
                gboolean               accept_partial,
                GError               **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_engine_connect_async (engine, test, values, NULL, accept_partial, NULL,
                                store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_connect_finish (engine, result, error);
}

static inline JsonNode *
engine_sync (PorticoEngine *engine,
             gint64         account_id,
             GCancellable  *cancellable,
             GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_engine_sync_async (engine, account_id, cancellable, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_sync_finish (engine, result, error);
}

static inline gint64
engine_reconnect (PorticoEngine         *engine,
                  gint64                 account_id,
                  PorticoConnectionTest *test,
                  GHashTable            *values,
                  gint64                *replaced,
                  GError               **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_engine_reconnect_async (engine, account_id, test, values, TRUE, NULL,
                                  store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_reconnect_finish (engine, result, replaced, error);
}

static inline PorticoDisconnectSummary *
engine_disconnect (PorticoEngine *engine,
                   gint64         account_id,
                   GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_engine_disconnect_async (engine, account_id, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_disconnect_finish (engine, result, error);
}

/* ---- Reading the SQLite file directly (a separate read-only connection) --- */

static inline sqlite3 *
db_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* Binds "i" (gint64), "s" (string, NULL = SQL NULL), "d" (double). */
static inline sqlite3_stmt *
db_prepare_va (sqlite3    *db,
               const char *sql,
               const char *types,
               va_list     ap)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    g_error ("SQL %s: %s", sql, sqlite3_errmsg (db));
  for (int i = 0; types != NULL && types[i]; i++)
    {
      if (types[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (ap, gint64));
      else if (types[i] == 'd')
        sqlite3_bind_double (stmt, i + 1, va_arg (ap, double));
      else
        {
          const char *s = va_arg (ap, const char *);
          if (s != NULL)
            sqlite3_bind_text (stmt, i + 1, s, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, i + 1);
        }
    }
  return stmt;
}

static inline gint64
db_int (const char *path,
        const char *sql,
        const char *types,
        ...)
{
  sqlite3 *db = db_open (path);
  sqlite3_stmt *stmt;
  gint64 value = -1;
  va_list ap;

  va_start (ap, types);
  stmt = db_prepare_va (db, sql, types, ap);
  va_end (ap);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The first column of the first row as text, NULL when none/NULL. */
static inline char *
db_text (const char *path,
         const char *sql,
         const char *types,
         ...)
{
  sqlite3 *db = db_open (path);
  sqlite3_stmt *stmt;
  char *value = NULL;
  va_list ap;

  va_start (ap, types);
  stmt = db_prepare_va (db, sql, types, ap);
  va_end (ap);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Every row of @sql, every column quoted, one line per row: a byte-exact
 * picture of what a query returns. */
static inline char *
db_dump (const char *path,
         const char *sql,
         const char *types,
         ...)
{
  sqlite3 *db = db_open (path);
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt;
  va_list ap;

  va_start (ap, types);
  stmt = db_prepare_va (db, sql, types, ap);
  va_end (ap);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, c);
          g_string_append_printf (out, "%s%s", c ? "|" : "",
                                  sqlite3_column_type (stmt, c) == SQLITE_NULL ? "<null>" : text);
        }
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* The time a connector reported, as the store normalises it (UTC, Z). */
static inline char *
norm_time (JsonNode *node)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;
  static const char sql[] =
    "SELECT CASE WHEN typeof (?1) IN ('integer', 'real') THEN "
    "strftime ('%Y-%m-%dT%H:%M:%SZ', CASE WHEN ?1 > 100000000000 THEN ?1 / 1000.0 ELSE ?1 END, 'unixepoch') "
    "ELSE coalesce (strftime ('%Y-%m-%dT%H:%M:%SZ', ?1), ?1) END";

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      gboolean digits = *s != '\0' && strspn (s, "0123456789.") == strlen (s);

      if (digits)
        sqlite3_bind_double (stmt, 1, g_ascii_strtod (s, NULL));
      else
        sqlite3_bind_text (stmt, 1, s, -1, SQLITE_TRANSIENT);
    }
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    sqlite3_bind_double (stmt, 1, json_node_get_double (node));
  else
    sqlite3_bind_int64 (stmt, 1, json_node_get_int (node));
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

/* A JSON scalar as text ("12", "abc"), NULL for null/missing. */
static inline char *
json_scalar_text (JsonObject *object,
                  const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%.17g", json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "1" : "0");
    default:
      return NULL;
    }
}

static inline JsonObject *
sync_doc_type (JsonNode   *doc,
               const char *data_type)
{
  JsonArray *types = json_object_get_array_member (json_node_get_object (doc), "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      if (g_strcmp0 (json_object_get_string_member (t, "id"), data_type) == 0)
        return t;
    }
  return NULL;
}
