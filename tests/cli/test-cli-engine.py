#!/usr/bin/env python3
# test-cli-engine.py: portico-cli test/connect/sync/reconnect against the
# real portico-sandbox, as a TAP test (SPEC 9 shapes, exit codes).
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

tmp = tempfile.TemporaryDirectory(prefix="portico-cli-engine-")
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


def test_doc_ok(doc):
    return (keys_ok(doc, ["outcome", "identity", "data_types"])
            and keys_ok(doc["identity"], ["id", "name"])
            and isinstance(doc["data_types"], list) and len(doc["data_types"]) > 0
            and all(keys_ok(t, ["id", "ok", "error"]) for t in doc["data_types"]))


accounts_to_clean = []
try:
    okta = connectors["okta"]

    # ---- test: A (secret in the environment), A (secret on stdin), B, C.
    code, doc, out, err = run("test", "okta", *field_args("okta"), "--json", env=secret_env("okta", "ok"))
    check("test okta (ok secret in the environment): exit 0, outcome A",
          code == 0 and doc is not None and doc.get("outcome") == "A", f"{code} {out} {err}")
    check("test --json has the SPEC 9 keys", test_doc_ok(doc), out)
    check("test names the sandbox's identity",
          doc is not None and doc["identity"]["id"] and doc["identity"]["name"], out)
    check("test: every data type ok with no error",
          doc is not None and all(t["ok"] and t["error"] is None for t in doc["data_types"]), out)

    secret_field = okta["secret_fields"][0]
    code, doc, out, err = run("test", "okta", *field_args("okta"), "--json",
                              stdin=f"{secret_field}={okta['secrets']['ok']}\n")
    check("test okta (secret as KEY=VALUE on stdin): outcome A",
          code == 0 and doc is not None and doc.get("outcome") == "A", f"{code} {out} {err}")

    code, doc, out, err = run("test", "okta", *field_args("okta"), "--json", env=secret_env("okta", "plan"))
    failing = sorted(t["id"] for t in (doc or {}).get("data_types", []) if not t["ok"])
    check("test okta (plan secret): exit 0, outcome B",
          code == 0 and doc is not None and doc.get("outcome") == "B", f"{code} {out} {err}")
    check("test okta (plan secret): exactly the plan data types fail, each with an error",
          failing == sorted(okta["plan_failures"])
          and all(t["error"] for t in doc["data_types"] if not t["ok"]), f"{failing} {okta['plan_failures']}")

    code, doc, out, err = run("test", "okta", *field_args("okta"), "--json", env=secret_env("okta", "bad"))
    check("test okta (bad secret): exit 1, outcome C",
          code == 1 and doc is not None and doc.get("outcome") == "C", f"{code} {out} {err}")

    code, doc, out, err = run("test", "okta", *field_args("okta"), "--set", f"{secret_field}=sandbox-ok", "--json")
    check("a secret given with --set: exit 2 with one sentence",
          code == 2 and one_sentence(err) and out == "", f"{code} {err!r}")
    check("the refusal does not echo the secret", "sandbox-ok" not in err, err)

    # ---- connect.
    code, doc, out, err = run("connect", "okta", *field_args("okta"), "--json", env=secret_env("okta", "ok"))
    check("connect okta: exit 0", code == 0, f"{code} {out} {err}")
    check("connect --json has outcome, account {id,name,connector,external_id} and replaced_account null",
          keys_ok(doc, ["outcome", "account", "replaced_account"])
          and keys_ok(doc["account"], ["id", "name", "connector", "external_id"])
          and doc["replaced_account"] is None and doc["account"]["connector"] == "okta"
          and doc["outcome"] == "A", out)
    okta_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    okta_name = doc["account"]["name"] if keys_ok(doc, ["account"]) else None
    if okta_id:
        accounts_to_clean.append(okta_id)

    code, doc, out, err = run("connect", "okta", *field_args("okta"), "--json", env=secret_env("okta", "ok"))
    check("connecting the same identity again: exit 1 with a sentence naming the account",
          code == 1 and one_sentence(err) and (str(okta_id) in err or (okta_name or "\0") in err),
          f"{code} {err!r}")

    # ---- sync ACCOUNT.
    code, doc, out, err = run("sync", str(okta_id), "--json")
    check("sync ACCOUNT --json: exit 0, status ok", code == 0 and doc is not None and doc.get("status") == "ok",
          f"{code} {out} {err}")
    check("sync --json has account, status, data_types[{id,status,items,error}]",
          keys_ok(doc, ["account", "status", "data_types"]) and doc["account"] == okta_id
          and all(keys_ok(t, ["id", "status", "items", "error"]) for t in doc["data_types"]), out)
    users = [t for t in (doc or {}).get("data_types", []) if t["id"] == "users"]
    check("sync reports the users it stored", users and users[0]["items"] > 0 and users[0]["error"] is None, out)
    code, accounts, out, err = run("accounts", "--json")
    check("the synced account shows status ok",
          isinstance(accounts, list) and any(a["id"] == okta_id and a["status"] == "ok" for a in accounts), out)

    # ---- sync --all.
    code, doc, out, err = run("connect", "slack", *field_args("slack"), "--json", env=secret_env("slack", "ok"))
    check("connect slack: exit 0", code == 0, f"{code} {out} {err}")
    slack_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if slack_id:
        accounts_to_clean.append(slack_id)
    code, doc, out, err = run("sync", "--all", "--json")
    check("sync --all --json: exit 0 with an array of one document per account",
          code == 0 and isinstance(doc, list) and sorted(d["account"] for d in doc) == sorted([okta_id, slack_id])
          and all(keys_ok(d, ["account", "status", "data_types"]) for d in doc), f"{code} {out} {err}")
    code, users_doc, out, err = run("users", "--json")
    check("users seen by both Okta and Slack are one person with both apps",
          isinstance(users_doc, list)
          and any({"Okta", "Slack"} <= set(u["apps"]) for u in users_doc), out[:500])

    # ---- reconnect: same identity keeps the account.
    code, doc, out, err = run("reconnect", str(okta_id), "--json", env=secret_env("okta", "ok"))
    check("reconnect with the same identity: exit 0, same account, replaced_account null",
          code == 0 and keys_ok(doc, ["account", "replaced_account"]) and doc["account"]["id"] == okta_id
          and doc["replaced_account"] is None, f"{code} {out} {err}")

    # Another identity on a single-account connector replaces the account.
    code, doc, out, err = run("connect", "gusto", *field_args("gusto"), "--json", env=secret_env("gusto", "ok"))
    gusto_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    check("connect gusto: exit 0", code == 0 and gusto_id, f"{code} {out} {err}")
    if gusto_id:
        accounts_to_clean.append(gusto_id)
    code, doc, out, err = run("reconnect", str(gusto_id), "--json", env=secret_env("gusto", "ok", "-globex"))
    new_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if new_id:
        accounts_to_clean.append(new_id)
    check("reconnect gusto as another tenant: a new account, replaced_account is the old one",
          code == 0 and new_id not in (None, gusto_id) and doc["replaced_account"] == gusto_id,
          f"{code} {out} {err}")
    code, accounts, out, err = run("accounts", "--json")
    check("the replaced account is gone from accounts",
          isinstance(accounts, list) and gusto_id not in [a["id"] for a in accounts]
          and new_id in [a["id"] for a in accounts], out)

    # Another identity on a multi-account connector adds an account.
    code, doc, out, err = run("reconnect", str(slack_id), "--json", env=secret_env("slack", "ok", "-globex"))
    other = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if other:
        accounts_to_clean.append(other)
    check("reconnect slack as another workspace: a new account, nothing replaced",
          code == 0 and other not in (None, slack_id) and doc["replaced_account"] is None, f"{code} {out} {err}")

    # The secret never reached the database.
    with open(db, "rb") as f:
        data = f.read()
    wal = db + "-wal"
    if os.path.exists(wal):
        with open(wal, "rb") as f:
            data += f.read()
    check("no secret in the database file",
          all(connectors[c]["secrets"]["ok"].encode() not in data for c in ("okta", "slack", "gusto"))
          and (connectors["gusto"]["secrets"]["ok"] + "-globex").encode() not in data, "")
finally:
    # Leave no keyring items behind for the next test process.
    for account in accounts_to_clean:
        run("disconnect", str(account), "--yes")
    sandbox.kill()
    sandbox.wait()

sys.exit(finish())
