/* portico-notifier.h: which sync failures and account problems to tell the
 * admin about, once each, and telling them through the desktop's
 * notification service when no window does.
 *
 * An account's problems are those Needs attention shows
 * (portico_account_find_problems). Each (account, problem) is notified once:
 * the ones already told are kept in a small state file per database, shared
 * by the app and the background sync, and a problem that clears is
 * forgotten so that it is told again if it comes back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-scheduler.h"
#include "portico-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  account_id;
  char   *problem;  /* portico_problem_code(): "sync_failed", … */
  char   *title;    /* "Acme Okta: Last sync failed" */
  char   *body;     /* what happened and the fix */
} PorticoNotice;

void portico_notice_free (PorticoNotice *notice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoNotice, portico_notice_free)

/* A stable id for the notification of this account and problem (a newer
 * one for the same pair replaces it). transfer full. */
char *portico_notice_get_id (const PorticoNotice *notice);

/* Where the state of @store's notifications is kept (in the user's state
 * directory). transfer full. */
char *portico_notifier_default_state_path (void);

/* The problems of the accounts @account_ids (all accounts when NULL) that
 * were not notified yet; records them (and forgets the cleared ones) in
 * @state_path. Blocking: run it in a thread. transfer full, element-type
 * PorticoNotice. */
GPtrArray *portico_notifier_collect_sync (PorticoStore *store,
                                          GArray       *account_ids,
                                          guint         interval_hours,
                                          const char   *state_path,
                                          GError      **error);

void portico_notifier_collect_async (PorticoStore        *store,
                                     gint64               account_id,
                                     guint                interval_hours,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray *portico_notifier_collect_finish (GAsyncResult  *result,
                                            GError       **error);

/* Sends @notice to org.freedesktop.Notifications on @bus (the session bus
 * when NULL), as the app @app_id, for a process that is not a running
 * GApplication (portico-cli). Blocking, with a short timeout. */
gboolean portico_notifier_send_freedesktop (GDBusConnection     *bus,
                                            const char          *app_id,
                                            const PorticoNotice *notice,
                                            GError             **error);

/* Whether the notifications setting is on (TRUE when the settings schema
 * is not installed, as for an uninstalled portico-cli). */
gboolean portico_notifier_enabled (void);
/* The sync-interval-hours setting (24 when the schema is not installed). */
guint portico_notifier_interval_hours (void);
/* An unsigned setting of the app's schema, @fallback when the schema or
 * the key is not installed. */
guint portico_settings_get_uint (const char *key,
                                 guint       fallback);
gboolean portico_settings_get_boolean (const char *key,
                                       gboolean    fallback);

G_END_DECLS
