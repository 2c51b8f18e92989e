"""The Rollouts pages in headless Chromium: the list with progress, the create form with its server preview, the
detail page with Pause / Resume / Cancel, and a refusal shown under its field.

The module runs its own orchestrator (with the rollout controller passing every second) and its own small fleet,
so the rollouts here own no host of the shared fleet that test_ui.py walks through. The tests run in file order;
each also fails on JavaScript errors, CSP violations or requests to another origin (the `browser_log` fixture,
which checks against this module's server).
"""

import json
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import Agent, Server, immutable_os, set_viewport
from test_ui import choose, find, find_visible, go, row_text, shot, sign_in, text_appears, type_into, unlabelled_controls, wait

ROLLOUT_WAIT = 30


@pytest.fixture(scope="module")
def server():
    """This module's orchestrator: the rollout controller passes every second."""
    s = Server(extra_args=["--rollout-interval", "1"])
    yield s
    code = s.stop()
    log = s.log_path.read_text(errors="replace")
    s.remove()
    assert code == 0, f"the orchestrator did not stop cleanly:\n{log[-3000:]}"


@pytest.fixture(scope="module")
def rollout_agent(server):
    a = Agent(server)
    yield a
    a.close()


@pytest.fixture(scope="module")
def waves_fleet(server):
    """One region, three sites. oslo-yard: four immutable hosts on the older image (the REST-created rollout);
    bergen-dock: three on the older image, one already on the newest and one without an instance, with a daily
    OS-update window (the form's rollout); tromso-pier: two hosts for refusals. One LATEST policy."""
    region = server.post("regions", {"name": "region-north"})
    sites = {name: server.post(f"regions/{region['resourceId']}/sites", {"name": name})
             for name in ("oslo-yard", "bergen-dock", "tromso-pier")}
    old = server.post("compute/os", immutable_os("Edge Microvisor Toolkit 3.0.20260401", "3.0.20260401.0100", "1"))
    new = server.post("compute/os", immutable_os("Edge Microvisor Toolkit 3.0.20260602", "3.0.20260602.2200", "2"))
    hosts = {}
    plan = [("oslo-yard", 4, 0, 0), ("bergen-dock", 3, 1, 1), ("tromso-pier", 2, 0, 0)]
    index = 0
    for site_name, on_old, on_new, bare in plan:
        for kind in ["old"] * on_old + ["new"] * on_new + ["bare"] * bare:
            name = f"{site_name.split('-')[0]}-{index:02d}"
            uuid = f"6b1f0c2e-7a10-4d2e-9a31-{index:012x}"
            host = server.post("compute/hosts", {"name": name, "uuid": uuid, "siteId": sites[site_name]["resourceId"]})
            entry = {"host": host["resourceId"], "uuid": uuid, "site": site_name, "kind": kind, "name": name}
            if kind != "bare":
                os_id = (old if kind == "old" else new)["resourceId"]
                instance = server.post("compute/instances", {"hostID": host["resourceId"], "osID": os_id,
                                                             "kind": "INSTANCE_KIND_METAL", "name": f"{name}-os"})
                entry["instance"] = instance["resourceId"]
            hosts[name] = entry
            index += 1
    policy = server.post("os-update-policies", {"name": "emt-latest-waves", "updatePolicy": "UPDATE_POLICY_LATEST"})
    server.post("schedules/repeated", {
        "name": "bergen-nightly", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
        "targetSiteId": sites["bergen-dock"]["resourceId"], "cronMinutes": "0", "cronHours": "2",
        "cronDayMonth": "*", "cronMonth": "*", "cronDayWeek": "*", "durationSeconds": 7200})
    return {"region": region, "sites": sites, "old": old, "new": new, "hosts": hosts, "policy": policy,
            "by_id": {h["host"]: h for h in hosts.values()}}


def rollout_until(server, rollout_id, condition, message, timeout=ROLLOUT_WAIT):
    """Reads the rollout through the REST API until `condition(rollout)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        rollout = server.get(f"rollouts/{rollout_id}")
        if condition(rollout):
            return rollout
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out: {message}\n{json.dumps(rollout, indent=1)[:3000]}")
        time.sleep(0.25)


def wave_hosts(server, rollout_id, wave):
    return server.get(f"rollouts/{rollout_id}/hosts", wave=wave)["hosts"]


def open_form(driver, server):
    go(driver, server, "/rollouts/new")
    find_visible(driver, "#rollout-form")
    return find(driver, "#rollout-create")


def fill_basics(driver, fleet, name, site):
    type_into(driver.find_element(By.NAME, "name"), name)
    choose(driver, 'select[name="policy"]', fleet["policy"]["resourceId"])
    driver.find_element(By.CSS_SELECTOR, 'input[name="targetKind"][value="site"]').click()
    choose(driver, 'select[name="site"]', fleet["sites"][site]["resourceId"])


# The list ---------------------------------------------------------------------------------------------------

def test_the_list_shows_a_rollout_created_through_the_api_with_its_progress(
        driver, server, waves_fleet, rollout_agent, browser_log, artifacts):
    st = rollout_agent.status
    rollout = server.post("rollouts", {
        "name": "oslo-canary-first", "osUpdatePolicyId": waves_fleet["policy"]["resourceId"],
        "siteId": waves_fleet["sites"]["oslo-yard"]["resourceId"], "waves": [{"hosts": 1}, {"percent": 100}],
        "failureThreshold": 0, "respectMaintenanceWindows": False, "windowSeconds": 3600})
    rid = rollout["resourceId"]
    assert rollout["totalHosts"] == 4 and rollout["state"] in ("ROLLOUT_STATE_SCHEDULED", "ROLLOUT_STATE_RUNNING")

    # The canary updates.
    rollout_until(server, rid, lambda r: r["currentWave"] == 1, "wave 1 opens")
    (canary,) = wave_hosts(server, rid, 1)
    node = waves_fleet["by_id"][canary["hostId"]]
    answer = rollout_agent.report(node["uuid"], st.STATUS_TYPE_UP_TO_DATE)
    assert answer.os_profile_update_source.os_image_id == waves_fleet["new"]["imageId"], "the rollout's policy applies"
    rollout_agent.report(node["uuid"], st.STATUS_TYPE_DOWNLOADING)
    rollout_agent.report(node["uuid"], st.STATUS_TYPE_STARTED)
    rollout_agent.report(node["uuid"], st.STATUS_TYPE_UPDATED, profile_name="microvisor-nonrt",
                         os_image_id=waves_fleet["new"]["imageId"])
    rollout_until(server, rid, lambda r: r["currentWave"] == 2, "wave 2 opens after the canary")

    # In wave 2, one host is writing its update and another fails: the failure threshold of 0 pauses the rollout.
    second = [waves_fleet["by_id"][h["hostId"]] for h in wave_hosts(server, rid, 2)]
    assert len(second) == 3
    writing, failing = second[0], second[1]
    rollout_agent.report(writing["uuid"], st.STATUS_TYPE_UP_TO_DATE)
    rollout_agent.report(writing["uuid"], st.STATUS_TYPE_DOWNLOADING)
    rollout_until(server, rid, lambda r: r["waves"][1]["updating"] == 1, "a host of wave 2 is updating")
    rollout_agent.report(failing["uuid"], st.STATUS_TYPE_UP_TO_DATE)
    rollout_agent.report(failing["uuid"], st.STATUS_TYPE_DOWNLOADING)
    rollout_agent.report(failing["uuid"], st.STATUS_TYPE_FAILED, status_detail="flash write failed: no space left on device")
    paused = rollout_until(server, rid, lambda r: r["state"] == "ROLLOUT_STATE_PAUSED", "the failure pauses the rollout")
    assert paused["stateReason"], paused

    sign_in(driver, server)
    find(driver, "#hosts-table tbody tr[data-host]")
    nav = find(driver, '#nav a[href="#/rollouts"]')
    assert nav.text == "Rollouts"
    nav.click()
    row_css = f'#rollouts-table tr[data-rollout="{rid}"]'
    find(driver, row_css)
    assert find(driver, '#nav a[href="#/rollouts"]').get_attribute("aria-current") == "page"
    row = row_text(driver, row_css)
    assert "oslo-canary-first" in row and "Paused" in row and "emt-latest-waves" in row, row
    assert "2 of 2" in row, row
    for text in ("1 updated", "1 failed", "1 updating", "1 pending", "of 4"):
        assert text in row, (text, row)
    bar = find(driver, f"{row_css} [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "1" and bar.get_attribute("aria-valuemax") == "4"
    assert len(driver.find_elements(By.CSS_SELECTOR, f"{row_css} .progress > span")) == 4, "four coloured segments"
    assert find(driver, f'{row_css} .badge').get_attribute("data-state") == "ROLLOUT_STATE_PAUSED"
    assert not unlabelled_controls(driver), unlabelled_controls(driver)

    # The state filter is the server's.
    Select(driver.find_element(By.ID, "rollouts-state")).select_by_value("ROLLOUT_STATE_SUCCEEDED")
    text_appears(driver, "#rollouts-table", "No rollout in this state.")
    Select(driver.find_element(By.ID, "rollouts-state")).select_by_value("")
    find(driver, row_css)
    shot(driver, artifacts, "rollouts-01-list")


def test_the_detail_page_shows_waves_failed_hosts_and_follows_the_rollout(
        driver, server, waves_fleet, rollout_agent, browser_log, artifacts):
    (rollout,) = [r for r in server.get("rollouts")["rollouts"] if r["name"] == "oslo-canary-first"]
    rid = rollout["resourceId"]
    go(driver, server, "/rollouts")
    find(driver, f'#rollouts-table tr[data-rollout="{rid}"] a').click()
    wait(driver, lambda d: d.current_url.endswith(f"#/rollouts/{rid}"), message="detail page")
    text_appears(driver, "#rollout-header h1", "oslo-canary-first")
    assert find(driver, "#rollout-state .badge").text == "Paused"
    assert rollout["stateReason"] in find(driver, "#rollout-state-reason").text
    assert find_visible(driver, "#rollout-resume") and not driver.find_elements(By.ID, "rollout-pause")
    assert driver.find_elements(By.ID, "rollout-cancel")
    assert "2 of 2" in find(driver, "#rollout-current-wave").text
    waves = driver.find_elements(By.CSS_SELECTOR, "#rollout-waves tbody tr")
    assert [w.get_attribute("data-state") for w in waves] == ["WAVE_STATE_SUCCEEDED", "WAVE_STATE_RUNNING"]
    assert "1 host" in waves[0].text and "1 updated" in waves[0].text and "Succeeded" in waves[0].text
    assert "100 %" in waves[1].text and "1 failed" in waves[1].text and "1 updating" in waves[1].text

    failed = server.get(f"rollouts/{rid}/hosts", state="ROLLOUT_HOST_STATE_FAILED")["hosts"]
    assert len(failed) == 1
    failed_row = find(driver, f'#rollout-failed-hosts tr[data-host="{failed[0]["hostId"]}"]')
    assert "update-failed" in failed_row.text and "no space left on device" in failed_row.text, failed_row.text
    link = failed_row.find_element(By.CSS_SELECTOR, "a")
    assert link.text == failed[0]["hostName"]
    assert link.get_attribute("href").endswith(f"#/hosts/{failed[0]['hostId']}/history")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#rollout-hosts tbody tr[data-host]")) == 4
    assert "of 4 hosts" in find(driver, "#rollout-hosts-summary").text
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    shot(driver, artifacts, "rollouts-02-detail-paused")

    # Live: the host that was writing its update finishes, and the page follows without a reload.
    driver.execute_script("window.__notReloaded = true")
    writing = [h for h in server.get(f"rollouts/{rid}/hosts")["hosts"] if h["state"] == "ROLLOUT_HOST_STATE_UPDATING"]
    assert len(writing) == 1
    node = waves_fleet["by_id"][writing[0]["hostId"]]
    rollout_agent.report(node["uuid"], rollout_agent.status.STATUS_TYPE_STARTED)
    rollout_agent.report(node["uuid"], rollout_agent.status.STATUS_TYPE_UPDATED, profile_name="microvisor-nonrt",
                         os_image_id=waves_fleet["new"]["imageId"])
    text_appears(driver, f'#rollout-hosts tr[data-host="{writing[0]["hostId"]}"]', "Updated")
    text_appears(driver, '#rollout-waves tr[data-wave="2"]', "1 updated")
    assert driver.execute_script("return window.__notReloaded === true"), "the page was not reloaded"

    # The host page the link leads to.
    find(driver, f'#rollout-failed-hosts tr[data-host="{failed[0]["hostId"]}"] a').click()
    wait(driver, lambda d: f"#/hosts/{failed[0]['hostId']}/history" in d.current_url, message="host page")
    text_appears(driver, ".host-header h1", failed[0]["hostName"])


# The create form --------------------------------------------------------------------------------------------

def test_the_preview_shows_waves_and_skipped_hosts_and_create_waits_for_it(
        driver, server, waves_fleet, browser_log, artifacts):
    create = open_form(driver, server)
    assert not create.is_enabled(), "create is disabled before any preview"
    assert not unlabelled_controls(driver), unlabelled_controls(driver)
    fill_basics(driver, waves_fleet, "bergen-canary", "bergen-dock")
    find(driver, "#add-wave").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "#wave-list .wave-row")
    assert len(rows) == 2
    type_into(rows[0].find_element(By.CSS_SELECTOR, ".wave-size"), "1")
    assert Select(rows[0].find_element(By.CSS_SELECTOR, ".wave-unit")).first_selected_option.get_attribute("value") == "hosts"
    assert rows[1].find_element(By.CSS_SELECTOR, ".wave-size").get_attribute("value") == "100"
    assert not create.is_enabled()
    find(driver, "#rollout-preview-button").click()

    waves = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#preview-waves tbody tr"), message="preview waves")
    assert [w.get_attribute("data-wave") for w in waves] == ["1", "2"]
    # Five hosts: three can update (the canary, then two), one is on the newest image, one has no instance.
    assert "Wave 1 1 0" in waves[0].text, waves[0].text
    assert "Wave 2 4 2" in waves[1].text, waves[1].text
    assert "02:00 UTC" in waves[0].text, "the earliest start is the site's next nightly window"
    skipped = {li.get_attribute("data-reason"): li.text for li in driver.find_elements(By.CSS_SELECTOR, "#preview-skipped li")}
    assert set(skipped) == {"already-on-target", "no-instance"}, skipped
    assert "1 host" in skipped["already-on-target"]
    hosts = waves_fleet["hosts"]
    current = next(h for h in hosts.values() if h["site"] == "bergen-dock" and h["kind"] == "new")
    skipped_row = find(driver, f'#preview-hosts tr[data-host="{current["host"]}"]')
    assert skipped_row.get_attribute("data-state") == "ROLLOUT_HOST_STATE_SKIPPED"
    assert "already-on-target" in skipped_row.text and "Already on the target OS" in skipped_row.text
    link = skipped_row.find_element(By.CSS_SELECTOR, "a")
    assert link.text == current["name"] and link.get_attribute("href").endswith(f"#/hosts/{current['host']}/updates")
    updating = [r for r in driver.find_elements(By.CSS_SELECTOR, "#preview-hosts tbody tr")
                if r.get_attribute("data-state") != "ROLLOUT_HOST_STATE_SKIPPED"]
    assert len(updating) == 3
    assert all(waves_fleet["new"]["imageId"] in r.text or "3.0.20260602" in r.text for r in updating), [r.text for r in updating]
    assert all("02:00 UTC" in r.text for r in updating), [r.text for r in updating]
    assert "bergen-dock" in updating[0].text
    assert "Hosts 1–5 of 5" in find(driver, "#preview-hosts-summary").text
    wait(driver, lambda d: d.find_element(By.ID, "rollout-create").is_enabled(), message="create enabled after the preview")
    shot(driver, artifacts, "rollouts-03-preview")

    # A change makes the preview stale: create waits for a new one.
    type_into(driver.find_element(By.NAME, "soakMinutes"), "5")
    wait(driver, lambda d: not d.find_element(By.ID, "rollout-create").is_enabled(), message="create disabled again")
    text_appears(driver, "#create-hint", "preview again")
    assert find(driver, "#rollout-preview").get_attribute("class").count("stale") == 1
    find(driver, "#rollout-preview-button").click()
    wait(driver, lambda d: d.find_element(By.ID, "rollout-create").is_enabled(), message="create enabled after the new preview")
    assert not server.get("rollouts", filter='name="bergen-canary"')["rollouts"], "a preview writes nothing"


def test_creating_through_the_form_lands_on_the_detail_page(driver, server, waves_fleet, browser_log, artifacts):
    find(driver, "#rollout-create").click()
    wait(driver, lambda d: "#/rollouts/rollout-" in d.current_url, message="detail page of the new rollout")
    rid = driver.current_url.rsplit("/", 1)[1]
    text_appears(driver, "#rollout-header h1", "bergen-canary")
    saved = server.get(f"rollouts/{rid}")
    assert saved["name"] == "bergen-canary" and saved["siteId"] == waves_fleet["sites"]["bergen-dock"]["resourceId"]
    assert [(w["hosts"], w["percent"]) for w in saved["waves"]] == [(1, 0), (0, 100)]
    assert saved["soakSeconds"] == 300 and saved["respectMaintenanceWindows"] is True and saved["totalHosts"] == 5
    assert saved["osUpdatePolicyId"] == waves_fleet["policy"]["resourceId"]
    text_appears(driver, "#rollout-header", "Site bergen-dock")
    text_appears(driver, "#rollout-header", "emt-latest-waves")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#rollout-waves tbody tr")) == 2
    find(driver, "#rollout-no-failures")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rollout-hosts tbody tr[data-host]")) == 5, message="five hosts")
    skipped = driver.find_elements(By.CSS_SELECTOR, '#rollout-hosts tr[data-state="ROLLOUT_HOST_STATE_SKIPPED"]')
    assert len(skipped) == 2 and "no-instance" in " ".join(s.text for s in skipped)
    shot(driver, artifacts, "rollouts-04-created")


def test_pause_resume_and_cancel_with_confirmation(driver, server, browser_log, artifacts):
    rid = driver.current_url.rsplit("/", 1)[1]
    assert rid.startswith("rollout-")
    # Scheduled or running: Pause and Cancel, no Resume.
    find_visible(driver, "#rollout-pause").click()
    find_visible(driver, "#rollout-resume")
    assert not driver.find_elements(By.ID, "rollout-pause")
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#rollout-state .badge").text == "Paused", message="paused")
    assert server.get(f"rollouts/{rid}")["state"] == "ROLLOUT_STATE_PAUSED"
    text_appears(driver, "#rollout-state-reason", "paused by")
    shot(driver, artifacts, "rollouts-05-paused")
    find(driver, "#rollout-resume").click()
    find_visible(driver, "#rollout-pause")
    assert not driver.find_elements(By.ID, "rollout-resume")
    state = rollout_until(server, rid, lambda r: r["state"] != "ROLLOUT_STATE_PAUSED", "resumed")["state"]
    assert state in ("ROLLOUT_STATE_RUNNING", "ROLLOUT_STATE_SCHEDULED"), state

    # Cancel asks first: dismissing keeps the rollout, accepting cancels it.
    find(driver, "#rollout-cancel").click()
    assert "Cancel the rollout" in driver.switch_to.alert.text
    driver.switch_to.alert.dismiss()
    time.sleep(0.5)
    assert server.get(f"rollouts/{rid}")["state"] != "ROLLOUT_STATE_CANCELLED"
    find(driver, "#rollout-cancel").click()
    driver.switch_to.alert.accept()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#rollout-state .badge").text == "Cancelled", message="cancelled")
    assert server.get(f"rollouts/{rid}")["state"] == "ROLLOUT_STATE_CANCELLED"
    assert not driver.find_elements(By.CSS_SELECTOR, ".rollout-action"), "no action applies to a cancelled rollout"
    text_appears(driver, "#rollout-hosts", "Rollout cancelled before it started")
    text_appears(driver, "#rollout-live", "Finished")
    shot(driver, artifacts, "rollouts-06-cancelled")
    go(driver, server, "/rollouts")
    text_appears(driver, f'#rollouts-table tr[data-rollout="{rid}"]', "Cancelled")


def test_a_refused_value_shows_the_servers_message_under_its_field(driver, server, waves_fleet, browser_log, artifacts):
    browser_log.expected.append("rollouts/preview")
    open_form(driver, server)
    fill_basics(driver, waves_fleet, "too-big", "tromso-pier")
    size = find(driver, "#wave-list .wave-row .wave-size")
    type_into(size, "101")
    body = {"name": "too-big", "osUpdatePolicyId": waves_fleet["policy"]["resourceId"],
            "siteId": waves_fleet["sites"]["tromso-pier"]["resourceId"], "waves": [{"percent": 101}],
            "successThreshold": 100, "failureThreshold": 0, "soakSeconds": 0, "commitDeadlineSeconds": 7200,
            "respectMaintenanceWindows": True}
    expected = server.call("POST", "rollouts/preview", body)
    assert expected.status == 400 and expected.json["code"] == "InvalidArgument", expected
    find(driver, "#rollout-preview-button").click()
    alert = text_appears(driver, "#rollout-form .form-alert", expected.json["message"])
    assert alert
    assert "InvalidArgument" in find(driver, "#rollout-form .form-alert").text
    text_appears(driver, "#create-hint", expected.json["message"])  # also beside the buttons
    rule = expected.json["message"].split(": ", 1)[1]
    text_appears(driver, '#rollout-form [data-field="waves[0]"] .field-error', rule)
    assert size.get_attribute("aria-invalid") == "true"
    assert not find(driver, "#rollout-create").is_enabled()
    assert find(driver, "#rollout-preview").get_attribute("hidden") is not None, "no preview was shown"
    shot(driver, artifacts, "rollouts-07-refused")

    # Checked before sending: an unknown host name.
    driver.find_element(By.CSS_SELECTOR, 'input[name="targetKind"][value="hosts"]').click()
    type_into(size, "100")
    tromso = sorted(n for n, h in waves_fleet["hosts"].items() if h["site"] == "tromso-pier")
    type_into(driver.find_element(By.NAME, "hosts"), f"{tromso[0]}, no-such-host")
    find(driver, "#rollout-preview-button").click()
    text_appears(driver, '#rollout-form [data-field="hosts"] .field-error', 'No host is named "no-such-host".')
    type_into(driver.find_element(By.NAME, "hosts"), f"{tromso[0]}, {waves_fleet['hosts'][tromso[1]]['host']}")
    find(driver, "#rollout-preview-button").click()
    wait(driver, lambda d: d.find_element(By.ID, "rollout-create").is_enabled(), message="the names resolve")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#preview-hosts tbody tr[data-host]")) == 2
    assert not server.get("rollouts", filter='name="too-big"')["rollouts"]


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_rollout_pages_fit_the_screen(driver, server, browser_log, artifacts, size):
    (rollout,) = [r for r in server.get("rollouts")["rollouts"] if r["name"] == "oslo-canary-first"]
    set_viewport(driver, *size)
    try:
        for route, ready in [("/rollouts", "#rollouts-table tr[data-rollout]"),
                             (f"/rollouts/{rollout['resourceId']}", "#rollout-failed-hosts"),
                             ("/rollouts/new", "#rollout-form")]:
            go(driver, server, route)
            find(driver, ready)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{route} scrolls sideways by {overflow}px at {size}"
        if size == (1280, 720):
            go(driver, server, f"/rollouts/{rollout['resourceId']}")
            find(driver, "#rollout-failed-hosts")
            shot(driver, artifacts, "rollouts-08-detail-1280x720")
    finally:
        set_viewport(driver, 1400, 900)
