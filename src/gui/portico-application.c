/* portico-application.c: the Portico GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-application"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-application.h"
#include "portico-connector-editor.h"
#include "portico-network.h"
#include "portico-notifier.h"
#include "portico-preferences-window.h"
#include "portico-sandbox-server.h"
#include "portico-window.h"

struct _PorticoApplication
{
  AdwApplication  parent_instance;

  PorticoCatalog *catalog;
  PorticoStore   *store;
  PorticoEngine  *engine;
  PorticoSandbox *sandbox;
  GError         *startup_error;
  char           *db_path;
  char           *screenshot_path;
  char           *view;
  int             quit_after_ms;
  guint           n_frames;
  guint           demo : 1;
  guint           sync_all_pending : 1;
};

G_DEFINE_FINAL_TYPE (PorticoApplication, portico_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Use the local sandbox and a separate demo database"), NULL },
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use this database file instead of the default one"), N_("FILE") },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Save a PNG of the main window once it is drawn, then quit"), N_("FILE") },
  { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Open this view: integrations, recommended, attention, apps, users, licenses, workflows or activity"), N_("VIEW") },
  { "sync-all", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Sync every account now (in the running window, or a new one)"), NULL },
  { "quit-after", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("Quit after this many milliseconds (for tests)"), N_("MS") },
  { NULL }
};

PorticoApplication *
portico_application_new (void)
{
  return g_object_new (PORTICO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/portico/Portico",
                       NULL);
}

PorticoCatalog *
portico_application_get_catalog (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), NULL);

  return self->catalog;
}

PorticoEngine *
portico_application_get_engine (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), NULL);

  return self->engine;
}

PorticoSandbox *
portico_application_get_sandbox (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), NULL);

  return self->sandbox;
}

const GError *
portico_application_get_startup_error (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), NULL);

  return self->startup_error;
}

gboolean
portico_application_get_demo (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), FALSE);

  return self->demo;
}

const char *
portico_application_get_db_path (PorticoApplication *self)
{
  g_return_val_if_fail (PORTICO_IS_APPLICATION (self), NULL);

  return self->db_path;
}

gboolean
portico_widget_save_png (GtkWidget   *widget,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  native = gtk_widget_get_native (widget);
  if (width <= 0 || height <= 0 || native == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The window has no size yet: take the screenshot after it is drawn");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The window drew nothing: take the screenshot after it is drawn");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not write “%s”: check that its folder exists and is writable", path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
take_screenshot_cb (gpointer user_data)
{
  g_autoptr(GtkWindow) window = user_data;
  g_autoptr(GError) error = NULL;
  PorticoApplication *self = PORTICO_APPLICATION (g_application_get_default ());

  if (!portico_widget_save_png (GTK_WIDGET (window), self->screenshot_path, &error))
    g_printerr ("%s\n", error->message);

  g_application_quit (G_APPLICATION (self));

  return G_SOURCE_REMOVE;
}

/* Waits for the second painted frame, when fonts and icons have settled,
 * rather than guessing with a timer. */
static void
on_after_paint (GdkFrameClock *clock,
                GtkWindow     *window)
{
  PorticoApplication *self = PORTICO_APPLICATION (g_application_get_default ());

  if (++self->n_frames < 2)
    return;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, window);
  g_idle_add (take_screenshot_cb, g_object_ref (window));
}

static void
on_window_map (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), window);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));

  return G_SOURCE_REMOVE;
}

static int
portico_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  PorticoApplication *self = PORTICO_APPLICATION (app);
  g_autofree char *db_path = NULL;
  g_autofree char *screenshot_path = NULL;
  g_autofree char *view = NULL;

  self->demo = g_variant_dict_contains (options, "demo");
  if (g_variant_dict_lookup (options, "db", "^ay", &db_path))
    {
      g_free (self->db_path);
      self->db_path = g_steal_pointer (&db_path);
    }
  if (g_variant_dict_lookup (options, "screenshot", "^ay", &screenshot_path))
    {
      g_free (self->screenshot_path);
      self->screenshot_path = g_steal_pointer (&screenshot_path);
    }
  g_variant_dict_lookup (options, "quit-after", "i", &self->quit_after_ms);
  if (g_variant_dict_lookup (options, "view", "s", &view))
    {
      g_free (self->view);
      self->view = g_steal_pointer (&view);
    }

  /* A screenshot or a test run must get its own window, not hand its
   * options to an instance that is already running. */
  if (self->screenshot_path != NULL || self->quit_after_ms > 0 || self->db_path != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  /* The desktop's "Sync All" action: handed to the running instance, or
   * run by this one once its window is up. */
  if (g_variant_dict_contains (options, "sync-all"))
    {
      g_autoptr(GError) error = NULL;

      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (app))
        {
          g_action_group_activate_action (G_ACTION_GROUP (app), "sync-all", NULL);
          return 0;
        }
      self->sync_all_pending = TRUE;
    }

  return -1;
}

static PorticoWindow *
portico_application_find_window (PorticoApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (PORTICO_IS_WINDOW (l->data))
      return PORTICO_WINDOW (l->data);

  return NULL;
}

static void
collect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PorticoApplication) self = user_data;
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(GError) error = NULL;
  PorticoWindow *window;
  guint n_sent = 0;

  notices = portico_notifier_collect_finish (result, &error);
  if (notices == NULL)
    {
      g_debug ("No notifications: %s", error->message);
      return;
    }

  window = portico_application_find_window (self);
  for (guint i = 0; i < notices->len; i++)
    {
      PorticoNotice *notice = g_ptr_array_index (notices, i);
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *id = NULL;

      /* The window in front already shows the account's state on its tile,
       * in Needs attention or in its details: the problem counts as told. */
      if (window != NULL && portico_window_shows_account (window, notice->account_id))
        continue;

      notification = g_notification_new (notice->title);
      id = portico_notice_get_id (notice);
      n_sent++;

      g_notification_set_body (notification, notice->body);
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_notification_set_default_action_and_target (notification, "app.show-account",
                                                    "x", notice->account_id);
      g_notification_add_button_with_target (notification, _("Show"), "app.show-account",
                                             "x", notice->account_id);
      g_application_send_notification (G_APPLICATION (self), id, notification);
    }
  g_debug ("%u of %u problems notified; the window shows the others", n_sent, notices->len);
}

/* After every sync: a failure or a new problem is told once, as a desktop
 * notification, unless the preferences turned them off. */
static void
on_sync_finished (PorticoApplication *self,
                  gint64              account_id,
                  const char         *status,
                  PorticoEngine      *engine)
{
  if (!portico_notifier_enabled ())
    return;

  portico_notifier_collect_async (portico_engine_get_store (engine), account_id,
                                  portico_notifier_interval_hours (), NULL,
                                  collect_cb, g_object_ref (self));
}

/* The database, the runtime and the engine; in demo mode also the local
 * sandbox, a separate database and separate keyring items. A database that
 * cannot be opened is reported in the window and left untouched. */
static void
portico_application_open_engine (PorticoApplication *self)
{
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autofree char *path = NULL;

  if (self->demo)
    {
      g_autoptr(GError) error = NULL;

      gboolean joined = FALSE;

      self->sandbox = portico_sandbox_new_demo (self->catalog, &joined, &error);
      if (self->sandbox == NULL)
        g_message ("The demo sandbox could not start: %s", error->message);
      else if (joined)
        g_message ("Using the demo sandbox that another Portico process serves");
    }

  path = self->db_path != NULL ? g_strdup (self->db_path)
                               : portico_store_default_path (self->demo);
  self->store = portico_store_open (path, &self->startup_error);
  if (self->store == NULL)
    return;

  self->engine = portico_engine_new (self->store, self->catalog, runtime);
  portico_engine_set_demo (self->engine, self->demo);
  {
    /* Demo mode talks to the sandbox on loopback, so the machine's network
     * does not matter; PORTICO_TEST_NETWORK=offline (or metered) simulates
     * it for the end-to-end tests of the banner. */
    g_autoptr(GNetworkMonitor) monitor = NULL;

    if (self->demo || g_getenv ("PORTICO_TEST_NETWORK") != NULL)
      monitor = portico_static_network_monitor_new_from_env ();
    portico_engine_set_network_monitor (self->engine,
                                        monitor != NULL ? monitor : g_network_monitor_get_default ());
  }
  g_signal_connect_object (self->engine, "sync-finished", G_CALLBACK (on_sync_finished),
                           self, G_CONNECT_SWAPPED);

  /* Keyring items whose deletion failed earlier are retried now. */
  portico_engine_retry_keyring_deletes_async (self->engine, NULL, NULL, NULL);
}

static void
portico_application_startup (GApplication *app)
{
  PorticoApplication *self = PORTICO_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  GPtrArray *problems;

  G_APPLICATION_CLASS (portico_application_parent_class)->startup (app);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);

  /* A screenshot must show the final state, not a transition half-way. */
  if (self->screenshot_path != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  self->catalog = portico_catalog_new ();
  portico_catalog_load_default (self->catalog);

  problems = portico_catalog_get_problems (self->catalog);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const GError *problem = g_ptr_array_index (problems, i);

      g_message ("%s", problem->message);
    }

  portico_application_open_engine (self);
}

static void
portico_application_activate (GApplication *app)
{
  PorticoApplication *self = PORTICO_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    {
      window = GTK_WINDOW (portico_window_new (GTK_APPLICATION (app), self->catalog));
      portico_window_set_demo (PORTICO_WINDOW (window), self->demo);

      if (self->view != NULL)
        portico_window_show_named_view (PORTICO_WINDOW (window), self->view);
      if (self->screenshot_path != NULL)
        g_signal_connect_after (window, "map", G_CALLBACK (on_window_map), NULL);
      if (self->quit_after_ms > 0)
        g_timeout_add (self->quit_after_ms, quit_cb, app);
    }

  gtk_window_present (window);

  if (self->sync_all_pending)
    {
      self->sync_all_pending = FALSE;
      portico_window_sync_all (PORTICO_WINDOW (window));
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  static const char *developers[] = { "The Portico developers", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (app);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application-icon", APP_ID,
                        "application-name", _("Portico"),
                        "comments", _("Connect and watch the integrations of your SaaS estate"),
                        "developer-name", _("The Portico developers"),
                        "developers", developers,
                        "issue-url", "https://github.com/portico/portico/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        "title", _("About Portico"),
                        "transient-for", window,
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/portico/portico",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  PorticoApplication *self = PORTICO_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  PorticoPreferencesWindow *preferences;

  preferences = portico_preferences_window_new (window,
                                                self->store != NULL ? portico_store_get_path (self->store) : NULL);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* A notification's Show: the window, on the account's details. */
static void
show_account_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  PorticoApplication *self = PORTICO_APPLICATION (user_data);
  gint64 account_id = g_variant_get_int64 (param);
  PorticoWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = portico_application_find_window (self);
  if (window == NULL)
    return;

  portico_window_show_account (window, account_id);
}

static void
sync_all_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  PorticoApplication *self = PORTICO_APPLICATION (user_data);

  /* The active window may be a dialog: find the main window. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (PORTICO_IS_WINDOW (l->data))
        {
          portico_window_sync_all (PORTICO_WINDOW (l->data));
          return;
        }
    }

  self->sync_all_pending = TRUE;
  g_application_activate (G_APPLICATION (self));
}

/* The editor of a new custom integration, or (@param: a connector id, "" for
 * none) of a saved one. */
static void
edit_custom_integration (PorticoApplication *self,
                         const char         *connector_id)
{
  GtkWindow *window = GTK_WINDOW (portico_application_find_window (self));
  PorticoConnectorEditor *editor;
  g_autoptr(GError) error = NULL;

  if (self->engine == NULL)
    return;
  editor = portico_connector_editor_new (window, self->engine, self->sandbox, connector_id, &error);
  if (editor == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (window, _("The Integration Cannot Be Edited"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_custom_integration_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  edit_custom_integration (PORTICO_APPLICATION (user_data), NULL);
}

static void
edit_custom_integration_action (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  edit_custom_integration (PORTICO_APPLICATION (user_data), g_variant_get_string (param, NULL));
}

static void
import_custom_integration_action (GSimpleAction *action,
                                  GVariant      *param,
                                  gpointer       user_data)
{
  PorticoApplication *self = PORTICO_APPLICATION (user_data);

  if (self->engine != NULL)
    portico_connector_import_run (GTK_WINDOW (portico_application_find_window (self)), self->engine);
}

static const GActionEntry app_actions[] = {
  { "new-custom-integration", new_custom_integration_action },
  { "edit-custom-integration", edit_custom_integration_action, "s" },
  { "import-custom-integration", import_custom_integration_action },
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "sync-all", sync_all_action },
  { "show-account", show_account_action, "x" },
  { "about", about_action },
};

static void
portico_application_finalize (GObject *object)
{
  PorticoApplication *self = (PorticoApplication *)object;

  g_clear_object (&self->engine);
  g_clear_object (&self->store);
  if (self->sandbox != NULL)
    portico_sandbox_stop (self->sandbox);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->catalog);
  g_clear_error (&self->startup_error);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_pointer (&self->view, g_free);

  G_OBJECT_CLASS (portico_application_parent_class)->finalize (object);
}

static void
portico_application_class_init (PorticoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = portico_application_finalize;

  app_class->activate = portico_application_activate;
  app_class->handle_local_options = portico_application_handle_local_options;
  app_class->startup = portico_application_startup;
}

static void
portico_application_init (PorticoApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
}
