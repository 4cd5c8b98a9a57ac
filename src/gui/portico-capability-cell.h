/* portico-capability-cell.h: one cell of the integration capabilities table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "portico-connector.h"

G_BEGIN_DECLS

/* The columns of the capabilities table, in display order. */
typedef enum
{
  PORTICO_CAPABILITY_NAME,
  PORTICO_CAPABILITY_CATEGORY,
  PORTICO_CAPABILITY_USERS,
  PORTICO_CAPABILITY_LICENSES,
  PORTICO_CAPABILITY_USAGE,
  PORTICO_CAPABILITY_CUSTOM_FIELDS,
  PORTICO_CAPABILITY_EXPENSES,
  PORTICO_CAPABILITY_ACTIONS,
  PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS,
  PORTICO_CAPABILITY_CONNECTION_TEST,
} PorticoCapability;

#define PORTICO_TYPE_CAPABILITY (portico_capability_get_type ())
GType portico_capability_get_type (void);

/* The column title, translated. */
const char *portico_capability_get_title (PorticoCapability capability);
/* Whether @connector has @capability; with @detail, the sentence a tooltip
 * shows for it ("Last 90 days", "Department, Cost center"). Pure: no display
 * needed. For NAME and CATEGORY it is always TRUE. */
gboolean portico_capability_check (PorticoConnector  *connector,
                                   PorticoCapability  capability,
                                   char             **detail);
/* Orders two connectors by @capability: supported first, then by name. */
int portico_capability_compare (PorticoConnector  *a,
                                PorticoConnector  *b,
                                PorticoCapability  capability);

#define PORTICO_TYPE_CAPABILITY_CELL (portico_capability_cell_get_type ())
G_DECLARE_FINAL_TYPE (PorticoCapabilityCell, portico_capability_cell, PORTICO, CAPABILITY_CELL, GtkWidget)

PorticoConnector  *portico_capability_cell_get_connector  (PorticoCapabilityCell *self);
void               portico_capability_cell_set_connector  (PorticoCapabilityCell *self,
                                                           PorticoConnector      *connector);
PorticoCapability  portico_capability_cell_get_capability (PorticoCapabilityCell *self);
/* Whether the check mark is shown (capability columns only). */
gboolean           portico_capability_cell_get_checked    (PorticoCapabilityCell *self);

G_END_DECLS
