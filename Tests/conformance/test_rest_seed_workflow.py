"""The documented REST workflows, driven by clients that are not ours.

1. The immutable-OS guide's curl commands, run verbatim by the real `curl` (and `jq`) through bash over HTTPS: a
   Keycloak-style password grant, `GET …/compute/os`, `GET …/compute/instances`, `PATCH …/compute/instances/<id>`
   with `{"osID": …}`, and the instance then showing `desiredOs`. The commands name `https://keycloak.$CLUSTER_FQDN`
   and `https://api.$CLUSTER_FQDN`; a private curl configuration (`connect-to`, `cacert`) sends both to this
   module's server on 127.0.0.1, so the command text stays exactly as documented.
2. The typical Day-2 flow of the northbound reference (§2.5): find the OS resources, create a TARGET policy, link
   it, schedule a single window on the host (and a repeated one on its site), observe the host's
   `instance.updateStatus` and the update runs (`filter=instance.resourceId="…"`, `orderBy=startTime desc`) while
   an update agent (a grpcio client built here from the repository's .proto) reports progress.
3. The reference's error example: deleting a policy that is still linked is 400 FailedPrecondition naming the
   count of instances.

The server runs with HTTPS (`--http-tls-cert/--http-tls-key`), a certificate made here for the two seed hosts.
"""

import datetime
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (ADMIN_PASSWORD, OPEN_END_TIME_UINT32, AgentClient, Project, build_fleet, finish, jwt_claims,
                      start_server)

CLUSTER_FQDN = "day2.test"
CLIENT_ID = "day2-conformance-cli"

# The guide's commands, character for character (only the leading indentation of the guide is removed).
GUIDE_STEP_1 = r'''JWT_TOKEN=$(curl -s --location --request POST "https://keycloak.${CLUSTER_FQDN}/realms/master/protocol/openid-connect/token" \
--header 'Content-Type: application/x-www-form-urlencoded' \
--data-urlencode "grant_type=password" \
--data-urlencode "client_id=${CLIENT_ID}" \
--data-urlencode "username=${ADMIN_USERNAME}" \
--data-urlencode "password=${ADMIN_PASSWORD}" \
--data-urlencode "scope=openid profile email groups" | jq -r .access_token)

export MI_API_URL=https://api.${CLUSTER_FQDN}/v1/projects/${PROJECT}

curl -X GET "$MI_API_URL/compute/os" -H "accept:application/json" -H "Authorization: Bearer ${JWT_TOKEN}"  | jq
'''

GUIDE_FIND_INSTANCE = r'''# Find the Instance
curl -X GET "$MI_API_URL/compute/instances" -H "accept:application/json" -H "Authorization: Bearer ${JWT_TOKEN}"  | jq
'''

GUIDE_FIND_OS = r'''# Find the OS Resource
curl -X GET "$MI_API_URL/compute/os" -H "accept:application/json" -H "Authorization: Bearer ${JWT_TOKEN}"  | jq
'''

GUIDE_PATCH = r'''# Update the instance with selected OS Resource containing desired OS version. Replace **<OSRESOURCE_ID>** and **<INSTANCE_ID>** with desired IDs.
curl -X PATCH -H 'Accept: application/json' -H "Authorization: Bearer ${JWT_TOKEN}" --data '{"osID": "<OSRESOURCE_ID>"}' --header "Content-Type: application/json" $MI_API_URL/compute/instances/<INSTANCE_ID>
'''

GUIDE_VERIFY = r'''curl -X GET "$MI_API_URL/compute/instances" -H "accept:application/json" -H "Authorization: Bearer ${JWT_TOKEN}" | jq
'''


def make_tls(folder: Path):
    """A private CA and a server certificate for keycloak.<fqdn> and api.<fqdn> (and 127.0.0.1)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Day2 conformance CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(f"keycloak.{CLUSTER_FQDN}"), x509.DNSName(f"api.{CLUSTER_FQDN}"),
             x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"api.{CLUSTER_FQDN}")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_file, key_file, ca_file = folder / "server.pem", folder / "server.key", folder / "ca.pem"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file, ca_file


@pytest.fixture(scope="module")
def server():
    day2 = start_server(prefix="day2-rest-seed-", tls_factory=make_tls)
    yield day2
    finish(day2)


@pytest.fixture(scope="module")
def default(server):
    return Project(server, "default")


@pytest.fixture(scope="module")
def agent(server):
    """An update agent's gRPC client for the southbound port."""
    poll = AgentClient(server, "default")
    yield poll
    poll.close()


class Shell:
    """Runs documented shell commands with bash, the real curl and jq, under a private curl configuration that
    connects every https URL to the server on 127.0.0.1 and trusts the test CA (and never a proxy)."""

    def __init__(self, server, home: Path):
        for tool in ("bash", "curl", "jq"):
            assert shutil.which(tool), f"the documented workflow needs {tool} on PATH (install it: apt-get install {tool})"
        home.mkdir(parents=True, exist_ok=True)
        (home / ".curlrc").write_text(
            f'connect-to = "::127.0.0.1:{server.http_port}"\n'
            f'cacert = "{server.tls[2]}"\n'
            'noproxy = "*"\n'
        )
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("CURL")}
        self.env.update({"HOME": str(home), "CURL_HOME": str(home), "XDG_CONFIG_HOME": str(home)})

    def run(self, script: str, **variables) -> str:
        env = dict(self.env, **variables)
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], env=env, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, f"exit {result.returncode}\n--- script\n{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        return result.stdout


def test_guide_curl_workflow_sets_desired_os(server, default):
    """The guide's curl commands, verbatim, against an inventory made through the API: the token comes from the
    password grant (form fields grant_type, client_id, username, password, scope), the OS and instance lists
    answer, and after `PATCH {"osID": <newer OS>}` the instance lists `desiredOs.resourceId` = that OS while its
    current OS (`os`, `currentOs`) is still the one it runs."""
    fleet = build_fleet(default, tag="g", uuid="4c4c4544-0047-4a10-8050-b4c04f4e3231")
    shell = Shell(server, server.folder / "curl-home")
    state = server.folder / "guide-state"
    variables = dict(CLUSTER_FQDN=CLUSTER_FQDN, ADMIN_USERNAME="admin", ADMIN_PASSWORD=ADMIN_PASSWORD,
                     CLIENT_ID=CLIENT_ID, PROJECT="default")

    # 1. Obtain access to the API and discover the available OS resources.
    out = shell.run(GUIDE_STEP_1 + f'printf "%s\\n%s\\n" "$JWT_TOKEN" "$MI_API_URL" > "{state}"\n', **variables)
    token, api_url = state.read_text().splitlines()
    assert api_url == f"https://api.{CLUSTER_FQDN}/v1/projects/default"
    assert token.count(".") == 2 and token != "null", f"jq -r .access_token gave {token!r}"
    claims = jwt_claims(token)
    assert claims["sub"] == "admin" and claims["exp"] > time.time()
    assert f"{server.projects['default']}_im-rw" in claims["realm_access"]["roles"]
    listed = json.loads(out)
    names = {os_["resourceId"] for os_ in listed["OperatingSystemResources"]}
    assert {fleet["oldOS"], fleet["newOS"]} <= names
    assert listed["totalElements"] == len(listed["OperatingSystemResources"]) and listed["hasNext"] is False

    session = dict(JWT_TOKEN=token, MI_API_URL=api_url)
    # 2. Identify the instance to update (the one on this fleet's host).
    instances = json.loads(shell.run(GUIDE_FIND_INSTANCE, **session))["instances"]
    (instance,) = [i for i in instances if i["host"] and i["host"]["resourceId"] == fleet["host"]]
    assert instance["resourceId"] == fleet["instance"]
    assert instance["os"]["resourceId"] == fleet["oldOS"] and instance["desiredOs"] is None

    # 3. Identify the OS resource to link: the newest image of the profile the instance runs.
    resources = json.loads(shell.run(GUIDE_FIND_OS, **session))["OperatingSystemResources"]
    family = [o for o in resources if o["profileName"] == instance["os"]["profileName"]]
    newest = max(family, key=lambda o: [int(part) for part in o["imageId"].split(".")])
    assert newest["resourceId"] == fleet["newOS"]

    # 4. Update the desired OS of the instance.
    patch = GUIDE_PATCH.replace("<OSRESOURCE_ID>", newest["resourceId"]).replace("<INSTANCE_ID>", instance["resourceId"])
    patched = json.loads(shell.run(patch, **session))
    assert patched["resourceId"] == fleet["instance"]
    assert patched["desiredOs"]["resourceId"] == fleet["newOS"]

    # 5. Verify: the desiredOs field of the instance references the linked OS resource.
    after = json.loads(shell.run(GUIDE_VERIFY, **session))["instances"]
    (instance,) = [i for i in after if i["resourceId"] == fleet["instance"]]
    assert instance["desiredOs"]["resourceId"] == fleet["newOS"]
    assert instance["desiredOs"]["imageId"] == fleet["newImageId"]
    assert instance["os"]["resourceId"] == fleet["oldOS"], "the running OS changes only after the update"
    assert instance["currentOs"] == instance["os"], "currentOs is an alias of os"
    policy = instance["updatePolicy"]
    assert policy["updatePolicy"] == "UPDATE_POLICY_TARGET" and policy["targetOs"]["resourceId"] == fleet["newOS"]
    assert policy["name"] == f"desired {fleet['newOS']}"


def test_desired_os_is_offered_to_the_agent(server, default, agent):
    """`PATCH {"osID": …}` is what the next window installs: the update agent's poll offers that image."""
    fleet = build_fleet(default, tag="o", uuid="4c4c4544-004f-4a10-8050-b4c04f4e3231")
    pb = agent.pb
    before = agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_UP_TO_DATE)
    assert before.os_profile_update_source.os_image_id == "", "no policy linked yet: nothing to install"
    default.patch(f"compute/instances/{fleet['instance']}", {"osID": fleet["newOS"]})
    response = agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_UP_TO_DATE)
    assert response.os_type == pb.PlatformUpdateStatusResponse.OS_TYPE_IMMUTABLE
    offer = response.os_profile_update_source
    assert offer.os_image_id == fleet["newImageId"]
    assert offer.profile_name == fleet["profileName"]
    assert offer.os_image_sha == "2" * 64 and offer.os_image_url.endswith(f"{fleet['newImageId']}-prod-signed.raw.gz")


def runs_of(project, instance_id, order="startTime desc"):
    return project.get("os-update-runs", query={"filter": f'instance.resourceId="{instance_id}"',
                                                "orderBy": order, "pageSize": 10, "offset": 0})


def test_typical_day2_flow(server, default, agent):
    """Reference §2.5 end to end: OS resources by filter, a TARGET policy, linked to the instance, a single OS-update
    window on the host and a repeated one on its site (both listed for the host, the site's as inherited), then an
    agent's reports seen through the host's `instance.updateStatus` and the run list filtered by instance and
    ordered by start time, newest first."""
    fleet = build_fleet(default, tag="f", uuid="4c4c4544-0046-4a10-8050-b4c04f4e3231")
    pb = agent.pb

    # 1. Find the OS resources of the profile.
    found = default.get("compute/os", query={"filter": f'osType=OS_TYPE_IMMUTABLE AND imageId="{fleet["newImageId"]}"'})
    assert [o["resourceId"] for o in found["OperatingSystemResources"]] == [fleet["newOS"]]
    assert found["totalElements"] == 1 and found["hasNext"] is False

    # 2. Create a policy (immutable, target).
    policy = default.post("os-update-policies", {"name": "emt-to-0602", "description": "EMT upgrade",
                                                 "updatePolicy": "UPDATE_POLICY_TARGET", "targetOsId": fleet["newOS"]})
    assert policy["resourceId"].startswith("osupdatepolicy-") and len(policy["resourceId"]) == 23
    assert policy["targetOs"]["resourceId"] == fleet["newOS"]
    assert (policy["updateSources"], policy["updatePackages"], policy["updateKernelCommand"]) == ([], "", "")
    assert policy["updatePolicy"] == "UPDATE_POLICY_TARGET"
    assert policy["timestamps"]["createdAt"].endswith("Z")

    # 3. Link it to the host's instance.
    linked = default.patch(f"compute/instances/{fleet['instance']}", {"osUpdatePolicyID": policy["resourceId"]})
    assert linked["updatePolicy"]["resourceId"] == policy["resourceId"]
    assert linked["desiredOs"]["resourceId"] == fleet["newOS"]

    # 4. Schedule a window: single, OS update, on the host; and a weekly one on the host's site.
    start = int(time.time()) + 30
    single = default.post("schedules/single", {"name": "upd-now", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                               "startSeconds": start, "endSeconds": start + 630,
                                               "targetHostId": fleet["host"]})
    assert single["targetHost"]["resourceId"] == fleet["host"]
    assert (single["startSeconds"], single["endSeconds"]) == (start, start + 630)
    weekly = default.post("schedules/repeated", {"name": "weekly", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                                 "targetSiteId": fleet["site"], "durationSeconds": 3600,
                                                 "cronMinutes": "0", "cronHours": "2", "cronDayMonth": "*",
                                                 "cronMonth": "*", "cronDayWeek": "0,6"})
    assert weekly["targetSite"]["resourceId"] == fleet["site"]
    listed = default.get("compute/schedules", query={"hostId": fleet["host"]})
    assert [s["resourceId"] for s in listed["singleSchedules"]] == [single["resourceId"]]
    assert [s["resourceId"] for s in listed["repeatedSchedules"]] == [weekly["resourceId"]], "inherited from the site"
    assert listed["totalElements"] == 2
    active = default.get("compute/schedules", query={"hostId": fleet["host"], "unixEpoch": start + 10})
    assert [s["resourceId"] for s in active["singleSchedules"]] == [single["resourceId"]]
    before = default.get("compute/schedules", query={"hostId": fleet["host"], "unixEpoch": start - 10})
    assert before["singleSchedules"] == []

    # 5. Observe: before any report there is no run.
    host = default.get(f"compute/hosts/{fleet['host']}")
    assert host["instance"]["resourceId"] == fleet["instance"]
    assert host["instance"]["updatePolicy"]["resourceId"] == policy["resourceId"]
    assert runs_of(default, fleet["instance"]) == {"osUpdateRuns": [], "totalElements": 0, "hasNext": False}

    response = agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_STARTED)
    assert response.os_profile_update_source.os_image_id == fleet["newImageId"]
    host = default.get(f"compute/hosts/{fleet['host']}")
    assert host["instance"]["updateStatus"] == "Updating"
    assert host["instance"]["updateStatusIndicator"] == "STATUS_INDICATION_IN_PROGRESS"
    assert host["instance"]["updateStatusTimestamp"] >= start - 60
    runs = runs_of(default, fleet["instance"])
    assert runs["totalElements"] == 1 and runs["hasNext"] is False
    (first,) = runs["osUpdateRuns"]
    assert first["resourceId"].startswith("osupdaterun-")
    assert first["name"].startswith("edge-node-f update ")
    assert first["statusIndicator"] == "STATUS_INDICATION_IN_PROGRESS" and first["status"] == "Updating"
    assert first["endTime"] == OPEN_END_TIME_UINT32 and first["endTime"] < first["startTime"], "in progress"
    assert first["appliedPolicy"]["resourceId"] == policy["resourceId"]
    assert first["instance"]["resourceId"] == fleet["instance"]

    agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_UPDATED, profile_name=fleet["profileName"],
          os_image_id=fleet["newImageId"])
    host = default.get(f"compute/hosts/{fleet['host']}")
    assert host["instance"]["updateStatus"] == "Update completed"
    assert host["instance"]["updateStatusIndicator"] == "STATUS_INDICATION_IDLE"
    assert host["instance"]["os"]["resourceId"] == fleet["newOS"], "the node now runs the target image"
    (first,) = runs_of(default, fleet["instance"])["osUpdateRuns"]
    assert first["statusIndicator"] == "STATUS_INDICATION_IDLE" and first["endTime"] >= first["startTime"]

    # A second run, one second later, fails: the newest run is listed first.
    time.sleep(1.1)
    agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_STARTED)
    agent(fleet["uuid"], pb.UpdateStatus.STATUS_TYPE_FAILED, status_detail="image verification failed")
    newest_first = runs_of(default, fleet["instance"])
    assert newest_first["totalElements"] == 2
    second, first_again = newest_first["osUpdateRuns"]
    assert first_again["resourceId"] == first["resourceId"]
    assert second["startTime"] > first["startTime"]
    assert second["statusIndicator"] == "STATUS_INDICATION_ERROR"
    oldest_first = runs_of(default, fleet["instance"], order="startTime asc")
    assert [r["resourceId"] for r in oldest_first["osUpdateRuns"]] == [first["resourceId"], second["resourceId"]]
    page = default.get("os-update-runs", query={"filter": f'instance.resourceId="{fleet["instance"]}"',
                                                "orderBy": "startTime desc", "pageSize": 1})
    assert [r["resourceId"] for r in page["osUpdateRuns"]] == [second["resourceId"]]
    assert page["totalElements"] == 2 and page["hasNext"] is True
    one = default.get(f"os-update-runs/{second['resourceId']}")
    assert one == second


def test_deleting_a_linked_policy_is_refused(server, default):
    """Reference §2.5 error example: `DELETE` of a policy still linked to an instance is
    `400 {"code": "FailedPrecondition", "message": "…still referenced by 1 instances"}` and the policy stays; once
    unlinked (`PATCH ?fieldMask=os_update_policyID` with `{}`) it can be deleted."""
    fleet = build_fleet(default, tag="e", uuid="4c4c4544-0045-4a10-8050-b4c04f4e3231")
    policy = default.post("os-update-policies", {"name": "emt-latest", "updatePolicy": "UPDATE_POLICY_LATEST"})
    pid = policy["resourceId"]
    default.patch(f"compute/instances/{fleet['instance']}", {"osUpdatePolicyID": pid})

    refused = default.call("DELETE", f"os-update-policies/{pid}")
    assert refused.status == 400, refused
    assert refused.json["code"] == "FailedPrecondition"
    assert pid in refused.json["message"]
    assert "referenced by 1 instance" in refused.json["message"]
    assert default.get(f"os-update-policies/{pid}")["resourceId"] == pid

    unlinked = default.patch(f"compute/instances/{fleet['instance']}?fieldMask=os_update_policyID", {})
    assert unlinked["updatePolicy"] is None
    assert default.delete(f"os-update-policies/{pid}") == {}
    gone = default.call("GET", f"os-update-policies/{pid}")
    assert gone.status == 404 and gone.json["code"] == "NotFound"
