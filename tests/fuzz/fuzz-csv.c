/* fuzz-csv.c: the CSV reader (portico_csv_parse), which reads the reports
 * a provider sends (Microsoft Graph's usage reports).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "portico-csv.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  portico_fuzz_init ();
  rows = portico_csv_parse ((const char *) data, size, &error);
  g_assert ((rows == NULL) == (error != NULL));
  if (rows == NULL)
    return 0;
  /* Every row has a field; every field is UTF-8 text, and what the writer
   * makes of it the reader reads back as one field. */
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      g_assert_nonnull (row);
      g_assert_nonnull (row[0]);
      for (guint k = 0; row[k] != NULL; k++)
        {
          g_autoptr(GString) again = g_string_new (NULL);
          g_autoptr(GPtrArray) back = NULL;

          g_assert_true (g_utf8_validate (row[k], -1, NULL));
          portico_csv_append_field (again, row[k]);
          g_string_append (again, ",x\n");
          back = portico_csv_parse (again->str, again->len, NULL);
          g_assert_nonnull (back);
          g_assert_cmpuint (back->len, ==, 1);
          g_assert_cmpuint (g_strv_length (back->pdata[0]), ==, 2);
        }
    }
  return 0;
}
