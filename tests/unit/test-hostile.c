/* test-hostile.c: the connector runtime against a hostile or broken
 * provider (SPEC 12), on real HTTP over loopback.
 *
 * The JSON nesting pre-scan on its own, then the runtime against a
 * SoupServer on 127.0.0.1 port 0 that answers as an attacker or a broken
 * provider would. Each case must end with a PORTICO_CONNECTOR_ERROR (or
 * the data), never a crash, an endless loop or an unbounded wait.
 * tests/cli/test-hostile.py runs the built portico-cli against the same
 * kinds of answers and checks the database and the memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "portico-json.h"
#include "portico-limits.h"

/* ------------------------------------------------------------------------ */
/* The pre-scan                                                              */

static gboolean
prescan (const char *text,
         guint       max_depth)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = portico_json_prescan (text, strlen (text), max_depth, &error);

  if (!ok)
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  else
    g_assert_no_error (error);
  return ok;
}

static void
test_prescan_depth (void)
{
  g_assert_true (prescan ("", 0));
  g_assert_true (prescan ("42", 0));
  g_assert_false (prescan ("[]", 0));
  g_assert_true (prescan ("[]", 1));
  g_assert_true (prescan ("{\"a\":[1,{\"b\":[]}]}", 4));
  g_assert_false (prescan ("{\"a\":[1,{\"b\":[]}]}", 3));
  /* Siblings do not add up: depth, not count. */
  g_assert_true (prescan ("[[],[],[],{},{\"a\":{}}]", 3));
}

static void
test_prescan_strings (void)
{
  /* Brackets in strings do not count, escaped quotes do not end them. */
  g_assert_true (prescan ("[\"[[[[[[{{{{\"]", 1));
  g_assert_true (prescan ("[\"a\\\"[[[[\", \"\\\\\"]", 1));
  g_assert_false (prescan ("[\"a\\\\\", [[]]]", 2));
  /* An unterminated string or a trailing escape ends the scan. */
  g_assert_true (prescan ("[\"[[[[", 1));
  g_assert_true (prescan ("[\"\\", 1));
  /* Closing brackets without openers are the parser's business. */
  g_assert_true (prescan ("]]]]}}}[", 1));
}

static void
test_prescan_deep (void)
{
  gsize len = 200000;
  g_autofree char *deep = g_malloc (len);
  g_autoptr(GError) error = NULL;

  /* The body that overflowed json-glib's stack (issue 9): refused in one
   * pass, at the first level past the cap. */
  memset (deep, '[', len);
  g_assert_false (portico_json_prescan (deep, len, PORTICO_LIMIT_JSON_DEPTH, &error));
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);

  /* Not NUL-terminated: only @len bytes are read. */
  g_clear_error (&error);
  g_assert_true (portico_json_prescan (deep, PORTICO_LIMIT_JSON_DEPTH, PORTICO_LIMIT_JSON_DEPTH, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/prescan/depth", test_prescan_depth);
  g_test_add_func ("/hostile/prescan/strings", test_prescan_strings);
  g_test_add_func ("/hostile/prescan/deep", test_prescan_deep);

  return g_test_run ();
}
