"""Golden files of the note's structure at a fixed as-of on the seeded synthetic market.

``tests/golden/report_synthetic_<as-of>.md`` is the Markdown note with every figure
printed as its id (``⟦SPY.rsi_14⟧``): headings, sentences, tables and charts, i.e.
the wording and layout, independent of the last digit of any number.
``tests/golden/report_synthetic_<as-of>.structure.txt`` lists the JSON's sections,
blocks, charts and every figure's id, kind, unit and inputs (no values, but some
inputs are numbers: the level a price is compared with).
Regenerate with ``pytest tests/report --update-golden`` and review the diff.

Comparison: text exactly; every decimal number (``106.06250842572913``, ``1e-05``) with
a relative tolerance of :data:`REL_TOL` (absolute :data:`ABS_TOL` near zero), so a newer
numpy/pandas that changes the 15th significant digit passes while a change of 1e-9
relative fails. Integers, and digits inside names (``rsi_14``, ``2007-11-26``), are text.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from rotascope.outputs.report.render_md import render_markdown

from .conftest import SYN_AS_OF

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

#: Relative tolerance of numbers in golden files.
REL_TOL = 1e-12
#: Absolute tolerance (for numbers near zero).
ABS_TOL = 1e-12

# A decimal number standing alone (not digits inside a name such as rsi_14 or sma.50):
# it has a fraction or an exponent; plain integers stay text and compare exactly.
_NUMBER = re.compile(r"(?<![\w.])(-?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+))(?!\w|\.\d)")


def _line_matches(want: str, got: str) -> bool:
    """Same text outside the numbers; numbers equal within REL_TOL / ABS_TOL."""
    a, b = _NUMBER.split(want), _NUMBER.split(got)
    if len(a) != len(b):
        return False
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if i % 2 == 0:              # text between numbers
            if x != y:
                return False
        elif not math.isclose(float(x), float(y), rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return False
    return True


def golden_mismatches(want: str, got: str) -> list[int]:
    """1-based line numbers where ``got`` differs from ``want`` beyond the tolerance
    (a different line count is a mismatch at the first line past the shorter text)."""
    wl, gl = want.split("\n"), got.split("\n")
    bad = [i + 1 for i, (w, g) in enumerate(zip(wl, gl, strict=False))
           if not _line_matches(w, g)]
    if len(wl) != len(gl):
        bad.append(min(len(wl), len(gl)) + 1)
    return bad


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
    bad = golden_mismatches(want, text)
    if bad:
        import difflib

        diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                            str(path), "now", n=1))
        pytest.fail(f"{path.name} differs from the golden file on line(s) "
                    f"{', '.join(map(str, bad[:20]))} (numbers beyond a relative "
                    f"{REL_TOL:g}; review, then --update-golden):\n{diff[:6000]}")


def test_golden_comparison_tolerates_last_digits_only() -> None:
    line = 'SPY.vs_range_floor  pct  {"level": 106.06250842572913, "series": ["SPY"]}'
    assert golden_mismatches(line, line) == []
    # the 15th-digit drift seen between numpy/pandas releases passes
    assert golden_mismatches(line, line.replace("106.06250842572913",
                                                "106.06250842572894")) == []
    # a relative change of 1e-9 fails, and so does any change of the text
    moved = repr(106.06250842572913 * (1 + 1e-9))
    assert golden_mismatches(line, line.replace("106.06250842572913", moved)) == [1]
    assert golden_mismatches(line, line.replace("SPY.vs", "SPX.vs")) == [1]
    assert golden_mismatches(line, line.replace('"series"', '"serie"')) == [1]
    # near zero the absolute tolerance applies; integers and names compare as text
    assert golden_mismatches("x 0.0", "x 1e-13") == []
    assert golden_mismatches("x 0.0", "x 1e-9") == [1]
    assert golden_mismatches("rsi_14 as_of=2007-11-26", "rsi_15 as_of=2007-11-26") == [1]
    assert golden_mismatches("rows 20", "rows 21") == [1]
    assert golden_mismatches("a\nb", "a\nb\nc") == [3]
    assert golden_mismatches("ends at 1.5.", "ends at 1.5000000000000002.") == []


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
