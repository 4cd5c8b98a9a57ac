/* test-links.c: a link that no app can open offers to copy its address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-links"

#include "config.h"

#include "display-test-util.h"

#include <stdio.h>
#include <string.h>

#include "portico-links.h"

/* A scheme no desktop registers a handler for: GIO answers "Operation not
 * supported", as it does for mailto: on a machine without a mail app. */
#define NO_HANDLER_URI "portico-test-no-handler:mailto?subject=Connect%20Okta"

static AdwMessageDialog *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          gtk_window_get_transient_for (window) == parent &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
text_read (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_no_handler_offers_copy (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *button = gtk_link_button_new_with_label (NO_HANDLER_URI, "Help");
  AdwMessageDialog *dialog;
  GtkWidget *extra;
  g_autofree char *copied = NULL;

  gtk_window_set_child (window, button);
  portico_link_button_use_show_uri (GTK_LINK_BUTTON (button));
  gtk_window_present (window);

  /* Clicking the button is what a person does. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (portico_test_wait_until (dialog_shown, window, 10000));

  dialog = find_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Open the Link");
  g_assert_true (adw_message_dialog_has_response (dialog, "copy"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "copy");
  extra = adw_message_dialog_get_extra_child (dialog);
  g_assert_true (GTK_IS_LABEL (extra));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (extra)), ==, NO_HANDLER_URI);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (extra)));

  /* Copy Address puts the address on the clipboard. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), "something else");
  adw_message_dialog_response (dialog, "copy");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (window)), NULL,
                                 read_text_cb, &copied);
  g_assert_true (portico_test_wait_until (text_read, &copied, 10000));
  g_assert_cmpstr (copied, ==, NO_HANDLER_URI);

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (window);
}

static void
test_mailto_body (void)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                 "Operation not supported");
  AdwMessageDialog *dialog = portico_uri_fallback_dialog_new (NULL, "mailto:?subject=Hi", error);

  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "mail"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  /* Only GIO's own launcher: no gvfs, no portal, no handler for the scheme. */
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_unsetenv ("GTK_USE_PORTAL");

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();

  g_test_add_func ("/links/no-handler-offers-copy", test_no_handler_offers_copy);
  g_test_add_func ("/links/mailto-body", test_mailto_body);

  return g_test_run ();
}
