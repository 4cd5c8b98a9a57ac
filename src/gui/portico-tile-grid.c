/* portico-tile-grid.c: a grid of equal tiles that only makes the tiles
 * that can be seen.
 *
 * The catalog is one scrolled page of sections, each a grid of tiles; with
 * a thousand connectors a GtkFlowBox per section built, styled, measured
 * and drew a thousand tiles before the first frame. This grid lays its
 * items out as a homogeneous, horizontal GtkFlowBox does (the same columns,
 * spacing, widths and line height, and the theme's "flowbox >
 * flowboxchild" style on its cells), but computes its height from the
 * number of items and makes tiles only for the lines near the part of the
 * enclosing GtkViewport that is visible, reusing the tiles that scrolled
 * away. The line height is the tallest any item's tile needs, measured on
 * one prototype tile outside the window (see "The prototype" below).
 *
 * Keyboard focus moves by item position (Tab and the arrows), so it reaches
 * items whose tiles do not exist yet: the grid makes that tile, scrolls to
 * it and focuses it. With keep-all set (a small catalog), every item gets
 * its tile after the first frame, so that screen readers list them all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-tile-grid"

#include "config.h"

#include <adwaita.h>

#include "portico-tile-grid.h"

/* As the catalog's flow boxes were set up. */
#define MIN_PER_LINE    1
#define MAX_PER_LINE    4
#define COLUMN_SPACING 12
#define ROW_SPACING    12
/* Tiles beyond the visible part, in pages above and below it; not for
 * the first frame, which makes only what it shows. */
#define OVERSCAN_ABOVE  0.5
#define OVERSCAN_BELOW  1.0
/* Hidden tiles kept for reuse. */
#define MAX_POOL       64

/* ---- The cell around a tile ------------------------------------------- */

#define PORTICO_TYPE_TILE_GRID_CELL (portico_tile_grid_cell_get_type ())
G_DECLARE_FINAL_TYPE (PorticoTileGridCell, portico_tile_grid_cell, PORTICO, TILE_GRID_CELL, GtkWidget)

struct _PorticoTileGridCell
{
  GtkWidget  parent_instance;

  GObject   *item;      /* NULL while in the pool */
  guint      position;
};

G_DEFINE_FINAL_TYPE (PorticoTileGridCell, portico_tile_grid_cell, GTK_TYPE_WIDGET)

static void
portico_tile_grid_cell_dispose (GObject *object)
{
  PorticoTileGridCell *self = PORTICO_TILE_GRID_CELL (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (portico_tile_grid_cell_parent_class)->dispose (object);
}

static void
portico_tile_grid_cell_class_init (PorticoTileGridCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_tile_grid_cell_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* The theme pads flow box children; the tiles keep that look. */
  gtk_widget_class_set_css_name (widget_class, "flowboxchild");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID_CELL);
}

static void
portico_tile_grid_cell_init (PorticoTileGridCell *self)
{
}

static GtkWidget *
cell_get_tile (PorticoTileGridCell *cell)
{
  return gtk_widget_get_first_child (GTK_WIDGET (cell));
}

/* ---- The grid --------------------------------------------------------- */

struct _PorticoTileGrid
{
  GtkWidget                 parent_instance;

  GListModel               *model;
  PorticoTileGridCreateFunc create_func;
  PorticoTileGridBindFunc   bind_func;
  PorticoTileGridTallestFunc tallest_func;
  gpointer                  user_data;

  GPtrArray                *cells;   /* PorticoTileGridCell with a tile shown, by position */
  GPtrArray                *pool;    /* hidden PorticoTileGridCell to reuse */

  gboolean                  is_prototype;
  gboolean                  heights_valid;
  int                       heights_for;    /* the item width they were measured for */
  guint                     heights_style;  /* and the prototype's style */
  int                       line_min_height;
  int                       line_nat_height;

  /* The last allocation's layout. */
  guint                     columns;
  guint                     first;          /* the items with a tile: [first, end) */
  guint                     end;
  int                       item_width;
  int                       extra_pixels;
  int                       line_height;

  guint                     focus_position;  /* G_MAXUINT: none */
  gboolean                  cells_stale;     /* the model changed since update_cells() */
  GdkFrameClock            *layout_clock;
  gulong                    layout_handler;
  gboolean                  keep_all;
  gboolean                  show_all;
  gboolean                  settled;         /* a frame was drawn: overscan, keep-all */
  guint                     settle_idle;
  GtkAdjustment            *vadjustment;
};

G_DEFINE_FINAL_TYPE (PorticoTileGrid, portico_tile_grid, GTK_TYPE_WIDGET)

GtkWidget *
portico_tile_grid_new (void)
{
  return g_object_new (PORTICO_TYPE_TILE_GRID, NULL);
}

static guint
n_items (PorticoTileGrid *self)
{
  return self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
}

/* ---- The prototype ------------------------------------------------------
 *
 * One unparented grid with one cell, shared by every grid that makes the
 * same tiles (the catalog's sections), re-bound for each measurement so
 * that measuring never touches the window's layout. A tile's size depends
 * on the style, so a new font or resolution makes a new prototype. */

typedef struct
{
  int      width;        /* the item width measured at */
  int      tallest_min;  /* bound to the tallest content */
  int      tallest_nat;
  gboolean plain_valid;
  int      plain_min;    /* bound to an item that is not the tallest */
  int      plain_nat;
} LineHeights;

#define MAX_WIDTHS 4

static struct
{
  PorticoTileGridCreateFunc create_func;
  PorticoTileGridBindFunc   bind_func;
  gpointer                  user_data;
  GtkWidget                *parent;
  PorticoTileGridCell      *cell;
  guint                     style;
  int                       min_width;
  int                       nat_width;
  GArray                   *heights;  /* LineHeights of the last few widths */
} prototype;

static guint n_grids;  /* alive, not counting the prototype's */

static void
prototype_clear (void)
{
  prototype.cell = NULL;
  g_clear_object (&prototype.parent);
  g_clear_pointer (&prototype.heights, g_array_unref);
  prototype.create_func = NULL;
}

/* Bumped when the theme or its variant changes: the prototype, outside
 * the window, does not follow those and its sizes may no longer hold (the
 * high-contrast style draws borders, say). */
static guint theme_generation;

static void
on_theme_changed (void)
{
  theme_generation++;
}

static void
watch_theme (void)
{
  static gboolean watching;

  if (watching)
    return;
  watching = TRUE;
  g_signal_connect (gtk_settings_get_default (), "notify::gtk-theme-name",
                    G_CALLBACK (on_theme_changed), NULL);
  g_signal_connect (adw_style_manager_get_default (), "notify::high-contrast",
                    G_CALLBACK (on_theme_changed), NULL);
  g_signal_connect (adw_style_manager_get_default (), "notify::dark",
                    G_CALLBACK (on_theme_changed), NULL);
}

/* What the prototype's sizes depend on: the font and resolution that the
 * grid's style gives, and the theme. */
static guint
style_key (PorticoTileGrid *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));

  watch_theme ();
  return pango_font_description_hash (pango_context_get_font_description (context)) ^
         (guint) (pango_cairo_context_get_resolution (context) * 64) ^
         (theme_generation * 0x9e3779b9u);
}

static void
prototype_measure (gpointer        item,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural)
{
  prototype.bind_func (cell_get_tile (prototype.cell), item, TRUE, prototype.user_data);
  gtk_widget_measure (GTK_WIDGET (prototype.cell), orientation, for_size,
                      minimum, natural, NULL, NULL);
}

/* A prototype for @self's tiles in @self's style; FALSE without items. */
static gboolean
prototype_ensure (PorticoTileGrid *self)
{
  g_autoptr(GObject) item = NULL;
  GtkWidget *tile;
  guint style;

  if (self->model == NULL || n_items (self) == 0)
    return FALSE;

  style = style_key (self);
  if (prototype.cell != NULL && prototype.create_func == self->create_func && prototype.style == style)
    return TRUE;

  prototype_clear ();
  item = g_list_model_get_item (self->model, 0);
  tile = self->create_func (item, self->user_data);
  prototype.parent = g_object_ref_sink (g_object_new (PORTICO_TYPE_TILE_GRID, NULL));
  PORTICO_TILE_GRID (prototype.parent)->is_prototype = TRUE;
  n_grids--;
  prototype.cell = g_object_new (PORTICO_TYPE_TILE_GRID_CELL, NULL);
  gtk_widget_set_parent (tile, GTK_WIDGET (prototype.cell));
  gtk_widget_set_parent (GTK_WIDGET (prototype.cell), prototype.parent);
  prototype.create_func = self->create_func;
  prototype.bind_func = self->bind_func;
  prototype.user_data = self->user_data;
  prototype.style = style;
  prototype.heights = g_array_new (FALSE, TRUE, sizeof (LineHeights));
  prototype_measure (NULL, GTK_ORIENTATION_HORIZONTAL, -1, &prototype.min_width, &prototype.nat_width);
  return TRUE;
}

/* The heights at @item_width, measured once per width. */
static LineHeights *
prototype_line_heights (int item_width)
{
  LineHeights heights = { item_width, };

  for (guint i = 0; i < prototype.heights->len; i++)
    if (g_array_index (prototype.heights, LineHeights, i).width == item_width)
      return &g_array_index (prototype.heights, LineHeights, i);

  if (prototype.heights->len >= MAX_WIDTHS)
    g_array_remove_index (prototype.heights, 0);
  prototype_measure (NULL, GTK_ORIENTATION_VERTICAL, item_width, &heights.tallest_min, &heights.tallest_nat);
  g_array_append_val (prototype.heights, heights);
  return &g_array_index (prototype.heights, LineHeights, prototype.heights->len - 1);
}

static int
item_min_width (PorticoTileGrid *self)
{
  return prototype_ensure (self) ? prototype.min_width : 0;
}

static int
item_nat_width (PorticoTileGrid *self)
{
  return prototype_ensure (self) ? prototype.nat_width : 0;
}

/* The height of every line: the tallest tile of any item at @item_width.
 * With a tallest function the prototype, bound to the tallest content and
 * allocated at @item_width, answers for each item (the catalog compares a
 * name's width with its label's), and the line is either that tall or as
 * tall as a tile that is not; without one each item's tile is measured,
 * until one needs as much as the tallest content (no other needs more). */
static void
ensure_line_height (PorticoTileGrid *self,
                    int              item_width)
{
  LineHeights *heights;
  gboolean tallest = FALSE;
  guint n = n_items (self);

  if (!prototype_ensure (self))
    {
      self->line_min_height = self->line_nat_height = 0;
      return;
    }
  if (self->heights_valid && self->heights_for == item_width && self->heights_style == prototype.style)
    return;

  self->heights_valid = TRUE;
  self->heights_for = item_width;
  self->heights_style = prototype.style;
  heights = prototype_line_heights (item_width);

  if (self->tallest_func != NULL)
    {
      GtkAllocation allocation = { 0, 0, item_width, heights->tallest_nat };
      int min, nat;

      /* Measured right before it is allocated, as GTK wants. */
      prototype_measure (NULL, GTK_ORIENTATION_VERTICAL, item_width, &min, &nat);
      gtk_widget_size_allocate (GTK_WIDGET (prototype.cell), &allocation, -1);
      for (guint i = 0; i < n && !tallest; i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (self->model, i);

          tallest = self->tallest_func (cell_get_tile (prototype.cell), item, self->user_data);
        }
      if (!tallest && !heights->plain_valid)
        {
          g_autoptr(GObject) item = g_list_model_get_item (self->model, 0);

          prototype_measure (item, GTK_ORIENTATION_VERTICAL, item_width, &heights->plain_min, &heights->plain_nat);
          heights->plain_valid = TRUE;
        }
      self->line_min_height = tallest ? heights->tallest_min : heights->plain_min;
      self->line_nat_height = tallest ? heights->tallest_nat : heights->plain_nat;
      return;
    }

  self->line_min_height = self->line_nat_height = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->model, i);
      int min, nat;

      prototype_measure (item, GTK_ORIENTATION_VERTICAL, item_width, &min, &nat);
      self->line_min_height = MAX (self->line_min_height, min);
      self->line_nat_height = MAX (self->line_nat_height, nat);
      if (self->line_min_height >= heights->tallest_min && self->line_nat_height >= heights->tallest_nat)
        break;
    }
}

/* Items per line at @width, as GtkFlowBox counts them: as many natural
 * widths as fit. */
static guint
line_length (PorticoTileGrid *self,
             int              width)
{
  int nat = item_nat_width (self);
  int length;

  if (nat <= 0)
    return MIN_PER_LINE;

  length = width / (nat + COLUMN_SPACING);
  if (length * COLUMN_SPACING + (length + 1) * nat <= width)
    length++;

  return CLAMP (length, MIN_PER_LINE, MAX_PER_LINE);
}

static int
min_width (PorticoTileGrid *self)
{
  return item_min_width (self) * MIN_PER_LINE + (MIN_PER_LINE - 1) * COLUMN_SPACING;
}

static GtkSizeRequestMode
portico_tile_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
portico_tile_grid_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);
  guint n = n_items (self);
  int width, columns, item_width, lines;

  *minimum = *natural = 0;
  if (n == 0)
    return;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = min_width (self);
      *natural = item_nat_width (self) * MAX_PER_LINE + (MAX_PER_LINE - 1) * COLUMN_SPACING;
      return;
    }

  width = for_size < 0 ? min_width (self) : MAX (for_size, min_width (self));
  columns = line_length (self, width);
  item_width = (width - (columns - 1) * COLUMN_SPACING) / columns;
  ensure_line_height (self, item_width);
  lines = (n + columns - 1) / columns;
  *minimum = self->line_min_height * lines + (lines - 1) * ROW_SPACING;
  *natural = self->line_nat_height * lines + (lines - 1) * ROW_SPACING;
}

static PorticoTileGridCell *
take_cell (PorticoTileGrid *self,
           GObject         *item)
{
  PorticoTileGridCell *cell;

  if (self->pool->len > 0)
    {
      cell = g_ptr_array_steal_index (self->pool, self->pool->len - 1);
      self->bind_func (cell_get_tile (cell), item, FALSE, self->user_data);
      gtk_widget_set_visible (GTK_WIDGET (cell), TRUE);
    }
  else
    {
      cell = g_object_new (PORTICO_TYPE_TILE_GRID_CELL, NULL);
      gtk_widget_set_parent (self->create_func (item, self->user_data), GTK_WIDGET (cell));
      gtk_widget_set_parent (GTK_WIDGET (cell), GTK_WIDGET (self));
    }
  g_set_object (&cell->item, item);
  return cell;
}

static void
release_cell (PorticoTileGrid     *self,
              PorticoTileGridCell *cell)
{
  g_clear_object (&cell->item);
  if (self->pool->len >= MAX_POOL)
    {
      gtk_widget_unparent (GTK_WIDGET (cell));
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (cell), FALSE);
  g_ptr_array_add (self->pool, cell);
}

static void
show_position (PorticoTileGrid *self,
               guint            position,
               GHashTable      *by_item,
               GPtrArray       *cells)
{
  g_autoptr(GObject) item = g_list_model_get_item (self->model, position);
  PorticoTileGridCell *cell = g_hash_table_lookup (by_item, item);

  if (cell != NULL)
    g_hash_table_remove (by_item, item);
  else
    cell = take_cell (self, item);
  cell->position = position;
  g_ptr_array_add (cells, cell);
}

/* Shows the items in [@first, @end) and the one at @pinned (G_MAXUINT for none), reusing the tile
 * that shows the same item where there is one, and keeps the cells in the
 * order of their items (Tab order, screen readers). */
static gboolean
update_cells (PorticoTileGrid *self,
              guint            first,
              guint            end,
              guint            pinned)
{
  gboolean changed = FALSE;
  g_autoptr(GHashTable) by_item = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  GtkWidget *previous = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n = n_items (self);

  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);

      g_hash_table_insert (by_item, cell->item, cell);
    }

  end = MIN (end, n);
  first = MIN (first, end);
  if (pinned < first)
    show_position (self, pinned, by_item, cells);
  for (guint position = first; position < end; position++)
    show_position (self, position, by_item, cells);
  if (pinned >= end && pinned < n)
    show_position (self, pinned, by_item, cells);

  g_hash_table_iter_init (&iter, by_item);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      release_cell (self, value);
      changed = TRUE;
    }

  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);

      if (gtk_widget_get_prev_sibling (cell) != previous)
        {
          gtk_widget_insert_after (cell, GTK_WIDGET (self), previous);
          changed = TRUE;
        }
      previous = cell;
    }

  changed = changed || cells->len != self->cells->len;
  for (guint i = 0; !changed && i < cells->len; i++)
    changed = g_ptr_array_index (cells, i) != g_ptr_array_index (self->cells, i);

  g_ptr_array_set_size (self->cells, 0);
  g_ptr_array_extend_and_steal (self->cells, g_steal_pointer (&cells));
  self->cells_stale = FALSE;
  return changed;
}

/* The item whose tile has the keyboard focus: it keeps its tile while it
 * scrolls out of sight. G_MAXUINT for none. */
static guint
pinned_position (PorticoTileGrid *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (self->focus_position == G_MAXUINT || focus == NULL)
    return G_MAXUINT;
  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);

      if (cell->position == self->focus_position)
        return gtk_widget_is_ancestor (focus, GTK_WIDGET (cell)) ? self->focus_position : G_MAXUINT;
    }
  return G_MAXUINT;
}

/* Whether the tiles are those update_cells() would make for the range. */
static gboolean
cells_match (PorticoTileGrid *self,
             guint            first,
             guint            end)
{
  guint n = n_items (self);
  guint expected = end - first;
  guint pinned = pinned_position (self);

  if (self->cells_stale)
    return FALSE;
  if (pinned < n && (pinned < first || pinned >= end))
    expected++;
  if (self->cells->len != expected)
    return FALSE;
  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);

      if ((cell->position < first || cell->position >= end) && cell->position != pinned)
        return FALSE;
    }
  return TRUE;
}

static void
cell_allocation (PorticoTileGrid *self,
                 guint            position,
                 GtkAllocation   *allocation)
{
  guint column = position % self->columns;
  guint line = position / self->columns;

  allocation->x = column * (self->item_width + COLUMN_SPACING) + MIN ((int) column, self->extra_pixels);
  allocation->y = line * (self->line_height + ROW_SPACING);
  allocation->width = self->item_width + ((int) column < self->extra_pixels ? 1 : 0);
  allocation->height = self->line_height;
  if (gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL)
    allocation->x = gtk_widget_get_width (GTK_WIDGET (self)) - allocation->x - allocation->width;
}

static void on_adjustment_changed (PorticoTileGrid *self);

static void
watch_adjustment (PorticoTileGrid *self,
                  GtkAdjustment   *adjustment)
{
  if (self->vadjustment == adjustment)
    return;

  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, on_adjustment_changed, self);
  g_set_object (&self->vadjustment, adjustment);
  if (adjustment != NULL)
    {
      g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_adjustment_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_adjustment_changed),
                               self, G_CONNECT_SWAPPED);
    }
}

/* The part of the grid, in its own coordinates, that the enclosing
 * viewport shows; FALSE outside a viewport (then every tile is made). It
 * is computed from the adjustment and the grid's place in the viewport's
 * content, which scrolling does not change: when the adjustment reports a
 * scroll, the content has not been moved yet. */
static gboolean
visible_range (PorticoTileGrid *self,
               double          *top,
               double          *bottom)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_VIEWPORT);
  GtkWidget *content = viewport != NULL ? gtk_viewport_get_child (GTK_VIEWPORT (viewport)) : NULL;
  GtkAdjustment *adjustment = viewport != NULL ? gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (viewport)) : NULL;
  graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0);

  watch_adjustment (self, adjustment);
  if (content == NULL || adjustment == NULL)
    return FALSE;
  if (content != GTK_WIDGET (self) &&
      !gtk_widget_compute_point (GTK_WIDGET (self), content, &GRAPHENE_POINT_INIT (0, 0), &origin))
    return FALSE;

  *top = gtk_adjustment_get_value (adjustment) - origin.y;
  *bottom = *top + gtk_adjustment_get_page_size (adjustment);
  return TRUE;
}

static void
stop_relayout (PorticoTileGrid *self)
{
  if (self->layout_clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->layout_clock);
  g_clear_object (&self->layout_clock);
}

static void compute_range (PorticoTileGrid *self, int width, int height, guint *first, guint *end);

/* After the window's layout: make, reuse or hide tiles for the range the
 * allocation found. Done here rather than in size_allocate: a tile added,
 * shown, hidden or re-bound there queues a resize that GTK does not take
 * up while our ancestors are being allocated, and the frame would skip the
 * grid ("without a current allocation"). Here the resize reaches the
 * window, whose layout runs again before the frame is painted (the frame
 * clock repeats its layout phase), and that allocation changes no tile. */
static void
on_after_layout (GdkFrameClock   *clock,
                 PorticoTileGrid *self)
{
  guint first, end;

  stop_relayout (self);
  if (self->columns > 0)
    compute_range (self, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)),
                   &first, &end);
  else
    first = end = 0;
  self->first = first;
  self->end = end;
  if (update_cells (self, first, end, pinned_position (self)))
    gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
relayout_after_layout (PorticoTileGrid *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL)
    return;
  if (self->layout_handler == 0)
    {
      self->layout_clock = g_object_ref (clock);
      self->layout_handler = g_signal_connect_after (clock, "layout", G_CALLBACK (on_after_layout), self);
    }
  /* Within the layout phase this makes the clock run it again. */
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_LAYOUT);
}

/* The items whose tiles should exist: the lines near the visible part of
 * the enclosing viewport, or every item when there is none or keep-all. */
static void
compute_range (PorticoTileGrid *self,
               int              width,
               int              height,
               guint           *first,
               guint           *end)
{
  guint n = n_items (self);
  double top, bottom;

  *first = 0;
  *end = n;
  if (!self->show_all && self->columns > 0 && visible_range (self, &top, &bottom))
    {
      double page = bottom - top;
      int stride = MAX (1, self->line_height + ROW_SPACING);
      double from = MAX (0, top - (self->settled ? OVERSCAN_ABOVE * page : 0));
      double to = bottom + (self->settled ? OVERSCAN_BELOW * page : 0);

      if (to <= 0 || from >= height)
        *first = *end = 0;
      else
        {
          *first = MIN (n, (guint) (from / stride) * self->columns);
          *end = MIN (n, ((guint) (to / stride) + 1) * self->columns);
        }
    }
}

/* Scrolling (also the viewport's own adjustments while it lays out)
 * changes which lines are near the visible part. */
static void
on_adjustment_changed (PorticoTileGrid *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  guint first, end;

  if (self->show_all || clock == NULL)
    return;
  compute_range (self, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)),
                 &first, &end);
  if (first == self->first && end == self->end)
    return;
  relayout_after_layout (self);
}

static void
portico_tile_grid_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);
  guint n = n_items (self);
  guint lines, first, end;

  if (n == 0)
    {
      self->columns = 0;
      if (self->cells->len > 0)
        relayout_after_layout (self);
      return;
    }

  self->columns = line_length (self, width);
  self->item_width = (width - ((int) self->columns - 1) * COLUMN_SPACING) / (int) self->columns;
  self->extra_pixels = width - ((int) self->columns - 1) * COLUMN_SPACING - self->item_width * (int) self->columns;
  ensure_line_height (self, self->item_width);
  lines = (n + self->columns - 1) / self->columns;
  /* Lines are aligned to the start: never taller than a tile needs. */
  self->line_height = MIN ((height - ((int) lines - 1) * ROW_SPACING) / (int) lines, self->line_nat_height);

  compute_range (self, width, height, &first, &end);
  self->first = first;
  self->end = end;

  if (!cells_match (self, first, end))
    relayout_after_layout (self);

  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);
      GtkAllocation allocation;

      cell_allocation (self, cell->position, &allocation);
      gtk_widget_size_allocate (GTK_WIDGET (cell), &allocation, -1);
    }
}

static void
portico_tile_grid_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);

  for (guint i = 0; i < self->cells->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->cells, i), snapshot);
}

static PorticoTileGridCell *
find_cell (PorticoTileGrid *self,
           guint            position)
{
  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);

      if (cell->position == position)
        return cell;
    }
  return NULL;
}

static void
scroll_to_position (PorticoTileGrid *self,
                    guint            position)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_VIEWPORT);
  GtkWidget *content = viewport != NULL ? gtk_viewport_get_child (GTK_VIEWPORT (viewport)) : NULL;
  GtkAdjustment *adjustment;
  GtkAllocation allocation;
  graphene_point_t point;

  if (content == NULL || self->columns == 0)
    return;

  cell_allocation (self, position, &allocation);
  if (!gtk_widget_compute_point (GTK_WIDGET (self), content,
                                 &GRAPHENE_POINT_INIT (0, allocation.y), &point))
    return;
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (viewport));
  gtk_adjustment_clamp_page (adjustment, point.y, point.y + allocation.height);
}

gboolean
portico_tile_grid_focus_item (PorticoTileGrid *self,
                              guint            position)
{
  PorticoTileGridCell *cell;
  GtkRoot *root;
  GtkWidget *focus;
  gboolean focused;

  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), FALSE);

  if (position >= n_items (self))
    return FALSE;

  self->focus_position = position;
  cell = find_cell (self, position);
  if (cell == NULL)
    {
      (void) update_cells (self, self->first, self->end, position);
      cell = find_cell (self, position);
      g_assert (cell != NULL);
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }

  /* Placed at once (a new or reused tile may not be yet), so that the
   * viewport's scroll-to-focus and a screen reader see it where it will be
   * drawn. */
  if (self->columns > 0)
    {
      GtkAllocation allocation;
      int min, nat;

      cell_allocation (self, position, &allocation);
      gtk_widget_measure (GTK_WIDGET (cell), GTK_ORIENTATION_VERTICAL, allocation.width, &min, &nat, NULL, NULL);
      gtk_widget_size_allocate (GTK_WIDGET (cell), &allocation, -1);
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  focused = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (cell));
  if (!focused)
    {
      /* The viewport would animate to the tile from its last layout's
       * positions, which our scrolling since has made stale: we scroll. */
      GtkWidget *viewport = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_VIEWPORT);
      gboolean scroll_to_focus = viewport != NULL && gtk_viewport_get_scroll_to_focus (GTK_VIEWPORT (viewport));

      if (scroll_to_focus)
        gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), FALSE);
      focused = gtk_widget_child_focus (GTK_WIDGET (cell), GTK_DIR_TAB_FORWARD);
      if (scroll_to_focus)
        gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), TRUE);
    }
  scroll_to_position (self, position);
  return focused;
}

/* Focus moves by item position, to items without a tile too. */
static gboolean
portico_tile_grid_focus (GtkWidget        *widget,
                         GtkDirectionType  direction)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);
  GtkWidget *focus_child;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  guint n = n_items (self);
  guint columns = MAX (self->columns, 1);
  guint position, target;

  if (n == 0)
    return FALSE;

  /* The cell that holds the window's focus, found from the focus itself:
   * GTK can leave a stale focus child (it keeps it when the focus is unset). */
  focus_child = NULL;
  for (GtkWidget *w = focus; w != NULL && w != widget; w = gtk_widget_get_parent (w))
    if (gtk_widget_get_parent (w) == widget)
      focus_child = w;

  if (focus_child == NULL)
    {
      gboolean backwards = direction == GTK_DIR_TAB_BACKWARD || direction == GTK_DIR_UP ||
                           direction == GTK_DIR_LEFT;

      return portico_tile_grid_focus_item (self, backwards ? n - 1 : 0);
    }

  if (gtk_widget_child_focus (focus_child, direction))
    return TRUE;
  if (!PORTICO_IS_TILE_GRID_CELL (focus_child))
    return FALSE;

  position = PORTICO_TILE_GRID_CELL (focus_child)->position;
  switch (direction)
    {
    case GTK_DIR_TAB_FORWARD:
      target = position + 1;
      break;
    case GTK_DIR_TAB_BACKWARD:
      target = position - 1;  /* G_MAXUINT from 0: out of the grid */
      break;
    case GTK_DIR_RIGHT:
    case GTK_DIR_LEFT:
      if ((direction == GTK_DIR_RIGHT) == (gtk_widget_get_direction (widget) != GTK_TEXT_DIR_RTL))
        target = position + 1;
      else
        target = position - 1;
      break;
    case GTK_DIR_DOWN:
      target = position + columns;
      break;
    case GTK_DIR_UP:
      target = position >= columns ? position - columns : G_MAXUINT;
      break;
    default:
      g_assert_not_reached ();
    }

  if (target >= n)
    return FALSE;
  return portico_tile_grid_focus_item (self, target);
}

static void
portico_tile_grid_set_focus_child (GtkWidget *widget,
                                   GtkWidget *child)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);

  GTK_WIDGET_CLASS (portico_tile_grid_parent_class)->set_focus_child (widget, child);

  /* The focused tile stays while it scrolls out of sight. The focus child
   * is also unset when the window stops being active (another window took
   * the focus), while the window's focus stays: pinned_position() checks
   * that the focus is still in the tile, so that is not forgotten here. */
  if (PORTICO_IS_TILE_GRID_CELL (child))
    self->focus_position = PORTICO_TILE_GRID_CELL (child)->position;
}

static gboolean
settle_cb (gpointer user_data)
{
  PorticoTileGrid *self = user_data;

  self->settle_idle = 0;
  self->settled = TRUE;
  self->show_all = self->keep_all;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
portico_tile_grid_map (GtkWidget *widget)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);

  GTK_WIDGET_CLASS (portico_tile_grid_parent_class)->map (widget);

  /* After the first frame: the idle runs after the frame clock's paint. */
  if (!self->settled && self->settle_idle == 0)
    self->settle_idle = g_idle_add_full (G_PRIORITY_LOW, settle_cb, self, NULL);
}

static void
portico_tile_grid_unmap (GtkWidget *widget)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (widget);

  g_clear_handle_id (&self->settle_idle, g_source_remove);
  stop_relayout (self);

  GTK_WIDGET_CLASS (portico_tile_grid_parent_class)->unmap (widget);
}

static void
portico_tile_grid_unroot (GtkWidget *widget)
{
  watch_adjustment (PORTICO_TILE_GRID (widget), NULL);

  GTK_WIDGET_CLASS (portico_tile_grid_parent_class)->unroot (widget);
}

static void
remove_all_cells (PorticoTileGrid *self)
{
  GtkWidget *child;

  g_ptr_array_set_size (self->cells, 0);
  g_ptr_array_set_size (self->pool, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
}

static void
on_items_changed (PorticoTileGrid *self,
                  guint            position,
                  guint            removed,
                  guint            added,
                  GListModel      *model)
{
  if (self->focus_position != G_MAXUINT && self->focus_position >= position)
    {
      if (self->focus_position < position + removed)
        self->focus_position = G_MAXUINT;
      else
        self->focus_position = self->focus_position - removed + added;
    }
  for (guint i = 0; i < self->cells->len; i++)
    {
      PorticoTileGridCell *cell = g_ptr_array_index (self->cells, i);

      if (cell->position >= position + removed)
        cell->position = cell->position - removed + added;
    }

  /* The tallest item may have gone or come. */
  self->heights_valid = FALSE;
  self->cells_stale = TRUE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
portico_tile_grid_set_model (PorticoTileGrid           *self,
                             GListModel                *model,
                             PorticoTileGridCreateFunc  create_func,
                             PorticoTileGridBindFunc    bind_func,
                             PorticoTileGridTallestFunc tallest_func,
                             gpointer                   user_data)
{
  g_return_if_fail (PORTICO_IS_TILE_GRID (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));
  g_return_if_fail (model == NULL || (create_func != NULL && bind_func != NULL));

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  remove_all_cells (self);
  self->heights_valid = FALSE;

  g_set_object (&self->model, model);
  self->create_func = create_func;
  self->bind_func = bind_func;
  self->tallest_func = tallest_func;
  self->user_data = user_data;
  self->focus_position = G_MAXUINT;

  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self,
                             G_CONNECT_SWAPPED);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GListModel *
portico_tile_grid_get_model (PorticoTileGrid *self)
{
  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), NULL);

  return self->model;
}

void
portico_tile_grid_set_keep_all (PorticoTileGrid *self,
                                gboolean         keep_all)
{
  g_return_if_fail (PORTICO_IS_TILE_GRID (self));

  keep_all = !!keep_all;
  if (self->keep_all == keep_all)
    return;

  self->keep_all = keep_all;
  if (self->settled)
    {
      self->show_all = keep_all;
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

gboolean
portico_tile_grid_get_keep_all (PorticoTileGrid *self)
{
  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), FALSE);

  return self->keep_all;
}

GPtrArray *
portico_tile_grid_list_tiles (PorticoTileGrid *self)
{
  GPtrArray *tiles;

  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), NULL);

  tiles = g_ptr_array_sized_new (self->cells->len);
  for (guint i = 0; i < self->cells->len; i++)
    g_ptr_array_add (tiles, cell_get_tile (g_ptr_array_index (self->cells, i)));
  return tiles;
}

guint
portico_tile_grid_get_position (PorticoTileGrid *self,
                                GtkWidget       *tile)
{
  GtkWidget *cell;

  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), G_MAXUINT);
  g_return_val_if_fail (GTK_IS_WIDGET (tile), G_MAXUINT);

  cell = gtk_widget_get_parent (tile);
  if (!PORTICO_IS_TILE_GRID_CELL (cell) || gtk_widget_get_parent (cell) != GTK_WIDGET (self) ||
      PORTICO_TILE_GRID_CELL (cell)->item == NULL)
    return G_MAXUINT;
  return PORTICO_TILE_GRID_CELL (cell)->position;
}

guint
portico_tile_grid_get_columns (PorticoTileGrid *self)
{
  g_return_val_if_fail (PORTICO_IS_TILE_GRID (self), 0);

  return self->columns;
}

static void
portico_tile_grid_dispose (GObject *object)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (object);

  g_clear_handle_id (&self->settle_idle, g_source_remove);
  stop_relayout (self);
  watch_adjustment (self, NULL);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  remove_all_cells (self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (portico_tile_grid_parent_class)->dispose (object);
}

static void
portico_tile_grid_finalize (GObject *object)
{
  PorticoTileGrid *self = PORTICO_TILE_GRID (object);

  g_clear_pointer (&self->cells, g_ptr_array_unref);
  g_clear_pointer (&self->pool, g_ptr_array_unref);

  /* The prototype holds a tile of some grid's item: it goes with the last grid. */
  if (!self->is_prototype && --n_grids == 0)
    prototype_clear ();

  G_OBJECT_CLASS (portico_tile_grid_parent_class)->finalize (object);
}

static void
portico_tile_grid_class_init (PorticoTileGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_tile_grid_dispose;
  object_class->finalize = portico_tile_grid_finalize;

  widget_class->get_request_mode = portico_tile_grid_get_request_mode;
  widget_class->measure = portico_tile_grid_measure;
  widget_class->size_allocate = portico_tile_grid_size_allocate;
  widget_class->snapshot = portico_tile_grid_snapshot;
  widget_class->focus = portico_tile_grid_focus;
  widget_class->set_focus_child = portico_tile_grid_set_focus_child;
  widget_class->map = portico_tile_grid_map;
  widget_class->unmap = portico_tile_grid_unmap;
  widget_class->unroot = portico_tile_grid_unroot;

  /* The theme's flow box style for the cells ("flowbox > flowboxchild"). */
  gtk_widget_class_set_css_name (widget_class, "flowbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
portico_tile_grid_init (PorticoTileGrid *self)
{
  self->cells = g_ptr_array_new ();
  self->pool = g_ptr_array_new ();
  self->focus_position = G_MAXUINT;
  n_grids++;
}
