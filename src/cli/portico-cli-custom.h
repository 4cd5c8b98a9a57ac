/* portico-cli-custom.h: `portico-cli connectors import|export|delete`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "portico-engine.h"

G_BEGIN_DECLS

typedef PorticoEngine *(*PorticoCliGetEngine) (gpointer  data,
                                               GError  **error);

/* Runs `connectors SUBCOMMAND ...` (@argv starts at the subcommand).
 * Returns the exit status. */
int portico_cli_custom_run (int                 argc,
                            char              **argv,
                            PorticoCliGetEngine get_engine,
                            gpointer            data);

G_END_DECLS
