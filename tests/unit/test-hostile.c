/* test-hostile.c: the connector runtime against a hostile or broken
 * provider (SPEC 12), on real HTTP over loopback.
 *
 * The JSON nesting pre-scan on its own, then the runtime against a
 * SoupServer on 127.0.0.1 port 0 that answers as an attacker or a broken
 * provider would. Each case must end with a PORTICO_CONNECTOR_ERROR (or
 * the data), never a crash, an endless loop or an unbounded wait.
 * tests/cli/test-hostile.py runs the built portico-cli against the same
 * kinds of answers and checks the database and the memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "portico-json.h"
#include "portico-limits.h"
#include "portico-runtime.h"

/* ------------------------------------------------------------------------ */
/* The pre-scan                                                              */

static gboolean
prescan (const char *text,
         guint       max_depth)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = portico_json_prescan (text, strlen (text), max_depth, &error);

  if (!ok)
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  else
    g_assert_no_error (error);
  return ok;
}

static void
test_prescan_depth (void)
{
  g_assert_true (prescan ("", 0));
  g_assert_true (prescan ("42", 0));
  g_assert_false (prescan ("[]", 0));
  g_assert_true (prescan ("[]", 1));
  g_assert_true (prescan ("{\"a\":[1,{\"b\":[]}]}", 4));
  g_assert_false (prescan ("{\"a\":[1,{\"b\":[]}]}", 3));
  /* Siblings do not add up: depth, not count. */
  g_assert_true (prescan ("[[],[],[],{},{\"a\":{}}]", 3));
}

static void
test_prescan_strings (void)
{
  /* Brackets in strings do not count, escaped quotes do not end them. */
  g_assert_true (prescan ("[\"[[[[[[{{{{\"]", 1));
  g_assert_true (prescan ("[\"a\\\"[[[[\", \"\\\\\"]", 1));
  g_assert_false (prescan ("[\"a\\\\\", [[]]]", 2));
  /* An unterminated string or a trailing escape ends the scan. */
  g_assert_true (prescan ("[\"[[[[", 1));
  g_assert_true (prescan ("[\"\\", 1));
  /* Closing brackets without openers are the parser's business. */
  g_assert_true (prescan ("]]]]}}}[", 1));
}

static void
test_prescan_deep (void)
{
  gsize len = 200000;
  g_autofree char *deep = g_malloc (len);
  g_autoptr(GError) error = NULL;

  /* The body that overflowed json-glib's stack (issue 9): refused in one
   * pass, at the first level past the cap. */
  memset (deep, '[', len);
  g_assert_false (portico_json_prescan (deep, len, PORTICO_LIMIT_JSON_DEPTH, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);

  /* Not NUL-terminated: only @len bytes are read. */
  g_clear_error (&error);
  g_assert_true (portico_json_prescan (deep, PORTICO_LIMIT_JSON_DEPTH, PORTICO_LIMIT_JSON_DEPTH, &error));
  g_assert_no_error (error);
}

static void
test_connector_file_deep (void)
{
  gsize len = 200000;
  g_autofree char *deep = g_malloc (len + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;

  /* A definition file (an imported custom connector) crashed the loader
   * the same way; now it is a load error naming the file. */
  memset (deep, '[', len);
  deep[len] = '\0';
  connector = portico_connector_new_from_data (deep, -1, "deep.json", TRUE, &error);
  g_assert_null (connector);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_nonnull (strstr (error->message, "deep.json"));
  g_assert_nonnull (strstr (error->message, "levels deep"));
}

/* ------------------------------------------------------------------------ */
/* The runtime against a hostile server                                      */

typedef struct _Fixture Fixture;
typedef void (*Handler) (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query);

struct _Fixture
{
  SoupServer *server;
  char *base;
  PorticoRuntime *runtime;
  GHashTable *values;
  Handler handler;
  guint hits;
  GPtrArray *pages;   /* the GBytes of every page the runtime handed on */
  GPtrArray *held;    /* SoupServerMessage never finished */
};

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *f = user_data;

  f->hits++;
  f->handler (f, msg, path, query);
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  GSList *uris;

  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen (f->server, address, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->runtime = portico_runtime_new ();
  g_object_set (f->runtime, "retry-base-ms", 10, "max-retry-delay-ms", 200, "max-attempts", 3,
                "timeout", 2, NULL);

  /* The base URL comes from a URL field, not api_base_url: next links are
   * then never rebased, and reach the runtime as the provider wrote them. */
  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (f->values, g_strdup ("token"), g_strdup ("hostile-secret"));
  g_hash_table_insert (f->values, g_strdup ("server"), g_strdup (f->base));
  f->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_object (&f->runtime);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (f->held);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->base);
  g_hash_table_unref (f->values);
  g_ptr_array_unref (f->pages);
}

/* A connector reading users from {server}/users with @auth (NULL: a
 * bearer header) and @pagination (JSON, single quotes for double ones),
 * items under "data"; @extra adds members. */
static PorticoConnector *
connector_with_auth (const char *auth,
                     const char *pagination,
                     const char *extra)
{
  g_autofree char *text = g_strdup_printf (
    "{'format':1,'id':'hostile','name':'Hostile','category':'other',"
    "'help_url':'https://example.com/help','help':'Any token.','multi_account':false,"
    "'base_url':'{server}',"
    "'fields':[{'id':'token','label':'Token','type':'secret','required':true,'help':'The token.'},"
    "          {'id':'server','label':'Server','type':'url','required':true,'help':'The server.'}],"
    "'permissions':[{'id':'read','label':'Read','help':'Users.'}],"
    "'auth':%s,"
    "'identity':{'id':{'template':'h'},'name':{'template':'h'}},"
    "'data_types':{'users':{'label':'Users','essential':true,'request':{'method':'GET','path':'/users'},"
    "  'pagination':%s,'items':'data','map':{'id':'id'}}}%s}",
    auth ? auth : "{'scheme':'header','header':'Authorization','value':'Bearer {token}'}",
    pagination, extra ? extra : "");
  g_autoptr(GError) error = NULL;
  PorticoConnector *connector;

  for (char *p = text; *p != '\0'; p++)
    if (*p == '\'')
      *p = '"';
  connector = portico_connector_new_from_data (text, -1, "hostile.json", TRUE, &error);
  g_assert_no_error (error);
  return connector;
}

static PorticoConnector *
connector_with (const char *pagination,
                const char *extra)
{
  return connector_with_auth (NULL, pagination, extra);
}

static gboolean
keep_page (const char *data_type_id,
           guint       page_index,
           GBytes     *body,
           JsonArray  *items,
           gpointer    user_data,
           GError    **error)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->pages, g_bytes_ref (body));
  return TRUE;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gint64
fetch (Fixture          *f,
       PorticoConnector *connector,
       GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  portico_runtime_fetch_data_type_async (f->runtime, connector, f->values, "users", 0,
                                         keep_page, f, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return portico_runtime_fetch_data_type_finish (f->runtime, result, error);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

static void
deep_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *deep = g_strnfill (200000, '[');

  respond_text (msg, f->hits == 1 ? 200 : 500, "application/json", deep);
}

static void
test_deep_nesting (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'none'}", NULL);
  g_autoptr(GError) error = NULL;

  /* It crashed the process (SIGSEGV in json-glib); now it is refused. */
  f->handler = deep_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "levels deep"));
  g_assert_cmpuint (f->hits, ==, 1);

  /* An error answer nested as deep is read as a plain server error. */
  g_clear_error (&error);
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SERVER);
}

static const char *next_link;

static void
link_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *header = g_strdup_printf ("<%s>; rel=\"next\"", next_link);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Link", header);
  respond_text (msg, 200, "application/json", "{\"data\":[{\"id\":\"a\"}]}");
}

static void
body_next_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  g_autofree char *body = g_strdup_printf ("{\"data\":[{\"id\":\"a\"}],\"next\":\"%s\"}", next_link);

  respond_text (msg, 200, "application/json", body);
}

static void
test_next_link_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) by_header = connector_with ("{'style':'link_header'}", NULL);
  g_autoptr(PorticoConnector) in_body = connector_with ("{'style':'next_url','next_path':'next'}", NULL);
  const char *links[] = {
    "file:///etc/passwd",             /* crashed sync (SIGSEGV) */
    "data:application/json,[]",
    "ftp://127.0.0.1/users",
    "https://attacker.example/users", /* http(s), but another server */
    "http://[::1]:1/users",
    "//",
  };

  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    for (guint style = 0; style < 2; style++)
      {
        g_autoptr(GError) error = NULL;

        next_link = links[i];
        f->hits = 0;
        f->handler = style == 0 ? link_handler : body_next_handler;
        g_assert_cmpint (fetch (f, style == 0 ? by_header : in_body, &error), ==, -1);
        g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
        g_assert_nonnull (strstr (error->message, "next-page link"));
        g_assert_cmpuint (f->hits, ==, 1);
      }
}

static void
same_page_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  /* Ignores the page number: the same full page every time. */
  respond_text (msg, 200, "application/json", "{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}");
}

static void
test_page_loop (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector =
    connector_with ("{'style':'page','param':'page','size_param':'per_page','size':2}", NULL);
  g_autoptr(GError) error = NULL;

  f->handler = same_page_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "same page"));
  g_assert_cmpuint (f->hits, ==, 2);
}

static void
scim_stuck_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  /* Always says it answered from index 1: the next start never moves past
   * the second request's. Each page holds another user. */
  g_autofree char *body = g_strdup_printf ("{\"totalResults\":100,\"itemsPerPage\":1,\"startIndex\":1,"
                                           "\"data\":[{\"id\":\"u%u\"}]}", f->hits);

  respond_text (msg, 200, "application/json", body);
}

static void
scim_overflow_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond_text (msg, 200, "application/json",
                "{\"totalResults\":9223372036854775807,\"itemsPerPage\":10,"
                "\"startIndex\":9223372036854775800,\"data\":[{\"id\":\"a\"}]}");
}

static void
test_scim_loop_and_overflow (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'scim','size':1}", NULL);
  g_autoptr(GError) error = NULL;

  f->handler = scim_stuck_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "asked for twice"));
  g_assert_cmpuint (f->hits, ==, 2);

  /* startIndex + itemsPerPage past gint64 (undefined before): the end. */
  g_clear_error (&error);
  f->hits = 0;
  f->handler = scim_overflow_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->hits, ==, 1);
}

static const char *retry_header;
static const char *retry_value;
static const char *retry_body;

static void
limited_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (retry_header != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), retry_header, retry_value);
  respond_text (msg, 429, "application/json", retry_body ? retry_body : "{}");
}

static void
test_retry_after_day (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) plain = connector_with ("{'style':'none'}", NULL);
  g_autoptr(PorticoConnector) reset = connector_with (
    "{'style':'none'}", ",'rate_limit':{'reset_header':'X-Reset','reset_format':'seconds'}");
  g_autoptr(PorticoConnector) in_body = connector_with (
    "{'style':'none'}", ",'rate_limit':{'body_retry_after':'retry_after'}");
  struct {
    PorticoConnector *connector;
    const char *header;
    const char *value;
    const char *body;
    const char *says;
  } cases[] = {
    /* The runtime waits at most max-retry-delay-ms (200 ms here, a minute
     * by default): a longer wait ends the request at once, with no retry
     * the provider announced it would refuse. */
    { plain, "Retry-After", "86400", NULL, "24 hours" },
    { plain, "Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT", NULL, "hours" },
    /* A reset in seconds overflowed when turned into milliseconds. */
    { reset, "X-Reset", "9223372036854775807", NULL, "hours" },
    /* A double in the body overflowed its cast to an integer. */
    { in_body, NULL, NULL, "{\"retry_after\":1e300}", "hours" },
    { in_body, NULL, NULL, "{\"retry_after\":\"1e400\"}", "hours" },
  };

  f->handler = limited_handler;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      retry_header = cases[i].header;
      retry_value = cases[i].value;
      retry_body = cases[i].body;
      f->hits = 0;
      g_assert_cmpint (fetch (f, cases[i].connector, &error), ==, -1);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      g_assert_cmpuint (f->hits, ==, 1);
      /* Not a timing test: a bound that only a wait for the hint breaks. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
    }

  /* A hint that is no number (NaN) is no hint: bounded retries, then the
   * limited sentence. */
  {
    g_autoptr(GError) error = NULL;

    retry_header = NULL;
    retry_body = "{\"retry_after\":\"NaN\"}";
    f->hits = 0;
    g_assert_cmpint (fetch (f, in_body, &error), ==, -1);
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED);
    g_assert_cmpuint (f->hits, ==, 3);
  }
}

static GBytes *big_body;     /* over the cap */
static GBytes *gzip_body;    /* under a megabyte, over the cap inflated */

static void
big_body_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize size;
  const char *data = g_bytes_get_data (big_body, &size);

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  switch (f->hits)
    {
    case 1: /* announced with Content-Length */
      soup_message_body_append_bytes (body, big_body);
      break;

    case 2: /* chunked: only counting tells */
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      for (gsize off = 0; off < size; off += 1024 * 1024)
        soup_message_body_append (body, SOUP_MEMORY_STATIC, data + off, MIN (1024 * 1024, size - off));
      soup_message_body_complete (body);
      break;

    default: /* gzip: a small body that inflates past the cap */
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_message_body_append_bytes (body, gzip_body);
      break;
    }
}

static void
test_body_cap (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'none'}", NULL);
  gsize size = PORTICO_LIMIT_BODY_BYTES + 1024 * 1024;
  char *spaces = g_malloc (size);
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  g_autoptr(GInputStream) raw = NULL;
  g_autoptr(GInputStream) zipped = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  memset (spaces, ' ', size);
  spaces[0] = '[';
  spaces[size - 1] = ']';
  big_body = g_bytes_new_take (spaces, size);
  raw = g_memory_input_stream_new_from_bytes (big_body);
  zipped = g_converter_input_stream_new (raw, G_CONVERTER (gzip));
  g_assert_cmpint (g_output_stream_splice (out, zipped, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL), >, 0);
  gzip_body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpuint (g_bytes_get_size (gzip_body), <, 1024 * 1024);

  /* Not a timeout test: room for the sanitizer build to move 33 MB. */
  portico_runtime_set_timeout (f->runtime, 60);
  f->handler = big_body_handler;
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (fetch (f, connector, &error), ==, -1);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
      g_assert_nonnull (strstr (error->message, "larger than 32 MB"));
      /* Too large is not worth another attempt. */
      g_assert_cmpuint (f->hits, ==, i + 1);
    }
  g_clear_pointer (&big_body, g_bytes_unref);
  g_clear_pointer (&gzip_body, g_bytes_unref);
}

static void
stalled_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, 200, NULL);
  if (f->hits == 1)
    {
      /* No answer at all. */
      soup_server_message_pause (msg);
      g_ptr_array_add (f->held, g_object_ref (msg));
      return;
    }
  /* Headers and the start of the body, then nothing. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, "{\"data\":[", 9);
}

static void
test_stalled (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'none'}", NULL);

  portico_runtime_set_timeout (f->runtime, 1);
  f->handler = stalled_handler;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (fetch (f, connector, &error), ==, -1);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT);
      g_assert_nonnull (strstr (error->message, "within 1 seconds"));
    }
}

static gboolean
answer_later_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  g_autofree char *body = g_strdup_printf ("{\"data\":[{\"id\":\"%p\"}]}", (void *) msg);

  respond_text (msg, 200, "application/json", body);
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
slow_pages_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  /* Endless distinct pages, each after 400 ms: only the total time ends. */
  soup_server_message_pause (msg);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 400, answer_later_cb, g_object_ref (msg), g_object_unref);
}

static void
test_total_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'page','param':'page'}", NULL);
  g_autoptr(GError) error = NULL;

  g_object_set (f->runtime, "total-timeout", 1, NULL);
  f->handler = slow_pages_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "took longer than 1 second"));
  g_assert_cmpuint (f->hits, >=, 2);
  g_assert_cmpuint (f->hits, <=, 5);
}

static void
odd_body_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/html/users"))
    {
      respond_text (msg, 200, "text/html", "<!DOCTYPE html><html><body>Sign in to the hotel Wi-Fi</body></html>");
      return;
    }
  respond_text (msg, 200, "application/json", "{\"data\":[{\"id\":\"B\xff\xfe" "ob\xc3\"}]}");
}

static void
test_odd_bodies (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'none'}", NULL);
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *text;

  /* Invalid UTF-8 is repaired, in the items and in the text the store
   * reads. */
  f->handler = odd_body_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (f->pages->len, ==, 1);
  text = g_bytes_get_data (g_ptr_array_index (f->pages, 0), &size);
  g_assert_true (g_utf8_validate_len (text, size, NULL));
  g_assert_nonnull (strstr (text, "B\xef\xbf\xbd"));

  /* A captive portal's page is no JSON. */
  g_hash_table_insert (f->values, g_strdup ("server"), g_strconcat (f->base, "/html", NULL));
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
}

static const char *expires_in;
static guint token_hits;

static void
token_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (g_str_equal (path, "/token"))
    {
      g_autofree char *body = g_strdup_printf ("{\"access_token\":\"tok\",\"token_type\":\"Bearer\","
                                               "\"expires_in\":%s}", expires_in);
      token_hits++;
      respond_text (msg, 200, "application/json", body);
      return;
    }
  respond_text (msg, 200, "application/json", "{\"data\":[{\"id\":\"a\"}]}");
}

static void
test_token_lifetime (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with_auth (
    "{'scheme':'oauth2_client_credentials','token_url':'{server}/token','client_id':'cid','client_secret':'{token}'}",
    "{'style':'none'}", NULL);
  struct {
    const char *expires_in;
    guint token_hits;  /* for two reads */
  } cases[] = {
    /* expires_in * G_USEC_PER_SEC overflowed gint64 (undefined; the
     * sanitizer build stops on it): now a long lifetime, one token. */
    { "9223372036854775807", 1 },
    { "1e300", 1 },
    /* No lifetime worth the name: a token per read. */
    { "-9223372036854775807", 2 },
  };

  f->handler = token_handler;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      portico_runtime_clear_tokens (f->runtime);
      expires_in = cases[i].expires_in;
      token_hits = 0;
      g_assert_cmpint (fetch (f, connector, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpint (fetch (f, connector, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpuint (token_hits, ==, cases[i].token_hits);
    }
}

static void
ok_path_handler (Fixture *f, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  respond_text (msg, 200, "application/json", "{\"code\":1e300,\"data\":[]}");
}

static void
test_ok_path_huge_number (Fixture *f, gconstpointer data)
{
  g_autoptr(PorticoConnector) connector = connector_with ("{'style':'none'}", ",'errors':{'ok_path':'code','code':'code'}");
  g_autoptr(GError) error = NULL;

  /* A status in the body far past any integer (its cast was undefined):
   * a refused request, not a success and not a crash. */
  f->handler = ok_path_handler;
  g_assert_cmpint (fetch (f, connector, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED);
  g_assert_cmpuint (f->hits, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/prescan/depth", test_prescan_depth);
  g_test_add_func ("/hostile/prescan/strings", test_prescan_strings);
  g_test_add_func ("/hostile/prescan/deep", test_prescan_deep);
  g_test_add_func ("/hostile/connector-file-deep", test_connector_file_deep);
#define ADD(path, fn) g_test_add ("/hostile/runtime/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("deep-nesting", test_deep_nesting);
  ADD ("next-link-refused", test_next_link_refused);
  ADD ("page-loop", test_page_loop);
  ADD ("scim-loop-and-overflow", test_scim_loop_and_overflow);
  ADD ("retry-after-day", test_retry_after_day);
  ADD ("body-cap", test_body_cap);
  ADD ("stalled", test_stalled);
  ADD ("total-timeout", test_total_timeout);
  ADD ("odd-bodies", test_odd_bodies);
  ADD ("token-lifetime", test_token_lifetime);
  ADD ("ok-path-huge-number", test_ok_path_huge_number);
#undef ADD

  return g_test_run ();
}
