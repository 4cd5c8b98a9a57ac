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
#include "portico-runtime-private.h"

enum {
  SIGNAL_SECRET_ROTATED,
  SIGNAL_EXCHANGE,
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

void
portico_runtime_token_invalidate (Account    *account,
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

      g_ptr_array_add (req->cred_headers, portico_runtime_request_header_new ("Authorization", value, TRUE));
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
  Request *req = portico_runtime_request_new ("POST", account->token_uri);

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
          portico_runtime_request_free (req);
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
  Request *req = portico_runtime_request_new ("POST", account->token_uri);
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

      g_ptr_array_add (req->cred_headers, portico_runtime_request_header_new ("Authorization", value, TRUE));
    }

  return req;
}

static void token_get_step (GTask *task);

/* A provider that rotates refresh tokens (Dropbox with short-lived tokens,
 * Atlassian, Zoom, Gusto) invalidates the old one: the new one replaces it
 * in the cache, in the caller's values and, through ::secret-rotated, in
 * the keyring, before anything else can use the old one. */
/* Query parameters whose value is a credential whatever it holds. */
static gboolean
is_credential_name (const char *name)
{
  static const char * const words[] = {
    "token", "key", "secret", "password", "passwd", "signature", "sig", "auth",
    "code", "session", "credential", "assertion", NULL,
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (lower, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* A value that is, or holds, a secret or a person's address. */
static const char *
redacted_value (Account    *account,
                const char *value,
                const char *token)
{
  g_autofree char *clean = portico_runtime_account_redact (account, value, token);

  if (g_strcmp0 (clean, value) != 0)
    return "[hidden]";
  if (strchr (value, '@') != NULL)
    return "[removed]";
  return NULL;
}

char *
portico_runtime_redact_uri (Account    *account,
                            GUri       *uri,
                            const char *token)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) segments = NULL;
  const char *query = g_uri_get_query (uri);
  int port = g_uri_get_port (uri);

  /* The origin stays (which host was asked); userinfo never. */
  g_string_append_printf (out, "%s://%s", g_uri_get_scheme (uri),
                          g_uri_get_host (uri) ? g_uri_get_host (uri) : "");
  if (port > 0)
    g_string_append_printf (out, ":%d", port);

  segments = g_strsplit (g_uri_get_path (uri), "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_autofree char *decoded = g_uri_unescape_string (segments[i], NULL);
      const char *replacement = redacted_value (account, decoded ? decoded : segments[i], token);

      if (i > 0)
        g_string_append_c (out, '/');
      g_string_append (out, replacement != NULL ? replacement : segments[i]);
    }

  if (query != NULL && *query != '\0')
    {
      g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

      g_string_append_c (out, '?');
      for (guint i = 0; pairs[i] != NULL; i++)
        {
          const char *eq = strchr (pairs[i], '=');
          g_autofree char *name = eq ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);
          g_autofree char *decoded_name = g_uri_unescape_string (name, NULL);
          g_autofree char *value = eq ? g_uri_unescape_string (eq + 1, NULL) : NULL;
          const char *replacement = NULL;

          if (i > 0)
            g_string_append_c (out, '&');
          if (decoded_name == NULL || redacted_value (account, decoded_name, token) != NULL)
            {
              g_string_append (out, "[hidden]");
              continue;
            }
          g_string_append (out, name);
          if (eq == NULL)
            continue;
          if (value == NULL || is_credential_name (decoded_name))
            replacement = "[hidden]";
          else
            replacement = redacted_value (account, value, token);
          g_string_append_c (out, '=');
          g_string_append (out, replacement != NULL ? replacement : eq + 1);
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
portico_runtime_emit_exchange (Account    *account,
                               Request    *req,
                               const char *method,
                               GUri       *uri,
                               const char *token,
                               guint       status,
                               const char *provider_code)
{
  g_autoptr(JsonObject) exchange = NULL;
  g_autofree char *url = NULL;
  GHashTable *values = account->caller_values;
  const char *origin;

  /* Syncs read many pages with nobody listening: build nothing for them. */
  if (values == NULL ||
      !g_signal_has_handler_pending (account->runtime, signals[SIGNAL_EXCHANGE], 0, FALSE))
    return;
  /* A for_each fetches with values of its own that name the caller's,
   * which it keeps alive until every fetch ended. */
  origin = g_hash_table_lookup (values, PORTICO_VALUE_EXCHANGE_ORIGIN);
  if (origin != NULL)
    values = GSIZE_TO_POINTER ((gsize) g_ascii_strtoull (origin, NULL, 16));

  exchange = json_object_new ();
  url = portico_runtime_redact_uri (account, uri, token);
  json_object_set_string_member (exchange, "request",
                                 req->is_token_request ? "token"
                                 : req->data_type_id != NULL ? "data_type" : "identity");
  if (req->data_type_id != NULL)
    json_object_set_string_member (exchange, "data_type", req->data_type_id);
  json_object_set_string_member (exchange, "method", method);
  json_object_set_string_member (exchange, "url", url);
  json_object_set_int_member (exchange, "http_status", status);
  if (provider_code != NULL)
    {
      g_autofree char *clean = portico_runtime_account_redact (account, provider_code, token);

      if (strchr (clean, '@') != NULL)
        json_object_set_string_member (exchange, "provider_code", "[removed]");
      else
        json_object_set_string_member (exchange, "provider_code", clean);
    }
  else
    json_object_set_null_member (exchange, "provider_code");

  g_signal_emit (account->runtime, signals[SIGNAL_EXCHANGE], 0, values, exchange);
}

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

  response = portico_runtime_send_finish (result, &error);
  if (response != NULL)
    {
      const char *access_token = NULL;

      if (response->json != NULL && JSON_NODE_HOLDS_OBJECT (response->json))
        {
          object_root = json_node_get_object (response->json);
          access_token = portico_runtime_json_object_get_string_or (object_root, "access_token", NULL);
        }
      if (access_token == NULL || *access_token == '\0')
        {
          g_set_error (&error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("%s did not return an access token. Check the API base URL, if set, "
                         "and that the client is allowed to use client credentials."),
                       portico_runtime_account_name (account));
        }
      else
        {
          /* The provider's number: clamped, so that the time in µs
           * cannot overflow. */
          gint64 expires_in = CLAMP (portico_runtime_json_object_get_int_or (object_root, "expires_in", 3600),
                                     0, PORTICO_LIMIT_TOKEN_LIFETIME_SECONDS);
          const char *refresh_token = portico_runtime_json_object_get_string_or (object_root, "refresh_token", NULL);

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
                     portico_runtime_account_name (account));
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
  portico_runtime_send_async (account, req, g_task_get_cancellable (task), token_fetched_cb, g_object_ref (task));
}

void
portico_runtime_token_get_async (Account            *account,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  GTask *task = g_task_new (account->runtime, cancellable, callback, user_data);

  g_task_set_source_tag (task, portico_runtime_token_get_async);
  g_task_set_task_data (task, portico_runtime_account_ref (account), (GDestroyNotify) portico_runtime_account_unref);
  token_get_step (task);
}

char *
portico_runtime_token_get_finish (GAsyncResult *result,
                                  GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
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
      id = portico_runtime_eval_expr_string (account, id_expr, root);
      name = portico_runtime_eval_expr_string (account, name_expr, root);
    }
  else
    {
      /* No request: the expressions read the field values ({"template"}). */
      g_autoptr(JsonObject) empty_object = json_object_new ();
      g_autoptr(JsonNode) empty = json_node_init_object (json_node_alloc (), empty_object);
      g_autoptr(JsonNode) id_node = id_expr ? portico_expr_eval (id_expr, empty, account->values) : NULL;
      g_autoptr(JsonNode) name_node = name_expr ? portico_expr_eval (name_expr, empty, account->values) : NULL;

      id = portico_runtime_json_scalar_to_string (id_node);
      name = portico_runtime_json_scalar_to_string (name_node);
    }

  if (id == NULL || *id == '\0')
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s did not say which account these credentials belong to. "
                                 "If an API base URL is set, check it; otherwise report the connector."),
                               portico_runtime_account_name (account));
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
  g_autoptr(Response) response = portico_runtime_send_finish (result, &error);

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
                               portico_runtime_account_name (account));
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

  account = portico_runtime_account_new (self, connector, field_values, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, account, (GDestroyNotify) portico_runtime_account_unref);

  identity_def = portico_connector_get_identity (connector);
  request_def = portico_runtime_json_object_get_object_or_null (identity_def, "request");
  if (request_def == NULL)
    {
      identity_finish_with_root (task, NULL);
      return;
    }

  req = portico_runtime_build_request (account, request_def, NULL, TRUE, NULL, TRUE, NULL, &error);
  if (req == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  portico_runtime_send_async (account, req, cancellable, identity_response_cb, g_object_ref (task));
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
  signals[SIGNAL_EXCHANGE] =
    g_signal_new ("exchange", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_HASH_TABLE | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
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
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) portico_runtime_host_slot_free);
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) portico_runtime_token_entry_free);
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

  account = portico_runtime_account_new (self, connector, field_values, error);
  if (account == NULL)
    return NULL;
  uri = portico_runtime_account_parse_uri (account, account->authorize_url, error);
  if (uri == NULL)
    return NULL;

  auth = portico_connector_get_auth (connector);
  scope = portico_connector_dup_scope (connector, permission != NULL ? permission : "read");
  query = g_string_new (g_uri_get_query (uri));
  portico_runtime_append_form_pair (query, "response_type", "code");
  portico_runtime_append_form_pair (query, "client_id", account->client_id);
  portico_runtime_append_form_pair (query, "redirect_uri", redirect_uri);
  if (*scope != '\0')
    portico_runtime_append_form_pair (query, "scope", scope);
  portico_runtime_append_form_pair (query, "state", state);
  if (json_object_get_boolean_member_with_default (auth, "pkce", TRUE))
    {
      portico_runtime_append_form_pair (query, "code_challenge", code_challenge);
      portico_runtime_append_form_pair (query, "code_challenge_method", "S256");
    }
  if (account->authorize_params != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (account->authorize_params);

      for (GList *l = members; l != NULL; l = l->next)
        portico_runtime_append_form_pair (query, l->data,
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
  Account *signed_in; /* after the exchange */
  char *redirect_uri;
} ExchangeData;

static void
exchange_data_free (ExchangeData *data)
{
  g_clear_pointer (&data->account, portico_runtime_account_unref);
  g_clear_pointer (&data->signed_in, portico_runtime_account_unref);
  g_free (data->redirect_uri);
  g_free (data);
}

/* auth.after_sign_in: each value read from @answer goes to the caller's
 * values (stored with the account's settings, usable in templates). */
static gboolean
after_sign_in_store (Account    *account,
                     JsonObject *values,
                     JsonNode   *answer,
                     GError    **error)
{
  g_autoptr(GList) names = values != NULL ? json_object_get_members (values) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *value = portico_runtime_eval_expr_string (account, json_object_get_member (values, l->data), answer);

      if (value == NULL || *value == '\0')
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("%s did not tell “%s” after the sign-in. Sign in again with an account that "
                         "can reach it."), portico_runtime_account_name (account), (const char *) l->data);
          return FALSE;
        }
      g_hash_table_replace (account->caller_values, g_strdup (l->data), g_steal_pointer (&value));
    }
  return TRUE;
}

static void
after_sign_in_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExchangeData *data = g_task_get_task_data (task);
  JsonObject *after = portico_runtime_json_object_get_object_or_null (portico_connector_get_auth (data->account->connector),
                                                      "after_sign_in");
  g_autoptr(Response) response = NULL;
  GError *error = NULL;

  response = portico_runtime_send_finish (result, &error);
  if (response == NULL ||
      !after_sign_in_store (data->signed_in, portico_runtime_json_object_get_object_or_null (after, "values"), response->json, &error))
    {
      /* A sign-in that fails stores nothing. */
      g_hash_table_remove (data->account->caller_values, PORTICO_REFRESH_TOKEN_FIELD);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Returns FALSE when @task was answered (an error, or no after_sign_in
 * request: the values came from the token response). */
static gboolean
after_sign_in_start (GTask    *task,
                     JsonNode *token_response)
{
  ExchangeData *data = g_task_get_task_data (task);
  Account *account = data->signed_in;
  JsonObject *after = portico_runtime_json_object_get_object_or_null (portico_connector_get_auth (account->connector),
                                                      "after_sign_in");
  JsonObject *request = portico_runtime_json_object_get_object_or_null (after, "request");
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  GError *error = NULL;
  Request *req;

  if (after == NULL)
    return TRUE;
  if (request == NULL)
    {
      if (!after_sign_in_store (account, portico_runtime_json_object_get_object_or_null (after, "values"), token_response, &error))
        {
          g_hash_table_remove (data->account->caller_values, PORTICO_REFRESH_TOKEN_FIELD);
          g_task_return_error (task, error);
          return FALSE;
        }
      return TRUE;
    }

  url = portico_template_expand (portico_runtime_json_object_get_string_or (request, "url", ""), account->values, FALSE, &error);
  uri = url != NULL ? portico_runtime_account_parse_uri (account, url, &error) : NULL;
  if (uri == NULL)
    {
      g_hash_table_remove (data->account->caller_values, PORTICO_REFRESH_TOKEN_FIELD);
      g_task_return_error (task, error);
      return FALSE;
    }
  req = portico_runtime_request_new (portico_runtime_json_object_get_string_or (request, "method", "GET"), uri);
  /* The address is the connector's, like token_url: the new token may go
   * there. */
  req->cred_origin = g_uri_ref (uri);
  req->use_token = TRUE;
  for (guint i = 0; i < account->headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (account->headers, i);

      g_ptr_array_add (req->headers, portico_runtime_request_header_new (header->name, header->value, header->credential));
    }
  portico_runtime_send_async (account, req, g_task_get_cancellable (task), after_sign_in_cb, g_object_ref (task));
  return FALSE;
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

  response = portico_runtime_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (response->json != NULL && JSON_NODE_HOLDS_OBJECT (response->json))
    {
      root = json_node_get_object (response->json);
      access_token = portico_runtime_json_object_get_string_or (root, "access_token", NULL);
      refresh_token = portico_runtime_json_object_get_string_or (root, "refresh_token", NULL);
    }
  if (access_token == NULL || *access_token == '\0')
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s did not return an access token after the sign-in. Check the API "
                                 "base URL, if set, then sign in again."), portico_runtime_account_name (account));
      return;
    }
  if (refresh_token == NULL || *refresh_token == '\0')
    {
      /* Without a refresh token the account would stop syncing within hours. */
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                               _("%s did not return a refresh token, so Portico could not stay signed in. "
                                 "Allow offline access (refresh tokens) in the app you registered, then "
                                 "sign in again."), portico_runtime_account_name (account));
      return;
    }

  g_hash_table_replace (account->caller_values, g_strdup (PORTICO_REFRESH_TOKEN_FIELD),
                        g_strdup (refresh_token));

  /* The access token just issued serves the test and the first sync: no
   * refresh (which may rotate the refresh token) right after signing in. */
  signed_in = portico_runtime_account_new (account->runtime, account->connector, account->caller_values, &error);
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
  entry->expires_at = g_get_monotonic_time () + portico_runtime_json_object_get_int_or (root, "expires_in", 3600) * G_USEC_PER_SEC;

  data->signed_in = portico_runtime_account_ref (signed_in);
  if (after_sign_in_start (task, response->json))
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
  account = portico_runtime_account_new (self, connector, field_values, &error);
  if (account == NULL || account->grant != GRANT_REFRESH_TOKEN)
    {
      if (error == NULL)
        g_set_error (&error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_UNSUPPORTED,
                     _("%s does not sign in through the browser."), portico_connector_get_name (connector));
      g_clear_pointer (&account, portico_runtime_account_unref);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = g_new0 (ExchangeData, 1);
  data->account = account;
  data->redirect_uri = g_strdup (redirect_uri);
  g_task_set_task_data (task, data, (GDestroyNotify) exchange_data_free);

  req = portico_runtime_request_new ("POST", account->token_uri);
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

  portico_runtime_send_async (account, req, cancellable, exchange_cb, g_steal_pointer (&task));
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

/* ------------------------------------------------------------------------ */
/* Revocation (auth.revoke)                                                  */

typedef struct
{
  Account *account;
  GCancellable *cancellable; /* cancelled by the timeout or the caller's */
  GCancellable *caller;
  gulong caller_id;
  guint timeout_id;
  guint timeout_seconds;
  gboolean timed_out;
} RevokeData;

static void
revoke_data_free (RevokeData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  if (data->caller != NULL)
    g_cancellable_disconnect (data->caller, data->caller_id);
  g_clear_object (&data->caller);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->account, portico_runtime_account_unref);
  g_free (data);
}

static gboolean
revoke_timeout_cb (gpointer user_data)
{
  RevokeData *data = user_data;

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

static void
revoke_caller_cancelled_cb (GCancellable *caller,
                            gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RevokeData *data = g_task_get_task_data (task);
  PorticoRuntime *self = data->account->runtime;
  TokenEntry *entry = g_hash_table_lookup (self->tokens, data->account->token_key);
  g_autoptr(Response) response = NULL;
  g_autoptr(GError) error = NULL;

  /* Whatever the provider answered, these tokens are not used again. */
  if (entry != NULL && !entry->fetching)
    g_hash_table_remove (self->tokens, data->account->token_key);

  response = portico_runtime_send_finish (result, &error);
  if (response == NULL && data->timed_out)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               _("%s did not answer the revocation within %u seconds."),
                               portico_runtime_account_name (data->account), data->timeout_seconds);
      return;
    }
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
portico_runtime_revoke_async (PorticoRuntime     *self,
                              PorticoConnector   *connector,
                              GHashTable         *field_values,
                              guint               timeout_seconds,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(Account) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  JsonObject *revoke;
  RevokeData *data;
  Request *req;

  g_return_if_fail (PORTICO_IS_RUNTIME (self));
  g_return_if_fail (PORTICO_IS_CONNECTOR (connector));
  g_return_if_fail (field_values != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_runtime_revoke_async);

  revoke = portico_runtime_json_object_get_object_or_null (portico_connector_get_auth (connector), "revoke");
  account = portico_runtime_account_new (self, connector, field_values, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (revoke == NULL || account->grant != GRANT_REFRESH_TOKEN || account->refresh_token == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s has no sign-in to revoke."), portico_connector_get_name (connector));
      return;
    }
  url = portico_template_expand (portico_runtime_json_object_get_string_or (revoke, "url", ""), account->values, FALSE, &error);
  uri = url != NULL ? portico_runtime_account_parse_uri (account, url, &error) : NULL;
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  req = portico_runtime_request_new ("POST", uri);
  req->cred_origin = g_uri_ref (uri);
  if (g_strcmp0 (portico_runtime_json_object_get_string_or (revoke, "token", "refresh_token"), "access_token") == 0)
    {
      /* Dropbox: the access token revokes itself and its refresh token. */
      req->use_token = TRUE;
    }
  else
    {
      /* RFC 7009 section 2.1, the client authenticated as at token_url. */
      req->form = TRUE;
      req->is_token_request = TRUE;
      req->body = json_object_new ();
      json_object_set_string_member (req->body, "token_type_hint", "refresh_token");
      req->cred_body = json_object_new ();
      json_object_set_string_member (req->cred_body, "token", account->refresh_token);
      token_request_add_client (account, req);
    }

  data = g_new0 (RevokeData, 1);
  data->account = portico_runtime_account_ref (account);
  data->cancellable = g_cancellable_new ();
  data->timeout_seconds = timeout_seconds;
  if (cancellable != NULL)
    {
      data->caller = g_object_ref (cancellable);
      data->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (revoke_caller_cancelled_cb),
                                               g_object_ref (data->cancellable), g_object_unref);
    }
  if (timeout_seconds > 0)
    data->timeout_id = g_timeout_add_seconds (timeout_seconds, revoke_timeout_cb, data);
  g_task_set_task_data (task, data, (GDestroyNotify) revoke_data_free);

  portico_runtime_send_async (account, req, data->cancellable, revoke_cb, g_steal_pointer (&task));
}

gboolean
portico_runtime_revoke_finish (PorticoRuntime *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_runtime_revoke_async, FALSE);

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
  account = portico_runtime_account_new (self, connector, field_values, error);
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
