#!/usr/bin/python3
"""End-to-end test of the guard rails through AT-SPI (dogtail): Apply
Anyway on a held users sync, Resume on a paused account, and the offline
banner.

portico-cli prepares two accounts against a standalone portico-sandbox on a
fixed port range: Okta and GitHub, both synced. The sandbox then restarts
with half the company, so Okta's next sync is held by drift protection
(portico-cli sync exits 1 with "Held: …"); the sandbox's admin endpoint
revokes GitHub's key and five failed syncs pause it. The real `portico`
started with PORTICO_TEST_NETWORK=offline (a network monitor that says
offline; read only by the app's test monitor) shows the offline banner;
started again online it shows none, and in Needs attention "Apply Anyway"
applies Okta's held users and "Resume" lets GitHub sync on schedule again.
Prints TAP.

Run under: xvfb-run -a dbus-run-session -- build-aux/keyring-run \\
    /usr/bin/python3 tests/e2e/test_guard_rails.py build/src/gui/portico \\
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

from portico_e2e import App, activate, check, find, finish, init, wait_for  # noqa: E402
import portico_e2e  # noqa: E402

init(needs_keyring=True)

OFFLINE_TEXT = 'You are offline. Portico syncs again when the network is back.'

tmp = tempfile.TemporaryDirectory(prefix='portico-e2e-guard-rails-')
db = os.path.join(tmp.name, 'portico.db')
env = dict(os.environ)
env.pop('GTK_A11Y', None)
env.pop('PORTICO_TEST_NETWORK', None)
env['GIO_USE_PROXY_RESOLVER'] = 'dummy'
port_base = portico_e2e.free_port_base()
sandbox = None
proc = None


def start_sandbox(size):
    """A sandbox of about @size people on the test's own ports."""
    global sandbox
    sandbox = subprocess.Popen([SANDBOX, '--json', '--size', str(size), '--port-base', str(port_base)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return portico_e2e.read_sandbox_json(sandbox)


def stop_sandbox():
    global sandbox
    if sandbox is None:
        return
    sandbox.terminate()
    try:
        sandbox.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.kill()
        sandbox.communicate()
    sandbox = None


def cli(*args, secrets=None):
    return portico_e2e.run_cli(CLI, db, args, env, secrets=secrets)


def connect(info, connector_id, name):
    c = [c for c in info['connectors'] if c['id'] == connector_id][0]
    args = ['connect', connector_id, '--json', '--name', name, '--set', 'api_base_url=' + c['api_base_url']]
    for key, value in c['fields'].items():
        args += ['--set', '%s=%s' % (key, value)]
    out = cli(*args, secrets={field: c['secrets']['ok'] for field in c['secret_fields']})
    return json.loads(out.stdout)['account'] if out.returncode == 0 else None


def account(account_id):
    for a in portico_e2e.accounts(CLI, db, env) or []:
        if a['id'] == account_id:
            return a
    return None


def okta_people(account_id):
    """How many people the account's users sync stored."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM app_users WHERE source_account_id = ? "
                            "AND source_kind = 'account'", (account_id,)).fetchone()[0]


def start_app(network):
    app_env = dict(env)
    app_env['PORTICO_TEST_NETWORK'] = network
    app = App([APP, '--db', db, '--quit-after', '280000'], app_env)
    found = app.find_app()
    return app, found, app.find_frame() if found else None


def banner(frame):
    return find(frame, lambda n: n.roleName == 'label' and n.name == OFFLINE_TEXT)


def show_attention(frame):
    tab = wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention' and 'click' in n.actions), 5) \
        or wait_for(lambda: find(frame, lambda n: n.name == 'Needs attention'), 5)
    if tab is not None:
        activate(tab)
    return tab


try:
    info = start_sandbox(80)
    okta = connect(info, 'okta', 'Okta Production')
    check('portico-cli connects Okta as "Okta Production"', okta)
    github = connect(info, 'github', 'GitHub Org')
    check('portico-cli connects GitHub as "GitHub Org"', github)
    if not okta or not github:
        raise SystemExit
    check('both accounts sync', cli('sync', '--all').returncode == 0)

    # Half the company gone at once: Okta's users sync is held.
    stop_sandbox()
    info = start_sandbox(40)
    held = cli('sync', str(okta['id']))
    check('portico-cli sync exits 1 with "Held: … people would disappear"',
          held.returncode == 1 and 'Held: ' in held.stderr and 'people would disappear' in held.stderr)
    before = account(okta['id'])
    check('the account records the held sync', before and (before.get('held_total') or 0) > 0)
    people_before = okta_people(okta['id'])
    check('the old users stay until it is applied',
          before and people_before >= before.get('held_total', 0))

    # GitHub's key revoked: five failed syncs in a row pause it.
    status, _ = portico_e2e.http('POST', info['admin_url'] + '/credentials?connector=github&state=bad')
    check('the sandbox revokes GitHub\'s key', status == 200)
    for _ in range(5):
        cli('sync', str(github['id']))
    check('five failed syncs with one cause pause GitHub', (account(github['id']) or {}).get('paused'))

    # Offline: the window says so in a banner with the status role.
    proc, app, frame = start_app('offline')
    check('app registered on the AT-SPI bus (offline)', app)
    check('main window appears (offline)', frame)
    if not frame:
        raise SystemExit
    shown = wait_for(lambda: banner(frame), 15)
    check('the offline banner says "%s"' % OFFLINE_TEXT, shown)
    check('the banner is a status for assistive technologies',
          find(frame, lambda n: n.roleName == 'status bar' and n.name == OFFLINE_TEXT))
    proc.stop()
    proc = None

    # Online: no banner; Needs attention offers Apply Anyway and Resume.
    proc, app, frame = start_app('online')
    check('app registered on the AT-SPI bus', app)
    check('main window appears', frame)
    if not frame:
        raise SystemExit
    check('online, there is no offline banner',
          wait_for(lambda: find(frame, lambda n: 'GitHub Org' in (n.name or '')), 15)
          and find(frame, lambda n: n.name == OFFLINE_TEXT) is None)

    check('the Needs attention tab is there', show_attention(frame))
    row = wait_for(lambda: find(frame, lambda n: n.roleName == 'list item'
                                and n.name.startswith('Okta – Okta Production')
                                and 'Held: ' in n.name), 15)
    check('Needs attention lists Okta as "Held: N of M people would disappear"', row)
    apply = wait_for(lambda: find(frame, lambda n: n.name == 'Apply Anyway Okta – Okta Production'
                                  and 'click' in n.actions), 10)
    check('the row offers Apply Anyway', apply)
    check('it offers Keep Current Data too',
          find(frame, lambda n: n.name == 'Keep current data of Okta – Okta Production'))
    if apply is not None:
        apply.doActionNamed('click')
    applied = wait_for(lambda: (account(okta['id']) or {'held_total': 1}).get('held_total') is None, 20)
    check('Apply Anyway applies the held users (nothing is held any more)', applied)
    check('Okta\'s users are now the new, smaller list',
          applied and 0 < okta_people(okta['id']) < people_before)
    check('the Held row is gone',
          wait_for(lambda: find(frame, lambda n: n.name == 'Apply Anyway Okta – Okta Production') is None, 15))

    resume = wait_for(lambda: find(frame, lambda n: n.name == 'Resume GitHub – GitHub Org'
                                   and 'click' in n.actions), 15)
    check('Needs attention offers Resume for the paused GitHub account', resume)
    if resume is not None:
        resume.doActionNamed('click')
    check('Resume lets GitHub sync on schedule again',
          wait_for(lambda: (account(github['id']) or {'paused': True}).get('paused') is False, 20))
    check('the Resume button is gone',
          wait_for(lambda: find(frame, lambda n: n.name == 'Resume GitHub – GitHub Org') is None, 15))
    audit = json.loads(cli('audit', '--json').stdout or '[]')
    check('the audit records held_applied and resumed',
          any(e['kind'] == 'held_applied' for e in audit) and any(e['kind'] == 'resumed' for e in audit))

    # The provider unreachable while the machine is offline: portico-cli
    # says so once, and it neither pauses Okta nor puts it in Needs attention.
    proc.stop()
    proc = None
    stop_sandbox()
    offline_env = dict(env)
    offline_env['PORTICO_TEST_NETWORK'] = 'offline'
    runs = [portico_e2e.run_cli(CLI, db, ['sync', str(okta['id'])], offline_env) for _ in range(6)]
    lines = [line for line in runs[0].stderr.splitlines() if line.strip()]
    check('offline, portico-cli sync exits 1 with one sentence that says so',
          runs[0].returncode == 1 and len(lines) == 1 and 'offline' in lines[0])
    check('six offline failures do not pause the account', (account(okta['id']) or {}).get('paused') is False)
    with sqlite3.connect(db) as conn:
        runs_before = conn.execute("SELECT count(*) FROM sync_runs").fetchone()[0]
    timer = portico_e2e.run_cli(CLI, db, ['sync', '--all', '--scheduled'], offline_env)
    with sqlite3.connect(db) as conn:
        runs_after = conn.execute("SELECT count(*) FROM sync_runs").fetchone()[0]
    check('offline, the timer\'s sync --all --scheduled syncs nothing, says so and exits 0',
          timer.returncode == 0 and 'offline' in timer.stdout and runs_after == runs_before)
    attention = json.loads(cli('attention', '--json').stdout or '[]')
    check('Needs attention does not list the offline account',
          not [r for r in attention if r['account'] == okta['id']])
finally:
    if proc is not None:
        proc.stop()
    for account_id in ('1', '2'):
        cli('disconnect', account_id, '--yes')
        cli('forget', account_id)
    stop_sandbox()

finish()
