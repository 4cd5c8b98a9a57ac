/* portico-runtime-send.c: sending one logical request: queueing per host,
 * timeouts, redirects, retries, rate limits and the errors a provider
 * answers with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-runtime"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "portico-http.h"
#include "portico-json.h"
#include "portico-jwt.h"
#include "portico-limits.h"
#include "portico-runtime-private.h"

/* ------------------------------------------------------------------------ */
/* Waiting                                                                   */

typedef struct
{
  GSource *timeout;
  GSource *cancel;
} SleepData;

static void
sleep_data_free (SleepData *data)
{
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  if (data->cancel != NULL)
    {
      g_source_destroy (data->cancel);
      g_source_unref (data->cancel);
    }
  g_free (data);
}

static gboolean
sleep_done_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  /* The task data (and with it both sources) goes with the last reference. */
  g_task_set_task_data (task, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  return sleep_done_cb (user_data);
}

static void
sleep_async (guint64             delay_ms,
             GCancellable       *cancellable,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SleepData *data = g_new0 (SleepData, 1);
  GMainContext *context = g_main_context_get_thread_default ();

  g_task_set_source_tag (task, sleep_async);
  g_task_set_task_data (task, data, (GDestroyNotify) sleep_data_free);

  data->timeout = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_callback (data->timeout, sleep_done_cb, g_object_ref (task), g_object_unref);
  g_source_attach (data->timeout, context);

  if (cancellable != NULL)
    {
      data->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel, G_SOURCE_FUNC (sleep_cancelled_cb), g_object_ref (task), g_object_unref);
      g_source_attach (data->cancel, context);
    }
}

static gboolean
sleep_finish (GAsyncResult *result,
              GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Error mapping                                                             */

static const struct
{
  const char *name;
  PorticoConnectorError code;
} code_names[] = {
  { "not_authorized", PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED },
  { "forbidden", PORTICO_CONNECTOR_ERROR_FORBIDDEN },
  { "plan", PORTICO_CONNECTOR_ERROR_PLAN },
  { "not_found", PORTICO_CONNECTOR_ERROR_NOT_FOUND },
  { "rate_limited", PORTICO_CONNECTOR_ERROR_RATE_LIMITED },
  { "server", PORTICO_CONNECTOR_ERROR_SERVER },
  { "bad_response", PORTICO_CONNECTOR_ERROR_BAD_RESPONSE },
};

static gboolean
status_in_list (JsonObject *rate_limit,
                guint       status)
{
  JsonNode *node = rate_limit ? json_object_get_member (rate_limit, "statuses") : NULL;
  JsonArray *statuses;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return status == 429;

  statuses = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (statuses); i++)
    if ((guint) json_array_get_int_element (statuses, i) == status)
      return TRUE;
  return FALSE;
}

/* Format v2: a status of "header_statuses" is a rate limit when the headers
 * say so (GitHub's 403 with x-ratelimit-remaining: 0, or a secondary limit's
 * retry-after); otherwise it keeps its usual meaning (403: forbidden). */
static gboolean
headers_say_rate_limited (JsonObject         *rate_limit,
                          guint               status,
                          SoupMessageHeaders *headers)
{
  JsonNode *node = rate_limit ? json_object_get_member (rate_limit, "header_statuses") : NULL;
  const char *remaining_header = portico_runtime_json_object_get_string_or (rate_limit, "remaining_header", NULL);
  const char *retry_header = portico_runtime_json_object_get_string_or (rate_limit, "retry_after_header", "Retry-After");
  gboolean listed = FALSE;
  g_autofree char *remaining = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || headers == NULL || remaining_header == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    if ((guint) json_array_get_int_element (json_node_get_array (node), i) == status)
      listed = TRUE;
  if (!listed)
    return FALSE;

  remaining = g_strdup (soup_message_headers_get_one (headers, remaining_header));
  if (remaining != NULL && g_str_equal (g_strstrip (remaining), "0"))
    return TRUE;
  return soup_message_headers_get_one (headers, retry_header) != NULL ||
         soup_message_headers_get_one (headers, "Retry-After") != NULL;
}

/* Format v2: the error reason some providers put in a header (BambooHR's
 * X-BambooHR-Error-Message) when the body has none. */
static char *
header_error_message (JsonObject         *errors,
                      SoupMessageHeaders *headers)
{
  const char *name = portico_runtime_json_object_get_string_or (errors, "message_header", NULL);
  const char *value;

  if (name == NULL || headers == NULL)
    return NULL;
  value = soup_message_headers_get_one (headers, name);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* The wait a response asks for, in ms, if it says so: Retry-After (seconds
 * or an HTTP date), the connector's reset header, or a value in the body. */
static gboolean
response_retry_hint (Account            *account,
                     SoupMessageHeaders *headers,
                     JsonNode           *json,
                     guint64            *hint_ms)
{
  JsonObject *rate_limit = portico_connector_get_rate_limit (account->connector);
  const char *header_name = portico_runtime_json_object_get_string_or (rate_limit, "retry_after_header", "Retry-After");
  const char *reset_header = portico_runtime_json_object_get_string_or (rate_limit, "reset_header", NULL);
  JsonNode *body_expr = rate_limit ? json_object_get_member (rate_limit, "body_retry_after") : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (headers != NULL)
    {
      const char *value = soup_message_headers_get_one (headers, header_name);

      if (value == NULL)
        value = soup_message_headers_get_one (headers, "Retry-After");
      if (portico_http_parse_retry_after (value, now, hint_ms))
        return TRUE;

      if (reset_header != NULL)
        {
          g_autofree char *text = g_strdup (soup_message_headers_get_one (headers, reset_header));
          const char *format = portico_runtime_json_object_get_string_or (rate_limit, "reset_format", "epoch");
          guint64 reset;

          if (text != NULL &&
              g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXINT64, &reset, NULL))
            {
              if (g_strcmp0 (format, "epoch") == 0)
                reset = (gint64) reset > now ? reset - (guint64) now : 0;
              /* Any wait this long is over the cap: no overflow in ms. */
              *hint_ms = MIN (reset, (guint64) G_MAXUINT32) * 1000;
              return TRUE;
            }
        }
    }

  if (body_expr != NULL && json != NULL)
    {
      g_autoptr(JsonNode) node = portico_runtime_eval_expr (account, body_expr, json);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        {
          GType type = json_node_get_value_type (node);
          double seconds = -1;

          if (type == G_TYPE_INT64)
            seconds = json_node_get_int (node);
          else if (type == G_TYPE_DOUBLE)
            seconds = json_node_get_double (node);
          else if (type == G_TYPE_STRING)
            seconds = g_ascii_strtod (json_node_get_string (node), NULL);
          /* NaN fails the test; a huge or infinite wait is clamped
           * before the conversion, which would overflow. */
          if (seconds >= 0)
            {
              *hint_ms = (guint64) (MIN (seconds, (double) G_MAXUINT32) * 1000);
              return TRUE;
            }
        }
    }

  return FALSE;
}

const char *
portico_runtime_data_type_label (const char *data_type_id)
{
  if (data_type_id == NULL)
    return _("the account details");
  return portico_data_type_label (data_type_id);
}

/* One sentence per error code, naming the fix. */
static char *
error_sentence (Account              *account,
                Request              *req,
                PorticoConnectorError code,
                guint                 status)
{
  const char *name = portico_runtime_account_name (account);
  const char *label = portico_runtime_data_type_label (req->data_type_id);
  const char *requirement = req->data_type_id
    ? portico_connector_get_data_type_requirement (account->connector, req->data_type_id)
    : NULL;
  const char *help = portico_connector_get_help (account->connector);
  guint attempts = account->runtime->max_attempts;

  switch (code)
    {
    case PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED:
      return g_strdup_printf (_("%s ended Portico’s sign-in: the refresh token expired or was revoked. "
                                "Sign in again (Reconnect); the data synced so far is kept."), name);

    case PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED:
      if (req->grant == GRANT_JWT_BEARER)
        return g_strdup_printf (_("%s refused the service account’s signed request. Check that the key "
                                  "file is current (not deleted in the Cloud console) and that the admin "
                                  "email is a super administrator of the domain."), name);
      if (req->grant == GRANT_AUTHORIZATION_CODE)
        return g_strdup_printf (_("%s refused the sign-in. Check the client ID and secret of the app you "
                                  "registered and its redirect address, then sign in again."), name);
      if (req->is_token_request)
        return g_strdup_printf (_("%s rejected the client ID or client secret. Check both values, "
                                  "or create a new secret, and reconnect."), name);
      if (help != NULL && *help != '\0')
        return g_strdup_printf (_("%s rejected the credentials. Create new ones and reconnect. %s"), name, help);
      return g_strdup_printf (_("%s rejected the credentials. Create new ones and reconnect."), name);

    case PORTICO_CONNECTOR_ERROR_FORBIDDEN:
      if (req->grant == GRANT_JWT_BEARER)
        return g_strdup_printf (_("%s has not allowed this service account to act for the domain with "
                                  "the scopes %s. Add its client ID with these scopes under Domain-wide "
                                  "delegation in the Admin console, then test again."),
                                name, account->scope ? account->scope : "");
      if (requirement != NULL && *requirement != '\0')
        return g_strdup_printf (_("%s refused access to %s. %s Give the credentials this permission, "
                                  "then test again."), name, label, requirement);
      if (help != NULL && *help != '\0')
        return g_strdup_printf (_("%s refused access to %s: the credentials lack a permission or scope. %s"),
                                name, label, help);
      return g_strdup_printf (_("%s refused access to %s: the credentials lack a permission or scope. "
                                "Give them the missing permission, then test again."), name, label);

    case PORTICO_CONNECTOR_ERROR_PLAN:
      if (requirement != NULL && *requirement != '\0')
        return g_strdup_printf (_("%s does not offer %s on this plan. %s Upgrade the plan, "
                                  "or connect without %s."), name, label, requirement, label);
      return g_strdup_printf (_("%s does not offer %s on this plan. Upgrade the plan, "
                                "or connect without %s."), name, label, label);

    case PORTICO_CONNECTOR_ERROR_NOT_FOUND:
      return g_strdup_printf (_("%s answered “not found” for %s. Check the subdomain, organization "
                                "or region you entered."), name, label);

    case PORTICO_CONNECTOR_ERROR_RATE_LIMITED:
      {
        g_autoptr(GError) limit = portico_limit_error_new (PORTICO_LIMIT_RETRIES, name, label, attempts);

        return g_strdup (limit->message);
      }

    case PORTICO_CONNECTOR_ERROR_SERVER:
      return g_strdup_printf (_("%s had a server error (HTTP %u) %u times in a row. Try again later; "
                                "if it persists, check %s’s status page."), name, status, attempts, name);

    case PORTICO_CONNECTOR_ERROR_BAD_RESPONSE:
      return g_strdup_printf (_("%s sent an answer for %s that Portico cannot read. If an API base URL "
                                "is set, check it; otherwise report the connector."), name, label);

    default:
      if (status >= 200 && status < 300)
        return g_strdup_printf (_("%s refused the request for %s. Check the values you entered "
                                  "and the connector’s requirements."), name, label);
      return g_strdup_printf (_("%s refused the request for %s (HTTP %u). Check the values you entered "
                                "and the connector’s requirements."), name, label, status);
    }
}

/* Maps an error answer: @status is the HTTP status, or the status a 200 body
 * reports (ok_path). Sets @retry when another attempt may help. */
static GError *
map_error_response (Account            *account,
                    Request            *req,
                    guint               status,
                    gboolean            ok_false,
                    SoupMessageHeaders *headers,
                    JsonNode           *json,
                    const char         *token,
                    gboolean           *retry,
                    char              **out_provider_code)
{
  JsonObject *errors = portico_connector_get_errors (account->connector);
  JsonObject *codes = portico_runtime_json_object_get_object_or_null (errors, "codes");
  JsonObject *rate_limit = portico_connector_get_rate_limit (account->connector);
  g_autofree char *provider_code = NULL;
  g_autofree char *provider_message = NULL;
  g_autofree char *sentence = NULL;
  gboolean mapped = FALSE;
  PorticoConnectorError code = PORTICO_CONNECTOR_ERROR_FAILED;

  if (req->is_token_request && json != NULL && JSON_NODE_HOLDS_OBJECT (json))
    {
      JsonObject *object = json_node_get_object (json);

      provider_code = g_strdup (portico_runtime_json_object_get_string_or (object, "error", NULL));
      provider_message = g_strdup (portico_runtime_json_object_get_string_or (object, "error_description", provider_code));
      /* A token endpoint with its own error shape (HubSpot) says it in
       * "message". */
      if (provider_message == NULL)
        provider_message = g_strdup (portico_runtime_json_object_get_string_or (object, "message", NULL));
    }
  else if (json != NULL && errors != NULL)
    {
      provider_code = portico_runtime_eval_expr_string (account, json_object_get_member (errors, "code"), json);
      provider_message = portico_runtime_eval_expr_string (account, json_object_get_member (errors, "message"), json);
    }
  if (provider_message == NULL && !req->is_token_request)
    provider_message = header_error_message (errors, headers);

  if (req->is_token_request && provider_code != NULL)
    {
      /* RFC 6749 5.2: a refresh token that expired or was revoked is
       * invalid_grant; only signing in again helps. */
      if (req->grant == GRANT_REFRESH_TOKEN && g_str_equal (provider_code, "invalid_grant"))
        {
          code = PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED;
          mapped = TRUE;
        }
      else if (req->grant == GRANT_JWT_BEARER && g_str_equal (provider_code, "unauthorized_client"))
        {
          code = PORTICO_CONNECTOR_ERROR_FORBIDDEN;
          mapped = TRUE;
        }
    }
  else if (req->is_token_request && req->grant == GRANT_REFRESH_TOKEN && status == 400)
    {
      /* A token endpoint with an error shape of its own names no RFC 6749
       * error (HubSpot answers {"category", "correlationId", "message"}); a
       * refresh it refuses with 400 Bad Request is a refresh token it no
       * longer takes, and signing in again is what helps. */
      code = PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED;
      mapped = TRUE;
    }

  if (provider_code != NULL && codes != NULL && !req->is_token_request)
    {
      const char *name = portico_runtime_json_object_get_string_or (codes, provider_code, NULL);

      for (guint i = 0; name != NULL && i < G_N_ELEMENTS (code_names); i++)
        if (g_str_equal (name, code_names[i].name))
          {
            code = code_names[i].code;
            mapped = TRUE;
          }
    }

  if (!mapped)
    {
      if (req->is_token_request && (status == 400 || status == 401))
        code = PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED;
      else if (!ok_false && status_in_list (rate_limit, status))
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (!ok_false && headers_say_rate_limited (rate_limit, status, headers))
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (status == 401)
        code = PORTICO_CONNECTOR_ERROR_NOT_AUTHORIZED;
      else if (status == 403)
        code = PORTICO_CONNECTOR_ERROR_FORBIDDEN;
      else if (status == 404)
        code = PORTICO_CONNECTOR_ERROR_NOT_FOUND;
      else if (status == 429)
        code = PORTICO_CONNECTOR_ERROR_RATE_LIMITED;
      else if (status >= 500 && status < 600)
        code = PORTICO_CONNECTOR_ERROR_SERVER;
      else
        code = PORTICO_CONNECTOR_ERROR_FAILED;
    }

  *retry = code == PORTICO_CONNECTOR_ERROR_RATE_LIMITED || code == PORTICO_CONNECTOR_ERROR_SERVER;
  *out_provider_code = g_strdup (provider_code);

  sentence = error_sentence (account, req, code, status);
  if (provider_message != NULL && *provider_message != '\0')
    {
      g_autofree char *clean = portico_runtime_account_redact (account, provider_message, token);

      if (g_utf8_strlen (clean, -1) > PROVIDER_MESSAGE_MAX)
        {
          char *end = g_utf8_offset_to_pointer (clean, PROVIDER_MESSAGE_MAX);
          *end = '\0';
        }
      g_debug ("%s answered %u (%s): %s", portico_runtime_account_name (account), status,
               provider_code ? provider_code : "no code", clean);
      return g_error_new (PORTICO_CONNECTOR_ERROR, code, _("%s (%s said: “%s”)"),
                          sentence, portico_runtime_account_name (account), clean);
    }

  g_debug ("%s answered %u (%s)", portico_runtime_account_name (account), status, provider_code ? provider_code : "no code");
  return g_error_new_literal (PORTICO_CONNECTOR_ERROR, code, sentence);
}

/* ------------------------------------------------------------------------ */
/* Sending one logical request: auth, queue, timeout, redirects, retries     */

typedef struct
{
  Account *account;
  Request *req;
  GUri *uri;              /* current, after redirects */
  char *method;           /* current */
  gboolean with_body;
  guint attempt;
  guint redirects;
  gboolean token_refreshed;
  char *token;
  SoupMessage *msg;
  char *host_key;
  gboolean queued;
  gulong queue_cancel_id;
  GCancellable *attempt_cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  gboolean timed_out;
  guint64 waited_ms;      /* all waits between attempts so far */
} SendOp;

static void
send_op_free (SendOp *op)
{
  g_assert (!op->queued);
  g_assert (op->timeout_source == NULL);
  g_clear_pointer (&op->account, portico_runtime_account_unref);
  g_clear_pointer (&op->req, portico_runtime_request_free);
  g_clear_pointer (&op->uri, g_uri_unref);
  g_free (op->method);
  portico_secret_free (op->token);
  g_clear_object (&op->msg);
  g_free (op->host_key);
  g_clear_object (&op->attempt_cancellable);
  g_free (op);
}

static void send_step (GTask *task);
static void send_queue (GTask *task);

static gboolean
send_op_credentials_allowed (SendOp *op)
{
  return portico_http_same_origin (op->uri, op->req->cred_origin);
}

void
portico_runtime_send_async (Account            *account,
                            Request            *req, /* transfer full */
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (account->runtime, cancellable, callback, user_data);
  SendOp *op = g_new0 (SendOp, 1);

  g_task_set_source_tag (task, portico_runtime_send_async);
  op->account = portico_runtime_account_ref (account);
  op->req = req;
  op->uri = g_uri_ref (req->uri);
  op->method = g_strdup (req->method);
  op->with_body = TRUE;
  g_task_set_task_data (task, op, (GDestroyNotify) send_op_free);

  send_step (task);
}

Response *
portico_runtime_send_finish (GAsyncResult *result,
                             GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_token_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  portico_secret_free (op->token);
  op->token = portico_runtime_token_get_finish (result, &error);
  if (op->token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  send_queue (task);
}

static void
send_step (GTask *task)
{
  SendOp *op = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (op->req->use_token && op->token == NULL && send_op_credentials_allowed (op))
    {
      portico_runtime_token_get_async (op->account, g_task_get_cancellable (task), send_token_cb, g_object_ref (task));
      return;
    }

  send_queue (task);
}

static void send_attempt (GTask *task);

static HostSlot *
runtime_host_slot (PorticoRuntime *self,
                   const char     *key)
{
  HostSlot *slot = g_hash_table_lookup (self->hosts, key);

  if (slot == NULL)
    {
      slot = g_new0 (HostSlot, 1);
      g_queue_init (&slot->waiting);
      g_hash_table_insert (self->hosts, g_strdup (key), slot);
    }
  return slot;
}

static gboolean
send_queued_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  PorticoRuntime *self = g_task_get_source_object (task);

  if (op->queued)
    {
      HostSlot *slot = runtime_host_slot (self, op->host_key);

      op->queued = FALSE;
      if (op->queue_cancel_id != 0)
        {
          g_cancellable_disconnect (g_task_get_cancellable (task), op->queue_cancel_id);
          op->queue_cancel_id = 0;
        }
      if (g_queue_remove (&slot->waiting, task))
        g_object_unref (task);
      g_task_return_error_if_cancelled (task);
    }
  return G_SOURCE_REMOVE;
}

static void
send_queued_cancelled_cb (GCancellable *cancellable,
                          gpointer      user_data)
{
  GTask *task = user_data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, send_queued_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
runtime_release_slot (PorticoRuntime *self,
                      const char     *key)
{
  HostSlot *slot = runtime_host_slot (self, key);

  g_assert (slot->active > 0);
  slot->active--;

  while (slot->active < MAX (self->max_per_host, 1) && !g_queue_is_empty (&slot->waiting))
    {
      g_autoptr(GTask) next = g_queue_pop_head (&slot->waiting);
      SendOp *op = g_task_get_task_data (next);

      op->queued = FALSE;
      if (op->queue_cancel_id != 0)
        {
          g_cancellable_disconnect (g_task_get_cancellable (next), op->queue_cancel_id);
          op->queue_cancel_id = 0;
        }
      if (g_task_return_error_if_cancelled (next))
        continue;
      slot->active++;
      send_attempt (next);
    }
}

static void
send_queue (GTask *task)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  HostSlot *slot;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_free (op->host_key);
  op->host_key = portico_http_origin_key (op->uri);
  slot = runtime_host_slot (self, op->host_key);

  if (slot->active < MAX (self->max_per_host, 1))
    {
      slot->active++;
      send_attempt (task);
      return;
    }

  op->queued = TRUE;
  g_queue_push_tail (&slot->waiting, g_object_ref (task));
  if (cancellable != NULL)
    op->queue_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (send_queued_cancelled_cb),
                                                 g_object_ref (task), g_object_unref);
}

static void
forward_cancel_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
send_timeout_cb (gpointer user_data)
{
  SendOp *op = user_data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static void
send_attempt_cleanup (GTask *task)
{
  SendOp *op = g_task_get_task_data (task);

  if (op->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), op->cancel_id);
      op->cancel_id = 0;
    }
  if (op->timeout_source != NULL)
    {
      g_source_destroy (op->timeout_source);
      g_clear_pointer (&op->timeout_source, g_source_unref);
    }
}

static void send_headers_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
send_attempt (GTask *task)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  gboolean credentials = send_op_credentials_allowed (op);
  SoupMessageHeaders *headers;
  GCancellable *cancellable = g_task_get_cancellable (task);

  op->attempt++;
  op->timed_out = FALSE;
  g_clear_object (&op->msg);
  op->msg = soup_message_new_from_uri (op->method, op->uri);
  soup_message_add_flags (op->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (op->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");

  for (guint i = 0; i < op->req->headers->len; i++)
    {
      RequestHeader *header = g_ptr_array_index (op->req->headers, i);
      if (!header->credential || credentials)
        soup_message_headers_replace (headers, header->name, header->value);
    }
  if (credentials)
    {
      for (guint i = 0; i < op->req->cred_headers->len; i++)
        {
          RequestHeader *header = g_ptr_array_index (op->req->cred_headers, i);
          soup_message_headers_replace (headers, header->name, header->value);
        }
      if (op->req->use_token && op->token != NULL)
        {
          g_autoptr(ScrubbedString) bearer = g_strconcat ("Bearer ", op->token, NULL);
          soup_message_headers_replace (headers, "Authorization", bearer);
        }
    }

  if (op->with_body)
    {
      const char *content_type = NULL;
      g_autoptr(GBytes) body = portico_runtime_request_build_body (op->req, credentials, &content_type);

      if (body != NULL)
        soup_message_set_request_body_from_bytes (op->msg, content_type, body);
    }

  g_debug ("%s %s%s (attempt %u)", op->method, g_uri_get_host (op->uri), g_uri_get_path (op->uri), op->attempt);

  g_clear_object (&op->attempt_cancellable);
  op->attempt_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    op->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                           g_object_ref (op->attempt_cancellable), g_object_unref);
  if (self->timeout > 0)
    {
      op->timeout_source = g_timeout_source_new ((guint) MIN ((guint64) self->timeout * 1000, G_MAXUINT));
      g_source_set_callback (op->timeout_source, send_timeout_cb, op, NULL);
      g_source_attach (op->timeout_source, g_task_get_context (task));
    }

  soup_session_send_async (self->session, op->msg, G_PRIORITY_DEFAULT,
                           op->attempt_cancellable, send_headers_cb, g_object_ref (task));
}

static void
send_retry_sleep_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!sleep_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  send_step (task);
}

/* Tries again after @hint_ms (capped), or after a jittered backoff;
 * FALSE (and nothing scheduled) when the waits of this request would add
 * up to more than PORTICO_LIMIT_RETRY_BUDGET_MS. */
static gboolean
send_retry_later (GTask   *task,
                  gboolean has_hint,
                  guint64  hint_ms)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  guint64 delay;

  if (has_hint)
    delay = MIN (hint_ms, (guint64) self->max_retry_delay_ms);
  else
    delay = portico_http_backoff_ms (op->attempt, self->retry_base_ms, self->max_retry_delay_ms);

  if (op->waited_ms + delay > PORTICO_LIMIT_RETRY_BUDGET_MS)
    return FALSE;
  op->waited_ms += delay;

  g_debug ("Retrying %s%s in %" G_GUINT64_FORMAT " ms", g_uri_get_host (op->uri), g_uri_get_path (op->uri), delay);
  sleep_async (delay, g_task_get_cancellable (task), send_retry_sleep_cb, g_object_ref (task));
  return TRUE;
}

/* An answer worth another attempt (rate limited, server error): tries
 * again within the limits, else fails with @mapped (owned). A provider
 * that asks for a longer wait than Portico makes (Retry-After of a day)
 * ends the request at once: the next sync tries again. */
static void
send_retry_or_fail (GTask              *task,
                    GError             *mapped,
                    SoupMessageHeaders *headers,
                    JsonNode           *json)
{
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  guint64 hint = 0;
  gboolean has_hint = response_retry_hint (op->account, headers, json, &hint);

  if (has_hint && hint > self->max_retry_delay_ms)
    {
      GError *error = portico_limit_error_new (PORTICO_LIMIT_RETRY_AFTER, portico_runtime_account_name (op->account),
                                               portico_runtime_data_type_label (op->req->data_type_id), hint);

      g_debug ("%s asks to wait %" G_GUINT64_FORMAT " ms: not waiting", g_uri_get_host (op->uri), hint);
      error->code = mapped->code;
      g_error_free (mapped);
      g_task_return_error (task, error);
      return;
    }

  if (op->attempt < self->max_attempts && send_retry_later (task, has_hint, hint))
    {
      g_error_free (mapped);
      return;
    }

  g_task_return_error (task, mapped);
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static void
send_follow_redirect (GTask      *task,
                      const char *location)
{
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GUri) target = NULL;
  guint status = soup_message_get_status (op->msg);
  const char *scheme;

  if (++op->redirects > MAX_REDIRECTS)
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s redirected the request too many times. Check the address "
                                 "(and the API base URL, if set)."), portico_runtime_account_name (op->account));
      return;
    }

  target = location ? g_uri_parse_relative (op->uri, location, PORTICO_HTTP_URI_FLAGS, NULL) : NULL;
  scheme = target ? g_uri_get_scheme (target) : NULL;
  if (target == NULL || g_uri_get_host (target) == NULL ||
      !(g_ascii_strcasecmp (scheme, "https") == 0 ||
        (g_ascii_strcasecmp (scheme, "http") == 0 && portico_http_host_is_loopback (g_uri_get_host (target)))))
    {
      g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("%s redirected the request to an address that is not secure or not valid. "
                                 "Check the address (and the API base URL, if set)."), portico_runtime_account_name (op->account));
      return;
    }

  if (status == 303 || ((status == 301 || status == 302) && g_str_equal (op->method, "POST")))
    {
      g_free (op->method);
      op->method = g_strdup ("GET");
      op->with_body = FALSE;
    }

  if (!portico_http_same_origin (target, op->req->cred_origin))
    g_debug ("Redirect to another origin (%s): credentials are not sent there", g_uri_get_host (target));

  g_uri_unref (op->uri);
  op->uri = g_steal_pointer (&target);
  send_step (task);
}

static void send_handle_response (GTask    *task,
                                  GBytes   *body,
                                  JsonNode *parsed,
                                  gboolean  parse_failed);

/* A body is only ever parsed after it passed the nesting pre-scan; its
 * text is made valid UTF-8 first (invalid sequences become U+FFFD), and the
 * repaired text replaces @body, since the store reads the same text. */
static void
parse_body_thread (GTask        *parse,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GBytes **body = task_data;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (*body, &size);

  if (size == 0)
    {
      g_task_return_pointer (parse, NULL, NULL);
      return;
    }

  if (!portico_json_prescan (data, size, PORTICO_LIMIT_JSON_DEPTH, &error))
    {
      g_task_return_error (parse, g_steal_pointer (&error));
      return;
    }

  if (!g_utf8_validate_len (data, size, NULL))
    {
      char *valid = g_utf8_make_valid (data, (gssize) size);

      g_debug ("A body holds invalid UTF-8: repaired");
      g_bytes_unref (*body);
      *body = g_bytes_new_take (valid, strlen (valid));
      data = g_bytes_get_data (*body, &size);
    }

  parser = json_parser_new_immutable ();
  if (json_parser_load_from_data (parser, data, (gssize) size, NULL) && json_parser_get_root (parser) != NULL)
    g_task_return_pointer (parse, json_node_ref (json_parser_get_root (parser)),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_new_error (parse, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "not JSON");
}

static void
body_slot_free (GBytes **body)
{
  g_clear_pointer (body, g_bytes_unref);
  g_free (body);
}

static void
send_parsed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GBytes *body = *(GBytes **) g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  json = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE))
    {
      /* Nested too deep: an error answer is read without its body, a
       * success is refused. */
      SendOp *op = g_task_get_task_data (task);
      guint status = soup_message_get_status (op->msg);

      g_debug ("%s: %s", g_uri_get_host (op->uri), error->message);
      if (status >= 200 && status < 300)
        {
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_NESTING, portico_runtime_account_name (op->account),
                                                              portico_runtime_data_type_label (op->req->data_type_id), 0));
          return;
        }
      g_clear_error (&error);
    }
  send_handle_response (g_steal_pointer (&task), body, json,
                        error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

/* The attempt is over: @body is the whole body (at most
 * PORTICO_LIMIT_BODY_BYTES), or NULL with @error. Takes ownership of @task. */
static void
send_sent (GTask  *owned_task,
           GBytes *body,
           GError *error)
{
  g_autoptr(GTask) task = owned_task;
  PorticoRuntime *self = g_task_get_source_object (task);
  SendOp *op = g_task_get_task_data (task);
  Account *account = op->account;
  SoupMessageHeaders *headers;
  guint status;

  send_attempt_cleanup (task);
  runtime_release_slot (self, op->host_key);

  if (body == NULL)
    {
      if (op->timed_out)
        {
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_ATTEMPT_TIME, portico_runtime_account_name (account),
                                                              portico_runtime_data_type_label (op->req->data_type_id),
                                                              self->timeout));
          return;
        }
      if (g_task_return_error_if_cancelled (task))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        {
          g_debug ("%s sent a body over the cap", g_uri_get_host (op->uri));
          g_task_return_error (task, portico_limit_error_new (PORTICO_LIMIT_BODY_SIZE, portico_runtime_account_name (account),
                                                              portico_runtime_data_type_label (op->req->data_type_id), 0));
          return;
        }
      if (portico_http_transport_error_is_transient (error) && op->attempt < self->max_attempts &&
          send_retry_later (task, FALSE, 0))
        {
          g_debug ("Connection to %s dropped: %s", g_uri_get_host (op->uri), error->message);
          return;
        }
      {
        GError *mapped = NULL;
        portico_http_set_transport_error (&mapped, error, portico_runtime_account_name (account), g_uri_get_host (op->uri));
        g_task_return_error (task, mapped);
      }
      return;
    }

  status = soup_message_get_status (op->msg);
  headers = soup_message_get_response_headers (op->msg);

  if (is_redirect (status))
    {
      send_follow_redirect (task, soup_message_headers_get_one (headers, "Location"));
      return;
    }

  if (status == 401 && op->req->use_token && op->token != NULL && !op->token_refreshed)
    {
      /* The cached token may have been revoked or expired early: fetch a
       * new one once. */
      op->token_refreshed = TRUE;
      portico_runtime_token_invalidate (account, op->token);
      g_clear_pointer (&op->token, portico_secret_free);
      send_step (task);
      return;
    }

  /* Pages are parsed in a worker thread, never on the caller's main loop:
   * a page of thousands of transactions would stall the window. */
  {
    GCancellable *cancellable = g_task_get_cancellable (task);
    g_autoptr(GTask) parse = g_task_new (NULL, cancellable, send_parsed_cb, g_steal_pointer (&task));

    GBytes **slot = g_new0 (GBytes *, 1);

    *slot = g_bytes_ref (body);
    g_task_set_task_data (parse, slot, (GDestroyNotify) body_slot_free);
    g_task_run_in_thread (parse, parse_body_thread);
  }
}

static void
send_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = portico_http_read_capped_finish (result, &error);
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);

  /* A connection closed before the announced length is a dropped
   * connection, not a short answer. */
  if (body != NULL &&
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      (goffset) g_bytes_get_size (body) < soup_message_headers_get_content_length (headers))
    {
      g_clear_pointer (&body, g_bytes_unref);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "The body ended early");
    }

  send_sent (task, body, error);
}

/* The headers are in: the body streams in under the cap, counted after
 * libsoup's decompression, so that neither a gzip bomb nor a huge plain
 * body is ever buffered past it. */
static void
send_headers_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  SendOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  SoupMessageHeaders *headers;

  if (stream == NULL)
    {
      send_sent (task, NULL, error);
      return;
    }

  headers = soup_message_get_response_headers (op->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > PORTICO_LIMIT_BODY_BYTES)
    {
      /* Announced too large (compressed, it only grows): not read at all. */
      g_autoptr(GError) too_large = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                                         "Content-Length over the cap");
      send_sent (task, NULL, too_large);
      return;
    }

  portico_http_read_capped_async (stream, PORTICO_LIMIT_BODY_BYTES, G_PRIORITY_DEFAULT,
                                  op->attempt_cancellable, send_read_cb, task);
}

static void
send_handle_response (GTask    *task,
                      GBytes   *body,
                      JsonNode *parsed,
                      gboolean  parse_failed)
{
  /* Takes the caller's reference, as the callbacks before it held it. */
  g_autoptr(GTask) owned = task;
  SendOp *op = g_task_get_task_data (task);
  Account *account = op->account;
  g_autoptr(JsonNode) json = parsed != NULL ? json_node_ref (parsed) : NULL;
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);
  guint status = soup_message_get_status (op->msg);

  if (status >= 200 && status < 300)
    {
      JsonObject *errors = portico_connector_get_errors (account->connector);
      JsonNode *ok_expr = errors ? json_object_get_member (errors, "ok_path") : NULL;
      g_autoptr(Response) response = NULL;

      if (parse_failed && op->req->accept_text)
        {
          /* The first step of a "then" request answers with plain text
           * (Expensify's export file name). */
        }
      else if (parse_failed)
        {
          g_debug ("%s sent a body that is not JSON (%s)", portico_runtime_account_name (account),
                   soup_message_headers_get_content_type (headers, NULL));
          portico_runtime_emit_exchange (account, op->req, op->method, op->uri, op->token, status, NULL);
          g_task_return_new_error (task, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                                   _("%s sent an answer that is not JSON. If an API base URL is set, "
                                     "check it; otherwise the service may be down, try again later."),
                                   portico_runtime_account_name (account));
          return;
        }

      if (errors != NULL && json != NULL && !op->req->is_token_request)
        {
          JsonNode *errors_expr = json_object_get_member (errors, "errors_path");
          gboolean failed = FALSE;
          guint reported = status;
          gboolean ok_false = FALSE;

          if (ok_expr != NULL)
            {
              g_autoptr(JsonNode) ok = portico_runtime_eval_expr (account, ok_expr, json);

              if (ok != NULL && JSON_NODE_HOLDS_VALUE (ok))
                {
                  GType type = json_node_get_value_type (ok);

                  if (type == G_TYPE_BOOLEAN && !json_node_get_boolean (ok))
                    {
                      failed = TRUE;
                      ok_false = TRUE;
                    }
                  else if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
                    {
                      /* A numeric status in the body (Expensify's responseCode). */
                      gint64 value = type == G_TYPE_INT64 ? json_node_get_int (ok) : portico_runtime_double_to_int64 (json_node_get_double (ok), 0);
                      if (value < 200 || value >= 300)
                        {
                          failed = TRUE;
                          reported = (guint) CLAMP (value, 0, 999);
                        }
                    }
                }
            }

          if (!failed && errors_expr != NULL)
            {
              /* GraphQL: a non-empty "errors" array in a 200 body. */
              g_autoptr(JsonNode) list = portico_runtime_eval_expr (account, errors_expr, json);

              if (list != NULL && JSON_NODE_HOLDS_ARRAY (list) &&
                  json_array_get_length (json_node_get_array (list)) > 0)
                {
                  failed = TRUE;
                  ok_false = TRUE;
                }
            }

          if (failed)
            {
              gboolean retry = FALSE;
              g_autofree char *provider_code = NULL;
              GError *mapped = map_error_response (account, op->req, reported, ok_false, headers,
                                                   json, op->token, &retry, &provider_code);

              portico_runtime_emit_exchange (account, op->req, op->method, op->uri, op->token,
                                             reported, provider_code);

              if (retry)
                send_retry_or_fail (task, mapped, headers, json);
              else
                g_task_return_error (task, mapped);
              return;
            }
        }

      portico_runtime_emit_exchange (account, op->req, op->method, op->uri, op->token, status, NULL);
      response = g_new0 (Response, 1);
      response->status = status;
      response->headers = soup_message_headers_ref (headers);
      response->body = g_bytes_ref (body);
      response->json = g_steal_pointer (&json);
      response->uri = g_uri_ref (op->uri);
      g_task_return_pointer (task, g_steal_pointer (&response), (GDestroyNotify) portico_runtime_response_free);
      return;
    }

  /* Format v2: a status the data type lists in "empty_statuses" is the
   * provider's way of saying there are no items (BambooHR's directory
   * answers 404 when it is empty). */
  for (guint i = 0; op->req->empty_statuses != NULL && i < json_array_get_length (op->req->empty_statuses); i++)
    if ((guint) json_array_get_int_element (op->req->empty_statuses, i) == status)
      {
        Response *response = g_new0 (Response, 1);

        portico_runtime_emit_exchange (account, op->req, op->method, op->uri, op->token, status, NULL);
        response->status = status;
        response->headers = soup_message_headers_ref (headers);
        response->body = g_bytes_new_static ("[]", 2);
        response->uri = g_uri_ref (op->uri);
        response->empty = TRUE;
        g_task_return_pointer (task, response, (GDestroyNotify) portico_runtime_response_free);
        return;
      }

  {
    gboolean retry = FALSE;
    g_autofree char *provider_code = NULL;
    GError *mapped = map_error_response (account, op->req, status, FALSE, headers, json, op->token,
                                         &retry, &provider_code);

    portico_runtime_emit_exchange (account, op->req, op->method, op->uri, op->token, status, provider_code);

    if (retry)
      send_retry_or_fail (task, mapped, headers, json);
    else
      g_task_return_error (task, mapped);
  }
}
