#!/usr/bin/env python3
# test-cli-profile.py: exports without secrets (issue 15), against the real
# portico-sandbox and the real keyring, as a TAP test:
# - `test --report FILE`: the redacted report holds what was asked and
#   answered per data type, and none of the secret values or emails;
# - `profile export FILE` / `profile import FILE`: no secret, no synced data;
#   into a fresh database the same accounts come back waiting for their
#   credentials (Needs attention), a reconnect makes one sync again, a second
#   import duplicates nothing, and a broken or refused file imports nothing.
#
# Needs the keyring: without PORTICO_TEST_KEYRING=1 (set by
# build-aux/keyring-run) every check is skipped.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import copy
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
SANDBOX = sys.argv[2]
SOURCE_ROOT = sys.argv[3]

results = []
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


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

tmp = tempfile.TemporaryDirectory(prefix="portico-cli-profile-")
base_env = dict(os.environ)
base_env.pop("DISPLAY", None)
for key in list(base_env):
    if key.startswith("PORTICO_FIELD_"):
        del base_env[key]

sandbox = subprocess.Popen([SANDBOX, "--json", "--size", "30", "--seed", "7"],
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
    sys.exit(1)
connectors = {c["id"]: c for c in info["connectors"]}


class Machine:
    """One database and one data folder: a machine of its own."""

    def __init__(self, name):
        self.db = os.path.join(tmp.name, name, "portico.db")
        self.env = dict(base_env)
        self.env["XDG_DATA_HOME"] = os.path.join(tmp.name, name, "data")
        # Settings that outlive one process, each machine its own.
        self.env["XDG_CONFIG_HOME"] = os.path.join(tmp.name, name, "config")
        self.env["GSETTINGS_BACKEND"] = "keyfile"
        self.accounts = []

    def run(self, *args, env=None):
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        p = subprocess.run([CLI, "--db", self.db, *args], capture_output=True, text=True,
                           env=full_env, stdin=subprocess.DEVNULL, timeout=90)
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            doc = None
        return p.returncode, doc, p.stdout, p.stderr

    def count(self, sql):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()


def field_args(cid):
    c = connectors[cid]
    args = []
    for k, v in c["fields"].items():
        args += ["--set", f"{k}={v}"]
    return args + ["--set", "api_base_url=" + c["api_base_url"]]


# Known secret values, each distinct (what follows the sandbox's marker names
# a tenant of its own), so that finding one anywhere is a leak.
SECRETS = {
    "okta": "sandbox-ok-ztokta",
    "slack": "xoxa-sandbox-ok-ztslack",
    "zendesk": "sandbox-ok-ztzendesk",
}


def secret_env(cid):
    return {"PORTICO_FIELD_" + f.upper(): SECRETS[cid] for f in connectors[cid]["secret_fields"]}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def one_sentence(err):
    lines = [l for l in err.strip().splitlines() if l]
    return len(lines) == 1 and lines[0].startswith("portico-cli: ") and lines[0].rstrip().endswith(".")


old = Machine("old")
new = Machine("new")
try:
    # ---- A custom connector (a shipped one under another id) goes along.
    definition = json.loads(read(os.path.join(SOURCE_ROOT, "connectors", "okta.json")))
    definition["id"] = "acme-okta"
    definition["name"] = "Acme Okta"
    custom_path = os.path.join(tmp.name, "acme-okta.json")
    with open(custom_path, "w", encoding="utf-8") as f:
        json.dump(definition, f, indent=2)
    code, _, out, err = old.run("connectors", "import", custom_path, "--yes")
    check("setup: the custom connector imports", code == 0, f"{code} {out} {err}")

    # ---- Two accounts with known secrets, synced.
    for cid in ("okta", "slack"):
        code, doc, out, err = old.run("connect", cid, *field_args(cid), "--name", f"{cid} of Acme",
                                      "--accept-partial", "--json", env=secret_env(cid))
        ok = code == 0 and doc is not None and "account" in doc
        check(f"setup: connect {cid}", ok, f"{code} {out} {err}")
        if ok:
            old.accounts.append(doc["account"]["id"])
            code, doc, out, err = old.run("sync", str(doc["account"]["id"]), "--json")
            check(f"setup: sync {cid}", code == 0, f"{code} {out} {err}")
    code, doc, out, err = old.run("users", "--json")
    people = [u["email"] for u in (doc or []) if u.get("email")]
    check("setup: the synced accounts brought people with emails", code == 0 and len(people) >= 10,
          f"{code} {len(people)} {err}")

    # ---- The test report.
    for cid in ("okta", "zendesk"):
        report_path = os.path.join(tmp.name, f"report-{cid}.json")
        code, doc, out, err = old.run("test", cid, *field_args(cid), "--json", "--report", report_path,
                                      env=secret_env(cid))
        check(f"test {cid} --report: exit 0 with the report written", code == 0 and os.path.exists(report_path),
              f"{code} {out} {err}")
        if not os.path.exists(report_path):
            continue
        report_text = read(report_path)
        report = json.loads(report_text)
        check(f"report {cid}: the report is private to its owner (0600)",
              (os.stat(report_path).st_mode & 0o777) == 0o600, oct(os.stat(report_path).st_mode))
        check(f"report {cid}: connector, permission, version, time and outcome",
              report.get("format") == "portico-test-report"
              and report["connector"]["id"] == cid and len(report["connector"]["definition_sha256"]) == 64
              and report.get("permission") == "read" and report.get("app_version")
              and report.get("created_at") and report.get("outcome") == doc["outcome"],
              json.dumps(report)[:800])
        by_type = {t["id"]: t for t in report["data_types"]}
        wanted = {t["id"]: t for t in doc["data_types"]}
        check(f"report {cid}: every data type, with its request, HTTP status and items",
              set(by_type) == set(wanted)
              and all(t["request"] is not None and t["request"]["method"] in ("GET", "POST")
                      and t["request"]["url"].startswith(connectors[cid]["api_base_url"])
                      for t in by_type.values())
              and all((t["ok"] and t["request"]["http_status"] == 200
                       and t["items_on_first_page"] == wanted[i]["items"])
                      or (not t["ok"] and t["message"] and t["error_code"]
                          and t["request"]["http_status"] >= 400)
                      for i, t in by_type.items()),
              json.dumps(report["data_types"])[:1500])
        # Zendesk reads its identity from the subdomain: no request.
        identity_request = report["connection"]["request"]
        check(f"report {cid}: the identity request is there, the display name only as its shape",
              report["connection"]["ok"]
              and (identity_request["http_status"] == 200 if cid == "okta" else identity_request is None)
              and report["connection"]["identity"]["display_name"] is not None
              and all(re.fullmatch(r"…@\S+|[Xx9\W_]*", report["connection"]["identity"][k])
                      for k in ("display_name", "external_id")),
              json.dumps(report["connection"]))
        leaks = [s for s in SECRETS.values() if s in report_text] + ["Bearer", "SSWS", "Authorization"]
        leaks = [s for s in leaks if s in report_text]
        check(f"report {cid}: no secret value, no credential header", leaks == [], leaks)
        check(f"report {cid}: no email address and no value of a field that could be personal",
              not EMAIL.search(report_text) and not any(p in report_text for p in people)
              and "admin@acme.example" not in report_text,
              EMAIL.search(report_text).group(0) if EMAIL.search(report_text) else "")
    # A failing test's report says what the provider answered.
    report_path = os.path.join(tmp.name, "report-bad.json")
    code, doc, out, err = old.run("test", "okta", *field_args("okta"), "--report", report_path,
                                  env={"PORTICO_FIELD_API_TOKEN": "sandbox-bad-ztleak"})
    report = json.loads(read(report_path)) if os.path.exists(report_path) else {}
    check("test with a rejected key --report: exit 1, report with outcome C, HTTP 401 and the sentence",
          code == 1 and report.get("outcome") == "C"
          and report["connection"]["request"]["http_status"] == 401
          and "rejected" in (report["connection"]["message"] or "")
          and "sandbox-bad-ztleak" not in read(report_path),
          f"{code} {json.dumps(report)[:1000]}")

    # ---- The Okta account keeps its own drift threshold.
    code, _, out, err = old.run("set", str(old.accounts[0]), "--drift-threshold", "35")
    check("setup: okta's drift threshold set to 35 %", code == 0, f"{code} {out} {err}")

    # ---- Profile export.
    profile_path = os.path.join(tmp.name, "profile.json")
    code, _, out, err = old.run("profile", "export", profile_path)
    check("profile export: exit 0 and a private file", code == 0 and os.path.exists(profile_path)
          and (os.stat(profile_path).st_mode & 0o777) == 0o600, f"{code} {out} {err}")
    profile_text = read(profile_path)
    profile = json.loads(profile_text)
    check("profile: both accounts with connector, name, permission and non-secret fields",
          sorted((a["connector"], a["name"], a["permission"]) for a in profile["accounts"])
          == [("okta", "okta of Acme", "read"), ("slack", "slack of Acme", "read")]
          and all(a["fields"].get("api_base_url") == connectors[a["connector"]]["api_base_url"]
                  for a in profile["accounts"]),
          json.dumps(profile["accounts"])[:1500])
    check("profile: each account's drift threshold (null for the default)",
          sorted((a["connector"], a["drift_threshold"]) for a in profile["accounts"])
          == [("okta", 35), ("slack", None)], json.dumps(profile["accounts"])[:1500])
    check("profile: the custom connector's definition goes along",
          [c["id"] for c in profile["custom_connectors"]] == ["acme-okta"]
          and json.loads(profile["custom_connectors"][0]["definition"])["name"] == "Acme Okta",
          json.dumps(profile["custom_connectors"])[:300])
    check("profile: no secret value",
          not any(s in profile_text for s in SECRETS.values()), "")
    check("profile: no synced data (no email of the sandbox's people)",
          not any(p in profile_text for p in people) and not EMAIL.search(profile_text),
          EMAIL.search(profile_text).group(0) if EMAIL.search(profile_text) else "")

    # ---- Broken and refused profiles: a sentence, nothing imported.
    broken_cases = {
        "not JSON": profile_text[: len(profile_text) // 2],
        "not a profile": json.dumps({"format": "something-else", "accounts": []}),
    }
    with_secret = copy.deepcopy(profile)
    with_secret["accounts"][0]["fields"][connectors[with_secret["accounts"][0]["connector"]]["secret_fields"][0]] = "x"
    broken_cases["a secret field value"] = json.dumps(with_secret)
    unknown = copy.deepcopy(profile)
    unknown["accounts"][1]["connector"] = "no-such-connector"
    broken_cases["an unknown connector in the second account"] = json.dumps(unknown)
    insecure = copy.deepcopy(profile)
    insecure["accounts"][1]["fields"]["api_base_url"] = "http://example.com"
    broken_cases["an http:// base URL off loopback"] = json.dumps(insecure)
    out_of_range = copy.deepcopy(profile)
    out_of_range["settings"]["sync-interval-hours"] = 1000
    broken_cases["a sync interval out of range"] = json.dumps(out_of_range)
    drift = copy.deepcopy(profile)
    drift["accounts"][0]["drift_threshold"] = 150
    broken_cases["a drift threshold over 100 %"] = json.dumps(drift)
    shipped = copy.deepcopy(profile)
    shipped_definition = json.loads(shipped["custom_connectors"][0]["definition"])
    shipped_definition["id"] = "slack"
    shipped["custom_connectors"][0]["definition"] = json.dumps(shipped_definition)
    broken_cases["a custom connector with a shipped id"] = json.dumps(shipped)
    for name, body in broken_cases.items():
        path = os.path.join(tmp.name, "broken.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        code, doc, out, err = new.run("profile", "import", path)
        accounts = new.count("SELECT count(*) FROM accounts") if os.path.exists(new.db) else 0
        custom = os.path.exists(os.path.join(new.env["XDG_DATA_HOME"], "portico", "connectors", "acme-okta.json"))
        check(f"import of a profile with {name}: exit 1, one sentence naming the fix, nothing imported",
              code == 1 and one_sentence(err) and ("Export Profile" in err or "Nothing was imported" in err),
              f"{code} {out} {err}")
        check(f"import of a profile with {name}: no account and no connector saved",
              accounts == 0 and not custom, f"{accounts} {custom}")

    check("profile: the settings, with their defaults",
          profile.get("settings") == {"sync-interval-hours": 24, "pause-after-failures": 5,
                                      "notifications": True, "default-permission": "read"},
          json.dumps(profile.get("settings")))

    # ---- Import into a fresh database (with settings of its own).
    profile["settings"]["sync-interval-hours"] = 12
    profile["settings"]["default-permission"] = "act"
    with open(profile_path, "w", encoding="utf-8") as f:
        json.dump(profile, f)
    code, doc, out, err = new.run("profile", "import", profile_path, "--json")
    check("profile import: exit 0, two accounts created, the connector saved",
          code == 0 and doc is not None and len([a for a in doc["accounts"] if a["id"]]) == 2
          and doc["connectors"] == ["acme-okta"], f"{code} {out} {err}")
    code, doc, out, err = new.run("accounts", "--json")
    check("the fresh database has the same accounts (connector, name, permission)",
          code == 0 and sorted((a["connector"], a["name"], a["permission"]) for a in doc)
          == [("okta", "okta of Acme", "read"), ("slack", "slack of Acme", "read")], f"{out} {err}")
    check("the imported Okta account keeps its drift threshold of 35 %, Slack the default",
          sorted((a["connector"], a.get("drift_threshold")) for a in (doc or []))
          == [("okta", 35), ("slack", None)], json.dumps(doc)[:800])
    new.accounts = {a["connector"]: a["id"] for a in (doc or [])}
    check("each waits for its credentials (keyring_state missing), no synced data came along",
          all(a["keyring_state"] == "missing" for a in doc)
          and new.count("SELECT count(*) FROM app_users") == 0
          and new.count("SELECT count(*) FROM people") == 0, json.dumps(doc)[:800])
    code, doc, out, err = new.run("attention", "--json")
    waiting = sorted(a["account"] for a in (doc or []) if a.get("fix") and "Reconnect" in a["fix"]
                     and a.get("problem") == "keyring" and a.get("title") == "Waiting for credentials")
    check("attention lists both as waiting for credentials, with Reconnect",
          code == 0 and waiting == sorted(new.accounts.values()), f"{out} {err}")
    code, doc, out, err = new.run("connectors", "--json")
    check("the custom connector is in the new machine's catalog",
          code == 0 and "acme-okta" in [c["id"] for c in doc], err)

    again_path = os.path.join(tmp.name, "profile-again.json")
    code, _, out, err = new.run("profile", "export", again_path)
    again = json.loads(read(again_path)) if code == 0 else {}
    check("the imported settings apply: the new machine's export has them",
          again.get("settings", {}).get("sync-interval-hours") == 12
          and again.get("settings", {}).get("default-permission") == "act", f"{code} {err} {again.get('settings')}")

    # ---- A second import duplicates nothing.
    code, doc, out, err = new.run("profile", "import", profile_path, "--json")
    check("a second import: exit 0, both accounts skipped as existing",
          code == 0 and doc is not None and [a["id"] for a in doc["accounts"]] == [None, None]
          and new.count("SELECT count(*) FROM accounts") == 2, f"{code} {out} {err}")

    # ---- Reconnect one with its secret: it syncs.
    okta_id = new.accounts.get("okta")
    code, doc, out, err = new.run("reconnect", str(okta_id), "--json", env=secret_env("okta"))
    check("reconnect the imported Okta account with its secret: exit 0, same account",
          code == 0 and doc is not None and doc["account"]["id"] == okta_id, f"{code} {out} {err}")
    code, doc, out, err = new.run("sync", str(okta_id), "--json")
    check("then it syncs", code == 0 and doc is not None and doc["status"] in ("ok", "partial")
          and new.count(f"SELECT count(*) FROM app_users WHERE source_account_id = {okta_id}") > 0,
          f"{code} {out} {err}")
    code, doc, out, err = new.run("attention", "--json")
    check("and only the other account still waits for its credentials",
          code == 0 and sorted(a["account"] for a in doc if "Reconnect" in (a.get("fix") or ""))
          == [new.accounts.get("slack")], f"{out}")
finally:
    for machine in (old, new):
        ids = machine.accounts.values() if isinstance(machine.accounts, dict) else machine.accounts
        for account in ids:
            machine.run("disconnect", str(account), "--yes")
            machine.run("forget", str(account))
    sandbox.kill()
    sandbox.wait()

sys.exit(finish())
