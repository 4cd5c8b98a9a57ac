/* fuzz-date.c: the dates and times providers send.
 *
 * - portico_norm_time (), the SQL function that normalises every synced
 *   last_activity to UTC "YYYY-MM-DDTHH:MM:SSZ": its C fast path must give
 *   exactly what the SQL expression it replaces gives
 *   (PORTICO_SQL_NORM_TIME), for text and for integer values;
 * - portico_store_time_to_unix () (the scheduler's reading of stored times);
 * - HTTP dates as libsoup reads them for Retry-After.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <libsoup/soup.h>

#include "portico-scheduler.h"
#include "portico-store-private.h"
#include "fuzz-common.h"

static sqlite3 *db;
static sqlite3_stmt *compare;

static void
setup (void)
{
  portico_fuzz_init ();
  if (db != NULL)
    return;

  portico_store_sql_functions_init ();
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT portico_norm_time (?1), " PORTICO_SQL_NORM_TIME ("?1") ", "
                                       "portico_norm_time (?1) IS " PORTICO_SQL_NORM_TIME ("?1"),
                                       -1, &compare, NULL), ==, SQLITE_OK);
}

static void
check_value (const char *text,
             gboolean    as_integer,
             gint64      integer)
{
  int rc;

  sqlite3_reset (compare);
  if (as_integer)
    sqlite3_bind_int64 (compare, 1, integer);
  else
    sqlite3_bind_text (compare, 1, text, -1, SQLITE_STATIC);

  rc = sqlite3_step (compare);
  /* An error is allowed only when the SQL expression errs as well, which it
   * never does for text or integers. */
  if (rc != SQLITE_ROW)
    g_error ("portico_norm_time (“%s”) failed: %s", text, sqlite3_errmsg (db));
  if (sqlite3_column_int (compare, 2) != 1)
    g_error ("portico_norm_time (%s%s%s) = %s, the SQL expression gives %s",
             as_integer ? "" : "“", text, as_integer ? "" : "”",
             (const char *) sqlite3_column_text (compare, 0),
             (const char *) sqlite3_column_text (compare, 1));
  sqlite3_clear_bindings (compare);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) http_date = NULL;
  gint64 integer;

  setup ();
  text = portico_fuzz_dup_string (data, size);

  check_value (text, FALSE, 0);
  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
    check_value (text, TRUE, integer);

  (void) portico_store_time_to_unix (text);

  http_date = soup_date_time_new_from_http_string (text);
  if (http_date != NULL)
    {
      g_autofree char *again = soup_date_time_to_string (http_date, SOUP_DATE_HTTP);
      g_assert_nonnull (again);
    }
  return 0;
}
