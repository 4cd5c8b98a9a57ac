/* portico-activity-view.c: the Activity view: the audit log of every integration event.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-activity-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-activity-view.h"

struct _PorticoActivityView
{
  GtkWidget         parent_instance;

  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoActivityView, portico_activity_view, GTK_TYPE_WIDGET)

static JsonNode *
load_audit_events (PorticoStore *store,
                   GError      **error)
{
  return portico_store_list_audit_events (store, 0, error);
}

static char *
format_account (JsonObject *row)
{
  const char *name = NULL;

  if (json_object_has_member (row, "account_name") && !json_object_get_null_member (row, "account_name"))
    name = json_object_get_string_member (row, "account_name");
  if (name != NULL)
    return g_strdup (name);

  return portico_table_format_member (row, "account");
}

static const PorticoTableColumn columns[] = {
  { N_("Time"), "time", PORTICO_TABLE_TEXT, FALSE, NULL },
  { N_("Account"), "account_name", PORTICO_TABLE_TEXT, FALSE, format_account },
  { N_("Event"), "kind", PORTICO_TABLE_TEXT, FALSE, NULL },
  { N_("Details"), "details", PORTICO_TABLE_TEXT, TRUE, NULL },
};

GtkWidget *
portico_activity_view_new (void)
{
  return g_object_new (PORTICO_TYPE_ACTIVITY_VIEW, NULL);
}

void
portico_activity_view_set_engine (PorticoActivityView *self,
                             PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_ACTIVITY_VIEW (self));

  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_activity_view_get_table (PorticoActivityView *self)
{
  g_return_val_if_fail (PORTICO_IS_ACTIVITY_VIEW (self), NULL);

  return self->table;
}

static void
portico_activity_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_ACTIVITY_VIEW);

  G_OBJECT_CLASS (portico_activity_view_parent_class)->dispose (object);
}

static void
portico_activity_view_class_init (PorticoActivityViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_activity_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-activity-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_activity_view_init (PorticoActivityView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "activity", columns, G_N_ELEMENTS (columns),
                            load_audit_events,
                            "document-open-recent-symbolic",
                            _("No Activity Yet"),
                            _("Every integration event (connected, tested, synced, failed, renamed, reconnected, disconnected) is listed here with its time."));
}
