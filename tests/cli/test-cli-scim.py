#!/usr/bin/env python3
# test-cli-scim.py: the SCIM 2.0 template for custom connectors against the
# sandbox's SCIM 2.0 service (RFC 7644), as a TAP test: the service's list
# and error shapes, a connection test through the real runtime, and (with a
# keyring) connect, sync and the users it read; Try it (`connectors try`) on
# the template; and a custom connector in the data folder leaves the demo
# ports of the shipped connectors alone.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

CLI = sys.argv[1]
SANDBOX = sys.argv[2]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


tmp = tempfile.TemporaryDirectory(prefix="portico-cli-scim-")
db = os.path.join(tmp.name, "portico.db")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PORTICO_FIELD_")}
ENV["XDG_DATA_HOME"] = os.path.join(tmp.name, "data")
keyring = os.environ.get("PORTICO_TEST_KEYRING") == "1"
if not keyring:
    ENV.pop("DISPLAY", None)
    ENV["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/portico-test-bus"


def start_sandbox(*extra):
    p = subprocess.Popen([SANDBOX, "--json", "--size", "40", "--seed", "3", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    text = ""
    while True:
        line = p.stdout.readline()
        if line == "":
            p.wait()
            return p, None
        text += line
        try:
            return p, json.loads(text)
        except ValueError:
            pass


def stop(p):
    p.terminate()
    p.wait(timeout=30)


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token,
                                               "Accept": "application/scim+json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), json.loads(e.read())


def run(*args, env=None):
    full = dict(ENV)
    full.update(env or {})
    p = subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env=full, timeout=90)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    return p.returncode, doc, p.stdout, p.stderr


sandbox, info = start_sandbox()
if info is None or not info.get("scim_url"):
    print("1..1")
    print("not ok 1 - the sandbox serves a SCIM 2.0 service and names it in --json")
    sys.exit(1)
scim = info["scim_url"]

# ---- The service speaks RFC 7644 section 3.4.2 (list) and 3.12 (errors).
status, ctype, doc = get(scim + "/Users?startIndex=1&count=1000", "sandbox-ok")
everyone = doc.get("Resources", []) if isinstance(doc, dict) else []
check("GET /Users: 200, a ListResponse in application/scim+json",
      status == 200 and ctype.startswith("application/scim+json")
      and doc["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], f"{status} {ctype} {doc!r}"[:300])
check("... totalResults counts every user", len(everyone) > 5 and doc["totalResults"] == len(everyone), doc.get("totalResults"))
status, ctype, page = get(scim + "/Users?startIndex=3&count=2", "sandbox-ok")
check("startIndex and count select a page: startIndex 3, itemsPerPage 2, the 3rd and 4th users",
      status == 200 and page["startIndex"] == 3 and page["itemsPerPage"] == 2
      and [u["id"] for u in page["Resources"]] == [u["id"] for u in everyone[2:4]], page)
check("each resource is a core User with an id, a userName and one primary email",
      all(u["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"] and u["id"] and u["userName"]
          and sum(1 for e in u["emails"] if e.get("primary") is True) == 1 for u in everyone))
status, ctype, err = get(scim + "/Users", "sandbox-bad")
check("a refused token: 401 with the Error schema and the status as a string",
      status == 401 and err["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
      and err["status"] == "401" and err.get("detail"), err)

# ---- Try it: the template's first page, read and mapped without importing it.
template = os.path.join(os.environ["PORTICO_CONNECTORS_DIR"], "templates", "scim-2.0.json")
code, doc, out, errtext = run("connectors", "try", template, "--set", "scim_base_url=" + scim, "--json",
                              env={"PORTICO_FIELD_BEARER_TOKEN": "sandbox-ok"})
first_page = everyone[:100]
check("connectors try --json: exit 0, status 200, the first page's count, the items at Resources",
      code == 0 and doc is not None and doc["status"] == 200 and doc["total"] == len(first_page)
      and doc["items_path"] == "Resources", f"{code} {out[:300]!r} {errtext!r}")
doc = doc or {}
check("... the raw records as the service sent them, at most 20",
      doc.get("records") == first_page[:20], str(doc.get("records"))[:300])
check("... the rows mapped by the template: id, the primary email, status (active unless false)",
      [(r["external_id"], r["email"], r["status"]) for r in doc.get("rows", [])]
      == [(u["id"], next(e["value"] for e in u["emails"] if e["primary"]),
           "suspended" if u.get("active") is False else "active") for u in first_page[:20]],
      str(doc.get("rows"))[:300])
paths = {json.dumps(p["path"]) if not isinstance(p["path"], str) else p["path"]: p["sample"]
         for p in doc.get("paths", [])}
check("... the paths to map include the primary email by what it is, with a sample",
      paths.get("emails[primary=true].value") == next(e["value"] for e in first_page[0]["emails"] if e["primary"])
      and paths.get("userName") == first_page[0]["userName"] and "emails.0.value" in paths, str(paths)[:300])
code, doc, out, errtext = run("connectors", "try", template, "--set", "scim_base_url=" + scim,
                              env={"PORTICO_FIELD_BEARER_TOKEN": "sandbox-ok"})
check("connectors try prints the mapped rows as a table",
      code == 0 and out.startswith("EXTERNAL_ID") and first_page[0]["id"] in out
      and "items on the first page" in out, f"{code} {out[:300]!r} {errtext!r}")
code, doc, out, errtext = run("connectors", "try", template, "--set", "scim_base_url=" + scim,
                              env={"PORTICO_FIELD_BEARER_TOKEN": "sandbox-bad"})
check("connectors try with a rejected token: exit 1 with the runtime's sentence and the SCIM detail, no token",
      code == 1 and "rejected the credentials" in errtext and "invalid or has been revoked" in errtext
      and "sandbox-bad" not in out + errtext, f"{code} {out!r} {errtext!r}")
check("connectors try imported nothing",
      not os.path.exists(os.path.join(ENV["XDG_DATA_HOME"], "portico", "connectors", "scim-app.json")))

# ---- The template, imported as a custom connector, tested through the runtime.
code, _, out, errtext = run("connectors", "import", template, "--yes")
check("the template imports", code == 0, errtext)
ok = {"PORTICO_FIELD_BEARER_TOKEN": "sandbox-ok"}
code, doc, out, errtext = run("test", "scim-app", "--set", "scim_base_url=" + scim, "--json", env=ok)
check("test with only the base URL and a bearer token: outcome A",
      code == 0 and doc is not None and doc["outcome"] == "A", f"{code} {out!r} {errtext!r}")
code, doc, out, errtext = run("test", "scim-app", "--set", "scim_base_url=" + scim, "--json",
                              env={"PORTICO_FIELD_BEARER_TOKEN": "sandbox-bad"})
check("a rejected token: outcome C with the SCIM error's detail",
      code == 1 and doc is not None and doc["outcome"] == "C"
      and "invalid or has been revoked" in json.dumps(doc), f"{code} {out!r} {errtext!r}")
code, doc, out, errtext = run("test", "scim-app", "--set", "scim_base_url=http://example.com/scim", "--json", env=ok)
check("a plain http:// base URL away from this computer is refused before any request",
      code == 1 and "SCIM base URL" in out + errtext, f"{code} {out!r} {errtext!r}")

if keyring:
    code, doc, out, errtext = run("connect", "scim-app", "--set", "scim_base_url=" + scim,
                                  "--name", "Acme SCIM", "--json", env=ok)
    account = doc["account"]["id"] if code == 0 and doc else None
    check("connect", code == 0 and account is not None, f"{code} {out!r} {errtext!r}")
    code, doc, out, errtext = run("sync", str(account), "--json")
    check("sync reads every page (100 per page) without error",
          code == 0 and doc is not None and doc["status"] == "ok"
          and doc["data_types"][0]["items"] == len(everyone), f"{code} {out!r} {errtext!r}")
    code, users, out, errtext = run("users", "--json")
    emails = sorted(u["email"] for u in users or [])
    check("the users read are the service's, by their primary email",
          emails == sorted(next(e["value"] for e in u["emails"] if e["primary"]) for u in everyone),
          f"{emails[:3]}")
    code, doc, out, errtext = run("disconnect", str(account), "--yes", "--json")
    check("disconnect", code == 0, errtext)
    code, doc, out, errtext = run("forget", str(account))
    check("forget its credentials", code == 0, errtext)
stop(sandbox)

# ---- Demo ports: the custom connector comes after every shipped one.
base = random.randrange(21000, 26000)
ids = None
for attempt in range(5):
    with_custom, doc_with = start_sandbox("--port-base", str(base))
    if doc_with is not None:
        break
    base = random.randrange(21000, 26000)
if doc_with is not None:
    stop(with_custom)
    os.rename(os.path.join(ENV["XDG_DATA_HOME"], "portico", "connectors", "scim-app.json"),
              os.path.join(tmp.name, "moved.json"))
    without, doc_without = start_sandbox("--port-base", str(base))
    if without is not None and doc_without is not None:
        stop(without)
    urls_with = {c["id"]: c["api_base_url"] for c in doc_with["connectors"]}
    urls_without = {c["id"]: c["api_base_url"] for c in (doc_without or {}).get("connectors", [])}
    check("with a custom connector every shipped connector keeps its demo port",
          urls_without and all(urls_with[k] == v for k, v in urls_without.items()), (urls_with, urls_without))
    ports = sorted(int(u.rsplit(":", 1)[1]) for u in urls_without.values())
    custom_port = int(urls_with.get("scim-app", "x:0").rsplit(":", 1)[1])
    check("... and is served after them, the admin endpoint, the redirect target and the SCIM service",
          custom_port == base + len(ports) + 3 and doc_with["admin_url"] == doc_without["admin_url"],
          (custom_port, base, len(ports)))
else:
    check("the sandbox starts on a fixed port base", False, "no free port base found")

print(f"1..{len(results)}")
failed = 0
for i, (name, ok_, detail) in enumerate(results, 1):
    print(f"{'ok' if ok_ else 'not ok'} {i} - {name}")
    if not ok_:
        failed += 1
        for line in str(detail).splitlines() or [""]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
