/* portico-cli-table.h: aligned plain-text tables for portico-cli.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PorticoCliTable PorticoCliTable;

/* Headers and rows are NULL-terminated lists of UTF-8 cells. */
PorticoCliTable *portico_cli_table_new (const char *first_header,
                                        ...) G_GNUC_NULL_TERMINATED;
PorticoCliTable *portico_cli_table_new_v (const char * const *headers);
void portico_cli_table_add_row (PorticoCliTable *table,
                                const char      *first_cell,
                                ...) G_GNUC_NULL_TERMINATED;
void portico_cli_table_add_row_v (PorticoCliTable    *table,
                                  const char * const *cells);
/* Prints to stdout, columns separated by two spaces, the last one unpadded. */
void portico_cli_table_print (PorticoCliTable *table);
void portico_cli_table_free (PorticoCliTable *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PorticoCliTable, portico_cli_table_free)

G_END_DECLS
