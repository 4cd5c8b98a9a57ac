/* portico-integrations-page-lists.c: the integrations page's lists:
 * connected accounts, Needs attention and Recommended to connect, their
 * loading, tiles and rows, and the engine signals they follow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-integrations-page"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-account-details-dialog.h"
#include "portico-account-tile.h"
#include "portico-capabilities-dialog.h"
#include "portico-catalog-section.h"
#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-connector-dialog.h"
#include "portico-integrations-page.h"
#include "portico-reload.h"
#include "portico-scheduler.h"
#include "portico-integrations-page-private.h"

/* ---- Connected accounts, Needs attention, Recommended to connect ------ */

G_DEFINE_FINAL_TYPE (PorticoPageItem, portico_page_item, G_TYPE_OBJECT)

static void
portico_page_item_finalize (GObject *object)
{
  PorticoPageItem *self = (PorticoPageItem *)object;

  g_clear_pointer (&self->object, json_object_unref);
  g_clear_object (&self->connector);
  g_clear_pointer (&self->problem, portico_account_problem_free);
  g_clear_pointer (&self->code, g_free);

  G_OBJECT_CLASS (portico_page_item_parent_class)->finalize (object);
}

static void
portico_page_item_class_init (PorticoPageItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_page_item_finalize;
}

static void
portico_page_item_init (PorticoPageItem *self)
{
}

static PorticoPageItem *
portico_page_item_new (JsonObject       *object,
                       PorticoConnector *connector)
{
  PorticoPageItem *self = g_object_new (PORTICO_TYPE_PAGE_ITEM, NULL);

  self->object = json_object_ref (object);
  g_set_object (&self->connector, connector);

  return self;
}




char *
portico_disconnect_summary_describe (const PorticoDisconnectSummary *summary,
                                     gboolean                        identity_provider)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (summary != NULL, NULL);

  g_string_append (text, _("This deletes what the account brought in, in one step:"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " app user",
                                             "• %'" PRId64 " app users", summary->app_users),
                          summary->app_users);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " license",
                                             "• %'" PRId64 " licenses", summary->licenses),
                          summary->licenses);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " custom user detail",
                                             "• %'" PRId64 " custom user details", summary->custom_fields),
                          summary->custom_fields);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " transaction",
                                             "• %'" PRId64 " transactions", summary->transactions),
                          summary->transactions);
  g_string_append_c (text, '\n');

  if (summary->workflows_invalidated != NULL && summary->workflows_invalidated[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", summary->workflows_invalidated);

      g_string_append_printf (text, _("• Workflows that become invalid: %s"), names);
    }
  else
    g_string_append (text, _("• No workflow becomes invalid"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " workflow action will start failing",
                                             "• %'" PRId64 " workflow actions will start failing",
                                             summary->workflow_actions_failing),
                          summary->workflow_actions_failing);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " offboarding configuration is removed",
                                             "• %'" PRId64 " offboarding configurations are removed",
                                             summary->offboarding_configs),
                          summary->offboarding_configs);
  if (identity_provider || summary->other_apps_affected > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, g_dngettext (NULL, "• %'" PRId64 " other app loses users or license data",
                                                 "• %'" PRId64 " other apps lose users or license data",
                                                 summary->other_apps_affected),
                              summary->other_apps_affected);
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("What other sources say about the same people is kept."));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
portico_integrations_page_remember_dialog (PorticoIntegrationsPage *self,
                                           GtkWindow               *dialog)
{
  g_set_weak_pointer (&self->dialog, dialog);
}

GtkWindow *
portico_integrations_page_get_parent (PorticoIntegrationsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
portico_integrations_page_add_toast (PorticoIntegrationsPage *self,
                                     const char              *text)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Broken connector files (a custom integration with a typo, say) do not stop
 * the catalog; the admin is told which file and field, and how to fix it. */
void
portico_integrations_page_report_catalog_problems (PorticoIntegrationsPage *self)
{
  GPtrArray *problems = self->catalog != NULL ? portico_catalog_get_problems (self->catalog) : NULL;
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;

  if (problems == NULL || problems->len == 0)
    return;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%u connector definition could not be loaded",
                                        "%u connector definitions could not be loaded",
                                        problems->len),
                           problems->len);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "integrations.show-catalog-problems");
  adw_toast_overlay_add_toast (self->toast_overlay, g_steal_pointer (&toast));
}

void
portico_integrations_page_show_catalog_problems_action (GtkWidget  *widget,
                                                        const char *action_name,
                                                        GVariant   *parameter)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (widget);
  GPtrArray *problems = self->catalog != NULL ? portico_catalog_get_problems (self->catalog) : NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (body, "%s%s", i > 0 ? "\n\n" : "", problem->message);
    }
  g_string_append (body, "\n\n");
  g_string_append (body, _("The other integrations work as usual. Fix the file, then restart Portico."));

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Some Connector Definitions Are Broken"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What one reload gathers: the accounts from the store's read API, then
 * Needs attention and Recommended to connect as the engine judges them. */
typedef struct
{
  PorticoIntegrationsPage *page;
  PorticoStore   *store;
  JsonNode       *accounts;
  GPtrArray      *attention;     /* PorticoPageItem with a problem */
  GPtrArray      *recommended;   /* PorticoPageItem of a recommendation */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->page);
  g_clear_object (&data->store);
  g_clear_pointer (&data->accounts, json_node_unref);
  g_clear_pointer (&data->attention, g_ptr_array_unref);
  g_clear_pointer (&data->recommended, g_ptr_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;

  data->accounts = portico_store_list_accounts (data->store, &error);
  if (data->accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static PorticoConnector *
portico_integrations_page_lookup_connector (PorticoIntegrationsPage *self,
                                            const char              *connector_id)
{
  PorticoCatalog *catalog = self->catalog ? self->catalog : portico_engine_get_catalog (self->engine);

  return connector_id != NULL && catalog != NULL ? portico_catalog_lookup (catalog, connector_id) : NULL;
}

static void portico_integrations_page_fill_lists (PorticoIntegrationsPage *self,
                                                  LoadData                *data);

static gboolean
load_failed (LoadData *data,
             GError   *error)
{
  PorticoIntegrationsPage *self = data->page;

  if (error == NULL)
    return FALSE;
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      portico_reload_end (&self->reload);
      g_warning ("Cannot list the connected accounts: %s", error->message);
      portico_integrations_page_add_toast (self, error->message);
    }
  g_error_free (error);
  load_data_free (data);
  return TRUE;
}

static void
recommended_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LoadData *data = user_data;
  /* Held past load_data_free(), which drops the chain's reference. */
  g_autoptr(PorticoIntegrationsPage) self = g_object_ref (data->page);
  g_autoptr(JsonNode) rows = NULL;
  GError *error = NULL;
  JsonArray *array;
  gboolean again;

  rows = portico_engine_list_recommended_finish (PORTICO_ENGINE (source), result, &error);
  if (load_failed (data, error))
    return;

  data->recommended = g_ptr_array_new_with_free_func (g_object_unref);
  array = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      PorticoConnector *connector = portico_integrations_page_lookup_connector (self, portico_json_get_string (row, "connector"));

      if (connector != NULL)
        g_ptr_array_add (data->recommended, portico_page_item_new (row, connector));
    }

  again = portico_reload_end (&self->reload);
  portico_integrations_page_fill_lists (self, data);
  load_data_free (data);
  g_signal_emit (self, portico_integrations_page_signals[LOADED], 0);

  if (again)
    portico_integrations_page_reload (self);
}

static JsonObject *
find_account (JsonNode *accounts,
              gint64    id)
{
  JsonArray *array = json_node_get_array (accounts);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (portico_json_get_int (account, "id", 0) == id)
        return account;
    }
  return NULL;
}

/* One row per account: its first problem, the others after its detail. */
static void
attention_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LoadData *data = user_data;
  PorticoIntegrationsPage *self = data->page;
  g_autoptr(JsonNode) rows = NULL;
  GError *error = NULL;
  PorticoPageItem *item = NULL;
  JsonArray *array;

  rows = portico_engine_list_attention_finish (PORTICO_ENGINE (source), result, &error);
  if (load_failed (data, error))
    return;

  data->attention = g_ptr_array_new_with_free_func (g_object_unref);
  array = json_node_get_array (rows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      gint64 id = portico_json_get_int (row, "account", 0);
      const char *message = portico_json_get_string (row, "message") ?: "";
      const char *fix = portico_json_get_string (row, "fix");
      JsonObject *account;

      if (item != NULL && portico_json_get_int (item->object, "id", 0) == id)
        {
          char *detail = g_strdup_printf ("%s\n%s: %s", item->problem->detail,
                                          portico_json_get_string (row, "title"), message);

          g_free (item->problem->detail);
          item->problem->detail = detail;
          continue;
        }

      account = find_account (data->accounts, id);
      if (account == NULL)
        continue;
      item = portico_page_item_new (account, portico_integrations_page_lookup_connector (self, portico_json_get_string (account, "connector")));
      item->problem = g_new0 (PorticoAccountProblem, 1);
      if (g_strcmp0 (portico_json_get_string (row, "fix_action"), "reconnect") == 0)
        item->problem->fix = PORTICO_FIX_RECONNECT;
      else if (g_strcmp0 (portico_json_get_string (row, "fix_action"), "resume") == 0)
        item->problem->fix = PORTICO_FIX_RESUME;
      else if (g_strcmp0 (portico_json_get_string (row, "fix_action"), "apply_held") == 0)
        item->problem->fix = PORTICO_FIX_APPLY_HELD;
      else
        item->problem->fix = PORTICO_FIX_SYNC_NOW;
      item->problem->title = g_strdup (portico_json_get_string (row, "title"));
      item->problem->detail = fix != NULL && strstr (message, fix) == NULL
                              ? g_strdup_printf ("%s\n%s", message, fix) : g_strdup (message);
      item->problem->fix_text = g_strdup (fix);
      item->code = g_strdup (portico_json_get_string (row, "problem"));
      g_ptr_array_add (data->attention, item);
    }

  portico_engine_list_recommended_async (self->engine, self->cancellable, recommended_cb, data);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (source);
  LoadData *data = user_data;
  GError *error = NULL;

  /* The chain owns @data: each step passes it on or frees it. */
  g_task_propagate_boolean (G_TASK (result), &error);
  if (load_failed (data, error))
    return;
  portico_engine_list_attention_async (self->engine, self->interval_hours, self->cancellable,
                                       attention_cb, data);
}

void
portico_integrations_page_reload (PorticoIntegrationsPage *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  if (self->engine == NULL)
    return;
  if (!portico_reload_begin (&self->reload))
    return;

  data = g_new0 (LoadData, 1);
  data->page = g_object_ref (self);
  data->store = g_object_ref (portico_engine_get_store (self->engine));

  task = g_task_new (self, self->cancellable, load_cb, data);
  g_task_set_source_tag (task, portico_integrations_page_reload);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, load_thread);
}

gboolean
portico_integrations_page_is_loading (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), FALSE);

  return self->reload.loading;
}

gboolean
portico_integrations_page_account_filter_func (gpointer item,
                                               gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  g_autofree char *folded = NULL;

  if (self->search_text == NULL)
    return TRUE;
  if (account->connector != NULL && portico_connector_matches_search (account->connector, self->search_text))
    return TRUE;

  folded = g_utf8_casefold (portico_json_get_string (account->object, "name") ?: "", -1);

  return strstr (folded, self->search_text) != NULL;
}

/* Tiles emit signals; the page does the work. */

GtkWidget *
portico_integrations_page_create_tile (gpointer item,
                                       gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  GtkWidget *tile = portico_account_tile_new ();
  gint64 id = portico_json_get_int (account->object, "id", 0);

  portico_account_tile_set_interval_hours (PORTICO_ACCOUNT_TILE (tile), self->interval_hours);
  portico_account_tile_set_account (PORTICO_ACCOUNT_TILE (tile), account->object, account->connector);
  if (self->engine != NULL && portico_engine_is_syncing (self->engine, id))
    {
      gint64 *items = g_hash_table_lookup (self->progress, &id);

      portico_account_tile_set_syncing (PORTICO_ACCOUNT_TILE (tile), TRUE);
      if (items != NULL)
        portico_account_tile_set_progress (PORTICO_ACCOUNT_TILE (tile), *items);
    }

  g_signal_connect_object (tile, "sync-now", G_CALLBACK (portico_integrations_page_on_tile_sync_now), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "show-details", G_CALLBACK (portico_integrations_page_on_tile_show_details), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "rename", G_CALLBACK (portico_integrations_page_on_tile_rename), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "reconnect", G_CALLBACK (portico_integrations_page_on_tile_reconnect), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "connect-another", G_CALLBACK (portico_integrations_page_on_tile_connect_another), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tile, "disconnect", G_CALLBACK (portico_integrations_page_on_tile_disconnect), self, G_CONNECT_SWAPPED);

  return tile;
}

void
portico_integrations_page_update_accounts_visibility (PorticoIntegrationsPage *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->accounts_filtered));

  gtk_widget_set_visible (GTK_WIDGET (self->accounts_section), n_shown > 0);
  /* The catalog section keeps the heading and the empty sentence while
   * nothing is connected. */
  gtk_widget_set_visible (GTK_WIDGET (self->connected_section), n_all == 0 && self->search_text == NULL);
}

static void
resume_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Success refreshes the lists through "accounts-changed". */
  if (!portico_engine_resume_finish (PORTICO_ENGINE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    portico_integrations_page_add_toast (self, error->message);
}

static void
resolve_held_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (portico_engine_resolve_held_finish (PORTICO_ENGINE (source), result, &error) < 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    portico_integrations_page_add_toast (self, error->message);
}

/* "Keep Current Data" of a held users sync. */
static void
keep_clicked (GtkButton               *button,
              PorticoIntegrationsPage *self)
{
  PorticoPageItem *item = g_object_get_data (G_OBJECT (button), "portico-item");

  if (self->engine != NULL)
    portico_engine_resolve_held_async (self->engine, portico_json_get_int (item->object, "id", 0), FALSE,
                                       self->cancellable, resolve_held_cb, g_object_ref (self));
}

static void
fix_clicked (GtkButton               *button,
             PorticoIntegrationsPage *self)
{
  PorticoPageItem *item = g_object_get_data (G_OBJECT (button), "portico-item");
  gint64 id = portico_json_get_int (item->object, "id", 0);

  if (item->problem->fix == PORTICO_FIX_APPLY_HELD)
    {
      if (self->engine != NULL)
        portico_engine_resolve_held_async (self->engine, id, TRUE, self->cancellable,
                                           resolve_held_cb, g_object_ref (self));
    }
  else if (item->problem->fix == PORTICO_FIX_RESUME)
    {
      if (self->engine != NULL)
        portico_engine_resume_async (self->engine, id, self->cancellable, resume_cb, g_object_ref (self));
    }
  else if (item->problem->fix == PORTICO_FIX_SYNC_NOW)
    {
      PorticoAccountTile *tile = portico_integrations_page_find_tile (self, id);

      if (tile != NULL)
        portico_integrations_page_on_tile_sync_now (self, tile);
    }
  else if (item->connector != NULL && self->engine != NULL)
    portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                    item->connector, self->sandbox, id);
}

GtkWidget *
portico_integrations_page_create_attention_row (gpointer item,
                                                gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button, *icon;
  const char *app = account->connector ? portico_connector_get_name (account->connector)
                                       : portico_json_get_string (account->object, "connector");
  const char *name = portico_json_get_string (account->object, "name");
  g_autofree char *title = g_strdup_printf ("%s – %s: %s", app, name, account->problem->title);
  g_autofree char *button_name = NULL;
  const char *label;

  /* Names come from providers and admins: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), account->problem->detail);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, account->problem->detail, -1);

  /* The same colour as the account's tile: the status model decides both. */
  {
    g_autoptr(PorticoAccountStatus) status = portico_account_status_new (account->object, NULL,
                                                                         g_get_real_time () / G_USEC_PER_SEC,
                                                                         self->interval_hours);
    gboolean error = status->severity == PORTICO_SEVERITY_ERROR;

    icon = gtk_image_new_from_icon_name (error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
    gtk_widget_add_css_class (icon, error ? "error" : "warning");
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, account->problem->title, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (account->problem->fix == PORTICO_FIX_APPLY_HELD)
    {
      g_autofree char *keep_name = NULL;
      GtkWidget *keep = gtk_button_new_with_label (_("Keep Current Data"));

      gtk_widget_set_valign (keep, GTK_ALIGN_CENTER);
      /* Translators: "Keep current data of Okta – Acme" */
      keep_name = g_strdup_printf (_("Keep current data of %s – %s"), app, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (keep), GTK_ACCESSIBLE_PROPERTY_LABEL, keep_name, -1);
      g_object_set_data_full (G_OBJECT (keep), "portico-item", g_object_ref (account), g_object_unref);
      g_signal_connect_object (keep, "clicked", G_CALLBACK (keep_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), keep);
    }

  label = portico_fix_label (account->problem->fix);
  button = gtk_button_new_with_label (label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (account->problem->fix == PORTICO_FIX_RECONNECT)
    gtk_widget_add_css_class (button, "suggested-action");
  /* Translators: "Reconnect Slack – Acme" */
  button_name = g_strdup_printf (_("%s %s – %s"), label, app, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
  gtk_widget_set_sensitive (button, account->problem->fix != PORTICO_FIX_RECONNECT || account->connector != NULL);
  g_object_set_data_full (G_OBJECT (button), "portico-item", g_object_ref (account), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (fix_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
connect_recommended_clicked (GtkButton               *button,
                             PorticoIntegrationsPage *self)
{
  PorticoPageItem *item = g_object_get_data (G_OBJECT (button), "portico-item");

  if (self->engine != NULL && item->connector != NULL)
    portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                    item->connector, self->sandbox, 0);
}

GtkWidget *
portico_integrations_page_create_recommended_row (gpointer item,
                                                  gpointer user_data)
{
  PorticoIntegrationsPage *self = user_data;
  PorticoPageItem *app = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button, *icon;
  g_autofree char *button_name = NULL;
  const char *name = portico_json_get_string (app->object, "app");
  /* The engine's sentence: who reported how many people or how much spend. */
  const char *subtitle = portico_json_get_string (app->object, "reason");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  icon = adw_avatar_new (32, NULL, FALSE);
  portico_connector_avatar_setup (ADW_AVATAR (icon), app->connector);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  button = gtk_button_new_with_label (_("Connect"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  button_name = g_strdup_printf (_("Connect %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
  g_object_set_data_full (G_OBJECT (button), "portico-item", g_object_ref (app), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (connect_recommended_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static gboolean
page_item_same (PorticoPageItem *a,
                PorticoPageItem *b)
{
  return a->connector == b->connector &&
         g_strcmp0 (a->code, b->code) == 0 &&
         (a->problem == NULL) == (b->problem == NULL) &&
         json_object_equal (a->object, b->object);
}

/* Replaces the items of @store with @items, touching only the positions
 * that changed. A flow box bound to the store builds a tile per item it is
 * told about: while fifty accounts sync, each one that finishes reloads the
 * page, and rebuilding every tile each time kept the window from drawing
 * for seconds. */
static void
page_store_update (GListStore *store,
                   GPtrArray  *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (n != items->len)
    {
      g_list_store_splice (store, 0, n, items->pdata, items->len);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoPageItem) old = g_list_model_get_item (G_LIST_MODEL (store), i);
      PorticoPageItem *item = g_ptr_array_index (items, i);

      if (!page_item_same (old, item))
        g_list_store_splice (store, i, 1, (gpointer *) &item, 1);
    }
}

static void
portico_integrations_page_fill_lists (PorticoIntegrationsPage *self,
                                      LoadData                *data)
{
  guint n_attention = data->attention->len;

  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array = json_node_get_array (data->accounts);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      g_ptr_array_add (accounts, portico_page_item_new (account,
                                                        portico_integrations_page_lookup_connector (self, portico_json_get_string (account, "connector"))));
    }
  page_store_update (self->accounts, accounts);
  page_store_update (self->attention, data->attention);
  page_store_update (self->recommended, data->recommended);

  gtk_stack_set_visible_child_name (self->attention_stack, n_attention > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->recommended_stack, data->recommended->len > 0 ? "list" : "empty");
  adw_view_stack_page_set_needs_attention (self->attention_page, n_attention > 0);
  adw_view_stack_page_set_badge_number (self->attention_page, n_attention);

  portico_integrations_page_update_accounts_visibility (self);
  portico_integrations_page_update_no_results (self);
}

GPtrArray *
portico_integrations_page_list_account_tiles (PorticoIntegrationsPage *self)
{
  GPtrArray *tiles;

  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  tiles = g_ptr_array_new ();
  for (guint i = 0; ; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->accounts_box, i);

      if (child == NULL)
        break;
      g_ptr_array_add (tiles, gtk_flow_box_child_get_child (child));
    }

  return tiles;
}

PorticoAccountTile *
portico_integrations_page_find_tile (PorticoIntegrationsPage *self,
                                     gint64                   account_id)
{
  g_autoptr(GPtrArray) tiles = NULL;

  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  tiles = portico_integrations_page_list_account_tiles (self);
  for (guint i = 0; i < tiles->len; i++)
    if (portico_account_tile_get_account_id (tiles->pdata[i]) == account_id)
      return tiles->pdata[i];

  return NULL;
}

GtkListBox *
portico_integrations_page_get_attention_list (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->attention_list;
}

GtkListBox *
portico_integrations_page_get_recommended_list (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->recommended_list;
}

GtkWindow *
portico_integrations_page_get_dialog (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->dialog;
}

/* Engine signals: the tiles follow a sync live. */
static void
on_sync_started (PorticoIntegrationsPage *self,
                 gint64                   account_id)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_remove (self->progress, &account_id);
  if (tile != NULL)
    portico_account_tile_set_syncing (tile, TRUE);
}

static void
on_sync_progress (PorticoIntegrationsPage *self,
                  gint64                   account_id,
                  const char              *data_type,
                  gint64                   items)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_insert (self->progress, g_memdup2 (&account_id, sizeof account_id),
                       g_memdup2 (&items, sizeof items));
  if (tile != NULL)
    {
      portico_account_tile_set_syncing (tile, TRUE);
      portico_account_tile_set_progress (tile, items);
    }
}

static void
on_sync_finished (PorticoIntegrationsPage *self,
                  gint64                   account_id,
                  const char              *status)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (self, account_id);

  g_hash_table_remove (self->progress, &account_id);
  if (tile != NULL)
    portico_account_tile_set_syncing (tile, FALSE);
  portico_integrations_page_reload (self);
}

static void
on_accounts_changed (PorticoIntegrationsPage *self)
{
  portico_integrations_page_reload (self);
}

PorticoEngine *
portico_integrations_page_get_engine (PorticoIntegrationsPage *self)
{
  g_return_val_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self), NULL);

  return self->engine;
}

void
portico_integrations_page_set_engine (PorticoIntegrationsPage *self,
                                      PorticoEngine           *engine)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));
  g_return_if_fail (!engine || PORTICO_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_set_object (&self->engine, engine);

  if (engine != NULL)
    {
      g_signal_connect_object (engine, "accounts-changed", G_CALLBACK (on_accounts_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-started", G_CALLBACK (on_sync_started), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-progress", G_CALLBACK (on_sync_progress), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-finished", G_CALLBACK (on_sync_finished), self, G_CONNECT_SWAPPED);
      portico_integrations_page_reload (self);
    }
}

void
portico_integrations_page_set_sandbox (PorticoIntegrationsPage *self,
                                       PorticoSandbox          *sandbox)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  g_set_object (&self->sandbox, sandbox);
}

void
portico_integrations_page_set_interval_hours (PorticoIntegrationsPage *self,
                                              guint                    hours)
{
  g_return_if_fail (PORTICO_IS_INTEGRATIONS_PAGE (self));

  hours = CLAMP (hours, 1, 168);
  if (self->interval_hours == hours)
    return;

  self->interval_hours = hours;
  portico_integrations_page_reload (self);
}
