/* portico-credentials.h: account secrets in the system keyring, nowhere else.
 *
 * One libsecret schema named after the app id; the attributes hold only
 * non-secret ids (account id, connector id, profile); the secret is one
 * printed a{ss} GVariant on a single line. Every call has a timeout so that an
 * invisible unlock prompt cannot hang a connect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PORTICO_CREDENTIALS_DEFAULT_TIMEOUT_MS 15000

/* The keyring as one database of one profile sees it. The engine owns one
 * and hands it to whatever needs secrets; nothing about it is process-wide,
 * so two engines in one process keep their items apart.
 *
 * "scope": the database whose accounts the items belong to (its keyring
 * scope), so that two databases never share an item for the same account id.
 * "demo": selects the demo profile, whose items never mix with real ones. */
#define PORTICO_TYPE_CREDENTIALS (portico_credentials_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCredentials, portico_credentials, PORTICO, CREDENTIALS, GObject)

PorticoCredentials *portico_credentials_new (const char *scope,
                                             gboolean    demo);
const char *portico_credentials_get_scope (PorticoCredentials *self);
gboolean portico_credentials_get_demo (PorticoCredentials *self);
/* How long one keyring call may take; 0 restores the default. */
void portico_credentials_set_timeout (PorticoCredentials *self,
                                      guint               timeout_ms);
guint portico_credentials_get_timeout (PorticoCredentials *self);

/* Whether secrets go through the Secret portal (inside a Flatpak sandbox,
 * where libsecret keeps them in an encrypted file in the app's data folder)
 * rather than straight to the Secret Service (the system keyring). */
gboolean portico_credentials_uses_portal (void);

void portico_credentials_store_async (PorticoCredentials  *self,
                                      gint64               account_id,
                                      const char          *connector_id,
                                      const char          *account_name,
                                      GHashTable          *secrets, /* field id -> value */
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean portico_credentials_store_finish (GAsyncResult *result,
                                           GError      **error);

/* Returns the secrets (field id -> value); PORTICO_CREDENTIALS_ERROR_NOT_FOUND
 * when the account has no item. */
void portico_credentials_lookup_async (PorticoCredentials  *self,
                                       gint64               account_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GHashTable *portico_credentials_lookup_finish (GAsyncResult *result,
                                               GError      **error);

/* Deleting an item that is already gone succeeds. */
void portico_credentials_delete_async (PorticoCredentials  *self,
                                       gint64               account_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean portico_credentials_delete_finish (GAsyncResult *result,
                                            GError      **error);

/* Blocking variants for the CLI and worker threads (same timeout). */
gboolean portico_credentials_store_sync (PorticoCredentials *self,
                                         gint64              account_id,
                                         const char         *connector_id,
                                         const char         *account_name,
                                         GHashTable         *secrets,
                                         GCancellable       *cancellable,
                                         GError            **error);
GHashTable *portico_credentials_lookup_sync (PorticoCredentials *self,
                                             gint64              account_id,
                                             GCancellable       *cancellable,
                                             GError            **error);
gboolean portico_credentials_delete_sync (PorticoCredentials *self,
                                          gint64              account_id,
                                          GCancellable       *cancellable,
                                          GError            **error);

/* Turns a libsecret/D-Bus error into a PORTICO_CREDENTIALS_ERROR with a
 * sentence that names the fix; the original goes to g_debug(). */
GError *portico_credentials_translate_error (const GError *error,
                                             gboolean      timed_out);

/* A string → string table whose values are scrubbed when they are
 * replaced, removed or the table is freed: for anything holding secrets. */
GHashTable *portico_secret_table_new (void);

/* The one-line text a keyring item stores for @secrets (a GVariant a{ss} in
 * its text format, sorted by key), written into one buffer of its final
 * size so that no reallocation leaves a copy behind; it is scrubbed by the
 * caller. Exposed for tests. */
char *portico_credentials_print_secrets (GHashTable *secrets);

/* A short fingerprint of the credential in @secrets (field id -> value), so
 * that an admin can tell which key or app registration an account uses and
 * spot two accounts that share one, without seeing any of it: the first 8
 * hex digits of an HMAC-SHA256 keyed with this database's random keyring
 * scope over a length-prefixed encoding of the connector id and each
 * field's id and value (sorted by id). @rotating_field (nullable), the
 * refresh token a provider replaces at will, is left out: it is not what
 * the admin chose. NULL when nothing else is secret. */
char *portico_credentials_fingerprint (PorticoCredentials *self,
                                       const char         *connector_id,
                                       GHashTable         *secrets,
                                       const char         *rotating_field);

G_END_DECLS
