"""A local HTTP server that answers like ServiceNow's Table API and Jira Cloud's search, for connector tests.

It pages as the real services document (sysparm_limit/sysparm_offset; startAt/maxResults/total, with
at most two issues and two changelog histories per answer), filters by the query it is sent, checks the
credentials, records every request, and can be told to fail a given request once (429, 5xx), to trickle
an answer byte by byte, or to ignore the paging offset (every page is the first) as a careless server does.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SN_TOKEN = "sn-token-0123"
JIRA_USER, JIRA_PASSWORD = "robot@example.com", "s3cret-Jira-pw"
JIRA_MAX_RESULTS = 2  # Jira caps maxResults; a small cap makes the connector page
JIRA_MAX_HISTORIES = 2  # histories embedded per issue in a search answer; the rest via /changelog


@dataclass
class Request:
    path: str
    params: dict[str, str]
    at: float
    status: int = 200


@dataclass
class Fault:
    """Answer the first request to `path` whose parameters include `params` with `status` (200: the
    normal answer) after `delay` seconds, once; with `trickle`, send the body one byte every `trickle` s;
    with `body`, answer those bytes instead of the normal answer."""

    path: str
    params: dict[str, str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    body: bytes | None = None


@dataclass
class FakeRestServer:
    url: str = ""
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # ServiceNow
    issues: list[dict[str, Any]] = field(default_factory=list)  # Jira
    faults: list[Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    ignore_offsets: bool = False  # answer every page request with the first page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    # -- dispatch ----------------------------------------------------------------------------------
    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """(status, extra headers, body: JSON or bytes); a trickled answer says so in the header X-Trickle."""
        with self.lock:
            request = Request(path, params, time.monotonic())
            self.requests.append(request)
            fault = next((f for f in self.faults if f.path == path and f.params.items() <= params.items()), None)
            if fault is not None:
                self.faults.remove(fault)
        extra = {}
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status != 200:
                request.status = fault.status
                return fault.status, fault.headers, {"error": "injected"}
            if fault.trickle:
                extra["X-Trickle"] = str(fault.trickle)
            if fault.body is not None:
                return 200, extra, fault.body
        if self.ignore_offsets:
            params = {name: value for name, value in params.items() if name not in ("sysparm_offset", "startAt")}
        with self.lock:
            status, body = self._route(path, params, headers.get("authorization", ""))
            request.status = status
            return status, extra, body

    def _route(self, path: str, params: dict[str, str], authorization: str) -> tuple[int, Any]:
        if path.startswith("/api/now/table/"):
            if authorization != f"Bearer {SN_TOKEN}":
                return 401, {"error": {"message": "User Not Authenticated"}}
            return 200, self._table(path.removeprefix("/api/now/table/"), params)
        expected = "Basic " + base64.b64encode(f"{JIRA_USER}:{JIRA_PASSWORD}".encode()).decode()
        if path.startswith("/rest/api/3/") and authorization != expected:
            return 401, {"errorMessages": ["Client must be authenticated to access this resource."]}
        if path == "/rest/api/3/search":
            return 200, self._search(params)
        changelog = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-\d+)/changelog", path)
        if changelog:
            return 200, self._changelog(changelog.group(1), params)
        return 404, {"error": "no such resource"}

    # -- ServiceNow Table API ------------------------------------------------------------------------
    @staticmethod
    def _matches(row: dict[str, str], condition: str) -> bool:
        if ">=" in condition:
            name, value = condition.split(">=", 1)
            return row.get(name, "") >= value  # ServiceNow's UTC text sorts as it reads
        listed = re.fullmatch(r"([a-z_]+)IN(.*)", condition)
        if listed:
            return row.get(listed.group(1), "") in listed.group(2).split(",")
        name, value = condition.split("=", 1)
        return row.get(name, "") == value

    def _table(self, table: str, params: dict[str, str]) -> dict[str, Any]:
        rows = self.tables.get(table, [])
        order = []
        for part in params.get("sysparm_query", "").split("^"):
            if part.startswith("ORDERBY"):
                order.append(part.removeprefix("ORDERBY"))
            elif part:
                rows = [row for row in rows if self._matches(row, part)]
        rows = sorted(rows, key=lambda row: [row.get(name, "") for name in order])
        offset, limit = int(params.get("sysparm_offset", "0")), int(params.get("sysparm_limit", "10000"))
        fields = params["sysparm_fields"].split(",")
        return {"result": [{name: row.get(name, "") for name in fields} for row in rows[offset : offset + limit]]}

    # -- Jira search -----------------------------------------------------------------------------------
    @staticmethod
    def _instant(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")

    def _search(self, params: dict[str, str]) -> dict[str, Any]:
        jql = params["jql"]
        issues = [issue for issue in self.issues if "project = SUP" in jql]
        since = re.search(r'updated >= "(\d{4}/\d\d/\d\d \d\d:\d\d)"', jql)
        if since:  # the test's Jira account is on UTC
            start = datetime.strptime(since.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=UTC)
            issues = [issue for issue in issues if self._instant(issue["fields"]["updated"]) >= start]
        issues = sorted(issues, key=lambda issue: self._instant(issue["fields"]["updated"]))
        start_at = int(params.get("startAt", "0"))
        size = min(int(params.get("maxResults", "50")), JIRA_MAX_RESULTS)
        page = []
        for issue in issues[start_at : start_at + size]:
            histories = issue.get("histories", [])
            page.append(
                {
                    "id": issue["id"],
                    "key": issue["key"],
                    "fields": issue["fields"],
                    "changelog": {
                        "startAt": 0,
                        "maxResults": JIRA_MAX_HISTORIES,
                        "total": len(histories),
                        "histories": histories[:JIRA_MAX_HISTORIES],
                    },
                }
            )
        return {"startAt": start_at, "maxResults": size, "total": len(issues), "issues": page}

    def _changelog(self, key: str, params: dict[str, str]) -> dict[str, Any]:
        histories = next(issue for issue in self.issues if issue["key"] == key).get("histories", [])
        start_at = int(params.get("startAt", "0"))
        size = min(int(params.get("maxResults", "100")), JIRA_MAX_HISTORIES)
        values = histories[start_at : start_at + size]
        return {
            "startAt": start_at,
            "maxResults": size,
            "total": len(histories),
            "isLast": start_at + size >= len(histories),
            "values": values,
        }


def _handler(fake: FakeRestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, extra, body = fake.answer(parts.path, params, headers)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            pause = float(extra.get("X-Trickle", 0))
            if not pause:
                self.wfile.write(data)
                return
            for byte in data:  # a slow or hostile server: each byte in time, the whole never
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(pause)

        def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out has gone: writing its late answer fails, as intended."""


def serve() -> Iterator[FakeRestServer]:
    """Serves on a free port of 127.0.0.1 until the generator is closed (use as a pytest fixture body)."""
    fake = FakeRestServer()
    server = _QuietServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
