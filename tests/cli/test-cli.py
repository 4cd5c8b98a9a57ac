#!/usr/bin/env python3
# test-cli.py: portico-cli's stable contract (SPEC 9), as a TAP test.
#
# Runs the real binary against real SQLite files in a temporary folder; the
# database is created by portico-cli itself and filled with plain SQL.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI = sys.argv[1] if len(sys.argv) > 1 else os.environ["PORTICO_CLI"]
HINT = "Run 'portico-cli --help' for usage."

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def run(*args, env=None):
    full_env = dict(os.environ)
    # The keyring is out of reach on purpose: a forget must still finish
    # and leave the keyring deletion pending.
    full_env.pop("DISPLAY", None)
    full_env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/portico-test-bus"
    if env:
        full_env.update(env)
    p = subprocess.run([CLI, *args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env=full_env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def run_json(*args):
    code, out, err = run(*args)
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, None, err


def one_sentence(err):
    lines = [l for l in err.strip().splitlines() if l]
    return len(lines) >= 1 and lines[0].startswith("portico-cli: ") and lines[0].endswith(".")


def usage_error(name, *args):
    code, out, err = run(*args)
    check(f"{name}: exit 2", code == 2, f"exit {code}, stderr {err!r}")
    check(f"{name}: one sentence and the hint on stderr",
          one_sentence(err) and HINT in err and out == "", repr(err))


def keys_ok(obj, keys):
    return isinstance(obj, dict) and all(k in obj for k in keys)


tmp = tempfile.TemporaryDirectory(prefix="portico-cli-")
db = os.path.join(tmp.name, "portico.db")
home_env = {"XDG_DATA_HOME": os.path.join(tmp.name, "data")}

# ---- Usage and help.
code, out, err = run("--help")
check("--help exits 0 with usage on stdout", code == 0 and "Usage:" in out and "disconnect" in out and err == "")
usage_error("no command")
usage_error("unknown command", "--db", db, "frobnicate")
usage_error("unknown global option", "--frob", "accounts")
usage_error("unknown command option", "--db", db, "accounts", "--frob")
usage_error("extra argument", "--db", db, "apps", "extra")
usage_error("rename without ACCOUNT", "--db", db, "rename")
usage_error("rename without NEW_NAME", "--db", db, "rename", "1")
usage_error("rename with a non-numeric ACCOUNT", "--db", db, "rename", "abc", "Name")
usage_error("disconnect without ACCOUNT", "--db", db, "disconnect", "--preview")
usage_error("disconnect without --preview or --yes", "--db", db, "disconnect", "1")
usage_error("disconnect with both --preview and --yes", "--db", db, "disconnect", "1", "--preview", "--yes")
usage_error("--set without =", "--db", db, "connect", "slack", "--set", "workspace")
usage_error("--set without a value", "--db", db, "test", "slack", "--set")
usage_error("bad --permission", "--db", db, "connect", "slack", "--permission", "admin")
usage_error("test without CONNECTOR", "--db", db, "test")
usage_error("sync without ACCOUNT", "--db", db, "sync")
usage_error("sync with ACCOUNT and --all", "--db", db, "sync", "1", "--all")
usage_error("reconnect with --name", "--db", db, "reconnect", "1", "--name", "x")
usage_error("--db without a file", "accounts", "--db")

code, out, err = run("--db", db, "connect", "slack", "--set", "api_base_url=http://127.0.0.1:1",
                     "--name", "Acme", "--permission", "read", "--accept-partial", "--json")
check("connect with valid arguments but no secret parses, then fails naming the field (exit 1)",
      code == 1 and err.startswith("portico-cli: ") and "OAuth token" in err and out == "", err)
code, out, err = run("--db", db, "sync", "--all", "--json")
check("sync --all --json with no accounts: exit 0 and []",
      code == 0 and out.strip() == "[]", f"{code} {out!r} {err!r}")

# ---- connectors.
code, connectors, err = run_json("connectors", "--json")
check("connectors --json exits 0 with a non-empty array",
      code == 0 and isinstance(connectors, list) and len(connectors) > 0, err)
connector_keys = ["id", "name", "category", "multi_account", "fields", "permissions", "data_types", "actions"]
field_keys = ["id", "label", "type", "required", "secret"]
check("connectors --json has the SPEC keys",
      all(keys_ok(c, connector_keys) and all(keys_ok(f, field_keys) for f in c["fields"])
          for c in (connectors or [])))
check("every connector accepts api_base_url",
      all(any(f["id"] == "api_base_url" for f in c["fields"]) for c in (connectors or [])))
# Issue 11: scripts fill forms from the listing, so every field says its
# help, pattern and choices, and every connector its documentation link
# (https) and a users data type.
check("connectors --json: at least 60 connectors", len(connectors or []) >= 60, len(connectors or []))
check("connectors --json: every connector has users and an https docs_url",
      all(c.get("docs_url", "") and c["docs_url"].startswith("https://")
          and any((d if isinstance(d, str) else d.get("id")) == "users" for d in c["data_types"])
          for c in (connectors or [])),
      [c["id"] for c in (connectors or []) if not c.get("docs_url")])
check("connectors --json: every field has help, pattern and choices",
      all(keys_ok(f, ["help", "pattern", "choices"]) for c in (connectors or []) for f in c["fields"]))
check("connectors --json: every declared field explains itself, choice fields list their choices",
      all(f["help"] for c in (connectors or []) for f in c["fields"] if f["id"] != "api_base_url")
      and all(f["choices"] and all(keys_ok(ch, ["id", "label"]) for ch in f["choices"])
              for c in (connectors or []) for f in c["fields"] if f["type"] == "choice"))
okta = [c for c in (connectors or []) if c["id"] == "okta"]
check("connectors --json: a field's pattern is the definition's",
      okta and any(f["pattern"] for f in okta[0]["fields"]), okta[:1])
code, out, err = run("connectors")
check("connectors prints a table", code == 0 and out.splitlines()[0].split()[:2] == ["ID", "NAME"], out[:200])

# ---- An empty database: created by the CLI.
code, accounts, err = run_json("--db", db, "accounts", "--json")
check("accounts --json on a new database is []", code == 0 and accounts == [], err)
check("the database was created with the current schema", os.path.exists(db))

con = sqlite3.connect(db)
con.executescript("""
PRAGMA foreign_keys = ON;
INSERT INTO apps (id, name, connector_id, category) VALUES
  (1, 'Okta', 'okta', 'identity_provider'),
  (2, 'Slack', 'slack', 'communication'),
  (3, 'Zoom', NULL, 'other');
INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status, last_sync_at) VALUES
  (1, 'okta', 1, 'Acme Okta', 'acme.okta.com', 'read', 'ok', '2024-05-01T10:00:00Z'),
  (2, 'slack', 2, 'Acme', 'T1', 'act', 'partial', '2024-05-01T11:00:00Z');
INSERT INTO account_data_types (account_id, data_type, enabled, disabled_reason, last_status, last_items) VALUES
  (1, 'users', 1, NULL, 'ok', 2),
  (2, 'users', 1, NULL, 'ok', 2),
  (2, 'usage', 0, 'Usage needs the Business plan.', NULL, NULL);
INSERT INTO app_sources (app_id, kind, source_account_id, user_count) VALUES
  (1, 'account', 1, NULL), (2, 'account', 2, NULL), (2, 'idp', 1, 30), (3, 'idp', 1, 7);
INSERT INTO people (id, email, name) VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', 'Bob');
INSERT INTO app_users (app_id, person_id, external_user_id, source_account_id, license_sku) VALUES
  (1, 1, 'O1', 1, NULL), (1, 2, 'O2', 1, NULL), (2, 1, 'S1', 2, 'pro'), (2, 2, 'S2', 2, 'pro');
INSERT INTO licenses (app_id, sku, total, assigned, source_account_id) VALUES (2, 'pro', 10, 2, 2);
INSERT INTO custom_user_field_sets (app_id, person_id, fields, field_count, source_account_id)
  VALUES (2, 1, '{"Title": "CEO"}', 1, 2);
INSERT INTO workflows (id, name, trigger_account_id) VALUES (1, 'Welcome to Slack', 2), (2, 'Offboard', 1);
INSERT INTO workflow_actions (workflow_id, account_id, action_id) VALUES (2, 2, 'remove_user');
INSERT INTO offboarding_configs (account_id, settings) VALUES (2, '{}');
""")
con.commit()
con.close()

# ---- Listings.
code, accounts, err = run_json("--db", db, "accounts", "--json")
account_keys = ["id", "name", "connector", "external_id", "permission", "status", "last_sync_at", "data_types"]
check("accounts --json has the SPEC keys",
      code == 0 and len(accounts) == 2 and all(keys_ok(a, account_keys) for a in accounts)
      and all(keys_ok(d, ["id", "enabled", "status", "items", "error"])
              for a in accounts for d in a["data_types"]), accounts)
slack = [a for a in accounts or [] if a["id"] == 2]
check("accounts --json reports a disabled data type with its reason",
      slack and slack[0]["data_types"][1]["enabled"] is False
      and slack[0]["data_types"][1]["error"] == "Usage needs the Business plan.", slack)

code, apps, err = run_json("--db", db, "apps", "--json")
check("apps --json has the SPEC keys",
      code == 0 and len(apps) == 3 and all(keys_ok(a, ["id", "name", "user_count", "sources", "connected"]) for a in apps),
      apps)
by_name = {a["name"]: a for a in apps or []}
check("apps --json counts distinct people and knows what is connected",
      by_name.get("Slack", {}).get("user_count") == 2 and by_name.get("Slack", {}).get("connected") is True
      and by_name.get("Zoom", {}).get("connected") is False, by_name)

code, users, err = run_json("--db", db, "users", "--json")
check("users --json has the SPEC keys and apps",
      code == 0 and len(users) == 2 and all(keys_ok(u, ["email", "name", "apps"]) for u in users)
      and users[0]["apps"] == ["Okta", "Slack"], users)

code, licenses, err = run_json("--db", db, "licenses", "--json")
check("licenses --json has the SPEC keys",
      code == 0 and len(licenses) == 1 and keys_ok(licenses[0], ["app", "sku", "total", "assigned"])
      and licenses[0]["total"] == 10 and licenses[0]["inactive"] == 2, licenses)

code, workflows, err = run_json("--db", db, "workflows", "--json")
check("workflows --json has the SPEC keys",
      code == 0 and len(workflows) == 2 and all(keys_ok(w, ["id", "name", "valid", "invalid_reason"]) for w in workflows)
      and all(w["valid"] is True for w in workflows), workflows)

code, audit, err = run_json("--db", db, "audit", "--json")
check("audit --json is an array", code == 0 and audit == [], audit)

# ---- attention: the engine's status model, same as Needs attention.
code, attention, err = run_json("--db", db, "attention", "--json")
check("attention --json is an array of {account, problem, message, fix}",
      code == 0 and isinstance(attention, list)
      and all(keys_ok(r, ["account", "problem", "message", "fix"]) for r in attention), (attention, err))
partial = [r for r in attention or [] if r["account"] == 2 and r["problem"] == "missing_permissions"]
check("a partial account (a data type turned off) is listed with missing_permissions and its fix",
      len(partial) == 1 and "Usage needs the Business plan." in partial[0]["message"]
      and partial[0]["fix"].startswith("Reconnect") and partial[0]["fix_action"] == "reconnect", attention)
check("every attention problem is one of the SPEC 9 codes",
      all(r["problem"] in ("rejected_credentials", "sign_in_expired", "missing_permissions", "sync_failed",
                           "stale", "keyring", "paused") for r in attention or []), attention)
code, out, err = run("--db", db, "attention")
check("attention prints a table naming the problem", code == 0 and "missing_permissions" in out, out)

# ---- attention judges staleness with the app's sync interval (GSettings
# sync-interval-hours, read through a keyfile backend the CLI process shares
# with this test), not a fixed 24 hours.
stale_db = os.path.join(tmp.name, "stale.db")
run_json("--db", stale_db, "accounts", "--json")
five_hours_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5 * 3600))
con = sqlite3.connect(stale_db)
con.executescript(f"""
INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Okta', 'okta', 'identity_provider');
INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status, last_sync_at, created_at) VALUES
  (1, 'okta', 1, 'Acme Okta', 'acme.okta.com', 'read', 'ok', '{five_hours_ago}', '{five_hours_ago}');
INSERT INTO account_data_types (account_id, data_type, enabled, last_status, last_items, last_success_at) VALUES
  (1, 'users', 1, 'ok', 2, '{five_hours_ago}');
""")
con.commit()
con.close()


def stale_problems(hours):
    env = {"GSETTINGS_BACKEND": "keyfile", "XDG_CONFIG_HOME": os.path.join(tmp.name, f"config-{hours}")}
    if hours is not None:
        settings_dir = os.path.join(env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
        os.makedirs(settings_dir, exist_ok=True)
        with open(os.path.join(settings_dir, "keyfile"), "w") as keyfile:
            keyfile.write(f"[io/github/portico/Portico]\nsync-interval-hours=uint32 {hours}\n")
    code, out, err = run("--db", stale_db, "attention", "--json", env=env)
    try:
        return [r for r in json.loads(out) if r["problem"] == "stale"]
    except ValueError:
        return None


check("attention: a sync 5 hours ago is not stale with the default 24-hour interval",
      stale_problems(None) == [], stale_problems(None))
check("attention: not stale with a 3-hour interval (5 h < 2 x 3 h)", stale_problems(3) == [], stale_problems(3))
stale = stale_problems(2)
check("attention: stale with the app's 2-hour interval (5 h > 2 x 2 h)",
      stale is not None and len(stale) == 1 and stale[0]["account"] == 1 and "5 hours" in stale[0]["message"],
      stale)

# ---- recommended: a discovered app with a connector and no account.
con = sqlite3.connect(db)
con.executescript("""
INSERT INTO apps (id, name, connector_id, category) VALUES (4, 'Figma', NULL, 'other'), (5, 'GitHub', NULL, 'other');
INSERT INTO app_sources (app_id, kind, source_account_id, user_count) VALUES (4, 'idp', 1, 12), (5, 'idp', 1, 40);
""")
con.commit()
con.close()
code, recommended, err = run_json("--db", db, "recommended", "--json")
check("recommended --json has the SPEC keys",
      code == 0 and isinstance(recommended, list) and recommended
      and all(keys_ok(r, ["connector", "app", "users", "discovered_by"]) for r in recommended), (recommended, err))
check("recommended lists discovered apps by users, with who discovered them and why",
      [r["app"] for r in recommended or []][:2] == ["GitHub", "Figma"]
      and recommended[0]["users"] == 40 and recommended[0]["connector"] == "github"
      and recommended[0]["discovered_by"] == ["Okta (Acme Okta)"]
      and "40 people" in recommended[0]["reason"], recommended)
check("recommended leaves out connected apps, and matches a discovered app to its connector by name",
      not any(r["app"] in ("Slack", "Okta") for r in recommended or [])
      and [r["connector"] for r in recommended or [] if r["app"] == "Zoom"] == ["zoom"], recommended)
con = sqlite3.connect(db)
con.executescript("DELETE FROM app_sources WHERE app_id IN (4, 5); DELETE FROM apps WHERE id IN (4, 5);")
con.commit()
con.close()

for command in ["accounts", "apps", "users", "licenses", "workflows", "audit", "attention", "recommended"]:
    code, out, err = run("--db", db, command)
    check(f"{command} prints an aligned table", code == 0 and out.splitlines() and out.splitlines()[0].isupper()
          or (code == 0 and out.splitlines()[0] == out.splitlines()[0].upper()), out[:200])

# ---- rename.
code, out, err = run("--db", db, "rename", "2", "")
check("rename to an empty name exits 1 with one sentence", code == 1 and one_sentence(err) and HINT not in err, err)
code, out, err = run("--db", db, "rename", "2", "   ")
check("rename to a blank name exits 1", code == 1, err)
code, out, err = run("--db", db, "rename", "99", "Ghost")
check("rename of a missing account exits 1", code == 1 and "99" in err, err)
code, out, err = run("--db", db, "rename", "2", "Acme HQ")
check("rename exits 0", code == 0, err)
code, accounts, err = run_json("--db", db, "accounts", "--json")
check("rename is visible in accounts", [a["name"] for a in accounts] == ["Acme Okta", "Acme HQ"], accounts)
code, audit, err = run_json("--db", db, "audit", "--json")
check("rename is in the audit log", audit and audit[0]["kind"] == "renamed" and audit[0]["account"] == 2, audit)
check("audit --json entries keep machine fields and carry a summary sentence",
      audit and audit[0]["details"] == {"old_name": "Acme", "new_name": "Acme HQ"}
      and audit[0]["summary"] == "Renamed Acme to Acme HQ", audit)
code, out, err = run("--db", db, "rename", "2", "Acme HQ")
code2, audit_after, err = run_json("--db", db, "audit", "--json")
check("renaming to the same name succeeds and records nothing",
      code == 0 and audit_after is not None and len(audit_after) == len(audit), audit_after)
code, out, err = run("--db", db, "audit")
check("audit prints the sentence", code == 0 and "Renamed Acme to Acme HQ" in out, out)

# ---- disconnect.
code, preview, err = run_json("--db", db, "disconnect", "2", "--preview", "--json")
preview_keys = ["app_users", "licenses", "custom_fields", "transactions", "workflows_invalidated",
                "workflow_actions_failing", "offboarding_configs", "other_apps_affected"]
check("disconnect --preview --json has the SPEC keys", code == 0 and keys_ok(preview, preview_keys), preview)
check("disconnect --preview counts what the account supplied",
      preview and preview["app_users"] == 2 and preview["licenses"] == 1 and preview["custom_fields"] == 1
      and preview["workflows_invalidated"] == ["Welcome to Slack"] and preview["workflow_actions_failing"] == 1
      and preview["offboarding_configs"] == 1, preview)
code, accounts, err = run_json("--db", db, "accounts", "--json")
check("disconnect --preview changes nothing", len(accounts) == 2, accounts)
code, out, err = run("--db", db, "disconnect", "2", "--preview")
check("disconnect --preview prints the workflows by name", code == 0 and "Welcome to Slack" in out, out)

code, applied, err = run_json("--db", db, "disconnect", "2", "--yes", "--json")
check("disconnect --yes exits 0 and did what the preview said", code == 0 and applied == preview, (applied, err))
code, accounts, err = run_json("--db", db, "accounts", "--json")
check("the disconnected account is gone from accounts", [a["id"] for a in accounts] == [1], accounts)
code, workflows, err = run_json("--db", db, "workflows", "--json")
check("its workflow is invalid with a reason",
      any(w["name"] == "Welcome to Slack" and w["valid"] is False and w["invalid_reason"] for w in workflows), workflows)
code, licenses, err = run_json("--db", db, "licenses", "--json")
check("its app left the Licenses view", licenses == [], licenses)
code, users, err = run_json("--db", db, "users", "--json")
check("what Okta says about the same people is kept",
      [u["apps"] for u in users] == [["Okta"], ["Okta"]], users)
con = sqlite3.connect(db)
pending = con.execute("SELECT keyring_delete_pending FROM accounts WHERE id = 2").fetchone()[0]
snapshots = con.execute("SELECT count (*) FROM restore_snapshots WHERE account_id = 2").fetchone()[0]
con.close()
check("the disconnect keeps a restore snapshot and the keyring item", pending == 0 and snapshots == 1,
      (pending, snapshots))
code, out, err = run("--db", db, "forget", "2")
check("forget exits 0 without a keyring", code == 0, err)
con = sqlite3.connect(db)
pending = con.execute("SELECT keyring_delete_pending FROM accounts WHERE id = 2").fetchone()[0]
snapshots = con.execute("SELECT count (*) FROM restore_snapshots WHERE account_id = 2").fetchone()[0]
con.close()
check("without a keyring the deletion stays pending", pending == 1 and snapshots == 0, (pending, snapshots))
code, out, err = run("--db", db, "restore", "2")
check("restore after forget exits 1 with one sentence", code == 1 and one_sentence(err), err)
code, out, err = run("--db", db, "disconnect", "2", "--yes")
check("disconnecting again exits 1", code == 1 and one_sentence(err), err)

# ---- Refused databases.
bad = os.path.join(tmp.name, "bad.db")
with open(bad, "wb") as f:
    f.write(os.urandom(4096))
before = open(bad, "rb").read()
code, out, err = run("--db", bad, "accounts")
check("a corrupt database exits 1 with one sentence", code == 1 and one_sentence(err), err)
check("a corrupt database is not modified", open(bad, "rb").read() == before)

code, out, err = run("--demo", "accounts", "--json", env=home_env)
check("--demo uses the demo database",
      code == 0 and os.path.exists(os.path.join(home_env["XDG_DATA_HOME"], "portico", "portico-demo.db")), err)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        for line in str(detail).splitlines()[:20]:
            print(f"# {line}")
sys.exit(0)
