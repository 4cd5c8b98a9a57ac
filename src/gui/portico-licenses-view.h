/* portico-licenses-view.h: the Licenses view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PORTICO_TYPE_LICENSES_VIEW (portico_licenses_view_get_type ())
G_DECLARE_FINAL_TYPE (PorticoLicensesView, portico_licenses_view, PORTICO, LICENSES_VIEW, GtkWidget)

GtkWidget *portico_licenses_view_new (void);

G_END_DECLS
