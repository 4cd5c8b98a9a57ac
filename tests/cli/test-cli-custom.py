#!/usr/bin/env python3
# test-cli-custom.py: `portico-cli connectors import|export|delete|check`, as a TAP
# test, with the real binary, a real data folder and a real database.
#
# An import shows where the connector sends credentials and asks first; a
# broken file, a shipped id, and an import nobody confirmed save nothing.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import copy
import json
import os
import pty
import sqlite3
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
HINT = "Run 'portico-cli --help' for usage."
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


tmp = tempfile.TemporaryDirectory(prefix="portico-cli-custom-")
data_home = os.path.join(tmp.name, "data")
folder = os.path.join(data_home, "portico", "connectors")
db = os.path.join(tmp.name, "portico.db")
ENV = dict(os.environ)
ENV.pop("DISPLAY", None)
ENV["XDG_DATA_HOME"] = data_home
ENV["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/portico-test-bus"


def run(*args, stdin=subprocess.DEVNULL):
    p = subprocess.run([CLI, "--db", db, *args], capture_output=True, text=True,
                       stdin=stdin, env=ENV, timeout=60)
    return p.returncode, p.stdout, p.stderr


def run_tty(*args, answer):
    """Runs with a terminal on stdin and types @answer at the question."""
    master, slave = pty.openpty()
    p = subprocess.Popen([CLI, "--db", db, *args], stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=ENV)
    os.close(slave)
    os.write(master, answer.encode())
    out, err = p.communicate(timeout=60)
    os.close(master)
    return p.returncode, out, err


def catalog_ids():
    code, out, _ = run("connectors", "--json")
    return [c["id"] for c in json.loads(out)] if code == 0 else None


DEFINITION = {
    "format": 1,
    "id": "acme-hr",
    "name": "Acme HR",
    "category": "human_resources",
    "help_url": "https://docs.acme-hr.example/api/tokens",
    "help": "An API token of an Acme HR administrator.",
    "multi_account": True,
    "base_url": "https://api.acme-hr.example/v2",
    "fields": [
        {"id": "token", "label": "API token", "type": "secret", "required": True,
         "help": "Settings > API > New token."}
    ],
    "permissions": [{"id": "read", "label": "Read", "help": "Employees."}],
    "auth": {"scheme": "header", "header": "Authorization", "value": "Bearer {token}"},
    "identity": {"request": {"method": "GET", "path": "/company"}, "id": "id", "name": "name"},
    "data_types": {
        "users": {
            "label": "Employees", "essential": True,
            "request": {"method": "GET", "path": "/employees", "query": {"limit": "100"}},
            "pagination": {"style": "page", "param": "page", "size_param": "limit", "size": 100},
            "items": "employees",
            "map": {"id": "id", "email": "work_email", "name": "full_name",
                    "status": {"path": "state", "map": {"employed": "active"}, "default": "deprovisioned"}},
        }
    },
}


def write(name, text):
    path = os.path.join(tmp.name, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


good_text = json.dumps(DEFINITION, indent=2) + "\n"
good = write("acme-hr-definition.json", good_text)
saved_path = os.path.join(folder, "acme-hr.json")

# ---- Usage errors: exit 2, nothing saved.
for name, args in [("import without FILE", ["connectors", "import"]),
                   ("export without ID", ["connectors", "export"]),
                   ("delete without --yes", ["connectors", "delete", "acme-hr"]),
                   ("an unknown connectors command", ["connectors", "frobnicate"]),
                   ("an unknown import option", ["connectors", "import", good, "--force"]),
                   ("two files", ["connectors", "import", good, good])]:
    code, out, err = run(*args)
    check(f"{name}: exit 2 with one sentence and the hint", code == 2 and err.startswith("portico-cli: ") and HINT in err,
          f"{code} {err!r}")
check("usage errors saved nothing", not os.path.exists(saved_path))

# ---- Without a terminal and without --yes: the hosts are shown, nothing is saved.
code, out, err = run("connectors", "import", good)
check("import without --yes and without a terminal: exit 1", code == 1, f"{code} {out!r} {err!r}")
check("... shows the host the credentials go to", "api.acme-hr.example" in out, out)
check("... says how to confirm", "--yes" in err, err)
check("... saved nothing", not os.path.exists(saved_path) and "acme-hr" not in catalog_ids())

# ---- A terminal that answers no, then one that answers yes.
code, out, err = run_tty("connectors", "import", good, answer="n\n")
check("import answered no on a terminal: exit 1, nothing saved",
      code == 1 and "Import it?" in out and not os.path.exists(saved_path), f"{code} {out!r} {err!r}")
code, out, err = run_tty("connectors", "import", good, answer="y\n")
check("import answered yes on a terminal: exit 0", code == 0, f"{code} {out!r} {err!r}")
check("... the question named the host before asking",
      out.find("api.acme-hr.example") != -1 and out.find("api.acme-hr.example") < out.find("Import it?"), out)
check("... saved to the data folder as ID.json, byte for byte",
      os.path.exists(saved_path) and open(saved_path, encoding="utf-8").read() == good_text)
check("... privately (mode 0600)", os.path.exists(saved_path) and (os.stat(saved_path).st_mode & 0o777) == 0o600,
      oct(os.stat(saved_path).st_mode) if os.path.exists(saved_path) else "missing")
check("... and the catalog lists it", "acme-hr" in (catalog_ids() or []))

# ---- Export: the same definition.
code, out, err = run("connectors", "export", "acme-hr")
check("export prints the definition as it was imported", code == 0 and out == good_text, f"{code} {err!r}")
exported = os.path.join(tmp.name, "exported.json")
code, out, err = run("connectors", "export", "acme-hr", "--output", exported)
check("export --output writes the same file",
      code == 0 and os.path.exists(exported) and open(exported, encoding="utf-8").read() == good_text, err)
code, out, err = run("connectors", "export", "okta")
check("a shipped connector exports too (a start for a custom one)",
      code == 0 and json.loads(out)["id"] == "okta", err)
code, out, err = run("connectors", "export", "nope")
check("export of an unknown id: exit 1 naming it", code == 1 and "“nope”" in err and out == "", err)

# ---- Delete refuses while an account uses it, then deletes.
con = sqlite3.connect(db)
con.executescript("""
PRAGMA foreign_keys = ON;
INSERT INTO apps (id, name, connector_id, category) VALUES (1, 'Acme HR', 'acme-hr', 'human_resources');
INSERT INTO accounts (id, connector_id, app_id, name, external_id, permission, status) VALUES
  (1, 'acme-hr', 1, 'Acme HR – Berlin', 'c-1', 'read', 'ok');
""")
con.commit()
code, out, err = run("connectors", "delete", "acme-hr", "--yes")
check("delete while an account uses it: exit 1 naming the account",
      code == 1 and "Acme HR – Berlin" in err and "disconnect" in err, err)
check("... the file is still there", os.path.exists(saved_path))

# A new import of the same id says which accounts it affects.
changed = copy.deepcopy(DEFINITION)
changed["name"] = "Acme HR (EU)"
changed_text = json.dumps(changed, indent=2) + "\n"
code, out, err = run("connectors", "import", write("changed.json", changed_text))
check("re-importing an id in use names the accounts it affects",
      code == 1 and "Acme HR – Berlin" in out and "replaces" in out, out)

con.execute("UPDATE accounts SET status = 'disconnected'")
con.commit()
con.close()
code, out, err = run("connectors", "delete", "acme-hr", "--yes")
check("delete once disconnected: exit 0", code == 0, err)
check("... the file is gone and the catalog no longer lists it",
      not os.path.exists(saved_path) and "acme-hr" not in catalog_ids())
code, out, err = run("connectors", "delete", "okta", "--yes")
check("a shipped connector cannot be deleted", code == 1 and "shipped" in err, err)

# ---- Import the exported file again: the same definition.
code, doc, err = None, None, None
code, out, err = run("connectors", "import", exported, "--yes", "--json")
try:
    doc = json.loads(out)
except ValueError:
    doc = None
check("import --yes --json: exit 0 with id, hosts and path",
      code == 0 and doc is not None and doc["id"] == "acme-hr" and doc["hosts"] == ["api.acme-hr.example"]
      and doc["path"] == saved_path, f"{code} {out!r} {err!r}")
code, out, err = run("connectors", "export", "acme-hr")
check("export after delete and import gives the same definition", out == good_text)

# ---- Refusals: the field and the reason, nothing saved.
before = sorted(os.listdir(folder))


def refused(name, text, *needles):
    path = write(name, text)
    code, out, err = run("connectors", "import", path, "--yes")
    check(f"{name}: exit 1", code == 1, f"{code} {err!r}")
    check(f"{name}: the message names the file and {', '.join(needles)}",
          name in err and all(n in err for n in needles) and "Nothing was imported." in err, err)
    check(f"{name}: nothing saved", sorted(os.listdir(folder)) == before)


refused("not-json.json", good_text[:-20], "not valid JSON at line", "fix the syntax there")
no_base = copy.deepcopy(DEFINITION)
del no_base["base_url"]
no_base["id"] = "acme-hr-2"
refused("no-base-url.json", json.dumps(no_base), "base_url")
bad_style = copy.deepcopy(DEFINITION)
bad_style["id"] = "acme-hr-3"
bad_style["data_types"]["users"]["pagination"]["style"] = "pages"
refused("bad-style.json", json.dumps(bad_style), "pagination", "style")
shadow = copy.deepcopy(DEFINITION)
shadow["id"] = "okta"
refused("shadow.json", json.dumps(shadow), "okta", "shipped", "okta-custom")
code, out, err = run("connectors", "import", os.path.join(tmp.name, "missing.json"), "--yes")
check("a missing file: exit 1 naming it", code == 1 and "missing.json" in err, err)

# ---- Where credentials go: templates and OAuth hosts are listed.
oauth = copy.deepcopy(DEFINITION)
oauth["id"] = "acme-sso"
oauth["base_url"] = "https://{tenant}.acme-sso.example/api"
oauth["fields"] = [
    {"id": "tenant", "label": "Tenant", "type": "text", "required": True, "help": "The subdomain."},
    {"id": "client_id", "label": "Client ID", "type": "text", "required": True, "help": "x"},
    {"id": "client_secret", "label": "Client secret", "type": "secret", "required": True, "help": "x"},
]
oauth["auth"] = {"scheme": "oauth2_client_credentials", "token_url": "https://login.acme-sso.example/oauth/token",
                 "client_id": "{client_id}", "client_secret": "{client_secret}"}
code, out, err = run("connectors", "import", write("oauth.json", json.dumps(oauth)))
check("an OAuth connector lists the API host template and the token host",
      code == 1 and "{tenant}.acme-sso.example" in out and "login.acme-sso.example" in out, out)

# ---- The SCIM 2.0 template is a valid custom connector as shipped.
template = os.path.join(os.environ["PORTICO_CONNECTORS_DIR"], "templates", "scim-2.0.json")
code, out, err = run("connectors", "import", template, "--yes", "--json")
try:
    doc = json.loads(out)
except ValueError:
    doc = None
check("the SCIM 2.0 template imports, sending credentials to the address entered as its base URL",
      code == 0 and doc is not None and doc["id"] == "scim-app"
      and doc["hosts"] == ["the address entered in “SCIM base URL”"], f"{code} {out!r} {err!r}")

# ---- connectors check: what an import would refuse, at its field, nothing saved.
before = sorted(os.listdir(folder))
code, out, err = run("connectors", "check", good)
check("check of a good file: exit 0, says it can be imported",
      code == 0 and "can be imported" in out and err == "", f"{code} {out!r} {err!r}")
code, out, err = run("connectors", "check", write("bad-style.json", json.dumps(bad_style)))
check("check of a bad pagination style: exit 1, the pointer of the field and the reason",
      code == 1 and out.startswith("/data_types/users/pagination/style: ") and "“pages”" in out
      and "scim" in out, f"{code} {out!r} {err!r}")
code, out, err = run("connectors", "check", write("shadow.json", json.dumps(shadow)), "--json")
try:
    doc = json.loads(out)
except ValueError:
    doc = None
check("check --json of a shipped id: exit 1, one problem at /id naming the way out",
      code == 1 and doc is not None and len(doc) == 1 and doc[0]["pointer"] == "/id"
      and "okta-custom" in doc[0]["message"], f"{code} {out!r} {err!r}")
code, out, err = run("connectors", "check", write("not-json.json", good_text[:-20]), "--json")
try:
    doc = json.loads(out)
except ValueError:
    doc = None
check("check --json of a file that is not JSON: the whole file (\"\"), with the line and character",
      code == 1 and doc is not None and doc[0]["pointer"] == ""
      and "line" in doc[0]["message"] and "character" in doc[0]["message"], f"{code} {out!r} {err!r}")
code, out, err = run("connectors", "check")
check("check without FILE: a usage error", code == 2 and HINT in err, f"{code} {err!r}")
code, out, err = run("connectors", "try")
check("try without FILE: a usage error", code == 2 and HINT in err, f"{code} {err!r}")
code, out, err = run("connectors", "try", write("bad-style.json", json.dumps(bad_style)))
check("try of a broken file: exit 1 with the field and the reason, before any request",
      code == 1 and "pagination" in err and "“pages”" in err, f"{code} {out!r} {err!r}")
check("check and try saved nothing", sorted(os.listdir(folder)) == before)

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok:
        failed += 1
        for line in str(detail).splitlines() or [""]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
