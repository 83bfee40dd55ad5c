#!/usr/bin/python3
"""test_console.py - the web console (docs/console.md) in a real browser against a real worker.

Debian's headless Chromium, driven by Selenium (Debian's python3-selenium and chromium-driver),
against `ferry standalone` on the broker of tests/services/ (FERRY_TEST_BOOTSTRAP), with Basic
authentication on and an https listener beside the http one:

  - the assets: content types, ETag and Cache-Control (304 on revalidation), the browser security
    headers (CSP with frame-ancestors 'none', X-Frame-Options, nosniff), no inline script or
    style, 401 without credentials, and the same over HTTPS;
  - as admin, over HTTPS: a validation error next to a bad key, create from the form, RUNNING,
    pause -> PAUSED, resume, a failing task's trace, restart of failed tasks, stop, alter an offset,
    delete; a change without the CSRF token, from the console's origin or another one, is refused;
  - as a read-only user: no action buttons, and 403 naming the role when the change is sent anyway;
  - progress: a FileSource reading a file from its beginning (throttled through its producer)
    shows a bar whose percentage grows, with rate and ETA, then 100% and caught up; a
    RecordingSink slower than that topic shows its lag per partition with a trend.

Screenshots of each view go to FERRY_CONSOLE_OUTPUT (the build dir) and are checked to be
non-uniform PNGs. Environment: FERRY_BINARY, FERRY_TEST_PLUGIN_PATH (the sequence and file
plugins), FERRY_CONSOLE_OUTPUT; unset FERRY_TEST_BOOTSTRAP (or no browser) skips with 77, or fails
with FERRY_REQUIRE_SERVICES=1.
"""
import base64
import fcntl
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

SKIP = 77
ADMIN = ('admin', 'admin-pw')
VIEWER = ('viewer', 'viewer-pw')
WAIT_S = 20
# Held shared while the test runs: a test of another run that stops the shared broker
# (tests/integration/ferry_process.c) takes it exclusively, so it waits for this one to end.
BROKER_LOCK = '/tmp/ferry-tests-broker.lock'


def skip_or_fail(why):
    if os.environ.get('FERRY_REQUIRE_SERVICES') == '1':
        print(f'FAIL: {why} (FERRY_REQUIRE_SERVICES=1)')
        sys.exit(1)
    print(f'SKIP: {why}')
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip_or_fail('python3-selenium is not installed (tools/install-build-deps.sh)')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def basic(user):
    return 'Basic ' + base64.b64encode(f'{user[0]}:{user[1]}'.encode()).decode()


# ---- a tiny PNG decoder: enough to tell a real screenshot from a blank one -----------------

def png_distinct_colors(path):
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', f'{path}: not a PNG'
    at, idat, width, height, channels = 8, b'', 0, 0, 0
    while at < len(data):
        length, kind = struct.unpack('>I4s', data[at:at + 8])
        chunk = data[at + 8:at + 8 + length]
        if kind == b'IHDR':
            width, height, depth, color = struct.unpack('>IIBB', chunk[:10])
            assert depth == 8, f'{path}: bit depth {depth}'
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[color]
        elif kind == b'IDAT':
            idat += chunk
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colors = set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        if row % 8 == 0:
            for x in range(0, stride, channels * 4):
                colors.add(bytes(line[x:x + channels]))
        previous = line
    return width, height, len(colors)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# ---- the worker ------------------------------------------------------------------------------

class Worker:
    def __init__(self, work):
        self.work = work
        self.http_port, self.https_port = free_port(), free_port()
        self.cert, self.key = os.path.join(work, 'cert.pem'), os.path.join(work, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
                        '-keyout', self.key, '-out', self.cert], check=True, capture_output=True)
        run = f'console-{os.getpid()}-{int(time.time())}'
        self.run = run
        self.topic = run + '-data'
        properties = os.path.join(work, 'worker.properties')
        with open(properties, 'w') as f:
            f.write('\n'.join([
                f'bootstrap.servers={os.environ["FERRY_TEST_BOOTSTRAP"]}',
                f'offset.storage.topic={run}-offsets', f'config.storage.topic={run}-configs',
                f'status.storage.topic={run}-status',
                'offset.storage.replication.factor=1', 'config.storage.replication.factor=1',
                'status.storage.replication.factor=1', 'offset.flush.interval.ms=500',
                'key.converter=org.apache.kafka.connect.storage.StringConverter',
                'value.converter=org.apache.kafka.connect.storage.StringConverter',
                f'plugin.path={os.environ["FERRY_TEST_PLUGIN_PATH"]}',
                f'listeners=http://127.0.0.1:{self.http_port},https://127.0.0.1:{self.https_port}',
                f'listeners.https.ssl.certificate.location={self.cert}',
                f'listeners.https.ssl.key.location={self.key}',
                f'rest.auth.basic.users={ADMIN[0]}:{ADMIN[1]},{VIEWER[0]}:{VIEWER[1]}',
                f'rest.auth.roles={VIEWER[0]}:read-only', '']))
        self.log_path = os.path.join(work, 'worker.log')
        self.log = open(self.log_path, 'w')
        env = dict(os.environ, ASAN_OPTIONS='detect_leaks=1')
        self.process = subprocess.Popen([os.environ['FERRY_BINARY'], 'standalone', properties],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.http = f'http://127.0.0.1:{self.http_port}'
        self.https = f'https://127.0.0.1:{self.https_port}'
        self.tls = ssl.create_default_context(cafile=self.cert)
        # Redirects are checked, not followed.
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.tls),
                                                  NoRedirect())
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.request('GET', '/connectors')[0] == 200:
                    break
            except (OSError, urllib.error.URLError):
                pass
            assert self.process.poll() is None, 'the worker exited:\n' + self.log_tail()
            assert time.monotonic() < deadline, 'the worker is not ready:\n' + self.log_tail()
            time.sleep(0.1)

    def log_tail(self):
        with open(self.log_path) as f:
            return ''.join(f.readlines()[-30:])

    def request(self, method, path, body=None, user=ADMIN, headers=None, base=None):
        """(status, headers, body bytes) of one request; over HTTPS unless base says otherwise."""
        all_headers = dict(headers or {})
        if user:
            all_headers['Authorization'] = basic(user)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers['Content-Type'] = 'application/json'
        request = urllib.request.Request((base or self.https) + path, data=data, method=method,
                                         headers=all_headers)
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def stop(self):
        self.process.terminate()
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = -9
        self.log.close()
        log = self.log_tail()
        assert code == 0, f'the worker exited with {code}:\n{log}'
        with open(self.log_path) as f:
            text = f.read()
        for bad in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'):
            assert bad not in text, f'the worker log holds {bad}:\n{log}'


# ---- the assets ------------------------------------------------------------------------------

def check_assets(worker):
    for base in (worker.http, worker.https):
        etags = {}
        for path, kind in (('/ui/', 'text/html'), ('/ui/index.html', 'text/html'),
                           ('/ui/app.js', 'text/javascript'), ('/ui/app.css', 'text/css')):
            status, headers, body = worker.request('GET', path, base=base)
            assert status == 200, (base, path, status)
            assert headers['Content-Type'].startswith(kind + '; charset=utf-8'), headers['Content-Type']
            assert headers['Cache-Control'] == 'no-cache', headers['Cache-Control']
            assert headers['X-Content-Type-Options'] == 'nosniff'
            assert headers['X-Frame-Options'] == 'DENY'
            csp = headers['Content-Security-Policy']
            for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                         "frame-ancestors 'none'"):
                assert part in csp, csp
            assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, csp
            etag = headers['ETag']
            assert etag and etag.startswith('"'), etag
            etags[path] = etag
            status, headers, body = worker.request('GET', path, base=base,
                                                   headers={'If-None-Match': etag})
            assert status == 304 and body == b'', (path, status)
            if kind == 'text/html':
                text = body or worker.request('GET', path, base=base)[2]
                html = text.decode()
                assert '<script src="app.js"' in html and 'style=' not in html, html
                assert html.count('<script') == 1 and '<style' not in html, html
        assert etags['/ui/'] == etags['/ui/index.html']
        assert worker.request('GET', '/ui/', user=None, base=base)[0] == 401
        assert worker.request('GET', '/ui/', user=('admin', 'wrong'), base=base)[0] == 401
        status, headers, _ = worker.request('GET', '/ui', base=base)
        assert status == 301 and headers['Location'] == '/ui/', status
        assert worker.request('GET', '/ui/nothing.js', base=base)[0] == 404
        assert worker.request('POST', '/ui/app.js', base=base)[0] == 405
        status, headers, body = worker.request('GET', '/ui/api/session', base=base)
        session = json.loads(body)
        assert session['role'] == 'admin' and len(session['csrf_token']) == 64, session
        assert session['embedded_kafka'] is False
        assert headers['Cache-Control'] == 'no-store'
        session = json.loads(worker.request('GET', '/ui/api/session', user=VIEWER, base=base)[2])
        assert session['role'] == 'read-only', session
    print('ok - assets: types, caching, CSP, auth, http and https')


def check_api_guards(worker):
    """Roles and CSRF as any client sees them, outside the browser."""
    status, _, body = worker.request('PUT', '/connectors/nothing/pause', user=VIEWER)
    assert status == 403 and b'read-only' in body, (status, body)
    assert worker.request('GET', '/connectors', user=VIEWER)[0] == 200
    # A client without browser headers (curl, kcctl, ferry ctl) needs no token.
    assert worker.request('PUT', '/connectors/nothing/pause')[0] == 404
    status, _, body = worker.request('PUT', '/connectors/nothing/pause',
                                     headers={'Origin': worker.https, 'Sec-Fetch-Site': 'same-origin'})
    assert status == 403 and b'X-Ferry-CSRF' in body, (status, body)
    token = json.loads(worker.request('GET', '/ui/api/session')[2])['csrf_token']
    status, _, body = worker.request('PUT', '/connectors/nothing/pause',
                                     headers={'Origin': worker.https, 'X-Ferry-CSRF': token})
    assert status == 404, (status, body)
    # Another user's token is not this user's.
    other = json.loads(worker.request('GET', '/ui/api/session', user=VIEWER)[2])['csrf_token']
    assert other != token
    status, _, body = worker.request('PUT', '/connectors/nothing/pause',
                                     headers={'Sec-Fetch-Site': 'same-origin', 'X-Ferry-CSRF': other})
    assert status == 403, (status, body)
    status, _, body = worker.request('PUT', '/connectors/nothing/pause',
                                     headers={'Origin': 'https://evil.example', 'X-Ferry-CSRF': token})
    assert status == 403, (status, body)
    print('ok - roles and CSRF on the API')


# ---- the browser -----------------------------------------------------------------------------

class Browser:
    def __init__(self, work, shots):
        self.shots = shots
        options = webdriver.ChromeOptions()
        options.binary_location = '/usr/bin/chromium'
        for flag in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                     '--disable-background-networking', '--disable-component-update', '--disable-sync',
                     '--disable-dev-shm-usage', '--ignore-certificate-errors', '--window-size=1280,860',
                     f'--user-data-dir={os.path.join(work, "chromium")}'):
            options.add_argument(flag)
        service = Service('/usr/bin/chromedriver', log_output=os.path.join(work, 'chromedriver.log')) \
            if 'log_output' in Service.__init__.__code__.co_varnames \
            else Service('/usr/bin/chromedriver', log_path=os.path.join(work, 'chromedriver.log'))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.execute_cdp_cmd('Network.enable', {})

    def login(self, user):
        """Every request of the page carries user's Basic credentials, as after the browser's
        own login prompt."""
        self.driver.execute_cdp_cmd('Network.setExtraHTTPHeaders', {'headers': {'Authorization': basic(user)}})

    def open(self, url):
        # A fresh page each time, with a new session, even when only the hash would change.
        self.driver.get('about:blank')
        self.driver.get(url)

    def until(self, what, condition, timeout=WAIT_S):
        # The views redraw every 2 s: an element found may be replaced before it is read.
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=[StaleElementReferenceException]).until(
                                     lambda d: condition())
        except TimeoutException:
            raise AssertionError(f'timed out waiting for {what}; page:\n{self.text()[:3000]}')

    def find(self, css):
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    def text_of(self, css):
        for _ in range(20):
            try:
                node = self.find(css)
                return node.text if node else ''
            except StaleElementReferenceException:
                continue
        raise AssertionError(f'{css} keeps being replaced')

    def text(self):
        return self.driver.find_element(By.TAG_NAME, 'body').text

    def click(self, css):
        def clicked():
            node = self.find(css)
            if not node or not node.is_displayed():
                return False
            node.click()
            return True
        self.until(css, clicked)

    def confirm(self):
        self.click('#modal-ok')
        self.until('the dialog closing', lambda: not self.find('#modal').is_displayed())

    def attribute(self, css, name):
        return self.until(css, lambda: self.find(css) and (self.find(css).get_attribute(name) or ''))

    def set_value(self, css, text):
        self.driver.execute_script(
            "const n = document.querySelector(arguments[0]); n.value = arguments[1];"
            "n.dispatchEvent(new Event('input', {bubbles: true}));", css, text)

    def fetch(self, method, url, with_token, mode='cors'):
        """A fetch from the page: [status, body] (status 0 for an opaque no-cors answer)."""
        return self.driver.execute_async_script("""
            const [method, url, withToken, mode, done] = arguments;
            const headers = {};
            const go = async () => {
              if (withToken) {
                const s = await (await fetch('/ui/api/session')).json();
                headers[s.csrf_header] = s.csrf_token;
              }
              const r = await fetch(url, {method, headers, mode, credentials: 'include'});
              done([r.status, mode === 'no-cors' ? '' : await r.text()]);
            };
            go().catch((e) => done([-1, String(e)]));""", method, url, with_token, mode)

    def shot(self, name):
        path = os.path.join(self.shots, f'console-{name}.png')
        self.driver.save_screenshot(path)
        width, height, colors = png_distinct_colors(path)
        assert width >= 800 and height >= 600, (path, width, height)
        assert colors >= 8, f'{path} looks uniform ({colors} colors)'
        return path

    def close(self):
        self.driver.quit()


def connector_state(browser):
    return browser.text_of('#connector-state')


def task_state(browser):
    return browser.text_of('#tasks-table tr[data-task="0"] td:nth-child(2)')


def check_admin(worker, browser, work):
    name = 'console-seq'
    fail_file = os.path.join(work, 'fail-now')
    browser.login(ADMIN)
    browser.open(worker.https + '/ui/#/overview')
    browser.until('the overview', lambda: browser.find('#card-workers'))
    assert 'role: admin' in browser.text_of('#who')
    assert not browser.find('#banner').is_displayed()  # a real broker, not the embedded one

    # Create from the form: a bad value first, shown next to its key.
    browser.click('#nav-new')
    browser.until('the form', lambda: browser.find('#connector-config'))
    browser.set_value('#connector-name', name)
    browser.set_value('#connector-config', '\n'.join([
        'connector.class=SequenceSource', f'topic={worker.topic}', 'partitions=many', 'tasks.max=1']))
    browser.until('the error next to partitions',
                  lambda: browser.text_of('#validation-table tr[data-key="partitions"] .key-error'))
    assert browser.text_of('#validation-summary').startswith('1 error'), browser.text_of('#validation-summary')
    assert browser.text_of('#validation-table tr[data-key="topic"] .key-error') == ''
    browser.shot('create')
    browser.set_value('#connector-config', json.dumps({'config': {
        'connector.class': 'SequenceSource', 'topic': worker.topic, 'partitions': '2',
        'tasks.max': '1', 'batch.size': '20', 'interval.ms': '100',
        'topic.creation.default.replication.factor': '1', 'topic.creation.default.partitions': '1',
        'fail.when.file.exists': fail_file}}))
    browser.until('a valid config', lambda: browser.text_of('#validation-summary') == 'Valid')
    browser.click('#submit-connector')
    browser.until('the connector RUNNING', lambda: connector_state(browser) == 'RUNNING'
                  and task_state(browser) == 'RUNNING')
    assert worker.topic in browser.text_of('#config-table')
    browser.until('its topic', lambda: worker.topic in browser.text_of('#topics'))
    browser.until('a rate', lambda: '■ in –' not in browser.text_of('#view-connector'))
    browser.shot('connector')

    # The list and the overview, with records flowing.
    browser.click('#nav-connectors')
    browser.until('the row', lambda: browser.find(f'tr[data-connector="{name}"]'))
    browser.until('a sparkline', lambda: browser.find(f'tr[data-connector="{name}"] polyline'))
    row = browser.text_of(f'tr[data-connector="{name}"]')
    assert 'SequenceSource' in row and 'RUNNING' in row and '1 / 0 / 0' in row, row
    browser.set_value('#filter', 'no-such-thing')
    browser.until('the filter', lambda: not browser.find(f'tr[data-connector="{name}"]'))
    browser.set_value('#filter', 'seq')
    browser.until('the filter', lambda: browser.find(f'tr[data-connector="{name}"]'))
    browser.click('th[data-sort="state"]')
    browser.shot('connectors')
    browser.click('#nav-overview')
    browser.until('records in', lambda: browser.text_of('#card-in .value') not in ('', '–', '0.0'))
    assert browser.text_of('#card-connectors .value') == '1'
    assert 'RUNNING' in browser.text_of('#card-connectors')
    assert browser.text_of('#card-workers .value') == '1'
    browser.shot('overview')

    # Pause, resume.
    browser.open(worker.https + '/ui/#/connector/' + name)
    browser.until('the page', lambda: connector_state(browser) == 'RUNNING')
    browser.click('button[data-action="pause"]')
    browser.until('PAUSED', lambda: connector_state(browser) == 'PAUSED' and task_state(browser) == 'PAUSED')
    browser.click('button[data-action="resume"]')
    browser.until('RUNNING again', lambda: connector_state(browser) == 'RUNNING' and task_state(browser) == 'RUNNING')

    # A failing task: its trace on the page, then a restart of the failed tasks.
    open(fail_file, 'w').close()
    browser.until('the task FAILED', lambda: task_state(browser) == 'FAILED')
    browser.until('its trace', lambda: 'failure requested' in browser.text_of('.task-trace'))
    browser.shot('failed-task')
    os.remove(fail_file)
    browser.click('button[data-action="restart-failed"]')
    browser.until('the task restarted', lambda: task_state(browser) == 'RUNNING' and not browser.find('.task-trace'))

    # Offsets: stop, alter one, see it.
    browser.click('button[data-action="stop"]')
    browser.confirm()
    browser.until('STOPPED', lambda: connector_state(browser) == 'STOPPED')
    browser.until('the offsets editor',
                  lambda: json.loads(browser.attribute('#offsets-editor', 'value'))['offsets'])
    offsets = json.loads(browser.attribute('#offsets-editor', 'value'))
    offsets['offsets'] = offsets['offsets'][:1]
    offsets['offsets'][0]['offset'] = {'seq': 424242}
    browser.set_value('#offsets-editor', json.dumps(offsets))
    browser.click('button[data-action="alter-offsets"]')
    browser.confirm()
    browser.until('the altered offset', lambda: '{"seq":424242}' in browser.text_of('#offsets-table'))
    browser.shot('offsets')
    browser.click('button[data-action="resume"]')
    browser.until('RUNNING after the stop', lambda: connector_state(browser) == 'RUNNING')

    # Edit: the form holds the config; a changed value is saved after confirmation.
    browser.click('button[data-action="edit"]')
    browser.until('the edit form', lambda: '"batch.size": "20"' in browser.attribute('#connector-config', 'value'))
    config = json.loads(browser.attribute('#connector-config', 'value'))
    config['batch.size'] = '30'
    browser.set_value('#connector-config', json.dumps(config))
    browser.until('a valid config', lambda: browser.text_of('#validation-summary') == 'Valid')
    browser.click('#submit-connector')
    browser.confirm()
    browser.until('the new config', lambda: 'batch.size 30' in browser.text_of('#config-table')
                  and connector_state(browser) == 'RUNNING')

    # Changes without the CSRF token: from the console's own origin, and from another site (the
    # http listener is another origin than the https one).
    status, body = browser.fetch('PUT', f'/connectors/{name}/pause', False)
    assert status == 403 and 'X-Ferry-CSRF' in body, (status, body)
    status, body = browser.fetch('PUT', f'/connectors/{name}/pause', True)
    assert status == 202, (status, body)
    browser.until('PAUSED by the token-bearing request', lambda: connector_state(browser) == 'PAUSED')
    browser.click('button[data-action="resume"]')
    browser.until('RUNNING', lambda: connector_state(browser) == 'RUNNING')
    browser.open(worker.http + '/ui/#/overview')
    browser.until('the other origin', lambda: browser.find('#card-workers'))
    status, body = browser.fetch('PUT', f'{worker.https}/connectors/{name}/pause', False, 'no-cors')
    assert status in (0, -1), (status, body)
    status, body = browser.fetch('POST', f'{worker.https}/connectors/{name}/restart', False, 'no-cors')
    time.sleep(0.5)  # the refused requests had their answers; nothing may have changed since
    state = json.loads(worker.request('GET', f'/connectors/{name}/status')[2])
    assert state['connector']['state'] == 'RUNNING', state
    print('ok - admin: create, run, pause, fail, restart, stop, offsets, edit, CSRF')
    return name


def check_read_only(worker, browser, name):
    browser.login(VIEWER)
    browser.open(worker.https + '/ui/#/connectors')
    browser.until('the list', lambda: browser.find(f'tr[data-connector="{name}"]'))
    assert 'role: read-only' in browser.text_of('#who')
    assert not browser.find('#nav-new').is_displayed()
    browser.open(worker.https + '/ui/#/connector/' + name)
    browser.until('the detail', lambda: connector_state(browser) == 'RUNNING' and browser.find('#offsets-table'))
    assert browser.driver.find_elements(By.CSS_SELECTOR, 'button') == [] or \
        all(not b.is_displayed() for b in browser.driver.find_elements(By.CSS_SELECTOR, 'button'))
    assert not browser.find('[data-action]')
    browser.shot('read-only')
    status, body = browser.fetch('PUT', f'/connectors/{name}/pause', True)
    assert status == 403 and 'read-only' in body, (status, body)
    status, body = browser.fetch('DELETE', f'/connectors/{name}', True)
    assert status == 403 and 'read-only' in body, (status, body)
    print('ok - read-only: no buttons, changes refused')


def check_delete(worker, browser, name):
    browser.login(ADMIN)
    browser.open(worker.https + '/ui/#/connector/' + name)
    browser.until('the detail', lambda: connector_state(browser) == 'RUNNING')
    browser.click('button[data-action="delete"]')
    browser.click('#modal-cancel')  # cancelling leaves it there
    assert connector_state(browser) == 'RUNNING'
    browser.click('button[data-action="delete"]')
    browser.confirm()
    browser.until('the list without it', lambda: browser.find('#view-connectors')
                  and not browser.find(f'tr[data-connector="{name}"]'))
    assert worker.request('GET', f'/connectors/{name}')[0] == 404
    print('ok - delete')


# ---- progress: a file backfill, a lagging sink ----------------------------------------------

BACKFILL_LINES = 80000  # of 100 bytes: 8 MB
# The producer holds at most 1000 lines and sends a batch every 100 ms, so the backfill reads
# about 1 MB/s on any machine (a large file would pass in a blink on a fast one) and lasts some
# 8 s: several polls of the page, even after a slow first one.
BACKFILL_THROTTLE = {'producer.override.queue.buffering.max.messages': '1000',
                     'producer.override.linger.ms': '100'}
ETA = r'ETA (\d+s|\d+m\d\ds|\d+h\d\dm)'


def backfill_file_write(path):
    with open(path, 'wb') as f:
        for start in range(0, BACKFILL_LINES, 10000):
            f.write(b''.join(b'%012d %086d\n' % (n, 0) for n in range(start, start + 10000)))
    return BACKFILL_LINES * 100


def work_look(browser):
    """The connector view's total bar at one instant (one script, so no redraw in between):
    {'percent': the bar's value or None when indeterminate, 'state', 'phase', 'facts' (done,
    percentage, rate, ETA as shown), 'items': the bars per file}, or None."""
    return browser.driver.execute_script("""
        const work = document.querySelector('#tasks-table tr[data-task="0"] .work');
        const bar = work && work.querySelector('progress.work-total');
        if (!bar) return null;
        return {percent: bar.hasAttribute('value') ? bar.value : null,
                state: work.querySelector('.work-state').textContent,
                phase: work.dataset.phase,
                facts: work.querySelector('.work-facts').textContent,
                items: work.querySelectorAll('.work-item').length};""")


def work_until(browser, what, accept, timeout=WAIT_S):
    """The first look at the bar that accept() takes."""
    def accepted():
        look = work_look(browser)
        return look if look and accept(look) else None
    return browser.until(what, accepted, timeout)


def check_progress(worker, browser, work):
    """A FileSource reading a file from its beginning: a bar whose percentage grows, with rate and
    ETA, then 100% and caught up; a RecordingSink slower than that topic: its lag per partition
    with a trend."""
    source, sink = 'console-backfill', 'console-lag'
    topic = worker.run + '-lines'
    path = os.path.join(work, 'backfill.log')
    size = backfill_file_write(path)
    browser.login(ADMIN)
    config = dict(BACKFILL_THROTTLE, **{
        'connector.class': 'FileSource', 'file': path, 'topic': topic, 'tasks.max': '1',
        'topic.creation.default.replication.factor': '1', 'topic.creation.default.partitions': '1'})
    status, _, body = worker.request('PUT', f'/connectors/{source}/config', config)
    assert status == 201, (status, body)
    browser.open(worker.https + '/ui/#/connector/' + source)
    first = work_until(browser, 'a backfill bar with a percentage', lambda look: look['percent'])
    assert first['phase'] == 'backfill' and first['state'] == 'running', first
    assert 0 < first['percent'] < 100, first
    assert first['items'] == 1, first  # the one file, by its path
    assert path in browser.text_of('#tasks-table .work-item'), browser.text_of('#tasks-table .work-item')

    # The sink reads the topic at most 500 records per 100 ms, half the source's pace: it lags.
    browser.until('the topic', lambda: topic in browser.text_of('#topics'))
    status, _, body = worker.request('PUT', f'/connectors/{sink}/config', {
        'connector.class': 'RecordingSink', 'topics': topic, 'tasks.max': '1',
        'file': os.path.join(work, 'sink.out'), 'put.delay.ms': '100'})
    assert status == 201, (status, body)

    later = work_until(browser, 'the percentage growing, with a rate and an ETA', lambda look:
                       look['state'] == 'running' and (look['percent'] or 0) > first['percent']
                       and re.search(ETA, look['facts']))
    assert 0 < later['percent'] < 100, later
    assert re.search(r'[\d.]+ MB/s', later['facts']) and re.search(r'[\d,]+ lines/s', later['facts']), later
    shown = float(re.search(r'([\d.]+)%', later['facts']).group(1))
    assert abs(shown - later['percent']) <= 0.051, later  # the bar and its text agree
    assert f'of {size / 1e6:.1f} MB' in later['facts'], later
    browser.shot('progress')

    done = work_until(browser, '100% and caught up', lambda look: look['state'] == 'caught-up', 60)
    assert done['percent'] == 100 and '100.0%' in done['facts'], done
    assert f'{size / 1e6:.1f} MB of {size / 1e6:.1f} MB' in done['facts'], done
    assert 'ETA' not in done['facts'], done
    print(f'ok - backfill: {first["percent"]:.1f}% -> {later["percent"]:.1f}% '
          f'({later["facts"]}) -> caught up')

    browser.open(worker.https + '/ui/#/connector/' + sink)
    row = f'#tasks-table table.lag tr[data-partition="{topic}-0"]'
    browser.until('the lag of the partition with its trend',
                  lambda: re.match(r'[↓↑→] (falling|rising|flat) \([+-]?[\d,]+/s\)$',
                                   browser.text_of(row + ' .lag-trend')))
    assert re.match(r'^[\d,]+$', browser.text_of(row + ' td.num')), browser.text_of(row)
    browser.shot('sink-lag')
    print(f'ok - sink lag: {browser.text_of(row)}')

    for name in (source, sink):
        assert worker.request('DELETE', f'/connectors/{name}')[0] == 204
    os.remove(path)


def main():
    if not os.environ.get('FERRY_TEST_BOOTSTRAP'):
        skip_or_fail('FERRY_TEST_BOOTSTRAP is not set (tests/services/services.sh env)')
    if not (os.path.exists('/usr/bin/chromium') and os.path.exists('/usr/bin/chromedriver')):
        skip_or_fail('chromium and chromium-driver are not installed (tools/install-build-deps.sh)')
    started = time.monotonic()
    shots = os.environ.get('FERRY_CONSOLE_OUTPUT') or tempfile.mkdtemp(prefix='ferry-console-shots-')
    os.makedirs(shots, exist_ok=True)
    broker_lock = open(BROKER_LOCK, 'a')
    fcntl.flock(broker_lock, fcntl.LOCK_SH)
    work = tempfile.mkdtemp(prefix='ferry-console-')
    worker = browser = None
    passed = False
    try:
        worker = Worker(work)
        check_assets(worker)
        check_api_guards(worker)
        browser = Browser(work, shots)
        name = check_admin(worker, browser, work)
        check_read_only(worker, browser, name)
        check_delete(worker, browser, name)
        check_progress(worker, browser, work)
        browser.close()
        browser = None
        worker.stop()
        worker = None
        passed = True
        print(f'ok - screenshots in {shots} ({time.monotonic() - started:.1f} s)')
    finally:
        if browser:
            browser.close()
        if worker:
            if worker.process.poll() is None:
                worker.process.kill()
            print('worker log (tail):\n' + worker.log_tail())
        if passed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f'kept {work}')
        broker_lock.close()


if __name__ == '__main__':
    main()
