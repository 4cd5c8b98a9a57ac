/* portico-tile-grid.h: a grid of equal tiles that only makes the tiles
 * that can be seen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_TILE_GRID (portico_tile_grid_get_type ())
G_DECLARE_FINAL_TYPE (PorticoTileGrid, portico_tile_grid, PORTICO, TILE_GRID, GtkWidget)

/* Makes a tile for @item. */
typedef GtkWidget *(*PorticoTileGridCreateFunc) (gpointer item,
                                                 gpointer user_data);
/* Shows @item on a tile that showed another one (a recycled tile). With
 * @for_size TRUE only what decides the tile's size matters; @item is then
 * NULL for "the tallest a tile can be". */
typedef void       (*PorticoTileGridBindFunc)   (GtkWidget *tile,
                                                 gpointer   item,
                                                 gboolean   for_size,
                                                 gpointer   user_data);

/* Whether @item's tile needs as much height as @tile, which is bound to
 * the tallest content and allocated at the width in question. Optional: it
 * spares measuring a tile per item. */
typedef gboolean   (*PorticoTileGridTallestFunc) (GtkWidget *tile,
                                                  gpointer   item,
                                                  gpointer   user_data);

GtkWidget  *portico_tile_grid_new          (void);
void        portico_tile_grid_set_model    (PorticoTileGrid           *self,
                                            GListModel                *model,
                                            PorticoTileGridCreateFunc  create_func,
                                            PorticoTileGridBindFunc    bind_func,
                                            PorticoTileGridTallestFunc tallest_func,
                                            gpointer                   user_data);
GListModel *portico_tile_grid_get_model    (PorticoTileGrid          *self);
/* Whether every item gets its tile (after the first frame) rather than
 * those near the visible part of the scrolled window only. */
void        portico_tile_grid_set_keep_all (PorticoTileGrid          *self,
                                            gboolean                  keep_all);
gboolean    portico_tile_grid_get_keep_all (PorticoTileGrid          *self);
/* The tiles that exist now, in the order of their items; transfer container. */
GPtrArray  *portico_tile_grid_list_tiles   (PorticoTileGrid          *self);
/* The position of @tile's item, or G_MAXUINT. */
guint       portico_tile_grid_get_position (PorticoTileGrid          *self,
                                            GtkWidget                *tile);
/* Makes the tile of the item at @position, scrolls to it and focuses it. */
gboolean    portico_tile_grid_focus_item   (PorticoTileGrid          *self,
                                            guint                     position);
/* Tiles per line in the last allocation. */
guint       portico_tile_grid_get_columns  (PorticoTileGrid          *self);

G_END_DECLS
