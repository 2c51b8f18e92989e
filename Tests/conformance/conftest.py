"""Shared helpers of the REST conformance tests (test_rest_*.py).

Every REST test module starts its own `day2-orchestrator serve` on free loopback ports with a fresh temporary data
folder, a known admin password and a known HS256 secret, waits for `/healthz`, and stops it with SIGTERM at the
end. Requests are made with the standard library's http.client (so bodies can be sent byte for byte, invalid
JSON and invalid UTF-8 included); tokens are signed here with the standard library, never by the server's code.

Environment: DAY2_ORCHESTRATOR (path of the built executable, default .build/debug/day2-orchestrator).
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = Path(os.environ.get("DAY2_ORCHESTRATOR", ROOT / ".build" / "debug" / "day2-orchestrator"))

ADMIN_PASSWORD = "conformance-admin-pw-0123"
JWT_SECRET = "rest-conformance-secret-0123456789abcdef"
ADMIN_ROLE = "day2-admin"

#: What upstream's run list shows for a run that has not ended: 9999999999 truncated to 32 bits.
OPEN_END_TIME_UINT32 = 9999999999 & 0xFFFFFFFF


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_token(roles, lifetime=600, secret=JWT_SECRET, subject="conformance", **extra) -> str:
    """An HS256 JWT with `realm_access.roles`, signed here with the standard library."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + lifetime, "realm_access": {"roles": list(roles)}, **extra}
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def jwt_claims(token: str) -> dict:
    """The payload of a JWT (not verified: the server issued it, the test only reads it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    """One HTTP answer: status, headers (lower-case names), raw body and the body parsed as JSON (or None)."""

    status: int
    headers: dict
    body: bytes
    json: object = field(default=None)

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body[:600]!r})"


class Day2:
    """A running `day2-orchestrator serve` and a small HTTP client for it (loopback only)."""

    def __init__(self, folder: Path, tls=None, extra_args=()):
        self.folder = folder
        self.data = folder / "data"
        self.http_port, self.grpc_port = free_port(), free_port()
        self.tls = tls  # (certificate file, key file, CA file) or None
        self.log_path = folder / "orchestrator.log"
        args = [
            str(EXECUTABLE), "serve", "--data-dir", str(self.data),
            "--http-host", "127.0.0.1", "--http-port", str(self.http_port),
            "--grpc-host", "127.0.0.1", "--grpc-port", str(self.grpc_port),
            "--admin-password", ADMIN_PASSWORD, "--jwt-secret", JWT_SECRET, "--log-level", "warning",
            *extra_args,
        ]
        if tls:
            args += ["--http-tls-cert", str(tls[0]), "--http-tls-key", str(tls[1])]
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        self.scheme = "https" if tls else "http"
        self.base = f"{self.scheme}://127.0.0.1:{self.http_port}"
        self._wait_healthy()
        self.admin = self.issue_token("admin", ADMIN_PASSWORD)
        projects = self.get("/v1/projects", token=self.admin)
        assert projects.status == 200, projects
        self.projects = {p["name"]: p["id"] for p in projects.json["projects"]}
        assert "default" in self.projects, f"the embedded default has project default: {projects}"

    def project_id(self, name) -> str:
        """The UUID of project `name`, from `GET /v1/projects` with the admin token."""
        projects = self.get("/v1/projects", token=self.admin)
        assert projects.status == 200, projects
        self.projects = {p["name"]: p["id"] for p in projects.json["projects"]}
        return self.projects[name]

    # Process

    def log_tail(self, lines=40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _wait_healthy(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"day2-orchestrator exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                reply = self.request("GET", "/healthz", timeout=2)
                if reply.status == 200 and reply.json.get("status") == "ok":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"/healthz did not answer ok within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> int:
        """SIGTERM, then the exit code (the test asserts a clean stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = -9
        self._log.close()
        return code

    # HTTP

    def _connection(self, timeout):
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.tls[2]))
            context.check_hostname = False  # the certificate names the seed hosts, the test dials 127.0.0.1
            return http.client.HTTPSConnection("127.0.0.1", self.http_port, timeout=timeout, context=context)
        return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)

    def request(self, method, path, body=None, *, raw=None, token=None, headers=None, query=None, timeout=30,
                content_type="application/json") -> Reply:
        """`body` is sent as JSON; `raw` (bytes) is sent as is. `token` is sent as a bearer token."""
        if query:
            path = path + ("&" if "?" in path else "?") + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        send_headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
        if raw is not None:
            payload = raw
        if payload is not None:
            send_headers["Content-Type"] = content_type
        if token is not None:
            send_headers["Authorization"] = f"Bearer {token}"
        send_headers.update(headers or {})
        connection = self._connection(timeout)
        try:
            connection.request(method, path, body=payload, headers=send_headers)
            response = connection.getresponse()
            data = response.read()
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()
        try:
            reply.json = json.loads(data) if data else None
        except ValueError:
            reply.json = None
        return reply

    def get(self, path, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def issue_token(self, username, password, realm="master") -> str:
        form = urllib.parse.urlencode({"grant_type": "password", "client_id": "day2-conformance",
                                       "username": username, "password": password,
                                       "scope": "openid profile email groups"})
        reply = self.request("POST", f"/realms/{realm}/protocol/openid-connect/token", raw=form.encode(),
                             content_type="application/x-www-form-urlencoded")
        assert reply.status == 200, f"token endpoint: {reply}"
        return reply.json["access_token"]


class Project:
    """Admin-token shortcuts for one project: `p.post("regions", {...})` asserts 200 and returns the JSON."""

    def __init__(self, server: Day2, name="default", token=None):
        self.server, self.name = server, name
        self.token = token or server.admin
        self.prefix = f"/v1/projects/{name}/"

    def call(self, method, path, body=None, **kw) -> Reply:
        kw.setdefault("token", self.token)
        return self.server.request(method, self.prefix + path, body, **kw)

    def ok(self, method, path, body=None, **kw):
        reply = self.call(method, path, body, **kw)
        assert reply.status == 200, f"{method} {self.prefix}{path} {json.dumps(body)} -> {reply}"
        return reply.json

    def get(self, path, **kw):
        return self.ok("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.ok("POST", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.ok("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.ok("DELETE", path, **kw)


def sha(character: str) -> str:
    return character * 64


def immutable_os(name, image_id, sha_char, profile="microvisor-nonrt") -> dict:
    """The body of an immutable (Edge Microvisor Toolkit style) OS resource."""
    return {
        "name": name, "architecture": "x86_64", "profileName": profile, "imageId": image_id,
        "imageUrl": f"files-edge-orch/repository/microvisor/non_rt/edge-readonly-{image_id}-prod-signed.raw.gz",
        "sha256": sha(sha_char), "osType": "OS_TYPE_IMMUTABLE", "osProvider": "OS_PROVIDER_KIND_INFRA",
        "securityFeature": "SECURITY_FEATURE_NONE", "description": f"{name} image",
    }


def build_fleet(p: Project, tag="a", uuid="4c4c4544-0056-4a10-8050-b4c04f4e3231") -> dict:
    """region ← site ← host (with an SMBIOS UUID), two immutable OS resources of one profile, and an instance that
    runs the older one. Returns the IDs."""
    region = p.post("regions", {"name": f"region-{tag}", "metadata": [{"key": "tier", "value": "edge"}]})
    site = p.post(f"regions/{region['resourceId']}/sites", {"name": f"site-{tag}"})
    host = p.post("compute/hosts", {"name": f"edge-node-{tag}", "uuid": uuid, "siteId": site["resourceId"]})
    old = p.post("compute/os", immutable_os(f"Edge Microvisor Toolkit 3.0.20260401 {tag}", f"3.0.20260401.{ord(tag):04d}", "1"))
    new = p.post("compute/os", immutable_os(f"Edge Microvisor Toolkit 3.0.20260602 {tag}", f"3.0.20260602.{ord(tag):04d}", "2"))
    instance = p.post("compute/instances", {"hostID": host["resourceId"], "osID": old["resourceId"],
                                            "kind": "INSTANCE_KIND_METAL", "name": f"instance-{tag}"})
    return {
        "region": region["resourceId"], "site": site["resourceId"], "host": host["resourceId"], "uuid": uuid,
        "oldOS": old["resourceId"], "newOS": new["resourceId"], "instance": instance["resourceId"],
        "profileName": old["profileName"], "newImageId": new["imageId"],
    }


def generate_stubs(target: Path) -> None:
    """Compiles maintmgr.proto with grpcio-tools into `target` (the update agent's side of the contract)."""
    from grpc_tools import protoc

    target.mkdir(parents=True, exist_ok=True)
    code = protoc.main(["protoc", f"-I{ROOT / 'Protos'}", f"--python_out={target}", f"--grpc_python_out={target}",
                        "maintmgr/v1/maintmgr.proto"])
    assert code == 0, "grpcio-tools could not compile maintmgr.proto"
    for folder in [target / "maintmgr", target / "maintmgr" / "v1"]:
        (folder / "__init__.py").touch()
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))


class AgentClient:
    """An update agent of one project (role `<projectUUID>_en-agent-rw`) polling the southbound gRPC port:
    `agent(guid, agent.pb.UpdateStatus.STATUS_TYPE_STARTED)` sends one report and returns the answer. It is how
    update runs and update statuses come to exist; the REST API only reads them."""

    def __init__(self, server: Day2, project="default"):
        import grpc

        generate_stubs(server.folder / "stubs")
        from maintmgr.v1 import maintmgr_pb2, maintmgr_pb2_grpc

        self.pb = maintmgr_pb2
        self.channel = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.stub = maintmgr_pb2_grpc.MaintmgrServiceStub(self.channel)
        self.metadata = [("authorization", "Bearer " + sign_token([f"{server.project_id(project)}_en-agent-rw"]))]

    def __call__(self, guid, status, **fields):
        request = self.pb.PlatformUpdateStatusRequest(
            host_guid=guid, update_status=self.pb.UpdateStatus(status_type=status, **fields))
        return self.stub.PlatformUpdateStatus(request, metadata=self.metadata, timeout=10)

    def close(self):
        self.channel.close()


def start_server(prefix="day2-rest-", tls_factory=None, extra_args=()):
    """Starts a server in a fresh temporary folder (removed afterwards by the caller via `finish`)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    tls = tls_factory(folder) if tls_factory else None
    try:
        return Day2(folder, tls=tls, extra_args=extra_args)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def finish(server: Day2):
    """Stops the server with SIGTERM and asserts that it stopped cleanly; removes its folder."""
    code = server.stop()
    log = server.log_path.read_text(errors="replace")
    shutil.rmtree(server.folder, ignore_errors=True)
    assert code == 0, f"the orchestrator did not stop cleanly on SIGTERM (exit {code}):\n{log[-4000:]}"


@pytest.fixture(scope="module")
def day2():
    """A plain-HTTP server of the module's own."""
    server = start_server()
    yield server
    finish(server)


@pytest.fixture(scope="module")
def default(day2):
    return Project(day2, "default")
