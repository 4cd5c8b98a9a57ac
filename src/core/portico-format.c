/* portico-format.c: numbers, amounts and times as the user's locale writes
 * them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-format"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "portico-format.h"

char *
portico_format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

char *
portico_format_amount (const char *currency,
                       double      amount)
{
  if (currency == NULL)
    return g_strdup_printf ("%'.2f", amount);

  /* Translators: an amount with its currency code: "USD 1,250.00". */
  return g_strdup_printf (_("%s %'.2f"), currency, amount);
}

char *
portico_format_time (const char *iso)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (iso != NULL, NULL);

  utc = g_date_time_new_from_iso8601 (iso, NULL);
  if (utc == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (utc);

  /* Translators: a date and time in the user's format, see g_date_time_format(). */
  return g_date_time_format (local, _("%x %X"));
}
