/* portico-sandbox-vendor.h: what a provider's documentation says that a
 * connector definition cannot tell the sandbox.
 *
 * The generic sandbox serves whatever a definition asks for, so a wrong
 * definition and the sandbox built from it always agree. These rules come
 * from each provider's own API documentation (cited next to each rule) and
 * hold whatever the definition says: a definition that asks the wrong way
 * gets what the real provider would give it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Answers @msg with the provider's documented refusal of a data request
 * (Slack's over_pagination_limit after page 100, Expensify's export without
 * a date filter) and returns TRUE; FALSE when the request is acceptable.
 * @body is the parsed JSON body (the form field holding JSON for
 * Expensify), nullable. */
gboolean portico_sandbox_vendor_refuse (const char        *connector_id,
                                        const char        *data_type,
                                        SoupServerMessage *msg,
                                        GHashTable        *query,
                                        JsonNode          *body);

/* Answers @msg with the provider's own shape of a refusal of @kind
 * (not_authorized, plan, not_found, bad_request, rate_limited, server)
 * saying @message, whatever the definition expects (LastPass: HTTP 200
 * with "status": "FAIL"), and returns TRUE; FALSE: the generic answer. */
gboolean portico_sandbox_vendor_error (const char        *connector_id,
                                       SoupServerMessage *msg,
                                       const char        *kind,
                                       const char        *message);

/* Answers @msg, a refusal of @connector_id's token endpoint with @status,
 * in the provider's own error shape when it has one (HubSpot: no RFC 6749
 * "error" member, its "category", "correlationId" and "message" instead)
 * and returns TRUE; FALSE: the RFC 6749 answer. */
gboolean portico_sandbox_vendor_token_error (const char        *connector_id,
                                             SoupServerMessage *msg,
                                             guint              status,
                                             const char        *description);

/* An item of a large list may be kept as its JSON text: a node holding a
 * string (every item the sandbox renders is an object), about a seventh
 * of the object's memory. portico_sandbox_item_parse() gives the object
 * (a node of its own, transfer full; for an object node, json_node_copy);
 * portico_sandbox_item_dup_string() the string value of one top-level
 * member of either form, without parsing the whole text (NULL: no such
 * member, or not a string). */
JsonNode *portico_sandbox_item_parse (JsonNode *item);
char *portico_sandbox_item_dup_string (JsonNode   *item,
                                       const char *member);

/* Whether portico_sandbox_vendor_items() reads the members of the items
 * of this data type as objects (TRUE: they must be kept as objects) or
 * takes them in either form (FALSE); and whether it reads @records (FALSE:
 * the sandbox need not keep them). */
gboolean portico_sandbox_vendor_reads_items (const char *connector_id,
                                             const char *data_type);
gboolean portico_sandbox_vendor_reads_records (const char *connector_id,
                                               const char *data_type);

/* The items the provider serves for this request, out of @items, all the
 * records it has (transfer full): Okta leaves DEPROVISIONED users out unless
 * the search asks for them, Zoom lists one status at a time, HiBob gives
 * list fields as ids without humanReadable, Microsoft Graph lists one app's
 * assignments. @records (nullable): the sandbox records @items were
 * rendered from, in the same order, for facts the map does not read
 * (display names). */
JsonArray *portico_sandbox_vendor_items (const char        *connector_id,
                                         const char        *data_type,
                                         SoupServerMessage *msg,
                                         GHashTable        *query,
                                         JsonNode          *body,
                                         JsonArray         *items,
                                         JsonArray         *records);

/* Answers @msg with the provider's documented refusal of a data type the
 * token's permissions do not cover (Microsoft Graph's 403
 * Authorization_RequestDenied) and returns TRUE; FALSE: the generic plan
 * error. */
gboolean portico_sandbox_vendor_denied (const char        *connector_id,
                                        const char        *data_type,
                                        SoupServerMessage *msg);

/* Rewrites a page (@root, the whole answer) where the documentation says
 * more than the definition asked for: ClickUp's GET /team lists every
 * Workspace the token opens, Google's token events carry more parameters
 * than the two a definition reads; Auth0 answers a bare array unless
 * include_totals asks for the object with the totals; Microsoft Graph's
 * last page has no @odata.nextLink. @path: the request's path; @query: the
 * request's query parameters, nullable. */
void portico_sandbox_vendor_page (const char *connector_id,
                                  const char *data_type,
                                  const char *path,
                                  GHashTable *query,
                                  JsonNode   *root);

/* The most records the provider puts in one page whatever the request
 * asks for (Coupa: 50), or G_MAXUINT. */
guint portico_sandbox_vendor_max_page_size (const char *connector_id,
                                            const char *data_type);

/* The number of the first page where the provider documents it (Jamf
 * Pro: 0), whatever the definition's "start" says; -1: the definition's. */
gint portico_sandbox_vendor_first_page (const char *connector_id,
                                        const char *data_type);

/* Answers @msg as the provider answers a list that has no items, where it
 * documents an answer other than an empty page (BambooHR's directory:
 * 404), for the sandbox's "empty" tenant, whose lists are empty; returns
 * TRUE then. */
gboolean portico_sandbox_vendor_empty (const char        *connector_id,
                                       const char        *data_type,
                                       const char        *tenant,
                                       SoupServerMessage *msg);

/* The query parameter that carries the sandbox's cursor in a next_url
 * link: the provider's own name where documented (Personio: cursor), else
 * "page_token". */
const char *portico_sandbox_vendor_next_url_param (const char *connector_id);

/* The Link header a provider's own documentation shows for a link_header
 * list (portico-sandbox-vendor.c cites the pages). */
typedef enum
{
  PORTICO_SANDBOX_LINKS_GENERIC, /* opaque after=, Sentry's previous/next with results= */
  PORTICO_SANDBOX_LINKS_PAGES,   /* page= and per_page= (GitLab, GitHub, Freshdesk) */
  PORTICO_SANDBOX_LINKS_OFFSET,  /* sysparm_offset= and sysparm_limit= (ServiceNow) */
  PORTICO_SANDBOX_LINKS_AFTER,   /* an opaque after= cursor (Okta, Webex) */
  PORTICO_SANDBOX_LINKS_SENTRY,  /* cursor=value:offset:is_prev, results= (Sentry) */
} PorticoSandboxLinks;

PorticoSandboxLinks portico_sandbox_vendor_links (const char *connector_id);

/* The parameter in which the provider takes the page size of a link_header
 * list, and in @default_size the size without it; NULL: the sandbox's
 * generic size rules apply. */
const char *portico_sandbox_vendor_link_size_param (const char *connector_id,
                                                    const char *data_type,
                                                    guint      *default_size);

/* The Link (and page) headers of page @page (from 1) of @total items in
 * pages of @per_page, for a provider of PORTICO_SANDBOX_LINKS_PAGES;
 * @url_base is the scheme, host and port, @query the request's query. */
void portico_sandbox_vendor_page_links (SoupServerMessage *msg,
                                        const char        *connector_id,
                                        const char        *url_base,
                                        GHashTable        *query,
                                        guint              page,
                                        guint              per_page,
                                        guint              total);

/* The same for PORTICO_SANDBOX_LINKS_OFFSET: @offset records skipped. */
void portico_sandbox_vendor_offset_links (SoupServerMessage *msg,
                                          const char        *url_base,
                                          GHashTable        *query,
                                          guint              offset,
                                          guint              limit,
                                          guint              total);

/* The same for PORTICO_SANDBOX_LINKS_AFTER: @next_cursor is NULL on the
 * last page. */
void portico_sandbox_vendor_after_links (SoupServerMessage *msg,
                                         const char        *connector_id,
                                         const char        *url_base,
                                         GHashTable        *query,
                                         const char        *next_cursor);

/* Reads Sentry's cursor= ("value:offset:is_prev"; none is the first page)
 * into @offset; FALSE if it is not one. */
gboolean portico_sandbox_vendor_sentry_cursor (const char *cursor,
                                               guint      *offset);

/* The Link header for PORTICO_SANDBOX_LINKS_SENTRY. */
void portico_sandbox_vendor_sentry_links (SoupServerMessage *msg,
                                          const char        *url_base,
                                          GHashTable        *query,
                                          guint              offset,
                                          guint              size,
                                          guint              total);

/* Answers @msg with the provider's own rate-limit signal (GitHub: 403 with
 * x-ratelimit-remaining: 0) and returns TRUE; FALSE: the generic 429. */
gboolean portico_sandbox_vendor_rate_limit (const char        *connector_id,
                                            SoupServerMessage *msg);

/* Whether a request of the connector must carry a header the provider
 * requires for the tenant's region (Navan's X-ta-region: EU); answers @msg
 * with the provider's failure and returns TRUE when it is missing. */
gboolean portico_sandbox_vendor_region (const char        *connector_id,
                                        SoupServerMessage *msg,
                                        const char        *tenant);

/* The columns of a CSV report, in the documented order, where the
 * provider documents them (Microsoft 365 usage reports), or NULL: the
 * sandbox then writes the columns its items have. */
const char * const *portico_sandbox_vendor_csv_columns (const char *connector_id,
                                                        const char *data_type);

G_END_DECLS
