/* portico-limits.h: every cap the connector runtime holds a provider to.
 *
 * A provider's answer is untrusted input (SPEC 12). These are the bounds on
 * time, memory and repetition that a broken or hostile provider cannot push
 * the runtime past; they live here, in one place, with the sentence a user
 * reads when one is hit (portico_limit_error_new()). README.md "Limits" lists
 * them for admins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "portico-errors.h"

G_BEGIN_DECLS

/* A response body, counted after decompression (a few hundred KB of gzip
 * can inflate to gigabytes) and while it streams in: nothing past this is
 * ever buffered. Real pages are well under 10 MB. */
#define PORTICO_LIMIT_BODY_BYTES (32u * 1024u * 1024u)

/* Arrays and objects nested in one another, checked by a streaming pre-scan
 * (portico_json_prescan()) before json-glib, whose parser recurses once per
 * level, builds a tree: 200,000 '[' overflow its stack. Real APIs nest fewer
 * than 20 levels. */
#define PORTICO_LIMIT_JSON_DEPTH 128

/* Pages of one data type, a safety net behind the loop detection (a
 * repeated page, cursor, offset or address ends the data type at once). */
#define PORTICO_LIMIT_PAGES 100000

/* Attempts of one request (the first one and its retries) after rate
 * limiting, server errors or a dropped connection. */
#define PORTICO_LIMIT_ATTEMPTS 5

/* The longest wait between two attempts, Retry-After and reset hints
 * included. A provider that asks for a longer wait (a day) ends the data
 * type as rate-limited at once: the next sync tries again. */
#define PORTICO_LIMIT_RETRY_DELAY_MS 60000

/* The time all waits of one request may add up to. */
#define PORTICO_LIMIT_RETRY_BUDGET_MS 120000

/* One attempt, from sending the request to the last byte of the body: a
 * stalled or dripping response ends here. */
#define PORTICO_LIMIT_ATTEMPT_SECONDS 30

/* Reading one data type, every page, wait and retry included. */
#define PORTICO_LIMIT_TOTAL_SECONDS 3600

/* The longest lifetime an OAuth token answer is believed (expires_in). */
#define PORTICO_LIMIT_TOKEN_LIFETIME_SECONDS (366 * 24 * 3600)

/* Disconnect revokes the sign-in at the provider (SPEC 11) in the
 * background; it gives up after this long. */
#define PORTICO_LIMIT_REVOKE_SECONDS 15

typedef enum
{
  PORTICO_LIMIT_BODY_SIZE,
  PORTICO_LIMIT_NESTING,
  PORTICO_LIMIT_PAGE_COUNT,
  PORTICO_LIMIT_RETRIES,
  PORTICO_LIMIT_RETRY_AFTER,
  PORTICO_LIMIT_ATTEMPT_TIME,
  PORTICO_LIMIT_TOTAL_TIME,
} PorticoLimit;

/* The PORTICO_CONNECTOR_ERROR a hit @limit ends a request or data type
 * with, as one translated sentence naming @service_name (the connector's
 * name), @what (what was read: "users"; NULL: the account details) and the
 * fix. @amount is the limit in effect where the runtime lets it be set
 * (attempts for RETRIES, seconds for ATTEMPT_TIME and TOTAL_TIME), the wait
 * a provider asked for in ms for RETRY_AFTER, and ignored otherwise. */
GError *portico_limit_error_new (PorticoLimit limit,
                                 const char  *service_name,
                                 const char  *what,
                                 guint64      amount);

G_END_DECLS
