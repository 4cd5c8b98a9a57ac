/* bench-common.h: shared helpers of the benchmarks (not part of Portico).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define BENCH_RUNS 3
#define BENCH_PAGE_SIZE 200

/* Pages of an Okta-like GET /api/v1/users listing: each a JSON array of
 * @page_size user objects, as GBytes (not NUL-terminated). Users are
 * numbered from @first; @domain makes the emails of one org. Deterministic. */
GPtrArray *bench_make_okta_pages (guint       n_users,
                                  guint       first,
                                  guint       page_size,
                                  const char *domain,
                                  guint64    *out_bytes);

gint64 bench_now (void);                 /* monotonic, microseconds */
double bench_median (const double *values,
                     guint         n);
char *bench_make_tmpdir (void);          /* fails hard */
void bench_remove_db (const char *path); /* the file, its -wal and -shm */
void bench_remove_dir (const char *dir); /* an (emptied) temp dir */

/* Opens @path like PorticoStore opens its writer: WAL, synchronous=NORMAL,
 * foreign_keys=ON. Aborts on error. */
sqlite3 *bench_open_db (const char *path);
/* Runs @sql, aborting with the message on error. */
void bench_exec (sqlite3    *db,
                 const char *sql);
sqlite3_stmt *bench_prepare (sqlite3    *db,
                             const char *sql);

G_END_DECLS
