/* test-engine.c: the sync engine end to end, against the in-process sandbox.
 *
 * Interrupted syncs (cancel, 5xx storm, malformed page) keep the previous
 * rows byte-identical; a partial sync marks only the failing data types;
 * people from an identity provider and an app merge by email; discovered
 * apps name their source; disconnect and reconnect follow SPEC 4/5; no
 * keyring means no account row; secrets never reach the SQLite file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "engine-test-util.h"

/* Okta and Slack ask for 200 users a page: several pages of users. */
#define SANDBOX_SIZE 450

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

  fx->dir = g_dir_make_tmp ("portico-engine-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "portico.db", NULL);
  fx->store = portico_store_open (fx->db, &error);
  g_assert_no_error (error);
  fx->engine = portico_engine_new (fx->store, catalog, runtime);
  portico_sandbox_set_fault (sandbox, "okta", PORTICO_SANDBOX_FAULT_NONE, 0);
  portico_sandbox_set_fault (sandbox, "slack", PORTICO_SANDBOX_FAULT_NONE, 0);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  /* Every test's accounts start at 1 in its own database; the keyring is
   * shared, so leave nothing behind. */
  clear_keyring_ids (fx->engine, 1, 12);
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

static gboolean
need_keyring (void)
{
  if (keyring_available ())
    return TRUE;
  g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
  return FALSE;
}

static gint64
connect_values (Fixture    *fx,
                const char *connector_id,
                GHashTable *values,
                gboolean    accept_partial)
{
  PorticoConnector *connector = portico_catalog_lookup (catalog, connector_id);
  g_autoptr(PorticoConnectionTest) test = run_connection_test (fx->engine, connector, values);
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = engine_connect (fx->engine, test, values, accept_partial, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
connect_kind (Fixture    *fx,
              const char *connector_id,
              const char *kind,
              gboolean    accept_partial)
{
  g_autoptr(GHashTable) values = portico_sandbox_get_field_values (sandbox, connector_id, kind);

  return connect_values (fx, connector_id, values, accept_partial);
}

static JsonNode *
sync_ok (Fixture *fx, gint64 account)
{
  g_autoptr(GError) error = NULL;
  JsonNode *doc = engine_sync (fx->engine, account, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  return doc;
}

/* Everything the account supplied, ids included: a delete-and-insert of
 * the same data would show as a difference. */
static char *
dump_account (Fixture *fx, gint64 account)
{
  static const char *queries[] = {
    "SELECT au.id, au.app_id, au.person_id, p.email, au.external_user_id, au.status, au.role, "
    "  au.last_activity, au.license_sku FROM app_users au LEFT JOIN people p ON p.id = au.person_id "
    "  WHERE au.source_account_id = ?1 ORDER BY au.id",
    "SELECT * FROM licenses WHERE source_account_id = ?1 ORDER BY id",
    "SELECT * FROM custom_user_fields WHERE source_account_id = ?1 ORDER BY id",
    "SELECT * FROM groups WHERE source_account_id = ?1 ORDER BY id",
    "SELECT * FROM transactions WHERE source_account_id = ?1 ORDER BY id",
    "SELECT * FROM app_sources WHERE source_account_id = ?1 ORDER BY id",
    "SELECT * FROM people ORDER BY id",
    "SELECT * FROM apps ORDER BY id",
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *part = db_dump (fx->db, queries[i], "i", account);
      g_string_append_printf (out, "-- %u\n%s", i, part);
    }
  return g_string_free (out, FALSE);
}

static char *
dump_users (Fixture *fx, gint64 account)
{
  return db_dump (fx->db, "SELECT * FROM app_users WHERE source_account_id = ? ORDER BY id", "i", account);
}

static gint64
count_users (Fixture *fx, gint64 account)
{
  /* The account's own users, not an identity provider's assignments. */
  return db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ? "
                 "AND source_kind = 'account'", "i", account);
}

/* ---- Interrupted syncs --------------------------------------------------- */

static void
cancel_on_users_cb (PorticoEngine *engine,
                    gint64         account,
                    const char    *data_type,
                    gint64         items,
                    gpointer       user_data)
{
  if (g_str_equal (data_type, "users") && items > 0)
    g_cancellable_cancel (user_data);
}

static void
assert_interrupted (JsonNode *doc, const GError *error, const char *data_type)
{
  if (doc == NULL)
    {
      /* Allowed: the sync itself reports the cancellation. */
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      return;
    }
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), !=, "ok");
  g_assert_cmpstr (json_object_get_string_member (sync_doc_type (doc, data_type), "status"), ==, "failed");
  g_assert_nonnull (json_object_get_string_member (sync_doc_type (doc, data_type), "error"));
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 account;
  gulong handler;

  if (!need_keyring ())
    return;
  account = connect_kind (fx, "okta", "ok", FALSE);
  first = sync_ok (fx, account);
  g_assert_cmpint (count_users (fx, account), ==,
                   json_array_get_length (portico_sandbox_get_expected (sandbox, "okta", "users")));
  g_assert_cmpint (count_users (fx, account), >, 200); /* several pages */
  before = dump_account (fx, account);

  handler = g_signal_connect (fx->engine, "sync-progress", G_CALLBACK (cancel_on_users_cb), cancellable);
  doc = engine_sync (fx->engine, account, cancellable, &error);
  g_signal_handler_disconnect (fx->engine, handler);
  assert_interrupted (doc, error, "users");
  if (doc != NULL)
    {
      /* Nothing after the cancel ran as if it had worked. */
      JsonArray *types = json_object_get_array_member (json_node_get_object (doc), "data_types");
      for (guint i = 0; i < json_array_get_length (types); i++)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (types, i), "status"),
                         ==, "failed");
    }
  g_assert_false (portico_engine_is_syncing (fx->engine, account));

  after = dump_account (fx, account);
  g_assert_cmpstr (after, ==, before);

  /* And the next sync works again. */
  g_clear_pointer (&doc, json_node_unref);
  doc = sync_ok (fx, account);
}

static void
test_server_storm (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) account_node = NULL;
  JsonArray *types;
  gint64 account;

  if (!need_keyring ())
    return;
  account = connect_kind (fx, "okta", "ok", FALSE);
  first = sync_ok (fx, account);
  before = dump_account (fx, account);

  /* More 500s than all retries of every data type can use up. */
  portico_sandbox_set_fault (sandbox, "okta", PORTICO_SANDBOX_FAULT_SERVER, 1000);
  doc = engine_sync (fx->engine, account, NULL, &error);
  portico_sandbox_set_fault (sandbox, "okta", PORTICO_SANDBOX_FAULT_NONE, 0);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "failed");
  types = json_object_get_array_member (json_node_get_object (doc), "data_types");
  g_assert_cmpuint (json_array_get_length (types), >, 0);
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "failed");
      g_assert_cmpint (json_object_get_int_member (t, "items"), ==, 0);
    }

  after = dump_account (fx, account);
  g_assert_cmpstr (after, ==, before);

  /* The failure is recorded per data type; the last success time stays. */
  account_node = portico_store_get_account (fx->store, account, &error);
  g_assert_no_error (error);
  types = json_object_get_array_member (json_node_get_object (account_node), "data_types");
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, "failed");
      g_assert_nonnull (json_object_get_string_member_with_default (t, "last_success_at", NULL));
    }
}

typedef struct
{
  gboolean armed;
} MalformedState;

static void
malformed_after_first_page_cb (PorticoEngine *engine,
                               gint64         account,
                               const char    *data_type,
                               gint64         items,
                               gpointer       user_data)
{
  MalformedState *state = user_data;

  /* The first page of users arrived and page 2 is (about to be) asked for:
   * its answer is not JSON. */
  if (!state->armed && g_str_equal (data_type, "users"))
    {
      state->armed = TRUE;
      portico_sandbox_set_fault (sandbox, "okta", PORTICO_SANDBOX_FAULT_MALFORMED, 1);
    }
}

static void
test_malformed_page (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) requests = NULL;
  MalformedState state = { FALSE };
  JsonArray *log;
  gint64 account;
  gulong handler;
  guint malformed = 0;

  if (!need_keyring ())
    return;
  account = connect_kind (fx, "okta", "ok", FALSE);
  first = sync_ok (fx, account);
  before = dump_users (fx, account);

  handler = g_signal_connect (fx->engine, "sync-progress",
                              G_CALLBACK (malformed_after_first_page_cb), &state);
  doc = engine_sync (fx->engine, account, NULL, &error);
  g_signal_handler_disconnect (fx->engine, handler);
  g_assert_no_error (error);
  g_assert_true (state.armed);

  requests = portico_sandbox_get_requests (sandbox);
  log = json_node_get_array (requests);
  for (guint i = 0; i < json_array_get_length (log); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (log, i),
                                                               "fault", NULL), "malformed") == 0)
      malformed++;
  g_assert_cmpuint (malformed, >=, 1);

  assert_interrupted (doc, NULL, "users");
  after = dump_users (fx, account);
  g_assert_cmpstr (after, ==, before);
}

/* ---- Shared pages and stored counts --------------------------------------- */

static guint
count_user_pages (guint after_seq)
{
  g_autoptr(JsonNode) requests = portico_sandbox_get_requests (sandbox);
  JsonArray *log = json_node_get_array (requests);
  guint pages = 0;

  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if ((guint) json_object_get_int_member (entry, "seq") > after_seq &&
          g_strcmp0 (json_object_get_string_member (entry, "connector"), "okta") == 0 &&
          g_strcmp0 (json_object_get_string_member (entry, "path"), "/api/v1/users") == 0)
        pages++;
    }
  return pages;
}

static guint
last_request_seq (void)
{
  g_autoptr(JsonNode) requests = portico_sandbox_get_requests (sandbox);

  return json_array_get_length (json_node_get_array (requests));
}

/* Okta's custom fields say request_from users: the users' pages serve both
 * data types, each page requested once. What the sync reports is what was
 * stored (test-store pins items read but not stored). */
static void
test_request_from_shares_pages (Fixture *fx, gconstpointer data)
{
  JsonArray *users = portico_sandbox_get_expected (sandbox, "okta", "users");
  JsonArray *fields = portico_sandbox_get_expected (sandbox, "okta", "custom_fields");
  g_autoptr(JsonNode) doc = NULL;
  JsonObject *users_result, *fields_result;
  gint64 account, stored_fields, valued_fields = 0;
  guint before, expected_pages;

  if (!need_keyring ())
    return;
  account = connect_kind (fx, "okta", "ok", FALSE);
  expected_pages = (json_array_get_length (users) + 199) / 200;
  g_assert_cmpuint (expected_pages, >=, 3);

  before = last_request_seq ();
  doc = sync_ok (fx, account);
  users_result = sync_doc_type (doc, "users");
  fields_result = sync_doc_type (doc, "custom_fields");
  g_assert_nonnull (users_result);
  g_assert_nonnull (fields_result);
  g_assert_cmpstr (json_object_get_string_member (fields_result, "status"), ==, "ok");
  g_assert_cmpuint (count_user_pages (before), ==, expected_pages);

  /* Counts are the stored rows. */
  g_assert_cmpint (json_object_get_int_member (users_result, "items"), ==, count_users (fx, account));
  g_assert_cmpint (count_users (fx, account), ==, json_array_get_length (users));
  stored_fields = db_int (fx->db, "SELECT count(*) FROM custom_user_fields WHERE source_account_id = ?",
                          "i", account);
  g_assert_cmpint (json_object_get_int_member (fields_result, "items"), ==, stored_fields);
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *user_fields = json_object_get_object_member (json_array_get_object_element (fields, i), "fields");
      g_autoptr(GList) labels = json_object_get_members (user_fields);

      for (GList *l = labels; l != NULL; l = l->next)
        if (!json_node_is_null (json_object_get_member (user_fields, l->data)))
          valued_fields++;
    }
  g_assert_cmpint (stored_fields, ==, valued_fields);
  g_assert_cmpint (stored_fields, >, 0);

  /* A re-sync reports the same stored counts, not the items read twice. */
  g_clear_pointer (&doc, json_node_unref);
  before = last_request_seq ();
  doc = sync_ok (fx, account);
  g_assert_cmpuint (count_user_pages (before), ==, expected_pages);
  g_assert_cmpint (json_object_get_int_member (sync_doc_type (doc, "custom_fields"), "items"), ==, stored_fields);
}

/* ---- Partial syncs --------------------------------------------------------- */

static void
test_partial (Fixture *fx, gconstpointer data)
{
  g_auto(GStrv) plan_failures = portico_sandbox_get_plan_failures (sandbox, "okta");
  g_autoptr(GHashTable) ok_values = portico_sandbox_get_field_values (sandbox, "okta", "ok");
  g_autoptr(GHashTable) plan_values = portico_sandbox_get_field_values (sandbox, "okta", "plan");
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(JsonNode) account_node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *types;
  gint64 account, again, replaced = -1;

  if (!need_keyring ())
    return;
  g_assert_nonnull (plan_failures);
  g_assert_nonnull (plan_failures[0]);

  /* Outcome B is refused without accept_partial... */
  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), plan_values);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_B);
  g_assert_cmpint (engine_connect (fx->engine, test, plan_values, FALSE, &error), ==, 0);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_PLAN);
  g_clear_error (&error);
  g_clear_object (&test);

  /* ...then the plan's data types are off, and the rest syncs. */
  account = connect_kind (fx, "okta", "ok", FALSE);
  doc = sync_ok (fx, account);
  g_clear_pointer (&doc, json_node_unref);

  /* The plan was downgraded: same tenant, the plan secret. */
  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), plan_values);
  again = engine_reconnect (fx->engine, account, test, plan_values, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, account);
  g_assert_cmpint (replaced, ==, 0);

  doc = engine_sync (fx->engine, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "partial");
  types = json_object_get_array_member (json_node_get_object (doc), "data_types");
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      const char *id = json_object_get_string_member (t, "id");
      gboolean should_fail = g_strv_contains ((const char * const *) plan_failures, id);

      g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, should_fail ? "failed" : "ok");
      if (should_fail)
        {
          g_assert_nonnull (json_object_get_string_member_with_default (t, "error", NULL));
          /* Okta answers 403: a plan tier or a permission. */
          g_assert_true (g_strcmp0 (json_object_get_string_member_with_default (t, "error_code", NULL), "plan") == 0 ||
                         g_strcmp0 (json_object_get_string_member_with_default (t, "error_code", NULL), "forbidden") == 0);
        }
    }

  account_node = portico_store_get_account (fx->store, account, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (account_node), "status"), ==, "partial");
  types = json_object_get_array_member (json_node_get_object (account_node), "data_types");
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      gboolean should_fail = g_strv_contains ((const char * const *) plan_failures,
                                              json_object_get_string_member (t, "id"));
      g_assert_cmpstr (json_object_get_string_member (t, "status"), ==, should_fail ? "failed" : "ok");
    }
}

static void
test_accept_partial (Fixture *fx, gconstpointer data)
{
  g_auto(GStrv) plan_failures = portico_sandbox_get_plan_failures (sandbox, "okta");
  g_autoptr(JsonNode) account_node = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *types;
  gint64 account;

  if (!need_keyring ())
    return;
  account = connect_kind (fx, "okta", "plan", TRUE);
  account_node = portico_store_get_account (fx->store, account, &error);
  g_assert_no_error (error);
  types = json_object_get_array_member (json_node_get_object (account_node), "data_types");
  for (guint i = 0; i < json_array_get_length (types); i++)
    {
      JsonObject *t = json_array_get_object_element (types, i);
      gboolean off = g_strv_contains ((const char * const *) plan_failures, json_object_get_string_member (t, "id"));

      g_assert_cmpint (json_object_get_boolean_member (t, "enabled"), ==, !off);
      if (off)
        g_assert_nonnull (json_object_get_string_member_with_default (t, "disabled_reason", NULL));
    }

  /* Only the enabled ones sync, and they all work. */
  doc = sync_ok (fx, account);
  types = json_object_get_array_member (json_node_get_object (doc), "data_types");
  {
    g_auto(GStrv) all_types = portico_connector_get_data_types (portico_catalog_lookup (catalog, "okta"));

    g_assert_cmpuint (json_array_get_length (types), ==,
                      g_strv_length (all_types) - g_strv_length (plan_failures));
  }
  for (guint i = 0; plan_failures[i]; i++)
    g_assert_null (sync_doc_type (doc, plan_failures[i]));
}

/* ---- People, discovered apps, disconnect ----------------------------------- */

static void
test_merge_discover_disconnect (Fixture *fx, gconstpointer data)
{
  g_autoptr(JsonNode) d1 = NULL;
  g_autoptr(JsonNode) d2 = NULL;
  g_autoptr(JsonNode) apps = NULL;
  g_autoptr(JsonNode) apps_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autofree char *email = NULL;
  g_autofree char *slack_before = NULL;
  g_autofree char *slack_after = NULL;
  JsonArray *slack_users = portico_sandbox_get_expected (sandbox, "slack", "users");
  JsonArray *discovered = portico_sandbox_get_expected (sandbox, "okta", "discovered_apps");
  const char *recommended = NULL;
  gint64 okta, slack, okta_app, assignments;
  gint64 shared = 0;
  JsonArray *array;

  if (!need_keyring ())
    return;
  okta = connect_kind (fx, "okta", "ok", FALSE);
  slack = connect_kind (fx, "slack", "ok", FALSE);
  d1 = sync_ok (fx, okta);
  d2 = sync_ok (fx, slack);

  /* Every Slack user whose email Okta also knows is one person with two
   * sources. */
  for (guint i = 0; i < json_array_get_length (slack_users); i++)
    {
      JsonObject *u = json_array_get_object_element (slack_users, i);
      const char *e = json_object_get_string_member_with_default (u, "email", NULL);

      if (e == NULL)
        continue;
      g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM people WHERE email = ? COLLATE NOCASE", "s", e), ==, 1);
      if (db_int (fx->db, "SELECT count(DISTINCT au.source_account_id) FROM app_users au JOIN people p "
                  "ON p.id = au.person_id WHERE p.email = ? COLLATE NOCASE AND au.source_account_id IN (?, ?)",
                  "sii", e, okta, slack) == 2)
        {
          shared++;
          if (email == NULL)
            email = g_strdup (e);
        }
    }
  g_assert_cmpint (shared, >, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM people", NULL), ==,
                   db_int (fx->db, "SELECT count(DISTINCT lower (email)) FROM people", NULL));

  /* Case does not matter: another source spelling the email in capitals
   * lands on the same person. */
  {
    g_autofree char *upper = g_ascii_strup (email, -1);
    g_autofree char *body = g_strdup_printf ("{\"items\":[{\"id\":\"x1\",\"email\":\" %s \",\"name\":\"Someone\"}]}", upper);
    g_autoptr(JsonObject) map = json_object_new ();
    g_autoptr(PorticoStoreMapping) mapping = NULL;
    g_autoptr(PorticoStoreReplace) replace = NULL;
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
    PorticoStoreDataTypeSpec spec = { "users", TRUE, NULL };
    PorticoStoreNewAccount manual = { 0, };
    gint64 third;

    manual.connector_id = "custom-hr";
    manual.connector_name = "Custom HR";
    manual.category = "human_resources";
    manual.name = "Custom HR";
    manual.permission = "read";
    manual.data_types = &spec;
    manual.n_data_types = 1;
    third = portico_store_create_account_sync (fx->store, &manual, &error);
    g_assert_no_error (error);
    json_object_set_string_member (map, "id", "id");
    json_object_set_string_member (map, "email", "email");
    json_object_set_string_member (map, "name", "name");
    mapping = portico_store_mapping_new ("users", "items", map, &error);
    g_assert_no_error (error);
    replace = portico_store_replace_begin (fx->store, third, mapping);
    g_assert_true (portico_store_replace_add_page_sync (replace, bytes, &error));
    g_assert_no_error (error);
    g_assert_cmpint (portico_store_replace_commit_sync (replace, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM people WHERE email = ? COLLATE NOCASE", "s", email), ==, 1);
    g_assert_cmpint (db_int (fx->db, "SELECT count(DISTINCT au.source_account_id) FROM app_users au JOIN people p "
                             "ON p.id = au.person_id WHERE p.email = ? COLLATE NOCASE", "s", email), ==, 3);
  }

  /* Discovered apps name Okta as their source; one with a connector and no
   * account is what Recommended to connect shows. */
  apps = portico_store_list_apps (fx->store, &error);
  g_assert_no_error (error);
  array = json_node_get_array (apps);
  for (guint i = 0; i < json_array_get_length (discovered) && recommended == NULL; i++)
    {
      const char *name = json_object_get_string_member (json_array_get_object_element (discovered, i), "name");

      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (catalog)); k++)
        {
          g_autoptr(PorticoConnector) c = g_list_model_get_item (G_LIST_MODEL (catalog), k);
          if (g_ascii_strcasecmp (portico_connector_get_name (c), name) == 0 &&
              !g_str_equal (portico_connector_get_id (c), "okta") &&
              !g_str_equal (portico_connector_get_id (c), "slack"))
            recommended = name;
        }
    }
  g_assert_nonnull (recommended);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *app = json_array_get_object_element (array, i);
        JsonArray *details;

        if (g_ascii_strcasecmp (json_object_get_string_member (app, "name"), recommended) != 0)
          continue;
        found = TRUE;
        g_assert_false (json_object_get_boolean_member (app, "connected"));
        /* The engine linked the discovered name to its connector. */
        g_assert_nonnull (json_object_get_string_member_with_default (app, "connector", NULL));
        details = json_object_get_array_member (app, "source_details");
        g_assert_cmpuint (json_array_get_length (details), ==, 1);
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (details, 0), "kind"), ==, "idp");
        g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (details, 0), "account"), ==, okta);
      }
    g_assert_true (found);
  }

  /* Disconnecting Okta removes what it supplied and nothing of Slack's. */
  okta_app = db_int (fx->db, "SELECT app_id FROM accounts WHERE id = ?", "i", okta);
  slack_before = db_dump (fx->db, "SELECT * FROM app_users WHERE source_account_id = ? ORDER BY id", "i", slack);
  assignments = db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ? AND source_kind = 'idp'",
                        "i", okta);
  g_assert_cmpint (assignments, ==,
                   json_array_get_length (portico_sandbox_get_expected (sandbox, "okta", "app_assignments")));
  summary = engine_disconnect (fx->engine, okta, &error);
  g_assert_no_error (error);
  /* Its users and its assignments to the apps it discovered. */
  g_assert_cmpint (summary->app_users, ==,
                   json_array_get_length (portico_sandbox_get_expected (sandbox, "okta", "users")) + assignments);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM app_users WHERE source_account_id = ?", "i", okta), ==, 0);
  g_assert_cmpint (count_users (fx, okta), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM groups WHERE source_account_id = ?", "i", okta), ==, 0);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM custom_user_fields WHERE source_account_id = ?", "i", okta), ==, 0);
  slack_after = db_dump (fx->db, "SELECT * FROM app_users WHERE source_account_id = ? ORDER BY id", "i", slack);
  g_assert_cmpstr (slack_after, ==, slack_before);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM people WHERE email = ? COLLATE NOCASE", "s", email), ==, 1);
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM custom_user_fields WHERE source_account_id = ?", "i", slack), >, 0);

  /* The discovered app stays, still naming the (now disconnected) Okta. */
  apps_after = portico_store_list_apps (fx->store, &error);
  g_assert_no_error (error);
  array = json_node_get_array (apps_after);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *app = json_array_get_object_element (array, i);
        JsonArray *details;

        if (g_ascii_strcasecmp (json_object_get_string_member (app, "name"), recommended) != 0)
          continue;
        found = TRUE;
        details = json_object_get_array_member (app, "source_details");
        g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (details, 0), "account"), ==, okta);
      }
    g_assert_true (found);
  }
  g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM app_users WHERE app_id = ? AND source_account_id = ?",
                           "ii", okta_app, okta), ==, 0);
}

/* The number of people the sandbox's identity provider @connector_id
 * assigned to each app it discovered, by app name (assignments to groups
 * are not people). */
static GHashTable *
expected_assignments (const char *connector_id)
{
  JsonArray *discovered = portico_sandbox_get_expected (sandbox, connector_id, "discovered_apps");
  JsonArray *assigned = portico_sandbox_get_expected (sandbox, connector_id, "app_assignments");
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < json_array_get_length (assigned); i++)
    {
      JsonObject *a = json_array_get_object_element (assigned, i);
      const char *app = json_object_get_string_member (a, "app_id");

      if (g_strcmp0 (json_object_get_string_member_with_default (a, "principal_type", "user"), "user") != 0)
        continue;
      g_hash_table_replace (by_id, (gpointer) app,
                            GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (by_id, app)) + 1));
    }
  for (guint i = 0; i < json_array_get_length (discovered); i++)
    {
      JsonObject *app = json_array_get_object_element (discovered, i);
      const char *id = json_object_get_string_member (app, "id");

      if (g_hash_table_contains (by_id, id))
        g_hash_table_replace (by_name, g_ascii_strdown (json_object_get_string_member (app, "name"), -1),
                              g_hash_table_lookup (by_id, id));
    }
  return by_name;
}

/* Okta and Entra ID report no user count with their apps: the count of a
 * discovered app is the number of people the identity provider assigned to
 * it (Okta: GET /api/v1/apps/{id}/users; Entra ID: the User principals of
 * GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo, groups not counted;
 * read per app), and Recommended to connect ranks by it. @data: the
 * connector id. */
static void
test_idp_assignments (Fixture *fx, gconstpointer data)
{
  const char *idp_id = data;
  const char *idp_name = portico_connector_get_name (portico_catalog_lookup (catalog, idp_id));
  g_autoptr(GHashTable) expected = expected_assignments (idp_id);
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(JsonNode) apps = NULL;
  g_autoptr(JsonNode) recommended = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  JsonArray *array;
  guint checked = 0;
  gint64 previous = G_MAXINT64;
  gint64 idp;

  if (!need_keyring ())
    return;
  g_assert_cmpuint (g_hash_table_size (expected), >, 2);
  idp = connect_kind (fx, idp_id, "ok", FALSE);
  doc = sync_ok (fx, idp);

  apps = portico_store_list_apps (fx->store, &error);
  g_assert_no_error (error);
  array = json_node_get_array (apps);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *app = json_array_get_object_element (array, i);
      g_autofree char *name = g_ascii_strdown (json_object_get_string_member (app, "name"), -1);
      gpointer want;

      if (!g_hash_table_lookup_extended (expected, name, NULL, &want))
        continue;
      /* Reported by the identity provider, and the same people counted
       * from the store. */
      g_assert_cmpint (json_object_get_int_member (app, "reported_user_count"), ==, GPOINTER_TO_SIZE (want));
      g_assert_cmpint (json_object_get_int_member (app, "user_count"), ==, GPOINTER_TO_SIZE (want));
      g_assert_cmpint (GPOINTER_TO_SIZE (want), >, 0);
      checked++;
    }
  g_assert_cmpuint (checked, ==, g_hash_table_size (expected));

  portico_engine_list_recommended_async (fx->engine, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  recommended = portico_engine_list_recommended_finish (fx->engine, result, &error);
  g_assert_no_error (error);
  array = json_node_get_array (recommended);
  g_assert_cmpuint (json_array_get_length (array), >, 1);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *r = json_array_get_object_element (array, i);
      g_autofree char *name = g_ascii_strdown (json_object_get_string_member (r, "app"), -1);
      g_autofree char *count = NULL;
      gint64 users = json_object_get_int_member (r, "users");

      g_assert_cmpint (users, ==, GPOINTER_TO_SIZE (g_hash_table_lookup (expected, name)));
      g_assert_cmpint (users, <=, previous);
      previous = users;
      /* The reason names the count and who reported it. */
      count = users == 1 ? g_strdup ("1 person") : g_strdup_printf ("%" G_GINT64_FORMAT " people", users);
      g_assert_nonnull (strstr (json_object_get_string_member (r, "reason"), count));
      g_assert_nonnull (strstr (json_object_get_string_member (r, "reason"), idp_name));
    }
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0), "users"), >, 0);
}

/* ---- Reconnect -------------------------------------------------------------- */

static GHashTable *
tenant_values (const char *connector_id, const char *tenant)
{
  GHashTable *values = portico_sandbox_get_field_values (sandbox, connector_id, "ok");
  PorticoConnector *connector = portico_catalog_lookup (catalog, connector_id);
  GPtrArray *fields = portico_connector_get_fields (connector);

  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *old = g_hash_table_lookup (values, field->id);

      if (field->type == PORTICO_FIELD_SECRET && old != NULL)
        g_hash_table_insert (values, g_strdup (field->id), g_strconcat (old, "-", tenant, NULL));
    }
  return values;
}

static void
test_reconnect (Fixture *fx, gconstpointer data)
{
  g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (sandbox, "okta", "ok");
  g_autoptr(GHashTable) globex = tenant_values ("okta", "globex");
  g_autoptr(GHashTable) single_globex = tenant_values ("gusto", "globex");
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) old_node = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  gint64 okta, id, replaced = -1, single;

  if (!need_keyring ())
    return;
  okta = connect_kind (fx, "okta", "ok", FALSE);

  /* The same identity once more is refused on connect... */
  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), ok);
  g_assert_cmpint (engine_connect (fx->engine, test, ok, FALSE, &error), ==, 0);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* ...and on reconnect keeps the account. */
  id = engine_reconnect (fx->engine, okta, test, ok, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, okta);
  g_assert_cmpint (replaced, ==, 0);
  g_clear_object (&test);

  /* Another tenant on a multi-account connector: a second account. */
  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), globex);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_cmpstr (portico_connection_test_get_external_id (test), !=,
                   json_object_get_string_member (portico_sandbox_get_expected_identity (sandbox, "okta"), "id"));
  id = engine_reconnect (fx->engine, okta, test, globex, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, !=, okta);
  g_assert_cmpint (replaced, ==, 0);
  accounts = portico_store_list_accounts (fx->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==, 2);
  /* The new account syncs with its own secret. */
  doc = sync_ok (fx, id);
  g_clear_pointer (&doc, json_node_unref);
  g_clear_object (&test);
  g_clear_pointer (&accounts, json_node_unref);

  /* Another tenant on a single-account connector: the old one goes. */
  g_assert_false (portico_connector_get_multi_account (portico_catalog_lookup (catalog, "gusto")));
  single = connect_kind (fx, "gusto", "ok", FALSE);
  doc = sync_ok (fx, single);
  g_assert_cmpint (count_users (fx, single), >, 0);
  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "gusto"), single_globex);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_cmpstr (portico_connection_test_get_external_id (test), !=,
                   json_object_get_string_member (portico_sandbox_get_expected_identity (sandbox, "gusto"), "id"));
  id = engine_reconnect (fx->engine, single, test, single_globex, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, !=, single);
  g_assert_cmpint (replaced, ==, single);
  old_node = portico_store_get_account (fx->store, single, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (old_node), "status"), ==, "disconnected");
  g_assert_cmpint (count_users (fx, single), ==, 0);
  accounts = portico_store_list_accounts (fx->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==, 3);
}

/* ---- Keyring ------------------------------------------------------------------ */

static void
test_no_keyring (Fixture *fx, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GHashTable) values = portico_sandbox_get_field_values (sandbox, "okta", "ok");
      g_autoptr(PorticoConnectionTest) test = NULL;
      g_autoptr(JsonNode) accounts = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);
      portico_credentials_set_timeout (portico_engine_get_credentials (fx->engine), 5000);
      test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), values);
      g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
      g_assert_cmpint (engine_connect (fx->engine, test, values, FALSE, &error), ==, 0);
      g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NO_SERVICE);
      g_printerr ("MESSAGE: %s\n", error->message);
      accounts = portico_store_list_accounts (fx->store, NULL);
      g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==, 0);
      g_assert_cmpint (db_int (fx->db, "SELECT count(*) FROM accounts", NULL), ==, 0);
      return;
    }

  /* Generous: the sanitizer build runs this child many times slower. */
  g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*MESSAGE: *keyring*");
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}

static void
test_secrets_not_in_database (Fixture *fx, gconstpointer data)
{
  const char *ids[] = { "okta", "slack" };
  const char *suffixes[] = { "", "-wal", "-journal" };

  if (!need_keyring ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(GHashTable) values = tenant_values (ids[i], "zq8w");
      g_autoptr(JsonNode) doc = NULL;
      PorticoConnector *connector = portico_catalog_lookup (catalog, ids[i]);
      GPtrArray *fields = portico_connector_get_fields (connector);
      gint64 account = connect_values (fx, ids[i], values, FALSE);

      doc = sync_ok (fx, account);
      for (guint f = 0; f < fields->len; f++)
        {
          const PorticoConnectorField *field = g_ptr_array_index (fields, f);
          const char *secret = g_hash_table_lookup (values, field->id);

          if (field->type != PORTICO_FIELD_SECRET || secret == NULL)
            continue;
          for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
            {
              g_autofree char *path = g_strconcat (fx->db, suffixes[s], NULL);
              if (file_contains (path, secret))
                g_error ("The secret of %s is in %s", ids[i], path);
            }
        }
    }
  /* A value that is stored (not secret) is found by the same search. */
  {
    g_autofree char *wal = g_strconcat (fx->db, "-wal", NULL);
    g_assert_true (file_contains (fx->db, "acme.example") || file_contains (wal, "acme.example"));
  }
}


static char *
account_fingerprint (Fixture *fx, gint64 account)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = portico_store_get_account (fx->store, account, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (node),
                                                               "fingerprint", NULL));
}

/* Each secret of @values with @prefix in front: another key that the
 * sandbox still takes for the same tenant (it looks for its marker). */
static GHashTable *
other_key_values (const char *connector_id, const char *prefix)
{
  GHashTable *values = portico_sandbox_get_field_values (sandbox, connector_id, "ok");
  GPtrArray *fields = portico_connector_get_fields (portico_catalog_lookup (catalog, connector_id));

  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *old = g_hash_table_lookup (values, field->id);

      if (field->type == PORTICO_FIELD_SECRET && old != NULL)
        g_hash_table_insert (values, g_strdup (field->id), g_strconcat (prefix, old, NULL));
    }
  return values;
}

#define RANDOM_KEY_PART "k7Qz9XwP2vLmT4"

/* The credential fingerprint: recorded at connect, the same after a
 * reconnect with the same key, another after a reconnect with another key
 * (same identity) or another tenant's key; never the key or part of it, in
 * the database file or its WAL. */
static void
test_fingerprint (Fixture *fx, gconstpointer data)
{
  g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (sandbox, "okta", "ok");
  g_autoptr(GHashTable) rotated = other_key_values ("okta", RANDOM_KEY_PART);
  g_autoptr(GHashTable) globex = tenant_values ("okta", "globex");
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *other_tenant = NULL;
  GHashTable *all_values[] = { ok, rotated, globex };
  const char *suffixes[] = { "", "-wal" };
  gint64 okta, id, replaced = -1;
  GPtrArray *fields = portico_connector_get_fields (portico_catalog_lookup (catalog, "okta"));

  if (!need_keyring ())
    return;
  okta = connect_values (fx, "okta", ok, FALSE);
  first = account_fingerprint (fx, okta);
  g_assert_nonnull (first);
  g_assert_cmpuint (strlen (first), ==, 8);

  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), ok);
  id = engine_reconnect (fx->engine, okta, test, ok, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, okta);
  again = account_fingerprint (fx, okta);
  g_assert_cmpstr (again, ==, first);
  g_clear_object (&test);

  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), rotated);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  id = engine_reconnect (fx->engine, okta, test, rotated, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, okta);
  other_key = account_fingerprint (fx, okta);
  g_assert_nonnull (other_key);
  g_assert_cmpstr (other_key, !=, first);
  g_clear_object (&test);

  test = run_connection_test (fx->engine, portico_catalog_lookup (catalog, "okta"), globex);
  id = engine_reconnect (fx->engine, okta, test, globex, &replaced, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, !=, okta);
  other_tenant = account_fingerprint (fx, id);
  g_assert_nonnull (other_tenant);
  g_assert_cmpstr (other_tenant, !=, other_key);
  g_assert_cmpstr (other_tenant, !=, first);

  /* The fingerprints are in the file; no secret is, nor any 6 characters
   * of the random part of the second key; no fingerprint is a piece of a
   * secret. */
  {
    g_autofree char *wal = g_strconcat (fx->db, "-wal", NULL);
    g_assert_true (file_contains (fx->db, other_tenant) || file_contains (wal, other_tenant));
  }
  for (guint v = 0; v < G_N_ELEMENTS (all_values); v++)
    for (guint f = 0; f < fields->len; f++)
      {
        const PorticoConnectorField *field = g_ptr_array_index (fields, f);
        const char *secret = g_hash_table_lookup (all_values[v], field->id);

        if (field->type != PORTICO_FIELD_SECRET || secret == NULL)
          continue;
        g_assert_null (strstr (secret, first));
        g_assert_null (strstr (secret, other_key));
        g_assert_null (strstr (secret, other_tenant));
        for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
          {
            g_autofree char *path = g_strconcat (fx->db, suffixes[s], NULL);

            if (file_contains (path, secret))
              g_error ("A secret is in %s", path);
            for (gsize at = 0; v == 1 && at + 6 <= strlen (RANDOM_KEY_PART); at++)
              {
                g_autofree char *piece = g_strndup (RANDOM_KEY_PART + at, 6);

                if (file_contains (path, piece))
                  g_error ("“%s” of a secret is in %s", piece, path);
              }
          }
      }
}

static GHashTable *
load_values (PorticoEngine *engine,
             gint64         account_id,
             GError       **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_engine_load_values_async (engine, account_id, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_engine_load_values_finish (engine, result, error);
}

/* Two engines over two databases in one process, each with an account of
 * the same id: each engine's keyring object reads, replaces and deletes
 * only its own item, and a demo engine over the same database sees none. */
static void
test_two_engines_apart (Fixture *fx, gconstpointer data)
{
  g_autoptr(GHashTable) alpha = tenant_values ("okta", "alpha");
  g_autoptr(GHashTable) beta = tenant_values ("okta", "beta");
  g_autofree char *other_db = g_build_filename (fx->dir, "other.db", NULL);
  g_autoptr(PorticoStore) other_store = NULL;
  g_autoptr(PorticoEngine) other = NULL;
  g_autoptr(PorticoEngine) demo = NULL;
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mine, theirs;

  if (!need_keyring ())
    return;

  other_store = portico_store_open (other_db, &error);
  g_assert_no_error (error);
  other = portico_engine_new (other_store, catalog, runtime);
  demo = portico_engine_new (other_store, catalog, runtime);
  portico_engine_set_demo (demo, TRUE);

  g_assert_cmpstr (portico_credentials_get_scope (portico_engine_get_credentials (fx->engine)), !=,
                   portico_credentials_get_scope (portico_engine_get_credentials (other)));
  g_assert_cmpstr (portico_credentials_get_scope (portico_engine_get_credentials (other)), ==,
                   portico_credentials_get_scope (portico_engine_get_credentials (demo)));
  g_assert_false (portico_credentials_get_demo (portico_engine_get_credentials (other)));
  g_assert_true (portico_credentials_get_demo (portico_engine_get_credentials (demo)));

  mine = connect_values (fx, "okta", alpha, FALSE);
  test = run_connection_test (other, portico_catalog_lookup (catalog, "okta"), beta);
  theirs = engine_connect (other, test, beta, FALSE, &error);
  g_assert_no_error (error);
  /* The same account id in both databases: only the scope tells them apart. */
  g_assert_cmpint (mine, ==, theirs);

  found = load_values (fx->engine, mine, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, g_hash_table_lookup (alpha, "api_token"));
  g_clear_pointer (&found, g_hash_table_unref);
  found = load_values (other, theirs, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, g_hash_table_lookup (beta, "api_token"));
  g_clear_pointer (&found, g_hash_table_unref);

  /* The demo profile of the same database has no item for that account. */
  found = load_values (demo, theirs, &error);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_clear_error (&error);

  /* Disconnecting in one database keeps its item (it can be restored);
   * forgetting its credentials deletes that item only. */
  summary = engine_disconnect (fx->engine, mine, &error);
  g_assert_no_error (error);
  found = portico_credentials_lookup_sync (portico_engine_get_credentials (fx->engine), mine, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_clear_pointer (&found, g_hash_table_unref);
  {
    g_autoptr(GAsyncResult) result = NULL;
    GAsyncResult *slot = NULL;

    portico_engine_forget_credentials_async (fx->engine, mine, NULL, store_result_cb, &slot);
    result = wait_result (&slot);
    g_assert_true (portico_engine_forget_credentials_finish (fx->engine, result, &error));
    g_assert_no_error (error);
  }
  found = portico_credentials_lookup_sync (portico_engine_get_credentials (fx->engine), mine, NULL, &error);
  g_assert_error (error, PORTICO_CREDENTIALS_ERROR, PORTICO_CREDENTIALS_ERROR_NOT_FOUND);
  g_assert_null (found);
  g_clear_error (&error);
  found = load_values (other, theirs, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (found, "api_token"), ==, g_hash_table_lookup (beta, "api_token"));

  clear_keyring_ids (other, theirs, theirs);
  g_clear_object (&demo);
  g_clear_object (&other);
  g_clear_object (&other_store);
  {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (other_db, suffixes[i], NULL);
        g_remove (path);
      }
  }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  sandbox = portico_sandbox_new (catalog, 3, SANDBOX_SIZE);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  runtime = portico_runtime_new ();
  g_object_set (runtime, "retry-base-ms", 10, "max-retry-delay-ms", 200, "max-attempts", 2, NULL);

#define ADD(path, func) g_test_add ("/engine/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("interrupted/cancel", test_cancel);
  ADD ("interrupted/server-storm", test_server_storm);
  ADD ("interrupted/malformed-page", test_malformed_page);
  ADD ("request-from/shares-pages", test_request_from_shares_pages);
  ADD ("partial/plan-downgraded", test_partial);
  ADD ("partial/accept-partial", test_accept_partial);
  ADD ("people/merge-discover-disconnect", test_merge_discover_disconnect);
  g_test_add ("/engine/people/idp-assignments", Fixture, "okta", fixture_setup, test_idp_assignments, fixture_teardown);
  g_test_add ("/engine/people/idp-assignments-entra", Fixture, "microsoft-entra-id", fixture_setup,
              test_idp_assignments, fixture_teardown);
  ADD ("reconnect/rules", test_reconnect);
  ADD ("keyring/none", test_no_keyring);
  ADD ("keyring/secrets-not-in-database", test_secrets_not_in_database);
  ADD ("keyring/fingerprint", test_fingerprint);
  ADD ("keyring/two-engines-apart", test_two_engines_apart);
#undef ADD

  status = g_test_run ();

  g_clear_object (&runtime);
  portico_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  g_clear_object (&catalog);
  return status;
}
