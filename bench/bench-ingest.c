/* bench-ingest.c: how fast Portico ingests a users listing, as a ratio of
 * the limit measured in the same run (DESIGN.md "Ingest: measured, not
 * guessed"). Not a test: it prints numbers and fails only when something
 * does not work at all.
 *
 *   (a) limit: raw SQL, one INSERT ... SELECT json_extract (...) FROM
 *       json_each (?) per page into a plain table, one transaction;
 *   (b) json-glib tree then prepared-statement inserts, one transaction;
 *   (c) Portico: PorticoStoreReplace with the mapping compiled from
 *       connectors/okta.json, add_page_sync per page, commit_sync.
 *
 * Rounds run a, b, c in turn so that load from other processes hits all
 * three alike; each figure is the median of the rounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <json-glib/json-glib.h>

#include "bench-common.h"
#include "portico-connector.h"
#include "portico-store.h"
/* Only for --explain: per-statement timings on the store's own writer. */
#include "portico-store-private.h"

#define PLAIN_TABLE \
  "CREATE TABLE t (ext_id TEXT, email TEXT, name TEXT, status TEXT, role TEXT, last_activity TEXT)"

/* The same source paths the Okta users map reads. */
static const char raw_insert_sql[] =
  "INSERT INTO t (ext_id, email, name, status, role, last_activity) "
  "SELECT json_extract (value, '$.id'), json_extract (value, '$.profile.email'), "
  "  json_extract (value, '$.profile.firstName') || ' ' || json_extract (value, '$.profile.lastName'), "
  "  json_extract (value, '$.status'), json_extract (value, '$.profile.userType'), "
  "  json_extract (value, '$.lastLogin') "
  "FROM json_each (?)";

typedef struct
{
  GPtrArray *pages;          /* GBytes */
  guint n_users;
  char *dir;
  PorticoConnector *okta;
  PorticoStoreMapping *mapping;
  guint serial;
} Bench;

static char *
next_db_path (Bench      *bench,
              const char *what)
{
  return g_strdup_printf ("%s/%s-%u.db", bench->dir, what, bench->serial++);
}

static void
check_count (sqlite3    *db,
             const char *sql,
             gint64      expected,
             const char *what)
{
  sqlite3_stmt *stmt = bench_prepare (db, sql);
  gint64 n = -1;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (n != expected)
    g_error ("%s wrote %" G_GINT64_FORMAT " rows, expected %" G_GINT64_FORMAT, what, n, expected);
}

/* (a) Returns seconds. */
static double
run_raw_sql (Bench *bench)
{
  g_autofree char *path = next_db_path (bench, "raw");
  sqlite3 *db = bench_open_db (path);
  sqlite3_stmt *stmt;
  gint64 start, end;

  bench_exec (db, PLAIN_TABLE);
  stmt = bench_prepare (db, raw_insert_sql);

  start = bench_now ();
  bench_exec (db, "BEGIN");
  for (guint i = 0; i < bench->pages->len; i++)
    {
      gsize size;
      const char *body = g_bytes_get_data (bench->pages->pdata[i], &size);

      sqlite3_bind_text (stmt, 1, body, (int) size, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("Raw insert failed: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
    }
  bench_exec (db, "COMMIT");
  end = bench_now ();

  sqlite3_finalize (stmt);
  check_count (db, "SELECT count(*) FROM t", bench->n_users, "raw SQL");
  sqlite3_close (db);
  bench_remove_db (path);
  return (end - start) / 1e6;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
bind_or_null (sqlite3_stmt *stmt,
              int           index,
              const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* (b) Returns seconds. */
static double
run_tree_then_insert (Bench *bench)
{
  g_autofree char *path = next_db_path (bench, "tree");
  sqlite3 *db = bench_open_db (path);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  sqlite3_stmt *stmt;
  gint64 start, end;

  bench_exec (db, PLAIN_TABLE);
  stmt = bench_prepare (db, "INSERT INTO t (ext_id, email, name, status, role, last_activity) "
                            "VALUES (?, ?, ?, ?, ?, ?)");

  start = bench_now ();
  bench_exec (db, "BEGIN");
  for (guint i = 0; i < bench->pages->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize size;
      const char *body = g_bytes_get_data (bench->pages->pdata[i], &size);
      JsonArray *items;

      if (!json_parser_load_from_data (parser, body, (gssize) size, &error))
        g_error ("json-glib: %s", error->message);
      items = json_node_get_array (json_parser_get_root (parser));
      for (guint j = 0; j < json_array_get_length (items); j++)
        {
          JsonObject *user = json_array_get_object_element (items, j);
          JsonObject *profile = json_object_get_object_member (user, "profile");
          const char *first = member_string (profile, "firstName");
          const char *last = member_string (profile, "lastName");
          char name[256];

          g_snprintf (name, sizeof name, "%s %s", first ? first : "", last ? last : "");
          bind_or_null (stmt, 1, member_string (user, "id"));
          bind_or_null (stmt, 2, member_string (profile, "email"));
          bind_or_null (stmt, 3, name);
          bind_or_null (stmt, 4, member_string (user, "status"));
          bind_or_null (stmt, 5, member_string (profile, "userType"));
          bind_or_null (stmt, 6, member_string (user, "lastLogin"));
          if (sqlite3_step (stmt) != SQLITE_DONE)
            g_error ("Insert failed: %s", sqlite3_errmsg (db));
          sqlite3_reset (stmt);
        }
    }
  bench_exec (db, "COMMIT");
  end = bench_now ();

  sqlite3_finalize (stmt);
  check_count (db, "SELECT count(*) FROM t", bench->n_users, "tree-then-insert");
  sqlite3_close (db);
  bench_remove_db (path);
  return (end - start) / 1e6;
}

static gint64
create_okta_account (PorticoStore *store,
                     const char   *name)
{
  g_autoptr(GError) error = NULL;
  static const PorticoStoreDataTypeSpec data_types[] = {
    { "users", TRUE, NULL },
    { "custom_fields", TRUE, NULL },
  };
  PorticoStoreNewAccount account = {
    .connector_id = "okta",
    .connector_name = "Okta",
    .category = "identity_provider",
    .name = name,
    .permission = "read",
    .data_types = data_types,
    .n_data_types = G_N_ELEMENTS (data_types),
  };
  gint64 id = portico_store_create_account_sync (store, &account, &error);

  if (id == 0)
    g_error ("Cannot create the account: %s", error->message);
  return id;
}

static void set_store_profiling (PorticoStore *store,
                                 gboolean      enabled);

/* (c) Returns seconds; also the part spent staging pages. */
static double
run_portico (Bench   *bench,
             gboolean profiled,
             double  *out_pages_seconds)
{
  g_autofree char *path = next_db_path (bench, "portico");
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoStore) store = portico_store_open (path, &error);
  g_autoptr(PorticoStoreReplace) replace = NULL;
  gint64 account_id, start, staged, end, items;

  if (store == NULL)
    g_error ("Cannot open the store: %s", error->message);
  account_id = create_okta_account (store, "Acme");
  if (profiled)
    set_store_profiling (store, TRUE);

  start = bench_now ();
  replace = portico_store_replace_begin (store, account_id, bench->mapping);
  for (guint i = 0; i < bench->pages->len; i++)
    if (!portico_store_replace_add_page_sync (replace, bench->pages->pdata[i], &error))
      g_error ("add_page: %s", error->message);
  staged = bench_now ();
  items = portico_store_replace_commit_sync (replace, &error);
  end = bench_now ();
  if (items < 0)
    g_error ("commit: %s", error->message);
  if (items != bench->n_users)
    g_error ("Portico wrote %" G_GINT64_FORMAT " users, expected %u", items, bench->n_users);

  g_clear_pointer (&replace, portico_store_replace_unref);
  if (profiled)
    set_store_profiling (store, FALSE);
  g_clear_object (&store);
  {
    sqlite3 *db = bench_open_db (path);

    check_count (db, "SELECT count(*) FROM app_users", bench->n_users, "Portico");
    sqlite3_close (db);
  }
  bench_remove_db (path);

  *out_pages_seconds = (staged - start) / 1e6;
  return (end - start) / 1e6;
}

/* ---- --explain: where Portico's time goes ---------------------------------- */

typedef struct
{
  guint count;
  guint64 ns;
  guint order;
} StatementTime;

static GMutex profile_lock;
static GHashTable *profile;   /* normalised SQL -> StatementTime */

static char *
shorten_sql (const char *sql)
{
  GString *s = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = sql; *p != '\0' && s->len < 90; p++)
    {
      if (g_ascii_isspace (*p))
        space = TRUE;
      else
        {
          if (space && s->len > 0)
            g_string_append_c (s, ' ');
          space = FALSE;
          g_string_append_c (s, *p);
        }
    }
  return g_string_free (s, FALSE);
}

static int
profile_cb (unsigned int type,
            void        *context,
            void        *p,
            void        *x)
{
  sqlite3_stmt *stmt = p;
  g_autofree char *key = NULL;
  StatementTime *t;

  if (type != SQLITE_TRACE_PROFILE)
    return 0;
  key = shorten_sql (sqlite3_sql (stmt));
  g_mutex_lock (&profile_lock);
  t = g_hash_table_lookup (profile, key);
  if (t == NULL)
    {
      t = g_new0 (StatementTime, 1);
      t->order = g_hash_table_size (profile);
      g_hash_table_insert (profile, g_steal_pointer (&key), t);
    }
  t->count++;
  t->ns += *(sqlite3_uint64 *) x;
  g_mutex_unlock (&profile_lock);
  return 0;
}

static gboolean
set_trace_func (PorticoStore *self,
                sqlite3      *db,
                gpointer      data,
                gint64       *out_value,
                gpointer     *out_pointer,
                GError      **error)
{
  sqlite3_trace_v2 (db, data != NULL ? SQLITE_TRACE_PROFILE : 0, data != NULL ? profile_cb : NULL, NULL);
  return TRUE;
}

static void
set_store_profiling (PorticoStore *store,
                     gboolean      enabled)
{
  g_autoptr(GError) error = NULL;

  if (!portico_store_run_write_sync (store, set_trace_func, enabled ? GINT_TO_POINTER (1) : NULL, NULL,
                                     NULL, NULL, &error))
    g_error ("Cannot profile the writer: %s", error->message);
}

static int
compare_order (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const StatementTime *x = g_hash_table_lookup (user_data, *(const char * const *) a);
  const StatementTime *y = g_hash_table_lookup (user_data, *(const char * const *) b);

  return (int) x->order - (int) y->order;
}

static void
print_profile (double total_seconds)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  guint64 sum = 0;

  g_hash_table_iter_init (&iter, profile);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort_with_data (keys, compare_order, profile);

  printf ("  Statements on Portico's writer (one profiled replace, %.3f s wall):\n", total_seconds);
  for (guint i = 0; i < keys->len; i++)
    {
      StatementTime *t = g_hash_table_lookup (profile, keys->pdata[i]);

      sum += t->ns;
      if (t->ns < 1000000)
        continue;
      printf ("    %8.3f s  %5u x  %s\n", t->ns / 1e9, t->count, (const char *) keys->pdata[i]);
    }
  printf ("    %8.3f s  in SQLite in all; %.3f s outside statements (thread hops, binding, prepare)\n",
          sum / 1e9, total_seconds - sum / 1e9);
}

typedef enum
{
  STAGE_TEMP_PER_PAGE,  /* as the store: temp table + handle index, autocommit per page */
  STAGE_TEMP_ONE_TX,    /* temp table + handle index, one transaction */
  STAGE_MAIN_ONE_TX,    /* Portico's page SQL into a plain main table, one transaction */
} StageVariant;

/* Portico's compiled page statement on a raw connection. Returns seconds. */
static double
run_mapping_sql (Bench        *bench,
                 StageVariant  variant)
{
  g_autofree char *path = next_db_path (bench, "variant");
  sqlite3 *db = bench_open_db (path);
  const char *table_sql = "(handle INTEGER, ext_id, email, name, status, role, last_activity, license)";
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 start, end;

  if (variant == STAGE_MAIN_ONE_TX)
    {
      g_autofree char *create = g_strconcat ("CREATE TABLE main.stage_users ", table_sql, NULL);
      g_auto(GStrv) parts = g_strsplit (portico_store_mapping_get_sql (bench->mapping), "temp.stage_users", -1);

      bench_exec (db, create);
      sql = g_strjoinv ("main.stage_users", parts);
    }
  else
    {
      g_autofree char *create = g_strconcat ("CREATE TEMP TABLE stage_users ", table_sql, ";"
                                             "CREATE INDEX temp.stage_users_handle ON stage_users (handle)",
                                             NULL);

      bench_exec (db, create);
      sql = g_strdup (portico_store_mapping_get_sql (bench->mapping));
    }
  stmt = bench_prepare (db, sql);

  start = bench_now ();
  if (variant != STAGE_TEMP_PER_PAGE)
    bench_exec (db, "BEGIN");
  for (guint i = 0; i < bench->pages->len; i++)
    {
      gsize size;
      const char *body = g_bytes_get_data (bench->pages->pdata[i], &size);

      sqlite3_bind_text (stmt, 1, body, (int) size, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, 1);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("Mapping insert failed: %s", sqlite3_errmsg (db));
      sqlite3_reset (stmt);
    }
  if (variant != STAGE_TEMP_PER_PAGE)
    bench_exec (db, "COMMIT");
  end = bench_now ();

  sqlite3_finalize (stmt);
  check_count (db, "SELECT count(*) FROM stage_users", bench->n_users, "mapping SQL");
  sqlite3_close (db);
  bench_remove_db (path);
  return (end - start) / 1e6;
}

static PorticoStoreMapping *
load_mapping (PorticoConnector *okta,
              const char       *data_type)
{
  g_autoptr(GError) error = NULL;
  JsonObject *map = portico_connector_get_data_type_map (okta, data_type);
  JsonNode *items = portico_connector_get_data_type_items (okta, data_type);
  const char *items_path = "";
  PorticoStoreMapping *mapping;

  if (map == NULL)
    g_error ("okta.json has no map for %s", data_type);
  if (items != NULL && JSON_NODE_HOLDS_VALUE (items))
    items_path = json_node_get_string (items);
  mapping = portico_store_mapping_new (data_type, items_path, map, &error);
  if (mapping == NULL)
    g_error ("Cannot compile the %s map: %s", data_type, error->message);
  return mapping;
}

static PorticoConnector *
load_okta (const char *connectors_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (connectors_dir, "okta.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PorticoConnector *okta = portico_connector_new_from_file (file, FALSE, &error);

  if (okta == NULL)
    g_error ("Cannot load %s: %s", path, error->message);
  return okta;
}

static void
print_line (const char *label,
            double      users_per_s,
            double      limit,
            const double *seconds,
            guint       runs)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < runs; i++)
    g_string_append_printf (all, "%s%.3f", i > 0 ? " " : "", seconds[i]);
  if (limit > 0)
    printf ("%-31s %8.0f users/s = %.2f of raw SQL limit   (runs: %s s)\n",
            label, users_per_s, users_per_s / limit, all->str);
  else
    printf ("%-31s %8.0f users/s                        (runs: %s s)\n",
            label, users_per_s, all->str);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int n_users = 100000;
  int runs = BENCH_RUNS;
  gboolean verbose = FALSE;
  gboolean explain = FALSE;
  g_autofree char *connectors_dir = NULL;
  const GOptionEntry entries[] = {
    { "users", 'u', 0, G_OPTION_ARG_INT, &n_users, "Number of users (default 100000)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Rounds; each figure is their median (default 3)", "N" },
    { "connectors", 0, 0, G_OPTION_ARG_FILENAME, &connectors_dir, "Folder holding okta.json", "DIR" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print the compiled mapping SQL", NULL },
    { "explain", 'e', 0, G_OPTION_ARG_NONE, &explain, "Also time Portico's statements one by one and variants of its staging", NULL },
    { NULL },
  };
  Bench bench = { 0, };
  g_autofree double *raw_s = NULL, *tree_s = NULL, *portico_s = NULL, *pages_s = NULL;
  guint64 bytes = 0;
  double raw, tree, portico, pages;

  context = g_option_context_new ("- measure users ingest against the raw SQL limit");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (n_users <= 0 || runs <= 0)
    {
      fprintf (stderr, "--users and --runs must be positive\n");
      return 2;
    }

  bench.n_users = (guint) n_users;
  bench.okta = load_okta (connectors_dir != NULL ? connectors_dir : SOURCE_CONNECTORS_DIR);
  bench.mapping = load_mapping (bench.okta, "users");
  bench.pages = bench_make_okta_pages (bench.n_users, 0, BENCH_PAGE_SIZE, "acme.okta.com", &bytes);
  bench.dir = bench_make_tmpdir ();

  printf ("bench-ingest: %u users, %u pages of %d, %.1f MB of JSON (%.0f bytes/user), SQLite %s, %d rounds\n",
          bench.n_users, bench.pages->len, BENCH_PAGE_SIZE, bytes / 1e6,
          (double) bytes / bench.n_users, sqlite3_libversion (), runs);
  if (verbose)
    printf ("Portico's page statement:\n  %s\n", portico_store_mapping_get_sql (bench.mapping));
  fflush (stdout);

  raw_s = g_new0 (double, runs);
  tree_s = g_new0 (double, runs);
  portico_s = g_new0 (double, runs);
  pages_s = g_new0 (double, runs);
  for (int r = 0; r < runs; r++)
    {
      raw_s[r] = run_raw_sql (&bench);
      tree_s[r] = run_tree_then_insert (&bench);
      portico_s[r] = run_portico (&bench, FALSE, &pages_s[r]);
    }

  raw = bench.n_users / bench_median (raw_s, runs);
  tree = bench.n_users / bench_median (tree_s, runs);
  portico = bench.n_users / bench_median (portico_s, runs);
  pages = bench_median (pages_s, runs);

  print_line ("raw SQL (limit):", raw, 0, raw_s, runs);
  print_line ("tree-then-insert:", tree, raw, tree_s, runs);
  print_line ("portico replace:", portico, raw, portico_s, runs);
  printf ("  portico split: pages staged %.3f s (%.0f users/s), commit %.3f s (median total %.3f s)\n",
          pages, bench.n_users / pages, bench_median (portico_s, runs) - pages,
          bench_median (portico_s, runs));
  printf ("  limit throughput: %.1f MB/s of JSON\n", raw * ((double) bytes / bench.n_users) / 1e6);

  if (explain)
    {
      static const struct { StageVariant variant; const char *label; } variants[] = {
        { STAGE_MAIN_ONE_TX, "page SQL, main table, 1 tx:" },
        { STAGE_TEMP_ONE_TX, "page SQL, temp+index, 1 tx:" },
        { STAGE_TEMP_PER_PAGE, "page SQL, temp+index, tx/page:" },
      };
      g_autofree double *seconds = g_new0 (double, G_N_ELEMENTS (variants) * runs);
      double profiled_seconds, unused;

      printf ("Explain (raw connections running Portico's compiled page statement, %d rounds):\n", runs);
      for (int r = 0; r < runs; r++)
        for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
          seconds[v * runs + r] = run_mapping_sql (&bench, variants[v].variant);
      for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
        print_line (variants[v].label, bench.n_users / bench_median (&seconds[v * runs], runs), raw,
                    &seconds[v * runs], runs);

      profile = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      profiled_seconds = run_portico (&bench, TRUE, &unused);
      print_profile (profiled_seconds);
      g_clear_pointer (&profile, g_hash_table_unref);
    }

  bench_remove_dir (bench.dir);
  g_free (bench.dir);
  g_ptr_array_unref (bench.pages);
  portico_store_mapping_unref (bench.mapping);
  g_object_unref (bench.okta);
  return 0;
}
