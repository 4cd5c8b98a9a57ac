/* portico-csv.h: the one writer of CSV fields for every export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends one field of an RFC 4180 row, quoted when it holds a comma, a
 * quote or a line break. Exported values come from providers, and a
 * spreadsheet runs a cell starting with =, +, -, @, a tab or a carriage
 * return as a formula (CSV injection): such a value is written with a
 * leading single quote, as OWASP advises, except a plain number such as
 * "-12.50", which no spreadsheet reads as anything but a number. */
void portico_csv_append_field (GString    *csv,
                               const char *text);

G_END_DECLS
