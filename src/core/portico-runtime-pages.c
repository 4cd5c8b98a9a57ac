/* portico-runtime-pages.c: fetching a data type page by page: items paths,
 * pagination styles and the request per item of "for_each".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-runtime"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "portico-http.h"
#include "portico-json.h"
#include "portico-jwt.h"
#include "portico-limits.h"
#include "portico-runtime-private.h"
#include "portico-csv.h"

/* ------------------------------------------------------------------------ */
/* Data types, page by page                                                  */

static gboolean
is_all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

/* One expanded key of an items path; NULL with @error when the value cannot
 * be a key (empty, or holding a double quote). */
static char *
items_key_expand (PorticoConnector *connector,
                  const char       *key,
                  GHashTable       *values,
                  GError          **error)
{
  g_autofree char *expanded = portico_template_expand (key, values, FALSE, error);

  if (expanded == NULL)
    return NULL;
  if (*expanded == '\0' || strchr (expanded, '"') != NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("A value entered for %s is empty or not valid, and %s needs it to find the items. "
                     "Check the values you entered."),
                   portico_connector_get_name (connector), portico_connector_get_name (connector));
      return NULL;
    }
  return g_steal_pointer (&expanded);
}

/* The items path with its {field} templates expanded (Expensify's
 * "policyInfo.{policy_id}.employees"), in the array form so that a value
 * holding a dot stays one key. A path without templates is returned as it
 * is. Transfer full. */
static JsonNode *
items_path_expand (PorticoConnector *connector,
                   JsonNode         *items,
                   GHashTable       *values,
                   GError          **error)
{
  g_autoptr(JsonArray) segments = NULL;

  if (JSON_NODE_HOLDS_VALUE (items) && json_node_get_value_type (items) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (items);
      g_auto(GStrv) keys = NULL;

      if (strchr (text, '{') == NULL && strchr (text, '[') == NULL)
        return json_node_ref (items);

      segments = json_array_new ();
      keys = g_strsplit (text, ".", -1);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          const char *open = strchr (keys[i], '[');
          const char *eq = open != NULL ? strchr (open, '=') : NULL;
          gsize len = strlen (keys[i]);

          if (open != NULL && open > keys[i] && eq != NULL && keys[i][len - 1] == ']')
            {
              /* A match ("teams[id={workspace_id}]"): the key, then
               * {"where": {member: value}} with the value expanded. */
              g_autofree char *key = g_strndup (keys[i], open - keys[i]);
              g_autofree char *member = g_strndup (open + 1, eq - open - 1);
              g_autofree char *value_tmpl = g_strndup (eq + 1, keys[i] + len - 1 - (eq + 1));
              g_autofree char *value = items_key_expand (connector, value_tmpl, values, error);
              JsonObject *where;
              JsonObject *match;

              if (value == NULL)
                return NULL;
              json_array_add_string_element (segments, key);
              where = json_object_new ();
              json_object_set_string_member (where, member, value);
              match = json_object_new ();
              json_object_set_object_member (match, "where", where);
              json_array_add_object_element (segments, match);
            }
          else if (strchr (keys[i], '{') != NULL)
            {
              g_autofree char *key = items_key_expand (connector, keys[i], values, error);

              if (key == NULL)
                return NULL;
              json_array_add_string_element (segments, key);
            }
          else if (is_all_digits (keys[i]))
            json_array_add_int_element (segments, g_ascii_strtoll (keys[i], NULL, 10));
          else
            json_array_add_string_element (segments, keys[i]);
        }
      return json_node_init_array (json_node_alloc (), segments);
    }

  if (JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);
      gboolean templated = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING &&
              strchr (json_node_get_string (el), '{') != NULL)
            templated = TRUE;
        }
      if (!templated)
        return json_node_ref (items);

      segments = json_array_new ();
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING &&
              strchr (json_node_get_string (el), '{') != NULL)
            {
              g_autofree char *key = items_key_expand (connector, json_node_get_string (el), values, error);

              if (key == NULL)
                return NULL;
              json_array_add_string_element (segments, key);
            }
          else
            json_array_add_element (segments, json_node_copy (el));
        }
      return json_node_init_array (json_node_alloc (), segments);
    }

  return json_node_ref (items);
}

/* Whether the items path selects by value (format v2 "key[member=value]"):
 * SQLite's JSON paths cannot, so such pages reach the store as the bare
 * array of their items. */
static gboolean
items_path_matches (JsonNode *items)
{
  if (items == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (items) && json_node_get_value_type (items) == G_TYPE_STRING)
    return strchr (json_node_get_string (items), '[') != NULL;
  if (JSON_NODE_HOLDS_ARRAY (items))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
      if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (items), i)))
        return TRUE;
  return FALSE;
}

/* Format v2: whether the items of @data_type_id's answers are shaped other
 * than as a JSON array: the values of an object keyed by id
 * ("items_keyed_by", its member returned in @keyed_by) or the rows of a CSV
 * text ("response_format": "csv"). Such pages go to the store as the bare
 * array of their items. */
static gboolean
items_shape (PorticoConnector *connector,
             const char       *data_type_id,
             const char      **keyed_by)
{
  const char *source = portico_connector_get_data_type_source (connector, data_type_id);
  JsonObject *dt = portico_connector_get_data_type_definition (connector, source != NULL ? source : data_type_id);
  const char *key = portico_runtime_json_object_get_string_or (dt, "items_keyed_by", NULL);

  if (keyed_by != NULL)
    *keyed_by = key;
  return key != NULL || g_strcmp0 (portico_runtime_json_object_get_string_or (dt, "response_format", "json"), "csv") == 0;
}

/* The rows of a CSV answer as items: an object per row after the header,
 * column name to text. A row with fewer fields than the header leaves the
 * rest out; one with more is refused. */
static JsonArray *
csv_items (GBytes  *body,
           GError **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(GPtrArray) rows = portico_csv_parse (data != NULL ? data : "", size, error);
  g_autoptr(JsonArray) items = NULL;
  char **header;

  if (rows == NULL)
    return NULL;
  items = json_array_new ();
  if (rows->len == 0)
    return g_steal_pointer (&items);
  header = rows->pdata[0];
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];
      JsonObject *item;

      if (g_strv_length (row) > g_strv_length (header))
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("Row %u of the CSV answer has more fields than its header."), i + 1);
          return NULL;
        }
      item = json_object_new ();
      for (guint k = 0; row[k] != NULL; k++)
        json_object_set_string_member (item, header[k], row[k]);
      json_array_add_object_element (items, item);
    }
  return g_steal_pointer (&items);
}

/* The values of an object keyed by id, each object given its key in
 * @member (unless it has that member already); other values are left out. */
static JsonArray *
keyed_items (JsonObject *object,
             const char *member)
{
  JsonArray *items = json_array_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      JsonNode *copy;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        continue;
      copy = json_node_copy (value);
      if (!json_object_has_member (json_node_get_object (copy), member))
        json_object_set_string_member (json_node_get_object (copy), member, key);
      json_array_add_element (items, copy);
    }
  return items;
}

typedef struct
{
  Account *account;
  char *data_type_id;
  gboolean bare_items;      /* pages are handed on as the array of their items */
  char *item;               /* nullable: the value of a request per item, which its
                             * items carry as PORTICO_RUNTIME_ITEM_MEMBER */
  JsonObject *request_def;  /* transfer none: the connector is kept alive */
  JsonObject *first_def;    /* nullable, transfer none: the first step of a "then" request */
  gboolean first_done;      /* {response} holds the first step's answer */
  JsonObject *pagination;   /* nullable */
  JsonNode *items_expr;     /* owned, nullable: the body is the array */
  const char *keyed_by;     /* nullable, transfer none: items are an object's values, keyed (v2) */
  gboolean csv;             /* answers are CSV text, a row per item (v2) */
  char *style;
  guint max_pages;
  JsonArray *empty_statuses; /* nullable, transfer none: "no items" statuses (v2) */
  PorticoPageFunc page_func;
  gpointer page_data;
  GDestroyNotify page_data_destroy;
  PorticoRawPageFunc raw_func; /* nullable, called with page_data */
  PorticoPageGate *gate;    /* nullable: the next page waits while it is shut */

  guint pages;
  gint64 total;
  GHashTable *seen;         /* fingerprints of the cursors, next URLs, requests and pages already seen */
  gint64 deadline;          /* monotonic µs: the whole data type ends here */
  char *cursor;
  GUri *next_uri;
  gint64 number;            /* page number, offset or startIndex */
} FetchOp;

static void
fetch_op_free (FetchOp *op)
{
  if (op->page_data_destroy != NULL)
    op->page_data_destroy (op->page_data);
  g_clear_pointer (&op->account, portico_runtime_account_unref);
  g_free (op->data_type_id);
  g_free (op->item);
  g_free (op->style);
  g_clear_pointer (&op->seen, g_hash_table_unref);
  g_clear_pointer (&op->gate, portico_page_gate_unref);
  g_free (op->cursor);
  g_clear_pointer (&op->next_uri, g_uri_unref);
  g_clear_pointer (&op->items_expr, json_node_unref);
  g_free (op);
}

/* Sets @value (transfer full) at @dotted in @body: in a JSON body a dotted
 * pagination "param" names nested keys (GraphQL's "variables.after").
 * Missing or non-object members on the way become objects. */
static void
body_set_path (JsonObject *body,
               const char *dotted,
               JsonNode   *value)
{
  g_auto(GStrv) keys = g_strsplit (dotted, ".", -1);
  JsonObject *object = body;
  guint n = g_strv_length (keys);

  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *child = json_object_get_member (object, keys[i]);

      if (child == NULL || !JSON_NODE_HOLDS_OBJECT (child))
        {
          JsonObject *fresh = json_object_new ();

          json_object_set_object_member (object, keys[i], fresh);
          object = fresh;
        }
      else
        object = json_node_get_object (child);
    }

  json_object_set_member (object, keys[n - 1], value);
}

static void
request_body_set (Request    *req,
                  const char *dotted,
                  JsonNode   *value)
{
  if (req->body == NULL)
    req->body = json_object_new ();
  body_set_path (req->body, dotted, value);
}

static Request *
fetch_build_request (FetchOp *op,
                     GError **error)
{
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
  const char *param = portico_runtime_json_object_get_string_or (op->pagination, "param", NULL);
  const char *size_param = portico_runtime_json_object_get_string_or (op->pagination, "size_param", NULL);
  gint64 size = portico_runtime_json_object_get_int_or (op->pagination, "size", 0);
  const char *path_override = NULL;
  gboolean with_query = TRUE;
  gboolean with_body = TRUE;
  Request *req;

  if (op->next_uri != NULL)
    {
      req = portico_runtime_build_request (op->account, op->request_def, NULL, FALSE, NULL, TRUE, op->data_type_id, error);
      if (req == NULL)
        return NULL;
      g_uri_unref (req->uri);
      req->uri = g_uri_ref (op->next_uri);
      return req;
    }

  if (g_strcmp0 (op->style, "cursor") == 0 && op->cursor != NULL)
    {
      const char *continue_path = portico_runtime_json_object_get_string_or (op->pagination, "continue_path", NULL);
      gboolean in_body = g_strcmp0 (portico_runtime_json_object_get_string_or (op->pagination, "in", "query"), "body") == 0;

      if (continue_path != NULL)
        {
          /* A continue endpoint (Dropbox) takes the cursor alone. */
          path_override = continue_path;
          with_query = FALSE;
          with_body = FALSE;
        }
      if (!in_body)
        {
          /* After the definition's query, in place of its own cursor
           * parameter if it has one. */
          g_ptr_array_add (extra, g_strdup (param ? param : "cursor"));
          g_ptr_array_add (extra, g_strdup (op->cursor));
        }
      req = portico_runtime_build_request (op->account, op->request_def, path_override, with_query,
                                           extra, with_body, op->data_type_id, error);
      if (req == NULL)
        return NULL;
      if (in_body)
        {
          JsonNode *value = json_node_init_string (json_node_alloc (), op->cursor);

          request_body_set (req, param ? param : "cursor", value);
        }
      return req;
    }

  if ((g_strcmp0 (op->style, "page") == 0 || g_strcmp0 (op->style, "offset") == 0) &&
      g_strcmp0 (portico_runtime_json_object_get_string_or (op->pagination, "in", "query"), "body") == 0)
    {
      /* GraphQL (monday.com) takes the page number as a variable: numbers,
       * not text, so that an Int! variable accepts them. */
      req = portico_runtime_build_request (op->account, op->request_def, NULL, TRUE, NULL, TRUE, op->data_type_id, error);
      if (req == NULL)
        return NULL;
      if (param != NULL)
        request_body_set (req, param, json_node_init_int (json_node_alloc (), op->number));
      if (size_param != NULL && size > 0)
        request_body_set (req, size_param, json_node_init_int (json_node_alloc (), size));
      return req;
    }

  if (g_strcmp0 (op->style, "page") == 0 || g_strcmp0 (op->style, "offset") == 0)
    {
      if (param != NULL)
        {
          g_ptr_array_add (extra, g_strdup (param));
          g_ptr_array_add (extra, g_strdup_printf ("%" G_GINT64_FORMAT, op->number));
        }
      if (size_param != NULL && size > 0)
        {
          g_ptr_array_add (extra, g_strdup (size_param));
          g_ptr_array_add (extra, g_strdup_printf ("%" G_GINT64_FORMAT, size));
        }
    }
  else if (g_strcmp0 (op->style, "scim") == 0)
    {
      g_ptr_array_add (extra, g_strdup ("startIndex"));
      g_ptr_array_add (extra, g_strdup_printf ("%" G_GINT64_FORMAT, op->number));
      g_ptr_array_add (extra, g_strdup ("count"));
      g_ptr_array_add (extra, g_strdup_printf ("%" G_GINT64_FORMAT, size > 0 ? size : 100));
    }

  return portico_runtime_build_request (op->account, op->request_def, NULL, TRUE, extra, TRUE, op->data_type_id, error);
}

static void fetch_next (GTask *task);
static void fetch_continue (GTask *task);

static void
fetch_return_bad (GTask      *task,
                  const char *what)
{
  FetchOp *op = g_task_get_task_data (task);

  g_debug ("Bad page for %s/%s: %s", portico_connector_get_id (op->account->connector), op->data_type_id, what);
  g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                           _("%s sent an answer for %s that Portico cannot read (%s). If an API base URL "
                             "is set, check it; otherwise report the connector."),
                           portico_runtime_account_name (op->account), portico_runtime_data_type_label (op->data_type_id), what);
}

/* Resolves a next URL: absolute, or relative to the base URL. */
static GUri *
fetch_resolve_next (FetchOp     *op,
                    GUri        *relative_to,
                    const char  *next,
                    const char **problem)
{
  g_autoptr(GUri) resolved = NULL;
  const char *scheme;

  if (relative_to == NULL)
    {
      g_autofree char *base = g_strconcat (op->account->base_url, "/", NULL);
      g_autoptr(GUri) base_uri = g_uri_parse (base, PORTICO_HTTP_URI_FLAGS, NULL);

      if (base_uri == NULL)
        {
          *problem = _("the next-page link is not valid");
          return NULL;
        }
      resolved = g_uri_parse_relative (base_uri, next, PORTICO_HTTP_URI_FLAGS, NULL);
    }
  else
    resolved = g_uri_parse_relative (relative_to, next, PORTICO_HTTP_URI_FLAGS, NULL);

  if (resolved == NULL || g_uri_get_host (resolved) == NULL || *g_uri_get_host (resolved) == '\0')
    {
      *problem = _("the next-page link is not valid");
      return NULL;
    }

  /* Only http(s), as for redirects: a file: or data: address would be
   * read from elsewhere, or not be HTTP at all. */
  scheme = g_uri_get_scheme (resolved);
  if (!(g_ascii_strcasecmp (scheme, "https") == 0 ||
        (g_ascii_strcasecmp (scheme, "http") == 0 && portico_http_host_is_loopback (g_uri_get_host (resolved)))))
    {
      *problem = _("the next-page link is not an https address");
      return NULL;
    }

  /* Only on the origin the connector names (its base URL) or the API base
   * URL standing in for it: a provider cannot send the account's requests
   * to another server. */
  if (!portico_http_same_origin (resolved, op->account->named_base) &&
      !portico_http_same_origin (resolved, op->account->base_uri))
    {
      *problem = _("the next-page link points to another server");
      return NULL;
    }

  return portico_http_rebase (resolved, op->account->api_base);
}

/* Records @data; FALSE when it was already seen (a loop). What is kept is
 * a fingerprint, the first 64 bits of the SHA-256 of "@kind:@data", not the
 * text: a sync of 1,000,000 Okta users kept 4,851 next-page links and page
 * digests as text (about 2 MB, spread through the heap between the pages'
 * short-lived buffers) for as long as it ran. Two different keys share a
 * fingerprint with a chance of about 1 in 10^12 per data type of 5,000
 * pages. */
static gboolean
fetch_remember (FetchOp      *op,
                const char   *kind,
                gconstpointer data,
                gssize        size)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  gint64 fingerprint;

  g_checksum_update (checksum, (const guchar *) kind, -1);
  g_checksum_update (checksum, (const guchar *) ":", 1);
  g_checksum_update (checksum, data, size);
  g_checksum_get_digest (checksum, digest, &digest_len);
  memcpy (&fingerprint, digest, sizeof fingerprint);

  if (g_hash_table_contains (op->seen, &fingerprint))
    return FALSE;
  g_hash_table_add (op->seen, g_memdup2 (&fingerprint, sizeof fingerprint));
  return TRUE;
}

/* Link header and next URL styles: the next page's address, resolved
 * against @base (NULL: the account's base), must be valid and new; else the
 * fetch fails with bad_response (a repeating link would never end). Returns
 * FALSE once @task has its error. */
static gboolean
fetch_follow_next (GTask      *task,
                   FetchOp    *op,
                   GUri       *base,
                   const char *next)
{
  g_autofree char *key = NULL;
  const char *problem = NULL;

  g_clear_pointer (&op->next_uri, g_uri_unref);
  op->next_uri = fetch_resolve_next (op, base, next, &problem);
  if (op->next_uri == NULL)
    {
      fetch_return_bad (task, problem);
      return FALSE;
    }
  key = g_uri_to_string (op->next_uri);
  if (!fetch_remember (op, "next", key, -1))
    {
      fetch_return_bad (task, _("the next-page link repeats"));
      return FALSE;
    }
  return TRUE;
}

static void
fetch_page_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOp *op = g_task_get_task_data (task);
  Account *account = op->account;
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) response = portico_runtime_send_finish (result, &error);
  g_autoptr(JsonNode) items_node = NULL;
  JsonArray *items;
  g_autoptr(JsonArray) empty = NULL;
  guint count;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (op->raw_func != NULL && op->pages == 0)
    op->raw_func (op->data_type_id, response->status, response->body, response->json, op->page_data);
  if (response->empty)
    {
      /* The provider said "no items" with a status of "empty_statuses":
       * an empty last page. */
      empty = json_array_new ();
      op->pages++;
      if (op->page_func != NULL &&
          !op->page_func (op->data_type_id, op->pages - 1, response->body, empty, op->page_data, &error))
        {
          if (error == NULL)
            g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      goto done;
    }
  if (op->csv)
    {
      JsonArray *rows;

      /* A JSON body (a wrong base URL, or an API that moved) would be read
       * as a one-column CSV text of nonsense: refused by name instead. */
      if (response->json != NULL)
        {
          fetch_return_bad (task, _("the answer is JSON, not the CSV text this data type reads"));
          return;
        }
      rows = csv_items (response->body, &error);
      if (rows == NULL)
        {
          fetch_return_bad (task, error->message);
          return;
        }
      items_node = json_node_init_array (json_node_alloc (), rows);
      json_array_unref (rows);
    }
  else if (response->json == NULL)
    {
      fetch_return_bad (task, _("the body is empty"));
      return;
    }
  else
    {
      items_node = portico_runtime_eval_expr (account, op->items_expr ? op->items_expr : NULL, response->json);
      if (op->items_expr == NULL)
        {
          g_clear_pointer (&items_node, json_node_unref);
          items_node = json_node_ref (response->json);
        }
    }
  if (op->keyed_by != NULL && items_node != NULL && JSON_NODE_HOLDS_OBJECT (items_node))
    {
      JsonArray *keyed = keyed_items (json_node_get_object (items_node), op->keyed_by);

      json_node_unref (items_node);
      items_node = json_node_init_array (json_node_alloc (), keyed);
      json_array_unref (keyed);
    }
  if (items_node == NULL || JSON_NODE_HOLDS_NULL (items_node))
    {
      /* Some providers leave the array out when it is empty (Google). */
      empty = json_array_new ();
      items = empty;
    }
  else if (JSON_NODE_HOLDS_ARRAY (items_node))
    items = json_node_get_array (items_node);
  else if (JSON_NODE_HOLDS_OBJECT (items_node) && op->bare_items && op->items_expr == NULL)
    {
      /* A request per item (for_each) may answer with the item itself
       * (GitHub's membership of one member). */
      empty = json_array_new ();
      json_array_add_element (empty, json_node_ref (items_node));
      items = empty;
    }
  else
    {
      fetch_return_bad (task, _("the list of items is missing"));
      return;
    }

  count = json_array_get_length (items);

  /* A provider that ignores the page, offset or cursor sends the same
   * page again and again: the second time ends the data type. */
  if (count > 0 && g_strcmp0 (op->style, "none") != 0)
    {
      gsize size;
      const guchar *data = g_bytes_get_data (response->body, &size);

      if (!fetch_remember (op, "page", data, (gssize) size))
        {
          fetch_return_bad (task, _("the same page came twice"));
          return;
        }
    }

  op->pages++;
  op->total += count;

  if (op->bare_items)
    {
      g_autoptr(JsonNode) array_node = NULL;
      gsize length = 0;
      char *text;

      /* The answer of a request per item may not name its item (Okta's
       * users of one app do not name the app): each item says it. */
      for (guint i = 0; op->item != NULL && i < count; i++)
        if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, i)))
          json_object_set_string_member (json_array_get_object_element (items, i),
                                         PORTICO_RUNTIME_ITEM_MEMBER, op->item);
      array_node = json_node_init_array (json_node_alloc (), items);
      text = json_to_string (array_node, FALSE);

      length = strlen (text);
      g_bytes_unref (response->body);
      response->body = g_bytes_new_take (text, length);
    }

  if (op->page_func != NULL &&
      !op->page_func (op->data_type_id, op->pages - 1, response->body, items, op->page_data, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (op->max_pages > 0 && op->pages >= op->max_pages)
    goto done;

  if (g_strcmp0 (op->style, "link_header") == 0)
    {
      const char *link = soup_message_headers_get_list (response->headers, "Link");
      g_autofree char *next = portico_http_parse_link_next (link);

      if (next == NULL)
        goto done;
      if (!fetch_follow_next (task, op, response->uri, next))
        return;
    }
  else if (g_strcmp0 (op->style, "cursor") == 0)
    {
      JsonNode *has_more_expr = json_object_get_member (op->pagination, "has_more_path");
      g_autofree char *cursor = portico_runtime_eval_expr_string (account, json_object_get_member (op->pagination, "cursor_path"),
                                                                  response->json);

      if (has_more_expr != NULL)
        {
          g_autoptr(JsonNode) has_more = portico_runtime_eval_expr (account, has_more_expr, response->json);
          if (!portico_runtime_json_node_is_true (has_more))
            goto done;
        }
      if (cursor == NULL || *cursor == '\0')
        goto done;
      if (!fetch_remember (op, "cursor", cursor, -1))
        {
          fetch_return_bad (task, _("the page cursor repeats"));
          return;
        }
      g_free (op->cursor);
      op->cursor = g_steal_pointer (&cursor);
    }
  else if (g_strcmp0 (op->style, "next_url") == 0)
    {
      JsonNode *done_expr = json_object_get_member (op->pagination, "done_path");
      g_autofree char *next = NULL;

      if (done_expr != NULL)
        {
          g_autoptr(JsonNode) done_node = portico_runtime_eval_expr (account, done_expr, response->json);
          if (portico_runtime_json_node_is_true (done_node))
            goto done;
        }
      next = portico_runtime_eval_expr_string (account, json_object_get_member (op->pagination, "next_path"), response->json);
      if (next == NULL || *next == '\0')
        goto done;
      if (!fetch_follow_next (task, op, NULL, next))
        return;
    }
  else if (g_strcmp0 (op->style, "page") == 0)
    {
      gint64 size = portico_runtime_json_object_get_int_or (op->pagination, "size", 0);
      gint64 start = portico_runtime_json_object_get_int_or (op->pagination, "start", 1);
      JsonNode *total_pages_expr = json_object_get_member (op->pagination, "total_pages_path");

      if (count == 0 || (size > 0 && count < size) || op->number == G_MAXINT64)
        goto done;
      if (total_pages_expr != NULL)
        {
          g_autofree char *text = portico_runtime_eval_expr_string (account, total_pages_expr, response->json);
          gint64 total_pages;

          /* Counted from the start page, so that a huge total cannot
           * overflow. */
          if (text != NULL && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &total_pages, NULL) &&
              op->number - start + 1 >= total_pages)
            goto done;
        }
      op->number++;
    }
  else if (g_strcmp0 (op->style, "offset") == 0)
    {
      gint64 size = portico_runtime_json_object_get_int_or (op->pagination, "size", 0);
      JsonNode *total_expr = json_object_get_member (op->pagination, "total_path");

      if (count == 0 || (size > 0 && count < size))
        goto done;
      if (total_expr != NULL)
        {
          g_autofree char *text = portico_runtime_eval_expr_string (account, total_expr, response->json);
          gint64 total;

          if (text != NULL && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &total, NULL) &&
              op->number >= total - (gint64) count)
            goto done;
        }
      if (!portico_runtime_int64_add (&op->number, op->number, count))
        goto done;
    }
  else if (g_strcmp0 (op->style, "scim") == 0)
    {
      JsonObject *root = JSON_NODE_HOLDS_OBJECT (response->json) ? json_node_get_object (response->json) : NULL;
      gint64 total = portico_runtime_json_object_get_int_or (root, "totalResults", -1);
      gint64 per_page = portico_runtime_json_object_get_int_or (root, "itemsPerPage", count);
      gint64 start_index = portico_runtime_json_object_get_int_or (root, "startIndex", op->number);

      gint64 next_index;

      /* The numbers come from the provider: a sum past gint64 is the end,
       * and a start index that goes back repeats a request (a loop). */
      if (count == 0 || per_page <= 0 || total < 0 ||
          !portico_runtime_int64_add (&next_index, start_index, per_page) || next_index > total)
        goto done;
      op->number = next_index;
    }
  else
    goto done;

  if (op->pages >= PORTICO_LIMIT_PAGES)
    {
      g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_PAGE_COUNT, portico_runtime_account_name (account),
                                                          portico_runtime_data_type_label (op->data_type_id), 0));
      return;
    }

  fetch_continue (g_steal_pointer (&task));
  return;

done:
  g_task_return_int (task, op->total);
}

/* The first step of a "then" request answered: its text, trimmed, is
 * {response} in the templates of the second request, which is the one
 * paginated and read for items. */
static void
fetch_first_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) response = portico_runtime_send_finish (result, &error);
  g_autofree char *text = NULL;
  gsize size = 0;
  const char *data;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = response->body != NULL ? g_bytes_get_data (response->body, &size) : NULL;
  text = g_strstrip (g_strndup (data != NULL ? data : "", size));
  if (*text == '\0')
    {
      fetch_return_bad (task, _("the first of its two answers is empty"));
      return;
    }
  g_hash_table_replace (op->account->values, g_strdup ("response"), g_steal_pointer (&text));
  op->first_done = TRUE;
  fetch_next (g_steal_pointer (&task));
}

static void
fetch_resume (gint64   waited_us,
              gpointer user_data)
{
  GTask *task = user_data;
  FetchOp *op = g_task_get_task_data (task);

  /* The consumer's time is not the provider's: the data type's deadline
   * moves on by the wait. */
  op->deadline += waited_us;
  fetch_next (task);
}

/* The next page, once the gate (if any) lets it be asked for: a page is
 * fetched while the previous ones are consumed, but no more than the
 * gate's count wait in memory. Takes ownership of @task. */
static void
fetch_continue (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);

  if (op->gate != NULL && !portico_page_gate_pass (op->gate, fetch_resume, task))
    return;
  fetch_next (task);
}

/* Takes ownership of @task. */
static void
fetch_next (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Request *req;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (op->first_def != NULL && !op->first_done)
    {
      req = portico_runtime_build_request (op->account, op->first_def, NULL, TRUE, NULL, TRUE, op->data_type_id, &error);
      if (req == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      req->accept_text = TRUE;
      portico_runtime_send_async (op->account, req, g_task_get_cancellable (task), fetch_first_cb, task);
      return;
    }

  if (g_get_monotonic_time () > op->deadline)
    {
      g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_TOTAL_TIME, portico_runtime_account_name (op->account),
                                                          portico_runtime_data_type_label (op->data_type_id),
                                                          op->account->runtime->total_timeout));
      g_object_unref (task);
      return;
    }

  req = fetch_build_request (op, &error);
  if (req == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* A CSV answer is no JSON, and no error for being so. */
  req->accept_text |= op->csv;
  req->empty_statuses = op->empty_statuses;

  /* Every page style asks for something new each time: the same request
   * twice (a page number, offset or start index the provider sent back
   * unchanged) would read the same page forever. */
  {
    g_autofree char *address = g_uri_to_string (req->uri);
    g_autofree char *body = NULL;
    g_autofree char *key = NULL;

    if (req->body != NULL)
      {
        g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), req->body);
        body = json_to_string (root, FALSE);
      }
    key = g_strconcat (req->method, " ", address, "\n", body ? body : "", NULL);
    if (!fetch_remember (op, "request", key, -1))
      {
        portico_runtime_request_free (req);
        fetch_return_bad (task, _("the same page was asked for twice"));
        g_object_unref (task);
        return;
      }
  }

  portico_runtime_send_async (op->account, req, g_task_get_cancellable (task), fetch_page_cb, task);
}

/* ------------------------------------------------------------------------ */
/* A request per item (format v2 "for_each")                                 */

/* Keys of the values of the fetches a for_each runs: never field ids. */
#define FOR_EACH_ITEM "item"
#define FOR_EACH_LIST "@for_each_list"
#define FOR_EACH_CONCURRENCY 4

static JsonObject *
for_each_definition (PorticoConnector *connector,
                     const char       *data_type_id)
{
  const char *source = portico_connector_get_data_type_source (connector, data_type_id);
  JsonObject *dt = portico_connector_get_data_type_definition (connector, source != NULL ? source : data_type_id);

  return portico_runtime_json_object_get_object_or_null (dt, "for_each");
}

typedef struct
{
  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;
  char *data_type_id;
  JsonObject *for_each;     /* transfer none: the connector is kept alive */
  GPtrArray *items;         /* the values of {item} */
  guint next;
  guint running;
  guint concurrency;
  guint max_pages;          /* 0: all */
  guint pages;
  gint64 total;
  GError *error;
  GCancellable *cancellable; /* cancels the other fetches after a failure */
  GCancellable *outer;       /* the caller's, nullable */
  gulong cancel_id;
  PorticoPageFunc page_func;
  gpointer page_data;
  GDestroyNotify page_data_destroy;
} ForEachOp;

static void
for_each_op_free (ForEachOp *op)
{
  if (op->page_data_destroy != NULL)
    op->page_data_destroy (op->page_data);
  g_clear_object (&op->runtime);
  g_clear_object (&op->connector);
  g_clear_pointer (&op->values, g_hash_table_unref);
  g_free (op->data_type_id);
  g_clear_pointer (&op->items, g_ptr_array_unref);
  g_clear_error (&op->error);
  if (op->outer != NULL)
    g_cancellable_disconnect (op->outer, op->cancel_id);
  g_clear_object (&op->outer);
  g_clear_object (&op->cancellable);
  g_free (op);
}

static GHashTable *
for_each_values (ForEachOp  *op,
                 const char *key,
                 const char *value)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer k, v;

  if (op->values != NULL)
    {
      g_hash_table_iter_init (&iter, op->values);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_hash_table_insert (values, g_strdup (k), g_strdup (v));
    }
  g_hash_table_insert (values, g_strdup (key), g_strdup (value));
  if (op->values != NULL && !g_hash_table_contains (values, PORTICO_VALUE_EXCHANGE_ORIGIN))
    g_hash_table_insert (values, g_strdup (PORTICO_VALUE_EXCHANGE_ORIGIN),
                         g_strdup_printf ("%" G_GSIZE_MODIFIER "x", GPOINTER_TO_SIZE (op->values)));
  return values;
}

static gboolean
for_each_page_cb (const char *data_type_id,
                  guint       page_index,
                  GBytes     *body,
                  JsonArray  *items,
                  gpointer    user_data,
                  GError    **error)
{
  GTask *task = user_data;
  ForEachOp *op = g_task_get_task_data (task);

  if (op->error != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped");
      return FALSE;
    }
  if (op->max_pages > 0 && op->pages >= op->max_pages)
    return TRUE;
  op->pages++;
  if (op->page_func == NULL)
    return TRUE;
  return op->page_func (op->data_type_id, op->pages - 1, body, items, op->page_data, error);
}

static void for_each_launch (GTask *task);

static void
for_each_item_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ForEachOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 n = portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (source), result, &error);

  op->running--;
  if (n < 0 && op->error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      op->error = g_steal_pointer (&error);
      g_cancellable_cancel (op->cancellable);
    }
  else if (n < 0 && op->error == NULL)
    op->error = g_steal_pointer (&error);
  else if (n > 0)
    op->total += n;

  for_each_launch (g_steal_pointer (&task));
}

/* Keeps up to op->concurrency item fetches running; they share the
 * runtime's per-host limit and its Retry-After handling, so a provider's
 * rate limit slows them all. Takes ownership of @task. */
static void
for_each_launch (GTask *task)
{
  ForEachOp *op = g_task_get_task_data (task);

  while (op->error == NULL && op->next < op->items->len && op->running < op->concurrency &&
         !(op->max_pages > 0 && op->pages >= op->max_pages))
    {
      g_autoptr(GHashTable) values = for_each_values (op, FOR_EACH_ITEM, op->items->pdata[op->next++]);

      op->running++;
      portico_runtime_fetch_data_type_async (op->runtime, op->connector, values, op->data_type_id,
                                             op->max_pages > 0 ? op->max_pages - op->pages : 0,
                                             for_each_page_cb, g_object_ref (task), g_object_unref,
                                             op->cancellable, for_each_item_cb, g_object_ref (task));
      if (op->max_pages > 0)
        break; /* a probe: one item at a time, until it has its pages */
    }

  if (op->running == 0 &&
      (op->error != NULL || op->next >= op->items->len || (op->max_pages > 0 && op->pages >= op->max_pages)))
    {
      if (op->error != NULL)
        g_task_return_error (task, g_steal_pointer (&op->error));
      else
        g_task_return_int (task, op->total);
    }
  g_object_unref (task);
}

static gboolean
for_each_list_page_cb (const char *data_type_id,
                       guint       page_index,
                       GBytes     *body,
                       JsonArray  *items,
                       gpointer    user_data,
                       GError    **error)
{
  GTask *task = user_data;
  ForEachOp *op = g_task_get_task_data (task);
  JsonNode *value_expr = json_object_get_member (op->for_each, "value");

  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      g_autofree char *value = portico_expr_eval_string (value_expr, json_array_get_element (items, i),
                                                         op->values);

      /* An item listed twice is read once: its answer would count twice. */
      if (value != NULL && *value != '\0' &&
          !g_ptr_array_find_with_equal_func (op->items, value, g_str_equal, NULL))
        g_ptr_array_add (op->items, g_steal_pointer (&value));
    }
  return TRUE;
}

static void
for_each_list_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (source), result, &error) < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for_each_launch (g_steal_pointer (&task));
}

static void
for_each_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
for_each_start (PorticoRuntime     *self,
                PorticoConnector   *connector,
                GHashTable         *field_values,
                const char         *data_type_id,
                JsonObject         *for_each,
                guint               max_pages,
                PorticoPageFunc     page_func,
                gpointer            page_data,
                GDestroyNotify      page_data_destroy,
                GCancellable       *cancellable,
                GAsyncReadyCallback callback,
                gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ForEachOp *op = g_new0 (ForEachOp, 1);
  /* Fixed values, or else a list request (the member is then absent). */
  JsonNode *values_node = json_object_get_member (for_each, "values");
  JsonArray *fixed = values_node != NULL && JSON_NODE_HOLDS_ARRAY (values_node)
                     ? json_node_get_array (values_node) : NULL;

  g_task_set_source_tag (task, portico_runtime_fetch_data_type_async);
  op->runtime = g_object_ref (self);
  op->connector = g_object_ref (connector);
  op->values = field_values != NULL ? g_hash_table_ref (field_values) : NULL;
  op->data_type_id = g_strdup (data_type_id);
  op->for_each = for_each;
  op->items = g_ptr_array_new_with_free_func (g_free);
  op->concurrency = (guint) portico_runtime_json_object_get_int_or (for_each, "concurrency", FOR_EACH_CONCURRENCY);
  op->max_pages = max_pages;
  op->page_func = page_func;
  op->page_data = page_data;
  op->page_data_destroy = page_data_destroy;
  op->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, op, (GDestroyNotify) for_each_op_free);
  if (cancellable != NULL)
    {
      /* The caller's cancellable stops every fetch. */
      op->outer = g_object_ref (cancellable);
      op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (for_each_cancelled_cb),
                                             g_object_ref (op->cancellable), g_object_unref);
    }

  if (fixed != NULL)
    {
      for (guint i = 0; i < json_array_get_length (fixed); i++)
        g_ptr_array_add (op->items, g_strdup (json_array_get_string_element (fixed, i)));
      for_each_launch (g_steal_pointer (&task));
      return;
    }

  {
    g_autoptr(GHashTable) values = for_each_values (op, FOR_EACH_LIST, "1");

    portico_runtime_fetch_data_type_async (self, connector, values, data_type_id, max_pages,
                                           for_each_list_page_cb, g_object_ref (task), g_object_unref,
                                           op->cancellable, for_each_list_cb, g_object_ref (task));
  }
}

static void
fetch_start (PorticoRuntime     *self,
             PorticoConnector   *connector,
             GHashTable         *field_values,
             const char         *data_type_id,
             guint               max_pages,
             PorticoPageFunc     page_func,
             PorticoRawPageFunc  raw_func,
             gpointer            page_data,
             GDestroyNotify      page_data_destroy,
             PorticoPageGate    *gate,
             GCancellable       *cancellable,
             GAsyncReadyCallback callback,
             gpointer            user_data);

void
portico_runtime_fetch_data_type_async (PorticoRuntime     *self,
                                       PorticoConnector   *connector,
                                       GHashTable         *field_values,
                                       const char         *data_type_id,
                                       guint               max_pages,
                                       PorticoPageFunc     page_func,
                                       gpointer            page_data,
                                       GDestroyNotify      page_data_destroy,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  fetch_start (self, connector, field_values, data_type_id, max_pages, page_func, NULL,
               page_data, page_data_destroy, NULL, cancellable, callback, user_data);
}

void
portico_runtime_fetch_data_type_gated_async (PorticoRuntime     *self,
                                             PorticoConnector   *connector,
                                             GHashTable         *field_values,
                                             const char         *data_type_id,
                                             PorticoPageGate    *gate,
                                             PorticoPageFunc     page_func,
                                             gpointer            page_data,
                                             GDestroyNotify      page_data_destroy,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  fetch_start (self, connector, field_values, data_type_id, 0, page_func, NULL,
               page_data, page_data_destroy, gate, cancellable, callback, user_data);
}

void
portico_runtime_fetch_first_page_async (PorticoRuntime     *self,
                                        PorticoConnector   *connector,
                                        GHashTable         *field_values,
                                        const char         *data_type_id,
                                        PorticoRawPageFunc  raw_func,
                                        PorticoPageFunc     page_func,
                                        gpointer            page_data,
                                        GDestroyNotify      page_data_destroy,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  fetch_start (self, connector, field_values, data_type_id, 1, page_func, raw_func,
               page_data, page_data_destroy, NULL, cancellable, callback, user_data);
}

static void
fetch_start (PorticoRuntime     *self,
             PorticoConnector   *connector,
             GHashTable         *field_values,
             const char         *data_type_id,
             guint               max_pages,
             PorticoPageFunc     page_func,
             PorticoRawPageFunc  raw_func,
             gpointer            page_data,
             GDestroyNotify      page_data_destroy,
             PorticoPageGate    *gate,
             GCancellable       *cancellable,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *for_each;
  gboolean list_step;
  FetchOp *op;

  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  g_return_if_fail (PORTICO_IS_CONNECTOR (connector));
  g_return_if_fail (data_type_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  for_each = for_each_definition (connector, data_type_id);
  if (for_each != NULL && (field_values == NULL ||
                           (!g_hash_table_contains (field_values, FOR_EACH_ITEM) &&
                            !g_hash_table_contains (field_values, FOR_EACH_LIST))))
    {
      for_each_start (self, connector, field_values, data_type_id, for_each, max_pages,
                      page_func, page_data, page_data_destroy, cancellable, callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_runtime_fetch_data_type_async);

  op = g_new0 (FetchOp, 1);
  op->data_type_id = g_strdup (data_type_id);
  op->max_pages = max_pages;
  op->page_func = page_func;
  op->page_data = page_data;
  op->page_data_destroy = page_data_destroy;
  op->raw_func = raw_func;
  op->gate = gate != NULL ? portico_page_gate_ref (gate) : NULL;
  op->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  op->deadline = g_get_monotonic_time () + (gint64) self->total_timeout * G_USEC_PER_SEC;
  g_task_set_task_data (task, op, (GDestroyNotify) fetch_op_free);

  op->account = portico_runtime_account_new (self, connector, field_values, &error);
  if (op->account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The connector resolves request_from: a data type served by another
   * one's request (custom fields with the users) reads that request. The
   * list of a "for_each" is read with its own request. */
  list_step = for_each != NULL && g_hash_table_contains (field_values, FOR_EACH_LIST);
  op->bare_items = for_each != NULL && !list_step;
  if (op->bare_items)
    op->item = g_strdup (g_hash_table_lookup (field_values, FOR_EACH_ITEM));
  op->request_def = list_step ? portico_runtime_json_object_get_object_or_null (for_each, "request")
                              : portico_connector_get_data_type_request (connector, data_type_id);
  if (op->request_def == NULL)
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("The %s connector does not describe how to read %s. Update the connector file."),
                               portico_connector_get_name (connector), portico_runtime_data_type_label (data_type_id));
      return;
    }
  if (portico_runtime_json_object_get_object_or_null (op->request_def, "then") != NULL)
    {
      /* Two requests (connectors/README.md "then"): the second one is
       * paginated and holds the items. */
      op->first_def = op->request_def;
      op->request_def = portico_runtime_json_object_get_object_or_null (op->first_def, "then");
    }
  op->pagination = list_step ? portico_runtime_json_object_get_object_or_null (for_each, "pagination")
                             : portico_connector_get_data_type_pagination (connector, data_type_id);
  op->style = g_strdup (portico_runtime_json_object_get_string_or (op->pagination, "style", "none"));
  if (!list_step)
    {
      JsonObject *dt = portico_connector_get_data_type_definition (connector, data_type_id);
      const char *from = dt != NULL ? portico_runtime_json_object_get_string_or (dt, "request_from", NULL) : NULL;
      JsonNode *statuses;

      if (from != NULL)
        dt = portico_connector_get_data_type_definition (connector, from);
      statuses = dt != NULL ? json_object_get_member (dt, "empty_statuses") : NULL;
      if (statuses != NULL && JSON_NODE_HOLDS_ARRAY (statuses))
        op->empty_statuses = json_node_get_array (statuses);
    }
  if (!list_step && items_shape (connector, data_type_id, &op->keyed_by))
    {
      op->csv = op->keyed_by == NULL;
      op->bare_items = TRUE;
    }
  {
    /* A provider that refuses to go further (Slack's team.accessLogs
     * answers over_pagination_limit after 100 pages) says so in
     * "max_pages": the read stops there, complete. */
    gint64 definition_max = portico_runtime_json_object_get_int_or (op->pagination, "max_pages", 0);

    if (definition_max > 0 && (op->max_pages == 0 || (guint64) definition_max < op->max_pages))
      op->max_pages = (guint) MIN (definition_max, G_MAXUINT);
  }
  {
    JsonNode *items = list_step ? json_object_get_member (for_each, "items")
                                : portico_connector_get_data_type_items (connector, data_type_id);

    if (items != NULL &&
        !(JSON_NODE_HOLDS_VALUE (items) && json_node_get_value_type (items) == G_TYPE_STRING &&
          *json_node_get_string (items) == '\0'))
      {
        op->items_expr = items_path_expand (connector, items, op->account->values, &error);
        if (op->items_expr == NULL)
          {
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }
        op->bare_items |= items_path_matches (items);
      }
  }

  if (g_strcmp0 (op->style, "page") == 0)
    op->number = portico_runtime_json_object_get_int_or (op->pagination, "start", 1);
  else if (g_strcmp0 (op->style, "offset") == 0)
    op->number = portico_runtime_json_object_get_int_or (op->pagination, "start", 0);
  else if (g_strcmp0 (op->style, "scim") == 0)
    op->number = 1;

  fetch_next (g_steal_pointer (&task));
}

char *
portico_runtime_dup_items_path (PorticoConnector *connector,
                                GHashTable       *field_values,
                                const char       *data_type_id,
                                GError          **error)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(JsonNode) expanded = NULL;
  g_autoptr(GString) dotted = NULL;
  GPtrArray *fields;
  JsonNode *items;
  JsonArray *segments;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (data_type_id != NULL, NULL);

  if (portico_connector_get_data_type_request (connector, data_type_id) == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("The %s connector does not describe how to read %s. Update the connector file."),
                   portico_connector_get_name (connector), portico_runtime_data_type_label (data_type_id));
      return NULL;
    }
  items = portico_connector_get_data_type_items (connector, data_type_id);
  if (items == NULL || items_path_matches (items) || for_each_definition (connector, data_type_id) != NULL ||
      items_shape (connector, data_type_id, NULL))
    return g_strdup ("");

  /* The same values as the requests: every declared field, defaults for
   * the empty ones. */
  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (field_values != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, field_values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (values, g_strdup (key), g_strdup (value ? value : ""));
    }
  fields = portico_connector_get_fields (connector);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *current = g_hash_table_lookup (values, field->id);

      if (current == NULL || *current == '\0')
        g_hash_table_insert (values, g_strdup (field->id),
                             g_strdup (field->default_value ? field->default_value : ""));
    }
  if (!portico_connector_add_choice_values (connector, values, error))
    return NULL;

  expanded = items_path_expand (connector, items, values, error);
  if (expanded == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (expanded) && json_node_get_value_type (expanded) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (expanded));

  segments = json_node_get_array (expanded);
  dotted = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (segments); i++)
    {
      JsonNode *el = json_array_get_element (segments, i);

      if (dotted->len > 0)
        g_string_append_c (dotted, '.');
      if (json_node_get_value_type (el) == G_TYPE_INT64)
        g_string_append_printf (dotted, "%" G_GINT64_FORMAT, json_node_get_int (el));
      else
        {
          const char *key = json_node_get_string (el);

          if (strchr (key, '.') != NULL || is_all_digits (key))
            {
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                           _("The %s connector reads its items under the key “%s”, which Portico cannot store yet. "
                             "Report the connector."),
                           portico_connector_get_name (connector), key);
              return NULL;
            }
          g_string_append (dotted, key);
        }
    }
  return g_string_free (g_steal_pointer (&dotted), FALSE);
}

gint64
portico_runtime_fetch_data_type_finish (PorticoRuntime *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_runtime_fetch_data_type_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
