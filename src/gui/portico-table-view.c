/* portico-table-view.c: a searchable, sortable table over one store read.
 *
 * Rows are small GObjects holding one JSON object of the read; they are
 * built in the loading thread, so only the splice into the list store
 * happens on the main loop. The column view creates cells for the visible
 * rows only, which keeps 100k users fast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-table-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-table-view.h"
#include "portico-format.h"
#include "portico-reload.h"

/* ---- Rows ------------------------------------------------------------- */

#define PORTICO_TYPE_TABLE_ROW (portico_table_row_get_type ())
G_DECLARE_FINAL_TYPE (PorticoTableRow, portico_table_row, PORTICO, TABLE_ROW, GObject)

struct _PorticoTableRow
{
  GObject     parent_instance;

  JsonObject *object;
  char       *search_key;   /* casefolded text of every column */
};

G_DEFINE_FINAL_TYPE (PorticoTableRow, portico_table_row, G_TYPE_OBJECT)

static void
portico_table_row_finalize (GObject *object)
{
  PorticoTableRow *self = (PorticoTableRow *)object;

  g_clear_pointer (&self->object, json_object_unref);
  g_clear_pointer (&self->search_key, g_free);

  G_OBJECT_CLASS (portico_table_row_parent_class)->finalize (object);
}

static void
portico_table_row_class_init (PorticoTableRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_table_row_finalize;
}

static void
portico_table_row_init (PorticoTableRow *self)
{
}

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

/* ---- The view --------------------------------------------------------- */

struct _PorticoTableView
{
  GtkWidget                 parent_instance;

  PorticoEngine            *engine;
  GCancellable             *cancellable;
  const PorticoTableColumn *columns;
  guint                     n_columns;
  PorticoTableLoadFunc      load;
  PorticoTableLoadContextFunc load_context;
  GHashTable               *context;
  char                     *name;
  char                     *search_text;   /* casefolded, NULL = all */
  PorticoReload             reload;

  GListStore               *rows;
  GtkFilter                *filter;
  GtkFilterListModel       *filtered;
  GtkSortListModel         *sorted;

  GtkSearchEntry           *search_entry;
  GtkLabel                 *count_label;
  GtkStack                 *stack;
  AdwStatusPage            *empty_page;
  GtkColumnView            *column_view;
};

G_DEFINE_FINAL_TYPE (PorticoTableView, portico_table_view, GTK_TYPE_WIDGET)

static char *
portico_table_view_search_key (PorticoTableView *self,
                               JsonObject       *object)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->n_columns; i++)
    {
      g_autofree char *cell = format_cell (&self->columns[i], object);

      g_string_append (text, cell);
      g_string_append_c (text, '\n');
    }

  return g_utf8_casefold (text->str, text->len);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  PorticoTableView *self = user_data;
  PorticoTableRow *row = item;

  if (self->search_text == NULL)
    return TRUE;

  return strstr (row->search_key, self->search_text) != NULL;
}

static void
portico_table_view_update_state (PorticoTableView *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
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

static void
on_search_changed (PorticoTableView *self,
                   GtkSearchEntry   *entry)
{
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (self->filter == NULL)
    return;

  g_clear_pointer (&self->search_text, g_free);
  if (stripped[0] != '\0')
    self->search_text = g_utf8_casefold (stripped, -1);

  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
  portico_table_view_update_state (self);
}

static void
on_stop_search (PorticoTableView *self,
                GtkSearchEntry   *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

typedef struct
{
  PorticoStore         *store;
  PorticoTableLoadFunc  load;
  PorticoTableLoadContextFunc load_context;
  GHashTable           *context;
  PorticoTableView     *view;   /* for the search keys only; not touched otherwise */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->context, g_hash_table_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  JsonArray *array;

  node = data->load_context != NULL
         ? data->load_context (data->store, data->context, &error)
         : data->load (data->store, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      PorticoTableRow *row;

      if (object == NULL)
        continue;
      if (i % 1024 == 0 && g_cancellable_is_cancelled (cancellable))
        break;

      row = g_object_new (PORTICO_TYPE_TABLE_ROW, NULL);
      row->object = json_object_ref (object);
      /* The columns are static and the formatters pure: safe off the main loop. */
      row->search_key = portico_table_view_search_key (data->view, object);
      g_ptr_array_add (rows, row);
    }

  g_task_return_pointer (task, g_steal_pointer (&rows), (GDestroyNotify) g_ptr_array_unref);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoTableView *self = PORTICO_TABLE_VIEW (source);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  gboolean again;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  again = portico_reload_end (&self->reload);
  if (rows == NULL)
    {
      g_warning ("Cannot load the %s view: %s", self->name, error->message);
      adw_status_page_set_description (self->empty_page, error->message);
      portico_table_view_update_state (self);
      return;
    }

  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  portico_table_view_update_state (self);

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
  data->view = self;

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, portico_table_view_reload);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
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

  return self->reload.loading;
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
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           PorticoTableView         *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  PorticoTableRow *row = gtk_list_item_get_item (item);
  g_autofree char *text = format_cell (&self->columns[index], row->object);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, text[0] != '\0' ? text : NULL);
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const PorticoTableColumn *column = user_data;
  JsonObject *ra = ((PorticoTableRow *) a)->object;
  JsonObject *rb = ((PorticoTableRow *) b)->object;

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
  g_return_if_fail (columns != NULL && n_columns > 0);

  self->name = g_strdup (name);
  self->columns = columns;
  self->n_columns = n_columns;
  self->load = load;

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

      column = gtk_column_view_column_new (_(columns[i].title), factory);
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, (gpointer) &columns[i], NULL));
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

  return G_LIST_MODEL (self->sorted);
}

guint
portico_table_view_get_n_rows (PorticoTableView *self)
{
  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

char *
portico_table_view_get_cell_text (PorticoTableView *self,
                                  guint             row,
                                  guint             column)
{
  g_autoptr(PorticoTableRow) item = NULL;

  g_return_val_if_fail (PORTICO_IS_TABLE_VIEW (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->sorted), row);
  if (item == NULL)
    return NULL;

  return format_cell (&self->columns[column], item->object);
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

  n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint r = 0; r < n_rows; r++)
    {
      g_autoptr(PorticoTableRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), r);

      for (guint i = 0; i < self->n_columns; i++)
        {
          g_autofree char *text = format_cell (&self->columns[i], row->object);

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
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_TABLE_VIEW);
  /* The template's outer box has no id, so it is unparented here. */
  while (gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL)
    gtk_widget_unparent (gtk_widget_get_first_child (GTK_WIDGET (self)));
  g_clear_object (&self->engine);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (portico_table_view_parent_class)->dispose (object);
}

static void
portico_table_view_finalize (GObject *object)
{
  PorticoTableView *self = (PorticoTableView *)object;

  g_clear_pointer (&self->context, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->search_text, g_free);

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
  self->rows = g_list_store_new (PORTICO_TYPE_TABLE_ROW);
  self->filter = GTK_FILTER (gtk_custom_filter_new (filter_func, self, NULL));

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                              g_object_ref (self->filter));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted))));
  gtk_column_view_set_model (self->column_view, selection);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.export", FALSE);
}
