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

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print("# " + str(detail).replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
