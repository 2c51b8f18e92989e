"""The built-in Release Service as third-party clients see it.

`day2-orchestrator serve --release-dir DIR` serves DIR read-only at `/release/files/` and the OS profiles published
into it (`day2-orchestrator release publish`) through the OCI distribution read API at `/v2/`. Here the PyPI `oras`
library reads the profiles as it would from any registry, and the standard library's http.client checks Range
requests, the SHA-256 headers and path traversal on the file server.
"""

import base64
import hashlib
import http.client
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import EXECUTABLE, finish, start_server

PROFILE = """appVersion: apps/v1
metadata:
  release: 1.2.3
spec:
  name: Edge Microvisor Toolkit 3.0.20260602.2200
  type: OS_TYPE_IMMUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: microvisor-rt
  osImageUrl: files-edge-orch/repository/microvisor/rt/edge-readonly-rt-3.0.20260602.2200.raw.gz
  osImageVersion: 3.0.20260602.2200
  osImageSha256: {sha}
  securityFeature: SECURITY_FEATURE_SECURE_BOOT_AND_FULL_DISK_ENCRYPTION
"""
IMAGE = bytes(range(256)) * 40
REPOSITORY = "edge-orch/en/files/os-profile/microvisor-rt"
IMAGE_PATH = "files-edge-orch/repository/microvisor/rt/edge-readonly-rt-3.0.20260602.2200.raw.gz"


@pytest.fixture(scope="module")
def published():
    folder = Path(tempfile.mkdtemp(prefix="day2-release-builtin-"))
    release = folder / "release"
    image = folder / "edge.raw.gz"
    image.write_bytes(IMAGE)
    profile = folder / "microvisor-rt.yaml"
    profile.write_text(PROFILE.format(sha=hashlib.sha256(IMAGE).hexdigest()))
    # A wrong image is refused, naming the field; nothing is published.
    wrong = folder / "wrong.raw.gz"
    wrong.write_bytes(b"not the image")
    refused = subprocess.run([str(EXECUTABLE), "release", "publish", str(profile), str(wrong), "--release-dir",
                              str(release)], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "spec.osImageUrl" in refused.stderr, refused.stderr
    assert not (release / "oci").exists()
    result = subprocess.run([str(EXECUTABLE), "release", "publish", str(profile), str(image), "--release-dir",
                             str(release)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"published {REPOSITORY}:1.2.3 sha256:" in result.stdout
    yield folder, release, profile
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(published):
    _, release, _ = published
    day2 = start_server(prefix="day2-release-builtin-", extra_args=["--release-dir", str(release)])
    yield day2
    finish(day2)


def get(server, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_oras_reads_the_profile_like_from_any_registry(server, published, tmp_path):
    import oras.provider

    _, _, profile = published
    registry = oras.provider.Registry(hostname=f"127.0.0.1:{server.http_port}", insecure=True)
    target = f"127.0.0.1:{server.http_port}/{REPOSITORY}:1.2.3"
    assert registry.get_tags(f"127.0.0.1:{server.http_port}/{REPOSITORY}") == ["1.2.3"]
    manifest = registry.get_manifest(target)
    assert manifest["artifactType"] == "application/vnd.intel.orch.en"
    assert manifest["layers"][0]["annotations"]["org.opencontainers.image.title"] == "microvisor-rt.yaml"
    files = registry.pull(target=target, outdir=str(tmp_path))
    assert [Path(f).name for f in files] == ["microvisor-rt.yaml"]
    assert Path(files[0]).read_bytes() == profile.read_bytes()


def test_the_image_is_served_with_ranges_and_its_sha256(server):
    status, headers, body = get(server, f"/release/files/{IMAGE_PATH}")
    assert status == 200 and body == IMAGE
    digest = hashlib.sha256(IMAGE)
    assert headers["x-checksum-sha256"] == digest.hexdigest()
    assert headers["repr-digest"] == f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
    assert headers["accept-ranges"] == "bytes"
    status, headers, body = get(server, f"/release/files/{IMAGE_PATH}", {"Range": "bytes=100-199"})
    assert status == 206 and body == IMAGE[100:200]
    assert headers["content-range"] == f"bytes 100-199/{len(IMAGE)}"
    status, headers, body = get(server, f"/release/files/{IMAGE_PATH}", {"Range": "bytes=-10"})
    assert status == 206 and body == IMAGE[-10:]
    status, headers, _ = get(server, f"/release/files/{IMAGE_PATH}", {"Range": f"bytes={len(IMAGE)}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(IMAGE)}"
    status, _, body = get(server, f"/release/files/{IMAGE_PATH}.sha256")
    assert status == 200 and body.decode().startswith(digest.hexdigest())


@pytest.mark.parametrize("path", [
    "/release/files/../../../../etc/passwd", "/release/files/%2e%2e/%2e%2e/etc/passwd",
    "/release/files/files-edge-orch/../../release/../../etc/passwd", "/release/files//etc/passwd",
    "/v2/../../etc/passwd/tags/list", "/release/files/files-edge-orch",
])
def test_paths_outside_the_folder_are_refused(server, path):
    status, _, body = get(server, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body


def test_no_token_is_needed_and_writes_are_not_served(server):
    status, headers, _ = get(server, "/v2/")
    assert status == 200 and headers["docker-distribution-api-version"] == "registry/2.0"
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
    connection.request("POST", f"/v2/{REPOSITORY}/blobs/uploads/", body=b"")
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status in (404, 405)


def test_the_os_resource_manager_reads_the_builtin_service_over_https(published):
    """With --http-tls-cert the built-in service is on HTTPS; the OS Resource Manager still reads it (its own
    listener), and a client that trusts the CA sees the profile's OS resource."""
    from test_release_registry_auth import Keys

    folder, release, _ = published
    tls_folder = folder / "tls"
    tls_folder.mkdir(exist_ok=True)
    keys = Keys(tls_folder)
    day2 = start_server(
        prefix="day2-release-builtin-tls-",
        tls_factory=lambda _: (keys.cert_file, keys.key_file, keys.ca_file),
        extra_args=["--release-dir", str(release), "--os-profile-revision", "1.2.3",
                    "--enabled-profiles", "microvisor-rt", "--osrm-period", "1s"],
    )
    try:
        deadline = time.monotonic() + 30
        found = []
        while time.monotonic() < deadline and not found:
            reply = day2.get("/v1/projects/default/compute/os", token=day2.admin)
            found = reply.json["OperatingSystemResources"]
            time.sleep(0.2)
        assert [os["imageId"] for os in found] == ["3.0.20260602.2200"], day2.log_tail()
        assert found[0]["securityFeature"] == "SECURITY_FEATURE_SECURE_BOOT_AND_FULL_DISK_ENCRYPTION"
    finally:
        finish(day2)

