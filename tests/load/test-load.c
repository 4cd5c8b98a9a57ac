/* test-load.c: 50 accounts syncing at once through one engine, against the
 * real portico-sandbox process, through a rate-limit storm.
 *
 * Checks that every sync finishes with every data type synced, that no
 * origin ever had more requests in flight than the runtime's per-host
 * limit (counted on the runtime's SoupSession, where requests leave for the
 * network), and that the process's peak memory stays under SPEC 12's
 * 400 MB. Prints the figures (peak RSS, requests, 429s answered, the
 * largest number of requests in flight per origin, the longest the main
 * loop went without running a 10 ms timer); none of them is a timing
 * assertion.
 *
 * Built a second time as test-load-window (display suite), the syncs are
 * started the way the window's Sync All starts them, with the main window
 * of those 50 accounts on screen, and the window must keep drawing: a tick
 * callback asks for a frame on every frame, frames must keep coming while
 * the syncs run, and the longest gap between two frames is printed.
 *
 * Usage: test-load SANDBOX [ACCOUNTS]   (needs the keyring: keyring-run)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <stdio.h>

#include <glib/gstdio.h>

#include "engine-test-util.h"
#include "portico-catalog.h"
#include "portico-runtime.h"
#ifdef PORTICO_LOAD_WINDOW
#include "portico-window.h"
#endif

#define MAX_PEAK_RSS_KB (400 * 1024)
/* Multi-account connectors on five origins: ten accounts share each. */
static const char * const connector_ids[] = { "okta", "slack", "github", "sentry", "linear" };
/* 429s (with Retry-After: 1) each connector's API answers at the start. A
 * request is tried 5 times, so no data type can run out of attempts. */
#define STORM_PER_CONNECTOR 4

static const char *sandbox_path;
static guint n_accounts = 50;

typedef struct
{
  GHashTable *in_flight;     /* origin -> count */
  GHashTable *max_in_flight; /* origin -> count */
  guint requests;
  gint64 last_tick;
  gint64 longest_stall;
  guint frames;
  gint64 last_frame;
  gint64 longest_frame_gap;
} Load;

#ifdef PORTICO_LOAD_WINDOW
static gboolean
frame_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  Load *load = user_data;
  gint64 now = g_get_monotonic_time ();

  if (load->last_frame > 0)
    load->longest_frame_gap = MAX (load->longest_frame_gap, now - load->last_frame);
  load->last_frame = now;
  load->frames++;
  return G_SOURCE_CONTINUE;
}

/* Every account has finished a sync run and none is syncing. */
static gboolean
all_synced (PorticoEngine *engine,
            const char    *db,
            GArray        *account_ids)
{
  sqlite3 *conn;
  sqlite3_stmt *stmt;
  gint64 finished = 0;

  for (guint i = 0; i < account_ids->len; i++)
    if (portico_engine_is_syncing (engine, g_array_index (account_ids, gint64, i)))
      return FALSE;
  conn = db_open (db);
  g_assert_cmpint (sqlite3_prepare_v2 (conn, "SELECT count (DISTINCT account_id) FROM sync_runs "
                                             "WHERE status NOT IN ('running')", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    finished = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (conn);
  return finished >= account_ids->len;
}
#endif

static char *
message_origin (SoupMessage *msg)
{
  GUri *uri = soup_message_get_uri (msg);

  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

static void request_done_cb (SoupMessage *msg,
                             Load        *load);

/* A request is in flight from the moment it is handed to the session until
 * the provider has answered it ("got-headers"; the runtime frees its slot
 * only after reading the body, later) or it ended otherwise ("finished").
 * The session itself keeps a message until the caller has closed its body
 * stream, which no longer loads the host and can come late when the main
 * loop is busy, so the session's own queue is not the measure. */
static void
request_queued_cb (SoupSession *session,
                   SoupMessage *msg,
                   Load        *load)
{
  g_autofree char *origin = message_origin (msg);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (load->in_flight, origin)) + 1;

  g_hash_table_insert (load->in_flight, g_strdup (origin), GUINT_TO_POINTER (n));
  if (g_getenv ("PORTICO_LOAD_TRACE") != NULL)
    g_printerr ("# +%u %s %s\n", n, origin, g_uri_get_path (soup_message_get_uri (msg)));
  if (n > GPOINTER_TO_UINT (g_hash_table_lookup (load->max_in_flight, origin)))
    g_hash_table_insert (load->max_in_flight, g_strdup (origin), GUINT_TO_POINTER (n));
  load->requests++;
  g_object_set_data (G_OBJECT (msg), "portico-load-in-flight", GINT_TO_POINTER (1));
  g_signal_connect (msg, "got-headers", G_CALLBACK (request_done_cb), load);
  g_signal_connect (msg, "finished", G_CALLBACK (request_done_cb), load);
}

static void
request_done_cb (SoupMessage *msg,
                 Load        *load)
{
  g_autofree char *origin = NULL;
  guint n;

  /* Once per request. A message that is restarted (a redirect) is queued
   * again under its new address. */
  if (g_object_get_data (G_OBJECT (msg), "portico-load-in-flight") == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), "portico-load-in-flight", NULL);
  g_signal_handlers_disconnect_by_func (msg, request_done_cb, load);

  origin = message_origin (msg);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (load->in_flight, origin));
  g_assert_cmpuint (n, >, 0);
  if (g_getenv ("PORTICO_LOAD_TRACE") != NULL)
    g_printerr ("# -%u %s %s status %u\n", n - 1, origin, g_uri_get_path (soup_message_get_uri (msg)),
                soup_message_get_status (msg));
  g_hash_table_insert (load->in_flight, g_strdup (origin), GUINT_TO_POINTER (n - 1));
}

static gboolean
tick_cb (gpointer user_data)
{
  Load *load = user_data;
  gint64 now = g_get_monotonic_time ();

  if (load->last_tick > 0)
    load->longest_stall = MAX (load->longest_stall, now - load->last_tick);
  load->last_tick = now;
  return G_SOURCE_CONTINUE;
}

/* ---- The sandbox process ------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  JsonNode *info;
} Sandbox;

static void
sandbox_stop (Sandbox *sandbox)
{
  if (sandbox->process != NULL)
    {
      g_subprocess_force_exit (sandbox->process);
      g_subprocess_wait (sandbox->process, NULL, NULL);
    }
  g_clear_object (&sandbox->process);
  g_clear_pointer (&sandbox->info, json_node_unref);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
sandbox_start (Sandbox *sandbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* The sandbox goes with this process, even when an assertion ends it. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox->process = g_subprocess_launcher_spawn (launcher, &error, sandbox_path, "--json",
                                                  "--seed", "21", "--size", "200", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_string_append (text, line);
      if (json_parser_load_from_data (parser, text->str, -1, NULL))
        {
          sandbox->info = json_node_ref (json_parser_get_root (parser));
          return;
        }
    }
}

static JsonObject *
sandbox_connector (Sandbox    *sandbox,
                   const char *id)
{
  JsonArray *all = json_object_get_array_member (json_node_get_object (sandbox->info), "connectors");

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *c = json_array_get_object_element (all, i);
      if (g_strcmp0 (json_object_get_string_member (c, "id"), id) == 0)
        return c;
    }
  g_error ("the sandbox has no connector %s", id);
}

/* Field values for tenant @tenant of @id: "sandbox-ok-<name>" secrets are
 * other tenants, i.e. other external identities (README "Demo mode"). */
static GHashTable *
tenant_values (Sandbox    *sandbox,
               const char *id,
               guint       tenant)
{
  JsonObject *c = sandbox_connector (sandbox, id);
  JsonObject *fields = json_object_get_object_member (c, "fields");
  JsonArray *secret_fields = json_object_get_array_member (c, "secret_fields");
  const char *ok = json_object_get_string_member (json_object_get_object_member (c, "secrets"), "ok");
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GList *names = json_object_get_members (fields);

  for (GList *l = names; l != NULL; l = l->next)
    g_hash_table_insert (values, g_strdup (l->data),
                         g_strdup (json_object_get_string_member (fields, l->data)));
  g_list_free (names);
  for (guint i = 0; i < json_array_get_length (secret_fields); i++)
    g_hash_table_insert (values, g_strdup (json_array_get_string_element (secret_fields, i)),
                         g_strdup_printf ("%s-t%u", ok, tenant));
  g_hash_table_insert (values, g_strdup ("api_base_url"),
                       g_strdup (json_object_get_string_member (c, "api_base_url")));
  return values;
}

static JsonNode *
admin (Sandbox    *sandbox,
       const char *method,
       const char *path_and_query)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (json_object_get_string_member (json_node_get_object (sandbox->info),
                                                                     "admin_url"),
                                      path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  return json_node_ref (json_parser_get_root (parser));
}

/* ---- The test ----------------------------------------------------------- */

#ifndef PORTICO_LOAD_WINDOW
static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GPtrArray *docs = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *doc = portico_engine_sync_finish (PORTICO_ENGINE (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (docs, doc);
}
#endif

static void
test_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = NULL;
  g_autoptr(PorticoRuntime) runtime = NULL;
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(GArray) account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(JsonNode) log = NULL;
  Sandbox sandbox = { 0 };
  Load load = { 0 };
  struct rusage usage;
  guint served_429 = 0;
  guint max_any = 0;
  guint tick_id;
  GHashTableIter iter;
  gpointer key, value;

  if (!keyring_available ())
    {
      g_test_skip ("needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)");
      return;
    }

  sandbox_start (&sandbox);
  dir = g_dir_make_tmp ("portico-load-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "portico.db", NULL);
  store = portico_store_open (db, &error);
  g_assert_no_error (error);
  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  runtime = portico_runtime_new ();
  engine = portico_engine_new (store, catalog, runtime);

  /* Connect: test, then connect, each account of its own tenant. */
  for (guint i = 0; i < n_accounts; i++)
    {
      const char *id = connector_ids[i % G_N_ELEMENTS (connector_ids)];
      PorticoConnector *connector = portico_catalog_lookup (catalog, id);
      g_autoptr(GHashTable) values = tenant_values (&sandbox, id, i);
      g_autoptr(PorticoConnectionTest) test = run_connection_test (engine, connector, values);
      gint64 account_id = engine_connect (engine, test, values, TRUE, &error);

      g_assert_no_error (error);
      g_assert_cmpint (account_id, >, 0);
      g_array_append_val (account_ids, account_id);
    }
  g_assert_cmpuint (account_ids->len, ==, n_accounts);

  /* The storm, then every account at once. */
  for (guint i = 0; i < G_N_ELEMENTS (connector_ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/faults?connector=%s&kind=429&count=%d",
                                               connector_ids[i], STORM_PER_CONNECTOR);
      g_autoptr(JsonNode) reply = admin (&sandbox, "POST", path);
    }

  load.in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load.max_in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (portico_runtime_get_session (runtime), "request-queued",
                    G_CALLBACK (request_queued_cb), &load);
  tick_id = g_timeout_add (10, tick_cb, &load);

#ifdef PORTICO_LOAD_WINDOW
  {
    PorticoWindow *window = portico_window_new (NULL, catalog);
    guint frames_before;

    portico_window_set_engine (window, engine);
    gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
    gtk_window_present (GTK_WINDOW (window));
    gtk_widget_add_tick_callback (GTK_WIDGET (window), frame_tick_cb, &load, NULL);
    while (load.frames < 3)
      g_main_context_iteration (NULL, TRUE);

    /* Sync All, as the desktop action does; the scheduler may already have
     * started the overdue ones. */
    frames_before = load.frames;
    load.longest_frame_gap = 0;
    portico_window_sync_all (window);
    while (!all_synced (engine, db, account_ids))
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick_id);
    g_signal_handlers_disconnect_by_data (portico_runtime_get_session (runtime), &load);

    g_printerr ("# window: %u frames drawn while 50 accounts synced, longest gap between frames %"
                G_GINT64_FORMAT " ms, longest main-loop stall %" G_GINT64_FORMAT " ms\n",
                load.frames - frames_before, load.longest_frame_gap / 1000, load.longest_stall / 1000);
    /* The window kept drawing: frames came while the syncs ran. */
    g_assert_cmpuint (load.frames - frames_before, >, 1);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  /* The last run of each account, as the engine recorded it. */
  {
    sqlite3 *conn = db_open (db);
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_prepare_v2 (conn,
                                         "SELECT account_id, status FROM sync_runs r WHERE id = "
                                         "(SELECT max (id) FROM sync_runs WHERE account_id = r.account_id)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        JsonObject *doc = json_object_new ();
        JsonNode *node = json_node_init_object (json_node_alloc (), doc);

        json_object_set_int_member (doc, "account", sqlite3_column_int64 (stmt, 0));
        json_object_set_string_member (doc, "status", (const char *) sqlite3_column_text (stmt, 1));
        json_object_unref (doc);
        g_ptr_array_add (docs, node);
      }
    sqlite3_finalize (stmt);
    sqlite3_close (conn);
    g_assert_cmpuint (docs->len, ==, account_ids->len);
  }
#else
  for (guint i = 0; i < account_ids->len; i++)
    portico_engine_sync_async (engine, g_array_index (account_ids, gint64, i), NULL, sync_done_cb, docs);
  while (docs->len < account_ids->len)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
  g_signal_handlers_disconnect_by_data (portico_runtime_get_session (runtime), &load);
#endif

  /* Every sync finished, with every data type synced. */
  for (guint i = 0; i < docs->len; i++)
    {
      JsonObject *doc = json_node_get_object (docs->pdata[i]);
      g_autofree char *text = json_to_string (docs->pdata[i], FALSE);

      if (g_strcmp0 (json_object_get_string_member (doc, "status"), "ok") != 0)
        g_error ("a sync under load did not succeed: %s", text);
    }

  /* The storm happened: every rate-limit fault was served, in each
   * provider's own form (GitHub's is a 403 with x-ratelimit-remaining: 0). */
  log = admin (&sandbox, "GET", "/requests");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (log)); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (json_node_get_array (log), i),
                                                               "fault", ""), "429") == 0)
      served_429++;
  g_assert_cmpuint (served_429, ==, STORM_PER_CONNECTOR * G_N_ELEMENTS (connector_ids));

  /* The per-host limit held on every origin, and requests did overlap. */
  g_hash_table_iter_init (&iter, load.max_in_flight);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint n = GPOINTER_TO_UINT (value);

      g_test_message ("origin %s: at most %u requests in flight", (const char *) key, n);
      if (n > portico_runtime_get_max_per_host (runtime))
        g_error ("origin %s had %u requests in flight; the per-host limit is %u",
                 (const char *) key, n, portico_runtime_get_max_per_host (runtime));
      max_any = MAX (max_any, n);
    }
  g_assert_cmpuint (max_any, >, 1);

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  g_printerr ("# load: %u accounts, %u requests, %u answered 429, at most %u in flight per origin "
              "(limit %u), peak RSS %ld MB (limit %d MB), longest main-loop stall %" G_GINT64_FORMAT " ms\n",
              n_accounts, load.requests, served_429, max_any, portico_runtime_get_max_per_host (runtime),
              usage.ru_maxrss / 1024, MAX_PEAK_RSS_KB / 1024, load.longest_stall / 1000);
#if !defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer's shadow memory and quarantine count in the RSS of the
   * sanitizer build: the bound is checked in the normal build. */
  g_assert_cmpint (usage.ru_maxrss, <, MAX_PEAK_RSS_KB);
#endif

  g_hash_table_unref (load.in_flight);
  g_hash_table_unref (load.max_in_flight);
  g_clear_object (&engine);
  g_clear_object (&store);
  sandbox_stop (&sandbox);
  for (const char *suffix = ""; suffix != NULL;
       suffix = g_str_equal (suffix, "") ? "-wal" : g_str_equal (suffix, "-wal") ? "-shm" : NULL)
    {
      g_autofree char *path = g_strconcat (db, suffix, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
#ifdef PORTICO_LOAD_WINDOW
  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();
#endif
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("Usage: test-load SANDBOX [ACCOUNTS]\n");
      return 2;
    }
  sandbox_path = argv[1];
  if (argc > 2)
    n_accounts = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  g_test_add_func ("/load/50-accounts-at-once", test_load);
  return g_test_run ();
}
