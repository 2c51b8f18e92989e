"""Southbound conformance, driven by a client that is not ours.

The stubs are generated here by grpcio-tools from the repository's .proto files; tokens are signed here with
the standard library; the inventory is read straight from the SQLite file. The orchestrator runs as a real
process, exactly as `day2-orchestrator serve` starts.

Environment: DAY2_ORCHESTRATOR (path of the built executable, default .build/debug/day2-orchestrator).
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = Path(os.environ.get("DAY2_ORCHESTRATOR", ROOT / ".build" / "debug" / "day2-orchestrator"))
SECRET = "conformance-secret-0123456789abcdefghij"


def generate_stubs(target: Path) -> None:
    """Compile the repository's .proto files with grpcio-tools into `target` and make them importable.

    health.proto is compiled from a copy at a neutral path: its Python module would otherwise be `grpc.health`,
    which collides with the grpc package itself. The proto package (and so every wire name) is unchanged.
    """
    protos = ROOT / "Protos"
    target.mkdir(parents=True, exist_ok=True)
    code = protoc.main(["protoc", f"-I{protos}", f"--python_out={target}", f"--grpc_python_out={target}", "maintmgr/v1/maintmgr.proto"])
    assert code == 0, "grpcio-tools could not compile maintmgr.proto"
    neutral = target / "src"
    neutral.mkdir(exist_ok=True)
    shutil.copy(protos / "grpc" / "health" / "v1" / "health.proto", neutral / "day2_health.proto")
    code = protoc.main(["protoc", f"-I{neutral}", f"--python_out={target}", f"--grpc_python_out={target}", "day2_health.proto"])
    assert code == 0, "grpcio-tools could not compile health.proto"
    for folder in [target / "maintmgr", target / "maintmgr" / "v1"]:
        (folder / "__init__.py").touch()
    sys.path.insert(0, str(target))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(roles, lifetime=600, secret=SECRET) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": "pua", "exp": int(time.time()) + lifetime, "realm_access": {"roles": roles}}
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def world():
    folder = Path(tempfile.mkdtemp(prefix="day2-conformance-"))
    generate_stubs(folder / "stubs")
    data = folder / "data"
    seeded = subprocess.run(
        [str(EXECUTABLE), "seed", "example", "--data-dir", str(data)], check=True, capture_output=True, text=True
    )
    fleet = json.loads(seeded.stdout)
    grpc_port, http_port = free_port(), free_port()
    server = subprocess.Popen(
        [str(EXECUTABLE), "serve", "--data-dir", str(data), "--grpc-port", str(grpc_port),
         "--http-port", str(http_port), "--jwt-secret", SECRET, "--log-level", "warning"],
    )
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        grpc.channel_ready_future(channel).result(timeout=30)
    except BaseException:
        server.kill()
        raise
    from maintmgr.v1 import maintmgr_pb2, maintmgr_pb2_grpc
    import day2_health_pb2 as health_pb2
    import day2_health_pb2_grpc as health_pb2_grpc

    class World:
        pass

    w = World()
    w.fleet, w.channel, w.pb, w.db = fleet, channel, maintmgr_pb2, data / "day2.sqlite"
    w.stub = maintmgr_pb2_grpc.MaintmgrServiceStub(channel)
    w.health = health_pb2_grpc.HealthStub(channel)
    w.health_pb = health_pb2
    w.auth = [("authorization", "Bearer " + token([f"{fleet['projectId']}_en-agent-rw"]))]
    w.http_port = http_port
    yield w
    channel.close()
    server.terminate()
    assert server.wait(timeout=30) == 0, "the orchestrator did not stop cleanly on SIGTERM"


def poll(w, guid, status, **fields):
    request = w.pb.PlatformUpdateStatusRequest(
        host_guid=guid, update_status=w.pb.UpdateStatus(status_type=status, **fields)
    )
    return w.stub.PlatformUpdateStatus(request, metadata=w.auth, timeout=10)


def row(w, sql, *args):
    with sqlite3.connect(w.db) as db:
        return db.execute(sql, args).fetchone()


def instance(w, instance_id):
    return row(w, "SELECT update_status, update_status_indicator, os_id, os_update_available FROM instances WHERE resource_id = ?", instance_id)


def runs(w, instance_id):
    with sqlite3.connect(w.db) as db:
        return db.execute(
            "SELECT status, status_indicator, end_time FROM os_update_runs WHERE instance_id = ? ORDER BY start_time, resource_id",
            (instance_id,),
        ).fetchall()


OPEN = 9999999999
S = None  # set lazily: the StatusType enum


def test_health_serving(world):
    response = world.health.Check(world.health_pb.HealthCheckRequest(service="maintmgr.v1.MaintmgrService"), timeout=10)
    assert response.status == world.health_pb.HealthCheckResponse.SERVING


def test_rejections(world):
    st = world.pb.UpdateStatus
    request = world.pb.PlatformUpdateStatusRequest(host_guid=world.fleet["mutableHostUUID"], update_status=st(status_type=st.STATUS_TYPE_UP_TO_DATE))
    with pytest.raises(grpc.RpcError) as error:
        world.stub.PlatformUpdateStatus(request, timeout=10)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    forged = [("authorization", "Bearer " + token([f"{world.fleet['projectId']}_en-agent-rw"], secret="x" * 40))]
    with pytest.raises(grpc.RpcError) as error:
        world.stub.PlatformUpdateStatus(request, metadata=forged, timeout=10)
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as error:
        poll(world, "not-a-uuid", st.STATUS_TYPE_UP_TO_DATE)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as error:
        poll(world, "00000000-0000-4000-8000-000000000000", st.STATUS_TYPE_UP_TO_DATE)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_mutable_update(world):
    st, f = world.pb.UpdateStatus, world.fleet
    guid, inst = f["mutableHostUUID"], f["mutableInstanceId"]
    packages = json.dumps([{"Name": "curl", "Version": "8.5.0"}])

    response = poll(world, guid, st.STATUS_TYPE_UP_TO_DATE, os_update_available=packages)
    assert response.os_type == world.pb.PlatformUpdateStatusResponse.OS_TYPE_MUTABLE
    assert response.HasField("update_source") and response.HasField("update_schedule")
    assert response.HasField("os_profile_update_source")
    assert response.installed_packages == f["packages"]
    assert response.update_source.kernel_command == f["kernelCommand"]
    assert response.update_schedule.single_schedule.start_seconds == f["windowStart"]
    assert response.update_schedule.single_schedule.end_seconds == f["windowEnd"]
    assert response.os_profile_update_source.os_image_url == ""
    assert instance(world, inst)[:2] == ("No new updates available", "STATUS_INDICATION_IDLE")
    assert instance(world, inst)[3] == packages
    assert runs(world, inst) == []

    poll(world, guid, st.STATUS_TYPE_STARTED, os_update_available=packages)
    assert instance(world, inst)[:2] == ("Updating", "STATUS_INDICATION_IN_PROGRESS")
    assert runs(world, inst) == [("Updating", "STATUS_INDICATION_IN_PROGRESS", OPEN)]

    log = json.dumps({"update_log": [{"package_name": "tree"}, {"package_name": "curl"}]})
    poll(world, guid, st.STATUS_TYPE_UPDATED, status_detail=log)
    assert instance(world, inst)[:2] == ("Update completed", "STATUS_INDICATION_IDLE")
    (status, indicator, end), = runs(world, inst)
    assert status == "Update completed - 2 package(s) updated/installed"
    assert indicator == "STATUS_INDICATION_IDLE" and end < OPEN

    poll(world, guid, st.STATUS_TYPE_UP_TO_DATE)
    assert instance(world, inst)[:2] == ("No new updates available", "STATUS_INDICATION_IDLE")
    assert len(runs(world, inst)) == 1


def test_immutable_update(world):
    st, f = world.pb.UpdateStatus, world.fleet
    guid, inst = f["immutableHostUUID"], f["immutableInstanceId"]
    current_os = instance(world, inst)[2]

    response = poll(world, guid, st.STATUS_TYPE_UP_TO_DATE)
    assert response.os_type == world.pb.PlatformUpdateStatusResponse.OS_TYPE_IMMUTABLE
    offer = response.os_profile_update_source
    assert offer.os_image_id == f["newerImageId"] and offer.profile_name == f["profileName"]
    assert len(offer.os_image_sha) == 64 and offer.os_image_url.endswith(".raw.gz")
    assert instance(world, inst)[3] != ""  # "OS update available": the newer OS's name

    poll(world, guid, st.STATUS_TYPE_DOWNLOADING)
    assert runs(world, inst) == [("Downloading artifacts", "STATUS_INDICATION_IN_PROGRESS", OPEN)]
    poll(world, guid, st.STATUS_TYPE_DOWNLOADED)
    assert runs(world, inst)[0][0] == "Download complete"
    poll(world, guid, st.STATUS_TYPE_STARTED)
    assert runs(world, inst)[0][:2] == ("Updating", "STATUS_INDICATION_IN_PROGRESS")
    assert instance(world, inst)[2] == current_os

    response = poll(world, guid, st.STATUS_TYPE_UPDATED, profile_name=f["profileName"], os_image_id=f["newerImageId"])
    status, indicator, os_id, available = instance(world, inst)
    assert (status, indicator) == ("Update completed", "STATUS_INDICATION_IDLE")
    assert os_id == f["newerOSId"], "the current OS must switch to the image the node reported"
    assert available == ""
    assert runs(world, inst)[0][:2] == ("Update completed", "STATUS_INDICATION_IDLE") and runs(world, inst)[0][2] < OPEN
    assert response.os_profile_update_source.os_image_id == "", "the running image is never offered again"

    response = poll(world, guid, st.STATUS_TYPE_UP_TO_DATE)
    assert response.os_profile_update_source.os_image_id == ""
    assert len(runs(world, inst)) == 1


def metric(w, name):
    """A sample's value from the orchestrator's /metrics (0 when absent)."""
    import urllib.request
    deadline = time.monotonic() + 30
    while True:  # the HTTP port may open a moment after the gRPC port
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{w.http_port}/metrics", timeout=10).read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_polls_are_counted_by_status_and_result_and_timed(world):
    st = world.pb.UpdateStatus
    before = {key: metric(world, key) for key in (
        'day2_southbound_polls_total{status="up_to_date"}', 'day2_southbound_poll_results_total{result="ok"}',
        'day2_southbound_poll_results_total{result="not_found"}', "day2_southbound_poll_duration_seconds_count")}
    for _ in range(3):
        poll(world, world.fleet["mutableHostUUID"], st.STATUS_TYPE_UP_TO_DATE)
    with pytest.raises(grpc.RpcError):
        poll(world, "00000000-0000-4000-8000-000000000000", st.STATUS_TYPE_UP_TO_DATE)
    assert metric(world, 'day2_southbound_polls_total{status="up_to_date"}') - before[
        'day2_southbound_polls_total{status="up_to_date"}'] == 4
    assert metric(world, 'day2_southbound_poll_results_total{result="ok"}') - before[
        'day2_southbound_poll_results_total{result="ok"}'] == 3
    assert metric(world, 'day2_southbound_poll_results_total{result="not_found"}') - before[
        'day2_southbound_poll_results_total{result="not_found"}'] == 1
    assert metric(world, "day2_southbound_poll_duration_seconds_count") - before[
        "day2_southbound_poll_duration_seconds_count"] == 4
    # The gauge of reports waiting to be written is exported, and nothing waits once the polls are answered.
    queued = [line for line in metrics_text(world).splitlines() if line.startswith("day2_southbound_reports_queued ")]
    assert len(queued) == 1 and float(queued[0].split()[-1]) == 0, queued


def metrics_text(w):
    import urllib.request
    return urllib.request.urlopen(f"http://127.0.0.1:{w.http_port}/metrics", timeout=10).read().decode()
