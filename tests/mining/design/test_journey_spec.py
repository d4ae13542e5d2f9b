"""The designed-journey spec: the richer YAML, its order, errors that name the line, the designed model."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.design.conformance import VariantAligner
from mining.design.journey import Choice, Loop, Norm, Parallel, Sequence, StageRef
from mining.design.load import load_designed_journey
from mining.design.model import build_designed_model
from mining.errors import ConfigError
from tests.conftest import EXAMPLES

RICH = """\
name: Rich
journey_type: t
time: working
working_day: 7.5h
norm_share: 0.9
end_to_end: {norm: 2w, share: 0.8, time: calendar}
stages:
  - {name: In, department: Desk, activities: [Open], norm: 1d12h}
  - {name: Check, department: Desk, activities: [Check*], optional: true}
  - {name: X, department: Lab, activities: [Test], norm: {within: 2d, share: 0.5, time: calendar}}
  - {name: Y, department: Store, activities: [Pick]}
  - {name: Fix, department: Lab, activities: [Repair], loop: true}
  - name: Out
    department: Desk
    activities: [Close]
    touchpoint: {kind: asked, moment_of_truth: true, says: "Happy?"}
order: [In, Check, {parallel: [[X], [Y]]}, {choice: [[Fix], []]}, Out]
handovers:
  - {from: Desk, to: Lab, norm: 1d}
  - {from: Lab, to: Store, norm: 4h, share: 0.95, time: calendar}
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return load_designed_journey(path)


def test_rich_spec_reads_norms_in_their_basis(tmp_path: Path) -> None:
    journey = _load(tmp_path, RICH)
    stages = {stage.name: stage for stage in journey.stages}
    assert journey.end_to_end_norm == Norm(336.0, 0.8, "calendar")  # 2 weeks of 7 x 24 h
    assert stages["In"].norm == Norm(1 * 7.5 + 12, 0.9, "working")  # a working day of 7.5 h plus 12 h
    assert stages["X"].norm == Norm(48.0, 0.5, "calendar")
    assert journey.handover_norms[0].norm == Norm(7.5, 0.9, "working")
    assert journey.handover_norms[1].norm.hours == 4.0
    assert stages["Out"].touchpoint.kind == "asked" and stages["Out"].touchpoint.moment_of_truth
    assert journey.stage_of("Check twice").name == "Check"
    assert journey.order == Sequence(
        (
            StageRef("In"),
            Choice((StageRef("Check"), Sequence(()))),
            Parallel((Sequence((StageRef("X"),)), Sequence((StageRef("Y"),)))),
            Choice((Sequence((Loop(StageRef("Fix")),)), Sequence(()))),
            StageRef("Out"),
        )
    )
    # In -> (Check ->) X|Y in either order -> (Fix ->) Out; department changes only
    assert journey.designed_handovers() == [
        ("Desk", "Lab"),
        ("Desk", "Store"),
        ("Lab", "Store"),
        ("Lab", "Desk"),
        ("Store", "Lab"),
        ("Store", "Desk"),
    ]


def test_old_spec_keeps_loading_in_calendar_time(tmp_path: Path) -> None:
    journey = _load(
        tmp_path,
        "name: Old\njourney_type: t\nend_to_end_norm: 10d\nstages:\n"
        "  - {name: a, department: D1, activities: [A]}\n  - {name: b, department: D2, activities: [B]}\n"
        "handover_norms:\n  - {from: D1, to: D2, norm: 2d}\n",
    )
    assert journey.end_to_end_norm.hours == 240.0
    assert journey.handover_norms[0].norm == Norm(48.0, 0.8, "calendar")
    assert journey.order == Sequence((StageRef("a"), StageRef("b")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                "  - {name: Y, department: Store, activities: [Pick]}",
                "  - {name: Y, department: Store, activities: [Pick], colour: red}",
            ),
            r"spec\.yaml:11: stages\[4\]\.colour: unknown key 'colour'",
        ),
        (("[In, Check,", "[In, Chek,"), r"spec\.yaml:17: order\[2\]: order names no stage: 'Chek'"),
        (("{from: Lab, to: Store, norm: 4h", "{from: Store, to: Desk, norm: 4h"), None),
        (
            ("{from: Lab, to: Store, norm: 4h", "{from: Lab, to: Canteen, norm: 4h"),
            r"spec\.yaml:20: handovers\[2\]: the design never hands over Lab -> Canteen",
        ),
        (
            ("norm: {within: 2d, share: 0.5", "norm: {within: 2d, share: 1.5"),
            r"spec\.yaml:10: stages\[3\]\.norm\.share: a share must be a number in \(0, 1\]",
        ),
        (("norm: 1d12h}", "norm: soon}"), r"spec\.yaml:8: stages\[1\]\.norm: 'soon' is not a duration"),
        (
            (
                "  - {name: In, department: Desk, activities: [Open], norm: 1d12h}\n",
                "  - {name: In, activities: [Open]}\n",
            ),
            r"spec\.yaml:8: stages\[1\]: missing 'department'",
        ),
        (("time: working\n", "time: weekly\n"), r"spec\.yaml:3: time: time must be one of working, calendar"),
        (
            ("{parallel: [[X], [Y]]}", "{parallel: [[X]]}"),
            r"spec\.yaml:17: order\[3\]\.parallel: 'parallel' needs at least two branches",
        ),
    ],
)
def test_broken_spec_names_its_line(tmp_path: Path, change: tuple[str, str], message: str | None) -> None:
    old, new = change
    assert old in RICH
    if message is None:  # a handover the design does make (Store -> Desk after the parallel part) is fine
        _load(tmp_path, RICH.replace(old, new))
        return
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, RICH.replace(old, new))


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"spec\.yaml:8: not a valid designed-journey file"):
        _load(tmp_path, RICH.replace("activities: [Open]", "activities: [Open"))


def _fitness(journey, *paths: tuple[str, ...]) -> list[float]:
    model = build_designed_model(journey, {a for path in paths for a in path})
    aligner = VariantAligner(model)
    return [aligner.fit(model.alignment_labels([model.label(a, None) for a in path])).fitness for path in paths]


def test_designed_alternatives_loops_and_parallel_parts_fit(tmp_path: Path) -> None:
    journey = _load(tmp_path, RICH)
    fits = _fitness(
        journey,
        ("Open", "Check now", "Test", "Pick", "Close"),
        ("Open", "Pick", "Test", "Repair", "Repair", "Close"),  # Check is optional, X and Y in any order, Fix loops
        ("Open", "Test", "Close"),  # Y is missing: 1 model move; cheapest run Open Test Pick Close = 4 moves
    )
    assert fits == [1.0, 1.0, pytest.approx(1 - 1 / (3 + 4))]


def test_demo_design_allows_rejection_and_redelivery_but_not_an_order_query() -> None:
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    designed = (
        "Request submitted", "Sent for approval", "Approved", "Order placed", "Goods received", "Picked",
        "Dispatched", "In transit", "Out for delivery", "Delivery failed", "Out for delivery", "Delivered",
        "Set-up scheduled", "Set-up done", "Closed",
    )  # fmt: skip
    rejected = ("Request submitted", "Sent for approval", "Rejected", "Cancelled")
    queried = (*designed[:3], "Order query", "Approved", *designed[3:])
    fits = _fitness(journey, designed, rejected, queried)
    # the order query and the second approval are two log moves; the cheapest run is the rejection, 4 moves
    assert fits == [1.0, 1.0, pytest.approx(1 - 2 / (len(queried) + 4))]


ESCALATION = """\
name: Lines
journey_type: t
end_to_end_norm: 5d
stages:
  - {name: First, department: L1, activities: [Take]}
  - {name: Second, department: L2, activities: [Dig]SECOND_FLAG}
  - {name: Third, department: L3, activities: [Fix]}
order: [First, {optional: [Second, {optional: [Third]}]}]
"""


def test_escalation_step_by_step_is_skippable_but_never_skips_a_line(tmp_path: Path) -> None:
    journey = _load(tmp_path, ESCALATION.replace("SECOND_FLAG", ""))
    assert [journey.skippable(stage) for stage in journey.stages] == [False, True, True]
    # First -> Second -> Third, or stop after any of them: Third never directly after First
    assert journey.stage_follows() == [("First", "Second"), ("Second", "Third")]
    assert journey.designed_handovers() == [("L1", "L2"), ("L2", "L3")]


def test_a_stage_flag_holds_where_the_order_names_it(tmp_path: Path) -> None:
    # Second optional on its own as well: inside the optional part it may be skipped, so First -> Third
    journey = _load(tmp_path, ESCALATION.replace("SECOND_FLAG", ", optional: true"))
    assert journey.stage_follows() == [("First", "Second"), ("First", "Third"), ("Second", "Third")]


def test_bpic2013_design_escalates_line_by_line() -> None:
    journey = load_designed_journey(EXAMPLES / "bpic2013_incidents.journey.yaml")
    assert journey.designed_handovers() == [("First line", "Second line"), ("Second line", "Third line")]
    assert [stage.name for stage in journey.stages if journey.skippable(stage)] == ["Second line", "Third line"]


DEMO_BPMN = DEMO_DESIGNED_JOURNEY.with_suffix("").with_suffix(".bpmn")  # laptop_request.bpmn


def test_bpmn_import_gives_the_yaml_stages_and_departments() -> None:
    """The shipped BPMN was written from the YAML (one task per activity, a lane per department); read back
    through pm4py it must own every activity by the same department and allow the same paths."""
    from_yaml = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    from_bpmn = load_designed_journey(DEMO_BPMN)
    activities = [activity for stage in from_yaml.stages for activity in stage.activities]
    assert sorted(stage.name for stage in from_bpmn.stages) == sorted(activities)
    for activity in activities:
        assert from_bpmn.stage_of(activity).department == from_yaml.stage_of(activity).department, activity
    assert set(from_bpmn.designed_handovers()) == set(from_yaml.designed_handovers())
    paths = [
        ("Request submitted", "Sent for approval", "Rejected", "Cancelled"),
        ("Request submitted", "Sent for approval", "Approved", "Order placed", "Goods received", "Picked",
         "Dispatched", "In transit", "Out for delivery", "Delivery failed", "Out for delivery", "Delivered",
         "Set-up scheduled", "Set-up done", "Closed"),
        ("Request submitted", "Approved", "Order query", "Approved", "Order placed", "Closed"),
    ]  # fmt: skip
    assert _fitness(from_bpmn, *paths) == _fitness(from_yaml, *paths)


def test_bpmn_side_file_brings_the_norms(tmp_path: Path) -> None:
    side = tmp_path / "norms.yaml"
    side.write_text(
        "name: Laptop\njourney_type: laptop_request\ntime: working\nend_to_end: 10d\n"
        "handovers:\n  - {from: Management, to: Procurement, norm: 1d}\n"
    )
    journey = load_designed_journey(DEMO_BPMN, side)
    assert journey.handover_norms[0].norm == Norm(8.0, 0.8, "working")
    assert journey.end_to_end_norm == Norm(80.0, 0.8, "working")
    side.write_text(side.read_text() + "stages: []\n")
    with pytest.raises(ConfigError, match=r"norms\.yaml:7: stages: 'stages' come from the BPMN model"):
        load_designed_journey(DEMO_BPMN, side)


def test_bpmn_task_outside_every_lane_names_its_line(tmp_path: Path) -> None:
    text = DEMO_BPMN.read_text()
    task_id = text.split('name="Order placed"')[0].rsplit('id="', 1)[1].split('"')[0]
    broken = tmp_path / "broken.bpmn"
    broken.write_text(text.replace(f"<bpmn:flowNodeRef>{task_id}</bpmn:flowNodeRef>", ""))
    line = next(i for i, row in enumerate(broken.read_text().splitlines(), start=1) if 'name="Order placed"' in row)
    with pytest.raises(ConfigError, match=rf"broken\.bpmn:{line}: task 'Order placed' is in no lane"):
        load_designed_journey(broken)
