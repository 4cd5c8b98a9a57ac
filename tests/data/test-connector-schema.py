#!/usr/bin/env python3
# test-connector-schema.py: connectors/schema/connector.schema.json matches
# the format: every shipped connector and template and every example in
# connectors/README.md is valid against it, and every key and choice the
# loader (src/core/portico-connector*.c) accepts is in the schema and in the
# README (TAP).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import re
import sys

import jsonschema

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
CONNECTORS = os.path.join(SRC, "connectors")

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


with open(os.path.join(CONNECTORS, "schema", "connector.schema.json"), encoding="utf-8") as f:
    schema_text = f.read()
schema = json.loads(schema_text)
validator_cls = jsonschema.Draft202012Validator
try:
    validator_cls.check_schema(schema)
    check("the schema is a valid JSON Schema (2020-12)", True)
except jsonschema.SchemaError as e:
    check("the schema is a valid JSON Schema (2020-12)", False, e.message)


def errors_against(document, ref="#"):
    """The first few errors of @document against the schema part @ref."""
    part = dict(schema)
    if ref != "#":
        part = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": ref}
    v = validator_cls(part)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message[:200])
            for e in list(v.iter_errors(document))[:3]]


# ---- Every shipped file.
files = sorted(glob.glob(os.path.join(CONNECTORS, "*.json")))
files += sorted(glob.glob(os.path.join(CONNECTORS, "templates", "*.json")))
check("there are shipped connectors to check", len(files) > 10, len(files))
for path in files:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errs = errors_against(doc)
    check("%s is valid against the schema" % os.path.relpath(path, CONNECTORS), not errs, "; ".join(errs))
    # Issue 11: a shipped connector cites the vendor's API reference it
    # follows (docs_url) and the page where the admin creates the
    # credential (help_url), both https.
    if os.path.dirname(path) == CONNECTORS:
        for key in ("docs_url", "help_url"):
            check("%s has an https %s" % (os.path.basename(path), key),
                  str(doc.get(key, "")).startswith("https://"), doc.get(key))

# ---- Every README example, against the part it names.
with open(os.path.join(CONNECTORS, "README.md"), encoding="utf-8") as f:
    readme = f.read()
blocks = list(re.finditer(r"(?:<!-- schema: (\S+) -->\n)?```json\n(.*?)```", readme, re.S))
check("the README has examples", len(blocks) >= 15, len(blocks))
for i, m in enumerate(blocks):
    ref, text = m.group(1), m.group(2)
    line = readme.count("\n", 0, m.start()) + 1
    name = "README example at line %d" % line
    if ref == "fragment":
        continue  # a member shown inside its surroundings, not a whole part
    if ref is None:
        check(name + " names its schema part", False, "add <!-- schema: #/$defs/... --> before it")
        continue
    try:
        doc = json.loads(text)
    except ValueError as e:
        check(name + " is JSON", False, str(e))
        continue
    errs = errors_against(doc, ref)
    check("%s is valid against %s" % (name, ref), not errs, "; ".join(errs))

# ---- Every key and choice the loader accepts.
sources = sorted(glob.glob(os.path.join(SRC, "src", "core", "portico-connector*.c")))
arrays = {}
for path in sources:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for m in re.finditer(r"(?:static )?const char \* const (\w+)\[\] = \{(.*?)\};", text, re.S):
        words = re.findall(r'"([^"]*)"', m.group(2))
        arrays.setdefault(m.group(1), set()).update(words)
check("the loader's key lists were found", len(arrays) > 20, sorted(arrays))

# The relative date formats are written after a colon ({now-7d:epoch}).
DATE_FORMATS = "formats"
for name, words in sorted(arrays.items()):
    for word in sorted(words):
        if not word:
            continue
        if name == DATE_FORMATS:
            in_schema = re.search(r"\b%s\b" % re.escape(word), schema["$defs"]["template"]["description"])
            in_readme = ":%s" % word in readme
        else:
            in_schema = '"%s"' % word in schema_text or "{%s}" % word in schema_text
            in_readme = any(form % word in readme for form in ("`%s`", '"%s"', "{%s}"))
        check("“%s” (%s) is in the schema" % (word, name), bool(in_schema))
        check("“%s” (%s) is in the README" % (word, name), bool(in_readme))

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail != "":
        print("# %s" % str(detail).replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
