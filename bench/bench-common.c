/* bench-common.c: shared helpers of the benchmarks (not part of Portico).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-bench"

#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "bench-common.h"

static const char * const first_names[] = {
  "Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
  "Frances", "Edsger", "Radia", "Donald", "Hedy", "John", "Sophie", "Tim",
  "Katherine", "Guido", "Anita", "Bjarne", "Joan", "Niklaus", "Shafi", "Leslie",
  "José", "Zoë", "Ömer", "Łucja", "Chloé", "Søren", "Mei", "Aarav",
};

static const char * const last_names[] = {
  "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov",
  "Thompson", "Allen", "Dijkstra", "Perlman", "Knuth", "Lamarr", "McCarthy",
  "Wilson", "Berners-Lee", "Johnson", "van Rossum", "Borg", "Stroustrup",
  "Clarke", "Wirth", "Goldwasser", "Lamport", "García", "O'Brien", "Müller",
  "Nowak", "Dubois", "Kierkegaard", "Zhang", "Sharma",
};

static const char * const departments[] = {
  "Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Legal", "IT",
};

static const char * const titles[] = {
  "Engineer", "Senior Engineer", "Account Executive", "Designer", "Analyst",
  "Manager", "Director", "Support Specialist", "Recruiter", "Counsel",
};

/* ACTIVE most of the time, the rest spread over Okta's other states. */
static const char *
pick_status (guint r)
{
  r %= 100;
  if (r < 84)
    return "ACTIVE";
  if (r < 88)
    return "SUSPENDED";
  if (r < 92)
    return "DEPROVISIONED";
  if (r < 95)
    return "STAGED";
  if (r < 97)
    return "PROVISIONED";
  if (r < 98)
    return "LOCKED_OUT";
  if (r < 99)
    return "PASSWORD_EXPIRED";
  return "RECOVERY";
}

static void
append_time (GString *s,
             gint64   epoch)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (epoch);
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.000Z");

  g_string_append_printf (s, "\"%s\"", text);
}

static void
append_okta_id (GString *s,
                const char *prefix,
                guint32  a,
                guint32  b)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  guint64 v = ((guint64) a << 32) | b;

  g_string_append (s, prefix);
  for (int i = 0; i < 17; i++)
    {
      g_string_append_c (s, alphabet[v % 62]);
      v = v / 62 + (guint64) (i + 1) * 2654435761u;
    }
}

/* "Berners-Lee" -> "berners-lee", "García" -> "garcia", "van Rossum" -> "vanrossum". */
static char *
slug (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *s = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    if (g_ascii_isalnum (*p) || *p == '-')
      g_string_append_c (s, g_ascii_tolower (*p));
  return g_string_free (s, FALSE);
}

static void
append_user (GString    *s,
             GRand      *rand,
             guint       n,
             const char *domain)
{
  const char *first = first_names[g_rand_int (rand) % G_N_ELEMENTS (first_names)];
  const char *last = last_names[g_rand_int (rand) % G_N_ELEMENTS (last_names)];
  const char *status = pick_status (g_rand_int (rand));
  gboolean staged = g_str_equal (status, "STAGED") || g_str_equal (status, "PROVISIONED");
  gint64 created = 1514764800 + g_rand_int_range (rand, 0, 200000000);
  gint64 last_login = 1700000000 + g_rand_int_range (rand, 0, 30000000);
  g_autofree char *login = NULL;
  g_autoptr(GString) id = g_string_new (NULL);

  append_okta_id (id, "00u", n, g_rand_int (rand));
  {
    g_autofree char *a = slug (first);
    g_autofree char *b = slug (last);

    login = g_strdup_printf ("%s.%s.%u@%s", a, b, n, domain);
  }

  g_string_append_printf (s, "{\"id\":\"%s\",\"status\":\"%s\",\"created\":", id->str, status);
  append_time (s, created);
  g_string_append (s, ",\"activated\":");
  if (staged)
    g_string_append (s, "null");
  else
    append_time (s, created + 3600);
  g_string_append (s, ",\"statusChanged\":");
  append_time (s, created + 7200);
  g_string_append (s, ",\"lastLogin\":");
  if (staged)
    g_string_append (s, "null");
  else
    append_time (s, last_login);
  g_string_append (s, ",\"lastUpdated\":");
  append_time (s, last_login - 86400);
  g_string_append (s, ",\"passwordChanged\":");
  append_time (s, created + 86400);
  g_string_append (s, ",\"type\":{\"id\":\"oty1ab2cd3EF4gh5i0h8\"}");
  g_string_append_printf (s,
                          ",\"profile\":{\"firstName\":\"%s\",\"lastName\":\"%s\","
                          "\"mobilePhone\":null,\"secondEmail\":null,"
                          "\"login\":\"%s\",\"email\":\"%s\","
                          "\"title\":\"%s\",\"department\":\"%s\","
                          "\"costCenter\":\"CC-%04u\",\"employeeNumber\":\"E%06u\","
                          "\"userType\":\"%s\"}",
                          first, last, login, login,
                          titles[g_rand_int (rand) % G_N_ELEMENTS (titles)],
                          departments[g_rand_int (rand) % G_N_ELEMENTS (departments)],
                          g_rand_int_range (rand, 1000, 1100), n,
                          g_rand_int (rand) % 10 == 0 ? "Contractor" : "Employee");
  g_string_append (s, ",\"credentials\":{\"password\":{},\"recovery_question\":{\"question\":\"Favourite colour\"},"
                      "\"provider\":{\"type\":\"OKTA\",\"name\":\"OKTA\"}}");
  g_string_append_printf (s, ",\"_links\":{\"self\":{\"href\":\"https://%s/api/v1/users/%s\"}}}",
                          domain, id->str);
}

GPtrArray *
bench_make_okta_pages (guint       n_users,
                       guint       first,
                       guint       page_size,
                       const char *domain,
                       guint64    *out_bytes)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (first * 7919u + n_users);
  guint64 bytes = 0;

  for (guint start = 0; start < n_users; start += page_size)
    {
      GString *s = g_string_sized_new ((gsize) page_size * 1100);
      guint end = MIN (n_users, start + page_size);

      g_string_append_c (s, '[');
      for (guint i = start; i < end; i++)
        {
          if (i > start)
            g_string_append_c (s, ',');
          append_user (s, rand, first + i, domain);
        }
      g_string_append_c (s, ']');
      bytes += s->len;
      g_ptr_array_add (pages, g_string_free_to_bytes (s));
    }

  if (out_bytes != NULL)
    *out_bytes = bytes;
  return pages;
}

gint64
bench_now (void)
{
  return g_get_monotonic_time ();
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (const double *values,
              guint         n)
{
  g_autofree double *sorted = g_memdup2 (values, sizeof (double) * n);

  g_assert (n > 0);
  qsort (sorted, n, sizeof (double), compare_doubles);
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

char *
bench_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("portico-bench-XXXXXX", &error);

  if (dir == NULL)
    g_error ("Cannot create a temporary folder: %s", error->message);
  return dir;
}

void
bench_remove_db (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);

      if (g_unlink (p) != 0 && errno != ENOENT)
        g_warning ("Cannot remove %s: %s", p, g_strerror (errno));
    }
}

void
bench_remove_dir (const char *dir)
{
  if (g_rmdir (dir) != 0)
    g_warning ("Cannot remove %s: %s", dir, g_strerror (errno));
}

void
bench_exec (sqlite3    *db,
            const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("SQL failed: %s\n%s", msg, sql);
}

sqlite3_stmt *
bench_prepare (sqlite3    *db,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("Cannot prepare: %s\n%s", sqlite3_errmsg (db), sql);
  return stmt;
}

sqlite3 *
bench_open_db (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    g_error ("Cannot open %s: %s", path, sqlite3_errmsg (db));
  bench_exec (db,
              "PRAGMA journal_mode = WAL;"
              "PRAGMA synchronous = NORMAL;"
              "PRAGMA foreign_keys = ON;");
  return db;
}
