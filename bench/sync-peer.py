#!/usr/bin/python3
# sync-peer.py: the plain script an admin could write in an afternoon, the
# peer of `portico-cli sync` in bench-sync.py. Standard library only
# (urllib, json, sqlite3): it reads every page of one provider's user list,
# keeps the users, their non-empty custom fields (the ones Portico's
# connector reads) and one person per email address, in one transaction.
# The three shapes of issue 13, as each vendor documents its list:
#   okta:  GET /api/v1/users?limit=200, the next page in the Link header
#          (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers);
#   entra: GET /v1.0/users?$top=999 with a client-credentials token, the
#          next page in the body's @odata.nextLink
#          (https://learn.microsoft.com/en-us/graph/api/user-list, https://learn.microsoft.com/en-us/graph/paging);
#   slack: GET /api/users.list?limit=200, the next cursor in the body's
#          response_metadata.next_cursor (https://api.slack.com/methods/users.list).
#
# Usage: sync-peer.py SHAPE BASE_URL DB [FIELD=VALUE ...]
#   (the secret, API token or client secret, in PEER_SECRET; Entra's
#   tenant_id and client_id as FIELD=VALUE)
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


def get(url, headers):
    req = urllib.request.Request(url, headers=dict(headers, Accept="application/json"))
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read(), resp.headers


# ---- Okta

OKTA_STATUS = {
    "ACTIVE": "active", "RECOVERY": "active", "PASSWORD_EXPIRED": "active",
    "STAGED": "invited", "PROVISIONED": "invited",
    "LOCKED_OUT": "suspended", "SUSPENDED": "suspended",
    "DEPROVISIONED": "deprovisioned",
}
OKTA_FIELDS = {
    "Title": "title", "Department": "department", "Division": "division",
    "Organization": "organization", "Cost center": "costCenter",
    "Employee number": "employeeNumber", "Manager": "manager",
}
OKTA_SEARCH = " or ".join(f'status eq "{s}"' for s in
                          ["STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED",
                           "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"])
LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="next"')


def okta_pages(base, secret, fields):
    url = base + "/api/v1/users?" + urllib.parse.urlencode({"limit": "200", "search": OKTA_SEARCH},
                                                          quote_via=urllib.parse.quote)
    while url:
        body, headers = get(url, {"Authorization": "SSWS " + secret})
        page = json.loads(body)
        yield body, page
        # Okta sends self and next as two Link headers; its last page may
        # still link a next one, which is empty.
        m = LINK_NEXT.search(", ".join(headers.get_all("Link") or []))
        url = m.group(1) if m and page else None


def okta_user(u):
    profile = u.get("profile") or {}
    name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p) or None
    return (u.get("id"), profile.get("email"), name, OKTA_STATUS.get(u.get("status"), "active"),
            text(profile.get("userType")), utc(u.get("lastLogin")),
            {label: profile.get(attr) for label, attr in OKTA_FIELDS.items()})


# ---- Microsoft Entra ID (Microsoft Graph)

ENTRA_SELECT = ("id,displayName,mail,userPrincipalName,accountEnabled,userType,assignedLicenses,"
                "jobTitle,department,employeeId,officeLocation")
ENTRA_FIELDS = {"Job title": "jobTitle", "Department": "department", "Employee ID": "employeeId",
                "Office": "officeLocation"}


def entra_pages(base, secret, fields):
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": fields["client_id"],
                                   "client_secret": secret, "scope": "https://graph.microsoft.com/.default"})
    req = urllib.request.Request(f"{base}/{fields['tenant_id']}/oauth2/v2.0/token", data=form.encode())
    with urllib.request.urlopen(req, timeout=60) as resp:
        token = json.loads(resp.read())["access_token"]
    url = base + "/v1.0/users?" + urllib.parse.urlencode({"$select": ENTRA_SELECT, "$top": "999"})
    while url:
        body, _ = get(url, {"Authorization": "Bearer " + token})
        doc = json.loads(body)
        yield body, doc.get("value") or []
        url = doc.get("@odata.nextLink")


def first(*values):
    return next((v for v in values if v is not None), None)


def entra_user(u):
    enabled = u.get("accountEnabled")
    status = {True: "active", False: "suspended"}.get(enabled, "active") if isinstance(enabled, bool) else "active"
    return (u.get("id"), first(u.get("mail"), u.get("userPrincipalName")), u.get("displayName"), status,
            text(u.get("userType")), None,
            {label: u.get(attr) for label, attr in ENTRA_FIELDS.items()})


# ---- Slack

SLACK_FIELDS = {"Title": ("profile", "title"), "Time zone": ("tz",)}


def slack_pages(base, secret, fields):
    cursor = None
    while True:
        query = {"limit": "200"}
        if cursor:
            query["cursor"] = cursor
        body, _ = get(base + "/api/users.list?" + urllib.parse.urlencode(query), {"Authorization": "Bearer " + secret})
        doc = json.loads(body)
        yield body, doc.get("members") or []
        cursor = (doc.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def slack_user(u):
    profile = u.get("profile") or {}

    def flag(key):
        return u.get(key) is True

    status = "deprovisioned" if flag("deleted") else "invited" if flag("is_invited_user") else "active"
    role = next((r for key, r in (("is_primary_owner", "primary_owner"), ("is_owner", "owner"),
                                  ("is_admin", "admin"), ("is_ultra_restricted", "single_channel_guest"),
                                  ("is_restricted", "multi_channel_guest"), ("is_bot", "bot")) if flag(key)),
                "member")
    values = {}
    for label, path in SLACK_FIELDS.items():
        v = u
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        values[label] = v
    return (u.get("id"), profile.get("email"), first(u.get("real_name"), profile.get("real_name"), u.get("name")),
            status, role, None, values)


# Each shape's pages: (raw body, its items), as the vendor pages them
# (bench-sync.py reads the same bytes for the json_each limit).
SHAPES = {"okta": (okta_pages, okta_user), "entra": (entra_pages, entra_user), "slack": (slack_pages, slack_user)}


def main():
    shape, base, path = sys.argv[1], sys.argv[2], sys.argv[3]
    fields = dict(a.split("=", 1) for a in sys.argv[4:])
    pages, read_user = SHAPES[shape]
    secret = os.environ["PEER_SECRET"]
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
    custom = []
    seen = set()
    for _, page in pages(base, secret, fields):
        for item in page:
            if not isinstance(item, dict):
                continue
            uid, email, name, status, role, last, values = read_user(item)
            email = email.strip() if isinstance(email, str) else None
            name = name.strip() if isinstance(name, str) and name.strip() else None
            if email and "@" in email[1:]:
                key = email.lower()
                if key not in people or (people[key][1] is None and name):
                    people[key] = (email, name)
            for label, value in values.items():
                if value is not None:
                    custom.append((text(uid), email, label, text(value)))
            if uid is None or text(uid) == "" or text(uid) in seen:
                continue
            seen.add(text(uid))
            users.append((text(uid), email, status, role, last))
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
                       ((ids.get(e.lower()) if e else None, uid, label, v) for uid, e, label, v in custom))
    db.close()


if __name__ == "__main__":
    main()
