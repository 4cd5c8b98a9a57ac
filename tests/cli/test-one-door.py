#!/usr/bin/env python3
# test-one-door.py: the engine is the only door for what changes or judges
# an account (DESIGN.md). No file of the GUI or the CLI renames, previews,
# disconnects or forgets an account, or makes, reads or deletes keyring items,
# by calling the store or the keyring itself; they call the engine's
# _async/_finish, and the keyring object is the engine's own.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys

root = sys.argv[1]
forbidden = re.compile(r"\b(portico_store_(rename_account|preview_disconnect|disconnect|forget_account|"
                       r"clear_keyring_pending|set_keyring_state|restore_account|forget_credentials|expire_snapshots)\w*|portico_credentials_(new|delete|store|lookup)\w*|"
                       r"portico_account_find_problems)\s*\(")
results = []
for area in ("src/cli", "src/gui"):
    for name in sorted(os.listdir(os.path.join(root, area))):
        if not name.endswith((".c", ".h")):
            continue
        path = os.path.join(root, area, name)
        with open(path, encoding="utf-8") as f:
            hits = [f"{i}: {line.strip()}" for i, line in enumerate(f, 1) if forbidden.search(line)]
        results.append((f"{area}/{name} goes through the engine", not hits, hits))

# The check must be able to fail: it finds the calls in the engine itself.
with open(os.path.join(root, "src/core/portico-engine.c"), encoding="utf-8") as f:
    engine_hits = sum(1 for line in f if forbidden.search(line))
results.append(("the pattern finds the engine's own store and keyring calls", engine_hits >= 3, engine_hits))

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        for line in detail if isinstance(detail, list) else [detail]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
