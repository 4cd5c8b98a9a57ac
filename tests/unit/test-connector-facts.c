/* test-connector-facts.c: shipped connectors against what the providers'
 * documentation says, spoken by the sandbox's documented rules
 * (src/sandbox/portico-sandbox-vendor.c), which do not follow the
 * definitions. Each test names the documented fact; each failed on the
 * definition shipped before it was fixed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-connector-facts"

#include "config.h"

#include <string.h>

#include "portico-catalog.h"
#include "portico-connector.h"
#include "portico-errors.h"
#include "portico-http.h"
#include "portico-runtime.h"
#include "portico-sandbox-server.h"
#include "sign-in-test-util.h"

static PorticoCatalog *catalog;
static PorticoSandbox *sandbox;
static PorticoRuntime *runtime;

typedef struct
{
  JsonArray *items;
  guint pages;
  gint64 total;
  GError *error;
  gboolean done;
} Fetch;

static gboolean
collect_page (const char *data_type_id,
              guint       page_index,
              GBytes     *body,
              JsonArray  *items,
              gpointer    user_data,
              GError    **error)
{
  Fetch *f = user_data;

  f->pages++;
  for (guint i = 0; i < json_array_get_length (items); i++)
    json_array_add_element (f->items, json_node_copy (json_array_get_element (items, i)));
  return TRUE;
}

static void
fetch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fetch *f = user_data;

  f->total = portico_runtime_fetch_data_type_finish (PORTICO_RUNTIME (source), result, &f->error);
  f->done = TRUE;
}

static GHashTable *
values_for (const char *connector_id,
            const char *behaviour)
{
  GHashTable *values = portico_sandbox_get_field_values (sandbox, connector_id, behaviour);
  g_autoptr(GError) error = NULL;

  /* A connector that signs in does so first, as the admin would. */
  if (!sandbox_sign_in (runtime, portico_catalog_lookup (catalog, connector_id), values, &error))
    g_test_message ("sign-in refused: %s", error->message);
  return values;
}

/* Every item of @data_type, all pages. */
static void
fetch (PorticoConnector *connector,
       GHashTable       *values,
       const char       *data_type,
       Fetch            *f)
{
  memset (f, 0, sizeof *f);
  f->items = json_array_new ();
  portico_runtime_fetch_data_type_async (runtime, connector, values, data_type, 0,
                                         collect_page, f, NULL, NULL, fetch_done, f);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
fetch_clear (Fetch *f)
{
  g_clear_pointer (&f->items, json_array_unref);
  g_clear_error (&f->error);
}

/* The text of @target mapped by the definition over each item. */
static GPtrArray *
mapped (PorticoConnector *connector,
        const char       *data_type,
        const char       *target,
        JsonArray        *items)
{
  JsonObject *map = portico_connector_get_data_type_map (connector, data_type);
  JsonNode *expr = json_object_get_member (map, target);

  if (expr == NULL && json_object_has_member (map, "fields"))
    expr = json_object_get_member (json_object_get_object_member (map, "fields"), target);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      char *text = portico_expr_eval_string (expr, json_array_get_element (items, i), NULL);

      if (text != NULL)
        g_ptr_array_add (out, text);
    }
  return out;
}

static gboolean
contains (GPtrArray  *strings,
          const char *value)
{
  return g_ptr_array_find_with_equal_func (strings, value, g_str_equal, NULL);
}

static GPtrArray *
expected_values (const char *connector_id,
                 const char *data_type,
                 const char *key)
{
  JsonArray *expected = portico_sandbox_get_expected (sandbox, connector_id, data_type);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; expected != NULL && i < json_array_get_length (expected); i++)
    {
      JsonObject *o = json_array_get_object_element (expected, i);
      JsonNode *v = json_object_get_member (o, key);

      if (v == NULL && json_object_has_member (o, "fields"))
        v = json_object_get_member (json_object_get_object_member (o, "fields"), key);
      if (v != NULL && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (v)));
    }
  return out;
}

/* Okta hides DEPROVISIONED users unless the search asks for them; the
 * status map has them, so the search must ask. */
static void
test_okta_deprovisioned (void)
{
  PorticoConnector *okta = portico_catalog_lookup (catalog, "okta");
  g_autoptr(GHashTable) values = values_for ("okta", "ok");
  g_autoptr(GPtrArray) statuses = NULL;
  Fetch f;

  fetch (okta, values, "users", &f);
  g_assert_no_error (f.error);
  statuses = mapped (okta, "users", "status", f.items);
  g_assert_true (contains (statuses, "deprovisioned"));
  g_assert_true (contains (statuses, "active"));
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "okta", "users")));
  fetch_clear (&f);
}

static PorticoConnector *variant (const char *connector_id,
                                   void      (*edit) (JsonObject *def));

/* HiBob gives list fields (department, site, title) as item ids unless
 * humanReadable asks for names. */
static void
test_hibob_human_readable (void)
{
  PorticoConnector *hibob = portico_catalog_lookup (catalog, "hibob");
  g_autoptr(GHashTable) values = values_for ("hibob", "ok");
  g_autoptr(GPtrArray) titles = NULL;
  g_autoptr(GPtrArray) expected = expected_values ("hibob", "custom_fields", "Department");
  Fetch f;

  fetch (hibob, values, "custom_fields", &f);
  g_assert_no_error (f.error);
  titles = mapped (hibob, "custom_fields", "Department", f.items);
  g_assert_cmpuint (titles->len, >, 0);
  for (guint i = 0; i < titles->len; i++)
    if (!contains (expected, titles->pdata[i]))
      g_error ("HiBob department “%s” is not a name the sandbox gave (%u names)", (char *) titles->pdata[i], expected->len);
  fetch_clear (&f);
}

static void
hibob_ids (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");

  json_object_remove_member (json_object_get_object_member (json_object_get_object_member (users, "request"), "body"),
                             "humanReadable");
}

/* A request without humanReadable gets ids, and the next one asking for
 * names still gets names: answering one request never changes the
 * sandbox's records. */
static void
test_hibob_ids_then_names (void)
{
  PorticoConnector *hibob = portico_catalog_lookup (catalog, "hibob");
  g_autoptr(PorticoConnector) ids = variant ("hibob", hibob_ids);
  g_autoptr(GHashTable) values = values_for ("hibob", "ok");
  g_autoptr(GPtrArray) as_ids = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) expected = expected_values ("hibob", "custom_fields", "Department");
  Fetch f;

  fetch (ids, values, "custom_fields", &f);
  g_assert_no_error (f.error);
  as_ids = mapped (ids, "custom_fields", "Department", f.items);
  g_assert_cmpuint (as_ids->len, >, 0);
  for (guint i = 0; i < as_ids->len; i++)
    g_assert_false (contains (expected, as_ids->pdata[i]));
  fetch_clear (&f);

  fetch (hibob, values, "custom_fields", &f);
  g_assert_no_error (f.error);
  names = mapped (hibob, "custom_fields", "Department", f.items);
  g_assert_cmpuint (names->len, >, 0);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (contains (expected, names->pdata[i]));
  fetch_clear (&f);
}

/* Expensify's report exporter needs a date filter (startDate,
 * approvedAfter or reportIDList) and a template over "reports". */
static void
test_expensify_report_export (void)
{
  PorticoConnector *expensify = portico_catalog_lookup (catalog, "expensify");
  JsonObject *request = portico_connector_get_data_type_request (expensify, "transactions");
  JsonObject *filters = json_object_get_object_member (json_object_get_object_member (
    json_object_get_object_member (request, "body"), "inputSettings"), "filters");
  g_autoptr(GHashTable) values = values_for ("expensify", "ok");
  Fetch f;

  g_assert_true (json_object_has_member (filters, "startDate"));
  fetch (expensify, values, "transactions", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);
}

/* Ramp's client credentials get the scopes they ask for: the act level
 * must ask for users:write, the read level must not. */
static gboolean
token_scope_has (const char *scope_wanted)
{
  g_autoptr(JsonNode) log = portico_sandbox_get_requests (sandbox);
  JsonArray *entries = json_node_get_array (log);

  for (guint i = json_array_get_length (entries); i > 0; i--)
    {
      JsonObject *e = json_array_get_object_element (entries, i - 1);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "connector", ""), "ramp") == 0 &&
          json_object_has_member (e, "scope"))
        {
          g_auto(GStrv) scopes = g_strsplit (json_object_get_string_member (e, "scope"), " ", -1);

          return g_strv_contains ((const char * const *) scopes, scope_wanted);
        }
    }
  g_assert_not_reached ();
}

static void
test_ramp_scope_per_permission (void)
{
  PorticoConnector *ramp = portico_catalog_lookup (catalog, "ramp");
  g_autoptr(GHashTable) values = values_for ("ramp", "ok");
  Fetch f;

  g_hash_table_replace (values, g_strdup (PORTICO_VALUE_PERMISSION), g_strdup ("act"));
  fetch (ramp, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_true (token_scope_has ("users:write"));
  fetch_clear (&f);

  g_hash_table_replace (values, g_strdup (PORTICO_VALUE_PERMISSION), g_strdup ("read"));
  fetch (ramp, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_false (token_scope_has ("users:write"));
  g_assert_true (token_scope_has ("users:read"));
  fetch_clear (&f);
}

/* Slack's team.accessLogs refuses page 101 (over_pagination_limit): the
 * read stops at page 100. Shown with one login per page, so that the
 * sandbox's logins need more than 100 pages. */
static void
test_slack_access_logs_page_limit (void)
{
  PorticoConnector *slack = portico_catalog_lookup (catalog, "slack");
  JsonObject *pagination = portico_connector_get_data_type_pagination (slack, "usage");
  g_autoptr(JsonNode) def = json_node_copy (json_node_init_object (json_node_alloc (),
                                                                   portico_connector_get_definition (slack)));
  JsonObject *usage_pag = json_object_get_object_member (json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (def), "data_types"), "usage"), "pagination");
  g_autofree char *text = NULL;
  g_autoptr(PorticoConnector) small = NULL;
  g_autoptr(GHashTable) values = values_for ("slack", "ok");
  g_autoptr(GError) error = NULL;
  Fetch f;

  g_assert_cmpint (json_object_get_int_member_with_default (pagination, "max_pages", 0), ==, 100);
  g_assert_cmpuint (json_array_get_length (portico_sandbox_get_expected (sandbox, "slack", "usage")), >, 100);

  json_object_set_int_member (usage_pag, "size", 1);
  text = json_to_string (def, FALSE);
  small = portico_connector_new_from_data (text, -1, "slack.json", FALSE, &error);
  g_assert_no_error (error);
  fetch (small, values, "usage", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.pages, ==, 100);
  fetch_clear (&f);

  /* Without the limit the read runs into Slack's refusal. */
  json_object_remove_member (usage_pag, "max_pages");
  g_free (text);
  text = json_to_string (def, FALSE);
  g_clear_object (&small);
  small = portico_connector_new_from_data (text, -1, "slack.json", FALSE, &error);
  g_assert_no_error (error);
  fetch (small, values, "usage", &f);
  g_assert_nonnull (f.error);
  g_assert_cmpuint (f.pages, ==, 100);
  fetch_clear (&f);
}

/* GitHub's primary rate limit is a 403 with x-ratelimit-remaining: 0: it is
 * waited out, not reported as a missing permission. */
static void
test_github_rate_limit_403 (void)
{
  PorticoConnector *github = portico_catalog_lookup (catalog, "github");
  g_autoptr(GHashTable) values = values_for ("github", "ok");
  Fetch f;

  portico_sandbox_set_fault (sandbox, "github", PORTICO_SANDBOX_FAULT_RATE_LIMIT, 1);
  fetch (github, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);

  /* A 403 without those headers stays a refusal. */
  values = (g_hash_table_unref (values), values_for ("github", "plan"));
  {
    g_auto(GStrv) failures = portico_sandbox_get_plan_failures (sandbox, "github");

    g_assert_true (failures != NULL && failures[0] != NULL);
    fetch (github, values, failures[0], &f);
    g_assert_nonnull (f.error);
    g_assert_false (g_error_matches (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED));
    fetch_clear (&f);
  }
}

/* Zoom lists active, inactive and pending users separately. */
static void
test_zoom_every_status (void)
{
  PorticoConnector *zoom = portico_catalog_lookup (catalog, "zoom");
  g_autoptr(GHashTable) values = values_for ("zoom", "ok");
  g_autoptr(GPtrArray) statuses = NULL;
  Fetch f;

  fetch (zoom, values, "users", &f);
  g_assert_no_error (f.error);
  statuses = mapped (zoom, "users", "status", f.items);
  g_assert_true (contains (statuses, "active"));
  g_assert_true (contains (statuses, "invited"));   /* pending */
  g_assert_true (contains (statuses, "suspended")); /* inactive */
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "zoom", "users")));
  fetch_clear (&f);
}

/* ClickUp's GET /team lists every Workspace the token opens: the members
 * are those of the configured one, wherever it is in the list. */
static void
test_clickup_configured_workspace (void)
{
  PorticoConnector *clickup = portico_catalog_lookup (catalog, "clickup");
  g_autoptr(GHashTable) values = values_for ("clickup", "ok");
  Fetch f;

  fetch (clickup, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "clickup", "users")));
  fetch_clear (&f);
}

/* Google's token events carry parameters by name, in no promised order. */
static void
test_google_app_parameters_by_name (void)
{
  PorticoConnector *google = portico_catalog_lookup (catalog, "google-workspace");
  g_autoptr(GHashTable) values = values_for ("google-workspace", "ok");
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) want_names = expected_values ("google-workspace", "discovered_apps", "name");
  g_autoptr(GPtrArray) want_ids = expected_values ("google-workspace", "discovered_apps", "id");
  Fetch f;

  fetch (google, values, "discovered_apps", &f);
  g_assert_no_error (f.error);
  names = mapped (google, "discovered_apps", "name", f.items);
  ids = mapped (google, "discovered_apps", "id", f.items);
  /* One activity per grant: every item names an app, every app is named. */
  g_assert_cmpuint (names->len, ==, json_array_get_length (f.items));
  g_assert_cmpuint (ids->len, ==, json_array_get_length (f.items));
  for (guint i = 0; i < names->len; i++)
    g_assert_true (contains (want_names, names->pdata[i]));
  for (guint i = 0; i < ids->len; i++)
    g_assert_true (contains (want_ids, ids->pdata[i]));
  for (guint i = 0; i < want_names->len; i++)
    g_assert_true (contains (names, want_names->pdata[i]));
  for (guint i = 0; i < want_ids->len; i++)
    g_assert_true (contains (ids, want_ids->pdata[i]));
  fetch_clear (&f);
}

/* The text of @key (a string or a number) in each expected record. */
static GPtrArray *
expected_texts (const char *connector_id,
                const char *data_type,
                const char *key)
{
  JsonArray *expected = portico_sandbox_get_expected (sandbox, connector_id, data_type);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; expected != NULL && i < json_array_get_length (expected); i++)
    {
      JsonNode *v = json_object_get_member (json_array_get_object_element (expected, i), key);

      if (v == NULL || !JSON_NODE_HOLDS_VALUE (v))
        continue;
      if (json_node_get_value_type (v) == G_TYPE_STRING)
        g_ptr_array_add (out, g_strdup (json_node_get_string (v)));
      else if (json_node_get_value_type (v) == G_TYPE_INT64)
        g_ptr_array_add (out, g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v)));
    }
  return out;
}

/* An identity provider's app assignments as @connector read them: every
 * assignment the sandbox made, each naming one of the discovered apps and
 * one of the users by the id the users data type stores. Returns the
 * number of pages read. */
static guint
check_assignments (PorticoConnector *connector,
                   const char       *connector_id,
                   GHashTable       *values)
{
  g_autoptr(GPtrArray) user_ids = expected_texts (connector_id, "users", "id");
  g_autoptr(GPtrArray) app_ids = expected_texts (connector_id, "discovered_apps", "id");
  g_autoptr(GPtrArray) got_users = NULL;
  g_autoptr(GPtrArray) got_apps = NULL;
  guint want = json_array_get_length (portico_sandbox_get_expected (sandbox, connector_id, "app_assignments"));
  guint pages;
  Fetch f;

  g_assert_cmpuint (want, >, 0);
  fetch (connector, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, want);
  got_users = mapped (connector, "app_assignments", "user_id", f.items);
  got_apps = mapped (connector, "app_assignments", "app_id", f.items);
  g_assert_cmpuint (got_users->len, ==, want);
  g_assert_cmpuint (got_apps->len, ==, want);
  for (guint i = 0; i < want; i++)
    {
      g_assert_true (contains (user_ids, got_users->pdata[i]));
      g_assert_true (contains (app_ids, got_apps->pdata[i]));
    }
  pages = f.pages;
  fetch_clear (&f);
  return pages;
}

static JsonObject *
assignments_def (JsonObject *def)
{
  return json_object_get_object_member (json_object_get_object_member (def, "data_types"), "app_assignments");
}

/* The v1 systemusers name their id "_id"; the graph objects do not. */
static void
jumpcloud_user_id_underscore (JsonObject *def)
{
  json_object_set_string_member (json_object_get_object_member (assignments_def (def), "map"), "user_id", "_id");
}

/* Asking for more than the documented 100 a page. */
static void
jumpcloud_pages_of_500 (JsonObject *def)
{
  json_object_set_int_member (json_object_get_object_member (assignments_def (def), "pagination"), "size", 500);
}

/* JumpCloud, List the Users bound to an Application
 * (https://docs.jumpcloud.com/api/2.0/index.html#tag/Graph/operation/graph_applicationTraverseUser):
 * an array of graph objects whose "id" is the user's, read with skip and
 * a limit of at most 100. */
static void
test_jumpcloud_app_users_graph (void)
{
  PorticoConnector *jumpcloud = portico_catalog_lookup (catalog, "jumpcloud");
  g_autoptr(GHashTable) values = values_for ("jumpcloud", "ok");
  g_autoptr(PorticoConnector) underscore = variant ("jumpcloud", jumpcloud_user_id_underscore);
  g_autoptr(PorticoConnector) big_pages = variant ("jumpcloud", jumpcloud_pages_of_500);
  guint want = json_array_get_length (portico_sandbox_get_expected (sandbox, "jumpcloud", "app_assignments"));
  guint apps = json_array_get_length (portico_sandbox_get_expected (sandbox, "jumpcloud", "discovered_apps"));
  g_autoptr(GPtrArray) ids = NULL;
  Fetch f;

  /* More pages than apps: some app has more than 100 users. */
  g_assert_cmpuint (check_assignments (jumpcloud, "jumpcloud", values), >, apps);

  fetch (underscore, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  ids = mapped (underscore, "app_assignments", "user_id", f.items);
  g_assert_cmpuint (ids->len, ==, 0);
  fetch_clear (&f);

  /* A page of 100 when 500 were asked for reads as the last page. */
  fetch (big_pages, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), <, want);
  fetch_clear (&f);
}

/* The v1 API's envelope ({"status": …, "data": […]}), which v2 dropped. */
static void
onelogin_items_in_data (JsonObject *def)
{
  json_object_set_string_member (assignments_def (def), "items", "data");
}

/* OneLogin, List App Users (https://developers.onelogin.com/api-docs/2/apps/list-users):
 * a bare array of the assigned users, each with the user's "id" and
 * "email", in pages of page and limit. */
static void
test_onelogin_app_users (void)
{
  PorticoConnector *onelogin = portico_catalog_lookup (catalog, "onelogin");
  g_autoptr(GHashTable) values = values_for ("onelogin", "ok");
  g_autoptr(PorticoConnector) enveloped = variant ("onelogin", onelogin_items_in_data);
  guint apps = json_array_get_length (portico_sandbox_get_expected (sandbox, "onelogin", "discovered_apps"));
  g_autoptr(GPtrArray) emails = NULL;
  g_autoptr(GPtrArray) want_emails = expected_texts ("onelogin", "users", "email");
  Fetch f;

  /* More pages than apps: some app has more than 100 users. */
  g_assert_cmpuint (check_assignments (onelogin, "onelogin", values), >, apps);

  fetch (onelogin, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  emails = mapped (onelogin, "app_assignments", "email", f.items);
  g_assert_cmpuint (emails->len, ==, json_array_get_length (f.items));
  for (guint i = 0; i < emails->len; i++)
    g_assert_true (contains (want_emails, emails->pdata[i]));
  fetch_clear (&f);

  fetch (enveloped, values, "app_assignments", &f);
  g_assert_true (f.error != NULL || json_array_get_length (f.items) == 0);
  fetch_clear (&f);
}

/* Reading the client id by its place: the parameters come in no promised
 * order. */
static void
google_client_id_first (JsonObject *def)
{
  json_object_set_string_member (json_object_get_object_member (assignments_def (def), "map"),
                                 "app_id", "events.0.parameters.0.value");
}

/* Google, OAuth Token Audit Activity Events
 * (https://developers.google.com/workspace/admin/reports/v1/appendix/activity/token)
 * and activities.list: each authorize activity is one user's grant of one
 * app, so an app several people use comes once per person, each naming
 * the person (actor.profileId, the Directory user's id) and the app
 * (the client_id parameter). */
static void
test_google_grants_per_person (void)
{
  PorticoConnector *google = portico_catalog_lookup (catalog, "google-workspace");
  g_autoptr(GHashTable) values = values_for ("google-workspace", "ok");
  g_autoptr(PorticoConnector) by_place = variant ("google-workspace", google_client_id_first);
  g_autoptr(GPtrArray) app_ids = expected_texts ("google-workspace", "discovered_apps", "id");
  g_autoptr(GPtrArray) got_apps = NULL;
  g_autoptr(GPtrArray) got_users = NULL;
  g_autoptr(GHashTable) people_per_app = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                                (GDestroyNotify) g_hash_table_unref);
  GHashTableIter iter;
  gpointer people;
  guint shared = 0;
  Fetch f;

  check_assignments (google, "google-workspace", values);

  fetch (google, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  got_apps = mapped (google, "app_assignments", "app_id", f.items);
  got_users = mapped (google, "app_assignments", "user_id", f.items);
  for (guint i = 0; i < got_apps->len; i++)
    {
      GHashTable *set = g_hash_table_lookup (people_per_app, got_apps->pdata[i]);

      if (set == NULL)
        {
          set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (people_per_app, g_strdup (got_apps->pdata[i]), set);
        }
      g_hash_table_add (set, g_strdup (got_users->pdata[i]));
    }
  /* Every discovered app, and several people granting most of them. */
  g_assert_cmpuint (g_hash_table_size (people_per_app), ==, app_ids->len);
  g_hash_table_iter_init (&iter, people_per_app);
  while (g_hash_table_iter_next (&iter, NULL, &people))
    if (g_hash_table_size (people) > 1)
      shared++;
  g_assert_cmpuint (shared, >, app_ids->len / 2);
  fetch_clear (&f);

  fetch (by_place, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  g_clear_pointer (&got_apps, g_ptr_array_unref);
  got_apps = mapped (by_place, "app_assignments", "app_id", f.items);
  for (guint i = 0; i < got_apps->len; i++)
    g_assert_false (contains (app_ids, got_apps->pdata[i]));
  fetch_clear (&f);
}

/* Asking Graph for pages of 10 assignments. */
static void
entra_assignments_top_10 (JsonObject *def)
{
  json_object_set_string_member (json_object_get_object_member (json_object_get_object_member (assignments_def (def),
                                                                                               "request"),
                                                                "query"),
                                 "$top", "10");
}

/* Reading each app's assignments by its application id. */
static void
entra_assignments_by_app_id (JsonObject *def)
{
  json_object_set_string_member (json_object_get_object_member (assignments_def (def), "for_each"), "value", "appId");
}

/* The enterprise apps by their application id, as the definition read
 * them before it read assignments. */
static void
entra_apps_by_app_id (JsonObject *def)
{
  JsonObject *apps = json_object_get_object_member (json_object_get_object_member (def, "data_types"),
                                                    "discovered_apps");

  json_object_set_string_member (json_object_get_object_member (apps, "map"), "id", "appId");
}

/* Microsoft Graph, List appRoleAssignments granted for a service principal
 * (https://learn.microsoft.com/en-us/graph/api/serviceprincipal-list-approleassignedto?view=graph-rest-1.0):
 * per enterprise app, "value" lists the users and groups assigned to it
 * (principalType "User" or "Group", principalId the user's or group's
 * object id), each naming the app's service principal id in resourceId,
 * paged by $top with @odata.nextLink; a token without Application.Read.All
 * gets 403 Authorization_RequestDenied. Only users are counted: the map
 * tells a group from a person, and the app ids are the service principal
 * ids the assignments name, not the application ids. */
static void
test_entra_app_role_assigned_to (void)
{
  PorticoConnector *entra = portico_catalog_lookup (catalog, "microsoft-entra-id");
  g_autoptr(GHashTable) values = values_for ("microsoft-entra-id", "ok");
  g_autoptr(PorticoConnector) small_pages = variant ("microsoft-entra-id", entra_assignments_top_10);
  g_autoptr(PorticoConnector) by_app_id = variant ("microsoft-entra-id", entra_apps_by_app_id);
  g_autoptr(PorticoConnector) assigned_by_app_id = variant ("microsoft-entra-id", entra_assignments_by_app_id);
  g_autoptr(GPtrArray) user_ids = expected_texts ("microsoft-entra-id", "users", "id");
  g_autoptr(GPtrArray) group_ids = expected_texts ("microsoft-entra-id", "groups", "id");
  g_autoptr(GPtrArray) app_ids = expected_texts ("microsoft-entra-id", "discovered_apps", "id");
  g_autoptr(GPtrArray) types = NULL;
  g_autoptr(GPtrArray) app_id_apps = NULL;
  guint want = json_array_get_length (portico_sandbox_get_expected (sandbox, "microsoft-entra-id", "app_assignments"));
  guint users = 0, groups = 0, pages;
  Fetch f;

  fetch (entra, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, want);
  for (guint i = 0; i < json_array_get_length (f.items); i++)
    {
      JsonObject *a = json_array_get_object_element (f.items, i);
      const char *type = json_object_get_string_member_with_default (a, "principalType", NULL);
      const char *principal = json_object_get_string_member_with_default (a, "principalId", NULL);

      g_assert_nonnull (json_object_get_string_member_with_default (a, "id", NULL));
      g_assert_cmpstr (json_object_get_string_member_with_default (a, "appRoleId", NULL), ==,
                       "00000000-0000-0000-0000-000000000000");
      g_assert_nonnull (json_object_get_string_member_with_default (a, "principalDisplayName", NULL));
      g_assert_true (contains (app_ids, json_object_get_string_member_with_default (a, "resourceId", "")));
      if (g_strcmp0 (type, "User") == 0)
        {
          g_assert_true (contains (user_ids, principal));
          users++;
        }
      else
        {
          g_assert_cmpstr (type, ==, "Group");
          g_assert_true (contains (group_ids, principal));
          groups++;
        }
    }
  g_assert_cmpuint (users, >, 0);
  g_assert_cmpuint (groups, >, 0);
  types = mapped (entra, "app_assignments", "principal_type", f.items);
  g_assert_cmpuint (types->len, ==, want);
  for (guint i = 0, u = 0; i < types->len; i++)
    {
      g_assert_true (g_str_equal (types->pdata[i], "user") || g_str_equal (types->pdata[i], "group"));
      u += g_str_equal (types->pdata[i], "user");
      if (i + 1 == types->len)
        g_assert_cmpuint (u, ==, users);
    }
  pages = f.pages;
  fetch_clear (&f);

  /* An application id is no service principal's: Request_ResourceNotFound. */
  fetch (assigned_by_app_id, values, "app_assignments", &f);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
  fetch_clear (&f);

  /* Pages of ten: every assignment still, over more pages. */
  fetch (small_pages, values, "app_assignments", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, want);
  g_assert_cmpuint (f.pages, >, pages);
  fetch_clear (&f);

  /* Application ids are not what assignments name. */
  fetch (by_app_id, values, "discovered_apps", &f);
  g_assert_no_error (f.error);
  app_id_apps = mapped (by_app_id, "discovered_apps", "id", f.items);
  g_assert_cmpuint (app_id_apps->len, >, 0);
  for (guint i = 0; i < app_id_apps->len; i++)
    g_assert_false (contains (app_ids, app_id_apps->pdata[i]));
  fetch_clear (&f);

  /* Without the permission: Graph's refusal, a missing permission. */
  values = (g_hash_table_unref (values), values_for ("microsoft-entra-id", "plan"));
  fetch (entra, values, "app_assignments", &f);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (f.error->message, "Insufficient privileges"));
  fetch_clear (&f);
}

/* A copy of the shipped definition of @connector_id, changed by @edit
 * (which gets the copy's root object): what a definition that reads the
 * API the other way would get from the same sandbox. */
static PorticoConnector *
variant (const char *connector_id,
         void      (*edit) (JsonObject *def))
{
  PorticoConnector *shipped = portico_catalog_lookup (catalog, connector_id);
  g_autoptr(JsonNode) def = json_node_init_object (json_node_alloc (), portico_connector_get_definition (shipped));
  g_autofree char *original = json_to_string (def, FALSE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  PorticoConnector *changed;

  /* A deep copy: the shipped definition stays as it is. */
  g_assert_true (json_parser_load_from_data (parser, original, -1, &error));
  g_assert_no_error (error);
  edit (json_node_get_object (json_parser_get_root (parser)));
  text = json_to_string (json_parser_get_root (parser), FALSE);
  changed = portico_connector_new_from_data (text, -1, "variant", TRUE, &error);
  g_assert_no_error (error);
  return changed;
}

static JsonObject *
users_request_query (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");

  return json_object_get_object_member (json_object_get_object_member (users, "request"), "query");
}

static void
drop_first_cursor (JsonObject *def)
{
  json_object_remove_member (users_request_query (def), "cursor");
}

/* AWS IAM Identity Center's SCIM ListUsers pages only when the first
 * request has an empty cursor; without it the answer is one page of at
 * most 100 users, and startIndex is not supported. */
static void
test_aws_identity_center_cursor (void)
{
  PorticoConnector *aws = portico_catalog_lookup (catalog, "aws-iam-identity-center");
  g_autoptr(PorticoConnector) without_cursor = variant ("aws-iam-identity-center", drop_first_cursor);
  g_autoptr(GHashTable) values = values_for ("aws-iam-identity-center", "ok");
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "aws-iam-identity-center", "users"));
  Fetch f;

  g_assert_cmpuint (all, >, 100);
  fetch (aws, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.pages, >, 1);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);

  /* The next pages' cursor replaces the empty one, never joins it. */
  {
    g_autoptr(JsonNode) requests = portico_sandbox_get_requests (sandbox);
    JsonArray *list = json_node_get_array (requests);
    guint with_cursor = 0;

    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *r = json_array_get_object_element (list, i);
        const char *query = json_object_get_string_member_with_default (r, "query", "");
        g_auto(GStrv) pairs = g_strsplit (query, "&", -1);
        guint cursors = 0;

        if (g_strcmp0 (json_object_get_string_member (r, "connector"), "aws-iam-identity-center") != 0)
          continue;
        for (guint k = 0; pairs[k] != NULL; k++)
          if (g_str_has_prefix (pairs[k], "cursor="))
            cursors++;
        g_assert_cmpuint (cursors, ==, 1);
        with_cursor++;
      }
    g_assert_cmpuint (with_cursor, >, 1);
  }

  /* The same request without the empty cursor gets the first page only. */
  fetch (without_cursor, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 100);
  fetch_clear (&f);
}

static JsonObject *
users_definition (JsonObject *def)
{
  return json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");
}

static void
rfc_resources (JsonObject *def)
{
  json_object_set_string_member (users_definition (def), "items", "Resources");
}

static void
rfc_page_size (JsonObject *def)
{
  json_object_set_int_member (json_object_get_object_member (users_definition (def), "pagination"), "size", 100);
}

/* Canva's SCIM list puts the page in "resources" (lower case) and takes
 * count from 1 to 10 only. */
static void
test_canva_scim_list (void)
{
  PorticoConnector *canva = portico_catalog_lookup (catalog, "canva");
  g_autoptr(PorticoConnector) upper = variant ("canva", rfc_resources);
  g_autoptr(PorticoConnector) big_pages = variant ("canva", rfc_page_size);
  g_autoptr(GHashTable) values = values_for ("canva", "ok");
  g_autoptr(GPtrArray) statuses = NULL;
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "canva", "users"));
  Fetch f;

  fetch (canva, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  g_assert_cmpuint (f.pages, >=, (all + 9) / 10);
  statuses = mapped (canva, "users", "status", f.items);
  g_assert_true (contains (statuses, "active"));
  g_assert_true (contains (statuses, "deprovisioned"));
  fetch_clear (&f);

  /* RFC 7644's "Resources" reads nothing from Canva. */
  fetch (upper, values, "users", &f);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  /* 100 a page is refused (HTTP 400). */
  fetch (big_pages, values, "users", &f);
  g_assert_nonnull (f.error);
  fetch_clear (&f);
}

static void
coupa_pages_of_100 (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");

  json_object_set_int_member (json_object_get_object_member (users, "pagination"), "size", 100);
}

/* Coupa answers at most 50 records a request whatever the limit asks:
 * pages of 50 read every user; asking for 100 takes the first page of 50
 * for the last one and loses the rest. */
static void
test_coupa_fifty_per_page (void)
{
  PorticoConnector *coupa = portico_catalog_lookup (catalog, "coupa");
  JsonObject *pagination = portico_connector_get_data_type_pagination (coupa, "users");
  guint expected = json_array_get_length (portico_sandbox_get_expected (sandbox, "coupa", "users"));
  g_autoptr(GHashTable) values = values_for ("coupa", "ok");
  g_autoptr(PorticoConnector) hundred = NULL;
  Fetch f;

  g_assert_cmpint (json_object_get_int_member_with_default (pagination, "size", 0), ==, 50);
  g_assert_cmpuint (expected, >, 50);

  fetch (coupa, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, expected);
  g_assert_cmpuint (f.pages, ==, (expected + 49) / 50);
  fetch_clear (&f);

  hundred = variant ("coupa", coupa_pages_of_100);
  fetch (hundred, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 50);
  fetch_clear (&f);
}

/* Deel's 429 carries no rate-limit header at all: the read waits and
 * tries again on its own, and gets every person. */
static void
test_deel_rate_limit_without_headers (void)
{
  PorticoConnector *deel = portico_catalog_lookup (catalog, "deel");
  g_autoptr(GHashTable) values = values_for ("deel", "ok");
  g_autoptr(JsonNode) log = NULL;
  guint limited = 0;
  Fetch f;

  portico_sandbox_set_fault (sandbox, "deel", PORTICO_SANDBOX_FAULT_RATE_LIMIT, 2);
  fetch (deel, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "deel", "users")));
  fetch_clear (&f);

  log = portico_sandbox_get_requests (sandbox);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (log)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (log), i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "connector", ""), "deel") == 0 &&
          json_object_get_int_member_with_default (e, "status", 0) == 429)
        limited++;
    }
  g_assert_cmpuint (limited, ==, 2);
}

/* Every item of @connector_id's users has an email, and they are the
 * sandbox's. */
static void
assert_all_emails (PorticoConnector *connector,
                   const char       *connector_id,
                   JsonArray        *items)
{
  g_autoptr(GPtrArray) emails = mapped (connector, "users", "email", items);
  g_autoptr(GPtrArray) want = expected_values (connector_id, "users", "email");

  g_assert_cmpuint (json_array_get_length (items), ==, want->len);
  g_assert_cmpuint (emails->len, ==, want->len);
  for (guint i = 0; i < emails->len; i++)
    g_assert_true (contains (want, emails->pdata[i]));
}

static void
unwrapped_sell_fields (JsonObject *def)
{
  JsonObject *map = json_object_get_object_member (users_definition (def), "map");

  json_object_set_string_member (map, "email", "email");
}

/* Zendesk Sell wraps every item of a collection in "data" (with its
 * "meta" next to it). */
static void
test_zendesk_sell_envelope (void)
{
  PorticoConnector *sell = portico_catalog_lookup (catalog, "zendesk-sell");
  g_autoptr(PorticoConnector) unwrapped = variant ("zendesk-sell", unwrapped_sell_fields);
  g_autoptr(GHashTable) values = values_for ("zendesk-sell", "ok");
  g_autoptr(GPtrArray) emails = NULL;
  Fetch f;

  fetch (sell, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (sell, "zendesk-sell", f.items);
  fetch_clear (&f);

  fetch (unwrapped, values, "users", &f);
  g_assert_no_error (f.error);
  emails = mapped (unwrapped, "users", "email", f.items);
  g_assert_cmpuint (emails->len, ==, 0);
  fetch_clear (&f);
}

static void
servicenow_default_values (JsonObject *def)
{
  json_object_remove_member (users_request_query (def), "sysparm_display_value");
}

/* ServiceNow's Table API gives each field as {display_value, value} only
 * with sysparm_display_value=all; by default a field is its value. */
static void
test_servicenow_display_values (void)
{
  PorticoConnector *snow = portico_catalog_lookup (catalog, "servicenow");
  g_autoptr(PorticoConnector) plain = variant ("servicenow", servicenow_default_values);
  g_autoptr(GHashTable) values = values_for ("servicenow", "ok");
  g_autoptr(GPtrArray) emails = NULL;
  Fetch f;

  fetch (snow, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (snow, "servicenow", f.items);
  fetch_clear (&f);

  fetch (plain, values, "users", &f);
  g_assert_no_error (f.error);
  emails = mapped (plain, "users", "email", f.items);
  g_assert_cmpuint (emails->len, ==, 0);
  fetch_clear (&f);
}

static void
airtable_scim_emails (JsonObject *def)
{
  json_object_set_string_member (json_object_get_object_member (users_definition (def), "map"), "email",
                                 "emails.0.value");
}

/* Airtable's SCIM users carry their email as userName, with no "emails". */
static void
test_airtable_user_name_is_email (void)
{
  PorticoConnector *airtable = portico_catalog_lookup (catalog, "airtable");
  g_autoptr(PorticoConnector) by_emails = variant ("airtable", airtable_scim_emails);
  g_autoptr(GHashTable) values = values_for ("airtable", "ok");
  g_autoptr(GPtrArray) emails = NULL;
  Fetch f;

  fetch (airtable, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (airtable, "airtable", f.items);
  fetch_clear (&f);

  fetch (by_emails, values, "users", &f);
  g_assert_no_error (f.error);
  emails = mapped (by_emails, "users", "email", f.items);
  g_assert_cmpuint (emails->len, ==, 0);
  fetch_clear (&f);
}

static void
auth0_without_totals (JsonObject *def)
{
  json_object_remove_member (users_request_query (def), "include_totals");
}

/* Auth0's user list is a bare array unless include_totals=true asks for
 * {start, limit, length, users, total}. */
static void
test_auth0_include_totals (void)
{
  PorticoConnector *auth0 = portico_catalog_lookup (catalog, "auth0");
  g_autoptr(PorticoConnector) bare = variant ("auth0", auth0_without_totals);
  g_autoptr(GHashTable) values = values_for ("auth0", "ok");
  Fetch f;

  fetch (auth0, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (auth0, "auth0", f.items);
  g_assert_cmpuint (f.pages, >, 1);
  fetch_clear (&f);

  /* "users" names nothing in a bare array: no user is read. */
  fetch (bare, values, "users", &f);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);
}

static void
jamf_pages_of_20 (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");

  json_object_set_int_member (json_object_get_object_member (users, "pagination"), "size", 20);
}

static void
jamf_pages_of_20_from_one (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");

  jamf_pages_of_20 (def);
  json_object_set_int_member (json_object_get_object_member (users, "pagination"), "start", 1);
}

/* Jamf Pro numbers pages from 0: page=1 is the second page, so a read
 * that starts at page 1 never sees the first page of computers. Shown
 * with pages of 20, so that the sandbox's computers fill several. */
static void
test_jamf_pages_from_zero (void)
{
  PorticoConnector *jamf = portico_catalog_lookup (catalog, "jamf-pro");
  g_autoptr(PorticoConnector) from_zero = variant ("jamf-pro", jamf_pages_of_20);
  g_autoptr(PorticoConnector) from_one = variant ("jamf-pro", jamf_pages_of_20_from_one);
  JsonObject *pagination = portico_connector_get_data_type_pagination (jamf, "users");
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "jamf-pro", "users"));
  g_autoptr(GHashTable) values = values_for ("jamf-pro", "ok");
  Fetch f;

  g_assert_cmpint (json_object_get_int_member_with_default (pagination, "start", 1), ==, 0);
  g_assert_cmpuint (all, >, 40);

  fetch (jamf, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);

  fetch (from_zero, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.pages, >, 2);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);

  fetch (from_one, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all - 20);
  fetch_clear (&f);
}

static void
crowdstrike_users_from_query (JsonObject *def)
{
  JsonObject *users = json_object_get_object_member (json_object_get_object_member (def, "data_types"), "users");
  JsonObject *request = json_object_get_object_member (users, "request");

  /* The query endpoint read as if it gave the users. */
  json_object_remove_member (users, "for_each");
  json_object_set_string_member (request, "method", "GET");
  json_object_set_string_member (request, "path", "/user-management/queries/users/v1");
  json_object_remove_member (request, "body");
}

/* CrowdStrike's user management API lists user ids only
 * (GET /user-management/queries/users/v1, "resources": [uuid, ...]); the
 * names, emails and last sign-ins come from
 * POST /user-management/entities/users/GET/v1 with those ids. Reading the
 * query endpoint alone finds ids without any email. */
static void
test_crowdstrike_ids_then_entities (void)
{
  PorticoConnector *falcon = portico_catalog_lookup (catalog, "crowdstrike-falcon");
  g_autoptr(PorticoConnector) ids_only = variant ("crowdstrike-falcon", crowdstrike_users_from_query);
  g_autoptr(GHashTable) values = values_for ("crowdstrike-falcon", "ok");
  g_autoptr(JsonNode) log = NULL;
  guint queries = 0;
  guint entities = 0;
  Fetch f;

  fetch (falcon, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (falcon, "crowdstrike-falcon", f.items);
  fetch_clear (&f);

  log = portico_sandbox_get_requests (sandbox);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (log)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (log), i);
      const char *path = json_object_get_string_member_with_default (e, "path", "");

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "connector", ""), "crowdstrike-falcon") != 0)
        continue;
      if (g_str_equal (path, "/user-management/queries/users/v1"))
        queries++;
      else if (g_str_equal (path, "/user-management/entities/users/GET/v1"))
        entities++;
    }
  g_assert_cmpuint (queries, >=, 1);
  g_assert_cmpuint (entities, ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "crowdstrike-falcon", "users")));

  /* The ids alone: as many items, but no email, name or sign-in. */
  fetch (ids_only, values, "users", &f);
  {
    g_autoptr(GPtrArray) emails = mapped (ids_only, "users", "email", f.items);

    g_assert_cmpuint (json_array_get_length (f.items), ==, entities);
    g_assert_cmpuint (emails->len, ==, 0);
  }
  fetch_clear (&f);
}

/* Navan (https://app.navan.com/api/public-api.yml): users at GET /v1/users,
 * paged with page (from 0) and size; expense transactions at
 * GET /v1/expense/transactions for a date_modified window of at most 93
 * days. EU companies take their token from app-fra.navan.com and send
 * "X-ta-region: EU" with every call, or Navan answers 500. */
static void
test_navan_paths_and_region (void)
{
  PorticoConnector *navan = portico_catalog_lookup (catalog, "navan");
  JsonObject *auth = portico_connector_get_auth (navan);
  g_autoptr(GHashTable) values = values_for ("navan", "ok");
  g_autoptr(GHashTable) resolved = NULL;
  g_autofree char *token_url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) emails = NULL;
  Fetch f;

  fetch (navan, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "navan", "users")));
  emails = mapped (navan, "users", "email", f.items);
  g_assert_cmpuint (emails->len, ==, json_array_get_length (f.items));
  fetch_clear (&f);

  fetch (navan, values, "transactions", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);

  /* The US token host by default, the EU one for the EU region. */
  resolved = portico_connector_resolve_values (navan, values, &error);
  g_assert_no_error (error);
  token_url = portico_template_expand (json_object_get_string_member (auth, "token_url"), resolved, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_url, ==, "https://app.navan.com/ta-auth/oauth/token");
  g_clear_pointer (&resolved, g_hash_table_unref);
  g_clear_pointer (&token_url, g_free);

  g_hash_table_replace (values, g_strdup ("region"), g_strdup ("eu"));
  g_hash_table_replace (values, g_strdup ("client_secret"), g_strdup ("sandbox-ok-eu"));
  resolved = portico_connector_resolve_values (navan, values, &error);
  g_assert_no_error (error);
  token_url = portico_template_expand (json_object_get_string_member (auth, "token_url"), resolved, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token_url, ==, "https://app-fra.navan.com/ta-auth/oauth/token");

  /* An EU company's calls carry the region header: the sandbox's EU
   * tenant answers 500 without it. */
  fetch (navan, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);
}

/* Microsoft Graph national cloud deployments
 * (https://learn.microsoft.com/graph/deployments): a tenant in the US
 * Government clouds or in China takes its token from that cloud's
 * Microsoft Entra endpoint (login.microsoftonline.us,
 * login.chinacloudapi.cn) and calls that cloud's Graph root
 * (graph.microsoft.us, dod-graph.microsoft.us,
 * microsoftgraph.chinacloudapi.cn), with the .default scope of that
 * Graph root (https://learn.microsoft.com/graph/sdks/national-clouds). */
static void
test_microsoft_national_clouds (void)
{
  static const struct
  {
    const char *cloud, *login, *graph;
  } clouds[] = {
    { NULL, "https://login.microsoftonline.com", "https://graph.microsoft.com" },
    { "global", "https://login.microsoftonline.com", "https://graph.microsoft.com" },
    { "us-gov", "https://login.microsoftonline.us", "https://graph.microsoft.us" },
    { "us-gov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us" },
    { "china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn" },
  };
  /* Microsoft 365 usage is not here: its reports are global only (below). */
  static const char * const ids[] = { "microsoft-entra-id" };

  for (guint c = 0; c < G_N_ELEMENTS (ids); c++)
    {
      PorticoConnector *connector = portico_catalog_lookup (catalog, ids[c]);
      JsonObject *auth = portico_connector_get_auth (connector);
      g_autoptr(GHashTable) values = values_for (ids[c], "ok");
      Fetch f;

      for (guint i = 0; i < G_N_ELEMENTS (clouds); i++)
        {
          g_autoptr(GHashTable) resolved = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *token_url = NULL;
          g_autofree char *scope = NULL;
          g_autofree char *base_url = NULL;
          g_autofree char *want_token = NULL;
          g_autofree char *want_scope = g_strconcat (clouds[i].graph, "/.default", NULL);

          if (clouds[i].cloud != NULL)
            g_hash_table_replace (values, g_strdup ("cloud"), g_strdup (clouds[i].cloud));
          else
            g_hash_table_remove (values, "cloud");
          resolved = portico_connector_resolve_values (connector, values, &error);
          g_assert_no_error (error);
          token_url = portico_template_expand (json_object_get_string_member (auth, "token_url"), resolved, FALSE, &error);
          g_assert_no_error (error);
          scope = portico_template_expand (json_object_get_string_member (auth, "scope"), resolved, FALSE, &error);
          g_assert_no_error (error);
          base_url = portico_template_expand (json_object_get_string_member (portico_connector_get_definition (connector), "base_url"),
                                              resolved, FALSE, &error);
          g_assert_no_error (error);
          want_token = g_strdup_printf ("%s/%s/oauth2/v2.0/token", clouds[i].login,
                                        (const char *) g_hash_table_lookup (values, "tenant_id"));
          g_assert_cmpstr (token_url, ==, want_token);
          g_assert_cmpstr (scope, ==, want_scope);
          g_assert_cmpstr (base_url, ==, clouds[i].graph);
        }

      /* A cloud Microsoft does not run is refused by name. */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GHashTable) resolved = NULL;

        g_hash_table_replace (values, g_strdup ("cloud"), g_strdup ("germany"));
        resolved = portico_connector_resolve_values (connector, values, &error);
        g_assert_null (resolved);
        g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
        g_assert_nonnull (strstr (error->message, "germany"));
      }

      /* The sandbox (api_base_url) still serves the global default. */
      g_hash_table_remove (values, "cloud");
      fetch (connector, values, "users", &f);
      g_assert_no_error (f.error);
      g_assert_cmpuint (json_array_get_length (f.items), >, 0);
      fetch_clear (&f);
    }
}

/* Microsoft Graph serves the usage reports in the global service only: the
 * national cloud table of getOffice365ActiveUserDetail
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getoffice365activeuserdetail?view=graph-rest-1.0)
 * and of getM365AppUserDetail
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getm365appuserdetail?view=graph-rest-1.0)
 * marks the global service available and US Government L4, L5 (DOD) and
 * China operated by 21Vianet not. The definition offers no other cloud,
 * and takes its token and its reports from the global service. */
static void
test_microsoft_365_usage_global_only (void)
{
  PorticoConnector *m365 = portico_catalog_lookup (catalog, "microsoft-365-usage");
  JsonObject *def = portico_connector_get_definition (m365);
  JsonObject *auth = portico_connector_get_auth (m365);
  JsonArray *fields = json_object_get_array_member (def, "fields");
  g_autoptr(GHashTable) values = values_for ("microsoft-365-usage", "ok");
  g_autoptr(GHashTable) resolved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *want_token = NULL;
  Fetch f;

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (g_strcmp0 (json_object_get_string_member (field, "type"), "choice") == 0)
        g_error ("Microsoft 365 usage offers a choice “%s”: the usage reports exist in the global service only",
                 json_object_get_string_member (field, "id"));
    }

  resolved = portico_connector_resolve_values (m365, values, &error);
  g_assert_no_error (error);
  token_url = portico_template_expand (json_object_get_string_member (auth, "token_url"), resolved, FALSE, &error);
  g_assert_no_error (error);
  scope = portico_template_expand (json_object_get_string_member (auth, "scope"), resolved, FALSE, &error);
  g_assert_no_error (error);
  base_url = portico_template_expand (json_object_get_string_member (def, "base_url"), resolved, FALSE, &error);
  g_assert_no_error (error);
  want_token = g_strdup_printf ("https://login.microsoftonline.com/%s/oauth2/v2.0/token",
                                (const char *) g_hash_table_lookup (values, "tenant_id"));
  g_assert_cmpstr (token_url, ==, want_token);
  g_assert_cmpstr (scope, ==, "https://graph.microsoft.com/.default");
  g_assert_cmpstr (base_url, ==, "https://graph.microsoft.com");

  /* The sandbox (api_base_url) serves it as before. */
  fetch (m365, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);
}

/* GitHub's REST API lives at https://api.github.com for GitHub.com and
 * GitHub Enterprise Cloud, at https://api.SUBDOMAIN.ghe.com for GitHub
 * Enterprise Cloud with data residency, and under
 * http(s)://HOSTNAME/api/v3 on a GitHub Enterprise Server
 * (https://docs.github.com/enterprise-server@latest/rest/enterprise-admin,
 * "Endpoint URLs"). The enterprise choices need the address; GitHub.com
 * does not. */
static void
test_github_deployments (void)
{
  static const struct
  {
    const char *deployment, *host, *base;
  } deployments[] = {
    { NULL, NULL, "https://api.github.com" },
    { "github.com", NULL, "https://api.github.com" },
    { "github.com", "ignored.example.com", "https://api.github.com" },
    { "ghe.com", "octocorp", "https://api.octocorp.ghe.com" },
    { "server", "github.example.com", "https://github.example.com/api/v3" },
    { "server", "github.example.com:8443", "https://github.example.com:8443/api/v3" },
  };
  PorticoConnector *github = portico_catalog_lookup (catalog, "github");
  const char *base_template = json_object_get_string_member (portico_connector_get_definition (github), "base_url");
  g_autoptr(GHashTable) values = values_for ("github", "ok");
  Fetch f;

  for (guint i = 0; i < G_N_ELEMENTS (deployments); i++)
    {
      g_autoptr(GHashTable) resolved = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *base_url = NULL;

      if (deployments[i].deployment != NULL)
        g_hash_table_replace (values, g_strdup ("deployment"), g_strdup (deployments[i].deployment));
      else
        g_hash_table_remove (values, "deployment");
      if (deployments[i].host != NULL)
        g_hash_table_replace (values, g_strdup ("enterprise_host"), g_strdup (deployments[i].host));
      else
        g_hash_table_remove (values, "enterprise_host");
      if (deployments[i].host != NULL)
        {
          portico_connector_validate_value (github, "enterprise_host", deployments[i].host, &error);
          g_assert_no_error (error);
        }
      resolved = portico_connector_resolve_values (github, values, &error);
      g_assert_no_error (error);
      base_url = portico_template_expand (base_template, resolved, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (base_url, ==, deployments[i].base);
    }

  /* An enterprise deployment without its address is refused by naming the
   * field, before any request could go to "https://api..ghe.com". */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GHashTable) resolved = NULL;
      g_autoptr(GError) error = NULL;

      g_hash_table_replace (values, g_strdup ("deployment"), g_strdup (i == 0 ? "ghe.com" : "server"));
      g_hash_table_replace (values, g_strdup ("enterprise_host"), g_strdup (""));
      resolved = portico_connector_resolve_values (github, values, &error);
      g_assert_null (resolved);
      g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
      g_assert_nonnull (strstr (error->message, "Enterprise address"));
    }

  /* A URL or a path is not a host name. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (portico_connector_validate_value (github, "enterprise_host", "https://github.example.com/api/v3", &error));
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  }

  /* The sandbox (api_base_url) still serves the default. */
  g_hash_table_remove (values, "deployment");
  g_hash_table_remove (values, "enterprise_host");
  fetch (github, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);
}

static void
lastpass_users_as_list (JsonObject *def)
{
  json_object_remove_member (users_definition (def), "items_keyed_by");
}

static void
lastpass_other_command (JsonObject *def)
{
  JsonObject *request = json_object_get_object_member (users_definition (def), "request");

  json_object_set_string_member (json_object_get_object_member (request, "body"), "cmd", "getusers");
}

static void
lastpass_pages_of_3 (JsonObject *def)
{
  json_object_set_int_member (json_object_get_object_member (users_definition (def), "pagination"), "size", 3);
}

/* LastPass's getuserdata answers "Users" as an object whose members are
 * the users, each under its user id (the record itself holds no id), in
 * pages of "pagesize" users counted from "pageindex" 0; a failed call is
 * HTTP 200 with "status": "FAIL" and the error's words. A definition that
 * reads "Users" as a list reads no user. */
static void
test_lastpass_users_keyed_by_id (void)
{
  PorticoConnector *lastpass = portico_catalog_lookup (catalog, "lastpass");
  g_autoptr(PorticoConnector) as_list = variant ("lastpass", lastpass_users_as_list);
  g_autoptr(PorticoConnector) small_pages = variant ("lastpass", lastpass_pages_of_3);
  g_autoptr(PorticoConnector) other_command = variant ("lastpass", lastpass_other_command);
  g_autoptr(GHashTable) values = values_for ("lastpass", "ok");
  g_autoptr(GHashTable) bad = values_for ("lastpass", "bad");
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) want_ids = expected_values ("lastpass", "users", "id");
  g_autoptr(GPtrArray) logins = NULL;
  g_autoptr(GPtrArray) want_logins = expected_values ("lastpass", "users", "last_activity");
  Fetch f;

  g_assert_cmpstr (json_object_get_string_member (portico_connector_get_data_type_definition (lastpass, "users"),
                                                  "items_keyed_by"), ==, "user_id");
  fetch (lastpass, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (lastpass, "lastpass", f.items);
  ids = mapped (lastpass, "users", "id", f.items);
  g_assert_cmpuint (want_ids->len, >, 3);
  g_assert_cmpuint (ids->len, ==, want_ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_true (contains (want_ids, ids->pdata[i]));
  /* last_login is "YYYY-MM-DD HH:MM:SS", read as UTC. */
  logins = mapped (lastpass, "users", "last_activity", f.items);
  g_assert_cmpuint (logins->len, >, 0);
  for (guint i = 0; i < logins->len; i++)
    {
      const char *login = logins->pdata[i];
      g_autofree char *iso = g_strdup_printf ("%.10sT%sZ", login, login + MIN (strlen (login), 11));

      g_assert_cmpuint (strlen (login), ==, 19);
      g_assert_cmpint (login[10], ==, ' ');
      g_assert_true (contains (want_logins, iso));
    }
  fetch_clear (&f);

  /* Keyed pages follow one another as pageindex grows. */
  fetch (small_pages, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (f.pages, >, 1);
  assert_all_emails (small_pages, "lastpass", f.items);
  fetch_clear (&f);

  fetch (as_list, values, "users", &f);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  /* "status": "FAIL" in an HTTP 200 answer is an error, with its words. */
  fetch (lastpass, bad, "users", &f);
  g_assert_nonnull (f.error);
  g_assert_true (f.error->domain == PORTICO_CONNECTOR_ERROR);
  g_assert_nonnull (strstr (f.error->message, "invalid or has been revoked"));
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  /* The command is in the body; another one is refused the same way. */
  fetch (other_command, values, "users", &f);
  g_assert_nonnull (f.error);
  g_assert_nonnull (strstr (f.error->message, "Unknown or missing cmd"));
  fetch_clear (&f);
}

static void
m365_users_as_json (JsonObject *def)
{
  json_object_remove_member (users_definition (def), "response_format");
}

/* Microsoft Graph's usage reports (getOffice365ActiveUserDetail,
 * getM365AppUserDetail) answer 302 Found with a pre-authenticated download
 * address on another host, which needs no Authorization header, and the
 * download is CSV text with the documented columns. A definition that reads
 * the answer as JSON gets nothing; the bearer token never goes to the
 * download host; a token without Reports.Read.All gets Graph's JSON error. */
static void
test_microsoft_365_usage_csv_reports (void)
{
  PorticoConnector *m365 = portico_catalog_lookup (catalog, "microsoft-365-usage");
  g_autoptr(PorticoConnector) as_json = variant ("microsoft-365-usage", m365_users_as_json);
  g_autoptr(GHashTable) values = values_for ("microsoft-365-usage", "ok");
  g_autoptr(GHashTable) plan = values_for ("microsoft-365-usage", "plan");
  g_auto(GStrv) failing = portico_sandbox_get_plan_failures (sandbox, "microsoft-365-usage");
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) want_names = expected_values ("microsoft-365-usage", "users", "name");
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) want_last = expected_values ("microsoft-365-usage", "usage", "last_activity");
  guint with_credentials = 0;
  guint hits = portico_sandbox_get_redirect_hits (sandbox, &with_credentials);
  guint credentials_before = with_credentials;
  JsonObject *first;
  Fetch f;

  fetch (m365, values, "users", &f);
  g_assert_no_error (f.error);
  assert_all_emails (m365, "microsoft-365-usage", f.items);
  names = mapped (m365, "users", "name", f.items);
  g_assert_cmpuint (names->len, ==, want_names->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (contains (want_names, names->pdata[i]));
  /* The documented columns, mapped or not, are every item's members. */
  first = json_array_get_object_element (f.items, 0);
  g_assert_true (json_object_has_member (first, "Report Refresh Date"));
  g_assert_true (json_object_has_member (first, "Teams Last Activity Date"));
  g_assert_true (json_object_has_member (first, "Assigned Products"));
  g_assert_cmpuint (json_object_get_size (first), ==, 24);
  g_assert_cmpuint (portico_sandbox_get_redirect_hits (sandbox, &with_credentials), ==, hits + 1);
  g_assert_cmpuint (with_credentials, ==, credentials_before);
  fetch_clear (&f);

  fetch (m365, values, "usage", &f);
  g_assert_no_error (f.error);
  last = mapped (m365, "usage", "last_activity", f.items);
  g_assert_cmpuint (want_last->len, >, 0);
  g_assert_cmpuint (last->len, ==, want_last->len);
  for (guint i = 0; i < last->len; i++)
    g_assert_true (contains (want_last, last->pdata[i]));
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (f.items, 0)), ==, 39);
  g_assert_cmpuint (portico_sandbox_get_redirect_hits (sandbox, &with_credentials), ==, hits + 2);
  g_assert_cmpuint (with_credentials, ==, credentials_before);
  fetch_clear (&f);

  /* Read as JSON, the CSV download is refused, and nothing is stored. */
  fetch (as_json, values, "users", &f);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  /* Without the permission: 403 with {"error": {"code", "message"}}, read
   * as such, and no download address. */
  g_assert_true (g_strv_contains ((const char * const *) failing, "usage"));
  hits = portico_sandbox_get_redirect_hits (sandbox, NULL);
  fetch (m365, plan, "usage", &f);
  g_assert_nonnull (f.error);
  g_test_message ("%s", f.error->message);
  g_assert_true (f.error->domain == PORTICO_CONNECTOR_ERROR);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (f.error->message, "Insufficient privileges to complete the operation."));
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  g_assert_cmpuint (portico_sandbox_get_redirect_hits (sandbox, NULL), ==, hits);
  fetch_clear (&f);
}

/* HubSpot's token endpoint answers an error with its own object:
 * "category", "correlationId" and "message", no RFC 6749 "error"
 * (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token).
 * A refresh token it refuses with 400 is a sign-in to do again, not a
 * wrong client: the sync must fail with sign_in_expired (Sign in again),
 * carrying HubSpot's message. */
static void
test_hubspot_refresh_refused (void)
{
  PorticoConnector *hubspot = portico_catalog_lookup (catalog, "hubspot");
  g_autoptr(GHashTable) values = values_for ("hubspot", "ok");
  PorticoRuntime *signed_in = runtime;
  Fetch f;

  /* Signed in, the sync works. */
  fetch (hubspot, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), >, 0);
  fetch_clear (&f);

  /* A new process holds no access token, so its first request refreshes;
   * HubSpot no longer takes the refresh token. */
  runtime = portico_runtime_new ();
  portico_sandbox_set_oauth_fault (sandbox, "hubspot", PORTICO_SANDBOX_OAUTH_FAULT_EXPIRE_REFRESH);
  fetch (hubspot, values, "users", &f);
  portico_sandbox_set_oauth_fault (sandbox, "hubspot", PORTICO_SANDBOX_OAUTH_FAULT_NONE);
  g_assert_nonnull (f.error);
  g_test_message ("%s", f.error->message);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_SIGN_IN_EXPIRED);
  g_assert_cmpstr (portico_error_code_name (f.error), ==, "sign_in_expired");
  g_assert_nonnull (strstr (f.error->message, "The refresh token is invalid, expired or revoked."));
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);
  g_object_unref (runtime);
  runtime = signed_in;
}

/* A GET straight to the sandbox, as a script would send it. */
typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  gboolean done;
} Raw;

static void
raw_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Raw *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  r->done = TRUE;
}

/* @headers: name, value, ..., NULL. */
static void
raw_get (const char         *url,
         const char * const *headers,
         Raw                *r)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  memset (r, 0, sizeof *r);
  g_assert_nonnull (msg);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, raw_done, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
}

static void
raw_clear (Raw *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
}

static void
gitlab_pages_of_3 (JsonObject *def)
{
  JsonObject *request = json_object_get_object_member (users_definition (def), "request");

  json_object_set_string_member (json_object_get_object_member (request, "query"), "per_page", "3");
}

/* GitLab pages group members by offset
 * (https://docs.gitlab.com/api/rest/#offset-based-pagination): page and
 * per_page (default 20, max 100), a Link header with rel prev, next, first
 * and last whose URLs carry page= and per_page=, and x-page, x-per-page,
 * x-next-page, x-prev-page, x-total and x-total-pages; keyset pagination
 * is not documented for members. Its members carry "state" (the user's),
 * and no "membership_state" (removed from the members page's examples). */
static void
test_gitlab_offset_pages (void)
{
  PorticoConnector *gitlab = portico_catalog_lookup (catalog, "gitlab");
  g_autoptr(PorticoConnector) small_pages = variant ("gitlab", gitlab_pages_of_3);
  g_autoptr(GHashTable) values = values_for ("gitlab", "ok");
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "gitlab", "users"));
  guint before = json_array_get_length (json_node_get_array (portico_sandbox_get_requests (sandbox)));
  g_autofree char *group = g_uri_escape_string (g_hash_table_lookup (values, "group_id"), NULL, TRUE);
  g_autofree char *url = g_strdup_printf ("%s/api/v4/groups/%s/members?per_page=3&page=2",
                                          portico_sandbox_get_base_url (sandbox, "gitlab"), group);
  g_autofree char *want_next = NULL;
  g_autofree char *want_total = g_strdup_printf ("%u", all);
  g_autofree char *want_pages = g_strdup_printf ("%u", (all + 2) / 3);
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(JsonNode) log = NULL;
  const char *link;
  gboolean asked_page_3 = FALSE;
  Raw r;
  Fetch f;

  g_assert_cmpuint (all, >, 6);
  fetch (small_pages, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  g_assert_cmpuint (f.pages, ==, (all + 2) / 3);
  fetch_clear (&f);
  /* The runtime followed GitLab's own links: page=, never a cursor. */
  log = portico_sandbox_get_requests (sandbox);
  for (guint i = before; i < json_array_get_length (json_node_get_array (log)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (log), i);
      const char *query = json_object_get_string_member_with_default (e, "query", "");

      if (g_strcmp0 (json_object_get_string_member (e, "connector"), "gitlab") != 0)
        continue;
      g_assert_null (strstr (query, "after="));
      if (strstr (query, "page=3") != NULL && strstr (query, "per_page=3") != NULL)
        asked_page_3 = TRUE;
    }
  g_assert_true (asked_page_3);

  /* Page 2 of pages of 3, asked for directly. */
  raw_get (url, (const char * const[]) { "PRIVATE-TOKEN", g_hash_table_lookup (values, "access_token"), NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  page = json_from_string (g_bytes_get_data (r.body, NULL), NULL);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (page));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page)), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *member = json_array_get_object_element (json_node_get_array (page), i);

      g_assert_true (json_object_has_member (member, "state"));
      g_assert_false (json_object_has_member (member, "membership_state"));
    }
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-page"), ==, "2");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-per-page"), ==, "3");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-next-page"), ==, "3");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-prev-page"), ==, "1");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-total"), ==, want_total);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-total-pages"), ==, want_pages);
  link = soup_message_headers_get_one (r.headers, "Link");
  g_assert_nonnull (link);
  g_assert_null (strstr (link, "after="));
  g_assert_null (strstr (link, "results="));
  for (const char * const *rel = (const char * const[]) { "prev", "next", "first", "last", NULL }; *rel; rel++)
    {
      g_autofree char *needle = g_strdup_printf ("rel=\"%s\"", *rel);

      g_assert_nonnull (strstr (link, needle));
    }
  want_next = g_strdup_printf ("page=3");
  g_assert_nonnull (strstr (link, want_next));
  g_assert_nonnull (strstr (link, "per_page=3"));
  raw_clear (&r);

  /* Without per_page GitLab pages by 20; per_page over 100 gets 100. */
  g_free (url);
  url = g_strdup_printf ("%s/api/v4/groups/%s/members", portico_sandbox_get_base_url (sandbox, "gitlab"), group);
  raw_get (url, (const char * const[]) { "PRIVATE-TOKEN", g_hash_table_lookup (values, "access_token"), NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "x-per-page"), ==, "20");
  g_assert_null (soup_message_headers_get_one (r.headers, "x-prev-page"));
  raw_clear (&r);

  /* The shipped definition reads every member, in pages of 100. */
  fetch (gitlab, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);
}

static void
personio_pages_of_3 (JsonObject *def)
{
  JsonObject *request = json_object_get_object_member (users_definition (def), "request");

  json_object_set_string_member (json_object_get_object_member (request, "query"), "limit", "3");
}

/* Personio's v2 persons (https://developer.personio.de/reference/get_v2-persons):
 * GET /v2/persons with a token of /v2/auth/token, "limit" 1 to 50, the next
 * page linked in _meta.links.next.href with "cursor=", the persons in
 * "_data", and "status" filtering ACTIVE or INACTIVE persons; errors are
 * {"personio_trace_id", "timestamp", "errors": [{"title", "detail",
 * "type"}]} (Personio's common-components-v2.json). */
static void
test_personio_v2_persons (void)
{
  PorticoConnector *personio = portico_catalog_lookup (catalog, "personio");
  g_autoptr(PorticoConnector) small_pages = variant ("personio", personio_pages_of_3);
  g_autoptr(GHashTable) values = values_for ("personio", "ok");
  g_autoptr(GHashTable) bad = values_for ("personio", "bad");
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GPtrArray) emails = NULL;
  g_autoptr(GPtrArray) want_emails = expected_values ("personio", "users", "email");
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  g_autofree char *url = NULL;
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "personio", "users"));
  guint before = json_array_get_length (json_node_get_array (portico_sandbox_get_requests (sandbox)));
  gboolean asked_active = FALSE, asked_inactive = FALSE, asked_cursor = FALSE;
  JsonObject *error_object;
  Raw r;
  Fetch f;

  g_assert_cmpstr (portico_connector_get_docs_url (personio), ==, "https://developer.personio.de/reference/get_v2-persons");
  fetch (personio, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  statuses = mapped (personio, "users", "status", f.items);
  g_assert_true (contains (statuses, "active"));
  g_assert_true (contains (statuses, "deprovisioned"));
  emails = mapped (personio, "users", "email", f.items);
  g_assert_cmpuint (emails->len, ==, all);
  for (guint i = 0; i < emails->len; i++)
    g_assert_true (contains (want_emails, emails->pdata[i]));
  fetch_clear (&f);

  fetch (small_pages, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  g_assert_cmpuint (f.pages, >, 2);
  fetch_clear (&f);
  log = portico_sandbox_get_requests (sandbox);
  for (guint i = before; i < json_array_get_length (json_node_get_array (log)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (log), i);
      const char *query = json_object_get_string_member_with_default (e, "query", "");

      if (g_strcmp0 (json_object_get_string_member (e, "connector"), "personio") != 0 ||
          g_strcmp0 (json_object_get_string_member (e, "path"), "/v2/persons") != 0)
        continue;
      g_assert_null (strstr (query, "offset="));
      asked_active |= strstr (query, "status=ACTIVE") != NULL;
      asked_inactive |= strstr (query, "status=INACTIVE") != NULL;
      asked_cursor |= strstr (query, "cursor=") != NULL;
    }
  g_assert_true (asked_active);
  g_assert_true (asked_inactive);
  g_assert_true (asked_cursor);

  /* A refused token: Personio's error body, its detail as the message. */
  fetch (personio, bad, "users", &f);
  g_assert_nonnull (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  url = g_strdup_printf ("%s/v2/persons?limit=5", portico_sandbox_get_base_url (sandbox, "personio"));
  raw_get (url, (const char * const[]) { "Accept", "application/json", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 401);
  error_body = json_from_string (g_bytes_get_data (r.body, NULL), NULL);
  g_assert_nonnull (error_body);
  g_assert_true (json_object_has_member (json_node_get_object (error_body), "personio_trace_id"));
  g_assert_true (json_object_has_member (json_node_get_object (error_body), "timestamp"));
  error_object = json_array_get_object_element (json_object_get_array_member (json_node_get_object (error_body), "errors"), 0);
  g_assert_nonnull (json_object_get_string_member (error_object, "title"));
  g_assert_nonnull (json_object_get_string_member (error_object, "detail"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error_object, "type"),
                                   "https://developer.personio.de/reference/errors#"));
  raw_clear (&r);
}

static void
bamboohr_without_empty_statuses (JsonObject *def)
{
  json_object_remove_member (users_definition (def), "empty_statuses");
}

/* BambooHR's Get Employee Directory
 * (https://documentation.bamboohr.com/reference/get-employees-directory)
 * "Returns 404 if the directory is empty": the shipped definition reads
 * that as no employees (format v2 "empty_statuses"), where a definition
 * without it fails the read as not found. */
static void
test_bamboohr_empty_directory (void)
{
  PorticoConnector *bamboohr = portico_catalog_lookup (catalog, "bamboohr");
  g_autoptr(PorticoConnector) without = variant ("bamboohr", bamboohr_without_empty_statuses);
  g_autoptr(GHashTable) values = values_for ("bamboohr", "ok");
  g_autoptr(GHashTable) empty = values_for ("bamboohr", "ok");
  g_autofree char *url = NULL;
  Raw r;
  Fetch f;

  g_hash_table_replace (empty, g_strdup ("api_key"), g_strdup ("SANDBOXOKempty"));

  /* The sandbox speaks the documented 404 for the empty company. */
  url = g_strdup_printf ("%s/api/v1/employees/directory", portico_sandbox_get_base_url (sandbox, "bamboohr"));
  {
    g_autofree char *basic = g_base64_encode ((const guchar *) "SANDBOXOKempty:x", strlen ("SANDBOXOKempty:x"));
    g_autofree char *header = g_strconcat ("Basic ", basic, NULL);

    raw_get (url, (const char * const[]) { "Authorization", header, "Accept", "application/json", NULL }, &r);
  }
  g_assert_cmpuint (r.status, ==, 404);
  raw_clear (&r);

  fetch (bamboohr, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==,
                    json_array_get_length (portico_sandbox_get_expected (sandbox, "bamboohr", "users")));
  fetch_clear (&f);

  fetch (bamboohr, empty, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  /* Custom fields come with the directory: empty too, no error. */
  fetch (bamboohr, empty, "custom_fields", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, 0);
  fetch_clear (&f);

  fetch (without, empty, "users", &f);
  g_assert_error (f.error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NOT_FOUND);
  fetch_clear (&f);
}

/* Zoom: apps created today offer granular scopes
 * (service:action:data_claim:access, user:read:list_users:admin); the
 * macro scopes (user:read:admin) are "now called classic scopes" that
 * only existing apps keep (https://developers.zoom.us/docs/internal-apps/oauth-scopes/).
 * Every scope the connector asks for, and every one its help names, is
 * granular. */
static void
test_zoom_granular_scopes (void)
{
  PorticoConnector *zoom = portico_catalog_lookup (catalog, "zoom");
  JsonArray *permissions = json_object_get_array_member (portico_connector_get_definition (zoom), "permissions");
  const char *help = json_object_get_string_member (portico_connector_get_definition (zoom), "help");
  guint scopes = 0;

  for (guint i = 0; i < json_array_get_length (permissions); i++)
    {
      JsonObject *permission = json_array_get_object_element (permissions, i);
      JsonArray *list = json_object_has_member (permission, "scopes")
                        ? json_object_get_array_member (permission, "scopes") : NULL;

      for (guint k = 0; list != NULL && k < json_array_get_length (list); k++)
        {
          const char *scope = json_array_get_string_element (list, k);
          g_auto(GStrv) parts = g_strsplit (scope, ":", -1);

          if (g_strv_length (parts) != 4)
            g_error ("Zoom scope “%s” is not granular (service:action:data_claim:access)", scope);
          g_assert_nonnull (strstr (help, scope));
          scopes++;
        }
    }
  g_assert_cmpuint (scopes, >, 0);
  g_assert_null (strstr (help, "user:read:admin"));
  g_assert_null (strstr (help, "user:write:admin"));
}

/* The size parameter @name of the users request of a variant set to 3;
 * "per_page" by default. */
static const char *pages_of_3_param;

static void
users_pages_of_3 (JsonObject *def)
{
  JsonObject *request = json_object_get_object_member (users_definition (def), "request");

  if (!json_object_has_member (request, "query"))
    json_object_set_object_member (request, "query", json_object_new ());
  json_object_set_string_member (json_object_get_object_member (request, "query"), pages_of_3_param, "3");
}

/* Reads every user of @connector_id's sandbox in pages of 3 (the size in
 * @size_param) through the runtime, and returns the unescaped queries
 * of its requests in order, with the path of the first in @path and its
 * query as sent in @first_query. */
static GPtrArray *
read_in_pages_of_3 (const char *connector_id,
                    const char *size_param,
                    char      **path,
                    char      **first_query)
{
  g_autoptr(PorticoConnector) small_pages = NULL;
  g_autoptr(GHashTable) values = values_for (connector_id, "ok");
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, connector_id, "users"));
  guint before = json_array_get_length (json_node_get_array (portico_sandbox_get_requests (sandbox)));
  g_autoptr(JsonNode) log = NULL;
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *size = g_strdup_printf ("%s=3", size_param);
  Fetch f;

  pages_of_3_param = size_param;
  small_pages = variant (connector_id, users_pages_of_3);
  g_assert_cmpuint (all, >, 6);
  fetch (small_pages, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);

  log = portico_sandbox_get_requests (sandbox);
  *path = NULL;
  for (guint i = before; i < json_array_get_length (json_node_get_array (log)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (log), i);
      g_autofree char *query = g_uri_unescape_string (json_object_get_string_member_with_default (e, "query", ""), NULL);

      /* The pages, not the sign-in's or the identity's requests. */
      if (g_strcmp0 (json_object_get_string_member (e, "connector"), connector_id) != 0
          || json_object_get_int_member (e, "status") != 200 || query == NULL || strstr (query, size) == NULL)
        continue;
      if (*path == NULL)
        {
          *path = g_strdup (json_object_get_string_member (e, "path"));
          if (first_query != NULL)
            *first_query = g_strdup (json_object_get_string_member_with_default (e, "query", ""));
        }
      g_ptr_array_add (queries, g_steal_pointer (&query));
    }
  g_assert_cmpuint (queries->len, ==, (all + 2) / 3);
  return queries;
}

/* The rel values of a Link header value, in order. */
static char *
link_rels (const char *link)
{
  GString *rels = g_string_new (NULL);

  for (const char *p = link != NULL ? strstr (link, "rel=\"") : NULL; p != NULL; p = strstr (p + 1, "rel=\""))
    {
      const char *end = strchr (p + 5, '"');

      g_string_append_printf (rels, "%s%.*s", rels->len > 0 ? " " : "", (int) (end - p - 5), p + 5);
    }
  return g_string_free (rels, FALSE);
}

static char *
basic_auth (const char *user,
            const char *password)
{
  g_autofree char *pair = g_strdup_printf ("%s:%s", user, password);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strdup_printf ("Basic %s", encoded);
}

/* GitHub, Using pagination in the REST API
 * (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api):
 * page and per_page (default 30, max 100), and a link header
 * rel="prev", rel="next", rel="last", rel="first" whose URLs carry page=,
 * without prev on the first page, and no link header when everything fits
 * on one page. */
static void
test_github_page_links (void)
{
  g_autoptr(GHashTable) values = values_for ("github", "ok");
  g_autofree char *auth = g_strdup_printf ("Bearer %s", (char *) g_hash_table_lookup (values, "token"));
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "github", "users"));
  guint pages = (all + 2) / 3;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("github", "per_page", &path, NULL);
  g_autofree char *url = NULL;
  g_autofree char *rels = NULL;
  const char *link;
  Raw r;

  /* The runtime followed GitHub's own links: page=, never a cursor. */
  for (guint i = 0; i < queries->len; i++)
    {
      g_autofree char *want = g_strdup_printf ("page=%u", i + 1);

      g_assert_null (strstr (queries->pdata[i], "after="));
      if (i > 0)
        g_assert_nonnull (strstr (queries->pdata[i], want));
    }

  url = g_strdup_printf ("%s%s?per_page=3&page=2", portico_sandbox_get_base_url (sandbox, "github"), path);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  link = soup_message_headers_get_one (r.headers, "Link");
  rels = link_rels (link);
  g_assert_cmpstr (rels, ==, "prev next last first");
  g_assert_null (strstr (link, "results="));
  g_assert_nonnull (strstr (link, "page=3"));
  g_assert_nonnull (strstr (link, "per_page=3"));
  raw_clear (&r);

  /* The last page links back only. */
  g_free (url);
  url = g_strdup_printf ("%s%s?per_page=3&page=%u", portico_sandbox_get_base_url (sandbox, "github"), path, pages);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_free (rels);
  rels = link_rels (soup_message_headers_get_one (r.headers, "Link"));
  g_assert_cmpstr (rels, ==, "prev first");
  raw_clear (&r);

  /* Everything on one page: no link header. */
  g_free (url);
  url = g_strdup_printf ("%s%s?per_page=100", portico_sandbox_get_base_url (sandbox, "github"), path);
  g_assert_cmpuint (all, <=, 100);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_null (soup_message_headers_get_one (r.headers, "Link"));
  raw_clear (&r);
}

/* Freshdesk, Pagination (https://developers.freshdesk.com/api/#pagination):
 * page and per_page (default 30, max 100); "The 'link' header in the
 * response will hold the next page url if exists. If you have reached the
 * last page of objects, then the link header will not be set." */
static void
test_freshdesk_next_link (void)
{
  g_autoptr(GHashTable) values = values_for ("freshdesk", "ok");
  g_autofree char *auth = basic_auth (g_hash_table_lookup (values, "api_key"), "X");
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "freshdesk", "users"));
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("freshdesk", "per_page", &path, NULL);
  g_autofree char *url = NULL;
  g_autofree char *rels = NULL;
  const char *link;
  Raw r;

  for (guint i = 1; i < queries->len; i++)
    {
      g_autofree char *want = g_strdup_printf ("page=%u", i + 1);

      g_assert_null (strstr (queries->pdata[i], "after="));
      g_assert_nonnull (strstr (queries->pdata[i], want));
    }

  url = g_strdup_printf ("%s%s?per_page=3&page=2", portico_sandbox_get_base_url (sandbox, "freshdesk"), path);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/json", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  link = soup_message_headers_get_one (r.headers, "Link");
  rels = link_rels (link);
  g_assert_cmpstr (rels, ==, "next");
  g_assert_null (strstr (link, "results="));
  g_assert_nonnull (strstr (link, "page=3"));
  raw_clear (&r);

  g_free (url);
  url = g_strdup_printf ("%s%s?per_page=3&page=%u", portico_sandbox_get_base_url (sandbox, "freshdesk"), path,
                         (all + 2) / 3);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/json", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_null (soup_message_headers_get_one (r.headers, "Link"));
  raw_clear (&r);
}

/* ServiceNow, Table API GET (the connector's documentation link):
 * sysparm_limit and sysparm_offset; a Link header with rel first, prev,
 * next and last URLs carrying sysparm_offset= and sysparm_limit=, and
 * X-Total-Count. */
static void
test_servicenow_offset_links (void)
{
  g_autoptr(GHashTable) values = values_for ("servicenow", "ok");
  g_autofree char *auth = basic_auth (g_hash_table_lookup (values, "username"), g_hash_table_lookup (values, "password"));
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "servicenow", "users"));
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("servicenow", "sysparm_limit", &path, NULL);
  g_autofree char *url = NULL;
  g_autofree char *rels = NULL;
  g_autofree char *total = g_strdup_printf ("%u", all);
  g_autofree char *last = g_strdup_printf ("sysparm_offset=%u", (all - 1) / 3 * 3);
  g_autofree char *unescaped = NULL;
  Raw r;

  for (guint i = 1; i < queries->len; i++)
    {
      g_autofree char *want = g_strdup_printf ("sysparm_offset=%u", i * 3);

      g_assert_null (strstr (queries->pdata[i], "after="));
      g_assert_nonnull (strstr (queries->pdata[i], want));
    }

  url = g_strdup_printf ("%s%s?sysparm_limit=3&sysparm_offset=3", portico_sandbox_get_base_url (sandbox, "servicenow"),
                         path);
  raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/json", NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  unescaped = g_uri_unescape_string (soup_message_headers_get_one (r.headers, "Link"), NULL);
  rels = link_rels (unescaped);
  g_assert_cmpstr (rels, ==, "first prev next last");
  g_assert_nonnull (strstr (unescaped, "sysparm_offset=0"));
  g_assert_nonnull (strstr (unescaped, "sysparm_offset=6"));
  g_assert_nonnull (strstr (unescaped, last));
  g_assert_nonnull (strstr (unescaped, "sysparm_limit=3"));
  g_assert_null (strstr (unescaped, "after="));
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "X-Total-Count"), ==, total);
  raw_clear (&r);
}

/* Okta, Pagination (https://developer.okta.com/docs/api/#pagination): a
 * Link header rel="self" and, while there are more, a second Link header
 * rel="next" whose URL carries the after= cursor and the limit; no
 * "previous" links and no results= marks. */
static void
test_okta_self_next_links (void)
{
  g_autoptr(GHashTable) values = values_for ("okta", "ok");
  g_autofree char *auth = g_strdup_printf ("SSWS %s", (char *) g_hash_table_lookup (values, "api_token"));
  g_autofree char *path = NULL;
  g_autofree char *first = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("okta", "limit", &path, &first);
  g_autofree char *url = g_strdup_printf ("%s%s?%s", portico_sandbox_get_base_url (sandbox, "okta"), path, first);
  gboolean last = FALSE;
  guint pages = 0;

  g_assert_nonnull (strstr (first, "limit=3"));

  while (!last)
    {
      g_autofree char *rels = NULL;
      g_autofree char *next = NULL;
      const char *link;
      Raw r;

      g_assert_cmpuint (pages, <, 100);
      raw_get (url, (const char * const[]) { "Authorization", auth, "Accept", "application/json", NULL }, &r);
      pages++;
      if (r.status != 200)
        g_test_message ("%s: %.*s", url, (int) g_bytes_get_size (r.body), (const char *) g_bytes_get_data (r.body, NULL));
      g_assert_cmpuint (r.status, ==, 200);
      link = soup_message_headers_get_list (r.headers, "Link");
      rels = link_rels (link);
      g_assert_null (strstr (link, "results="));
      if (g_str_equal (rels, "self"))
        last = TRUE;
      else
        {
          g_assert_cmpstr (rels, ==, "self next");
          next = portico_http_parse_link_next (link);
          g_assert_nonnull (strstr (next, "after="));
          g_assert_nonnull (strstr (next, "limit=3"));
          g_free (url);
          url = g_steal_pointer (&next);
        }
      /* Two headers, the self one first. */
      g_assert_nonnull (strstr (soup_message_headers_get_list (r.headers, "Link"), "rel=\"self\""));
      g_assert_true (g_str_has_prefix (link, "<"));
      raw_clear (&r);
    }
  g_assert_cmpuint (pages, ==, queries->len);
}

/* Sentry, Paginating Results (https://docs.sentry.io/api/pagination/):
 * cursor= holds "value:offset:is_prev"; every page has a previous and a
 * next link with results= and cursor=, "0:0:1" and "0:100:0" on the first
 * of pages of 100. */
static void
test_sentry_cursor_links (void)
{
  PorticoConnector *sentry = portico_catalog_lookup (catalog, "sentry");
  g_autoptr(GHashTable) values = values_for ("sentry", "ok");
  g_autofree char *auth = g_strdup_printf ("Bearer %s", (char *) g_hash_table_lookup (values, "auth_token"));
  guint all = json_array_get_length (portico_sandbox_get_expected (sandbox, "sentry", "users"));
  guint before = json_array_get_length (json_node_get_array (portico_sandbox_get_requests (sandbox)));
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(JsonNode) page = NULL;
  const char *path;
  g_autofree char *url = NULL;
  g_autofree char *want = NULL;
  const char *link;
  Raw r;
  Fetch f;

  fetch (sentry, values, "users", &f);
  g_assert_no_error (f.error);
  g_assert_cmpuint (json_array_get_length (f.items), ==, all);
  fetch_clear (&f);
  log = portico_sandbox_get_requests (sandbox);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (log)), >, before);
  path = json_object_get_string_member (json_array_get_object_element (json_node_get_array (log), before), "path");

  url = g_strdup_printf ("%s%s", portico_sandbox_get_base_url (sandbox, "sentry"), path);
  raw_get (url, (const char * const[]) { "Authorization", auth, NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  link = soup_message_headers_get_one (r.headers, "Link");
  g_assert_nonnull (strstr (link, "; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", <"));
  want = g_strdup_printf ("; rel=\"next\"; results=\"%s\"; cursor=\"0:100:0\"", all > 100 ? "true" : "false");
  g_assert_true (g_str_has_suffix (link, want));
  raw_clear (&r);

  /* Sentry's own cursor: from the 6th member on, with links back. */
  g_assert_cmpuint (all, >, 5);
  g_free (url);
  url = g_strdup_printf ("%s%s?cursor=0:5:0", portico_sandbox_get_base_url (sandbox, "sentry"), path);
  raw_get (url, (const char * const[]) { "Authorization", auth, NULL }, &r);
  g_assert_cmpuint (r.status, ==, 200);
  page = json_from_string (g_bytes_get_data (r.body, NULL), NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page)), ==, MIN (all - 5, 100));
  link = soup_message_headers_get_one (r.headers, "Link");
  g_assert_nonnull (strstr (link, "; rel=\"previous\"; results=\"true\"; cursor=\"0:0:1\", <"));
  g_assert_nonnull (strstr (link, "; rel=\"next\"; results=\""));
  g_assert_nonnull (strstr (link, "cursor=\"0:105:0\""));
  raw_clear (&r);

  /* A cursor that is not Sentry's is refused. */
  g_free (url);
  url = g_strdup_printf ("%s%s?cursor=sbx0000000000064", portico_sandbox_get_base_url (sandbox, "sentry"), path);
  raw_get (url, (const char * const[]) { "Authorization", auth, NULL }, &r);
  g_assert_cmpuint (r.status, ==, 400);
  raw_clear (&r);
}

/* Webex, REST API Basics, Pagination (https://developer.webex.com/docs/basics):
 * "Link: <https://webexapis.com/v1/people?displayName=Harold&max=10&before&after=...>;
 * rel="next"": the next URL keeps max, has an empty before and the after
 * cursor. (Webex signs in with OAuth, so the runtime's requests show it.) */
static void
test_webex_next_links (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("webex", "max", &path, NULL);

  for (guint i = 1; i < queries->len; i++)
    {
      g_assert_nonnull (strstr (queries->pdata[i], "max=3"));
      g_assert_nonnull (strstr (queries->pdata[i], "before&after="));
    }
}

/* Microsoft Graph, Paging Microsoft Graph data in your app
 * (https://learn.microsoft.com/graph/paging): the @odata.nextLink of
 * /users keeps $top and the other parameters and carries $skiptoken. */
static void
test_entra_skiptoken (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("microsoft-entra-id", "$top", &path, NULL);

  for (guint i = 1; i < queries->len; i++)
    {
      g_assert_nonnull (strstr (queries->pdata[i], "$skiptoken="));
      g_assert_nonnull (strstr (queries->pdata[i], "$top=3"));
      g_assert_null (strstr (queries->pdata[i], "page_token="));
    }
}

/* Ramp, Pagination (https://docs.ramp.com/developer-api/v1/pagination):
 * page.next is the next page's URL with the start cursor and the other
 * parameters. */
static void
test_ramp_start_cursor (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) queries = read_in_pages_of_3 ("ramp", "page_size", &path, NULL);

  for (guint i = 1; i < queries->len; i++)
    {
      g_assert_nonnull (strstr (queries->pdata[i], "start="));
      g_assert_nonnull (strstr (queries->pdata[i], "page_size=3"));
      g_assert_null (strstr (queries->pdata[i], "page_token="));
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  /* 200 people: enough access logs for more than 100 one-item pages. */
  sandbox = portico_sandbox_new (catalog, 11, 200);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  runtime = portico_runtime_new ();
  g_object_set (runtime, "retry-base-ms", 20, "max-retry-delay-ms", 2500, NULL);

  g_test_add_func ("/facts/okta/deprovisioned-users", test_okta_deprovisioned);
  g_test_add_func ("/facts/hibob/human-readable", test_hibob_human_readable);
  g_test_add_func ("/facts/hibob/ids-then-names", test_hibob_ids_then_names);
  g_test_add_func ("/facts/expensify/report-export", test_expensify_report_export);
  g_test_add_func ("/facts/ramp/scope-per-permission", test_ramp_scope_per_permission);
  g_test_add_func ("/facts/slack/access-logs-page-limit", test_slack_access_logs_page_limit);
  g_test_add_func ("/facts/github/rate-limit-403", test_github_rate_limit_403);
  g_test_add_func ("/facts/zoom/every-status", test_zoom_every_status);
  g_test_add_func ("/facts/zoom/granular-scopes", test_zoom_granular_scopes);
  g_test_add_func ("/facts/clickup/configured-workspace", test_clickup_configured_workspace);
  g_test_add_func ("/facts/google/app-parameters-by-name", test_google_app_parameters_by_name);
  g_test_add_func ("/facts/aws-iam-identity-center/cursor", test_aws_identity_center_cursor);
  g_test_add_func ("/facts/canva/scim-list", test_canva_scim_list);
  g_test_add_func ("/facts/zendesk-sell/envelope", test_zendesk_sell_envelope);
  g_test_add_func ("/facts/servicenow/display-values", test_servicenow_display_values);
  g_test_add_func ("/facts/coupa/fifty-per-page", test_coupa_fifty_per_page);
  g_test_add_func ("/facts/deel/rate-limit-without-headers", test_deel_rate_limit_without_headers);
  g_test_add_func ("/facts/airtable/user-name-is-email", test_airtable_user_name_is_email);
  g_test_add_func ("/facts/auth0/include-totals", test_auth0_include_totals);
  g_test_add_func ("/facts/jamf-pro/pages-from-zero", test_jamf_pages_from_zero);
  g_test_add_func ("/facts/crowdstrike-falcon/ids-then-entities", test_crowdstrike_ids_then_entities);
  g_test_add_func ("/facts/navan/paths-and-region", test_navan_paths_and_region);
  g_test_add_func ("/facts/jumpcloud/app-users-graph", test_jumpcloud_app_users_graph);
  g_test_add_func ("/facts/onelogin/app-users", test_onelogin_app_users);
  g_test_add_func ("/facts/microsoft-entra-id/app-role-assigned-to", test_entra_app_role_assigned_to);
  g_test_add_func ("/facts/lastpass/users-keyed-by-id", test_lastpass_users_keyed_by_id);
  g_test_add_func ("/facts/google/grants-per-person", test_google_grants_per_person);
  g_test_add_func ("/facts/microsoft-365-usage/csv-reports", test_microsoft_365_usage_csv_reports);
  g_test_add_func ("/facts/microsoft/national-clouds", test_microsoft_national_clouds);
  g_test_add_func ("/facts/microsoft-365-usage/global-only", test_microsoft_365_usage_global_only);
  g_test_add_func ("/facts/github/deployments", test_github_deployments);
  g_test_add_func ("/facts/hubspot/refresh-refused", test_hubspot_refresh_refused);
  g_test_add_func ("/facts/gitlab/offset-pages", test_gitlab_offset_pages);
  g_test_add_func ("/facts/github/page-links", test_github_page_links);
  g_test_add_func ("/facts/freshdesk/next-link", test_freshdesk_next_link);
  g_test_add_func ("/facts/servicenow/offset-links", test_servicenow_offset_links);
  g_test_add_func ("/facts/okta/self-next-links", test_okta_self_next_links);
  g_test_add_func ("/facts/sentry/cursor-links", test_sentry_cursor_links);
  g_test_add_func ("/facts/webex/next-links", test_webex_next_links);
  g_test_add_func ("/facts/microsoft-entra-id/skiptoken", test_entra_skiptoken);
  g_test_add_func ("/facts/ramp/start-cursor", test_ramp_start_cursor);
  g_test_add_func ("/facts/personio/v2-persons", test_personio_v2_persons);
  g_test_add_func ("/facts/bamboohr/empty-directory", test_bamboohr_empty_directory);

  status = g_test_run ();

  g_clear_object (&runtime);
  portico_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  g_clear_object (&catalog);
  return status;
}
