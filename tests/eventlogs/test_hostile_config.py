"""Trust under hostile and careless input: names from a configuration and conditions from a user reach
SQL and file names only in a form that cannot run SQL of their own, read files or write elsewhere."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventlogs.check import check_sources
from eventlogs.conditions import ConditionError, check_condition
from eventlogs.errors import ConfigError
from eventlogs.extract import extract_source
from eventlogs.pipeline import extract_and_load
from eventlogs.sources.event_log.connector import EventLogSource
from flows.cli import app
from tests.conftest import event_row, hand_made_store, journey_row

LOG = "case,activity,time\nc1,Open,2026-03-02T09:00:00Z\nc1,Close,2026-03-02T11:30:00Z\nc2,Open,2026-03-03T08:00:00Z\n"


def _config(name: str, pseudonymise: bool = True) -> str:
    """A CSV event log source under `name` (a TOML basic string: quotes and backslashes escaped)."""
    key = json.dumps(name)  # a JSON string is a valid TOML basic string
    return (
        f'[sources.{key}]\nkind = "csv_event_log"\npath = "log.csv"\njourney_type = "ticket"\n'
        f"pseudonymise_resources = {str(pseudonymise).lower()}\n"
        f'[sources.{key}.fields]\njourney_id = "case"\nactivity = "activity"\ntimestamp = "time"\n'
    )


def _load(folder: Path, name: str, pseudonymise: bool = True) -> Path:
    (folder / "log.csv").write_text(LOG)
    (folder / "sources.toml").write_text(_config(name, pseudonymise))
    store = folder / "store.duckdb"
    extract_and_load(folder / "sources.toml", store)
    return store


def _sources(store: Path) -> list[tuple[str, int]]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute("SELECT source, count(*) FROM events GROUP BY source").fetchall()


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_a_source_name_cannot_run_sql_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pseudonymise) -> None:
    # the payload writes a relative file, so that the name holds no '/' and reaches the SQL as it is
    monkeypatch.chdir(tmp_path)
    name = "x' (FORMAT parquet); COPY (SELECT 'pwned' AS p) TO 'pwned.csv'; --"
    try:
        store = _load(tmp_path, name, pseudonymise)
    finally:  # checked even when the load fails: the injected COPY would have run before the failure
        assert not (tmp_path / "pwned.csv").exists()
    assert _sources(store) == [(name, 3)]  # the three events of the log, under the name as written


def test_a_source_name_with_a_path_in_its_payload_is_refused_at_load(tmp_path: Path) -> None:
    target = tmp_path / "pwned.csv"
    name = f"x' (FORMAT parquet); COPY (SELECT 'pwned' AS p) TO '{target}'; --"
    with pytest.raises(ConfigError, match=r"sources\.toml:1: \[sources\] source name .* path separator"):
        _load(tmp_path, name, pseudonymise=False)
    assert not target.exists()


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_o_brien_loads_with_its_events_under_its_name(tmp_path: Path, pseudonymise: bool) -> None:
    store = _load(tmp_path, "O'Brien", pseudonymise)
    assert _sources(store) == [("O'Brien", 3)]
    with duckdb.connect(str(store), read_only=True) as connection:
        journeys = connection.execute("SELECT source, journey_id FROM journeys ORDER BY journey_id").fetchall()
    assert journeys == [("O'Brien", "c1"), ("O'Brien", "c2")]


def test_o_brien_is_checked_and_tracked_under_its_name(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(LOG.replace("c1", "C1"))
    (tmp_path / "scans.csv").write_text(
        "shipment_id,order_ref,event_code,event_time,depot\n"
        "s1,c1,RCV,2026-03-02T10:00:00+00:00,Venlo\n"
        "s1,c1,XXX,2026-03-02T10:30:00+00:00,Venlo\n"
    )
    tracking = (
        '[sources."Carrier\'s scans"]\nkind = "tracking_csv"\npath = "scans.csv"\ncorrelates_with = "O\'Brien"\n'
        '[sources."Carrier\'s scans".event_codes]\nRCV = { activity = "Received", department = "Warehouse" }\n'
    )
    (tmp_path / "sources.toml").write_text(_config("O'Brien") + tracking)
    checks = {check.source: check for check in check_sources(tmp_path / "sources.toml")}
    assert {name: (check.problem, check.events) for name, check in checks.items()} == {
        "O'Brien": (None, 3),
        "Carrier's scans": (None, 1),
    }
    assert checks["Carrier's scans"].uncorrelated == 0  # C1 is a journey of O'Brien
    store = tmp_path / "store.duckdb"
    extract_and_load(tmp_path / "sources.toml", store)
    assert sorted(_sources(store)) == [("Carrier's scans", 1), ("O'Brien", 3)]
    with duckdb.connect(str(store), read_only=True) as connection:
        rejects = connection.execute("SELECT source, source_row FROM rejects").fetchall()
    assert rejects == [("Carrier's scans", "line 3")]  # the unknown event code


@pytest.mark.parametrize("where", ["absolute", "../../escaped", "..", "a\\b"])
def test_a_source_name_cannot_stage_outside_the_staging_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # staging goes to a temporary folder two levels below tmp_path: '../../escaped' would land in tmp_path
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    name = str(tmp_path / "absolute") if where == "absolute" else where
    with pytest.raises(ConfigError, match=r"sources\.toml:1: \[sources\] source name "):
        _load(tmp_path, name)
    assert not (tmp_path / "absolute").exists() and not (tmp_path / "escaped").exists()
    assert list(temporary.iterdir()) == []  # not even a staging folder was begun


def test_a_source_built_in_code_cannot_stage_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(LOG)
    source = EventLogSource(
        name="../escaped",
        kind="csv_event_log",
        path=tmp_path / "log.csv",
        journey_type="ticket",
        journey_id="case",
        activity=("activity",),
        timestamp="time",
        resource=None,
        team=None,
        department=None,
        timestamp_format=None,
        timezone="UTC",
        activity_separator=" - ",
        cases_complete=True,
    )
    staging = tmp_path / "staging"
    with pytest.raises(ConfigError, match=r"source name '\.\./escaped' must not hold a path separator"):
        extract_source(source, staging / source.name)
    assert not (tmp_path / "escaped").exists()


COLUMNS = ["journey_id", "region", "priority", "opened_at", "attributes"]


@pytest.mark.parametrize(
    "condition",
    [
        "region = 'North'",
        "region IN ('North', 'South') AND NOT priority IS NULL",
        "region LIKE 'N%' OR region NOT ILIKE 's%'",
        "priority::INTEGER BETWEEN 1 AND 3 AND opened_at >= DATE '2026-03-01'",
        "attributes->>'region' = 'North' AND region IS NOT NULL AND (region <> 'x') = TRUE",
        "REGION = 'North' -- a comment after the condition is harmless",
        "region = 'a--b;c'",  # a ';' or '--' inside a literal is text
    ],
)
def test_conditions_over_the_columns_are_accepted_as_written(condition: str) -> None:
    checked = check_condition(condition, COLUMNS, "pilot_group")
    assert checked == f"(\n{condition}\n)"
    # the checked text runs as a condition: its trailing comment cannot swallow what follows it
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE TABLE t AS SELECT 'j' AS journey_id, 'North' AS region, '2' AS priority, "
            "TIMESTAMP '2026-03-02' AS opened_at, '{\"region\": \"North\"}'::JSON AS attributes"
        )
        assert connection.execute(f"SELECT count(*) FROM t WHERE {checked} AND FALSE").fetchone() == (0,)


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        ("EXISTS (SELECT * FROM read_csv('/etc/passwd'))", "subquery not allowed: EXISTS(SELECT * FROM read_csv("),
        ("CAST((SELECT content FROM read_text('/etc/hostname')) AS INTEGER) = 1", "subquery not allowed: (SELECT"),
        ("region = (SELECT max(region) FROM journeys)", "subquery not allowed: (SELECT max(region)"),
        ("region IN ('North', (SELECT 'x'))", "subquery not allowed"),
        ("region IN (SELECT content FROM read_text('/etc/hostname'))", "subquery not allowed"),
        ("region IN ('North', read_text('/etc/hostname'))", "function read_text not allowed"),
        ("NOT (region = 'a' AND getenv('HOME') = 'x')", "function getenv not allowed"),
        ("region = 'North' AND 1 = 1) OR (EXISTS (SELECT 1)", "subquery not allowed"),
        ("region = 'North'; COPY (SELECT 1) TO 'pwned.csv'", "not a single SQL condition"),
        ("region = 'North'); COPY (SELECT 1) TO 'pwned.csv'; --", "not a single SQL condition"),
        ("region = 'North') GROUP BY (region", "only a condition is allowed"),
        ("region = 'North') UNION SELECT * FROM read_csv('/etc/passwd') WHERE (TRUE", "only a condition is allowed"),
        ("region = 'North' /* unclosed", "not a single SQL condition"),
        ("regoin = 'North'", "unknown column regoin"),
        ("journeys.region = 'North'", "unknown column journeys.region"),
        ("region = $1", "value_parameter not allowed"),
        ("", "the condition is empty"),
    ],
)
def test_conditions_that_reach_beyond_the_columns_are_refused_naming_the_part(condition: str, refused: str) -> None:
    with pytest.raises(ConditionError, match=r"^pilot_group: ") as raised:
        check_condition(condition, COLUMNS, "pilot_group")
    assert refused in str(raised.value)
    assert isinstance(raised.value, ConfigError)


T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture()
def pilot_store(tmp_path: Path) -> Path:
    """Two journeys before 2026-03-09 and two after, one of each in the North and the South."""
    path = tmp_path / "journeys.duckdb"
    journeys, events = [], []
    for n, (journey, region) in enumerate((("B1", "North"), ("B2", "South"), ("A1", "North"), ("A2", "South"))):
        opened = T0 + timedelta(days=7 * (n // 2) + n % 2)
        attributes = json.dumps({"region": region})
        journeys.append(journey_row(journey, opened, opened + timedelta(hours=5), attributes=attributes))
        events += [
            event_row(journey, "Open", opened, "SD", f"{journey}-1", team="SD team"),
            event_row(journey, "Close", opened + timedelta(hours=5), "SD", f"{journey}-2", team="SD team"),
        ]
    hand_made_store(path, journeys, events).close()
    return path


def test_a_pilot_group_cannot_read_a_file(pilot_store: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t-4711")
    arguments = ["pilot", "--store", str(pilot_store), "--out", str(tmp_path / "out"), "--change-date", "2026-03-09"]
    for condition in (
        f"EXISTS (SELECT * FROM read_csv('{secret}'))",
        f"CAST((SELECT content FROM read_text('{secret}')) AS INTEGER) = 1",
        f"region = 'North' OR EXISTS (SELECT * FROM read_csv('{secret}'))",
    ):
        result = CliRunner().invoke(app, [*arguments, "--pilot", condition, "--bootstrap", "100"])
        assert result.exit_code == 1, result.output
        assert "subquery not allowed" in result.output
        assert "s3cr3t" not in result.output
    result = CliRunner().invoke(app, [*arguments, "--control", f"region IN (read_text('{secret}'))"])
    assert result.exit_code == 1 and "function read_text not allowed" in result.output
