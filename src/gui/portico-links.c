/* portico-links.c: opening help and mail links, or offering to copy them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-links"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-links.h"

static void
on_fallback_response (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "portico-uri");

  if (g_strcmp0 (response, "copy") == 0)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (dialog)), uri);
}

AdwMessageDialog *
portico_uri_fallback_dialog_new (GtkWindow    *parent,
                                 const char   *uri,
                                 const GError *error)
{
  AdwMessageDialog *dialog;
  GtkWidget *label;
  const char *body;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  if (g_str_has_prefix (uri, "mailto:"))
    body = _("No mail app is set up to write this message. Copy the address and open it where you write mail.");
  else
    body = _("No app is set up to open this address. Copy it and open it in a web browser.");

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Could Not Open the Link"), body));
  adw_message_dialog_add_responses (dialog,
                                    "close", _("_Close"),
                                    "copy", _("_Copy Address"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "copy", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "copy");
  adw_message_dialog_set_close_response (dialog, "close");

  label = gtk_label_new (uri);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_label_set_lines (GTK_LABEL (label), 4);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Address"),
                                  -1);
  adw_message_dialog_set_extra_child (dialog, label);

  if (error != NULL)
    g_debug ("Could not open %s: %s", uri, error->message);

  g_object_set_data_full (G_OBJECT (dialog), "portico-uri", g_strdup (uri), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_fallback_response), NULL);

  return dialog;
}

static void
show_uri_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree char *uri = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *parent = GTK_WINDOW (source);

  if (gtk_show_uri_full_finish (parent, result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_window_present (GTK_WINDOW (portico_uri_fallback_dialog_new (parent, uri, error)));
}

void
portico_show_uri (GtkWidget  *widget,
                  const char *uri)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (uri != NULL);

  /* gtk_show_uri_full() reports its result on the window it is given. */
  root = gtk_widget_get_root (widget);
  g_return_if_fail (GTK_IS_WINDOW (root));

  gtk_show_uri_full (GTK_WINDOW (root), uri, GDK_CURRENT_TIME, NULL,
                     show_uri_cb, g_strdup (uri));
}

static gboolean
on_activate_link (GtkLinkButton *button,
                  gpointer       user_data)
{
  const char *uri = gtk_link_button_get_uri (button);

  if (uri == NULL || *uri == '\0')
    return TRUE;

  portico_show_uri (GTK_WIDGET (button), uri);
  gtk_link_button_set_visited (button, TRUE);

  return TRUE;
}

void
portico_link_button_use_show_uri (GtkLinkButton *button)
{
  g_return_if_fail (GTK_IS_LINK_BUTTON (button));

  g_signal_connect (button, "activate-link", G_CALLBACK (on_activate_link), NULL);
}
