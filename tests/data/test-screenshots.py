#!/usr/bin/env python3
# test-screenshots.py: every screenshot the README and the AppStream
# metainfo name is in data/screenshots, is a PNG of a window's size, and the
# README shows the dark style, German and high contrast too (TAP).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import struct
import sys

SRC = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
    readme = f.read()
with open(os.path.join(SRC, "data", "io.github.portico.Portico.metainfo.xml.in"), encoding="utf-8") as f:
    metainfo = f.read()

named = set(re.findall(r"\]\((data/screenshots/[^)]+\.png)\)", readme))
named |= {"data/screenshots/" + n for n in re.findall(r"/main/data/screenshots/([^<]+\.png)</image>", metainfo)}
check("the README and the metainfo name screenshots", len(named) >= 5, sorted(named))
for rel in sorted(named):
    path = os.path.join(SRC, rel)
    size = png_size(path) if os.path.exists(path) else None
    check(f"{rel} exists and is a PNG of at least 400×300",
          size is not None and size[0] >= 400 and size[1] >= 300, size)

for suffix, what in (("-dark", "the dark style"), ("-de", "German"), ("-high-contrast", "high contrast")):
    check(f"the README shows {what}", any(re.search(re.escape(suffix) + r"\.png$", n) for n in named))

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print("# " + str(detail).replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
