/* portico-store-schema.c: the schema and its ordered migrations.
 *
 * Migration N brings a database from user_version N-1 to N. Migration 1 is
 * the first, smaller schema Portico shipped; never edit a migration that was
 * released, add the next one.
 *
 * Foreign keys and ON DELETE: every fact an integration supplied references
 * its account with ON DELETE RESTRICT. Accounts are never deleted by the
 * database; a disconnect deletes the account's facts explicitly, by
 * source_account_id, in one transaction (portico-store-disconnect.c), and
 * keeps the account row as "disconnected". So a cascade can never happen by
 * accident. Rows that only describe an app or a person (app users, licenses,
 * ...) cascade with their app or person, which Portico does not delete
 * either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-store"

#include "config.h"

#include "portico-store-private.h"

#define NOW "(" PORTICO_SQL_NOW ")"

static const char migration_1[] =
  "PRAGMA application_id = 1349481076;\n"
  "CREATE TABLE apps (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
  "  connector_id TEXT,\n"
  "  category TEXT NOT NULL DEFAULT 'other',\n"
  "  created_at TEXT NOT NULL DEFAULT " NOW "\n"
  ");\n"
  "CREATE INDEX apps_connector ON apps (connector_id);\n"
  "CREATE TABLE accounts (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  connector_id TEXT NOT NULL,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE RESTRICT,\n"
  "  name TEXT NOT NULL CHECK (trim (name) <> ''),\n"
  "  external_id TEXT,\n"
  "  external_name TEXT,\n"
  "  permission TEXT NOT NULL DEFAULT 'read' CHECK (permission IN ('read', 'act')),\n"
  "  fields TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (fields)),\n"
  "  status TEXT NOT NULL DEFAULT 'new',\n"
  "  created_at TEXT NOT NULL DEFAULT " NOW ",\n"
  "  last_sync_at TEXT\n"
  ");\n"
  "CREATE INDEX accounts_app ON accounts (app_id);\n"
  "CREATE INDEX accounts_connector ON accounts (connector_id, external_id);\n"
  /* Per-data-type state is configuration of the account, not a fact. */
  "CREATE TABLE account_data_types (\n"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,\n"
  "  data_type TEXT NOT NULL,\n"
  "  enabled INTEGER NOT NULL DEFAULT 1,\n"
  "  disabled_reason TEXT,\n"
  "  last_status TEXT,\n"
  "  last_error_code TEXT,\n"
  "  last_error TEXT,\n"
  "  last_items INTEGER,\n"
  "  last_success_at TEXT,\n"
  "  PRIMARY KEY (account_id, data_type)\n"
  ");\n"
  "CREATE TABLE people (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
  "  name TEXT\n"
  ");\n"
  "CREATE TABLE app_users (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,\n"
  "  external_user_id TEXT,\n"
  "  status TEXT,\n"
  "  role TEXT,\n"
  "  last_activity TEXT,\n"
  "  license_sku TEXT,\n"
  "  source_account_id INTEGER REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX app_users_source ON app_users (source_account_id);\n"
  "CREATE INDEX app_users_app ON app_users (app_id);\n"
  "CREATE INDEX app_users_person ON app_users (person_id);\n";

static const char migration_2[] =
  "ALTER TABLE accounts ADD COLUMN keyring_state TEXT NOT NULL DEFAULT 'unknown';\n"
  "ALTER TABLE accounts ADD COLUMN keyring_delete_pending INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE accounts ADD COLUMN disconnected_at TEXT;\n"
  /* Version 1 only knew facts from accounts. */
  "ALTER TABLE app_users ADD COLUMN source_kind TEXT NOT NULL DEFAULT 'account';\n"
  "CREATE TABLE app_sources (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  kind TEXT NOT NULL CHECK (kind IN ('account', 'idp', 'browser_extension', 'manual')),\n"
  "  source_account_id INTEGER REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  discovered_at TEXT NOT NULL DEFAULT " NOW ",\n"
  "  user_count INTEGER,\n"
  "  spend REAL,\n"
  "  UNIQUE (app_id, kind, source_account_id)\n"
  ");\n"
  "CREATE INDEX app_sources_source ON app_sources (source_account_id);\n"
  "INSERT INTO app_sources (app_id, kind, source_account_id, discovered_at)\n"
  "  SELECT app_id, 'account', id, created_at FROM accounts;\n"
  "CREATE TABLE licenses (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  sku TEXT NOT NULL,\n"
  "  name TEXT,\n"
  "  total INTEGER,\n"
  "  assigned INTEGER,\n"
  "  source_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX licenses_source ON licenses (source_account_id);\n"
  "CREATE INDEX licenses_app ON licenses (app_id);\n"
  "CREATE TABLE custom_user_fields (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,\n"
  "  external_user_id TEXT,\n"
  "  label TEXT NOT NULL,\n"
  "  value TEXT,\n"
  "  source_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX custom_user_fields_source ON custom_user_fields (source_account_id);\n"
  "CREATE INDEX custom_user_fields_person ON custom_user_fields (person_id);\n"
  "CREATE INDEX custom_user_fields_app ON custom_user_fields (app_id);\n"
  "CREATE TABLE transactions (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  external_id TEXT,\n"
  "  amount REAL,\n"
  "  currency TEXT,\n"
  "  vendor TEXT,\n"
  "  app_id INTEGER REFERENCES apps (id) ON DELETE SET NULL,\n"
  "  date TEXT,\n"
  "  person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,\n"
  "  description TEXT,\n"
  "  source_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX transactions_source ON transactions (source_account_id);\n"
  "CREATE INDEX transactions_app ON transactions (app_id);\n"
  "CREATE INDEX transactions_person ON transactions (person_id);\n"
  "CREATE TABLE groups (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  external_id TEXT,\n"
  "  name TEXT,\n"
  "  members INTEGER,\n"
  "  source_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "CREATE INDEX groups_source ON groups (source_account_id);\n"
  "CREATE TABLE workflows (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  name TEXT NOT NULL,\n"
  "  trigger_account_id INTEGER REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  trigger_description TEXT,\n"
  "  valid INTEGER NOT NULL DEFAULT 1,\n"
  "  invalid_reason TEXT,\n"
  "  created_at TEXT NOT NULL DEFAULT " NOW "\n"
  ");\n"
  "CREATE INDEX workflows_trigger ON workflows (trigger_account_id);\n"
  "CREATE TABLE workflow_actions (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,\n"
  "  account_id INTEGER REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  action_id TEXT NOT NULL,\n"
  "  label TEXT,\n"
  "  failing INTEGER NOT NULL DEFAULT 0,\n"
  "  failing_reason TEXT\n"
  ");\n"
  "CREATE INDEX workflow_actions_workflow ON workflow_actions (workflow_id);\n"
  "CREATE INDEX workflow_actions_account ON workflow_actions (account_id);\n"
  "CREATE TABLE offboarding_configs (\n"
  "  account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (settings))\n"
  ");\n"
  "CREATE TABLE sync_runs (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,\n"
  "  started_at TEXT NOT NULL DEFAULT " NOW ",\n"
  "  ended_at TEXT,\n"
  "  status TEXT NOT NULL DEFAULT 'running'\n"
  ");\n"
  "CREATE INDEX sync_runs_account ON sync_runs (account_id);\n"
  "CREATE TABLE sync_run_data_types (\n"
  "  run_id INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,\n"
  "  data_type TEXT NOT NULL,\n"
  "  status TEXT NOT NULL,\n"
  "  items INTEGER NOT NULL DEFAULT 0,\n"
  "  error_code TEXT,\n"
  "  error_message TEXT,\n"
  "  started_at TEXT,\n"
  "  ended_at TEXT,\n"
  "  PRIMARY KEY (run_id, data_type)\n"
  ");\n"
  "CREATE TABLE audit_events (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  time TEXT NOT NULL DEFAULT " NOW ",\n"
  "  account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,\n"
  "  kind TEXT NOT NULL,\n"
  "  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (details))\n"
  ");\n"
  "CREATE INDEX audit_events_time ON audit_events (time);\n"
  "CREATE INDEX audit_events_account ON audit_events (account_id);\n";

/* Keyring items of one database must never answer for another database's
 * account with the same id (a second --db, a test run), so each database
 * gets a random scope that its keyring items carry. */
static const char migration_3[] =
  "CREATE TABLE meta (\n"
  "  key TEXT PRIMARY KEY,\n"
  "  value TEXT NOT NULL\n"
  ");\n"
  "INSERT INTO meta (key, value) VALUES ('keyring_scope', lower (hex (randomblob (16))));\n";

/* What an account supplied, per app: the disconnect preview asks "which
 * other apps lose something" with one probe per app, and a replace deletes
 * by (account, app). The pairs replace the single-column source indexes,
 * which they cover as a prefix, so writes maintain no more indexes. */
static const char migration_4[] =
  "DROP INDEX app_users_source;\n"
  "CREATE INDEX app_users_source_app ON app_users (source_account_id, app_id);\n"
  "DROP INDEX licenses_source;\n"
  "CREATE INDEX licenses_source_app ON licenses (source_account_id, app_id);\n"
  "DROP INDEX custom_user_fields_source;\n"
  "CREATE INDEX custom_user_fields_source_app ON custom_user_fields (source_account_id, app_id);\n"
  "DROP INDEX app_sources_source;\n"
  "CREATE INDEX app_sources_source_app ON app_sources (source_account_id, app_id);\n";

/* The Licenses view counts assigned and inactive seats per (app, SKU): an
 * index that holds all three keeps that a range count, not a scan of every
 * user of the app (seconds with 100k users). It also serves app_id alone. */
static const char migration_5[] =
  "DROP INDEX app_users_app;\n"
  "CREATE INDEX app_users_app_license ON app_users (app_id, license_sku, last_activity);\n";

/* Where an account's credentials may go: the origins it was connected
 * with, as a JSON array of "scheme://host:port" (NULL for accounts
 * connected before this version: they adopt their current ones). */
static const char migration_6[] =
  "ALTER TABLE accounts ADD COLUMN origins TEXT CHECK (origins IS NULL OR json_valid (origins));\n";

/* The id an identity provider gives an app it discovered, so that its
 * assignments (read per app id) land on the right app. */
static const char migration_7[] =
  "ALTER TABLE app_sources ADD COLUMN external_id TEXT;\n";

/* How many people an identity provider assigned to an app it discovered
 * (its app assignments), kept apart from the number its discovered-apps
 * list reports: each data type replaces only its own column, so a sync
 * stopped between the two never leaves an app with neither number. */
static const char migration_8[] =
  "ALTER TABLE app_sources ADD COLUMN assigned_count INTEGER;\n"
  "UPDATE app_sources SET assigned_count = user_count, user_count = NULL "
  "  WHERE external_id IS NOT NULL AND EXISTS (SELECT 1 FROM app_users au "
  "    WHERE au.source_account_id = app_sources.source_account_id "
  "    AND au.app_id = app_sources.app_id AND au.source_kind = 'idp');\n";

/* What an account's guard rails remember, none of it secret:
 * credential_fingerprint: a digest prefix of the stored credential
 *   (portico_credentials_fingerprint ()), so that admins can tell keys apart;
 * paused_cause, paused_message: why scheduled syncs stopped after repeated
 *   failures with one cause (NULL: not paused);
 * streak_after_run: failures count only in runs after this one (set when
 *   the account is resumed or reconnected). */
static const char migration_9[] =
  "ALTER TABLE accounts ADD COLUMN credential_fingerprint TEXT;\n"
  "ALTER TABLE accounts ADD COLUMN paused_cause TEXT;\n"
  "ALTER TABLE accounts ADD COLUMN paused_message TEXT;\n"
  "ALTER TABLE accounts ADD COLUMN streak_after_run INTEGER NOT NULL DEFAULT 0;\n";

/* Drift protection: the users an identity provider or HR system sent in a
 * sync that would have removed too many people, kept apart (nothing was
 * replaced) until an admin applies or discards them; and how many people
 * would disappear of how many. Facts of the account like any other: a
 * disconnect deletes them. */
static const char migration_10[] =
  "CREATE TABLE held_users (\n"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  ext_id, email, name, status, role, last_activity, license\n"
  ");\n"
  "CREATE INDEX held_users_account ON held_users (account_id);\n"
  "ALTER TABLE accounts ADD COLUMN held_missing INTEGER;\n"
  "ALTER TABLE accounts ADD COLUMN held_total INTEGER;\n";

/* Undo after a disconnect (SPEC 5): the cascade moves what it deletes or
 * changes into a restore snapshot in the same transaction, so that a restore
 * puts every row back exactly, ids and timestamps included, until the
 * snapshot expires (30 days) or the admin forgets the credentials.
 * restore_snapshots: one per disconnected account that can come back, with
 *   the account's state before the disconnect;
 * restore_<table>: copies of the rows the cascade deleted, column for column
 *   (CREATE TABLE ... AS SELECT keeps the order, so a copy is "SELECT *").
 *   A migration that adds a column to a fact table adds it to its copy too;
 *   a snapshot of a table that differs from its copy fails loudly;
 * restore_app_sources, _workflows, _workflow_actions: the columns the
 *   cascade overwrote. No foreign keys: nothing here is a fact of Portico
 *   until it is restored. */
static const char migration_11[] =
  "CREATE TABLE restore_snapshots (\n"
  "  account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE RESTRICT,\n"
  "  disconnected_at TEXT NOT NULL,\n"
  "  expires_at TEXT NOT NULL,\n"
  "  account_status TEXT NOT NULL,\n"
  "  account_disconnected_at TEXT,\n"
  "  account_keyring_delete_pending INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE TABLE restore_app_users AS SELECT * FROM app_users WHERE 0;\n"
  "CREATE INDEX restore_app_users_source ON restore_app_users (source_account_id);\n"
  "CREATE TABLE restore_held_users AS SELECT rowid AS held_rowid, * FROM held_users WHERE 0;\n"
  "CREATE INDEX restore_held_users_account ON restore_held_users (account_id);\n"
  "CREATE TABLE restore_licenses AS SELECT * FROM licenses WHERE 0;\n"
  "CREATE INDEX restore_licenses_source ON restore_licenses (source_account_id);\n"
  "CREATE TABLE restore_custom_user_fields AS SELECT * FROM custom_user_fields WHERE 0;\n"
  "CREATE INDEX restore_custom_user_fields_source ON restore_custom_user_fields (source_account_id);\n"
  "CREATE TABLE restore_transactions AS SELECT * FROM transactions WHERE 0;\n"
  "CREATE INDEX restore_transactions_source ON restore_transactions (source_account_id);\n"
  "CREATE TABLE restore_groups AS SELECT * FROM groups WHERE 0;\n"
  "CREATE INDEX restore_groups_source ON restore_groups (source_account_id);\n"
  "CREATE TABLE restore_offboarding_configs AS SELECT * FROM offboarding_configs WHERE 0;\n"
  "CREATE TABLE restore_app_sources (id INTEGER, account_id INTEGER, user_count, assigned_count, spend);\n"
  "CREATE INDEX restore_app_sources_account ON restore_app_sources (account_id);\n"
  "CREATE TABLE restore_workflows (id INTEGER, account_id INTEGER, valid, invalid_reason);\n"
  "CREATE INDEX restore_workflows_account ON restore_workflows (account_id);\n"
  "CREATE TABLE restore_workflow_actions (id INTEGER, account_id INTEGER, failing, failing_reason);\n"
  "CREATE INDEX restore_workflow_actions_account ON restore_workflow_actions (account_id);\n";

/* Drift protection per account: the percentage of the people listed as
 * active that may disappear in one users sync before it is held (NULL: the
 * default, PORTICO_STORE_HOLD_PERCENT). */
static const char migration_12[] =
  "ALTER TABLE accounts ADD COLUMN drift_threshold INTEGER "
  "  CHECK (drift_threshold IS NULL OR drift_threshold BETWEEN 1 AND 100);\n";

/* Custom fields: one row per user (the item the provider sent), its
 * labels and values in one JSON object of label to text, instead of one
 * row per label. A user's details are read together, and a sync of
 * 100,000 users with seven details each wrote 700,000 rows into a table
 * with three indexes besides its own b-tree: most of the sync's time
 * (bench/README.md). field_count is how many details the row holds, so
 * counts need not unpack the objects. The view custom_user_fields keeps
 * the old one row per label for reading (id is the user row's). The
 * restore copy changes with it: its rows are grouped the same way. */
static const char migration_13[] =
  "CREATE TABLE custom_user_field_sets (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  app_id INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,\n"
  "  person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,\n"
  "  external_user_id TEXT,\n"
  "  fields TEXT NOT NULL,\n"
  "  field_count INTEGER NOT NULL,\n"
  "  source_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT\n"
  ");\n"
  "INSERT INTO custom_user_field_sets (id, app_id, person_id, external_user_id, fields, field_count, source_account_id) "
  "  SELECT min (id), app_id, person_id, external_user_id, json_group_object (label, value), count (*), "
  "    source_account_id "
  "  FROM (SELECT * FROM custom_user_fields ORDER BY id) "
  "  GROUP BY source_account_id, app_id, person_id, external_user_id ORDER BY min (id);\n"
  "DROP TABLE custom_user_fields;\n"
  "CREATE INDEX custom_user_field_sets_source_app ON custom_user_field_sets (source_account_id, app_id);\n"
  "CREATE INDEX custom_user_field_sets_person ON custom_user_field_sets (person_id);\n"
  "CREATE INDEX custom_user_field_sets_app ON custom_user_field_sets (app_id);\n"
  "CREATE VIEW custom_user_fields AS "
  "  SELECT s.id AS id, s.app_id AS app_id, s.person_id AS person_id, s.external_user_id AS external_user_id, "
  "    f.key AS label, f.value AS value, s.source_account_id AS source_account_id "
  "  FROM custom_user_field_sets s, json_each (s.fields) f;\n"
  "CREATE TABLE restore_custom_user_field_sets AS SELECT * FROM custom_user_field_sets WHERE 0;\n"
  "INSERT INTO restore_custom_user_field_sets "
  "  SELECT min (id), app_id, person_id, external_user_id, json_group_object (label, value), count (*), "
  "    source_account_id "
  "  FROM (SELECT * FROM restore_custom_user_fields ORDER BY id) "
  "  GROUP BY source_account_id, app_id, person_id, external_user_id ORDER BY min (id);\n"
  "DROP TABLE restore_custom_user_fields;\n"
  "CREATE INDEX restore_custom_user_field_sets_source ON restore_custom_user_field_sets (source_account_id);\n";

static const char * const migrations[] = {
  NULL,
  migration_1,
  migration_2,
  migration_3,
  migration_4,
  migration_5,
  migration_6,
  migration_7,
  migration_8,
  migration_9,
  migration_10,
  migration_11,
  migration_12,
  migration_13,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PORTICO_STORE_SCHEMA_VERSION + 1);

gboolean
portico_store_schema_migrate (sqlite3 *db,
                              int      from_version,
                              int      to_version,
                              GError **error)
{
  g_assert (from_version >= 0);
  g_assert (to_version <= PORTICO_STORE_SCHEMA_VERSION);

  for (int v = from_version + 1; v <= to_version; v++)
    {
      g_autofree char *set_version = NULL;
      int rc;

      g_debug ("Migrating the database to version %d", v);
      rc = sqlite3_exec (db, migrations[v], NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        return portico_store_set_error (db, rc, NULL, error);

      set_version = g_strdup_printf ("PRAGMA user_version = %d", v);
      rc = sqlite3_exec (db, set_version, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        return portico_store_set_error (db, rc, NULL, error);
    }

  return TRUE;
}

/* Pages are mapped into these per-connection tables while they arrive, and
 * moved into the real tables in one transaction at commit; see
 * portico-store-ingest.c. */
static const char staging_sql[] =
  "CREATE TEMP TABLE IF NOT EXISTS stage_users (handle INTEGER, ext_id, email, name, status, role, last_activity, license);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_licenses (handle INTEGER, sku, name, total, assigned);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_usage (handle INTEGER, user_id, email, last_activity);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_custom_fields (handle INTEGER, user_id, email, label, value);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_transactions (handle INTEGER, ext_id, amount, currency, vendor, date, user_email, description);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_groups (handle INTEGER, ext_id, name, members);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_discovered_apps (handle INTEGER, name, ext_id, users, spend);\n"
  "CREATE TEMP TABLE IF NOT EXISTS stage_app_assignments (handle INTEGER, app_id, user_id, email, principal_type);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_users_handle ON stage_users (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_licenses_handle ON stage_licenses (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_usage_handle ON stage_usage (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_custom_fields_handle ON stage_custom_fields (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_transactions_handle ON stage_transactions (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_groups_handle ON stage_groups (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_discovered_apps_handle ON stage_discovered_apps (handle);\n"
  "CREATE INDEX IF NOT EXISTS temp.stage_app_assignments_handle ON stage_app_assignments (handle);\n";

gboolean
portico_store_schema_create_staging (sqlite3 *db,
                                     GError **error)
{
  int rc = sqlite3_exec (db, staging_sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return portico_store_set_error (db, rc, NULL, error);
  return TRUE;
}
