#!/usr/bin/python3
"""End-to-end test of the custom-integration editor through AT-SPI (dogtail).

Starts the real `portico --demo` (its sandbox, with the SCIM 2.0 service,
runs in-process) on a temporary database and data folder, and works as an
admin would: "Add Custom Integration…", "Start from SCIM 2.0", Try It (the
mapped users and the record fields; a field chosen for a mapping), Save; the
new tile connects and syncs like a shipped connector and its users are in
the database; then Export… to a file, Delete…, and Import… of that file
gives the same definition; a broken file and a file with a shipped
connector's id are refused with the reason. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_connector_editor.py build/src/gui/portico build/src/cli/portico-cli
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
NAME = 'SCIM 2.0 app'
TILE = NAME + ', Other apps'

from portico_e2e import (App, button, check, clean, find, find_all, find_clickable,  # noqa: E402
                         finish, init, is_window, isolated_env, note, set_text, wait_for)
import portico_e2e  # noqa: E402

init(needs_keyring=True)
from dogtail import rawinput  # noqa: E402


def window_of(node):
    while node is not None and node.roleName not in ('frame', 'dialog', 'window', 'filler'):
        node = node.parent
    return node


def text_of(node, label):
    entry = find(node, lambda n: (n.name or '').startswith(label) and 'EditableText' in n.get_interfaces())
    return entry.text if entry is not None else None


def push(node, name):
    # GTK 4.8 names a button with a mnemonic label "_Label Label".
    return find(node, lambda n: n.roleName == 'push button' and clean(n.name) in (name, name + ' ' + name))


def message_dialog(heading):
    """The message dialog whose heading is @heading, or None."""
    label = find(app, lambda n: n.roleName == 'label' and n.name == heading)
    return window_of(label) if label is not None else None


def message_body(dialog, heading):
    labels = find_all(dialog, lambda n: n.roleName == 'label' and n.name and n.name != heading)
    return '\n'.join(label.name for label in labels)


def answer(dialog, response):
    target = push(dialog, response)
    if target is not None:
        target.doActionNamed('click')
    return target is not None


def chooser_window(title):
    return next((w for w in app.children if w.name == title), None)


def choose_path(title, path, save=False):
    """Chooses @path in GTK's own file chooser named @title."""
    chooser = wait_for(lambda: chooser_window(title), 15)
    if chooser is None:
        return 'no file chooser "%s"' % title
    time.sleep(0.5)
    if save:
        # The name entry has the focus: a full path there saves to it.
        rawinput.keyCombo('<ctrl>a')
    else:
        rawinput.keyCombo('<ctrl>l')
    time.sleep(0.3)
    rawinput.typeText(path)
    time.sleep(0.5)
    rawinput.pressKey('Return')
    if not wait_for(lambda: chooser_window(title) is None, 10):
        return 'the file chooser stayed open'
    return None


def open_tile():
    tile = wait_for(lambda: find_clickable(frame, TILE), 15)
    if not tile:
        return None
    tile.doActionNamed('click')
    return wait_for(lambda: find(app, lambda n: is_window(n, NAME)))


def saved_definition():
    path = os.path.join(env['XDG_DATA_HOME'], 'portico', 'connectors', 'scim-app.json')
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def scim_users(url):
    """Every user of the SCIM service, page by page."""
    users, start = [], 1
    while True:
        req = urllib.request.Request('%s/Users?startIndex=%d&count=100' % (url, start),
                                     headers={'Authorization': 'Bearer sandbox-ok',
                                              'Accept': 'application/scim+json'})
        with urllib.request.urlopen(req, timeout=10) as resp:
            page = json.loads(resp.read())
        users += page.get('Resources', [])
        start += page.get('itemsPerPage', 0)
        if not page.get('Resources') or start > page.get('totalResults', 0):
            return users


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-editor-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME'))
base = portico_e2e.demo_env(env)

portico = App([APP, '--demo', '--db', db, '--quit-after', '280000'], env)
try:
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)
    admin = wait_for(lambda: portico_e2e.demo_admin_url(base), 20)

    # ---- Build it in the editor from the SCIM 2.0 template.
    add = wait_for(lambda: find_clickable(frame, 'Add Custom Integration…'))
    check('the custom section offers "Add Custom Integration…"', add)
    if not add:
        raise SystemExit
    add.doActionNamed('click')
    editor = wait_for(lambda: find(app, lambda n: is_window(n, 'New Custom Integration')))
    check('it opens the editor', editor)
    if not editor:
        raise SystemExit
    save = push(editor, 'Save')
    check('Save is unavailable while the new definition has problems',
          wait_for(lambda: not push(editor, 'Save').sensitive, 5))
    check('the problems are explained (the name is missing)',
          wait_for(lambda: find(editor, lambda n: n.roleName == 'label' and 'name' in (n.name or '').lower()
                                and (n.name or '').strip() != ''), 5))

    scim = push(editor, 'Start from SCIM 2.0')
    check('"Start from SCIM 2.0" is offered', scim)
    scim.doActionNamed('click')
    info = json.loads(portico_e2e.http('GET', admin + '/info')[1] or '{}') if admin else {}
    scim_url = info.get('scim_url')
    check('the demo sandbox serves a SCIM 2.0 service (%s)' % scim_url, scim_url)
    check('Save becomes available once nothing is left to fix',
          wait_for(lambda: push(editor, 'Save').sensitive, 10))

    try_button = push(editor, 'Try It')
    try_button.doActionNamed('click')
    status = wait_for(lambda: find(editor, lambda n: n.roleName == 'label' and (n.name or '').startswith('HTTP 200')), 30)
    check('Try It reads the first page: %s' % (status.name if status else None), status)
    everyone = scim_users(scim_url) if scim_url else []
    first = everyone[0] if everyone else {}
    check('the mapped users show the first SCIM user by name',
          wait_for(lambda: find(editor, lambda n: n.name == first.get('displayName')), 5))
    use = find(editor, lambda n: n.roleName == 'push button' and clean(n.name) == 'Use userName')
    check('the record fields offer "userName" with its sample', use)

    # Choosing a JSON field fills the mapping field the admin is in (Role,
    # which the template maps from "title", becomes "userName"; GTK 4.8 does
    # not let AT-SPI read an entry's text, so the saved file tells).
    set_text(editor, 'Role', '')
    if use is not None:
        use.doActionNamed('click')
    check('Use is offered for the mapping field the admin is in', use is not None)

    if not wait_for(lambda: push(editor, 'Save').sensitive, 20):
        for label in find_all(editor, lambda n: n.roleName == 'label' and n.name):
            note('editor says:', label.name[:200])
    push(editor, 'Save').doActionNamed('click')
    check('Save closes the editor',
          wait_for(lambda: find(app, lambda n: is_window(n, 'New Custom Integration')) is None, 10))
    definition = wait_for(saved_definition, 5)
    check('the definition is saved in the data folder', definition and definition.get('id') == 'scim-app'
          and definition.get('name') == NAME)
    users_map = ((definition or {}).get('data_types', {}).get('users', {}).get('map', {}))
    check('... with the mapping field filled from Try It (role: %r)' % users_map.get('role'),
          users_map.get('role') == 'userName')
    check('... and the SCIM mapping of the template (email: %r)' % users_map.get('email'),
          'emails[primary=true].value' in json.dumps(users_map.get('email')))

    # ---- It connects and syncs like a shipped connector.
    page = open_tile()
    check('its tile is in the catalog at once and opens its page', page)
    if not page:
        raise SystemExit
    check('the page of a custom integration offers Edit, Export and Delete',
          push(page, 'Edit Custom Integration') and push(page, 'Export Custom Integration')
          and push(page, 'Delete Custom Integration'))
    push(page, 'Connect').doActionNamed('click')
    dialog = wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + NAME)))
    check('Connect opens its connect dialog', dialog)
    if not dialog:
        raise SystemExit
    set_text(dialog, 'SCIM base URL', scim_url)
    set_text(dialog, 'Bearer token', 'sandbox-ok')
    push(dialog, 'Test connection').doActionNamed('click')
    connect = wait_for(lambda: (lambda b: b if b is not None and b.sensitive else None)(push(dialog, 'Connect')), 30)
    check('the connection test passes', connect)
    if connect:
        connect.doActionNamed('click')
    check('the dialog closes after connecting',
          wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + NAME)) is None, 20))

    def synced():
        rows = portico_e2e.accounts(CLI, db, env) or []
        mine = [r for r in rows if r.get('connector') == 'scim-app']
        if mine and mine[0].get('status') not in (None, 'syncing') and mine[0].get('last_sync_at'):
            return mine[0]
        return None
    account = wait_for(synced, 60, 1)
    check('the first sync ran (%s)' % (account or {}).get('status'), account and account.get('status') == 'ok')
    out = portico_e2e.run_cli(CLI, db, ['users', '--json'], env)
    users = json.loads(out.stdout) if out.returncode == 0 else []
    emails = {u.get('email') for u in (users.get('users', users) if isinstance(users, dict) else users)}
    primary = [e['value'] for u in everyone for e in u.get('emails', []) if e.get('primary')]
    check('its users are there, by their primary SCIM email (%d)' % len(primary),
          primary and all(e in emails for e in primary))
    # ---- Editing it names the account that uses it and tests it again.
    page = open_tile()
    edit = push(page, 'Edit Custom Integration') if page else None
    if edit is not None:
        edit.doActionNamed('click')
    editor = wait_for(lambda: find(app, lambda n: is_window(n, 'Edit \u201c%s\u201d' % NAME)))
    check('Edit… opens the editor on the saved definition', editor)
    if editor:
        check('... naming the accounts that use it',
              find(editor, lambda n: n.roleName == 'label' and n.name == 'Accounts Using It'))
        wait_for(lambda: push(editor, 'Save').sensitive, 10)
        push(editor, 'Save').doActionNamed('click')
        check('after Save the account is tested again, and works',
              wait_for(lambda: find(editor, lambda n: n.name == 'Tested again: works'), 30))
        push(editor, 'Cancel').doActionNamed('click')
        wait_for(lambda: find(app, lambda n: is_window(n, 'Edit \u201c%s\u201d' % NAME)) is None, 10)

    out = portico_e2e.run_cli(CLI, db, ['disconnect', str((account or {}).get('id')), '--yes', '--json'],
                              env, demo=True)
    check('disconnect', out.returncode == 0)
    # Its keyring item goes too (a disconnect keeps it for a restore).
    portico_e2e.run_cli(CLI, db, ['forget', str((account or {}).get('id'))], env, demo=True)

    # ---- Export, delete, import again.
    exported = os.path.join(tmp.name, 'exported-scim.json')
    page = open_tile()
    push(page, 'Export Custom Integration').doActionNamed('click')
    problem = choose_path('Export Integration', exported, save=True)
    check('Export… writes the chosen file (%s)' % (problem or 'ok'),
          problem is None and wait_for(lambda: os.path.exists(exported), 5))
    try:
        with open(exported) as f:
            exported_doc = json.load(f)
    except (OSError, ValueError):
        exported_doc = None
    check('the exported file is the saved definition', exported_doc is not None and exported_doc == definition)

    push(page, 'Delete Custom Integration').doActionNamed('click')
    confirm = wait_for(lambda: message_dialog('Delete \u201c%s\u201d?' % NAME), 10)
    check('Delete… asks first', confirm)
    if confirm:
        answer(confirm, 'Delete')
    check('Delete removes the tile and the file',
          wait_for(lambda: find_clickable(frame, TILE) is None and saved_definition() is None, 10))

    def import_file(path):
        button_ = wait_for(lambda: find_clickable(frame, 'Import Custom Integration…'))
        button_.doActionNamed('click')
        return choose_path('Import Custom Integration', path)

    problem = import_file(exported)
    heading = 'Import \u201c%s\u201d?' % NAME
    confirm = wait_for(lambda: message_dialog(heading), 10)
    check('Import… of the exported file asks to confirm (%s)' % (problem or 'ok'), confirm)
    body = message_body(confirm, heading) if confirm else ''
    check('... naming where the credentials go: %r' % body, 'SCIM base URL' in body)
    if confirm:
        answer(confirm, 'Import')
    check('the imported integration is back in the catalog', wait_for(lambda: find_clickable(frame, TILE), 10))
    check('... with the same definition', saved_definition() == definition)

    # ---- Refusals, with the reason.
    broken = os.path.join(tmp.name, 'broken.json')
    with open(broken, 'w') as f:
        f.write('{"format": 1, "id": "broken", "name": ')
    problem = import_file(broken)
    heading = '\u201cbroken.json\u201d Cannot Be Imported'
    refusal = wait_for(lambda: message_dialog(heading), 10)
    body = message_body(refusal, heading) if refusal else ''
    check('a broken file is refused with the file and the reason: %r' % body,
          refusal and 'broken.json' in body)
    if refusal:
        answer(refusal, 'Close')

    shadow = os.path.join(tmp.name, 'my-slack.json')
    shutil.copy(os.path.join(os.environ['PORTICO_CONNECTORS_DIR'], 'slack.json'), shadow)
    problem = import_file(shadow)
    heading = '\u201cmy-slack.json\u201d Cannot Be Imported'
    refusal = wait_for(lambda: message_dialog(heading), 10)
    body = message_body(refusal, heading) if refusal else ''
    check('a shipped connector\'s id is refused with the reason: %r' % body,
          refusal and 'shipped connector' in body and 'slack' in body)
    if refusal:
        answer(refusal, 'Close')
finally:
    portico.stop()

finish()
