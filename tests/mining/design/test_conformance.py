"""Conformance on hand-made logs: each deviation type, fitness, weighting, the time-cap fallback."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from mining.design.bottlenecks import locate_bottlenecks
from mining.design.conformance import (
    ALIGNMENT,
    DEVIATION_TYPES,
    OTHER_DEPARTMENT,
    REWORK_LOOP,
    SKIPPED_STAGE,
    TOKEN_REPLAY,
    UNEXPECTED_ACTIVITY,
    WRONG_ORDER,
    conformance,
)
from mining.design.load import load_designed_journey
from mining.report.deviation_words import worded_conformance_tables
from mining.report.findings import with_sentences
from mining.scope.scope import Scope, define_scope
from tests.conftest import event_row, hand_made_store, journey_row

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SD, MG, PR = "Service Desk", "Management", "Procurement"
SPEC = """
name: Hand
journey_type: t
end_to_end_norm: 1d
stages:
  - {name: s1, department: Service Desk, activities: [A]}
  - {name: s2, department: Management, activities: [B]}
  - {name: s3, department: Procurement, activities: [C]}
  - {name: s4, department: Service Desk, activities: [D]}
"""
DEPARTMENT = {"A": SD, "B": MG, "C": PR, "D": SD, "X": PR}
# journey -> its activities (department as designed unless given as "activity@department"); None: still open
JOURNEYS: dict[str, list[str]] = {
    "J1a": ["A", "B", "C", "D"],  # the designed path
    "J1b": ["A", "B", "C", "D"],
    "J2": ["A", "C", "D"],  # skips s2
    "J3": ["A", "B", "X", "C", "D"],  # X is in no stage
    "J4": ["A", "D", "B", "C"],  # D too early: one log move + one model move of D beats moving B and C
    "J5": ["A", "B", "C", "B", "C", "D"],  # s2 and s3 done twice
    "J6": ["A", f"B@{PR}", "C", "D"],  # Procurement approves
}
OPEN = {"J7": ["A"]}


def write_store(
    path: Path, journeys: dict[str, list[str]], open_journeys: dict[str, list[str]]
) -> duckdb.DuckDBPyConnection:
    rows, events = [], []
    for journey, steps in {**journeys, **open_journeys}.items():
        rows.append(journey_row(journey, T0, None if journey in open_journeys else T0 + timedelta(hours=len(steps))))
        for hour, step in enumerate(steps):
            step, _, team = step.partition("#")
            activity, _, department = step.partition("@")
            department = department or DEPARTMENT.get(activity, "Org line A")
            ts = T0 + timedelta(hours=hour)
            events.append(event_row(journey, activity, ts, department, f"{journey}-{hour}", team=team or "team"))
    return hand_made_store(path, rows, events)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Scope]:
    connection = write_store(tmp_path / "conformance.duckdb", JOURNEYS, OPEN)
    yield define_scope(connection, "t")
    connection.close()


@pytest.fixture()
def spec(tmp_path: Path):
    path = tmp_path / "hand.yaml"
    path.write_text(SPEC)
    return load_designed_journey(path)


def _by_path(result) -> dict[str, object]:
    return result.variants.set_index("variant")


def test_fitness_per_variant_and_weighted(store, spec) -> None:
    result = conformance(store, spec)
    table = _by_path(result)
    # pm4py fitness = 1 - moves / (trace length + moves of the model's cheapest run, here 4)
    assert table.loc["A → B → C → D"].shape[0] == 2  # two department paths share this activity path
    assert set(table.loc["A → B → C → D", "fitness"]) == {1.0}
    assert table.loc["A → C → D", "fitness"] == pytest.approx(1 - 1 / (3 + 4))
    assert table.loc["A → B → X → C → D", "fitness"] == pytest.approx(1 - 1 / (5 + 4))
    assert table.loc["A → D → B → C", "fitness"] == pytest.approx(1 - 2 / (4 + 4))
    assert table.loc["A → B → C → B → C → D", "fitness"] == pytest.approx(1 - 2 / (6 + 4))
    assert set(table["method"]) == {ALIGNMENT}
    # weighted over 7 finished journeys: J1a, J1b and J6 fit (3 x 1.0) plus the four above
    expected = (3 * 1.0 + 6 / 7 + 8 / 9 + 3 / 4 + 0.8) / 7
    assert result.fitness == pytest.approx(expected)
    assert (result.journeys, result.open_journeys_left_out) == (7, 1)


def test_each_deviation_type_in_plain_words(store, spec) -> None:
    result = conformance(store, spec)
    found = {
        (row.variant, row.type, row.stage or None, row.activity) for row in result.deviations.fillna("").itertuples()
    }
    assert found == {
        ("A → C → D", SKIPPED_STAGE, "s2", "B"),
        ("A → B → X → C → D", UNEXPECTED_ACTIVITY, None, "X"),
        ("A → D → B → C", WRONG_ORDER, "s4", "D"),
        ("A → B → C → B → C → D", REWORK_LOOP, "s2", "B"),
        ("A → B → C → B → C → D", REWORK_LOOP, "s3", "C"),
        ("A → B → C → D", OTHER_DEPARTMENT, "s2", "B"),
    }
    worded = worded_conformance_tables(result)["conformance_deviations"]
    words = dict(zip(worded["type"], worded["words"], strict=False))
    assert words[SKIPPED_STAGE] == "stage 's2' was skipped: no 'B'"
    assert words[UNEXPECTED_ACTIVITY] == "'X' happened, but it is in no stage of the design"
    assert words[OTHER_DEPARTMENT] == "'B' (s2) was done by Procurement instead of Management"
    assert words[WRONG_ORDER] == "'D' (s4) was done out of the designed order"


def test_deviation_rates_per_type_and_stage(store, spec) -> None:
    result = conformance(store, spec)
    by_type = result.rates_by_type.set_index("type")["rate"]
    for kind in (SKIPPED_STAGE, UNEXPECTED_ACTIVITY, WRONG_ORDER, REWORK_LOOP, OTHER_DEPARTMENT):
        assert by_type[kind] == pytest.approx(1 / 7)  # one journey of seven each (J5 counts once for rework)
    by_stage = result.rates_by_stage.set_index("stage")
    # s2: J2 skipped it, J5 repeated it, J6 had it done by Procurement
    assert by_stage.loc["s2", "rate"] == pytest.approx(3 / 7)
    assert by_stage.loc["s2", "skipped stage rate"] == pytest.approx(1 / 7)
    assert by_stage.loc["s3", "rate"] == pytest.approx(1 / 7)
    assert by_stage.loc["s4", "rate"] == pytest.approx(1 / 7)
    assert by_stage.loc["s1", "rate"] == 0


def test_time_cap_falls_back_to_token_replay(store, spec) -> None:
    result = conformance(store, spec, max_seconds_per_variant=0.0)  # no alignment can finish in no time
    table = _by_path(result)
    assert set(table["method"]) == {TOKEN_REPLAY}
    # token replay on the chain source -A-> p -B-> p -C-> p -D-> sink for A C D: C misses a token (m = 1),
    # A's token is left behind (r = 1), 4 produced and 4 consumed: 0.5 (1 - 1/4) + 0.5 (1 - 1/4) = 0.75
    assert table.loc["A → C → D", "fitness"] == pytest.approx(0.75)
    # repetitions are still told from the path itself
    rework = result.deviations[result.deviations["type"] == REWORK_LOOP]
    assert set(rework["activity"]) == {"B", "C"}


LINES_SPEC = """
name: Lines
journey_type: t
end_to_end_norm: 5d
departments_by_team: {Second line: ["* 2nd"], First line: ["*"]}
stages:
  - {name: First line, department: First line, activities: ["Queued*", "Accepted*", "Completed*"]}
  - {name: Second line, department: Second line, activities: ["Queued*", "Accepted*", "Completed*"], optional: true}
"""
FIRST, SECOND = "#G1", "#S2 2nd"
LINES = {
    "K1": [f"Queued{FIRST}", f"Accepted{FIRST}", f"Completed{FIRST}"],  # resolved at the front
    "K2": [f"Accepted{FIRST}", f"Accepted{SECOND}", f"Accepted{FIRST}", f"Completed{SECOND}"],  # ping-pong
    "K3": [f"Accepted{SECOND}", f"Completed{SECOND}"],  # the first line never touched it
    "K4": [f"Accepted{FIRST}", "Unmatched#G1", f"Completed{FIRST}"],
}


def test_pattern_stages_owned_by_team_lines(tmp_path: Path) -> None:
    connection = write_store(tmp_path / "lines.duckdb", LINES, {})
    scope = define_scope(connection, "t")
    (tmp_path / "lines.yaml").write_text(LINES_SPEC)
    result = conformance(scope, load_designed_journey(tmp_path / "lines.yaml"))
    table = result.variants.set_index("variant")
    # a run of a pattern stage's events is one visit, one step; the cheapest designed run is [First line]
    assert table.loc["Queued → Accepted → Completed", "fitness"] == 1.0
    # visits First, Second, First, Second against First (Second): two log moves, 1 - 2 / (4 + 1)
    assert table.loc["Accepted → Accepted → Accepted → Completed", "fitness"] == pytest.approx(0.6)
    # visits Second against First Second: one model move, 1 - 1 / (1 + 1)
    assert table.loc["Accepted → Completed", "fitness"] == pytest.approx(0.5)
    # Unmatched does not split the First line visit: [First line] Unmatched, one log move, 1 - 1 / (2 + 1)
    assert table.loc["Accepted → Unmatched → Completed", "fitness"] == pytest.approx(2 / 3)
    found = {(row.variant, row.type, row.stage, row.activity) for row in result.deviations.fillna("").itertuples()}
    assert found == {
        ("Accepted → Accepted → Accepted → Completed", REWORK_LOOP, "First line", ""),
        ("Accepted → Accepted → Accepted → Completed", REWORK_LOOP, "Second line", ""),
        ("Accepted → Completed", SKIPPED_STAGE, "First line", ""),
        ("Accepted → Unmatched → Completed", UNEXPECTED_ACTIVITY, "", "Unmatched"),
    }
    connection.close()


def test_journey_compare_writes_the_conformance_tables(tmp_path: Path) -> None:
    write_store(tmp_path / "store.duckdb", JOURNEYS, OPEN).close()
    (tmp_path / "hand.yaml").write_text(SPEC)
    out = tmp_path / "compare"
    arguments = ["--store", str(tmp_path / "store.duckdb"), "--journey", str(tmp_path / "hand.yaml"), "--out", str(out)]
    result = CliRunner().invoke(app, ["compare", *arguments])
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "conformance.parquet").iloc[0]
    # the weighted fitness of test_fitness_per_variant_and_weighted; J2 to J6 deviate: 5 of 7
    assert summary["fitness"] == pytest.approx((3 * 1.0 + 6 / 7 + 8 / 9 + 3 / 4 + 0.8) / 7)
    assert (summary["journeys"], summary["open_journeys_left_out"], summary["deviating_journeys"]) == (7, 1, 5)
    # six variants (A B C D twice: two department paths), every one aligned within the cap
    assert (summary["variants"], summary["variants_aligned"], summary["variants_token_replay"]) == (6, 6, 0)
    by_type = pd.read_parquet(out / "conformance_rates_by_type.parquet").set_index("type")["rate"]
    assert by_type.to_dict() == pytest.approx({kind: 1 / 7 for kind in DEVIATION_TYPES})
    by_stage = pd.read_parquet(out / "conformance_rates_by_stage.parquet").set_index("stage")
    assert by_stage.loc["s2", "rate"] == pytest.approx(3 / 7)  # J2 skipped it, J5 repeated it, J6 by Procurement
    assert len(pd.read_parquet(out / "conformance_deviations.parquet")) == 6
    variants = pd.read_parquet(out / "conformance_variants.parquet").set_index("variant")
    assert variants.loc["A → C → D", ["journeys", "method"]].tolist() == [1, ALIGNMENT]
    unexpected = pd.read_parquet(out / "conformance_unexpected_activities.parquet")
    assert unexpected[["activity", "journeys"]].values.tolist() == [["X", 1]]
    # the map: stage s2 (node s1) skipped by 1 of 7 journeys (14%, above 2%) is dashed and says so; X in a note
    svg = (out / "designed_map.svg").read_text()
    nodes = dict(re.findall(r"<title>(s\d)</title>(.*?)</g>", svg, flags=re.DOTALL))
    assert 'stroke-dasharray="5,2"' in nodes["s1"] and 'stroke-dasharray="5,2"' not in nodes["s0"]
    assert "skipped 14% · rework 14% · other department 14%" in html.unescape(nodes["s1"])
    assert "Not in the design" in svg and "X: 14%" in svg
    page = (out / "designed_journey.html").read_text()
    assert 'id="conformance"' in page and "stage &#39;s2&#39; was skipped: no &#39;B&#39;" in page


def test_off_design_work_characterises_a_bottleneck(tmp_path: Path) -> None:
    """The conformance check's unexpected activity as a cause of excess time in the bottleneck ranking."""
    journeys = {name: JOURNEYS[name] for name in ("J1a", "J3")} | {"J3b": JOURNEYS["J3"]}
    connection = write_store(tmp_path / "off_design.duckdb", journeys, {})
    scope = define_scope(connection, "t")
    (tmp_path / "norm.yaml").write_text(SPEC + "handovers:\n  - {from: Management, to: Procurement, norm: 0.5h}\n")
    journey = load_designed_journey(tmp_path / "norm.yaml")
    ranked = with_sentences(locate_bottlenecks(scope, journey), journey).set_index("name")
    connection.close()
    item = ranked.loc["Management → Procurement"]
    # every Management -> Procurement wait is 1 h against 0.5 h: J1a's B -> C is plain waiting (0.5 h excess),
    # J3's and J3b's B -> X lead into X, an activity in no stage (0.5 h each); the other handovers have no norm
    assert list(ranked.index) == ["Management → Procurement"]
    assert (item["off_design_hours"], item["queue_hours"]) == pytest.approx((1.0, 0.5))
    assert item["characterisation"] == "off_design"
    assert item["sentence"].endswith(
        "mostly off-design work (67% of it): journeys held up by activities the design lacks, most often 'X'."
    )


TWO_OPENS = """
name: Two opens
journey_type: t
end_to_end_norm: 1d
stages:
  - {name: Registration, department: Front, activities: [Open]}
  - {name: Handling, department: Back, activities: [Handle]}
  - {name: Reopening, department: Back, activities: [Open], optional: true}
"""


def test_a_stage_skipped_because_another_department_did_its_activity_says_so(tmp_path: Path) -> None:
    # 'Open' by Back belongs to Reopening (Back owns it there), so Registration was skipped; its activity
    # was done all the same, by Back: the words must not claim there was no 'Open'
    journeys = {"K1": ["Open@Back", "Handle@Back"], "K2": ["Open@Front", "Handle@Back"]}
    connection = write_store(tmp_path / "opens.duckdb", journeys, {})
    (tmp_path / "opens.yaml").write_text(TWO_OPENS)
    result = conformance(define_scope(connection, "t"), load_designed_journey(tmp_path / "opens.yaml"))
    variants = worded_conformance_tables(result)["conformance_variants"].set_index("departments")["deviations"]
    connection.close()
    assert variants["Front → Back"] == ""  # as designed
    assert "stage 'Registration' was skipped: 'Open' was done by Back, not by Front" in variants["Back → Back"]
    assert "no 'Open'" not in variants["Back → Back"]
