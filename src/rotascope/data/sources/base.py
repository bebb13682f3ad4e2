"""The data-source plugin interface.

A source turns a request into canonical :class:`~rotascope.data.model.SeriesData` in
three steps, so the network or file access sits in exactly one place:

1. ``build_query(**params)`` validates and normalises what the user asked for (no I/O);
2. ``fetch(query)`` is the only step that touches files or the network and returns the
   raw payload(s) untouched (bytes/text plus where they came from);
3. ``to_frame(query, raw)`` parses the payload into canonical series, raising
   :class:`~rotascope.errors.FileFormatError` / :class:`~rotascope.errors.SourceError`
   that name the file or URL, the line and the reason.

Sources register under the entry-point group ``rotascope.sources`` (see
``pyproject.toml``); a third-party package adds a source by declaring one there, and
:func:`get_source` finds it without any change to rotascope.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar

from ...errors import ParameterError, SourceError
from ..model import Rejection, SeriesData

__all__ = ["RawPayload", "Query", "Source", "SourceOutput", "get_source", "available_sources",
           "sha256_bytes"]

ENTRY_POINT_GROUP = "rotascope.sources"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Query:
    """A validated request. ``params`` is source specific (tickers, dates, path...)."""

    source: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawPayload:
    """What ``fetch`` returns: untouched bytes and where they came from."""

    location: str          # file path or URL (without secrets)
    content: bytes
    key: str = ""          # what the payload is for (ticker, series id...)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        return sha256_bytes(self.content)


@dataclass
class SourceOutput:
    """Parsed series plus everything that could not be parsed (never silently dropped)."""

    series: list[SeriesData] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class Source(ABC):
    """Base class of data sources; subclasses set ``name`` and implement the three steps."""

    name: ClassVar[str] = ""
    #: True when ``fetch`` needs the network (the CLI then reports offline problems).
    online: ClassVar[bool] = False
    #: Can ``rotascope data update --source NAME`` use it? True: ``build_query(tickers=[t],
    #: start=date_or_None)`` + ``fetch`` + ``to_frame`` fetch one ticker's prices from
    #: ``start`` on; False: it reads something else (files, member lists); None (the
    #: default for plugins that do not say): tried, and a failure is reported per ticker.
    updates_prices: ClassVar[bool | None] = None

    @abstractmethod
    def build_query(self, **params: Any) -> Query:
        """Validate and normalise parameters; raise ParameterError on bad ones."""

    @abstractmethod
    def fetch(self, query: Query) -> Iterator[RawPayload | Rejection]:
        """Yield raw payloads (the only I/O). A payload that cannot be fetched is yielded
        as a :class:`Rejection` so one bad ticker never sinks the whole run."""

    @abstractmethod
    def to_frame(self, query: Query, raw: RawPayload) -> list[SeriesData]:
        """Parse one payload into canonical series (raise FileFormatError/SourceError)."""

    def load(self, query: Query, progress: Any = None) -> SourceOutput:
        """Run fetch + to_frame over every payload, collecting rejections per payload."""
        from ...errors import FileFormatError

        out = SourceOutput()
        for item in self.fetch(query):
            if isinstance(item, Rejection):
                out.rejected.append(item)
            else:
                try:
                    out.series.extend(self.to_frame(query, item))
                except FileFormatError as exc:
                    out.rejected.append(Rejection(exc.path, exc.reason, exc.line,
                                                  ticker=item.key or None))
                except SourceError as exc:
                    out.rejected.append(Rejection(item.location, str(exc),
                                                  ticker=item.key or None))
            if progress is not None:
                progress(1)
        return out


def available_sources() -> dict[str, Any]:
    """Entry points registered under ``rotascope.sources`` (name -> EntryPoint)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def get_source(name: str, **kwargs: Any) -> Source:
    """Instantiate the source registered as ``name`` (kwargs go to its constructor)."""
    eps = available_sources()
    if name not in eps:
        raise ParameterError(f"get_source(): unknown source {name!r}; available: "
                             + ", ".join(sorted(eps)))
    cls = eps[name].load()
    return cls(**kwargs)


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
