"""The Prefect flow end to end, under Prefect's test harness (one server for the whole session)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows import artifacts
from flows.journey_flow import demo_flow
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES
from mining.scope.provenance import PARQUET_KEY


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.mark.prefect
def test_demo_flow_writes_report_naming_the_true_worst_handover(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summaries = _record_run_summaries(monkeypatch)
    out = tmp_path / "demo"
    outcome = demo_flow(out=str(out), journeys=500, seed=3)
    truth = json.loads((out / "sources" / "ground_truth.json").read_text())
    report = Path(outcome["report"]).read_text()
    worst = truth["worst_handover"].replace(" -> ", " → ")
    assert outcome["bottleneck"].startswith(worst)
    assert f'id="top-bottleneck">{worst}' in report
    assert "<svg" in report and "http://" not in report.split("<svg", 1)[0]  # self-contained head
    for table in ("variants", "directly_follows", "handovers_department", "handover_norms", "conformance", "rejects"):
        assert (out / "tables" / f"{table}.parquet").exists()
    # outputs are meant to be shared: no raw caller name (the demo's callers are employee00001...) in any
    # table or the report; raw rejected records stay in the store
    assert "record" not in pd.read_parquet(out / "tables" / "rejects.parquet").columns
    for path in (out / "tables").glob("*.parquet"):
        text = pd.read_parquet(path).astype(str).to_csv()
        assert "employee0" not in text, path
    assert "employee0" not in report
    # the conformance section: the weighted fitness of the written table, and the deviating variants
    fitness = pd.read_parquet(out / "tables" / "conformance.parquet").loc[0, "fitness"]
    assert 'id="conformance"' in report and f"<b>{fitness:.2f}</b>" in report
    assert 'id="conformance-variants"' in report
    # the demo configuration names a pilot: its section is in the report, its verdict and files beside it
    assert 'id="pilot"' in report and outcome["pilot_verdict"][0].startswith("Median lead time")
    assert "Management → Procurement" in (out / "pilot" / "pilot.md").read_text()
    # the flow run again over the same sources adds no event
    with duckdb.connect(outcome["store"], read_only=True) as connection:
        before = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    again = demo_flow(out=str(out), journeys=500, seed=3)
    with duckdb.connect(again["store"], read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == before
        assert connection.execute("SELECT count(DISTINCT run_id) FROM load_runs").fetchone()[0] == 2
        # the result tables are written back into the store, replaced by the second run, not doubled
        norms = pd.read_parquet(out / "tables" / "handover_norms.parquet")
        assert connection.execute("SELECT count(*) FROM results.handover_norms").fetchone()[0] == len(norms)
        first_event, last_event = connection.execute("SELECT min(ts), max(ts) FROM events").fetchone()
    # every output says what it was made from: both load runs, the period, the three configuration files
    made_from = json.loads((out / "tables" / "provenance.json").read_text())
    assert [run["run_id"] for run in made_from["load_runs"]] == [outcome["run_id"], again["run_id"]]
    assert (made_from["first_event"], made_from["last_event"]) == (
        first_event.astimezone(UTC).isoformat(),
        last_event.astimezone(UTC).isoformat(),
    )
    assert {file["name"]: file["sha256"] for file in made_from["config_files"]} == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (DEMO_SOURCE_CONFIG, DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES)
    }
    for path in (out / "tables").glob("*.parquet"):
        assert json.loads(pq.read_schema(path).metadata[PARQUET_KEY]) == made_from, path
    header = Path(again["report"]).read_text().split("</header>", 1)[0]
    pilot_header = (out / "pilot" / "pilot.html").read_text().split("</header>", 1)[0]
    for run in (outcome["run_id"], again["run_id"]):
        assert run in header and run in pilot_header and run in summaries[-1].split("## Made from", 1)[1]
    assert hashlib.sha256(DEMO_SOURCE_CONFIG.read_bytes()).hexdigest()[:12] in header


def _record_run_summaries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The run summaries the flow publishes, in order (published as well)."""
    summaries: list[str] = []
    publish = artifacts.create_markdown_artifact

    def recording(**arguments: Any) -> Any:
        if arguments.get("key") == artifacts.RUN_SUMMARY:
            summaries.append(arguments["markdown"])
        return publish(**arguments)

    monkeypatch.setattr(artifacts, "create_markdown_artifact", recording)
    return summaries


@pytest.mark.prefect
def test_a_failing_source_does_not_stop_the_others(
    prefect_harness, small_demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventlogs.errors import SourcesFailedError
    from flows.journey_flow import journey_flow
    from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG

    temporary = tmp_path / "tmp"  # where the staging folder goes: to see that the failed run removed it
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    data = tmp_path / "data"
    data.mkdir()
    (data / "ticketing.sqlite").write_bytes(small_demo.ticketing.read_bytes())  # the tracking export is missing
    state = journey_flow(
        str(DEMO_SOURCE_CONFIG),
        str(data),
        str(DEMO_DESIGNED_JOURNEY),
        str(tmp_path / "out"),
        extract_retries=0,
        return_state=True,
    )
    assert state.is_failed() and "logistics" in str(state.message)  # an automation on failure fires
    failure = state.result(raise_on_failure=False)
    assert isinstance(failure, SourcesFailedError)
    outcome = failure.outcome
    assert list(outcome["failed_sources"]) == ["logistics"]
    assert "logistics_tracking.csv does not exist" in outcome["failed_sources"]["logistics"]
    with duckdb.connect(outcome["store"], read_only=True) as connection:
        sources = dict(connection.execute("SELECT source, rows_loaded FROM load_runs").fetchall())
    assert set(sources) == {"ticketing"} and sources["ticketing"] > 0
    assert Path(outcome["report"]).exists()
    # staged records (rejects not yet pseudonymised) never land in the output folder, and are removed
    assert not (tmp_path / "out" / "staging").exists()
    assert not list(temporary.glob("journey-staging-*"))
