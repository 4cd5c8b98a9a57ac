/* portico-users-view.h: the Users view: every person, the apps they use and who reported it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-table-view.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_USERS_VIEW (portico_users_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoUsersView, portico_users_view, PORTICO, USERS_VIEW, GtkWidget)

GtkWidget        *portico_users_view_new        (void);
/* Loads the rows from the engine's store, and again whenever accounts
 * change or a sync ends; nullable. */
void              portico_users_view_set_engine (PorticoUsersView *self,
                                               PorticoEngine *engine);
PorticoTableView *portico_users_view_get_table  (PorticoUsersView *self);

G_END_DECLS
