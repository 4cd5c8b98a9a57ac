/* portico-sandbox-oauth.h: the sandbox's sign-in endpoints, compiled as part
 * of portico-sandbox-server.c (which includes this header after its private
 * types and portico-sandbox-oauth.c at its end), so that the provider's
 * state stays private to one translation unit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* The token_uri of the sandbox's service-account key files: Google's, so
 * that the assertion's aud is what Google checks; api_base_url sends the
 * request to the sandbox. */
#define SANDBOX_JWT_TOKEN_URI "https://oauth2.googleapis.com/token"

static void oauth_grant_free (gpointer data);
static void sandbox_jwt_key_free (gpointer key);
static gboolean sandbox_oauth_is_jwt_key_field (SandboxConnector *sc,
                                                const char       *field_id);
static char *sandbox_oauth_key_file (SandboxConnector *sc,
                                     const char       *kind);
static void sandbox_oauth_serve_authorize (SandboxConnector  *sc,
                                           SoupServerMessage *msg);
static void sandbox_oauth_add_routes (SandboxConnector *sc);
static void sandbox_oauth_sign_in_values (SandboxConnector *sc,
                                          const char       *external_id,
                                          const char       *account_name);
static void sandbox_oauth_serve_after_sign_in (SandboxConnector  *sc,
                                               SoupServerMessage *msg);
static void sandbox_oauth_serve_revoke (SandboxConnector  *sc,
                                        SoupServerMessage *msg,
                                        JsonNode          *body);
static void sandbox_oauth_serve_token (SandboxConnector  *sc,
                                       SoupServerMessage *msg,
                                       JsonNode          *body);
