/* portico-catalog-section.h: a heading and the tiles of one list model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "portico-tile-grid.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CATALOG_SECTION (portico_catalog_section_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCatalogSection, portico_catalog_section, PORTICO, CATALOG_SECTION, GtkWidget)

GtkWidget  *portico_catalog_section_new             (const char            *title,
                                                     GListModel            *model);
const char *portico_catalog_section_get_title       (PorticoCatalogSection *self);
void        portico_catalog_section_set_title       (PorticoCatalogSection *self,
                                                     const char            *title);
/* A GListModel of PorticoConnector, one tile each; nullable. */
GListModel *portico_catalog_section_get_model       (PorticoCatalogSection *self);
void        portico_catalog_section_set_model       (PorticoCatalogSection *self,
                                                     GListModel            *model);
/* Shown instead of tiles when the model is empty; without one, an empty
 * section hides itself. */
const char *portico_catalog_section_get_placeholder (PorticoCatalogSection *self);
void        portico_catalog_section_set_placeholder (PorticoCatalogSection *self,
                                                     const char            *placeholder);
guint       portico_catalog_section_get_n_tiles     (PorticoCatalogSection *self);
/* The tiles: only those near the visible part of the page exist, unless
 * keep-all is set (then every one after the first frame). */
PorticoTileGrid *portico_catalog_section_get_grid   (PorticoCatalogSection *self);
void        portico_catalog_section_set_keep_all_tiles (PorticoCatalogSection *self,
                                                        gboolean               keep_all);

G_END_DECLS
