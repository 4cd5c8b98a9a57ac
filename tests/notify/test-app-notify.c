/* test-app-notify.c: the app tells a failed sync as a desktop notification
 * (GNotification) with a Show action, and Show opens that account; once per
 * account and problem, and not while the window in front shows the account.
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
#include "portico-notifier.h"
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
test_failed_sync_notifies (gconstpointer data)
{
  PorticoApplication *app = (PorticoApplication *) data;
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

  /* Registered (in main) without a window: the database, the engine. */
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

/* The ids of every org.gtk.Notifications notification the server logged,
 * in the order they were sent. */
static GPtrArray *
gtk_notification_ids (void)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (log_path, &text, NULL, NULL))
    return g_steal_pointer (&ids);

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
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (object, "id")));
    }

  return g_steal_pointer (&ids);
}

typedef struct
{
  guint       n_before;
  const char *id;
} Expected;

static gboolean
notified_as (gpointer data)
{
  Expected *expected = data;
  g_autoptr(GPtrArray) ids = gtk_notification_ids ();

  for (guint i = expected->n_before; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), expected->id))
      return TRUE;

  return FALSE;
}

static char *
failed_id (gint64 account_id)
{
  return g_strdup_printf ("account-%" G_GINT64_FORMAT "-sync_failed", account_id);
}

static gint64
add_account (PorticoEngine *engine,
             const char    *name,
             const char    *external_id)
{
  g_autoptr(GError) error = NULL;
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "okta", .connector_name = "Okta", .category = "identity_provider",
    .name = name, .external_id = external_id, .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  gint64 id = portico_store_create_account_sync (portico_engine_get_store (engine), &account, &error);

  g_assert_no_error (error);
  return id;
}

typedef struct
{
  PorticoStore *store;
  gint64        account_id;
  GObject      *app;
  guint         app_refs;
} Told;

/* The notifier has recorded the account's failure as told (in the state
 * file the app and portico-cli share), whether it sent it or not. */
static gboolean
recorded_as_told (gpointer data)
{
  Told *told = data;
  g_autoptr(GKeyFile) state = g_key_file_new ();
  g_autofree char *path = portico_notifier_default_state_path ();
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, told->account_id);
  g_auto(GStrv) problems = NULL;

  /* The notifier holds the application until its answer was handled (sent
   * or not): back to the references from before the sync means handled. */
  if (g_atomic_int_get ((int *) &told->app->ref_count) != (int) told->app_refs)
    return FALSE;
  if (!g_key_file_load_from_file (state, path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  problems = g_key_file_get_string_list (state, portico_store_get_path (told->store), key, NULL, NULL);
  return problems != NULL && g_strv_contains ((const char * const *) problems, "sync_failed");
}

static void
sync_and_wait (PorticoApplication *app,
               gint64              account_id)
{
  PorticoEngine *engine = portico_application_get_engine (app);
  Told told = { portico_engine_get_store (engine), account_id, G_OBJECT (app),
                g_atomic_int_get ((int *) &G_OBJECT (app)->ref_count) };
  gboolean done = FALSE;

  portico_engine_sync_async (engine, account_id, NULL, sync_cb, &done);
  g_assert_true (portico_test_wait_until (is_true, &done, 30000));
  g_assert_true (portico_test_wait_until (recorded_as_told, &told, 30000));
}

static gboolean
window_in_front (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_window_is_active (data);
}

static void
test_shown_account_not_notified (gconstpointer data)
{
  PorticoApplication *app = (PorticoApplication *) data;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *id_hidden = NULL;
  g_autofree char *id_other_tab = NULL;
  g_autofree char *id_closed = NULL;
  PorticoEngine *engine;
  PorticoWindow *window = NULL;
  gint64 shown, other_tab, hidden, closed;
  Expected expected;
  guint n_before;

  engine = portico_application_get_engine (app);
  shown = add_account (engine, "Shown Okta", "shown.okta.com");
  other_tab = add_account (engine, "Other Tab Okta", "other.okta.com");
  hidden = add_account (engine, "Hidden Okta", "hidden.okta.com");
  closed = add_account (engine, "Closed Okta", "closed.okta.com");
  id_other_tab = failed_id (other_tab);
  id_hidden = failed_id (hidden);
  id_closed = failed_id (closed);
  ids = gtk_notification_ids ();
  n_before = ids->len;
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* The window in front on the tiles: the failure shows on the tile. */
  g_application_activate (G_APPLICATION (app));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PORTICO_IS_WINDOW (l->data))
      window = l->data;
  g_assert_nonnull (window);
  portico_window_show_named_view (window, "all");
  g_assert_true (portico_test_wait_until (window_in_front, window, 10000));
  g_assert_true (portico_window_shows_account (window, shown));
  sync_and_wait (app, shown);

  /* In front, but on the Recommended tab: the account is not in sight. */
  portico_window_show_named_view (window, "recommended");
  g_assert_false (portico_window_shows_account (window, other_tab));
  sync_and_wait (app, other_tab);
  expected = (Expected) { n_before, id_other_tab };
  g_assert_true (portico_test_wait_until (notified_as, &expected, 30000));

  /* Hidden: told, and a second failing sync is not told again. */
  portico_window_show_named_view (window, "all");
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  g_assert_false (portico_window_shows_account (window, hidden));
  sync_and_wait (app, hidden);
  expected = (Expected) { n_before, id_hidden };
  g_assert_true (portico_test_wait_until (notified_as, &expected, 30000));
  sync_and_wait (app, hidden);

  /* Closed: told. */
  gtk_window_destroy (GTK_WINDOW (window));
  sync_and_wait (app, closed);
  expected = (Expected) { n_before, id_closed };
  g_assert_true (portico_test_wait_until (notified_as, &expected, 30000));

  /* Exactly these, in this order: nothing for the account in sight, and
   * the hidden window's account once. */
  ids = gtk_notification_ids ();
  for (guint i = n_before; i < ids->len; i++)
    g_test_message ("notified: %s", (const char *) g_ptr_array_index (ids, i));
  g_assert_cmpuint (ids->len - n_before, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ids, n_before), ==, id_other_tab);
  g_assert_cmpstr (g_ptr_array_index (ids, n_before + 1), ==, id_hidden);
  g_assert_cmpstr (g_ptr_array_index (ids, n_before + 2), ==, id_closed);
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
  g_autoptr(PorticoApplication) app = NULL;
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

  /* One application for both tests: a second one could not export its
   * objects on the same bus connection. Registering runs startup. */
  app = portico_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_test_add_data_func ("/app-notify/failed-sync", app, test_failed_sync_notifies);
  g_test_add_data_func ("/app-notify/shown-account", app, test_shown_account_not_notified);
  status = g_test_run ();

  g_subprocess_force_exit (server);
  return status;
}
