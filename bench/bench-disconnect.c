/* bench-disconnect.c: how fast Portico previews and performs a disconnect,
 * as a ratio of the limit measured in the same run: raw
 * DELETE ... WHERE source_account_id = ? statements (and, for the preview,
 * raw SELECT count (*) ... WHERE source_account_id = ?) on a copy of the
 * same database. Not a test.
 *
 * The database: two Okta accounts of --users users each (default 50000;
 * the second one --others users when given: issue 13's 500,000 facts in a
 * database of 2,000,000 are --users 100000 --others 300000),
 * with their custom fields (4 per user), licenses, a workflow and an
 * offboarding config, written through Portico's own replace path. Each round
 * works on fresh copies of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-bench"

#include "config.h"

#include <stdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bench-common.h"
#include "portico-connector.h"
#include "portico-store.h"

#define N_SKUS 40

static PorticoStoreMapping *
okta_mapping (PorticoConnector *okta,
              const char       *data_type)
{
  g_autoptr(GError) error = NULL;
  JsonObject *map = portico_connector_get_data_type_map (okta, data_type);
  JsonNode *items = portico_connector_get_data_type_items (okta, data_type);
  PorticoStoreMapping *mapping;

  if (map == NULL)
    g_error ("okta.json has no map for %s", data_type);
  mapping = portico_store_mapping_new (data_type,
                                       items != NULL && JSON_NODE_HOLDS_VALUE (items) ? json_node_get_string (items) : "",
                                       map, &error);
  if (mapping == NULL)
    g_error ("Cannot compile the %s map: %s", data_type, error->message);
  return mapping;
}

static PorticoStoreMapping *
licenses_mapping (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) sql = g_hash_table_new (g_str_hash, g_str_equal);
  PorticoStoreMapping *mapping;

  g_hash_table_insert (sql, "sku", "json_extract (value, '$.skuId')");
  g_hash_table_insert (sql, "name", "json_extract (value, '$.skuPartNumber')");
  g_hash_table_insert (sql, "total", "json_extract (value, '$.prepaidUnits.enabled')");
  g_hash_table_insert (sql, "assigned", "json_extract (value, '$.consumedUnits')");
  mapping = portico_store_mapping_new_from_sql ("licenses", "value", sql, &error);
  if (mapping == NULL)
    g_error ("Cannot compile the licenses map: %s", error->message);
  return mapping;
}

static GBytes *
make_licenses_page (guint account)
{
  GString *s = g_string_new ("{\"value\":[");

  for (guint i = 0; i < N_SKUS; i++)
    g_string_append_printf (s, "%s{\"skuId\":\"sku-%u-%02u\",\"skuPartNumber\":\"PLAN_%02u\","
                               "\"prepaidUnits\":{\"enabled\":%u},\"consumedUnits\":%u}",
                            i > 0 ? "," : "", account, i, i, 1000 + i * 10, 900 + i * 7);
  g_string_append (s, "]}");
  return g_string_free_to_bytes (s);
}

static void
replace_all (PorticoStore        *store,
             gint64               account_id,
             PorticoStoreMapping *mapping,
             GPtrArray           *pages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStoreReplace) replace = portico_store_replace_begin (store, account_id, mapping);

  for (guint i = 0; i < pages->len; i++)
    if (!portico_store_replace_add_page_sync (replace, pages->pdata[i], &error))
      g_error ("add_page (%s): %s", portico_store_mapping_get_data_type (mapping), error->message);
  if (portico_store_replace_commit_sync (replace, &error) < 0)
    g_error ("commit (%s): %s", portico_store_mapping_get_data_type (mapping), error->message);
}

static void
populate (const char       *path,
          PorticoConnector *okta,
          guint             n_users,
          guint             n_others)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (path, &error);
  g_autoptr(PorticoStoreMapping) users = okta_mapping (okta, "users");
  g_autoptr(PorticoStoreMapping) custom_fields = okta_mapping (okta, "custom_fields");
  g_autoptr(PorticoStoreMapping) licenses = licenses_mapping ();
  static const PorticoStoreDataTypeSpec data_types[] = {
    { "users", TRUE, NULL },
    { "custom_fields", TRUE, NULL },
    { "licenses", TRUE, NULL },
  };
  static const char * const names[] = { "Acme US", "Acme EU" };
  static const char * const domains[] = { "acme.okta.com", "acme-eu.okta-emea.com" };

  if (store == NULL)
    g_error ("Cannot open the store: %s", error->message);

  for (guint a = 0, offset = 0; a < G_N_ELEMENTS (names); a++)
    {
      guint n = a == 0 ? n_users : n_others;
      PorticoStoreNewAccount account = {
        .connector_id = "okta",
        .connector_name = "Okta",
        .category = "identity_provider",
        .name = names[a],
        .permission = "act",
        .data_types = data_types,
        .n_data_types = G_N_ELEMENTS (data_types),
      };
      g_autoptr(GPtrArray) pages = bench_make_okta_pages (n, offset, BENCH_PAGE_SIZE, domains[a], NULL);
      g_autoptr(GPtrArray) license_pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(JsonObject) settings = json_object_new ();
      gint64 account_id, workflow_id;

      offset += n;
      account_id = portico_store_create_account_sync (store, &account, &error);
      if (account_id == 0)
        g_error ("Cannot create the account: %s", error->message);
      replace_all (store, account_id, users, pages);
      replace_all (store, account_id, custom_fields, pages);
      g_ptr_array_add (license_pages, make_licenses_page (a));
      replace_all (store, account_id, licenses, license_pages);

      workflow_id = portico_store_add_workflow_sync (store, "Offboard leavers", account_id,
                                                     "A user is deactivated", &error);
      if (workflow_id == 0 ||
          portico_store_add_workflow_action_sync (store, workflow_id, account_id, "suspend_user",
                                                  "Suspend in Okta", &error) == 0)
        g_error ("Cannot add a workflow: %s", error->message);
      json_object_set_string_member (settings, "action", "suspend_user");
      if (!portico_store_set_offboarding_config_sync (store, account_id, settings, &error))
        g_error ("Cannot set the offboarding config: %s", error->message);
    }
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           gint64      account_id)
{
  sqlite3_stmt *stmt = bench_prepare (db, sql);
  gint64 n = -1;

  sqlite3_bind_int64 (stmt, 1, account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
copy_db (const char *from,
         const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dest = g_file_new_for_path (to);

  if (!g_file_copy (src, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    g_error ("Cannot copy the database: %s", error->message);
}

/* The fact tables and what a preview counts in each: custom fields are
 * one row per user holding field_count fields (schema version 13). */
static const struct
{
  const char *table;
  const char *count;
} fact_tables[] = {
  { "app_users", "count (*)" },
  { "licenses", "count (*)" },
  { "custom_user_field_sets", "coalesce (sum (field_count), 0)" },
  { "transactions", "count (*)" },
  { "groups", "count (*)" },
};

/* The limits on a fresh copy: the counts a preview needs, then the deletes
 * in one transaction. Returns seconds of each. */
static void
run_limits (const char *path,
            gint64      account_id,
            double     *out_count_seconds,
            double     *out_delete_seconds,
            gint64     *out_deleted)
{
  sqlite3 *db = bench_open_db (path);
  gint64 start, counted, end, deleted = 0;

  start = bench_now ();
  bench_exec (db, "BEGIN");
  for (guint i = 0; i < G_N_ELEMENTS (fact_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE source_account_id = ?",
                                              fact_tables[i].count, fact_tables[i].table);

      deleted += query_int (db, sql, account_id);
    }
  bench_exec (db, "COMMIT");
  counted = bench_now ();

  bench_exec (db, "BEGIN IMMEDIATE");
  for (guint i = 0; i < G_N_ELEMENTS (fact_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE source_account_id = ?", fact_tables[i].table);
      sqlite3_stmt *stmt = bench_prepare (db, sql);

      sqlite3_bind_int64 (stmt, 1, account_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
    }
  bench_exec (db, "COMMIT");
  end = bench_now ();

  sqlite3_close (db);
  *out_count_seconds = (counted - start) / 1e6;
  *out_delete_seconds = (end - counted) / 1e6;
  *out_deleted = deleted;
}

static void
run_portico (const char *path,
             gint64      account_id,
             gint64      expected_deleted,
             double     *out_preview_seconds,
             double     *out_disconnect_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (path, &error);
  g_autoptr(PorticoDisconnectSummary) preview = NULL;
  g_autoptr(PorticoDisconnectSummary) done = NULL;
  gint64 start, previewed, end;

  if (store == NULL)
    g_error ("Cannot open the store: %s", error->message);

  start = bench_now ();
  preview = portico_store_preview_disconnect (store, account_id, &error);
  previewed = bench_now ();
  if (preview == NULL)
    g_error ("preview: %s", error->message);
  done = portico_store_disconnect_sync (store, account_id, &error);
  end = bench_now ();
  if (done == NULL)
    g_error ("disconnect: %s", error->message);

  if (preview->app_users + preview->licenses + preview->custom_fields + preview->transactions != expected_deleted ||
      done->app_users + done->licenses + done->custom_fields + done->transactions != expected_deleted)
    g_error ("Portico counted %" G_GINT64_FORMAT " / deleted %" G_GINT64_FORMAT " rows, raw DELETE %" G_GINT64_FORMAT,
             preview->app_users + preview->licenses + preview->custom_fields + preview->transactions,
             done->app_users + done->licenses + done->custom_fields + done->transactions,
             expected_deleted);

  *out_preview_seconds = (previewed - start) / 1e6;
  *out_disconnect_seconds = (end - previewed) / 1e6;
}

static char *
format_runs (const double *seconds,
             guint         n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s%.1f", i > 0 ? " " : "", seconds[i] * 1000);
  return g_string_free (s, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int n_users = 50000;
  int n_others = 0;
  gboolean keep = FALSE;
  gboolean build_only = FALSE;
  int n_events = 0;
  g_autofree char *connectors_dir = NULL;
  const GOptionEntry entries[] = {
    { "users", 'u', 0, G_OPTION_ARG_INT, &n_users, "Users per account (default 50000)", "N" },
    { "others", 0, 0, G_OPTION_ARG_INT, &n_others, "Users of the second account (default: --users)", "N" },
    { "connectors", 0, 0, G_OPTION_ARG_FILENAME, &connectors_dir, "Folder holding okta.json", "DIR" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the populated database (prints its path)", NULL },
    { "build-only", 0, 0, G_OPTION_ARG_NONE, &build_only,
      "Only build the database, keep it and print its path and facts (for the start and views benchmarks)", NULL },
    { "events", 0, 0, G_OPTION_ARG_INT, &n_events,
      "With --build-only: also N sync events in the audit trail (plain SQL on the real schema)", "N" },
    { NULL },
  };
  g_autoptr(PorticoConnector) okta = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *template = NULL;
  g_autofree char *okta_path = NULL;
  g_autoptr(GFile) okta_file = NULL;
  double count_s[BENCH_RUNS], delete_s[BENCH_RUNS], preview_s[BENCH_RUNS], disconnect_s[BENCH_RUNS];
  double count_m, delete_m, preview_m, disconnect_m;
  gint64 deleted = 0, start;
  const gint64 account_id = 1;

  context = g_option_context_new ("- measure disconnect against raw DELETE statements");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (n_users <= 0 || n_others < 0)
    {
      fprintf (stderr, "--users must be positive\n");
      return 2;
    }
  if (n_others == 0)
    n_others = n_users;

  okta_path = g_build_filename (connectors_dir != NULL ? connectors_dir : SOURCE_CONNECTORS_DIR, "okta.json", NULL);
  okta_file = g_file_new_for_path (okta_path);
  okta = portico_connector_new_from_file (okta_file, FALSE, &error);
  if (okta == NULL)
    g_error ("Cannot load %s: %s", okta_path, error->message);

  dir = bench_make_tmpdir ();
  template = g_build_filename (dir, "template.db", NULL);
  start = bench_now ();
  populate (template, okta, (guint) n_users, (guint) n_others);
  {
    sqlite3 *db = bench_open_db (template);

    bench_exec (db, "PRAGMA wal_checkpoint (TRUNCATE)");
    printf ("bench-disconnect: 2 accounts; account %" G_GINT64_FORMAT " has %" G_GINT64_FORMAT " app users, %"
            G_GINT64_FORMAT " custom fields, %" G_GINT64_FORMAT " licenses; the database %" G_GINT64_FORMAT
            " facts; built in %.1f s, SQLite %s\n",
            account_id,
            query_int (db, "SELECT count (*) FROM app_users WHERE source_account_id = ?", account_id),
            query_int (db, "SELECT coalesce (sum (field_count), 0) FROM custom_user_field_sets "
                           "WHERE source_account_id = ?", account_id),
            query_int (db, "SELECT count (*) FROM licenses WHERE source_account_id = ?", account_id),
            query_int (db, "SELECT (SELECT count (*) FROM app_users)"
                           " + (SELECT coalesce (sum (field_count), 0) FROM custom_user_field_sets)"
                           " + (SELECT count (*) FROM licenses) + (SELECT count (*) FROM transactions)"
                           " + (SELECT count (*) FROM groups)", 0),
            (bench_now () - start) / 1e6, sqlite3_libversion ());
    /* As after a successful sync just now, so that the window's scheduler
     * does not start syncs of these accounts (no credentials) in the middle
     * of the start and views figures. */
    if (build_only)
      bench_exec (db, "UPDATE accounts SET status = 'ok', last_sync_at = strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')");
    if (build_only && n_events > 0)
      {
        /* What syncs write (portico-store.c): every ten minutes one of the
         * two accounts, one in ten failing. */
        sqlite3_stmt *stmt = bench_prepare (db,
          "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
          "INSERT INTO audit_events (time, account_id, kind, details) "
          "SELECT strftime ('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i * 600, 'unixepoch'), 1 + i % 2, "
          "  CASE WHEN i % 10 = 0 THEN 'sync_failed' ELSE 'synced' END, "
          "  json_object ('data_types', json_array ("
          "    json_object ('id', 'users', 'status', CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'ok' END, "
          "                 'items', 1000 + i % 500, 'error', CASE WHEN i % 10 = 0 THEN 'not_authorized' END), "
          "    json_object ('id', 'custom_fields', 'status', 'ok', 'items', 4000 + i % 2000, 'error', NULL))) "
          "FROM n");

        sqlite3_bind_int (stmt, 1, n_events);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          g_error ("audit events: %s", sqlite3_errmsg (db));
        sqlite3_finalize (stmt);
        bench_exec (db, "PRAGMA wal_checkpoint (TRUNCATE)");
        printf ("events: %" G_GINT64_FORMAT "\n", query_int (db, "SELECT count (*) FROM audit_events", 0));
      }
    if (build_only)
      printf ("facts: %" G_GINT64_FORMAT " (app users, custom fields, licenses, transactions, groups); "
              "people: %" G_GINT64_FORMAT "\nkept %s\n",
              query_int (db, "SELECT (SELECT count (*) FROM app_users)"
                             " + (SELECT coalesce (sum (field_count), 0) FROM custom_user_field_sets)"
                             " + (SELECT count (*) FROM licenses) + (SELECT count (*) FROM transactions)"
                             " + (SELECT count (*) FROM groups)", 0),
              query_int (db, "SELECT count (*) FROM people", 0),
              template);
    sqlite3_close (db);
  }
  fflush (stdout);
  if (build_only)
    return 0;

  for (int r = 0; r < BENCH_RUNS; r++)
    {
      g_autofree char *limit_path = g_strdup_printf ("%s/limit-%d.db", dir, r);
      g_autofree char *portico_path = g_strdup_printf ("%s/portico-%d.db", dir, r);

      copy_db (template, limit_path);
      run_limits (limit_path, account_id, &count_s[r], &delete_s[r], &deleted);
      bench_remove_db (limit_path);

      copy_db (template, portico_path);
      run_portico (portico_path, account_id, deleted, &preview_s[r], &disconnect_s[r]);
      bench_remove_db (portico_path);
    }

  count_m = bench_median (count_s, BENCH_RUNS);
  delete_m = bench_median (delete_s, BENCH_RUNS);
  preview_m = bench_median (preview_s, BENCH_RUNS);
  disconnect_m = bench_median (disconnect_s, BENCH_RUNS);

  {
    g_autofree char *r1 = format_runs (count_s, BENCH_RUNS);
    g_autofree char *r2 = format_runs (delete_s, BENCH_RUNS);
    g_autofree char *r3 = format_runs (preview_s, BENCH_RUNS);
    g_autofree char *r4 = format_runs (disconnect_s, BENCH_RUNS);

    printf ("raw SELECT count (limit):  %8.1f ms                                (runs: %s ms)\n", count_m * 1000, r1);
    printf ("raw DELETE (limit):        %8.1f ms, %" G_GINT64_FORMAT " rows       (runs: %s ms)\n",
            delete_m * 1000, deleted, r2);
    printf ("portico preview:           %8.1f ms = %.2f of raw count limit, %.2f of the raw DELETE time   (runs: %s ms)\n",
            preview_m * 1000, count_m / preview_m, preview_m / delete_m, r3);
    printf ("portico disconnect:        %8.1f ms = %.2f of raw DELETE limit   (runs: %s ms)\n",
            disconnect_m * 1000, delete_m / disconnect_m, r4);
  }

  if (keep)
    printf ("kept %s\n", template);
  else
    {
      bench_remove_db (template);
      bench_remove_dir (dir);
    }
  return 0;
}
