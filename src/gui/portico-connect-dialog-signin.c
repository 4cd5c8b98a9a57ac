/* portico-connect-dialog-signin.c: the connect dialog's sign-in through the
 * browser (OAuth2 authorization code).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connect-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-links.h"
#include "portico-errors.h"
#include "portico-jwt.h"
#include "portico-oauth.h"
#include "portico-connect-dialog-private.h"

/* ---- Sign in through the browser ------------------------------------------- */

static void
sign_in_show_waiting (PorticoConnectDialog *self,
                      const char           *address)
{
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_row), address != NULL);
  adw_action_row_set_subtitle (self->sign_in_row, address != NULL ? address : "");
  /* Screen readers (and the end-to-end test) read the address here. */
  if (address != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->sign_in_row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, address, -1);
}

static void
browser_opened_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* No browser is not an error: the address can be copied. */
  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    g_debug ("No browser opened for the sign-in: %s", error->message);
}

static void
on_sign_in_address (PorticoSignIn        *sign_in,
                    const char           *address,
                    PorticoConnectDialog *self)
{
  sign_in_show_waiting (self, address);
  portico_connect_dialog_set_outcome_message (self, _("Waiting for you to sign in in the browser. If no browser opened, copy the address."),
                                              "dim-label");
  /* Through the OpenURI portal when sandboxed (Flatpak). */
  gtk_show_uri_full (GTK_WINDOW (self), address, GDK_CURRENT_TIME, self->test_cancellable,
                     browser_opened_cb, NULL);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = portico_sign_in_run_finish (PORTICO_SIGN_IN (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable) || PORTICO_SIGN_IN (object) != self->sign_in)
    return;
  g_clear_object (&self->sign_in);
  sign_in_show_waiting (self, NULL);
  self->testing = FALSE;

  if (!ok)
    {
      self->connect_after_test = FALSE;
      portico_connect_dialog_reset_test_rows (self, ROW_IDLE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        portico_connect_dialog_set_outcome_message (self, _("Sign-in cancelled. Sign in again when you are ready."), "dim-label");
      else
        {
          portico_connect_dialog_set_outcome_message (self, NULL, NULL);
          portico_connect_dialog_show_error (self, error->message);
        }
      portico_connect_dialog_update_actions (self);
      return;
    }

  portico_connect_dialog_start_test (self);
}

void
portico_connect_dialog_start_sign_in (PorticoConnectDialog *self)
{
  self->test_cancellable = g_cancellable_new ();
  self->test_valid = FALSE;
  self->testing = TRUE;
  g_clear_object (&self->sign_in);
  self->sign_in = portico_sign_in_new (portico_engine_get_runtime (self->engine), self->connector,
                                       self->test_values, self->permission);
  g_signal_connect (self->sign_in, "address-ready", G_CALLBACK (on_sign_in_address), self);
  portico_connect_dialog_reset_test_rows (self, ROW_IDLE);
  portico_connect_dialog_set_outcome_message (self, _("Starting the sign-in…"), "dim-label");
  portico_connect_dialog_update_actions (self);
  portico_sign_in_run_async (self->sign_in, self->test_cancellable, sign_in_done_cb, g_object_ref (self));
}

void
portico_connect_dialog_cancel_sign_in_action (GtkWidget  *widget,
                                              const char *action_name,
                                              GVariant   *parameter)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (widget);

  if (self->sign_in != NULL && self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

static void
copy_address_clicked (PorticoConnectDialog *self)
{
  const char *address = self->sign_in != NULL ? portico_sign_in_get_address (self->sign_in) : NULL;

  if (address == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), address);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Address copied")));
}

const char *
portico_connect_dialog_get_sign_in_address (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  if (self->sign_in == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->sign_in_row)))
    return NULL;
  return portico_sign_in_get_address (self->sign_in);
}

void
portico_connect_dialog_build_sign_in_row (PorticoConnectDialog *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  GtkWidget *cancel = gtk_button_new_with_label (_("Cancel Sign-In"));
  GtkWidget *spinner = gtk_spinner_new ();
  g_autofree char *title = g_strdup_printf (_("Waiting for the sign-in with %s"),
                                            portico_connector_get_name (self->connector));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* The whole address is long; one line of it, and Copy for the rest. */
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_widget_set_tooltip_text (copy, _("Copy Address"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Address"), -1);
  gtk_widget_add_css_class (copy, "flat");
  gtk_spinner_start (GTK_SPINNER (spinner));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), spinner);
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), cancel);
  g_signal_connect_swapped (copy, "clicked", G_CALLBACK (copy_address_clicked), self);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "connect.cancel-sign-in");
  gtk_widget_set_visible (row, FALSE);
  adw_preferences_group_add (self->test_group, row);
  self->sign_in_row = ADW_ACTION_ROW (row);
}
