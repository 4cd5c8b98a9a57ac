/* portico-format.h: numbers, amounts and times as the user's locale writes
 * them.
 *
 * Counts and amounts users read (tiles, views, Activity, Needs attention,
 * notifications, the CLI's human output) are grouped by LC_NUMERIC through
 * printf's ' flag: 1,351 in English, 1.351 in German. Sentences put the flag
 * in their translatable format ("%'u items") so translators keep it; values
 * that stand alone go through these helpers. Machine output (--json, SQL,
 * URLs, ids a command takes) never does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "1,351" (en_US), "1.351" (de_DE), "1351" (C). */
char *portico_format_count  (gint64      n);

/* "USD 1,250.00" with @currency, "1,250.00" without. */
char *portico_format_amount (const char *currency,
                             double      amount);

/* A time the store keeps (ISO 8601, UTC) as a local date and time in the
 * user's format ("05.12.2026 19:02:11" in German); @iso itself when it is
 * not ISO 8601. */
char *portico_format_time   (const char *iso);

G_END_DECLS
