"""The OS Resource Manager against a registry that wants TLS and bearer tokens.

Debian's `docker-registry` runs on 127.0.0.1 with HTTPS (a certificate from a test CA) and token authentication: it
answers `401` with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`, and a small token server here (loopback)
issues ES256 JWTs, signed with a key whose certificate is the registry's `rootcertbundle`, only to `robot` with the
right password. Profiles are pushed with `scripts/publish-profile.py` (oras) through the same challenge. The
orchestrator reads them with `--release-service-url https://robot:PW@127.0.0.1:PORT?ca=CA.pem`; a wrong password is
logged as unauthorized and creates nothing, and without the CA the certificate is not trusted.
"""

import base64
import datetime
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from conftest import ROOT, Project, finish, free_port, start_server

PROFILE = "microvisor-nonrt"
PREFIX = "edge-orch/en/files/os-profile/"
PASSWORD = "robot-secret-0123"
SERVICE = "day2-test-registry"
ISSUER = "day2-test-token-issuer"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Keys:
    """A test CA, a server certificate for 127.0.0.1, and a token-signing key with its self-signed certificate."""

    def __init__(self, folder: Path):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        import ipaddress

        now = datetime.datetime.now(datetime.timezone.utc)

        def name(text):
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

        def pem(cert):
            return cert.public_bytes(serialization.Encoding.PEM)

        def key_pem(key):
            return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())

        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (x509.CertificateBuilder().subject_name(name("day2 test CA")).issuer_name(name("day2 test CA"))
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .sign(ca_key, hashes.SHA256()))
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
                  .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
                  .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                  .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                 critical=False)
                  .sign(ca_key, hashes.SHA256()))
        self.signer_key = ec.generate_private_key(ec.SECP256R1())
        self.signer = (x509.CertificateBuilder().subject_name(name(ISSUER)).issuer_name(name(ISSUER))
                       .public_key(self.signer_key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(minutes=5))
                       .not_valid_after(now + datetime.timedelta(days=1))
                       .sign(self.signer_key, hashes.SHA256()))
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(pem(ca))
        self.cert_file = folder / "server.pem"
        self.cert_file.write_bytes(pem(server))
        self.key_file = folder / "server.key"
        self.key_file.write_bytes(key_pem(server_key))
        self.signer_file = folder / "token-signer.pem"
        self.signer_file.write_bytes(pem(self.signer))
        self.signer_der = self.signer.public_bytes(serialization.Encoding.DER)

    def token(self, subject: str, access: list) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        header = {"typ": "JWT", "alg": "ES256", "x5c": [base64.b64encode(self.signer_der).decode()]}
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "iat": now, "nbf": now - 60, "exp": now + 300,
                  "jti": uuid.uuid4().hex, "access": access}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        der = self.signer_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class TokenServer:
    """The registry's token endpoint: robot with the right password gets what it asks for, anyone else nothing."""

    def __init__(self, keys: Keys):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                expected = "Basic " + base64.b64encode(f"robot:{PASSWORD}".encode()).decode()
                authenticated = self.headers.get("Authorization") == expected
                outer.requests.append((query.get("service", [""])[0], query.get("scope", []), authenticated))
                if query.get("service", [""])[0] != SERVICE:
                    self.send_response(400)
                    self.end_headers()
                    return
                if self.headers.get("Authorization") and not authenticated:
                    self.send_response(401)
                    self.end_headers()
                    return
                access = []
                for scope in query.get("scope", []):
                    kind, repository, _ = scope.split(":")
                    if authenticated:
                        # robot gets all its rights whatever it asks for (the oras library keeps its first token
                        # for every later request, so a pull-only token would stop its push).
                        access.append({"type": kind, "name": repository, "actions": ["pull", "push"]})
                body = json.dumps({"token": keys.token("robot" if authenticated else "", access),
                                   "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def secured():
    """A docker-registry with TLS and token auth, and a profile pushed to it."""
    assert shutil.which("docker-registry"), "docker-registry is needed (apt-get install docker-registry)"
    folder = Path(tempfile.mkdtemp(prefix="day2-registry-auth-"))
    keys = Keys(folder)
    tokens = TokenServer(keys)
    port = free_port()
    (folder / "data").mkdir()
    (folder / "config.yml").write_text(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {folder / "data"}
http:
  addr: 127.0.0.1:{port}
  secret: day2-auth-test
  tls:
    certificate: {keys.cert_file}
    key: {keys.key_file}
auth:
  token:
    realm: http://127.0.0.1:{tokens.port}/token
    service: {SERVICE}
    issuer: {ISSUER}
    rootcertbundle: {keys.signer_file}
""")
    log = open(folder / "registry.log", "wb")
    registry = subprocess.Popen(["docker-registry", "serve", str(folder / "config.yml")], stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        import socket

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert registry.poll() is None, (folder / "registry.log").read_text()
                time.sleep(0.1)
        profile = folder / f"{PROFILE}.yaml"
        profile.write_text(f"""appVersion: apps/v1
metadata:
  release: 2.0.0
spec:
  name: Edge Microvisor Toolkit 3.0.20260901.0100
  type: OS_TYPE_IMMUTABLE
  provider: OS_PROVIDER_KIND_INFRA
  architecture: x86_64
  profileName: {PROFILE}
  osImageUrl: files-edge-orch/repository/microvisor/non_rt/edge-readonly-3.0.20260901.0100.raw.gz
  osImageVersion: 3.0.20260901.0100
  osImageSha256: {"d" * 64}
  securityFeature: SECURITY_FEATURE_NONE
""")
        pushed = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "publish-profile.py"), "--registry", f"127.0.0.1:{port}",
             "--ca-file", str(keys.ca_file), "--user", "robot", "--password", PASSWORD, "--tag", "2.0.0",
             str(profile)], capture_output=True, text=True, timeout=60)
        assert pushed.returncode == 0, pushed.stderr + (folder / "registry.log").read_text()
        yield {"port": port, "keys": keys, "tokens": tokens, "folder": folder}
    finally:
        registry.send_signal(signal.SIGTERM)
        try:
            registry.wait(timeout=15)
        except subprocess.TimeoutExpired:
            registry.kill()
        log.close()
        tokens.close()
        shutil.rmtree(folder, ignore_errors=True)


def serve(secured, url):
    return start_server(prefix="day2-osrm-auth-", extra_args=[
        "--release-service-url", url, "--os-profile-revision", "2.0.0", "--enabled-profiles", PROFILE,
        "--osrm-period", "1s"])


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_tls_and_bearer_token_with_credentials(secured):
    port, keys = secured["port"], secured["keys"]
    before = len(secured["tokens"].requests)
    server = serve(secured, f"https://robot:{PASSWORD}@127.0.0.1:{port}?ca={keys.ca_file}")
    try:
        default = Project(server, "default")
        assert wait_for(lambda: len(default.get("compute/os")["OperatingSystemResources"]) == 1), server.log_tail()
        os_resource = default.get("compute/os")["OperatingSystemResources"][0]
        assert os_resource["imageId"] == "3.0.20260901.0100" and os_resource["profileName"] == PROFILE
        asked = secured["tokens"].requests[before:]
        assert (SERVICE, [f"repository:{PREFIX}{PROFILE}:pull"], True) in asked
        assert PASSWORD not in server.log_tail(400)
    finally:
        finish(server)


@pytest.mark.parametrize("case", ["wrong-password", "untrusted-certificate"])
def test_refused_access_creates_nothing_and_is_logged(secured, case):
    port, keys = secured["port"], secured["keys"]
    url = (f"https://robot:wrong-password@127.0.0.1:{port}?ca={keys.ca_file}" if case == "wrong-password"
           else f"https://robot:{PASSWORD}@127.0.0.1:{port}")
    server = serve(secured, url)
    try:
        expected = "unauthorized" if case == "wrong-password" else "unreachable"
        assert wait_for(lambda: "OS profile skipped" in server.log_tail(200) and expected in server.log_tail(200)), \
            server.log_tail()
        assert PROFILE in server.log_tail(200)
        assert Project(server, "default").get("compute/os")["OperatingSystemResources"] == []
        assert "wrong-password" not in server.log_tail(400) and PASSWORD not in server.log_tail(400)
    finally:
        finish(server)
