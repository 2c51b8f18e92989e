#!/usr/bin/env python3
"""How long the OS Resource Manager takes to bring many projects up to date, against the built-in Release Service.

Publishes two profiles (an immutable one with its image, package manifest and CVE lists, and a mutable one) with
`day2-orchestrator release publish`, starts `day2-orchestrator serve --release-dir …` on free loopback ports,
creates N projects through the REST API, and reads the reconciler's own `OS resource reconcile finished` log lines:

- `new-projects`: the pass that creates 2 OS resources in each of the N new projects (what an upgrade costs);
- `full`: the next periodic pass, where nothing is created (profiles, package manifest and CVE lists are read once
  per Release Service, then every project's OS resources are listed and compared): the baseline.

It prints both durations, the time per project, and their ratio. Standard library only.

Usage: scripts/bench-osrm.py [--projects 200] [--binary .build/release/day2-orchestrator] [--database sqlite|postgres://…]
"""

import argparse
import hashlib
import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-admin-password-0123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=None, form=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        payload = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, (json.loads(data) if data else None)


def publish(binary: Path, work: Path, release: Path):
    image = b"bench image\n" * 4096
    sha = hashlib.sha256(image).hexdigest()
    base = "files-edge-orch/repository/microvisor/non_rt"
    (work / "image.raw.gz").write_bytes(image)
    (work / "pkg.json").write_text(json.dumps({"repo": [{"name": "systemd", "version": "255"}]}))
    (work / "cves.json").write_text(json.dumps([{"cve_id": "CVE-2025-0001", "priority": "high",
                                                 "affected_packages": []}]))
    (work / "microvisor-nonrt.yaml").write_text(f"""appVersion: apps/v1
metadata:
  release: 0.11.5
spec:
  name: Edge Microvisor Toolkit 3.0.20260602.2200
  type: OS_TYPE_IMMUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: microvisor-nonrt
  osImageUrl: {base}/edge-readonly-3.0.20260602.2200.raw.gz
  osImageVersion: 3.0.20260602.2200
  osImageSha256: {sha}
  osPackageManifestURL: {base}/pkg.json
  osExistingCvesURL: {base}/existing.json
  osFixedCvesURL: {base}/fixed.json
  securityFeature: SECURITY_FEATURE_NONE
""")
    (work / "ubuntu-22.04-lts-generic.yaml").write_text(f"""appVersion: apps/v1
metadata:
  release: 0.11.5
spec:
  name: Ubuntu 22.04.5 LTS
  type: OS_TYPE_MUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  profileName: ubuntu-22.04-lts-generic
  osImageUrl: https://cloud-images.ubuntu.com/releases/22.04/ubuntu-22.04-server-cloudimg-amd64.img
  osImageVersion: 22.04.5
  osImageSha256: {"c" * 64}
  securityFeature: SECURITY_FEATURE_NONE
""")
    subprocess.run([str(binary), "release", "publish", str(work / "microvisor-nonrt.yaml"), str(work / "image.raw.gz"),
                    "--release-dir", str(release), "--package-manifest", str(work / "pkg.json"),
                    "--existing-cves", str(work / "cves.json"), "--fixed-cves", str(work / "cves.json")],
                   check=True, capture_output=True)
    subprocess.run([str(binary), "release", "publish", str(work / "ubuntu-22.04-lts-generic.yaml"),
                    "--release-dir", str(release)], check=True, capture_output=True)




def passes(log: Path):
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if "OS resource reconcile finished" not in line:
            continue
        fields = dict(re.findall(r"(osrm\.[a-z_]+)=(\S+(?: seconds| ms| µs)?)", line))
        duration = fields["osrm.duration"]
        value, unit = duration.split(" ") if " " in duration else (duration, "seconds")
        seconds = float(value) * {"seconds": 1.0, "ms": 1e-3, "µs": 1e-6}.get(unit, 1.0)
        found.append({"pass": fields["osrm.pass"], "projects": int(fields["osrm.projects"]),
                      "created": int(fields["osrm.created"]), "seconds": seconds})
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "day2-orchestrator"))
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    binary = Path(args.binary)
    work = Path(tempfile.mkdtemp(prefix="day2-bench-osrm-"))
    release = work / "release"
    publish(binary, work, release)
    http_port, grpc_port = free_port(), free_port()
    log = work / "serve.log"
    period = 90
    process = subprocess.Popen(
        [str(binary), "serve", "--data-dir", str(work / "data"), "--database", args.database,
         "--http-port", str(http_port), "--grpc-port", str(grpc_port), "--admin-password", PASSWORD,
         "--release-dir", str(release), "--os-profile-revision", "0.11.5",
         "--enabled-profiles", "microvisor-nonrt,ubuntu-22.04-lts-generic", "--osrm-period", f"{period}s",
         "--log-level", "info"],
        stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(http_port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, token = request(http_port, "POST", "/realms/master/protocol/openid-connect/token",
                                form={"grant_type": "password", "client_id": "bench", "username": "admin",
                                      "password": PASSWORD})
        assert status == 200, token
        token = token["access_token"]
        started = time.monotonic()
        for index in range(args.projects):
            status, body = request(http_port, "POST", "/v1/projects", {"name": f"bench-{index:05d}"}, token=token)
            assert status == 200, body
        print(f"created {args.projects} projects through the REST API in {time.monotonic() - started:.1f} s")
        # Wait for the new-projects pass, then for the next full (steady-state) pass.
        deadline = time.monotonic() + 3 * period
        while time.monotonic() < deadline:
            seen = passes(log)
            news = [p for p in seen if p["pass"] == "new-projects"]
            created = sum(p["created"] for p in news)
            steady = [p for p in seen if p["pass"] == "full" and p["created"] == 0 and p["projects"] > args.projects]
            if created >= 2 * args.projects and steady:
                break
            time.sleep(1)
        else:
            print(log.read_text()[-3000:])
            raise SystemExit("the passes did not finish in time")
        create_seconds = sum(p["seconds"] for p in news)
        create_projects = sum(p["projects"] for p in news)
        base = steady[0]
        print(f"{'pass':<14}{'projects':>9}{'created':>9}{'seconds':>10}{'ms/project':>12}")
        print(f"{'new-projects':<14}{create_projects:>9}{created:>9}{create_seconds:>10.2f}"
              f"{1000 * create_seconds / create_projects:>12.2f}")
        print(f"{'full (base)':<14}{base['projects']:>9}{0:>9}{base['seconds']:>10.2f}"
              f"{1000 * base['seconds'] / base['projects']:>12.2f}")
        ratio = (create_seconds / create_projects) / (base["seconds"] / base["projects"])
        print(f"creating costs {ratio:.1f}x a steady-state pass per project")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
