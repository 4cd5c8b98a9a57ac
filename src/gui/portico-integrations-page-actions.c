/* portico-integrations-page-actions.c: what the integrations page does from
 * an account tile's menu: sync now, details, reconnect, connect another,
 * rename and disconnect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-integrations-page"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-account-details-dialog.h"
#include "portico-account-tile.h"
#include "portico-capabilities-dialog.h"
#include "portico-catalog-section.h"
#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-connector-dialog.h"
#include "portico-integrations-page.h"
#include "portico-reload.h"
#include "portico-scheduler.h"
#include "portico-integrations-page-private.h"

/* ---- What the tile menu does ------------------------------------------- */

static void
sync_now_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = portico_engine_sync_finish (PORTICO_ENGINE (source), result, &error);
  if (node == NULL)
    {
      /* Already syncing: the running sync is what the admin asked for. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      portico_integrations_page_add_toast (self, error->message);
    }
}

void
portico_integrations_page_on_tile_sync_now (PorticoIntegrationsPage *self,
                                            PorticoAccountTile      *tile)
{
  gint64 id = portico_account_tile_get_account_id (tile);

  if (self->engine == NULL)
    return;

  portico_account_tile_set_syncing (tile, TRUE);
  portico_engine_sync_async (self->engine, id, self->cancellable, sync_now_cb, g_object_ref (self));
}

void
portico_integrations_page_on_tile_show_details (PorticoIntegrationsPage *self,
                                                PorticoAccountTile      *tile)
{
  GtkWidget *dialog;

  if (self->engine == NULL)
    return;

  dialog = portico_account_details_dialog_new (self->engine,
                                               portico_account_tile_get_account (tile),
                                               portico_account_tile_get_connector (tile));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), portico_integrations_page_get_parent (self));
  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
portico_integrations_page_on_tile_reconnect (PorticoIntegrationsPage *self,
                                             PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);

  if (self->engine == NULL || connector == NULL)
    return;

  portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                  connector, self->sandbox, portico_account_tile_get_account_id (tile));
}

void
portico_integrations_page_on_tile_connect_another (PorticoIntegrationsPage *self,
                                                   PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);

  if (self->engine == NULL || connector == NULL || !portico_connector_get_multi_account (connector))
    return;

  portico_connect_dialog_present (portico_integrations_page_get_parent (self), self->engine,
                                  connector, self->sandbox, 0);
}

/* Rename */

typedef struct
{
  PorticoIntegrationsPage *page;
  gint64                   account_id;
  char                    *name;
} RenameData;

static void
rename_data_free (RenameData *data)
{
  g_clear_object (&data->page);
  g_free (data->name);
  g_free (data);
}

static void
rename_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RenameData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!portico_engine_rename_finish (PORTICO_ENGINE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (data->page, error->message);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Renamed to “%s”"), data->name);

      /* The engine says "accounts-changed": the tiles reload by themselves. */
      portico_integrations_page_add_toast (data->page, text);
    }

  rename_data_free (data);
}

static void
on_rename_entry_changed (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  gboolean valid = name[0] != '\0';

  adw_message_dialog_set_response_enabled (dialog, "change", valid);
  adw_message_dialog_set_body (dialog, valid ? _("The name shows on the tile and in every list. Other accounts may have the same name.")
                                             : _("The name cannot be empty. Type a name that tells this account apart, such as the workspace or team."));
}

static void
on_rename_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PorticoIntegrationsPage *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  gint64 account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-account-id"));
  RenameData *data;

  if (g_strcmp0 (response, "change") != 0 || name[0] == '\0' || self->engine == NULL)
    return;

  data = g_new0 (RenameData, 1);
  data->page = g_object_ref (self);
  data->account_id = account_id;
  data->name = g_strdup (name);
  portico_engine_rename_async (self->engine, account_id, name, self->cancellable, rename_cb, data);
}

static void
on_rename_activate (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  /* Enter applies the name and closes, like the Change button: a dialog
   * left open would make Cancel look like an undo. */
  if (adw_message_dialog_get_response_enabled (dialog, "change"))
    {
      adw_message_dialog_response (dialog, "change");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

void
portico_integrations_page_on_tile_rename (PorticoIntegrationsPage *self,
                                          PorticoAccountTile      *tile)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  g_autofree char *heading = NULL;

  heading = g_strdup_printf (_("Rename %s Account"), portico_account_tile_get_app_name (tile));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (portico_integrations_page_get_parent (self), heading, NULL));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "change", _("C_hange"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "change", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "change");
  adw_message_dialog_set_close_response (dialog, "cancel");

  entry = gtk_entry_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Account name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_rename_entry_changed), dialog, 0);
  g_signal_connect_object (entry, "activate", G_CALLBACK (on_rename_activate), dialog, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), portico_account_tile_get_account_name (tile) ?: "");
  on_rename_entry_changed (GTK_EDITABLE (entry), dialog);

  g_object_set_data (G_OBJECT (dialog), "portico-account-id",
                     GSIZE_TO_POINTER ((gsize) portico_account_tile_get_account_id (tile)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);

  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Disconnect: the engine's preview, then the confirmation. */

typedef struct
{
  PorticoIntegrationsPage *page;
  gint64        account_id;
  char         *app_name;
  char         *account_name;
  gboolean      identity_provider;
} DisconnectData;

static void
disconnect_data_free (DisconnectData *data)
{
  g_clear_object (&data->page);
  g_free (data->app_name);
  g_free (data->account_name);
  g_free (data);
}

static void
disconnect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  DisconnectData *data = user_data;
  PorticoIntegrationsPage *self = data->page;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdwToast) toast = NULL;
  g_autofree char *title = NULL;

  summary = portico_engine_disconnect_finish (PORTICO_ENGINE (source), result, &error);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (self, error->message);
      disconnect_data_free (data);
      return;
    }

  /* Undo restores at once; Activity offers Restore for longer. */
  /* Translators: a toast: "Disconnected Slack – Acme" */
  title = g_strdup_printf (_("Disconnected %s – %s"), data->app_name, data->account_name);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "integrations.restore-account");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (data->account_id));
  adw_toast_overlay_add_toast (self->toast_overlay, g_steal_pointer (&toast));
  disconnect_data_free (data);
}

static void
on_disconnect_response (AdwMessageDialog        *dialog,
                        const char              *response,
                        PorticoIntegrationsPage *self)
{
  DisconnectData *data;

  if (g_strcmp0 (response, "disconnect") != 0 || self->engine == NULL)
    return;

  data = g_new0 (DisconnectData, 1);
  data->page = g_object_ref (self);
  data->account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-account-id"));
  data->app_name = g_strdup (g_object_get_data (G_OBJECT (dialog), "portico-app-name"));
  data->account_name = g_strdup (g_object_get_data (G_OBJECT (dialog), "portico-account-name"));
  portico_engine_disconnect_async (self->engine, data->account_id, self->cancellable,
                                   disconnect_cb, data);
}

static void
restore_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PorticoIntegrationsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (portico_engine_restore_account_finish (PORTICO_ENGINE (source), result, &error) < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (self, error->message);
      return;
    }

  portico_integrations_page_add_toast (self, _("Restored"));
}

/* The Undo of the "Disconnected" toast. */
void
portico_integrations_page_restore_account_action (GtkWidget  *widget,
                                                  const char *action_name,
                                                  GVariant   *param)
{
  PorticoIntegrationsPage *self = PORTICO_INTEGRATIONS_PAGE (widget);

  if (self->engine == NULL)
    return;

  portico_engine_restore_account_async (self->engine, g_variant_get_int64 (param), self->cancellable,
                                        restore_cb, g_object_ref (self));
}

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DisconnectData *data = user_data;
  PorticoIntegrationsPage *self = data->page;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  summary = portico_engine_preview_disconnect_finish (PORTICO_ENGINE (source), result, &error);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_integrations_page_add_toast (self, error->message);
      disconnect_data_free (data);
      return;
    }

  /* Translators: "Disconnect Slack – Acme?" */
  heading = g_strdup_printf (_("Disconnect %s – %s?"), data->app_name, data->account_name);
  body = portico_disconnect_summary_describe (summary, data->identity_provider);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (portico_integrations_page_get_parent (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "disconnect", _("_Disconnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "disconnect", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "portico-account-id", GSIZE_TO_POINTER ((gsize) data->account_id));
  g_object_set_data_full (G_OBJECT (dialog), "portico-app-name", g_strdup (data->app_name), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "portico-account-name", g_strdup (data->account_name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_disconnect_response), self, 0);

  portico_integrations_page_remember_dialog (self, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  disconnect_data_free (data);
}

void
portico_integrations_page_on_tile_disconnect (PorticoIntegrationsPage *self,
                                              PorticoAccountTile      *tile)
{
  PorticoConnector *connector = portico_account_tile_get_connector (tile);
  DisconnectData *data;

  if (self->engine == NULL)
    return;

  data = g_new0 (DisconnectData, 1);
  data->page = g_object_ref (self);
  data->account_id = portico_account_tile_get_account_id (tile);
  data->app_name = g_strdup (portico_account_tile_get_app_name (tile));
  data->account_name = g_strdup (portico_account_tile_get_account_name (tile));
  data->identity_provider = connector != NULL &&
                            g_strcmp0 (portico_connector_get_category (connector), "identity_provider") == 0;

  portico_engine_preview_disconnect_async (self->engine, data->account_id, self->cancellable,
                                           preview_cb, data);
}
