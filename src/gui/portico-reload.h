/* portico-reload.h: how a view that loads in a worker thread keeps up with
 * the engine's changes.
 *
 * A change during a load asks for one more load when it is done, never for
 * loads side by side; a change while the view is hidden only marks it stale,
 * and it loads when it is shown. While many accounts sync, every finished
 * sync is a change: without this each hidden view would reload (and re-sort)
 * all its rows each time, taking the main loop from the view on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct
{
  guint loading : 1;
  guint again : 1;
  guint stale : 1;
} PorticoReload;

/* TRUE when the caller should start a load now. */
static inline gboolean
portico_reload_begin (PorticoReload *reload)
{
  if (reload->loading)
    {
      reload->again = TRUE;
      return FALSE;
    }
  reload->loading = TRUE;
  return TRUE;
}

/* A load ended; TRUE when a change came in meanwhile and it must run again. */
static inline gboolean
portico_reload_end (PorticoReload *reload)
{
  gboolean again = reload->again;

  reload->loading = FALSE;
  reload->again = FALSE;
  return again;
}

/* The engine changed something; TRUE when @widget is on screen and should
 * reload now, otherwise it is marked stale. */
static inline gboolean
portico_reload_changed (PorticoReload *reload,
                        GtkWidget     *widget)
{
  if (gtk_widget_get_mapped (widget))
    return TRUE;
  reload->stale = TRUE;
  return FALSE;
}

/* @widget was mapped; TRUE when it missed a change while hidden. */
static inline gboolean
portico_reload_mapped (PorticoReload *reload)
{
  gboolean stale = reload->stale;

  reload->stale = FALSE;
  return stale;
}

G_END_DECLS
