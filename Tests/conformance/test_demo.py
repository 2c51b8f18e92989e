"""`day2-orchestrator demo` as a newcomer runs it, checked from the outside.

The demo runs as a subprocess with 4 simulated nodes (one set to fail its first boot), a window two seconds after
the fleet exists and fast polls. The immutable nodes update in a rollout whose canary holds the failing node, so the
rollout pauses; the test resumes it with a plain REST call when the terminal says so (as an operator would). It reads
its standard output until the "rollout complete" line (and the lines after it, which say where to look), then asks the
REST API with plain HTTP (urllib, a token from the embedded token endpoint) whether the hosts were updated, the
failing node rolled back and no update run is left open; Ctrl-C (SIGINT) must stop it cleanly. Bad demo flags
must stop it at once, naming the flag.
"""

import json
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import EXECUTABLE, OPEN_END_TIME_UINT32, free_port

PASSWORD = "demo-conformance-pw-0123"
OLDER, NEWER = "3.0.20250801.0900", "3.0.20251104.1200"


class Demo:
    """A running `day2-orchestrator demo` whose standard output is collected line by line."""

    def __init__(self, folder: Path, nodes=4, fail_nodes=1):
        self.http_port, self.grpc_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.log_path = folder / "stderr.log"
        self._log = open(self.log_path, "wb")
        self.lines = []
        self.complete = threading.Event()
        self.paused = threading.Event()
        self.resumed = None
        self.process = subprocess.Popen(
            [str(EXECUTABLE), "demo", "--nodes", str(nodes), "--fail-nodes", str(fail_nodes), "--window-in", "2s",
             "--poll-interval", "500ms", "--data-dir", str(folder / "state"), "--http-port", str(self.http_port),
             "--grpc-port", str(self.grpc_port), "--admin-password", PASSWORD],
            stdout=subprocess.PIPE, stderr=self._log, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if " PAUSED: " in line:
                self.paused.set()
            # The "rollout complete" line comes first, then where to look, ending with this line.
            if line.startswith("Serving until Ctrl-C."):
                self.complete.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self, sig=signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = -9
        self._reader.join(timeout=5)
        self._log.close()
        return code

    def get(self, path, token):
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def post(self, path, token):
        request = urllib.request.Request(self.base + path, data=b"{}", method="POST",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def token(self) -> str:
        form = urllib.parse.urlencode({"grant_type": "password", "username": "admin", "password": PASSWORD}).encode()
        request = urllib.request.Request(self.base + "/realms/master/protocol/openid-connect/token", data=form)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["access_token"]


@pytest.fixture(scope="module")
def demo():
    folder = Path(tempfile.mkdtemp(prefix="day2-demo-"))
    running = Demo(folder)
    try:
        # The failing canary pauses the rollout: resume it once, as the terminal says.
        if running.paused.wait(timeout=90):
            rollout = next(line.split()[1] for line in running.lines if " PAUSED: " in line)
            running.resumed = running.post(f"/v1/projects/default/rollouts/{rollout}/resume", running.token())
        if not running.complete.wait(timeout=120):
            code = running.stop(signal.SIGKILL)
            pytest.fail(f"no 'rollout complete' and 'Serving until Ctrl-C.' within 120 s (exit {code}):\n{running.output}\n"
                        f"{running.log_path.read_text(errors='replace')[-4000:]}")
        yield running
    finally:
        if running.process.poll() is None:
            running.stop(signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_terminal_shows_progress_then_where_to_look(demo):
    text = demo.output
    assert "4 simulated edge nodes" in text, text
    assert "UPDATING" in text and "UP_TO_DATE" in text, text
    assert "UPDATED 3  FAILED 1" in text, text
    assert "PAUSED: wave 1: 1 of 2 hosts failed, above the failure threshold of 0 %" in text, text
    assert "day2ctl rollouts resume rollout-" in text, text
    assert demo.resumed is not None and demo.resumed["state"] == "ROLLOUT_STATE_RUNNING", demo.resumed
    assert "SUCCEEDED" in text, text
    assert "rollout complete: 3 UPDATED, 1 FAILED (1 rolled back to the old image)" in text, text
    assert "the inventory agrees with every node" in text, text
    assert f"{demo.base}/ui" in text and "the password given with --admin-password" in text, text
    assert PASSWORD not in text, "a password the operator chose is not printed"
    assert "day2ctl list hosts" in text and "Serving until Ctrl-C." in text, text


def test_the_rest_api_shows_the_hosts_updated(demo):
    token = demo.token()
    hosts = demo.get("/v1/projects/default/compute/hosts?pageSize=100", token)["hosts"]
    assert sorted(h["name"] for h in hosts) == ["emt-berlin-001", "emt-paris-002", "emt-toronto-004",
                                                "ubuntu-chicago-003"], hosts
    failing = [line.split()[0] for line in demo.lines if "did not boot the new image" in line]
    assert len(failing) == 1 and failing[0].startswith("emt-"), demo.output
    # The failing node was in the canary, the rollout's first wave.
    rollout = demo.get("/v1/projects/default/rollouts", token)["rollouts"][0]
    assert rollout["state"] == "ROLLOUT_STATE_SUCCEEDED", rollout
    canary = demo.get(f"/v1/projects/default/rollouts/{rollout['resourceId']}/hosts?wave=1", token)["hosts"]
    assert failing[0] in [h["hostName"] for h in canary], canary
    instances = {i["name"]: i for i in demo.get("/v1/projects/default/compute/instances?pageSize=100", token)["instances"]}
    runs = demo.get("/v1/projects/default/os-update-runs?pageSize=100", token)["osUpdateRuns"]
    by_instance = {}
    for run in runs:
        assert run["endTime"] != OPEN_END_TIME_UINT32, f"an update run is still open: {run}"
        by_instance.setdefault(run["instance"]["resourceId"], []).append(run)
    for name, instance in instances.items():
        own = by_instance.get(instance["resourceId"], [])
        statuses = [run["status"] for run in own]
        if name in failing:
            assert instance["currentOs"]["imageId"] == OLDER, instance
            assert instance["updateStatus"] == "Update failed", instance
            assert any(run["status"] == "Update failed" and "rolledback" in run["statusDetails"] for run in own), own
        elif name.startswith("emt-"):
            assert instance["currentOs"]["imageId"] == NEWER, (name, instance["currentOs"])
            assert any(s.startswith("Update completed") for s in statuses), (name, statuses)
        else:
            assert instance["currentOs"]["profileName"] == "ubuntu-22.04-lts-generic", instance
            assert any(s.startswith("Update completed") for s in statuses), (name, statuses)


def test_the_os_profiles_came_from_the_builtin_release_service(demo):
    token = demo.token()
    os_resources = demo.get("/v1/projects/default/compute/os?pageSize=100", token)["OperatingSystemResources"]
    assert sorted(o["imageId"] for o in os_resources) == sorted([OLDER, NEWER, "22.04.5"]), os_resources
    newer = next(o for o in os_resources if o["imageId"] == NEWER)
    with urllib.request.urlopen(f"{demo.base}/release/files/{newer['imageUrl']}", timeout=10) as response:
        assert response.status == 200
        assert response.headers["X-Checksum-Sha256"] == newer["sha256"]
    with urllib.request.urlopen(f"{demo.base}/ui/", timeout=10) as response:
        assert response.status == 200 and "text/html" in response.headers["Content-Type"]


def test_ctrl_c_stops_the_demo_cleanly(demo):
    code = demo.stop(signal.SIGINT)
    assert code == 0, f"exit {code}:\n{demo.log_path.read_text(errors='replace')[-4000:]}"


@pytest.mark.parametrize("args, flag", [
    (["--nodes", "0"], "--nodes"),
    (["--nodes", "4", "--fail-nodes", "4"], "--fail-nodes"),
    (["--window-in", "soon"], "--window-in"),
    (["--poll-interval", "0s"], "--poll-interval"),
    (["--database", "postgres://day2@127.0.0.1:1/day2"], "--database"),
    (["--http-port", "99999"], "--http-port (httpPort): must be a port number"),
])
def test_a_bad_flag_stops_the_demo_naming_the_flag(args, flag, tmp_path):
    result = subprocess.run([str(EXECUTABLE), "demo", "--data-dir", str(tmp_path / "state"), *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0, result
    assert flag in result.stderr, result.stderr
    assert not (tmp_path / "state").exists(), "nothing is created before the flags are checked"


def test_a_folder_the_demo_did_not_make_is_left_alone(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = subprocess.run([str(EXECUTABLE), "demo", "--data-dir", str(folder), "--http-port", "0", "--grpc-port", "0"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "--data-dir" in result.stderr, result
    assert (folder / "notes.txt").read_text() == "keep me"
