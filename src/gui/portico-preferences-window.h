/* portico-preferences-window.h: sync interval, notifications, default
 * permission level, and where the data and the secrets live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_PREFERENCES_WINDOW (portico_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PorticoPreferencesWindow, portico_preferences_window, PORTICO, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @parent: nullable. @db_path: the database file shown (nullable: none is open). */
PorticoPreferencesWindow *portico_preferences_window_new (GtkWindow  *parent,
                                                          const char *db_path);

/* For tests: the widgets a person changes. */
GtkSpinButton *portico_preferences_window_get_interval_spin (PorticoPreferencesWindow *self);
GtkSpinButton *portico_preferences_window_get_pause_spin (PorticoPreferencesWindow *self);
GtkSwitch     *portico_preferences_window_get_notifications_switch (PorticoPreferencesWindow *self);
AdwComboRow   *portico_preferences_window_get_permission_row (PorticoPreferencesWindow *self);
AdwActionRow  *portico_preferences_window_get_interval_row (PorticoPreferencesWindow *self);
AdwActionRow  *portico_preferences_window_get_database_row (PorticoPreferencesWindow *self);
AdwActionRow  *portico_preferences_window_get_secrets_row (PorticoPreferencesWindow *self);

G_END_DECLS
