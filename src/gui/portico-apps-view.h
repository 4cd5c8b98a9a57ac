/* portico-apps-view.h: the Apps view: every app Portico knows of, with its users and where it was discovered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-table-view.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_APPS_VIEW (portico_apps_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoAppsView, portico_apps_view, PORTICO, APPS_VIEW, GtkWidget)

GtkWidget        *portico_apps_view_new        (void);
/* Loads the rows from the engine's store, and again whenever accounts
 * change or a sync ends; nullable. */
void              portico_apps_view_set_engine (PorticoAppsView *self,
                                               PorticoEngine *engine);
PorticoTableView *portico_apps_view_get_table  (PorticoAppsView *self);

G_END_DECLS
