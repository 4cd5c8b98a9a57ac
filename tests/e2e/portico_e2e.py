"""Shared scaffolding of Portico's AT-SPI end-to-end tests (dogtail).

Each test calls init() first: it skips (TAP "1..0 # SKIP") without a display
and a session bus, or without the test keyring when the test needs one, then
sends stdout to stderr (dogtail prints notices there) and keeps the real
stdout for TAP. Then check() records a result, App starts the real `portico`
and finds its window on the accessibility bus, and finish() prints the plan
and exits.

The tests run with /usr/bin/python3 (dogtail is a system package); meson puts
this folder on PYTHONPATH, and Python puts a script's own folder on sys.path.
"""
import glob
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

TAP = sys.stdout
tree = None
results = []


def init(needs_keyring=False):
    """Skips the test when its session is missing, then loads dogtail."""
    global TAP, tree
    if not os.environ.get('DISPLAY') or not os.environ.get('DBUS_SESSION_BUS_ADDRESS'):
        print('1..0 # SKIP needs a display and a session bus (xvfb-run + dbus-run-session)')
        sys.exit(0)
    if needs_keyring and os.environ.get('PORTICO_TEST_KEYRING') != '1':
        print('1..0 # SKIP needs an unlocked keyring (run under build-aux/keyring-run)')
        sys.exit(0)

    # dogtail prints its own notices on stdout; TAP goes to the real stdout only.
    TAP = sys.stdout
    sys.stdout = sys.stderr

    from dogtail.config import config
    config.checkForA11y = False    # else importing dogtail.tree aborts without the gsettings key
    config.logDebugToFile = False
    config.searchCutoffCount = 10
    config.actionDelay = 0.2
    config.defaultDelay = 0.2
    from dogtail import tree as dogtail_tree
    tree = dogtail_tree
    return tree


def note(*args):
    """A TAP comment."""
    print('#', *args, file=TAP, flush=True)


def check(name, cond):
    results.append((name, bool(cond)))
    print(('ok' if cond else 'not ok'), len(results), '-', name, file=TAP, flush=True)
    return cond


def finish():
    failed = sum(1 for _, ok in results if not ok)
    print('1..%d' % len(results), file=TAP)
    print('# %d passed, %d failed' % (len(results) - failed, failed), file=TAP, flush=True)
    sys.exit(1 if failed or not results else 0)


def wait_for(fn, timeout=10.0, interval=0.1):
    """Calls @fn until it returns something true (errors count as false);
    that value, or None after @timeout seconds."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = fn()
            if value:
                return value
        except Exception:
            pass
        time.sleep(interval)
    return None


# ---- Finding widgets by role and accessible name.

def find(node, pred):
    return node.findChild(pred, retry=False, requireResult=False)


def find_all(node, pred):
    return node.findChildren(pred, recursive=True)


def find_named(node, name, role=None):
    return find(node, lambda n: n.name == name and (role is None or n.roleName == role))


def find_clickable(node, name):
    return find(node, lambda n: n.name == name and 'click' in n.actions)


def is_window(n, name):
    return n.roleName in ('frame', 'dialog', 'window') and n.name == name


def find_window(app, name):
    return find(app, lambda n: is_window(n, name))


def button(node, name):
    return find(node, lambda n: n.roleName == 'push button' and n.name == name)


def clean(name):
    """A label without its mnemonic underscores."""
    return (name or '').replace('_', '')


def set_text(node, label, value):
    """Types @value into the text of the row named @label."""
    target = find(node, lambda n: (n.name or '').startswith(label) and 'EditableText' in n.get_interfaces()
                  and n.roleName in ('text', 'password text', 'entry'))
    if target is None:
        row = find(node, lambda n: n.name == label)
        target = find(row, lambda n: 'EditableText' in n.get_interfaces()) if row else None
    if target is None:
        return False
    target.queryEditableText().setTextContents(value)
    return True


def activate(node):
    """Clicks @node through its AT-SPI action, or with the pointer."""
    try:
        node.doActionNamed('click')
    except Exception:
        node.click()


# ---- Environments and processes.

def isolated_env(base, variables):
    """A copy of the environment whose @variables point into folders of @base,
    with AT-SPI on for the app."""
    env = dict(os.environ)
    for var in variables:
        env[var] = os.path.join(base, var.lower())
        os.makedirs(env[var], exist_ok=True)
    env.pop('GTK_A11Y', None)
    return env


def connector_count():
    """How many connectors the sandbox serves: one per definition."""
    folder = os.environ.get('PORTICO_CONNECTORS_DIR') or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'connectors')
    return len(glob.glob(os.path.join(folder, '*.json')))


def _port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_port_base(count=None):
    """A demo port base whose next ports (every connector, the admin endpoint
    and the redirect target, and some spare) are free now, chosen at random so
    that tests run at the same time by others do not share one sandbox."""
    span = (count if count is not None else connector_count()) + 2 + 8
    for _ in range(200):
        base = random.randrange(30000, 60000 - span)
        if all(_port_free(p) for p in range(base, base + span)):
            return base
    raise SystemExit('no free range of %d loopback ports' % span)


def demo_env(env):
    """Gives @env a demo port base of its own; returns the base."""
    base = free_port_base()
    env['PORTICO_DEMO_PORT_BASE'] = str(base)
    return base


def http(method, url, timeout=10):
    """(status, body) of a request to the sandbox; status 0 when nothing answers."""
    req = urllib.request.Request(url, method=method, data=b'' if method == 'POST' else None)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode('utf-8', 'replace')
    except (urllib.error.URLError, OSError):
        return 0, ''


def demo_admin_url(base):
    """The admin endpoint of the demo sandbox on @base (port base + number of
    connectors), confirmed by its /info document; the ports after base are
    searched when the count is off."""
    n = connector_count()
    for port in [base + n] + [p for p in range(base, base + n + 8) if p != base + n]:
        url = 'http://127.0.0.1:%d/_sandbox' % port
        status, body = http('GET', url + '/info', timeout=3)
        if status != 200:
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        if isinstance(doc, dict) and 'admin_url' in doc:
            return url
    return None


def run_cli(cli, db, args, env, secrets=None, demo=False, timeout=120):
    """Runs portico-cli on @db; secrets go through PORTICO_FIELD_* variables."""
    cenv = dict(env)
    for key, value in (secrets or {}).items():
        cenv['PORTICO_FIELD_' + key.upper()] = value
    argv = [cli, '--db', db] + (['--demo'] if demo else []) + list(args)
    out = subprocess.run(argv, env=cenv, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        note('cli', args, 'failed:', out.stderr.strip())
    return out


def accounts(cli, db, env):
    """The accounts of @db as `portico-cli accounts --json` lists them, or None."""
    out = run_cli(cli, db, ['accounts', '--json'], env)
    if out.returncode != 0:
        return None
    doc = json.loads(out.stdout)
    return doc.get('accounts', doc) if isinstance(doc, dict) else doc


class App:
    """The real `portico` binary, and its application and main window on the
    accessibility bus."""

    def __init__(self, argv, env):
        self.proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
        self.app = None
        self.frame = None

    def find_app(self, timeout=20):
        self.app = wait_for(lambda: [a for a in tree.root.applications()
                                     if a.name in ('Portico', 'portico')][0], timeout)
        return self.app

    def find_frame(self, timeout=10):
        self.frame = wait_for(lambda: find(self.app, lambda n: n.roleName == 'frame'
                                           and n.name == 'Portico'), timeout)
        return self.frame

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        """Ends the app and reports its warnings as TAP comments."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            err = self.proc.communicate(timeout=10)[1]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            err = self.proc.communicate()[1]
        self.proc = None
        for line in (err or '').splitlines():
            if 'CRITICAL' in line or 'WARNING' in line:
                print('# app stderr:', line, file=TAP)


def read_sandbox_json(sandbox):
    """The JSON document a portico-sandbox started with --json prints about itself."""
    text = ''
    while True:
        line = sandbox.stdout.readline()
        if not line:
            raise SystemExit('the sandbox exited before describing itself')
        text += line
        try:
            return json.loads(text)
        except ValueError:
            continue
