#!/usr/bin/python3
"""End-to-end test of the status model, rename and the audit trail through
AT-SPI (dogtail), as a new admin meets them.

portico-cli prepares two accounts against a standalone portico-sandbox: Okta
(everything works) and GitHub connected anyway with a key whose plan lacks a
data type (outcome B); both sync. Then the real `portico` must show GitHub
yellow with "Missing permissions", list it in Needs attention with the fix,
rename Okta with Enter (the dialog closes), and tell both in plain words in
Activity. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \\
    /usr/bin/python3 tests/e2e/test_status.py build/src/gui/portico \\
    build/src/cli/portico-cli build/src/sandbox/portico-sandbox
"""
import json
import os
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

tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-status-')
db = os.path.join(tmp.name, 'portico.db')
env = dict(os.environ)
env.pop('GTK_A11Y', None)
env['GIO_USE_PROXY_RESOLVER'] = 'dummy'

sandbox = subprocess.Popen([SANDBOX, '--json', '--size', '40'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
proc = None


def cli(*args, secrets=None):
    return portico_e2e.run_cli(CLI, db, args, env, secrets=secrets)


def connect(info, connector_id, kind, *extra):
    c = [c for c in info['connectors'] if c['id'] == connector_id][0]
    args = ['connect', connector_id, '--json', '--set', 'api_base_url=' + c['api_base_url']] + list(extra)
    for key, value in c['fields'].items():
        args += ['--set', '%s=%s' % (key, value)]
    out = cli(*args, secrets={field: c['secrets'][kind] for field in c['secret_fields']})
    return json.loads(out.stdout)['account'] if out.returncode == 0 else None


def menu_button(frame, app_name, account_name):
    return find(frame, lambda n: n.name == '%s – %s actions' % (app_name, account_name) and 'click' in n.actions)


def tile_status(frame, app_name, account_name):
    button = menu_button(frame, app_name, account_name)
    box = button
    for _ in range(4):
        if box is None:
            return None
        box = box.parent
        icon = find(box, lambda n: n.roleName in ('image', 'icon', 'animation') and
                    n.name in ('Synced', 'Partly synced', 'Sync failed', 'Not synced yet', 'Syncing',
                               'Missing permissions', 'Out of date', 'Sign-in expired', 'Paused'))
        if icon is not None:
            return icon.name, icon.description
    return None


def menu_item(frame, app_name, account_name, label):
    button = menu_button(frame, app_name, account_name)
    if button is None:
        return None
    button.doActionNamed('click')
    return wait_for(lambda: find(button.parent, lambda n: n.roleName in ('menu item', 'push button')
                                 and clean(n.name) == label), 5)


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
    # A list box row offers no action: click it, as a person would.
    row.click()
    return True


try:
    info = portico_e2e.read_sandbox_json(sandbox)
    okta = connect(info, 'okta', 'ok', '--name', 'Okta Production')
    check('portico-cli connects Okta as "Okta Production"', okta)
    github = connect(info, 'github', 'plan', '--accept-partial')
    check('portico-cli connects GitHub anyway with a key whose plan lacks a data type', github)
    if not okta or not github:
        raise SystemExit
    check('both accounts sync', cli('sync', '--all').returncode == 0)

    attention = json.loads(cli('attention', '--json').stdout)
    partial = [r for r in attention if r['account'] == github['id'] and r['problem'] == 'missing_permissions']
    check('portico-cli attention lists GitHub with missing_permissions and its fix',
          partial and partial[0]['fix'].startswith('Reconnect'))

    proc = App([APP, '--db', db, '--quit-after', '280000'], env)
    app = proc.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = proc.find_frame()
    check('main window appears', frame)

    status = wait_for(lambda: tile_status(frame, 'GitHub', github['name']), 20)
    check('the GitHub tile is yellow with "Missing permissions", not "Synced"',
          status and status[0] == 'Missing permissions')
    check('its status does not claim every data type synced',
          status and 'every data type' not in (status[1] or '').lower())
    okta_status = wait_for(lambda: tile_status(frame, 'Okta', 'Okta Production'), 10)
    check('the Okta tile is green', okta_status and okta_status[0] == 'Synced')

    tab = wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention' and 'click' in n.actions), 5) \
        or wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention'), 5)
    if tab is not None:
        activate(tab)
    row = wait_for(lambda: find(frame, lambda n: n.roleName == 'list item'
                                and n.name.startswith('GitHub – %s' % github['name'])
                                and 'Missing permissions' in n.name), 15)
    check('Needs attention lists GitHub with "Missing permissions"', row)
    check('the row says what is not synced and the fix',
          row is not None and 'not synced' in (row.description or '')
          and 'reconnect' in (row.description or '').lower())
    check('the row offers Reconnect',
          find(frame, lambda n: n.name == 'Reconnect GitHub – %s' % github['name']))
    tab = find(frame, lambda n: n.name == 'All integrations')
    if tab is not None:
        activate(tab)

    # Rename with Enter: the name is saved and the dialog closes.
    item = menu_item(frame, 'Okta', 'Okta Production', 'Rename')
    check('the Okta tile menu has Rename', item)
    if item is not None:
        item.doActionNamed('click')
    dialog = wait_for(lambda: find(app, lambda n: n.roleName in ('dialog', 'frame', 'window', 'alert')
                                   and n.name.startswith('Rename Okta')), 10)
    entry = wait_for(lambda: find(dialog, lambda n: n.name == 'Account name'
                                  and 'EditableText' in n.get_interfaces()), 5) if dialog else None
    check('the Rename dialog has the "Account name" entry', entry)
    if entry is not None:
        entry.queryEditableText().setTextContents('Okta Corp HQ')
        # Enter, typed into the entry as a person would.
        from dogtail import rawinput
        entry.click()
        rawinput.pressKey('Return')
    check('Enter closes the Rename dialog',
          wait_for(lambda: find(app, lambda n: n.roleName in ('dialog', 'frame', 'window', 'alert')
                                and (n.name or '').startswith('Rename Okta')) is None, 10))
    check('the tile shows the new name', wait_for(lambda: menu_button(frame, 'Okta', 'Okta Corp HQ'), 15))

    # Activity: one sentence per event, in plain words.
    check('the sidebar shows Activity', show_view(frame, 'Activity'))
    renamed = wait_for(lambda: find(frame, lambda n: n.roleName == 'label'
                                    and n.name == 'Renamed Okta Production to Okta Corp HQ'), 15)
    check('Activity says "Renamed Okta Production to Okta Corp HQ"', renamed)
    synced = wait_for(lambda: find(frame, lambda n: n.roleName == 'label'
                                   and n.name.startswith('Synced ') and ' users' in n.name
                                   and n.name.endswith('from Okta Corp HQ')), 10)
    check('Activity tells a sync with its counts and the current account name', synced)
    check('Activity shows no internal event ids',
          find(frame, lambda n: n.roleName == 'label' and n.name in ('sync_failed', 'synced', 'renamed')) is None)
    check('events can be filtered by account and by kind',
          find(frame, lambda n: n.name == 'Filter by account') and find(frame, lambda n: n.name == 'Filter by event'))

    audit = json.loads(cli('audit', '--json').stdout)
    check('audit --json carries the same sentence',
          any(e.get('summary') == 'Renamed Okta Production to Okta Corp HQ' and e['kind'] == 'renamed'
              for e in audit))
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
