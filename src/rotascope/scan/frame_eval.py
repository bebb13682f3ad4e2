"""Evaluate a ``$`` condition on a whole members matrix at once (dates x tickers).

``$`` is substituted by the members' closes (a 2-D float array), so each function runs
its compiled kernel on every column in one call and each operator is one numpy
operation; there is no loop over tickers or days. Sub-expressions that do not read
``$`` (``close(SPY)``, ``breadth(sp500).pct_above_sma.50``, ``regime``) are evaluated
once beforehand by the alert evaluator and arrive here as columns on the same dates
(``fixed``), so a block of columns needs nothing but arrays: the Dask engine ships
the same inputs to every block.

Values
------
* numbers: float64 arrays, shape ``(dates, tickers)`` or ``(dates, 1)`` (a series
  shared by all members), or a Python float; NaN is unknown;
* true/false: :class:`Truth` (``value`` and ``known`` boolean arrays), the same
  three-valued (Kleene) logic as :mod:`rotascope.rules.evaluate`;
* records: a dict of field name -> value (``ratio($, SPY).lowest_in_months``).

Per column, every value equals what the single-ticker alert evaluation gives on that
ticker's dates (tests/scan check it): indicators compute on each column's own valid
rows (``missing="skip"``), a ratio exists where both legs have a close, a cross or a
change compares with the previous *known* value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..rules.evaluate import MEMBER, _bind
from ..rules.functions import _RATIO_FIELDS, REGISTRY, Param
from ..rules.grammar import (
    Arith,
    Attr,
    Bool,
    BoolOp,
    Call,
    Changed,
    Compare,
    Name,
    Neg,
    Node,
    Not,
    Number,
    String,
    Window,
    unparse,
    walk,
)
from ..signals.averages import sma
from ..signals.extremes import months_extreme, ratio_months_extreme_at
from ..signals.registry import INDICATORS
from ..signals.returns import total_return

__all__ = ["Truth", "reads_members", "fixed_nodes", "FrameInputs", "evaluate_frame",
           "node_key"]

_INDICATORS = {i.name: i for i in INDICATORS}
_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


@dataclass(frozen=True)
class Truth:
    """A three-valued truth matrix: ``value`` where ``known``, unknown elsewhere."""

    value: Any   # ndarray of bool (broadcastable) or bool
    known: Any   # ndarray of bool (broadcastable) or bool

    def full(self, shape: tuple[int, int]) -> Truth:
        return Truth(np.broadcast_to(self.value & self.known, shape),
                     np.broadcast_to(self.known, shape))


def node_key(node: Node) -> str:
    """Key of a sub-expression in ``fixed``: its span and canonical text."""
    return f"{node.start}:{node.end}:{unparse(node)}"


def _is_member(node: Node) -> bool:
    return isinstance(node, Name) and node.name == MEMBER


def reads_members(node: Node) -> bool:
    """Whether ``$`` appears anywhere in ``node``."""
    return any(_is_member(n) for n in walk(node))


def fixed_nodes(tree: Node) -> list[Node]:
    """The largest sub-expressions that do not read ``$`` and are values (not bare
    ticker/universe arguments): evaluated once, shared by every member."""
    out: list[Node] = []

    def visit(node: Node) -> None:
        if not reads_members(node):
            if not isinstance(node, (Number, String, Bool, Name, Window)):
                out.append(node)
            return
        if isinstance(node, Call):
            spec = REGISTRY[node.func]
            bound, _ = _bind(spec, node)
            for p in spec.params:
                if p.name in bound and p.kind == "series":
                    visit(bound[p.name])
            return
        if isinstance(node, Attr):
            visit(node.obj)
        elif isinstance(node, (Neg, Not, Changed)):
            visit(node.operand)
        elif isinstance(node, (Arith, Compare, BoolOp)):
            visit(node.left)
            visit(node.right)

    visit(tree)
    return out


@dataclass
class FrameInputs:
    """Everything a block needs: the members' closes on ``index`` (columns ``tickers``),
    the closes of the single tickers a ratio reads (``legs``, 1-D on ``index``), and the
    ``$``-free sub-expressions already evaluated on ``index`` (``fixed``)."""

    index: pd.DatetimeIndex
    tickers: list[str]
    close: np.ndarray
    legs: Mapping[str, np.ndarray]
    fixed: Mapping[str, Any]


class _LazyRatio(dict):  # type: ignore[type-arg]
    """The ratio record's fields, each computed on first use (a scan reading
    ``.lowest_in_months`` pays for nothing else). The definitions are those of
    :func:`rotascope.analysis.ratio.ratio_history` (tests compare the two)."""

    def __init__(self, members: np.ndarray, leg: np.ndarray, members_first: bool,
                 index: pd.DatetimeIndex, tickers: list[str]) -> None:
        super().__init__()
        self.members, self.leg, self.members_first = members, leg, members_first
        self.index, self.tickers = index, tickers
        self.ratios: pd.DataFrame | None = None

    def __missing__(self, name: str) -> np.ndarray:
        if name not in _RATIO_FIELDS:
            raise KeyError(name)
        if self.ratios is None:
            # as ratio_matrix: num / den, a non-finite quotient is not a ratio point
            num, den = ((self.members, self.leg) if self.members_first
                        else (self.leg, self.members))
            with np.errstate(divide="ignore", invalid="ignore"):
                values = num / den
            values[~np.isfinite(values)] = np.nan
            self.ratios = pd.DataFrame(values, index=self.index,
                                       columns=pd.Index(self.tickers), copy=False)
        frame = self.ratios if name == "value" else _RATIO_FUNCS[name](self.ratios)
        out = frame.to_numpy(dtype=np.float64)
        self[name] = out
        return out

    def months_at(self, name: str, row: int) -> np.ndarray:
        """``lowest_in_months``/``highest_in_months`` on one row only, shape (1, tickers):
        equal to that row of the whole field, without the ratio matrix or the history."""
        if name in self:  # the whole field is already there: read its row
            return np.asarray(self[name][row:row + 1])
        side = "low" if name == "lowest_in_months" else "high"
        return ratio_months_extreme_at(self.members, self.leg, row,
                                       members_first=self.members_first, side=side)[None, :]


def _pct_vs(w: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def f(r: pd.DataFrame) -> pd.DataFrame:
        with np.errstate(divide="ignore", invalid="ignore"):
            return r / sma(r, w) - 1.0
    return f


_RATIO_FUNCS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "change_1m": lambda r: total_return(r, 21),
    "change_3m": lambda r: total_return(r, 63),
    "change_6m": lambda r: total_return(r, 126),
    "pct_vs_sma50": _pct_vs(50),
    "pct_vs_sma200": _pct_vs(200),
    "lowest_in_months": lambda r: months_extreme(r, side="low"),
    "highest_in_months": lambda r: months_extreme(r, side="high"),
}


#: Ratio fields a one-date scan computes on its row only.
_ROW_FIELDS = ("lowest_in_months", "highest_in_months")


class _FrameEvaluator:
    def __init__(self, inputs: FrameInputs, first_row: int = 0) -> None:
        self.inp = inputs
        self.memo: dict[str, Any] = {}
        self.trace: dict[str, Any] = {}
        self.shape = (len(inputs.index), len(inputs.tickers))
        # numbers are always whole histories (indicators are causal and recursive);
        # true/false values are only needed from first_row on
        self.r0 = first_row
        self.out_shape = (self.shape[0] - first_row, self.shape[1])

    def cut(self, x: Any) -> Any:
        """Rows from ``first_row`` on of a whole-history array (others unchanged)."""
        if self.r0 and isinstance(x, np.ndarray) and x.ndim == 2 \
                and x.shape[0] == self.shape[0]:
            return x[self.r0:]
        return x

    # -- values --------------------------------------------------------------------

    def value(self, v: Any) -> Any:
        if isinstance(v, dict):
            return v["value"]  # ratio records read .value by default
        return v

    def frame(self, values: np.ndarray) -> pd.DataFrame:
        # no copy: the kernels read the matrix in place (pandas would copy an ndarray)
        return pd.DataFrame(np.broadcast_to(values, self.shape), index=self.inp.index,
                            columns=pd.Index(self.inp.tickers), copy=False)

    def series_arg(self, node: Node) -> np.ndarray:
        if _is_member(node):
            return self.inp.close
        return np.asarray(self.value(self.eval(node)), dtype=np.float64)

    def plain_arg(self, p: Param, node: Node) -> Any:
        kind = p.kind
        if kind in ("ticker", "universe", "choice"):
            return node.name if isinstance(node, Name) else node.value  # type: ignore[attr-defined]
        if kind in ("rows", "window"):
            if isinstance(node, Window):
                return node.rows
            if isinstance(node, Name):
                return "ytd"
            return int(node.value)  # type: ignore[attr-defined]
        if kind == "number":
            return float(node.value)  # type: ignore[attr-defined]
        raise TypeError(f"unexpected parameter kind {kind!r}")

    # -- calls ---------------------------------------------------------------------

    def call(self, node: Call) -> Any:
        key = unparse(node)
        if key in self.memo:
            return self.memo[key]
        spec = REGISTRY[node.func]
        bound, _ = _bind(spec, node)
        if node.func == "close":
            out: Any = self.inp.close
        elif node.func == "ratio":
            out = self.ratio(bound["numerator"], bound["denominator"])
        else:
            ind = _INDICATORS[node.func]
            args = {p.name: (self.plain_arg(p, bound[p.name]) if p.name in bound
                             else p.default) for p in ind.params}
            series = self.frame(self.series_arg(bound["series"]))
            out = ind.compute(series, **args).to_numpy(dtype=np.float64)
        self.memo[key] = out
        return out

    def ratio(self, num: Node, den: Node) -> dict[str, np.ndarray]:  # a lazy record
        tickers = self.inp.tickers
        leg_node = den if _is_member(num) else num
        leg = leg_node.name if isinstance(leg_node, Name) else leg_node.value  # type: ignore[attr-defined]
        leg = str(leg).strip().upper()
        return _LazyRatio(self.inp.close, self.inp.legs[leg][:, None], _is_member(num),
                          self.inp.index, tickers)

    # -- operators -----------------------------------------------------------------

    def eval(self, node: Node) -> Any:
        key = node_key(node)
        if key in self.inp.fixed:
            return self.inp.fixed[key]
        if isinstance(node, (Number, String, Bool)):
            return node.value
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Attr):
            return self.eval(node.obj)[node.name]
        if isinstance(node, Neg):
            return -np.asarray(self.value(self.eval(node.operand)), dtype=np.float64)
        if isinstance(node, Arith):
            a = self.value(self.eval(node.left))
            b = self.value(self.eval(node.right))
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.asarray(_ARITH[node.op](np.asarray(a, dtype=np.float64),
                                                 np.asarray(b, dtype=np.float64)))
            return np.where(np.isfinite(out), out, np.nan)  # x/0 is not a value
        if isinstance(node, Compare):
            a = self.value(self.compared(node, node.left))
            b = self.value(self.compared(node, node.right))
            self.record(node.left, a)
            self.record(node.right, b)
            if node.op in ("crosses_above", "crosses_below"):
                return self.cross(node.op, a, b)
            return self.compare(node.op, a, b)
        if isinstance(node, Changed):
            x = self.value(self.eval(node.operand))
            self.record(node.operand, x)
            return self.changed(x)
        if isinstance(node, BoolOp):
            a = self.truth(self.operand(node.left))
            b = self.truth(self.operand(node.right))
            if node.op == "and":
                known = (a.known & b.known) | (a.known & ~a.value) | (b.known & ~b.value)
                return Truth(a.value & b.value & known, known)
            yes = (a.known & a.value) | (b.known & b.value)
            return Truth(yes, (a.known & b.known) | yes)
        if isinstance(node, Not):
            t = self.truth(self.operand(node.operand))
            return Truth(~t.value & t.known, t.known)
        raise TypeError(f"cannot evaluate {type(node).__name__}")

    def compared(self, cmp: Compare, node: Node) -> Any:
        """An operand of a comparison. When only the last row is compared (a scan of one
        date, no entries window), an N-month extreme of a ratio is computed on that row
        alone (its whole history is a pass over every row of every column)."""
        if (cmp.op in _CMP and self.r0 and self.r0 == self.shape[0] - 1
                and isinstance(node, Attr) and node.name in _ROW_FIELDS
                and node_key(node) not in self.inp.fixed):
            obj = self.eval(node.obj)
            if isinstance(obj, _LazyRatio):
                return obj.months_at(node.name, self.r0)
        return self.eval(node)

    def operand(self, node: Node) -> Any:
        value = self.value(self.eval(node))
        if isinstance(node, (Call, Attr)):
            self.record(node, value)
        return value

    def record(self, node: Node, value: Any) -> None:
        if isinstance(value, (np.ndarray, Truth)):
            self.trace.setdefault(unparse(node), value)

    def truth(self, x: Any) -> Truth:
        if isinstance(x, Truth):
            return Truth(self.cut(x.value), self.cut(x.known))
        return Truth(np.asarray(bool(x)), np.asarray(True))

    def compare(self, op: str, a: Any, b: Any) -> Truth:
        if isinstance(a, Truth) or isinstance(b, Truth) or isinstance(a, bool) \
                or isinstance(b, bool):
            ta, tb = self.truth(a), self.truth(b)
            return Truth(_CMP[op](ta.value, tb.value) & ta.known & tb.known,
                         ta.known & tb.known)
        av = self.cut(np.asarray(a, dtype=np.float64))
        bv = self.cut(np.asarray(b, dtype=np.float64))
        known = ~np.isnan(av) & ~np.isnan(bv)
        with np.errstate(invalid="ignore"):
            return Truth(_CMP[op](av, bv) & known, known)

    def previous_known(self, x: np.ndarray) -> np.ndarray:
        """Each column's previous known value (NaN before the first)."""
        full = np.broadcast_to(x, (x.shape[0], max(x.shape[1] if x.ndim == 2 else 1, 1)))
        prev = pd.DataFrame(full).ffill().shift(1).to_numpy(dtype=np.float64)
        return prev

    def cross(self, op: str, a: Any, b: Any) -> Truth:
        with np.errstate(invalid="ignore"):
            d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
        d = np.broadcast_to(d, np.broadcast_shapes(d.shape, (self.shape[0], 1)))
        prev = self.previous_known(d)
        known = ~np.isnan(d)
        with np.errstate(invalid="ignore"):
            hit = (d > 0) & (prev <= 0) if op == "crosses_above" else (d < 0) & (prev >= 0)
        return Truth(self.cut(hit & known), self.cut(known))

    def changed(self, x: Any) -> Truth:
        if isinstance(x, Truth):  # whole history (evaluate_frame sets first_row 0)
            x = np.where(x.known, x.value.astype(np.float64), np.nan)
        v = np.asarray(x, dtype=np.float64)
        v = np.broadcast_to(v, np.broadcast_shapes(v.shape, (self.shape[0], 1)))
        prev = self.previous_known(v)
        known = ~np.isnan(v)
        return Truth(self.cut(known & ~np.isnan(prev) & (v != prev)), self.cut(known))


def evaluate_frame(tree: Node, inputs: FrameInputs, *, sort: Node | None = None,
                   first_row: int = 0) -> tuple[Truth, dict[str, Any], np.ndarray | None]:
    """The condition on every date from ``first_row`` and every member:
    ``(truth, trace, sort_values)``.

    ``truth`` has the shape ``(dates - first_row, tickers)``; ``trace`` maps the
    canonical text of each operand the condition compared to its values (numbers over
    the whole history, true/false from ``first_row``; broadcastable arrays);
    ``sort_values`` is the ``sort`` expression's values from ``first_row`` (or None).
    A scan of one date passes its row: comparisons and logic then touch one row, while
    every indicator still runs over the whole history. ``changed`` on a true/false
    operand needs that operand's history, so there ``first_row`` is ignored.
    """
    if first_row and any(isinstance(n, Changed) for n in walk(tree)):
        first_row = 0
    ev = _FrameEvaluator(inputs, first_row)
    truth = ev.truth(ev.operand(tree)).full(ev.out_shape)
    sort_values = None
    if sort is not None:
        raw = ev.cut(np.asarray(ev.value(ev.eval(sort)), dtype=np.float64))
        sort_values = np.broadcast_to(raw, np.broadcast_shapes(np.shape(raw), ev.out_shape))
    return truth, ev.trace, sort_values
