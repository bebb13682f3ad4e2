"""The condition language: parse trees, positions, canonical text, syntax errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.rules.grammar import (
    Arith,
    Attr,
    Bool,
    BoolOp,
    Call,
    Changed,
    Compare,
    ConditionSyntaxError,
    Name,
    Neg,
    Not,
    Number,
    String,
    Window,
    parse_condition,
    unparse,
    walk,
)


def test_issue_examples_parse_to_the_expected_trees():
    t = parse_condition("ratio(MAGS, SPY).lowest_in_months >= 4")
    assert isinstance(t, Compare) and t.op == ">="
    assert isinstance(t.left, Attr) and t.left.name == "lowest_in_months"
    assert t.left.obj.func == "ratio"
    assert [a.name for a in t.left.obj.args] == ["MAGS", "SPY"]
    assert t.right.value == 4.0

    t = parse_condition("close(SPY) < range(SPY).floor")
    assert t.op == "<" and t.right.name == "floor" and t.right.obj.func == "range"

    t = parse_condition('rsi_divergence(SPY) == "bearish"')
    assert t.op == "==" and isinstance(t.right, String) and t.right.value == "bearish"

    t = parse_condition("worst_decline(IBIT, 10) <= -0.20")
    assert t.right.value == pytest.approx(-0.2) and t.left.args[1].value == 10

    t = parse_condition("breadth(sp500).pct_above_sma.50 crosses_below 0.5")
    assert t.op == "crosses_below"
    assert t.left.name == "50" and t.left.obj.name == "pct_above_sma"

    t = parse_condition("regime changed")
    assert isinstance(t, Changed) and isinstance(t.operand, Call)
    assert t.operand.func == "regime" and t.operand.args == ()


def test_percent_windows_tickers_and_keywords():
    t = parse_condition("perf(BRK-B, 3m) - perf(^TNX, 10d) > 5% and not x(y=2w)")
    assert isinstance(t, BoolOp) and t.op == "and"
    left = t.left
    assert left.right.value == pytest.approx(0.05) and left.right.percent
    a, b = left.left.left, left.left.right
    assert a.args[0].name == "BRK-B" and isinstance(a.args[1], Window) and a.args[1].rows == 63
    assert b.args[0].name == "^TNX" and b.args[1].rows == 10
    assert isinstance(t.right, Not)
    assert t.right.operand.kwargs[0][0] == "y" and t.right.operand.kwargs[0][1].rows == 10


def test_precedence_not_and_or_and_arithmetic():
    t = parse_condition("a > 1 or b > 2 and not c > 3")
    assert t.op == "or" and t.right.op == "and" and isinstance(t.right.right, Not)
    t = parse_condition("-(1 + 2) * 3 > 0")
    assert isinstance(t.left, Arith) and t.left.op == "*"
    assert isinstance(t.left.left, Neg)


def test_keywords_are_not_prefixes_of_names():
    t = parse_condition("andy > notable")
    assert t.left.func == "andy" and t.right.func == "notable"


def test_positions_point_into_the_text():
    text = "close(SPY)  <  range(QQQ).floor"
    t = parse_condition(text)
    assert text[t.left.start:t.left.end] == "close(SPY)"
    assert text[t.right.start:t.right.end] == "range(QQQ).floor"
    assert text[t.right.name_start:t.right.end] == "floor"
    assert text[t.op_start] == "<"


@pytest.mark.parametrize("text, offset, fragment", [
    ("close(SPY) >", 12, "ends too early"),
    ("close(SPY) = 3", 11, "'='"),
    ("close(SPY) && 3", 11, "use 'and'"),
    ("ratio(MAGS SPY) > 1", 11, "unexpected 'SPY'"),
    ("3 > > 4", 4, "unexpected '>'"),
    ("close(SPY) > 1 )", 15, "unexpected ')'"),
    ("   ", 0, "empty"),
])
def test_syntax_errors_say_where_and_what(text, offset, fragment):
    with pytest.raises(ConditionSyntaxError) as info:
        parse_condition(text)
    assert info.value.problem.offset == offset
    assert fragment in info.value.problem.message


def test_python_code_is_not_an_expression():
    # The grammar has no subscripts, lambdas or attribute calls: nothing to evaluate.
    for text in ["__import__('os').system('echo hi')", "close(SPY)[0] > 1",
                 "lambda: 1", "close(SPY).__class__() > 1"]:
        with pytest.raises(ConditionSyntaxError):
            parse_condition(text)


# -- canonical text round trip (property) -------------------------------------------------

names = st.sampled_from(["SPY", "MAGS", "BRK-B", "^TNX", "sp500", "abc"])
funcs = st.sampled_from(["close", "ratio", "sma", "perf", "breadth", "f_1"])
numbers = st.one_of(st.integers(0, 10_000).map(str),
                    st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.4f}"),
                    st.integers(0, 300).map(lambda n: f"{n}%"))


def _atoms():
    return st.one_of(
        numbers.map(lambda s: parse_condition(s)),
        st.text(alphabet="abc xyz-", max_size=6).map(lambda s: parse_condition(f'"{s}"')),
        st.booleans().map(lambda b: parse_condition("true" if b else "false")),
        st.builds(lambda f, args: parse_condition(f"{f}({', '.join(args)})"), funcs,
                  st.lists(st.one_of(names, st.sampled_from(["10d", "3m", "14"])), max_size=3)),
        funcs.map(lambda f: parse_condition(f"{f} > 0").left),
    )


def _extend(children):
    return st.one_of(
        st.builds(lambda a, op, b: Arith(0, 0, op, a, b), children, st.sampled_from("+-*/"),
                  children),
        st.builds(lambda a, op, b: Compare(0, 0, op, a, b), children,
                  st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "crosses_above",
                                   "crosses_below"]), children),
        st.builds(lambda a, op, b: BoolOp(0, 0, op, a, b), children,
                  st.sampled_from(["and", "or"]), children),
        st.builds(lambda a: Not(0, 0, a), children),
        st.builds(lambda a: Changed(0, 0, a), children),
        st.builds(lambda a: Neg(0, 0, a), children),
        st.builds(lambda a, n: Attr(0, 0, a, n), children,
                  st.sampled_from(["floor", "value", "50"])),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_atoms(), _extend, max_leaves=8))
def test_unparse_then_parse_gives_the_same_tree(tree):
    again = parse_condition(unparse(tree))
    # parsing the canonical text of a parsed tree gives that tree back
    assert parse_condition(unparse(again)) == again
    # and, unless a minus was folded into a literal, the generated tree itself
    if not any(isinstance(n, Neg) for n in walk(tree)):
        assert again == tree


def test_literal_nodes():
    assert parse_condition("x == true").right == Bool(0, 0, True)
    assert parse_condition("x == 'its'").right.value == "its"
    assert parse_condition('x == "a\\"b"').right.value == 'a"b'
    assert isinstance(parse_condition("f(SPY) > 1").left.args[0], Name)
    assert parse_condition("x > 1e3").right == Number(0, 0, 1000.0)
