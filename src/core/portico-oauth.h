/* portico-oauth.h: signing in through the browser (SPEC 11).
 *
 * PorticoSignIn runs one OAuth 2.0 authorization-code sign-in for a native
 * app (RFC 8252): it listens on http://127.0.0.1:<ephemeral port>/, builds
 * the provider's authorize address with a PKCE S256 challenge (RFC 7636)
 * and a random state, announces that address (the GUI opens the browser, the
 * CLI prints it), waits for the redirect, checks the state and exchanges the
 * code. It ends by itself after a timeout and on cancellation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-runtime.h"

G_BEGIN_DECLS

#define PORTICO_SIGN_IN_DEFAULT_TIMEOUT 300

/* A PKCE code verifier: 43 characters of unpadded base64url over 32
 * random bytes. */
char *portico_oauth_new_code_verifier (void);
/* BASE64URL(SHA256(verifier)), the S256 code challenge. */
char *portico_oauth_code_challenge (const char *code_verifier);
/* An unguessable state value (unpadded base64url over 16 random bytes). */
char *portico_oauth_new_state (void);

#define PORTICO_TYPE_SIGN_IN (portico_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (PorticoSignIn, portico_sign_in, PORTICO, SIGN_IN, GObject)

/* @field_values: the connect form's values (client id, ...); on success it
 * also holds the refresh token (PORTICO_REFRESH_TOKEN_FIELD). It must own
 * its keys and values with g_free. */
PorticoSignIn *portico_sign_in_new (PorticoRuntime   *runtime,
                                    PorticoConnector *connector,
                                    GHashTable       *field_values,
                                    const char       *permission);
/* Seconds to wait for the browser (default 300; 0 = no timeout). */
void portico_sign_in_set_timeout (PorticoSignIn *self,
                                  guint          seconds);

/* Signal "address-ready" (const char *address): the listener runs; open
 * @address in a browser (or show it). Emitted once, from run_async's main
 * context.
 * Errors: PORTICO_CONNECTOR_ERROR with a sentence naming the fix (denied
 * consent, state mismatch, timeout, refused code), G_IO_ERROR_CANCELLED. */
void portico_sign_in_run_async (PorticoSignIn      *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean portico_sign_in_run_finish (PorticoSignIn *self,
                                     GAsyncResult  *result,
                                     GError       **error);

/* The authorize address, NULL until "address-ready". */
const char *portico_sign_in_get_address (PorticoSignIn *self);
/* http://127.0.0.1:PORT/, NULL until "address-ready". */
const char *portico_sign_in_get_redirect_uri (PorticoSignIn *self);

G_END_DECLS
