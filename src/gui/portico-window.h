/* portico-window.h: the main window: a sidebar of views and their content.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-catalog.h"
#include "portico-integrations-page.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_WINDOW (portico_window_get_type ())
G_DECLARE_FINAL_TYPE (PorticoWindow, portico_window, PORTICO, WINDOW, AdwApplicationWindow)

/* @application: nullable (widget tests run without one). */
PorticoWindow           *portico_window_new                  (GtkApplication *application,
                                                              PorticoCatalog *catalog);
PorticoCatalog          *portico_window_get_catalog          (PorticoWindow  *self);
gboolean                 portico_window_get_demo             (PorticoWindow  *self);
void                     portico_window_set_demo             (PorticoWindow  *self,
                                                              gboolean        demo);
PorticoIntegrationsPage *portico_window_get_integrations_page (PorticoWindow *self);
/* The views: "integrations", "apps", "users", "licenses", "workflows", "activity". */
AdwViewStack            *portico_window_get_view_stack       (PorticoWindow  *self);
void                     portico_window_show_view            (PorticoWindow  *self,
                                                              const char     *view_name);

G_END_DECLS
