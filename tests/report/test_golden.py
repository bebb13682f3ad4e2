"""Golden files of the note's structure at a fixed as-of on the seeded synthetic market.

``tests/golden/report_synthetic_<as-of>.md`` is the Markdown note with every figure
printed as its id (``⟦SPY.rsi_14⟧``): headings, sentences, tables and charts, i.e.
the wording and layout, independent of the last digit of any number.
``tests/golden/report_synthetic_<as-of>.structure.txt`` lists the JSON's sections,
blocks, charts and every figure's id, kind, unit and inputs (no values).
Regenerate with ``pytest tests/report --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rotascope.outputs.report.render_md import render_markdown

from .conftest import SYN_AS_OF

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def structure(note: dict) -> str:
    lines = [f"as_of: {note['as_of']}", f"synthetic: {str(note['synthetic']).lower()}",
             f"title: {note['title']}", "regime evidence: "
             + ", ".join(e["id"] for e in note["regime"]["evidence"]), "sections:"]
    for sec in note["sections"]:
        lines.append(f"  {sec['id']}: {sec['title']}")
        for b in sec["blocks"]:
            if b["type"] == "bullets":
                lines.append(f"    bullets ({len(b['items'])})")
            elif b["type"] == "table":
                lines.append(f"    table {b['id']}: {' | '.join(b['columns'])} "
                             f"({len(b['rows'])} rows)")
            elif b["type"] == "chart":
                lines.append(f"    chart {b['id']} -> {b['file']}")
            else:
                lines.append(f"    {b['type']}")
        lines.append(f"    data keys: {', '.join(sorted(sec['data']))}")
    lines.append("charts:")
    lines += [f"  {c['id']} ({c['kind']}): {c['title']}" for c in note["charts"]]
    lines.append("figures:")
    lines += [f"  {f['id']}  {f['kind']}  {f['unit']}  as_of={f['as_of']}  "
              f"{json.dumps(f['inputs'], sort_keys=True)}" for f in note["figures"]]
    return "\n".join(lines) + "\n"


def _compare(path: Path, text: str, update: bool) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run pytest tests/report --update-golden"
    want = path.read_text(encoding="utf-8")
    if text != want:
        import difflib

        diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                            str(path), "now", n=1))
        pytest.fail(f"{path.name} differs from the golden file (review, then "
                    f"--update-golden):\n{diff[:6000]}")


def test_markdown_skeleton_matches_golden(syn_note, pytestconfig) -> None:
    model, _, _ = syn_note
    text = render_markdown(model, figure_ids=True)
    assert "⟦SPY.close⟧" in text and "SYNTHETIC DATA" in text
    _compare(GOLDEN / f"report_synthetic_{SYN_AS_OF}.md", text,
             pytestconfig.getoption("--update-golden"))


def test_json_structure_matches_golden(syn_note, pytestconfig) -> None:
    _, note, _ = syn_note
    text = structure(note)
    _compare(GOLDEN / f"report_synthetic_{SYN_AS_OF}.structure.txt", text,
             pytestconfig.getoption("--update-golden"))


def test_section_order_and_required_sections(syn_note) -> None:
    _, note, _ = syn_note
    ids = [s["id"] for s in note["sections"]]
    assert ids == ["key_points", "verdict", "index", "mag7", "global", "sectors", "breadth",
                   "macro", "crypto", "positioning", "risks", "disclaimer"]
    kp = note["sections"][0]["blocks"][0]
    assert kp["type"] == "bullets" and 3 <= len(kp["items"]) <= 5
    assert {c["id"] for c in note["charts"]} == {"index", "ratios", "rrg", "breadth"}
    assert set(note["regime"]) >= {"verdict", "confidence", "evidence"}
