/* test-tile-grid.c: the catalog's tile grid under a real display: it lays
 * tiles out exactly as the homogeneous GtkFlowBox it replaced, makes tiles
 * only near the visible part of a long catalog, and moves the keyboard
 * focus to items that have no tile yet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-tile-grid"

#include "config.h"

#include "display-test-util.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "portico-catalog.h"
#include "portico-catalog-tile.h"
#include "portico-tile-grid.h"

static GtkWidget *
create_tile (gpointer item,
             gpointer user_data)
{
  return portico_catalog_tile_new (item);
}

static void
bind_tile (GtkWidget *tile,
           gpointer   item,
           gboolean   for_size,
           gpointer   user_data)
{
  if (for_size)
    portico_catalog_tile_bind_for_size (PORTICO_CATALOG_TILE (tile), item);
  else
    portico_catalog_tile_set_connector (PORTICO_CATALOG_TILE (tile), item);
}

static gboolean
tile_is_tallest (GtkWidget *tile,
                 gpointer   item,
                 gpointer   user_data)
{
  return portico_catalog_tile_name_wraps (PORTICO_CATALOG_TILE (tile), item);
}

static PorticoCatalog *
load_shipped (void)
{
  PorticoCatalog *catalog = portico_catalog_new ();

  g_assert_cmpuint (portico_catalog_load_dir (catalog, g_getenv ("PORTICO_CONNECTORS_DIR"), FALSE), >, 40);
  return catalog;
}

/* @n connectors: the shipped ones round robin, each with its own id and
 * name, some names long enough to take two lines. */
static GListStore *
generate_connectors (PorticoCatalog *shipped,
                     guint           n)
{
  GListStore *store = g_list_store_new (PORTICO_TYPE_CONNECTOR);
  guint n_shipped = g_list_model_get_n_items (G_LIST_MODEL (shipped));
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PorticoConnector) template = g_list_model_get_item (G_LIST_MODEL (shipped), i % n_shipped);
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(PorticoConnector) connector = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *id = g_strdup_printf ("%s-%u", portico_connector_get_id (template), i);
      g_autofree char *name = g_strdup_printf (i % 7 == 0 ? "%s Enterprise Directory Edition %u" : "%s %u",
                                               portico_connector_get_name (template), i);
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
      connector = portico_connector_new_from_data (text, -1, id, FALSE, &error);
      g_assert_no_error (error);
      g_list_store_append (store, connector);
    }

  return store;
}

static gboolean
frames_passed (gpointer data)
{
  guint *frames = data;

  return *frames >= 3;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* Lets the window draw a few frames and the grid's idle work run. */
static void
settle (GtkWidget *window)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (window, count_frame, &frames, NULL);

  gtk_widget_queue_draw (window);
  g_assert_true (portico_test_wait_until (frames_passed, &frames, 5000));
  gtk_widget_remove_tick_callback (window, id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The tile of the item at @position, or NULL when it has none. */
static GtkWidget *
tile_at (PorticoTileGrid *grid,
         guint            position)
{
  g_autoptr(GPtrArray) tiles = portico_tile_grid_list_tiles (grid);

  for (guint i = 0; i < tiles->len; i++)
    if (portico_tile_grid_get_position (grid, tiles->pdata[i]) == position)
      return tiles->pdata[i];
  return NULL;
}

/* A window of @width with @child in it, drawn. Its minimum width, not its
 * default size, sets the width: the test screen may be narrower. */
static GtkWidget *
present_at_width (GtkWidget *child,
                  int        width)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), width);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), width);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);
  gtk_widget_set_size_request (clamp, width, -1);
  gtk_widget_set_valign (child, GTK_ALIGN_START);
  gtk_window_set_default_size (GTK_WINDOW (window), width, 400);
  gtk_window_set_child (GTK_WINDOW (window), clamp);
  gtk_window_present (GTK_WINDOW (window));
  settle (window);
  return window;
}

/* The same tiles at the same places as in a homogeneous GtkFlowBox set up
 * as the catalog's were, at widths of one to four tiles per line. */
static void
test_tile_grid_like_flow_box (void)
{
  g_autoptr(PorticoCatalog) catalog = load_shipped ();
  g_autoptr(GListStore) store = generate_connectors (catalog, 23);
  static const int widths[] = { 260, 510, 700, 900, 1000, 1100 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      GtkWidget *flow_box = gtk_flow_box_new ();
      GtkWidget *grid = portico_tile_grid_new ();
      GtkWidget *flow_window, *grid_window;
      graphene_rect_t flow_bounds, grid_bounds;
      guint n = 0;

      gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow_box), TRUE);
      gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow_box), GTK_SELECTION_NONE);
      gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow_box), 1);
      gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow_box), 4);
      gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow_box), 12);
      gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow_box), 12);
      gtk_flow_box_bind_model (GTK_FLOW_BOX (flow_box), G_LIST_MODEL (store), create_tile, NULL, NULL);
      portico_tile_grid_set_model (PORTICO_TILE_GRID (grid), G_LIST_MODEL (store),
                                   create_tile, bind_tile, tile_is_tallest, NULL);
      flow_window = present_at_width (flow_box, widths[w]);
      grid_window = present_at_width (grid, widths[w]);

      g_assert_cmpint (gtk_widget_get_width (grid), ==, widths[w]);
      g_assert_cmpint (gtk_widget_get_width (flow_box), ==, widths[w]);
      g_assert_cmpint (gtk_widget_get_height (grid), ==, gtk_widget_get_height (flow_box));
      for (GtkWidget *child = gtk_widget_get_first_child (flow_box);
           child != NULL;
           child = gtk_widget_get_next_sibling (child), n++)
        {
          GtkWidget *flow_tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
          GtkWidget *grid_tile = tile_at (PORTICO_TILE_GRID (grid), n);

          g_assert_nonnull (grid_tile);
          g_assert_true (portico_catalog_tile_get_connector (PORTICO_CATALOG_TILE (grid_tile)) ==
                         portico_catalog_tile_get_connector (PORTICO_CATALOG_TILE (flow_tile)));
          g_assert_true (gtk_widget_compute_bounds (flow_tile, flow_box, &flow_bounds));
          g_assert_true (gtk_widget_compute_bounds (grid_tile, grid, &grid_bounds));
          g_assert_cmpfloat (flow_bounds.origin.x, ==, grid_bounds.origin.x);
          g_assert_cmpfloat (flow_bounds.origin.y, ==, grid_bounds.origin.y);
          g_assert_cmpfloat (flow_bounds.size.width, ==, grid_bounds.size.width);
          g_assert_cmpfloat (flow_bounds.size.height, ==, grid_bounds.size.height);
        }
      g_assert_cmpuint (n, ==, 23);
      g_test_message ("width %d: %u tiles per line, %d high", widths[w],
                      portico_tile_grid_get_columns (PORTICO_TILE_GRID (grid)), gtk_widget_get_height (grid));

      gtk_window_destroy (GTK_WINDOW (flow_window));
      gtk_window_destroy (GTK_WINDOW (grid_window));
    }
}

typedef struct
{
  GtkWidget       *window;
  GtkAdjustment   *adjustment;
  PorticoTileGrid *grid;
  GListStore      *store;
  char            *opened;   /* the id the last activated tile opened */
} LongCatalog;

static void
open_connector (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LongCatalog *fixture = user_data;

  g_free (fixture->opened);
  fixture->opened = g_variant_dup_string (parameter, NULL);
}

static void
long_catalog_open (LongCatalog *fixture,
                   guint        n)
{
  g_autoptr(PorticoCatalog) catalog = load_shipped ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  fixture->store = generate_connectors (catalog, n);
  fixture->grid = PORTICO_TILE_GRID (portico_tile_grid_new ());
  gtk_widget_set_valign (GTK_WIDGET (fixture->grid), GTK_ALIGN_START);
  portico_tile_grid_set_model (fixture->grid, G_LIST_MODEL (fixture->store),
                               create_tile, bind_tile, tile_is_tallest, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (fixture->grid));
  fixture->adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  fixture->window = gtk_window_new ();
  fixture->opened = NULL;
  /* The tiles' buttons activate the integrations page's action. */
  {
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
    g_autoptr(GSimpleAction) action = g_simple_action_new ("open-connector", G_VARIANT_TYPE_STRING);

    g_signal_connect (action, "activate", G_CALLBACK (open_connector), fixture);
    g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    gtk_widget_insert_action_group (fixture->window, "integrations", G_ACTION_GROUP (group));
  }
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 600);
  gtk_window_set_child (GTK_WINDOW (fixture->window), scrolled);
  gtk_window_present (GTK_WINDOW (fixture->window));
  settle (fixture->window);
}

static void
long_catalog_close (LongCatalog *fixture)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->opened, g_free);
}

/* Every tile that exists lies near the visible part: at most a page above
 * and two below (the overscan plus a line). */
static void
assert_tiles_near_view (LongCatalog *fixture)
{
  g_autoptr(GPtrArray) tiles = portico_tile_grid_list_tiles (fixture->grid);
  double top = gtk_adjustment_get_value (fixture->adjustment);
  double page = gtk_adjustment_get_page_size (fixture->adjustment);

  g_assert_cmpuint (tiles->len, >, 0);
  for (guint i = 0; i < tiles->len; i++)
    {
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (tiles->pdata[i], GTK_WIDGET (fixture->grid), &bounds));
      g_assert_cmpfloat (bounds.origin.y + bounds.size.height, >=, top - page);
      g_assert_cmpfloat (bounds.origin.y, <=, top + 3 * page);
    }
}

static void
test_tile_grid_long (void)
{
  LongCatalog fixture;
  g_autoptr(GPtrArray) tiles = NULL;
  guint n = 1000, columns, line_height = 0;
  gboolean some_fill_their_line = FALSE;

  long_catalog_open (&fixture, n);
  columns = portico_tile_grid_get_columns (fixture.grid);
  g_assert_cmpuint (columns, ==, 3);

  /* A few lines of tiles, not a thousand, from the first item on. */
  tiles = portico_tile_grid_list_tiles (fixture.grid);
  g_test_message ("%u of %u items have a tile", tiles->len, n);
  g_assert_cmpuint (tiles->len, <, 100);
  g_assert_nonnull (tile_at (fixture.grid, 0));
  assert_tiles_near_view (&fixture);

  /* The grid is as tall as all its lines. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (fixture.adjustment), >, (n / columns) * 50);

  /* The line height the grid asks for is the tallest natural height of a
   * real tile (a two-line name): the prototype measures what the tiles
   * need. All lines get the same height. */
  {
    int grid_min, grid_nat, tallest = 0;
    guint lines = (n + columns - 1) / columns;

    gtk_widget_measure (GTK_WIDGET (fixture.grid), GTK_ORIENTATION_VERTICAL,
                        gtk_widget_get_width (GTK_WIDGET (fixture.grid)), &grid_min, &grid_nat, NULL, NULL);
    for (guint i = 0; i < tiles->len; i++)
      {
        GtkWidget *cell = gtk_widget_get_parent (tiles->pdata[i]);
        int min, nat;

        gtk_widget_measure (cell, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (cell), &min, &nat, NULL, NULL);
        tallest = MAX (tallest, nat);
        if (line_height == 0)
          line_height = gtk_widget_get_height (cell);
        g_assert_cmpint (gtk_widget_get_height (cell), ==, line_height);
      }
    g_assert_cmpint (grid_nat, ==, (int) lines * tallest + ((int) lines - 1) * 12);
    some_fill_their_line = tallest > 0;
  }
  g_assert_true (some_fill_their_line);
  g_clear_pointer (&tiles, g_ptr_array_unref);

  /* Scrolled to the end: the last items get tiles, the first lose theirs
   * (the window's first focus, on the first tile, would keep it). */
  gtk_window_set_focus (GTK_WINDOW (fixture.window), NULL);
  gtk_adjustment_set_value (fixture.adjustment,
                            gtk_adjustment_get_upper (fixture.adjustment) - gtk_adjustment_get_page_size (fixture.adjustment));
  settle (fixture.window);
  g_assert_null (gtk_root_get_focus (GTK_ROOT (fixture.window)));
  g_assert_nonnull (tile_at (fixture.grid, n - 1));
  g_assert_null (tile_at (fixture.grid, 0));
  tiles = portico_tile_grid_list_tiles (fixture.grid);
  g_assert_cmpuint (tiles->len, <, 100);
  assert_tiles_near_view (&fixture);
  g_clear_pointer (&tiles, g_ptr_array_unref);

  /* Filtering to a few items and back. */
  {
    g_autoptr(GListStore) all = g_object_ref (fixture.store);
    g_autoptr(PorticoConnector) first = g_list_model_get_item (G_LIST_MODEL (all), 0);
    g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < 5; i++)
      g_ptr_array_add (kept, g_list_model_get_item (G_LIST_MODEL (all), i * 100));
    g_list_store_splice (fixture.store, 0, n, kept->pdata, kept->len);
    settle (fixture.window);
    tiles = portico_tile_grid_list_tiles (fixture.grid);
    g_assert_cmpuint (tiles->len, ==, 5);
    for (guint i = 0; i < 5; i++)
      g_assert_true (portico_catalog_tile_get_connector (PORTICO_CATALOG_TILE (tile_at (fixture.grid, i))) == kept->pdata[i]);
    g_clear_pointer (&tiles, g_ptr_array_unref);
  }

  long_catalog_close (&fixture);
}

static GtkWidget *
focused_tile (LongCatalog *fixture)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  return focus != NULL ? gtk_widget_get_ancestor (focus, PORTICO_TYPE_CATALOG_TILE) : NULL;
}

static void
test_tile_grid_keyboard (void)
{
  LongCatalog fixture;
  guint n = 600, columns;
  GtkWidget *tile;
  double value;

  long_catalog_open (&fixture, n);
  columns = portico_tile_grid_get_columns (fixture.grid);

  /* The window gives its first focus to the first tile. */
  tile = focused_tile (&fixture);
  g_assert_nonnull (tile);
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, tile), ==, 0);

  /* Into the grid from outside: its first item's button takes the focus. */
  gtk_window_set_focus (GTK_WINDOW (fixture.window), NULL);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_TAB_FORWARD));
  tile = focused_tile (&fixture);
  g_assert_nonnull (tile);
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, tile), ==, 0);
  g_assert_true (gtk_widget_has_focus (portico_catalog_tile_get_button (PORTICO_CATALOG_TILE (tile))));

  /* Tab and the arrows move by item and by line. */
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_TAB_FORWARD));
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, focused_tile (&fixture)), ==, 1);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_DOWN));
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, focused_tile (&fixture)), ==, 1 + columns);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_LEFT));
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, focused_tile (&fixture)), ==, columns);
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_UP));
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, focused_tile (&fixture)), ==, 0);
  /* Out of the grid at its start. */
  g_assert_false (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_UP));
  g_assert_false (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_TAB_BACKWARD));

  /* Down line by line past the made tiles: each gets its tile and is
   * scrolled into view. */
  g_assert_true (portico_tile_grid_focus_item (fixture.grid, 0));
  for (guint i = 0; i < 30; i++)
    g_assert_true (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_DOWN));
  settle (fixture.window);
  tile = focused_tile (&fixture);
  g_assert_nonnull (tile);
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, tile), ==, 30 * columns);
  value = gtk_adjustment_get_value (fixture.adjustment);
  g_assert_cmpfloat (value, >, 0);
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (tile, GTK_WIDGET (fixture.grid), &bounds));
    g_assert_cmpfloat (bounds.origin.y, >=, value);
    g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, value + gtk_adjustment_get_page_size (fixture.adjustment));
  }
  assert_tiles_near_view (&fixture);

  /* The last item, far from every tile. */
  g_assert_true (portico_tile_grid_focus_item (fixture.grid, n - 1));
  settle (fixture.window);
  tile = focused_tile (&fixture);
  g_assert_nonnull (tile);
  g_assert_cmpuint (portico_tile_grid_get_position (fixture.grid, tile), ==, n - 1);
  g_assert_cmpfloat (gtk_adjustment_get_value (fixture.adjustment), ==,
                     gtk_adjustment_get_upper (fixture.adjustment) - gtk_adjustment_get_page_size (fixture.adjustment));
  g_assert_false (gtk_widget_child_focus (GTK_WIDGET (fixture.grid), GTK_DIR_TAB_FORWARD));
  /* Activating it opens its own connector (a recycled tile opens what it shows). */
  g_signal_emit_by_name (portico_catalog_tile_get_button (PORTICO_CATALOG_TILE (tile)), "clicked");
  {
    g_autoptr(PorticoConnector) last = g_list_model_get_item (G_LIST_MODEL (fixture.store), n - 1);

    g_assert_cmpstr (fixture.opened, ==, portico_connector_get_id (last));
    g_assert_true (portico_catalog_tile_get_connector (PORTICO_CATALOG_TILE (tile)) == last);
  }

  /* The focused tile stays while it scrolls out of sight, also while
   * another window is active (GTK then unsets the focus child). */
  g_assert_true (portico_tile_grid_focus_item (fixture.grid, n - 1));
  {
    GtkWidget *other = gtk_window_new ();

    gtk_window_present (GTK_WINDOW (other));
    settle (other);
    gtk_adjustment_set_value (fixture.adjustment, 0);
    settle (fixture.window);
    g_assert_nonnull (tile_at (fixture.grid, n - 1));
    g_assert_true (focused_tile (&fixture) == tile_at (fixture.grid, n - 1));
    gtk_window_destroy (GTK_WINDOW (other));
  }

  long_catalog_close (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/tile-grid/like-flow-box", test_tile_grid_like_flow_box);
  g_test_add_func ("/tile-grid/long", test_tile_grid_long);
  g_test_add_func ("/tile-grid/keyboard", test_tile_grid_keyboard);

  return g_test_run ();
}
