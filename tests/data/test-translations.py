#!/usr/bin/env python3
# test-translations.py: POTFILES lists every file with user-visible strings,
# the German translation is complete and valid, the connector extractor and
# the run-time lookup agree on what is translated, and portico-cli speaks
# German under LANGUAGE=de, connector labels included (TAP).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import re
import subprocess
import sys

SRC, CLI = sys.argv[1], sys.argv[2]

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


# ---- POTFILES: complete, and nothing listed that is gone.
with open(os.path.join(SRC, "po", "POTFILES.in")) as f:
    listed = {l.strip() for l in f if l.strip() and not l.startswith("#")}
MARKERS = re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext|g_dpgettext2)\s*\(\s*(?:[A-Z_]+\s*,\s*)?"|translatable="yes"')
candidates = []
for pattern in ("src/**/*.c", "src/**/*.ui", "data/*.in", "data/*.xml"):
    candidates += glob.glob(os.path.join(SRC, pattern), recursive=True)
for path in sorted(candidates):
    rel = os.path.relpath(path, SRC)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if rel.endswith((".in", ".xml")) or MARKERS.search(text):
        if rel.endswith(".xml") and "gschema" not in rel and not rel.endswith(".metainfo.xml.in"):
            continue
        check(f"POTFILES.in lists {rel}", rel in listed)
for rel in sorted(listed):
    check(f"{rel} (in POTFILES.in) exists", os.path.exists(os.path.join(SRC, rel)))

# ---- The German file: valid, complete.
po = os.path.join(SRC, "po", "de.po")
p = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                   capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
check("msgfmt --check accepts de.po", p.returncode == 0, p.stderr)
stats = p.stderr.strip()
check("de.po is complete: no fuzzy or untranslated message",
      re.fullmatch(r"\d+ translated messages\.", stats) is not None, stats)
with open(os.path.join(SRC, "po", "LINGUAS")) as f:
    check("LINGUAS names de", "de" in f.read().split())

# ---- The extractor and the run-time table translate the same members.
sys.path.insert(0, os.path.join(SRC, "po"))
extractor = {}
exec(open(os.path.join(SRC, "po", "extract-connector-strings.py")).read().replace(
    'if __name__ == "__main__":', "if False:"), extractor)
py_rules = set()
for path, member in extractor["TRANSLATABLE"]:
    text = ""
    for step in path:
        text += step if step == "[]" else ("." if text else "") + step
    py_rules.add((text, member))
with open(os.path.join(SRC, "src", "core", "portico-connector-i18n.c")) as f:
    c_rules = set(re.findall(r'\{\s*"([^"]*)",\s*"([^"]+)"\s*\}', f.read()))
check("the extractor and portico-connector-i18n.c list the same members",
      py_rules == c_rules, f"{sorted(py_rules ^ c_rules)}")

p = subprocess.run([sys.executable, os.path.join(SRC, "po", "extract-connector-strings.py"), SRC],
                   capture_output=True, text=True)
msgids = re.findall(r'^msgid "(.+)"$', p.stdout, re.M)
check("the extractor finds the connectors' texts", p.returncode == 0 and len(msgids) > 100,
      f"{len(msgids)} strings")
# Every translated msgid of de.po, its continuation lines joined.
translated = set()
p = subprocess.run(["msgattrib", "--translated", "--no-wrap", po], capture_output=True, text=True)
translated = set(re.findall(r'^msgid "(.+)"$', p.stdout, re.M))
untranslated = [m for m in msgids if m not in translated]
# Connectors added after the German file was written are not failures:
# their texts stay English until a translator merges them (po/update-pot).
print(f"# connector texts without a German translation yet: {len(untranslated)}")

# ---- portico-cli in German.
env = dict(os.environ, LANGUAGE="de", LC_ALL="C.UTF-8")
env.pop("DISPLAY", None)
p = subprocess.run([CLI, "no-such-command"], capture_output=True, text=True, env=env,
                   stdin=subprocess.DEVNULL)
check("a usage error is German", "ist kein Befehl" in p.stderr and p.returncode == 2, p.stderr)
p = subprocess.run([CLI, "connectors"], capture_output=True, text=True, env=env,
                   stdin=subprocess.DEVNULL)
check("table headings are German", "KATEGORIE" in p.stdout.splitlines()[0], p.stdout[:200])
p = subprocess.run([CLI, "connectors", "--json"], capture_output=True, text=True, env=env,
                   stdin=subprocess.DEVNULL)
try:
    connectors = {c["id"]: c for c in json.loads(p.stdout)}
except ValueError:
    connectors = {}
okta = connectors.get("okta", {"fields": []})
labels = {f["id"]: f["label"] for f in okta["fields"]}
check("connector field labels are German", labels.get("okta_domain") == "Okta-Domain", labels)
check("the implicit API base URL field is German", labels.get("api_base_url") == "API-Basis-URL", labels)
env_c = dict(env, LANGUAGE="C", LC_ALL="C")
p = subprocess.run([CLI, "connectors", "--json"], capture_output=True, text=True, env=env_c,
                   stdin=subprocess.DEVNULL)
okta_c = {c["id"]: c for c in json.loads(p.stdout)}.get("okta", {"fields": []})
check("and English without a German locale",
      {f["id"]: f["label"] for f in okta_c["fields"]}.get("okta_domain") == "Okta domain")

# ---- Numbers as the locale groups them (printf's ' flag under LC_NUMERIC),
# in tables and in Activity sentences, and times in the locale's format;
# --json keeps plain numbers and ISO 8601.
import sqlite3
import tempfile

tmp = tempfile.TemporaryDirectory(prefix="portico-i18n-")
db = os.path.join(tmp.name, "portico.db")
env_db = dict(env, XDG_DATA_HOME=os.path.join(tmp.name, "data"), TZ="UTC",
              DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/portico-test-bus")
subprocess.run([CLI, "--db", db, "accounts", "--json"], capture_output=True, env=env_db,
               stdin=subprocess.DEVNULL, check=True)
con = sqlite3.connect(db)
con.executescript("""
INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Slack', 'slack', 'communication');
INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status, last_sync_at) VALUES
  (1, 'slack', 1, 'Acme', 'T1', 'read', 'ok', '2024-05-01T10:00:00Z');
INSERT INTO licenses (app_id, sku, total, assigned, source_account_id) VALUES (1, 'pro', 12000, 1351, 1);
INSERT INTO audit_events (time, account_id, kind, details) VALUES ('2024-05-01T10:00:00Z', 1, 'synced',
  '{"data_types":[{"id":"users","status":"ok","items":193},{"id":"custom_fields","status":"ok","items":1351}]}');
""")
con.commit()
con.close()


def cli_in(locale, language, *args):
    p = subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True,
                       env=dict(env_db, LANGUAGE=language, LC_ALL=locale), stdin=subprocess.DEVNULL)
    return p.stdout + p.stderr


installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower().split()
for locale, language, thousands, sentence, when in (
        ("de_DE.UTF-8", "de", "12.000  1.351", "193 Benutzer und 1.351 eigene Details von Acme",
         "01.05.2024 10:00:00"),
        ("en_US.UTF-8", "en", "12,000  1,351", "Synced 193 users and 1,351 custom details from Acme",
         "05/01/2024 10:00:00 AM")):
    if locale.lower().replace("-", "") not in installed:
        check(f"the {locale} locale is installed (build-aux/setup-debian test generates it)", False,
              f"locale -a lists {installed}")
        continue
    out = cli_in(locale, language, "licenses")
    check(f"licenses under {locale} groups the counts: {thousands}", thousands in out, out)
    out = cli_in(locale, language, "audit")
    check(f"the Activity summary under {locale} groups the counts", sentence in out, out)
    check(f"the audit time under {locale} is the locale's date and time: {when}",
          out.splitlines()[1:2] and out.splitlines()[1].startswith(when), out)
    out = cli_in(locale, language, "accounts")
    check(f"the last sync under {locale} is the locale's date and time", when in out, out)
    out = cli_in(locale, language, "licenses", "--json")
    try:
        lic = json.loads(out)[0]
    except (ValueError, IndexError, KeyError):
        lic = {}
    check(f"licenses --json under {locale} keeps plain numbers",
          lic.get("total") == 12000 and lic.get("assigned") == 1351, out)
    out = cli_in(locale, language, "accounts", "--json")
    check(f"accounts --json under {locale} keeps ISO 8601 times",
          '"last_sync_at" : "2024-05-01T10:00:00Z"' in out, out)
con = sqlite3.connect(db)
con.executescript("""
INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status) VALUES
  (1234, 'slack', 1, 'Big', 'T2', 'read', 'ok');
INSERT INTO audit_events (time, account_id, kind, details) VALUES ('2024-05-02T10:00:00Z', 1234, 'renamed',
  '{"old_name":"Old","new_name":"Big"}');
""")
con.commit()
con.close()
out = cli_in("en_US.UTF-8", "en", "accounts")
check("ids are not grouped: the accounts table shows the id 1234",
      any(line.split()[:2] == ["1234", "Big"] for line in out.splitlines()), out)
out = cli_in("en_US.UTF-8", "en", "audit")
check("ids are not grouped: the audit table shows the account 1234",
      any(" 1234 " in line and "renamed" in line for line in out.splitlines()), out)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print("# " + str(detail).replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
