"""What the browser tests drive: a real `day2-orchestrator serve`, a REST client, a simulated update agent (Python
gRPC stubs generated from Protos/ by grpcio-tools), and headless Chromium under Selenium.

Everything listens on 127.0.0.1 only. Tokens for the agent are signed here with the standard library from the
known --jwt-secret; the browser signs in through the server's own token endpoint.
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
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = Path(os.environ.get("DAY2_ORCHESTRATOR", ROOT / ".build" / "debug" / "day2-orchestrator"))
ADMIN_PASSWORD = "ui-admin-password-0123"
JWT_SECRET = "ui-browser-tests-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_token(roles, lifetime=600, secret=JWT_SECRET, subject="ui-test") -> str:
    """An HS256 JWT with Keycloak-style realm roles; a negative lifetime gives an expired one."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {"sub": subject, "iat": now - 5, "exp": now + lifetime, "realm_access": {"roles": list(roles)}}
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:400]!r})"


class Server:
    """`day2-orchestrator serve` on free loopback ports with a temporary data folder."""

    def __init__(self, executable: Path = EXECUTABLE, extra_args=()):
        """`extra_args` are added to the `serve` command line (for example `--rollout-interval 1`)."""
        self.folder = Path(tempfile.mkdtemp(prefix="day2-ui-"))
        self.http_port, self.grpc_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.log_path = self.folder / "orchestrator.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(executable), "serve", "--data-dir", str(self.folder / "data"),
             "--http-host", "127.0.0.1", "--http-port", str(self.http_port),
             "--grpc-host", "127.0.0.1", "--grpc-port", str(self.grpc_port),
             "--admin-password", ADMIN_PASSWORD, "--jwt-secret", JWT_SECRET, "--log-level", "warning", *extra_args],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"day2-orchestrator exited:\n{self.log_tail()}")
            try:
                if self.request("GET", "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"/healthz did not answer within 60 s:\n{self.log_tail()}")
            time.sleep(0.1)
        self.token = self.issue_token("admin", ADMIN_PASSWORD)
        projects = self.request("GET", "/v1/projects", token=self.token).json["projects"]
        self.project_id = {p["name"]: p["id"] for p in projects}["default"]

    def log_tail(self, lines=40):
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def request(self, method, path, body=None, *, token=None, headers=None, timeout=30, raw=None,
                content_type="application/json") -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        send = {"Accept": "application/json", **(headers or {})}
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if payload is not None:
            send["Content-Type"] = content_type
        if token:
            send["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, body=payload, headers=send)
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def issue_token(self, user, password) -> str:
        form = urllib.parse.urlencode({"grant_type": "password", "username": user, "password": password})
        reply = self.request("POST", "/realms/master/protocol/openid-connect/token", raw=form.encode(),
                             content_type="application/x-www-form-urlencoded")
        assert reply.status == 200, reply
        return reply.json["access_token"]

    # Project-scoped REST shortcuts (admin token); each asserts success and returns the JSON.

    def call(self, method, path, body=None) -> Reply:
        return self.request(method, f"/v1/projects/default/{path}", body, token=self.token)

    def ok(self, method, path, body=None):
        reply = self.call(method, path, body)
        assert reply.status == 200, f"{method} {path} {body} -> {reply}"
        return reply.json

    def get(self, path, **query):
        if query:
            path += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        return self.ok("GET", path)

    def post(self, path, body):
        return self.ok("POST", path, body)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def immutable_os(name, image_id, sha_char, profile="microvisor-nonrt"):
    return {
        "name": name, "architecture": "x86_64", "profileName": profile, "imageId": image_id,
        "imageUrl": f"files-edge-orch/repository/microvisor/non_rt/edge-readonly-{image_id}-prod-signed.raw.gz",
        "sha256": sha_char * 64, "osType": "OS_TYPE_IMMUTABLE", "osProvider": "OS_PROVIDER_KIND_INFRA",
        "securityFeature": "SECURITY_FEATURE_NONE", "description": f"{name} image",
    }


def mutable_os(name, image_id, sha_char, profile="ubuntu-22.04-lts-generic"):
    return {
        "name": name, "architecture": "x86_64", "profileName": profile, "imageId": image_id,
        "imageUrl": "https://cloud-images.example/jammy-server-cloudimg-amd64.img",
        "sha256": sha_char * 64, "osType": "OS_TYPE_MUTABLE", "osProvider": "OS_PROVIDER_KIND_INFRA",
        "securityFeature": "SECURITY_FEATURE_NONE", "description": f"{name} image",
    }


class Agent:
    """A simulated Platform Update Agent of the default project: one PlatformUpdateStatus call per report."""

    def __init__(self, server: Server):
        import grpc
        from grpc_tools import protoc

        stubs = server.folder / "stubs"
        stubs.mkdir(exist_ok=True)
        code = protoc.main(["protoc", f"-I{ROOT / 'Protos'}", f"--python_out={stubs}", f"--grpc_python_out={stubs}",
                            "maintmgr/v1/maintmgr.proto"])
        assert code == 0, "grpcio-tools could not compile maintmgr.proto"
        for folder in [stubs / "maintmgr", stubs / "maintmgr" / "v1"]:
            (folder / "__init__.py").touch()
        sys.path.insert(0, str(stubs))
        from maintmgr.v1 import maintmgr_pb2, maintmgr_pb2_grpc

        self.pb = maintmgr_pb2
        self.status = maintmgr_pb2.UpdateStatus
        self.channel = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.stub = maintmgr_pb2_grpc.MaintmgrServiceStub(self.channel)
        token = sign_token([f"{server.project_id}_en-agent-rw"], lifetime=3600, subject="simulated-agent")
        self.metadata = [("authorization", f"Bearer {token}")]

    def report(self, guid, status_type, **fields):
        request = self.pb.PlatformUpdateStatusRequest(
            host_guid=guid, update_status=self.status(status_type=status_type, **fields))
        return self.stub.PlatformUpdateStatus(request, metadata=self.metadata, timeout=10)

    def close(self):
        self.channel.close()


def set_viewport(driver, width, height):
    """Sizes the window so that the page itself (the viewport) is `width` × `height` CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))


def browser(download_folder: Path, zone: str):
    """Headless Debian Chromium through Debian's chromedriver: nothing is downloaded, every host but 127.0.0.1 is
    unresolvable, and the browser log is kept for the error check."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--lang=en-US",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver",
                      env={**os.environ, "TZ": zone}, log_output=str(download_folder / "chromedriver.log"))
    return webdriver.Chrome(service=service, options=options)
