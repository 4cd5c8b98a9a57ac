/* portico-sandbox-vendor.c: documented provider behaviour the generic
 * sandbox cannot derive from a connector definition.
 *
 * Each rule cites the page it comes from. Where a page documents the shape
 * of an answer but not its exact words, the words are the sandbox's and say
 * so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-sandbox"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "portico-sandbox-vendor.h"

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
}

static const char *
body_string (JsonNode   *body,
             const char *name)
{
  JsonNode *member;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  member = json_object_get_member (json_node_get_object (body), name);
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static JsonObject *
body_object (JsonNode   *body,
             const char *name)
{
  JsonNode *member;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return NULL;
  member = json_object_get_member (json_node_get_object (body), name);
  return member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
}

/* The form fields of a form-encoded request (Expensify's template). */
static GHashTable *
request_form (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  const char *data;
  gsize len = 0;

  if (body == NULL)
    return g_hash_table_new (g_str_hash, g_str_equal);
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  text = g_strndup (data != NULL ? data : "", len);
  return soup_form_decode (text);
}

/* A copy that shares nothing with @node (json_node_copy shares objects
 * and arrays): the sandbox's records stay as they are. */
static JsonNode *
deep_copy (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return json_from_string (text, NULL);
}

/* ---- Refusals ------------------------------------------------------------ */

/* Slack, team.accessLogs (https://api.slack.com/methods/team.accessLogs):
 * "over_pagination_limit: It is not possible to request more than 1000
 * items per page or more than 100 pages." Older logs are read with
 * "before", not with page 101. */
static gboolean
slack_refuse (const char        *data_type,
              SoupServerMessage *msg,
              GHashTable        *query)
{
  const char *page = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
  const char *count = query != NULL ? g_hash_table_lookup (query, "count") : NULL;

  if (g_strcmp0 (data_type, "usage") != 0)
    return FALSE;
  if ((page != NULL && g_ascii_strtoull (page, NULL, 10) > 100) ||
      (count != NULL && g_ascii_strtoull (count, NULL, 10) > 1000))
    {
      reply_json (msg, SOUP_STATUS_OK, "{\"ok\":false,\"error\":\"over_pagination_limit\"}");
      return TRUE;
    }
  return FALSE;
}

/* Expensify, Report Exporter
 * (https://integrations.expensify.com/Integration-Server/doc/#report-exporter):
 * inputSettings.filters needs startDate, approvedAfter or reportIDList, and
 * the template iterates the variable "reports"
 * (https://integrations.expensify.com/Integration-Server/doc/export_report_template.html).
 * Errors come as {"responseCode": N, "responseMessage": "..."}; the codes
 * and words below are the sandbox's. */
static gboolean
expensify_refuse (SoupServerMessage *msg,
                  JsonNode          *body)
{
  JsonObject *settings = body_object (body, "inputSettings");
  JsonObject *filters = settings != NULL && json_object_has_member (settings, "filters") &&
                        JSON_NODE_HOLDS_OBJECT (json_object_get_member (settings, "filters"))
                        ? json_object_get_object_member (settings, "filters") : NULL;
  g_autoptr(GHashTable) form = NULL;
  const char *template_text;

  if (g_strcmp0 (body_string (body, "type"), "file") != 0 || settings == NULL)
    return FALSE;

  if (filters == NULL ||
      !(json_object_has_member (filters, "startDate") || json_object_has_member (filters, "approvedAfter") ||
        json_object_has_member (filters, "reportIDList")))
    {
      reply_json (msg, SOUP_STATUS_OK,
                  "{\"responseCode\":410,\"responseMessage\":\"Missing filter: give startDate, "
                  "approvedAfter or reportIDList.\"}");
      return TRUE;
    }

  form = request_form (msg);
  template_text = g_hash_table_lookup (form, "template");
  if (template_text != NULL && strstr (template_text, "<#list reports as ") == NULL)
    {
      reply_json (msg, SOUP_STATUS_OK,
                  "{\"responseCode\":500,\"responseMessage\":\"Template error: the report list "
                  "is the variable reports.\"}");
      return TRUE;
    }
  return FALSE;
}

/* A SCIM error (RFC 7644 section 3.12) with the HTTP status as text. */
static void
reply_scim_error (SoupServerMessage *msg,
                  guint              status,
                  const char        *scim_type,
                  const char        *detail)
{
  g_autofree char *text = g_strdup_printf ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],"
                                           "\"status\":\"%u\",\"scimType\":\"%s\",\"detail\":\"%s\"}",
                                           status, scim_type, detail);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/scim+json", SOUP_MEMORY_COPY, text, strlen (text));
}

/* Whether a "count" query parameter asks for more than @max. */
static gboolean
count_above (GHashTable *query,
             guint64     max)
{
  const char *count = query != NULL ? g_hash_table_lookup (query, "count") : NULL;

  return count != NULL && g_ascii_strtoull (count, NULL, 10) > max;
}

/* AWS IAM Identity Center, ListUsers / ListGroups
 * (https://docs.aws.amazon.com/singlesignon/latest/developerguide/listusers.html):
 * "count ... Valid Range: Minimum value of 1. Maximum value of 100"; a
 * request that breaks the schema is a ValidationException, HTTP 400. The
 * words of the detail are the sandbox's. */
static gboolean
aws_identity_center_refuse (SoupServerMessage *msg,
                            GHashTable        *query)
{
  if (!count_above (query, 100))
    return FALSE;
  reply_scim_error (msg, SOUP_STATUS_BAD_REQUEST, "invalidValue",
                    "ValidationException: count must be between 1 and 100.");
  return TRUE;
}

/* Canva, List users (https://www.canva.dev/docs/scim/list-users/): count
 * "Must be between 1 and 10". The words of the detail are the sandbox's. */
static gboolean
canva_refuse (SoupServerMessage *msg,
              GHashTable        *query)
{
  if (!count_above (query, 10))
    return FALSE;
  reply_scim_error (msg, SOUP_STATUS_BAD_REQUEST, "invalidValue", "count must be between 1 and 10.");
  return TRUE;
}

/* Navan's API reference (https://app.navan.com/api/public-api.yml, the
 * public API that docs.navan.com/api describes): users are listed at
 * GET /v1/users with page numbers counted from 0 ("page") and a page size
 * ("size"), in {"data": [...], "page": {"totalPages": N, ...}}; expense
 * transactions at GET /v1/expense/transactions with a cursor and
 * "page_size", for a date_modified.from/date_modified.to window of at most
 * 93 days. Other paths are not Navan's. The words of the errors are the
 * sandbox's. */
static gboolean
navan_refuse (SoupServerMessage *msg,
              GHashTable        *query)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *from = query != NULL ? g_hash_table_lookup (query, "date_modified.from") : NULL;
  const char *to = query != NULL ? g_hash_table_lookup (query, "date_modified.to") : NULL;

  if (g_strcmp0 (path, "/v1/users") == 0)
    {
      if (query == NULL || g_hash_table_contains (query, "cursor") || g_hash_table_contains (query, "page_size") ||
          !g_hash_table_contains (query, "size"))
        {
          reply_json (msg, SOUP_STATUS_BAD_REQUEST,
                      "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"Users are paged with page and size.\"}}");
          return TRUE;
        }
      return FALSE;
    }
  if (g_strcmp0 (path, "/v1/expense/transactions") == 0)
    {
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;
      g_autofree char *start_text = from != NULL ? g_strconcat (from, "T00:00:00Z", NULL) : NULL;
      g_autofree char *end_text = to != NULL ? g_strconcat (to, "T00:00:00Z", NULL) : NULL;

      start = start_text != NULL ? g_date_time_new_from_iso8601 (start_text, NULL) : NULL;
      end = end_text != NULL ? g_date_time_new_from_iso8601 (end_text, NULL) : NULL;
      if (start == NULL || end == NULL || g_date_time_difference (end, start) < 0 ||
          g_date_time_difference (end, start) > 93 * G_TIME_SPAN_DAY)
        {
          reply_json (msg, SOUP_STATUS_BAD_REQUEST,
                      "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"Give date_modified.from and "
                      "date_modified.to (YYYY-MM-DD), at most 93 days apart.\"}}");
          return TRUE;
        }
      return FALSE;
    }
  reply_json (msg, SOUP_STATUS_NOT_FOUND,
              "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"No such endpoint.\"}}");
  return TRUE;
}

/* LastPass Enterprise API, Get user data
 * (https://support.lastpass.com/s/document-item?language=en_US&bundleId=lastpass&topicId=LastPass/api_get_user_data.html&_LANG=enus,
 * and its sibling pages such as
 * https://support.lastpass.com/help/enable-users-via-lastpass-api): every
 * call is a POST to /enterpriseapi.php whose JSON body names the command in
 * "cmd"; a failed call is answered with HTTP 200 and "status": "FAIL" next
 * to the error's description. The words of the error are the sandbox's. */
static gboolean
lastpass_refuse (SoupServerMessage *msg,
                 JsonNode          *body)
{
  if (g_strcmp0 (body_string (body, "cmd"), "getuserdata") == 0)
    return FALSE;
  reply_json (msg, SOUP_STATUS_OK, "{\"status\":\"FAIL\",\"error\":\"Unknown or missing cmd.\"}");
  return TRUE;
}

/* Personio, Public API v2 (https://developer.personio.de/reference/get_v2-persons,
 * and the common components of Personio's own OpenAPI files,
 * https://github.com/personio/api-docs/blob/master/common-components-v2.json):
 * an error is {"personio_trace_id", "timestamp", "errors": [{"title",
 * "detail", "type"}]}, "type" a link to the error's documentation. The
 * examples there are 404 (common.requested_resource_not_found), 500, 502,
 * 503 and 504; the titles and details of the others are the sandbox's. */
static void
personio_error (SoupServerMessage *msg,
                guint              status,
                const char        *title,
                const char        *detail,
                const char        *type)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *trace = g_uuid_string_random ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S+00:00");
  g_autofree char *link = g_strconcat ("https://developer.personio.de/reference/errors#", type, NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "personio_trace_id");
  json_builder_add_string_value (builder, trace);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, when);
  json_builder_set_member_name (builder, "errors");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, link);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_COPY, text, strlen (text));
}

/* Personio, List persons (the page cited at personio_error): "status"
 * filters by "ACTIVE" (latest employment status active, leave or
 * onboarding) or "INACTIVE"; "limit" ranges between 1 and 50. Another
 * status word is refused as a bad request, in the words of the sandbox. */
static gboolean
personio_refuse (SoupServerMessage *msg,
                 GHashTable        *query)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;

  if (status == NULL || g_str_equal (status, "ACTIVE") || g_str_equal (status, "INACTIVE"))
    return FALSE;
  personio_error (msg, SOUP_STATUS_BAD_REQUEST, "Bad request",
                  "The status filter accepts ACTIVE or INACTIVE.", "common.bad_request");
  return TRUE;
}

gboolean
portico_sandbox_vendor_refuse (const char        *connector_id,
                               const char        *data_type,
                               SoupServerMessage *msg,
                               GHashTable        *query,
                               JsonNode          *body)
{
  if (g_strcmp0 (connector_id, "slack") == 0)
    return slack_refuse (data_type, msg, query);
  if (g_strcmp0 (connector_id, "expensify") == 0)
    return expensify_refuse (msg, body);
  if (g_strcmp0 (connector_id, "aws-iam-identity-center") == 0)
    return aws_identity_center_refuse (msg, query);
  if (g_strcmp0 (connector_id, "canva") == 0)
    return canva_refuse (msg, query);
  if (g_strcmp0 (connector_id, "navan") == 0)
    return navan_refuse (msg, query);
  if (g_strcmp0 (connector_id, "lastpass") == 0)
    return lastpass_refuse (msg, body);
  if (g_strcmp0 (connector_id, "personio") == 0)
    return personio_refuse (msg, query);
  return FALSE;
}

/* ---- Error answers ------------------------------------------------------- */

gboolean
portico_sandbox_vendor_error (const char        *connector_id,
                              SoupServerMessage *msg,
                              const char        *kind,
                              const char        *message)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (g_strcmp0 (connector_id, "personio") == 0)
    {
      if (g_strcmp0 (kind, "not_found") == 0)
        personio_error (msg, SOUP_STATUS_NOT_FOUND, "Resource not found",
                        "The requested resource was not found. The resource could have been deleted or never "
                        "existed in our system.", "common.requested_resource_not_found");
      else if (g_strcmp0 (kind, "not_authorized") == 0)
        personio_error (msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized", message, "common.unauthorized");
      else if (g_strcmp0 (kind, "plan") == 0 || g_strcmp0 (kind, "forbidden") == 0)
        personio_error (msg, SOUP_STATUS_FORBIDDEN, "Forbidden", message, "common.forbidden");
      else if (g_strcmp0 (kind, "rate_limited") == 0)
        personio_error (msg, 429, "Too many requests", message, "common.too_many_requests");
      else if (g_strcmp0 (kind, "bad_request") == 0)
        personio_error (msg, SOUP_STATUS_BAD_REQUEST, "Bad request", message, "common.bad_request");
      else
        personio_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "Internal Server Error",
                        "There was a problem while processing this request. Please try again later.",
                        "common.internal_server_error");
      return TRUE;
    }

  /* LastPass (the pages cited at lastpass_refuse): a refused call is HTTP
   * 200 with "status": "FAIL" and "error", the description of the error.
   * Rate limits and server failures keep their HTTP status. */
  if (g_strcmp0 (connector_id, "lastpass") != 0 ||
      g_strcmp0 (kind, "rate_limited") == 0 || g_strcmp0 (kind, "server") == 0)
    return FALSE;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "FAIL");
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  reply_json (msg, SOUP_STATUS_OK, text);
  return TRUE;
}

/* HubSpot, OAuth tokens (2026-03), Refresh an access token
 * (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token):
 * the token endpoint's error answer is HubSpot's own error object, with
 * "category" ("The error category"), "correlationId" ("A unique identifier
 * for the request") and "message" ("A human readable message describing
 * the error") required, and "context", "errors", "links" and
 * "subCategory" optional; it has no RFC 6749 "error" member. The example
 * category is VALIDATION_ERROR; the words of the message are the
 * sandbox's. */
gboolean
portico_sandbox_vendor_token_error (const char        *connector_id,
                                    SoupServerMessage *msg,
                                    guint              status,
                                    const char        *description)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *correlation = NULL;

  if (g_strcmp0 (connector_id, "hubspot") != 0)
    return FALSE;
  correlation = g_uuid_string_random ();
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "correlationId");
  json_builder_add_string_value (builder, correlation);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, "VALIDATION_ERROR");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  reply_json (msg, status, text);
  return TRUE;
}

/* ---- Which items are served -------------------------------------------- */

JsonNode *
portico_sandbox_item_parse (JsonNode *item)
{
  if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
    return json_from_string (json_node_get_string (item), NULL);
  return json_node_copy (item);
}

static const char *
skip_space (const char *s)
{
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  return s;
}

/* Past the JSON string that starts at the quote @s. */
static const char *
skip_string (const char *s)
{
  for (s++; *s != '\0' && *s != '"'; s++)
    if (*s == '\\' && s[1] != '\0')
      s++;
  return *s == '"' ? s + 1 : s;
}

/* Past the JSON value that starts at @s. */
static const char *
skip_value (const char *s)
{
  guint depth = 0;

  while (*s != '\0')
    {
      if (*s == '"')
        {
          s = skip_string (s);
          if (depth == 0)
            return s;
          continue;
        }
      if (*s == '{' || *s == '[')
        depth++;
      else if (*s == '}' || *s == ']')
        {
          if (depth == 0)
            return s;
          if (--depth == 0)
            return s + 1;
        }
      else if (depth == 0 && *s == ',')
        return s;
      s++;
    }
  return s;
}

char *
portico_sandbox_item_dup_string (JsonNode   *item,
                                 const char *member)
{
  const char *s;
  gsize len = strlen (member);

  if (JSON_NODE_HOLDS_OBJECT (item))
    {
      JsonNode *value = json_object_get_member (json_node_get_object (item), member);

      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return NULL;
      return g_strdup (json_node_get_string (value));
    }
  if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
    return NULL;

  /* The top-level members of the text, in order; a key or a value with an
   * escape is read by the parser instead. */
  s = skip_space (json_node_get_string (item));
  if (*s != '{')
    return NULL;
  s = skip_space (s + 1);
  while (*s == '"')
    {
      const char *key = s + 1;
      const char *end = skip_string (s);
      gboolean wanted = (gsize) (end - 1 - key) == len && strncmp (key, member, len) == 0;

      if (memchr (key, '\\', end - key) != NULL)
        break;
      s = skip_space (end);
      if (*s != ':')
        return NULL;
      s = skip_space (s + 1);
      if (wanted)
        {
          const char *value_end;

          if (*s != '"')
            return NULL;
          value_end = skip_string (s);
          if (value_end[-1] != '"' || value_end == s + 1 || memchr (s + 1, '\\', value_end - s - 1) != NULL)
            break;
          return g_strndup (s + 1, value_end - s - 2);
        }
      s = skip_space (skip_value (s));
      if (*s != ',')
        return NULL;
      s = skip_space (s + 1);
    }
  if (*s == '}')
    return NULL;
  {
    g_autoptr(JsonNode) parsed = portico_sandbox_item_parse (item);

    return parsed != NULL && JSON_NODE_HOLDS_OBJECT (parsed)
           ? portico_sandbox_item_dup_string (parsed, member) : NULL;
  }
}

static const char *
item_string (JsonObject *item,
             const char *name)
{
  JsonNode *member = json_object_get_member (item, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

/* Okta, List all users (https://developer.okta.com/docs/reference/user-query):
 * without search or filter the list "returns all users that don't have a
 * DEPROVISIONED status". A search of status terms joined by "or" returns
 * the users in those statuses; another search the sandbox does not read is
 * answered as Okta answers an invalid one (E0000031, 400). NULL: invalid. */
static JsonArray *
okta_users (GHashTable *query,
            JsonArray  *items)
{
  const char *search = query != NULL ? g_hash_table_lookup (query, "search") : NULL;
  const char *filter = query != NULL ? g_hash_table_lookup (query, "filter") : NULL;
  const char *expr = search != NULL ? search : filter;
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  JsonArray *out;
  /* The last answer, kept for the next pages of the same list: a provider
   * of 100,000 users is asked the same search once per page of 200. Only
   * a later page (one with Okta's after= cursor) is answered from it; the
   * first page of a listing filters again, so a user changed, added or
   * removed since (an action, a test's edit) shows in the next listing.
   * The cache holds a reference on the items, so their address is not
   * reused. The sandbox serves from one thread; the lock is for a program
   * that runs several sandboxes. */
  static GMutex cache_lock;
  static JsonArray *cached_items, *cached_out;
  static char *cached_expr;
  gboolean later_page = query != NULL && g_hash_table_contains (query, "after");
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  if (later_page && cached_items == items && cached_out != NULL && g_strcmp0 (cached_expr, expr) == 0)
    return json_array_ref (cached_out);
  out = json_array_new ();

  if (expr != NULL)
    {
      g_auto(GStrv) terms = g_strsplit (expr, " or ", -1);

      for (guint i = 0; terms[i] != NULL; i++)
        {
          g_autofree char *term = g_strstrip (g_strdup (terms[i]));
          gsize len = strlen (term);

          if (!g_str_has_prefix (term, "status eq \"") || len < 13 || term[len - 1] != '"')
            {
              json_array_unref (out);
              return NULL;
            }
          g_ptr_array_add (statuses, g_strndup (term + 11, len - 12));
        }
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      /* An item may be kept as its text (portico_sandbox_item_parse). */
      g_autofree char *status = portico_sandbox_item_dup_string (json_array_get_element (items, i), "status");

      /* The page served copies its own items: the filter shares the
       * nodes, so a request costs no copy of every user (100,000 in the
       * end-to-end benchmark). */
      if (expr == NULL ? g_strcmp0 (status, "DEPROVISIONED") != 0
                       : status != NULL && g_ptr_array_find_with_equal_func (statuses, status, g_str_equal, NULL))
        json_array_add_element (out, json_node_ref (json_array_get_element (items, i)));
    }
  g_clear_pointer (&cached_items, json_array_unref);
  g_clear_pointer (&cached_out, json_array_unref);
  g_free (cached_expr);
  cached_items = json_array_ref (items);
  cached_out = json_array_ref (out);
  cached_expr = g_strdup (expr);
  return out;
}

/* Zoom, List users (https://developers.zoom.us/docs/api/users/#tag/users/GET/users):
 * "status: active, inactive or pending; defaults to active". Each status is
 * its own list. */
static JsonArray *
zoom_users (GHashTable *query,
            JsonArray  *items)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;
  JsonArray *out = json_array_new ();

  if (status == NULL)
    status = "active";
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *user = json_array_get_object_element (items, i);
      const char *user_status = item_string (user, "status");

      if (g_strcmp0 (user_status != NULL ? user_status : "active", status) == 0)
        json_array_add_element (out, json_node_copy (json_array_get_element (items, i)));
    }
  return out;
}

/* Personio, List persons (the page cited at personio_error): with
 * "status" only the persons of that status; without it every person. The
 * generic sandbox renders each person's status where the definition's map
 * reads it (the "@item" member, which the runtime gives the items of a
 * request per item); Personio's answer does not name it. */
static JsonArray *
personio_persons (GHashTable *query,
                  JsonArray  *items)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *person = json_array_get_object_element (items, i);
      const char *person_status = item_string (person, "@item");
      JsonNode *node;

      if (status != NULL && g_strcmp0 (person_status != NULL ? person_status : "ACTIVE", status) != 0)
        continue;
      node = deep_copy (json_array_get_element (items, i));
      json_object_remove_member (json_node_get_object (node), "@item");
      json_array_add_element (out, node);
    }
  return out;
}

/* HiBob, Fields and lists metadata (https://apidocs.hibob.com/docs/fields-metadata):
 * a list field (work.title, work.department, work.site) holds "the list
 * item's string ID rather than its value" unless humanReadable asks for
 * the names: "REPLACE" gives names instead, "APPEND" adds them under
 * "humanReadable". */
static const char * const hibob_list_fields[] = { "title", "department", "site" };

static char *
hibob_item_id (const char *name)
{
  return g_strdup_printf ("%u", 100000000u + g_str_hash (name) % 800000000u);
}

static JsonArray *
hibob_people (JsonNode  *body,
              JsonArray *items)
{
  const char *mode = body_string (body, "humanReadable");
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *copy = deep_copy (json_array_get_element (items, i));
      JsonObject *person = JSON_NODE_HOLDS_OBJECT (copy) ? json_node_get_object (copy) : NULL;
      JsonNode *work_node = person != NULL ? json_object_get_member (person, "work") : NULL;
      JsonObject *work = work_node != NULL && JSON_NODE_HOLDS_OBJECT (work_node)
                         ? json_node_get_object (work_node) : NULL;

      if (work != NULL && g_strcmp0 (mode, "REPLACE") != 0)
        {
          JsonObject *readable = json_object_new ();

          for (guint k = 0; k < G_N_ELEMENTS (hibob_list_fields); k++)
            {
              const char *name = item_string (work, hibob_list_fields[k]);

              if (name == NULL)
                continue;
              json_object_set_string_member (readable, hibob_list_fields[k], name);
              {
                g_autofree char *id = hibob_item_id (name);

                json_object_set_string_member (work, hibob_list_fields[k], id);
              }
            }
          if (g_strcmp0 (mode, "APPEND") == 0)
            {
              JsonObject *wrapper = json_object_new ();

              json_object_set_object_member (wrapper, "work", readable);
              json_object_set_object_member (person, "humanReadable", wrapper);
            }
          else
            json_object_unref (readable);
        }
      json_array_add_element (out, copy);
    }
  return out;
}

/* AWS IAM Identity Center, ListUsers / ListGroups
 * (https://docs.aws.amazon.com/singlesignon/latest/developerguide/listusers.html):
 * "Pagination requests must include cursor in the query parameters ... The
 * first request made with cursor must be empty"; without it the answer is
 * one page, not paginated, of at most 100 (count) results. startIndex is
 * not supported. */
static JsonArray *
aws_identity_center_list (GHashTable *query,
                          JsonArray  *items)
{
  const char *count = query != NULL ? g_hash_table_lookup (query, "count") : NULL;
  guint max = count != NULL ? (guint) CLAMP (g_ascii_strtoull (count, NULL, 10), 1, 100) : 100;
  JsonArray *out;

  if (query != NULL && g_hash_table_contains (query, "cursor"))
    return json_array_ref (items);
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (items) && i < max; i++)
    json_array_add_element (out, json_node_copy (json_array_get_element (items, i)));
  return out;
}

/* Zendesk Sell, Responses
 * (https://developer.zendesk.com/api-reference/sales-crm/responses/): a
 * collection's "items" each wrap the resource in "data", next to its
 * "meta" ({"type": "user"}). */
static JsonArray *
zendesk_sell_items (JsonArray *items)
{
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      JsonNode *data = o != NULL ? json_object_get_member (o, "data") : NULL;
      JsonObject *wrapper;
      JsonObject *meta;

      if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        {
          json_array_add_element (out, json_node_copy (item));
          continue;
        }
      wrapper = json_object_new ();
      meta = json_object_new ();
      json_object_set_member (wrapper, "data", json_node_copy (item));
      json_object_set_string_member (meta, "type", "user");
      json_object_set_object_member (wrapper, "meta", meta);
      json_array_add_object_element (out, wrapper);
    }
  return out;
}

/* ServiceNow, Table API - GET /now/table/{tableName}
 * (https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html):
 * sysparm_display_value "true returns display values for all fields, false
 * returns actual values from the database (the default), all returns both"
 * (each field then an object with display_value and value). */
static JsonArray *
servicenow_records (GHashTable *query,
                    JsonArray  *items)
{
  const char *mode = query != NULL ? g_hash_table_lookup (query, "sysparm_display_value") : NULL;
  JsonArray *out = json_array_new ();

  if (g_strcmp0 (mode, "all") == 0)
    {
      json_array_unref (out);
      return json_array_ref (items);
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *copy = deep_copy (json_array_get_element (items, i));
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (copy) ? json_node_get_object (copy) : NULL;
      g_autoptr(GList) names = record != NULL ? json_object_get_members (record) : NULL;

      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *field = json_object_get_member (record, l->data);
          JsonObject *both = JSON_NODE_HOLDS_OBJECT (field) ? json_node_get_object (field) : NULL;
          JsonNode *one;

          if (both == NULL || !(json_object_has_member (both, "value") || json_object_has_member (both, "display_value")))
            continue;
          one = json_object_get_member (both, g_strcmp0 (mode, "true") == 0 ? "display_value" : "value");
          json_object_set_member (record, l->data,
                                  one != NULL ? json_node_copy (one) : json_node_new (JSON_NODE_NULL));
        }
      json_array_add_element (out, copy);
    }
  return out;
}

/* Airtable, List users (https://airtable.com/developers/web/api/list-scim-users):
 * the user's email is the SCIM userName; the list's users carry no
 * "emails". */
static JsonArray *
airtable_users (JsonArray *items)
{
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *copy = deep_copy (json_array_get_element (items, i));

      if (JSON_NODE_HOLDS_OBJECT (copy))
        json_object_remove_member (json_node_get_object (copy), "emails");
      json_array_add_element (out, copy);
    }
  return out;
}

/* The id in a request path after @marker ("/apps/"), up to the next '/'
 * (the app of an app-users request), unescaped; NULL when absent. */
static char *
path_segment_after (SoupServerMessage *msg,
                    const char        *marker)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *at = g_strrstr (path, marker);
  const char *end = at != NULL ? strchr (at + strlen (marker), '/') : NULL;

  return end != NULL ? g_uri_unescape_segment (at + strlen (marker), end, NULL) : NULL;
}

/* Okta, List all assigned users for an app
 * (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationUsers/):
 * GET /api/v1/apps/{appId}/users lists the Application Users of that one
 * app, in pages of "limit" ("Specifies the number of results per page
 * (maximum 500)", default 50: Okta's own Apps API reference, "List users
 * assigned to application", in okta/okta-developer-docs
 * packages/@okta/vuepress-site/docs/reference/api/apps/index.md until
 * that page moved to the OpenAPI reference in October 2025) with the next
 * page in the Link header, each with the user's own
 * id, "scope" USER and "_links" to the app and the user; a path without
 * an app id is E0000007 with status 404. The generic sandbox renders every app's
 * assignments, each with its app id where the definition's map reads it
 * (the "@item" member, which the runtime gives the items of a request per
 * item, connectors/README.md); Okta's answer names the app in its links
 * instead. */
static JsonArray *
okta_app_users (SoupServerMessage *msg,
                JsonArray         *items)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  const char *apps = g_strrstr (path, "/apps/");
  g_autofree char *app_id = NULL;
  g_autofree char *api = NULL;
  const char *end;
  JsonArray *out = json_array_new ();

  if (apps == NULL || (end = strchr (apps + 6, '/')) == NULL)
    {
      json_array_unref (out);
      reply_json (msg, SOUP_STATUS_NOT_FOUND,
                  "{\"errorCode\":\"E0000007\",\"errorSummary\":\"Not found: Resource not found\","
                  "\"errorLink\":\"E0000007\",\"errorId\":\"sandbox\",\"errorCauses\":[]}");
      return NULL;
    }
  app_id = g_uri_unescape_segment (apps + 6, end, NULL);
  api = g_strdup_printf ("%s://%s:%d%.*s", g_uri_get_scheme (uri), g_uri_get_host (uri),
                         g_uri_get_port (uri), (int) (apps - path), path);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      /* An item may be kept as its text (portico_sandbox_item_parse). */
      g_autofree char *app = portico_sandbox_item_dup_string (json_array_get_element (items, i), "@item");
      JsonNode *node;
      JsonObject *copy;
      JsonObject *links;
      JsonObject *link;
      g_autofree char *href = NULL;

      if (g_strcmp0 (app, app_id) != 0)
        continue;
      /* A copy that shares nothing with the sandbox's own item. */
      node = JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, i))
             ? deep_copy (json_array_get_element (items, i))
             : portico_sandbox_item_parse (json_array_get_element (items, i));
      copy = json_node_get_object (node);
      json_object_remove_member (copy, "@item");
      json_object_set_string_member (copy, "scope", "USER");
      json_object_set_string_member (copy, "status", "ACTIVE");
      links = json_object_new ();
      link = json_object_new ();
      href = g_strdup_printf ("%s/apps/%s", api, app_id);
      json_object_set_string_member (link, "href", href);
      json_object_set_object_member (links, "app", link);
      link = json_object_new ();
      g_free (href);
      href = g_strdup_printf ("%s/users/%s", api, item_string (copy, "id") != NULL ? item_string (copy, "id") : "");
      json_object_set_string_member (link, "href", href);
      json_object_set_object_member (links, "user", link);
      json_object_set_object_member (copy, "_links", links);
      json_array_add_element (out, node);
    }
  return out;
}

/* JumpCloud, List the Users bound to an Application (v2 graph traversal,
 * https://docs.jumpcloud.com/api/2.0/index.html#tag/Graph/operation/graph_applicationTraverseUser):
 * the answer is an array of graph objects, each with the user's "id",
 * "type" ("user"), "compiledAttributes" and "paths" (every path from the
 * application to the user; a direct binding is one step). No email, no
 * name: the id is the system user's _id. */
static JsonArray *
jumpcloud_graph_users (SoupServerMessage *msg,
                       JsonArray         *items)
{
  g_autofree char *app_id = path_segment_after (msg, "/applications/");
  JsonArray *out;

  if (app_id == NULL)
    {
      /* The sandbox's words; the page documents a 404 without a body. */
      reply_json (msg, SOUP_STATUS_NOT_FOUND, "{\"message\":\"Not Found\"}");
      return NULL;
    }
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *user = item_string (item, "id");
      JsonObject *obj = json_object_new ();
      JsonObject *to = json_object_new ();
      JsonObject *step = json_object_new ();
      JsonArray *steps = json_array_new ();
      JsonArray *paths = json_array_new ();

      if (g_strcmp0 (item_string (item, "@item"), app_id) != 0)
        {
          json_object_unref (obj);
          json_object_unref (to);
          json_object_unref (step);
          json_array_unref (steps);
          json_array_unref (paths);
          continue;
        }
      json_object_set_string_member (obj, "id", user != NULL ? user : "");
      json_object_set_string_member (obj, "type", "user");
      json_object_set_object_member (obj, "compiledAttributes", json_object_new ());
      json_object_set_string_member (to, "id", user != NULL ? user : "");
      json_object_set_string_member (to, "type", "user");
      json_object_set_null_member (to, "attributes");
      json_object_set_object_member (step, "to", to);
      json_object_set_null_member (step, "attributes");
      json_array_add_object_element (steps, step);
      json_array_add_array_element (paths, steps);
      json_object_set_array_member (obj, "paths", paths);
      json_array_add_object_element (out, obj);
    }
  return out;
}

/* OneLogin, List App Users (https://developers.onelogin.com/api-docs/2/apps/list-users):
 * the users assigned to the app, a bare array of {"id" (the user's
 * number), "email", "username", "firstname", "lastname"}, paged with page
 * and limit ("Max page limit is 1000"). The sandbox knows an assigned
 * person's email; it is the username too, and the names are not known. */
static JsonArray *
onelogin_app_users (SoupServerMessage *msg,
                    JsonArray         *items)
{
  g_autofree char *app_id = path_segment_after (msg, "/apps/");
  JsonArray *out;

  if (app_id == NULL)
    {
      /* The sandbox's words in OneLogin's error shape. */
      reply_json (msg, SOUP_STATUS_NOT_FOUND,
                  "{\"statusCode\":404,\"name\":\"NotFoundError\",\"message\":\"Not Found\"}");
      return NULL;
    }
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonObject *user;
      const char *email = item_string (item, "email");

      if (g_strcmp0 (item_string (item, "@item"), app_id) != 0)
        continue;
      user = json_object_new ();
      json_object_set_member (user, "id", json_node_copy (json_object_get_member (item, "id")));
      json_object_set_string_member (user, "email", email != NULL ? email : "");
      json_object_set_string_member (user, "username", email != NULL ? email : "");
      json_object_set_null_member (user, "firstname");
      json_object_set_null_member (user, "lastname");
      json_array_add_object_element (out, user);
    }
  return out;
}

/* Microsoft Graph, Error responses (https://learn.microsoft.com/graph/errors):
 * {"error": {"code", "message", "innerError": {"date", "request-id",
 * "client-request-id"}}} with the HTTP status. The ids are the sandbox's. */
static void
graph_error (SoupServerMessage *msg,
             guint              status,
             const char        *code,
             const char        *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "innerError");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "request-id");
  json_builder_add_string_value (b, "9c1c9c46-0000-4000-8000-5a4e6b0d0001");
  json_builder_set_member_name (b, "client-request-id");
  json_builder_add_string_value (b, "9c1c9c46-0000-4000-8000-5a4e6b0d0001");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  reply_json (msg, status, text);
}

/* Microsoft Graph, servicePrincipal resource
 * (https://learn.microsoft.com/en-us/graph/api/resources/serviceprincipal?view=graph-rest-1.0):
 * a service principal has its own object "id" and the "appId" of the
 * application it stands for, two different GUIDs; app role assignments
 * name the former (resourceId). The generic sandbox renders the id the
 * definition reads; the appId is the sandbox's, derived from it. */
static JsonArray *
entra_service_principals (JsonArray *items)
{
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_node_copy (json_array_get_element (items, i));
      JsonObject *sp = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = sp != NULL ? item_string (sp, "id") : NULL;

      if (id != NULL && !json_object_has_member (sp, "appId"))
        {
          guint h = g_str_hash (id);
          g_autofree char *app_id = g_strdup_printf ("%08x-%04x-4%03x-8%03x-%012x", h, h >> 16, h & 0xfff,
                                                     (h >> 12) & 0xfff, (guint) g_str_hash (id + 1));

          json_object_set_string_member (sp, "appId", app_id);
        }
      json_array_add_element (out, node);
    }
  return out;
}

/* Microsoft Graph, List appRoleAssignments granted for a service principal
 * (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list-approleassignedto?view=graph-rest-1.0)
 * and the appRoleAssignment resource
 * (https://learn.microsoft.com/graph/api/resources/approleassignment):
 * GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo lists the users,
 * groups and client service principals assigned to that one app, each with
 * id, deletedDateTime, appRoleId (all zeros when the app declares no
 * roles), createdDateTime, principalDisplayName, principalId, principalType
 * ("User", "Group" or "ServicePrincipal"), resourceDisplayName and
 * resourceId (the app's service principal id), in "value", paged with
 * @odata.nextLink. The generic sandbox renders every app's assignments
 * (people and a group each) with principalId, principalType and resourceId;
 * this adds the rest in the documented order, from @records (the sandbox's
 * own names; the dates and assignment ids are the sandbox's). */
static JsonArray *
entra_app_role_assigned_to (SoupServerMessage *msg,
                            JsonArray         *items,
                            JsonArray         *records)
{
  g_autofree char *sp_id = path_segment_after (msg, "/servicePrincipals/");
  JsonArray *out = json_array_new ();

  if (sp_id == NULL)
    {
      json_array_unref (out);
      graph_error (msg, SOUP_STATUS_BAD_REQUEST, "Request_BadRequest", "Invalid request.");
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonObject *rec = records != NULL && i < json_array_get_length (records)
                        ? json_array_get_object_element (records, i) : NULL;
      JsonObject *a;
      const char *principal = item_string (item, "principalId");
      g_autofree char *id = NULL;
      g_autofree char *created = NULL;
      guint h;

      if (g_strcmp0 (item_string (item, "resourceId"), sp_id) != 0)
        continue;
      h = g_str_hash (principal != NULL ? principal : "") ^ g_str_hash (sp_id);
      id = g_strdup_printf ("%08xAssign%08x-%s", h, g_str_hash (sp_id), principal != NULL ? principal : "");
      created = g_strdup_printf ("2024-%02u-%02uT%02u:%02u:%02u.%07uZ", 1 + h % 12, 1 + (h >> 4) % 28,
                                 (h >> 9) % 24, (h >> 14) % 60, (h >> 20) % 60, h % 10000000);
      a = json_object_new ();
      json_object_set_string_member (a, "id", id);
      json_object_set_null_member (a, "deletedDateTime");
      json_object_set_string_member (a, "appRoleId", "00000000-0000-0000-0000-000000000000");
      json_object_set_string_member (a, "createdDateTime", created);
      if (rec != NULL && json_object_has_member (rec, "name"))
        json_object_set_string_member (a, "principalDisplayName", json_object_get_string_member (rec, "name"));
      else
        json_object_set_null_member (a, "principalDisplayName");
      if (principal != NULL)
        json_object_set_string_member (a, "principalId", principal);
      if (item_string (item, "principalType") != NULL)
        json_object_set_string_member (a, "principalType", item_string (item, "principalType"));
      if (rec != NULL && json_object_has_member (rec, "app_name"))
        json_object_set_string_member (a, "resourceDisplayName", json_object_get_string_member (rec, "app_name"));
      else
        json_object_set_null_member (a, "resourceDisplayName");
      json_object_set_string_member (a, "resourceId", sp_id);
      json_array_add_object_element (out, a);
    }
  if (json_array_get_length (out) == 0)
    {
      /* Every enterprise app the sandbox lists has a group assigned at
       * least: an id without assignments is not a service principal's
       * (an application id, say). The message is the sandbox's. */
      g_autofree char *message = g_strdup_printf ("Resource '%s' does not exist.", sp_id);

      json_array_unref (out);
      graph_error (msg, SOUP_STATUS_NOT_FOUND, "Request_ResourceNotFound", message);
      return NULL;
    }
  return out;
}

gboolean
portico_sandbox_vendor_reads_items (const char *connector_id,
                                    const char *data_type)
{
  /* The functions portico_sandbox_vendor_items() calls below that read
   * the items' members as objects (okta_users and okta_app_users take
   * either form: Okta's lists are the ones a million people make long). */
  static const char * const readers[][2] = {
    { "zoom", "users" }, { "hibob", "users" }, { "zendesk-sell", "users" },
    { "servicenow", "users" }, { "airtable", "users" }, { "personio", "users" },
    { "jumpcloud", "app_assignments" }, { "onelogin", "app_assignments" },
    { "microsoft-entra-id", "app_assignments" }, { "microsoft-entra-id", "discovered_apps" },
    { "aws-iam-identity-center", "users" }, { "aws-iam-identity-center", "groups" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    if (g_strcmp0 (connector_id, readers[i][0]) == 0 && g_strcmp0 (data_type, readers[i][1]) == 0)
      return TRUE;
  return FALSE;
}

gboolean
portico_sandbox_vendor_reads_records (const char *connector_id,
                                      const char *data_type)
{
  return g_strcmp0 (connector_id, "microsoft-entra-id") == 0 && g_strcmp0 (data_type, "app_assignments") == 0;
}

JsonArray *
portico_sandbox_vendor_items (const char        *connector_id,
                              const char        *data_type,
                              SoupServerMessage *msg,
                              GHashTable        *query,
                              JsonNode          *body,
                              JsonArray         *items,
                              JsonArray         *records)
{
  if (g_strcmp0 (data_type, "users") == 0)
    {
      if (g_strcmp0 (connector_id, "okta") == 0)
        {
          JsonArray *served = okta_users (query, items);

          if (served == NULL)
            reply_json (msg, SOUP_STATUS_BAD_REQUEST,
                        "{\"errorCode\":\"E0000031\",\"errorSummary\":\"Invalid search criteria.\","
                        "\"errorLink\":\"E0000031\",\"errorId\":\"sandbox\",\"errorCauses\":[]}");
          return served;
        }
      if (g_strcmp0 (connector_id, "zoom") == 0)
        return zoom_users (query, items);
      if (g_strcmp0 (connector_id, "hibob") == 0)
        return hibob_people (body, items);
      if (g_strcmp0 (connector_id, "zendesk-sell") == 0)
        return zendesk_sell_items (items);
      if (g_strcmp0 (connector_id, "servicenow") == 0)
        return servicenow_records (query, items);
      if (g_strcmp0 (connector_id, "airtable") == 0)
        return airtable_users (items);
    }
  if (g_strcmp0 (connector_id, "personio") == 0 && g_strcmp0 (data_type, "users") == 0)
    return personio_persons (query, items);
  if (g_strcmp0 (connector_id, "okta") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return okta_app_users (msg, items);
  if (g_strcmp0 (connector_id, "jumpcloud") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return jumpcloud_graph_users (msg, items);
  if (g_strcmp0 (connector_id, "onelogin") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return onelogin_app_users (msg, items);
  if (g_strcmp0 (connector_id, "microsoft-entra-id") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return entra_app_role_assigned_to (msg, items, records);
  if (g_strcmp0 (connector_id, "microsoft-entra-id") == 0 && g_strcmp0 (data_type, "discovered_apps") == 0)
    return entra_service_principals (items);
  if (g_strcmp0 (connector_id, "aws-iam-identity-center") == 0 &&
      (g_strcmp0 (data_type, "users") == 0 || g_strcmp0 (data_type, "groups") == 0))
    return aws_identity_center_list (query, items);
  return json_array_ref (items);
}

/* ---- Whole pages --------------------------------------------------------- */

/* ClickUp, Get Authorized Workspaces
 * (https://developer.clickup.com/reference/getauthorizedteams): "teams" is
 * every Workspace the token can open, each with its members. The sandbox's
 * token opens one more, listed first. */
static void
clickup_team (JsonObject *root)
{
  JsonNode *teams = json_object_get_member (root, "teams");
  JsonArray *old;
  JsonArray *all = json_array_new ();
  JsonObject *other = json_object_new ();
  JsonArray *members = json_array_new ();
  JsonObject *member = json_object_new ();
  JsonObject *user = json_object_new ();

  if (teams == NULL || !JSON_NODE_HOLDS_ARRAY (teams))
    {
      json_array_unref (all);
      json_object_unref (other);
      json_array_unref (members);
      json_object_unref (member);
      json_object_unref (user);
      return;
    }
  json_object_set_int_member (user, "id", 90000001);
  json_object_set_string_member (user, "username", "Someone Elsewhere");
  json_object_set_string_member (user, "email", "someone@elsewhere.example");
  json_object_set_int_member (user, "role", 3);
  json_object_set_object_member (member, "user", user);
  json_array_add_object_element (members, member);
  json_object_set_string_member (other, "id", "90000000");
  json_object_set_string_member (other, "name", "Another Workspace");
  json_object_set_array_member (other, "members", members);
  json_array_add_object_element (all, other);
  old = json_node_get_array (teams);
  for (guint i = 0; i < json_array_get_length (old); i++)
    json_array_add_element (all, json_node_copy (json_array_get_element (old, i)));
  json_object_set_array_member (root, "teams", all);
}

/* Google, OAuth Token Audit Activity Events
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token):
 * an authorize event has the parameters app_name, client_id, client_type,
 * scope and more, each named; the sandbox puts client_type first. Each
 * activity is one user's grant: its actor (callerType USER, email,
 * profileId) made one event of type auth named authorize
 * (https://developers.google.com/workspace/admin/reports/reference/rest/v1/activities/list). */
static void
google_token_events (JsonObject *root)
{
  JsonNode *items = json_object_get_member (root, "items");

  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (items)); i++)
    {
      JsonNode *activity = json_array_get_element (json_node_get_array (items), i);
      JsonNode *events = JSON_NODE_HOLDS_OBJECT (activity)
                         ? json_object_get_member (json_node_get_object (activity), "events") : NULL;
      JsonNode *actor = JSON_NODE_HOLDS_OBJECT (activity)
                        ? json_object_get_member (json_node_get_object (activity), "actor") : NULL;

      if (actor != NULL && JSON_NODE_HOLDS_OBJECT (actor))
        json_object_set_string_member (json_node_get_object (actor), "callerType", "USER");
      if (JSON_NODE_HOLDS_OBJECT (activity))
        json_object_set_string_member (json_node_get_object (activity), "kind", "admin#reports#activity");

      for (guint k = 0; events != NULL && JSON_NODE_HOLDS_ARRAY (events) &&
                        k < json_array_get_length (json_node_get_array (events)); k++)
        {
          JsonNode *event = json_array_get_element (json_node_get_array (events), k);
          JsonNode *params = JSON_NODE_HOLDS_OBJECT (event)
                             ? json_object_get_member (json_node_get_object (event), "parameters") : NULL;
          JsonArray *reordered;
          JsonObject *client_type;

          if (params == NULL || !JSON_NODE_HOLDS_ARRAY (params))
            continue;
          json_object_set_string_member (json_node_get_object (event), "type", "auth");
          json_object_set_string_member (json_node_get_object (event), "name", "authorize");
          reordered = json_array_new ();
          client_type = json_object_new ();
          json_object_set_string_member (client_type, "name", "client_type");
          json_object_set_string_member (client_type, "value", "WEB");
          json_array_add_object_element (reordered, client_type);
          for (guint p = 0; p < json_array_get_length (json_node_get_array (params)); p++)
            json_array_add_element (reordered, json_node_copy (json_array_get_element (json_node_get_array (params), p)));
          json_object_set_array_member (json_node_get_object (event), "parameters", reordered);
        }
    }
}

/* Canva, List users and List groups
 * (https://www.canva.dev/docs/scim/list-users/): the list response holds
 * the page in "resources", lower case, where RFC 7644 says "Resources". */
static void
canva_list (JsonObject *root)
{
  JsonNode *list = json_object_get_member (root, "Resources");

  if (list == NULL || json_object_has_member (root, "resources"))
    return;
  json_object_set_member (root, "resources", json_node_copy (list));
  json_object_remove_member (root, "Resources");
}

/* Auth0, List or search users
 * (https://auth0.com/docs/api/management/v2/users/get-users):
 * include_totals "Return results inside an object that contains the total
 * result count (true) or as a direct array of results (false, default)". */
static void
auth0_users (GHashTable *query,
             JsonNode   *root)
{
  const char *totals = query != NULL ? g_hash_table_lookup (query, "include_totals") : NULL;
  JsonNode *users;
  g_autoptr(JsonArray) list = NULL;

  if (g_strcmp0 (totals, "true") == 0)
    return;
  users = json_object_get_member (json_node_get_object (root), "users");
  list = users != NULL && JSON_NODE_HOLDS_ARRAY (users) ? json_array_ref (json_node_get_array (users))
                                                         : json_array_new ();
  /* Let go of the object first: json_node_init_array () would unref the
   * stale pointer it leaves behind. */
  json_node_set_object (root, NULL);
  json_node_init_array (root, list);
}

/* LastPass, Get user data (getuserdata, the page cited at lastpass_refuse):
 * "Users" is an object whose members are the users, each under its
 * LastPass user id, never an array; the user's record itself holds no id.
 * A page the definition asked for as an array is keyed here by its
 * position.
 * Only the request form ({"cid", "provhash", "cmd", "data"}) and the
 * "status"/"error" answers are confirmed by LastPass's own pages (the
 * enableuser, disableuser and expiredmasterpwlist pages at
 * support.lastpass.com/help/...-via-lastpass-api). The getuserdata page
 * itself could not be read here: its record members (username, fullname,
 * disabled, neverloggedin, admin, last_login) and its paging
 * ("pagesize"/"pageindex" in "data") come from secondary sources, and one
 * of those (Stitchflow's LastPass API guide) calls the answer a single
 * unpaginated payload. The connector keeps them until LastPass's page
 * says otherwise. */
static void
lastpass_users (JsonObject *root)
{
  JsonNode *users = json_object_get_member (root, "Users");
  JsonObject *keyed;
  JsonArray *list;
  JsonObjectIter iter;
  const char *id;
  JsonNode *user;

  if (users != NULL && JSON_NODE_HOLDS_ARRAY (users))
    {
      list = json_node_get_array (users);
      keyed = json_object_new ();
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          g_autofree char *key = g_strdup_printf ("%u", 1001 + i);

          json_object_set_member (keyed, key, deep_copy (json_array_get_element (list, i)));
        }
      json_object_set_object_member (root, "Users", keyed);
      users = json_object_get_member (root, "Users");
    }
  if (users == NULL || !JSON_NODE_HOLDS_OBJECT (users))
    return;

  /* Times are "YYYY-MM-DD HH:MM:SS" ("last_login": "2015-05-29 11:45:05"
   * in the page's sample), not ISO 8601. The page's records are this
   * answer's own copies. */
  json_object_iter_init_ordered (&iter, json_node_get_object (users));
  while (json_object_iter_next_ordered (&iter, &id, &user))
    {
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (user) ? json_node_get_object (user) : NULL;
      const char *when = record != NULL ? item_string (record, "last_login") : NULL;

      if (when != NULL && strlen (when) == 20 && when[10] == 'T' && when[19] == 'Z')
        {
          g_autofree char *plain = g_strndup (when, 19);

          plain[10] = ' ';
          json_object_set_string_member (record, "last_login", plain);
        }
    }
}

/* Microsoft Graph, Paging Microsoft Graph data in your app
 * (https://learn.microsoft.com/en-MY/graph/paging): a page links the next
 * one in @odata.nextLink until all pages are read; the last page has none.
 * A list of an app's assignments names what it lists in @odata.context
 * (serviceprincipal-list-approleassignedto, cited above). */
static void
graph_page (const char *data_type,
            const char *path,
            JsonNode   *root)
{
  JsonObject *page = json_node_get_object (root);
  JsonNode *next = json_object_get_member (page, "@odata.nextLink");
  const char *sps = path != NULL ? g_strrstr (path, "/servicePrincipals/") : NULL;

  if (next != NULL && JSON_NODE_HOLDS_NULL (next))
    json_object_remove_member (page, "@odata.nextLink");
  if (g_strcmp0 (data_type, "app_assignments") == 0 && sps != NULL && strchr (sps + strlen ("/servicePrincipals/"), '/') != NULL)
    {
      const char *id = sps + strlen ("/servicePrincipals/");
      g_autofree char *sp_id = g_uri_unescape_segment (id, strchr (id, '/'), NULL);
      g_autofree char *context = g_strdup_printf ("https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('%s')/appRoleAssignedTo",
                                                  sp_id != NULL ? sp_id : "");
      JsonObject *ordered = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (page);

      json_object_set_string_member (ordered, "@odata.context", context);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (ordered, l->data, json_node_copy (json_object_get_member (page, l->data)));
      json_node_take_object (root, ordered);
    }
}

/* Personio v2 lists (the page cited at personio_error, and Personio's
 * changelog "Absolute URLs in Pagination Links"): the next page is linked
 * in "_meta": {"links": {"next": {"href"}}}, an absolute URL with
 * "cursor="; the last page has no next link. */
static void
personio_page (JsonObject *root)
{
  JsonObject *meta = json_object_has_member (root, "_meta") ? json_object_get_object_member (root, "_meta") : NULL;
  JsonObject *links = meta != NULL && json_object_has_member (meta, "links")
                      ? json_object_get_object_member (meta, "links") : NULL;
  JsonObject *next = links != NULL && json_object_has_member (links, "next")
                     ? json_object_get_object_member (links, "next") : NULL;

  if (next != NULL && (!json_object_has_member (next, "href") || json_object_get_null_member (next, "href")))
    json_object_remove_member (links, "next");
}

void
portico_sandbox_vendor_page (const char *connector_id,
                             const char *data_type,
                             const char *path,
                             GHashTable *query,
                             JsonNode   *root)
{
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  if (g_strcmp0 (connector_id, "microsoft-entra-id") == 0)
    {
      graph_page (data_type, path, root);
      return;
    }
  if (g_strcmp0 (connector_id, "auth0") == 0 && g_strcmp0 (data_type, "users") == 0)
    {
      auth0_users (query, root);
      return;
    }
  if (g_strcmp0 (connector_id, "clickup") == 0 && g_strcmp0 (data_type, "users") == 0)
    clickup_team (json_node_get_object (root));
  else if (g_strcmp0 (connector_id, "google-workspace") == 0 && g_strcmp0 (data_type, "discovered_apps") == 0)
    google_token_events (json_node_get_object (root));
  else if (g_strcmp0 (connector_id, "canva") == 0)
    canva_list (json_node_get_object (root));
  else if (g_strcmp0 (connector_id, "lastpass") == 0 && g_strcmp0 (data_type, "users") == 0)
    lastpass_users (json_node_get_object (root));
  else if (g_strcmp0 (connector_id, "personio") == 0)
    personio_page (json_node_get_object (root));
}

const char *
portico_sandbox_vendor_next_url_param (const char *connector_id)
{
  /* Personio (the page cited at personio_error): "cursor". */
  if (g_strcmp0 (connector_id, "personio") == 0)
    return "cursor";
  /* Microsoft Graph, Paging Microsoft Graph data in your app
   * (https://learn.microsoft.com/graph/paging): "@odata.nextLink":
   * "https://graph.microsoft.com/v1.0/users?$top=5&$skiptoken=RFNwdAIAAQAAAD8...";
   * /users and the other directory lists page with $skiptoken. */
  if (g_strcmp0 (connector_id, "microsoft-entra-id") == 0)
    return "$skiptoken";
  /* Ramp, Pagination (https://docs.ramp.com/developer-api/v1/pagination):
   * keyset pagination; "next" is the complete URL of the next page, which
   * "includes the start cursor and preserves the other query parameters". */
  if (g_strcmp0 (connector_id, "ramp") == 0)
    return "start";
  /* Calendly's pagination.next_page carries page_token=. */
  return "page_token";
}

/* ---- Page sizes ---------------------------------------------------------- */

/* Coupa, Arguments (https://compass.coupa.com/en-us/products/product-documentation/
 * integration-technical-documentation/the-coupa-core-api/get-started-with-the-api/arguments):
 * "You can use limit and offset parameters to paginate results. Remember
 * that the maximum number of results returned are 50 at a time." A larger
 * limit still gets 50. */
guint
portico_sandbox_vendor_max_page_size (const char *connector_id,
                                      const char *data_type)
{
  if (g_strcmp0 (connector_id, "coupa") == 0)
    return 50;
  /* Mailchimp, list members: "count: The number of records to return.
   * Default value is 10. Maximum value is 1000." */
  if (g_strcmp0 (connector_id, "mailchimp") == 0)
    return 1000;
  /* BILL Spend & Expense, Get list of users
   * (https://developer.bill.com/v3/reference/listusers): "By default, you
   * get 20 results on one page of results. Set max in your request to get
   * up to 100 results on one page." */
  if (g_strcmp0 (connector_id, "bill-spend-expense") == 0)
    return 100;
  /* JumpCloud v2 lists: "limit: The number of records to return at once.
   * Limited to 100." (default 10). */
  if (g_strcmp0 (connector_id, "jumpcloud") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return 100;
  /* Personio, List persons: "limit ... can range between 1 and 50". */
  if (g_strcmp0 (connector_id, "personio") == 0)
    return 50;
  /* GitLab (the page cited at portico_sandbox_vendor_links):
   * per_page is at most 100. */
  if (g_strcmp0 (connector_id, "gitlab") == 0)
    return 100;
  /* GitHub and Freshdesk (the pages cited at portico_sandbox_vendor_links):
   * per_page is at most 100. */
  if (g_strcmp0 (connector_id, "github") == 0 || g_strcmp0 (connector_id, "freshdesk") == 0)
    return 100;
  /* Okta, List users assigned to application (the page cited at
   * okta_app_users): "maximum 500". */
  if (g_strcmp0 (connector_id, "okta") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return 500;
  /* OneLogin, List App Users: "Max page limit is 1000." */
  if (g_strcmp0 (connector_id, "onelogin") == 0 && g_strcmp0 (data_type, "app_assignments") == 0)
    return 1000;
  return G_MAXUINT;
}

/* ---- Link header pagination ---------------------------------------------- */

/* Each provider of a link_header connector, with the Link header its own
 * documentation shows. A connector not named here (a custom integration)
 * gets the sandbox's generic form (opaque after= cursors in Sentry's
 * previous/next form with results=).
 *
 * GitLab, REST API, Offset-based pagination
 * (https://docs.gitlab.com/api/rest/#offset-based-pagination): lists take
 * "page" (default 1) and "per_page" (default 20, max 100); every answer
 * has a Link header whose rel prev, next, first and last URLs carry page=
 * and per_page=, and the headers x-page, x-per-page, x-next-page,
 * x-prev-page, x-total and x-total-pages. Keyset pagination is documented
 * for selected resources only (projects, groups for unauthenticated
 * users, users, audit events, jobs...), not for group members, billable
 * members or subgroups. Over 10,000 records, x-total, x-total-pages and
 * rel="last" are left out ("Pagination response headers"). The page does
 * not say what x-next-page and x-prev-page hold when there is no such
 * page; the sandbox leaves them out with the link.
 *
 * GitHub, Using pagination in the REST API
 * (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api):
 * "link: <https://api.github.com/repositories/1300192/issues?page=2>;
 * rel="prev", <...?page=4>; rel="next", <...?page=515>; rel="last",
 * <...?page=1>; rel="first"", in that order; the previous link is left
 * out on the first page, and the header is left out "if all results fit
 * on a single page". List organization members, List teams and List all
 * Copilot seat assignments for an organization take page (default 1) and
 * per_page ("max 100", default 30; 50 for Copilot seats). The sandbox
 * leaves next and last out on the last page, which has none.
 *
 * Freshdesk, API v2, Pagination (https://developers.freshdesk.com/api/#pagination):
 * "page" from 1, "per_page" default 30, at most 100; "The 'link' header in
 * the response will hold the next page url if exists. If you have reached
 * the last page of objects, then the link header will not be set", the
 * example being one rel="next" link with page=.
 *
 * ServiceNow, Table API, GET /now/table/{tableName}
 * (https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html):
 * sysparm_limit (default 10000) and sysparm_offset ("a number of records
 * to skip"); the answer's Link header holds rel first, prev, next and last
 * URLs with sysparm_limit= and sysparm_offset=, and X-Total-Count the
 * number of records the query matches. The sandbox leaves prev out on the
 * first page and next on the last one.
 *
 * Okta, Pagination (https://developer.okta.com/docs/api/#pagination) and
 * Okta's support article "Pagination Overview": two Link headers, one
 * rel="self" with the request's URL and, while there are more, one
 * rel="next" whose URL carries an opaque after= cursor and the limit;
 * "Once there are no more Link Headers with rel="next" in the response,
 * there are no more results".
 *
 * Webex, REST API Basics, Pagination (https://developer.webex.com/docs/basics):
 * RFC 5988 Link headers, e.g. "Link:
 * <https://webexapis.com/v1/people?displayName=Harold&max=10&before&after=Y2lz...>;
 * rel="next"": the request's parameters, max, an empty before and an
 * opaque after= cursor; List People's max defaults to 100. The sandbox
 * sends only the next link, and none on the last page.
 *
 * Sentry, Paginating Results (https://docs.sentry.io/api/pagination/): a
 * previous and a next link on every page, even when there is nothing
 * there, each with results="true|false" and cursor="..."; the URL's
 * cursor= is "value:offset:is_prev", "0:0:1" and "0:100:0" on the first of
 * pages of 100. */
#define GITLAB_COUNT_LIMIT 10000

PorticoSandboxLinks
portico_sandbox_vendor_links (const char *connector_id)
{
  static const struct { const char *id; PorticoSandboxLinks links; } providers[] = {
    { "gitlab", PORTICO_SANDBOX_LINKS_PAGES },
    { "github", PORTICO_SANDBOX_LINKS_PAGES },
    { "freshdesk", PORTICO_SANDBOX_LINKS_PAGES },
    { "servicenow", PORTICO_SANDBOX_LINKS_OFFSET },
    { "okta", PORTICO_SANDBOX_LINKS_AFTER },
    { "webex", PORTICO_SANDBOX_LINKS_AFTER },
    { "sentry", PORTICO_SANDBOX_LINKS_SENTRY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    if (g_strcmp0 (connector_id, providers[i].id) == 0)
      return providers[i].links;
  return PORTICO_SANDBOX_LINKS_GENERIC;
}

const char *
portico_sandbox_vendor_link_size_param (const char *connector_id,
                                        const char *data_type,
                                        guint      *default_size)
{
  *default_size = 0;
  if (g_strcmp0 (connector_id, "gitlab") == 0)
    *default_size = 20;
  else if (g_strcmp0 (connector_id, "github") == 0)
    *default_size = g_strcmp0 (data_type, "usage") == 0 ? 50 : 30;
  else if (g_strcmp0 (connector_id, "freshdesk") == 0)
    *default_size = 30;
  else if (g_strcmp0 (connector_id, "servicenow") == 0)
    {
      *default_size = 10000;
      return "sysparm_limit";
    }
  else if (g_strcmp0 (connector_id, "webex") == 0)
    {
      *default_size = 100;
      return "max";
    }
  else
    return NULL;
  return "per_page";
}

/* @base and @path with @query, where the NULL-terminated name, value pairs
 * that follow replace or add parameters. */
static char *
link_url (const char *url_base,
          const char *path,
          GHashTable *query,
          ...)
{
  g_autoptr(GHashTable) q = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *encoded = NULL;
  const char *name;
  va_list args;

  if (query != NULL)
    {
      GHashTableIter it;
      gpointer k, v;

      g_hash_table_iter_init (&it, query);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (q, k, v);
    }
  va_start (args, query);
  while ((name = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (q, (gpointer) name, va_arg (args, char *));
  va_end (args);
  encoded = soup_form_encode_hash (q);
  return g_strdup_printf ("%s%s?%s", url_base, path, encoded);
}

static char *
page_url (const char *url_base,
          const char *path,
          GHashTable *query,
          guint       page,
          guint       per_page)
{
  g_autofree char *p = g_strdup_printf ("%u", page);
  g_autofree char *pp = g_strdup_printf ("%u", per_page);

  return link_url (url_base, path, query, "page", p, "per_page", pp, NULL);
}

static void
append_link (GString    *link,
             char       *url,
             const char *rel)
{
  g_string_append_printf (link, "%s<%s>; rel=\"%s\"", link->len > 0 ? ", " : "", url, rel);
  g_free (url);
}

static void
set_uint_header (SoupMessageHeaders *headers,
                 const char         *name,
                 guint               value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  soup_message_headers_replace (headers, name, text);
}

void
portico_sandbox_vendor_page_links (SoupServerMessage *msg,
                                   const char        *connector_id,
                                   const char        *url_base,
                                   GHashTable        *query,
                                   guint              page,
                                   guint              per_page,
                                   guint              total)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  guint pages = MAX (1, (total + per_page - 1) / per_page);
  g_autoptr(GString) link = g_string_new (NULL);

  if (g_strcmp0 (connector_id, "freshdesk") == 0)
    {
      if (page < pages)
        append_link (link, page_url (url_base, path, query, page + 1, per_page), "next");
    }
  else if (g_strcmp0 (connector_id, "github") == 0)
    {
      if (pages > 1)
        {
          if (page > 1)
            append_link (link, page_url (url_base, path, query, page - 1, per_page), "prev");
          if (page < pages)
            {
              append_link (link, page_url (url_base, path, query, page + 1, per_page), "next");
              append_link (link, page_url (url_base, path, query, pages, per_page), "last");
            }
          append_link (link, page_url (url_base, path, query, 1, per_page), "first");
        }
    }
  else
    {
      gboolean counted = total <= GITLAB_COUNT_LIMIT;

      if (page > 1)
        append_link (link, page_url (url_base, path, query, page - 1, per_page), "prev");
      if (page < pages)
        append_link (link, page_url (url_base, path, query, page + 1, per_page), "next");
      append_link (link, page_url (url_base, path, query, 1, per_page), "first");
      if (counted)
        append_link (link, page_url (url_base, path, query, pages, per_page), "last");

      set_uint_header (headers, "x-page", page);
      set_uint_header (headers, "x-per-page", per_page);
      if (page < pages)
        set_uint_header (headers, "x-next-page", page + 1);
      if (page > 1)
        set_uint_header (headers, "x-prev-page", page - 1);
      if (counted)
        {
          set_uint_header (headers, "x-total", total);
          set_uint_header (headers, "x-total-pages", pages);
        }
    }
  if (link->len > 0)
    soup_message_headers_replace (headers, "Link", link->str);
}

static char *
offset_url (const char *url_base,
            const char *path,
            GHashTable *query,
            guint       offset,
            guint       limit)
{
  g_autofree char *o = g_strdup_printf ("%u", offset);
  g_autofree char *l = g_strdup_printf ("%u", limit);

  return link_url (url_base, path, query, "sysparm_offset", o, "sysparm_limit", l, NULL);
}

void
portico_sandbox_vendor_offset_links (SoupServerMessage *msg,
                                     const char        *url_base,
                                     GHashTable        *query,
                                     guint              offset,
                                     guint              limit,
                                     guint              total)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  guint last = total > 0 ? (total - 1) / limit * limit : 0;
  g_autoptr(GString) link = g_string_new (NULL);

  append_link (link, offset_url (url_base, path, query, 0, limit), "first");
  if (offset > 0)
    append_link (link, offset_url (url_base, path, query, offset > limit ? offset - limit : 0, limit), "prev");
  if (offset + limit < total)
    append_link (link, offset_url (url_base, path, query, offset + limit, limit), "next");
  append_link (link, offset_url (url_base, path, query, last, limit), "last");
  soup_message_headers_replace (headers, "Link", link->str);
  set_uint_header (headers, "X-Total-Count", total);
}

void
portico_sandbox_vendor_after_links (SoupServerMessage *msg,
                                    const char        *connector_id,
                                    const char        *url_base,
                                    GHashTable        *query,
                                    const char        *next_cursor)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);

  if (g_strcmp0 (connector_id, "okta") == 0)
    {
      const char *q = g_uri_get_query (uri);
      g_autofree char *self = g_strdup_printf ("<%s%s%s%s>; rel=\"self\"", url_base, path,
                                               q != NULL ? "?" : "", q != NULL ? q : "");

      soup_message_headers_append (headers, "Link", self);
      if (next_cursor != NULL)
        {
          g_autofree char *url = link_url (url_base, path, query, "after", next_cursor, NULL);
          g_autofree char *next = g_strdup_printf ("<%s>; rel=\"next\"", url);

          soup_message_headers_append (headers, "Link", next);
        }
      return;
    }

  /* Webex: the request's parameters, an empty before and the after cursor
   * (soup_form_encode_hash cannot write a name without a value). */
  if (next_cursor != NULL)
    {
      g_autoptr(GHashTable) q = query != NULL ? g_hash_table_ref (query) : NULL;
      g_autofree char *base = NULL;
      g_autofree char *encoded_cursor = g_uri_escape_string (next_cursor, NULL, TRUE);
      g_autofree char *link = NULL;

      if (q != NULL)
        {
          g_autoptr(GHashTable) rest = g_hash_table_new (g_str_hash, g_str_equal);
          GHashTableIter it;
          gpointer k, v;

          g_hash_table_iter_init (&it, q);
          while (g_hash_table_iter_next (&it, &k, &v))
            if (g_strcmp0 (k, "after") != 0 && g_strcmp0 (k, "before") != 0)
              g_hash_table_insert (rest, k, v);
          base = g_hash_table_size (rest) > 0 ? soup_form_encode_hash (rest) : NULL;
        }
      link = g_strdup_printf ("<%s%s?%s%sbefore&after=%s>; rel=\"next\"", url_base, path,
                              base != NULL ? base : "", base != NULL ? "&" : "", encoded_cursor);
      soup_message_headers_replace (headers, "Link", link);
    }
}

gboolean
portico_sandbox_vendor_sentry_cursor (const char *cursor,
                                      guint      *offset)
{
  g_auto(GStrv) parts = NULL;
  guint64 value, at, is_prev;

  if (cursor == NULL || *cursor == '\0')
    {
      *offset = 0;
      return TRUE;
    }
  parts = g_strsplit (cursor, ":", -1);
  if (g_strv_length (parts) != 3
      || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT64, &value, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &at, NULL)
      || !g_ascii_string_to_unsigned (parts[2], 10, 0, 1, &is_prev, NULL))
    return FALSE;
  *offset = (guint) at;
  return TRUE;
}

void
portico_sandbox_vendor_sentry_links (SoupServerMessage *msg,
                                     const char        *url_base,
                                     GHashTable        *query,
                                     guint              offset,
                                     guint              size,
                                     guint              total)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_autofree char *prev = g_strdup_printf ("0:%u:1", offset > size ? offset - size : 0);
  g_autofree char *next = g_strdup_printf ("0:%u:0", offset + size);
  g_autofree char *prev_url = link_url (url_base, path, query, "cursor", prev, NULL);
  g_autofree char *next_url = link_url (url_base, path, query, "cursor", next, NULL);
  g_autofree char *link = g_strdup_printf ("<%s>; rel=\"previous\"; results=\"%s\"; cursor=\"%s\", "
                                           "<%s>; rel=\"next\"; results=\"%s\"; cursor=\"%s\"",
                                           prev_url, offset > 0 ? "true" : "false", prev,
                                           next_url, offset + size < total ? "true" : "false", next);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Link", link);
}

/* Jamf Pro API paged lists (computers-inventory, departments, ...): "page"
 * counts from 0, so page=1 is the second page. The reference page itself
 * was not readable here; the Mac admins' Jamf Pro SDK
 * (macadmins/jamf-pro-sdk-python) and admins' scripts ask for page=0 first
 * ("/api/v1/computers-inventory?section=USER_AND_LOCATION&page=0&page-size=..."). */
gint
portico_sandbox_vendor_first_page (const char *connector_id,
                                   const char *data_type)
{
  if (g_strcmp0 (connector_id, "jamf-pro") == 0)
    return 0;
  return -1;
}

/* ---- Empty lists --------------------------------------------------------- */

/* BambooHR, Get Employee Directory
 * (https://documentation.bamboohr.com/reference/get-employees-directory):
 * "Returns 404 if the directory is empty" (and 403 if neither directory
 * nor org-chart sharing is enabled). The page gives no body for the 404;
 * BambooHR's "Technical Overview" (https://documentation.bamboohr.com/docs/api-details)
 * lists 404 as "The resource was not found". The sandbox answers with an
 * empty body. */
gboolean
portico_sandbox_vendor_empty (const char        *connector_id,
                              const char        *data_type,
                              const char        *tenant,
                              SoupServerMessage *msg)
{
  if (g_strcmp0 (tenant, "empty") != 0)
    return FALSE;
  if (g_strcmp0 (connector_id, "bamboohr") == 0 && g_strcmp0 (data_type, "users") == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
      return TRUE;
    }
  return FALSE;
}

/* ---- Rate limits --------------------------------------------------------- */

/* GitHub, Rate limits for the REST API
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
 * over the primary limit "you will receive a 403 or 429 response, and the
 * x-ratelimit-remaining header will be 0"; wait until x-ratelimit-reset
 * (UTC epoch seconds). */
static void
github_rate_limit (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *reset = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 1);

  soup_message_headers_replace (headers, "x-ratelimit-limit", "5000");
  soup_message_headers_replace (headers, "x-ratelimit-remaining", "0");
  soup_message_headers_replace (headers, "x-ratelimit-used", "5000");
  soup_message_headers_replace (headers, "x-ratelimit-reset", reset);
  soup_message_headers_replace (headers, "x-ratelimit-resource", "core");
  reply_json (msg, SOUP_STATUS_FORBIDDEN,
              "{\"message\":\"API rate limit exceeded for user ID 1.\","
              "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\","
              "\"status\":\"403\"}");
}

/* Deel, Rate limits (https://developer.deel.com/api/rate-limits): 5
 * requests per second per organization; "Deel API does not return rate
 * limit headers", a 429 with {"error": "Rate limit exceeded", "status": 429,
 * "message": "Too many requests. Please wait before retrying."}. */
static void
deel_rate_limit (SoupServerMessage *msg)
{
  reply_json (msg, 429,
              "{\"error\":\"Rate limit exceeded\",\"status\":429,"
              "\"message\":\"Too many requests. Please wait before retrying.\"}");
}

gboolean
portico_sandbox_vendor_rate_limit (const char        *connector_id,
                                   SoupServerMessage *msg)
{
  if (g_strcmp0 (connector_id, "github") == 0)
    {
      github_rate_limit (msg);
      return TRUE;
    }
  if (g_strcmp0 (connector_id, "deel") == 0)
    {
      deel_rate_limit (msg);
      return TRUE;
    }
  return FALSE;
}

/* ---- Regions ------------------------------------------------------------- */

/* Navan: EU companies get their token from app-fra.navan.com and "need an
 * X-ta-region: EU header on every request or the API returns 500"
 * (Navan API credentials help; the words of the answer are the
 * sandbox's). The sandbox's "eu" tenant is such a company. */
gboolean
portico_sandbox_vendor_region (const char        *connector_id,
                               SoupServerMessage *msg,
                               const char        *tenant)
{
  const char *region;

  if (g_strcmp0 (connector_id, "navan") != 0 || g_strcmp0 (tenant, "eu") != 0)
    return FALSE;
  region = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "X-ta-region");
  if (g_strcmp0 (region, "EU") == 0)
    return FALSE;
  reply_json (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
              "{\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"Company not found in this region.\"}}");
  return TRUE;
}

/* Microsoft Graph, Error responses and resource types
 * (https://learn.microsoft.com/graph/errors): a request the app's
 * permissions do not cover is 403 Forbidden with
 * {"error": {"code": "Authorization_RequestDenied", "message":
 * "Insufficient privileges to complete the operation.", "innerError":
 * {"date", "request-id", "client-request-id"}}}; the enterprise
 * applications and their assignments (Application.Read.All), the
 * directory's groups and its licences are refused so. Sign-in activity
 * without a P1/P2 licence keeps its own code (the generic plan error).
 * The usage reports without Reports.Read.All (Microsoft 365 usage) are
 * refused the same way. */
gboolean
portico_sandbox_vendor_denied (const char        *connector_id,
                               const char        *data_type,
                               SoupServerMessage *msg)
{
  if (g_strcmp0 (connector_id, "microsoft-365-usage") != 0 &&
      (g_strcmp0 (connector_id, "microsoft-entra-id") != 0 || g_strcmp0 (data_type, "usage") == 0))
    return FALSE;
  graph_error (msg, SOUP_STATUS_FORBIDDEN, "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  return TRUE;
}

/* Microsoft Graph usage reports answer 302 Found with a short-lived
 * pre-authenticated download address, whose CSV text has these columns.
 * getOffice365ActiveUserDetail
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getoffice365activeuserdetail?view=graph-rest-1.0)
 * and getM365AppUserDetail
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getm365appuserdetail?view=graph-rest-1.0).
 * Neither page shows a byte order mark, so the sandbox writes none. */
static const char * const m365_active_user_columns[] = {
  "Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
  "Has Exchange License", "Has OneDrive License", "Has SharePoint License",
  "Has Skype For Business License", "Has Yammer License", "Has Teams License",
  "Exchange Last Activity Date", "OneDrive Last Activity Date", "SharePoint Last Activity Date",
  "Skype For Business Last Activity Date", "Yammer Last Activity Date", "Teams Last Activity Date",
  "Exchange License Assign Date", "OneDrive License Assign Date", "SharePoint License Assign Date",
  "Skype For Business License Assign Date", "Yammer License Assign Date", "Teams License Assign Date",
  "Assigned Products", NULL,
};

static const char * const m365_app_user_columns[] = {
  "Report Refresh Date", "User Principal Name", "Last Activation Date", "Last Activity Date",
  "Report Period", "Windows", "Mac", "Mobile", "Web", "Outlook", "Word", "Excel", "PowerPoint",
  "OneNote", "Teams", "Outlook (Windows)", "Word (Windows)", "Excel (Windows)",
  "PowerPoint (Windows)", "OneNote (Windows)", "Teams (Windows)", "Outlook (Mac)", "Word (Mac)",
  "Excel (Mac)", "PowerPoint (Mac)", "OneNote (Mac)", "Teams (Mac)", "Outlook (Mobile)",
  "Word (Mobile)", "Excel (Mobile)", "PowerPoint (Mobile)", "OneNote (Mobile)", "Teams (Mobile)",
  "Outlook (Web)", "Word (Web)", "Excel (Web)", "PowerPoint (Web)", "OneNote (Web)", "Teams (Web)",
  NULL,
};

const char * const *
portico_sandbox_vendor_csv_columns (const char *connector_id,
                                    const char *data_type)
{
  if (g_strcmp0 (connector_id, "microsoft-365-usage") != 0)
    return NULL;
  if (g_strcmp0 (data_type, "users") == 0)
    return m365_active_user_columns;
  if (g_strcmp0 (data_type, "usage") == 0)
    return m365_app_user_columns;
  return NULL;
}
