/* portico-application.h: the Portico GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "portico-catalog.h"
#include "portico-engine.h"
#include "portico-sandbox-server.h"

G_BEGIN_DECLS

#define PORTICO_TYPE_APPLICATION (portico_application_get_type ())
G_DECLARE_FINAL_TYPE (PorticoApplication, portico_application, PORTICO, APPLICATION, AdwApplication)

PorticoApplication *portico_application_new          (void);
PorticoCatalog     *portico_application_get_catalog  (PorticoApplication *self);
/* NULL when the database could not be opened (see get_startup_error). */
PorticoEngine      *portico_application_get_engine   (PorticoApplication *self);
/* The in-process sandbox in demo mode, else NULL. */
PorticoSandbox     *portico_application_get_sandbox  (PorticoApplication *self);
const GError       *portico_application_get_startup_error (PorticoApplication *self);
/* --demo: the sandbox, a demo database and demo keyring items. */
gboolean            portico_application_get_demo     (PorticoApplication *self);
/* --db FILE, or NULL for the default database. */
const char         *portico_application_get_db_path  (PorticoApplication *self);

/* Renders @widget (realized and drawn) with its own renderer into a PNG. */
gboolean portico_widget_save_png (GtkWidget   *widget,
                                  const char  *path,
                                  GError     **error);

G_END_DECLS
