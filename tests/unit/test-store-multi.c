/* test-store-multi.c: one database file, several processes.
 *
 * The GUI, portico-cli and the systemd timer open the same database. These
 * tests run real second processes (this test binary in a child mode, and
 * the real portico-cli) against one real database file: the cross-process
 * sync lock, writes that wait for another process's transaction, runs left
 * "running" by a process that died, and the file's permissions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store-multi"

#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine-test-util.h"
#include "portico-store.h"
#include "portico-store-private.h"

/* ---- Helpers ------------------------------------------------------------ */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("portico-multi-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "data", "portico.db", NULL);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gint64
create_account (PorticoStore *store)
{
  static const PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
  PorticoStoreNewAccount account = {
    .connector_id = "okta",
    .connector_name = "Okta",
    .category = "Identity",
    .name = "Acme Okta",
    .permission = "read",
    .data_types = types,
    .n_data_types = G_N_ELEMENTS (types),
  };
  g_autoptr(GError) error = NULL;
  gint64 id = portico_store_create_account_sync (store, &account, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* This test binary in one of the child modes of main (). Its stdout is a
 * pipe: the child prints one line once it holds what it was asked to. */
static GSubprocess *
spawn_child (GDataInputStream **out_lines,
             const char        *mode,
             const char        *path,
             const char        *arg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  GSubprocess *child;

  g_assert_nonnull (self);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self, "--child", mode, path, arg, NULL);
  g_assert_no_error (error);
  *out_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  return child;
}

static char *
read_line (GDataInputStream *lines)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* Closing its stdin tells a waiting child to end. */
static void
end_child (GSubprocess *child)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, NULL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
}

/* ---- Child modes ------------------------------------------------------------ */

static void
wait_for_stdin_eof (void)
{
  char buffer[64];

  while (read (STDIN_FILENO, buffer, sizeof buffer) > 0)
    ;
}

static int
child_main (const char *mode,
            const char *path,
            const char *arg)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (mode, "hold-sync-lock") || g_str_equal (mode, "crash-mid-sync") ||
      g_str_equal (mode, "run-then-exit"))
    {
      g_autoptr(PorticoStore) store = portico_store_open (path, &error);
      g_autoptr(PorticoSyncLock) lock = NULL;
      gint64 account_id = g_ascii_strtoll (arg, NULL, 10);

      g_assert_no_error (error);
      lock = portico_store_lock_account (store, account_id, &error);
      g_assert_no_error (error);
      if (!g_str_equal (mode, "hold-sync-lock"))
        {
          g_assert_cmpint (portico_store_begin_sync_run_sync (store, account_id, &error), >, 0);
          g_assert_no_error (error);
        }
      g_print ("held %d\n", (int) getpid ());
      fflush (stdout);
      wait_for_stdin_eof ();
      if (g_str_equal (mode, "crash-mid-sync"))
        raise (SIGKILL);
      /* run-then-exit: an orderly exit that never finished its run, as a
       * process that was stopped between two data types would. */
      return 0;
    }

  if (g_str_equal (mode, "hold-write"))
    {
      sqlite3 *db = NULL;
      guint hold_ms = (guint) g_ascii_strtoull (arg, NULL, 10);

      g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE; "
                                     "UPDATE accounts SET name = 'Held by another process'",
                                     NULL, NULL, NULL), ==, SQLITE_OK);
      g_print ("held %d\n", (int) getpid ());
      fflush (stdout);
      g_usleep (hold_ms * 1000);
      g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
      return 0;
    }

  g_printerr ("unknown child mode %s\n", mode);
  return 2;
}

/* ---- File permissions ------------------------------------------------------- */

/* A permissive umask and a folder we create: the folder is 0700, the
 * database and its -wal and -shm 0600. */
static void
test_mode_new (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoSyncLock) lock = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_path_get_dirname (f->path);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_autofree char *lock_path = NULL;
  mode_t old = umask (0);
  gint64 id;

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  id = create_account (store);
  lock = portico_store_lock_account (store, id, &error);
  g_assert_no_error (error);
  umask (old);

  g_assert_cmpuint (file_mode (folder), ==, 0700);
  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);
  lock_path = portico_store_lock_path (f->path, id);
  g_assert_cmpuint (file_mode (lock_path), ==, 0600);
}

/* A folder that already existed keeps its mode (it may be /tmp), but a
 * database an older Portico left world-readable is made private. */
static void
test_mode_existing (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_path_get_dirname (f->path);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  mode_t old = umask (0);

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  /* As the file was created before: SQLite's default 0644 under umask 022. */
  g_assert_true (portico_store_create_at_version (f->path, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);
  g_assert_cmpuint (file_mode (f->path), ==, 0644);

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  create_account (store);
  umask (old);

  g_assert_cmpuint (file_mode (folder), ==, 0755);
  g_assert_cmpuint (file_mode (f->path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
}

/* ---- The cross-process sync lock -------------------------------------------- */

/* portico-cli refuses to sync an account another process syncs: exit 1,
 * one sentence naming the holder. */
static void
test_lock_cli (Fixture      *f,
               gconstpointer data)
{
  const char *cli = g_getenv ("PORTICO_CLI");
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoSyncLock) lock = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *me = g_path_get_basename (g_get_prgname ());
  gint64 id;

  if (cli == NULL)
    {
      g_test_skip ("PORTICO_CLI is not set");
      return;
    }

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  id = create_account (store);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  lock = portico_store_lock_account (store, id, &error);
  g_assert_no_error (error);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           cli, "--db", f->path, "sync", id_text, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("portico-cli said: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  expected = g_strdup_printf ("*already being synced by %s (process %d on %s) since *; wait for that sync to finish, then try again.\n",
                              me, (int) getpid (), g_get_host_name ());
  g_assert_true (g_pattern_match_simple (expected, err));
  /* One sentence, on one line. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);

  /* Released: the next sync is no longer refused for the lock (it fails
   * for lack of credentials here, which is another story). */
  g_clear_pointer (&lock, portico_sync_lock_release);
  g_clear_object (&proc);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           cli, "--db", f->path, "sync", id_text, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (err, "already being synced"));
}

/* The engine (what the GUI's scheduler calls) is refused while another
 * process holds the account, with its own error code, and syncs once the
 * other process is gone. */
static void
test_lock_engine (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autofree char *line = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *pid_text = NULL;
  gint64 id;

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  id = create_account (store);
  portico_catalog_load_default (catalog);
  engine = portico_engine_new (store, catalog, runtime);

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  child = spawn_child (&lines, "hold-sync-lock", f->path, id_text);
  line = read_line (lines);
  g_assert_true (g_str_has_prefix (line, "held "));
  pid_text = g_strdup_printf ("(process %s on ", line + 5);

  doc = engine_sync (engine, id, NULL, &error);
  g_assert_null (doc);
  g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_SYNC_LOCKED);
  g_assert_cmpstr (portico_error_code_name (error), ==, "sync_locked");
  g_assert_nonnull (strstr (error->message, pid_text));
  g_assert_false (portico_engine_is_syncing (engine, id));
  /* Refused before anything was recorded. */
  g_assert_null (db_text (f->path, "SELECT id FROM sync_runs WHERE account_id = ?", "i", id));
  g_clear_error (&error);

  end_child (child);
  doc = engine_sync (engine, id, NULL, &error);
  /* Without credentials in a keyring the run fails, but it ran. */
  g_assert_false (g_error_matches (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_SYNC_LOCKED));
  {
    g_autofree char *status = db_text (f->path, "SELECT status FROM sync_runs WHERE account_id = ?", "i", id);
    g_assert_nonnull (status);
    g_assert_cmpstr (status, !=, "running");
  }
}

/* ---- Runs left "running" ------------------------------------------------------ */

static void
test_stale_runs (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 killed, stopped, alive;

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  killed = create_account (store);
  {
    static const PorticoStoreDataTypeSpec types[] = { { "users", TRUE, NULL } };
    PorticoStoreNewAccount a = { .connector_id = "slack", .connector_name = "Slack", .name = "Acme Slack",
                                 .permission = "read", .data_types = types, .n_data_types = 1 };
    PorticoStoreNewAccount b = { .connector_id = "zoom", .connector_name = "Zoom", .name = "Acme Zoom",
                                 .permission = "read", .data_types = types, .n_data_types = 1 };
    stopped = portico_store_create_account_sync (store, &a, &error);
    g_assert_no_error (error);
    alive = portico_store_create_account_sync (store, &b, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&store);

  {
    g_autoptr(GSubprocess) k = NULL, s = NULL, a = NULL;
    g_autoptr(GDataInputStream) kl = NULL, sl = NULL, al = NULL;
    g_autofree char *kt = g_strdup_printf ("%" G_GINT64_FORMAT, killed);
    g_autofree char *st = g_strdup_printf ("%" G_GINT64_FORMAT, stopped);
    g_autofree char *at = g_strdup_printf ("%" G_GINT64_FORMAT, alive);
    g_autofree char *l1 = NULL, *l2 = NULL, *l3 = NULL;

    k = spawn_child (&kl, "crash-mid-sync", f->path, kt);
    s = spawn_child (&sl, "run-then-exit", f->path, st);
    a = spawn_child (&al, "hold-sync-lock", f->path, at);
    l1 = read_line (kl);
    l2 = read_line (sl);
    l3 = read_line (al);

    /* SIGKILLed in the middle of its sync, and one that exited without
     * finishing its run. */
    g_output_stream_close (g_subprocess_get_stdin_pipe (k), NULL, NULL);
    g_subprocess_wait (k, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_signaled (k));
    g_assert_cmpint (g_subprocess_get_term_sig (k), ==, SIGKILL);
    end_child (s);

    {
      g_autofree char *before = db_text (f->path, "SELECT status FROM sync_runs WHERE account_id = ?", "i", killed);
      g_assert_cmpstr (before, ==, "running");
    }

    /* A live process still holds "alive": its run, once it begins, must
     * not be closed. Give it one (as the live process would). */
    {
      sqlite3 *db = NULL;
      g_autofree char *sql = g_strdup_printf ("INSERT INTO sync_runs (account_id) VALUES (%" G_GINT64_FORMAT ")", alive);

      g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
      sqlite3_busy_timeout (db, 5000);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }

    store = portico_store_open (f->path, &error);
    g_assert_no_error (error);

    {
      g_autofree char *k_status = db_text (f->path, "SELECT status FROM sync_runs WHERE account_id = ?", "i", killed);
      g_autofree char *k_end = db_text (f->path, "SELECT ended_at FROM sync_runs WHERE account_id = ?", "i", killed);
      g_autofree char *s_status = db_text (f->path, "SELECT status FROM sync_runs WHERE account_id = ?", "i", stopped);
      g_autofree char *a_status = db_text (f->path, "SELECT status FROM sync_runs WHERE account_id = ?", "i", alive);

      g_assert_cmpstr (k_status, ==, "interrupted");
      g_assert_nonnull (k_end);
      g_assert_cmpstr (s_status, ==, "interrupted");
      g_assert_cmpstr (a_status, ==, "running");
    }

    end_child (a);
  }
}

/* ---- Writes while another process writes ------------------------------------ */

static void
test_busy_retry (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  store = portico_store_open (f->path, &error);
  g_assert_no_error (error);
  id = create_account (store);

  /* Another process keeps its write transaction longer than one attempt
   * waits and longer than our whole bound: a clear error, nothing lost. */
  {
    g_autoptr(GSubprocess) child = NULL;
    g_autoptr(GDataInputStream) lines = NULL;
    g_autofree char *line = NULL;

    child = spawn_child (&lines, "hold-write", f->path, "2500");
    line = read_line (lines);
    portico_store_set_busy_limits (store, 100, 300);
    g_assert_false (portico_store_rename_account_sync (store, id, "First name", &error));
    g_assert_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_BUSY);
    g_clear_error (&error);
    end_child (child);
  }

  /* Longer than one attempt waits but within the bound: the write is
   * retried and succeeds after the other process committed. */
  {
    g_autoptr(GSubprocess) child = NULL;
    g_autoptr(GDataInputStream) lines = NULL;
    g_autofree char *line = NULL;
    g_autofree char *name = NULL;

    child = spawn_child (&lines, "hold-write", f->path, "1000");
    line = read_line (lines);
    portico_store_set_busy_limits (store, 100, 60000);
    g_assert_true (portico_store_rename_account_sync (store, id, "Second name", &error));
    g_assert_no_error (error);
    end_child (child);
    name = db_text (f->path, "SELECT name FROM accounts WHERE id = ?", "i", id);
    g_assert_cmpstr (name, ==, "Second name");
  }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3], argv[4]);

  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store-multi/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("mode/new-folder", test_mode_new);
  ADD ("mode/existing-folder", test_mode_existing);
  ADD ("sync-lock/cli", test_lock_cli);
  ADD ("sync-lock/engine", test_lock_engine);
  ADD ("stale-runs", test_stale_runs);
  ADD ("busy-retry", test_busy_retry);
#undef ADD

  return g_test_run ();
}
