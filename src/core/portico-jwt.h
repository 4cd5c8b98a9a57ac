/* portico-jwt.h: service-account keys and RS256 assertions (RFC 7523).
 *
 * Signing goes through GnuTLS. Key material lives only in the keyring and,
 * while a token is fetched, in memory that is overwritten when freed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A Google service-account key file (the JSON that the Cloud console
 * downloads). */
typedef struct
{
  char *client_email;
  char *private_key;    /* PEM */
  char *private_key_id; /* nullable */
  char *token_uri;      /* as written in the file: the assertion's aud */
} PorticoServiceAccountKey;

/* Fails with PORTICO_CONNECTOR_ERROR_INVALID_FIELD and a sentence naming
 * the member that is missing or wrong. The message never quotes the key. */
PorticoServiceAccountKey *portico_service_account_key_parse (const char *json_text,
                                                             GError    **error);
void portico_service_account_key_free (PorticoServiceAccountKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoServiceAccountKey, portico_service_account_key_free)

/* header.claims.signature, each part base64url without padding; the header
 * is {"alg":"RS256","typ":"JWT"} (+ "kid" when @key_id is set). */
char *portico_jwt_sign_rs256 (JsonObject *claims,
                              const char *private_key_pem,
                              const char *key_id,
                              GError    **error);

/* Unpadded base64url, as JWTs and PKCE use it. */
char *portico_base64url_encode (const guchar *data,
                                gsize         len);
/* Overwrites then frees a string that held a secret. */
void portico_secret_free (char *secret);

G_END_DECLS
