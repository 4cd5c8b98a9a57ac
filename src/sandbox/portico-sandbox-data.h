/* portico-sandbox-data.h: deterministic fake company data for the sandbox.
 *
 * One pool of people on one company domain; every app gets an overlapping
 * subset of them. Records are *normalized* (the targets of a connector's
 * `map`: id, email, name, status, ...); the server renders them into each
 * provider's shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PORTICO_SANDBOX_DOMAIN "acme.example"

typedef struct _PorticoSandboxData PorticoSandboxData;

/* @reference is the "now" every date is computed from (unix seconds, UTC). */
PorticoSandboxData *portico_sandbox_data_new (guint  seed,
                                              guint  size,
                                              gint64 reference);
void portico_sandbox_data_free (PorticoSandboxData *data);

/* Registers a catalog app: its name is then used as a vendor of
 * transactions and as a discovered app. Call before building records. */
void portico_sandbox_data_add_app (PorticoSandboxData *data,
                                   const char         *app_id,
                                   const char         *app_name,
                                   const char         *category);

guint portico_sandbox_data_get_n_people (PorticoSandboxData *data);

/* Normalized records of one data type of one app, as a JSON array of
 * objects keyed by map target (custom_fields: {"user_id","email","fields":{label:value}}).
 * @custom_field_labels is only used for custom_fields. transfer full. */
/* An identity provider's discovered apps as the grants its users made: one
 * record per app and assigned person, {"id","name","app_id","user_id","email"}.
 * transfer full. */
JsonArray *portico_sandbox_data_build_grants (PorticoSandboxData *data,
                                              const char         *app_id);
JsonArray *portico_sandbox_data_build (PorticoSandboxData *data,
                                       const char         *app_id,
                                       const char         *data_type_id,
                                       const char * const *custom_field_labels);

/* Calls @func with each record portico_sandbox_data_build() lists, in
 * its order, without the list: users-like records and app assignments
 * are built one at a time (a million people give millions of them).
 * @record is borrowed for the call. */
typedef void (*PorticoSandboxDataRecordFunc) (JsonObject *record,
                                              gpointer    user_data);
void portico_sandbox_data_foreach (PorticoSandboxData          *data,
                                   const char                  *app_id,
                                   const char                  *data_type_id,
                                   const char * const          *custom_field_labels,
                                   PorticoSandboxDataRecordFunc func,
                                   gpointer                     user_data);

/* The users-like records (users, usage, custom_fields) one at a time, in
 * the order portico_sandbox_data_build() lists them: the app has
 * portico_sandbox_data_get_n_app_users() users, and the record of user
 * @index is the one that array holds for it (NULL: the data type has no
 * record for that user, as usage for an invited one). A million people
 * are built this way without a million records at once. transfer full. */
guint portico_sandbox_data_get_n_app_users (PorticoSandboxData *data,
                                            const char         *app_id);
JsonObject *portico_sandbox_data_build_app_user (PorticoSandboxData *data,
                                                 const char         *app_id,
                                                 const char         *data_type_id,
                                                 const char * const *custom_field_labels,
                                                 guint               index);

/* The account identity of an app for a tenant ("acme" by default). transfer full. */
char *portico_sandbox_data_external_id (PorticoSandboxData *data,
                                        const char         *app_id,
                                        const char         *tenant);
char *portico_sandbox_data_account_name (PorticoSandboxData *data,
                                         const char         *app_id,
                                         const char         *tenant);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoSandboxData, portico_sandbox_data_free)

G_END_DECLS
