"""Bad input to the REST API: every refused request is 400 with `{"code": …, "message": "<field>: <rule>"}` naming
the field, and nothing is changed (every list of the project reads the same before and after, timestamps
included).

The cases follow the northbound reference (§1, §2.1–§2.4, §3): unknown and read-only fields, wrong JSON types,
invalid JSON and invalid UTF-8, text over its maximum length, pattern violations, enum values, the OS Update Policy
rules (LATEST takes no other field; TARGET needs one; mutable and immutable fields exclude each other), single
schedules in the past or ending before they start, more than one schedule target, and cron fields outside the
API's patterns (no ranges, steps or leading zeros), and rollouts (wave sizes against the target set, each wave exactly
one of `hosts` and `percent`, thresholds 0..100, exactly one target, on create and on preview alike). Query parameters (paging, `filter`, `orderBy`, `unixEpoch`)
and IDs of the wrong kind in the path are checked the same way. Bodies over the server's size limit are refused
whole.
"""

import json
import time

import pytest

from conftest import Project, build_fleet, immutable_os

NOW = int(time.time())
SHA_C = "c" * 64


@pytest.fixture(scope="module")
def fleet(day2, default):
    """One of each resource kind in project `default`."""
    f = build_fleet(default, tag="i", uuid="4c4c4544-0049-4a10-8050-b4c04f4e3231")
    f["spareHost"] = default.post("compute/hosts", {"name": "spare-host", "siteId": f["site"]})["resourceId"]
    f["mutableOS"] = default.post("compute/os", {
        "name": "Ubuntu 22.04.5", "sha256": "d" * 64, "osType": "OS_TYPE_MUTABLE", "osProvider": "OS_PROVIDER_KIND_INFRA",
        "profileName": "ubuntu-22.04-lts-generic", "imageId": "22.04.5", "architecture": "x86_64",
        "imageUrl": "https://cloud-images.example/jammy.img"})["resourceId"]
    f["target"] = default.post("os-update-policies", {"name": "to-new", "updatePolicy": "UPDATE_POLICY_TARGET",
                                                      "targetOsId": f["newOS"]})["resourceId"]
    default.patch(f"compute/instances/{f['instance']}", {"osUpdatePolicyID": f["target"]})
    f["latest"] = default.post("os-update-policies", {"name": "latest", "updatePolicy": "UPDATE_POLICY_LATEST"})["resourceId"]
    start = int(time.time()) + 3600
    f["start"] = start
    f["single"] = default.post("schedules/single", {"name": "window", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                                    "startSeconds": start, "endSeconds": start + 600,
                                                    "targetHostId": f["host"]})["resourceId"]
    f["repeated"] = default.post("schedules/repeated", {
        "name": "nightly", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE", "targetSiteId": f["site"],
        "durationSeconds": 900, "cronMinutes": "30", "cronHours": "1", "cronDayMonth": "*", "cronMonth": "*",
        "cronDayWeek": "1,2,3"})["resourceId"]
    return f


LISTS = ["regions", "sites", "compute/hosts", "compute/instances", "compute/os", "os-update-policies",
         "os-update-runs", "schedules/single", "schedules/repeated", "rollouts"]


def snapshot(day2):
    p = Project(day2, "default")
    state = {path: p.get(path) for path in LISTS}
    state["projects"] = day2.get("/v1/projects", token=day2.admin).json
    return state


def region_body(**extra):
    return {"name": "bad-input-region", **extra}


def site_body(f, **extra):
    return {"name": "bad-input-site", "regionId": f["region"], **extra}


def host_body(f, **extra):
    return {"name": "bad-input-host", "siteId": f["site"], **extra}


def os_body(**extra):
    return {**immutable_os("Bad Input OS 9.0", "9.0.0.1", "e"), **extra}


def policy_body(**extra):
    return {"name": "bad-input-policy", "updatePolicy": "UPDATE_POLICY_TARGET", "updateKernelCommand": "quiet", **extra}


def single_body(f, **extra):
    body = {"name": "bad-input-window", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE", "startSeconds": NOW + 7200,
            "endSeconds": NOW + 7800, "targetHostId": f["host"], **extra}
    return {k: v for k, v in body.items() if v is not None}


def repeated_body(f, **extra):
    body = {"name": "bad-input-weekly", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE", "targetSiteId": f["site"],
            "durationSeconds": 3600, "cronMinutes": "0", "cronHours": "2", "cronDayMonth": "*", "cronMonth": "*",
            "cronDayWeek": "0,6", **extra}
    return {k: v for k, v in body.items() if v is not None}


def rollout_body(f, **extra):
    """A rollout of the fixture's site (its two hosts) to the TARGET policy; `None` leaves a field out."""
    body = {"name": "bad-input-rollout", "osUpdatePolicyId": f["target"], "siteId": f["site"], **extra}
    return {k: v for k, v in body.items() if v is not None}


TARGETS = ("target", "regionId", "siteId", "hostIds", "filter")

LATEST_WITH = "LATEST"
# (case id, request builder f -> (method, path, body), fields the message may name first, code)
CASES = [
    # Regions
    ("region unknown field", lambda f: ("POST", "regions", region_body(color="red")), "color"),
    ("region read-only resourceId", lambda f: ("POST", "regions", region_body(resourceId="region-12345678")), "resourceId"),
    ("region read-only totalSites", lambda f: ("POST", "regions", region_body(totalSites=3)), "totalSites"),
    ("region name wrong type", lambda f: ("POST", "regions", {"name": 5}), "name"),
    ("region name pattern", lambda f: ("POST", "regions", {"name": "eu;drop"}), "name"),
    ("region name over 50 bytes", lambda f: ("POST", "regions", {"name": "r" * 51}), "name"),
    ("region parentId of another kind", lambda f: ("POST", "regions", region_body(parentId=f["site"])), "parentId"),
    ("region metadata not objects", lambda f: ("POST", "regions", region_body(metadata=["tier=edge"])), "metadata"),
    ("region metadata value over 63 bytes",
     lambda f: ("POST", "regions", region_body(metadata=[{"key": "k", "value": "v" * 64}])), "metadata"),
    ("region patch unknown field", lambda f: ("PATCH", f"regions/{f['region']}", {"name": "ok", "colour": "x"}), "colour"),
    ("region put name pattern", lambda f: ("PUT", f"regions/{f['region']}", {"name": "a|b"}), "name"),
    # Sites
    ("site unknown field", lambda f: ("POST", "sites", site_body(f, address="Main St 1")), "address"),
    ("site read-only region", lambda f: ("POST", "sites", site_body(f, region=None)), "region"),
    ("site latitude out of range", lambda f: ("POST", "sites", site_body(f, siteLat=900000001)), "siteLat"),
    ("site longitude wrong type", lambda f: ("POST", f"regions/{f['region']}/sites", {"name": "s", "siteLng": "13.4"}), "siteLng"),
    ("site regionId pattern", lambda f: ("POST", "sites", site_body(f, regionId="region-XYZ")), "regionId"),
    ("site patch name over 50 bytes", lambda f: ("PATCH", f"sites/{f['site']}", {"name": "s" * 51}), "name"),
    # Hosts
    ("host name required", lambda f: ("POST", "compute/hosts", {"siteId": f["site"]}), "name"),
    ("host uuid pattern", lambda f: ("POST", "compute/hosts", host_body(f, uuid="not-a-uuid")), "uuid"),
    ("host uuid wrong type", lambda f: ("POST", "compute/hosts", host_body(f, uuid=12345)), "uuid"),
    ("host read-only currentState",
     lambda f: ("POST", "compute/hosts", host_body(f, currentState="HOST_STATE_ONBOARDED")), "currentState"),
    ("host read-only instance", lambda f: ("POST", "compute/hosts", host_body(f, instance=None)), "instance"),
    ("host siteId of another kind", lambda f: ("POST", "compute/hosts", host_body(f, siteId=f["region"])), "siteId"),
    ("host duplicate uuid", lambda f: ("POST", "compute/hosts", host_body(f, uuid=f["uuid"])), "uuid", "FailedPrecondition"),
    ("host patch uuid is immutable",
     lambda f: ("PATCH", f"compute/hosts/{f['host']}", {"uuid": "4c4c4544-0049-4a10-8050-000000000000"}), "uuid"),
    # Instances
    ("instance hostID required", lambda f: ("POST", "compute/instances", {"osID": f["oldOS"]}), "hostID"),
    ("instance osID required", lambda f: ("POST", "compute/instances", {"hostID": f["spareHost"]}), "osID"),
    ("instance kind not in the API",
     lambda f: ("POST", "compute/instances", {"hostID": f["spareHost"], "osID": f["oldOS"], "kind": "INSTANCE_KIND_VM"}), "kind"),
    ("instance read-only desiredOs",
     lambda f: ("POST", "compute/instances", {"hostID": f["spareHost"], "osID": f["oldOS"], "desiredOs": None}), "desiredOs"),
    ("instance hostID pattern",
     lambda f: ("POST", "compute/instances", {"hostID": "host-1", "osID": f["oldOS"]}), "hostID"),
    ("instance host already has one",
     lambda f: ("POST", "compute/instances", {"hostID": f["host"], "osID": f["oldOS"]}), "hostID", "FailedPrecondition"),
    ("instance patch host change",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"hostID": f["spareHost"]}), "hostID"),
    ("instance patch empty policy ID (pattern; unlinking is fieldMask)",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"osUpdatePolicyID": ""}), "osUpdatePolicyID"),
    ("instance patch mutable OS as desired OS",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"name": "renamed", "osID": f["mutableOS"]}), "osID"),
    ("instance patch name pattern with a valid link",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"name": "a|b", "osUpdatePolicyID": f["latest"]}), "name"),
    ("instance patch read-only updatePolicy",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"updatePolicy": None}), "updatePolicy"),
    ("instance patch unknown field",
     lambda f: ("PATCH", f"compute/instances/{f['instance']}", {"desired_os": f["newOS"]}), "desired_os"),
    # OS resources
    ("os sha256 upper case", lambda f: ("POST", "compute/os", os_body(sha256=SHA_C.upper())), "sha256"),
    ("os sha256 63 characters", lambda f: ("POST", "compute/os", os_body(sha256=SHA_C[1:])), "sha256"),
    ("os sha256 required", lambda f: ("POST", "compute/os", {k: v for k, v in os_body().items() if k != "sha256"}), "sha256"),
    ("os osType unspecified", lambda f: ("POST", "compute/os", os_body(osType="OS_TYPE_UNSPECIFIED")), "osType"),
    ("os osProvider missing",
     lambda f: ("POST", "compute/os", {k: v for k, v in os_body().items() if k != "osProvider"}), "osProvider"),
    ("os name pattern", lambda f: ("POST", "compute/os", os_body(name="EMT|3")), "name"),
    ("os name over 128 bytes", lambda f: ("POST", "compute/os", os_body(name="n" * 129)), "name"),
    ("os description over 1000 bytes", lambda f: ("POST", "compute/os", os_body(description="d" * 1001)), "description"),
    ("os metadata pattern", lambda f: ("POST", "compute/os", os_body(metadata='{"Owner":"ME"}')), "metadata"),
    ("os read-only installedPackages", lambda f: ("POST", "compute/os", os_body(installedPackages="{}")), "installedPackages"),
    ("os read-only profileVersion", lambda f: ("POST", "compute/os", os_body(profileVersion="1.0")), "profileVersion"),
    ("os duplicate name",
     lambda f: ("POST", "compute/os", os_body(name="Edge Microvisor Toolkit 3.0.20260401 i")), "name", "FailedPrecondition"),
    ("os patch name is immutable", lambda f: ("PATCH", f"compute/os/{f['oldOS']}", {"name": "renamed"}), "name"),
    ("os patch imageUrl is immutable", lambda f: ("PATCH", f"compute/os/{f['oldOS']}", {"imageUrl": "x.raw.gz"}), "imageUrl"),
    ("os patch architecture over 20 bytes",
     lambda f: ("PATCH", f"compute/os/{f['oldOS']}", {"architecture": "a" * 21}), "architecture"),
    # OS update policies
    ("policy LATEST with targetOsId",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_LATEST", "targetOsId": f["newOS"]}),
     ("targetOsId", "updatePolicy")),
    ("policy LATEST with updatePackages",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_LATEST", "updatePackages": "curl"}),
     ("updatePackages", "updatePolicy")),
    ("policy LATEST with updateSources",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_LATEST", "updateSources": ["Types: deb"]}),
     ("updateSources", "updatePolicy")),
    ("policy LATEST with updateKernelCommand",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_LATEST", "updateKernelCommand": "quiet"}),
     ("updateKernelCommand", "updatePolicy")),
    ("policy TARGET with nothing to install",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_TARGET"}),
     ("updatePolicy", "targetOsId", "updatePackages", "updateSources", "updateKernelCommand")),
    ("policy TARGET mixing immutable and mutable fields",
     lambda f: ("POST", "os-update-policies", policy_body(targetOsId=f["newOS"], updatePackages="curl")),
     ("targetOsId", "updatePackages", "updatePolicy")),
    ("policy type unspecified", lambda f: ("POST", "os-update-policies", policy_body(updatePolicy="UPDATE_POLICY_UNSPECIFIED")), "updatePolicy"),
    ("policy type missing", lambda f: ("POST", "os-update-policies", {"name": "p", "updateKernelCommand": "quiet"}), "updatePolicy"),
    ("policy type not an enum name", lambda f: ("POST", "os-update-policies", policy_body(updatePolicy="LATEST")), "updatePolicy"),
    ("policy type as a number", lambda f: ("POST", "os-update-policies", policy_body(updatePolicy=1)), "updatePolicy"),
    ("policy name required", lambda f: ("POST", "os-update-policies", {"updatePolicy": "UPDATE_POLICY_LATEST"}), "name"),
    ("policy name over 50 bytes", lambda f: ("POST", "os-update-policies", policy_body(name="p" * 51)), "name"),
    ("policy 101 update sources",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_TARGET", "updateSources": ["Types: deb"] * 101}),
     "updateSources"),
    ("policy update source with a bar",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_TARGET", "updateSources": ["a|b"]}),
     "updateSources[0]"),
    ("policy updateSources as a string",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_TARGET", "updateSources": "Types: deb"}),
     "updateSources"),
    ("policy kernel command over 500 bytes",
     lambda f: ("POST", "os-update-policies", policy_body(updateKernelCommand="k" * 501)), "updateKernelCommand"),
    ("policy read-only targetOs", lambda f: ("POST", "os-update-policies", policy_body(targetOs=None)), "targetOs"),
    ("policy read-only timestamps",
     lambda f: ("POST", "os-update-policies", policy_body(timestamps={"createdAt": "2026-01-01T00:00:00Z"})), "timestamps"),
    ("policy targetOsId of another kind",
     lambda f: ("POST", "os-update-policies", {"name": "p", "updatePolicy": "UPDATE_POLICY_TARGET", "targetOsId": f["instance"]}),
     "targetOsId"),
    # Single schedules
    ("single start in the past", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=NOW - 60, endSeconds=None)), "startSeconds"),
    ("single end equal to start",
     lambda f: ("POST", "schedules/single", single_body(f, startSeconds=NOW + 7200, endSeconds=NOW + 7200)), "endSeconds"),
    ("single end before start",
     lambda f: ("POST", "schedules/single", single_body(f, startSeconds=NOW + 7200, endSeconds=NOW + 3600)), "endSeconds"),
    ("single two targets", lambda f: ("POST", "schedules/single", single_body(f, targetSiteId=f["site"])),
     ("targetHostId", "targetSiteId", "targetRegionId")),
    ("single three targets",
     lambda f: ("POST", "schedules/single", single_body(f, targetSiteId=f["site"], targetRegionId=f["region"])),
     ("targetHostId", "targetSiteId", "targetRegionId")),
    ("single start zero", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=0, endSeconds=None)), "startSeconds"),
    ("single start over uint32", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=2 ** 32, endSeconds=None)), "startSeconds"),
    ("single start fractional", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=NOW + 7200.5, endSeconds=None)), "startSeconds"),
    ("single start as a string", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=str(NOW + 7200), endSeconds=None)), "startSeconds"),
    ("single start required", lambda f: ("POST", "schedules/single", single_body(f, startSeconds=None, endSeconds=None)), "startSeconds"),
    ("single status not in the API",
     lambda f: ("POST", "schedules/single", single_body(f, scheduleStatus="SCHEDULE_STATUS_SHIPPING")), "scheduleStatus"),
    ("single status unspecified",
     lambda f: ("POST", "schedules/single", single_body(f, scheduleStatus="SCHEDULE_STATUS_UNSPECIFIED")), "scheduleStatus"),
    ("single status required", lambda f: ("POST", "schedules/single", single_body(f, scheduleStatus=None)), "scheduleStatus"),
    ("single target of another kind", lambda f: ("POST", "schedules/single", single_body(f, targetHostId=f["site"])), "targetHostId"),
    ("single read-only singleScheduleID",
     lambda f: ("POST", "schedules/single", single_body(f, singleScheduleID="singlesche-12345678")), "singleScheduleID"),
    ("single patch end before start",
     lambda f: ("PATCH", f"schedules/single/{f['single']}", {"endSeconds": f["start"] - 1}), "endSeconds"),
    ("single patch start into the past",
     lambda f: ("PATCH", f"schedules/single/{f['single']}", {"startSeconds": NOW - 60}), "startSeconds"),
    ("single patch two targets",
     lambda f: ("PATCH", f"schedules/single/{f['single']}", {"targetSiteId": f["site"], "targetRegionId": f["region"]}),
     ("targetHostId", "targetSiteId", "targetRegionId")),
    ("single put without status",
     lambda f: ("PUT", f"schedules/single/{f['single']}", {"name": "w", "startSeconds": NOW + 7200}), "scheduleStatus"),
    # Repeated schedules
    ("repeated cron minutes range", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMinutes="1-5")), "cronMinutes"),
    ("repeated cron minutes step", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMinutes="*/5")), "cronMinutes"),
    ("repeated cron minutes 60", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMinutes="60")), "cronMinutes"),
    ("repeated cron minutes leading zero", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMinutes="05")), "cronMinutes"),
    ("repeated cron minutes empty", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMinutes="")), "cronMinutes"),
    ("repeated cron hours 24", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronHours="24")), "cronHours"),
    ("repeated cron hours trailing comma", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronHours="1,")), "cronHours"),
    ("repeated cron day of month 0", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronDayMonth="0")), "cronDayMonth"),
    ("repeated cron day of month 32", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronDayMonth="32")), "cronDayMonth"),
    ("repeated cron month 13", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMonth="13")), "cronMonth"),
    ("repeated cron month name", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronMonth="JAN")), "cronMonth"),
    ("repeated cron day of week 7", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronDayWeek="7")), "cronDayWeek"),
    ("repeated cron day of week name", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronDayWeek="MON")), "cronDayWeek"),
    ("repeated cron field missing", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronDayMonth=None)), "cronDayMonth"),
    ("repeated cron field as a number", lambda f: ("POST", "schedules/repeated", repeated_body(f, cronHours=2)), "cronHours"),
    ("repeated duration zero", lambda f: ("POST", "schedules/repeated", repeated_body(f, durationSeconds=0)), "durationSeconds"),
    ("repeated duration over a day", lambda f: ("POST", "schedules/repeated", repeated_body(f, durationSeconds=86401)), "durationSeconds"),
    ("repeated duration required", lambda f: ("POST", "schedules/repeated", repeated_body(f, durationSeconds=None)), "durationSeconds"),
    ("repeated two targets", lambda f: ("POST", "schedules/repeated", repeated_body(f, targetHostId=f["host"])),
     ("targetHostId", "targetSiteId", "targetRegionId")),
    ("repeated read-only repeatedScheduleID",
     lambda f: ("POST", "schedules/repeated", repeated_body(f, repeatedScheduleID="repeatedsche-12345678")), "repeatedScheduleID"),
    ("repeated patch cron range",
     lambda f: ("PATCH", f"schedules/repeated/{f['repeated']}", {"name": "renamed", "cronHours": "1-3"}), "cronHours"),
    ("repeated patch duration zero",
     lambda f: ("PATCH", f"schedules/repeated/{f['repeated']}", {"durationSeconds": 0}), "durationSeconds"),
    # Rollouts (the fixture's site has two hosts)
    ("rollout waves more than the set",
     lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"hosts": 1}, {"hosts": 2}])), "waves[1].hosts"),
    ("rollout first wave takes every host",
     lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"hosts": 2}, {"percent": 100}])), "waves[0].hosts"),
    ("rollout no waves", lambda f: ("POST", "rollouts", rollout_body(f, waves=[])), "waves"),
    ("rollout wave percent 0", lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"percent": 0}])), "waves[0].percent"),
    ("rollout wave percent 101",
     lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"percent": 101}])), "waves[0].percent"),
    ("rollout wave hosts 0", lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"hosts": 0}])), "waves[0].hosts"),
    ("rollout wave with hosts and percent",
     lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"hosts": 1, "percent": 50}])), "waves[0]"),
    ("rollout wave with neither", lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"hosts": 1}, {}])), "waves[1]"),
    ("rollout wave read-only total",
     lambda f: ("POST", "rollouts", rollout_body(f, waves=[{"percent": 50, "total": 1}])), "waves[0].total"),
    ("rollout successThreshold -1", lambda f: ("POST", "rollouts", rollout_body(f, successThreshold=-1)), "successThreshold"),
    ("rollout successThreshold 101", lambda f: ("POST", "rollouts", rollout_body(f, successThreshold=101)), "successThreshold"),
    ("rollout failureThreshold -1", lambda f: ("POST", "rollouts", rollout_body(f, failureThreshold=-1)), "failureThreshold"),
    ("rollout failureThreshold 101", lambda f: ("POST", "rollouts", rollout_body(f, failureThreshold=101)), "failureThreshold"),
    ("rollout commit deadline under a minute",
     lambda f: ("POST", "rollouts", rollout_body(f, commitDeadlineSeconds=59)), "commitDeadlineSeconds"),
    ("rollout window over a day", lambda f: ("POST", "rollouts", rollout_body(f, windowSeconds=86401)), "windowSeconds"),
    ("rollout unknown field", lambda f: ("POST", "rollouts", rollout_body(f, colour="red")), "colour"),
    ("rollout read-only state", lambda f: ("POST", "rollouts", rollout_body(f, state="ROLLOUT_STATE_RUNNING")), "state"),
    ("rollout read-only totalHosts", lambda f: ("POST", "rollouts", rollout_body(f, totalHosts=2)), "totalHosts"),
    ("rollout siteId and hostIds", lambda f: ("POST", "rollouts", rollout_body(f, hostIds=[f["host"]])), TARGETS),
    ("rollout no target", lambda f: ("POST", "rollouts", rollout_body(f, siteId=None)), TARGETS),
    ("rollout hostIds twice the same",
     lambda f: ("POST", "rollouts", rollout_body(f, siteId=None, hostIds=[f["host"], f["host"]])), "hostIds[1]"),
    ("rollout siteId of another kind", lambda f: ("POST", "rollouts", rollout_body(f, siteId=f["region"])), "siteId"),
    ("rollout policy required", lambda f: ("POST", "rollouts", rollout_body(f, osUpdatePolicyId=None)), "osUpdatePolicyId"),
    ("rollout name required", lambda f: ("POST", "rollouts", rollout_body(f, name=None)), "name"),
    ("rollout filter that does not parse",
     lambda f: ("POST", "rollouts", rollout_body(f, siteId=None, filter="name==")), "filter"),
    ("rollout preview two targets",
     lambda f: ("POST", "rollouts/preview", rollout_body(f, regionId=f["region"])), TARGETS),
    ("rollout preview wave percent 0",
     lambda f: ("POST", "rollouts/preview", rollout_body(f, waves=[{"percent": 0}])), "waves[0].percent"),
    ("rollout action with a field",
     lambda f: ("POST", "rollouts/rollout-00000000/pause", {"force": True}), "force"),
]


def case_params():
    for entry in CASES:
        name, build, fields = entry[:3]
        code = entry[3] if len(entry) > 3 else "InvalidArgument"
        yield pytest.param(build, (fields,) if isinstance(fields, str) else fields, code, id=name)


def assert_refused(reply, fields, code="InvalidArgument", status=400):
    assert reply.status == status, reply
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.headers
    assert reply.json["code"] == code, reply
    message = reply.json["message"]
    named = message.split(":", 1)[0]
    # `updateSources[0]` or `metadata[1].value` name a part of the field: that names the field too.
    names_field = any(named == f or named.startswith(f + "[") or named.startswith(f + ".") for f in fields)
    assert names_field and len(message) > len(named) + 2, f"the message must name {fields}: {message!r}"


@pytest.mark.parametrize("build, fields, code", list(case_params()))
def test_bad_body_is_refused_and_changes_nothing(day2, default, fleet, build, fields, code):
    """One bad body: 400 with the error code and a message `<field>: <rule>` naming the field; every list of the
    project (and the project list) reads exactly the same afterwards."""
    method, path, body = build(fleet)
    before = snapshot(day2)
    reply = default.call(method, path, body)
    assert_refused(reply, fields, code)
    assert snapshot(day2) == before


COLLECTIONS = ["regions", "sites", "compute/hosts", "compute/instances", "compute/os", "os-update-policies",
               "schedules/single", "schedules/repeated", "rollouts", "rollouts/preview"]


@pytest.mark.parametrize("payload", [
    pytest.param(b'{"name": "x"', id="truncated JSON"),
    pytest.param(b'{"name": "x",}', id="trailing comma"),
    pytest.param(b"name=x", id="form instead of JSON"),
    pytest.param(b'{"name": "\xff\xfe"}', id="invalid UTF-8"),
    pytest.param(b'{"name": "\xc3"}', id="truncated UTF-8 sequence"),
    pytest.param(b"[]", id="array instead of object"),
    pytest.param(b"null", id="null instead of object"),
    pytest.param(b'"name"', id="string instead of object"),
])
def test_unreadable_body_is_refused_everywhere(day2, default, fleet, payload):
    """A body that is not a JSON object in UTF-8 is 400 naming `body`, on every create, patch and replace."""
    before = snapshot(day2)
    targets = [("POST", c) for c in COLLECTIONS] + [
        ("PATCH", f"regions/{fleet['region']}"), ("PUT", f"sites/{fleet['site']}"),
        ("PATCH", f"compute/hosts/{fleet['host']}"), ("PATCH", f"compute/instances/{fleet['instance']}"),
        ("PATCH", f"compute/os/{fleet['oldOS']}"), ("PATCH", f"schedules/single/{fleet['single']}"),
        ("PUT", f"schedules/repeated/{fleet['repeated']}"),
    ]
    for method, path in targets:
        reply = default.call(method, path, raw=payload)
        assert_refused(reply, ("body",))
    project = day2.request("POST", "/v1/projects", raw=payload, token=day2.admin)
    assert_refused(project, ("body",))
    assert snapshot(day2) == before


def test_oversized_body_is_refused_whole(day2, default, fleet):
    """A 2 MiB body is over any sane limit: it is refused (413 Content Too Large, as upstream's body limit
    answers) with the API's JSON error shape, never a server error, and nothing is created."""
    before = snapshot(day2)
    huge = json.dumps({"name": "big", "updatePolicy": "UPDATE_POLICY_TARGET", "description": "d" * (2 * 1024 * 1024)})
    reply = default.call("POST", "os-update-policies", raw=huge.encode())
    assert reply.status == 413, reply
    assert reply.json is not None and reply.json.get("message"), reply
    assert snapshot(day2) == before


def test_oversized_token_form_is_refused(day2):
    """A token request over the endpoint's form limit is a client error (400 or 413), never a server error."""
    form = b"grant_type=password&username=admin&password=" + b"p" * 64 * 1024
    reply = day2.request("POST", "/realms/master/protocol/openid-connect/token", raw=form,
                         content_type="application/x-www-form-urlencoded")
    assert reply.status in (400, 413), reply
    assert reply.json is not None and "access_token" not in reply.json, reply


@pytest.mark.parametrize("path, query, field", [
    ("regions", {"pageSize": 0}, "pageSize"),
    ("compute/hosts", {"pageSize": 101}, "pageSize"),
    ("compute/instances", {"pageSize": "ten"}, "pageSize"),
    ("compute/os", {"offset": -1}, "offset"),
    ("os-update-policies", {"offset": 10001}, "offset"),
    ("os-update-runs", {"orderBy": "noSuchColumn"}, "orderBy"),
    ("compute/hosts", {"orderBy": "name sideways"}, "orderBy"),
    ("compute/hosts", {"filter": "name="}, "filter"),
    ("compute/os", {"filter": "noSuchField=1"}, "filter"),
    ("regions", {"filter": ""}, "filter"),
    ("compute/schedules", {"unixEpoch": "-5"}, "unixEpoch"),
    ("compute/schedules", {"unixEpoch": "soon"}, "unixEpoch"),
    ("schedules/single", {"pageSize": 0}, "pageSize"),
    ("compute/schedules", {"hostId": "site-12345678"}, "hostId"),
    ("rollouts", {"pageSize": 0}, "pageSize"),
    ("rollouts", {"filter": "noSuchField=1"}, "filter"),
])
def test_bad_query_parameter_is_refused(day2, default, fleet, path, query, field):
    """List parameters out of their range or pattern (reference §2.2: pageSize 1..100, offset 0..10000, a filter
    that parses, known orderBy columns, unixEpoch `^[0-9]+$`) are 400 naming the parameter."""
    assert_refused(default.call("GET", path, query=query), (field,))


def test_full_filter_grammar_is_accepted(day2, default, fleet):
    """A deliberate difference (docs/compatibility.md): upstream's query pattern refuses `!`, `<` and `>` before the
    filter is parsed; Day2 accepts the inventory's whole grammar through REST, and answers correctly."""
    every = default.call("GET", "compute/hosts")
    assert every.status == 200, every
    total = every.json["totalElements"]
    assert total >= 1
    name = every.json["hosts"][0]["name"]
    others = default.call("GET", "compute/hosts", query={"filter": f'name!="{name}"'})
    assert others.status == 200, others
    assert name not in [h["name"] for h in others.json["hosts"]]
    assert others.json["totalElements"] == total - 1
    later = default.call("GET", "os-update-runs", query={"filter": "startTime>5"})
    assert later.status == 200, later
    assert later.json["totalElements"] == default.call("GET", "os-update-runs").json["totalElements"]


def test_schedule_list_with_two_targets_is_refused(day2, default, fleet):
    """`compute/schedules` with more than one of hostId/siteId/regionId set to a real ID is 400."""
    reply = default.call("GET", "compute/schedules", query={"hostId": fleet["host"], "siteId": fleet["site"]})
    assert_refused(reply, ("hostId", "siteId", "regionId"))


@pytest.mark.parametrize("path", ["regions/site-12345678", "compute/hosts/inst-12345678", "compute/instances/host-12345678",
                                  "compute/os/os-1234", "os-update-policies/policy-12345678",
                                  "os-update-runs/osupdaterun-XYZ", "schedules/single/repeatedsche-12345678",
                                  "schedules/repeated/singlesche-12345678", "sites/site-1234567g",
                                  "rollouts/site-12345678"])
def test_id_of_the_wrong_kind_is_400(day2, default, fleet, path):
    """An ID in the path with an unknown prefix or a malformed suffix is 400 (a well-formed one that does not
    exist is 404), for GET and DELETE alike; DELETE changes nothing."""
    before = snapshot(day2)
    assert_refused(default.call("GET", path), ("resourceId", "regionId"))
    assert_refused(default.call("DELETE", path), ("resourceId", "regionId"))
    assert snapshot(day2) == before


def test_failed_patch_is_not_half_written(day2, default, fleet):
    """A PATCH that names a valid change and a missing resource changes nothing: the name stays, the linked
    policy stays, and no `desired …` policy is created for an osID sent together with a missing policy."""
    before = snapshot(day2)
    reply = default.call("PATCH", f"compute/instances/{fleet['instance']}",
                         {"name": "renamed", "osUpdatePolicyID": "osupdatepolicy-00000000"})
    assert reply.status == 404 and reply.json["code"] == "NotFound", reply
    assert snapshot(day2) == before
    both = default.call("PATCH", f"compute/instances/{fleet['instance']}",
                        {"osID": fleet["newOS"], "osUpdatePolicyID": "osupdatepolicy-00000000"})
    assert both.status in (400, 404), f"a missing policy must not be ignored because osID is also sent: {both}"
    assert both.json["message"].split(":", 1)[0] in ("osID", "osUpdatePolicyID") or both.json["code"] == "NotFound", both
    assert snapshot(day2) == before
