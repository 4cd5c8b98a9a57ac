/* portico-connector-editor.h: a custom integration built in the window.
 *
 * The editor writes a connector definition (connectors/README.md) from a
 * form, checks it with the engine as the admin types, tries its users
 * request against the real endpoint and saves it through the engine, which
 * puts it in the catalog at once. The import, export and delete helpers
 * below are what the main menu and the connector dialog call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"
#include "portico-sandbox-server.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CONNECTOR_EDITOR (portico_connector_editor_get_type ())
G_DECLARE_FINAL_TYPE (PorticoConnectorEditor, portico_connector_editor, PORTICO, CONNECTOR_EDITOR, AdwWindow)

/* Actions (also exposed to AT-SPI): editor.save, editor.try, editor.cancel-try,
 * editor.start-from-scim, editor.choose-icon, editor.use-monogram. */

/* A new custom integration, or (@connector_id non-NULL) the saved definition
 * of that custom connector to edit. @sandbox: nullable; in demo mode the SCIM
 * template's Try It values come from it. NULL with @error when the definition
 * cannot be read. */
PorticoConnectorEditor *portico_connector_editor_new (GtkWindow      *parent,
                                                      PorticoEngine  *engine,
                                                      PorticoSandbox *sandbox,
                                                      const char     *connector_id,
                                                      GError        **error);

/* Fills the form from the SCIM 2.0 template (as "Start from SCIM 2.0"). */
void portico_connector_editor_start_from_scim (PorticoConnectorEditor *self);

/* The definition the form describes now, as saved. transfer full. */
char *portico_connector_editor_dup_definition (PorticoConnectorEditor *self);

/* State the display tests read. */
gboolean    portico_connector_editor_can_save         (PorticoConnectorEditor *self);
gboolean    portico_connector_editor_is_trying        (PorticoConnectorEditor *self);
/* The problems shown at the row that @pointer's field is edited in, or NULL. */
const char *portico_connector_editor_get_problem_at   (PorticoConnectorEditor *self,
                                                       const char             *pointer);
/* Try It's error sentence, or NULL. */
const char *portico_connector_editor_get_try_error    (PorticoConnectorEditor *self);
guint       portico_connector_editor_get_n_try_rows   (PorticoConnectorEditor *self);
guint       portico_connector_editor_get_n_try_paths  (PorticoConnectorEditor *self);
/* Fills the mapping @target ("email", "role", ...) as choosing @path under
 * Try It does with that mapping row focused; FALSE when Try It offers no
 * such path. */
gboolean    portico_connector_editor_use_path         (PorticoConnectorEditor *self,
                                                       const char             *target,
                                                       const char             *path);
/* The text of a mapping row, as the admin sees it. */
const char *portico_connector_editor_get_mapping      (PorticoConnectorEditor *self,
                                                       const char             *target);
void        portico_connector_editor_set_text         (PorticoConnectorEditor *self,
                                                       const char             *pointer,
                                                       const char             *text);

/* A value Try It sends for the field @field_id, as typed in its row. */
void        portico_connector_editor_set_try_value    (PorticoConnectorEditor *self,
                                                       const char             *field_id,
                                                       const char             *value);

/* File chooser, then a confirmation naming the hosts the connector sends
 * credentials to, then saved; a refused file is explained in a dialog. */
void portico_connector_import_run (GtkWindow     *parent,
                                   PorticoEngine *engine);
/* Imports @file as above (the file chooser's second half). */
void portico_connector_import_file (GtkWindow     *parent,
                                    PorticoEngine *engine,
                                    GFile         *file);

/* A save file chooser, then the definition written to the chosen file. */
void portico_connector_export_run (GtkWindow     *parent,
                                   PorticoEngine *engine,
                                   const char    *connector_id);

/* Asks, then deletes the custom connector and closes @parent (its
 * connector dialog); a refusal (accounts still use it) is explained in a
 * dialog and @parent stays. */
void portico_connector_delete_run (GtkWindow     *parent,
                                   PorticoEngine *engine,
                                   const char    *connector_id);

G_END_DECLS
