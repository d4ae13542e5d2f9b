"""Pilot evaluation on a hand-made store whose answers were worked out on paper."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats

from eventlogs.store import SCHEMA
from mining.design.load import load_designed_journey
from mining.errors import ConfigError
from mining.pilot.definition import PilotDefinition, load_pilot_definition
from mining.pilot.evaluation import evaluate_pilot
from mining.pilot.stages import stage_times
from mining.pilot.statistics import bootstrap_p_value, compare, rate_ratio_test
from mining.pilot.survival import weighted_km_cdf_at, weighted_km_quantiles
from mining.pilot.windows import define_pilot_scope
from mining.report.pilot_wording import pilot_words
from tests.conftest import event_row, hand_made_store, journey_row

CHANGE = date(2026, 3, 9)  # a Monday
# journey -> (opened, closed or None, region, [(activity, department, hours after opening)], contact hours)
JOURNEYS = {
    "B1": (datetime(2026, 3, 2, 9, tzinfo=UTC), 30, "North", [("A", "SD", 0), ("B", "M", 10), ("C", "P", 30)], []),
    "B2": (datetime(2026, 3, 2, 9, tzinfo=UTC), 40, "South", [("A", "SD", 0), ("B", "M", 20), ("C", "P", 40)], []),
    # still open when the before window ends (2026-03-09 00:00, 135 h after opening); closes at 200 h
    "B3": (datetime(2026, 3, 3, 9, tzinfo=UTC), 200, "North", [("A", "SD", 0), ("B", "M", 50)], [5, 150]),
    "A1": (datetime(2026, 3, 9, 9, tzinfo=UTC), 6, "North", [("A", "SD", 0), ("B", "M", 4), ("C", "P", 6)], [1]),
    "A2": (datetime(2026, 3, 10, 9, tzinfo=UTC), 10, "South", [("A", "SD", 0), ("B", "M", 8), ("C", "P", 10)], []),
    # open at the extraction: the latest time the store records is B3's closing, 2026-03-11 17:00
    "A3": (datetime(2026, 3, 11, 9, tzinfo=UTC), None, "South", [("A", "SD", 0), ("B", "M", 2)], []),
}


@pytest.fixture()
def store() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(SCHEMA)
    journeys, events = [], []
    for journey, (opened, closed, region, steps, contacts) in JOURNEYS.items():
        closed_at = None if closed is None else opened + timedelta(hours=closed)
        attributes = json.dumps({"region": region})
        journeys.append(
            journey_row(journey, opened, closed_at, category="c", priority="3", attributes=attributes, load_run_id="r")
        )
        rows = [(a, d, h, "work") for a, d, h in steps] + [("Contact", "Customer", h, "contact") for h in contacts]
        events += [
            event_row(journey, a, opened + timedelta(hours=h), d, f"{journey}-{n}", event_kind=k, team=d + " team")
            | {"load_run_id": "r"}
            for n, (a, d, h, k) in enumerate(rows)
        ]
    return hand_made_store(connection, journeys, events)


def test_open_journeys_are_censored_at_their_window_end_or_the_extraction(store) -> None:
    define_pilot_scope(store, PilotDefinition(change_date=CHANGE))
    rows = {
        r[0]: r[1:]
        for r in store.execute("SELECT journey_id, side, finished, lead, contacts FROM pilot_journeys").fetchall()
    }
    assert rows["B1"] == ("before", True, 30.0, 0)
    assert rows["B3"] == ("before", False, 135.0, 1)  # censored at 2026-03-09 00:00; the contact at 150 h is unseen
    assert rows["A3"] == ("after", False, 8.0, 0)  # censored at the extraction, 2026-03-11 17:00


def test_a_censored_wait_heads_for_the_activity_that_usually_follows(store) -> None:
    define_pilot_scope(store, PilotDefinition(change_date=CHANGE))
    tails = store.execute("""
        SELECT journey_id, from_activity, to_activity, to_department, wait FROM pilot_transitions
        WHERE NOT observed ORDER BY journey_id""").fetchall()
    # B is followed by C (Procurement) in all four journeys that got there: B3 waits 135 - 50, A3 8 - 2 hours
    assert tails == [("A3", "B", "C", "P", 6.0), ("B3", "B", "C", "P", 85.0)]


def test_kaplan_meier_leads_and_chasing_by_hand(store) -> None:
    evaluation = evaluate_pilot(store, PilotDefinition(change_date=CHANGE, bootstrap=200), with_map=False)
    rows = evaluation.comparisons.set_index("key")
    # before: 30, 40, 135+ -> S(30) = 2/3, S(40) = 2/3 * 1/2 = 1/3: the median is 40 (not the 135+ of B3)
    # after: 6, 8+, 10 -> S(6) = 2/3, S(10) = 0: the median is 10
    assert rows.loc["lead_median", ["before", "after", "change"]].tolist() == [40.0, 10.0, -30.0]
    # contacts seen: B3 one (5 h; 150 h is after its censoring), A1 one -> 1/3 per journey on both sides
    assert rows.loc["contacts_per_journey", ["before", "after"]].tolist() == pytest.approx([1 / 3, 1 / 3])
    # per waiting day: 1 / ((30 + 40 + 135) / 24) = 24/205 before, 1 / ((6 + 10 + 8) / 24) = 1 after
    assert rows.loc["contacts_per_waiting_day", ["before", "after"]].tolist() == pytest.approx([24 / 205, 1.0])
    # too few handovers to compare (3 a side, 10 needed): the handovers are not tested
    assert not rows.index.str.startswith("handover:").any()
    # nor are the journey measures, 3 journeys a side: a bootstrap of so few has (nearly) no spread, and
    # 40 -> 10 hours must not be called significant
    assert (rows.loc["lead_median", "n_all_before"], rows.loc["lead_median", "n_all_after"]) == (3, 3)
    assert set(rows["direction"].drop("volume", errors="ignore")) == {"too few journeys"}
    assert not rows["significant"].drop("volume", errors="ignore").any()
    assert "significant" not in " ".join(pilot_words(evaluation).verdict).replace("not tested", "")


def km_quantile(durations: np.ndarray, observed: np.ndarray, probability: float) -> float:
    """scipy's Kaplan-Meier estimate: the smallest duration where its distribution function reaches
    `probability` (within the summed hazards' rounding), NaN when it never does."""
    observed = np.asarray(observed, dtype=bool)
    cdf = stats.ecdf(stats.CensoredData(uncensored=durations[observed], right=durations[~observed])).cdf
    reached = cdf.probabilities >= probability - 1e-9
    return float(cdf.quantiles[np.argmax(reached)]) if reached.any() else float("nan")


def test_weighted_kaplan_meier_equals_scipy_and_the_hand_answer() -> None:
    # 2, 4+, 6, 8: S(2) = 3/4, S(6) = 3/4 * 1/2 = 3/8, S(8) = 0 -> median 6, p90 8, F(6) = 5/8
    durations, observed = np.array([2.0, 4, 6, 8]), np.array([True, False, True, True])
    assert weighted_km_quantiles(durations, observed, np.ones(4), (0.5, 0.9)).tolist() == [[6.0, 8.0]]
    assert km_quantile(durations, observed, 0.5) == 6.0
    assert weighted_km_cdf_at(durations, observed, np.ones(4), 6.0).tolist() == [0.625]
    # a weight of 2 is the same as the journey twice
    doubled = weighted_km_quantiles(durations, observed, np.array([[1.0, 1, 2, 1]]), (0.5,))
    assert doubled[0, 0] == km_quantile(np.array([2.0, 4, 6, 6, 8]), np.array([1, 0, 1, 1, 1], bool), 0.5)
    rng = np.random.default_rng(3)
    times, events = np.round(rng.exponential(10, 300), 1), rng.random(300) < 0.7  # ties and censoring
    for probability in (0.25, 0.5, 0.9):
        ours = weighted_km_quantiles(times, events, np.ones(300), (probability,))[0, 0]
        assert ours == km_quantile(times, events, probability)


def test_effects_intervals_and_p_values_by_hand() -> None:
    # row 0 is the estimate; pilot 10 -> 4, control 10 -> 8: DiD (4 - 10) - (8 - 10) = -4, ratio 0.4 / 0.8 - 1
    values = {
        key: np.full(21, value)
        for key, value in {
            ("pilot", "before"): 10.0,
            ("pilot", "after"): 4.0,
            ("control", "before"): 10.0,
            ("control", "after"): 8.0,
        }.items()
    }
    effect = compare(values)
    assert (effect.change, effect.relative) == (-4.0, pytest.approx(-0.5))
    # every resample the same: no spread, a change of -4 is certain
    assert effect.p_value == 0.0
    # effects -1, +1 ten times each: standard deviation sqrt(20 / 19) = 1.026; an estimate of 2 is
    # z = 2 / 1.026 = 1.949 standard errors from zero: p = 2 * (1 - Phi(1.949)) = 0.0513
    assert bootstrap_p_value(2.0, np.array([-1.0, 1.0] * 10)) == pytest.approx(0.0513, abs=1e-4)
    assert bootstrap_p_value(0.0, np.array([-1.0, 1.0] * 10)) == 1.0
    # equal counts over equal exposure: rate ratio 1, exact binomial p = 1
    volume = rate_ratio_test(10, 1.0, 10, 1.0)
    assert (volume.relative, volume.p_value) == (0.0, 1.0)


def test_groups_are_conditions_over_journey_attributes(store) -> None:
    definition = PilotDefinition(change_date=CHANGE, pilot_group="region = 'North'", control_group="region = 'South'")
    scope = define_pilot_scope(store, definition)
    assert scope.cohorts == ("pilot", "control")
    cohorts = dict(store.execute("SELECT journey_id, cohort FROM pilot_journeys").fetchall())
    assert cohorts == {"B1": "pilot", "B3": "pilot", "A1": "pilot", "B2": "control", "A2": "control", "A3": "control"}
    teams = store.execute("SELECT team_m FROM journey_attributes WHERE journey_id = 'B1'").fetchone()
    assert teams == ("M team",)
    with pytest.raises(
        ConfigError,
        match=r"pilot group 'regio = 1' is not a condition over the journey attributes .*columns: .*region, team_m",
    ):
        define_pilot_scope(store, PilotDefinition(change_date=CHANGE, pilot_group="regio = 1"))
    with pytest.raises(ConfigError, match="in both the pilot group"):
        define_pilot_scope(
            store, PilotDefinition(change_date=CHANGE, pilot_group="TRUE", control_group="region = 'South'")
        )


def test_pilot_definition_errors_name_the_line_and_key(tmp_path: Path) -> None:
    file = tmp_path / "pilot.toml"
    file.write_text(
        '[organisation]\nname = "x"\n\n[pilot]\nchange_date = 2026-05-04\nbefor = "2026-01-01..2026-02-01"\n'
    )
    with pytest.raises(ConfigError, match=r"pilot\.toml:6: \[pilot\] unknown key 'befor'"):
        load_pilot_definition(file)
    file.write_text('[pilot]\nchange_date = "May 4"\n')
    with pytest.raises(ConfigError, match=r"pilot\.toml:2: .*'change_date' must be a date"):
        load_pilot_definition(file)
    file.write_text('[pilot]\nbefore = "2026-01-01..2026-02-01"\nafter = "2026-01-15..2026-03-01"\n')
    with pytest.raises(ConfigError, match=r"pilot\.toml:1: .*must end before the after window"):
        load_pilot_definition(file)
    file.write_text('[pilot]\nchange_date = 2026-05-04\njourney_types = ["laptop_request"]\nbootstrap = 500\n')
    loaded = load_pilot_definition(file)
    assert (loaded.change_date, loaded.journey_types, loaded.bootstrap) == (date(2026, 5, 4), ("laptop_request",), 500)


def test_time_in_a_designed_stage_by_hand(store, tmp_path: Path) -> None:
    spec = tmp_path / "hand.journey.yaml"
    spec.write_text(
        "name: Hand\njourney_type: t\nend_to_end: {norm: 5d}\nstages:\n"
        "  - {name: Front, department: SD, activities: [A, B]}\n"
        "  - {name: Back, department: P, activities: [C]}\n"
    )
    define_pilot_scope(store, PilotDefinition(change_date=CHANGE))
    times = stage_times(store, load_designed_journey(spec)).set_index(["journey_id", "stage"])
    # Front runs from A to B: 10, 20 and 50 hours before the change, 4, 8 and 2 after; B3 and A3 wait after B
    # for C, which is stage Back, so their time in Front is over (observed); Back is one event: 0 hours
    front = times.xs("Front", level="stage")
    assert front["hours"].to_dict() == {"A1": 4.0, "A2": 8.0, "A3": 2.0, "B1": 10.0, "B2": 20.0, "B3": 50.0}
    assert front["observed"].all()
    assert times.xs("Back", level="stage")["hours"].tolist() == [0.0, 0.0, 0.0, 0.0]
