/* portico-engine.h: what an admin does with integrations, end to end.
 *
 * The engine ties the catalog, the runtime, the store and the keyring
 * together: test, connect, reconnect, rename, sync, preview, disconnect, and
 * the judgements over accounts (Needs attention, Recommended to connect).
 * The GUI and the CLI both go through it and never repeat its steps, so both
 * behave the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-catalog.h"
#include "portico-connection-test.h"
#include "portico-credentials.h"
#include "portico-runtime.h"
#include "portico-status.h"
#include "portico-store.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_ENGINE (portico_engine_get_type ())
G_DECLARE_FINAL_TYPE (PorticoEngine, portico_engine, PORTICO, ENGINE, GObject)

/* Signals:
 *   "accounts-changed" ()                      an account was added, changed or removed
 *   "sync-started"     (gint64 account)
 *   "sync-progress"    (gint64 account, const char *data_type, gint64 items)
 *   "sync-finished"    (gint64 account, const char *status)  "ok", "partial", "failed" */

PorticoEngine *portico_engine_new (PorticoStore   *store,
                                   PorticoCatalog *catalog,
                                   PorticoRuntime *runtime);

/* Demo mode: each connected account also gets demo workflows and an
 * offboarding configuration that depend on it. */
void portico_engine_set_demo (PorticoEngine *self,
                              gboolean       demo);

/* The network (see portico-network.h): @monitor NULL (the default) means
 * always online. Properties "offline" and "metered" (read-only booleans)
 * follow it; while offline, a data type that failed because its provider
 * could not be reached is recorded with the error code "offline", which
 * neither counts toward auto-pause nor is listed in Needs attention. */
void portico_engine_set_network_monitor (PorticoEngine   *self,
                                         GNetworkMonitor *monitor);
GNetworkMonitor *portico_engine_get_network_monitor (PorticoEngine *self);
gboolean portico_engine_get_offline (PorticoEngine *self);
gboolean portico_engine_get_metered (PorticoEngine *self);

PorticoStore *portico_engine_get_store (PorticoEngine *self);
PorticoCatalog *portico_engine_get_catalog (PorticoEngine *self);
PorticoRuntime *portico_engine_get_runtime (PorticoEngine *self);
/* The keyring of this engine's database and profile (demo or not): the one
 * object through which its secrets are stored, read and deleted. */
PorticoCredentials *portico_engine_get_credentials (PorticoEngine *self);

/* Splits @values into what goes to the keyring (secret fields) and what is
 * stored with the account; unknown field names are refused. */
gboolean portico_engine_split_values (PorticoConnector *connector,
                                      GHashTable       *values,
                                      GHashTable      **secrets,
                                      JsonObject      **fields,
                                      GError          **error);

/* A connection test over every data type the permission level allows. */
PorticoConnectionTest *portico_engine_new_test (PorticoEngine    *self,
                                                PorticoConnector *connector,
                                                GHashTable       *values,
                                                const char       *permission);

/* Connects after a finished @test with its values (@values: NULL for the
 * test's own, which is what callers normally want): refuses outcome C,
 * and outcome B unless @accept_partial; refuses an external identity that is
 * already connected. The account row is written first, then the secrets go
 * to the keyring; when the keyring fails the row is removed again, so
 * nothing is half-saved. Returns the account id, 0 on error. */
void portico_engine_connect_async (PorticoEngine         *self,
                                   PorticoConnectionTest *test,
                                   GHashTable            *values,
                                   const char            *name,
                                   gboolean               accept_partial,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
gint64 portico_engine_connect_finish (PorticoEngine *self,
                                      GAsyncResult  *result,
                                      GError       **error);

/* SPEC 4 "Reconnect": same identity → credentials replaced, account kept;
 * another identity on a multi-account connector → a new account; another
 * identity on a single-account connector → the old account is disconnected
 * (full cascade) and a new one created. Returns the account that is now in
 * use; *replaced_account_id is the one disconnected, or 0. */
void portico_engine_reconnect_async (PorticoEngine         *self,
                                     gint64                 account_id,
                                     PorticoConnectionTest *test,
                                     GHashTable            *values,
                                     gboolean               accept_partial,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data);
gint64 portico_engine_reconnect_finish (PorticoEngine *self,
                                        GAsyncResult  *result,
                                        gint64        *replaced_account_id,
                                        GError       **error);

/* The account's non-secret field values merged with its secrets from the
 * keyring, as a test or a reconnect needs them. */
void portico_engine_load_values_async (PorticoEngine      *self,
                                       gint64              account_id,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
GHashTable *portico_engine_load_values_finish (PorticoEngine *self,
                                               GAsyncResult  *result,
                                               GError       **error);

/* Syncs every enabled data type of the account. Each data type's rows are
 * replaced in one transaction only when all its pages arrived; a failure
 * leaves its previous rows as they were. Returns the SPEC 9 sync document
 * {"account","status","data_types":[{"id","status","items","error"}]}. An
 * account already syncing is refused with G_IO_ERROR_PENDING. */
void portico_engine_sync_async (PorticoEngine      *self,
                                gint64              account_id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
JsonNode *portico_engine_sync_finish (PorticoEngine *self,
                                      GAsyncResult  *result,
                                      GError       **error);
gboolean portico_engine_is_syncing (PorticoEngine *self,
                                    gint64         account_id);

/* The cascade in one transaction, with a restore snapshot of everything it
 * deleted; the keyring item stays until the snapshot ends
 * (portico_engine_forget_credentials_async (), or after
 * PORTICO_STORE_RESTORE_DAYS days: opening the store marks the item for
 * deletion and portico_engine_retry_keyring_deletes_async () deletes it). */
void portico_engine_disconnect_async (PorticoEngine      *self,
                                      gint64              account_id,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
PorticoDisconnectSummary *portico_engine_disconnect_finish (PorticoEngine *self,
                                                            GAsyncResult  *result,
                                                            GError       **error);
/* Undo after a disconnect: the account's facts exactly as they were, its
 * workflows valid again, the account connected with its keyring item.
 * Refused with a sentence when the snapshot expired or was forgotten, or
 * another connected account has the same identity now. Returns the number
 * of rows put back, -1 on error. Emits "accounts-changed". */
void portico_engine_restore_account_async (PorticoEngine      *self,
                                           gint64              account_id,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gint64 portico_engine_restore_account_finish (PorticoEngine *self,
                                              GAsyncResult  *result,
                                              GError       **error);
/* "Forget credentials now": ends the restore snapshot of a disconnected
 * account (recorded as "credentials_forgotten"), asks the provider to
 * revoke a sign-in, and deletes the keyring item (a keyring failure leaves
 * the deletion pending). Emits "accounts-changed". */
void portico_engine_forget_credentials_async (PorticoEngine      *self,
                                              gint64              account_id,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean portico_engine_forget_credentials_finish (PorticoEngine *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);
/* See portico_store_list_restorable (). */
JsonNode *portico_engine_list_restorable (PorticoEngine *self,
                                          GError       **error);

/* Forgetting credentials asks the provider to revoke a sign-in in the background (at
 * most PORTICO_LIMIT_REVOKE_SECONDS). A process about to exit (portico-cli)
 * waits here until none is left running; it never fails. */
void portico_engine_wait_revocations_async (PorticoEngine      *self,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
void portico_engine_wait_revocations_finish (PorticoEngine *self,
                                             GAsyncResult  *result);

void portico_engine_retry_keyring_deletes_async (PorticoEngine      *self,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean portico_engine_retry_keyring_deletes_finish (PorticoEngine *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);

/* SPEC 4 "Rename": a name with a visible character; the same name again
 * changes nothing and records nothing. Emits "accounts-changed". */
void portico_engine_rename_async (PorticoEngine      *self,
                                  gint64              account_id,
                                  const char         *name,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean portico_engine_rename_finish (PorticoEngine *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/* Auto-pause (see portico_store_set_pause_after ()): scheduled syncs of a
 * paused account run again. Refuses an account that is not paused, with a
 * sentence. Emits "accounts-changed". */
void portico_engine_resume_async (PorticoEngine      *self,
                                  gint64              account_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean portico_engine_resume_finish (PorticoEngine *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/* The account's own drift threshold in percent (1..100; 0: the default,
 * PORTICO_STORE_HOLD_PERCENT); see portico_store_set_drift_threshold_sync ().
 * Emits "accounts-changed". */
void portico_engine_set_drift_threshold_async (PorticoEngine      *self,
                                               gint64              account_id,
                                               guint               percent,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean portico_engine_set_drift_threshold_finish (PorticoEngine *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);
/* Drift protection (see PORTICO_STORE_HOLD_PERCENT): @apply replaces the
 * account's users with the held ones ("Apply anyway"; returns how many were
 * stored), else the held ones are discarded ("Keep current data"; returns
 * 0). -1 and a sentence when nothing is held. Emits "accounts-changed". */
void portico_engine_resolve_held_async (PorticoEngine      *self,
                                        gint64              account_id,
                                        gboolean            apply,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gint64 portico_engine_resolve_held_finish (PorticoEngine *self,
                                           GAsyncResult  *result,
                                           GError       **error);

/* SPEC 5: what a disconnect would delete now, read-only, off the caller's
 * thread. */
void portico_engine_preview_disconnect_async (PorticoEngine      *self,
                                              gint64              account_id,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
PorticoDisconnectSummary *portico_engine_preview_disconnect_finish (PorticoEngine *self,
                                                                    GAsyncResult  *result,
                                                                    GError       **error);

/* The connected account (other than @except_id) that already has the
 * identity a finished @test found, or NULL: a connect dialog offers
 * Reconnect at Test time instead of failing at Connect. transfer full. */
JsonObject *portico_engine_find_existing_account (PorticoEngine         *self,
                                                  PorticoConnectionTest *test,
                                                  gint64                 except_id);

/* Needs attention (SPEC 1, 9): every problem of every connected account from
 * the status model (portico-status.h), most urgent first per account:
 * [{"account","account_name","connector","problem","title","message","fix",
 *   "fix_action"}]. @interval_hours judges staleness (0 = 24). */
void portico_engine_list_attention_async (PorticoEngine      *self,
                                          guint               interval_hours,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
JsonNode *portico_engine_list_attention_finish (PorticoEngine *self,
                                                GAsyncResult  *result,
                                                GError       **error);

/* Recommended to connect (SPEC 1, 9): discovered apps that have a connector
 * and no connected account, by users then spend:
 * [{"connector","app","users","spend","currency","discovered_by":[names],
 *   "reason"}]. */
void portico_engine_list_recommended_async (PorticoEngine      *self,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
JsonNode *portico_engine_list_recommended_finish (PorticoEngine *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/* An invalid workflow (its trigger account was disconnected) is pointed at
 * another connected account, which makes it valid again, or deleted with its
 * actions. Both emit "accounts-changed" so that views reload. */
void portico_engine_repoint_workflow_async (PorticoEngine      *self,
                                            gint64              workflow_id,
                                            gint64              account_id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean portico_engine_repoint_workflow_finish (PorticoEngine *self,
                                                 GAsyncResult  *result,
                                                 GError       **error);
void portico_engine_delete_workflow_async (PorticoEngine      *self,
                                           gint64              workflow_id,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean portico_engine_delete_workflow_finish (PorticoEngine *self,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
