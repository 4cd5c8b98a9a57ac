/* test-connection-test.c: the connection test (outcomes A, B, C) over real HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "portico-connection-test.h"

#define SECRET "tok-9f8e7d6c5b4a"

typedef struct
{
  SoupServer *server;
  char *base;
  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;

  /* What the server answers, per path. */
  guint identity_status;
  guint users_status;
  guint licenses_status;
  gboolean pause_all;
  guint gate;             /* hold answers until this many requests arrived */
  GArray *timers;         /* source ids to remove at teardown */
  GSList *paused;
  guint hits;
  guint active;
  guint max_active;

  /* What the signals said. */
  GPtrArray *started;
  GPtrArray *succeeded;   /* "id:items" */
  GPtrArray *failed;      /* "id:code" */
  guint identity_signals;
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

static const char *connector_json =
  "{'format':1,'id':'acme','name':'Acme','category':'other',"
  "'help_url':'https://example.com/help','help':'An API token of an administrator.',"
  "'multi_account':false,'base_url':'https://api.acme.example/v2',"
  "'fields':[{'id':'token','label':'API token','type':'secret','required':true,'help':'Settings > API.'}],"
  "'permissions':[{'id':'read','label':'Read','help':'Users and licenses.'}],"
  "'auth':{'scheme':'header','header':'Authorization','value':'Bearer {token}'},"
  "'identity':{'request':{'method':'GET','path':'/account'},'id':'id','name':'name'},"
  "'errors':{'message':'error.message','code':'error.code',"
  "          'codes':{'plan_required':'plan','bad_token':'not_authorized'}},"
  "'data_types':{"
  "  'users':{'label':'Users','essential':true,'request':{'method':'GET','path':'/users'},"
  "           'pagination':{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'},"
  "           'items':'users','map':{'id':'id'}},"
  "  'licenses':{'label':'Licenses','requirement':'Licenses need the Business plan.',"
  "           'request':{'method':'GET','path':'/seats'},'items':'seats','map':{'sku':'sku'}}}}";

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *json)
{
  g_autofree char *body = dq (json);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  Fixture *f = g_object_get_data (G_OBJECT (msg), "fixture");

  if (g_slist_find (f->paused, msg) == NULL)
    return G_SOURCE_REMOVE;
  f->active--;
  f->paused = g_slist_remove (f->paused, msg);
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static gboolean
release_all_cb (gpointer data)
{
  Fixture *f = data;

  while (f->paused != NULL)
    unpause_cb (f->paused->data);
  return G_SOURCE_REMOVE;
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  f->hits++;
  f->active++;
  f->max_active = MAX (f->max_active, f->active);
  g_assert_cmpstr (auth, ==, "Bearer " SECRET);

  if (g_str_equal (path, "/v2/account"))
    {
      if (f->identity_status == 200)
        respond (msg, 200, "{'id':'acc-1','name':'Acme Corp'}");
      else
        respond (msg, f->identity_status, "{'error':{'code':'bad_token','message':'The token is invalid.'}}");
    }
  else if (g_str_equal (path, "/v2/users"))
    {
      /* The probe reads one page only: a second request would show here. */
      g_assert_null (query ? g_hash_table_lookup (query, "cursor") : NULL);
      if (f->users_status == 200)
        respond (msg, 200, "{'users':[{'id':'u1'},{'id':'u2'},{'id':'u3'}],'next':'page2'}");
      else
        respond (msg, f->users_status, "{'error':{'code':'forbidden','message':'Missing users:read.'}}");
    }
  else if (g_str_equal (path, "/v2/seats"))
    {
      if (f->licenses_status == 200)
        respond (msg, 200, "{'seats':[{'sku':'pro'}]}");
      else
        respond (msg, f->licenses_status, "{'error':{'code':'plan_required','message':'Upgrade to Business.'}}");
    }
  else
    respond (msg, 404, "{}");

  soup_server_message_pause (msg);
  f->paused = g_slist_prepend (f->paused, msg);
  g_object_set_data (G_OBJECT (msg), "fixture", f);
  if (f->gate > 0)
    {
      /* Requests made one after the other would never open the gate: the
       * fallback then answers after 2 s and max_active stays at 1. */
      if (f->hits >= f->gate)
        while (f->paused != NULL)
          unpause_cb (f->paused->data);
      else if (f->hits == 1)
        {
          guint id = g_timeout_add (2000, release_all_cb, f);
          g_array_append_val (f->timers, id);
        }
    }
  else if (!f->pause_all)
    {
      guint id = g_timeout_add (30, unpause_cb, msg);
      g_array_append_val (f->timers, id);
    }
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  g_autofree char *json = dq (connector_json);
  GSList *uris;

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen (f->server, address, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->connector = portico_connector_new_from_data (json, -1, "acme.json", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->connector);

  f->runtime = portico_runtime_new ();
  g_object_set (f->runtime, "retry-base-ms", 5, "max-retry-delay-ms", 50, "max-attempts", 2, NULL);

  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (f->values, g_strdup ("token"), g_strdup (SECRET));
  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (f->base));

  f->identity_status = 200;
  f->users_status = 200;
  f->licenses_status = 200;
  f->started = g_ptr_array_new_with_free_func (g_free);
  f->succeeded = g_ptr_array_new_with_free_func (g_free);
  f->failed = g_ptr_array_new_with_free_func (g_free);
  f->timers = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  for (guint i = 0; i < f->timers->len; i++)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, g_array_index (f->timers, guint, i));
      if (source != NULL)
        g_source_destroy (source);
    }
  g_array_unref (f->timers);
  for (GSList *l = f->paused; l != NULL; l = l->next)
    soup_server_message_unpause (l->data);
  g_clear_pointer (&f->paused, g_slist_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->runtime);
  g_clear_object (&f->connector);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->base);
  g_hash_table_unref (f->values);
  g_ptr_array_unref (f->started);
  g_ptr_array_unref (f->succeeded);
  g_ptr_array_unref (f->failed);
}

static void
on_identity (PorticoConnectionTest *test, const GError *error, Fixture *f)
{
  f->identity_signals++;
}

static void
on_started (PorticoConnectionTest *test, const char *id, Fixture *f)
{
  g_ptr_array_add (f->started, g_strdup (id));
}

static void
on_succeeded (PorticoConnectionTest *test, const char *id, guint items, Fixture *f)
{
  g_ptr_array_add (f->succeeded, g_strdup_printf ("%s:%u", id, items));
}

static void
on_failed (PorticoConnectionTest *test, const char *id, const GError *error, Fixture *f)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, SECRET));
  g_ptr_array_add (f->failed, g_strdup_printf ("%s:%s", id, portico_error_code_name (error)));
}

static void
store_result (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

static char *
join (GPtrArray *array)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < array->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, g_ptr_array_index (array, i));
    }
  return g_string_free (out, FALSE);
}

static PorticoConnectionOutcome
run_test (Fixture               *f,
          PorticoConnectionTest *test,
          GCancellable          *cancellable,
          GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_signal_connect (test, "identity-checked", G_CALLBACK (on_identity), f);
  g_signal_connect (test, "data-type-started", G_CALLBACK (on_started), f);
  g_signal_connect (test, "data-type-succeeded", G_CALLBACK (on_succeeded), f);
  g_signal_connect (test, "data-type-failed", G_CALLBACK (on_failed), f);
  portico_connection_test_run_async (test, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return portico_connection_test_run_finish (test, result, error);
}

static void
test_outcome_a (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *started = NULL;
  g_autofree char *succeeded = NULL;

  f->gate = 3;
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_no_error (error);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_cmpstr (portico_connection_outcome_to_string (PORTICO_CONNECTION_OUTCOME_A), ==, "A");
  g_assert_cmpstr (portico_connection_test_get_external_id (test), ==, "acc-1");
  g_assert_cmpstr (portico_connection_test_get_display_name (test), ==, "Acme Corp");
  g_assert_null (portico_connection_test_get_connection_error (test));

  started = join (f->started);
  succeeded = join (f->succeeded);
  g_assert_cmpstr (started, ==, "users,licenses");
  /* The order of completion is the server's; both must be there. */
  g_assert_cmpuint (f->succeeded->len, ==, 2);
  g_assert_nonnull (strstr (succeeded, "users:3"));
  g_assert_nonnull (strstr (succeeded, "licenses:1"));
  g_assert_cmpuint (f->failed->len, ==, 0);
  g_assert_cmpuint (f->identity_signals, ==, 1);
  g_assert_cmpint (portico_connection_test_get_data_type_items (test, "users"), ==, 3);
  g_assert_true (portico_connection_test_get_data_type_ok (test, "licenses"));
  g_assert_cmpuint (f->hits, ==, 3);
  /* The three requests ran side by side. */
  g_assert_cmpuint (f->max_active, >=, 2);
}

static void
test_outcome_b (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = NULL;
  const GError *licenses_error;

  f->licenses_status = 402;
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_B);
  g_assert_no_error (error);
  failed = join (f->failed);
  g_assert_cmpstr (failed, ==, "licenses:plan");
  licenses_error = portico_connection_test_get_data_type_error (test, "licenses");
  g_assert_error ((GError *) licenses_error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_PLAN);
  g_assert_nonnull (strstr (licenses_error->message, "Licenses need the Business plan."));
  g_assert_false (portico_connection_test_get_data_type_ok (test, "licenses"));
  g_assert_cmpint (portico_connection_test_get_data_type_items (test, "licenses"), ==, -1);
  g_assert_true (portico_connection_test_get_data_type_ok (test, "users"));
}

static void
test_outcome_c_identity (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_autoptr(GError) error = NULL;
  const GError *connection_error;

  f->identity_status = 401;
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_no_error (error);
  connection_error = portico_connection_test_get_connection_error (test);
  g_assert_error ((GError *) connection_error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_null (strstr (connection_error->message, SECRET));
  g_assert_null (portico_connection_test_get_external_id (test));
  g_assert_cmpuint (f->identity_signals, ==, 1);
}

static void
test_outcome_c_essential (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *failed = NULL;

  f->users_status = 403;
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_no_error (error);
  g_assert_null (portico_connection_test_get_connection_error (test));
  failed = join (f->failed);
  g_assert_cmpstr (failed, ==, "users:forbidden");
  g_assert_true (portico_connection_test_get_data_type_ok (test, "licenses"));
}

static void
test_invalid_field (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_remove (f->values, "token");
  test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_no_error (error);
  g_assert_error ((GError *) portico_connection_test_get_connection_error (test),
                  PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  g_assert_cmpuint (f->hits, ==, 0);
}

static void
test_subset (Fixture *f, gconstpointer data)
{
  const char * const only[] = { "licenses", NULL };
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", only);
  g_autoptr(GError) error = NULL;
  g_autofree char *started = NULL;

  f->users_status = 403; /* not probed, so not counted */
  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_A);
  started = join (f->started);
  g_assert_cmpstr (started, ==, "licenses");
  g_assert_cmpuint (f->hits, ==, 2);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnectionTest) test = portico_connection_test_new (f->runtime, f->connector, f->values, "read", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start;

  /* One slot: one request in flight, two queued; all must end at once. */
  portico_runtime_set_max_per_host (f->runtime, 1);
  f->pause_all = TRUE;
  g_timeout_add (100, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  g_assert_cmpint (run_test (f, test, cancellable, &error), ==, PORTICO_CONNECTION_OUTCOME_NONE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (f->hits, ==, 1);
  g_assert_cmpuint (f->failed->len, ==, 0);
}

/* What each answer was, for the test report: the request with secrets
 * and personal values removed from its URL, the status and the provider's
 * code. */
static void
test_exchanges (Fixture *f, gconstpointer data)
{
  g_autofree char *json = dq (connector_json);
  g_autoptr(GString) text = g_string_new (json);
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity_url = NULL;
  JsonObject *exchange;
  const char *url;

  /* The licenses request carries an address, the secret and a plain value
   * in its query. */
  g_assert_cmpuint (g_string_replace (text, "\"path\":\"/seats\"}",
                                      "\"path\":\"/seats\",\"query\":{\"owner\":\"ann@acme.example\","
                                      "\"key\":\"{token}\",\"q\":\"plain\"}}", 1), ==, 1);
  connector = portico_connector_new_from_data (text->str, -1, "acme.json", TRUE, &error);
  g_assert_no_error (error);
  test = portico_connection_test_new (f->runtime, connector, f->values, "read", NULL);
  f->licenses_status = 402;

  g_assert_cmpint (run_test (f, test, NULL, &error), ==, PORTICO_CONNECTION_OUTCOME_B);

  exchange = portico_connection_test_get_exchange (test, NULL);
  g_assert_nonnull (exchange);
  identity_url = g_strconcat (f->base, "/v2/account", NULL);
  g_assert_cmpstr (json_object_get_string_member (exchange, "request"), ==, "identity");
  g_assert_cmpstr (json_object_get_string_member (exchange, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (exchange, "url"), ==, identity_url);
  g_assert_cmpint (json_object_get_int_member (exchange, "http_status"), ==, 200);
  g_assert_true (json_object_get_null_member (exchange, "provider_code"));

  exchange = portico_connection_test_get_exchange (test, "users");
  g_assert_nonnull (exchange);
  g_assert_cmpint (json_object_get_int_member (exchange, "http_status"), ==, 200);

  exchange = portico_connection_test_get_exchange (test, "licenses");
  g_assert_nonnull (exchange);
  url = json_object_get_string_member (exchange, "url");
  g_assert_true (g_str_has_prefix (url, f->base));
  g_assert_nonnull (strstr (url, "/v2/seats?"));
  g_assert_nonnull (strstr (url, "owner=[removed]"));
  g_assert_nonnull (strstr (url, "key=[hidden]"));
  g_assert_nonnull (strstr (url, "q=plain"));
  g_assert_null (strstr (url, SECRET));
  g_assert_null (strstr (url, "ann"));
  g_assert_cmpint (json_object_get_int_member (exchange, "http_status"), ==, 402);
  g_assert_cmpstr (json_object_get_string_member (exchange, "provider_code"), ==, "plan_required");

  /* Nothing else was asked: no token request. */
  g_assert_null (portico_connection_test_get_exchange (test, "@token"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/connection-test/outcome-a", test_outcome_a);
  ADD ("/connection-test/outcome-b", test_outcome_b);
  ADD ("/connection-test/outcome-c-identity", test_outcome_c_identity);
  ADD ("/connection-test/outcome-c-essential", test_outcome_c_essential);
  ADD ("/connection-test/invalid-field", test_invalid_field);
  ADD ("/connection-test/subset", test_subset);
  ADD ("/connection-test/cancel", test_cancel);
  ADD ("/connection-test/exchanges", test_exchanges);

  return g_test_run ();
}
