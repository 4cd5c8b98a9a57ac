#!/usr/bin/python3
"""End-to-end test of a service-account sign-in through the file chooser, via AT-SPI (dogtail).

Starts the real `portico --demo` (its sandbox in-process) on a temporary
database and opens "Connect Google Workspace", whose service-account key is
a field of type file (SPEC 11). The test writes two files: a key missing
its token_uri and the sandbox's own key (read from the sandbox's admin
endpoint, as a person would download it from Google Cloud). For each it
presses "Choose the Service account key file", types the path into the
file chooser's location entry (Ctrl+L, as a keyboard user does) and
chooses it. The broken key is refused by the test with token_uri named;
the good one passes the test (the sandbox verifies the RS256 signature),
connects, and leaves no private key in the database. Prints TAP.

Outside Flatpak, with no portal asked for, GtkFileChooserNative shows GTK's
own dialog in the app's process, which is what AT-SPI reaches here; inside
Flatpak the same button goes through the FileChooser portal, which this test
does not drive.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_key_file.py build/src/gui/portico build/src/cli/portico-cli
"""
import json
import os
import sys
import tempfile
import time
import urllib.request

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
NAME = 'Google Workspace'
CHOOSE = 'Choose the Service account key file'

from portico_e2e import (App, button, check, find, finish, init,  # noqa: E402
                         is_window, isolated_env, wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)
from dogtail import rawinput  # noqa: E402


def open_connect_dialog(frame):
    tile = wait_for(lambda: find(frame, lambda n: (n.name or '').startswith(NAME + ',') and 'click' in n.actions))
    if not tile:
        return None
    tile.doActionNamed('click')
    page = wait_for(lambda: find(app, lambda n: is_window(n, NAME)))
    if not page:
        return None
    connect = wait_for(lambda: button(page, 'Connect'))
    if not connect or not connect.sensitive:
        return None
    connect.doActionNamed('click')
    return wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + NAME)))


def chooser_window():
    """GTK 4.8 exposes its file chooser dialog as a top-level 'filler'."""
    return next((w for w in app.children if w.name == CHOOSE), None)


def choose_file(dialog, path):
    """Opens the file chooser from the key file row and chooses @path."""
    # The row lends its title to the button it activates: "Choose the … file Service account key file".
    choose = wait_for(lambda: find(dialog, lambda n: n.roleName == 'push button'
                                   and (n.name or '').startswith(CHOOSE)))
    if choose is None:
        return 'no "%s" button' % CHOOSE
    choose.doActionNamed('click')
    chooser = wait_for(chooser_window, 15)
    if chooser is None:
        return 'no file chooser window'
    time.sleep(0.5)
    rawinput.keyCombo('<ctrl>l')
    time.sleep(0.3)
    location = wait_for(lambda: find(chooser, lambda n: n.name == 'GtkFileChooserEntry'
                                      and 'EditableText' in n.get_interfaces()))
    if location is None:
        return 'no location entry in the file chooser'
    # GTK 4.8 does not let AT-SPI set or read this entry's text: type it,
    # as the keyboard focus is there after Ctrl+L.
    rawinput.typeText(path)
    time.sleep(0.5)
    ok = find(chooser, lambda n: n.roleName == 'push button' and 'Choose' in (n.name or '').split())
    if ok is not None:
        ok.doActionNamed('click')
    else:
        rawinput.pressKey('Return')
    if not wait_for(lambda: chooser_window() is None, 10):
        return 'the file chooser stayed open'
    return None


def row_says(dialog, text):
    return find(dialog, lambda n: text in (n.name or '') or text in (n.description or ''))


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-key-file-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))
env.pop('GTK_USE_PORTAL', None)
base = portico_e2e.demo_env(env)

portico = App([APP, '--demo', '--db', db, '--quit-after', '170000'], env)
try:
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)

    admin = wait_for(lambda: portico_e2e.demo_admin_url(base), 20)
    info = {}
    if admin:
        with urllib.request.urlopen(admin + '/info', timeout=10) as response:
            info = json.loads(response.read().decode())
    google = next((c for c in info.get('connectors', []) if c.get('id') == 'google-workspace'), {})
    key_text = google.get('secrets', {}).get('ok', '')
    key = json.loads(key_text) if key_text.startswith('{') else {}
    portico_e2e.note('sandbox admin %s; google-workspace secret %r' % (admin, key_text[:40]))
    check('the demo sandbox hands out a service-account key file',
          key.get('type') == 'service_account' and 'PRIVATE KEY' in key.get('private_key', ''))
    good = os.path.join(tmp.name, 'portico-sandbox-key.json')
    with open(good, 'w') as f:
        f.write(key_text)
    broken = os.path.join(tmp.name, 'broken-key.json')
    with open(broken, 'w') as f:
        json.dump({k: v for k, v in key.items() if k != 'token_uri'}, f)

    dialog = open_connect_dialog(frame)
    check('the Google Workspace tile opens "Connect Google Workspace"', dialog)
    if not dialog:
        raise SystemExit

    # ---- A key file without token_uri: refused with the member named.
    problem = choose_file(dialog, broken)
    check('the file chooser chooses broken-key.json (%s)' % (problem or 'ok'), problem is None)
    check('the row names the chosen file', wait_for(lambda: row_says(dialog, 'broken-key.json chosen'), 10))
    test = wait_for(lambda: button(dialog, 'Test connection'))
    if test is not None:
        test.doActionNamed('click')
    check('the test refuses the key file and names token_uri',
          wait_for(lambda: row_says(dialog, 'token_uri'), 30))

    # ---- The real key file: tested, connected.
    problem = choose_file(dialog, good)
    check('the file chooser chooses the downloaded key (%s)' % (problem or 'ok'), problem is None)
    check('the row names the chosen file', wait_for(lambda: row_says(dialog, 'portico-sandbox-key.json chosen'), 10))
    test = wait_for(lambda: button(dialog, 'Test connection'))
    if test is not None and test.sensitive:
        test.doActionNamed('click')
    connect = wait_for(lambda: (lambda b: b if b is not None and b.sensitive else None)(button(dialog, 'Connect')), 60)
    check('the signed assertion is accepted: outcome A, Connect becomes available', connect)
    if connect:
        connect.doActionNamed('click')
    check('the dialog closes after connecting',
          wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + NAME)) is None, 20))
    rows = wait_for(lambda: portico_e2e.accounts(CLI, db, env), 10) or []
    check('the database has the Google Workspace account',
          len(rows) == 1 and rows[0].get('connector') == 'google-workspace')
    data = b''
    for path in (db, db + '-wal'):
        if os.path.exists(path):
            with open(path, 'rb') as f:
                data += f.read()
    check('no private key and no key file path in the database',
          b'PRIVATE KEY' not in data and b'portico-sandbox-key.json' not in data)
finally:
    portico.stop()

finish()
