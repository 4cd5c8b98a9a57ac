#!/usr/bin/python3
"""End-to-end test of undo after a disconnect through AT-SPI (dogtail).

Prepares a database with `portico-cli connect` and `sync` against a
standalone `portico-sandbox` (Okta and Slack), starts the real `portico` on
it, and works as a person would: disconnects Okta from its tile's three-dot
menu, presses Undo on the "Disconnected" toast and sees the tile again;
disconnects Slack, lets the toast go, opens Activity and presses Restore on
the disconnect event. Each time the database is the one before, row for row
(the audit trail only grows). Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_restore.py build/src/gui/portico \
    build/src/cli/portico-cli build/src/sandbox/portico-sandbox
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
SANDBOX = sys.argv[3] if len(sys.argv) > 3 else 'build/src/sandbox/portico-sandbox'

from portico_e2e import (App, activate, check, clean, find, finish, init,  # noqa: E402
                         wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)

tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-restore-')
db = os.path.join(tmp.name, 'portico.db')
env = dict(os.environ)
env.pop('GTK_A11Y', None)
env['GIO_USE_PROXY_RESOLVER'] = 'dummy'

sandbox = subprocess.Popen([SANDBOX, '--json', '--size', '40'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
proc = None


def cli(*args, secrets=None):
    return portico_e2e.run_cli(CLI, db, args, env, secrets=secrets)


def connect(info, connector_id):
    c = [c for c in info['connectors'] if c['id'] == connector_id][0]
    args = ['connect', connector_id, '--json', '--set', 'api_base_url=' + c['api_base_url']]
    for key, value in c['fields'].items():
        args += ['--set', '%s=%s' % (key, value)]
    out = cli(*args, secrets={field: c['secrets']['ok'] for field in c['secret_fields']})
    return json.loads(out.stdout)['account'] if out.returncode == 0 else None


def dump():
    """Every table but the audit trail, SELECT * ORDER BY rowid."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name <> 'audit_events'")]
        return {t: conn.execute('SELECT * FROM "%s" ORDER BY rowid' % t).fetchall() for t in tables}
    finally:
        conn.close()


def status(account_id):
    conn = sqlite3.connect(db)
    try:
        return conn.execute('SELECT status FROM accounts WHERE id = ?', (account_id,)).fetchone()[0]
    finally:
        conn.close()


def menu_button(frame, app_name, account_name):
    return find(frame, lambda n: n.name == '%s – %s actions' % (app_name, account_name) and 'click' in n.actions)


def labelled(n, label):
    """A push button labelled @label: GTK 4.8 names a mnemonic button
    "_Label Label"."""
    return n.roleName == 'push button' and clean(n.name).split(' ')[-1] == label


def named(n, name):
    """A push button whose accessible name is @name: GTK 4.8 adds the
    button's label after a name set by the app."""
    return n.roleName == 'push button' and (n.name == name or (n.name or '').startswith(name + ' '))


def disconnect(app, frame, app_name, account_name):
    """Three-dot menu, Disconnect, then the confirmation's Disconnect."""
    button = wait_for(lambda: menu_button(frame, app_name, account_name), 15)
    if button is None:
        portico_e2e.note('no menu button for', app_name, account_name)
        return False
    button.doActionNamed('click')
    item = wait_for(lambda: find(button.parent, lambda n: n.roleName in ('menu item', 'push button')
                                 and clean(n.name) == 'Disconnect'), 5)
    if item is None:
        portico_e2e.note('no Disconnect item in the menu of', app_name, account_name)
        return False
    item.doActionNamed('click')
    dialog = wait_for(lambda: find(app, lambda n: n.roleName in ('dialog', 'frame', 'window', 'alert')
                                   and n.name == 'Disconnect %s – %s?' % (app_name, account_name)), 15)
    if dialog is None:
        portico_e2e.note('no confirmation dialog; windows:',
                         [(n.roleName, n.name) for n in app.children])
        return False
    confirm = wait_for(lambda: find(dialog, lambda n: labelled(n, 'Disconnect')), 5)
    if confirm is None:
        portico_e2e.note('no Disconnect button in the dialog:',
                         [(n.roleName, n.name) for n in dialog.findChildren(lambda n: True, recursive=True)][:40])
        return False
    activate(confirm)
    return True


def show_view(frame, name):
    """Activates the sidebar row labelled @name."""
    label = find(frame, lambda n: n.roleName == 'label' and n.name == name
                 and n.parent is not None and n.parent.parent is not None
                 and n.parent.parent.roleName == 'list item')
    row = label.parent.parent if label is not None else None
    if row is None:
        return False
    for action in ('activate', 'click'):
        if action in row.actions:
            row.doActionNamed(action)
            return True
    row.click()
    return True


try:
    info = portico_e2e.read_sandbox_json(sandbox)
    okta = connect(info, 'okta')
    slack = connect(info, 'slack')
    check('portico-cli connects Okta and Slack against the sandbox', okta and slack)
    if not okta or not slack:
        raise SystemExit
    check('both accounts sync', cli('sync', '--all').returncode == 0)
    before = dump()

    proc = App([APP, '--db', db, '--quit-after', '280000'], env)
    app = proc.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = proc.find_frame()
    check('main window appears', frame)

    # ---- Undo on the toast.
    check('Disconnect Okta from its tile menu, confirmed', disconnect(app, frame, 'Okta', okta['name']))
    toast = wait_for(lambda: find(app, lambda n: n.roleName == 'label'
                                  and n.name == 'Disconnected Okta – %s' % okta['name']), 10)
    check('a toast says "Disconnected Okta – %s"' % okta['name'], toast)
    if toast is None:
        portico_e2e.note('toast-like nodes:', [(n.roleName, n.name) for n in app.findChildren(
            lambda n: 'Disconnected' in (n.name or '') or 'Undo' in (n.name or ''), recursive=True)][:10])
    undo = None
    box = toast
    for _ in range(4):
        if box is None or undo is not None:
            break
        box = box.parent
        undo = find(box, lambda n: labelled(n, 'Undo'))
    check('the toast offers Undo', undo)
    check('the store has Okta disconnected', status(okta['id']) == 'disconnected')
    # The toast shows for 10 s: Undo first, then look at the tiles.
    if undo is not None:
        activate(undo)
    check('after Undo the Okta tile is back', wait_for(lambda: menu_button(frame, 'Okta', okta['name']), 15))
    check('the store has Okta connected again', wait_for(lambda: status(okta['id']) == 'ok', 10))
    after = dump()
    differing = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    check('after Undo every table is as before, row for row', not differing)
    if differing:
        portico_e2e.note('tables that differ:', differing)

    # ---- Restore in Activity.
    check('Disconnect Slack from its tile menu, confirmed', disconnect(app, frame, 'Slack', slack['name']))
    check('the Slack tile goes away',
          wait_for(lambda: menu_button(frame, 'Slack', slack['name']) is None, 15))
    check('the sidebar shows Activity', show_view(frame, 'Activity'))
    until = wait_for(lambda: find(frame, lambda n: n.roleName == 'label'
                                  and (n.name or '').startswith('Can be restored until ')), 15)
    check('the disconnect event says until when it can be restored', until)
    restore = wait_for(lambda: find(frame, lambda n: named(n, 'Restore %s' % slack['name'])), 10)
    check('the disconnect event offers Restore', restore)
    if restore is None:
        portico_e2e.note('restore-like nodes:', [(n.roleName, n.name, n.actions) for n in frame.findChildren(
            lambda n: 'Restore' in (n.name or '') or 'Forget' in (n.name or ''), recursive=True)][:10])
    check('...and Forget Credentials Now',
          find(frame, lambda n: named(n, 'Forget the credentials of %s now' % slack['name'])))
    check('Okta\'s disconnect, undone, offers no Restore',
          find(frame, lambda n: named(n, 'Restore %s' % okta['name'])) is None)
    if restore is not None:
        activate(restore)
    check('the store has Slack connected again', wait_for(lambda: status(slack['id']) == 'ok', 15))
    restored = wait_for(lambda: find(frame, lambda n: n.roleName == 'label'
                                     and (n.name or '').startswith('Restored %s' % slack['name'])), 15)
    check('Activity tells "Restored %s ..."' % slack['name'], restored)
    check('Restore is no longer offered once restored',
          wait_for(lambda: find(frame, lambda n: named(n, 'Restore %s' % slack['name'])) is None, 10))
    after = dump()
    differing = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    check('after Restore every table is as before, row for row', not differing)
    if differing:
        portico_e2e.note('tables that differ:', differing)
finally:
    if proc is not None:
        proc.stop()
    for account in ('1', '2'):
        cli('disconnect', account, '--yes')
        cli('forget', account)
    sandbox.terminate()
    try:
        sandbox.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.kill()

finish()
