/* portico-connect-dialog.h: connect (or reconnect) one account of an integration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-connector.h"
#include "portico-engine.h"
#include "portico-sandbox-server.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_CONNECT_DIALOG (portico_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PorticoConnectDialog, portico_connect_dialog, PORTICO, CONNECT_DIALOG, AdwWindow)

/* Signals:
 *   "connected" (gint64 account_id, gint64 replaced_account_id)
 *       after a connect or reconnect succeeded, just before the dialog closes.
 *
 * Actions (also exposed to AT-SPI): connect.test, connect.connect,
 * connect.copy-message. */

/* @sandbox: nullable; in demo mode every field is pre-filled from it.
 * @reconnect_account_id: 0 connects a new account; otherwise the dialog
 * reconnects that account, pre-filled with its values (secrets excepted). */
PorticoConnectDialog *portico_connect_dialog_new (PorticoEngine    *engine,
                                                  PorticoConnector *connector,
                                                  PorticoSandbox   *sandbox,
                                                  gint64            reconnect_account_id);

/* Creates the dialog, modal and transient for @parent (nullable), and shows it. */
void portico_connect_dialog_present (GtkWindow        *parent,
                                     PorticoEngine    *engine,
                                     PorticoConnector *connector,
                                     PorticoSandbox   *sandbox_or_null,
                                     gint64            reconnect_account_id);

PorticoConnector *portico_connect_dialog_get_connector (PorticoConnectDialog *self);
/* "read" or "act". */
const char *portico_connect_dialog_get_permission (PorticoConnectDialog *self);
void        portico_connect_dialog_set_permission (PorticoConnectDialog *self,
                                                   const char           *permission);

/* The row of a field (AdwEntryRow, AdwPasswordEntryRow or AdwComboRow), or
 * NULL when the field is not asked at the current permission level. */
GtkWidget  *portico_connect_dialog_get_field_row   (PorticoConnectDialog *self,
                                                    const char           *field_id);
void        portico_connect_dialog_set_field_value (PorticoConnectDialog *self,
                                                    const char           *field_id,
                                                    const char           *value);
/* The validation message shown at the field, or NULL when none is shown. */
const char *portico_connect_dialog_get_field_error (PorticoConnectDialog *self,
                                                    const char           *field_id);

GtkWidget *portico_connect_dialog_get_test_button    (PorticoConnectDialog *self);
/* "Save Test Report…": shown once a test finished. */
GtkWidget *portico_connect_dialog_get_report_button  (PorticoConnectDialog *self);
/* What the button does after its file chooser: the engine's redacted
 * report of the last finished test, written to @file (private). */
void portico_connect_dialog_save_report (PorticoConnectDialog *self,
                                         GFile                *file);
GtkWidget *portico_connect_dialog_get_connect_button (PorticoConnectDialog *self);
GtkWidget *portico_connect_dialog_get_name_row       (PorticoConnectDialog *self);
/* The message shown in the dialog's error banner, or NULL. */
const char *portico_connect_dialog_get_error_message (PorticoConnectDialog *self);
/* The line under the test results ("Everything works…"), or NULL. */
const char *portico_connect_dialog_get_outcome_message (PorticoConnectDialog *self);
/* While the dialog waits for a sign-in in the browser, the address it
 * opened (the one Copy Address copies); otherwise NULL. */
const char *portico_connect_dialog_get_sign_in_address (PorticoConnectDialog *self);
/* The row of one data type ("connection" for the identity request). */
GtkWidget *portico_connect_dialog_get_test_row (PorticoConnectDialog *self,
                                                const char           *data_type_id);

gboolean                 portico_connect_dialog_is_testing  (PorticoConnectDialog *self);
/* The last test started, or NULL. transfer none. */
PorticoConnectionTest   *portico_connect_dialog_get_test    (PorticoConnectDialog *self);
/* NONE while no valid test result exists (never tested, or edited since). */
PorticoConnectionOutcome portico_connect_dialog_get_outcome (PorticoConnectDialog *self);

/* The Delegate message: asks the app owner for exactly what @connector needs
 * at @permission. Never holds a value typed in the dialog. */
char *portico_connect_build_delegate_subject (PorticoConnector *connector);
char *portico_connect_build_delegate_message (PorticoConnector *connector,
                                              const char       *permission);
/* mailto: URI with the subject and message, percent-encoded. */
char *portico_connect_build_delegate_uri     (PorticoConnector *connector,
                                              const char       *permission);

G_END_DECLS
