/* portico-engine-custom.h: the admin's own connectors, through the engine.
 *
 * A custom connector is a definition file in the user's data folder
 * ($XDG_DATA_HOME/portico/connectors/ID.json). Importing, saving, exporting
 * and deleting one goes through these functions (the engine is the one
 * door), which keep the catalog in step: a saved connector is in the
 * catalog at once (items-changed), a deleted one is gone. The files are a
 * few kilobytes, so these calls are synchronous.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-engine.h"
#include "portico-engine-try.h"

G_BEGIN_DECLS

/* Parses @data as a custom connector definition and checks what an import
 * refuses: invalid JSON or format (the error names @source_name, the field
 * and the reason), and the id of a shipped connector. */
PorticoConnector *portico_engine_check_custom_connector (PorticoEngine *self,
                                                         const char    *data,
                                                         gssize         length,
                                                         const char    *source_name,
                                                         GError       **error);

/* Checks @data as above, then writes it unchanged to ID.json in the user's
 * connector folder (private, atomically) and puts it in the catalog,
 * replacing a custom connector of the same id. Returns the connector now in
 * the catalog (transfer full). */
PorticoConnector *portico_engine_save_custom_connector (PorticoEngine *self,
                                                        const char    *data,
                                                        gssize         length,
                                                        const char    *source_name,
                                                        GError       **error);

/* The definition file of any connector of the catalog, as it is on disk.
 * transfer full. */
GBytes *portico_engine_export_connector (PorticoEngine *self,
                                         const char    *connector_id,
                                         GError       **error);

/* Removes a custom connector's file and takes it out of the catalog.
 * Refuses a shipped connector and one that connected accounts still use
 * (they are named: disconnect them first). */
gboolean portico_engine_delete_custom_connector (PorticoEngine *self,
                                                 const char    *connector_id,
                                                 GError       **error);

/* The accounts (not disconnected) that use @connector_id: the accounts
 * document's objects, transfer full. */
JsonArray *portico_engine_list_connector_accounts (PorticoEngine *self,
                                                   const char    *connector_id,
                                                   GError       **error);

/* Where the connector sends the credentials the admin enters: the host of
 * its base URL and of its OAuth token and sign-in addresses, each once. A
 * host that is a field template is described in words ("the address entered
 * in “Base URL”"). transfer full, never empty. */
GStrv portico_connector_dup_credential_hosts (PorticoConnector *connector);

G_END_DECLS
