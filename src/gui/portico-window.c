/* portico-window.c: the main window: a sidebar of views and their content.
 *
 * One content header serves every view: on Integrations its title is the
 * switcher between the page's three tabs, elsewhere the view's name.
 *
 * The window hands the application's engine to every view and runs the
 * scheduler of automatic syncs while it is open, at the interval of the
 * sync-interval-hours setting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-window"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-account-details-dialog.h"
#include "portico-activity-view.h"
#include "portico-application.h"
#include "portico-apps-view.h"
#include "portico-engine-profile.h"
#include "portico-integrations-page.h"
#include "portico-licenses-view.h"
#include "portico-scheduler.h"
#include "portico-users-view.h"
#include "portico-window.h"
#include "portico-workflows-view.h"

struct _PorticoWindow
{
  AdwApplicationWindow     parent_instance;

  GSettings               *settings;
  PorticoCatalog          *catalog;
  PorticoEngine           *engine;
  PorticoScheduler        *scheduler;
  gint64                   show_account_id;  /* to show once the page has loaded */
  guint                    demo : 1;

  AdwLeaflet              *leaflet;
  AdwWindowTitle          *sidebar_title;
  GtkListBox              *sidebar_list;
  AdwViewSwitcherTitle    *switcher_title;
  AdwViewSwitcherBar      *switcher_bar;
  GtkWidget               *capabilities_button;
  AdwViewStack            *view_stack;
  PorticoIntegrationsPage *integrations_page;
  PorticoAppsView         *apps_view;
  PorticoUsersView        *users_view;
  PorticoLicensesView     *licenses_view;
  PorticoWorkflowsView    *workflows_view;
  PorticoActivityView     *activity_view;
  AdwStatusPage           *startup_error_page;
  GtkRevealer             *network_revealer;
  GtkWidget               *network_banner;
  GtkLabel                *network_label;
};

G_DEFINE_FINAL_TYPE (PorticoWindow, portico_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CATALOG,
  PROP_DEMO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

PorticoWindow *
portico_window_new (GtkApplication *application,
                    PorticoCatalog *catalog)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PORTICO_IS_CATALOG (catalog), NULL);

  return g_object_new (PORTICO_TYPE_WINDOW,
                       "application", application,
                       "catalog", catalog,
                       NULL);
}

static void
portico_window_update_switcher_bar (PorticoWindow *self)
{
  gboolean integrations;

  if (self->view_stack == NULL || self->switcher_bar == NULL)
    return;

  integrations = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack),
                            "integrations") == 0;

  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    integrations && adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static void
on_visible_view_changed (PorticoWindow *self)
{
  const char *name;
  gboolean integrations;
  GtkWidget *child;
  AdwViewStackPage *page;

  /* Views are added while the template is built, before its children are bound. */
  if (self->view_stack == NULL || self->switcher_title == NULL)
    return;

  name = adw_view_stack_get_visible_child_name (self->view_stack);
  integrations = g_strcmp0 (name, "integrations") == 0;
  child = adw_view_stack_get_visible_child (self->view_stack);
  if (child == NULL)
    return;

  page = adw_view_stack_get_page (self->view_stack, child);
  adw_view_switcher_title_set_title (self->switcher_title, adw_view_stack_page_get_title (page));
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, integrations);
  gtk_widget_set_visible (self->capabilities_button, integrations);
  portico_window_update_switcher_bar (self);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0)
        {
          gtk_list_box_select_row (self->sidebar_list, GTK_LIST_BOX_ROW (row));
          break;
        }
    }
}

static void
on_sidebar_row_activated (PorticoWindow *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  portico_window_show_view (self, gtk_widget_get_name (GTK_WIDGET (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_clicked (PorticoWindow *self,
                 GtkButton     *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

PorticoCatalog *
portico_window_get_catalog (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);

  return self->catalog;
}

gboolean
portico_window_get_demo (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), FALSE);

  return self->demo;
}

void
portico_window_set_demo (PorticoWindow *self,
                         gboolean       demo)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));

  demo = !!demo;
  if (self->demo == demo)
    return;

  self->demo = demo;
  adw_window_title_set_subtitle (self->sidebar_title, demo ? _("Demo") : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

PorticoIntegrationsPage *
portico_window_get_integrations_page (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);

  return self->integrations_page;
}

AdwViewStack *
portico_window_get_view_stack (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);

  return self->view_stack;
}

void
portico_window_show_view (PorticoWindow *self,
                          const char    *view_name)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));
  g_return_if_fail (view_name != NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, view_name);
}

PorticoEngine *
portico_window_get_engine (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);

  return self->engine;
}

static void
on_interval_changed (PorticoWindow *self)
{
  portico_integrations_page_set_interval_hours (self->integrations_page,
                                                g_settings_get_uint (self->settings, "sync-interval-hours"));
}

/* The engine read the setting when it was made; a change while the app
 * runs applies at once. */
static void
on_pause_after_changed (PorticoWindow *self)
{
  if (self->engine != NULL)
    portico_store_set_pause_after (portico_engine_get_store (self->engine),
                                   g_settings_get_uint (self->settings, "pause-after-failures"));
}

/* The banner: offline, or metered while the admin does not want syncs on
 * metered connections. Both only delay scheduled syncs. */
static void
update_network_banner (PorticoWindow *self)
{
  const char *text = NULL;

  if (self->engine != NULL && portico_engine_get_offline (self->engine))
    text = _("You are offline. Portico syncs again when the network is back.");
  else if (self->engine != NULL && self->scheduler != NULL && portico_engine_get_metered (self->engine) &&
           !portico_scheduler_get_sync_on_metered (self->scheduler))
    text = _("The connection is metered, so scheduled syncs wait. Sync Now still syncs; Preferences can allow syncs on metered connections.");

  if (text != NULL)
    {
      gtk_label_set_label (self->network_label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->network_banner),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->network_revealer), text != NULL);
  gtk_revealer_set_reveal_child (self->network_revealer, text != NULL);
}

void
portico_window_set_engine (PorticoWindow *self,
                           PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));
  g_return_if_fail (!engine || PORTICO_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, update_network_banner, self);
  g_set_object (&self->engine, engine);
  if (self->scheduler != NULL)
    portico_scheduler_stop (self->scheduler);
  g_clear_object (&self->scheduler);

  on_interval_changed (self);
  portico_integrations_page_set_engine (self->integrations_page, engine);
  portico_apps_view_set_engine (self->apps_view, engine);
  portico_users_view_set_engine (self->users_view, engine);
  portico_licenses_view_set_engine (self->licenses_view, engine);
  portico_workflows_view_set_engine (self->workflows_view, engine);
  portico_activity_view_set_engine (self->activity_view, engine);

  if (engine != NULL)
    {
      self->scheduler = portico_scheduler_new (engine);
      g_settings_bind (self->settings, "sync-interval-hours",
                       self->scheduler, "interval-hours", G_SETTINGS_BIND_GET);
      g_settings_bind (self->settings, "sync-on-metered",
                       self->scheduler, "sync-on-metered", G_SETTINGS_BIND_GET);
      g_signal_connect_object (self->scheduler, "notify::sync-on-metered",
                               G_CALLBACK (update_network_banner), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "notify::offline",
                               G_CALLBACK (update_network_banner), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "notify::metered",
                               G_CALLBACK (update_network_banner), self, G_CONNECT_SWAPPED);
      portico_scheduler_start (self->scheduler, 0);
      g_signal_handlers_disconnect_by_func (self->settings, on_pause_after_changed, self);
      g_signal_connect_object (self->settings, "changed::pause-after-failures",
                               G_CALLBACK (on_pause_after_changed), self, G_CONNECT_SWAPPED);
      on_pause_after_changed (self);
    }
  update_network_banner (self);
}

void
portico_window_sync_all (PorticoWindow *self)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));

  if (self->scheduler != NULL)
    portico_scheduler_sync_all (self->scheduler);
}

void
portico_window_show_account (PorticoWindow *self,
                             gint64         account_id)
{
  PorticoAccountTile *tile;

  g_return_if_fail (PORTICO_IS_WINDOW (self));

  portico_window_show_view (self, "integrations");
  adw_view_stack_set_visible_child_name (portico_integrations_page_get_stack (self->integrations_page), "all");
  tile = portico_integrations_page_find_tile (self->integrations_page, account_id);
  if (tile != NULL && !portico_integrations_page_is_loading (self->integrations_page))
    {
      self->show_account_id = 0;
      gtk_widget_activate_action (GTK_WIDGET (tile), "tile.details", NULL);
      return;
    }

  /* A window that just opened has not read its accounts yet. */
  self->show_account_id = account_id;
}

gboolean
portico_window_shows_account (PorticoWindow *self,
                              gint64         account_id)
{
  GtkWindow *dialog;
  const char *tab;

  g_return_val_if_fail (PORTICO_IS_WINDOW (self), FALSE);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;

  dialog = portico_integrations_page_get_dialog (self->integrations_page);
  if (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (dialog) && gtk_window_is_active (dialog))
    return portico_account_details_dialog_get_account_id (PORTICO_ACCOUNT_DETAILS_DIALOG (dialog)) == account_id;

  if (!gtk_window_is_active (GTK_WINDOW (self)) ||
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "integrations") != 0)
    return FALSE;

  /* The tiles and Needs attention show every account's state; the
   * Recommended tab shows none. */
  tab = adw_view_stack_get_visible_child_name (portico_integrations_page_get_stack (self->integrations_page));
  return g_strcmp0 (tab, "all") == 0 || g_strcmp0 (tab, "attention") == 0;
}

static void
on_page_loaded (PorticoWindow *self)
{
  if (self->show_account_id > 0)
    portico_window_show_account (self, self->show_account_id);
}

void
portico_window_show_named_view (PorticoWindow *self,
                                const char    *name)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  /* The Integrations page's tabs by their own names. */
  if (g_str_equal (name, "attention") || g_str_equal (name, "recommended") || g_str_equal (name, "all"))
    {
      portico_window_show_view (self, "integrations");
      adw_view_stack_set_visible_child_name (portico_integrations_page_get_stack (self->integrations_page), name);
    }
  else if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    portico_window_show_view (self, name);
  else
    g_printerr (_("There is no view “%s”; use integrations, recommended, attention, apps, users, licenses, workflows or activity.\n"), name);
}

PorticoScheduler *
portico_window_get_scheduler (PorticoWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);

  return self->scheduler;
}

void
portico_window_set_sandbox (PorticoWindow  *self,
                            PorticoSandbox *sandbox)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));

  portico_integrations_page_set_sandbox (self->integrations_page, sandbox);
}

void
portico_window_show_startup_error (PorticoWindow *self,
                                   const GError  *error)
{
  g_return_if_fail (PORTICO_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  adw_status_page_set_description (self->startup_error_page, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->startup_error_page), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->view_stack), FALSE);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  adw_view_switcher_title_set_title (self->switcher_title, _("Portico"));
  gtk_widget_set_visible (self->capabilities_button, FALSE);
}

GtkWidget *
portico_window_get_view (PorticoWindow *self,
                         const char    *view_name)
{
  g_return_val_if_fail (PORTICO_IS_WINDOW (self), NULL);
  g_return_val_if_fail (view_name != NULL, NULL);

  return adw_view_stack_get_child_by_name (self->view_stack, view_name);
}

static void
show_capabilities_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  PorticoWindow *self = PORTICO_WINDOW (widget);

  portico_integrations_page_show_capabilities (self->integrations_page);
}

static void
portico_window_load_size (PorticoWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
portico_window_close_request (GtkWindow *window)
{
  PorticoWindow *self = PORTICO_WINDOW (window);
  gboolean maximized = gtk_window_is_maximized (window);
  int width, height;

  /* The default size is the unmaximized one, which is what to restore. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (portico_window_parent_class)->close_request (window);
}

/* The application opened (or failed to open) the database at startup.
 * "application" is not a construct property: it arrives after
 * constructed(), hence the notify. */
static void
on_application_changed (PorticoWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  PorticoApplication *portico;
  const GError *error;

  if (!PORTICO_IS_APPLICATION (app) || self->engine != NULL)
    return;

  portico = PORTICO_APPLICATION (app);
  error = portico_application_get_startup_error (portico);
  portico_window_set_sandbox (self, portico_application_get_sandbox (portico));
  if (error != NULL)
    portico_window_show_startup_error (self, error);
  else
    portico_window_set_engine (self, portico_application_get_engine (portico));
}

static void
portico_window_constructed (GObject *object)
{
  PorticoWindow *self = (PorticoWindow *)object;

  G_OBJECT_CLASS (portico_window_parent_class)->constructed (object);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  portico_integrations_page_set_catalog (self->integrations_page, self->catalog);

  on_application_changed (self);
}

/* ---- Profile export and import ---------------------------------------------- */

static void
show_message (PorticoWindow *self,
              const char    *heading,
              const char    *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
profile_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PorticoWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *body = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      body = g_strdup_printf (_("Portico could not write the file (%s). Choose a folder you can write to."),
                              error->message);
      show_message (self, _("Profile Not Exported"), body);
      return;
    }
  show_message (self, _("Profile Exported"),
                _("The file holds your accounts, custom connectors and settings, but no credentials and no synced data. Import it on the new machine, then reconnect each account."));
}

static void
profile_built_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  PorticoWindow *self = g_object_get_data (G_OBJECT (file), "portico-window");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) profile = portico_engine_export_profile_finish (PORTICO_ENGINE (source), result, &error);
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  char *text;

  if (profile == NULL)
    {
      show_message (self, _("Profile Not Exported"), error->message);
      return;
    }

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, profile);
  text = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (text, length);
  /* Only its owner may read it: it names every account. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, profile_written_cb, g_object_ref (self));
}

static void
on_export_profile_response (GtkNativeDialog *dialog,
                            int              response,
                            gpointer         user_data)
{
  g_autoptr(PorticoWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->engine != NULL)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      /* The file carries a strong reference to the window to the end. */
      g_object_set_data_full (G_OBJECT (file), "portico-window", g_object_ref (self), g_object_unref);
      portico_engine_export_profile_async (self->engine, NULL, profile_built_cb, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_profile_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  PorticoWindow *self = PORTICO_WINDOW (widget);
  GtkFileChooserNative *dialog;

  /* GtkFileChooserNative uses the FileChooser portal inside Flatpak. */
  dialog = gtk_file_chooser_native_new (_("Export Profile"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "portico-profile.json");
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_profile_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
profile_imported_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PorticoWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = portico_engine_import_profile_finish (PORTICO_ENGINE (source), result, &error);
  g_autofree char *body = NULL;
  JsonArray *accounts;
  guint created = 0, existing = 0;

  if (summary == NULL)
    {
      show_message (self, _("Profile Not Imported"), error->message);
      return;
    }

  accounts = json_object_get_array_member (json_node_get_object (summary), "accounts");
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      if (json_object_get_null_member (json_array_get_object_element (accounts, i), "id"))
        existing++;
      else
        created++;
    }

  if (created == 0)
    body = g_strdup (_("Every account of the profile is connected already, so nothing was added."));
  else if (existing > 0)
    /* Translators: the second sentence follows the first in one message. */
    body = g_strdup_printf ("%s %s",
                            g_dngettext (GETTEXT_PACKAGE,
                                         "One account was added; it waits for its credentials under Needs attention: reconnect it.",
                                         "Accounts were added; they wait for their credentials under Needs attention: reconnect each.",
                                         created),
                            g_dngettext (GETTEXT_PACKAGE,
                                         "One account was connected already and was left as it is.",
                                         "Some accounts were connected already and were left as they are.",
                                         existing));
  else
    body = g_strdup (g_dngettext (GETTEXT_PACKAGE,
                                  "One account was added; it waits for its credentials under Needs attention: reconnect it.",
                                  "Accounts were added; they wait for their credentials under Needs attention: reconnect each.",
                                  created));
  show_message (self, _("Profile Imported"), body);
}

static void
profile_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PorticoWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (source), result, &data, &length, NULL, &error))
    {
      g_autofree char *body = g_strdup_printf (_("Portico could not read the file (%s). Choose another one."),
                                               error->message);

      show_message (self, _("Profile Not Imported"), body);
      return;
    }
  if (self->engine == NULL)
    return;

  name = g_file_get_basename (G_FILE (source));
  portico_engine_import_profile_async (self->engine, data, length, name, NULL,
                                       profile_imported_cb, g_object_ref (self));
}

static void
on_import_profile_response (GtkNativeDialog *dialog,
                            int              response,
                            gpointer         user_data)
{
  g_autoptr(PorticoWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_file_load_contents_async (file, NULL, profile_loaded_cb, g_object_ref (self));
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
import_profile_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  PorticoWindow *self = PORTICO_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Portico profiles"));
  gtk_file_filter_add_pattern (filter, "*.json");
  dialog = gtk_file_chooser_native_new (_("Import Profile"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_import_profile_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
portico_window_dispose (GObject *object)
{
  PorticoWindow *self = (PorticoWindow *)object;

  if (self->scheduler != NULL)
    portico_scheduler_stop (self->scheduler);
  g_clear_object (&self->scheduler);
  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_WINDOW);
  g_clear_object (&self->catalog);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (portico_window_parent_class)->dispose (object);
}

static void
portico_window_finalize (GObject *object)
{
  PorticoWindow *self = (PorticoWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (portico_window_parent_class)->finalize (object);
}

static void
portico_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PorticoWindow *self = PORTICO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;

    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PorticoWindow *self = PORTICO_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_set_object (&self->catalog, g_value_get_object (value));
      break;

    case PROP_DEMO:
      portico_window_set_demo (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_window_class_init (PorticoWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = portico_window_constructed;
  object_class->dispose = portico_window_dispose;
  object_class->finalize = portico_window_finalize;
  object_class->get_property = portico_window_get_property;
  object_class->set_property = portico_window_set_property;

  window_class->close_request = portico_window_close_request;

  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL,
                         PORTICO_TYPE_CATALOG,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, activity_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, apps_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, capabilities_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, integrations_page);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, licenses_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, network_banner);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, network_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, network_revealer);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, startup_error_page);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoWindow, workflows_view);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_view_changed);
  gtk_widget_class_bind_template_callback (widget_class, portico_window_update_switcher_bar);

  gtk_widget_class_install_action (widget_class, "window.show-capabilities", NULL, show_capabilities_action);
  gtk_widget_class_install_action (widget_class, "window.export-profile", NULL, export_profile_action);
  gtk_widget_class_install_action (widget_class, "window.import-profile", NULL, import_profile_action);

  g_type_ensure (PORTICO_TYPE_ACTIVITY_VIEW);
  g_type_ensure (PORTICO_TYPE_APPS_VIEW);
  g_type_ensure (PORTICO_TYPE_INTEGRATIONS_PAGE);
  g_type_ensure (PORTICO_TYPE_LICENSES_VIEW);
  g_type_ensure (PORTICO_TYPE_USERS_VIEW);
  g_type_ensure (PORTICO_TYPE_WORKFLOWS_VIEW);
}

static void
portico_window_init (PorticoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);
  portico_window_load_size (self);
  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
  g_signal_connect_object (self->settings, "changed::sync-interval-hours",
                           G_CALLBACK (on_interval_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->integrations_page, "loaded",
                           G_CALLBACK (on_page_loaded), self, G_CONNECT_SWAPPED);

  adw_view_switcher_title_set_stack (self->switcher_title,
                                     portico_integrations_page_get_stack (self->integrations_page));
  adw_view_switcher_bar_set_stack (self->switcher_bar,
                                   portico_integrations_page_get_stack (self->integrations_page));
  on_visible_view_changed (self);
}
