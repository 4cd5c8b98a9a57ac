/* test-app-notify.c: the app tells a failed sync as a desktop notification
 * (GNotification) with a Show action, and Show opens that account.
 *
 * Runs on a private session bus (dbus-run-session, from meson) where a
 * stand-in notification server (notification-server.py) owns
 * org.gtk.Notifications and logs what it is sent; no Secret Service runs
 * there, so the account's sync fails at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-app-notify"

#include "config.h"

#include "../display/display-test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "portico-account-details-dialog.h"
#include "portico-application.h"
#include "portico-window.h"

static char *log_path;

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* The first org.gtk.Notifications call the server logged, or NULL. */
static JsonObject *
first_gtk_notification (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (log_path, &text, NULL, NULL))
    return NULL;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object;

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "interface", ""), "gtk") == 0 &&
          json_object_has_member (object, "notification"))
        return json_object_ref (object);
    }

  return NULL;
}

static gboolean
notified (gpointer data)
{
  g_autoptr(JsonObject) object = first_gtk_notification ();

  return object != NULL;
}

static gboolean
details_shown (gpointer data)
{
  PorticoWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (data); l != NULL; l = l->next)
    if (PORTICO_IS_WINDOW (l->data))
      window = l->data;
  if (window == NULL)
    return FALSE;

  return PORTICO_IS_ACCOUNT_DETAILS_DIALOG (portico_integrations_page_get_dialog (portico_window_get_integrations_page (window)));
}

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(JsonNode) node = portico_engine_sync_finish (PORTICO_ENGINE (source), result, NULL);

  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_failed_sync_notifies (void)
{
  g_autoptr(PorticoApplication) app = portico_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autofree char *expected_id = NULL;
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "okta", .connector_name = "Okta", .category = "identity_provider",
    .name = "Acme Okta", .external_id = "acme.okta.com", .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  PorticoEngine *engine;
  JsonObject *notification;
  JsonArray *buttons;
  gboolean done = FALSE;
  gint64 id;

  /* Registering runs startup: the database, the engine; no window yet. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  engine = portico_application_get_engine (app);
  g_assert_nonnull (engine);

  id = portico_store_create_account_sync (portico_engine_get_store (engine), &account, &error);
  g_assert_no_error (error);

  portico_engine_sync_async (engine, id, NULL, sync_cb, &done);
  g_assert_true (portico_test_wait_until (is_true, &done, 30000));
  g_assert_true (portico_test_wait_until (notified, NULL, 30000));

  sent = first_gtk_notification ();
  g_assert_cmpstr (json_object_get_string_member (sent, "app_id"), ==, APP_ID);
  expected_id = g_strdup_printf ("account-%" G_GINT64_FORMAT "-sync_failed", id);
  g_assert_cmpstr (json_object_get_string_member (sent, "id"), ==, expected_id);
  notification = json_object_get_object_member (sent, "notification");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (notification, "title"), "Acme Okta: "));
  g_assert_cmpstr (json_object_get_string_member (notification, "default-action"), ==, "app.show-account");
  g_assert_cmpint (json_object_get_int_member (notification, "default-action-target"), ==, id);
  buttons = json_object_get_array_member (notification, "buttons");
  g_assert_cmpuint (json_array_get_length (buttons), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buttons, 0), "label"), ==, "Show");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buttons, 0), "action"), ==, "app.show-account");

  /* Show opens the window on that account's details. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-account", g_variant_new_int64 (id));
  g_assert_true (portico_test_wait_until (details_shown, app, 30000));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("portico-app-notify-XXXXXX", NULL);
  g_autofree char *ready = g_build_filename (dir, "ready", NULL);
  g_autofree char *data_home = g_build_filename (dir, "data", NULL);
  g_autofree char *state_home = g_build_filename (dir, "state", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* The app's default database and the notification state go here. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_STATE_HOME", state_home, TRUE);
  log_path = g_build_filename (dir, "notifications.jsonl", NULL);

  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the icon theme (see test-window.c). */
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || !gtk_init_check ())
    {
      printf ("1..0 # SKIP no display or no private session bus\n");
      return 0;
    }

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                             "/usr/bin/python3", g_getenv ("PORTICO_NOTIFICATION_SERVER"),
                             log_path, ready, NULL);
  g_assert_no_error (error);
  g_assert_true (portico_test_wait_until (file_exists, ready, 20000));

  g_test_add_func ("/app-notify/failed-sync", test_failed_sync_notifies);
  status = g_test_run ();

  g_subprocess_force_exit (server);
  return status;
}
