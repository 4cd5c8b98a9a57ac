#!/usr/bin/env python3
# test-cli-restore.py: portico-cli restore and forget against the real
# portico-sandbox, as a TAP test: disconnect then restore gives the database
# back row for row; forget deletes the keyring item and ends the restore;
# refusals exit 1 (or 2 for usage) with one sentence.
#
# Needs the keyring (connect stores secrets there): without
# PORTICO_TEST_KEYRING=1 (set by build-aux/keyring-run) every check is skipped.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

CLI = sys.argv[1]
SANDBOX = sys.argv[2]

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def finish(skip_reason=None):
    print(f"1..{len(results) if skip_reason is None else 1}")
    if skip_reason is not None:
        print(f"ok 1 # SKIP {skip_reason}")
        return 0
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
        if not ok:
            failed += 1
            for line in str(detail).splitlines() or [""]:
                print(f"# {line}")
    return 1 if failed else 0


if os.environ.get("PORTICO_TEST_KEYRING") != "1":
    sys.exit(finish("needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)"))

tmp = tempfile.TemporaryDirectory(prefix="portico-cli-restore-")
db = os.path.join(tmp.name, "portico.db")
base_env = dict(os.environ)
base_env["XDG_DATA_HOME"] = os.path.join(tmp.name, "data")
for key in list(base_env):
    if key.startswith("PORTICO_FIELD_"):
        del base_env[key]

# ---- The sandbox: one JSON document on stdout, then it serves.
sandbox = subprocess.Popen([SANDBOX, "--json", "--size", "40", "--seed", "5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=base_env)
text = ""
info = None
while info is None:
    line = sandbox.stdout.readline()
    if line == "":
        break
    text += line
    try:
        info = json.loads(text)
    except ValueError:
        pass
if info is None:
    sandbox.kill()
    print("1..1")
    print("not ok 1 portico-sandbox --json printed its document")
    print(f"# {sandbox.stderr.read()!r}")
    sys.exit(1)
connectors = {c["id"]: c for c in info["connectors"]}


def field_args(cid):
    c = connectors[cid]
    args = []
    for k, v in c["fields"].items():
        args += ["--set", f"{k}={v}"]
    return args + ["--set", "api_base_url=" + c["api_base_url"]]


def secret_env(cid, kind, suffix=""):
    c = connectors[cid]
    return {"PORTICO_FIELD_" + f.upper(): c["secrets"][kind] + suffix for f in c["secret_fields"]}


def run(*args, env=None, stdin=None):
    full_env = dict(base_env)
    if env:
        full_env.update(env)
    p = subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True, env=full_env,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, timeout=90)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    return p.returncode, doc, p.stdout, p.stderr


def one_sentence(err):
    lines = [l for l in err.strip().splitlines() if l]
    return len(lines) >= 1 and lines[0].startswith("portico-cli: ") and lines[0].rstrip().endswith(".")


def keys_ok(obj, keys):
    return isinstance(obj, dict) and all(k in obj for k in keys)




def dump(path):
    """Every table but the audit trail, SELECT * ORDER BY rowid."""
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        out = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite_%' AND name <> 'audit_events' ORDER BY name"):
            out[name] = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
        return out
    finally:
        conn.close()


def sql(path, query, *params):
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


import gi  # noqa: E402

gi.require_version("Secret", "1")
from gi.repository import Secret  # noqa: E402

SCHEMA = Secret.Schema.new("io.github.portico.Portico", Secret.SchemaFlags.NONE, {
    "account": Secret.SchemaAttributeType.STRING,
    "connector": Secret.SchemaAttributeType.STRING,
    "profile": Secret.SchemaAttributeType.STRING,
    "scope": Secret.SchemaAttributeType.STRING,
})


def has_secret(account_id):
    """The account's keyring item, looked up as Portico stores it."""
    scope = sql(db, "SELECT value FROM meta WHERE key = 'keyring_scope'")[0][0]
    return Secret.password_lookup_sync(SCHEMA, {"account": str(account_id), "scope": scope}, None) is not None


accounts_to_clean = []
try:
    ids = {}
    for cid in ("okta", "slack"):
        code, doc, out, err = run("connect", cid, *field_args(cid), "--json", env=secret_env(cid, "ok"))
        check(f"connect {cid}: exit 0", code == 0 and keys_ok(doc, ["account"]), f"{code} {out} {err}")
        ids[cid] = doc["account"]["id"] if keys_ok(doc, ["account"]) else 0
        accounts_to_clean.append(ids[cid])
        code, doc, out, err = run("sync", str(ids[cid]), "--json")
        check(f"sync {cid}: exit 0", code == 0, f"{code} {out} {err}")
    okta_id, slack_id = ids["okta"], ids["slack"]

    # ---- disconnect, then restore: the same database, row for row.
    before = dump(db)
    code, doc, out, err = run("disconnect", str(okta_id), "--yes")
    check("disconnect okta: exit 0, it says until when and how to restore",
          code == 0 and f"portico-cli restore {okta_id}" in out and f"portico-cli forget {okta_id}" in out,
          f"{code} {out} {err}")
    check("after disconnect the keyring item is still there", has_secret(okta_id), "")
    check("after disconnect okta supplies nothing",
          sql(db, "SELECT count(*) FROM app_users WHERE source_account_id = ?", okta_id) == [(0,)], "")
    code, doc, out, err = run("restore", str(okta_id))
    check("restore okta: exit 0 with a sentence", code == 0 and out.startswith("Restored:"), f"{code} {out} {err}")
    after = dump(db)
    differing = [t for t in sorted(set(before) | set(after)) if before.get(t) != after.get(t)]
    check("disconnect then restore gives every table back row for row", not differing, f"{differing}")
    kinds = [k for (k,) in sql(db, "SELECT kind FROM audit_events WHERE account_id = ? ORDER BY id DESC LIMIT 2", okta_id)]
    check("the audit trail records disconnected and restored", kinds == ["restored", "disconnected"], f"{kinds}")
    code, doc, out, err = run("accounts", "--json")
    check("okta is listed as connected again",
          code == 0 and any(a["id"] == okta_id for a in doc or []), f"{code} {out} {err}")
    code, doc, out, err = run("sync", str(okta_id), "--json")
    check("the restored account syncs with its kept credentials", code == 0 and (doc or {}).get("status") == "ok",
          f"{code} {out} {err}")

    # ---- refusals.
    code, doc, out, err = run("restore", str(slack_id))
    check("restore of a connected account: exit 1 with one sentence", code == 1 and one_sentence(err) and out == "",
          f"{code} {out} {err!r}")
    code, doc, out, err = run("restore")
    check("restore without ACCOUNT: exit 2 with one sentence", code == 2 and one_sentence(err), f"{code} {err!r}")
    code, doc, out, err = run("forget", "abc")
    check("forget abc: exit 2 with one sentence", code == 2 and one_sentence(err), f"{code} {err!r}")
    code, doc, out, err = run("forget", str(slack_id))
    check("forget of a connected account: exit 1 with one sentence, its item kept",
          code == 1 and one_sentence(err) and has_secret(slack_id), f"{code} {err!r}")

    # ---- forget: the item goes, restore is refused.
    code, doc, out, err = run("disconnect", str(slack_id), "--yes")
    check("disconnect slack: exit 0", code == 0, f"{code} {out} {err}")
    code, doc, out, err = run("forget", str(slack_id))
    check("forget slack: exit 0 with a sentence", code == 0 and out.startswith("Forgotten:"), f"{code} {out} {err}")
    check("after forget the keyring item is gone", not has_secret(slack_id), "")
    code, doc, out, err = run("restore", str(slack_id))
    check("restore after forget: exit 1 with one sentence", code == 1 and one_sentence(err), f"{code} {err!r}")

    # ---- expiry: the restore period ended; the next command deletes the item.
    code, doc, out, err = run("disconnect", str(okta_id), "--yes")
    check("disconnect okta again: exit 0", code == 0 and has_secret(okta_id), f"{code} {out} {err}")
    import sqlite3
    conn = sqlite3.connect(db)
    conn.execute("UPDATE restore_snapshots SET expires_at = '2020-01-01T00:00:00Z'")
    conn.commit()
    conn.close()
    code, doc, out, err = run("accounts", "--json")
    check("after the restore period the next command deletes the keyring item",
          code == 0 and not has_secret(okta_id)
          and sql(db, "SELECT keyring_delete_pending FROM accounts WHERE id = ?", okta_id) == [(0,)], f"{code} {err}")
    code, doc, out, err = run("restore", str(okta_id))
    check("restore after expiry: exit 1 with one sentence", code == 1 and one_sentence(err), f"{code} {err!r}")
finally:
    for account in accounts_to_clean:
        run("disconnect", str(account), "--yes")
        run("forget", str(account))
    sandbox.kill()
    sandbox.wait()

sys.exit(finish())
