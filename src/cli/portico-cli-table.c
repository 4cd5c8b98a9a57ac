/* portico-cli-table.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-cli"

#include "config.h"

#include <stdarg.h>

#include "portico-cli-table.h"

struct _PorticoCliTable
{
  guint n_columns;
  GPtrArray *rows; /* of GStrv, the headers first */
};

static GStrv
cells_from_va (const char *first,
               va_list     args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (const char *cell = first; cell != NULL; cell = va_arg (args, const char *))
    g_strv_builder_add (builder, cell);
  return g_strv_builder_end (builder);
}

static PorticoCliTable *
table_new_take (GStrv headers)
{
  PorticoCliTable *table = g_new0 (PorticoCliTable, 1);

  table->n_columns = g_strv_length (headers);
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (table->rows, headers);
  return table;
}

PorticoCliTable *
portico_cli_table_new (const char *first_header,
                       ...)
{
  va_list args;
  GStrv headers;

  va_start (args, first_header);
  headers = cells_from_va (first_header, args);
  va_end (args);
  return table_new_take (headers);
}

PorticoCliTable *
portico_cli_table_new_v (const char * const *headers)
{
  return table_new_take (g_strdupv ((char **) headers));
}

void
portico_cli_table_add_row_v (PorticoCliTable    *table,
                             const char * const *cells)
{
  GStrv row = g_new0 (char *, table->n_columns + 1);
  gboolean ended = FALSE;

  for (guint i = 0; i < table->n_columns; i++)
    {
      if (!ended && cells[i] == NULL)
        ended = TRUE;
      /* Cells are one line each. */
      row[i] = g_strdelimit (g_strdup (ended ? "" : cells[i]), "\n\t", ' ');
    }
  g_ptr_array_add (table->rows, row);
}

void
portico_cli_table_add_row (PorticoCliTable *table,
                           const char      *first_cell,
                           ...)
{
  va_list args;
  g_auto(GStrv) cells = NULL;

  va_start (args, first_cell);
  cells = cells_from_va (first_cell, args);
  va_end (args);
  portico_cli_table_add_row_v (table, (const char * const *) cells);
}

void
portico_cli_table_print (PorticoCliTable *table)
{
  g_autofree glong *widths = g_new0 (glong, table->n_columns);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (row[c], -1));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      GStrv row = g_ptr_array_index (table->rows, r);

      g_string_truncate (line, 0);
      for (guint c = 0; c < table->n_columns; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < table->n_columns)
            {
              for (glong pad = g_utf8_strlen (row[c], -1); pad < widths[c] + 2; pad++)
                g_string_append_c (line, ' ');
            }
        }
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      g_print ("%s\n", line->str);
    }
}

void
portico_cli_table_free (PorticoCliTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->rows);
  g_free (table);
}
