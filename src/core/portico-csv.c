/* portico-csv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-csv"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "portico-csv.h"
#include "portico-errors.h"

/* "-12", "+3.5": a sign, digits and at most one decimal point. */
static gboolean
is_signed_number (const char *text)
{
  gboolean digits = FALSE, point = FALSE;

  for (const char *p = text + 1; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (*p == '.' && !point)
        point = TRUE;
      else
        return FALSE;
    }
  return digits;
}

static gboolean
starts_formula (const char *text)
{
  switch (text[0])
    {
    case '=':
    case '@':
    case '\t':
    case '\r':
      return TRUE;
    case '+':
    case '-':
      return !is_signed_number (text);
    default:
      return FALSE;
    }
}

void
portico_csv_append_field (GString    *csv,
                          const char *text)
{
  g_autofree char *neutral = NULL;

  g_return_if_fail (csv != NULL);

  if (text == NULL)
    text = "";

  if (starts_formula (text))
    text = neutral = g_strconcat ("'", text, NULL);

  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (csv, text);
      return;
    }

  g_string_append_c (csv, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static void
end_row (GPtrArray *rows,
         GPtrArray *row)
{
  /* A line with nothing on it is no row (a trailing blank line, say). */
  if (row->len == 1 && *(const char *) row->pdata[0] == '\0')
    {
      g_ptr_array_set_size (row, 0);
      return;
    }
  g_ptr_array_add (row, NULL);
  g_ptr_array_add (rows, g_ptr_array_steal (row, NULL));
}

GPtrArray *
portico_csv_parse (const char *data,
                   gsize       len,
                   GError    **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = data;
  const char *end;
  const char *invalid = NULL;
  guint line = 1;
  gboolean started = FALSE; /* the current row has a field begun */

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  end = data + len;
  if (!g_utf8_validate (p, end - p, &invalid))
    {
      guint bad_line = 1;

      for (const char *q = p; q < invalid; q++)
        if (*q == '\n')
          bad_line++;
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                   _("The CSV text is not UTF-8 (line %u)."), bad_line);
      return NULL;
    }

  while (p < end)
    {
      if (*p == '"' && field->len == 0)
        {
          /* A quoted field: up to the quote not doubled. */
          guint open_line = line;

          p++;
          for (;;)
            {
              if (p >= end)
                {
                  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                               _("A quoted CSV field opened on line %u is never closed."), open_line);
                  return NULL;
                }
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p += 2;
                      continue;
                    }
                  p++;
                  break;
                }
              if (*p == '\n')
                line++;
              g_string_append_c (field, *p++);
            }
          started = TRUE;
          if (p < end && *p != ',' && *p != '\n' && !(*p == '\r' && (p + 1 == end || p[1] == '\n')))
            {
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                           _("Line %u of the CSV text has text after a closing quote."), line);
              return NULL;
            }
          continue;
        }
      if (*p == ',')
        {
          g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          started = TRUE;
          p++;
          continue;
        }
      if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n')))
        {
          g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          end_row (rows, row);
          started = FALSE;
          p += *p == '\r' && p + 1 < end ? 2 : 1;
          line++;
          continue;
        }
      if (*p == '"')
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                       _("Line %u of the CSV text has a quote inside a field that is not quoted."), line);
          return NULL;
        }
      g_string_append_c (field, *p++);
      started = TRUE;
    }
  if (started || field->len > 0)
    {
      g_ptr_array_add (row, g_string_free (g_steal_pointer (&field), FALSE));
      field = g_string_new (NULL);
      end_row (rows, row);
    }
  return g_steal_pointer (&rows);
}
