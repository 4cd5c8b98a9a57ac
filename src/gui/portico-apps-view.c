/* portico-apps-view.c: the Apps view: every app Portico knows of, with its users and where it was discovered.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-apps-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-apps.h"
#include "portico-apps-view.h"

struct _PorticoAppsView
{
  GtkWidget         parent_instance;

  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoAppsView, portico_apps_view, GTK_TYPE_WIDGET)

static char *
format_connected (JsonObject *row)
{
  gboolean connected = json_object_get_boolean_member_with_default (row, "connected", FALSE);

  return g_strdup (connected ? _("Connected") : _("Not connected"));
}

static char *
format_spend (JsonObject *row)
{
  const char *text = json_object_get_string_member_with_default (row, "spend_text", NULL);

  return g_strdup (text != NULL ? text : "");
}

/* The store's apps in the catalog's words (portico-apps.h), in the table's
 * thread; @context is the catalog index made on the main loop. */
static JsonNode *
load_apps (PorticoStore *store,
           GHashTable   *context,
           GError      **error)
{
  JsonNode *apps = portico_store_list_apps (store, error);

  if (apps != NULL)
    portico_apps_describe (apps, context);
  return apps;
}

static const PorticoTableColumn columns[] = {
  { N_("Name"), "name", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Category"), "category_label", PORTICO_TABLE_TEXT, FALSE, NULL },
  /* Every source counts: the people an identity provider assigns too. */
  { N_("Users"), "users", PORTICO_TABLE_NUMBER, FALSE, NULL },
  { N_("Spend"), "spend", PORTICO_TABLE_NUMBER, FALSE, format_spend },
  { N_("Sources"), "sources", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Account"), "connected", PORTICO_TABLE_TEXT, FALSE, format_connected },
};

GtkWidget *
portico_apps_view_new (void)
{
  return g_object_new (PORTICO_TYPE_APPS_VIEW, NULL);
}

void
portico_apps_view_set_engine (PorticoAppsView *self,
                             PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_APPS_VIEW (self));

  if (engine != NULL)
    {
      g_autoptr(GHashTable) index = portico_apps_index_new (portico_engine_get_catalog (engine));

      portico_table_view_set_load_context (self->table, load_apps, index);
    }
  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_apps_view_get_table (PorticoAppsView *self)
{
  g_return_val_if_fail (PORTICO_IS_APPS_VIEW (self), NULL);

  return self->table;
}

static void
portico_apps_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_APPS_VIEW);

  G_OBJECT_CLASS (portico_apps_view_parent_class)->dispose (object);
}

static void
portico_apps_view_class_init (PorticoAppsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_apps_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-apps-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoAppsView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_apps_view_init (PorticoAppsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "apps", columns, G_N_ELEMENTS (columns),
                            portico_store_list_apps,
                            "view-app-grid-symbolic",
                            _("No Apps Yet"),
                            _("Connect an integration to see apps here, with who uses them and where Portico discovered them."));
}
