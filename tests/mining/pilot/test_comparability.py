"""Are before and after comparable (volume, case mix, censoring)? And the wording around it: why a measure
has no interval, the title without a name, every designed stage in the stage table. Hand-made stores whose
answers were worked out on paper (each in its comment)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from eventlogs.store import SCHEMA
from mining.design.load import load_designed_journey
from mining.errors import ConfigError
from mining.pilot.comparability import standardised_difference
from mining.pilot.definition import PilotDefinition, load_pilot_definition
from mining.pilot.evaluation import PilotEvaluation, evaluate_pilot
from mining.report.pilot_output import pilot_markdown, pilot_page
from mining.report.pilot_view import pilot_view
from mining.report.pilot_wording import pilot_words
from tests.conftest import event_row, hand_made_store, journey_row

CHANGE = date(2026, 3, 9)  # a Monday
BEFORE_START = datetime(2026, 3, 2, 9, tzinfo=UTC)
AFTER_START = datetime(2026, 3, 9, 9, tzinfo=UTC)
# one week a side; the extraction (the latest instant the store records) lies after both
WEEKS = PilotDefinition(
    change_date=CHANGE, before=(date(2026, 3, 2), date(2026, 3, 8)), after=(date(2026, 3, 9), date(2026, 3, 15))
)
STEPS = (("A", "SD", 0.0), ("B", "SD", 2.0), ("C", "P", 3.0))  # closed at 5 h


def journey(
    name: str,
    opened: datetime,
    closes: float | None = 5.0,
    category: str = "software",
    attributes: dict | None = None,
    steps: tuple = STEPS,
) -> tuple:
    return name, opened, closes, category, attributes or {}, steps


def build(
    journeys: list[tuple], extraction: datetime | None = datetime(2026, 3, 20, 12, tzinfo=UTC)
) -> duckdb.DuckDBPyConnection:
    """An in-memory store of `journeys`; with `extraction`, one more journey outside both windows closes
    then, so the store's latest instant (its extraction moment) is that."""
    if extraction is not None:
        journeys = [*journeys, journey("LATE", extraction - timedelta(hours=5))]
    connection = duckdb.connect()
    connection.execute(SCHEMA)
    rows, events = [], []
    for name, opened, closes, category, attributes, steps in journeys:
        closed = None if closes is None else opened + timedelta(hours=closes)
        rows.append(journey_row(name, opened, closed, category=category, attributes=json.dumps(attributes)))
        events += [
            event_row(
                name, activity, opened + timedelta(hours=hours), department, f"{name}-{n}", team=department + " team"
            )
            for n, (activity, department, hours) in enumerate(steps)
        ]
    return hand_made_store(connection, rows, events)


def evaluated(store: duckdb.DuckDBPyConnection, definition: PilotDefinition = WEEKS, **options) -> PilotEvaluation:
    return evaluate_pilot(store, definition, with_map=False, **options)


def checks_of(evaluation: PilotEvaluation, aspect: str) -> list:
    return [check for check in evaluation.comparability if check.aspect == aspect]


def before_and_after(before: int, after: int, **options) -> list[tuple]:
    """`before` journeys opened 12 hours apart from Monday 2 March, `after` 6 hours apart from 9 March."""
    return [journey(f"B{i}", BEFORE_START + timedelta(hours=12 * i), **options) for i in range(before)] + [
        journey(f"A{i}", AFTER_START + timedelta(hours=6 * i), **options) for i in range(after)
    ]


def test_double_the_volume_after_the_change_is_flagged_with_its_figures() -> None:
    # 10 journeys in the 7 days before, 20 in the 7 days after: 10/7 -> 20/7 a day, +100% (> 30%)
    evaluation = evaluated(build(before_and_after(10, 20)))
    (volume,) = checks_of(evaluation, "volume")
    assert (volume.before, volume.after) == (pytest.approx(10 / 7), pytest.approx(20 / 7))
    assert (volume.statistic, volume.threshold, volume.flagged) == (pytest.approx(1.0), 0.3, True)
    # one category, every journey closed within its window: nothing else flagged
    assert [check.aspect for check in evaluation.comparability if check.flagged] == ["volume"]
    said = pilot_words(evaluation).comparability
    assert said.startswith("Before and after are not comparable: volume rose 100% (1.4 -> 2.9 journeys opened per day")
    assert "case mix" not in said and "censoring" not in said


def test_the_volume_limit_is_the_definitions() -> None:
    # 10 -> 12 journeys a week is +20%: within the usual 30%, above a limit of 10%
    store = build(before_and_after(10, 12))
    assert not checks_of(evaluated(store), "volume")[0].flagged
    strict = PilotDefinition(change_date=CHANGE, before=WEEKS.before, after=WEEKS.after, max_volume_change=0.1)
    assert checks_of(evaluated(store, strict), "volume")[0].flagged


def test_a_category_share_shifting_from_20_to_60_percent_is_flagged_by_its_standardised_difference() -> None:
    # before: 2 of 10 hardware (20%); after: 6 of 10 (60%). SMD = (0.6 - 0.2) / sqrt((0.24 + 0.16) / 2)
    # = 0.4 / sqrt(0.2) = 0.8944; software moves by the same amount the other way, the level that grew is named
    journeys = [
        journey(f"B{i}", BEFORE_START + timedelta(hours=12 * i), category="hardware" if i < 2 else "software")
        for i in range(10)
    ] + [
        journey(f"A{i}", AFTER_START + timedelta(hours=12 * i), category="hardware" if i < 6 else "software")
        for i in range(10)
    ]
    # a named attribute with no shift (region: half North on both sides); one not named (the group holding
    # the journey at extraction, which the change itself may move: all "Desk" before, all "Field" after)
    # is not compared
    journeys = [
        (name, opened, closes, category, {"region": "North" if i % 2 else "South", "group": name[0]}, steps)
        for i, (name, opened, closes, category, _, steps) in enumerate(journeys)
    ]
    named = PilotDefinition(change_date=CHANGE, before=WEEKS.before, after=WEEKS.after, case_mix=("region",))
    evaluation = evaluated(build(journeys), named)
    mix = {check.attribute: check for check in checks_of(evaluation, "case mix")}
    assert set(mix) == {"category", "region"}  # journey type and priority have one level each
    category = mix["category"]
    assert (category.level, category.before, category.after) == ("hardware", pytest.approx(0.2), pytest.approx(0.6))
    assert category.statistic == pytest.approx(0.4 / math.sqrt(0.2)) and category.flagged
    assert not mix["region"].flagged and mix["region"].statistic == 0.0
    assert "group" not in set(evaluation.case_mix["attribute"])
    said = pilot_words(evaluation).comparability
    assert "case mix: category 'hardware' 20% -> 60% of journeys (standardised difference 0.89" in said
    assert "volume" not in said  # 10 a week on both sides


def test_standardised_difference_by_hand() -> None:
    assert standardised_difference(0.2, 0.6) == pytest.approx(0.894427191)
    assert standardised_difference(0.6, 0.2) == pytest.approx(-0.894427191)
    assert standardised_difference(0.5, 0.5) == 0.0
    assert standardised_difference(0.0, 1.0) == math.inf  # present on every journey after, none before


def test_an_after_window_ending_at_the_extraction_with_four_in_ten_open_is_flagged() -> None:
    # before: 10 journeys, all closed within their window. after: 10 journeys opened from 9 March 09:00,
    # 6 hours apart, the first 4 never closed; the last, opened 11 March 15:00, closes 21 hours later: the
    # store's latest instant, 12 March 12:00, is the extraction, where the after window (change date to
    # extraction) ends: 4 of 10 = 40% censored after, 0% before
    closing = {**dict.fromkeys(range(4)), 9: 21.0}
    journeys = before_and_after(10, 0) + [
        journey(f"A{i}", AFTER_START + timedelta(hours=6 * i), closes=closing.get(i, 5.0)) for i in range(10)
    ]
    definition = PilotDefinition(change_date=CHANGE, before=(date(2026, 3, 2), date(2026, 3, 8)))
    evaluation = evaluated(build(journeys, extraction=None), definition)
    assert evaluation.scope.extracted_at == datetime(2026, 3, 12, 12, tzinfo=UTC)
    share, gap = checks_of(evaluation, "censoring")
    assert (share.before, share.after, share.statistic) == (0.0, pytest.approx(0.4), pytest.approx(0.4))
    assert (share.threshold, share.flagged, share.at_extraction) == (0.2, True, ("after",))
    assert (gap.statistic, gap.threshold, gap.flagged) == (pytest.approx(0.4), 0.1, True)
    said = pilot_words(evaluation).comparability
    assert "censoring: 0% before the change still open at the end of its window" in said
    assert "40% after the change still open at the extraction (2026-03-12 12:00 UTC)" in said
    assert "lead times after the change are lower bounds" in said


def test_comparable_sides_say_so_above_the_figures() -> None:
    evaluation = evaluated(build(before_and_after(10, 10)))
    assert evaluation.comparable
    words = pilot_words(evaluation)
    assert words.comparability == "Before and after are comparable on volume, case mix and censoring."
    page = pilot_page(pilot_view(evaluation))
    assert page.index(words.comparability) < page.index("Median lead time")
    markdown = pilot_markdown(evaluation)
    assert markdown.index(words.comparability) < markdown.index("### Verdict")


def test_no_contacts_at_all_says_so_instead_of_too_few_journeys() -> None:
    # 10 journeys a side (enough to compare), no customer contact and no rework anywhere
    evaluation = evaluated(build(before_and_after(10, 10)))
    rows = evaluation.comparisons.set_index("key")
    assert rows.loc["contacts_per_journey", "no_interval"] == "nothing to measure"
    assert rows.loc["contacts_per_journey", "direction"] == "nothing to measure"
    assert math.isnan(rows.loc["contacts_per_journey", "q_value"])  # nothing to test
    verdict = " ".join(pilot_words(evaluation).verdict)
    assert "Customer chasing contacts per journey 0.00 -> 0.00, no customer contacts in either period" in verdict
    assert "Rework (an activity done again), share of finished journeys 0% -> 0%, no rework in either period" in verdict
    assert "too few journeys" not in verdict


def test_too_few_journeys_is_kept_for_too_few_journeys() -> None:
    # 3 journeys a side (10 needed): the contact measures have no interval because of that (and no
    # relative change: 0 / 0)
    evaluation = evaluated(build(before_and_after(3, 3)))
    rows = evaluation.comparisons.set_index("key")
    assert rows.loc["contacts_per_journey", "no_interval"] == "too few journeys"
    verdict = " ".join(pilot_words(evaluation).verdict)
    assert "Customer chasing contacts per journey 0.00 -> 0.00, – (no interval: too few journeys)" in verdict
    assert "no customer contacts" not in verdict


def test_without_a_name_the_title_names_the_journey_type_and_the_change() -> None:
    store = build(before_and_after(10, 10))
    definition = PilotDefinition(
        change_date=CHANGE, before=WEEKS.before, after=WEEKS.after, journey_types=("t",), bootstrap=100
    )
    evaluation = evaluated(store, definition)
    title = "Pilot evaluation: t, change on 2026-03-09"
    assert pilot_words(evaluation).title == title
    page = pilot_page(pilot_view(evaluation))
    assert f"<title>{title}</title>" in page and f"<h2>{title}</h2>" in page and "Pilot: Pilot" not in page
    assert pilot_markdown(evaluation).startswith(f"## {title}")
    named = PilotDefinition(name="Proactive updates", change_date=CHANGE, before=WEEKS.before, after=WEEKS.after)
    assert pilot_words(evaluated(store, named)).title == "Pilot: Proactive updates"


def test_every_designed_stage_is_in_the_stage_table_with_why_it_is_not_compared(tmp_path: Path) -> None:
    # every journey: A, B (SD, 2 hours apart), C (P); the 10 before also D (Q); 3 before and all 10 after E (X)
    # Front (A, B): 10 and 10 journeys, 2 hours each: compared. Back (C): one event, no time. Survey (D):
    # 10 before, none after. Extra (E): 3 before (10 needed), 10 after.
    before = [
        journey(
            f"B{i}",
            BEFORE_START + timedelta(hours=12 * i),
            steps=(*STEPS, ("D", "Q", 4.0), *([("E", "X", 4.5)] if i < 3 else [])),
        )
        for i in range(10)
    ]
    after = [journey(f"A{i}", AFTER_START + timedelta(hours=6 * i), steps=(*STEPS, ("E", "X", 4.5))) for i in range(10)]
    spec = tmp_path / "hand.journey.yaml"
    spec.write_text(
        "name: Hand\njourney_type: t\nend_to_end: {norm: 5d}\nstages:\n"
        "  - {name: Front, department: SD, activities: [A, B]}\n"
        "  - {name: Back, department: P, activities: [C]}\n"
        "  - {name: Survey, department: Q, activities: [D]}\n"
        "  - {name: Extra, department: X, activities: [E]}\n"
    )
    evaluation = evaluated(build(before + after), journey=load_designed_journey(spec))
    statuses = {reach.stage: (reach.status, reach.journeys) for reach in evaluation.stages}
    assert statuses == {
        "Front": ("compared", {("all", "before"): 10, ("all", "after"): 10}),
        "Back": ("takes no time", {("all", "before"): 10, ("all", "after"): 10}),
        "Survey": ("not reached", {("all", "before"): 10, ("all", "after"): 0}),
        "Extra": ("too few journeys", {("all", "before"): 3, ("all", "after"): 10}),
    }
    rows = pilot_view(evaluation).display_rows("stage")
    assert [row["measure"] for row in rows] == [
        f"Time in stage {name} (median)" for name in ("Front", "Back", "Survey", "Extra")
    ]
    assert rows[0]["before"].startswith("2.0 h") and rows[0]["direction"] != "not compared"
    assert rows[2]["effect"] == "no journeys reached this stage after the change"
    assert rows[3]["effect"] == (
        "too few journeys reached this stage to compare (3 before the change, 10 after the change; 10 needed a side)"
    )
    assert rows[1]["effect"] == "a single event on every side: no time is spent in this stage"
    page = pilot_page(pilot_view(evaluation))
    assert "Time in stage Survey (median)" in page and "no journeys reached this stage after the change" in page
    assert "Time in stage Survey: not compared, no journeys reached this stage after the change." in pilot_markdown(
        evaluation
    )


def test_the_pilot_table_may_set_the_volume_limit_and_leave_out_the_name(tmp_path: Path) -> None:
    file = tmp_path / "pilot.toml"
    file.write_text("[pilot]\nchange_date = 2026-05-04\nmax_volume_change = 0.5\n")
    loaded = load_pilot_definition(file)
    assert (loaded.name, loaded.max_volume_change) == (None, 0.5)
    file.write_text("[pilot]\nchange_date = 2026-05-04\nmax_volume_change = 0\n")
    with pytest.raises(ConfigError, match=r"pilot\.toml:1: .*max_volume_change must be a share above 0"):
        load_pilot_definition(file)


def test_a_case_mix_attribute_no_journey_has_is_an_error() -> None:
    store = build(before_and_after(10, 10))
    typo = PilotDefinition(change_date=CHANGE, before=WEEKS.before, after=WEEKS.after, case_mix=("regoin",))
    with pytest.raises(ConfigError, match=r"case_mix names 'regoin', which no journey of the pilot has"):
        evaluated(store, typo)
