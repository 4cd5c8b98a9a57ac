/* portico-catalog.c: placeholder until its area lands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-catalog"

#include "config.h"

#include <glib.h>
