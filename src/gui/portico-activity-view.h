/* portico-activity-view.h: the Activity view: the audit log of every integration event.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_ACTIVITY_VIEW (portico_activity_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoActivityView, portico_activity_view, PORTICO, ACTIVITY_VIEW, GtkWidget)

GtkWidget  *portico_activity_view_new         (void);
/* Loads the events from the engine's store, and again whenever accounts
 * change or a sync ends. */
void        portico_activity_view_set_engine  (PorticoActivityView *self,
                                               PorticoEngine       *engine);
void        portico_activity_view_reload      (PorticoActivityView *self);
gboolean    portico_activity_view_is_loading  (PorticoActivityView *self);
/* The events as shown (filtered), newest first. */
GListModel *portico_activity_view_get_model   (PorticoActivityView *self);
/* The sentence of a shown event. */
const char *portico_activity_view_get_summary (PorticoActivityView *self,
                                               guint                position);
/* Shows only @account_id's events (0 = all) of @kind (NULL = all). */
void        portico_activity_view_set_filter  (PorticoActivityView *self,
                                               gint64               account_id,
                                               const char          *kind);

G_END_DECLS
