/* portico-workflows-view.c: the Workflows view: each workflow, whether it is still valid and why not.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-workflows-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-workflows-view.h"

struct _PorticoWorkflowsView
{
  GtkWidget         parent_instance;

  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoWorkflowsView, portico_workflows_view, GTK_TYPE_WIDGET)

static char *
format_validity (JsonObject *row)
{
  const char *reason;

  if (json_object_get_boolean_member_with_default (row, "valid", TRUE))
    return g_strdup (_("Valid"));

  reason = json_object_has_member (row, "invalid_reason") && !json_object_get_null_member (row, "invalid_reason")
           ? json_object_get_string_member (row, "invalid_reason") : NULL;
  if (reason == NULL || reason[0] == '\0')
    return g_strdup (_("Invalid"));

  return g_strdup_printf (_("Invalid: %s"), reason);
}

/* "Suspend user, Remove license (failing: the account was disconnected)" */
static char *
format_actions (JsonObject *row)
{
  JsonArray *actions = json_object_has_member (row, "actions")
                       ? json_object_get_array_member (row, "actions") : NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *action = json_array_get_object_element (actions, i);
      const char *label;

      if (action == NULL)
        continue;
      label = json_object_get_string_member_with_default (action, "label", "");
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, label);
      if (json_object_get_boolean_member_with_default (action, "failing", FALSE))
        g_string_append_printf (text, " (%s)", _("failing"));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const PorticoTableColumn columns[] = {
  { N_("Name"), "name", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Status"), "valid", PORTICO_TABLE_TEXT, TRUE, format_validity },
  { N_("Trigger"), "trigger", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Actions"), "actions", PORTICO_TABLE_TEXT, TRUE, format_actions },
};

GtkWidget *
portico_workflows_view_new (void)
{
  return g_object_new (PORTICO_TYPE_WORKFLOWS_VIEW, NULL);
}

void
portico_workflows_view_set_engine (PorticoWorkflowsView *self,
                             PorticoEngine *engine)
{
  g_return_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self));

  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_workflows_view_get_table (PorticoWorkflowsView *self)
{
  g_return_val_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self), NULL);

  return self->table;
}

static void
portico_workflows_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_WORKFLOWS_VIEW);

  G_OBJECT_CLASS (portico_workflows_view_parent_class)->dispose (object);
}

static void
portico_workflows_view_class_init (PorticoWorkflowsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_workflows_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-workflows-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_workflows_view_init (PorticoWorkflowsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "workflows", columns, G_N_ELEMENTS (columns),
                            portico_store_list_workflows,
                            "media-playlist-shuffle-symbolic",
                            _("No Workflows"),
                            _("Workflows that depend on integrations appear here, with whether they are still valid."));
}
