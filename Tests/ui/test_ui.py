"""The Web UI in headless Chromium: an administrator's session from sign-in to a finished update.

The tests run in file order against one server (see conftest.py); each can fail on its own assertion, and each
also fails on JavaScript errors, CSP violations or requests to another origin (the `browser_log` fixture).
"""

import datetime as dt
import json
import os
import re
import shutil
import time
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import browser_problems
from harness import ADMIN_PASSWORD, EXECUTABLE, JWT_SECRET, Server, immutable_os, set_viewport, sign_token

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
TIMEOUT = 20


# Helpers ------------------------------------------------------------------------------------------------------

def wait(driver, condition, timeout=TIMEOUT, message=""):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]) \
            .until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out: {message}\nURL: {driver.current_url}\n"
                             f"page text: {driver.find_element(By.TAG_NAME, 'body').text[:1500]}")


def find(driver, css, timeout=TIMEOUT):
    return wait(driver, lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, css)), None), timeout, f"element {css}")


def find_visible(driver, css, timeout=TIMEOUT):
    return wait(driver, lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None),
                timeout, f"visible element {css}")


def text_appears(driver, css, text, timeout=TIMEOUT):
    return wait(driver, lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, css)), timeout,
                f"{text!r} in {css}")


def go(driver, server, route):
    """Loads the page at `route` afresh (a hash-only change of the same address would not reload it)."""
    target = f"{server.base}/ui/#{route}"
    if driver.current_url == target:
        driver.refresh()
    else:
        driver.get(target)


def set_input(driver, element, value):
    """Sets a date/time/number input the way a picker does (value + input and change events)."""
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", element, value)


def type_into(element, text):
    """Replaces the text of a field by typing, as a person would (select all, then type)."""
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    if text:
        element.send_keys(text)


def choose(driver, css, value):
    """Picks `value` in the select `css` once the option exists (options may arrive from the server)."""
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'{css} option[value="{value}"]'), message=f"{value} in {css}")
    Select(driver.find_element(By.CSS_SELECTOR, css)).select_by_value(value)


def row_text(driver, css):
    """The text of the element `css`, read again if a refresh replaced it meanwhile."""
    for _ in range(20):
        try:
            return find(driver, css).text
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"{css} kept being replaced")


def shot(driver, artifacts, name):
    driver.save_screenshot(str(artifacts / f"{name}.png"))


def unlabelled_controls(driver):
    """Visible form controls without an accessible name (label, aria-label or aria-labelledby)."""
    return driver.execute_script("""
        return [...document.querySelectorAll('input, select, textarea, button')]
          .filter(e => e.offsetParent !== null && e.type !== 'hidden')
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                       && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
          .map(e => e.outerHTML.slice(0, 120));
    """)


def sign_in(driver, server):
    go(driver, server, "/hosts")
    find_visible(driver, "form.signin-form")
    user = driver.find_element(By.NAME, "username")
    type_into(user, "admin")
    type_into(driver.find_element(By.NAME, "password"), ADMIN_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.signin-form button[type=submit]").click()


def host_row(driver, host_id):
    return find(driver, f'#hosts-table tr[data-host="{host_id}"]')


def requested(driver, fragment):
    """The URLs the page fetched that contain `fragment` (from the Resource Timing entries)."""
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes(arguments[0]))",
        fragment)


# Serving ------------------------------------------------------------------------------------------------------

def test_ui_is_served_by_the_orchestrator_with_csp_and_caching(server):
    root = server.request("GET", "/")
    assert root.status == 302 and root.headers["location"] == "/ui/"
    page = server.request("GET", "/ui/", headers={"Accept": "text/html"})
    assert page.status == 200, page
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-cache"
    again = server.request("GET", "/ui", headers={"If-None-Match": page.headers["etag"]})
    assert again.status == 304
    html = page.body.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/ui/v/") or a.startswith("#") for a in assets), assets
    kinds = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
    for asset in assets:
        if asset.startswith("#"):
            continue
        reply = server.request("GET", asset)
        assert reply.status == 200, (asset, reply)
        assert reply.headers["content-type"] == kinds[asset[asset.rindex("."):]], asset
        assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert reply.headers["content-security-policy"] == CSP
    version = assets[0].split("/")[3]
    module = server.request("GET", f"/ui/v/{version}/views/host.js")
    assert module.status == 200 and b"Update History" in module.body
    assert server.request("GET", "/ui/v/0000000000000000/app.js").status == 404, "another version is not served"
    assert server.request("GET", f"/ui/v/{version}/../harness.py").status == 404


def test_the_browser_check_catches_script_errors_and_other_hosts(driver, server):
    """The check every test ends with must see what it is meant to catch (so a pass means something)."""
    go(driver, server, "/signin")
    find_visible(driver, "form.signin-form")
    browser_problems(driver, server)
    driver.execute_script("setTimeout(() => { throw new Error('planted failure'); }, 0)")
    driver.execute_script("fetch('http://ui-probe.invalid/x').catch(() => {});"
                          "const i = document.createElement('img'); i.src = 'http://ui-probe.invalid/y.png';"
                          "document.body.append(i);")
    time.sleep(1)
    problems = "\n".join(browser_problems(driver, server))
    assert "planted failure" in problems, problems
    assert "Content Security Policy" in problems and "ui-probe.invalid" in problems, problems
    assert not browser_problems(driver, server), "read once"


def test_without_its_assets_the_ui_answers_503_and_the_rest_serves(tmp_path):
    """An executable installed without day2_WebUI.resources beside it still serves the API; /ui says what is missing."""
    alone = tmp_path / "day2-orchestrator"
    try:
        os.link(EXECUTABLE, alone)  # same file, another folder (no resources next to it)
    except OSError:
        shutil.copy2(EXECUTABLE, alone)
    server = Server(executable=alone)
    try:
        page = server.request("GET", "/ui")
        assert page.status == 503 and b"day2_WebUI.resources" in page.body, page
        assert page.headers["content-security-policy"] == CSP
        assert server.request("GET", "/v1/projects", token=server.token).status == 200
    finally:
        assert server.stop() == 0
        server.remove()


# Signing in ---------------------------------------------------------------------------------------------------

def test_sign_in_refuses_a_wrong_password_then_signs_in(driver, server, fleet, browser_log, artifacts):
    browser_log.expected.append("openid-connect/token")
    go(driver, server, "/hosts")
    find_visible(driver, "form.signin-form")
    assert "#/signin" in driver.current_url
    driver.find_element(By.CSS_SELECTOR, "form.signin-form button[type=submit]").click()
    text_appears(driver, ".field-error", "Enter your password.")
    type_into(driver.find_element(By.NAME, "password"), "not-the-password")
    driver.find_element(By.CSS_SELECTOR, "form.signin-form button[type=submit]").click()
    text_appears(driver, ".form-alert", "The user name or password is wrong.")
    assert not driver.execute_script("return sessionStorage.getItem('day2.token')")
    shot(driver, artifacts, "01-sign-in-refused")
    sign_in(driver, server)
    find(driver, "#hosts-table tbody tr[data-host]")
    token = driver.execute_script("return sessionStorage.getItem('day2.token')")
    assert token and token.count(".") == 2, "the token is kept in sessionStorage"
    assert driver.execute_script("return localStorage.length") == 0, "nothing is kept beyond the tab"


def test_sign_in_with_an_access_token_from_another_issuer(driver, server, fleet, browser_log, artifacts):
    browser_log.expected.append("status of 401")
    go(driver, server, "/hosts")
    driver.execute_script("sessionStorage.clear()")
    go(driver, server, "/hosts")
    find_visible(driver, "form.signin-form")
    find(driver, ".signin-token summary").click()
    token_field = find_visible(driver, "form.token-form textarea[name=token]")
    submit = driver.find_element(By.CSS_SELECTOR, "form.token-form button[type=submit]")
    submit.click()
    text_appears(driver, ".token-form .field-error", "Paste an access token.")
    for text, message in [
        ("not-a-token", "This is not a JSON Web Token"),
        (sign_token(["day2-admin"], lifetime=-60), "This token has expired."),
    ]:
        token_field.clear()
        type_into(token_field, text)
        submit.click()
        text_appears(driver, ".token-form .field-error", message)
    # Well-formed but signed by someone the server does not trust: the server's answer decides.
    token_field.clear()
    type_into(token_field, sign_token(["day2-admin"], secret="an-issuer-the-server-does-not-know-0123456789"))
    submit.click()
    text_appears(driver, ".token-form .form-alert", "The server does not accept this token")
    assert not driver.execute_script("return sessionStorage.getItem('day2.token')")
    # A token the server trusts, pasted with its "Bearer " prefix as copied from a header.
    token_field.clear()
    type_into(token_field, "Bearer " + sign_token(["day2-admin"], subject="ext-operator"))
    submit.click()
    find(driver, "#hosts-table tbody tr[data-host]")
    text_appears(driver, "#user-area .user-name", "ext-operator")
    shot(driver, artifacts, "01-signed-in-with-a-token")


# Hosts --------------------------------------------------------------------------------------------------------

def test_hosts_page_shows_the_os_update_available_indicator(driver, server, fleet, agent, browser_log, artifacts):
    hosts = fleet["hosts"]
    immutable, mutable, current = (hosts[fleet[k]] for k in ("immutable", "mutable", "current"))
    st = agent.status
    # The agents report in: the immutable node runs an older image than the newest of its profile; the mutable
    # node has upgradable packages.
    packages = [{"name": "openssl", "available_version": "3.0.2-0ubuntu1.19", "architecture": "amd64"},
                {"name": "curl", "available_version": "7.81.0-1ubuntu1.20", "architecture": "amd64"}]
    for name, node in hosts.items():
        if name == fleet["mutable"]:
            agent.report(node["uuid"], st.STATUS_TYPE_UP_TO_DATE, os_update_available=json.dumps(packages))
        elif name == fleet["failed"]:
            agent.report(node["uuid"], st.STATUS_TYPE_FAILED, status_detail="apt-get: unable to fetch archives")
        else:
            agent.report(node["uuid"], st.STATUS_TYPE_UP_TO_DATE)
    # Immutable hosts on the older image: edge-berlin-00, edge-lisbon-02, edge-warsaw-04; plus the mutable host.
    with_updates = {fleet["mutable"]} | {n for n, h in hosts.items() if h["immutable"] and int(n[-2:]) < 6}
    assert len(with_updates) == 4
    assert server.get(f"compute/hosts/{immutable['host']}")["instance"]["osUpdateAvailable"] == fleet["new"]["name"]

    go(driver, server, "/hosts")
    # Live: the page refreshes by itself, so the rows show the new state without a reload.
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR,
         f'tr[data-host="{immutable["host"]}"] svg[aria-label="OS update available"]'), message="indicator on the immutable host")
    text = row_text(driver, f'#hosts-table tr[data-host="{immutable["host"]}"]')
    assert fleet["old"]["name"] in text and "berlin-plant" in text and "region-east" in text
    host_row(driver, current["host"])
    assert driver.find_elements(By.CSS_SELECTOR, f'tr[data-host="{mutable["host"]}"] svg[aria-label="OS update available"]')
    assert not driver.find_elements(By.CSS_SELECTOR, f'tr[data-host="{current["host"]}"] svg[aria-label="OS update available"]')
    assert "Showing 1–24 of 24 hosts" in find(driver, "#hosts-summary").text
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#tile-available .tile-value").text == "4",
         message="summary tile counts the four hosts with an update")
    assert find(driver, "#tile-failed .tile-value").text == "1"
    text_appears(driver, f'tr[data-host="{hosts[fleet["failed"]]["host"]}"]', "Update failed")
    shot(driver, artifacts, "02-hosts")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)

    # Filtering and paging are done by the server.
    driver.find_element(By.ID, "filter-available").click()
    wait(driver, lambda d: {e.get_attribute("data-host") for e in d.find_elements(By.CSS_SELECTOR, "#hosts-table tr[data-host]")}
         == {hosts[n]["host"] for n in with_updates}, message="the hosts with updates")
    assert any("has(instance.osUpdateAvailable)" in urllib.parse.unquote(u) for u in requested(driver, "compute/hosts"))
    driver.find_element(By.ID, "filter-available").click()
    find(driver, "#tile-failed").click()
    wait(driver, lambda d: [e.get_attribute("data-host") for e in d.find_elements(By.CSS_SELECTOR, "#hosts-table tr[data-host]")]
         == [hosts[fleet["failed"]]["host"]], message="the failed host")
    assert "status=STATUS_INDICATION_ERROR" in driver.current_url
    find(driver, "#tile-all").click()
    wait(driver, lambda d: "of 24 hosts" in d.find_element(By.ID, "hosts-summary").text, message="all hosts again")
    search = driver.find_element(By.ID, "host-search")
    type_into(search, "lisbon")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hosts-table tr[data-host]")) == 8, message="8 lisbon hosts")
    assert "q=lisbon" in driver.current_url, "the search is kept in the address"
    type_into(search, "west")  # the region's name
    wait(driver, lambda d: "of 8 hosts" in d.find_element(By.ID, "hosts-summary").text, message="region search")
    type_into(search, "bad<input>")
    text_appears(driver, "#host-search-error", "Search accepts letters")
    type_into(search, "")
    Select(driver.find_element(By.ID, "page-size")).select_by_value("25")
    wait(driver, lambda d: "of 24 hosts" in d.find_element(By.ID, "hosts-summary").text, message="search cleared")
    urls = [urllib.parse.unquote(u) for u in requested(driver, "compute/hosts?")]
    assert urls and all("pageSize=" in u for u in urls), "every host list request is paged"

    # Paging: 24 hosts, 10 a page.
    Select(driver.find_element(By.ID, "page-size")).select_by_value("10")
    wait(driver, lambda d: d.find_element(By.ID, "hosts-summary").text == "Showing 1–10 of 24 hosts", message="page 1")
    driver.find_element(By.ID, "page-next").click()
    wait(driver, lambda d: d.find_element(By.ID, "hosts-summary").text == "Showing 11–20 of 24 hosts", message="page 2")
    assert "page=1" in driver.current_url and "size=10" in driver.current_url
    assert any("offset=10" in urllib.parse.unquote(u) and "pageSize=10" in urllib.parse.unquote(u)
               for u in requested(driver, "compute/hosts?"))
    driver.find_element(By.ID, "page-next").click()
    wait(driver, lambda d: d.find_element(By.ID, "hosts-summary").text == "Showing 21–24 of 24 hosts", message="page 3")
    assert not driver.find_element(By.ID, "page-next").is_enabled()
    assert len(driver.find_elements(By.CSS_SELECTOR, "#hosts-table tr[data-host]")) == 4
    driver.find_element(By.ID, "page-previous").click()
    wait(driver, lambda d: d.find_element(By.ID, "hosts-summary").text == "Showing 11–20 of 24 hosts", message="back")
    Select(driver.find_element(By.ID, "page-size")).select_by_value("25")
    wait(driver, lambda d: d.find_element(By.ID, "hosts-summary").text == "Showing 1–24 of 24 hosts", message="one page")


def test_host_updates_tab_shows_packages_or_the_newest_image(driver, server, fleet, browser_log, artifacts):
    mutable = fleet["hosts"][fleet["mutable"]]
    go(driver, server, f"/hosts/{mutable['host']}/updates")
    table = find(driver, "#packages-table")
    rows = [r.text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert rows == ["openssl 3.0.2-0ubuntu1.19 amd64", "curl 7.81.0-1ubuntu1.20 amd64"], rows
    assert "Package Name" in table.text and "Available Version" in table.text and "Architecture" in table.text
    assert find(driver, "#update-available-label").text == "OS update available"
    assert not unlabelled_controls(driver), unlabelled_controls(driver)

    immutable = fleet["hosts"][fleet["immutable"]]
    go(driver, server, f"/hosts/{immutable['host']}/updates")
    assert fleet["new"]["name"] in find(driver, "#newer-os").text
    assert find(driver, "#assigned-policy dd").text == "-"

    current = fleet["hosts"][fleet["current"]]
    go(driver, server, f"/hosts/{current['host']}/updates")
    find(driver, "#no-update")
    assert not driver.find_elements(By.ID, "update-available-label")


def test_tabs_work_from_the_keyboard(driver, server, fleet, browser_log):
    immutable = fleet["hosts"][fleet["immutable"]]
    go(driver, server, f"/hosts/{immutable['host']}/updates")
    tab = find(driver, "#tab-updates")
    tab.send_keys(Keys.ARROW_RIGHT)
    wait(driver, lambda d: d.find_element(By.ID, "tab-status").get_attribute("aria-selected") == "true", message="status tab")
    assert driver.switch_to.active_element.get_attribute("id") == "tab-status"
    assert driver.current_url.endswith(f"/hosts/{immutable['host']}/status")
    find(driver, "#status-update")
    driver.switch_to.active_element.send_keys(Keys.END)
    wait(driver, lambda d: d.find_element(By.ID, "tab-maintenance").get_attribute("aria-selected") == "true", message="last tab")
    driver.switch_to.active_element.send_keys(Keys.HOME)
    wait(driver, lambda d: d.find_element(By.ID, "tab-updates").get_attribute("aria-selected") == "true", message="first tab")
    assert driver.find_element(By.ID, "tab-history").get_attribute("tabindex") == "-1", "one tab stop for the tab list"


# Policies -----------------------------------------------------------------------------------------------------

def policies_named(server, name):
    return [p for p in server.get("os-update-policies")["osUpdatePolicies"] if p["name"] == name]


def test_policy_form_validates_before_sending(driver, server, fleet, browser_log):
    go(driver, server, "/policies/new")
    form = find_visible(driver, "#policy-form")
    find(driver, "#policy-save").click()
    text_appears(driver, "#policy-form .field-error", "Enter a name.")
    assert driver.switch_to.active_element.get_attribute("name") == "name", "focus moves to the first problem"
    type_into(driver.find_element(By.NAME, "name"), "nothing-to-do")
    find(driver, "#policy-save").click()
    text_appears(driver, "#policy-form .field-error", "Either Kernel Command, Update Sources, or Update Packages must be specified")
    driver.find_element(By.CSS_SELECTOR, 'input[name="osType"][value="immutable"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="updatePolicy"][value="UPDATE_POLICY_TARGET"]').click()
    find(driver, "#policy-save").click()
    text_appears(driver, "#policy-form .field-error", "Either Target OS or Kernel Command must be specified")
    type_into(driver.find_element(By.NAME, "name"), "bad|name")
    find(driver, "#policy-save").click()
    text_appears(driver, "#policy-form .field-error", "Use letters, digits")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    assert form.get_attribute("novalidate") is not None
    assert not policies_named(server, "nothing-to-do") and not policies_named(server, "bad|name"), "nothing was sent"


def test_policy_form_shows_the_servers_refusal(driver, server, fleet, browser_log):
    doomed = server.post("compute/os", immutable_os("Edge Microvisor Toolkit 3.0.20260603", "3.0.20260603.0100", "9"))
    go(driver, server, "/policies/new")
    find_visible(driver, "#policy-form")
    type_into(driver.find_element(By.NAME, "name"), "to-a-vanished-image")
    driver.find_element(By.CSS_SELECTOR, 'input[name="osType"][value="immutable"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="updatePolicy"][value="UPDATE_POLICY_TARGET"]').click()
    choose(driver, 'select[name="targetOs"]', doomed["resourceId"])
    server.ok("DELETE", f"compute/os/{doomed['resourceId']}")  # gone before the form is sent
    expected = server.call("POST", "os-update-policies", {"name": "probe", "updatePolicy": "UPDATE_POLICY_TARGET",
                                                          "targetOsId": doomed["resourceId"]})
    assert expected.status in (400, 404), expected
    browser_log.expected.append("os-update-policies")
    find(driver, "#policy-save").click()
    alert = text_appears(driver, "#policy-form .form-alert", expected.json["message"])
    assert alert
    alert_text = find(driver, "#policy-form .form-alert").text
    assert expected.json["code"] in alert_text and expected.json["message"] in alert_text
    assert not policies_named(server, "to-a-vanished-image")


def test_a_refusal_naming_a_field_is_shown_under_that_field(driver, server, fleet, browser_log):
    # The form checks the characters of an apt source but leaves its size (10,000 bytes) to the server.
    stanza = "Types: deb\nURIs: http://archive.example/ubuntu\nSuites: jammy\nComponents: main " + "universe " * 1200
    body = {"name": "too-long-source", "updatePolicy": "UPDATE_POLICY_TARGET", "updateSources": [stanza.strip()]}
    expected = server.call("POST", "os-update-policies", body)
    assert expected.status == 400 and expected.json["message"].startswith("updateSources[0]: "), expected
    rule = expected.json["message"].split(": ", 1)[1]
    browser_log.expected.append("os-update-policies")
    go(driver, server, "/policies/new")
    find_visible(driver, "#policy-form")
    type_into(driver.find_element(By.NAME, "name"), "too-long-source")
    set_input(driver, driver.find_element(By.NAME, "sources"), stanza)
    find(driver, "#policy-save").click()
    text_appears(driver, "#policy-form .form-alert", expected.json["message"])
    assert "InvalidArgument" in find(driver, "#policy-form .form-alert").text
    under = find(driver, '#policy-form [data-field="sources"] .field-error')
    assert under.text == rule and under.is_displayed()
    assert find(driver, 'textarea[name="sources"]').get_attribute("aria-invalid") == "true"
    assert not policies_named(server, "too-long-source")


def test_create_policies(driver, server, fleet, browser_log, artifacts):
    go(driver, server, "/policies/new")
    find_visible(driver, "#policy-form")
    type_into(driver.find_element(By.NAME, "name"), "emt-latest")
    type_into(driver.find_element(By.NAME, "description"), "Newest Edge Microvisor Toolkit")
    driver.find_element(By.CSS_SELECTOR, 'input[name="osType"][value="immutable"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="updatePolicy"][value="UPDATE_POLICY_LATEST"]').click()
    assert not find(driver, 'input[name="kernel"]').is_displayed(), "LATEST takes no other field"
    find(driver, "#policy-save").click()
    find(driver, "#policies-table tr[data-policy]")
    (latest,) = policies_named(server, "emt-latest")
    assert latest["updatePolicy"] == "UPDATE_POLICY_LATEST" and latest["description"] == "Newest Edge Microvisor Toolkit"

    go(driver, server, "/policies/new")
    find_visible(driver, "#policy-form")
    type_into(driver.find_element(By.NAME, "name"), "ubuntu-tools")
    assert not driver.find_element(By.CSS_SELECTOR, 'input[value="UPDATE_POLICY_LATEST"]').is_enabled(), "mutable: TARGET only"
    type_into(driver.find_element(By.NAME, "kernel"), "hugepages=2")
    type_into(driver.find_element(By.NAME, "packages"), "tree, htop")
    type_into(driver.find_element(By.NAME, "sources"),
              "Types: deb\nURIs: http://archive.example/ubuntu\nSuites: jammy\nComponents: main\n\n"
              "Types: deb\nURIs: http://mirror.example/ubuntu\nSuites: jammy-updates\nComponents: main")
    find(driver, "#policy-save").click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#policies-table tr[data-policy]")) == 2, message="two policies")
    (tools,) = policies_named(server, "ubuntu-tools")
    assert tools["updatePolicy"] == "UPDATE_POLICY_TARGET"
    assert tools["updatePackages"] == "tree\nhtop" and tools["updateKernelCommand"] == "hugepages=2"
    assert len(tools["updateSources"]) == 2 and tools["updateSources"][1].startswith("Types: deb\nURIs: http://mirror")
    shot(driver, artifacts, "03-policies")


def test_link_policy_to_many_hosts_and_from_the_host_page(driver, server, fleet, browser_log, artifacts):
    (latest,) = policies_named(server, "emt-latest")
    (tools,) = policies_named(server, "ubuntu-tools")
    go(driver, server, "/policies")
    row = find(driver, f'tr[data-policy="{latest["resourceId"]}"]')
    row.find_element(By.XPATH, ".//button[normalize-space()='Link to hosts']").click()
    dialog = find_visible(driver, "#link-dialog")
    search = dialog.find_element(By.ID, "link-search")
    type_into(search, "berlin")
    berlin = [n for n, h in fleet["hosts"].items() if h["site"] == "berlin-plant"]
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#link-hosts tbody input[type=checkbox]")) == len(berlin),
         message="berlin hosts listed")
    chosen = [fleet["immutable"], "edge-berlin-03"]
    for name in chosen:
        dialog.find_element(By.CSS_SELECTOR, f'input[data-host="{fleet["hosts"][name]["host"]}"]').click()
    shot(driver, artifacts, "03b-link-dialog")
    dialog.find_element(By.ID, "link-submit").click()
    text_appears(driver, "#link-progress", "Linked 2 hosts.")
    for name in chosen:
        linked = server.get(f"compute/hosts/{fleet['hosts'][name]['host']}")["instance"]["updatePolicy"]
        assert linked and linked["resourceId"] == latest["resourceId"], name
    dialog.send_keys(Keys.ESCAPE)
    wait(driver, lambda d: not d.find_element(By.ID, "link-dialog").is_displayed(), message="dialog closes on Escape")
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, f'tr[data-policy="{latest["resourceId"]}"] .linked-count').text == "2",
         message="linked count")

    mutable = fleet["hosts"][fleet["mutable"]]
    go(driver, server, f"/hosts/{mutable['host']}/updates")
    choose(driver, "#policy-select", tools["resourceId"])
    find(driver, "#policy-apply").click()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#assigned-policy dd").text == "ubuntu-tools", message="assigned policy")
    assert server.get(f"compute/hosts/{mutable['host']}")["instance"]["updatePolicy"]["resourceId"] == tools["resourceId"]
    Select(find(driver, "#policy-select")).select_by_value("")
    find(driver, "#policy-apply").click()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#assigned-policy dd").text == "-", message="policy removed")
    assert server.get(f"compute/hosts/{mutable['host']}")["instance"]["updatePolicy"] is None


def test_deleting_a_linked_policy_shows_the_servers_reason(driver, server, fleet, browser_log):
    (latest,) = policies_named(server, "emt-latest")
    browser_log.expected.append(f"os-update-policies/{latest['resourceId']}")
    go(driver, server, "/policies")
    row = find(driver, f'tr[data-policy="{latest["resourceId"]}"]')
    row.find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    driver.switch_to.alert.accept()
    alert = find_visible(driver, "#policies-alert")
    refusal = server.call("DELETE", f"os-update-policies/{latest['resourceId']}")
    assert refusal.status == 400 and "still referenced by 2 instances" in refusal.json["message"], refusal
    text_appears(driver, "#policies-alert", refusal.json["message"])
    assert "FailedPrecondition" in alert.text
    assert policies_named(server, "emt-latest"), "still there"

    scratch = server.post("os-update-policies", {"name": "scratch", "updatePolicy": "UPDATE_POLICY_LATEST"})
    go(driver, server, "/policies")
    row = find(driver, f'tr[data-policy="{scratch["resourceId"]}"]')
    row.find_element(By.XPATH, ".//button[normalize-space()='Delete']").click()
    driver.switch_to.alert.accept()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, f'tr[data-policy="{scratch["resourceId"]}"]'), message="row gone")
    assert not policies_named(server, "scratch")


# Maintenance --------------------------------------------------------------------------------------------------

def next_date(month, day, after=None):
    """The next `month`/`day` at least 30 days from now (so the window is in the future)."""
    after = after or dt.date.today() + dt.timedelta(days=30)
    candidate = dt.date(after.year, month, day)
    return candidate if candidate >= after else dt.date(after.year + 1, month, day)


def second_sunday_of_march(year):
    first = dt.date(year, 3, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7)


def fill_single(driver, name, zone, start, end=None):
    type_into(find(driver, '#schedule-form input[name="name"]'), name)
    Select(driver.find_element(By.NAME, "timeZone")).select_by_value(zone)
    set_input(driver, driver.find_element(By.NAME, "startDate"), start.strftime("%Y-%m-%d"))
    set_input(driver, driver.find_element(By.NAME, "startTime"), start.strftime("%H:%M"))
    if end:
        set_input(driver, driver.find_element(By.NAME, "endDate"), end.strftime("%Y-%m-%d"))
        set_input(driver, driver.find_element(By.NAME, "endTime"), end.strftime("%H:%M"))


def schedules_named(server, name):
    everything = server.get("compute/schedules")
    return [s for s in everything["singleSchedules"] + everything["repeatedSchedules"] if s["name"] == name]


@pytest.mark.parametrize("month", [7, 1], ids=["summer-time", "winter-time"])
def test_schedule_a_single_window_in_another_time_zone(driver, server, fleet, browser_log, artifacts, month):
    host = fleet["hosts"][fleet["current"]]
    zone = "America/New_York"
    day = next_date(month, 15)
    start = dt.datetime(day.year, day.month, day.day, 2, 30)
    end = start + dt.timedelta(hours=2)
    go(driver, server, f"/maintenance/new?target={host['host']}")
    wait(driver, lambda d: Select(d.find_element(By.NAME, "target")).first_selected_option.get_attribute("value") == host["host"],
         message="the host is preselected")
    assert Select(driver.find_element(By.NAME, "timeZone")).first_selected_option.get_attribute("value") == "Europe/Berlin", \
        "the browser's zone is the default"
    name = f"ny-{month:02d}"
    fill_single(driver, name, zone, start, end)
    expected_start = int(start.replace(tzinfo=ZoneInfo(zone)).timestamp())
    expected_end = int(end.replace(tzinfo=ZoneInfo(zone)).timestamp())
    utc = dt.datetime.fromtimestamp(expected_start, dt.timezone.utc).strftime("UTC %Y-%m-%d %H:%M")
    text_appears(driver, "#preview-windows", utc)
    offset = "-04:00" if month == 7 else "-05:00"
    assert offset in find(driver, "#preview-windows").text
    if month == 7:
        shot(driver, artifacts, "04-schedule-form")
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    find(driver, "#schedule-save").click()
    wait(driver, lambda d: f"/hosts/{host['host']}/maintenance" in d.current_url, message="back on the host")
    find(driver, "#host-schedules")
    (saved,) = schedules_named(server, name)
    assert (saved["startSeconds"], saved["endSeconds"]) == (expected_start, expected_end)
    assert saved["targetHostId"] == host["host"] and saved["scheduleStatus"] == "SCHEDULE_STATUS_OS_UPDATE"


def test_schedule_refuses_times_that_do_not_exist_or_are_past(driver, server, fleet, browser_log):
    zone = "America/New_York"
    day = second_sunday_of_march(next_date(3, 20).year)  # clocks go from 02:00 to 03:00
    go(driver, server, f"/maintenance/new?target={fleet['hosts'][fleet['current']]['host']}")
    fill_single(driver, "in-the-gap", zone, dt.datetime(day.year, day.month, day.day, 2, 30), dt.datetime(day.year, day.month, day.day, 5, 0))
    find(driver, "#schedule-save").click()
    text_appears(driver, "#schedule-form .field-error", "does not exist")
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    fill_single(driver, "in-the-past", zone, yesterday, yesterday + dt.timedelta(hours=1))
    find(driver, "#schedule-save").click()
    text_appears(driver, "#schedule-form .field-error", "The start must be in the future.")
    assert not schedules_named(server, "in-the-gap") and not schedules_named(server, "in-the-past")


def test_schedule_a_repeated_window_for_a_site(driver, server, fleet, browser_log, artifacts):
    site = fleet["sites"][2]
    go(driver, server, f"/maintenance/new?target={site['resourceId']}")
    wait(driver, lambda d: Select(d.find_element(By.NAME, "target")).first_selected_option.get_attribute("value") == site["resourceId"],
         message="the site is preselected")
    type_into(driver.find_element(By.NAME, "name"), "tokyo-mondays")
    driver.find_element(By.CSS_SELECTOR, 'input[name="repeat"][value="weekly"]').click()
    Select(driver.find_element(By.NAME, "timeZone")).select_by_value("Asia/Tokyo")
    set_input(driver, driver.find_element(By.NAME, "repeatTime"), "00:30")
    set_input(driver, driver.find_element(By.NAME, "durationHours"), "1")
    set_input(driver, driver.find_element(By.NAME, "durationMinutes"), "30")
    find(driver, "#schedule-save").click()
    text_appears(driver, "#schedule-form .field-error", "Choose at least one day.")
    driver.find_element(By.CSS_SELECTOR, 'input[name="weekday"][value="1"]').click()
    windows = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-windows li"), message="preview")
    assert len(windows) == 5, [w.text for w in windows]
    for window in windows:
        assert "00:30" in window.text.split("→")[0] and "Asia/Tokyo" in window.text
        assert re.search(r"UTC \d{4}-\d{2}-\d{2} 15:30", window.text), window.text
    starts = [re.search(r"UTC (\d{4}-\d{2}-\d{2})", w.text).group(1) for w in windows]
    assert all(dt.date.fromisoformat(s).weekday() == 6 for s in starts), "Monday 00:30 in Tokyo is Sunday 15:30 UTC"
    driver.execute_script("document.getElementById('toasts').replaceChildren()")
    shot(driver, artifacts, "05-repeated-schedule")
    find(driver, "#schedule-save").click()
    wait(driver, lambda d: d.current_url.endswith("#/maintenance"), message="maintenance list")
    (saved,) = schedules_named(server, "tokyo-mondays")
    assert (saved["cronMinutes"], saved["cronHours"], saved["cronDayMonth"], saved["cronMonth"], saved["cronDayWeek"]) == \
        ("30", "15", "*", "*", "0")
    assert saved["durationSeconds"] == 5400 and saved["targetSiteId"] == site["resourceId"]
    text_appears(driver, "#schedules-table", "tokyo-mondays")


def test_schedule_a_monthly_maintenance_window_for_a_region(driver, server, fleet, browser_log):
    region = fleet["regions"][1]
    go(driver, server, "/maintenance/new")
    find_visible(driver, "#schedule-form")
    driver.find_element(By.CSS_SELECTOR, 'input[name="targetKind"][value="region"]').click()
    type_into(driver.find_element(By.NAME, "targetSearch"), "west")
    choose(driver, 'select[name="target"]', region["resourceId"])
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, 'select[name="target"] option')) == 1, message="search narrows")
    type_into(driver.find_element(By.NAME, "name"), "west-monthly")
    driver.find_element(By.CSS_SELECTOR, 'input[name="scheduleStatus"][value="SCHEDULE_STATUS_MAINTENANCE"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="repeat"][value="monthly"]').click()
    Select(driver.find_element(By.NAME, "timeZone")).select_by_value("UTC")
    set_input(driver, driver.find_element(By.NAME, "repeatTime"), "22:15")
    set_input(driver, driver.find_element(By.NAME, "durationHours"), "2")
    for day in ("1", "15"):
        driver.find_element(By.CSS_SELECTOR, f'input[name="monthDay"][value="{day}"]').click()
    for month in range(1, 13):
        if month not in (1, 7):
            driver.find_element(By.CSS_SELECTOR, f'input[name="month"][value="{month}"]').click()
    windows = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-windows li"), message="preview")
    days = [re.search(r"UTC \d{4}-(\d{2}-\d{2}) 22:15", w.text).group(1) for w in windows]
    assert len(days) == 5 and set(days) <= {"01-01", "01-15", "07-01", "07-15"}, days
    find(driver, "#schedule-save").click()
    wait(driver, lambda d: d.current_url.endswith("#/maintenance"), message="maintenance list")
    (saved,) = schedules_named(server, "west-monthly")
    assert (saved["cronMinutes"], saved["cronHours"], saved["cronDayMonth"], saved["cronMonth"], saved["cronDayWeek"]) == \
        ("15", "22", "1,15", "1,7", "*")
    assert saved["durationSeconds"] == 7200 and saved["targetRegionId"] == region["resourceId"]
    assert saved["scheduleStatus"] == "SCHEDULE_STATUS_MAINTENANCE"
    text_appears(driver, "#schedules-table", "Region region-west")


def zones_module(driver, server, call):
    """Runs `call` (a JS expression over the module `z`) against the page's own zones.js and returns the result."""
    version = re.search(r"/ui/v/([0-9a-f]+)/app.js", server.request("GET", "/ui").body.decode()).group(1)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"import('/ui/v/{version}/zones.js').then((z) => done(JSON.stringify({call})))"
        ".catch((e) => done(JSON.stringify({error: String(e && e.message || e)})));")


def utc_ms(*args):
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp() * 1000)


def test_time_zone_conversion_follows_daylight_saving(driver, server, browser_log):
    ny = ZoneInfo("America/New_York")
    go(driver, server, "/signin")
    find_visible(driver, "form.signin-form")
    # Wall-clock times to instants: summer and winter offsets, a skipped hour, a repeated hour.
    for local in [(2027, 7, 15, 2, 30), (2027, 1, 15, 2, 30), (2027, 11, 7, 1, 30)]:
        got = json.loads(zones_module(driver, server, "z.zonedInstant({year: %d, month: %d, day: %d, hour: %d, minute: %d}, 'America/New_York')" % local))
        expected = int(dt.datetime(*local, tzinfo=ny, fold=0).timestamp() * 1000)
        assert got["epochMs"] == expected, (local, got)
    assert json.loads(zones_module(driver, server, "z.zonedInstant({year: 2027, month: 11, day: 7, hour: 1, minute: 30}, 'America/New_York')"))["kind"] == "ambiguous"
    gap = json.loads(zones_module(driver, server, "z.zonedInstant({year: 2027, month: 3, day: 14, hour: 2, minute: 30}, 'America/New_York')"))
    assert gap == {"epochMs": None, "kind": "gap"}

    # Sundays 01:30 in New York from 1 March 2027: the UTC cron uses the winter offset; the windows after the
    # change to summer time (14 March, 02:00 local, after that day's window) open an hour later and are flagged.
    now = utc_ms(2027, 3, 1)
    spec = "{hour: 1, minute: 30, kind: 'weekly', days: [0], months: []}"
    converted = json.loads(zones_module(driver, server, f"z.repeatedToUTC({spec}, 'America/New_York', {now})"))
    assert converted["cron"] == {"minutes": "30", "hours": "6", "dayMonth": "*", "month": "*", "dayWeek": "0"}
    windows = json.loads(zones_module(driver, server,
        f"z.nextCronWindows({json.dumps(converted['cron'])}, 3600, {now}, 5).map((w) => [w.start, z.matchesLocal({spec}, 'America/New_York', w.start)])"))
    starts = [dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc) for ms, _ in windows]
    assert [s.date() for s in starts] == [dt.date(2027, 3, 7) + dt.timedelta(weeks=i) for i in range(5)]
    assert all((s.hour, s.minute) == (6, 30) for s in starts)
    flags = [ok for _, ok in windows]
    assert flags == [s.astimezone(ny).strftime("%H:%M") == "01:30" for s in starts] == [True, True, False, False, False]

    # Monday 00:30 in Berlin is Sunday 23:30 UTC in winter; day 1 of a month at 00:30 is the previous month's last
    # day in UTC, which one cron cannot say: refused with the rule.
    berlin = json.loads(zones_module(driver, server,
        f"z.repeatedToUTC({{hour: 0, minute: 30, kind: 'weekly', days: [1], months: [1, 2]}}, 'Europe/Berlin', {utc_ms(2027, 1, 5)}).cron"))
    assert berlin == {"minutes": "30", "hours": "23", "dayMonth": "*", "month": "1,2,12", "dayWeek": "0"}
    refused = json.loads(zones_module(driver, server,
        f"(() => {{ try {{ return z.repeatedToUTC({{hour: 0, minute: 30, kind: 'monthly', days: [1], months: []}}, 'Europe/Berlin', {utc_ms(2027, 1, 5)}); }} catch (e) {{ return {{error: e.message}}; }} }})()"))
    assert "one UTC cron cannot express" in refused["error"]


# A rollout, live ----------------------------------------------------------------------------------------------

def test_update_history_follows_a_running_update_without_reloading(driver, server, fleet, agent, browser_log, artifacts):
    host = fleet["hosts"][fleet["immutable"]]
    st = agent.status
    # An OS-update window for the host, scheduled through the UI in the browser's own zone, two minutes ahead.
    go(driver, server, f"/maintenance/new?target={host['host']}")
    wait(driver, lambda d: Select(d.find_element(By.NAME, "target")).first_selected_option.get_attribute("value") == host["host"],
         message="host preselected")
    soon = dt.datetime.now(ZoneInfo("Europe/Berlin")).replace(second=0, microsecond=0) + dt.timedelta(minutes=3)
    fill_single(driver, "update-now", "Europe/Berlin", soon.replace(tzinfo=None), (soon + dt.timedelta(hours=1)).replace(tzinfo=None))
    find(driver, "#schedule-save").click()
    wait(driver, lambda d: f"/hosts/{host['host']}/maintenance" in d.current_url, message="saved")
    answer = agent.report(host["uuid"], st.STATUS_TYPE_UP_TO_DATE)
    assert answer.update_schedule.single_schedule.start_seconds == int(soon.timestamp()), "the agent gets the window"
    assert answer.os_profile_update_source.os_image_id == fleet["new"]["imageId"], "LATEST resolves to the newest image"

    find(driver, "#tab-history").click()
    find(driver, "#history-empty")
    driver.execute_script("window.__notReloaded = true")

    first_row = "#history-table tbody tr:first-child"
    # A first attempt fails while downloading; the agent retries in the same window.
    agent.report(host["uuid"], st.STATUS_TYPE_DOWNLOADING)
    text_appears(driver, first_row, "Downloading artifacts")
    assert "In progress" in row_text(driver, first_row)
    assert "emt-latest" in row_text(driver, first_row), "the applied policy's name"
    agent.report(host["uuid"], st.STATUS_TYPE_FAILED,
                 status_detail='{"status":"FAILED","failure_reason":"DownloadFail","detail":"connection reset"}')
    text_appears(driver, first_row, "Update failed")
    find(driver, f'{first_row} [data-indicator="STATUS_INDICATION_ERROR"]')
    time.sleep(1.1)  # the next run starts in a later second, so "newest first" is well defined
    agent.report(host["uuid"], st.STATUS_TYPE_DOWNLOADING)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history-table tbody tr")) == 2, message="second run")
    text_appears(driver, first_row, "Downloading artifacts")
    assert "Update failed" in row_text(driver, "#history-table tbody tr:nth-child(2)")
    agent.report(host["uuid"], st.STATUS_TYPE_STARTED)
    text_appears(driver, first_row, "Updating")
    shot(driver, artifacts, "06-update-in-progress")
    agent.report(host["uuid"], st.STATUS_TYPE_UPDATED, profile_name="microvisor-nonrt", os_image_id=fleet["new"]["imageId"])
    text_appears(driver, first_row, "Update completed")
    cells = [c.text for c in find(driver, first_row).find_elements(By.CSS_SELECTOR, "td")]
    assert cells[2] != "In progress" and re.search(r"\d", cells[2]), cells
    assert re.fullmatch(r"\d+s|\d+m", cells[3]), cells
    assert cells[4] == "emt-latest"
    wait(driver, lambda d: not d.find_elements(By.ID, "update-available-label"), message="the indicator clears")
    text_appears(driver, ".host-header", fleet["new"]["name"])
    assert driver.execute_script("return window.__notReloaded === true"), "the page was not reloaded"
    runs = server.get("os-update-runs", filter=f'instance.resourceId="{host["instance"]}"')["osUpdateRuns"]
    assert [r["status"] for r in runs] == ["Update failed", "Update completed"] or \
        [r["status"] for r in runs] == ["Update completed", "Update failed"]
    assert len(runs) == 2
    shot(driver, artifacts, "07-update-history")

    find(driver, "#tab-status").click()
    text_appears(driver, "#status-update", "Update completed")
    assert find(driver, "#status-available dd").text == "No"

    go(driver, server, "/hosts")
    text_appears(driver, f'#hosts-table tr[data-host="{host["host"]}"]', "Update completed")
    assert fleet["new"]["name"] in row_text(driver, f'#hosts-table tr[data-host="{host["host"]}"]')
    assert not driver.find_elements(By.CSS_SELECTOR, f'tr[data-host="{host["host"]}"] svg[aria-label="OS update available"]')


# Session ------------------------------------------------------------------------------------------------------

def test_an_expired_session_returns_to_sign_in_and_keeps_what_was_typed(driver, server, fleet, browser_log):
    go(driver, server, "/policies/new")
    find_visible(driver, "#policy-form")
    type_into(driver.find_element(By.NAME, "name"), "typed-before-expiry")
    type_into(driver.find_element(By.NAME, "description"), "kept across sign-in")
    driver.find_element(By.CSS_SELECTOR, 'input[name="osType"][value="immutable"]').click()
    driver.find_element(By.CSS_SELECTOR, 'input[name="updatePolicy"][value="UPDATE_POLICY_LATEST"]').click()
    # The token ends: one signed with the server's secret that expired a minute ago.
    expired = sign_token(["day2-admin"], lifetime=-60, secret=JWT_SECRET, subject="admin")
    driver.execute_script("sessionStorage.setItem('day2.token', arguments[0])", expired)
    find_visible(driver, "form.signin-form", timeout=15)
    text_appears(driver, ".signin-form .notice", "Your session has ended")
    assert not policies_named(server, "typed-before-expiry")
    type_into(driver.find_element(By.NAME, "password"), ADMIN_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.signin-form button[type=submit]").click()
    find_visible(driver, "#policy-form")
    wait(driver, lambda d: d.find_element(By.NAME, "name").get_attribute("value") == "typed-before-expiry", message="name kept")
    assert driver.find_element(By.NAME, "description").get_attribute("value") == "kept across sign-in"
    assert driver.find_element(By.CSS_SELECTOR, 'input[name="osType"][value="immutable"]').is_selected()
    assert driver.find_element(By.CSS_SELECTOR, 'input[name="updatePolicy"][value="UPDATE_POLICY_LATEST"]').is_selected()
    find(driver, "#policy-save").click()
    find(driver, "#policies-table")
    wait(driver, lambda d: policies_named(server, "typed-before-expiry"), message="sent after signing in again")


def test_a_refused_token_returns_to_sign_in_too(driver, server, fleet, browser_log):
    browser_log.expected.append("status of 401")
    go(driver, server, "/hosts")
    find(driver, "#hosts-table tbody tr[data-host]")
    forged = sign_token(["day2-admin"], lifetime=600, secret="not-the-servers-secret-0123456789abcdef")
    driver.execute_script("sessionStorage.setItem('day2.token', arguments[0])", forged)
    find_visible(driver, "form.signin-form", timeout=15)  # the next refresh is answered 401
    sign_in(driver, server)
    find(driver, "#hosts-table tbody tr[data-host]")


# OS profiles and layout ---------------------------------------------------------------------------------------

def test_os_profiles_grouped_with_the_newest_marked(driver, server, fleet, browser_log, artifacts):
    go(driver, server, "/profiles")
    emt = find(driver, 'section.profile[data-profile="microvisor-nonrt"]')
    rows = emt.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.get_attribute("data-os") for r in rows] == [fleet["new"]["resourceId"], fleet["old"]["resourceId"]]
    assert "Newest" in rows[0].text and "Newest" not in rows[1].text
    ubuntu = find(driver, 'section.profile[data-profile="ubuntu-22.04-lts-generic"]')
    assert "22.04.5" in ubuntu.text and "Newest" in ubuntu.text
    shot(driver, artifacts, "08-os-profiles")


@pytest.mark.parametrize("size", [(1400, 900), (1366, 768), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_pages_fit_the_screen(driver, server, fleet, browser_log, artifacts, size):
    set_viewport(driver, *size)
    assert driver.execute_script("return [innerWidth, innerHeight]") == list(size)
    try:
        immutable = fleet["hosts"][fleet["immutable"]]
        for route, ready in [("/hosts", "#hosts-table tbody tr[data-host]"), (f"/hosts/{immutable['host']}/history", "#history-table"),
                             ("/policies", "#policies-table tr[data-policy]"), ("/maintenance/new", "#schedule-form")]:
            go(driver, server, route)
            find(driver, ready)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{route} scrolls sideways by {overflow}px at {size}"
            if size == (1400, 900) and route == "/hosts":
                shot(driver, artifacts, "hosts-1400x900")
            if size == (1400, 900) and route.endswith("/history"):
                shot(driver, artifacts, "history-1400x900")
            if size == (1366, 768) and route == "/hosts":
                shot(driver, artifacts, "hosts-1366x768")
    finally:
        set_viewport(driver, 1400, 900)
