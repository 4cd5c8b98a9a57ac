/* test-german.c: under LANGUAGE=de the window, its catalog and a
 * connector's connect dialog speak German (the connector's own field labels
 * included), from the translation the build compiled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-german"

#include "config.h"

#include "display-test-util.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>
#include <stdio.h>

#include "portico-activity-view.h"
#include "portico-connect-dialog.h"
#include "portico-connector-i18n.h"
#include "portico-licenses-view.h"
#include "portico-preferences-window.h"
#include "portico-window.h"

/* A license of 12000 seats and a sync that brought 1351 custom details, as
 * the views read them from the store. */
static void
add_counts (const char *path)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db,
                "INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Slack', 'slack', 'communication');"
                "INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status, last_sync_at)"
                "  VALUES (1, 'slack', 1, 'Acme', 'T1', 'read', 'ok', '2024-05-01T10:00:00Z');"
                "INSERT INTO licenses (app_id, sku, total, assigned, source_account_id) VALUES (1, 'pro', 12000, 1351, 1);"
                "INSERT INTO audit_events (account_id, kind, details) VALUES (1, 'synced',"
                "  '{\"data_types\":[{\"id\":\"users\",\"status\":\"ok\",\"items\":193},"
                "                     {\"id\":\"custom_fields\",\"status\":\"ok\",\"items\":1351}]}');",
                NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  sqlite3_close (db);
}

static gboolean
licenses_loaded (gpointer data)
{
  PorticoTableView *table = data;

  return !portico_table_view_is_loading (table) && portico_table_view_get_n_rows (table) > 0;
}

static gboolean
activity_loaded (gpointer data)
{
  PorticoActivityView *view = data;

  return !portico_activity_view_is_loading (view) &&
         g_list_model_get_n_items (portico_activity_view_get_model (view)) > 0;
}

static void
test_window_in_german (void)
{
  g_autofree char *dir = g_dir_make_tmp ("portico-german-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  PorticoConnector *okta;
  PorticoConnectDialog *dialog;
  PorticoPreferencesWindow *preferences;
  PorticoWindow *window;
  PorticoTableView *licenses;
  PorticoActivityView *activity;
  AdwViewStack *stack;
  GtkWidget *row;
  g_autofree char *total = NULL;
  g_autofree char *assigned = NULL;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  portico_catalog_load_dir (catalog, g_getenv ("PORTICO_CONNECTORS_DIR"), FALSE);
  okta = portico_catalog_lookup (catalog, "okta");
  g_assert_nonnull (okta);
  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  add_counts (path);
  engine = portico_engine_new (store, catalog, runtime);

  /* The window's own strings, from its template. */
  window = portico_window_new (NULL, catalog);
  portico_window_set_engine (window, engine);
  gtk_window_present (GTK_WINDOW (window));
  stack = portico_window_get_view_stack (window);
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, portico_window_get_view (window, "integrations"))),
                   ==, "Integrationen");
  g_assert_cmpstr (adw_view_stack_page_get_title (adw_view_stack_get_page (stack, portico_window_get_view (window, "licenses"))),
                   ==, "Lizenzen");

  /* Numbers grouped as German writes them (LC_NUMERIC), in a table and in
   * an Activity sentence. */
  portico_window_show_view (window, "licenses");
  licenses = portico_licenses_view_get_table (PORTICO_LICENSES_VIEW (portico_window_get_view (window, "licenses")));
  g_assert_true (portico_test_wait_until (licenses_loaded, licenses, 10000));
  total = portico_table_view_get_cell_text (licenses, 0, 3);
  assigned = portico_table_view_get_cell_text (licenses, 0, 4);
  g_assert_cmpstr (total, ==, "12.000");
  g_assert_cmpstr (assigned, ==, "1.351");
  portico_window_show_view (window, "activity");
  activity = PORTICO_ACTIVITY_VIEW (portico_window_get_view (window, "activity"));
  g_assert_true (portico_test_wait_until (activity_loaded, activity, 10000));
  g_assert_nonnull (strstr (portico_activity_view_get_summary (activity, 0),
                            "193 Benutzer und 1.351 eigene Details"));

  /* A connector's definition: its fields, their help, its levels. */
  dialog = portico_connect_dialog_new (engine, okta, NULL, 0);
  row = portico_connect_dialog_get_field_row (dialog, "okta_domain");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Okta-Domain");
  row = portico_connect_dialog_get_field_row (dialog, "api_token");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "API-Token");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Okta verbinden");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Plural forms through ngettext. */
  preferences = portico_preferences_window_new (GTK_WINDOW (window), path);
  gtk_spin_button_set_value (portico_preferences_window_get_interval_spin (preferences), 6);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Jedes Konto wird alle 6 Stunden synchronisiert");
  gtk_spin_button_set_value (portico_preferences_window_get_interval_spin (preferences), 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (portico_preferences_window_get_interval_row (preferences)),
                   ==, "Jedes Konto wird jede Stunde synchronisiert");
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
  /* What a German desktop session sets: LANGUAGE picks the messages,
   * LC_NUMERIC how numbers are grouped. */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    {
      printf ("1..1\nnot ok 1 - the de_DE.UTF-8 locale is missing: run build-aux/setup-debian test\n");
      return 1;
    }
  portico_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the icon theme (see test-window.c). */
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/german/window", test_window_in_german);

  return g_test_run ();
}
