"""Pages stay readable with 200 teams: handover tables list the costliest recurring pairs and sum the rest,
the matrix is by department, maps fit the page and zoom, and an activity many teams share is drawn in a
shared lane, not under the busiest team. Orders and sums worked out by hand on small fixtures; the
200-team store (tests/many_teams_log.py) checks the pages against its Parquet tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from mining.design.load import load_designed_journey
from mining.discovery import tables as discovery
from mining.discovery.map_detail import activity_lanes, map_graph
from mining.report.process_map import render_map
from mining.report.report import render_report
from mining.report.sections import TOP_PAIRS, ranked_pairs
from mining.runs.analysis import analyse, write_tables
from mining.scope.scope import define_scope
from tests.conftest import T0, event_row, hand_made_store, journey_row
from tests.many_teams_log import DESIGN, SERVICE_DESK, log_lines, many_teams_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PARKED_TEAM = "Facilities 999"  # one ticket only, parked there for 3,000 hours


def test_a_one_off_pair_never_ranks_above_a_recurring_one() -> None:
    """Recurring (5 handovers or more) first, by total wait: C->A 40 h; C->B and B->C both 30 h, C->B
    first for its 10 handovers over 6. Then the rare ones, by total wait: A->B once for 500 h, A->C
    twice for 300 h. With 3 listed, the other 2 pairs hold 1 + 2 = 3 handovers and 500 + 300 = 800 h."""
    table = pd.DataFrame(
        [("A", "B", 1, 500.0), ("A", "C", 2, 300.0), ("B", "C", 6, 30.0), ("C", "A", 5, 40.0), ("C", "B", 10, 30.0)],
        columns=["from_team", "to_team", "handovers", "total_wait_hours"],
    )
    ranked = ranked_pairs(table, "team", top=5)
    assert [(row["source"], row["target"]) for row in ranked.rows] == [
        ("C", "A"),
        ("C", "B"),
        ("B", "C"),
        ("A", "B"),
        ("A", "C"),
    ]
    short = ranked_pairs(table, "team", top=3)
    assert len(short.rows) == 3
    assert (short.hidden_pairs, short.hidden_volume, short.hidden_hours) == (2, 3, 800.0)


@pytest.fixture()
def lane_store(tmp_path: Path) -> Iterator[object]:
    """Department A does 16 of the 40 events (40 %), the others split the rest. Per activity:
    X: A 4, B 2, C 2, D 2 (no majority); Y: A 4, B 3, C 3 (none); Z: A 4, C 6 (C 60 %); V: A 4, D 6 (D 60 %).
    The most-often rule put X and Y under A. Each event is a journey of its own."""
    split = {"X": {"A": 4, "B": 2, "C": 2, "D": 2}, "Y": {"A": 4, "B": 3, "C": 3}, "Z": {"A": 4, "C": 6},
             "V": {"A": 4, "D": 6}}  # fmt: skip
    done = [(activity, department) for activity, by in split.items() for department, n in by.items() for _ in range(n)]
    journeys = [journey_row(f"J{i}", T0, T0 + timedelta(hours=1)) for i in range(len(done))]
    events = [
        event_row(f"J{i}", activity, T0 + timedelta(minutes=i), department, f"e{i}", team=department)
        for i, (activity, department) in enumerate(done)
    ]
    connection = hand_made_store(tmp_path / "lanes.duckdb", journeys, events)
    yield connection
    connection.close()


def test_an_activity_no_department_does_most_of_goes_to_a_shared_lane(lane_store) -> None:
    scope = define_scope(lane_store)
    lanes = activity_lanes(scope).set_index("activity")
    assert lanes["lane_kind"].to_dict() == {"V": "department", "X": "shared", "Y": "shared", "Z": "department"}
    assert lanes.loc["Z", "lane"] == "C" and lanes.loc["V", "lane"] == "D"
    assert lanes.loc["X", "lane_share"] == pytest.approx(0.4)
    # one lane at most: C (11 events) is busier than D (8), so V goes to the other departments' lane
    capped = activity_lanes(scope, max_lanes=1).set_index("activity")["lane_kind"].to_dict()
    assert capped == {"V": "other", "X": "shared", "Y": "shared", "Z": "department"}
    svg = render_map(map_graph(scope, discovery.activities(scope), 4))
    page = lxml.html.fromstring(svg)
    lane_labels = {
        cluster.findtext("title"): [text.text for text in cluster.iter("text")]
        for cluster in page.iter("g")
        if cluster.get("class") == "cluster"
    }
    assert sorted(labels[0] for labels in lane_labels.values()) == ["C", "D", "several departments"]


def _mine(store: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["mine", "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def mined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`journey mine` on 200 teams (every team its own department, as a log without an organisation chart
    loads), plus one ticket parked 3,000 hours with a team seen nowhere else."""
    folder = tmp_path_factory.mktemp("many_teams")
    lines = log_lines(teams=200, tickets=800)
    lines += [
        f"PARKED,Log,2026-01-05 08:00:00,{SERVICE_DESK},{SERVICE_DESK},p1",
        f"PARKED,Investigate,2026-05-09 08:00:00,{PARKED_TEAM},{PARKED_TEAM},p2",
    ]
    store = many_teams_store(folder, department="team", lines=lines)
    _mine(store, folder / "mining")
    return folder / "mining"


def _table_rows(page: lxml.html.HtmlElement, table_id: str) -> list[list[str]]:
    return [[cell.text_content().strip() for cell in row] for row in page.get_element_by_id(table_id).iter("tr")][1:]


@pytest.mark.parametrize("level", ["department", "team"])
def test_mined_page_lists_the_top_pairs_and_sums_the_rest(mined: Path, level: str) -> None:
    page = lxml.html.parse(str(mined / "mining_report.html")).getroot()
    rows = _table_rows(page, f"handovers-{level}")
    table = pd.read_parquet(mined / f"handovers_{level}.parquet")
    assert len(table) > 1000 and len(rows) == TOP_PAIRS + 1  # the listed pairs and the row of the others
    shown = {(row[0], row[1]) for row in rows[:-1]}
    # the parked pair has the longest total wait of all, but one handover: it is summed, not listed
    assert (table.iloc[0][f"from_{level}"], table.iloc[0][f"to_{level}"]) == (SERVICE_DESK, PARKED_TEAM)
    assert (SERVICE_DESK, PARKED_TEAM) not in shown
    listed = table.set_index([f"from_{level}", f"to_{level}"]).loc[[(row[0], row[1]) for row in rows[:-1]]]
    assert (listed["handovers"] >= 5).all()
    assert listed["total_wait_hours"].is_monotonic_decreasing
    others = page.get_element_by_id(f"handovers-{level}").find_class("others")[0]
    hidden = table[[pair not in shown for pair in zip(table[f"from_{level}"], table[f"to_{level}"], strict=True)]]
    assert int(others.get("data-pairs")) == len(hidden) == len(table) - TOP_PAIRS
    assert int(others.get("data-handovers")) == hidden["handovers"].sum()
    assert float(others.get("data-hours")) == pytest.approx(hidden["total_wait_hours"].sum())
    assert f"{len(hidden):,} other pairs ({hidden['handovers'].sum():,} handovers" in others.text_content()


def test_mined_maps_have_a_viewbox_and_fit_the_width(mined: Path) -> None:
    html = (mined / "mining_report.html").read_text()
    page = lxml.html.fromstring(html)
    maps = list(page.find_class("map-explorer")[0].iter("svg"))  # the one on show and those of the sliders
    assert len(maps) > 1
    for svg in maps:
        assert svg.get("viewbox") and svg.get("width") == "100%" and "min(100%," in svg.get("style")
    assert 'width="100%"' in (mined / "process_map.svg").read_text()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html for 200 teams in six departments, and for 6 teams (a matrix of teams fits)."""
    folder = tmp_path_factory.mktemp("report_many_teams")
    (folder / "ticket.yaml").write_text(DESIGN)
    journey = load_designed_journey(folder / "ticket.yaml")
    pages = {}
    for name, teams in (("many", 200), ("few", 6)):
        store = many_teams_store(folder / name, teams=teams, tickets=400)
        analysis = analyse(store, journey, levels=(50, 100))
        write_tables(analysis, folder / name / "out")
        pages[name] = render_report(analysis, "Org", folder / name / "out" / "report.html")
    return pages


def test_report_matrix_is_by_department_and_says_where_the_teams_are(reports: dict[str, Path]) -> None:
    page = lxml.html.parse(str(reports["many"])).getroot()
    header = [cell.text_content() for cell in next(page.get_element_by_id("handover-matrix").iter("tr"))][1:]
    assert header == ["Applications", "Data", "Facilities", "Network", "Security", "Service Desk", "Workplace"]
    assert page.get_element_by_id("handover-matrix-team", None) is None
    assert "handovers_team.parquet" in page.get_element_by_id("team-matrix-note").text_content()
    assert (reports["many"].parent / "handovers_team.parquet").exists()
    assert len(_table_rows(page, "handovers-team")) == TOP_PAIRS + 1
    # against the design: its 2 pairs first, then the most excess of the others, the rest summed
    norms = pd.read_parquet(reports["many"].parent / "handover_norms.parquet")
    rows = _table_rows(page, "handover-norms")
    assert [row[0] for row in rows[:2]] == ["Service Desk → Network", "Network → Service Desk"]
    assert len(rows) == 2 + TOP_PAIRS + 1 and len(norms) > len(rows)
    shown = {row[0].removesuffix(" (not designed)") for row in rows[:-1]}
    hidden = norms[
        [f"{a} → {b}" not in shown for a, b in zip(norms["from_department"], norms["to_department"], strict=True)]
    ]
    others = page.get_element_by_id("handover-norms").find_class("others")[0]
    assert int(others.get("data-handovers")) == hidden["handovers"].sum()
    assert float(others.get("data-hours")) == pytest.approx(hidden["excess_hours"].sum())
    listed = norms.set_index(["from_department", "to_department"])
    listed = listed.loc[[tuple(name.split(" → ")) for name in list(shown)]]
    assert hidden[hidden["handovers"] >= 5]["excess_hours"].max() <= listed[~listed["designed"]]["excess_hours"].min()
    few = lxml.html.parse(str(reports["few"])).getroot()
    team_header = [cell.text_content() for cell in next(few.get_element_by_id("handover-matrix-team").iter("tr"))]
    assert len(team_header) == 1 + 7  # six teams and the Service Desk


# Per map box: its width, and the width of the drawing inside it; and how wide the whole page is.
WIDTHS_JS = """() => ({
    page: document.documentElement.scrollWidth, window: window.innerWidth,
    maps: Array.from(document.querySelectorAll("div.map"), map => {
        const svg = map.querySelector(":scope > svg");
        return {box: map.clientWidth, scroll: map.scrollWidth, svg: svg ? svg.getBoundingClientRect().width : 0};
    })})"""


def test_maps_fit_the_page_and_zoom_in_the_browser(reports: dict[str, Path], browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(reports["many"].as_uri())
    widths = page.evaluate(WIDTHS_JS)
    assert widths["page"] <= widths["window"]  # nothing overflows the page
    assert widths["maps"] and all(0 < m["svg"] <= m["box"] + 1 and m["scroll"] <= m["box"] + 1 for m in widths["maps"])
    explorer = page.locator("div.map-view")
    zoom_in = page.locator(".map-explorer .map-zoom").get_by_role("button", name="+", exact=True)
    fitted = explorer.evaluate("map => map.querySelector('svg').getBoundingClientRect().width")
    for _ in range(4):
        zoom_in.click()
    zoomed = explorer.evaluate("map => map.querySelector('svg').getBoundingClientRect().width")
    assert zoomed == pytest.approx(fitted * 1.5**4, rel=0.02)
    assert page.evaluate(WIDTHS_JS)["page"] <= widths["window"]  # the map scrolls in its box, not the page
    page.locator(".map-explorer .map-zoom").get_by_role("button", name="fit", exact=True).click()
    assert explorer.evaluate("map => map.querySelector('svg').getBoundingClientRect().width") == pytest.approx(fitted)
    page.close()
