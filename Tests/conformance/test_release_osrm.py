"""The OS Resource Manager against real Release Services, end to end.

The same scenario runs against two back ends:

* `registry`: Debian's `docker-registry` (the CNCF distribution registry) on 127.0.0.1, with the profiles pushed by
  `scripts/publish-profile.py` through the PyPI `oras` library exactly as upstream's CI publishes them (one repository
  per profile below the prefix, tag = revision, `org.opencontainers.image.title` on the layer, first layer = the
  profile YAML), and the package manifest and CVE lists on a separate loopback file server;
* `builtin`: Day2's own Release Service (`--release-dir`), filled with `day2-orchestrator release publish`.

`day2-orchestrator serve` discovers the profiles, turns a new tag with a newer image into a new OS resource, and the
Maintenance Manager then offers that image to an immutable node with a LATEST policy and reports "OS update
available" over the southbound gRPC contract. Bad input (a malformed profile, a wrong digest) is logged with the
profile name and skipped while nothing already in the inventory changes.

Environment: DAY2_TEST_REGISTRY (host:port of a running docker-registry; scripts/test.sh starts one), otherwise the
module starts its own with scripts/registry-start.sh.
"""

import functools
import hashlib
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import EXECUTABLE, ROOT, AgentClient, Project, finish, free_port, start_server

IMMUTABLE = "microvisor-nonrt"
MUTABLE = "ubuntu-22.04-lts-generic"
PACKAGES = {"repo": [{"name": "systemd", "version": "255.13-1"}, {"name": "openssl", "version": "3.3.2-1"}]}
CVES = [{"cve_id": "CVE-2025-0001", "priority": "high", "affected_packages": ["openssl 3.3.2"]}]


def image_bytes(version: str) -> bytes:
    return f"Edge Microvisor Toolkit image {version}\n".encode() * 64


def immutable_profile(version: str, release: str, broken=False) -> str:
    return f"""appVersion: apps/v1
metadata:
  release: {release}
spec:
  name: Edge Microvisor Toolkit {version}
  type: {"OS_TYPE_NOT_A_TYPE" if broken else "OS_TYPE_IMMUTABLE"}
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: {IMMUTABLE}
  osImageUrl: files-edge-orch/repository/microvisor/non_rt/edge-readonly-{version}-signed.raw.gz
  osImageVersion: {version}
  osImageSha256: {hashlib.sha256(image_bytes(version)).hexdigest()}
  osPackageManifestURL: files-edge-orch/repository/microvisor/non_rt/edge-readonly-{version}.pkg_manifest.json
  osExistingCvesURL: files-edge-orch/repository/microvisor/non_rt/edge-readonly-{version}.existing_cves.json
  osFixedCvesURL: files-edge-orch/repository/microvisor/non_rt/edge-readonly-{version}.fixed_cves.json
  securityFeature: SECURITY_FEATURE_NONE
  description: Edge Microvisor Toolkit {version}
"""


MUTABLE_PROFILE = f"""appVersion: apps/v1
metadata:
  release: 0.11.5
spec:
  name: Ubuntu 22.04.5 LTS
  type: OS_TYPE_MUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: {MUTABLE}
  osImageUrl: https://cloud-images.ubuntu.com/releases/22.04/release-20250228/ubuntu-22.04-server-cloudimg-amd64.img
  osImageVersion: 22.04.5
  osImageSha256: {"c" * 64}
  securityFeature: SECURITY_FEATURE_NONE
  description: Ubuntu 22.04.5 LTS
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class FileServer:
    """A plain loopback HTTP file server over a folder (the registry back end's package manifests and CVE lists)."""

    def __init__(self, folder: Path):
        self.folder = folder
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class RegistryBackend:
    """docker-registry + oras: profiles pushed as upstream publishes them."""

    name = "registry"

    def __init__(self, address: str, work: Path):
        self.address = address
        self.prefix = f"day2-test-{uuid.uuid4().hex[:8]}/en/files/os-profile/"
        self.work = work
        self.files = FileServer(work / "files")

    def publish(self, yaml_text: str, profile: str, tag: str, version=None):
        folder = self.work / "profiles" / tag
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{profile}.yaml"
        path.write_text(yaml_text)
        if version is not None:
            write_release_files(self.work / "files", version)
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "publish-profile.py"), "--registry", self.address, "--insecure",
             "--repo", self.prefix, "--tag", tag, str(path)],
            check=True, capture_output=True, timeout=60,
        )

    def serve_args(self):
        return ["--release-service-url", f"http://{self.address}?files=http://127.0.0.1:{self.files.port}/",
                "--os-profile-repo", self.prefix]

    def publish_corrupted(self, yaml_text: str, profile: str, tag: str) -> str:
        """Pushes a profile whose stored layer no longer matches its digest: the blob is uploaded (the registry checks
        the digest then), its data altered on disk, and only then the manifest pushed. Returns the layer digest."""
        import oras.provider

        path = self.work / "profiles" / tag / f"{profile}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml_text)
        data = path.read_bytes()
        registry = oras.provider.Registry(hostname=self.address, insecure=True)
        container = registry.get_container(f"{self.address}/{self.prefix}{profile}:{tag}")
        layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar",
                 "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data),
                 "annotations": {"org.opencontainers.image.title": path.name}}
        registry._check_200_response(registry.upload_blob(str(path), container, layer))
        digest = layer["digest"]
        state = Path(os.environ.get("DAY2_TEST_REGISTRY_STATE", f"/tmp/day2-registry-{self.address.split(':')[1]}"))
        stored = state / "data" / "docker" / "registry" / "v2" / "blobs" / "sha256" / digest[7:9] / digest[7:] / "data"
        assert stored.exists(), f"registry blob {stored} not found (DAY2_TEST_REGISTRY_STATE?)"
        stored.write_bytes(data[::-1])  # same size, other content
        config = self.work / "empty-config.json"
        config.write_bytes(b"{}")
        empty = {"mediaType": "application/vnd.oci.empty.v1+json",
                 "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2}
        registry._check_200_response(registry.upload_blob(str(config), container, empty))
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "artifactType": "application/vnd.intel.orch.en", "config": empty, "layers": [layer]}
        registry._check_200_response(registry.upload_manifest(manifest, container))
        return digest

    def close(self):
        self.files.close()


class BuiltinBackend:
    """Day2's own Release Service, filled with `day2-orchestrator release publish`."""

    name = "builtin"

    def __init__(self, work: Path):
        self.work = work
        self.release_dir = work / "release"
        self.prefix = "edge-orch/en/files/os-profile/"

    def publish(self, yaml_text: str, profile: str, tag: str, version=None):
        folder = self.work / "profiles" / tag
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{profile}.yaml"
        path.write_text(yaml_text)
        args = [str(EXECUTABLE), "release", "publish", str(path), "--release-dir", str(self.release_dir), "--tag", tag,
                "--os-profile-repo", self.prefix]
        if version is not None:
            sources = write_release_files(self.work / "sources", version)
            args[4:4] = [str(sources["image"])]
            args += ["--package-manifest", str(sources["packages"]), "--existing-cves", str(sources["existing"]),
                     "--fixed-cves", str(sources["fixed"])]
        result = subprocess.run(args, capture_output=True, text=True, timeout=60)
        return result

    def serve_args(self):
        return ["--release-dir", str(self.release_dir), "--os-profile-repo", self.prefix]

    def publish_corrupted(self, yaml_text: str, profile: str, tag: str) -> str:
        return layout_publish_raw(self, yaml_text, tag, corrupt=True)

    def close(self):
        pass


def write_release_files(folder: Path, version: str) -> dict:
    """The image, package manifest and CVE lists of one version, at the paths the profile names (below `folder`)."""
    base = folder / "files-edge-orch" / "repository" / "microvisor" / "non_rt"
    base.mkdir(parents=True, exist_ok=True)
    paths = {
        "image": base / f"edge-readonly-{version}-signed.raw.gz",
        "packages": base / f"edge-readonly-{version}.pkg_manifest.json",
        "existing": base / f"edge-readonly-{version}.existing_cves.json",
        "fixed": base / f"edge-readonly-{version}.fixed_cves.json",
    }
    paths["image"].write_bytes(image_bytes(version))
    paths["packages"].write_text(json.dumps(PACKAGES, indent=2))
    paths["existing"].write_text(json.dumps(CVES, indent=2))
    paths["fixed"].write_text("[]\n")
    return paths


def registry_manifest(address: str, repository: str, tag: str) -> dict:
    connection = http.client.HTTPConnection(address, timeout=10)
    connection.request("GET", f"/v2/{repository}/manifests/{tag}",
                       headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def registry_address():
    """The docker-registry the test script started, or one of this module's own."""
    if os.environ.get("DAY2_TEST_REGISTRY"):
        yield os.environ["DAY2_TEST_REGISTRY"]
        return
    port = free_port()
    address = subprocess.run([str(ROOT / "scripts" / "registry-start.sh"), str(port)], check=True,
                             capture_output=True, text=True, timeout=300).stdout.strip()
    os.environ["DAY2_TEST_REGISTRY_STATE"] = f"/tmp/day2-registry-{port}"
    yield address
    subprocess.run([str(ROOT / "scripts" / "registry-stop.sh"), str(port)], check=False, timeout=60)
    os.environ.pop("DAY2_TEST_REGISTRY_STATE", None)


@pytest.fixture(scope="module", params=["registry", "builtin"])
def release(request, registry_address):
    work = Path(tempfile.mkdtemp(prefix=f"day2-release-{request.param}-"))
    backend = RegistryBackend(registry_address, work) if request.param == "registry" else BuiltinBackend(work)
    yield backend
    backend.close()
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def server(release):
    release.publish(immutable_profile("3.0.20260401.0100", "0.11.5"), IMMUTABLE, "0.11.5", version="3.0.20260401.0100")
    release.publish(MUTABLE_PROFILE, MUTABLE, "0.11.5")
    day2 = start_server(prefix=f"day2-osrm-{release.name}-", extra_args=[
        *release.serve_args(), "--os-profile-revision", "~0.11.5",
        "--enabled-profiles", f"{IMMUTABLE},{MUTABLE}", "--osrm-period", "1s",
    ])
    yield day2
    finish(day2)


def wait_for(what, condition, timeout=40.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def os_resources(project: Project) -> list:
    return project.get("compute/os")["OperatingSystemResources"]


def test_profiles_become_os_resources_and_a_newer_tag_is_offered(server, release):
    default = Project(server, "default")
    found = wait_for("two OS resources", lambda: len(os_resources(default)) == 2 and os_resources(default))
    emt = next(os for os in found if os["profileName"] == IMMUTABLE)
    ubuntu = next(os for os in found if os["profileName"] == MUTABLE)
    assert emt["osType"] == "OS_TYPE_IMMUTABLE" and ubuntu["osType"] == "OS_TYPE_MUTABLE"
    assert emt["imageId"] == "3.0.20260401.0100"
    assert emt["sha256"] == hashlib.sha256(image_bytes("3.0.20260401.0100")).hexdigest()
    assert emt["name"] == "Edge Microvisor Toolkit 3.0.20260401.0100"
    assert json.loads(emt["installedPackages"]) == PACKAGES
    assert json.loads(wait_for("CVE lists", lambda: next(
        o for o in os_resources(default) if o["profileName"] == IMMUTABLE)["existingCves"])) == CVES
    assert json.loads(emt["metadata"]) == {"release": "0.11.5"}

    # An immutable node on that image, with a LATEST policy.
    uuid_text = "4c4c4544-0058-4a10-8050-b4c04f4e3231"
    host = default.post("compute/hosts", {"name": "edge-osrm", "uuid": uuid_text})
    instance = default.post("compute/instances", {"hostID": host["resourceId"], "osID": emt["resourceId"],
                                                  "kind": "INSTANCE_KIND_METAL", "name": "edge-osrm"})
    policy = default.post("os-update-policies", {"name": "emt-latest", "updatePolicy": "UPDATE_POLICY_LATEST"})
    default.patch(f"compute/instances/{instance['resourceId']}", {"osUpdatePolicyID": policy["resourceId"]})
    agent = AgentClient(server, "default")
    try:
        pb = agent.pb
        before = agent(uuid_text, pb.UpdateStatus.STATUS_TYPE_UP_TO_DATE)
        assert before.os_profile_update_source.os_image_id == "", "the node runs the newest image"
        assert default.get(f"compute/instances/{instance['resourceId']}").get("osUpdateAvailable", "") == ""

        # A new tag with a newer image becomes a new OS resource.
        release.publish(immutable_profile("3.0.20260602.2200", "0.11.6"), IMMUTABLE, "0.11.6",
                        version="3.0.20260602.2200")
        newer = wait_for("the newer OS resource", lambda: next(
            (o for o in os_resources(default) if o["imageId"] == "3.0.20260602.2200"), None))
        assert newer["name"] == "Edge Microvisor Toolkit 3.0.20260602.2200"

        response = agent(uuid_text, pb.UpdateStatus.STATUS_TYPE_UP_TO_DATE)
        offer = response.os_profile_update_source
        assert offer.os_image_id == "3.0.20260602.2200"
        assert offer.os_image_sha == newer["sha256"]
        assert offer.os_image_url == newer["imageUrl"]
        current = default.get(f"compute/instances/{instance['resourceId']}")
        assert current["osUpdateAvailable"] == "Edge Microvisor Toolkit 3.0.20260602.2200"

        # Progress is visible at /metrics.
        metrics = server.get("/metrics").body.decode()
        created = [line for line in metrics.splitlines() if line.startswith("day2_osrm_os_resources_created_total")]
        assert created and float(created[0].split()[-1]) >= 3, created
        assert 'day2_osrm_passes_total{result="ok"}' in metrics
    finally:
        agent.close()


def test_bad_input_is_logged_with_the_profile_name_and_skipped(server, release):
    default = Project(server, "default")
    wait_for("three OS resources", lambda: len(os_resources(default)) == 3)
    before = sorted(os_resources(default), key=lambda o: o["resourceId"])

    # A malformed profile at a newer tag: logged with the profile name and the field, skipped.
    result = release.publish(immutable_profile("3.0.20260701.0100", "0.11.7", broken=True), IMMUTABLE, "0.11.7")
    if release.name == "builtin":
        # `release publish` refuses it outright, naming the file and the field.
        assert result.returncode != 0 and "spec.type" in result.stderr, result.stderr
        # Put it in place anyway, the way a broken upstream publication would arrive.
        layout_publish_raw(release, immutable_profile("3.0.20260701.0100", "0.11.7", broken=True), "0.11.7")
    wait_for("the skipped-profile log line", lambda: "spec.type" in server.log_tail(400)
             and f"{IMMUTABLE}" in server.log_tail(400))

    # A wrong digest: the newest good profile's blob altered in storage.
    digest = release.publish_corrupted(immutable_profile("3.0.20260801.0100", "0.11.8"), IMMUTABLE, "0.11.8")
    wait_for("the digest-mismatch log line", lambda: digest in server.log_tail(400) and "digestMismatch" in server.log_tail(400))

    after = sorted(os_resources(default), key=lambda o: o["resourceId"])
    images = {o["imageId"] for o in after}
    assert "3.0.20260801.0100" not in images and "3.0.20260701.0100" not in images
    assert [o["resourceId"] for o in after] == [o["resourceId"] for o in before]
    for old, new in zip(before, after):
        for key in ("name", "imageId", "sha256", "imageUrl", "installedPackages", "profileName", "osType"):
            assert old[key] == new[key], key

    # The other profile still syncs: a new Ubuntu tag arrives while the broken ones keep failing.
    release.publish(MUTABLE_PROFILE.replace("22.04.5", "22.04.6").replace("0.11.5", "0.11.8"), MUTABLE, "0.11.8")
    wait_for("the new Ubuntu OS resource", lambda: any(o["imageId"] == "22.04.6" for o in os_resources(default)))


def layout_publish_raw(release, yaml_text: str, tag: str, corrupt=False) -> str:
    """Writes a profile into the built-in layout without `release publish`'s checks (what an `oras push
    --oci-layout` of a broken file would leave); with `corrupt`, the stored layer does not match its digest.
    Returns the layer digest."""
    layout = release.release_dir / "oci" / (release.prefix + IMMUTABLE)
    blobs = layout / "blobs" / "sha256"
    data = yaml_text.encode()
    layer = hashlib.sha256(data).hexdigest()
    (blobs / layer).write_bytes(data[::-1] if corrupt else data)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.intel.orch.en",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                   "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + layer,
                    "size": len(data), "annotations": {"org.opencontainers.image.title": f"{IMMUTABLE}.yaml"}}],
    }).encode()
    manifest_digest = hashlib.sha256(manifest).hexdigest()
    (blobs / manifest_digest).write_bytes(manifest)
    index = json.loads((layout / "index.json").read_text())
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "digest": "sha256:" + manifest_digest, "size": len(manifest),
                               "annotations": {"org.opencontainers.image.ref.name": tag}})
    (layout / "index.json").write_text(json.dumps(index))
    return "sha256:" + layer
