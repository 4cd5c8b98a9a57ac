/* portico-window.h: the main window: a sidebar of views and their content.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-catalog.h"
#include "portico-engine.h"
#include "portico-integrations-page.h"
#include "portico-sandbox-server.h"
#include "portico-scheduler.h"

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
/* The engine every view reads from, and the scheduler of its syncs; set
 * from the PorticoApplication when the window has one, else by tests.
 * nullable. */
PorticoEngine           *portico_window_get_engine           (PorticoWindow  *self);
void                     portico_window_set_engine           (PorticoWindow  *self,
                                                              PorticoEngine  *engine);
/* The scheduler of automatic syncs (nullable: no engine yet). */
PorticoScheduler        *portico_window_get_scheduler        (PorticoWindow  *self);
/* Shows a view by name, or a tab of the Integrations page ("all",
 * "recommended", "attention"); portico --view. */
void                     portico_window_show_named_view      (PorticoWindow  *self,
                                                              const char     *name);
/* Shows the account's tile and its details (a notification's Show). */
void                     portico_window_show_account         (PorticoWindow  *self,
                                                              gint64          account_id);
/* Whether the person sees @account_id right now: the window is in front on
 * the Integrations page's tiles or Needs attention, or the account's details
 * are in front. A notification would then only repeat what they see. */
gboolean                 portico_window_shows_account        (PorticoWindow  *self,
                                                              gint64          account_id);
/* Syncs every account now (app.sync-all, the desktop's "Sync All"). */
void                     portico_window_sync_all             (PorticoWindow  *self);
void                     portico_window_set_sandbox          (PorticoWindow  *self,
                                                              PorticoSandbox *sandbox);
/* Shows @error (the database could not be opened) instead of the views. */
void                     portico_window_show_startup_error   (PorticoWindow  *self,
                                                              const GError   *error);
/* The view widget of "apps", "users", "licenses", "workflows", "activity". */
GtkWidget               *portico_window_get_view             (PorticoWindow  *self,
                                                              const char     *view_name);
/* The views: "integrations", "apps", "users", "licenses", "workflows", "activity". */
AdwViewStack            *portico_window_get_view_stack       (PorticoWindow  *self);
void                     portico_window_show_view            (PorticoWindow  *self,
                                                              const char     *view_name);

G_END_DECLS
