"""Wording regressions: singular/plural sessions, unsigned 'as much as', unsigned gaps."""

from __future__ import annotations

import inspect

from rotascope.outputs.report.figures import format_value
from rotascope.outputs.report.sections import _common, macro, regime


def test_sessions_singular_and_plural() -> None:
    assert _common._sessions(1) == "session"
    assert _common._sessions(1.0) == "session"
    assert _common._sessions(2) == "sessions"
    assert _common._sessions(0) == "sessions"


def test_gap_to_a_threshold_is_shown_without_a_sign() -> None:
    # "a move above 55.0 (2.9 away)", never "(-2.9 away)"
    assert regime._GAP_UNITS["index"] == "index_abs"
    assert format_value(-2.94, "index_abs") == "2.9"
    assert format_value(2.94, "index_abs") == "2.9"
    for unit in regime._GAP_UNITS.values():
        assert not format_value(-0.5, unit).startswith("-"), unit


def test_fallen_as_much_as_is_unsigned() -> None:
    # the worst decline is negative; the sentence says "fallen" so it shows 28.8%, not -28.8%
    src = inspect.getsource(macro)
    assert "fallen as much as {_abs_ref(ctx, worst)}" in src
    assert format_value(-0.288, "pct_abs") == "28.8%"
