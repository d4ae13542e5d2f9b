"""The explorer's web app: each route's status and shape on a hand-made store (the figures themselves are
mining.explore's, tested there; here: parameters reach the analyses, errors map to 400/404, downloads
have their type), the token rules, hostile names in the SVG, and a load while the explorer answers."""

from __future__ import annotations

import io
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pandas as pd
import pm4py
import pytest
import uvicorn
from starlette.testclient import TestClient
from typer.testing import CliRunner

from eventlogs.errors import ConfigError
from eventlogs.store import publish_snapshot
from flows.cli import app as cli
from flows.explorer.app import create_app
from flows.explorer.auth import check_binding
from flows.explorer.state import ExplorerState
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES
from mining.design.load import load_designed_journey
from mining.report.explorer_map import compare_map_graph, rendered
from mining.scope.time_rules import load_time_rules
from tests.conftest import HAND_CLOSED_AT, HAND_EVENTS, T0, event_row, hand_made_store, journey_row
from tests.csv_logs import HEADER, load

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# The conftest's hand-made journeys with hostile names: activity A is SCRIPT, department Procurement is
# IMG; J3 (still open) is of type u, J1 and J2 of type t. Worked out by hand from HAND_EVENTS:
# J1 = A B C D (closed after 31 h), J2 = A B C B C D (22 h), J3 = A B (open; the store ends at 48 h);
# 12 work events; activity edges A->B 3 times, B->C 3, C->D 2, C->B 1; three variants.
NAMES = {"A": SCRIPT, "Procurement": IMG}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "hand.duckdb"
    journeys = [
        journey_row(j, T0, None if c is None else T0 + timedelta(hours=c), journey_type="u" if j == "J3" else "t")
        for j, c in HAND_CLOSED_AT.items()
    ]
    events = [
        event_row(j, NAMES.get(a, a), T0 + timedelta(hours=h), NAMES.get(d, d), f"{j}-{i}", team=f"{NAMES.get(d, d)} T")
        for i, (j, a, d, h) in enumerate(HAND_EVENTS)
    ]
    hand_made_store(path, journeys, events).close()
    return path


@pytest.fixture()
def client(store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ExplorerState(store, None, None))) as test_client:
        yield test_client


def _get(client: TestClient, url: str, status: int = 200) -> httpx.Response:
    response = client.get(url)
    assert response.status_code == status, (url, response.text)
    return response


def test_every_json_route_answers_with_its_shape(client: TestClient) -> None:
    answers = {
        "/api/map": {"level", "journeys", "nodes", "edges", "grouped", "wait_basis"},
        "/api/journeys": {"total", "journeys"},
        "/api/journeys/J1": {"journey_id", "journey_type", "opened_at", "closed_at", "status", "events"},
        "/api/summary": {
            *("journeys", "finished", "open", "events", "median_lead_hours", "p90_lead_hours"),
            *("contacts_per_journey", "within_norm_share", "period"),
        },
        "/api/variants": {"total", "variants"},
        "/api/handovers": {"total", "handovers", "other"},
        "/api/bottlenecks": {"available", "reason", "items"},
        "/api/trends": {"weeks", "handovers"},
        "/api/compare?a.journey_type=t&b.journey_type=u": {"a", "b", "handovers"},
    }
    for url, keys in answers.items():
        assert keys <= set(_get(client, url).json()), url
    assert len(_get(client, "/api/journeys/J1").json()["events"]) == 4
    assert _get(client, "/api/bottlenecks").json()["available"] is False  # no --journey
    compared = _get(client, "/api/compare?a.journey_type=t&b.journey_type=u").json()
    assert (compared["a"]["journeys"], compared["b"]["journeys"]) == (2, 1)


def test_parameters_reach_the_analyses(client: TestClient) -> None:
    assert _get(client, "/api/summary").json()["journeys"] == 3
    assert _get(client, "/api/summary?status=open").json()["journeys"] == 1  # J3
    assert _get(client, "/api/summary?journey_type=t").json()["journeys"] == 2
    edges = {(e["from"], e["to"]): e["count"] for e in _get(client, "/api/map").json()["edges"]}
    assert edges == {(SCRIPT, "B"): 3, ("B", "C"): 3, ("C", "D"): 2, ("C", "B"): 1}
    assert len(_get(client, "/api/map?paths=0.25").json()["edges"]) == 1  # a quarter of 4 edges
    behind = f"/api/journeys?from_node={SCRIPT.replace('<', '%3C').replace('>', '%3E')}&to_node=B"
    assert _get(client, behind).json()["total"] == 3
    # lead times: J2 22 h, J1 31 h, J3 open at 48 h
    ascending = _get(client, f"{behind}&sort=lead_time_hours&order=asc").json()["journeys"]
    assert [row["journey_id"] for row in ascending] == ["J2", "J1", "J3"]
    page = _get(client, f"{behind}&sort=lead_time_hours&order=asc&limit=1&offset=1").json()["journeys"]
    assert [row["journey_id"] for row in page] == ["J1"]
    assert _get(client, "/api/variants?limit=2").json()["total"] == 3
    assert len(_get(client, "/api/variants?limit=2").json()["variants"]) == 2


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("/api/map?level=country", "level"),
        ("/api/map?paths=2", "paths"),
        ("/api/map?nodes=many", "nodes"),
        ("/api/summary?opened_from=yesterday", "opened_from"),
        ("/api/summary?status=closed", "status"),
        ("/api/journeys?sort=name", "sort"),
        ("/api/journeys?limit=0", "limit"),
        ("/api/map.svg?metric=colour", "metric"),
        ("/api/export?format=pdf", "format"),
        ("/api/export/table?name=secrets", "name"),
        ("/api/compare?a.lead_min_hours=x", "a.lead_min_hours"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client: TestClient, query: str, named: str) -> None:
    assert named in _get(client, query, 400).json()["error"]


def test_unknown_journey_and_missing_design_are_404(client: TestClient) -> None:
    assert "nope" in _get(client, "/api/journeys/nope", 404).json()["error"]
    assert "--journey" in _get(client, "/api/design.svg", 404).json()["error"]


def test_exports_download_with_their_type_and_read_back(client: TestClient, tmp_path: Path) -> None:
    xes = _get(client, "/api/export?format=xes&journey_type=t")
    assert xes.headers["content-type"] == "application/xml"
    assert xes.headers["content-disposition"] == 'attachment; filename="journeys-event-log.xes"'
    (tmp_path / "log.xes").write_bytes(xes.content)
    log = pm4py.read_xes(str(tmp_path / "log.xes"))
    assert (log["case:concept:name"].nunique(), len(log)) == (2, 10)  # J1 and J2: 4 + 6 events
    assert SCRIPT in set(log["concept:name"])
    csv = _get(client, "/api/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(csv.content))
    assert {"case:concept:name", "concept:name", "time:timestamp", "org:resource", "department", "team"} <= set(frame)
    assert len(frame) == 12
    table = _get(client, "/api/export/table?name=variants&format=parquet")
    assert table.headers["content-disposition"] == 'attachment; filename="journeys-variants.parquet"'
    assert len(pd.read_parquet(io.BytesIO(table.content))) == 3
    handovers = _get(client, "/api/export/table?name=handovers&format=csv&level=department")
    assert handovers.headers["content-type"].startswith("text/csv")


def _svg(client: TestClient, url: str) -> tuple[str, ET.Element]:
    response = _get(client, url)
    assert response.headers["content-type"] == "image/svg+xml"
    return response.text, ET.fromstring(response.content)


def test_the_map_svg_names_its_edges_and_nodes_for_the_page(client: TestClient) -> None:
    drawn = _get(client, "/api/map").json()
    _, root = _svg(client, "/api/map.svg?metric=median")
    edges = {g.get("id") for g in root.iter(f"{SVG}g") if g.get("class") == "edge"}
    nodes = {g.get("id") for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert edges == {f"edge-{edge['id']}" for edge in drawn["edges"]}
    assert nodes == {f"node-{index}" for index in range(len(drawn["nodes"]))}
    png = _get(client, "/api/map.png?level=department")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    _svg(client, "/api/compare.svg?a.journey_type=t&b.journey_type=u")


def _only_text(svg: bytes, name: str) -> None:
    """The name is drawn as text, and the SVG holds no element but Graphviz's drawing ones."""
    assert b"<script" not in svg and b"<img" not in svg
    root = ET.fromstring(svg)
    allowed = {"svg", "g", "title", "text", "path", "polygon", "ellipse", "a"}
    assert {element.tag.removeprefix(SVG) for element in root.iter()} <= allowed
    assert name in {element.text for element in root.iter(f"{SVG}text")}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/map.svg", SCRIPT),
        ("/api/map.svg?level=department", IMG),
        ("/api/map.svg?level=team&metric=p90", f"{IMG} T"),
    ],
)
def test_hostile_names_stay_text_in_the_svg(client: TestClient, url: str, name: str) -> None:
    _only_text(_get(client, url).content, name)


def test_hostile_names_stay_text_in_the_compare_map() -> None:
    # the hand store has too few handovers to compare (compare_cohorts needs several a side): a hand-made answer
    row = {"from": SCRIPT, "to": IMG, "a_median_wait_hours": 30.0, "b_median_wait_hours": 2.0, "change": -28.0,
           "significant": True, "a_count": 9, "b_count": 8}  # fmt: skip
    svg = rendered(compare_map_graph({"handovers": [row]}))
    _only_text(svg, SCRIPT)
    _only_text(svg, IMG)
    assert b'stroke="#2f855a"' in svg  # significantly shorter from a to b: the difference map's green


def test_security_headers_on_every_answer(client: TestClient) -> None:
    for url in ("/", "/api/summary", "/api/journeys/nope"):
        headers = client.get(url).headers
        assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
        assert headers["x-content-type-options"] == "nosniff"


def test_another_host_without_a_token_is_refused_at_start(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_binding("127.0.0.1", None)
    check_binding("localhost", None)
    check_binding("0.0.0.0", "secret")
    with pytest.raises(ConfigError, match="token"):
        check_binding("0.0.0.0", None)
    monkeypatch.delenv("JOURNEY_EXPLORER_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["explore", "--store", str(store), "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "token" in result.output


def test_with_a_token_every_request_needs_it(store: Path) -> None:
    app = create_app(ExplorerState(store, None, None), token="s3cret")
    with TestClient(app) as client:
        assert client.get("/api/summary").status_code == 401
        assert client.get("/").status_code == 401
        assert client.get("/static/app.js").status_code == 401
        assert client.get("/api/summary", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/?token=wrong").status_code == 401
        assert client.get("/api/summary", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        # the link with the token sets the cookie and leads to the page without it
        welcome = client.get("/?token=s3cret&level=team", follow_redirects=False)
        assert welcome.status_code == 303 and welcome.headers["location"] == "/?level=team"
        assert "HttpOnly" in welcome.headers["set-cookie"] and "SameSite=Strict" in welcome.headers["set-cookie"]
        assert client.get("/api/summary").status_code == 200  # the client now sends the cookie
        client.cookies.set("token", "wrong")
        assert client.get("/api/summary").status_code == 401


def test_without_a_snapshot_it_reads_the_store_and_switches_when_one_appears(store: Path) -> None:
    state = ExplorerState(store, None, None, check_every=0)
    assert not state.reads_snapshot and state.data.store == store
    publish_snapshot(store)
    state.current()  # starts the check
    state.settle()
    assert state.data.store == store.with_name("hand.duckdb.snapshot.duckdb")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_load_runs_while_the_explorer_answers_and_then_it_shows_the_new_journeys(tmp_path: Path) -> None:
    load(tmp_path, HEADER + "c1,Open,2026-03-02 09:00:00,ann\nc2,Open,2026-03-02 10:00:00,bob\n")
    state = ExplorerState(tmp_path / "store.duckdb", None, None, check_every=0)  # check on every request
    assert state.reads_snapshot
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning"))
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    loaded = threading.Event()
    statuses: list[int] = []

    def ask_until_loaded() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            statuses.append(http.get("/api/summary").status_code)
            while not loaded.is_set():
                statuses.append(http.get("/api/summary").status_code)

    try:
        while not server.started:  # serving before the load starts
            time.sleep(0.01)
        asking = threading.Thread(target=ask_until_loaded)
        asking.start()
        load(tmp_path, HEADER + "c3,Open,2026-03-04 09:00:00,cid\nc4,Open,2026-03-05 09:00:00,dan\n")
        loaded.set()
        asking.join()
        assert len(statuses) > 1 and set(statuses) == {200}, statuses  # asked again and again during the load
        state.settle()  # a check started during the load may have copied the old snapshot
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            assert http.get("/api/summary").json()["journeys"] in (2, 4)  # starts the check after the load
            state.settle()
            assert http.get("/api/summary").json()["journeys"] == 4  # c1..c4: the new snapshot was read
    finally:
        server.should_exit = True
        serving.join()


def test_the_designed_journey_map_and_bottlenecks_with_a_design(demo_store: Path) -> None:
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    state = ExplorerState(demo_store, journey, load_time_rules(DEMO_TIME_RULES))
    with TestClient(create_app(state)) as client:
        svg = _get(client, "/api/design.svg")
        assert svg.headers["content-type"] == "image/svg+xml"
        drawn = ET.fromstring(svg.content)
        said = " ".join(element.text or "" for element in drawn.iter(f"{SVG}text"))
        assert all(stage.name in said for stage in journey.stages)
        assert _get(client, "/api/bottlenecks").json()["available"] is True
