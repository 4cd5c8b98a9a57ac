/* portico-sandbox.c: placeholder until the sandbox lands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-sandbox"

#include "config.h"

#include <glib.h>

int
main (int argc, char **argv)
{
  return 2;
}
