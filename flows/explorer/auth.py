"""Who may use the explorer, and the headers every answer carries.

Safe by default: the explorer binds 127.0.0.1; any other host needs a token (`--token` or the env var
JOURNEY_EXPLORER_TOKEN). With a token every request, page, API and static file alike, must carry it:
`Authorization: Bearer <token>`, or the `token` cookie that visiting `/?token=<token>` once sets (then a
redirect drops it from the address bar and the history). Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventlogs.errors import ConfigError

TOKEN_ENV = "JOURNEY_EXPLORER_TOKEN"
TOKEN_COOKIE = "token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# The page has no inline script and no inline event handler (flows/explorer/static), so scripts can be
# limited to its own files.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "object-src 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def check_binding(host: str, token: str | None) -> None:
    """Refuses to serve on another host than this machine's loopback without a token."""
    if host not in LOCAL_HOSTS and not token:
        raise ConfigError(
            f"--host {host} makes the explorer reachable from other machines: give a token "
            f"(--token or the environment variable {TOKEN_ENV}), or bind 127.0.0.1"
        )


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
                message["headers"] = [*message.get("headers", []), *(h for h in added if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """Lets a request through when no token is set, or when it carries the token (header or cookie);
    `/?token=<token>` sets the cookie and redirects to the same address without it; anything else is 401."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and _same(given.strip(), self.token):
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header carries no token
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie and _same(cookie[TOKEN_COOKIE].value, self.token):
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        offered = [value for key, value in query if key == "token"]
        if scope["path"] == "/" and len(offered) == 1 and _same(offered[0], self.token):
            await self._welcome(query, send)
            return
        await _json(
            send,
            401,
            {"error": "this explorer needs its token: Authorization: Bearer <token>, or open /?token=<token> once"},
        )

    async def _welcome(self, query: list[tuple[str, str]], send: Send) -> None:
        """Sets the cookie and redirects to the page without the token in its address."""
        rest = urlencode([(key, value) for key, value in query if key != "token"])
        cookie = SimpleCookie()
        cookie[TOKEN_COOKIE] = self.token or ""
        morsel = cookie[TOKEN_COOKIE]
        morsel["path"], morsel["httponly"], morsel["samesite"] = "/", True, "Strict"
        headers = [
            (b"location", ("/" + (f"?{rest}" if rest else "")).encode("latin-1")),
            (b"set-cookie", morsel.OutputString().encode("latin-1")),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _json(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
