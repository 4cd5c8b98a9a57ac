/* test-runtime.c: the connector runtime against real HTTP on loopback.
 *
 * Every test starts a SoupServer on 127.0.0.1 port 0, loads a small inline
 * connector and points it there with api_base_url, so the paths the server
 * sees are those of the "real" API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "portico-http.h"
#include "portico-runtime.h"

#define SECRET "s3cret-token-value"

typedef struct _Fixture Fixture;
typedef void (*Handler) (Fixture           *f,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query);

struct _Fixture
{
  SoupServer *server;
  char *base;          /* http://127.0.0.1:PORT */
  SoupServer *other;   /* a second origin */
  char *other_base;
  PorticoRuntime *runtime;
  GHashTable *values;
  Handler handler;
  Handler other_handler;

  guint hits;
  guint other_hits;
  guint token_hits;
  GPtrArray *auth_seen;   /* Authorization of each API request ("" when none) */
  GPtrArray *bodies;      /* request bodies */
  GPtrArray *paths;       /* path?query of each request */
  GPtrArray *ids;         /* item ids read */
  GPtrArray *items;       /* the items read (JsonObject) */
  guint pages;
  char *token;            /* the token the server accepts */
  guint token_serial;
  GSList *paused;         /* messages never answered */
  guint active;
  guint max_active;
  guint expires_in;       /* of the tokens the server issues */
  GArray *timers;         /* source ids to remove at teardown */
  PorticoPageGate *gate;  /* the gated tests' gate, NULL otherwise */
  guint taken;            /* pages handed over and not yet released */
  guint taken_at_request_max; /* the most of them when a page was asked for */
  guint release_ms;       /* how long the consumer keeps a page */
};

/* Single quotes make the inline JSON readable; none of it needs one. */
static char *
dq (const char *text)
{
  char *copy = g_strdup (text);
  for (char *p = copy; *p; p++)
    if (*p == '\'')
      *p = '"';
  return copy;
}

typedef struct
{
  const char *auth;
  const char *identity;
  const char *request;
  const char *pagination;
  const char *items;
  const char *more_data_types;
  const char *extra;
  const char *users_extra;  /* more members of the users data type */
} Def;

static PorticoConnector *
load_connector (const Def *def)
{
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  PorticoConnector *connector;

  text = g_strdup_printf (
    "{'format':1,'id':'testapp','name':'Testapp','category':'other',"
    "'help_url':'https://example.com/help','help':'Use a token of an administrator.',"
    "'multi_account':false,'base_url':'https://api.example.com/v1',"
    "'fields':[{'id':'token','label':'Token','type':'secret','required':true,'help':'The token.'},"
    "          {'id':'user','label':'User','type':'text','required':false,'help':'A user.'},"
    "          {'id':'tenant','label':'Tenant','type':'text','required':false,'help':'A tenant.'}],"
    "'permissions':[{'id':'read','label':'Read','help':'Read everything.'}],"
    "'auth':%s,"
    "'identity':%s,"
    "'data_types':{'users':{'label':'Users','essential':true,"
    "    'request':%s,'pagination':%s,'items':%s,'map':{'id':'id'}%s}%s}"
    "%s}",
    def->auth ? def->auth : "{'scheme':'header','header':'Authorization','value':'Bearer {token}'}",
    def->identity ? def->identity : "{'request':{'method':'GET','path':'/me'},'id':'id','name':'name'}",
    def->request ? def->request : "{'method':'GET','path':'/users'}",
    def->pagination ? def->pagination : "{'style':'none'}",
    def->items ? def->items : "''",
    def->users_extra ? def->users_extra : "",
    def->more_data_types ? def->more_data_types : "",
    def->extra ? def->extra : "");
  json = dq (text);

  connector = portico_connector_new_from_data (json, -1, "testapp.json", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connector);
  return connector;
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *json)
{
  g_autofree char *body = dq (json);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static char *
request_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (data ? data : "", size);
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
  GUri *uri = soup_server_message_get_uri (msg);
  Handler handler;

  if (server == f->server)
    {
      f->hits++;
      handler = f->handler;
    }
  else
    {
      f->other_hits++;
      handler = f->other_handler;
    }

  g_ptr_array_add (f->auth_seen, g_strdup (auth ? auth : ""));
  g_ptr_array_add (f->bodies, request_body (msg));
  g_ptr_array_add (f->paths, g_uri_get_query (uri)
                   ? g_strconcat (path, "?", g_uri_get_query (uri), NULL)
                   : g_strdup (path));

  if (handler == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  handler (f, msg, path, query);
}

static char *
listen_on_loopback (SoupServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  GSList *uris;
  char *base;
  GUri *uri;

  g_assert_true (soup_server_listen (server, address, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  uri = uris->data;
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return base;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  f->base = listen_on_loopback (f->server);
  f->other = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->other, NULL, server_cb, f, NULL);
  f->other_base = listen_on_loopback (f->other);

  f->runtime = portico_runtime_new ();
  g_object_set (f->runtime,
                "retry-base-ms", 10,
                "max-retry-delay-ms", 200,
                "max-attempts", 3,
                "timeout", 5,
                NULL);

  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (f->values, g_strdup ("token"), g_strdup (SECRET));
  g_hash_table_insert (f->values, g_strdup ("user"), g_strdup ("ada"));
  g_hash_table_insert (f->values, g_strdup ("tenant"), g_strdup ("tenant1"));
  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (f->base));

  f->auth_seen = g_ptr_array_new_with_free_func (g_free);
  f->bodies = g_ptr_array_new_with_free_func (g_free);
  f->paths = g_ptr_array_new_with_free_func (g_free);
  f->ids = g_ptr_array_new_with_free_func (g_free);
  f->items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  f->timers = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  for (GSList *l = f->paused; l != NULL; l = l->next)
    {
      soup_server_message_set_status (l->data, 503, NULL);
      soup_server_message_unpause (l->data);
    }
  g_slist_free (f->paused);
  for (guint i = 0; i < f->timers->len; i++)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, g_array_index (f->timers, guint, i));
      if (source != NULL)
        g_source_destroy (source);
    }
  g_array_unref (f->timers);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->gate, portico_page_gate_unref);
  g_clear_object (&f->runtime);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  soup_server_disconnect (f->other);
  g_clear_object (&f->other);
  g_free (f->base);
  g_free (f->other_base);
  g_hash_table_unref (f->values);
  g_ptr_array_unref (f->auth_seen);
  g_ptr_array_unref (f->bodies);
  g_ptr_array_unref (f->paths);
  g_ptr_array_unref (f->ids);
  g_ptr_array_unref (f->items);
  g_free (f->token);
}

static gboolean
collect_page (const char *data_type_id,
              guint       page_index,
              GBytes     *body,
              JsonArray  *items,
              gpointer    user_data,
              GError    **error)
{
  Fixture *f = user_data;

  g_assert_cmpuint (page_index, ==, f->pages);
  g_assert_nonnull (body);
  f->pages++;
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      g_ptr_array_add (f->ids, g_strdup (json_object_get_string_member (item, "id")));
      g_ptr_array_add (f->items, json_object_ref (item));
    }
  return TRUE;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

static gint64
fetch_with (Fixture          *f,
            PorticoConnector *connector,
            const char       *data_type_id,
            guint             max_pages,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  f->pages = 0;
  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, data_type_id, max_pages,
                                         collect_page, f, NULL, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return portico_runtime_fetch_data_type_finish (f->runtime, result, error);
}

static gint64
fetch (Fixture          *f,
       PorticoConnector *connector,
       GError          **error)
{
  return fetch_with (f, connector, "users", 0, NULL, error);
}

static char *
joined_ids (Fixture *f)
{
  g_ptr_array_add (f->ids, NULL);
  {
    char *text = g_strjoinv (",", (char **) f->ids->pdata);
    g_ptr_array_remove_index (f->ids, f->ids->len - 1);
    return text;
  }
}

#define assert_ids(f, expected) G_STMT_START { \
    g_autofree char *_ids = joined_ids (f); \
    g_assert_cmpstr (_ids, ==, expected); \
  } G_STMT_END

/* ------------------------------------------------------------------------ */
/* Pure helpers                                                              */

static void
test_http_link_next (void)
{
  g_autofree char *a = portico_http_parse_link_next ("<https://x.test/u?after=a&limit=2>; rel=\"next\"");
  g_autofree char *b = portico_http_parse_link_next ("</u?page=1>; rel=\"prev\", </u?page=3>; rel=\"next\"");
  g_autofree char *c = portico_http_parse_link_next ("<https://x.test/u>; rel=\"self\"");
  g_autofree char *d = portico_http_parse_link_next ("<https://x.test/a,b>; title=\"x, y\"; rel=\"last next\"");

  g_assert_cmpstr (a, ==, "https://x.test/u?after=a&limit=2");
  g_assert_cmpstr (b, ==, "/u?page=3");
  g_assert_null (c);
  g_assert_cmpstr (d, ==, "https://x.test/a,b");
  g_assert_null (portico_http_parse_link_next (NULL));

  /* Sentry marks the last page with results="false" on its next link. */
  {
    g_autofree char *more = portico_http_parse_link_next (
      "<https://s.test/m/?&cursor=0:0:1>; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", "
      "<https://s.test/m/?&cursor=0:100:0>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\"");
    g_autofree char *last = portico_http_parse_link_next (
      "<https://s.test/m/?&cursor=0:0:1>; rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", "
      "<https://s.test/m/?&cursor=0:100:0>; rel=\"next\"; results=\"false\"; cursor=\"0:100:0\"");
    g_autofree char *unquoted = portico_http_parse_link_next ("</m?p=2>; rel=next; results=False");
    g_autofree char *semicolon = portico_http_parse_link_next ("</m?p=2>; title=\"a; results=false\"; rel=\"next\"");

    g_assert_cmpstr (more, ==, "https://s.test/m/?&cursor=0:100:0");
    g_assert_null (last);
    g_assert_null (unquoted);
    /* A ';' inside a quoted value does not start a parameter. */
    g_assert_cmpstr (semicolon, ==, "/m?p=2");
  }
}

static void
test_http_retry_after (void)
{
  guint64 delay = 0;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 30);
  g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

  g_assert_true (portico_http_parse_retry_after ("7", g_date_time_to_unix (now), &delay));
  g_assert_cmpuint (delay, ==, 7000);
  g_assert_true (portico_http_parse_retry_after (date, g_date_time_to_unix (now), &delay));
  g_assert_cmpuint (delay, >=, 29000);
  g_assert_cmpuint (delay, <=, 30000);
  g_assert_true (portico_http_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", g_date_time_to_unix (now), &delay));
  g_assert_cmpuint (delay, ==, 0);
  g_assert_false (portico_http_parse_retry_after ("soon", 0, &delay));
  g_assert_false (portico_http_parse_retry_after (NULL, 0, &delay));
}

static void
test_http_origin_and_backoff (void)
{
  g_autoptr(GUri) a = g_uri_parse ("https://Example.com/x", PORTICO_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) b = g_uri_parse ("https://example.com:443/y?z", PORTICO_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) c = g_uri_parse ("https://example.com:8443/x", PORTICO_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) d = g_uri_parse ("http://example.com/x", PORTICO_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) api = g_uri_parse ("http://127.0.0.1:8080", PORTICO_HTTP_URI_FLAGS, NULL);
  g_autoptr(GUri) rebased = portico_http_rebase (b, api);
  g_autofree char *rebased_text = g_uri_to_string (rebased);

  g_assert_true (portico_http_same_origin (a, b));
  g_assert_false (portico_http_same_origin (a, c));
  g_assert_false (portico_http_same_origin (a, d));
  g_assert_cmpstr (rebased_text, ==, "http://127.0.0.1:8080/y?z");
  g_assert_true (portico_http_host_is_loopback ("127.0.0.2"));
  g_assert_true (portico_http_host_is_loopback ("[::1]"));
  g_assert_false (portico_http_host_is_loopback ("example.com"));

  for (guint attempt = 1; attempt < 12; attempt++)
    {
      guint64 delay = portico_http_backoff_ms (attempt, 100, 1000);
      guint64 full = MIN (100 << (attempt - 1), 1000);
      g_assert_cmpuint (delay, >=, full / 2);
      g_assert_cmpuint (delay, <=, full);
    }
}

/* ------------------------------------------------------------------------ */
/* Pagination                                                                */

static void
none_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_assert_cmpstr (path, ==, "/v1/users");
  respond (msg, 200, "{'data':{'people':[{'id':'a'},{'id':'b'}]}}");
}

static void
test_pagination_none (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'data.people'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = none_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  assert_ids (f, "a,b");
  g_assert_cmpuint (f->hits, ==, 1);
  g_assert_cmpuint (f->pages, ==, 1);
}

static void
link_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *after = query ? g_hash_table_lookup (query, "after") : NULL;

  g_assert_cmpstr (path, ==, "/v1/users");
  g_assert_cmpstr (g_hash_table_lookup (query, "limit"), ==, "2");
  if (after == NULL)
    {
      /* Absolute, on the real host: the runtime must rebase it. */
      soup_message_headers_append (headers, "Link",
                                   "<https://api.example.com/v1/users?limit=2>; rel=\"self\", "
                                   "<https://api.example.com/v1/users?after=b&limit=2>; rel=\"next\"");
      respond (msg, 200, "[{'id':'a'},{'id':'b'}]");
    }
  else if (g_str_equal (after, "b"))
    {
      soup_message_headers_append (headers, "Link", "</v1/users?after=c&limit=2>; rel=\"next\"");
      respond (msg, 200, "[{'id':'c'}]");
    }
  else
    {
      soup_message_headers_append (headers, "Link", "</v1/users?after=c&limit=2>; rel=\"self\"");
      respond (msg, 200, "[{'id':'d'}]");
    }
}

static void
test_pagination_link_header (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'GET','path':'/users','query':{'limit':'2'}}",
              .pagination = "{'style':'link_header'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = link_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 4);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d");
  g_assert_cmpuint (f->hits, ==, 3);
  g_assert_cmpuint (f->pages, ==, 3);
}

static void
cursor_query_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *cursor = query ? g_hash_table_lookup (query, "cursor") : NULL;

  g_assert_cmpstr (path, ==, "/v1/users.list");
  g_assert_cmpstr (g_hash_table_lookup (query, "limit"), ==, "2");
  if (cursor == NULL)
    respond (msg, 200, "{'ok':true,'members':[{'id':'a'},{'id':'b'}],'response_metadata':{'next_cursor':'dXNlcjpC+/='}}");
  else if (g_str_equal (cursor, "dXNlcjpC+/="))
    respond (msg, 200, "{'ok':true,'members':[{'id':'c'}],'response_metadata':{'next_cursor':'c2'}}");
  else if (g_str_equal (cursor, "c2"))
    respond (msg, 200, "{'ok':true,'members':[{'id':'d'}],'response_metadata':{'next_cursor':''}}");
  else
    respond (msg, 400, "{'ok':false,'error':'invalid_cursor'}");
}

static void
test_pagination_cursor_query (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'GET','path':'/users.list','query':{'limit':'2'}}",
              .pagination = "{'style':'cursor','cursor_path':'response_metadata.next_cursor','param':'cursor','in':'query'}",
              .items = "'members'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = cursor_query_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 4);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d");
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
cursor_body_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *object;

  g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL),
                   ==, "application/json");

  if (g_str_equal (path, "/v1/members/list"))
    {
      g_assert_cmpint (json_object_get_int_member (object, "limit"), ==, 2);
      g_assert_false (json_object_has_member (object, "cursor"));
      respond (msg, 200, "{'members':[{'id':'a'},{'id':'b'}],'cursor':'k1','has_more':true}");
    }
  else if (g_str_equal (path, "/v1/members/list/continue"))
    {
      const char *cursor = json_object_get_string_member (object, "cursor");

      /* The continue endpoint takes the cursor alone. */
      g_assert_false (json_object_has_member (object, "limit"));
      if (g_str_equal (cursor, "k1"))
        respond (msg, 200, "{'members':[{'id':'c'}],'cursor':'k2','has_more':true}");
      else
        respond (msg, 200, "{'members':[{'id':'d'}],'cursor':'k3','has_more':false}");
    }
  else
    respond (msg, 404, "{}");
}

static void
test_pagination_cursor_body (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'POST','path':'/members/list','body':{'limit':2}}",
              .pagination = "{'style':'cursor','cursor_path':'cursor','param':'cursor','in':'body',"
                            "'has_more_path':'has_more','continue_path':'/members/list/continue'}",
              .items = "'members'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = cursor_body_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 4);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d");
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
next_url_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/v1/query"))
    {
      g_assert_cmpstr (g_hash_table_lookup (query, "q"), ==, "SELECT Id FROM User");
      respond (msg, 200, "{'done':false,'nextRecordsUrl':'/v1/query/01g-2','records':[{'id':'a'},{'id':'b'}]}");
    }
  else if (g_str_equal (path, "/v1/query/01g-2"))
    respond (msg, 200, "{'done':false,'nextRecordsUrl':'https://api.example.com/v1/query/01g-3','records':[{'id':'c'}]}");
  else if (g_str_equal (path, "/v1/query/01g-3"))
    respond (msg, 200, "{'done':true,'nextRecordsUrl':'/v1/query/01g-4','records':[{'id':'d'}]}");
  else
    respond (msg, 500, "{}");
}

static void
test_pagination_next_url (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'GET','path':'/query','query':{'q':'SELECT Id FROM User'}}",
              .pagination = "{'style':'next_url','next_path':'nextRecordsUrl','done_path':'done'}",
              .items = "'records'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = next_url_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 4);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d");
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
page_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *page = g_hash_table_lookup (query, "page");
  g_autofree char *body = NULL;

  g_assert_cmpstr (g_hash_table_lookup (query, "per_page"), ==, "2");
  g_assert_nonnull (page);
  /* Every page is full: only total_pages can stop the reading. */
  body = g_strdup_printf ("{'meta':{'total_pages':3},'users':[{'id':'p%s-1'},{'id':'p%s-2'}]}", page, page);
  respond (msg, atoi (page) <= 3 ? 200 : 500, body);
}

static void
test_pagination_page (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'page','param':'page','size_param':'per_page','size':2,"
                            "'total_pages_path':'meta.total_pages'}",
              .items = "'users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = page_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 6);
  g_assert_no_error (error);
  assert_ids (f, "p1-1,p1-2,p2-1,p2-2,p3-1,p3-2");
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
page_short_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *page = g_hash_table_lookup (query, "page");

  if (g_str_equal (page, "0"))
    respond (msg, 200, "{'users':[{'id':'a'},{'id':'b'}]}");
  else if (g_str_equal (page, "1"))
    respond (msg, 200, "{'users':[{'id':'c'}]}");
  else
    respond (msg, 500, "{}");
}

static void
test_pagination_page_short (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'page','param':'page','start':0,'size_param':'per_page','size':2}",
              .items = "'users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = page_short_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
offset_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *offset = g_hash_table_lookup (query, "skip");

  g_assert_cmpstr (g_hash_table_lookup (query, "limit"), ==, "2");
  if (g_str_equal (offset, "0"))
    respond (msg, 200, "{'totalCount':4,'results':[{'id':'a'},{'id':'b'}]}");
  else if (g_str_equal (offset, "2"))
    respond (msg, 200, "{'totalCount':4,'results':[{'id':'c'},{'id':'d'}]}");
  else
    respond (msg, 500, "{}");
}

static void
test_pagination_offset (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'offset','param':'skip','size_param':'limit','size':2,'total_path':'totalCount'}",
              .items = "'results'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = offset_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 4);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d");
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
scim_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *start = g_hash_table_lookup (query, "startIndex");
  g_autofree char *body = NULL;
  int index = atoi (start);

  g_assert_cmpstr (path, ==, "/v1/scim/v2/Users");
  g_assert_cmpstr (g_hash_table_lookup (query, "count"), ==, "2");
  if (index > 5)
    {
      respond (msg, 500, "{}");
      return;
    }
  body = g_strdup_printf ("{'totalResults':5,'itemsPerPage':%d,'startIndex':%d,'Resources':[{'id':'u%d'}%s]}",
                          index == 5 ? 1 : 2, index, index,
                          index == 5 ? "" : index == 1 ? ",{'id':'u2'}" : ",{'id':'u4'}");
  respond (msg, 200, body);
}

static void
test_pagination_scim (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'GET','path':'/scim/v2/Users'}",
              .pagination = "{'style':'scim','size':2}",
              .items = "'Resources'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = scim_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 5);
  g_assert_no_error (error);
  assert_ids (f, "u1,u2,u3,u4,u5");
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
cursor_repeat_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'items':[{'id':'x'}],'next':'same'}");
}

static void
test_pagination_cursor_repeats (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
              .items = "'items'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = cursor_repeat_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
next_url_repeat_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'value':[{'id':'x'}],'@odata.nextLink':'https://api.example.com/v1/users?$skiptoken=1'}");
}

static void
test_pagination_next_url_repeats (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'next_url','next_path':['@odata.nextLink']}",
              .items = "'value'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = next_url_repeat_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
endless_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = g_strdup_printf ("{'items':[{'id':'x'}],'next':'n%u'}", f->hits);

  respond (msg, 200, body);
}

/* Twelve pages of one item, then the end; what the consumer holds is
 * noted at each request. */
static void
twelve_pages_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = NULL;

  f->taken_at_request_max = MAX (f->taken_at_request_max, f->taken);
  body = f->hits < 12 ? g_strdup_printf ("{'items':[{'id':'p%u'}],'next':'n%u'}", f->hits, f->hits)
                      : g_strdup_printf ("{'items':[{'id':'p%u'}]}", f->hits);
  respond (msg, 200, body);
}

static gboolean
release_page_cb (gpointer user_data)
{
  Fixture *f = user_data;

  f->taken--;
  if (f->gate != NULL)
    portico_page_gate_release (f->gate);
  return G_SOURCE_REMOVE;
}

/* A slow consumer, as the store's writer is beside a fast provider: each
 * page is kept release_ms before it is released. */
static gboolean
slow_consumer_page (const char *data_type_id,
                    guint       page_index,
                    GBytes     *body,
                    JsonArray  *items,
                    gpointer    user_data,
                    GError    **error)
{
  Fixture *f = user_data;
  guint id;

  collect_page (data_type_id, page_index, body, items, user_data, error);
  f->taken++;
  if (f->gate != NULL)
    portico_page_gate_take (f->gate);
  id = g_timeout_add (f->release_ms, release_page_cb, f);
  g_array_append_val (f->timers, id);
  return TRUE;
}

static gint64
fetch_gated (Fixture          *f,
             PorticoConnector *connector,
             GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  f->pages = 0;
  if (f->gate != NULL)
    portico_runtime_fetch_data_type_gated_async (f->runtime, connector, f->values, "users", f->gate,
                                                 slow_consumer_page, f, NULL, NULL, store_result, &result);
  else
    portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                           slow_consumer_page, f, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* Every page consumed before the result is looked at. */
  while (f->taken > 0)
    g_main_context_iteration (NULL, TRUE);
  return portico_runtime_fetch_data_type_finish (f->runtime, result, error);
}

/* Issue 13, target 2: the next page is asked for only while fewer than the
 * gate's count of pages wait for the consumer, so memory holds a few pages
 * however many there are. Without a gate the same fetch runs far ahead. */
static void
test_pagination_gated (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
              .items = "'items'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = twelve_pages_handler;
  f->release_ms = 100;

  /* Ungated: the provider answers at once, the consumer keeps each page
   * 100 ms (long beside a loopback answer, even under a sanitizer on a
   * busy machine), so pages pile up. */
  g_assert_cmpint (fetch_gated (f, connector, &error), ==, 12);
  g_assert_no_error (error);
  g_assert_cmpuint (f->taken_at_request_max, >=, 5);

  /* Gated at 2: at most one page is held when the next is asked for. */
  g_ptr_array_set_size (f->ids, 0);
  f->hits = 0;
  f->taken_at_request_max = 0;
  f->gate = portico_page_gate_new (2);
  g_assert_cmpint (fetch_gated (f, connector, &error), ==, 12);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 12);
  g_assert_cmpuint (f->taken_at_request_max, <=, 1);
  g_assert_cmpuint (portico_page_gate_peak (f->gate), ==, 2);
  assert_ids (f, "p1,p2,p3,p4,p5,p6,p7,p8,p9,p10,p11,p12");
}

/* The data type's total time counts the provider's time, not the time the
 * fetch waits at the gate for the consumer: 12 pages kept 150 ms each
 * behind a gate of 1 take about 2 s, past a total time of 1 s, and the
 * fetch still completes. */
static void
test_pagination_gated_deadline (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
              .items = "'items'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_object_set (f->runtime, "total-timeout", 1, NULL);
  f->handler = twelve_pages_handler;
  f->release_ms = 150;
  f->gate = portico_page_gate_new (1);
  g_assert_cmpint (fetch_gated (f, connector, &error), ==, 12);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, >, 1500 * 1000);
  g_assert_cmpuint (f->taken_at_request_max, ==, 0);
}

static void
test_pagination_max_pages (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
              .items = "'items'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = endless_handler;
  g_assert_cmpint (fetch_with (f, connector, "users", 3, NULL, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
not_json_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *html = "<html><body>Sign in</body></html>";

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, html, strlen (html));
}

static void
test_response_not_json (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = not_json_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
items_object_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'users':{'id':'x'}}");
}

static void
test_response_items_not_array (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = items_object_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
}

/* Format v2 "response_format": "csv": the rows of the answer are the items,
 * each an object of the header's column names. */
static void
respond_csv (SoupServerMessage *msg,
             const char        *csv)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY, csv, strlen (csv));
}

static void
csv_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_assert_cmpstr (path, ==, "/v1/users");
  /* A BOM, CRLF line ends, a quoted comma, a quoted line break, a doubled
   * quote and an empty last field, as Excel-minded exports have them. */
  respond_csv (msg, "\xEF\xBB\xBFid,Display Name,Note\r\n"
                    "a,\"Lovelace, Ada\",\"line one\r\nline two\"\r\n"
                    "b,\"Bob \"\"Bobby\"\" Ross\",\r\n");
}

static void
test_csv_items (Fixture *f, gconstpointer data)
{
  Def def = { .users_extra = ",'response_format':'csv'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  JsonObject *a, *b;

  f->handler = csv_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  /* The BOM is not part of the first column's name. */
  assert_ids (f, "a,b");
  g_assert_cmpuint (f->pages, ==, 1);
  g_assert_cmpuint (f->hits, ==, 1);
  g_assert_cmpuint (f->items->len, ==, 2);
  a = g_ptr_array_index (f->items, 0);
  b = g_ptr_array_index (f->items, 1);
  g_assert_cmpuint (json_object_get_size (a), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (a, "Display Name"), ==, "Lovelace, Ada");
  g_assert_cmpstr (json_object_get_string_member (a, "Note"), ==, "line one\r\nline two");
  g_assert_cmpstr (json_object_get_string_member (b, "Display Name"), ==, "Bob \"Bobby\" Ross");
  g_assert_cmpstr (json_object_get_string_member (b, "Note"), ==, "");
}

static void
csv_header_only_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond_csv (msg, "\xEF\xBB\xBFid,Display Name,Note\r\n");
}

static void
test_csv_header_only (Fixture *f, gconstpointer data)
{
  Def def = { .users_extra = ",'response_format':'csv'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = csv_header_only_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (f->items->len, ==, 0);
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
csv_long_row_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond_csv (msg, "id,Display Name\r\na,Ada\r\nb,Bob,extra\r\n");
}

static void
test_csv_row_longer_than_header (Fixture *f, gconstpointer data)
{
  Def def = { .users_extra = ",'response_format':'csv'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = csv_long_row_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  /* The row is counted as in a spreadsheet: the header is row 1. */
  g_assert_nonnull (strstr (error->message, "Row 3 of the CSV answer has more fields than its header."));
  /* Nothing of the refused answer reached the store. */
  g_assert_cmpuint (f->pages, ==, 0);
}

static void
csv_json_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  /* A JSON array of bare names would even pass as a CSV of one column. */
  respond (msg, 200, "[]");
}

static void
test_csv_answer_is_json (Fixture *f, gconstpointer data)
{
  Def def = { .users_extra = ",'response_format':'csv'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = csv_json_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "the answer is JSON, not the CSV text this data type reads"));
  g_assert_cmpuint (f->pages, ==, 0);
}

/* Linear: the cursor is the GraphQL variable variables.after. */
static void
graphql_cursor_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *object;
  JsonObject *variables;
  JsonNode *after;

  g_assert_cmpstr (path, ==, "/v1/graphql");
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  /* Never a top-level key literally named "variables.after". */
  g_assert_false (json_object_has_member (object, "variables.after"));
  g_assert_nonnull (strstr (json_object_get_string_member (object, "query"), "users (first: 2, after: $after)"));
  variables = json_object_get_object_member (object, "variables");
  g_assert_nonnull (variables);
  g_assert_cmpint (json_object_get_int_member (variables, "first"), ==, 2);
  after = json_object_get_member (variables, "after");
  g_assert_nonnull (after);

  if (JSON_NODE_HOLDS_NULL (after))
    respond (msg, 200, "{'data':{'users':{'nodes':[{'id':'a'},{'id':'b'}],"
                       "'pageInfo':{'hasNextPage':true,'endCursor':'c-b'}}}}");
  else if (g_str_equal (json_node_get_string (after), "c-b"))
    respond (msg, 200, "{'data':{'users':{'nodes':[{'id':'c'},{'id':'d'}],"
                       "'pageInfo':{'hasNextPage':true,'endCursor':'c-d'}}}}");
  else if (g_str_equal (json_node_get_string (after), "c-d"))
    respond (msg, 200, "{'data':{'users':{'nodes':[{'id':'e'}],"
                       "'pageInfo':{'hasNextPage':false,'endCursor':'c-e'}}}}");
  else
    respond (msg, 500, "{}");
}

static void
test_pagination_cursor_body_nested (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'POST','path':'/graphql','body':{"
                         "'query':'query ($after: String) { users (first: 2, after: $after) { nodes { id } } }',"
                         "'variables':{'first':2,'after':null}}}",
              .pagination = "{'style':'cursor','cursor_path':'data.users.pageInfo.endCursor',"
                            "'param':'variables.after','in':'body',"
                            "'has_more_path':'data.users.pageInfo.hasNextPage'}",
              .items = "'data.users.nodes'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = graphql_cursor_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 5);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c,d,e");
  g_assert_cmpuint (f->hits, ==, 3);
}

/* monday.com: the page number is the GraphQL variable variables.page, an
 * integer; the page size variables.limit. */
static void
graphql_page_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *object;
  JsonObject *variables;
  JsonNode *page;
  JsonNode *limit;

  g_assert_cmpstr (path, ==, "/v1/v2");
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_false (json_object_has_member (object, "variables.page"));
  g_assert_nonnull (json_object_get_string_member (object, "query"));
  variables = json_object_get_object_member (object, "variables");
  page = json_object_get_member (variables, "page");
  limit = json_object_get_member (variables, "limit");
  g_assert_true (JSON_NODE_HOLDS_VALUE (page) && json_node_get_value_type (page) == G_TYPE_INT64);
  g_assert_true (JSON_NODE_HOLDS_VALUE (limit) && json_node_get_value_type (limit) == G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (limit), ==, 2);
  /* Untouched members stay. */
  g_assert_cmpstr (json_object_get_string_member (variables, "kind"), ==, "all");

  switch (json_node_get_int (page))
    {
    case 1:
      respond (msg, 200, "{'data':{'users':[{'id':'m1'},{'id':'m2'}]},'account_id':1}");
      break;
    case 2:
      respond (msg, 200, "{'data':{'users':[{'id':'m3'},{'id':'m4'}]},'account_id':1}");
      break;
    case 3:
      respond (msg, 200, "{'data':{'users':[{'id':'m5'}]},'account_id':1}");
      break;
    default:
      respond (msg, 500, "{}");
    }
}

static void
test_pagination_page_body (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'POST','path':'/v2','body':{"
                         "'query':'query ($page: Int!, $limit: Int!) { users (limit: $limit, page: $page) { id } }',"
                         "'variables':{'kind':'all'}}}",
              .pagination = "{'style':'page','param':'variables.page','in':'body','start':1,"
                            "'size_param':'variables.limit','size':2}",
              .items = "'data.users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = graphql_page_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 5);
  g_assert_no_error (error);
  assert_ids (f, "m1,m2,m3,m4,m5");
  g_assert_cmpuint (f->hits, ==, 3);
  /* Nothing went to the query string. */
  for (guint i = 0; i < f->paths->len; i++)
    g_assert_null (strchr (g_ptr_array_index (f->paths, i), '?'));
}

static void
offset_body_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *paging = json_object_get_object_member (json_node_get_object (node), "paging");
  gint64 skip = json_object_get_int_member (paging, "skip");

  g_assert_cmpint (json_object_get_int_member (paging, "take"), ==, 2);
  if (skip == 0)
    respond (msg, 200, "{'total':3,'rows':[{'id':'a'},{'id':'b'}]}");
  else if (skip == 2)
    respond (msg, 200, "{'total':3,'rows':[{'id':'c'}]}");
  else
    respond (msg, 500, "{}");
}

static void
test_pagination_offset_body (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'POST','path':'/search','body':{'paging':null}}",
              .pagination = "{'style':'offset','param':'paging.skip','in':'body','size_param':'paging.take','size':2,"
                            "'total_path':'total'}",
              .items = "'rows'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = offset_body_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 3);
  g_assert_no_error (error);
  assert_ids (f, "a,b,c");
  g_assert_cmpuint (f->hits, ==, 2);
}

/* Sentry: every page has a rel="next" link; the last one says
 * results="false". */
static void
sentry_link_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *cursor = query ? g_hash_table_lookup (query, "cursor") : NULL;
  /* Sentry's links name its own host: here, the server the request came
   * to (a link to another server is refused). */
  g_autofree char *self_url = g_strconcat (f->base, path, NULL);
  g_autofree char *link = NULL;

  /* /v1 for the inline connector, /api/0 for the shipped one. */
  g_assert_true (g_str_has_suffix (path, "/organizations/acme/members/"));
  if (cursor == NULL)
    {
      link = g_strdup_printf ("<%s?&cursor=0:0:1>; "
                              "rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", "
                              "<%s?&cursor=0:2:0>; "
                              "rel=\"next\"; results=\"true\"; cursor=\"0:2:0\"", self_url, self_url);
      soup_message_headers_append (headers, "Link", link);
      respond (msg, 200, "[{'id':'s1'},{'id':'s2'}]");
    }
  else if (g_str_equal (cursor, "0:2:0"))
    {
      link = g_strdup_printf ("<%s?&cursor=0:0:1>; "
                              "rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", "
                              "<%s?&cursor=0:4:0>; "
                              "rel=\"next\"; results=\"true\"; cursor=\"0:4:0\"", self_url, self_url);
      soup_message_headers_append (headers, "Link", link);
      respond (msg, 200, "[{'id':'s3'},{'id':'s4'}]");
    }
  else if (g_str_equal (cursor, "0:4:0"))
    {
      link = g_strdup_printf ("<%s?&cursor=0:2:1>; "
                              "rel=\"previous\"; results=\"true\"; cursor=\"0:2:1\", "
                              "<%s?&cursor=0:6:0>; "
                              "rel=\"next\"; results=\"false\"; cursor=\"0:6:0\"", self_url, self_url);
      soup_message_headers_append (headers, "Link", link);
      respond (msg, 200, "[{'id':'s5'}]");
    }
  else
    respond (msg, 200, "[{'id':'never'}]");
}

static void
test_pagination_link_results_false (Fixture *f, gconstpointer data)
{
  Def def = { .request = "{'method':'GET','path':'/organizations/acme/members/'}",
              .pagination = "{'style':'link_header'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = sentry_link_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 5);
  g_assert_no_error (error);
  assert_ids (f, "s1,s2,s3,s4,s5");
  g_assert_cmpuint (f->hits, ==, 3);
}

/* Expensify: the members sit under policyInfo.{policy_id}.employees. */
static void
keyed_items_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'responseCode':200,'policyInfo':{"
                     "'other':{'employees':[{'id':'x1'}]},"
                     "'tenant1':{'employees':[{'id':'e1'},{'id':'e2'}]},"
                     "'a.b':{'employees':[{'id':'d1'}]}}}");
}

static void
test_items_template (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'policyInfo.{tenant}.employees'",
              .extra = ",'errors':{'message':'responseMessage','code':'responseCode','ok_path':'responseCode'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autofree char *dotted = NULL;

  f->handler = keyed_items_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  assert_ids (f, "e1,e2");

  dotted = portico_runtime_dup_items_path (connector, f->values, "users", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dotted, ==, "policyInfo.tenant1.employees");

  /* A value holding a dot stays one key. */
  g_hash_table_insert (f->values, g_strdup ("tenant"), g_strdup ("a.b"));
  g_ptr_array_set_size (f->ids, 0);
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  assert_ids (f, "d1");
  /* ...which the dotted form for the store cannot say. */
  g_assert_null (portico_runtime_dup_items_path (connector, f->values, "users", &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* An empty value cannot name the items: an error, not zero items. */
  g_hash_table_insert (f->values, g_strdup ("tenant"), g_strdup (""));
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  g_assert_cmpuint (f->hits, ==, 2);
}

/* Format v2 "empty_statuses": BambooHR answers 404 for an empty
 * directory. Page 1 has two members; page 2 is a 404 (no more items), or
 * the status the "status" query names. */
static void
empty_status_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *page = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;

  if (g_strcmp0 (page, "1") == 0)
    respond (msg, 200, "{'members':[{'id':'m1'},{'id':'m2'}]}");
  else
    respond (msg, status != NULL ? (guint) g_ascii_strtoull (status, NULL, 10) : 404,
             "{'message':'No employees.'}");
}

static void
test_items_empty_statuses (Fixture *f, gconstpointer data)
{
  Def with = { .items = "'members'",
               .pagination = "{'style':'page','param':'page','size_param':'count','size':2}",
               .users_extra = ",'empty_statuses':[404, 410]" };
  Def status_403 = { .items = "'members'",
                     .request = "{'method':'GET','path':'/users','query':{'status':'403'}}",
                     .pagination = "{'style':'page','param':'page','size_param':'count','size':2}",
                     .users_extra = ",'empty_statuses':[404]" };
  Def without = { .items = "'members'",
                  .pagination = "{'style':'page','param':'page','size_param':'count','size':2}" };
  g_autoptr(PorticoConnector) listed = load_connector (&with);
  g_autoptr(PorticoConnector) other = load_connector (&status_403);
  g_autoptr(PorticoConnector) plain = load_connector (&without);
  g_autoptr(GError) error = NULL;

  f->handler = empty_status_handler;
  /* The 404 ends the read: the members of page 1, no error. */
  g_assert_cmpint (fetch (f, listed, &error), ==, 2);
  g_assert_no_error (error);
  assert_ids (f, "m1,m2");
  g_assert_cmpuint (f->pages, ==, 2);
  g_assert_cmpuint (f->hits, ==, 2);

  /* A status not listed keeps its meaning. */
  g_ptr_array_set_size (f->ids, 0);
  g_assert_cmpint (fetch (f, other, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Without the key a 404 is an error, as before. */
  g_ptr_array_set_size (f->ids, 0);
  g_assert_cmpint (fetch (f, plain, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
}

static void
test_items_template_unknown_field (void)
{
  g_autofree char *json = dq ("{'format':1,'id':'testapp','name':'Testapp','category':'other',"
                              "'help_url':'https://example.com/help','help':'A token.','multi_account':false,"
                              "'base_url':'https://api.example.com',"
                              "'fields':[{'id':'token','label':'Token','type':'secret','required':true}],"
                              "'permissions':[{'id':'read','label':'Read'}],"
                              "'auth':{'scheme':'header','header':'Authorization','value':'Bearer {token}'},"
                              "'identity':{'id':{'template':'x'},'name':{'template':'x'}},"
                              "'data_types':{'users':{'request':{'method':'GET','path':'/u'},"
                              "  'items':'policyInfo.{policy}.employees','map':{'id':'id'}}}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = portico_connector_new_from_data (json, -1, "testapp.json", TRUE, &error);

  g_assert_null (connector);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_nonnull (strstr (error->message, "data_types.users.items"));
  g_assert_nonnull (strstr (error->message, "{policy}"));
}

/* ------------------------------------------------------------------------ */
/* Auth                                                                      */

static void
ok_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "[{'id':'a'}]");
}

static void
test_auth_header (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'header','header':'Authorization','value':'SSWS {token}'}",
              .extra = ",'headers':{'X-Api-Version':'2024-01-01'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = ok_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, "SSWS " SECRET);
}

static void
test_auth_basic (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'basic','username':'{token}','password':'x'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) SECRET ":x", strlen (SECRET ":x"));
  g_autofree char *expected = g_strconcat ("Basic ", encoded, NULL);

  f->handler = ok_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, expected);
}

static void
body_form_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(GHashTable) form = soup_form_decode (body);
  const char *job = g_hash_table_lookup (form, "requestJobDescription");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonObject *credentials;

  g_assert_cmpstr (soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL),
                   ==, "application/x-www-form-urlencoded");
  g_assert_nonnull (job);
  node = json_from_string (job, NULL);
  g_assert_nonnull (node);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "get");
  credentials = json_object_get_object_member (object, "credentials");
  g_assert_cmpstr (json_object_get_string_member (credentials, "partnerUserID"), ==, "ada");
  g_assert_cmpstr (json_object_get_string_member (credentials, "partnerUserSecret"), ==, SECRET);
  respond (msg, 200, "{'responseCode':200,'policyList':[{'id':'a'},{'id':'b'}]}");
}

static void
test_auth_body_form_field (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'body','fields':{'credentials':{'partnerUserID':'{user}','partnerUserSecret':'{token}'}}}",
              .request = "{'method':'POST','path':'/Integration-Server/ExpensifyIntegrations',"
                         "'body':{'type':'get'},'body_encoding':'form','form_field':'requestJobDescription'}",
              .items = "'policyList'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = body_form_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, "");
}

static void
body_json_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *object = json_node_get_object (node);

  g_assert_cmpstr (json_object_get_string_member (object, "api_key"), ==, SECRET);
  g_assert_cmpstr (json_object_get_string_member (object, "filter"), ==, "user:ada");
  respond (msg, 200, "{'users':[{'id':'a'}]}");
}

static void
test_auth_body_json (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'body','fields':{'api_key':'{token}'}}",
              .request = "{'method':'POST','path':'/users/search','body':{'filter':'user:{user}'}}",
              .items = "'users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = body_json_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
}

static void
oauth_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  if (g_str_equal (path, "/tenant1/oauth2/v2.0/token"))
    {
      g_autofree char *body = request_body (msg);
      g_autoptr(GHashTable) form = soup_form_decode (body);
      g_autofree char *encoded = g_base64_encode ((const guchar *) "cid:" SECRET, strlen ("cid:" SECRET));
      g_autofree char *expected = g_strconcat ("Basic ", encoded, NULL);
      g_autofree char *response = NULL;

      f->token_hits++;
      g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
      g_assert_cmpstr (auth, ==, expected);
      g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "client_credentials");
      g_assert_cmpstr (g_hash_table_lookup (form, "scope"), ==, "https://graph.example.com/.default");
      g_assert_false (g_hash_table_contains (form, "client_secret"));
      g_free (f->token);
      f->token = g_strdup_printf ("tok-%u", ++f->token_serial);
      response = g_strdup_printf ("{'access_token':'%s','token_type':'Bearer','expires_in':%u}",
                                  f->token, f->expires_in ? f->expires_in : 3599);
      respond (msg, 200, response);
      return;
    }

  {
    g_autofree char *expected = g_strconcat ("Bearer ", f->token ? f->token : "none", NULL);
    if (g_strcmp0 (auth, expected) != 0)
      {
        respond (msg, 401, "{'error':{'code':'InvalidAuthenticationToken','message':'Access token has expired.'}}");
        return;
      }
  }
  respond (msg, 200, "{'value':[{'id':'a'}]}");
}

static void
test_auth_oauth_client_credentials (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'oauth2_client_credentials',"
                      "'token_url':'https://login.example.com/{tenant}/oauth2/v2.0/token',"
                      "'client_id':'{user}','client_secret':'{token}',"
                      "'scope':'https://graph.example.com/.default'}",
              .items = "'value'",
              .extra = ",'errors':{'message':'error.message','code':'error.code',"
                       "'codes':{'InvalidAuthenticationToken':'not_authorized'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (f->values, g_strdup ("user"), g_strdup ("cid"));
  f->handler = oauth_handler;

  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  /* Two reads, one token. */
  g_assert_cmpuint (f->token_hits, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 1), ==, "Bearer tok-1");

  /* The server revokes tok-1: a 401 makes the runtime fetch a new one, once. */
  g_free (f->token);
  f->token = g_strdup ("revoked");
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->token_hits, ==, 2);
  g_assert_cmpstr (f->token, ==, "tok-2");
}

static void
oauth_body_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  if (g_str_equal (path, "/oauth/token"))
    {
      g_autofree char *body = request_body (msg);
      g_autoptr(GHashTable) form = soup_form_decode (body);

      f->token_hits++;
      g_assert_null (auth);
      g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "account_credentials");
      g_assert_cmpstr (g_hash_table_lookup (form, "account_id"), ==, "tenant1");
      g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, "ada");
      g_assert_cmpstr (g_hash_table_lookup (form, "client_secret"), ==, SECRET);
      respond (msg, 200, "{'access_token':'zoom-token','expires_in':3600}");
      return;
    }
  if (g_strcmp0 (auth, "Bearer zoom-token") != 0)
    {
      respond (msg, 401, "{'code':124,'message':'Invalid access token.'}");
      return;
    }
  respond (msg, 200, "{'users':[{'id':'a'},{'id':'b'}]}");
}

static void
test_auth_oauth_client_body (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'oauth2_client_credentials','token_url':'https://zoom.example.com/oauth/token',"
                      "'client_id':'{user}','client_secret':'{token}','client_auth':'body',"
                      "'params':{'grant_type':'account_credentials','account_id':'{tenant}'}}",
              .items = "'users'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;

  f->handler = oauth_body_handler;
  /* Two reads at once share one token request. */
  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                         NULL, NULL, NULL, NULL, store_result, &r1);
  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                         NULL, NULL, NULL, NULL, store_result, &r2);
  while (r1 == NULL || r2 == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (portico_runtime_fetch_data_type_finish (f->runtime, r1, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (portico_runtime_fetch_data_type_finish (f->runtime, r2, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (f->token_hits, ==, 1);
}

static void
test_auth_oauth_token_expiry (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'oauth2_client_credentials',"
                      "'token_url':'https://login.example.com/{tenant}/oauth2/v2.0/token',"
                      "'client_id':'{user}','client_secret':'{token}',"
                      "'scope':'https://graph.example.com/.default'}",
              .items = "'value'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  /* A token about to expire is not reused. */
  g_hash_table_insert (f->values, g_strdup ("user"), g_strdup ("cid"));
  f->expires_in = 5;
  f->handler = oauth_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->token_hits, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 3), ==, "Bearer tok-2");
}

static gboolean
stop_after_first_page (const char *data_type_id,
                       guint       page_index,
                       GBytes     *body,
                       JsonArray  *items,
                       gpointer    user_data,
                       GError    **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The disk is full.");
  return FALSE;
}

static void
test_page_callback_stops (Fixture *f, gconstpointer data)
{
  Def def = { .pagination = "{'style':'cursor','cursor_path':'next','param':'cursor','in':'query'}",
              .items = "'items'" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  f->handler = endless_handler;
  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                         stop_after_first_page, NULL, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (portico_runtime_fetch_data_type_finish (f->runtime, result, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
bad_client_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  f->token_hits++;
  respond (msg, 400, "{'error':'invalid_client','error_description':'AADSTS7000215: Invalid client secret provided.'}");
}

static void
test_auth_oauth_bad_client (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'oauth2_client_credentials','token_url':'https://login.example.com/token',"
                      "'client_id':'{user}','client_secret':'{token}'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = bad_client_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "client secret"));
  g_assert_null (strstr (error->message, SECRET));
  g_assert_cmpuint (f->token_hits, ==, 1);
}

static void
test_auth_authorization_code (Fixture *f, gconstpointer data)
{
  Def def = { .auth = "{'scheme':'oauth2_authorization_code','authorize_url':'https://example.com/authorize',"
                      "'token_url':'https://example.com/token','client_id':'{user}','scopes':['users.read'],'pkce':true}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  /* Without a sign-in (no refresh token) nothing is sent; test-oauth.c
   * covers the sign-in itself. */
  f->handler = ok_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED);
  g_assert_cmpuint (f->hits, ==, 0);
}

static void
test_api_base_url_refuses_plain_http (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup ("http://proxy.example.com:8080"));
  f->handler = ok_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  g_assert_cmpuint (f->hits, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Rate limits and retries                                                   */

static void
limited_date_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits == 1)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 2);
      g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", date);
      respond (msg, 429, "{'message':'slow down'}");
      return;
    }
  respond (msg, 200, "[{'id':'a'}]");
}

static void
test_retry_after_http_date (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* The backoff alone would be 1 ms: only the date can make the wait long. */
  g_object_set (f->runtime, "retry-base-ms", 1, "max-retry-delay-ms", 3000, NULL);
  f->handler = limited_date_handler;
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
limited_seconds_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits == 1)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      respond (msg, 429, "{}");
      return;
    }
  respond (msg, 200, "[{'id':'a'}]");
}

static void
test_retry_after_seconds (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_object_set (f->runtime, "retry-base-ms", 1, "max-retry-delay-ms", 3000, NULL);
  f->handler = limited_seconds_handler;
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 950 * 1000);
}

static void
limited_long_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "3600");
  respond (msg, 429, "{'errorCode':'E0000047','errorSummary':'API call exceeded rate limit due to too many requests.'}");
}

static void
test_retry_after_capped (Fixture *f, gconstpointer data)
{
  Def def = { .extra = ",'errors':{'message':'errorSummary','code':'errorCode','codes':{'E0000047':'rate_limited'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  f->handler = limited_long_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED);
  /* An hour is longer than the runtime waits (max-retry-delay-ms, 200):
   * no retry that the provider has announced it will refuse; the sentence
   * says how long it asked for. */
  g_assert_cmpuint (f->hits, ==, 1);
  g_assert_nonnull (strstr (error->message, "60 minutes"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static void
reset_header_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits == 1)
    {
      g_autofree char *reset = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 2);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Rate-Limit-Reset", reset);
      respond (msg, 429, "{}");
      return;
    }
  respond (msg, 200, "[{'id':'a'}]");
}

/* Format v2 "header_statuses", as GitHub documents its limits
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
 * the primary limit is a 403 or 429 with x-ratelimit-remaining: 0 (wait
 * until x-ratelimit-reset), a secondary limit a 403 or 429 with
 * retry-after; any other 403 is a missing permission. The first request
 * of each read gets the "mode" query's answer, the next one succeeds. */
static guint header_limit_mark;

static void
header_limit_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *mode = query != NULL ? g_hash_table_lookup (query, "mode") : NULL;

  if (f->hits - header_limit_mark > 1 && g_strcmp0 (mode, "forbidden") != 0)
    {
      respond (msg, 200, "[{'id':'a'}]");
      return;
    }
  if (g_strcmp0 (mode, "primary") == 0)
    {
      g_autofree char *reset = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);

      soup_message_headers_replace (headers, "x-ratelimit-remaining", "0");
      soup_message_headers_replace (headers, "x-ratelimit-reset", reset);
      respond (msg, 403, "{'message':'API rate limit exceeded for user ID 1.'}");
    }
  else if (g_strcmp0 (mode, "secondary") == 0 || g_strcmp0 (mode, "secondary-429") == 0)
    {
      soup_message_headers_replace (headers, "x-ratelimit-remaining", "4000");
      soup_message_headers_replace (headers, "retry-after", "1");
      respond (msg, g_str_equal (mode, "secondary") ? 403 : 429,
               "{'message':'You have exceeded a secondary rate limit.'}");
    }
  else
    {
      soup_message_headers_replace (headers, "x-ratelimit-remaining", "4999");
      respond (msg, 403, "{'message':'Resource not accessible by integration'}");
    }
}

static void
test_retry_header_statuses (Fixture *f, gconstpointer data)
{
  static const char * const modes[] = { "primary", "secondary", "secondary-429", "forbidden", NULL };

  g_object_set (f->runtime, "retry-base-ms", 1, "max-retry-delay-ms", 3000, NULL);
  f->handler = header_limit_handler;
  for (guint i = 0; modes[i] != NULL; i++)
    {
      g_autofree char *request = g_strdup_printf ("{'method':'GET','path':'/users','query':{'mode':'%s'}}", modes[i]);
      Def def = { .request = request,
                  .extra = ",'rate_limit':{'retry_after_header':'retry-after','reset_header':'x-ratelimit-reset',"
                           "'reset_format':'epoch','remaining_header':'x-ratelimit-remaining',"
                           "'header_statuses':[403,429],'statuses':[429]}" };
      g_autoptr(PorticoConnector) connector = load_connector (&def);
      g_autoptr(GError) error = NULL;
      gint64 got;

      header_limit_mark = f->hits;
      g_ptr_array_set_size (f->ids, 0);
      got = fetch (f, connector, &error);
      if (g_str_equal (modes[i], "forbidden"))
        {
          /* No limit header says so: a refusal, not retried. */
          g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
          g_assert_cmpint (got, ==, -1);
          g_assert_cmpuint (f->hits - header_limit_mark, ==, 1);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpint (got, ==, 1);
          g_assert_cmpuint (f->hits - header_limit_mark, ==, 2);
        }
    }
}

static void
test_retry_reset_header (Fixture *f, gconstpointer data)
{
  Def def = { .extra = ",'rate_limit':{'reset_header':'X-Rate-Limit-Reset','reset_format':'epoch','statuses':[429]}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_object_set (f->runtime, "retry-base-ms", 1, "max-retry-delay-ms", 3000, NULL);
  f->handler = reset_header_handler;
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
}

static void
body_retry_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits == 1)
    {
      respond (msg, 429, "{'error_summary':'too_many_requests/','error':{'.tag':'too_many_requests','retry_after':1}}");
      return;
    }
  respond (msg, 200, "[{'id':'a'}]");
}

static void
test_retry_body_retry_after (Fixture *f, gconstpointer data)
{
  Def def = { .extra = ",'rate_limit':{'body_retry_after':'error.retry_after','statuses':[429]}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_object_set (f->runtime, "retry-base-ms", 1, "max-retry-delay-ms", 3000, NULL);
  f->handler = body_retry_handler;
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 950 * 1000);
}

static void
unavailable_once_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits == 1)
    {
      respond (msg, 503, "{}");
      return;
    }
  respond (msg, 200, "[{'id':'a'},{'id':'b'}]");
}

static void
test_retry_503_then_ok (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = unavailable_once_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
storm_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, f->hits % 2 ? 500 : 502, "<html>oops</html>");
}

static void
test_retry_5xx_storm (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  g_object_set (f->runtime, "max-attempts", 4, NULL);
  f->handler = storm_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SERVER);
  g_assert_cmpuint (f->hits, ==, 4);
}

static void
forbidden_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 403, "{'message':'Missing scope'}");
}

static void
test_no_retry_on_4xx (Fixture *f, gconstpointer data)
{
  Def def = { .more_data_types = ",'licenses':{'label':'Licenses','requirement':'Licenses need the Billing Admin role.',"
                                 "'request':{'method':'GET','path':'/licenses'},'items':'','map':{'sku':'sku'}}",
              .extra = ",'errors':{'message':'message'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = forbidden_handler;
  g_assert_cmpint (fetch_with (f, connector, "licenses", 0, NULL, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "Licenses need the Billing Admin role."));
  g_assert_nonnull (strstr (error->message, "Missing scope"));
  g_assert_cmpuint (f->hits, ==, 1);
}

/* ------------------------------------------------------------------------ */
/* Provider errors                                                           */

static void
slack_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'ok':false,'error':'invalid_auth'}");
}

static void
test_errors_slack_ok_false (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'members'",
              .extra = ",'errors':{'message':'error','code':'error','ok_path':'ok',"
                       "'codes':{'invalid_auth':'not_authorized','ratelimited':'rate_limited'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = slack_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "reconnect"));
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
google_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (f->hits <= 2)
    {
      respond (msg, 403, "{'error':{'code':403,'message':'User Rate Limit Exceeded',"
                         "'errors':[{'domain':'usageLimits','reason':'userRateLimitExceeded','message':'User Rate Limit Exceeded'}]}}");
      return;
    }
  respond (msg, 200, "{'users':[{'id':'g1'}]}");
}

static void
test_errors_google_rate_limit (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'users'",
              .extra = ",'errors':{'message':'error.message','code':'error.errors.0.reason',"
                       "'codes':{'userRateLimitExceeded':'rate_limited','forbidden':'forbidden'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = google_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 3);
}

static void
salesforce_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 403, "[{'message':'The REST API is not enabled for this Organization.','errorCode':'API_DISABLED_FOR_ORG'}]");
}

static void
test_errors_salesforce_array (Fixture *f, gconstpointer data)
{
  Def def = { .more_data_types = ",'usage':{'label':'Usage','requirement':'Usage needs the Enterprise edition.',"
                                 "'request':{'method':'GET','path':'/query'},'items':'records','map':{'user_id':'Id'}}",
              .extra = ",'errors':{'message':'0.message','code':'0.errorCode',"
                       "'codes':{'INVALID_SESSION_ID':'not_authorized','API_DISABLED_FOR_ORG':'plan'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = salesforce_handler;
  g_assert_cmpint (fetch_with (f, connector, "usage", 0, NULL, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_PLAN);
  g_assert_nonnull (strstr (error->message, "Usage needs the Enterprise edition."));
  g_assert_nonnull (strstr (error->message, "The REST API is not enabled"));
  g_assert_cmpuint (f->hits, ==, 1);
}


/* ------------------------------------------------------------------------ */
/* Two-step requests ("then")                                                */

static void
respond_text (SoupServerMessage *msg,
              const char        *text)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

/* An export: POST /exports answers with a file name (plain text, with white
 * space around it), GET /files/NAME?page=N serves the file two items a page. */
static void
export_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");

  g_assert_cmpstr (auth, ==, "Bearer " SECRET);
  if (g_str_equal (path, "/v1/exports"))
    {
      g_autofree char *body = request_body (msg);
      g_autoptr(GHashTable) form = soup_form_decode (body);
      g_autoptr(JsonNode) job = json_from_string (g_hash_table_lookup (form, "job"), NULL);

      g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
      g_assert_nonnull (job);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (job), "kind"), ==, "users");
      /* The extra form field, its {field} expanded, FreeMarker's braces kept. */
      g_assert_cmpstr (g_hash_table_lookup (form, "template"), ==, "<#list rows as r>${r.id}</#list> tenant1");
      respond_text (msg, "  file-42.json\n");
      return;
    }
  if (g_str_equal (path, "/v1/files/file-42.json"))
    {
      const char *page = query != NULL ? g_hash_table_lookup (query, "page") : NULL;

      g_assert_cmpstr (soup_server_message_get_method (msg), ==, "GET");
      g_assert_cmpstr (query != NULL ? g_hash_table_lookup (query, "name") : NULL, ==, "file-42.json");
      if (g_strcmp0 (page, "1") == 0)
        respond (msg, 200, "[{'id':'u1'},{'id':'u2'}]");
      else if (g_strcmp0 (page, "2") == 0)
        respond (msg, 200, "[{'id':'u3'}]");
      else
        g_assert_not_reached ();
      return;
    }
  if (g_str_has_prefix (path, "/v1/files/"))
    {
      respond (msg, 404, "{'error':'no such file'}");
      return;
    }
  g_assert_not_reached ();
}

#define EXPORT_REQUEST \
  "{'method':'POST','path':'/exports','body':{'kind':'users'},'body_encoding':'form','form_field':'job'," \
  " 'form_params':{'template':'<#list rows as r>${r.id}</#list> {tenant}'}," \
  " 'then':{'method':'GET','path':'/files/{response}','query':{'name':'{response}'}}}"

static void
test_then_two_steps (Fixture *f, gconstpointer data)
{
  Def def = { .request = EXPORT_REQUEST,
              .pagination = "{'style':'page','param':'page','start':1,'size':2}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = export_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 3);
  g_assert_no_error (error);
  assert_ids (f, "u1,u2,u3");
  /* The first step once, then the second one paginated. */
  g_assert_cmpuint (f->hits, ==, 3);
  g_assert_cmpuint (f->pages, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->paths, 0), ==, "/v1/exports");
  g_assert_cmpstr (g_ptr_array_index (f->paths, 1), ==, "/v1/files/file-42.json?name=file-42.json&page=1");
  g_assert_cmpstr (g_ptr_array_index (f->paths, 2), ==, "/v1/files/file-42.json?name=file-42.json&page=2");
}

static void
export_second_fails_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/v1/exports"))
    respond_text (msg, "file-43.json");
  else
    export_handler (f, msg, path, query);
}

static void
export_empty_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/v1/exports"))
    respond_text (msg, " \n");
  else
    g_assert_not_reached ();
}

static void
export_refused_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'responseCode':407,'responseMessage':'Authentication error'}");
}

static void
test_then_errors (Fixture *f, gconstpointer data)
{
  Def def = { .request = EXPORT_REQUEST,
              .extra = ",'errors':{'message':'responseMessage','code':'responseCode','ok_path':'responseCode',"
                       "'codes':{'407':'not_authorized'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  /* The second step fails: its error, and no page was read. */
  f->handler = export_second_fails_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpuint (f->pages, ==, 0);
  g_assert_cmpstr (g_ptr_array_index (f->paths, 1), ==, "/v1/files/file-43.json?name=file-43.json");
  g_clear_error (&error);

  /* An empty first answer: nothing to ask for in the second step. */
  f->hits = 0;
  f->handler = export_empty_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (f->hits, ==, 1);
  g_clear_error (&error);

  /* A first answer in JSON follows the errors rules (Expensify's 407). */
  f->hits = 0;
  f->handler = export_refused_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "Authentication error"));
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
test_then_response_only_in_then (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;
  g_autofree char *json = dq (
    "{'format':1,'id':'testapp','name':'Testapp','category':'other',"
    "'help_url':'https://example.com/help','help':'x','multi_account':false,'base_url':'https://api.example.com',"
    "'fields':[{'id':'token','label':'Token','type':'secret','required':true,'help':'x'}],"
    "'permissions':[{'id':'read','label':'Read','help':'x'}],"
    "'auth':{'scheme':'header','header':'Authorization','value':'Bearer {token}'},"
    "'identity':{'id':{'template':'{token}'},'name':{'template':'x'}},"
    "'data_types':{'users':{'request':{'method':'GET','path':'/files/{response}'},'map':{'id':'id'}}}}");

  connector = portico_connector_new_from_data (json, -1, "testapp.json", TRUE, &error);
  g_assert_null (connector);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_nonnull (strstr (error->message, "response"));
}

static void
expensify_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 200, "{'responseCode':407,'responseMessage':'Authentication error'}");
}

static void
test_errors_numeric_ok_path (Fixture *f, gconstpointer data)
{
  Def def = { .items = "'policyList'",
              .extra = ",'errors':{'message':'responseMessage','code':'responseCode','ok_path':'responseCode',"
                       "'codes':{'407':'not_authorized'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = expensify_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "Authentication error"));
}

static void
echo_secret_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 401, "{'errorCode':'E0000011','errorSummary':'Invalid token provided: " SECRET "'}");
}

static void
test_errors_secret_not_in_message (Fixture *f, gconstpointer data)
{
  Def def = { .extra = ",'errors':{'message':'errorSummary','code':'errorCode','codes':{'E0000011':'not_authorized'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = echo_secret_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_nonnull (strstr (error->message, "Invalid token provided"));
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
not_found_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond (msg, 404, "{}");
}

static void
test_errors_not_found (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = not_found_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
}

/* GraphQL: errors in a 200 body. */
static void
graphql_errors_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/v1/users"))
    respond (msg, 200, "{'data':null,'errors':[{'message':'Only admins may list users',"
                       "'extensions':{'code':'FORBIDDEN'}}]}");
  else if (g_str_equal (path, "/v1/teams"))
    {
      /* Rate limited once, then fine: an empty errors array is no error. */
      if (f->hits == 1)
        respond (msg, 200, "{'errors':[{'message':'Slow down','extensions':{'code':'RATELIMITED'}}]}");
      else
        respond (msg, 200, "{'data':{'teams':[{'id':'t1'}]},'errors':[]}");
    }
  else if (g_str_equal (path, "/v1/me"))
    respond (msg, 200, "{'errors':['Complexity budget exhausted'],'error_code':'SOMETHING_ELSE',"
                       "'error_message':'Budget gone'}");
  else
    respond (msg, 404, "{}");
}

static void
test_errors_graphql_in_200 (Fixture *f, gconstpointer data)
{
  Def def = { .more_data_types = ",'groups':{'label':'Teams','request':{'method':'GET','path':'/teams'},"
                                 "'items':'data.teams','map':{'id':'id'}}",
              .extra = ",'errors':{'message':{'first':['errors.0.message','error_message']},"
                       "'code':{'first':['errors.0.extensions.code','error_code']},'errors_path':'errors',"
                       "'codes':{'FORBIDDEN':'forbidden','RATELIMITED':'rate_limited'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  f->handler = graphql_errors_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "Only admins may list users"));
  g_assert_cmpuint (f->hits, ==, 1);
  g_clear_error (&error);

  f->hits = 0;
  g_ptr_array_set_size (f->ids, 0);
  g_assert_cmpint (fetch_with (f, connector, "groups", 0, NULL, &error), ==, 1);
  g_assert_no_error (error);
  assert_ids (f, "t1");
  g_assert_cmpuint (f->hits, ==, 2);

  /* The identity request too; an array of strings (monday.com's older
   * format) is an error as well, the message read from the top level. */
  portico_runtime_fetch_identity_async (f->runtime, connector, f->values, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (portico_runtime_fetch_identity_finish (f->runtime, result, NULL, NULL, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Budget gone"));
  g_assert_null (strstr (error->message, "HTTP 200"));
}

static void
test_errors_graphql_without_rule (Fixture *f, gconstpointer data)
{
  /* Without errors_path a 200 body with errors is read as data. */
  Def def = { .items = "'data.users'",
              .extra = ",'errors':{'message':'errors.0.message'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = graphql_errors_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 0);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* Redirects, transport                                                      */

static void
redirect_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/v1/users"))
    {
      /* Same origin first: credentials stay. */
      soup_server_message_set_redirect (msg, 307, "/v1/users-moved");
      return;
    }
  if (g_str_equal (path, "/v1/users-moved"))
    {
      g_autofree char *target = g_strconcat (f->other_base, "/files/users.json", NULL);
      soup_server_message_set_redirect (msg, 302, target);
      return;
    }
  respond (msg, 404, "{}");
}

static void
other_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-Api-Key");

  g_assert_null (auth);
  g_assert_null (key);
  g_assert_cmpstr (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-Api-Version"),
                   ==, "2");
  respond (msg, 200, "[{'id':'r1'}]");
}

static void
test_redirect_other_origin_drops_credentials (Fixture *f, gconstpointer data)
{
  Def def = { .extra = ",'headers':{'X-Api-Key':'{token}','X-Api-Version':'2'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;

  f->handler = redirect_handler;
  f->other_handler = other_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  assert_ids (f, "r1");
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpuint (f->other_hits, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, "Bearer " SECRET);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 1), ==, "Bearer " SECRET);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 2), ==, "");
}

static void
pause_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  soup_server_message_pause (msg);
  f->paused = g_slist_prepend (f->paused, msg);
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
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start;

  f->handler = pause_handler;
  g_timeout_add (100, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch_with (f, connector, "users", 0, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (f->hits, ==, 1);
}

static void
test_timeout (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  gint64 start;

  portico_runtime_set_timeout (f->runtime, 1);
  f->handler = pause_handler;
  start = g_get_monotonic_time ();
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
}

static void
test_connection_refused (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_strdup (f->other_base);

  /* Nothing listens there once the second server is gone. */
  soup_server_disconnect (f->other);
  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (base));
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK);
}

/* A self-signed certificate for 127.0.0.1, made for this test only. */
static const char self_signed_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBjzCCATagAwIBAgIUNuWB5lFjXpqz4SDYc40jKct8AqEwCgYIKoZIzj0EAwIw\n"
  "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyODE4NDUwN1oYDzIxMjYxMTA0\n"
  "MTg0NTA3WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
  "PQMBBwNCAARrZj6STh8HHSUdQ8ozFrtNl+Xz/1U3hJ+OKNP7FOzdZJKzJP511kr1\n"
  "4ADW3qrkEIp9lndRdwUCnw2VhyJgR3yco2QwYjAdBgNVHQ4EFgQUXPAOWWwCUpC9\n"
  "YVWgWEaq5IzpaOowHwYDVR0jBBgwFoAUXPAOWWwCUpC9YVWgWEaq5IzpaOowDwYD\n"
  "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC\n"
  "ICqvmsIw986bo1K5OlwVSKFChnyCO432qoHiW5RfgUu3AiA4PyOhvWVFK9Z6mv6j\n"
  "sUbMl6+m0yctLsWqJFA0FCDGjA==\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgY5Sk2cT3HOkICZH9\n"
  "u6WKCAU8/CwEtoPGFQm3TKeZwM6hRANCAARrZj6STh8HHSUdQ8ozFrtNl+Xz/1U3\n"
  "hJ+OKNP7FOzdZJKzJP511kr14ADW3qrkEIp9lndRdwUCnw2VhyJgR3yc\n"
  "-----END PRIVATE KEY-----\n";

static void
test_tls_bad_certificate (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  g_autofree char *base = NULL;
  GSList *uris;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  certificate = g_tls_certificate_new_from_pem (self_signed_pem, -1, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen (server, address, SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (base));
  f->handler = ok_handler;
  /* A handshake can be slow under valgrind. */
  portico_runtime_set_timeout (f->runtime, 60);
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TLS);
  /* The credentials never went out: the handshake failed first. */
  g_assert_cmpuint (f->hits + f->other_hits, ==, 0);
  soup_server_disconnect (server);
}

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  Fixture *f = g_object_get_data (G_OBJECT (msg), "fixture");

  if (g_slist_find (f->paused, msg) != NULL)
    {
      f->active--;
      f->paused = g_slist_remove (f->paused, msg);
      soup_server_message_unpause (msg);
    }
  return G_SOURCE_REMOVE;
}

/* Holds each answer until two requests are in flight (or 2 s passed), so that
 * a broken limit shows as more than two at once and a working one as two. */
static void
slow_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  f->active++;
  f->max_active = MAX (f->max_active, f->active);
  respond (msg, 200, "[{'id':'a'}]");
  soup_server_message_pause (msg);
  f->paused = g_slist_prepend (f->paused, msg);
  g_object_set_data (G_OBJECT (msg), "fixture", f);
  if (f->active >= 2)
    {
      while (f->paused != NULL)
        unpause_cb (f->paused->data);
    }
  else
    {
      guint id = g_timeout_add_full (G_PRIORITY_DEFAULT, 2000, unpause_cb, g_object_ref (msg), g_object_unref);
      g_array_append_val (f->timers, id);
    }
}

static void
test_host_limit (Fixture *f, gconstpointer data)
{
  Def def = { 0 };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  GAsyncResult *results[6] = { NULL, };
  guint done = 0;

  portico_runtime_set_max_per_host (f->runtime, 2);
  f->handler = slow_handler;
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                           NULL, NULL, NULL, NULL, store_result, &results[i]);
  while (done < G_N_ELEMENTS (results))
    {
      g_main_context_iteration (NULL, TRUE);
      done = 0;
      for (guint i = 0; i < G_N_ELEMENTS (results); i++)
        done += results[i] != NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_cmpint (portico_runtime_fetch_data_type_finish (f->runtime, results[i], &error), ==, 1);
      g_assert_no_error (error);
      g_object_unref (results[i]);
    }
  g_assert_cmpuint (f->hits, ==, 6);
  g_assert_cmpuint (f->max_active, ==, 2);
}

/* The shipped definitions that use these rules, against a fake of their API. */
static PorticoConnector *
load_shipped (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".json", NULL);
  g_autofree char *path = g_build_filename (g_getenv ("PORTICO_CONNECTORS_DIR"), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  PorticoConnector *connector = portico_connector_new_from_file (file, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (connector);
  return connector;
}

static void
shipped_values (Fixture *f, ...)
{
  va_list args;
  const char *key;

  g_hash_table_remove_all (f->values);
  g_hash_table_insert (f->values, g_strdup ("api_base_url"), g_strdup (f->base));
  va_start (args, f);
  while ((key = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (f->values, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
}

static void
monday_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *variables = json_object_get_object_member (json_node_get_object (node), "variables");
  gint64 page = json_object_get_int_member (variables, "page");
  gint64 limit = json_object_get_int_member (variables, "limit");
  g_autoptr(GString) out = g_string_new ("{'data':{'users':[");

  g_assert_cmpstr (path, ==, "/v2");
  g_assert_cmpint (limit, ==, 100);
  /* 100 on the first page, 3 on the second. */
  for (gint64 i = 0; i < (page == 1 ? 100 : page == 2 ? 3 : 0); i++)
    g_string_append_printf (out, "%s{'id':'u%" G_GINT64_FORMAT "','enabled':true}", i ? "," : "",
                            (page - 1) * 100 + i);
  g_string_append (out, "]},'account_id':1}");
  respond (msg, page <= 2 ? 200 : 500, out->str);
}

static void
test_shipped_monday (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = load_shipped ("monday");
  g_autoptr(GError) error = NULL;

  shipped_values (f, "api_token", SECRET, NULL);
  f->handler = monday_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 103);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, SECRET);
}

static void
linear_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  JsonObject *variables = json_object_get_object_member (json_node_get_object (node), "variables");
  JsonNode *after = json_object_get_member (variables, "after");

  g_assert_cmpstr (path, ==, "/graphql");
  if (strstr (json_object_get_string_member (json_node_get_object (node), "query"), "teams") != NULL)
    respond (msg, 200, "{'data':null,'errors':[{'message':'Authentication required','extensions':{'code':'AUTHENTICATION_ERROR'}}]}");
  else if (JSON_NODE_HOLDS_NULL (after))
    respond (msg, 200, "{'data':{'users':{'nodes':[{'id':'l1','active':true}],"
                       "'pageInfo':{'hasNextPage':true,'endCursor':'k1'}}}}");
  else if (g_str_equal (json_node_get_string (after), "k1"))
    respond (msg, 200, "{'data':{'users':{'nodes':[{'id':'l2','active':false}],"
                       "'pageInfo':{'hasNextPage':false,'endCursor':'k2'}}}}");
  else
    respond (msg, 500, "{}");
}

static void
test_shipped_linear (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = load_shipped ("linear");
  g_autoptr(GError) error = NULL;

  shipped_values (f, "api_key", "lin_api_" SECRET, NULL);
  f->handler = linear_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  assert_ids (f, "l1,l2");

  /* Teams: the handler answers with a GraphQL error in a 200. */
  g_assert_cmpint (fetch_with (f, connector, "groups", 0, NULL, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
}

static void
expensify_policy_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = request_body (msg);
  g_autoptr(GHashTable) form = soup_form_decode (body);
  const char *job = g_hash_table_lookup (form, "requestJobDescription");
  g_autoptr(JsonNode) node = json_from_string (job, NULL);
  JsonObject *object = json_node_get_object (node);
  JsonObject *credentials = json_object_get_object_member (object, "credentials");

  g_assert_cmpstr (path, ==, "/Integration-Server/ExpensifyIntegrations");
  if (g_strcmp0 (json_object_get_string_member (credentials, "partnerUserSecret"), SECRET) != 0)
    {
      respond (msg, 200, "{'responseCode':407,'responseMessage':'Authentication error'}");
      return;
    }
  if (g_strcmp0 (json_object_get_string_member (object, "type"), "file") == 0)
    {
      const char *tmpl = g_hash_table_lookup (form, "template");
      JsonObject *filters = json_object_get_object_member (json_object_get_object_member (object, "inputSettings"),
                                                           "filters");

      /* A FreeMarker template sent as is, and the workspace filter. */
      g_assert_nonnull (tmpl);
      g_assert_nonnull (strstr (tmpl, "${expense.transactionID}"));
      g_assert_nonnull (strstr (tmpl, "report.accountEmail"));
      g_assert_cmpstr (json_object_get_string_member (filters, "policyIDList"), ==, "0123456789ABCDEF");
      respond_text (msg, "exportabc123.json");
      return;
    }
  if (g_strcmp0 (json_object_get_string_member (object, "type"), "download") == 0)
    {
      g_assert_cmpstr (json_object_get_string_member (object, "fileName"), ==, "exportabc123.json");
      g_assert_cmpstr (json_object_get_string_member (object, "fileSystem"), ==, "integrationServer");
      respond (msg, 200, "[{'transactionID':'t1','amount':1250,'currency':'USD','merchant':'Figma',"
                         "'created':'2024-05-01','accountEmail':'a@example.com','comment':''},"
                         "{'transactionID':'t2','amount':300,'currency':'EUR','merchant':'Slack',"
                         "'created':'2024-05-02','accountEmail':'b@example.com','comment':'x'}]");
      return;
    }
  respond (msg, 200, "{'responseCode':200,'policyInfo':{'0123456789ABCDEF':{'employees':["
                     "{'id':'a@example.com','email':'a@example.com','role':'admin'},"
                     "{'id':'b@example.com','email':'b@example.com','role':'user'}]}}}");
}

/* Reads @data_type_id without looking into the items. */
static gint64
count_data_type (Fixture          *f,
                 PorticoConnector *connector,
                 const char       *data_type_id,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, data_type_id, 0,
                                         NULL, NULL, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return portico_runtime_fetch_data_type_finish (f->runtime, result, error);
}

static void
test_shipped_expensify (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = load_shipped ("expensify");
  g_autoptr(GError) error = NULL;

  shipped_values (f, "partner_user_id", "aa_admin", "partner_user_secret", SECRET,
                  "policy_id", "0123456789ABCDEF", NULL);
  f->handler = expensify_policy_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 2);
  g_assert_no_error (error);
  assert_ids (f, "a@example.com,b@example.com");

  /* Expenses: the export job, then the download of the file it names. */
  f->hits = 0;
  g_assert_cmpint (count_data_type (f, connector, "transactions", &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 2);
  g_assert_cmpint (count_data_type (f, connector, "discovered_apps", &error), ==, 2);
  g_assert_no_error (error);

  g_hash_table_insert (f->values, g_strdup ("partner_user_secret"), g_strdup ("wrong-secret"));
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_clear_error (&error);
  g_assert_cmpint (count_data_type (f, connector, "transactions", &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
}

static void
test_shipped_sentry (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = load_shipped ("sentry");
  g_autoptr(GError) error = NULL;

  shipped_values (f, "host", "sentry.io", "organization_slug", "acme", "auth_token", SECRET, NULL);
  f->handler = sentry_link_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 3);
}

/* ------------------------------------------------------------------------ */
/* Identity                                                                  */

static void
identity_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_assert_cmpstr (path, ==, "/v1/org");
  respond (msg, 200, "{'id':'00o1','companyName':'Acme Inc.'}");
}

static void
test_identity (Fixture *f, gconstpointer data)
{
  Def def = { .identity = "{'request':{'method':'GET','path':'/org'},'id':'id','name':'companyName'}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  f->handler = identity_handler;
  portico_runtime_fetch_identity_async (f->runtime, connector, f->values, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (portico_runtime_fetch_identity_finish (f->runtime, result, &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "00o1");
  g_assert_cmpstr (name, ==, "Acme Inc.");
  g_assert_cmpstr (g_ptr_array_index (f->auth_seen, 0), ==, "Bearer " SECRET);
}

static void
test_identity_template (Fixture *f, gconstpointer data)
{
  Def def = { .identity = "{'id':{'template':'{tenant}.example.com'},'name':{'template':'Tenant {tenant}'}}" };
  g_autoptr(PorticoConnector) connector = load_connector (&def);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  portico_runtime_fetch_identity_async (f->runtime, connector, f->values, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (portico_runtime_fetch_identity_finish (f->runtime, result, &id, &name, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "tenant1.example.com");
  g_assert_cmpstr (name, ==, "Tenant tenant1");
  g_assert_cmpuint (f->hits, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/runtime/http/link-next", test_http_link_next);
  g_test_add_func ("/runtime/http/retry-after", test_http_retry_after);
  g_test_add_func ("/runtime/http/origin-and-backoff", test_http_origin_and_backoff);

  ADD ("/runtime/pagination/none", test_pagination_none);
  ADD ("/runtime/pagination/link-header", test_pagination_link_header);
  ADD ("/runtime/pagination/cursor-query", test_pagination_cursor_query);
  ADD ("/runtime/pagination/cursor-body-continue", test_pagination_cursor_body);
  ADD ("/runtime/pagination/next-url", test_pagination_next_url);
  ADD ("/runtime/pagination/page", test_pagination_page);
  ADD ("/runtime/pagination/page-short", test_pagination_page_short);
  ADD ("/runtime/pagination/offset", test_pagination_offset);
  ADD ("/runtime/pagination/scim", test_pagination_scim);
  ADD ("/runtime/pagination/cursor-repeats", test_pagination_cursor_repeats);
  ADD ("/runtime/pagination/next-url-repeats", test_pagination_next_url_repeats);
  ADD ("/runtime/pagination/max-pages", test_pagination_max_pages);
  ADD ("/runtime/pagination/gated", test_pagination_gated);
  ADD ("/runtime/pagination/gated-deadline", test_pagination_gated_deadline);
  ADD ("/runtime/pagination/cursor-body-nested", test_pagination_cursor_body_nested);
  ADD ("/runtime/pagination/page-body", test_pagination_page_body);
  ADD ("/runtime/pagination/offset-body", test_pagination_offset_body);
  ADD ("/runtime/pagination/link-results-false", test_pagination_link_results_false);
  ADD ("/runtime/items/template", test_items_template);
  g_test_add_func ("/runtime/items/template-unknown-field", test_items_template_unknown_field);
  ADD ("/runtime/items/empty-statuses", test_items_empty_statuses);
  ADD ("/runtime/response/not-json", test_response_not_json);
  ADD ("/runtime/response/items-not-array", test_response_items_not_array);
  ADD ("/runtime/csv/items", test_csv_items);
  ADD ("/runtime/csv/header-only", test_csv_header_only);
  ADD ("/runtime/csv/row-longer-than-header", test_csv_row_longer_than_header);
  ADD ("/runtime/csv/answer-is-json", test_csv_answer_is_json);

  ADD ("/runtime/auth/header", test_auth_header);
  ADD ("/runtime/auth/basic", test_auth_basic);
  ADD ("/runtime/auth/body-form-field", test_auth_body_form_field);
  ADD ("/runtime/auth/body-json", test_auth_body_json);
  ADD ("/runtime/auth/oauth-client-credentials", test_auth_oauth_client_credentials);
  ADD ("/runtime/auth/oauth-client-body-params", test_auth_oauth_client_body);
  ADD ("/runtime/auth/oauth-token-expiry", test_auth_oauth_token_expiry);
  ADD ("/runtime/pagination/page-callback-stops", test_page_callback_stops);
  ADD ("/runtime/auth/oauth-bad-client", test_auth_oauth_bad_client);
  ADD ("/runtime/auth/authorization-code-not-signed-in", test_auth_authorization_code);
  ADD ("/runtime/auth/api-base-url-plain-http", test_api_base_url_refuses_plain_http);

  ADD ("/runtime/retry/retry-after-http-date", test_retry_after_http_date);
  ADD ("/runtime/retry/retry-after-seconds", test_retry_after_seconds);
  ADD ("/runtime/retry/retry-after-capped", test_retry_after_capped);
  ADD ("/runtime/retry/reset-header", test_retry_reset_header);
  ADD ("/runtime/retry/body-retry-after", test_retry_body_retry_after);
  ADD ("/runtime/retry/header-statuses", test_retry_header_statuses);
  ADD ("/runtime/retry/503-then-ok", test_retry_503_then_ok);
  ADD ("/runtime/retry/5xx-storm", test_retry_5xx_storm);
  ADD ("/runtime/retry/no-retry-on-403", test_no_retry_on_4xx);

  ADD ("/runtime/errors/slack-ok-false", test_errors_slack_ok_false);
  ADD ("/runtime/errors/google-rate-limit-retried", test_errors_google_rate_limit);
  ADD ("/runtime/errors/salesforce-array", test_errors_salesforce_array);
  ADD ("/runtime/errors/numeric-ok-path", test_errors_numeric_ok_path);
  ADD ("/runtime/then/two-steps", test_then_two_steps);
  ADD ("/runtime/then/errors", test_then_errors);
  g_test_add_func ("/runtime/then/response-only-in-then", test_then_response_only_in_then);
  ADD ("/runtime/errors/secret-not-in-message", test_errors_secret_not_in_message);
  ADD ("/runtime/errors/not-found", test_errors_not_found);
  ADD ("/runtime/errors/graphql-in-200", test_errors_graphql_in_200);
  ADD ("/runtime/errors/graphql-without-rule", test_errors_graphql_without_rule);

  ADD ("/runtime/redirect/other-origin-drops-credentials", test_redirect_other_origin_drops_credentials);
  ADD ("/runtime/transport/cancel", test_cancel);
  ADD ("/runtime/transport/timeout", test_timeout);
  ADD ("/runtime/transport/connection-refused", test_connection_refused);
  ADD ("/runtime/transport/host-limit", test_host_limit);
  ADD ("/runtime/transport/tls-bad-certificate", test_tls_bad_certificate);

  ADD ("/runtime/shipped/monday", test_shipped_monday);
  ADD ("/runtime/shipped/linear", test_shipped_linear);
  ADD ("/runtime/shipped/expensify", test_shipped_expensify);
  ADD ("/runtime/shipped/sentry", test_shipped_sentry);

  ADD ("/runtime/identity/request", test_identity);
  ADD ("/runtime/identity/template", test_identity_template);

  return g_test_run ();
}
