/* portico-connector-dialog.c: what an integration is and what it needs.
 *
 * Opened from a catalog tile. Connect hands over to the connect dialog,
 * with the application's engine (and its sandbox in demo mode).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-application.h"
#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-connector-editor.h"
#include "portico-connector-dialog.h"
#include "portico-links.h"

struct _PorticoConnectorDialog
{
  AdwWindow         parent_instance;

  PorticoConnector *connector;

  AdwAvatar        *icon;
  GtkLabel         *name_label;
  GtkLabel         *category_label;
  GtkLabel         *help_label;
  GtkLinkButton    *help_link;
  GtkButton        *connect_button;
  GtkWidget        *custom_box;

  gint64            existing_account; /* a single-account connector's account, or 0 */
};

G_DEFINE_FINAL_TYPE (PorticoConnectorDialog, portico_connector_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONNECTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The engine of the running application; NULL in widget tests without one or
 * when the database could not be opened. */
static PorticoApplication *
get_application (void)
{
  GApplication *app = g_application_get_default ();

  return PORTICO_IS_APPLICATION (app) ? PORTICO_APPLICATION (app) : NULL;
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (widget);
  PorticoApplication *app = get_application ();
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (app == NULL || portico_application_get_engine (app) == NULL || self->connector == NULL)
    return;

  /* With its one account connected, the dialog reconnects that account. */
  portico_connect_dialog_present (parent, portico_application_get_engine (app), self->connector,
                                  portico_application_get_sandbox (app), self->existing_account);
  gtk_window_close (GTK_WINDOW (self));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (widget);
  PorticoApplication *app = get_application ();

  if (app == NULL || self->connector == NULL)
    return;
  g_action_group_activate_action (G_ACTION_GROUP (app), "edit-custom-integration",
                                  g_variant_new_string (portico_connector_get_id (self->connector)));
  gtk_window_close (GTK_WINDOW (self));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (widget);
  PorticoApplication *app = get_application ();

  if (app == NULL || portico_application_get_engine (app) == NULL || self->connector == NULL)
    return;
  portico_connector_export_run (GTK_WINDOW (self), portico_application_get_engine (app),
                                portico_connector_get_id (self->connector));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (widget);
  PorticoApplication *app = get_application ();

  if (app == NULL || portico_application_get_engine (app) == NULL || self->connector == NULL)
    return;
  portico_connector_delete_run (GTK_WINDOW (self), portico_application_get_engine (app),
                                portico_connector_get_id (self->connector));
}

static void
update_connect_action (PorticoConnectorDialog *self)
{
  PorticoApplication *app = get_application ();
  gboolean available = app != NULL && portico_application_get_engine (app) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connector.connect", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connector.edit", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connector.export", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connector.delete", available);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_button),
                               available ? NULL : _("The database is not available, so nothing can be connected"));
}

static void
portico_connector_dialog_set_connector (PorticoConnectorDialog *self,
                                        PorticoConnector       *connector)
{
  const char *help_url;
  const char *name;

  g_assert (PORTICO_IS_CONNECTOR_DIALOG (self));

  if (connector == NULL)
    return;

  self->connector = g_object_ref (connector);
  name = portico_connector_get_name (connector);
  help_url = portico_connector_get_help_url (connector);

  gtk_window_set_title (GTK_WINDOW (self), name);
  portico_connector_avatar_setup (self->icon, connector);
  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->category_label,
                       portico_category_label (portico_connector_get_category (connector)));
  gtk_label_set_label (self->help_label, portico_connector_get_help (connector));
  gtk_widget_set_visible (GTK_WIDGET (self->help_link), help_url != NULL);
  if (help_url != NULL)
    {
      gtk_link_button_set_uri (self->help_link, help_url);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->help_link), help_url);
    }
  /* The admin's own definitions can be edited, exported and deleted here. */
  gtk_widget_set_visible (self->custom_box, portico_connector_is_custom (connector));

  update_connect_action (self);
}

void
portico_connector_dialog_set_existing_account (PorticoConnectorDialog *self,
                                               gint64                  account_id,
                                               const char             *account_name)
{
  g_autofree char *note = NULL;
  g_autofree char *button_name = NULL;
  const char *app;

  g_return_if_fail (PORTICO_IS_CONNECTOR_DIALOG (self));
  g_return_if_fail (self->connector != NULL);

  if (account_id <= 0 || portico_connector_get_multi_account (self->connector))
    return;

  self->existing_account = account_id;
  app = portico_connector_get_name (self->connector);
  /* Translators: shown on a single-account app's page when its account exists. */
  note = g_strdup_printf (_("Connected as “%s”. %s supports one account: Reconnect gives it new credentials or another owner."),
                          account_name, app);
  gtk_label_set_label (self->help_label, note);
  gtk_label_set_label (GTK_LABEL (gtk_button_get_child (self->connect_button)), _("_Reconnect"));
  /* Translators: "Reconnect Okta – Acme" */
  button_name = g_strdup_printf (_("Reconnect %s – %s"), app, account_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->connect_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
}

gint64
portico_connector_dialog_get_existing_account (PorticoConnectorDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_DIALOG (self), 0);

  return self->existing_account;
}

GtkWidget *
portico_connector_dialog_new (PorticoConnector *connector)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  return g_object_new (PORTICO_TYPE_CONNECTOR_DIALOG,
                       "connector", connector,
                       NULL);
}

PorticoConnector *
portico_connector_dialog_get_connector (PorticoConnectorDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR_DIALOG (self), NULL);

  return self->connector;
}

static void
portico_connector_dialog_dispose (GObject *object)
{
  PorticoConnectorDialog *self = (PorticoConnectorDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CONNECTOR_DIALOG);
  g_clear_object (&self->connector);

  G_OBJECT_CLASS (portico_connector_dialog_parent_class)->dispose (object);
}

static void
portico_connector_dialog_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      g_value_set_object (value, self->connector);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_connector_dialog_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PorticoConnectorDialog *self = PORTICO_CONNECTOR_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      portico_connector_dialog_set_connector (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_connector_dialog_class_init (PorticoConnectorDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_connector_dialog_dispose;
  object_class->get_property = portico_connector_dialog_get_property;
  object_class->set_property = portico_connector_dialog_set_property;

  properties[PROP_CONNECTOR] =
    g_param_spec_object ("connector", NULL, NULL,
                         PORTICO_TYPE_CONNECTOR,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-connector-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, category_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, custom_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, help_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, help_link);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectorDialog, name_label);

  gtk_widget_class_install_action (widget_class, "connector.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connector.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "connector.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "connector.delete", NULL, delete_action);
}

static void
portico_connector_dialog_init (PorticoConnectorDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  portico_link_button_use_show_uri (self->help_link);
  update_connect_action (self);
}
