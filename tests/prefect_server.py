"""A real `prefect server start` (not the temporary in-process one) and a process worker, for the tests that
operate the flows as a data engineer does. Each runs in its own process group and is stopped by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent  # the environment the tests run in: prefect and journey are installed there


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 1.0) -> Any:
    """Polls `condition` until it returns something truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group the process leads, SIGKILL if it is still there after 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class PrefectServer:
    """A server on 127.0.0.1 with its own PREFECT_HOME; `env` points commands at it."""

    home: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PM4PY_SHOW_PROGRESS_BAR": "False",
        }

    def start(self) -> None:
        log = (self.home / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._healthy, 90, f"the Prefect server on port {self.port} ({self.home / 'server.log'})")

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the Prefect server exited: {(self.home / 'server.log').read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """A command from the test environment's bin folder (prefect, journey) against this server."""
        return subprocess.run(
            [str(BIN / args[0]), *args[1:]], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def start_worker(self, pool: str) -> subprocess.Popen[bytes]:
        log = (self.home / f"worker-{pool}.log").open("wb")
        worker = subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", pool],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        for process in [*self.started, *([self.process] if self.process else [])]:
            stop(process)

    # --- the REST API, as a dashboard or an automation reads it
    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.api}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.api}{path}", timeout=30)
        response.raise_for_status()
        return response.json()

    def deployment(self, full_name: str) -> dict[str, Any]:
        flow, name = full_name.split("/")
        return dict(self.get(f"/deployments/name/{flow}/{name}"))

    def flow_runs(self, deployment_id: str, state: str | None = None) -> list[dict[str, Any]]:
        runs: dict[str, Any] = {"deployment_id": {"any_": [deployment_id]}}
        if state:
            runs["state"] = {"type": {"any_": [state]}}
        return list(self.post("/flow_runs/filter", {"flow_runs": runs}))

    def state_of(self, flow_run_id: str) -> dict[str, Any]:
        return dict(self.get(f"/flow_runs/{flow_run_id}")["state"])

    def artifacts(self, flow_run_id: str) -> dict[str, dict[str, Any]]:
        found = self.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
        return {artifact["key"]: artifact for artifact in found}

    def run_deployment(self, full_name: str, **parameters: Any) -> str:
        """Starts a run now, as `prefect deployment run` does; returns the flow run's id."""
        deployment = self.deployment(full_name)
        run = self.post(f"/deployments/{deployment['id']}/create_flow_run", {"parameters": parameters})
        return str(run["id"])

    def wait_final(self, flow_run_id: str, timeout: float) -> dict[str, Any]:
        def final() -> dict[str, Any] | None:
            state = self.state_of(flow_run_id)
            return state if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None

        return dict(wait_for(final, timeout, f"flow run {flow_run_id} to end", every=2))
