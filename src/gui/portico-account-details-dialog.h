/* portico-account-details-dialog.h: "See details" of one account: every
 * data type with its last successful sync, item count and what is wrong,
 * and the account's sync history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-engine.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_ACCOUNT_DETAILS_DIALOG (portico_account_details_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PorticoAccountDetailsDialog, portico_account_details_dialog, PORTICO, ACCOUNT_DETAILS_DIALOG, AdwWindow)

/* @account: one object of portico_store_list_accounts(); @connector
 * nullable. The history loads in a thread after this returns. */
GtkWidget *portico_account_details_dialog_new (PorticoEngine    *engine,
                                               JsonObject       *account,
                                               PorticoConnector *connector);
/* For tests: the data type rows ("Users": "Last successful sync: ...") and
 * whether the history has loaded, with its number of runs. */
GListModel *portico_account_details_dialog_get_data_type_rows (PorticoAccountDetailsDialog *self);
gboolean portico_account_details_dialog_is_loaded (PorticoAccountDetailsDialog *self);
guint portico_account_details_dialog_get_n_runs (PorticoAccountDetailsDialog *self);
/* For tests: what the "Credential fingerprint" row shows. */
const char *portico_account_details_dialog_get_fingerprint_text (PorticoAccountDetailsDialog *self);
/* The account the dialog shows. */
/* For tests: the drift threshold's spin button, NULL when the account is
 * not an identity provider or HR system (the row is hidden). */
GtkSpinButton *portico_account_details_dialog_get_drift_spin (PorticoAccountDetailsDialog *self);
gint64 portico_account_details_dialog_get_account_id (PorticoAccountDetailsDialog *self);

G_END_DECLS
