/* test-engine-try.c: the custom-integration editor's field checks and Try it,
 * through the real engine against a users API served in the test over
 * loopback HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "portico-engine-custom.h"

#define SECRET "try-7c1d2e3f4a5b"
#define N_USERS 25

static PorticoCatalog *catalog;
static PorticoRuntime *runtime;

typedef struct
{
  char *dir;
  char *db;
  PorticoStore *store;
  PorticoEngine *engine;
  SoupServer *server;
  char *base;
  GHashTable *values;
  guint hits;
  char *last_auth;
} Fixture;

static char *
dq (const char *text)
{
  char *copy = g_strdup (text);

  for (char *p = copy; *p; p++)
    if (*p == '\'')
      *p = '"';
  return copy;
}

/* A draft as the editor would make it; @pagination and @items are pasted in. */
static char *
draft (const char *id,
       const char *pagination,
       const char *items)
{
  g_autofree char *text = g_strdup_printf (
    "{'format':1,'id':'%s','name':'Team Tool','category':'other',"
    "'help_url':'https://example.com/help','help':'An API token of an administrator.',"
    "'multi_account':true,'base_url':'https://api.teamtool.example/v1',"
    "'headers':{'X.Client':'portico'},"
    "'fields':[{'id':'token','label':'API token','type':'secret','required':true,'help':'Settings > API.'}],"
    "'permissions':[{'id':'read','label':'Read','help':'Users.'}],"
    "'auth':{'scheme':'header','header':'Authorization','value':'Bearer {token}'},"
    "'identity':{'id':{'template':'team-tool'},'name':{'template':'Team Tool'}},"
    "'errors':{'message':'error.message'},"
    "'data_types':{'users':{'label':'Users','essential':true,"
    "  'request':{'method':'GET','path':'/users'},"
    "  'pagination':%s,%s"
    "  'map':{'id':'id','email':{'first':['emails[primary=true].value','profile.email']},"
    "         'name':'profile.name','status':{'path':'active','map':{'true':'active','false':'suspended'}},"
    "         'role':'title'}}}}",
    id, pagination, items);

  return dq (text);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static char *
users_page (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  for (guint i = 0; i < N_USERS; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%02u", i);
      g_autofree char *work = g_strdup_printf ("person%u@teamtool.example", i);
      g_autofree char *home = g_strdup_printf ("person%u@home.example", i);
      g_autofree char *name = g_strdup_printf ("Person %u", i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "@odata.type");
      json_builder_add_string_value (b, "#member");
      json_builder_set_member_name (b, "profile");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "email");
      json_builder_add_string_value (b, work);
      json_builder_end_object (b);
      /* The primary email is the second one: an index would read the
       * wrong one. */
      json_builder_set_member_name (b, "emails");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, home);
      json_builder_set_member_name (b, "primary");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, work);
      json_builder_set_member_name (b, "primary");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "active");
      json_builder_add_boolean_value (b, i % 5 != 4);
      /* Only some have a title: the others map to null. */
      json_builder_set_member_name (b, "title");
      if (i % 2 == 0)
        json_builder_add_string_value (b, "Engineer");
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "next");
  json_builder_add_string_value (b, "page-2");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  f->hits++;
  g_free (f->last_auth);
  f->last_auth = g_strdup (auth);

  if (g_strcmp0 (auth, "Bearer " SECRET) != 0)
    {
      respond (msg, 401, "{\"error\":{\"message\":\"Invalid API token.\"}}");
      return;
    }
  if (g_str_equal (path, "/v1/users"))
    {
      g_autofree char *body = NULL;

      /* Try it reads the first page only. */
      g_assert_null (query != NULL ? g_hash_table_lookup (query, "cursor") : NULL);
      body = users_page ();
      respond (msg, 200, body);
    }
  else
    respond (msg, 404, "{\"error\":{\"message\":\"No such route.\"}}");
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  GSList *uris;

  f->dir = g_dir_make_tmp ("portico-engine-try-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "portico.db", NULL);
  f->store = portico_store_open (f->db, &error);
  g_assert_no_error (error);
  f->engine = portico_engine_new (f->store, catalog, runtime);

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen (f->server, address, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (f->values, g_strdup ("token"), g_strdup (SECRET));
  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (f->base));
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  /* The runtime outlives the test: its kept-alive connections to this
   * server are closed first, so that the server lets go of their sockets. */
  soup_session_abort (portico_runtime_get_session (runtime));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (f->server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->server);
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (f->db, suffixes[i], NULL);
      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
  g_free (f->base);
  g_free (f->last_auth);
  g_hash_table_unref (f->values);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static JsonNode *
try_draft (Fixture    *f,
           const char *text,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  portico_engine_try_connector_async (f->engine, text, -1, f->values, NULL, NULL, result_cb, &slot);
  while (slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = slot;
  return portico_engine_try_connector_finish (f->engine, result, error);
}

/* The sample of @path (a string path, or an array path given as its JSON
 * text) in the "paths" of @result, or NULL when it is not offered. */
static JsonNode *
find_path (JsonObject *result,
           const char *path)
{
  JsonArray *paths = json_object_get_array_member (result, "paths");

  for (guint i = 0; i < json_array_get_length (paths); i++)
    {
      JsonObject *entry = json_array_get_object_element (paths, i);
      JsonNode *node = json_object_get_member (entry, "path");
      g_autofree char *text = JSON_NODE_HOLDS_VALUE (node) ? g_strdup (json_node_get_string (node))
                                                           : json_to_string (node, FALSE);

      if (g_str_equal (text, path))
        return json_object_get_member (entry, "sample");
    }
  return NULL;
}

static void
test_try_records_rows_paths (Fixture      *f,
                             gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
                                 "'items':'data.members',");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = try_draft (f, text, &error);
  JsonObject *result;
  JsonArray *records, *rows;
  JsonObject *row;
  JsonNode *sample;

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (f->hits, ==, 1);
  g_assert_cmpstr (f->last_auth, ==, "Bearer " SECRET);
  result = json_node_get_object (node);

  g_assert_cmpint (json_object_get_int_member (result, "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (result, "total"), ==, N_USERS);
  g_assert_cmpstr (json_object_get_string_member (result, "items_path"), ==, "data.members");

  /* The raw records, as the provider sent them, at most 20. */
  records = json_object_get_array_member (result, "records");
  g_assert_cmpuint (json_array_get_length (records), ==, PORTICO_TRY_MAX_RECORDS);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 3), "id"), ==, "m03");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 3), "@odata.type"),
                   ==, "#member");

  /* The rows, mapped by the draft's map. */
  rows = json_object_get_array_member (result, "rows");
  g_assert_cmpuint (json_array_get_length (rows), ==, PORTICO_TRY_MAX_RECORDS);
  row = json_array_get_object_element (rows, 4);
  g_assert_cmpstr (json_object_get_string_member (row, "external_id"), ==, "m04");
  g_assert_cmpstr (json_object_get_string_member (row, "email"), ==, "person4@teamtool.example");
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "Person 4");
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "suspended");
  g_assert_cmpstr (json_object_get_string_member (row, "role"), ==, "Engineer");
  row = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "active");
  g_assert_true (json_object_has_member (row, "role"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (row, "role")));
  g_assert_false (json_object_has_member (row, "id"));

  /* Every scalar leaf as a path the format reads, with a sample. */
  sample = find_path (result, "profile.email");
  g_assert_nonnull (sample);
  g_assert_cmpstr (json_node_get_string (sample), ==, "person0@teamtool.example");
  sample = find_path (result, "emails[primary=true].value");
  g_assert_nonnull (sample);
  g_assert_cmpstr (json_node_get_string (sample), ==, "person0@teamtool.example");
  sample = find_path (result, "emails.0.value");
  g_assert_nonnull (sample);
  g_assert_cmpstr (json_node_get_string (sample), ==, "person0@home.example");
  sample = find_path (result, "[\"@odata.type\"]");
  g_assert_nonnull (sample);
  g_assert_cmpstr (json_node_get_string (sample), ==, "#member");
  sample = find_path (result, "active");
  g_assert_nonnull (sample);
  g_assert_true (json_node_get_boolean (sample));
  /* The first record has a title; a null leaf takes a later sample. */
  sample = find_path (result, "title");
  g_assert_nonnull (sample);
  g_assert_cmpstr (json_node_get_string (sample), ==, "Engineer");
  g_assert_null (find_path (result, "emails"));
  g_assert_null (find_path (result, "next"));
  g_assert_null (find_path (result, "emails[primary=true].primary"));
  g_assert_nonnull (find_path (result, "emails.0.primary"));
}

static void
test_try_guesses_items (Fixture      *f,
                        gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'none'}", "'items':'',");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = try_draft (f, text, &error);
  JsonObject *result;

  /* The body is an object, not the list: the editor gets the guess. */
  g_assert_no_error (error);
  result = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (result, "items_path"), ==, "data.members");
  g_assert_cmpint (json_object_get_int_member (result, "total"), ==, N_USERS);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (result, "rows"), 0), "external_id"), ==, "m00");
}

static void
test_try_rejected_key (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'none'}", "'items':'data.members',");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_hash_table_insert (f->values, g_strdup ("token"), g_strdup ("wrong-token"));
  node = try_draft (f, text, &error);
  g_assert_null (node);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  /* The runtime's sentence, with the provider's words and the fix. */
  g_assert_nonnull (strstr (error->message, "Team Tool rejected the credentials"));
  g_assert_nonnull (strstr (error->message, "Invalid API token."));
  g_assert_null (strstr (error->message, "wrong-token"));
}

static void
test_try_wrong_path (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *good = draft ("team-tool", "{'style':'none'}", "'items':'data.members',");
  g_autoptr(GString) text = g_string_new (good);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_string_replace (text, "\"/users\"", "\"/people\"", 1);
  node = try_draft (f, text->str, &error);
  g_assert_null (node);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
test_try_missing_secret (Fixture      *f,
                         gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'none'}", "'items':'data.members',");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_hash_table_remove (f->values, "token");
  node = try_draft (f, text, &error);
  g_assert_null (node);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  g_assert_cmpstr (error->message, ==, "API token: this field is required; fill it in.");
  g_assert_cmpuint (f->hits, ==, 0);
}

static void
assert_one_problem (PorticoEngine *engine,
                    const char    *text,
                    const char    *pointer,
                    const char    *part_of_message)
{
  g_autoptr(GPtrArray) problems = portico_engine_check_draft (engine, text, -1);
  PorticoDraftProblem *problem;

  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->pointer, ==, pointer);
  if (strstr (problem->message, part_of_message) == NULL)
    g_error ("“%s” does not say “%s”", problem->message, part_of_message);
}

static void
test_check_valid (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'none'}", "'items':'data.members',");
  g_autoptr(GPtrArray) problems = portico_engine_check_draft (f->engine, text, -1);

  g_assert_cmpuint (problems->len, ==, 0);
}

static void
test_check_bad_pagination (Fixture      *f,
                           gconstpointer data)
{
  g_autofree char *text = draft ("team-tool", "{'style':'pages'}", "'items':'data.members',");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  assert_one_problem (f->engine, text, "/data_types/users/pagination/style", "“pages”");

  /* Try it refuses the same draft with that first problem, before any request. */
  node = try_draft (f, text, &error);
  g_assert_null (node);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_nonnull (strstr (error->message, "“pages”"));
  g_assert_cmpuint (f->hits, ==, 0);
}

static void
test_check_shipped_id (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *text = draft ("okta", "{'style':'none'}", "'items':'data.members',");

  assert_one_problem (f->engine, text, "/id", "okta-custom");
}

static void
test_check_invalid_json (Fixture      *f,
                         gconstpointer data)
{
  const char *text = "{\n  \"format\": 1,\n  \"id\": \"x\" \"name\": \"y\"\n}\n";

  assert_one_problem (f->engine, text, "", "line 3");
  assert_one_problem (f->engine, text, "", "character");
}

static void
test_check_pointers (Fixture      *f,
                     gconstpointer data)
{
  g_autofree char *good = draft ("team-tool", "{'style':'none'}", "'items':'data.members',");
  g_autoptr(GString) text = NULL;

  /* An array index. */
  text = g_string_new (good);
  g_string_replace (text, "\"id\":\"token\"", "\"id\":\"Token Id\"", 1);
  assert_one_problem (f->engine, text->str, "/fields/0/id", "Token Id");
  g_string_free (g_steal_pointer (&text), TRUE);

  /* A key holding a dot is one reference token. */
  text = g_string_new (good);
  g_string_replace (text, "\"X.Client\":\"portico\"", "\"X.Client\":5", 1);
  assert_one_problem (f->engine, text->str, "/headers/X.Client", "string");
  g_string_free (g_steal_pointer (&text), TRUE);

  /* "/" and "~" are escaped (RFC 6901). */
  text = g_string_new (good);
  g_string_replace (text, "\"true\":\"active\"", "\"a/b~c\":7", 1);
  assert_one_problem (f->engine, text->str, "/data_types/users/map/status/map/a~1b~0c", "user status");
  g_string_free (g_steal_pointer (&text), TRUE);

  /* A missing member is pointed at where it belongs. */
  text = g_string_new (good);
  g_string_replace (text, "\"name\":\"Team Tool\",", "", 1);
  assert_one_problem (f->engine, text->str, "/name", "Missing");
}

static void
test_check_every_problem (Fixture      *f,
                          gconstpointer data)
{
  g_autofree char *bad = draft ("okta", "{'style':'pages'}", "'items':'data.members',");
  g_autoptr(GString) text = g_string_new (bad);
  g_autoptr(GPtrArray) problems = NULL;
  PorticoDraftProblem *problem;

  /* Independent parts each get their problem: the shipped id, the users'
   * pagination, the identity and the error mapping. */
  g_string_replace (text, "\"id\":{\"template\":\"team-tool\"}", "\"id\":7", 1);
  g_string_replace (text, "\"errors\":{\"message\":\"error.message\"}",
                    "\"errors\":{\"message\":\"error.message\",\"colour\":1}", 1);
  problems = portico_engine_check_draft (f->engine, text->str, -1);
  g_assert_cmpuint (problems->len, ==, 4);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->pointer, ==, "/id");
  g_assert_nonnull (strstr (problem->message, "okta-custom"));
  problem = g_ptr_array_index (problems, 1);
  g_assert_cmpstr (problem->pointer, ==, "/identity/id");
  problem = g_ptr_array_index (problems, 2);
  g_assert_cmpstr (problem->pointer, ==, "/data_types/users/pagination/style");
  problem = g_ptr_array_index (problems, 3);
  g_assert_cmpstr (problem->pointer, ==, "/errors/colour");
}

/* Going on past a failed part must not invent problems: every shipped
 * definition and template has none. */
static void
test_check_shipped_files (Fixture      *f,
                          gconstpointer data)
{
  const char *root = g_getenv ("PORTICO_CONNECTORS_DIR");
  const char *subdirs[] = { "", "templates" };
  guint checked = 0;

  g_assert_nonnull (root);
  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *dir_path = g_build_filename (root, subdirs[s], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autofree char *contents = NULL;
          g_autoptr(GPtrArray) problems = NULL;
          gsize length;

          if (!g_str_has_suffix (name, ".json") || g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          problems = portico_connector_list_problems (contents, (gssize) length, FALSE);
          if (problems->len > 0)
            g_error ("%s: %s: %s", name, (char *) problems->pdata[0], (char *) problems->pdata[1]);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 50);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  runtime = portico_runtime_new ();
  g_object_set (runtime, "retry-base-ms", 5, "max-retry-delay-ms", 50, "max-attempts", 2, NULL);

#define ADD(path, func) g_test_add ("/engine-try/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("try/records-rows-paths", test_try_records_rows_paths);
  ADD ("try/guesses-items", test_try_guesses_items);
  ADD ("try/rejected-key", test_try_rejected_key);
  ADD ("try/wrong-path", test_try_wrong_path);
  ADD ("try/missing-secret", test_try_missing_secret);
  ADD ("check/valid", test_check_valid);
  ADD ("check/bad-pagination", test_check_bad_pagination);
  ADD ("check/shipped-id", test_check_shipped_id);
  ADD ("check/invalid-json", test_check_invalid_json);
  ADD ("check/pointers", test_check_pointers);
  ADD ("check/every-problem", test_check_every_problem);
  ADD ("check/shipped-files", test_check_shipped_files);
#undef ADD

  status = g_test_run ();

  g_clear_object (&runtime);
  g_clear_object (&catalog);
  return status;
}
