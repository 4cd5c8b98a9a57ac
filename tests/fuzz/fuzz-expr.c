/* fuzz-expr.c: the expression language of connector maps (connectors/README.md
 * "Expressions"), both ways it is run.
 *
 * Input: a JSON document, either [EXPRESSION, ITEM] or an EXPRESSION alone
 * (then read over a fixed item). Only expressions that the connector
 * validator accepts are run (as the target "name" of a custom connector's
 * users map): the evaluators trust the validator, as the runtime and the
 * store do. The expression is evaluated with json-glib
 * (portico_expr_eval_string, used for identities, cursors and errors) and
 * compiled to SQL (portico_expr_to_sql, the store's page statement). What
 * compiles must be valid SQL, and both ways must give the same text for
 * the same item (the header promises it: a connection test and a sync read
 * an item alike).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "portico-connector.h"
#include "portico-json.h"
#include "portico-limits.h"
#include "portico-store-private.h"
#include "fuzz-common.h"

static sqlite3 *db;
static sqlite3_stmt *valid;
static GHashTable *field_values;

static const char sample_item[] =
  "{\"id\":\"00u1\",\"status\":\"ACTIVE\",\"n\":42,\"r\":1.5,\"b\":true,\"z\":null,"
  "\"profile\":{\"email\":\"ada@example.com\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"},"
  "\"tags\":[\"a\",\"b\"],\"emails\":[{\"value\":\"ada@example.com\",\"primary\":true}]}";

/* A custom connector whose users map has the expression as its "name". */
static const char connector_head[] =
  "{\"format\": 1, \"id\": \"fuzz\", \"name\": \"Fuzz\", \"category\": \"other\","
  " \"help_url\": \"https://fuzz.example.com/help\", \"help\": \"Fuzz.\", \"multi_account\": false,"
  " \"base_url\": \"https://fuzz.example.com\","
  " \"fields\": [{\"id\": \"subdomain\", \"label\": \"Subdomain\", \"type\": \"text\", \"required\": true, \"help\": \"S.\"},"
  "  {\"id\": \"api_key\", \"label\": \"API key\", \"type\": \"secret\", \"required\": true, \"help\": \"K.\"}],"
  " \"permissions\": [{\"id\": \"read\", \"label\": \"Read\", \"help\": \"Users.\"}],"
  " \"auth\": {\"scheme\": \"header\", \"header\": \"X-Api-Key\", \"value\": \"{api_key}\"},"
  " \"identity\": {\"id\": {\"template\": \"fuzz\"}, \"name\": {\"template\": \"Fuzz\"}},"
  " \"data_types\": {\"users\": {\"label\": \"Users\", \"essential\": true,"
  "  \"request\": {\"method\": \"GET\", \"path\": \"/api/users\"}, \"items\": \"\","
  "  \"map\": {\"id\": \"id\", \"name\": ";
static const char connector_tail[] = "}}}}";

static gboolean
expression_is_valid (JsonNode *expr)
{
  g_autofree char *text = json_to_string (expr, FALSE);
  g_autofree char *definition = g_strconcat (connector_head, text, connector_tail, NULL);
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(GError) error = NULL;

  connector = portico_connector_new_from_data (definition, -1, "fuzz.json", TRUE, &error);
  return connector != NULL;
}

static void
setup (void)
{
  portico_fuzz_init ();
  if (db != NULL)
    return;

  portico_store_sql_functions_init ();
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json_valid (?1)", -1, &valid, NULL), ==, SQLITE_OK);
  field_values = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (field_values, (gpointer) "subdomain", (gpointer) "acme");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonParser) item_parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autofree char *eval_text = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *query = NULL;
  g_autofree char *item_json = NULL;
  g_autofree char *page = NULL;
  JsonNode *root;
  JsonNode *expr;
  JsonNode *item;
  sqlite3_stmt *stmt = NULL;
  int rc;

  setup ();
  /* Deeper documents never reach json-glib (the runtime's pre-scan,
   * fuzz-json-prescan); connector files are small. */
  if (size == 0 || size > 65536 ||
      !portico_json_prescan ((const char *) data, size, PORTICO_LIMIT_JSON_DEPTH, NULL))
    return 0;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return 0;

  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) == 2)
    {
      expr = json_array_get_element (json_node_get_array (root), 0);
      item = json_array_get_element (json_node_get_array (root), 1);
    }
  else
    {
      item_parser = json_parser_new_immutable ();
      g_assert_true (json_parser_load_from_data (item_parser, sample_item, -1, NULL));
      expr = root;
      item = json_parser_get_root (item_parser);
    }

  if (!expression_is_valid (expr))
    return 0;

  value = portico_expr_eval (expr, item, field_values);
  eval_text = portico_expr_eval_string (expr, item, field_values);

  sql = portico_expr_to_sql (expr, "value", &error);
  if (sql == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  query = g_strconcat ("SELECT ", sql, " FROM json_each (?1)", NULL);
  rc = sqlite3_prepare_v2 (db, query, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("compiled expression is not valid SQL (%s): %s", sqlite3_errmsg (db), query);

  item_json = json_to_string (item, FALSE);
  page = g_strconcat ("[", item_json, "]", NULL);

  /* json-glib accepts raw control characters in strings and writes them
   * back unescaped; SQLite refuses such text (so does RFC 8259). A provider
   * sending them fails the page in the store with an error, which the
   * mapper harness covers; here only valid JSON is compared. */
  sqlite3_reset (valid);
  sqlite3_bind_text (valid, 1, page, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (valid), ==, SQLITE_ROW);
  if (sqlite3_column_int (valid, 0) != 1)
    {
      sqlite3_finalize (stmt);
      return 0;
    }

  sqlite3_bind_text (stmt, 1, page, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *sql_text = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (sql_text, eval_text) != 0)
        g_error ("expression %s over %s: json-glib gives %s%s%s, SQLite gives %s%s%s (%s)",
                 (const char *) data, item_json,
                 eval_text ? "“" : "", eval_text ? eval_text : "NULL", eval_text ? "”" : "",
                 sql_text ? "“" : "", sql_text ? sql_text : "NULL", sql_text ? "”" : "", sql);
    }
  else
    g_error ("compiled expression fails in SQLite (%d, %s): %s over %s", rc, sqlite3_errmsg (db), query, page);
  sqlite3_finalize (stmt);
  return 0;
}
