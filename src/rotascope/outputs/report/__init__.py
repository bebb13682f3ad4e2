"""The weekly research note: ``rotascope report``.

Pipeline: :func:`~rotascope.outputs.report.build.build_report` (store -> ReportModel:
figures, sections, charts to draw) then :func:`write_report` (ReportModel -> ``note.html``,
``note.md``, ``note.json`` and one PNG per chart in a folder). The note's previous
editions live in the store's ``reports`` table (:mod:`rotascope.outputs.report.history`)
for the recap. See ``docs/report.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .build import build_report
from .figures import Figure, FigureRegistry
from .model import ReportModel, Section

__all__ = ["build_report", "write_report", "render_charts", "ReportModel", "Section",
           "Figure", "FigureRegistry", "NOTE_FILES"]

#: The files every note folder holds (plus one ``<chart id>.png`` per chart).
NOTE_FILES = ("note.html", "note.md", "note.json")


def render_charts(model: ReportModel) -> dict[str, bytes]:
    """PNG bytes of every chart of ``model`` (chart id -> bytes)."""
    from .charts import render_chart

    return {c.id: render_chart(c, synthetic=model.synthetic) for c in model.charts}


def _write(path: Path, data: bytes | str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def write_report(model: ReportModel, out_dir: str | Path) -> dict[str, Path]:
    """Write the note's files into ``out_dir`` (created if needed); return name -> path.

    Each file is written to a temporary name and renamed, so a reader never sees a
    half-written file.
    """
    from .render_html import render_html
    from .render_md import render_markdown

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    charts = render_charts(model)
    paths: dict[str, Path] = {}
    for cid, png in charts.items():
        p = out / f"{cid}.png"
        _write(p, png)
        paths[f"{cid}.png"] = p
    note = model.to_dict()
    _write(out / "note.json", json.dumps(note, indent=2, ensure_ascii=False,
                                         allow_nan=False) + "\n")
    _write(out / "note.md", render_markdown(model))
    _write(out / "note.html", render_html(model, charts))
    for name in NOTE_FILES:
        paths[name] = out / name
    return paths
