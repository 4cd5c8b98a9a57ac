/* portico-store.c: opening the database, the single writer, small writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "portico-store-private.h"

struct _PorticoStore
{
  GObject parent_instance;

  char *keyring_scope;

  char *path;

  /* The writer: only ever used from the one thread of @pool. */
  GThreadPool *pool;
  GThread *writer_thread;
  sqlite3 *writer;

  GMutex reader_lock;
  sqlite3 *reader;

  /* Another process (portico-cli, the timer) may hold the write lock: one
   * statement waits up to busy_attempt_ms, a transaction retries its start
   * until busy_total_ms have passed. */
  guint busy_attempt_ms;
  guint busy_total_ms;

  /* Failed runs in a row, with one cause, that pause scheduled syncs (0 =
   * never); read and written atomically since the writer thread reads it. */
  guint pause_after;
};

#define DEFAULT_BUSY_ATTEMPT_MS 5000
#define DEFAULT_BUSY_TOTAL_MS 30000

G_DEFINE_FINAL_TYPE (PorticoStore, portico_store, G_TYPE_OBJECT)

/* ---- Errors and SQL helpers ------------------------------------------- */

gboolean
portico_store_set_error (sqlite3    *db,
                         int         rc,
                         const char *path,
                         GError    **error)
{
  int primary = rc & 0xff;

  g_debug ("SQLite error %d: %s", rc,
           db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));

  switch (primary)
    {
    case SQLITE_FULL:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_FULL,
                   _("The disk is full, so nothing was saved. Free some disk space and try again."));
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_READ_ONLY,
                   _("The database “%s” is read-only. Make the file and its folder writable and try again."),
                   path != NULL ? path : (db != NULL ? sqlite3_db_filename (db, "main") : ""));
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_BUSY,
                   _("The database is locked by another program. Close other Portico windows or commands and try again."));
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CORRUPT,
                   _("The database is damaged. Restore it from a backup or move it away so Portico starts a new one."));
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                   _("The database cannot be read or written. Check that its folder exists and is writable."));
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CONFLICT,
                   _("The change conflicts with what the database holds. Reload and try again."));
      break;
    default:
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_FAILED,
                   _("Portico could not update its database. Try again; if it keeps failing, report it with the log."));
      break;
    }

  return FALSE;
}

sqlite3_stmt *
portico_db_prepare (sqlite3     *db,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      g_debug ("Cannot prepare: %s", sql);
      portico_store_set_error (db, rc, NULL, error);
      return NULL;
    }

  return stmt;
}

void
portico_db_bindv (sqlite3_stmt *stmt,
                  const char   *types,
                  va_list       args)
{
  for (int i = 0; types != NULL && types[i] != '\0'; i++)
    {
      int pos = i + 1;

      switch (types[i])
        {
        case 's':
          {
            const char *s = va_arg (args, const char *);
            if (s != NULL)
              sqlite3_bind_text (stmt, pos, s, -1, SQLITE_TRANSIENT);
            else
              sqlite3_bind_null (stmt, pos);
          }
          break;
        case 'i':
          sqlite3_bind_int64 (stmt, pos, va_arg (args, gint64));
          break;
        case 'I':
          {
            gint64 v = va_arg (args, gint64);
            if (v != 0)
              sqlite3_bind_int64 (stmt, pos, v);
            else
              sqlite3_bind_null (stmt, pos);
          }
          break;
        case 'd':
          sqlite3_bind_double (stmt, pos, va_arg (args, double));
          break;
        case 'b':
          sqlite3_bind_int (stmt, pos, va_arg (args, gboolean) ? 1 : 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

gboolean
portico_db_step_done (sqlite3_stmt *stmt,
                      GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    return portico_store_set_error (sqlite3_db_handle (stmt), rc, NULL, error);
  return TRUE;
}

gboolean
portico_db_execv (sqlite3    *db,
                  gint64     *out_changes,
                  GError    **error,
                  const char *sql,
                  const char *types,
                  va_list     args)
{
  g_autoptr(sqlite3_stmt) stmt = portico_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;

  portico_db_bindv (stmt, types, args);
  if (!portico_db_step_done (stmt, error))
    return FALSE;
  if (out_changes != NULL)
    *out_changes = sqlite3_changes (db);
  return TRUE;
}

gboolean
portico_db_exec (sqlite3    *db,
                 GError    **error,
                 const char *sql,
                 const char *types,
                 ...)
{
  va_list args;
  gboolean ok;

  va_start (args, types);
  ok = portico_db_execv (db, NULL, error, sql, types, args);
  va_end (args);

  return ok;
}

gboolean
portico_db_query_int (sqlite3    *db,
                      gint64     *out,
                      GError    **error,
                      const char *sql,
                      const char *types,
                      ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  va_list args;
  int rc;

  *out = 0;
  stmt = portico_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;

  va_start (args, types);
  portico_db_bindv (stmt, types, args);
  va_end (args);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return portico_store_set_error (db, rc, NULL, error);

  return TRUE;
}

const char *
portico_db_column_text (sqlite3_stmt *stmt,
                        int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* ---- The writer --------------------------------------------------------- */

typedef struct
{
  PorticoStoreWriteFunc func;
  gpointer data;
  GDestroyNotify data_free;
  GDestroyNotify pointer_free;
  GTask *task; /* NULL for a blocking call */

  GMutex mutex;
  GCond cond;
  gboolean done;
  gboolean ok;
  gint64 value;
  gpointer pointer;
  GError *error;
} WriteJob;

static void
write_job_free_data (WriteJob *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  job->data = NULL;
}

static void
writer_thread_func (gpointer job_data,
                    gpointer pool_data)
{
  WriteJob *job = job_data;
  PorticoStore *self = pool_data;
  GError *error = NULL;
  gint64 value = 0;
  gpointer pointer = NULL;
  gboolean ok;

  self->writer_thread = g_thread_self ();

  if (job->task != NULL && g_task_return_error_if_cancelled (job->task))
    {
      write_job_free_data (job);
      g_object_unref (job->task);
      g_free (job);
      return;
    }

  if (self->writer == NULL && job->func != NULL)
    {
      /* Only the open job runs without a connection. */
      ok = job->func (self, NULL, job->data, &value, &pointer, &error);
    }
  else
    ok = job->func (self, self->writer, job->data, &value, &pointer, &error);

  if (job->task != NULL)
    {
      GTask *task = job->task;

      write_job_free_data (job);
      if (!ok)
        g_task_return_error (task, error);
      else if (pointer != NULL)
        g_task_return_pointer (task, pointer, job->pointer_free);
      else
        g_task_return_int (task, value);
      g_free (job);
      g_object_unref (task);
      return;
    }

  g_mutex_lock (&job->mutex);
  job->ok = ok;
  job->value = value;
  job->pointer = pointer;
  job->error = error;
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

gboolean
portico_store_run_write_sync (PorticoStore          *self,
                              PorticoStoreWriteFunc  func,
                              gpointer               data,
                              GDestroyNotify         data_free,
                              gint64                *out_value,
                              gpointer              *out_pointer,
                              GError               **error)
{
  WriteJob job = { 0, };
  gboolean ok;

  g_assert (g_thread_self () != self->writer_thread);

  job.func = func;
  job.data = data;
  job.data_free = data_free;
  g_mutex_init (&job.mutex);
  g_cond_init (&job.cond);

  g_mutex_lock (&job.mutex);
  g_thread_pool_push (self->pool, &job, NULL);
  while (!job.done)
    g_cond_wait (&job.cond, &job.mutex);
  g_mutex_unlock (&job.mutex);

  g_mutex_clear (&job.mutex);
  g_cond_clear (&job.cond);
  write_job_free_data (&job);

  ok = job.ok;
  if (out_value != NULL)
    *out_value = job.value;
  if (out_pointer != NULL)
    *out_pointer = job.pointer;
  else
    g_assert (job.pointer == NULL);
  if (!ok)
    g_propagate_error (error, job.error);

  return ok;
}

void
portico_store_run_write_async (PorticoStore          *self,
                               PorticoStoreWriteFunc  func,
                               gpointer               data,
                               GDestroyNotify         data_free,
                               GDestroyNotify         pointer_free,
                               GTask                 *task)
{
  WriteJob *job = g_new0 (WriteJob, 1);

  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->pointer_free = pointer_free;
  job->task = task; /* takes the reference */
  g_thread_pool_push (self->pool, job, NULL);
}

gboolean
portico_store_in_transaction (PorticoStore          *self,
                              sqlite3               *db,
                              PorticoStoreWriteFunc  func,
                              gpointer               data,
                              gint64                *out_value,
                              gpointer              *out_pointer,
                              GError               **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->busy_total_ms * 1000;
  guint attempt = 0;
  int rc;

  /* BEGIN IMMEDIATE takes the write lock up front, so once it succeeded no
   * statement of @func can meet SQLITE_BUSY: only the start is retried
   * (SQLite's busy handler waits within each attempt, and some busy cases,
   * such as a WAL being recovered, return at once). */
  while ((rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
    {
      if ((rc & 0xff) != SQLITE_BUSY || g_get_monotonic_time () >= deadline)
        return portico_store_set_error (db, rc, self->path, error);
      attempt++;
      g_debug ("The database is busy; retrying the write (attempt %u)", attempt + 1);
      g_usleep (MIN (50000, 1000 << MIN (attempt, 6)));
    }

  if (!func (self, db, data, out_value, out_pointer, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      portico_store_set_error (db, rc, self->path, error);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

sqlite3 *
portico_store_lock_reader (PorticoStore *self)
{
  g_mutex_lock (&self->reader_lock);
  return self->reader;
}

void
portico_store_unlock_reader (PorticoStore *self)
{
  g_mutex_unlock (&self->reader_lock);
}

/* ---- GObject ------------------------------------------------------------ */

static void
portico_store_finalize (GObject *object)
{
  PorticoStore *self = (PorticoStore *)object;

  if (self->pool != NULL)
    {
      /* The last reference can be dropped by a task on the writer thread
       * itself; it must not wait for itself then. */
      gboolean on_writer = g_thread_self () == self->writer_thread;
      g_thread_pool_free (self->pool, FALSE, !on_writer);
      self->pool = NULL;
    }

  /* The writer closes last: the last connection checkpoints the WAL into
   * the database file and removes it. */
  g_clear_pointer (&self->reader, sqlite3_close);
  g_clear_pointer (&self->writer, sqlite3_close);
  g_mutex_clear (&self->reader_lock);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->keyring_scope, g_free);

  G_OBJECT_CLASS (portico_store_parent_class)->finalize (object);
}

static void
portico_store_class_init (PorticoStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_store_finalize;
}

static void
portico_store_init (PorticoStore *self)
{
  g_mutex_init (&self->reader_lock);
  self->busy_attempt_ms = DEFAULT_BUSY_ATTEMPT_MS;
  self->busy_total_ms = DEFAULT_BUSY_TOTAL_MS;
  self->pause_after = PORTICO_STORE_DEFAULT_PAUSE_AFTER;
}

void
portico_store_set_pause_after (PorticoStore *self,
                               guint         failures)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  g_atomic_int_set (&self->pause_after, failures);
}

guint
portico_store_get_pause_after (PorticoStore *self)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);

  return g_atomic_int_get (&self->pause_after);
}

void
portico_store_set_busy_limits (PorticoStore *self,
                               guint         attempt_ms,
                               guint         total_ms)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  self->busy_attempt_ms = attempt_ms;
  self->busy_total_ms = total_ms;
  /* SQLite serialises calls on a connection, so this is safe while the
   * writer runs. */
  if (self->writer != NULL)
    sqlite3_busy_timeout (self->writer, (int) attempt_ms);
  g_mutex_lock (&self->reader_lock);
  if (self->reader != NULL)
    sqlite3_busy_timeout (self->reader, (int) attempt_ms);
  g_mutex_unlock (&self->reader_lock);
}

const char *
portico_store_get_keyring_scope (PorticoStore *self)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  return self->keyring_scope;
}

const char *
portico_store_get_path (PorticoStore *self)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  return self->path;
}

char *
portico_store_default_path (gboolean demo)
{
  return g_build_filename (g_get_user_data_dir (), "portico",
                           demo ? "portico-demo.db" : "portico.db", NULL);
}

/* ---- Opening ------------------------------------------------------------ */

static gboolean
set_corrupt_error (const char *path,
                   GError    **error)
{
  g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CORRUPT,
               _("“%s” is not a Portico database or is damaged. Restore it from a backup or move it away so Portico starts a new one."),
               path);
  return FALSE;
}

static guint32
read_be32 (const guchar *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Looks at an existing file without changing it: its header, then (through a
 * read-only connection) its version. *out_version is -1 for a missing or
 * empty file. */
static gboolean
check_existing_file (const char *path,
                     int        *out_version,
                     GError    **error)
{
  g_autofree char *uri = NULL;
  guchar header[100];
  GStatBuf st;
  FILE *file;
  sqlite3 *db = NULL;
  gint64 version = 0, app_id = 0, n_tables = 0;
  gsize n_read;
  int rc;

  *out_version = -1;

  if (g_stat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                   _("The database “%s” cannot be read: %s. Check its permissions."),
                   path, g_strerror (errno));
      return FALSE;
    }
  if (st.st_size == 0)
    return TRUE;

  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                   _("The database “%s” cannot be read: %s. Check its permissions."),
                   path, g_strerror (errno));
      return FALSE;
    }
  n_read = fread (header, 1, sizeof header, file);
  fclose (file);

  if (n_read < sizeof header || memcmp (header, "SQLite format 3", 16) != 0)
    return set_corrupt_error (path, error);

  /* A truncated file: the header says how many pages there must be (when
   * the count is valid, i.e. its version-valid-for matches the change
   * counter). */
  {
    guint32 page_size = ((guint32) header[16] << 8) | header[17];
    guint32 n_pages = read_be32 (header + 28);

    g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
    GStatBuf wal_st;
    gboolean has_wal = g_stat (wal_path, &wal_st) == 0 && wal_st.st_size > 0;

    if (page_size == 1)
      page_size = 65536;
    /* Pages not yet checkpointed live in the -wal file. */
    if (!has_wal && n_pages > 0 && read_be32 (header + 92) == read_be32 (header + 24) &&
        (guint64) st.st_size < (guint64) n_pages * page_size)
      {
        g_debug ("%s has %" G_GUINT64_FORMAT " bytes, its header says %u pages of %u",
                 path, (guint64) st.st_size, n_pages, page_size);
        return set_corrupt_error (path, error);
      }
  }

  {
    g_autofree char *absolute = g_canonicalize_filename (path, NULL);
    uri = g_filename_to_uri (absolute, NULL, NULL);
  }
  if (uri == NULL)
    return set_corrupt_error (path, error);
  {
    char *read_only = g_strconcat (uri, "?mode=ro", NULL);

    g_free (uri);
    uri = read_only;
  }

  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK)
    {
      portico_store_set_error (db, rc, path, error);
      sqlite3_close (db);
      return FALSE;
    }

  if (!portico_db_query_int (db, &version, error, "PRAGMA user_version", NULL) ||
      !portico_db_query_int (db, &app_id, error, "PRAGMA application_id", NULL) ||
      !portico_db_query_int (db, &n_tables, error,
                             "SELECT count(*) FROM sqlite_master", NULL))
    {
      sqlite3_close (db);
      if (g_error_matches (*error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_CORRUPT))
        {
          g_clear_error (error);
          return set_corrupt_error (path, error);
        }
      return FALSE;
    }
  sqlite3_close (db);

  if ((version == 0 && n_tables > 0) ||
      (version > 0 && app_id != PORTICO_STORE_APPLICATION_ID))
    return set_corrupt_error (path, error);

  if (version > PORTICO_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_TOO_NEW,
                   _("The database “%s” was written by a newer version of Portico. Update Portico to open it."),
                   path);
      return FALSE;
    }

  *out_version = (int) version;
  return TRUE;
}

/* The database holds people's names and e-mail addresses: only its owner
 * may read it, whatever the umask. SQLite creates the -wal and -shm files
 * with the mode of the database file, so creating that one 0600 (and
 * tightening a file an older Portico created world-readable) covers all
 * three. The folder is the caller's when it existed (it may be /tmp). */
static gboolean
ensure_private_file (const char *path,
                     GError    **error)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      /* Exactly 0600, also under an odd umask that would drop our own bits. */
      if (fchmod (fd, 0600) != 0)
        g_debug ("Cannot set the mode of %s: %s", path, g_strerror (errno));
      g_close (fd, NULL);
    }
  else if (errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, PORTICO_STORE_ERROR,
                   saved == EACCES || saved == EROFS ? PORTICO_STORE_ERROR_READ_ONLY : PORTICO_STORE_ERROR_OPEN,
                   _("The database “%s” cannot be created: %s. Check the permissions of its folder."),
                   path, g_strerror (saved));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_lstat (file, &st) != 0 || !S_ISREG (st.st_mode) || (st.st_mode & 0077) == 0)
        continue;
      /* Not being able to tighten someone else's file is not fatal: SQLite
       * says so if it cannot use it. */
      if (g_chmod (file, st.st_mode & 0700) != 0)
        g_debug ("Cannot make %s private: %s", file, g_strerror (errno));
    }

  return TRUE;
}

static gboolean
open_connection (const char *path,
                 int         target_version,
                 sqlite3   **out_db,
                 GError    **error)
{
  sqlite3 *db = NULL;
  g_autofree char *journal_mode = NULL;
  g_autofree char *dir = NULL;
  gint64 version = 0;
  int rc;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                   _("The folder “%s” cannot be created: %s. Check its permissions."),
                   dir, g_strerror (errno));
      return FALSE;
    }

  if (!ensure_private_file (path, error))
    return FALSE;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      portico_store_set_error (db, rc, path, error);
      sqlite3_close (db);
      return FALSE;
    }

  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, DEFAULT_BUSY_ATTEMPT_MS);

  rc = sqlite3_exec (db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    goto failed;

  rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    goto failed;

  /* Read again inside the transaction: another process may have migrated
   * the file meanwhile. */
  if (!portico_db_query_int (db, &version, error, "PRAGMA user_version", NULL))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (db);
      return FALSE;
    }
  if (version > target_version)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (db);
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_TOO_NEW,
                   _("The database “%s” was written by a newer version of Portico. Update Portico to open it."),
                   path);
      return FALSE;
    }
  if (!portico_store_schema_migrate (db, (int) version, target_version, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close (db);
      return FALSE;
    }
  rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      goto failed;
    }

  *out_db = db;
  return TRUE;

failed:
  portico_store_set_error (db, rc, path, error);
  sqlite3_close (db);
  return FALSE;
}

/* A run stays "running" while its process holds the account's sync lock;
 * a run whose lock is free was left by a process that crashed or was
 * killed. Holding the lock while closing it keeps a sync that starts
 * meanwhile from being closed by mistake. Failing here is not failing to
 * open: the runs stay as they were and the next start tries again. */
static void
close_interrupted_runs (PorticoStore *self,
                        sqlite3      *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) accounts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;

  stmt = portico_db_prepare (db, "SELECT DISTINCT account_id FROM sync_runs WHERE status = 'running'", &error);
  if (stmt == NULL)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (accounts, id);
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      gint64 account_id = g_array_index (accounts, gint64, i);
      g_autoptr(PorticoSyncLock) lock = NULL;
      g_autoptr(GError) local_error = NULL;

      lock = portico_store_lock_account (self, account_id, &local_error);
      if (lock == NULL)
        {
          g_debug ("Account %" G_GINT64_FORMAT ": %s", account_id, local_error->message);
          continue;
        }
      if (!portico_db_exec (db, &local_error,
                            "UPDATE sync_runs SET status = 'interrupted', ended_at = " PORTICO_SQL_NOW
                            " WHERE account_id = ? AND status = 'running'",
                            "i", account_id))
        g_debug ("Cannot close the interrupted runs of account %" G_GINT64_FORMAT ": %s",
                 account_id, local_error->message);
    }
}

static gboolean
open_writer_func (PorticoStore *self,
                  sqlite3      *unused,
                  gpointer      data,
                  gint64       *out_value,
                  gpointer     *out_pointer,
                  GError      **error)
{
  int version;
  sqlite3 *db = NULL;

  if (!check_existing_file (self->path, &version, error))
    return FALSE;
  if (!open_connection (self->path, PORTICO_STORE_SCHEMA_VERSION, &db, error))
    return FALSE;
  if (!portico_store_schema_create_staging (db, error))
    {
      sqlite3_close (db);
      return FALSE;
    }

  self->writer = db;
  close_interrupted_runs (self, db);
  /* Like the interrupted runs, a failure here is not a failure to open:
   * the snapshots stay and the next start tries again. */
  {
    g_autoptr(GError) local_error = NULL;

    if (portico_store_expire_snapshots_in (self, db, &local_error) < 0)
      g_debug ("Cannot end the expired restore snapshots: %s", local_error->message);
  }
  return TRUE;
}

PorticoStore *
portico_store_open (const char *path,
                    GError    **error)
{
  g_autoptr(PorticoStore) self = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  /* Before any connection: page statements call portico_norm_time (). */
  portico_store_sql_functions_init ();

  self = g_object_new (PORTICO_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->pool = g_thread_pool_new (writer_thread_func, self, 1, TRUE, &local_error);
  if (self->pool == NULL)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_FAILED,
                   _("Portico cannot start its database writer: %s."), local_error->message);
      return NULL;
    }

  if (!portico_store_run_write_sync (self, open_writer_func, NULL, NULL, NULL, NULL, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &self->reader, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      portico_store_set_error (self->reader, rc, path, error);
      return NULL;
    }
  sqlite3_busy_timeout (self->reader, (int) self->busy_attempt_ms);

  {
    g_autoptr(sqlite3_stmt) stmt = NULL;

    rc = sqlite3_prepare_v2 (self->reader, "SELECT value FROM meta WHERE key = 'keyring_scope'",
                             -1, &stmt, NULL);
    if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
      self->keyring_scope = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    if (self->keyring_scope == NULL)
      {
        portico_store_set_error (self->reader, rc == SQLITE_OK ? SQLITE_CORRUPT : rc, path, error);
        return NULL;
      }
  }

  return g_steal_pointer (&self);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  PorticoStore *store = portico_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
portico_store_open_async (const char         *path,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, portico_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

PorticoStore *
portico_store_open_finish (GAsyncResult *result,
                           GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
portico_store_create_at_version (const char *path,
                                 guint       version,
                                 GError    **error)
{
  sqlite3 *db = NULL;

  g_return_val_if_fail (version >= 1 && version <= PORTICO_STORE_SCHEMA_VERSION, FALSE);

  if (!open_connection (path, (int) version, &db, error))
    return FALSE;
  sqlite3_close (db);
  return TRUE;
}

typedef struct
{
  char *sql;
} ExecData;

static gboolean
exec_func (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  int rc = sqlite3_exec (db, data, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return portico_store_set_error (db, rc, self->path, error);
  return TRUE;
}

gboolean
portico_store_exec_on_writer (PorticoStore *self,
                              const char   *sql,
                              GError      **error)
{
  return portico_store_run_write_sync (self, exec_func, g_strdup (sql), g_free,
                                       NULL, NULL, error);
}

/* ---- Generic async plumbing for the write API ----------------------------- */

static void
write_async (PorticoStore          *self,
             PorticoStoreWriteFunc  func,
             gpointer               data,
             GDestroyNotify         data_free,
             gpointer               source_tag,
             GCancellable          *cancellable,
             GAsyncReadyCallback    callback,
             gpointer               user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  portico_store_run_write_async (self, func, data, data_free, NULL, task);
}

static gint64
write_finish_int (PorticoStore *self,
                  GAsyncResult *result,
                  gpointer      source_tag,
                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, 0);

  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
write_finish_boolean (PorticoStore *self,
                      GAsyncResult *result,
                      gpointer      source_tag,
                      GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  write_finish_int (self, result, source_tag, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gint64
write_sync_int (PorticoStore          *self,
                PorticoStoreWriteFunc  func,
                gpointer               data,
                GDestroyNotify         data_free,
                GError               **error)
{
  gint64 value = 0;

  if (!portico_store_run_write_sync (self, func, data, data_free, &value, NULL, error))
    return 0;
  return value;
}

static char *
json_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;

  if (object == NULL)
    return g_strdup ("{}");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static gboolean
append_audit (sqlite3     *db,
              gint64       account_id,
              const char  *kind,
              const char  *details_json,
              GError     **error)
{
  return portico_db_exec (db, error,
                          "INSERT INTO audit_events (account_id, kind, details) VALUES (?, ?, ?)",
                          "Iss", account_id, kind, details_json != NULL ? details_json : "{}");
}

static gboolean
check_account (sqlite3  *db,
               gint64    account_id,
               gboolean  connected_only,
               GError  **error)
{
  gint64 found = 0;

  if (!portico_db_query_int (db, &found, error,
                             connected_only
                             ? "SELECT count(*) FROM accounts WHERE id = ? AND status <> 'disconnected'"
                             : "SELECT count(*) FROM accounts WHERE id = ?",
                             "i", account_id))
    return FALSE;
  if (found == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("There is no connected account %" PRId64 ". Run “portico-cli accounts” to see the account ids."),
                   account_id);
      return FALSE;
    }
  return TRUE;
}

/* Scheduled syncs go on again: failures before now no longer count. */
static gboolean
resume_account (sqlite3     *db,
                gint64       account_id,
                const char  *why,
                GError     **error)
{
  g_autofree char *details = NULL;

  if (!portico_db_exec (db, error,
                        "UPDATE accounts SET paused_cause = NULL, paused_message = NULL, "
                        "  streak_after_run = coalesce ((SELECT max (id) FROM sync_runs WHERE account_id = ?1), 0) "
                        "WHERE id = ?1 AND paused_cause IS NOT NULL",
                        "i", account_id))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    return TRUE;
  details = g_strdup_printf ("{\"why\":\"%s\"}", why);
  return append_audit (db, account_id, "resumed", details, error);
}

/* After a failed run: the last @pause_after runs since the account was last
 * resumed all failed, each with the same cause (the error code of its
 * failed data types), pause it. A run whose data types failed for several
 * causes, or that was interrupted, breaks the streak; a run that failed
 * only with "offline" is left out. */
static gboolean
maybe_pause_account (sqlite3     *db,
                     gint64       account_id,
                     guint        pause_after,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *details = NULL;
  const char *cause;
  int rc;

  stmt = portico_db_prepare (db,
                             "WITH recent AS ("
                             "  SELECT r.id, r.status, "
                             "    (SELECT min (t.error_code) FROM sync_run_data_types t "
                             "     WHERE t.run_id = r.id AND t.status = 'failed') AS cause, "
                             "    (SELECT count (DISTINCT t.error_code) FROM sync_run_data_types t "
                             "     WHERE t.run_id = r.id AND t.status = 'failed') AS causes "
                             "  FROM sync_runs r JOIN accounts a ON a.id = r.account_id "
                             "  WHERE r.account_id = ?1 AND r.id > a.streak_after_run "
                             /* A run that failed only because the machine was
                              * offline neither counts nor breaks the streak. */
                             "  AND NOT (r.status = 'failed' AND EXISTS (SELECT 1 FROM sync_run_data_types t "
                             "    WHERE t.run_id = r.id AND t.status = 'failed') "
                             "    AND NOT EXISTS (SELECT 1 FROM sync_run_data_types t "
                             "    WHERE t.run_id = r.id AND t.status = 'failed' "
                             "    AND coalesce (t.error_code, '') <> 'offline')) "
                             "  ORDER BY r.id DESC LIMIT ?2) "
                             "SELECT min (cause), max (id) FROM recent "
                             "HAVING count (*) = ?2 AND sum (status = 'failed') = ?2 "
                             "  AND count (cause) = ?2 AND max (causes) = 1 AND min (cause) = max (cause)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, pause_after);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return portico_store_set_error (db, rc, NULL, error);

  cause = portico_db_column_text (stmt, 0);
  /* The sentence of the newest failure says what to fix. */
  if (!portico_db_exec (db, error,
                        "UPDATE accounts SET paused_cause = ?1, paused_message = "
                        "  (SELECT error_message FROM sync_run_data_types WHERE run_id = ?2 "
                        "   AND status = 'failed' AND error_code = ?1 ORDER BY data_type LIMIT 1) "
                        "WHERE id = ?3 AND paused_cause IS NULL",
                        "sii", cause, sqlite3_column_int64 (stmt, 1), account_id))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    return TRUE;
  details = g_strdup_printf ("{\"cause\":\"%s\",\"failures\":%u}", cause, pause_after);
  return append_audit (db, account_id, "paused", details, error);
}

/* ---- Create account -------------------------------------------------------- */

typedef struct
{
  char *connector_id, *connector_name, *category, *name;
  char *external_id, *external_name, *permission, *fields_json;
  char *origins_json;
  char *fingerprint;
  GArray *data_types; /* of DataTypeCopy */
  const char *audit_kind; /* static; NULL: "connected" */
  char *paused_cause, *paused_message; /* a profile import */
  guint drift_threshold;               /* a profile import; 0: the default */
} CreateAccountData;

/* NULL for NULL: "unknown" (or "keep" in an update). */
static char *
origins_to_json (const char * const *origins)
{
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (origins == NULL)
    return NULL;
  array = json_array_new ();
  for (guint i = 0; origins[i] != NULL; i++)
    json_array_add_string_element (array, origins[i]);
  node = json_node_init_array (json_node_alloc (), array);
  return json_to_string (node, FALSE);
}

typedef struct
{
  char *data_type;
  gboolean enabled;
  char *disabled_reason;
} DataTypeCopy;

static void
data_type_copy_clear (gpointer p)
{
  DataTypeCopy *copy = p;
  g_free (copy->data_type);
  g_free (copy->disabled_reason);
}

static void
create_account_data_free (gpointer p)
{
  CreateAccountData *d = p;

  g_free (d->connector_id);
  g_free (d->connector_name);
  g_free (d->category);
  g_free (d->name);
  g_free (d->external_id);
  g_free (d->external_name);
  g_free (d->permission);
  g_free (d->fields_json);
  g_free (d->origins_json);
  g_free (d->fingerprint);
  g_free (d->paused_cause);
  g_free (d->paused_message);
  g_clear_pointer (&d->data_types, g_array_unref);
  g_free (d);
}

static gboolean
ensure_app (sqlite3     *db,
            const char  *name,
            const char  *category,
            const char  *connector_id,
            gint64      *out_app_id,
            GError     **error)
{
  gint64 app_id = 0;

  if (connector_id != NULL &&
      !portico_db_query_int (db, &app_id, error,
                             "SELECT id FROM apps WHERE connector_id = ? ORDER BY id LIMIT 1",
                             "s", connector_id))
    return FALSE;
  if (app_id == 0 &&
      !portico_db_query_int (db, &app_id, error,
                             "SELECT id FROM apps WHERE name = ?", "s", name))
    return FALSE;

  if (app_id == 0)
    {
      if (!portico_db_exec (db, error,
                            "INSERT INTO apps (name, connector_id, category) VALUES (?, ?, coalesce (?, 'other'))",
                            "sss", name, connector_id, category))
        return FALSE;
      app_id = sqlite3_last_insert_rowid (db);
    }
  else if (connector_id != NULL)
    {
      /* An app first discovered by name gets its connector when connected. */
      if (!portico_db_exec (db, error,
                            "UPDATE apps SET connector_id = ?, category = coalesce (?, category) "
                            "WHERE id = ? AND connector_id IS NULL",
                            "ssi", connector_id, category, app_id))
        return FALSE;
    }

  *out_app_id = app_id;
  return TRUE;
}

static gboolean
create_account_tx (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  CreateAccountData *d = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *details_json = NULL;
  gint64 app_id = 0, account_id;

  if (!ensure_app (db, d->connector_name, d->category, d->connector_id, &app_id, error))
    return FALSE;

  if (!portico_db_exec (db, error,
                        "INSERT INTO accounts (connector_id, app_id, name, external_id, external_name, "
                        "  permission, fields, origins, credential_fingerprint, status, keyring_state) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', 'ok')",
                        "sisssssss", d->connector_id, app_id, d->name, d->external_id,
                        d->external_name, d->permission, d->fields_json, d->origins_json,
                        d->fingerprint))
    return FALSE;
  account_id = sqlite3_last_insert_rowid (db);

  for (guint i = 0; i < d->data_types->len; i++)
    {
      DataTypeCopy *dt = &g_array_index (d->data_types, DataTypeCopy, i);

      if (!portico_db_exec (db, error,
                            "INSERT INTO account_data_types (account_id, data_type, enabled, disabled_reason) "
                            "VALUES (?, ?, ?, ?)",
                            "isbs", account_id, dt->data_type, dt->enabled,
                            dt->enabled ? NULL : dt->disabled_reason))
        return FALSE;
    }

  if (!portico_db_exec (db, error,
                        "INSERT OR IGNORE INTO app_sources (app_id, kind, source_account_id) VALUES (?, 'account', ?)",
                        "ii", app_id, account_id))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "connector");
  json_builder_add_string_value (builder, d->connector_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, d->name);
  json_builder_set_member_name (builder, "external_id");
  json_builder_add_string_value (builder, d->external_id);
  json_builder_set_member_name (builder, "permission");
  json_builder_add_string_value (builder, d->permission);
  json_builder_end_object (builder);
  details = json_builder_get_root (builder);
  details_json = json_to_string (details, FALSE);
  if (!append_audit (db, account_id, d->audit_kind ? d->audit_kind : "connected", details_json, error))
    return FALSE;

  *out_value = account_id;
  return TRUE;
}

static gboolean
create_account_func (PorticoStore *self,
                     sqlite3      *db,
                     gpointer      data,
                     gint64       *out_value,
                     gpointer     *out_pointer,
                     GError      **error)
{
  return portico_store_in_transaction (self, db, create_account_tx, data,
                                       out_value, out_pointer, error);
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s != '\0'; s = g_utf8_next_char (s))
    if (!g_unichar_isspace (g_utf8_get_char (s)))
      return FALSE;
  return TRUE;
}

static CreateAccountData *
create_account_data_new (const PorticoStoreNewAccount *account,
                         GError                      **error)
{
  CreateAccountData *d;

  if (account->connector_id == NULL || account->connector_name == NULL)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The account has no connector. Choose the integration to connect."));
      return NULL;
    }
  if (is_blank (account->name))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The account name is empty. Enter a name."));
      return NULL;
    }

  d = g_new0 (CreateAccountData, 1);
  d->connector_id = g_strdup (account->connector_id);
  d->connector_name = g_strdup (account->connector_name);
  d->category = g_strdup (account->category);
  d->name = g_strstrip (g_strdup (account->name));
  d->external_id = g_strdup (account->external_id);
  d->external_name = g_strdup (account->external_name);
  d->permission = g_strdup (account->permission != NULL ? account->permission : "read");
  d->fields_json = json_object_to_string (account->fields);
  d->origins_json = origins_to_json (account->origins);
  d->fingerprint = g_strdup (account->fingerprint);
  d->data_types = g_array_new (FALSE, TRUE, sizeof (DataTypeCopy));
  g_array_set_clear_func (d->data_types, data_type_copy_clear);
  for (guint i = 0; i < account->n_data_types; i++)
    {
      DataTypeCopy copy = {
        g_strdup (account->data_types[i].data_type),
        account->data_types[i].enabled,
        g_strdup (account->data_types[i].disabled_reason),
      };
      g_array_append_val (d->data_types, copy);
    }

  return d;
}

gint64
portico_store_create_account_sync (PorticoStore                 *self,
                                   const PorticoStoreNewAccount *account,
                                   GError                      **error)
{
  CreateAccountData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);
  g_return_val_if_fail (account != NULL, 0);

  if (!(d = create_account_data_new (account, error)))
    return 0;
  return write_sync_int (self, create_account_func, d, create_account_data_free, error);
}

void
portico_store_create_account_async (PorticoStore                 *self,
                                    const PorticoStoreNewAccount *account,
                                    GCancellable                 *cancellable,
                                    GAsyncReadyCallback           callback,
                                    gpointer                      user_data)
{
  GError *error = NULL;
  CreateAccountData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));

  if (!(d = create_account_data_new (account, &error)))
    {
      g_task_report_error (self, callback, user_data,
                           portico_store_create_account_async, error);
      return;
    }
  write_async (self, create_account_func, d, create_account_data_free,
               portico_store_create_account_async, cancellable, callback, user_data);
}

gint64
portico_store_create_account_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_int (self, result, portico_store_create_account_async, error);
}

/* ---- Import ------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *accounts; /* CreateAccountData */
} ImportData;

static void
import_data_free (gpointer p)
{
  ImportData *d = p;

  g_ptr_array_unref (d->accounts);
  g_free (d);
}

static gboolean
import_accounts_tx (PorticoStore *self,
                    sqlite3      *db,
                    gpointer      data,
                    gint64       *out_value,
                    gpointer     *out_pointer,
                    GError      **error)
{
  ImportData *d = data;
  g_autoptr(GArray) ids = g_array_new (FALSE, TRUE, sizeof (gint64));

  for (guint i = 0; i < d->accounts->len; i++)
    {
      CreateAccountData *account = g_ptr_array_index (d->accounts, i);
      gint64 existing = 0, account_id = 0;
      gpointer unused = NULL;

      /* The same identity of the same connector is there already (or an
       * account without an identity of the same name): not twice. */
      if (account->external_id != NULL
          ? !portico_db_query_int (db, &existing, error,
                                   "SELECT id FROM accounts WHERE connector_id = ? AND external_id = ? "
                                   "AND status <> 'disconnected' LIMIT 1",
                                   "ss", account->connector_id, account->external_id)
          : !portico_db_query_int (db, &existing, error,
                                   "SELECT id FROM accounts WHERE connector_id = ? AND external_id IS NULL "
                                   "AND name = ? AND status <> 'disconnected' LIMIT 1",
                                   "ss", account->connector_id, account->name))
        return FALSE;
      if (existing != 0)
        {
          g_array_append_val (ids, account_id);
          continue;
        }

      if (!create_account_tx (self, db, account, &account_id, &unused, error))
        return FALSE;
      /* Its secrets stayed behind on the other machine: it waits for them. */
      if (!portico_db_exec (db, error,
                            "UPDATE accounts SET keyring_state = 'missing', paused_cause = ?, "
                            "paused_message = ? WHERE id = ?",
                            "ssi", account->paused_cause,
                            account->paused_cause ? account->paused_message : NULL, account_id))
        return FALSE;
      if (account->drift_threshold != 0 &&
          !portico_db_exec (db, error, "UPDATE accounts SET drift_threshold = ? WHERE id = ?",
                            "ii", (gint64) account->drift_threshold, account_id))
        return FALSE;
      g_array_append_val (ids, account_id);
    }

  *out_pointer = g_steal_pointer (&ids);
  return TRUE;
}

static gboolean
import_accounts_func (PorticoStore *self,
                      sqlite3      *db,
                      gpointer      data,
                      gint64       *out_value,
                      gpointer     *out_pointer,
                      GError      **error)
{
  return portico_store_in_transaction (self, db, import_accounts_tx, data,
                                       out_value, out_pointer, error);
}

static ImportData *
import_data_new (const PorticoStoreImportAccount *accounts,
                 guint                            n_accounts,
                 GError                         **error)
{
  ImportData *d = g_new0 (ImportData, 1);

  d->accounts = g_ptr_array_new_with_free_func (create_account_data_free);
  for (guint i = 0; i < n_accounts; i++)
    {
      CreateAccountData *account = create_account_data_new (&accounts[i].account, error);

      if (account == NULL)
        {
          import_data_free (d);
          return NULL;
        }
      account->audit_kind = "imported";
      account->paused_cause = g_strdup (accounts[i].paused_cause);
      account->paused_message = g_strdup (accounts[i].paused_message);
      if (accounts[i].drift_threshold > 100)
        {
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_FAILED,
                       _("A drift threshold of %u%% is not possible: give a percentage from 1 to 100, or go back to the default of %d%%."),
                       accounts[i].drift_threshold, PORTICO_STORE_HOLD_PERCENT);
          create_account_data_free (account);
          import_data_free (d);
          return NULL;
        }
      account->drift_threshold = accounts[i].drift_threshold;
      g_ptr_array_add (d->accounts, account);
    }
  return d;
}

GArray *
portico_store_import_accounts_sync (PorticoStore                    *self,
                                    const PorticoStoreImportAccount *accounts,
                                    guint                            n_accounts,
                                    GError                         **error)
{
  ImportData *d;
  gpointer ids = NULL;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  g_return_val_if_fail (accounts != NULL || n_accounts == 0, NULL);

  if (!(d = import_data_new (accounts, n_accounts, error)))
    return NULL;
  if (!portico_store_run_write_sync (self, import_accounts_func, d, import_data_free,
                                     NULL, &ids, error))
    return NULL;
  return ids;
}

void
portico_store_import_accounts_async (PorticoStore                    *self,
                                     const PorticoStoreImportAccount *accounts,
                                     guint                            n_accounts,
                                     GCancellable                    *cancellable,
                                     GAsyncReadyCallback              callback,
                                     gpointer                         user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ImportData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_import_accounts_async);
  if (!(d = import_data_new (accounts, n_accounts, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  portico_store_run_write_async (self, import_accounts_func, d, import_data_free,
                                 (GDestroyNotify) g_array_unref, g_steal_pointer (&task));
}

GArray *
portico_store_import_accounts_finish (PorticoStore *self,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == portico_store_import_accounts_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Rename, update ----------------------------------------------------------- */

typedef struct
{
  gint64 account_id;
  char *name;
  char *permission;
  char *fields_json;
  char *origins_json;
  char *fingerprint;
  char *data_type;
  gboolean enabled;
  guint drift_threshold;
} AccountEditData;

static void
account_edit_data_free (gpointer p)
{
  AccountEditData *d = p;

  g_free (d->name);
  g_free (d->permission);
  g_free (d->fields_json);
  g_free (d->origins_json);
  g_free (d->fingerprint);
  g_free (d->data_type);
  g_free (d);
}

static gboolean
rename_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  AccountEditData *d = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *old_name = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *details_json = NULL;

  if (!check_account (db, d->account_id, TRUE, error))
    return FALSE;

  stmt = portico_db_prepare (db, "SELECT name FROM accounts WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, d->account_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    old_name = g_strdup (portico_db_column_text (stmt, 0));

  /* The same name again changes nothing, so the audit trail says nothing. */
  if (g_strcmp0 (old_name, d->name) == 0)
    return TRUE;

  if (!portico_db_exec (db, error, "UPDATE accounts SET name = ? WHERE id = ?",
                        "si", d->name, d->account_id))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "old_name");
  json_builder_add_string_value (builder, old_name);
  json_builder_set_member_name (builder, "new_name");
  json_builder_add_string_value (builder, d->name);
  json_builder_end_object (builder);
  details = json_builder_get_root (builder);
  details_json = json_to_string (details, FALSE);

  return append_audit (db, d->account_id, "renamed", details_json, error);
}

static gboolean
rename_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  return portico_store_in_transaction (self, db, rename_tx, data, out_value, out_pointer, error);
}

static AccountEditData *
rename_data_new (gint64       account_id,
                 const char  *name,
                 GError     **error)
{
  AccountEditData *d;

  if (is_blank (name))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The new name is empty. Enter a name with at least one visible character."));
      return NULL;
    }
  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  d->name = g_strstrip (g_strdup (name));
  return d;
}

gboolean
portico_store_rename_account_sync (PorticoStore *self,
                                   gint64        account_id,
                                   const char   *name,
                                   GError      **error)
{
  AccountEditData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  if (!(d = rename_data_new (account_id, name, error)))
    return FALSE;
  return portico_store_run_write_sync (self, rename_func, d, account_edit_data_free,
                                       NULL, NULL, error);
}

void
portico_store_rename_account_async (PorticoStore       *self,
                                    gint64              account_id,
                                    const char         *name,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  GError *error = NULL;
  AccountEditData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));

  if (!(d = rename_data_new (account_id, name, &error)))
    {
      g_task_report_error (self, callback, user_data,
                           portico_store_rename_account_async, error);
      return;
    }
  write_async (self, rename_func, d, account_edit_data_free,
               portico_store_rename_account_async, cancellable, callback, user_data);
}

gboolean
portico_store_rename_account_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_boolean (self, result, portico_store_rename_account_async, error);
}

static gboolean
update_account_tx (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  AccountEditData *d = data;

  if (!check_account (db, d->account_id, TRUE, error))
    return FALSE;
  if (!portico_db_exec (db, error,
                        "UPDATE accounts SET permission = coalesce (?, permission), fields = ?, "
                        "origins = coalesce (?, origins), credential_fingerprint = ?, "
                        "keyring_state = 'ok' WHERE id = ?",
                        "ssssi", d->permission, d->fields_json, d->origins_json, d->fingerprint,
                        d->account_id))
    return FALSE;
  if (!resume_account (db, d->account_id, "reconnected", error))
    return FALSE;
  return append_audit (db, d->account_id, "reconnected", "{\"same_identity\":true}", error);
}

static gboolean
update_account_func (PorticoStore *self,
                     sqlite3      *db,
                     gpointer      data,
                     gint64       *out_value,
                     gpointer     *out_pointer,
                     GError      **error)
{
  return portico_store_in_transaction (self, db, update_account_tx, data,
                                       out_value, out_pointer, error);
}

static AccountEditData *
update_data_new (gint64              account_id,
                 const char         *permission,
                 JsonObject         *fields,
                 const char * const *origins,
                 const char         *fingerprint)
{
  AccountEditData *d = g_new0 (AccountEditData, 1);

  d->account_id = account_id;
  d->permission = g_strdup (permission);
  d->fields_json = json_object_to_string (fields);
  d->origins_json = origins_to_json (origins);
  d->fingerprint = g_strdup (fingerprint);
  return d;
}

gboolean
portico_store_update_account_sync (PorticoStore       *self,
                                   gint64              account_id,
                                   const char         *permission,
                                   JsonObject         *fields,
                                   const char * const *origins,
                                   const char         *fingerprint,
                                   GError            **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, update_account_func,
                                       update_data_new (account_id, permission, fields, origins,
                                                        fingerprint),
                                       account_edit_data_free, NULL, NULL, error);
}

void
portico_store_update_account_async (PorticoStore       *self,
                                    gint64              account_id,
                                    const char         *permission,
                                    JsonObject         *fields,
                                    const char * const *origins,
                                    const char         *fingerprint,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  write_async (self, update_account_func,
               update_data_new (account_id, permission, fields, origins, fingerprint),
               account_edit_data_free,
               portico_store_update_account_async, cancellable, callback, user_data);
}

gboolean
portico_store_update_account_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_boolean (self, result, portico_store_update_account_async, error);
}

static gboolean
resume_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  AccountEditData *d = data;
  gint64 paused = 0;

  if (!check_account (db, d->account_id, TRUE, error))
    return FALSE;
  if (!portico_db_query_int (db, &paused, error,
                             "SELECT paused_cause IS NOT NULL FROM accounts WHERE id = ?",
                             "i", d->account_id))
    return FALSE;
  if (!paused)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("Account %" PRId64 " is not paused: it already syncs on schedule."),
                   d->account_id);
      return FALSE;
    }
  return resume_account (db, d->account_id, "resumed", error);
}

static gboolean
resume_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  return portico_store_in_transaction (self, db, resume_tx, data, out_value, out_pointer, error);
}

gboolean
portico_store_resume_account_sync (PorticoStore *self,
                                   gint64        account_id,
                                   GError      **error)
{
  AccountEditData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  return portico_store_run_write_sync (self, resume_func, d, account_edit_data_free,
                                       NULL, NULL, error);
}

void
portico_store_resume_account_async (PorticoStore       *self,
                                    gint64              account_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  AccountEditData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));

  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  write_async (self, resume_func, d, account_edit_data_free,
               portico_store_resume_account_async, cancellable, callback, user_data);
}

gboolean
portico_store_resume_account_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_boolean (self, result, portico_store_resume_account_async, error);
}

static gboolean
drift_threshold_tx (PorticoStore *self,
                    sqlite3      *db,
                    gpointer      data,
                    gint64       *out_value,
                    gpointer     *out_pointer,
                    GError      **error)
{
  AccountEditData *d = data;

  if (!check_account (db, d->account_id, TRUE, error))
    return FALSE;
  if (d->drift_threshold == 0)
    return portico_db_exec (db, error, "UPDATE accounts SET drift_threshold = NULL WHERE id = ?",
                            "i", d->account_id);
  return portico_db_exec (db, error, "UPDATE accounts SET drift_threshold = ? WHERE id = ?",
                          "ii", (gint64) d->drift_threshold, d->account_id);
}

static gboolean
drift_threshold_func (PorticoStore *self,
                      sqlite3      *db,
                      gpointer      data,
                      gint64       *out_value,
                      gpointer     *out_pointer,
                      GError      **error)
{
  return portico_store_in_transaction (self, db, drift_threshold_tx, data, out_value, out_pointer, error);
}

static AccountEditData *
drift_threshold_data_new (gint64   account_id,
                          guint    percent,
                          GError **error)
{
  AccountEditData *d;

  if (percent > 100)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("A drift threshold of %u%% is not possible: give a percentage from 1 to 100, or go back to the default of %d%%."),
                   percent, PORTICO_STORE_HOLD_PERCENT);
      return NULL;
    }
  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  d->drift_threshold = percent;
  return d;
}

gboolean
portico_store_set_drift_threshold_sync (PorticoStore *self,
                                        gint64        account_id,
                                        guint         percent,
                                        GError      **error)
{
  AccountEditData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  d = drift_threshold_data_new (account_id, percent, error);
  if (d == NULL)
    return FALSE;
  return portico_store_run_write_sync (self, drift_threshold_func, d, account_edit_data_free,
                                       NULL, NULL, error);
}

void
portico_store_set_drift_threshold_async (PorticoStore       *self,
                                         gint64              account_id,
                                         guint               percent,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  GError *error = NULL;
  AccountEditData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));

  d = drift_threshold_data_new (account_id, percent, &error);
  if (d == NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, portico_store_set_drift_threshold_async);
      g_task_return_error (task, error);
      return;
    }
  write_async (self, drift_threshold_func, d, account_edit_data_free,
               portico_store_set_drift_threshold_async, cancellable, callback, user_data);
}

gboolean
portico_store_set_drift_threshold_finish (PorticoStore *self,
                                          GAsyncResult *result,
                                          GError      **error)
{
  return write_finish_boolean (self, result, portico_store_set_drift_threshold_async, error);
}

/* Only fills in what is unknown: an account whose origins are known keeps
 * them until it is reconnected. */
static gboolean
adopt_origins_func (PorticoStore *self,
                    sqlite3      *db,
                    gpointer      data,
                    gint64       *out_value,
                    gpointer     *out_pointer,
                    GError      **error)
{
  AccountEditData *d = data;

  return portico_db_exec (db, error, "UPDATE accounts SET origins = ? WHERE id = ? AND origins IS NULL",
                          "si", d->origins_json, d->account_id);
}

void
portico_store_adopt_account_origins_async (PorticoStore       *self,
                                           gint64              account_id,
                                           const char * const *origins,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  AccountEditData *d;

  g_return_if_fail (PORTICO_IS_STORE (self));
  g_return_if_fail (origins != NULL);

  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  d->origins_json = origins_to_json (origins);
  write_async (self, adopt_origins_func, d, account_edit_data_free,
               portico_store_adopt_account_origins_async, cancellable, callback, user_data);
}

gboolean
portico_store_adopt_account_origins_finish (PorticoStore *self,
                                            GAsyncResult *result,
                                            GError      **error)
{
  return write_finish_boolean (self, result, portico_store_adopt_account_origins_async, error);
}

GStrv
portico_store_dup_account_origins (PorticoStore *self,
                                   gint64        account_id,
                                   GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *text = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);

  db = portico_store_lock_reader (self);
  stmt = portico_db_prepare (db, "SELECT origins FROM accounts WHERE id = ?", error);
  if (stmt == NULL)
    {
      portico_store_unlock_reader (self);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = g_strdup (portico_db_column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      portico_store_set_error (db, rc, self->path, error);
      portico_store_unlock_reader (self);
      return NULL;
    }
  portico_store_unlock_reader (self);

  if (text == NULL)
    return NULL;
  node = json_from_string (text, NULL);
  builder = g_strv_builder_new ();
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

static gboolean
set_data_type_func (PorticoStore *self,
                    sqlite3      *db,
                    gpointer      data,
                    gint64       *out_value,
                    gpointer     *out_pointer,
                    GError      **error)
{
  AccountEditData *d = data;

  if (!check_account (db, d->account_id, FALSE, error))
    return FALSE;
  return portico_db_exec (db, error,
                          "INSERT INTO account_data_types (account_id, data_type, enabled, disabled_reason) "
                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id, data_type) DO UPDATE "
                          "SET enabled = ?3, disabled_reason = ?4",
                          "isbs", d->account_id, d->data_type, d->enabled,
                          d->enabled ? NULL : d->name);
}

static AccountEditData *
set_data_type_data_new (gint64      account_id,
                        const char *data_type,
                        gboolean    enabled,
                        const char *disabled_reason)
{
  AccountEditData *d = g_new0 (AccountEditData, 1);

  d->account_id = account_id;
  d->data_type = g_strdup (data_type);
  d->enabled = enabled;
  d->name = g_strdup (disabled_reason);
  return d;
}

gboolean
portico_store_set_data_type_sync (PorticoStore *self,
                                  gint64        account_id,
                                  const char   *data_type,
                                  gboolean      enabled,
                                  const char   *disabled_reason,
                                  GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);
  g_return_val_if_fail (data_type != NULL, FALSE);

  return portico_store_run_write_sync (self, set_data_type_func,
                                       set_data_type_data_new (account_id, data_type, enabled, disabled_reason),
                                       account_edit_data_free, NULL, NULL, error);
}

void
portico_store_set_data_type_async (PorticoStore       *self,
                                   gint64              account_id,
                                   const char         *data_type,
                                   gboolean            enabled,
                                   const char         *disabled_reason,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  write_async (self, set_data_type_func,
               set_data_type_data_new (account_id, data_type, enabled, disabled_reason),
               account_edit_data_free, portico_store_set_data_type_async,
               cancellable, callback, user_data);
}

gboolean
portico_store_set_data_type_finish (PorticoStore *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  return write_finish_boolean (self, result, portico_store_set_data_type_async, error);
}

static gboolean
set_keyring_state_func (PorticoStore *self,
                        sqlite3      *db,
                        gpointer      data,
                        gint64       *out_value,
                        gpointer     *out_pointer,
                        GError      **error)
{
  AccountEditData *d = data;

  if (!check_account (db, d->account_id, FALSE, error))
    return FALSE;
  if (d->name != NULL)
    return portico_db_exec (db, error, "UPDATE accounts SET keyring_state = ? WHERE id = ?",
                            "si", d->name, d->account_id);
  return portico_db_exec (db, error,
                          "UPDATE accounts SET keyring_delete_pending = 0, keyring_state = 'deleted' WHERE id = ?",
                          "i", d->account_id);
}

gboolean
portico_store_set_keyring_state_sync (PorticoStore *self,
                                      gint64        account_id,
                                      const char   *keyring_state,
                                      GError      **error)
{
  AccountEditData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);
  g_return_val_if_fail (keyring_state != NULL, FALSE);

  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  d->name = g_strdup (keyring_state);
  return portico_store_run_write_sync (self, set_keyring_state_func, d,
                                       account_edit_data_free, NULL, NULL, error);
}

gboolean
portico_store_clear_keyring_pending_sync (PorticoStore *self,
                                          gint64        account_id,
                                          GError      **error)
{
  AccountEditData *d;

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  d = g_new0 (AccountEditData, 1);
  d->account_id = account_id;
  return portico_store_run_write_sync (self, set_keyring_state_func, d,
                                       account_edit_data_free, NULL, NULL, error);
}

/* ---- Sync runs ----------------------------------------------------------------- */

typedef struct
{
  gint64 id; /* account id to begin, run id to finish */
  char *status;
  GArray *results; /* of ResultCopy */
} SyncRunData;

typedef struct
{
  char *data_type, *status, *error_code, *error_message;
  gint64 items, started_at, ended_at;
} ResultCopy;

static void
result_copy_clear (gpointer p)
{
  ResultCopy *r = p;

  g_free (r->data_type);
  g_free (r->status);
  g_free (r->error_code);
  g_free (r->error_message);
}

static void
sync_run_data_free (gpointer p)
{
  SyncRunData *d = p;

  g_free (d->status);
  g_clear_pointer (&d->results, g_array_unref);
  g_free (d);
}

static gboolean
begin_sync_run_func (PorticoStore *self,
                     sqlite3      *db,
                     gpointer      data,
                     gint64       *out_value,
                     gpointer     *out_pointer,
                     GError      **error)
{
  SyncRunData *d = data;

  if (!check_account (db, d->id, TRUE, error))
    return FALSE;
  if (!portico_db_exec (db, error, "INSERT INTO sync_runs (account_id) VALUES (?)", "i", d->id))
    return FALSE;
  *out_value = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gint64
portico_store_begin_sync_run_sync (PorticoStore *self,
                                   gint64        account_id,
                                   GError      **error)
{
  SyncRunData *d = g_new0 (SyncRunData, 1);

  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);

  d->id = account_id;
  return write_sync_int (self, begin_sync_run_func, d, sync_run_data_free, error);
}

void
portico_store_begin_sync_run_async (PorticoStore       *self,
                                    gint64              account_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  SyncRunData *d = g_new0 (SyncRunData, 1);

  d->id = account_id;
  write_async (self, begin_sync_run_func, d, sync_run_data_free,
               portico_store_begin_sync_run_async, cancellable, callback, user_data);
}

gint64
portico_store_begin_sync_run_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_int (self, result, portico_store_begin_sync_run_async, error);
}

static char *
time_to_iso (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static gboolean
finish_sync_run_tx (PorticoStore *self,
                    sqlite3      *db,
                    gpointer      data,
                    gint64       *out_value,
                    gpointer     *out_pointer,
                    GError      **error)
{
  SyncRunData *d = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *details_json = NULL;
  gint64 account_id = 0;

  if (!portico_db_query_int (db, &account_id, error,
                             "SELECT account_id FROM sync_runs WHERE id = ?", "i", d->id))
    return FALSE;
  if (account_id == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("The sync run %" PRId64 " does not exist. Start a new sync."), d->id);
      return FALSE;
    }

  if (!portico_db_exec (db, error,
                        "UPDATE sync_runs SET ended_at = " PORTICO_SQL_NOW ", status = ? WHERE id = ?",
                        "si", d->status, d->id))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, d->status);
  json_builder_set_member_name (builder, "run");
  json_builder_add_int_value (builder, d->id);
  json_builder_set_member_name (builder, "data_types");
  json_builder_begin_array (builder);

  for (guint i = 0; i < d->results->len; i++)
    {
      ResultCopy *r = &g_array_index (d->results, ResultCopy, i);
      g_autofree char *started = time_to_iso (r->started_at);
      g_autofree char *ended = time_to_iso (r->ended_at);
      gboolean ok = g_strcmp0 (r->status, "ok") == 0;

      if (!portico_db_exec (db, error,
                            "INSERT OR REPLACE INTO sync_run_data_types "
                            "(run_id, data_type, status, items, error_code, error_message, started_at, ended_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, coalesce (?, " PORTICO_SQL_NOW "))",
                            "ississs" "s", d->id, r->data_type, r->status, r->items,
                            r->error_code, r->error_message, started, ended))
        return FALSE;

      if (!portico_db_exec (db, error,
                            "UPDATE account_data_types SET last_status = ?1, "
                            "  last_error_code = ?2, last_error = ?3, "
                            "  last_items = CASE WHEN ?4 THEN ?5 ELSE last_items END, "
                            "  last_success_at = CASE WHEN ?4 THEN " PORTICO_SQL_NOW " ELSE last_success_at END "
                            "WHERE account_id = ?6 AND data_type = ?7",
                            "sssbiis", r->status, ok ? NULL : r->error_code,
                            ok ? NULL : r->error_message, ok, r->items, account_id, r->data_type))
        return FALSE;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, r->data_type);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, r->status);
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, r->items);
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, r->error_code);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (!portico_db_exec (db, error,
                        "UPDATE accounts SET status = ?, last_sync_at = " PORTICO_SQL_NOW " "
                        "WHERE id = ? AND status <> 'disconnected'",
                        "si", d->status, account_id))
    return FALSE;

  details = json_builder_get_root (builder);
  details_json = json_to_string (details, FALSE);
  if (!append_audit (db, account_id,
                     g_strcmp0 (d->status, "failed") == 0 ? "sync_failed" : "synced",
                     details_json, error))
    return FALSE;

  /* After the run's own event, so the audit reads in order. */
  if (g_strcmp0 (d->status, "ok") == 0)
    return resume_account (db, account_id, "synced", error);
  if (g_strcmp0 (d->status, "failed") == 0 && g_atomic_int_get (&self->pause_after) > 0)
    return maybe_pause_account (db, account_id, g_atomic_int_get (&self->pause_after), error);
  return TRUE;
}

static gboolean
finish_sync_run_func (PorticoStore *self,
                      sqlite3      *db,
                      gpointer      data,
                      gint64       *out_value,
                      gpointer     *out_pointer,
                      GError      **error)
{
  return portico_store_in_transaction (self, db, finish_sync_run_tx, data,
                                       out_value, out_pointer, error);
}

static SyncRunData *
finish_data_new (gint64                            run_id,
                 const char                       *status,
                 const PorticoStoreDataTypeResult *results,
                 guint                             n_results)
{
  SyncRunData *d = g_new0 (SyncRunData, 1);

  d->id = run_id;
  d->status = g_strdup (status);
  d->results = g_array_new (FALSE, TRUE, sizeof (ResultCopy));
  g_array_set_clear_func (d->results, result_copy_clear);
  for (guint i = 0; i < n_results; i++)
    {
      ResultCopy r = {
        g_strdup (results[i].data_type), g_strdup (results[i].status),
        g_strdup (results[i].error_code), g_strdup (results[i].error_message),
        results[i].items, results[i].started_at, results[i].ended_at,
      };
      g_array_append_val (d->results, r);
    }
  return d;
}

gboolean
portico_store_finish_sync_run_sync (PorticoStore                     *self,
                                    gint64                            run_id,
                                    const char                       *status,
                                    const PorticoStoreDataTypeResult *results,
                                    guint                             n_results,
                                    GError                          **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  return portico_store_run_write_sync (self, finish_sync_run_func,
                                       finish_data_new (run_id, status, results, n_results),
                                       sync_run_data_free, NULL, NULL, error);
}

void
portico_store_finish_sync_run_async (PorticoStore                     *self,
                                     gint64                            run_id,
                                     const char                       *status,
                                     const PorticoStoreDataTypeResult *results,
                                     guint                             n_results,
                                     GCancellable                     *cancellable,
                                     GAsyncReadyCallback               callback,
                                     gpointer                          user_data)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  write_async (self, finish_sync_run_func,
               finish_data_new (run_id, status, results, n_results), sync_run_data_free,
               portico_store_finish_sync_run_async, cancellable, callback, user_data);
}

gboolean
portico_store_finish_sync_run_finish (PorticoStore *self,
                                      GAsyncResult *result,
                                      GError      **error)
{
  return write_finish_boolean (self, result, portico_store_finish_sync_run_async, error);
}

/* ---- Audit, apps, workflows ---------------------------------------------------- */

typedef struct
{
  gint64 id1, id2;
  char *s1, *s2, *s3, *s4;
} GenericData;

static void
generic_data_free (gpointer p)
{
  GenericData *d = p;

  g_free (d->s1);
  g_free (d->s2);
  g_free (d->s3);
  g_free (d->s4);
  g_free (d);
}

static GenericData *
generic_data_new (gint64      id1,
                  gint64      id2,
                  const char *s1,
                  const char *s2,
                  const char *s3,
                  const char *s4)
{
  GenericData *d = g_new0 (GenericData, 1);

  d->id1 = id1;
  d->id2 = id2;
  d->s1 = g_strdup (s1);
  d->s2 = g_strdup (s2);
  d->s3 = g_strdup (s3);
  d->s4 = g_strdup (s4);
  return d;
}

static gboolean
append_audit_func (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  GenericData *d = data;

  if (!append_audit (db, d->id1, d->s1, d->s2, error))
    return FALSE;
  *out_value = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gboolean
portico_store_append_audit_sync (PorticoStore *self,
                                 gint64        account_id,
                                 const char   *kind,
                                 JsonObject   *details,
                                 GError      **error)
{
  g_autofree char *details_json = json_object_to_string (details);

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  return portico_store_run_write_sync (self, append_audit_func,
                                       generic_data_new (account_id, 0, kind, details_json, NULL, NULL),
                                       generic_data_free, NULL, NULL, error);
}

void
portico_store_append_audit_async (PorticoStore       *self,
                                  gint64              account_id,
                                  const char         *kind,
                                  JsonObject         *details,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autofree char *details_json = json_object_to_string (details);

  g_return_if_fail (PORTICO_IS_STORE (self));

  write_async (self, append_audit_func,
               generic_data_new (account_id, 0, kind, details_json, NULL, NULL),
               generic_data_free, portico_store_append_audit_async,
               cancellable, callback, user_data);
}

gboolean
portico_store_append_audit_finish (PorticoStore *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  return write_finish_boolean (self, result, portico_store_append_audit_async, error);
}

static gboolean
ensure_app_func (PorticoStore *self,
                 sqlite3      *db,
                 gpointer      data,
                 gint64       *out_value,
                 gpointer     *out_pointer,
                 GError      **error)
{
  GenericData *d = data;

  return ensure_app (db, d->s1, d->s2, d->s3, out_value, error);
}

gint64
portico_store_ensure_app_sync (PorticoStore *self,
                               const char   *name,
                               const char   *category,
                               const char   *connector_id,
                               GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);

  if (is_blank (name))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The app name is empty. Enter a name."));
      return 0;
    }
  return write_sync_int (self, ensure_app_func,
                         generic_data_new (0, 0, name, category, connector_id, NULL),
                         generic_data_free, error);
}

/* Name -> connector id pairs, copied so that the caller's table may change
 * while the writer works. */
static GPtrArray *
copy_name_pairs (GHashTable *name_to_connector_id)
{
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, name_to_connector_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (key != NULL && value != NULL)
      {
        g_ptr_array_add (pairs, g_strdup (key));
        g_ptr_array_add (pairs, g_strdup (value));
      }
  return pairs;
}

static gboolean
link_app_connectors_tx (PorticoStore *self,
                        sqlite3      *db,
                        gpointer      data,
                        gint64       *out_value,
                        gpointer     *out_pointer,
                        GError      **error)
{
  GPtrArray *pairs = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 linked = 0;

  if (pairs->len == 0)
    return TRUE;

  /* apps.name is COLLATE NOCASE: the equality is case-insensitive and uses
   * the name's unique index. */
  stmt = portico_db_prepare (db,
                             "UPDATE apps SET connector_id = ?2 "
                             "WHERE name = trim (?1) AND connector_id IS NULL",
                             error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      sqlite3_bind_text (stmt, 1, pairs->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, pairs->pdata[i + 1], -1, SQLITE_STATIC);
      if (!portico_db_step_done (stmt, error))
        return FALSE;
      linked += sqlite3_changes (db);
      sqlite3_reset (stmt);
    }

  g_debug ("Linked %" G_GINT64_FORMAT " apps to their connectors", linked);
  *out_value = linked;
  return TRUE;
}

static gboolean
link_app_connectors_func (PorticoStore *self,
                          sqlite3      *db,
                          gpointer      data,
                          gint64       *out_value,
                          gpointer     *out_pointer,
                          GError      **error)
{
  return portico_store_in_transaction (self, db, link_app_connectors_tx, data,
                                       out_value, out_pointer, error);
}

gboolean
portico_store_link_app_connectors_sync (PorticoStore *self,
                                        GHashTable   *name_to_connector_id,
                                        GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);
  g_return_val_if_fail (name_to_connector_id != NULL, FALSE);

  return portico_store_run_write_sync (self, link_app_connectors_func,
                                       copy_name_pairs (name_to_connector_id),
                                       (GDestroyNotify) g_ptr_array_unref, NULL, NULL, error);
}

void
portico_store_link_app_connectors_async (PorticoStore       *self,
                                         GHashTable         *name_to_connector_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_STORE (self));
  g_return_if_fail (name_to_connector_id != NULL);

  write_async (self, link_app_connectors_func, copy_name_pairs (name_to_connector_id),
               (GDestroyNotify) g_ptr_array_unref, portico_store_link_app_connectors_async,
               cancellable, callback, user_data);
}

gboolean
portico_store_link_app_connectors_finish (PorticoStore *self,
                                          GAsyncResult *result,
                                          GError      **error)
{
  return write_finish_boolean (self, result, portico_store_link_app_connectors_async, error);
}

static gboolean
add_other_source_tx (PorticoStore *self,
                     sqlite3      *db,
                     gpointer      data,
                     gint64       *out_value,
                     gpointer     *out_pointer,
                     GError      **error)
{
  GenericData *d = data;
  gint64 exists = 0;

  if (!portico_db_query_int (db, &exists, error,
                             "SELECT count(*) FROM app_sources WHERE app_id = ? AND kind = ? "
                             "AND source_account_id IS NULL", "is", d->id1, d->s1))
    return FALSE;
  if (exists == 0 &&
      !portico_db_exec (db, error, "INSERT INTO app_sources (app_id, kind) VALUES (?, ?)",
                        "is", d->id1, d->s1))
    return FALSE;

  if (d->s2 == NULL)
    return TRUE;

  if (!portico_db_exec (db, error,
                        "INSERT INTO people (email, name) VALUES (?1, ?2) "
                        "ON CONFLICT (email) DO UPDATE SET name = coalesce (people.name, excluded.name)",
                        "ss", d->s2, d->s3))
    return FALSE;
  return portico_db_exec (db, error,
                          "INSERT INTO app_users (app_id, person_id, source_kind, status) "
                          "SELECT ?, id, ?, 'active' FROM people WHERE email = ?",
                          "iss", d->id1, d->s1, d->s2);
}

static gboolean
add_other_source_func (PorticoStore *self,
                       sqlite3      *db,
                       gpointer      data,
                       gint64       *out_value,
                       gpointer     *out_pointer,
                       GError      **error)
{
  return portico_store_in_transaction (self, db, add_other_source_tx, data,
                                       out_value, out_pointer, error);
}

gboolean
portico_store_add_other_source_sync (PorticoStore *self,
                                     gint64        app_id,
                                     const char   *kind,
                                     const char   *email,
                                     const char   *person_name,
                                     GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  if (g_strcmp0 (kind, "manual") != 0 && g_strcmp0 (kind, "browser_extension") != 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The source “%s” is unknown. Use “manual” or “browser_extension”."), kind);
      return FALSE;
    }
  return portico_store_run_write_sync (self, add_other_source_func,
                                       generic_data_new (app_id, 0, kind, email, person_name, NULL),
                                       generic_data_free, NULL, NULL, error);
}

static gboolean
add_workflow_func (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  GenericData *d = data;

  if (!portico_db_exec (db, error,
                        "INSERT INTO workflows (name, trigger_account_id, trigger_description) VALUES (?, ?, ?)",
                        "sIs", d->s1, d->id1, d->s2))
    return FALSE;
  *out_value = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/* After an edit of workflow @id: NOT_FOUND when no row changed. */
static gboolean
workflow_changed (sqlite3  *db,
                  gint64    id,
                  GError  **error)
{
  if (sqlite3_changes (db) > 0)
    return TRUE;
  g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
               _("Workflow %" PRId64 " does not exist any more. Reload the Workflows view."), id);
  return FALSE;
}

static gboolean
repoint_workflow_func (PorticoStore *self,
                       sqlite3      *db,
                       gpointer      data,
                       gint64       *out_value,
                       gpointer     *out_pointer,
                       GError      **error)
{
  GenericData *d = data;

  if (!check_account (db, d->id2, TRUE, error))
    return FALSE;
  if (!portico_db_exec (db, error,
                        "UPDATE workflows SET trigger_account_id = ?, valid = 1, invalid_reason = NULL WHERE id = ?",
                        "ii", d->id2, d->id1))
    return FALSE;
  return workflow_changed (db, d->id1, error);
}

gboolean
portico_store_repoint_workflow_sync (PorticoStore *self,
                                     gint64        workflow_id,
                                     gint64        account_id,
                                     GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, repoint_workflow_func,
                                       generic_data_new (workflow_id, account_id, NULL, NULL, NULL, NULL),
                                       generic_data_free, NULL, NULL, error);
}

static gboolean
delete_workflow_func (PorticoStore *self,
                      sqlite3      *db,
                      gpointer      data,
                      gint64       *out_value,
                      gpointer     *out_pointer,
                      GError      **error)
{
  GenericData *d = data;

  /* Its actions go with it (ON DELETE CASCADE). */
  if (!portico_db_exec (db, error, "DELETE FROM workflows WHERE id = ?", "i", d->id1))
    return FALSE;
  return workflow_changed (db, d->id1, error);
}

gboolean
portico_store_delete_workflow_sync (PorticoStore *self,
                                    gint64        workflow_id,
                                    GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, delete_workflow_func,
                                       generic_data_new (workflow_id, 0, NULL, NULL, NULL, NULL),
                                       generic_data_free, NULL, NULL, error);
}

gint64
portico_store_add_workflow_sync (PorticoStore *self,
                                 const char   *name,
                                 gint64        trigger_account_id,
                                 const char   *trigger_description,
                                 GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);

  if (is_blank (name))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The workflow name is empty. Enter a name."));
      return 0;
    }
  return write_sync_int (self, add_workflow_func,
                         generic_data_new (trigger_account_id, 0, name, trigger_description, NULL, NULL),
                         generic_data_free, error);
}

static gboolean
add_workflow_action_func (PorticoStore *self,
                          sqlite3      *db,
                          gpointer      data,
                          gint64       *out_value,
                          gpointer     *out_pointer,
                          GError      **error)
{
  GenericData *d = data;

  if (!portico_db_exec (db, error,
                        "INSERT INTO workflow_actions (workflow_id, account_id, action_id, label) VALUES (?, ?, ?, ?)",
                        "iIss", d->id1, d->id2, d->s1, d->s2))
    return FALSE;
  *out_value = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gint64
portico_store_add_workflow_action_sync (PorticoStore *self,
                                        gint64        workflow_id,
                                        gint64        account_id,
                                        const char   *action_id,
                                        const char   *label,
                                        GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), 0);
  g_return_val_if_fail (action_id != NULL, 0);

  return write_sync_int (self, add_workflow_action_func,
                         generic_data_new (workflow_id, account_id, action_id, label, NULL, NULL),
                         generic_data_free, error);
}

static gboolean
set_offboarding_func (PorticoStore *self,
                      sqlite3      *db,
                      gpointer      data,
                      gint64       *out_value,
                      gpointer     *out_pointer,
                      GError      **error)
{
  GenericData *d = data;

  if (!check_account (db, d->id1, TRUE, error))
    return FALSE;
  return portico_db_exec (db, error,
                          "INSERT OR REPLACE INTO offboarding_configs (account_id, settings) VALUES (?, ?)",
                          "is", d->id1, d->s1);
}

gboolean
portico_store_set_offboarding_config_sync (PorticoStore *self,
                                           gint64        account_id,
                                           JsonObject   *settings,
                                           GError      **error)
{
  g_autofree char *json = json_object_to_string (settings);

  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, set_offboarding_func,
                                       generic_data_new (account_id, 0, json, NULL, NULL, NULL),
                                       generic_data_free, NULL, NULL, error);
}

/* ---- Forgetting an account that never became usable ----------------------- */

static gboolean
forget_account_tx (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  gint64 account_id = *(gint64 *) data;
  gint64 syncs = 0;

  if (!portico_db_query_int (db, &syncs, error,
                             "SELECT count(*) FROM sync_runs WHERE account_id = ?",
                             "i", account_id))
    return FALSE;
  if (syncs > 0)
    {
      g_set_error_literal (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                           "An account that has synced is disconnected, not forgotten.");
      return FALSE;
    }

  /* The audit trail keeps its "connected" event (its account becomes NULL),
   * and says why the account went away again. */
  return portico_db_exec (db, error,
                          "INSERT INTO audit_events (account_id, kind, details) "
                          "SELECT NULL, 'connect_failed', json_object ('connector', connector_id, 'name', name) "
                          "FROM accounts WHERE id = ?", "i", account_id) &&
         portico_db_exec (db, error, "DELETE FROM app_sources WHERE source_account_id = ?",
                          "i", account_id) &&
         portico_db_exec (db, error, "DELETE FROM accounts WHERE id = ?", "i", account_id);
}

static gboolean
forget_account_func (PorticoStore *self,
                     sqlite3      *db,
                     gpointer      data,
                     gint64       *out_value,
                     gpointer     *out_pointer,
                     GError      **error)
{
  return portico_store_in_transaction (self, db, forget_account_tx, data,
                                       out_value, out_pointer, error);
}

gboolean
portico_store_forget_account_sync (PorticoStore *self,
                                   gint64        account_id,
                                   GError      **error)
{
  g_return_val_if_fail (PORTICO_IS_STORE (self), FALSE);

  return portico_store_run_write_sync (self, forget_account_func,
                                       g_memdup2 (&account_id, sizeof account_id), g_free,
                                       NULL, NULL, error);
}

void
portico_store_forget_account_async (PorticoStore       *self,
                                    gint64              account_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_return_if_fail (PORTICO_IS_STORE (self));

  write_async (self, forget_account_func, g_memdup2 (&account_id, sizeof account_id), g_free,
               portico_store_forget_account_async, cancellable, callback, user_data);
}

gboolean
portico_store_forget_account_finish (PorticoStore *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  return write_finish_boolean (self, result, portico_store_forget_account_async, error);
}
