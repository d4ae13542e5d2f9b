"""The stage of an event is read on the design's department (departments_by_team), never on the log's raw
department; handovers between teams inside a stage are ranked; rework is the same activity by the same
holder. A hand-made log whose answers were worked out on paper (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from eventlogs.store import SCHEMA
from mining.design.bottlenecks import locate_bottlenecks
from mining.design.event_stages import stage_map_frame
from mining.design.journey import DesignedJourney, HandoverNorm, Norm, Stage, default_order
from mining.design.norms import handover_norms, stage_norms
from mining.report.findings import with_sentences
from mining.scope.scope import Scope, define_scope
from tests.conftest import event_row, hand_made_store, journey_row

OPS = "Ops"  # the log's department column: the same for everybody, no owner the design knows
BEFORE, AFTER = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 10, 9, tzinfo=UTC)
# journey -> (opened at, [(activity, team or None, hours after opening)]); closed at its last event
JOURNEYS = {
    # Back (Second line) runs 4 -> 14 = 10 h against 4 h: 6 h excess, all of it the wait L2 Net -> L2 Db
    "J1": (BEFORE, [("Log", "Desk", 0), ("Work", "L2 Net", 4), ("Work", "L2 Db", 14), ("Close", "Desk", 16)]),
    # Back 2 -> 6 = 4 h: within its norm, the team handover (4 h) has no excess
    "J2": (AFTER, [("Log", "Desk", 0), ("Work", "L2 Net", 2), ("Work", "L2 Db", 6), ("Close", "Desk", 7)]),
    # Back 1 -> 9 = 8 h: 4 h excess; L2 Db works twice: rework (the same activity, the same team)
    "J3": (BEFORE, [("Log", "Desk", 0), ("Work", "L2 Db", 1), ("Work", "L2 Db", 9), ("Close", "Desk", 10)]),
    # Work without a team: its department is the log's ("Ops"), which owns neither stage Work matches;
    # the first of them (Front) is taken and the event counted as guessed. Front 0 -> 1 = 1 h (norm 2 h).
    "J5": (AFTER, [("Log", "Desk", 0), ("Work", None, 1), ("Close", "Desk", 2)]),
}


def _norm(hours: float) -> Norm:
    return Norm(hours, 0.8, "calendar")


STAGES = (
    Stage("Front", "First line", ("Log", "Work"), norm=_norm(2)),
    Stage("Back", "Second line", ("Work",), optional=True, norm=_norm(4)),
    Stage("Closure", "First line", ("Close",)),
)
JOURNEY = DesignedJourney(
    name="Teams",
    journey_type="t",
    journey_noun="tickets",
    stages=STAGES,
    handover_norms=(
        HandoverNorm("First line", "Second line", _norm(10)),
        HandoverNorm("Second line", "First line", _norm(10)),
    ),
    end_to_end_norm=_norm(48),
    norm_share=0.8,
    order=default_order(STAGES),
    team_departments=(("First line", ("Desk",)), ("Second line", ("L2 *",))),
)


def teams_store() -> duckdb.DuckDBPyConnection:
    """The JOURNEYS in an in-memory store (every event's department is OPS)."""
    connection = duckdb.connect()
    connection.execute(SCHEMA)
    journeys, events = [], []
    for journey, (opened, steps) in JOURNEYS.items():
        journeys.append(journey_row(journey, opened, opened + timedelta(hours=steps[-1][2]), load_run_id="r"))
        events += [
            event_row(journey, activity, opened + timedelta(hours=hours), OPS, f"{journey}-{n}", team=team)
            | {"load_run_id": "r"}
            for n, (activity, team, hours) in enumerate(steps)
        ]
    return hand_made_store(connection, journeys, events)


@pytest.fixture()
def scope() -> Scope:
    return define_scope(teams_store(), "t")


def test_an_event_takes_its_stage_from_the_design_department() -> None:
    frame = stage_map_frame([("Work", "Second line"), ("Work", "First line"), ("Work", OPS), ("Other", OPS)], JOURNEY)
    rows = frame.set_index(["activity", "design_department"])
    assert rows.loc[("Work", "Second line"), "stage"] == "Back"
    assert rows.loc[("Work", "First line"), "stage"] == "Front"
    # a department owning neither matching stage: the first listed, flagged as guessed
    assert rows.loc[("Work", OPS), "stage"] == "Front"
    assert [bool(g) for g in frame["stage_guessed"]] == [False, False, True, False]
    assert pd.isna(rows.loc[("Other", OPS), "stage"])


def test_stage_times_read_the_design_department_not_the_log_department(scope: Scope) -> None:
    stages = stage_norms(scope, JOURNEY).set_index("stage")
    # Back: J1 10 h, J2 4 h, J3 8 h -> median 8, excess 6 + 0 + 4 = 10 (on the raw department "Ops" every
    # Work event fell into Front and Back had no journey)
    assert stages.loc["Back", "journeys"] == 3
    assert stages.loc["Back", "median_hours"] == pytest.approx(8.0)
    assert stages.loc["Back", "excess_hours"] == pytest.approx(10.0)
    # Front: J1, J2, J3 one event (0 h), J5 Log -> Work 1 h; J5's Work is the one guessed event
    assert stages.loc["Front", "journeys"] == 4
    assert stages.loc["Front", "excess_hours"] == 0
    assert stages["guessed_events"].to_dict() == {"Front": 1, "Back": 0, "Closure": 0}


def test_handovers_name_the_stages_they_leave_and_reach(scope: Scope) -> None:
    pairs = handover_norms(scope, JOURNEY).set_index(["from_department", "to_department"])
    # First line -> Second line: J1, J2, J3 leave Front (Log) and reach Back (Work by an L2 team)
    assert pairs.loc[("First line", "Second line"), "usual_source_stage"] == "Front"
    assert pairs.loc[("First line", "Second line"), "usual_target_stage"] == "Back"
    assert pairs.loc[("Second line", "First line"), "usual_target_stage"] == "Closure"


def test_team_handovers_inside_a_stage_are_ranked_by_excess_with_team_names(scope: Scope) -> None:
    ranked = locate_bottlenecks(scope, JOURNEY)
    # Items with excess: Back 10 h; L2 Net -> L2 Db 6 h (J1: its 10 h wait is all of the 10 h span, so it holds
    # all 6 h of the excess; J2 0); the undesigned First line -> Ops and Ops -> First line of J5, 1 h each
    # (their whole wait). All excess: 10 + 1 + 1 = 12 (the team handover is part of Back's)
    assert list(ranked["name"])[:2] == ["Back", "L2 Net → L2 Db (inside Back)"]
    team = ranked.iloc[1]
    assert (team["kind"], team["from_team"], team["to_team"], team["stage"]) == (
        "team_handover",
        "L2 Net",
        "L2 Db",
        "Back",
    )
    assert team["from_department"] == team["to_department"] == "Second line"
    assert team["volume"] == 2 and team["journeys"] == 2
    assert team["median_hours"] == pytest.approx(7.0)  # waits 10 and 4
    assert team["breach_rate"] == pytest.approx(0.5)  # J1's Back breaches its norm, J2's does not
    assert team["excess_hours"] == pytest.approx(6.0)
    assert team["share_of_excess"] == pytest.approx(6 / 12)
    assert ranked["excess_hours"].iloc[2:].tolist() == pytest.approx([1.0, 1.0])
    sentence = with_sentences(ranked, JOURNEY).iloc[1]["sentence"]
    assert sentence.startswith("L2 Net → L2 Db, teams of Second line inside stage Back: 2 handovers in 2 tickets")


def test_rework_is_the_same_activity_by_the_same_holder_not_a_change_of_team(scope: Scope) -> None:
    back = locate_bottlenecks(scope, JOURNEY).set_index("name").loc["Back"]
    # J1: Work by L2 Net then by L2 Db: a team handover (6 h); J3: Work twice by L2 Db: rework (4 h)
    assert back["rework_hours"] == pytest.approx(4.0)
    assert back["team_handover_hours"] == pytest.approx(6.0)
    assert back["characterisation"] == "team_handover"
    sentence = with_sentences(locate_bottlenecks(scope, JOURNEY), JOURNEY).iloc[0]["sentence"]
    assert "mostly waiting between teams (60% of it)" in sentence
    assert "rework" not in sentence
