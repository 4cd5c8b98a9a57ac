/* sign-in-test-util.h: waiting for asynchronous calls, and signing in to
 * the in-process sandbox as the admin would in the browser (SPEC 11).
 * Shared by the tests that run the runtime or the engine against it; the
 * sandbox serves on this thread's main context, so every wait iterates it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "portico-oauth.h"

static inline void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Iterates the thread-default context (where the sandbox serves) until the
 * callback ran; transfer full. The deadline only catches a hang: the
 * sanitizer build on a busy 2-core machine is many times slower. */
static inline GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () > deadline)
        g_error ("An asynchronous call did not finish within 300 s");
    }
  return g_steal_pointer (slot);
}

/* The browser of a sign-in: fetches the authorize address (the sandbox's
 * consent page answers with a redirect to the loopback listener) and
 * follows the redirect. */
static inline void
sign_in_browser_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  gboolean *done = user_data;

  *done = TRUE;
}

static inline void
sign_in_address_cb (PorticoSignIn *sign_in,
                    const char    *address,
                    gpointer       user_data)
{
  SoupSession *browser = user_data;
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", address);
  gboolean *done = g_object_get_data (G_OBJECT (browser), "done");

  *done = FALSE;
  soup_session_send_and_read_async (browser, msg, G_PRIORITY_DEFAULT, NULL, sign_in_browser_done_cb, done);
}

/* Signs in to a connector that needs it (SPEC 11), as the admin would in
 * the browser; the refresh token lands in @values. Returns FALSE (and
 * leaves @values without one) when the sign-in is refused. */
static inline gboolean
sandbox_sign_in (PorticoRuntime   *runtime,
                 PorticoConnector *connector,
                 GHashTable       *values,
                 GError          **error)
{
  g_autoptr(PorticoSignIn) sign_in = NULL;
  g_autoptr(SoupSession) browser = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gboolean done = TRUE; /* until the address is announced and fetched */
  gboolean ok;

  if (!portico_connector_signs_in (connector))
    return TRUE;
  browser = soup_session_new ();
  g_object_set_data (G_OBJECT (browser), "done", &done);
  sign_in = portico_sign_in_new (runtime, connector, values, "read");
  portico_sign_in_set_timeout (sign_in, 60);
  g_signal_connect (sign_in, "address-ready", G_CALLBACK (sign_in_address_cb), browser);
  portico_sign_in_run_async (sign_in, NULL, store_result_cb, &slot);
  result = wait_result (&slot);
  ok = portico_sign_in_run_finish (sign_in, result, error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return ok;
}

