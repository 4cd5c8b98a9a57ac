/* portico-integrations-page.h: the Integrations page and its three tabs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-catalog.h"

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

/* Whether @connector matches the search @text (already casefolded);
 * pure, so it is tested without a display. */
gboolean portico_connector_matches_search (PorticoConnector *connector,
                                           const char       *folded_text);

G_END_DECLS
