"""HTTP for REST connectors: timeouts, retries with back-off, and credentials that never leave the environment.

The configuration names environment variables (`user_env` + `password_env`, or `token_env`); only the
names are kept in the source's dataclass, so a printed or pickled source (Prefect caches task inputs)
holds no secret. The values are read when a request is made.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from eventlogs.errors import SourceError
from eventlogs.located_config import Located

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_BACKOFF_BASE_SECONDS = 0.5


@dataclass(frozen=True)
class HttpSettings:
    """Where a REST source is and how to talk to it; credentials as environment-variable names only."""

    base_url: str
    user_env: str | None
    password_env: str | None
    token_env: str | None
    timeout_seconds: float
    max_retries: int
    max_retry_wait_seconds: float  # a Retry-After or back-off longer than this is cut to it
    # timeout_seconds bounds each read, so a server trickling a byte at a time is never timed out by it:
    # this bounds one attempt of one request as a whole
    deadline_seconds: float = 300.0


def _number(section: Located, key: str, default: float, minimum: float) -> float:
    return section.number(key, default, at_least=minimum, expected=f"must be a number of at least {minimum:g}")


def _env_name(section: Located, key: str) -> str | None:
    """The variable must be set now, so a missing secret fails at configuration time, not mid-run."""
    name = section.optional_text(key)
    if name is not None and not os.environ.get(name):
        raise section.error(f"key '{key}': environment variable {name} is not set", key)
    return name


def read_http_settings(section: Located) -> HttpSettings:
    base_url = section.text("base_url").rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise section.key_error("base_url", "must be an http(s) URL")
    if parts.username or parts.password:
        raise section.key_error(
            "base_url",
            "must not hold credentials: name environment variables in user_env/password_env or token_env",
        )
    user_env, password_env, token_env = (_env_name(section, k) for k in ("user_env", "password_env", "token_env"))
    if (user_env is None) != (password_env is None):
        missing = "password_env" if password_env is None else "user_env"
        raise section.error("basic authentication needs both user_env and password_env", missing)
    if token_env and user_env:
        raise section.error("use either user_env/password_env or token_env, not both", "token_env")
    return HttpSettings(
        base_url=base_url,
        user_env=user_env,
        password_env=password_env,
        token_env=token_env,
        timeout_seconds=_number(section, "timeout_seconds", 30.0, 0.1),
        max_retries=int(_number(section, "max_retries", 5, 0)),
        max_retry_wait_seconds=_number(section, "max_retry_wait_seconds", 60.0, 0),
        deadline_seconds=_number(section, "deadline_seconds", 300.0, 0.1),
    )


def _secret(source: str, variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise SourceError(f"source '{source}': environment variable {variable} is not set")
    return value


def _without_credentials(url: httpx.URL) -> str:
    """The URL as it may appear in messages: no user info (the query holds filters, never secrets)."""
    return str(url.copy_with(username=None, password=None))


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, given as a number or as an HTTP date; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RestClient:
    """GETs JSON from one REST source, retrying throttling (429), server errors (5xx) and network failures."""

    def __init__(self, source: str, settings: HttpSettings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.source, self.settings, self.sleep = source, settings, sleep
        auth: httpx.Auth | None = None
        headers = {"Accept": "application/json"}
        if settings.user_env and settings.password_env:
            auth = httpx.BasicAuth(_secret(source, settings.user_env), _secret(source, settings.password_env))
        elif settings.token_env:
            headers["Authorization"] = f"Bearer {_secret(source, settings.token_env)}"
        self.client = httpx.Client(
            base_url=settings.base_url, auth=auth, headers=headers, timeout=settings.timeout_seconds
        )
        # requests are made one at a time, so the connection last opened is the one in use
        self._socket: socket.socket | None = None

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def _wait(self, attempt: int, suggested: float | None) -> float:
        backoff = _BACKOFF_BASE_SECONDS * 2**attempt
        return min(self.settings.max_retry_wait_seconds, suggested if suggested is not None else backoff)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        # TLS takes the TCP socket over (the plain one is then detached): the later socket is the one to cut
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")) and info.get("return_value"):
            self._socket = info["return_value"].get_extra_info("socket")

    def _cut_off(self, expired: threading.Event) -> None:
        """At the deadline: shut the connection down, so the read blocked on it returns at once."""
        expired.set()
        if self._socket is not None:
            with contextlib.suppress(OSError):  # already closed: nothing is waiting on it
                self._socket.shutdown(socket.SHUT_RDWR)

    def _get(self, path: str, params: Mapping[str, str | int], expired: threading.Event) -> httpx.Response:
        """One attempt, ended by the deadline however slowly the server answers."""
        timer = threading.Timer(self.settings.deadline_seconds, self._cut_off, (expired,))
        timer.daemon = True
        timer.start()
        try:
            with self.client.stream("GET", path, params=params, extensions={"trace": self._trace}) as response:
                response.read()
                return response
        finally:
            timer.cancel()

    def get_json(self, path: str, params: Mapping[str, str | int]) -> Any:
        url = self.client.build_request("GET", path, params=params).url
        shown = _without_credentials(url)
        for attempt in range(self.settings.max_retries + 1):
            last_try = attempt == self.settings.max_retries
            expired = threading.Event()
            try:
                response = self._get(path, params, expired)
            except httpx.TransportError as error:  # timeouts, refused or dropped connections
                if expired.is_set():  # a server this slow will be as slow again: not retried
                    raise SourceError(
                        f"source '{self.source}': GET {shown} did not finish within deadline_seconds = "
                        f"{self.settings.deadline_seconds:g} s (the server answers too slowly)"
                    ) from error
                if last_try:
                    raise SourceError(
                        f"source '{self.source}': GET {shown} failed after {attempt + 1} attempt(s): "
                        f"{type(error).__name__}: {error}"
                    ) from error
                wait = self._wait(attempt, None)
                log.warning("source %s: GET %s: %s; retrying in %.1f s", self.source, shown, type(error).__name__, wait)
                self.sleep(wait)
                continue
            if response.status_code in RETRY_STATUSES and not last_try:
                wait = self._wait(attempt, _retry_after(response))
                log.warning(
                    "source %s: GET %s: HTTP %d; retrying in %.1f s", self.source, shown, response.status_code, wait
                )
                self.sleep(wait)
                continue
            return self._json(response, shown, attempt + 1)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _json(self, response: httpx.Response, shown: str, attempts: int) -> Any:
        status = response.status_code
        if status in (401, 403):
            if self.settings.token_env:
                how = f"token in ${self.settings.token_env}"
            elif self.settings.user_env:
                how = f"user ${self.settings.user_env} and password ${self.settings.password_env}"
            else:
                how = "configuration: it names no credentials (user_env/password_env or token_env)"
            raise SourceError(
                f"source '{self.source}': HTTP {status} ({response.reason_phrase}) from GET {shown}: "
                f"not authorised; check the {how} and the account's roles"
            )
        if not response.is_success:  # redirects too: to a login page, for example, which is no answer
            # the body may explain (an invalid query, an unknown table); it is the server's text, not ours
            detail = response.text[:300].strip()
            tried = f" after {attempts} attempt(s)" if attempts > 1 else ""
            raise SourceError(f"source '{self.source}': HTTP {status} from GET {shown}{tried}: {detail}")
        try:
            return response.json()
        except (ValueError, RecursionError) as error:  # RecursionError: JSON nested too deep to read
            raise SourceError(f"source '{self.source}': GET {shown} did not return JSON: {error}") from error


class PageProgress:
    """Stops offset paging that makes no progress: a server that ignores the offset answers the same page
    again and again and would be paged for ever. A page equal to the one before it is that server."""

    def __init__(self, source: str, what: str) -> None:
        self.source, self.what = source, what
        self._previous: list[Any] = []
        self._previous_offset = 0

    def check(self, page: list[Any], offset: int) -> None:
        if page and page == self._previous:
            raise SourceError(
                f"source '{self.source}': {self.what} answered offset {offset} with the same {len(page)} "
                f"record(s) as offset {self._previous_offset}: the server ignores the paging offset; "
                "stopped instead of paging for ever"
            )
        self._previous, self._previous_offset = page, offset
