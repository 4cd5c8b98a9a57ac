/* bench-measure.c: runs a command and writes its exit code, wall time, CPU
 * time and peak resident memory to a file. Not a test.
 *
 * Usage: bench-measure RESULT_FILE COMMAND [ARG...]
 * RESULT_FILE gets one line: "EXIT WALL_S CPU_S PEAK_RSS_KB".
 *
 * Why a launcher: Linux keeps a process's peak RSS across execve(), and a
 * child forked from a large process starts with that process's resident
 * pages counted (the high-water mark of the copied address space). A
 * command that bench-sync.py (holding every page's bytes for the limit)
 * forks directly therefore reports the bench's memory as its own peak:
 * 370 MB at 1,000,000 users where the sync itself never went past 30 MB.
 * Forked from this small process, the command's peak is its own.
 *
 * With BENCH_MEASURE_SMAPS=FILE in the environment, it also polls the
 * command's resident size every 20 ms and copies its /proc/PID/smaps to
 * FILE whenever that size reaches a new high: the mappings at the peak
 * (heap, thread arenas, files, shared memory), for finding what grows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The resident size of @pid in kB, or 0. */
static long
rss_kb (pid_t pid)
{
  char path[64], line[256];
  long kb = 0;
  FILE *f;

  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  f = fopen (path, "r");
  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "VmRSS: %ld", &kb) == 1)
      break;
  fclose (f);
  return kb;
}

static void
copy_smaps (pid_t       pid,
            const char *to)
{
  char path[64], buffer[65536];
  FILE *in, *out;
  size_t n;

  snprintf (path, sizeof path, "/proc/%d/smaps", (int) pid);
  in = fopen (path, "r");
  if (in == NULL)
    return;
  out = fopen (to, "w");
  if (out != NULL)
    {
      while ((n = fread (buffer, 1, sizeof buffer, in)) > 0)
        fwrite (buffer, 1, n, out);
      fclose (out);
    }
  fclose (in);
}

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  struct rusage usage;
  double started;
  FILE *out;
  pid_t pid;
  int status;
  int code;

  if (argc < 3)
    {
      fprintf (stderr, "Usage: %s RESULT_FILE COMMAND [ARG...]\n", argv[0]);
      return 2;
    }

  started = now_s ();
  pid = fork ();
  if (pid < 0)
    {
      fprintf (stderr, "bench-measure: cannot fork: %s\n", strerror (errno));
      return 2;
    }
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      fprintf (stderr, "bench-measure: cannot run %s: %s\n", argv[2], strerror (errno));
      _exit (127);
    }
  if (getenv ("BENCH_MEASURE_SMAPS") != NULL)
    {
      const struct timespec tick = { 0, 20 * 1000 * 1000 };
      long peak = 0;
      pid_t done;

      while ((done = wait4 (pid, &status, WNOHANG, &usage)) == 0 || (done < 0 && errno == EINTR))
        {
          long kb = rss_kb (pid);

          if (kb > peak)
            {
              peak = kb;
              copy_smaps (pid, getenv ("BENCH_MEASURE_SMAPS"));
            }
          nanosleep (&tick, NULL);
        }
      if (done < 0)
        {
          fprintf (stderr, "bench-measure: wait4: %s\n", strerror (errno));
          return 2;
        }
    }
  else
    while (wait4 (pid, &status, 0, &usage) < 0)
      if (errno != EINTR)
        {
          fprintf (stderr, "bench-measure: wait4: %s\n", strerror (errno));
          return 2;
        }

  code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  out = fopen (argv[1], "w");
  if (out == NULL)
    {
      fprintf (stderr, "bench-measure: cannot write %s: %s\n", argv[1], strerror (errno));
      return 2;
    }
  fprintf (out, "%d %.3f %.3f %ld\n", code, now_s () - started,
           usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
           usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6,
           usage.ru_maxrss);
  if (fclose (out) != 0)
    return 2;
  return code;
}
