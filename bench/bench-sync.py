#!/usr/bin/python3
# bench-sync.py: `portico-cli sync` of one account end to end, against the
# limit and a peer measured in the same run (see README.md). Not a test.
#
# Usage (the CLI keeps the API token in the keyring):
#   dbus-run-session -- build-aux/keyring-run bench/bench-sync.py \
#       build/src/cli/portico-cli build/src/sandbox/portico-sandbox [--shape S] [--users N] [--runs N]
#
# Three shapes of user list (issue 13): okta (Link-header pages of 200),
# entra (Microsoft Graph, pages of 999, @odata.nextLink in the body) and
# slack (pages of 200, the next cursor in the body). The sandbox serves only
# that provider's connector (PORTICO_CONNECTORS_DIR), so that --size N
# generates its users alone (about 0.92-0.97 N, loopback). The account syncs
# users and custom fields (the other data types are switched off in its
# database). Each round, in turn:
#   - portico: `portico-cli sync ID` on a fresh copy of the connected database
#     (wall, CPU and peak RSS of that process);
#   - peer: bench/sync-peer.py (urllib, json, sqlite3) doing the same work
#     into a fresh file, as a process of its own;
#   - limit: one `INSERT INTO t SELECT json_extract (value, …), … FROM
#     json_each (?)` per page, over the same page bytes (read from the
#     sandbox once beforehand), into a fresh file with the store's PRAGMAs,
#     one transaction: what SQLite alone does with those bytes.
# Figures are medians of the rounds. The rows Portico stored and the peer's
# are compared at the end: exit 1 when they differ.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import atexit
import importlib.util
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("cli")
parser.add_argument("sandbox")
parser.add_argument("--shape", choices=["okta", "entra", "slack"], default="okta",
                    help="the provider's list: okta (Link header, 200), entra (@odata.nextLink, 999), slack (cursor, 200)")
parser.add_argument("--users", type=int, default=100000, help="sandbox --size (about 0.92 as many Okta users)")
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--measure", help="bench-measure (default: bench/bench-measure of the CLI's build directory)")
parser.add_argument("--connectors", default=os.path.join(HERE, "..", "connectors"))
parser.add_argument("--perf", metavar="FILE", help="then profile one more sync with `perf record --call-graph dwarf -o FILE`")
parser.add_argument("--heaptrack", metavar="FILE", help="then trace one more sync's heap with `heaptrack -o FILE` (what is live at the peak)")
parser.add_argument("--smaps", metavar="FILE",
                    help="write the sync's /proc/PID/smaps at its peak resident size to FILE (last round)")
parser.add_argument("--keep", metavar="FILE", help="copy the database of the last Portico round to FILE")
args = parser.parse_args()

measure = args.measure or os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.cli)))),
                                       "bench", "bench-measure")
if not os.access(measure, os.X_OK):
    sys.exit(f"bench-sync.py: {measure} is missing: build it (meson compile -C BUILD bench-measure) or pass --measure")
tmp = tempfile.TemporaryDirectory(prefix="portico-bench-sync-")
os.makedirs(os.path.join(tmp.name, "connectors"))
CONNECTOR = {"okta": "okta", "entra": "microsoft-entra-id", "slack": "slack"}[args.shape]
shutil.copy(os.path.join(args.connectors, CONNECTOR + ".json"), os.path.join(tmp.name, "connectors"))
env = dict(os.environ)
env["PORTICO_CONNECTORS_DIR"] = os.path.join(tmp.name, "connectors")
env["XDG_DATA_HOME"] = os.path.join(tmp.name, "data")
env["G_MESSAGES_DEBUG"] = ""
for key in list(env):
    if key.startswith("PORTICO_FIELD_"):
        del env[key]


def run_measured(argv, extra_env=None):
    """Runs argv to its end: (exit code, stdout, wall s, CPU s, peak RSS MB)."""
    full = dict(env)
    full.update(extra_env or {})
    out = tempfile.TemporaryFile()
    # Through bench-measure: a child forked from this process would count
    # this process's memory (every page's bytes, held for the limit) in its
    # own peak RSS, as Linux carries the high-water mark across exec.
    figures = os.path.join(tmp.name, "measured")
    p = subprocess.Popen([measure, figures] + argv, stdout=out, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, env=full)
    p.wait()
    out.seek(0)
    text = out.read().decode(errors="replace")
    try:
        with open(figures) as f:
            code, wall, cpu, rss_kb = f.read().split()
        os.unlink(figures)
    except (OSError, ValueError):
        return (p.returncode or 2, text, 0.0, 0.0, 0.0)
    return (int(code), text, float(wall), float(cpu), int(rss_kb) / 1024.0)


# ---- The sandbox, this provider only.
port_base = 21000 + (os.getpid() % 150) * 40
sandbox = None
info = None
for attempt in range(20):
    sandbox = subprocess.Popen([args.sandbox, "--json", "--size", str(args.users), "--port-base", str(port_base)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    text = ""
    for line in sandbox.stdout:
        text += line
        try:
            info = json.loads(text)
            break
        except ValueError:
            pass
    if info is not None:
        break
    sandbox.wait()
    port_base = 21000 + (port_base - 21000 + 40 * 37) % 6000
if info is None:
    sys.exit("bench-sync: portico-sandbox did not start: " + sandbox.stderr.read())
provider = info["connectors"][0]
base_url = provider["api_base_url"]
token = provider["secrets"]["ok"]


def stop_sandbox():
    if sandbox.poll() is None:
        sandbox.terminate()
        sandbox.wait()


atexit.register(stop_sandbox)


def finish(code):
    stop_sandbox()
    sys.exit(code)


# ---- The connected account, users and custom fields only.
db0 = os.path.join(tmp.name, "connected.db")
argv = [args.cli, "--db", db0, "connect", CONNECTOR, "--json", "--set", "api_base_url=" + base_url]
for k, v in provider["fields"].items():
    argv += ["--set", f"{k}={v}"]
code, out, _, _, _ = run_measured(argv, {"PORTICO_FIELD_" + f.upper(): token for f in provider["secret_fields"]})
if code != 0:
    print("bench-sync: connect failed (run under dbus-run-session -- build-aux/keyring-run):\n" + out)
    finish(1)
account = json.loads(out)["account"]["id"]
conn = sqlite3.connect(db0, isolation_level=None)
conn.execute("UPDATE account_data_types SET enabled = (data_type IN ('users', 'custom_fields')) "
             "WHERE account_id = ?", (account,))
conn.close()


def fresh_copy(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    src = sqlite3.connect(db0)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()


# ---- The page bytes, read once with the peer's own requests (sync-peer.py),
# and what the limit reads from them: the values both contenders read, one
# json_extract each.
spec = importlib.util.spec_from_file_location("sync_peer", os.path.join(HERE, "sync-peer.py"))
sync_peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sync_peer)
pages = [body for body, _ in sync_peer.SHAPES[args.shape][0](base_url, token, provider["fields"])]
if args.shape == "okta":
    SHAPE_TEXT = "Okta shape: Link-header pages of 200"
    ITEMS, PATHS = "$", ["id", "status", "lastLogin", "profile.email", "profile.firstName", "profile.lastName",
                         "profile.userType", "profile.title", "profile.department", "profile.division",
                         "profile.organization", "profile.costCenter", "profile.employeeNumber", "profile.manager"]
elif args.shape == "entra":
    SHAPE_TEXT = "Entra shape: pages of 999 with @odata.nextLink"
    ITEMS, PATHS = "$.value", ["id", "mail", "userPrincipalName", "displayName", "accountEnabled", "userType",
                               "assignedLicenses[0].skuId", "jobTitle", "department", "employeeId", "officeLocation"]
else:
    SHAPE_TEXT = "Slack shape: pages of 200 with the cursor in the body"
    ITEMS, PATHS = "$.members", ["id", "profile.email", "real_name", "profile.real_name", "name", "deleted",
                                 "is_invited_user", "is_primary_owner", "is_owner", "is_admin", "is_ultra_restricted",
                                 "is_restricted", "is_bot", "profile.title", "tz"]
page_bytes = sum(len(p) for p in pages)
COLUMNS = ", ".join(f"c{i}" for i in range(len(PATHS)))
LIMIT_SQL = ("INSERT INTO t SELECT " + ", ".join(f"json_extract (value, '$.{p}')" for p in PATHS) +
             f" FROM json_each (?, '{ITEMS}')")


def limit_round(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    start = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                       f"CREATE TABLE t ({COLUMNS});")
    conn.execute("BEGIN")
    for page in pages:
        conn.execute(LIMIT_SQL, (page.decode(),))
    conn.execute("COMMIT")
    n = conn.execute("SELECT count(*) FROM t").fetchone()[0]
    conn.close()
    return time.perf_counter() - start, n


def write_round(path, stored):
    """The rows Portico stored, written again: a fresh copy of the connected
    database (Portico's schema, its indexes and foreign keys, no people and
    no users yet) gets the people, the account's users and custom fields
    of @stored with one INSERT ... SELECT each, one transaction, the
    store's PRAGMAs. What SQLite needs to write those rows alone, without
    reading any JSON: with the json_each limit, a bound for any sync that
    keeps this schema."""
    fresh_copy(path)
    start = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
    conn.execute("ATTACH ? AS src", (stored,))
    conn.execute("BEGIN")
    conn.execute("INSERT INTO main.people SELECT * FROM src.people")
    conn.execute("INSERT INTO main.app_users SELECT * FROM src.app_users WHERE source_account_id = ?", (account,))
    conn.execute("INSERT INTO main.custom_user_field_sets SELECT * FROM src.custom_user_field_sets "
                 "WHERE source_account_id = ?", (account,))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


results = {"portico": [], "peer": [], "limit": [], "write": []}
users = None
port_db = os.path.join(tmp.name, "portico.db")
peer_db = os.path.join(tmp.name, "peer.db")
for r in range(args.runs):
    fresh_copy(port_db)
    code, out, wall, cpu, rss = run_measured([args.cli, "--db", port_db, "sync", str(account), "--json"],
                                             {"BENCH_MEASURE_SMAPS": args.smaps} if args.smaps else None)
    if code != 0 or json.loads(out)["status"] != "ok":
        print("bench-sync: portico-cli sync failed:\n" + out)
        finish(1)
    doc = json.loads(out)
    results["portico"].append((wall, cpu, rss))

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(peer_db + suffix):
            os.remove(peer_db + suffix)
    code, out, wall, cpu, rss = run_measured([sys.executable, os.path.join(HERE, "sync-peer.py"), args.shape, base_url, peer_db] +
                                             [f"{k}={v}" for k, v in provider["fields"].items()],
                                             {"PEER_SECRET": token})
    if code != 0:
        print("bench-sync: sync-peer.py failed:\n" + out)
        finish(1)
    results["peer"].append((wall, cpu, rss))

    wall, users = limit_round(os.path.join(tmp.name, "limit.db"))
    results["limit"].append((wall, None, None))
    results["write"].append((write_round(os.path.join(tmp.name, "write.db"), port_db), None, None))

# ---- The same rows?
USERS_SQL = ("SELECT au.external_user_id, lower (p.email), p.name, au.status, au.role, au.last_activity "
             "FROM app_users au LEFT JOIN people p ON p.id = au.person_id {} ORDER BY 1")
FIELDS_SQL = "SELECT external_user_id, label, value FROM custom_user_fields {} ORDER BY 1, 2"
with sqlite3.connect(port_db) as a, sqlite3.connect(peer_db) as b:
    where = f"WHERE au.source_account_id = {int(account)}"
    same_users = a.execute(USERS_SQL.format(where)).fetchall() == b.execute(USERS_SQL.format("")).fetchall()
    n_users = a.execute(f"SELECT count(*) FROM app_users au {where}").fetchone()[0]
    same_fields = (a.execute(FIELDS_SQL.format(f"WHERE source_account_id = {int(account)}")).fetchall() ==
                   b.execute(FIELDS_SQL.format("")).fetchall())
    n_fields = a.execute("SELECT count(*) FROM custom_user_fields").fetchone()[0]
    reported = {t["id"]: t["items"] for t in doc["data_types"]}


def median(name, i):
    return statistics.median(x[i] for x in results[name])


lim = median("limit", 0)
port = median("portico", 0)
peer = median("peer", 0)
print(f"{SHAPE_TEXT}, {users} users in {len(pages)} pages, {page_bytes / 1e6:.1f} MB of JSON, "
      f"{args.runs} rounds (medians)")
print(f"json_each limit (same page bytes):  {lim:7.2f} s  {users / lim:8.0f} users/s")
write = median("write", 0)
print(f"write limit (stored rows, schema):  {write:7.2f} s;  json_each + write {lim + write:.2f} s = "
      f"{lim / (lim + write):.2f} of the json_each limit")
print(f"portico-cli sync:                   {port:7.2f} s  {users / port:8.0f} users/s = {lim / port:.2f} of the limit;"
      f"  CPU {median('portico', 1):.2f} s, peak RSS {median('portico', 2):.0f} MB")
print(f"sync-peer.py (urllib, json, sqlite3): {peer:5.2f} s  {users / peer:8.0f} users/s;"
      f"  CPU {median('peer', 1):.2f} s, peak RSS {median('peer', 2):.0f} MB")
print(f"portico vs peer: {peer / port:.2f} times as fast (target 3); the peer takes {peer / lim:.2f} times "
      f"the json_each limit")
print(f"rows: {n_users} users, {n_fields} custom fields stored; reported {reported}")
print(f"same rows as the peer: users {'yes' if same_users else 'NO'}, custom fields {'yes' if same_fields else 'NO'}")
print("rounds (wall s): " + "; ".join(f"{k} " + " ".join(f"{x[0]:.2f}" for x in v) for k, v in results.items()))
if args.perf:
    fresh_copy(port_db)
    code, out, wall, _, _ = run_measured(["perf", "record", "--call-graph", "dwarf", "-F", "2000", "-o", args.perf, "--",
                                          args.cli, "--db", port_db, "sync", str(account), "--json"])
    print(f"profiled sync: {wall:.2f} s, exit {code}; see: perf report -i {args.perf} --no-children --sort dso")
if args.heaptrack:
    fresh_copy(port_db)
    code, out, wall, _, _ = run_measured(["heaptrack", "-o", args.heaptrack, args.cli, "--db", port_db, "sync", str(account), "--json"])
    print(f"heap-traced sync: {wall:.2f} s, exit {code}; see: heaptrack_print --print-peaks 1 {args.heaptrack}*")
if args.keep:
    src = sqlite3.connect(port_db)
    dst = sqlite3.connect(args.keep)
    src.backup(dst)
    src.close()
    dst.close()
    print(f"kept {args.keep}")
ok = same_users and same_fields and reported.get("users") == n_users and reported.get("custom_fields") == n_fields
finish(0 if ok else 1)
