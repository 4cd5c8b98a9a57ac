/* portico-runtime-private.h: what the portico-runtime-*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "portico-jwt.h"
#include "portico-runtime.h"

G_BEGIN_DECLS

#define MAX_REDIRECTS 5

/* The address of the caller's values, in the values a for_each derives
 * (see ::exchange). */
#define PORTICO_VALUE_EXCHANGE_ORIGIN "@exchange_origin"

#define PROVIDER_MESSAGE_MAX 300

/* A token is fetched again this long before it expires. */
#define TOKEN_EXPIRY_MARGIN_US (30 * G_USEC_PER_SEC)

struct _PorticoRuntime
{
  GObject parent_instance;

  SoupSession *session;
  GHashTable *hosts;  /* origin key → HostSlot */
  GHashTable *tokens; /* cache key → TokenEntry */

  guint max_per_host;
  guint timeout;
  guint retry_base_ms;
  guint max_retry_delay_ms;
  guint max_attempts;
  guint total_timeout;
};

/* portico_secret_free() overwrites a string that may hold a secret (a
 * field value, a header, a token, a request body with credentials) before
 * freeing it, so that it does not linger in freed memory or a core dump. */
typedef char ScrubbedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScrubbedString, portico_secret_free)

typedef struct
{
  guint active;
  GQueue waiting; /* GTask of SendOp, owned */
} HostSlot;

typedef struct
{
  char *token;
  char *refresh_token; /* authorization code: the newest one, after rotations */
  gint64 expires_at; /* monotonic µs */
  gboolean fetching;
  GPtrArray *waiters; /* GTask */
} TokenEntry;

typedef struct
{
  char *name;
  char *value;
  gboolean credential;
} RequestHeader;

typedef enum
{
  GRANT_NONE,
  GRANT_CLIENT_CREDENTIALS,
  GRANT_REFRESH_TOKEN,
  GRANT_JWT_BEARER,
  GRANT_AUTHORIZATION_CODE, /* only the sign-in's exchange */
} TokenGrant;

typedef struct
{
  gatomicrefcount ref;
  PorticoRuntime *runtime;
  PorticoConnector *connector;
  GHashTable *values;   /* every field id → value ("" when unset) */
  GUri *api_base;       /* nullable */
  GUri *base_uri;       /* templated and rebased base_url */
  GUri *named_base;     /* templated base_url before api_base_url */
  char *base_url;       /* the same, without a trailing slash */
  GPtrArray *secrets;   /* values to keep out of messages */

  GPtrArray *headers;      /* RequestHeader: connector headers */
  GPtrArray *cred_headers; /* RequestHeader: header and basic auth */
  JsonObject *cred_body;   /* body auth, nullable */

  /* OAuth2: client credentials, refresh token or JWT bearer grants */
  gboolean oauth;
  TokenGrant grant;
  GHashTable *caller_values; /* the caller's table: a rotated refresh token goes there */
  char *refresh_token;       /* authorization code, nullable before the sign-in */
  char *authorize_url;       /* authorization code */
  JsonObject *authorize_params;
  PorticoServiceAccountKey *sa_key; /* JWT bearer */
  char *jwt_subject;
  GUri *token_uri;
  char *client_id;
  char *client_secret;
  char *scope;
  gboolean client_auth_body;
  JsonObject *token_params;
  char *token_key;
} Account;

typedef struct
{
  char *method;
  GUri *uri;
  JsonObject *body;        /* nullable */
  char *form_field;        /* nullable: send the JSON body as this form field */
  GPtrArray *form_params;  /* nullable: name, value, ... sent after form_field */
  gboolean accept_text;    /* a 2xx body that is not JSON is the answer (a "then" first step) */
  gboolean form;           /* form-encoded body */
  GPtrArray *headers;      /* RequestHeader */
  GPtrArray *cred_headers; /* RequestHeader, only towards cred_origin */
  JsonObject *cred_body;   /* merged into the body only towards cred_origin */
  GUri *cred_origin;
  gboolean use_token;      /* oauth2 bearer token */
  gboolean is_token_request;
  TokenGrant grant;        /* of a token request */
  char *data_type_id;      /* nullable: identity */
  JsonArray *empty_statuses; /* nullable, transfer none: statuses that answer "no items" (v2) */
} Request;

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json; /* nullable when the body is empty */
  GUri *uri;
  gboolean empty; /* a status of the request's "empty_statuses": no items */
} Response;

void
portico_runtime_host_slot_free (HostSlot *slot);

void
portico_runtime_token_entry_free (TokenEntry *entry);

RequestHeader *
portico_runtime_request_header_new (const char *name,
                                    const char *value,
                                    gboolean    credential);

void
portico_runtime_account_unref (Account *account);

Account *
portico_runtime_account_ref (Account *account);

const char *
portico_runtime_account_name (Account *account);

char *
portico_runtime_account_redact (Account    *account,
                                const char *text,
                                const char *extra_secret);

const char *
portico_runtime_json_object_get_string_or (JsonObject *object,
                                           const char *member,
                                           const char *fallback);

JsonObject *
portico_runtime_json_object_get_object_or_null (JsonObject *object,
                                                const char *member);

gboolean
portico_runtime_int64_add (gint64 *out,
                           gint64  a,
                           gint64  b);

gint64
portico_runtime_double_to_int64 (double value,
                                 gint64 fallback);

gint64
portico_runtime_json_object_get_int_or (JsonObject *object,
                                        const char *member,
                                        gint64      fallback);

char *
portico_runtime_json_scalar_to_string (JsonNode *node);

gboolean
portico_runtime_json_node_is_true (JsonNode *node);

JsonNode *
portico_runtime_eval_expr (Account  *account,
                           JsonNode *expr,
                           JsonNode *root);

char *
portico_runtime_eval_expr_string (Account  *account,
                                  JsonNode *expr,
                                  JsonNode *root);

GUri *
portico_runtime_account_parse_uri (Account    *account,
                                   const char *text,
                                   GError    **error);

Account *
portico_runtime_account_new (PorticoRuntime   *runtime,
                             PorticoConnector *connector,
                             GHashTable       *field_values,
                             GError          **error);

void
portico_runtime_request_free (Request *req);

Request *
portico_runtime_request_new (const char *method,
                             GUri       *uri);

void
portico_runtime_response_free (Response *response);

void
portico_runtime_append_form_pair (GString    *out,
                                  const char *name,
                                  const char *value);

GBytes *
portico_runtime_request_build_body (Request    *req,
                                    gboolean    with_credentials,
                                    const char **content_type);

const char *
portico_runtime_data_type_label (const char *data_type_id);

void
portico_runtime_send_async (Account            *account,
                            Request            *req, /* transfer full */
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data);

Response *
portico_runtime_send_finish (GAsyncResult *result,
                             GError      **error);

void
portico_runtime_token_invalidate (Account    *account,
                                  const char *token);

void
portico_runtime_token_get_async (Account            *account,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);

char *
portico_runtime_token_get_finish (GAsyncResult *result,
                                  GError      **error);

void
portico_runtime_append_query_pair (GString    *query,
                                   const char *name,
                                   const char *value);

Request *
portico_runtime_build_request (Account    *account,
                               JsonObject *request_def,
                               const char *path_override,
                               gboolean    with_definition_query,
                               GPtrArray  *extra_query,
                               gboolean    with_definition_body,
                               const char *data_type_id,
                               GError    **error);

/* @uri as a support report may show it: the origin and the path, with
 * every secret of @account (and @token), every credential-named query
 * value and every value holding an "@" replaced. */
char *
portico_runtime_redact_uri (Account    *account,
                            GUri       *uri,
                            const char *token);

/* Emits ::exchange for one answer of @req (see portico-runtime.h). */
void
portico_runtime_emit_exchange (Account    *account,
                               Request    *req,
                               const char *method,
                               GUri       *uri,
                               const char *token,
                               guint       status,
                               const char *provider_code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, portico_runtime_account_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, portico_runtime_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, portico_runtime_response_free)

G_END_DECLS
