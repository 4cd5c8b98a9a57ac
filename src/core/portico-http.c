/* portico-http.c: small HTTP helpers of the connector runtime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-http"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "portico-http.h"

int
portico_http_uri_get_port (GUri *uri)
{
  int port;
  const char *scheme;

  g_return_val_if_fail (uri != NULL, -1);

  port = g_uri_get_port (uri);
  if (port > 0)
    return port;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return 443;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return 80;
  return -1;
}

char *
portico_http_origin_key (GUri *uri)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri) ? g_uri_get_host (uri) : "", -1);
  return g_strdup_printf ("%s://%s:%d", scheme, host, portico_http_uri_get_port (uri));
}

gboolean
portico_http_same_origin (GUri *a,
                          GUri *b)
{
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;

  ka = portico_http_origin_key (a);
  kb = portico_http_origin_key (b);
  return g_str_equal (ka, kb);
}

gboolean
portico_http_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* IPv6 literals may come bracketed. */
  if (host[0] == '[')
    bare = g_strndup (host + 1, strcspn (host + 1, "]"));
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

GUri *
portico_http_rebase (GUri *uri,
                     GUri *api_base)
{
  g_return_val_if_fail (uri != NULL, NULL);

  if (api_base == NULL)
    return g_uri_ref (uri);

  return g_uri_build (g_uri_get_flags (uri),
                      g_uri_get_scheme (api_base),
                      NULL,
                      g_uri_get_host (api_base),
                      g_uri_get_port (api_base),
                      g_uri_get_path (uri),
                      g_uri_get_query (uri),
                      NULL);
}

/* The value of the parameter @name in a Link parameter list (the text after
 * "<...>", parameters separated by ';' outside quotes), unquoted; NULL when
 * absent. */
static char *
link_param_value (const char *params,
                  const char *name)
{
  const char *p = params;
  gsize name_len = strlen (name);

  while (*p != '\0')
    {
      const char *start;
      const char *end;
      gboolean in_quotes = FALSE;

      while (*p == ';' || g_ascii_isspace (*p))
        p++;
      start = p;
      for (end = p; *end != '\0' && (in_quotes || *end != ';'); end++)
        if (*end == '"')
          in_quotes = !in_quotes;

      {
        g_autofree char *param = g_strstrip (g_strndup (start, end - start));
        const char *eq = strchr (param, '=');

        if (eq != NULL)
          {
            g_autofree char *key = g_strstrip (g_strndup (param, eq - param));

            if (strlen (key) == name_len && g_ascii_strcasecmp (key, name) == 0)
              {
                char *value = g_strstrip (g_strdup (eq + 1));
                gsize len = strlen (value);

                if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
                  {
                    memmove (value, value + 1, len - 2);
                    value[len - 2] = '\0';
                  }
                return value;
              }
          }
      }

      p = end;
    }

  return NULL;
}

/* Whether a Link parameter list holds rel=next (rel may hold several
 * space-separated relation types) without results="false": Sentry always
 * sends a next link and marks the last page that way. */
static gboolean
link_params_have_next (const char *params)
{
  g_autofree char *rel = link_param_value (params, "rel");
  g_autofree char *results = NULL;
  g_auto(GStrv) rels = NULL;
  gboolean next = FALSE;

  if (rel == NULL)
    return FALSE;
  rels = g_strsplit_set (rel, " \t", -1);
  for (guint j = 0; rels[j] != NULL && !next; j++)
    next = g_ascii_strcasecmp (rels[j], "next") == 0;
  if (!next)
    return FALSE;

  results = link_param_value (params, "results");
  return results == NULL || g_ascii_strcasecmp (results, "false") != 0;
}

char *
portico_http_parse_link_next (const char *link_value)
{
  const char *p = link_value;

  if (link_value == NULL)
    return NULL;

  while (*p != '\0')
    {
      const char *open = strchr (p, '<');
      const char *close;
      const char *params_end;
      gboolean in_quotes = FALSE;
      g_autofree char *params = NULL;

      if (open == NULL)
        return NULL;
      close = strchr (open, '>');
      if (close == NULL)
        return NULL;

      /* The parameters run to the next comma outside quotes. */
      params_end = close + 1;
      while (*params_end != '\0' && (in_quotes || *params_end != ','))
        {
          if (*params_end == '"')
            in_quotes = !in_quotes;
          params_end++;
        }
      params = g_strndup (close + 1, params_end - (close + 1));

      if (link_params_have_next (params))
        {
          g_autofree char *target = g_strstrip (g_strndup (open + 1, close - open - 1));
          if (*target != '\0')
            return g_steal_pointer (&target);
        }

      p = *params_end == ',' ? params_end + 1 : params_end;
    }

  return NULL;
}

gboolean
portico_http_parse_retry_after (const char *value,
                                gint64      now_unix,
                                guint64    *delay_ms)
{
  g_autofree char *text = NULL;
  guint64 seconds = 0;
  g_autoptr(GDateTime) date = NULL;

  g_return_val_if_fail (delay_ms != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  text = g_strstrip (g_strdup (value));
  if (*text == '\0')
    return FALSE;

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &seconds, NULL))
    {
      *delay_ms = seconds * 1000;
      return TRUE;
    }

  date = soup_date_time_new_from_http_string (text);
  if (date != NULL)
    {
      gint64 when = g_date_time_to_unix (date);
      *delay_ms = when > now_unix ? (guint64) (when - now_unix) * 1000 : 0;
      return TRUE;
    }

  return FALSE;
}

guint64
portico_http_backoff_ms (guint   attempt,
                         guint64 base_ms,
                         guint64 max_ms)
{
  guint64 delay = base_ms;

  if (attempt == 0)
    attempt = 1;

  for (guint i = 1; i < attempt && delay < max_ms; i++)
    delay *= 2;
  delay = MIN (delay, max_ms);

  if (delay < 2)
    return delay;

  /* Spread clients that failed together so that they do not retry together. */
  return delay / 2 + (guint64) g_random_double_range (0, (double) (delay - delay / 2) + 1);
}

#define READ_CHUNK (64 * 1024)

typedef struct
{
  GInputStream *stream;
  GByteArray *data;
  gsize max_bytes;
  int io_priority;
} CappedRead;

static void
capped_read_free (CappedRead *read)
{
  g_clear_object (&read->stream);
  g_clear_pointer (&read->data, g_byte_array_unref);
  g_free (read);
}

static void capped_read_next (GTask *task);

static void
capped_read_closed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CappedRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_input_stream_close_finish (G_INPUT_STREAM (object), result, &error))
    g_debug ("Closing a body stream: %s", error->message);

  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->data)),
                         (GDestroyNotify) g_bytes_unref);
}

/* Ends the read with @error (owned), or with the body when NULL. A whole
 * body's stream is closed first, so that libsoup is done with the message
 * (and the runtime's per-host slot can go to the next request) when the
 * caller hears of it. A body cut short is not closed, which would read
 * what is left of it: dropping the stream drops the connection. Takes
 * ownership of @task. */
static void
capped_read_end (GTask  *task,
                 GError *error)
{
  CappedRead *read = g_task_get_task_data (task);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_input_stream_close_async (read->stream, read->io_priority, g_task_get_cancellable (task),
                              capped_read_closed_cb, task);
}

static void
capped_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CappedRead *read = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      g_byte_array_set_size (read->data, read->data->len - READ_CHUNK);
      capped_read_end (g_steal_pointer (&task), error);
      return;
    }

  /* The chunk was read in place at the end of the array. */
  g_byte_array_set_size (read->data, read->data->len - READ_CHUNK + (gsize) n);
  if (n == 0)
    {
      capped_read_end (g_steal_pointer (&task), NULL);
      return;
    }
  if (read->data->len > read->max_bytes)
    {
      capped_read_end (g_steal_pointer (&task),
                       g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                    "The body is larger than %" G_GSIZE_FORMAT " bytes", read->max_bytes));
      return;
    }
  capped_read_next (g_steal_pointer (&task));
}

/* Takes ownership of @task. */
static void
capped_read_next (GTask *task)
{
  CappedRead *read = g_task_get_task_data (task);
  gsize used = read->data->len;

  g_byte_array_set_size (read->data, used + READ_CHUNK);
  g_input_stream_read_async (read->stream, read->data->data + used, READ_CHUNK, read->io_priority,
                             g_task_get_cancellable (task), capped_read_cb, task);
}

void
portico_http_read_capped_async (GInputStream       *stream,
                                gsize               max_bytes,
                                int                 io_priority,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;
  CappedRead *read;

  g_return_if_fail (G_IS_INPUT_STREAM (stream));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_http_read_capped_async);
  read = g_new0 (CappedRead, 1);
  read->stream = g_object_ref (stream);
  read->data = g_byte_array_new ();
  read->max_bytes = max_bytes;
  read->io_priority = io_priority;
  g_task_set_task_data (task, read, (GDestroyNotify) capped_read_free);
  capped_read_next (task);
}

GBytes *
portico_http_read_capped_finish (GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
portico_http_transport_error_is_transient (const GError *cause)
{
  if (cause == NULL || cause->domain != G_IO_ERROR)
    return FALSE;

  switch (cause->code)
    {
    case G_IO_ERROR_CONNECTION_CLOSED:
    case G_IO_ERROR_PARTIAL_INPUT:
      return TRUE;
    default:
      return FALSE;
    }
}

void
portico_http_set_transport_error (GError      **error,
                                  const GError *cause,
                                  const char   *service_name,
                                  const char   *host)
{
  g_return_if_fail (cause != NULL);

  g_debug ("Request to %s failed: %s (%s %d)", host, cause->message,
           g_quark_to_string (cause->domain), cause->code);

  if (cause->domain == G_TLS_ERROR)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TLS,
                   _("The security certificate of %s is not valid. Check the address; "
                     "if a proxy inspects your traffic, install its certificate on this computer."),
                   host);
      return;
    }

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT,
                   _("%s did not answer in time. Check your network connection and try again later."),
                   service_name);
      return;
    }

  if (cause->domain == G_RESOLVER_ERROR)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK,
                   _("Cannot find the server %s. Check the address (subdomain, region or API base URL) "
                     "and your network connection."),
                   host);
      return;
    }

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    {
      /* No route at all: the machine is offline, not the provider. */
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_OFFLINE,
                   _("No network reaches %s: this computer is offline. Portico syncs again when the network is back."),
                   host);
      return;
    }

  if (cause->domain == G_IO_ERROR || cause->domain == SOUP_SESSION_ERROR)
    {
      if (cause->domain == SOUP_SESSION_ERROR &&
          (cause->code == SOUP_SESSION_ERROR_PARSING || cause->code == SOUP_SESSION_ERROR_ENCODING))
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("The server %s sent an answer that is not valid HTTP. "
                         "Check the address (and the API base URL, if set)."),
                       host);
          return;
        }
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK,
                   _("Cannot reach %s. Check the address and your network connection, then try again."),
                   host);
      return;
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK,
               _("Cannot reach %s. Check the address and your network connection, then try again."),
               host);
}
