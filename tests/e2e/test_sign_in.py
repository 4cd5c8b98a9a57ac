#!/usr/bin/python3
"""End-to-end test of signing in with a provider, through AT-SPI (dogtail).

Starts the real `portico --demo` (its sandbox in-process) on a temporary
database, opens "Connect Dropbox" (a connector that signs in through the
browser, SPEC 11) and presses "Sign in with Dropbox". The test plays the
browser: it reads the address from the dialog's waiting state (where a
person would copy it) and fetches it; the sandbox's consent page redirects
to the app's loopback listener, whose page says the window can be closed.
The app then runs the usual test; Connect creates the account, which
`portico-cli accounts --json` shows. A second sign-in is cancelled from the
waiting state and leaves the dialog ready to sign in again. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_sign_in.py build/src/gui/portico build/src/cli/portico-cli
"""
import os
import sys
import tempfile
import time
import urllib.request

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
TILE = 'Dropbox, Storage'
NAME = 'Dropbox'

from portico_e2e import (App, button, check, find, find_clickable, finish, init,  # noqa: E402
                         is_window, isolated_env, wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)


def open_connect_dialog(frame):
    tile = wait_for(lambda: find_clickable(frame, TILE))
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


def sign_in_address(dialog):
    """The address shown in the waiting state (its accessible description)."""
    node = find(dialog, lambda n: (n.description or '').startswith('http://127.0.0.1:'))
    return node.description if node is not None else None


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-sign-in-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))
portico_e2e.demo_env(env)

portico = App([APP, '--demo', '--db', db, '--quit-after', '170000'], env)
try:
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)

    dialog = open_connect_dialog(frame)
    check('the Dropbox tile opens "Connect Dropbox"', dialog)
    if not dialog:
        raise SystemExit
    sign_in = wait_for(lambda: button(dialog, 'Sign in with Dropbox'))
    check('the dialog offers "Sign in with Dropbox" instead of a token field', sign_in is not None)
    if sign_in is None:
        raise SystemExit

    # ---- Cancel from the waiting state.
    sign_in.doActionNamed('click')
    address = wait_for(lambda: sign_in_address(dialog), 15)
    check('the waiting state shows the sign-in address (%s)' % (address or '')[:60], address)
    cancel = wait_for(lambda: button(dialog, 'Cancel Sign-In'))
    check('the waiting state offers Cancel and Copy Address',
          cancel is not None and button(dialog, 'Copy Address') is not None)
    if cancel is not None:
        cancel.doActionNamed('click')
    check('Cancel ends the wait: "Sign in with Dropbox" is available again',
          wait_for(lambda: button(dialog, 'Sign in with Dropbox').sensitive, 10))

    # ---- Sign in: the test is the browser.
    button(dialog, 'Sign in with Dropbox').doActionNamed('click')
    time.sleep(0.3)
    address = wait_for(lambda: sign_in_address(dialog), 15)
    check('a new sign-in shows its address', address)
    page = ''
    if address:
        with urllib.request.urlopen(address, timeout=30) as response:
            page = response.read().decode()
    check('the browser lands on "You can close this window"', 'You can close this window' in page)
    connect = wait_for(lambda: (lambda b: b if b is not None and b.sensitive else None)(button(dialog, 'Connect')), 30)
    check('after the sign-in the usual test runs: outcome A, Connect becomes available', connect)
    if connect:
        connect.doActionNamed('click')
    check('the dialog closes after connecting',
          wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + NAME)) is None, 20))
    rows = wait_for(lambda: portico_e2e.accounts(CLI, db, env), 10) or []
    check('the database has the Dropbox account', len(rows) == 1 and rows[0].get('connector') == 'dropbox')
    with open(db, 'rb') as f:
        data = f.read()
    check('no refresh token in the database file', b'sbx_rt_' not in data and b'sbx_at_' not in data)
finally:
    portico.stop()

finish()
