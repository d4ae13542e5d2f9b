"""The explorer's page in headless Chromium against the real app on a small hand-made store: the map follows
the sliders, the headline figures follow a period filter, an edge opens the journeys behind it and a
journey its timeline, the exported event log holds the filtered journeys, and names made of markup show as
text with no dialog fired, under the server's Content-Security-Policy."""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pm4py
import pytest
import uvicorn

from flows.explorer import STATIC, VENDORED
from flows.explorer.app import create_app
from flows.explorer.state import ExplorerState
from tests.conftest import event_row, hand_made_store, journey_row

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCRIPT = "<script>alert(1)</script>"  # activity B
IMAGE = '"><img src=x onerror=alert(1)>'  # the team in Management
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
WEEK = timedelta(days=7)
SVG_TEXTS = "svg => Array.from(svg.querySelectorAll('text'), text => text.textContent)"
# (journey, opened, closed after hours, [(activity, department, hours after opening)])
JOURNEYS = [
    ("J1", T0, 31, [("A", "Service Desk", 0), (SCRIPT, "Management", 10), ("C", "Procurement", 30),
                    ("D", "Service Desk", 31)]),
    ("J2", T0, 22, [("A", "Service Desk", 0), (SCRIPT, "Management", 4), ("C", "Procurement", 6),
                    (SCRIPT, "Management", 16), ("C", "Procurement", 20), ("D", "Service Desk", 22)]),
    ("J3", T0 + WEEK, None, [("A", "Service Desk", 0), (SCRIPT, "Management", 48)]),
    ("J4", T0 + WEEK + timedelta(days=1), 8, [("A", "Service Desk", 0), ("C", "Procurement", 5),
                                              ("D", "Service Desk", 8)]),
]  # fmt: skip
# By hand: 4 journeys (3 finished, J3 open), 15 work steps. Activities A, B (the script), C, D: 4 nodes.
# Opened from 2026-03-05 on: J3 and J4 only (2 journeys, 1 finished, 1 open, 5 work steps).
# The edge C -> D: J1 (wait 31 - 30 = 1 h), J2 (22 - 20 = 2 h), J4 (8 - 5 = 3 h); by wait, longest first: J4, J2, J1.
# J1 also has a customer contact at 5 h: its timeline shows 4 work steps and 1 contact.


def _team(department: str) -> str:
    return IMAGE if department == "Management" else f"{department} team"


@pytest.fixture(scope="module")
def explorer_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (flows.explorer.app.create_app) on a free port over the hand-made store above."""
    store = tmp_path_factory.mktemp("explorer") / "journeys.duckdb"
    journeys, events = [], []
    for journey_id, opened, closed, steps in JOURNEYS:
        journeys.append(journey_row(journey_id, opened, None if closed is None else opened + timedelta(hours=closed)))
        for index, (activity, department, hours) in enumerate(steps):
            at = opened + timedelta(hours=hours)
            events.append(
                event_row(journey_id, activity, at, department, f"{journey_id}-{index}", team=_team(department))
            )
    contact = event_row("J1", "Customer contact", T0 + timedelta(hours=5), "Customer", "c1", event_kind="contact")
    hand_made_store(store, journeys, [*events, contact]).close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(ExplorerState(store, None, None)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):  # bounded: the server starts in well under a second
        if server.started:
            started.set()
            break
        started.wait(0.02)
    assert server.started, "the explorer did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


@pytest.fixture(scope="module")
def page_browser(browser: Browser) -> Browser:
    """The shared Chromium (tests/conftest.py), once the page's vendored scripts are there: skipped without
    them, unless CI=true (then the set-up forgot `make explorer-assets`)."""
    missing = [name for name in VENDORED if not (STATIC / name).is_file()]
    if missing:
        problem = f"the page's vendored scripts {missing} are missing (make explorer-assets)"
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return browser


class Watched:
    """A page and what it let slip: dialogs opened, script errors, requests to anywhere but the explorer."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.elsewhere: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda r: None if r.url.startswith(base) else self.elsewhere.append(r.url))

    def settled(self) -> None:
        """Waits until the page has no request of its own under way (it counts them in body[data-busy])."""
        self.page.locator("body[data-busy='0']").wait_for(state="attached")

    def figure(self, key: str) -> str:
        return self.page.locator(f"#summary dd[data-key='{key}']").inner_text()


@pytest.fixture()
def watched(page_browser: Browser, explorer_url: str) -> Iterator[Watched]:
    watched = Watched(page_browser, explorer_url)
    yield watched
    assert watched.errors == []
    assert watched.dialogs == []
    assert watched.elsewhere == []
    watched.page.close()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return bytes(response.read())


def test_slider_shows_fewer_nodes_and_the_url_keeps_it(watched: Watched, explorer_url: str) -> None:
    page = watched.page
    page.goto(explorer_url + "/")
    watched.settled()
    assert page.locator("#map svg g.node").count() == 4  # A, the script, C, D
    assert page.evaluate("() => typeof window.svgPanZoom") == "function"  # the vendored script, served locally
    page.locator("#nodes").fill("2")
    page.locator("#map svg g.node").nth(2).wait_for(state="detached")
    watched.settled()
    assert page.locator("#map svg g.node").count() == 2
    assert "nodes=2" in page.url
    page.reload()  # the view comes back from the URL
    watched.settled()
    assert page.locator("#map svg g.node").count() == 2
    assert page.locator("#nodes").input_value() == "2"


def test_period_filter_changes_the_headline_figures_and_the_export(
    watched: Watched, explorer_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(explorer_url + "/")
    watched.settled()
    assert [watched.figure(key) for key in ("journeys", "finished", "open", "events")] == ["4", "3", "1", "15"]
    page.locator("#filter-form input[name='opened_from']").fill("2026-03-05")
    page.locator("#add-filter").click()
    page.locator("#chips .chip").wait_for()
    watched.settled()
    assert [watched.figure(key) for key in ("journeys", "finished", "open", "events")] == ["2", "1", "1", "5"]
    assert "opened_from=2026-03-05" in page.url
    link = page.locator("#export-xes").get_attribute("href")
    assert link is not None and "opened_from=2026-03-05" in link
    log_file = tmp_path / "filtered.xes"
    log_file.write_bytes(_get(explorer_url + link))
    log = pm4py.read_xes(str(log_file))
    assert sorted(log["case:concept:name"].unique()) == ["J3", "J4"]
    assert len(log) == 5  # the 5 work steps of J3 and J4
    page.reload()  # the filter comes back from the URL, chip and figures
    watched.settled()
    assert page.locator("#chips .chip").count() == 1 and watched.figure("journeys") == "2"
    page.locator("#chips .chip-remove").click()
    watched.settled()
    assert watched.figure("journeys") == "4" and "opened_from" not in page.url


def test_edge_opens_its_journeys_and_a_journey_its_timeline(watched: Watched, explorer_url: str) -> None:
    edges = json.loads(_get(explorer_url + "/api/map?level=activity"))["edges"]
    edge = next(edge["id"] for edge in edges if (edge["from"], edge["to"]) == ("C", "D"))
    page = watched.page
    page.goto(explorer_url + "/")
    watched.settled()
    page.locator(f"#map svg g#edge-{edge}").click()
    page.locator("#drill:not([hidden])").wait_for()
    watched.settled()
    rows = page.locator("#journeys tbody tr")
    assert [rows.nth(index).locator("td").first.inner_text() for index in range(rows.count())] == ["J4", "J2", "J1"]
    assert [rows.nth(index).locator("td").nth(5).inner_text() for index in range(3)] == ["3.0 h", "2.0 h", "1.0 h"]
    page.locator("#journeys thead th[data-sort='journey_id']").click()  # by journey id, descending first
    watched.settled()
    assert rows.first.locator("td").first.inner_text() == "J4"
    page.locator("#journeys thead th[data-sort='journey_id']").click()
    watched.settled()
    assert rows.first.locator("td").first.inner_text() == "J1"
    rows.first.locator("button").click()
    page.locator("#timeline:not([hidden])").wait_for()
    events = page.locator("#timeline-events tbody tr")
    assert events.count() == 5
    kinds = [events.nth(index).locator("td").nth(4).inner_text() for index in range(5)]
    assert kinds == ["work", "contact", "work", "work", "work"]
    assert events.nth(2).locator("td").nth(1).inner_text() == SCRIPT
    assert events.nth(2).locator("td").nth(3).inner_text() == IMAGE
    lanes = page.locator("#timeline-chart text.lane-name").all_text_contents()
    assert lanes == ["Service Desk", "customer contacts", "Management", "Procurement"]


def test_names_made_of_markup_show_as_text(watched: Watched, explorer_url: str) -> None:
    page = watched.page
    page.goto(explorer_url + "/")
    watched.settled()
    assert SCRIPT in page.locator("#map svg").evaluate(SVG_TEXTS)
    assert SCRIPT in page.locator("#variants").inner_text()
    page.locator("#handover-level").select_option("team")
    watched.settled()
    assert IMAGE in page.locator("#handovers").inner_text()
    page.locator("#level").select_option("team")
    watched.settled()
    assert IMAGE in page.locator("#map svg").evaluate(SVG_TEXTS)
    # nothing from the data became markup: the only images, scripts and handlers are the page's own
    assert page.locator("img").count() == 0
    assert page.evaluate("() => Array.from(document.scripts, s => s.src.replace(location.origin, ''))") == [
        "/static/vendor/svg-pan-zoom.min.js", "/static/app.js"]  # fmt: skip
    handlers = """() => Array.from(document.querySelectorAll('*'))
        .flatMap(element => element.getAttributeNames()).filter(name => name.startsWith('on'))"""
    assert page.evaluate(handlers) == []
