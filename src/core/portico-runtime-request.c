/* portico-runtime-request.c: accounts (a connector with its field values)
 * and the requests built from them: templates, headers, bodies, URLs.
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

/* ------------------------------------------------------------------------ */
/* Secrets in memory                                                         */


/* ------------------------------------------------------------------------ */
/* Per-host slots                                                            */


void
portico_runtime_host_slot_free (HostSlot *slot)
{
  g_queue_clear_full (&slot->waiting, g_object_unref);
  g_free (slot);
}

/* ------------------------------------------------------------------------ */
/* Token cache                                                               */


void
portico_runtime_token_entry_free (TokenEntry *entry)
{
  portico_secret_free (entry->token);
  portico_secret_free (entry->refresh_token);
  g_ptr_array_unref (entry->waiters);
  g_free (entry);
}

/* ------------------------------------------------------------------------ */
/* Accounts: a connector with its field values, ready to build requests      */


static void
request_header_free (RequestHeader *header)
{
  g_free (header->name);
  portico_secret_free (header->value);
  g_free (header);
}

RequestHeader *
portico_runtime_request_header_new (const char *name,
                                    const char *value,
                                    gboolean    credential)
{
  RequestHeader *header = g_new0 (RequestHeader, 1);

  header->name = g_strdup (name);
  header->value = g_strdup (value);
  header->credential = credential;
  return header;
}


void
portico_runtime_account_unref (Account *account)
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

Account *
portico_runtime_account_ref (Account *account)
{
  g_atomic_ref_count_inc (&account->ref);
  return account;
}


const char *
portico_runtime_account_name (Account *account)
{
  return portico_connector_get_name (account->connector);
}

/* Replaces every secret value in @text; used on anything a provider sends
 * back before it reaches a message or a log line. */
char *
portico_runtime_account_redact (Account    *account,
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

const char *
portico_runtime_json_object_get_string_or (JsonObject *object,
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

JsonObject *
portico_runtime_json_object_get_object_or_null (JsonObject *object,
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
gboolean
portico_runtime_int64_add (gint64 *out,
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
gint64
portico_runtime_double_to_int64 (double value,
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

gint64
portico_runtime_json_object_get_int_or (JsonObject *object,
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
    return portico_runtime_double_to_int64 (json_node_get_double (node), fallback);
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
char *
portico_runtime_json_scalar_to_string (JsonNode *node)
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

gboolean
portico_runtime_json_node_is_true (JsonNode *node)
{
  g_autofree char *text = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  text = portico_runtime_json_scalar_to_string (node);
  return g_strcmp0 (text, "true") == 0;
}

/* Evaluates an expression; an empty path means the whole document. */
JsonNode *
portico_runtime_eval_expr (Account  *account,
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

char *
portico_runtime_eval_expr_string (Account  *account,
                                  JsonNode *expr,
                                  JsonNode *root)
{
  g_autoptr(JsonNode) node = portico_runtime_eval_expr (account, expr, root);

  return portico_runtime_json_scalar_to_string (node);
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

      if (g_strcmp0 (portico_runtime_json_object_get_string_or (perm, "id", NULL), permission) != 0 ||
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
      const char *template_str = portico_runtime_json_object_get_string_or (headers, l->data, NULL);
      g_autofree char *value = NULL;

      if (template_str == NULL)
        continue;
      value = expand (account, template_str, FALSE, error);
      if (value == NULL)
        return FALSE;
      /* A header that comes out empty is not sent (Navan's X-ta-region
       * outside the EU). */
      if (*value == '\0' && *template_str != '\0')
        continue;
      g_ptr_array_add (into, portico_runtime_request_header_new (l->data, value,
                                                                 template_mentions_secret (account, template_str)));
    }
  return TRUE;
}

GUri *
portico_runtime_account_parse_uri (Account    *account,
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
                   portico_runtime_account_name (account));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 && portico_http_host_is_loopback (g_uri_get_host (uri))))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("The address for %s must start with https://. Plain http:// is only allowed for this computer (localhost)."),
                   portico_runtime_account_name (account));
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

  token_url = expand (account, portico_runtime_json_object_get_string_or (auth, "token_url", ""), FALSE, error);
  if (token_url == NULL)
    return FALSE;
  account->token_uri = portico_runtime_account_parse_uri (account, token_url, error);
  if (account->token_uri == NULL)
    return FALSE;
  account->client_id = expand (account, portico_runtime_json_object_get_string_or (auth, "client_id", ""), FALSE, error);
  if (account->client_id == NULL)
    return FALSE;
  account->client_secret = expand (account, portico_runtime_json_object_get_string_or (auth, "client_secret", ""), FALSE, error);
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
  account->authorize_url = expand (account, portico_runtime_json_object_get_string_or (auth, "authorize_url", ""), FALSE, error);
  if (account->authorize_url == NULL)
    return FALSE;
  params = portico_runtime_json_object_get_object_or_null (auth, "authorize_params");
  if (params != NULL)
    {
      account->authorize_params = expand_object (account, params, error);
      if (account->authorize_params == NULL)
        return FALSE;
    }
  /* A public client (no secret) names itself in the body; a confidential
   * one authenticates as the provider documents, in the body by default. */
  account->client_auth_body = g_strcmp0 (portico_runtime_json_object_get_string_or (auth, "client_auth", "body"), "basic") != 0 ||
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
  const char *key_field = portico_runtime_json_object_get_string_or (auth, "key_field", "");
  const char *key_text = g_hash_table_lookup (account->values, key_field);
  const char *subject = portico_runtime_json_object_get_string_or (auth, "subject", NULL);
  g_autoptr(GError) key_error = NULL;

  if (key_text == NULL || *key_text == '\0')
    {
      const PorticoConnectorField *field = portico_connector_get_field (account->connector, key_field);

      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                   _("%s needs the service account’s key file (“%s”). Choose the JSON key file, then test again."),
                   portico_runtime_account_name (account), field != NULL ? field->label : key_field);
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
  account->token_uri = portico_runtime_account_parse_uri (account, account->sa_key->token_uri, error);
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

Account *
portico_runtime_account_new (PorticoRuntime   *runtime,
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
  gboolean told_pending = FALSE;
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

  /* Format v2: the hosts and headers of the region (or deployment) picked. */
  if (!portico_connector_add_choice_values (connector, account->values, error))
    return NULL;

  definition = portico_connector_get_definition (connector);
  auth = portico_connector_get_auth (connector);
  scheme = portico_runtime_json_object_get_string_or (auth, "scheme", "none");

  /* Values the provider tells at sign-in (auth.after_sign_in) are empty
   * until it told them, like an optional field. */
  {
    JsonObject *after = portico_runtime_json_object_get_object_or_null (auth, "after_sign_in");
    JsonObject *told = portico_runtime_json_object_get_object_or_null (after, "values");
    g_autoptr(GList) names = told != NULL ? json_object_get_members (told) : NULL;

    for (GList *l = names; l != NULL; l = l->next)
      {
        const char *told_value = g_hash_table_lookup (account->values, l->data);

        if (told_value == NULL || *told_value == '\0')
          told_pending = TRUE;
        if (told_value == NULL)
          g_hash_table_insert (account->values, g_strdup (l->data), g_strdup (""));
      }
  }

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

  base_url = expand (account, portico_runtime_json_object_get_string_or (definition, "base_url", ""), FALSE, error);
  if (base_url == NULL)
    return NULL;
  if (told_pending && !g_uri_is_valid (base_url, PORTICO_HTTP_URI_FLAGS, NULL))
    {
      /* The host is told at sign-in (DocuSign's base_uri). Until then no
       * request is sent there: every one waits for a token, which needs the
       * sign-in. A reserved name (RFC 2606) stands in. */
      g_free (base_url);
      base_url = g_strdup ("https://sign-in-pending.invalid");
    }
  account->base_uri = portico_runtime_account_parse_uri (account, base_url, error);
  if (account->base_uri == NULL)
    return NULL;
  account->named_base = g_uri_parse (base_url, PORTICO_HTTP_URI_FLAGS, NULL);
  account->base_url = g_uri_to_string (account->base_uri);
  while (g_str_has_suffix (account->base_url, "/"))
    account->base_url[strlen (account->base_url) - 1] = '\0';

  if (!account_add_headers (account, portico_runtime_json_object_get_object_or_null (definition, "headers"),
                            account->headers, error))
    return NULL;

  if (g_strcmp0 (scheme, "header") == 0)
    {
      g_autoptr(ScrubbedString) header_value = expand (account, portico_runtime_json_object_get_string_or (auth, "value", ""), FALSE, error);
      if (header_value == NULL)
        return NULL;
      g_ptr_array_add (account->cred_headers,
                       portico_runtime_request_header_new (portico_runtime_json_object_get_string_or (auth, "header", "Authorization"),
                                                           header_value, TRUE));
    }
  else if (g_strcmp0 (scheme, "basic") == 0)
    {
      g_autoptr(ScrubbedString) user = expand (account, portico_runtime_json_object_get_string_or (auth, "username", ""), FALSE, error);
      g_autoptr(ScrubbedString) password = NULL;
      g_autoptr(ScrubbedString) pair = NULL;
      g_autoptr(ScrubbedString) encoded = NULL;
      g_autoptr(ScrubbedString) header_value = NULL;

      if (user == NULL)
        return NULL;
      password = expand (account, portico_runtime_json_object_get_string_or (auth, "password", ""), FALSE, error);
      if (password == NULL)
        return NULL;
      pair = g_strconcat (user, ":", password, NULL);
      encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      header_value = g_strconcat ("Basic ", encoded, NULL);
      g_ptr_array_add (account->cred_headers, portico_runtime_request_header_new ("Authorization", header_value, TRUE));
    }
  else if (g_strcmp0 (scheme, "body") == 0)
    {
      JsonObject *body_fields = portico_runtime_json_object_get_object_or_null (auth, "fields");

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
      scope = portico_runtime_json_object_get_string_or (auth, "scope", NULL);
      if (scope != NULL)
        {
          account->scope = expand (account, scope, FALSE, error);
          if (account->scope == NULL)
            return NULL;
        }
      else if (json_object_get_boolean_member_with_default (auth, "scope_from_permission", FALSE))
        account->scope = permission_scope (connector, account_permission (account));
      params = portico_runtime_json_object_get_object_or_null (auth, "params");
      if (params != NULL)
        {
          account->token_params = expand_object (account, params, error);
          if (account->token_params == NULL)
            return NULL;
        }
      account->client_auth_body = g_strcmp0 (portico_runtime_json_object_get_string_or (auth, "client_auth", "basic"), "body") == 0;
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


void
portico_runtime_request_free (Request *req)
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


Request *
portico_runtime_request_new (const char *method,
                             GUri       *uri)
{
  Request *req = g_new0 (Request, 1);

  req->method = g_ascii_strup (method ? method : "GET", -1);
  req->uri = g_uri_ref (uri);
  req->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);
  req->cred_headers = g_ptr_array_new_with_free_func ((GDestroyNotify) request_header_free);
  return req;
}


void
portico_runtime_response_free (Response *response)
{
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->uri, g_uri_unref);
  g_free (response);
}


void
portico_runtime_append_form_pair (GString    *out,
                                  const char *name,
                                  const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append_uri_escaped (out, name, NULL, FALSE);
  g_string_append_c (out, '=');
  g_string_append_uri_escaped (out, value ? value : "", NULL, FALSE);
}

GBytes *
portico_runtime_request_build_body (Request    *req,
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
          portico_runtime_append_form_pair (out, req->form_field, text);
          for (guint i = 0; req->form_params != NULL && i + 1 < req->form_params->len; i += 2)
            portico_runtime_append_form_pair (out, g_ptr_array_index (req->form_params, i),
                                              g_ptr_array_index (req->form_params, i + 1));
        }
      else
        {
          g_autoptr(GList) names = json_object_get_members (body);
          for (GList *l = names; l != NULL; l = l->next)
            {
              JsonNode *node = json_object_get_member (body, l->data);
              g_autoptr(ScrubbedString) text = portico_runtime_json_scalar_to_string (node);

              if (text == NULL && node != NULL && !JSON_NODE_HOLDS_NULL (node))
                text = json_to_string (node, FALSE);
              portico_runtime_append_form_pair (out, l->data, text);
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
/* Building API requests from a definition                                   */

void
portico_runtime_append_query_pair (GString    *query,
                                   const char *name,
                                   const char *value)
{
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_uri_escaped (query, name, "$[]", FALSE);
  g_string_append_c (query, '=');
  g_string_append_uri_escaped (query, value ? value : "", "$,:@/!'()*;", FALSE);
}

/* Whether @extra_query (name/value pairs) has a pair named @name. */
static gboolean
extra_query_has (GPtrArray  *extra_query,
                 const char *name)
{
  for (guint i = 0; extra_query != NULL && i + 1 < extra_query->len; i += 2)
    if (g_strcmp0 (g_ptr_array_index (extra_query, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* @extra_query: name/value pairs appended after the definition's query;
 * a pair replaces the definition's parameter of the same name (the page,
 * offset or cursor of the next page, where the definition gives the first
 * one: AWS IAM Identity Center's empty "cursor"). */
Request *
portico_runtime_build_request (Account    *account,
                               JsonObject *request_def,
                               const char *path_override,
                               gboolean    with_definition_query,
                               GPtrArray  *extra_query,
                               gboolean    with_definition_body,
                               const char *data_type_id,
                               GError    **error)
{
  const char *path_template = path_override ? path_override : portico_runtime_json_object_get_string_or (request_def, "path", "");
  const char *encoding = portico_runtime_json_object_get_string_or (request_def, "body_encoding", "json");
  JsonObject *query_def = portico_runtime_json_object_get_object_or_null (request_def, "query");
  JsonObject *body_def = portico_runtime_json_object_get_object_or_null (request_def, "body");
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
          g_autofree char *raw = portico_runtime_json_scalar_to_string (node);
          g_autofree char *value = NULL;

          if (raw == NULL || extra_query_has (extra_query, l->data))
            continue;
          value = expand (account, raw, FALSE, error);
          if (value == NULL)
            return NULL;
          portico_runtime_append_query_pair (query, l->data, value);
        }
    }
  for (guint i = 0; extra_query != NULL && i + 1 < extra_query->len; i += 2)
    portico_runtime_append_query_pair (query, g_ptr_array_index (extra_query, i), g_ptr_array_index (extra_query, i + 1));

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
                   _("The address for %s is not valid. Check the values you entered."), portico_runtime_account_name (account));
      return NULL;
    }

  req = portico_runtime_request_new (portico_runtime_json_object_get_string_or (request_def, "method", "GET"), uri);
  req->cred_origin = g_uri_ref (account->base_uri);
  req->use_token = account->oauth;
  req->data_type_id = g_strdup (data_type_id);
  req->form = g_strcmp0 (encoding, "form") == 0;
  req->form_field = g_strdup (portico_runtime_json_object_get_string_or (request_def, "form_field", NULL));
  if (req->form_field != NULL)
    req->form = TRUE;
  {
    JsonObject *params = portico_runtime_json_object_get_object_or_null (request_def, "form_params");
    g_autoptr(GList) names = params != NULL ? json_object_get_members (params) : NULL;

    /* More form fields beside the JSON one (Expensify's export template). */
    for (GList *l = names; l != NULL; l = l->next)
      {
        const char *raw = portico_runtime_json_object_get_string_or (params, l->data, "");
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
      g_ptr_array_add (req->headers, portico_runtime_request_header_new (header->name, header->value, header->credential));
    }
  if (!account_add_headers (account, portico_runtime_json_object_get_object_or_null (request_def, "headers"), req->headers, error))
    return NULL;
  for (guint i = 0; i < account->cred_headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (account->cred_headers, i);
      g_ptr_array_add (req->cred_headers, portico_runtime_request_header_new (header->name, header->value, TRUE));
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
