/* portico-csv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-csv"

#include "config.h"

#include <string.h>

#include "portico-csv.h"

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
