"""Type-check conditions, evaluate them over whole histories, and find the edges.

Two passes over the same syntax tree:

* :func:`check_condition` (static, no data): functions exist, arguments have the right
  kind and count, tickers are in the store, universes exist, attributes exist, types
  match (``rsi_divergence(SPY) == "bearsh"`` is an error naming the valid values), and
  the whole condition is true/false and depends on data. It returns every problem with
  its character span so the rules loader can point at file:line:column.
* :func:`evaluate` (vectorised): each function returns its whole history as a series;
  operators combine series aligned on the union of their dates, so one condition is one
  boolean series over all dates (no loop over days).

Three-valued logic
------------------
A comparison is *unknown* (``<NA>``) on a date where an operand has no value (before a
ticker lists, on another market's holiday, during a signal's warm-up, a series that
ended a day earlier). ``and``/``or``/``not`` follow Kleene logic (``false and unknown``
is false). Unknown never fires and never re-arms: the edge detector compares each known
value with the previous *known* value (:func:`edges`), so a missing day cannot make a
rule fire twice.

Operators
---------
``a crosses_above b``: ``a > b`` on a date and ``a <= b`` on the previous date where
both were known (``crosses_below`` mirrors it). ``x changed``: ``x`` differs from its
previous known value. Both are false on the first known date.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..signals.registry import INDICATORS, MAX_ROWS
from .functions import (
    BOOL,
    NUMBER,
    REGISTRY,
    EvalContext,
    FunctionSpec,
    Param,
    Record,
    RecordType,
    SeriesType,
)
from .grammar import (
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
)

__all__ = ["Issue", "CheckInfo", "check_condition", "evaluate", "edges", "Evaluation",
           "values_at", "MEMBER", "MEMBER_FUNCTIONS", "check_value"]

#: The name standing for each member of a scanned universe.
MEMBER = "$"
#: Functions whose ticker/series argument may be ``$`` (computed on the whole members
#: matrix at once): the close, ratio lines and every declared indicator.
MEMBER_FUNCTIONS = frozenset({"close", "ratio", *(i.name for i in INDICATORS)})

_TICKER_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9_]*(-[A-Z0-9]+)*$")


@dataclass(frozen=True)
class Issue:
    """A problem in a condition: character span ``[start, end)`` and a message."""

    start: int
    end: int
    message: str


@dataclass
class CheckInfo:
    """What a checked condition reads: tickers, universes and functions (sorted, unique)."""

    tickers: list[str] = field(default_factory=list)
    universes: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    #: True when the condition reads ``$`` (each member of a scanned universe).
    members: bool = False


@dataclass(frozen=True)
class _Const:
    """Type of a literal (does not depend on data)."""

    kind: str  # "number" | "text" | "bool"


_ANY = object()  # type of a sub-expression that already failed (suppresses follow-ups)


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def _kind(t: Any) -> str | None:
    if isinstance(t, SeriesType):
        return t.kind
    if isinstance(t, _Const):
        return t.kind
    return None


def _is_series(t: Any) -> bool:
    return isinstance(t, (SeriesType, RecordType))


# -- binding ---------------------------------------------------------------------------

def _bind(spec: FunctionSpec, call: Call) -> tuple[dict[str, Node], list[Issue]]:
    """Match a call's arguments to the spec's parameters (no type checks)."""
    issues: list[Issue] = []
    bound: dict[str, Node] = {}
    params = list(spec.params)
    if len(call.args) > len(params):
        extra = call.args[len(params)]
        issues.append(Issue(extra.start, call.args[-1].end,
                            f"{spec.name}() takes at most {len(params)} argument"
                            f"{'s' if len(params) != 1 else ''}: {spec.signature()}"))
    for p, node in zip(params, call.args, strict=False):
        bound[p.name] = node
    names = {p.name for p in params}
    starts = call.kwarg_starts or tuple(n.start for _, n in call.kwargs)
    for (key, node), key_start in zip(call.kwargs, starts, strict=True):
        if key not in names:
            issues.append(Issue(key_start, key_start + len(key),
                                f"{spec.name}() has no parameter {key!r}: {spec.signature()}"
                                + _suggest(key, sorted(names))))
        elif key in bound:
            issues.append(Issue(node.start, node.end,
                                f"{spec.name}(): {key!r} is given twice"))
        else:
            bound[key] = node
    missing = [p.name for p in params if p.required and p.name not in bound]
    if missing:
        issues.append(Issue(call.start, call.end,
                            f"{spec.name}() needs {', '.join(repr(m) for m in missing)}: "
                            f"{spec.signature()}"))
    return bound, issues


# -- static check ----------------------------------------------------------------------

class _Checker:
    def __init__(self, known_tickers: set[str] | None,
                 universe_problem: Callable[[str], str | None] | None,
                 allow_members: bool = False) -> None:
        self.known_tickers = known_tickers
        self.universe_problem = universe_problem
        self.allow_members = allow_members
        self.issues: list[Issue] = []
        self.info = CheckInfo()

    def issue(self, node: Node, message: str, start: int | None = None) -> Any:
        self.issues.append(Issue(node.start if start is None else start, node.end, message))
        return _ANY

    # values of records: ratio(A, B) used as a number reads .value
    def value_type(self, t: Any, node: Node) -> Any:
        if isinstance(t, RecordType):
            if t.default is None:
                fields = ", ".join("." + f for f in t.fields)
                return self.issue(node, f"{unparse(node)} has no value of its own; pick a "
                                        f"field: {fields}")
            return t.fields[t.default]
        return t

    def ticker(self, node: Node, spec: FunctionSpec, p: Param) -> None:
        if isinstance(node, String):
            name = node.value.strip().upper()
        elif isinstance(node, Name):
            name = node.name.upper()
        else:
            self.issue(node, f"{spec.name}(): {p.name!r} must be a ticker such as SPY, got "
                             f"{unparse(node)!r}")
            return
        if name == MEMBER:
            if not self.allow_members:
                self.issue(node, f"{spec.name}(): '$' stands for each member of a universe "
                                 "and only works in `rotascope scan`; name a ticker here")
                return
            if spec.name not in MEMBER_FUNCTIONS:
                self.issue(node, f"{spec.name}() cannot read '$' yet; per-member scans "
                                 f"support {', '.join(sorted(MEMBER_FUNCTIONS))}")
                return
            self.info.members = True
            return
        if not _TICKER_RE.match(name):
            self.issue(node, f"{spec.name}(): {name!r} is not a ticker")
            return
        if name not in self.info.tickers:
            self.info.tickers.append(name)
        if self.known_tickers is not None and name not in self.known_tickers:
            self.issue(node, f"unknown ticker {name}: the store has no prices for it"
                             + _suggest(name, sorted(self.known_tickers)))

    def arg(self, spec: FunctionSpec, p: Param, node: Node) -> None:
        kind = p.kind
        label = f"{spec.name}(): {p.name!r} must be {p.describe()}"
        if kind == "ticker":
            self.ticker(node, spec, p)
        elif kind == "series":
            if isinstance(node, (Name, String)):
                self.ticker(node, spec, p)
                return
            t = self.value_type(self.infer(node), node)
            if t is _ANY:
                return
            if not (isinstance(t, SeriesType) and t.kind == "number"):
                self.issue(node, label + f", got {_describe(t)}")
        elif kind == "universe":
            if not isinstance(node, (Name, String)):
                self.issue(node, label)
                return
            name = node.name if isinstance(node, Name) else node.value
            if name not in self.info.universes:
                self.info.universes.append(name)
            if self.universe_problem is not None:
                problem = self.universe_problem(name)
                if problem:
                    self.issue(node, problem)
        elif kind in ("rows", "window"):
            if kind == "window" and isinstance(node, Name) and node.name.lower() == "ytd":
                return
            if isinstance(node, Window):
                rows: float = node.rows
            elif isinstance(node, Number) and not node.percent and np.isfinite(node.value) \
                    and float(node.value).is_integer():
                rows = float(node.value)
            else:
                self.issue(node, label + f", got {_short(unparse(node))!r}")
                return
            low = p.minimum if p.minimum is not None else 1
            high = p.maximum if p.maximum is not None else MAX_ROWS
            if rows < low or rows > high:
                shown = _short(node.text if isinstance(node, Window) else _show(node))
                self.issue(node, f"{spec.name}(): {p.name!r} must be between {low:g} and "
                                 f"{high:g}{' rows' if kind != 'rows' or high == MAX_ROWS else ''}"
                                 f", got {shown}")
        elif kind == "number":
            if not isinstance(node, Number):
                self.issue(node, label + f", got {_short(unparse(node))!r}")
                return
            if not np.isfinite(node.value):
                self.issue(node, f"{spec.name}(): {p.name!r} must be a finite number, got "
                                 f"{_show(node)}")
                return
            if p.minimum is not None and node.value < p.minimum:
                self.issue(node, f"{spec.name}(): {p.name!r} must be >= {p.minimum:g}, "
                                 f"got {_show(node)}")
            if p.maximum is not None and node.value > p.maximum:
                self.issue(node, f"{spec.name}(): {p.name!r} must be <= {p.maximum:g}, "
                                 f"got {_show(node)}")
        elif kind == "choice":
            value = node.name if isinstance(node, Name) else (
                node.value if isinstance(node, String) else None)
            if value not in p.choices:
                self.issue(node, label)

    def call(self, node: Call) -> Any:
        spec = REGISTRY.get(node.func)
        if spec is None:
            if not node.explicit and _TICKER_RE.match(node.func):
                return self.issue(node, f"{node.func!r} on its own is not a value; write "
                                        f"close({node.func}) for its price")
            names = sorted(REGISTRY)
            self.issues.append(Issue(node.start, node.start + len(node.func),
                                     f"unknown function {node.func!r}"
                                     + _suggest(node.func, names)
                                     + f" (known: {', '.join(names)})"))
            return _ANY
        if node.func not in self.info.functions:
            self.info.functions.append(node.func)
        bound, issues = _bind(spec, node)
        self.issues.extend(issues)
        for p in spec.params:
            if p.name in bound:
                self.arg(spec, p, bound[p.name])
        if node.func == "ratio" and "numerator" in bound and "denominator" in bound:
            legs = [_ticker_text(bound[k]) for k in ("numerator", "denominator")]
            if legs[0] is not None and legs[0] == legs[1]:
                self.issue(node, f"ratio(): both legs are {legs[0]}; a ticker divided by "
                                 "itself is always 1 (give two different tickers)")
        return spec.result

    def infer(self, node: Node) -> Any:
        if isinstance(node, Number):
            if not np.isfinite(node.value):
                return self.issue(node, f"{_show(node)} is too large to be a number")
            return _Const("number")
        if isinstance(node, String):
            return _Const("text")
        if isinstance(node, Bool):
            return _Const("bool")
        if isinstance(node, Window):
            return self.issue(node, f"a window such as {node.text} is only an argument, e.g. "
                                    f"perf(SPY, {node.text})")
        if isinstance(node, Name):
            return self.issue(node, f"{node.name!r} is not a value here")
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Attr):
            t = self.infer(node.obj)
            if t is _ANY:
                return _ANY
            if not isinstance(t, RecordType):
                return self.issue(node, f"{unparse(node.obj)} has no field .{node.name} "
                                        f"(it is {_describe(t)})", start=node.name_start)
            if node.name not in t.fields:
                fields = list(t.fields)
                return self.issue(node, f"{unparse(node.obj)} has no field .{node.name}; "
                                        f"fields: {', '.join('.' + f for f in fields)}"
                                  + _suggest(node.name, fields), start=node.name_start)
            return t.fields[node.name]
        if isinstance(node, Neg):
            t = self.value_type(self.infer(node.operand), node.operand)
            if t is not _ANY and _kind(t) != "number":
                return self.issue(node, f"'-' needs a number, got {_describe(t)}")
            return t
        if isinstance(node, Arith):
            lt = self.value_type(self.infer(node.left), node.left)
            rt = self.value_type(self.infer(node.right), node.right)
            if _ANY in (lt, rt):
                return _ANY
            for side, t in ((node.left, lt), (node.right, rt)):
                if _kind(t) != "number":
                    return self.issue(side, f"{node.op!r} needs numbers, got {_describe(t)}")
            return NUMBER if (_is_series(lt) or _is_series(rt)) else _Const("number")
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Changed):
            t = self.value_type(self.infer(node.operand), node.operand)
            if t is _ANY:
                return _ANY
            if not _is_series(t):
                return self.issue(node, "'changed' needs a value that depends on data")
            return BOOL
        if isinstance(node, (BoolOp, Not)):
            operands = [node.left, node.right] if isinstance(node, BoolOp) else [node.operand]
            series = False
            for operand in operands:
                t = self.value_type(self.infer(operand), operand)
                if t is _ANY:
                    continue
                if _kind(t) != "bool":
                    word = node.op if isinstance(node, BoolOp) else "not"
                    self.issue(operand, f"'{word}' needs true/false, got {_describe(t)}; "
                                        "compare it, e.g. ... > 0")
                series = series or _is_series(t)
            return BOOL if series else _Const("bool")
        return self.issue(node, f"unexpected {type(node).__name__}")

    def compare(self, node: Compare) -> Any:
        lt = self.value_type(self.infer(node.left), node.left)
        rt = self.value_type(self.infer(node.right), node.right)
        if _ANY in (lt, rt):
            return _ANY
        lk, rk = _kind(lt), _kind(rt)
        op = node.op
        if op in ("crosses_above", "crosses_below", "<", "<=", ">", ">="):
            for side, t, k in ((node.left, lt, lk), (node.right, rt, rk)):
                if k != "number":
                    return self.issue(side, f"{op!r} compares numbers, got {_describe(t)}")
        elif lk != rk:
            return self.issue(node, f"{op!r} compares {_describe(lt)} with {_describe(rt)}; "
                                    "both sides must be numbers, both text or both true/false",
                              start=node.op_start)
        if lk == "text":
            for t, other in ((lt, node.right), (rt, node.left)):
                if isinstance(t, SeriesType) and t.choices and isinstance(other, String) \
                        and other.value not in t.choices:
                    self.issue(other, f"{other.value!r} is never a value here; "
                                      f"possible values: {', '.join(map(repr, t.choices))}"
                               + _suggest(other.value, list(t.choices)))
        if not (_is_series(lt) or _is_series(rt)):
            return _Const("bool")
        return BOOL


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _show(node: Node) -> str:
    """A number as written when short, else compactly (never 300 digits)."""
    if isinstance(node, Number):
        text = node.text or repr(node.value)
        return text if len(text) <= 16 else f"{node.value:.4g}"
    return _short(unparse(node))


def _ticker_text(node: Node) -> str | None:
    if isinstance(node, Name):
        return node.name.upper()
    if isinstance(node, String):
        return node.value.strip().upper()
    return None


def _describe(t: Any) -> str:
    if isinstance(t, (SeriesType, RecordType)):
        return t.describe()
    if isinstance(t, _Const):
        return {"number": "a number", "text": "text", "bool": "true/false"}[t.kind]
    return "an invalid value"


def check_condition(tree: Node, *, known_tickers: set[str] | None = None,
                    universe_problem: Callable[[str], str | None] | None = None,
                    allow_members: bool = False) -> tuple[list[Issue], CheckInfo]:
    """Statically check a condition (no data is read).

    Parameters
    ----------
    tree : the parsed condition (:func:`~rotascope.rules.grammar.parse_condition`).
    known_tickers : tickers with prices in the store; None skips the ticker check.
    universe_problem : returns a message for an unknown universe name, else None.
    allow_members : accept ``$`` (each member of a scanned universe) as a ticker; alerts
        leave it False, :mod:`rotascope.scan` sets it.

    Returns
    -------
    (issues, info)
        ``issues`` in source order (empty when the condition is valid); ``info`` lists
        the tickers, universes and functions it reads.
    """
    checker = _Checker(known_tickers, universe_problem, allow_members)
    t = checker.value_type(checker.infer(tree), tree)
    if t is not _ANY and not checker.issues:
        if _kind(t) != "bool":
            checker.issue(tree, f"a condition must be true or false, but this is "
                                f"{_describe(t)}; compare it, e.g. {unparse(tree)} > 0")
        elif not _is_series(t):
            checker.issue(tree, "this condition does not depend on any data")
    issues = sorted(checker.issues, key=lambda i: (i.start, i.end))
    # one message per span: a failed argument often explains the failures above it
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for i in issues:
        if (i.start, i.end, i.message) not in seen:
            seen.add((i.start, i.end, i.message))
            unique.append(i)
    info = checker.info
    info.tickers.sort()
    info.universes.sort()
    info.functions.sort()
    return unique, info


# -- evaluation ------------------------------------------------------------------------

_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


@dataclass
class Evaluation:
    """A condition's history: ``result`` (boolean series with ``<NA>``) and ``trace``,
    the series each comparison read (canonical text -> series), to explain a firing."""

    result: pd.Series
    trace: dict[str, pd.Series]


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, pd.Series) and isinstance(b, pd.Series) and not a.index.equals(b.index):
        return a.align(b, join="outer")
    return a, b


def _to_bool_series(values: np.ndarray, missing: np.ndarray, index: pd.Index) -> pd.Series:
    arr = pd.array(values.astype(bool), dtype="boolean")
    if missing.any():
        arr[missing] = pd.NA
    return pd.Series(arr, index=index)


def _values(x: Any) -> tuple[Any, np.ndarray | bool]:
    if isinstance(x, pd.Series):
        return x.to_numpy(), x.isna().to_numpy()
    return x, False


def _compare(op: str, a: Any, b: Any) -> pd.Series:
    a, b = _align(a, b)
    index = a.index if isinstance(a, pd.Series) else b.index
    if _is_bool_series(a) or _is_bool_series(b):
        out = _CMP[op](a, b)  # pandas Kleene-aware for boolean dtype
        return out.astype("boolean")
    av, am = _values(a)
    bv, bm = _values(b)
    missing = np.asarray(am | bm, dtype=bool)
    if missing.ndim == 0:
        missing = np.full(len(index), bool(missing))
    if isinstance(av, np.ndarray) and av.dtype == object or isinstance(bv, np.ndarray) \
            and bv.dtype == object or isinstance(av, str) or isinstance(bv, str):
        with np.errstate(invalid="ignore"):
            res = np.asarray(_CMP[op](np.asarray(av, dtype=object), np.asarray(bv, dtype=object)),
                             dtype=bool)
    else:
        with np.errstate(invalid="ignore"):
            res = np.asarray(_CMP[op](np.asarray(av, dtype=np.float64),
                                      np.asarray(bv, dtype=np.float64)))
    if res.ndim == 0:
        res = np.full(len(index), bool(res))
    return _to_bool_series(res, missing, index)


def _is_bool_series(x: Any) -> bool:
    return isinstance(x, pd.Series) and isinstance(x.dtype, pd.BooleanDtype)


def _cross(op: str, a: Any, b: Any) -> pd.Series:
    a, b = _align(a, b)
    index = a.index if isinstance(a, pd.Series) else b.index
    diff = (pd.Series(a, index=index) if not isinstance(a, pd.Series) else a).astype(
        np.float64) - (b if isinstance(b, pd.Series) else float(b))
    d = diff.to_numpy(dtype=np.float64)
    known = ~np.isnan(d)
    dk = d[known]
    prev = np.empty_like(dk)
    if len(dk):
        prev[0] = np.nan
        prev[1:] = dk[:-1]
    with np.errstate(invalid="ignore"):
        hit = (dk > 0) & (prev <= 0) if op == "crosses_above" else (dk < 0) & (prev >= 0)
    res = np.zeros(len(d), dtype=bool)
    res[known] = hit
    return _to_bool_series(res, ~known, index)


def _changed(x: pd.Series) -> pd.Series:
    missing = x.isna().to_numpy()
    known = ~missing
    values = x.to_numpy()[known]
    hit = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        hit[1:] = np.asarray(values[1:] != values[:-1], dtype=bool)  # text or numbers
    res = np.zeros(len(x), dtype=bool)
    res[known] = hit
    return _to_bool_series(res, missing, x.index)


class _Evaluator:
    def __init__(self, ctx: EvalContext) -> None:
        self.ctx = ctx
        self.trace: dict[str, pd.Series] = {}

    def value(self, v: Any) -> Any:
        if isinstance(v, Record):
            if v.type.default is None:
                raise TypeError("record without a default field used as a value")
            return v.get(v.type.default)
        return v

    def arg(self, spec: FunctionSpec, p: Param, node: Node) -> Any:
        kind = p.kind
        if kind == "ticker" or (kind == "series" and isinstance(node, (Name, String))):
            name = (node.name if isinstance(node, Name) else _literal(node)).strip().upper()
            return name if kind == "ticker" else self.ctx.close(name).astype(np.float64)
        if kind == "series":
            return self.value(self.eval(node))
        if kind == "universe":
            return node.name if isinstance(node, Name) else _literal(node)
        if kind in ("rows", "window"):
            if isinstance(node, Window):
                return node.rows
            if isinstance(node, Name):
                return "ytd"
            return int(_literal(node))
        if kind == "number":
            return float(_literal(node))
        if kind == "choice":
            return node.name if isinstance(node, Name) else _literal(node)
        raise TypeError(f"unknown parameter kind {kind!r}")

    def call(self, node: Call) -> Any:
        spec = REGISTRY[node.func]
        key = _call_key(node)
        if key in self.ctx.memo:
            return self.ctx.memo[key]
        bound, _ = _bind(spec, node)
        args = {}
        for p in spec.params:
            args[p.name] = self.arg(spec, p, bound[p.name]) if p.name in bound else p.default
        value = spec.compute(self.ctx, args)
        self.ctx.memo[key] = value
        return value

    def eval(self, node: Node) -> Any:
        if isinstance(node, (Number, String, Bool)):
            return node.value
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Attr):
            rec = self.eval(node.obj)
            return rec.get(node.name)
        if isinstance(node, Neg):
            return -self.value(self.eval(node.operand))
        if isinstance(node, Arith):
            a, b = _align(self.value(self.eval(node.left)), self.value(self.eval(node.right)))
            with np.errstate(divide="ignore", invalid="ignore"):
                out = _ARITH[node.op](a, b)
            if isinstance(out, pd.Series):
                out = out.astype(np.float64)
                out[~np.isfinite(out.to_numpy())] = np.nan  # x/0 is not a value
            return out
        if isinstance(node, Compare):
            a = self.value(self.eval(node.left))
            b = self.value(self.eval(node.right))
            self.record(node.left, a)
            self.record(node.right, b)
            if node.op in ("crosses_above", "crosses_below"):
                return _cross(node.op, a, b)
            return _compare(node.op, a, b)
        if isinstance(node, Changed):
            x = self.value(self.eval(node.operand))
            self.record(node.operand, x)
            return _changed(x)
        if isinstance(node, BoolOp):
            a, b = _align(self.operand(node.left), self.operand(node.right))
            if isinstance(a, pd.Series):
                a = a.astype("boolean")
            if isinstance(b, pd.Series):
                b = b.astype("boolean")
            if not isinstance(a, pd.Series):
                a, b = b, a
            return (a & b) if node.op == "and" else (a | b)
        if isinstance(node, Not):
            x = self.operand(node.operand)
            return ~x.astype("boolean") if isinstance(x, pd.Series) else (not x)
        raise TypeError(f"cannot evaluate {type(node).__name__}")

    def operand(self, node: Node) -> Any:
        """A true/false operand; a bare call (``rsi_lower_highs_lower_lows(QQQ)``) is traced."""
        value = self.value(self.eval(node))
        if isinstance(node, (Call, Attr)):
            self.record(node, value)
        return value

    def record(self, node: Node, value: Any) -> None:
        if isinstance(value, pd.Series):
            self.trace.setdefault(unparse(node), value)


def _literal(node: Node) -> Any:
    """The value of a number or string argument (the type check admitted nothing else)."""
    if isinstance(node, (Number, String, Bool)):
        return node.value
    raise TypeError(f"expected a literal argument, got {type(node).__name__}")


def _call_key(node: Call) -> str:
    spec = REGISTRY[node.func]
    bound, _ = _bind(spec, node)
    parts = []
    for p in spec.params:
        if p.name not in bound:
            parts.append(repr(p.default))
            continue
        n = bound[p.name]
        if isinstance(n, (Name, String)) and p.kind in ("ticker", "series"):
            parts.append((n.name if isinstance(n, Name) else n.value).strip().upper())
        elif isinstance(n, Window):
            parts.append(str(n.rows))
        elif isinstance(n, Number):
            parts.append(repr(int(n.value) if p.kind in ("rows", "window") else n.value))
        else:
            parts.append(unparse(n))
    return f"{node.func}({', '.join(parts)})"


def evaluate(tree: Node, ctx: EvalContext) -> Evaluation:
    """Evaluate a checked condition over its whole history.

    Parameters
    ----------
    tree : a condition that passed :func:`check_condition`.
    ctx : the store and evaluation date; its caches are shared by every rule evaluated
        with it (a ``ratio(MAGS, SPY)`` used by three rules is computed once).

    Returns
    -------
    Evaluation
        ``result``: pandas ``"boolean"`` series on the union of the dates the condition
        reads, ``<NA>`` where it is unknown; nothing after ``ctx.end``.

    Raises
    ------
    FunctionUnavailableError
        A function's module has not landed yet.
    """
    ev = _Evaluator(ctx)
    out = ev.operand(tree)
    if not isinstance(out, pd.Series):
        raise TypeError("a condition must depend on data (check_condition rejects this)")
    out = out.astype("boolean").sort_index()
    if ctx.end is not None:
        out = out[out.index <= ctx.end]
    return Evaluation(out, ev.trace)


def edges(cond: pd.Series, *, prev: bool | None = None) -> pd.DatetimeIndex:
    """Dates where ``cond`` becomes true (edge-triggered firing).

    Parameters
    ----------
    cond : boolean series with ``<NA>`` for unknown dates.
    prev : the known value before the first date (None: false, i.e. armed).

    Returns
    -------
    DatetimeIndex
        Every date whose value is known true while the previous *known* value was not
        true. Unknown dates neither fire nor re-arm.

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=6)
    >>> c = pd.Series(pd.array([False, True, None, True, False, True], dtype="boolean"), idx)
    >>> [d.day for d in edges(c)]
    [2, 6]
    >>> [d.day for d in edges(c, prev=True)[:1]]
    [2]
    """
    known = cond[cond.notna()]
    if known.empty:
        return pd.DatetimeIndex([])
    v = known.to_numpy(dtype=bool)
    before = np.empty_like(v)
    before[0] = bool(prev)
    before[1:] = v[:-1]
    return pd.DatetimeIndex(known.index[v & ~before])


def values_at(trace: dict[str, pd.Series], date: pd.Timestamp) -> dict[str, Any]:
    """The traced operand values on ``date`` (None where unknown), for alert payloads."""
    out: dict[str, Any] = {}
    for text, series in trace.items():
        try:
            v = series.loc[date]
        except KeyError:
            out[text] = None
            continue
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out[text] = None
        elif isinstance(v, (np.floating, float)):
            out[text] = float(v)
        elif isinstance(v, (np.bool_, bool)):
            out[text] = bool(v)
        elif isinstance(v, (np.integer, int)):
            out[text] = int(v)
        else:
            out[text] = str(v)
    return out



def check_value(tree: Node, *, known_tickers: set[str] | None = None,
                universe_problem: Callable[[str], str | None] | None = None,
                allow_members: bool = False) -> tuple[list[Issue], CheckInfo]:
    """Statically check a number-valued expression (a scan's ``--sort rsi($, 14)``).

    As :func:`check_condition`, but the expression must be a number that depends on data.
    """
    checker = _Checker(known_tickers, universe_problem, allow_members)
    t = checker.value_type(checker.infer(tree), tree)
    if t is not _ANY and not checker.issues:
        if _kind(t) != "number":
            checker.issue(tree, f"this must be a number, but it is {_describe(t)}")
        elif not _is_series(t):
            checker.issue(tree, "this expression does not depend on any data")
    issues = sorted(set(checker.issues), key=lambda i: (i.start, i.end, i.message))
    return issues, checker.info
