"""End to end with real processes, without and with faults: `scripts/fault-run.py` in a small configuration.

One `day2-agent --simulate` process per node downloads its image over HTTP from the built-in Release Service
(`--release-dir`, profiles published with `day2-orchestrator release publish` and discovered by the OS Resource
Manager) and reports over gRPC. `restart`: the SQLite orchestrator is killed with SIGKILL whenever the inventory shows
open runs and progress, and restarted. `replicas`: two orchestrators on one PostgreSQL behind a loopback balancer;
the busiest is killed and stays down. `plain`: no fault, over TLS (the agent's end-to-end test over real sockets:
download, verify, write, boot, commit; a tampered image and a failed boot end FAILED). Each node's own final state (slots, boot loader, package database on disk) must
equal the inventory's: current OS, update status, one closed run per attempt with the node's outcome and reason.
"""

import argparse
import importlib.util
import os

import pytest

from conftest import EXECUTABLE, ROOT

spec = importlib.util.spec_from_file_location("fault_run", ROOT / "scripts" / "fault-run.py")
fault_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fault_run)

AGENT = EXECUTABLE.parent / "day2-agent"


def arguments(**overrides):
    values = dict(nodes=6, kills=3, down_seconds=2, timeout=180, keep=False, tls=False)
    values.update(overrides)
    return argparse.Namespace(**values)


def test_agents_update_over_tls_from_the_builtin_release_service_and_failures_keep_the_old_os():
    # gRPC and HTTPS with a private CA the agents trust through caFile, as on a real network.
    assert fault_run.run_scenario("plain", arguments(tls=True), EXECUTABLE, AGENT)


def test_killing_the_embedded_orchestrator_mid_rollout_loses_nothing():
    assert fault_run.run_scenario("restart", arguments(), EXECUTABLE, AGENT)


def test_killing_the_orchestrator_during_a_three_wave_rollout_keeps_every_host_in_its_wave():
    assert fault_run.run_scenario("rollout", arguments(), EXECUTABLE, AGENT)


@pytest.mark.skipif(not os.environ.get("DAY2_TEST_POSTGRES_URL") and os.environ.get("DAY2_SKIP_POSTGRES") == "1",
                    reason="DAY2_SKIP_POSTGRES=1 (a local SQLite-only run; never set in CI)")
def test_killing_one_of_two_replicas_mid_rollout_loses_nothing():
    assert fault_run.run_scenario("replicas", arguments(kills=1), EXECUTABLE, AGENT)
