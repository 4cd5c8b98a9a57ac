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


def set_oauth_fault(fault):
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(
        info["admin_url"] + "/oauth?connector=dropbox&fault=" + fault, method="POST"), timeout=10).read()


SIGN_IN_LINE = "Open this address in a browser to sign in: "


def sign_in_run(*args, env=None, browse=True, fault="none"):
    """Runs portico-cli with --no-browser and plays the browser: reads the
    one stderr line, fetches the address (the sandbox's consent page
    redirects to portico-cli's loopback listener) and waits for the end."""
    import re
    import urllib.request
    set_oauth_fault(fault)
    full_env = dict(base_env)
    if env:
        full_env.update(env)
    p = subprocess.Popen([CLI, "--db", db, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True, env=full_env)
    first = p.stderr.readline()
    page = None
    match = re.match(r"^Open this address in a browser to sign in: (\S+)$", first.rstrip("\n"))
    if match and browse:
        try:
            with urllib.request.urlopen(match.group(1), timeout=30) as response:
                page = response.read().decode()
        except Exception as e:  # a refusal page answers 400
            page = getattr(e, "read", lambda: str(e).encode())().decode(errors="replace")
    out, rest = p.communicate(timeout=90)
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return p.returncode, doc, out, first + rest, page, match.group(1) if match else None


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

    # ---- Okta's assignments give discovered apps their user counts: what
    # the sandbox serves at GET /api/v1/apps/{id}/users (every page, through
    # the Link headers, as Okta documents it) is what apps and recommended show.
    def okta_get_all(path):
        url, items = connectors["okta"]["api_base_url"] + path, []
        while url:
            req = urllib.request.Request(url, headers={
                "Authorization": "SSWS " + connectors["okta"]["secrets"]["ok"], "Accept": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                items += json.load(r)
                link = r.headers.get("Link") or ""
            url = None
            for part in link.split(","):
                if 'rel="next"' in part and 'results="false"' not in part:
                    url = part[part.index("<") + 1:part.index(">")]
        return items

    okta_apps = okta_get_all('/api/v1/apps?limit=200&filter=status%20eq%20%22ACTIVE%22')
    assigned = {}
    for app in okta_apps[:4]:
        assigned[app["label"]] = len({u["id"] for u in okta_get_all(f"/api/v1/apps/{app['id']}/users?limit=500")})
    code, apps_doc, out, err = run("apps", "--json")
    by_name = {a["name"]: a for a in apps_doc or []}
    check("apps --json: a discovered Okta app counts the people Okta assigned to it",
          assigned and any(n > 0 for n in assigned.values())
          and all(by_name.get(name, {}).get("user_count") == n for name, n in assigned.items()),
          f"{assigned} {[(n, by_name.get(n, {}).get('user_count')) for n in assigned]}")
    code, recommended, out, err = run("recommended", "--json")
    counts = [r["users"] for r in recommended or []]
    check("recommended --json ranks by those counts, with the reason",
          counts and counts == sorted(counts, reverse=True) and counts[0] > 0
          and all(r["users"] == by_name[r["app"]]["user_count"] for r in recommended if r["app"] in by_name)
          and f"{counts[0]} people" in recommended[0]["reason"], out[:500])

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

    # ---- Auto-pause: five failed syncs in a row with one cause stop the
    # account's scheduled syncs; `resume` and a successful sync by hand undo it.
    def post_admin(path):
        urllib.request.urlopen(urllib.request.Request(info["admin_url"] + path, method="POST"),
                               timeout=10).read()

    def okta_account():
        code, accounts, out, err = run("accounts", "--json")
        return next((a for a in accounts or [] if a["id"] == okta_id), {})

    post_admin("/credentials?connector=okta&state=bad")
    codes = [run("sync", str(okta_id))[0] for _ in range(4)]
    account = okta_account()
    check("four failed syncs: exit 1 each, and the account is not paused yet",
          codes == [1] * 4 and account.get("paused") is False, f"{codes} {account}")
    code, doc, out, err = run("sync", str(okta_id))
    account = okta_account()
    check("the fifth failure with the same cause pauses it, with the cause and its sentence",
          code == 1 and account.get("paused") is True and account.get("paused_cause")
          and account.get("paused_message"), f"{code} {account}")
    code, doc, out, err = run("attention", "--json")
    rows = [r for r in (doc if isinstance(doc, list) else []) if r.get("account") == okta_id]
    check("attention lists it first as paused, with the Resume fix and the cause's sentence",
          rows and rows[0]["problem"] == "paused" and rows[0]["fix_action"] == "resume"
          and (account.get("paused_message") or "\0") in rows[0]["message"], out)
    code, doc, out, err = run("resume", str(okta_id))
    account = okta_account()
    check("resume: exit 0, the account is no longer paused",
          code == 0 and account.get("paused") is False and account.get("paused_cause") is None,
          f"{code} {out} {err} {account}")
    code, doc, out, err = run("resume", str(okta_id))
    check("resume of an account that is not paused: exit 1 with a sentence",
          code == 1 and one_sentence(err) and "not paused" in err, f"{code} {err!r}")
    code, doc, out, err = run("resume")
    check("resume without an account: usage error (exit 2)", code == 2, f"{code} {err!r}")
    code, doc, out, err = run("sync", str(okta_id))
    check("one failure after a resume does not pause it again",
          code == 1 and okta_account().get("paused") is False, f"{code} {okta_account()}")
    for _ in range(4):
        run("sync", str(okta_id))
    check("five more failures pause it again", okta_account().get("paused") is True, okta_account())
    post_admin("/credentials?connector=okta&state=ok")
    code, doc, out, err = run("sync", str(okta_id), "--json")
    account = okta_account()
    check("a successful sync by hand resumes it",
          code == 0 and account.get("paused") is False and account.get("status") == "ok",
          f"{code} {err} {account}")

    # ---- Drift protection: Okta (an identity provider) suddenly lists far
    # fewer people than Portico has: 20 people it had before (made here in
    # the database, as an earlier sync would have) are no longer listed.
    import sqlite3

    def add_gone_people(n):
        con = sqlite3.connect(db, timeout=30)
        with con:
            app_id = con.execute("SELECT app_id FROM accounts WHERE id = ?", (okta_id,)).fetchone()[0]
            for i in range(n):
                con.execute("INSERT INTO app_users (app_id, external_user_id, status, source_account_id, "
                            "source_kind) VALUES (?, ?, 'ACTIVE', ?, 'account')", (app_id, f"gone-{i}", okta_id))
        con.close()

    def count_gone():
        con = sqlite3.connect(db, timeout=30)
        n = con.execute("SELECT count(*) FROM app_users WHERE source_account_id = ? "
                        "AND external_user_id LIKE 'gone-%'", (okta_id,)).fetchone()[0]
        con.close()
        return n

    con = sqlite3.connect(db, timeout=30)
    active = con.execute("SELECT count(*) FROM app_users WHERE source_account_id = ? AND source_kind = 'account' "
                         "AND lower(coalesce(status, '')) NOT IN ('deactivated', 'deprovisioned', 'suspended', "
                         "'inactive', 'disabled', 'terminated', 'deleted')", (okta_id,)).fetchone()[0]
    con.close()
    add_gone_people(20)
    code, doc, out, err = run("sync", str(okta_id))
    held_sentence = f"Held: 20 of {active + 20} people would disappear."
    check("sync of an identity provider that lost over 20% (and 10+) of its people: exit 1 with the sentence",
          code == 1 and held_sentence in err, f"{code} {active} {err!r}")
    account = okta_account()
    check("the account shows the hold; nothing was replaced",
          account.get("held_missing") == 20 and account.get("held_total") == active + 20
          and count_gone() == 20, f"{account} {count_gone()}")
    code, doc, out, err = run("attention", "--json")
    rows = [r for r in (doc if isinstance(doc, list) else []) if r.get("account") == okta_id]
    check("attention lists the hold first, with Apply anyway",
          rows and rows[0]["problem"] == "held" and rows[0]["fix_action"] == "apply_held"
          and rows[0]["title"] == f"Held: 20 of {active + 20} people would disappear", out)
    code, doc, out, err = run("discard-held", str(okta_id))
    account = okta_account()
    check("discard-held: exit 0, the current data stays and the hold ends",
          code == 0 and count_gone() == 20 and account.get("held_total") is None, f"{code} {err} {account}")
    code, doc, out, err = run("apply-held", str(okta_id))
    check("apply-held with nothing held: exit 1 with a sentence",
          code == 1 and one_sentence(err) and "no held sync" in err, f"{code} {err!r}")
    code, doc, out, err = run("sync", str(okta_id))
    check("the next sync is held again", code == 1 and held_sentence in err, f"{code} {err!r}")
    code, doc, out, err = run("apply-held", str(okta_id))
    account = okta_account()
    check("apply-held: exit 0, the people no longer listed are gone and the hold ends",
          code == 0 and count_gone() == 0 and account.get("held_total") is None
          and out.startswith("Applied: "), f"{code} {out} {err} {account}")
    code, doc, out, err = run("sync", str(okta_id))
    check("then a sync goes through", code == 0, f"{code} {err!r}")
    code, doc, out, err = run("discard-held")
    check("discard-held without an account: usage error (exit 2)", code == 2, f"{code} {err!r}")

    # ---- reconnect: same identity keeps the account.
    code, doc, out, err = run("reconnect", str(okta_id), "--json", env=secret_env("okta", "ok"))
    check("reconnect with the same identity: exit 0, same account, replaced_account null",
          code == 0 and keys_ok(doc, ["account", "replaced_account"]) and doc["account"]["id"] == okta_id
          and doc["replaced_account"] is None, f"{code} {out} {err}")

    # Another identity on a single-account connector replaces the account.
    code, doc, out, err = run("connect", "brex", *field_args("brex"), "--json", env=secret_env("brex", "ok"))
    brex_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    check("connect brex: exit 0", code == 0 and brex_id, f"{code} {out} {err}")
    if brex_id:
        accounts_to_clean.append(brex_id)
    code, doc, out, err = run("reconnect", str(brex_id), "--json", env=secret_env("brex", "ok", "-globex"))
    new_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if new_id:
        accounts_to_clean.append(new_id)
    check("reconnect brex as another tenant: a new account, replaced_account is the old one",
          code == 0 and new_id not in (None, brex_id) and doc["replaced_account"] == brex_id,
          f"{code} {out} {err}")
    code, accounts, out, err = run("accounts", "--json")
    check("the replaced account is gone from accounts",
          isinstance(accounts, list) and brex_id not in [a["id"] for a in accounts]
          and new_id in [a["id"] for a in accounts], out)

    # Another identity on a multi-account connector adds an account.
    code, doc, out, err = run("reconnect", str(slack_id), "--json", env=secret_env("slack", "ok", "-globex"))
    other = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if other:
        accounts_to_clean.append(other)
    check("reconnect slack as another workspace: a new account, nothing replaced",
          code == 0 and other not in (None, slack_id) and doc["replaced_account"] is None, f"{code} {out} {err}")


    # ---- Sign in through the browser, headless (SPEC 11): Dropbox.
    accounts_before = run("accounts", "--json")[1]
    dbx_env = secret_env("dropbox", "ok")
    code, doc, out, err, page, url = sign_in_run("connect", "dropbox", *field_args("dropbox"), "--no-browser",
                                                 "--json", env=dbx_env)
    dropbox_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    if dropbox_id:
        accounts_to_clean.append(dropbox_id)
    check("connect dropbox --no-browser: the sign-in line once, then exit 0 with outcome A",
          code == 0 and doc is not None and doc.get("outcome") == "A"
          and err.count(SIGN_IN_LINE) == 1, f"{code} {out} {err}")
    check("the address asks for a code with PKCE S256, the state and the 127.0.0.1 redirect",
          url is not None and "response_type=code" in url and "code_challenge_method=S256" in url
          and "state=" in url and "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
          and "token_access_type=offline" in url, url)
    check("the browser is told it can close the window", page is not None and "You can close this window" in page, page)
    code, doc, out, err = run("sync", str(dropbox_id), "--json")
    check("sync dropbox after the sign-in: ok", code == 0 and doc is not None and doc.get("status") == "ok",
          f"{code} {out} {err}")

    for fault, what in (("deny", "declined"), ("wrong_state", "state mismatch")):
        code, doc, out, err, page, url = sign_in_run("connect", "dropbox", *field_args("dropbox"), "--no-browser",
                                                     "--name", "Refused", env=dbx_env, fault=fault)
        lines = [l for l in err.splitlines() if l and not l.startswith(SIGN_IN_LINE)]
        check(f"sign-in {fault}: exit 1 with one sentence naming it",
              code == 1 and len(lines) == 1 and one_sentence(lines[0]) and what in lines[0], f"{code} {err}")
    code, doc, out, err, page, url = sign_in_run("connect", "dropbox", *field_args("dropbox"), "--no-browser",
                                                 "--sign-in-timeout", "1", env=dbx_env, browse=False)
    check("sign-in timeout: exit 1 with one sentence", code == 1 and one_sentence(err.split("\n", 1)[1]),
          f"{code} {err}")
    accounts_after = run("accounts", "--json")[1]
    check("refused sign-ins stored nothing",
          isinstance(accounts_after, list) and isinstance(accounts_before, list)
          and len(accounts_after) == len(accounts_before) + 1, f"{accounts_before} {accounts_after}")

    # Expired refresh token: a new process must refresh, the sandbox answers
    # invalid_grant: the sync fails with sign_in_expired and keeps the data.
    users_before = run("users", "--json")[1]
    set_oauth_fault("expire_refresh")
    code, doc, out, err = run("sync", str(dropbox_id), "--json")
    set_oauth_fault("none")
    check("sync with an expired refresh token: failed, sign_in_expired",
          code == 1 and doc is not None and doc.get("status") == "failed"
          and all("Sign in again" in (t.get("error") or "") for t in doc["data_types"]), f"{code} {out} {err}")
    code, attention, out, err = run("attention", "--json")
    check("attention lists sign_in_expired for the account",
          isinstance(attention, list) and any(a.get("account") == dropbox_id and a.get("problem") == "sign_in_expired"
                                              for a in attention), out + err)
    check("the users synced before are kept", run("users", "--json")[1] == users_before, "")

    # ---- Forgetting a disconnected account's credentials revokes the
    # sign-in at the provider (HubSpot: RFC 7009), and portico-cli waits for
    # that before it exits.
    code, doc, out, err, page, url = sign_in_run("connect", "hubspot", *field_args("hubspot"), "--no-browser",
                                                 "--json", env=secret_env("hubspot", "ok"))
    hubspot_id = doc["account"]["id"] if keys_ok(doc, ["account"]) else None
    check("connect hubspot --no-browser: exit 0 with outcome A",
          code == 0 and doc is not None and doc.get("outcome") == "A", f"{code} {out} {err}")
    code, doc, out, err = run("disconnect", str(hubspot_id), "--yes", "--json")
    import urllib.request
    with urllib.request.urlopen(info["admin_url"] + "/oauth?connector=hubspot", timeout=10) as response:
        counts = json.loads(response.read().decode())
    check("disconnect hubspot: exit 0, its sign-in kept for a restore",
          code == 0 and counts == {"revoked": 0, "refresh_tokens": 1}, f"{code} {counts} {err}")
    code, doc, out, err = run("forget", str(hubspot_id))
    with urllib.request.urlopen(info["admin_url"] + "/oauth?connector=hubspot", timeout=10) as response:
        counts = json.loads(response.read().decode())
    check("forget hubspot: exit 0, and the sandbox reports its refresh token revoked",
          code == 0 and counts == {"revoked": 1, "refresh_tokens": 0}, f"{code} {counts} {err}")
    # The secret never reached the database.
    with open(db, "rb") as f:
        data = f.read()
    wal = db + "-wal"
    if os.path.exists(wal):
        with open(wal, "rb") as f:
            data += f.read()
    check("no secret in the database file",
          all(connectors[c]["secrets"]["ok"].encode() not in data for c in ("okta", "slack", "brex"))
          and (connectors["brex"]["secrets"]["ok"] + "-globex").encode() not in data, "")
finally:
    # Leave no keyring items behind for the next test process.
    for account in accounts_to_clean:
        run("disconnect", str(account), "--yes")
        run("forget", str(account))
    sandbox.kill()
    sandbox.wait()

sys.exit(finish())
