/* portico-index-model.h: a list model over rows made off the main loop.
 *
 * The views load, filter and sort their rows in a worker thread; the main
 * loop only installs the result: a source (whatever holds the rows) and the
 * positions to show, in order. Installing is one items-changed, whatever
 * the number of rows, and the row objects are made on demand, for the rows
 * GTK asks for (the visible ones), by a function of the source and a
 * position in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The row object at @index of @source; transfer full. */
typedef gpointer (*PorticoIndexModelItemFunc) (gpointer source,
                                               guint    index);

#define PORTICO_TYPE_INDEX_MODEL (portico_index_model_get_type ())
G_DECLARE_FINAL_TYPE (PorticoIndexModel, portico_index_model, PORTICO, INDEX_MODEL, GObject)

/* @source_ref and @source_unref keep a source alive while it is shown;
 * @source_unref runs on the main loop and must be cheap (see
 * portico_free_in_thread ()). */
PorticoIndexModel *portico_index_model_new (GType                     item_type,
                                            PorticoIndexModelItemFunc item,
                                            GBoxedCopyFunc            source_ref,
                                            GDestroyNotify            source_unref);
/* Shows @positions (indexes into @source, taken) of @source (referenced);
 * @positions NULL shows nothing. One items-changed over everything. */
void portico_index_model_set (PorticoIndexModel *self,
                              gpointer           source,
                              GArray            *positions);
gpointer portico_index_model_get_source (PorticoIndexModel *self);
/* The index in the source of shown position @position, or G_MAXUINT. */
guint portico_index_model_get_index (PorticoIndexModel *self,
                                     guint              position);

/* Calls @free_func (@data) in a worker thread: for freeing many rows
 * without stalling the main loop. @data must be safe to free there (no
 * other thread uses it any more). */
void portico_free_in_thread (gpointer       data,
                             GDestroyNotify free_func);

G_END_DECLS
