"""Authentication, roles and tenant isolation of the REST API, driven by tokens signed here.

Tokens are HS256 JWTs signed with the standard library using the `--jwt-secret` this module's server was started
with; roles are in `realm_access.roles`: `<projectUUID>_im-r` (read), `<projectUUID>_im-rw` (write) and the admin
role `day2-admin`. The project UUIDs come from `GET /v1/projects` with the admin token of the embedded token
endpoint. The rules held here:

- no token, a malformed one, a forged one (other secret, `alg: none`, altered payload) or an expired one → 401
  `Unauthenticated`, on every route except `/healthz`, `/openapi.json` and the token endpoint;
- a valid token without a role for the project → 403 `PermissionDenied`; `_im-r` reads (200) but never writes
  (403), and a refused write changes nothing;
- another project's resource IDs, in the path or in a body, → 404 `NotFound`, and that project's resources stay
  as they were;
- `POST /v1/projects` is for the admin role only; a project's own `_im-rw` role writes there and nowhere else.
"""

import json
import time
import uuid

import pytest

from conftest import (ADMIN_PASSWORD, ADMIN_ROLE, JWT_SECRET, AgentClient, Project, b64url, build_fleet,
                      immutable_os, jwt_claims, sign_token)


@pytest.fixture(scope="module")
def world(day2):
    """Two projects with the same shape of inventory: `default` and `tenant-b` (created here by the admin)."""
    created = day2.request("POST", "/v1/projects", {"name": "tenant-b"}, token=day2.admin)
    assert created.status == 200, created
    assert created.json["name"] == "tenant-b" and str(uuid.UUID(created.json["id"])) == created.json["id"]

    class World:
        pass

    w = World()
    w.ids = {}
    for name, tag, guid in [("default", "a", "4c4c4544-0041-4a10-8050-b4c04f4e3231"),
                            ("tenant-b", "b", "4c4c4544-0042-4a10-8050-b4c04f4e3231")]:
        p = Project(day2, name)
        f = build_fleet(p, tag=tag, uuid=guid)
        f["spareHost"] = p.post("compute/hosts", {"name": f"spare-{tag}", "siteId": f["site"]})["resourceId"]
        linked = p.post("os-update-policies", {"name": f"target-{tag}", "updatePolicy": "UPDATE_POLICY_TARGET",
                                               "targetOsId": f["newOS"]})["resourceId"]
        p.patch(f"compute/instances/{f['instance']}", {"osUpdatePolicyID": linked})
        f["policy"] = p.post("os-update-policies", {"name": f"latest-{tag}", "updatePolicy": "UPDATE_POLICY_LATEST"})["resourceId"]
        start = int(time.time()) + 3600
        f["single"] = p.post("schedules/single", {"name": f"window-{tag}", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                                  "startSeconds": start, "endSeconds": start + 600,
                                                  "targetHostId": f["host"]})["resourceId"]
        f["repeated"] = p.post("schedules/repeated", {"name": f"weekly-{tag}", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE",
                                                      "targetRegionId": f["region"], "durationSeconds": 600,
                                                      "cronMinutes": "0", "cronHours": "3", "cronDayMonth": "*",
                                                      "cronMonth": "*", "cronDayWeek": "*"})["resourceId"]
        agent = AgentClient(day2, name)
        agent(guid, agent.pb.UpdateStatus.STATUS_TYPE_STARTED)
        agent.close()
        runs = p.get("os-update-runs", query={"filter": f'instance.resourceId="{f["instance"]}"'})["osUpdateRuns"]
        assert len(runs) == 1, runs
        f["run"] = runs[0]["resourceId"]
        f["uuidProject"] = day2.project_id(name)
        w.ids[name] = f
    w.a, w.b = w.ids["default"], w.ids["tenant-b"]
    return w


def read_routes(f):
    """Every GET route of a project, with the IDs of fleet `f`."""
    return [
        "regions", f"regions/{f['region']}", f"regions/{f['region']}/sites", f"regions/{f['region']}/sites/{f['site']}",
        "sites", f"sites/{f['site']}", "compute/hosts", f"compute/hosts/{f['host']}", "compute/instances",
        f"compute/instances/{f['instance']}", "compute/os", f"compute/os/{f['oldOS']}", "os-update-policies",
        f"os-update-policies/{f['policy']}", "os-update-runs", f"os-update-runs/{f['run']}", "schedules/single",
        f"schedules/single/{f['single']}", "schedules/repeated", f"schedules/repeated/{f['repeated']}",
        "compute/schedules", "schedules", "compute/schedules/single", "compute/schedules/repeated",
    ]


def write_routes(f):
    """Every writing route of a project with a body that an `_im-rw` caller would get accepted."""
    start = int(time.time()) + 7200
    single = {"name": "denied", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE", "startSeconds": start,
              "targetHostId": f["host"]}
    repeated = {"name": "denied", "scheduleStatus": "SCHEDULE_STATUS_MAINTENANCE", "durationSeconds": 60,
                "cronMinutes": "1", "cronHours": "1", "cronDayMonth": "*", "cronMonth": "*", "cronDayWeek": "*"}
    region, site = f["region"], f["site"]
    return [
        ("POST", "regions", {"name": "denied"}), ("PUT", f"regions/{region}", {"name": "denied"}),
        ("PATCH", f"regions/{region}", {"name": "denied"}), ("DELETE", f"regions/{region}", None),
        ("POST", f"regions/{region}/sites", {"name": "denied"}),
        ("PUT", f"regions/{region}/sites/{site}", {"name": "denied", "regionId": region}),
        ("PATCH", f"regions/{region}/sites/{site}", {"name": "denied"}),
        ("DELETE", f"regions/{region}/sites/{site}", None),
        ("POST", "sites", {"name": "denied", "regionId": region}), ("PATCH", f"sites/{site}", {"name": "denied"}),
        ("PUT", f"sites/{site}", {"name": "denied", "regionId": region}), ("DELETE", f"sites/{site}", None),
        ("POST", "compute/hosts", {"name": "denied", "siteId": site}),
        ("PUT", f"compute/hosts/{f['host']}", {"name": "denied", "siteId": site}),
        ("PATCH", f"compute/hosts/{f['host']}", {"name": "denied"}), ("DELETE", f"compute/hosts/{f['spareHost']}", None),
        ("POST", "compute/instances", {"hostID": f["spareHost"], "osID": f["oldOS"], "kind": "INSTANCE_KIND_METAL"}),
        ("PATCH", f"compute/instances/{f['instance']}", {"name": "denied"}),
        ("PATCH", f"compute/instances/{f['instance']}", {"osID": f["newOS"]}),
        ("PUT", f"compute/instances/{f['instance']}", {"name": "denied", "kind": "INSTANCE_KIND_METAL"}),
        ("DELETE", f"compute/instances/{f['instance']}", None),
        ("POST", "compute/os", immutable_os("Denied OS", "9.9.9.9", "d")),
        ("PATCH", f"compute/os/{f['oldOS']}", {"architecture": "arm64"}),
        ("PUT", f"compute/os/{f['oldOS']}", {"architecture": "arm64"}), ("DELETE", f"compute/os/{f['newOS']}", None),
        ("POST", "os-update-policies", {"name": "denied", "updatePolicy": "UPDATE_POLICY_LATEST"}),
        ("DELETE", f"os-update-policies/{f['policy']}", None), ("DELETE", f"os-update-runs/{f['run']}", None),
        ("POST", "schedules/single", single), ("PUT", f"schedules/single/{f['single']}", single),
        ("PATCH", f"schedules/single/{f['single']}", {"name": "denied"}),
        ("DELETE", f"schedules/single/{f['single']}", None), ("POST", "compute/schedules/single", single),
        ("POST", "schedules/repeated", repeated), ("PUT", f"schedules/repeated/{f['repeated']}", repeated),
        ("PATCH", f"schedules/repeated/{f['repeated']}", {"name": "denied"}),
        ("DELETE", f"schedules/repeated/{f['repeated']}", None), ("POST", "compute/schedules/repeated", repeated),
    ]


LISTS = ["regions", "sites", "compute/hosts", "compute/instances", "compute/os", "os-update-policies",
         "os-update-runs", "compute/schedules"]


def snapshot(day2, project="default"):
    """Every list of a project, read with the admin token: equal snapshots mean nothing changed."""
    p = Project(day2, project)
    return {path: p.get(path) for path in LISTS}


def assert_error(reply, status, code):
    assert reply.status == status, reply
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.headers
    assert reply.json["code"] == code, reply
    assert isinstance(reply.json["message"], str) and reply.json["message"], reply


def test_public_routes_need_no_token(day2):
    """`/healthz`, `/openapi.json` and the token endpoint answer without a token."""
    assert day2.get("/healthz").status == 200
    document = day2.get("/openapi.json")
    assert document.status == 200 and document.json["openapi"].startswith("3.1")
    assert "/v1/projects/{projectName}/compute/instances" in document.json["paths"]


def test_no_token_is_401_everywhere(day2, world):
    """Every project route, and `/v1/projects`, without a token: 401 Unauthenticated, and nothing changes."""
    before = snapshot(day2)
    for path in read_routes(world.a):
        assert_error(day2.get(f"/v1/projects/default/{path}"), 401, "Unauthenticated")
    for method, path, body in write_routes(world.a):
        assert_error(day2.request(method, f"/v1/projects/default/{path}", body), 401, "Unauthenticated")
    assert_error(day2.get("/v1/projects"), 401, "Unauthenticated")
    assert_error(day2.request("POST", "/v1/projects", {"name": "anonymous"}), 401, "Unauthenticated")
    assert_error(day2.get("/v1/projects/no-such-project/regions"), 401, "Unauthenticated")
    assert snapshot(day2) == before
    assert "anonymous" not in {p["name"] for p in day2.get("/v1/projects", token=day2.admin).json["projects"]}


def forged_tokens(project_uuid):
    roles = [f"{project_uuid}_im-rw", ADMIN_ROLE]
    good = sign_token(roles)
    header, payload, signature = good.split(".")
    claims = jwt_claims(good)
    claims["sub"] = "mallory"
    altered = b64url(json.dumps(claims).encode())
    none_header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return {
        "other secret": sign_token(roles, secret="another-secret-of-enough-length-0123456789"),
        "expired": sign_token(roles, lifetime=-120),
        "alg none": f"{none_header}.{payload}.",
        "altered payload": f"{header}.{altered}.{signature}",
        "signature removed": f"{header}.{payload}.",
        "not a JWT": "not-a-token",
        "secret as token": JWT_SECRET,
    }


@pytest.mark.parametrize("kind", ["other secret", "expired", "alg none", "altered payload", "signature removed",
                                  "not a JWT", "secret as token"])
def test_forged_or_expired_token_is_401(day2, world, kind):
    """A token the server did not sign with its secret, or one past `exp`, is refused with 401 even when it
    claims the admin role; a write with it changes nothing."""
    token = forged_tokens(world.a["uuidProject"])[kind]
    before = snapshot(day2)
    assert_error(day2.get("/v1/projects/default/compute/hosts", token=token), 401, "Unauthenticated")
    assert_error(day2.request("POST", "/v1/projects/default/regions", {"name": "forged"}, token=token),
                 401, "Unauthenticated")
    assert_error(day2.request("POST", "/v1/projects", {"name": "forged"}, token=token), 401, "Unauthenticated")
    assert snapshot(day2) == before


@pytest.mark.parametrize("header", ["Basic YWRtaW46cGFzc3dvcmQ=", "Bearer", "Bearer ", "bearer-token abc", "Token x"])
def test_malformed_authorization_header_is_401(day2, world, header):
    """An Authorization header that is not `Bearer <JWT>` is 401."""
    reply = day2.get("/v1/projects/default/regions", headers={"Authorization": header})
    assert_error(reply, 401, "Unauthenticated")


def test_roles_without_the_project_are_403(day2, world):
    """Valid tokens whose roles do not name the project: no roles, another project's roles, a look-alike role
    (`_im-rww`), or an unknown UUID. Every route answers 403 PermissionDenied, and nothing changes."""
    a, b = world.a, world.b
    tokens = {
        "no roles": sign_token([]),
        "other project": sign_token([f"{b['uuidProject']}_im-rw", f"{b['uuidProject']}_im-r"]),
        "look-alike": sign_token([f"{a['uuidProject']}_im-rww", f"{a['uuidProject']}-im-rw", a["uuidProject"]]),
        "unknown uuid": sign_token([f"{uuid.uuid4()}_im-rw"]),
        "agent role": sign_token([f"{a['uuidProject']}_en-agent-rw"]),
    }
    before = snapshot(day2)
    for name, token in tokens.items():
        for path in read_routes(a):
            reply = day2.get(f"/v1/projects/default/{path}", token=token)
            assert reply.status == 403, (name, path, reply)
            assert reply.json["code"] == "PermissionDenied"
        for method, path, body in write_routes(a):
            reply = day2.request(method, f"/v1/projects/default/{path}", body, token=token)
            assert reply.status == 403, (name, method, path, reply)
            assert reply.json["code"] == "PermissionDenied"
    assert snapshot(day2) == before


def test_read_role_reads_but_never_writes(day2, world):
    """`<uuid>_im-r` only: every GET is 200 with the same answer the admin gets; every write is 403
    PermissionDenied and leaves every list as it was."""
    a = world.a
    reader = sign_token([f"{a['uuidProject']}_im-r"])
    for path in read_routes(a):
        mine = day2.get(f"/v1/projects/default/{path}", token=reader)
        assert mine.status == 200, (path, mine)
        assert mine.json == day2.get(f"/v1/projects/default/{path}", token=day2.admin).json, path
    before = snapshot(day2)
    for method, path, body in write_routes(a):
        reply = day2.request(method, f"/v1/projects/default/{path}", body, token=reader)
        assert reply.status == 403, (method, path, reply)
        assert reply.json["code"] == "PermissionDenied"
    assert snapshot(day2) == before
    assert_error(day2.request("POST", "/v1/projects", {"name": "by-reader"}, token=reader), 403, "PermissionDenied")


def test_write_role_writes(day2, world):
    """`<uuid>_im-rw` creates, changes and deletes in its project (the same routes the reader was refused)."""
    writer = sign_token([f"{world.a['uuidProject']}_im-rw"])
    p = Project(day2, "default", token=writer)
    region = p.post("regions", {"name": "written"})
    assert p.patch(f"regions/{region['resourceId']}", {"name": "renamed"})["name"] == "renamed"
    assert p.delete(f"regions/{region['resourceId']}") == {}
    assert p.call("GET", f"regions/{region['resourceId']}").status == 404
    policy = p.post("os-update-policies", {"name": "written", "updatePolicy": "UPDATE_POLICY_LATEST"})
    assert p.delete(f"os-update-policies/{policy['resourceId']}") == {}


def test_other_projects_ids_are_404(day2, world):
    """Tenant isolation: `tenant-b`'s IDs used under `/v1/projects/default` (with the admin token, which may see
    both projects, and with a `default`-only writer) are 404 NotFound on every route that takes an ID, in the path
    or in a body; `tenant-b`'s resources stay unchanged and never appear in `default`'s lists."""
    a, b = world.a, world.b
    b_before = snapshot(day2, "tenant-b")
    a_before = snapshot(day2, "default")
    start = int(time.time()) + 7200
    path_routes = [r for r in read_routes(b) if any(r.endswith(b[k]) for k in b if isinstance(b[k], str))]
    writes = [(m, p, body) for m, p, body in write_routes(b) if m != "POST"]
    writes += [(m, p, body) for m, p, body in write_routes(b) if m == "POST" and p.startswith("regions/")]
    references = [
        ("POST", "regions", {"name": "x", "parentId": b["region"]}),
        ("POST", "sites", {"name": "x", "regionId": b["region"]}),
        ("PATCH", f"sites/{a['site']}", {"regionId": b["region"]}),
        ("POST", "compute/hosts", {"name": "x", "siteId": b["site"]}),
        ("PATCH", f"compute/hosts/{a['spareHost']}", {"siteId": b["site"]}),
        ("POST", "compute/instances", {"hostID": b["spareHost"], "osID": a["oldOS"], "kind": "INSTANCE_KIND_METAL"}),
        ("POST", "compute/instances", {"hostID": a["spareHost"], "osID": b["oldOS"], "kind": "INSTANCE_KIND_METAL"}),
        ("PATCH", f"compute/instances/{a['instance']}", {"osUpdatePolicyID": b["policy"]}),
        ("PATCH", f"compute/instances/{a['instance']}", {"osID": b["newOS"]}),
        ("POST", "os-update-policies", {"name": "x", "updatePolicy": "UPDATE_POLICY_TARGET", "targetOsId": b["newOS"]}),
        ("POST", "schedules/single", {"name": "x", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                      "startSeconds": start, "targetHostId": b["host"]}),
        ("POST", "schedules/single", {"name": "x", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                      "startSeconds": start, "targetSiteId": b["site"]}),
        ("POST", "schedules/repeated", {"name": "x", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                        "targetRegionId": b["region"], "durationSeconds": 60, "cronMinutes": "0",
                                        "cronHours": "0", "cronDayMonth": "*", "cronMonth": "*", "cronDayWeek": "*"}),
        ("PATCH", f"schedules/single/{a['single']}", {"targetHostId": b["host"]}),
    ]
    writer = sign_token([f"{a['uuidProject']}_im-rw"])
    for token in (day2.admin, writer):
        for path in path_routes:
            reply = day2.get(f"/v1/projects/default/{path}", token=token)
            assert reply.status == 404 and reply.json["code"] == "NotFound", (path, reply)
        for method, path, body in writes + references:
            reply = day2.request(method, f"/v1/projects/default/{path}", body, token=token)
            assert reply.status == 404 and reply.json["code"] == "NotFound", (method, path, body, reply)
    assert snapshot(day2, "tenant-b") == b_before
    assert snapshot(day2, "default") == a_before
    a_ids = json.dumps(a_before)
    for key in ("region", "site", "host", "instance", "oldOS", "newOS", "policy", "run", "single", "repeated"):
        assert b[key] not in a_ids, f"tenant-b's {key} shows in default's lists"
    leaked = Project(day2, "default").get("os-update-runs", query={"filter": f'instance.resourceId="{b["instance"]}"'})
    assert leaked == {"osUpdateRuns": [], "totalElements": 0, "hasNext": False}


def test_admin_creates_projects_others_cannot(day2, world):
    """`POST /v1/projects` with the admin role creates a project (UUID, listed by `GET /v1/projects`); a caller
    with only project roles gets 403 and no project; a duplicate or malformed name is 400 naming `name`. The new
    project's `_im-rw` role writes in it and not in `default`; non-admins list only the projects their roles name."""
    writer = sign_token([f"{world.a['uuidProject']}_im-rw"])
    before = day2.get("/v1/projects", token=day2.admin).json
    assert_error(day2.request("POST", "/v1/projects", {"name": "tenant-c"}, token=writer), 403, "PermissionDenied")
    assert day2.get("/v1/projects", token=day2.admin).json == before

    created = day2.request("POST", "/v1/projects", {"name": "tenant-c"}, token=day2.admin)
    assert created.status == 200, created
    cid = created.json["id"]
    assert str(uuid.UUID(cid)) == cid and created.json == {"id": cid, "name": "tenant-c"}
    listed = day2.get("/v1/projects", token=day2.admin).json
    assert {"id": cid, "name": "tenant-c"} in listed["projects"]
    assert listed["totalElements"] == len(before["projects"]) + 1

    duplicate = day2.request("POST", "/v1/projects", {"name": "tenant-c"}, token=day2.admin)
    assert duplicate.status == 400 and "tenant-c" in duplicate.json["message"], duplicate
    for body in ({"name": "Upper Case"}, {"name": ""}, {}, {"name": "ok", "owner": "x"}, {"name": 7}):
        bad = day2.request("POST", "/v1/projects", body, token=day2.admin)
        assert bad.status == 400 and bad.json["code"] == "InvalidArgument", (body, bad)
        field = "owner" if "owner" in body else "name"
        assert bad.json["message"].startswith(field), (body, bad)
    assert day2.get("/v1/projects", token=day2.admin).json["totalElements"] == listed["totalElements"]

    member = sign_token([f"{cid}_im-rw"])
    assert day2.get("/v1/projects", token=member).json["projects"] == [{"id": cid, "name": "tenant-c"}]
    assert day2.get("/v1/projects", token=writer).json["projects"] == [{"id": world.a["uuidProject"], "name": "default"}]
    region = day2.request("POST", "/v1/projects/tenant-c/regions", {"name": "c-region"}, token=member)
    assert region.status == 200, region
    assert_error(day2.request("POST", "/v1/projects/default/regions", {"name": "c"}, token=member), 403,
                 "PermissionDenied")
    assert day2.get("/v1/projects/tenant-c/regions", token=member).json["totalElements"] == 1


def test_token_endpoint(day2, world):
    """The embedded password grant: a wrong password or user is 401 `invalid_grant`, another grant type is 400
    `unsupported_grant_type`; the admin's token carries the admin role and a write role for every project, and
    lasts the configured lifetime."""
    url = "/realms/master/protocol/openid-connect/token"
    form = "application/x-www-form-urlencoded"
    wrong = day2.request("POST", url, raw=b"grant_type=password&client_id=x&username=admin&password=wrong",
                         content_type=form)
    assert wrong.status == 401 and wrong.json["error"] == "invalid_grant", wrong
    nobody = day2.request("POST", url, raw=b"grant_type=password&username=nobody&password=whatever1",
                          content_type=form)
    assert nobody.status == 401 and nobody.json["error"] == "invalid_grant", nobody
    grant = day2.request("POST", url, raw=b"grant_type=client_credentials&client_id=x", content_type=form)
    assert grant.status == 400 and grant.json["error"] == "unsupported_grant_type", grant

    token = day2.issue_token("admin", ADMIN_PASSWORD)
    claims = jwt_claims(token)
    roles = set(claims["realm_access"]["roles"])
    assert ADMIN_ROLE in roles
    for name in ("default", "tenant-b"):
        assert f"{day2.project_id(name)}_im-rw" in roles
    assert 3600 - 60 <= claims["exp"] - time.time() <= 3600 + 60
