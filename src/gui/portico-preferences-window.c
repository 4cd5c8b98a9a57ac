/* portico-preferences-window.c: sync interval, notifications, default
 * permission level, and where the data and the secrets live.
 *
 * Every control is bound to its GSettings key, so a change applies at once:
 * the window's scheduler is bound to sync-interval-hours and sync-on-metered,
 * the notifier reads
 * notifications, and the connect dialog starts at default-permission.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-credentials.h"
#include "portico-preferences-window.h"

struct _PorticoPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  char                 *db_path;

  AdwActionRow         *interval_row;
  GtkSpinButton        *interval_spin;
  GtkSpinButton        *pause_spin;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *metered_switch;
  AdwComboRow          *permission_row;
  AdwActionRow         *database_row;
  GtkWidget            *copy_path_button;
  AdwActionRow         *secrets_row;
};

G_DEFINE_FINAL_TYPE (PorticoPreferencesWindow, portico_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row's items, in order. */
static const char * const permission_levels[] = { "read", "act" };

static gboolean
interval_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));
  return TRUE;
}

static GVariant *
interval_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 1, 168));
}

static gboolean
pause_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant));
  return TRUE;
}

static GVariant *
pause_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 0, 100));
}

static gboolean
permission_get_mapping (GValue   *value,
                        GVariant *variant,
                        gpointer  user_data)
{
  const char *level = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (permission_levels); i++)
    {
      if (g_str_equal (level, permission_levels[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
permission_set_mapping (const GValue       *value,
                        const GVariantType *expected_type,
                        gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (permission_levels))
    return NULL;

  return g_variant_new_string (permission_levels[i]);
}

static void
update_interval_subtitle (PorticoPreferencesWindow *self)
{
  guint hours = g_settings_get_uint (self->settings, "sync-interval-hours");
  g_autofree char *text = NULL;

  if (hours % 24 == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Every account syncs every day",
                                         "Every account syncs every %u days",
                                         hours / 24),
                            hours / 24);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Every account syncs every hour",
                                         "Every account syncs every %u hours",
                                         hours),
                            hours);
  adw_action_row_set_subtitle (self->interval_row, text);
}

static void
on_copy_path_clicked (PorticoPreferencesWindow *self)
{
  if (self->db_path == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->db_path);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Database location copied")));
}

static void
portico_preferences_window_set_db_path (PorticoPreferencesWindow *self,
                                        const char               *db_path)
{
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);

  adw_action_row_set_subtitle (self->database_row,
                               db_path != NULL ? db_path : _("No database is open"));
  gtk_widget_set_visible (self->copy_path_button, db_path != NULL);
}

PorticoPreferencesWindow *
portico_preferences_window_new (GtkWindow  *parent,
                                const char *db_path)
{
  PorticoPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (PORTICO_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  portico_preferences_window_set_db_path (self, db_path);

  return self;
}

GtkSpinButton *
portico_preferences_window_get_interval_spin (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->interval_spin;
}

GtkSpinButton *
portico_preferences_window_get_pause_spin (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->pause_spin;
}

GtkSwitch *
portico_preferences_window_get_notifications_switch (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->notifications_switch;
}

AdwComboRow *
portico_preferences_window_get_permission_row (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->permission_row;
}

AdwActionRow *
portico_preferences_window_get_interval_row (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->interval_row;
}

AdwActionRow *
portico_preferences_window_get_database_row (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->database_row;
}

AdwActionRow *
portico_preferences_window_get_secrets_row (PorticoPreferencesWindow *self)
{
  g_return_val_if_fail (PORTICO_IS_PREFERENCES_WINDOW (self), NULL);
  return self->secrets_row;
}

static void
portico_preferences_window_dispose (GObject *object)
{
  PorticoPreferencesWindow *self = (PorticoPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (portico_preferences_window_parent_class)->dispose (object);
}

static void
portico_preferences_window_finalize (GObject *object)
{
  PorticoPreferencesWindow *self = (PorticoPreferencesWindow *)object;

  g_clear_object (&self->settings);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (portico_preferences_window_parent_class)->finalize (object);
}

static void
portico_preferences_window_class_init (PorticoPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_preferences_window_dispose;
  object_class->finalize = portico_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, copy_path_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, interval_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, pause_spin);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, metered_switch);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, permission_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoPreferencesWindow, secrets_row);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_path_clicked);
}

static void
portico_preferences_window_init (PorticoPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (BASE_APP_ID);

  g_settings_bind_with_mapping (self->settings, "sync-interval-hours",
                                self->interval_spin, "value", G_SETTINGS_BIND_DEFAULT,
                                interval_get_mapping, interval_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "pause-after-failures",
                                self->pause_spin, "value", G_SETTINGS_BIND_DEFAULT,
                                pause_get_mapping, pause_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "notifications",
                   self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sync-on-metered",
                   self->metered_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "default-permission",
                                self->permission_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                permission_get_mapping, permission_set_mapping, NULL, NULL);

  g_signal_connect_object (self->settings, "changed::sync-interval-hours",
                           G_CALLBACK (update_interval_subtitle), self, G_CONNECT_SWAPPED);
  update_interval_subtitle (self);

  if (portico_credentials_uses_portal ())
    adw_action_row_set_subtitle (self->secrets_row,
                                 _("In an encrypted file in the app’s data folder, unlocked through the desktop’s keyring (Secret portal); never in the database, settings or logs"));
  else
    adw_action_row_set_subtitle (self->secrets_row,
                                 _("In the system keyring (Secret Service, such as GNOME Keyring); never in the database, settings or logs"));
}
