"""The southbound server over TLS, accepting RS256 tokens from an external issuer's JWKS.

A self-signed certificate is made with openssl, a JWKS is served by Python's http.server on loopback, and tokens are
signed with an RSA key from the `cryptography` package: nothing here comes from the project.
"""

import base64
import json
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from test_southbound import EXECUTABLE, free_port, generate_stubs


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def integer(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def rs256(key, kid, roles, lifetime=600):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
    claims = {"sub": "pua", "exp": int(time.time()) + lifetime, "realm_access": {"roles": roles}}
    payload = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


@pytest.fixture(scope="module")
def tls_world():
    folder = Path(tempfile.mkdtemp(prefix="day2-tls-"))
    generate_stubs(folder / "stubs")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwks = json.dumps({"keys": [{"kty": "RSA", "kid": "issuer-1", "alg": "RS256", "use": "sig",
                                 "n": integer(numbers.n), "e": integer(numbers.e)}]}).encode()

    class JWKS(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args):
            pass

    issuer = ThreadingHTTPServer(("127.0.0.1", 0), JWKS)
    threading.Thread(target=issuer.serve_forever, daemon=True).start()
    data = folder / "data"
    fleet = json.loads(subprocess.run([str(EXECUTABLE), "seed", "example", "--data-dir", str(data)],
                                      check=True, capture_output=True, text=True).stdout)
    port = free_port()
    server = subprocess.Popen([
        str(EXECUTABLE), "serve", "--data-dir", str(data), "--grpc-port", str(port), "--http-port", str(free_port()),
        "--jwt-jwks-url", f"http://127.0.0.1:{issuer.server_port}/jwks.json",
        "--grpc-tls-cert", str(folder / "cert.pem"), "--grpc-tls-key", str(folder / "key.pem"), "--log-level", "warning",
    ])
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=(folder / "cert.pem").read_bytes())
        channel = grpc.secure_channel(f"127.0.0.1:{port}", credentials)
        grpc.channel_ready_future(channel).result(timeout=30)
    except BaseException:
        server.kill()
        issuer.shutdown()
        raise
    from maintmgr.v1 import maintmgr_pb2, maintmgr_pb2_grpc
    yield fleet, key, maintmgr_pb2, maintmgr_pb2_grpc.MaintmgrServiceStub(channel), port
    channel.close()
    server.terminate()
    assert server.wait(timeout=30) == 0
    issuer.shutdown()


def test_tls_and_jwks_tokens(tls_world):
    fleet, key, pb, stub, port = tls_world
    role = f"{fleet['projectId']}_en-agent-rw"
    request = pb.PlatformUpdateStatusRequest(
        host_guid=fleet["mutableHostUUID"],
        update_status=pb.UpdateStatus(status_type=pb.UpdateStatus.STATUS_TYPE_UP_TO_DATE),
    )
    response = stub.PlatformUpdateStatus(request, metadata=[("authorization", "Bearer " + rs256(key, "issuer-1", [role]))], timeout=10)
    assert response.installed_packages == fleet["packages"]

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in [rs256(other_key, "issuer-1", [role]), rs256(key, "issuer-1", [role], lifetime=-60)]:
        with pytest.raises(grpc.RpcError) as error:
            stub.PlatformUpdateStatus(request, metadata=[("authorization", "Bearer " + bad)], timeout=10)
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED

    # Plaintext clients cannot talk to a TLS port.
    plain = grpc.insecure_channel(f"127.0.0.1:{port}")
    with pytest.raises(grpc.RpcError):
        pb_stub = type(stub)(plain)
        pb_stub.PlatformUpdateStatus(request, timeout=5)
    plain.close()
