/* portico-catalog.h: every connector Portico knows, shipped and custom.
 *
 * A GListModel of PorticoConnector sorted by category rank then name. Broken
 * files do not stop the load: each one becomes a problem (a GError naming the
 * file and the field) and the rest of the catalog is still there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-connector.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CATALOG (portico_catalog_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCatalog, portico_catalog, PORTICO, CATALOG, GObject)

PorticoCatalog *portico_catalog_new (void);

/* Loads the shipped connectors ($PORTICO_CONNECTORS_DIR, else the source tree
 * when running uninstalled, else the installed folder) and then the custom
 * ones in $XDG_DATA_HOME/portico/connectors. */
void portico_catalog_load_default (PorticoCatalog *self);
/* Loads every *.json in @dir; returns the number loaded. */
guint portico_catalog_load_dir (PorticoCatalog *self,
                                const char     *dir,
                                gboolean        is_custom);
gboolean portico_catalog_add (PorticoCatalog   *self,
                              PorticoConnector *connector);
/* Takes a custom connector out (a deleted file); shipped ones stay.
 * Returns whether one was removed. */
gboolean portico_catalog_remove (PorticoCatalog *self,
                                 const char     *connector_id);

PorticoConnector *portico_catalog_lookup (PorticoCatalog *self,
                                          const char     *connector_id); /* transfer none */
/* element-type GError, transfer none */
GPtrArray *portico_catalog_get_problems (PorticoCatalog *self);

char *portico_catalog_get_user_dir (void);
/* The text of a shipped template for custom connectors ("scim-2.0.json"). */
#define PORTICO_TEMPLATE_SCIM "scim-2.0.json"
char *portico_catalog_dup_template (const char *name,
                                    GError    **error);

G_END_DECLS
