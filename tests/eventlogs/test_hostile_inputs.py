"""Hostile and careless input ends in an error naming the file, key, folder or URL, promptly: no hang, no
endless paging, no Python traceback. Every case below once hung, looped or ended in a traceback."""

from __future__ import annotations

import gzip
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner, Result

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.demo.true_store import write_true_store
from eventlogs.errors import ConfigError, SourceError, StoreError
from eventlogs.pipeline import extract_and_load
from eventlogs.sources.ocel2.read import read_ocel2
from eventlogs.sources.shared.http_client import HttpSettings, RestClient
from eventlogs.store import connect_store
from eventlogs.work_connection import work_connection
from flows.cli import app
from mining.design.load import load_designed_journey
from mining.scope.time_rules import load_time_rules
from tests.fake_rest_server import JIRA_PASSWORD, JIRA_USER, SN_TOKEN, FakeRestServer, Fault, serve
from tests.realdata import REPOSITORY

BILLION_LAUGHS = """\
name: Bomb
journey_type: t
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
TABLE = "/api/now/table/task"


def _invoke(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments))


def _seconds(started: float) -> float:
    return time.monotonic() - started


# -- YAML: anchors and aliases are refused before anything is expanded ----------------------------------


def test_a_yaml_alias_bomb_is_refused_at_once_naming_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.journey.yaml"
    spec.write_text(BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"bomb\.journey\.yaml:3: .*anchors and aliases"):
        load_designed_journey(spec)
    assert _seconds(started) < 2


def test_a_recursive_alias_is_a_config_error_not_a_recursion_error(tmp_path: Path) -> None:
    spec = tmp_path / "loop.yaml"
    spec.write_text("name: Loop\njourney_type: t\nstages: &s\n  - *s\n")
    with pytest.raises(ConfigError, match=r"loop\.yaml:3: .*anchors and aliases"):
        load_designed_journey(spec)


def test_time_rules_refuse_aliases_too(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text('calendars:\n  office: &o {timezone: UTC, hours: {mon-fri: "08:00-17:00"}}\n  other: *o\n')
    with pytest.raises(ConfigError, match=r"rules\.yaml:2: .*anchors and aliases"):
        load_time_rules(rules)


def test_a_folder_or_binary_file_given_as_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=rf"{tmp_path}: is a folder"):
        load_designed_journey(tmp_path)
    binary = tmp_path / "rules.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match=r"rules\.yaml: cannot be read"):
        load_time_rules(binary)


# -- REST: a trickling server meets the deadline; a server ignoring the offset is not paged for ever ----


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRestServer]:
    monkeypatch.setenv("TEST_SN_TOKEN", SN_TOKEN)
    yield from serve()


def _settings(url: str, deadline: float) -> HttpSettings:
    return HttpSettings(url, None, None, "TEST_SN_TOKEN", 0.5, 2, 0.0, deadline_seconds=deadline)


def test_a_trickling_server_is_stopped_at_the_deadline_naming_source_and_url(server: FakeRestServer) -> None:
    server.tables["task"] = [{"sys_id": f"id{n:04}", "number": f"REQ{n:04}"} for n in range(20)]
    server.faults = [Fault(TABLE, {}, 200, trickle=0.05)]  # each byte well within the 0.5 s read timeout
    started = time.monotonic()
    with RestClient("tickets", _settings(server.url, 1.0)) as client, pytest.raises(SourceError) as raised:
        client.get_json(TABLE, {"sysparm_fields": "sys_id,number"})
    assert _seconds(started) < 3  # the whole answer would take 0.05 s x ~700 bytes = 35 s
    message = str(raised.value)
    assert "source 'tickets'" in message and f"{server.url}{TABLE}" in message and "deadline_seconds = 1" in message
    assert len(server.requests_to(TABLE)) == 1  # as slow again on a retry: not retried


def test_a_quick_answer_is_untouched_by_the_deadline(server: FakeRestServer) -> None:
    server.tables["task"] = [{"sys_id": "a", "number": "REQ1"}]
    with RestClient("tickets", _settings(server.url, 0.2)) as client:
        for _ in range(3):  # the connection is reused; a deadline cut-off must not outlive its request
            assert client.get_json(TABLE, {"sysparm_fields": "sys_id"}) == {"result": [{"sys_id": "a"}]}
            time.sleep(0.3)


SN_CONFIG = """
[sources.tickets]
kind = "servicenow_rest"
base_url = "BASE_URL"
token_env = "TEST_SN_TOKEN"
page_size = 2
opened_activity = "Request submitted"
opened_department = "Service Desk"
opened_team = "Service Desk L1"
contact_activity = "Customer contact"
approval_department = "Management"
approval_team = "Line Management"
[sources.tickets.journey_types]
"hardware/laptop" = "laptop_request"
[sources.tickets.state_activities]
"3" = "Closed"
[sources.tickets.approval_activities]
approved = "Approved"
[sources.tickets.departments]
"Service Desk L1" = "Service Desk"
"""


def test_a_server_that_ignores_the_offset_is_not_paged_for_ever(server: FakeRestServer, tmp_path: Path) -> None:
    server.tables["task"] = [{"sys_id": f"id{n}", "sys_updated_on": f"2026-03-0{n} 09:00:00"} for n in range(1, 6)]
    server.ignore_offsets = True
    config = tmp_path / "sources.toml"
    config.write_text(SN_CONFIG.replace("BASE_URL", server.url))
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"tickets.*table task.*offset 2 with the same 2 record\(s\) as offset 0"):
        extract_and_load(config, tmp_path / "store.duckdb")
    assert _seconds(started) < 5 and len(server.requests_to(TABLE)) == 2


JIRA_CONFIG = """
[sources.jira]
kind = "jira_rest"
base_url = "BASE_URL"
user_env = "TEST_JIRA_USER"
password_env = "TEST_JIRA_PASSWORD"
jql = "project = SUP"
opened_activity = "Issue created"
default_team = "L1 Support"
[sources.jira.journey_types]
"Service Request" = "service_request"
[sources.jira.status_activities]
"Done" = "Resolved"
[sources.jira.departments]
"L1 Support" = "Service Desk"
"""


def test_a_jira_search_that_ignores_start_at_is_not_paged_for_ever(
    server: FakeRestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_JIRA_USER", JIRA_USER)
    monkeypatch.setenv("TEST_JIRA_PASSWORD", JIRA_PASSWORD)
    updated = "2026-03-0{}T09:00:00.000+0000"
    server.issues = [{"id": str(n), "key": f"SUP-{n}", "fields": {"updated": updated.format(n)}} for n in range(1, 6)]
    server.ignore_offsets = True
    config = tmp_path / "sources.toml"
    config.write_text(JIRA_CONFIG.replace("BASE_URL", server.url))
    with pytest.raises(SourceError, match=r"'jira': the issue search answered offset 2 with the same 2 record"):
        extract_and_load(config, tmp_path / "store.duckdb")
    assert len(server.requests_to("/rest/api/3/search")) == 2


def test_a_json_answer_nested_too_deep_is_a_source_error(server: FakeRestServer) -> None:
    server.faults = [Fault(TABLE, {}, 200, body=b"[" * 200_000 + b"]" * 200_000)]
    with RestClient("tickets", _settings(server.url, 5.0)) as client, pytest.raises(SourceError) as raised:
        client.get_json(TABLE, {"sysparm_fields": "sys_id"})
    message = str(raised.value)
    assert f"source 'tickets': GET {server.url}{TABLE}" in message and "did not return JSON" in message


# -- files: deep JSON, truncated gzip, a folder where a file belongs ------------------------------------


def test_ocel_json_nested_too_deep_names_the_file(tmp_path: Path) -> None:
    log = tmp_path / "deep.jsonocel"
    log.write_text('{"events": [], "objects": [], "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    connection = work_connection()
    try:
        with pytest.raises(SourceError, match=r"source 'log' \(.*deep\.jsonocel\): .*nested too deep"):
            read_ocel2(connection, "ocel2_json", log, "log")
    finally:
        connection.close()


XES_CONFIG = """
[sources.log]
kind = "xes"
path = "log.xes.gz"
journey_type = "ticket"
pseudonymise_resources = false
[sources.log.fields]
activity = "concept:name"
"""


def test_a_truncated_xes_gz_names_the_file(tmp_path: Path) -> None:
    events = "".join(
        f'<trace><string key="concept:name" value="c{n}"/><event><string key="concept:name" value="Open"/>'
        f'<date key="time:timestamp" value="2026-03-02T09:00:00+00:00"/></event></trace>'
        for n in range(2000)
    )
    whole = gzip.compress(f'<log xmlns="http://www.xes-standard.org/">{events}</log>'.encode())
    (tmp_path / "log.xes.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "log.toml").write_text(XES_CONFIG)
    result = _invoke("extract", "--config", str(tmp_path / "log.toml"), "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1, result.output
    assert "log.xes.gz" in result.output and "Traceback" not in result.output


CSV_CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "PATH"
journey_type = "ticket"
pseudonymise_resources = false
EXTRA
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
"""


def _csv_config(tmp_path: Path, path: str = "log.csv", extra: str = "") -> Path:
    (tmp_path / "log.csv").write_text("case,activity,time\nc1,Open,2026-03-02 09:00:00\n")
    config = tmp_path / "log.toml"
    config.write_text(CSV_CONFIG.replace("PATH", path).replace("EXTRA", extra))
    return config


@pytest.mark.parametrize(
    ("extra", "key"),
    [("timestamp_format = 2026", "timestamp_format"), ("activity_separator = 1", "activity_separator")],
)
def test_a_wrongly_typed_setting_names_file_line_and_key(tmp_path: Path, extra: str, key: str) -> None:
    config = _csv_config(tmp_path, extra=extra)
    result = _invoke("extract", "--config", str(config), "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1, result.output
    assert f"log.toml:7: [sources.log] key '{key}' must be" in " ".join(result.output.split())


def test_a_folder_given_as_the_log_names_it(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    config = _csv_config(tmp_path, path="folder.csv")
    result = _invoke("extract", "--config", str(config), "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1, result.output
    assert "folder.csv" in result.output and "Traceback" not in result.output


# -- stores: a corrupt file is no lock; outputs that cannot be written ----------------------------------


def _corrupt_store(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)")
    with path.open("r+b") as file:
        file.seek(12288 + 100)  # into the first data block: its checksum no longer matches
        file.write(b"\xff" * 64)
    return path


def test_a_corrupt_store_is_reported_at_once_not_waited_on_as_locked(tmp_path: Path) -> None:
    path = _corrupt_store(tmp_path)
    started = time.monotonic()
    with pytest.raises(StoreError) as raised:
        connect_store(path, read_only=True, wait_seconds=10)
    assert _seconds(started) < 3
    assert str(path) in str(raised.value) and "in use" not in str(raised.value)
    assert "Corrupt database file" in str(raised.value)


@pytest.mark.parametrize("command", ["extract", "mine", "pilot"])
@pytest.mark.parametrize("kind", ["text", "sqlite"])
def test_a_file_that_is_no_duckdb_store_is_an_error_naming_it(tmp_path: Path, command: str, kind: str) -> None:
    store = tmp_path / "other.duckdb"
    if kind == "sqlite":  # DuckDB would open it as a database of its own and fail later, in a traceback
        sqlite3.connect(store).execute("CREATE TABLE events (journey_id TEXT)").connection.close()
    else:
        store.write_text("these are my notes, not an event store\n" * 200)
    arguments = {
        "extract": ["--config", str(_csv_config(tmp_path))],
        "mine": ["--out", str(tmp_path / "mined")],
        "pilot": ["--out", str(tmp_path / "pilot"), "--change-date", "2026-03-01"],
    }[command]
    result = _invoke(command, "--store", str(store), *arguments)
    assert result.exit_code == 1, result.output
    assert f"event store {store} is not a DuckDB database file" in " ".join(result.output.split())


@pytest.mark.parametrize("command", ["mine", "pilot"])
def test_a_duckdb_database_that_is_no_event_store_is_an_error_naming_it(tmp_path: Path, command: str) -> None:
    store = tmp_path / "other.duckdb"
    duckdb.connect(str(store)).execute("CREATE TABLE sales (amount INTEGER)").close()
    extra = ["--change-date", "2026-03-01"] if command == "pilot" else []
    result = _invoke(command, "--store", str(store), "--out", str(tmp_path / "out"), *extra)
    assert result.exit_code == 1, result.output
    assert f"event store {store} is a DuckDB database but no event store" in " ".join(result.output.split())


def test_a_store_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "plain_file").write_text("x")
    with pytest.raises(StoreError, match=r"plain_file/store\.duckdb: its folder cannot be created"):
        connect_store(tmp_path / "plain_file" / "store.duckdb")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "journeys.duckdb"
    journeys, events = DemoSimulator(300, seed=3).simulate()
    with duckdb.connect(str(path)) as connection:
        write_true_store(connection, journeys, events)
    return path


@pytest.fixture()
def unwritable(tmp_path: Path) -> Path:
    """An output folder that cannot be created: its parent is a file (a read-only folder stops no root)."""
    (tmp_path / "a_file").write_text("x")
    return tmp_path / "a_file" / "out"


def test_mine_into_an_unwritable_folder_names_it(demo_store: Path, unwritable: Path) -> None:
    result = _invoke("mine", "--store", str(demo_store), "--out", str(unwritable))
    assert result.exit_code == 1, result.output
    assert "a_file" in result.output and "Traceback" not in result.output


def test_compare_into_an_unwritable_folder_names_it(demo_store: Path, unwritable: Path) -> None:
    journey = REPOSITORY / "eventlogs" / "demo" / "laptop_request.journey.yaml"
    result = _invoke("compare", "--store", str(demo_store), "--journey", str(journey), "--out", str(unwritable))
    assert result.exit_code == 1, result.output
    assert "a_file" in result.output and "Traceback" not in result.output


def test_pilot_into_an_unwritable_folder_names_it(demo_store: Path, unwritable: Path) -> None:
    arguments = ["pilot", "--store", str(demo_store), "--change-date", "2026-05-04", "--bootstrap", "100"]
    result = _invoke(*arguments, "--journey-type", "laptop_request", "--out", str(unwritable))
    assert result.exit_code == 1, result.output
    assert "a_file" in result.output and "Traceback" not in result.output


def test_a_pilot_group_without_journeys_after_the_change_is_a_clear_error(demo_store: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(demo_store), read_only=True) as connection:
        (early,) = connection.execute("SELECT journey_id FROM journeys ORDER BY opened_at LIMIT 1").fetchone()
    # the after window holds the control group's journeys, but none of the pilot group's: its one journey
    # opened long before
    groups = ["--pilot", f"journey_id = '{early}'", "--control", f"journey_id <> '{early}'"]
    arguments = ["pilot", "--store", str(demo_store), "--out", str(tmp_path / "p"), "--bootstrap", "100"]
    result = _invoke(*arguments, "--change-date", "2026-05-04", *groups)
    assert result.exit_code == 1, result.output
    assert "pilot group" in result.output and "no journeys opened after the change" in result.output


def test_the_demo_and_example_yaml_files_still_read() -> None:
    """They use no anchors or aliases."""
    folder = REPOSITORY / "eventlogs"
    assert load_designed_journey(folder / "demo" / "laptop_request.journey.yaml").stages
    assert load_designed_journey(folder / "examples" / "bpic2013_incidents.journey.yaml").stages
    assert load_time_rules(folder / "demo" / "time_rules.yaml").calendars
    assert load_time_rules(folder / "examples" / "bpic2013_incidents.time.yaml").pause_activities
