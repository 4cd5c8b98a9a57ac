/* portico-shown-layout.h: a bin layout that measures its children only
 * while its widget is on screen.
 *
 * AdwViewStack is homogeneous: it measures every page, shown or not. When
 * a disconnect made a workflow invalid, the hidden Workflows page got a row
 * (an AdwActionRow with wrapping labels, a drop-down and two buttons) and
 * laying that page out took the main loop 50-70 ms while the Integrations
 * page was on screen. Hidden, a page with this layout asks for no size; its
 * widget queues a resize when it is mapped. (Not used for the Users and
 * Activity views: measured while hidden, they open without laying out a
 * few hundred rows in the frame that shows them.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_SHOWN_LAYOUT (portico_shown_layout_get_type ())
G_DECLARE_FINAL_TYPE (PorticoShownLayout, portico_shown_layout, PORTICO, SHOWN_LAYOUT, GtkLayoutManager)

G_END_DECLS
