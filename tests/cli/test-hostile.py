#!/usr/bin/env python3
# test-hostile.py: the built portico-cli against a hostile or broken
# provider (SPEC 12), as a TAP test.
#
# A loopback HTTP server in this process first serves good pages (three
# users), then, case by case, what an attacker or a broken provider would:
# 200,000 nested '[', non-http next links, next links that loop, a gzip bomb,
# a 150 MB body, an HTML captive portal, invalid UTF-8, Retry-After of a day,
# wrong value types and duplicate ids, a connection dropped mid-body and a
# stalled body. After each sync: exit status 0 or 1 (never a crash), a failure
# says one sentence on stderr, the users synced before are intact (or the new
# ones are there when the sync may succeed), PRAGMA integrity_check is ok,
# and the peak memory of every portico-cli run so far (getrusage of the
# children) stays under 400 MB.
#
# Needs the keyring (connect stores the API key there): without
# PORTICO_TEST_KEYRING=1 (set by build-aux/keyring-run) it is skipped.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import http.server
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import zlib

CLI = sys.argv[1]
# The sanitizer build's shadow memory makes its RSS meaningless as a bound.
SANITIZED = len(sys.argv) > 2 and sys.argv[2] not in ("", "none")
PEAK_LIMIT_KB = 400 * 1024

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

GOOD_USERS = [
    {"id": "u1", "email": "ada@example.com", "name": "Ada"},
    {"id": "u2", "email": "bob@example.com", "name": "Bob"},
    {"id": "u3", "email": "cy@example.com", "name": "Cy"},
]

# ---- The provider ----------------------------------------------------------

state = {"mode": "good"}
release = threading.Event()   # ends stalled answers at the end of their case
MB = 1024 * 1024


def gzip_bomb(size):
    """A gzip body of @size spaces (300 MB deflate to ~300 KB)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * MB
    out = [z.compress(b"[")]
    for _ in range(size // MB):
        out.append(z.compress(chunk))
    out.append(z.compress(b"]"))
    out.append(z.flush())
    return b"".join(out)


BOMB = gzip_bomb(300 * MB)


class Provider(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # every answer ends with the connection

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def good(self, style):
        page2 = "page=2" in self.path
        users = GOOD_USERS[2:] if page2 else GOOD_USERS[:2]
        if style == "next":
            self.send(200, json.dumps({"data": users, "next": None if page2 else "/next/users?page=2"}))
        else:
            links = () if page2 else (("Link", f'<{self.base()}/link/users?page=2>; rel="next"'),)
            self.send(200, json.dumps({"data": users}), headers=links)

    def do_GET(self):
        style = "link" if self.path.startswith("/link/") else "next"
        mode = state["mode"]
        page2 = "page=2" in self.path

        if mode == "good":
            self.good(style)
        elif mode == "deep":
            self.send(200, "[" * 200000)
        elif mode == "file-link":
            if style == "next":
                self.send(200, json.dumps({"data": GOOD_USERS[:1], "next": "file:///etc/passwd"}))
            else:
                self.send(200, json.dumps({"data": GOOD_USERS[:1]}),
                          headers=(("Link", '<file:///etc/passwd>; rel="next"'),))
        elif mode == "foreign-link":
            # An https address elsewhere: credentials and requests stay home.
            if style == "next":
                self.send(200, json.dumps({"data": GOOD_USERS[:1], "next": "https://attacker.example/steal"}))
            else:
                self.send(200, json.dumps({"data": GOOD_USERS[:1]}),
                          headers=(("Link", '<https://attacker.example/steal>; rel="next"'),))
        elif mode == "loop":
            # Page 2 names itself as the next page, forever.
            users = GOOD_USERS[1:2] if page2 else GOOD_USERS[:1]
            if style == "next":
                self.send(200, json.dumps({"data": users, "next": "/next/users?page=2"}))
            else:
                self.send(200, json.dumps({"data": users}),
                          headers=(("Link", f'<{self.base()}/link/users?page=2>; rel="next"'),))
        elif mode == "gzip-bomb":
            self.send(200, BOMB, headers=(("Content-Encoding", "gzip"),))
        elif mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(150 * MB))
            self.end_headers()
            try:
                self.wfile.write(b"[")
                chunk = b" " * MB
                for _ in range(150):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif mode == "html":
            self.send(200, "<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head>"
                      "<body><form action='/login'>Accept the terms to continue</form></body></html>",
                      content_type="text/html; charset=utf-8")
        elif mode == "bad-utf8":
            body = json.dumps({"data": GOOD_USERS, "next": None}).encode()
            body = body.replace(b"Bob", b"B\xff\xfeob\xc3")
            self.send(200, body)
        elif mode == "retry-day":
            self.send(429, json.dumps({"error": "slow down"}), headers=(("Retry-After", "86400"),))
        elif mode == "wrong-types":
            users = [
                {"id": "u1", "email": "ada@example.com", "name": "Ada"},
                {"id": "u1", "email": "ada2@example.com", "name": "Ada again"},
                {"id": 7, "email": ["not", "a", "string"], "name": {"first": "X"}},
                {"id": None, "email": 12, "name": True},
                {"email": "noid@example.com"},
                "not an object",
                42,
                None,
                {"id": "u9", "email": "zed@example.com", "name": "Zed"},
            ]
            self.send(200, json.dumps({"data": users, "next": None}) if style == "next" else json.dumps({"data": users}))
        elif mode == "dropped":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                self.wfile.write(b'{"data": [{"id": "u1", "email": "ada@example.com"')
                self.wfile.flush()
                self.connection.shutdown(2)
            except OSError:
                pass
        elif mode == "stalled":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                self.wfile.write(b'{"data": [')
                self.wfile.flush()
            except OSError:
                pass
            release.wait(120)
        else:
            self.send(500, "{}")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Provider)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE = f"http://127.0.0.1:{server.server_address[1]}"

# ---- Two connectors: next URL in the body, and the Link header -------------


def connector(cid, base_url, path, pagination):
    return {
        "format": 1, "id": cid, "name": cid.replace("-", " ").title(), "category": "other",
        "help_url": "https://example.com/help", "help": "Use any key.",
        "multi_account": False, "base_url": base_url,
        "fields": [{"id": "api_key", "label": "API key", "type": "secret", "required": True, "help": "Any."},
                   {"id": "server_url", "label": "Server", "type": "url", "required": False, "help": "Any."}],
        "permissions": [{"id": "read", "label": "Read", "help": "Users."}],
        "auth": {"scheme": "header", "header": "X-Api-Key", "value": "{api_key}"},
        "identity": {"id": {"template": cid}, "name": {"template": cid}},
        "data_types": {"users": {
            "label": "Users", "essential": True,
            "request": {"method": "GET", "path": path},
            "pagination": pagination, "items": "data",
            "map": {"id": "id", "email": "email", "name": "name"}}},
    }


tmp = tempfile.TemporaryDirectory(prefix="portico-hostile-")
db = os.path.join(tmp.name, "portico.db")
connectors_dir = os.path.join(tmp.name, "connectors")
os.makedirs(connectors_dir)
# One account reaches the provider through api_base_url, the other one
# through a URL field in its base URL (plain http is allowed on loopback): a
# file: next link is rebased in the first case and reaches libsoup in the
# second.
for c in (connector("hostile-next", "https://api.example.com", "/next/users",
                    {"style": "next_url", "next_path": "next"}),
          connector("hostile-link", "{server_url}", "/link/users", {"style": "link_header"})):
    with open(os.path.join(connectors_dir, c["id"] + ".json"), "w") as f:
        json.dump(c, f)

env = dict(os.environ)
env["XDG_DATA_HOME"] = os.path.join(tmp.name, "data")
env["PORTICO_CONNECTORS_DIR"] = connectors_dir
env["PORTICO_FIELD_API_KEY"] = "hostile-test-key"


def run(*args):
    try:
        p = subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL, timeout=110, errors="replace")
    except subprocess.TimeoutExpired as e:
        return "hung for 110 s", None, str(e.stderr)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    return p.returncode, doc, p.stderr


def users_of(account):
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT external_user_id FROM app_users WHERE source_account_id = ? "
                           "ORDER BY external_user_id", (account,)).fetchall()
    return [r[0] for r in rows]


def integrity():
    with sqlite3.connect(db) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def one_sentence(err):
    lines = [l for l in err.strip().splitlines() if l]
    return (len(lines) >= 1 and all(l.startswith("portico-cli: ") for l in lines)
            and lines[0].rstrip().endswith("."))


def peak_kb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


accounts = {}
try:
    for cid in ("hostile-next", "hostile-link"):
        rc, doc, err = run("connect", cid, "--set",
                           ("api_base_url=" if cid == "hostile-next" else "server_url=") + BASE, "--json")
        check(f"{cid}: connects against the loopback provider", rc == 0 and doc and doc.get("outcome") == "A",
              f"rc={rc} doc={doc} stderr={err}")
        if rc != 0 or not doc:
            raise SystemExit
        accounts[cid] = doc["account"]["id"]
        rc, doc, err = run("sync", str(accounts[cid]), "--json")
        check(f"{cid}: the first sync reads both good pages",
              rc == 0 and users_of(accounts[cid]) == ["u1", "u2", "u3"], f"rc={rc} doc={doc} stderr={err}")

    # (mode, expected error code when the sync fails, users afterwards or
    # None for "as before", whether the sync may succeed)
    cases = [
        ("deep", "bad_response", None, False),
        ("file-link", "bad_response", None, False),
        ("foreign-link", "bad_response", None, False),
        ("loop", "bad_response", None, False),
        ("gzip-bomb", "bad_response", None, False),
        ("huge", "bad_response", None, False),
        ("html", "bad_response", None, False),
        ("retry-day", "rate_limited", None, False),
        ("dropped", "network", None, False),
        ("stalled", "timeout", None, False),
        ("bad-utf8", None, ["u1", "u2", "u3"], True),
        ("wrong-types", None, None, True),
    ]
    for mode, code, expected_users, may_succeed in cases:
        for cid in ("hostile-next", "hostile-link"):
            if mode in ("bad-utf8", "stalled", "dropped", "huge", "gzip-bomb", "deep", "html", "retry-day") \
                    and cid == "hostile-link":
                continue  # the body, not the pagination style, is the point: once is enough
            account = accounts[cid]
            before = users_of(account)
            state["mode"] = mode
            release.clear()
            rc, doc, err = run("sync", str(account), "--json")
            release.set()
            state["mode"] = "good"
            name = f"{mode} ({cid})"
            check(f"{name}: exit status 0 or 1, no crash", rc in (0, 1), f"rc={rc} stderr={err[-2000:]}")
            types = (doc or {}).get("data_types") or [{}]
            users_type = next((t for t in types if t.get("id") == "users"), {})
            if may_succeed:
                check(f"{name}: the sync ends", rc == 0 and users_type.get("status") == "ok",
                      f"rc={rc} doc={doc} stderr={err}")
            else:
                check(f"{name}: the sync fails as {code}",
                      rc == 1 and users_type.get("error_code") == code, f"rc={rc} doc={doc} stderr={err}")
                check(f"{name}: one sentence on stderr", one_sentence(err), repr(err))
                check(f"{name}: the reason on stderr is the one in the JSON",
                      users_type.get("error") is not None and users_type.get("error") in err,
                      f"json={users_type.get('error')!r} stderr={err!r}")
            after = users_of(account)
            if mode == "wrong-types":
                # Skipped: the second u1, the user without an id, and the
                # string, number and null in the list.
                check(f"{name}: the mappable users are kept, the broken ones skipped",
                      after == ["7", "u1", "u9"], repr(after))
            elif expected_users is not None:
                check(f"{name}: the users are read", after == expected_users, repr(after))
            else:
                check(f"{name}: the users synced before are intact", after == before, f"{before} -> {after}")
            check(f"{name}: integrity_check ok", integrity() == "ok")
            if not SANITIZED:
                check(f"{name}: peak memory under 400 MB", peak_kb() < PEAK_LIMIT_KB, f"{peak_kb() // 1024} MB")

    # The account still works with a provider that behaves again.
    for cid, account in accounts.items():
        rc, doc, err = run("sync", str(account), "--json")
        check(f"{cid}: a good sync afterwards reads the users again",
              rc == 0 and users_of(account) == ["u1", "u2", "u3"], f"rc={rc} doc={doc} stderr={err}")
except SystemExit:
    pass
finally:
    for account in accounts.values():
        run("disconnect", str(account), "--yes")
        run("forget", str(account))
    release.set()
    server.shutdown()

status = finish()
print(f"# peak RSS of the portico-cli runs: {peak_kb() // 1024} MB")
sys.exit(status)
