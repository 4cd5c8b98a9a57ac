/* portico-activity-view.h: the Activity view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_ACTIVITY_VIEW (portico_activity_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoActivityView, portico_activity_view, PORTICO, ACTIVITY_VIEW, GtkWidget)

GtkWidget *portico_activity_view_new (void);

G_END_DECLS
