/* portico-sandbox-server.c: a local fake SaaS provider built from the catalog.
 *
 * Nothing here knows a provider: every response is derived from the
 * connector definition. Items are produced by *inverting* the definition's
 * map expressions (a path becomes a place to write a value, a value map is
 * searched for the raw key giving the wanted normalized value, a join is
 * split, ...), and what the map reads back from those items is kept as the
 * expected data that tests assert against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-sandbox"

#include "config.h"

#include <math.h>
#include <string.h>
#include <libsoup/soup.h>

#include "portico-sandbox-data.h"
#include "portico-sandbox-server.h"
#include "portico-sandbox-vendor.h"

#define DEFAULT_PAGE_SIZE 100
#define TOKEN_LIFETIME 3600
#define HTTP_TOO_MANY_REQUESTS 429

/* The data type ids in display order (connectors/README.md). */
static const char * const data_type_order[] = {
  "users", "licenses", "usage", "custom_fields", "transactions", "groups",
  "discovered_apps", "app_assignments", NULL,
};

typedef enum
{
  BEHAVE_OK,
  BEHAVE_PLAN,
  BEHAVE_BAD,
} Behaviour;

typedef enum
{
  ROUTE_DATA,
  ROUTE_IDENTITY,
  ROUTE_TOKEN,
  ROUTE_AUTHORIZE, /* oauth2_authorization_code: the consent page */
  ROUTE_AFTER_SIGN_IN, /* auth.after_sign_in: what the provider tells after the sign-in */
  ROUTE_REVOKE,        /* auth.revoke: the revocation endpoint */
} RouteKind;

typedef struct _Route Route;
struct _Route
{
  RouteKind kind;
  char *method;
  char *pattern; /* for logs */
  GRegex *regex;
  Route *main;          /* for a continue_path or then route: the route it continues */
  gboolean then_step;   /* the second request of main's "then" pair */
  gboolean list_step;   /* the list request of main's "for_each": main's ids */
  gboolean listed;      /* a list_step route lists this route's records */
  JsonNode *list_value; /* borrowed: the for_each "value" expression */
  char *data_type;      /* primary data type */
  GPtrArray *dependents; /* data type ids read from the same items */
  gboolean identity;    /* the identity request is this route too */
  JsonObject *request;  /* borrowed from the definition */
  JsonObject *pagination; /* borrowed, nullable */
  JsonNode *items_path; /* owned, may hold {field} templates, nullable */
  JsonArray *items;     /* rendered provider items */
  JsonArray *records;   /* the sandbox records @items were rendered from, in their order */
};

typedef struct
{
  Behaviour behaviour;
  char *tenant;
  gint64 expires; /* monotonic, us */
  char *refresh_token; /* issued with this access token, nullable */
} Token;

typedef struct
{
  PorticoSandbox *sandbox; /* unowned */
  PorticoConnector *connector;
  JsonObject *def; /* borrowed from the connector */
  char *id;
  SoupServer *server;
  char *base_url;
  char *base_path;
  GPtrArray *routes;
  GHashTable *fields;        /* non-secret field id -> example value */
  GHashTable *field_types;   /* field id -> type */
  GPtrArray *secret_fields;  /* field ids */
  GHashTable *secrets;       /* "ok"/"plan"/"bad" + "\x1f" + field id -> value */
  GPtrArray *field_order;    /* field ids in definition order */
  GHashTable *expected_text; /* data type -> the text of its expected JsonArray */
  GHashTable *expected;      /* data type -> JsonArray, parsed from expected_text when asked for */
  JsonObject *expected_identity;
  GHashTable *plan_failures; /* set of data type ids */
  GHashTable *tokens;        /* token -> Token */
  GHashTable *issued;        /* first answers of "then" pairs -> data type */
  guint issued_count;
  gboolean broken;
  PorticoSandboxFault fault;
  guint fault_count;
  /* OAuth sign-in (portico-sandbox-oauth.c) */
  GHashTable *codes;           /* code -> OAuthGrant */
  GHashTable *refresh_tokens;  /* refresh token -> OAuthGrant */
  PorticoSandboxOAuthFault oauth_fault;
  gpointer jwt_key;            /* SandboxJwtKey, nullable */
  GHashTable *template_values; /* fields and auth.after_sign_in values, for templates */
  guint revoked;               /* refresh tokens revoked at auth.revoke */
} SandboxConnector;

#include "portico-sandbox-oauth.h"

typedef struct
{
  PorticoSandbox *sandbox;
  SoupServerMessage *msg;
  guint source_id;
  gboolean finished;
} SlowReply;

struct _PorticoSandbox
{
  GObject parent_instance;

  PorticoCatalog *catalog;
  PorticoSandboxData *data;
  guint seed;
  guint size;
  GPtrArray *connectors; /* SandboxConnector: shipped by id, then custom by id */
  guint n_shipped;       /* shipped connectors first: their ports never move */
  SandboxConnector *scim; /* a SCIM 2.0 service for the custom template, nullable */
  char *scim_url;
  SoupServer *admin;
  char *admin_url;
  SoupServer *redirect;
  char *redirect_url;
  guint redirect_hits;
  guint redirect_with_credentials;
  GHashTable *downloads; /* CSV reports at the redirect target: token -> text */
  guint download_count;
  JsonArray *requests;
  guint slow_delay_ms;
  GList *slow_replies; /* SlowReply */
  gboolean started;
};

G_DEFINE_FINAL_TYPE (PorticoSandbox, portico_sandbox, G_TYPE_OBJECT)

/* ---------------------------------------------------------------------- */
/* JSON helpers                                                            */

static gboolean
is_index (const char *seg, guint *idx)
{
  guint64 v;

  if (seg == NULL || *seg == '\0')
    return FALSE;
  for (const char *p = seg; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  v = g_ascii_strtoull (seg, NULL, 10);
  if (v > 10000)
    return FALSE;
  if (idx)
    *idx = (guint) v;
  return TRUE;
}

/* A path expression as segments: "a.b.0" or ["@odata.nextLink"]. */
static GPtrArray *
path_segments (JsonNode *path)
{
  GPtrArray *segs = g_ptr_array_new_with_free_func (g_free);

  if (path == NULL)
    return segs;
  if (JSON_NODE_HOLDS_VALUE (path) && json_node_get_value_type (path) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (path);

      if (s != NULL && *s)
        {
          g_auto(GStrv) parts = g_strsplit (s, ".", -1);

          for (guint i = 0; parts[i]; i++)
            g_ptr_array_add (segs, g_strdup (parts[i]));
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (path))
    {
      JsonArray *arr = json_node_get_array (path);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *e = json_array_get_element (arr, i);

          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            g_ptr_array_add (segs, g_strdup (json_node_get_string (e)));
          else if (JSON_NODE_HOLDS_OBJECT (e) && segs->len > 0
                   && json_object_has_member (json_node_get_object (e), "where"))
            {
              /* {"where": {member: value}} after a key: the "key[member=value]" form. */
              JsonObject *where = json_object_get_object_member (json_node_get_object (e), "where");
              g_autoptr(GList) names = where != NULL ? json_object_get_members (where) : NULL;
              char *last = segs->pdata[segs->len - 1];

              if (names != NULL)
                {
                  segs->pdata[segs->len - 1] = g_strdup_printf ("%s[%s=%s]", last, (char *) names->data,
                                                                json_object_get_string_member (where, names->data));
                  g_free (last);
                }
            }
          else if (JSON_NODE_HOLDS_VALUE (e))
            g_ptr_array_add (segs, g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (e)));
        }
    }
  return segs;
}

static gboolean
is_path_expr (JsonNode *expr)
{
  return expr != NULL
         && ((JSON_NODE_HOLDS_VALUE (expr) && json_node_get_value_type (expr) == G_TYPE_STRING)
             || JSON_NODE_HOLDS_ARRAY (expr));
}

/* Copies the value of @src into @dst in place (@dst stays owned by its parent). */
static void
node_assign (JsonNode *dst, JsonNode *src)
{
  switch (JSON_NODE_TYPE (src))
    {
    case JSON_NODE_OBJECT:
      json_node_init_object (dst, json_node_get_object (src));
      break;
    case JSON_NODE_ARRAY:
      json_node_init_array (dst, json_node_get_array (src));
      break;
    case JSON_NODE_NULL:
      json_node_init_null (dst);
      break;
    case JSON_NODE_VALUE:
      {
        GType t = json_node_get_value_type (src);

        if (t == G_TYPE_STRING)
          json_node_init_string (dst, json_node_get_string (src));
        else if (t == G_TYPE_BOOLEAN)
          json_node_init_boolean (dst, json_node_get_boolean (src));
        else if (t == G_TYPE_DOUBLE)
          json_node_init_double (dst, json_node_get_double (src));
        else
          json_node_init_int (dst, json_node_get_int (src));
      }
      break;
    default:
      break;
    }
}

static void
ensure_container (JsonNode *node, gboolean want_array)
{
  if (want_array && JSON_NODE_HOLDS_ARRAY (node))
    return;
  if (!want_array && JSON_NODE_HOLDS_OBJECT (node))
    return;
  if (want_array)
    {
      json_node_init (node, JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }
  else
    {
      json_node_init (node, JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
}

/* Replaces element @idx of @arr by @value (transfer full). JsonArray has no
 * setter, and json-glib 1.6 cannot re-initialize a node that already holds a
 * value, so the tail is taken off and put back. */
static void
array_replace (JsonArray *arr, guint idx, JsonNode *value)
{
  g_autoptr(GPtrArray) tail = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  while (json_array_get_length (arr) > idx + 1)
    {
      guint last = json_array_get_length (arr) - 1;

      g_ptr_array_insert (tail, 0, json_node_ref (json_array_get_element (arr, last)));
      json_array_remove_element (arr, last);
    }
  if (json_array_get_length (arr) > idx)
    json_array_remove_element (arr, idx);
  json_array_add_element (arr, value);
  for (guint i = 0; i < tail->len; i++)
    json_array_add_element (arr, json_node_ref (tail->pdata[i]));
}

/* A match segment "key[member=value]" (format v2): its parts, or FALSE. */
static gboolean
parse_match (const char *seg, char **key, char **member, char **value)
{
  const char *open = strchr (seg, '[');
  const char *eq = open != NULL ? strchr (open, '=') : NULL;
  gsize len = strlen (seg);

  if (open == NULL || open == seg || eq == NULL || seg[len - 1] != ']')
    return FALSE;
  *key = g_strndup (seg, open - seg);
  *member = g_strndup (open + 1, eq - open - 1);
  *value = g_strndup (eq + 1, seg + len - 1 - (eq + 1));
  return TRUE;
}

/* The element of @arr whose @member reads as @value, or NULL. */
static JsonNode *
find_match (JsonArray *arr, const char *member, const char *value)
{
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);
      JsonNode *m;
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (el))
        continue;
      m = json_object_get_member (json_node_get_object (el), member);
      if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
        {
          if (json_node_get_value_type (m) == G_TYPE_STRING)
            text = g_strdup (json_node_get_string (m));
          else if (json_node_get_value_type (m) == G_TYPE_INT64)
            text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (m));
          else if (json_node_get_value_type (m) == G_TYPE_BOOLEAN)
            text = g_strdup (json_node_get_boolean (m) ? "true" : "false");
        }
      if (g_strcmp0 (text, value) == 0)
        return el;
    }
  return NULL;
}

/* The element a match names, created when missing. A provider does not
 * promise an order (Google's event parameters, ClickUp's workspaces), so
 * another element always comes first: a definition that reads by position
 * instead of by key reads the wrong one. */
static JsonNode *
ensure_match (JsonObject *obj, const char *key, const char *member, const char *value)
{
  JsonNode *arr_node;
  JsonArray *arr;
  JsonNode *found;

  if (!json_object_has_member (obj, key) || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, key)))
    json_object_set_array_member (obj, key, json_array_new ());
  arr_node = json_object_get_member (obj, key);
  arr = json_node_get_array (arr_node);
  found = find_match (arr, member, value);
  if (found != NULL)
    return found;
  {
    JsonObject *other = json_object_new ();
    JsonObject *wanted = json_object_new ();
    g_autofree char *other_value = g_strdup_printf ("%s-other", value);

    /* "emails[primary=true]": a JSON boolean, as the provider sends it. */
    if (g_str_equal (value, "true") || g_str_equal (value, "false"))
      {
        json_object_set_boolean_member (other, member, !g_str_equal (value, "true"));
        json_object_set_boolean_member (wanted, member, g_str_equal (value, "true"));
      }
    else
      {
        json_object_set_string_member (other, member, other_value);
        json_object_set_string_member (wanted, member, value);
      }
    json_array_add_object_element (arr, other);
    json_array_add_object_element (arr, wanted);
  }
  return json_array_get_element (arr, json_array_get_length (arr) - 1);
}

/* Writes @value (transfer full) at @segs under @root, creating objects and
 * arrays on the way. Leaves are replaced, never re-initialized in place. */
static void
set_at_segments (JsonNode *root, GPtrArray *segs, JsonNode *value)
{
  JsonNode *cur = root;

  if (segs->len == 0)
    {
      /* Only ever a fresh root: json-glib 1.6 cannot re-initialize a value node. */
      if (JSON_NODE_HOLDS_NULL (root))
        node_assign (root, value);
      json_node_unref (value);
      return;
    }

  for (guint i = 0; i < segs->len; i++)
    {
      const char *seg = segs->pdata[i];
      guint idx = 0;
      gboolean want_array = is_index (seg, &idx);
      gboolean last = i + 1 == segs->len;
      JsonNode *child;
      g_autofree char *mkey = NULL;
      g_autofree char *mmember = NULL;
      g_autofree char *mvalue = NULL;

      if (!last && parse_match (seg, &mkey, &mmember, &mvalue))
        {
          ensure_container (cur, FALSE);
          cur = ensure_match (json_node_get_object (cur), mkey, mmember, mvalue);
          continue;
        }

      ensure_container (cur, want_array);
      if (want_array)
        {
          JsonArray *arr = json_node_get_array (cur);

          if (last)
            {
              while (json_array_get_length (arr) < idx)
                json_array_add_null_element (arr);
              array_replace (arr, idx, value);
              return;
            }
          while (json_array_get_length (arr) <= idx)
            json_array_add_null_element (arr);
          child = json_array_get_element (arr, idx);
        }
      else
        {
          JsonObject *obj = json_node_get_object (cur);

          if (last)
            {
              json_object_set_member (obj, seg, value);
              return;
            }
          if (!json_object_has_member (obj, seg))
            json_object_set_null_member (obj, seg);
          child = json_object_get_member (obj, seg);
        }
      cur = child;
    }
}

/* path_segments() of a path read and written once per item of every
 * list, kept by the path's text (transfer full; the caller changes
 * nothing in it). */
static GPtrArray *
shared_path_segments (JsonNode *path)
{
  static GMutex lock;
  static GHashTable *known; /* path text -> GPtrArray */
  g_autoptr(GMutexLocker) locker = NULL;
  const char *text;
  GPtrArray *segs;

  if (path == NULL || !JSON_NODE_HOLDS_VALUE (path) || json_node_get_value_type (path) != G_TYPE_STRING)
    return path_segments (path);
  text = json_node_get_string (path);
  locker = g_mutex_locker_new (&lock);
  if (known == NULL)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  segs = g_hash_table_lookup (known, text);
  if (segs == NULL)
    {
      segs = path_segments (path);
      g_hash_table_insert (known, g_strdup (text), segs);
    }
  return g_ptr_array_ref (segs);
}

static void
set_at_path (JsonNode *root, JsonNode *path, JsonNode *value)
{
  g_autoptr(GPtrArray) segs = shared_path_segments (path);

  set_at_segments (root, segs, value);
}

/* Reads a plain path expression over @root (transfer none, nullable). */
static JsonNode *
read_path (JsonNode *root, JsonNode *path)
{
  g_autoptr(GPtrArray) segs = shared_path_segments (path);
  JsonNode *cur = root;

  for (guint i = 0; i < segs->len && cur != NULL; i++)
    {
      guint idx;
      g_autofree char *mkey = NULL;
      g_autofree char *mmember = NULL;
      g_autofree char *mvalue = NULL;

      if (JSON_NODE_HOLDS_OBJECT (cur) && parse_match (segs->pdata[i], &mkey, &mmember, &mvalue))
        {
          JsonNode *arr = json_object_get_member (json_node_get_object (cur), mkey);

          cur = arr != NULL && JSON_NODE_HOLDS_ARRAY (arr)
                ? find_match (json_node_get_array (arr), mmember, mvalue) : NULL;
        }
      else if (JSON_NODE_HOLDS_OBJECT (cur))
        cur = json_object_get_member (json_node_get_object (cur), segs->pdata[i]);
      else if (JSON_NODE_HOLDS_ARRAY (cur) && is_index (segs->pdata[i], &idx))
        cur = idx < json_array_get_length (json_node_get_array (cur))
              ? json_array_get_element (json_node_get_array (cur), idx) : NULL;
      else
        cur = NULL;
    }
  return cur;
}

/* Two targets may read the same path (HubSpot's portalId is id and name):
 * the last write wins, so plain paths are read back once all are written. */
static void
reread_plain_paths (JsonNode *item, JsonObject *exprs, JsonObject *expected)
{
  g_autoptr(GList) targets = json_object_get_members (exprs);

  for (GList *l = targets; l != NULL; l = l->next)
    {
      JsonNode *expr = json_object_get_member (exprs, l->data);
      JsonNode *v;

      if (!is_path_expr (expr) || !json_object_has_member (expected, l->data))
        continue;
      v = read_path (item, expr);
      if (v != NULL && JSON_NODE_HOLDS_VALUE (v))
        json_object_set_member (expected, l->data, json_node_copy (v));
    }
}

static char *
node_to_string (JsonNode *node)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (t == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

static double
node_to_double (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtod (json_node_get_string (node), NULL);
  return json_node_get_double (node);
}

/* A raw provider value from a value-map key: JSON true/false and integers
 * are written as such (a map compares them as text). */
static JsonNode *
guess_node (const char *key)
{
  if (g_str_equal (key, "true") || g_str_equal (key, "false"))
    return json_node_init_boolean (json_node_alloc (), g_str_equal (key, "true"));
  if (strlen (key) < 16 && (is_index (key, NULL) || (key[0] == '-' && is_index (key + 1, NULL))))
    return json_node_init_int (json_node_alloc (), g_ascii_strtoll (key, NULL, 10));
  return json_node_init_string (json_node_alloc (), key);
}

static JsonNode *
string_node (const char *s)
{
  return json_node_init_string (json_node_alloc (), s);
}

static char *
expand_template (const char *tmpl, GHashTable *values)
{
  GString *out = g_string_new (NULL);

  for (const char *p = tmpl; p != NULL && *p; p++)
    {
      const char *end;

      if (*p == '{' && (end = strchr (p, '}')) != NULL)
        {
          g_autofree char *name = g_strndup (p + 1, end - p - 1);
          const char *v = values != NULL ? g_hash_table_lookup (values, name) : NULL;

          g_string_append (out, v != NULL ? v : "");
          p = end;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
expr_never_null (JsonNode *expr)
{
  JsonObject *obj;

  if (expr == NULL || !JSON_NODE_HOLDS_OBJECT (expr))
    return FALSE;
  obj = json_node_get_object (expr);
  return json_object_has_member (obj, "literal") || json_object_has_member (obj, "template")
         || (json_object_has_member (obj, "map") && json_object_has_member (obj, "default"));
}

/* Whether some raw item makes @expr read @wanted. */
static gboolean
expr_can_produce (JsonNode *expr, JsonNode *wanted)
{
  JsonObject *obj;
  g_autofree char *w = node_to_string (wanted);

  if (expr == NULL || wanted == NULL)
    return FALSE;
  if (is_path_expr (expr))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (expr))
    return FALSE;
  obj = json_node_get_object (expr);
  if (json_object_has_member (obj, "literal"))
    {
      g_autofree char *l = node_to_string (json_object_get_member (obj, "literal"));

      return g_strcmp0 (l, w) == 0;
    }
  if (json_object_has_member (obj, "first"))
    {
      JsonArray *alts = json_object_get_array_member (obj, "first");

      for (guint i = 0; alts != NULL && i < json_array_get_length (alts); i++)
        if (expr_can_produce (json_array_get_element (alts, i), wanted))
          return TRUE;
      return FALSE;
    }
  if (json_object_has_member (obj, "map"))
    {
      JsonObject *map = json_object_get_object_member (obj, "map");
      g_autoptr(GList) keys = map != NULL ? json_object_get_members (map) : NULL;
      const char *def = json_object_get_string_member_with_default (obj, "default", NULL);

      if (w == NULL)
        return FALSE;
      if (def != NULL && g_str_equal (def, w))
        return TRUE;
      for (GList *l = keys; l != NULL; l = l->next)
        if (g_strcmp0 (json_object_get_string_member_with_default (map, l->data, ""), w) == 0)
          return TRUE;
      return FALSE;
    }
  return TRUE;
}

/* Writes @wanted into @root where @expr reads from. Returns what @expr reads
 * back (transfer full, nullable): it differs from @wanted when the expression
 * cannot produce that value (a value map without such a status). */
static JsonNode *
render_expr (JsonNode   *root,
             JsonNode   *expr,
             JsonNode   *wanted,
             GHashTable *fields)
{
  JsonObject *obj;

  if (expr == NULL)
    return NULL;

  if (is_path_expr (expr))
    {
      if (wanted == NULL)
        return NULL;
      set_at_path (root, expr, json_node_copy (wanted));
      return json_node_copy (wanted);
    }

  if (!JSON_NODE_HOLDS_OBJECT (expr))
    return NULL;
  obj = json_node_get_object (expr);

  if (json_object_has_member (obj, "literal"))
    return json_node_copy (json_object_get_member (obj, "literal"));

  if (json_object_has_member (obj, "template"))
    {
      g_autofree char *s = expand_template (json_object_get_string_member (obj, "template"), fields);

      return string_node (s);
    }

  if (json_object_has_member (obj, "first"))
    {
      JsonArray *alts = json_object_get_array_member (obj, "first");

      if (alts == NULL || json_array_get_length (alts) == 0)
        return NULL;
      /* Earlier alternatives are left out (they read null) up to the first
       * one that can give the wanted value or that is never null. */
      for (guint i = 0; i < json_array_get_length (alts); i++)
        {
          JsonNode *alt = json_array_get_element (alts, i);

          if (expr_can_produce (alt, wanted) || expr_never_null (alt))
            return render_expr (root, alt, wanted, fields);
        }
      return render_expr (root, json_array_get_element (alts, 0), wanted, fields);
    }

  if (json_object_has_member (obj, "join"))
    {
      JsonArray *parts = json_object_get_array_member (obj, "join");
      const char *sep = json_object_get_string_member_with_default (obj, "sep", " ");
      g_autofree char *w = node_to_string (wanted);
      g_auto(GStrv) pieces = NULL;
      GString *actual = g_string_new (NULL);
      guint n;

      if (parts == NULL || w == NULL)
        return NULL;
      n = json_array_get_length (parts);
      pieces = *sep ? g_strsplit (w, sep, MAX (n, 1)) : g_strsplit (w, "\x01", 1);
      for (guint i = 0; i < n && pieces[i] != NULL; i++)
        {
          g_autoptr(JsonNode) piece = string_node (pieces[i]);
          g_autoptr(JsonNode) got = render_expr (root, json_array_get_element (parts, i), piece, fields);
          g_autofree char *s = node_to_string (got);

          if (s != NULL && *s)
            {
              if (actual->len > 0)
                g_string_append (actual, sep);
              g_string_append (actual, s);
            }
        }
      {
        JsonNode *ret = string_node (actual->str);

        g_string_free (actual, TRUE);
        return ret;
      }
    }

  if (json_object_has_member (obj, "all"))
    {
      /* Several values per field: one element per value (Entra's
       * assignedLicenses), with an element that holds none in between. */
      const char *sep = json_object_get_string_member_with_default (obj, "sep", ", ");
      JsonNode *each = json_object_get_member (obj, "each");
      g_autofree char *w = node_to_string (wanted);
      g_auto(GStrv) pieces = NULL;
      JsonArray *arr = json_array_new ();
      JsonNode *value = json_node_alloc ();

      if (w == NULL)
        {
          json_array_unref (arr);
          json_node_free (value);
          return NULL;
        }
      pieces = *sep ? g_strsplit (w, sep, -1) : g_strsplit (w, "\x01", 1);
      for (guint i = 0; pieces[i] != NULL; i++)
        {
          JsonNode *el = json_node_new (JSON_NODE_NULL);

          if (each != NULL)
            {
              set_at_path (el, each, string_node (pieces[i]));
              json_array_add_element (arr, el);
              if (i == 0)
                json_array_add_object_element (arr, json_object_new ());
            }
          else
            {
              json_node_free (el);
              json_array_add_string_element (arr, pieces[i]);
            }
        }
      json_node_init_array (value, arr);
      json_array_unref (arr);
      set_at_path (root, json_object_get_member (obj, "all"), value);
      return string_node (w);
    }

  if (json_object_has_member (obj, "count"))
    {
      JsonArray *arr = json_array_new ();
      gint64 n = wanted != NULL ? (gint64) node_to_double (wanted) : 0;
      JsonNode *value = json_node_alloc ();

      for (gint64 i = 0; i < n; i++)
        {
          g_autofree char *m = g_strdup_printf ("m%" G_GINT64_FORMAT, i + 1);

          json_array_add_string_element (arr, m);
        }
      json_node_init_array (value, arr);
      json_array_unref (arr);
      set_at_path (root, json_object_get_member (obj, "count"), value);
      return json_node_init_int (json_node_alloc (), n);
    }

  if (json_object_has_member (obj, "path"))
    {
      JsonNode *path = json_object_get_member (obj, "path");

      if (json_object_has_member (obj, "map"))
        {
          JsonObject *map = json_object_get_object_member (obj, "map");
          const char *def = json_object_get_string_member_with_default (obj, "default", NULL);
          g_autofree char *w = node_to_string (wanted);
          g_autoptr(GList) keys = map != NULL ? json_object_get_members (map) : NULL;
          const char *fallback_key = NULL;

          if (w == NULL)
            return NULL;
          for (GList *l = keys; l != NULL; l = l->next)
            {
              const char *v = json_object_get_string_member_with_default (map, l->data, "");

              if (g_str_equal (v, w))
                {
                  set_at_path (root, path, guess_node (l->data));
                  return string_node (w);
                }
              if (fallback_key == NULL && g_str_equal (v, "active"))
                fallback_key = l->data;
            }
          /* Leaving the value out reads back the default. */
          if (def != NULL)
            return string_node (def);
          if (fallback_key == NULL && keys != NULL)
            fallback_key = keys->data;
          if (fallback_key == NULL)
            {
              set_at_path (root, path, json_node_copy (wanted));
              return json_node_copy (wanted);
            }
          set_at_path (root, path, guess_node (fallback_key));
          return string_node (json_object_get_string_member (map, fallback_key));
        }

      if (json_object_has_member (obj, "scale"))
        {
          double scale = json_object_get_double_member (obj, "scale");
          double raw;

          if (wanted == NULL || scale == 0)
            return NULL;
          raw = node_to_double (wanted) / scale;
          if (fabs (raw - round (raw)) < 1e-6)
            set_at_path (root, path, json_node_init_int (json_node_alloc (), (gint64) round (raw)));
          else
            set_at_path (root, path, json_node_init_double (json_node_alloc (), raw));
          return json_node_init_double (json_node_alloc (), round (raw * 1e6) / 1e6 * scale);
        }

      if (wanted == NULL)
        return NULL;
      set_at_path (root, path, json_node_copy (wanted));
      return json_node_copy (wanted);
    }

  return NULL;
}

static char *
json_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Definition helpers                                                      */

static JsonObject *
obj_member (JsonObject *obj, const char *name)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, name)) == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return NULL;
  return json_node_get_object (n);
}

static const char *
str_member (JsonObject *obj, const char *name)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, name)) == NULL
      || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gint64
int_member (JsonObject *obj, const char *name, gint64 def)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, name)) == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return def;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return is_index (json_node_get_string (n), NULL)
           ? g_ascii_strtoll (json_node_get_string (n), NULL, 10) : def;
  return json_node_get_int (n);
}

static gboolean
bool_member (JsonObject *obj, const char *name)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, name)) == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  return json_node_get_boolean (n);
}

/* The path part of a URL template: "https://{sub}.okta.com/api" -> "/api". */
/* A connector header that is only a value set by a choice (Navan's
 * "X-ta-region": "{ta_region}", empty outside the EU) is not sent when that
 * value is empty, so it may be missing. */
static gboolean
header_may_be_empty (SandboxConnector *sc,
                     const char       *template_str)
{
  JsonArray *fields = sc->def != NULL && json_object_has_member (sc->def, "fields")
                      ? json_object_get_array_member (sc->def, "fields") : NULL;
  g_autofree char *name = NULL;
  gsize len = template_str != NULL ? strlen (template_str) : 0;

  if (len < 3 || template_str[0] != '{' || template_str[len - 1] != '}' ||
      strchr (template_str + 1, '{') != NULL)
    return FALSE;
  name = g_strndup (template_str + 1, len - 2);
  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (field != NULL && g_strcmp0 (str_member (field, "id"), name) == 0)
        return FALSE;
    }
  return TRUE;
}

static char *
template_path (const char *url)
{
  const char *p;

  if (url == NULL)
    return g_strdup ("");
  p = strstr (url, "://");
  if (p == NULL && url[0] == '{' && strchr (url, '}') != NULL)
    {
      /* "{bridge_url}/scim": the origin is a whole field value. */
      return g_strdup (strchr (url, '}') + 1);
    }
  if (p == NULL)
    return g_strdup (url);
  p = strchr (p + 3, '/');
  if (p == NULL)
    return g_strdup ("");
  return g_strdup (p);
}

static char *
strip_query (const char *path)
{
  const char *q = strchr (path, '?');

  return q != NULL ? g_strndup (path, q - path) : g_strdup (path);
}

static GRegex *
path_regex (const char *pattern)
{
  GString *re = g_string_new ("^");
  GRegex *regex;

  for (const char *p = pattern; *p; p++)
    {
      const char *end;

      if (*p == '{' && (end = strchr (p, '}')) != NULL)
        {
          g_string_append (re, "[^/]+");
          p = end;
        }
      else
        {
          g_autofree char *lit = g_regex_escape_string (p, 1);

          g_string_append (re, lit);
        }
    }
  while (re->len > 1 && re->str[re->len - 1] == '/')
    g_string_truncate (re, re->len - 1);
  g_string_append (re, "/?$");
  regex = g_regex_new (re->str, G_REGEX_OPTIMIZE, 0, NULL);
  g_string_free (re, TRUE);
  return regex;
}

/* ---------------------------------------------------------------------- */
/* Authentication                                                          */

/* A secret selects the behaviour by the marker it contains, so that a
 * prefix demanded by the field's pattern ("xoxp-sandbox-ok") is allowed; what
 * follows the marker ("sandbox-ok-globex") names another tenant. */
/* A secret selects the behaviour by the marker it contains, compared without
 * punctuation or case, so that a shape demanded by the field's pattern
 * ("xoxp-sandbox-ok", "SANDBOXOK") is allowed; what follows the marker
 * ("sandbox-ok-globex") names another tenant. */
static Behaviour
classify_secret (const char *value, char **tenant)
{
  static const struct { const char *marker; Behaviour b; } kinds[] = {
    { "sandboxok", BEHAVE_OK },
    { "sandboxplan", BEHAVE_PLAN },
  };
  g_autoptr(GString) norm = g_string_new (NULL);

  if (value == NULL)
    return BEHAVE_BAD;
  for (const char *p = value; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (norm, g_ascii_tolower (*p));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *at = strstr (norm->str, kinds[i].marker);

      if (at == NULL)
        continue;
      at += strlen (kinds[i].marker);
      if (tenant != NULL && *tenant == NULL && *at)
        *tenant = g_strdup (at);
      return kinds[i].b;
    }
  return BEHAVE_BAD;
}

static gboolean
field_is_secret (SandboxConnector *sc, const char *field)
{
  const char *t = g_hash_table_lookup (sc->field_types, field);

  return t != NULL && g_str_equal (t, "secret");
}

/* Matches @value against a template such as "SSWS {api_token}" and judges
 * the secret field values found in it. A template without a secret field
 * does not decide (BEHAVE_OK). */
static Behaviour
classify_template (SandboxConnector *sc,
                   const char       *tmpl,
                   const char       *value,
                   char            **tenant)
{
  GString *re = g_string_new ("^");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) info = NULL;
  Behaviour worst = BEHAVE_OK;

  if (tmpl == NULL)
    {
      g_string_free (re, TRUE);
      return BEHAVE_OK;
    }
  for (const char *p = tmpl; *p; p++)
    {
      const char *end;

      if (*p == '{' && (end = strchr (p, '}')) != NULL)
        {
          g_ptr_array_add (names, g_strndup (p + 1, end - p - 1));
          g_string_append (re, "(.*?)");
          p = end;
        }
      else
        {
          g_autofree char *lit = g_regex_escape_string (p, 1);

          g_string_append (re, lit);
        }
    }
  g_string_append (re, "$");
  regex = g_regex_new (re->str, G_REGEX_DOTALL, 0, NULL);
  g_string_free (re, TRUE);

  if (value == NULL || regex == NULL || !g_regex_match (regex, value, 0, &info))
    {
      for (guint i = 0; i < names->len; i++)
        if (field_is_secret (sc, names->pdata[i]))
          return BEHAVE_BAD;
      return value == NULL ? BEHAVE_BAD : BEHAVE_OK;
    }

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *got = NULL;

      if (!field_is_secret (sc, names->pdata[i]))
        continue;
      got = g_match_info_fetch (info, i + 1);
      worst = MAX (worst, classify_secret (got, tenant));
    }
  return worst;
}

static gboolean
decode_basic (SoupServerMessage *msg, char **user, char **pass)
{
  const char *h = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *colon;

  if (h == NULL || g_ascii_strncasecmp (h, "Basic ", 6) != 0)
    return FALSE;
  raw = g_base64_decode (h + 6, &len);
  text = g_strndup ((const char *) raw, len);
  colon = strchr (text, ':');
  if (colon == NULL)
    return FALSE;
  *user = g_strndup (text, colon - text);
  *pass = g_strdup (colon + 1);
  return TRUE;
}

static const char *
bearer_token (SoupServerMessage *msg)
{
  const char *h = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "Authorization");

  if (h == NULL || g_ascii_strncasecmp (h, "Bearer ", 7) != 0)
    return NULL;
  return h + 7;
}

static Behaviour
classify_body_fields (SandboxConnector *sc,
                      JsonObject       *tmpl,
                      JsonNode         *body,
                      char            **tenant)
{
  Behaviour worst = BEHAVE_OK;
  g_autoptr(GList) members = json_object_get_members (tmpl);
  JsonObject *obj = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *t = json_object_get_member (tmpl, l->data);
      JsonNode *v = obj != NULL ? json_object_get_member (obj, l->data) : NULL;

      if (JSON_NODE_HOLDS_OBJECT (t))
        worst = MAX (worst, classify_body_fields (sc, json_node_get_object (t), v, tenant));
      else if (JSON_NODE_HOLDS_VALUE (t) && json_node_get_value_type (t) == G_TYPE_STRING)
        {
          g_autofree char *s = node_to_string (v);

          worst = MAX (worst, classify_template (sc, json_node_get_string (t), s, tenant));
        }
    }
  return worst;
}

static Behaviour
classify_request (SandboxConnector  *sc,
                  SoupServerMessage *msg,
                  JsonNode          *body,
                  char             **tenant)
{
  JsonObject *auth = obj_member (sc->def, "auth");
  const char *scheme = str_member (auth, "scheme");
  Behaviour b = BEHAVE_BAD;

  if (scheme == NULL)
    return BEHAVE_OK;

  if (g_str_equal (scheme, "header"))
    {
      const char *name = str_member (auth, "header");
      const char *value = name != NULL
        ? soup_message_headers_get_one (soup_server_message_get_request_headers (msg), name)
        : NULL;

      b = classify_template (sc, str_member (auth, "value"), value, tenant);
    }
  else if (g_str_equal (scheme, "basic"))
    {
      g_autofree char *user = NULL;
      g_autofree char *pass = NULL;

      if (decode_basic (msg, &user, &pass))
        b = MAX (classify_template (sc, str_member (auth, "username"), user, tenant),
                 classify_template (sc, str_member (auth, "password"), pass, tenant));
    }
  else if (g_str_equal (scheme, "body"))
    {
      JsonObject *fields = obj_member (auth, "fields");

      b = fields != NULL ? classify_body_fields (sc, fields, body, tenant) : BEHAVE_OK;
    }
  else if (g_str_equal (scheme, "oauth2_client_credentials") ||
           g_str_equal (scheme, "oauth2_authorization_code") ||
           g_str_equal (scheme, "oauth2_jwt_bearer"))
    {
      const char *tok = bearer_token (msg);
      Token *t = tok != NULL ? g_hash_table_lookup (sc->tokens, tok) : NULL;

      if (t != NULL && t->expires > g_get_monotonic_time ())
        {
          b = t->behaviour;
          if (tenant != NULL && *tenant == NULL && t->tenant != NULL)
            *tenant = g_strdup (t->tenant);
        }
    }
  else
    b = classify_secret (bearer_token (msg), tenant);

  if (sc->broken)
    b = BEHAVE_BAD;
  return b;
}

/* ---------------------------------------------------------------------- */
/* Responses                                                               */

static void
set_json (SoupServerMessage *msg, guint status, JsonNode *root)
{
  g_autofree char *text = json_text (root);
  gsize len = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
}

static const char *
find_error_code (SandboxConnector *sc, const char *kind)
{
  JsonObject *codes = obj_member (obj_member (sc->def, "errors"), "codes");
  g_autoptr(GList) members = NULL;

  if (codes == NULL)
    return NULL;
  members = json_object_get_members (codes);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *v = str_member (codes, l->data);

      if (v != NULL && g_str_equal (v, kind))
        return l->data;
    }
  return NULL;
}

/* Whether the connector's ok_path names a number (Expensify's
 * responseCode) rather than a boolean (Slack's ok): it is then the same path
 * as the code, or every provider code is a number. */
static gboolean
ok_path_is_number (SandboxConnector *sc)
{
  JsonObject *errors = obj_member (sc->def, "errors");
  JsonNode *ok_path = errors != NULL ? json_object_get_member (errors, "ok_path") : NULL;
  JsonNode *code_expr = errors != NULL ? json_object_get_member (errors, "code") : NULL;
  JsonObject *codes = obj_member (errors, "codes");
  g_autoptr(GList) keys = NULL;
  gboolean all_numbers;

  if (ok_path == NULL)
    return FALSE;
  if (code_expr != NULL && is_path_expr (code_expr) && json_node_equal (ok_path, code_expr))
    return TRUE;
  keys = codes != NULL ? json_object_get_members (codes) : NULL;
  all_numbers = keys != NULL;
  for (GList *l = keys; l != NULL; l = l->next)
    if (!is_index (l->data, NULL))
      all_numbers = FALSE;
  return all_numbers;
}

/* The provider-shaped error: @kind is not_authorized, plan, rate_limited,
 * server, not_found or bad_request.
 *
 * Where the answer carries the error:
 * - a boolean ok_path (Slack): HTTP 200 with ok false for refusals;
 * - a numeric ok_path (Expensify): HTTP 200 with the status number there (a
 *   provider code of that kind when the definition has one), except for the
 *   rate-limit and server faults that keep their HTTP status;
 * - errors_path (GraphQL): HTTP 200 with a non-empty array there, when the
 *   definition has a provider code of that kind to put in it; otherwise
 *   the HTTP status says it, with the same body;
 * - else the HTTP status. */
/* Whether the connector reads a SCIM 2.0 service (RFC 7644): its users
 * page the SCIM way. */
static gboolean
speaks_scim (SandboxConnector *sc)
{
  JsonObject *dts = obj_member (sc->def, "data_types");
  JsonObject *users = dts != NULL ? obj_member (dts, "users") : NULL;
  JsonObject *pag = users != NULL ? obj_member (users, "pagination") : NULL;

  return pag != NULL && g_strcmp0 (str_member (pag, "style"), "scim") == 0;
}

/* Writes the answer's ok flag: a boolean at a plain ok_path (Slack's "ok"),
 * or, for a value map over a status word (LastPass's "status": "FAIL"), the
 * word the map reads as @ok; nothing where the map's default says it. */
static void
set_ok_value (JsonNode *root, JsonNode *ok_path, gboolean ok)
{
  JsonObject *expr;
  JsonObject *map;
  g_autoptr(GList) keys = NULL;

  if (is_path_expr (ok_path))
    {
      set_at_path (root, ok_path, json_node_init_boolean (json_node_alloc (), ok));
      return;
    }
  expr = JSON_NODE_HOLDS_OBJECT (ok_path) ? json_node_get_object (ok_path) : NULL;
  map = obj_member (expr, "map");
  if (map == NULL || !json_object_has_member (expr, "path"))
    return;
  keys = json_object_get_members (map);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (map, l->data);

      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
          json_node_get_boolean (value) == ok)
        {
          set_at_path (root, json_object_get_member (expr, "path"), string_node (l->data));
          return;
        }
    }
}

static void
serve_error (SandboxConnector *sc, SoupServerMessage *msg, const char *kind)
{
  JsonObject *errors = obj_member (sc->def, "errors");
  JsonNode *message_expr = errors != NULL ? json_object_get_member (errors, "message") : NULL;
  JsonNode *code_expr = errors != NULL ? json_object_get_member (errors, "code") : NULL;
  JsonNode *ok_path = errors != NULL ? json_object_get_member (errors, "ok_path") : NULL;
  JsonNode *errors_path = errors != NULL ? json_object_get_member (errors, "errors_path") : NULL;
  gboolean numeric_ok = ok_path_is_number (sc);
  const char *code = NULL;
  gboolean provider_code = FALSE; /* @code is a key of errors.codes */
  const char *message;
  guint status;
  guint body_status;
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_NULL);

  if (g_str_equal (kind, "not_authorized"))
    {
      status = SOUP_STATUS_UNAUTHORIZED;
      message = "The API key or token is invalid or has been revoked.";
      code = find_error_code (sc, "not_authorized");
    }
  else if (g_str_equal (kind, "plan"))
    {
      status = SOUP_STATUS_FORBIDDEN;
      message = "This API is not available on your plan or for this role.";
      code = find_error_code (sc, "plan");
      if (code == NULL)
        code = find_error_code (sc, "forbidden");
    }
  else if (g_str_equal (kind, "rate_limited"))
    {
      status = HTTP_TOO_MANY_REQUESTS;
      message = "API call exceeded rate limit due to too many requests.";
      code = find_error_code (sc, "rate_limited");
    }
  else if (g_str_equal (kind, "not_found"))
    {
      status = SOUP_STATUS_NOT_FOUND;
      message = "The requested resource was not found.";
      code = find_error_code (sc, "not_found");
    }
  else if (g_str_equal (kind, "bad_request"))
    {
      status = SOUP_STATUS_BAD_REQUEST;
      message = "The request is missing a required header or parameter.";
    }
  else
    {
      status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
      message = "An internal server error occurred.";
      code = find_error_code (sc, "server");
    }
  if (portico_sandbox_vendor_error (sc->id, msg, kind, message))
    return;
  provider_code = code != NULL;
  /* A numeric status field holds a number, never a made-up word. */
  if (numeric_ok && (code == NULL || !is_index (code, NULL)))
    {
      code = NULL;
      provider_code = FALSE;
    }
  if (code == NULL && !numeric_ok)
    code = g_str_equal (kind, "not_authorized") ? "invalid_auth"
           : g_str_equal (kind, "plan") ? "forbidden"
           : g_str_equal (kind, "rate_limited") ? "rate_limited"
           : g_str_equal (kind, "not_found") ? "not_found"
           : g_str_equal (kind, "bad_request") ? "invalid_request"
           : "internal_error";
  body_status = status;

  if (ok_path != NULL && !numeric_ok)
    {
      /* Providers with an ok flag answer refusals with HTTP 200 (Slack). */
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
          || status == SOUP_STATUS_NOT_FOUND)
        status = SOUP_STATUS_OK;
    }
  else if (numeric_ok)
    {
      if (status != HTTP_TOO_MANY_REQUESTS && status != SOUP_STATUS_INTERNAL_SERVER_ERROR)
        status = SOUP_STATUS_OK;
    }
  else if (errors_path != NULL && provider_code)
    {
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN
          || status == SOUP_STATUS_NOT_FOUND)
        status = SOUP_STATUS_OK;
    }

  if (message_expr != NULL || code_expr != NULL)
    {
      g_autoptr(JsonNode) m = string_node (message);
      g_autoptr(JsonNode) c = code != NULL ? guess_node (code) : NULL;
      g_autoptr(JsonNode) got1 = render_expr (root, message_expr, m, NULL);
      g_autoptr(JsonNode) got2 = code != NULL ? render_expr (root, code_expr, c, NULL) : NULL;
    }
  else
    {
      g_autoptr(JsonNode) m = string_node (message);
      g_autoptr(JsonNode) c = string_node (code != NULL ? code : "error");
      g_autoptr(JsonNode) p1 = string_node ("error");
      g_autoptr(JsonNode) p2 = string_node ("message");
      g_autoptr(JsonNode) got1 = render_expr (root, p1, c, NULL);
      g_autoptr(JsonNode) got2 = render_expr (root, p2, m, NULL);
    }
  if (JSON_NODE_HOLDS_NULL (root))
    ensure_container (root, FALSE);

  if (ok_path != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      if (numeric_ok)
        set_at_path (root, ok_path,
                     json_node_init_int (json_node_alloc (),
                                         code != NULL ? g_ascii_strtoll (code, NULL, 10) : body_status));
      else
        set_ok_value (root, ok_path, FALSE);
    }
  if (errors_path != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *list = read_path (root, errors_path);

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list)
          || json_array_get_length (json_node_get_array (list)) == 0)
        {
          JsonArray *arr = json_array_new ();
          JsonObject *e = json_object_new ();
          JsonNode *v = json_node_alloc ();

          json_object_set_string_member (e, "message", message);
          json_array_add_object_element (arr, e);
          json_node_init_array (v, arr);
          json_array_unref (arr);
          set_at_path (root, errors_path, v);
        }
    }

  if (speaks_scim (sc) && JSON_NODE_HOLDS_OBJECT (root))
    {
      /* RFC 7644 section 3.12: the Error schema and the HTTP status as a string. */
      JsonObject *o = json_node_get_object (root);
      JsonArray *schemas = json_array_new ();
      g_autofree char *status_text = g_strdup_printf ("%u", body_status);

      json_array_add_string_element (schemas, "urn:ietf:params:scim:api:messages:2.0:Error");
      json_object_set_array_member (o, "schemas", schemas);
      json_object_set_string_member (o, "status", status_text);
      /* scimType only carries the codes of section 3.12 (400 answers). */
      if (!provider_code)
        json_object_remove_member (o, "scimType");
    }

  if (status == HTTP_TOO_MANY_REQUESTS)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", "1");
  set_json (msg, status, root);
}

/* ---------------------------------------------------------------------- */
/* Building the connector                                                  */

static const char * const size_keys[] = {
  "limit", "per_page", "page_size", "pageSize", "maxResults", "max_results",
  "count", "$top", "top", "size", "page[size]", "page[limit]", "first",
  NULL,
};

static void
route_free (gpointer p)
{
  Route *r = p;

  g_free (r->method);
  g_free (r->pattern);
  g_clear_pointer (&r->regex, g_regex_unref);
  g_free (r->data_type);
  g_clear_pointer (&r->dependents, g_ptr_array_unref);
  g_clear_pointer (&r->items, json_array_unref);
  g_clear_pointer (&r->records, json_array_unref);
  g_clear_pointer (&r->items_path, json_node_unref);
  g_free (r);
}

static void
token_free (gpointer p)
{
  Token *t = p;

  g_free (t->tenant);
  g_free (t->refresh_token);
  g_free (t);
}

static void
sandbox_connector_free (gpointer p)
{
  SandboxConnector *sc = p;

  if (sc->server != NULL)
    {
      soup_server_disconnect (sc->server);
      g_object_unref (sc->server);
    }
  g_clear_object (&sc->connector);
  g_free (sc->id);
  g_free (sc->base_url);
  g_free (sc->base_path);
  g_ptr_array_unref (sc->routes);
  g_hash_table_unref (sc->fields);
  g_hash_table_unref (sc->field_types);
  g_ptr_array_unref (sc->secret_fields);
  g_hash_table_unref (sc->secrets);
  g_ptr_array_unref (sc->field_order);
  g_hash_table_unref (sc->expected);
  g_hash_table_unref (sc->expected_text);
  g_clear_pointer (&sc->expected_identity, json_object_unref);
  g_hash_table_unref (sc->plan_failures);
  g_hash_table_unref (sc->tokens);
  g_hash_table_unref (sc->issued);
  g_hash_table_unref (sc->codes);
  g_hash_table_unref (sc->refresh_tokens);
  g_hash_table_unref (sc->template_values);
  sandbox_jwt_key_free (sc->jwt_key);
  g_free (sc);
}

/* The literal start a simple pattern demands ("^xox[a-z]-\\S+$" -> "xoxa-"),
 * so that example values can be built to satisfy it. */
static char *
pattern_prefix (const char *pattern)
{
  GString *out = g_string_new (NULL);
  const char *p = pattern;

  if (p == NULL)
    return g_string_free (out, FALSE);
  if (*p == '^')
    p++;
  while (*p)
    {
      char c;
      guint reps = 1;

      if (*p == '\\' && p[1] != '\0' && strchr (".-_/:+", p[1]) != NULL)
        {
          c = p[1];
          p += 2;
        }
      else if (*p == '[')
        {
          const char *end = strchr (p, ']');

          if (end == NULL || p[1] == '^' || p[1] == '\\')
            break;
          c = p[1];
          p = end + 1;
        }
      else if (*p == '(')
        {
          /* A group of plain alternatives: take the first, "(net|com)" -> "net". */
          const char *end = strchr (p, ')');
          const char *q = p + 1;
          gsize start = out->len;

          if (end == NULL)
            break;
          /* An optional group adds nothing: "(\\.eu)?" -> "". */
          if (end[1] == '?')
            {
              p = end + 2;
              continue;
            }
          while (q < end && *q != '|' && (g_ascii_isalnum (*q) || *q == '-' || *q == '_'))
            g_string_append_c (out, *q++);
          if (q < end && *q != '|')
            {
              g_string_truncate (out, start);
              break;
            }
          p = end + 1;
          if (*p == '?')
            p++;
          continue;
        }
      else if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == ':' || *p == '/' || *p == '@')
        c = *p++;
      else
        break;

      if (*p == '{')
        {
          const char *end = strchr (p, '}');

          reps = MAX (1, (guint) g_ascii_strtoull (p + 1, NULL, 10));
          if (end == NULL)
            break;
          p = end + 1;
        }
      else if (*p == '+')
        p++;
      else if (*p == '*' || *p == '?')
        {
          reps = 0;
          p++;
        }
      for (guint i = 0; i < reps && i < 64; i++)
        g_string_append_c (out, c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
pattern_accepts (const char *pattern, const char *value)
{
  return pattern == NULL || g_regex_match_simple (pattern, value, 0, 0);
}

/* A secret value that still selects @behaviour ("sandbox-ok") but satisfies
 * the field's pattern when it can ("xoxa-sandbox-ok"). */
static char *
secret_example (JsonObject *field, const char *behaviour)
{
  const char *pattern = str_member (field, "pattern");
  g_autofree char *prefix = pattern_prefix (pattern);
  g_autofree char *prefixed = g_strconcat (prefix, behaviour, NULL);

  g_autofree char *compact = g_strdup (behaviour);
  g_autofree char *upper = NULL;
  g_autofree char *prefixed_compact = NULL;
  char *dash = strchr (compact, '-');

  if (pattern_accepts (pattern, behaviour))
    return g_strdup (behaviour);
  if (pattern_accepts (pattern, prefixed))
    return g_steal_pointer (&prefixed);
  /* "sandboxok" for alphanumeric-only keys. */
  if (dash != NULL)
    memmove (dash, dash + 1, strlen (dash));
  upper = g_ascii_strup (compact, -1);
  prefixed_compact = g_strconcat (prefix, compact, NULL);
  if (pattern_accepts (pattern, compact))
    return g_steal_pointer (&compact);
  if (pattern_accepts (pattern, upper))
    return g_steal_pointer (&upper);
  if (pattern_accepts (pattern, prefixed_compact))
    return g_steal_pointer (&prefixed_compact);
  return g_strdup (behaviour);
}

static char *
example_value (JsonObject *field)
{
  const char *type = str_member (field, "type");
  const char *pattern = str_member (field, "pattern");
  const char *def = str_member (field, "default");
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = pattern_prefix (pattern);
  static const char * const texts[] = {
    "acme", "acme-sandbox", "acme.example", "ACME", "12345", "a1b2c3d4",
    "admin@acme.example", "https://acme.example", "0123456789abcdef",
    "AC12345", "acme_sandbox", "Acme", "T0123ABCD", "A1B2C3", "acme123",
    "12345678", "00000000-0000-4000-8000-000000000000", "acme.example.com",
  };

  if (def != NULL && *def)
    g_ptr_array_add (candidates, g_strdup (def));
  if (type != NULL && g_str_equal (type, "choice"))
    {
      JsonArray *choices = json_object_has_member (field, "choices")
        ? json_object_get_array_member (field, "choices") : NULL;

      if (choices != NULL && json_array_get_length (choices) > 0)
        {
          JsonObject *c = json_array_get_object_element (choices, 0);

          if (c != NULL && str_member (c, "id") != NULL)
            return g_strdup (str_member (c, "id"));
        }
    }
  if (type != NULL && g_str_equal (type, "email"))
    g_ptr_array_add (candidates, g_strdup ("admin@" PORTICO_SANDBOX_DOMAIN));
  if (type != NULL && g_str_equal (type, "url"))
    g_ptr_array_add (candidates, g_strdup ("https://acme.example"));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    g_ptr_array_add (candidates, g_strdup (texts[i]));
  if (*prefix)
    {
      g_ptr_array_add (candidates, g_strdup (prefix));
      for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
        g_ptr_array_add (candidates, g_strconcat (prefix, texts[i], NULL));
    }

  for (guint i = 0; i < candidates->len; i++)
    if (pattern_accepts (pattern, candidates->pdata[i]))
      return g_strdup (candidates->pdata[i]);
  return g_strdup ("acme");
}

static gboolean has_template (const char *s);

static gboolean
same_member (JsonObject *a, JsonObject *b, const char *name)
{
  JsonNode *ma = a != NULL ? json_object_get_member (a, name) : NULL;
  JsonNode *mb = b != NULL ? json_object_get_member (b, name) : NULL;

  if (ma == NULL || mb == NULL)
    return ma == mb;
  return json_node_equal (ma, mb);
}

/* Two definitions are one endpoint only with the same body and query
 * (Salesforce asks one path for the organization and for the users). */
static gboolean
same_body (JsonObject *a, JsonObject *b)
{
  return same_member (a, b, "body") && same_member (a, b, "query");
}

/* How well a request's query fits a definition's: equal plain values count,
 * templated ones are ignored, a different value counts against. */
static int
query_score (JsonObject *request, SoupServerMessage *msg)
{
  JsonObject *query = request != NULL && json_object_has_member (request, "query")
                      ? json_object_get_object_member (request, "query") : NULL;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GList) names = NULL;
  int score = 0;

  if (query == NULL || g_uri_get_query (uri) == NULL)
    return 0;
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return 0;

  names = json_object_get_members (query);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *want = json_object_get_string_member_with_default (query, l->data, NULL);
      const char *got = g_hash_table_lookup (params, l->data);

      if (want == NULL || has_template (want) || got == NULL)
        continue;
      score += g_str_equal (want, got) ? 1 : -1;
    }
  return score;
}

/* Whether @s holds a {field} name (GraphQL braces are not one). */
static gboolean
has_template (const char *s)
{
  for (const char *p = strchr (s, '{'); p != NULL; p = strchr (p + 1, '{'))
    {
      const char *q = p + 1;

      /* A relative date ("{now-30d:date}") is a value the client fills. */
      if (g_str_has_prefix (q, "now") && strchr (q, '}') != NULL)
        return TRUE;

      while (g_ascii_isalnum (*q) || *q == '_')
        q++;
      if (q > p + 1 && *q == '}')
        return TRUE;
    }
  return FALSE;
}

/* How well a request body fits a definition body: equal plain leaves count,
 * templated ones are ignored, different strings count against. */
static int
body_score (JsonNode *def, JsonNode *got)
{
  int score = 0;

  if (def == NULL || got == NULL)
    return 0;
  if (JSON_NODE_HOLDS_OBJECT (def) && JSON_NODE_HOLDS_OBJECT (got))
    {
      JsonObject *d = json_node_get_object (def);
      JsonObject *g = json_node_get_object (got);
      g_autoptr(GList) names = json_object_get_members (d);

      for (GList *l = names; l != NULL; l = l->next)
        score += body_score (json_object_get_member (d, l->data), json_object_get_member (g, l->data));
      return score;
    }
  if (JSON_NODE_HOLDS_VALUE (def) && JSON_NODE_HOLDS_VALUE (got))
    {
      g_autofree char *a = node_to_string (def);
      g_autofree char *b = node_to_string (got);

      if (a != NULL && has_template (a))
        return 0;
      if (g_strcmp0 (a, b) == 0)
        return 1;
      /* Numbers are page numbers and sizes the client changes (GraphQL
       * variables); only a different word tells another request. */
      return json_node_get_value_type (def) == G_TYPE_STRING ? -1 : 0;
    }
  return 0;
}

static Route *
find_route_by_key (SandboxConnector *sc, const char *method, const char *pattern, JsonObject *request)
{
  for (guint i = 0; i < sc->routes->len; i++)
    {
      Route *r = sc->routes->pdata[i];

      if (r->main == NULL && g_str_equal (r->method, method) && g_str_equal (r->pattern, pattern)
          && same_body (r->request, request))
        return r;
    }
  return NULL;
}

static Route *
add_route (SandboxConnector *sc, RouteKind kind, const char *method, const char *url_path, JsonObject *request)
{
  g_autofree char *pattern = strip_query (url_path);
  g_autofree char *upper = g_ascii_strup (method != NULL ? method : "GET", -1);
  Route *r = find_route_by_key (sc, upper, pattern, request);

  if (r != NULL)
    return r;
  r = g_new0 (Route, 1);
  r->kind = kind;
  r->method = g_steal_pointer (&upper);
  r->pattern = g_steal_pointer (&pattern);
  r->regex = path_regex (r->pattern);
  r->request = request;
  r->dependents = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sc->routes, r);
  return r;
}

static Route *
add_request_route (SandboxConnector *sc, RouteKind kind, JsonObject *request)
{
  g_autofree char *full = g_strconcat (sc->base_path, str_member (request, "path") != NULL
                                                      ? str_member (request, "path") : "", NULL);

  return add_route (sc, kind, str_member (request, "method"), full, request);
}

static gboolean
is_user_like (const char *dt)
{
  return g_str_equal (dt, "users") || g_str_equal (dt, "usage") || g_str_equal (dt, "custom_fields");
}

static GStrv
custom_field_labels (JsonObject *dt_def)
{
  JsonObject *fields = obj_member (obj_member (dt_def, "map"), "fields");
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (fields != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (fields);

      for (GList *l = members; l != NULL; l = l->next)
        g_strv_builder_add (b, l->data);
    }
  return g_strv_builder_end (b);
}

/* Renders one normalized record through a data type's map into @item and
 * returns the record as the map reads it back. */
static JsonObject *
render_record (JsonNode *item, JsonObject *map, JsonObject *wanted, GHashTable *fields)
{
  JsonObject *expected = json_object_new ();
  g_autoptr(GList) targets = map != NULL ? json_object_get_members (map) : NULL;

  for (GList *l = targets; l != NULL; l = l->next)
    {
      const char *target = l->data;
      JsonNode *expr = json_object_get_member (map, target);

      if (g_str_equal (target, "fields") && JSON_NODE_HOLDS_OBJECT (expr))
        {
          JsonObject *labels = json_node_get_object (expr);
          JsonObject *values = obj_member (wanted, "fields");
          JsonObject *got_fields = json_object_new ();
          g_autoptr(GList) names = json_object_get_members (labels);

          for (GList *n = names; n != NULL; n = n->next)
            {
              JsonNode *w = values != NULL ? json_object_get_member (values, n->data) : NULL;
              JsonNode *got = render_expr (item, json_object_get_member (labels, n->data), w, fields);

              if (got != NULL)
                json_object_set_member (got_fields, n->data, got);
            }
          json_object_set_object_member (expected, "fields", got_fields);
          continue;
        }
      {
        JsonNode *got = render_expr (item, expr, json_object_get_member (wanted, target), fields);

        if (got != NULL)
          json_object_set_member (expected, target, got);
      }
    }
  if (map != NULL)
    {
      reread_plain_paths (item, map, expected);
      if (obj_member (map, "fields") != NULL && obj_member (expected, "fields") != NULL)
        reread_plain_paths (item, obj_member (map, "fields"), obj_member (expected, "fields"));
    }
  return expected;
}

/* What a data type reading the items of a users-like route wants for the
 * app user @u (user_id, email, last_activity, custom field values). */
static JsonObject *
dependent_wanted (JsonObject *u, JsonObject *custom)
{
  JsonObject *w = json_object_new ();
  const char *id = str_member (u, "id") != NULL ? str_member (u, "id") : str_member (u, "user_id");

  json_object_set_string_member (w, "user_id", id);
  if (str_member (u, "email") != NULL)
    json_object_set_string_member (w, "email", str_member (u, "email"));
  if (str_member (u, "last_activity") != NULL)
    json_object_set_string_member (w, "last_activity", str_member (u, "last_activity"));
  if (custom != NULL && obj_member (custom, "fields") != NULL)
    json_object_set_object_member (w, "fields", json_object_ref (obj_member (custom, "fields")));
  return w;
}

/* What another data type reading the same items wants: the record itself,
 * with the names other data types use for the same facts (a transaction's
 * vendor is a discovered app's name, its amount the app's spend). */
static JsonObject *
alias_wanted (JsonObject *rec)
{
  JsonObject *w = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (rec);
  static const char * const aliases[][2] = {
    { "name", "vendor" }, { "spend", "amount" }, { "user_id", "id" }, { "email", "user_email" },
  };

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (w, l->data, json_node_copy (json_object_get_member (rec, l->data)));
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (!json_object_has_member (w, aliases[i][0]) && json_object_has_member (rec, aliases[i][1]))
      json_object_set_member (w, aliases[i][0], json_node_copy (json_object_get_member (rec, aliases[i][1])));
  return w;
}

/* Appends @object's JSON text to @list, the text of a JSON array being
 * written ("[" then the elements; "]" by the caller). */
static void
append_to_list (GString *list, JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_text (node);

  g_string_append_c (list, list->len == 0 ? '[' : ',');
  g_string_append (list, text);
}

static char *
end_list (GString *list)
{
  if (list->len == 0)
    g_string_append_c (list, '[');
  g_string_append_c (list, ']');
  return g_string_free (list, FALSE);
}

typedef struct
{
  PorticoSandbox *self;
  SandboxConnector *sc;
  Route *r;
  JsonObject *dts;
  JsonObject *dt_def;
  gboolean grants;
  gboolean user_like;
  gboolean as_text;
  gboolean keep_records;
  GHashTable *listed_apps;
  GString *expected;
  GPtrArray *dep_expected; /* GString, per dependent */
  char **all_labels;       /* the dependents' custom field labels */
  guint index;             /* of the app user, for a users-like route */
} RouteBuild;

/* Renders one record into an item of the route (kept), its expected
 * record and those of the data types read from the same items
 * (appended to their texts). */
static void
route_add_record (JsonObject *rec, gpointer user_data)
{
  RouteBuild *b = user_data;
  Route *r = b->r;
  SandboxConnector *sc = b->sc;
  g_autoptr(JsonObject) user_wanted = NULL;
  g_autoptr(JsonNode) item = NULL;
  g_autoptr(JsonObject) rendered = NULL;

  /* An assignment to a group (or another app) is served only by a
   * provider whose map can tell it from a person's. */
  if (g_strcmp0 (str_member (rec, "principal_type"), "user") != 0 && str_member (rec, "principal_type") != NULL
      && (obj_member (b->dt_def, "map") == NULL
          || !json_object_has_member (obj_member (b->dt_def, "map"), "principal_type")))
    return;
  item = json_node_new (JSON_NODE_OBJECT);
  if (b->keep_records)
    json_array_add_object_element (r->records, json_object_ref (rec));

  json_node_take_object (item, json_object_new ());
  rendered = render_record (item, obj_member (b->dt_def, "map"), rec, sc->fields);
  if (!b->grants || g_hash_table_add (b->listed_apps, (gpointer) str_member (rec, "id")))
    append_to_list (b->expected, rendered);

  for (guint d = 0; d < r->dependents->len; d++)
    {
      const char *dep = r->dependents->pdata[d];
      JsonObject *dep_def = obj_member (b->dts, dep);
      g_autoptr(JsonObject) w = NULL;
      g_autoptr(JsonObject) got = NULL;

      if (b->user_like && is_user_like (dep))
        {
          /* The app user the record is of: users-like records are built
           * by the same index. */
          if (user_wanted == NULL)
            {
              g_autoptr(JsonObject) u = portico_sandbox_data_build_app_user (b->self->data, sc->id, "users",
                                                                              NULL, b->index);
              g_autoptr(JsonObject) custom = portico_sandbox_data_build_app_user (b->self->data, sc->id,
                                                                                   "custom_fields",
                                                                                   (const char * const *) b->all_labels,
                                                                                   b->index);

              user_wanted = dependent_wanted (u, custom);
            }
          w = json_object_ref (user_wanted);
        }
      else
        w = alias_wanted (rec);
      got = render_record (item, obj_member (dep_def, "map"), w, sc->fields);
      append_to_list (b->dep_expected->pdata[d], got);
    }
  if (b->as_text)
    {
      g_autofree char *text = json_text (item);

      json_array_add_string_element (r->items, text);
    }
  else
    json_array_add_element (r->items, g_steal_pointer (&item));
}

/* Renders the route's items, and the expected records of its data type
 * and of those read from the same items, one record at a time: a list is
 * built from the app's users by index, or record by record
 * (portico_sandbox_data_foreach), so a million people never are a million
 * records at once; its items are kept as their JSON text where the
 * provider's rules take them so (portico_sandbox_vendor_reads_items), the
 * records only where those rules read them, and the expected records as
 * the text of their array, parsed when asked for
 * (portico_sandbox_get_expected). */
static void
build_route_items (PorticoSandbox *self, SandboxConnector *sc, Route *r)
{
  JsonObject *dts = obj_member (sc->def, "data_types");
  JsonObject *dt_def = obj_member (dts, r->data_type);
  g_auto(GStrv) labels = custom_field_labels (dt_def);
  g_autoptr(GHashTable) listed_apps = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) dep_expected = g_ptr_array_new ();
  g_auto(GStrv) all_labels = NULL;
  RouteBuild b = {
    .self = self,
    .sc = sc,
    .r = r,
    .dts = dts,
    .dt_def = dt_def,
    /* App assignments read from the discovered apps' own answer: each
     * item is one user's grant of one app (Google's token authorize
     * events), so an app is listed once per person, and counted once. */
    .grants = g_str_equal (r->data_type, "discovered_apps") &&
              g_ptr_array_find_with_equal_func (r->dependents, "app_assignments", g_str_equal, NULL),
    .user_like = is_user_like (r->data_type),
    /* The SCIM service's items are completed after they are built. */
    .as_text = !portico_sandbox_vendor_reads_items (sc->id, r->data_type)
               && g_strcmp0 (sc->id, "sandbox-scim") != 0,
    .keep_records = portico_sandbox_vendor_reads_records (sc->id, r->data_type),
    .listed_apps = listed_apps,
    .expected = g_string_new (NULL),
    .dep_expected = dep_expected,
  };

  if (b.user_like && r->dependents->len > 0)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint d = 0; d < r->dependents->len; d++)
        {
          g_auto(GStrv) l = custom_field_labels (obj_member (dts, r->dependents->pdata[d]));

          g_strv_builder_addv (builder, (const char **) l);
        }
      all_labels = g_strv_builder_end (builder);
      b.all_labels = all_labels;
    }
  for (guint d = 0; d < r->dependents->len; d++)
    g_ptr_array_add (dep_expected, g_string_new (NULL));

  r->items = json_array_new ();
  g_clear_pointer (&r->records, json_array_unref);
  if (b.keep_records)
    r->records = json_array_new ();
  if (b.user_like)
    {
      guint n = portico_sandbox_data_get_n_app_users (self->data, sc->id);

      for (b.index = 0; b.index < n; b.index++)
        {
          g_autoptr(JsonObject) rec = portico_sandbox_data_build_app_user (self->data, sc->id, r->data_type,
                                                                            (const char * const *) labels,
                                                                            b.index);

          /* Usage has no record for an invited user. */
          if (rec != NULL)
            route_add_record (rec, &b);
        }
    }
  else if (b.grants)
    {
      /* The listed apps are kept by the records' own strings. */
      g_autoptr(JsonArray) records = portico_sandbox_data_build_grants (self->data, sc->id);

      for (guint i = 0; i < json_array_get_length (records); i++)
        route_add_record (json_array_get_object_element (records, i), &b);
    }
  else
    portico_sandbox_data_foreach (self->data, sc->id, r->data_type, (const char * const *) labels,
                                  route_add_record, &b);

  g_hash_table_insert (sc->expected_text, g_strdup (r->data_type), end_list (b.expected));
  g_hash_table_remove (sc->expected, r->data_type);
  for (guint d = 0; d < r->dependents->len; d++)
    {
      g_hash_table_insert (sc->expected_text, g_strdup (r->dependents->pdata[d]), end_list (dep_expected->pdata[d]));
      g_hash_table_remove (sc->expected, r->dependents->pdata[d]);
    }
}

static gboolean
data_type_essential (SandboxConnector *sc, const char *dt, gboolean any_essential)
{
  JsonObject *dt_def = obj_member (obj_member (sc->def, "data_types"), dt);

  if (!any_essential)
    return g_str_equal (dt, "users");
  return bool_member (dt_def, "essential");
}

static void
choose_plan_failures (SandboxConnector *sc)
{
  JsonObject *dts = obj_member (sc->def, "data_types");
  gboolean any_essential = FALSE;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  gboolean any_requirement = FALSE;

  for (guint i = 0; data_type_order[i]; i++)
    if (bool_member (obj_member (dts, data_type_order[i]), "essential"))
      any_essential = TRUE;

  for (guint i = 0; i < sc->routes->len; i++)
    {
      Route *r = sc->routes->pdata[i];

      if (r->kind != ROUTE_DATA || r->main != NULL || r->identity)
        continue;
      if (data_type_essential (sc, r->data_type, any_essential))
        continue;
      {
        gboolean dep_essential = FALSE;

        for (guint d = 0; d < r->dependents->len; d++)
          dep_essential |= data_type_essential (sc, r->dependents->pdata[d], any_essential);
        if (dep_essential)
          continue;
      }
      g_ptr_array_add (candidates, r);
      if (str_member (obj_member (dts, r->data_type), "requirement") != NULL)
        any_requirement = TRUE;
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      Route *r = candidates->pdata[i];
      gboolean take;

      if (any_requirement)
        take = str_member (obj_member (dts, r->data_type), "requirement") != NULL;
      else
        {
          /* The last one in display order. */
          guint rank = 0, best = 0;

          for (guint k = 0; data_type_order[k]; k++)
            if (g_str_equal (data_type_order[k], r->data_type))
              rank = k;
          for (guint j = 0; j < candidates->len; j++)
            for (guint k = 0; data_type_order[k]; k++)
              if (g_str_equal (data_type_order[k], ((Route *) candidates->pdata[j])->data_type))
                best = MAX (best, k);
          take = rank == best;
        }
      if (!take)
        continue;
      g_hash_table_add (sc->plan_failures, g_strdup (r->data_type));
      for (guint d = 0; d < r->dependents->len; d++)
        g_hash_table_add (sc->plan_failures, g_strdup (r->dependents->pdata[d]));
    }
}

static SandboxConnector *
sandbox_connector_new (PorticoSandbox *self, PorticoConnector *connector)
{
  SandboxConnector *sc = g_new0 (SandboxConnector, 1);
  JsonObject *dts;
  JsonObject *identity;
  JsonObject *auth;
  JsonArray *fields;

  sc->sandbox = self;
  sc->connector = g_object_ref (connector);
  sc->def = portico_connector_get_definition (connector);
  sc->id = g_strdup (portico_connector_get_id (connector));
  sc->base_path = template_path (str_member (sc->def, "base_url"));
  while (g_str_has_suffix (sc->base_path, "/"))
    sc->base_path[strlen (sc->base_path) - 1] = '\0';
  sc->routes = g_ptr_array_new_with_free_func (route_free);
  sc->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc->field_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc->secret_fields = g_ptr_array_new_with_free_func (g_free);
  sc->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc->field_order = g_ptr_array_new_with_free_func (g_free);
  sc->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) json_array_unref);
  sc->expected_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc->plan_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sc->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, token_free);
  sc->issued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, oauth_grant_free);
  sc->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, oauth_grant_free);
  sc->template_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  fields = json_object_has_member (sc->def, "fields")
    ? json_object_get_array_member (sc->def, "fields") : NULL;
  for (guint i = 0; fields != NULL && i < json_array_get_length (fields); i++)
    {
      JsonObject *f = json_array_get_object_element (fields, i);
      const char *id = str_member (f, "id");
      const char *type = str_member (f, "type");

      if (id == NULL || g_str_equal (id, "api_base_url"))
        continue;
      g_ptr_array_add (sc->field_order, g_strdup (id));
      g_hash_table_insert (sc->field_types, g_strdup (id), g_strdup (type != NULL ? type : "text"));
      if (type != NULL && g_str_equal (type, "file") && sandbox_oauth_is_jwt_key_field (sc, id))
        {
          static const char * const kinds[] = { "ok", "plan", "bad" };

          g_ptr_array_add (sc->secret_fields, g_strdup (id));
          for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
            g_hash_table_insert (sc->secrets, g_strdup_printf ("%s\x1f%s", kinds[k], id),
                                 sandbox_oauth_key_file (sc, kinds[k]));
        }
      else if (type != NULL && g_str_equal (type, "secret"))
        {
          static const char * const kinds[][2] = {
            { "ok", PORTICO_SANDBOX_SECRET_OK },
            { "plan", PORTICO_SANDBOX_SECRET_PLAN },
            { "bad", PORTICO_SANDBOX_SECRET_BAD },
          };

          g_ptr_array_add (sc->secret_fields, g_strdup (id));
          for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
            g_hash_table_insert (sc->secrets, g_strdup_printf ("%s\x1f%s", kinds[k][0], id),
                                 secret_example (f, kinds[k][1]));
        }
      else
        g_hash_table_insert (sc->fields, g_strdup (id), example_value (f));
    }

  /* Token endpoint first: it may share a path prefix with nothing else. */
  auth = obj_member (sc->def, "auth");
  if (g_strcmp0 (str_member (auth, "scheme"), "oauth2_client_credentials") == 0)
    {
      g_autofree char *path = template_path (str_member (auth, "token_url"));

      add_route (sc, ROUTE_TOKEN, "POST", path, NULL);
    }
  else if (g_strcmp0 (str_member (auth, "scheme"), "oauth2_authorization_code") == 0)
    {
      g_autofree char *token_path = template_path (str_member (auth, "token_url"));
      g_autofree char *authorize_path = template_path (str_member (auth, "authorize_url"));

      add_route (sc, ROUTE_TOKEN, "POST", token_path, NULL);
      add_route (sc, ROUTE_AUTHORIZE, "GET", authorize_path, NULL);
      sandbox_oauth_add_routes (sc);
    }
  else if (g_strcmp0 (str_member (auth, "scheme"), "oauth2_jwt_bearer") == 0)
    {
      g_autofree char *token_path = template_path (SANDBOX_JWT_TOKEN_URI);

      add_route (sc, ROUTE_TOKEN, "POST", token_path, NULL);
    }

  dts = obj_member (sc->def, "data_types");
  for (guint i = 0; data_type_order[i]; i++)
    {
      JsonObject *dt = obj_member (dts, data_type_order[i]);
      JsonObject *req = obj_member (dt, "request");
      Route *r;

      if (dt == NULL || req == NULL || str_member (dt, "request_from") != NULL)
        continue;
      r = add_request_route (sc, ROUTE_DATA, req);
      if (r->data_type == NULL)
        {
          JsonObject *pag = obj_member (dt, "pagination");
          const char *cont = str_member (pag, "continue_path");

          r->data_type = g_strdup (data_type_order[i]);
          r->pagination = pag;
          r->items_path = json_object_get_member (dt, "items") != NULL
                          ? json_node_copy (json_object_get_member (dt, "items")) : NULL;
          if (cont != NULL)
            {
              g_autofree char *p = g_strconcat (sc->base_path, cont, NULL);
              Route *c = g_new0 (Route, 1);

              c->kind = ROUTE_DATA;
              c->method = g_strdup (r->method);
              c->pattern = g_steal_pointer (&p);
              c->regex = path_regex (c->pattern);
              c->main = r;
              c->request = req;
              c->dependents = g_ptr_array_new_with_free_func (g_free);
              g_ptr_array_add (sc->routes, c);
            }
          if (obj_member (obj_member (dt, "for_each"), "request") != NULL)
            {
              /* format v2 for_each with a list request: the list names the
               * records, one request per record reads it. */
              JsonObject *fe = obj_member (dt, "for_each");
              JsonObject *list_req = obj_member (fe, "request");
              g_autofree char *p = g_strconcat (sc->base_path, str_member (list_req, "path") != NULL
                                                                ? str_member (list_req, "path") : "", NULL);
              g_autofree char *list_pattern = strip_query (p);
              g_autofree char *list_method = g_ascii_strup (str_member (list_req, "method") != NULL
                                                            ? str_member (list_req, "method") : "GET", -1);
              gboolean served_elsewhere = FALSE;

              /* A list another data type reads (Okta's apps for their
               * assignments) is served by that data type's route. */
              for (guint k = 0; k < sc->routes->len; k++)
                {
                  Route *o = sc->routes->pdata[k];

                  if (o->kind == ROUTE_DATA && g_strcmp0 (o->method, list_method) == 0
                      && g_strcmp0 (o->pattern, list_pattern) == 0)
                    served_elsewhere = TRUE;
                }
              if (!served_elsewhere)
                {
                  Route *l = g_new0 (Route, 1);

                  l->kind = ROUTE_DATA;
                  l->method = g_steal_pointer (&list_method);
                  l->pattern = g_steal_pointer (&list_pattern);
                  l->regex = path_regex (l->pattern);
                  l->main = r;
                  l->list_step = TRUE;
                  l->request = list_req;
                  l->pagination = obj_member (fe, "pagination");
                  l->items_path = json_object_get_member (fe, "items") != NULL
                                  ? json_node_copy (json_object_get_member (fe, "items")) : NULL;
                  l->list_value = json_object_get_member (fe, "value");
                  l->dependents = g_ptr_array_new_with_free_func (g_free);
                  g_ptr_array_add (sc->routes, l);
                  r->listed = TRUE;
                }
            }
          if (obj_member (req, "then") != NULL)
            {
              /* The second request of the pair: served with the items of
               * the first, for a first answer the sandbox gave. */
              JsonObject *then = obj_member (req, "then");
              g_autofree char *p = g_strconcat (sc->base_path, str_member (then, "path") != NULL
                                                                ? str_member (then, "path") : "", NULL);
              Route *t = g_new0 (Route, 1);

              t->kind = ROUTE_DATA;
              t->method = g_ascii_strup (str_member (then, "method") != NULL ? str_member (then, "method") : "GET", -1);
              t->pattern = strip_query (p);
              t->regex = path_regex (t->pattern);
              t->main = r;
              t->then_step = TRUE;
              t->request = then;
              t->dependents = g_ptr_array_new_with_free_func (g_free);
              g_ptr_array_add (sc->routes, t);
            }
        }
      else
        g_ptr_array_add (r->dependents, g_strdup (data_type_order[i]));
    }
  for (guint i = 0; data_type_order[i]; i++)
    {
      JsonObject *dt = obj_member (dts, data_type_order[i]);
      const char *from = str_member (dt, "request_from");

      if (dt == NULL || from == NULL)
        continue;
      for (guint k = 0; k < sc->routes->len; k++)
        {
          Route *r = sc->routes->pdata[k];

          if (r->main == NULL && r->kind == ROUTE_DATA
              && (g_strcmp0 (r->data_type, from) == 0
                  || g_ptr_array_find_with_equal_func (r->dependents, from, g_str_equal, NULL)))
            {
              g_ptr_array_add (r->dependents, g_strdup (data_type_order[i]));
              break;
            }
        }
    }

  identity = obj_member (sc->def, "identity");
  if (obj_member (identity, "request") != NULL)
    {
      Route *r = add_request_route (sc, ROUTE_IDENTITY, obj_member (identity, "request"));

      r->identity = TRUE;
    }

  for (guint i = 0; i < sc->routes->len; i++)
    {
      Route *r = sc->routes->pdata[i];

      if (r->kind == ROUTE_DATA && r->main == NULL && r->data_type != NULL)
        build_route_items (self, sc, r);
    }

  /* The identity the default tenant sees. */
  {
    g_autofree char *ext = portico_sandbox_data_external_id (self->data, sc->id, NULL);
    g_autofree char *name = portico_sandbox_data_account_name (self->data, sc->id, NULL);
    g_autoptr(JsonNode) scratch = json_node_new (JSON_NODE_NULL);
    g_autoptr(JsonNode) want_id = string_node (ext);
    g_autoptr(JsonNode) want_name = string_node (name);
    JsonNode *got_name;
    JsonNode *got_id;

    sandbox_oauth_sign_in_values (sc, ext, name);
    got_name = render_expr (scratch, json_object_get_member (identity, "name"), want_name, sc->template_values);
    got_id = render_expr (scratch, json_object_get_member (identity, "id"), want_id, sc->template_values);

    sc->expected_identity = json_object_new ();
    if (got_id != NULL)
      json_object_set_member (sc->expected_identity, "id", got_id);
    if (got_name != NULL)
      json_object_set_member (sc->expected_identity, "name", got_name);
    if (identity != NULL)
      reread_plain_paths (scratch, identity, sc->expected_identity);
  }

  choose_plan_failures (sc);
  return sc;
}

/* ---------------------------------------------------------------------- */
/* Serving                                                                 */

static void
log_request (PorticoSandbox    *self,
             const char        *connector,
             SoupServerMessage *msg,
             const char        *auth,
             const char        *fault)
{
  JsonObject *entry = json_object_new ();
  GUri *uri = soup_server_message_get_uri (msg);

  json_object_set_int_member (entry, "seq", json_array_get_length (self->requests) + 1);
  json_object_set_string_member (entry, "connector", connector);
  json_object_set_string_member (entry, "method", soup_server_message_get_method (msg));
  json_object_set_string_member (entry, "path", g_uri_get_path (uri));
  if (g_uri_get_query (uri) != NULL)
    json_object_set_string_member (entry, "query", g_uri_get_query (uri));
  json_object_set_int_member (entry, "status", soup_server_message_get_status (msg));
  if (auth != NULL)
    json_object_set_string_member (entry, "auth", auth);
  if (fault != NULL)
    json_object_set_string_member (entry, "fault", fault);
  json_array_add_object_element (self->requests, entry);
}

static JsonNode *
parse_body (SandboxConnector *sc, SoupServerMessage *msg, Route *route)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  const char *ctype;
  gsize len;
  const char *data;
  JsonObject *req = route != NULL ? route->request : NULL;

  if (body == NULL)
    return NULL;
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return NULL;
  ctype = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
  if (ctype != NULL && g_ascii_strcasecmp (ctype, "application/x-www-form-urlencoded") == 0)
    {
      g_autofree char *text = g_strndup (data, len);
      g_autoptr(GHashTable) form = soup_form_decode (text);
      const char *form_field = str_member (req, "form_field");
      JsonObject *obj;
      GHashTableIter it;
      gpointer k, v;

      if (form_field != NULL && g_hash_table_lookup (form, form_field) != NULL)
        return json_from_string (g_hash_table_lookup (form, form_field), NULL);
      obj = json_object_new ();
      g_hash_table_iter_init (&it, form);
      while (g_hash_table_iter_next (&it, &k, &v))
        json_object_set_string_member (obj, k, v);
      {
        JsonNode *n = json_node_new (JSON_NODE_OBJECT);

        json_node_take_object (n, obj);
        return n;
      }
    }
  {
    g_autofree char *text = g_strndup (data, len);

    return json_from_string (text, NULL);
  }
}

/* A pagination parameter as the client sent it: a query parameter of that
 * literal name, or a member of the JSON body, where a dotted name is a path
 * of keys ("variables.after", "variables.page"). Numbers come back as
 * decimal text. The returned string lives until the next call. */
static const char *
param_value (GHashTable *query, JsonNode *body, const char *name)
{
  const char *v = query != NULL && name != NULL ? g_hash_table_lookup (query, name) : NULL;
  static char buf[G_ASCII_DTOSTR_BUF_SIZE];
  JsonNode *n = NULL;

  if (v != NULL || name == NULL)
    return v;
  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  n = json_object_get_member (json_node_get_object (body), name);
  if (n == NULL && strchr (name, '.') != NULL)
    {
      g_autoptr(JsonNode) path = string_node (name);

      n = read_path (body, path);
    }
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NULL;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING:
      return json_node_get_string (n);
    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (n);

        if (d < 0 || d != floor (d))
          return NULL;
        g_snprintf (buf, sizeof buf, "%.0f", d);
        return buf;
      }
    case G_TYPE_INT64:
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int (n));
      return buf;
    default:
      return NULL;
    }
}

static guint
parse_uint (const char *s, guint def)
{
  if (s == NULL || !is_index (s, NULL))
    return def;
  return (guint) g_ascii_strtoull (s, NULL, 10);
}

static guint
page_size (Route *main, GHashTable *query, JsonNode *body)
{
  const char *style = str_member (main->pagination, "style");
  JsonObject *def_query = obj_member (main->request, "query");
  JsonObject *def_body = obj_member (main->request, "body");
  guint cap = DEFAULT_PAGE_SIZE;
  guint requested;

  if (style == NULL || g_str_equal (style, "none"))
    return G_MAXUINT;
  if (g_str_equal (style, "page") || g_str_equal (style, "offset"))
    {
      cap = (guint) int_member (main->pagination, "size", DEFAULT_PAGE_SIZE);
      requested = parse_uint (param_value (query, body, str_member (main->pagination, "size_param")), cap);
      return MAX (1, MIN (requested, cap));
    }
  if (g_str_equal (style, "scim"))
    {
      cap = (guint) int_member (main->pagination, "size", 100);
      requested = parse_uint (param_value (query, body, "count"), cap);
      return MAX (1, MIN (requested, cap));
    }
  for (guint i = 0; size_keys[i]; i++)
    {
      JsonObject *where = NULL;

      if (def_query != NULL && json_object_has_member (def_query, size_keys[i]))
        where = def_query;
      else if (def_body != NULL && json_object_has_member (def_body, size_keys[i]))
        where = def_body;
      if (where == NULL)
        continue;
      cap = (guint) int_member (where, size_keys[i], DEFAULT_PAGE_SIZE);
      requested = parse_uint (param_value (query, body, size_keys[i]), cap);
      return MAX (1, MIN (requested, cap));
    }
  /* GraphQL variables: {"variables": {"first": 50}}. */
  if (def_body != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (def_body);

      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonObject *sub = obj_member (def_body, l->data);

          for (guint i = 0; sub != NULL && size_keys[i]; i++)
            if (json_object_has_member (sub, size_keys[i]))
              {
                g_autofree char *dotted = g_strdup_printf ("%s.%s", (const char *) l->data, size_keys[i]);

                cap = (guint) int_member (sub, size_keys[i], DEFAULT_PAGE_SIZE);
                requested = parse_uint (param_value (query, body, dotted), cap);
                return MAX (1, MIN (requested, cap));
              }
        }
    }
  return cap;
}

static char *
encode_cursor (guint offset, guint size)
{
  return g_strdup_printf ("sbx%08x%04x", offset ^ 0x5a5a5a5au, MIN (size, 0xffffu));
}

static gboolean
decode_cursor (const char *cursor, guint *offset, guint *size)
{
  guint64 o, s;
  char obuf[9], sbuf[5];

  if (cursor == NULL || strlen (cursor) != 15 || !g_str_has_prefix (cursor, "sbx"))
    return FALSE;
  for (const char *p = cursor + 3; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  memcpy (obuf, cursor + 3, 8);
  obuf[8] = '\0';
  memcpy (sbuf, cursor + 11, 4);
  sbuf[4] = '\0';
  o = g_ascii_strtoull (obuf, NULL, 16);
  s = g_ascii_strtoull (sbuf, NULL, 16);
  *offset = (guint) o ^ 0x5a5a5a5au;
  *size = MAX ((guint) s, 1);
  return TRUE;
}

static char *
url_with_param (SandboxConnector  *sc,
                SoupServerMessage *msg,
                GHashTable        *query,
                const char        *param,
                const char        *value,
                gboolean           absolute)
{
  g_autoptr(GHashTable) q = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *encoded = NULL;
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  if (query != NULL)
    {
      GHashTableIter it;
      gpointer k, v;

      g_hash_table_iter_init (&it, query);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (q, k, v);
    }
  g_hash_table_insert (q, (gpointer) param, (gpointer) value);
  encoded = soup_form_encode_hash (q);
  return g_strdup_printf ("%s%s?%s", absolute ? sc->base_url : "", path, encoded);
}

static void
render_identity (SandboxConnector *sc, JsonNode *root, const char *tenant)
{
  JsonObject *identity = obj_member (sc->def, "identity");
  g_autofree char *ext = portico_sandbox_data_external_id (sc->sandbox->data, sc->id, tenant);
  g_autofree char *name = portico_sandbox_data_account_name (sc->sandbox->data, sc->id, tenant);
  g_autoptr(JsonNode) want_id = string_node (ext);
  g_autoptr(JsonNode) want_name = string_node (name);
  g_autoptr(JsonNode) got_name = render_expr (root, json_object_get_member (identity, "name"), want_name, sc->template_values);
  g_autoptr(JsonNode) got_id = render_expr (root, json_object_get_member (identity, "id"), want_id, sc->template_values);
}

static void
set_ok_flag (SandboxConnector *sc, JsonNode *root)
{
  JsonObject *errors = obj_member (sc->def, "errors");

  if (errors == NULL || !json_object_has_member (errors, "ok_path") || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  if (ok_path_is_number (sc))
    set_at_path (root, json_object_get_member (errors, "ok_path"),
                 json_node_init_int (json_node_alloc (), SOUP_STATUS_OK));
  else
    set_ok_value (root, json_object_get_member (errors, "ok_path"), TRUE);
}

/* Field values as the client sent them: a string of the definition's body
 * or query that is exactly "{field}" gives that field's value from the same
 * place of the received request. */
static void
collect_sent_values (JsonNode *def, JsonNode *got, GHashTable *out)
{
  if (def == NULL || got == NULL)
    return;
  if (JSON_NODE_HOLDS_OBJECT (def) && JSON_NODE_HOLDS_OBJECT (got))
    {
      JsonObject *d = json_node_get_object (def);
      JsonObject *g = json_node_get_object (got);
      g_autoptr(GList) names = json_object_get_members (d);

      for (GList *l = names; l != NULL; l = l->next)
        collect_sent_values (json_object_get_member (d, l->data), json_object_get_member (g, l->data), out);
    }
  else if (JSON_NODE_HOLDS_ARRAY (def) && JSON_NODE_HOLDS_ARRAY (got))
    {
      JsonArray *d = json_node_get_array (def);
      JsonArray *g = json_node_get_array (got);

      for (guint i = 0; i < json_array_get_length (d) && i < json_array_get_length (g); i++)
        collect_sent_values (json_array_get_element (d, i), json_array_get_element (g, i), out);
    }
  else if (JSON_NODE_HOLDS_VALUE (def) && json_node_get_value_type (def) == G_TYPE_STRING)
    {
      const char *t = json_node_get_string (def);
      gsize len = strlen (t);
      g_autofree char *v = node_to_string (got);

      if (len > 2 && t[0] == '{' && t[len - 1] == '}' && strchr (t + 1, '{') == NULL
          && has_template (t) && v != NULL && *v)
        g_hash_table_replace (out, g_strndup (t + 1, len - 2), g_steal_pointer (&v));
    }
}

/* The items path of @main as segments, its templates expanded with the
 * field values the request carries (Expensify keys policyInfo by the
 * policy_id sent), else the example values. A template is expanded inside
 * its segment: the value is one key even if it holds dots. */
static GPtrArray *
items_segments (SandboxConnector *sc, Route *main, GHashTable *query, JsonNode *body)
{
  JsonNode *path = main->items_path;
  g_autoptr(GHashTable) values = NULL;
  GPtrArray *segs;
  GHashTableIter it;
  gpointer k, v;

  if (path == NULL || !JSON_NODE_HOLDS_VALUE (path) || json_node_get_value_type (path) != G_TYPE_STRING
      || !has_template (json_node_get_string (path)))
    return path_segments (path);

  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&it, sc->template_values);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (values, g_strdup (k), g_strdup (v));
  collect_sent_values (json_object_get_member (main->request, "body"), body, values);
  {
    JsonObject *auth = obj_member (sc->def, "auth");

    if (g_strcmp0 (str_member (auth, "scheme"), "body") == 0)
      collect_sent_values (json_object_get_member (auth, "fields"), body, values);
  }
  {
    JsonObject *def_query = obj_member (main->request, "query");
    g_autoptr(GList) names = def_query != NULL ? json_object_get_members (def_query) : NULL;

    for (GList *l = names; l != NULL && query != NULL; l = l->next)
      {
        const char *got = g_hash_table_lookup (query, l->data);
        g_autoptr(JsonNode) got_node = got != NULL ? string_node (got) : NULL;

        collect_sent_values (json_object_get_member (def_query, l->data), got_node, values);
      }
  }

  segs = g_ptr_array_new_with_free_func (g_free);
  {
    g_auto(GStrv) parts = g_strsplit (json_node_get_string (path), ".", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      g_ptr_array_add (segs, expand_template (parts[i], values));
  }
  return segs;
}

/* An export job whose first answer is only the name of a file to download
 * in a second request (Expensify's "returnRandomFileName"): answered as the
 * provider does, with the file name as plain text. A definition follows it
 * with a "then" request, which the sandbox serves the items to for a name
 * it gave. */
static gboolean
is_file_export (Route *main)
{
  JsonObject *body = obj_member (main->request, "body");
  JsonNode *list = body != NULL ? json_object_get_member (body, "onReceive") : NULL;

  if (list == NULL || !JSON_NODE_HOLDS_OBJECT (list))
    return FALSE;
  list = json_object_get_member (json_node_get_object (list), "immediateResponse");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (list), i);

      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
          && g_str_equal (json_node_get_string (e), "returnRandomFileName"))
        return TRUE;
    }
  return FALSE;
}

static void
serve_file_name (SandboxConnector *sc, Route *main, SoupServerMessage *msg)
{
  JsonObject *settings = obj_member (obj_member (main->request, "body"), "outputSettings");
  const char *ext = str_member (settings, "fileExtension");
  g_autofree char *name = g_strdup_printf ("export%08x-%04x-%04x.%s",
                                           g_str_hash (sc->id) ^ sc->sandbox->seed,
                                           g_str_hash (main->data_type) & 0xffff,
                                           ++sc->issued_count & 0xffff,
                                           ext != NULL ? ext : "csv");
  gsize len = strlen (name);

  /* Remembered: the second request of a "then" pair must name it. */
  g_hash_table_replace (sc->issued, g_strdup (name), g_strdup (main->data_type));

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, g_steal_pointer (&name), len);
}

/* Whether the form fields of @request's "form_params" came with @msg, not
 * empty (Expensify refuses an export without its template). */
static gboolean
form_params_sent (SoupServerMessage *msg, JsonObject *request)
{
  JsonObject *params = obj_member (request, "form_params");
  g_autoptr(GList) names = params != NULL ? json_object_get_members (params) : NULL;
  SoupMessageBody *body;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *text = NULL;
  const char *data;
  gsize len = 0;

  if (names == NULL)
    return TRUE;
  body = soup_server_message_get_request_body (msg);
  if (body == NULL)
    return FALSE;
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  text = g_strndup (data != NULL ? data : "", len);
  form = soup_form_decode (text);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *v = g_hash_table_lookup (form, l->data);

      if (v == NULL || *v == '\0')
        return FALSE;
    }
  return TRUE;
}

/* Whether the second request of a "then" pair names a first answer the
 * sandbox gave for the same data type: the value at the place of
 * {response} in its body or query. */
static gboolean
then_response_known (SandboxConnector *sc, Route *route, GHashTable *query, JsonNode *body)
{
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *def_query = obj_member (route->request, "query");
  g_autoptr(GList) names = def_query != NULL ? json_object_get_members (def_query) : NULL;
  const char *value;

  collect_sent_values (json_object_get_member (route->request, "body"), body, sent);
  for (GList *l = names; l != NULL && query != NULL; l = l->next)
    {
      const char *got = g_hash_table_lookup (query, l->data);
      g_autoptr(JsonNode) got_node = got != NULL ? string_node (got) : NULL;

      collect_sent_values (json_object_get_member (def_query, l->data), got_node, sent);
    }
  value = g_hash_table_lookup (sent, "response");
  return value != NULL && g_strcmp0 (g_hash_table_lookup (sc->issued, value), route->main->data_type) == 0;
}

/* The text the map's "id" reads from a record of @main, or NULL. */
static char *
record_id (SandboxConnector *sc, Route *main, JsonNode *record)
{
  JsonObject *dts = obj_member (sc->def, "data_types");
  JsonObject *map = obj_member (obj_member (dts, main->data_type), "map");
  JsonNode *id_expr = map != NULL ? json_object_get_member (map, "id") : NULL;
  JsonNode *v;

  if (id_expr == NULL || !is_path_expr (id_expr))
    return NULL;
  v = read_path (record, id_expr);
  return v != NULL ? node_to_string (v) : NULL;
}

/* record_id() of an item in either form (portico_sandbox_item_parse): a
 * kept text whose id is a top-level string member is not parsed. */
static char *
item_record_id (SandboxConnector *sc, Route *main, JsonNode *item)
{
  JsonObject *map = obj_member (obj_member (obj_member (sc->def, "data_types"), main->data_type), "map");
  JsonNode *id_expr = map != NULL ? json_object_get_member (map, "id") : NULL;
  g_autoptr(JsonNode) parsed = NULL;

  if (JSON_NODE_HOLDS_OBJECT (item))
    return record_id (sc, main, item);
  if (id_expr != NULL && JSON_NODE_HOLDS_VALUE (id_expr) && json_node_get_value_type (id_expr) == G_TYPE_STRING
      && strchr (json_node_get_string (id_expr), '.') == NULL)
    {
      char *id = portico_sandbox_item_dup_string (item, json_node_get_string (id_expr));

      if (id != NULL)
        return id;
    }
  parsed = portico_sandbox_item_parse (item);
  return parsed != NULL ? record_id (sc, main, parsed) : NULL;
}

/* The list request of a for_each (format v2): every record of the data
 * type, each as the value the per-record request is sent with. Pages the
 * offset way when the list asks for it; other styles get one page. */
static void
serve_list (SandboxConnector  *sc,
            Route             *route,
            SoupServerMessage *msg,
            GHashTable        *query,
            JsonNode          *body)
{
  Route *main = route->main;
  JsonObject *pag = route->pagination;
  const char *style = str_member (pag, "style");
  JsonArray *all = json_array_new ();
  JsonArray *slice = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  guint n;
  guint offset = 0;
  guint size = G_MAXUINT;

  json_node_take_object (root, json_object_new ());
  for (guint i = 0; main->items != NULL && i < json_array_get_length (main->items); i++)
    {
      g_autofree char *id = item_record_id (sc, main, json_array_get_element (main->items, i));
      JsonNode *value;

      if (id == NULL)
        continue;
      if (route->list_value == NULL || (JSON_NODE_HOLDS_VALUE (route->list_value)
                                        && g_strcmp0 (json_node_get_string (route->list_value), "") == 0))
        value = string_node (id);
      else
        {
          value = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (value, json_object_new ());
          set_at_path (value, route->list_value, string_node (id));
        }
      json_array_add_element (all, value);
    }
  n = json_array_get_length (all);
  if (g_strcmp0 (style, "offset") == 0)
    {
      guint cap = (guint) int_member (pag, "size", DEFAULT_PAGE_SIZE);

      offset = MIN (parse_uint (param_value (query, body, str_member (pag, "param")),
                                (guint) int_member (pag, "start", 0)), n);
      size = MAX (1, MIN (parse_uint (param_value (query, body, str_member (pag, "size_param")), cap), cap));
      if (str_member (pag, "total_path") != NULL || json_object_get_member (pag, "total_path") != NULL)
        set_at_path (root, json_object_get_member (pag, "total_path"),
                     json_node_init_int (json_node_alloc (), n));
    }
  for (guint i = offset; i < n && i - offset < size; i++)
    json_array_add_element (slice, json_node_copy (json_array_get_element (all, i)));
  json_array_unref (all);
  if (route->items_path != NULL && !(JSON_NODE_HOLDS_VALUE (route->items_path)
                                     && g_strcmp0 (json_node_get_string (route->items_path), "") == 0))
    {
      JsonNode *list = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (list, slice);
      set_at_path (root, route->items_path, list);
    }
  else
    {
      json_node_take_array (root, slice);
    }
  set_json (msg, SOUP_STATUS_OK, root);
}

/* A request per listed record (for_each with a list request) answers that
 * record only: the records of @served whose id is the {item} it was sent
 * with. Transfer full; NULL when the request carries no item. */
static JsonArray *
records_of_item (SandboxConnector *sc, Route *main, GHashTable *query, JsonNode *body, JsonArray *served)
{
  JsonObject *dts = obj_member (sc->def, "data_types");
  JsonObject *fe = obj_member (obj_member (dts, main->data_type), "for_each");
  g_autoptr(GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *def_query = obj_member (main->request, "query");
  g_autoptr(GList) names = def_query != NULL ? json_object_get_members (def_query) : NULL;
  const char *item;
  JsonArray *out;

  if (!main->listed || obj_member (fe, "request") == NULL)
    return NULL;
  collect_sent_values (json_object_get_member (main->request, "body"), body, sent);
  for (GList *l = names; l != NULL && query != NULL; l = l->next)
    {
      const char *got = g_hash_table_lookup (query, l->data);
      g_autoptr(JsonNode) got_node = got != NULL ? string_node (got) : NULL;

      collect_sent_values (json_object_get_member (def_query, l->data), got_node, sent);
    }
  item = g_hash_table_lookup (sent, "item");
  if (item == NULL)
    return NULL;
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (served); i++)
    {
      g_autofree char *id = item_record_id (sc, main, json_array_get_element (served, i));

      if (g_strcmp0 (id, item) == 0)
        json_array_add_element (out, portico_sandbox_item_parse (json_array_get_element (served, i)));
    }
  return out;
}

/* Format v2 "items_keyed_by": the page's records as the object the
 * provider answers, each under its id (the member the definition names,
 * which the record itself then leaves out). A record without that member
 * is served under its position. */
static JsonNode *
keyed_page (JsonArray  *slice,
            const char *member,
            guint       offset)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_alloc ();

  for (guint i = 0; i < json_array_get_length (slice); i++)
    {
      JsonNode *element = json_array_get_element (slice, i);
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonNode *id = record != NULL ? json_object_get_member (record, member) : NULL;
      g_autofree char *key = id != NULL ? node_to_string (id) : NULL;
      JsonObject *value;
      JsonObjectIter iter;
      const char *name;
      JsonNode *node_value;

      if (key == NULL || *key == '\0')
        {
          g_free (key);
          key = g_strdup_printf ("%u", offset + i + 1);
        }
      if (record == NULL)
        {
          json_object_set_member (object, key, json_node_copy (element));
          continue;
        }
      /* A new object: the sandbox's own records keep their member. */
      value = json_object_new ();
      json_object_iter_init_ordered (&iter, record);
      while (json_object_iter_next_ordered (&iter, &name, &node_value))
        if (!g_str_equal (name, member))
          json_object_set_member (value, name, json_node_copy (node_value));
      json_object_set_object_member (object, key, value);
    }
  json_node_init_object (node, object);
  json_object_unref (object);
  return node;
}

/* A CSV field as RFC 4180 writes it: quoted when it holds a comma, a
 * quote or a line break. Provider text, so no spreadsheet-formula guard
 * (portico_csv_append_field's) here. */
static void
append_csv_field (GString *out, JsonNode *value)
{
  g_autofree char *text = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value) || !JSON_NODE_HOLDS_VALUE (value))
    return;
  if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    text = g_strdup (json_node_get_boolean (value) ? "True" : "False");
  else
    text = node_to_string (value);
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Format v2 "response_format": "csv". Microsoft Graph's usage reports
 * answer 302 Found with a short-lived pre-authenticated download address on
 * another host, which needs no Authorization header
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getoffice365activeuserdetail?view=graph-rest-1.0):
 * the sandbox's other host is its redirect target, which serves the text
 * once for each address and counts the credentials it is sent. */
static void
serve_csv_download (SandboxConnector  *sc,
                    Route             *main,
                    SoupServerMessage *msg,
                    JsonArray         *served)
{
  PorticoSandbox *self = sc->sandbox;
  const char * const *documented = portico_sandbox_vendor_csv_columns (sc->id, main->data_type);
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  GString *text = g_string_new (NULL);
  g_autofree char *location = NULL;
  char *token;

  if (documented != NULL)
    for (guint i = 0; documented[i] != NULL; i++)
      g_ptr_array_add (columns, (gpointer) documented[i]);
  else
    for (guint i = 0; i < json_array_get_length (served); i++)
      {
        JsonObject *item = json_array_get_object_element (served, i);
        JsonObjectIter iter;
        const char *name;

        json_object_iter_init_ordered (&iter, item);
        while (json_object_iter_next_ordered (&iter, &name, NULL))
          if (!g_ptr_array_find_with_equal_func (columns, name, g_str_equal, NULL))
            g_ptr_array_add (columns, (gpointer) name);
      }

  for (guint k = 0; k < columns->len; k++)
    {
      g_autoptr(JsonNode) name = string_node (columns->pdata[k]);

      if (k > 0)
        g_string_append_c (text, ',');
      append_csv_field (text, name);
    }
  g_string_append (text, "\r\n");
  for (guint i = 0; i < json_array_get_length (served); i++)
    {
      JsonObject *item = json_array_get_object_element (served, i);

      for (guint k = 0; k < columns->len; k++)
        {
          if (k > 0)
            g_string_append_c (text, ',');
          append_csv_field (text, json_object_get_member (item, columns->pdata[k]));
        }
      g_string_append (text, "\r\n");
    }

  token = g_strdup_printf ("%08x%08x", g_str_hash (sc->id) ^ g_str_hash (main->data_type) ^ self->seed,
                           ++self->download_count);
  location = g_strconcat (self->redirect_url, "/data/download/", token, NULL);
  g_hash_table_replace (self->downloads, token, g_string_free (text, FALSE));
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
serve_page (SandboxConnector  *sc,
            Route             *route,
            SoupServerMessage *msg,
            GHashTable        *query,
            JsonNode          *body,
            const char        *tenant)
{
  Route *main = route->main != NULL ? route->main : route;
  JsonObject *pag = main->pagination;
  const char *style = str_member (pag, "style");
  /* What the provider serves for this request, as its documentation says. */
  g_autoptr(JsonArray) served = portico_sandbox_vendor_items (sc->id, main->data_type, msg, query, body,
                                                              main->items, main->records);
  guint n;
  guint size = MIN (page_size (main, query, body), portico_sandbox_vendor_max_page_size (sc->id, main->data_type));
  guint offset = 0;
  guint count;
  gboolean more;
  JsonArray *slice = json_array_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_NULL);
  g_autoptr(GPtrArray) segs = items_segments (sc, main, query, body);
  const char *keyed_by = str_member (obj_member (obj_member (sc->def, "data_types"), main->data_type),
                                     "items_keyed_by");
  const char *ctype = "application/json";
  PorticoSandboxLinks links = g_strcmp0 (style, "link_header") == 0 ? portico_sandbox_vendor_links (sc->id)
                                                                     : PORTICO_SANDBOX_LINKS_GENERIC;
  guint link_page = 1;
  g_autoptr(GString) array_text = NULL;

  if (served == NULL)
    {
      /* The provider refused the request (its answer is set). */
      json_array_unref (slice);
      return;
    }
  if (portico_sandbox_vendor_empty (sc->id, main->data_type, tenant, msg))
    {
      /* The provider's answer when a list has no items. */
      json_array_unref (slice);
      return;
    }
  {
    JsonArray *one = records_of_item (sc, main, query, body, served);

    if (one != NULL)
      {
        json_array_unref (served);
        served = one;
      }
  }
  n = json_array_get_length (served);
  if (style == NULL)
    style = "none";
  if (route->then_step)
    {
      if (!then_response_known (sc, route, query, body))
        {
          serve_error (sc, msg, "not_found");
          json_array_unref (slice);
          return;
        }
    }
  else if (route == main && (obj_member (main->request, "then") != NULL || is_file_export (main)))
    {
      if (!form_params_sent (msg, main->request))
        serve_error (sc, msg, "bad_request");
      else
        serve_file_name (sc, main, msg);
      json_array_unref (slice);
      return;
    }
  if (g_strcmp0 (str_member (obj_member (obj_member (sc->def, "data_types"), main->data_type), "response_format"),
                 "csv") == 0)
    {
      g_autoptr(JsonArray) objects = json_array_sized_new (n);

      /* The report reads every item as an object. */
      for (guint i = 0; i < n; i++)
        json_array_add_element (objects, portico_sandbox_item_parse (json_array_get_element (served, i)));
      serve_csv_download (sc, main, msg, objects);
      json_array_unref (slice);
      return;
    }

  if (links != PORTICO_SANDBOX_LINKS_GENERIC)
    {
      /* The provider's own size parameter and default (Webex: max,
       * ServiceNow: sysparm_limit, GitLab: per_page by 20). */
      guint default_size;
      const char *size_param = portico_sandbox_vendor_link_size_param (sc->id, main->data_type, &default_size);

      if (size_param != NULL)
        {
          const char *asked = param_value (query, body, size_param);

          size = MAX (1, asked != NULL ? parse_uint (asked, default_size) : default_size);
          size = MIN (size, portico_sandbox_vendor_max_page_size (sc->id, main->data_type));
        }
    }

  if (links == PORTICO_SANDBOX_LINKS_PAGES)
    {
      link_page = MAX (1, parse_uint (param_value (query, body, "page"), 1));
      offset = (link_page - 1) * size;
    }
  else if (links == PORTICO_SANDBOX_LINKS_OFFSET)
    offset = parse_uint (param_value (query, body, "sysparm_offset"), 0);
  else if (links == PORTICO_SANDBOX_LINKS_SENTRY)
    {
      if (!portico_sandbox_vendor_sentry_cursor (param_value (query, body, "cursor"), &offset))
        {
          serve_error (sc, msg, "bad_request");
          json_array_unref (slice);
          return;
        }
    }
  else if (g_str_equal (style, "link_header") || g_str_equal (style, "cursor") || g_str_equal (style, "next_url"))
    {
      const char *param = g_str_equal (style, "cursor") ? str_member (pag, "param")
                          : g_str_equal (style, "link_header") ? "after"
                          : portico_sandbox_vendor_next_url_param (sc->id);
      const char *cursor = param_value (query, body, param);

      if (cursor != NULL && *cursor && !decode_cursor (cursor, &offset, &size))
        {
          serve_error (sc, msg, "bad_request");
          json_array_unref (slice);
          return;
        }
      if (route->main != NULL && !route->then_step && (cursor == NULL || *cursor == '\0'))
        {
          serve_error (sc, msg, "bad_request");
          json_array_unref (slice);
          return;
        }
    }
  else if (g_str_equal (style, "page"))
    {
      gint first = portico_sandbox_vendor_first_page (sc->id, main->data_type);
      guint start = first >= 0 ? (guint) first : (guint) int_member (pag, "start", 1);
      guint p = parse_uint (param_value (query, body, str_member (pag, "param")), start);

      offset = p > start ? (p - start) * size : 0;
    }
  else if (g_str_equal (style, "offset"))
    offset = parse_uint (param_value (query, body, str_member (pag, "param")),
                         (guint) int_member (pag, "start", 0));
  else if (g_str_equal (style, "scim"))
    offset = MAX (parse_uint (param_value (query, body, "startIndex"), 1), 1) - 1;

  offset = MIN (offset, n);
  count = size == G_MAXUINT ? n - offset : MIN (size, n - offset);
  more = offset + count < n;
  if (segs->len == 0)
    {
      /* A bare array: nothing below changes an array answer (the rules
       * and flags apply to objects), so the page is the items' texts,
       * those kept as text unparsed: the bytes the generator writes for
       * them. */
      array_text = g_string_new ("[");
      for (guint i = offset; i < offset + count; i++)
        {
          JsonNode *item = json_array_get_element (served, i);

          if (i > offset)
            g_string_append_c (array_text, ',');
          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
            g_string_append (array_text, json_node_get_string (item));
          else
            {
              g_autofree char *text = json_text (item);

              g_string_append (array_text, text);
            }
        }
      g_string_append_c (array_text, ']');
    }
  else
    {
      /* Items kept as their text are parsed back here, a page at a time. */
      for (guint i = offset; i < offset + count; i++)
        json_array_add_element (slice, portico_sandbox_item_parse (json_array_get_element (served, i)));
    }

  if (segs->len == 0)
    {
      json_node_init (root, JSON_NODE_ARRAY);
      json_node_take_array (root, slice);
    }
  else if (keyed_by != NULL)
    {
      set_at_segments (root, segs, keyed_page (slice, keyed_by, offset));
      json_array_unref (slice);
    }
  else
    {
      JsonNode *v = json_node_alloc ();

      json_node_init_array (v, slice);
      json_array_unref (slice);
      set_at_segments (root, segs, v);
    }

  if (links == PORTICO_SANDBOX_LINKS_PAGES)
    portico_sandbox_vendor_page_links (msg, sc->id, sc->base_url, query, link_page, size, n);
  else if (links == PORTICO_SANDBOX_LINKS_OFFSET)
    portico_sandbox_vendor_offset_links (msg, sc->base_url, query, offset, size, n);
  else if (links == PORTICO_SANDBOX_LINKS_SENTRY)
    portico_sandbox_vendor_sentry_links (msg, sc->base_url, query, offset, size, n);
  else if (links == PORTICO_SANDBOX_LINKS_AFTER)
    {
      g_autofree char *c = more ? encode_cursor (offset + count, size) : NULL;

      portico_sandbox_vendor_after_links (msg, sc->id, sc->base_url, query, c);
    }
  else if (g_str_equal (style, "link_header"))
    {
      /* A provider the sandbox knows no Link form of (a custom
       * integration): Sentry's form, the hardest for the runtime, with
       * opaque after= cursors: a previous and a next link on every page,
       * each with results="true|false"; the last page still has a next
       * link, marked results="false". */
      g_autofree char *c = encode_cursor (offset + count, size);
      g_autofree char *pc = encode_cursor (offset >= size ? offset - size : 0, size);
      g_autofree char *url = url_with_param (sc, msg, query, "after", c, TRUE);
      g_autofree char *purl = url_with_param (sc, msg, query, "after", pc, TRUE);
      g_autofree char *link = g_strdup_printf ("<%s>; rel=\"previous\"; results=\"%s\"; cursor=\"%s\", "
                                               "<%s>; rel=\"next\"; results=\"%s\"; cursor=\"%s\"",
                                               purl, offset > 0 ? "true" : "false", pc,
                                               url, more ? "true" : "false", c);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Link", link);
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && g_str_equal (style, "cursor"))
    {
      JsonNode *cursor_path = json_object_get_member (pag, "cursor_path");
      JsonNode *has_more_path = json_object_get_member (pag, "has_more_path");
      g_autofree char *c = encode_cursor (offset + count, size);

      if (cursor_path != NULL)
        set_at_path (root, cursor_path,
                     more ? string_node (c)
                     : has_more_path != NULL ? json_node_new (JSON_NODE_NULL) : string_node (""));
      if (has_more_path != NULL)
        set_at_path (root, has_more_path, json_node_init_boolean (json_node_alloc (), more));
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && g_str_equal (style, "next_url"))
    {
      JsonNode *next_path = json_object_get_member (pag, "next_path");
      JsonNode *done_path = json_object_get_member (pag, "done_path");
      g_autofree char *c = encode_cursor (offset + count, size);
      /* Absolute next links (Graph) unless the provider also says "done"
       * (Salesforce), whose next link is relative. */
      g_autofree char *url = url_with_param (sc, msg, query, portico_sandbox_vendor_next_url_param (sc->id),
                                             c, done_path == NULL);

      if (next_path != NULL)
        set_at_path (root, next_path, more ? string_node (url) : json_node_new (JSON_NODE_NULL));
      if (done_path != NULL)
        set_at_path (root, done_path, json_node_init_boolean (json_node_alloc (), !more));
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && g_str_equal (style, "page"))
    {
      JsonNode *tp = json_object_get_member (pag, "total_pages_path");

      if (tp != NULL)
        set_at_path (root, tp, json_node_init_int (json_node_alloc (), MAX (1, (n + size - 1) / size)));
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && g_str_equal (style, "offset"))
    {
      JsonNode *tp = json_object_get_member (pag, "total_path");

      if (tp != NULL)
        set_at_path (root, tp, json_node_init_int (json_node_alloc (), n));
    }
  else if (JSON_NODE_HOLDS_OBJECT (root) && g_str_equal (style, "scim"))
    {
      JsonObject *o = json_node_get_object (root);
      JsonArray *schemas = json_array_new ();

      json_array_add_string_element (schemas, "urn:ietf:params:scim:api:messages:2.0:ListResponse");
      json_object_set_array_member (o, "schemas", schemas);
      json_object_set_int_member (o, "totalResults", n);
      json_object_set_int_member (o, "startIndex", offset + 1);
      json_object_set_int_member (o, "itemsPerPage", count);
      ctype = "application/scim+json";
    }

  portico_sandbox_vendor_page (sc->id, main->data_type, g_uri_get_path (soup_server_message_get_uri (msg)),
                               query, root);
  set_ok_flag (sc, root);
  if (route->identity && JSON_NODE_HOLDS_OBJECT (root))
    render_identity (sc, root, tenant);

  {
    g_autofree char *text = array_text != NULL ? g_string_free (g_steal_pointer (&array_text), FALSE)
                                               : json_text (root);
    gsize len = strlen (text);

    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_server_message_set_response (msg, ctype, SOUP_MEMORY_TAKE, g_steal_pointer (&text), len);
  }
}

static void
serve_token (SandboxConnector *sc, SoupServerMessage *msg, JsonNode *body)
{
  JsonObject *auth = obj_member (sc->def, "auth");
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *tenant = NULL;
  const char *scope = NULL;
  Behaviour b;

  if (g_strcmp0 (str_member (auth, "scheme"), "oauth2_client_credentials") != 0)
    {
      sandbox_oauth_serve_token (sc, msg, body);
      return;
    }

  if (!decode_basic (msg, &user, &pass))
    {
      JsonObject *o = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;

      user = g_strdup (str_member (o, "client_id"));
      pass = g_strdup (str_member (o, "client_secret"));
    }
  {
    JsonObject *o = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;

    scope = str_member (o, "scope");
  }
  b = MAX (classify_template (sc, str_member (auth, "client_id"), user, &tenant),
           classify_template (sc, str_member (auth, "client_secret"), pass, &tenant));
  if (user == NULL || pass == NULL)
    b = BEHAVE_BAD;
  if (sc->broken)
    b = BEHAVE_BAD;

  if (b == BEHAVE_BAD)
    {
      g_autoptr(JsonNode) root = json_from_string ("{\"error\":\"invalid_client\","
                                                   "\"error_description\":\"Client authentication failed.\"}",
                                                   NULL);

      set_json (msg, SOUP_STATUS_UNAUTHORIZED, root);
      return;
    }

  {
    g_autofree char *tok = g_strdup_printf ("sbx_%08x%08x%08x", g_random_int (), g_random_int (), g_random_int ());
    Token *t = g_new0 (Token, 1);
    g_autoptr(JsonBuilder) jb = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    t->behaviour = b;
    t->tenant = g_steal_pointer (&tenant);
    t->expires = g_get_monotonic_time () + (gint64) TOKEN_LIFETIME * G_USEC_PER_SEC;
    g_hash_table_insert (sc->tokens, g_strdup (tok), t);

    json_builder_begin_object (jb);
    json_builder_set_member_name (jb, "access_token");
    json_builder_add_string_value (jb, tok);
    json_builder_set_member_name (jb, "token_type");
    json_builder_add_string_value (jb, "Bearer");
    json_builder_set_member_name (jb, "expires_in");
    json_builder_add_int_value (jb, TOKEN_LIFETIME);
    if (scope != NULL)
      {
        /* RFC 6749 5.1: the scope granted, here the one asked for. */
        json_builder_set_member_name (jb, "scope");
        json_builder_add_string_value (jb, scope);
      }
    json_builder_end_object (jb);
    root = json_builder_get_root (jb);
    set_json (msg, SOUP_STATUS_OK, root);
  }
}

static const char *
fault_name (PorticoSandboxFault f)
{
  static const char * const names[] = {
    "none", "429", "500", "slow", "truncated", "malformed", "redirect",
  };

  return f < G_N_ELEMENTS (names) ? names[f] : "none";
}

gboolean
portico_sandbox_fault_from_string (const char *name, PorticoSandboxFault *fault)
{
  static const struct { const char *name; PorticoSandboxFault f; } table[] = {
    { "none", PORTICO_SANDBOX_FAULT_NONE },
    { "429", PORTICO_SANDBOX_FAULT_RATE_LIMIT },
    { "rate_limit", PORTICO_SANDBOX_FAULT_RATE_LIMIT },
    { "500", PORTICO_SANDBOX_FAULT_SERVER },
    { "server", PORTICO_SANDBOX_FAULT_SERVER },
    { "slow", PORTICO_SANDBOX_FAULT_SLOW },
    { "truncated", PORTICO_SANDBOX_FAULT_TRUNCATED },
    { "malformed", PORTICO_SANDBOX_FAULT_MALFORMED },
    { "redirect", PORTICO_SANDBOX_FAULT_REDIRECT },
  };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (name, table[i].name))
      {
        *fault = table[i].f;
        return TRUE;
      }
  return FALSE;
}

static void
slow_reply_free (SlowReply *s)
{
  if (s->source_id != 0)
    g_source_remove (s->source_id);
  g_signal_handlers_disconnect_by_data (s->msg, s);
  g_object_unref (s->msg);
  g_free (s);
}

static void
slow_finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  SlowReply *s = user_data;

  s->finished = TRUE;
}

static gboolean
slow_timeout_cb (gpointer user_data)
{
  SlowReply *s = user_data;
  PorticoSandbox *self = s->sandbox;

  s->source_id = 0;
  if (!s->finished)
    soup_server_message_unpause (s->msg);
  self->slow_replies = g_list_remove (self->slow_replies, s);
  slow_reply_free (s);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  GIOStream *io;
  char *data;
} Truncated;

static void
truncated_written_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Truncated *t = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, NULL);
  g_io_stream_close (t->io, NULL, NULL);
  g_object_unref (t->io);
  g_free (t->data);
  g_free (t);
}

/* Sends the headers of the full answer and half its body, then closes the
 * connection: what a client sees when a proxy or the network cuts it. */
static void
serve_truncated (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  Truncated *t = g_new0 (Truncated, 1);

  t->data = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n%.*s",
                             len, (int) (len / 2), data != NULL ? data : "");
  t->io = soup_server_message_steal_connection (msg);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (t->io), t->data, strlen (t->data),
                                   G_PRIORITY_DEFAULT, NULL, truncated_written_cb, t);
}

static void
connector_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  SandboxConnector *sc = user_data;
  PorticoSandbox *self = sc->sandbox;
  const char *method = soup_server_message_get_method (msg);
  Route *route = NULL;
  gboolean path_known = FALSE;
  PorticoSandboxFault fault = PORTICO_SANDBOX_FAULT_NONE;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *tenant = NULL;
  const char *auth_name = NULL;
  Behaviour b;

  {
    int best = G_MININT;

    for (guint i = 0; i < sc->routes->len; i++)
      {
        Route *r = sc->routes->pdata[i];
        int score;

        if (!g_regex_match (r->regex, path, 0, NULL))
          continue;
        path_known = TRUE;
        if (g_ascii_strcasecmp (r->method, method) != 0)
          continue;
        if (route == NULL)
          {
            route = r;
            body = parse_body (sc, msg, r);
          }
        /* Several requests on one endpoint (Expensify): the body decides. */
        score = body_score (r->request != NULL ? json_object_get_member (r->request, "body") : NULL, body)
                + query_score (r->request, msg);
        if (score > best)
          {
            best = score;
            route = r;
          }
      }
  }

  if (route != NULL && route->kind == ROUTE_AUTHORIZE)
    {
      sandbox_oauth_serve_authorize (sc, msg);
      log_request (self, sc->id, msg, "authorize", NULL);
      return;
    }

  if (route != NULL && route->kind == ROUTE_AFTER_SIGN_IN)
    {
      sandbox_oauth_serve_after_sign_in (sc, msg);
      log_request (self, sc->id, msg, "after_sign_in", NULL);
      return;
    }

  if (route != NULL && route->kind == ROUTE_REVOKE)
    {
      sandbox_oauth_serve_revoke (sc, msg, body);
      log_request (self, sc->id, msg, "revoke", NULL);
      return;
    }

  if (route != NULL && route->kind == ROUTE_TOKEN)
    {
      serve_token (sc, msg, body);
      log_request (self, sc->id, msg, "token", NULL);
      {
        /* The scope asked for is no secret, and tells which permission
         * level the client wanted (Ramp's users:write). */
        JsonObject *o = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
        guint n = json_array_get_length (self->requests);

        if (str_member (o, "scope") != NULL && n > 0)
          json_object_set_string_member (json_array_get_object_element (self->requests, n - 1), "scope",
                                         str_member (o, "scope"));
      }
      return;
    }

  if (sc->fault_count > 0)
    {
      fault = sc->fault;
      if (--sc->fault_count == 0)
        sc->fault = PORTICO_SANDBOX_FAULT_NONE;
    }

  switch (fault)
    {
    case PORTICO_SANDBOX_FAULT_RATE_LIMIT:
      if (portico_sandbox_vendor_rate_limit (sc->id, msg))
        {
          log_request (self, sc->id, msg, NULL, fault_name (fault));
          return;
        }
      serve_error (sc, msg, "rate_limited");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      log_request (self, sc->id, msg, NULL, fault_name (fault));
      return;
    case PORTICO_SANDBOX_FAULT_SERVER:
      serve_error (sc, msg, "server");
      log_request (self, sc->id, msg, NULL, fault_name (fault));
      return;
    case PORTICO_SANDBOX_FAULT_MALFORMED:
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "<html><body>Service temporarily unavailable", 44);
      log_request (self, sc->id, msg, NULL, fault_name (fault));
      return;
    case PORTICO_SANDBOX_FAULT_REDIRECT:
      {
        GUri *uri = soup_server_message_get_uri (msg);
        g_autofree char *location = g_strdup_printf ("%s%s%s%s", self->redirect_url, g_uri_get_path (uri),
                                                     g_uri_get_query (uri) ? "?" : "",
                                                     g_uri_get_query (uri) ? g_uri_get_query (uri) : "");

        soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
        log_request (self, sc->id, msg, NULL, fault_name (fault));
        return;
      }
    default:
      break;
    }

  if (route == NULL)
    {
      if (path_known)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                            "{\"error\":\"method_not_allowed\"}", 30);
        }
      else
        serve_error (sc, msg, "not_found");
      log_request (self, sc->id, msg, NULL, fault != PORTICO_SANDBOX_FAULT_NONE ? fault_name (fault) : NULL);
      return;
    }

  b = classify_request (sc, msg, body, &tenant);
  auth_name = b == BEHAVE_OK ? "ok" : b == BEHAVE_PLAN ? "plan" : "bad";

  if (b == BEHAVE_BAD)
    serve_error (sc, msg, "not_authorized");
  else
    {
      JsonObject *headers = obj_member (sc->def, "headers");
      g_autoptr(GList) names = headers != NULL ? json_object_get_members (headers) : NULL;
      gboolean missing = FALSE;

      for (GList *l = names; l != NULL; l = l->next)
        if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), l->data) == NULL &&
            !header_may_be_empty (sc, str_member (headers, l->data)))
          missing = TRUE;

      if (missing)
        serve_error (sc, msg, "bad_request");
      else if (portico_sandbox_vendor_region (sc->id, msg, tenant))
        ;
      else if (route->kind == ROUTE_DATA && !route->then_step &&
               portico_sandbox_vendor_refuse (sc->id, (route->main != NULL ? route->main : route)->data_type,
                                              msg, query, body))
        ;
      else if (b == BEHAVE_PLAN && route->kind == ROUTE_DATA
               && g_hash_table_contains (sc->plan_failures,
                                         (route->main != NULL ? route->main : route)->data_type))
        {
          if (!portico_sandbox_vendor_denied (sc->id, (route->main != NULL ? route->main : route)->data_type, msg))
            serve_error (sc, msg, "plan");
        }
      else if (route->kind == ROUTE_IDENTITY)
        {
          g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

          json_node_take_object (root, json_object_new ());
          render_identity (sc, root, tenant);
          set_ok_flag (sc, root);
          set_json (msg, SOUP_STATUS_OK, root);
        }
      else if (route->list_step)
        serve_list (sc, route, msg, query, body);
      else
        serve_page (sc, route, msg, query, body, tenant);
    }

  log_request (self, sc->id, msg, auth_name, fault != PORTICO_SANDBOX_FAULT_NONE ? fault_name (fault) : NULL);

  if (fault == PORTICO_SANDBOX_FAULT_SLOW)
    {
      SlowReply *s = g_new0 (SlowReply, 1);

      s->sandbox = self;
      s->msg = g_object_ref (msg);
      g_signal_connect (msg, "finished", G_CALLBACK (slow_finished_cb), s);
      soup_server_message_pause (msg);
      s->source_id = g_timeout_add (self->slow_delay_ms, slow_timeout_cb, s);
      self->slow_replies = g_list_prepend (self->slow_replies, s);
    }
  else if (fault == PORTICO_SANDBOX_FAULT_TRUNCATED)
    serve_truncated (msg);
}

static void
redirect_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  PorticoSandbox *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter it;
  const char *name, *value;
  gboolean creds = FALSE;
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_headers_iter_init (&it, headers);
  while (soup_message_headers_iter_next (&it, &name, &value))
    {
      if (g_ascii_strcasecmp (name, "Authorization") == 0
          || g_ascii_strcasecmp (name, "Proxy-Authorization") == 0
          || g_ascii_strcasecmp (name, "Cookie") == 0
          || strstr (value, "sandbox-") != NULL || strstr (value, "sbx_") != NULL)
        creds = TRUE;
    }
  for (guint i = 0; i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];
      const char *h = str_member (obj_member (sc->def, "auth"), "header");

      if (h != NULL && soup_message_headers_get_one (headers, h) != NULL)
        creds = TRUE;
    }
  if (g_uri_get_query (uri) != NULL && strstr (g_uri_get_query (uri), "sandbox-") != NULL)
    creds = TRUE;
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      if (data != NULL && len > 0 && g_strstr_len (data, len, "sandbox-") != NULL)
        creds = TRUE;
    }

  self->redirect_hits++;
  if (creds)
    self->redirect_with_credentials++;
  if (g_str_has_prefix (path, "/data/download/"))
    {
      /* A CSV report's download address: good for one download. */
      g_autofree char *token = NULL;
      g_autofree char *csv = NULL;

      if (g_hash_table_steal_extended (self->downloads, path + strlen ("/data/download/"),
                                       (gpointer *) &token, (gpointer *) &csv))
        {
          gsize len = strlen (csv);

          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE,
                                            g_steal_pointer (&csv), len);
          return;
        }
    }
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"error\":\"not_found\"}", 21);
}

static SandboxConnector *
lookup (PorticoSandbox *self, const char *connector_id)
{
  for (guint i = 0; connector_id != NULL && i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];

      if (g_str_equal (sc->id, connector_id))
        return sc;
    }
  return NULL;
}

static void
admin_reply (SoupServerMessage *msg, guint status, JsonNode *root)
{
  set_json (msg, status, root);
}

static void
admin_message (SoupServerMessage *msg, guint status, const char *text)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (root, json_object_new ());
  json_object_set_string_member (json_node_get_object (root), status < 300 ? "result" : "error", text);
  admin_reply (msg, status, root);
}

static void
admin_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  PorticoSandbox *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *connector = query != NULL ? g_hash_table_lookup (query, "connector") : NULL;
  SandboxConnector *sc = lookup (self, connector);

  if (g_str_equal (path, "/_sandbox/faults"))
    {
      const char *kind = query != NULL ? g_hash_table_lookup (query, "kind") : NULL;
      const char *count = query != NULL ? g_hash_table_lookup (query, "count") : NULL;
      const char *delay = query != NULL ? g_hash_table_lookup (query, "delay_ms") : NULL;
      PorticoSandboxFault f = PORTICO_SANDBOX_FAULT_NONE;

      if (g_str_equal (method, "DELETE"))
        {
          for (guint i = 0; i < self->connectors->len; i++)
            if (sc == NULL || self->connectors->pdata[i] == sc)
              portico_sandbox_set_fault (self, ((SandboxConnector *) self->connectors->pdata[i])->id,
                                         PORTICO_SANDBOX_FAULT_NONE, 0);
          admin_message (msg, SOUP_STATUS_OK, "faults cleared");
          return;
        }
      if (!g_str_equal (method, "POST"))
        {
          admin_message (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use POST or DELETE");
          return;
        }
      if (sc == NULL)
        {
          admin_message (msg, SOUP_STATUS_BAD_REQUEST, "unknown connector: pass connector=ID");
          return;
        }
      if (!portico_sandbox_fault_from_string (kind, &f))
        {
          admin_message (msg, SOUP_STATUS_BAD_REQUEST,
                         "unknown kind: use 429, 500, slow, truncated, malformed or redirect");
          return;
        }
      if (delay != NULL)
        portico_sandbox_set_slow_delay (self, parse_uint (delay, self->slow_delay_ms));
      portico_sandbox_set_fault (self, sc->id, f, parse_uint (count, 1));
      admin_message (msg, SOUP_STATUS_OK, "fault set");
      return;
    }

  if (g_str_equal (path, "/_sandbox/oauth"))
    {
      const char *fault = query != NULL ? g_hash_table_lookup (query, "fault") : NULL;
      PorticoSandboxOAuthFault f;

      if (g_str_equal (method, "GET") && sc != NULL)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;
          guint revoked = 0, live = 0;

          portico_sandbox_get_oauth_counts (self, sc->id, &revoked, &live);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "revoked");
          json_builder_add_int_value (b, revoked);
          json_builder_set_member_name (b, "refresh_tokens");
          json_builder_add_int_value (b, live);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          admin_reply (msg, SOUP_STATUS_OK, root);
          return;
        }
      if (!g_str_equal (method, "POST"))
        {
          admin_message (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use GET connector=ID, or POST connector=ID and fault=NAME");
          return;
        }
      if (sc == NULL || !portico_sandbox_oauth_fault_from_string (fault, &f))
        {
          admin_message (msg, SOUP_STATUS_BAD_REQUEST,
                         "pass connector=ID and fault=none, deny, wrong_state, expire_refresh or revoke_refresh");
          return;
        }
      portico_sandbox_set_oauth_fault (self, sc->id, f);
      admin_message (msg, SOUP_STATUS_OK, "sign-in fault set");
      return;
    }

  if (g_str_equal (path, "/_sandbox/credentials"))
    {
      const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;

      if (!g_str_equal (method, "POST"))
        {
          admin_message (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use POST");
          return;
        }
      if (sc == NULL || state == NULL || (!g_str_equal (state, "bad") && !g_str_equal (state, "ok")))
        {
          admin_message (msg, SOUP_STATUS_BAD_REQUEST, "pass connector=ID and state=bad or state=ok");
          return;
        }
      portico_sandbox_break_credentials (self, sc->id, g_str_equal (state, "bad"));
      admin_message (msg, SOUP_STATUS_OK, "credentials updated");
      return;
    }

  if (g_str_equal (path, "/_sandbox/requests"))
    {
      g_autoptr(JsonNode) all = portico_sandbox_get_requests (self);

      if (connector != NULL)
        {
          JsonArray *filtered = json_array_new ();
          JsonArray *arr = json_node_get_array (all);

          for (guint i = 0; i < json_array_get_length (arr); i++)
            {
              JsonObject *e = json_array_get_object_element (arr, i);

              if (g_strcmp0 (str_member (e, "connector"), connector) == 0)
                json_array_add_object_element (filtered, json_object_ref (e));
            }
          json_node_take_array (all, filtered);
        }
      admin_reply (msg, SOUP_STATUS_OK, all);
      return;
    }

  if (g_str_equal (path, "/_sandbox/redirects"))
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *o = json_object_new ();

      json_object_set_int_member (o, "requests", self->redirect_hits);
      json_object_set_int_member (o, "with_credentials", self->redirect_with_credentials);
      json_node_take_object (root, o);
      admin_reply (msg, SOUP_STATUS_OK, root);
      return;
    }

  if (g_str_equal (path, "/_sandbox/expected"))
    {
      const char *dt = query != NULL ? g_hash_table_lookup (query, "data_type") : NULL;
      JsonArray *arr = sc != NULL && dt != NULL ? portico_sandbox_get_expected (self, sc->id, dt) : NULL;
      g_autoptr(JsonNode) root = NULL;

      if (sc != NULL && dt == NULL)
        {
          root = json_node_new (JSON_NODE_OBJECT);
          json_node_set_object (root, sc->expected_identity);
        }
      else if (arr == NULL)
        {
          admin_message (msg, SOUP_STATUS_NOT_FOUND, "unknown connector or data type");
          return;
        }
      else
        {
          root = json_node_new (JSON_NODE_ARRAY);
          json_node_set_array (root, arr);
        }
      admin_reply (msg, SOUP_STATUS_OK, root);
      return;
    }

  if (g_str_equal (path, "/_sandbox/info") || g_str_equal (path, "/_sandbox") || g_str_equal (path, "/"))
    {
      g_autoptr(JsonNode) root = portico_sandbox_describe (self);

      admin_reply (msg, SOUP_STATUS_OK, root);
      return;
    }

  admin_message (msg, SOUP_STATUS_NOT_FOUND, "unknown admin path");
}

/* ---------------------------------------------------------------------- */
/* Object                                                                  */

static void
portico_sandbox_dispose (GObject *object)
{
  PorticoSandbox *self = PORTICO_SANDBOX (object);

  portico_sandbox_stop (self);
  g_clear_object (&self->catalog);
  G_OBJECT_CLASS (portico_sandbox_parent_class)->dispose (object);
}

static void
portico_sandbox_finalize (GObject *object)
{
  PorticoSandbox *self = PORTICO_SANDBOX (object);

  g_ptr_array_unref (self->connectors);
  g_clear_pointer (&self->scim, sandbox_connector_free);
  g_clear_pointer (&self->data, portico_sandbox_data_free);
  g_clear_pointer (&self->requests, json_array_unref);
  g_free (self->admin_url);
  g_free (self->redirect_url);
  g_hash_table_unref (self->downloads);
  G_OBJECT_CLASS (portico_sandbox_parent_class)->finalize (object);
}

static void
portico_sandbox_class_init (PorticoSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = portico_sandbox_dispose;
  object_class->finalize = portico_sandbox_finalize;
}

static void
portico_sandbox_init (PorticoSandbox *self)
{
  self->connectors = g_ptr_array_new_with_free_func (sandbox_connector_free);
  self->requests = json_array_new ();
  self->downloads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->slow_delay_ms = 60000;
}

static int
compare_connectors (gconstpointer a, gconstpointer b)
{
  const SandboxConnector *ca = *(SandboxConnector * const *) a;
  const SandboxConnector *cb = *(SandboxConnector * const *) b;
  gboolean custom_a = portico_connector_is_custom (ca->connector);
  gboolean custom_b = portico_connector_is_custom (cb->connector);

  /* Shipped ones first, so that adding a custom integration never moves
   * the port of an account connected in demo mode. */
  if (custom_a != custom_b)
    return custom_a ? 1 : -1;
  return strcmp (ca->id, cb->id);
}

/* The SCIM 2.0 service for the custom connector template, with its own id
 * so that it never meets a custom connector saved from the template. */
static SandboxConnector *
scim_connector_new (PorticoSandbox *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = portico_catalog_dup_template (PORTICO_TEMPLATE_SCIM, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(PorticoConnector) connector = NULL;
  g_autofree char *renamed = NULL;
  SandboxConnector *sc;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("No SCIM 2.0 service: %s", error != NULL ? error->message : "not an object");
      return NULL;
    }
  json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)), "id", "sandbox-scim");
  generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  renamed = json_generator_to_data (generator, NULL);
  connector = portico_connector_new_from_data (renamed, -1, PORTICO_TEMPLATE_SCIM, TRUE, &error);
  if (connector == NULL)
    {
      g_debug ("No SCIM 2.0 service: %s", error->message);
      return NULL;
    }
  portico_sandbox_data_add_app (self->data, "sandbox-scim", "SCIM 2.0 app", "other");
  sc = sandbox_connector_new (self, connector);

  /* The items hold what the template maps; a SCIM service also says what
   * each resource is and which email is the primary one (RFC 7643 sections
   * 3 and 4.1.2). */
  for (guint r = 0; r < sc->routes->len; r++)
    {
      Route *route = sc->routes->pdata[r];

      for (guint i = 0; route->items != NULL && i < json_array_get_length (route->items); i++)
        {
          JsonObject *user = json_array_get_object_element (route->items, i);
          JsonArray *schemas = json_array_new ();
          JsonObject *meta = json_object_new ();
          JsonArray *emails;

          if (user == NULL)
            continue;
          json_array_add_string_element (schemas, "urn:ietf:params:scim:schemas:core:2.0:User");
          json_object_set_array_member (user, "schemas", schemas);
          json_object_set_string_member (meta, "resourceType", "User");

          json_object_set_object_member (user, "meta", meta);
          emails = json_object_has_member (user, "emails") &&
                   JSON_NODE_HOLDS_ARRAY (json_object_get_member (user, "emails"))
                   ? json_object_get_array_member (user, "emails") : NULL;
          /* The template reads the primary email by its "primary" flag
           * (RFC 7643 2.4: multi-valued attributes are unordered), so the
           * generated items already list another address first: it gets a
           * home address. Without flags the first address is the primary. */
          for (guint e = 0; emails != NULL && e < json_array_get_length (emails); e++)
            {
              JsonObject *email = json_array_get_object_element (emails, e);
              gboolean primary;

              if (email == NULL)
                continue;
              if (!json_object_has_member (email, "primary"))
                json_object_set_boolean_member (email, "primary", e == 0);
              primary = json_object_get_boolean_member_with_default (email, "primary", FALSE);
              if (!json_object_has_member (email, "value"))
                {
                  g_autofree char *home = g_strdup_printf ("user%u@home.example", i);

                  json_object_set_string_member (email, "value", home);
                }
              json_object_set_string_member (email, "type", primary ? "work" : "home");
              /* userName is required (RFC 7643 4.1.1); services often use the email. */
              if (primary && !json_object_has_member (user, "userName"))
                json_object_set_string_member (user, "userName",
                                               json_object_get_string_member_with_default (email, "value", ""));
            }
          /* A user with the primary address only gets a home address
           * before it, whatever the definition reads. */
          if (emails != NULL && json_array_get_length (emails) == 1)
            {
              JsonArray *both = json_array_new ();
              JsonObject *home = json_object_new ();
              g_autofree char *value = g_strdup_printf ("user%u@home.example", i);

              json_object_set_string_member (home, "value", value);
              json_object_set_string_member (home, "type", "home");
              json_object_set_boolean_member (home, "primary", FALSE);
              json_array_add_object_element (both, home);
              json_array_add_element (both, json_node_copy (json_array_get_element (emails, 0)));
              json_object_set_array_member (user, "emails", both);
            }
        }
    }
  return sc;
}

/* Ports from @port_base: the shipped connectors, the admin endpoint, the
 * redirect target, the SCIM service, then the custom connectors. */
static guint
connector_port (PorticoSandbox *self,
                guint           port_base,
                guint           i)
{
  if (port_base == 0)
    return 0;
  return i < self->n_shipped ? port_base + i : port_base + i + 3;
}

PorticoSandbox *
portico_sandbox_new (PorticoCatalog *catalog, guint seed, guint size)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) day = NULL;

  /* Dates are relative to today (UTC midnight), so the data looks current
   * and stays the same for a whole day. */
  day = g_date_time_new_utc (g_date_time_get_year (now), g_date_time_get_month (now),
                             g_date_time_get_day_of_month (now), 0, 0, 0);
  return portico_sandbox_new_for_day (catalog, seed, size, g_date_time_to_unix (day));
}

PorticoSandbox *
portico_sandbox_new_for_day (PorticoCatalog *catalog, guint seed, guint size, gint64 day)
{
  PorticoSandbox *self;
  GListModel *model;
  guint n;

  g_return_val_if_fail (PORTICO_IS_CATALOG (catalog), NULL);

  self = g_object_new (PORTICO_TYPE_SANDBOX, NULL);
  self->catalog = g_object_ref (catalog);
  self->seed = seed;
  self->size = size > 0 ? size : 200;
  self->data = portico_sandbox_data_new (seed, self->size, day);

  model = G_LIST_MODEL (catalog);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) c = g_list_model_get_item (model, i);

      portico_sandbox_data_add_app (self->data, portico_connector_get_id (c),
                                    portico_connector_get_name (c),
                                    portico_connector_get_category (c));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) c = g_list_model_get_item (model, i);

      if (portico_connector_get_definition (c) == NULL)
        continue;
      g_ptr_array_add (self->connectors, sandbox_connector_new (self, c));
    }
  g_ptr_array_sort (self->connectors, compare_connectors);
  for (guint i = 0; i < self->connectors->len; i++)
    if (!portico_connector_is_custom (((SandboxConnector *) self->connectors->pdata[i])->connector))
      self->n_shipped = i + 1;
  self->scim = scim_connector_new (self);
  return self;
}

static char *
listen_url (SoupServer *server, guint port, GError **error)
{
  g_autoptr(GSList) uris = NULL;
  char *url;

  if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (server);
  if (uris == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The sandbox could not listen on 127.0.0.1.");
      return NULL;
    }
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return url;
}

gboolean
portico_sandbox_start (PorticoSandbox *self, guint port_base, GError **error)
{
  guint n;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  n = self->n_shipped;
  for (guint i = 0; i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];

      sc->server = soup_server_new (NULL, NULL);
      soup_server_add_handler (sc->server, NULL, connector_handler, sc, NULL);
      sc->base_url = listen_url (sc->server, connector_port (self, port_base, i), error);
      if (sc->base_url == NULL)
        {
          g_prefix_error (error, "Cannot serve %s: ", sc->id);
          portico_sandbox_stop (self);
          return FALSE;
        }
    }

  self->admin = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->admin, NULL, admin_handler, self, NULL);
  {
    g_autofree char *url = listen_url (self->admin, port_base > 0 ? port_base + n : 0, error);

    if (url == NULL)
      {
        portico_sandbox_stop (self);
        return FALSE;
      }
    self->admin_url = g_strconcat (url, "/_sandbox", NULL);
  }

  self->redirect = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->redirect, NULL, redirect_handler, self, NULL);
  self->redirect_url = listen_url (self->redirect, port_base > 0 ? port_base + n + 1 : 0, error);
  if (self->redirect_url == NULL)
    {
      portico_sandbox_stop (self);
      return FALSE;
    }

  if (self->scim != NULL)
    {
      self->scim->server = soup_server_new (NULL, NULL);
      soup_server_add_handler (self->scim->server, NULL, connector_handler, self->scim, NULL);
      self->scim->base_url = listen_url (self->scim->server, port_base > 0 ? port_base + n + 2 : 0, error);
      if (self->scim->base_url == NULL)
        {
          portico_sandbox_stop (self);
          return FALSE;
        }
    }

  self->started = TRUE;
  return TRUE;
}

void
portico_sandbox_stop (PorticoSandbox *self)
{
  g_return_if_fail (PORTICO_IS_SANDBOX (self));

  g_list_free_full (g_steal_pointer (&self->slow_replies), (GDestroyNotify) slow_reply_free);
  for (guint i = 0; i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];

      if (sc->server != NULL)
        {
          soup_server_disconnect (sc->server);
          g_clear_object (&sc->server);
        }
      g_clear_pointer (&sc->base_url, g_free);
    }
  if (self->scim != NULL && self->scim->server != NULL)
    {
      soup_server_disconnect (self->scim->server);
      g_clear_object (&self->scim->server);
    }
  if (self->scim != NULL)
    g_clear_pointer (&self->scim->base_url, g_free);
  if (self->admin != NULL)
    soup_server_disconnect (self->admin);
  g_clear_object (&self->admin);
  if (self->redirect != NULL)
    soup_server_disconnect (self->redirect);
  g_clear_object (&self->redirect);
  g_clear_pointer (&self->admin_url, g_free);
  g_clear_pointer (&self->redirect_url, g_free);
  self->started = FALSE;
}

GStrv
portico_sandbox_get_connector_ids (PorticoSandbox *self)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  for (guint i = 0; i < self->connectors->len; i++)
    g_strv_builder_add (b, ((SandboxConnector *) self->connectors->pdata[i])->id);
  return g_strv_builder_end (b);
}

const char *
portico_sandbox_get_base_url (PorticoSandbox *self, const char *connector_id)
{
  SandboxConnector *sc;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  sc = lookup (self, connector_id);
  return sc != NULL ? sc->base_url : NULL;
}

const char *
portico_sandbox_get_scim_url (PorticoSandbox *self)
{
  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  return self->scim != NULL ? self->scim->base_url : NULL;
}

const char *
portico_sandbox_get_admin_url (PorticoSandbox *self)
{
  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  return self->admin_url;
}

GHashTable *
portico_sandbox_get_field_values (PorticoSandbox *self,
                                  const char     *connector_id,
                                  const char     *secret_kind)
{
  SandboxConnector *sc;
  GHashTable *values;
  const char *secret = PORTICO_SANDBOX_SECRET_OK;
  GHashTableIter it;
  gpointer k, v;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  sc = lookup (self, connector_id);
  if (sc == NULL)
    return NULL;
  if (g_strcmp0 (secret_kind, "plan") == 0)
    secret = PORTICO_SANDBOX_SECRET_PLAN;
  else if (g_strcmp0 (secret_kind, "bad") == 0)
    secret = PORTICO_SANDBOX_SECRET_BAD;

  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&it, sc->fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (values, g_strdup (k), g_strdup (v));
  for (guint i = 0; i < sc->secret_fields->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s\x1f%s", secret_kind != NULL ? secret_kind : "ok",
                                              (const char *) sc->secret_fields->pdata[i]);
      const char *sv = g_hash_table_lookup (sc->secrets, key);

      g_hash_table_insert (values, g_strdup (sc->secret_fields->pdata[i]), g_strdup (sv != NULL ? sv : secret));
    }
  if (sc->base_url != NULL)
    g_hash_table_insert (values, g_strdup ("api_base_url"), g_strdup (sc->base_url));
  return values;
}

GStrv
portico_sandbox_get_plan_failures (PorticoSandbox *self, const char *connector_id)
{
  SandboxConnector *sc;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  sc = lookup (self, connector_id);
  for (guint i = 0; sc != NULL && data_type_order[i]; i++)
    if (g_hash_table_contains (sc->plan_failures, data_type_order[i]))
      g_strv_builder_add (b, data_type_order[i]);
  return g_strv_builder_end (b);
}

void
portico_sandbox_set_fault (PorticoSandbox     *self,
                           const char         *connector_id,
                           PorticoSandboxFault fault,
                           guint               count)
{
  SandboxConnector *sc;

  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  sc = lookup (self, connector_id);
  g_return_if_fail (sc != NULL);
  sc->fault = count > 0 ? fault : PORTICO_SANDBOX_FAULT_NONE;
  sc->fault_count = fault != PORTICO_SANDBOX_FAULT_NONE ? count : 0;
}

void
portico_sandbox_set_slow_delay (PorticoSandbox *self, guint milliseconds)
{
  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  self->slow_delay_ms = milliseconds;
}

void
portico_sandbox_break_credentials (PorticoSandbox *self,
                                   const char     *connector_id,
                                   gboolean        broken)
{
  SandboxConnector *sc;

  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  sc = lookup (self, connector_id);
  g_return_if_fail (sc != NULL);
  sc->broken = broken;
  if (broken)
    g_hash_table_remove_all (sc->tokens);
}

JsonArray *
portico_sandbox_get_expected (PorticoSandbox *self,
                              const char     *connector_id,
                              const char     *data_type_id)
{
  SandboxConnector *sc;
  JsonArray *expected;
  const char *text;
  g_autoptr(JsonNode) parsed = NULL;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  sc = lookup (self, connector_id);
  if (sc == NULL || data_type_id == NULL)
    return NULL;
  expected = g_hash_table_lookup (sc->expected, data_type_id);
  if (expected != NULL)
    return expected;
  text = g_hash_table_lookup (sc->expected_text, data_type_id);
  if (text == NULL)
    return NULL;
  parsed = json_from_string (text, NULL);
  g_return_val_if_fail (parsed != NULL && JSON_NODE_HOLDS_ARRAY (parsed), NULL);
  expected = json_array_ref (json_node_get_array (parsed));
  g_hash_table_insert (sc->expected, g_strdup (data_type_id), expected);
  return expected;
}

JsonObject *
portico_sandbox_get_expected_identity (PorticoSandbox *self, const char *connector_id)
{
  SandboxConnector *sc;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  sc = lookup (self, connector_id);
  return sc != NULL ? sc->expected_identity : NULL;
}

JsonNode *
portico_sandbox_get_requests (PorticoSandbox *self)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);
  /* A deep copy, so that the caller can keep it while requests go on. */
  root = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (root, self->requests);
  text = json_to_string (root, FALSE);
  return json_from_string (text, NULL);
}

guint
portico_sandbox_get_redirect_hits (PorticoSandbox *self, guint *with_credentials)
{
  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), 0);
  if (with_credentials != NULL)
    *with_credentials = self->redirect_with_credentials;
  return self->redirect_hits;
}

JsonNode *
portico_sandbox_describe (PorticoSandbox *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (PORTICO_IS_SANDBOX (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scim_url");
  if (self->scim != NULL && self->scim->base_url != NULL)
    json_builder_add_string_value (b, self->scim->base_url);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "admin_url");
  if (self->admin_url != NULL)
    json_builder_add_string_value (b, self->admin_url);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, self->seed);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, self->size);
  json_builder_set_member_name (b, "connectors");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];
      g_auto(GStrv) plan = portico_sandbox_get_plan_failures (self, sc->id);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, sc->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, portico_connector_get_name (sc->connector));
      json_builder_set_member_name (b, "api_base_url");
      if (sc->base_url != NULL)
        json_builder_add_string_value (b, sc->base_url);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "fields");
      json_builder_begin_object (b);
      for (guint k = 0; k < sc->field_order->len; k++)
        {
          const char *v = g_hash_table_lookup (sc->fields, sc->field_order->pdata[k]);

          if (v == NULL)
            continue;
          json_builder_set_member_name (b, sc->field_order->pdata[k]);
          json_builder_add_string_value (b, v);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "secret_fields");
      json_builder_begin_array (b);
      for (guint k = 0; k < sc->secret_fields->len; k++)
        json_builder_add_string_value (b, sc->secret_fields->pdata[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "secrets");
      json_builder_begin_object (b);
      {
        static const char * const kinds[][2] = {
          { "ok", PORTICO_SANDBOX_SECRET_OK },
          { "plan", PORTICO_SANDBOX_SECRET_PLAN },
          { "bad", PORTICO_SANDBOX_SECRET_BAD },
        };

        /* Every secret field takes the same value, made to fit the first
         * secret field's pattern when it has one. */
        for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
          {
            g_autofree char *key = sc->secret_fields->len > 0
              ? g_strdup_printf ("%s\x1f%s", kinds[k][0], (const char *) sc->secret_fields->pdata[0])
              : NULL;
            const char *v = key != NULL ? g_hash_table_lookup (sc->secrets, key) : NULL;

            json_builder_set_member_name (b, kinds[k][0]);
            json_builder_add_string_value (b, v != NULL ? v : kinds[k][1]);
          }
      }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "plan_failures");
      json_builder_begin_array (b);
      for (guint k = 0; plan[k]; k++)
        json_builder_add_string_value (b, plan[k]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Points every connector at the ports another process serves with the same
 * catalog, seed, size and @port_base, without listening itself. */
void
portico_sandbox_join (PorticoSandbox *self,
                      guint           port_base)
{
  guint n;

  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (port_base > 0);

  n = self->n_shipped;
  for (guint i = 0; i < self->connectors->len; i++)
    {
      SandboxConnector *sc = self->connectors->pdata[i];

      g_free (sc->base_url);
      sc->base_url = g_strdup_printf ("http://127.0.0.1:%u", connector_port (self, port_base, i));
    }
  if (self->scim != NULL)
    {
      g_free (self->scim->base_url);
      self->scim->base_url = g_strdup_printf ("http://127.0.0.1:%u", port_base + n + 2);
    }
  g_free (self->admin_url);
  self->admin_url = g_strdup_printf ("http://127.0.0.1:%u/_sandbox", port_base + n);
}

guint
portico_sandbox_demo_port_base (void)
{
  const char *env = g_getenv ("PORTICO_DEMO_PORT_BASE");
  guint64 value = 0;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1024, 65000, &value, NULL))
    return (guint) value;
  return PORTICO_SANDBOX_DEMO_PORT_BASE;
}

PorticoSandbox *
portico_sandbox_new_demo (PorticoCatalog *catalog,
                          gboolean       *out_joined,
                          GError        **error)
{
  g_autoptr(PorticoSandbox) self = portico_sandbox_new (catalog, 1, 0);
  g_autoptr(GError) local_error = NULL;
  guint base = portico_sandbox_demo_port_base ();

  if (out_joined != NULL)
    *out_joined = FALSE;

  if (portico_sandbox_start (self, base, &local_error))
    return g_steal_pointer (&self);

  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Another Portico in demo mode (the app, or a CLI run) serves it already. */
  portico_sandbox_join (self, base);
  if (out_joined != NULL)
    *out_joined = TRUE;
  return g_steal_pointer (&self);
}

void
portico_sandbox_set_oauth_fault (PorticoSandbox          *self,
                                 const char              *connector_id,
                                 PorticoSandboxOAuthFault fault)
{
  SandboxConnector *sc;

  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  sc = lookup (self, connector_id);
  g_return_if_fail (sc != NULL);
  sc->oauth_fault = fault;
  /* Revoking or expiring takes effect on the tokens already issued. */
  if (fault == PORTICO_SANDBOX_OAUTH_FAULT_REVOKE_REFRESH)
    g_hash_table_remove_all (sc->refresh_tokens);
}

void
portico_sandbox_get_oauth_counts (PorticoSandbox *self,
                                  const char     *connector_id,
                                  guint          *revoked,
                                  guint          *refresh_tokens)
{
  SandboxConnector *sc;

  g_return_if_fail (PORTICO_IS_SANDBOX (self));
  sc = lookup (self, connector_id);
  g_return_if_fail (sc != NULL);
  if (revoked != NULL)
    *revoked = sc->revoked;
  if (refresh_tokens != NULL)
    *refresh_tokens = g_hash_table_size (sc->refresh_tokens);
}

#include "portico-sandbox-oauth.c"
