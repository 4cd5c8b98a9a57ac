/* portico-capabilities-dialog.c: the integration capabilities table.
 *
 * One row per connector of the catalog, one column per capability; the
 * columns come from the .ui file in the order of PorticoCapability, which
 * is how each one gets its sorter here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-capabilities-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-capabilities-dialog.h"
#include "portico-capability-cell.h"
#include "portico-integrations-page.h"

struct _PorticoCapabilitiesDialog
{
  AdwWindow       parent_instance;

  GListModel     *catalog;
  GtkFilter      *filter;
  GListModel     *rows;
  char           *search_text;

  GtkColumnView  *column_view;
  GtkSearchEntry *search_entry;
  GtkStack       *results_stack;
  AdwWindowTitle *window_title;
};

G_DEFINE_FINAL_TYPE (PorticoCapabilitiesDialog, portico_capabilities_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CATALOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  PorticoCapabilitiesDialog *self = user_data;

  return portico_connector_matches_search (item, self->search_text);
}

static int
compare_func (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return portico_capability_compare ((PorticoConnector *)a,
                                     (PorticoConnector *)b,
                                     GPOINTER_TO_INT (user_data));
}

static void
portico_capabilities_dialog_update_subtitle (PorticoCapabilitiesDialog *self)
{
  g_autofree char *subtitle = NULL;
  guint n = self->rows ? g_list_model_get_n_items (self->rows) : 0;

  /* The search entry may still report a change while the template is torn down. */
  if (self->window_title == NULL)
    return;

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u integration", "%'u integrations", n), n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->results_stack, n > 0 ? "table" : "no-match");
}

static void
on_search_changed (PorticoCapabilitiesDialog *self,
                   GtkSearchEntry            *entry)
{
  g_autofree char *stripped = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (self->filter == NULL)
    return;

  g_clear_pointer (&self->search_text, g_free);
  if (stripped[0] != '\0')
    self->search_text = g_utf8_casefold (stripped, -1);

  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
  portico_capabilities_dialog_update_subtitle (self);
}

static void
portico_capabilities_dialog_set_catalog (PorticoCapabilitiesDialog *self,
                                         GListModel                *catalog)
{
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;

  g_assert (PORTICO_IS_CAPABILITIES_DIALOG (self));
  g_assert (self->catalog == NULL);

  if (catalog == NULL)
    return;

  self->catalog = g_object_ref (catalog);
  filtered = gtk_filter_list_model_new (g_object_ref (catalog), g_object_ref (self->filter));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->rows = G_LIST_MODEL (sorted);
  gtk_column_view_set_model (self->column_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (self->rows))));
  g_signal_connect_object (self->rows, "items-changed",
                           G_CALLBACK (portico_capabilities_dialog_update_subtitle), self,
                           G_CONNECT_SWAPPED);
  portico_capabilities_dialog_update_subtitle (self);
}

GtkWidget *
portico_capabilities_dialog_new (GListModel *catalog)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (catalog), NULL);

  return g_object_new (PORTICO_TYPE_CAPABILITIES_DIALOG,
                       "catalog", catalog,
                       NULL);
}

GtkColumnView *
portico_capabilities_dialog_get_column_view (PorticoCapabilitiesDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITIES_DIALOG (self), NULL);

  return self->column_view;
}

GtkEditable *
portico_capabilities_dialog_get_search_entry (PorticoCapabilitiesDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITIES_DIALOG (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}

GListModel *
portico_capabilities_dialog_get_rows (PorticoCapabilitiesDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITIES_DIALOG (self), NULL);

  return self->rows;
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PorticoCapabilitiesDialog *self = PORTICO_CAPABILITIES_DIALOG (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
portico_capabilities_dialog_dispose (GObject *object)
{
  PorticoCapabilitiesDialog *self = (PorticoCapabilitiesDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CAPABILITIES_DIALOG);
  g_clear_object (&self->rows);
  g_clear_object (&self->filter);
  g_clear_object (&self->catalog);

  G_OBJECT_CLASS (portico_capabilities_dialog_parent_class)->dispose (object);
}

static void
portico_capabilities_dialog_finalize (GObject *object)
{
  PorticoCapabilitiesDialog *self = (PorticoCapabilitiesDialog *)object;

  g_clear_pointer (&self->search_text, g_free);

  G_OBJECT_CLASS (portico_capabilities_dialog_parent_class)->finalize (object);
}

static void
portico_capabilities_dialog_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  PorticoCapabilitiesDialog *self = PORTICO_CAPABILITIES_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      g_value_set_object (value, self->catalog);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_capabilities_dialog_set_property (GObject      *object,
                                          guint         prop_id,
                                          const GValue *value,
                                          GParamSpec   *pspec)
{
  PorticoCapabilitiesDialog *self = PORTICO_CAPABILITIES_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CATALOG:
      portico_capabilities_dialog_set_catalog (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_capabilities_dialog_class_init (PorticoCapabilitiesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_capabilities_dialog_dispose;
  object_class->finalize = portico_capabilities_dialog_finalize;
  object_class->get_property = portico_capabilities_dialog_get_property;
  object_class->set_property = portico_capabilities_dialog_set_property;

  properties[PROP_CATALOG] =
    g_param_spec_object ("catalog", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-capabilities-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilitiesDialog, column_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilitiesDialog, results_stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilitiesDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilitiesDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "capabilities.search", NULL, search_action);

  g_type_ensure (PORTICO_TYPE_CAPABILITY_CELL);
}

static void
portico_capabilities_dialog_init (PorticoCapabilitiesDialog *self)
{
  g_autoptr(GListModel) columns = NULL;
  guint n_columns;

  self->filter = GTK_FILTER (gtk_custom_filter_new (filter_func, self, NULL));

  gtk_widget_init_template (GTK_WIDGET (self));

  columns = g_object_ref (gtk_column_view_get_columns (self->column_view));
  n_columns = g_list_model_get_n_items (columns);
  g_assert (n_columns == PORTICO_CAPABILITY_CONNECTION_TEST + 1);

  for (guint i = 0; i < n_columns; i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      g_autoptr(GtkSorter) sorter = NULL;

      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_func, GINT_TO_POINTER (i), NULL));
      gtk_column_view_column_set_sorter (column, sorter);
    }

  {
    g_autoptr(GtkColumnViewColumn) name_column = g_list_model_get_item (columns, PORTICO_CAPABILITY_NAME);

    gtk_column_view_sort_by_column (self->column_view, name_column, GTK_SORT_ASCENDING);
  }
}
