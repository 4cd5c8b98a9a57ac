/* portico-store-lock.c: one sync of an account at a time, across processes.
 *
 * The GUI's scheduler, portico-cli and the systemd timer can all open the
 * same database. Each sync holds an exclusive flock(2) on a small file next
 * to the database, one per account. The kernel drops the lock when its
 * holder exits, however it exits, so a crash never leaves an account locked;
 * the file only carries who holds it (pid, host, process name, since when)
 * so that the one refused can say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "portico-store-private.h"

struct _PorticoSyncLock
{
  int fd;
  char *path;
};

char *
portico_store_lock_path (const char *db_path,
                         gint64      account_id)
{
  return g_strdup_printf ("%s-sync-%" G_GINT64_FORMAT ".lock", db_path, account_id);
}

static char *
process_name (void)
{
  g_autofree char *comm = NULL;

  if (g_get_prgname () != NULL)
    return g_path_get_basename (g_get_prgname ());
  if (g_file_get_contents ("/proc/self/comm", &comm, NULL, NULL))
    return g_strdup (g_strstrip (comm));
  return g_strdup ("portico");
}

/* "pid \t host \t process \t unix time" */
static void
write_holder (int fd)
{
  g_autofree char *name = process_name ();
  g_autofree char *line = NULL;

  /* Tabs and newlines would break the line: a process name has none in
   * practice, but it is not ours to trust. */
  g_strdelimit (name, "\t\r\n", ' ');
  line = g_strdup_printf ("%d\t%s\t%s\t%" G_GINT64_FORMAT "\n", (int) getpid (),
                          g_get_host_name (), name, g_get_real_time () / G_USEC_PER_SEC);
  if (ftruncate (fd, 0) != 0 || pwrite (fd, line, strlen (line), 0) < 0)
    g_debug ("Cannot record the sync lock's holder: %s", g_strerror (errno));
}

static void
set_locked_error (int      fd,
                  GError **error)
{
  char buffer[512];
  ssize_t n = pread (fd, buffer, sizeof buffer - 1, 0);
  g_auto(GStrv) parts = NULL;

  if (n > 0)
    {
      buffer[n] = '\0';
      g_strchomp (buffer);
      parts = g_strsplit (buffer, "\t", 4);
    }

  if (parts != NULL && g_strv_length (parts) == 4)
    {
      gint64 since = g_ascii_strtoll (parts[3], NULL, 10);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (since);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
      g_autofree char *time = local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("?");

      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_SYNC_LOCKED,
                   _("This account is already being synced by %s (process %s on %s) since %s; wait for that sync to finish, then try again."),
                   parts[2], parts[0], parts[1], time);
      return;
    }

  /* The holder locked the file but has not written its name yet. */
  g_set_error_literal (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_SYNC_LOCKED,
                       _("This account is already being synced by another Portico process; wait for that sync to finish, then try again."));
}

PorticoSyncLock *
portico_store_lock_account (PorticoStore *self,
                            gint64        account_id,
                            GError      **error)
{
  g_autofree char *path = NULL;
  PorticoSyncLock *lock;
  int fd;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  g_return_val_if_fail (account_id > 0, NULL);

  path = portico_store_lock_path (portico_store_get_path (self), account_id);

  for (guint attempt = 0; ; attempt++)
    {
      GStatBuf by_path;
      struct stat by_fd;

      /* Its own descriptor per lock: flock(2) locks belong to the open
       * file, so two engines of one process exclude each other as well. */
      fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved = errno;

          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                       _("The sync lock “%s” cannot be created: %s. Check the permissions of the database folder."),
                       path, g_strerror (saved));
          return NULL;
        }

      while (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EWOULDBLOCK)
            set_locked_error (fd, error);
          else
            g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_OPEN,
                         _("The sync lock “%s” cannot be taken: %s. Check that the database folder is on a local disk."),
                         path, g_strerror (errno));
          close (fd);
          return NULL;
        }

      /* The holder before us removes the file when it is done: a lock on
       * a file no longer at @path is worth nothing, so start again. */
      if (g_stat (path, &by_path) == 0 && fstat (fd, &by_fd) == 0 &&
          by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino)
        break;
      close (fd);
      if (attempt >= 100)
        {
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_SYNC_LOCKED,
                       _("This account is already being synced by another Portico process; wait for that sync to finish, then try again."));
          return NULL;
        }
    }

  write_holder (fd);

  lock = g_new0 (PorticoSyncLock, 1);
  lock->fd = fd;
  lock->path = g_steal_pointer (&path);
  return lock;
}

void
portico_sync_lock_release (PorticoSyncLock *lock)
{
  if (lock == NULL)
    return;

  /* Removed while still locked: whoever opened it meanwhile sees, once it
   * gets the lock, that it is no longer the file at this path. A crashed
   * holder leaves it behind, harmlessly: the next sync locks it again. */
  if (g_unlink (lock->path) != 0)
    g_debug ("Cannot remove the sync lock %s: %s", lock->path, g_strerror (errno));
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}
