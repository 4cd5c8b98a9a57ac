/* test-oauth.c: signing in through the browser, refresh tokens and signed
 * service-account assertions, against a provider played by an in-test
 * SoupServer on loopback.
 *
 * The test is the browser: it reads the address the sign-in announces and
 * fetches it; the provider's authorize endpoint answers like a consent page
 * that the admin accepted (or declined), with a redirect to Portico's
 * loopback listener.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "portico-jwt.h"
#include "portico-oauth.h"
#include "engine-test-util.h"
#include "portico-status.h"

#define CLIENT_ID "portico-test-client"
#define CLIENT_SECRET "client-secret-7d41c2"

typedef enum
{
  CONSENT_ACCEPT,
  CONSENT_DENY,
  CONSENT_WRONG_STATE,
} Consent;

typedef struct
{
  SoupServer *server;
  char *base;
  PorticoRuntime *runtime;
  PorticoConnector *connector;

  Consent consent;
  char *challenge;           /* from the authorize request */
  char *redirect_uri;
  char *issued_code;
  GHashTable *refresh_tokens; /* the valid ones */
  GPtrArray *issued;         /* every access and refresh token handed out */
  char *access_token;        /* the one the API accepts */
  guint serial;
  gboolean rotate;
  gint64 expires_in;
  gboolean reject_next_api_call;
  guint code_hits, refresh_hits, jwt_hits, api_401;
  char *authorize_query;

  /* JWT bearer */
  gnutls_pubkey_t pubkey;
  JsonObject *claims;
  char *jwt_error;

  /* The browser */
  SoupSession *browser;
  guint browser_status;
  char *browser_page;
  gboolean browse;
} Provider;

static const char *code_connector_json =
  "{\"format\":1,\"id\":\"oauthapp\",\"name\":\"OAuthApp\",\"category\":\"other\","
  "\"help_url\":\"https://example.com/help\",\"help\":\"Register an app.\","
  "\"multi_account\":false,\"base_url\":\"https://api.example.com\","
  "\"fields\":[{\"id\":\"client_id\",\"label\":\"Client ID\",\"type\":\"text\",\"required\":true},"
  "           {\"id\":\"client_secret\",\"label\":\"Client secret\",\"type\":\"secret\",\"required\":false}],"
  "\"permissions\":[{\"id\":\"read\",\"label\":\"Read\",\"help\":\"Read.\",\"scopes\":[\"users.read\"]}],"
  "\"auth\":{\"scheme\":\"oauth2_authorization_code\","
  "          \"authorize_url\":\"https://auth.example.com/oauth/authorize\","
  "          \"token_url\":\"https://auth.example.com/oauth/token\","
  "          \"client_id\":\"{client_id}\",\"client_secret\":\"{client_secret}\","
  "          \"scopes\":[\"offline_access\"],\"authorize_params\":{\"access_type\":\"offline\"}},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/me\"},\"id\":\"id\",\"name\":\"name\"},"
  "\"data_types\":{\"users\":{\"label\":\"Users\",\"essential\":true,"
  "   \"request\":{\"method\":\"GET\",\"path\":\"/users\"},\"pagination\":{\"style\":\"none\"},"
  "   \"items\":\"\",\"map\":{\"id\":\"id\",\"email\":\"email\",\"name\":\"name\"}}}}";

static const char *jwt_connector_json =
  "{\"format\":1,\"id\":\"jwtapp\",\"name\":\"JwtApp\",\"category\":\"other\","
  "\"help_url\":\"https://example.com/help\",\"help\":\"Create a service account.\","
  "\"multi_account\":true,\"base_url\":\"https://api.example.com\","
  "\"fields\":[{\"id\":\"key_file\",\"label\":\"Service account key\",\"type\":\"file\",\"required\":true},"
  "           {\"id\":\"admin_email\",\"label\":\"Admin email\",\"type\":\"email\",\"required\":true}],"
  "\"permissions\":[{\"id\":\"read\",\"label\":\"Read\",\"help\":\"Read.\",\"scopes\":[\"https://example.com/auth/users.readonly\"]}],"
  "\"auth\":{\"scheme\":\"oauth2_jwt_bearer\",\"key_field\":\"key_file\",\"subject\":\"{admin_email}\"},"
  "\"identity\":{\"request\":{\"method\":\"GET\",\"path\":\"/me\"},\"id\":\"id\",\"name\":\"name\"},"
  "\"data_types\":{\"users\":{\"label\":\"Users\",\"essential\":true,"
  "   \"request\":{\"method\":\"GET\",\"path\":\"/users\"},\"pagination\":{\"style\":\"none\"},"
  "   \"items\":\"\",\"map\":{\"id\":\"id\",\"email\":\"email\",\"name\":\"name\"}}}}";

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static char *
issue (Provider   *p,
       const char *prefix)
{
  char *token = g_strdup_printf ("%s-%u-%08x", prefix, ++p->serial, g_random_int ());

  g_ptr_array_add (p->issued, g_strdup (token));
  return token;
}

static void
respond_tokens (Provider          *p,
                SoupServerMessage *msg,
                gboolean           with_refresh)
{
  g_autofree char *refresh = with_refresh ? issue (p, "rt") : NULL;
  g_autofree char *body = NULL;

  g_free (p->access_token);
  p->access_token = issue (p, "at");
  if (refresh != NULL)
    g_hash_table_add (p->refresh_tokens, g_strdup (refresh));
  if (refresh != NULL)
    body = g_strdup_printf ("{\"access_token\":\"%s\",\"token_type\":\"bearer\",\"expires_in\":%" G_GINT64_FORMAT
                            ",\"refresh_token\":\"%s\"}", p->access_token, p->expires_in, refresh);
  else
    body = g_strdup_printf ("{\"access_token\":\"%s\",\"token_type\":\"bearer\",\"expires_in\":%" G_GINT64_FORMAT "}",
                            p->access_token, p->expires_in);
  respond_json (msg, 200, body);
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

/* RFC 7523: the signature checked with the public key, then the claims. */
static gboolean
verify_assertion (Provider   *p,
                  const char *assertion)
{
  g_auto(GStrv) parts = g_strsplit (assertion, ".", -1);
  g_autofree char *signing_input = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *header_text = NULL;
  g_autofree char *claims_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize sig_len = 0, len = 0;
  gnutls_datum_t data, sig;

  if (g_strv_length (parts) != 3)
    return FALSE;
  signing_input = g_strconcat (parts[0], ".", parts[1], NULL);
  signature = base64url_decode (parts[2], &sig_len);
  data.data = (unsigned char *) signing_input;
  data.size = strlen (signing_input);
  sig.data = (unsigned char *) signature;
  sig.size = sig_len;
  if (gnutls_pubkey_verify_data2 (p->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) < 0)
    return FALSE;

  header_text = base64url_decode (parts[0], &len);
  g_assert_true (json_parser_load_from_data (parser, header_text, len, NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "alg"), ==, "RS256");

  claims_text = base64url_decode (parts[1], &len);
  g_assert_true (json_parser_load_from_data (parser, claims_text, len, NULL));
  g_clear_pointer (&p->claims, json_object_unref);
  p->claims = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return TRUE;
}

static void
token_handler (Provider          *p,
               SoupServerMessage *msg)
{
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *grant = g_hash_table_lookup (form, "grant_type");

  if (g_strcmp0 (grant, "authorization_code") == 0)
    {
      const char *verifier = g_hash_table_lookup (form, "code_verifier");
      g_autofree char *challenge = verifier ? portico_oauth_code_challenge (verifier) : NULL;

      p->code_hits++;
      /* RFC 7636 4.6: the verifier must hash to the challenge. */
      if (g_strcmp0 (g_hash_table_lookup (form, "code"), p->issued_code) != 0 ||
          g_strcmp0 (challenge, p->challenge) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), p->redirect_uri) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_id"), CLIENT_ID) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_secret"), CLIENT_SECRET) != 0)
        {
          respond_json (msg, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad code\"}");
          return;
        }
      g_clear_pointer (&p->issued_code, g_free); /* single use */
      respond_tokens (p, msg, TRUE);
      return;
    }

  if (g_strcmp0 (grant, "refresh_token") == 0)
    {
      const char *refresh = g_hash_table_lookup (form, "refresh_token");

      p->refresh_hits++;
      if (refresh == NULL || !g_hash_table_contains (p->refresh_tokens, refresh))
        {
          respond_json (msg, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token expired or revoked\"}");
          return;
        }
      if (p->rotate)
        g_hash_table_remove (p->refresh_tokens, refresh);
      respond_tokens (p, msg, p->rotate);
      return;
    }

  if (g_strcmp0 (grant, "urn:ietf:params:oauth:grant-type:jwt-bearer") == 0)
    {
      p->jwt_hits++;
      if (!verify_assertion (p, g_hash_table_lookup (form, "assertion")))
        {
          respond_json (msg, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
          return;
        }
      respond_tokens (p, msg, FALSE);
      return;
    }

  respond_json (msg, 400, "{\"error\":\"unsupported_grant_type\"}");
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Provider *p = user_data;

  if (g_str_equal (path, "/oauth/authorize"))
    {
      /* The consent page, already answered by the admin. */
      const char *state = g_hash_table_lookup (query, "state");
      g_autofree char *location = NULL;
      g_autofree char *escaped_state = NULL;

      g_free (p->authorize_query);
      p->authorize_query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
      g_free (p->challenge);
      p->challenge = g_strdup (g_hash_table_lookup (query, "code_challenge"));
      g_free (p->redirect_uri);
      p->redirect_uri = g_strdup (g_hash_table_lookup (query, "redirect_uri"));
      g_free (p->issued_code);
      p->issued_code = g_strdup_printf ("code-%08x", g_random_int ());
      escaped_state = g_uri_escape_string (state ? state : "", NULL, FALSE);
      if (p->consent == CONSENT_DENY)
        location = g_strdup_printf ("%s?error=access_denied&error_description=The+user+denied&state=%s",
                                    p->redirect_uri, escaped_state);
      else
        location = g_strdup_printf ("%s?code=%s&state=%s%s", p->redirect_uri, p->issued_code, escaped_state,
                                    p->consent == CONSENT_WRONG_STATE ? "forged" : "");
      soup_server_message_set_redirect (msg, 302, location);
      return;
    }

  if (g_str_equal (path, "/oauth/token"))
    {
      token_handler (p, msg);
      return;
    }

  {
    const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
    g_autofree char *expected = g_strconcat ("Bearer ", p->access_token ? p->access_token : "-", NULL);

    if (g_strcmp0 (auth, expected) != 0 || p->reject_next_api_call)
      {
        p->reject_next_api_call = FALSE;
        p->api_401++;
        respond_json (msg, 401, "{\"error\":\"invalid_token\"}");
        return;
      }
  }

  if (g_str_equal (path, "/me"))
    respond_json (msg, 200, "{\"id\":\"org-1\",\"name\":\"Example Org\"}");
  else if (g_str_equal (path, "/users"))
    respond_json (msg, 200, "[{\"id\":\"u1\",\"email\":\"ada@example.com\",\"name\":\"Ada\"},"
                            "{\"id\":\"u2\",\"email\":\"bob@example.com\",\"name\":\"Bob\"}]");
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static void
provider_setup (Provider *p, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  p->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (p->server, NULL, server_cb, p, NULL);
  soup_server_listen_local (p->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (p->server);
  p->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  p->runtime = portico_runtime_new ();
  g_object_set (p->runtime, "retry-base-ms", 1, NULL);
  p->connector = portico_connector_new_from_data (data ? data : code_connector_json, -1,
                                                  "oauthapp.json", TRUE, &error);
  g_assert_no_error (error);
  p->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->issued = g_ptr_array_new_with_free_func (g_free);
  p->expires_in = 3600;
  p->browser = soup_session_new ();
  p->browse = TRUE;
}

static void
provider_teardown (Provider *p, gconstpointer data)
{
  g_clear_object (&p->browser);
  g_clear_object (&p->runtime);
  g_clear_object (&p->connector);
  soup_server_disconnect (p->server);
  g_clear_object (&p->server);
  g_free (p->base);
  g_free (p->challenge);
  g_free (p->redirect_uri);
  g_free (p->issued_code);
  g_free (p->access_token);
  g_free (p->authorize_query);
  g_free (p->browser_page);
  g_free (p->jwt_error);
  g_clear_pointer (&p->claims, json_object_unref);
  g_clear_pointer (&p->refresh_tokens, g_hash_table_unref);
  g_clear_pointer (&p->issued, g_ptr_array_unref);
  if (p->pubkey != NULL)
    gnutls_pubkey_deinit (p->pubkey);
}

static GHashTable *
code_values (Provider *p)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (values, g_strdup ("client_id"), g_strdup (CLIENT_ID));
  g_hash_table_insert (values, g_strdup ("client_secret"), g_strdup (CLIENT_SECRET));
  g_hash_table_insert (values, g_strdup ("api_base_url"), g_strdup (p->base));
  return values;
}

static void
browser_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Provider *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  g_assert_no_error (error);
  p->browser_status = soup_message_get_status (msg);
  p->browser_page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The browser: fetch the authorize address, follow the redirect. */
static void
address_ready_cb (PorticoSignIn *sign_in,
                  const char    *address,
                  gpointer       user_data)
{
  Provider *p = user_data;
  g_autoptr(SoupMessage) msg = NULL;

  if (!p->browse)
    return;
  msg = soup_message_new ("GET", address);
  g_assert_nonnull (msg);
  soup_session_send_and_read_async (p->browser, msg, G_PRIORITY_DEFAULT, NULL, browser_cb, p);
}

static gboolean
run_sign_in (Provider     *p,
             GHashTable   *values,
             guint         timeout,
             GCancellable *cancellable,
             GError      **error)
{
  g_autoptr(PorticoSignIn) sign_in = portico_sign_in_new (p->runtime, p->connector, values, "read");
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  portico_sign_in_set_timeout (sign_in, timeout);
  g_signal_connect (sign_in, "address-ready", G_CALLBACK (address_ready_cb), p);
  portico_sign_in_run_async (sign_in, cancellable, store_result_cb, &slot);
  result = wait_result (&slot);
  ok = portico_sign_in_run_finish (sign_in, result, error);
  /* The listener is closed once the sign-in ended. */
  if (p->browse)
    while (p->browser_page == NULL)
      g_main_context_iteration (NULL, TRUE);
  return ok;
}

static gint64
fetch_users (Provider   *p,
             GHashTable *values,
             GError    **error)
{
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  portico_runtime_fetch_data_type_async (p->runtime, p->connector, values, "users", 0,
                                         NULL, NULL, NULL, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  return portico_runtime_fetch_data_type_finish (p->runtime, result, error);
}

/* ---- PKCE ------------------------------------------------------------------ */

static void
test_pkce (void)
{
  g_autofree char *verifier = portico_oauth_new_code_verifier ();
  g_autofree char *other = portico_oauth_new_code_verifier ();
  g_autofree char *challenge = NULL;
  g_autofree char *state = portico_oauth_new_state ();

  /* RFC 7636 appendix B. */
  challenge = portico_oauth_code_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

  /* 43 to 128 unreserved characters; ours are 43 of base64url. */
  g_assert_cmpuint (strlen (verifier), ==, 43);
  for (const char *c = verifier; *c; c++)
    g_assert_true (g_ascii_isalnum (*c) || *c == '-' || *c == '_');
  g_assert_cmpstr (verifier, !=, other);
  g_assert_cmpuint (strlen (state), >=, 22);
}

/* ---- Sign-in ------------------------------------------------------------------ */

static void
test_sign_in (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *external_id = NULL;
  GAsyncResult *slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (run_sign_in (p, values, 60, NULL, &error));
  g_assert_no_error (error);

  /* What the authorize address carried (RFC 6749 4.1.1, RFC 7636 4.3). */
  query = soup_form_decode (p->authorize_query);
  g_assert_cmpstr (g_hash_table_lookup (query, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (query, "client_id"), ==, CLIENT_ID);
  g_assert_cmpstr (g_hash_table_lookup (query, "scope"), ==, "offline_access users.read");
  g_assert_cmpstr (g_hash_table_lookup (query, "code_challenge_method"), ==, "S256");
  g_assert_cmpstr (g_hash_table_lookup (query, "access_type"), ==, "offline");
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (query, "redirect_uri"), "http://127.0.0.1:"));
  g_assert_cmpuint (strlen (g_hash_table_lookup (query, "state")), >=, 22);
  g_assert_false (g_hash_table_contains (query, "client_secret"));

  /* The browser was told to close the window; the code was exchanged once. */
  g_assert_cmpuint (p->browser_status, ==, 200);
  g_assert_nonnull (strstr (p->browser_page, "You can close this window"));
  g_assert_cmpuint (p->code_hits, ==, 1);
  g_assert_true (g_hash_table_contains (p->refresh_tokens, g_hash_table_lookup (values, PORTICO_REFRESH_TOKEN_FIELD)));

  /* The access token of the exchange serves the next requests: no refresh. */
  portico_runtime_fetch_identity_async (p->runtime, p->connector, values, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  g_assert_true (portico_runtime_fetch_identity_finish (p->runtime, result, &external_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (external_id, ==, "org-1");
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpuint (p->refresh_hits, ==, 0);
  g_assert_cmpuint (p->api_401, ==, 0);
}

static void
test_sign_in_state_mismatch (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GError) error = NULL;

  p->consent = CONSENT_WRONG_STATE;
  g_assert_false (run_sign_in (p, values, 60, NULL, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "state mismatch"));
  g_assert_cmpuint (p->browser_status, ==, 400);
  /* The forged code was never exchanged, and nothing was kept. */
  g_assert_cmpuint (p->code_hits, ==, 0);
  g_assert_false (g_hash_table_contains (values, PORTICO_REFRESH_TOKEN_FIELD));
}

static void
test_sign_in_denied (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GError) error = NULL;

  p->consent = CONSENT_DENY;
  g_assert_false (run_sign_in (p, values, 60, NULL, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "declined"));
  g_assert_cmpuint (p->code_hits, ==, 0);
  g_assert_false (g_hash_table_contains (values, PORTICO_REFRESH_TOKEN_FIELD));
}

static void
test_sign_in_refused_code (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GError) error = NULL;

  /* The provider does not know this client secret: the exchange fails. */
  g_hash_table_replace (values, g_strdup ("client_secret"), g_strdup ("wrong-secret"));
  g_assert_false (run_sign_in (p, values, 60, NULL, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_null (strstr (error->message, "wrong-secret"));
  g_assert_false (g_hash_table_contains (values, PORTICO_REFRESH_TOKEN_FIELD));
}

static void
test_sign_in_timeout (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GError) error = NULL;

  p->browse = FALSE;
  g_assert_false (run_sign_in (p, values, 1, NULL, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT);
}

static void
cancel_on_address_cb (PorticoSignIn *sign_in,
                      const char    *address,
                      gpointer       user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_sign_in_cancel (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PorticoSignIn) sign_in = portico_sign_in_new (p->runtime, p->connector, values, "read");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  GAsyncResult *slot = NULL;
  g_autofree char *redirect = NULL;

  g_signal_connect (sign_in, "address-ready", G_CALLBACK (cancel_on_address_cb), cancellable);
  portico_sign_in_run_async (sign_in, cancellable, store_result_cb, &slot);
  result = wait_result (&slot);
  g_assert_false (portico_sign_in_run_finish (sign_in, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The listener is gone. */
  redirect = g_strdup_printf ("%s?code=x&state=y", portico_sign_in_get_redirect_uri (sign_in));
  msg = soup_message_new ("GET", redirect);
  body = soup_session_send_and_read (p->browser, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), !=, 200);
}

/* ---- Refresh ------------------------------------------------------------------ */

static GHashTable *
signed_in_values (Provider *p)
{
  GHashTable *values = code_values (p);
  g_autofree char *refresh = issue (p, "rt");

  g_hash_table_add (p->refresh_tokens, g_strdup (refresh));
  g_hash_table_insert (values, g_strdup (PORTICO_REFRESH_TOKEN_FIELD), g_strdup (refresh));
  return values;
}

static void
test_refresh_before_expiry (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = signed_in_values (p);
  g_autoptr(GError) error = NULL;

  /* Tokens that are about to expire are replaced before they are used. */
  p->expires_in = 20;
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (p->refresh_hits, ==, 2);
  g_assert_cmpuint (p->api_401, ==, 0);

  /* A fresh token is reused. */
  p->expires_in = 3600;
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpuint (p->refresh_hits, ==, 3);
}

static void
test_refresh_after_401 (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = signed_in_values (p);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpuint (p->refresh_hits, ==, 1);

  /* The provider revoked the access token early: one refresh, one retry. */
  p->reject_next_api_call = TRUE;
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (p->api_401, ==, 1);
  g_assert_cmpuint (p->refresh_hits, ==, 2);
}

static void
rotated_cb (PorticoRuntime   *runtime,
            PorticoConnector *connector,
            GHashTable       *values,
            gpointer          user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (g_hash_table_lookup (values, PORTICO_REFRESH_TOKEN_FIELD)));
}

static void
test_refresh_rotation (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = signed_in_values (p);
  g_autofree char *first = g_strdup (g_hash_table_lookup (values, PORTICO_REFRESH_TOKEN_FIELD));
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) stale = NULL;
  g_autoptr(GError) error = NULL;
  const char *rotated;

  p->rotate = TRUE;
  p->expires_in = 20; /* every use refreshes */
  g_signal_connect (p->runtime, "secret-rotated", G_CALLBACK (rotated_cb), seen);

  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_no_error (error);
  rotated = g_hash_table_lookup (values, PORTICO_REFRESH_TOKEN_FIELD);
  g_assert_cmpstr (rotated, !=, first);
  g_assert_false (g_hash_table_contains (p->refresh_tokens, first));
  g_assert_true (g_hash_table_contains (p->refresh_tokens, rotated));
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, rotated);

  /* The runtime goes on with the newest token, even for values that still
   * hold the first one (a test's copy). */
  stale = signed_in_values (p);
  g_hash_table_remove (p->refresh_tokens, g_hash_table_lookup (stale, PORTICO_REFRESH_TOKEN_FIELD));
  g_hash_table_replace (stale, g_strdup (PORTICO_REFRESH_TOKEN_FIELD), g_strdup (first));
  g_assert_cmpint (fetch_users (p, stale, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (p->refresh_hits, ==, 2);
  g_assert_cmpuint (seen->len, ==, 2);

  /* A new process (no cache) with the newest stored token works. */
  g_clear_object (&p->runtime);
  p->runtime = portico_runtime_new ();
  g_assert_cmpint (fetch_users (p, stale, &error), ==, 2);
  g_assert_no_error (error);
  g_signal_handlers_disconnect_by_data (p->runtime, seen);
}

static void
test_refresh_invalid_grant (Provider *p, gconstpointer data)
{
  g_autoptr(GHashTable) values = signed_in_values (p);
  g_autoptr(GError) error = NULL;

  /* Revoked at the provider. */
  g_hash_table_remove_all (p->refresh_tokens);
  g_assert_cmpint (fetch_users (p, values, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED);
  g_assert_cmpstr (portico_error_code_name (error), ==, "sign_in_expired");
  g_assert_nonnull (strstr (error->message, "Sign in again"));
  g_assert_null (strstr (error->message, (const char *) g_hash_table_lookup (values, PORTICO_REFRESH_TOKEN_FIELD)));
}

/* ---- JWT bearer --------------------------------------------------------------- */

static char *
make_key_file (Provider   *p,
               const char *omit)
{
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t privkey;
  gnutls_datum_t pem = { NULL, 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *token_uri = g_strdup_printf ("%s/oauth/token", p->base);
  g_autofree char *key_pem = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (x509, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &pem), ==, 0);
  key_pem = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);

  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (privkey, x509, 0), ==, 0);
  if (p->pubkey != NULL)
    gnutls_pubkey_deinit (p->pubkey);
  g_assert_cmpint (gnutls_pubkey_init (&p->pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (p->pubkey, privkey, 0, 0), ==, 0);
  gnutls_privkey_deinit (privkey);
  gnutls_x509_privkey_deinit (x509);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "service_account");
  json_builder_set_member_name (builder, "private_key_id");
  json_builder_add_string_value (builder, "kid-1");
  if (g_strcmp0 (omit, "private_key") != 0)
    {
      json_builder_set_member_name (builder, "private_key");
      json_builder_add_string_value (builder, key_pem);
    }
  if (g_strcmp0 (omit, "client_email") != 0)
    {
      json_builder_set_member_name (builder, "client_email");
      json_builder_add_string_value (builder, "portico@example-project.iam.gserviceaccount.com");
    }
  if (g_strcmp0 (omit, "token_uri") != 0)
    {
      json_builder_set_member_name (builder, "token_uri");
      json_builder_add_string_value (builder, token_uri);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

static GHashTable *
jwt_values (Provider   *p,
            const char *key_file)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (values, g_strdup ("key_file"), g_strdup (key_file));
  g_hash_table_insert (values, g_strdup ("admin_email"), g_strdup ("admin@example.com"));
  g_hash_table_insert (values, g_strdup ("api_base_url"), g_strdup (p->base));
  return values;
}

static void
test_jwt_bearer (Provider *p, gconstpointer data)
{
  g_autofree char *key_file = make_key_file (p, NULL);
  g_autoptr(GHashTable) values = jwt_values (p, key_file);
  g_autofree char *aud = g_strdup_printf ("%s/oauth/token", p->base);
  g_autoptr(GError) error = NULL;
  gint64 iat, exp;

  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (p->jwt_hits, ==, 1);

  /* RFC 7523 3 and Google's service-account flow. */
  g_assert_nonnull (p->claims);
  g_assert_cmpstr (json_object_get_string_member (p->claims, "iss"), ==, "portico@example-project.iam.gserviceaccount.com");
  g_assert_cmpstr (json_object_get_string_member (p->claims, "sub"), ==, "admin@example.com");
  g_assert_cmpstr (json_object_get_string_member (p->claims, "aud"), ==, aud);
  g_assert_cmpstr (json_object_get_string_member (p->claims, "scope"), ==, "https://example.com/auth/users.readonly");
  iat = json_object_get_int_member (p->claims, "iat");
  exp = json_object_get_int_member (p->claims, "exp");
  g_assert_cmpint (exp - iat, >, 0);
  g_assert_cmpint (exp - iat, <=, 3600);
  g_assert_cmpint (ABS (iat - g_get_real_time () / G_USEC_PER_SEC), <, 300);

  /* The token is reused until it expires. */
  g_assert_cmpint (fetch_users (p, values, &error), ==, 2);
  g_assert_cmpuint (p->jwt_hits, ==, 1);
}

static void
test_jwt_wrong_key (Provider *p, gconstpointer data)
{
  g_autofree char *key_file = make_key_file (p, NULL);
  g_autofree char *other_key = make_key_file (p, NULL); /* the provider now knows another key */
  g_autoptr(GHashTable) values = jwt_values (p, key_file);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (fetch_users (p, values, &error), ==, -1);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED);
  g_assert_nonnull (strstr (error->message, "key file"));
}

static void
test_jwt_malformed_key (Provider *p, gconstpointer data)
{
  const char *members[] = { "client_email", "private_key", "token_uri" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *key_file = make_key_file (p, members[i]);
      g_autoptr(GHashTable) values = jwt_values (p, key_file);
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", members[i]);

      /* Named when the file is given... */
      g_assert_false (portico_connector_validate_value (p->connector, "key_file", key_file, &error));
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
      g_assert_nonnull (strstr (error->message, quoted));
      g_clear_error (&error);

      /* ...and refused before any request. */
      g_assert_cmpint (fetch_users (p, values, &error), ==, -1);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
      g_assert_nonnull (strstr (error->message, quoted));
    }

  {
    g_autoptr(GHashTable) values = jwt_values (p, "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\","
                                                  " \"client_email\": \"a@b.c\", \"token_uri\": \"https://oauth2.googleapis.com/token\"}");
    g_autoptr(GError) error = NULL;

    /* A PEM that is no RSA key is refused when signing. */
    g_assert_cmpint (fetch_users (p, values, &error), ==, -1);
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
    g_assert_nonnull (strstr (error->message, "private_key"));
  }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (portico_connector_validate_value (p->connector, "key_file", "not json", &error));
    g_assert_nonnull (strstr (error->message, "JSON"));
  }
  g_assert_cmpuint (p->jwt_hits, ==, 0);
}

/* ---- Through the engine: keyring, Needs attention, nothing leaked --------------- */

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (captured_log == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (captured_log, "%s=%s\n", fields[i].key, (const char *) fields[i].value);
    else
      g_string_append_printf (captured_log, "%s=%.*s\n", fields[i].key, (int) fields[i].length,
                              (const char *) fields[i].value);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static char *
read_file_or_empty (const char *path)
{
  char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return g_strdup ("");
  /* SQLite pages hold NULs: search the bytes as text by blanking them. */
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  return text;
}

static void
test_engine_sign_in_expired (Provider *p, gconstpointer data)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(GHashTable) values = code_values (p);
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(JsonNode) users = NULL;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(JsonNode) audit = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GHashTable) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *everything = NULL;
  g_autofree char *audit_text = NULL;
  gint64 account_id;
  const char *files[] = { "", "-wal" };

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }
  captured_log = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  dir = g_dir_make_tmp ("portico-oauth-XXXXXX", &error);
  db = g_build_filename (dir, "portico.db", NULL);
  store = portico_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (portico_catalog_add (catalog, p->connector));
  engine = portico_engine_new (store, catalog, p->runtime);

  /* Sign in, test, connect: the refresh token goes to the keyring. */
  g_assert_true (run_sign_in (p, values, 60, NULL, &error));
  test = run_connection_test (engine, p->connector, values);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  account_id = engine_connect (engine, test, values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);

  /* The first sync; then a rotation during a sync replaces the stored token. */
  p->rotate = TRUE;
  portico_runtime_clear_tokens (p->runtime);
  doc = engine_sync (engine, account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
  g_clear_pointer (&doc, json_node_unref);
  g_assert_cmpuint (p->refresh_hits, ==, 1);
  stored = portico_credentials_lookup_sync (portico_engine_get_credentials (engine), account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (p->refresh_tokens, g_hash_table_lookup (stored, PORTICO_REFRESH_TOKEN_FIELD)));
  g_assert_cmpstr (g_hash_table_lookup (stored, "client_secret"), ==, CLIENT_SECRET);

  /* Revoked at the provider: the sync ends with sign_in_expired and the
   * users synced before are kept. */
  g_hash_table_remove_all (p->refresh_tokens);
  portico_runtime_clear_tokens (p->runtime);
  doc = engine_sync (engine, account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "failed");
  users = portico_store_list_users (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (users)), ==, 2);

  accounts = portico_store_list_accounts (store, &error);
  g_assert_no_error (error);
  problems = portico_account_find_problems (json_array_get_object_element (json_node_get_array (accounts), 0),
                                            NULL, g_get_real_time () / G_USEC_PER_SEC, 24);
  g_assert_cmpuint (problems->len, >=, 1);
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 0))->kind, ==, PORTICO_PROBLEM_SIGN_IN_EXPIRED);
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 0))->fix, ==, PORTICO_FIX_RECONNECT);

  /* No token or secret in the database, its WAL, the audit log or the logs. */
  audit = portico_store_list_audit_events (store, 0, &error);
  g_assert_no_error (error);
  audit_text = json_to_string (audit, FALSE);
  everything = g_strconcat (captured_log->str, "\n", audit_text, NULL);
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_strconcat (db, files[f], NULL);
      g_autofree char *bytes = read_file_or_empty (path);
      char *joined = g_strconcat (everything, bytes, NULL);

      g_free (everything);
      everything = joined;
    }
  g_assert_nonnull (strstr (everything, "ada@example.com")); /* the search does find data */
  g_assert_nonnull (strstr (captured_log->str, "/oauth/token")); /* and the debug log */
  for (guint i = 0; i < p->issued->len; i++)
    g_assert_null (strstr (everything, g_ptr_array_index (p->issued, i)));
  g_assert_null (strstr (everything, CLIENT_SECRET));

  g_unsetenv ("G_MESSAGES_DEBUG");
  g_string_free (g_steal_pointer (&captured_log), TRUE);
  clear_keyring_ids (engine, 1, 3);
  g_clear_object (&engine);
  g_clear_object (&store);
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_strconcat (db, files[f], NULL);
      g_remove (path);
    }
  {
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_remove (shm);
  }
  g_rmdir (dir);
}


/* ---- Against the sandbox: the shipped connectors' documented flows -------- */

typedef struct
{
  char *dir;
  char *db;
  PorticoCatalog *catalog;
  PorticoSandbox *sandbox;
  PorticoRuntime *runtime;
  PorticoStore *store;
  PorticoEngine *engine;
} Estate;

static void
estate_setup (Estate *e, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  e->catalog = portico_catalog_new ();
  portico_catalog_load_default (e->catalog);
  e->sandbox = portico_sandbox_new (e->catalog, 7, 12);
  g_assert_true (portico_sandbox_start (e->sandbox, 0, &error));
  g_assert_no_error (error);
  e->runtime = portico_runtime_new ();
  e->dir = g_dir_make_tmp ("portico-oauth-XXXXXX", &error);
  g_assert_no_error (error);
  e->db = g_build_filename (e->dir, "portico.db", NULL);
  e->store = portico_store_open (e->db, &error);
  g_assert_no_error (error);
  e->engine = portico_engine_new (e->store, e->catalog, e->runtime);
  clear_keyring_ids (e->engine, 1, 6);
}

static void
estate_teardown (Estate *e, gconstpointer data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  clear_keyring_ids (e->engine, 1, 6);
  g_clear_object (&e->engine);
  g_clear_object (&e->store);
  g_clear_object (&e->runtime);
  g_clear_object (&e->sandbox);
  g_clear_object (&e->catalog);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (e->db, suffixes[i], NULL);

      g_remove (path);
    }
  g_rmdir (e->dir);
  g_free (e->db);
  g_free (e->dir);
}

/* Signs in to the sandbox, tests and connects; @values keeps what the
 * sign-in gave. */
static gint64
estate_connect (Estate     *e,
                const char *connector_id,
                GHashTable *values)
{
  PorticoConnector *connector = portico_catalog_lookup (e->catalog, connector_id);
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  test = run_connection_test (e->engine, connector, values);
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_A);
  account_id = engine_connect (e->engine, test, values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);
  return account_id;
}

/* Atlassian tells the cloud id, DocuSign the account and its base URI,
 * Gusto the company only after the sign-in (auth.after_sign_in): the admin
 * types none of them; they are stored with the account's settings, never
 * in the keyring, and every request of the account uses them. */
static void
test_told_at_sign_in (Estate *e, gconstpointer data)
{
  static const struct { const char *connector; const char *told[3]; } cases[] = {
    { "atlassian", { "cloud_id", "site_name", NULL } },
    { "docusign", { "account_id", "base_uri", NULL } },
    { "gusto", { "company_uuid", NULL } },
  };

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PorticoConnector *connector = portico_catalog_lookup (e->catalog, cases[i].connector);
      g_autoptr(GHashTable) values = portico_sandbox_get_field_values (e->sandbox, cases[i].connector, "ok");
      g_autoptr(GHashTable) secrets = NULL;
      g_autoptr(JsonNode) account = NULL;
      g_autoptr(JsonNode) doc = NULL;
      g_autoptr(JsonNode) requests = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *fields;
      gint64 account_id;

      g_test_message ("%s", cases[i].connector);
      for (guint k = 0; cases[i].told[k] != NULL; k++)
        {
          g_assert_false (g_hash_table_contains (values, cases[i].told[k]));
          g_assert_null (portico_connector_get_field (connector, cases[i].told[k]));
          g_assert_true (portico_connector_is_sign_in_value (connector, cases[i].told[k]));
        }
      account_id = estate_connect (e, cases[i].connector, values);

      account = portico_store_get_account (e->store, account_id, &error);
      g_assert_no_error (error);
      fields = json_object_get_object_member (json_node_get_object (account), "fields");
      secrets = portico_credentials_lookup_sync (portico_engine_get_credentials (e->engine), account_id, NULL, &error);
      g_assert_no_error (error);
      for (guint k = 0; cases[i].told[k] != NULL; k++)
        {
          const char *told = g_hash_table_lookup (values, cases[i].told[k]);

          g_assert_nonnull (told);
          g_assert_cmpstr (told, !=, "");
          g_assert_cmpstr (json_object_get_string_member_with_default (fields, cases[i].told[k], NULL), ==, told);
          g_assert_false (g_hash_table_contains (secrets, cases[i].told[k]));
        }
      g_assert_true (g_hash_table_contains (secrets, PORTICO_REFRESH_TOKEN_FIELD));

      /* The sync reads what was stored, and its requests carry it. */
      doc = engine_sync (e->engine, account_id, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "status"), ==, "ok");
      requests = portico_sandbox_get_requests (e->sandbox);
      {
        JsonArray *list = json_node_get_array (requests);
        const char *first = g_hash_table_lookup (values, cases[i].told[0]);
        gboolean carried = FALSE;

        for (guint r = 0; r < json_array_get_length (list); r++)
          {
            JsonObject *req = json_array_get_object_element (list, r);

            if (g_strcmp0 (json_object_get_string_member (req, "connector"), cases[i].connector) == 0 &&
                strstr (json_object_get_string_member (req, "path"), first) != NULL)
              carried = TRUE;
          }
        g_assert_true (carried);
      }
    }

  /* Atlassian's site is the identity: the sandbox's own. */
  {
    g_autoptr(JsonNode) accounts = portico_store_list_accounts (e->store, NULL);
    JsonArray *list = json_node_get_array (accounts);
    gboolean found = FALSE;

    for (guint r = 0; r < json_array_get_length (list); r++)
      {
        JsonObject *a = json_array_get_object_element (list, r);

        if (g_str_equal (json_object_get_string_member (a, "connector"), "atlassian"))
          {
            g_assert_cmpstr (json_object_get_string_member (a, "external_id"), ==,
                             json_object_get_string_member (portico_sandbox_get_expected_identity (e->sandbox, "atlassian"), "id"));
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
}

/* A sign-in whose provider does not tell a value fails and stores nothing. */
static void
test_told_missing (Estate *e, gconstpointer data)
{
  static const char json[] =
    "{\"format\":2,\"id\":\"told\",\"name\":\"Told\",\"category\":\"other\","
    "\"help_url\":\"https://example.com/help\",\"help\":\"Sign in.\",\"multi_account\":true,"
    "\"base_url\":\"https://api.example.com/{site}\","
    "\"fields\":[{\"id\":\"client_id\",\"label\":\"Client ID\",\"type\":\"text\",\"required\":true},"
    "{\"id\":\"client_secret\",\"label\":\"Secret\",\"type\":\"secret\",\"required\":true}],"
    "\"permissions\":[{\"id\":\"read\",\"label\":\"Read\",\"help\":\"Users.\"}],"
    "\"auth\":{\"scheme\":\"oauth2_authorization_code\",\"authorize_url\":\"https://auth.example.com/authorize\","
    "\"token_url\":\"https://auth.example.com/token\",\"client_id\":\"{client_id}\",\"client_secret\":\"{client_secret}\","
    "\"after_sign_in\":{\"values\":{\"site\":\"site_of_token\"}}},"
    "\"identity\":{\"id\":{\"template\":\"{site}\"},\"name\":{\"template\":\"{site}\"}},"
    "\"data_types\":{\"users\":{\"label\":\"Users\",\"essential\":true,"
    "\"request\":{\"method\":\"GET\",\"path\":\"/users\"},\"items\":\"users\",\"map\":{\"id\":\"id\"}}}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = portico_connector_new_from_data (json, -1, "told.json", TRUE, &error);
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoSandbox) sandbox = NULL;
  g_autoptr(GHashTable) values = NULL;
  gboolean ok;

  g_assert_no_error (error);
  g_assert_true (portico_catalog_add (catalog, connector));
  sandbox = portico_sandbox_new (catalog, 7, 5);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  values = portico_sandbox_get_field_values (sandbox, "told", "ok");

  /* The sandbox's token answer has no "site_of_token". */
  ok = sandbox_sign_in (e->runtime, connector, values, &error);
  g_assert_false (ok);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "“site”"));
  g_assert_false (g_hash_table_contains (values, PORTICO_REFRESH_TOKEN_FIELD));
  g_assert_false (g_hash_table_contains (values, "site"));
}

static guint
revoked_count (PorticoSandbox *sandbox,
               const char     *connector_id)
{
  guint revoked = 0;

  portico_sandbox_get_oauth_counts (sandbox, connector_id, &revoked, NULL);
  return revoked;
}

/* Forgetting the credentials of a disconnected account revokes the sign-in
 * where the provider documents how: RFC 7009 with the client's credentials
 * (HubSpot in the body, Zoom with HTTP Basic) or the access token itself
 * (Dropbox). The sandbox then refuses the refresh token. The disconnect
 * alone revokes nothing: the account can be restored with its sign-in. A
 * revocation that fails never holds up the forget and is logged without
 * the token. */
static void
estate_disconnect_and_forget (Estate *e,
                              gint64  account_id)
{
  g_autoptr(PorticoDisconnectSummary) done = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) forgotten = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  portico_engine_disconnect_async (e->engine, account_id, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  done = portico_engine_disconnect_finish (e->engine, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (done);

  portico_engine_forget_credentials_async (e->engine, account_id, NULL, store_result_cb, &slot);
  forgotten = wait_result (&slot);
  g_assert_true (portico_engine_forget_credentials_finish (e->engine, forgotten, &error));
  g_assert_no_error (error);
}

static void
test_revoke_on_disconnect (Estate *e, gconstpointer data)
{
  static const char * const connectors[] = { "hubspot", "zoom", "dropbox" };
  g_autoptr(GHashTable) broken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;
  gint64 account_id;
  gint64 deadline;

  if (!keyring_available ())
    {
      g_test_skip ("Needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (connectors); i++)
    {
      g_autoptr(GHashTable) values = portico_sandbox_get_field_values (e->sandbox, connectors[i], "ok");
      g_autoptr(PorticoDisconnectSummary) done = NULL;
      GAsyncResult *slot = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      guint live = 0;

      g_test_message ("%s", connectors[i]);
      account_id = estate_connect (e, connectors[i], values);
      portico_sandbox_get_oauth_counts (e->sandbox, connectors[i], NULL, &live);
      g_assert_cmpuint (live, ==, 1);
      g_assert_cmpuint (revoked_count (e->sandbox, connectors[i]), ==, 0);

      portico_engine_disconnect_async (e->engine, account_id, NULL, store_result_cb, &slot);
      result = wait_result (&slot);
      done = portico_engine_disconnect_finish (e->engine, result, &error);
      g_assert_no_error (error);
      g_assert_nonnull (done);
      g_assert_cmpuint (revoked_count (e->sandbox, connectors[i]), ==, 0);
      g_clear_object (&result);
      portico_engine_forget_credentials_async (e->engine, account_id, NULL, store_result_cb, &slot);
      result = wait_result (&slot);
      g_assert_true (portico_engine_forget_credentials_finish (e->engine, result, &error));
      g_assert_no_error (error);

      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while (revoked_count (e->sandbox, connectors[i]) == 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (revoked_count (e->sandbox, connectors[i]), ==, 1);
      portico_sandbox_get_oauth_counts (e->sandbox, connectors[i], NULL, &live);
      g_assert_cmpuint (live, ==, 0);
    }

  /* The provider refuses the revocation (its client is gone): the
   * disconnect ends as usual, the log names the account, not the token. */
  broken = portico_sandbox_get_field_values (e->sandbox, "zoom", "ok");
  account_id = estate_connect (e, "zoom", broken);
  refresh = g_strdup (g_hash_table_lookup (broken, PORTICO_REFRESH_TOKEN_FIELD));
  g_assert_nonnull (refresh);
  captured_log = g_string_new (NULL);
  portico_sandbox_break_credentials (e->sandbox, "zoom", TRUE);
  estate_disconnect_and_forget (e, account_id);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (strstr (captured_log->str, "was not revoked") == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (strstr (captured_log->str, "was not revoked at the provider"));
  g_assert_null (strstr (captured_log->str, refresh));
  g_string_free (g_steal_pointer (&captured_log), TRUE);
  portico_sandbox_break_credentials (e->sandbox, "zoom", FALSE);
  g_assert_cmpuint (revoked_count (e->sandbox, "zoom"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oauth/pkce", test_pkce);
#define ADD(path, func, def) g_test_add ("/oauth/" path, Provider, def, provider_setup, func, provider_teardown)
  ADD ("sign-in/ok", test_sign_in, NULL);
  ADD ("sign-in/state-mismatch", test_sign_in_state_mismatch, NULL);
  ADD ("sign-in/denied", test_sign_in_denied, NULL);
  ADD ("sign-in/refused-code", test_sign_in_refused_code, NULL);
  ADD ("sign-in/timeout", test_sign_in_timeout, NULL);
  ADD ("sign-in/cancel", test_sign_in_cancel, NULL);
  ADD ("refresh/before-expiry", test_refresh_before_expiry, NULL);
  ADD ("refresh/after-401", test_refresh_after_401, NULL);
  ADD ("refresh/rotation", test_refresh_rotation, NULL);
  ADD ("refresh/invalid-grant", test_refresh_invalid_grant, NULL);
  ADD ("jwt/claims-and-signature", test_jwt_bearer, jwt_connector_json);
  ADD ("jwt/wrong-key", test_jwt_wrong_key, jwt_connector_json);
  ADD ("jwt/malformed-key", test_jwt_malformed_key, jwt_connector_json);
  ADD ("engine/sign-in-expired", test_engine_sign_in_expired, NULL);
#undef ADD
#define ADD(path, func) g_test_add ("/oauth/" path, Estate, NULL, estate_setup, func, estate_teardown)
  ADD ("sandbox/told-at-sign-in", test_told_at_sign_in);
  ADD ("sandbox/told-missing", test_told_missing);
  ADD ("sandbox/revoke-on-disconnect", test_revoke_on_disconnect);
#undef ADD

  return g_test_run ();
}
