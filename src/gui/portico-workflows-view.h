/* portico-workflows-view.h: the Workflows view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_WORKFLOWS_VIEW (portico_workflows_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoWorkflowsView, portico_workflows_view, PORTICO, WORKFLOWS_VIEW, GtkWidget)

GtkWidget *portico_workflows_view_new (void);

G_END_DECLS
