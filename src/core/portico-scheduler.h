/* portico-scheduler.h: when accounts sync by themselves, and what is wrong
 * with them.
 *
 * Two halves, both without GTK. The pure functions decide (a tile's state,
 * the problems Needs attention lists, when an account is due) and are
 * tested without a display. PorticoScheduler applies the decision while the
 * app runs: every account syncs every interval, with a per-account jitter so
 * that they do not all hit the network at once, and accounts overdue at
 * startup sync soon after it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-engine.h"
#include "portico-status.h"

G_BEGIN_DECLS

/* ---- Pure functions --------------------------------------------------- */

/* When an account is due next, in Unix seconds. @last is the newer of its
 * last sync and the last attempt (0 = never); @jitter_seconds its own
 * offset in [0, interval / 10). An account never synced or overdue is due
 * soon: @now plus its jitter, capped to @startup_spread_seconds. */
gint64 portico_scheduler_compute_due (gint64 last,
                                      gint64 now,
                                      guint  interval_hours,
                                      gint64 jitter_seconds,
                                      gint64 startup_spread_seconds);

/* ---- The scheduler ---------------------------------------------------- */

#define PORTICO_TYPE_SCHEDULER (portico_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (PorticoScheduler, portico_scheduler, PORTICO, SCHEDULER, GObject)

/* Property "interval-hours" (guint, 1..168, default 24): bind it to the
 * GSettings key sync-interval-hours. */
PorticoScheduler *portico_scheduler_new (PorticoEngine *engine);
guint portico_scheduler_get_interval_hours (PorticoScheduler *self);
void portico_scheduler_set_interval_hours (PorticoScheduler *self,
                                           guint             hours);
/* The network the scheduled syncs wait for: @monitor NULL is the
 * system's (g_network_monitor_get_default ()); tests and demo mode pass a
 * PorticoStaticNetworkMonitor. It is set on the engine too, whose
 * "offline" property the window's banner follows. Without a call, the
 * engine's monitor (if any) applies. While offline, and on a metered
 * connection when "sync-on-metered" (bind it to the GSettings key of that
 * name, default TRUE) is FALSE, no scheduled sync starts; when that ends,
 * the syncs due meanwhile start (if the scheduler was started). */
void portico_scheduler_set_network_monitor (PorticoScheduler *self,
                                            GNetworkMonitor  *monitor);
gboolean portico_scheduler_get_sync_on_metered (PorticoScheduler *self);
void portico_scheduler_set_sync_on_metered (PorticoScheduler *self,
                                            gboolean          sync_on_metered);
/* Starts checking which accounts are due every @check_seconds (0 = 60). */
void portico_scheduler_start (PorticoScheduler *self,
                              guint             check_seconds);
void portico_scheduler_stop (PorticoScheduler *self);
/* Overdue accounts are due within this many seconds of a check (default
 * 60, so that they do not all start at once); 0 starts them at once. */
void portico_scheduler_set_startup_spread (PorticoScheduler *self,
                                           guint             seconds);
/* Checks now (and for tests: the number of syncs started by the last
 * completed check). */
void portico_scheduler_check_now (PorticoScheduler *self);
guint portico_scheduler_get_n_started (PorticoScheduler *self);
/* For tests: how many checks completed so far. */
guint portico_scheduler_get_n_checks (PorticoScheduler *self);
/* Starts a sync of every account that is not syncing already, due or not
 * (the desktop's "Sync All" action). */
void portico_scheduler_sync_all (PorticoScheduler *self);

G_END_DECLS
