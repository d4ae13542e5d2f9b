"""On BPI Challenge 2013 (real incidents of Volvo IT Belgium) the findings name the two problems the
challenge's reports discuss: ping-pong between support teams and incidents pushed away from the front."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from mining.design.comparison import compare_journey
from mining.design.load import load_designed_journey
from mining.report.designed_section import designed_section
from mining.scope.scope import define_scope
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def bpic2013(bpic2013_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(bpic2013_store), read_only=True)
    yield connection
    connection.close()


def test_findings_name_ping_pong_and_push_to_front(bpic2013) -> None:
    journey = load_designed_journey(EXAMPLES / "bpic2013_incidents.journey.yaml")
    scope = define_scope(bpic2013, journey.journey_type)
    sentences = designed_section(compare_journey(scope, journey)).findings
    # SOURCES.md: team ping-pong (X -> Y -> X, repeats collapsed) in 1,177 of 7,554 cases (15.6 %)
    assert any(s.startswith("Ping-pong: teams hand incidents back and forth; 1,177 incidents (16%)") for s in sentences)
    # Incidents that passed the front (a first-line team's work) and then went on to work by a second- or
    # third-line team ("... 2nd" / "... 3rd"), counted on the raw events in time order without the
    # design's stages (only "Unmatched" is in no stage); an incident that never touched the first line is
    # not "pushed on"
    escalated, second, third = bpic2013.execute("""
        WITH e AS (
            SELECT journey_id, row_number() OVER (PARTITION BY journey_id ORDER BY ts, source_event_id) AS n,
                   CASE WHEN team GLOB '* 3rd' THEN 'Third' WHEN team GLOB '* 2nd' THEN 'Second'
                        WHEN team IS NOT NULL THEN 'First' END AS line
            FROM events WHERE event_kind = 'work' AND activity <> 'Unmatched - Unmatched'
        ), front AS (SELECT journey_id, min(n) AS first_at FROM e WHERE line = 'First' GROUP BY journey_id),
        onward AS (
            SELECT DISTINCT journey_id, line FROM e JOIN front USING (journey_id)
            WHERE n > first_at AND line IN ('Second', 'Third')
        )
        SELECT count(DISTINCT journey_id), count(*) FILTER (WHERE line = 'Second'),
               count(*) FILTER (WHERE line = 'Third')
        FROM onward
    """).fetchone()
    push = next(s for s in sentences if s.startswith("Push to front:"))
    assert f"yet {escalated:,} incidents ({escalated / 7554:.0%}) are pushed on" in push
    assert f"({second:,} to Second line, {third:,} to Third line)" in push
    # the lines hand incidents back: Second line -> First line is a deviation found as ping-pong
    assert any(
        s.startswith("Second line → First line: a handover the designed journey does not have") and "ping-pong" in s
        for s in sentences
    )
