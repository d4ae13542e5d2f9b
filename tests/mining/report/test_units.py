"""The unit rules (mining.report.formatting) and the designed-versus-actual words in one basis, on the
hand-made store of tests/time_basis_store.py: Desk → Fix waits 18.5 calendar hours, which on the 9-17
calendar is 2.5 working hours; the design's handover norm is 2 hours in working time."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eventlogs.store import connect_store
from mining.design.comparison import compare_journey
from mining.design.load import load_designed_journey
from mining.report.designed_section import DesignedSection, designed_section, section_context
from mining.report.formatting import (
    basis_of,
    basis_words,
    duration_in_words,
    durations_in_words,
    short_duration,
    times_header,
)
from mining.report.html_templates import TEMPLATES
from mining.report.pilot_wording import hours_pair, unit_words
from mining.runs.compare import PAGE_TEMPLATE
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules, load_time_rules
from tests.time_basis_store import DESIGN, write_inputs

NO_RULES_NOTE = (
    "No time rules were given: every figure is calendar time (h = hours, d = days of 24 hours), and the norms "
    "the design sets in working time are measured in calendar time too (a working day of 8 h counts as 8 "
    "calendar hours)."
)


def test_the_unit_rules() -> None:
    # calendar time: hours below a day, days of 24 hours from a day on; working time: working hours only
    assert [short_duration(hours) for hours in (18.5, 24.0, 50.5)] == ["18.5 h", "1.0 d", "2.1 d"]
    assert [short_duration(hours, "working") for hours in (2.5, 50.5)] == ["2.5 wh", "50.5 wh"]
    assert short_duration(None) == short_duration(float("nan"), "working") == "–"
    assert [duration_in_words(hours) for hours in (18.5, 24.5, 50.5)] == ["18.5 hours", "1 day", "2.1 days"]
    assert duration_in_words(50.5, "working") == "50.5 working hours"  # never working days: they differ
    # two figures take the unit of the larger: 18.5 and 30 hours are 0.77 and 1.25 days
    assert durations_in_words(18.5, 30.0) == "0.8 -> 1.2 days"
    assert durations_in_words(2.5, 3.0, "working") == "2.5 -> 3.0 working hours"
    assert durations_in_words(float("nan"), 2.0) == "not reached -> 2.0 hours"
    assert (basis_of(False), basis_of(True)) == ("calendar", "working")
    assert basis_words("working") == "working time (business calendars, pauses left out)"
    assert basis_words("calendar", units=True) == "calendar time (h = hours, d = days of 24 hours)"
    assert times_header("calendar") == "all times in calendar time (h = hours, d = days of 24 hours)"


def test_the_pilot_reads_its_hours_by_the_same_rules() -> None:
    assert hours_pair(18.5, 30.0, unit_words(False)) == "0.8 -> 1.2 days"
    # in working time no working days, whatever the design's working day: 14.2 working hours stay hours
    assert hours_pair(14.2, 8.1, unit_words(True)) == "14.2 -> 8.1 working hours"
    assert unit_words(False)["basis"] == "calendar time (h = hours, d = days of 24 hours)"


@pytest.fixture()
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    return write_inputs(tmp_path)


def _section(store: Path, design: Path, rules: TimeRules | None) -> DesignedSection:
    journey = load_designed_journey(design)
    connection: duckdb.DuckDBPyConnection = connect_store(store, read_only=True)
    try:
        return designed_section(compare_journey(define_scope(connection, "t", time_rules=rules), journey))
    finally:
        connection.close()


def _page(section: DesignedSection) -> str:
    return TEMPLATES.get_template(PAGE_TEMPLATE).render(**section_context(section), provenance=None)


def test_without_time_rules_the_findings_are_calendar_time(inputs) -> None:
    store, design, _ = inputs
    section = _section(store, design, None)
    # 18.5 calendar hours against the 2 h norm, judged in calendar time: every request breaches, and all
    # the excess (16.5 h each) is this handover's plain queue wait
    assert section.findings[0] == (
        "Desk → Fix: median 18.5 hours against a norm of 2 hours; 100% of requests breach; 100% of all excess "
        "lead time; mostly queue waiting (100% of it) at Fix."
    )
    page = _page(section)
    assert page.count(NO_RULES_NOTE) == 1  # said once, clearly
    assert "working hours" not in page.replace(NO_RULES_NOTE, "")
    assert " wh<" not in page and " wd<" not in page


def test_with_time_rules_the_findings_are_working_time(inputs) -> None:
    store, design, rules = inputs
    section = _section(store, design, load_time_rules(rules))
    # 2.5 working hours against the 2 working hours: every request breaches by 0.5 working hours
    assert section.findings[0] == (
        "Desk → Fix: median 2.5 working hours against a norm of 2 working hours; 100% of requests breach; 100% "
        "of all excess lead time; mostly queue waiting (100% of it) at Fix."
    )
    page = _page(section)
    assert "No time rules were given" not in page
    legend = "Every figure is working time (business calendars, pauses left out; wh = working hours)."
    assert f"{legend} A working day of a norm is 8 working hours." in page


def test_the_no_time_rules_note_is_for_working_norms_only(inputs, tmp_path: Path) -> None:
    """A design whose norms are all in calendar time loses nothing without time rules: no note."""
    store, _, _ = inputs
    calendar = tmp_path / "calendar.journey.yaml"
    calendar.write_text(DESIGN.replace("time: working", "time: calendar"))
    page = _page(_section(store, calendar, None))
    assert "No time rules were given" not in page
    assert "measured in calendar time" not in page
    assert "Every figure is calendar time (h = hours, d = days of 24 hours)." in page
