"""Schemathesis (PyPI) against the live server's OpenAPI 3.1 document, and the document held against real answers.

`test_schemathesis_finds_no_failure` runs the schemathesis CLI against `http://127.0.0.1:<port>/openapi.json` with
an admin bearer token and the checks `not_a_server_error`, `status_code_conformance`, `content_type_conformance`
and `response_schema_conformance`, every phase (examples, coverage, fuzzing, stateful), a bounded number of
examples per operation, one worker and a fixed seed (`--seed`), so it takes well under five minutes on two cores
and generates the same inputs each time; the number of cases still varies by a few percent between runs, since
the server's resource IDs are random and schemathesis follows answers (links, shrinking of failures). Before the run the project `default` is filled with one or more resources of every kind (and update
runs reported by an update agent); a schemathesis configuration file makes generated path IDs, body references
and schedule filters draw from those real IDs most of the time, so GET/PUT/PATCH/DELETE by ID reach existing
resources, not only 404. The test fails if schemathesis reports any failure, and also if it generated fewer than
500 test cases.

`test_every_documented_field_is_present` checks what schemathesis cannot: every property the document declares
for a resource (writeOnly inputs aside) is present in real answers, and no answer carries a property the
document does not declare.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import AgentClient, build_fleet

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SEED = 20261123
MAX_EXAMPLES = 50
MIN_CASES = 500


@pytest.fixture(scope="module")
def inventory(day2, default):
    """Real resources of every kind in project `default`; returns ID lists by kind."""
    ids = {k: [] for k in ("regions", "sites", "hosts", "instances", "os", "policies", "runs", "singles", "repeateds")}
    agent = AgentClient(day2, "default")
    for tag, guid in (("s", "4c4c4544-0053-4a10-8050-b4c04f4e3231"), ("t", "4c4c4544-0054-4a10-8050-b4c04f4e3231")):
        f = build_fleet(default, tag=tag, uuid=guid)
        child = default.post("regions", {"name": f"child-{tag}", "parentId": f["region"]})
        spare = default.post("compute/hosts", {"name": f"spare-{tag}", "siteId": f["site"]})
        target = default.post("os-update-policies", {"name": f"target-{tag}", "updatePolicy": "UPDATE_POLICY_TARGET",
                                                     "targetOsId": f["newOS"]})
        latest = default.post("os-update-policies", {"name": f"latest-{tag}", "updatePolicy": "UPDATE_POLICY_LATEST"})
        default.patch(f"compute/instances/{f['instance']}", {"osUpdatePolicyID": target["resourceId"]})
        start = int(time.time()) + 3600
        single = default.post("schedules/single", {"name": f"window-{tag}", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                                   "startSeconds": start, "endSeconds": start + 900,
                                                   "targetHostId": f["host"]})
        repeated = default.post("schedules/repeated", {
            "name": f"weekly-{tag}", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE", "targetRegionId": f["region"],
            "durationSeconds": 1800, "cronMinutes": "0", "cronHours": "2", "cronDayMonth": "*", "cronMonth": "*",
            "cronDayWeek": "0,6"})
        agent(guid, agent.pb.UpdateStatus.STATUS_TYPE_STARTED)
        agent(guid, agent.pb.UpdateStatus.STATUS_TYPE_FAILED, status_detail="disk full")
        runs = default.get("os-update-runs", query={"filter": f'instance.resourceId="{f["instance"]}"'})["osUpdateRuns"]
        assert len(runs) == 1, runs
        ids["regions"] += [f["region"], child["resourceId"]]
        ids["sites"].append(f["site"])
        ids["hosts"] += [f["host"], spare["resourceId"]]
        ids["instances"].append(f["instance"])
        ids["os"] += [f["oldOS"], f["newOS"]]
        ids["policies"] += [target["resourceId"], latest["resourceId"]]
        ids["runs"].append(runs[0]["resourceId"])
        ids["singles"].append(single["resourceId"])
        ids["repeateds"].append(repeated["resourceId"])
    mutable = default.post("compute/os", {"name": "Ubuntu 22.04.5 LTS", "sha256": "f" * 64, "osType": "OS_TYPE_MUTABLE",
                                          "osProvider": "OS_PROVIDER_KIND_INFRA", "profileName": "ubuntu-22.04-lts",
                                          "imageId": "22.04.5", "architecture": "x86_64",
                                          "imageUrl": "https://cloud-images.example/jammy-server-cloudimg-amd64.img"})
    ids["os"].append(mutable["resourceId"])
    agent.close()
    return ids


def toml_string(value) -> str:
    return json.dumps(value)  # a JSON string or array of strings is valid TOML


def configuration(ids) -> str:
    """schemathesis.toml: dictionaries of the real IDs, bound to path parameters per operation, to body references
    and to the schedule filters, drawn most of the time (generated values the rest of the time)."""
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {toml_string(values)}", ""]
    lines += ["[dictionaries.projects]", 'values = ["default"]', ""]
    bindings = {
        "path.projectName": ("projects", 0.9),
        "body.parentId": ("regions", 0.7), "body.regionId": ("regions", 0.7), "body.siteId": ("sites", 0.7),
        "body.hostID": ("hosts", 0.7), "body.osID": ("os", 0.7), "body.osUpdatePolicyID": ("policies", 0.7),
        "body.targetOsId": ("os", 0.7), "body.targetHostId": ("hosts", 0.5), "body.targetSiteId": ("sites", 0.5),
        "body.targetRegionId": ("regions", 0.5), "query.hostId": ("hosts", 0.6), "query.siteId": ("sites", 0.6),
        "query.regionId": ("regions", 0.6),
    }
    lines.append("[parameters]")
    for key, (dictionary, probability) in bindings.items():
        lines.append(f'"{key}" = {{ dictionary = "{dictionary}", probability = {probability} }}')
    lines.append("")
    per_path = [
        (r"/regions/\{regionId\}", "path.regionId", "regions"),
        (r"/sites/\{resourceId\}$", "path.resourceId", "sites"),
        (r"/compute/hosts/\{resourceId\}$", "path.resourceId", "hosts"),
        (r"/compute/instances/\{resourceId\}$", "path.resourceId", "instances"),
        (r"/compute/os/\{resourceId\}$", "path.resourceId", "os"),
        (r"/os-update-policies/\{resourceId\}$", "path.resourceId", "policies"),
        (r"/os-update-runs/\{resourceId\}$", "path.resourceId", "runs"),
        (r"/schedules/single/\{resourceId\}$", "path.resourceId", "singles"),
        (r"/schedules/repeated/\{resourceId\}$", "path.resourceId", "repeateds"),
    ]
    for regex, key, dictionary in per_path:
        # DELETE draws generated IDs only (and deletes real ones through the stateful phase's links), so the real
        # resources stay for the GET, PUT and PATCH cases.
        lines += ["[[operations]]", f"include-path-regex = {toml_string(regex)}", 'exclude-method = "DELETE"',
                  f'parameters = {{ "{key}" = {{ dictionary = "{dictionary}", probability = 0.8 }}, '
                  f'"path.projectName" = {{ dictionary = "projects", probability = 0.9 }} }}', ""]
    return "\n".join(lines)


SCHEMA_OF = {
    "regions/{id}": ("RegionResource", "regions"),
    "sites/{id}": ("SiteResource", "sites"),
    "compute/hosts/{id}": ("HostResource", "hosts"),
    "compute/instances/{id}": ("InstanceResource", "instances"),
    "compute/os/{id}": ("OperatingSystemResource", "os"),
    "os-update-policies/{id}": ("OSUpdatePolicy", "policies"),
    "os-update-runs/{id}": ("OSUpdateRun", "runs"),
    "schedules/single/{id}": ("SingleScheduleResource", "singles"),
    "schedules/repeated/{id}": ("RepeatedScheduleResource", "repeateds"),
}


def check_fields(document, schema_name, value, where):
    """Every declared non-writeOnly property present, nothing undeclared, nested resources checked too."""
    schemas = document["components"]["schemas"]
    properties = schemas[schema_name]["properties"]
    declared = set(properties)
    required_out = {name for name, p in properties.items() if not unwrap(p).get("writeOnly")}
    assert isinstance(value, dict), (where, value)
    assert required_out <= set(value), f"{where}: {schema_name} answer lacks {sorted(required_out - set(value))}"
    assert set(value) <= declared, f"{where}: {schema_name} answer has undeclared {sorted(set(value) - declared)}"
    for name, prop in properties.items():
        ref = unwrap(prop).get("$ref")
        if ref and isinstance(value.get(name), dict):
            check_fields(document, ref.rsplit("/", 1)[1], value[name], f"{where}.{name}")


def unwrap(prop):
    """A property's schema without the nullable `oneOf: [X, null]` wrapper."""
    if "oneOf" in prop:
        return next(p for p in prop["oneOf"] if p.get("type") != "null")
    return prop


def test_every_documented_field_is_present(day2, default, inventory):
    """Real answers (GET by ID and lists, with nested resources) carry every property the document declares for
    their schema, zero values included, and none it does not declare."""
    document = day2.get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    for path, (schema, kind) in SCHEMA_OF.items():
        for resource_id in inventory[kind]:
            answer = default.get(path.replace("{id}", resource_id))
            check_fields(document, schema, answer, path.replace("{id}", resource_id))
    lists = {"regions": ("regions", "RegionResource"), "compute/hosts": ("hosts", "HostResource"),
             "compute/instances": ("instances", "InstanceResource"),
             "compute/os": ("OperatingSystemResources", "OperatingSystemResource"),
             "os-update-runs": ("osUpdateRuns", "OSUpdateRun")}
    for path, (key, schema) in lists.items():
        answer = default.get(path)
        assert set(answer) == {key, "totalElements", "hasNext"}, (path, set(answer))
        assert answer["totalElements"] == len(answer[key]) > 0
        for item in answer[key]:
            check_fields(document, schema, item, path)


def test_schemathesis_finds_no_failure(day2, inventory):
    """Schemathesis finds no server error, no undocumented status code or content type and no answer that
    violates the document's schemas, in at least 500 generated cases."""
    folder = day2.folder / "schemathesis"
    folder.mkdir()
    config = folder / "schemathesis.toml"
    config.write_text(configuration(inventory))
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config), "run",
        f"{day2.base}/openapi.json",
        "--header", f"Authorization: Bearer {day2.admin}",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--generation-database", "none",
        "--request-timeout", "30",
        "--report", "ndjson", "--report-dir", str(folder / "report"),
        "--no-color",
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=540)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    (folder / "output.txt").write_text(output)
    summary = re.search(r"(\d+) generated", output)
    generated = int(summary.group(1)) if summary else 0
    tail = output[-25000:]
    assert result.returncode == 0, f"schemathesis reported failures (exit {result.returncode}, {elapsed:.0f} s):\n{tail}"
    assert generated >= MIN_CASES, f"only {generated} cases were generated:\n{tail}"
