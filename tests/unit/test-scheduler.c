/* test-scheduler.c: tile states, Needs attention problems and when an
 * account is due, all without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-scheduler"

#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include <sqlite3.h>

#include "portico-audit.h"
#include "portico-http.h"
#include "portico-network.h"
#include "portico-scheduler.h"

#define HOUR 3600
/* 2026-01-10T00:00:00Z */
#define NOW ((gint64) 1767916800 + 9 * 24 * HOUR)

static char *
iso (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);

  return object;
}

static JsonArray *
parse_array (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);
  JsonArray *array;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_array_ref (json_node_get_array (node));
  json_node_unref (node);

  return array;
}

/* An account as portico_store_list_accounts() gives it, with two data types. */
static JsonObject *
make_account (const char *status,
              const char *keyring_state,
              const char *users_status,
              const char *users_code,
              const char *users_error,
              gint64      users_success,
              const char *licenses_status,
              const char *licenses_code,
              gint64      licenses_success)
{
  g_autofree char *created = iso (NOW - 30 * 24 * HOUR);
  g_autofree char *users_at = users_success ? iso (users_success) : NULL;
  g_autofree char *licenses_at = licenses_success ? iso (licenses_success) : NULL;
  g_autofree char *json = NULL;

#define Q(s) ((s) != NULL ? g_strdup_printf ("\"%s\"", (s)) : g_strdup ("null"))
  g_autofree char *q_status = Q (status);
  g_autofree char *q_keyring = Q (keyring_state);
  g_autofree char *q_us = Q (users_status);
  g_autofree char *q_uc = Q (users_code);
  g_autofree char *q_ue = Q (users_error);
  g_autofree char *q_ua = Q (users_at);
  g_autofree char *q_ls = Q (licenses_status);
  g_autofree char *q_lc = Q (licenses_code);
  g_autofree char *q_la = Q (licenses_at);
#undef Q

  json = g_strdup_printf ("{\"id\":7,\"name\":\"Acme\",\"connector\":\"slack\",\"status\":%s,"
                          "\"created_at\":\"%s\",\"keyring_state\":%s,\"data_types\":["
                          "{\"id\":\"users\",\"enabled\":true,\"status\":%s,\"items\":10,"
                          " \"error_code\":%s,\"error\":%s,\"last_success_at\":%s},"
                          "{\"id\":\"licenses\",\"enabled\":true,\"status\":%s,\"items\":2,"
                          " \"error_code\":%s,\"error\":null,\"last_success_at\":%s},"
                          "{\"id\":\"usage\",\"enabled\":false,\"disabled_reason\":\"Needs the Business plan\","
                          " \"status\":\"disabled\",\"items\":null,\"error_code\":null,\"error\":null,"
                          " \"last_success_at\":null}]}",
                          q_status, created, q_keyring, q_us, q_uc, q_ue, q_ua, q_ls, q_lc, q_la);

  return parse_object (json);
}

static PorticoAccountProblem *
find_kind (GPtrArray          *problems,
           PorticoProblemKind  kind)
{
  for (guint i = 0; i < problems->len; i++)
    {
      PorticoAccountProblem *problem = g_ptr_array_index (problems, i);

      if (problem->kind == kind)
        return problem;
    }

  return NULL;
}

static void
test_time_parse (void)
{
  g_autofree char *text = iso (NOW);

  g_assert_cmpint (portico_store_time_to_unix (text), ==, NOW);
  g_assert_cmpint (portico_store_time_to_unix (NULL), ==, 0);
  g_assert_cmpint (portico_store_time_to_unix ("yesterday"), ==, 0);
}

static void
test_state (void)
{
  const struct { const char *status; PorticoAccountState state; } cases[] = {
    { "ok", PORTICO_ACCOUNT_STATE_OK },
    { "partial", PORTICO_ACCOUNT_STATE_PARTIAL },
    { "failed", PORTICO_ACCOUNT_STATE_FAILED },
    { "new", PORTICO_ACCOUNT_STATE_NEVER },
    { NULL, PORTICO_ACCOUNT_STATE_NEVER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) account = make_account (cases[i].status, "ok", "ok", NULL, NULL, NOW - HOUR,
                                                    "ok", NULL, NOW - 2 * HOUR);

      g_assert_cmpint (portico_account_state_from_json (account), ==, cases[i].state);
    }
}

static void
test_healthy (void)
{
  g_autoptr(JsonObject) account = make_account ("ok", "ok", "ok", NULL, NULL, NOW - HOUR,
                                                "ok", NULL, NOW - 3 * HOUR);
  g_autoptr(GPtrArray) problems = portico_account_find_problems (account, NULL, NOW, 24);

  g_autoptr(PorticoAccountStatus) status = portico_account_status_new (account, NULL, NOW, 24);
  g_autoptr(JsonArray) rows = json_array_new ();
  g_autofree char *recent = iso (NOW - HOUR);
  g_autofree char *green_json = g_strdup_printf ("{\"id\":8,\"name\":\"Acme\",\"connector\":\"slack\",\"status\":\"ok\","
                                                 "\"data_types\":[{\"id\":\"users\",\"enabled\":true,\"status\":\"ok\","
                                                 "\"items\":3,\"last_success_at\":\"%s\"}]}", recent);
  g_autoptr(JsonObject) green = parse_object (green_json);
  g_autoptr(PorticoAccountStatus) green_status = portico_account_status_new (green, NULL, NOW, 24);
  PorticoAccountProblem *problem;
  JsonObject *row;

  g_assert_cmpint (portico_account_last_success (account), ==, NOW - HOUR);

  /* Every enabled data type synced, but Usage was turned off at connect
   * (outcome B): not green, and listed with the missing permission. */
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->kind, ==, PORTICO_PROBLEM_DISABLED_TYPES);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_RECONNECT);
  g_assert_cmpstr (portico_problem_code (problem->kind), ==, "missing_permissions");
  g_assert_nonnull (strstr (problem->detail, "Usage is not synced: Needs the Business plan"));
  g_assert_nonnull (strstr (problem->fix_text, "Reconnect"));
  /* What is wrong and what to do are told apart, each once. */
  g_assert_null (strstr (problem->detail, "Reconnect"));

  g_assert_cmpint (status->status, ==, PORTICO_STATUS_DISABLED);
  g_assert_cmpint (status->severity, ==, PORTICO_SEVERITY_WARNING);
  g_assert_cmpstr (status->css_class, ==, "warning");
  g_assert_cmpstr (status->label, ==, "Missing permissions");
  g_assert_null (strstr (status->summary, "every data type"));
  g_assert_nonnull (strstr (status->summary, "2 of 3 data types synced"));
  g_assert_cmpuint (status->data_types->len, ==, 3);
  g_assert_cmpint (((PorticoDataTypeStatus *) g_ptr_array_index (status->data_types, 0))->status, ==, PORTICO_STATUS_OK);
  g_assert_cmpint (((PorticoDataTypeStatus *) g_ptr_array_index (status->data_types, 2))->status, ==, PORTICO_STATUS_DISABLED);
  g_assert_cmpstr (((PorticoDataTypeStatus *) g_ptr_array_index (status->data_types, 2))->reason, ==, "Needs the Business plan");

  portico_account_status_add_attention_json (status, account, rows);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  row = json_array_get_object_element (rows, 0);
  g_assert_cmpint (json_object_get_int_member (row, "account"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (row, "problem"), ==, "missing_permissions");
  g_assert_cmpstr (json_object_get_string_member (row, "fix"), ==, problem->fix_text);
  g_assert_cmpstr (json_object_get_string_member (row, "fix_action"), ==, "reconnect");

  /* Without disabled data types the same account is green, with no problem. */
  g_assert_cmpuint (green_status->problems->len, ==, 0);
  g_assert_cmpint (green_status->status, ==, PORTICO_STATUS_OK);
  g_assert_cmpint (green_status->severity, ==, PORTICO_SEVERITY_GOOD);
  g_assert_cmpstr (green_status->icon_name, ==, "emblem-ok-symbolic");
}

static void
test_status_kinds (void)
{
  /* Failed everywhere: red. */
  g_autoptr(JsonObject) failed = make_account ("failed", "ok", "failed", "network", "Cannot reach slack.com",
                                               NOW - HOUR, "failed", "network", NOW - HOUR);
  g_autoptr(PorticoAccountStatus) failed_status = portico_account_status_new (failed, NULL, NOW, 24);
  /* The sign-in is no longer accepted: red, and its own problem code. */
  g_autoptr(JsonObject) expired = make_account ("failed", "ok", "failed", "sign_in_expired", NULL,
                                                NOW - HOUR, "ok", NULL, NOW - HOUR);
  g_autoptr(PorticoAccountStatus) expired_status = portico_account_status_new (expired, NULL, NOW, 24);
  /* Synced, but long ago: stale, yellow. */
  g_autoptr(JsonObject) old = make_account ("ok", "ok", "ok", NULL, NULL, NOW - 5 * 24 * HOUR,
                                            "ok", NULL, NOW - 5 * 24 * HOUR);
  g_autoptr(PorticoAccountStatus) old_status = portico_account_status_new (old, NULL, NOW, 24);
  g_autoptr(JsonArray) rows = json_array_new ();
  gboolean stale_listed = FALSE;

  g_assert_cmpint (failed_status->status, ==, PORTICO_STATUS_FAILING);
  g_assert_cmpint (failed_status->severity, ==, PORTICO_SEVERITY_ERROR);
  g_assert_cmpstr (failed_status->label, ==, "Sync failed");
  g_assert_cmpstr (((PorticoDataTypeStatus *) g_ptr_array_index (failed_status->data_types, 0))->reason, ==,
                   "Cannot reach slack.com");

  g_assert_cmpint (expired_status->status, ==, PORTICO_STATUS_SIGN_IN_EXPIRED);
  g_assert_cmpint (expired_status->severity, ==, PORTICO_SEVERITY_ERROR);
  g_assert_cmpint (((PorticoDataTypeStatus *) g_ptr_array_index (expired_status->data_types, 0))->status, ==,
                   PORTICO_STATUS_SIGN_IN_EXPIRED);
  g_assert_cmpstr (portico_problem_code (((PorticoAccountProblem *) g_ptr_array_index (expired_status->problems, 0))->kind),
                   ==, "sign_in_expired");

  g_assert_cmpint (old_status->severity, ==, PORTICO_SEVERITY_WARNING);
  g_assert_cmpint (((PorticoDataTypeStatus *) g_ptr_array_index (old_status->data_types, 0))->status, ==,
                   PORTICO_STATUS_STALE);
  portico_account_status_add_attention_json (old_status, old, rows);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (rows, i), "problem"), "stale") == 0)
      stale_listed = TRUE;
  g_assert_true (stale_listed);
}

/* The audit trail in sentences: a sync names its counts and the account,
 * a rename both names; a failed data type is said in words, not codes. */
static void
test_audit_summary (void)
{
  g_autoptr(JsonObject) synced = parse_object ("{\"kind\":\"synced\",\"account_name\":\"Okta Corp HQ\",\"app\":\"Okta\","
                                               "\"details\":{\"status\":\"ok\",\"data_types\":["
                                               "{\"id\":\"users\",\"status\":\"ok\",\"items\":193,\"error\":null},"
                                               "{\"id\":\"custom_fields\",\"status\":\"ok\",\"items\":1351,\"error\":null}]}}");
  g_autoptr(JsonObject) partial = parse_object ("{\"kind\":\"synced\",\"account_name\":\"Acme\",\"app\":\"Slack\","
                                                "\"details\":{\"status\":\"partial\",\"data_types\":["
                                                "{\"id\":\"users\",\"status\":\"ok\",\"items\":1,\"error\":null},"
                                                "{\"id\":\"licenses\",\"status\":\"failed\",\"items\":0,\"error\":\"plan\"}]}}");
  g_autoptr(JsonObject) renamed = parse_object ("{\"kind\":\"renamed\",\"account_name\":\"Okta Corp HQ\",\"app\":\"Okta\","
                                                "\"details\":{\"old_name\":\"Okta Production\",\"new_name\":\"Okta Corp HQ\"}}");
  g_autoptr(JsonObject) failed = parse_object ("{\"kind\":\"sync_failed\",\"account_name\":\"Figma\",\"app\":\"Figma\","
                                               "\"details\":{\"status\":\"failed\",\"data_types\":["
                                               "{\"id\":\"users\",\"status\":\"failed\",\"items\":0,\"error\":\"not_authorized\"}]}}");
  g_autoptr(JsonNode) events = json_from_string ("[{\"kind\":\"disconnected\",\"account_name\":\"Acme\",\"app\":\"Slack\","
                                                 "\"details\":{\"app_users\":12}}]", NULL);
  g_autofree char *synced_text = portico_audit_event_summary (synced);
  g_autofree char *partial_text = portico_audit_event_summary (partial);
  g_autofree char *renamed_text = portico_audit_event_summary (renamed);
  g_autofree char *failed_text = portico_audit_event_summary (failed);
  g_autofree char *details = portico_audit_event_describe_details (synced);
  JsonObject *disconnected;

  /* No thousands separator in the C locale of the test. */
  /* The issue's own example; an account named after its app does not repeat
   * the app, another one gets it in brackets (below, "Acme (Slack)"). */
  g_assert_cmpstr (synced_text, ==, "Synced 193 users and 1351 custom details from Okta Corp HQ");
  g_assert_cmpstr (partial_text, ==, "Synced 1 user from Acme (Slack); not updated: Licenses (not in the plan)");
  g_assert_cmpstr (renamed_text, ==, "Renamed Okta Production to Okta Corp HQ");
  g_assert_cmpstr (failed_text, ==, "Sync of Figma failed, nothing was updated: Users (credentials rejected)");
  g_assert_cmpstr (details, ==, "Users: 193 users\nCustom fields: 1351 custom details");
  g_assert_cmpstr (portico_audit_kind_label ("sync_failed"), ==, "Sync failed");
  json_object_set_string_member (synced, "account_name", "Corp HQ");
  g_free (synced_text);
  synced_text = portico_audit_event_summary (synced);
  g_assert_cmpstr (synced_text, ==, "Synced 193 users and 1351 custom details from Corp HQ (Okta)");

  portico_audit_add_summaries (events);
  disconnected = json_array_get_object_element (json_node_get_array (events), 0);
  g_assert_cmpstr (json_object_get_string_member (disconnected, "summary"), ==,
                   "Disconnected Acme (Slack) and deleted the 12 app users it brought in");
}

static void
test_rejected (void)
{
  g_autoptr(JsonObject) account = make_account ("failed", "ok",
                                                "failed", "not_authorized",
                                                "The key was rejected: create one with the Admin role",
                                                NOW - HOUR, "failed", "not_authorized", NOW - HOUR);
  g_autoptr(GPtrArray) problems = portico_account_find_problems (account, NULL, NOW, 24);
  PorticoAccountProblem *problem;

  g_assert_cmpuint (problems->len, ==, 2);
  /* The fixture's Usage was turned off at connect: listed after the cause. */
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 1))->kind, ==, PORTICO_PROBLEM_DISABLED_TYPES);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpint (problem->kind, ==, PORTICO_PROBLEM_CREDENTIALS_REJECTED);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_RECONNECT);
  g_assert_nonnull (strstr (problem->detail, "create one with the Admin role"));
  /* The specific cause replaces the generic "failed". */
  g_assert_null (find_kind (problems, PORTICO_PROBLEM_SYNC_FAILED));
}

/* A connector that would send the credentials to a new host: Reconnect,
 * with the engine's sentence naming the host. */
static void
test_origin_changed (void)
{
  g_autoptr(JsonObject) account = make_account ("failed", "ok",
                                                "failed", "origin_changed",
                                                "The connector of “Acme” would now send its credentials to collector.invalid",
                                                NOW - HOUR, "failed", "origin_changed", NOW - HOUR);
  g_autoptr(GPtrArray) problems = portico_account_find_problems (account, NULL, NOW, 24);
  PorticoAccountProblem *problem;

  problem = find_kind (problems, PORTICO_PROBLEM_ORIGIN_CHANGED);
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_RECONNECT);
  g_assert_nonnull (strstr (problem->detail, "collector.invalid"));
  /* The specific cause replaces the generic "failed". */
  g_assert_null (find_kind (problems, PORTICO_PROBLEM_SYNC_FAILED));
}

static void
test_plan_partial (void)
{
  g_autoptr(JsonObject) account = make_account ("partial", "ok", "ok", NULL, NULL, NOW - HOUR,
                                                "failed", "plan", NOW - 5 * HOUR);
  g_autoptr(GPtrArray) problems = portico_account_find_problems (account, NULL, NOW, 24);
  PorticoAccountProblem *problem = find_kind (problems, PORTICO_PROBLEM_PERMISSION);

  g_assert_nonnull (problem);
  g_assert_cmpstr (problem->title, ==, "Plan tier missing");
  g_assert_true (g_str_has_prefix (problem->detail, "Licenses: "));
  g_assert_cmpuint (problems->len, ==, 2);
  /* The fixture's Usage was turned off at connect: listed after the cause. */
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 1))->kind, ==, PORTICO_PROBLEM_DISABLED_TYPES);
}

static void
test_generic_failure (void)
{
  g_autoptr(JsonObject) failed = make_account ("failed", "ok", "failed", "network",
                                               "Cannot reach the provider: check the network",
                                               NOW - HOUR, "failed", "network", NOW - HOUR);
  g_autoptr(JsonObject) partial = make_account ("partial", "ok", "failed", "server", NULL,
                                                NOW - HOUR, "ok", NULL, NOW - HOUR);
  g_autoptr(GPtrArray) failed_problems = portico_account_find_problems (failed, NULL, NOW, 24);
  g_autoptr(GPtrArray) partial_problems = portico_account_find_problems (partial, NULL, NOW, 24);
  PorticoAccountProblem *problem;

  problem = find_kind (failed_problems, PORTICO_PROBLEM_SYNC_FAILED);
  g_assert_nonnull (problem);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_SYNC_NOW);
  g_assert_nonnull (strstr (problem->detail, "check the network"));

  problem = find_kind (partial_problems, PORTICO_PROBLEM_SYNC_PARTIAL);
  g_assert_nonnull (problem);
  g_assert_true (g_str_has_prefix (problem->detail, "Users: "));
}

static void
test_keyring_missing (void)
{
  g_autoptr(JsonObject) account = make_account ("ok", "missing", "ok", NULL, NULL, NOW - HOUR,
                                                "ok", NULL, NOW - HOUR);
  g_autoptr(GPtrArray) problems = portico_account_find_problems (account, NULL, NOW, 24);

  g_assert_cmpuint (problems->len, ==, 2);
  /* The fixture's Usage was turned off at connect: listed after the cause. */
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 1))->kind, ==, PORTICO_PROBLEM_DISABLED_TYPES);
  g_assert_cmpint (((PorticoAccountProblem *) g_ptr_array_index (problems, 0))->kind, ==,
                   PORTICO_PROBLEM_KEYRING_MISSING);
}

/* An account a profile import brought waits for its credentials: the same
 * problem and fix, in words that do not say they were lost. */
static void
test_waiting_for_credentials (void)
{
  g_autoptr(JsonObject) imported = make_account ("new", "missing", "never", NULL, NULL, 0, "never", NULL, 0);
  g_autoptr(JsonObject) lost = make_account ("ok", "missing", "ok", NULL, NULL, NOW - HOUR, "ok", NULL, NOW - HOUR);
  g_autoptr(GPtrArray) imported_problems = portico_account_find_problems (imported, NULL, NOW, 24);
  g_autoptr(GPtrArray) lost_problems = portico_account_find_problems (lost, NULL, NOW, 24);
  PorticoAccountProblem *problem;

  problem = g_ptr_array_index (imported_problems, 0);
  g_assert_cmpint (problem->kind, ==, PORTICO_PROBLEM_KEYRING_MISSING);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_RECONNECT);
  g_assert_cmpstr (problem->title, ==, "Waiting for credentials");

  problem = g_ptr_array_index (lost_problems, 0);
  g_assert_cmpint (problem->kind, ==, PORTICO_PROBLEM_KEYRING_MISSING);
  g_assert_cmpstr (problem->title, ==, "Credentials missing from the keyring");
}

static void
test_stale (void)
{
  g_autoptr(JsonObject) fresh = make_account ("ok", "ok", "ok", NULL, NULL, NOW - 47 * HOUR,
                                              "ok", NULL, NOW - 47 * HOUR);
  g_autoptr(JsonObject) stale = make_account ("ok", "ok", "ok", NULL, NULL, NOW - 49 * HOUR,
                                              "ok", NULL, NOW - 60 * HOUR);
  g_autoptr(JsonObject) never = make_account ("new", "ok", "never", NULL, NULL, 0, "never", NULL, 0);
  g_autoptr(GPtrArray) fresh_problems = portico_account_find_problems (fresh, NULL, NOW, 24);
  g_autoptr(GPtrArray) stale_problems = portico_account_find_problems (stale, NULL, NOW, 24);
  g_autoptr(GPtrArray) short_interval = portico_account_find_problems (fresh, NULL, NOW, 12);
  g_autoptr(GPtrArray) never_problems = portico_account_find_problems (never, NULL, NOW, 24);
  PorticoAccountProblem *problem;

  g_assert_null (find_kind (fresh_problems, PORTICO_PROBLEM_STALE));
  problem = find_kind (stale_problems, PORTICO_PROBLEM_STALE);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem->detail, "2 days"));
  g_assert_nonnull (find_kind (short_interval, PORTICO_PROBLEM_STALE));
  /* Connected 30 days ago, never synced. */
  problem = find_kind (never_problems, PORTICO_PROBLEM_STALE);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem->detail, "30 days"));
}

static void
test_rate_limited (void)
{
  g_autoptr(JsonObject) account = make_account ("ok", "ok", "ok", NULL, NULL, NOW - HOUR,
                                                "ok", NULL, NOW - HOUR);
  g_autoptr(JsonArray) twice = parse_array (
    "[{\"id\":3,\"status\":\"partial\",\"data_types\":[{\"id\":\"users\",\"error_code\":\"rate_limited\"}]},"
    " {\"id\":2,\"status\":\"ok\",\"data_types\":[{\"id\":\"users\",\"error_code\":null}]},"
    " {\"id\":1,\"status\":\"failed\",\"data_types\":[{\"id\":\"users\",\"error_code\":\"rate_limited\"}]}]");
  g_autoptr(JsonArray) once = parse_array (
    "[{\"id\":3,\"status\":\"partial\",\"data_types\":[{\"id\":\"users\",\"error_code\":\"rate_limited\"}]},"
    " {\"id\":2,\"status\":\"ok\",\"data_types\":[]},"
    " {\"id\":1,\"status\":\"ok\",\"data_types\":[]},"
    " {\"id\":0,\"status\":\"failed\",\"data_types\":[{\"id\":\"users\",\"error_code\":\"rate_limited\"}]}]");
  g_autoptr(GPtrArray) twice_problems = portico_account_find_problems (account, twice, NOW, 24);
  g_autoptr(GPtrArray) once_problems = portico_account_find_problems (account, once, NOW, 24);

  g_assert_nonnull (find_kind (twice_problems, PORTICO_PROBLEM_RATE_LIMITED));
  g_assert_null (find_kind (once_problems, PORTICO_PROBLEM_RATE_LIMITED));
}

static void
test_due (void)
{
  gint64 interval = 24 * HOUR;

  /* Synced an hour ago: due one interval (plus its jitter) after. */
  g_assert_cmpint (portico_scheduler_compute_due (NOW - HOUR, NOW, 24, 600, 60), ==,
                   NOW - HOUR + interval + 600);
  /* Never synced, or overdue at startup: soon, within the spread. */
  g_assert_cmpint (portico_scheduler_compute_due (0, NOW, 24, 600, 60), ==, NOW + 60);
  g_assert_cmpint (portico_scheduler_compute_due (NOW - 3 * interval, NOW, 24, 30, 60), ==, NOW + 30);
  /* Jitter never exceeds a tenth of the interval. */
  g_assert_cmpint (portico_scheduler_compute_due (NOW, NOW, 1, 100000, 60), ==, NOW + HOUR + 360);
  /* A shorter interval makes the same account due earlier. */
  g_assert_cmpint (portico_scheduler_compute_due (NOW - HOUR, NOW, 2, 0, 60), ==, NOW + HOUR);
}

static gboolean
scheduler_idle (PorticoScheduler *scheduler,
                PorticoEngine    *engine,
                gint64            account_id,
                guint             expected_started)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* The check reads the accounts in a thread; the sync it starts ends
   * quickly here (no keyring item), recorded or refused. */
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      if (portico_scheduler_get_n_started (scheduler) == expected_started &&
          !portico_engine_is_syncing (engine, account_id))
        return TRUE;
      g_usleep (1000);
    }

  return FALSE;
}

/* A real store with one account that never synced: the scheduler starts
 * its sync at the first check, and not again at the next one. */
static void
test_scheduler_object (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-scheduler-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(PorticoScheduler) scheduler = NULL;
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "nowhere", .connector_name = "Nowhere", .category = "other",
    .name = "Test", .external_id = "t-1", .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  gint64 id;

  /* No keyring here: the credentials lookup must fail fast. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  id = portico_store_create_account_sync (store, &account, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);

  scheduler = portico_scheduler_new (engine);
  g_assert_cmpuint (portico_scheduler_get_interval_hours (scheduler), ==, 24);
  g_object_set (scheduler, "interval-hours", 12, NULL);
  g_assert_cmpuint (portico_scheduler_get_interval_hours (scheduler), ==, 12);
  portico_scheduler_set_startup_spread (scheduler, 0);

  portico_scheduler_check_now (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, id, 1));

  /* Attempted just now: not due again for an interval. */
  portico_scheduler_check_now (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, id, 0));

  /* "Sync All" syncs it anyway, and that counts as this interval's sync. */
  portico_scheduler_sync_all (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, id, 1));
  portico_scheduler_check_now (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, id, 0));

  g_clear_object (&scheduler);
  g_clear_object (&engine);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_remove (file);
      }
    g_rmdir (dir);
  }
}

static void
record_run (PorticoStore *store,
            gint64        account,
            const char   *status,
            const char   *error_code)
{
  g_autoptr(GError) error = NULL;
  PorticoStoreDataTypeResult result = {
    .data_type = "users", .status = g_str_equal (status, "ok") ? "ok" : "failed",
    .items = g_str_equal (status, "ok") ? 3 : 0, .error_code = error_code,
    .error_message = error_code != NULL ? "The provider rejected the key. Reconnect with a valid key." : NULL,
  };
  gint64 run = portico_store_begin_sync_run_sync (store, account, &error);

  g_assert_no_error (error);
  portico_store_finish_sync_run_sync (store, run, status, &result, 1, &error);
  g_assert_no_error (error);
}

static gint64
db_run_count (const char *path,
              gint64      account)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sync_runs WHERE account_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, account);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static JsonObject *
get_account (PorticoStore *store,
             gint64        account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = portico_store_get_account (store, account, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static gboolean
is_paused (PorticoStore *store,
           gint64        account)
{
  g_autoptr(JsonObject) object = get_account (store, account);

  return json_object_get_boolean_member (object, "paused");
}

static gint64
count_audit (PorticoStore *store,
             const char   *kind)
{
  g_autoptr(JsonNode) events = portico_store_list_audit_events (store, 0, NULL);
  gint64 n = 0;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (events)); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (json_node_get_array (events), i),
                                                  "kind"), kind) == 0)
      n++;
  return n;
}

/* Auto-pause in a real store: five failures in a row with one cause pause
 * an account (another cause in between does not), the scheduler then skips
 * it while it starts the other overdue account, the status model says
 * "paused" with the cause and the Resume fix; resume, a successful run and a
 * reconnect each end it, and failures before that no longer count. */
static void
test_auto_pause (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-pause-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(PorticoScheduler) scheduler = NULL;
  g_autoptr(JsonObject) paused = NULL;
  g_autoptr(PorticoAccountStatus) status = NULL;
  g_autoptr(JsonArray) rows = json_array_new ();
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "nowhere", .connector_name = "Nowhere", .category = "other",
    .name = "Paused", .external_id = "p-1", .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  PorticoStoreNewAccount other = account;
  PorticoAccountProblem *problem;
  sqlite3 *db = NULL;
  gint64 id, other_id;

  /* No keyring here: the sync the scheduler starts fails fast. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  id = portico_store_create_account_sync (store, &account, &error);
  g_assert_no_error (error);
  other.name = "Other";
  other.external_id = "p-2";
  other_id = portico_store_create_account_sync (store, &other, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);
  /* The engine took the setting's default. */
  portico_store_set_pause_after (store, 5);

  /* Four rejections, then a network failure: no streak of one cause. */
  for (guint i = 0; i < 4; i++)
    record_run (store, id, "failed", "unauthorized");
  g_assert_false (is_paused (store, id));
  record_run (store, id, "failed", "network");
  for (guint i = 0; i < 4; i++)
    record_run (store, id, "failed", "unauthorized");
  g_assert_false (is_paused (store, id));
  /* The fifth rejection in a row pauses it. */
  record_run (store, id, "failed", "unauthorized");
  g_assert_true (is_paused (store, id));
  g_assert_cmpint (count_audit (store, "paused"), ==, 1);
  {
    g_autoptr(JsonNode) events = portico_store_list_audit_events (store, 1, NULL);
    g_autofree char *summary = portico_audit_event_summary (json_array_get_object_element (json_node_get_array (events), 0));

    g_assert_cmpstr (summary, ==, "Paused scheduled syncs of Paused (Nowhere) after 5 failed syncs with the same cause");
  }
  for (guint i = 0; i < 4; i++)
    record_run (store, other_id, "failed", "unauthorized");
  g_assert_false (is_paused (store, other_id));

  paused = get_account (store, id);
  g_assert_cmpstr (json_object_get_string_member (paused, "paused_cause"), ==, "unauthorized");
  g_assert_cmpstr (json_object_get_string_member (paused, "paused_message"), ==,
                   "The provider rejected the key. Reconnect with a valid key.");
  status = portico_account_status_new (paused, NULL, g_get_real_time () / G_USEC_PER_SEC, 24);
  g_assert_cmpint (status->status, ==, PORTICO_STATUS_PAUSED);
  g_assert_cmpstr (status->label, ==, "Paused");
  problem = g_ptr_array_index (status->problems, 0);
  g_assert_cmpint (problem->kind, ==, PORTICO_PROBLEM_PAUSED);
  g_assert_cmpint (problem->fix, ==, PORTICO_FIX_RESUME);
  g_assert_cmpstr (portico_fix_label (problem->fix), ==, "Resume");
  g_assert_nonnull (strstr (problem->detail, "The provider rejected the key."));
  portico_account_status_add_attention_json (status, paused, rows);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "problem"), ==, "paused");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "fix_action"), ==, "resume");

  /* Both accounts are overdue: the scheduler starts the other one only. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE accounts SET last_sync_at = '2020-01-01T00:00:00Z'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  scheduler = portico_scheduler_new (engine);
  portico_scheduler_set_startup_spread (scheduler, 0);
  portico_scheduler_check_now (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, other_id, 1));
  g_assert_true (is_paused (store, id));
  g_assert_cmpint (db_run_count (path, id), ==, 10);

  /* Resume: scheduled syncs run again, and the old failures no longer
   * count (one more failure does not pause it). Resuming twice is refused. */
  g_assert_true (portico_store_resume_account_sync (store, id, &error));
  g_assert_no_error (error);
  g_assert_false (is_paused (store, id));
  g_assert_false (portico_store_resume_account_sync (store, id, &error));
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID);
  g_clear_error (&error);
  record_run (store, id, "failed", "unauthorized");
  g_assert_false (is_paused (store, id));
  g_clear_object (&scheduler);
  scheduler = portico_scheduler_new (engine);
  portico_scheduler_set_startup_spread (scheduler, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE accounts SET last_sync_at = '2020-01-01T00:00:00Z'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  portico_scheduler_check_now (scheduler);
  g_assert_true (scheduler_idle (scheduler, engine, id, 2));

  /* A successful run resumes it... */
  portico_store_set_pause_after (store, 2);
  record_run (store, id, "failed", "unauthorized");
  g_assert_true (is_paused (store, id));
  record_run (store, id, "ok", NULL);
  g_assert_false (is_paused (store, id));
  /* ...and so does a reconnect. */
  record_run (store, id, "failed", "unauthorized");
  record_run (store, id, "failed", "unauthorized");
  g_assert_true (is_paused (store, id));
  g_assert_true (portico_store_update_account_sync (store, id, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (is_paused (store, id));
  g_assert_cmpint (count_audit (store, "resumed"), ==, 3);

  /* 0 never pauses. */
  portico_store_set_pause_after (store, 0);
  for (guint i = 0; i < 6; i++)
    record_run (store, other_id, "failed", "unauthorized");
  g_assert_false (is_paused (store, other_id));

  g_clear_object (&scheduler);
  g_clear_object (&engine);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_remove (file);
      }
    g_rmdir (dir);
  }
}

static gboolean
wait_checks (PorticoScheduler *scheduler,
             PorticoEngine    *engine,
             gint64            account_id,
             guint             n_checks)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      if (portico_scheduler_get_n_checks (scheduler) >= n_checks &&
          !portico_engine_is_syncing (engine, account_id))
        return TRUE;
      g_usleep (1000);
    }

  return FALSE;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *n)
{
  (*n)++;
}

/* Offline awareness with a test network monitor: offline, no scheduled
 * sync starts and the engine's "offline" property (the window's banner)
 * says so; back online, the due sync runs at once. On a metered
 * connection with sync-on-metered off, scheduled syncs wait too. A run
 * that failed only because the machine was offline neither counts toward
 * auto-pause nor breaks a streak, and the account shows "Offline" without
 * a problem in Needs attention. */
static void
test_offline (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-offline-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(PorticoScheduler) scheduler = NULL;
  g_autoptr(GNetworkMonitor) monitor = portico_static_network_monitor_new (FALSE, FALSE);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(PorticoAccountStatus) status = NULL;
  g_autoptr(JsonArray) rows = json_array_new ();
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "nowhere", .connector_name = "Nowhere", .category = "other",
    .name = "Offline", .external_id = "o-1", .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  gboolean offline = FALSE;
  guint n_notify = 0;
  gint64 id, metered_id;

  /* No keyring here: the sync the scheduler starts fails fast. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  id = portico_store_create_account_sync (store, &account, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);
  portico_store_set_pause_after (store, 5);
  g_assert_false (portico_engine_get_offline (engine));
  g_signal_connect (engine, "notify::offline", G_CALLBACK (count_notify_cb), &n_notify);

  scheduler = portico_scheduler_new (engine);
  portico_scheduler_set_startup_spread (scheduler, 0);
  portico_scheduler_set_network_monitor (scheduler, monitor);
  g_assert_true (portico_engine_get_network_monitor (engine) == monitor);
  g_object_get (engine, "offline", &offline, NULL);
  g_assert_true (offline);
  g_assert_cmpuint (n_notify, ==, 1);

  /* Offline: the never-synced account is due, but nothing starts (the
   * account's connector is not in the catalog, so a started sync records
   * no run: the scheduler's count says what started). */
  portico_scheduler_start (scheduler, 3600);
  g_assert_true (wait_checks (scheduler, engine, id, 1));
  g_assert_cmpuint (portico_scheduler_get_n_started (scheduler), ==, 0);

  /* Back online: the due sync runs without waiting for the next check. */
  portico_static_network_monitor_set (PORTICO_STATIC_NETWORK_MONITOR (monitor), TRUE, FALSE);
  g_assert_false (portico_engine_get_offline (engine));
  g_assert_cmpuint (n_notify, ==, 2);
  g_assert_true (wait_checks (scheduler, engine, id, 2));
  g_assert_cmpuint (portico_scheduler_get_n_started (scheduler), ==, 1);
  g_assert_true (scheduler_idle (scheduler, engine, id, 1));

  /* Metered, and the admin chose not to sync on metered connections: a
   * newly due account waits; allowing it again starts it. */
  account.name = "Metered";
  account.external_id = "o-2";
  metered_id = portico_store_create_account_sync (store, &account, &error);
  g_assert_no_error (error);
  g_object_set (scheduler, "sync-on-metered", FALSE, NULL);
  portico_static_network_monitor_set (PORTICO_STATIC_NETWORK_MONITOR (monitor), TRUE, TRUE);
  g_assert_true (portico_engine_get_metered (engine));
  portico_scheduler_check_now (scheduler);
  g_assert_true (wait_checks (scheduler, engine, metered_id, 3));
  g_assert_cmpuint (portico_scheduler_get_n_started (scheduler), ==, 0);
  portico_scheduler_set_sync_on_metered (scheduler, TRUE);
  g_assert_true (wait_checks (scheduler, engine, metered_id, 4));
  g_assert_cmpuint (portico_scheduler_get_n_started (scheduler), ==, 1);
  g_assert_true (scheduler_idle (scheduler, engine, metered_id, 1));
  portico_scheduler_stop (scheduler);

  /* A scheduler made while the engine is offline already (as the app's
   * window does) also checks when the network comes back. */
  portico_static_network_monitor_set (PORTICO_STATIC_NETWORK_MONITOR (monitor), FALSE, FALSE);
  g_clear_object (&scheduler);
  scheduler = portico_scheduler_new (engine);
  portico_scheduler_start (scheduler, 3600);
  g_assert_true (wait_checks (scheduler, engine, id, 1));
  portico_static_network_monitor_set (PORTICO_STATIC_NETWORK_MONITOR (monitor), TRUE, FALSE);
  g_assert_true (wait_checks (scheduler, engine, id, 2));
  portico_scheduler_stop (scheduler);

  /* Six offline failures in a row do not pause... */
  for (guint i = 0; i < 6; i++)
    record_run (store, id, "failed", "offline");
  g_assert_false (is_paused (store, id));
  g_assert_cmpint (count_audit (store, "paused"), ==, 0);

  /* ...and the account is waiting for the network, not in Needs attention. */
  object = get_account (store, id);
  status = portico_account_status_new (object, NULL, g_get_real_time () / G_USEC_PER_SEC, 24);
  g_assert_cmpint (status->status, ==, PORTICO_STATUS_OFFLINE);
  g_assert_cmpstr (status->label, ==, "Offline");
  g_assert_cmpstr (status->icon_name, ==, "network-offline-symbolic");
  g_assert_cmpuint (status->problems->len, ==, 0);
  portico_account_status_add_attention_json (status, object, rows);
  g_assert_cmpuint (json_array_get_length (rows), ==, 0);

  /* An offline failure in a streak of one cause neither counts nor breaks
   * it: four rejections, offline, a fifth rejection pauses. */
  for (guint i = 0; i < 4; i++)
    record_run (store, id, "failed", "unauthorized");
  record_run (store, id, "failed", "offline");
  g_assert_false (is_paused (store, id));
  record_run (store, id, "failed", "unauthorized");
  g_assert_true (is_paused (store, id));

  g_clear_object (&scheduler);
  g_clear_object (&engine);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_remove (file);
      }
    g_rmdir (dir);
  }
}

/* No route at all is the machine's problem ("offline"); a refused
 * connection while the network is up is the provider's ("network"). */
static void
test_offline_error_codes (void)
{
  g_autoptr(GError) unreachable = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network is unreachable");
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
  g_autoptr(GError) error = NULL;

  portico_http_set_transport_error (&error, unreachable, "Okta", "acme.okta.com");
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_OFFLINE);
  g_assert_cmpstr (portico_error_code_name (error), ==, "offline");
  g_assert_nonnull (strstr (error->message, "acme.okta.com"));
  g_assert_nonnull (strstr (error->message, "offline"));
  g_clear_error (&error);

  portico_http_set_transport_error (&error, refused, "Okta", "acme.okta.com");
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_NETWORK);
  g_assert_cmpstr (portico_error_code_name (error), ==, "network");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/scheduler/time-parse", test_time_parse);
  g_test_add_func ("/scheduler/state", test_state);
  g_test_add_func ("/scheduler/problems/healthy", test_healthy);
  g_test_add_func ("/status/kinds", test_status_kinds);
  g_test_add_func ("/audit/summary", test_audit_summary);
  g_test_add_func ("/scheduler/problems/rejected", test_rejected);
  g_test_add_func ("/scheduler/problems/origin-changed", test_origin_changed);
  g_test_add_func ("/scheduler/problems/plan-partial", test_plan_partial);
  g_test_add_func ("/scheduler/problems/generic-failure", test_generic_failure);
  g_test_add_func ("/scheduler/problems/keyring-missing", test_keyring_missing);
  g_test_add_func ("/scheduler/problems/waiting-for-credentials", test_waiting_for_credentials);
  g_test_add_func ("/scheduler/problems/stale", test_stale);
  g_test_add_func ("/scheduler/problems/rate-limited", test_rate_limited);
  g_test_add_func ("/scheduler/due", test_due);
  g_test_add_func ("/scheduler/object", test_scheduler_object);
  g_test_add_func ("/scheduler/auto-pause", test_auto_pause);
  g_test_add_func ("/scheduler/offline", test_offline);
  g_test_add_func ("/scheduler/offline-error-codes", test_offline_error_codes);

  return g_test_run ();
}
