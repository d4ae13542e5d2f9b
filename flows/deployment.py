"""Deployments of the flows on a Prefect server: one's own source configuration or the demo, on a schedule,
either registered for a work pool's workers (`journey deploy`) or served by one process (`journey serve`).

Every path is made absolute here: a worker runs the flow in a folder of its own. The flow is deployed by
module path (`flows.journey_flow.journey_flow`), so any worker started from this project's environment
runs it without pulling code. A name already taken by another way of running or by other parameters is
refused, never silently taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError

SERVED_SUFFIX = "-served"


@dataclass(frozen=True)
class DeploymentPlan:
    """What to register: which flow, under which name, with which parameters, on which schedule."""

    flow_name: str  # "journey-mining" or "journey-demo"
    name: str
    parameters: dict[str, Any]
    cron: str
    timezone: str

    @property
    def full_name(self) -> str:
        return f"{self.flow_name}/{self.name}"


@dataclass(frozen=True)
class Retries:
    """How often, and how long apart, a failing source's extraction is tried again within a run."""

    count: int = 2
    delay_seconds: float = 10

    def parameters(self) -> dict[str, Any]:
        return {"extract_retries": self.count, "extract_retry_delay_seconds": self.delay_seconds}


def _existing_file(path: Path, option: str) -> str:
    if not path.is_file():
        raise ConfigError(f"{option} {path}: no such file")
    return str(path.resolve())


def _check_schedule(cron: str, timezone: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule  # Prefect's own checks of both
    from pydantic import ValidationError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"--timezone {timezone!r} is not a time zone such as Europe/Amsterdam") from error
    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as error:
        raise ConfigError(f"--cron {cron!r} is not a cron expression such as '0 2 * * *'") from error


def default_name(config: Path | None, served: bool) -> str:
    """`<config file stem>` (or `demo`), with `-served` for `journey serve`: the two ways of running never
    share a default name."""
    base = config.stem if config is not None else "demo"
    return base + SERVED_SUFFIX if served else base


def journey_plan(
    config: Path,
    store: Path,
    out: Path,
    cron: str,
    timezone: str,
    data: Path | None,
    journey: Path | None,
    time_rules: Path | None,
    name: str,
    retries: Retries,
) -> DeploymentPlan:
    """A plan for one's own sources; the configuration, design and time rules are read now, so a broken
    file is reported at deploy time, not at 2 a.m."""
    from eventlogs.demo.files import DEMO_DESIGNED_JOURNEY
    from mining.design.load import load_designed_journey
    from mining.scope.time_rules import load_time_rules

    _check_schedule(cron, timezone)
    config_file = _existing_file(config, "--config")
    data_folder = (data or config.parent).resolve()
    if not data_folder.is_dir():
        raise ConfigError(f"--data {data_folder}: no such folder")
    load_source_config(Path(config_file), data_folder)
    design = _existing_file(journey, "--journey") if journey else str(DEMO_DESIGNED_JOURNEY)
    load_designed_journey(Path(design))
    rules = _existing_file(time_rules, "--time-rules") if time_rules else None
    if rules:
        load_time_rules(Path(rules))
    parameters = {
        "config_file": config_file,
        "data_folder": str(data_folder),
        "designed_journey": design,
        "out": str(out.resolve()),
        "store": str(store.resolve()),
        "time_rules": rules,
        **retries.parameters(),
    }
    return DeploymentPlan("journey-mining", name, parameters, cron, timezone)


def demo_plan(
    out: Path,
    cron: str,
    timezone: str,
    journeys: int,
    name: str,
    retries: Retries,
    seed: int = 7,
) -> DeploymentPlan:
    _check_schedule(cron, timezone)
    parameters = {"out": str(out.resolve()), "journeys": journeys, "seed": seed, **retries.parameters()}
    return DeploymentPlan("journey-demo", name, parameters, cron, timezone)


def _flow(plan: DeploymentPlan) -> Any:
    from flows.journey_flow import demo_flow, journey_flow

    return demo_flow if plan.flow_name == "journey-demo" else journey_flow


def _refuse_takeover(plan: DeploymentPlan, work_pool: str | None, replace: bool) -> None:
    """A deployment of that name run another way (served vs a pool, another pool) or with other
    parameters is someone else's: say so instead of replacing it."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_deployment_by_name(plan.full_name)
        except ObjectNotFound:
            return
    runs_by = f"work pool {existing.work_pool_name!r}" if existing.work_pool_name else "`journey serve`"
    wanted = f"work pool {work_pool!r}" if work_pool else "`journey serve`"
    if existing.work_pool_name != work_pool:
        raise ConfigError(
            f"deployment {plan.full_name!r} exists and is run by {runs_by}, not {wanted}: choose another --name"
        )
    if dict(existing.parameters) != plan.parameters and not replace:
        raise ConfigError(
            f"deployment {plan.full_name!r} exists with other parameters (config, store or output folder): "
            "choose another --name, or pass --replace to update it"
        )


def deploy(plan: DeploymentPlan, work_pool: str, replace: bool = False) -> UUID:
    """Registers (or updates) the deployment for `work_pool`'s workers on the server in PREFECT_API_URL."""
    from prefect.deployments.runner import EntrypointType
    from prefect.deployments.runner import deploy as prefect_deploy
    from prefect.schedules import Cron

    _refuse_takeover(plan, work_pool, replace)
    deployment = _flow(plan).to_deployment(
        name=plan.name,
        schedule=Cron(plan.cron, timezone=plan.timezone),
        parameters=plan.parameters,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description=f"journey-mining on a schedule ({plan.cron}, {plan.timezone})",
    )
    try:
        # sync_compatible: called outside an event loop it runs to the end and returns the ids, no coroutine
        ids = cast(
            list[UUID],
            prefect_deploy(deployment, work_pool_name=work_pool, print_next_steps_message=False, ignore_warnings=True),
        )
    except ValueError as error:  # Prefect says so when the work pool does not exist
        raise ConfigError(str(error)) from error
    return ids[0]


def serve(plan: DeploymentPlan, replace: bool = False) -> None:
    """Serves the schedule from this process until it is stopped (no work pool or worker needed)."""
    from prefect.schedules import Cron

    _refuse_takeover(plan, None, replace)
    _flow(plan).serve(name=plan.name, schedule=Cron(plan.cron, timezone=plan.timezone), parameters=plan.parameters)
