/* portico-engine-profile.h: exports without secrets (issue 15).
 *
 * Two documents leave Portico for people outside it or for another machine,
 * and neither carries a secret:
 *
 * - the test report of a finished connection test, to attach to a support
 *   request: what was asked of the provider per data type (method, URL
 *   with secrets and personal values removed), what it answered (HTTP
 *   status, its error code, Portico's sentence with the provider's message)
 *   and the outcome, without field values, emails or names of people;
 * - the profile: the accounts (connector, name, identity, non-secret field
 *   values, permission level, data types, paused state), the custom
 *   connectors' definition files and the app's settings, to be imported
 *   on a new machine where each account waits for its credentials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-engine.h"

G_BEGIN_DECLS

/* The "format" member of each document and the version this build writes. */
#define PORTICO_TEST_REPORT_FORMAT "portico-test-report"
#define PORTICO_PROFILE_FORMAT "portico-profile"
#define PORTICO_PROFILE_VERSION 1

/* The report of a finished @test (G_IO_ERROR_PENDING before it finished):
 * {"format","version","app_version","created_at","connector":{"id","name",
 *  "custom","definition_sha256"},"permission","outcome","connection":{"ok",
 *  "message","identity":{"external_id","display_name"} (their shape only:
 *  "…@example.com", "Xxxx Xxxx"),"request"},"token_request",
 *  "fields_entered":[{"id","secret"}],
 *  "data_types":[{"id","essential","ok","items_on_first_page","error_code",
 *  "message","request":{"method","url","http_status","provider_code"}}]}.
 * Every text is cleaned of the test's secret values and of email
 * addresses. transfer full. */
JsonNode *portico_engine_build_test_report (PorticoEngine         *self,
                                            PorticoConnectionTest *test,
                                            GError               **error);

/* A person's identifier reduced to its shape: an address to "…@" and its
 * domain, anything else to its letters' case and digits ("Xxxx 99"). */
char *portico_redact_identity (const char *text);

/* The profile of this database:
 * {"format","version","app_version","created_at",
 *  "settings":{key: value} (the GSettings keys sync-interval-hours,
 *  pause-after-failures, notifications, default-permission, when the
 *  schema is installed),
 *  "custom_connectors":[{"id","definition": the file's text}],
 *  "accounts":[{"connector","name","external_id","external_name",
 *  "permission","fields":{non-secret id: value},"data_types":[{"id",
 *  "enabled","disabled_reason"}],"paused":null|{"cause","message"}}]}.
 * transfer full. */
JsonNode *portico_engine_export_profile (PorticoEngine *self,
                                         GError       **error);
/* The same with the database read off the caller's thread (the GUI). */
void portico_engine_export_profile_async (PorticoEngine      *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
JsonNode *portico_engine_export_profile_finish (PorticoEngine *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/* Checks the whole of @data (a profile; @source_name names it in
 * sentences) before anything is changed, then saves its custom connectors
 * (a shipped id is refused), creates its accounts in one transaction
 * (portico_store_import_accounts_sync (): waiting for credentials, none
 * twice) and applies its settings. When the accounts cannot be written
 * the connectors are put back as they were, so a refused or broken file
 * imports nothing. Returns {"accounts":[{"id" (null: it existed),"name",
 * "connector"}],"connectors":[ids],"settings":[keys]}; emits
 * "accounts-changed". */
void portico_engine_import_profile_async (PorticoEngine      *self,
                                          const char         *data,
                                          gssize              length,
                                          const char         *source_name,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
JsonNode *portico_engine_import_profile_finish (PorticoEngine *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
