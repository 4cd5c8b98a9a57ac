/* test-store.c: the SQLite store on real files in a temporary folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <sqlite3.h>
#include <glib/gstdio.h>

#include "portico-store.h"
#include "portico-store-private.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("portico-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* A folder that does not exist yet: the store creates it. */
  f->path = g_build_filename (f->dir, "sub", "portico.db", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gint64
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
sql_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
sql_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static char *
node_to_string (JsonNode *node)
{
  g_assert_nonnull (node);
  return json_to_string (node, FALSE);
}

/* A value of the first element of @array whose @key equals @value. */
static JsonObject *
find_object (JsonNode   *array,
             const char *key,
             const char *value)
{
  JsonArray *a = json_node_get_array (array);

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      if (g_strcmp0 (json_object_get_string_member_with_default (o, key, NULL), value) == 0)
        return o;
    }
  return NULL;
}

static gboolean
strv_array_contains (JsonArray  *array,
                     const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static const PorticoStoreDataTypeSpec all_types[] = {
  { "users", TRUE, NULL },
  { "licenses", TRUE, NULL },
  { "custom_fields", TRUE, NULL },
  { "usage", FALSE, "Usage needs the Business plan." },
};

static gint64
create_account (PorticoStore *store,
                const char   *connector_id,
                const char   *connector_name,
                const char   *category,
                const char   *name,
                const char   *external_id)
{
  g_autoptr(GError) error = NULL;
  PorticoStoreNewAccount account = {
    .connector_id = connector_id,
    .connector_name = connector_name,
    .category = category,
    .name = name,
    .external_id = external_id,
    .external_name = name,
    .permission = "read",
    .fields = NULL,
    .data_types = all_types,
    .n_data_types = G_N_ELEMENTS (all_types),
  };
  gint64 id = portico_store_create_account_sync (store, &account, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);
  JsonObject *object;

  g_assert_no_error (error);
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return object;
}

static PorticoStoreMapping *
mapping_for (const char *data_type,
             const char *items,
             const char *map_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) map = parse_object (map_json);
  PorticoStoreMapping *mapping = portico_store_mapping_new (data_type, items, map, &error);

  g_assert_no_error (error);
  g_assert_nonnull (mapping);
  return mapping;
}

#define USERS_MAP \
  "{\"id\": \"id\", \"email\": \"profile.email\", " \
  " \"name\": {\"join\": [\"profile.first\", \"profile.last\"], \"sep\": \" \"}, " \
  " \"status\": {\"path\": \"deleted\", \"map\": {\"true\": \"deprovisioned\", \"false\": \"active\"}}, " \
  " \"last_activity\": \"seen\", \"license\": \"plan\"}"

static char *
user_json (const char *id,
           const char *email,
           const char *first,
           const char *seen,
           const char *plan)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"profile\": {\"email\": \"%s\", \"first\": \"%s\", \"last\": \"Doe\"}, "
                          "\"deleted\": false, \"seen\": %s, \"plan\": \"%s\"}",
                          id, email, first, seen, plan);
}

/* Replaces @account's users with the pages given (each a JSON body). */
static gint64
replace_pages (PorticoStore  *store,
               gint64         account_id,
               PorticoStoreMapping *mapping,
               const char   **pages,
               GError       **error)
{
  g_autoptr(PorticoStoreReplace) replace = portico_store_replace_begin (store, account_id, mapping);

  for (guint i = 0; pages[i] != NULL; i++)
    {
      g_autoptr(GBytes) body = g_bytes_new (pages[i], strlen (pages[i]));
      if (!portico_store_replace_add_page_sync (replace, body, error))
        return -1;
    }
  return portico_store_replace_commit_sync (replace, error);
}

static gint64
replace_users (PorticoStore *store,
               gint64        account_id,
               const char   *members_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStoreMapping) mapping = mapping_for ("users", "members", USERS_MAP);
  g_autofree char *page = g_strdup_printf ("{\"ok\": true, \"members\": [%s]}", members_json);
  const char *pages[] = { page, NULL };
  gint64 n = replace_pages (store, account_id, mapping, pages, &error);

  g_assert_no_error (error);
  return n;
}

/* ---- Opening and migrations ---------------------------------------------------- */

static void
test_fresh (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autofree char *mode = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpstr (portico_store_get_path (store), ==, f->path);

  mode = sql_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, PORTICO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_events'"), ==, 1);

  /* Foreign keys are enforced on the writer. */
  g_assert_false (portico_store_exec_on_writer (store,
                                                "INSERT INTO app_users (app_id, source_account_id) VALUES (4242, 4242)",
                                                &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (portico_store_exec_on_writer (store, "PRAGMA foreign_keys", &error));
  g_assert_no_error (error);

  /* Opening again keeps the data. */
  create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  g_clear_object (&store);
  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) accounts = portico_store_list_accounts (store, &error);
    g_assert_no_error (error);
    g_assert_cmpint (json_array_get_length (json_node_get_array (accounts)), ==, 1);
  }
}

static void
test_default_path (void)
{
  g_autofree char *normal = portico_store_default_path (FALSE);
  g_autofree char *demo = portico_store_default_path (TRUE);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "portico", "portico.db", NULL);

  g_assert_cmpstr (normal, ==, expected);
  g_assert_true (g_str_has_suffix (demo, "portico-demo.db"));
}

static void
test_migrate_from_1 (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) apps = NULL;
  JsonObject *slack;

  g_assert_true (portico_store_create_at_version (f->path, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'licenses'"), ==, 0);

  sql_exec (f->path,
            "INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Slack', 'slack', 'communication');"
            "INSERT INTO accounts (id, connector_id, app_id, name, external_id, status) "
            "  VALUES (7, 'slack', 1, 'Old workspace', 'T9', 'ok');"
            "INSERT INTO account_data_types (account_id, data_type) VALUES (7, 'users');"
            "INSERT INTO people (id, email, name) VALUES (1, 'ann@example.com', 'Ann');"
            "INSERT INTO app_users (app_id, person_id, external_user_id, source_account_id) VALUES (1, 1, 'U1', 7);");

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, PORTICO_STORE_SCHEMA_VERSION);

  accounts = portico_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (accounts)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (accounts), 0), "name"),
                   ==, "Old workspace");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (accounts), 0), "keyring_state"),
                   ==, "unknown");

  apps = portico_store_list_apps (store, &error);
  g_assert_no_error (error);
  slack = find_object (apps, "name", "Slack");
  g_assert_nonnull (slack);
  g_assert_cmpint (json_object_get_int_member (slack, "user_count"), ==, 1);
  /* Migration 2 gave the existing account its app source. */
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (slack, "sources")), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT source_kind = 'account' FROM app_users"), ==, 1);

  /* The migrated database takes new writes. */
  g_assert_true (portico_store_rename_account_sync (store, 7, "Renamed", &error));
  g_assert_no_error (error);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
assert_refused (const char *path,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  PorticoStore *store;

  store = portico_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, PORTICO_STORE_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("refused: %s", error->message);

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_refuse_newer (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);

  g_mkdir_with_parents (dir, 0700);
  sql_exec (f->path,
            "PRAGMA application_id = 1349481076;"
            "CREATE TABLE future (x);"
            "INSERT INTO future VALUES (1);"
            "PRAGMA user_version = 999;");
  assert_refused (f->path, PORTICO_STORE_ERROR_TOO_NEW);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, 999);
}

static void
test_refuse_corrupt (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *random_path = g_build_filename (dir, "random.db", NULL);
  g_autofree char *truncated_path = g_build_filename (dir, "truncated.db", NULL);
  g_autofree char *other_path = g_build_filename (dir, "other.db", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GBytes) full = NULL;
  guchar junk[8192];
  gsize size;

  g_mkdir_with_parents (dir, 0700);

  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guchar) g_rand_int_range (rand, 0, 256);
  g_assert_true (g_file_set_contents (random_path, (char *) junk, sizeof junk, &error));
  assert_refused (random_path, PORTICO_STORE_ERROR_CORRUPT);

  /* A real database cut in half. */
  {
    g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
    g_assert_no_error (error);
    for (int i = 0; i < 20; i++)
      {
        g_autofree char *name = g_strdup_printf ("Account %d", i);
        create_account (store, "slack", "Slack", "communication", name, name);
      }
  }
  full = read_bytes (f->path);
  size = g_bytes_get_size (full);
  g_assert_cmpuint (size, >, 8192);
  g_assert_true (g_file_set_contents (truncated_path, g_bytes_get_data (full, NULL), size / 2, &error));
  assert_refused (truncated_path, PORTICO_STORE_ERROR_CORRUPT);

  /* Somebody else's SQLite database. */
  sql_exec (other_path, "CREATE TABLE notes (x); PRAGMA user_version = 1;");
  assert_refused (other_path, PORTICO_STORE_ERROR_CORRUPT);
}

/* ---- Accounts --------------------------------------------------------------- */

static void
test_create_rename (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) audit = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(JsonObject) fields = parse_object ("{\"subdomain\": \"acme\"}");
  JsonObject *o;
  JsonArray *types;
  PorticoStoreNewAccount blank = { .connector_id = "slack", .connector_name = "Slack", .name = "  " };
  PorticoStoreNewAccount with_fields = {
    .connector_id = "okta", .connector_name = "Okta", .category = "identity_provider",
    .name = "Acme Okta", .external_id = "acme.okta.com", .permission = "act", .fields = fields,
    .data_types = all_types, .n_data_types = 1,
  };
  gint64 id, okta;

  g_assert_no_error (error);

  g_assert_cmpint (portico_store_create_account_sync (store, &blank, &error), ==, 0);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_clear_error (&error);

  id = create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  okta = portico_store_create_account_sync (store, &with_fields, &error);
  g_assert_no_error (error);
  g_assert_cmpint (okta, >, id);

  accounts = portico_store_list_accounts (store, &error);
  g_assert_no_error (error);
  o = json_array_get_object_element (json_node_get_array (accounts), 0);
  g_assert_cmpint (json_object_get_int_member (o, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "connector"), ==, "slack");
  g_assert_cmpstr (json_object_get_string_member (o, "external_id"), ==, "T1");
  types = json_object_get_array_member (o, "data_types");
  g_assert_cmpint (json_array_get_length (types), ==, G_N_ELEMENTS (all_types));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 3), "id"), ==, "usage");
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (types, 3), "enabled"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 3), "error"),
                   ==, "Usage needs the Business plan.");

  account = portico_store_get_account (store, okta, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (account), "fields"),
                                                  "subdomain"), ==, "acme");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (account), "permission"), ==, "act");

  /* Empty and blank names are refused and change nothing. */
  g_assert_false (portico_store_rename_account_sync (store, id, "", &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (portico_store_rename_account_sync (store, id, " \t ", &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (portico_store_rename_account_sync (store, 999, "Nope", &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (portico_store_rename_account_sync (store, id, "  Acme HQ ", &error));
  g_assert_no_error (error);
  {
    g_autofree char *name = sql_text (f->path, "SELECT name FROM accounts ORDER BY id LIMIT 1");
    g_assert_cmpstr (name, ==, "Acme HQ");
  }

  audit = portico_store_list_audit_events (store, 0, &error);
  g_assert_no_error (error);
  o = json_array_get_object_element (json_node_get_array (audit), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "renamed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "details"), "old_name"), ==, "Acme");
  g_assert_cmpint (json_array_get_length (json_node_get_array (audit)), ==, 3);

  /* Both accounts of the same connector share the app. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps"), ==, 2);
}

typedef struct
{
  GMainLoop *loop;
  gint64 id;
  gboolean ok;
  GError *error;
} AsyncResult;

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->id = portico_store_create_account_finish (PORTICO_STORE (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
rename_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = portico_store_rename_account_finish (PORTICO_STORE (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_async (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncResult r = { loop, 0, FALSE, NULL };
  PorticoStoreNewAccount account = {
    .connector_id = "zoom", .connector_name = "Zoom", .category = "communication",
    .name = "Zoom", .data_types = all_types, .n_data_types = 1,
  };

  g_assert_no_error (error);

  portico_store_create_account_async (store, &account, NULL, create_done, &r);
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_cmpint (r.id, >, 0);

  portico_store_rename_account_async (store, r.id, "", NULL, rename_done, &r);
  g_main_loop_run (loop);
  g_assert_error (r.error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_assert_false (r.ok);
  g_clear_error (&r.error);

  portico_store_rename_account_async (store, r.id, "Zoom US", NULL, rename_done, &r);
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM accounts WHERE name = 'Zoom US'"), ==, 1);
}

/* ---- Replacing data ------------------------------------------------------------ */

static void
test_replace (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(PorticoStoreMapping) users = mapping_for ("users", "members", USERS_MAP);
  g_autoptr(PorticoStoreMapping) licenses = mapping_for ("licenses", "", "{\"sku\": \"sku\", \"total\": \"seats.total\", \"assigned\": \"seats.used\"}");
  g_autoptr(PorticoStoreMapping) fields = mapping_for ("custom_fields", "members",
                                                       "{\"user_id\": \"id\", \"email\": \"profile.email\", "
                                                       "\"fields\": {\"Title\": \"title\", \"Team\": \"team\"}}");
  g_autofree char *u1 = user_json ("U1", "Ann@Example.com", "Ann", "1700000000", "pro");
  g_autofree char *u2 = user_json ("U2", "bob@example.com", "Bob", "\"2024-01-02T03:04:05+02:00\"", "pro");
  g_autofree char *u3 = user_json ("U3", "cy@example.com", "Cy", "null", "free");
  g_autofree char *page1 = g_strdup_printf ("{\"members\": [%s, %s]}", u1, u2);
  g_autofree char *page2 = g_strdup_printf ("{\"members\": [%s]}", u3);
  const char *pages[] = { page1, page2, NULL };
  const char *license_pages[] = { "[{\"sku\": \"pro\", \"seats\": {\"total\": 10, \"used\": 2}}]", NULL };
  const char *field_pages[] = { "{\"members\": [{\"id\": \"U1\", \"profile\": {\"email\": \"ann@example.com\"}, \"title\": \"CEO\", \"team\": \"Board\"},"
                                "{\"id\": \"U2\", \"title\": \"CTO\"}]}", NULL };
  g_autoptr(JsonNode) user_list = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 id;
  JsonObject *o;

  g_assert_no_error (error);
  id = create_account (store, "slack", "Slack", "communication", "Acme", "T1");

  g_assert_cmpint (replace_pages (store, id, users, pages, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (replace_pages (store, id, licenses, license_pages, &error), ==, 1);
  g_assert_no_error (error);
  /* Four fields read, three stored (U2 has no team): the count is the stored one. */
  g_assert_cmpint (replace_pages (store, id, fields, field_pages, &error), ==, 3);
  g_assert_no_error (error);

  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM custom_user_fields WHERE value IS NOT NULL"), ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM custom_user_fields WHERE person_id IS NOT NULL"), ==, 3);
  {
    g_autofree char *t1 = sql_text (f->path, "SELECT last_activity FROM app_users WHERE external_user_id = 'U1'");
    g_autofree char *t2 = sql_text (f->path, "SELECT last_activity FROM app_users WHERE external_user_id = 'U2'");
    g_autofree char *name = sql_text (f->path, "SELECT name FROM people WHERE email = 'ann@example.com'");
    g_autofree char *status = sql_text (f->path, "SELECT status FROM app_users WHERE external_user_id = 'U2'");
    g_assert_cmpstr (t1, ==, "2023-11-14T22:13:20Z");
    g_assert_cmpstr (t2, ==, "2024-01-02T01:04:05Z");
    g_assert_cmpstr (name, ==, "Ann Doe");
    g_assert_cmpstr (status, ==, "active");
  }

  user_list = portico_store_list_users (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (user_list)), ==, 3);
  o = find_object (user_list, "email", "bob@example.com");
  g_assert_nonnull (o);
  g_assert_true (strv_array_contains (json_object_get_array_member (o, "apps"), "Slack"));

  {
    g_autoptr(JsonNode) lic = portico_store_list_licenses (store, &error);
    g_assert_no_error (error);
    o = find_object (lic, "sku", "pro");
    g_assert_nonnull (o);
    g_assert_cmpint (json_object_get_int_member (o, "total"), ==, 10);
    g_assert_cmpint (json_object_get_int_member (o, "assigned"), ==, 2);
    /* U1 was last seen in 2023, U2 in January 2024: both over 90 days. */
    g_assert_cmpint (json_object_get_int_member (o, "inactive"), ==, 2);
  }

  /* An aborted replace leaves the previous rows identical. */
  before = sql_text (f->path, "SELECT group_concat (id || external_user_id || coalesce (last_activity, '-'), ',') FROM app_users");
  {
    g_autoptr(PorticoStoreReplace) replace = portico_store_replace_begin (store, id, users);
    g_autofree char *other = g_strdup_printf ("{\"members\": [%s]}", u3);
    g_autoptr(GBytes) body = g_bytes_new (other, strlen (other));
    g_autoptr(GBytes) broken = g_bytes_new_static ("{\"members\": [", 13);

    g_assert_true (portico_store_replace_add_page_sync (replace, body, &error));
    g_assert_no_error (error);
    g_assert_false (portico_store_replace_add_page_sync (replace, broken, &error));
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
    g_clear_error (&error);
    portico_store_replace_abort (replace);
    g_assert_cmpint (portico_store_replace_commit_sync (replace, &error), ==, -1);
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* A replace dropped without commit is aborted too. */
  {
    g_autoptr(PorticoStoreReplace) replace = portico_store_replace_begin (store, id, users);
    g_autoptr(GBytes) body = g_bytes_new_static ("{\"members\": []}", 15);
    g_assert_true (portico_store_replace_add_page_sync (replace, body, &error));
  }
  after = sql_text (f->path, "SELECT group_concat (id || external_user_id || coalesce (last_activity, '-'), ',') FROM app_users");
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 3);

  /* A committed replace swaps the rows. */
  g_assert_cmpint (replace_users (store, id, u3), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 1);
  /* Three users read, one stored: one without an id, one repeating U3's. */
  {
    g_autofree char *members = g_strdup_printf ("%s, %s, {\"profile\": {\"email\": \"dee@example.com\"}}", u3, u3);

    g_assert_cmpint (replace_users (store, id, members), ==, 1);
    g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 1);
  }

  /* Unknown data types and missing required targets are refused. */
  {
    g_autoptr(JsonObject) map = parse_object ("{\"email\": \"email\"}");
    g_assert_null (portico_store_mapping_new ("users", "", map, &error));
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (portico_store_mapping_new ("pets", "", map, &error));
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_disk_full (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(GString) members = g_string_new (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 id, pages;

  g_assert_no_error (error);
  id = create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  g_assert_cmpint (replace_users (store, id, "{\"id\": \"U0\", \"profile\": {\"email\": \"zero@example.com\"}}"), ==, 1);
  before = sql_text (f->path, "SELECT group_concat (external_user_id) FROM app_users");

  for (int i = 0; i < 2000; i++)
    {
      g_autofree char *u = NULL;
      g_autofree char *uid = g_strdup_printf ("U%d", i + 1);
      g_autofree char *email = g_strdup_printf ("person%d@example.com", i);

      u = user_json (uid, email, "Someone with a long enough name", "1700000000", "pro");
      if (i > 0)
        g_string_append_c (members, ',');
      g_string_append (members, u);
    }

  pages = sql_int (f->path, "PRAGMA page_count");
  /* The database may not grow: the disk is "full". */
  {
    g_autofree char *sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 2);
    g_assert_true (portico_store_exec_on_writer (store, sql, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(PorticoStoreMapping) mapping = mapping_for ("users", "members", USERS_MAP);
    g_autofree char *page = g_strdup_printf ("{\"members\": [%s]}", members->str);
    const char *page_list[] = { page, NULL };

    g_assert_cmpint (replace_pages (store, id, mapping, page_list, &error), ==, -1);
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_FULL);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }

  after = sql_text (f->path, "SELECT group_concat (external_user_id) FROM app_users");
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 1);

  /* Writes work again once there is room. */
  g_assert_true (portico_store_exec_on_writer (store, "PRAGMA max_page_count = 1073741823", &error));
  g_assert_true (portico_store_rename_account_sync (store, id, "Roomy", &error));
  g_assert_no_error (error);
}

static void
test_sync_runs (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) runs = NULL;
  g_autoptr(JsonNode) audit = NULL;
  PorticoStoreDataTypeResult results[] = {
    { "users", "ok", 3, NULL, NULL, g_get_real_time (), g_get_real_time () },
    { "licenses", "failed", 0, "plan", "Licenses need the Business plan.", 0, 0 },
  };
  JsonArray *types;
  gint64 id, run;

  g_assert_no_error (error);
  id = create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  run = portico_store_begin_sync_run_sync (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run, >, 0);
  g_assert_true (portico_store_finish_sync_run_sync (store, run, "partial", results, 2, &error));
  g_assert_no_error (error);
  g_assert_false (portico_store_finish_sync_run_sync (store, 777, "ok", results, 0, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  accounts = portico_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (accounts), 0), "status"),
                   ==, "partial");
  types = json_object_get_array_member (json_array_get_object_element (json_node_get_array (accounts), 0), "data_types");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 0), "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (types, 0), "items"), ==, 3);
  g_assert_nonnull (json_object_get_string_member (json_array_get_object_element (types, 0), "last_success_at"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 1), "error"),
                   ==, "Licenses need the Business plan.");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, 1), "error_code"), ==, "plan");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (types, 1), "last_success_at"));

  runs = portico_store_list_sync_runs (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (json_node_get_array (runs)), ==, 1);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (json_node_get_array (runs), 0),
                                                                        "data_types")), ==, 2);

  audit = portico_store_list_audit_events (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (audit), 0), "kind"),
                   ==, "synced");
}

/* ---- Disconnect cascade ----------------------------------------------------------- */

typedef struct
{
  gint64 okta, slack1, slack2, ramp;
  gint64 zoom_app;
  gint64 w_slack, w_okta;
} Estate;

static void
populate (PorticoStore *store,
          Estate       *e)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStoreMapping) discovered = mapping_for ("discovered_apps", "apps",
                                                           "{\"name\": \"label\", \"users\": \"count\"}");
  g_autoptr(PorticoStoreMapping) licenses = mapping_for ("licenses", "", "{\"sku\": \"sku\", \"total\": \"total\"}");
  g_autoptr(PorticoStoreMapping) fields = mapping_for ("custom_fields", "", "{\"user_id\": \"id\", \"fields\": {\"Title\": \"title\"}}");
  g_autoptr(PorticoStoreMapping) transactions = mapping_for ("transactions", "data",
                                                             "{\"id\": \"id\", \"amount\": {\"path\": \"cents\", \"scale\": 0.01}, "
                                                             "\"vendor\": \"merchant\", \"user_email\": \"by\"}");
  g_autoptr(JsonObject) settings = parse_object ("{\"remove_user\": true}");
  const char *apps_page[] = { "{\"apps\": [{\"label\": \"Slack\", \"count\": 40}, {\"label\": \"zoom\", \"count\": 12}]}", NULL };
  const char *lic1[] = { "[{\"sku\": \"pro\", \"total\": 10}]", NULL };
  const char *lic2[] = { "[{\"sku\": \"enterprise\", \"total\": 5}]", NULL };
  const char *fields1[] = { "[{\"id\": \"S1\", \"title\": \"CEO\"}, {\"id\": \"S2\", \"title\": \"CFO\"}]", NULL };
  const char *tx[] = { "{\"data\": [{\"id\": \"t1\", \"cents\": 1250, \"merchant\": \"SLACK\", \"by\": \"ann@example.com\"},"
                       "{\"id\": \"t2\", \"cents\": 99, \"merchant\": \"Coffee\"}]}", NULL };
  gint64 w;

  e->okta = create_account (store, "okta", "Okta", "identity_provider", "Acme Okta", "acme.okta.com");
  e->slack1 = create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  e->slack2 = create_account (store, "slack", "Slack", "communication", "Acme EU", "T2");
  e->ramp = create_account (store, "ramp", "Ramp", "expenses", "Ramp", "R1");

  replace_users (store, e->okta,
                 "{\"id\": \"O1\", \"profile\": {\"email\": \"ann@example.com\"}},"
                 "{\"id\": \"O2\", \"profile\": {\"email\": \"bob@example.com\"}}");
  g_assert_cmpint (replace_pages (store, e->okta, discovered, apps_page, &error), ==, 2);
  g_assert_no_error (error);

  replace_users (store, e->slack1,
                 "{\"id\": \"S1\", \"profile\": {\"email\": \"ANN@example.com\"}},"
                 "{\"id\": \"S2\", \"profile\": {\"email\": \"cy@example.com\"}}");
  g_assert_cmpint (replace_pages (store, e->slack1, licenses, lic1, &error), ==, 1);
  g_assert_cmpint (replace_pages (store, e->slack1, fields, fields1, &error), ==, 2);
  replace_users (store, e->slack2, "{\"id\": \"E1\", \"profile\": {\"email\": \"bob@example.com\"}}");
  g_assert_cmpint (replace_pages (store, e->slack2, licenses, lic2, &error), ==, 1);
  g_assert_cmpint (replace_pages (store, e->ramp, transactions, tx, &error), ==, 2);
  g_assert_no_error (error);

  /* Zoom is only known from Okta's report and the browser extension. */
  e->zoom_app = portico_store_ensure_app_sync (store, "Zoom", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (portico_store_add_other_source_sync (store, e->zoom_app, "browser_extension",
                                                      "dee@example.com", "Dee", &error));
  g_assert_no_error (error);

  e->w_slack = portico_store_add_workflow_sync (store, "Welcome to Slack", e->slack1, "New Slack user", &error);
  e->w_okta = portico_store_add_workflow_sync (store, "Offboard leaver", e->okta, "Okta user deactivated", &error);
  w = portico_store_add_workflow_action_sync (store, e->w_okta, e->slack1, "remove_user", "Remove from Slack", &error);
  g_assert_cmpint (w, >, 0);
  w = portico_store_add_workflow_action_sync (store, e->w_okta, e->slack2, "remove_user", "Remove from Slack EU", &error);
  g_assert_cmpint (w, >, 0);
  g_assert_true (portico_store_set_offboarding_config_sync (store, e->slack1, settings, &error));
  g_assert_no_error (error);
}

static void
assert_summary_equal (const PorticoDisconnectSummary *a,
                      const PorticoDisconnectSummary *b)
{
  g_autoptr(JsonNode) ja = portico_disconnect_summary_to_json (a);
  g_autoptr(JsonNode) jb = portico_disconnect_summary_to_json (b);
  g_autofree char *sa = node_to_string (ja);
  g_autofree char *sb = node_to_string (jb);

  g_assert_cmpstr (sa, ==, sb);
}

static char *
snapshot (const char *path)
{
  return sql_text (path,
                   "SELECT (SELECT group_concat (id) FROM app_users) || '|' || "
                   "(SELECT group_concat (id) FROM licenses) || '|' || "
                   "(SELECT group_concat (id) FROM custom_user_fields) || '|' || "
                   "(SELECT group_concat (id) FROM transactions) || '|' || "
                   "(SELECT group_concat (valid) FROM workflows) || '|' || "
                   "(SELECT group_concat (failing) FROM workflow_actions) || '|' || "
                   "(SELECT count(*) FROM offboarding_configs) || '|' || "
                   "(SELECT group_concat (status || keyring_delete_pending) FROM accounts) || '|' || "
                   "(SELECT group_concat (coalesce (user_count, '-')) FROM app_sources) || '|' || "
                   "(SELECT count(*) FROM audit_events)");
}

/* Every table but the audit trail, SELECT * ORDER BY rowid. */
static char *
dump_all_tables (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' AND name <> 'audit_events' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY rowid",
                                              (const char *) sqlite3_column_text (tables, 0));
      sqlite3_stmt *rows = NULL;

      g_string_append_printf (out, "== %s\n", (const char *) sqlite3_column_text (tables, 0));
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (rows); c++)
            g_string_append_printf (out, "%s%s", c ? "|" : "",
                                    sqlite3_column_type (rows, c) == SQLITE_NULL
                                      ? "<null>" : (const char *) sqlite3_column_text (rows, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* Disconnect then restore gives the database back row for row (ids,
 * timestamps, the workflows valid again); only the audit trail grows. */
static void
test_restore (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  Estate e;
  gint64 accounts[4];

  g_assert_no_error (error);
  populate (store, &e);
  accounts[0] = e.slack1;
  accounts[1] = e.slack2;
  accounts[2] = e.okta;
  accounts[3] = e.ramp;

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autoptr(PorticoDisconnectSummary) summary = NULL;
      g_autoptr(JsonNode) restorable = NULL;
      g_autofree char *before = dump_all_tables (f->path);
      g_autofree char *between = NULL;
      g_autofree char *after = NULL;
      gint64 audit = sql_int (f->path, "SELECT count(*) FROM audit_events");
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM audit_events WHERE account_id = %" G_GINT64_FORMAT
                                                    " AND kind IN ('disconnected', 'restored')", accounts[i]);

      summary = portico_store_disconnect_sync (store, accounts[i], &error);
      g_assert_no_error (error);
      between = dump_all_tables (f->path);
      g_assert_cmpstr (between, !=, before);
      restorable = portico_store_list_restorable (store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (restorable)), ==, 1);
      g_assert_cmpint (portico_store_restore_account_sync (store, accounts[i], &error), >=, 0);
      g_assert_no_error (error);
      after = dump_all_tables (f->path);
      g_assert_cmpstr (after, ==, before);
      g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events"), ==, audit + 2);
      g_assert_cmpint (sql_int (f->path, count_sql), ==, 2);
    }

  /* A failure in the middle of a restore changes nothing. */
  {
    g_autoptr(PorticoDisconnectSummary) summary = portico_store_disconnect_sync (store, e.slack1, &error);
    g_autofree char *before = NULL;

    g_assert_no_error (error);
    before = dump_all_tables (f->path);
    g_assert_true (portico_store_exec_on_writer (store,
                                                 "CREATE TRIGGER boom BEFORE INSERT ON offboarding_configs "
                                                 "BEGIN SELECT RAISE (ABORT, 'boom'); END", &error));
    g_assert_cmpint (portico_store_restore_account_sync (store, e.slack1, &error), ==, -1);
    g_assert_nonnull (error);
    g_clear_error (&error);
    {
      g_autofree char *after = dump_all_tables (f->path);
      g_assert_cmpstr (after, ==, before);
    }
    g_assert_true (portico_store_exec_on_writer (store, "DROP TRIGGER boom", &error));
    g_assert_cmpint (portico_store_restore_account_sync (store, e.slack1, &error), >, 0);
    g_assert_no_error (error);
  }
}

static void
test_disconnect (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(PorticoDisconnectSummary) preview = NULL;
  g_autoptr(PorticoDisconnectSummary) applied = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Estate e;

  g_assert_no_error (error);
  populate (store, &e);

  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 4);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM transactions WHERE app_id IS NOT NULL"), ==, 1);

  /* ---- Slack account 1: a direct integration. */
  preview = portico_store_preview_disconnect (store, e.slack1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->app_users, ==, 2);
  g_assert_cmpint (preview->licenses, ==, 1);
  g_assert_cmpint (preview->custom_fields, ==, 2);
  g_assert_cmpint (preview->transactions, ==, 0);
  g_assert_cmpint (g_strv_length (preview->workflows_invalidated), ==, 1);
  g_assert_cmpstr (preview->workflows_invalidated[0], ==, "Welcome to Slack");
  g_assert_cmpint (preview->workflow_actions_failing, ==, 1);
  g_assert_cmpint (preview->offboarding_configs, ==, 1);
  g_assert_cmpint (preview->other_apps_affected, ==, 0);

  /* A failure in the middle changes nothing at all. */
  before = snapshot (f->path);
  g_assert_true (portico_store_exec_on_writer (store,
                                               "CREATE TRIGGER boom BEFORE DELETE ON offboarding_configs "
                                               "BEGIN SELECT RAISE (ABORT, 'boom'); END", &error));
  g_assert_null (portico_store_disconnect_sync (store, e.slack1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  after = snapshot (f->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_true (portico_store_exec_on_writer (store, "DROP TRIGGER boom", &error));

  applied = portico_store_disconnect_sync (store, e.slack1, &error);
  g_assert_no_error (error);
  assert_summary_equal (preview, applied);

  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users WHERE source_account_id = 1 + 1"), ==, 0);
  /* What other sources say survives: Okta's users, Slack EU's Bob. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 4);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 4);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM licenses"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM custom_user_fields"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM offboarding_configs"), ==, 0);
  /* The keyring item stays while the account can be restored; forgetting
   * its credentials ends that and marks the item for deletion. */
  g_assert_cmpint (sql_int (f->path, "SELECT keyring_delete_pending FROM accounts WHERE status = 'disconnected'"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM restore_snapshots"), ==, 1);
  g_assert_true (portico_store_forget_credentials_sync (store, e.slack1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM restore_snapshots"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT keyring_delete_pending FROM accounts WHERE status = 'disconnected'"), ==, 1);
  {
    g_autoptr(JsonNode) workflows = portico_store_list_workflows (store, &error);
    g_autoptr(JsonNode) accounts = portico_store_list_accounts (store, &error);
    g_autoptr(JsonNode) pending = portico_store_list_keyring_pending (store, &error);
    JsonObject *w = find_object (workflows, "name", "Welcome to Slack");
    JsonObject *w2 = find_object (workflows, "name", "Offboard leaver");
    JsonArray *actions = json_object_get_array_member (w2, "actions");

    g_assert_false (json_object_get_boolean_member (w, "valid"));
    g_assert_nonnull (strstr (json_object_get_string_member (w, "invalid_reason"), "Acme"));
    g_assert_true (json_object_get_boolean_member (w2, "valid"));
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (actions, 0), "failing"));
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (actions, 1), "failing"));
    g_assert_cmpint (json_array_get_length (json_node_get_array (accounts)), ==, 3);
    g_assert_cmpint (json_array_get_length (json_node_get_array (pending)), ==, 1);
    g_assert_cmpint (json_array_get_int_element (json_node_get_array (pending), 0), ==, e.slack1);
  }
  /* Slack still has a connected account: it keeps its Licenses row. */
  {
    g_autoptr(JsonNode) licenses = portico_store_list_licenses (store, &error);
    g_assert_nonnull (find_object (licenses, "app", "Slack"));
  }
  /* Disconnecting twice is refused; renaming a disconnected account too. */
  g_assert_null (portico_store_preview_disconnect (store, e.slack1, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (portico_store_rename_account_sync (store, e.slack1, "Again", &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (portico_store_clear_keyring_pending_sync (store, e.slack1, &error));
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM accounts WHERE keyring_delete_pending"), ==, 0);
  g_clear_pointer (&preview, portico_disconnect_summary_free);
  g_clear_pointer (&applied, portico_disconnect_summary_free);

  /* ---- The last Slack account: Slack leaves the Licenses view. */
  preview = portico_store_preview_disconnect (store, e.slack2, &error);
  applied = portico_store_disconnect_sync (store, e.slack2, &error);
  g_assert_no_error (error);
  assert_summary_equal (preview, applied);
  g_assert_cmpint (applied->app_users, ==, 1);
  g_assert_cmpint (applied->licenses, ==, 1);
  {
    g_autoptr(JsonNode) licenses = portico_store_list_licenses (store, &error);
    g_assert_null (find_object (licenses, "app", "Slack"));
  }
  g_clear_pointer (&preview, portico_disconnect_summary_free);
  g_clear_pointer (&applied, portico_disconnect_summary_free);

  /* ---- The identity provider: other apps lose what it reported. */
  preview = portico_store_preview_disconnect (store, e.okta, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->app_users, ==, 2);
  g_assert_cmpint (preview->other_apps_affected, ==, 2);
  g_assert_cmpint (g_strv_length (preview->workflows_invalidated), ==, 1);
  applied = portico_store_disconnect_sync (store, e.okta, &error);
  g_assert_no_error (error);
  assert_summary_equal (preview, applied);
  {
    g_autoptr(JsonNode) apps = portico_store_list_apps (store, &error);
    JsonObject *zoom = find_object (apps, "name", "zoom"); /* as Okta first reported it */
    JsonObject *slack = find_object (apps, "name", "Slack");
    JsonArray *sources;
    gboolean okta_listed = FALSE;

    /* Zoom stays, with the browser extension's user, and still names Okta
     * as the source that discovered it. */
    g_assert_nonnull (zoom);
    g_assert_cmpint (json_object_get_int_member (zoom, "user_count"), ==, 1);
    g_assert_true (json_object_get_null_member (zoom, "reported_user_count"));
    sources = json_object_get_array_member (zoom, "sources");
    for (guint i = 0; i < json_array_get_length (sources); i++)
      if (strstr (json_array_get_string_element (sources, i), "Acme Okta") != NULL)
        okta_listed = TRUE;
    g_assert_true (okta_listed);
    g_assert_true (strv_array_contains (sources, "Browser extension"));
    g_assert_nonnull (slack);
    g_assert_cmpint (json_object_get_int_member (slack, "user_count"), ==, 0);
    g_assert_false (json_object_get_boolean_member (slack, "connected"));
  }
  g_clear_pointer (&preview, portico_disconnect_summary_free);
  g_clear_pointer (&applied, portico_disconnect_summary_free);

  /* ---- The expense tool: its transactions go. */
  preview = portico_store_preview_disconnect (store, e.ramp, &error);
  g_assert_cmpint (preview->transactions, ==, 2);
  applied = portico_store_disconnect_sync (store, e.ramp, &error);
  g_assert_no_error (error);
  assert_summary_equal (preview, applied);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM transactions"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events WHERE kind = 'disconnected'"), ==, 4);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 1);
}

/* ---- Schema 4, staging, time normalisation, connector links ------------------ */

static char *
plan_of (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autofree char *query = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

/* The ids json_each finds at @json_path in @page (the oracle of the page
 * scan), or NULL when SQLite refuses the page. */
static char *
json_each_ids (const char *page,
               const char *json_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT group_concat (CAST (json_extract (value, '$.id') AS TEXT), ',') "
                                       "FROM json_each (?1, ?2) WHERE json_each.type = 'object'", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, page, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json_path, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    g_string_append (out, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (rc != SQLITE_ROW)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The store finds a page's items by scanning its text and maps each one
 * by itself (portico-store-ingest.c); whatever the page, it stages what
 * json_each finds, or refuses the page as json_each does, and a refused
 * page leaves the previous data. */
static void
test_page_scan (Fixture      *f,
                gconstpointer data)
{
  static const struct
  {
    const char *items;      /* the connector's items path */
    const char *json_path;  /* the same for json_each */
    const char *page;
    gboolean scanned;       /* the scan maps it, not json_each */
  } cases[] = {
    { "members", "$.members", "{\"ok\": true, \"members\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}", TRUE },
    { "members", "$.members", " \n{ \"members\" :\t[ { \"id\" : 1 } ,\r\n{\"id\":2}\n] }\n ", TRUE },
    /* Strings holding brackets, quotes, escapes; non-objects skipped. */
    { "members", "$.members", "{\"note\": \"]}[{\\\"\", \"members\": [{\"id\": \"x]}\\\"{\", \"t\": [1, {\"a\": []}]}, "
      "3, \"s\", null, true, [{\"id\": \"nested\"}], {\"id\": \"\\u00e9t\\u00e9\"}, -1.5e3, {}]}", TRUE },
    /* The first of two members of the same name. */
    { "members", "$.members", "{\"members\": [{\"id\": \"first\"}], \"members\": [{\"id\": \"second\"}]}", TRUE },
    /* A member further in, an array index, the page itself an array. */
    { "data.users", "$.\"data\".\"users\"", "{\"data\": {\"count\": 2, \"users\": [{\"id\": \"d1\"}, {\"id\": \"d2\"}]}}", TRUE },
    { "pages.1.users", "$.\"pages\"[1].\"users\"", "{\"pages\": [{\"users\": [{\"id\": 0}]}, {\"users\": [{\"id\": \"p1\"}]}]}", TRUE },
    { "", "$", "[{\"id\": \"top\"}, {\"id\": \"level\"}]", TRUE },
    { "members", "$.members", "{\"members\": []}", TRUE },
    /* Not an array at the path, or no such member: json_each decides. */
    { "members", "$.members", "{\"members\": {\"k1\": {\"id\": \"o1\"}, \"k2\": {\"id\": \"o2\"}}}", FALSE },
    { "members", "$.members", "{\"other\": [{\"id\": \"no\"}]}", FALSE },
    { "members", "$.members", "{\"mem\\u0062ers\": [{\"id\": \"escaped key\"}]}", FALSE },
    { "pages.5.users", "$.\"pages\"[5].\"users\"", "{\"pages\": [{\"users\": [{\"id\": 0}]}]}", FALSE },
    /* Not JSON: refused, whether the fault is in an item or around them. */
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, {\"id\": tru}]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, {\"id\": \"b\"", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}]} trailing", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"} {\"id\": \"b\"}]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, {\"id\": \"b\"]]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"unterminated}]}", FALSE },
    { "members", "$.members", "", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"},]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}], }", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, tru, {\"id\": \"b\"}]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, \"bad \\x escape\"]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, 01]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, \"tab\tinside\"]}", FALSE },
    { "members", "$.members", "{\"members\": [{\"id\": \"a\"}, 1.]}", FALSE },
    { "members", "$.members", "{\"x\": tru, \"members\": [{\"id\": \"a\"}]}", FALSE },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(PorticoStoreMapping) before = mapping_for ("users", "", "{\"id\": \"id\"}");
  gint64 id;

  g_assert_no_error (error);
  id = create_account (store, "slack", "Slack", "communication", "Acme", "T1");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PorticoStoreMapping) mapping = mapping_for ("users", cases[i].items, "{\"id\": \"id\"}");
      g_autofree char *expected = json_each_ids (cases[i].page, cases[i].json_path);
      const char *pages[] = { "[{\"id\": \"before\"}]", NULL };
      const char *page[] = { cases[i].page, NULL };
      g_autofree char *stored = NULL;
      guint scanned;
      gint64 n;

      g_test_message ("page %u: %s", i, cases[i].page);
      g_assert_cmpint (replace_pages (store, id, before, pages, &error), ==, 1);
      g_assert_no_error (error);

      scanned = portico_store_ingest_get_scanned_pages ();
      n = replace_pages (store, id, mapping, page, &error);
      g_assert_cmpuint (portico_store_ingest_get_scanned_pages () - scanned, ==, cases[i].scanned ? 1 : 0);
      stored = sql_text (f->path, "SELECT coalesce (group_concat (external_user_id, ','), '') "
                                  "FROM (SELECT external_user_id FROM app_users ORDER BY id)");
      if (expected == NULL)
        {
          g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
          g_clear_error (&error);
          g_assert_cmpint (n, ==, -1);
          g_assert_cmpstr (stored, ==, "before");
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (stored, ==, expected);
          g_auto(GStrv) ids = g_strsplit (expected, ",", -1);

          g_assert_cmpint (n, ==, expected[0] == '\0' ? 0 : (gint64) g_strv_length (ids));
        }
    }
}

/* Version 13: custom fields become one row per user; what a database of
 * version 12 held reads the same through the view, its counts are of
 * fields, and a restore copy made before is grouped the same way. */
static void
test_migrate_custom_fields (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoDisconnectSummary) preview = NULL;
  const char *rows = "SELECT group_concat (label || '=' || coalesce (value, 'NULL') || '@' || "
                     "  coalesce (person_id, '-') || '/' || coalesce (external_user_id, '-') || '/' || app_id, '; ') "
                     "FROM (SELECT * FROM custom_user_fields ORDER BY app_id, external_user_id, label)";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (portico_store_create_at_version (f->path, 12, &error));
  g_assert_no_error (error);
  sql_exec (f->path,
            "INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Okta', 'okta', 'identity_provider'),"
            "  (2, 'Zoom', NULL, 'other');"
            "INSERT INTO accounts (id, connector_id, app_id, name, status) VALUES (7, 'okta', 1, 'Acme', 'ok'),"
            "  (8, 'okta', 1, 'Old', 'disconnected');"
            "INSERT INTO people (id, email) VALUES (1, 'ann@example.com'), (2, 'bob@example.com');"
            "INSERT INTO custom_user_fields (id, app_id, person_id, external_user_id, label, value, source_account_id) "
            "  VALUES (10, 1, 1, 'U1', 'Title', 'CEO', 7), (11, 1, 1, 'U1', 'Team', 'Board', 7),"
            "  (12, 1, 2, 'U2', 'Title', 'CTO', 7), (13, 2, NULL, 'Z9', 'Plan', '{\"a\":1}', 7),"
            "  (14, 1, NULL, NULL, 'Note', NULL, 7);"
            "INSERT INTO restore_custom_user_fields (id, app_id, person_id, external_user_id, label, value, source_account_id) "
            "  VALUES (20, 1, 1, 'U1', 'Title', 'CFO', 8), (21, 1, 1, 'U1', 'Team', 'Money', 8);");
  before = sql_text (f->path, rows);

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, PORTICO_STORE_SCHEMA_VERSION);
  after = sql_text (f->path, rows);
  g_assert_cmpstr (after, ==, before);
  /* Four users (U1's two fields in one row), each keeping its first id. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM custom_user_field_sets"), ==, 4);
  {
    g_autofree char *ids = sql_text (f->path, "SELECT group_concat (id || ':' || field_count) "
                                              "FROM (SELECT * FROM custom_user_field_sets ORDER BY id)");
    g_autofree char *kept = sql_text (f->path, "SELECT group_concat (id || ':' || field_count || ':' || fields) "
                                               "FROM restore_custom_user_field_sets");

    g_assert_cmpstr (ids, ==, "10:2,12:1,13:1,14:1");
    g_assert_cmpstr (kept, ==, "20:2:{\"Title\":\"CFO\",\"Team\":\"Money\"}");
  }
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                     "('restore_custom_user_fields', 'custom_user_fields_source_app')"), ==, 0);

  /* The disconnect preview counts fields, not rows. */
  preview = portico_store_preview_disconnect (store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->custom_fields, ==, 5);
}

static void
test_migrate_from_3 (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoDisconnectSummary) preview = NULL;
  g_autofree char *plan = NULL;

  g_assert_true (portico_store_create_at_version (f->path, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'app_users_source'"), ==, 1);
  sql_exec (f->path,
            "INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Okta', 'okta', 'identity_provider'),"
            "  (2, 'Zoom', NULL, 'other'), (3, 'Figma', NULL, 'other');"
            "INSERT INTO accounts (id, connector_id, app_id, name, status) VALUES (7, 'okta', 1, 'Acme', 'ok');"
            "INSERT INTO people (id, email) VALUES (1, 'ann@example.com');"
            "INSERT INTO app_users (app_id, person_id, source_account_id) VALUES (1, 1, 7), (2, 1, 7);"
            "INSERT INTO licenses (app_id, sku, source_account_id) VALUES (3, 'pro', 7);");

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, PORTICO_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users"), ==, 2);
  /* The pairs replaced the single-column indexes. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                     "('app_users_source', 'licenses_source', 'custom_user_fields_source', 'app_sources_source')"),
                   ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                     "('app_users_source_app', 'licenses_source_app', 'custom_user_field_sets_source_app', "
                                     "'app_sources_source_app')"),
                   ==, 4);
  plan = plan_of (f->path, "SELECT 1 FROM app_users WHERE source_account_id = 7 AND app_id = 2");
  g_assert_nonnull (strstr (plan, "app_users_source_app"));
  g_clear_pointer (&plan, g_free);
  plan = plan_of (f->path, "DELETE FROM custom_user_field_sets WHERE source_account_id = 7");
  g_assert_nonnull (strstr (plan, "custom_user_field_sets_source_app"));
  g_clear_pointer (&plan, g_free);
  /* Version 5: the Licenses view counts seats per (app, SKU) by index. */
  plan = plan_of (f->path, "SELECT count(*) FROM app_users WHERE app_id = 3 AND license_sku = 'pro' "
                           "AND last_activity < '2026-01-01'");
  g_assert_nonnull (strstr (plan, "app_users_app_license"));

  /* Zoom (an app user) and Figma (a license) lose what the account said. */
  preview = portico_store_preview_disconnect (store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->app_users, ==, 2);
  g_assert_cmpint (preview->other_apps_affected, ==, 2);
}

/* Rows staged on the writer's connection, in all staging tables. */
static gboolean
count_staged_func (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  return portico_db_query_int (db, out_value, error,
                               "SELECT (SELECT count(*) FROM temp.stage_users) + (SELECT count(*) FROM temp.stage_licenses) "
                               "+ (SELECT count(*) FROM temp.stage_usage) + (SELECT count(*) FROM temp.stage_custom_fields) "
                               "+ (SELECT count(*) FROM temp.stage_transactions) + (SELECT count(*) FROM temp.stage_groups) "
                               "+ (SELECT count(*) FROM temp.stage_discovered_apps)", NULL);
}

static gint64
count_staged (PorticoStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = -1;

  g_assert_true (portico_store_run_write_sync (store, count_staged_func, NULL, NULL, &n, NULL, &error));
  g_assert_no_error (error);
  return n;
}

static void
add_page (PorticoStoreReplace *replace,
          const char          *page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new (page, strlen (page));

  g_assert_true (portico_store_replace_add_page_sync (replace, body, &error));
  g_assert_no_error (error);
}

static void
test_staging (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(PorticoStoreMapping) users = mapping_for ("users", "members", USERS_MAP);
  g_autoptr(PorticoStoreMapping) licenses = mapping_for ("licenses", "", "{\"sku\": \"sku\", \"total\": \"total\"}");
  g_autoptr(PorticoStoreReplace) a = NULL;
  g_autoptr(PorticoStoreReplace) b = NULL;
  g_autoptr(PorticoStoreReplace) c = NULL;
  g_autofree char *u1 = user_json ("U1", "  Ann@Example.com ", "Ann", "\"2024-03-01T00:30:00.250+01:00\"", "pro");
  g_autofree char *u2 = user_json ("U2", "ann@example.COM", "Ann", "1700000000000", "pro");
  g_autofree char *u3 = user_json ("U3", "bob@example.com", "Bob", "\"last tuesday\"", "pro");
  g_autofree char *page1 = g_strdup_printf ("{\"members\": [%s, %s]}", u1, u2);
  g_autofree char *page2 = g_strdup_printf ("{\"members\": [%s]}", u3);
  gint64 slack, zoom;

  g_assert_no_error (error);
  slack = create_account (store, "slack", "Slack", "communication", "Acme", "T1");
  zoom = create_account (store, "zoom", "Zoom", "communication", "Acme Zoom", "Z1");

  /* Two replaces staging at once: committing one keeps the other's rows. */
  a = portico_store_replace_begin (store, slack, users);
  b = portico_store_replace_begin (store, zoom, users);
  c = portico_store_replace_begin (store, zoom, licenses);
  add_page (a, page1);
  add_page (b, page2);
  add_page (a, page2);
  add_page (c, "[{\"sku\": \"basic\", \"total\": 3}]");
  g_assert_cmpint (count_staged (store), ==, 5);

  g_assert_cmpint (portico_store_replace_commit_sync (a, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (count_staged (store), ==, 2);
  portico_store_replace_abort (c);
  g_assert_cmpint (count_staged (store), ==, 1);
  g_assert_cmpint (portico_store_replace_commit_sync (b, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (count_staged (store), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM licenses"), ==, 0);

  /* One person for both casings of Ann's address, trimmed; Bob's app users
   * in both accounts point at the same person. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people WHERE email = trim (email) AND email = 'ann@example.com'"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users WHERE person_id IS NULL"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count (DISTINCT person_id) FROM app_users"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users u JOIN people p ON p.id = u.person_id "
                                     "WHERE p.email = 'BOB@example.com'"), ==, 2);
  {
    g_autofree char *t1 = sql_text (f->path, "SELECT last_activity FROM app_users WHERE external_user_id = 'U1'");
    g_autofree char *t2 = sql_text (f->path, "SELECT last_activity FROM app_users WHERE external_user_id = 'U2'");
    g_autofree char *t3 = sql_text (f->path, "SELECT last_activity FROM app_users WHERE external_user_id = 'U3' "
                                             "AND source_account_id = 1 + 0");
    g_assert_cmpstr (t1, ==, "2024-02-29T23:30:00Z");
    g_assert_cmpstr (t2, ==, "2023-11-14T22:13:20Z");
    /* Text that is not a time is kept as it came. */
    g_assert_cmpstr (t3, ==, "last tuesday");
  }

  /* A commit that fails leaves the previous rows and clears what it staged. */
  {
    g_autoptr(PorticoStoreReplace) d = portico_store_replace_begin (store, slack, users);
    g_autofree char *before = sql_text (f->path, "SELECT group_concat (id) FROM app_users");
    g_autofree char *after = NULL;

    add_page (d, page2);
    g_assert_true (portico_store_exec_on_writer (store,
                                                 "CREATE TRIGGER boom BEFORE INSERT ON app_users "
                                                 "BEGIN SELECT RAISE (ABORT, 'boom'); END", &error));
    g_assert_cmpint (portico_store_replace_commit_sync (d, &error), ==, -1);
    g_assert_nonnull (error);
    g_clear_error (&error);
    after = sql_text (f->path, "SELECT group_concat (id) FROM app_users");
    g_assert_cmpstr (before, ==, after);
    g_assert_cmpint (count_staged (store), ==, 0);
    g_assert_true (portico_store_exec_on_writer (store, "DROP TRIGGER boom", &error));
  }

  /* A replace dropped without commit clears what it staged. */
  {
    g_autoptr(PorticoStoreReplace) e = portico_store_replace_begin (store, slack, users);
    add_page (e, page1);
  }
  g_assert_cmpint (count_staged (store), ==, 0);

  /* A person gets a name once one is known, and keeps it. */
  {
    g_autofree char *named = user_json ("Z9", "DEE@example.com", "Dee", "null", "pro");
    g_autofree char *renamed = user_json ("Z9", "dee@example.com", "Other", "null", "pro");
    g_autofree char *name = NULL;

    g_assert_cmpint (replace_users (store, zoom, "{\"id\": \"Z9\", \"profile\": {\"email\": \"dee@example.com\"}}"), ==, 1);
    g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people WHERE email = 'dee@example.com' AND name IS NULL"), ==, 1);
    g_assert_cmpint (replace_users (store, zoom, named), ==, 1);
    g_assert_cmpint (replace_users (store, zoom, renamed), ==, 1);
    name = sql_text (f->path, "SELECT name FROM people WHERE email = 'dee@example.com'");
    g_assert_cmpstr (name, ==, "Dee Doe");
    g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM people"), ==, 3);
  }
}

/* portico_norm_time () must give what the SQL expression gives. */
static void
test_norm_time (Fixture      *f,
                gconstpointer data)
{
  static const char * const fixed[] = {
    "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05.9Z",
    "2024-01-02T03:04:05.9999Z", "2024-01-02T03:04:05.", "2024-01-02 03:04:05",
    "2024-01-02T03:04:05+02:00", "2024-01-01T01:00:00+02:00", "2023-12-31T23:30:00-00:45",
    "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-02-30T12:00:00Z", "2024-04-31T00:00:00Z",
    "2024-01-02T24:00:00Z", "2024-01-02T23:60:00Z", "2024-01-02T23:59:60Z", "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00",
    "9999-12-31T23:59:59Z", "9999-12-31T23:00:00-02:00", "2024-01-02T03:04:05+14:00",
    "2024-01-02T03:04:05+15:00", "2024-01-02T03:04:05+0200", "2024-01-02T03:04:05z",
    "2024-01-02T03:04", "2024-01-02", "2024-1-2T03:04:05Z", " 2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05Z ", "2024-01-02t03:04:05Z", "1700000000", "1700000000000", "17.5",
    "", "never", "N/A", "1900-03-01T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
    "2100-02-28T23:59:59-12:00", "2000-02-29T00:00:00+00:00",
  };
  static const char * const numbers[] = {
    "0", "1", "86399", "86400", "1700000000", "99999999999", "100000000000", "100000000001",
    "1700000000123", "-1", "-86401", "1700000000.7", "1.5e9", "253402300799", "253402300800",
    "NULL", "x'00'",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240102);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint checked = 0;

  g_assert_no_error (error);
  /* Any connection of the process has the function once a store is open. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT portico_norm_time (?1), " PORTICO_SQL_NORM_TIME ("?1") ", "
                                       "portico_norm_time (?1) IS " PORTICO_SQL_NORM_TIME ("?1"),
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 4000; i++)
    {
      g_autofree char *generated = NULL;
      const char *text;

      if (i < G_N_ELEMENTS (fixed))
        text = fixed[i];
      else
        {
          static const char * const seps[] = { "T", " " };
          static const char * const fracs[] = { "", ".5", ".25", ".999", ".12345" };
          static const char * const zones[] = { "", "Z", "+05:30", "-08:00", "+14:00", "-00:01", "+12:59" };

          generated = g_strdup_printf ("%04d-%02d-%02d%s%02d:%02d:%02d%s%s",
                                       g_rand_int_range (rand, 1, 10000), g_rand_int_range (rand, 1, 13),
                                       g_rand_int_range (rand, 1, 32), seps[g_rand_int_range (rand, 0, 2)],
                                       g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60),
                                       g_rand_int_range (rand, 0, 60), fracs[g_rand_int_range (rand, 0, 5)],
                                       zones[g_rand_int_range (rand, 0, 7)]);
          text = generated;
        }
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (sqlite3_column_int (stmt, 2) != 1)
        g_error ("portico_norm_time (“%s”) = %s, SQL gives %s", text,
                 (const char *) sqlite3_column_text (stmt, 0), (const char *) sqlite3_column_text (stmt, 1));
      sqlite3_reset (stmt);
      checked++;
    }

  /* Values as JSON gives them: integers, reals, and the rest. */
  for (guint i = 0; i < G_N_ELEMENTS (numbers) + 2000; i++)
    {
      g_autofree char *sql = NULL;
      sqlite3_stmt *num = NULL;
      g_autofree char *value = i < G_N_ELEMENTS (numbers)
        ? g_strdup (numbers[i])
        : g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) g_rand_double_range (rand, 0, 2e12));

      sql = g_strconcat ("SELECT portico_norm_time (v) IS ", PORTICO_SQL_NORM_TIME ("v"), ", ",
                         PORTICO_SQL_NORM_TIME ("v"), " FROM (SELECT ", value, " AS v)", NULL);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &num, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (num), ==, SQLITE_ROW);
      if (sqlite3_column_int (num, 0) != 1)
        g_error ("portico_norm_time (%s) differs from SQL: %s", value, (const char *) sqlite3_column_text (num, 1));
      sqlite3_finalize (num);
      checked++;
    }

  g_test_message ("%u values checked", checked);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
link_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = portico_store_link_app_connectors_finish (PORTICO_STORE (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_link_connectors (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(PorticoStoreMapping) discovered = mapping_for ("discovered_apps", "apps", "{\"name\": \"label\"}");
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncResult r = { loop, 0, FALSE, NULL };
  const char *page[] = { "{\"apps\": [{\"label\": \"SLACK\"}, {\"label\": \" Zoom \"}, {\"label\": \"Figma\"},"
                         "{\"label\": \"Notion\"}]}", NULL };
  gint64 okta;

  g_assert_no_error (error);
  okta = create_account (store, "okta", "Okta", "identity_provider", "Acme Okta", "acme.okta.com");
  g_assert_cmpint (replace_pages (store, okta, discovered, page, &error), ==, 4);
  g_assert_no_error (error);
  /* An app someone named by hand with its own connector id keeps it. */
  g_assert_cmpint (portico_store_ensure_app_sync (store, "Linear", "other", "linear-custom", &error), >, 0);
  g_assert_no_error (error);
  /* Discovered apps have no connector id. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps WHERE connector_id IS NULL"), ==, 4);

  g_hash_table_insert (names, g_strdup ("slack"), g_strdup ("slack"));
  g_hash_table_insert (names, g_strdup ("zoom"), g_strdup ("zoom"));
  g_hash_table_insert (names, g_strdup ("linear"), g_strdup ("linear"));
  g_hash_table_insert (names, g_strdup ("github"), g_strdup ("github"));
  g_assert_true (portico_store_link_app_connectors_sync (store, names, &error));
  g_assert_no_error (error);

  {
    g_autofree char *slack = sql_text (f->path, "SELECT connector_id FROM apps WHERE name = 'slack'");
    g_autofree char *zoom = sql_text (f->path, "SELECT connector_id FROM apps WHERE name = 'Zoom'");
    g_autofree char *linear = sql_text (f->path, "SELECT connector_id FROM apps WHERE name = 'Linear'");
    g_autofree char *figma = sql_text (f->path, "SELECT coalesce (connector_id, '-') FROM apps WHERE name = 'Figma'");
    g_assert_cmpstr (slack, ==, "slack");
    g_assert_cmpstr (zoom, ==, "zoom");
    g_assert_cmpstr (linear, ==, "linear-custom");
    g_assert_cmpstr (figma, ==, "-");
  }
  /* No app was created for a name nobody discovered. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps WHERE name = 'github'"), ==, 0);
  {
    g_autoptr(JsonNode) apps = portico_store_list_apps (store, &error);
    JsonObject *slack = find_object (apps, "name", "SLACK");

    g_assert_no_error (error);
    g_assert_nonnull (slack);
    g_assert_cmpstr (json_object_get_string_member (slack, "connector"), ==, "slack");
  }

  /* The async variant, and an app that got linked stays linked. */
  g_hash_table_remove_all (names);
  g_hash_table_insert (names, g_strdup ("figma"), g_strdup ("figma"));
  g_hash_table_insert (names, g_strdup ("slack"), g_strdup ("other-slack"));
  portico_store_link_app_connectors_async (store, names, NULL, link_done, &r);
  g_hash_table_remove_all (names); /* the store copied it */
  g_main_loop_run (loop);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps WHERE connector_id = 'figma'"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps WHERE connector_id = 'other-slack'"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM apps WHERE connector_id IS NULL"), ==, 1);
}

/* @n users "u<first>".."u<first + n - 1>"; the first @deactivated of them
 * deleted (status "deprovisioned"). */
static char *
members (guint first,
         guint n,
         guint deactivated)
{
  GString *out = g_string_new (NULL);

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (out, "%s{\"id\": \"u%u\", \"profile\": {\"email\": \"u%u@example.com\", "
                            "\"first\": \"U\", \"last\": \"%u\"}, \"deleted\": %s, \"seen\": null, \"plan\": \"p\"}",
                            i > first ? ", " : "", i, i, i, i - first < deactivated ? "true" : "false");
  return g_string_free (out, FALSE);
}

static gint64
replace_users_result (PorticoStore *store,
                      gint64        account_id,
                      const char   *members_json,
                      GError      **error)
{
  g_autoptr(PorticoStoreMapping) mapping = mapping_for ("users", "members", USERS_MAP);
  g_autofree char *page = g_strdup_printf ("{\"ok\": true, \"members\": [%s]}", members_json);
  const char *pages[] = { page, NULL };

  return replace_pages (store, account_id, mapping, pages, error);
}

static gint64
held_value (PorticoStore *store,
            gint64        account_id,
            const char   *member)
{
  g_autoptr(JsonNode) node = portico_store_get_account (store, account_id, NULL);
  JsonObject *account = json_node_get_object (node);

  if (json_object_get_null_member (account, member))
    return -1;
  return json_object_get_int_member (account, member);
}

/* Drift protection: an identity provider's users sync that would make 30%
 * of its people disappear is held (nothing replaced, the old rows stay,
 * byte for byte) until applied; discarding keeps the current data; 5% is
 * applied at once, as is any drop for an app that is not an identity
 * provider or HR system; deactivation counts like removal. */
static void
test_drift (Fixture      *f,
            gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autofree char *all = members (0, 200, 0);
  g_autofree char *drop30 = members (0, 140, 0);
  g_autofree char *drop5 = members (0, 190, 0);
  g_autofree char *deactivated = members (0, 190, 50);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *users_sql = NULL;
  gint64 idp, other;

  g_assert_no_error (error);
  idp = create_account (store, "okta", "Okta", "identity_provider", "Okta", "okta-1");
  other = create_account (store, "slack", "Slack", "communication", "Slack", "slack-1");
  users_sql = g_strdup_printf ("SELECT group_concat (id || ':' || external_user_id || ':' || coalesce (status, ''), ',') "
                               "FROM (SELECT * FROM app_users WHERE source_account_id = %" G_GINT64_FORMAT " ORDER BY id)",
                               idp);

  g_assert_cmpint (replace_users (store, idp, all), ==, 200);
  before = sql_text (f->path, users_sql);

  /* 60 of 200 (30%) would disappear: held. */
  g_assert_cmpint (replace_users_result (store, idp, drop30, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_HELD);
  g_assert_true (g_str_has_prefix (error->message, "Held: 60 of 200 people would disappear."));
  g_clear_error (&error);
  after = sql_text (f->path, users_sql);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (held_value (store, idp, "held_missing"), ==, 60);
  g_assert_cmpint (held_value (store, idp, "held_total"), ==, 200);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM held_users"), ==, 140);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events WHERE kind = 'held'"), ==, 1);

  /* Applied anyway: the held rows replace the old ones. */
  g_assert_cmpint (portico_store_resolve_held_sync (store, idp, TRUE, &error), ==, 140);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users WHERE source_kind = 'account' "
                                     "AND external_user_id = 'u150'"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM app_users WHERE app_id = "
                                     "(SELECT app_id FROM accounts WHERE connector_id = 'okta')"), ==, 140);
  g_assert_cmpint (held_value (store, idp, "held_total"), ==, -1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM held_users"), ==, 0);
  /* Nothing is held now. */
  g_assert_cmpint (portico_store_resolve_held_sync (store, idp, TRUE, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Back to 200, then 10 of 200 (5%) gone: applied at once. */
  g_assert_cmpint (replace_users (store, idp, all), ==, 200);
  g_assert_cmpint (replace_users (store, idp, drop5), ==, 190);
  g_assert_cmpint (held_value (store, idp, "held_total"), ==, -1);

  /* 50 of 190 deactivated (26%): held; kept: the current data stays. */
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&after, g_free);
  before = sql_text (f->path, users_sql);
  g_assert_cmpint (replace_users_result (store, idp, deactivated, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_HELD);
  g_assert_true (g_str_has_prefix (error->message, "Held: 50 of 190 people would disappear."));
  g_clear_error (&error);
  g_assert_cmpint (portico_store_resolve_held_sync (store, idp, FALSE, &error), ==, 0);
  g_assert_no_error (error);
  after = sql_text (f->path, users_sql);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (held_value (store, idp, "held_total"), ==, -1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM held_users"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events WHERE kind = 'held_discarded'"), ==, 1);

  /* Not an identity provider: a 30% drop is just the new data. */
  g_assert_cmpint (replace_users (store, other, all), ==, 200);
  g_assert_cmpint (replace_users (store, other, drop30), ==, 140);

  /* A disconnect deletes held rows with the rest. */
  g_assert_cmpint (replace_users_result (store, idp, drop30, &error), ==, -1);
  g_clear_error (&error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM held_users"), ==, 140);
  {
    g_autoptr(PorticoDisconnectSummary) summary = portico_store_disconnect_sync (store, idp, &error);

    g_assert_no_error (error);
  }
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM held_users"), ==, 0);
}

/* The account's own drift threshold: a 30% drop is held at the default
 * 20% and applied when the account allows 40%; back to the default, it is
 * held again; above 100% is refused with a sentence; the account lists it. */
static void
test_drift_threshold (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autofree char *all = members (0, 200, 0);
  g_autofree char *drop30 = members (0, 140, 0);
  gint64 idp;

  g_assert_no_error (error);
  idp = create_account (store, "okta", "Okta", "identity_provider", "Okta", "okta-1");
  g_assert_cmpint (held_value (store, idp, "drift_threshold"), ==, -1);
  g_assert_cmpint (replace_users (store, idp, all), ==, 200);

  /* The default (20%): held. */
  g_assert_cmpint (replace_users_result (store, idp, drop30, &error), ==, -1);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_HELD);
  g_clear_error (&error);
  g_assert_cmpint (portico_store_resolve_held_sync (store, idp, FALSE, &error), ==, 0);
  g_assert_no_error (error);

  /* The account allows 40%: the same drop is applied. */
  g_assert_true (portico_store_set_drift_threshold_sync (store, idp, 40, &error));
  g_assert_no_error (error);
  g_assert_cmpint (held_value (store, idp, "drift_threshold"), ==, 40);
  g_assert_cmpint (replace_users (store, idp, drop30), ==, 140);
  g_assert_cmpint (held_value (store, idp, "held_total"), ==, -1);

  /* Back to the default: 35 of 140 (25%) gone is held again. */
  g_assert_true (portico_store_set_drift_threshold_sync (store, idp, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (held_value (store, idp, "drift_threshold"), ==, -1);
  {
    g_autofree char *drop25 = members (0, 105, 0);

    g_assert_cmpint (replace_users_result (store, idp, drop25, &error), ==, -1);
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_HELD);
    g_clear_error (&error);
    g_assert_cmpint (held_value (store, idp, "held_missing"), ==, 35);
  }

  /* Refused: above 100%, and an account that does not exist. */
  g_assert_false (portico_store_set_drift_threshold_sync (store, idp, 101, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "from 1 to 100"));
  g_clear_error (&error);
  g_assert_false (portico_store_set_drift_threshold_sync (store, idp + 100, 30, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (held_value (store, idp, "drift_threshold"), ==, -1);
}

/* A profile import: every account in one transaction, waiting for its
 * credentials; one that is connected already is skipped; a failure on the
 * last account leaves nothing of the others. */
static void
test_import (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (f->path, &error);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(JsonObject) fields = parse_object ("{\"subdomain\": \"acme\"}");
  PorticoStoreImportAccount accounts[] = {
    { { .connector_id = "okta", .connector_name = "Okta", .category = "identity_provider",
        .name = "Acme Okta", .external_id = "acme.okta.com", .permission = "act", .fields = fields,
        .data_types = all_types, .n_data_types = G_N_ELEMENTS (all_types) },
      "rate_limited", "Okta kept answering “too many requests”." },
    { { .connector_id = "slack", .connector_name = "Slack", .category = "communication",
        .name = "Acme Slack", .external_id = "T1", .permission = "read",
        .data_types = all_types, .n_data_types = 1 }, NULL, NULL },
    /* An invalid permission level the database refuses. */
    { { .connector_id = "zoom", .connector_name = "Zoom", .name = "Zoom",
        .external_id = "z1", .permission = "admin" }, NULL, NULL },
  };
  gint64 existing;
  JsonObject *o;

  g_assert_no_error (error);
  existing = create_account (store, "slack", "Slack", "communication", "Slack already here", "T1");

  /* The refused third account undoes the first two. */
  ids = portico_store_import_accounts_sync (store, accounts, 3, &error);
  g_assert_null (ids);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM accounts"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events WHERE kind = 'imported'"), ==, 0);

  ids = portico_store_import_accounts_sync (store, accounts, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), >, existing);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM accounts"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM audit_events WHERE kind = 'imported'"), ==, 1);

  account = portico_store_get_account (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  o = json_node_get_object (account);
  g_assert_cmpstr (json_object_get_string_member (o, "connector"), ==, "okta");
  g_assert_cmpstr (json_object_get_string_member (o, "permission"), ==, "act");
  g_assert_cmpstr (json_object_get_string_member (o, "keyring_state"), ==, "missing");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "fields"), "subdomain"), ==, "acme");
  g_assert_true (json_object_get_boolean_member (o, "paused"));
  g_assert_cmpstr (json_object_get_string_member (o, "paused_cause"), ==, "rate_limited");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "data_types")), ==, G_N_ELEMENTS (all_types));

  /* Importing again adds nothing. */
  g_clear_pointer (&ids, g_array_unref);
  ids = portico_store_import_accounts_sync (store, accounts, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 0);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM accounts"), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/store/default-path", test_default_path);
  ADD ("fresh", test_fresh);
  ADD ("migrate-from-1", test_migrate_from_1);
  ADD ("refuse-newer", test_refuse_newer);
  ADD ("refuse-corrupt", test_refuse_corrupt);
  ADD ("create-rename", test_create_rename);
  ADD ("async", test_async);
  ADD ("replace", test_replace);
  ADD ("disk-full", test_disk_full);
  ADD ("sync-runs", test_sync_runs);
  ADD ("disconnect", test_disconnect);
  ADD ("restore", test_restore);
  ADD ("migrate-from-3", test_migrate_from_3);
  ADD ("migrate-custom-fields", test_migrate_custom_fields);
  ADD ("staging", test_staging);
  ADD ("page-scan", test_page_scan);
  ADD ("norm-time", test_norm_time);
  ADD ("link-connectors", test_link_connectors);
  ADD ("drift", test_drift);
  ADD ("drift-threshold", test_drift_threshold);
  ADD ("import", test_import);

  return g_test_run ();
}
