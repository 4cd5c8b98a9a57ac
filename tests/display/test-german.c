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
#include <stdio.h>

#include "portico-connect-dialog.h"
#include "portico-connector-i18n.h"
#include "portico-preferences-window.h"
#include "portico-window.h"

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
  AdwViewStack *stack;
  GtkWidget *row;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portico-test-bus", TRUE);

  portico_catalog_load_dir (catalog, g_getenv ("PORTICO_CONNECTORS_DIR"), FALSE);
  okta = portico_catalog_lookup (catalog, "okta");
  g_assert_nonnull (okta);
  store = portico_store_open (path, &error);
  g_assert_no_error (error);
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
  /* What a German desktop session sets; C.UTF-8 exists everywhere, and
   * LANGUAGE picks the messages. */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
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
