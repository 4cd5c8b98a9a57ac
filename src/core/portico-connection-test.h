/* portico-connection-test.h: the Test of the connect dialog and `portico-cli test`.
 *
 * Checks the field values for the chosen permission level, reads the account's
 * identity and probes the first page of every data type, all in parallel
 * within the runtime's per-host limit, reporting each data type live through
 * signals, and ends with outcome A, B or C (SPEC 2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-runtime.h"

G_BEGIN_DECLS

typedef enum
{
  PORTICO_CONNECTION_OUTCOME_NONE, /* not finished */
  PORTICO_CONNECTION_OUTCOME_A,    /* everything works */
  PORTICO_CONNECTION_OUTCOME_B,    /* some non-essential data types failed */
  PORTICO_CONNECTION_OUTCOME_C,    /* the connection or an essential data type failed */
} PorticoConnectionOutcome;

/* "A", "B", "C" (or NULL for NONE). */
const char *portico_connection_outcome_to_string (PorticoConnectionOutcome outcome);

#define PORTICO_TYPE_CONNECTION_TEST (portico_connection_test_get_type ())
G_DECLARE_FINAL_TYPE (PorticoConnectionTest, portico_connection_test, PORTICO, CONNECTION_TEST, GObject)

/* @permission: "read" or "act" (NULL = "read"): the fields asked at that level
 * are checked. @data_types: the data types to probe (NULL = all of the
 * connector's). @field_values: field id → value, secrets included. */
PorticoConnectionTest *portico_connection_test_new (PorticoRuntime     *runtime,
                                                    PorticoConnector   *connector,
                                                    GHashTable         *field_values,
                                                    const char         *permission,
                                                    const char * const *data_types);

/* Signals, emitted on the caller's main context while the test runs:
 *   "identity-checked"     (const GError *error_or_NULL)
 *   "data-type-started"    (const char *data_type_id)
 *   "data-type-succeeded"  (const char *data_type_id, guint items_on_first_page)
 *   "data-type-failed"     (const char *data_type_id, const GError *error)
 * Runs once per object. Cancelling aborts the in-flight requests; finish then
 * fails with G_IO_ERROR_CANCELLED. Otherwise finish returns the outcome and
 * fails only on a programming error. */
void portico_connection_test_run_async (PorticoConnectionTest *self,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
PorticoConnectionOutcome portico_connection_test_run_finish (PorticoConnectionTest *self,
                                                             GAsyncResult          *result,
                                                             GError               **error);

PorticoConnector *portico_connection_test_get_connector (PorticoConnectionTest *self);
/* The permission level ("read" or "act") and the field values (secrets
 * included) the test was made with: what a connect after it stores. */
const char *portico_connection_test_get_permission (PorticoConnectionTest *self);
GHashTable *portico_connection_test_get_values (PorticoConnectionTest *self);
PorticoConnectionOutcome portico_connection_test_get_outcome (PorticoConnectionTest *self);
/* The identity, NULL until it was read. */
const char *portico_connection_test_get_external_id (PorticoConnectionTest *self);
const char *portico_connection_test_get_display_name (PorticoConnectionTest *self);
/* Why the connection itself failed (invalid field, identity request), or NULL. */
const GError *portico_connection_test_get_connection_error (PorticoConnectionTest *self);
/* The data types probed, in the connector's order. transfer none. */
const char * const *portico_connection_test_get_data_types (PorticoConnectionTest *self);
/* After the probe: TRUE when it worked. */
gboolean portico_connection_test_get_data_type_ok (PorticoConnectionTest *self,
                                                   const char            *data_type_id);
const GError *portico_connection_test_get_data_type_error (PorticoConnectionTest *self,
                                                           const char            *data_type_id);
/* Items on the first page, or -1 when the probe failed or did not run. */
gint64 portico_connection_test_get_data_type_items (PorticoConnectionTest *self,
                                                    const char            *data_type_id);
/* What the provider last answered to the test's request for @data_type_id
 * (NULL: the identity request; "@token": the OAuth2 token request), as
 * PorticoRuntime::exchange describes it (redacted), or NULL when no answer
 * came (network error, not run). transfer none. */
JsonObject *portico_connection_test_get_exchange (PorticoConnectionTest *self,
                                                  const char            *data_type_id);

G_END_DECLS
