/* portico-users-view.c: the Users view: every person, the apps they use and who reported it.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-users-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-users-view.h"

struct _PorticoUsersView
{
  GtkWidget         parent_instance;

  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoUsersView, portico_users_view, GTK_TYPE_WIDGET)

/* Where each app of the person was seen: "Figma (acme), Okta (Acme Inc.)";
 * the store's source label already names the app. */
static char *
format_sources (JsonObject *row)
{
  JsonArray *sources = json_object_has_member (row, "sources")
                       ? json_object_get_array_member (row, "sources") : NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; sources != NULL && i < json_array_get_length (sources); i++)
    {
      JsonObject *source = json_array_get_object_element (sources, i);
      const char *app, *from;

      if (source == NULL)
        continue;
      app = json_object_get_string_member_with_default (source, "app", "");
      from = json_object_get_string_member_with_default (source, "source", "");
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, from[0] != '\0' ? from : app);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const PorticoTableColumn columns[] = {
  { N_("Email"), "email", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Name"), "name", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Apps"), "apps", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Sources"), "sources", PORTICO_TABLE_TEXT, TRUE, format_sources },
};

GtkWidget *
portico_users_view_new (void)
{
  return g_object_new (PORTICO_TYPE_USERS_VIEW, NULL);
}

void
portico_users_view_set_engine (PorticoUsersView *self,
                             PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_USERS_VIEW (self));

  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_users_view_get_table (PorticoUsersView *self)
{
  g_return_val_if_fail (PORTICO_IS_USERS_VIEW (self), NULL);

  return self->table;
}

static void
portico_users_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_USERS_VIEW);

  G_OBJECT_CLASS (portico_users_view_parent_class)->dispose (object);
}

static void
portico_users_view_class_init (PorticoUsersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_users_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-users-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoUsersView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_users_view_init (PorticoUsersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "users", columns, G_N_ELEMENTS (columns),
                            portico_store_list_users,
                            "system-users-symbolic",
                            _("No Users Yet"),
                            _("Connect and sync an integration: the people it reports appear here, matched across apps by email."));
}
