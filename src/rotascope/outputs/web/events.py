"""Server-sent events: ``/api/v1/events`` announces store and alert-state changes.

The loop polls the store's signature (a ``stat`` of the file and its WAL: cheap) and,
only when it changed, opens the store read-only for the last date and the number of
fired alerts. Pages subscribe with ``EventSource`` and reload their data. Each stream
ends after ``max_seconds`` (the browser reconnects on its own), so no connection
lives forever.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

__all__ = ["router", "store_status", "event_stream"]

router = APIRouter(prefix="/api/v1", tags=["events"])


def store_status(access: Any) -> dict[str, Any]:
    """The store's last date and alert firings (what a change event announces)."""
    from ...errors import StoreError
    from .alerts_view import alert_signature

    try:
        with access.store(require_data=False) as store:
            last = store.last_date() if store.exists else None
            fired, latest = alert_signature(store)
    except StoreError as exc:  # a writer holds the store: report it, try again later
        return {"busy": True, "error": str(exc)}
    return {"busy": False, "last_date": None if last is None else f"{last:%Y-%m-%d}",
            "alerts_fired": fired, "last_alert_at": latest}


async def event_stream(access: Any, *, interval: float = 1.0, max_seconds: float = 300.0,
                       is_disconnected: Any = None) -> AsyncIterator[str]:
    """``event: status`` first, then ``event: change`` whenever the status changes."""
    from starlette.concurrency import run_in_threadpool

    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    signature = access.signature()
    status = await run_in_threadpool(store_status, access)
    yield f"retry: 2000\nevent: status\ndata: {json.dumps(status)}\n\n"
    while loop.time() < deadline:
        await asyncio.sleep(interval)
        if is_disconnected is not None and await is_disconnected():
            return
        now = access.signature()
        if now == signature:
            yield ": keep-alive\n\n"
            continue
        new = await run_in_threadpool(store_status, access)
        if new.get("busy"):
            continue  # keep the old signature: look again once the writer is done
        signature = now
        if new != status:
            status = new
            yield f"event: change\ndata: {json.dumps(status)}\n\n"


@router.get("/events", summary="Server-sent events: store and alert-state changes")
async def events(request: Request, interval: float = Query(1.0, ge=0.05, le=60),
                 max_seconds: float = Query(300.0, ge=0.1, le=3600)) -> StreamingResponse:
    web = request.app.state.web
    return StreamingResponse(event_stream(web.access, interval=interval,
                                          max_seconds=max_seconds,
                                          is_disconnected=request.is_disconnected),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
