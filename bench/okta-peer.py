#!/usr/bin/python3
# okta-peer.py: the plain script an admin could write in an afternoon, the
# peer of `portico-cli sync` in bench-sync.py. Standard library only
# (urllib, json, sqlite3): it reads every page of Okta's List Users
# (GET /api/v1/users?limit=200, the next page in the Link header; see
# https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers,
# the page connectors/okta.json cites), keeps the users,
# their non-empty custom fields (the seven profile attributes Portico's Okta
# connector reads) and one person per email address, in one transaction.
#
# Usage: okta-peer.py BASE_URL DB   (the API token in OKTA_API_TOKEN)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import json
import os
import re
import sqlite3
import sys
import urllib.parse
import urllib.request

STATUS = {
    "ACTIVE": "active", "RECOVERY": "active", "PASSWORD_EXPIRED": "active",
    "STAGED": "invited", "PROVISIONED": "invited",
    "LOCKED_OUT": "suspended", "SUSPENDED": "suspended",
    "DEPROVISIONED": "deprovisioned",
}
FIELDS = {
    "Title": "title", "Department": "department", "Division": "division",
    "Organization": "organization", "Cost center": "costCenter",
    "Employee number": "employeeNumber", "Manager": "manager",
}
SEARCH = " or ".join(f'status eq "{s}"' for s in
                     ["STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED",
                      "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"])
NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="next"')


def utc(value):
    if value is None:
        return None
    t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def pages(base, token):
    url = base + "/api/v1/users?" + urllib.parse.urlencode({"limit": "200", "search": SEARCH}, quote_via=urllib.parse.quote)
    while url:
        req = urllib.request.Request(url, headers={"Authorization": "SSWS " + token,
                                                   "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            body = resp.read()
            link = ", ".join(resp.headers.get_all("Link") or [])  # Okta sends self and next as two headers
        page = json.loads(body)
        yield page
        # Okta's last page may still link a next one, which is empty.
        m = NEXT.search(link)
        url = m.group(1) if m and page else None


def main():
    base, path = sys.argv[1], sys.argv[2]
    token = os.environ["OKTA_API_TOKEN"]
    db = sqlite3.connect(path)
    db.executescript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        "CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY, email TEXT UNIQUE COLLATE NOCASE, name TEXT);"
        "CREATE TABLE IF NOT EXISTS app_users (id INTEGER PRIMARY KEY, person_id INTEGER, "
        "  external_user_id TEXT, status TEXT, role TEXT, last_activity TEXT);"
        "CREATE TABLE IF NOT EXISTS custom_user_fields (id INTEGER PRIMARY KEY, person_id INTEGER, "
        "  external_user_id TEXT, label TEXT, value TEXT);")
    people = {}
    users = []
    fields = []
    seen = set()
    for page in pages(base, token):
        for u in page:
            uid = u.get("id")
            profile = u.get("profile") or {}
            email = profile.get("email")
            email = email.strip() if isinstance(email, str) else None
            name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p) or None
            if email and "@" in email[1:]:
                key = email.lower()
                if key not in people or (people[key][1] is None and name):
                    people[key] = (email, name)
            for label, attr in FIELDS.items():
                value = profile.get(attr)
                if value is not None:
                    fields.append((uid, email, label, text(value)))
            if uid is None or text(uid) == "" or text(uid) in seen:
                continue
            seen.add(text(uid))
            users.append((text(uid), email, STATUS.get(u.get("status"), "active"),
                          text(profile.get("userType")), utc(u.get("lastLogin"))))
    with db:
        db.execute("DELETE FROM app_users")
        db.execute("DELETE FROM custom_user_fields")
        db.executemany("INSERT INTO people (email, name) VALUES (?, ?) "
                       "ON CONFLICT (email) DO UPDATE SET name = coalesce (people.name, excluded.name)",
                       people.values())
        ids = {e.lower(): i for i, e in db.execute("SELECT id, email FROM people")}
        db.executemany("INSERT INTO app_users (person_id, external_user_id, status, role, last_activity) "
                       "VALUES (?, ?, ?, ?, ?)",
                       ((ids.get(e.lower()) if e else None, uid, s, r, la) for uid, e, s, r, la in users))
        db.executemany("INSERT INTO custom_user_fields (person_id, external_user_id, label, value) "
                       "VALUES (?, ?, ?, ?)",
                       ((ids.get(e.lower()) if e else None, uid, label, v) for uid, e, label, v in fields))
    db.close()


if __name__ == "__main__":
    main()
