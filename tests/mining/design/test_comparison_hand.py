"""Designed-versus-actual on the hand-made store (norms, the top bottleneck, the XLA), and designed-journey
validation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventlogs.durations import parse_duration_hours
from mining.design.bottlenecks import locate_bottlenecks
from mining.design.comparison import compare_journey
from mining.design.load import load_designed_journey
from mining.design.norms import end_to_end_norm, handover_norms
from mining.errors import ConfigError
from mining.report.designed_section import designed_section, section_context
from mining.report.findings import with_sentences
from mining.report.html_templates import TEMPLATES
from mining.runs.compare import PAGE_TEMPLATE
from mining.scope.scope import define_scope

SPEC = """
name: Hand
journey_type: t
journey_noun: hand requests
end_to_end_norm: 1d
stages:
  - {name: s1, department: Service Desk, activities: [A]}
  - {name: s2, department: Management, activities: [B]}
  - {name: s3, department: Procurement, activities: [C]}
  - {name: s4, department: Service Desk, activities: [D]}
handover_norms:
  - {from: Service Desk, to: Management, norm: 12h}
  - {from: Management, to: Procurement, norm: 3h}
  - {from: Procurement, to: Service Desk, norm: 1h}
"""


@pytest.fixture()
def spec(tmp_path: Path):
    path = tmp_path / "hand.yaml"
    path.write_text(SPEC)
    return load_designed_journey(path)


def test_excess_breach_and_share(hand_store, spec) -> None:
    scope = define_scope(hand_store, "t")
    table = handover_norms(scope, spec).set_index(["from_department", "to_department"])
    # SD->Mgmt waits 10, 4, 48 against 12: excess 36, one journey in three breaches
    assert table.loc[("Service Desk", "Management"), "excess_hours"] == pytest.approx(36)
    assert table.loc[("Service Desk", "Management"), "journeys_breaching_rate"] == pytest.approx(1 / 3)
    # Mgmt->Proc waits 20, 2, 4 against 3: excess 17 + 0 + 1; both journeys breach at least once
    assert table.loc[("Management", "Procurement"), "excess_hours"] == pytest.approx(18)
    assert table.loc[("Management", "Procurement"), "journeys_breaching_rate"] == pytest.approx(1)
    assert table.loc[("Procurement", "Service Desk"), "excess_hours"] == pytest.approx(1)
    # Proc->Mgmt is not designed: its whole 10 h wait is excess
    assert not table.loc[("Procurement", "Management"), "designed"]
    assert table.loc[("Procurement", "Management"), "excess_hours"] == pytest.approx(10)
    assert table["share_of_excess"].sum() == pytest.approx(1)
    assert table.loc[("Service Desk", "Management"), "share_of_excess"] == pytest.approx(36 / 65)


def test_bottleneck_sentence_names_the_top_handover(hand_store, spec) -> None:
    scope = define_scope(hand_store, "t")
    top = with_sentences(locate_bottlenecks(scope, spec), spec).iloc[0]
    # SD->Mgmt: median of 10, 4, 48 h = 10 hours (below a day: hours); J3 of the 3 journeys breaches; 36 of the 65 h of
    # excess (no stage has a norm); all of it J3's plain wait (no ping-pong, rework or wrong owner)
    assert top["sentence"] == (
        "Service Desk → Management: median 10.0 hours against a norm of 12 hours; 33% of hand requests breach; "
        "55% of all excess lead time; mostly queue waiting (100% of it) at Management."
    )


def test_end_to_end_counts_open_journeys_apart(hand_store, spec) -> None:
    scope = define_scope(hand_store, "t")
    result = end_to_end_norm(scope, spec)
    assert (result["finished"], result["still_open"]) == (2, 1)
    # J2's 22 h within 24 h, J1's 31 h not; open J3 has run 48 h (to the latest event): already a breach
    assert (result["decided"], result["censored"], result["open_breached"]) == (3, 0, 1)
    assert result["within_norm_rate"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(("text", "hours"), [("36h", 36), ("2d", 48), ("1.5 days", 36), ("1w", 168)])
def test_durations(text: str, hours: float) -> None:
    assert parse_duration_hours(text, "here") == hours


# SPEC starts with a newline: line 8 is stage s2, line 13 the second handover norm.
def test_broken_spec_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(SPEC.replace("norm: 3h", "norm: soon"))
    with pytest.raises(ConfigError, match=r"broken\.yaml:13: handover_norms\[2\]\.norm: 'soon' is not a duration"):
        load_designed_journey(path)
    path.write_text(SPEC.replace("{name: s2, department: Management, activities: [B]}", "{name: s2, activities: [B]}"))
    with pytest.raises(ConfigError, match=r"broken\.yaml:8: stages\[2\]: missing 'department'"):
        load_designed_journey(path)


def test_working_norms_without_time_rules_are_measured_and_shown_in_calendar_time(hand_store, tmp_path: Path) -> None:
    """No time rules: no business calendars were applied, so working-time norms are measured in calendar
    time; the tables say so and the page explains it. The figures are the calendar ones."""
    working, calendar = tmp_path / "working.yaml", tmp_path / "calendar.yaml"
    working.write_text(SPEC.replace("end_to_end_norm: 1d", "end_to_end_norm: 1d\ntime: working"))
    calendar.write_text(SPEC)
    scope = define_scope(hand_store, "t")
    assert not scope.working_time
    section = designed_section(compare_journey(scope, load_designed_journey(working)))
    for name in ("stage_norms", "handover_norms", "end_to_end_norm"):
        assert set(section.tables[name]["measured_in"]) == {"calendar"}, name
    page = TEMPLATES.get_template(PAGE_TEMPLATE).render(**section_context(section))
    assert (
        "No time rules were given: every figure is calendar time (h = hours, d = days of 24 hours), and the norms "
        "the design sets in working time are measured in calendar time too" in " ".join(page.split())
    )
    in_calendar = compare_journey(scope, load_designed_journey(calendar)).tables
    for name, columns in (
        ("handover_norms", ["median_wait_hours", "p90_wait_hours", "mean_wait_hours"]),
        ("stage_norms", ["median_hours", "p90_hours"]),
        ("end_to_end_norm", ["median_lead_hours", "p90_lead_hours"]),
    ):
        key = {"handover_norms": ["from_department", "to_department"], "stage_norms": ["stage"]}.get(name)
        ours, theirs = section.tables[name], in_calendar[name]
        if key:
            ours, theirs = ours.sort_values(key, ignore_index=True), theirs.sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(ours[columns], theirs[columns], obj=name)
