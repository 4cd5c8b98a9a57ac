/* portico-workflows-view.c: the Workflows view.
 *
 * An empty state until the store can list what integrations report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-workflows-view"

#include "config.h"

#include "portico-workflows-view.h"

struct _PorticoWorkflowsView
{
  GtkWidget      parent_instance;

  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (PorticoWorkflowsView, portico_workflows_view, GTK_TYPE_WIDGET)

GtkWidget *
portico_workflows_view_new (void)
{
  return g_object_new (PORTICO_TYPE_WORKFLOWS_VIEW, NULL);
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
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, status_page);
}

static void
portico_workflows_view_init (PorticoWorkflowsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
