/* test-expr.c: expressions read the same value through json-glib and
 * through the SQL compiled for SQLite's JSON functions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-expr"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "portico-connector.h"
#include "portico-errors.h"

static const char * const items[] = {
  "{\"id\": 42, \"active\": true, \"deleted\": false, \"score\": 1.5, \"whole\": 100.0,"
  " \"big\": 1e20, \"name\": \"Ada\", \"last\": \"Lovelace\", \"empty\": \"\", \"nul\": null,"
  " \"profile\": {\"email\": \"ada@example.com\", \"tags\": [\"a\", \"b\"], \"0\": \"zero key\"},"
  " \"@odata.nextLink\": \"https://example.com/next?page=2\", \"a.b\": \"dotted\","
  " \"licenses\": [{\"sku\": \"E3\"}, {\"sku\": \"E5\", \"seats\": [[1, 2], [3]]}],"
  " \"cents\": 1999, \"amount_text\": \"12.50\", \"count_text\": \"7\", \"status\": \"ACTIVE\","
  " \"code\": 2, \"it's\": \"quote's\", \"unicode\": \"Zoë – 東京\", \"neg\": -3}",
  "{\"id\": \"x1\", \"name\": null, \"last\": \"Hopper\", \"profile\": {}, \"licenses\": [],"
  " \"status\": \"SUSPENDED\", \"active\": false, \"deleted\": true, \"code\": \"2\","
  " \"score\": 2, \"cents\": \"250\"}",
  "{\"status\": \"STAGED\", \"code\": 1, \"active\": \"true\", \"profile\": \"not an object\","
  " \"licenses\": {\"0\": {\"sku\": \"object, not array\"}}}",
  "{}",
  "[1, {\"sku\": \"in array\"}, [true, null]]",
  /* Format v2: arrays of name/value pairs (SCIM, Google's event
   * parameters) and several values per field (Entra's licenses). */
  "{\"attributes\": [{\"name\": \"title\", \"value\": \"CTO\"}, {\"name\": \"department\", \"value\": \"R&D\"},"
  " {\"name\": 7, \"value\": \"seven\"}, {\"name\": \"department\", \"value\": \"second\"}],"
  " \"emails\": [{\"type\": \"work\", \"primary\": \"false\", \"value\": \"w@example.com\"},"
  " {\"type\": \"home\", \"primary\": \"true\", \"value\": \"h@example.com\"}],"
  " \"teams\": [{\"id\": \"1\", \"members\": [{\"u\": {\"id\": 1}}]}, {\"id\": \"2\", \"members\": [{\"u\": {\"id\": 2}}, {\"u\": {\"id\": 3}}]}],"
  " \"assignedLicenses\": [{\"skuId\": \"E3\"}, {\"skuId\": 5}, {\"disabledPlans\": []}, {\"skuId\": \"E5\"}],"
  " \"tags\": [\"a\", \"b\", {\"c\": 1}, null, 2]}",
  /* A SCIM user as services send it: "primary" is a JSON boolean, and the
   * primary address is not the first. */
  "{\"emails\": [{\"value\": \"home@example.com\", \"type\": \"home\", \"primary\": false},"
  " {\"value\": \"work@example.com\", \"type\": \"work\", \"primary\": true}]}",
};

static const char * const expressions[] = {
  "\"id\"",
  "\"name\"",
  "\"profile.email\"",
  "\"profile.tags\"",
  "\"profile.tags.1\"",
  "\"profile.tags.7\"",
  "[\"profile\", \"0\"]",
  "\"profile.0\"",
  "\"licenses.0.sku\"",
  "\"licenses.1.seats.0.1\"",
  "\"licenses.1.seats\"",
  "[\"licenses\", 1, \"sku\"]",
  "\"missing.deep.path\"",
  "\"active\"",
  "\"deleted\"",
  "\"score\"",
  "\"whole\"",
  "\"big\"",
  "\"neg\"",
  "\"nul\"",
  "\"unicode\"",
  "\"0\"",
  "\"1.sku\"",
  "\"2.0\"",
  "[\"@odata.nextLink\"]",
  "[\"a.b\"]",
  "[\"it's\"]",
  "{\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\", \"SUSPENDED\": \"suspended\"}, \"default\": \"deprovisioned\"}",
  "{\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\"}}",
  "{\"path\": \"active\", \"map\": {\"true\": \"active\", \"false\": \"suspended\"}}",
  "{\"path\": \"deleted\", \"map\": {\"true\": \"deprovisioned\"}, \"default\": \"active\"}",
  "{\"path\": \"active\", \"map\": {\"1\": \"wrong\", \"true\": \"right\"}, \"default\": \"other\"}",
  "{\"path\": \"code\", \"map\": {\"2\": \"admin\", \"1\": \"member\"}}",
  "{\"path\": \"score\", \"map\": {\"1.5\": \"one and a half\", \"2\": \"two\"}, \"default\": 0}",
  "{\"path\": [\"it's\"], \"map\": {\"quote's\": \"it's quoted\"}}",
  "{\"path\": \"status\", \"map\": {\"ACTIVE\": 1, \"SUSPENDED\": 2.5, \"STAGED\": true}}",
  "{\"join\": [\"name\", \"last\"], \"sep\": \" \"}",
  "{\"join\": [\"name\", \"empty\", \"nul\", \"last\"], \"sep\": \", \"}",
  "{\"join\": [\"missing\", \"nul\"]}",
  "{\"join\": [\"id\", \"active\", \"score\"], \"sep\": \"–\"}",
  "{\"join\": [\"last\", {\"literal\": \"x\"}], \"sep\": \"\"}",
  "{\"first\": [\"nul\", \"missing\", \"name\", \"id\"]}",
  "{\"first\": [\"missing\"]}",
  "{\"first\": [{\"literal\": null}, \"empty\", \"name\"]}",
  "{\"first\": [{\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\"}}, {\"literal\": \"unknown\"}]}",
  "{\"path\": \"cents\", \"scale\": 0.01}",
  "{\"path\": \"amount_text\", \"scale\": 100}",
  "{\"path\": \"count_text\", \"scale\": 3}",
  "{\"path\": \"cents\", \"scale\": 2}",
  "{\"path\": \"missing\", \"scale\": 0.01}",
  "{\"path\": \"score\", \"scale\": 0.1}",
  "{\"path\": \"neg\", \"scale\": -1}",
  "{\"path\": \"missing\", \"default\": \"none\"}",
  "{\"path\": \"name\", \"default\": \"none\"}",
  "{\"path\": \"cents\", \"scale\": 0.01, \"default\": 0}",
  "{\"literal\": \"fixed\"}",
  "{\"literal\": 7}",
  "{\"literal\": 2.5}",
  "{\"literal\": 3.0}",
  "{\"literal\": true}",
  "{\"literal\": \"it's\"}",
  "{\"literal\": null}",
  "{\"count\": \"licenses\"}",
  "{\"count\": \"profile.tags\"}",
  "{\"count\": \"name\"}",
  "{\"count\": \"missing\"}",
  "{\"count\": \"nul\"}",
  "{\"count\": \"\"}",
  "\"attributes[name=department].value\"",
  "\"attributes[name=7].value\"",
  "\"attributes[name=missing].value\"",
  "\"emails[primary=true].value\"",
  "\"emails[primary=false].value\"",
  "\"teams[id=2].members.1.u.id\"",
  "[\"teams\", {\"where\": {\"id\": \"2\"}}, \"members\", 0, \"u\", \"id\"]",
  "{\"count\": \"teams[id=2].members\"}",
  "{\"path\": \"attributes[name=department].value\", \"map\": {\"R&D\": \"research\"}, \"default\": \"other\"}",
  "{\"all\": \"assignedLicenses\", \"each\": \"skuId\"}",
  "{\"all\": \"assignedLicenses\", \"each\": \"skuId\", \"sep\": \"|\"}",
  "{\"all\": \"tags\"}",
  "{\"all\": \"missing\", \"each\": \"x\"}",
  "{\"all\": \"licenses\", \"each\": \"sku\"}",
};

static char *
sqlite_eval (sqlite3 *db, const char *sql_expr, const char *item_text)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM (SELECT ?1 AS value)", sql_expr);
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("cannot prepare ‘%s’: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_bind_text (stmt, 1, item_text, -1, SQLITE_STATIC), ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    g_error ("cannot run ‘%s’: %s", sql, sqlite3_errmsg (db));
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return result;
}

static sqlite3 *
open_db (void)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  return db;
}

/* For every item and expression, json-glib and SQLite read the same text. */
static void
test_eval_matches_sql (void)
{
  sqlite3 *db = open_db ();
  guint compared = 0;
  guint non_null = 0;

  for (gsize e = 0; e < G_N_ELEMENTS (expressions); e++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) expr = json_from_string (expressions[e], &error);
      g_autofree char *sql = NULL;

      g_assert_no_error (error);
      sql = portico_expr_to_sql (expr, "value", &error);
      g_assert_no_error (error);
      g_assert_nonnull (sql);

      for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
        {
          g_autoptr(JsonNode) item = json_from_string (items[i], &error);
          g_autofree char *from_glib = NULL;
          g_autofree char *from_sqlite = NULL;

          g_assert_no_error (error);
          from_glib = portico_expr_eval_string (expr, item, NULL);
          from_sqlite = sqlite_eval (db, sql, items[i]);
          if (g_strcmp0 (from_glib, from_sqlite) != 0)
            g_error ("expression %s over item %" G_GSIZE_FORMAT ": json-glib gives ‘%s’, SQLite (%s) gives ‘%s’",
                     expressions[e], i, from_glib, sql, from_sqlite);
          compared++;
          if (from_glib != NULL)
            non_null++;
        }
    }

  g_assert_cmpuint (compared, ==, G_N_ELEMENTS (expressions) * G_N_ELEMENTS (items));
  /* The comparison means something only if most values are there. */
  g_assert_cmpuint (non_null, >, compared / 3);
  sqlite3_close (db);
}

typedef struct
{
  const char *expr;
  guint item;
  const char *expected; /* NULL: no value */
} Expected;

/* What the README promises, on top of both ways agreeing. */
static void
test_eval_values (void)
{
  static const Expected cases[] = {
    { "\"profile.email\"", 0, "ada@example.com" },
    { "\"licenses.0.sku\"", 0, "E3" },
    { "\"licenses.0.sku\"", 2, NULL },           /* "0" indexes arrays only */
    { "[\"profile\", \"0\"]", 0, "zero key" },   /* a key in the array form */
    { "[\"@odata.nextLink\"]", 0, "https://example.com/next?page=2" },
    { "[\"a.b\"]", 0, "dotted" },
    { "\"a.b\"", 0, NULL },
    { "\"active\"", 0, "1" },
    { "\"score\"", 0, "1.5" },
    { "\"whole\"", 0, "100.0" },
    { "\"id\"", 0, "42" },
    { "\"nul\"", 0, NULL },
    { "\"profile.tags\"", 0, "[\"a\",\"b\"]" },
    { "{\"path\": \"active\", \"map\": {\"true\": \"active\", \"false\": \"suspended\"}}", 0, "active" },
    { "{\"path\": \"active\", \"map\": {\"true\": \"active\", \"false\": \"suspended\"}}", 1, "suspended" },
    { "{\"path\": \"active\", \"map\": {\"true\": \"active\", \"false\": \"suspended\"}}", 2, "active" },
    { "{\"path\": \"active\", \"map\": {\"1\": \"wrong\", \"true\": \"right\"}, \"default\": \"other\"}", 0, "right" },
    { "{\"path\": \"code\", \"map\": {\"2\": \"admin\"}}", 0, "admin" },
    { "{\"path\": \"code\", \"map\": {\"2\": \"admin\"}}", 1, "admin" },
    { "{\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\"}, \"default\": \"deprovisioned\"}", 3, "deprovisioned" },
    { "{\"path\": \"status\", \"map\": {\"ACTIVE\": \"active\"}}", 1, NULL },
    { "{\"join\": [\"name\", \"empty\", \"nul\", \"last\"], \"sep\": \", \"}", 0, "Ada, Lovelace" },
    { "{\"join\": [\"name\", \"last\"]}", 1, "Hopper" },
    { "{\"join\": [\"missing\", \"nul\"]}", 0, NULL },
    { "{\"first\": [\"nul\", \"missing\", \"name\", \"id\"]}", 0, "Ada" },
    { "{\"first\": [\"nul\", \"missing\", \"name\", \"id\"]}", 1, "x1" },
    { "{\"first\": [{\"literal\": null}, \"empty\", \"name\"]}", 0, "" },
    { "{\"path\": \"cents\", \"scale\": 0.01}", 0, "19.99" },
    { "{\"path\": \"cents\", \"scale\": 0.01}", 1, "2.5" },
    { "{\"path\": \"cents\", \"scale\": 2}", 0, "3998" },
    { "{\"path\": \"amount_text\", \"scale\": 100}", 0, "1250.0" },
    { "{\"literal\": \"it's\"}", 3, "it's" },
    { "{\"literal\": true}", 3, "1" },
    { "{\"count\": \"licenses\"}", 0, "2" },
    { "{\"count\": \"licenses\"}", 1, "0" },
    { "{\"count\": \"name\"}", 0, "0" },
    { "{\"count\": \"missing\"}", 0, NULL },
    { "{\"count\": \"\"}", 4, "3" },
    { "\"1.sku\"", 4, "in array" },
    /* Whole containers are compact JSON text; json-glib and SQLite only
     * agree on it while numbers are spelled canonically, so this is kept
     * out of the cross-product above. */
    { "\"\"", 4, "[1,{\"sku\":\"in array\"},[true,null]]" },
    { "\"big\"", 0, "1.0e+20" },
    { "\"attributes[name=department].value\"", 5, "R&D" },
    { "\"attributes[name=7].value\"", 5, "seven" },
    { "\"attributes[name=missing].value\"", 5, NULL },
    { "\"emails[primary=true].value\"", 5, "h@example.com" },
    { "\"emails[primary=true].value\"", 6, "work@example.com" },
    { "\"emails[primary=false].value\"", 6, "home@example.com" },
    { "\"teams[id=2].members.1.u.id\"", 5, "3" },
    { "[\"teams\", {\"where\": {\"id\": \"2\"}}, \"members\", 0, \"u\", \"id\"]", 5, "2" },
    { "{\"count\": \"teams[id=2].members\"}", 5, "2" },
    { "\"teams[id=2].members.1.u.id\"", 0, NULL },
    { "{\"all\": \"assignedLicenses\", \"each\": \"skuId\"}", 5, "E3, 5, E5" },
    { "{\"all\": \"assignedLicenses\", \"each\": \"skuId\", \"sep\": \"|\"}", 5, "E3|5|E5" },
    { "{\"all\": \"tags\"}", 5, "a, b, 2" },
    { "{\"all\": \"licenses\", \"each\": \"sku\"}", 0, "E3, E5" },
    { "{\"all\": \"licenses\", \"each\": \"sku\"}", 1, NULL },
    { "{\"all\": \"missing\", \"each\": \"x\"}", 5, NULL },
  };
  sqlite3 *db = open_db ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) expr = json_from_string (cases[i].expr, NULL);
      g_autoptr(JsonNode) item = json_from_string (items[cases[i].item], NULL);
      g_autofree char *value = portico_expr_eval_string (expr, item, NULL);
      g_autofree char *sql = portico_expr_to_sql (expr, "value", NULL);
      g_autofree char *sql_value = sqlite_eval (db, sql, items[cases[i].item]);

      g_test_message ("%s over item %u", cases[i].expr, cases[i].item);
      g_assert_cmpstr (value, ==, cases[i].expected);
      g_assert_cmpstr (sql_value, ==, cases[i].expected);
    }

  sqlite3_close (db);
}

static void
test_eval_nodes (void)
{
  g_autoptr(JsonNode) item = json_from_string (items[0], NULL);
  g_autoptr(JsonNode) bool_expr = json_from_string ("\"active\"", NULL);
  g_autoptr(JsonNode) count_expr = json_from_string ("{\"count\": \"licenses\"}", NULL);
  g_autoptr(JsonNode) array_expr = json_from_string ("\"profile.tags\"", NULL);
  g_autoptr(JsonNode) null_expr = json_from_string ("\"nul\"", NULL);
  g_autoptr(JsonNode) template_expr = json_from_string ("{\"template\": \"{subdomain}.okta.com\"}", NULL);
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  /* portico_expr_eval() keeps JSON types: a cursor flag stays a boolean. */
  value = portico_expr_eval (bool_expr, item, NULL);
  g_assert_true (JSON_NODE_HOLDS_VALUE (value));
  g_assert_true (json_node_get_value_type (value) == G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (value));
  g_clear_pointer (&value, json_node_unref);

  value = portico_expr_eval (count_expr, item, NULL);
  g_assert_cmpint (json_node_get_int (value), ==, 2);
  g_clear_pointer (&value, json_node_unref);

  value = portico_expr_eval (array_expr, item, NULL);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (value));
  g_clear_pointer (&value, json_node_unref);

  g_assert_null (portico_expr_eval (null_expr, item, NULL));

  /* Templates read the field values (identity only). */
  g_hash_table_insert (fields, (gpointer) "subdomain", (gpointer) "acme");
  text = portico_expr_eval_string (template_expr, item, fields);
  g_assert_cmpstr (text, ==, "acme.okta.com");
  g_clear_pointer (&text, g_free);
  g_hash_table_remove_all (fields);
  g_assert_null (portico_expr_eval_string (template_expr, item, fields));

  /* ... and so cannot be compiled to SQL over items. */
  sql = portico_expr_to_sql (template_expr, "value", &error);
  g_assert_null (sql);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
}

static void
test_sql_text (void)
{
  static const struct { const char *expr; const char *sql; } cases[] = {
    { "\"profile.email\"", "json_extract(value, '$.profile.email')" },
    { "\"licenses.0.sku\"", "json_extract(value, '$.licenses[0].sku')" },
    { "[\"@odata.nextLink\"]", "json_extract(value, '$.\"@odata.nextLink\"')" },
    { "[\"it's\", 2]", "json_extract(value, '$.\"it''s\"[2]')" },
    { "\"\"", "json_extract(value, '$')" },
    { "{\"count\": \"members\"}", "json_array_length(value, '$.members')" },
    { "{\"literal\": \"it's\"}", "'it''s'" },
    { "{\"first\": [\"a\", \"b\"]}", "coalesce(json_extract(value, '$.a'), json_extract(value, '$.b'))" },
  };
  g_autoptr(JsonNode) bad = json_from_string ("{\"path\": \"a..b\"}", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_sql = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) expr = json_from_string (cases[i].expr, NULL);
      g_autofree char *sql = portico_expr_to_sql (expr, "value", NULL);

      g_assert_cmpstr (sql, ==, cases[i].sql);
    }

  bad_sql = portico_expr_to_sql (bad, "value", &error);
  g_assert_null (bad_sql);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION);
}

/* The compiled SQL is what ingest runs: one INSERT ... SELECT over
 * json_each() of a whole page. */
static void
test_sql_ingest_page (void)
{
  const char *page = "{\"data\": [{\"id\": 1, \"p\": {\"mail\": \"a@x\"}, \"on\": true},"
                     " {\"id\": 2, \"p\": {}, \"on\": false}, {\"id\": 3, \"on\": null}]}";
  g_autoptr(JsonNode) id_expr = json_from_string ("\"id\"", NULL);
  g_autoptr(JsonNode) mail_expr = json_from_string ("{\"first\": [\"p.mail\", {\"literal\": \"none\"}]}", NULL);
  g_autoptr(JsonNode) status_expr = json_from_string ("{\"path\": \"on\", \"map\": {\"true\": \"active\", \"false\": \"suspended\"}, \"default\": \"invited\"}", NULL);
  g_autofree char *id_sql = portico_expr_to_sql (id_expr, "value", NULL);
  g_autofree char *mail_sql = portico_expr_to_sql (mail_expr, "value", NULL);
  g_autofree char *status_sql = portico_expr_to_sql (status_expr, "value", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GString) rows = g_string_new (NULL);
  sqlite3 *db = open_db ();
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE users (id TEXT, email TEXT, status TEXT)", NULL, NULL, NULL), ==, SQLITE_OK);
  sql = g_strdup_printf ("INSERT INTO users SELECT %s, %s, %s FROM json_each(?1, '$.data')",
                         id_sql, mail_sql, status_sql);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, page, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, email, status FROM users ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (rows, "%s,%s,%s;", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_cmpstr (rows->str, ==, "1,a@x,active;2,none,suspended;3,none,invited;");
}

static void
test_template_expand (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *braces = NULL;
  g_autofree char *unknown = NULL;

  g_hash_table_insert (values, (gpointer) "subdomain", (gpointer) "acme");
  g_hash_table_insert (values, (gpointer) "user_id", (gpointer) "a/b c?d&e=é");

  plain = portico_template_expand ("https://{subdomain}.okta.com/users/{user_id}", values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "https://acme.okta.com/users/a/b c?d&e=é");

  escaped = portico_template_expand ("/users/{user_id}", values, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (escaped, ==, "/users/a%2Fb%20c%3Fd%26e%3D%C3%A9");

  /* Braces that do not hold a name are text (JSON in a query value). */
  braces = portico_template_expand ("{\"q\": {}} {subdomain} {not a name}", values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (braces, ==, "{\"q\": {}} acme {not a name}");

  /* Relative dates (format v2), at a fixed time: 2026-03-01T08:30:00Z. */
  {
    static const struct { const char *tmpl; const char *expected; } dates[] = {
      { "{now}", "2026-03-01T08:30:00Z" },
      { "{now:iso}", "2026-03-01T08:30:00Z" },
      { "{now-30d:date}", "2026-01-30" },
      { "{now+1h}", "2026-03-01T09:30:00Z" },
      { "{now-90m:epoch}", "1772348400" },
      { "from={now-1d:date}&to={now:date}", "from=2026-02-28&to=2026-03-01" },
      { "{now-}", "{now-}" },
      { "{now-3y}", "{now-3y}" },
      { "{now:week}", "{now:week}" },
      { "{nowhere}", NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (dates); i++)
      {
        g_autoptr(GError) date_error = NULL;
        g_autofree char *text = portico_template_expand_at (dates[i].tmpl, values, FALSE, 1772353800, &date_error);

        g_test_message ("%s", dates[i].tmpl);
        g_assert_cmpstr (text, ==, dates[i].expected);
        if (dates[i].expected == NULL)
          g_assert_error (date_error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
      }
    {
      g_autofree char *query = portico_template_expand_at ("{now}", values, TRUE, 1772353800, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (query, ==, "2026-03-01T08%3A30%3A00Z");
    }
  }

  unknown = portico_template_expand ("Bearer {api_token}", values, FALSE, &error);
  g_assert_null (unknown);
  g_assert_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD);
  g_assert_nonnull (strstr (error->message, "api_token"));
}

static void
test_items_path (void)
{
  g_autoptr(JsonNode) body = json_from_string ("{\"data\": {\"users\": [1, 2, 3]}, \"x\": 1}", NULL);
  g_autoptr(JsonNode) top = json_from_string ("[1, 2]", NULL);
  g_autoptr(JsonNode) path = json_from_string ("\"data.users\"", NULL);
  g_autoptr(JsonNode) root_path = json_from_string ("\"\"", NULL);
  g_autoptr(JsonNode) wrong = json_from_string ("\"x\"", NULL);
  JsonArray *array;

  array = portico_expr_get_items (path, body);
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  array = portico_expr_get_items (root_path, top);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_null (portico_expr_get_items (wrong, body));
  g_assert_null (portico_expr_get_items (root_path, body));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/expr/eval-matches-sql", test_eval_matches_sql);
  g_test_add_func ("/expr/values", test_eval_values);
  g_test_add_func ("/expr/nodes", test_eval_nodes);
  g_test_add_func ("/expr/sql-text", test_sql_text);
  g_test_add_func ("/expr/sql-ingest-page", test_sql_ingest_page);
  g_test_add_func ("/expr/template", test_template_expand);
  g_test_add_func ("/expr/items-path", test_items_path);

  return g_test_run ();
}
