/* test-accounts.c: what the window shows about connected accounts: tiles,
 * their three-dot menu, rename, the disconnect preview, Needs attention,
 * Recommended to connect and the data views, under a real display.
 *
 * The tests that connect accounts go through the real engine against the
 * in-process sandbox and need a keyring: they run only with
 * PORTICO_TEST_KEYRING=1 (build-aux/keyring-run sets it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-accounts"

#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include <sqlite3.h>

#include "portico-account-details-dialog.h"
#include "portico-activity-view.h"
#include "portico-account-tile.h"
#include "portico-application.h"
#include "portico-connector-dialog.h"
#include "portico-apps-view.h"
#include "portico-integrations-page.h"
#include "portico-licenses-view.h"
#include "portico-sandbox-server.h"
#include "portico-scheduler.h"
#include "portico-table-view.h"
#include "portico-users-view.h"
#include "portico-window.h"
#include "portico-workflows-view.h"

static PorticoCatalog *
load_catalog (void)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");
  PorticoCatalog *catalog = portico_catalog_new ();

  g_assert_nonnull (dir);
  g_assert_cmpuint (portico_catalog_load_dir (catalog, dir, FALSE), >, 0);

  return catalog;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_ready (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static JsonObject *
account_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* ---- The tile alone (no keyring) --------------------------------------- */

static void
count_signal (GtkWidget *tile,
              guint     *count)
{
  (*count)++;
}

static void
test_tile_menu (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoConnector *single = NULL, *multi;
  g_autoptr(JsonObject) account = NULL;
  GtkWidget *window, *tile, *other;
  GtkMenuButton *menu_button;
  guint renamed = 0, synced = 0, another = 0;

  /* A connector that supports one account only, whichever it is. */
  for (guint i = 0; single == NULL && i < g_list_model_get_n_items (G_LIST_MODEL (catalog)); i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);

      if (!portico_connector_get_multi_account (connector))
        single = portico_catalog_lookup (catalog, portico_connector_get_id (connector));
    }
  g_assert_nonnull (single);
  multi = portico_catalog_lookup (catalog, "slack");
  g_assert_nonnull (multi);
  g_assert_true (portico_connector_get_multi_account (multi));

  account = account_from_json ("{\"id\":4,\"name\":\"Acme HQ\",\"connector\":\"x\",\"status\":\"failed\","
                               "\"last_sync_at\":\"2026-01-31T12:00:00Z\",\"data_types\":[]}");

  window = gtk_window_new ();
  tile = portico_account_tile_new ();
  gtk_window_set_child (GTK_WINDOW (window), tile);
  portico_account_tile_set_account (PORTICO_ACCOUNT_TILE (tile), account, single);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);

  g_assert_cmpint (portico_account_tile_get_account_id (PORTICO_ACCOUNT_TILE (tile)), ==, 4);
  g_assert_cmpint (portico_account_tile_get_state (PORTICO_ACCOUNT_TILE (tile)), ==, PORTICO_ACCOUNT_STATE_FAILED);
  g_assert_cmpstr (portico_account_tile_get_status_label (PORTICO_ACCOUNT_TILE (tile)), ==, "Sync failed");
  g_assert_true (g_str_has_prefix (portico_account_tile_get_status_detail (PORTICO_ACCOUNT_TILE (tile)), "Last sync: "));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (tile), "2026"));

  /* The single-account connector: Connect another is off, and says why. */
  {
    g_autofree char *expected = g_strdup_printf ("%s supports one account", portico_connector_get_name (single));

    g_assert_cmpstr (portico_account_tile_get_connect_another_tooltip (PORTICO_ACCOUNT_TILE (tile)), ==, expected);
  }

  g_signal_connect (tile, "rename", G_CALLBACK (count_signal), &renamed);
  g_signal_connect (tile, "sync-now", G_CALLBACK (count_signal), &synced);
  g_signal_connect (tile, "connect-another", G_CALLBACK (count_signal), &another);

  g_assert_true (gtk_widget_activate_action (tile, "tile.rename", NULL));
  g_assert_true (gtk_widget_activate_action (tile, "tile.sync-now", NULL));
  g_assert_cmpuint (renamed, ==, 1);
  g_assert_cmpuint (synced, ==, 1);
  /* A disabled action does nothing. */
  gtk_widget_activate_action (tile, "tile.connect-another", NULL);
  g_assert_cmpuint (another, ==, 0);
  g_assert_false (gtk_widget_activate_action (tile, "tile.no-such-action", NULL));

  /* The menu lists the items; the custom "Connect another" is insensitive
   * with its tooltip. */
  menu_button = portico_account_tile_get_menu_button (PORTICO_ACCOUNT_TILE (tile));
  g_assert_cmpstr (gtk_menu_button_get_icon_name (menu_button), ==, "view-more-symbolic");
  {
    GMenuModel *model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (gtk_menu_button_get_popover (menu_button)));
    g_autoptr(GString) actions = g_string_new (NULL);

    for (int s = 0; s < g_menu_model_get_n_items (model); s++)
      {
        g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);

        for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
          {
            g_autofree char *action = NULL;
            g_autofree char *custom = NULL;

            if (g_menu_model_get_item_attribute (section, i, "action", "s", &action))
              g_string_append_printf (actions, "%s ", action);
            else if (g_menu_model_get_item_attribute (section, i, "custom", "s", &custom))
              g_string_append_printf (actions, "custom:%s ", custom);
          }
      }
    g_assert_cmpstr (actions->str, ==,
                     "tile.sync-now tile.details tile.rename tile.reconnect custom:connect-another tile.disconnect ");
  }
  gtk_menu_button_popup (menu_button);
  gtk_test_widget_wait_for_draw (window);
  {
    GtkWidget *button = NULL;
    GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (menu_button));

    /* Find the stand-in button inside the popover. */
    for (GtkWidget *w = gtk_widget_get_first_child (popover); w != NULL; )
      {
        if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), "tile.connect-another") == 0)
          {
            button = w;
            break;
          }
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != popover && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = w == popover ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (button);
    g_assert_false (gtk_widget_is_sensitive (button));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==,
                     portico_account_tile_get_connect_another_tooltip (PORTICO_ACCOUNT_TILE (tile)));
  }
  gtk_menu_button_popdown (menu_button);

  /* A multi-account connector: Connect another works. */
  other = portico_account_tile_new ();
  portico_account_tile_set_account (PORTICO_ACCOUNT_TILE (other), account, multi);
  g_object_ref_sink (other);
  g_signal_connect (other, "connect-another", G_CALLBACK (count_signal), &another);
  g_assert_null (portico_account_tile_get_connect_another_tooltip (PORTICO_ACCOUNT_TILE (other)));
  g_assert_true (gtk_widget_activate_action (other, "tile.connect-another", NULL));
  g_assert_cmpuint (another, ==, 1);

  /* Syncing: the spinner and the item count replace the status icon. */
  portico_account_tile_set_syncing (PORTICO_ACCOUNT_TILE (tile), TRUE);
  portico_account_tile_set_progress (PORTICO_ACCOUNT_TILE (tile), 42);
  g_assert_cmpstr (portico_account_tile_get_status_label (PORTICO_ACCOUNT_TILE (tile)), ==, "Syncing");
  portico_account_tile_set_syncing (PORTICO_ACCOUNT_TILE (tile), FALSE);
  g_assert_cmpstr (portico_account_tile_get_status_label (PORTICO_ACCOUNT_TILE (tile)), ==, "Sync failed");

  g_object_unref (other);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_csv (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);

  portico_csv_append_field (csv, "plain");
  g_string_append_c (csv, ',');
  portico_csv_append_field (csv, "with, comma");
  g_string_append_c (csv, ',');
  portico_csv_append_field (csv, "say \"hi\"");
  g_string_append_c (csv, ',');
  /* A provider's value that a spreadsheet would run (CSV injection). */
  portico_csv_append_field (csv, "=1+2");
  g_assert_cmpstr (csv->str, ==, "plain,\"with, comma\",\"say \"\"hi\"\"\",'=1+2");
}

/* ---- The window over a real engine (keyring) ----------------------------- */

typedef struct
{
  char           *dir;
  PorticoCatalog *catalog;
  PorticoSandbox *sandbox;
  PorticoStore   *store;
  PorticoEngine  *engine;
  PorticoWindow  *window;
  PorticoIntegrationsPage *page;
  gint64          okta, figma, github, licensed;
} Fixture;

static gint64
connect_account (Fixture    *fixture,
                 const char *connector_id,
                 const char *secret_kind,
                 gboolean    accept_partial)
{
  PorticoConnector *connector = portico_catalog_lookup (fixture->catalog, connector_id);
  g_autoptr(GHashTable) values = portico_sandbox_get_field_values (fixture->sandbox, connector_id, secret_kind);
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 id;

  g_assert_nonnull (connector);
  test = portico_engine_new_test (fixture->engine, connector, values, "read");
  portico_connection_test_run_async (test, NULL, result_cb, &slot);
  g_assert_true (wait_until (result_ready, &slot, 60000));
  result = g_steal_pointer (&slot);
  portico_connection_test_run_finish (test, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  portico_engine_connect_async (fixture->engine, test, values, NULL, accept_partial, NULL, result_cb, &slot);
  g_assert_true (wait_until (result_ready, &slot, 60000));
  result = g_steal_pointer (&slot);
  id = portico_engine_connect_finish (fixture->engine, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static gboolean
page_idle (gpointer data)
{
  Fixture *fixture = data;

  return !portico_integrations_page_is_loading (fixture->page);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("portico-accounts-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "portico.db", NULL);

  fixture->catalog = load_catalog ();
  fixture->sandbox = portico_sandbox_new (fixture->catalog, 1, 60);
  g_assert_true (portico_sandbox_start (fixture->sandbox, 0, &error));
  g_assert_no_error (error);

  fixture->store = portico_store_open (path, &error);
  g_assert_no_error (error);
  fixture->engine = portico_engine_new (fixture->store, fixture->catalog, runtime);

  fixture->okta = connect_account (fixture, "okta", "ok", FALSE);
  fixture->figma = connect_account (fixture, "figma", "ok", FALSE);
  fixture->github = connect_account (fixture, "github", "plan", TRUE);
  /* One that reports licenses, for the Licenses view. */
  fixture->licensed = connect_account (fixture, "pagerduty", "ok", FALSE);

  fixture->window = portico_window_new (NULL, fixture->catalog);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1240, 800);
  portico_window_set_engine (fixture->window, fixture->engine);
  fixture->page = portico_window_get_integrations_page (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_true (wait_until (page_idle, fixture, 10000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (fixture->dir);
  const char *names[] = { "portico.db", "portico.db-wal", "portico.db-shm", NULL };

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  /* Let cancelled loads and the scheduler's checks come back. */
  spin (200);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->store);
  portico_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
  g_clear_object (&fixture->catalog);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

typedef struct
{
  Fixture *fixture;
  gint64   account;
  PorticoAccountState state;
} TileWait;

static gboolean
tile_in_state (gpointer data)
{
  TileWait *wait = data;
  PorticoAccountTile *tile;

  if (portico_integrations_page_is_loading (wait->fixture->page))
    return FALSE;
  tile = portico_integrations_page_find_tile (wait->fixture->page, wait->account);

  return tile != NULL && !portico_account_tile_get_syncing (tile) &&
         !portico_engine_is_syncing (wait->fixture->engine, wait->account) &&
         portico_account_tile_get_state (tile) == wait->state;
}

static void
sync_via_menu (Fixture             *fixture,
               gint64               account,
               PorticoAccountState  expected)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (fixture->page, account);
  TileWait wait = { fixture, account, expected };

  g_assert_nonnull (tile);
  /* A scheduled sync may be running: Sync now then waits for it quietly. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.sync-now", NULL));
  g_assert_true (wait_until (tile_in_state, &wait, 60000));
}

static GtkWidget *
find_attention_row (Fixture    *fixture,
                    const char *prefix)
{
  GtkListBox *list = portico_integrations_page_get_attention_list (fixture->page);

  for (int i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (row == NULL)
        return NULL;
      if (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), prefix))
        return GTK_WIDGET (row);
    }
}

typedef struct
{
  Fixture    *fixture;
  const char *prefix;
  const char *words;
} RowWait;

static gboolean
attention_row_says (gpointer data)
{
  RowWait *wait = data;
  GtkWidget *row = find_attention_row (wait->fixture, wait->prefix);

  return row != NULL && strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), wait->words) != NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
account_paused (Fixture *fixture,
                gint64   account)
{
  g_autoptr(JsonNode) node = portico_store_get_account (fixture->store, account, NULL);

  return json_object_get_boolean_member (json_node_get_object (node), "paused");
}

/* People Okta listed before and no longer lists, as an earlier sync would
 * have stored them; returns how many such rows the database has. */
static gint64
gone_people (Fixture *fixture,
             guint    add)
{
  g_autofree char *path = g_build_filename (fixture->dir, "portico.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  for (guint i = 0; i < add; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO app_users (app_id, external_user_id, status, "
                                              "source_account_id, source_kind) SELECT app_id, 'gone-%u', "
                                              "'ACTIVE', id, 'account' FROM accounts WHERE id = %" G_GINT64_FORMAT,
                                              i, fixture->okta);

      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM app_users WHERE external_user_id LIKE 'gone-%'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gboolean
no_attention_row (gpointer data)
{
  RowWait *wait = data;

  return find_attention_row (wait->fixture, wait->prefix) == NULL;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("PORTICO_SCREENSHOTS_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  spin (300);
  gtk_test_widget_wait_for_draw (widget);
  path = g_build_filename (dir != NULL ? dir : g_get_tmp_dir (), name, NULL);
  if (!portico_widget_save_png (widget, path, &error))
    g_test_message ("screenshot %s: %s", name, error->message);
}

static gboolean
store_name_is (gpointer data)
{
  Fixture *fixture = ((gpointer *) data)[0];
  const char *expected = ((gpointer *) data)[1];
  g_autoptr(JsonNode) node = portico_store_get_account (fixture->store, fixture->figma, NULL);

  return node != NULL &&
         g_strcmp0 (json_object_get_string_member (json_node_get_object (node), "name"), expected) == 0;
}

static gboolean
dialog_shown (gpointer data)
{
  Fixture *fixture = data;

  return portico_integrations_page_get_dialog (fixture->page) != NULL;
}

static gboolean
table_loaded (gpointer data)
{
  PorticoTableView *table = data;

  return !portico_table_view_is_loading (table) && portico_table_view_get_n_rows (table) > 0;
}

static gboolean
table_settled (gpointer data)
{
  return !portico_table_view_is_loading (data);
}

typedef struct
{
  PorticoTableView *table;
  guint             n_rows;
} TableRows;

static gboolean
table_has_rows (gpointer data)
{
  TableRows *rows = data;

  return !portico_table_view_is_loading (rows->table) &&
         portico_table_view_get_n_rows (rows->table) == rows->n_rows;
}

static gboolean
table_narrowed (gpointer data)
{
  TableRows *rows = data;
  guint n = portico_table_view_get_n_rows (rows->table);

  return !portico_table_view_is_loading (rows->table) && n > 0 && n < rows->n_rows;
}

static gboolean
table_empty (gpointer data)
{
  return portico_table_view_get_n_rows (data) == 0;
}

static gboolean
activity_loaded (gpointer data)
{
  return !portico_activity_view_is_loading (data) &&
         g_list_model_get_n_items (portico_activity_view_get_model (data)) > 0;
}

static gboolean
dialog_gone (gpointer data)
{
  Fixture *fixture = data;

  return portico_integrations_page_get_dialog (fixture->page) == NULL;
}

static gboolean
details_loaded (gpointer data)
{
  return portico_account_details_dialog_is_loaded (data);
}

typedef struct
{
  Fixture *fixture;
  gint64   percent;
} DriftWait;

static gboolean
drift_threshold_is (gpointer data)
{
  DriftWait *wait = data;
  g_autoptr(JsonNode) node = portico_store_get_account (wait->fixture->store, wait->fixture->okta, NULL);

  return node != NULL &&
         json_object_get_int_member_with_default (json_node_get_object (node), "drift_threshold", 0) == wait->percent;
}

static void
test_window_accounts (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GPtrArray) tiles = portico_integrations_page_list_account_tiles (fixture->page);
  AdwViewStack *stack = portico_integrations_page_get_stack (fixture->page);
  PorticoAccountTile *tile;
  GtkWidget *row;

  g_assert_cmpuint (tiles->len, ==, 4);

  /* Sync now through the menu: green for Okta and Figma, yellow for the
   * GitHub account whose plan lacks a data type. */
  sync_via_menu (fixture, fixture->okta, PORTICO_ACCOUNT_STATE_OK);
  sync_via_menu (fixture, fixture->figma, PORTICO_ACCOUNT_STATE_OK);
  tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
  g_assert_cmpstr (portico_account_tile_get_status_label (tile), ==, "Synced");
  sync_via_menu (fixture, fixture->github, PORTICO_ACCOUNT_STATE_OK);
  sync_via_menu (fixture, fixture->licensed, PORTICO_ACCOUNT_STATE_OK);
  /* GitHub was connected anyway without the data types its plan lacks
   * (outcome B): everything it may sync synced, and still it is yellow and
   * in Needs attention with the missing permission and the fix. */
  tile = portico_integrations_page_find_tile (fixture->page, fixture->github);
  g_assert_cmpstr (portico_account_tile_get_status_label (tile), ==, "Missing permissions");
  g_assert_null (strstr (portico_account_tile_get_status_detail (tile), "every data type"));
  row = find_attention_row (fixture, "GitHub – ");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Missing permissions"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Reconnect"));
  /* One malformed page: that data type fails, the others sync: yellow. */
  portico_sandbox_set_fault (fixture->sandbox, "github", PORTICO_SANDBOX_FAULT_MALFORMED, 1);
  sync_via_menu (fixture, fixture->github, PORTICO_ACCOUNT_STATE_PARTIAL);
  tile = portico_integrations_page_find_tile (fixture->page, fixture->github);
  g_assert_cmpstr (portico_account_tile_get_status_label (tile), ==, "Partly synced");

  /* Break Figma's key: red, and listed in Needs attention with the reason
   * and the fix. */
  portico_sandbox_break_credentials (fixture->sandbox, "figma", TRUE);
  sync_via_menu (fixture, fixture->figma, PORTICO_ACCOUNT_STATE_FAILED);
  tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
  g_assert_cmpstr (portico_account_tile_get_status_label (tile), ==, "Sync failed");

  row = find_attention_row (fixture, "Figma – ");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Credentials rejected"));
  g_assert_null (find_attention_row (fixture, "Okta – "));

  /* Auto-pause (after one failure here): Figma's row says so and offers
   * Resume, which the engine carries out; the row then shows the rejected
   * key again, with Reconnect. */
  {
    RowWait paused_wait = { fixture, "Figma – ", "Syncing paused" };
    RowWait rejected_wait = { fixture, "Figma – ", "Credentials rejected" };
    GtkWidget *resume;

    portico_store_set_pause_after (fixture->store, 1);
    g_assert_false (account_paused (fixture, fixture->figma));
    sync_via_menu (fixture, fixture->figma, PORTICO_ACCOUNT_STATE_FAILED);
    g_assert_true (wait_until (attention_row_says, &paused_wait, 30000));
    g_assert_true (account_paused (fixture, fixture->figma));
    row = find_attention_row (fixture, "Figma – ");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Fix it, then resume."));
    tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
    g_assert_cmpstr (portico_account_tile_get_status_label (tile), ==, "Paused");
    resume = find_button (row, "Resume");
    g_assert_nonnull (resume);
    g_assert_true (gtk_widget_get_sensitive (resume));
    g_signal_emit_by_name (resume, "clicked");
    g_assert_true (wait_until (attention_row_says, &rejected_wait, 30000));
    g_assert_false (account_paused (fixture, fixture->figma));
    g_assert_nonnull (find_button (find_attention_row (fixture, "Figma – "), "Reconnect"));
    portico_store_set_pause_after (fixture->store, PORTICO_STORE_DEFAULT_PAUSE_AFTER);
  }

  /* Drift protection: Okta no longer lists 20 people it had. The sync is
   * held, the row says so with Apply Anyway and Keep Current Data; Keep
   * leaves the people in place, Apply (after the next held sync) removes
   * them, and either ends the hold. */
  {
    RowWait held_wait = { fixture, "Okta – ", "Held: 20 of " };
    GtkWidget *apply, *keep;

    g_assert_cmpint (gone_people (fixture, 20), ==, 20);
    sync_via_menu (fixture, fixture->okta, PORTICO_ACCOUNT_STATE_PARTIAL);
    g_assert_true (wait_until (attention_row_says, &held_wait, 30000));
    /* The tile says held, not failed: the provider answered. */
    g_assert_cmpstr (portico_account_tile_get_status_label (portico_integrations_page_find_tile (fixture->page, fixture->okta)),
                     ==, "Held for review");
    row = find_attention_row (fixture, "Okta – ");
    keep = find_button (row, "Keep Current Data");
    g_assert_nonnull (keep);
    g_assert_nonnull (find_button (row, "Apply Anyway"));
    g_signal_emit_by_name (keep, "clicked");
    g_assert_true (wait_until (no_attention_row, &held_wait, 30000));
    g_assert_cmpint (gone_people (fixture, 0), ==, 20);

    sync_via_menu (fixture, fixture->okta, PORTICO_ACCOUNT_STATE_PARTIAL);
    g_assert_true (wait_until (attention_row_says, &held_wait, 30000));
    apply = find_button (find_attention_row (fixture, "Okta – "), "Apply Anyway");
    g_assert_nonnull (apply);
    g_signal_emit_by_name (apply, "clicked");
    g_assert_true (wait_until (no_attention_row, &held_wait, 30000));
    g_assert_cmpint (gone_people (fixture, 0), ==, 0);
  }

  save_screenshot (GTK_WIDGET (fixture->window), "integrations.png");
  adw_view_stack_set_visible_child_name (stack, "attention");
  save_screenshot (GTK_WIDGET (fixture->window), "needs-attention.png");

  /* Okta reported apps that have a connector and no account. */
  {
    GtkListBox *list = portico_integrations_page_get_recommended_list (fixture->page);
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (list, 0);

    g_assert_nonnull (first);
    const char *reason = adw_action_row_get_subtitle (ADW_ACTION_ROW (first));

    /* The reason, from the engine: how many people Okta assigned to it
     * (the most of all recommended apps: first), and who reported it. */
    g_assert_true (g_ascii_isdigit (reason[0]));
    g_assert_nonnull (strstr (reason, " people use it, according to Okta ("));
  }
  adw_view_stack_set_visible_child_name (stack, "all");

  /* See details: every data type with its last successful sync time. */
  tile = portico_integrations_page_find_tile (fixture->page, fixture->okta);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.details", NULL));
  g_assert_true (wait_until (dialog_shown, fixture, 5000));
  {
    PorticoAccountDetailsDialog *details = PORTICO_ACCOUNT_DETAILS_DIALOG (portico_integrations_page_get_dialog (fixture->page));
    g_autoptr(GListModel) rows = portico_account_details_dialog_get_data_type_rows (details);

    g_autoptr(JsonNode) okta = portico_store_get_account (fixture->store, fixture->okta, NULL);
    const char *fingerprint = json_object_get_string_member_with_default (json_node_get_object (okta),
                                                                         "fingerprint", NULL);

    g_assert_true (wait_until (details_loaded, details, 10000));
    g_assert_cmpuint (portico_account_details_dialog_get_n_runs (details), >=, 1);
    /* The key's fingerprint, recorded at connect, in the details and on
     * the tile's tooltip. */
    g_assert_nonnull (fingerprint);
    g_assert_cmpuint (strlen (fingerprint), ==, 8);
    g_assert_cmpstr (portico_account_details_dialog_get_fingerprint_text (details), ==, fingerprint);
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (tile)), fingerprint));
    g_assert_cmpuint (g_list_model_get_n_items (rows), >, 0);
    for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
      {
        g_autoptr(GtkWidget) data_row = g_list_model_get_item (rows, i);
        const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (data_row));

        g_assert_true (g_str_has_prefix (subtitle, "Last successful sync: ") ||
                       g_str_has_prefix (subtitle, "Not synced: "));
        g_assert_null (strstr (subtitle, "Never"));
      }
    /* Okta is an identity provider: its own drift threshold, 20% until
     * changed, saved as it changes. */
    {
      GtkSpinButton *drift = portico_account_details_dialog_get_drift_spin (details);
      DriftWait drift_wait = { fixture, 40 };

      g_assert_nonnull (drift);
      g_assert_cmpint (gtk_spin_button_get_value_as_int (drift), ==, PORTICO_STORE_HOLD_PERCENT);
      gtk_spin_button_set_value (drift, 40);
      g_assert_true (wait_until (drift_threshold_is, &drift_wait, 10000));
    }
    gtk_window_destroy (GTK_WINDOW (details));
  }

  /* Figma is not an identity provider: no drift threshold in its details. */
  tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.details", NULL));
  g_assert_true (wait_until (dialog_shown, fixture, 5000));
  {
    PorticoAccountDetailsDialog *details = PORTICO_ACCOUNT_DETAILS_DIALOG (portico_integrations_page_get_dialog (fixture->page));

    g_assert_null (portico_account_details_dialog_get_drift_spin (details));
    gtk_window_destroy (GTK_WINDOW (details));
  }

  /* Figma supports one account and has one: its catalog page offers that
   * account (Reconnect) instead of a Connect that could only fail. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "integrations.open-connector",
                                             "s", "figma"));
  g_assert_true (wait_until (dialog_shown, fixture, 5000));
  {
    GtkWindow *figma_page = portico_integrations_page_get_dialog (fixture->page);

    g_assert_true (PORTICO_IS_CONNECTOR_DIALOG (figma_page));
    g_assert_cmpint (portico_connector_dialog_get_existing_account (PORTICO_CONNECTOR_DIALOG (figma_page)), ==,
                     fixture->figma);
    gtk_window_destroy (figma_page);
  }
  /* Okta supports several: its page offers Connect as always. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "integrations.open-connector",
                                             "s", "okta"));
  g_assert_true (wait_until (dialog_shown, fixture, 5000));
  {
    GtkWindow *okta_page = portico_integrations_page_get_dialog (fixture->page);

    g_assert_cmpint (portico_connector_dialog_get_existing_account (PORTICO_CONNECTOR_DIALOG (okta_page)), ==, 0);
    gtk_window_destroy (okta_page);
  }

  /* Activity: one plain sentence per event, filterable by account and kind. */
  portico_window_show_view (fixture->window, "activity");
  {
    PorticoActivityView *activity = PORTICO_ACTIVITY_VIEW (portico_window_get_view (fixture->window, "activity"));
    GListModel *shown = portico_activity_view_get_model (activity);
    g_autoptr(JsonNode) figma = portico_store_get_account (fixture->store, fixture->figma, NULL);
    const char *figma_name = json_object_get_string_member (json_node_get_object (figma), "name");
    g_autofree char *synced_prefix = NULL;
    gboolean found_sync = FALSE;

    portico_activity_view_reload (activity);
    g_assert_true (wait_until (activity_loaded, activity, 10000));
    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
      {
        const char *summary = portico_activity_view_get_summary (activity, i);

        /* No internal ids, no serialized details. */
        g_assert_null (strstr (summary, "sync_failed"));
        g_assert_null (strstr (summary, "data_types"));
        if (g_str_has_prefix (summary, "Synced ") && strstr (summary, " users") != NULL)
          found_sync = TRUE;
      }
    g_assert_true (found_sync);
    save_screenshot (GTK_WIDGET (fixture->window), "activity.png");

    /* Figma failed twice: once with the broken key, once more to pause. */
    portico_activity_view_set_filter (activity, fixture->figma, "paused");
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
    g_assert_true (g_str_has_prefix (portico_activity_view_get_summary (activity, 0), "Paused scheduled syncs of "));
    portico_activity_view_set_filter (activity, fixture->figma, "resumed");
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
    portico_activity_view_set_filter (activity, fixture->figma, "sync_failed");
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
    synced_prefix = g_strdup_printf ("Sync of %s (Figma) failed", figma_name);
    g_assert_true (g_str_has_prefix (portico_activity_view_get_summary (activity, 0), synced_prefix));
    portico_activity_view_set_filter (activity, fixture->okta, NULL);
    g_assert_cmpuint (g_list_model_get_n_items (shown), >=, 2);
    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
      g_assert_null (strstr (portico_activity_view_get_summary (activity, i), "Figma"));
    portico_activity_view_set_filter (activity, 0, NULL);
  }

  /* Users: sorted by a click on a column header, searched as typed (both
   * worked out in a thread). */
  portico_window_show_view (fixture->window, "users");
  {
    PorticoTableView *table = portico_users_view_get_table (PORTICO_USERS_VIEW (portico_window_get_view (fixture->window, "users")));
    GtkColumnView *columns = portico_table_view_get_column_view (table);
    g_autoptr(GtkColumnViewColumn) email = g_list_model_get_item (gtk_column_view_get_columns (columns), 0);
    g_autofree char *last = NULL;
    g_autofree char *folded = NULL;
    TableRows rows = { table, 0 };
    gboolean found = FALSE;

    g_assert_true (wait_until (table_loaded, table, 10000));
    rows.n_rows = portico_table_view_get_n_rows (table);
    g_assert_cmpuint (rows.n_rows, >=, 2);
    save_screenshot (GTK_WIDGET (fixture->window), "users.png");

    for (int way = 0; way < 2; way++)
      {
        gtk_column_view_sort_by_column (columns, email, way == 0 ? GTK_SORT_ASCENDING : GTK_SORT_DESCENDING);
        g_assert_true (wait_until (table_settled, table, 10000));
        g_assert_cmpuint (portico_table_view_get_n_rows (table), ==, rows.n_rows);
        for (guint i = 1; i < rows.n_rows; i++)
          {
            g_autofree char *a = portico_table_view_get_cell_text (table, i - 1, 0);
            g_autofree char *b = portico_table_view_get_cell_text (table, i, 0);
            int order = g_utf8_collate (a, b);

            g_assert_cmpint (way == 0 ? order : -order, <=, 0);
          }
      }

    /* The last email of the descending order finds its row. */
    last = portico_table_view_get_cell_text (table, rows.n_rows - 1, 0);
    folded = g_utf8_casefold (last, -1);
    gtk_editable_set_text (portico_table_view_get_search_entry (table), last);
    g_assert_true (wait_until (table_narrowed, &rows, 5000));
    for (guint i = 0; i < portico_table_view_get_n_rows (table); i++)
      {
        g_autoptr(GString) text = g_string_new (NULL);
        g_autofree char *row_folded = NULL;

        for (guint c = 0; c < 4; c++)
          {
            g_autofree char *cell = portico_table_view_get_cell_text (table, i, c);

            g_string_append (text, cell);
            g_string_append_c (text, '\n');
            if (c == 0 && g_strcmp0 (cell, last) == 0)
              found = TRUE;
          }
        row_folded = g_utf8_casefold (text->str, -1);
        g_assert_nonnull (strstr (row_folded, folded));
      }
    g_assert_true (found);
    gtk_editable_set_text (portico_table_view_get_search_entry (table), "");
    g_assert_true (wait_until (table_has_rows, &rows, 5000));
  }

  /* Apps: category labels from the catalog, also for apps the identity
   * provider discovered (never a raw id such as "other" or "human_resources"). */
  portico_window_show_view (fixture->window, "apps");
  {
    PorticoTableView *table = portico_apps_view_get_table (PORTICO_APPS_VIEW (portico_window_get_view (fixture->window, "apps")));
    gboolean found_expensify = FALSE;

    g_assert_true (wait_until (table_loaded, table, 10000));
    for (guint i = 0; i < portico_table_view_get_n_rows (table); i++)
      {
        g_autofree char *name = portico_table_view_get_cell_text (table, i, 0);
        g_autofree char *category = portico_table_view_get_cell_text (table, i, 1);

        g_assert_null (strchr (category, '_'));
        g_assert_cmpstr (category, !=, "other");
        if (g_strcmp0 (name, "Expensify") == 0)
          {
            g_assert_cmpstr (category, ==, "Expenses");
            found_expensify = TRUE;
          }
        if (g_strcmp0 (name, "Microsoft Entra ID") == 0)
          g_assert_cmpstr (category, ==, "Identity providers");
      }
    g_assert_true (found_expensify);
    save_screenshot (GTK_WIDGET (fixture->window), "apps.png");
  }

  /* Licenses: rows for the connected apps that have licenses. */
  portico_window_show_view (fixture->window, "licenses");
  {
    PorticoTableView *table = portico_licenses_view_get_table (PORTICO_LICENSES_VIEW (portico_window_get_view (fixture->window, "licenses")));
    g_autoptr(JsonNode) licenses = portico_store_list_licenses (fixture->store, NULL);

    g_assert_true (wait_until (table_loaded, table, 10000));
    g_assert_cmpuint (portico_table_view_get_n_rows (table), ==,
                      json_array_get_length (json_node_get_array (licenses)));
    save_screenshot (GTK_WIDGET (fixture->window), "licenses.png");

    /* The search filters, and the CSV holds a header and the rows shown. */
    {
      g_autofree char *first_app = portico_table_view_get_cell_text (table, 0, 0);
      g_autofree char *csv = NULL;
      g_auto(GStrv) lines = NULL;

      guint n_all = portico_table_view_get_n_rows (table);

      /* The search entry reports a change after a short delay. */
      gtk_editable_set_text (portico_table_view_get_search_entry (table), "no-such-license-anywhere");
      g_assert_true (wait_until (table_empty, table, 5000));
      gtk_editable_set_text (portico_table_view_get_search_entry (table), first_app);
      g_assert_true (wait_until (table_loaded, table, 5000));
      g_assert_cmpuint (portico_table_view_get_n_rows (table), <=, n_all);
      csv = portico_table_view_to_csv (table);
      lines = g_strsplit (csv, "\r\n", -1);
      g_assert_cmpstr (lines[0], ==, "App,License,SKU,Total,Assigned,Inactive");
      g_assert_cmpuint (g_strv_length (lines), ==, portico_table_view_get_n_rows (table) + 2);
      gtk_editable_set_text (portico_table_view_get_search_entry (table), "");
    }
  }
  portico_window_show_view (fixture->window, "integrations");
}

static void
test_window_rename (Fixture       *fixture,
                    gconstpointer  user_data)
{
  PorticoAccountTile *tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  gpointer wait[2] = { fixture, (gpointer) "Design team" };

  g_assert_nonnull (tile);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.rename", NULL));
  g_assert_true (wait_until (dialog_shown, fixture, 5000));
  dialog = ADW_MESSAGE_DIALOG (portico_integrations_page_get_dialog (fixture->page));
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, portico_account_tile_get_account_name (tile));

  /* Empty is refused, with a message. */
  gtk_editable_set_text (entry, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "change"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "cannot be empty"));

  gtk_editable_set_text (entry, "Design team");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "change"));
  adw_message_dialog_response (dialog, "change");
  g_assert_true (wait_until (store_name_is, wait, 10000));
  g_assert_true (wait_until (page_idle, fixture, 10000));
  spin (100);
  g_assert_true (wait_until (page_idle, fixture, 10000));
  tile = portico_integrations_page_find_tile (fixture->page, fixture->figma);
  g_assert_cmpstr (portico_account_tile_get_account_name (tile), ==, "Design team");

  /* Enter applies and closes the dialog, so Cancel cannot look like an
   * undo; the same name again records no event. */
  {
    g_autoptr(JsonNode) before = portico_store_list_audit_events (fixture->store, 0, NULL);
    g_autoptr(JsonNode) after = NULL;
    gpointer same[2] = { fixture, (gpointer) "Design team" };

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.rename", NULL));
    g_assert_true (wait_until (dialog_shown, fixture, 5000));
    dialog = ADW_MESSAGE_DIALOG (portico_integrations_page_get_dialog (fixture->page));
    entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
    gtk_editable_set_text (entry, "Design team");
    g_signal_emit_by_name (entry, "activate");
    g_assert_true (wait_until (dialog_gone, fixture, 5000));
    spin (300);
    g_assert_true (wait_until (store_name_is, same, 5000));
    after = portico_store_list_audit_events (fixture->store, 0, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (after)), ==,
                      json_array_get_length (json_node_get_array (before)));
  }
}

static void
test_window_disconnect_preview (Fixture       *fixture,
                                gconstpointer  user_data)
{
  PorticoAccountTile *tile;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  AdwMessageDialog *dialog;
  TileWait wait = { fixture, fixture->okta, PORTICO_ACCOUNT_STATE_OK };

  sync_via_menu (fixture, fixture->okta, PORTICO_ACCOUNT_STATE_OK);
  g_assert_true (wait_until (tile_in_state, &wait, 60000));

  summary = portico_store_preview_disconnect (fixture->store, fixture->okta, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->app_users, >, 0);
  expected = portico_disconnect_summary_describe (summary, TRUE);

  tile = portico_integrations_page_find_tile (fixture->page, fixture->okta);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.disconnect", NULL));
  g_assert_true (wait_until (dialog_shown, fixture, 10000));
  dialog = ADW_MESSAGE_DIALOG (portico_integrations_page_get_dialog (fixture->page));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, expected);
  {
    g_autofree char *users = g_strdup_printf ("• %" G_GINT64_FORMAT " app user", summary->app_users);

    g_assert_nonnull (strstr (expected, users));
  }
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "disconnect"), ==, ADW_RESPONSE_DESTRUCTIVE);

  /* Cancel leaves the account connected. */
  adw_message_dialog_response (dialog, "cancel");
  spin (200);
  {
    g_autoptr(JsonNode) node = portico_store_get_account (fixture->store, fixture->okta, NULL);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), !=, "disconnected");
  }
}

static void
async_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

typedef struct
{
  PorticoStore *store;
  gint64        workflow;
  gint64        trigger;   /* expected trigger account; 0: expect it deleted */
} WorkflowWait;

static gboolean
workflow_is (gpointer data)
{
  WorkflowWait *wait = data;
  g_autoptr(JsonNode) workflows = portico_store_list_workflows (wait->store, NULL);
  JsonArray *array = json_node_get_array (workflows);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *workflow = json_array_get_object_element (array, i);

      if (json_object_get_int_member (workflow, "id") == wait->workflow)
        return wait->trigger != 0 && json_object_get_boolean_member (workflow, "valid") &&
               json_object_get_int_member_with_default (workflow, "trigger_account", 0) == wait->trigger;
    }
  return wait->trigger == 0;
}

static gboolean
invalid_rows_are (gpointer data)
{
  PorticoWorkflowsView *view = ((gpointer *) data)[0];
  guint expected = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  guint n = 0;

  if (portico_workflows_view_is_loading (view))
    return FALSE;
  while (gtk_list_box_get_row_at_index (portico_workflows_view_get_invalid_list (view), n) != NULL)
    n++;
  return n == expected;
}

static void
disconnect_account (Fixture *fixture,
                    gint64   account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GAsyncResult *result = NULL;

  portico_engine_disconnect_async (fixture->engine, account, NULL, async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  summary = portico_engine_disconnect_finish (fixture->engine, result, &error);
  g_assert_no_error (error);
  g_object_unref (result);
}

static GtkWidget *
find_suffix_button (GtkWidget  *row,
                    const char *prefix)
{
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child))
        {
          GtkWidget *label = gtk_button_get_child (GTK_BUTTON (child));

          if (GTK_IS_LABEL (label) && g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), prefix))
            return child;
        }
      if ((found = find_suffix_button (child, prefix)) != NULL)
        return found;
    }
  return NULL;
}

/* Workflows show their accounts by current names, and an invalid one can be
 * re-pointed to another account or deleted, from the window. */
static void
test_window_workflows (Fixture       *fixture,
                       gconstpointer  user_data)
{
  PorticoWorkflowsView *view = PORTICO_WORKFLOWS_VIEW (portico_window_get_view (fixture->window, "workflows"));
  PorticoTableView *table = portico_workflows_view_get_table (view);
  g_autoptr(GError) error = NULL;
  gint64 offboard, review;
  GAsyncResult *result = NULL;
  gpointer one[2] = { view, GUINT_TO_POINTER (1) };
  gpointer two[2] = { view, GUINT_TO_POINTER (2) };
  gpointer none[2] = { view, GUINT_TO_POINTER (0) };
  WorkflowWait repointed = { fixture->store, 0, fixture->okta };
  WorkflowWait deleted = { fixture->store, 0, 0 };
  GtkListBoxRow *row;
  GtkWidget *button;

  offboard = portico_store_add_workflow_sync (fixture->store, "Offboard leavers", fixture->figma,
                                              "A person leaves in Figma", &error);
  g_assert_no_error (error);
  review = portico_store_add_workflow_sync (fixture->store, "Review seats", fixture->github,
                                            "First day of the month", &error);
  g_assert_no_error (error);

  portico_engine_rename_async (fixture->engine, fixture->figma, "Design HQ", NULL, async_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (portico_engine_rename_finish (fixture->engine, result, &error));
  g_clear_object (&result);

  portico_window_show_view (fixture->window, "workflows");
  g_assert_true (wait_until (table_loaded, table, 10000));
  spin (300);
  g_assert_true (wait_until (table_loaded, table, 10000));
  {
    gboolean found = FALSE;

    for (guint i = 0; i < portico_table_view_get_n_rows (table); i++)
      {
        g_autofree char *name = portico_table_view_get_cell_text (table, i, 0);
        g_autofree char *trigger = portico_table_view_get_cell_text (table, i, 2);

        if (g_strcmp0 (name, "Offboard leavers") == 0)
          {
            g_assert_nonnull (strstr (trigger, "Design HQ"));
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  disconnect_account (fixture, fixture->figma);
  disconnect_account (fixture, fixture->github);
  g_assert_true (wait_until (invalid_rows_are, two, 10000));

  /* Re-point "Offboard leavers" to the first account offered (Okta). */
  row = gtk_list_box_get_row_at_index (portico_workflows_view_get_invalid_list (view), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Offboard leavers");
  button = find_suffix_button (GTK_WIDGET (row), "_Re-point");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  repointed.workflow = offboard;
  g_assert_true (wait_until (workflow_is, &repointed, 10000));
  g_assert_true (wait_until (invalid_rows_are, one, 10000));

  /* Delete "Review seats", after the confirmation. */
  row = gtk_list_box_get_row_at_index (portico_workflows_view_get_invalid_list (view), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Review seats");
  button = find_suffix_button (GTK_WIDGET (row), "_Delete");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  {
    GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */
    AdwMessageDialog *confirm = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (window))
          confirm = ADW_MESSAGE_DIALOG (window);
      }
    g_assert_nonnull (confirm);
    g_assert_cmpint (adw_message_dialog_get_response_appearance (confirm, "delete"), ==, ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_response (confirm, "delete");
    gtk_window_destroy (GTK_WINDOW (confirm));
  }
  deleted.workflow = review;
  g_assert_true (wait_until (workflow_is, &deleted, 10000));
  g_assert_true (wait_until (invalid_rows_are, none, 10000));
  portico_window_show_view (fixture->window, "integrations");
}

int
main (int   argc,
      char *argv[])
{
  /* GSETTINGS_SCHEMA_DIR holds Portico's schema only: the GNOME proxy
   * resolver would abort looking up its own. Loopback needs no proxy. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the icon theme (see
   * test-window.c); the databases live in a temporary folder. */
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  {
    /* The application's own style sheet, as PorticoApplication loads it, so
     * that the pictures this test takes look like the app. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/portico/Portico/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/accounts/tile-menu", test_tile_menu);
  g_test_add_func ("/accounts/csv", test_csv);
  if (g_strcmp0 (g_getenv ("PORTICO_TEST_KEYRING"), "1") == 0)
    {
      g_test_add ("/accounts/window/sync-attention-details", Fixture, NULL,
                  fixture_set_up, test_window_accounts, fixture_tear_down);
      g_test_add ("/accounts/window/rename", Fixture, NULL,
                  fixture_set_up, test_window_rename, fixture_tear_down);
      g_test_add ("/accounts/window/disconnect-preview", Fixture, NULL,
                  fixture_set_up, test_window_disconnect_preview, fixture_tear_down);
      g_test_add ("/accounts/window/workflows", Fixture, NULL,
                  fixture_set_up, test_window_workflows, fixture_tear_down);
    }
  else
    g_test_message ("The window tests need a keyring: run under build-aux/keyring-run");

  return g_test_run ();
}
