/* portico-cli.c: placeholder until the CLI lands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-cli"

#include "config.h"

#include <glib.h>

int
main (int argc, char **argv)
{
  return 2;
}
