/* portico-http.h: small HTTP helpers of the connector runtime.
 *
 * Pure functions (no I/O) so that they can be tested on their own: origins,
 * rebasing onto an `api_base_url`, Link headers, Retry-After, backoff and the
 * mapping of transport errors to PORTICO_CONNECTOR_ERROR codes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "portico-errors.h"

G_BEGIN_DECLS

/* The URI flags every runtime URI is parsed with (escapes are kept). */
#define PORTICO_HTTP_URI_FLAGS SOUP_HTTP_URI_FLAGS

/* Effective port: the explicit one, else 80/443 from the scheme. */
int portico_http_uri_get_port (GUri *uri);
/* "scheme://host:port", lower case: the key of an origin. */
char *portico_http_origin_key (GUri *uri);
/* Same scheme, host and effective port. */
gboolean portico_http_same_origin (GUri *a,
                                   GUri *b);
gboolean portico_http_host_is_loopback (const char *host);

/* @uri with the scheme, host and port of @api_base; path and query kept. */
GUri *portico_http_rebase (GUri *uri,
                           GUri *api_base);

/* The target of the rel="next" link in a Link header value, as written
 * (possibly relative), or NULL. A next link with the parameter
 * results="false" (Sentry's last page) is no next link. */
char *portico_http_parse_link_next (const char *link_value);

/* Retry-After as seconds or an HTTP date; the delay from @now_unix in ms.
 * A date in the past gives 0. */
gboolean portico_http_parse_retry_after (const char *value,
                                         gint64      now_unix,
                                         guint64    *delay_ms);

/* Exponential backoff for @attempt (1 = first retry), capped at @max_ms,
 * with "equal jitter": a random delay in [d/2, d]. */
guint64 portico_http_backoff_ms (guint   attempt,
                                 guint64 base_ms,
                                 guint64 max_ms);

/* Reads @stream to its end into memory, at most @max_bytes (counted as
 * the stream yields them, after any decompression): a longer body fails
 * with G_IO_ERROR_MESSAGE_TOO_LARGE as soon as it passes the cap, having
 * buffered no more than the cap and one read. */
void portico_http_read_capped_async (GInputStream       *stream,
                                     gsize               max_bytes,
                                     int                 io_priority,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
GBytes *portico_http_read_capped_finish (GAsyncResult *result,
                                         GError      **error);

/* Whether a transport error is worth another attempt (connection reset). */
gboolean portico_http_transport_error_is_transient (const GError *cause);

/* Sets @error to a PORTICO_CONNECTOR_ERROR (TLS, NETWORK, TIMEOUT, ...) with a
 * sentence naming @host and the fix. The raw @cause only goes to g_debug(). */
void portico_http_set_transport_error (GError      **error,
                                       const GError *cause,
                                       const char   *service_name,
                                       const char   *host);

G_END_DECLS
