/* test-preferences.c: the preferences window changes the settings, and the
 * settings change what the app does (the schedule of syncs, the level the
 * connect dialog starts at), under a real display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include "display-test-util.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "portico-connect-dialog.h"
#include "portico-preferences-window.h"
#include "portico-scheduler.h"
#include "portico-window.h"

/* The check reads the accounts in a thread; waits until it has run. */
static gboolean
wait_started (PorticoScheduler *scheduler,
              PorticoEngine    *engine,
              gint64            account_id,
              guint             expected)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      if (portico_scheduler_get_n_started (scheduler) == expected &&
          !portico_engine_is_syncing (engine, account_id))
        return TRUE;
      g_usleep (1000);
    }

  return FALSE;
}

static void
set_last_sync (const char *path,
               gint64      account_id,
               gint64      seconds_ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, (gdouble) -seconds_ago);
  g_autofree char *text = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *sql = g_strdup_printf ("UPDATE accounts SET last_sync_at = '%s', status = 'ok' "
                                          "WHERE id = %" G_GINT64_FORMAT, text, account_id);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static PorticoConnector *
connector_with_both_levels (PorticoCatalog *catalog)
{
  GListModel *model = G_LIST_MODEL (catalog);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (model, i);
      g_auto(GStrv) levels = portico_connector_get_permissions (connector);

      if (levels != NULL &&
          g_strv_contains ((const char * const *) levels, "read") &&
          g_strv_contains ((const char * const *) levels, "act"))
        return g_steal_pointer (&connector);
    }

  return NULL;
}

static PorticoConnectDialog *
find_connect_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PORTICO_IS_CONNECT_DIALOG (window))
        return PORTICO_CONNECT_DIALOG (window);
    }

  return NULL;
}

static void
test_preferences (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-preferences-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(PorticoConnector) both = NULL;
  PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "nowhere", .connector_name = "Nowhere", .category = "other",
    .name = "Test", .external_id = "t-1", .permission = "read",
    .data_types = types, .n_data_types = 1,
  };
  PorticoWindow *window;
  PorticoScheduler *scheduler;
  PorticoPreferencesWindow *preferences;
  PorticoConnectDialog *connect;
  gint64 id;

  /* No keyring here: a started sync ends at once, refused. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  portico_catalog_load_dir (catalog, g_getenv ("PORTICO_CONNECTORS_DIR"), FALSE);
  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  id = portico_store_create_account_sync (store, &account, &error);
  g_assert_no_error (error);
  /* Synced seven hours ago: not due at the default 24 hours, due at 6. */
  set_last_sync (path, id, 7 * 3600);
  engine = portico_engine_new (store, catalog, runtime);

  window = portico_window_new (NULL, catalog);
  portico_window_set_engine (window, engine);
  scheduler = portico_window_get_scheduler (window);
  g_assert_nonnull (scheduler);
  portico_scheduler_set_startup_spread (scheduler, 0);
  g_assert_cmpuint (portico_scheduler_get_interval_hours (scheduler), ==, 24);
  portico_scheduler_check_now (scheduler);
  g_assert_true (wait_started (scheduler, engine, id, 0));

  preferences = portico_preferences_window_new (GTK_WINDOW (window), path);
  gtk_window_present (GTK_WINDOW (preferences));

  /* What it shows about storage. */
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_database_row (preferences)), ==, path);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (portico_preferences_window_get_secrets_row (preferences)),
                            "keyring"));
  g_assert_cmpfloat (gtk_spin_button_get_value (portico_preferences_window_get_interval_spin (preferences)), ==, 24);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Every account syncs every day");

  /* Every 6 hours: the setting, the scheduler and the next check follow. */
  gtk_spin_button_set_value (portico_preferences_window_get_interval_spin (preferences), 6);
  g_assert_cmpuint (g_settings_get_uint (settings, "sync-interval-hours"), ==, 6);
  g_assert_cmpuint (portico_scheduler_get_interval_hours (scheduler), ==, 6);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Every account syncs every 6 hours");
  portico_scheduler_check_now (scheduler);
  g_assert_true (wait_started (scheduler, engine, id, 1));

  gtk_spin_button_set_value (portico_preferences_window_get_interval_spin (preferences), 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Every account syncs every hour");
  gtk_spin_button_set_value (portico_preferences_window_get_interval_spin (preferences), 48);
  g_assert_cmpuint (portico_scheduler_get_interval_hours (scheduler), ==, 48);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Every account syncs every 2 days");

  /* Auto-pause after 3 failures: the setting and the open engine's store
   * follow at once. */
  g_assert_cmpfloat (gtk_spin_button_get_value (portico_preferences_window_get_pause_spin (preferences)), ==, 5);
  g_assert_cmpuint (portico_store_get_pause_after (store), ==, 5);
  gtk_spin_button_set_value (portico_preferences_window_get_pause_spin (preferences), 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "pause-after-failures"), ==, 3);
  g_assert_cmpuint (portico_store_get_pause_after (store), ==, 3);
  gtk_spin_button_set_value (portico_preferences_window_get_pause_spin (preferences), 0);
  g_assert_cmpuint (portico_store_get_pause_after (store), ==, 0);

  /* Notifications off. */
  g_assert_true (g_settings_get_boolean (settings, "notifications"));
  gtk_switch_set_active (portico_preferences_window_get_notifications_switch (preferences), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "notifications"));

  /* Read and take action by default: a new connect dialog starts there. */
  g_assert_cmpuint (adw_combo_row_get_selected (portico_preferences_window_get_permission_row (preferences)), ==, 0);
  adw_combo_row_set_selected (portico_preferences_window_get_permission_row (preferences), 1);
  {
    g_autofree char *level = g_settings_get_string (settings, "default-permission");

    g_assert_cmpstr (level, ==, "act");
  }

  both = connector_with_both_levels (catalog);
  if (both != NULL)
    {
      portico_connect_dialog_present (GTK_WINDOW (window), engine, both, NULL, 0);
      connect = find_connect_dialog ();
      g_assert_nonnull (connect);
      g_assert_cmpstr (portico_connect_dialog_get_permission (connect), ==, "act");
      gtk_window_destroy (GTK_WINDOW (connect));
    }
  else
    g_test_message ("No shipped connector offers both levels: the connect dialog is not checked");

  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&engine);
  g_clear_object (&store);
  portico_test_remove_db (dir, path);
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the icon theme (see test-window.c). */
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/preferences/change-the-app", test_preferences);

  return g_test_run ();
}
