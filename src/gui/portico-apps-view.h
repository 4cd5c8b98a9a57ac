/* portico-apps-view.h: the Apps view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_APPS_VIEW (portico_apps_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoAppsView, portico_apps_view, PORTICO, APPS_VIEW, GtkWidget)

GtkWidget *portico_apps_view_new (void);

G_END_DECLS
