/* portico-users-view.h: the Users view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_USERS_VIEW (portico_users_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoUsersView, portico_users_view, PORTICO, USERS_VIEW, GtkWidget)

GtkWidget *portico_users_view_new (void);

G_END_DECLS
