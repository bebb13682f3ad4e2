"""Condition errors are located rule errors; '$' is refused by alerts; named scans files."""

from __future__ import annotations

import pytest

from rotascope.errors import EXIT_RULES
from rotascope.rules.evaluate import check_condition
from rotascope.rules.grammar import parse_condition
from rotascope.scan import ScanConditionError, compile_scan
from rotascope.scan.named import parse_scans

KNOWN = {"SPY", "AAPL", "MSFT"}


def _error(text: str, **kw) -> str:
    with pytest.raises(ScanConditionError) as exc:
        compile_scan(text, known_tickers=KNOWN, **kw)
    assert exc.value.exit_code == EXIT_RULES
    return str(exc.value)


def test_unknown_function_points_at_its_column() -> None:
    msg = _error("close($) > smaa($, 50)")
    assert "condition:1:12: unknown function 'smaa'; did you mean sma?" in msg
    assert "    close($) > smaa($, 50)\n               ^^^^" in msg


def test_unknown_field_and_ticker() -> None:
    assert "has no field .lowest_in_month;" in _error("ratio($, SPY).lowest_in_month >= 4")
    assert "unknown ticker QQQQ" in _error("ratio($, QQQQ) > 1")


def test_condition_must_read_members_and_be_true_false() -> None:
    assert "must read '$'" in _error("close(SPY) > 3")
    assert "must be true or false" in _error("close($) + 1")
    assert "both legs are $" in _error("ratio($, $) > 1")


def test_functions_without_member_support_say_so() -> None:
    assert "range() cannot read '$' yet" in _error("close($) < range($).floor")


def test_sort_must_be_a_number() -> None:
    assert "--sort:1:1: this must be a number" in _error("close($) > 1",
                                                         sort="close($) > 2")


def test_syntax_error_is_located() -> None:
    assert "condition:1:11: syntax: unexpected '>'" in _error("close($) >> 3")


def test_alerts_refuse_the_member_sign() -> None:
    issues, _ = check_condition(parse_condition("close($) > sma($, 50)"), known_tickers=KNOWN)
    assert issues and "only works in `rotascope scan`" in issues[0].message


def test_named_scans_file_locates_problems() -> None:
    text = ("scans:\n"
            "  - name: good\n"
            "    condition: close($) > sma($, 50)\n"
            "    sort: rsi($, 14)\n"
            "    limit: 5\n"
            "  - name: bad\n"
            "    condition: close($) > smaa($, 50)\n"
            "    universe: nowhere\n")
    with pytest.raises(ScanConditionError) as exc:
        parse_scans(text, "scans.yaml", known_tickers=KNOWN,
                    universe_problem=lambda n: None if n == "sp500" else f"unknown {n!r}")
    assert "scans.yaml:7:27: unknown function 'smaa'" in str(exc.value)
    good = parse_scans(text.split("  - name: bad")[0], "scans.yaml", known_tickers=KNOWN)
    assert [(s.name, s.universe, s.limit, s.scan.sort) for s in good] == [
        ("good", "sp500", 5, "rsi($, 14)")]


def test_named_scans_file_structure_errors() -> None:
    with pytest.raises(ScanConditionError, match="needs a 'scans:' list"):
        parse_scans("other: 1\n", "f.yaml")
    with pytest.raises(ScanConditionError, match="f.yaml:2:5: unknown key 'when'"):
        parse_scans("scans:\n  - when: x\n    name: a\n    condition: close($) > 1\n",
                    "f.yaml")
    with pytest.raises(ScanConditionError, match="used twice"):
        parse_scans("scans:\n  - {name: a, condition: 'close($) > 1'}\n"
                    "  - {name: a, condition: 'close($) > 2'}\n", "f.yaml")
