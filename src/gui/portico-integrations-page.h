/* portico-integrations-page.h: the Integrations page and its three tabs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-account-tile.h"
#include "portico-catalog.h"
#include "portico-engine.h"
#include "portico-sandbox-server.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_INTEGRATIONS_PAGE (portico_integrations_page_get_type ())
G_DECLARE_FINAL_TYPE (PorticoIntegrationsPage, portico_integrations_page, PORTICO, INTEGRATIONS_PAGE, GtkWidget)

PorticoCatalog *portico_integrations_page_get_catalog        (PorticoIntegrationsPage *self);
void            portico_integrations_page_set_catalog        (PorticoIntegrationsPage *self,
                                                              PorticoCatalog          *catalog);
/* The tabs: "all", "recommended", "attention". */
AdwViewStack   *portico_integrations_page_get_stack          (PorticoIntegrationsPage *self);
GtkEditable    *portico_integrations_page_get_search_entry   (PorticoIntegrationsPage *self);
/* The sections of the "All integrations" tab, top to bottom: the connected
 * accounts, the custom integrations, then one per catalog category.
 * transfer container, element-type PorticoCatalogSection. */
GPtrArray      *portico_integrations_page_list_sections      (PorticoIntegrationsPage *self);
/* Shows the "All integrations" tab and focuses its search entry. */
void            portico_integrations_page_focus_search       (PorticoIntegrationsPage *self);
/* Opens the integration capabilities table. */
void            portico_integrations_page_show_capabilities  (PorticoIntegrationsPage *self);

/* The engine whose accounts the page shows (tiles, Needs attention,
 * Recommended to connect); nullable. Reloads on "accounts-changed" and at
 * the end of every sync. */
void            portico_integrations_page_set_engine         (PorticoIntegrationsPage *self,
                                                              PorticoEngine           *engine);
PorticoEngine  *portico_integrations_page_get_engine         (PorticoIntegrationsPage *self);
/* Demo mode: passed on to the connect dialog to pre-fill it; nullable. */
void            portico_integrations_page_set_sandbox        (PorticoIntegrationsPage *self,
                                                              PorticoSandbox          *sandbox);
/* Hours between scheduled syncs: twice this without success is stale. */
void            portico_integrations_page_set_interval_hours (PorticoIntegrationsPage *self,
                                                              guint                    hours);
void            portico_integrations_page_reload             (PorticoIntegrationsPage *self);
/* Whether a reload is running (tests wait for it to end); the signal
 * "loaded" says when one has filled the page. */
gboolean        portico_integrations_page_is_loading         (PorticoIntegrationsPage *self);
/* The tiles of "Your integrations", in order. transfer container,
 * element-type PorticoAccountTile. */
GPtrArray      *portico_integrations_page_list_account_tiles (PorticoIntegrationsPage *self);
PorticoAccountTile *portico_integrations_page_find_tile      (PorticoIntegrationsPage *self,
                                                              gint64                   account_id);
/* The rows of the Needs attention and Recommended to connect tabs
 * (AdwActionRow: title and subtitle say what and why). */
GtkListBox     *portico_integrations_page_get_attention_list   (PorticoIntegrationsPage *self);
GtkListBox     *portico_integrations_page_get_recommended_list (PorticoIntegrationsPage *self);
/* The last dialog the page presented (rename, disconnect, details), while
 * it is open; NULL otherwise. */
GtkWindow      *portico_integrations_page_get_dialog         (PorticoIntegrationsPage *self);
void            portico_integrations_page_add_toast          (PorticoIntegrationsPage *self,
                                                              const char              *text);

/* The body of the disconnect confirmation for @summary: every count the
 * cascade will delete, by name. transfer full. */
char *portico_disconnect_summary_describe (const PorticoDisconnectSummary *summary,
                                           gboolean                        identity_provider);

/* Whether @connector matches the search @text (already casefolded);
 * pure, so it is tested without a display. */
gboolean portico_connector_matches_search (PorticoConnector *connector,
                                           const char       *folded_text);

G_END_DECLS
