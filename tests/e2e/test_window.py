#!/usr/bin/python3
"""End-to-end test of the Portico window through AT-SPI (dogtail).

Drives the real `portico` binary the way a person (or a screen reader) does:
finds widgets by role and accessible name, clicks and types, and checks what
the window shows. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- /usr/bin/python3 tests/e2e/test_window.py build/src/gui/portico
"""
import os
import subprocess
import sys
import tempfile
import time

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'

if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
    print('1..0 # SKIP needs a display and a session bus (xvfb-run + dbus-run-session)')
    sys.exit(0)

# dogtail prints its own notices on stdout; TAP goes to the real stdout only.
TAP = sys.stdout
sys.stdout = sys.stderr

from dogtail.config import config  # noqa: E402
config.checkForA11y = False        # else importing dogtail.tree aborts without the gsettings key
config.logDebugToFile = False
config.searchCutoffCount = 10
config.actionDelay = 0.2
config.defaultDelay = 0.2
from dogtail import tree  # noqa: E402

results = []


def check(name, cond):
    results.append((name, bool(cond)))
    print(('ok' if cond else 'not ok'), len(results), '-', name, file=TAP, flush=True)
    return cond


def wait_for(fn, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = fn()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.1)
    return None


def find(node, pred):
    return node.findChild(pred, retry=False, requireResult=False)


def find_named(node, name, role=None):
    return find(node, lambda n: n.name == name and (role is None or n.roleName == role))


def find_clickable(node, name):
    return find(node, lambda n: n.name == name and 'click' in n.actions)


tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-')
env = dict(os.environ)
for var in ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'):
    env[var] = os.path.join(tmp.name, var.lower())
    os.makedirs(env[var], exist_ok=True)
env.pop('GTK_A11Y', None)

proc = subprocess.Popen([APP, '--db', os.path.join(tmp.name, 'portico.db'), '--quit-after', '150000'],
                        env=env, stderr=subprocess.PIPE, text=True)
try:
    t0 = time.time()
    app = wait_for(lambda: [a for a in tree.root.applications()
                            if a.name in ('Portico', 'portico')][0], 20)
    check('app registered on the AT-SPI bus (%.1fs)' % (time.time() - t0), app)
    if not app:
        raise SystemExit

    frame = wait_for(lambda: find(app, lambda n: n.roleName == 'frame' and n.name == 'Portico'))
    check('main window "Portico" appears', frame)

    for tab in ('All integrations', 'Recommended to connect', 'Needs attention'):
        check('tab "%s" is shown' % tab, wait_for(lambda: find_named(frame, tab), 5))

    okta = wait_for(lambda: find_clickable(frame, 'Okta, Identity providers'))
    check('catalog tile "Okta, Identity providers" is a clickable button', okta)
    slack = find_clickable(frame, 'Slack, Communication')
    check('catalog tile "Slack, Communication" is a clickable button', slack)

    entry = wait_for(lambda: find_named(frame, 'Search integrations'))
    check('search entry "Search integrations" found', entry)
    text = find(entry, lambda n: 'EditableText' in n.get_interfaces()) if entry else None
    target = text or entry
    if target is not None:
        target.queryEditableText().setTextContents('ok')
    check('typing "ok" keeps Okta', wait_for(lambda: find_clickable(frame, 'Okta, Identity providers'), 5))
    check('typing "ok" hides Slack',
          wait_for(lambda: find_clickable(frame, 'Slack, Communication') is None, 5))
    if target is not None:
        target.queryEditableText().setTextContents('')
    check('clearing the search shows Slack again',
          wait_for(lambda: find_clickable(frame, 'Slack, Communication'), 5))

    button = find_clickable(frame, 'Integration capabilities')
    check('"Integration capabilities" button found', button)
    if button:
        button.doActionNamed('click')
    dialog = wait_for(lambda: find(app, lambda n: n.roleName in ('frame', 'dialog', 'window')
                                   and n.name == 'Integration capabilities'))
    check('capabilities window opens', dialog)
    if dialog:
        check('the table lists Okta', wait_for(lambda: find_named(dialog, 'Okta', 'label')))
        check('a check mark says which users Okta reads',
              wait_for(lambda: find(dialog, lambda n: n.name.startswith('Okta, Users:'))))
        close = find_clickable(dialog, 'Close')
        if close:
            close.doActionNamed('click')
        check('capabilities window closes',
              wait_for(lambda: find(app, lambda n: n.name == 'Integration capabilities'
                                    and n.roleName in ('frame', 'dialog', 'window')) is None, 5))

    okta = find_clickable(frame, 'Okta, Identity providers')
    if okta:
        okta.doActionNamed('click')
    connector = wait_for(lambda: find(app, lambda n: n.roleName in ('frame', 'dialog', 'window')
                                      and n.name == 'Okta'))
    check('clicking the Okta tile opens its page', connector)
    if connector:
        connect = find(connector, lambda n: n.roleName == 'push button' and n.name == 'Connect')
        check('"Connect" is there and available',
              connect is not None and connect.sensitive)
        close = find_clickable(connector, 'Close')
        if close:
            close.doActionNamed('click')

    # Widget actions are AT-SPI actions of the window: Ctrl+? opens this.
    frame.doActionNamed('win.show-help-overlay')
    shortcuts = wait_for(lambda: find(app, lambda n: n.roleName in ('frame', 'dialog', 'window')
                                      and n.name == 'Keyboard Shortcuts'))
    check('keyboard shortcuts window opens', shortcuts)
    if shortcuts:
        check('it lists "Search integrations"', find_named(shortcuts, 'Search integrations'))
        shortcuts.doActionNamed('window.close')

    menu = wait_for(lambda: find_clickable(frame, 'Main Menu'))
    check('primary menu button found', menu)
    if menu:
        menu.doActionNamed('click')
        about = wait_for(lambda: find(app, lambda n: n.roleName == 'menu item' and n.name == 'About Portico'))
        check('primary menu has "About Portico"', about)
        if about:
            about.doActionNamed('click')
            check('about window opens',
                  wait_for(lambda: find(app, lambda n: n.roleName in ('frame', 'dialog', 'window')
                                        and n.name == 'About Portico')))
finally:
    proc.terminate()
    try:
        err = proc.communicate(timeout=10)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        err = proc.communicate()[1]
    for line in err.splitlines():
        if 'CRITICAL' in line or 'WARNING' in line:
            print('# app stderr:', line, file=TAP)

failed = sum(1 for _, ok in results if not ok)
print('1..%d' % len(results), file=TAP)
print('# %d passed, %d failed' % (len(results) - failed, failed), file=TAP, flush=True)
sys.exit(1 if failed or not results else 0)
