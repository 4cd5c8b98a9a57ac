/* portico-account-tile.h: one connected account under "Your integrations".
 *
 * The tile shows the app, the account's name and its last sync status, and
 * offers the three-dot menu of SPEC 4. It does none of the work itself: its
 * tile.* actions emit signals that the Integrations page handles.
 *
 * Signals (all without arguments): "sync-now", "show-details", "rename",
 * "reconnect", "connect-another", "disconnect".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "portico-connector.h"
#include "portico-scheduler.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_ACCOUNT_TILE (portico_account_tile_get_type ())
G_DECLARE_FINAL_TYPE (PorticoAccountTile, portico_account_tile, PORTICO, ACCOUNT_TILE, GtkWidget)

GtkWidget          *portico_account_tile_new                (void);
/* @account: one object of portico_store_list_accounts(); @connector
 * nullable (a custom definition that was removed). */
void                portico_account_tile_set_account        (PorticoAccountTile *self,
                                                             JsonObject         *account,
                                                             PorticoConnector   *connector);
/* The sync interval that judges "out of date" (default 24 hours). */
void                portico_account_tile_set_interval_hours (PorticoAccountTile *self,
                                                             guint               hours);
JsonObject         *portico_account_tile_get_account        (PorticoAccountTile *self);
PorticoConnector   *portico_account_tile_get_connector      (PorticoAccountTile *self);
gint64              portico_account_tile_get_account_id     (PorticoAccountTile *self);
/* "Slack" (the connector's name, or its id without one). */
const char         *portico_account_tile_get_app_name       (PorticoAccountTile *self);
const char         *portico_account_tile_get_account_name   (PorticoAccountTile *self);
/* While syncing: a spinner and "N items" instead of the status icon. */
void                portico_account_tile_set_syncing        (PorticoAccountTile *self,
                                                             gboolean            syncing);
gboolean            portico_account_tile_get_syncing        (PorticoAccountTile *self);
void                portico_account_tile_set_progress       (PorticoAccountTile *self,
                                                             gint64              items);
PorticoAccountState portico_account_tile_get_state          (PorticoAccountTile *self);
/* The accessible name of the status icon ("Synced", "Sync failed", ...)
 * and its description ("Last sync: ..."). */
const char         *portico_account_tile_get_status_label   (PorticoAccountTile *self);
const char         *portico_account_tile_get_status_detail  (PorticoAccountTile *self);
/* The tooltip of the disabled "Connect another" item, NULL when enabled. */
const char         *portico_account_tile_get_connect_another_tooltip (PorticoAccountTile *self);
GtkMenuButton      *portico_account_tile_get_menu_button    (PorticoAccountTile *self);

/* A store time ("2026-01-31T12:00:00Z") in the local time zone, for
 * people; "Never" for NULL. transfer full. */
char *portico_format_store_time (const char *store_time);

G_END_DECLS
