"""Hostile conditions: size/depth limits and argument validation, all located (exit 6)."""

from __future__ import annotations

import inspect
import re
import sys

import pytest

from rotascope.errors import EXIT_RULES
from rotascope.outputs.alerts.rules import RulesFileError, parse_rules
from rotascope.rules.evaluate import check_condition
from rotascope.rules.grammar import (
    MAX_CHARS,
    MAX_DEPTH,
    ConditionSyntaxError,
    parse_condition,
    unparse,
    walk,
)


def _problems(condition: str) -> RulesFileError:
    text = "rules:\n  - id: a\n    condition: '" + condition.replace("'", "''") + "'\n"
    with pytest.raises(RulesFileError) as info:
        parse_rules(text, "r.yaml")
    err = info.value
    assert err.exit_code == EXIT_RULES
    for p in err.problems:
        assert re.match(r"^r\.yaml:\d+:\d+: ", str(p)), str(p)
    return err


HOSTILE = {
    "nest1000": "-(" * 1000 + "close(SPY)" + ")" * 1000 + " > 1",
    "or3000": " or ".join(["close(SPY) > 1"] * 3000),
    "one_mb": " + ".join(["close(SPY)"] * 90_000) + " > 1",
    "fields100k": "ratio(SPY, QQQ)" + ".value" * 100_000 + " > 1",
    "not1000": "not " * 1000 + "close(SPY) > 1",
    "calls": "sma(" * 400 + "SPY" + ", 5)" * 400 + " > 1",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_sizes_are_refused_with_a_location(name: str) -> None:
    err = _problems(HOSTILE[name])
    assert len(err.problems) == 1
    msg = err.problems[0].message
    assert "characters long" in msg or "levels deep" in msg or "terms" in msg, msg


def test_limits_are_exact() -> None:
    # MAX_CHARS characters parse; one more is refused at that offset
    ok = "close(SPY) > 1" + " " * (MAX_CHARS - 14)
    assert len(ok) == MAX_CHARS
    parse_condition(ok)
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(ok + " ")
    assert info.value.problem.offset == MAX_CHARS
    # a chain of unary minus: depth = n + 3 (Compare, Neg..., Call, Name)
    deepest = "-" * (MAX_DEPTH - 3) + "close(SPY) > 1"
    tree = parse_condition("(" + deepest.replace(" > 1", ")") + " > 1")
    assert tree is not None
    with pytest.raises(ConditionSyntaxError):
        parse_condition("-" * MAX_DEPTH + "close(SPY) > 1")


def test_passes_at_the_depth_limit_stay_within_a_small_stack() -> None:
    # check/unparse/walk at the deepest accepted tree need few frames per level: run
    # them with the recursion limit just above what 4 frames per level would use.
    cond = "not " * (MAX_DEPTH - 4) + "close(SPY) > 1"
    tree = parse_condition(cond)
    base = len(inspect.stack())
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(base + 4 * MAX_DEPTH + 60)
    try:
        issues, _ = check_condition(tree)
        text = unparse(tree)
        nodes = walk(tree)
    finally:
        sys.setrecursionlimit(old)
    assert issues == []
    assert parse_condition(text) == tree
    assert len(nodes) == (MAX_DEPTH - 4) + 4  # the nots, compare, call, SPY, 1


@pytest.mark.parametrize("condition, needle, column", [
    ("ratio(SPY, SPY) > 1", "both legs are SPY", 16),
    ('ratio(SPY, "spy") > 1', "both legs are SPY", 16),
    ("perf(SPY, 99999999999999999999d) > 0", "between 1 and 25200 rows", 26),
    ("perf(SPY, 99999999999y) > 0", "between 1 and 25200 rows", 26),
    ("perf(SPY, 0d) > 0", "between 1 and 25200 rows, got 0d", 26),
    ("sma(SPY, 1e308) > 0", "got 1e308", 25),
    ("sma(SPY, 30000) > 0", "between 1 and 25200 rows, got 30000", 25),
    ("close(SPY) < 1e400", "too large to be a number", 29),
    ("range(SPY, width=1e999).floor > 0", "finite number", 33),
    ("range(SPY, width=-1).floor > 0", "must be >= 0", 33),
    ("lowest_in_months(SPY, 0) > 1", "between 1 and 1200", 38),
])
def test_arguments_are_validated_at_check_time(condition: str, needle: str,
                                               column: int) -> None:
    err = _problems(condition)
    (p,) = err.problems
    assert needle in p.message, p.message
    # the condition is single-quoted in the YAML: one column after the unquoted one
    assert p.location.line == 3 and p.location.column == column + 1, str(p)
    assert not re.search(r"\d{25,}", str(err))  # never a 300-digit number
