/* portico-status.c: one status model for every connected account.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-status"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "portico-connector.h"
#include "portico-json.h"
#include "portico-status.h"

gint64
portico_store_time_to_unix (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL || text[0] == '\0')
    return 0;

  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    return 0;

  return g_date_time_to_unix (time);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);

  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

PorticoAccountState
portico_account_state_from_json (JsonObject *account)
{
  const char *status;

  g_return_val_if_fail (account != NULL, PORTICO_ACCOUNT_STATE_NEVER);

  status = portico_json_get_string (account, "status");
  if (g_strcmp0 (status, "ok") == 0)
    return PORTICO_ACCOUNT_STATE_OK;
  if (g_strcmp0 (status, "partial") == 0)
    return PORTICO_ACCOUNT_STATE_PARTIAL;
  if (g_strcmp0 (status, "failed") == 0)
    return PORTICO_ACCOUNT_STATE_FAILED;

  return PORTICO_ACCOUNT_STATE_NEVER;
}

gint64
portico_account_last_success (JsonObject *account)
{
  JsonArray *types;
  gint64 newest = 0;

  g_return_val_if_fail (account != NULL, 0);

  types = member_array (account, "data_types");
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      gint64 when;

      if (type == NULL || !portico_json_get_bool (type, "enabled", TRUE))
        continue;
      when = portico_store_time_to_unix (portico_json_get_string (type, "last_success_at"));
      newest = MAX (newest, when);
    }

  return newest;
}

/* ---- Problems ----------------------------------------------------------- */

void
portico_account_problem_free (PorticoAccountProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->title);
  g_free (problem->detail);
  g_free (problem->fix_text);
  g_free (problem);
}

const char *
portico_problem_code (PorticoProblemKind kind)
{
  switch (kind)
    {
    case PORTICO_PROBLEM_CREDENTIALS_REJECTED:
      return "rejected_credentials";
    case PORTICO_PROBLEM_KEYRING_MISSING:
      return "keyring";
    case PORTICO_PROBLEM_PERMISSION:
    case PORTICO_PROBLEM_DISABLED_TYPES:
      return "missing_permissions";
    case PORTICO_PROBLEM_STALE:
      return "stale";
    case PORTICO_PROBLEM_SIGN_IN_EXPIRED:
      return "sign_in_expired";
    case PORTICO_PROBLEM_PAUSED:
      return "paused";
    case PORTICO_PROBLEM_HELD:
      return "held";
    case PORTICO_PROBLEM_RATE_LIMITED:
    case PORTICO_PROBLEM_SYNC_FAILED:
    case PORTICO_PROBLEM_SYNC_PARTIAL:
    default:
      return "sync_failed";
    }
}

const char *
portico_fix_label (PorticoFix fix)
{
  switch (fix)
    {
    case PORTICO_FIX_RECONNECT:
      return _("Reconnect");
    case PORTICO_FIX_RESUME:
      return _("Resume");
    case PORTICO_FIX_APPLY_HELD:
      return _("Apply Anyway");
    case PORTICO_FIX_SYNC_NOW:
    default:
      return _("Sync Now");
    }
}

static void
add_problem (GPtrArray          *problems,
             PorticoProblemKind  kind,
             PorticoFix          fix,
             const char         *title,
             char               *detail,
             const char         *fix_text)
{
  PorticoAccountProblem *problem = g_new0 (PorticoAccountProblem, 1);

  problem->kind = kind;
  problem->fix = fix;
  problem->title = g_strdup (title);
  problem->detail = detail;
  problem->fix_text = g_strdup (fix_text);
  g_ptr_array_add (problems, problem);
}

static gboolean
is_sign_in_code (const char *code)
{
  /* What the runtime records when a refresh token or a signed assertion is
   * no longer accepted: the admin has to sign in again. */
  return g_strcmp0 (code, "sign_in_expired") == 0 || g_strcmp0 (code, "invalid_grant") == 0;
}

/* The first enabled data type whose last error has @code, or NULL. */
static JsonObject *
find_data_type_with_error (JsonObject *account,
                           const char *code,
                           const char *other_code)
{
  JsonArray *types = member_array (account, "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *error_code;

      if (type == NULL || !portico_json_get_bool (type, "enabled", TRUE))
        continue;
      if (g_strcmp0 (portico_json_get_string (type, "status"), "ok") == 0)
        continue;
      error_code = portico_json_get_string (type, "error_code");
      if (g_strcmp0 (error_code, code) == 0 ||
          (other_code != NULL && g_strcmp0 (error_code, other_code) == 0))
        return type;
    }

  return NULL;
}

static gboolean
run_has_error (JsonObject *run,
               const char *code)
{
  JsonArray *types = member_array (run, "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);

      if (type != NULL && g_strcmp0 (portico_json_get_string (type, "error_code"), code) == 0)
        return TRUE;
    }

  return FALSE;
}

/* "Users: the stored sentence" */
static char *
data_type_sentence (JsonObject *type,
                    const char *fallback)
{
  const char *error = portico_json_get_string (type, "error");
  const char *id = portico_json_get_string (type, "id");

  return g_strdup_printf ("%s: %s",
                          id != NULL ? portico_data_type_label (id) : _("Data"),
                          error != NULL && error[0] != '\0' ? error : fallback);
}

static char *
format_age (gint64 seconds)
{
  gint64 hours = seconds / 3600;
  gint64 days = hours / 24;

  if (days >= 2)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " day",
                                         "%'" PRId64 " days", days), days);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" PRId64 " hour",
                                       "%'" PRId64 " hours", hours), hours);
}

static gboolean
account_is_paused (JsonObject *account)
{
  return portico_json_get_bool (account, "paused", FALSE) ||
         g_strcmp0 (portico_json_get_string (account, "status"), "paused") == 0;
}

/* "Usage and Licenses", in the account's order. */
static char *
disabled_types_names (JsonObject  *account,
                      guint       *n_out,
                      const char **first_reason)
{
  JsonArray *types = member_array (account, "data_types");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  *first_reason = NULL;
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *id = portico_json_get_string (type, "id");

      if (type == NULL || id == NULL || portico_json_get_bool (type, "enabled", TRUE))
        continue;
      g_ptr_array_add (names, (gpointer) portico_data_type_label (id));
      if (*first_reason == NULL)
        *first_reason = portico_json_get_string (type, "disabled_reason");
    }

  *n_out = names->len;
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        /* Translators: joins data types in a list: "Usage, Licenses and Groups". */
        g_string_append (text, i + 1 == names->len ? _(" and ") : ", ");
      g_string_append (text, g_ptr_array_index (names, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The last sync failed only because the machine was offline (error code
 * "offline" on every failed data type): waiting for the network, not a
 * problem of the account. */
static gboolean
failed_only_offline (JsonObject *account)
{
  JsonArray *types = member_array (account, "data_types");
  guint n_offline = 0;

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);

      if (type == NULL || !portico_json_get_bool (type, "enabled", TRUE) ||
          g_strcmp0 (portico_json_get_string (type, "status"), "failed") != 0)
        continue;
      if (g_strcmp0 (portico_json_get_string (type, "error_code"), "offline") != 0)
        return FALSE;
      n_offline++;
    }

  return n_offline > 0;
}

static JsonObject *
first_failed_type (JsonObject *account)
{
  JsonArray *types = member_array (account, "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *candidate = json_array_get_object_element (types, i);

      if (portico_json_get_bool (candidate, "enabled", TRUE) &&
          g_strcmp0 (portico_json_get_string (candidate, "status"), "failed") == 0)
        return candidate;
    }

  return NULL;
}

GPtrArray *
portico_account_find_problems (JsonObject *account,
                               JsonArray  *recent_runs,
                               gint64      now,
                               guint       interval_hours)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) portico_account_problem_free);
  PorticoAccountState state;
  JsonObject *type;
  gboolean explained = FALSE;
  gint64 last_success, since, limit;
  g_autofree char *disabled = NULL;
  const char *disabled_reason = NULL;
  guint n_disabled = 0;

  g_return_val_if_fail (account != NULL, NULL);

  state = portico_account_state_from_json (account);

  if (account_is_paused (account))
    {
      const char *why = portico_json_get_string (account, "paused_message");

      add_problem (problems, PORTICO_PROBLEM_PAUSED, PORTICO_FIX_RESUME,
                   _("Syncing paused"),
                   why != NULL
                   /* Translators: %s is the newest failure's sentence, e.g.
                    * "The provider rejected the key. Reconnect with a valid key." */
                   ? g_strdup_printf (_("Scheduled syncs stopped after repeated failures with the same cause: %s Fix it, then resume."), why)
                   : g_strdup (_("Scheduled syncs stopped after repeated failures with the same cause. Fix it, then resume.")),
                   _("Resume scheduled syncs."));
    }

  if (portico_json_get_int (account, "held_total", 0) > 0)
    {
      gint64 missing = portico_json_get_int (account, "held_missing", 0);
      gint64 total = portico_json_get_int (account, "held_total", 0);
      /* Translators: "Held: 1,840 of 2,100 people would disappear" */
      g_autofree char *title = g_strdup_printf (_("Held: %'" PRId64 " of %'" PRId64 " people would disappear"),
                                                missing, total);

      add_problem (problems, PORTICO_PROBLEM_HELD, PORTICO_FIX_APPLY_HELD, title,
                   g_strdup (_("The last users sync would have removed or deactivated them, so nothing was replaced. Apply it anyway if the provider is right, or keep the current data.")),
                   _("Apply anyway, or keep the current data."));
      explained = TRUE;
    }

  if (g_strcmp0 (portico_json_get_string (account, "keyring_state"), "missing") == 0 &&
      g_strcmp0 (portico_json_get_string (account, "status"), "new") == 0)
    {
      /* Never synced here: an account a profile import brought, without
       * its credentials. */
      add_problem (problems, PORTICO_PROBLEM_KEYRING_MISSING, PORTICO_FIX_RECONNECT,
                   _("Waiting for credentials"),
                   g_strdup (_("The credentials of this account are not on this computer (a profile import brings none), so it cannot sync. Reconnect to enter them.")),
                   _("Reconnect to enter the credentials."));
      explained = TRUE;
    }
  else if (g_strcmp0 (portico_json_get_string (account, "keyring_state"), "missing") == 0)
    {
      add_problem (problems, PORTICO_PROBLEM_KEYRING_MISSING, PORTICO_FIX_RECONNECT,
                   _("Credentials missing from the keyring"),
                   g_strdup (_("The key of this account is no longer in the keyring, so it cannot sync. Reconnect to enter it again.")),
                   _("Reconnect to enter the key again."));
      explained = TRUE;
    }

  if ((type = find_data_type_with_error (account, "sign_in_expired", "invalid_grant")) != NULL)
    {
      add_problem (problems, PORTICO_PROBLEM_SIGN_IN_EXPIRED, PORTICO_FIX_RECONNECT,
                   _("Sign-in expired"),
                   data_type_sentence (type, _("The provider no longer accepts the sign-in. Reconnect and sign in again.")),
                   _("Reconnect and sign in again."));
      explained = TRUE;
    }

  if ((type = find_data_type_with_error (account, "origin_changed", NULL)) != NULL)
    {
      add_problem (problems, PORTICO_PROBLEM_ORIGIN_CHANGED, PORTICO_FIX_RECONNECT,
                   _("Connector points elsewhere"),
                   g_strdup (portico_json_get_string (type, "error") != NULL
                             ? portico_json_get_string (type, "error")
                             : _("The connector would send the credentials to a new host. Reconnect to confirm.")),
                   _("Reconnect to confirm the new host."));
      explained = TRUE;
    }

  if ((type = find_data_type_with_error (account, "not_authorized", NULL)) != NULL)
    {
      add_problem (problems, PORTICO_PROBLEM_CREDENTIALS_REJECTED, PORTICO_FIX_RECONNECT,
                   _("Credentials rejected"),
                   data_type_sentence (type, _("The provider rejected the credentials. Reconnect with a valid key.")),
                   _("Reconnect with a valid key."));
      explained = TRUE;
    }

  if ((type = find_data_type_with_error (account, "forbidden", "plan")) != NULL)
    {
      add_problem (problems, PORTICO_PROBLEM_PERMISSION, PORTICO_FIX_RECONNECT,
                   g_strcmp0 (portico_json_get_string (type, "error_code"), "plan") == 0
                   ? _("Plan tier missing") : _("Permission missing"),
                   data_type_sentence (type, _("The provider refused this data. Reconnect with an admin key or upgrade the plan.")),
                   _("Reconnect with an admin key, or upgrade the plan."));
      explained = TRUE;
    }

  /* Outcome B: connected anyway, so some data types never sync. Listed until
   * the admin reconnects with a key (or plan) that allows them. */
  disabled = disabled_types_names (account, &n_disabled, &disabled_reason);
  if (n_disabled > 0)
    {
      g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s is not synced: %s",
                                                            "%s are not synced: %s", n_disabled),
                                               disabled,
                                               disabled_reason != NULL && disabled_reason[0] != '\0'
                                               ? disabled_reason
                                               : _("the credentials lack the permission."));

      add_problem (problems, PORTICO_PROBLEM_DISABLED_TYPES, PORTICO_FIX_RECONNECT,
                   _("Missing permissions"),
                   g_steal_pointer (&what),
                   _("Reconnect with a key that has the missing permission, or upgrade the plan."));
    }

  if (recent_runs != NULL)
    {
      guint n_limited = 0;
      guint n_runs = MIN (json_array_get_length (recent_runs), 3);

      for (guint i = 0; i < n_runs; i++)
        if (run_has_error (json_array_get_object_element (recent_runs, i), "rate_limited"))
          n_limited++;

      if (n_limited >= 2)
        {
          add_problem (problems, PORTICO_PROBLEM_RATE_LIMITED, PORTICO_FIX_SYNC_NOW,
                       _("Rate limited repeatedly"),
                       g_strdup_printf (_("The provider slowed down %u of the last %u syncs. Sync at a quieter time, or ask the provider for a higher API limit."),
                                        n_limited, n_runs),
                       _("Sync at a quieter time, or ask the provider for a higher API limit."));
          explained = TRUE;
        }
    }

  /* Offline: the window says so once; no account needs attention for it. */
  if (failed_only_offline (account))
    explained = TRUE;

  if (!explained && state == PORTICO_ACCOUNT_STATE_FAILED)
    {
      type = first_failed_type (account);
      add_problem (problems, PORTICO_PROBLEM_SYNC_FAILED, PORTICO_FIX_SYNC_NOW,
                   _("Last sync failed"),
                   type != NULL ? data_type_sentence (type, _("Nothing was updated. Try again with Sync now."))
                                : g_strdup (_("Nothing was updated. Try again with Sync now.")),
                   _("Try again with Sync now."));
    }
  else if (!explained && state == PORTICO_ACCOUNT_STATE_PARTIAL)
    {
      type = first_failed_type (account);
      add_problem (problems, PORTICO_PROBLEM_SYNC_PARTIAL, PORTICO_FIX_SYNC_NOW,
                   _("Last sync incomplete"),
                   type != NULL ? data_type_sentence (type, _("Some data types were not updated. Try again with Sync now."))
                                : g_strdup (_("Some data types were not updated. Try again with Sync now.")),
                   _("Try again with Sync now."));
    }

  /* Stale: measured from the last success, or from the connection when
   * there never was one. */
  interval_hours = CLAMP (interval_hours, 1, 168);
  limit = 2 * (gint64) interval_hours * 3600;
  last_success = portico_account_last_success (account);
  since = last_success != 0 ? last_success
                            : portico_store_time_to_unix (portico_json_get_string (account, "created_at"));
  if (since != 0 && now - since > limit)
    {
      g_autofree char *age = format_age (now - since);

      add_problem (problems, PORTICO_PROBLEM_STALE, PORTICO_FIX_SYNC_NOW,
                   _("Data out of date"),
                   last_success != 0
                   ? g_strdup_printf (_("The last successful sync was %s ago, more than twice the sync interval. Sync now, and fix what the sync reports."), age)
                   : g_strdup_printf (_("No sync has succeeded since the account was connected %s ago. Sync now, and fix what the sync reports."), age),
                   _("Sync now, and fix what the sync reports."));
    }

  return g_steal_pointer (&problems);
}

/* ---- The whole status --------------------------------------------------- */

static void
data_type_status_free (PorticoDataTypeStatus *status)
{
  g_free (status->id);
  g_free (status->reason);
  g_free (status);
}

void
portico_account_status_free (PorticoAccountStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->label);
  g_free (status->summary);
  g_clear_pointer (&status->data_types, g_ptr_array_unref);
  g_clear_pointer (&status->problems, g_ptr_array_unref);
  g_free (status);
}

static PorticoDataTypeStatus *
data_type_status_new (JsonObject *type,
                      gint64      now,
                      gint64      limit)
{
  PorticoDataTypeStatus *status = g_new0 (PorticoDataTypeStatus, 1);
  const char *last = portico_json_get_string (type, "status");
  const char *error = portico_json_get_string (type, "error");

  status->id = g_strdup (portico_json_get_string (type, "id"));
  status->items = portico_json_get_int (type, "items", -1);
  status->last_success = portico_store_time_to_unix (portico_json_get_string (type, "last_success_at"));

  if (!portico_json_get_bool (type, "enabled", TRUE))
    {
      const char *reason = portico_json_get_string (type, "disabled_reason");

      status->status = PORTICO_STATUS_DISABLED;
      status->reason = g_strdup (reason != NULL && reason[0] != '\0'
                                 ? reason : _("Turned off when the account was connected."));
    }
  else if (is_sign_in_code (portico_json_get_string (type, "error_code")))
    {
      status->status = PORTICO_STATUS_SIGN_IN_EXPIRED;
      status->reason = g_strdup (error != NULL ? error : _("The sign-in has expired. Reconnect and sign in again."));
    }
  else if (g_strcmp0 (last, "failed") == 0)
    {
      status->status = PORTICO_STATUS_FAILING;
      status->reason = g_strdup (error != NULL ? error : _("The last sync of this data type failed. Try Sync now."));
    }
  else if (status->last_success == 0)
    status->status = PORTICO_STATUS_PENDING;
  else if (now - status->last_success > limit)
    {
      g_autofree char *age = format_age (now - status->last_success);

      status->status = PORTICO_STATUS_STALE;
      status->reason = g_strdup_printf (_("Last updated %s ago."), age);
    }
  else
    status->status = PORTICO_STATUS_OK;

  return status;
}

static gboolean
has_problem (GPtrArray          *problems,
             PorticoProblemKind  kind)
{
  for (guint i = 0; i < problems->len; i++)
    if (((PorticoAccountProblem *) g_ptr_array_index (problems, i))->kind == kind)
      return TRUE;
  return FALSE;
}

PorticoAccountStatus *
portico_account_status_new (JsonObject *account,
                            JsonArray  *recent_runs,
                            gint64      now,
                            guint       interval_hours)
{
  g_autoptr(PorticoAccountStatus) status = g_new0 (PorticoAccountStatus, 1);
  PorticoAccountState state;
  JsonArray *types;
  gint64 limit;
  guint n_disabled = 0, n_enabled = 0;

  g_return_val_if_fail (account != NULL, NULL);

  interval_hours = CLAMP (interval_hours, 1, 168);
  limit = 2 * (gint64) interval_hours * 3600;
  state = portico_account_state_from_json (account);

  status->account_id = portico_json_get_int (account, "id", 0);
  status->data_types = g_ptr_array_new_with_free_func ((GDestroyNotify) data_type_status_free);
  status->problems = portico_account_find_problems (account, recent_runs, now, interval_hours);

  types = member_array (account, "data_types");
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      PorticoDataTypeStatus *type_status;

      if (type == NULL || portico_json_get_string (type, "id") == NULL)
        continue;
      type_status = data_type_status_new (type, now, limit);
      if (type_status->status == PORTICO_STATUS_DISABLED)
        n_disabled++;
      else
        n_enabled++;
      g_ptr_array_add (status->data_types, type_status);
    }

  /* The account's status is its worst: what stops it first. */
  if (has_problem (status->problems, PORTICO_PROBLEM_PAUSED))
    {
      status->status = PORTICO_STATUS_PAUSED;
      status->severity = PORTICO_SEVERITY_NEUTRAL;
      status->label = g_strdup (_("Paused"));
      status->summary = g_strdup (_("Syncing is paused."));
    }
  else if (has_problem (status->problems, PORTICO_PROBLEM_SIGN_IN_EXPIRED))
    {
      status->status = PORTICO_STATUS_SIGN_IN_EXPIRED;
      status->severity = PORTICO_SEVERITY_ERROR;
      status->label = g_strdup (_("Sign-in expired"));
      status->summary = g_strdup (_("The sign-in has expired: nothing syncs until you reconnect and sign in again."));
    }
  else if (has_problem (status->problems, PORTICO_PROBLEM_HELD))
    {
      /* Not a failure: the provider answered, drift protection kept the
       * current people until the admin decides. */
      status->status = PORTICO_STATUS_HELD;
      status->severity = PORTICO_SEVERITY_WARNING;
      status->label = g_strdup (_("Held for review"));
      status->summary = g_strdup (_("The last users sync was held: nothing was replaced until you apply it or keep the current data."));
    }
  else if ((state == PORTICO_ACCOUNT_STATE_FAILED || state == PORTICO_ACCOUNT_STATE_PARTIAL) &&
           !has_problem (status->problems, PORTICO_PROBLEM_KEYRING_MISSING) &&
           failed_only_offline (account))
    {
      status->status = PORTICO_STATUS_OFFLINE;
      status->severity = PORTICO_SEVERITY_NEUTRAL;
      status->label = g_strdup (_("Offline"));
      status->summary = g_strdup (_("Waiting for the network: the last sync could not reach the provider while this computer was offline. Portico syncs again when the network is back."));
    }
  else if (state == PORTICO_ACCOUNT_STATE_FAILED ||
           has_problem (status->problems, PORTICO_PROBLEM_KEYRING_MISSING))
    {
      status->status = PORTICO_STATUS_FAILING;
      status->severity = PORTICO_SEVERITY_ERROR;
      status->label = g_strdup (_("Sync failed"));
      status->summary = g_strdup (_("Nothing was updated by the last sync."));
    }
  else if (state == PORTICO_ACCOUNT_STATE_PARTIAL)
    {
      status->status = PORTICO_STATUS_FAILING;
      status->severity = PORTICO_SEVERITY_WARNING;
      status->label = g_strdup (_("Partly synced"));
      status->summary = g_strdup (_("Some data types failed in the last sync."));
    }
  else if (n_disabled > 0)
    {
      status->status = PORTICO_STATUS_DISABLED;
      status->severity = PORTICO_SEVERITY_WARNING;
      status->label = g_strdup (_("Missing permissions"));
      status->summary = state == PORTICO_ACCOUNT_STATE_NEVER
                        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "Not synced yet; %u data type is turned off for a missing permission.",
                                                        "Not synced yet; %u data types are turned off for a missing permission.",
                                                        n_disabled), n_disabled)
                        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "%u of %u data types synced; %u is turned off for a missing permission.",
                                                        "%u of %u data types synced; %u are turned off for a missing permission.",
                                                        n_disabled),
                                           n_enabled, n_enabled + n_disabled, n_disabled);
    }
  else if (has_problem (status->problems, PORTICO_PROBLEM_STALE) && state != PORTICO_ACCOUNT_STATE_NEVER)
    {
      status->status = PORTICO_STATUS_STALE;
      status->severity = PORTICO_SEVERITY_WARNING;
      status->label = g_strdup (_("Out of date"));
      status->summary = g_strdup (_("No recent successful sync: the data is out of date."));
    }
  else if (state == PORTICO_ACCOUNT_STATE_NEVER)
    {
      status->status = PORTICO_STATUS_PENDING;
      status->severity = has_problem (status->problems, PORTICO_PROBLEM_STALE)
                         ? PORTICO_SEVERITY_WARNING : PORTICO_SEVERITY_NEUTRAL;
      status->label = g_strdup (_("Not synced yet"));
      status->summary = g_strdup (_("Not synced yet."));
    }
  else
    {
      status->status = PORTICO_STATUS_OK;
      status->severity = status->problems->len > 0 ? PORTICO_SEVERITY_WARNING : PORTICO_SEVERITY_GOOD;
      status->label = g_strdup (_("Synced"));
      status->summary = g_strdup (_("Every data type synced."));
    }

  switch (status->severity)
    {
    case PORTICO_SEVERITY_GOOD:
      status->icon_name = "emblem-ok-symbolic";
      status->css_class = "success";
      break;
    case PORTICO_SEVERITY_WARNING:
      status->icon_name = "dialog-warning-symbolic";
      status->css_class = "warning";
      break;
    case PORTICO_SEVERITY_ERROR:
      status->icon_name = "dialog-error-symbolic";
      status->css_class = "error";
      break;
    case PORTICO_SEVERITY_NEUTRAL:
    default:
      status->icon_name = status->status == PORTICO_STATUS_PAUSED ? "media-playback-pause-symbolic"
                          : status->status == PORTICO_STATUS_OFFLINE ? "network-offline-symbolic"
                          : "content-loading-symbolic";
      status->css_class = "dim-label";
      break;
    }

  return g_steal_pointer (&status);
}

void
portico_account_status_add_attention_json (const PorticoAccountStatus *status,
                                           JsonObject                 *account,
                                           JsonArray                  *array)
{
  g_return_if_fail (status != NULL);
  g_return_if_fail (account != NULL);
  g_return_if_fail (array != NULL);

  for (guint i = 0; i < status->problems->len; i++)
    {
      PorticoAccountProblem *problem = g_ptr_array_index (status->problems, i);
      JsonObject *row = json_object_new ();

      json_object_set_int_member (row, "account", status->account_id);
      json_object_set_string_member (row, "account_name", portico_json_get_string (account, "name"));
      json_object_set_string_member (row, "connector", portico_json_get_string (account, "connector"));
      json_object_set_string_member (row, "problem", portico_problem_code (problem->kind));
      json_object_set_string_member (row, "title", problem->title);
      json_object_set_string_member (row, "message", problem->detail);
      json_object_set_string_member (row, "fix", problem->fix_text);
      json_object_set_string_member (row, "fix_action",
                                     problem->fix == PORTICO_FIX_RECONNECT ? "reconnect"
                                     : problem->fix == PORTICO_FIX_RESUME ? "resume"
                                     : problem->fix == PORTICO_FIX_APPLY_HELD ? "apply_held" : "sync_now");
      json_array_add_object_element (array, row);
    }
}
