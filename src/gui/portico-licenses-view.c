/* portico-licenses-view.c: the Licenses view: per app with a connected account, the seats bought, assigned and inactive.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-licenses-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-licenses-view.h"

struct _PorticoLicensesView
{
  GtkWidget         parent_instance;

  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoLicensesView, portico_licenses_view, GTK_TYPE_WIDGET)


static const PorticoTableColumn columns[] = {
  { N_("App"), "app", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("License"), "name", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("SKU"), "sku", PORTICO_TABLE_TEXT, FALSE, NULL },
  { N_("Total"), "total", PORTICO_TABLE_NUMBER, FALSE, NULL },
  { N_("Assigned"), "assigned", PORTICO_TABLE_NUMBER, FALSE, NULL },
  { N_("Inactive"), "inactive", PORTICO_TABLE_NUMBER, FALSE, NULL },
};

GtkWidget *
portico_licenses_view_new (void)
{
  return g_object_new (PORTICO_TYPE_LICENSES_VIEW, NULL);
}

void
portico_licenses_view_set_engine (PorticoLicensesView *self,
                             PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_LICENSES_VIEW (self));

  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_licenses_view_get_table (PorticoLicensesView *self)
{
  g_return_val_if_fail (PORTICO_IS_LICENSES_VIEW (self), NULL);

  return self->table;
}

static void
portico_licenses_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_LICENSES_VIEW);

  G_OBJECT_CLASS (portico_licenses_view_parent_class)->dispose (object);
}

static void
portico_licenses_view_class_init (PorticoLicensesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_licenses_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-licenses-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoLicensesView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_licenses_view_init (PorticoLicensesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "licenses", columns, G_N_ELEMENTS (columns),
                            portico_store_list_licenses,
                            "emblem-documents-symbolic",
                            _("No Licenses Yet"),
                            _("Connect and sync an app that reports licenses: its seats, how many are assigned and how many sit unused appear here."));
}
