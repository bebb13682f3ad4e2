"""Every figure of note.json re-derived independently from the store (plain SQL, pandas,
TA-Lib) to 1e-9, on the synthetic note and on real-data notes; displays as documented."""

from __future__ import annotations

import math

import pytest

from rotascope.outputs.report.figures import FIGURE_KINDS

from .conftest import REAL_AS_OF
from .oracle import Oracle, expected_display


def _check_all(store_path, note) -> set[str]:
    oracle = Oracle(store_path, note)
    bad = []
    kinds = set()
    try:
        for fig in note["figures"]:
            kinds.add(fig["kind"])
            want = oracle.value(fig)
            got = fig["value"]
            if fig["unit"] == "count":
                ok = got == want
            else:
                ok = (got is not None and not math.isnan(want)
                      and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12))
            if not ok:
                bad.append(f"{fig['id']} ({fig['kind']}): note {got!r}, recomputed {want!r}")
            if fig["display"] != expected_display(got, fig["unit"]):
                bad.append(f"{fig['id']}: display {fig['display']!r}, expected "
                           f"{expected_display(got, fig['unit'])!r}")
    finally:
        oracle.close()
    assert not bad, "\n".join(bad)
    return kinds


def test_synthetic_note_figures_rederive(syn_note, syn_home) -> None:
    _, note, _ = syn_note
    assert len(note["figures"]) > 150
    kinds = _check_all(syn_home.store_path, note)
    # the synthetic note exercises most formulas (not the previous-note ones)
    assert len(kinds) >= 30, sorted(set(FIGURE_KINDS) - kinds)


@pytest.mark.parametrize("day", REAL_AS_OF)
def test_real_note_figures_rederive(real_notes, loaded_store, day) -> None:
    _, note, _ = real_notes[day]
    assert note["as_of"] == day and not note["synthetic"]
    _check_all(loaded_store.store_path, note)


def test_every_figure_has_the_documented_fields(syn_note) -> None:
    _, note, _ = syn_note
    ids = [f["id"] for f in note["figures"]]
    assert len(ids) == len(set(ids))
    for f in note["figures"]:
        assert {"id", "value", "display", "definition", "inputs", "as_of"} <= set(f)
        assert f["kind"] in FIGURE_KINDS and f["definition"] and f["value"] is not None
