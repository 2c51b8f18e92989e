"""Fixtures of the Web UI's browser tests: one server, one seeded fleet, one simulated agent and one headless
Chromium for the whole module (the tests walk through an administrator's session in order).

Screenshots go to $DAY2_UI_ARTIFACTS (default artifacts/ui/ in the repository); the folder is printed.
Every test ends by reading the browser's log: any JavaScript error, any Content-Security-Policy violation and any
request to another origin fails it.
"""

import os
from pathlib import Path

import pytest

from harness import ROOT, Agent, Server, browser, immutable_os, mutable_os, set_viewport

ZONE = "Europe/Berlin"  # the browser's own zone: times it shows and the schedule form's default zone


def artifacts_folder() -> Path:
    return Path(os.environ.get("DAY2_UI_ARTIFACTS", ROOT / "artifacts" / "ui"))


def pytest_terminal_summary(terminalreporter):
    """Names the screenshot folder at the end of the run (also with -q)."""
    terminalreporter.write_line(f"browser test screenshots: {artifacts_folder()}")


@pytest.fixture(scope="session")
def artifacts():
    folder = artifacts_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    code = s.stop()
    log = s.log_path.read_text(errors="replace")
    s.remove()
    assert code == 0, f"the orchestrator did not stop cleanly:\n{log[-3000:]}"


@pytest.fixture(scope="session")
def fleet(server):
    """Two regions, three sites, 24 hosts: one immutable host that can update, one mutable host with upgradable
    packages, and others up to date. Returns the IDs the tests use."""
    east = server.post("regions", {"name": "region-east"})
    west = server.post("regions", {"name": "region-west"})
    sites = [
        server.post(f"regions/{east['resourceId']}/sites", {"name": "berlin-plant"}),
        server.post(f"regions/{east['resourceId']}/sites", {"name": "warsaw-depot"}),
        server.post(f"regions/{west['resourceId']}/sites", {"name": "lisbon-store"}),
    ]
    old = server.post("compute/os", immutable_os("Edge Microvisor Toolkit 3.0.20260401", "3.0.20260401.0100", "1"))
    new = server.post("compute/os", immutable_os("Edge Microvisor Toolkit 3.0.20260602", "3.0.20260602.2200", "2"))
    ubuntu = server.post("compute/os", mutable_os("Ubuntu 22.04.5 LTS", "22.04.5", "3"))
    hosts = {}
    for index in range(24):
        site = sites[index % 3]
        immutable = index % 2 == 0
        name = f"edge-{site['name'].split('-')[0]}-{index:02d}"
        uuid = f"4c4c4544-0056-4a10-8050-{index:012x}"
        host = server.post("compute/hosts", {"name": name, "uuid": uuid, "siteId": site["resourceId"]})
        os_id = old["resourceId"] if immutable else ubuntu["resourceId"]
        if immutable and index >= 6:
            os_id = new["resourceId"]  # already on the newest image
        instance = server.post("compute/instances", {"hostID": host["resourceId"], "osID": os_id,
                                                     "kind": "INSTANCE_KIND_METAL", "name": f"{name}-os"})
        hosts[name] = {"host": host["resourceId"], "instance": instance["resourceId"], "uuid": uuid,
                       "site": site["name"], "immutable": immutable}
    return {
        "hosts": hosts, "old": old, "new": new, "ubuntu": ubuntu, "sites": sites, "regions": [east, west],
        "immutable": "edge-berlin-00", "mutable": "edge-warsaw-01", "current": "edge-berlin-06",
        "failed": "edge-lisbon-05",
    }


@pytest.fixture(scope="session")
def agent(server):
    a = Agent(server)
    yield a
    a.close()


@pytest.fixture(scope="session")
def driver(artifacts):
    d = browser(artifacts, ZONE)
    set_viewport(d, 1400, 900)
    # Installed before any page script runs (and outside the page's CSP): records uncaught errors.
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__day2Errors = [];
        performance.setResourceTimingBufferSize(1000000);
        addEventListener('error', (e) => window.__day2Errors.push(String(e.message || e)));
        addEventListener('unhandledrejection', (e) => window.__day2Errors.push('unhandled rejection: ' + String(e.reason && (e.reason.stack || e.reason))));
    """})
    yield d
    d.quit()


class BrowserLog:
    """The browser's log entries, read after each test; `expected` holds substrings of entries a test caused on
    purpose (a refused request answered 400 or 401)."""

    def __init__(self):
        self.expected = []


def browser_problems(driver, server, expected=()):
    """JavaScript errors, CSP violations, other severe log entries and requests to another origin since the last
    call (`expected`: substrings of network entries a test caused on purpose, such as a refused request)."""
    problems = []
    for entry in driver.get_log("browser"):
        message = entry.get("message", "")
        if entry["level"] != "SEVERE" and entry.get("source") not in ("javascript", "security"):
            continue
        if entry.get("source") == "network" and any(e in message for e in expected):
            continue
        problems.append(f"{entry['level']} {entry.get('source')}: {message}")
    try:
        errors = driver.execute_script("const e = window.__day2Errors || []; window.__day2Errors = []; return e")
        origins = driver.execute_script(
            "const names = performance.getEntriesByType('resource').map(e => e.name)"
            ".concat(performance.getEntriesByType('navigation').map(e => e.name));"
            "performance.clearResourceTimings(); return names")
    except Exception as error:  # the page may be gone; the log was read above
        errors, origins = [f"page unreadable: {error}"], []
    problems += [f"JavaScript error: {e}" for e in errors]
    problems += [f"request to another origin: {u}" for u in origins if not u.startswith(server.base + "/")]
    return problems


@pytest.fixture
def browser_log(driver, server):
    log = BrowserLog()
    browser_problems(driver, server)  # drop what earlier tests left
    yield log
    problems = browser_problems(driver, server, log.expected)
    assert not problems, "browser problems:\n" + "\n".join(problems)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test leaves a screenshot of the page as it was: FAILED-<test>.png."""
    outcome = yield
    report = outcome.get_result()
    driver = item.funcargs.get("driver") if hasattr(item, "funcargs") else None
    if report.failed and driver is not None:
        folder = artifacts_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.name)
        try:
            driver.save_screenshot(str(folder / f"FAILED-{name}-{report.when}.png"))
        except Exception:  # the browser itself may be what failed
            pass
