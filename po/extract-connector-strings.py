#!/usr/bin/env python3
# extract-connector-strings.py: the user-visible strings of the connector
# definitions (connectors/*.json) as a gettext template on stdout, to be
# merged into po/portico.pot (po/update-pot does). Runs over whatever
# connector files exist, so a new connector's labels are picked up without
# a list to keep. At run time the catalog looks the same strings up in the
# app's domain (portico_connector_translate_definition).
#
# Which members are translated is the same list as in
# src/core/portico-connector-i18n.c: keep the two in step.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import sys

# (path, member): path items are member names, "[]" (every element of an
# array) or "*" (every member of an object).
TRANSLATABLE = [
    ((), "help"),
    (("fields", "[]"), "label"),
    (("fields", "[]"), "help"),
    (("fields", "[]", "choices", "[]"), "label"),
    (("permissions", "[]"), "label"),
    (("permissions", "[]"), "help"),
    (("data_types", "*"), "label"),
    (("data_types", "*"), "requirement"),
    (("actions", "[]"), "label"),
    (("actions", "[]"), "help"),
    (("actions", "*"), "label"),
    (("actions", "*"), "help"),
]


def objects_at(node, path):
    if not path:
        if isinstance(node, dict):
            yield node
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        if isinstance(node, list):
            for item in node:
                yield from objects_at(item, rest)
    elif head == "*":
        if isinstance(node, dict):
            for item in node.values():
                yield from objects_at(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from objects_at(node[head], rest)


def po_quote(text):
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + text + '"'


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    strings = {}  # msgid -> [references]
    for path in sorted(glob.glob(os.path.join(src, "connectors", "*.json"))):
        rel = os.path.relpath(path, src)
        with open(path, encoding="utf-8") as f:
            try:
                definition = json.load(f)
            except ValueError:
                continue  # the catalog test names the broken file
        for obj_path, member in TRANSLATABLE:
            for obj in objects_at(definition, obj_path):
                value = obj.get(member)
                if isinstance(value, str) and value.strip():
                    refs = strings.setdefault(value, [])
                    if rel not in refs:
                        refs.append(rel)

    out = sys.stdout
    out.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
    for msgid, refs in strings.items():
        out.write("#. Connector definition text\n")
        out.write("#: " + " ".join(refs) + "\n")
        if "%" in msgid:
            out.write("#, no-c-format\n")
        out.write("msgid " + po_quote(msgid) + '\nmsgstr ""\n\n')


if __name__ == "__main__":
    main()
