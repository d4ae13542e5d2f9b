"""The real public logs load completely and their figures equal those measured in SOURCES.md."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eventlogs.pipeline import extract_and_load
from mining import discovery
from mining.handovers import handover_instances, handovers, journeys_with_ping_pong
from mining.scope import define_scope
from tests.realdata import REPOSITORY, real_data_file

EXAMPLES = REPOSITORY / "eventlogs" / "examples"


def _load(config: str, log: str, store: Path) -> duckdb.DuckDBPyConnection:
    results = extract_and_load(EXAMPLES / config, store, real_data_file(log).parent)
    for result in results:
        assert result.rows_read == result.rows_loaded  # nothing rejected, nothing lost
    connection = duckdb.connect(str(store), read_only=True)
    define_scope(connection)
    return connection


def _durations_days(connection: duckdb.DuckDBPyConnection) -> tuple[float, float, float]:
    return connection.execute(
        "SELECT avg(lead_hours) / 24, median(lead_hours) / 24, max(lead_hours) / 24 FROM scope_journeys"
    ).fetchone()


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return _load("helpdesk.toml", "helpdesk.csv", tmp_path_factory.mktemp("helpdesk") / "store.duckdb")


@pytest.fixture(scope="module")
def bpic2013(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return _load("bpic2013_incidents.toml", "bpic2013_incidents.xes.gz", tmp_path_factory.mktemp("bpic") / "s.duckdb")


def test_helpdesk_figures(helpdesk) -> None:
    events, activities, resources = helpdesk.execute(
        "SELECT count(*), count(DISTINCT activity), count(DISTINCT resource) FROM scope_work_events"
    ).fetchone()
    assert (events, activities, resources) == (21_348, 14, 22)
    assert helpdesk.execute("SELECT count(*) FROM scope_journeys").fetchone()[0] == 4_580
    variants = discovery.variants(helpdesk)
    assert len(variants) == 226
    assert variants["journeys"].head(3).tolist() == [2_366, 552, 228]
    mean, median, longest = _durations_days(helpdesk)
    assert (round(mean, 3), round(median, 3), round(longest, 3)) == (40.858, 39.859, 59.995)


def test_bpic2013_figures(bpic2013) -> None:
    events, activities, resources, teams, org_lines = bpic2013.execute(
        "SELECT count(*), count(DISTINCT activity), count(DISTINCT resource), count(DISTINCT team), "
        "count(DISTINCT department) FROM scope_work_events"
    ).fetchone()
    assert (events, activities, resources, teams, org_lines) == (65_533, 13, 1_440, 649, 25)
    assert bpic2013.execute("SELECT count(*) FROM scope_journeys").fetchone()[0] == 7_554
    assert len(discovery.variants(bpic2013)) == 2_278
    mean, median, longest = _durations_days(bpic2013)
    assert (round(mean, 3), round(median, 3), round(longest, 2)) == (12.079, 7.549, 771.35)


def test_bpic2013_support_team_handovers_and_ping_pong(bpic2013) -> None:
    assert handovers(bpic2013, "team")["handovers"].sum() == 9_454
    cases = bpic2013.execute(f"SELECT count(DISTINCT journey_id) FROM ({handover_instances('team')})").fetchone()[0]
    assert cases == 3_820
    assert journeys_with_ping_pong(bpic2013, "team") == 1_177
    assert journeys_with_ping_pong(bpic2013, "department") == 883  # org lines
    wait_user = bpic2013.execute(
        "SELECT count(DISTINCT journey_id) FROM scope_work_events WHERE activity = 'Accepted - Wait - User'"
    ).fetchone()[0]
    assert wait_user == 2_495
