/* test-origins.c: an account's credentials only go where it was connected.
 *
 * The real engine against the in-process sandbox and the real keyring: the
 * origins recorded at connect, a sync refused when the connector definition
 * (or where it points) would send the secret to a new origin, and reconnect
 * as the admin's confirmation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-origins"

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
fixture_setup (Fixture      *fx,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("portico-origins-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "portico.db", NULL);
  fx->store = portico_store_open (fx->db, &error);
  g_assert_no_error (error);
  fx->engine = portico_engine_new (fx->store, catalog, runtime);
}

static void
fixture_teardown (Fixture      *fx,
                  gconstpointer data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  clear_keyring_ids (fx->engine, 1, 4);
  g_clear_object (&fx->engine);
  g_clear_object (&fx->store);
  dir = g_dir_open (fx->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fx->dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (fx->dir);
  g_free (fx->db);
  g_free (fx->dir);
}

static gboolean
need_keyring (void)
{
  if (keyring_available ())
    return TRUE;
  g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
  return FALSE;
}

static void
db_exec (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* "http://127.0.0.1:PORT" → "http://127.0.0.1:PORT" with the port always
 * written, as the engine records it. */
static char *
sandbox_origin (const char *connector_id)
{
  g_autoptr(GUri) uri = g_uri_parse (portico_sandbox_get_base_url (sandbox, connector_id),
                                     G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return g_strdup_printf ("http://%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

static gint64
connect_okta (Fixture    *fx,
              GHashTable *values)
{
  PorticoConnector *connector = portico_catalog_lookup (catalog, "okta");
  g_autoptr(PorticoConnectionTest) test = run_connection_test (fx->engine, connector, values);
  g_autoptr(GError) error = NULL;
  gint64 id = engine_connect (fx->engine, test, values, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
count_users (Fixture *fx,
             gint64   account)
{
  /* The account's own users, not an identity provider's assignments. */
  return db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ? "
                 "AND source_kind = 'account'", "i", account);
}

static guint
count_requests (void)
{
  g_autoptr(JsonNode) requests = portico_sandbox_get_requests (sandbox);

  return json_array_get_length (json_node_get_array (requests));
}

/* Connect records where the credentials went; a sync that would send them
 * to an origin the account was not connected with is refused on every
 * data type, sends nothing and keeps the data; reconnecting confirms. */
static void
test_refused_until_reconnect (Fixture      *fx,
                              gconstpointer data)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) origins = NULL;
  g_autofree char *origin = sandbox_origin ("okta");
  g_autofree char *host = NULL;
  gint64 account, users;
  guint requests;

  if (!need_keyring ())
    return;

  values = portico_sandbox_get_field_values (sandbox, "okta", "ok");
  account = connect_okta (fx, values);
  origins = portico_store_dup_account_origins (fx->store, account, &error);
  g_assert_no_error (error);
  g_assert_nonnull (origins);
  g_assert_cmpuint (g_strv_length (origins), ==, 1);
  g_assert_cmpstr (origins[0], ==, origin);

  doc = engine_sync (fx->engine, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  g_clear_pointer (&doc, json_node_unref);
  users = count_users (fx, account);
  g_assert_cmpint (users, >, 0);

  /* As if the account had been connected to Okta itself and the connector
   * (or its api_base_url) now pointed at this other host. */
  db_exec (fx->db, "UPDATE accounts SET origins = '[\"https://acme.okta.com:443\"]'");
  requests = count_requests ();
  doc = engine_sync (fx->engine, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "failed");
  host = g_strdup_printf ("credentials to 127.0.0.1:%s, where this account was never connected",
                          strrchr (origin, ':') + 1);
  {
    JsonArray *types = json_object_get_array_member (json_node_get_object (doc), "data_types");

    g_assert_cmpuint (json_array_get_length (types), >, 0);
    for (guint i = 0; i < json_array_get_length (types); i++)
      {
        JsonObject *type = json_array_get_object_element (types, i);
        const char *message = json_object_get_string_member (type, "error");

        g_assert_cmpstr (json_object_get_string_member (type, "status"), ==, "failed");
        g_assert_nonnull (strstr (message, host));
        g_assert_nonnull (strstr (message, "reconnect the account (Reconnect in its menu)"));
      }
  }
  {
    g_autofree char *code = db_text (fx->db, "SELECT last_error_code FROM account_data_types "
                                     "WHERE account_id = ? AND data_type = 'users'", "i", account);
    g_assert_cmpstr (code, ==, "origin_changed");
  }
  /* Nothing went to the provider, and the data stays. */
  g_assert_cmpuint (count_requests (), ==, requests);
  g_assert_cmpint (count_users (fx, account), ==, users);
  g_clear_pointer (&doc, json_node_unref);

  /* The admin reconnects: the test and the reconnect are the confirmation. */
  {
    PorticoConnector *connector = portico_catalog_lookup (catalog, "okta");
    g_autoptr(PorticoConnectionTest) test = run_connection_test (fx->engine, connector, values);
    gint64 replaced = -1;

    g_assert_cmpint (engine_reconnect (fx->engine, account, test, values, &replaced, &error), ==, account);
    g_assert_no_error (error);
  }
  g_clear_pointer (&origins, g_strfreev);
  origins = portico_store_dup_account_origins (fx->store, account, &error);
  g_assert_cmpstr (origins[0], ==, origin);
  doc = engine_sync (fx->engine, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
}

/* A changed custom connector file that points the same account somewhere
 * else: the keyring secret is not used. */
static void
test_changed_connector_file (Fixture      *fx,
                             gconstpointer data)
{
  g_autoptr(PorticoCatalog) own = portico_catalog_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(JsonNode) definition = NULL;
  g_autoptr(PorticoConnector) v1 = NULL, v2 = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  static const PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  const char * const origins[] = { "https://acme.okta.com:443", NULL };
  PorticoStoreNewAccount account = {
    .connector_id = "okta-proxy", .connector_name = "Okta (our proxy)", .category = "identity_provider",
    .name = "Acme", .permission = "read", .data_types = types, .n_data_types = 1,
  };
  GAsyncResult *slot = NULL;
  gint64 id;

  if (!need_keyring ())
    return;

  {
    g_autofree char *path = g_build_filename (g_getenv ("PORTICO_CONNECTORS_DIR"), "okta.json", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    definition = json_from_string (contents, &error);
    g_assert_no_error (error);
  }
  json_object_set_string_member (json_node_get_object (definition), "id", "okta-proxy");
  json_object_set_string_member (json_node_get_object (definition), "name", "Okta (our proxy)");
  text = json_to_string (definition, FALSE);
  v1 = portico_connector_new_from_data (text, -1, "okta-proxy.json", TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (portico_catalog_add (own, v1));
  engine = portico_engine_new (fx->store, own, runtime);

  /* Connected with v1: its credentials went to acme.okta.com. */
  json_object_set_string_member (fields, "okta_domain", "acme.okta.com");
  account.fields = fields;
  account.origins = origins;
  id = portico_store_create_account_sync (fx->store, &account, &error);
  g_assert_no_error (error);
  g_hash_table_insert (secrets, "api_token", "secret-for-acme");
  portico_credentials_store_async (portico_engine_get_credentials (engine), id, "okta-proxy", "Acme", secrets, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  g_assert_true (portico_credentials_store_finish (result, &error));
  g_assert_no_error (error);

  /* v2 of the file sends the same requests to another host. */
  json_object_set_string_member (json_node_get_object (definition), "base_url", "https://collector.invalid/{okta_domain}");
  g_free (text);
  text = json_to_string (definition, FALSE);
  v2 = portico_connector_new_from_data (text, -1, "okta-proxy.json", TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (portico_catalog_add (own, v2));

  doc = engine_sync (engine, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "failed");
  {
    JsonObject *users = sync_doc_type (doc, "users");

    g_assert_cmpstr (json_object_get_string_member (users, "error"), ==,
                     "The connector of “Acme” would now send its credentials to collector.invalid, where this "
                     "account was never connected; if that is intended, reconnect the account (Reconnect in "
                     "its menu) to confirm.");
  }
}

/* Accounts connected before Portico remembered origins adopt the ones
 * they sync with. */
static void
test_adopted (Fixture      *fx,
              gconstpointer data)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) origins = NULL;
  g_autofree char *origin = sandbox_origin ("okta");
  gint64 account;

  if (!need_keyring ())
    return;

  values = portico_sandbox_get_field_values (sandbox, "okta", "ok");
  account = connect_okta (fx, values);
  db_exec (fx->db, "UPDATE accounts SET origins = NULL");
  origins = portico_store_dup_account_origins (fx->store, account, &error);
  g_assert_no_error (error);
  g_assert_null (origins);

  doc = engine_sync (fx->engine, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  /* The recording is queued on the writer before the run is: it is there. */
  origins = portico_store_dup_account_origins (fx->store, account, &error);
  g_assert_no_error (error);
  g_assert_nonnull (origins);
  g_assert_cmpstr (origins[0], ==, origin);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  sandbox = portico_sandbox_new (catalog, 3, 50);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  runtime = portico_runtime_new ();
  g_object_set (runtime, "retry-base-ms", 10, "max-retry-delay-ms", 200, "max-attempts", 2, NULL);

#define ADD(path, func) g_test_add ("/origins/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("refused-until-reconnect", test_refused_until_reconnect);
  ADD ("changed-connector-file", test_changed_connector_file);
  ADD ("adopted", test_adopted);
#undef ADD

  status = g_test_run ();

  g_clear_object (&runtime);
  portico_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  g_clear_object (&catalog);
  return status;
}
