/* portico-catalog-tile.h: one integration of the catalog, as a tile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-connector.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CATALOG_TILE (portico_catalog_tile_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCatalogTile, portico_catalog_tile, PORTICO, CATALOG_TILE, GtkWidget)

/* Clicking the tile activates `integrations.open-connector` with the
 * connector id, an action its page installs. */
GtkWidget        *portico_catalog_tile_new           (PorticoConnector   *connector);
PorticoConnector *portico_catalog_tile_get_connector (PorticoCatalogTile *self);
/* Shows another connector on the same tile (the catalog reuses tiles). */
void              portico_catalog_tile_set_connector (PorticoCatalogTile *self,
                                                      PorticoConnector   *connector);
/* Gives the tile @connector's size, for measuring only: its texts and
 * nothing else; NULL for the tallest a tile can be. */
void              portico_catalog_tile_bind_for_size (PorticoCatalogTile *self,
                                                      PorticoConnector   *connector);
/* Whether @connector's name needs a second line in this tile as allocated. */
gboolean          portico_catalog_tile_name_wraps    (PorticoCatalogTile *self,
                                                      PorticoConnector   *connector);
GtkWidget        *portico_catalog_tile_get_button    (PorticoCatalogTile *self);

/* The icon a connector shows: its own when the theme has it, else a generic one. */
/* Shows the connector's own icon when the theme has it, else its initials
 * on a colour of its own, so that no two apps look alike in a grid. */
void portico_connector_avatar_setup (AdwAvatar        *avatar,
                                     PorticoConnector *connector);
const char *portico_connector_icon_or_fallback (PorticoConnector *connector,
                                                GdkDisplay       *display);
/* The image of a custom connector's icon chosen from a file, which its
 * definition carries as "data:image/png;base64,…"; NULL for an icon name
 * or a broken image. transfer full. */
GdkTexture *portico_icon_texture_from_data_uri (const char *icon);

G_END_DECLS
