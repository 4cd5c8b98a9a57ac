/* portico-page-gate.h: flow control between a paginated fetch and the
 * consumer of its pages.
 *
 * A fetch asks for its next page only while fewer than a set number of the
 * pages it handed over are still being consumed (the store's writer mapping
 * them). Without it a fast provider fills memory with pages waiting for the
 * writer: the peak grows with the number of users instead of staying flat
 * (issue 13, target 2).
 *
 * Used on one main context: the fetch's and the consumer's callbacks run
 * there, as PorticoPageFunc does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PorticoPageGate PorticoPageGate;

/* Called once when the gate opens again for a waiting fetch, with how long
 * it waited (µs): a fetch's deadline should not count the consumer's time. */
typedef void (*PorticoPageGateResume) (gint64   waited_us,
                                       gpointer user_data);

/* @max_pending: the fetch waits while this many pages are taken. */
PorticoPageGate *portico_page_gate_new     (guint max_pending);
PorticoPageGate *portico_page_gate_ref     (PorticoPageGate *self);
void             portico_page_gate_unref   (PorticoPageGate *self);

/* The consumer: a page handed over is taken until it is consumed. */
void             portico_page_gate_take    (PorticoPageGate *self);
void             portico_page_gate_release (PorticoPageGate *self);

/* The fetch: TRUE when it may ask for the next page now. Otherwise
 * @resume(@user_data) is called by the portico_page_gate_release() that
 * opens the gate, from an idle of the thread-default main context (never
 * from inside the consumer's call). One waiter at a time. */
gboolean         portico_page_gate_pass    (PorticoPageGate       *self,
                                            PorticoPageGateResume  resume,
                                            gpointer               user_data);
/* The pages taken and not yet released. */
guint            portico_page_gate_get_pending (PorticoPageGate *self);
/* The most pages taken at once so far (a test's figure). */
guint            portico_page_gate_peak    (PorticoPageGate *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoPageGate, portico_page_gate_unref)

G_END_DECLS
