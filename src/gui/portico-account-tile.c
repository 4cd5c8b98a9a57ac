/* portico-account-tile.c: one connected account under "Your integrations".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-account-tile"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-account-tile.h"
#include "portico-catalog-tile.h"

struct _PorticoAccountTile
{
  GtkWidget           parent_instance;

  JsonObject         *account;
  PorticoConnector   *connector;
  char               *status_label;
  char               *status_detail;
  guint               interval_hours;
  char               *connect_another_tooltip;
  PorticoAccountState state;
  gint64              progress;
  guint               syncing : 1;

  AdwAvatar          *icon;
  GtkLabel           *app_label;
  GtkLabel           *account_label;
  GtkStack           *status_stack;
  GtkImage           *status_icon;
  GtkSpinner         *spinner;
  GtkLabel           *progress_label;
  GtkMenuButton      *menu_button;
  GtkPopoverMenu     *popover;
  GtkButton          *connect_another_button;
};

G_DEFINE_FINAL_TYPE (PorticoAccountTile, portico_account_tile, GTK_TYPE_WIDGET)

enum {
  SYNC_NOW,
  SHOW_DETAILS,
  RENAME,
  RECONNECT,
  CONNECT_ANOTHER,
  DISCONNECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
portico_format_store_time (const char *store_time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (store_time == NULL || store_time[0] == '\0')
    return g_strdup (_("Never"));

  utc = g_date_time_new_from_iso8601 (store_time, NULL);
  if (utc == NULL)
    return g_strdup (store_time);

  local = g_date_time_to_local (utc);
  /* Translators: a date and time, see g_date_time_format(). */
  return g_date_time_format (local, _("%e %b %Y, %H:%M"));
}

static void
set_string (char       **target,
            const char  *value)
{
  g_free (*target);
  *target = g_strdup (value);
}


GtkWidget *
portico_account_tile_new (void)
{
  return g_object_new (PORTICO_TYPE_ACCOUNT_TILE, NULL);
}

static void
portico_account_tile_update_status (PorticoAccountTile *self)
{
  g_autoptr(PorticoAccountStatus) status = NULL;
  const char *icon_name, *css_class;
  g_autofree char *last = portico_format_store_time (portico_json_get_string (self->account, "last_sync_at"));
  g_autofree char *tooltip = NULL;
  const char *fingerprint;

  static const char * const classes[] = { "success", "warning", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), classes[i]);

  /* Icon, colour and words come from the one status model, as do the
   * details dialog and Needs attention. */
  status = portico_account_status_new (self->account, NULL, g_get_real_time () / G_USEC_PER_SEC,
                                       self->interval_hours > 0 ? self->interval_hours : 24);
  icon_name = status->icon_name;
  css_class = status->css_class;
  set_string (&self->status_label, status->label);

  if (self->syncing)
    {
      g_autofree char *progress = NULL;

      progress = g_strdup_printf (g_dngettext (NULL, "%'" PRId64 " item",
                                               "%'" PRId64 " items", self->progress),
                                  self->progress);
      gtk_label_set_label (self->progress_label, progress);
      set_string (&self->status_label, _("Syncing"));
    }

  g_free (self->status_detail);
  /* Translators: "Last sync: 5 Dec 2026, 08:00\n2 of 3 data types synced; ..." */
  self->status_detail = g_strdup_printf (_("Last sync: %s\n%s"), last, status->summary);

  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), css_class);
  gtk_stack_set_visible_child_name (self->status_stack, self->syncing ? "syncing" : "status");
  gtk_spinner_set_spinning (self->spinner, self->syncing);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->status_label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->status_detail,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->status_label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->status_detail,
                                  -1);

  fingerprint = portico_json_get_string (self->account, "fingerprint");
  if (fingerprint != NULL)
    /* Translators: the last line of an account tile's tooltip; %s is a
     * short digest such as "3f9a61c2", never the key itself. */
    tooltip = g_strdup_printf (_("%s\n%s\nCredential fingerprint: %s"),
                               self->status_label, self->status_detail, fingerprint);
  else
    tooltip = g_strdup_printf ("%s\n%s", self->status_label, self->status_detail);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.sync-now", !self->syncing);
}

void
portico_account_tile_set_account (PorticoAccountTile *self,
                                  JsonObject         *account,
                                  PorticoConnector   *connector)
{
  g_autofree char *menu_name = NULL;
  const char *account_name;
  gboolean multi;

  g_return_if_fail (PORTICO_IS_ACCOUNT_TILE (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (!connector || PORTICO_IS_CONNECTOR (connector));

  g_clear_pointer (&self->account, json_object_unref);
  self->account = json_object_ref (account);
  g_set_object (&self->connector, connector);
  self->state = portico_account_state_from_json (account);

  account_name = portico_account_tile_get_account_name (self);
  gtk_label_set_label (self->app_label, portico_account_tile_get_app_name (self));
  gtk_label_set_label (self->account_label, account_name);
  portico_connector_avatar_setup (self->icon, connector);

  /* Translators: the three-dot menu of a tile: "Slack – Acme actions". */
  menu_name = g_strdup_printf (_("%s – %s actions"), portico_account_tile_get_app_name (self), account_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, menu_name, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), menu_name);

  multi = connector != NULL && portico_connector_get_multi_account (connector);
  g_clear_pointer (&self->connect_another_tooltip, g_free);
  if (!multi)
    /* Translators: the tooltip of the disabled "Connect another" item. */
    self->connect_another_tooltip = g_strdup_printf (_("%s supports one account"),
                                                     portico_account_tile_get_app_name (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.connect-another", multi);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.reconnect", connector != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_another_button), self->connect_another_tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->connect_another_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->connect_another_tooltip ? self->connect_another_tooltip : "",
                                  -1);

  portico_account_tile_update_status (self);
}

void
portico_account_tile_set_interval_hours (PorticoAccountTile *self,
                                         guint               hours)
{
  g_return_if_fail (PORTICO_IS_ACCOUNT_TILE (self));

  self->interval_hours = hours;
  if (self->account != NULL)
    portico_account_tile_update_status (self);
}

JsonObject *
portico_account_tile_get_account (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->account;
}

PorticoConnector *
portico_account_tile_get_connector (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->connector;
}

gint64
portico_account_tile_get_account_id (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), 0);

  if (self->account == NULL)
    return 0;

  return json_object_get_int_member_with_default (self->account, "id", 0);
}

const char *
portico_account_tile_get_app_name (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  if (self->connector != NULL)
    return portico_connector_get_name (self->connector);

  return portico_json_get_string (self->account, "connector");
}

const char *
portico_account_tile_get_account_name (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return portico_json_get_string (self->account, "name");
}

void
portico_account_tile_set_syncing (PorticoAccountTile *self,
                                  gboolean            syncing)
{
  g_return_if_fail (PORTICO_IS_ACCOUNT_TILE (self));

  syncing = !!syncing;
  if (self->syncing == syncing)
    return;

  self->syncing = syncing;
  self->progress = 0;
  portico_account_tile_update_status (self);
}

gboolean
portico_account_tile_get_syncing (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), FALSE);

  return self->syncing;
}

void
portico_account_tile_set_progress (PorticoAccountTile *self,
                                   gint64              items)
{
  g_return_if_fail (PORTICO_IS_ACCOUNT_TILE (self));

  self->progress = items;
  if (self->syncing)
    portico_account_tile_update_status (self);
}

PorticoAccountState
portico_account_tile_get_state (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), PORTICO_ACCOUNT_STATE_NEVER);

  return self->state;
}

const char *
portico_account_tile_get_status_label (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->status_label;
}

const char *
portico_account_tile_get_status_detail (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->status_detail;
}

const char *
portico_account_tile_get_connect_another_tooltip (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->connect_another_tooltip;
}

GtkMenuButton *
portico_account_tile_get_menu_button (PorticoAccountTile *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_TILE (self), NULL);

  return self->menu_button;
}

static void
tile_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PorticoAccountTile *self = PORTICO_ACCOUNT_TILE (widget);
  static const struct { const char *action; guint signal; } map[] = {
    { "tile.sync-now", SYNC_NOW },
    { "tile.details", SHOW_DETAILS },
    { "tile.rename", RENAME },
    { "tile.reconnect", RECONNECT },
    { "tile.connect-another", CONNECT_ANOTHER },
    { "tile.disconnect", DISCONNECT },
  };

  /* The custom "Connect another" button does not close the menu itself. */
  gtk_menu_button_popdown (self->menu_button);

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (action_name, map[i].action))
      g_signal_emit (self, signals[map[i].signal], 0);
}

static void
portico_account_tile_dispose (GObject *object)
{
  PorticoAccountTile *self = (PorticoAccountTile *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_ACCOUNT_TILE);
  /* The template's outer box has no id, so it is unparented here. */
  while (gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL)
    gtk_widget_unparent (gtk_widget_get_first_child (GTK_WIDGET (self)));
  g_clear_object (&self->connector);
  g_clear_pointer (&self->account, json_object_unref);

  G_OBJECT_CLASS (portico_account_tile_parent_class)->dispose (object);
}

static void
portico_account_tile_finalize (GObject *object)
{
  PorticoAccountTile *self = (PorticoAccountTile *)object;

  g_clear_pointer (&self->status_label, g_free);
  g_clear_pointer (&self->status_detail, g_free);
  g_clear_pointer (&self->connect_another_tooltip, g_free);

  G_OBJECT_CLASS (portico_account_tile_parent_class)->finalize (object);
}

static void
portico_account_tile_class_init (PorticoAccountTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char * const names[N_SIGNALS] = {
    "sync-now", "show-details", "rename", "reconnect", "connect-another", "disconnect",
  };

  object_class->dispose = portico_account_tile_dispose;
  object_class->finalize = portico_account_tile_finalize;

  for (guint i = 0; i < N_SIGNALS; i++)
    signals[i] = g_signal_new (names[i], G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                               0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-account-tile.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "portico-account-tile");
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, account_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, app_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, connect_another_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, menu_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, popover);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, spinner);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountTile, status_stack);

  gtk_widget_class_install_action (widget_class, "tile.sync-now", NULL, tile_action);
  gtk_widget_class_install_action (widget_class, "tile.details", NULL, tile_action);
  gtk_widget_class_install_action (widget_class, "tile.rename", NULL, tile_action);
  gtk_widget_class_install_action (widget_class, "tile.reconnect", NULL, tile_action);
  gtk_widget_class_install_action (widget_class, "tile.connect-another", NULL, tile_action);
  gtk_widget_class_install_action (widget_class, "tile.disconnect", NULL, tile_action);
}

static void
portico_account_tile_init (PorticoAccountTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A GMenu item cannot carry a tooltip, and the disabled "Connect
   * another" must say why: a real button stands in for that item. */
  gtk_popover_menu_add_child (self->popover, GTK_WIDGET (self->connect_another_button), "connect-another");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.connect-another", FALSE);
}
