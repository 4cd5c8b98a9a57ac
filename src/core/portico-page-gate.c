/* portico-page-gate.c: flow control between a fetch and its consumer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "portico-page-gate.h"

struct _PorticoPageGate
{
  gatomicrefcount ref;
  guint max_pending;
  guint pending;
  guint peak;
  PorticoPageGateResume resume;  /* the waiting fetch, NULL when none */
  gpointer resume_data;
  gint64 wait_started;
  GMainContext *context;         /* where the waiter is resumed */
};

typedef struct
{
  PorticoPageGateResume resume;
  gpointer data;
  gint64 waited_us;
} Resumption;

static gboolean
resume_cb (gpointer user_data)
{
  Resumption *r = user_data;

  r->resume (r->waited_us, r->data);
  return G_SOURCE_REMOVE;
}

PorticoPageGate *
portico_page_gate_new (guint max_pending)
{
  PorticoPageGate *self = g_new0 (PorticoPageGate, 1);

  g_atomic_ref_count_init (&self->ref);
  self->max_pending = MAX (max_pending, 1);
  return self;
}

PorticoPageGate *
portico_page_gate_ref (PorticoPageGate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
portico_page_gate_unref (PorticoPageGate *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  /* A waiter still parked here would never be resumed: a consumer that
   * drops the gate has released every page first. */
  g_warn_if_fail (self->resume == NULL);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self);
}

void
portico_page_gate_take (PorticoPageGate *self)
{
  g_return_if_fail (self != NULL);
  self->pending++;
  self->peak = MAX (self->peak, self->pending);
}

void
portico_page_gate_release (PorticoPageGate *self)
{
  g_autoptr(GSource) source = NULL;
  Resumption *r;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->pending > 0);
  self->pending--;
  if (self->resume == NULL || self->pending >= self->max_pending)
    return;
  r = g_new (Resumption, 1);
  r->resume = self->resume;
  r->data = self->resume_data;
  r->waited_us = g_get_monotonic_time () - self->wait_started;
  self->resume = NULL;
  /* Not from inside the consumer's callback: the fetch going on may end
   * (a failure, the last page) and call the consumer back. */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "[portico] page gate");
  g_source_set_callback (source, resume_cb, r, g_free);
  g_source_attach (source, self->context);
}

gboolean
portico_page_gate_pass (PorticoPageGate       *self,
                        PorticoPageGateResume  resume,
                        gpointer               user_data)
{
  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (self->resume == NULL, TRUE);
  if (self->pending < self->max_pending)
    return TRUE;
  self->resume = resume;
  self->resume_data = user_data;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->wait_started = g_get_monotonic_time ();
  return FALSE;
}

guint
portico_page_gate_get_pending (PorticoPageGate *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pending;
}

guint
portico_page_gate_peak (PorticoPageGate *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->peak;
}
