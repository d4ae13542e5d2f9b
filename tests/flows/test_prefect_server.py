"""Operating the flows on a real Prefect server, as the README's "Run it every night" does: a server started
with `prefect server start`, a process work pool and worker, deployments made with `journey deploy`.

Each test is the check that would have caught a break seen in the field: the prefect CLI answered with 422
(fastapi 0.151-0.154), no scheduled run ever appeared (sqlalchemy 2.1's scheduler crash), a run with a
failed source ended Completed, the artifacts sat on a subflow, a cancelled run stayed CANCELLING.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventlogs.demo.sources import DemoFiles
from flows.artifacts import ARTIFACT_KEYS, BOTTLENECKS, HANDOVER_NORMS, LOAD_LEDGER, REPORT_LINK, RUN_SUMMARY
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES
from tests.prefect_server import PrefectServer, free_port, wait_for

pytestmark = pytest.mark.prefect_server
POOL = "journey-test-pool"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    prefect = PrefectServer(tmp_path_factory.mktemp("prefect-home"), free_port())
    try:
        prefect.start()
        created = prefect.command("prefect", "work-pool", "create", POOL, "--type", "process")
        assert created.returncode == 0, created.stdout + created.stderr
        prefect.start_worker(POOL)
        yield prefect
    finally:
        prefect.stop_all()


@pytest.fixture(scope="module")
def demo_deployment(server: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("nightly") / "demo"
    deployed = server.command("journey", "deploy", "--pool", POOL, "--out", str(out), "--journeys", "300")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    return {"deployment": server.deployment("journey-demo/demo"), "out": out}


def _said(result: Any) -> str:
    """What a command printed, on one line (the console wraps long messages)."""
    return " ".join(str(result.stdout).split())


def _ok(result: Any) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stdout}{result.stderr}"
    return str(result.stdout)


def test_the_prefect_command_line_reads_the_server(server: PrefectServer, demo_deployment: dict[str, Any]) -> None:
    for command in (("deployment", "ls"), ("flow-run", "ls"), ("artifact", "ls"), ("work-pool", "ls"), ("block", "ls")):
        _ok(server.command("prefect", *command))
    assert "journey-demo/demo" in _ok(server.command("prefect", "deployment", "ls")).replace("\n", "")


def test_a_deployment_gets_its_scheduled_runs_within_a_minute(
    server: PrefectServer, demo_deployment: dict[str, Any]
) -> None:
    deployment = demo_deployment["deployment"]
    [schedule] = deployment["schedules"]
    assert schedule["schedule"]["cron"] == "0 2 * * *"
    assert schedule["schedule"]["timezone"] == "Europe/Amsterdam"
    assert deployment["parameters"]["out"] == str(demo_deployment["out"])  # absolute: a worker runs elsewhere
    scheduled = wait_for(
        lambda: server.flow_runs(deployment["id"], "SCHEDULED"), 75, "the scheduler to create the nightly runs"
    )
    for run in scheduled:  # every one at 02:00 in Amsterdam (01:00 or 00:00 UTC)
        assert run["expected_start_time"][11:19] in {"01:00:00", "00:00:00"}, run["expected_start_time"]


def test_a_deployment_run_completes_with_its_artifacts_on_its_own_page(
    server: PrefectServer, demo_deployment: dict[str, Any]
) -> None:
    run_id = server.run_deployment("journey-demo/demo")
    state = server.wait_final(run_id, 180)
    assert state["type"] == "COMPLETED", state
    artifacts = server.artifacts(run_id)  # the run the deployment started, not a subflow
    assert set(ARTIFACT_KEYS) <= set(artifacts)
    out: Path = demo_deployment["out"]
    report = out / "report.html"
    assert report.exists()
    assert report.as_uri() in artifacts[REPORT_LINK]["data"]
    assert report.as_uri() in artifacts[RUN_SUMMARY]["data"]
    truth = json.loads((out / "sources" / "ground_truth.json").read_text())
    top = json.loads(artifacts[BOTTLENECKS]["data"])[0]
    assert top["rank"] == 1 and top["name"] == truth["worst_handover"].replace(" -> ", " → ")
    ledger = json.loads(artifacts[LOAD_LEDGER]["data"])
    assert {row["source"] for row in ledger} == {"ticketing", "logistics"}
    for row in ledger:
        assert row["read"] == row["loaded"] + row["rejected"] + row["already loaded"] and row["loaded"] > 0
    norms = json.loads(artifacts[HANDOVER_NORMS]["data"])
    designed = {(row["from_department"], row["to_department"]) for row in norms if row["designed"]}
    assert ("Management", "Procurement") in designed


def test_a_missing_source_fails_the_run_and_the_summary_names_it(
    server: PrefectServer, small_demo: DemoFiles, tmp_path: Path
) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    shutil.copy(small_demo.ticketing, data)  # the carrier's tracking export did not arrive tonight
    out = tmp_path / "out"
    _ok(
        server.command(
            "journey",
            "deploy",
            "--config",
            str(DEMO_SOURCE_CONFIG),
            "--data",
            str(data),
            "--journey",
            str(DEMO_DESIGNED_JOURNEY),
            "--time-rules",
            str(DEMO_TIME_RULES),
            "--out",
            str(out),
            "--pool",
            POOL,
            "--name",
            "missing-tracking",
            "--retries",
            "0",
        )
    )
    run_id = server.run_deployment("journey-mining/missing-tracking")
    state = server.wait_final(run_id, 180)
    assert state["type"] == "FAILED", state
    assert "logistics" in state["message"] and "logistics_tracking.csv does not exist" in state["message"]
    artifacts = server.artifacts(run_id)
    summary = artifacts[RUN_SUMMARY]["data"]
    assert "Sources that failed" in summary and "**logistics**" in summary
    # the other source was loaded and reported all the same
    ledger = json.loads(artifacts[LOAD_LEDGER]["data"])
    assert [row["source"] for row in ledger if "loaded" in row] == ["ticketing"]
    assert (out / "report.html").exists()


def test_a_cancelled_run_stops_and_ends_cancelled(
    server: PrefectServer, demo_deployment: dict[str, Any], tmp_path: Path
) -> None:
    # a big organisation to simulate: the run is still busy when it is cancelled
    run_id = server.run_deployment("journey-demo/demo", journeys=400_000, out=str(tmp_path / "long"))
    wait_for(lambda: server.state_of(run_id)["type"] == "RUNNING", 90, "the long run to start", every=1)
    _ok(server.command("prefect", "flow-run", "cancel", run_id))
    state = server.wait_final(run_id, 60)
    assert state["type"] == "CANCELLED", state
    assert not (tmp_path / "long" / "report.html").exists()


def test_deployment_names_never_collide(server: PrefectServer, demo_deployment: dict[str, Any], tmp_path: Path) -> None:
    _ok(server.command("prefect", "work-pool", "create", "other-pool", "--type", "process"))
    out = str(demo_deployment["out"])
    elsewhere = server.command("journey", "deploy", "--pool", "other-pool", "--out", out, "--journeys", "300")
    assert elsewhere.returncode == 1 and "run by work pool 'journey-test-pool'" in _said(elsewhere)
    # `journey serve` under the pool deployment's name is refused before it serves anything
    served = server.command("journey", "serve", "--name", "demo", "--out", out, "--journeys", "300")
    assert served.returncode == 1 and "not `journey serve`" in _said(served)
    other_out = server.command("journey", "deploy", "--pool", POOL, "--out", str(tmp_path / "x"), "--journeys", "300")
    assert other_out.returncode == 1 and "--replace" in _said(other_out)
    # deploying the same again is an update, safe to repeat
    _ok(server.command("journey", "deploy", "--pool", POOL, "--out", out, "--journeys", "300"))
    assert server.deployment("journey-demo/demo")["id"] == demo_deployment["deployment"]["id"]
