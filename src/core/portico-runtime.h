/* portico-runtime.h: the one generic interpreter of connector definitions.
 *
 * A PorticoRuntime owns one SoupSession and runs every request of every
 * account through it: templating, api_base_url, auth (header, basic, body,
 * OAuth2 client credentials with a token cache), a per-host concurrency limit,
 * a per-request timeout, retries with capped jittered backoff honouring the
 * provider's rate-limit hints, redirects that never carry credentials to
 * another origin, pagination, two-step requests ("then": the first answer's
 * text is {response} in the second request, which is the one paginated;
 * Expensify's export and download), and the mapping of provider errors to
 * PORTICO_CONNECTOR_ERROR codes with sentences that name the fix.
 *
 * Field values are a GHashTable (char* → char*) holding secret and
 * non-secret values alike; the runtime never logs or reports them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "portico-connector.h"
#include "portico-errors.h"
#include "portico-limits.h"
#include "portico-page-gate.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_RUNTIME (portico_runtime_get_type ())
G_DECLARE_FINAL_TYPE (PorticoRuntime, portico_runtime, PORTICO, RUNTIME, GObject)

/* Called on the thread-default main context of the caller of
 * portico_runtime_fetch_data_type_async(), once per page, in order.
 * @body is the page's raw body, @items the items of the page (transfer none;
 * keep a ref to use them later). Return FALSE and set @error to stop: the
 * fetch then fails with that error. */
typedef gboolean (*PorticoPageFunc) (const char *data_type_id,
                                     guint       page_index,
                                     GBytes     *body,
                                     JsonArray  *items,
                                     gpointer    user_data,
                                     GError    **error);

/* The member that each item of a request per item ("for_each") carries
 * with the item's value, for a map to read: ["@item"]. */
#define PORTICO_RUNTIME_ITEM_MEMBER "@item"

/* A safety net: no data type is read past this many pages. */
#define PORTICO_RUNTIME_MAX_PAGES PORTICO_LIMIT_PAGES

PorticoRuntime *portico_runtime_new (void);

SoupSession *portico_runtime_get_session (PorticoRuntime *self); /* transfer none */

/* Properties (also settable with g_object_set):
 *   "max-per-host"        guint, concurrent requests per origin (4)
 *   "timeout"             guint, seconds per request attempt (30)
 *   "retry-base-ms"       guint, first backoff delay (1000)
 *   "max-retry-delay-ms"  guint, cap of every wait, hints included (60000)
 *   "max-attempts"        guint, attempts per request (5)
 *   "total-timeout"       guint, seconds for one data type, all pages (3600)
 * Their defaults and every other cap are in portico-limits.h. */
guint portico_runtime_get_max_per_host (PorticoRuntime *self);
void portico_runtime_set_max_per_host (PorticoRuntime *self,
                                       guint           max_per_host);
guint portico_runtime_get_timeout (PorticoRuntime *self);
void portico_runtime_set_timeout (PorticoRuntime *self,
                                  guint           timeout_seconds);

/* OAuth2 (SPEC 11). The refresh token of an oauth2_authorization_code
 * account is a secret value under this name (it is no declared field; the
 * engine keeps it in the keyring with the other secrets). Values whose name
 * starts with "@" are context, never fields: the permission level whose
 * scopes a JWT asks for, and the account the values belong to. */
#define PORTICO_REFRESH_TOKEN_FIELD "oauth_refresh_token"
#define PORTICO_VALUE_PERMISSION "@permission"
#define PORTICO_VALUE_ACCOUNT "@account"

/* Signal "secret-rotated" (PorticoConnector *connector, GHashTable *values):
 * a refresh answered with a new refresh token. @values is the table the
 * caller passed to the request (it must own its keys and values with
 * g_free); it already holds the new token under PORTICO_REFRESH_TOKEN_FIELD.
 * Store it at once: the old one no longer works. */

/* Signal "exchange" (GHashTable *values, JsonObject *exchange): the runtime
 * got an answer to a request made with @values (the table the caller
 * passed, compared by address), for a connection test's report:
 * {"request": "identity"|"data_type"|"token", "data_type" (data_type only),
 *  "method", "url" (redacted: no secret, no credential-named query value,
 *  no value holding an "@"), "http_status", "provider_code" (nullable)}.
 * Emitted once per answer, retries included. */

/* The provider's authorize address with response_type=code, client_id,
 * redirect_uri, scope (of @permission), state, the S256 code challenge and
 * the connector's authorize_params; api_base_url rebases it. */
char *portico_runtime_build_authorize_uri (PorticoRuntime   *self,
                                           PorticoConnector *connector,
                                           GHashTable       *field_values,
                                           const char       *permission,
                                           const char       *redirect_uri,
                                           const char       *state,
                                           const char       *code_challenge,
                                           GError          **error);
/* Exchanges an authorization code. On success @field_values holds the
 * refresh token (PORTICO_REFRESH_TOKEN_FIELD) and the runtime caches the
 * access token for these values. */
void portico_runtime_exchange_code_async (PorticoRuntime     *self,
                                          PorticoConnector   *connector,
                                          GHashTable         *field_values,
                                          const char         *code,
                                          const char         *redirect_uri,
                                          const char         *code_verifier,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean portico_runtime_exchange_code_finish (PorticoRuntime *self,
                                               GAsyncResult   *result,
                                               GError        **error);

/* Revokes an account's sign-in at the provider (connectors/README.md
 * "auth.revoke"): the refresh token as RFC 7009 describes, or the access
 * token where the provider revokes the grant by it (Dropbox). Best effort,
 * ended after @timeout_seconds; the cached tokens of these values are
 * forgotten either way. Errors never hold a token. Without auth.revoke:
 * G_IO_ERROR_NOT_SUPPORTED. */
void portico_runtime_revoke_async (PorticoRuntime     *self,
                                   PorticoConnector   *connector,
                                   GHashTable         *field_values,
                                   guint               timeout_seconds,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean portico_runtime_revoke_finish (PorticoRuntime *self,
                                        GAsyncResult   *result,
                                        GError        **error);

/* Forgets every cached OAuth2 token. */
void portico_runtime_clear_tokens (PorticoRuntime *self);

/* The account's external id and display name (connectors/README.md
 * "Identity"). Without an identity request no HTTP request is made. */
void portico_runtime_fetch_identity_async (PorticoRuntime     *self,
                                           PorticoConnector   *connector,
                                           GHashTable         *field_values,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean portico_runtime_fetch_identity_finish (PorticoRuntime *self,
                                                GAsyncResult   *result,
                                                char          **external_id,
                                                char          **display_name,
                                                GError        **error);

/* Reads @data_type_id page by page (@max_pages 0 = all), calling @page_func
 * for each page. @page_data_destroy is called when the operation ends. */
void portico_runtime_fetch_data_type_async (PorticoRuntime     *self,
                                            PorticoConnector   *connector,
                                            GHashTable         *field_values,
                                            const char         *data_type_id,
                                            guint               max_pages,
                                            PorticoPageFunc     page_func,
                                            gpointer            page_data,
                                            GDestroyNotify      page_data_destroy,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
/* As portico_runtime_fetch_data_type_async() for every page, asking for
 * the next page only while @gate is open (portico-page-gate.h): the
 * consumer takes each page it is handed and releases it once consumed, so
 * at most the gate's count of pages wait in memory however many there are.
 * A request per item ("for_each") reads without the gate. */
void portico_runtime_fetch_data_type_gated_async (PorticoRuntime     *self,
                                                  PorticoConnector   *connector,
                                                  GHashTable         *field_values,
                                                  const char         *data_type_id,
                                                  PorticoPageGate    *gate,
                                                  PorticoPageFunc     page_func,
                                                  gpointer            page_data,
                                                  GDestroyNotify      page_data_destroy,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
/* Called once, before the first page's items are read, with its HTTP
 * status, its raw body and its JSON (nullable: not JSON, or empty), all
 * transfer none: what the custom-integration editor shows even when the
 * items are not where the definition says. */
typedef void (*PorticoRawPageFunc) (const char *data_type_id,
                                    guint       status,
                                    GBytes     *body,
                                    JsonNode   *json,
                                    gpointer    user_data);

/* Reads the first page of @data_type_id only, calling @raw_func (with
 * @page_data) before its items are read, then @page_func as above. A data
 * type read per item ("for_each") never calls @raw_func. Finish with
 * portico_runtime_fetch_data_type_finish(). */
void portico_runtime_fetch_first_page_async (PorticoRuntime     *self,
                                             PorticoConnector   *connector,
                                             GHashTable         *field_values,
                                             const char         *data_type_id,
                                             PorticoRawPageFunc  raw_func,
                                             PorticoPageFunc     page_func,
                                             gpointer            page_data,
                                             GDestroyNotify      page_data_destroy,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);

/* Returns the total number of items read, or -1 with @error set. */
gint64 portico_runtime_fetch_data_type_finish (PorticoRuntime *self,
                                               GAsyncResult   *result,
                                               GError        **error);

/* The items path of @data_type_id (connectors/README.md "DataType"
 * "items") with its {field} templates expanded for @field_values, in the
 * dotted form portico_store_mapping_new() takes; "" when the body is the
 * array. Fails (PORTICO_CONNECTOR_ERROR_UNSUPPORTED) when a key cannot be
 * written in the dotted form (it holds a dot, or is all digits, which the
 * dotted form reads as an array index), and with INVALID_FIELD when a
 * templated value is empty. */
char *portico_runtime_dup_items_path (PorticoConnector *connector,
                                      GHashTable       *field_values,
                                      const char       *data_type_id,
                                      GError          **error);

/* The origins ("scheme://host:port") this account's credentials are sent
 * to with @field_values: the (templated, api_base_url-rebased) base URL
 * and the token endpoint. The engine compares them with the origins the
 * account was connected with. */
GStrv portico_runtime_dup_credential_origins (PorticoRuntime   *self,
                                              PorticoConnector *connector,
                                              GHashTable       *field_values,
                                              GError          **error);

G_END_DECLS
