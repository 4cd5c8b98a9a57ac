#!/usr/bin/env python3
# test-manpage.py: data/portico-cli.1 describes every command and option that
# `portico-cli --help` lists, and every command of the CLI contract (TAP).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import sys

CLI, MANPAGE = sys.argv[1], sys.argv[2]

# SPEC 9, the stable contract, including the commands --help may not list yet.
CONTRACT = ["connectors", "test", "connect", "accounts", "sync", "rename", "reconnect",
            "disconnect", "apps", "users", "licenses", "workflows", "audit",
            "attention", "recommended"]

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


env = dict(os.environ, LANGUAGE="C", LC_ALL="C")
help_text = subprocess.run([CLI, "--help"], capture_output=True, text=True,
                           env=env, stdin=subprocess.DEVNULL, timeout=30).stdout
with open(MANPAGE, encoding="utf-8") as f:
    man = f.read()

# The commands section: "  name ARGS" lines until the next blank line; a
# line like "  apps | users | … [--json]" names several.
commands = []
in_commands = False
for line in help_text.splitlines():
    if line.strip().endswith(":") and not line.startswith(" "):
        in_commands = line.strip() == "Commands:"
        continue
    if not in_commands or not line.strip():
        in_commands = in_commands and bool(line.strip())
        continue
    m = re.match(r"^  ([a-z][a-z-]*(?:\s*\|\s*[a-z][a-z-]*)*)\b", line)
    if m:
        commands += [c.strip() for c in m.group(1).split("|")]
options = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text)))

check("--help lists commands", len(commands) >= 10, repr(commands))
check("--help lists options", len(options) >= 5, repr(options))

# A command is described when it starts a tagged paragraph (.TP then .B name).
described = set(re.findall(r"^\.TP\n\.B ([a-z][a-z-]*)", man, re.M))
for command in commands:
    check(f"the man page describes the command {command} of --help", command in described)
for command in CONTRACT:
    check(f"the man page describes the contract's command {command}", command in described)
for option in options:
    check(f"the man page names the option {option}", option.replace("-", r"\-") in man)

check("the man page has the usual sections",
      all(f".SH {s}" in man for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS",
                                       "EXIT STATUS", "ENVIRONMENT", "FILES")))

groff = shutil.which("groff")
if groff:
    p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", MANPAGE],
                       capture_output=True, text=True, env=dict(os.environ, LC_ALL="C.UTF-8"))
    check("groff formats it without a warning", p.returncode == 0 and p.stderr == "", p.stderr)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print(f"# {detail}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
