/* portico-links.h: opening help and mail links, or offering to copy them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Opens @uri with the desktop's handler through gtk_show_uri_full(), which
 * goes through the OpenURI portal inside a sandbox. When nothing can open
 * it (no handler for the scheme: "Operation not supported"), a dialog over
 * @widget's window shows the address and offers to copy it. */
void portico_show_uri (GtkWidget  *widget,
                       const char *uri);

/* Makes @button open its URI through portico_show_uri() instead of
 * GtkLinkButton's own launcher, which fails silently. */
void portico_link_button_use_show_uri (GtkLinkButton *button);

/* The dialog portico_show_uri() shows when @uri could not be opened; its
 * "copy" response puts @uri on the clipboard. */
AdwMessageDialog *portico_uri_fallback_dialog_new (GtkWindow    *parent,
                                                   const char   *uri,
                                                   const GError *error);

G_END_DECLS
