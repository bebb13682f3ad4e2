"""The report model: sections made of blocks whose text holds figure placeholders.

A note is a :class:`ReportModel`: the as-of date, the regime verdict, the
:class:`~rotascope.outputs.report.figures.FigureRegistry` and an ordered list of
:class:`Section`. A section is a list of blocks (:class:`Paragraph`, :class:`Bullets`,
:class:`Table`, :class:`ChartRef`) plus ``data``, its structured content for
``note.json``. Every text is a *template* in which numbers appear only as ``⟦id⟧``
placeholders; the renderers fill them from the registry (Markdown: the display;
HTML: the display in a ``<span>`` titled with the figure's definition).

Charts are :class:`ChartSpec` objects holding the series to draw (not in the JSON); the
renderers draw them (see :mod:`rotascope.outputs.report.charts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .figures import FigureRegistry, fill, placeholders

__all__ = ["Paragraph", "Bullets", "Table", "ChartRef", "ChartSpec", "Section",
           "ReportModel", "Block", "SECTION_ORDER"]

#: Section ids in the order the note prints them.
SECTION_ORDER: tuple[str, ...] = (
    "key_points", "recap", "verdict", "index", "mag7", "global", "sectors", "breadth",
    "macro", "crypto", "positioning", "risks", "portfolio", "disclaimer")


def _text_dict(template: str, displays: Mapping[str, str]) -> dict[str, Any]:
    return {"text": fill(template, displays), "figures": placeholders(template)}


@dataclass(frozen=True)
class Paragraph:
    """Sentences printed as one paragraph (each a template)."""

    sentences: tuple[str, ...]

    def templates(self) -> list[str]:
        return list(self.sentences)

    def to_dict(self, displays: Mapping[str, str]) -> dict[str, Any]:
        t = " ".join(self.sentences)
        return {"type": "paragraph", **_text_dict(t, displays)}


@dataclass(frozen=True)
class Bullets:
    """A bullet list (each item a template)."""

    items: tuple[str, ...]

    def templates(self) -> list[str]:
        return list(self.items)

    def to_dict(self, displays: Mapping[str, str]) -> dict[str, Any]:
        return {"type": "bullets", "items": [_text_dict(t, displays) for t in self.items]}


@dataclass(frozen=True)
class Table:
    """A table; cells are templates. ``align`` is "l" or "r" per column."""

    id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()
    caption: str = ""

    def templates(self) -> list[str]:
        return [self.caption, *self.columns, *(c for r in self.rows for c in r)]

    def to_dict(self, displays: Mapping[str, str]) -> dict[str, Any]:
        return {"type": "table", "id": self.id, "caption": fill(self.caption, displays),
                "columns": list(self.columns),
                "rows": [[fill(c, displays) for c in r] for r in self.rows],
                "figures": list(dict.fromkeys(f for r in self.rows for c in r
                                              for f in placeholders(c)))}


@dataclass(frozen=True)
class ChartRef:
    """Where a chart goes in a section (``id`` of a :class:`ChartSpec`)."""

    id: str

    def templates(self) -> list[str]:
        return []

    def to_dict(self, displays: Mapping[str, str]) -> dict[str, Any]:
        return {"type": "chart", "id": self.id, "file": f"{self.id}.png"}


Block = Paragraph | Bullets | Table | ChartRef


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: ``kind`` picks the drawing function, ``data`` its inputs.

    ``title`` and ``caption`` are plain text without numbers (numbers live in the text
    and the figures, where they can be checked).
    """

    id: str
    kind: str
    title: str
    caption: str
    data: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Section:
    """One section of the note: id, title, blocks and structured ``data``."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    data: Mapping[str, Any] = field(default_factory=dict)

    def templates(self) -> list[str]:
        return [t for b in self.blocks for t in b.templates()]

    def to_dict(self, displays: Mapping[str, str]) -> dict[str, Any]:
        return {"id": self.id, "title": self.title,
                "blocks": [b.to_dict(displays) for b in self.blocks],
                "data": dict(self.data)}


@dataclass(frozen=True)
class ReportModel:
    """Everything a note says, as of one date (see the module docstring).

    ``regime`` is the :class:`~rotascope.analysis.regime.RegimeResult`; ``previous`` the
    earlier note's JSON the recap compares with (None without one); ``missing`` the
    instruments the note wanted but the store lacks (ticker -> reason).
    """

    as_of: pd.Timestamp
    requested_as_of: pd.Timestamp | None
    synthetic: bool
    title: str
    regime: Any
    figures: FigureRegistry
    sections: tuple[Section, ...]
    charts: tuple[ChartSpec, ...]
    missing: Mapping[str, str]
    notes: tuple[str, ...]
    source: Mapping[str, Any]
    previous_as_of: pd.Timestamp | None = None

    def section(self, id: str) -> Section:
        for s in self.sections:
            if s.id == id:
                return s
        raise KeyError(id)

    def chart(self, id: str) -> ChartSpec:
        for c in self.charts:
            if c.id == id:
                return c
        raise KeyError(id)

    def templates(self) -> list[str]:
        return [t for s in self.sections for t in s.templates()]

    def to_dict(self) -> dict[str, Any]:
        """``note.json``: as_of, synthetic, regime, figures, sections and the rest."""
        from ..jsonout import to_jsonable

        displays = self.figures.displays()
        regime = self.regime.to_dict()
        return to_jsonable({
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "requested_as_of": (None if self.requested_as_of is None
                                else self.requested_as_of.strftime("%Y-%m-%d")),
            "title": self.title,
            "synthetic": bool(self.synthetic),
            "regime": {"verdict": regime["verdict"], "confidence": regime["confidence"],
                       "description": regime["description"], "since": regime["since"],
                       "raw_verdict": regime["raw_verdict"],
                       "days_in_raw": regime["days_in_raw"], "scores": regime["scores"],
                       "rules": regime["rules"], "evidence": regime["evidence"]},
            "figures": self.figures.to_list(),
            "sections": [s.to_dict(displays) for s in self.sections],
            "charts": [{"id": c.id, "kind": c.kind, "title": c.title, "caption": c.caption,
                        "file": f"{c.id}.png"} for c in self.charts],
            "missing": [{"ticker": t, "reason": r} for t, r in self.missing.items()],
            "notes": list(self.notes),
            "previous_as_of": (None if self.previous_as_of is None
                               else self.previous_as_of.strftime("%Y-%m-%d")),
            "source": dict(self.source),
        })
