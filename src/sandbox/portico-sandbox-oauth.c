/* portico-sandbox-oauth.c: the sandbox plays the provider of a sign-in.
 *
 * Part of portico-sandbox-server.c's translation unit (see
 * portico-sandbox-oauth.h). What it speaks is RFC 6749 (authorization code
 * and refresh grants, the error redirect of section 4.1.2.1 and the token
 * errors of section 5.2), RFC 7636 (S256) and RFC 7523 (JWT bearer with an
 * RS256 signature, as Google's service accounts use it: "Invalid JWT
 * Signature." for a signature that does not verify).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

typedef struct
{
  Behaviour behaviour;
  char *tenant;
  char *challenge;
  char *redirect_uri;
  char *client_id;
} OAuthGrant;

typedef struct
{
  char *private_key_pem;
  gnutls_pubkey_t pubkey;
} SandboxJwtKey;

static void
oauth_grant_free (gpointer data)
{
  OAuthGrant *grant = data;

  g_free (grant->tenant);
  g_free (grant->challenge);
  g_free (grant->redirect_uri);
  g_free (grant->client_id);
  g_free (grant);
}

static void
sandbox_jwt_key_free (gpointer data)
{
  SandboxJwtKey *key = data;

  if (key == NULL)
    return;
  g_free (key->private_key_pem);
  gnutls_pubkey_deinit (key->pubkey);
  g_free (key);
}

gboolean
portico_sandbox_oauth_fault_from_string (const char               *name,
                                         PorticoSandboxOAuthFault *fault)
{
  static const char * const names[] = { "none", "deny", "wrong_state", "expire_refresh", "revoke_refresh" };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      {
        *fault = (PorticoSandboxOAuthFault) i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
sandbox_oauth_is_jwt_key_field (SandboxConnector *sc,
                                const char       *field_id)
{
  JsonObject *auth = obj_member (sc->def, "auth");

  return g_strcmp0 (str_member (auth, "scheme"), "oauth2_jwt_bearer") == 0 &&
         g_strcmp0 (str_member (auth, "key_field"), field_id) == 0;
}

/* One RSA key per connector, made when the sandbox starts. */
static SandboxJwtKey *
sandbox_jwt_key (SandboxConnector *sc)
{
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t privkey;
  gnutls_datum_t pem = { NULL, 0 };
  SandboxJwtKey *key;

  if (sc->jwt_key != NULL)
    return sc->jwt_key;

  key = g_new0 (SandboxJwtKey, 1);
  if (gnutls_x509_privkey_init (&x509) != 0 ||
      gnutls_x509_privkey_generate (x509, GNUTLS_PK_RSA, 2048, 0) != 0 ||
      gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &pem) != 0)
    g_error ("The sandbox cannot make an RSA key");
  key->private_key_pem = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);
  gnutls_privkey_init (&privkey);
  gnutls_privkey_import_x509 (privkey, x509, 0);
  gnutls_pubkey_init (&key->pubkey);
  gnutls_pubkey_import_privkey (key->pubkey, privkey, 0, 0);
  gnutls_privkey_deinit (privkey);
  gnutls_x509_privkey_deinit (x509);
  sc->jwt_key = key;
  return key;
}

/* A service-account key file, shaped like the JSON the Google Cloud console
 * downloads; its client_email selects the behaviour. */
static char *
sandbox_oauth_key_file (SandboxConnector *sc,
                        const char       *kind)
{
  SandboxJwtKey *key = sandbox_jwt_key (sc);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *email = g_strdup_printf ("portico-sandbox-%s@sandbox-project.iam.gserviceaccount.com", kind);
  static const char * const members[][2] = {
    { "type", "service_account" },
    { "project_id", "sandbox-project" },
    { "private_key_id", "0123456789abcdef0123456789abcdef01234567" },
    { "client_id", "100000000000000000001" },
    { "auth_uri", "https://accounts.google.com/o/oauth2/auth" },
  };

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      json_builder_set_member_name (b, members[i][0]);
      json_builder_add_string_value (b, members[i][1]);
    }
  json_builder_set_member_name (b, "private_key");
  json_builder_add_string_value (b, key->private_key_pem);
  json_builder_set_member_name (b, "client_email");
  json_builder_add_string_value (b, email);
  json_builder_set_member_name (b, "token_uri");
  json_builder_add_string_value (b, SANDBOX_JWT_TOKEN_URI);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

static void
oauth_error (SoupServerMessage *msg,
             guint              status,
             const char        *error,
             const char        *description)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error);
  json_builder_set_member_name (b, "error_description");
  json_builder_add_string_value (b, description);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  set_json (msg, status, root);
}

/* An error of the token endpoint, in the provider's own shape where it has
 * one (portico-sandbox-vendor.c), else RFC 6749 section 5.2's. */
static void
token_error (SandboxConnector  *sc,
             SoupServerMessage *msg,
             guint              status,
             const char        *error,
             const char        *description)
{
  if (!portico_sandbox_vendor_token_error (sc->id, msg, status, description))
    oauth_error (msg, status, error, description);
}

static char *
random_token (const char *prefix)
{
  return g_strdup_printf ("%s%08x%08x%08x", prefix, g_random_int (), g_random_int (), g_random_int ());
}

static void
issue_tokens (SandboxConnector  *sc,
              SoupServerMessage *msg,
              Behaviour          behaviour,
              const char        *tenant,
              const char        *client_id,
              gboolean           with_refresh)
{
  g_autofree char *access = random_token ("sbx_at_");
  g_autofree char *refresh = with_refresh ? random_token ("sbx_rt_") : NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  Token *t = g_new0 (Token, 1);

  t->behaviour = behaviour;
  t->tenant = g_strdup (tenant);
  t->expires = g_get_monotonic_time () + (gint64) TOKEN_LIFETIME * G_USEC_PER_SEC;
  t->refresh_token = g_strdup (refresh);
  g_hash_table_insert (sc->tokens, g_strdup (access), t);
  if (refresh != NULL)
    {
      OAuthGrant *grant = g_new0 (OAuthGrant, 1);

      grant->behaviour = behaviour;
      grant->tenant = g_strdup (tenant);
      grant->client_id = g_strdup (client_id);
      g_hash_table_insert (sc->refresh_tokens, g_strdup (refresh), grant);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_string_value (b, access);
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "Bearer");
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, TOKEN_LIFETIME);
  if (refresh != NULL)
    {
      json_builder_set_member_name (b, "refresh_token");
      json_builder_add_string_value (b, refresh);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  set_json (msg, SOUP_STATUS_OK, root);
}

static gboolean
is_loopback_redirect (const char *uri_text)
{
  g_autoptr(GUri) uri = uri_text ? g_uri_parse (uri_text, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         (g_strcmp0 (g_uri_get_host (uri), "127.0.0.1") == 0 || g_strcmp0 (g_uri_get_host (uri), "[::1]") == 0 ||
          g_strcmp0 (g_uri_get_host (uri), "::1") == 0);
}

static void
redirect_to (SoupServerMessage *msg,
             const char        *redirect_uri,
             GString           *query)
{
  g_autofree char *location = g_strconcat (redirect_uri, strchr (redirect_uri, '?') ? "&" : "?", query->str, NULL);

  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
append_param (GString    *query,
              const char *name,
              const char *value)
{
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_uri_escaped (query, name, NULL, FALSE);
  g_string_append_c (query, '=');
  g_string_append_uri_escaped (query, value, NULL, FALSE);
}

/* The consent page, answered at once as the admin would: "Allow" (or
 * "Deny" under the deny fault). */
static void
sandbox_oauth_serve_authorize (SandboxConnector  *sc,
                               SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GHashTable) query = g_uri_get_query (uri) ? soup_form_decode (g_uri_get_query (uri))
                                                      : g_hash_table_new (g_str_hash, g_str_equal);
  const char *redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  const char *state = g_hash_table_lookup (query, "state");
  const char *client_id = g_hash_table_lookup (query, "client_id");
  const char *challenge = g_hash_table_lookup (query, "code_challenge");
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autofree char *code = NULL;
  OAuthGrant *grant;

  /* RFC 6749 4.1.2.1: a missing or bad redirect address is shown, never
   * redirected to. */
  if (!is_loopback_redirect (redirect_uri) || client_id == NULL || *client_id == '\0')
    {
      const char *page = "Error 400: invalid_request. The redirect_uri or client_id is missing or not allowed.";

      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, page, strlen (page));
      return;
    }

  if (g_strcmp0 (g_hash_table_lookup (query, "response_type"), "code") != 0)
    {
      append_param (answer, "error", "unsupported_response_type");
      if (state != NULL)
        append_param (answer, "state", state);
      redirect_to (msg, redirect_uri, answer);
      return;
    }
  if (challenge != NULL && g_strcmp0 (g_hash_table_lookup (query, "code_challenge_method"), "S256") != 0)
    {
      append_param (answer, "error", "invalid_request");
      append_param (answer, "error_description", "code_challenge_method must be S256");
      if (state != NULL)
        append_param (answer, "state", state);
      redirect_to (msg, redirect_uri, answer);
      return;
    }

  if (sc->oauth_fault == PORTICO_SANDBOX_OAUTH_FAULT_DENY)
    {
      append_param (answer, "error", "access_denied");
      append_param (answer, "error_description", "The user denied access.");
      if (state != NULL)
        append_param (answer, "state", state);
      redirect_to (msg, redirect_uri, answer);
      return;
    }

  code = random_token ("sbx_code_");
  grant = g_new0 (OAuthGrant, 1);
  grant->behaviour = BEHAVE_OK;
  grant->challenge = g_strdup (challenge);
  grant->redirect_uri = g_strdup (redirect_uri);
  grant->client_id = g_strdup (client_id);
  g_hash_table_insert (sc->codes, g_strdup (code), grant);

  append_param (answer, "code", code);
  if (state != NULL)
    {
      g_autofree char *sent = sc->oauth_fault == PORTICO_SANDBOX_OAUTH_FAULT_WRONG_STATE
                              ? g_strconcat (state, "-not-yours", NULL) : g_strdup (state);
      append_param (answer, "state", sent);
    }
  redirect_to (msg, redirect_uri, answer);
}

static char *
s256 (const char *verifier)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *b64 = NULL;
  char *out;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  b64 = g_base64_encode (digest, len);
  out = g_strdup (b64);
  {
    char *w = out;
    for (char *r = b64; *r && *r != '='; r++)
      *w++ = *r == '+' ? '-' : *r == '/' ? '_' : *r;
    *w = '\0';
  }
  return out;
}

static char *
base64url_decode (const char *text,
                  gsize      *len)
{
  g_autoptr(GString) padded = g_string_new (text);

  g_strdelimit (padded->str, "-", '+');
  g_strdelimit (padded->str, "_", '/');
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  return (char *) g_base64_decode (padded->str, len);
}

static void
serve_jwt_bearer (SandboxConnector  *sc,
                  SoupServerMessage *msg,
                  const char        *assertion)
{
  SandboxJwtKey *key = sandbox_jwt_key (sc);
  g_auto(GStrv) parts = assertion ? g_strsplit (assertion, ".", -1) : NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *claims_text = NULL;
  g_autoptr(JsonNode) claims_node = NULL;
  g_autofree char *tenant = NULL;
  JsonObject *claims;
  gsize sig_len = 0, claims_len = 0;
  gnutls_datum_t data, sig;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Behaviour b;

  if (parts == NULL || g_strv_length (parts) != 3)
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
      return;
    }
  signing_input = g_strconcat (parts[0], ".", parts[1], NULL);
  signature = base64url_decode (parts[2], &sig_len);
  data.data = (unsigned char *) signing_input;
  data.size = strlen (signing_input);
  sig.data = (unsigned char *) signature;
  sig.size = sig_len;
  if (gnutls_pubkey_verify_data2 (key->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) < 0)
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Invalid JWT Signature.");
      return;
    }

  claims_text = base64url_decode (parts[1], &claims_len);
  claims_node = json_from_string (claims_text, NULL);
  claims = claims_node != NULL && JSON_NODE_HOLDS_OBJECT (claims_node) ? json_node_get_object (claims_node) : NULL;
  if (claims == NULL ||
      g_strcmp0 (str_member (claims, "aud"), SANDBOX_JWT_TOKEN_URI) != 0 ||
      int_member (claims, "exp", 0) <= now || int_member (claims, "iat", 0) > now + 300 ||
      int_member (claims, "exp", 0) - int_member (claims, "iat", 0) > 3600)
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                   "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
      return;
    }

  {
    /* The key file's client_email selects the behaviour by its local part. */
    g_autofree char *local = g_strdup (str_member (claims, "iss"));
    char *at = local != NULL ? strchr (local, '@') : NULL;

    if (at != NULL)
      *at = '\0';
    b = classify_secret (local, &tenant);
  }
  if (b == BEHAVE_BAD || sc->broken)
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Invalid grant: account not found");
      return;
    }
  if (str_member (claims, "scope") == NULL)
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
      return;
    }
  issue_tokens (sc, msg, b, tenant, str_member (claims, "iss"), FALSE);
}

/* Client authentication at the token and revocation endpoints: HTTP Basic
 * or the body (RFC 6749 2.3.1); a public client sends only its client_id.
 * @user receives the client id. */
static Behaviour
oauth_client (SandboxConnector  *sc,
              SoupServerMessage *msg,
              JsonObject        *form,
              char             **user,
              char             **tenant)
{
  JsonObject *auth = obj_member (sc->def, "auth");
  g_autofree char *pass = NULL;

  if (!decode_basic (msg, user, &pass))
    {
      *user = g_strdup (str_member (form, "client_id"));
      pass = g_strdup (str_member (form, "client_secret"));
    }
  if (*user == NULL)
    return BEHAVE_BAD;
  if (str_member (auth, "client_secret") != NULL && pass != NULL)
    return classify_template (sc, str_member (auth, "client_secret"), pass, tenant);
  return BEHAVE_OK;
}

static void
sandbox_oauth_serve_token (SandboxConnector  *sc,
                           SoupServerMessage *msg,
                           JsonNode          *body)
{
  JsonObject *auth = obj_member (sc->def, "auth");
  JsonObject *form = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  const char *grant_type = str_member (form, "grant_type");
  g_autofree char *user = NULL;
  g_autofree char *tenant = NULL;
  Behaviour client;

  if (g_strcmp0 (grant_type, "urn:ietf:params:oauth:grant-type:jwt-bearer") == 0 &&
      g_strcmp0 (str_member (auth, "scheme"), "oauth2_jwt_bearer") == 0)
    {
      serve_jwt_bearer (sc, msg, str_member (form, "assertion"));
      return;
    }
  if (g_strcmp0 (str_member (auth, "scheme"), "oauth2_authorization_code") != 0)
    {
      token_error (sc, msg, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type", "Invalid grant_type.");
      return;
    }

  client = oauth_client (sc, msg, form, &user, &tenant);
  if (client == BEHAVE_BAD || sc->broken)
    {
      token_error (sc, msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Client authentication failed.");
      return;
    }

  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    {
      const char *code = str_member (form, "code");
      OAuthGrant *grant = code != NULL ? g_hash_table_lookup (sc->codes, code) : NULL;
      const char *verifier = str_member (form, "code_verifier");
      g_autofree char *challenge = verifier != NULL ? s256 (verifier) : NULL;
      gboolean ok;

      ok = grant != NULL &&
           g_strcmp0 (grant->redirect_uri, str_member (form, "redirect_uri")) == 0 &&
           g_strcmp0 (grant->client_id, user) == 0 &&
           (grant->challenge == NULL || g_strcmp0 (grant->challenge, challenge) == 0);
      if (code != NULL)
        g_hash_table_remove (sc->codes, code); /* single use, even when refused */
      if (!ok)
        {
          token_error (sc, msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                       "The authorization code is invalid, expired, or was issued to another client or redirect_uri.");
          return;
        }
      issue_tokens (sc, msg, client, tenant, user, TRUE);
      return;
    }

  if (g_strcmp0 (grant_type, "refresh_token") == 0)
    {
      const char *refresh = str_member (form, "refresh_token");
      OAuthGrant *grant = refresh != NULL ? g_hash_table_lookup (sc->refresh_tokens, refresh) : NULL;
      Behaviour behaviour;
      g_autofree char *grant_tenant = NULL;

      if (grant == NULL || sc->oauth_fault == PORTICO_SANDBOX_OAUTH_FAULT_EXPIRE_REFRESH ||
          g_strcmp0 (grant->client_id, user) != 0)
        {
          token_error (sc, msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                       "The refresh token is invalid, expired or revoked.");
          return;
        }
      behaviour = grant->behaviour;
      grant_tenant = g_strdup (grant->tenant);
      /* Rotation: the old refresh token stops working now. */
      g_hash_table_remove (sc->refresh_tokens, refresh);
      issue_tokens (sc, msg, behaviour, grant_tenant, user, TRUE);
      return;
    }

  token_error (sc, msg, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type", "Invalid grant_type.");
}

/* ---- What the provider tells after the sign-in, and revocation -------- */

static JsonObject *
after_sign_in_def (SandboxConnector *sc)
{
  return obj_member (obj_member (sc->def, "auth"), "after_sign_in");
}

static void
sandbox_oauth_add_routes (SandboxConnector *sc)
{
  JsonObject *auth = obj_member (sc->def, "auth");
  JsonObject *request = obj_member (after_sign_in_def (sc), "request");
  JsonObject *revoke = obj_member (auth, "revoke");

  if (request != NULL)
    {
      g_autofree char *path = template_path (str_member (request, "url"));

      add_route (sc, ROUTE_AFTER_SIGN_IN, str_member (request, "method"), path, NULL);
    }
  if (revoke != NULL)
    {
      g_autofree char *path = template_path (str_member (revoke, "url"));

      add_route (sc, ROUTE_REVOKE, "POST", path, NULL);
    }
}

/* The value name an identity expression is exactly ("{cloud_id}"), or
 * NULL. */
static char *
identity_template_name (SandboxConnector *sc,
                        const char       *member)
{
  JsonObject *identity = obj_member (sc->def, "identity");
  JsonNode *expr = identity != NULL ? json_object_get_member (identity, member) : NULL;
  const char *tmpl;
  gsize len;

  if (expr == NULL || !JSON_NODE_HOLDS_OBJECT (expr))
    return NULL;
  tmpl = str_member (json_node_get_object (expr), "template");
  len = tmpl != NULL ? strlen (tmpl) : 0;
  if (len < 3 || tmpl[0] != '{' || tmpl[len - 1] != '}' || strchr (tmpl + 1, '{') != NULL)
    return NULL;
  return g_strndup (tmpl + 1, len - 2);
}

/* The value the provider tells for @name: the account's identity when the
 * identity is that value (per tenant, as the identity request would
 * answer), an example otherwise. */
static char *
sign_in_value (SandboxConnector *sc,
               const char       *name,
               const char       *external_id,
               const char       *account_name)
{
  g_autofree char *id_name = identity_template_name (sc, "id");
  g_autofree char *display_name = identity_template_name (sc, "name");
  g_autoptr(JsonObject) field = NULL;

  if (g_strcmp0 (name, id_name) == 0)
    return g_strdup (external_id);
  if (g_strcmp0 (name, display_name) == 0)
    return g_strdup (account_name);
  field = json_object_new ();
  json_object_set_string_member (field, "id", name);
  json_object_set_string_member (field, "type", strstr (name, "uri") != NULL || strstr (name, "url") != NULL
                                                ? "url" : "text");
  return example_value (field);
}

static void
sandbox_oauth_sign_in_values (SandboxConnector *sc,
                              const char       *external_id,
                              const char       *account_name)
{
  JsonObject *values = obj_member (after_sign_in_def (sc), "values");
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, sc->fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (sc->template_values, g_strdup (key), g_strdup (value));
  if (values == NULL)
    return;
  {
    g_autoptr(GList) names = json_object_get_members (values);

    for (GList *l = names; l != NULL; l = l->next)
      {
        g_hash_table_insert (sc->template_values, g_strdup (l->data),
                             sign_in_value (sc, l->data, external_id, account_name));
      }
  }
}

/* The request the connector makes right after signing in (Atlassian's
 * accessible resources, DocuSign's user info, Gusto's token info): each
 * value at the path the definition reads it from. */
static void
sandbox_oauth_serve_after_sign_in (SandboxConnector  *sc,
                                   SoupServerMessage *msg)
{
  JsonObject *values = obj_member (after_sign_in_def (sc), "values");
  g_autofree char *tenant = NULL;
  g_autofree char *external_id = NULL;
  g_autofree char *account_name = NULL;
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_NULL);
  g_autoptr(GList) names = NULL;

  if (classify_request (sc, msg, NULL, &tenant) == BEHAVE_BAD)
    {
      serve_error (sc, msg, "not_authorized");
      return;
    }
  external_id = portico_sandbox_data_external_id (sc->sandbox->data, sc->id, tenant);
  account_name = portico_sandbox_data_account_name (sc->sandbox->data, sc->id, tenant);
  names = values != NULL ? json_object_get_members (values) : NULL;
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *path = json_object_get_member (values, l->data);
      g_autofree char *value = sign_in_value (sc, l->data, external_id, account_name);

      if (is_path_expr (path))
        set_at_path (root, path, string_node (value));
    }
  set_json (msg, SOUP_STATUS_OK, root);
}

/* Every access token issued with @refresh stops working too. */
static void
revoke_grant (SandboxConnector *sc,
              const char       *refresh)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, sc->tokens);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (((Token *) value)->refresh_token, refresh) == 0)
      g_hash_table_iter_remove (&iter);
  if (g_hash_table_remove (sc->refresh_tokens, refresh))
    sc->revoked++;
}

/* auth.revoke: "refresh_token" is RFC 7009 (the token in the form, the
 * client authenticated as at the token endpoint, 200 even for a token that
 * is unknown); "access_token" is the call Dropbox documents
 * (/2/auth/token/revoke), made with the access token itself, which ends its
 * refresh token as well. */
static void
sandbox_oauth_serve_revoke (SandboxConnector  *sc,
                            SoupServerMessage *msg,
                            JsonNode          *body)
{
  JsonObject *revoke = obj_member (obj_member (sc->def, "auth"), "revoke");
  JsonObject *form = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  g_autofree char *user = NULL;
  g_autofree char *tenant = NULL;
  const char *token;
  OAuthGrant *grant;

  if (g_strcmp0 (str_member (revoke, "token"), "access_token") == 0)
    {
      const char *access = bearer_token (msg);
      Token *t = access != NULL ? g_hash_table_lookup (sc->tokens, access) : NULL;
      g_autofree char *refresh = NULL;

      if (t == NULL)
        {
          serve_error (sc, msg, "not_authorized");
          return;
        }
      refresh = g_strdup (t->refresh_token);
      g_hash_table_remove (sc->tokens, access);
      if (refresh != NULL)
        revoke_grant (sc, refresh);
      {
        g_autoptr(JsonNode) null = json_node_new (JSON_NODE_NULL);

        set_json (msg, SOUP_STATUS_OK, null);
      }
      return;
    }

  if (oauth_client (sc, msg, form, &user, &tenant) == BEHAVE_BAD || sc->broken)
    {
      oauth_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Client authentication failed.");
      return;
    }
  token = str_member (form, "token");
  if (token == NULL || *token == '\0')
    {
      oauth_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "The token parameter is missing.");
      return;
    }
  grant = g_hash_table_lookup (sc->refresh_tokens, token);
  if (grant != NULL && g_strcmp0 (grant->client_id, user) == 0)
    revoke_grant (sc, token);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}
