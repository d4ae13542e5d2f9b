"""Departments and activities named like markup, escape sequences or control characters: `journey mine`,
`journey pilot` and the report still run, every drawing and page shows the names as text, no link or
script comes from the data (checked in headless Chromium: every link clicked, no dialog opens), and the
Markdown outputs render them as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import lxml.html
import pytest
from lxml import etree
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.demo.true_store import write_true_store
from flows.cli import app
from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.design.load import load_designed_journey
from mining.pilot.definition import PilotDefinition
from mining.report.report import render_report
from mining.report.run_summary import run_summary_markdown
from mining.runs.analysis import add_pilot, analyse

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The demo's names, renamed in the store to what a careless or hostile source could send.
DEPARTMENTS = {
    "Warehouse": '<<table href="javascript:alert(1)"><tr><td>x</td></tr></table>>',
    "Carrier": "<script>alert(2)</script>",
}
ACTIVITIES = {
    "Closed": "Close\\",  # a trailing backslash would escape Graphviz's closing quote
    "Picked": "Pi\x00cked",
    "Approved": "<none>",
    "Order placed": '<<table href="javascript:alert(3)"><tr><td>y</td></tr></table>>',
    "Delivered": 'Say "hi" \\N\\l',  # Graphviz escape sequences: the node's name, a left-justified line end
    "Request submitted": "[click](javascript:alert(4)) | *bold* &amp;",
}
# What a reader must see: the names unchanged, but NUL, which no SVG, XML or HTML can hold, shown as the
# Unicode symbol for it.
SHOWN_DEPARTMENTS = list(DEPARTMENTS.values())
SHOWN_ACTIVITIES = [name.replace("\x00", "\u2400") for name in ACTIVITIES.values()]
PILOT_MEASURE = f"Wait {SHOWN_DEPARTMENTS[0]} → {SHOWN_DEPARTMENTS[1]}"  # a handover the pilot shortened
PAGES = ("report.html", "mining/mining_report.html", "pilot/pilot.html")
DRAWINGS = ("mining/process_map.svg", "mining/bpmn.svg", "mining/petri_net.svg", "pilot/pilot_difference_map.svg")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mine and pilot commands' outputs and the report, all from one store with the hostile names."""
    folder = tmp_path_factory.mktemp("hostile")
    store = folder / "journeys.duckdb"
    journeys, events = DemoSimulator(600, seed=3).simulate()
    with duckdb.connect(str(store)) as connection:
        write_true_store(connection, journeys, events)
        for column, names in (("department", DEPARTMENTS), ("activity", ACTIVITIES)):
            for old, new in names.items():
                connection.execute(f"UPDATE events SET {column} = ? WHERE {column} = ?", [new, old])
    runner = CliRunner()
    result = runner.invoke(app, ["mine", "--store", str(store), "--out", str(folder / "mining")])
    assert result.exit_code == 0, result.output
    pilot = ["pilot", "--store", str(store), "--change-date", "2026-05-04", "--journey-type", "laptop_request"]
    result = runner.invoke(app, [*pilot, "--bootstrap", "200", "--out", str(folder / "pilot")])
    assert result.exit_code == 0, result.output
    analysis = analyse(store, load_designed_journey(DEMO_DESIGNED_JOURNEY), levels=(50, 100))
    add_pilot(analysis, store, PilotDefinition(name="<b>pilot</b>", change_date=date(2026, 5, 4), bootstrap=200))
    render_report(analysis, "<i>Org</i>", folder / "report.html")
    return folder


@pytest.mark.parametrize("drawing", DRAWINGS)
def test_drawings_show_the_names_as_text_and_link_nowhere(outputs: Path, drawing: str) -> None:
    svg = etree.parse(str(outputs / drawing))
    texts = {element.text for element in svg.iter(f"{SVG}text")}
    missing = [name for name in SHOWN_ACTIVITIES if name not in texts]
    assert not missing, f"{drawing} does not show {missing}"
    if "bpmn" not in drawing and "petri" not in drawing:  # the maps also draw department lanes
        assert set(SHOWN_DEPARTMENTS) <= texts
    links = [element.attrib for element in svg.iter() if any(key.endswith("href") for key in element.attrib)]
    assert links == []


def test_exchange_files_hold_the_names(outputs: Path) -> None:
    bpmn = etree.parse(str(outputs / "mining" / "process_model.bpmn"))
    assert set(SHOWN_ACTIVITIES) <= {element.get("name") for element in bpmn.iter()}
    pnml = etree.parse(str(outputs / "mining" / "process_model.pnml"))
    assert set(SHOWN_ACTIVITIES) <= {element.text for element in pnml.iter("text")}


def _rendered(markdown: str) -> lxml.html.HtmlElement:
    """The HTML a CommonMark renderer with tables makes of the Markdown."""
    return lxml.html.fromstring(f"<div>{MarkdownIt('commonmark').enable('table').render(markdown)}</div>")


def _markup(rendered: lxml.html.HtmlElement) -> tuple[set[str], list[str]]:
    """The elements in the rendered Markdown, and every attribute of theirs."""
    tags = {element.tag for element in rendered.iter()}
    return tags, [name for element in rendered.iter() for name in element.attrib]


def test_pilot_markdown_shows_the_names_as_text(outputs: Path) -> None:
    rendered = _rendered((outputs / "pilot" / "pilot.md").read_text())
    assert PILOT_MEASURE in rendered.text_content()
    tags, attributes = _markup(rendered)
    assert tags <= {"div", "h2", "h3", "ul", "li", "p", "table", "thead", "tbody", "tr", "th", "td"}
    assert attributes == []


def test_run_summary_shows_the_names_as_text(tmp_path: Path) -> None:
    bottleneck = f"{SHOWN_DEPARTMENTS[0]} → {SHOWN_DEPARTMENTS[1]}: median 2.0 d"
    ledger = [{"source": ACTIVITIES["Request submitted"], "rows_read": 3, "rows_loaded": 2, "rows_rejected": 1,
               "rows_duplicate": 0}]  # fmt: skip
    quality = [{"source": "s|1", "check": "missing\nvalues", "count": 1, "detail": ACTIVITIES["Picked"]}]
    failed = {"<img src=x onerror=alert(6)>": "Close\\"}
    report = tmp_path / "report.html"
    rendered = _rendered(run_summary_markdown("run-1", bottleneck, ledger, quality, failed, report))
    text = rendered.text_content()
    assert bottleneck in text and "<img src=x onerror=alert(6)>: Close\\" in text
    tags, attributes = _markup(rendered)
    assert tags <= {"div", "h2", "ul", "li", "p", "strong", "a", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(attributes) <= {"href"} and all(link.get("href") == report.as_uri() for link in rendered.iter("a"))
    rows = [[cell.text_content() for cell in row] for row in rendered.iter("tr")]
    assert [len(row) for row in rows] == [5, 5, 4, 4]  # a | in the data is no column of its own
    assert rows[1] == [ACTIVITIES["Request submitted"], "3", "2", "1", "0"]
    assert rows[3] == ["s|1", "missing values", "1", "Pi\u2400cked"]


# Every href in the page, HTML and SVG (xlink:href too), the maps kept in <template>s for the sliders included.
LINKS_JS = """() => [document, ...Array.from(document.querySelectorAll("template"), t => t.content)].flatMap(root =>
    Array.from(root.querySelectorAll("*")).flatMap(element =>
        Array.from(element.attributes).filter(a => a.name.endsWith("href")).map(a => a.value)))"""
SCRIPTS_JS = """() => Array.from(document.querySelectorAll("script")).map(s => s.textContent)"""
SVG_TEXT_JS = """() => Array.from(document.querySelectorAll("svg text")).map(t => t.textContent)"""


@pytest.mark.parametrize("name", PAGES)
def test_pages_show_the_names_as_text_and_run_no_script_from_them(outputs: Path, browser: Browser, name: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((outputs / name).as_uri())
    assert [href for href in page.evaluate(LINKS_JS) if "javascript" in href.lower()] == []
    assert not any("alert(" in script for script in page.evaluate(SCRIPTS_JS))
    assert page.locator("img, iframe, object, embed").count() == 0
    shown = set(page.evaluate(SVG_TEXT_JS))  # the maps on show
    if name == "pilot/pilot.html":
        assert PILOT_MEASURE in page.inner_text("body")
        assert set(SHOWN_DEPARTMENTS) <= shown
    else:
        assert set(SHOWN_ACTIVITIES) | set(SHOWN_DEPARTMENTS) <= shown
    if name == "report.html":
        assert "<i>Org</i>" in page.title()
    links = page.locator("a")
    for index in range(links.count()):
        links.nth(index).dispatch_event("click")  # hidden ones too
        if page.url != (outputs / name).as_uri():
            page.go_back()
    page.wait_for_timeout(200)
    assert dialogs == []
    page.close()
