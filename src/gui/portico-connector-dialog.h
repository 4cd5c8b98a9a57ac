/* portico-connector-dialog.h: what an integration is and what it needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-connector.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CONNECTOR_DIALOG (portico_connector_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PorticoConnectorDialog, portico_connector_dialog, PORTICO, CONNECTOR_DIALOG, AdwWindow)

GtkWidget        *portico_connector_dialog_new           (PorticoConnector       *connector);
PorticoConnector *portico_connector_dialog_get_connector (PorticoConnectorDialog *self);
/* A single-account connector whose account exists: the page offers that
 * account (Reconnect) instead of a second Connect that could only fail. */
void              portico_connector_dialog_set_existing_account (PorticoConnectorDialog *self,
                                                                 gint64                  account_id,
                                                                 const char             *account_name);
gint64            portico_connector_dialog_get_existing_account (PorticoConnectorDialog *self);

G_END_DECLS
