#!/usr/bin/python3
"""End-to-end test of the rest of connecting, through AT-SPI (dogtail).

`portico-cli --demo` first connects a Slack account (Slack allows several
accounts) and a Brex account (Brex allows one) on a temporary database;
then the real `portico --demo` starts on it, with its sandbox in-process on a
port base of this run's own. The test then:

- makes Slack slow through the sandbox's admin endpoint, presses Test in
  "Connect Slack", closes the dialog while the test runs, and checks that the
  dialog goes at once, that no account was added, and that the app still
  opens the dialog again;
- opens "Connect another" from the Slack tile's menu and sees the connect
  dialog for Slack;
- finds "Connect another" insensitive in the Brex tile's menu, with the
  tooltip saying Brex supports one account.

Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_connect_more.py build/src/gui/portico build/src/cli/portico-cli
"""
import json
import os
import sys
import tempfile
import time

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
# The slow reply is far longer than the test waits for the dialog to close.
SLOW_MS = 60000

from portico_e2e import (App, button, check, clean, find, find_clickable, find_window,  # noqa: E402
                         finish, http, init, isolated_env, note, wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)


def accounts():
    return portico_e2e.accounts(CLI, db, env)


def connect_demo(connector_id):
    """Connects @connector_id with the demo sandbox's working values."""
    out = portico_e2e.run_cli(CLI, db, ['connect', connector_id, '--json'], env, demo=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)['account']


def open_connect_dialog(frame, tile_name, name):
    """Opens the catalog tile @tile_name, then Connect on its page."""
    tile = wait_for(lambda: find_clickable(frame, tile_name))
    if not tile:
        return None
    tile.doActionNamed('click')
    page = wait_for(lambda: find_window(app, name))
    if not page:
        return None
    connect = wait_for(lambda: button(page, 'Connect'))
    if not connect or not connect.sensitive:
        return None
    connect.doActionNamed('click')
    return wait_for(lambda: find_window(app, 'Connect ' + name))


def close_window(name):
    """Closes the page (or dialog) @name if it is open."""
    window = find_window(app, name)
    if window is None:
        return
    close = find_clickable(window, 'Close') or button(window, 'Cancel')
    if close is not None:
        close.doActionNamed('click')
    else:
        window.doActionNamed('window.close')
    wait_for(lambda: find_window(app, name) is None, 5)


def tile_menu_item(frame, app_name, account_name, label):
    """Opens the three-dot menu of the tile of @account_name and returns its
    item @label; every tile has its own popover, a child of its menu button."""
    menu = wait_for(lambda: find(frame, lambda n: n.name == '%s – %s actions' % (app_name, account_name)
                                 and 'click' in n.actions), 15)
    if menu is None:
        return None
    menu.doActionNamed('click')
    return wait_for(lambda: find(menu.parent, lambda n: n.roleName in ('menu item', 'push button')
                                 and clean(n.name) == label), 5)


def slow_requests(admin, connector_id):
    status, body = http('GET', admin + '/requests?connector=' + connector_id)
    if status != 200:
        return []
    return [r for r in json.loads(body) if r.get('fault') == 'slow']


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-connect-more-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))
base = portico_e2e.demo_env(env)
note('demo port base', base)

portico = None
try:
    slack = connect_demo('slack')
    check('portico-cli --demo connects a Slack account', slack)
    brex = connect_demo('brex')
    check('portico-cli --demo connects a Brex account', brex)
    if not slack or not brex:
        raise SystemExit

    portico = App([APP, '--demo', '--db', db, '--quit-after', '200000'], env)
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)
    admin = wait_for(lambda: portico_e2e.demo_admin_url(base), 10)
    check('the in-process sandbox answers on its admin port (%s)' % admin, admin)
    if not frame or not admin:
        raise SystemExit

    # ---- Closing the dialog cancels a running test.
    status, body = http('POST', admin + '/faults?connector=slack&kind=slow&count=1&delay_ms=%d' % SLOW_MS)
    check('the sandbox makes Slack slow (%d: %s)' % (status, body.strip()), status == 200)
    dialog = open_connect_dialog(frame, 'Slack, Communication', 'Slack')
    check('the Slack tile opens its page, and Connect opens "Connect Slack"', dialog)
    if not dialog:
        raise SystemExit
    test = wait_for(lambda: button(dialog, 'Test connection'))
    if test:
        test.doActionNamed('click')
    check('the test is running after a second: Test connection is unavailable',
          test is not None and wait_for(lambda: not button(dialog, 'Test connection').sensitive, 5)
          and (time.sleep(1.0) or not button(dialog, 'Test connection').sensitive))
    check('the sandbox holds back a Slack request', wait_for(lambda: slow_requests(admin, 'slack'), 5))
    cancel = button(dialog, 'Cancel')
    check('Cancel is available while the test runs', cancel is not None and cancel.sensitive)
    t0 = time.time()
    if cancel is not None:
        cancel.doActionNamed('click')
    closed = wait_for(lambda: find_window(app, 'Connect Slack') is None, 5)
    check('the dialog is gone within 5 s of Cancel (%.1fs), not after the %d s reply'
          % (time.time() - t0, SLOW_MS // 1000), closed)
    rows = accounts()
    check('no account was added by the cancelled test (%s)' % (rows and len(rows)),
          rows is not None and len(rows) == 2)
    check('the app is still running', portico.running())
    close_window('Slack')
    dialog = open_connect_dialog(frame, 'Slack, Communication', 'Slack')
    check('the app still responds: Connect opens "Connect Slack" again', dialog)
    if dialog:
        check('the new dialog has Test connection available',
              wait_for(lambda: button(dialog, 'Test connection').sensitive, 5))
        close_window('Connect Slack')
    close_window('Slack')
    http('DELETE', admin + '/faults')

    # ---- "Connect another" on a multi-account connector.
    item = tile_menu_item(frame, 'Slack', slack['name'], 'Connect another')
    check('the Slack tile menu has "Connect another"', item)
    check('"Connect another" is available for Slack (several accounts)', item is not None and item.sensitive)
    if item is not None:
        item.doActionNamed('click')
    dialog = wait_for(lambda: find_window(app, 'Connect Slack'), 10)
    check('"Connect another" opens the connect dialog for Slack', dialog)
    if dialog:
        connect = button(dialog, 'Connect')
        check('...a new connection: Connect waits for a test', connect is not None and not connect.sensitive)
        check('...with Test connection available',
              wait_for(lambda: button(dialog, 'Test connection').sensitive, 5))
        close_window('Connect Slack')
        check('Cancel closes it', find_window(app, 'Connect Slack') is None)
    check('still two accounts', len(accounts() or []) == 2)

    # ---- Single-account connector: the item is disabled and says why.
    item = tile_menu_item(frame, 'Brex', brex['name'], 'Connect another')
    check('the Brex tile menu has "Connect another"', item)
    check('"Connect another" is unavailable for Brex', item is not None and not item.sensitive)
    description = item.description if item is not None else ''
    check('its tooltip says "Brex supports one account" (%r)' % description,
          description == 'Brex supports one account')
    if item is not None:
        try:
            item.doActionNamed('click')
        except Exception:
            pass
        time.sleep(1.0)
        check('activating it opens no connect dialog', find_window(app, 'Connect Brex') is None)
finally:
    if portico is not None:
        portico.stop()

finish()
