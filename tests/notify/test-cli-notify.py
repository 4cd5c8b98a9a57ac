#!/usr/bin/env python3
# test-cli-notify.py: the background sync (portico-cli sync --all, what the
# systemd timer runs) notifies a failed sync through the desktop's
# notification service, once per account and problem (TAP).
#
# Runs inside its own session bus (dbus-run-session, from meson) with a
# stand-in notification server; no Secret Service runs on that bus, so the
# sync of an account fails as it would with the keyring gone.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI, SERVER = sys.argv[1], sys.argv[2]

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def finish():
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            print("# " + str(detail).replace("\n", "\n# "))
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    print("1..0 # SKIP no session bus (run under dbus-run-session)")
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix="portico-notify-")
log = os.path.join(tmp, "notifications.jsonl")
ready = os.path.join(tmp, "ready")
db = os.path.join(tmp, "portico.db")
env = dict(os.environ, HOME=tmp, XDG_STATE_HOME=os.path.join(tmp, "state"),
           XDG_DATA_HOME=os.path.join(tmp, "data"), LANGUAGE="C", LC_ALL="C.UTF-8")
env.pop("DISPLAY", None)

server = subprocess.Popen([sys.executable, SERVER, log, ready], env=env)
try:
    deadline = time.monotonic() + 20
    while not os.path.exists(ready) and time.monotonic() < deadline and server.poll() is None:
        time.sleep(0.05)
    check("the notification server stand-in owns its names", os.path.exists(ready))

    def cli(*args):
        return subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, env=env, timeout=120)

    def notifications():
        if not os.path.exists(log):
            return []
        with open(log) as f:
            return [json.loads(line) for line in f if line.strip()]

    p = cli("accounts", "--json")
    check("portico-cli creates the database", p.returncode == 0, p.stderr)
    con = sqlite3.connect(db)
    con.executescript("""
    INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Okta', 'okta', 'identity_provider');
    INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status, last_sync_at) VALUES
      (1, 'okta', 1, 'Acme Okta', 'acme.okta.com', 'read', 'ok', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
    INSERT INTO account_data_types (account_id, data_type, enabled, last_status, last_items)
      VALUES (1, 'users', 1, 'ok', 2);
    """)
    con.commit()
    con.close()

    p = cli("sync", "--all", "--json")
    check("the sync fails without its credentials (exit 1)", p.returncode == 1, p.stdout + p.stderr)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    check("--json output stays one JSON document", isinstance(doc, list), p.stdout)

    sent = notifications()
    fd = [n for n in sent if n.get("interface") == "freedesktop"]
    check("one notification was sent for the failed account", len(fd) == 1, sent)
    if fd:
        n = fd[0]
        check("it is sent as Portico", n["app_name"] == "Portico", n)
        check("its title names the account and the problem",
              n["summary"].startswith("Acme Okta: "), n["summary"])
        check("its body says what to do", len(n["body"]) > 20 and n["body"].endswith("."), n["body"])
        check("it names the app's desktop entry",
              n["hints"].get("desktop-entry", "").startswith("io.github.portico.Portico"), n["hints"])
    state = os.path.join(tmp, "state", "portico", "notified.ini")
    check("what was told is recorded in the user's state folder", os.path.exists(state))

    p = cli("sync", "--all")
    check("the second sync fails the same way", p.returncode == 1, p.stderr)
    check("the same problem is not told again", len(notifications()) == len(sent), notifications())

finally:
    server.terminate()
    server.wait(timeout=10)

finish()
