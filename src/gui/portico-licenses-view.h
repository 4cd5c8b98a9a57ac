/* portico-licenses-view.h: the Licenses view: per app with a connected account, the seats bought, assigned and inactive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-table-view.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_LICENSES_VIEW (portico_licenses_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoLicensesView, portico_licenses_view, PORTICO, LICENSES_VIEW, GtkWidget)

GtkWidget        *portico_licenses_view_new        (void);
/* Loads the rows from the engine's store, and again whenever accounts
 * change or a sync ends; nullable. */
void              portico_licenses_view_set_engine (PorticoLicensesView *self,
                                               PorticoEngine *engine);
PorticoTableView *portico_licenses_view_get_table  (PorticoLicensesView *self);

G_END_DECLS
