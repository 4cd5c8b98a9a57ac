/* portico-audit.c: the audit trail in words a person reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-audit"

#include "config.h"

#include <string.h>
#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "portico-audit.h"
#include "portico-connector.h"
#include "portico-format.h"
#include "portico-json.h"

static const struct
{
  const char *kind;
  const char *label;
} kinds[] = {
  { "tested", N_("Tested") },
  { "connected", N_("Connected") },
  { "imported", N_("Imported") },
  { "connect_failed", N_("Connection undone") },
  { "renamed", N_("Renamed") },
  { "reconnected", N_("Reconnected") },
  { "synced", N_("Synced") },
  { "sync_failed", N_("Sync failed") },
  { "disconnected", N_("Disconnected") },
  { "restored", N_("Restored") },
  { "credentials_forgotten", N_("Credentials forgotten") },
  { "paused", N_("Paused") },
  { "resumed", N_("Resumed") },
  { "held", N_("Sync held") },
  { "held_applied", N_("Held sync applied") },
  { "held_discarded", N_("Held sync discarded") },
};

const char * const *
portico_audit_kinds (void)
{
  static const char *ids[G_N_ELEMENTS (kinds) + 1];

  if (ids[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      ids[i] = kinds[i].kind;

  return ids;
}

const char *
portico_audit_kind_label (const char *kind)
{
  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kind, kinds[i].kind))
      return _(kinds[i].label);

  return kind;
}

static JsonObject *
details_object (JsonObject *event)
{
  JsonNode *node = event != NULL && json_object_has_member (event, "details")
                   ? json_object_get_member (event, "details") : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* "193 users", "1,351 custom details": a count with the data type's noun. */
static char *
count_phrase (const char *type,
              gint64      n)
{
  if (g_strcmp0 (type, "users") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " user",
                                         "%'" PRId64 " users", n), n);
  if (g_strcmp0 (type, "licenses") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " license",
                                         "%'" PRId64 " licenses", n), n);
  if (g_strcmp0 (type, "usage") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " usage record",
                                         "%'" PRId64 " usage records", n), n);
  if (g_strcmp0 (type, "custom_fields") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " custom detail",
                                         "%'" PRId64 " custom details", n), n);
  if (g_strcmp0 (type, "transactions") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " transaction",
                                         "%'" PRId64 " transactions", n), n);
  if (g_strcmp0 (type, "groups") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " group",
                                         "%'" PRId64 " groups", n), n);
  if (g_strcmp0 (type, "discovered_apps") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " discovered app",
                                         "%'" PRId64 " discovered apps", n), n);
  if (g_strcmp0 (type, "app_assignments") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " app assignment",
                                         "%'" PRId64 " app assignments", n), n);

  /* Translators: an unknown data type with its count: "12 (widgets)". */
  return g_strdup_printf (_("%'" PRId64 " (%s)"), n, type != NULL ? type : "?");
}

/* "a, b and c" */
static char *
join_list (GPtrArray *parts)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        /* Translators: the last separator of a list: "users, licenses and groups". */
        g_string_append (text, i + 1 == parts->len ? _(" and ") : ", ");
      g_string_append (text, g_ptr_array_index (parts, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static JsonArray *
details_types (JsonObject *details)
{
  JsonNode *node = details != NULL && json_object_has_member (details, "data_types")
                   ? json_object_get_member (details, "data_types") : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
error_words (const char *code)
{
  static const struct { const char *code; const char *words; } words[] = {
    { "not_authorized", N_("credentials rejected") },
    { "forbidden", N_("permission missing") },
    { "plan", N_("not in the plan") },
    { "not_found", N_("not found") },
    { "rate_limited", N_("rate limited") },
    { "network", N_("provider unreachable") },
    { "offline", N_("offline") },
    { "tls", N_("certificate problem") },
    { "timeout", N_("no answer in time") },
    { "server", N_("provider error") },
    { "bad_response", N_("unexpected answer") },
    { "sign_in_expired", N_("sign-in expired") },
    { "missing", N_("key missing from the keyring") },
  };

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (code, words[i].code))
      return _(words[i].words);

  return code != NULL ? code : _("failed");
}

static char *
sync_summary (JsonObject *details,
              const char *account,
              gboolean    failed)
{
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *counted = NULL;
  g_autofree char *failing = NULL;
  JsonArray *types = details_types (details);

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *id = portico_json_get_string (type, "id");

      if (g_strcmp0 (portico_json_get_string (type, "status"), "ok") == 0)
        {
          /* The identity provider's discovered apps are a side count. */
          g_ptr_array_add (counts, count_phrase (id, portico_json_get_int (type, "items", 0)));
        }
      else if (g_strcmp0 (portico_json_get_string (type, "status"), "failed") == 0)
        /* Translators: "Licenses (not in the plan)" */
        g_ptr_array_add (failures, g_strdup_printf (_("%s (%s)"),
                                                    id != NULL ? portico_data_type_label (id) : "?",
                                                    error_words (portico_json_get_string (type, "error"))));
    }

  if (failures->len > 0)
    failing = join_list (failures);

  if (failed || counts->len == 0)
    {
      if (failing != NULL)
        /* Translators: "Sync of Okta Corp HQ failed: Users (credentials rejected)" */
        return g_strdup_printf (_("Sync of %s failed, nothing was updated: %s"), account, failing);
      return g_strdup_printf (_("Sync of %s failed, nothing was updated"), account);
    }

  counted = join_list (counts);
  if (failing != NULL)
    /* Translators: "Synced 193 users from Okta Corp HQ; not updated: Licenses (not in the plan)" */
    return g_strdup_printf (_("Synced %s from %s; not updated: %s"), counted, account, failing);

  /* Translators: "Synced 193 users and 1,351 custom details from Okta Corp HQ" */
  return g_strdup_printf (_("Synced %s from %s"), counted, account);
}

char *
portico_audit_event_summary (JsonObject *event)
{
  JsonObject *details;
  const char *kind, *account, *app;
  g_autofree char *who = NULL;

  g_return_val_if_fail (event != NULL, NULL);

  kind = portico_json_get_string (event, "kind");
  details = details_object (event);
  account = portico_json_get_string (event, "account_name");
  if (account == NULL)
    account = details != NULL ? portico_json_get_string (details, "name") : NULL;
  if (account == NULL)
    account = _("an account that no longer exists");
  app = portico_json_get_string (event, "app");
  /* "Okta Corp HQ (Okta)" unless the account is named after its app. */
  who = app != NULL && strstr (account, app) == NULL
        ? g_strdup_printf (_("%s (%s)"), account, app) : g_strdup (account);

  if (g_strcmp0 (kind, "renamed") == 0 && details != NULL)
    /* Translators: "Renamed Okta Production to Okta Corp HQ" */
    return g_strdup_printf (_("Renamed %s to %s"),
                            portico_json_get_string (details, "old_name") ?: "?",
                            portico_json_get_string (details, "new_name") ?: account);
  if (g_strcmp0 (kind, "connected") == 0)
    {
      const char *permission = details != NULL ? portico_json_get_string (details, "permission") : NULL;

      if (g_strcmp0 (permission, "act") == 0)
        return g_strdup_printf (_("Connected %s with permission to read and take action"), who);
      return g_strdup_printf (_("Connected %s with permission to read"), who);
    }
  if (g_strcmp0 (kind, "imported") == 0)
    return g_strdup_printf (_("Imported %s from a profile; it waits for its credentials"), who);
  if (g_strcmp0 (kind, "connect_failed") == 0)
    return g_strdup_printf (_("Connecting %s did not finish, so nothing of it was kept"), who);
  if (g_strcmp0 (kind, "reconnected") == 0)
    return g_strdup_printf (_("Reconnected %s with new credentials"), who);
  if (g_strcmp0 (kind, "synced") == 0)
    return sync_summary (details, who, FALSE);
  if (g_strcmp0 (kind, "sync_failed") == 0)
    return sync_summary (details, who, TRUE);
  if (g_strcmp0 (kind, "disconnected") == 0)
    {
      gint64 users = details != NULL ? portico_json_get_int (details, "app_users", 0) : 0;

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Disconnected %s and deleted the %'" PRId64 " app user it brought in",
                                           "Disconnected %s and deleted the %'" PRId64 " app users it brought in",
                                           users), who, users);
    }
  if (g_strcmp0 (kind, "restored") == 0)
    {
      gint64 rows = details != NULL ? portico_json_get_int (details, "rows", 0) : 0;

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Restored %s and put back the %'" PRId64 " record it had brought in",
                                           "Restored %s and put back the %'" PRId64 " records it had brought in",
                                           rows), who, rows);
    }
  if (g_strcmp0 (kind, "credentials_forgotten") == 0)
    {
      const char *reason = details != NULL ? portico_json_get_string (details, "reason") : NULL;

      if (g_strcmp0 (reason, "expired") == 0)
        return g_strdup_printf (_("Deleted the kept credentials of %s: its time to be restored ended"), who);
      return g_strdup_printf (_("Deleted the kept credentials of %s, so it can no longer be restored"), who);
    }
  if (g_strcmp0 (kind, "paused") == 0)
    {
      gint64 failures = details != NULL ? portico_json_get_int (details, "failures", 0) : 0;

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Paused scheduled syncs of %s after %'" PRId64 " failed sync with the same cause",
                                           "Paused scheduled syncs of %s after %'" PRId64 " failed syncs with the same cause",
                                           failures), who, failures);
    }
  if (g_strcmp0 (kind, "resumed") == 0)
    {
      const char *why = details != NULL ? portico_json_get_string (details, "why") : NULL;

      if (g_strcmp0 (why, "synced") == 0)
        return g_strdup_printf (_("Resumed scheduled syncs of %s: a sync succeeded"), who);
      if (g_strcmp0 (why, "reconnected") == 0)
        return g_strdup_printf (_("Resumed scheduled syncs of %s: it was reconnected"), who);
      return g_strdup_printf (_("Resumed scheduled syncs of %s"), who);
    }
  if (g_strcmp0 (kind, "held") == 0)
    {
      gint64 missing = details != NULL ? portico_json_get_int (details, "missing", 0) : 0;
      gint64 total = details != NULL ? portico_json_get_int (details, "total", 0) : 0;

      /* Translators: "Held the users sync of Okta Corp HQ (Okta): 1,840 of 2,100 people would disappear" */
      return g_strdup_printf (_("Held the users sync of %s: %'" PRId64 " of %'" PRId64 " people would disappear"),
                              who, missing, total);
    }
  if (g_strcmp0 (kind, "held_applied") == 0)
    return g_strdup_printf (_("Applied the held users sync of %s"), who);
  if (g_strcmp0 (kind, "held_discarded") == 0)
    return g_strdup_printf (_("Kept the current users of %s and discarded the held sync"), who);
  if (g_strcmp0 (kind, "tested") == 0)
    {
      const char *outcome = details != NULL ? portico_json_get_string (details, "outcome") : NULL;

      if (g_strcmp0 (outcome, "A") == 0)
        return g_strdup_printf (_("Tested %s: everything works"), who);
      if (g_strcmp0 (outcome, "B") == 0)
        return g_strdup_printf (_("Tested %s: some data types are not available"), who);
      return g_strdup_printf (_("Tested %s: the connection failed"), who);
    }

  /* Translators: an event Portico has no sentence for: "Exported: Okta Corp HQ" */
  return g_strdup_printf (_("%s: %s"), portico_audit_kind_label (kind), who);
}

static void
describe_value (GString    *text,
                const char *label,
                JsonNode   *value)
{
  if (JSON_NODE_HOLDS_NULL (value))
    return;

  g_string_append_printf (text, "%s%s: ", text->len > 0 ? "\n" : "", label);
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    g_string_append (text, json_node_get_boolean (value) ? _("yes") : _("no"));
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    g_string_append (text, json_node_get_string (value));
  else if (JSON_NODE_HOLDS_VALUE (value))
    g_string_append_printf (text, "%'" G_GINT64_FORMAT, json_node_get_int (value));
  else if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (i > 0)
            g_string_append (text, ", ");
          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_string_append (text, json_node_get_string (element));
        }
      if (json_array_get_length (array) == 0)
        g_string_append (text, _("none"));
    }
}

char *
portico_audit_event_describe_details (JsonObject *event)
{
  static const struct { const char *member; const char *label; } labels[] = {
    { "connector", N_("Integration") },
    { "external_id", N_("Identity at the provider") },
    { "permission", N_("Permission") },
    { "old_name", N_("Old name") },
    { "new_name", N_("New name") },
    { "same_identity", N_("Same identity at the provider") },
    { "app_users", N_("App users deleted") },
    { "licenses", N_("Licenses deleted") },
    { "custom_fields", N_("Custom user details deleted") },
    { "transactions", N_("Transactions deleted") },
    { "workflows_invalidated", N_("Workflows made invalid") },
    { "workflow_actions_failing", N_("Workflow actions now failing") },
    { "offboarding_configs", N_("Offboarding configurations removed") },
    { "other_apps_affected", N_("Other apps that lost data") },
    { "rows", N_("Records put back") },
    { "workflows_valid_again", N_("Workflows valid again") },
  };
  JsonObject *details = details_object (event);
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *types;

  g_return_val_if_fail (event != NULL, NULL);

  if (details == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (json_object_has_member (details, labels[i].member))
      describe_value (text, _(labels[i].label), json_object_get_member (details, labels[i].member));

  types = details_types (details);
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *id = portico_json_get_string (type, "id");
      const char *status = portico_json_get_string (type, "status");
      g_autofree char *what = NULL;

      if (g_strcmp0 (status, "ok") == 0)
        what = count_phrase (id, portico_json_get_int (type, "items", 0));
      else if (g_strcmp0 (status, "failed") == 0)
        what = g_strdup_printf (_("not updated (%s)"), error_words (portico_json_get_string (type, "error")));
      else
        what = g_strdup (_("skipped"));

      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "\n" : "",
                              id != NULL ? portico_data_type_label (id) : "?", what);
    }

  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
portico_audit_format_time (const char *store_time,
                           gint64      now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  gint64 seconds;
  int days;

  if (store_time == NULL || store_time[0] == '\0')
    return g_strdup (_("Unknown time"));

  utc = g_date_time_new_from_iso8601 (store_time, NULL);
  if (utc == NULL)
    return g_strdup (store_time);

  local = g_date_time_to_local (utc);
  local_now = g_date_time_new_from_unix_local (now);
  seconds = now - g_date_time_to_unix (utc);

  if (seconds >= 0 && seconds < 60)
    return g_strdup (_("Just now"));
  if (seconds >= 0 && seconds < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago",
                                         (int) (seconds / 60)), (int) (seconds / 60));

  days = g_date_time_get_day_of_year (local_now) - g_date_time_get_day_of_year (local)
         + 366 * (g_date_time_get_year (local_now) - g_date_time_get_year (local));
  if (seconds >= 0 && days == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago",
                                         (int) (seconds / 3600)), (int) (seconds / 3600));
  if (seconds >= 0 && days == 1)
    {
      /* Translators: the time of day in the user's format, see g_date_time_format(). */
      g_autofree char *time = g_date_time_format (local, _("%X"));

      return g_strdup_printf (_("Yesterday at %s"), time);
    }

  return portico_format_time (store_time);
}

void
portico_audit_add_summaries (JsonNode *events)
{
  JsonArray *array;

  g_return_if_fail (events != NULL);

  if (!JSON_NODE_HOLDS_ARRAY (events))
    return;

  array = json_node_get_array (events);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *event = json_array_get_object_element (array, i);

      g_autofree char *summary = NULL;

      if (event == NULL)
        continue;
      summary = portico_audit_event_summary (event);
      json_object_set_string_member (event, "summary", summary);
    }
}
