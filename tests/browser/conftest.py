"""Browser suite: a real Odoo on a throwaway database, driven through headless Chromium.

Run by scripts/browser.sh (make browser), which sets FOREMAN_BROWSER_SUITE=1; anywhere
else (make test, a plain `pytest tests`) these tests are skipped, since they need Debian's
chromium and chromedriver.

Session fixtures: `odoo_server` installs the addon with demo data (and OCA's inventory
addons, as scripts/test.sh does) into a database of its own, serves it on a free port,
then stops Odoo and drops the database; `ui` is one Chromium for the whole session.
A failing test leaves a screenshot and the page's HTML in .local/browser-artifacts/.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
from psycopg2 import sql

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/: cluster.py

import cluster  # noqa: E402  pylint: disable=wrong-import-position
from odoo_ui import UI  # noqa: E402  pylint: disable=wrong-import-position
from odoo_rpc import Rpc  # noqa: E402  pylint: disable=wrong-import-position

ROOT = cluster.ROOT
LOCAL = os.path.join(ROOT, ".local")
ARTIFACTS = os.path.join(LOCAL, "browser-artifacts")
SCREENSHOTS = os.path.join(ROOT, "foreman_cycle_count", "static", "description")
DB = "foreman_browser_%d" % os.getpid()
ADDONS = "foreman_cycle_count,stock_inventory_discrepancy,stock_inventory_lockdown"
CHROMIUM = os.environ.get("FOREMAN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FOREMAN_CHROMEDRIVER", "/usr/bin/chromedriver")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("FOREMAN_BROWSER_SUITE") == "1":
        return
    skip = pytest.mark.skip(reason="browser suite: run it with scripts/browser.sh (make browser)")
    for item in items:
        if HERE in str(item.fspath):
            item.add_marker(skip)


# ----------------------------------------------------------------------
# Scenarios are steps of one workflow: a step after a failed one is skipped
# ----------------------------------------------------------------------
@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.when == "call" or (report.when == "setup" and report.failed)):
        return
    expected_failure = hasattr(report, "wasxfail")
    if report.failed and item.get_closest_marker("workflow"):
        item.session.browser_failed_step = item.name
    if expected_failure and call.excinfo is not None:
        # an expected failure should fail where its reason says: show where it did
        sys.stderr.write("\n[browser] %s failed as expected: %s\n" % (
            item.name, call.excinfo.exconly().splitlines()[0][:400]))
    if report.failed or expected_failure:
        ui = getattr(item, "funcargs", {}).get("ui")
        path = ui.save_artifacts(item.name) if ui is not None else None
        if path:
            report.sections.append(("browser artifacts", "screenshot: %s" % path))
            sys.stderr.write("\n[browser] screenshot of %s: %s\n" % (item.name, path))


def pytest_runtest_setup(item):
    failed = getattr(item.session, "browser_failed_step", None)
    if failed and item.get_closest_marker("workflow"):
        pytest.skip("an earlier step of the workflow failed: %s" % failed)


def pytest_configure(config):
    config.addinivalue_line("markers", "workflow: a step of the ordered browser workflow")


# ----------------------------------------------------------------------
# Odoo
# ----------------------------------------------------------------------
def _odoo_cmd(*args):
    return [sys.executable, os.path.join(ROOT, "scripts", "odoo-bin"), "-c", cluster.CONF, "-d", DB] + list(args)


def _drop_database():
    conn = cluster.connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))
    finally:
        conn.close()


def _create_from_template(template):
    conn = cluster.connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(DB), sql.Identifier(template)))
    finally:
        conn.close()


def _free_port():
    wanted = os.environ.get("FOREMAN_BROWSER_HTTP_PORT")
    if wanted:
        return int(wanted)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url, process, log, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("Odoo exited with %s; see %s" % (process.returncode, log))
        try:
            with urllib.request.urlopen(url + "/web/login", timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("Odoo did not answer on %s within %ss; see %s" % (url, timeout, log))


@pytest.fixture(scope="session")
def odoo_server():
    os.makedirs(ARTIFACTS, exist_ok=True)
    _drop_database()  # a leftover of an interrupted run
    template = os.environ.get("FOREMAN_BROWSER_TEMPLATE")
    if template:
        # while writing scenarios: a copy of a database installed once (seconds, not minutes)
        _create_from_template(template)
    else:
        install_log = os.path.join(ARTIFACTS, "install.log")
        installed = subprocess.run(
            _odoo_cmd("-i", ADDONS, "--stop-after-init", "--log-level=warn", "--logfile=" + install_log),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
        assert installed.returncode == 0, "installing the addon failed; see %s\n%s" % (install_log, installed.stdout)
    port = _free_port()
    url = "http://127.0.0.1:%d" % port
    log = os.path.join(ARTIFACTS, "odoo.log")
    process = subprocess.Popen(
        _odoo_cmd("--db-filter=^%s$" % DB, "--http-interface=127.0.0.1", "--http-port=%d" % port,
                  "--workers=0", "--max-cron-threads=0", "--log-level=warn", "--logfile=" + log),
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(url, process, log)
        yield {"url": url, "db": DB, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _drop_database()


@pytest.fixture(scope="session")
def rpc(odoo_server):
    return Rpc(odoo_server["url"], odoo_server["db"])


# ----------------------------------------------------------------------
# Chromium
# ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def ui(odoo_server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail("%s is missing: scripts/browser.sh installs Debian's chromium and chromium-driver" % path)
    profile = tempfile.mkdtemp(prefix="foreman-chromium-")
    downloads = os.path.join(ARTIFACTS, "downloads")
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-extensions", "--lang=en-US", "--window-size=1400,900",
                 "--user-data-dir=" + profile):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": downloads, "download.prompt_for_download": False,
        "plugins.always_open_pdf_externally": True})
    # an explicit driver: selenium-manager never looks for (or downloads) a browser
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(ARTIFACTS, "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    # the window's size includes what headless Chromium draws around the page: pages are 1400x900
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    size = driver.get_window_size()
    driver.set_window_size(size["width"] + 1400 - inner[0], size["height"] + 900 - inner[1])
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    screenshots = SCREENSHOTS if os.environ.get("FOREMAN_SCREENSHOTS") == "1" else None
    try:
        yield UI(driver, odoo_server["url"], ARTIFACTS, downloads=downloads, screenshots=screenshots)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
