#!/usr/bin/python3
"""End-to-end test of connected accounts through AT-SPI (dogtail).

Prepares a database with `portico-cli connect` against a standalone
`portico-sandbox` (two accounts), starts the real `portico` on it, and then
works as a person would: Sync now from each tile's three-dot menu, sees the
green status, breaks one account's credentials in the sandbox, syncs again,
sees it red and listed in Needs attention with its reason, and opens See
details. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_accounts.py build/src/gui/portico \
    build/src/cli/portico-cli build/src/sandbox/portico-sandbox
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
SANDBOX = sys.argv[3] if len(sys.argv) > 3 else 'build/src/sandbox/portico-sandbox'

from portico_e2e import (App, activate, check, clean, find, finish, init,  # noqa: E402
                         wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-accounts-')
db = os.path.join(tmp.name, 'portico.db')
env = dict(os.environ)
env.pop('GTK_A11Y', None)
# Portico's schema dir only: the GNOME proxy resolver would look for its own.
env['GIO_USE_PROXY_RESOLVER'] = 'dummy'

sandbox = subprocess.Popen([SANDBOX, '--json', '--size', '60'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
proc = None


def cli(*args, secrets=None):
    return portico_e2e.run_cli(CLI, db, args, env, secrets=secrets)


def connect(info, connector_id):
    c = [c for c in info['connectors'] if c['id'] == connector_id][0]
    args = ['connect', connector_id, '--json', '--set', 'api_base_url=' + c['api_base_url']]
    for key, value in c['fields'].items():
        args += ['--set', '%s=%s' % (key, value)]
    secrets = {field: c['secrets']['ok'] for field in c['secret_fields']}
    out = cli(*args, secrets=secrets)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)['account']


def tile_of(frame, app_name, account_name):
    """The menu button of a tile, and the tile's box (its parent)."""
    label = '%s – %s actions' % (app_name, account_name)
    button = find(frame, lambda n: n.name == label and 'click' in n.actions)
    return button


def status_of(button):
    """The status icon's accessible name and description, next to the menu button."""
    box = button
    # The menu button may be nested (two push buttons): climb to the tile's box.
    for _ in range(4):
        box = box.parent
        icon = find(box, lambda n: n.roleName in ('image', 'icon', 'animation')
                    and n.name in ('Synced', 'Partly synced', 'Sync failed', 'Not synced yet', 'Syncing',
                                   'Missing permissions', 'Out of date', 'Sign-in expired', 'Paused'))
        if icon is not None:
            return icon.name, icon.description
    return None, None


def menu_item(frame, app_name, account_name, label):
    """Opens the tile's three-dot menu and returns its item @label. Every
    tile has its own popover, a child of its menu button."""
    button = tile_of(frame, app_name, account_name)
    if button is None:
        return None
    button.doActionNamed('click')
    return wait_for(lambda: find(button.parent, lambda n: n.roleName in ('menu item', 'push button')
                                 and clean(n.name) == label), 5)


def sync_now(app, frame, app_name, account_name):
    item = menu_item(frame, app_name, account_name, 'Sync Now')
    if item is None:
        return False
    item.doActionNamed('click')
    return True


def wait_status(frame, app_name, account_name, expected, timeout=60):
    def probe():
        button = tile_of(frame, app_name, account_name)
        if button is None:
            return None
        name, description = status_of(button)
        return (name, description) if name == expected else None
    return wait_for(probe, timeout)


try:
    info = portico_e2e.read_sandbox_json(sandbox)
    admin = info['admin_url'].rstrip('/')

    okta = connect(info, 'okta')
    check('portico-cli connects an Okta account against the sandbox', okta)
    figma = connect(info, 'figma')
    check('portico-cli connects a Figma account against the sandbox', figma)
    if not okta or not figma:
        raise SystemExit

    proc = App([APP, '--db', db, '--quit-after', '280000'], env)
    app = proc.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = proc.find_frame()
    check('main window appears', frame)

    check('the Okta tile has its three-dot menu "Okta – %s actions"' % okta['name'],
          wait_for(lambda: tile_of(frame, 'Okta', okta['name']), 15))
    check('the Figma tile has its three-dot menu',
          wait_for(lambda: tile_of(frame, 'Figma', figma['name']), 15))

    for app_name, account in (('Okta', okta), ('Figma', figma)):
        check('Sync now on %s from the tile menu' % app_name, sync_now(app, frame, app_name, account['name']))
        status = wait_status(frame, app_name, account['name'], 'Synced')
        check('%s shows the green "Synced" status' % app_name, status)
        check('%s status says when it last synced' % app_name,
              status and status[1].startswith('Last sync: ') and 'Never' not in status[1])

    # Revoke Figma's key in the sandbox, then sync again.
    req = urllib.request.Request(admin + '/credentials?connector=figma&state=bad', method='POST', data=b'')
    with urllib.request.urlopen(req, timeout=10) as resp:
        check('the sandbox breaks Figma\'s credentials', resp.status in (200, 204))
    check('Sync now on Figma again', sync_now(app, frame, 'Figma', figma['name']))
    check('Figma shows the red "Sync failed" status',
          wait_status(frame, 'Figma', figma['name'], 'Sync failed'))

    tab = wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention' and 'click' in n.actions), 5) \
        or wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention'), 5)
    if tab is not None:
        activate(tab)
    row = wait_for(lambda: find(frame, lambda n: n.roleName == 'list item'
                                and n.name.startswith('Figma – %s' % figma['name'])
                                and 'Credentials rejected' in n.name), 15)
    check('Needs attention lists Figma with "Credentials rejected"', row)
    check('the row gives the reason and the fix',
          row is not None and 'reconnect' in (row.description or '').lower())
    check('the row offers Reconnect',
          find(frame, lambda n: n.name == 'Reconnect Figma – %s' % figma['name']))
    check('Okta is not listed in Needs attention',
          find(frame, lambda n: n.roleName == 'list item' and n.name.startswith('Okta – ')) is None)

    tab = find(frame, lambda n: n.name == 'All integrations')
    if tab is not None:
        activate(tab)

    # See details: every data type with its last successful sync time.
    item = menu_item(frame, 'Okta', okta['name'], 'See Details')
    if item is not None:
        item.doActionNamed('click')
    details = wait_for(lambda: find(app, lambda n: n.roleName in ('frame', 'dialog', 'window')
                                    and n.name == okta['name']), 10)
    check('See details opens a window named after the account', details)
    if details:
        users = wait_for(lambda: find(details, lambda n: n.roleName == 'list item' and n.name.startswith('Users')
                                      and (n.description or '').startswith('Last successful sync: ')), 10)
        check('See details shows the Users data type with its last successful sync time', users)
        check('...and its item count', users is not None and 'item' in users.description)
        history = wait_for(lambda: find(details, lambda n: n.name == 'Sync history'), 10)
        check('See details shows the sync history', history)

    # The database agrees with what the window showed.
    accounts = json.loads(cli('accounts', '--json').stdout)
    by_id = {a['id']: a for a in accounts}
    check('the store has Okta synced', by_id[okta['id']]['status'] == 'ok')
    check('the store has Figma failed', by_id[figma['id']]['status'] == 'failed')
finally:
    if proc is not None:
        proc.stop()
    sandbox.terminate()
    try:
        sandbox.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.kill()

finish()
