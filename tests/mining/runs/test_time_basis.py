"""One time basis across `journey mine`, `compare`, `pilot` and the flow's report, on the hand-made store of
tests/time_basis_store.py: every journey's Desk → Fix handover waits 18.5 calendar hours (Monday 16:00 to
Tuesday 10:30), which on the 9-17 office calendar is 1 + 1.5 = 2.5 working hours.

Without time rules every page shows the calendar 18.5 h and no figure in working units; with them every
page shows the same handover as 2.5 wh (the unit rules of mining.report.formatting)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from mining.design.load import load_designed_journey
from mining.pilot.definition import PilotDefinition
from mining.report.report import render_report
from mining.runs.analysis import add_pilot, analyse
from mining.scope.time_rules import load_time_rules
from tests.time_basis_store import CHANGE, write_inputs

# a figure in working units: '2.5 wh', '1.5 wd', '2.5 working hours', '0.3 working days'
WORKING_UNITS = re.compile(r"\d\s?(wh|wd)\b|\d working (hours?|days?)\b")
PAGES = ("mine/mining_report.html", "compare/designed_journey.html", "pilot/pilot.html", "report.html")
MAPS = ("mine/process_map.svg", "compare/designed_map.svg")


def _write_outputs(store: Path, design: Path, rules: Path | None, out: Path) -> Path:
    """What `journey mine --edge-label time`, `journey compare`, `journey pilot` and the flow's report write
    from the store, with `rules` as --time-rules (none when None)."""
    given = ["--time-rules", str(rules)] if rules else []
    runner = CliRunner()
    pilot = ["--change-date", str(CHANGE), "--journey", str(design), "--bootstrap", "200"]
    for command in (
        ["mine", "--store", str(store), "--out", str(out / "mine"), "--edge-label", "time"],
        ["compare", "--store", str(store), "--journey", str(design), "--out", str(out / "compare")],
        ["pilot", "--store", str(store), "--out", str(out / "pilot"), *pilot],
    ):
        result = runner.invoke(app, command + given)
        assert result.exit_code == 0, result.output
    # the flow's report, as flows.journey_flow.mine_and_report makes it
    time_rules = load_time_rules(rules) if rules else None
    analysis = analyse(store, load_designed_journey(design), time_rules=time_rules)
    add_pilot(analysis, store, PilotDefinition(change_date=CHANGE, bootstrap=200), time_rules)
    render_report(analysis, "Hand", out / "report.html")
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("time_basis")
    store, design, rules = write_inputs(folder / "inputs")
    return {
        "calendar": _write_outputs(store, design, None, folder / "calendar"),
        "working": _write_outputs(store, design, rules, folder / "working"),
    }


def visible(page: str) -> str:
    """The text a reader sees: no maps, styles or scripts, tags as spaces, one space between words."""
    text = re.sub(r"<(svg|style|script|template)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def labels(svg: str) -> list[str]:
    """The texts drawn on a map."""
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


def _read(outputs: dict[str, Path], basis: str, name: str) -> str:
    return (outputs[basis] / name).read_text()


def test_without_time_rules_every_figure_is_calendar_time(outputs) -> None:
    for name in PAGES + MAPS:
        text = _read(outputs, "calendar", name)
        assert not WORKING_UNITS.search(visible(text) if name.endswith(".html") else " ".join(labels(text))), name
    # the handover's median and p90 are 18.5 h; its total over the 20 journeys 370 h = 15.4 days
    assert "Desk Fix 20 20 18.5 h 18.5 h 15.4 d" in visible(_read(outputs, "calendar", "mine/mining_report.html"))
    assert "18.5 h" in labels(_read(outputs, "calendar", "mine/process_map.svg"))
    # against the 2 h norm (set in working time, measured in calendar time): 16.5 h too long, 20 times
    compared = "Desk → Fix 20 18.5 h 18.5 h 2.0 h 100% 100% no 13.8 d"
    assert compared in visible(_read(outputs, "calendar", "compare/designed_journey.html"))
    assert "18.5 h vs 2.0 h" in labels(_read(outputs, "calendar", "compare/designed_map.svg"))
    assert "Wait Desk → Fix (median) 18.5 h 18.5 h" in visible(_read(outputs, "calendar", "pilot/pilot.html"))
    report = visible(_read(outputs, "calendar", "report.html"))
    assert compared in report and "Wait Desk → Fix (median) 18.5 h 18.5 h" in report
    for name in PAGES:
        assert "calendar time (h = hours, d = days of 24 hours)" in visible(_read(outputs, "calendar", name)), name


def test_with_time_rules_the_same_handover_reads_the_same_everywhere(outputs) -> None:
    """2.5 working hours: mine's map label and handover table, compare's handover table and map, the pilot
    page and the flow's report (its matrix, designed section and pilot) all say 2.5 wh."""
    assert "2.5 wh" in labels(_read(outputs, "working", "mine/process_map.svg"))
    mined = visible(_read(outputs, "working", "mine/mining_report.html"))
    assert "Desk Fix 20 20 2.5 wh 2.5 wh 50.0 wh" in mined  # 20 handovers of 2.5 working hours
    # against the 2 working hours of the norm: 0.5 too long, 20 times
    compared = "Desk → Fix 20 2.5 wh 2.5 wh 2.0 wh 100% 100% no 10.0 wh"
    assert compared in visible(_read(outputs, "working", "compare/designed_journey.html"))
    assert "2.5 wh vs 2.0 wh" in labels(_read(outputs, "working", "compare/designed_map.svg"))
    piloted = "Wait Desk → Fix (median) 2.5 wh 2.5 wh"
    assert piloted in visible(_read(outputs, "working", "pilot/pilot.html"))
    report = visible(_read(outputs, "working", "report.html"))
    assert compared in report and piloted in report
    assert re.search(r"from ↓ / to → .*Desk 2\.5 wh n=20", report)  # the handover matrix
    for name in PAGES:
        page = visible(_read(outputs, "working", name))
        assert "working time (business calendars, pauses left out; wh = working hours)" in page, name
