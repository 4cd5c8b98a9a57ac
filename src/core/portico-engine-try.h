/* portico-engine-try.h: the custom-integration editor's checks and Try it.
 *
 * The editor checks a draft definition as the admin types (every problem an
 * import or a save would refuse, each at its field as a JSON Pointer) and
 * runs the draft's users request against the real endpoint to show the
 * first records, the rows its mapping makes of them and the paths it could
 * map. The draft need not be saved; the values entered are used for that
 * one request and kept nowhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-engine.h"

G_BEGIN_DECLS

/* One problem the validator finds in a draft definition, at a JSON Pointer
 * (RFC 6901, e.g. "/data_types/users/request/path", "/fields/0/id", "" for
 * the whole file) with a translated sentence that names the fix. */
typedef struct
{
  char *pointer;
  char *message;
} PorticoDraftProblem;

PorticoDraftProblem *portico_draft_problem_new (const char *pointer,
                                                const char *message);
void portico_draft_problem_free (PorticoDraftProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoDraftProblem, portico_draft_problem_free)

/* Every problem an import or save would refuse in @data (JSON syntax, the
 * format, a shipped connector's id), each at its field; an empty array when
 * the draft can be saved. Parts that depend on a part with a problem are
 * not checked until it is fixed (the permissions after a broken action, a
 * data type's map after its broken request), so fixing one problem may
 * show another. Synchronous, cheap (the editor calls it as the admin
 * types). transfer full (element-type PorticoDraftProblem). */
GPtrArray *portico_engine_check_draft (PorticoEngine *self,
                                       const char    *data,
                                       gssize         length);

/* The most items of the first page that Try it returns. */
#define PORTICO_TRY_MAX_RECORDS 20

/* Try it: parses @data as a draft connector (it need not be saved) and
 * fetches the FIRST PAGE of @data_type_id (NULL = "users") against the real
 * endpoint with @field_values (field id -> value, secrets included; they are
 * never logged or stored). A draft that signs in (oauth2_authorization_code)
 * needs the refresh token of a sign-in in @field_values under
 * PORTICO_REFRESH_TOKEN_FIELD, as a connection test does (PorticoSignIn).
 * Only the values of the fields asked for reading are checked. The result
 * is a JSON object:
 *   "records":    the raw items of the first page, as the provider sent them
 *                 (at most PORTICO_TRY_MAX_RECORDS),
 *   "rows":       the same items mapped by the draft's mapping (objects with
 *                 the mapped column names: external_id, email, name, status,
 *                 role, last_activity, ..., a value null where the mapping
 *                 found nothing),
 *   "paths":      every scalar leaf found in the records as a mapping
 *                 expression the format accepts ("profile.email",
 *                 "emails[primary=true].value" where applicable,
 *                 "emails.0.value", or ["@odata.type"] for a key the dotted
 *                 form cannot hold), with one sample value:
 *                 [{"path": ..., "sample": ...}],
 *   "items_path": where the items were found in the body (the draft's, or a
 *                 guess when the draft gives none, so the editor can propose
 *                 it),
 *   "status":     the HTTP status, "total": items on the page.
 * Fails with the runtime's own sentence (rejected key, wrong path 404, not
 * JSON...) and, for a draft the validator refuses, with the first problem's
 * message. */
void portico_engine_try_connector_async (PorticoEngine      *self,
                                         const char         *data,
                                         gssize              length,
                                         GHashTable         *field_values,
                                         const char         *data_type_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
JsonNode *portico_engine_try_connector_finish (PorticoEngine *self,
                                               GAsyncResult  *result,
                                               GError       **error);

G_END_DECLS
