/* portico-csv.h: the one writer of CSV fields for every export, and the
 * reader of the CSV bodies some providers answer with.
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

/* Reads an RFC 4180 document (a provider's report, such as Microsoft
 * Graph's usage reports): rows of fields separated by commas, rows ended by
 * CRLF or LF (the last one optionally), fields in double quotes holding
 * commas, line breaks and doubled quotes. A UTF-8 byte order mark before the
 * first row is skipped, and empty lines are no rows. Returns one GStrv per
 * row (the header row included), or NULL with a
 * PORTICO_CONNECTOR_ERROR_BAD_RESPONSE error naming the line for text that
 * is not UTF-8, a quote left open, or text after a closing quote. */
GPtrArray *portico_csv_parse (const char *data,
                              gsize       len,
                              GError    **error);

G_END_DECLS
