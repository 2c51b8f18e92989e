#!/usr/bin/env python3
"""Fault run: cut the control plane down in the middle of a rollout and check that nothing is lost.

Real processes only: `day2-orchestrator serve` with the built-in Release Service (two versions of an immutable
profile and one mutable profile, published with `day2-orchestrator release publish`), and one `day2-agent` process
per edge node in simulated mode (`--simulate DIR`: slot files, boot loader, package database on disk), talking gRPC
to the orchestrator and downloading the image over HTTP from `/release/files/`.

Scenarios (`--scenario`):

* `restart`  (SQLite, the embedded default): one orchestrator; `kill -9` it each time the rollout reaches a new
  stage (first node started, first node updated, ...), restart it on the same data folder a few seconds later.
* `plain`    (SQLite): no fault; the end-to-end baseline the other two are held to.
* `rollout`  (SQLite): the immutable nodes get their update from a three-wave rollout (one host, one host, the rest)
  instead of from their own policy; `kill -9` the orchestrator at each stage as in `restart`. Also checked: the rollout
  SUCCEEDED, every host is UPDATED in it, no host's update run started before its wave opened, and no wave opened
  before the one before it had succeeded.
* `replicas` (PostgreSQL): two orchestrators on one database behind a loopback TCP balancer (gRPC and HTTP); `kill -9`
  the replica that holds the most agent connections in the middle of the rollout, and leave it down.

Pass means: the agents carry on, every node ends in a final state, and each node's own final state (its slots, boot
loader and package database on disk) equals what the inventory says: current OS, update status, exactly one update
run per node, closed, with the node's outcome and reason. One immutable node is set to fail its first boot (it must
roll back and be reported FAILED, "rolledback"), and with 4 nodes or more another is offered an image whose file was
altered on the server after publishing (FAILED, "signaturecheck", never booted), so failures are part of what has to
survive.

Usage:
  scripts/fault-run.py [--scenario restart|replicas|rollout|plain|all] [--nodes N] [--kills K] [--keep]
Environment: DAY2_ORCHESTRATOR, DAY2_AGENT (executables; default: built with `swift build`), DAY2_TEST_POSTGRES_URL
(the `replicas` scenario starts a throw-away PostgreSQL on port 55442 with scripts/postgres-start.sh when it is not set,
so that it never touches the one the test script runs on 55432).
Exit status 0 when every check passed; the last line is a one-line verdict per scenario.
"""

import argparse
import asyncio
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
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "fault-run-secret-0123456789abcdef0123"
ADMIN_PASSWORD = "fault-run-admin-0123"
IMMUTABLE = "microvisor-nonrt"
MUTABLE = "ubuntu-22.04-lts-generic"
OLD, NEW = "3.0.20260101.0100", "3.0.20260301.0100"
TAMPERED = "3.0.20260201.0100"  # published, then its file altered on the server: the sha256 no longer matches
IMAGE_MAGIC = b"DAY2-SIMULATED-IMAGE\n"  # the simulated firmware boots only slots that start with it
PG_PORT = "55442"  # a throw-away server of our own, apart from scripts/test.sh's 55432
TLS_CONTEXT = None  # set by --tls: REST calls go over HTTPS trusting the run's own CA
TERMINAL = {"STATUS_TYPE_UPDATED", "STATUS_TYPE_FAILED", "STATUS_TYPE_UP_TO_DATE"}


def log(message: str):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def agent_token(project_id: str) -> str:
    """An HS256 token with the agent role of the project, signed with the orchestrators' shared secret."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": "fault-run-agent", "exp": int(time.time()) + 86400,
              "realm_access": {"roles": [f"{project_id}_en-agent-rw"]}}
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def image(version: str) -> bytes:
    """A bootable simulated image of 1 MiB whose bytes depend on the version."""
    head = IMAGE_MAGIC + f"{version}\n".encode()
    block = hashlib.sha256(version.encode()).digest() * 2048
    return (head + block * 16)[: 1 << 20]


def immutable_profile(version: str, release: str) -> str:
    return f"""appVersion: apps/v1
metadata:
  release: {release}
spec:
  name: Edge Microvisor Toolkit {version}
  type: OS_TYPE_IMMUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: {IMMUTABLE}
  osImageUrl: files-edge-orch/repository/microvisor/non_rt/edge-readonly-{version}-signed.raw.gz
  osImageVersion: {version}
  osImageSha256: {hashlib.sha256(image(version)).hexdigest()}
  securityFeature: SECURITY_FEATURE_NONE
  description: Edge Microvisor Toolkit {version}
"""


MUTABLE_PROFILE = f"""appVersion: apps/v1
metadata:
  release: 1.0.0
spec:
  name: Ubuntu 22.04.5 LTS
  type: OS_TYPE_MUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: {MUTABLE}
  osImageUrl: https://cloud-images.ubuntu.com/releases/22.04/release/ubuntu-22.04-server-cloudimg-amd64.img
  osImageVersion: 22.04.5
  osImageSha256: {"c" * 64}
  securityFeature: SECURITY_FEATURE_NONE
  description: Ubuntu 22.04.5 LTS
"""


def executable(name: str, variable: str) -> Path:
    given = os.environ.get(variable)
    if given:
        return Path(given)
    subprocess.run(["swift", "build", "--product", name], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    folder = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    return Path(folder) / name


class Reply:
    def __init__(self, status, body):
        self.status, self.body = status, body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:300]!r})"


def http_request(port, method, path, body=None, *, token=None, raw=None, content_type="application/json",
                 timeout=20) -> Reply:
    if TLS_CONTEXT is not None:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=TLS_CONTEXT)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if payload is not None:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.read())
    finally:
        connection.close()


def wait_for(what, predicate, timeout=120, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def make_certificates(folder: Path) -> dict:
    """A private CA and a server certificate for 127.0.0.1 signed by it (openssl), as an operator would have."""
    folder.mkdir(parents=True, exist_ok=True)
    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Day2 fault-run CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
            "-out", "server.csr")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem")
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


class Orchestrator:
    """One `day2-orchestrator serve` process; `kill()` is kill -9, `start()` (re)starts it with the same arguments."""

    def __init__(self, binary: Path, name: str, work: Path, database: str, release: Path, tls=None):
        self.binary, self.name, self.work = binary, name, work
        self.http_port, self.grpc_port = free_port(), free_port()
        self.arguments = [
            str(binary), "serve", "--data-dir", str(work / f"data-{name}"), "--database", database,
            "--http-port", str(self.http_port), "--grpc-port", str(self.grpc_port),
            "--jwt-secret", SECRET, "--admin-password", ADMIN_PASSWORD, "--log-level", "notice",
            "--release-dir", str(release), "--os-profile-revision", "~1.0.0",
            "--enabled-profiles", f"{IMMUTABLE},{MUTABLE}", "--commit-deadline", "600",
            "--rollout-interval", "1",
        ]
        if tls:
            self.arguments += ["--http-tls-cert", str(tls["cert"]), "--http-tls-key", str(tls["key"]),
                               "--grpc-tls-cert", str(tls["cert"]), "--grpc-tls-key", str(tls["key"])]
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        logfile = open(self.work / f"orchestrator-{self.name}.log", "ab")
        self.process = subprocess.Popen(self.arguments, stdout=logfile, stderr=subprocess.STDOUT)
        logfile.close()
        wait_for(f"{self.name} to answer /healthz", lambda: self.alive() and
                 http_request(self.http_port, "GET", "/healthz", timeout=2).status == 200, timeout=90)
        log(f"orchestrator {self.name} up (pid {self.process.pid}, start #{self.starts})")

    def alive(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"orchestrator {self.name} exited; see {self.work}/orchestrator-{self.name}.log")
        return True

    def kill(self):
        log(f"kill -9 orchestrator {self.name} (pid {self.process.pid})")
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Balancer:
    """A loopback TCP balancer in a thread: each listener forwards every new connection to the next live back end
    (round robin, skipping those that refuse). HTTP/2 (gRPC) passes through untouched, as behind any L4 balancer."""

    def __init__(self, backends: dict):
        self.backends = backends  # listen port -> [backend ports]
        self.loop = asyncio.new_event_loop()
        self.connections = {}  # backend port -> open connections
        self.turn = {}
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        for listen, ports in self.backends.items():
            self.loop.run_until_complete(asyncio.start_server(
                lambda r, w, ports=ports: self._forward(r, w, ports), "127.0.0.1", listen))
        self.ready.set()
        self.loop.run_forever()

    async def _forward(self, reader, writer, ports):
        key = tuple(ports)
        start = self.turn.get(key, 0)
        self.turn[key] = start + 1
        for index in range(len(ports)):
            port = ports[(start + index) % len(ports)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            writer.close()
            return
        self.connections[port] = self.connections.get(port, 0) + 1

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.connections[port] -= 1

    def busiest(self, ports):
        return max(ports, key=lambda p: self.connections.get(p, 0))


class Node:
    """One edge node: a `day2-agent` process in simulated mode with its folder."""

    def __init__(self, index: int, kind: str, work: Path, expect="updated"):
        self.index, self.kind = index, kind
        self.uuid = f"fa017000-{index:04x}-4000-8000-{index:012x}"
        self.name = f"{kind}-node-{index}"
        self.folder = work / "nodes" / self.name
        # "updated"; "rolled back" (its first boot of the new slot fails); "refused" (offered the tampered image)
        self.expect = expect
        self.fail_first_boot = expect == "rolled back"
        self.process = None
        self.instance_id = None

    def prepare(self, grpc_port: int, http_port: int, token_path: Path, ca: Path = None):
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "emt":
            (self.folder / "slot-a.img").write_bytes(image(OLD))
            (self.folder / "slot-b.img").write_bytes(b"")
            if self.fail_first_boot:
                (self.folder / "fail-next-boot").write_bytes(b"")
        else:
            (self.folder / "packages.json").write_text(json.dumps(
                {"installed": {"curl": "7.88.1-10"}, "available": {"curl": "7.88.1-10+deb12u1", "tree": "2.1.0-1"},
                 "downloaded": []}))
        # TLS: `host:port` without a scheme is TLS (the default), trusting the run's CA for gRPC and downloads.
        service, files = (f"127.0.0.1:{grpc_port}", f"https://127.0.0.1:{http_port}") if ca else (
            f"http://127.0.0.1:{grpc_port}", f"http://127.0.0.1:{http_port}")
        (self.folder / "agent.yaml").write_text(f"""GUID: {self.uuid}
updateServiceURL: {service}
metadataPath: /var/lib/day2-agent/metadata.json
tickerInterval: 2s
jwt:
  accessTokenPath: {token_path}
releaseServiceFQDN: {files}/release/files
bootBackend: simulated
logLevel: info
""" + (f"caFile: {ca}\n" if ca else ""))

    def start(self, binary: Path):
        logfile = open(self.folder / "agent.log", "ab")
        self.process = subprocess.Popen(
            [str(binary), "run", "--config", str(self.folder / "agent.yaml"), "--simulate", str(self.folder),
             "--os", self.kind], stdout=logfile, stderr=subprocess.STDOUT)
        logfile.close()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def metadata(self) -> dict:
        path = self.folder / "var/lib/day2-agent/metadata.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}

    def own_state(self) -> dict:
        """What the node itself says, from its files: the image it boots (immutable) or its packages (mutable)."""
        state = {"status": self.metadata().get("updateStatus", "")}
        if self.kind == "emt":
            boot = json.loads((self.folder / "bootloader.json").read_text())
            slot = self.folder / f"slot-{boot['bootedSlot'].lower()}.img"
            booted = slot.read_bytes()
            version = {hashlib.sha256(image(v)).hexdigest(): v for v in (OLD, NEW, TAMPERED)}.get(
                hashlib.sha256(booted).hexdigest(), "unknown")
            state.update(booted=boot["bootedSlot"], default=boot["defaultSlot"], oneTime=boot.get("oneTimeSlot"),
                         image=version, updated=version == NEW)
        else:
            packages = json.loads((self.folder / "packages.json").read_text())
            state.update(updated="tree" in packages.get("installed", {}))
        return state


class Project:
    def __init__(self, port_of, token):
        self.port_of, self.token = port_of, token

    def call(self, method, path, body=None) -> Reply:
        return http_request(self.port_of(), method, f"/v1/projects/default/{path}", body, token=self.token)

    def ok(self, method, path, body=None):
        reply = self.call(method, path, body)
        if reply.status != 200:
            raise AssertionError(f"{method} {path} {body} -> {reply}")
        return reply.json

    def all(self, path, key):
        items, offset = [], 0
        while True:
            page = self.ok("GET", f"{path}{'&' if '?' in path else '?'}pageSize=100&offset={offset}")
            items += page[key]
            if not page.get("hasNext"):
                return items
            offset += 100


def sign_in(port: int) -> str:
    form = urllib.parse.urlencode({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD})
    reply = http_request(port, "POST", "/realms/master/protocol/openid-connect/token", raw=form.encode(),
                         content_type="application/x-www-form-urlencoded")
    if reply.status != 200:
        raise AssertionError(f"sign-in failed: {reply}")
    return reply.json["access_token"]


def publish_release(orchestrator: Path, work: Path, tampered=False) -> Path:
    """The built-in Release Service's folder: OLD and NEW of the immutable profile, the mutable profile, and with
    `tampered` a third immutable version whose image file is altered after publishing."""
    release = work / "release"
    versions = [(OLD, "1.0.0"), (NEW, "1.0.1")] + ([(TAMPERED, "1.0.2")] if tampered else [])
    for version, tag in versions:
        (work / version).mkdir()
        profile, blob = work / version / f"{IMMUTABLE}.yaml", work / version / "image.raw.gz"
        profile.write_text(immutable_profile(version, tag))
        blob.write_bytes(image(version))
        subprocess.run([str(orchestrator), "release", "publish", str(profile), str(blob), "--release-dir",
                        str(release), "--tag", tag], check=True)
    if tampered:
        path = release / immutable_profile(TAMPERED, "1.0.2").split("osImageUrl: ")[1].split("\n")[0]
        original = path.read_bytes()
        path.write_bytes(image("tampered")[: len(original)])
    profile = work / f"{MUTABLE}.yaml"
    profile.write_text(MUTABLE_PROFILE)
    subprocess.run([str(orchestrator), "release", "publish", str(profile), "--release-dir", str(release),
                    "--tag", "1.0.0"], check=True, capture_output=True)
    return release


def register(project: Project, nodes):
    """The fleet in the inventory: a region, a site, a host and an instance per node, the policies, no window yet."""
    expected = 4 if any(n.expect == "refused" for n in nodes) else 3
    os_list = wait_for(f"{expected} OS resources from the built-in Release Service",
                       lambda: (lambda items: items if len(items) == expected else None)(
                           project.ok("GET", "compute/os")["OperatingSystemResources"]), timeout=120)
    by_image = {o["imageId"]: o["resourceId"] for o in os_list}
    region = project.ok("POST", "regions", {"name": "fault-lab"})
    site = project.ok("POST", f"regions/{region['resourceId']}/sites", {"name": "rack-1"})
    latest = project.ok("POST", "os-update-policies", {"name": "emt-latest", "updatePolicy": "UPDATE_POLICY_LATEST"})
    tools = project.ok("POST", "os-update-policies", {"name": "ubuntu-tools", "updatePolicy": "UPDATE_POLICY_TARGET",
                                                       "updatePackages": "tree"})
    if expected == 4:
        pinned = project.ok("POST", "os-update-policies", {"name": "emt-tampered", "updatePolicy":
                                                            "UPDATE_POLICY_TARGET", "targetOsId": by_image[TAMPERED]})
    for node in nodes:
        host = project.ok("POST", "compute/hosts", {"name": node.name, "uuid": node.uuid, "siteId": site["resourceId"]})
        os_id = by_image[OLD] if node.kind == "emt" else by_image["22.04.5"]
        instance = project.ok("POST", "compute/instances", {"hostID": host["resourceId"], "osID": os_id,
                                                            "kind": "INSTANCE_KIND_METAL", "name": node.name})
        policy = tools if node.kind != "emt" else (pinned if node.expect == "refused" else latest)
        project.ok("PATCH", f"compute/instances/{instance['resourceId']}",
                   {"osUpdatePolicyID": policy["resourceId"]})
        node.instance_id = instance["resourceId"]
    return region, by_image


def progress(nodes) -> tuple:
    """(updating, finished) counted from the nodes' own files."""
    running = finished_count = 0
    for node in nodes:
        try:
            own = node.own_state()
        except (OSError, ValueError, KeyError):
            continue
        if own["status"] == "STATUS_TYPE_FAILED" or (own["updated"] and own["status"] in TERMINAL):
            finished_count += 1
        elif own["status"] == "STATUS_TYPE_STARTED" or (node.kind == "emt" and own.get("oneTime")):
            running += 1  # inside the window (a pre-download before it does not count)
    return running, finished_count


def closed(run: dict) -> bool:
    """An open run's end time is the sentinel 9999999999, which the REST API shows truncated to 32 bits (1410065407),
    earlier than its start, as upstream does; a closed run ends at or after its start."""
    return run.get("endTime", 0) >= run.get("startTime", 0) > 0


def finished(node: Node, project: Project) -> bool:
    """The node is done: its own files show the outcome and the inventory has closed its run."""
    own = node.own_state()
    if own["status"] not in TERMINAL:
        return False
    # The window itself must have been tried: a node whose pre-download failed is FAILED before its window opens
    # and tries again in it.
    day2 = node.metadata().get("day2", {})
    if not day2.get("usedWindows") or day2.get("job"):
        return False
    if node.kind == "emt" and own["oneTime"] is not None:
        return False
    runs = project.ok("GET", f"os-update-runs?filter=instance.resourceId%3D%22{node.instance_id}%22")["osUpdateRuns"]
    return bool(runs) and all(closed(r) for r in runs)


def verify(nodes, project: Project, by_image, faults: bool) -> list:
    """Each node's own final state against the inventory; returns the list of mismatches (empty = pass)."""
    problems = []
    for node in nodes:
        own = node.own_state()
        instance = project.ok("GET", f"compute/instances/{node.instance_id}")
        runs = project.ok("GET", f"os-update-runs?filter=instance.resourceId%3D%22{node.instance_id}%22")[
            "osUpdateRuns"]
        expected_update = node.expect == "updated"
        where = f"{node.name}:"
        if own["updated"] != expected_update:
            problems.append(f"{where} node updated={own['updated']}, expected {expected_update} ({own})")
        if node.expect == "refused" and json.loads((node.folder / "bootloader.json").read_text())["boots"]:
            problems.append(f"{where} booted although its image did not verify")
        if node.kind == "emt":
            current = instance.get("currentOs", {}).get("imageId")
            if current != own["image"]:
                problems.append(f"{where} node boots {own['image']}, inventory says current OS {current}")
            if own["booted"] != own["default"]:
                problems.append(f"{where} booted slot {own['booted']} is not the default slot {own['default']}")
        status = (instance.get("updateStatus") or "")
        # After the agent has delivered UPDATED it reports UP_TO_DATE, which the inventory shows as
        # "No new updates available"; either is the right last word for an updated node.
        if own["updated"] and not ("completed" in status.lower() or "no new updates" in status.lower()):
            problems.append(f"{where} node updated but the inventory's update status is {status!r}")
        if not own["updated"] and "failed" not in status.lower():
            problems.append(f"{where} node failed but the inventory's update status is {status!r}")
        # One run per attempt: the refused node tries twice (its pre-download fails, then the window's own download
        # fails), as upstream does; every other node makes one attempt, pre-download included. A run is opened by a
        # DOWNLOADING or STARTED report (upstream's rule), so when the control plane is down for the whole of the
        # pre-download attempt that attempt leaves no run: with faults the refused node has one or two.
        attempts = ({1, 2} if faults else {2}) if node.expect == "refused" else {1}
        if len(runs) not in attempts:
            problems.append(f"{where} {len(runs)} update runs, expected {' or '.join(map(str, sorted(attempts)))}: "
                            f"{[(r['status'], r.get('startTime'), r.get('endTime')) for r in runs]}")
        spans = sorted((r.get("startTime", 0), r.get("endTime", 0)) for r in runs)
        if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])):
            problems.append(f"{where} runs overlap in time: {spans}")
        for run in runs:
            if not closed(run):
                problems.append(f"{where} run {run['resourceId']} left open ({run['status']})")
            outcome = run.get("status", "").lower()
            if own["updated"] and "completed" not in outcome:
                problems.append(f"{where} node updated, run says {run['status']!r}")
            if not own["updated"] and "failed" not in outcome:
                problems.append(f"{where} node failed, run says {run['status']!r}")
            # The reason reaches the inventory: a failed boot rolled back, or an image whose sha256 did not match.
            reason = {"rolled back": "rolledback", "refused": "signaturecheck"}.get(node.expect)
            if reason and reason not in run.get("statusDetails", ""):
                problems.append(f"{where} expected {reason!r} in the run's details: {run.get('statusDetails')!r}")
    return problems


def verify_rollout(project: Project, rollout_id: str, nodes) -> list:
    """The rollout's own record against the runs: SUCCEEDED, every host UPDATED with its run, each run started once
    its wave had opened, each wave opened once the one before had succeeded."""
    problems = []
    rollout = project.ok("GET", f"rollouts/{rollout_id}")
    if rollout["state"] != "ROLLOUT_STATE_SUCCEEDED":
        problems.append(f"rollout {rollout_id} is {rollout['state']} ({rollout['stateReason']})")
    waves = rollout["waves"]
    for index, (earlier, later) in enumerate(zip(waves, waves[1:])):
        if later["startTime"] < earlier["endTime"]:
            problems.append(f"wave {index + 2} opened at {later['startTime']}, before wave {index + 1} ended at "
                            f"{earlier['endTime']}")
    instances = {n.name: n.instance_id for n in nodes}
    for host in project.ok("GET", f"rollouts/{rollout_id}/hosts?pageSize=1000")["hosts"]:
        where = f"rollout host {host['hostName']}:"
        if host["state"] != "ROLLOUT_HOST_STATE_UPDATED":
            problems.append(f"{where} {host['state']} ({host['reason']} {host['reasonDetail']})")
            continue
        runs = project.ok("GET", "os-update-runs?filter=instance.resourceId%3D%22"
                          f"{instances[host['hostName']]}%22")["osUpdateRuns"]
        opened = waves[host["wave"] - 1]["startTime"]
        if [r["resourceId"] for r in runs] != [host["runId"]]:
            problems.append(f"{where} run {host['runId']}, the inventory has {[r['resourceId'] for r in runs]}")
        for run in runs:
            if run["startTime"] < opened:
                problems.append(f"{where} run started at {run['startTime']}, before its wave opened at {opened}")
    return problems


def run_scenario(scenario: str, args, orchestrator_binary: Path, agent_binary: Path) -> bool:
    work = Path(tempfile.mkdtemp(prefix=f"day2-fault-{scenario}-"))
    log(f"scenario {scenario}: work folder {work}")
    release = publish_release(orchestrator_binary, work, tampered=args.nodes >= 4 and scenario != "rollout")
    global TLS_CONTEXT
    tls = make_certificates(work / "tls") if getattr(args, "tls", False) else None
    TLS_CONTEXT = ssl.create_default_context(cafile=str(tls["ca"])) if tls else None
    postgres_started = False
    if scenario in ("restart", "plain", "rollout"):
        servers = [Orchestrator(orchestrator_binary, "a", work, "sqlite", release, tls)]
    else:
        database = os.environ.get("DAY2_TEST_POSTGRES_URL")
        if not database:
            started = subprocess.run([str(ROOT / "scripts/postgres-start.sh"), PG_PORT], capture_output=True, text=True)
            if started.returncode != 0:
                raise AssertionError(f"scripts/postgres-start.sh {PG_PORT} failed:\n{started.stderr}")
            database = started.stdout.strip()
            postgres_started = True
        # A fresh database per run: a schema of its own is simplest with a new database name.
        name = f"day2_fault_{int(time.time())}"
        admin = urllib.parse.urlsplit(database)
        subprocess.run(["psql", database, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        database = urllib.parse.urlunsplit(admin._replace(path=f"/{name}"))
        servers = [Orchestrator(orchestrator_binary, n, work, database, release, tls) for n in ("a", "b")]
    nodes = []
    processes_ok = False
    try:
        for server in servers:
            server.start()
        if scenario == "replicas":
            grpc_port, http_port = free_port(), free_port()
            balancer = Balancer({grpc_port: [s.grpc_port for s in servers], http_port: [s.http_port for s in servers]})
        else:
            balancer = None
            grpc_port, http_port = servers[0].grpc_port, servers[0].http_port

        token = sign_in(http_port)
        project = Project(lambda: http_port, token)
        emt_count = (args.nodes + 1) // 2
        plan = {0: "rolled back", 1: "refused"} if args.nodes >= 4 else {0: "rolled back"}
        if scenario == "rollout":
            plan = {}  # every immutable node updates; the waves and the kills are what is tested
        nodes = [Node(i, "emt", work, expect=plan.get(i, "updated")) for i in range(emt_count)]
        nodes += [Node(i, "ubuntu", work) for i in range(emt_count, args.nodes)]
        region, by_image = register(project, nodes)
        project_id = {p["name"]: p["id"] for p in http_request(http_port, "GET", "/v1/projects", token=token)
                      .json["projects"]}["default"]
        token_path = work / "agent-token"
        token_path.write_text(agent_token(project_id))
        for node in nodes:
            node.prepare(grpc_port, http_port, token_path, ca=tls["ca"] if tls else None)
            node.start(agent_binary)
        log(f"{len(nodes)} agents started ({emt_count} immutable"
            f"{': one fails its first boot' if plan else ''}"
            f"{', one is offered a tampered image' if len(plan) > 1 else ''})")
        # Before any window: an immutable node must not even download its image ahead of its wave.
        rollout = None
        if scenario == "rollout":
            emt = [n for n in nodes if n.kind == "emt"]
            hosts = {h["name"]: h["resourceId"] for h in project.all("compute/hosts", "hosts")}
            latest = next(p for p in project.all("os-update-policies", "osUpdatePolicies") if p["name"] == "emt-latest")
            rollout = project.ok("POST", "rollouts", {
                "name": "fault-waves", "osUpdatePolicyId": latest["resourceId"],
                "hostIds": [hosts[n.name] for n in emt],
                "waves": [{"hosts": 1}, {"hosts": 1}, {"percent": 100}] if len(emt) >= 3 else [{"percent": 100}],
            })
            log(f"rollout {rollout['resourceId']} over {len(emt)} immutable hosts in {len(rollout['waves'])} waves")
        opens = int(time.time()) + 8
        project.ok("POST", "schedules/single", {"name": "fault-window", "scheduleStatus": "SCHEDULE_STATUS_OS_UPDATE",
                                                "startSeconds": opens, "endSeconds": opens + 3600,
                                                "targetRegionId": region["resourceId"]})
        log("a region-wide window opens in 8 s")

        kills, last, started = 0, None, time.monotonic()
        while True:
            running, done = progress(nodes)
            try:
                runs = project.all("os-update-runs", "osUpdateRuns")
                open_runs = sum(1 for r in runs if not closed(r))
                closed_runs = len(runs) - open_runs
            except (OSError, AssertionError):
                open_runs = closed_runs = None
            now = (running, done, open_runs, closed_runs)
            if now != last:
                log(f"rollout: nodes {running} updating, {done} finished of {len(nodes)}; "
                    f"inventory {open_runs} open run(s), {closed_runs} closed")
            # In the middle of the rollout as the control plane sees it: some runs open, not every node finished.
            if scenario != "plain" and open_runs and now != last and done < len(nodes) and kills < args.kills:
                kills += 1
                if scenario in ("restart", "rollout"):
                    servers[0].kill()
                    time.sleep(args.down_seconds)
                    servers[0].start()
                else:
                    victim = next(s for s in servers
                                  if s.grpc_port == balancer.busiest([s.grpc_port for s in servers]))
                    victim.kill()
                    servers = [s for s in servers if s is not victim]
                    args.kills = kills  # one replica stays down; the other carries the fleet
            last = now
            all_done = done == len(nodes)
            for node in nodes:
                if node.process.poll() is not None:
                    raise AssertionError(f"agent {node.name} exited; see {node.folder}/agent.log")
            try:
                if all_done and all(finished(node, project) for node in nodes) and (
                        rollout is None or project.ok("GET", f"rollouts/{rollout['resourceId']}")["state"]
                        == "ROLLOUT_STATE_SUCCEEDED"):
                    break
            except (OSError, AssertionError):
                pass
            if time.monotonic() - started > args.timeout:
                raise AssertionError(f"the rollout did not finish within {args.timeout} s: {progress(nodes)} "
                                     "(updating, finished)")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        log(f"rollout finished in {elapsed:.0f} s after {kills} kill(s)")
        problems = verify(nodes, project, by_image, faults=scenario != "plain")
        if rollout is not None:
            problems += verify_rollout(project, rollout["resourceId"], nodes)
        for problem in problems:
            log(f"MISMATCH {problem}")
        if kills == 0 and scenario != "plain":
            problems.append("no kill landed in the middle of the rollout, so nothing was tested")
        processes_ok = not problems
        print(f"fault run {scenario}{' (TLS)' if tls else ''}: {'PASS' if processes_ok else 'FAIL'} — "
              f"{len(nodes)} nodes, {kills} kill(s), "
              f"{sum(n.expect == 'updated' for n in nodes)} updated and {len(plan)} failed expected, "
              f"{len(problems)} mismatch(es), {elapsed:.0f} s",
              flush=True)
        return processes_ok
    finally:
        for node in nodes:
            node.stop()
        for server in servers:
            server.stop()
        if postgres_started:
            subprocess.run([str(ROOT / "scripts/postgres-stop.sh"), PG_PORT], capture_output=True)
        if args.keep or not processes_ok:
            log(f"kept {work} (orchestrator and agent logs, node folders)")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["restart", "replicas", "rollout", "plain", "all"], default="all",
                        help="plain: no fault at all (the end-to-end baseline); all: restart, replicas and rollout")
    parser.add_argument("--nodes", type=int, default=12, help="edge nodes (agent processes), at least 2")
    parser.add_argument("--kills", type=int, default=3, help="restart scenario: how many times to kill -9")
    parser.add_argument("--down-seconds", type=float, default=3, help="how long a killed orchestrator stays down")
    parser.add_argument("--timeout", type=float, default=300, help="seconds the rollout may take")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--tls", action="store_true",
                        help="HTTPS and gRPC over TLS with a private CA (agents trust it through caFile)")
    args = parser.parse_args()
    if args.nodes < 2:
        parser.error("--nodes: must be at least 2")
    orchestrator = executable("day2-orchestrator", "DAY2_ORCHESTRATOR")
    agent = executable("day2-agent", "DAY2_AGENT")
    scenarios = ["restart", "replicas", "rollout"] if args.scenario == "all" else [args.scenario]
    results = {}
    for scenario in scenarios:
        kills = args.kills
        try:
            results[scenario] = run_scenario(scenario, args, orchestrator, agent)
        except AssertionError as error:
            log(f"scenario {scenario} failed: {error}")
            results[scenario] = False
        args.kills = kills
    print(" ".join(f"{s}={'PASS' if ok else 'FAIL'}" for s, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
