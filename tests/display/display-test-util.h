/* display-test-util.h: helpers shared by the widget tests written for the
 * preferences, links, German and notification tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

typedef gboolean (*PorticoTestCondition) (gpointer data);

/* Iterates the main loop until @condition holds; FALSE after @timeout_ms
 * (a deadline that only catches a hang, not a timing). */
static inline gboolean
portico_test_wait_until (PorticoTestCondition condition,
                         gpointer             data,
                         guint                timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

/* Removes a test database (@path and its -wal and -shm files) and its
 * folder @dir. */
static inline void
portico_test_remove_db (const char *dir,
                        const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  g_rmdir (dir);
}
