/* portico-store-ingest.c: replacing one account's data for one data type.
 *
 * A connector's field map is compiled once into
 *   INSERT INTO temp.stage_TYPE (...) SELECT ?2, <expr>, ... FROM json_each (?1, '$.items')
 * so SQLite maps each page body without a json-glib tree (DESIGN.md "Ingest").
 * Pages land in per-connection staging tables as they arrive; the commit
 * moves them into the real tables in one transaction (deleting the account's
 * previous rows for that data type first). Until then the real tables are not
 * touched, so an aborted or failed sync leaves the previous data as it was,
 * and the writer stays free for other writes while pages are fetched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n-lib.h>

#include "portico-connector.h"
#include "portico-store-private.h"

/* An item that is not an object (a string, a number, null in the list)
 * cannot be mapped: it is skipped, never an error for the whole page. */
#define ITEMS_ARE_OBJECTS "WHERE json_each.type = 'object'"

/* ---- portico_norm_time () ------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *out_y,
                 int    *out_m,
                 int    *out_d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *out_d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *out_m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *out_y = yoe + era * 400 + (*out_m <= 2);
}

static gboolean
parse_digits (const char *s,
              int         n,
              int        *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

static void
put_digits (char *out,
            int   value,
            int   n)
{
  for (int i = n - 1; i >= 0; i--)
    {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
}

/* Seconds since the epoch to "YYYY-MM-DDTHH:MM:SSZ"; FALSE outside years
 * 1..9999 (left to SQLite). */
static gboolean
format_utc (gint64 t,
            char   out[21])
{
  gint64 days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  gint64 secs = t - days * 86400;
  gint64 y;
  int m, d;

  civil_from_days (days, &y, &m, &d);
  if (y < 1 || y > 9999)
    return FALSE;
  /* By hand: this runs for every staged row. */
  put_digits (out, (int) y, 4);
  out[4] = '-';
  put_digits (out + 5, m, 2);
  out[7] = '-';
  put_digits (out + 8, d, 2);
  out[10] = 'T';
  put_digits (out + 11, (int) (secs / 3600), 2);
  out[13] = ':';
  put_digits (out + 14, (int) (secs / 60 % 60), 2);
  out[16] = ':';
  put_digits (out + 17, (int) (secs % 60), 2);
  out[19] = 'Z';
  out[20] = '\0';
  return TRUE;
}

/* The common shapes only: YYYY-MM-DD[T ]HH:MM:SS[.f{1,3}][Z|±HH:MM]. Anything
 * else (and out-of-range fields, which SQLite would normalise) is FALSE. */
static gboolean
iso_to_utc (const char *s,
            gsize       len,
            char        out[21])
{
  static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int y, mo, d, h, mi, sec, off = 0;
  gsize i = 19;

  if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':' ||
      !parse_digits (s, 4, &y) || !parse_digits (s + 5, 2, &mo) || !parse_digits (s + 8, 2, &d) ||
      !parse_digits (s + 11, 2, &h) || !parse_digits (s + 14, 2, &mi) || !parse_digits (s + 17, 2, &sec))
    return FALSE;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
    return FALSE;
  if (d > month_days[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
    return FALSE;

  /* Up to milliseconds the fraction cannot round up into the next second. */
  if (i < len && s[i] == '.')
    {
      gsize n = 0;

      for (i++; i < len && g_ascii_isdigit (s[i]); i++)
        n++;
      if (n < 1 || n > 3)
        return FALSE;
    }

  if (i < len && s[i] == 'Z')
    i++;
  else if (i < len && (s[i] == '+' || s[i] == '-'))
    {
      int oh, om;

      if (len - i < 6 || s[i + 3] != ':' ||
          !parse_digits (s + i + 1, 2, &oh) || !parse_digits (s + i + 4, 2, &om) ||
          oh > 14 || om > 59)
        return FALSE;
      off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
      i += 6;
    }
  if (i != len)
    return FALSE;

  return format_utc (days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off, out);
}

static void
norm_time_func (sqlite3_context *ctx,
                int              argc,
                sqlite3_value  **argv)
{
  sqlite3_value *v = argv[0];
  char out[21];
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  switch (sqlite3_value_type (v))
    {
    case SQLITE_NULL:
      return; /* NULL */
    case SQLITE_INTEGER:
      {
        sqlite3_int64 t = sqlite3_value_int64 (v);

        if (t >= 0 && t <= G_GINT64_CONSTANT (100000000000) && format_utc (t, out))
          {
            sqlite3_result_text (ctx, out, 20, SQLITE_TRANSIENT);
            return;
          }
      }
      break;
    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_value_text (v);
        int len = sqlite3_value_bytes (v);

        if (len == 0)
          return; /* NULL */
        if (iso_to_utc (text, (gsize) len, out))
          {
            sqlite3_result_text (ctx, out, 20, SQLITE_TRANSIENT);
            return;
          }
      }
      break;
    default:
      break;
    }

  /* The rare rest: let SQLite's own date functions decide. */
  db = sqlite3_context_db_handle (ctx);
  rc = sqlite3_prepare_v2 (db, "SELECT " PORTICO_SQL_NORM_TIME ("?1"), -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_value (stmt, 1, v);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          sqlite3_result_value (ctx, sqlite3_column_value (stmt, 0));
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    sqlite3_result_error_code (ctx, rc);
  sqlite3_finalize (stmt);
}

static int
register_sql_functions (sqlite3                         *db,
                        char                           **error_message,
                        const struct sqlite3_api_routines *api)
{
  return sqlite3_create_function_v2 (db, "portico_norm_time", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     NULL, norm_time_func, NULL, NULL, NULL);
}

void
portico_store_sql_functions_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      sqlite3_auto_extension ((void (*) (void)) register_sql_functions);
      g_once_init_leave (&once, 1);
    }
}

typedef struct
{
  const char *target;
  const char *column;
  /* An SQL function the page statement applies to the mapped value (NULL =
   * none): work done while staging is not done in the commit's write
   * transaction. */
  const char *wrap;
} TargetColumn;

typedef struct
{
  const char *data_type;
  const char *table;
  const TargetColumn *targets; /* NULL-terminated */
  const char *required[2];     /* one of these must be mapped */
  const char *commit_sql;
  /* After the commit: how many rows of this data type it stored (the
   * sync reports these, not the items read). Same parameters. */
  const char *stored_sql;
} DataTypeInfo;

/* Staged times are already normalised to UTC "YYYY-MM-DDTHH:MM:SSZ" (see
 * portico_store_sql_norm_time()); staged user emails are trimmed. */
#define WRAP_TIME "portico_norm_time"
#define WRAP_TRIM "trim"

/* Parameters of every commit: ?1 account id, ?2 staging handle, ?3 the
 * account's app id. */
static const TargetColumn users_targets[] = {
  { "id", "ext_id", NULL }, { "email", "email", WRAP_TRIM }, { "name", "name", NULL },
  { "status", "status", NULL }, { "role", "role", NULL },
  { "last_activity", "last_activity", WRAP_TIME }, { "license", "license", NULL }, { NULL, NULL, NULL },
};
/* People need an address that looks like one: a provider's number, list
 * or object in the email field makes no person. */
static const char users_commit[] =
  "DELETE FROM app_users WHERE source_account_id = ?1 AND app_id = ?3;\n"
  "INSERT INTO people (email, name) "
  "  SELECT email, max (nullif (trim (name), '')) FROM stage_users "
  "  WHERE handle = ?2 AND email IS NOT NULL AND instr (email, '@') > 1 "
  "  GROUP BY email COLLATE NOCASE "
  /* Only rows the update changes are rewritten (a re-sync finds everyone). */
  "  ON CONFLICT (email) DO UPDATE SET name = excluded.name "
  "  WHERE people.name IS NULL AND excluded.name IS NOT NULL;\n"
  "INSERT INTO app_users (app_id, person_id, external_user_id, status, role, last_activity, "
  "    license_sku, source_account_id, source_kind) "
  "  SELECT ?3, (SELECT p.id FROM people p WHERE p.email = s.email), "
  "    CAST (s.ext_id AS TEXT), s.status, s.role, s.last_activity, "
  "    s.license, ?1, 'account' "
  /* A user without an id cannot be told apart: skipped. Of several with
   * the same id (a broken provider's pages), the first one counts. */
  "  FROM stage_users s WHERE s.rowid IN "
  "    (SELECT min (rowid) FROM stage_users WHERE handle = ?2 AND ext_id IS NOT NULL "
  "     AND CAST (ext_id AS TEXT) <> '' GROUP BY CAST (ext_id AS TEXT)) "
  "  ORDER BY 2;\n";

static const TargetColumn licenses_targets[] = {
  { "sku", "sku", NULL }, { "name", "name", NULL }, { "total", "total", NULL },
  { "assigned", "assigned", NULL }, { NULL, NULL, NULL },
};
static const char licenses_commit[] =
  "DELETE FROM licenses WHERE source_account_id = ?1 AND app_id = ?3;\n"
  "INSERT INTO licenses (app_id, sku, name, total, assigned, source_account_id) "
  "  SELECT ?3, CAST (sku AS TEXT), name, CAST (total AS INTEGER), CAST (assigned AS INTEGER), ?1 "
  "  FROM stage_licenses WHERE handle = ?2 AND sku IS NOT NULL;\n";

static const TargetColumn usage_targets[] = {
  { "user_id", "user_id", NULL }, { "email", "email", NULL },
  { "last_activity", "last_activity", WRAP_TIME }, { NULL, NULL, NULL },
};
static const char usage_commit[] =
  "UPDATE app_users SET last_activity = u.la FROM "
  "  (SELECT CAST (user_id AS TEXT) AS uid, max (last_activity) AS la "
  "   FROM stage_usage WHERE handle = ?2 AND user_id IS NOT NULL GROUP BY 1) AS u "
  "  WHERE app_users.source_account_id = ?1 AND app_users.app_id = ?3 "
  "  AND app_users.external_user_id = u.uid;\n"
  "UPDATE app_users SET last_activity = u.la FROM "
  "  (SELECT p.id AS pid, max (s.last_activity) AS la "
  "   FROM stage_usage s JOIN people p ON p.email = trim (s.email) "
  "   WHERE s.handle = ?2 AND s.user_id IS NULL GROUP BY p.id) AS u "
  "  WHERE app_users.source_account_id = ?1 AND app_users.app_id = ?3 "
  "  AND app_users.person_id = u.pid;\n";

static const TargetColumn custom_fields_targets[] = {
  { "user_id", "user_id", NULL }, { "email", "email", NULL }, { NULL, NULL, NULL },
};
/* A staged row holds every label of one item that has a value in "value",
 * a JSON object of label to text, stored as it is: one row per user in
 * custom_user_field_sets (migration 13), its person looked up once. An item
 * without any value stores nothing. */
static const char custom_fields_commit[] =
  "DELETE FROM custom_user_field_sets WHERE source_account_id = ?1;\n"
  "INSERT INTO custom_user_field_sets (app_id, person_id, external_user_id, fields, field_count, source_account_id) "
  "  SELECT ?3, coalesce ((SELECT p.id FROM people p WHERE p.email = trim (s.email)), "
  "         (SELECT au.person_id FROM app_users au WHERE au.source_account_id = ?1 "
  "          AND au.external_user_id = CAST (s.user_id AS TEXT) LIMIT 1)), "
  "    CAST (s.user_id AS TEXT), s.value, (SELECT count (*) FROM json_each (s.value)), ?1 "
  "  FROM stage_custom_fields s WHERE s.handle = ?2 AND s.value <> '{}';\n";

static const TargetColumn transactions_targets[] = {
  { "id", "ext_id", NULL }, { "amount", "amount", NULL }, { "currency", "currency", NULL },
  { "vendor", "vendor", NULL }, { "date", "date", NULL }, { "user_email", "user_email", NULL },
  { "description", "description", NULL }, { NULL, NULL, NULL },
};
static const char transactions_commit[] =
  "DELETE FROM transactions WHERE source_account_id = ?1;\n"
  "INSERT INTO transactions (external_id, amount, currency, vendor, app_id, date, person_id, "
  "    description, source_account_id) "
  "  SELECT CAST (s.ext_id AS TEXT), CAST (s.amount AS REAL), s.currency, s.vendor, "
  "    (SELECT a.id FROM apps a WHERE a.name = trim (s.vendor)), s.date, "
  "    (SELECT p.id FROM people p WHERE p.email = trim (s.user_email)), s.description, ?1 "
  "  FROM stage_transactions s WHERE s.handle = ?2;\n";

static const TargetColumn groups_targets[] = {
  { "id", "ext_id", NULL }, { "name", "name", NULL }, { "members", "members", NULL }, { NULL, NULL, NULL },
};
static const char groups_commit[] =
  "DELETE FROM groups WHERE source_account_id = ?1;\n"
  "INSERT INTO groups (app_id, external_id, name, members, source_account_id) "
  "  SELECT ?3, CAST (ext_id AS TEXT), name, CAST (members AS INTEGER), ?1 "
  "  FROM stage_groups WHERE handle = ?2;\n";

static const TargetColumn discovered_apps_targets[] = {
  { "name", "name", NULL }, { "id", "ext_id", NULL }, { "users", "users", NULL },
  { "spend", "spend", NULL }, { NULL, NULL, NULL },
};
/* Apps stay discovered by the account even when it stops reporting them;
 * only the numbers it reported are replaced. */
static const char discovered_apps_commit[] =
  "UPDATE app_sources SET user_count = NULL, spend = NULL "
  "  WHERE source_account_id = ?1 AND app_id <> ?3;\n"
  "INSERT INTO apps (name, category) "
  "  SELECT trim (name), 'other' FROM stage_discovered_apps "
  "  WHERE handle = ?2 AND name IS NOT NULL AND trim (name) <> '' "
  "  GROUP BY trim (name) COLLATE NOCASE ON CONFLICT (name) DO NOTHING;\n"
  "INSERT INTO app_sources (app_id, kind, source_account_id, user_count, spend, external_id) "
  "  SELECT a.id, (SELECT CASE WHEN x.category = 'identity_provider' THEN 'idp' ELSE 'account' END "
  "                FROM apps x WHERE x.id = ?3), "
  "    ?1, max (CAST (s.users AS INTEGER)), sum (CAST (s.spend AS REAL)), "
  "    CAST (max (s.ext_id) AS TEXT) "
  "  FROM stage_discovered_apps s JOIN apps a ON a.name = trim (s.name) "
  "  WHERE s.handle = ?2 AND a.id <> ?3 GROUP BY a.id "
  "  ON CONFLICT (app_id, kind, source_account_id) DO UPDATE "
  "  SET user_count = excluded.user_count, spend = excluded.spend, "
  "    external_id = coalesce (excluded.external_id, app_sources.external_id);\n";

/* Who the identity provider assigned to each app it discovered (read per
 * app id, after the users and the discovered apps): one app user per
 * assigned person, linked through the provider's own user id or else by
 * email (that id is the provider's, not the app's: it is not kept); the
 * app's assigned count from this provider is the number of assigned
 * people (a column of its own: discovered apps replace only theirs). An app the provider no longer reports keeps no
 * assignments from it. Only people count: an assignment whose principal
 * type is mapped to anything but "user" (a group, whose members are not
 * expanded, or another app) is read and left out, and so is one naming
 * nobody (neither user id nor email). */
static const TargetColumn app_assignments_targets[] = {
  { "app_id", "app_id", NULL }, { "user_id", "user_id", NULL }, { "email", "email", WRAP_TRIM },
  { "principal_type", "principal_type", NULL }, { NULL, NULL, NULL },
};
static const char app_assignments_commit[] =
  "DELETE FROM app_users WHERE source_account_id = ?1 AND app_id <> ?3 AND source_kind = 'idp';\n"
  "INSERT INTO app_users (app_id, person_id, external_user_id, status, source_account_id, source_kind) "
  "  SELECT src.app_id, "
  "    coalesce ((SELECT au.person_id FROM app_users au WHERE au.source_account_id = ?1 "
  "               AND au.app_id = ?3 AND au.external_user_id = CAST (s.user_id AS TEXT) LIMIT 1), "
  "              (SELECT p.id FROM people p WHERE p.email = s.email)), "
  "    NULL, 'active', ?1, 'idp' "
  "  FROM stage_app_assignments s JOIN app_sources src "
  "    ON src.source_account_id = ?1 AND src.external_id = CAST (s.app_id AS TEXT) "
  "  WHERE s.handle = ?2 AND src.app_id <> ?3 AND coalesce (s.principal_type, 'user') = 'user' "
  "    AND coalesce (CAST (s.user_id AS TEXT), s.email) IS NOT NULL "
  "  GROUP BY src.app_id, coalesce (CAST (s.user_id AS TEXT), s.email);\n"
  "UPDATE app_sources SET assigned_count = "
  "  (SELECT count (DISTINCT coalesce (CAST (s.user_id AS TEXT), s.email)) FROM stage_app_assignments s "
  "   WHERE s.handle = ?2 AND CAST (s.app_id AS TEXT) = app_sources.external_id "
  "   AND coalesce (s.principal_type, 'user') = 'user') "
  "  WHERE source_account_id = ?1 AND app_id <> ?3 AND external_id IS NOT NULL;\n";

/* Rows stored by each commit (parameters as above; each statement binds all
 * three, used or not). Usage stores no rows of its own: it counts
 * the app users whose last activity it set; discovered apps count the apps
 * whose numbers were replaced. */
static const char users_stored[] =
  "SELECT count(*) FROM app_users WHERE source_account_id = ?1 AND app_id = ?3";
static const char licenses_stored[] =
  "SELECT count(*) FROM licenses WHERE source_account_id = ?1 AND app_id = ?3";
static const char usage_stored[] =
  "SELECT count(*) FROM app_users au WHERE au.source_account_id = ?1 AND au.app_id = ?3 AND ("
  "  au.external_user_id IN (SELECT CAST (user_id AS TEXT) FROM stage_usage "
  "                          WHERE handle = ?2 AND user_id IS NOT NULL) "
  "  OR au.person_id IN (SELECT p.id FROM stage_usage s JOIN people p ON p.email = trim (s.email) "
  "                      WHERE s.handle = ?2 AND s.user_id IS NULL))";
static const char custom_fields_stored[] = PORTICO_STORE_SQL_CUSTOM_FIELDS_OF_ACCOUNT;
static const char transactions_stored[] =
  "SELECT count(*) FROM transactions WHERE source_account_id = ?1";
static const char groups_stored[] =
  "SELECT count(*) FROM groups WHERE source_account_id = ?1";
static const char discovered_apps_stored[] =
  "SELECT count (DISTINCT a.id) FROM stage_discovered_apps s JOIN apps a ON a.name = trim (s.name) "
  "  WHERE s.handle = ?2 AND a.id <> ?3";
static const char app_assignments_stored[] =
  "SELECT count(*) FROM app_users WHERE source_account_id = ?1 AND app_id <> ?3 AND source_kind = 'idp' "
  " ";

static const DataTypeInfo data_types[] = {
  { "users", "stage_users", users_targets, { "id", NULL }, users_commit, users_stored },
  { "licenses", "stage_licenses", licenses_targets, { "sku", NULL }, licenses_commit, licenses_stored },
  { "usage", "stage_usage", usage_targets, { "user_id", "email" }, usage_commit, usage_stored },
  { "custom_fields", "stage_custom_fields", custom_fields_targets, { "user_id", NULL }, custom_fields_commit, custom_fields_stored },
  { "transactions", "stage_transactions", transactions_targets, { "id", NULL }, transactions_commit, transactions_stored },
  { "groups", "stage_groups", groups_targets, { "id", NULL }, groups_commit, groups_stored },
  { "discovered_apps", "stage_discovered_apps", discovered_apps_targets, { "name", NULL }, discovered_apps_commit, discovered_apps_stored },
  { "app_assignments", "stage_app_assignments", app_assignments_targets, { "app_id", NULL }, app_assignments_commit, app_assignments_stored },
};

static const DataTypeInfo *
lookup_data_type (const char *data_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (data_types); i++)
    if (g_strcmp0 (data_types[i].data_type, data_type) == 0)
      return &data_types[i];
  return NULL;
}

/* ---- Mapping -------------------------------------------------------------- */

struct _PorticoStoreMapping
{
  const DataTypeInfo *info;
  char *sql;
  /* The same statement for one item bound as ?1 (NULL when it maps
   * nothing), and the items path as keys (a number indexes an array);
   * see add_page_items(). */
  char *item_sql;
  char **items_path;
};

static void
mapping_clear (gpointer p)
{
  PorticoStoreMapping *mapping = p;
  g_free (mapping->sql);
  g_free (mapping->item_sql);
  g_strfreev (mapping->items_path);
}

PorticoStoreMapping *
portico_store_mapping_ref (PorticoStoreMapping *mapping)
{
  return g_atomic_rc_box_acquire (mapping);
}

void
portico_store_mapping_unref (PorticoStoreMapping *mapping)
{
  g_atomic_rc_box_release_full (mapping, mapping_clear);
}

const char *
portico_store_mapping_get_data_type (PorticoStoreMapping *mapping)
{
  return mapping->info->data_type;
}

const char *
portico_store_mapping_get_sql (PorticoStoreMapping *mapping)
{
  return mapping->sql;
}

/* "data.users" -> $."data"."users"; "" -> $. */
static char *
items_path_to_json_path (const char  *items_path,
                         GError     **error)
{
  g_autoptr(GString) path = g_string_new ("$");
  g_auto(GStrv) segments = NULL;

  if (items_path == NULL || items_path[0] == '\0')
    return g_string_free (g_steal_pointer (&path), FALSE);

  segments = g_strsplit (items_path, ".", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      const char *seg = segments[i];

      if (seg[0] == '\0' || strchr (seg, '"') != NULL || strchr (seg, '\'') != NULL)
        {
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                       _("The items path “%s” is not valid. Use keys separated by dots."),
                       items_path);
          return NULL;
        }
      if (g_ascii_isdigit (seg[0]) && strspn (seg, "0123456789") == strlen (seg))
        g_string_append_printf (path, "[%s]", seg);
      else
        g_string_append_printf (path, ".\"%s\"", seg);
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

static const char *
target_column (const DataTypeInfo *info,
               const char         *target)
{
  for (guint i = 0; info->targets[i].target != NULL; i++)
    if (g_strcmp0 (info->targets[i].target, target) == 0)
      return info->targets[i].column;
  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

PorticoStoreMapping *
portico_store_mapping_new_from_sql (const char *data_type,
                                    const char *items_path,
                                    GHashTable *target_sql,
                                    GError    **error)
{
  const DataTypeInfo *info = lookup_data_type (data_type);
  g_autofree char *json_path = NULL;
  g_autofree char *quoted_path = NULL;
  g_autoptr(GString) sql = NULL;
  PorticoStoreMapping *mapping;

  if (info == NULL)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The data type “%s” is unknown. Use one of users, licenses, usage, custom_fields, transactions, groups, discovered_apps, app_assignments."),
                   data_type);
      return NULL;
    }

  if ((info->required[0] == NULL || !g_hash_table_contains (target_sql, info->required[0])) &&
      (info->required[1] == NULL || !g_hash_table_contains (target_sql, info->required[1])))
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("The map of “%s” has no “%s”. Add it to the connector definition."),
                   data_type, info->required[0]);
      return NULL;
    }

  json_path = items_path_to_json_path (items_path, error);
  if (json_path == NULL)
    return NULL;
  {
    char *q = sqlite3_mprintf ("%Q", json_path);
    quoted_path = g_strdup (q);
    sqlite3_free (q);
  }

  sql = g_string_new (NULL);

  if (g_strcmp0 (info->data_type, "custom_fields") == 0)
    {
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer key;
      const char *uid = g_hash_table_lookup (target_sql, "user_id");
      const char *email = g_hash_table_lookup (target_sql, "email");

      g_hash_table_iter_init (&iter, target_sql);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_str_has_prefix (key, "fields."))
          g_ptr_array_add (labels, key);
      g_ptr_array_sort (labels, compare_strings);

      /* One staged row per item: its user id, its email and a JSON object
       * of label to value (the label's expression as text; json_patch
       * drops the labels without a value), stored by the commit as it is.
       * Each item is read once, and the commit looks its person up once,
       * not once per label. */
      g_string_append_printf (sql, "INSERT INTO temp.%s (handle, user_id, email, label, value) ", info->table);
      if (labels->len == 0)
        g_string_append (sql, "SELECT ?2, NULL, NULL, NULL, NULL WHERE ?1 IS NULL AND 0");
      else
        {
          g_string_append_printf (sql, "SELECT ?2, %s, %s, NULL, json_patch ('{}', json_object (",
                                  uid != NULL ? uid : "NULL", email != NULL ? email : "NULL");
          for (guint i = 0; i < labels->len; i++)
            {
              char *quoted_label = sqlite3_mprintf ("%Q", (const char *) labels->pdata[i] + strlen ("fields."));

              g_string_append_printf (sql, "%s%s, CAST (%s AS TEXT)", i > 0 ? ", " : "", quoted_label,
                                      (const char *) g_hash_table_lookup (target_sql, labels->pdata[i]));
              sqlite3_free (quoted_label);
            }
          g_string_append (sql, "))");
        }
    }
  else
    {
      g_autoptr(GString) columns = g_string_new ("handle");
      g_autoptr(GString) values = g_string_new ("?2");

      for (guint i = 0; info->targets[i].target != NULL; i++)
        {
          const char *expr = g_hash_table_lookup (target_sql, info->targets[i].target);

          if (expr == NULL)
            continue;
          g_string_append_printf (columns, ", %s", info->targets[i].column);
          g_string_append (values, ", ");
          if (info->targets[i].wrap != NULL)
            g_string_append_printf (values, "%s (%s)", info->targets[i].wrap, expr);
          else
            g_string_append (values, expr);
        }
      g_string_append_printf (sql, "INSERT INTO temp.%s (%s) SELECT %s",
                              info->table, columns->str, values->str);
    }

  mapping = g_atomic_rc_box_new0 (PorticoStoreMapping);
  mapping->info = info;
  if (g_str_has_suffix (sql->str, " AND 0"))
    mapping->sql = g_string_free (g_steal_pointer (&sql), FALSE);
  else
    {
      /* The statement so far selects from "value": once over the page's
       * items, once over one item. */
      mapping->item_sql = g_strconcat (sql->str, " FROM (SELECT ?1 AS value)", NULL);
      mapping->sql = g_strdup_printf ("%s FROM json_each (?1, %s) " ITEMS_ARE_OBJECTS, sql->str, quoted_path);
    }
  mapping->items_path = items_path != NULL && items_path[0] != '\0' ? g_strsplit (items_path, ".", -1)
                                                                     : g_new0 (char *, 1);
  return mapping;
}

PorticoStoreMapping *
portico_store_mapping_new (const char *data_type,
                           const char *items_path,
                           JsonObject *map,
                           GError    **error)
{
  const DataTypeInfo *info = lookup_data_type (data_type);
  g_autoptr(GHashTable) target_sql = NULL;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (map != NULL, NULL);

  if (info == NULL)
    return portico_store_mapping_new_from_sql (data_type, items_path, NULL, error);

  target_sql = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (map);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *target = l->data;
      JsonNode *expr = json_object_get_member (map, target);

      if (g_strcmp0 (info->data_type, "custom_fields") == 0 && g_strcmp0 (target, "fields") == 0)
        {
          JsonObject *fields;
          g_autoptr(GList) labels = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (expr))
            {
              g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                           _("The “fields” of custom_fields must be an object of label to expression. Fix the connector definition."));
              return NULL;
            }
          fields = json_node_get_object (expr);
          labels = json_object_get_members (fields);
          for (GList *m = labels; m != NULL; m = m->next)
            {
              char *sql = portico_expr_to_sql (json_object_get_member (fields, m->data), "value", error);

              if (sql == NULL)
                return NULL;
              g_hash_table_insert (target_sql, g_strconcat ("fields.", m->data, NULL), sql);
            }
          continue;
        }

      /* Targets the store does not keep are ignored, not refused: the
       * catalog validates definitions. */
      if (target_column (info, target) == NULL)
        continue;

      {
        char *sql = portico_expr_to_sql (expr, "value", error);

        if (sql == NULL)
          return NULL;
        g_hash_table_insert (target_sql, g_strdup (target), sql);
      }
    }

  return portico_store_mapping_new_from_sql (data_type, items_path, target_sql, error);
}

/* ---- Replace ---------------------------------------------------------------- */

typedef struct
{
  sqlite3_stmt *stmt;
  sqlite3_stmt *item_stmt;
} PageStmt;

static void
page_stmt_free (PageStmt *page)
{
  g_clear_pointer (&page->stmt, sqlite3_finalize);
  g_clear_pointer (&page->item_stmt, sqlite3_finalize);
  g_free (page);
}

struct _PorticoStoreReplace
{
  PorticoStore *store;
  PorticoStoreMapping *mapping;
  gint64 account_id;
  guint64 handle;
  gboolean finished;
  /* The page statement, prepared on the writer at the first page and
   * finalized there by the commit or after the last unref. Only the writer
   * thread touches page->stmt. */
  PageStmt *page;
  /* Set by the commit when drift protection held the users instead. */
  gint64 held_missing;
  gint64 held_total;
};

static gint next_handle = 1;

PorticoStoreReplace *
portico_store_replace_begin (PorticoStore        *self,
                             gint64               account_id,
                             PorticoStoreMapping *mapping)
{
  PorticoStoreReplace *replace;

  g_return_val_if_fail (PORTICO_IS_STORE (self), NULL);
  g_return_val_if_fail (mapping != NULL, NULL);

  replace = g_atomic_rc_box_new0 (PorticoStoreReplace);
  replace->store = g_object_ref (self);
  replace->mapping = portico_store_mapping_ref (mapping);
  replace->account_id = account_id;
  replace->handle = (guint64) (guint) g_atomic_int_add (&next_handle, 1);
  replace->page = g_new0 (PageStmt, 1);
  return replace;
}

PorticoStoreReplace *
portico_store_replace_ref (PorticoStoreReplace *replace)
{
  return g_atomic_rc_box_acquire (replace);
}

void
portico_store_ingest_clear_stage (sqlite3 *db,
                                  guint64  handle)
{
  for (guint i = 0; i < G_N_ELEMENTS (data_types); i++)
    {
      g_autofree char *others_sql = NULL;
      g_autofree char *sql = NULL;
      gint64 others = 1;

      /* Usually no other replace has rows staged: then the whole table is
       * emptied at once (SQLite's truncate) instead of row by row. */
      others_sql = g_strdup_printf ("SELECT EXISTS (SELECT 1 FROM temp.%s WHERE handle < ?1) "
                                    "OR EXISTS (SELECT 1 FROM temp.%s WHERE handle > ?1)",
                                    data_types[i].table, data_types[i].table);
      if (!portico_db_query_int (db, &others, NULL, others_sql, "i", (gint64) handle))
        others = 1;
      if (others)
        {
          sql = g_strdup_printf ("DELETE FROM temp.%s WHERE handle = ?", data_types[i].table);
          portico_db_exec (db, NULL, sql, "i", (gint64) handle);
        }
      else
        {
          sql = g_strdup_printf ("DELETE FROM temp.%s", data_types[i].table);
          portico_db_exec (db, NULL, sql, NULL);
        }
    }
}

typedef struct
{
  guint64 handle;     /* 0 = nothing staged to clear */
  PageStmt *page;     /* nullable, owned */
} ClearData;

static void
clear_data_free (gpointer p)
{
  ClearData *d = p;

  g_clear_pointer (&d->page, page_stmt_free);
  g_free (d);
}

static gboolean
clear_func (PorticoStore *self,
            sqlite3      *db,
            gpointer      data,
            gint64       *out_value,
            gpointer     *out_pointer,
            GError      **error)
{
  ClearData *d = data;

  /* On the writer: the page statement is finalized on its thread. */
  g_clear_pointer (&d->page, page_stmt_free);
  if (d->handle != 0)
    portico_store_ingest_clear_stage (db, d->handle);
  return TRUE;
}

static void
queue_clear (PorticoStore *store,
             guint64       handle,
             PageStmt     *page)
{
  ClearData *d = g_new0 (ClearData, 1);

  d->handle = handle;
  d->page = page;
  portico_store_run_write_async (store, clear_func, d, clear_data_free, NULL,
                                 g_task_new (store, NULL, NULL, NULL));
}

static void
replace_clear (gpointer p)
{
  PorticoStoreReplace *replace = p;

  /* Every task that used the page statement held a reference, so they all
   * ran: reading page->stmt here is safe. */
  if (!replace->finished || replace->page->stmt != NULL || replace->page->item_stmt != NULL)
    queue_clear (replace->store, replace->finished ? 0 : replace->handle,
                 g_steal_pointer (&replace->page));
  else
    g_clear_pointer (&replace->page, page_stmt_free);
  g_clear_object (&replace->store);
  g_clear_pointer (&replace->mapping, portico_store_mapping_unref);
}

void
portico_store_replace_unref (PorticoStoreReplace *replace)
{
  g_atomic_rc_box_release_full (replace, replace_clear);
}

void
portico_store_replace_abort (PorticoStoreReplace *replace)
{
  g_return_if_fail (replace != NULL);

  if (replace->finished)
    return;
  replace->finished = TRUE;
  queue_clear (replace->store, replace->handle, NULL);
}

typedef struct
{
  PorticoStoreReplace *replace;
  GBytes *body;
} PageData;

static void
page_data_free (gpointer p)
{
  PageData *d = p;

  g_clear_pointer (&d->replace, portico_store_replace_unref);
  g_clear_pointer (&d->body, g_bytes_unref);
  g_free (d);
}

/* ---- Items found by scanning the page ------------------------------------
 *
 * SQLite's json_each parses a whole page into nodes and writes each item
 * out again as text, which json_extract then parses once more. Binding
 * each item's own bytes to a statement of its own skips the first two
 * steps: bench-ingest's raw Okta pages went in about 1.7 times as fast.
 * The page is first checked to be JSON (RFC 8259: a byte scan, nothing
 * allocated), then the items are found and each object among them is
 * bound to the item statement. Whatever the scan does not accept (text
 * that is not JSON, nesting deeper than SCAN_MAX_DEPTH, the items not an
 * array at the path, a key of the path written with escapes) sends the page
 * to the json_each statement, which decides as it always did. */

#define SCAN_MAX_DEPTH 256

static guint scanned_pages;

guint
portico_store_ingest_get_scanned_pages (void)
{
  return (guint) g_atomic_int_get (&scanned_pages);
}

static gsize
skip_space (const char *s,
            gsize       i,
            gsize       n)
{
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  return i;
}

/* RFC 8259, from @*i; on success *i is past the value. */
static gboolean
valid_value (const char *s,
             gsize       n,
             gsize      *i,
             guint       depth);

static gboolean
valid_string (const char *s,
              gsize       n,
              gsize      *i)
{
  gsize k = *i + 1;

  while (k < n)
    {
      guchar c = (guchar) s[k];

      if (c == '"')
        {
          *i = k + 1;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        k++;
      else if (k + 1 < n && strchr ("\"\\/bfnrt", s[k + 1]) != NULL && s[k + 1] != '\0')
        k += 2;
      else if (k + 5 < n && s[k + 1] == 'u' && g_ascii_isxdigit (s[k + 2]) && g_ascii_isxdigit (s[k + 3]) &&
               g_ascii_isxdigit (s[k + 4]) && g_ascii_isxdigit (s[k + 5]))
        k += 6;
      else
        return FALSE;
    }
  return FALSE;
}

static gboolean
valid_digits (const char *s,
              gsize       n,
              gsize      *i)
{
  gsize start = *i;

  while (*i < n && g_ascii_isdigit (s[*i]))
    (*i)++;
  return *i > start;
}

static gboolean
valid_number (const char *s,
              gsize       n,
              gsize      *i)
{
  if (*i < n && s[*i] == '-')
    (*i)++;
  if (*i < n && s[*i] == '0')
    (*i)++;
  else if (!valid_digits (s, n, i))
    return FALSE;
  if (*i < n && s[*i] == '.')
    {
      (*i)++;
      if (!valid_digits (s, n, i))
        return FALSE;
    }
  if (*i < n && (s[*i] == 'e' || s[*i] == 'E'))
    {
      (*i)++;
      if (*i < n && (s[*i] == '+' || s[*i] == '-'))
        (*i)++;
      if (!valid_digits (s, n, i))
        return FALSE;
    }
  return TRUE;
}

static gboolean
valid_members (const char *s,
               gsize       n,
               gsize      *i,
               guint       depth,
               gboolean    object)
{
  char close = object ? '}' : ']';

  *i = skip_space (s, *i + 1, n);
  if (*i < n && s[*i] == close)
    {
      (*i)++;
      return TRUE;
    }
  while (*i < n)
    {
      if (object)
        {
          if (s[*i] != '"' || !valid_string (s, n, i))
            return FALSE;
          *i = skip_space (s, *i, n);
          if (*i >= n || s[*i] != ':')
            return FALSE;
          *i = skip_space (s, *i + 1, n);
        }
      if (!valid_value (s, n, i, depth + 1))
        return FALSE;
      *i = skip_space (s, *i, n);
      if (*i < n && s[*i] == close)
        {
          (*i)++;
          return TRUE;
        }
      if (*i >= n || s[*i] != ',')
        return FALSE;
      *i = skip_space (s, *i + 1, n);
    }
  return FALSE;
}

static gboolean
valid_value (const char *s,
             gsize       n,
             gsize      *i,
             guint       depth)
{
  if (*i >= n || depth > SCAN_MAX_DEPTH)
    return FALSE;
  switch (s[*i])
    {
    case '{':
    case '[':
      return valid_members (s, n, i, depth, s[*i] == '{');
    case '"':
      return valid_string (s, n, i);
    case 't':
    case 'f':
    case 'n':
      {
        const char *word = s[*i] == 't' ? "true" : s[*i] == 'f' ? "false" : "null";
        gsize len = strlen (word);

        if (n - *i < len || memcmp (s + *i, word, len) != 0)
          return FALSE;
        *i += len;
        return TRUE;
      }
    default:
      return valid_number (s, n, i);
    }
}

/* In text already checked by valid_value(): from the element or member
 * value at @i, past it and its comma, to the next one or the closing
 * bracket. */
static gsize
next_element (const char *s,
              gsize       n,
              gsize       i)
{
  valid_value (s, n, &i, 0);
  i = skip_space (s, i, n);
  return i < n && s[i] == ',' ? skip_space (s, i + 1, n) : i;
}

/* Where the first element of the array at @path in @s may start, or 0
 * (see above). */
static gsize
find_items (const char *s,
            gsize       n,
            char      **path)
{
  gsize i = skip_space (s, 0, n);
  gsize end = i;

  if (!valid_value (s, n, &end, 0) || skip_space (s, end, n) != n)
    return 0;

  /* From here on the text is JSON: only the path can be missing. */
  for (guint p = 0; path[p] != NULL; p++)
    {
      const char *key = path[p];
      gboolean found = FALSE;

      if (g_ascii_isdigit (key[0]) && strspn (key, "0123456789") == strlen (key))
        {
          guint64 index = g_ascii_strtoull (key, NULL, 10);

          if (s[i] != '[')
            return 0;
          i = skip_space (s, i + 1, n);
          for (guint64 k = 0; s[i] != ']' && !found; k++)
            {
              found = k == index;
              if (!found)
                i = next_element (s, n, i);
            }
        }
      else
        {
          gsize key_len = strlen (key);

          if (s[i] != '{')
            return 0;
          i = skip_space (s, i + 1, n);
          while (s[i] != '}' && !found)
            {
              gsize key_end = i;

              valid_value (s, n, &key_end, 0);
              /* A key written with escapes is left to json_each. */
              if (memchr (s + i, '\\', key_end - i) != NULL)
                return 0;
              found = key_end - i - 2 == key_len && memcmp (s + i + 1, key, key_len) == 0;
              /* Past the colon to the value: the first member of that name
               * counts, as for json_each. */
              i = skip_space (s, skip_space (s, key_end, n) + 1, n);
              if (!found)
                i = next_element (s, n, i);
            }
        }
      if (!found)
        return 0;
    }

  return s[i] == '[' ? skip_space (s, i + 1, n) : 0;
}

/* Maps each object among the items of the array whose first element
 * starts at @i, one step of @stmt each, inside a savepoint: the page is
 * staged whole or not at all. FALSE with nothing staged when an item
 * failed (not JSON SQLite takes, or an error of SQLite's own): the caller
 * maps the page with json_each instead, which reports what is wrong. */
static gboolean
add_page_items (sqlite3      *db,
                sqlite3_stmt *stmt,
                const char   *s,
                gsize         n,
                gsize         i,
                gint64       *out_items)
{
  gint64 items = 0;
  gboolean ok = TRUE;

  if (sqlite3_exec (db, "SAVEPOINT portico_page", NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;

  while (ok && s[i] != ']')
    {
      gsize next = next_element (s, n, i);

      if (s[i] == '{')
        {
          gsize end = next;

          /* The item's own bytes, without the comma and space after it. */
          while (s[end - 1] != '}')
            end--;
          ok = end - i <= G_MAXINT;
          if (ok)
            {
              sqlite3_bind_text (stmt, 1, s + i, (int) (end - i), SQLITE_STATIC);
              ok = sqlite3_step (stmt) == SQLITE_DONE;
              sqlite3_reset (stmt);
              items++;
            }
        }
      i = next;
    }
  sqlite3_bind_null (stmt, 1);

  if (!ok)
    sqlite3_exec (db, "ROLLBACK TO portico_page", NULL, NULL, NULL);
  if (sqlite3_exec (db, "RELEASE portico_page", NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;
  if (ok)
    *out_items = items;
  return ok;
}

static sqlite3_stmt *
prepare_page_stmt (sqlite3     *db,
                   const char  *sql,
                   guint64      handle,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      portico_store_set_error (db, rc, NULL, error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 2, (gint64) handle);
  return stmt;
}

static gboolean
add_page_func (PorticoStore *self,
               sqlite3      *db,
               gpointer      data,
               gint64       *out_value,
               gpointer     *out_pointer,
               GError      **error)
{
  PageData *d = data;
  PageStmt *page = d->replace->page;
  PorticoStoreMapping *mapping = d->replace->mapping;
  sqlite3_stmt *stmt;
  gsize size = 0;
  const char *body = g_bytes_get_data (d->body, &size);
  gsize items_at;
  int rc;

  if (mapping->item_sql != NULL && body != NULL &&
      (items_at = find_items (body, size, mapping->items_path)) != 0)
    {
      if (page->item_stmt == NULL &&
          (page->item_stmt = prepare_page_stmt (db, mapping->item_sql, d->replace->handle, error)) == NULL)
        return FALSE;
      if (add_page_items (db, page->item_stmt, body, size, items_at, out_value))
        {
          g_atomic_int_inc (&scanned_pages);
          return TRUE;
        }
    }

  if (page->stmt == NULL &&
      (page->stmt = prepare_page_stmt (db, mapping->sql, d->replace->handle, error)) == NULL)
    return FALSE;
  stmt = page->stmt;

  sqlite3_bind_text (stmt, 1, body != NULL ? body : "", (int) size, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      const char *msg = sqlite3_errmsg (db);

      if ((rc & 0xff) == SQLITE_ERROR && msg != NULL && strstr (msg, "JSON") != NULL)
        {
          g_debug ("Page not mapped: %s", msg);
          g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                       _("The provider sent a page that is not valid JSON. Sync again later; if it persists, the provider’s API changed."));
        }
      else
        portico_store_set_error (db, rc, NULL, error);
    }
  else
    *out_value = sqlite3_changes (db);

  sqlite3_reset (stmt);
  /* The body is not kept past this call. */
  sqlite3_bind_null (stmt, 1);
  return rc == SQLITE_DONE;
}

static gboolean
check_not_finished (PorticoStoreReplace *replace,
                    GError             **error)
{
  if (replace->finished)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("This data replacement already ended. Start a new sync."));
      return FALSE;
    }
  return TRUE;
}

static PageData *
page_data_new (PorticoStoreReplace *replace,
               GBytes              *body)
{
  PageData *d = g_new0 (PageData, 1);

  d->replace = portico_store_replace_ref (replace);
  d->body = g_bytes_ref (body);
  return d;
}

gboolean
portico_store_replace_add_page_sync (PorticoStoreReplace *replace,
                                     GBytes              *body,
                                     GError             **error)
{
  g_return_val_if_fail (replace != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);

  if (!check_not_finished (replace, error))
    return FALSE;
  return portico_store_run_write_sync (replace->store, add_page_func,
                                       page_data_new (replace, body), page_data_free,
                                       NULL, NULL, error);
}

void
portico_store_replace_add_page_async (PorticoStoreReplace *replace,
                                      GBytes              *body,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (replace != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (replace->store, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_replace_add_page_async);
  if (!check_not_finished (replace, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  portico_store_run_write_async (replace->store, add_page_func,
                                 page_data_new (replace, body), page_data_free, NULL, task);
}

gboolean
portico_store_replace_add_page_finish (PorticoStoreReplace *replace,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, replace->store), FALSE);

  g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* Runs a data type's commit statements (parameters: ?1 account, ?2 staging
 * handle, ?3 app) and counts what they stored. */
static gboolean
run_commit_sql (sqlite3             *db,
                const DataTypeInfo  *info,
                gint64               account_id,
                guint64              handle,
                gint64               app_id,
                gint64              *out_items,
                GError             **error)
{
  const char *tail = info->commit_sql;

  while (tail != NULL && *tail != '\0')
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      const char *next = NULL;
      int rc = sqlite3_prepare_v2 (db, tail, -1, &stmt, &next);
      int n_params;

      if (rc != SQLITE_OK)
        return portico_store_set_error (db, rc, NULL, error);
      tail = next;
      if (stmt == NULL)
        continue;

      n_params = sqlite3_bind_parameter_count (stmt);
      if (n_params >= 1)
        sqlite3_bind_int64 (stmt, 1, account_id);
      if (n_params >= 2)
        sqlite3_bind_int64 (stmt, 2, (gint64) handle);
      if (n_params >= 3)
        sqlite3_bind_int64 (stmt, 3, app_id);

      if (!portico_db_step_done (stmt, error))
        return FALSE;
    }

  return portico_db_query_int (db, out_items, error, info->stored_sql, "iii",
                               account_id, (gint64) handle, app_id);
}

/* Drift protection. An identity provider or HR system that suddenly lists
 * far fewer people (a permission change, a partial answer) would otherwise
 * make everyone it left out disappear from Portico at once. A users sync of
 * such an account is held when more than its drift threshold (the
 * account's own percentage, or PORTICO_STORE_HOLD_PERCENT) of the people it
 * lists as active now, and at least PORTICO_STORE_HOLD_MIN, would no longer
 * be listed as active (removed, or with a status such as "deactivated"). */
#define INACTIVE_STATUSES \
  "('deactivated', 'deprovisioned', 'suspended', 'inactive', 'disabled', 'terminated', 'deleted')"

static gboolean
check_drift (sqlite3  *db,
             gint64    account_id,
             guint64   handle,
             gint64    app_id,
             gint64   *out_missing,
             gint64   *out_total,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 guarded = 0, total, missing, percent = PORTICO_STORE_HOLD_PERCENT;
  int rc;

  *out_missing = *out_total = 0;
  if (!portico_db_query_int (db, &guarded, error,
                             "SELECT category IN ('identity_provider', 'human_resources') FROM apps WHERE id = ?",
                             "i", app_id))
    return FALSE;
  if (!guarded)
    return TRUE;

  /* One pass with a join (SQLite indexes the subquery), not a lookup of
   * every person in the staged rows. */
  stmt = portico_db_prepare (db,
                             "SELECT count (*), count (*) - count (s.id) FROM app_users au "
                             "LEFT JOIN (SELECT DISTINCT CAST (ext_id AS TEXT) AS id FROM stage_users "
                             "           WHERE handle = ?2 AND ext_id IS NOT NULL "
                             "           AND lower (coalesce (status, '')) NOT IN " INACTIVE_STATUSES ") s "
                             "  ON s.id = au.external_user_id "
                             "WHERE au.source_account_id = ?1 AND au.app_id = ?3 AND au.source_kind = 'account' "
                             "  AND lower (coalesce (au.status, '')) NOT IN " INACTIVE_STATUSES,
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) handle);
  sqlite3_bind_int64 (stmt, 3, app_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return portico_store_set_error (db, rc, NULL, error);
  total = sqlite3_column_int64 (stmt, 0);
  missing = sqlite3_column_int64 (stmt, 1);

  if (!portico_db_query_int (db, &percent, error,
                             "SELECT coalesce (drift_threshold, ?) FROM accounts WHERE id = ?",
                             "ii", (gint64) PORTICO_STORE_HOLD_PERCENT, account_id))
    return FALSE;

  if (missing >= PORTICO_STORE_HOLD_MIN && missing * 100 > total * percent)
    {
      *out_missing = missing;
      *out_total = total;
    }
  return TRUE;
}

/* Keeps the staged users apart, replacing nothing. */
static gboolean
hold_users (sqlite3  *db,
            gint64    account_id,
            guint64   handle,
            gint64    missing,
            gint64    total,
            GError  **error)
{
  g_autofree char *details = g_strdup_printf ("{\"missing\":%" G_GINT64_FORMAT ",\"total\":%" G_GINT64_FORMAT "}",
                                              missing, total);

  return portico_db_exec (db, error, "DELETE FROM held_users WHERE account_id = ?", "i", account_id) &&
         portico_db_exec (db, error,
                          "INSERT INTO held_users (account_id, ext_id, email, name, status, role, last_activity, license) "
                          "  SELECT ?1, ext_id, email, name, status, role, last_activity, license "
                          "  FROM stage_users WHERE handle = ?2",
                          "ii", account_id, (gint64) handle) &&
         portico_db_exec (db, error, "UPDATE accounts SET held_missing = ?, held_total = ? WHERE id = ?",
                          "iii", missing, total, account_id) &&
         portico_db_exec (db, error, "INSERT INTO audit_events (account_id, kind, details) VALUES (?, 'held', ?)",
                          "is", account_id, details);
}

static GError *
held_error_new (gint64 missing,
                gint64 total)
{
  return g_error_new (PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_HELD,
                      /* Translators: "Held: 1,840 of 2,100 people would disappear. ..." */
                      _("Held: %'" PRId64 " of %'" PRId64 " people would disappear. Nothing was replaced: apply the new data anyway, or keep the current data."),
                      missing, total);
}

static gboolean
commit_tx (PorticoStore *self,
           sqlite3      *db,
           gpointer      data,
           gint64       *out_value,
           gpointer     *out_pointer,
           GError      **error)
{
  PorticoStoreReplace *replace = data;
  const DataTypeInfo *info = replace->mapping->info;
  gint64 app_id = 0, items = 0;

  if (!portico_db_query_int (db, &app_id, error,
                             "SELECT app_id FROM accounts WHERE id = ? AND status <> 'disconnected'",
                             "i", replace->account_id))
    return FALSE;
  if (app_id == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("The account %" PRId64 " was disconnected meanwhile, so its data was not saved."),
                   replace->account_id);
      return FALSE;
    }

  if (info == &data_types[0])
    {
      if (!check_drift (db, replace->account_id, replace->handle, app_id,
                        &replace->held_missing, &replace->held_total, error))
        return FALSE;
      if (replace->held_total > 0)
        return hold_users (db, replace->account_id, replace->handle,
                           replace->held_missing, replace->held_total, error);
    }

  if (!run_commit_sql (db, info, replace->account_id, replace->handle, app_id, &items, error))
    return FALSE;

  *out_value = items;
  return TRUE;
}

static gboolean
commit_func (PorticoStore *self,
             sqlite3      *db,
             gpointer      data,
             gint64       *out_value,
             gpointer     *out_pointer,
             GError      **error)
{
  PorticoStoreReplace *replace = data;
  gboolean ok;

  g_clear_pointer (&replace->page->stmt, sqlite3_finalize);
  g_clear_pointer (&replace->page->item_stmt, sqlite3_finalize);
  ok = portico_store_in_transaction (self, db, commit_tx, data, out_value, out_pointer, error);
  /* Whatever happened, the staged rows are done with. */
  portico_store_ingest_clear_stage (db, replace->handle);
  return ok;
}

gint64
portico_store_replace_commit_sync (PorticoStoreReplace *replace,
                                   GError             **error)
{
  gint64 items = 0;

  g_return_val_if_fail (replace != NULL, -1);

  if (!check_not_finished (replace, error))
    return -1;
  replace->finished = TRUE;
  if (!portico_store_run_write_sync (replace->store, commit_func,
                                     portico_store_replace_ref (replace),
                                     (GDestroyNotify) portico_store_replace_unref,
                                     &items, NULL, error))
    return -1;
  if (replace->held_total > 0)
    {
      g_propagate_error (error, held_error_new (replace->held_missing, replace->held_total));
      return -1;
    }
  return items;
}

void
portico_store_replace_commit_async (PorticoStoreReplace *replace,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (replace != NULL);

  task = g_task_new (replace->store, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_replace_commit_async);
  if (!check_not_finished (replace, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  replace->finished = TRUE;
  portico_store_run_write_async (replace->store, commit_func,
                                 portico_store_replace_ref (replace),
                                 (GDestroyNotify) portico_store_replace_unref, NULL, task);
}

gint64
portico_store_replace_commit_finish (PorticoStoreReplace *replace,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 items;

  g_return_val_if_fail (g_task_is_valid (result, replace->store), -1);

  items = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  /* The task has finished, so the writer is done with these. */
  if (replace->held_total > 0)
    {
      g_propagate_error (error, held_error_new (replace->held_missing, replace->held_total));
      return -1;
    }
  return items;
}

/* ---- Held users: apply or discard ----------------------------------------- */

typedef struct
{
  gint64 account_id;
  gboolean apply;
  guint64 handle;
} HeldData;

static gboolean
resolve_held_tx (PorticoStore *self,
                 sqlite3      *db,
                 gpointer      data,
                 gint64       *out_value,
                 gpointer     *out_pointer,
                 GError      **error)
{
  HeldData *d = data;
  gint64 app_id = 0, held = 0, items = 0;
  g_autofree char *details = NULL;

  if (!portico_db_query_int (db, &app_id, error,
                             "SELECT app_id FROM accounts WHERE id = ? AND status <> 'disconnected'",
                             "i", d->account_id))
    return FALSE;
  if (app_id == 0)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_NOT_FOUND,
                   _("There is no connected account %" PRId64 ". Run “portico-cli accounts” to see the account ids."),
                   d->account_id);
      return FALSE;
    }
  if (!portico_db_query_int (db, &held, error,
                             "SELECT held_total IS NOT NULL FROM accounts WHERE id = ?", "i", d->account_id))
    return FALSE;
  if (!held)
    {
      g_set_error (error, PORTICO_STORE_ERROR, PORTICO_STORE_ERROR_INVALID,
                   _("Account %" PRId64 " has no held sync: its data is up to date as far as Portico knows."),
                   d->account_id);
      return FALSE;
    }

  if (d->apply)
    {
      d->handle = (guint64) g_atomic_int_add (&next_handle, 1);
      if (!portico_db_exec (db, error,
                            "INSERT INTO stage_users (handle, ext_id, email, name, status, role, last_activity, license) "
                            "  SELECT ?2, ext_id, email, name, status, role, last_activity, license "
                            "  FROM held_users WHERE account_id = ?1",
                            "ii", d->account_id, (gint64) d->handle) ||
          !run_commit_sql (db, &data_types[0], d->account_id, d->handle, app_id, &items, error) ||
          !portico_db_exec (db, error,
                            "UPDATE account_data_types SET last_status = 'ok', last_error_code = NULL, "
                            "  last_error = NULL, last_items = ?2, last_success_at = " PORTICO_SQL_NOW " "
                            "WHERE account_id = ?1 AND data_type = 'users'",
                            "ii", d->account_id, items))
        return FALSE;
      details = g_strdup_printf ("{\"items\":%" G_GINT64_FORMAT "}", items);
    }
  else if (!portico_db_exec (db, error,
                             /* The current data stays, as of its last success. */
                             "UPDATE account_data_types SET last_status = 'ok', last_error_code = NULL, "
                             "  last_error = NULL WHERE account_id = ? AND data_type = 'users' "
                             "  AND last_error_code = 'held'",
                             "i", d->account_id))
    return FALSE;

  if (!portico_db_exec (db, error, "DELETE FROM held_users WHERE account_id = ?", "i", d->account_id) ||
      !portico_db_exec (db, error,
                        "UPDATE accounts SET held_missing = NULL, held_total = NULL, "
                        "  status = CASE WHEN EXISTS (SELECT 1 FROM account_data_types t "
                        "    WHERE t.account_id = ?1 AND t.enabled AND t.last_status = 'failed') "
                        "    THEN status ELSE 'ok' END "
                        "WHERE id = ?1",
                        "i", d->account_id) ||
      !portico_db_exec (db, error, "INSERT INTO audit_events (account_id, kind, details) VALUES (?, ?, ?)",
                        "iss", d->account_id, d->apply ? "held_applied" : "held_discarded",
                        details != NULL ? details : "{}"))
    return FALSE;

  *out_value = items;
  return TRUE;
}

static gboolean
resolve_held_func (PorticoStore *self,
                   sqlite3      *db,
                   gpointer      data,
                   gint64       *out_value,
                   gpointer     *out_pointer,
                   GError      **error)
{
  HeldData *d = data;
  gboolean ok = portico_store_in_transaction (self, db, resolve_held_tx, data, out_value, out_pointer, error);

  if (d->handle != 0)
    portico_store_ingest_clear_stage (db, d->handle);
  return ok;
}

static HeldData *
held_data_new (gint64   account_id,
               gboolean apply)
{
  HeldData *d = g_new0 (HeldData, 1);

  d->account_id = account_id;
  d->apply = apply;
  return d;
}

gint64
portico_store_resolve_held_sync (PorticoStore *self,
                                 gint64        account_id,
                                 gboolean      apply,
                                 GError      **error)
{
  gint64 items = 0;

  g_return_val_if_fail (PORTICO_IS_STORE (self), -1);

  if (!portico_store_run_write_sync (self, resolve_held_func, held_data_new (account_id, apply),
                                     g_free, &items, NULL, error))
    return -1;
  return items;
}

void
portico_store_resolve_held_async (PorticoStore       *self,
                                  gint64              account_id,
                                  gboolean            apply,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (PORTICO_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, portico_store_resolve_held_async);
  portico_store_run_write_async (self, resolve_held_func, held_data_new (account_id, apply),
                                 g_free, NULL, task);
}

gint64
portico_store_resolve_held_finish (PorticoStore *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 items;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  items = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  return items;
}
