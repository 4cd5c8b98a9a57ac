/* portico-shown-layout.h: a bin layout that measures its children only
 * while its widget is on screen.
 *
 * AdwViewStack is homogeneous: it measures every page, shown or not, and
 * when its width changes (another page grew, say) it measures them all
 * again. A view of a few hundred rows of text (the Users and Activity
 * views) then lays all its rows out for a page nobody sees, which took the
 * main loop 50 ms when a disconnect changed the Workflows page. Hidden, such
 * a view asks for no size; its widget queues a resize when it is mapped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_SHOWN_LAYOUT (portico_shown_layout_get_type ())
G_DECLARE_FINAL_TYPE (PorticoShownLayout, portico_shown_layout, PORTICO, SHOWN_LAYOUT, GtkLayoutManager)

G_END_DECLS
