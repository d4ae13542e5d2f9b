"""The explorer's web app (Starlette): the page, its static files and the JSON API the page uses (routes and
shapes: README "Explore"). Thin wiring: the figures come from mining.explore, the maps from
mining.report.explorer_map; each call runs in a worker thread (DuckDB and Graphviz block).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flows.explorer import STATIC
from flows.explorer.auth import SecurityHeaders, TokenGate
from flows.explorer.design_map import designed_journey_svg
from flows.explorer.params import choice, query_lists, share, text, whole
from flows.explorer.state import ExplorerState
from mining.explore import (
    ExplorerData,
    FilterError,
    JourneyFilter,
    Level,
    bottlenecks,
    compare_cohorts,
    export_event_log,
    handover_table,
    journey_timeline,
    journeys_behind,
    process_map,
    summary,
    table_frame,
    trends,
    variants,
)
from mining.report.explorer_map import METRICS, compare_map_graph, explorer_map_graph, rendered

log = logging.getLogger(__name__)

LEVELS: tuple[Level, ...] = ("activity", "department", "team")
HANDOVER_LEVELS: tuple[Level, ...] = ("department", "team")
SORTS = ("journey_id", "opened_at", "lead_time_hours", "wait_hours")
TableName = Literal["map", "journeys", "variants", "handovers", "trends"]
TABLES: tuple[TableName, ...] = ("map", "journeys", "variants", "handovers", "trends")
LOG_FORMATS: tuple[Literal["xes", "csv"], ...] = ("xes", "csv")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xes": "application/xml",
    "svg": "image/svg+xml",
    "png": "image/png",
}

Answer = dict[str, Any] | Response
Handler = Callable[[ExplorerData, QueryParams, dict[str, Any]], Answer]


def _filters(params: QueryParams, prefix: str = "") -> JourneyFilter:
    return JourneyFilter.from_query(query_lists(params), prefix)


def _download(body: bytes, fmt: str, name: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=CONTENT_TYPES[fmt], headers=headers)


def _map_view(params: QueryParams) -> dict[str, Any]:
    return {
        "level": choice(params, "level", LEVELS, "activity"),
        "nodes": whole(params, "nodes", None, low=1),
        "paths": share(params, "paths", 1.0),
        "top": whole(params, "top", None, low=1),
    }


def _journeys_view(params: QueryParams) -> dict[str, Any]:
    return {
        "level": choice(params, "level", LEVELS, "activity"),
        "from_node": text(params, "from_node"),
        "to_node": text(params, "to_node"),
        "node": text(params, "node"),
        "sort": choice(params, "sort", SORTS, "lead_time_hours"),
        "descending": choice(params, "order", ("asc", "desc"), "desc") == "desc",
    }


def map_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return process_map(data, _filters(params), **_map_view(params)).to_json()


def map_image(image: Literal["svg", "png"]) -> Handler:
    def draw(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
        metric = choice(params, "metric", METRICS, "count")
        drawn = process_map(data, _filters(params), **_map_view(params)).to_json()
        return Response(rendered(explorer_map_graph(drawn, metric), image), media_type=CONTENT_TYPES[image])

    return draw


def journeys_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    limit = whole(params, "limit", 50, low=1, high=1000)
    offset = whole(params, "offset", 0)
    view = _journeys_view(params)
    return journeys_behind(data, _filters(params), **view, limit=limit or 50, offset=offset or 0).to_json()


def timeline_json(data: ExplorerData, _: QueryParams, path: dict[str, Any]) -> Answer:
    try:
        return journey_timeline(data, str(path["journey_id"])).to_json()
    except KeyError:
        return JSONResponse({"error": f"no journey {path['journey_id']!r} in this store"}, status_code=404)


def summary_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return summary(data, _filters(params)).to_json()


def variants_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return variants(data, _filters(params), limit=whole(params, "limit", 50, low=1, high=1000) or 50).to_json()


def handovers_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    level = choice(params, "level", HANDOVER_LEVELS, "department")
    limit = whole(params, "limit", 25, low=1, high=1000) or 25
    return handover_table(data, _filters(params), level=level, limit=limit).to_json()


def bottlenecks_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return bottlenecks(data, _filters(params)).to_json()


def trends_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return trends(data, _filters(params), level=choice(params, "level", LEVELS, "department")).to_json()


def _comparison(data: ExplorerData, params: QueryParams) -> dict[str, Any]:
    level = choice(params, "level", HANDOVER_LEVELS, "department")
    return compare_cohorts(data, _filters(params, "a."), _filters(params, "b."), level=level).to_json()


def compare_json(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    return _comparison(data, params)


def compare_svg(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    svg = rendered(compare_map_graph(_comparison(data, params), data.wait_basis))
    return Response(svg, media_type=CONTENT_TYPES["svg"])


def export_log(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    fmt = choice(params, "format", LOG_FORMATS, "xes")
    return _download(export_event_log(data, _filters(params), fmt), fmt, "journeys-event-log")


def export_table(data: ExplorerData, params: QueryParams, _: dict[str, Any]) -> Answer:
    name = choice(params, "name", TABLES)
    fmt = choice(params, "format", ("csv", "parquet"), "csv")
    view: dict[str, Any] = {
        "map": _map_view,
        "journeys": _journeys_view,
        "variants": lambda p: {},
        "handovers": lambda p: {"level": choice(p, "level", HANDOVER_LEVELS, "department")},
        "trends": lambda p: {"level": choice(p, "level", LEVELS, "department")},
    }[name](params)
    frame = table_frame(data, _filters(params), name, **view)
    if fmt == "csv":
        return _download(frame.to_csv(index=False).encode("utf-8"), fmt, f"journeys-{name}")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return _download(buffer.getvalue(), fmt, f"journeys-{name}")


class Explorer:
    """The routes over one ExplorerState; the designed map is drawn once per copy of the data."""

    def __init__(self, state: ExplorerState) -> None:
        self.state = state
        self._design: tuple[object, str] | None = None

    def design_svg(self, data: ExplorerData, _: QueryParams, __: dict[str, Any]) -> Answer:
        if data.journey is None:
            return JSONResponse({"error": "no designed journey: start the explorer with --journey"}, status_code=404)
        if self._design is None or self._design[0] != data.built_at:
            self._design = (data.built_at, designed_journey_svg(data.store, data.journey, data.time_rules))
        return Response(self._design[1], media_type=CONTENT_TYPES["svg"])

    def route(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                data = self.state.current()  # never blocks: a due check runs in its own thread
                answer = await run_in_threadpool(handler, data, request.query_params, dict(request.path_params))
            except FilterError as error:
                return JSONResponse({"error": str(error)}, status_code=400)
            return answer if isinstance(answer, Response) else JSONResponse(answer)

        return endpoint


async def page(_: Request) -> Response:
    index = STATIC / "index.html"
    if not index.exists():
        return PlainTextResponse("the explorer's page is missing (flows/explorer/static/index.html)", status_code=503)
    return FileResponse(index, media_type="text/html")


def create_app(state: ExplorerState, token: str | None = None) -> Starlette:
    """The app over `state`; with `token`, every request needs it (flows.explorer.auth)."""
    explorer = Explorer(state)
    api: dict[str, Handler] = {
        "/api/map": map_json,
        "/api/map.svg": map_image("svg"),
        "/api/map.png": map_image("png"),
        "/api/design.svg": explorer.design_svg,
        "/api/journeys": journeys_json,
        "/api/journeys/{journey_id:path}": timeline_json,
        "/api/summary": summary_json,
        "/api/variants": variants_json,
        "/api/handovers": handovers_json,
        "/api/bottlenecks": bottlenecks_json,
        "/api/trends": trends_json,
        "/api/compare": compare_json,
        "/api/compare.svg": compare_svg,
        "/api/export": export_log,
        "/api/export/table": export_table,
    }
    routes: list[BaseRoute] = [Route(path, explorer.route(handler)) for path, handler in api.items()]
    routes += [Route("/", page), Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")]
    # the gate first inside the headers: a refused request still gets the security headers
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), Middleware(TokenGate, token=token)])
