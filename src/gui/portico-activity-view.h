/* portico-activity-view.h: the Activity view: the audit log of every integration event.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-table-view.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_ACTIVITY_VIEW (portico_activity_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoActivityView, portico_activity_view, PORTICO, ACTIVITY_VIEW, GtkWidget)

GtkWidget        *portico_activity_view_new        (void);
/* Loads the rows from the engine's store, and again whenever accounts
 * change or a sync ends; nullable. */
void              portico_activity_view_set_engine (PorticoActivityView *self,
                                               PorticoEngine *engine);
PorticoTableView *portico_activity_view_get_table  (PorticoActivityView *self);

G_END_DECLS
