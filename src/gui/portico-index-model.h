/* portico-index-model.h: a list model over rows made off the main loop.
 *
 * The views load, filter and sort their rows in a worker thread; the main
 * loop only installs the result: a source (whatever holds the rows) and the
 * positions to show, in order (indexes into the source).
 *
 * The items are slots, one per position, made when GTK asks for one (the
 * rows it shows, a few hundred at most). Installing a result points the
 * slots that exist at their new rows and emits their "changed", and the
 * model's items-changed covers only the positions added or removed at the
 * end: GTK 4.8's list widgets make new row widgets for every item that is
 * not the same object as before, which for a few hundred rows at once
 * takes the main loop for many frames; a slot's widgets only update their
 * text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_INDEX_SLOT (portico_index_slot_get_type ())
G_DECLARE_FINAL_TYPE (PorticoIndexSlot, portico_index_slot, PORTICO, INDEX_SLOT, GObject)

/* The source of the row shown at the slot's position; NULL for a slot made
 * with portico_index_slot_new_empty (). */
gpointer portico_index_slot_get_source (PorticoIndexSlot *self);
/* The row's index in the source. */
guint portico_index_slot_get_index (PorticoIndexSlot *self);
/* A slot that belongs to no model (a sorter's probe, say). */
PorticoIndexSlot *portico_index_slot_new_empty (void);

#define PORTICO_TYPE_INDEX_MODEL (portico_index_model_get_type ())
G_DECLARE_FINAL_TYPE (PorticoIndexModel, portico_index_model, PORTICO, INDEX_MODEL, GObject)

/* @source_ref and @source_unref keep a source alive while it is shown;
 * @source_unref runs on the main loop and must be cheap (see
 * portico_free_in_thread ()). */
PorticoIndexModel *portico_index_model_new (GBoxedCopyFunc source_ref,
                                            GDestroyNotify source_unref);
/* Shows @positions (indexes into @source, taken) of @source (referenced);
 * @positions NULL shows nothing. */
void portico_index_model_set (PorticoIndexModel *self,
                              gpointer           source,
                              GArray            *positions);
gpointer portico_index_model_get_source (PorticoIndexModel *self);
/* The number of positions set: the items once the model has settled. */
guint portico_index_model_get_n_positions (PorticoIndexModel *self);
/* Whether the model still catches up with the last set (): a list that
 * grows from a few rows to many grows by a few rows a frame (GTK makes row
 * widgets for the first 200 rows at once otherwise), and the slots emit
 * "changed" a batch a frame, nearest the focus first. */
gboolean portico_index_model_is_settling (PorticoIndexModel *self);
/* The position of the top row shown (an estimate will do): its slots
 * change first. */
void portico_index_model_set_focus (PorticoIndexModel *self,
                                    guint              position);
/* The index in the source of shown position @position, or G_MAXUINT. */
guint portico_index_model_get_index (PorticoIndexModel *self,
                                     guint              position);

/* An estimate of the position of the top row @scrollable shows of @model:
 * for portico_index_model_set_focus (). */
guint portico_index_model_first_shown (GListModel    *model,
                                       GtkScrollable *scrollable);

/* Runs @func for @task in a worker thread of lower priority than the main
 * loop's (the views' pool); @task returns from there as from
 * g_task_run_in_thread (). */
void portico_run_in_background (GTask           *task,
                                GTaskThreadFunc  func);

/* Calls @free_func (@data) in a worker thread: for freeing many rows
 * without stalling the main loop. @data must be safe to free there (no
 * other thread uses it any more). */
void portico_free_in_thread (gpointer       data,
                             GDestroyNotify free_func);

G_END_DECLS
