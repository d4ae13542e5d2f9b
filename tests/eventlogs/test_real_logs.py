"""The real public logs load completely and their figures equal those measured in SOURCES.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from mining.discovery import tables as discovery
from mining.discovery.handovers import handover_instances, handovers, journeys_with_ping_pong
from mining.scope.scope import Scope, define_scope


def _scoped(store: Path) -> Iterator[Scope]:
    connection = duckdb.connect(str(store), read_only=True)
    yield define_scope(connection)
    connection.close()


def _durations_days(connection: duckdb.DuckDBPyConnection) -> tuple[float, float, float]:
    return connection.execute(
        "SELECT avg(lead_hours) / 24, median(lead_hours) / 24, max(lead_hours) / 24 FROM scope_journeys"
    ).fetchone()


@pytest.fixture(scope="module")
def helpdesk(helpdesk_store: Path) -> Iterator[Scope]:
    yield from _scoped(helpdesk_store)


@pytest.fixture(scope="module")
def bpic2013(bpic2013_store: Path) -> Iterator[Scope]:
    yield from _scoped(bpic2013_store)


@pytest.mark.parametrize("log", ["helpdesk_load", "bpic2013_load"])
def test_real_logs_load_completely(log: str, request: pytest.FixtureRequest) -> None:
    _, results = request.getfixturevalue(log)
    for result in results:
        assert result.rows_read == result.rows_loaded  # nothing rejected, nothing lost


def test_helpdesk_figures(helpdesk) -> None:
    events, activities, resources = helpdesk.connection.execute(
        "SELECT count(*), count(DISTINCT activity), count(DISTINCT resource) FROM scope_work_events"
    ).fetchone()
    assert (events, activities, resources) == (21_348, 14, 22)
    assert helpdesk.connection.execute("SELECT count(*) FROM scope_journeys").fetchone()[0] == 4_580
    variants = discovery.variants(helpdesk)
    assert len(variants) == 226
    assert variants["journeys"].head(3).tolist() == [2_366, 552, 228]
    mean, median, longest = _durations_days(helpdesk.connection)
    assert (round(mean, 3), round(median, 3), round(longest, 3)) == (40.858, 39.859, 59.995)


def test_bpic2013_figures(bpic2013) -> None:
    events, activities, resources, teams, org_lines = bpic2013.connection.execute(
        "SELECT count(*), count(DISTINCT activity), count(DISTINCT resource), count(DISTINCT team), "
        "count(DISTINCT department) FROM scope_work_events"
    ).fetchone()
    assert (events, activities, resources, teams, org_lines) == (65_533, 13, 1_440, 649, 25)
    assert bpic2013.connection.execute("SELECT count(*) FROM scope_journeys").fetchone()[0] == 7_554
    assert len(discovery.variants(bpic2013)) == 2_278
    mean, median, longest = _durations_days(bpic2013.connection)
    assert (round(mean, 3), round(median, 3), round(longest, 2)) == (12.079, 7.549, 771.35)


def test_bpic2013_support_team_handovers_and_ping_pong(bpic2013) -> None:
    assert handovers(bpic2013, "team")["handovers"].sum() == 9_454
    cases = bpic2013.connection.execute(
        f"SELECT count(DISTINCT journey_id) FROM ({handover_instances('team')})"
    ).fetchone()[0]
    assert cases == 3_820
    assert journeys_with_ping_pong(bpic2013, "team") == 1_177
    assert journeys_with_ping_pong(bpic2013, "department") == 883  # org lines
    wait_user = bpic2013.connection.execute(
        "SELECT count(DISTINCT journey_id) FROM scope_work_events WHERE activity = 'Accepted - Wait - User'"
    ).fetchone()[0]
    assert wait_user == 2_495
