/* test-catalog.c: loading, validating and sorting connector definitions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-catalog"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "portico-catalog.h"
#include "portico-errors.h"

/* A small but complete definition; the broken cases below are mutations of
 * it, so each exercises exactly one rule. */
static const char *fixture_json =
  "{"
  " \"format\": 1, \"id\": \"fixture\", \"name\": \"Fixture\","
  " \"category\": \"identity_provider\","
  " \"help_url\": \"https://example.com/help\", \"help\": \"An admin token.\","
  " \"multi_account\": false,"
  " \"base_url\": \"https://{subdomain}.example.com\","
  " \"headers\": {\"Accept\": \"application/json\"},"
  " \"fields\": ["
  "  {\"id\": \"subdomain\", \"label\": \"Subdomain\", \"type\": \"text\", \"required\": true,"
  "   \"pattern\": \"^[a-z0-9-]+$\", \"help\": \"The part before .example.com.\"},"
  "  {\"id\": \"api_token\", \"label\": \"API token\", \"type\": \"secret\", \"required\": true,"
  "   \"pattern\": \"^\\\\S+$\", \"help\": \"No spaces.\"},"
  "  {\"id\": \"region\", \"label\": \"Region\", \"type\": \"choice\", \"default\": \"us\","
  "   \"choices\": [{\"id\": \"us\", \"label\": \"US\"}, {\"id\": \"eu\", \"label\": \"EU\"}]},"
  "  {\"id\": \"admin_email\", \"label\": \"Admin email\", \"type\": \"email\"},"
  "  {\"id\": \"write_token\", \"label\": \"Write token\", \"type\": \"secret\", \"permissions\": [\"act\"]}"
  " ],"
  " \"permissions\": [{\"id\": \"read\", \"label\": \"Read\", \"scopes\": [\"users.read\"]},"
  "                   {\"id\": \"act\", \"label\": \"Read and take action\"}],"
  " \"auth\": {\"scheme\": \"header\", \"header\": \"Authorization\", \"value\": \"SSWS {api_token}\"},"
  " \"identity\": {\"request\": {\"method\": \"GET\", \"path\": \"/api/v1/org\"},"
  "              \"id\": \"id\", \"name\": \"companyName\"},"
  " \"data_types\": {"
  "  \"users\": {\"essential\": true,"
  "   \"request\": {\"method\": \"GET\", \"path\": \"/api/v1/users\", \"query\": {\"limit\": \"200\"}},"
  "   \"pagination\": {\"style\": \"link_header\"}, \"items\": \"\","
  "   \"map\": {\"id\": \"id\", \"email\": \"profile.email\","
  "            \"name\": {\"join\": [\"profile.firstName\", \"profile.lastName\"], \"sep\": \" \"},"
  "            \"status\": {\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\", \"SUSPENDED\": \"suspended\"},"
  "                       \"default\": \"deprovisioned\"}}},"
  "  \"custom_fields\": {\"request_from\": \"users\","
  "   \"map\": {\"user_id\": \"id\", \"fields\": {\"Cost center\": \"profile.costCenter\"}}},"
  "  \"licenses\": {\"requirement\": \"Needs the Business plan.\","
  "   \"request\": {\"method\": \"GET\", \"path\": \"/api/v1/licenses\"},"
  "   \"pagination\": {\"style\": \"cursor\", \"cursor_path\": [\"@odata.nextLink\"], \"param\": \"after\", \"in\": \"query\"},"
  "   \"items\": \"data\","
  "   \"map\": {\"sku\": \"sku\", \"total\": \"seats.total\", \"assigned\": {\"count\": \"assignees\"}}}"
  " },"
  " \"errors\": {\"message\": \"errorSummary\", \"code\": \"errorCode\", \"codes\": {\"E0000011\": \"not_authorized\"}},"
  " \"rate_limit\": {\"reset_header\": \"X-Rate-Limit-Reset\", \"reset_format\": \"epoch\", \"statuses\": [429]},"
  " \"actions\": [{\"id\": \"suspend_user\", \"label\": \"Suspend user\","
  "   \"request\": {\"method\": \"POST\", \"path\": \"/api/v1/users/{user_id}/lifecycle/suspend\"}}],"
  " \"usage_period_days\": 90"
  "}";

static PorticoConnector *
load_fixture (GError **error)
{
  return portico_connector_new_from_data (fixture_json, -1, "fixture.json", FALSE, error);
}

/* Replaces (or with @json NULL removes) the member at @where, a '/'-separated
 * list of keys and array indexes, and returns the new definition text. */
static char *
mutate (const char *where, const char *json)
{
  g_autoptr(JsonNode) root = json_from_string (fixture_json, NULL);
  g_auto(GStrv) segs = g_strsplit (where, "/", -1);
  guint n = g_strv_length (segs);
  JsonNode *node = root;

  for (guint i = 0; i + 1 < n; i++)
    {
      if (JSON_NODE_HOLDS_ARRAY (node))
        node = json_array_get_element (json_node_get_array (node), atoi (segs[i]));
      else
        node = json_object_get_member (json_node_get_object (node), segs[i]);
      g_assert_nonnull (node);
    }

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (json == NULL)
    {
      g_assert_true (json_object_has_member (json_node_get_object (node), segs[n - 1]));
      json_object_remove_member (json_node_get_object (node), segs[n - 1]);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      JsonNode *value = json_from_string (json, &error);

      g_assert_no_error (error);
      json_object_set_member (json_node_get_object (node), segs[n - 1], value);
    }

  return json_to_string (root, FALSE);
}

static void
test_fixture_loads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = load_fixture (&error);
  g_autoptr(GPtrArray) read_fields = NULL;
  g_autoptr(GPtrArray) act_fields = NULL;
  g_auto(GStrv) data_types = NULL;
  g_auto(GStrv) permissions = NULL;
  g_auto(GStrv) actions = NULL;
  g_auto(GStrv) custom = NULL;
  GPtrArray *fields;
  const PorticoConnectorField *last;
  const PorticoConnectorField *region;
  JsonNode *items;

  g_assert_no_error (error);
  g_assert_nonnull (connector);

  g_assert_cmpstr (portico_connector_get_id (connector), ==, "fixture");
  g_assert_cmpstr (portico_connector_get_category (connector), ==, "identity_provider");
  g_assert_false (portico_connector_get_multi_account (connector));
  g_assert_true (portico_connector_has_test (connector));
  g_assert_cmpuint (portico_connector_get_usage_period_days (connector), ==, 90);

  /* The implicit api_base_url comes last, optional, of type url. */
  fields = portico_connector_get_fields (connector);
  g_assert_cmpuint (fields->len, ==, 6);
  last = g_ptr_array_index (fields, fields->len - 1);
  g_assert_cmpstr (last->id, ==, "api_base_url");
  g_assert_cmpstr (last->label, ==, "API base URL");
  g_assert_cmpint (last->type, ==, PORTICO_FIELD_URL);
  g_assert_false (last->required);
  g_assert_nonnull (last->help);

  region = portico_connector_get_field (connector, "region");
  g_assert_nonnull (region);
  g_assert_cmpint (region->type, ==, PORTICO_FIELD_CHOICE);
  g_assert_cmpstrv (region->choice_ids, ((const char * const[]) { "us", "eu", NULL }));
  g_assert_cmpstr (region->default_value, ==, "us");

  read_fields = portico_connector_get_fields_for_permission (connector, "read");
  act_fields = portico_connector_get_fields_for_permission (connector, "act");
  g_assert_cmpuint (read_fields->len, ==, 5);
  g_assert_cmpuint (act_fields->len, ==, 6);
  g_assert_null (portico_connector_get_field (connector, "nope"));

  data_types = portico_connector_get_data_types (connector);
  g_assert_cmpstrv (data_types, ((const char * const[]) { "users", "licenses", "custom_fields", NULL }));
  permissions = portico_connector_get_permissions (connector);
  g_assert_cmpstrv (permissions, ((const char * const[]) { "read", "act", NULL }));
  actions = portico_connector_get_action_ids (connector);
  g_assert_cmpstrv (actions, ((const char * const[]) { "suspend_user", NULL }));
  g_assert_nonnull (portico_connector_get_action (connector, "suspend_user"));
  custom = portico_connector_get_custom_field_labels (connector);
  g_assert_cmpstrv (custom, ((const char * const[]) { "Cost center", NULL }));

  g_assert_true (portico_connector_data_type_is_essential (connector, "users"));
  g_assert_false (portico_connector_data_type_is_essential (connector, "licenses"));
  g_assert_cmpstr (portico_connector_get_data_type_requirement (connector, "licenses"), ==,
                   "Needs the Business plan.");
  g_assert_false (portico_connector_has_data_type (connector, "usage"));

  /* custom_fields reuses the users request, pagination and items. */
  g_assert_cmpstr (portico_connector_get_data_type_source (connector, "custom_fields"), ==, "users");
  g_assert_true (portico_connector_get_data_type_request (connector, "custom_fields") ==
                 portico_connector_get_data_type_request (connector, "users"));
  g_assert_nonnull (portico_connector_get_data_type_pagination (connector, "custom_fields"));
  items = portico_connector_get_data_type_items (connector, "custom_fields");
  g_assert_cmpstr (json_node_get_string (items), ==, "");
  items = portico_connector_get_data_type_items (connector, "licenses");
  g_assert_cmpstr (json_node_get_string (items), ==, "data");
  g_assert_true (json_object_has_member (portico_connector_get_data_type_map (connector, "licenses"), "sku"));
  g_assert_cmpstr (json_object_get_string_member (portico_connector_get_auth (connector), "scheme"), ==, "header");
  g_assert_nonnull (portico_connector_get_identity (connector));
  g_assert_nonnull (portico_connector_get_errors (connector));
  g_assert_nonnull (portico_connector_get_rate_limit (connector));
}

typedef struct
{
  const char *where; /* '/'-separated */
  const char *json;  /* NULL removes */
  const char *expected; /* the message starts with this */
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { "format", "3", "broken.json: format: " },
  { "format", "2", NULL },
  /* Format v2. */
  { "docs_url", "\"https://developer.example.com/api/users\"", NULL },
  { "docs_url", "\"http://developer.example.com\"", "broken.json: docs_url: " },
  { "data_types/users/request/query/since", "\"{now-30d:date}\"", NULL },
  { "data_types/users/request/query/since", "\"{now-30x}\"", NULL }, /* not a date: kept as text */
  { "data_types/users/request/query/since", "\"{now30d}\"", "broken.json: data_types.users.request.query.since: unknown template name “{now30d}”" },
  { "data_types/users/map/email", "\"emails[primary=true].value\"", NULL },
  { "data_types/users/map/email", "\"emails[primary].value\"", "broken.json: data_types.users.map.email: the path “emails[primary].value” has a match" },
  { "data_types/users/items", "\"teams[id={subdomain}].members\"", NULL },
  { "data_types/users/map/role", "{\"all\": \"roles\", \"each\": \"name\", \"sep\": \", \"}", NULL },
  { "data_types/users/map/role", "{\"all\": \"roles[kind=x]\", \"each\": \"name\"}", "broken.json: data_types.users.map.role.all: a match" },
  { "data_types/users/map/role", "{\"all\": \"roles\", \"path\": \"name\"}", "broken.json: data_types.users.map.role.all: unknown key" },
  { "data_types/users/pagination/max_pages", "100", NULL },
  { "data_types/users/pagination/max_pages", "0", "broken.json: data_types.users.pagination.max_pages: 0 is out of range" },
  { "rate_limit/remaining_header", "\"x-ratelimit-remaining\"", NULL },
  { "rate_limit/header_statuses", "[403]", "broken.json: rate_limit.remaining_header: missing" },
  { "errors/message_header", "\"X-BambooHR-Error-Message\"", NULL },
  { "data_types/users/for_each", "{\"values\": [\"active\", \"pending\"]}", NULL },
  { "data_types/users/for_each", "{\"values\": []}", "broken.json: data_types.users.for_each: has no “values”" },
  { "data_types/users/for_each", "{}", "broken.json: data_types.users.for_each: needs either “values” or a “request”" },
  { "data_types/users/for_each", "{\"request\": {\"method\": \"GET\", \"path\": \"/members\"}, \"items\": \"\","
    " \"value\": \"login\", \"pagination\": {\"style\": \"link_header\"}, \"concurrency\": 4}", NULL },
  { "data_types/users/for_each", "{\"request\": {\"method\": \"GET\", \"path\": \"/members\"}}",
    "broken.json: data_types.users.for_each.value: missing" },
  /* "response_format": CSV rows are the items, read in one request. */
  { "data_types/users/response_format", "\"xml\"",
    "broken.json: data_types.users.response_format: unknown response format “xml”; use one of json, csv" },
  { "data_types/users/pagination", "{\"style\": \"none\"}", NULL },
  { "data_types/users/response_format", "\"csv\"",
    "broken.json: data_types.users.response_format: CSV answers are read in one piece; set the pagination style to “none”" },
  { "data_types/users", "{\"request\": {\"method\": \"GET\", \"path\": \"/report\"}, \"response_format\": \"csv\","
    " \"map\": {\"id\": \"User Id\", \"email\": \"Email Address\"}}", NULL },
  { "data_types/users", "{\"request\": {\"method\": \"GET\", \"path\": \"/report\"}, \"response_format\": \"csv\","
    " \"items\": \"\", \"pagination\": {\"style\": \"none\"}, \"map\": {\"id\": \"User Id\"}}", NULL },
  { "data_types/licenses/response_format", "\"csv\"",
    "broken.json: data_types.licenses.response_format: CSV answers are the list of items themselves; set “items” to \"\"" },
  { "data_types/users", "{\"request\": {\"method\": \"GET\", \"path\": \"/report/{item}\"}, \"response_format\": \"csv\","
    " \"for_each\": {\"values\": [\"a\", \"b\"]}, \"map\": {\"id\": \"User Id\"}}",
    "broken.json: data_types.users.response_format: a request per item cannot read CSV answers; remove “for_each”" },
  { "data_types/users", "{\"request\": {\"method\": \"GET\", \"path\": \"/report\"}, \"response_format\": \"csv\","
    " \"items_keyed_by\": \"id\", \"map\": {\"id\": \"User Id\"}}",
    "broken.json: data_types.users.items_keyed_by: does not apply to CSV answers" },
  { "data_types/custom_fields/response_format", "\"csv\"", "broken.json: data_types.custom_fields.request_from: replaces" },
  { "data_types/users/request/path", "\"/api/v1/users/{item}\"",
    "broken.json: data_types.users.request.path: unknown template name “{item}”" },
  { "auth", "{\"scheme\": \"oauth2_client_credentials\", \"token_url\": \"https://{subdomain}.example.com/token\","
    " \"client_id\": \"{subdomain}\", \"client_secret\": \"{api_token}\", \"scope_from_permission\": true}",
    "broken.json: permissions[1]: missing" },
  { "auth", "{\"scheme\": \"oauth2_client_credentials\", \"token_url\": \"https://{subdomain}.example.com/token\","
    " \"client_id\": \"{subdomain}\", \"client_secret\": \"{api_token}\", \"scope\": \"a\", \"scope_from_permission\": true}",
    "broken.json: auth.scope_from_permission: is true while “scope” is also given" },
  /* Format v2: statuses that mean "no items" (BambooHR's empty directory is a 404). */
  { "data_types/users/empty_statuses", "[404]", NULL },
  { "data_types/users/empty_statuses", "[404, 410]", NULL },
  { "data_types/users/empty_statuses", "[401]",
    "broken.json: data_types.users.empty_statuses[0]: must be an HTTP client error status from 400 to 499 other than 401 and 429" },
  { "data_types/users/empty_statuses", "[404, 500]",
    "broken.json: data_types.users.empty_statuses[1]: must be an HTTP client error status" },
  { "data_types/users/empty_statuses", "[\"404\"]", "broken.json: data_types.users.empty_statuses[0]: must be" },
  { "data_types/users/empty_statuses", "404", "broken.json: data_types.users.empty_statuses: " },
  { "data_types/custom_fields/empty_statuses", "[404]",
    "broken.json: data_types.custom_fields.empty_statuses: applies to the data type whose request is reused; remove it here" },
  /* Format v2: items keyed by id, per-choice values, values told at
   * sign-in and revocation (CSV answers above); each refusal names the
   * field and the fix. */
  { "data_types/licenses/items_keyed_by", "\"sku\"", NULL },
  { "data_types/licenses/items_keyed_by", "\"user-id\"",
    "broken.json: data_types.licenses.items_keyed_by: “user-id” is not a member name; use letters, digits and “_”" },
  { "data_types/licenses/items_keyed_by", "\"profile.id\"",
    "broken.json: data_types.licenses.items_keyed_by: “profile.id” is not a member name" },
  { "data_types/licenses/items_keyed_by", "\"\"", "broken.json: data_types.licenses.items_keyed_by: is empty" },
  { "data_types/custom_fields/items_keyed_by", "\"id\"",
    "broken.json: data_types.custom_fields.request_from: replaces “request”, “pagination”, “items”, “items_keyed_by”" },
  { "fields/2/choices", "[{\"id\": \"us\", \"label\": \"US\", \"values\": {\"api_host\": \"https://us.example.com\"}},"
    " {\"id\": \"eu\", \"label\": \"EU\", \"values\": {\"api_host\": \"https://eu.example.com\"}}]", NULL },
  { "fields/2/choices", "[{\"id\": \"us\", \"label\": \"US\", \"values\": {\"api_host\": \"https://us.example.com\"}},"
    " {\"id\": \"eu\", \"label\": \"EU\", \"values\": {\"token_host\": \"https://eu.example.com\"}}]",
    "broken.json: fields[2].choices[1].values: sets “token_host”, which the field's first choice does not; every choice sets the same names" },
  { "fields/2/choices", "[{\"id\": \"us\", \"label\": \"US\", \"values\": {\"api_host\": \"https://us.example.com\"}},"
    " {\"id\": \"eu\", \"label\": \"EU\", \"values\": {\"api_host\": \"https://eu.example.com\", \"region_header\": \"EU\"}}]",
    "broken.json: fields[2].choices[1].values: sets other names than the field's first choice; every choice sets the same names" },
  { "fields/2/choices", "[{\"id\": \"us\", \"label\": \"US\", \"values\": {\"subdomain\": \"us\"}},"
    " {\"id\": \"eu\", \"label\": \"EU\", \"values\": {\"subdomain\": \"eu\"}}]",
    "broken.json: fields[2].choices[0].values.subdomain: “subdomain” is also a field id; name the value differently" },
  { "fields/2/choices", "[{\"id\": \"us\", \"label\": \"US\", \"values\": {\"api_base_url\": \"https://us.example.com\"}},"
    " {\"id\": \"eu\", \"label\": \"EU\", \"values\": {\"api_base_url\": \"https://eu.example.com\"}}]",
    "broken.json: fields[2].choices[0].values.api_base_url: “api_base_url” is a name Portico sets itself; name the value differently" },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"after_sign_in\": {\"request\": {\"method\": \"GET\", \"url\": \"https://api.example.com/me\"},"
    " \"values\": {\"cloud_id\": \"0.id\"}},"
    " \"revoke\": {\"url\": \"https://{subdomain}.example.com/revoke\", \"token\": \"refresh_token\"}}", NULL },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"after_sign_in\": {\"values\": {\"subdomain\": \"0.id\"}}}",
    "broken.json: auth.after_sign_in.values.subdomain: is also a field; a value told at sign-in replaces a field, so remove the field “subdomain”" },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"after_sign_in\": {\"values\": {\"api_base_url\": \"instance_url\"}}}",
    "broken.json: auth.after_sign_in.values.api_base_url: is a name Portico uses itself; choose another name" },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"after_sign_in\": {\"values\": {}}}",
    "broken.json: auth.after_sign_in.values: missing" },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"revoke\": {\"token\": \"refresh_token\"}}",
    "broken.json: auth.revoke.url: missing" },
  { "auth", "{\"scheme\": \"oauth2_authorization_code\", \"authorize_url\": \"https://{subdomain}.example.com/authorize\","
    " \"token_url\": \"https://{subdomain}.example.com/token\", \"client_id\": \"{api_token}\","
    " \"revoke\": {\"url\": \"https://{subdomain}.example.com/revoke\", \"token\": \"id_token\"}}",
    "broken.json: auth.revoke.token: unknown token “id_token”; use one of refresh_token, access_token" },
  { "id", NULL, "broken.json: id: missing" },
  { "id", "\"Bad Id\"", "broken.json: id: “Bad Id” is not a valid connector id" },
  { "name", "\"\"", "broken.json: name: is empty" },
  { "category", "\"idp\"", "broken.json: category: unknown category “idp”; use one of identity_provider, " },
  { "help_url", "\"http://example.com/help\"", "broken.json: help_url: " },
  { "help", NULL, "broken.json: help: missing" },
  { "multi_account", "\"yes\"", "broken.json: multi_account: is a string; it must be true or false" },
  { "colour", "\"blue\"", "broken.json: colour: unknown key" },
  { "base_url", "\"ftp://example.com\"", "broken.json: base_url: " },
  { "base_url", "\"https://{tenant}.example.com\"", "broken.json: base_url: unknown template name “{tenant}”" },
  { "headers/Accept", "5", "broken.json: headers.Accept: is an integer" },
  { "fields/0/type", "\"password\"", "broken.json: fields[0].type: unknown type “password”; use one of text, secret, url, email, choice" },
  { "fields/0/pattern", "\"([\"", "broken.json: fields[0].pattern: is not a valid regular expression" },
  { "fields/1/id", "\"api_base_url\"", "broken.json: fields[1].id: “api_base_url” is implicit" },
  { "fields/1/id", "\"subdomain\"", "broken.json: fields[1].id: the field “subdomain” is defined twice" },
  { "fields/2/choices", NULL, "broken.json: fields[2].choices: missing" },
  { "fields/2/default", "\"apac\"", "broken.json: fields[2].default: “apac” is not one of the choices" },
  { "fields/3/required", "1", "broken.json: fields[3].required: is an integer; it must be true or false" },
  { "fields/4/permissions", "[\"write\"]", "broken.json: fields[4].permissions[0]: must be “read” or “act”" },
  { "permissions", "[{\"id\": \"act\", \"label\": \"Act\"}]", "broken.json: permissions: missing" },
  { "actions", NULL, "broken.json: permissions[1].id: “act” needs actions" },
  { "auth/scheme", "\"apikey\"", "broken.json: auth.scheme: unknown scheme “apikey”" },
  { "auth/value", "\"Bearer {token}\"", "broken.json: auth.value: unknown template name “{token}”" },
  { "auth/header", NULL, "broken.json: auth.header: missing" },
  { "auth/username", "\"x\"", "broken.json: auth.username: unknown key" },
  { "identity/request/path", "\"/org/{user_id}\"", "broken.json: identity.request.path: unknown template name “{user_id}”" },
  { "identity/request", NULL, "broken.json: identity.id: without “identity.request”" },
  { "identity/name", "{\"template\": \"{nope}\"}", "broken.json: identity.name.template: unknown template name “{nope}”" },
  { "data_types/users", NULL, "broken.json: data_types.users: missing" },
  { "data_types/invoices", "{}", "broken.json: data_types.invoices: unknown data type “invoices”" },
  { "data_types/users/request/method", "\"PUT\"", "broken.json: data_types.users.request.method: unknown method “PUT”" },
  { "data_types/users/request/path", "\"api/v1/users\"", "broken.json: data_types.users.request.path: “api/v1/users” does not start with “/”" },
  { "data_types/users/request/query/limit", "200", "broken.json: data_types.users.request.query.limit: is an integer; it must be a string" },
  { "data_types/users/request/body_encoding", "\"xml\"", "broken.json: data_types.users.request.body_encoding: unknown body encoding “xml”" },
  { "data_types/users/request/body", "{\"q\": \"{secret}\"}", "broken.json: data_types.users.request.body.q: unknown template name “{secret}”" },
  { "data_types/users/pagination/style", "\"pages\"",
    "broken.json: data_types.users.pagination.style: unknown style “pages”; use one of none, link_header, cursor, next_url, page, offset, scim" },
  { "data_types/users/pagination", "{\"style\": \"offset\", \"param\": \"offset\", \"size\": 100}",
    "broken.json: data_types.users.pagination.size_param: missing" },
  { "data_types/users/pagination", "{\"style\": \"link_header\", \"param\": \"after\"}",
    "broken.json: data_types.users.pagination.param: unknown key" },
  { "data_types/users/pagination", "{\"style\": \"page\", \"param\": \"page\", \"size\": 0}",
    "broken.json: data_types.users.pagination.size: 0 is out of range" },
  { "data_types/licenses/pagination/param", NULL, "broken.json: data_types.licenses.pagination.param: missing" },
  { "data_types/licenses/pagination/in", "\"header\"", "broken.json: data_types.licenses.pagination.in: unknown place “header”" },
  { "data_types/licenses/pagination/cursor_path", "[]", "broken.json: data_types.licenses.pagination.cursor_path: a path given as an array" },
  { "data_types/licenses/items", "5", "broken.json: data_types.licenses.items: a path must be" },
  { "data_types/licenses/items", "\"byRegion.{region}.data\"", NULL }, /* items may name fields */
  { "data_types/licenses/items", "\"byTenant.{tenant}.data\"",
    "broken.json: data_types.licenses.items: unknown template name “{tenant}”" },
  { "data_types/licenses/items", "[\"by.region\", \"{nope}\"]",
    "broken.json: data_types.licenses.items[1]: unknown template name “{nope}”" },
  { "data_types/users/pagination", "{\"style\": \"page\", \"param\": \"variables.page\", \"in\": \"body\"}",
    "broken.json: data_types.users.pagination.in: “body” needs a request with a body" },
  { "data_types/users/pagination", "{\"style\": \"page\", \"param\": \"variables..page\", \"in\": \"body\"}",
    "broken.json: data_types.users.pagination.param: “variables..page” has an empty key" },
  { "data_types/users/pagination", "{\"style\": \"offset\", \"param\": \"skip\", \"in\": \"form\", \"size_param\": \"n\", \"size\": 5}",
    "broken.json: data_types.users.pagination.in: unknown place “form”" },
  { "data_types/users/pagination", "{\"style\": \"page\", \"param\": \"page\", \"in\": \"query\"}", NULL },
  { "data_types/licenses/map/sku", NULL, "broken.json: data_types.licenses.map.sku: missing" },
  { "data_types/users/map/id", NULL, "broken.json: data_types.users.map.id: missing" },
  { "data_types/users/map/mood", "\"mood\"", "broken.json: data_types.users.map.mood: unknown key" },
  { "data_types/users/map/status/map/ACTIVE", "\"enabled\"", "broken.json: data_types.users.map.status.map.ACTIVE: a user status must be one of active, invited, suspended, deprovisioned" },
  /* Who was assigned to an app: a person, a group or something else. */
  { "data_types/app_assignments", "{\"request\": {\"method\": \"GET\", \"path\": \"/a\"}, \"map\": {\"app_id\": \"r\","
    " \"principal_type\": {\"path\": \"t\", \"map\": {\"User\": \"user\", \"Group\": \"group\"}, \"default\": \"other\"}}}", NULL },
  { "data_types/app_assignments", "{\"request\": {\"method\": \"GET\", \"path\": \"/a\"}, \"map\": {\"app_id\": \"r\","
    " \"principal_type\": {\"path\": \"t\", \"map\": {\"User\": \"person\"}}}}",
    "broken.json: data_types.app_assignments.map.principal_type.map.User: a principal type must be one of user, group, other" },
  { "data_types/app_assignments", "{\"request\": {\"method\": \"GET\", \"path\": \"/a\"}, \"map\": {\"app_id\": \"r\","
    " \"principal_type\": {\"path\": \"t\", \"map\": {\"User\": \"user\"}, \"default\": \"team\"}}}",
    "broken.json: data_types.app_assignments.map.principal_type.default: a principal type must be one of user, group, other" },
  { "data_types/users/map/email", "{\"path\": \"a..b\"}", "broken.json: data_types.users.map.email.path: the path “a..b” has an empty key" },
  { "data_types/users/map/email", "[\"a\", true]", "broken.json: data_types.users.map.email: element 1 of the path" },
  { "data_types/users/map/email", "[\"say \\\"hi\\\"\"]", "broken.json: data_types.users.map.email: the key “say \"hi\"” holds a double quote" },
  { "data_types/users/map/name", "{\"join\": []}", "broken.json: data_types.users.map.name.join: is empty" },
  { "data_types/users/map/name", "{\"first\": [\"a\", {\"bogus\": 1}]}", "broken.json: data_types.users.map.name.first[1]: unknown expression" },
  { "data_types/users/map/name", "{\"path\": \"a\", \"scale\": \"x\"}", "broken.json: data_types.users.map.name.scale: is a string; it must be a number" },
  { "data_types/users/map/name", "{\"path\": \"a\", \"map\": {\"x\": \"y\"}, \"scale\": 2}", "broken.json: data_types.users.map.name: has both “map” and “scale”" },
  { "data_types/users/map/name", "{\"literal\": [1]}", "broken.json: data_types.users.map.name.literal: is an array" },
  { "data_types/users/map/email", "{\"template\": \"{subdomain}\"}", "broken.json: data_types.users.map.email: a template reads field values and is only allowed in identity" },
  { "data_types/custom_fields/request_from", "\"groups\"", "broken.json: data_types.custom_fields.request_from: names “groups”, which this connector does not define" },
  { "data_types/custom_fields/items", "\"data\"", "broken.json: data_types.custom_fields.request_from: replaces" },
  { "data_types/custom_fields/map/fields", "{}", "broken.json: data_types.custom_fields.map.fields: is empty" },
  { "data_types/usage", "{\"request\": {\"method\": \"GET\", \"path\": \"/u\"}, \"map\": {\"last_activity\": \"t\"}}",
    "broken.json: data_types.usage.map: needs “user_id” or “email”" },
  { "errors/codes/E0000011", "\"unauthorized\"", "broken.json: errors.codes.E0000011: unknown error “unauthorized”; use one of not_authorized, forbidden, plan, not_found, rate_limited, server, bad_response" },
  { "errors/ok_path", "\"ok\"", NULL }, /* valid: code exists */
  { "errors/errors_path", "\"errors\"", NULL },
  { "errors/errors_path", "5", "broken.json: errors.errors_path: a path must be" },
  { "errors/code", NULL, NULL },        /* valid without ok_path */
  { "rate_limit/statuses", "[200]", "broken.json: rate_limit.statuses[0]: must be an HTTP error status" },
  { "rate_limit/reset_format", "\"unix\"", "broken.json: rate_limit.reset_format: unknown format “unix”" },
  { "actions/0/request/path", "\"/users/{user}/suspend\"", "broken.json: actions[0].request.path: unknown template name “{user}”" },
  { "actions/0/id", "\"Suspend!\"", "broken.json: actions[0].id: “Suspend!” is not a valid action id" },
  { "actions/0/request/method", "\"DELETE\"", NULL }, /* actions may use every verb */
  { "_comment", "\"top-level comments are fine\"", NULL },
  { "data_types/users/map/_comment", "\"x\"", "broken.json: data_types.users.map._comment: unknown key" },
  { "usage_period_days", "0", "broken.json: usage_period_days: 0 is out of range" },
  /* A second request step: {response} is known in it alone, one step only,
   * for data types only. */
  { "data_types/users/request/then", "{\"method\": \"GET\", \"path\": \"/files/{response}\","
    " \"query\": {\"name\": \"{response}\"}, \"headers\": {\"X-Org\": \"{subdomain}\"}}", NULL },
  { "data_types/users/request/then", "{\"method\": \"GET\", \"path\": \"/files/{resp}\"}",
    "broken.json: data_types.users.request.then.path: unknown template name “{resp}”" },
  { "data_types/users/request/then", "{\"method\": \"GET\"}",
    "broken.json: data_types.users.request.then.path:" },
  { "data_types/users/request/then", "\"/files\"", "broken.json: data_types.users.request.then:" },
  { "data_types/users/request/then",
    "{\"method\": \"GET\", \"path\": \"/a\", \"then\": {\"method\": \"GET\", \"path\": \"/b\"}}",
    "broken.json: data_types.users.request.then.then: unknown key" },
  { "data_types/users/request/path", "\"/users/{response}\"",
    "broken.json: data_types.users.request.path: unknown template name “{response}”" },
  { "identity/request/then", "{\"method\": \"GET\", \"path\": \"/b\"}",
    "broken.json: identity.request.then: unknown key" },
  { "actions/0/request/then", "{\"method\": \"GET\", \"path\": \"/b\"}",
    "broken.json: actions[0].request.then: unknown key" },
  { "data_types/users/request", "{\"method\": \"POST\", \"path\": \"/u\", \"body\": {\"a\": \"{subdomain}\"},"
    " \"body_encoding\": \"form\", \"form_field\": \"job\", \"form_params\": {\"template\": \"${x.y} {region}\"}}", NULL },
  { "data_types/users/request", "{\"method\": \"POST\", \"path\": \"/u\", \"body_encoding\": \"form\","
    " \"form_field\": \"job\", \"form_params\": {\"template\": \"{nope}\"}}",
    "broken.json: data_types.users.request.form_params.template: unknown template name “{nope}”" },
  { "data_types/users/request/form_params", "{\"template\": \"x\"}",
    "broken.json: data_types.users.request.form_params: sends form fields beside “form_field”" },
};

static void
test_broken_definitions (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      const BrokenCase *bc = &broken_cases[i];
      g_autofree char *text = mutate (bc->where, bc->json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PorticoConnector) connector = NULL;

      g_test_message ("case %s = %s", bc->where, bc->json != NULL ? bc->json : "(removed)");
      connector = portico_connector_new_from_data (text, -1, "/some/folder/broken.json", FALSE, &error);

      if (bc->expected == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (connector);
          continue;
        }

      g_assert_null (connector);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
      if (!g_str_has_prefix (error->message, bc->expected))
        g_error ("for %s: expected a message starting with ‘%s’, got ‘%s’", bc->where,
                 bc->expected, error->message);
      /* One sentence that names a fix: "…; use …", "add …", … */
      g_assert_null (strchr (error->message, '\n'));
    }
}

/* Expensify's expenses: an export job, then the download of its file;
 * the merchants reuse that pair. */
static void
test_shipped_then (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("PORTICO_CONNECTORS_DIR"), "expensify.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = portico_connector_new_from_file (file, FALSE, &error);
  JsonObject *req;
  JsonObject *then;

  g_assert_no_error (error);
  req = portico_connector_get_data_type_request (connector, "transactions");
  g_assert_nonnull (req);
  g_assert_true (json_object_has_member (json_object_get_object_member (req, "form_params"), "template"));
  then = json_object_get_object_member (req, "then");
  g_assert_nonnull (then);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (then, "body"), "fileName"),
                   ==, "{response}");
  g_assert_true (portico_connector_get_data_type_request (connector, "discovered_apps") == req);
}

static void
test_not_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;

  connector = portico_connector_new_from_data ("{\"format\": 1,", -1, "half.json", FALSE, &error);
  g_assert_null (connector);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_true (g_str_has_prefix (error->message, "half.json: not valid JSON"));
  g_clear_error (&error);

  connector = portico_connector_new_from_data ("[1, 2]", -1, "array.json", FALSE, &error);
  g_assert_null (connector);
  g_assert_true (g_str_has_prefix (error->message, "array.json: the file must hold one JSON object"));
}

static char *
write_connector (const char *dir, const char *file_name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, file_name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* The fixture with another id, name and category. */
static char *
variant (const char *id, const char *name, const char *category)
{
  g_autoptr(JsonNode) root = json_from_string (fixture_json, NULL);
  JsonObject *obj = json_node_get_object (root);

  json_object_set_string_member (obj, "id", id);
  json_object_set_string_member (obj, "name", name);
  json_object_set_string_member (obj, "category", category);
  return json_to_string (root, FALSE);
}

static void
test_id_matches_file_name (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-catalog-XXXXXX", NULL);
  g_autofree char *path = write_connector (dir, "okta.json", fixture_json);
  g_autofree char *good_path = write_connector (dir, "fixture.json", fixture_json);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) good_file = g_file_new_for_path (good_path);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/portico/none.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;

  connector = portico_connector_new_from_file (file, FALSE, &error);
  g_assert_null (connector);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_true (g_str_has_prefix (error->message, "okta.json: id: “fixture” does not match the file name"));
  g_clear_error (&error);

  connector = portico_connector_new_from_file (good_file, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (portico_connector_is_custom (connector));
  g_assert_cmpstr (portico_connector_get_origin (connector), ==, good_path);
  g_clear_object (&connector);

  connector = portico_connector_new_from_file (missing, FALSE, &error);
  g_assert_null (connector);
  g_assert_true (g_str_has_prefix (error->message, "none.json: cannot be read"));

  g_unlink (path);
  g_unlink (good_path);
  g_rmdir (dir);
}

static guint
count_json_files (const char *dir)
{
  g_autoptr(GDir) gdir = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (gdir == NULL)
    return 0;
  while ((name = g_dir_read_name (gdir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      n++;
  return n;
}

static void
check_connector_maps_compile (PorticoConnector *connector)
{
  g_auto(GStrv) data_types = portico_connector_get_data_types (connector);

  for (guint i = 0; data_types[i] != NULL; i++)
    {
      JsonObject *map = portico_connector_get_data_type_map (connector, data_types[i]);
      JsonObjectIter iter;
      const char *target;
      JsonNode *expr;

      json_object_iter_init_ordered (&iter, map);
      while (json_object_iter_next_ordered (&iter, &target, &expr))
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *sql = NULL;

          if (g_str_equal (target, "fields") && g_str_equal (data_types[i], "custom_fields"))
            {
              JsonObjectIter fields_iter;
              const char *label;
              JsonNode *field_expr;

              json_object_iter_init_ordered (&fields_iter, json_node_get_object (expr));
              while (json_object_iter_next_ordered (&fields_iter, &label, &field_expr))
                {
                  g_autofree char *field_sql = portico_expr_to_sql (field_expr, "value", &error);

                  g_assert_no_error (error);
                  g_assert_nonnull (field_sql);
                }
              continue;
            }
          sql = portico_expr_to_sql (expr, "value", &error);
          g_assert_no_error (error);
          g_assert_nonnull (sql);
        }
    }
}

/* Every shipped definition loads, without a single problem. */
static void
test_shipped_connectors (void)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  GPtrArray *problems;
  guint files;
  guint n_items;

  g_assert_nonnull (dir);
  files = count_json_files (dir);

  portico_catalog_load_default (catalog);
  problems = portico_catalog_get_problems (catalog);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", ((GError *) g_ptr_array_index (problems, i))->message);
  g_assert_cmpuint (problems->len, ==, 0);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  g_assert_cmpuint (n_items, ==, files);
  if (files > 0)
    g_assert_cmpuint (n_items, >=, 1);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);
      GPtrArray *fields = portico_connector_get_fields (connector);
      const PorticoConnectorField *last = g_ptr_array_index (fields, fields->len - 1);

      g_assert_false (portico_connector_is_custom (connector));
      g_assert_true (portico_catalog_lookup (catalog, portico_connector_get_id (connector)) == connector);
      g_assert_cmpstr (last->id, ==, "api_base_url");
      g_assert_true (portico_connector_has_data_type (connector, "users"));
      check_connector_maps_compile (connector);

      if (i > 0)
        {
          g_autoptr(PorticoConnector) previous = g_list_model_get_item (G_LIST_MODEL (catalog), i - 1);

          g_assert_cmpint (portico_category_rank (portico_connector_get_category (previous)), <=,
                           portico_category_rank (portico_connector_get_category (connector)));
        }
    }
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  guint *changes = user_data;

  *changes += 1;
}

/* A broken custom file is one problem; the valid ones still load, and a
 * custom connector replaces the shipped one with its id. */
static void
test_custom_dir (void)
{
  g_autofree char *shipped = g_dir_make_tmp ("portico-shipped-XXXXXX", NULL);
  g_autofree char *user_dir = portico_catalog_get_user_dir ();
  g_autofree char *text_a = variant ("alpha", "Alpha", "identity_provider");
  g_autofree char *text_b = variant ("beta", "Beta", "sales");
  g_autofree char *text_b_custom = variant ("beta", "Beta (our proxy)", "sales");
  g_autofree char *text_c = variant ("gamma", "Gamma", "other");
  g_autofree char *old_env = g_strdup (g_getenv ("PORTICO_CONNECTORS_DIR"));
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL, *p6 = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(GFile) schema_dir = NULL;
  PorticoConnector *beta;
  GPtrArray *problems;
  GError *problem;
  guint changes = 0;

  g_assert_true (g_str_has_prefix (user_dir, g_get_user_data_dir ()));

  p1 = write_connector (shipped, "alpha.json", text_a);
  p2 = write_connector (shipped, "beta.json", text_b);
  p6 = g_build_filename (shipped, "schema", NULL);
  g_assert_cmpint (g_mkdir_with_parents (p6, 0700), ==, 0);
  p3 = write_connector (user_dir, "beta.json", text_b_custom);
  p4 = write_connector (user_dir, "gamma.json", text_c);
  p5 = write_connector (user_dir, "broken.json", "{\"format\": 1, \"id\": \"broken\"}");

  g_signal_connect (catalog, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_setenv ("PORTICO_CONNECTORS_DIR", shipped, TRUE);
  portico_catalog_load_default (catalog);
  if (old_env != NULL)
    g_setenv ("PORTICO_CONNECTORS_DIR", old_env, TRUE);
  else
    g_unsetenv ("PORTICO_CONNECTORS_DIR");

  /* A custom file with a shipped connector's id is refused like a broken
   * file (it would send the shipped accounts' credentials where it likes),
   * and the shipped connector stays. */
  problems = portico_catalog_get_problems (catalog);
  g_assert_cmpuint (problems->len, ==, 2);
  problem = g_ptr_array_index (problems, 0);
  g_assert_error (problem, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_cmpstr (problem->message, ==,
                   "beta.json: id: “beta” is the id of the shipped connector Beta, which a custom connector "
                   "cannot replace; give this file another id, for example “beta-custom”.");
  problem = g_ptr_array_index (problems, 1);
  g_assert_error (problem, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
  g_assert_true (g_str_has_prefix (problem->message, "broken.json: name: missing"));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalog)), ==, 3);
  g_assert_cmpuint (changes, ==, 3); /* 3 inserts, no replacement */
  beta = portico_catalog_lookup (catalog, "beta");
  g_assert_nonnull (beta);
  g_assert_false (portico_connector_is_custom (beta));
  g_assert_cmpstr (portico_connector_get_name (beta), ==, "Beta");
  g_assert_false (portico_connector_is_custom (portico_catalog_lookup (catalog, "alpha")));
  g_assert_true (portico_connector_is_custom (portico_catalog_lookup (catalog, "gamma")));
  g_assert_null (portico_catalog_lookup (catalog, "broken"));

  /* Added directly, a custom definition does not replace a shipped one
   * either, and a shipped one never replaces anything. */
  {
    g_autoptr(PorticoConnector) custom_beta =
      portico_connector_new_from_data (text_b_custom, -1, "beta.json", TRUE, NULL);
    g_autoptr(PorticoConnector) shipped_beta =
      portico_connector_new_from_data (text_b, -1, "beta.json", FALSE, NULL);

    g_assert_false (portico_catalog_add (catalog, custom_beta));
    g_assert_false (portico_catalog_add (catalog, shipped_beta));
    g_assert_true (portico_catalog_lookup (catalog, "beta") == beta);
  }

  /* An edited custom file still replaces its previous version. */
  {
    g_autofree char *text_c2 = variant ("gamma", "Gamma v2", "other");
    g_autoptr(PorticoConnector) gamma2 =
      portico_connector_new_from_data (text_c2, -1, "gamma.json", TRUE, NULL);

    g_assert_true (portico_catalog_add (catalog, gamma2));
    g_assert_cmpstr (portico_connector_get_name (portico_catalog_lookup (catalog, "gamma")), ==, "Gamma v2");
  }

  /* Sorted by category: identity providers first, "other" last. */
  {
    const char *expected[] = { "alpha", "beta", "gamma" };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr(PorticoConnector) c = g_list_model_get_item (G_LIST_MODEL (catalog), i);

        g_assert_cmpstr (portico_connector_get_id (c), ==, expected[i]);
      }
  }

  /* A missing folder is no problem. */
  g_assert_cmpuint (portico_catalog_load_dir (catalog, "/nonexistent/portico", TRUE), ==, 0);
  g_assert_cmpuint (problems->len, ==, 2);

  g_unlink (p1);
  g_unlink (p2);
  g_unlink (p3);
  g_unlink (p4);
  g_unlink (p5);
  g_rmdir (p6);
  g_rmdir (shipped);
}

static void
test_sort_order (void)
{
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  struct { const char *id, *name, *category; } defs[] = {
    { "zz-expense", "Zeta Expenses", "expenses" },
    { "chat", "chat", "communication" },
    { "misc", "Misc", "other" },
    { "hr", "People", "human_resources" },
    { "idp-b", "beta IdP", "identity_provider" },
    { "idp-a", "Alpha IdP", "identity_provider" },
    { "board", "Board", "communication" },
  };
  const char *expected[] = { "idp-a", "idp-b", "hr", "zz-expense", "board", "chat", "misc" };

  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      g_autofree char *text = variant (defs[i].id, defs[i].name, defs[i].category);
      g_autoptr(GError) error = NULL;
      g_autoptr(PorticoConnector) c = portico_connector_new_from_data (text, -1, NULL, FALSE, &error);

      g_assert_no_error (error);
      g_assert_true (portico_catalog_add (catalog, c));
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalog)), ==, G_N_ELEMENTS (expected));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (catalog)) == PORTICO_TYPE_CONNECTOR);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(PorticoConnector) c = g_list_model_get_item (G_LIST_MODEL (catalog), i);

      g_assert_cmpstr (portico_connector_get_id (c), ==, expected[i]);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (catalog), G_N_ELEMENTS (expected)));
}

typedef struct
{
  const char *field;
  const char *value;
  gboolean ok;
  const char *message_part; /* for refusals */
} ValueCase;

static void
test_validate_value (void)
{
  static const ValueCase cases[] = {
    { "api_base_url", "http://127.0.0.1:8080", TRUE, NULL },
    { "api_base_url", "http://127.1.2.3:9", TRUE, NULL },
    { "api_base_url", "http://[::1]:8080/", TRUE, NULL },
    { "api_base_url", "http://localhost:8080", TRUE, NULL },
    { "api_base_url", "https://example.com", TRUE, NULL },
    { "api_base_url", "https://eu.proxy.example.com:8443/", TRUE, NULL },
    { "api_base_url", "", TRUE, NULL },
    { "api_base_url", NULL, TRUE, NULL },
    { "api_base_url", "http://example.com", FALSE, "use https://example.com instead" },
    { "api_base_url", "http://10.0.0.1", FALSE, "loopback" },
    { "api_base_url", "ftp://example.com", FALSE, "not a web address" },
    { "api_base_url", "example.com", FALSE, "not a web address" },
    { "api_base_url", "https://", FALSE, "not a web address" },
    { "api_base_url", "https://example.com/v1", FALSE, "only the scheme, host and port are used" },
    { "subdomain", "acme", TRUE, NULL },
    { "subdomain", "", FALSE, "required" },
    { "subdomain", NULL, FALSE, "required" },
    { "subdomain", "Acme Corp", FALSE, "The part before .example.com." },
    { "api_token", "s3cr3t", TRUE, NULL },
    { "api_token", "has space", FALSE, "No spaces." },
    { "region", "eu", TRUE, NULL },
    { "region", "apac", FALSE, "use one of us, eu" },
    { "admin_email", "admin@example.com", TRUE, NULL },
    { "admin_email", "admin@example", FALSE, "not an email address" },
    { "admin_email", "admin example.com", FALSE, "not an email address" },
    { "admin_email", "", TRUE, NULL },
    { "nope", "x", FALSE, "has no field" },
  };
  g_autoptr(PorticoConnector) connector = load_fixture (NULL);

  g_assert_nonnull (connector);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = portico_connector_validate_value (connector, cases[i].field, cases[i].value, &error);

      g_test_message ("%s = %s", cases[i].field, cases[i].value);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
          if (strstr (error->message, cases[i].message_part) == NULL)
            g_error ("expected ‘%s’ in ‘%s’", cases[i].message_part, error->message);
        }
    }

  /* A refused secret is never repeated in the message. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (portico_connector_validate_value (connector, "api_token", "top secret", &error));
    g_assert_null (strstr (error->message, "top secret"));
  }
}

static void
test_labels (void)
{
  for (guint i = 0; portico_data_type_ids[i] != NULL; i++)
    {
      const char *label = portico_data_type_label (portico_data_type_ids[i]);

      g_assert_nonnull (label);
      g_assert_cmpstr (label, !=, portico_data_type_ids[i]);
    }
  g_assert_cmpstr (portico_data_type_label ("custom_fields"), ==, "Custom fields");
  g_assert_cmpstr (portico_data_type_label ("discovered_apps"), ==, "Discovered apps");
  g_assert_cmpstr (portico_category_label ("identity_provider"), ==, "Identity providers");
  g_assert_cmpstr (portico_category_label ("human_resources"), ==, "Human resources");
  g_assert_cmpstr (portico_category_label ("expenses"), ==, "Expenses");
  g_assert_cmpstr (portico_category_label ("communication"), ==, "Communication");
  g_assert_cmpint (portico_category_rank ("identity_provider"), <, portico_category_rank ("human_resources"));
  g_assert_cmpint (portico_category_rank ("human_resources"), <, portico_category_rank ("expenses"));
  g_assert_cmpint (portico_category_rank ("expenses"), <, portico_category_rank ("communication"));
  g_assert_cmpint (portico_category_rank ("marketing"), <, portico_category_rank ("other"));
  g_assert_cmpint (portico_category_rank ("other"), <, portico_category_rank ("unknown"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/catalog/fixture", test_fixture_loads);
  g_test_add_func ("/catalog/broken", test_broken_definitions);
  g_test_add_func ("/catalog/not-json", test_not_json);
  g_test_add_func ("/catalog/id-matches-file", test_id_matches_file_name);
  g_test_add_func ("/catalog/shipped", test_shipped_connectors);
  g_test_add_func ("/catalog/shipped-then", test_shipped_then);
  g_test_add_func ("/catalog/custom-dir", test_custom_dir);
  g_test_add_func ("/catalog/sort", test_sort_order);
  g_test_add_func ("/catalog/validate-value", test_validate_value);
  g_test_add_func ("/catalog/labels", test_labels);

  return g_test_run ();
}
