#!/usr/bin/env python3
# screenshot-accounts.py BUILD_DIR DB: fills DB with connected accounts for the
# README's pictures, the way an admin would: portico-cli connects and syncs
# them against a standalone portico-sandbox; then one account's key is
# revoked in the sandbox and synced again, so that Needs attention has a
# problem to show. Only connectors with keys: one that signs in through the
# browser would wait for a person. Needs a keyring (build-aux/keyring-run).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import sys
import urllib.request

build, db = sys.argv[1], sys.argv[2]
cli = os.path.join(build, "src", "cli", "portico-cli")
# The errors a sync stores are in the language it ran in: the one shown.
env = dict(os.environ, GIO_USE_PROXY_RESOLVER="dummy")

sandbox = subprocess.Popen([os.path.join(build, "src", "sandbox", "portico-sandbox"), "--json"],
                           stdout=subprocess.PIPE, text=True, env=env)
try:
    text = ""
    while True:
        line = sandbox.stdout.readline()
        if not line:
            raise SystemExit("the sandbox exited before describing itself")
        text += line
        try:
            info = json.loads(text)
            break
        except ValueError:
            continue

    def run(*args, secrets=None):
        cenv = dict(env)
        for key, value in (secrets or {}).items():
            cenv["PORTICO_FIELD_" + key.upper()] = value
        p = subprocess.run([cli, "--db", db, *args], env=cenv, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=300)
        if p.returncode not in (0, 1):
            sys.stderr.write(p.stderr)
        return p

    for connector_id, secret in (("okta", "ok"), ("microsoft-entra-id", "ok"), ("github", "ok"),
                                 ("slack", "plan"), ("figma", "ok"), ("pagerduty", "ok"),
                                 ("bamboohr", "ok")):
        c = [c for c in info["connectors"] if c["id"] == connector_id][0]
        args = ["connect", connector_id, "--json", "--set", "api_base_url=" + c["api_base_url"]]
        if secret == "plan":
            args.append("--accept-partial")
        for key, value in c["fields"].items():
            args += ["--set", "%s=%s" % (key, value)]
        run(*args, secrets={field: c["secrets"][secret] for field in c["secret_fields"]})

    # Figma's key is revoked: its next sync fails and it needs attention.
    admin = info["admin_url"]
    req = urllib.request.Request(admin + "/credentials?connector=figma&state=bad", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=10).read()
    run("sync", "--all")
finally:
    sandbox.terminate()
    sandbox.wait(timeout=10)
