/* portico-oauth.c: signing in through the browser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-oauth"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "portico-jwt.h"
#include "portico-oauth.h"

static char *
random_base64url (gsize n_bytes)
{
  guchar bytes[32];

  g_assert (n_bytes <= sizeof bytes);
  if (gnutls_rnd (GNUTLS_RND_KEY, bytes, n_bytes) != 0)
    {
      /* GnuTLS's generator does not fail once initialized; GLib's is the
       * fallback, not the rule. */
      for (gsize i = 0; i < n_bytes; i++)
        bytes[i] = (guchar) g_random_int_range (0, 256);
    }
  return portico_base64url_encode (bytes, n_bytes);
}

char *
portico_oauth_new_code_verifier (void)
{
  return random_base64url (32);
}

char *
portico_oauth_new_state (void)
{
  return random_base64url (16);
}

char *
portico_oauth_code_challenge (const char *code_verifier)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (code_verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) code_verifier, strlen (code_verifier));
  g_checksum_get_digest (checksum, digest, &len);
  return portico_base64url_encode (digest, len);
}

struct _PorticoSignIn
{
  GObject parent_instance;

  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;
  char *permission;
  guint timeout;

  SoupServer *server;
  char *redirect_uri;
  char *address;
  char *state;
  char *verifier;
  GTask *task;           /* while waiting for the redirect */
  GSource *timeout_source;
  GCancellable *cancellable;
  gulong cancel_id;
  gboolean answered;
};

G_DEFINE_FINAL_TYPE (PorticoSignIn, portico_sign_in, G_TYPE_OBJECT)

enum {
  SIGNAL_ADDRESS_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sign_in_stop (PorticoSignIn *self)
{
  if (self->timeout_source != NULL)
    {
      g_source_destroy (self->timeout_source);
      g_clear_pointer (&self->timeout_source, g_source_unref);
    }
  if (self->cancel_id != 0)
    g_cancellable_disconnect (self->cancellable, self->cancel_id);
  self->cancel_id = 0;
  g_clear_object (&self->cancellable);
  /* Once the browser's request is answered, the listener closes after the
   * page was sent (close_listener_idle), not before. */
  if (self->server != NULL && !self->answered)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

static gboolean
close_listener_idle (gpointer user_data)
{
  PorticoSignIn *self = user_data;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  return G_SOURCE_REMOVE;
}

static void
page_sent_cb (SoupServerMessage *msg,
              gpointer           user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, close_listener_idle, g_object_ref (user_data), g_object_unref);
}

/* Ends the wait with @error (transfer full), or hands over to the exchange
 * when @error is NULL. */
static void
sign_in_fail (PorticoSignIn *self,
              GError        *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  sign_in_stop (self);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
portico_sign_in_dispose (GObject *object)
{
  PorticoSignIn *self = PORTICO_SIGN_IN (object);

  sign_in_stop (self);
  close_listener_idle (self);
  G_OBJECT_CLASS (portico_sign_in_parent_class)->dispose (object);
}

static void
portico_sign_in_finalize (GObject *object)
{
  PorticoSignIn *self = PORTICO_SIGN_IN (object);

  g_assert (self->task == NULL);
  g_clear_object (&self->runtime);
  g_clear_object (&self->connector);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_free (self->permission);
  g_free (self->redirect_uri);
  g_free (self->address);
  portico_secret_free (self->state);
  portico_secret_free (self->verifier);
  G_OBJECT_CLASS (portico_sign_in_parent_class)->finalize (object);
}

static void
portico_sign_in_class_init (PorticoSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = portico_sign_in_dispose;
  object_class->finalize = portico_sign_in_finalize;

  signals[SIGNAL_ADDRESS_READY] =
    g_signal_new ("address-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
portico_sign_in_init (PorticoSignIn *self)
{
  self->timeout = PORTICO_SIGN_IN_DEFAULT_TIMEOUT;
}

PorticoSignIn *
portico_sign_in_new (PorticoRuntime   *runtime,
                     PorticoConnector *connector,
                     GHashTable       *field_values,
                     const char       *permission)
{
  PorticoSignIn *self;

  g_return_val_if_fail (PORTICO_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (field_values != NULL, NULL);

  self = g_object_new (PORTICO_TYPE_SIGN_IN, NULL);
  self->runtime = g_object_ref (runtime);
  self->connector = g_object_ref (connector);
  self->values = g_hash_table_ref (field_values);
  self->permission = g_strdup (permission != NULL ? permission : "read");
  return self;
}

void
portico_sign_in_set_timeout (PorticoSignIn *self,
                             guint          seconds)
{
  g_return_if_fail (PORTICO_IS_SIGN_IN (self));
  self->timeout = seconds;
}

const char *
portico_sign_in_get_address (PorticoSignIn *self)
{
  g_return_val_if_fail (PORTICO_IS_SIGN_IN (self), NULL);
  return self->address;
}

const char *
portico_sign_in_get_redirect_uri (PorticoSignIn *self)
{
  g_return_val_if_fail (PORTICO_IS_SIGN_IN (self), NULL);
  return self->redirect_uri;
}

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *title_html = g_markup_escape_text (title, -1);
  g_autofree char *text_html = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<title>%s</title></head>"
                                           "<body style=\"font-family: sans-serif; margin: 4em auto; max-width: 36em\">"
                                           "<h1>%s</h1><p>%s</p></body></html>\n",
                                           title_html, title_html, text_html);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page, strlen (page));
}

static void
exchange_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!portico_runtime_exchange_code_finish (PORTICO_RUNTIME (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
state_equal (const char *a,
             const char *b)
{
  gsize len_a, len_b;
  guchar diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  len_a = strlen (a);
  len_b = strlen (b);
  if (len_a != len_b)
    return FALSE;
  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar) (a[i] ^ b[i]);
  return diff == 0;
}

static guint
sign_in_port (PorticoConnector *connector)
{
  const char *env = g_getenv ("PORTICO_SIGN_IN_PORT");
  guint64 port;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, 65535, &port, NULL))
    return (guint) port;
  return (guint) json_object_get_int_member_with_default (portico_connector_get_auth (connector), "redirect_port", 0);
}

static void
redirect_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  PorticoSignIn *self = user_data;
  const char *name = portico_connector_get_name (self->connector);
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *provider_error = query ? g_hash_table_lookup (query, "error") : NULL;
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;

  /* Only the redirect ends the wait; a browser also asks for favicon.ico. */
  if (self->answered || g_strcmp0 (path, "/") != 0 ||
      (code == NULL && provider_error == NULL && state == NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  self->answered = TRUE;
  g_signal_connect_object (msg, "finished", G_CALLBACK (page_sent_cb), self, 0);

  if (!state_equal (state, self->state))
    {
      respond_page (msg, SOUP_STATUS_BAD_REQUEST, _("Sign-in refused"),
                    _("This answer does not belong to the sign-in Portico started. Start the sign-in again in Portico."));
      sign_in_fail (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                                       _("The answer from the browser did not match this sign-in (state mismatch), "
                                         "so it was refused. Sign in again.")));
      return;
    }

  if (provider_error != NULL || code == NULL || *code == '\0')
    {
      const char *description = g_hash_table_lookup (query, "error_description");

      respond_page (msg, SOUP_STATUS_OK, _("Sign-in cancelled"),
                    _("Portico was not given access. You can close this window."));
      if (g_strcmp0 (provider_error, "access_denied") == 0)
        sign_in_fail (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN,
                                         _("Access was declined on %s’s consent page. Sign in again and "
                                           "allow access, with an administrator account."), name));
      else
        {
          g_autofree char *clean = g_utf8_make_valid (description ? description : (provider_error ? provider_error : ""), 200);

          sign_in_fail (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FAILED,
                                           _("%s refused the sign-in (%s). Check the app you registered "
                                             "and its redirect address, then sign in again."), name, clean));
        }
      return;
    }

  respond_page (msg, SOUP_STATUS_OK, _("Signed in"),
                _("You can close this window and return to Portico."));

  task = g_steal_pointer (&self->task);
  cancellable = g_task_get_cancellable (task);
  sign_in_stop (self);
  portico_runtime_exchange_code_async (self->runtime, self->connector, self->values, code,
                                       self->redirect_uri, self->verifier,
                                       cancellable, exchange_cb, g_steal_pointer (&task));
}

static gboolean
timeout_cb (gpointer user_data)
{
  PorticoSignIn *self = user_data;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  sign_in_fail (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT,
                                   _("No sign-in arrived from the browser within %u seconds. Sign in again "
                                     "and finish it in the browser."), self->timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  PorticoSignIn *self = user_data;

  if (self->task != NULL)
    sign_in_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sign-in cancelled.")));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  /* Not from inside the cancellable's handler: disconnecting it there
   * would deadlock. */
  g_idle_add_full (G_PRIORITY_DEFAULT, cancelled_idle_cb, g_object_ref (user_data), g_object_unref);
}

void
portico_sign_in_run_async (PorticoSignIn      *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *challenge = NULL;
  guint port = 0;

  g_return_if_fail (PORTICO_IS_SIGN_IN (self));
  g_return_if_fail (self->task == NULL && self->server == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_sign_in_run_async);

  /* RFC 8252 7.3: the loopback IP literal, an ephemeral port, any path. */
  self->server = soup_server_new ("server-header", "Portico", NULL);
  soup_server_add_handler (self->server, NULL, redirect_handler, self, NULL);
  /* Providers that match the registered redirect address exactly, port
   * included, get the connector's fixed port, unless PORTICO_SIGN_IN_PORT
   * names another (an app registered with another port, or 0 for an
   * ephemeral one where the provider allows any loopback port). */
  address = g_inet_socket_address_new_from_string ("127.0.0.1", sign_in_port (self->connector));
  if (!soup_server_listen (self->server, address, 0, &error))
    {
      g_debug ("Cannot listen for the sign-in: %s", error->message);
      g_clear_object (&self->server);
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK,
                               _("Portico cannot listen on this computer for the sign-in’s answer. "
                                 "Finish or cancel any other sign-in, check that no firewall blocks "
                                 "127.0.0.1, then sign in again."));
      return;
    }
  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/", port);
  self->state = portico_oauth_new_state ();
  self->verifier = portico_oauth_new_code_verifier ();
  challenge = portico_oauth_code_challenge (self->verifier);
  self->address = portico_runtime_build_authorize_uri (self->runtime, self->connector, self->values,
                                                       self->permission, self->redirect_uri,
                                                       self->state, challenge, &error);
  if (self->address == NULL)
    {
      sign_in_stop (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->task = g_steal_pointer (&task);
  if (self->timeout > 0)
    {
      self->timeout_source = g_timeout_source_new_seconds (self->timeout);
      g_source_set_callback (self->timeout_source, timeout_cb, self, NULL);
      g_source_attach (self->timeout_source, g_task_get_context (self->task));
    }
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
    }

  g_signal_emit (self, signals[SIGNAL_ADDRESS_READY], 0, self->address);
}

gboolean
portico_sign_in_run_finish (PorticoSignIn *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_sign_in_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
