/* test-window.c: the main window, its Integrations page and the
 * capabilities table, under a real display (Xvfb in CI).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "display-test-util.h"

#include <glib/gstdio.h>

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "portico-application.h"
#include "portico-capabilities-dialog.h"
#include "portico-capability-cell.h"
#include "portico-catalog-section.h"
#include "portico-catalog-tile.h"
#include "portico-connector-dialog.h"
#include "portico-integrations-page.h"
#include "portico-window.h"

static char *
connectors_dir (void)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");

  if (dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup (dir);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "connectors", NULL);
}

static PorticoCatalog *
load_catalog (void)
{
  g_autofree char *dir = connectors_dir ();
  g_autofree char *custom_dir = g_test_build_filename (G_TEST_DIST, "fixtures", "custom-connectors", NULL);
  PorticoCatalog *catalog = portico_catalog_new ();

  g_assert_cmpuint (portico_catalog_load_dir (catalog, dir, FALSE), >, 0);
  g_assert_cmpuint (portico_catalog_load_dir (catalog, custom_dir, TRUE), ==, 1);

  return catalog;
}

static PorticoConnector *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "connectors", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  PorticoConnector *connector;

  connector = portico_connector_new_from_file (file, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connector);

  return connector;
}

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main loop until @condition holds; FALSE after @timeout_ms. */
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

static guint
count_matching (PorticoCatalog *catalog,
                const char     *text)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (catalog)); i++)
    {
      g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);
      g_autofree char *name = g_utf8_casefold (portico_connector_get_name (connector), -1);

      if (strstr (name, folded) != NULL || strstr (portico_connector_get_id (connector), folded) != NULL)
        n++;
    }

  return n;
}

/* Tiles actually made in visible sections (a catalog this small gets
 * them all, after the first frame). */
static guint
count_visible_tiles (PorticoIntegrationsPage *page,
                     GPtrArray               *names)
{
  g_autoptr(GPtrArray) sections = portico_integrations_page_list_sections (page);
  guint n = 0;

  for (guint i = 0; i < sections->len; i++)
    {
      PorticoCatalogSection *section = g_ptr_array_index (sections, i);
      g_autoptr(GPtrArray) tiles = NULL;

      if (!gtk_widget_get_visible (GTK_WIDGET (section)))
        continue;

      tiles = portico_tile_grid_list_tiles (portico_catalog_section_get_grid (section));
      for (guint j = 0; j < tiles->len; j++)
        {
          GtkWidget *tile = g_ptr_array_index (tiles, j);

          g_assert_true (PORTICO_IS_CATALOG_TILE (tile));
          g_assert_true (gtk_widget_get_visible (tile));
          if (names != NULL)
            g_ptr_array_add (names, (gpointer) portico_connector_get_name (portico_catalog_tile_get_connector (PORTICO_CATALOG_TILE (tile))));
          n++;
        }
    }

  return n;
}

/* Saves @widget next to the test binary, for people to look at. */
static void
save_png (GtkWidget  *widget,
          const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_autoptr(GError) error = NULL;

  gtk_test_widget_wait_for_draw (widget);
  g_assert_true (portico_widget_save_png (widget, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_test_message ("saved %s", path);
}

static void
test_capability_check (void)
{
  g_autoptr(PorticoConnector) okta = load_fixture ("okta.json");
  g_autoptr(PorticoConnector) bamboohr = load_fixture ("bamboohr.json");
  g_autoptr(PorticoConnector) expensify = load_fixture ("expensify.json");
  g_autofree char *usage = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *actions = NULL;
  char *detail = (char *) "unset";

  g_assert_true (portico_capability_check (okta, PORTICO_CAPABILITY_USAGE, &usage));
  g_assert_cmpstr (usage, ==, "Last 90 days");
  g_assert_true (portico_capability_check (okta, PORTICO_CAPABILITY_CUSTOM_FIELDS, &fields));
  g_assert_cmpstr (fields, ==, "Department, Cost center");
  g_assert_true (portico_capability_check (okta, PORTICO_CAPABILITY_ACTIONS, &actions));
  g_assert_cmpstr (actions, ==, "Suspend user");
  g_assert_true (portico_capability_check (okta, PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS, NULL));
  g_assert_false (portico_capability_check (okta, PORTICO_CAPABILITY_EXPENSES, NULL));

  g_assert_false (portico_capability_check (bamboohr, PORTICO_CAPABILITY_ACTIONS, &detail));
  g_assert_null (detail);
  g_assert_false (portico_capability_check (bamboohr, PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS, NULL));
  g_assert_true (portico_capability_check (bamboohr, PORTICO_CAPABILITY_CONNECTION_TEST, NULL));

  g_assert_true (portico_capability_check (expensify, PORTICO_CAPABILITY_EXPENSES, NULL));
  g_assert_false (portico_capability_check (expensify, PORTICO_CAPABILITY_CONNECTION_TEST, NULL));

  /* Supported first whatever the names say. */
  g_assert_cmpint (portico_capability_compare (okta, bamboohr, PORTICO_CAPABILITY_ACTIONS), <, 0);
  g_assert_cmpint (portico_capability_compare (bamboohr, okta, PORTICO_CAPABILITY_ACTIONS), >, 0);
  g_assert_cmpint (portico_capability_compare (bamboohr, okta, PORTICO_CAPABILITY_NAME), <, 0);
  /* Identity providers rank before human resources. */
  g_assert_cmpint (portico_capability_compare (okta, bamboohr, PORTICO_CAPABILITY_CATEGORY), <, 0);
}

static void
test_search_match (void)
{
  g_autoptr(PorticoConnector) okta = load_fixture ("okta.json");
  g_autoptr(PorticoConnector) slack = load_fixture ("slack.json");

  g_assert_true (portico_connector_matches_search (okta, NULL));
  g_assert_true (portico_connector_matches_search (okta, ""));
  g_assert_true (portico_connector_matches_search (okta, "ok"));
  g_assert_true (portico_connector_matches_search (okta, "kta"));
  g_assert_false (portico_connector_matches_search (slack, "ok"));
  g_assert_true (portico_connector_matches_search (slack, "sla"));
  /* The category, what a connector can do and keywords match too: "expen"
   * finds every expense tool, not only Expensify. */
  {
    const char *expense_tools[] = { "brex", "navan", "ramp", "expensify" };
    g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();

    portico_catalog_load_default (catalog);

    for (guint i = 0; i < G_N_ELEMENTS (expense_tools); i++)
      {
        PorticoConnector *tool = portico_catalog_lookup (catalog, expense_tools[i]);

        if (tool != NULL)
          g_assert_true (portico_connector_matches_search (tool, "expen"));
      }
    g_assert_nonnull (portico_catalog_lookup (catalog, "brex"));
    g_assert_true (portico_connector_matches_search (okta, "sso"));
    g_assert_true (portico_connector_matches_search (okta, "identity"));
    g_assert_false (portico_connector_matches_search (slack, "expen"));
  }
}

static gboolean
visible_tiles_are (gpointer data)
{
  gpointer *args = data;

  return count_visible_tiles (args[0], NULL) == GPOINTER_TO_UINT (args[1]);
}

static PorticoWindow *
create_window (PorticoCatalog *catalog)
{
  PorticoWindow *window = portico_window_new (NULL, catalog);

  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  return g_object_ref (window);
}

static void
destroy_window (PorticoWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_window_tabs (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoWindow *window = create_window (catalog);
  PorticoIntegrationsPage *page = portico_window_get_integrations_page (window);
  AdwViewStack *tabs = portico_integrations_page_get_stack (page);
  static const char * const names[] = { "all", "recommended", "attention" };
  static const char * const titles[] = { "All integrations", "Recommended to connect", "Needs attention" };
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (tabs);

  g_assert_cmpstr (adw_view_stack_get_visible_child_name (portico_window_get_view_stack (window)), ==, "integrations");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(AdwViewStackPage) stack_page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      g_assert_cmpstr (adw_view_stack_page_get_name (stack_page), ==, names[i]);
      g_assert_cmpstr (adw_view_stack_page_get_title (stack_page), ==, titles[i]);
    }
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (tabs), ==, "all");

  /* Every other view is reachable and the window survives showing it. */
  portico_window_show_view (window, "activity");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (portico_window_get_view_stack (window)), ==, "activity");
  portico_window_show_view (window, "integrations");

  portico_window_set_demo (window, TRUE);
  g_assert_true (portico_window_get_demo (window));

  destroy_window (window);
}

static void
test_window_sections (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoWindow *window = create_window (catalog);
  PorticoIntegrationsPage *page = portico_window_get_integrations_page (window);
  g_autoptr(GPtrArray) sections = portico_integrations_page_list_sections (page);
  static const char * const first_categories[] = { "identity_provider", "human_resources", "expenses" };
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  guint n_shipped_tiles = 0;
  PorticoCatalogSection *connected, *custom;

  g_assert_cmpuint (sections->len, >=, 2 + G_N_ELEMENTS (first_categories));

  connected = g_ptr_array_index (sections, 0);
  g_assert_cmpstr (portico_catalog_section_get_title (connected), ==, "Your integrations");
  g_assert_cmpuint (portico_catalog_section_get_n_tiles (connected), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (connected)));
  g_assert_cmpstr (portico_catalog_section_get_placeholder (connected), ==,
                   "No integrations connected yet. Pick one from the catalog below.");

  custom = g_ptr_array_index (sections, 1);
  g_assert_cmpstr (portico_catalog_section_get_title (custom), ==, "Your custom integrations");
  g_assert_cmpuint (portico_catalog_section_get_n_tiles (custom), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (first_categories); i++)
    {
      PorticoCatalogSection *section = g_ptr_array_index (sections, 2 + i);

      g_assert_cmpstr (portico_catalog_section_get_title (section), ==,
                       portico_category_label (first_categories[i]));
    }

  /* Each catalog section holds tiles of its own category only, and every
   * shipped connector has exactly one tile once the first frame is drawn. */
  {
    gpointer args[2] = { page, GUINT_TO_POINTER (n_items) };

    g_assert_true (wait_until (visible_tiles_are, args, 5000));
  }
  for (guint i = 2; i < sections->len; i++)
    {
      PorticoCatalogSection *section = g_ptr_array_index (sections, i);
      g_autoptr(GPtrArray) tiles = portico_tile_grid_list_tiles (portico_catalog_section_get_grid (section));
      guint n_children = 0;

      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (section)));
      for (guint j = 0; j < tiles->len; j++)
        {
          PorticoCatalogTile *tile = g_ptr_array_index (tiles, j);
          PorticoConnector *connector = portico_catalog_tile_get_connector (tile);

          g_assert_cmpstr (portico_category_label (portico_connector_get_category (connector)), ==,
                           portico_catalog_section_get_title (section));
          g_assert_false (portico_connector_is_custom (connector));
          g_assert_true (GTK_IS_BUTTON (portico_catalog_tile_get_button (tile)));
          n_children++;
        }
      g_assert_cmpuint (n_children, >, 0);
      g_assert_cmpuint (n_children, ==, portico_catalog_section_get_n_tiles (section));
      n_shipped_tiles += n_children;
    }
  g_assert_cmpuint (n_shipped_tiles + 1, ==, n_items);

  destroy_window (window);
}

static void
test_window_search (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoWindow *window = create_window (catalog);
  PorticoIntegrationsPage *page = portico_window_get_integrations_page (window);
  GtkEditable *entry = portico_integrations_page_get_search_entry (page);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  guint n_ok = count_matching (catalog, "ok");
  gpointer args[2];

  g_assert_cmpuint (n_ok, >, 0);
  g_assert_cmpuint (n_ok, <, n_all);
  args[0] = page;
  args[1] = GUINT_TO_POINTER (n_all);
  g_assert_true (wait_until (visible_tiles_are, args, 5000));

  /* Ctrl+F lands in the entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "integrations.search", NULL));
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

    g_assert_nonnull (focus);
    g_assert_true (focus == GTK_WIDGET (entry) || gtk_widget_is_ancestor (focus, GTK_WIDGET (entry)));
  }

  gtk_editable_set_text (entry, "ok");
  args[0] = page;
  args[1] = GUINT_TO_POINTER (n_ok);
  g_assert_true (wait_until (visible_tiles_are, args, 2000));

  count_visible_tiles (page, names);
  g_assert_cmpuint (names->len, ==, n_ok);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *folded = g_utf8_casefold (g_ptr_array_index (names, i), -1);

      g_assert_nonnull (strstr (folded, "ok"));
    }

  gtk_editable_set_text (entry, "no-such-integration-xyz");
  args[1] = GUINT_TO_POINTER (0);
  g_assert_true (wait_until (visible_tiles_are, args, 2000));

  gtk_editable_set_text (entry, "");
  args[1] = GUINT_TO_POINTER (n_all);
  g_assert_true (wait_until (visible_tiles_are, args, 2000));

  destroy_window (window);
}

/* A catalog of @n connectors: the shipped ones round robin, each with its
 * own id and name (as bench-window generates them). */
static PorticoCatalog *
generate_catalog (guint n)
{
  g_autoptr(PorticoCatalog) shipped = load_catalog ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  PorticoCatalog *catalog = portico_catalog_new ();
  guint n_shipped = g_list_model_get_n_items (G_LIST_MODEL (shipped));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) template = g_list_model_get_item (G_LIST_MODEL (shipped), i % n_shipped);
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(PorticoConnector) connector = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *id = g_strdup_printf ("%s-%u", portico_connector_get_id (template), i);
      g_autofree char *name = g_strdup_printf ("%s %u", portico_connector_get_name (template), i);
      g_autofree char *text = NULL;
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, portico_connector_get_definition (template));
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (object, member, json_node_copy (value));
      json_object_set_string_member (object, "id", id);
      json_object_set_string_member (object, "name", name);
      json_node_set_object (root, object);
      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, NULL);
      connector = portico_connector_new_from_data (text, -1, id, portico_connector_is_custom (template), &error);
      g_assert_no_error (error);
      g_assert_true (portico_catalog_add (catalog, connector));
    }

  return catalog;
}

static gboolean
frame_drawn (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
three_frames (gpointer data)
{
  return *(guint *) data >= 3;
}

static void
wait_frames (GtkWidget *window)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (window, frame_drawn, &frames, NULL);

  gtk_widget_queue_draw (window);
  g_assert_true (wait_until (three_frames, &frames, 5000));
  gtk_widget_remove_tick_callback (window, id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* In the real page, with more connectors than get every tile: only the
 * sections in view have tiles, every section in view has them, and
 * scrolling and searching bring the right ones. */
static void
test_window_long_catalog (void)
{
  g_autoptr(PorticoCatalog) catalog = generate_catalog (600);
  PorticoWindow *window = create_window (catalog);
  PorticoIntegrationsPage *page = portico_window_get_integrations_page (window);
  g_autoptr(GPtrArray) sections = portico_integrations_page_list_sections (page);
  GtkWidget *scrolled = gtk_widget_get_ancestor (g_ptr_array_index (sections, 2), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  static const double places[] = { 0.0, 0.37, 0.8, 1.0 };

  g_assert_nonnull (scrolled);
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  for (guint p = 0; p < G_N_ELEMENTS (places); p++)
    {
      guint n_tiles = 0, n_sections_in_view = 0;

      gtk_adjustment_set_value (adjustment, places[p] * (gtk_adjustment_get_upper (adjustment) -
                                                         gtk_adjustment_get_page_size (adjustment)));
      wait_frames (GTK_WIDGET (window));

      for (guint i = 2; i < sections->len; i++)
        {
          PorticoTileGrid *grid = portico_catalog_section_get_grid (g_ptr_array_index (sections, i));
          g_autoptr(GPtrArray) tiles = portico_tile_grid_list_tiles (grid);
          graphene_rect_t grid_bounds, view;
          gboolean in_view = FALSE;

          g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (grid), scrolled, &grid_bounds));
          view = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (scrolled), gtk_widget_get_height (scrolled));
          in_view = graphene_rect_intersection (&grid_bounds, &view, NULL);
          n_tiles += tiles->len;
          if (!in_view)
            continue;

          /* A tile where the grid is in view. */
          n_sections_in_view++;
          {
            gboolean shown = FALSE;

            for (guint j = 0; j < tiles->len && !shown; j++)
              {
                graphene_rect_t tile_bounds;

                g_assert_true (gtk_widget_compute_bounds (tiles->pdata[j], scrolled, &tile_bounds));
                shown = graphene_rect_intersection (&tile_bounds, &view, NULL);
              }
            g_assert_true (shown);
          }
        }
      g_test_message ("scrolled to %.0f %%: %u sections in view, %u tiles", places[p] * 100,
                      n_sections_in_view, n_tiles);
      g_assert_cmpuint (n_sections_in_view, >, 0);
      g_assert_cmpuint (n_tiles, <, 200);
    }
  save_png (GTK_WIDGET (window), "long-catalog.png");

  /* A search for one of them shows its tile, wherever it was. */
  {
    gpointer args[2] = { page, GUINT_TO_POINTER (1) };
    guint n = g_list_model_get_n_items (G_LIST_MODEL (catalog));
    g_autoptr(PorticoConnector) last = g_list_model_get_item (G_LIST_MODEL (catalog), n - 1);

    gtk_editable_set_text (portico_integrations_page_get_search_entry (page), portico_connector_get_name (last));
    g_assert_true (wait_until (visible_tiles_are, args, 5000));
  }

  destroy_window (window);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

static gboolean
rows_are (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
test_window_capabilities (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoWindow *window = create_window (catalog);
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  PorticoCapabilitiesDialog *dialog;
  GtkColumnView *view;
  GListModel *rows;
  GtkStack *stack;
  gpointer args[2];

  g_assert_null (find_toplevel (PORTICO_TYPE_CAPABILITIES_DIALOG));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "window.show-capabilities", NULL));

  dialog = PORTICO_CAPABILITIES_DIALOG (find_toplevel (PORTICO_TYPE_CAPABILITIES_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));

  view = portico_capabilities_dialog_get_column_view (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (view)), ==, 10);
  rows = portico_capabilities_dialog_get_rows (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_all);

  /* Sorted by name at first. */
  for (guint i = 1; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(PorticoConnector) a = g_list_model_get_item (rows, i - 1);
      g_autoptr(PorticoConnector) b = g_list_model_get_item (rows, i);

      g_assert_cmpint (g_utf8_collate (portico_connector_get_name (a), portico_connector_get_name (b)), <=, 0);
    }

  save_png (GTK_WIDGET (dialog), "capabilities-dialog.png");

  gtk_editable_set_text (portico_capabilities_dialog_get_search_entry (dialog), "ok");
  args[0] = rows;
  args[1] = GUINT_TO_POINTER (count_matching (catalog, "ok"));
  g_assert_true (wait_until (rows_are, args, 2000));
  stack = GTK_STACK (gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_STACK));
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "table");

  /* A search that matches nothing says so instead of showing an empty table. */
  gtk_editable_set_text (portico_capabilities_dialog_get_search_entry (dialog), "qqzzxq");
  args[1] = GUINT_TO_POINTER (0);
  g_assert_true (wait_until (rows_are, args, 2000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "no-match");

  gtk_window_destroy (GTK_WINDOW (dialog));
  destroy_window (window);
}

/* A broken connector file is reported with its file and field, and the rest
 * of the catalog is still there. */
static void
test_window_catalog_problems (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  g_autofree char *dir = g_dir_make_tmp ("portico-broken-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "acme-crm.json", NULL);
  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (catalog));
  PorticoWindow *window;
  GtkWidget *dialog;
  const char *body;

  g_assert_true (g_file_set_contents (path, "{\"format\": 1, \"id\": \"acme-crm\", \"name\": \"Acme CRM\"}",
                                      -1, NULL));
  g_assert_cmpuint (portico_catalog_load_dir (catalog, dir, TRUE), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalog)), ==, n_before);
  g_assert_cmpuint (portico_catalog_get_problems (catalog)->len, ==, 1);

  window = create_window (catalog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (portico_window_get_integrations_page (window)),
                                             "integrations.show-catalog-problems", NULL));
  dialog = GTK_WIDGET (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "acme-crm.json"));
  g_assert_nonnull (strstr (body, "category"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  destroy_window (window);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_window_open_connector (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  PorticoWindow *window = create_window (catalog);
  PorticoIntegrationsPage *page = portico_window_get_integrations_page (window);
  g_autoptr(PorticoConnector) first = g_list_model_get_item (G_LIST_MODEL (catalog), 0);
  PorticoConnectorDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "integrations.open-connector",
                                             "s", portico_connector_get_id (first)));
  dialog = PORTICO_CONNECTOR_DIALOG (find_toplevel (PORTICO_TYPE_CONNECTOR_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (portico_connector_dialog_get_connector (dialog) == first);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, portico_connector_get_name (first));
  save_png (GTK_WIDGET (dialog), "connector-dialog.png");
  gtk_window_destroy (GTK_WINDOW (dialog));

  destroy_window (window);
}

/* The AdwStatusPage shown inside @widget (mapped), or NULL. */
static AdwStatusPage *
shown_status_page (GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget))
    return ADW_STATUS_PAGE (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwStatusPage *page = shown_status_page (child);

      if (page != NULL)
        return page;
    }

  return NULL;
}

typedef struct
{
  GtkWidget  *window;
  const char *title;
} StatusWait;

static gboolean
status_page_shown (gpointer data)
{
  StatusWait *wait = data;
  AdwStatusPage *page = shown_status_page (wait->window);

  return page != NULL && g_strcmp0 (adw_status_page_get_title (page), wait->title) == 0;
}

/* On a new database every list says what will appear in it, instead of an
 * empty area. */
static void
test_window_empty_states (void)
{
  static const struct { const char *view; const char *title; } lists[] = {
    { "recommended", "No Recommendations Yet" },
    { "attention", "Nothing Needs Attention" },
    { "apps", "No Apps Yet" },
    { "users", "No Users Yet" },
    { "licenses", "No Licenses Yet" },
    { "workflows", "No Workflows" },
    { "activity", "No Activity Yet" },
  };
  g_autofree char *dir = g_dir_make_tmp ("portico-empty-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "portico.db", NULL);
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  PorticoWindow *window;

  store = portico_store_open (path, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);
  window = create_window (catalog);
  portico_window_set_engine (window, engine);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      StatusWait wait = { GTK_WIDGET (window), lists[i].title };

      portico_window_show_named_view (window, lists[i].view);
      if (!portico_test_wait_until (status_page_shown, &wait, 10000))
        {
          AdwStatusPage *page = shown_status_page (GTK_WIDGET (window));

          g_error ("%s shows %s, not the empty state “%s”", lists[i].view,
                   page != NULL ? adw_status_page_get_title (page) : "no status page", lists[i].title);
        }
      g_assert_nonnull (adw_status_page_get_description (shown_status_page (GTK_WIDGET (window))));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_clear_object (&engine);
  g_clear_object (&store);
  portico_test_remove_db (dir, path);
}

static void
test_window_remembers_size (void)
{
  g_autoptr(PorticoCatalog) catalog = load_catalog ();
  g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
  PorticoWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  window = create_window (catalog);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);

  gtk_window_set_default_size (GTK_WINDOW (window), 1010, 700);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1010);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  g_assert_finalize_object (window);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides XDG_DATA_DIRS and with it the
   * icon theme, and GTK then warns about every icon. Nothing here writes to
   * the user's folders (GSettings uses the memory backend). */
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* With protocol: 'tap' an exit status of 77 counts as an error. */
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/capability/check", test_capability_check);
  g_test_add_func ("/search/match", test_search_match);
  g_test_add_func ("/window/tabs", test_window_tabs);
  g_test_add_func ("/window/sections", test_window_sections);
  g_test_add_func ("/window/search", test_window_search);
  g_test_add_func ("/window/long-catalog", test_window_long_catalog);
  g_test_add_func ("/window/capabilities", test_window_capabilities);
  g_test_add_func ("/window/open-connector", test_window_open_connector);
  g_test_add_func ("/window/empty-states", test_window_empty_states);
  g_test_add_func ("/window/catalog-problems", test_window_catalog_problems);
  g_test_add_func ("/window/remembers-size", test_window_remembers_size);

  return g_test_run ();
}
