/* portico-capability-cell.c: one cell of the integration capabilities table.
 *
 * The same widget serves every column so that the table's .ui file only has
 * to say which column a cell belongs to; the connector accessors decide what
 * it shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-capability-cell"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-capability-cell.h"
#include "portico-catalog-tile.h"

G_DEFINE_ENUM_TYPE (PorticoCapability, portico_capability,
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_NAME, "name"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_CATEGORY, "category"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_USERS, "users"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_LICENSES, "licenses"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_USAGE, "usage"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_CUSTOM_FIELDS, "custom-fields"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_EXPENSES, "expenses"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_ACTIONS, "actions"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS, "multiple-accounts"),
  G_DEFINE_ENUM_VALUE (PORTICO_CAPABILITY_CONNECTION_TEST, "connection-test"))

struct _PorticoCapabilityCell
{
  GtkWidget          parent_instance;

  PorticoConnector  *connector;
  PorticoCapability  capability;

  GtkImage          *icon;
  GtkLabel          *label;
  GtkImage          *check;
};

G_DEFINE_FINAL_TYPE (PorticoCapabilityCell, portico_capability_cell, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTOR,
  PROP_CAPABILITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
portico_capability_get_title (PorticoCapability capability)
{
  switch (capability)
    {
    case PORTICO_CAPABILITY_NAME:              return _("Name");
    case PORTICO_CAPABILITY_CATEGORY:          return _("Category");
    case PORTICO_CAPABILITY_USERS:             return _("Users");
    case PORTICO_CAPABILITY_LICENSES:          return _("Licenses");
    case PORTICO_CAPABILITY_USAGE:             return _("Usage");
    case PORTICO_CAPABILITY_CUSTOM_FIELDS:     return _("Custom fields");
    case PORTICO_CAPABILITY_EXPENSES:          return _("Expenses");
    case PORTICO_CAPABILITY_ACTIONS:           return _("Actions");
    case PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS: return _("Multiple accounts");
    case PORTICO_CAPABILITY_CONNECTION_TEST:   return _("Connection test");
    default:
      g_return_val_if_reached (NULL);
    }
}

static char *
join_labels (GStrv labels)
{
  if (labels == NULL || labels[0] == NULL)
    return NULL;

  /* TRANSLATORS: the separator between items of a list, as in "Department, Cost center". */
  return g_strjoinv (_(", "), labels);
}

gboolean
portico_capability_check (PorticoConnector  *connector,
                          PorticoCapability  capability,
                          char             **detail)
{
  g_autofree char *text = NULL;
  gboolean supported = FALSE;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);

  switch (capability)
    {
    case PORTICO_CAPABILITY_NAME:
      supported = TRUE;
      text = g_strdup (portico_connector_get_name (connector));
      break;

    case PORTICO_CAPABILITY_CATEGORY:
      supported = TRUE;
      text = g_strdup (portico_category_label (portico_connector_get_category (connector)));
      break;

    case PORTICO_CAPABILITY_USERS:
      supported = portico_connector_has_data_type (connector, "users");
      text = g_strdup (_("Reads every user of the account"));
      break;

    case PORTICO_CAPABILITY_LICENSES:
      supported = portico_connector_has_data_type (connector, "licenses");
      text = g_strdup (_("Reads license seats, total and assigned"));
      break;

    case PORTICO_CAPABILITY_USAGE:
      supported = portico_connector_has_data_type (connector, "usage");
      if (supported)
        {
          guint days = portico_connector_get_usage_period_days (connector);

          if (days > 0)
            text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last %u day", "Last %u days", days), days);
          else
            text = g_strdup (_("Last activity of each user"));
        }
      break;

    case PORTICO_CAPABILITY_CUSTOM_FIELDS:
      supported = portico_connector_has_data_type (connector, "custom_fields");
      if (supported)
        {
          g_auto(GStrv) labels = portico_connector_get_custom_field_labels (connector);

          text = join_labels (labels);
          if (text == NULL)
            text = g_strdup (_("Custom user fields"));
        }
      break;

    case PORTICO_CAPABILITY_EXPENSES:
      supported = portico_connector_has_data_type (connector, "transactions");
      text = g_strdup (_("Reads expense transactions"));
      break;

    case PORTICO_CAPABILITY_ACTIONS:
      {
        g_auto(GStrv) labels = portico_connector_get_action_labels (connector);

        text = join_labels (labels);
        supported = text != NULL;
      }
      break;

    case PORTICO_CAPABILITY_MULTIPLE_ACCOUNTS:
      supported = portico_connector_get_multi_account (connector);
      text = g_strdup (_("Several accounts can be connected"));
      break;

    case PORTICO_CAPABILITY_CONNECTION_TEST:
      supported = portico_connector_has_test (connector);
      text = g_strdup (_("Credentials are tested before connecting"));
      break;

    default:
      g_return_val_if_reached (FALSE);
    }

  if (detail != NULL)
    *detail = supported ? g_steal_pointer (&text) : NULL;

  return supported;
}

int
portico_capability_compare (PorticoConnector  *a,
                            PorticoConnector  *b,
                            PorticoCapability  capability)
{
  int result = 0;

  if (capability == PORTICO_CAPABILITY_CATEGORY)
    {
      const char *ca = portico_connector_get_category (a);
      const char *cb = portico_connector_get_category (b);

      result = portico_category_rank (ca) - portico_category_rank (cb);
      if (result == 0)
        result = g_utf8_collate (portico_category_label (ca), portico_category_label (cb));
    }
  else if (capability != PORTICO_CAPABILITY_NAME)
    {
      /* Supported first, so that a descending sort is never needed to find them. */
      result = (int) portico_capability_check (b, capability, NULL)
             - (int) portico_capability_check (a, capability, NULL);
    }

  if (result == 0)
    result = g_utf8_collate (portico_connector_get_name (a), portico_connector_get_name (b));

  return result;
}

static void
portico_capability_cell_update (PorticoCapabilityCell *self)
{
  g_autofree char *detail = NULL;
  gboolean text_column = self->capability == PORTICO_CAPABILITY_NAME
                      || self->capability == PORTICO_CAPABILITY_CATEGORY;
  gboolean supported = FALSE;

  if (self->connector != NULL)
    supported = portico_capability_check (self->connector, self->capability, &detail);

  gtk_widget_set_visible (GTK_WIDGET (self->label), text_column);
  gtk_widget_set_visible (GTK_WIDGET (self->icon),
                          self->capability == PORTICO_CAPABILITY_NAME && self->connector != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->check), !text_column && supported);

  if (text_column)
    {
      gtk_label_set_label (self->label, detail ? detail : "");
      if (self->capability == PORTICO_CAPABILITY_NAME && self->connector != NULL)
        {
          gtk_image_set_from_icon_name (self->icon,
                                        portico_connector_icon_or_fallback (self->connector,
                                                                            gtk_widget_get_display (GTK_WIDGET (self))));
        }
      return;
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->check), detail);
  if (supported)
    {
      g_autofree char *accessible = NULL;

      /* TRANSLATORS: accessible name of a check mark in the capabilities
       * table: "Slack, Multiple accounts: Several accounts can be connected". */
      accessible = g_strdup_printf (_("%s, %s: %s"),
                                    portico_connector_get_name (self->connector),
                                    portico_capability_get_title (self->capability),
                                    detail);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
    }
}

PorticoConnector *
portico_capability_cell_get_connector (PorticoCapabilityCell *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITY_CELL (self), NULL);

  return self->connector;
}

void
portico_capability_cell_set_connector (PorticoCapabilityCell *self,
                                       PorticoConnector      *connector)
{
  g_return_if_fail (PORTICO_IS_CAPABILITY_CELL (self));
  g_return_if_fail (!connector || PORTICO_IS_CONNECTOR (connector));

  if (g_set_object (&self->connector, connector))
    {
      portico_capability_cell_update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTOR]);
    }
}

PorticoCapability
portico_capability_cell_get_capability (PorticoCapabilityCell *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITY_CELL (self), PORTICO_CAPABILITY_NAME);

  return self->capability;
}

gboolean
portico_capability_cell_get_checked (PorticoCapabilityCell *self)
{
  g_return_val_if_fail (PORTICO_IS_CAPABILITY_CELL (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->check));
}

static void
portico_capability_cell_dispose (GObject *object)
{
  PorticoCapabilityCell *self = (PorticoCapabilityCell *)object;
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CAPABILITY_CELL);
  /* The template's top box has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->connector);

  G_OBJECT_CLASS (portico_capability_cell_parent_class)->dispose (object);
}

static void
portico_capability_cell_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  PorticoCapabilityCell *self = PORTICO_CAPABILITY_CELL (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      g_value_set_object (value, self->connector);
      break;

    case PROP_CAPABILITY:
      g_value_set_enum (value, self->capability);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_capability_cell_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  PorticoCapabilityCell *self = PORTICO_CAPABILITY_CELL (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR:
      {
        /* The property is a plain GObject so that list item templates can
         * bind GtkListItem:item to it without a cast. */
        GObject *connector = g_value_get_object (value);

        portico_capability_cell_set_connector (self, PORTICO_IS_CONNECTOR (connector)
                                                     ? PORTICO_CONNECTOR (connector) : NULL);
      }
      break;

    case PROP_CAPABILITY:
      self->capability = g_value_get_enum (value);
      portico_capability_cell_update (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_capability_cell_class_init (PorticoCapabilityCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_capability_cell_dispose;
  object_class->get_property = portico_capability_cell_get_property;
  object_class->set_property = portico_capability_cell_set_property;

  properties[PROP_CONNECTOR] =
    g_param_spec_object ("connector", NULL, NULL,
                         G_TYPE_OBJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAPABILITY] =
    g_param_spec_enum ("capability", NULL, NULL,
                       PORTICO_TYPE_CAPABILITY,
                       PORTICO_CAPABILITY_NAME,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-capability-cell.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilityCell, check);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilityCell, icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoCapabilityCell, label);
}

static void
portico_capability_cell_init (PorticoCapabilityCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  portico_capability_cell_update (self);
}
