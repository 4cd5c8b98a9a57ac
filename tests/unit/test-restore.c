/* test-restore.c: undo after a disconnect, end to end against the sandbox.
 *
 * Disconnect then restore gives a database equal, row for row, to the one
 * before (every table, ids and timestamps included; audit_events only
 * grows by "disconnected" and "restored"); the workflows the disconnect
 * invalidated are valid again; the keyring item stays while the account can
 * be restored and goes when its credentials are forgotten or its snapshot
 * expires. A restore is refused when the snapshot expired or another
 * account has the same identity now.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "engine-test-util.h"

static PorticoCatalog *catalog;
static PorticoSandbox *sandbox;
static PorticoRuntime *runtime;

typedef struct
{
  char *dir;
  char *db;
  PorticoStore *store;
  PorticoEngine *engine;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("portico-restore-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "portico.db", NULL);
  fx->store = portico_store_open (fx->db, &error);
  g_assert_no_error (error);
  fx->engine = portico_engine_new (fx->store, catalog, runtime);
  /* Demo mode gives every account workflows, actions and an offboarding
   * configuration that depend on it: all of them must come back. */
  portico_engine_set_demo (fx->engine, TRUE);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  clear_keyring_ids (fx->engine, 1, 6);
  g_clear_object (&fx->engine);
  g_clear_object (&fx->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fx->db, suffixes[i], NULL);
      g_remove (path);
    }
  g_rmdir (fx->dir);
  g_free (fx->db);
  g_free (fx->dir);
}

/* @tenant: NULL for the sandbox's own identity, else another one (its
 * secrets carry "-TENANT"). */
static gint64
connect_tenant (Fixture    *fx,
                const char *connector_id,
                const char *tenant)
{
  PorticoConnector *connector = portico_catalog_lookup (catalog, connector_id);
  g_autoptr(GHashTable) values = portico_sandbox_get_field_values (sandbox, connector_id, "ok");
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = NULL;
  gint64 id;

  if (tenant != NULL)
    {
      GPtrArray *fields = portico_connector_get_fields (connector);

      for (guint i = 0; i < fields->len; i++)
        {
          const PorticoConnectorField *field = g_ptr_array_index (fields, i);
          const char *old = g_hash_table_lookup (values, field->id);

          if (field->type == PORTICO_FIELD_SECRET && old != NULL)
            g_hash_table_insert (values, g_strdup (field->id), g_strconcat (old, "-", tenant, NULL));
        }
    }
  g_clear_object (&test);
  test = run_connection_test (fx->engine, connector, values);
  id = engine_connect (fx->engine, test, values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  doc = engine_sync (fx->engine, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  return id;
}

static gint64
connect_sync (Fixture    *fx,
              const char *connector_id)
{
  return connect_tenant (fx, connector_id, NULL);
}

/* Every table but the audit trail, SELECT * ORDER BY rowid, in one text. */
static char *
dump_database (Fixture *fx)
{
  sqlite3 *db = db_open (fx->db);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' AND name <> 'audit_events' ORDER BY name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY rowid", table);
      g_autofree char *rows = NULL;

      /* meta and account_data_types have no rowid alias but a rowid. */
      rows = db_dump (fx->db, sql, NULL);
      g_string_append_printf (out, "== %s\n%s", table, rows);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static gboolean
keyring_has (Fixture *fx,
             gint64   account_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  portico_credentials_lookup_async (portico_engine_get_credentials (fx->engine), account_id, NULL,
                                    store_result_cb, &slot);
  result = wait_result (&slot);
  found = portico_credentials_lookup_finish (result, &error);
  if (found == NULL)
    {
      g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
      return FALSE;
    }
  return TRUE;
}

static gint64
engine_restore (Fixture *fx,
                gint64   account_id,
                GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  portico_engine_restore_account_async (fx->engine, account_id, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_restore_account_finish (fx->engine, result, error);
}

static gboolean
engine_forget (Fixture *fx,
               gint64   account_id,
               GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  portico_engine_forget_credentials_async (fx->engine, account_id, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_forget_credentials_finish (fx->engine, result, error);
}

static void
disconnect_ok (Fixture *fx,
               gint64   account_id)
{
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = engine_disconnect (fx->engine, account_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) restorable = NULL;
  g_autofree char *before = NULL;
  g_autofree char *disconnected = NULL;
  g_autofree char *after = NULL;
  g_autofree char *audit_before = NULL;
  g_autofree char *audit_after = NULL;
  gint64 okta, slack, brex, audit_count;
  gint64 rows;

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  okta = connect_sync (fx, "okta");
  slack = connect_sync (fx, "slack");
  brex = connect_sync (fx, "brex");
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM workflows WHERE trigger_account_id = ?", "i", okta), >, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM offboarding_configs WHERE account_id = ?", "i", okta), ==, 1);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM transactions WHERE source_account_id = ?", "i", brex), >, 0);

  /* Each account, one after the other, and then all three at once. */
  for (guint round = 0; round < 4; round++)
    {
      gint64 ids[] = { okta, slack, brex };
      guint first = round < 3 ? round : 0;
      guint last = round < 3 ? round : 2;

      before = dump_database (fx);
      audit_before = db_dump (fx->db, "SELECT * FROM audit_events ORDER BY id", NULL);
      audit_count = db_int (fx->db, "SELECT count(*) FROM audit_events", NULL);

      for (guint i = first; i <= last; i++)
        {
          g_autofree char *status = NULL;

          disconnect_ok (fx, ids[i]);
          status = db_text (fx->db, "SELECT status FROM accounts WHERE id = ?", "i", ids[i]);
          g_assert_cmpstr (status, ==, "disconnected");
          /* The credentials stay while the account can come back. */
          g_assert_true (keyring_has (fx, ids[i]));
          g_assert_cmpint (db_int (fx->db, "SELECT keyring_delete_pending FROM accounts WHERE id = ?", "i", ids[i]), ==, 0);
        }
      disconnected = dump_database (fx);
      g_assert_cmpstr (disconnected, !=, before);
      g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ?", "i", ids[first]), ==, 0);
      if (ids[first] == okta)
        g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM workflows WHERE trigger_account_id = ? AND valid",
                                 "i", okta), ==, 0);

      restorable = portico_engine_list_restorable (fx->engine, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (restorable)), ==, last - first + 1);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (restorable), 0),
                                                   "account"), ==, ids[last]);
      g_clear_pointer (&restorable, json_node_unref);

      for (guint i = first; i <= last; i++)
        {
          rows = engine_restore (fx, ids[i], &error);
          g_assert_no_error (error);
          g_assert_cmpint (rows, >, 0);
        }

      after = dump_database (fx);
      g_assert_cmpstr (after, ==, before);
      /* The audit trail only grew: a "disconnected" and a "restored" each. */
      audit_after = db_dump (fx->db, "SELECT * FROM audit_events WHERE id <= (SELECT max (id) FROM audit_events) - ? ORDER BY id",
                             "i", (gint64) (last - first + 1) * 2);
      g_assert_cmpstr (audit_after, ==, audit_before);
      g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM audit_events", NULL), ==,
                       audit_count + (last - first + 1) * 2);
      g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM audit_events WHERE kind = 'restored' AND account_id = ?",
                               "i", ids[last]), ==, round < 3 ? 1 : 2);
      for (guint i = first; i <= last; i++)
        g_assert_true (keyring_has (fx, ids[i]));

      g_clear_pointer (&before, g_free);
      g_clear_pointer (&disconnected, g_free);
      g_clear_pointer (&after, g_free);
      g_clear_pointer (&audit_before, g_free);
      g_clear_pointer (&audit_after, g_free);
    }

  /* The restored account syncs again as before. */
  {
    g_autoptr(JsonNode) doc = engine_sync (fx->engine, okta, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  }

  /* Restoring a connected account is refused with a sentence. */
  g_assert_cmpint (engine_restore (fx, slack, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Connect it again"));
  g_clear_error (&error);
}

static void
test_forget_and_expire (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) restorable = NULL;
  gint64 slack, brex;

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  slack = connect_sync (fx, "slack");
  brex = connect_sync (fx, "brex");

  /* Forget credentials now: the item and the snapshot go, the account
   * cannot be restored any more. */
  disconnect_ok (fx, slack);
  g_assert_true (keyring_has (fx, slack));
  g_assert_true (engine_forget (fx, slack, &error));
  g_assert_no_error (error);
  g_assert_false (keyring_has (fx, slack));
  g_assert_cmpint (db_int (fx->db, "SELECT keyring_delete_pending FROM accounts WHERE id = ?", "i", slack), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM restore_snapshots", NULL), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM restore_app_users", NULL), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM audit_events WHERE kind = 'credentials_forgotten' "
                           "AND account_id = ? AND json_extract (details, '$.reason') = 'admin'", "i", slack), ==, 1);
  g_assert_cmpint (engine_restore (fx, slack, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (engine_forget (fx, slack, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Expiry: the snapshot's end in the past (as 30 days later). A restore
   * is refused with the date; opening the store ends the snapshot and
   * marks the item, which the retry deletes. */
  disconnect_ok (fx, brex);
  g_assert_true (keyring_has (fx, brex));
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (fx->db, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE restore_snapshots SET expires_at = '2020-01-01T00:00:00Z'",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  restorable = portico_engine_list_restorable (fx->engine, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (restorable)), ==, 0);
  g_assert_cmpint (engine_restore (fx, brex, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "2020-01-01"));
  g_clear_error (&error);
  g_assert_true (keyring_has (fx, brex));

  g_clear_object (&fx->engine);
  g_clear_object (&fx->store);
  fx->store = portico_store_open (fx->db, &error);
  g_assert_no_error (error);
  fx->engine = portico_engine_new (fx->store, catalog, runtime);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM restore_snapshots", NULL), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT keyring_delete_pending FROM accounts WHERE id = ?", "i", brex), ==, 1);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM audit_events WHERE kind = 'credentials_forgotten' "
                           "AND account_id = ? AND json_extract (details, '$.reason') = 'expired'", "i", brex), ==, 1);
  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;

    portico_engine_retry_keyring_deletes_async (fx->engine, NULL, store_result_cb, &slot);
    result = wait_result (&slot);
    g_assert_true (portico_engine_retry_keyring_deletes_finish (fx->engine, result, &error));
    g_assert_no_error (error);
  }
  g_assert_false (keyring_has (fx, brex));
  g_assert_cmpint (db_int (fx->db, "SELECT keyring_delete_pending FROM accounts WHERE id = ?", "i", brex), ==, 0);
}

/* The same identity connected again after the disconnect: restoring the
 * old account would give two accounts the same facts. */
static void
test_same_identity (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 first, second;

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  first = connect_sync (fx, "slack");
  disconnect_ok (fx, first);
  second = connect_sync (fx, "slack");
  g_assert_cmpint (second, !=, first);

  g_assert_cmpint (engine_restore (fx, first, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "same identity"));
  g_clear_error (&error);
  {
    g_autofree char *status = db_text (fx->db, "SELECT status FROM accounts WHERE id = ?", "i", first);

    g_assert_cmpstr (status, ==, "disconnected");
  }

  /* Once the new one is disconnected, the old one comes back, and its rows
   * keep their ids unless the new account took them meanwhile. */
  disconnect_ok (fx, second);
  g_assert_cmpint (engine_restore (fx, first, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ?", "i", first), ==,
                   json_array_get_length (portico_sandbox_get_expected (sandbox, "slack", "users")));
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ?", "i", second), ==, 0);

  /* Brex takes one account: another identity connected meanwhile keeps
   * the old one from coming back. */
  first = connect_sync (fx, "brex");
  disconnect_ok (fx, first);
  second = connect_tenant (fx, "brex", "globex");
  g_assert_cmpint (engine_restore (fx, first, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "supports one account"));
  g_clear_error (&error);
  disconnect_ok (fx, second);
  g_assert_cmpint (engine_restore (fx, first, &error), >, 0);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  sandbox = portico_sandbox_new (catalog, 3, 40);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  runtime = portico_runtime_new ();
  g_object_set (runtime, "retry-base-ms", 10, "max-retry-delay-ms", 200, "max-attempts", 2, NULL);

#define ADD(path, func) g_test_add ("/restore/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("round-trip", test_round_trip);
  ADD ("forget-and-expire", test_forget_and_expire);
  ADD ("same-identity", test_same_identity);
#undef ADD

  status = g_test_run ();

  g_clear_object (&runtime);
  portico_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  g_clear_object (&catalog);
  return status;
}
