#!/usr/bin/python3
# kill-test.py: SIGKILL portico-cli in the middle of syncs and disconnects,
# and fill the disk under it, then check that nothing was lost or half-done.
#
# Usage: kill-test.py CLI SANDBOX [--trials N] [--seed S] [--no-disk]
#        (PORTICO_KILL_TRIALS and PORTICO_KILL_SEED override the defaults)
#
# The real portico-cli runs against the real portico-sandbox on loopback, a
# real SQLite file and the real keyring (run it under build-aux/keyring-run;
# without PORTICO_TEST_KEYRING=1 it skips). Two sandbox generations serve
# different data on the same ports (seed and size differ), so every
# (account, data type) has an "old" and a "new" content, both measured
# first by complete syncs. Each trial restarts the sandbox with the other
# generation, starts `sync` (one account or --all) or `disconnect --yes`,
# SIGKILLs it after a random delay, and then checks:
#   - PRAGMA integrity_check is ok and PRAGMA foreign_key_check is empty;
#   - every (account, data type) holds exactly the old or the new content;
#   - a disconnected account supplies no facts any more;
#   - every account that is not disconnected has its keyring item and no
#     restore snapshot, and a disconnected one has none unless it can be
#     restored (its snapshot kept the item) or its deletion is pending;
#   - the next sync (not killed) succeeds and yields exactly the new content.
# Then, once per run, the disk fills up under a sync (a tmpfs of the size of
# the database when running as root, and a file-size limit, which gives
# I/O errors, in any case): exit 1, one clear sentence, old data intact.
#
# Prints TAP. Delays come from a seeded random generator: a failing trial
# prints the seed and trial number, and --seed S --trials N replays it.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("cli")
parser.add_argument("sandbox")
parser.add_argument("--trials", type=int, default=int(os.environ.get("PORTICO_KILL_TRIALS", "20")))
parser.add_argument("--seed", type=int, default=int(os.environ.get("PORTICO_KILL_SEED", "0")) or None)
parser.add_argument("--no-disk", action="store_true", help="skip the disk-full and I/O error checks")
args = parser.parse_args()
seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1 << 31)
rng = random.Random(seed)

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))
    return bool(condition)


def finish(skip_reason=None):
    if skip_reason is not None:
        print("1..1")
        print(f"ok 1 # SKIP {skip_reason}")
        return 0
    print(f"1..{len(results)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
        if not ok:
            failed += 1
            for line in str(detail).splitlines()[:40] or [""]:
                print(f"# {line}")
    print(f"# seed {seed} (replay: --seed {seed} --trials {args.trials})")
    return 1 if failed else 0


if os.environ.get("PORTICO_TEST_KEYRING") != "1":
    sys.exit(finish("needs a keyring: run under build-aux/keyring-run (PORTICO_TEST_KEYRING=1)"))

import gi  # noqa: E402

gi.require_version("Secret", "1")
from gi.repository import Secret  # noqa: E402

SCHEMA = Secret.Schema.new("io.github.portico.Portico", Secret.SchemaFlags.NONE, {
    "account": Secret.SchemaAttributeType.STRING,
    "connector": Secret.SchemaAttributeType.STRING,
    "profile": Secret.SchemaAttributeType.STRING,
    "scope": Secret.SchemaAttributeType.STRING,
})

# Connectors covering the pagination styles (Link header, cursor, next URL,
# page, two-step request), OAuth client credentials and the fact tables.
CONNECTORS = ["okta", "slack", "github", "microsoft-entra-id", "brex", "expensify"]
GENERATIONS = [("11", "30"), ("12", "45")]  # (seed, size) of the sandbox

tmp = tempfile.TemporaryDirectory(prefix="portico-kill-")
db = os.path.join(tmp.name, "portico.db")
# Below the kernel's ephemeral range (32768 and up), where outgoing
# connections of every other process on the machine take their ports, and
# clear of demo mode's 28300.
port_base = 20000 + (os.getpid() % 160) * 50
base_env = dict(os.environ)
base_env["XDG_DATA_HOME"] = os.path.join(tmp.name, "data")
base_env["G_MESSAGES_DEBUG"] = ""
for key in list(base_env):
    if key.startswith("PORTICO_FIELD_"):
        del base_env[key]

# ---- The sandbox, restarted with one generation or the other.
sandbox = None
sandbox_info = None
generation = None


def start_sandbox(gen):
    global sandbox, sandbox_info, generation, port_base
    stop_sandbox()
    s, size = GENERATIONS[gen]
    for attempt in range(50):
        sandbox = subprocess.Popen([args.sandbox, "--json", "--seed", s, "--size", size,
                                    "--port-base", str(port_base)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=base_env)
        text = ""
        while True:
            line = sandbox.stdout.readline()
            if line == "":
                break
            text += line
            try:
                sandbox_info = json.loads(text)
                generation = gen
                return
            except ValueError:
                pass
        # The previous one's ports may still be closing.
        sandbox.wait()
        if generation is None and "already in use" in sandbox.stderr.read():
            # Nothing listens on these ports for us yet, so another process
            # owns one of them: the first start may move to another range
            # (later starts must keep the ports the accounts point at).
            port_base = 20000 + (port_base - 20000 + 50 * 37) % 8000
        time.sleep(0.1)
    raise RuntimeError("portico-sandbox did not start: " + sandbox.stderr.read())


def stop_sandbox():
    global sandbox
    if sandbox is not None:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()
        sandbox = None


def connector_info(cid):
    return next(c for c in sandbox_info["connectors"] if c["id"] == cid)


def cli(*argv, env=None, preexec=None, timeout=120):
    full_env = dict(base_env)
    if env:
        full_env.update(env)
    p = subprocess.run([args.cli, "--db", db, *argv], capture_output=True, text=True, env=full_env,
                       stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=preexec)
    return p.returncode, p.stdout, p.stderr


def secret_env(cid):
    c = connector_info(cid)
    return {"PORTICO_FIELD_" + f.upper(): c["secrets"]["ok"] for f in c["secret_fields"]}


def connect(cid):
    c = connector_info(cid)
    argv = ["connect", cid, "--json", "--accept-partial", "--set", "api_base_url=" + c["api_base_url"]]
    for k, v in c["fields"].items():
        argv += ["--set", f"{k}={v}"]
    code, out, err = cli(*argv, env=secret_env(cid))
    if code != 0:
        raise RuntimeError(f"connect {cid}: {code} {out} {err}")
    return json.loads(out)["account"]["id"]


# ---- What the database holds.
def open_db():
    conn = sqlite3.connect(db, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


FACTS = {
    "users": "SELECT au.external_user_id, p.email, au.status, au.role, au.license_sku "
             "FROM app_users au LEFT JOIN people p ON p.id = au.person_id "
             "WHERE au.source_account_id = :a AND au.app_id = :app",
    "licenses": "SELECT sku, name, total, assigned FROM licenses WHERE source_account_id = :a",
    "custom_fields": "SELECT external_user_id, label, value FROM custom_user_fields WHERE source_account_id = :a",
    "transactions": "SELECT external_id, amount, currency, vendor, date, description "
                    "FROM transactions WHERE source_account_id = :a",
    "groups": "SELECT external_id, name, members FROM groups WHERE source_account_id = :a",
    # An app stays discovered by the account; what the last sync reported
    # are the numbers.
    "discovered_apps": "SELECT a.name, s.user_count, s.spend FROM app_sources s JOIN apps a ON a.id = s.app_id "
                       "WHERE s.source_account_id = :a AND s.app_id <> :app "
                       "AND (s.user_count IS NOT NULL OR s.spend IS NOT NULL)",
    # Who the identity provider assigned to each app, and their number (an
    # app it no longer reports, or assigns nobody to, counts 0: such apps
    # stay discovered, so they are left out, as above).
    "app_assignments": "SELECT a.name, s.assigned_count, "
                       "  (SELECT count (*) FROM app_users au WHERE au.source_account_id = s.source_account_id "
                       "   AND au.app_id = s.app_id AND au.source_kind = 'idp') "
                       "FROM app_sources s JOIN apps a ON a.id = s.app_id "
                       "WHERE s.source_account_id = :a AND s.app_id <> :app AND s.assigned_count > 0",
}
# usage only overlays app_users.last_activity, which users also writes: its
# content is not separable per data type, so it is not compared.


def accounts(conn):
    return conn.execute("SELECT id, connector_id, app_id, status, keyring_delete_pending FROM accounts "
                        "ORDER BY id").fetchall()


def enabled_types(conn, account_id):
    return [r[0] for r in conn.execute("SELECT data_type FROM account_data_types WHERE account_id = ? AND enabled",
                                       (account_id,))]


def content(conn, account_id, app_id, data_type):
    if data_type not in FACTS:
        return None
    rows = conn.execute(FACTS[data_type], {"a": account_id, "app": app_id}).fetchall()
    return sorted(rows, key=repr)


def snapshot(conn):
    snap = {}
    for account_id, cid, app_id, status, _ in accounts(conn):
        if status == "disconnected":
            continue
        for dt in enabled_types(conn, account_id):
            c = content(conn, account_id, app_id, dt)
            if c is not None:
                snap[(cid, dt)] = c
    return snap


def keyring_scope(conn):
    row = conn.execute("SELECT value FROM meta WHERE key = 'keyring_scope'").fetchone()
    return row[0] if row else ""


def has_secret(account_id, scope):
    return Secret.password_lookup_sync(SCHEMA, {"account": str(account_id), "scope": scope}, None) is not None


def invariants(expected, label):
    """Checks the database after a kill; returns a list of problems."""
    problems = []
    conn = open_db()
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:5]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        scope = keyring_scope(conn)
        for account_id, cid, app_id, status, pending in accounts(conn):
            secret = has_secret(account_id, scope)
            if status == "disconnected":
                for dt, sql in FACTS.items():
                    rows = conn.execute(sql, {"a": account_id, "app": app_id}).fetchall()
                    if rows:
                        problems.append(f"disconnected account {account_id} ({cid}) still supplies {len(rows)} {dt}")
                restorable = conn.execute("SELECT count (*) FROM restore_snapshots WHERE account_id = ?",
                                          (account_id,)).fetchone()[0]
                if secret and not pending and not restorable:
                    problems.append(f"disconnected account {account_id} ({cid}) kept its keyring item "
                                    "without a restore snapshot or a pending deletion")
                continue
            leftovers = conn.execute("SELECT (SELECT count (*) FROM restore_snapshots WHERE account_id = :a) + "
                                     "(SELECT count (*) FROM restore_app_users WHERE source_account_id = :a)",
                                     {"a": account_id}).fetchone()[0]
            if leftovers:
                problems.append(f"connected account {account_id} ({cid}) has {leftovers} restore snapshot rows")
            if not secret:
                problems.append(f"account {account_id} ({cid}) has no keyring item")
            for dt in enabled_types(conn, account_id):
                c = content(conn, account_id, app_id, dt)
                if c is None:
                    continue
                options = [snaps[g].get((cid, dt)) for g in (0, 1)]
                if c not in options:
                    problems.append(f"account {account_id} ({cid}) {dt}: {len(c)} rows, neither the old "
                                    f"({len(options[0] or [])}) nor the new ({len(options[1] or [])}) content")
    finally:
        conn.close()
    return problems


def only_held(err):
    """Whether every line of a sync's stderr is drift protection holding a
    users sync (an identity provider whose directory shrank between the two
    generations); nothing else failed."""
    lines = [ln for ln in err.strip().splitlines() if ln]
    return bool(lines) and all(ln.startswith("portico-cli: Held: ") for ln in lines)


def sync_all():
    """sync --all; users syncs that drift protection held are applied, as an
    admin would (apply-held), so the content is the generation's."""
    code, out, err = cli("sync", "--all", "--json")
    if code != 1 or not only_held(err):
        return code, out, err
    try:
        doc = json.loads(out)
    except ValueError:
        return code, out, err
    for result in doc:
        if any(t.get("error_code") == "held" for t in result.get("data_types", [])):
            c, o, e = cli("apply-held", str(result["account"]))
            if c != 0:
                return c, o, e
    return 0, out, err


def full_sync(gen):
    """The next sync, not killed: must succeed and give generation gen's content."""
    code, out, err = sync_all()
    problems = []
    if code != 0:
        problems.append(f"sync --all after the kill: exit {code}: {err.strip()} {out[:500]}")
    conn = open_db()
    try:
        now = snapshot(conn)
    finally:
        conn.close()
    for key, rows in now.items():
        if rows != snaps[gen].get(key):
            problems.append(f"{key[0]} {key[1]} after the next sync: {len(rows)} rows, "
                            f"expected {len(snaps[gen].get(key) or [])}")
    return problems


def kill_after(argv, delay):
    p = subprocess.Popen([args.cli, "--db", db, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=base_env, text=True)
    try:
        p.wait(timeout=delay)
        return False, p.returncode, p.stderr.read()
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True, -9, ""


snaps = {}
figures = {"sync": 0, "sync_killed": 0, "disconnect": 0, "disconnect_killed": 0, "reconnected": 0}
try:
    # ---- Calibration: the old and the new content of every (account, data
    # type), and how long a sync and a disconnect take here.
    start_sandbox(0)
    for cid in CONNECTORS:
        connect(cid)
    durations = []
    for rnd in range(4):
        gen = rnd % 2
        start_sandbox(gen)
        t0 = time.monotonic()
        code, out, err = sync_all()
        durations.append(time.monotonic() - t0)
        if code != 0:
            raise RuntimeError(f"calibration sync: {code} {err} {out[:1000]}")
        conn = open_db()
        snaps[gen] = snapshot(conn)
        conn.close()
    sync_time = max(durations)
    print(f"# calibration: sync --all takes {sync_time:.3f} s here", file=sys.stderr)
    differ = [k for k in snaps[0] if snaps[0][k] != snaps[1].get(k)]
    check("the two sandbox generations give different content",
          len(differ) >= len(CONNECTORS), f"{len(differ)} of {len(snaps[0])} differ")
    check("calibration syncs give every (account, data type) a content",
          len(snaps[0]) >= len(CONNECTORS) and snaps[0].keys() == snaps[1].keys(),
          f"{sorted(snaps[0].keys())} / {sorted(snaps[1].keys())}")

    # ---- The trials.
    failed_trials = []
    for trial in range(1, args.trials + 1):
        conn = open_db()
        live = [(a, c) for a, c, _, s, _ in accounts(conn) if s != "disconnected"]
        conn.close()
        kind = "disconnect" if rng.random() < 0.25 and live else "sync"
        target = 1 - generation
        start_sandbox(target)
        if kind == "sync":
            which = rng.choice([None, None] + [a for a, _ in live])
            argv = ["sync", "--all"] if which is None else ["sync", str(which)]
            delay = rng.uniform(0.0, sync_time * (1.0 if which is None else 0.4))
        else:
            which, which_cid = rng.choice(live)
            argv = ["disconnect", str(which), "--yes"]
            delay = rng.uniform(0.0, 0.25)
        killed, code, err = kill_after(argv, delay)
        figures[kind] += 1
        figures[kind + "_killed"] += killed
        label = f"trial {trial}: {' '.join(argv)} {'killed' if killed else 'finished'} after {delay:.3f} s"
        problems = invariants(snaps, label)
        if not killed and code != 0 and not (kind == "sync" and code == 1 and only_held(err)):
            problems.append(f"{' '.join(argv)} exited {code} without being killed: {err.strip()}")
        if kind == "disconnect":
            conn = open_db()
            gone = conn.execute("SELECT status = 'disconnected' FROM accounts WHERE id = ?", (which,)).fetchone()[0]
            conn.close()
            if gone:
                # Connect the app again, as an admin would.
                connect(which_cid)
                figures["reconnected"] += 1
        problems += full_sync(target)
        if problems:
            failed_trials.append(f"{label}:\n  " + "\n  ".join(problems))
        print(f"# {label}: {'ok' if not problems else 'FAILED'}", file=sys.stderr)

    check(f"{args.trials} kill trials ({figures['sync']} syncs, {figures['sync_killed']} killed; "
          f"{figures['disconnect']} disconnects, {figures['disconnect_killed']} killed): integrity, foreign keys, "
          f"old-or-new content, keyring items, next sync", not failed_trials, "\n".join(failed_trials))

    # ---- The disk fills up under a sync.
    def full_disk_check(name, preexec, db_path):
        before_conn = sqlite3.connect(db_path)
        before = snapshot(before_conn)
        before_conn.close()
        start_sandbox(1 - generation)
        p = subprocess.run([args.cli, "--db", db_path, "sync", "--all", "--json"], capture_output=True,
                           text=True, env=base_env, stdin=subprocess.DEVNULL, preexec_fn=preexec, timeout=120)
        # A users sync held by drift protection says so first; the disk
        # error is the sentence after it.
        lines = [ln for ln in p.stderr.strip().splitlines() if ln and not ln.startswith("portico-cli: Held: ")]
        print(f"# {name}: exit {p.returncode}: {lines[0] if lines else ''}", file=sys.stderr)
        conn = sqlite3.connect(db_path)
        after = snapshot(conn)
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        conn.close()
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            doc = None
        check(f"{name}: sync --all exits 1", p.returncode == 1, f"{p.returncode} {p.stderr} {p.stdout[:800]}")
        check(f"{name}: one clear sentence on stderr about the database or the disk",
              len(lines) >= 1 and lines[0].startswith("portico-cli: ") and lines[0].rstrip().endswith(".")
              and any(w in lines[0].lower() for w in ("disk", "space", "full", "written")), p.stderr)
        # Each (account, data type) is replaced in its own transaction: those
        # that fit may hold the new content, none may hold anything else.
        target = generation
        wrong = [k for k in before if after.get(k) not in (before[k], snaps[target].get(k))]
        kept = [k for k in before if after.get(k) == before[k] and before[k] != snaps[target].get(k)]
        check(f"{name}: every (account, data type) holds its old or new content, integrity_check ok",
              not wrong and after.keys() == before.keys() and integrity == [("ok",)],
              f"{integrity} wrong: {wrong}")
        check(f"{name}: the data types that did not fit kept their old content", kept, f"{len(kept)} kept")
        return doc

    if not args.no_disk:
        # A file-size limit: SQLite's writes past it fail (EFBIG), an I/O
        # error. The WAL starts empty and cannot grow past 64 KiB.
        limit = 64 * 1024

        def limited():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        # Start from a checkpointed file so that the WAL starts empty.
        conn = open_db()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        full_disk_check("I/O error (file size limit)", limited, db)
        code, out, err = sync_all()
        check("after the I/O error, the next sync succeeds", code == 0, f"{code} {err} {out[:500]}")

        # A full file system: a tmpfs as large as the database (root only).
        mnt = os.path.join(tmp.name, "full")
        os.mkdir(mnt)
        mounted = False
        if os.geteuid() == 0:
            conn = open_db()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            kb = os.path.getsize(db) // 1024 + 48
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", mnt],
                                     capture_output=True).returncode == 0
        if mounted:
            try:
                small_db = os.path.join(mnt, "portico.db")
                shutil.copyfile(db, small_db)
                full_disk_check("disk full (tmpfs)", None, small_db)
            finally:
                subprocess.run(["umount", "-l", mnt])
        else:
            print("# disk full (tmpfs): skipped, needs root to mount a tmpfs", file=sys.stderr)

    print(f"# figures: trials {args.trials}, seed {seed}, {json.dumps(figures)}", file=sys.stderr)
except Exception as e:  # noqa: BLE001
    import traceback
    check("the kill test ran to its end", False, traceback.format_exc())
finally:
    stop_sandbox()

sys.exit(finish())
