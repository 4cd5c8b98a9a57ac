/* portico-table-view.c: a searchable, sortable table over one store read.
 *
 * A load reads the rows in a worker thread into a snapshot: the read's JSON
 * objects and the casefolded search text of each. Searching and sorting run
 * in a worker thread too, over that snapshot (the sort over collation keys
 * made once per column, kept with the snapshot), and give the positions to
 * show; the main loop only installs them in a PorticoIndexModel, whose
 * slots GTK already shows take their new rows in place. A search typed
 * while one runs cancels it. The column view creates cells for
 * the visible rows only, which keeps 100k users fast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-table-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "portico-table-view.h"
#include "portico-format.h"
#include "portico-index-model.h"
#include "portico-reload.h"

/* ---- Formatting ------------------------------------------------------- */

static char *
format_node (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
      if (type == G_TYPE_DOUBLE)
        {
          double value = json_node_get_double (node);

          if (value == (gint64) value)
            return portico_format_count ((gint64) value);
          return g_strdup_printf ("%'.2f", value);
        }
      return portico_format_count (json_node_get_int (node));
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item = format_node (json_array_get_element (array, i));

          if (item[0] == '\0')
            continue;
          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append (text, item);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      g_autoptr(GString) text = g_string_new (NULL);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *value = format_node (json_object_get_member (object, l->data));

          if (value[0] == '\0')
            continue;
          if (text->len > 0)
            g_string_append (text, ", ");
          g_string_append_printf (text, "%s: %s", (const char *) l->data, value);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  return g_strdup ("");
}

char *
portico_table_format_member (JsonObject *row,
                             const char *key)
{
  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!json_object_has_member (row, key))
    return g_strdup ("");

  return format_node (json_object_get_member (row, key));
}

static char *
format_cell (const PorticoTableColumn *column,
             JsonObject               *row)
{
  if (column->format != NULL)
    return column->format (row);

  return portico_table_format_member (row, column->key);
}

static double
member_number (JsonObject *row,
               const char *key)
{
  JsonNode *node;

  if (!json_object_has_member (row, key))
    return -G_MAXDOUBLE;
  node = json_object_get_member (row, key);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return JSON_NODE_HOLDS_ARRAY (node) ? json_array_get_length (json_node_get_array (node)) : -G_MAXDOUBLE;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtod (json_node_get_string (node), NULL);

  return json_node_get_double (node);
}

/* ---- Snapshots: one load's rows, shared with the worker threads ------- */

/* The columns a sort goes by, the first deciding; ties keep the read's order. */
#define MAX_SORT_COLUMNS 16

typedef struct
{
  guint    n;
  guint    column[MAX_SORT_COLUMNS];
  gboolean descending[MAX_SORT_COLUMNS];
} SortSpec;

/* Nothing in a snapshot changes once it is made, except the sort keys and
 * the cached order, which the workers make under @lock. The JSON objects
 * are only read (json-glib's reference counts are not atomic: no row holds
 * a reference of its own), and the last unref frees it all in a thread. */
typedef struct
{
  gatomicrefcount           ref_count;
  JsonNode                 *root;
  GPtrArray                *objects;      /* JsonObject, owned by @root */
  GPtrArray                *search_keys;  /* char *, casefolded, parallel */
  const PorticoTableColumn *columns;
  guint                     n_columns;

  GMutex                    lock;
  char                   ***text_keys;    /* [column][row] collation keys, or NULL */
  double                  **number_keys;  /* [column][row], or NULL */
  SortSpec                  order_spec;
  GArray                   *order;        /* guint: every row in @order_spec's order */
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  for (guint i = 0; i < snapshot->n_columns; i++)
    {
      if (snapshot->text_keys[i] != NULL)
        g_strfreev (snapshot->text_keys[i]);
      g_free (snapshot->number_keys[i]);
    }
  g_free (snapshot->text_keys);
  g_free (snapshot->number_keys);
  g_clear_pointer (&snapshot->order, g_array_unref);
  g_mutex_clear (&snapshot->lock);
  g_ptr_array_unref (snapshot->search_keys);
  g_ptr_array_unref (snapshot->objects);
  g_clear_pointer (&snapshot->root, json_node_unref);
  g_free (snapshot);
}

static Snapshot *
snapshot_ref (Snapshot *snapshot)
{
  g_atomic_ref_count_inc (&snapshot->ref_count);
  return snapshot;
}

/* Freeing 100k rows takes the main loop longer than a frame: the last
 * unref, wherever it happens, leaves it to a thread. */
static void
snapshot_unref (Snapshot *snapshot)
{
  if (g_atomic_ref_count_dec (&snapshot->ref_count))
    portico_free_in_thread (snapshot, (GDestroyNotify) snapshot_free);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_unref)

static char *
search_key (const PorticoTableColumn *columns,
            guint                     n_columns,
            JsonObject               *object)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_columns; i++)
    {
      g_autofree char *cell = format_cell (&columns[i], object);

      g_string_append (text, cell);
      g_string_append_c (text, '\n');
    }

  return g_utf8_casefold (text->str, text->len);
}

/* In a thread. Takes @root. NULL when cancelled. */
static Snapshot *
snapshot_new (JsonNode                 *root,
              const PorticoTableColumn *columns,
              guint                     n_columns,
              GCancellable             *cancellable)
{
  g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;
  guint n = array != NULL ? json_array_get_length (array) : 0;

  g_atomic_ref_count_init (&snapshot->ref_count);
  g_mutex_init (&snapshot->lock);
  snapshot->root = root;
  snapshot->columns = columns;
  snapshot->n_columns = n_columns;
  snapshot->objects = g_ptr_array_sized_new (n);
  snapshot->search_keys = g_ptr_array_new_full (n, g_free);
  snapshot->text_keys = g_new0 (char **, n_columns);
  snapshot->number_keys = g_new0 (double *, n_columns);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (object == NULL)
        continue;
      if (i % 1024 == 0 && g_cancellable_is_cancelled (cancellable))
        return NULL;
      g_ptr_array_add (snapshot->objects, object);
      /* The columns are static and the formatters pure: safe off the main loop. */
      g_ptr_array_add (snapshot->search_keys, search_key (columns, n_columns, object));
    }

  return g_steal_pointer (&snapshot);
}

static guint
snapshot_get_n_rows (Snapshot *snapshot)
{
  return snapshot != NULL ? snapshot->objects->len : 0;
}

static JsonObject *
snapshot_get_object (Snapshot *snapshot,
                     guint     index)
{
  return g_ptr_array_index (snapshot->objects, index);
}

typedef struct
{
  Snapshot       *snapshot;
  const SortSpec *spec;
} SortData;

static int
compare_indexes (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortData *data = user_data;
  guint ia = *(const guint *) a;
  guint ib = *(const guint *) b;

  for (guint k = 0; k < data->spec->n; k++)
    {
      guint column = data->spec->column[k];
      int result;

      if (data->snapshot->number_keys[column] != NULL)
        {
          double na = data->snapshot->number_keys[column][ia];
          double nb = data->snapshot->number_keys[column][ib];

          result = (na > nb) - (na < nb);
        }
      else
        result = strcmp (data->snapshot->text_keys[column][ia], data->snapshot->text_keys[column][ib]);

      if (data->spec->descending[k])
        result = -result;
      if (result != 0)
        return result;
    }

  /* Ties keep the order of the read. */
  return (ia > ib) - (ia < ib);
}

/* In a thread, with the lock held: what the sort by @column compares. Text
 * sorts as g_utf8_collate () of the cells' text would. */
static void
snapshot_make_keys (Snapshot *snapshot,
                    guint     column)
{
  const PorticoTableColumn *spec = &snapshot->columns[column];
  guint n = snapshot_get_n_rows (snapshot);

  if (spec->kind == PORTICO_TABLE_NUMBER)
    {
      if (snapshot->number_keys[column] != NULL)
        return;
      snapshot->number_keys[column] = g_new (double, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        snapshot->number_keys[column][i] = member_number (snapshot_get_object (snapshot, i), spec->key);
    }
  else
    {
      if (snapshot->text_keys[column] != NULL)
        return;
      snapshot->text_keys[column] = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *text = format_cell (spec, snapshot_get_object (snapshot, i));

          snapshot->text_keys[column][i] = g_utf8_collate_key (text, -1);
        }
    }
}

/* In a thread: every row's index in @spec's order (transfer full). The
 * last order is kept, so a search does not sort again. */
static GArray *
snapshot_get_order (Snapshot       *snapshot,
                    const SortSpec *spec)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&snapshot->lock);
  guint n = snapshot_get_n_rows (snapshot);
  GArray *order;

  if (snapshot->order != NULL && memcmp (&snapshot->order_spec, spec, sizeof *spec) == 0)
    return g_array_ref (snapshot->order);

  order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  g_array_set_size (order, n);
  for (guint i = 0; i < n; i++)
    g_array_index (order, guint, i) = i;
  if (spec->n > 0)
    {
      SortData data = { snapshot, spec };

      for (guint k = 0; k < spec->n; k++)
        snapshot_make_keys (snapshot, spec->column[k]);
      g_qsort_with_data (order->data, n, sizeof (guint), compare_indexes, &data);
    }

  g_clear_pointer (&snapshot->order, g_array_unref);
  snapshot->order = g_array_ref (order);
  snapshot->order_spec = *spec;
  return order;
}

/* In a thread: the positions to show, sorted by @spec, matching @search
 * (casefolded; NULL: all). NULL when cancelled. */
static GArray *
snapshot_arrange (Snapshot       *snapshot,
                  const SortSpec *spec,
                  const char     *search,
                  GCancellable   *cancellable)
{
  g_autoptr(GArray) order = snapshot_get_order (snapshot, spec);
  g_autoptr(GArray) shown = NULL;

  if (g_cancellable_is_cancelled (cancellable))
    return NULL;

  if (search == NULL)
    {
      shown = g_array_sized_new (FALSE, FALSE, sizeof (guint), order->len);
      g_array_append_vals (shown, order->data, order->len);
      return g_steal_pointer (&shown);
    }

  shown = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < order->len; i++)
    {
      guint index = g_array_index (order, guint, i);

      if (i % 4096 == 0 && g_cancellable_is_cancelled (cancellable))
        return NULL;
      if (strstr (g_ptr_array_index (snapshot->search_keys, index), search) != NULL)
        g_array_append_val (shown, index);
    }

  return g_steal_pointer (&shown);
}

/* ---- The view --------------------------------------------------------- */

/* A column's sorter compares rows through this. */
typedef struct
{
  PorticoTableView *view;
  guint             index;
} ColumnRef;

struct _PorticoTableView
{
  GtkWidget                 parent_instance;

  PorticoEngine            *engine;
  GCancellable             *cancellable;
  const PorticoTableColumn *columns;
  guint                     n_columns;
  ColumnRef                *column_refs;
  PorticoTableLoadFunc      load;
  PorticoTableLoadContextFunc load_context;
  GHashTable               *context;
  char                     *name;
  char                     *search_text;   /* casefolded, NULL = all */
  SortSpec                  sort;
  PorticoReload             reload;

  Snapshot                 *snapshot;      /* the last load */
  PorticoIndexModel        *rows;          /* what is shown, from a snapshot */
  /* Each search or sort (and each load installed) is a new generation; a
   * result of an older one is dropped. */
  guint                     generation;
  GCancellable             *arrange_cancellable;
  gboolean                  arranging;

  /* Reading the column view's sort order: GTK 4.8 has no getter, so the
   * column sorters answer two probe rows and note who was asked. */
  gboolean                  probing;
  guint                     probe_column;
  guint                     n_probed;
  guint                     probed[MAX_SORT_COLUMNS];
  PorticoIndexSlot         *probes[2];

  GtkSearchEntry           *search_entry;
  GtkLabel                 *count_label;
  GtkStack                 *stack;
  AdwStatusPage            *empty_page;
  GtkColumnView            *column_view;
};

G_DEFINE_FINAL_TYPE (PorticoTableView, portico_table_view, GTK_TYPE_WIDGET)

static void
portico_table_view_update_state (PorticoTableView *self)
{
  guint n_all = snapshot_get_n_rows (self->snapshot);
  guint n_shown = portico_index_model_get_n_positions (self->rows);
  g_autofree char *count = NULL;

  if (n_all == n_shown)
    count = g_strdup_printf (g_dngettext (NULL, "%'u row", "%'u rows", n_all), n_all);
  else
    count = g_strdup_printf (_("%'u of %'u rows"), n_shown, n_all);
  gtk_label_set_label (self->count_label, count);

  gtk_stack_set_visible_child_name (self->stack,
                                    n_all == 0 ? "empty" : n_shown == 0 ? "no-match" : "table");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.export", n_all > 0);
}

/* Drops what runs for older generations and starts a new one. */
static guint
portico_table_view_next_generation (PorticoTableView *self)
{
  g_cancellable_cancel (self->arrange_cancellable);
  g_clear_object (&self->arrange_cancellable);
  self->arrange_cancellable = g_cancellable_new ();
  self->arranging = FALSE;

  return ++self->generation;
}

static void
portico_table_view_install (PorticoTableView *self,
                            Snapshot         *snapshot,
                            GArray           *positions)
{
  portico_index_model_set_focus (self->rows,
                                 portico_index_model_first_shown (G_LIST_MODEL (self->rows),
                                                                  GTK_SCROLLABLE (self->column_view)));
  portico_index_model_set (self->rows, snapshot, positions);
  portico_table_view_update_state (self);
}

typedef struct
{
  Snapshot *snapshot;
  SortSpec  sort;
  char     *search;
  guint     generation;
} ArrangeData;

static void
arrange_data_free (ArrangeData *data)
{
  g_clear_pointer (&data->snapshot, snapshot_unref);
  g_free (data->search);
  g_free (data);
}

static void
arrange_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ArrangeData *data = task_data;
  GArray *positions = snapshot_arrange (data->snapshot, &data->sort, data->search, cancellable);

  if (positions == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_task_return_pointer (task, positions, (GDestroyNotify) g_array_unref);
}

static void
arrange_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PorticoTableView *self = PORTICO_TABLE_VIEW (source);
  ArrangeData *data = g_task_get_task_data (G_TASK (result));
  GArray *positions = g_task_propagate_pointer (G_TASK (result), NULL);

  if (positions == NULL)
    return;
  if (data->generation != self->generation)
    {
      portico_free_in_thread (positions, (GDestroyNotify) g_array_unref);
      return;
    }

  self->arranging = FALSE;
  portico_table_view_install (self, data->snapshot, positions);
}

/* The search or the sort changed: the positions are worked out again in
 * a thread, any older such work dropped. */
static void
portico_table_view_arrange (PorticoTableView *self)
{
  g_autoptr(GTask) task = NULL;
  ArrangeData *data;
  guint generation = portico_table_view_next_generation (self);

  /* A load under way arranges its rows when it is done. */
  if (self->snapshot == NULL)
    return;

  data = g_new0 (ArrangeData, 1);
  data->snapshot = snapshot_ref (self->snapshot);
  data->sort = self->sort;
  data->search = g_strdup (self->search_text);
  data->generation = generation;

  self->arranging = TRUE;
  task = g_task_new (self, self->arrange_cancellable, arrange_cb, NULL);
  g_task_set_source_tag (task, portico_table_view_arrange);
  g_task_set_task_data (task, data, (GDestroyNotify) arrange_data_free);
  portico_run_in_background (task, arrange_thread);
}

static void
on_search_changed (PorticoTableView *self,
                   GtkSearchEntry   *entry)
{
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autofree char *search = stripped[0] != '\0' ? g_utf8_casefold (stripped, -1) : NULL;

  if (self->rows == NULL || g_strcmp0 (search, self->search_text) == 0)
    return;

  g_free (self->search_text);
  self->search_text = g_steal_pointer (&search);
  portico_table_view_arrange (self);
}

static void
on_stop_search (PorticoTableView *self,
                GtkSearchEntry   *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

/* The column view's sort order, as GTK's column view sorter compares: the
 * columns in turn, each ascending or descending. */
static void
portico_table_view_read_sort (PorticoTableView *self,
                              SortSpec         *spec)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  guint chain[MAX_SORT_COLUMNS];
  guint n_chain;

  memset (spec, 0, sizeof *spec);
  self->probing = TRUE;

  /* Every column answers "equal": the sorter asks each sorting column. */
  self->probe_column = G_MAXUINT;
  self->n_probed = 0;
  gtk_sorter_compare (sorter, self->probes[0], self->probes[1]);
  n_chain = self->n_probed;
  memcpy (chain, self->probed, sizeof chain);

  /* One column answers "smaller": the sorter inverts it when descending. */
  for (guint k = 0; k < n_chain; k++)
    {
      self->probe_column = chain[k];
      spec->column[spec->n] = chain[k];
      spec->descending[spec->n] = gtk_sorter_compare (sorter, self->probes[0], self->probes[1]) == GTK_ORDERING_LARGER;
      spec->n++;
    }

  self->probing = FALSE;
}

static void
on_sorter_changed (PorticoTableView *self)
{
  SortSpec spec;

  portico_table_view_read_sort (self, &spec);
  if (memcmp (&spec, &self->sort, sizeof spec) == 0)
    return;

  self->sort = spec;
  portico_table_view_arrange (self);
}

typedef struct
{
  PorticoStore             *store;
  PorticoTableLoadFunc      load;
  PorticoTableLoadContextFunc load_context;
  GHashTable               *context;
  const PorticoTableColumn *columns;
  guint                     n_columns;
  SortSpec                  sort;
  char                     *search;
  guint                     generation;

  /* The result */
  Snapshot                 *snapshot;
  GArray                   *positions;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->context, g_hash_table_unref);
  g_free (data->search);
  g_clear_pointer (&data->snapshot, snapshot_unref);
  portico_free_in_thread (g_steal_pointer (&data->positions), (GDestroyNotify) g_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  JsonNode *node;
  GError *error = NULL;

  node = data->load_context != NULL
         ? data->load_context (data->store, data->context, &error)
         : data->load (data->store, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->snapshot = snapshot_new (node, data->columns, data->n_columns, cancellable);
  if (data->snapshot != NULL)
    data->positions = snapshot_arrange (data->snapshot, &data->sort, data->search, cancellable);
  if (data->positions == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoTableView *self = PORTICO_TABLE_VIEW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean again;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  again = portico_reload_end (&self->reload);
  if (error != NULL)
    {
      g_warning ("Cannot load the %s view: %s", self->name, error->message);
      adw_status_page_set_description (self->empty_page, error->message);
      portico_table_view_update_state (self);
      return;
    }

  g_clear_pointer (&self->snapshot, snapshot_unref);
  self->snapshot = g_steal_pointer (&data->snapshot);
  if (data->generation == self->generation)
    {
      /* Arranged as asked now; anything still running is for the old rows. */
      portico_table_view_next_generation (self);
      portico_table_view_install (self, self->snapshot, g_steal_pointer (&data->positions));
    }
  else
    portico_table_view_arrange (self);

  if (again)
    portico_table_view_reload (self);
}

void
portico_table_view_reload (PorticoTableView *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (PORTICO_IS_TABLE_VIEW (self));

  if (self->engine == NULL || (self->load == NULL && self->load_context == NULL))
    return;

  if (!portico_reload_begin (&self->reload))
    return;

  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (portico_engine_get_store (self->engine));
  data->load = self->load;
  data->load_context = self->load_context;
  data->context = self->context != NULL ? g_hash_table_ref (self->context) : NULL;
  data->columns = self->columns;
  data->n_columns = self->n_columns;
  data->sort = self->sort;
  data->search = g_strdup (self->search_text);
  data->generation = self->generation;

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, portico_table_view_reload);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  portico_run_in_background (task, load_thread);
}

void
portico_table_view_set_load_context (PorticoTableView            *self,
                                     PorticoTableLoadContextFunc  load,
                                     GHashTable                  *context)
{
  g_return_if_fail (PORTICO_IS_TABLE_VIEW (self));

  self->load_context = load;
  g_clear_pointer (&self->context, g_hash_table_unref);
  self->context = context != NULL ? g_hash_table_ref (context) : NULL;
  portico_table_view_reload (self);
}

gboolean
portico_table_view_is_loading (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), FALSE);

  return self->reload.loading || self->arranging || portico_index_model_is_settling (self->rows);
}

static void
on_engine_changed (PorticoTableView *self)
{
  if (portico_reload_changed (&self->reload, GTK_WIDGET (self)))
    portico_table_view_reload (self);
}

static void
portico_table_view_map (GtkWidget *widget)
{
  PorticoTableView *self = PORTICO_TABLE_VIEW (widget);

  GTK_WIDGET_CLASS (portico_table_view_parent_class)->map (widget);

  if (portico_reload_mapped (&self->reload))
    portico_table_view_reload (self);
}

void
portico_table_view_set_engine (PorticoTableView *self,
                               PorticoEngine    *engine)
{
  g_return_if_fail (PORTICO_IS_TABLE_VIEW (self));
  g_return_if_fail (!engine || PORTICO_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    {
      g_signal_connect_object (engine, "accounts-changed", G_CALLBACK (on_engine_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-finished", G_CALLBACK (on_engine_changed),
                               self, G_CONNECT_SWAPPED);
      portico_table_view_reload (self);
    }
}

/* Cells: a label per visible row and column. The column index rides on
 * the factory. */
static gboolean
on_cell_query_tooltip (GtkWidget  *label,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  const char *text = gtk_label_get_label (GTK_LABEL (label));

  if (text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            PorticoTableView         *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (self->columns[index].kind == PORTICO_TABLE_NUMBER)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  /* The tooltip is asked for when shown: gtk_widget_set_tooltip_text ()
   * in bind_cell () would query the pointer (a round trip to the X server)
   * for every cell bound. */
  gtk_widget_set_has_tooltip (label, TRUE);
  g_signal_connect (label, "query-tooltip", G_CALLBACK (on_cell_query_tooltip), NULL);
  gtk_list_item_set_child (item, label);
}

static void
update_cell (GtkLabel         *label,
             PorticoIndexSlot *slot)
{
  const PorticoTableColumn *column = g_object_get_data (G_OBJECT (label), "portico-column");
  g_autofree char *text = format_cell (column, snapshot_get_object (portico_index_slot_get_source (slot),
                                                                     portico_index_slot_get_index (slot)));

  gtk_label_set_label (label, text);
}

static void
on_cell_changed (PorticoIndexSlot *slot,
                 GtkLabel         *label)
{
  update_cell (label, slot);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           PorticoTableView         *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  PorticoIndexSlot *slot = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  g_object_set_data (G_OBJECT (label), "portico-column", (gpointer) &self->columns[index]);
  update_cell (GTK_LABEL (label), slot);
  /* A search or sort points the slot at another row. */
  g_signal_connect_object (slot, "changed", G_CALLBACK (on_cell_changed), label, 0);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             PorticoTableView         *self)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), on_cell_changed,
                                        gtk_list_item_get_child (item));
}

/* The column's sorter. The table sorts in a thread (see snapshot_arrange ()),
 * so this only answers portico_table_view_read_sort ()'s probes, and
 * compares like the thread for anyone else. */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const ColumnRef *ref = user_data;
  PorticoTableView *self = ref->view;
  const PorticoTableColumn *column = &self->columns[ref->index];
  PorticoIndexSlot *slot_a = (PorticoIndexSlot *) a, *slot_b = (PorticoIndexSlot *) b;
  JsonObject *ra, *rb;

  if (self->probing)
    {
      if (self->n_probed < MAX_SORT_COLUMNS)
        self->probed[self->n_probed++] = ref->index;
      return ref->index == self->probe_column ? -1 : 0;
    }

  if (portico_index_slot_get_source (slot_a) == NULL || portico_index_slot_get_source (slot_b) == NULL)
    return 0;
  ra = snapshot_get_object (portico_index_slot_get_source (slot_a), portico_index_slot_get_index (slot_a));
  rb = snapshot_get_object (portico_index_slot_get_source (slot_b), portico_index_slot_get_index (slot_b));

  if (column->kind == PORTICO_TABLE_NUMBER)
    {
      double na = member_number (ra, column->key);
      double nb = member_number (rb, column->key);

      return (na > nb) - (na < nb);
    }
  else
    {
      g_autofree char *ta = format_cell (column, ra);
      g_autofree char *tb = format_cell (column, rb);

      return g_utf8_collate (ta, tb);
    }
}

void
portico_table_view_setup (PorticoTableView         *self,
                          const char               *name,
                          const PorticoTableColumn *columns,
                          guint                     n_columns,
                          PorticoTableLoadFunc      load,
                          const char               *empty_icon,
                          const char               *empty_title,
                          const char               *empty_description)
{
  g_return_if_fail (PORTICO_IS_TABLE_VIEW (self));
  g_return_if_fail (self->columns == NULL);
  g_return_if_fail (columns != NULL && n_columns > 0 && n_columns <= MAX_SORT_COLUMNS);

  self->name = g_strdup (name);
  self->columns = columns;
  self->n_columns = n_columns;
  self->load = load;
  self->column_refs = g_new0 (ColumnRef, n_columns);

  adw_status_page_set_icon_name (self->empty_page, empty_icon);
  adw_status_page_set_title (self->empty_page, empty_title);
  adw_status_page_set_description (self->empty_page, empty_description);

  for (guint i = 0; i < n_columns; i++)
    {
      g_autoptr(GtkColumnViewColumn) column = NULL;
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkSorter *sorter;

      g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (i));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);

      self->column_refs[i].view = self;
      self->column_refs[i].index = i;
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, &self->column_refs[i], NULL));
      gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
    }

  portico_table_view_update_state (self);
}

GListModel *
portico_table_view_get_model (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);

  return G_LIST_MODEL (self->rows);
}

guint
portico_table_view_get_n_rows (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

char *
portico_table_view_get_cell_text (PorticoTableView *self,
                                  guint             row,
                                  guint             column)
{
  guint index;

  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  index = portico_index_model_get_index (self->rows, row);
  if (index == G_MAXUINT)
    return NULL;

  return format_cell (&self->columns[column],
                      snapshot_get_object (portico_index_model_get_source (self->rows), index));
}

GtkColumnView *
portico_table_view_get_column_view (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);

  return self->column_view;
}

GtkEditable *
portico_table_view_get_search_entry (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

char *
portico_table_view_to_csv (PorticoTableView *self)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  guint n_rows;

  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);

  for (guint i = 0; i < self->n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (csv, ',');
      portico_csv_append_field (csv, _(self->columns[i].title));
    }
  g_string_append (csv, "\r\n");

  n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  for (guint r = 0; r < n_rows; r++)
    {
      for (guint i = 0; i < self->n_columns; i++)
        {
          g_autofree char *text = portico_table_view_get_cell_text (self, r, i);

          if (i > 0)
            g_string_append_c (csv, ',');
          portico_csv_append_field (csv, text);
        }
      g_string_append (csv, "\r\n");
    }

  return g_string_free (g_steal_pointer (&csv), FALSE);
}

/* ---- Export ----------------------------------------------------------- */

static void
toast (PorticoTableView *self,
       const char       *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PorticoTableView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not export: %s"), error->message);
      toast (self, text);
      return;
    }

  toast (self, _("Exported"));
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(PorticoTableView) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *csv = portico_table_view_to_csv (self);
      g_autoptr(GBytes) bytes = g_bytes_new_take (csv, strlen (csv));

      /* GIO writes the file in its own thread. */
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           self->cancellable, write_cb, g_object_ref (self));
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PorticoTableView *self = PORTICO_TABLE_VIEW (widget);
  GtkFileChooserNative *dialog;
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *file_name = g_strdup_printf ("%s.csv", self->name ? self->name : "export");

  dialog = gtk_file_chooser_native_new (_("Export as CSV"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), file_name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
portico_table_view_dispose (GObject *object)
{
  PorticoTableView *self = (PorticoTableView *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->arrange_cancellable);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view), on_sorter_changed, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_TABLE_VIEW);
  /* The template's outer box has no id, so it is unparented here. */
  while (gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL)
    gtk_widget_unparent (gtk_widget_get_first_child (GTK_WIDGET (self)));
  g_clear_object (&self->engine);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->snapshot, snapshot_unref);
  g_clear_object (&self->probes[0]);
  g_clear_object (&self->probes[1]);

  G_OBJECT_CLASS (portico_table_view_parent_class)->dispose (object);
}

static void
portico_table_view_finalize (GObject *object)
{
  PorticoTableView *self = (PorticoTableView *)object;

  g_clear_pointer (&self->context, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->arrange_cancellable);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->column_refs, g_free);

  G_OBJECT_CLASS (portico_table_view_parent_class)->finalize (object);
}

static void
portico_table_view_class_init (PorticoTableViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_table_view_dispose;
  object_class->finalize = portico_table_view_finalize;

  widget_class->map = portico_table_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-table-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoTableView, column_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoTableView, count_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoTableView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PorticoTableView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PorticoTableView, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_action (widget_class, "table.export", NULL, export_action);
}

static void
portico_table_view_init (PorticoTableView *self)
{
  g_autoptr(GtkSelectionModel) selection = NULL;

  self->cancellable = g_cancellable_new ();
  self->arrange_cancellable = g_cancellable_new ();
  self->rows = portico_index_model_new ((GBoxedCopyFunc) snapshot_ref, (GDestroyNotify) snapshot_unref);
  self->probes[0] = portico_index_slot_new_empty ();
  self->probes[1] = portico_index_slot_new_empty ();

  gtk_widget_init_template (GTK_WIDGET (self));

  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows))));
  gtk_column_view_set_model (self->column_view, selection);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_sorter_changed), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.export", FALSE);
}
