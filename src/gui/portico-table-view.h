/* portico-table-view.h: a searchable, sortable table over one store read.
 *
 * The Apps, Users, Licenses, Workflows and Activity views are each one of
 * these with their own columns: the rows come from a store read run in a
 * thread, are reloaded when accounts change or a sync ends, and export to
 * CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-csv.h"
#include "portico-engine.h"

G_BEGIN_DECLS

/* Runs in a thread: returns a JSON array of objects. */
typedef JsonNode *(*PorticoTableLoadFunc) (PorticoStore *store,
                                           GError      **error);
/* Same, with a read-only @context made on the main loop (a lookup table the
 * load must not build itself, such as one over the catalog). */
typedef JsonNode *(*PorticoTableLoadContextFunc) (PorticoStore *store,
                                                  GHashTable   *context,
                                                  GError      **error);
/* The text of one cell; NULL uses the default formatting of @key. */
typedef char *(*PorticoTableFormatFunc) (JsonObject *row);

typedef enum
{
  PORTICO_TABLE_TEXT,
  PORTICO_TABLE_NUMBER,  /* sorted as numbers, right-aligned */
} PorticoTableKind;

typedef struct
{
  const char             *title;   /* untranslated; N_() it */
  const char             *key;     /* the member of the row object */
  PorticoTableKind        kind;
  gboolean                expand;
  PorticoTableFormatFunc  format;  /* nullable */
} PorticoTableColumn;

#define PORTICO_TYPE_TABLE_VIEW (portico_table_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoTableView, portico_table_view, PORTICO, TABLE_VIEW, GtkWidget)

/* @columns must stay valid (static). @name is the CSV file's default name. */
void portico_table_view_setup (PorticoTableView         *self,
                               const char               *name,
                               const PorticoTableColumn *columns,
                               guint                     n_columns,
                               PorticoTableLoadFunc      load,
                               const char               *empty_icon,
                               const char               *empty_title,
                               const char               *empty_description);
void portico_table_view_set_engine (PorticoTableView *self,
                                    PorticoEngine    *engine);
void portico_table_view_reload (PorticoTableView *self);
/* Loads with @load over @context (referenced) instead of the setup's load. */
void portico_table_view_set_load_context (PorticoTableView            *self,
                                          PorticoTableLoadContextFunc  load,
                                          GHashTable                  *context);
/* Whether a load is running. */
gboolean portico_table_view_is_loading (PorticoTableView *self);
/* The rows as shown: filtered by the search and sorted. */
GListModel *portico_table_view_get_model (PorticoTableView *self);
guint portico_table_view_get_n_rows (PorticoTableView *self);
/* The text of a shown cell. transfer full. */
char *portico_table_view_get_cell_text (PorticoTableView *self,
                                        guint             row,
                                        guint             column);
GtkColumnView *portico_table_view_get_column_view (PorticoTableView *self);
GtkEditable *portico_table_view_get_search_entry (PorticoTableView *self);
/* The shown rows as CSV (RFC 4180, a header line first). */
char *portico_table_view_to_csv (PorticoTableView *self);

/* The default text of a JSON member: strings as they are, numbers, Yes/No,
 * arrays joined with ", ", null as "". transfer full. */
char *portico_table_format_member (JsonObject *row,
                                   const char *key);

G_END_DECLS
