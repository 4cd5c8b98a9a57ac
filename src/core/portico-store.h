/* portico-store.h: the one SQLite database of Portico.
 *
 * Writes go through one writer: a single connection used only by one worker
 * thread. Every write exists as _async/_finish (a GTask served by that
 * worker) and as a blocking _sync variant (for the CLI and tests; never call
 * it from the main loop of the GUI). Reads use their own read-only
 * connection and return JSON nodes shaped like `portico-cli --json`.
 *
 * Every fact an integration supplies carries the account it came from
 * (source_account_id), which makes the disconnect cascade exact. A
 * disconnected account keeps its row (status "disconnected") so the apps it
 * discovered still name it as their source, its workflows can say why they
 * are invalid, and a failed keyring deletion can be retried.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "portico-errors.h"

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define PORTICO_STORE_SCHEMA_VERSION 13

#define PORTICO_TYPE_STORE (portico_store_get_type ())
G_DECLARE_FINAL_TYPE (PorticoStore, portico_store, PORTICO, STORE, GObject)

/* $XDG_DATA_HOME/portico/portico.db, or portico-demo.db in demo mode. */
char *portico_store_default_path (gboolean demo);

/* Opens (creating the file and its folder when missing) and migrates. A file
 * that is not a Portico database (PORTICO_STORE_ERROR_CORRUPT) or that a newer
 * Portico wrote (PORTICO_STORE_ERROR_TOO_NEW) is refused without being
 * modified. */
PorticoStore *portico_store_open (const char *path,
                                  GError    **error);
void portico_store_open_async (const char         *path,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data);
PorticoStore *portico_store_open_finish (GAsyncResult *result,
                                         GError      **error);

const char *portico_store_get_path (PorticoStore *self);
/* A random id of this database that its keyring items carry. */
const char *portico_store_get_keyring_scope (PorticoStore *self);

/* For tests: creates a database at @path holding the schema of @version
 * only (1..PORTICO_STORE_SCHEMA_VERSION), as an older Portico would have. */
gboolean portico_store_create_at_version (const char *path,
                                          guint       version,
                                          GError    **error);

/* ---- Accounts ------------------------------------------------------- */

typedef struct
{
  const char *data_type;        /* "users", "licenses", ... */
  gboolean    enabled;
  const char *disabled_reason;  /* nullable: why it is off (plan tier, ...) */
} PorticoStoreDataTypeSpec;

typedef struct
{
  const char *connector_id;
  const char *connector_name;   /* the app's name, e.g. "Slack" */
  const char *category;         /* the connector's category */
  const char *name;             /* the account's display name, not empty */
  const char *external_id;      /* nullable */
  const char *external_name;    /* nullable */
  const char *permission;       /* "read" or "act" */
  JsonObject *fields;           /* nullable; NON-secret field values only */
  /* nullable: where its credentials go ("scheme://host:port"), see
   * portico_store_dup_account_origins () */
  const char * const *origins;
  /* nullable: portico_credentials_fingerprint () of its secrets */
  const char *fingerprint;
  const PorticoStoreDataTypeSpec *data_types;
  guint       n_data_types;
} PorticoStoreNewAccount;

/* One transaction: the app row (found by connector id, then by name, else
 * created), the account, its data types, its app source, an audit event
 * "connected". Returns the account id, 0 on error. */
gint64 portico_store_create_account_sync (PorticoStore                 *self,
                                          const PorticoStoreNewAccount *account,
                                          GError                      **error);
void portico_store_create_account_async (PorticoStore                 *self,
                                         const PorticoStoreNewAccount *account,
                                         GCancellable                 *cancellable,
                                         GAsyncReadyCallback           callback,
                                         gpointer                      user_data);
gint64 portico_store_create_account_finish (PorticoStore *self,
                                            GAsyncResult *result,
                                            GError      **error);

/* A profile import (portico-engine-profile.h): the account as another
 * machine had it, and why it was paused there (NULL: it was not). */
typedef struct
{
  PorticoStoreNewAccount account;
  const char *paused_cause;
  const char *paused_message;
  guint drift_threshold; /* percent, 1 to 100; 0: the default */
} PorticoStoreImportAccount;

/* One transaction for all: each account is created as above (audit event
 * "imported") with keyring_state "missing" (its credentials are asked for
 * again by Reconnect), unless a connected account of the same connector
 * and external identity (without one: of the same name) exists. Returns the
 * new ids in the order given, 0 for one that existed (GArray of gint64);
 * on error nothing was written. */
GArray *portico_store_import_accounts_sync (PorticoStore                    *self,
                                            const PorticoStoreImportAccount *accounts,
                                            guint                            n_accounts,
                                            GError                         **error);
void portico_store_import_accounts_async (PorticoStore                    *self,
                                          const PorticoStoreImportAccount *accounts,
                                          guint                            n_accounts,
                                          GCancellable                    *cancellable,
                                          GAsyncReadyCallback              callback,
                                          gpointer                         user_data);
GArray *portico_store_import_accounts_finish (PorticoStore *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* Refuses an empty or blank name (PORTICO_STORE_ERROR_INVALID) and a missing
 * or disconnected account (PORTICO_STORE_ERROR_NOT_FOUND). Records "renamed". */
gboolean portico_store_rename_account_sync (PorticoStore *self,
                                            gint64        account_id,
                                            const char   *name,
                                            GError      **error);
void portico_store_rename_account_async (PorticoStore       *self,
                                         gint64              account_id,
                                         const char         *name,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean portico_store_rename_account_finish (PorticoStore *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* Reconnect with the same identity: new non-secret fields, permission,
 * origins and credential fingerprint (NULL keeps the permission and the
 * origins; the fingerprint is always replaced). */
gboolean portico_store_update_account_sync (PorticoStore       *self,
                                            gint64              account_id,
                                            const char         *permission,
                                            JsonObject         *fields,
                                            const char * const *origins,
                                            const char         *fingerprint,
                                            GError            **error);
void portico_store_update_account_async (PorticoStore       *self,
                                         gint64              account_id,
                                         const char         *permission,
                                         JsonObject         *fields,
                                         const char * const *origins,
                                         const char         *fingerprint,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean portico_store_update_account_finish (PorticoStore *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* Auto-pause: after this many failed runs of an account in a row, each
 * failing with the same cause (error code), its scheduled syncs stop: the
 * account reads "paused": true, "paused_cause" (the error code) and
 * "paused_message" (the newest failure's sentence), and the audit records
 * "paused". A sync run that ends "ok" and a reconnect resume it, as does
 * portico_store_resume_account_*; failures before a resume no longer
 * count. 0 turns it off. The engine sets it from the GSettings key
 * pause-after-failures. */
#define PORTICO_STORE_DEFAULT_PAUSE_AFTER 5
void portico_store_set_pause_after (PorticoStore *self,
                                    guint         failures);
guint portico_store_get_pause_after (PorticoStore *self);
/* Refuses an account that is not paused (PORTICO_STORE_ERROR_INVALID) or not
 * connected (NOT_FOUND). Records "resumed". */
gboolean portico_store_resume_account_sync (PorticoStore *self,
                                            gint64        account_id,
                                            GError      **error);
void portico_store_resume_account_async (PorticoStore       *self,
                                         gint64              account_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean portico_store_resume_account_finish (PorticoStore *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* Drift protection per account: a users sync is held when more than
 * @percent (1..100) of the people listed as active would no longer be
 * (and at least PORTICO_STORE_HOLD_MIN); 0 goes back to the default,
 * PORTICO_STORE_HOLD_PERCENT. The account reads "drift_threshold": its own
 * percentage, or null for the default. Above 100 is refused
 * (PORTICO_STORE_ERROR_INVALID), as is an account not connected. */
gboolean portico_store_set_drift_threshold_sync (PorticoStore *self,
                                                 gint64        account_id,
                                                 guint         percent,
                                                 GError      **error);
void portico_store_set_drift_threshold_async (PorticoStore       *self,
                                              gint64              account_id,
                                              guint               percent,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean portico_store_set_drift_threshold_finish (PorticoStore *self,
                                                   GAsyncResult *result,
                                                   GError      **error);

/* The origins ("scheme://host:port") the account was connected with: its
 * credentials may only go there until an admin reconnects it. NULL without
 * an error for an account connected before Portico remembered them. */
GStrv portico_store_dup_account_origins (PorticoStore *self,
                                         gint64        account_id,
                                         GError      **error);
/* Records the origins of an account that had none (see above). */
void portico_store_adopt_account_origins_async (PorticoStore       *self,
                                                gint64              account_id,
                                                const char * const *origins,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean portico_store_adopt_account_origins_finish (PorticoStore *self,
                                                     GAsyncResult *result,
                                                     GError      **error);

/* Enables or disables one data type of an account (inserting it if new). */
gboolean portico_store_set_data_type_sync (PorticoStore *self,
                                           gint64        account_id,
                                           const char   *data_type,
                                           gboolean      enabled,
                                           const char   *disabled_reason,
                                           GError      **error);
void portico_store_set_data_type_async (PorticoStore       *self,
                                        gint64              account_id,
                                        const char         *data_type,
                                        gboolean            enabled,
                                        const char         *disabled_reason,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean portico_store_set_data_type_finish (PorticoStore *self,
                                             GAsyncResult *result,
                                             GError      **error);

/* "ok", "missing", "locked", ... as the credentials layer reports it. */
gboolean portico_store_set_keyring_state_sync (PorticoStore *self,
                                               gint64        account_id,
                                               const char   *keyring_state,
                                               GError      **error);
/* After the keyring item of a disconnected account was deleted. */
gboolean portico_store_clear_keyring_pending_sync (PorticoStore *self,
                                                   gint64        account_id,
                                                   GError      **error);

/* Removes an account that never synced (its credentials could not be
 * stored, say), so that a failed connect leaves nothing half-saved. */
gboolean portico_store_forget_account_sync (PorticoStore *self,
                                            gint64        account_id,
                                            GError      **error);
void portico_store_forget_account_async (PorticoStore       *self,
                                         gint64              account_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean portico_store_forget_account_finish (PorticoStore *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* ---- Sync runs ------------------------------------------------------ */

/* One sync per account across every process that opens this database: the
 * GUI, portico-cli and the timer. Holding the lock is what makes a run
 * "running"; opening the store closes the runs of accounts nobody holds
 * (their process died) as "interrupted". Refused with
 * PORTICO_STORE_ERROR_SYNC_LOCKED and a sentence naming the holder. */
typedef struct _PorticoSyncLock PorticoSyncLock;

PorticoSyncLock *portico_store_lock_account (PorticoStore *self,
                                             gint64        account_id,
                                             GError      **error);
void portico_sync_lock_release (PorticoSyncLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoSyncLock, portico_sync_lock_release)

typedef struct
{
  const char *data_type;
  const char *status;         /* "ok", "failed", "skipped" */
  gint64      items;
  const char *error_code;     /* nullable, portico_error_code_name() */
  const char *error_message;  /* nullable, a user-facing sentence */
  gint64      started_at;     /* g_get_real_time(), 0 = unknown */
  gint64      ended_at;
} PorticoStoreDataTypeResult;

/* Returns the run id, 0 on error. */
gint64 portico_store_begin_sync_run_sync (PorticoStore *self,
                                          gint64        account_id,
                                          GError      **error);
void portico_store_begin_sync_run_async (PorticoStore       *self,
                                         gint64              account_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gint64 portico_store_begin_sync_run_finish (PorticoStore *self,
                                            GAsyncResult *result,
                                            GError      **error);

/* @status is "ok", "partial" or "failed". One transaction: the run and its
 * data types, each data type's last state (last_success_at only moves on
 * "ok"), the account's status and last_sync_at, an audit event "synced" or
 * "sync_failed". */
gboolean portico_store_finish_sync_run_sync (PorticoStore                     *self,
                                             gint64                            run_id,
                                             const char                       *status,
                                             const PorticoStoreDataTypeResult *results,
                                             guint                             n_results,
                                             GError                          **error);
void portico_store_finish_sync_run_async (PorticoStore                     *self,
                                          gint64                            run_id,
                                          const char                       *status,
                                          const PorticoStoreDataTypeResult *results,
                                          guint                             n_results,
                                          GCancellable                     *cancellable,
                                          GAsyncReadyCallback               callback,
                                          gpointer                          user_data);
gboolean portico_store_finish_sync_run_finish (PorticoStore *self,
                                               GAsyncResult *result,
                                               GError      **error);

/* ---- Replacing one account's data for one data type -------------------- */

/* A connector's field map for one data type compiled to SQL once. */
typedef struct _PorticoStoreMapping PorticoStoreMapping;

/* @items_path is the connector's "items" ("" = the body is the array);
 * @map is its "map" (target -> expression), compiled with
 * portico_expr_to_sql(). Fails on an unknown data type or a missing required
 * target. */
PorticoStoreMapping *portico_store_mapping_new (const char *data_type,
                                                const char *items_path,
                                                JsonObject *map,
                                                GError    **error);
/* The same from ready SQL expressions over the column `value` (target -> SQL
 * text); for custom_fields the targets "fields.LABEL" give the fields. */
PorticoStoreMapping *portico_store_mapping_new_from_sql (const char *data_type,
                                                         const char *items_path,
                                                         GHashTable *target_sql,
                                                         GError    **error);
PorticoStoreMapping *portico_store_mapping_ref (PorticoStoreMapping *mapping);
void portico_store_mapping_unref (PorticoStoreMapping *mapping);
const char *portico_store_mapping_get_data_type (PorticoStoreMapping *mapping);
const char *portico_store_mapping_get_sql (PorticoStoreMapping *mapping);

/* A replace stages each page (mapped by SQLite's JSON functions on the
 * writer) and swaps the account's rows for that data type in one
 * transaction at commit; abort (or unref without commit) drops what was
 * staged and leaves the previous rows as they were. Other writes are not
 * held up while pages are fetched. */
typedef struct _PorticoStoreReplace PorticoStoreReplace;

PorticoStoreReplace *portico_store_replace_begin (PorticoStore        *self,
                                                  gint64               account_id,
                                                  PorticoStoreMapping *mapping);
gboolean portico_store_replace_add_page_sync (PorticoStoreReplace *replace,
                                              GBytes              *body,
                                              GError             **error);
void portico_store_replace_add_page_async (PorticoStoreReplace *replace,
                                           GBytes              *body,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean portico_store_replace_add_page_finish (PorticoStoreReplace *replace,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Returns the number of rows the commit stored (not the items staged: a
 * custom field without a value or a user without an id is not stored), -1 on
 * error (then nothing changed). */
gint64 portico_store_replace_commit_sync (PorticoStoreReplace *replace,
                                          GError             **error);
void portico_store_replace_commit_async (PorticoStoreReplace *replace,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gint64 portico_store_replace_commit_finish (PorticoStoreReplace *replace,
                                            GAsyncResult        *result,
                                            GError             **error);
void portico_store_replace_abort (PorticoStoreReplace *replace);

/* Drift protection: for an identity provider or HR system (the app's
 * category identity_provider or human_resources), a users replace that
 * would take more than the account's drift threshold (by default
 * PORTICO_STORE_HOLD_PERCENT; see portico_store_set_drift_threshold_sync ())
 * of the people listed as active, and at least PORTICO_STORE_HOLD_MIN, out
 * of that list (removed, or deactivated) is held: nothing is replaced, the new rows are kept apart,
 * the account reads "held_missing" and "held_total", the audit records
 * "held", and the commit fails with PORTICO_STORE_ERROR_HELD and the
 * sentence "Held: N of M people would disappear. ...". */
#define PORTICO_STORE_HOLD_PERCENT 20
#define PORTICO_STORE_HOLD_MIN 10
/* @apply: replaces the account's users with the held ones (returns how many
 * were stored); else discards them and keeps the current data (returns 0).
 * Either way the hold ends ("held_applied" or "held_discarded" in the
 * audit). INVALID when nothing is held; -1 on error. */
gint64 portico_store_resolve_held_sync (PorticoStore *self,
                                        gint64        account_id,
                                        gboolean      apply,
                                        GError      **error);
void portico_store_resolve_held_async (PorticoStore       *self,
                                       gint64              account_id,
                                       gboolean            apply,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gint64 portico_store_resolve_held_finish (PorticoStore *self,
                                          GAsyncResult *result,
                                          GError      **error);
PorticoStoreReplace *portico_store_replace_ref (PorticoStoreReplace *replace);
void portico_store_replace_unref (PorticoStoreReplace *replace);

/* ---- Audit, workflows, other sources (demo seeding, tests) ------------- */

/* @account_id 0 = none. @details must never hold secrets. */
gboolean portico_store_append_audit_sync (PorticoStore *self,
                                          gint64        account_id,
                                          const char   *kind,
                                          JsonObject   *details,
                                          GError      **error);
void portico_store_append_audit_async (PorticoStore       *self,
                                       gint64              account_id,
                                       const char         *kind,
                                       JsonObject         *details,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean portico_store_append_audit_finish (PorticoStore *self,
                                            GAsyncResult *result,
                                            GError      **error);

/* Returns the app id (found by name, case-insensitive, or created). */
gint64 portico_store_ensure_app_sync (PorticoStore *self,
                                      const char   *name,
                                      const char   *category,
                                      const char   *connector_id,
                                      GError      **error);
/* Gives apps that have no connector id yet (discovered ones: an identity
 * provider or expense tool names them) the id of the connector whose app
 * name matches. @name_to_connector_id maps a lower-case app name to a
 * connector id (char * -> char *); names are matched case-insensitively
 * (ASCII), apps that already have a connector id are left alone. One
 * transaction; the engine calls it after a sync of discovered apps. */
gboolean portico_store_link_app_connectors_sync (PorticoStore *self,
                                                 GHashTable   *name_to_connector_id,
                                                 GError      **error);
void portico_store_link_app_connectors_async (PorticoStore       *self,
                                              GHashTable         *name_to_connector_id,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean portico_store_link_app_connectors_finish (PorticoStore *self,
                                                   GAsyncResult *result,
                                                   GError      **error);
/* A fact from a source that is not an account: @kind is "manual" or
 * "browser_extension". Adds the app source and, with @email, the app user. */
gboolean portico_store_add_other_source_sync (PorticoStore *self,
                                              gint64        app_id,
                                              const char   *kind,
                                              const char   *email,
                                              const char   *person_name,
                                              GError      **error);
/* An invalid workflow made valid again on another connected account's
 * trigger; NOT_FOUND for a missing workflow or account. */
gboolean portico_store_repoint_workflow_sync (PorticoStore *self,
                                              gint64        workflow_id,
                                              gint64        account_id,
                                              GError      **error);
/* Deletes a workflow and its actions. */
gboolean portico_store_delete_workflow_sync (PorticoStore *self,
                                             gint64        workflow_id,
                                             GError      **error);
/* @trigger_account_id 0 = none. Returns the workflow id. */
gint64 portico_store_add_workflow_sync (PorticoStore *self,
                                        const char   *name,
                                        gint64        trigger_account_id,
                                        const char   *trigger_description,
                                        GError      **error);
gint64 portico_store_add_workflow_action_sync (PorticoStore *self,
                                               gint64        workflow_id,
                                               gint64        account_id,
                                               const char   *action_id,
                                               const char   *label,
                                               GError      **error);
gboolean portico_store_set_offboarding_config_sync (PorticoStore *self,
                                                    gint64        account_id,
                                                    JsonObject   *settings,
                                                    GError      **error);

/* ---- Disconnect ------------------------------------------------------ */

typedef struct
{
  gint64 app_users;
  gint64 licenses;
  gint64 custom_fields;
  gint64 transactions;
  GStrv  workflows_invalidated;   /* names */
  gint64 workflow_actions_failing;
  gint64 offboarding_configs;
  gint64 other_apps_affected;
} PorticoDisconnectSummary;

void portico_disconnect_summary_free (PorticoDisconnectSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoDisconnectSummary, portico_disconnect_summary_free)
/* The keys of `portico-cli disconnect --preview --json`. */
JsonNode *portico_disconnect_summary_to_json (const PorticoDisconnectSummary *summary);

/* Read-only: what a disconnect would do now. */
PorticoDisconnectSummary *portico_store_preview_disconnect (PorticoStore *self,
                                                            gint64        account_id,
                                                            GError      **error);
/* One transaction (SPEC 5): deletes the account's facts, invalidates its
 * workflows, fails its workflow actions, removes its offboarding config,
 * marks the account disconnected and records "disconnected", after
 * copying all of it into a restore snapshot (see below); the account's
 * keyring item stays while the snapshot does. Returns what it actually
 * did. */
PorticoDisconnectSummary *portico_store_disconnect_sync (PorticoStore *self,
                                                         gint64        account_id,
                                                         GError      **error);
void portico_store_disconnect_async (PorticoStore       *self,
                                     gint64              account_id,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
PorticoDisconnectSummary *portico_store_disconnect_finish (PorticoStore *self,
                                                           GAsyncResult *result,
                                                           GError      **error);

/* ---- Restore after a disconnect ------------------------------------------ */

/* A disconnect keeps what it deleted or changed as a restore snapshot for
 * this many days, and the account's keyring item with it. */
#define PORTICO_STORE_RESTORE_DAYS 30

/* One transaction: puts the account's facts back exactly as they were
 * before its disconnect (ids and timestamps; a row whose id was taken
 * meanwhile gets a new one), its workflows valid and its actions working
 * again (those still on this account), its offboarding configuration, and
 * the account connected; drops the snapshot and records "restored".
 * Refused with a sentence: no snapshot (NOT_FOUND), an expired one or
 * another connected account with the same identity (INVALID). Returns the
 * number of rows put back, -1 on error. */
gint64 portico_store_restore_account_sync (PorticoStore *self,
                                           gint64        account_id,
                                           GError      **error);
void portico_store_restore_account_async (PorticoStore       *self,
                                          gint64              account_id,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gint64 portico_store_restore_account_finish (PorticoStore *self,
                                             GAsyncResult *result,
                                             GError      **error);
/* Drops the snapshot of a disconnected account and marks its keyring item
 * for deletion (portico_store_list_keyring_pending ()); records
 * "credentials_forgotten". NOT_FOUND when there is no snapshot. */
gboolean portico_store_forget_credentials_sync (PorticoStore *self,
                                                gint64        account_id,
                                                GError      **error);
/* Does the same for every snapshot past its end; opening the store does it
 * too. Returns how many, -1 on error. */
gint64 portico_store_expire_snapshots_sync (PorticoStore *self,
                                            GError      **error);
/* Accounts that can be restored now, newest disconnect first:
 * [{"account","name","connector","app","disconnected_at","expires_at"}] */
JsonNode *portico_store_list_restorable (PorticoStore *self,
                                         GError      **error);

/* ---- Reads (own read-only connection; safe from any thread) ----------- */

/* Connected accounts (not disconnected ones), each:
 * {"id","name","connector","external_id","external_name","permission",
 *  "status","last_sync_at","created_at","keyring_state","fields":{...},
 *  "fingerprint" (nullable, see portico_credentials_fingerprint ()),
 *  "paused", "paused_cause", "paused_message" (see portico_store_set_pause_after ()),
 *  "held_missing", "held_total" (null unless a users sync is held),
 *  "data_types":[{"id","enabled","disabled_reason","status","items","error",
 *                 "error_code","last_success_at"}]} */
JsonNode *portico_store_list_accounts (PorticoStore *self, GError **error);
/* One account, disconnected ones included (same shape), or NOT_FOUND. */
JsonNode *portico_store_get_account (PorticoStore *self,
                                     gint64        account_id,
                                     GError      **error);
/* Accounts whose keyring item still has to be deleted: [ids]. */
JsonNode *portico_store_list_keyring_pending (PorticoStore *self, GError **error);
/* [{"id","name","category","connector","user_count","reported_user_count",
 *   "spend","sources":[names],"source_details":[{"kind","account","name"}],
 *   "connected","currency"}]; currency: the most used one of its transactions. */
JsonNode *portico_store_list_apps (PorticoStore *self, GError **error);
/* [{"email","name","apps":[names],"sources":[{"app","source"}]}] */
JsonNode *portico_store_list_users (PorticoStore *self, GError **error);
/* Apps with a connected account only:
 * [{"app","sku","name","total","assigned","inactive"}] */
JsonNode *portico_store_list_licenses (PorticoStore *self, GError **error);
/* [{"id","name","valid","invalid_reason","trigger_account","trigger",
 *   "trigger_account_name","trigger_app",
 *   "actions":[{"id","account","action","label","failing","failing_reason",
 *               "account_name","app"}]}]; names are the current ones. */
JsonNode *portico_store_list_workflows (PorticoStore *self, GError **error);
/* Newest first; @limit 0 = all. [{"id","time","account","account_name",
 *   "kind","details","app"}] */
JsonNode *portico_store_list_audit_events (PorticoStore *self,
                                           guint         limit,
                                           GError      **error);
/* Newest first. [{"id","account","started_at","ended_at","status",
 *                 "data_types":[{"id","status","items","error_code","error"}]}] */
JsonNode *portico_store_list_sync_runs (PorticoStore *self,
                                        gint64        account_id,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoStoreMapping, portico_store_mapping_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoStoreReplace, portico_store_replace_unref)

G_END_DECLS
