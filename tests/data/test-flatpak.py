#!/usr/bin/env python3
# test-flatpak.py: the Flatpak manifests parse, name a supported GNOME
# runtime, ask for no more than the app needs, and build from sources that
# exist (TAP).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
FLATPAK = os.path.join(SRC, "flatpak")

# The oldest GNOME runtime still supported in December 2026: a GNOME
# runtime ends a month after the release two versions later (47 ended in
# October 2025, after 49), so 49 ended with 51 in autumn 2026, and Flatpak
# warns everyone who installs an ended one.
MIN_RUNTIME = 50
# Secrets go through the Secret portal (libsecret's file backend inside a
# sandbox) and files through the file chooser portal, so no D-Bus name and no
# file system access is needed.
REQUIRED = {"--share=network", "--share=ipc", "--socket=wayland",
            "--socket=fallback-x11", "--device=dri"}
ALLOWED = REQUIRED

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def meson_options():
    with open(os.path.join(SRC, "meson_options.txt")) as f:
        text = f.read()
    return set(re.findall(r"option\('([^']+)'", text)) | {"werror", "buildtype", "prefix",
                                                          "b_sanitize", "warning_level"}


def sources_of(module, base):
    """Every path a module names (its sources, patches and nested modules)."""
    for source in module.get("sources", []):
        if isinstance(source, str):
            yield source, os.path.join(base, source)
            continue
        for key in ("path", "paths"):
            value = source.get(key)
            if isinstance(value, str):
                yield value, os.path.join(base, value)
            elif isinstance(value, list):
                for v in value:
                    yield v, os.path.join(base, v)
    for sub in module.get("modules", []):
        if isinstance(sub, str):
            yield sub, os.path.join(base, sub)
        else:
            yield from sources_of(sub, base)


manifests = sorted(glob.glob(os.path.join(FLATPAK, "*.json")))
check("there are manifests for both profiles",
      {os.path.basename(m) for m in manifests} >= {"io.github.portico.Portico.json",
                                                   "io.github.portico.Portico.Devel.json"},
      repr(manifests))

options = meson_options()
for path in manifests:
    name = os.path.basename(path)
    try:
        with open(path) as f:
            m = json.load(f)
    except ValueError as e:
        check(f"{name}: parses as JSON", False, str(e))
        continue
    check(f"{name}: parses as JSON", isinstance(m, dict))

    check(f"{name}: id matches the file name", m.get("id") + ".json" == name, m.get("id"))
    check(f"{name}: GNOME platform and SDK",
          m.get("runtime") == "org.gnome.Platform" and m.get("sdk") == "org.gnome.Sdk",
          f"{m.get('runtime')} / {m.get('sdk')}")
    version = str(m.get("runtime-version", ""))
    check(f"{name}: a supported runtime ({MIN_RUNTIME} or later)",
          version.isdigit() and int(version) >= MIN_RUNTIME, version)
    check(f"{name}: starts the portico binary", m.get("command") == "portico", m.get("command"))

    args = set(m.get("finish-args", []))
    check(f"{name}: has every permission the app needs", REQUIRED <= args,
          repr(REQUIRED - args))
    check(f"{name}: no permission beyond those", args <= ALLOWED, repr(args - ALLOWED))
    check(f"{name}: no direct D-Bus access (the Secret portal serves secrets)",
          not any(a.startswith(("--talk-name", "--own-name", "--system-talk-name"))
                  or a in ("--socket=session-bus", "--socket=system-bus") for a in args),
          repr(args))
    check(f"{name}: no file system access (the file chooser portal serves files)",
          not any(a.startswith("--filesystem") for a in args), repr(args))

    modules = m.get("modules", [])
    check(f"{name}: builds portico with meson",
          any(isinstance(mod, dict) and mod.get("name") == "portico"
              and mod.get("buildsystem") == "meson" for mod in modules))
    n_sources = 0
    for mod in modules:
        if isinstance(mod, str):
            check(f"{name}: module file {mod} exists",
                  os.path.exists(os.path.join(FLATPAK, mod)))
            continue
        for opt in mod.get("config-opts", []):
            key = opt[2:].split("=", 1)[0] if opt.startswith("-D") else None
            if mod.get("name") == "portico" and key is not None:
                check(f"{name}: option {key} exists in meson_options.txt", key in options, opt)
        for label, full in sources_of(mod, FLATPAK):
            n_sources += 1
            check(f"{name}: source {label} exists", os.path.exists(full), full)
        if mod.get("name") == "portico":
            check(f"{name}: the portico module's source is the project",
                  any(os.path.exists(os.path.join(full, "meson.build"))
                      for _, full in sources_of(mod, FLATPAK)))
    check(f"{name}: names at least one source", n_sources > 0)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print(f"# {detail}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
