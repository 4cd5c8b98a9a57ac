/* portico-runtime.c: the one generic interpreter of connector definitions.
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
#include "portico-runtime.h"

#define MAX_REDIRECTS 5
#define PROVIDER_MESSAGE_MAX 300
/* A token is fetched again this long before it expires. */
#define TOKEN_EXPIRY_MARGIN_US (30 * G_USEC_PER_SEC)

struct _PorticoRuntime
{
  GObject parent_instance;

  SoupSession *session;
  GHashTable *hosts;  /* origin key → HostSlot */
  GHashTable *tokens; /* cache key → TokenEntry */

  guint max_per_host;
  guint timeout;
  guint retry_base_ms;
  guint max_retry_delay_ms;
  guint max_attempts;
  guint total_timeout;
};

enum {
  SIGNAL_SECRET_ROTATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PorticoRuntime, portico_runtime, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_PER_HOST,
  PROP_TIMEOUT,
  PROP_RETRY_BASE_MS,
  PROP_MAX_RETRY_DELAY_MS,
  PROP_MAX_ATTEMPTS,
  PROP_TOTAL_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* Secrets in memory                                                         */

/* portico_secret_free() overwrites a string that may hold a secret (a
 * field value, a header, a token, a request body with credentials) before
 * freeing it, so that it does not linger in freed memory or a core dump. */
typedef char ScrubbedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScrubbedString, portico_secret_free)

/* ------------------------------------------------------------------------ */
/* Per-host slots                                                            */

typedef struct
{
  guint active;
  GQueue waiting; /* GTask of SendOp, owned */
} HostSlot;

static void
host_slot_free (HostSlot *slot)
{
  g_queue_clear_full (&slot->waiting, g_object_unref);
  g_free (slot);
}

/* ------------------------------------------------------------------------ */
/* Token cache                                                               */

typedef struct
{
  char *token;
  char *refresh_token; /* authorization code: the newest one, after rotations */
  gint64 expires_at; /* monotonic µs */
  gboolean fetching;
  GPtrArray *waiters; /* GTask */
} TokenEntry;

static void
token_entry_free (TokenEntry *entry)
{
  portico_secret_free (entry->token);
  portico_secret_free (entry->refresh_token);
  g_ptr_array_unref (entry->waiters);
  g_free (entry);
}

/* ------------------------------------------------------------------------ */
/* Accounts: a connector with its field values, ready to build requests      */

typedef struct
{
  char *name;
  char *value;
  gboolean credential;
} RequestHeader;

static void
request_header_free (RequestHeader *header)
{
  g_free (header->name);
  portico_secret_free (header->value);
  g_free (header);
}

static RequestHeader *
request_header_new (const char *name,
                    const char *value,
                    gboolean    credential)
{
  RequestHeader *header = g_new0 (RequestHeader, 1);

  header->name = g_strdup (name);
  header->value = g_strdup (value);
  header->credential = credential;
  return header;
}

typedef enum
{
  GRANT_NONE,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_REFRESH_TOKEN,
  GRANT_JWT_BEARER,
  GRANT_AUTHORIZATION_CODE, /* only the sign-in's exchange */
} TokenGrant;

typedef struct
{
  gatomicrefcount ref;
  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;   /* every field id → value ("" when unset) */
  GUri *api_base;       /* nullable */
  GUri *base_uri;       /* templated and rebased base_url */
  GUri *named_base;     /* templated base_url before api_base_url */
  char *base_url;       /* the same, without a trailing slash */
  GPtrArray *secrets;   /* values to keep out of messages */

  GPtrArray *headers;      /* RequestHeader: connector headers */
  GPtrArray *cred_headers; /* RequestHeader: header and basic auth */
  JsonObject *cred_body;   /* body auth, nullable */

  /* OAuth2: client credentials, refresh token or JWT bearer grants */
  gboolean oauth;
  TokenGrant grant;
  GHashTable *caller_values; /* the caller's table: a rotated refresh token goes there */
  char *refresh_token;       /* authorization code, nullable before the sign-in */
  char *authorize_url;       /* authorization code */
  JsonObject *authorize_params;
  PorticoServiceAccountKey *sa_key; /* JWT bearer */
  char *jwt_subject;
  GUri *token_uri;
  char *client_id;
  char *client_secret;
  char *scope;
  gboolean client_auth_body;
  JsonObject *token_params;
  char *token_key;
} Account;

static void
account_unref (Account *account)
{
  if (!g_atomic_ref_count_dec (&account->ref))
    return;

  g_clear_object (&account->runtime);
  g_clear_object (&account->connector);
  g_clear_pointer (&account->values, g_hash_table_unref);
  g_clear_pointer (&account->api_base, g_uri_unref);
  g_clear_pointer (&account->base_uri, g_uri_unref);
  g_clear_pointer (&account->named_base, g_uri_unref);
  g_clear_pointer (&account->base_url, g_free);
  g_clear_pointer (&account->secrets, g_ptr_array_unref);
  g_clear_pointer (&account->headers, g_ptr_array_unref);
  g_clear_pointer (&account->cred_headers, g_ptr_array_unref);
  g_clear_pointer (&account->cred_body, json_object_unref);
  g_clear_pointer (&account->token_uri, g_uri_unref);
  g_clear_pointer (&account->client_id, g_free);
  g_clear_pointer (&account->client_secret, portico_secret_free);
  g_clear_pointer (&account->scope, g_free);
  g_clear_pointer (&account->token_params, json_object_unref);
  g_clear_pointer (&account->token_key, g_free);
  g_clear_pointer (&account->caller_values, g_hash_table_unref);
  g_clear_pointer (&account->refresh_token, portico_secret_free);
  g_clear_pointer (&account->authorize_url, g_free);
  g_clear_pointer (&account->authorize_params, json_object_unref);
  g_clear_pointer (&account->sa_key, portico_service_account_key_free);
  g_clear_pointer (&account->jwt_subject, g_free);
  g_free (account);
}

static Account *
account_ref (Account *account)
{
  g_atomic_ref_count_inc (&account->ref);
  return account;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_unref)

static const char *
account_name (Account *account)
{
  return portico_connector_get_name (account->connector);
}

/* Replaces every secret value in @text; used on anything a provider sends
 * back before it reaches a message or a log line. */
static char *
account_redact (Account    *account,
                const char *text,
                const char *extra_secret)
{
  g_autoptr(GString) out = NULL;

  if (text == NULL)
    return NULL;

  out = g_string_new (text);
  for (guint i = 0; i <= account->secrets->len; i++)
    {
      const char *secret = i < account->secrets->len ? g_ptr_array_index (account->secrets, i) : extra_secret;

      if (secret == NULL || strlen (secret) < 4)
        continue;
      g_string_replace (out, secret, "[hidden]", 0);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
json_object_get_string_or (JsonObject *object,
                           const char *member,
                           const char *fallback)
{
  JsonNode *node;

  if (object == NULL)
    return fallback;
  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static JsonObject *
json_object_get_object_or_null (JsonObject *object,
                                const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* *@out = @a + @b; FALSE (and *@out untouched) when that overflows. */
static gboolean
int64_add (gint64 *out,
           gint64  a,
           gint64  b)
{
  gint64 sum;

  if (__builtin_add_overflow (a, b, &sum))
    return FALSE;
  *out = sum;
  return TRUE;
}

/* @value truncated to an integer, clamped to the range of gint64 (a cast
 * of an out-of-range double is undefined); NaN gives @fallback. */
static gint64
double_to_int64 (double value,
                 gint64 fallback)
{
  if (isnan (value))
    return fallback;
  if (value >= 9223372036854775808.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) value;
}

static gint64
json_object_get_int_or (JsonObject *object,
                        const char *member,
                        gint64      fallback)
{
  JsonNode *node;

  if (object == NULL)
    return fallback;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return double_to_int64 (json_node_get_double (node), fallback);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      gint64 value;
      if (g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64, G_MAXINT64, &value, NULL))
        return value;
    }
  return fallback;
}

/* A scalar JSON value as text: strings as they are, numbers in decimal,
 * booleans as "true"/"false". NULL for null, objects and arrays. */
static char *
json_scalar_to_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        double value = json_node_get_double (node);
        if (value > -9223372036854775808.0 && value < 9223372036854775808.0 && value == (double) (gint64) value)
          return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
      }
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

static gboolean
json_node_is_true (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  text = json_scalar_to_string (node);
  return g_strcmp0 (text, "true") == 0;
}

/* Evaluates an expression; an empty path means the whole document. */
static JsonNode *
eval_expr (Account  *account,
           JsonNode *expr,
           JsonNode *root)
{
  if (expr == NULL || JSON_NODE_HOLDS_NULL (expr))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (expr) &&
      json_node_get_value_type (expr) == G_TYPE_STRING &&
      *json_node_get_string (expr) == '\0')
    return root != NULL ? json_node_copy (root) : NULL;
  if (root == NULL)
    return NULL;
  return portico_expr_eval (expr, root, account->values);
}

static char *
eval_expr_string (Account  *account,
                  JsonNode *expr,
                  JsonNode *root)
{
  g_autoptr(JsonNode) node = eval_expr (account, expr, root);

  return json_scalar_to_string (node);
}

static char *
expand (Account    *account,
        const char *template_str,
        gboolean    uri_escape,
        GError    **error)
{
  return portico_template_expand (template_str, account->values, uri_escape, error);
}

/* A copy of @node with every string expanded as a template. */
static JsonNode *
expand_node (Account  *account,
             JsonNode *node,
             GError  **error)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(JsonObject) copy = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *child = expand_node (account, json_object_get_member (object, l->data), error);
          if (child == NULL)
            return NULL;
          json_object_set_member (copy, l->data, child);
        }
      return json_node_init_object (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *child = expand_node (account, json_array_get_element (array, i), error);
          if (child == NULL)
            return NULL;
          json_array_add_element (copy, child);
        }
      return json_node_init_array (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autofree char *text = expand (account, json_node_get_string (node), FALSE, error);
      if (text == NULL)
        return NULL;
      return json_node_init_string (json_node_alloc (), text);
    }

  return json_node_copy (node);
}

/* Format v2 "scope_from_permission": the scopes of the account's permission
 * level (read unless told), space-separated as OAuth wants them. */
static char *
permission_scope (PorticoConnector *connector,
                  const char       *permission)
{
  JsonArray *permissions = json_object_get_array_member (portico_connector_get_definition (connector),
                                                         "permissions");
  g_autoptr(GString) scope = g_string_new (NULL);

  if (permission == NULL || *permission == '\0')
    permission = "read";
  for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
    {
      JsonObject *perm = json_array_get_object_element (permissions, i);
      JsonArray *scopes;

      if (g_strcmp0 (json_object_get_string_or (perm, "id", NULL), permission) != 0 ||
          !json_object_has_member (perm, "scopes"))
        continue;
      scopes = json_object_get_array_member (perm, "scopes");
      for (guint k = 0; k < json_array_get_length (scopes); k++)
        {
          if (scope->len > 0)
            g_string_append_c (scope, ' ');
          g_string_append (scope, json_array_get_string_element (scopes, k));
        }
    }
  return g_string_free (g_steal_pointer (&scope), FALSE);
}

static JsonObject *
expand_object (Account    *account,
               JsonObject *object,
               GError    **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) wrapped = NULL;

  if (object == NULL)
    return NULL;

  wrapped = json_node_init_object (json_node_alloc (), object);
  node = expand_node (account, wrapped, error);
  if (node == NULL)
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* Whether @template_str names a secret field: such a header is a credential. */
static gboolean
template_mentions_secret (Account    *account,
                          const char *template_str)
{
  GPtrArray *fields = portico_connector_get_fields (account->connector);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      g_autofree char *needle = NULL;

      if (!portico_connector_field_is_secret (field))
        continue;
      needle = g_strdup_printf ("{%s}", field->id);
      if (strstr (template_str, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
account_add_headers (Account    *account,
                     JsonObject *headers,
                     GPtrArray  *into,
                     GError    **error)
{
  g_autoptr(GList) members = NULL;

  if (headers == NULL)
    return TRUE;

  members = json_object_get_members (headers);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *template_str = json_object_get_string_or (headers, l->data, NULL);
      g_autofree char *value = NULL;

      if (template_str == NULL)
        continue;
      value = expand (account, template_str, FALSE, error);
      if (value == NULL)
        return FALSE;
      g_ptr_array_add (into, request_header_new (l->data, value,
                                                 template_mentions_secret (account, template_str)));
    }
  return TRUE;
}

static GUri *
account_parse_uri (Account    *account,
                   const char *text,
                   GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (text, PORTICO_HTTP_URI_FLAGS, &local_error);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_debug ("Cannot parse a request address of %s: %s",
               portico_connector_get_id (account->connector),
               local_error ? local_error->message : "no host");
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The address for %s is not valid. Check the subdomain, region or API base URL you entered."),
                   account_name (account));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 && portico_http_host_is_loopback (g_uri_get_host (uri))))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The address for %s must start with https://. Plain http:// is only allowed for this computer (localhost)."),
                   account_name (account));
      return NULL;
    }

  return portico_http_rebase (uri, account->api_base);
}

/* A token belongs to exactly these credentials: another secret, refresh
 * token, key or other token parameters (Zoom's account id) must not reuse
 * it. The key holds a digest, never a secret itself. */
static void
account_set_token_key (Account    *account,
                       JsonObject *params)
{
  g_autofree char *token_uri_text = g_uri_to_string (account->token_uri);
  g_autofree char *params_text = NULL;
  g_autofree char *material = NULL;
  g_autofree char *digest = NULL;

  if (params != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, params);
      params_text = json_to_string (node, FALSE);
    }
  material = g_strjoin ("\n", account->client_secret ? account->client_secret : "",
                        params_text ? params_text : "",
                        account->refresh_token ? account->refresh_token : "",
                        account->sa_key ? account->sa_key->private_key : "",
                        account->jwt_subject ? account->jwt_subject : "",
                        account->scope ? account->scope : "", NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, material, -1);
  memset (material, 0, strlen (material));
  g_free (account->token_key);
  account->token_key = g_strjoin ("\n", portico_connector_get_id (account->connector),
                                  token_uri_text, account->client_id ? account->client_id : "",
                                  digest, NULL);
}

static const char *
account_permission (Account *account)
{
  const char *permission = g_hash_table_lookup (account->values, PORTICO_VALUE_PERMISSION);

  return permission != NULL && *permission != '\0' ? permission : "read";
}

/* The token endpoint and the client of an OAuth 2 scheme, as every grant
 * that Portico speaks needs them. */
static gboolean
account_init_oauth_client (Account    *account,
                           JsonObject *auth,
                           GError    **error)
{
  g_autofree char *token_url = NULL;

  token_url = expand (account, json_object_get_string_or (auth, "token_url", ""), FALSE, error);
  if (token_url == NULL)
    return FALSE;
  account->token_uri = account_parse_uri (account, token_url, error);
  if (account->token_uri == NULL)
    return FALSE;
  account->client_id = expand (account, json_object_get_string_or (auth, "client_id", ""), FALSE, error);
  if (account->client_id == NULL)
    return FALSE;
  account->client_secret = expand (account, json_object_get_string_or (auth, "client_secret", ""), FALSE, error);
  return account->client_secret != NULL;
}

static gboolean
account_init_authorization_code (Account    *account,
                                 JsonObject *auth,
                                 GError    **error)
{
  JsonObject *params;

  if (!account_init_oauth_client (account, auth, error))
    return FALSE;
  account->authorize_url = expand (account, json_object_get_string_or (auth, "authorize_url", ""), FALSE, error);
  if (account->authorize_url == NULL)
    return FALSE;
  params = json_object_get_object_or_null (auth, "authorize_params");
  if (params != NULL)
    {
      account->authorize_params = expand_object (account, params, error);
      if (account->authorize_params == NULL)
        return FALSE;
    }
  /* A public client (no secret) names itself in the body; a confidential
   * one authenticates as the provider documents, in the body by default. */
  account->client_auth_body = g_strcmp0 (json_object_get_string_or (auth, "client_auth", "body"), "basic") != 0 ||
                              *account->client_secret == '\0';
  account->scope = portico_connector_dup_scope (account->connector, account_permission (account));
  account->oauth = TRUE;
  account->grant = GRANT_REFRESH_TOKEN;
  account_set_token_key (account, NULL);
  return TRUE;
}

static gboolean
account_init_jwt_bearer (Account    *account,
                         JsonObject *auth,
                         GError    **error)
{
  const char *key_field = json_object_get_string_or (auth, "key_field", "");
  const char *key_text = g_hash_table_lookup (account->values, key_field);
  const char *subject = json_object_get_string_or (auth, "subject", NULL);
  g_autoptr(GError) key_error = NULL;

  if (key_text == NULL || *key_text == '\0')
    {
      const PorticoConnectorField *field = portico_connector_get_field (account->connector, key_field);

      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("%s needs the service account’s key file (“%s”). Choose the JSON key file, then test again."),
                   account_name (account), field != NULL ? field->label : key_field);
      return FALSE;
    }
  account->sa_key = portico_service_account_key_parse (key_text, &key_error);
  if (account->sa_key == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&key_error));
      return FALSE;
    }
  /* The assertion's aud is the key file's token_uri exactly as written;
   * the request goes there, rebased by api_base_url like any other. */
  account->token_uri = account_parse_uri (account, account->sa_key->token_uri, error);
  if (account->token_uri == NULL)
    return FALSE;
  if (subject != NULL)
    {
      account->jwt_subject = expand (account, subject, FALSE, error);
      if (account->jwt_subject == NULL)
        return FALSE;
    }
  account->client_id = g_strdup (account->sa_key->client_email);
  account->scope = portico_connector_dup_scope (account->connector, account_permission (account));
  account->oauth = TRUE;
  account->grant = GRANT_JWT_BEARER;
  account_set_token_key (account, NULL);
  return TRUE;
}

static Account *
account_new (PorticoRuntime   *runtime,
             PorticoConnector *connector,
             GHashTable       *field_values,
             GError          **error)
{
  g_autoptr(Account) account = g_new0 (Account, 1);
  GPtrArray *fields;
  JsonObject *definition;
  JsonObject *auth;
  const char *scheme;
  const char *api_base_url;
  g_autofree char *base_url = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_atomic_ref_count_init (&account->ref);
  account->runtime = g_object_ref (runtime);
  account->connector = g_object_ref (connector);
  account->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) portico_secret_free);
  account->secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) portico_secret_free);
  account->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);
  account->cred_headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);

  if (field_values != NULL)
    {
      account->caller_values = g_hash_table_ref (field_values);
      g_hash_table_iter_init (&iter, field_values);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (account->values, g_strdup (key), g_strdup (value ? value : ""));
    }

  /* Every declared field gets a value, so that templates never fail on an
   * optional field left empty. */
  fields = portico_connector_get_fields (connector);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      const char *current = g_hash_table_lookup (account->values, field->id);

      if (current == NULL || *current == '\0')
        g_hash_table_insert (account->values, g_strdup (field->id),
                             g_strdup (field->default_value ? field->default_value : ""));
      if (portico_connector_field_is_secret (field))
        {
          const char *secret = g_hash_table_lookup (account->values, field->id);
          if (secret != NULL && *secret != '\0')
            g_ptr_array_add (account->secrets, g_strdup (secret));
        }
    }

  definition = portico_connector_get_definition (connector);
  auth = portico_connector_get_auth (connector);
  scheme = json_object_get_string_or (auth, "scheme", "none");

  {
    const char *refresh_token = g_hash_table_lookup (account->values, PORTICO_REFRESH_TOKEN_FIELD);

    if (refresh_token != NULL && *refresh_token != '\0')
      {
        account->refresh_token = g_strdup (refresh_token);
        g_ptr_array_add (account->secrets, g_strdup (refresh_token));
      }
  }

  api_base_url = g_hash_table_lookup (account->values, "api_base_url");
  if (api_base_url != NULL && *api_base_url != '\0')
    {
      g_autoptr(GUri) api_base = NULL;

      if (!portico_connector_validate_value (connector, "api_base_url", api_base_url, error))
        return NULL;
      api_base = g_uri_parse (api_base_url, PORTICO_HTTP_URI_FLAGS, NULL);
      if (api_base == NULL || g_uri_get_host (api_base) == NULL ||
          !(g_ascii_strcasecmp (g_uri_get_scheme (api_base), "https") == 0 ||
            (g_ascii_strcasecmp (g_uri_get_scheme (api_base), "http") == 0 &&
             portico_http_host_is_loopback (g_uri_get_host (api_base)))))
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                       _("The API base URL must be an https:// address, or http:// on this computer (localhost)."));
          return NULL;
        }
      account->api_base = g_steal_pointer (&api_base);
    }

  base_url = expand (account, json_object_get_string_or (definition, "base_url", ""), FALSE, error);
  if (base_url == NULL)
    return NULL;
  account->base_uri = account_parse_uri (account, base_url, error);
  if (account->base_uri == NULL)
    return NULL;
  account->named_base = g_uri_parse (base_url, PORTICO_HTTP_URI_FLAGS, NULL);
  account->base_url = g_uri_to_string (account->base_uri);
  while (g_str_has_suffix (account->base_url, "/"))
    account->base_url[strlen (account->base_url) - 1] = '\0';

  if (!account_add_headers (account, json_object_get_object_or_null (definition, "headers"),
                            account->headers, error))
    return NULL;

  if (g_strcmp0 (scheme, "header") == 0)
    {
      g_autoptr(ScrubbedString) header_value = expand (account, json_object_get_string_or (auth, "value", ""), FALSE, error);
      if (header_value == NULL)
        return NULL;
      g_ptr_array_add (account->cred_headers,
                       request_header_new (json_object_get_string_or (auth, "header", "Authorization"),
                                           header_value, TRUE));
    }
  else if (g_strcmp0 (scheme, "basic") == 0)
    {
      g_autoptr(ScrubbedString) user = expand (account, json_object_get_string_or (auth, "username", ""), FALSE, error);
      g_autoptr(ScrubbedString) password = NULL;
      g_autoptr(ScrubbedString) pair = NULL;
      g_autoptr(ScrubbedString) encoded = NULL;
      g_autoptr(ScrubbedString) header_value = NULL;

      if (user == NULL)
        return NULL;
      password = expand (account, json_object_get_string_or (auth, "password", ""), FALSE, error);
      if (password == NULL)
        return NULL;
      pair = g_strconcat (user, ":", password, NULL);
      encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      header_value = g_strconcat ("Basic ", encoded, NULL);
      g_ptr_array_add (account->cred_headers, request_header_new ("Authorization", header_value, TRUE));
    }
  else if (g_strcmp0 (scheme, "body") == 0)
    {
      JsonObject *body_fields = json_object_get_object_or_null (auth, "fields");

      if (body_fields != NULL)
        {
          account->cred_body = expand_object (account, body_fields, error);
          if (account->cred_body == NULL)
            return NULL;
        }
    }
  else if (g_strcmp0 (scheme, "oauth2_client_credentials") == 0)
    {
      const char *scope;
      JsonObject *params;

      if (!account_init_oauth_client (account, auth, error))
        return NULL;
      scope = json_object_get_string_or (auth, "scope", NULL);
      if (scope != NULL)
        {
          account->scope = expand (account, scope, FALSE, error);
          if (account->scope == NULL)
            return NULL;
        }
      else if (json_object_get_boolean_member_with_default (auth, "scope_from_permission", FALSE))
        account->scope = permission_scope (connector, account_permission (account));
      params = json_object_get_object_or_null (auth, "params");
      if (params != NULL)
        {
          account->token_params = expand_object (account, params, error);
          if (account->token_params == NULL)
            return NULL;
        }
      account->client_auth_body = g_strcmp0 (json_object_get_string_or (auth, "client_auth", "basic"), "body") == 0;
      account->oauth = TRUE;

      account->grant = GRANT_CLIENT_CREDENTIALS;
      account_set_token_key (account, account->token_params);
    }
  else if (g_strcmp0 (scheme, "oauth2_authorization_code") == 0)
    {
      if (!account_init_authorization_code (account, auth, error))
        return NULL;
    }
  else if (g_strcmp0 (scheme, "oauth2_jwt_bearer") == 0)
    {
      if (!account_init_jwt_bearer (account, auth, error))
        return NULL;
    }

  return g_steal_pointer (&account);
}

/* ------------------------------------------------------------------------ */
/* Requests and responses                                                    */

typedef struct
{
  char *method;
  GUri *uri;
  JsonObject *body;        /* nullable */
  char *form_field;        /* nullable: send the JSON body as this form field */
  GPtrArray *form_params;  /* nullable: name, value, ... sent after form_field */
  gboolean accept_text;    /* a 2xx body that is not JSON is the answer (a "then" first step) */
  gboolean form;           /* form-encoded body */
  GPtrArray *headers;      /* RequestHeader */
  GPtrArray *cred_headers; /* RequestHeader, only towards cred_origin */
  JsonObject *cred_body;   /* merged into the body only towards cred_origin */
  GUri *cred_origin;
  gboolean use_token;      /* oauth2 bearer token */
  gboolean is_token_request;
  TokenGrant grant;        /* of a token request */
  char *data_type_id;      /* nullable: identity */
} Request;

static void
request_free (Request *req)
{
  g_free (req->method);
  g_clear_pointer (&req->uri, g_uri_unref);
  g_clear_pointer (&req->body, json_object_unref);
  g_free (req->form_field);
  g_clear_pointer (&req->form_params, g_ptr_array_unref);
  g_clear_pointer (&req->headers, g_ptr_array_unref);
  g_clear_pointer (&req->cred_headers, g_ptr_array_unref);
  g_clear_pointer (&req->cred_body, json_object_unref);
  g_clear_pointer (&req->cred_origin, g_uri_unref);
  g_free (req->data_type_id);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (const char *method,
             GUri       *uri)
{
  Request *req = g_new0 (Request, 1);

  req->method = g_ascii_strup (method ? method : "GET", -1);
  req->uri = g_uri_ref (uri);
  req->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);
  req->cred_headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);
  return req;
}

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json; /* nullable when the body is empty */
  GUri *uri;
} Response;

static void
response_free (Response *response)
{
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->uri, g_uri_unref);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static void
append_form_pair (GString    *out,
                  const char *name,
                  const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append_uri_escaped (out, name, NULL, FALSE);
  g_string_append_c (out, '=');
  g_string_append_uri_escaped (out, value ? value : "", NULL, FALSE);
}

static GBytes *
request_build_body (Request    *req,
                    gboolean    with_credentials,
                    const char **content_type)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GList) members = NULL;
  gboolean any = FALSE;

  if (req->body != NULL)
    {
      members = json_object_get_members (req->body);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (body, l->data, json_node_copy (json_object_get_member (req->body, l->data)));
      any = TRUE;
      g_clear_pointer (&members, g_list_free);
    }
  if (with_credentials && req->cred_body != NULL)
    {
      members = json_object_get_members (req->cred_body);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (body, l->data, json_node_copy (json_object_get_member (req->cred_body, l->data)));
      any = TRUE;
    }
  if (!any)
    return NULL;

  if (req->form || req->form_field != NULL)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      *content_type = "application/x-www-form-urlencoded";
      if (req->form_field != NULL)
        {
          g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), body);
          g_autoptr(ScrubbedString) text = json_to_string (root, FALSE);
          append_form_pair (out, req->form_field, text);
          for (guint i = 0; req->form_params != NULL && i + 1 < req->form_params->len; i += 2)
            append_form_pair (out, g_ptr_array_index (req->form_params, i),
                              g_ptr_array_index (req->form_params, i + 1));
        }
      else
        {
          g_autoptr(GList) names = json_object_get_members (body);
          for (GList *l = names; l != NULL; l = l->next)
            {
              JsonNode *node = json_object_get_member (body, l->data);
              g_autoptr(ScrubbedString) text = json_scalar_to_string (node);

              if (text == NULL && node != NULL && !JSON_NODE_HOLDS_NULL (node))
                text = json_to_string (node, FALSE);
              append_form_pair (out, l->data, text);
            }
        }
      {
        gsize len = out->len;
        char *text = g_string_free (g_steal_pointer (&out), FALSE);

        /* Scrubbed once libsoup has sent it: it may hold credentials. */
        return g_bytes_new_with_free_func (text, len, (GDestroyNotify) portico_secret_free, text);
      }
    }
  else
    {
      g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), body);
      char *text = json_to_string (root, FALSE);

      *content_type = "application/json";
      return g_bytes_new_with_free_func (text, strlen (text), (GDestroyNotify) portico_secret_free, text);
    }
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                   */

typedef struct
{
  GSource *timeout;
  GSource *cancel;
} SleepData;

static void
sleep_data_free (SleepData *data)
{
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  if (data->cancel != NULL)
    {
      g_source_destroy (data->cancel);
      g_source_unref (data->cancel);
    }
  g_free (data);
}

static gboolean
sleep_done_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  /* The task data (and with it both sources) goes with the last reference. */
  g_task_set_task_data (task, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  return sleep_done_cb (user_data);
}

static void
sleep_async (guint64             delay_ms,
             GCancellable       *cancellable,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SleepData *data = g_new0 (SleepData, 1);
  GMainContext *context = g_main_context_get_thread_default ();

  g_task_set_source_tag (task, sleep_async);
  g_task_set_task_data (task, data, (GDestroyNotify) sleep_data_free);

  data->timeout = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (data->timeout, sleep_done_cb, g_object_ref (task), g_object_unref);
  g_source_attach (data->timeout, context);

  if (cancellable != NULL)
    {
      data->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel, G_SOURCE_FUNC (sleep_cancelled_cb), g_object_ref (task), g_object_unref);
      g_source_attach (data->cancel, context);
    }
}

static gboolean
sleep_finish (GAsyncResult *result,
              GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Error mapping                                                             */

static const struct
{
  const char *name;
  PorticoConnectorError code;
} code_names[] = {
  { "not_authorized", PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED },
  { "forbidden", PORTICO_CONNECTOR_ERROR_FORBIDDEN },
  { "plan", PORTICO_CONNECTOR_ERROR_PLAN },
  { "not_found", PORTICO_CONNECTOR_ERROR_NOT_FOUND },
  { "rate_limited", PORTICO_CONNECTOR_ERROR_RATE_LIMITED },
  { "server", PORTICO_CONNECTOR_ERROR_SERVER },
  { "bad_response", PORTICO_CONNECTOR_ERROR_BAD_RESPONSE },
};

static gboolean
status_in_list (JsonObject *rate_limit,
                guint       status)
{
  JsonNode *node = rate_limit ? json_object_get_member (rate_limit, "statuses") : NULL;
  JsonArray *statuses;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return status == 429;

  statuses = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (statuses); i++)
    if ((guint) json_array_get_int_element (statuses, i) == status)
      return TRUE;
  return FALSE;
}

/* Format v2: a status of "header_statuses" is a rate limit when the headers
 * say so (GitHub's 403 with x-ratelimit-remaining: 0, or a secondary limit's
 * retry-after); otherwise it keeps its usual meaning (403: forbidden). */
static gboolean
headers_say_rate_limited (JsonObject         *rate_limit,
                          guint               status,
                          SoupMessageHeaders *headers)
{
  JsonNode *node = rate_limit ? json_object_get_member (rate_limit, "header_statuses") : NULL;
  const char *remaining_header = json_object_get_string_or (rate_limit, "remaining_header", NULL);
  const char *retry_header = json_object_get_string_or (rate_limit, "retry_after_header", "Retry-After");
  gboolean listed = FALSE;
  g_autofree char *remaining = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || headers == NULL || remaining_header == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    if ((guint) json_array_get_int_element (json_node_get_array (node), i) == status)
      listed = TRUE;
  if (!listed)
    return FALSE;

  remaining = g_strdup (soup_message_headers_get_one (headers, remaining_header));
  if (remaining != NULL && g_str_equal (g_strstrip (remaining), "0"))
    return TRUE;
  return soup_message_headers_get_one (headers, retry_header) != NULL ||
         soup_message_headers_get_one (headers, "Retry-After") != NULL;
}

/* Format v2: the error reason some providers put in a header (BambooHR's
 * X-BambooHR-Error-Message) when the body has none. */
static char *
header_error_message (JsonObject         *errors,
                      SoupMessageHeaders *headers)
{
  const char *name = json_object_get_string_or (errors, "message_header", NULL);
  const char *value;

  if (name == NULL || headers == NULL)
    return NULL;
  value = soup_message_headers_get_one (headers, name);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* The wait a response asks for, in ms, if it says so: Retry-After (seconds
 * or an HTTP date), the connector's reset header, or a value in the body. */
static gboolean
response_retry_hint (Account            *account,
                     SoupMessageHeaders *headers,
                     JsonNode           *json,
                     guint64            *hint_ms)
{
  JsonObject *rate_limit = portico_connector_get_rate_limit (account->connector);
  const char *header_name = json_object_get_string_or (rate_limit, "retry_after_header", "Retry-After");
  const char *reset_header = json_object_get_string_or (rate_limit, "reset_header", NULL);
  JsonNode *body_expr = rate_limit ? json_object_get_member (rate_limit, "body_retry_after") : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (headers != NULL)
    {
      const char *value = soup_message_headers_get_one (headers, header_name);

      if (value == NULL)
        value = soup_message_headers_get_one (headers, "Retry-After");
      if (portico_http_parse_retry_after (value, now, hint_ms))
        return TRUE;

      if (reset_header != NULL)
        {
          g_autofree char *text = g_strdup (soup_message_headers_get_one (headers, reset_header));
          const char *format = json_object_get_string_or (rate_limit, "reset_format", "epoch");
          guint64 reset;

          if (text != NULL &&
              g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXINT64, &reset, NULL))
            {
              if (g_strcmp0 (format, "epoch") == 0)
                reset = (gint64) reset > now ? reset - (guint64) now : 0;
              /* Any wait this long is over the cap: no overflow in ms. */
              *hint_ms = MIN (reset, (guint64) G_MAXUINT32) * 1000;
              return TRUE;
            }
        }
    }

  if (body_expr != NULL && json != NULL)
    {
      g_autoptr(JsonNode) node = eval_expr (account, body_expr, json);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        {
          GType type = json_node_get_value_type (node);
          double seconds = -1;

          if (type == G_TYPE_INT64)
            seconds = json_node_get_int (node);
          else if (type == G_TYPE_DOUBLE)
            seconds = json_node_get_double (node);
          else if (type == G_TYPE_STRING)
            seconds = g_ascii_strtod (json_node_get_string (node), NULL);
          /* NaN fails the test; a huge or infinite wait is clamped
           * before the conversion, which would overflow. */
          if (seconds >= 0)
            {
              *hint_ms = (guint64) (MIN (seconds, (double) G_MAXUINT32) * 1000);
              return TRUE;
            }
        }
    }

  return FALSE;
}

static const char *
data_type_label (const char *data_type_id)
{
  if (data_type_id == NULL)
    return _("the account details");
  return portico_data_type_label (data_type_id);
}

/* One sentence per error code, naming the fix. */
static char *
error_sentence (Account              *account,
                Request              *req,
                PorticoConnectorError code,
                guint                 status)
{
  const char *name = account_name (account);
  const char *label = data_type_label (req->data_type_id);
  const char *requirement = req->data_type_id
    ? portico_connector_get_data_type_requirement (account->connector, req->data_type_id)
    : NULL;
  const char *help = portico_connector_get_help (account->connector);
  guint attempts = account->runtime->max_attempts;

  switch (code)
    {
    case PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED:
      return g_strdup_printf (_("%s ended Portico’s sign-in: the refresh token expired or was revoked. "
                                "Sign in again (Reconnect); the data synced so far is kept."), name);

    case PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED:
      if (req->grant == GRANT_JWT_BEARER)
        return g_strdup_printf (_("%s refused the service account’s signed request. Check that the key "
                                  "file is current (not deleted in the Cloud console) and that the admin "
                                  "email is a super administrator of the domain."), name);
      if (req->grant == GRANT_AUTHORIZATION_CODE)
        return g_strdup_printf (_("%s refused the sign-in. Check the client ID and secret of the app you "
                                  "registered and its redirect address, then sign in again."), name);
      if (req->is_token_request)
        return g_strdup_printf (_("%s rejected the client ID or client secret. Check both values, "
                                  "or create a new secret, and reconnect."), name);
      if (help != NULL && *help != '\0')
        return g_strdup_printf (_("%s rejected the credentials. Create new ones and reconnect. %s"), name, help);
      return g_strdup_printf (_("%s rejected the credentials. Create new ones and reconnect."), name);

    case PORTICO_CONNECTOR_ERROR_FORBIDDEN:
      if (req->grant == GRANT_JWT_BEARER)
        return g_strdup_printf (_("%s has not allowed this service account to act for the domain with "
                                  "the scopes %s. Add its client ID with these scopes under Domain-wide "
                                  "delegation in the Admin console, then test again."),
                                name, account->scope ? account->scope : "");
      if (requirement != NULL && *requirement != '\0')
        return g_strdup_printf (_("%s refused access to %s. %s Give the credentials this permission, "
                                  "then test again."), name, label, requirement);
      if (help != NULL && *help != '\0')
        return g_strdup_printf (_("%s refused access to %s: the credentials lack a permission or scope. %s"),
                                name, label, help);
      return g_strdup_printf (_("%s refused access to %s: the credentials lack a permission or scope. "
                                "Give them the missing permission, then test again."), name, label);

    case PORTICO_CONNECTOR_ERROR_PLAN:
      if (requirement != NULL && *requirement != '\0')
        return g_strdup_printf (_("%s does not offer %s on this plan. %s Upgrade the plan, "
                                  "or connect without %s."), name, label, requirement, label);
      return g_strdup_printf (_("%s does not offer %s on this plan. Upgrade the plan, "
                                "or connect without %s."), name, label, label);

    case PORTICO_CONNECTOR_ERROR_NOT_FOUND:
      return g_strdup_printf (_("%s answered “not found” for %s. Check the subdomain, organization "
                                "or region you entered."), name, label);

    case PORTICO_CONNECTOR_ERROR_RATE_LIMITED:
      {
        g_autoptr(GError) limit = portico_limit_error_new (PORTICO_LIMIT_RETRIES, name, label, attempts);

        return g_strdup (limit->message);
      }

    case PORTICO_CONNECTOR_ERROR_SERVER:
      return g_strdup_printf (_("%s had a server error (HTTP %u) %u times in a row. Try again later; "
                                "if it persists, check %s’s status page."), name, status, attempts, name);

    case PORTICO_CONNECTOR_ERROR_BAD_RESPONSE:
      return g_strdup_printf (_("%s sent an answer for %s that Portico cannot read. If an API base URL "
                                "is set, check it; otherwise report the connector."), name, label);

    default:
      if (status >= 200 && status < 300)
        return g_strdup_printf (_("%s refused the request for %s. Check the values you entered "
                                  "and the connector’s requirements."), name, label);
      return g_strdup_printf (_("%s refused the request for %s (HTTP %u). Check the values you entered "
                                "and the connector’s requirements."), name, label, status);
    }
}

/* Maps an error answer: @status is the HTTP status, or the status a 200 body
 * reports (ok_path). Sets @retry when another attempt may help. */
static GError *
map_error_response (Account            *account,
                    Request            *req,
                    guint               status,
                    gboolean            ok_false,
                    SoupMessageHeaders *headers,
                    JsonNode           *json,
                    const char         *token,
                    gboolean           *retry)
{
  JsonObject *errors = portico_connector_get_errors (account->connector);
  JsonObject *codes = json_object_get_object_or_null (errors, "codes");
  JsonObject *rate_limit = portico_connector_get_rate_limit (account->connector);
  g_autofree char *provider_code = NULL;
  g_autofree char *provider_message = NULL;
  g_autofree char *sentence = NULL;
  gboolean mapped = FALSE;
  PorticoConnectorError code = PORTICO_CONNECTOR_ERROR_FAILED;

  if (req->is_token_request && json != NULL && JSON_NODE_HOLDS_OBJECT (json))
    {
      JsonObject *object = json_node_get_object (json);

      provider_code = g_strdup (json_object_get_string_or (object, "error", NULL));
      provider_message = g_strdup (json_object_get_string_or (object, "error_description", provider_code));
    }
  else if (json != NULL && errors != NULL)
    {
      provider_code = eval_expr_string (account, json_object_get_member (errors, "code"), json);
      provider_message = eval_expr_string (account, json_object_get_member (errors, "message"), json);
    }
  if (provider_message == NULL && !req->is_token_request)
    provider_message = header_error_message (errors, headers);

  if (req->is_token_request && provider_code != NULL)
    {
      /* RFC 6749 5.2: a refresh token that expired or was revoked is
       * invalid_grant; only signing in again helps. */
      if (req->grant == GRANT_REFRESH_TOKEN && g_str_equal (provider_code, "invalid_grant"))
        {
          code = PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED;
          mapped = TRUE;
        }
      else if (req->grant == GRANT_JWT_BEARER && g_str_equal (provider_code, "unauthorized_client"))
        {
          code = PORTICO_CONNECTOR_ERROR_FORBIDDEN;
          mapped = TRUE;
        }
    }

  if (provider_code != NULL && codes != NULL && !req->is_token_request)
    {
      const char *name = json_object_get_string_or (codes, provider_code, NULL);

      for (guint i = 0; name != NULL && i < G_N_ELEMENTS (code_names); i++)
        if (g_str_equal (name, code_names[i].name))
          {
            code = code_names[i].code;
            mapped = TRUE;
          }
    }

  if (!mapped)
    {
      if (req->is_token_request && (status == 400 || status == 401))
        code = PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED;
      else if (!ok_false && status_in_list (rate_limit, status))
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (!ok_false && headers_say_rate_limited (rate_limit, status, headers))
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (status == 401)
        code = PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED;
      else if (status == 403)
        code = PORTICO_CONNECTOR_ERROR_FORBIDDEN;
      else if (status == 404)
        code = PORTICO_CONNECTOR_ERROR_NOT_FOUND;
      else if (status == 429)
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (status >= 500 && status < 600)
        code = PORTICO_CONNECTOR_ERROR_SERVER;
      else
        code = PORTICO_CONNECTOR_ERROR_FAILED;
    }

  *retry = code == PORTICO_CONNECTOR_ERROR_RATE_LIMITED || code == PORTICO_CONNECTOR_ERROR_SERVER;

  sentence = error_sentence (account, req, code, status);
  if (provider_message != NULL && *provider_message != '\0')
    {
      g_autofree char *clean = account_redact (account, provider_message, token);

      if (g_utf8_strlen (clean, -1) > PROVIDER_MESSAGE_MAX)
        {
          char *end = g_utf8_offset_to_pointer (clean, PROVIDER_MESSAGE_MAX);
          *end = '\0';
        }
      g_debug ("%s answered %u (%s): %s", account_name (account), status,
               provider_code ? provider_code : "no code", clean);
      return g_error_new (PORTICO_CONNECTOR_ERROR, code, _("%s (%s said: “%s”)"),
                          sentence, account_name (account), clean);
    }

  g_debug ("%s answered %u (%s)", account_name (account), status, provider_code ? provider_code : "no code");
  return g_error_new_literal (PORTICO_CONNECTOR_ERROR, code, sentence);
}

/* ------------------------------------------------------------------------ */
/* Sending one logical request: auth, queue, timeout, redirects, retries     */

typedef struct
{
  Account *account;
  Request *req;
  GUri *uri;              /* current, after redirects */
  char *method;           /* current */
  gboolean with_body;
  guint attempt;
  guint redirects;
  gboolean token_refreshed;
  char *token;
  SoupMessage *msg;
  char *host_key;
  gboolean queued;
  gulong queue_cancel_id;
  GCancellable *attempt_cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  gboolean timed_out;
  guint64 waited_ms;      /* all waits between attempts so far */
} SendOp;

static void
send_op_free (SendOp *op)
{
  g_assert (!op->queued);
  g_assert (op->timeout_source == NULL);
  g_clear_pointer (&op->account, account_unref);
  g_clear_pointer (&op->req, request_free);
  g_clear_pointer (&op->uri, g_uri_unref);
  g_free (op->method);
  portico_secret_free (op->token);
  g_clear_object (&op->msg);
  g_free (op->host_key);
  g_clear_object (&op->attempt_cancellable);
  g_free (op);
}

static void send_step (GTask *task);
static void send_queue (GTask *task);
static void token_get_async (Account            *account,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
static char *token_get_finish (GAsyncResult *result,
                               GError      **error);
static void token_invalidate (Account    *account,
                              const char *token);

static gboolean
send_op_credentials_allowed (SendOp *op)
{
  return portico_http_same_origin (op->uri, op->req->cred_origin);
}

static void
send_async (Account            *account,
            Request            *req, /* transfer full */
            GCancellable       *cancellable,
            GAsyncReadyCallback callback,
            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (account->runtime, cancellable, callback, user_data);
  SendOp *op = g_new0 (SendOp, 1);

  g_task_set_source_tag (task, send_async);
  op->account = account_ref (account);
  op->req = req;
  op->uri = g_uri_ref (req->uri);
  op->method = g_strdup (req->method);
  op->with_body = TRUE;
  g_task_set_task_data (task, op, (GDestroyNotify) send_op_free);

  send_step (task);
}

static Response *
send_finish (GAsyncResult *result,
             GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_token_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  portico_secret_free (op->token);
  op->token = token_get_finish (result, &error);
  if (op->token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  send_queue (task);
}

static void
send_step (GTask *task)
{
  SendOp *op = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (op->req->use_token && op->token == NULL && send_op_credentials_allowed (op))
    {
      token_get_async (op->account, g_task_get_cancellable (task), send_token_cb, g_object_ref (task));
      return;
    }

  send_queue (task);
}

static void send_attempt (GTask *task);

static HostSlot *
runtime_host_slot (PorticoRuntime *self,
                   const char     *key)
{
  HostSlot *slot = g_hash_table_lookup (self->hosts, key);

  if (slot == NULL)
    {
      slot = g_new0 (HostSlot, 1);
      g_queue_init (&slot->waiting);
      g_hash_table_insert (self->hosts, g_strdup (key), slot);
    }
  return slot;
}

static gboolean
send_queued_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  PorticoRuntime *self = g_task_get_source_object (task);

  if (op->queued)
    {
      HostSlot *slot = runtime_host_slot (self, op->host_key);

      op->queued = FALSE;
      if (op->queue_cancel_id != 0)
        {
          g_cancellable_disconnect (g_task_get_cancellable (task), op->queue_cancel_id);
          op->queue_cancel_id = 0;
        }
      if (g_queue_remove (&slot->waiting, task))
        g_object_unref (task);
      g_task_return_error_if_cancelled (task);
    }
  return G_SOURCE_REMOVE;
}

static void
send_queued_cancelled_cb (GCancellable *cancellable,
                          gpointer      user_data)
{
  GTask *task = user_data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, send_queued_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
runtime_release_slot (PorticoRuntime *self,
                      const char     *key)
{
  HostSlot *slot = runtime_host_slot (self, key);

  g_assert (slot->active > 0);
  slot->active--;

  while (slot->active < MAX (self->max_per_host, 1) && !g_queue_is_empty (&slot->waiting))
    {
      g_autoptr(GTask) next = g_queue_pop_head (&slot->waiting);
      SendOp *op = g_task_get_task_data (next);

      op->queued = FALSE;
      if (op->queue_cancel_id != 0)
        {
          g_cancellable_disconnect (g_task_get_cancellable (next), op->queue_cancel_id);
          op->queue_cancel_id = 0;
        }
      if (g_task_return_error_if_cancelled (next))
        continue;
      slot->active++;
      send_attempt (next);
    }
}

static void
send_queue (GTask *task)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  HostSlot *slot;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_free (op->host_key);
  op->host_key = portico_http_origin_key (op->uri);
  slot = runtime_host_slot (self, op->host_key);

  if (slot->active < MAX (self->max_per_host, 1))
    {
      slot->active++;
      send_attempt (task);
      return;
    }

  op->queued = TRUE;
  g_queue_push_tail (&slot->waiting, g_object_ref (task));
  if (cancellable != NULL)
    op->queue_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (send_queued_cancelled_cb),
                                                 g_object_ref (task), g_object_unref);
}

static void
forward_cancel_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
send_timeout_cb (gpointer user_data)
{
  SendOp *op = user_data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static void
send_attempt_cleanup (GTask *task)
{
  SendOp *op = g_task_get_task_data (task);

  if (op->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), op->cancel_id);
      op->cancel_id = 0;
    }
  if (op->timeout_source != NULL)
    {
      g_source_destroy (op->timeout_source);
      g_clear_pointer (&op->timeout_source, g_source_unref);
    }
}

static void send_headers_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
send_attempt (GTask *task)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  gboolean credentials = send_op_credentials_allowed (op);
  SoupMessageHeaders *headers;
  GCancellable *cancellable = g_task_get_cancellable (task);

  op->attempt++;
  op->timed_out = FALSE;
  g_clear_object (&op->msg);
  op->msg = soup_message_new_from_uri (op->method, op->uri);
  soup_message_add_flags (op->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (op->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");

  for (guint i = 0; i < op->req->headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (op->req->headers, i);
      if (!header->credential || credentials)
        soup_message_headers_replace (headers, header->name, header->value);
    }
  if (credentials)
    {
      for (guint i = 0; i < op->req->cred_headers->len; i++)
        {
          RequestHeader *header = g_ptr_array_index (op->req->cred_headers, i);
          soup_message_headers_replace (headers, header->name, header->value);
        }
      if (op->req->use_token && op->token != NULL)
        {
          g_autoptr(ScrubbedString) bearer = g_strconcat ("Bearer ", op->token, NULL);
          soup_message_headers_replace (headers, "Authorization", bearer);
        }
    }

  if (op->with_body)
    {
      const char *content_type = NULL;
      g_autoptr(GBytes) body = request_build_body (op->req, credentials, &content_type);

      if (body != NULL)
        soup_message_set_request_body_from_bytes (op->msg, content_type, body);
    }

  g_debug ("%s %s%s (attempt %u)", op->method, g_uri_get_host (op->uri), g_uri_get_path (op->uri), op->attempt);

  g_clear_object (&op->attempt_cancellable);
  op->attempt_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                           g_object_ref (op->attempt_cancellable), g_object_unref);
  if (self->timeout > 0)
    {
      op->timeout_source = g_timeout_source_new ((guint) MIN ((guint64) self->timeout * 1000, G_MAXUINT));
      g_source_set_callback (op->timeout_source, send_timeout_cb, op, NULL);
      g_source_attach (op->timeout_source, g_task_get_context (task));
    }

  soup_session_send_async (self->session, op->msg, G_PRIORITY_DEFAULT,
                           op->attempt_cancellable, send_headers_cb, g_object_ref (task));
}

static void
send_retry_sleep_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!sleep_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  send_step (task);
}

/* Tries again after @hint_ms (capped), or after a jittered backoff;
 * FALSE (and nothing scheduled) when the waits of this request would add
 * up to more than PORTICO_LIMIT_RETRY_BUDGET_MS. */
static gboolean
send_retry_later (GTask   *task,
                  gboolean has_hint,
                  guint64  hint_ms)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  guint64 delay;

  if (has_hint)
    delay = MIN (hint_ms, (guint64) self->max_retry_delay_ms);
  else
    delay = portico_http_backoff_ms (op->attempt, self->retry_base_ms, self->max_retry_delay_ms);

  if (op->waited_ms + delay > PORTICO_LIMIT_RETRY_BUDGET_MS)
    return FALSE;
  op->waited_ms += delay;

  g_debug ("Retrying %s%s in %" G_GUINT64_FORMAT " ms", g_uri_get_host (op->uri), g_uri_get_path (op->uri), delay);
  sleep_async (delay, g_task_get_cancellable (task), send_retry_sleep_cb, g_object_ref (task));
  return TRUE;
}

/* An answer worth another attempt (rate limited, server error): tries
 * again within the limits, else fails with @mapped (owned). A provider
 * that asks for a longer wait than Portico makes (Retry-After of a day)
 * ends the request at once: the next sync tries again. */
static void
send_retry_or_fail (GTask              *task,
                    GError             *mapped,
                    SoupMessageHeaders *headers,
                    JsonNode           *json)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  guint64 hint = 0;
  gboolean has_hint = response_retry_hint (op->account, headers, json, &hint);

  if (has_hint && hint > self->max_retry_delay_ms)
    {
      GError *error = portico_limit_error_new (PORTICO_LIMIT_RETRY_AFTER, account_name (op->account),
                                               data_type_label (op->req->data_type_id), hint);

      g_debug ("%s asks to wait %" G_GUINT64_FORMAT " ms: not waiting", g_uri_get_host (op->uri), hint);
      error->code = mapped->code;
      g_error_free (mapped);
      g_task_return_error (task, error);
      return;
    }

  if (op->attempt < self->max_attempts && send_retry_later (task, has_hint, hint))
    {
      g_error_free (mapped);
      return;
    }

  g_task_return_error (task, mapped);
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static void
send_follow_redirect (GTask      *task,
                      const char *location)
{
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GUri) target = NULL;
  guint status = soup_message_get_status (op->msg);
  const char *scheme;

  if (++op->redirects > MAX_REDIRECTS)
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s redirected the request too many times. Check the address "
                                 "(and the API base URL, if set)."), account_name (op->account));
      return;
    }

  target = location ? g_uri_parse_relative (op->uri, location, PORTICO_HTTP_URI_FLAGS, NULL) : NULL;
  scheme = target ? g_uri_get_scheme (target) : NULL;
  if (target == NULL || g_uri_get_host (target) == NULL ||
      !(g_ascii_strcasecmp (scheme, "https") == 0 ||
        (g_ascii_strcasecmp (scheme, "http") == 0 && portico_http_host_is_loopback (g_uri_get_host (target)))))
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s redirected the request to an address that is not secure or not valid. "
                                 "Check the address (and the API base URL, if set)."), account_name (op->account));
      return;
    }

  if (status == 303 || ((status == 301 || status == 302) && g_str_equal (op->method, "POST")))
    {
      g_free (op->method);
      op->method = g_strdup ("GET");
      op->with_body = FALSE;
    }

  if (!portico_http_same_origin (target, op->req->cred_origin))
    g_debug ("Redirect to another origin (%s): credentials are not sent there", g_uri_get_host (target));

  g_uri_unref (op->uri);
  op->uri = g_steal_pointer (&target);
  send_step (task);
}

static void send_handle_response (GTask    *task,
                                  GBytes   *body,
                                  JsonNode *parsed,
                                  gboolean  parse_failed);

/* A body is only ever parsed after it passed the nesting pre-scan; its
 * text is made valid UTF-8 first (invalid sequences become U+FFFD), and the
 * repaired text replaces @body, since the store reads the same text. */
static void
parse_body_thread (GTask        *parse,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GBytes **body = task_data;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (*body, &size);

  if (size == 0)
    {
      g_task_return_pointer (parse, NULL, NULL);
      return;
    }

  if (!portico_json_prescan (data, size, PORTICO_LIMIT_JSON_DEPTH, &error))
    {
      g_task_return_error (parse, g_steal_pointer (&error));
      return;
    }

  if (!g_utf8_validate_len (data, size, NULL))
    {
      char *valid = g_utf8_make_valid (data, (gssize) size);

      g_debug ("A body holds invalid UTF-8: repaired");
      g_bytes_unref (*body);
      *body = g_bytes_new_take (valid, strlen (valid));
      data = g_bytes_get_data (*body, &size);
    }

  parser = json_parser_new_immutable ();
  if (json_parser_load_from_data (parser, data, (gssize) size, NULL) && json_parser_get_root (parser) != NULL)
    g_task_return_pointer (parse, json_node_ref (json_parser_get_root (parser)),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_new_error (parse, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "not JSON");
}

static void
body_slot_free (GBytes **body)
{
  g_clear_pointer (body, g_bytes_unref);
  g_free (body);
}

static void
send_parsed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GBytes *body = *(GBytes **) g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  json = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE))
    {
      /* Nested too deep: an error answer is read without its body, a
       * success is refused. */
      SendOp *op = g_task_get_task_data (task);
      guint status = soup_message_get_status (op->msg);

      g_debug ("%s: %s", g_uri_get_host (op->uri), error->message);
      if (status >= 200 && status < 300)
        {
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_NESTING, account_name (op->account),
                                                              data_type_label (op->req->data_type_id), 0));
          return;
        }
      g_clear_error (&error);
    }
  send_handle_response (g_steal_pointer (&task), body, json,
                        error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

/* The attempt is over: @body is the whole body (at most
 * PORTICO_LIMIT_BODY_BYTES), or NULL with @error. Takes ownership of @task. */
static void
send_sent (GTask  *owned_task,
           GBytes *body,
           GError *error)
{
  g_autoptr(GTask) task = owned_task;
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  Account *account = op->account;
  SoupMessageHeaders *headers;
  guint status;

  send_attempt_cleanup (task);
  runtime_release_slot (self, op->host_key);

  if (body == NULL)
    {
      if (op->timed_out)
        {
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_ATTEMPT_TIME, account_name (account),
                                                              data_type_label (op->req->data_type_id),
                                                              self->timeout));
          return;
        }
      if (g_task_return_error_if_cancelled (task))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        {
          g_debug ("%s sent a body over the cap", g_uri_get_host (op->uri));
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_BODY_SIZE, account_name (account),
                                                              data_type_label (op->req->data_type_id), 0));
          return;
        }
      if (portico_http_transport_error_is_transient (error) && op->attempt < self->max_attempts &&
          send_retry_later (task, FALSE, 0))
        {
          g_debug ("Connection to %s dropped: %s", g_uri_get_host (op->uri), error->message);
          return;
        }
      {
        GError *mapped = NULL;
        portico_http_set_transport_error (&mapped, error, account_name (account), g_uri_get_host (op->uri));
        g_task_return_error (task, mapped);
      }
      return;
    }

  status = soup_message_get_status (op->msg);
  headers = soup_message_get_response_headers (op->msg);

  if (is_redirect (status))
    {
      send_follow_redirect (task, soup_message_headers_get_one (headers, "Location"));
      return;
    }

  if (status == 401 && op->req->use_token && op->token != NULL && !op->token_refreshed)
    {
      /* The cached token may have been revoked or expired early: fetch a
       * new one once. */
      op->token_refreshed = TRUE;
      token_invalidate (account, op->token);
      g_clear_pointer (&op->token, portico_secret_free);
      send_step (task);
      return;
    }

  /* Pages are parsed in a worker thread, never on the caller's main loop:
   * a page of thousands of transactions would stall the window. */
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    g_autoptr(GTask) parse = g_task_new (NULL, cancellable, send_parsed_cb, g_steal_pointer (&task));

    GBytes **slot = g_new0 (GBytes *, 1);

    *slot = g_bytes_ref (body);
    g_task_set_task_data (parse, slot, (GDestroyNotify) body_slot_free);
    g_task_run_in_thread (parse, parse_body_thread);
  }
}

static void
send_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = portico_http_read_capped_finish (result, &error);
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);

  /* A connection closed before the announced length is a dropped
   * connection, not a short answer. */
  if (body != NULL &&
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      (goffset) g_bytes_get_size (body) < soup_message_headers_get_content_length (headers))
    {
      g_clear_pointer (&body, g_bytes_unref);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "The body ended early");
    }

  send_sent (task, body, error);
}

/* The headers are in: the body streams in under the cap, counted after
 * libsoup's decompression, so that neither a gzip bomb nor a huge plain
 * body is ever buffered past it. */
static void
send_headers_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  SoupMessageHeaders *headers;

  if (stream == NULL)
    {
      send_sent (task, NULL, error);
      return;
    }

  headers = soup_message_get_response_headers (op->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > PORTICO_LIMIT_BODY_BYTES)
    {
      /* Announced too large (compressed, it only grows): not read at all. */
      g_autoptr(GError) too_large = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                                         "Content-Length over the cap");
      send_sent (task, NULL, too_large);
      return;
    }

  portico_http_read_capped_async (stream, PORTICO_LIMIT_BODY_BYTES, G_PRIORITY_DEFAULT,
                                  op->attempt_cancellable, send_read_cb, task);
}

static void
send_handle_response (GTask    *task,
                      GBytes   *body,
                      JsonNode *parsed,
                      gboolean  parse_failed)
{
  /* Takes the caller's reference, as the callbacks before it held it. */
  g_autoptr(GTask) owned = task;
  SendOp *op = g_task_get_task_data (task);
  Account *account = op->account;
  g_autoptr(JsonNode) json = parsed != NULL ? json_node_ref (parsed) : NULL;
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);
  guint status = soup_message_get_status (op->msg);

  if (status >= 200 && status < 300)
    {
      JsonObject *errors = portico_connector_get_errors (account->connector);
      JsonNode *ok_expr = errors ? json_object_get_member (errors, "ok_path") : NULL;
      g_autoptr(Response) response = NULL;

      if (parse_failed && op->req->accept_text)
        {
          /* The first step of a "then" request answers with plain text
           * (Expensify's export file name). */
        }
      else if (parse_failed)
        {
          g_debug ("%s sent a body that is not JSON (%s)", account_name (account),
                   soup_message_headers_get_content_type (headers, NULL));
          g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                                   _("%s sent an answer that is not JSON. If an API base URL is set, "
                                     "check it; otherwise the service may be down, try again later."),
                                   account_name (account));
          return;
        }

      if (errors != NULL && json != NULL && !op->req->is_token_request)
        {
          JsonNode *errors_expr = json_object_get_member (errors, "errors_path");
          gboolean failed = FALSE;
          guint reported = status;
          gboolean ok_false = FALSE;

          if (ok_expr != NULL)
            {
              g_autoptr(JsonNode) ok = eval_expr (account, ok_expr, json);

              if (ok != NULL && JSON_NODE_HOLDS_VALUE (ok))
                {
                  GType type = json_node_get_value_type (ok);

                  if (type == G_TYPE_BOOLEAN && !json_node_get_boolean (ok))
                    {
                      failed = TRUE;
                      ok_false = TRUE;
                    }
                  else if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
                    {
                      /* A numeric status in the body (Expensify's responseCode). */
                      gint64 value = type == G_TYPE_INT64 ? json_node_get_int (ok) : double_to_int64 (json_node_get_double (ok), 0);
                      if (value < 200 || value >= 300)
                        {
                          failed = TRUE;
                          reported = (guint) CLAMP (value, 0, 999);
                        }
                    }
                }
            }

          if (!failed && errors_expr != NULL)
            {
              /* GraphQL: a non-empty "errors" array in a 200 body. */
              g_autoptr(JsonNode) list = eval_expr (account, errors_expr, json);

              if (list != NULL && JSON_NODE_HOLDS_ARRAY (list) &&
                  json_array_get_length (json_node_get_array (list)) > 0)
                {
                  failed = TRUE;
                  ok_false = TRUE;
                }
            }

          if (failed)
            {
              gboolean retry = FALSE;
              GError *mapped = map_error_response (account, op->req, reported, ok_false, headers,
                                                   json, op->token, &retry);

              if (retry)
                send_retry_or_fail (task, mapped, headers, json);
              else
                g_task_return_error (task, mapped);
              return;
            }
        }

      response = g_new0 (Response, 1);
      response->status = status;
      response->headers = soup_message_headers_ref (headers);
      response->body = g_bytes_ref (body);
      response->json = g_steal_pointer (&json);
      response->uri = g_uri_ref (op->uri);
      g_task_return_pointer (task, g_steal_pointer (&response), (GDestroyNotify) response_free);
      return;
    }

  {
    gboolean retry = FALSE;
    GError *mapped = map_error_response (account, op->req, status, FALSE, headers, json, op->token, &retry);

    if (retry)
      send_retry_or_fail (task, mapped, headers, json);
    else
      g_task_return_error (task, mapped);
  }
}

/* ------------------------------------------------------------------------ */
/* OAuth2 client credentials                                                 */

static TokenEntry *
runtime_token_entry (PorticoRuntime *self,
                     const char     *key)
{
  TokenEntry *entry = g_hash_table_lookup (self->tokens, key);

  if (entry == NULL)
    {
      entry = g_new0 (TokenEntry, 1);
      entry->waiters = g_ptr_array_new ();
      g_hash_table_insert (self->tokens, g_strdup (key), entry);
    }
  return entry;
}

static void
token_invalidate (Account    *account,
                  const char *token)
{
  TokenEntry *entry = runtime_token_entry (account->runtime, account->token_key);

  if (entry->token != NULL && g_strcmp0 (entry->token, token) == 0)
    g_clear_pointer (&entry->token, portico_secret_free);
}

static void
token_request_add_client (Account *account,
                          Request *req)
{
  if (req->cred_body == NULL)
    req->cred_body = json_object_new ();

  if (account->client_auth_body)
    {
      json_object_set_string_member (req->cred_body, "client_id", account->client_id);
      if (account->client_secret != NULL && *account->client_secret != '\0')
        json_object_set_string_member (req->cred_body, "client_secret", account->client_secret);
    }
  else
    {
      g_autofree char *pair = g_strconcat (account->client_id, ":", account->client_secret, NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      g_ptr_array_add (req->cred_headers, request_header_new ("Authorization", value, TRUE));
      memset (pair, 0, strlen (pair));
    }
}

/* The assertion of RFC 7523 section 2.1, signed with the key file's key. */
static char *
account_sign_assertion (Account *account,
                        GError **error)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (claims, "iss", account->sa_key->client_email);
  if (account->jwt_subject != NULL && *account->jwt_subject != '\0')
    json_object_set_string_member (claims, "sub", account->jwt_subject);
  if (account->scope != NULL && *account->scope != '\0')
    json_object_set_string_member (claims, "scope", account->scope);
  json_object_set_string_member (claims, "aud", account->sa_key->token_uri);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + 3600);
  return portico_jwt_sign_rs256 (claims, account->sa_key->private_key,
                                 account->sa_key->private_key_id, error);
}

static Request *
token_request_new_for_grant (Account    *account,
                             TokenGrant  grant,
                             const char *refresh_token,
                             GError    **error)
{
  Request *req = request_new ("POST", account->token_uri);

  req->form = TRUE;
  req->is_token_request = TRUE;
  req->grant = grant;
  req->cred_origin = g_uri_ref (account->token_uri);
  req->body = json_object_new ();
  req->cred_body = json_object_new ();

  if (grant == GRANT_REFRESH_TOKEN)
    {
      json_object_set_string_member (req->body, "grant_type", "refresh_token");
      json_object_set_string_member (req->cred_body, "refresh_token", refresh_token);
      token_request_add_client (account, req);
    }
  else if (grant == GRANT_JWT_BEARER)
    {
      g_autofree char *assertion = account_sign_assertion (account, error);

      if (assertion == NULL)
        {
          request_free (req);
          return NULL;
        }
      json_object_set_string_member (req->body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
      json_object_set_string_member (req->cred_body, "assertion", assertion);
    }
  return req;
}

static Request *
token_request_new (Account *account)
{
  Request *req = request_new ("POST", account->token_uri);
  g_autoptr(JsonObject) body = json_object_new ();

  req->form = TRUE;
  req->is_token_request = TRUE;
  req->grant = GRANT_CLIENT_CREDENTIALS;
  req->cred_origin = g_uri_ref (account->token_uri);

  if (account->token_params == NULL || !json_object_has_member (account->token_params, "grant_type"))
    json_object_set_string_member (body, "grant_type", "client_credentials");
  if (account->scope != NULL && *account->scope != '\0')
    json_object_set_string_member (body, "scope", account->scope);
  if (account->token_params != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (account->token_params);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (body, l->data, json_node_copy (json_object_get_member (account->token_params, l->data)));
    }
  req->body = json_object_ref (body);

  if (account->client_auth_body)
    {
      req->cred_body = json_object_new ();
      json_object_set_string_member (req->cred_body, "client_id", account->client_id);
      json_object_set_string_member (req->cred_body, "client_secret", account->client_secret);
    }
  else
    {
      g_autoptr(ScrubbedString) pair = g_strconcat (account->client_id, ":", account->client_secret, NULL);
      g_autoptr(ScrubbedString) encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autoptr(ScrubbedString) value = g_strconcat ("Basic ", encoded, NULL);

      g_ptr_array_add (req->cred_headers, request_header_new ("Authorization", value, TRUE));
    }

  return req;
}

static void token_get_step (GTask *task);

/* A provider that rotates refresh tokens (Dropbox with short-lived tokens,
 * Atlassian, Zoom, Gusto) invalidates the old one: the new one replaces it
 * in the cache, in the caller's values and, through ::secret-rotated, in
 * the keyring, before anything else can use the old one. */
static void
account_rotate_refresh_token (Account    *account,
                              TokenEntry *entry,
                              const char *refresh_token)
{
  g_clear_pointer (&entry->refresh_token, portico_secret_free);
  entry->refresh_token = g_strdup (refresh_token);
  g_ptr_array_add (account->secrets, g_strdup (refresh_token));
  if (account->caller_values != NULL)
    {
      g_hash_table_replace (account->caller_values, g_strdup (PORTICO_REFRESH_TOKEN_FIELD),
                            g_strdup (refresh_token));
      g_signal_emit (account->runtime, signals[SIGNAL_SECRET_ROTATED], 0,
                     account->connector, account->caller_values);
    }
}

static void
token_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) fetcher = user_data;
  Account *account = g_task_get_task_data (fetcher);
  TokenEntry *entry = runtime_token_entry (account->runtime, account->token_key);
  g_autoptr(Response) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  JsonObject *object_root = NULL;

  entry->fetching = FALSE;
  waiters = g_steal_pointer (&entry->waiters);
  entry->waiters = g_ptr_array_new ();

  response = send_finish (result, &error);
  if (response != NULL)
    {
      const char *access_token = NULL;

      if (response->json != NULL && JSON_NODE_HOLDS_OBJECT (response->json))
        {
          object_root = json_node_get_object (response->json);
          access_token = json_object_get_string_or (object_root, "access_token", NULL);
        }
      if (access_token == NULL || *access_token == '\0')
        {
          g_set_error (&error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("%s did not return an access token. Check the API base URL, if set, "
                         "and that the client is allowed to use client credentials."),
                       account_name (account));
        }
      else
        {
          /* The provider's number: clamped, so that the time in µs
           * cannot overflow. */
          gint64 expires_in = CLAMP (json_object_get_int_or (object_root, "expires_in", 3600),
                                     0, PORTICO_LIMIT_TOKEN_LIFETIME_SECONDS);
          const char *refresh_token = json_object_get_string_or (object_root, "refresh_token", NULL);

          portico_secret_free (entry->token);
          entry->token = g_strdup (access_token);
          entry->expires_at = g_get_monotonic_time () + expires_in * G_USEC_PER_SEC;

          if (account->grant == GRANT_REFRESH_TOKEN && refresh_token != NULL && *refresh_token != '\0' &&
              g_strcmp0 (refresh_token, entry->refresh_token) != 0)
            account_rotate_refresh_token (account, entry, refresh_token);
        }
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) waiter = g_ptr_array_index (waiters, i);

      if (error == NULL)
        g_task_return_pointer (waiter, g_strdup (entry->token), (GDestroyNotify) portico_secret_free);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
               !g_cancellable_is_cancelled (g_task_get_cancellable (waiter)))
        token_get_step (g_steal_pointer (&waiter)); /* the fetcher gave up, not this waiter */
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
}

/* Takes ownership of @task. */
static void
token_get_step (GTask *task)
{
  Account *account = g_task_get_task_data (task);
  TokenEntry *entry = runtime_token_entry (account->runtime, account->token_key);
  Request *req = NULL;

  if (entry->token != NULL && g_get_monotonic_time () < entry->expires_at - TOKEN_EXPIRY_MARGIN_US)
    {
      g_task_return_pointer (task, g_strdup (entry->token), (GDestroyNotify) portico_secret_free);
      g_object_unref (task);
      return;
    }

  g_ptr_array_add (entry->waiters, task);
  if (entry->fetching)
    return;

  entry->fetching = TRUE;
  if (account->grant == GRANT_CLIENT_CREDENTIALS)
    req = token_request_new (account);
  else
    {
      g_autoptr(GError) error = NULL;

      if (account->grant == GRANT_REFRESH_TOKEN && entry->refresh_token == NULL)
        entry->refresh_token = g_strdup (account->refresh_token);
      if (account->grant == GRANT_REFRESH_TOKEN && entry->refresh_token == NULL)
        g_set_error (&error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED,
                     _("%s is not signed in. Sign in again (Reconnect) to give Portico access."),
                     account_name (account));
      else
        req = token_request_new_for_grant (account, account->grant, entry->refresh_token, &error);
      if (req == NULL)
        {
          g_autoptr(GPtrArray) waiters = g_steal_pointer (&entry->waiters);

          entry->waiters = g_ptr_array_new ();
          entry->fetching = FALSE;
          for (guint i = 0; i < waiters->len; i++)
            {
              g_autoptr(GTask) waiter = g_ptr_array_index (waiters, i);

              g_task_return_error (waiter, g_error_copy (error));
            }
          return;
        }
    }
  send_async (account, req, g_task_get_cancellable (task), token_fetched_cb, g_object_ref (task));
}

static void
token_get_async (Account            *account,
                 GCancellable       *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer            user_data)
{
  GTask *task = g_task_new (account->runtime, cancellable, callback, user_data);

  g_task_set_source_tag (task, token_get_async);
  g_task_set_task_data (task, account_ref (account), (GDestroyNotify) account_unref);
  token_get_step (task);
}

static char *
token_get_finish (GAsyncResult *result,
                  GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Building API requests from a definition                                   */

static void
append_query_pair (GString    *query,
                   const char *name,
                   const char *value)
{
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_uri_escaped (query, name, "$[]", FALSE);
  g_string_append_c (query, '=');
  g_string_append_uri_escaped (query, value ? value : "", "$,:@/!'()*;", FALSE);
}

/* @extra_query: name/value pairs appended after the definition's query. */
static Request *
build_request (Account    *account,
               JsonObject *request_def,
               const char *path_override,
               gboolean    with_definition_query,
               GPtrArray  *extra_query,
               gboolean    with_definition_body,
               const char *data_type_id,
               GError    **error)
{
  const char *path_template = path_override ? path_override : json_object_get_string_or (request_def, "path", "");
  const char *encoding = json_object_get_string_or (request_def, "body_encoding", "json");
  JsonObject *query_def = json_object_get_object_or_null (request_def, "query");
  JsonObject *body_def = json_object_get_object_or_null (request_def, "body");
  g_autofree char *path = NULL;
  g_autoptr(GString) url = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(Request) req = NULL;

  path = expand (account, path_template, TRUE, error);
  if (path == NULL)
    return NULL;

  if (with_definition_query && query_def != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (query_def);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *node = json_object_get_member (query_def, l->data);
          g_autofree char *raw = json_scalar_to_string (node);
          g_autofree char *value = NULL;

          if (raw == NULL)
            continue;
          value = expand (account, raw, FALSE, error);
          if (value == NULL)
            return NULL;
          append_query_pair (query, l->data, value);
        }
    }
  for (guint i = 0; extra_query != NULL && i + 1 < extra_query->len; i += 2)
    append_query_pair (query, g_ptr_array_index (extra_query, i), g_ptr_array_index (extra_query, i + 1));

  url = g_string_new (account->base_url);
  if (*path != '\0' && *path != '/')
    g_string_append_c (url, '/');
  g_string_append (url, path);
  if (query->len > 0)
    {
      g_string_append_c (url, strchr (path, '?') ? '&' : '?');
      g_string_append (url, query->str);
    }

  uri = g_uri_parse (url->str, PORTICO_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The address for %s is not valid. Check the values you entered."), account_name (account));
      return NULL;
    }

  req = request_new (json_object_get_string_or (request_def, "method", "GET"), uri);
  req->cred_origin = g_uri_ref (account->base_uri);
  req->use_token = account->oauth;
  req->data_type_id = g_strdup (data_type_id);
  req->form = g_strcmp0 (encoding, "form") == 0;
  req->form_field = g_strdup (json_object_get_string_or (request_def, "form_field", NULL));
  if (req->form_field != NULL)
    req->form = TRUE;
  {
    JsonObject *params = json_object_get_object_or_null (request_def, "form_params");
    g_autoptr(GList) names = params != NULL ? json_object_get_members (params) : NULL;

    /* More form fields beside the JSON one (Expensify's export template). */
    for (GList *l = names; l != NULL; l = l->next)
      {
        const char *raw = json_object_get_string_or (params, l->data, "");
        char *value = expand (account, raw, FALSE, error);

        if (value == NULL)
          return NULL;
        if (req->form_params == NULL)
          req->form_params = g_ptr_array_new_with_free_func (g_free);
        g_ptr_array_add (req->form_params, g_strdup (l->data));
        g_ptr_array_add (req->form_params, value);
      }
  }

  for (guint i = 0; i < account->headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (account->headers, i);
      g_ptr_array_add (req->headers, request_header_new (header->name, header->value, header->credential));
    }
  if (!account_add_headers (account, json_object_get_object_or_null (request_def, "headers"), req->headers, error))
    return NULL;
  for (guint i = 0; i < account->cred_headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (account->cred_headers, i);
      g_ptr_array_add (req->cred_headers, request_header_new (header->name, header->value, TRUE));
    }
  if (account->cred_body != NULL)
    req->cred_body = json_object_ref (account->cred_body);

  if (with_definition_body && body_def != NULL)
    {
      req->body = expand_object (account, body_def, error);
      if (req->body == NULL)
        return NULL;
    }

  return g_steal_pointer (&req);
}

/* ------------------------------------------------------------------------ */
/* Identity                                                                  */

typedef struct
{
  char *external_id;
  char *display_name;
} Identity;

static void
identity_free (Identity *identity)
{
  g_free (identity->external_id);
  g_free (identity->display_name);
  g_free (identity);
}

static void
identity_finish_with_root (GTask    *task,
                           JsonNode *root)
{
  Account *account = g_task_get_task_data (task);
  JsonObject *identity_def = portico_connector_get_identity (account->connector);
  JsonNode *id_expr = identity_def ? json_object_get_member (identity_def, "id") : NULL;
  JsonNode *name_expr = identity_def ? json_object_get_member (identity_def, "name") : NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  Identity *identity;

  if (root != NULL)
    {
      id = eval_expr_string (account, id_expr, root);
      name = eval_expr_string (account, name_expr, root);
    }
  else
    {
      /* No request: the expressions read the field values ({"template"}). */
      g_autoptr(JsonObject) empty_object = json_object_new ();
      g_autoptr(JsonNode) empty = json_node_init_object (json_node_alloc (), empty_object);
      g_autoptr(JsonNode) id_node = id_expr ? portico_expr_eval (id_expr, empty, account->values) : NULL;
      g_autoptr(JsonNode) name_node = name_expr ? portico_expr_eval (name_expr, empty, account->values) : NULL;

      id = json_scalar_to_string (id_node);
      name = json_scalar_to_string (name_node);
    }

  if (id == NULL || *id == '\0')
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s did not say which account these credentials belong to. "
                                 "If an API base URL is set, check it; otherwise report the connector."),
                               account_name (account));
      return;
    }

  identity = g_new0 (Identity, 1);
  identity->display_name = (name != NULL && *name != '\0') ? g_steal_pointer (&name) : g_strdup (id);
  identity->external_id = g_steal_pointer (&id);
  g_task_return_pointer (task, identity, (GDestroyNotify) identity_free);
}

static void
identity_response_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) response = send_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->json == NULL)
    {
      Account *account = g_task_get_task_data (task);
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s sent an empty answer for the account details. If an API base URL "
                                 "is set, check it; otherwise report the connector."),
                               account_name (account));
      return;
    }
  identity_finish_with_root (task, response->json);
}

void
portico_runtime_fetch_identity_async (PorticoRuntime     *self,
                                      PorticoConnector   *connector,
                                      GHashTable         *field_values,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Account *account;
  JsonObject *identity_def;
  JsonObject *request_def;
  Request *req;

  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  g_return_if_fail (PORTICO_IS_CONNECTOR (connector));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_runtime_fetch_identity_async);

  account = account_new (self, connector, field_values, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, account, (GDestroyNotify) account_unref);

  identity_def = portico_connector_get_identity (connector);
  request_def = json_object_get_object_or_null (identity_def, "request");
  if (request_def == NULL)
    {
      identity_finish_with_root (task, NULL);
      return;
    }

  req = build_request (account, request_def, NULL, TRUE, NULL, TRUE, NULL, &error);
  if (req == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  send_async (account, req, cancellable, identity_response_cb, g_object_ref (task));
}

gboolean
portico_runtime_fetch_identity_finish (PorticoRuntime *self,
                                       GAsyncResult   *result,
                                       char          **external_id,
                                       char          **display_name,
                                       GError        **error)
{
  Identity *identity;

  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_runtime_fetch_identity_async, FALSE);

  identity = g_task_propagate_pointer (G_TASK (result), error);
  if (identity == NULL)
    return FALSE;

  if (external_id != NULL)
    *external_id = g_steal_pointer (&identity->external_id);
  if (display_name != NULL)
    *display_name = g_steal_pointer (&identity->display_name);
  identity_free (identity);
  return TRUE;
}

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

typedef struct
{
  Account *account;
  char *data_type_id;
  gboolean bare_items;      /* pages are handed on as the array of their items */
  JsonObject *request_def;  /* transfer none: the connector is kept alive */
  JsonObject *first_def;    /* nullable, transfer none: the first step of a "then" request */
  gboolean first_done;      /* {response} holds the first step's answer */
  JsonObject *pagination;   /* nullable */
  JsonNode *items_expr;     /* owned, nullable: the body is the array */
  char *style;
  guint max_pages;
  PorticoPageFunc page_func;
  gpointer page_data;
  GDestroyNotify page_data_destroy;

  guint pages;
  gint64 total;
  GHashTable *seen;         /* cursors, next URLs, requests and page digests already seen */
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
  g_clear_pointer (&op->account, account_unref);
  g_free (op->data_type_id);
  g_free (op->style);
  g_clear_pointer (&op->seen, g_hash_table_unref);
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
  const char *param = json_object_get_string_or (op->pagination, "param", NULL);
  const char *size_param = json_object_get_string_or (op->pagination, "size_param", NULL);
  gint64 size = json_object_get_int_or (op->pagination, "size", 0);
  const char *path_override = NULL;
  gboolean with_query = TRUE;
  gboolean with_body = TRUE;
  Request *req;

  if (op->next_uri != NULL)
    {
      req = build_request (op->account, op->request_def, NULL, FALSE, NULL, TRUE, op->data_type_id, error);
      if (req == NULL)
        return NULL;
      g_uri_unref (req->uri);
      req->uri = g_uri_ref (op->next_uri);
      return req;
    }

  if (g_strcmp0 (op->style, "cursor") == 0 && op->cursor != NULL)
    {
      const char *continue_path = json_object_get_string_or (op->pagination, "continue_path", NULL);
      gboolean in_body = g_strcmp0 (json_object_get_string_or (op->pagination, "in", "query"), "body") == 0;

      if (continue_path != NULL)
        {
          /* A continue endpoint (Dropbox) takes the cursor alone. */
          path_override = continue_path;
          with_query = FALSE;
          with_body = FALSE;
        }
      req = build_request (op->account, op->request_def, path_override, with_query,
                           NULL, with_body, op->data_type_id, error);
      if (req == NULL)
        return NULL;
      if (in_body)
        {
          JsonNode *value = json_node_init_string (json_node_alloc (), op->cursor);

          request_body_set (req, param ? param : "cursor", value);
        }
      else
        {
          g_autoptr(GString) url = g_string_new (NULL);
          g_autoptr(GUri) uri = NULL;
          g_autofree char *base = g_uri_to_string (req->uri);

          g_string_append (url, base);
          g_string_append_c (url, g_uri_get_query (req->uri) ? '&' : '?');
          {
            g_autoptr(GString) pair = g_string_new (NULL);
            append_query_pair (pair, param ? param : "cursor", op->cursor);
            g_string_append (url, pair->str);
          }
          uri = g_uri_parse (url->str, PORTICO_HTTP_URI_FLAGS, error);
          if (uri == NULL)
            {
              request_free (req);
              return NULL;
            }
          g_uri_unref (req->uri);
          req->uri = g_steal_pointer (&uri);
        }
      return req;
    }

  if ((g_strcmp0 (op->style, "page") == 0 || g_strcmp0 (op->style, "offset") == 0) &&
      g_strcmp0 (json_object_get_string_or (op->pagination, "in", "query"), "body") == 0)
    {
      /* GraphQL (monday.com) takes the page number as a variable: numbers,
       * not text, so that an Int! variable accepts them. */
      req = build_request (op->account, op->request_def, NULL, TRUE, NULL, TRUE, op->data_type_id, error);
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

  return build_request (op->account, op->request_def, NULL, TRUE, extra, TRUE, op->data_type_id, error);
}

static void fetch_next (GTask *task);

static void
fetch_return_bad (GTask      *task,
                  const char *what)
{
  FetchOp *op = g_task_get_task_data (task);

  g_debug ("Bad page for %s/%s: %s", portico_connector_get_id (op->account->connector), op->data_type_id, what);
  g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                           _("%s sent an answer for %s that Portico cannot read (%s). If an API base URL "
                             "is set, check it; otherwise report the connector."),
                           account_name (op->account), data_type_label (op->data_type_id), what);
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

/* Records @key; FALSE when it was already seen (a loop). */
static gboolean
fetch_remember (FetchOp    *op,
                const char *key)
{
  if (g_hash_table_contains (op->seen, key))
    return FALSE;
  g_hash_table_add (op->seen, g_strdup (key));
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
  if (!fetch_remember (op, key))
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
  g_autoptr(Response) response = send_finish (result, &error);
  g_autoptr(JsonNode) items_node = NULL;
  JsonArray *items;
  g_autoptr(JsonArray) empty = NULL;
  guint count;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->json == NULL)
    {
      fetch_return_bad (task, _("the body is empty"));
      return;
    }

  items_node = eval_expr (account, op->items_expr ? op->items_expr : NULL, response->json);
  if (op->items_expr == NULL)
    items_node = json_node_ref (response->json);
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
      g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
      g_autofree char *key = g_strconcat ("page:", digest, NULL);

      if (!fetch_remember (op, key))
        {
          fetch_return_bad (task, _("the same page came twice"));
          return;
        }
    }

  op->pages++;
  op->total += count;

  if (op->bare_items)
    {
      g_autoptr(JsonNode) array_node = json_node_init_array (json_node_alloc (), items);
      gsize length = 0;
      char *text = json_to_string (array_node, FALSE);

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
      g_autofree char *cursor = eval_expr_string (account, json_object_get_member (op->pagination, "cursor_path"),
                                                  response->json);

      if (has_more_expr != NULL)
        {
          g_autoptr(JsonNode) has_more = eval_expr (account, has_more_expr, response->json);
          if (!json_node_is_true (has_more))
            goto done;
        }
      if (cursor == NULL || *cursor == '\0')
        goto done;
      if (!fetch_remember (op, cursor))
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
          g_autoptr(JsonNode) done_node = eval_expr (account, done_expr, response->json);
          if (json_node_is_true (done_node))
            goto done;
        }
      next = eval_expr_string (account, json_object_get_member (op->pagination, "next_path"), response->json);
      if (next == NULL || *next == '\0')
        goto done;
      if (!fetch_follow_next (task, op, NULL, next))
        return;
    }
  else if (g_strcmp0 (op->style, "page") == 0)
    {
      gint64 size = json_object_get_int_or (op->pagination, "size", 0);
      gint64 start = json_object_get_int_or (op->pagination, "start", 1);
      JsonNode *total_pages_expr = json_object_get_member (op->pagination, "total_pages_path");

      if (count == 0 || (size > 0 && count < size) || op->number == G_MAXINT64)
        goto done;
      if (total_pages_expr != NULL)
        {
          g_autofree char *text = eval_expr_string (account, total_pages_expr, response->json);
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
      gint64 size = json_object_get_int_or (op->pagination, "size", 0);
      JsonNode *total_expr = json_object_get_member (op->pagination, "total_path");

      if (count == 0 || (size > 0 && count < size))
        goto done;
      if (total_expr != NULL)
        {
          g_autofree char *text = eval_expr_string (account, total_expr, response->json);
          gint64 total;

          if (text != NULL && g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &total, NULL) &&
              op->number >= total - (gint64) count)
            goto done;
        }
      if (!int64_add (&op->number, op->number, count))
        goto done;
    }
  else if (g_strcmp0 (op->style, "scim") == 0)
    {
      JsonObject *root = JSON_NODE_HOLDS_OBJECT (response->json) ? json_node_get_object (response->json) : NULL;
      gint64 total = json_object_get_int_or (root, "totalResults", -1);
      gint64 per_page = json_object_get_int_or (root, "itemsPerPage", count);
      gint64 start_index = json_object_get_int_or (root, "startIndex", op->number);

      gint64 next_index;

      /* The numbers come from the provider: a sum past gint64 is the end,
       * and a start index that goes back repeats a request (a loop). */
      if (count == 0 || per_page <= 0 || total < 0 ||
          !int64_add (&next_index, start_index, per_page) || next_index > total)
        goto done;
      op->number = next_index;
    }
  else
    goto done;

  if (op->pages >= PORTICO_LIMIT_PAGES)
    {
      g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_PAGE_COUNT, account_name (account),
                                                          data_type_label (op->data_type_id), 0));
      return;
    }

  fetch_next (g_steal_pointer (&task));
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
  g_autoptr(Response) response = send_finish (result, &error);
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
      req = build_request (op->account, op->first_def, NULL, TRUE, NULL, TRUE, op->data_type_id, &error);
      if (req == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
      req->accept_text = TRUE;
      send_async (op->account, req, g_task_get_cancellable (task), fetch_first_cb, task);
      return;
    }

  if (g_get_monotonic_time () > op->deadline)
    {
      g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_TOTAL_TIME, account_name (op->account),
                                                          data_type_label (op->data_type_id),
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
    key = g_strconcat ("request:", req->method, " ", address, "\n", body ? body : "", NULL);
    if (!fetch_remember (op, key))
      {
        request_free (req);
        fetch_return_bad (task, _("the same page was asked for twice"));
        g_object_unref (task);
        return;
      }
  }

  send_async (op->account, req, g_task_get_cancellable (task), fetch_page_cb, task);
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

  return json_object_get_object_or_null (dt, "for_each");
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

      if (value != NULL && *value != '\0')
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
  JsonArray *fixed = json_object_get_array_member (for_each, "values");

  g_task_set_source_tag (task, portico_runtime_fetch_data_type_async);
  op->runtime = g_object_ref (self);
  op->connector = g_object_ref (connector);
  op->values = field_values != NULL ? g_hash_table_ref (field_values) : NULL;
  op->data_type_id = g_strdup (data_type_id);
  op->for_each = for_each;
  op->items = g_ptr_array_new_with_free_func (g_free);
  op->concurrency = (guint) json_object_get_int_or (for_each, "concurrency", FOR_EACH_CONCURRENCY);
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
  op->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  op->deadline = g_get_monotonic_time () + (gint64) self->total_timeout * G_USEC_PER_SEC;
  g_task_set_task_data (task, op, (GDestroyNotify) fetch_op_free);

  op->account = account_new (self, connector, field_values, &error);
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
  op->request_def = list_step ? json_object_get_object_or_null (for_each, "request")
                              : portico_connector_get_data_type_request (connector, data_type_id);
  if (op->request_def == NULL)
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("The %s connector does not describe how to read %s. Update the connector file."),
                               portico_connector_get_name (connector), data_type_label (data_type_id));
      return;
    }
  if (json_object_get_object_or_null (op->request_def, "then") != NULL)
    {
      /* Two requests (connectors/README.md "then"): the second one is
       * paginated and holds the items. */
      op->first_def = op->request_def;
      op->request_def = json_object_get_object_or_null (op->first_def, "then");
    }
  op->pagination = list_step ? json_object_get_object_or_null (for_each, "pagination")
                             : portico_connector_get_data_type_pagination (connector, data_type_id);
  op->style = g_strdup (json_object_get_string_or (op->pagination, "style", "none"));
  {
    /* A provider that refuses to go further (Slack's team.accessLogs
     * answers over_pagination_limit after 100 pages) says so in
     * "max_pages": the read stops there, complete. */
    gint64 definition_max = json_object_get_int_or (op->pagination, "max_pages", 0);

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
    op->number = json_object_get_int_or (op->pagination, "start", 1);
  else if (g_strcmp0 (op->style, "offset") == 0)
    op->number = json_object_get_int_or (op->pagination, "start", 0);
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
                   portico_connector_get_name (connector), data_type_label (data_type_id));
      return NULL;
    }
  items = portico_connector_get_data_type_items (connector, data_type_id);
  if (items == NULL || items_path_matches (items) || for_each_definition (connector, data_type_id) != NULL)
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

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */

static void
portico_runtime_finalize (GObject *object)
{
  PorticoRuntime *self = PORTICO_RUNTIME (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->tokens, g_hash_table_unref);

  G_OBJECT_CLASS (portico_runtime_parent_class)->finalize (object);
}

static void
portico_runtime_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PorticoRuntime *self = PORTICO_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_MAX_PER_HOST:
      g_value_set_uint (value, self->max_per_host);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_MAX_RETRY_DELAY_MS:
      g_value_set_uint (value, self->max_retry_delay_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_TOTAL_TIMEOUT:
      g_value_set_uint (value, self->total_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (PorticoRuntime *self,
               guint          *field,
               guint           value,
               guint           prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
portico_runtime_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PorticoRuntime *self = PORTICO_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_MAX_PER_HOST:
      set_uint_prop (self, &self->max_per_host, g_value_get_uint (value), prop_id);
      break;
    case PROP_TIMEOUT:
      set_uint_prop (self, &self->timeout, g_value_get_uint (value), prop_id);
      break;
    case PROP_RETRY_BASE_MS:
      set_uint_prop (self, &self->retry_base_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_RETRY_DELAY_MS:
      set_uint_prop (self, &self->max_retry_delay_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_ATTEMPTS:
      set_uint_prop (self, &self->max_attempts, g_value_get_uint (value), prop_id);
      break;
    case PROP_TOTAL_TIMEOUT:
      set_uint_prop (self, &self->total_timeout, g_value_get_uint (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_runtime_class_init (PorticoRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_runtime_finalize;
  object_class->get_property = portico_runtime_get_property;
  object_class->set_property = portico_runtime_set_property;

  properties[PROP_MAX_PER_HOST] =
    g_param_spec_uint ("max-per-host", NULL, NULL, 1, 64, 4,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, 3600, PORTICO_LIMIT_ATTEMPT_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRY_BASE_MS] =
    g_param_spec_uint ("retry-base-ms", NULL, NULL, 0, G_MAXUINT, 1000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_RETRY_DELAY_MS] =
    g_param_spec_uint ("max-retry-delay-ms", NULL, NULL, 0, G_MAXUINT, PORTICO_LIMIT_RETRY_DELAY_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 100, PORTICO_LIMIT_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL_TIMEOUT] =
    g_param_spec_uint ("total-timeout", NULL, NULL, 1, 24 * 3600, PORTICO_LIMIT_TOTAL_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SECRET_ROTATED] =
    g_signal_new ("secret-rotated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  PORTICO_TYPE_CONNECTOR, G_TYPE_HASH_TABLE);
}

static void
portico_runtime_init (PorticoRuntime *self)
{
  self->max_per_host = 4;
  self->timeout = PORTICO_LIMIT_ATTEMPT_SECONDS;
  self->retry_base_ms = 1000;
  self->max_retry_delay_ms = PORTICO_LIMIT_RETRY_DELAY_MS;
  self->max_attempts = PORTICO_LIMIT_ATTEMPTS;
  self->total_timeout = PORTICO_LIMIT_TOTAL_SECONDS;

  /* The session's own per-host limit sits above ours, so that our queue
   * (with its per-attempt timeout started only once a slot is free) decides.
   * No SoupLogger: header logging would print credentials. */
  self->session = soup_session_new_with_options ("user-agent", "Portico/" PACKAGE_VERSION,
                                                 "max-conns", 256,
                                                 "max-conns-per-host", 64,
                                                 "timeout", 0,
                                                 NULL);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) host_slot_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_entry_free);
}

PorticoRuntime *
portico_runtime_new (void)
{
  return g_object_new (PORTICO_TYPE_RUNTIME, NULL);
}

SoupSession *
portico_runtime_get_session (PorticoRuntime *self)
{
  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), NULL);
  return self->session;
}

guint
portico_runtime_get_max_per_host (PorticoRuntime *self)
{
  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), 0);
  return self->max_per_host;
}

void
portico_runtime_set_max_per_host (PorticoRuntime *self,
                                  guint           max_per_host)
{
  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  set_uint_prop (self, &self->max_per_host, CLAMP (max_per_host, 1, 64), PROP_MAX_PER_HOST);
}

guint
portico_runtime_get_timeout (PorticoRuntime *self)
{
  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), 0);
  return self->timeout;
}

void
portico_runtime_set_timeout (PorticoRuntime *self,
                             guint           timeout_seconds)
{
  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  set_uint_prop (self, &self->timeout, timeout_seconds, PROP_TIMEOUT);
}

void
portico_runtime_clear_tokens (PorticoRuntime *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PORTICO_IS_RUNTIME (self));

  /* Entries being fetched stay: their waiters are still attached. */
  g_hash_table_iter_init (&iter, self->tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TokenEntry *entry = value;
      if (entry->token != NULL)
        {
          memset (entry->token, 0, strlen (entry->token));
          g_clear_pointer (&entry->token, g_free);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* OAuth2 authorization code: the sign-in's two requests                    */

char *
portico_runtime_build_authorize_uri (PorticoRuntime   *self,
                                     PorticoConnector *connector,
                                     GHashTable       *field_values,
                                     const char       *permission,
                                     const char       *redirect_uri,
                                     const char       *state,
                                     const char       *code_challenge,
                                     GError          **error)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(Account) account = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) query = NULL;
  g_autofree char *scope = NULL;
  JsonObject *auth;

  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (redirect_uri != NULL && state != NULL && code_challenge != NULL, NULL);

  if (!portico_connector_signs_in (connector))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                   _("%s does not sign in through the browser."), portico_connector_get_name (connector));
      return NULL;
    }

  account = account_new (self, connector, field_values, error);
  if (account == NULL)
    return NULL;
  uri = account_parse_uri (account, account->authorize_url, error);
  if (uri == NULL)
    return NULL;

  auth = portico_connector_get_auth (connector);
  scope = portico_connector_dup_scope (connector, permission != NULL ? permission : "read");
  query = g_string_new (g_uri_get_query (uri));
  append_form_pair (query, "response_type", "code");
  append_form_pair (query, "client_id", account->client_id);
  append_form_pair (query, "redirect_uri", redirect_uri);
  if (*scope != '\0')
    append_form_pair (query, "scope", scope);
  append_form_pair (query, "state", state);
  if (json_object_get_boolean_member_with_default (auth, "pkce", TRUE))
    {
      append_form_pair (query, "code_challenge", code_challenge);
      append_form_pair (query, "code_challenge_method", "S256");
    }
  if (account->authorize_params != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (account->authorize_params);

      for (GList *l = members; l != NULL; l = l->next)
        append_form_pair (query, l->data,
                          json_object_get_string_member_with_default (account->authorize_params, l->data, ""));
    }

  {
    g_autoptr(GUri) with_query = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL,
                                              g_uri_get_host (uri), g_uri_get_port (uri),
                                              g_uri_get_path (uri), query->str, NULL);
    return g_uri_to_string (with_query);
  }
}

typedef struct
{
  Account *account;
  char *redirect_uri;
} ExchangeData;

static void
exchange_data_free (ExchangeData *data)
{
  g_clear_pointer (&data->account, account_unref);
  g_free (data->redirect_uri);
  g_free (data);
}

static void
exchange_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExchangeData *data = g_task_get_task_data (task);
  Account *account = data->account;
  g_autoptr(Response) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Account) signed_in = NULL;
  JsonObject *root = NULL;
  const char *access_token = NULL;
  const char *refresh_token = NULL;
  TokenEntry *entry;

  response = send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->json != NULL && JSON_NODE_HOLDS_OBJECT (response->json))
    {
      root = json_node_get_object (response->json);
      access_token = json_object_get_string_or (root, "access_token", NULL);
      refresh_token = json_object_get_string_or (root, "refresh_token", NULL);
    }
  if (access_token == NULL || *access_token == '\0')
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s did not return an access token after the sign-in. Check the API "
                                 "base URL, if set, then sign in again."), account_name (account));
      return;
    }
  if (refresh_token == NULL || *refresh_token == '\0')
    {
      /* Without a refresh token the account would stop syncing within hours. */
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                               _("%s did not return a refresh token, so Portico could not stay signed in. "
                                 "Allow offline access (refresh tokens) in the app you registered, then "
                                 "sign in again."), account_name (account));
      return;
    }

  g_hash_table_replace (account->caller_values, g_strdup (PORTICO_REFRESH_TOKEN_FIELD),
                        g_strdup (refresh_token));

  /* The access token just issued serves the test and the first sync: no
   * refresh (which may rotate the refresh token) right after signing in. */
  signed_in = account_new (account->runtime, account->connector, account->caller_values, &error);
  if (signed_in == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  entry = runtime_token_entry (account->runtime, signed_in->token_key);
  g_clear_pointer (&entry->token, portico_secret_free);
  g_clear_pointer (&entry->refresh_token, portico_secret_free);
  entry->token = g_strdup (access_token);
  entry->refresh_token = g_strdup (refresh_token);
  entry->expires_at = g_get_monotonic_time () + json_object_get_int_or (root, "expires_in", 3600) * G_USEC_PER_SEC;

  g_task_return_boolean (task, TRUE);
}

void
portico_runtime_exchange_code_async (PorticoRuntime     *self,
                                     PorticoConnector   *connector,
                                     GHashTable         *field_values,
                                     const char         *code,
                                     const char         *redirect_uri,
                                     const char         *code_verifier,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ExchangeData *data;
  Account *account;
  Request *req;

  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  g_return_if_fail (PORTICO_IS_CONNECTOR (connector));
  g_return_if_fail (field_values != NULL && code != NULL && redirect_uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_runtime_exchange_code_async);

  g_hash_table_remove (field_values, PORTICO_REFRESH_TOKEN_FIELD);
  account = account_new (self, connector, field_values, &error);
  if (account == NULL || account->grant != GRANT_REFRESH_TOKEN)
    {
      if (error == NULL)
        g_set_error (&error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                     _("%s does not sign in through the browser."), portico_connector_get_name (connector));
      g_clear_pointer (&account, account_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_new0 (ExchangeData, 1);
  data->account = account;
  data->redirect_uri = g_strdup (redirect_uri);
  g_task_set_task_data (task, data, (GDestroyNotify) exchange_data_free);

  req = request_new ("POST", account->token_uri);
  req->form = TRUE;
  req->is_token_request = TRUE;
  req->grant = GRANT_AUTHORIZATION_CODE;
  req->cred_origin = g_uri_ref (account->token_uri);
  req->body = json_object_new ();
  json_object_set_string_member (req->body, "grant_type", "authorization_code");
  json_object_set_string_member (req->body, "redirect_uri", redirect_uri);
  req->cred_body = json_object_new ();
  json_object_set_string_member (req->cred_body, "code", code);
  if (code_verifier != NULL)
    json_object_set_string_member (req->cred_body, "code_verifier", code_verifier);
  token_request_add_client (account, req);

  send_async (account, req, cancellable, exchange_cb, g_steal_pointer (&task));
}

gboolean
portico_runtime_exchange_code_finish (PorticoRuntime *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_runtime_exchange_code_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static char *
uri_origin (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  int port = g_uri_get_port (uri);
  g_autofree char *host = g_ascii_strdown (g_uri_get_host (uri), -1);
  g_autofree char *lower_scheme = g_ascii_strdown (scheme, -1);

  if (port < 0)
    port = g_str_equal (lower_scheme, "http") ? 80 : 443;
  return g_strdup_printf ("%s://%s:%d", lower_scheme, host, port);
}

GStrv
portico_runtime_dup_credential_origins (PorticoRuntime   *self,
                                        PorticoConnector *connector,
                                        GHashTable       *field_values,
                                        GError          **error)
{
  g_autoptr(Account) account = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;

  g_return_val_if_fail (PORTICO_IS_RUNTIME (self), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  /* Exactly the addresses the requests are built from. */
  account = account_new (self, connector, field_values, error);
  if (account == NULL)
    return NULL;

  base = uri_origin (account->base_uri);
  g_strv_builder_add (builder, base);
  if (account->token_uri != NULL)
    {
      token = uri_origin (account->token_uri);
      if (!g_str_equal (token, base))
        g_strv_builder_add (builder, token);
    }
  return g_strv_builder_end (builder);
}
