/* portico-workflows-view.h: the Workflows view: each workflow, whether it is still valid and why not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-table-view.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_WORKFLOWS_VIEW (portico_workflows_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoWorkflowsView, portico_workflows_view, PORTICO, WORKFLOWS_VIEW, GtkWidget)

GtkWidget        *portico_workflows_view_new        (void);
/* Loads the rows from the engine's store, and again whenever accounts
 * change or a sync ends; nullable. */
void              portico_workflows_view_set_engine (PorticoWorkflowsView *self,
                                               PorticoEngine *engine);
PorticoTableView *portico_workflows_view_get_table  (PorticoWorkflowsView *self);
/* Invalid workflows are listed above the table, each with an account to
 * re-point it to and Delete; both go through the engine. */
void              portico_workflows_view_reload_invalid (PorticoWorkflowsView *self);
gboolean          portico_workflows_view_is_loading     (PorticoWorkflowsView *self);
GtkListBox       *portico_workflows_view_get_invalid_list (PorticoWorkflowsView *self);

G_END_DECLS
