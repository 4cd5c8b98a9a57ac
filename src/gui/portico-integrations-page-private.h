/* portico-integrations-page-private.h: what the portico-integrations-page-*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-account-tile.h"
#include "portico-catalog-section.h"
#include "portico-integrations-page.h"
#include "portico-reload.h"

G_BEGIN_DECLS

struct _PorticoIntegrationsPage
{
  GtkWidget              parent_instance;

  PorticoCatalog        *catalog;
  GtkFilter             *search_filter;
  char                  *search_text;   /* casefolded, NULL when not searching */
  GPtrArray             *categories;    /* one string per catalog section */

  PorticoEngine         *engine;
  PorticoSandbox        *sandbox;
  GCancellable          *cancellable;
  GListStore            *accounts;      /* PorticoPageItem */
  GtkFilter             *account_filter;
  GtkFilterListModel    *accounts_filtered;
  GListStore            *attention;     /* PorticoPageItem with a problem */
  GListStore            *recommended;   /* PorticoPageItem of an app */
  GHashTable            *progress;      /* account id -> items while syncing */
  GtkWindow             *dialog;        /* weak */
  guint                  interval_hours;
  PorticoReload          reload;

  AdwViewStack          *stack;
  GtkSearchEntry        *search_entry;
  PorticoCatalogSection *connected_section;
  PorticoCatalogSection *custom_section;
  GtkBox                *catalog_box;
  AdwStatusPage         *no_results;
  AdwToastOverlay       *toast_overlay;
  GtkWidget             *accounts_section;
  GtkFlowBox            *accounts_box;
  AdwViewStackPage      *attention_page;
  GtkStack              *attention_stack;
  GtkListBox            *attention_list;
  GtkStack              *recommended_stack;
  GtkListBox            *recommended_list;
};

/* One row of the page's models: an account (with its first problem, for
 * Needs attention) or a discovered app (for Recommended). */
#define PORTICO_TYPE_PAGE_ITEM (portico_page_item_get_type ())
G_DECLARE_FINAL_TYPE (PorticoPageItem, portico_page_item, PORTICO, PAGE_ITEM, GObject)

struct _PorticoPageItem
{
  GObject                parent_instance;

  JsonObject            *object;
  PorticoConnector      *connector;
  PorticoAccountProblem *problem;
  char                  *code;     /* Needs attention: the SPEC 9 problem */
};

enum {
  LOADED,
  N_SIGNALS
};

extern guint portico_integrations_page_signals[N_SIGNALS];

void
portico_integrations_page_update_no_results (PorticoIntegrationsPage *self);

void
portico_integrations_page_remember_dialog (PorticoIntegrationsPage *self,
                                           GtkWindow               *dialog);

GtkWindow *
portico_integrations_page_get_parent (PorticoIntegrationsPage *self);

void
portico_integrations_page_report_catalog_problems (PorticoIntegrationsPage *self);

void
portico_integrations_page_show_catalog_problems_action (GtkWidget  *widget,
                                                        const char *action_name,
                                                        GVariant   *parameter);

gboolean
portico_integrations_page_account_filter_func (gpointer item,
                                               gpointer user_data);

GtkWidget *
portico_integrations_page_create_tile (gpointer item,
                                       gpointer user_data);

void
portico_integrations_page_update_accounts_visibility (PorticoIntegrationsPage *self);

GtkWidget *
portico_integrations_page_create_attention_row (gpointer item,
                                                gpointer user_data);

GtkWidget *
portico_integrations_page_create_recommended_row (gpointer item,
                                                  gpointer user_data);

void
portico_integrations_page_on_tile_sync_now (PorticoIntegrationsPage *self,
                                            PorticoAccountTile      *tile);

void
portico_integrations_page_on_tile_show_details (PorticoIntegrationsPage *self,
                                                PorticoAccountTile      *tile);

void
portico_integrations_page_on_tile_reconnect (PorticoIntegrationsPage *self,
                                             PorticoAccountTile      *tile);

void
portico_integrations_page_on_tile_connect_another (PorticoIntegrationsPage *self,
                                                   PorticoAccountTile      *tile);

void
portico_integrations_page_on_tile_rename (PorticoIntegrationsPage *self,
                                          PorticoAccountTile      *tile);

void
portico_integrations_page_on_tile_disconnect (PorticoIntegrationsPage *self,
                                              PorticoAccountTile      *tile);

void
portico_integrations_page_restore_account_action (GtkWidget  *widget,
                                                  const char *action_name,
                                                  GVariant   *param);

G_END_DECLS
