#!/usr/bin/python3
"""End-to-end test of Import Profile… and Export Profile… through AT-SPI (dogtail).

Starts the real `portico` on an empty database, opens the main menu, chooses
Import Profile… and types the path of a profile (one Okta account, no
secrets) into GTK's file chooser, as a keyboard user does. The window says
the account waits for its credentials, shows its tile, and portico-cli finds
it waiting (keyring state missing, attention asks to Reconnect). Then Export
Profile… writes the profile back, private, with the account and no secret.
Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_profile.py build/src/gui/portico build/src/cli/portico-cli
"""
import json
import os
import sys
import tempfile
import time

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'

from portico_e2e import (App, button, check, clean, find, finish, init,  # noqa: E402
                         isolated_env, wait_for)
import portico_e2e  # noqa: E402
from dogtail import rawinput  # noqa: E402

init()

tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-profile-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))
env.pop('GTK_USE_PORTAL', None)

profile_path = os.path.join(tmp.name, 'old-machine.json')
with open(profile_path, 'w') as f:
    json.dump({
        'format': 'portico-profile', 'version': 1,
        'accounts': [{'connector': 'okta', 'name': 'Okta Imported', 'external_id': 'acme-okta-1',
                      'permission': 'read', 'fields': {'okta_domain': 'acme.example'}}],
    }, f)
export_path = os.path.join(tmp.name, 'exported.json')


def cli(*args):
    return portico_e2e.run_cli(CLI, db, args, env)


def menu_item(frame, label):
    """Opens the main menu and returns its item @label."""
    menu = wait_for(lambda: find(frame, lambda n: n.name == 'Main Menu' and 'click' in n.actions))
    if menu is None:
        return None
    menu.doActionNamed('click')
    # The popover is a child of the menu button.
    found = wait_for(lambda: find(menu.parent, lambda n: n.roleName in ('menu item', 'push button')
                                  and clean(n.name) == label), 5)
    if found is None:
        portico_e2e.note('menu items: %r' % [(n.roleName, n.name) for n in
                                             portico_e2e.find_all(menu.parent, lambda n: n.roleName in
                                                                  ('menu item', 'push button', 'label'))])
    return found


def chooser(title):
    """GTK 4.8 exposes its file chooser dialog as a top-level 'filler'."""
    return wait_for(lambda: next((w for w in app.children if w.name == title), None), 15)


def type_path(select_all, path):
    time.sleep(0.5)
    rawinput.keyCombo('<ctrl>a' if select_all else '<ctrl>l')
    time.sleep(0.3)
    rawinput.typeText(path)
    time.sleep(0.3)
    rawinput.pressKey('Return')


def message(heading):
    return wait_for(lambda: find(app, lambda n: n.roleName in ('dialog', 'frame', 'window', 'alert')
                                 and n.name == heading), 15)


def close_message(dialog):
    close = button(dialog, 'Close') or button(dialog, '_Close')
    if close is not None:
        close.doActionNamed('click')
    return wait_for(lambda: not dialog.showing or dialog.dead, 5) if close is not None else False


portico = App([APP, '--db', db, '--quit-after', '150000'], env)
try:
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)

    # ---- Import Profile…
    item = menu_item(frame, 'Import Profile…')
    check('the main menu offers "Import Profile…"', item)
    if item is None:
        raise SystemExit
    item.doActionNamed('click')
    check('it opens the "Import Profile" file chooser', chooser('Import Profile'))
    type_path(False, profile_path)
    dialog = message('Profile Imported')
    check('the window says the profile was imported', dialog)
    check('and that the account waits for its credentials',
          dialog and find(dialog, lambda n: 'waits for its credentials' in (n.name or '')))
    if dialog:
        close_message(dialog)
    check('the imported account has its tile',
          wait_for(lambda: find(frame, lambda n: n.name == 'Okta – Okta Imported actions'), 10))

    rows = portico_e2e.accounts(CLI, db, env) or []
    check('the database has the account, waiting for its credentials',
          len(rows) == 1 and rows[0]['name'] == 'Okta Imported' and rows[0]['keyring_state'] == 'missing')
    out = cli('attention', '--json')
    attention = json.loads(out.stdout) if out.returncode == 0 else []
    check('Needs attention asks to reconnect it',
          any(r.get('fix', '').startswith('Reconnect') for r in attention), )

    # ---- Export Profile…
    item = menu_item(frame, 'Export Profile…')
    check('the main menu offers "Export Profile…"', item)
    if item is None:
        raise SystemExit
    item.doActionNamed('click')
    check('it opens the "Export Profile" file chooser', chooser('Export Profile'))
    type_path(True, export_path)
    dialog = message('Profile Exported')
    check('the window says the profile was exported', dialog)
    if dialog:
        close_message(dialog)
    exported = {}
    if wait_for(lambda: os.path.exists(export_path) and open(export_path).read().rstrip().endswith('}'), 10):
        exported = json.load(open(export_path))
    check('the file has the account, is private, and holds no field that is secret',
          [a['name'] for a in exported.get('accounts', [])] == ['Okta Imported']
          and (os.stat(export_path).st_mode & 0o777) == 0o600
          and 'api_token' not in exported['accounts'][0]['fields'])
finally:
    portico.stop()

finish()
