/* portico-capabilities-dialog.h: the integration capabilities table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_CAPABILITIES_DIALOG (portico_capabilities_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCapabilitiesDialog, portico_capabilities_dialog, PORTICO, CAPABILITIES_DIALOG, AdwWindow)

/* @catalog: a GListModel of PorticoConnector. */
GtkWidget     *portico_capabilities_dialog_new             (GListModel                *catalog);
GtkColumnView *portico_capabilities_dialog_get_column_view (PorticoCapabilitiesDialog *self);
GtkEditable   *portico_capabilities_dialog_get_search_entry (PorticoCapabilitiesDialog *self);
/* The rows shown, after the search and sorting. */
GListModel    *portico_capabilities_dialog_get_rows        (PorticoCapabilitiesDialog *self);

G_END_DECLS
