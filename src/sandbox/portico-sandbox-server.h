/* portico-sandbox-server.h: a local fake SaaS provider built from the catalog.
 *
 * For every connector of a catalog the sandbox listens on its own loopback
 * port and speaks that connector's API as its definition describes it: auth
 * scheme, identity request, every data type's request, item shapes at the
 * mapped paths, pagination style and error bodies. The secret value selects
 * the behaviour: "sandbox-ok" works, "sandbox-plan" makes a non-essential data
 * type fail with the provider's plan/permission error, "sandbox-bad" is
 * rejected. A suffix after the "sandbox-ok"/"sandbox-plan" prefix
 * ("sandbox-ok-globex") selects another tenant, i.e. another external
 * identity with the same data.
 *
 * Refusals take the definition's error shape: HTTP 200 with ok false for a
 * boolean ok_path, HTTP 200 with the status number for a numeric one
 * (Expensify's responseCode), HTTP 200 with a non-empty errors array for
 * errors_path (GraphQL) when errors.codes has a code of that kind, else the
 * HTTP status. Pagination parameters are read from the query or, by dotted
 * path, from the JSON body ("variables.after"); link_header pages always
 * carry Sentry-style previous/next links with results="true|false"; items
 * paths with {field} templates are keyed by the value the request sent; an
 * export job answering "returnRandomFileName" gets a plain-text file name,
 * as the provider's first step does.
 *
 * Faults (429, 500, slow, truncated, malformed, redirect) and broken
 * credentials are set through the API below or the admin HTTP endpoint:
 *
 *   POST /_sandbox/faults?connector=ID&kind=KIND&count=N[&delay_ms=MS]
 *   DELETE /_sandbox/faults[?connector=ID]
 *   POST /_sandbox/credentials?connector=ID&state=bad|ok
 *   GET  /_sandbox/requests[?connector=ID]   request log, no secret values
 *   GET  /_sandbox/redirects                  what the redirect target received
 *   GET  /_sandbox/expected?connector=ID&data_type=DT   normalized items
 *   GET  /_sandbox/info                       the same document as --json
 *
 * The servers run on the thread-default main context of the caller of
 * portico_sandbox_start(); that context must be iterated for them to answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "portico-catalog.h"

G_BEGIN_DECLS

#define PORTICO_SANDBOX_SECRET_OK "sandbox-ok"
#define PORTICO_SANDBOX_SECRET_PLAN "sandbox-plan"
#define PORTICO_SANDBOX_SECRET_BAD "sandbox-bad"

typedef enum
{
  PORTICO_SANDBOX_FAULT_NONE,
  PORTICO_SANDBOX_FAULT_RATE_LIMIT, /* 429 with Retry-After: 1 */
  PORTICO_SANDBOX_FAULT_SERVER,     /* 500 with the provider's error body */
  PORTICO_SANDBOX_FAULT_SLOW,       /* the right answer, after the slow delay */
  PORTICO_SANDBOX_FAULT_TRUNCATED,  /* connection closed before Content-Length bytes */
  PORTICO_SANDBOX_FAULT_MALFORMED,  /* 200 with a body that is not JSON */
  PORTICO_SANDBOX_FAULT_REDIRECT,   /* 302 to another loopback port */
} PorticoSandboxFault;

/* Sign-in faults of an oauth2_authorization_code connector. */
typedef enum
{
  PORTICO_SANDBOX_OAUTH_FAULT_NONE,
  PORTICO_SANDBOX_OAUTH_FAULT_DENY,           /* the admin declines on the consent page */
  PORTICO_SANDBOX_OAUTH_FAULT_WRONG_STATE,    /* the redirect carries another state */
  PORTICO_SANDBOX_OAUTH_FAULT_EXPIRE_REFRESH, /* every refresh answers invalid_grant */
  PORTICO_SANDBOX_OAUTH_FAULT_REVOKE_REFRESH, /* the issued refresh tokens are revoked */
} PorticoSandboxOAuthFault;

gboolean portico_sandbox_oauth_fault_from_string (const char               *name,
                                                  PorticoSandboxOAuthFault *fault);

#define PORTICO_TYPE_SANDBOX (portico_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (PorticoSandbox, portico_sandbox, PORTICO, SANDBOX, GObject)

/* Builds the data and the responses of every connector of @catalog now;
 * nothing listens before portico_sandbox_start(). @size is about the number
 * of people of the fake company (0 = 200). */
PorticoSandbox *portico_sandbox_new (PorticoCatalog *catalog,
                                     guint           seed,
                                     guint           size);
/* The same with the dates made relative to @day (a Unix time, UTC
 * midnight) instead of today: for what must stay the same on every day. */
PorticoSandbox *portico_sandbox_new_for_day (PorticoCatalog *catalog,
                                             guint           seed,
                                             guint           size,
                                             gint64          day);

/* Listens on 127.0.0.1: with @port_base 0 every port is chosen by the
 * system; otherwise shipped connector i (sorted by id) gets port_base + i,
 * the admin endpoint port_base + n, the redirect target port_base + n + 1,
 * the SCIM 2.0 service port_base + n + 2 (n = the number of shipped
 * connectors) and custom connector k (by id) port_base + n + 3 + k: a
 * custom integration never moves the port of a shipped one. */
gboolean portico_sandbox_start (PorticoSandbox *self,
                                guint           port_base,
                                GError        **error);
void portico_sandbox_stop (PorticoSandbox *self);

/* Demo mode: every Portico process (the app, each CLI run) uses the same
 * seed, size and ports, so an account connected by one syncs in another.
 * $PORTICO_DEMO_PORT_BASE overrides the ports. */
#define PORTICO_SANDBOX_DEMO_PORT_BASE 28300
guint portico_sandbox_demo_port_base (void);
void portico_sandbox_join (PorticoSandbox *self,
                           guint           port_base);
/* Starts the demo sandbox, or joins the one another process serves
 * (*out_joined). */
PorticoSandbox *portico_sandbox_new_demo (PorticoCatalog *catalog,
                                          gboolean       *out_joined,
                                          GError        **error);

/* Connector ids served, sorted. transfer full. */
GStrv portico_sandbox_get_connector_ids (PorticoSandbox *self);
/* "http://127.0.0.1:PORT", the account's api_base_url; NULL before start
 * or for an unknown connector. */
const char *portico_sandbox_get_base_url (PorticoSandbox *self,
                                          const char     *connector_id);
const char *portico_sandbox_get_admin_url (PorticoSandbox *self);
/* A SCIM 2.0 service (RFC 7644: /Users with startIndex and count, a
 * ListResponse, Error bodies) for custom integrations built from the SCIM
 * template: its base URL ("http://127.0.0.1:PORT"), with the bearer token
 * "sandbox-ok" (or "sandbox-bad", refused). NULL before start or when the
 * template is not installed. */
const char *portico_sandbox_get_scim_url (PorticoSandbox *self);
/* Example value of every field of the connector (non-secret fields satisfy
 * their pattern; secret fields get the secret of @secret_kind: "ok", "plan"
 * or "bad"), plus api_base_url once started. transfer full, string -> string. */
GHashTable *portico_sandbox_get_field_values (PorticoSandbox *self,
                                              const char     *connector_id,
                                              const char     *secret_kind);
/* Data types that fail with the plan error under "sandbox-plan". transfer full. */
GStrv portico_sandbox_get_plan_failures (PorticoSandbox *self,
                                         const char     *connector_id);

/* The next @count requests to the connector (token requests excepted) get
 * @fault. FAULT_NONE clears. */
void portico_sandbox_set_fault (PorticoSandbox     *self,
                                const char         *connector_id,
                                PorticoSandboxFault fault,
                                guint               count);
/* Also on the admin server: POST /_sandbox/oauth?connector=ID&fault=NAME. */
void portico_sandbox_set_oauth_fault (PorticoSandbox          *self,
                                      const char              *connector_id,
                                      PorticoSandboxOAuthFault fault);
/* How many refresh tokens were revoked at the connector's revocation
 * endpoint (auth.revoke), and how many still work. Also on the admin
 * server: GET /_sandbox/oauth?connector=ID answers
 * {"revoked": N, "refresh_tokens": M}. */
void portico_sandbox_get_oauth_counts (PorticoSandbox *self,
                                       const char     *connector_id,
                                       guint          *revoked,
                                       guint          *refresh_tokens);
/* How long a FAULT_SLOW answer waits (default 60 s). */
void portico_sandbox_set_slow_delay (PorticoSandbox *self,
                                     guint           milliseconds);
gboolean portico_sandbox_fault_from_string (const char          *name,
                                            PorticoSandboxFault *fault);
/* Makes every key (and OAuth token) of the connector rejected, as if it had
 * been revoked; @broken FALSE restores them. */
void portico_sandbox_break_credentials (PorticoSandbox *self,
                                        const char     *connector_id,
                                        gboolean        broken);

/* Expected data, for assertions. Normalized records as the connector's map
 * reads them back from the served items: a JSON array of objects keyed by
 * map target (custom_fields: "user_id", "email", "fields": {label: value}).
 * transfer none; NULL for a data type the connector does not have. */
JsonArray *portico_sandbox_get_expected (PorticoSandbox *self,
                                         const char     *connector_id,
                                         const char     *data_type_id);
/* {"id","name"} of the default tenant's account. transfer none. */
JsonObject *portico_sandbox_get_expected_identity (PorticoSandbox *self,
                                                   const char     *connector_id);

/* Every request served so far: [{"connector","method","path","query","status","auth","fault"}]
 * ("query" when the request had one).
 * transfer full. */
JsonNode *portico_sandbox_get_requests (PorticoSandbox *self);
/* Number of requests the redirect target received, and how many of them
 * carried credentials (an Authorization header, the connector's auth header
 * or a sandbox secret). */
guint portico_sandbox_get_redirect_hits (PorticoSandbox *self,
                                         guint          *with_credentials);

/* The document `portico-sandbox --json` prints:
 * {"scim_url", "admin_url", "connectors":[{"id","name","api_base_url","fields":{},"secret_fields":[],
 *  "secrets":{"ok","plan","bad"},"plan_failures":[]}]}. transfer full. */
JsonNode *portico_sandbox_describe (PorticoSandbox *self);

G_END_DECLS
