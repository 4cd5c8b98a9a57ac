#!/usr/bin/python3
"""End-to-end test of the connect dialog through AT-SPI (dogtail).

Starts the real `portico --demo` (its sandbox runs in-process) on a temporary
database, opens the Slack catalog tile, opens Connect and goes through the
three test outcomes the way a person does: A then Connect, B (a plan secret
of another workspace) then "Connect anyway", C (a rejected secret) where
Connect stays unavailable, and "Save test report" writes the test's report
(typed into GTK's file chooser) without the secret. Afterwards it reads the database with
`portico-cli --db TMP accounts --json`. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \
    /usr/bin/python3 tests/e2e/test_connect.py build/src/gui/portico build/src/cli/portico-cli
"""
import os
import sys
import tempfile
import time

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'
CLI = sys.argv[2] if len(sys.argv) > 2 else 'build/src/cli/portico-cli'
CONNECTOR_TILE = 'Slack, Communication'
CONNECTOR_NAME = 'Slack'
SECRET_LABEL = 'OAuth token'

from portico_e2e import (App, button, check, find, find_clickable, finish, init,  # noqa: E402
                         is_window, isolated_env, set_text, wait_for)
import portico_e2e  # noqa: E402
from dogtail import rawinput  # noqa: E402

init(needs_keyring=True)


def accounts(db):
    return portico_e2e.accounts(CLI, db, env)


def demo_secret(dialog, outcome):
    """The sandbox secret the dialog's demo note lists for @outcome ("B" or "C")."""
    note = find(dialog, lambda n: n.roleName == 'label' and 'outcome ' + outcome in (n.name or ''))
    if note is None:
        return None
    for line in note.name.splitlines():
        if 'outcome ' + outcome in line and '\u201c' in line:
            return line.split('\u201c', 1)[1].split('\u201d', 1)[0]
    return None


def open_connect_dialog(frame):
    tile = wait_for(lambda: find_clickable(frame, CONNECTOR_TILE))
    if not tile:
        return None
    tile.doActionNamed('click')
    page = wait_for(lambda: find(app, lambda n: is_window(n, CONNECTOR_NAME)))
    if not page:
        return None
    connect = wait_for(lambda: button(page, 'Connect'))
    if not connect or not connect.sensitive:
        return None
    connect.doActionNamed('click')
    return wait_for(lambda: find(app, lambda n: is_window(n, 'Connect ' + CONNECTOR_NAME)))


def test_and_wait(dialog, expect_button):
    test = wait_for(lambda: button(dialog, 'Test connection'))
    if not test:
        return None
    test.doActionNamed('click')
    # The Test button is unavailable while the test runs, then comes back.
    time.sleep(0.3)
    wait_for(lambda: button(dialog, 'Test connection').sensitive, 30)
    return wait_for(lambda: button(dialog, expect_button), 5)


def dialog_closed():
    return find(app, lambda n: is_window(n, 'Connect ' + CONNECTOR_NAME)) is None


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-connect-')
db = os.path.join(tmp.name, 'portico.db')
env = isolated_env(tmp.name, ('XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))
env.pop('GTK_USE_PORTAL', None)
# A demo sandbox of this run's own, not one another test serves.
portico_e2e.demo_env(env)

portico = App([APP, '--demo', '--db', db, '--quit-after', '170000'], env)
try:
    app = portico.find_app()
    check('app registered on the AT-SPI bus', app)
    if not app:
        raise SystemExit
    frame = portico.find_frame()
    check('main window appears', frame)

    # ---- Outcome A, then Connect.
    dialog = open_connect_dialog(frame)
    check('the catalog tile opens its page, and Connect opens "Connect Slack"', dialog)
    if not dialog:
        raise SystemExit
    connect = button(dialog, 'Connect')
    check('Connect is unavailable before a test', connect is not None and not connect.sensitive)
    check('the demo note names the outcome B and C secrets',
          find(dialog, lambda n: n.roleName == 'label' and 'outcome B' in (n.name or '')))
    check('Delegate offers "Copy message"', button(dialog, 'Copy message'))
    connect = test_and_wait(dialog, 'Connect')
    check('outcome A: Connect becomes available', connect is not None and connect.sensitive)
    check('the test list shows items on the first page',
          find(dialog, lambda n: 'on the first page' in (n.name or '')))
    if connect:
        connect.doActionNamed('click')
    check('the dialog closes after connecting', wait_for(dialog_closed, 20))
    rows = wait_for(lambda: accounts(db), 10) or []
    check('the database has the Slack account', len(rows) == 1 and rows[0].get('connector') == 'slack')

    # ---- Outcome B (another workspace whose plan lacks some APIs), then Connect anyway.
    dialog = open_connect_dialog(frame)
    check('Connect opens the dialog again', dialog)
    if not dialog:
        raise SystemExit
    plan = demo_secret(dialog, 'B')
    check('the demo note lists the outcome B secret (%s)' % plan, plan)
    check('the secret can be replaced by typing',
          set_text(dialog, SECRET_LABEL, (plan or '') + '-globex'))
    connect = test_and_wait(dialog, 'Connect anyway')
    check('outcome B: "Connect anyway" is offered', connect is not None and connect.sensitive)
    check('the dialog explains that only working data types sync',
          find(dialog, lambda n: 'only the working data types will sync' in (n.name or '')))
    if connect:
        connect.doActionNamed('click')
    check('the dialog closes after connecting anyway', wait_for(dialog_closed, 20))
    rows = wait_for(lambda: (lambda r: r if r and len(r) == 2 else None)(accounts(db)), 10) or []
    check('the database has a second Slack account', len(rows) == 2)
    second = rows[-1] if rows else {}
    disabled = [t for t in second.get('data_types', []) if not t.get('enabled')]
    check('its failing data types are stored disabled with a reason',
          disabled and all(t.get('disabled_reason') for t in disabled))

    # ---- Outcome C: a rejected secret; Connect stays unavailable.
    dialog = open_connect_dialog(frame)
    check('Connect opens the dialog a third time', dialog)
    if not dialog:
        raise SystemExit
    bad = demo_secret(dialog, 'C')
    check('the demo note lists the outcome C secret (%s)' % bad, bad)
    set_text(dialog, SECRET_LABEL, bad or 'rejected')
    test_and_wait(dialog, 'Connect')
    time.sleep(0.5)
    connect = button(dialog, 'Connect')
    check('outcome C: Connect stays unavailable', connect is not None and not connect.sensitive)
    check('the dialog says the connection failed, in plain words',
          find(dialog, lambda n: (n.name or '').startswith('The connection failed')))

    # ---- Save Test Report…: the file chooser, then a report without the secret.
    report = button(dialog, 'Save test report')
    check('after the test, "Save test report" is offered', report is not None and report.sensitive)
    report_path = os.path.join(tmp.name, 'report.json')
    if report:
        report.doActionNamed('click')
        # GTK 4.8 shows its own file chooser (no portal is asked for here) as a
        # top-level 'filler' whose entries AT-SPI can neither read nor set:
        # the name entry has the focus, so type the path, as a keyboard user does.
        chooser = wait_for(lambda: next((w for w in app.children if w.name == 'Save Test Report'), None), 15)
        check('it opens the "Save Test Report" file chooser', chooser)
        if chooser:
            time.sleep(0.5)
            rawinput.keyCombo('<ctrl>a')
            rawinput.typeText(report_path)
            time.sleep(0.3)
            rawinput.pressKey('Return')
        saved = wait_for(lambda: os.path.exists(report_path) and open(report_path).read().rstrip().endswith('}'), 10)
        text = open(report_path).read() if saved else ''
        check('the report is saved, with outcome C and without the secret',
              saved and '"outcome" : "C"' in text and (bad or 'rejected') not in text)
        check('a toast says the report holds no credentials',
              wait_for(lambda: find(dialog, lambda n: 'no credentials' in (n.name or '')), 5))

    cancel = button(dialog, 'Cancel')
    if cancel:
        cancel.doActionNamed('click')
    check('Cancel closes the dialog', wait_for(dialog_closed, 10))
    check('no account was added by outcome C', len(accounts(db) or []) == 2)
finally:
    portico.stop()

finish()
