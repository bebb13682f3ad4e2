"""The FastAPI application: API, pages, events, static files, guards and error mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...config import Settings

__all__ = ["create_app", "DEFAULT_MAX_BODY", "plotly_js_path"]

#: largest request body accepted (uploads, pasted text): the claim checker's default
DEFAULT_MAX_BODY = 5_000_000
STATIC = Path(__file__).parent / "static"


def plotly_js_path() -> Path:
    """plotly.min.js of the installed plotly package (served as is: offline, no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(settings: Settings, token: str | None = None, *,
               allowed_hosts: tuple[str, ...] | None = None,
               max_body: int = DEFAULT_MAX_BODY, cache_size: int = 256) -> Any:
    """The web desk over the store of ``settings``.

    Parameters
    ----------
    settings : where the store, notes and rules live.
    token : when set, every request needs ``Authorization: Bearer <token>`` (or the
        session cookie the /login form sets); otherwise 401.
    allowed_hosts : Host header names accepted; default without a token: loopback
        names only (a DNS-rebinding page cannot reach a local server), with a token: any.
    max_body : request bodies above this many bytes get 413.
    cache_size : answers kept in the LRU cache.
    """
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse, Response
    from fastapi_offline import FastAPIOffline

    from ...errors import EXIT_USAGE, RotascopeError
    from . import api, events, pages
    from .access import ResponseCache, ResultCache, StoreAccess
    from .errors import error_body, http_status
    from .security import LOOPBACK_HOSTS, Guard

    app = FastAPIOffline(title="rotascope", version=_version(),
                         description="Market-rotation research desk: the JSON of every "
                                     "`rotascope COMMAND --json`, and the pages.")
    app.state.token = token
    app.state.web = api.WebState(settings, StoreAccess(settings), ResultCache(cache_size))
    if allowed_hosts is None and token is None:
        allowed_hosts = (*LOOPBACK_HOSTS, "testserver")

    @app.exception_handler(RotascopeError)
    async def rotascope_error(request: Request, exc: RotascopeError) -> Response:
        status = http_status(exc)
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, str(exc), status)
        return JSONResponse(error_body(str(exc), exc.exit_code), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: "
                             f"{e.get('msg')}" for e in exc.errors())
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, problems, 400)
        return JSONResponse(error_body(problems, EXIT_USAGE), status_code=400)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript",
                            headers={"Cache-Control": "max-age=86400"})

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        from .library import resolve_inside

        path = resolve_inside(STATIC, name)
        if not path.is_file():
            return JSONResponse(error_body(f"no static file {name!r}", 3), status_code=404)
        kind = {".js": "text/javascript", ".css": "text/css"}.get(path.suffix, "text/plain")
        return FileResponse(path, media_type=kind)

    app.include_router(api.router)
    app.include_router(events.router)
    app.include_router(pages.router)
    # inner to outer: the guard runs first, so a cached answer is never served unguarded
    app.add_middleware(ResponseCache, access=app.state.web.access)
    app.add_middleware(Guard, token=token, max_body=max_body, allowed_hosts=allowed_hosts)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rotascope")
    except PackageNotFoundError:
        return "0"
