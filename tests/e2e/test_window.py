#!/usr/bin/python3
"""End-to-end test of the Portico window through AT-SPI (dogtail).

Drives the real `portico` binary the way a person (or a screen reader) does:
finds widgets by role and accessible name, clicks and types, and checks what
the window shows. Prints TAP.

Run under: xvfb-run -a dbus-run-session -- /usr/bin/python3 tests/e2e/test_window.py build/src/gui/portico
"""
import os
import sys
import tempfile
import time

APP = sys.argv[1] if len(sys.argv) > 1 else 'build/src/gui/portico'

from portico_e2e import (App, check, find, find_clickable, find_named, finish,  # noqa: E402
                         init, isolated_env, wait_for)

init()

tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-')
env = isolated_env(tmp.name, ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'))

portico = App([APP, '--db', os.path.join(tmp.name, 'portico.db'), '--quit-after', '150000'], env)
try:
    t0 = time.time()
    app = portico.find_app()
    check('app registered on the AT-SPI bus (%.1fs)' % (time.time() - t0), app)
    if not app:
        raise SystemExit

    frame = portico.find_frame()
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
    portico.stop()

finish()
