"""The server's read-only access to the store and its cache of computed answers.

Every request opens the store read-only for as long as it computes and closes it
again: DuckDB lets a writer in (``rotascope watch``, ``data update``, ``alerts run``)
only while no reader holds the file, so the server never keeps it open between
requests. Answers are cached instead: an LRU of serialized JSON keyed by endpoint,
parameters and the store's *signature* (size and modification time of the store file
and its WAL), so any write invalidates every entry at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...config import Settings

__all__ = ["StoreAccess", "ResultCache", "store_signature"]


def store_signature(path: Path) -> tuple[int, ...]:
    """(size, mtime_ns) of the store file and of its WAL: changes with every commit."""
    out: list[int] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
        except FileNotFoundError:
            out += [-1, -1]
        else:
            out += [st.st_size, st.st_mtime_ns]
    return tuple(out)


class StoreAccess:
    """Opens the store of ``settings`` read-only, one short-lived handle per use."""

    def __init__(self, settings: Settings, *, wait: float = 2.0) -> None:
        self.settings = settings
        self.wait = wait

    @property
    def path(self) -> Path:
        return self.settings.store_path

    def signature(self) -> tuple[int, ...]:
        return store_signature(self.path)

    @contextmanager
    def store(self, *, require_data: bool = True) -> Iterator[Any]:
        from ...data.store import Store

        store = Store(self.path, read_only=True, wait=self.wait)
        try:
            if require_data:
                store.require_data()
            yield store
        finally:
            store.close()

    def opener(self) -> Callable[..., Any]:
        """A :data:`~rotascope.outputs.cli._common.MarketOpener` on this store."""
        from ...market_view import MarketView

        @contextmanager
        def open_view(as_of: Any = None, *, needs: list[str] | None = None,
                      needs_universes: tuple[str, ...] = ()) -> Iterator[Any]:
            with self.store() as store:
                yield MarketView.open(store, self.settings, as_of=as_of, needs=needs,
                                      needs_universes=needs_universes)

        return open_view


class ResultCache:
    """A bounded LRU of computed answers (at most ``maxsize`` entries and ``max_bytes``
    of text); one computation per key at a time."""

    def __init__(self, maxsize: int = 256, max_bytes: int = 128_000_000) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._data)

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # concurrent requests for the same key wait for one computation
            with self._lock:
                if key in self._data:
                    return self._data[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._key_locks.pop(key, None)
            with self._lock:
                self._data[key] = value
                self.bytes += _size(value)
                self._data.move_to_end(key)
                while len(self._data) > 1 and (len(self._data) > self.maxsize
                                               or self.bytes > self.max_bytes):
                    self.bytes -= _size(self._data.popitem(last=False)[1])
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 0


class ResponseCache:
    """ASGI middleware: a GET under /api/v1/ answered 200 before, with the same path and
    query string and an unchanged store signature, is replayed from memory without
    routing, validation or a worker thread (the warm path of the load test)."""

    def __init__(self, app: Any, *, access: StoreAccess, maxsize: int = 512,
                 max_bytes: int = 128_000_000,
                 prefix: str = "/api/v1/", exclude: tuple[str, ...] = (
                     "/api/v1/events", "/api/v1/alerts", "/api/v1/portfolio",
                     "/api/v1/backtest")
                 ) -> None:
        self.app = app
        self.access = access
        self.prefix = prefix
        self.exclude = exclude  # streams; files read by name (their edits are not signed)
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict[Any, tuple[int, list[Any], bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or not path.startswith(self.prefix) or path.startswith(self.exclude)):
            await self.app(scope, receive, send)
            return
        key = (path, scope.get("query_string", b""), self.access.signature())
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def recording_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    body = b"".join(chunks)
                    with self._lock:
                        if key not in self._data:
                            self._data[key] = (200, list(start.get("headers", [])), body)
                            self.bytes += len(body)
                        while len(self._data) > 1 and (len(self._data) > self.maxsize
                                                       or self.bytes > self.max_bytes):
                            self.bytes -= len(self._data.popitem(last=False)[1][2])
            await send(message)

        await self.app(scope, receive, recording_send)
