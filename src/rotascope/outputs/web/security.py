"""Request guards: token, cross-site POSTs, Host header, upload size.

One pure ASGI middleware, so it runs before any route (pages, API, static files and
the docs alike) and counts the body bytes as they arrive (a lying or missing
Content-Length cannot get a larger upload through).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Guard", "COOKIE", "LOOPBACK_HOSTS", "cookie_value", "is_loopback"]

COOKIE = "rotascope_session"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
#: paths reachable without the token (the login form itself)
_OPEN_PATHS = ("/login",)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cookie_value(token: str) -> str:
    """What the session cookie holds: a digest of the token, never the token itself."""
    return hmac.new(token.encode(), b"rotascope-session", hashlib.sha256).hexdigest()


class BodyTooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: 401 without the token, 403 for a cross-site POST or an unknown
    Host on a loopback server (DNS rebinding), 413 past ``max_body`` bytes."""

    def __init__(self, app: Any, *, token: str | None, max_body: int,
                 allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.allowed_hosts = allowed_hosts
        self._cookie = cookie_value(token) if token else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if self.allowed_hosts is not None:
            host = _host_name(headers.get("host", ""))
            if host not in self.allowed_hosts:
                await _reply(send, 403, "this server answers only on its loopback address "
                                        f"(Host {host!r} refused)", path)
                return
        if self.token and path not in _OPEN_PATHS and not self._authorized(headers):
            await _reply(send, 401, "missing or wrong token: send 'Authorization: Bearer "
                                    "<token>' or log in at /login", path, login=True)
            return
        if method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(headers):
            await _reply(send, 403, "cross-site request refused (Origin or Sec-Fetch-Site "
                                    "says it comes from another site)", path)
            return
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _reply(send, 413, f"request body larger than {self.max_body:,} bytes", path)
            return
        received = 0
        started = False

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _reply(send, 413, f"request body larger than {self.max_body:,} bytes",
                             path)

    def _authorized(self, headers: dict[str, str]) -> bool:
        assert self.token is not None and self._cookie is not None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
                auth[7:].strip().encode(), self.token.encode()):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and hmac.compare_digest(value.encode(), self._cookie.encode()):
                return True
        return False


def _host_name(value: str) -> str:
    """The name part of a Host header ("[::1]:8000" -> "[::1]", "a:80" -> "a")."""
    if value.startswith("["):
        return value.split("]")[0] + "]"
    return value.rsplit(":", 1)[0]


def _same_origin(headers: dict[str, str]) -> bool:
    """A browser says where a request comes from (Sec-Fetch-Site, Origin); a request
    without either is not from a browser page, so it cannot be a cross-site forgery."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


async def _reply(send: Any, status: int, message: str, path: str, *,
                 login: bool = False) -> None:
    from ...errors import EXIT_USAGE

    if path.startswith("/api/") or not login:
        body = json.dumps({"error": message, "exit_code": EXIT_USAGE}).encode()
        ctype = b"application/json"
    else:
        from .pages import login_page

        body = login_page(message, next_url=path).encode()
        ctype = b"text/html; charset=utf-8"
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="rotascope"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
